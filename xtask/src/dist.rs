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
    // Built with the whole workspace's features, as `cargo xtask test` builds it, so that
    // `cargo xtask run` after the tests finds the binary fresh instead of compiling it again.
    tools::run_cmd(
        tools::cargo()
            .args(["build", "--release", "--workspace", "--bin", "nastavnik"])
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
    std::fs::create_dir_all(&staging)?;
    // The lazy routes' code goes into chunks of their own (`chunk_*.wasm` and the loader
    // `split.js`, fetched relative to itself, so from the same hashed folder); the rest is the
    // main module that wasm-bindgen binds.
    let main_wasm = target.join("wasm32-unknown-unknown/wasm-release/app_main.wasm");
    let input = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &staging;
        opts.main_out_path = &main_wasm;
        opts.main_module = "./app.js";
        opts.link_name = "./split.js";
        opts
    })
    .map_err(|e| anyhow::anyhow!("splitting the wasm: {e:#}"))?;
    for chunk in &split.split_modules {
        let bytes = std::fs::read(chunk)?;
        std::fs::write(chunk, strip_custom_sections(&bytes)?)?;
    }
    // In a fixed order: the same code gives the same bundle and build hash, so a rebuild
    // neither offers computers a new version nor makes the server compile again.
    let prefetch: std::collections::BTreeMap<_, _> = split.prefetch_map.iter().collect();
    std::fs::write(staging.join("chunks.json"), serde_json::to_vec(&prefetch)?)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_wasm)
        .web(true)?
        .out_name("app")
        .typescript(false)
        .keep_lld_exports(true)
        .demangle(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&staging)
        .context("wasm-bindgen")?;
    optimise(&staging)?;

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
    // The modules app.js imports are asked for with it, not one round trip after it.
    let preloads: String = files
        .iter()
        .map(|(name, _)| name)
        .filter(|name| {
            name.ends_with(".js") && !name.ends_with("/app.js") && !name.ends_with("/boot.js")
        })
        .map(|name| format!("<link rel=\"modulepreload\" href=\"/{name}\">\n"))
        .collect();
    let index = std::fs::read_to_string(web.join("index.html"))?
        .replace("{{PRELOADS}}\n", &preloads)
        .replace("{{BUILD}}", &build);
    files.push(("index.html".into(), index.into_bytes()));
    files.push((
        "manifest.webmanifest".into(),
        std::fs::read(web.join("manifest.webmanifest"))?,
    ));
    files.push(("icon.svg".into(), std::fs::read(web.join("icon.svg"))?));
    // The service worker precaches the shell at install; the chunks of lazy pages are kept
    // when the app fetches them (all those of the person's role, right after sign-in).
    let mut shell: Vec<String> = vec!["/".into()];
    shell.extend(
        files
            .iter()
            .filter(|(name, _)| name != "index.html" && !is_chunk(name))
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

/// Runs binaryen's `wasm-opt -Os` over every wasm module of the staged bundle (the main module
/// after wasm-bindgen, and the chunks): 3 % fewer brotli bytes in all (950 → 922 KB when it came
/// in), and `-Os` compresses better than `-Oz` here. It keeps every import and export, which the
/// glue and the chunks' loader find each other by. Two at a time, one per core.
fn optimise(staging: &Path) -> anyhow::Result<()> {
    let modules: Vec<PathBuf> = std::fs::read_dir(staging)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    let wasm_opt = tools::wasm_opt()?;
    eprintln!(
        "xtask: optimising {} wasm modules (wasm-opt -Os)",
        modules.len()
    );
    let next = std::sync::Mutex::new(modules.iter());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let Some(path) = next.lock().unwrap_or_else(|e| e.into_inner()).next()
                        else {
                            return Ok(());
                        };
                        tools::run_cmd(
                            std::process::Command::new("node")
                                .arg(&wasm_opt)
                                .arg("-Os")
                                // What rustc's wasm32 target enables (wasm-opt refuses a
                                // module that uses one more, so a new one cannot slip by).
                                .args([
                                    "--enable-bulk-memory",
                                    "--enable-multivalue",
                                    "--enable-mutable-globals",
                                    "--enable-nontrapping-float-to-int",
                                    "--enable-reference-types",
                                    "--enable-sign-ext",
                                    "--strip-debug",
                                    "--strip-producers",
                                    "--strip-target-features",
                                ])
                                .arg(path)
                                .arg("-o")
                                .arg(path),
                        )
                        .with_context(|| format!("optimising {}", path.display()))?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| anyhow::bail!("wasm-opt thread panicked"))
        })
    })
}

/// The wasm module without its custom sections other than `target_features` (function names
/// and producers, which the splitter leaves in the chunks and no browser needs).
fn strip_custom_sections(wasm: &[u8]) -> anyhow::Result<Vec<u8>> {
    fn leb(bytes: &[u8], at: &mut usize) -> anyhow::Result<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *bytes.get(*at).context("truncated wasm")?;
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte < 0x80 {
                return Ok(value);
            }
        }
    }
    anyhow::ensure!(
        wasm.len() >= 8 && wasm.starts_with(b"\0asm"),
        "not a wasm module"
    );
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        let body = at;
        at += size;
        anyhow::ensure!(at <= wasm.len(), "truncated wasm section");
        if id == 0 {
            let mut name_at = body;
            let len = leb(wasm, &mut name_at)?;
            if wasm.get(name_at..name_at + len) != Some(b"target_features".as_slice()) {
                continue;
            }
        }
        out.extend_from_slice(&wasm[start..at]);
    }
    Ok(out)
}

/// A wasm chunk of lazily loaded pages (`split_<area>.wasm`, or `chunk_<n>.wasm` with code
/// several areas share), or the map of which chunks each area needs.
fn is_chunk(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    (file.ends_with(".wasm") && file != "app_bg.wasm") || file == "chunks.json"
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

/// Prints the size of every file a first visit loads, then of every chunk of lazily loaded
/// pages with the areas that need it: raw, gzip, brotli.
fn report(dir: &Path, build: &str) -> anyhow::Result<()> {
    let assets = dir.join("assets").join(build);
    let sizes = |path: &Path| -> anyhow::Result<[usize; 3]> {
        let len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len() as usize);
        Ok([
            len(path.to_path_buf())?,
            len(PathBuf::from(format!("{}.gz", path.display())))?,
            len(PathBuf::from(format!("{}.br", path.display())))?,
        ])
    };
    let row = |name: &str, [raw, gz, br]: [usize; 3]| {
        println!("{name:<28} {:>10} {:>10} {:>10}", kb(raw), kb(gz), kb(br));
    };
    let add = |a: [usize; 3], b: [usize; 3]| [a[0] + b[0], a[1] + b[1], a[2] + b[2]];

    println!("\nFirst load of the app (build {build}):");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut first = [0; 3];
    for name in FIRST_LOAD {
        let path = if name == "index.html" {
            dir.join(name)
        } else {
            assets.join(name)
        };
        let size = sizes(&path)?;
        first = add(first, size);
        row(name, size);
    }
    row("total", first);

    // Which areas (split points) need each chunk, from the splitter's map.
    let map: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&std::fs::read(assets.join("chunks.json"))?)?;
    let mut users: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for (area, files) in &map {
        for file in files {
            users.entry(file.clone()).or_default().push(area);
        }
    }
    println!("\nChunks of lazily loaded pages (fetched when first needed):");
    let mut chunks = [0; 3];
    for (file, areas) in &users {
        let size = sizes(&assets.join(format!("{file}.wasm")))?;
        chunks = add(chunks, size);
        let mut areas = areas.clone();
        areas.dedup();
        row(&format!("{file}.wasm"), size);
        println!("{:<28} used by: {}", "", areas.join(", "));
    }
    row("total of chunks", chunks);
    row("everything", add(first, chunks));
    println!();
    Ok(())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
