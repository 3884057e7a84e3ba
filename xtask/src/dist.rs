//! The app bundle: the wasm built with the size-tuned profile, bound with the pinned
//! wasm-bindgen (as a library, so nothing is downloaded), the CSS, the service worker and
//! index.html — all under a build-hash path, precompressed with brotli and gzip — and the
//! release server that embeds them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::tools;

/// What the browser fetches on a first visit, for the size report.
const FIRST_LOAD: [&str; 5] = [
    "index.html",
    "boot.js",
    "app.js",
    "app_bg.wasm",
    "style.css",
];

/// The bundle and the release server that embeds it; returns the server binary.
pub fn dist() -> anyhow::Result<PathBuf> {
    let dist_dir = bundle()?;
    eprintln!("xtask: building the server (release, bundle embedded)");
    tools::run_cmd(
        tools::cargo()
            .args([
                "build",
                "--release",
                "--package",
                "server",
                "--bin",
                "nastavnik",
            ])
            .env("NASTAVNIK_DIST", &dist_dir),
    )?;
    server_binary()
}

/// Where `cargo build --release` puts the server.
pub fn server_binary() -> anyhow::Result<PathBuf> {
    Ok(tools::target_dir()?.join("release/nastavnik"))
}

/// Builds the app bundle into `target/dist` and returns that folder.
pub fn bundle() -> anyhow::Result<PathBuf> {
    let root = tools::workspace_root();
    let target = tools::target_dir()?;
    tools::ensure_wasm_target()?;

    eprintln!("xtask: building the app (wasm32, profile wasm-release)");
    tools::run_cmd(tools::cargo().args([
        "build",
        "--package",
        "app",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = target.join("wasm32-unknown-unknown/wasm-release/app.wasm");

    let staging = target.join("dist-staging");
    let _ = std::fs::remove_dir_all(&staging);
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .out_name("app")
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&staging)
        .context("wasm-bindgen")?;

    // Files of the hashed assets folder: the bindgen output plus our own.
    let web = root.join("app/web");
    let mut assets: Vec<(String, Vec<u8>)> = Vec::new();
    collect(&staging, &staging, &mut assets)?;
    assets.push(("boot.js".into(), std::fs::read(web.join("boot.js"))?));
    assets.push(("style.css".into(), stylesheet(&root.join("style"))?));
    assets.sort();

    let mut hasher = Sha256::new();
    for (name, bytes) in &assets {
        hasher.update(name.as_bytes());
        hasher.update(bytes);
    }
    let build: String = hasher
        .finalize()
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect();

    let mut files: Vec<(String, Vec<u8>)> = assets
        .into_iter()
        .map(|(name, bytes)| (format!("assets/{build}/{name}"), bytes))
        .collect();
    let index = std::fs::read_to_string(web.join("index.html"))?.replace("{{BUILD}}", &build);
    files.push(("index.html".into(), index.into_bytes()));
    files.push((
        "manifest.webmanifest".into(),
        std::fs::read(web.join("manifest.webmanifest"))?,
    ));
    files.push(("icon.svg".into(), std::fs::read(web.join("icon.svg"))?));
    let mut shell: Vec<String> = vec!["/".into()];
    shell.extend(
        files
            .iter()
            .filter(|(name, _)| name != "index.html")
            .map(|(name, _)| format!("/{name}")),
    );
    let sw = std::fs::read_to_string(web.join("sw.js"))?
        .replace("{{BUILD}}", &build)
        .replace("{{SHELL}}", &serde_json::to_string(&shell)?);
    files.push(("sw.js".into(), sw.into_bytes()));

    let dist_dir = target.join("dist");
    write_dist(&dist_dir, &files)?;
    let _ = std::fs::remove_dir_all(&staging);
    report(&dist_dir, &build)?;

    Ok(dist_dir)
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(base)?
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(&path)?));
        }
    }
    Ok(())
}

/// All stylesheets of `style/` in name order, comments and indentation dropped.
fn stylesheet(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "css"))
        .collect();
    names.sort_by_key(|p| (!p.ends_with("main.css"), p.clone()));
    let mut css = String::new();
    for name in names {
        let text = std::fs::read_to_string(&name)?;
        let mut rest = text.as_str();
        while let Some(start) = rest.find("/*") {
            css.push_str(&rest[..start]);
            let end = rest[start..]
                .find("*/")
                .map_or(rest.len(), |e| start + e + 2);
            rest = &rest[end..];
        }
        css.push_str(rest);
    }
    let lines: Vec<&str> = css
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Ok(lines.join("\n").into_bytes())
}

/// Writes the bundle with `.br` and `.gz` twins, touching only files whose content changed (so
/// the server is not rebuilt for nothing), and removes what an older build left behind.
fn write_dist(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut keep = std::collections::BTreeSet::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        let br = brotli_bytes(bytes)?;
        let gz = gzip_bytes(bytes)?;
        for (p, content) in [
            (path.clone(), bytes.as_slice()),
            (
                PathBuf::from(format!("{}.br", path.display())),
                br.as_slice(),
            ),
            (
                PathBuf::from(format!("{}.gz", path.display())),
                gz.as_slice(),
            ),
        ] {
            if std::fs::read(&p).ok().as_deref() != Some(content) {
                std::fs::create_dir_all(p.parent().expect("file in a folder"))?;
                std::fs::write(&p, content)?;
            }
            keep.insert(p);
        }
    }
    remove_stale(dir, &keep)?;
    Ok(())
}

fn remove_stale(dir: &Path, keep: &std::collections::BTreeSet<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(&path, keep)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        } else if !keep.contains(&path) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

pub fn brotli_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out)
}

pub fn gzip_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes)?;
    Ok(w.finish()?)
}

/// Prints the size of every file a first visit loads: raw, gzip, brotli.
fn report(dir: &Path, build: &str) -> anyhow::Result<()> {
    let mut totals = (0usize, 0usize, 0usize);
    println!("\nFirst load of the app (build {build}):");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for name in FIRST_LOAD {
        let path = if name == "index.html" {
            dir.join(name)
        } else {
            dir.join("assets").join(build).join(name)
        };
        let raw = std::fs::metadata(&path)?.len() as usize;
        let gz = std::fs::metadata(format!("{}.gz", path.display()))?.len() as usize;
        let br = std::fs::metadata(format!("{}.br", path.display()))?.len() as usize;
        totals = (totals.0 + raw, totals.1 + gz, totals.2 + br);
        println!("{name:<28} {:>10} {:>10} {:>10}", kb(raw), kb(gz), kb(br));
    }
    println!(
        "{:<28} {:>10} {:>10} {:>10}\n",
        "total",
        kb(totals.0),
        kb(totals.1),
        kb(totals.2)
    );
    Ok(())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
