//! All database access of the server, on SQLite (an embedded file, WAL mode) or PostgreSQL
//! (`dialect.rs` says what differs). No SQL lives outside this folder. Accounts are in this
//! file, sync in `sync.rs`, forms in `forms.rs`, files in `files.rs`, backup in `backup.rs`.

mod backup;
mod checkpoint;
mod dialect;
mod files;
mod forms;
mod pg_dump;
mod scratch;
mod sync;

pub use backup::{Restored, ServingLock};
pub use dialect::{Dialect, caused_by_full_disk};
pub use files::{ChunkError, MAX_UNFINISHED_PER_PERSON, PROOF_THROTTLE, Proof, StoredFile};
pub use forms::{InstallError, Installed, write_server_changes};
pub use pg_dump::shown as shown_address;
pub use scratch::{SmallDisk, TEST_POSTGRES, scratch_database};
pub use sync::ChangePage;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use model::api::{Specialist, UserSummary};
use model::{Locality, NewSchool, NewUser, Role, School, UserProfile};
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection, Row};

use uuid::Uuid;

/// Unix time in milliseconds.
const SCHOOL_SELECT: &str = "SELECT id, name, municipality, locality, low_results, \
                             hard_conditions, mentor_school FROM schools";

/// A day in milliseconds.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    /// Templates read so far (immutable once stored) and the clock of the server's writes.
    forms: std::sync::Arc<crate::forms::FormsState>,
    anonymity: std::sync::Arc<crate::anonymity::Anonymity>,
    /// Changes when the database is restored from a copy (see `backup.rs`).
    epoch: std::sync::Arc<str>,
    /// Where this server's writing transactions wait for their turn.
    turns: dialect::Turns,
    /// Pushes waiting to be written together.
    pushes: std::sync::Arc<sync::PushQueue>,
    /// How many records of a counted kind one person may make in a day (see
    /// [`Db::with_records_per_day`]).
    records_per_day: u32,
    /// How many bytes one person's changes may add to the log in a day (see
    /// [`Db::with_bytes_per_day`]).
    bytes_per_day: u64,
    /// SQLite's log copied into the database file after the syncs' commits, not in them.
    checkpoints: std::sync::Arc<checkpoint::Checkpoints>,
    /// Proofs of holding a file checked at once (each reads a whole file on a connection of
    /// the pool); the others wait (see [`files::PROOFS_AT_ONCE`]).
    proofs: std::sync::Arc<tokio::sync::Semaphore>,
}

/// What a write refused besides a failure of the database itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row it names is not there.
    #[error("not found")]
    NotFound,
    /// It would repeat what must be unique (a school's name in its municipality).
    #[error("already there")]
    Conflict,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    fn from_write(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::RowNotFound => StoreError::NotFound,
            _ => StoreError::Db(e),
        }
    }
}

/// A stored user with the password hash, for checking a login.
pub struct Credentials {
    pub profile: UserProfile,
    pub password_hash: String,
    pub disabled: bool,
}

/// A session found by its token hash.
pub struct SessionRow {
    pub profile: UserProfile,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// The account was disabled: the session only says so (once) and is deleted.
    pub disabled: bool,
}

/// What counting a password attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptCount {
    /// Counted for the login and the address; the password may be checked.
    Counted,
    /// The login or the address must wait until then (ms); nothing was counted.
    Locked { until: i64 },
}

/// What an attempt is counted for (a password, or a proof of holding a file): a row of
/// `login_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter<'a> {
    /// The login name typed, from a computer not known to that account.
    Login(&'a str),
    /// The client address ([`crate::auth::ClientAddr::key`]).
    Address(&'a str),
    /// The hash of a sign-in key the account gave a computer before.
    Computer(&'a str),
    /// The hash of the token of the session that asks (a password change).
    Session(&'a str),
    /// The account (its id) that sends a proof of holding a file (`routes::files`).
    FileProof(&'a str),
}

impl<'a> Counter<'a> {
    pub fn kind(self) -> &'static str {
        match self {
            Counter::Login(_) => "login",
            Counter::Address(_) => "address",
            Counter::Computer(_) => "computer",
            Counter::Session(_) => "session",
            Counter::FileProof(_) => "file_proof",
        }
    }

    pub fn subject(self) -> &'a str {
        match self {
            Counter::Login(s)
            | Counter::Address(s)
            | Counter::Computer(s)
            | Counter::Session(s)
            | Counter::FileProof(s) => s,
        }
    }
}

/// How password attempts are counted: the attempts free of any wait, per login and per client
/// address, the first and the longest wait, and how long without attempts makes a count start
/// again.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRules {
    pub login_free: i64,
    pub address_free: i64,
    pub first_lock_ms: i64,
    pub max_lock_ms: i64,
    pub quiet_ms: i64,
}

impl ThrottleRules {
    /// The wait after the attempt that made the count `failures`, with `free` attempts free:
    /// none below `free`, then the first wait doubling with each attempt up to the longest.
    /// The database computes the same in [`Db::count_login_attempt`].
    pub fn lock_ms(&self, failures: i64, free: i64) -> i64 {
        if failures < free {
            0
        } else {
            (self.first_lock_ms << (failures - free).min(20)).min(self.max_lock_ms)
        }
    }
}

/// A list an account keeps only the latest of (sessions, sign-in keys): its table, the column
/// naming a row, the column of its last use, and the condition (on `$2`) of a row that is over.
struct Latest {
    table: &'static str,
    id: &'static str,
    used: &'static str,
    ended: &'static str,
}

impl Latest {
    /// Deletes the rows of `user_id` that are over at `at`, and those beyond the `keep` used
    /// most recently (the newest first among rows last used at the same time).
    async fn keep(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        user_id: Uuid,
        at: i64,
        keep: i64,
    ) -> Result<(), sqlx::Error> {
        let Latest {
            table,
            id,
            used,
            ended,
        } = self;
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id = $1 AND ({ended} OR {id} IN \
             (SELECT {id} FROM {table} WHERE user_id = $1 \
              ORDER BY {used} DESC, created_at DESC LIMIT 1000000 OFFSET $3))"
        ))
        .bind(user_id.to_string())
        .bind(at)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// `(kind = $i AND subject = $i+1) OR …` for `n` counters, their parameters from `$first`.
fn counter_rows(n: usize, first: usize) -> String {
    if n == 0 {
        return "1 = 0".to_owned();
    }
    (0..n)
        .map(|i| {
            format!(
                "(kind = ${} AND subject = ${})",
                first + 2 * i,
                first + 2 * i + 1
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

const USER_COLUMNS: &str = "u.id, u.login, u.full_name, u.role, u.school_id, s.name AS school_name";

/// What [`Db::with_records_per_day`] is unless the administrator says otherwise: far more than
/// a person makes by hand (a mentor's recommendations after a day of leader tests, the head's
/// plan of work typed in one sitting).
pub const RECORDS_PER_DAY: u32 = 500;

/// What [`Db::with_bytes_per_day`] is, in MiB, unless the administrator says otherwise: far more
/// than a person types in a day (a form's answers take a few kilobytes), and room for the head
/// to import the largest spreadsheet of indices twice.
pub const MEGABYTES_PER_DAY: u64 = 100;

impl Db {
    /// Opens the database at `url` and applies the migrations: `sqlite://data/nastavnik.db`
    /// (created when missing) or `postgres://user:password@host/database` (the database must
    /// exist; its tables are created).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let Some(dialect) = Dialect::of_url(url) else {
            anyhow::bail!(
                "Неподдерживаемый адрес базы данных «{}»: ожидается sqlite://путь/к/файлу.db \
                 или postgres://пользователь:пароль@сервер/база",
                shown_address(url)
            );
        };
        let mut options = AnyPoolOptions::new().max_connections(8);
        if dialect == Dialect::Sqlite {
            let in_memory = prepare_sqlite_file(url).await?;
            if in_memory {
                // Each connection to `:memory:` would be a database of its own.
                options = options.max_connections(1);
            }
            // An SQLite connection lives in this process and cannot go stale: it is not pinged
            // (a round trip to its thread) each time it is taken from the pool.
            options = options.test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    // FULL: a change the server acknowledged survives a power cut (WAL with
                    // NORMAL may lose the last commits). A page cache of 512 KiB per connection
                    // instead of 2 MiB: the system's file cache keeps the pages anyway, and eight
                    // connections' caches were a fifth of a busy server's memory (a bound each
                    // cache keeps because SQLite is built with caches of their own, see
                    // `.cargo/config.toml`). The log is checkpointed in the background
                    // (`checkpoint.rs`).
                    let backstop =
                        format!("PRAGMA wal_autocheckpoint = {}", checkpoint::BACKSTOP_PAGES);
                    for pragma in [
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                        "PRAGMA cache_size = -512",
                        &backstop,
                    ] {
                        sqlx::Executor::execute(&mut *conn, pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        // A connection that comes back still inside a transaction would refuse every later
        // BEGIN. That happens when its rollback failed: SQLite ends a transaction by itself on
        // a full disk, and the ROLLBACK sent after the failed COMMIT then finds none. Such a
        // connection is closed rather than kept (checked again after the queued rollback ran).
        options = options.after_release(|conn, _| {
            Box::pin(async move {
                use sqlx::{Connection, TransactionManager};
                type Manager = <sqlx::Any as sqlx::Database>::TransactionManager;
                if Manager::get_transaction_depth(conn) == 0 {
                    return Ok(true);
                }
                conn.ping().await?;
                let kept = Manager::get_transaction_depth(conn) == 0;
                if !kept {
                    tracing::warn!("a connection left inside a failed transaction is closed");
                }
                Ok(kept)
            })
        });
        let pool = options
            .connect(url)
            .await
            .with_context(|| format!("Не удалось открыть базу данных «{}»", shown_address(url)))?;
        let migrated = match dialect {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
        };
        migrated.context("Не удалось применить миграции базы данных")?;
        let anonymity = std::sync::Arc::new(crate::anonymity::Anonymity::new(
            secret(&pool, "anonymous_ids").await?,
        ));
        let epoch = backup::epoch(&pool).await?.into();
        let db = Db {
            pool,
            dialect,
            forms: Default::default(),
            anonymity,
            epoch,
            turns: Default::default(),
            pushes: Default::default(),
            checkpoints: Default::default(),
            proofs: std::sync::Arc::new(tokio::sync::Semaphore::new(files::PROOFS_AT_ONCE)),
            records_per_day: RECORDS_PER_DAY,
            bytes_per_day: MEGABYTES_PER_DAY << 20,
        };
        db.file_missing_read_keys().await?;
        db.install_builtin_templates().await?;
        Ok(db)
    }

    /// The same database, letting one person make `n` records a day of each kind nothing else
    /// bounds (`model::kinds::counted`: consultations, recommendations, visits …; `serve
    /// --records-per-day`). Without a bound one account could fill the disk by sending new
    /// records in a loop.
    pub fn with_records_per_day(mut self, n: u32) -> Db {
        self.records_per_day = n;
        self
    }

    /// The same database, letting one person's changes add `n` bytes to the log a day
    /// (`model::sync::server::logged_bytes`; `--megabytes-per-day`). The log keeps every
    /// change, so without a bound one account could fill the disk by editing a field in a loop.
    pub fn with_bytes_per_day(mut self, n: u64) -> Db {
        self.bytes_per_day = n;
        self
    }

    /// Whether a migration asked for the step `name` and it has not been taken yet (see
    /// `crate::upgrade`).
    pub async fn upgrade_step_pending(&self, name: &str) -> Result<bool, sqlx::Error> {
        let pending: Option<String> =
            sqlx::query_scalar("SELECT name FROM upgrade_steps WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(pending.is_some())
    }

    /// Notes the step `name` as taken.
    pub async fn upgrade_step_done(&self, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM upgrade_steps WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes every connection, waiting (up to a few seconds) for those in use. On SQLite the
    /// write-ahead log is first folded into the database file and emptied, so that the file a
    /// command leaves behind is whole by itself (SQLite's own checkpoint at the last close is
    /// skipped when two connections close at once).
    pub async fn close(&self) {
        if self.dialect == Dialect::Sqlite
            && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
        {
            tracing::warn!("the log was not folded into the database file: {e}");
        }
        if tokio::time::timeout(std::time::Duration::from_secs(5), self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("the database's connections were still in use when it was closed");
        }
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The database's epoch, sent with every sync answer.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The id of a person's anonymous response to a campaign.
    pub fn anonymous_id(&self, campaign: Uuid, user: Uuid) -> Uuid {
        self.anonymity.id(campaign, user)
    }

    // ---- schools ----

    /// Stores a new school; [`StoreError::Conflict`] when its municipality has one so named.
    pub async fn insert_school(&self, school: &NewSchool) -> Result<School, StoreError> {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO schools (id, name, municipality, locality, low_results, hard_conditions, \
             mentor_school, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(&school.name)
        .bind(&school.municipality)
        .bind(school.locality.as_str())
        .bind(i64::from(school.low_results))
        .bind(i64::from(school.hard_conditions))
        .bind(i64::from(school.mentor_school))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(StoreError::from_write)?;
        Ok(School {
            id,
            name: school.name.clone(),
            municipality: school.municipality.clone(),
            locality: school.locality,
            low_results: school.low_results,
            hard_conditions: school.hard_conditions,
            mentor_school: school.mentor_school,
        })
    }

    /// Sets a school's flags (ШНОР, ШССУ, школа-наставник); [`StoreError::NotFound`] when there
    /// is no such school.
    pub async fn set_school_flags(
        &self,
        id: Uuid,
        low_results: bool,
        hard_conditions: bool,
        mentor_school: bool,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE schools SET low_results = $1, hard_conditions = $2, mentor_school = $3 WHERE id = $4",
        )
        .bind(i64::from(low_results))
        .bind(i64::from(hard_conditions))
        .bind(i64::from(mentor_school))
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .map_err(StoreError::from_write)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn school_exists(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT 1 FROM schools WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Every school, by name.
    pub async fn all_schools(&self) -> Result<Vec<School>, sqlx::Error> {
        let rows = sqlx::query(&format!("{SCHOOL_SELECT} ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(school_from_row).collect()
    }

    /// The schools a user may see: all for the centre, the assigned ones for mentors and
    /// curators, the own school for school staff.
    pub async fn schools_visible_to(&self, user: &UserProfile) -> Result<Vec<School>, sqlx::Error> {
        let base = SCHOOL_SELECT;
        let rows = match user.role {
            Role::Head | Role::Moderator => return self.all_schools().await,
            Role::Mentor | Role::Curator => {
                sqlx::query(&format!(
                    "{base} WHERE id IN (SELECT school_id FROM assignments WHERE user_id = $1) \
                     ORDER BY name"
                ))
                .bind(user.id.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            Role::SchoolTeam | Role::Teacher => {
                sqlx::query(&format!("{base} WHERE id = $1"))
                    .bind(user.school_id.map(|id| id.to_string()))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(school_from_row).collect()
    }

    // ---- users ----

    /// Inserts a validated user; `Ok(None)` when the login is taken.
    pub async fn insert_user(
        &self,
        user: &NewUser,
        password_hash: &str,
    ) -> Result<Option<UserProfile>, sqlx::Error> {
        let id = Uuid::now_v7();
        let result = sqlx::query(
            "INSERT INTO users (id, login, full_name, role, school_id, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (login) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(&user.login)
        .bind(&user.full_name)
        .bind(user.role.as_str())
        .bind(user.school_id.map(|s| s.to_string()))
        .bind(password_hash)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        if result.rows_affected() == 0 {
            return Ok(None);
        }
        self.user_by_id(id).await
    }

    pub async fn user_by_id(&self, id: Uuid) -> Result<Option<UserProfile>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN schools s ON s.id = u.school_id \
             WHERE u.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(profile_from_row).transpose()
    }

    pub async fn credentials(&self, login: &str) -> Result<Option<Credentials>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.disabled_at FROM users u \
             LEFT JOIN schools s ON s.id = u.school_id WHERE u.login = $1"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Credentials {
                profile: profile_from_row(&row)?,
                password_hash: row.try_get("password_hash")?,
                disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Empties the database — every account, school, record and change — in one transaction,
    /// then stores the built-in templates again. The change log's numbering goes on from where
    /// it was, so a device that synced before never takes new changes for old ones.
    pub async fn wipe(&self) -> anyhow::Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool, &self.turns).await?;
        self.dialect.empty_tables(&mut tx).await?;
        tx.commit().await?;
        self.install_builtin_templates().await
    }

    /// How many accounts have a login other than these.
    pub async fn users_other_than(&self, logins: &[&str]) -> Result<i64, sqlx::Error> {
        let mut q = self.dialect.sql("SELECT COUNT(*) FROM users");
        if !logins.is_empty() {
            q.push(" WHERE login NOT IN (")
                .list(logins.iter().copied())
                .push(")");
        }
        q.fetch_scalar(&self.pool).await
    }

    pub async fn user_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
    }

    pub async fn list_users(&self) -> Result<Vec<UserSummary>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.disabled_at, \
             (SELECT {} FROM assignments a WHERE a.user_id = u.id) AS assigned \
             FROM users u LEFT JOIN schools s ON s.id = u.school_id ORDER BY u.full_name",
            self.dialect.join_texts("a.school_id", "','")
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let assigned: Option<String> = row.try_get("assigned")?;
                Ok(UserSummary {
                    profile: profile_from_row(row)?,
                    assigned_school_ids: assigned
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(|s| Uuid::parse_str(s).ok())
                        .collect(),
                    disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
                })
            })
            .collect()
    }

    /// The enabled mentors, curators and the centre head, those assigned to `school` first.
    pub async fn specialists(&self, school: Option<Uuid>) -> Result<Vec<Specialist>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT u.id, u.full_name, u.role, \
             CASE WHEN EXISTS (SELECT 1 FROM assignments a \
                 WHERE a.user_id = u.id AND a.school_id = $1) THEN 1 ELSE 0 END \
             AS assigned FROM users u \
             WHERE u.role IN ('mentor', 'curator', 'head') AND u.disabled_at IS NULL \
             ORDER BY assigned DESC, u.full_name",
        )
        .bind(school.map(|s| s.to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(Specialist {
                    id: uuid_column(row, "id")?,
                    full_name: row.try_get("full_name")?,
                    role: Role::parse(&role).ok_or_else(|| decode_err("role", &role))?,
                    assigned: row.try_get::<i64, _>("assigned")? != 0,
                })
            })
            .collect()
    }

    /// Disables (at `now`) or enables an account. A disabled account's sessions stay only to
    /// tell each of its devices, at its next request, that the account is disabled (the device
    /// then deletes the account's data and the session is deleted); enabling deletes whatever
    /// sessions are left, so nobody is signed in again without the password. Returns false
    /// when the account was already so.
    pub async fn set_disabled(
        &self,
        user_id: Uuid,
        disabled: bool,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let changed = if disabled {
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(now)
                .bind(user_id.to_string())
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query(
                "UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL",
            )
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?
        }
        .rows_affected()
            > 0;
        if !disabled && changed {
            for table in ["sessions", "sign_in_keys"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                    .bind(user_id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Stores a new password hash and ends every session of the user except `keep` (the token
    /// hash of the session that changed it). Returns the number of sessions ended.
    /// Replaces an account's password hash made with older parameters by one of the same
    /// password made now, unless the password was changed meanwhile.
    pub async fn renew_password_hash(
        &self,
        user_id: Uuid,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new_hash)
            .bind(user_id.to_string())
            .bind(old_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: &str,
    ) -> Result<u64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id.to_string())
            .bind(keep)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Whoever knew the old password may hold a key: every computer is a new one again.
        sqlx::query("DELETE FROM sign_in_keys WHERE user_id = $1")
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ended)
    }

    // ---- assignments ----

    pub async fn assign(&self, user_id: Uuid, school_id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO assignments (user_id, school_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user_id.to_string())
        .bind(school_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn unassign(&self, user_id: Uuid, school_id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM assignments WHERE user_id = $1 AND school_id = $2")
            .bind(user_id.to_string())
            .bind(school_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- sessions ----

    /// Opens a session; the account's sessions that expired, and those beyond the `keep`
    /// used most recently, end (sessions are otherwise deleted only when their token comes
    /// back, and each sign-in on a new computer or browser would add one for good).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        now: i64,
        expires_at: i64,
        keep: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id.to_string())
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let latest = Latest {
            table: "sessions",
            id: "token_hash",
            used: "last_seen_at",
            ended: "expires_at <= $2",
        };
        latest.keep(&mut tx, user_id, now, keep).await?;
        tx.commit().await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.disabled_at, x.created_at, x.last_seen_at, x.expires_at \
             FROM sessions x \
             JOIN users u ON u.id = x.user_id LEFT JOIN schools s ON s.id = u.school_id \
             WHERE x.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                profile: profile_from_row(&row)?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                expires_at: row.try_get("expires_at")?,
                disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Slides the expiry of a session forward.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(expires_at)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- password attempts ----

    /// Counts one attempt (a password, a proof of holding a file) for each of `counters` at
    /// `now`, in one statement, before it is checked: either every count goes up (and, at its free limit, the wait
    /// for the next attempt is set) or, when any of them must still wait, nothing changes.
    /// Attempts racing each other therefore take numbers one by one, and no more of them reach
    /// the password check than the rules allow. A count older than the quiet period starts
    /// again from one. The wait doubles as in [`ThrottleRules::lock_ms`].
    pub async fn count_login_attempt(
        &self,
        counters: &[Counter<'_>],
        now: i64,
        rules: &ThrottleRules,
    ) -> Result<AttemptCount, sqlx::Error> {
        assert!(!counters.is_empty(), "an attempt is counted for something");
        // $1..$6 are the rules; each counter binds its kind and subject after them.
        let pairs: Vec<(usize, usize)> = (0..counters.len())
            .map(|i| (7 + 2 * i, 8 + 2 * i))
            .collect();
        let these = counter_rows(counters.len(), 7);
        let values = pairs
            .iter()
            .map(|(k, s)| format!("(${k}, ${s})"))
            .collect::<Vec<_>>()
            .join(", ");
        let count = "(CASE WHEN a.last_at <= $1 - $2 THEN 1 ELSE a.failures + 1 END)";
        let free = "(CASE a.kind WHEN 'address' THEN $4 ELSE $3 END)";
        // The SELECT reads the table it inserts into, so SQLite runs it to the end before the
        // first row is written: `blocked` is the state before this attempt.
        let sql = format!(
            "WITH blocked AS (SELECT EXISTS (SELECT 1 FROM login_attempts \
                 WHERE ({these}) AND locked_until > $1) AS yes) \
             INSERT INTO login_attempts AS a (kind, subject, failures, locked_until, last_at) \
             SELECT v.column1, v.column2, 1, 0, $1 \
             FROM (VALUES {values}) AS v, blocked WHERE NOT blocked.yes \
             ON CONFLICT (kind, subject) DO UPDATE SET \
                 failures = {count}, \
                 locked_until = CASE WHEN {count} < {free} THEN 0 \
                     ELSE $1 + {least}($5 << CAST({least}({count} - {free}, 20) AS INTEGER), $6) END, \
                 last_at = $1 \
             RETURNING kind",
            least = self.dialect.least()
        );
        // On PostgreSQL the statement's check reads its own snapshot: attempts take turns.
        let mut tx = self
            .dialect
            .begin_turn(&self.pool, &self.turns, dialect::Turn::PasswordAttempts)
            .await?;
        let mut query = sqlx::query(&sql)
            .bind(now)
            .bind(rules.quiet_ms)
            .bind(rules.login_free)
            .bind(rules.address_free)
            .bind(rules.first_lock_ms)
            .bind(rules.max_lock_ms);
        for counter in counters {
            query = query.bind(counter.kind()).bind(counter.subject());
        }
        let counted = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        if !counted.is_empty() {
            return Ok(AttemptCount::Counted);
        }
        let sql = format!(
            "SELECT max(locked_until) FROM login_attempts WHERE {}",
            counter_rows(counters.len(), 1)
        );
        let mut query = sqlx::query_scalar::<_, Option<i64>>(&sql);
        for counter in counters {
            query = query.bind(counter.kind()).bind(counter.subject());
        }
        let until = query.fetch_one(&self.pool).await?;
        Ok(AttemptCount::Locked {
            until: until.unwrap_or(now),
        })
    }

    /// How many wrong passwords `counter` has counted in a row (0 when none).
    pub async fn failed_attempts(&self, counter: Counter<'_>) -> Result<i64, sqlx::Error> {
        let failures: Option<i64> = sqlx::query_scalar(
            "SELECT failures FROM login_attempts WHERE kind = $1 AND subject = $2",
        )
        .bind(counter.kind())
        .bind(counter.subject())
        .fetch_optional(&self.pool)
        .await?;
        Ok(failures.unwrap_or(0))
    }

    /// A right password: the counts of `counters` start again. Counts quiet for longer than
    /// `quiet_ms` are forgotten too.
    pub async fn clear_login_attempts(
        &self,
        counters: &[Counter<'_>],
        now: i64,
        quiet_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "DELETE FROM login_attempts WHERE last_at <= $1 OR {}",
            counter_rows(counters.len(), 2)
        );
        let mut query = sqlx::query(&sql).bind(now - quiet_ms);
        for counter in counters {
            query = query.bind(counter.kind()).bind(counter.subject());
        }
        query.execute(&self.pool).await?;
        Ok(())
    }

    // ---- sign-in keys ----

    /// The login of the account that holds the sign-in key with this hash, if any.
    pub async fn sign_in_key_login(&self, key_hash: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT u.login FROM sign_in_keys k JOIN users u ON u.id = k.user_id \
             WHERE k.key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Keeps a sign-in key of `user_id` as used at `now` (adding it when new) and forgets the
    /// account's keys unused since `unused_since`, and any beyond the `keep` most recently
    /// used, in one transaction.
    pub async fn keep_sign_in_key(
        &self,
        key_hash: &str,
        user_id: Uuid,
        now: i64,
        unused_since: i64,
        keep: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sign_in_keys (key_hash, user_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (key_hash) DO UPDATE SET last_used_at = $3",
        )
        .bind(key_hash)
        .bind(user_id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let latest = Latest {
            table: "sign_in_keys",
            id: "key_hash",
            used: "last_used_at",
            ended: "last_used_at < $2",
        };
        latest.keep(&mut tx, user_id, unused_since, keep).await?;
        tx.commit().await
    }

    // ---- audit ----

    pub async fn audit(
        &self,
        user_id: Option<Uuid>,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO audit (at, user_id, action, detail) VALUES ($1, $2, $3, $4)")
            .bind(now_ms())
            .bind(user_id.map(|u| u.to_string()))
            .bind(action)
            .bind(detail.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A secret of the server's own, made on first use (32 random bytes).
async fn secret(pool: &AnyPool, name: &str) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let hex: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(name)
        .bind(&hex)
        .execute(pool)
        .await?;
    let stored: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await?;
    (0..stored.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&stored[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .context("a stored secret is not hex")
}

/// Creates an SQLite database file (and its folder) when missing and puts it in WAL mode (which
/// the file keeps). True for an in-memory database.
async fn prepare_sqlite_file(url: &str) -> anyhow::Result<bool> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("Неверный адрес базы данных «{url}»"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    let file = options.get_filename();
    if file == Path::new(":memory:") || url.contains("mode=memory") {
        return Ok(true);
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| {
            format!("Не удалось создать папку для базы данных {}", dir.display())
        })?;
    }
    let conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("Не удалось открыть базу данных «{}»", shown_address(url)))?;
    conn.close().await?;
    Ok(false)
}

fn decode_err(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("bad value {value:?} in column {column}").into())
}

fn uuid_column(row: &AnyRow, column: &str) -> Result<Uuid, sqlx::Error> {
    let raw: String = row.try_get(column)?;
    Uuid::parse_str(&raw).map_err(|_| decode_err(column, &raw))
}

fn school_from_row(row: &AnyRow) -> Result<School, sqlx::Error> {
    let locality: String = row.try_get("locality")?;
    Ok(School {
        id: uuid_column(row, "id")?,
        name: row.try_get("name")?,
        municipality: row.try_get("municipality")?,
        locality: Locality::parse(&locality).ok_or_else(|| decode_err("locality", &locality))?,
        low_results: row.try_get::<i64, _>("low_results")? != 0,
        hard_conditions: row.try_get::<i64, _>("hard_conditions")? != 0,
        mentor_school: row.try_get::<i64, _>("mentor_school")? != 0,
    })
}

fn profile_from_row(row: &AnyRow) -> Result<UserProfile, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let school_id: Option<String> = row.try_get("school_id")?;
    Ok(UserProfile {
        id: uuid_column(row, "id")?,
        login: row.try_get("login")?,
        full_name: row.try_get("full_name")?,
        role: Role::parse(&role).ok_or_else(|| decode_err("role", &role))?,
        school_id: school_id
            .map(|s| Uuid::parse_str(&s).map_err(|_| decode_err("school_id", &s)))
            .transpose()?,
        school_name: row.try_get("school_name")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::THROTTLE;

    async fn db() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (Db::connect(&url).await.unwrap(), dir)
    }

    /// The waits the database sets are the ones [`ThrottleRules::lock_ms`] describes, an
    /// attempt while waiting changes nothing, and a quiet day starts the count again.
    #[tokio::test]
    async fn the_database_counts_attempts_like_the_rules() {
        let (db, _dir) = db().await;
        let rules = THROTTLE;
        let start = 1_700_000_000_000;
        let mut now = start;
        for n in 1..=12 {
            let counted = db.count_login_attempt(
                &[Counter::Login("anna"), Counter::Address("192.0.2.1")],
                now,
                &rules,
            );
            assert_eq!(counted.await.unwrap(), AttemptCount::Counted, "attempt {n}");
            let lock = rules.lock_ms(n, rules.login_free);
            if lock == 0 {
                now += 1;
                continue;
            }
            for _ in 0..2 {
                let early = db.count_login_attempt(
                    &[Counter::Login("anna"), Counter::Address("192.0.2.1")],
                    now + lock - 1,
                    &rules,
                );
                assert_eq!(
                    early.await.unwrap(),
                    AttemptCount::Locked { until: now + lock },
                    "attempt {n}: refused, and the wait is not made longer"
                );
            }
            now += lock;
        }
        assert_eq!(rules.lock_ms(12, rules.login_free), rules.max_lock_ms);

        // A day without attempts: counted from one again, free attempts included.
        now += rules.quiet_ms;
        for n in 1..rules.login_free {
            let counted = db.count_login_attempt(
                &[Counter::Login("anna"), Counter::Address("192.0.2.1")],
                now,
                &rules,
            );
            assert_eq!(counted.await.unwrap(), AttemptCount::Counted, "attempt {n}");
        }

        // A right password clears the login and the address.
        db.clear_login_attempts(
            &[Counter::Login("anna"), Counter::Address("192.0.2.1")],
            now,
            rules.quiet_ms,
        )
        .await
        .unwrap();
        for _ in 1..rules.login_free {
            let counted = db.count_login_attempt(
                &[Counter::Login("anna"), Counter::Address("192.0.2.1")],
                now,
                &rules,
            );
            assert_eq!(counted.await.unwrap(), AttemptCount::Counted);
        }
    }

    /// A connection's pages stay within its own `cache_size`: SQLite is built without the
    /// memory management that pools every cache of the process into one budget, which the
    /// temporary b-trees of queries enlarge (`.cargo/config.toml`). Fails when the build loses
    /// that setting.
    #[tokio::test]
    async fn each_connection_keeps_a_page_cache_of_its_own() {
        let (db, _dir) = db().await;
        let mut conn = db.pool.acquire().await.unwrap();
        let size: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(size, -512, "512 KiB of pages per connection");
        let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert!(
            options.iter().any(|o| o.starts_with("THREADSAFE=1")),
            "the compile options are read: {options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "SQLite pools its page caches: {options:?}"
        );
    }

    #[tokio::test]
    async fn an_address_waits_after_its_own_free_attempts() {
        let (db, _dir) = db().await;
        let rules = THROTTLE;
        let now = 1_700_000_000_000;
        for n in 1..=rules.address_free {
            let login = format!("login{n}");
            let counters = [Counter::Login(&login), Counter::Address("198.51.100.7")];
            let counted = db.count_login_attempt(&counters, now, &rules);
            assert_eq!(counted.await.unwrap(), AttemptCount::Counted, "login{n}");
        }
        let other_login = db.count_login_attempt(
            &[Counter::Login("fresh"), Counter::Address("198.51.100.7")],
            now,
            &rules,
        );
        assert_eq!(
            other_login.await.unwrap(),
            AttemptCount::Locked {
                until: now + rules.first_lock_ms
            }
        );
        // Refused by the address: the login was not counted either.
        let count: Option<i64> =
            sqlx::query_scalar("SELECT failures FROM login_attempts WHERE subject = 'fresh'")
                .fetch_optional(&db.pool)
                .await
                .unwrap();
        assert_eq!(count, None);
        // Another address is not held up.
        let elsewhere = db.count_login_attempt(
            &[Counter::Login("fresh"), Counter::Address("203.0.113.9")],
            now,
            &rules,
        );
        assert_eq!(elsewhere.await.unwrap(), AttemptCount::Counted);
    }
}
