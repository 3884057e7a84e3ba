//! Passwords (argon2id), session tokens (random, stored as SHA-256, a sliding idle expiry within
//! an absolute lifetime), the slowing down of password guessing, and the [`CurrentUser`]
//! extractor that every protected handler takes.
//!
//! Password guessing is slowed down, never made permanent: every attempt is counted for its
//! login and for its client address *before* the password is hashed (one SQL statement, see
//! [`Db::count_login_attempt`]), so requests sent at once cannot all slip in before the first
//! failure is written. After the free attempts each further attempt waits 5 s, 10 s, … at most
//! 5 minutes; an attempt made while waiting is refused without being counted, so the right
//! password always works once the wait is over, and a day without attempts forgets the count.
//! A right password clears the counts of its login and address. Behind a reverse proxy every
//! client has the proxy's address; the per-address count then covers everybody, which still
//! only delays.
//!
//! Anybody may type somebody else's login, so those counts alone would let a stranger keep a
//! person out by sending a wrong password for that login every few minutes. A right password
//! therefore also gives the browser a *sign-in key* (random, stored as SHA-256, one per
//! computer, the [`MAX_SIGN_IN_KEYS_PER_ACCOUNT`] last used kept), and an attempt that brings
//! back a key of the account it names is counted for that key alone, with the same free
//! attempts and waits: the person's own computers sign in whatever strangers do, a stranger
//! without a key is slowed down as before, and a right password from a known computer clears
//! only that computer's count, so it gives strangers no fresh free attempts. This is the
//! "device cookie" of OWASP's advice on online guessing. The current password of a password
//! change is counted for its session in the same way, and the [`FREE_FAILURES`]th wrong one in
//! a row ends the session: a stolen session cannot go on guessing at the pace of the waits. A
//! password change, or enabling the account again, forgets every key of the account: whoever
//! knew the old password may hold one.
//!
//! Hashing is the expensive part and runs on a few dedicated threads with a bounded queue: when
//! too many hashes are waiting the request is refused at once (429) instead of piling up.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use model::{ApiError, Role, UserProfile};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::by_person::ByPerson;
use crate::error::{AppError, AppResult};
use crate::storage::{AttemptCount, Counter, Credentials, DAY_MS, Db, ThrottleRules, now_ms};

/// A session lives this long after its last use: rural users may stay offline for weeks.
pub const SESSION_IDLE_MS: i64 = 60 * DAY_MS;
/// However active, a session ends this long after the sign-in that opened it.
pub const SESSION_MAX_MS: i64 = 180 * DAY_MS;
/// The most sessions one account keeps (a school's account on each of its team's computers
/// and browsers); a new sign-in beyond them ends the one used longest ago.
pub const MAX_SESSIONS_PER_ACCOUNT: i64 = 30;
/// Password checks of one login at once from unknown computers, and as many again from its known
/// computers and sessions together (a school's team signing in on a few computers): more would
/// let one account fill the hashing queue with its own right password, which no attempt count
/// slows down. As many as the wrong attempts let through before a wait
/// ([`FREE_FAILURES`]): a burst of wrong ones is still checked up to the count, no fewer.
pub const CHECKS_PER_LOGIN: u64 = FREE_FAILURES as u64;
/// How often the expiry is slid forward (avoids a write on every request).
const TOUCH_EVERY_MS: i64 = 60 * 60 * 1000;
/// Password attempts per login (or per sign-in key, or per session) before each further one has
/// to wait.
pub const FREE_FAILURES: i64 = 5;
/// Sign-in keys an account keeps: the computers it signed in on most recently. A key unused for
/// the absolute lifetime of a session is forgotten as well.
pub const MAX_SIGN_IN_KEYS_PER_ACCOUNT: i64 = 30;
/// A longer "key" is not one this server gave, and is not even hashed.
const MAX_SIGN_IN_KEY_LEN: usize = 100;
/// Password attempts per client address before each further one has to wait. A whole school
/// shares one address, and its computers sign in together at the start of the day (attempts in
/// flight count too), so this is far above the limit of one login.
pub const ADDRESS_FREE_FAILURES: i64 = 100;
/// How password attempts are counted (see the module documentation).
pub const THROTTLE: ThrottleRules = ThrottleRules {
    login_free: FREE_FAILURES,
    address_free: ADDRESS_FREE_FAILURES,
    first_lock_ms: 5_000,
    max_lock_ms: 5 * 60_000,
    quiet_ms: DAY_MS,
};
/// Hashes allowed to wait for a hashing thread; more are refused with 429.
pub const MAX_WAITING_HASHES: usize = 64;
/// What a refused request is told to wait when the hashing queue is full.
const BUSY_RETRY_SECS: u64 = 2;

/// The argon2id cost of new passwords: 7 MiB of memory and 5 passes, one of the settings OWASP's
/// Password Storage Cheat Sheet lists as equal in strength to its 19 MiB × 2 passes (argon2's
/// default), trading memory for passes. A small server keeps one such block per hashing
/// thread, so a third of the memory matters more to it than the time (about the same). A hash
/// made with other parameters (older accounts) is checked with its own.
const NEW_HASH_MEMORY_KIB: u32 = 7 * 1024;
const NEW_HASH_PASSES: u32 = 5;

fn new_hash_params() -> argon2::Params {
    argon2::Params::new(NEW_HASH_MEMORY_KIB, NEW_HASH_PASSES, 1, None)
        .expect("constant argon2 parameters are valid")
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        new_hash_params(),
    )
    .hash_password(password.as_bytes(), &salt)
    .map(|h| h.to_string())
    .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

thread_local! {
    /// The working memory of argon2 (7 MiB for the hashes made now), kept by each of the
    /// few hashing threads while more hashes wait and reused for them, given back when none
    /// does (the allocator's fixed mmap threshold returns it to the system at once).
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
    // An older, larger hash does not leave its memory with the thread.
    keep_blocks(new_hash_params().block_count());
    // `Output` compares in constant time.
    computed && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Gives back this thread's argon2 memory beyond `n` blocks.
fn keep_blocks(n: usize) {
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() > n {
            blocks.truncate(n);
            blocks.shrink_to_fit();
        }
    });
}

/// Whether a stored hash was made with other parameters than new ones (an older account's):
/// it is made again, with the current ones, when its owner next signs in.
fn outdated(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let current = new_hash_params();
    parsed.algorithm.as_str() != "argon2id"
        || argon2::Params::try_from(&parsed).is_ok_and(|p| {
            (p.m_cost(), p.t_cost(), p.p_cost())
                != (current.m_cost(), current.t_cost(), current.p_cost())
        })
}

type Job = Box<dyn FnOnce() + Send>;

/// Argon2 takes about 7 MiB (19 MiB for older hashes) and tens of milliseconds per hash on
/// purpose. It runs on a few
/// dedicated threads (one per core), not on the async workers and not on an open-ended pool:
/// a burst of logins waits its turn instead of starving the server, and the memory the hashes
/// use stays with those few threads (while hashes wait) instead of piling up in one allocator
/// arena per thread.
/// At most `limit` hashes wait or run at once; a request beyond that is refused before anything
/// is counted or queued.
pub struct Hasher {
    queue: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
    /// Jobs sent and not yet taken by a thread: a thread that finds none after its job gives
    /// its working memory back (a burst of logins reuses it; a quiet server holds none).
    queued: std::sync::Arc<AtomicUsize>,
    waiting: AtomicUsize,
    limit: usize,
}

/// A place in the hashing queue, taken before any work is done for the request. Given back
/// when the hash is done, or when the request ends without hashing.
pub struct HashPermit {
    hasher: &'static Hasher,
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        self.hasher.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    /// Starts `threads` hashing threads.
    pub fn new(threads: usize, limit: usize) -> Hasher {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let queued = std::sync::Arc::new(AtomicUsize::new(0));
        for i in 0..threads {
            let rx = rx.clone();
            let queued = queued.clone();
            let _ = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        queued.fetch_sub(1, Ordering::AcqRel);
                        job();
                    }
                });
        }
        Hasher {
            queue: std::sync::Mutex::new(tx),
            queued,
            waiting: AtomicUsize::new(0),
            limit,
        }
    }

    /// A place in the queue, or 429 when `limit` hashes are already waiting.
    pub fn reserve(&'static self) -> Result<HashPermit, ApiError> {
        let taken = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            });
        match taken {
            Ok(_) => Ok(HashPermit { hasher: self }),
            Err(_) => {
                tracing::warn!(limit = self.limit, "password hashing queue full");
                Err(ApiError::server_busy(BUSY_RETRY_SECS))
            }
        }
    }
}

impl HashPermit {
    /// Runs `work` on a hashing thread; the place is given back when it is done.
    pub async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let hasher = self.hasher;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let out = work();
            if hasher.queued.load(Ordering::Acquire) == 0 {
                keep_blocks(0);
            }
            drop(self);
            let _ = done.send(out);
        });
        {
            let queue = hasher
                .queue
                .lock()
                .map_err(|_| anyhow::anyhow!("password hashing queue poisoned"))?;
            // Counted only once it can be sent, so that a failure leaves no job counted forever.
            hasher.queued.fetch_add(1, Ordering::AcqRel);
            if queue.send(job).is_err() {
                hasher.queued.fetch_sub(1, Ordering::AcqRel);
                return Err(anyhow::anyhow!("password hashing threads stopped").into());
            }
        }
        result
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("password hashing failed")))
    }
}

/// The server's hashing threads.
pub fn hasher() -> &'static Hasher {
    static HASHER: std::sync::OnceLock<Hasher> = std::sync::OnceLock::new();
    HASHER.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher::new(threads, MAX_WAITING_HASHES)
    })
}

/// Hashes a new password on the hashing threads (429 when they are too busy).
pub async fn hash_password_blocking(password: String) -> AppResult<String> {
    hasher()
        .reserve()?
        .run(move || hash_password(&password))
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

/// How the server learns where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Senders {
    /// From the TCP connection: the server faces the network itself.
    #[default]
    Connection,
    /// Every connection comes from a reverse proxy on the server's own side (nginx, Caddy): the
    /// sender is the address the proxy appended last to `X-Forwarded-For` (`serve
    /// --behind-proxy`). Only for a server that nobody but the proxy can reach, or anybody could
    /// name any address.
    BehindProxy,
}

/// The middleware of [`Senders::BehindProxy`]: the connection's address is replaced by the last
/// one in `X-Forwarded-For` (the entries before it are the client's own words, not trusted).
/// Without the header the connection's address stays.
pub async fn forwarded_for(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // Bytes, not text: whatever the client put before the proxy's entry cannot hide it.
    let sender = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.as_bytes().rsplit(|b| *b == b',').next())
        .and_then(|last| std::str::from_utf8(last).ok())
        .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    if let Some(ip) = sender {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, 0)));
    }
    next.run(req).await
}

/// Where a request comes from, for counting password attempts per address. Taken from the
/// TCP connection (never from a header a client could write, unless the server is told it runs
/// behind a proxy: [`Senders`]); unknown when the router runs without connection info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The key the address is counted under: an IPv4 address, or the /64 network of an IPv6
    /// one (a single home or phone usually holds a whole /64).
    pub fn key(&self) -> String {
        match self.0.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            None => "unknown".to_owned(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// What a login typed is counted under in `login_attempts`: its SHA-256, so that a password
/// typed into the login field by mistake is not kept there readable.
pub fn login_key(login: &str) -> String {
    token_hash(login)
}

/// What password checks under way are counted by ([`CHECKS_PER_LOGIN`]): the login, apart for
/// attempts from its known computers and sessions (`known`), so that strangers' attempts never
/// take their places.
pub fn checking_key(login: &str, known: bool) -> String {
    format!("{} {login}", if known { "known" } else { "unknown" })
}

/// Who asks for a password to be checked, besides the login typed.
#[derive(Debug, Clone, Copy)]
pub enum Asker<'a> {
    /// A sign-in, with the sign-in key the browser kept from an earlier one, if it has one.
    SignIn { key: Option<&'a str> },
    /// A signed-in session (the current password of a password change).
    Session { token_hash: &'a str },
}

/// A right password, and the hash of the sign-in key of this account the attempt brought.
pub struct Checked {
    pub credentials: Credentials,
    pub known_key: Option<String>,
}

/// Checks the password of `login` with the attempt counts: `Ok(Some)` with the account when it
/// is right, `Ok(None)` when it is wrong or there is no such login, 429 while what the attempt
/// is counted for has to wait (nothing counted, nothing hashed) or when the hashing queue is
/// full. An attempt is counted for its session, for a sign-in key of the account named, or
/// else for the login and the address (see the module documentation). `login` must already be
/// valid ([`model::user::validate_login`]).
pub async fn check_password(
    db: &Db,
    checking: &ByPerson<String>,
    login: &str,
    addr: ClientAddr,
    asker: Asker<'_>,
    password: &str,
) -> AppResult<Option<Checked>> {
    let known_key = match asker {
        Asker::SignIn { key: Some(key) } if key.len() <= MAX_SIGN_IN_KEY_LEN => {
            let hash = token_hash(key);
            let holder = db.sign_in_key_login(&hash).await?;
            (holder.as_deref() == Some(login)).then_some(hash)
        }
        _ => None,
    };
    let address = addr.key();
    let counted_login = login_key(login);
    let counters = match (asker, &known_key) {
        (Asker::Session { token_hash }, _) => vec![Counter::Session(token_hash)],
        (_, Some(key)) => vec![Counter::Computer(key)],
        (_, None) => vec![Counter::Login(&counted_login), Counter::Address(&address)],
    };
    let known = !matches!(counters[0], Counter::Login(_));
    let Some(_underway) = checking.begin(checking_key(login, known), 1) else {
        return Err(ApiError {
            retry_after_secs: Some(5),
            ..ApiError::new(
                model::ErrorCode::TooManyAttempts,
                "С этой учётной записью сейчас входят на нескольких компьютерах сразу. \
                 Повторите через несколько секунд.",
            )
        }
        .into());
    };
    let permit = hasher().reserve()?;
    let now = now_ms();
    if let AttemptCount::Locked { until } =
        db.count_login_attempt(&counters, now, &THROTTLE).await?
    {
        let wait = ((until - now).max(1) + 999) / 1000;
        tracing::info!(%address, known, wait, "password attempt while waiting");
        let mut refusal = ApiError::too_many_attempts(wait as u64);
        if let Asker::Session { .. } = asker {
            refusal.message = format!(
                "Слишком много неверных попыток ввести текущий пароль. Подождите {} и \
                 попробуйте снова.",
                model::error::seconds_ru(wait as u64)
            );
        }
        return Err(refusal.into());
    }
    let credentials = db.credentials(login).await?;
    let hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let password = password.to_owned();
    // A right password under an older hash is hashed again, on the same hashing thread.
    let (ok, renewed) = permit
        .run(move || match hash {
            Some(hash) => {
                let ok = verify_password(&password, &hash);
                let renewed = (ok && outdated(&hash))
                    .then(|| hash_password(&password).ok())
                    .flatten();
                (ok, renewed)
            }
            None => (verify_password(&password, dummy_hash()), None),
        })
        .await?;
    match credentials {
        Some(c) if ok => {
            db.clear_login_attempts(&counters, now, THROTTLE.quiet_ms)
                .await?;
            if let Some(renewed) = renewed {
                db.renew_password_hash(c.profile.id, &c.password_hash, &renewed)
                    .await?;
            }
            Ok(Some(Checked {
                credentials: c,
                known_key,
            }))
        }
        // A login no account has is not written down: it may be a password typed into the
        // wrong field.
        Some(_) => {
            tracing::info!(%login, %address, known, "wrong password");
            Ok(None)
        }
        None => {
            tracing::info!(%address, known, "unknown login");
            Ok(None)
        }
    }
}

/// A sign-in that worked: the session's token, the sign-in key for this computer to keep, and
/// the account.
pub struct SignedIn {
    pub token: String,
    pub sign_in_key: String,
    pub profile: UserProfile,
}

/// Checks a login and password; on success opens a session and returns its token with the
/// computer's sign-in key (the one it brought, or a new one). A login that cannot exist gets
/// the same answer as a wrong password and is not counted or stored.
pub async fn login(
    db: &Db,
    checking: &ByPerson<String>,
    login: &str,
    password: &str,
    sign_in_key: Option<&str>,
    addr: ClientAddr,
) -> AppResult<SignedIn> {
    let Ok(login) = model::user::validate_login(login) else {
        return Err(ApiError::bad_credentials().into());
    };
    let asker = Asker::SignIn { key: sign_in_key };
    let checked = check_password(db, checking, &login, addr, asker, password)
        .await?
        .ok_or_else(ApiError::bad_credentials)?;
    let profile = checked.credentials.profile;
    if checked.credentials.disabled {
        db.audit(Some(profile.id), "login.disabled", &serde_json::json!({}))
            .await?;
        return Err(ApiError::account_disabled().into());
    }
    let token = new_token();
    let now = now_ms();
    db.create_session(
        &token_hash(&token),
        profile.id,
        now,
        now + SESSION_IDLE_MS,
        MAX_SESSIONS_PER_ACCOUNT,
    )
    .await?;
    let known = checked.known_key.is_some();
    let (sign_in_key, key_hash) = match (checked.known_key, sign_in_key) {
        (Some(hash), Some(key)) => (key.to_owned(), hash),
        _ => {
            let key = new_token();
            let hash = token_hash(&key);
            (key, hash)
        }
    };
    db.keep_sign_in_key(
        &key_hash,
        profile.id,
        now,
        now - SESSION_MAX_MS,
        MAX_SIGN_IN_KEYS_PER_ACCOUNT,
    )
    .await?;
    db.audit(
        Some(profile.id),
        "login",
        &serde_json::json!({ "known_computer": known }),
    )
    .await?;
    Ok(SignedIn {
        token,
        sign_in_key,
        profile,
    })
}

/// When a session opened at `created_at` and used at `now` expires: after the idle time, but
/// never after the absolute lifetime.
pub fn session_expiry(created_at: i64, now: i64) -> i64 {
    (now + SESSION_IDLE_MS).min(created_at + SESSION_MAX_MS)
}

/// The signed-in user of a request (from `Authorization: Bearer <token>`).
#[derive(Clone)]
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
        if session.expires_at <= now || session.created_at + SESSION_MAX_MS <= now {
            state.db.delete_session(&hash).await?;
            return Err(ApiError::unauthorized().into());
        }
        if session.disabled {
            // The device learns it (and deletes the account's data). The session stays, so
            // every request of it says the same, whichever answer the link loses; enabling the
            // account again ends it (`Db::set_disabled`).
            return Err(ApiError::account_disabled().into());
        }
        if now - session.last_seen_at > TOUCH_EVERY_MS {
            state
                .db
                .touch_session(&hash, now, session_expiry(session.created_at, now))
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
    fn new_hashes_take_7_mib_and_5_passes_and_older_hashes_still_verify() {
        let hash = hash_password("пароль").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        // An account made before, with argon2's default (19 MiB, 2 passes).
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let older = Argon2::default()
            .hash_password("старый пароль".as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert!(older.contains("$m=19456,t=2,p=1$"), "{older}");
        assert!(verify_password("старый пароль", &older));
        assert!(!verify_password("пароль", &older));
        assert!(outdated(&older));
        assert!(!outdated(&hash));
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
        let lock = |n| THROTTLE.lock_ms(n, FREE_FAILURES);
        assert_eq!(lock(FREE_FAILURES - 1), 0);
        assert_eq!(lock(FREE_FAILURES), 5_000);
        assert_eq!(lock(FREE_FAILURES + 1), 10_000);
        assert_eq!(lock(FREE_FAILURES + 3), 40_000);
        assert_eq!(lock(FREE_FAILURES + 40), 5 * 60_000);
        assert_eq!(lock(i64::MAX / 2), 5 * 60_000);
    }

    #[test]
    fn sessions_end_at_the_absolute_lifetime() {
        assert_eq!(session_expiry(0, 1_000), 1_000 + SESSION_IDLE_MS);
        let late = SESSION_MAX_MS - DAY_MS;
        assert_eq!(session_expiry(0, late), SESSION_MAX_MS);
    }

    #[test]
    fn addresses_are_counted_per_host_or_ipv6_network() {
        let key = |s: &str| ClientAddr(Some(s.parse().unwrap())).key();
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2::9"), key("2001:db8:1:2:ffff::1"));
        assert_eq!(ClientAddr(None).key(), "unknown");
    }

    #[tokio::test]
    async fn a_full_hashing_queue_refuses_at_once() {
        let hasher: &'static Hasher = Box::leak(Box::new(Hasher::new(1, 3)));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let first = hasher.reserve().unwrap();
        let busy = tokio::spawn(first.run(move || wait.recv().is_ok()));
        let second = hasher.reserve().unwrap();
        let third = hasher.reserve().unwrap();
        let refused = hasher.reserve().err().unwrap();
        assert_eq!(refused.code, model::ErrorCode::TooManyAttempts);
        assert!(refused.retry_after_secs.is_some());
        // A place is given back when its hash is done, or when it was never used.
        drop(second);
        let again = hasher.reserve().unwrap();
        release.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        let after = hasher.reserve().unwrap();
        assert_eq!(
            again.run(|| 1).await.unwrap() + after.run(|| 1).await.unwrap(),
            2
        );
        drop(third);
        assert_eq!(hasher.waiting.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn a_hashing_thread_with_nothing_more_to_do_gives_its_memory_back() {
        let hasher: &'static Hasher = Box::leak(Box::new(Hasher::new(1, 4)));
        let hash = hash_password("пароль").unwrap();
        let blocks = || BLOCKS.with(|b| b.borrow().capacity());
        // While a second hash waits, the first one's memory is kept for it.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (first, second) = (hasher.reserve().unwrap(), hasher.reserve().unwrap());
        let h = hash.clone();
        let busy = tokio::spawn(first.run(move || {
            let ok = verify_password("пароль", &h);
            wait.recv().unwrap();
            ok
        }));
        let queued = tokio::spawn(second.run(blocks));
        while hasher.queued.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        assert_eq!(
            queued.await.unwrap().unwrap(),
            new_hash_params().block_count()
        );
        // With nothing queued after it, the thread holds no blocks.
        let h = hash.clone();
        let alone = hasher.reserve().unwrap();
        assert!(
            alone
                .run(move || verify_password("пароль", &h))
                .await
                .unwrap()
        );
        assert_eq!(hasher.reserve().unwrap().run(blocks).await.unwrap(), 0);
    }
}
