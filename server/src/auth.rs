//! Passwords (argon2id), session tokens (random, stored as SHA-256, sliding expiry), the slowing
//! down of password guessing, and the [`CurrentUser`] extractor that every protected handler
//! takes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use model::{ApiError, Role, UserProfile};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::storage::{Db, now_ms};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// A session lives this long after its last use: rural users may stay offline for weeks.
pub const SESSION_IDLE_MS: i64 = 180 * DAY_MS;
/// How often the expiry is slid forward (avoids a write on every request).
const TOUCH_EVERY_MS: i64 = 60 * 60 * 1000;
/// Failed logins allowed before each further attempt has to wait.
pub const FREE_FAILURES: i64 = 5;
const MAX_LOCK_SECS: i64 = 15 * 60;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

thread_local! {
    /// The working memory of argon2 (19 MB with the default parameters), kept by each of the
    /// few hashing threads and reused for every login: allocating it per hash left glibc holding
    /// hundreds of MB after a burst of logins.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        argon2::Algorithm::try_from(parsed.algorithm),
        argon2::Params::try_from(&parsed),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or_default();
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        let n = params.block_count();
        if blocks.len() < n {
            blocks.resize(n, argon2::Block::default());
        }
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut blocks[..n])
            .is_ok()
    });
    // `Output` compares in constant time.
    computed && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Argon2 takes about 19 MB and tens of milliseconds per hash on purpose. It runs on a few
/// dedicated threads (one per core), not on the async workers and not on an open-ended pool:
/// a burst of logins waits its turn instead of starving the server, and the memory the hashes
/// use stays with those few threads instead of piling up in one allocator arena per thread.
async fn argon2_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    type Job = Box<dyn FnOnce() + Send>;
    static QUEUE: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        std::sync::Mutex::new(tx)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    queue
        .lock()
        .map_err(|_| anyhow::anyhow!("password hashing queue poisoned"))?
        .send(job)
        .map_err(|_| anyhow::anyhow!("password hashing threads stopped"))?;
    result
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("password hashing failed")))
}

pub async fn hash_password_blocking(password: String) -> AppResult<String> {
    argon2_blocking(move || hash_password(&password))
        .await?
        .map_err(AppError::Internal)
}

/// A hash of a random password, verified against when the login does not exist so that the
/// answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds a login has to wait after `failures` failed attempts (0 while under the free limit).
pub fn lock_secs(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        0
    } else {
        let exp = (failures - FREE_FAILURES).min(20) as u32;
        (5 * 2i64.pow(exp)).min(MAX_LOCK_SECS)
    }
}

/// Checks a login and password; on success opens a session and returns its token.
pub async fn login(db: &Db, login: &str, password: &str) -> AppResult<(String, UserProfile)> {
    let login = login.trim().to_ascii_lowercase();
    let now = now_ms();
    let (failures, locked_until) = db.login_failures(&login).await?;
    if locked_until > now {
        let wait = ((locked_until - now) + 999) / 1000;
        return Err(ApiError::too_many_attempts(wait as u64).into());
    }
    let credentials = db.credentials(&login).await?;
    let password = password.to_owned();
    let hash = credentials
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let ok = argon2_blocking(move || verify_password(&password, &hash)).await?;
    match credentials {
        Some(c) if ok => {
            if failures > 0 {
                db.clear_login_failures(&login).await?;
            }
            let token = new_token();
            db.create_session(
                &token_hash(&token),
                c.profile.id,
                now,
                now + SESSION_IDLE_MS,
            )
            .await?;
            db.audit(Some(c.profile.id), "login", &serde_json::json!({}))
                .await?;
            Ok((token, c.profile))
        }
        _ => {
            let failures = failures + 1;
            let lock = lock_secs(failures);
            db.set_login_failures(&login, failures, now + lock * 1000)
                .await?;
            tracing::info!(%login, failures, "failed login");
            Err(ApiError::bad_credentials().into())
        }
    }
}

/// The signed-in user of a request (from `Authorization: Bearer <token>`).
pub struct CurrentUser {
    pub profile: UserProfile,
    pub token_hash: String,
}

impl CurrentUser {
    /// Refuses with 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.profile.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let hash = token_hash(token);
        let now = now_ms();
        let session = state
            .db
            .session(&hash)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if session.expires_at <= now {
            state.db.delete_session(&hash).await?;
            return Err(ApiError::unauthorized().into());
        }
        if now - session.last_seen_at > TOUCH_EVERY_MS {
            state
                .db
                .touch_session(&hash, now, now + SESSION_IDLE_MS)
                .await?;
        }
        Ok(CurrentUser {
            profile: session.profile,
            token_hash: hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let hash = hash_password("правильный пароль").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("правильный пароль", &hash));
        assert!(!verify_password("неправильный", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn lock_grows_then_caps() {
        assert_eq!(lock_secs(FREE_FAILURES - 1), 0);
        assert_eq!(lock_secs(FREE_FAILURES), 5);
        assert_eq!(lock_secs(FREE_FAILURES + 3), 40);
        assert_eq!(lock_secs(FREE_FAILURES + 40), MAX_LOCK_SECS);
    }
}
