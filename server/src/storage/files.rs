//! The bytes of attached files (see `model::files`): stored once per SHA-256. Each person's
//! upload arrives in pieces, in order, kept apart from anyone else's (`uploads`,
//! `upload_pieces`); when its last piece arrives and the pieces hash to the file's name, they
//! become the file (`files`, `file_chunks`), which never changes after.

use futures_util::TryStreamExt;
use model::files::{FileProgress, MAX_FILE_BYTES, MIN_CHUNK_BYTES};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::{AttemptCount, Counter, DAY_MS, Db, ThrottleRules, now_ms};

/// Uploads a person may have unfinished at once (each up to the largest file): enough for a
/// portfolio chosen offline, not a way to fill the server's disk.
pub const MAX_UNFINISHED_PER_PERSON: i64 = 30;
/// An unfinished upload that has not moved on for this long is dropped (its computer was
/// cleaned, its attachment removed), so it no longer counts against its sender's bounds. Counted
/// from its last piece, not from its first: a large file over a bad link may take longer.
const ABANDONED_AFTER_MS: i64 = 7 * 86_400_000;

/// Proofs of holding a file checked at once. Each reads a whole file (up to 20 MB) on one of the
/// pool's connections: without a bound, anyone repeating proofs could take every connection and
/// hold up everyone's syncs.
pub const PROOFS_AT_ONCE: usize = 2;

/// How wrong proofs of holding a file are counted, per person ([`Db::prove_file`]): each makes
/// the server read a whole file, and a device that has the file never sends a wrong one (its
/// copy spoilt on the disk is the only way), so after a few each further one waits half a
/// minute, then twice as long, up to ten minutes. A right proof, or a quiet day, starts again.
pub const PROOF_THROTTLE: ThrottleRules = ThrottleRules {
    login_free: 3,
    address_free: 3,
    first_lock_ms: 30_000,
    max_lock_ms: 10 * 60_000,
    quiet_ms: DAY_MS,
};

/// What a proof of holding a file came to ([`Db::prove_file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// The person holds the file now.
    Right,
    /// The proof does not match the file's bytes.
    Wrong,
    /// The server has no whole file under this name.
    NoWholeFile,
    /// Too many wrong proofs: the person's next one is read at `until` (ms), not before.
    Wait { until: i64 },
}

/// Why a piece of a file was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// The file is known with another size: the device's description of it is wrong.
    #[error("size differs")]
    SizeDiffers,
    /// The piece goes past the declared size.
    #[error("beyond the end")]
    BeyondEnd,
    /// A piece but the last is smaller than `model::files::MIN_CHUNK_BYTES`: a file is never
    /// made of too many pieces to check in one go when its last one arrives.
    #[error("too small a piece")]
    TooSmall,
    /// Every piece arrived but their SHA-256 is not the file's name: they were dropped.
    #[error("corrupt")]
    Corrupt,
    #[error("too many unfinished uploads")]
    TooManyUnfinished,
    /// The person's files would take more than they may.
    #[error("the person's files are over their bound")]
    PersonFull,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Db {
    /// How much of a file the server holds for `person`: the whole file, or as much of their
    /// own upload of it as arrived (nothing: `received` 0), and whether they are known to hold
    /// it.
    pub async fn file_progress(
        &self,
        sha256: &str,
        person: Uuid,
    ) -> Result<FileProgress, sqlx::Error> {
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(size) = size {
            return Ok(FileProgress {
                received: size as u64,
                complete: true,
                held: self.holds_file(person, sha256).await?,
            });
        }
        let received: Option<i64> =
            sqlx::query_scalar("SELECT received FROM uploads WHERE sha256 = $1 AND user_id = $2")
                .bind(sha256)
                .bind(person.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(FileProgress {
            received: received.unwrap_or(0) as u64,
            complete: false,
            held: false,
        })
    }

    /// Whether `person` is known to hold the file (see `model::files`).
    pub async fn holds_file(&self, person: Uuid, sha256: &str) -> Result<bool, sqlx::Error> {
        let held: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM file_holders WHERE sha256 = $1 AND user_id = $2")
                .bind(sha256)
                .bind(person.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(held.is_some())
    }

    /// Notes that `person` holds a file the server has whole (they received it from the
    /// server).
    pub async fn file_given_to(&self, person: Uuid, sha256: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO file_holders (sha256, user_id) SELECT sha256, $2 FROM files \
             WHERE sha256 = $1 ON CONFLICT DO NOTHING",
        )
        .bind(sha256)
        .bind(person.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Checks `person`'s proof of holding a whole file (`model::files::FileProof`) against the
    /// bytes the server has, and notes them as holding it when it is right. A proof that makes
    /// the server read the file is counted for the person under [`PROOF_THROTTLE`] first, like
    /// a password attempt ([`Db::count_login_attempt`]): one sent while the person has to wait
    /// reads nothing, and a right one starts the count again.
    pub async fn prove_file(
        &self,
        person: Uuid,
        sha256: &str,
        digest: &str,
    ) -> Result<Proof, sqlx::Error> {
        // Nothing to hash for someone known to hold it already.
        if self.holds_file(person, sha256).await? {
            return Ok(Proof::Right);
        }
        let whole: Option<i64> = sqlx::query_scalar("SELECT 1 FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        if whole.is_none() {
            return Ok(Proof::NoWholeFile);
        }
        let id = person.to_string();
        let counter = [Counter::FileProof(&id)];
        let now = now_ms();
        if let AttemptCount::Locked { until } = self
            .count_login_attempt(&counter, now, &PROOF_THROTTLE)
            .await?
        {
            return Ok(Proof::Wait { until });
        }
        let expected = {
            let _turn = self
                .proofs
                .acquire()
                .await
                .map_err(|_| sqlx::Error::PoolClosed)?;
            let mut conn = self.pool.acquire().await?;
            hash_pieces(&mut conn, sha256, None, &model::files::proof_input(person)).await?
        };
        // Compared in constant time: how long a wrong proof took says nothing of the right one.
        let differs = expected.len() != digest.len()
            || expected
                .bytes()
                .zip(digest.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                != 0;
        if differs {
            return Ok(Proof::Wrong);
        }
        self.clear_login_attempts(&counter, now, PROOF_THROTTLE.quiet_ms)
            .await?;
        self.file_given_to(person, sha256).await?;
        Ok(Proof::Right)
    }

    /// Takes the piece of `user`'s upload of a file that starts at `start`, if it is the next
    /// one the server needs; a piece it already has, or one further on, changes nothing (the
    /// answer tells the device where to go on from). Each person's upload is their own, so
    /// nobody can spoil another's with a wrong piece. The last piece makes the file, when the
    /// hash checks, and its sender holds it. A new upload is taken only while the person's
    /// files stay within `bound` bytes.
    pub async fn put_file_chunk(
        &self,
        user: Uuid,
        sha256: &str,
        (size, start): (u64, u64),
        data: &[u8],
        bound: u64,
    ) -> Result<FileProgress, ChunkError> {
        if size == 0
            || size > MAX_FILE_BYTES
            || start
                .checked_add(data.len() as u64)
                .is_none_or(|end| end > size)
        {
            return Err(ChunkError::BeyondEnd);
        }
        let person = user.to_string();
        let mut tx = self.dialect.begin_write(&self.pool, &self.turns).await?;
        sqlx::query("DELETE FROM uploads WHERE moved_at < $1")
            .bind(now_ms() - ABANDONED_AFTER_MS)
            .execute(&mut *tx)
            .await?;
        // The server has the file already: nothing to take.
        let known: Option<i64> = sqlx::query_scalar("SELECT size FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(known) = known {
            let held: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM file_holders WHERE sha256 = $1 AND user_id = $2")
                    .bind(sha256)
                    .bind(&person)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.commit().await?;
            if known as u64 != size {
                return Err(ChunkError::SizeDiffers);
            }
            return Ok(FileProgress {
                received: size,
                complete: true,
                held: held.is_some(),
            });
        }
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT size, received FROM uploads WHERE sha256 = $1 AND user_id = $2")
                .bind(sha256)
                .bind(&person)
                .fetch_optional(&mut *tx)
                .await?;
        let received = match row {
            Some((known, received)) if known as u64 == size => received as u64,
            other => {
                // An upload under another size was started with a wrong description: the file's
                // bytes decide, so it starts again.
                if other.is_some() {
                    sqlx::query("DELETE FROM uploads WHERE sha256 = $1 AND user_id = $2")
                        .bind(sha256)
                        .bind(&person)
                        .execute(&mut *tx)
                        .await?;
                }
                let unfinished: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE user_id = $1")
                        .bind(&person)
                        .fetch_one(&mut *tx)
                        .await?;
                if unfinished >= MAX_UNFINISHED_PER_PERSON {
                    tx.rollback().await?;
                    return Err(ChunkError::TooManyUnfinished);
                }
                let stored: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE((SELECT SUM(size) FROM files WHERE created_by = $1), 0) \
                     + COALESCE((SELECT SUM(size) FROM uploads WHERE user_id = $1), 0) AS BIGINT)",
                )
                .bind(&person)
                .fetch_one(&mut *tx)
                .await?;
                if (stored.max(0) as u64).saturating_add(size) > bound {
                    tx.rollback().await?;
                    return Err(ChunkError::PersonFull);
                }
                sqlx::query(
                    "INSERT INTO uploads (sha256, user_id, size, moved_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(sha256)
                .bind(&person)
                .bind(size as i64)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                0
            }
        };
        if start != received || data.is_empty() {
            tx.commit().await?;
            return Ok(FileProgress {
                received,
                complete: false,
                held: false,
            });
        }
        if (data.len() as u64) < MIN_CHUNK_BYTES && start + data.len() as u64 != size {
            tx.rollback().await?;
            return Err(ChunkError::TooSmall);
        }
        sqlx::query(
            "INSERT INTO upload_pieces (sha256, user_id, start, data) VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256)
        .bind(&person)
        .bind(start as i64)
        .bind(data)
        .execute(&mut *tx)
        .await?;
        let received = received + data.len() as u64;
        if received < size {
            sqlx::query(
                "UPDATE uploads SET received = $1, moved_at = $2 \
                 WHERE sha256 = $3 AND user_id = $4",
            )
            .bind(received as i64)
            .bind(now_ms())
            .bind(sha256)
            .bind(&person)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(FileProgress {
                received,
                complete: false,
                held: false,
            });
        }
        if hash_pieces(&mut tx, sha256, Some(&person), "").await? != sha256 {
            sqlx::query("DELETE FROM uploads WHERE sha256 = $1 AND user_id = $2")
                .bind(sha256)
                .bind(&person)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::warn!(sha256, "an uploaded file did not match its hash; dropped");
            return Err(ChunkError::Corrupt);
        }
        // Whole and right: the pieces become the file (unless another person's upload of it
        // made it meanwhile), everyone's uploads of it end, and its sender holds it.
        let made = sqlx::query(
            "INSERT INTO files (sha256, size, received, complete, created_by, created_at) \
             VALUES ($1, $2, $2, 1, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(sha256)
        .bind(size as i64)
        .bind(&person)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if made == 1 {
            sqlx::query(
                "INSERT INTO file_chunks (sha256, start, data, sent_by) \
                 SELECT sha256, start, data, user_id FROM upload_pieces \
                 WHERE sha256 = $1 AND user_id = $2",
            )
            .bind(sha256)
            .bind(&person)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM uploads WHERE sha256 = $1")
            .bind(sha256)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO file_holders (sha256, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(sha256)
        .bind(&person)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(FileProgress {
            received,
            complete: true,
            held: true,
        })
    }

    /// A complete file as it is read out: its size and where each of its pieces starts, in
    /// order (`None`: not uploaded yet, or not all of it). A complete file never changes, so its
    /// pieces can then be read one at a time ([`Db::file_piece`]) and a large file is never
    /// held in memory whole.
    pub async fn complete_file(&self, sha256: &str) -> Result<Option<StoredFile>, sqlx::Error> {
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        let Some(size) = size else {
            return Ok(None);
        };
        let starts: Vec<i64> =
            sqlx::query_scalar("SELECT start FROM file_chunks WHERE sha256 = $1 ORDER BY start")
                .bind(sha256)
                .fetch_all(&self.pool)
                .await?;
        Ok(Some(StoredFile {
            size: size as u64,
            starts,
        }))
    }

    /// The piece of a file that starts at `start` (one of [`StoredFile::starts`]).
    pub async fn file_piece(&self, sha256: &str, start: i64) -> Result<Vec<u8>, sqlx::Error> {
        sqlx::query_scalar("SELECT data FROM file_chunks WHERE sha256 = $1 AND start = $2")
            .bind(sha256)
            .bind(start)
            .fetch_one(&self.pool)
            .await
    }

    /// The bytes of a complete file, whole (`None`: not uploaded yet, or not all of it). For
    /// checks and small files; a download goes piece by piece.
    pub async fn file_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let Some(file) = self.complete_file(sha256).await? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(file.size as usize);
        for &start in &file.starts {
            bytes.extend(self.file_piece(sha256, start).await?);
        }
        Ok(Some(bytes))
    }
}

/// A complete file on the server: see [`Db::complete_file`].
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub size: u64,
    pub starts: Vec<i64>,
}

/// The SHA-256 of `prefix` followed by the pieces of a file the server holds (or of `uploader`'s
/// upload of it), read in one query a piece at a time: a 20 MB file is never in memory whole
/// (the driver may hold a few pieces ahead).
async fn hash_pieces(
    conn: &mut AnyConnection,
    sha256: &str,
    uploader: Option<&str>,
    prefix: &str,
) -> Result<String, sqlx::Error> {
    let mut hasher = Sha256::new();
    hasher.update(prefix.as_bytes());
    let mut pieces = match uploader {
        None => sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT data FROM file_chunks WHERE sha256 = $1 ORDER BY start",
        )
        .bind(sha256),
        Some(uploader) => sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT data FROM upload_pieces WHERE sha256 = $1 AND user_id = $2 ORDER BY start",
        )
        .bind(sha256)
        .bind(uploader),
    }
    .fetch(&mut *conn);
    while let Some(piece) = pieces.try_next().await? {
        hasher.update(piece);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
