//! SQLite's write-ahead log is copied into the database file (a checkpoint) in the background.
//!
//! By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: that
//! commit waits while pages are copied and the database file is flushed to disk (with
//! `synchronous = FULL`, three to five times a plain commit here), and so does every sync of
//! its group. Here, after the syncs' writes commit, a task on another connection runs a
//! `PASSIVE` checkpoint, which takes no lock a writer or a reader needs, at most once per
//! [`EVERY`]. The commit path keeps SQLite's own checkpoint only as a bound on the log's size
//! ([`BACKSTOP_PAGES`]) for a load so steady that the background one never catches up; it then
//! copies only what the background one has not.
//!
//! Nothing acknowledged depends on a checkpoint: a commit is durable in the log (`FULL`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::AnyPool;
use tokio::time::Instant;

/// The least time between two background checkpoints: each one flushes the database file, and
/// a flush competes with the commits' own.
const EVERY: Duration = Duration::from_millis(250);

/// The log's size (pages of 4 KiB) at which a commit checkpoints by itself after all
/// (`PRAGMA wal_autocheckpoint`; SQLite's default is 1,000).
pub const BACKSTOP_PAGES: u32 = 8_000;

/// Background checkpoints of one SQLite database: at most one runs at a time.
#[derive(Default)]
pub struct Checkpoints {
    /// A task is waiting for its time or checkpointing.
    running: AtomicBool,
    /// Something committed since the running task began its checkpoint.
    dirty: AtomicBool,
    last: std::sync::Mutex<Option<Instant>>,
}

impl Checkpoints {
    /// Something was committed to `pool`: a checkpoint is to follow soon.
    pub fn after_commit(self: &Arc<Self>, pool: &AnyPool) {
        self.dirty.store(true, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                let last = *this.last.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(last) = last {
                    tokio::time::sleep_until(last + EVERY).await;
                }
                this.dirty.store(false, Ordering::SeqCst);
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    // The next commit tries again, and a commit checkpoints by itself at the
                    // backstop.
                    tracing::warn!("background checkpoint failed: {e}");
                }
                *this.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                this.running.store(false, Ordering::SeqCst);
                // A commit during the checkpoint that found the task still running left its
                // pages for this task: go round again, unless a new task has taken over.
                if !this.dirty.load(Ordering::SeqCst) || this.running.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        });
    }
}
