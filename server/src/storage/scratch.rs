//! Storage for the tests and the bench, never used by the server itself: each test gets a new,
//! empty database, an SQLite file or, when [`TEST_POSTGRES`] names a PostgreSQL server (as
//! `cargo xtask test` does on its second pass), a database of its own there; and a test that
//! must see a disk fill up gets a [`SmallDisk`] of its own.

use std::path::Path;

use anyhow::Context;
use sqlx::Connection;
use uuid::Uuid;

/// The variable naming a PostgreSQL server (an address with a user that may create databases)
/// on which the tests make their databases; without it they use SQLite files.
pub const TEST_POSTGRES: &str = "NASTAVNIK_TEST_POSTGRES";

/// The address of a new, empty database for a test: on the PostgreSQL server [`TEST_POSTGRES`]
/// names (a database of its own), otherwise an SQLite file in `dir`.
pub async fn scratch_database(dir: &Path) -> anyhow::Result<String> {
    let Ok(server) = std::env::var(TEST_POSTGRES) else {
        return Ok(format!("sqlite://{}", dir.join("t.db").display()));
    };
    let name = format!("t_{}", Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .with_context(|| format!("PostgreSQL для тестов недоступен: {server}"))?;
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await?;
    admin.close().await?;
    let (base, _) = server
        .rsplit_once('/')
        .context("адрес PostgreSQL без имени базы")?;
    Ok(format!("{base}/{name}"))
}

/// A real disk of a few MiB for a test that must see one fill up: a `tmpfs` mounted in a mount
/// namespace of its own, held by a sleeping process, so that nothing stays mounted when the
/// test dies. Programs run inside the namespace ([`SmallDisk::command`]) see it at
/// [`SmallDisk::inside`]; the test reaches it from outside through the holder's
/// `/proc/<pid>/root` ([`SmallDisk::outside`]), where it fills it and empties it again.
///
/// Mounting needs root, or user namespaces (then the namespace is one of the user's own).
pub struct SmallDisk {
    holder: std::process::Child,
    root: bool,
    inside: std::path::PathBuf,
    outside: std::path::PathBuf,
}

impl SmallDisk {
    /// A disk of `size` (as `mount -o size=`, e.g. `4m`) mounted on the empty folder `at`.
    pub fn mount(at: &Path, size: &str) -> anyhow::Result<SmallDisk> {
        use std::io::BufRead;
        let script = format!(
            "mount -t tmpfs -o size={size} tmpfs '{}' && echo mounted && exec sleep 3600",
            at.display()
        );
        let root = std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
            .unwrap_or(false);
        let mut cmd = std::process::Command::new("unshare");
        if !root {
            cmd.args(["--user", "--map-root-user"]);
        }
        let mut holder = cmd
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("unshare (util-linux) did not start")?;
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.take().context("no output")?).read_line(&mut line)?;
        let disk = SmallDisk {
            outside: Path::new(&format!("/proc/{}/root", holder.id()))
                .join(at.strip_prefix("/").unwrap_or(at)),
            holder,
            root,
            inside: at.to_owned(),
        };
        anyhow::ensure!(
            line.trim() == "mounted",
            "the small disk could not be mounted"
        );
        Ok(disk)
    }

    /// Where programs run by [`SmallDisk::command`] find the disk.
    pub fn inside(&self) -> &Path {
        &self.inside
    }

    /// The disk as the test sees it, from outside its namespace.
    pub fn outside(&self) -> &Path {
        &self.outside
    }

    /// `program`, to be run inside the disk's namespace (`nsenter` becomes it).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new("nsenter");
        cmd.args(["--target", &self.holder.id().to_string()]);
        if !self.root {
            cmd.args(["--user", "--preserve-credentials"]);
        }
        cmd.args(["--mount", "--"]).arg(program);
        cmd
    }

    /// Fills what is left of the disk with a file of the test's own.
    pub fn fill(&self) -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(self.filler())?;
        for block in [16 * 1024, 512, 1] {
            let bytes = vec![7u8; block];
            loop {
                match file.write(&bytes) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Frees what [`SmallDisk::fill`] took.
    pub fn empty(&self) -> std::io::Result<()> {
        std::fs::remove_file(self.filler())
    }

    fn filler(&self) -> std::path::PathBuf {
        self.outside.join("filler of the test")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}
