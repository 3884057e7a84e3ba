//! Backup and restore of the SQLite database, and the epoch of either database (PostgreSQL's
//! backup and restore are in `pg_dump.rs`).
//!
//! `nastavnik backup FILE` writes a consistent copy while the server runs (`VACUUM INTO`).
//! `nastavnik restore FILE` puts a copy in the database's place while no server uses it (a
//! server holds [`ServingLock`]), keeps the database it replaces beside it, and gives the
//! restored database a new **epoch**. Every sync answer carries the epoch: a device that sees
//! a new one sends again every write of its own it still holds (the copy may lack the ones made
//! after it) and receives everything from the start, because its cursor points into a log the
//! copy does not have (`model::sync::client::resend`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::AnyPool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::Db;

/// The epoch of the database, made on first use.
pub(super) async fn epoch(pool: &AnyPool) -> anyhow::Result<String> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ('epoch', $1) ON CONFLICT DO NOTHING",
    )
    .bind(new_epoch())
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = 'epoch'")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) fn new_epoch() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates the new file `path` for a copy, readable by its owner only (a copy holds the
/// server's secrets); an existing file is never overwritten.
pub(super) fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            anyhow::anyhow!("файл {} уже есть: укажите новый файл", path.display())
        }
        _ => anyhow::anyhow!("не удалось создать {}: {e}", path.display()),
    })?;
    Ok(())
}

/// The database file an address names (an SQLite address only).
fn database_file(url: &str) -> anyhow::Result<PathBuf> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("Неверный адрес базы данных «{url}»"))?;
    Ok(options.get_filename().to_path_buf())
}

/// Held by a running server for as long as it serves (and by the other commands that open the
/// database): `restore` refuses while anybody holds it (several may hold it at once).
pub struct ServingLock {
    _file: Option<std::fs::File>,
}

/// The lock file, opened for reading (a lock needs no more, so a file created by the
/// administrator's `restore` still opens for the service's own user), created when missing.
fn open_lock(path: &Path) -> anyhow::Result<std::fs::File> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut options = std::fs::OpenOptions::new();
            options.create(true).truncate(false).write(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
            options
                .open(path)
                .with_context(|| format!("не удалось создать {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("не удалось открыть {}", path.display())),
    }
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".serving");
    PathBuf::from(name)
}

impl ServingLock {
    pub fn take(url: &str) -> anyhow::Result<ServingLock> {
        // PostgreSQL is restored with its own tools, and several servers share it.
        if url.contains(":memory:")
            || url.contains("mode=memory")
            || super::Dialect::of_url(url) == Some(super::Dialect::Postgres)
        {
            return Ok(ServingLock { _file: None });
        }
        let file = open_lock(&lock_path(&database_file(url)?))?;
        file.try_lock_shared().map_err(|_| {
            anyhow::anyhow!(
                "база данных восстанавливается из копии: запустите сервер, когда это закончится"
            )
        })?;
        Ok(ServingLock { _file: Some(file) })
    }
}

/// What `restore` did.
pub struct Restored {
    /// Where the database it replaced now lies (`None`: there was none).
    pub previous: Option<PathBuf>,
    pub epoch: String,
}

impl Db {
    /// A consistent copy of the database at `url` into a new file `path`, taken while the
    /// server runs (`VACUUM INTO`: one read transaction, so no half-written change is in it).
    /// The database is opened as it is — never created, migrated or filled — and the copy is
    /// readable by its owner only (it holds the server's secrets).
    pub async fn backup(url: &str, path: &Path) -> anyhow::Result<()> {
        if super::Dialect::of_url(url) == Some(super::Dialect::Postgres) {
            return super::pg_dump::backup(url, path).await;
        }
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("Неверный адрес базы данных «{url}»"))?
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(10));
        let source = options.get_filename().to_path_buf();
        if !source.is_file() {
            anyhow::bail!("базы данных {} нет: проверьте --db", source.display());
        }
        let target = path
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("путь к файлу копии — не текст"))?;
        create_private(path)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .with_context(|| format!("Не удалось открыть базу данных «{url}»"))?;
        let copied = sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&pool)
            .await;
        pool.close().await;
        if let Err(e) = copied {
            let _ = std::fs::remove_file(path);
            return Err(e)
                .with_context(|| format!("не удалось записать копию в {}", path.display()));
        }
        Ok(())
    }

    /// Puts the copy `from` (made by [`Db::backup`]) in the place of the database at `url`
    /// with a new epoch. Refused while a server uses the database, or when `from` is not a
    /// sound copy of this application's database; the replaced database is kept beside it
    /// (its write-ahead log folded in) as `….before-restore-<day>-<ms>`. On any error before
    /// the last rename, nothing has changed and the prepared file is gone.
    pub async fn restore(url: &str, from: &Path) -> anyhow::Result<Restored> {
        if super::Dialect::of_url(url) == Some(super::Dialect::Postgres) {
            return super::pg_dump::restore(url, from).await;
        }
        let target = database_file(url)?;
        if !from.is_file() {
            anyhow::bail!("файла копии {} нет", from.display());
        }
        check_copy(from).await?;
        // No server may use the database while it is replaced.
        let lock_file = open_lock(&lock_path(&target))?;
        lock_file.try_lock().map_err(|_| {
            anyhow::anyhow!(
                "сервер работает с базой {}: остановите его и повторите; ничего не изменено",
                target.display()
            )
        })?;

        // The copy is prepared beside the database, then moved in with one rename.
        let staging = with_suffix(&target, ".restoring");
        let _ = std::fs::remove_file(&staging);
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let staged = Staged(staging.clone());
        std::fs::copy(from, &staging)
            .with_context(|| format!("не удалось скопировать {}", from.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))?;
            // The restored database belongs to whoever owned the one it replaces (or the
            // folder), not to the administrator who ran the command: the service opens it.
            let owner = std::fs::metadata(&target).or_else(|_| {
                std::fs::metadata(
                    target
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(Path::new(".")),
                )
            })?;
            std::os::unix::fs::chown(&staging, Some(owner.uid()), Some(owner.gid())).with_context(
                || {
                    format!(
                        "не удалось передать копию владельцу базы {}; запустите команду от его \
                         имени; ничего не изменено",
                        target.display()
                    )
                },
            )?;
        }
        let epoch = new_epoch();
        let prepared = async {
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(
                    SqliteConnectOptions::new()
                        .filename(&staging)
                        .journal_mode(SqliteJournalMode::Delete)
                        .busy_timeout(Duration::from_secs(10)),
                )
                .await?;
            // A copy made by an older version catches up with this one.
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            sqlx::query(
                "INSERT INTO server_secrets (name, value) VALUES ('epoch', ?) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(&epoch)
            .execute(&pool)
            .await?;
            pool.close().await;
            anyhow::Ok(())
        }
        .await;
        prepared.context("не удалось подготовить копию; ничего не изменено")?;
        std::fs::File::open(&staging)?.sync_all()?;

        // The database being replaced keeps everything in its main file (its write-ahead log
        // folded in), is linked aside, and the copy takes its place with one rename: at no
        // moment is there no database, and a crash leaves either the old one or the new one.
        let previous = if target.exists() {
            fold_log(&target)
                .await
                .context("не удалось закрыть журнал базы; ничего не изменено")?;
            let stamp = super::now_ms() as u64;
            let aside = with_suffix(
                &target,
                &format!(
                    ".before-restore-{}-{stamp}",
                    model::forms::answer::iso_day(stamp)
                ),
            );
            std::fs::hard_link(&target, &aside)
                .or_else(|_| std::fs::copy(&target, &aside).map(|_| ()))
                .with_context(|| format!("не удалось сохранить базу как {}", aside.display()))?;
            Some(aside)
        } else {
            None
        };
        // A log left without its database would be replayed onto the copy.
        for part in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&target, part));
        }
        std::fs::rename(&staging, &target)?;
        std::mem::forget(staged);
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        drop(lock_file);
        Ok(Restored { previous, epoch })
    }
}

/// Folds the write-ahead log of the database at `path` into its main file and leaves it in
/// rollback-journal mode, so the main file alone holds everything.
async fn fold_log(path: &Path) -> anyhow::Result<()> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false)
                .busy_timeout(Duration::from_secs(10)),
        )
        .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

/// The copy being prepared beside the database: removed unless it was moved in.
struct Staged(PathBuf);

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `from` opens as an SQLite database, is intact, and is this application's.
async fn check_copy(from: &Path) -> anyhow::Result<()> {
    let not_a_copy = || {
        anyhow::anyhow!(
            "{} — не копия базы Наставника (её делает nastavnik backup); ничего не изменено",
            from.display()
        )
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(from)
                .read_only(true)
                .create_if_missing(false),
        )
        .await
        .map_err(|_| not_a_copy())?;
    let checked: Result<(String, i64), sqlx::Error> = async {
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&pool)
            .await?;
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
             AND name IN ('_sqlx_migrations', 'server_secrets', 'records', 'changes', 'users')",
        )
        .fetch_one(&pool)
        .await?;
        Ok((check, tables))
    }
    .await;
    pool.close().await;
    match checked {
        Ok((check, 5)) if check == "ok" => Ok(()),
        Ok((check, 5)) => anyhow::bail!(
            "копия {} повреждена ({check}); ничего не изменено",
            from.display()
        ),
        _ => Err(not_a_copy()),
    }
}
