//! The two databases the server keeps its data in — SQLite (one file, a municipality) and
//! PostgreSQL (a region, several server instances on one database) — and the few things that
//! differ between them. Every query of the storage is written once, with `$1, $2, …`
//! placeholders that both understand, and runs through sqlx's `Any` driver; what cannot be
//! written once (the write lock, numbering the change log, emptying the database, a few
//! functions) is asked of [`Dialect`] here, and nowhere else.

use std::fmt::Write as _;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, Arguments, Encode, Executor, Transaction, Type};
use sqlx::{AnyConnection, AnyPool};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Whether the database refused a write because its disk is full: SQLite's `SQLITE_FULL`
/// (13), PostgreSQL's `disk_full` (53100).
pub fn disk_full(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("13" | "53100")))
}

/// A failure of the database whose cause was its disk being full, kept as such where the
/// failure must be told to many (each push of a group whose write failed).
#[derive(Debug, thiserror::Error)]
#[error("the database's disk is full: {0}")]
pub struct DiskFull(pub String);

/// Whether `cause`, or anything that caused it, is the database's disk being full.
pub fn caused_by_full_disk(cause: &anyhow::Error) -> bool {
    cause
        .chain()
        .any(|e| e.is::<DiskFull>() || e.downcast_ref::<sqlx::Error>().is_some_and(disk_full))
}

/// What transactions take turns over (the key of a PostgreSQL advisory lock).
#[derive(Clone, Copy, Debug)]
#[repr(i64)]
pub enum Turn {
    /// Records, the change log, files, templates.
    Writes = 0x6e61_7374_6176, // "nastav"
    /// Counting password attempts (so racing attempts are counted one by one).
    PasswordAttempts = 0x6e61_7374_6177,
}

/// The lines in which this server's transactions wait for their [`Turn`], one per lock of
/// the database.
#[derive(Clone, Default)]
pub struct Turns {
    writes: Arc<Mutex<()>>,
    attempts: Arc<Mutex<()>>,
}

impl Turns {
    /// Waits in this server's line for `turn` (SQLite has one lock for every writer).
    pub async fn wait(&self, dialect: Dialect, turn: Turn) -> Held {
        let line = match (dialect, turn) {
            (Dialect::Sqlite, _) | (Dialect::Postgres, Turn::Writes) => &self.writes,
            (Dialect::Postgres, Turn::PasswordAttempts) => &self.attempts,
        };
        Held {
            _guard: line.clone().lock_owned().await,
        }
    }
}

/// A turn in this server's line, until dropped.
pub struct Held {
    _guard: OwnedMutexGuard<()>,
}

/// A transaction during its turn (see [`Dialect::begin_turn`]): the next in line begins when
/// it is committed or rolled back (or dropped).
pub struct TurnTx {
    tx: Transaction<'static, Any>,
    _held: Held,
}

impl TurnTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    /// Commits (or, `false`, rolls back) and keeps the turn until the [`Held`] given back is
    /// dropped.
    pub async fn end_keeping_turn(self, commit: bool) -> (Result<(), sqlx::Error>, Held) {
        let TurnTx { tx, _held: held } = self;
        let ended = if commit {
            tx.commit().await
        } else {
            tx.rollback().await
        };
        (ended, held)
    }
}

impl Deref for TurnTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for TurnTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Dialect {
    /// The dialect of a database address, if it is one the server can use.
    pub fn of_url(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// Begins a transaction that writes records, the change log or files. Such transactions
    /// take turns (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock held until commit),
    /// so what one reads it may change, and numbers given to the change log inside one are
    /// visible in their order: no device can pass over a change that commits late.
    pub async fn begin_write(self, pool: &AnyPool, turns: &Turns) -> Result<TurnTx, sqlx::Error> {
        self.begin_turn(pool, turns, Turn::Writes).await
    }

    /// Begins a transaction that runs alone among those of the same [`Turn`] (SQLite: among
    /// all writers). On PostgreSQL at READ COMMITTED whatever the server's default, so each
    /// statement after the lock sees what the previous holder committed.
    ///
    /// Within this server the turn is first waited for in line ([`Turns`]), with no connection
    /// held: the database's own lock then only orders several server processes. (A writer that
    /// finds SQLite's lock taken sleeps and tries again, 1, 2, 5, 10 … 100 ms, whatever the
    /// holder does; while 200 devices synced, the server idled for two fifths of the time.)
    pub async fn begin_turn(
        self,
        pool: &AnyPool,
        turns: &Turns,
        turn: Turn,
    ) -> Result<TurnTx, sqlx::Error> {
        let held = turns.wait(self, turn).await;
        self.begin_held(pool, held, turn).await
    }

    /// Begins the transaction of a turn already waited for in this server ([`Turns::wait`]).
    pub async fn begin_held(
        self,
        pool: &AnyPool,
        held: Held,
        turn: Turn,
    ) -> Result<TurnTx, sqlx::Error> {
        let tx = match self {
            Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => {
                let mut tx = pool
                    .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
                    .await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(turn as i64)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(TurnTx { tx, _held: held })
    }

    /// Gives `n` numbers of the change log (inside a writing transaction) and returns the
    /// first. The numbering never goes back, also after the database was emptied.
    pub async fn next_log_numbers(
        self,
        conn: &mut AnyConnection,
        n: usize,
    ) -> Result<i64, sqlx::Error> {
        match self {
            // SQLite's counter of the log remembers the highest number ever given.
            Dialect::Sqlite => {
                let last: i64 = sqlx::query_scalar(
                    "SELECT MAX(COALESCE((SELECT MAX(seq) FROM changes), 0), \
                     COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0))",
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok(last + 1)
            }
            Dialect::Postgres => {
                let last: i64 = sqlx::query_scalar(
                    "SELECT setval('changes_seq', nextval('changes_seq') + $1 - 1)",
                )
                .bind(n as i64)
                .fetch_one(&mut *conn)
                .await?;
                Ok(last - n as i64 + 1)
            }
        }
    }

    /// Empties every table but the migrations' own and the server's secrets, in `tx`; the
    /// change log's numbering goes on.
    pub async fn empty_tables(self, tx: &mut AnyConnection) -> Result<(), sqlx::Error> {
        match self {
            Dialect::Sqlite => {
                // SQLite's counters (which keep the change numbering going) stay; foreign keys
                // are checked at commit.
                sqlx::query("PRAGMA defer_foreign_keys = ON")
                    .execute(&mut *tx)
                    .await?;
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN \
                     ('_sqlx_migrations', 'server_secrets', 'sqlite_sequence')",
                )
                .fetch_all(&mut *tx)
                .await?;
                for table in tables {
                    sqlx::query(&format!("DELETE FROM \"{table}\""))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Dialect::Postgres => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                     AND tablename NOT IN ('_sqlx_migrations', 'server_secrets')",
                )
                .fetch_all(&mut *tx)
                .await?;
                if !tables.is_empty() {
                    let list: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
                    sqlx::query(&format!("TRUNCATE {}", list.join(", ")))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// The smaller of two numbers, as an SQL function name.
    pub fn least(self) -> &'static str {
        match self {
            Dialect::Sqlite => "min",
            Dialect::Postgres => "LEAST",
        }
    }

    /// Joins an expression's texts with `separator` (an SQL string literal) over a group.
    pub fn join_texts(self, expression: &str, separator: &str) -> String {
        match self {
            Dialect::Sqlite => format!("group_concat({expression}, {separator})"),
            Dialect::Postgres => format!("string_agg({expression}, {separator})"),
        }
    }
}

/// A query put together piece by piece: a list of values, rows of an INSERT. Made by
/// [`Dialect::sql`], whose placeholders it writes: numbered (`$1, $2, …`) for PostgreSQL, and
/// plain `?` for SQLite, which looks a numbered one up by name, over all of them, both when it
/// reads the statement and when each value is bound: with a few hundred values per INSERT that
/// was most of SQLite's time in a large push.
pub struct Sql<'q> {
    text: String,
    args: AnyArguments<'q>,
    dialect: Dialect,
}

impl Dialect {
    pub fn sql<'q>(self, text: &str) -> Sql<'q> {
        Sql {
            text: text.to_owned(),
            args: AnyArguments::default(),
            dialect: self,
        }
    }
}

impl<'q> Sql<'q> {
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        // Only the types the `Any` driver knows are bound here; adding one cannot fail.
        if let Err(e) = self.args.add(value) {
            tracing::error!("a value could not be bound: {e}");
        }
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                let _ = write!(self.text, "${}", self.args.len());
            }
        }
        self
    }

    /// `v1, v2, …` (for `IN (…)`).
    pub fn list<T: 'q + Encode<'q, Any> + Type<Any>>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    /// `VALUES (…), (…)`: `row` binds one item's values with [`Values::bind`].
    pub fn values<I>(
        &mut self,
        items: impl IntoIterator<Item = I>,
        mut row: impl FnMut(&mut Values<'_, 'q>, I),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i > 0 { ", (" } else { "(" });
            row(
                &mut Values {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    pub async fn execute<'c, E: Executor<'c, Database = Any>>(
        self,
        e: E,
    ) -> Result<AnyQueryResult, sqlx::Error> {
        sqlx::query_with(&self.text, self.args).execute(e).await
    }

    pub async fn fetch_all<'c, E: Executor<'c, Database = Any>>(
        self,
        e: E,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        sqlx::query_with(&self.text, self.args).fetch_all(e).await
    }

    pub async fn fetch_scalar<'c, T, E>(self, e: E) -> Result<T, sqlx::Error>
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, Any> + Type<Any>,
        E: Executor<'c, Database = Any>,
    {
        sqlx::query_scalar_with(&self.text, self.args)
            .fetch_one(e)
            .await
    }
}

/// One row of [`Sql::values`].
pub struct Values<'s, 'q> {
    sql: &'s mut Sql<'q>,
    first: bool,
}

impl<'q> Values<'_, 'q> {
    pub fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.bind(value);
        self
    }
}
