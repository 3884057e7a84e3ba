//! `cargo xtask <command>`: the whole build with no hand steps.
//!
//! - `run`  — build the bundle and the release server, then serve on http://127.0.0.1:8080
//!   with `./data/nastavnik.db` (demo municipality loaded on first start);
//! - `test` — every test, the browser ones included (installs Chromium when missing);
//! - `dist` — the bundle into `target/dist/` and the release binary;
//! - `bench` — bundle sizes, sync figures (requests, bytes, time, throughput, memory) and the
//!   first load in headless Chromium on an emulated 2G link;
//! - `fuzz <target> [seconds]` — a coverage-guided fuzz target of `fuzz/` (cargo-fuzz).

mod dist;
mod postgres;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("dist") => dist::dist().map(|_| ()),
        Some("bench") => bench(),
        Some("fuzz") => fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 run    build everything and serve http://127.0.0.1:8080 with demo data\n  \
                 test   run every test of the project, browser tests included\n  \
                 dist   build the app bundle (target/dist) and the release server\n  \
                 bench  bundle sizes and sync figures against the release server\n  \
                 fuzz   fuzz <target> [seconds]: sync_plan or template_parse, 600 s by default"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Builds and serves. Extra arguments go to `nastavnik serve` (e.g. `--addr 0.0.0.0:8080`).
fn run(extra: &[String]) -> anyhow::Result<()> {
    let server = dist::dist()?;
    let root = tools::workspace_root();
    std::fs::create_dir_all(root.join("data"))?;
    let mut cmd = std::process::Command::new(&server);
    cmd.current_dir(&root)
        .args(["serve", "--demo", "--db", "sqlite://data/nastavnik.db"])
        .args(extra);
    tools::run_cmd(&mut cmd)
}

/// Bundle sizes (printed by the build) and the sync figures.
fn bench() -> anyhow::Result<()> {
    let server = dist::dist()?;
    let mut cmd = tools::cargo();
    cmd.args(["run", "--release", "--quiet", "--package", "bench", "--"])
        .arg(&server);
    tools::run_cmd(&mut cmd)?;
    // The server's figures again on PostgreSQL.
    let postgres = postgres::Postgres::start()?;
    println!("On PostgreSQL:");
    let mut cmd = tools::cargo();
    cmd.args(["run", "--release", "--quiet", "--package", "bench", "--"])
        .arg(&server)
        .args(["--only", "throughput"])
        .env("NASTAVNIK_TEST_POSTGRES", &postgres.url);
    tools::run_cmd(&mut cmd)
}

fn test(extra: &[String]) -> anyhow::Result<()> {
    tools::ensure_browser()?;
    let dist_dir = dist::bundle()?;
    // The workspace test build also builds the `nastavnik` binary (the server package has
    // integration tests), with the same features, so the server is compiled once.
    let mut cmd = tools::cargo();
    cmd.args(["test", "--release", "--workspace"])
        .args(extra)
        .env("NASTAVNIK_BIN", dist::server_binary()?)
        .env("NASTAVNIK_DIST", &dist_dir);
    let on_sqlite = tools::run_cmd(&mut cmd);

    // The same again on PostgreSQL: every integration test of the server and the end-to-end
    // tests of sync, review and trust (and those sharing a name with a server test), each on a
    // database of its own in a cluster started for them. `--workspace` keeps the features the
    // build above used, so nothing is compiled again.
    let on_postgres = (|| {
        let postgres = postgres::Postgres::start()?;
        let mut cmd = tools::cargo();
        cmd.args(["test", "--release", "--workspace"]);
        for entry in std::fs::read_dir(tools::workspace_root().join("server/tests"))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(test) = name.strip_suffix(".rs") {
                cmd.args(["--test", test]);
            }
        }
        cmd.args(["--test", "review"])
            .args(extra)
            .env("NASTAVNIK_BIN", dist::server_binary()?)
            .env("NASTAVNIK_DIST", &dist_dir)
            .env("NASTAVNIK_TEST_POSTGRES", &postgres.url);
        eprintln!("xtask: the tests again, on PostgreSQL");
        tools::run_cmd(&mut cmd)
    })();
    on_sqlite.and(on_postgres)
}

/// The fuzz targets of `fuzz/` and the folders of seeds each starts from besides its own
/// corpus (which the run grows).
const FUZZ_TARGETS: &[(&str, &[&str])] = &[("sync_plan", &[]), ("template_parse", &["templates"])];

/// Runs one fuzz target for a while (`cargo xtask fuzz <target> [seconds]`, 600 by default),
/// installing cargo-fuzz when it is missing. A crash stops the run with an error; its input is
/// left in `fuzz/artifacts/<target>/`.
fn fuzz(args: &[String]) -> anyhow::Result<()> {
    let names: Vec<&str> = FUZZ_TARGETS.iter().map(|(n, _)| *n).collect();
    let Some((target, seeds)) = args
        .first()
        .and_then(|t| FUZZ_TARGETS.iter().find(|(n, _)| n == t))
    else {
        anyhow::bail!("usage: cargo xtask fuzz <{}> [seconds]", names.join("|"));
    };
    let seconds: u64 = match args.get(1) {
        Some(s) => s
            .parse()
            .map_err(|_| anyhow::anyhow!("seconds must be a number, not {s:?}"))?,
        None => 600,
    };
    tools::ensure_cargo_fuzz()?;
    let root = tools::workspace_root();
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let mut cmd = tools::cargo();
    // No sanitizer: the code is safe Rust (`unsafe_code = "forbid"`), so AddressSanitizer would
    // find nothing more while slowing every run, and it needs `-Zsanitizer`, which stable takes
    // only with RUSTC_BOOTSTRAP=1. Without it cargo-fuzz passes only stable `-C` flags (coverage
    // passes, debug assertions, overflow checks), so the stable toolchain builds the targets.
    cmd.args([
        "fuzz",
        "run",
        "--fuzz-dir",
        "fuzz",
        "--sanitizer",
        "none",
        target,
    ])
    .arg(&corpus)
    .args(seeds.iter().map(|s| root.join(s)))
    .arg("--")
    .arg(format!("-max_total_time={seconds}"))
    .arg("-print_final_stats=1");
    let dict = root.join("fuzz/dict").join(format!("{target}.dict"));
    if dict.exists() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    tools::run_cmd(&mut cmd)
}
