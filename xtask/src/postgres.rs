//! A PostgreSQL server of the tests' own: Debian's `postgresql` package (installed when
//! missing), a cluster made in a temporary folder, listening on a free port of 127.0.0.1 only,
//! stopped and removed when the tests are done.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::tools::{apt_install, is_root, run_cmd};

/// A running cluster; stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    /// An address on which the tests may create databases.
    pub url: String,
}

impl Postgres {
    pub fn start() -> anyhow::Result<Postgres> {
        let bin = ensure_installed()?;
        let dir = std::env::temp_dir().join(format!("nastavnik-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        // From here on, dropping it stops whatever started and removes the folder.
        let mut cluster = Postgres {
            bin,
            dir,
            url: String::new(),
        };
        let (bin, dir) = (cluster.bin.clone(), cluster.dir.clone());
        if is_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to its own user.
            run_cmd(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let data = dir.join("data");
        run_cmd(
            as_postgres(&bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
                .arg("--no-sync"),
        )
        .context("initdb failed")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        // The tests' data is thrown away: durability settings off for speed.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            dir.display()
        );
        run_cmd(
            as_postgres(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("log"))
                .args(["-o", &options, "-w", "start"]),
        )
        .with_context(|| {
            format!(
                "PostgreSQL did not start; see {}",
                dir.join("log").display()
            )
        })?;
        eprintln!("xtask: PostgreSQL for the tests on 127.0.0.1:{port}");
        cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        Ok(cluster)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"])
            .arg(program)
            .current_dir("/");
        cmd
    } else {
        Command::new(program)
    }
}

/// The folder of the newest installed PostgreSQL's programs, installing Debian's package when
/// there is none.
fn ensure_installed() -> anyhow::Result<PathBuf> {
    if let Some(bin) = newest() {
        return Ok(bin);
    }
    apt_install(
        "the tests on PostgreSQL need its server",
        &["postgresql"],
        || newest().is_some(),
    )?;
    newest().context("postgresql is installed but its programs were not found")
}

fn newest() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
