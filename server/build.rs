//! Embeds the app bundle (`cargo xtask dist` writes it to `target/dist`, or to the folder named by
//! `NASTAVNIK_DIST`) into the binary, with its precompressed `.br` and `.gz` twins, so the server
//! is one file to deploy.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=NASTAVNIK_DIST");
    let dist = std::env::var_os("NASTAVNIK_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("dist")
        });
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files = Vec::new();
    if dist.is_dir() {
        collect(&dist, &mut files);
    }
    files.sort();

    let mut out = String::from("pub static ASSETS: &[Asset] = &[\n");
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let rel = file.strip_prefix(&dist).expect("inside dist");
        let url = format!(
            "/{}",
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        );
        let twin = |ext: &str| {
            let p = PathBuf::from(format!("{}.{ext}", file.display()));
            if p.is_file() {
                format!("Some(include_bytes!({:?}))", p.display().to_string())
            } else {
                "None".to_owned()
            }
        };
        let _ = writeln!(
            out,
            "    Asset {{ path: {url:?}, raw: include_bytes!({:?}), br: {}, gzip: {} }},",
            file.display().to_string(),
            twin("br"),
            twin("gz"),
        );
    }
    out.push_str("];\n");
    let out_path = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    std::fs::write(out_path, out).expect("write assets.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
