//! Helpers: paths, running cargo, and installing what the build and the tests need.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The target directory (honours `CARGO_TARGET_DIR` and the cargo config).
pub fn target_dir() -> anyhow::Result<PathBuf> {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata has no target_directory")
}

/// The cargo that runs this xtask.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

pub fn run_cmd(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{:?} failed ({status})", cmd.get_program());
    }
    Ok(())
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The wasm32 target of the toolchain (installed with rustup when missing).
pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown") => Ok(()),
        Ok(_) => {
            eprintln!("xtask: installing the wasm32-unknown-unknown target");
            run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        }
        Err(_) => {
            // No rustup: the toolchain may still have the target (e.g. a distribution's rustc).
            Ok(())
        }
    }
}

/// cargo-fuzz (from crates.io) for `cargo xtask fuzz`.
pub fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let installed = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz");
    run_cmd(cargo().args(["install", "--locked", "cargo-fuzz"]))
}

/// Debian's Chromium and ChromeDriver for the browser tests.
pub fn ensure_browser() -> anyhow::Result<()> {
    if have("chromium") && have("chromedriver") {
        return Ok(());
    }
    apt_install(
        "the browser tests need Chromium and ChromeDriver",
        &["chromium", "chromium-driver"],
        || have("chromium") && have("chromedriver"),
    )
}

/// Installs Debian's `packages` (as root; otherwise says which command to run), trying again
/// after `apt-get update` when the package lists are stale. `present` tells whether what is
/// needed is there (a package's own post-install step may fail where no service can start, with
/// its programs in place all the same).
pub fn apt_install(why: &str, packages: &[&str], present: impl Fn() -> bool) -> anyhow::Result<()> {
    let list = packages.join(" ");
    if !is_root() {
        bail!(
            "{why}; install them with\n    sudo apt-get install -y {list}\n\
             and run the command again"
        );
    }
    eprintln!("xtask: installing {list} (Debian packages)");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() && !present() {
        run_cmd(Command::new("apt-get").arg("update"))?;
        if !install() && !present() {
            bail!("apt-get could not install {list}");
        }
    }
    Ok(())
}

/// The version of binaryen's `wasm-opt` the bundle is optimised with (the npm package
/// `binaryen`: the tool compiled to WebAssembly, run by Node.js, so nothing is downloaded
/// from outside the npm registry).
const BINARYEN: &str = "132.0.0";

/// The pinned `wasm-opt` (installed with npm into the target folder when missing, with
/// Debian's Node.js when there is none): the script to run with `node`.
pub fn wasm_opt() -> anyhow::Result<PathBuf> {
    if !(have("node") && have("npm")) {
        apt_install(
            "the app's build needs Node.js and npm",
            &["nodejs", "npm"],
            || have("node") && have("npm"),
        )?;
    }
    let dir = target_dir()?.join("binaryen");
    let package = dir.join("node_modules/binaryen");
    let script = package.join("bin/wasm-opt");
    // (An install cut short leaves the package's description without its files.)
    let installed = script.is_file()
        && std::fs::read_to_string(package.join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|p| p["version"] == BINARYEN);
    if !installed {
        eprintln!("xtask: installing wasm-opt (npm package binaryen@{BINARYEN})");
        std::fs::create_dir_all(&dir)?;
        run_cmd(
            Command::new("npm")
                .args([
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                ])
                .arg(&dir)
                .arg(format!("binaryen@{BINARYEN}")),
        )?;
    }
    Ok(script)
}
