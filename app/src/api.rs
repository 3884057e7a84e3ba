//! Every call to the server goes through this module. A failure is either "no connection"
//! (the request never got an answer) or an [`ApiError`] from the server, so pages can tell
//! offline from unauthorised from invalid. The shell's few calls go through the browser's
//! `fetch` ([`shell_call`]), the pages' through reqwest; both judge an answer the same way.

use model::api::{
    Assignment, Health, LoginRequest, LoginResponse, PasswordChange, SchoolList, UserSummary,
};
use model::{ApiError, ErrorCode, NewSchool, NewUser, School, UserProfile};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

use crate::connectivity;

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer from the server: no network, or the server is down.
    Offline,
    Api(ApiError),
}

impl Failure {
    /// What to tell the user, in plain Russian.
    pub fn message(&self) -> String {
        match self {
            Failure::Offline => "Нет связи с сервером. Проверьте подключение к интернету и \
                                 повторите попытку чуть позже."
                .to_owned(),
            Failure::Api(e) => e.message.clone(),
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Failure::Api(e) if e.code == ErrorCode::Unauthorized)
    }

    /// The centre disabled the account: sign out and forget its data on this computer.
    pub fn is_account_disabled(&self) -> bool {
        matches!(self, Failure::Api(e) if e.code == ErrorCode::AccountDisabled)
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Failure::Api(e) => e.field.as_deref(),
            Failure::Offline => None,
        }
    }
}

fn url(path: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{}{path}", model::api::API_PREFIX)
}

/// Tells the app whether the server answered (the connection status listens,
/// [`crate::connectivity`]).
fn report(reachable: bool) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&reachable.into());
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict(connectivity::REACHABLE, &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// No answer: the connection is down (said to the connection status).
fn offline() -> Failure {
    report(false);
    Failure::Offline
}

/// Judges an answer by its status: `Ok(true)` for success, `Ok(false)` for an error the server
/// explains in its body, [`Failure::Offline`] for a proxy's answer in front of a stopped server
/// (502–504 without our JSON). Any other answer means the server is reachable.
fn judge(status: u16, content_type: Option<&str>) -> Result<bool, Failure> {
    let from_us = content_type.is_some_and(|v| v.starts_with("application/json"));
    if matches!(status, 502..=504) && !from_us {
        return Err(offline());
    }
    report(true);
    Ok((200..300).contains(&status))
}

/// The server's refusal, from the body of an unsuccessful answer.
fn refusal(status: u16, body: &[u8]) -> Failure {
    Failure::Api(serde_json::from_slice::<ApiError>(body).unwrap_or_else(|_| {
        ApiError::new(
            ErrorCode::Internal,
            format!(
                "Сервер ответил неожиданно (код {status}). Данные не потеряны; повторите попытку позже."
            ),
        )
    }))
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|_| {
        Failure::Api(ApiError::new(
            ErrorCode::Internal,
            "Ответ сервера не удалось прочитать. Возможно, приложение устарело: обновите страницу.",
        ))
    })
}

/// How long the connection check waits for the server's answer before it counts as no
/// connection. A school's router that lost its uplink leaves requests open for minutes, and
/// the browser does not end them by itself.
const HEALTH_WAIT_MS: u32 = 15_000;
/// How long the shell's other calls wait (a sign-in may wait its turn for the password check).
const SHELL_WAIT_MS: u32 = 45_000;
/// How long a page's call waits for its whole answer, besides the time its body takes at
/// [`SLOW_LINK_BYTES_PER_SEC`]; a call may set a longer wait of its own (a spreadsheet).
const ANSWER_WAIT_MS: u64 = 60_000;
/// A third of a rural 2G link's 250 kbit/s: the pace a request's body is allowed.
const SLOW_LINK_BYTES_PER_SEC: u64 = 10_000;

/// A call of the app's shell (the connection check, sign-in, the profile, sign-out) through
/// the browser's own `fetch`: the first page a new computer loads then carries no HTTP library
/// (reqwest comes with the pages' code, in the chunk `work`). Returns the body of a successful
/// answer.
async fn shell_call(
    method: &str,
    path: &str,
    token: Option<&str>,
    json_body: Option<String>,
) -> Result<Vec<u8>, Failure> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    // Ended when no whole answer came in time (the timer lives until the body is read).
    let wait = if path == "/health" {
        HEALTH_WAIT_MS
    } else {
        SHELL_WAIT_MS
    };
    let abort = web_sys::AbortController::new().ok();
    let _timer = abort.clone().map(|abort| {
        init.set_signal(Some(&abort.signal()));
        gloo_timers::callback::Timeout::new(wait, move || abort.abort())
    });
    let headers = web_sys::Headers::new().map_err(|_| offline())?;
    if let Some(token) = token {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = json_body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(&url(path), &init).map_err(|_| offline())?;
    let window = web_sys::window().ok_or(Failure::Offline)?;
    let answer: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or_else(offline)?;
    let content_type = answer.headers().get("content-type").ok().flatten();
    let success = judge(answer.status(), content_type.as_deref())?;
    // An answer cut off on the way is a connection problem, not a server error.
    let buffer = JsFuture::from(answer.array_buffer().map_err(|_| offline())?)
        .await
        .map_err(|_| offline())?;
    let body = js_sys::Uint8Array::new(&buffer).to_vec();
    if success {
        Ok(body)
    } else {
        Err(refusal(answer.status(), &body))
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends a request of a page; an answer of any kind means the server is reachable. No whole
/// answer within its wait ([`ANSWER_WAIT_MS`] and the time its body takes on a slow link, or
/// the call's own) counts as no connection.
async fn send(req: reqwest::RequestBuilder) -> Result<reqwest::Response, Failure> {
    let (client, request) = req.build_split();
    let mut request = request.map_err(|_| offline())?;
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .map_or(0, |b| b.len() as u64);
    request.timeout_mut().get_or_insert(Duration::from_millis(
        ANSWER_WAIT_MS + body * 1000 / SLOW_LINK_BYTES_PER_SEC,
    ));
    let res = client.execute(request).await.map_err(|_| offline())?;
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    if judge(status, content_type)? {
        return Ok(res);
    }
    let body = res.bytes().await.unwrap_or_default();
    Err(refusal(status, &body))
}

async fn json<T: DeserializeOwned>(req: reqwest::RequestBuilder) -> Result<T, Failure> {
    // An answer cut off on the way is a connection problem, not a server error.
    let body = send(req).await?.bytes().await.map_err(|_| offline())?;
    decode(&body)
}

fn get(path: &str, token: &str) -> reqwest::RequestBuilder {
    client().get(url(path)).bearer_auth(token)
}

fn post<B: Serialize>(path: &str, token: &str, body: &B) -> reqwest::RequestBuilder {
    client().post(url(path)).bearer_auth(token).json(body)
}

pub async fn health() -> Result<Health, Failure> {
    decode(&shell_call("GET", "/health", None, None).await?)
}

pub async fn login(
    login: &str,
    password: &str,
    sign_in_key: Option<String>,
) -> Result<LoginResponse, Failure> {
    let body = LoginRequest {
        login: login.to_owned(),
        password: password.to_owned(),
        sign_in_key,
    };
    let body = serde_json::to_string(&body).unwrap_or_default();
    decode(&shell_call("POST", "/auth/login", None, Some(body)).await?)
}

pub async fn logout(token: &str) -> Result<(), Failure> {
    shell_call("POST", "/auth/logout", Some(token), None)
        .await
        .map(|_| ())
}

/// The id of this person's anonymous response to a campaign (only the server can make it).
pub async fn anonymous_ticket(
    token: &str,
    campaign: uuid::Uuid,
) -> Result<model::api::AnonymousTicket, Failure> {
    json(
        client()
            .post(url(&format!("/campaigns/{campaign}/anonymous")))
            .bearer_auth(token),
    )
    .await
}

/// The results of a campaign in aggregate (anonymous forms are shown only so).
pub async fn campaign_summary(
    token: &str,
    campaign: uuid::Uuid,
) -> Result<model::api::CampaignSummary, Failure> {
    json(get(&format!("/campaigns/{campaign}/summary"), token)).await
}

/// The municipal medians of a form's figures (forms that show them).
pub async fn campaign_medians(
    token: &str,
    campaign: uuid::Uuid,
) -> Result<model::api::Medians, Failure> {
    json(get(&format!("/campaigns/{campaign}/medians"), token)).await
}

pub async fn me(token: &str) -> Result<UserProfile, Failure> {
    decode(&shell_call("GET", "/me", Some(token), None).await?)
}

/// Changes the signed-in person's password; the person's other sessions end.
pub async fn change_password(token: &str, change: &PasswordChange) -> Result<(), Failure> {
    send(post("/me/password", token, change)).await.map(|_| ())
}

pub async fn schools(token: &str) -> Result<Vec<School>, Failure> {
    json::<SchoolList>(get("/schools", token))
        .await
        .map(|l| l.schools)
}

/// The centre's specialists a school may ask for a consultation.
pub async fn specialists(token: &str) -> Result<Vec<model::api::Specialist>, Failure> {
    json::<model::api::SpecialistList>(get("/specialists", token))
        .await
        .map(|l| l.specialists)
}

pub async fn create_school(token: &str, school: &NewSchool) -> Result<School, Failure> {
    json(post("/schools", token, school)).await
}

pub async fn users(token: &str) -> Result<Vec<UserSummary>, Failure> {
    json(get("/users", token)).await
}

pub async fn create_user(token: &str, user: &NewUser) -> Result<UserSummary, Failure> {
    json(post("/users", token, user)).await
}

/// Sets a school's flags (ШНОР, ШССУ, школа-наставник); the centre head only.
pub async fn set_school_flags(
    token: &str,
    school: uuid::Uuid,
    flags: &model::SchoolFlags,
) -> Result<model::SchoolFlags, Failure> {
    json(
        client()
            .put(url(&format!("/schools/{school}/flags")))
            .bearer_auth(token)
            .json(flags),
    )
    .await
}

/// Sends a file of regional indices: read and checked only (`commit` false), or imported,
/// all or nothing. The answer lists the rows, the problems and how many rows were written.
pub async fn indices_file(
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    commit: bool,
) -> Result<model::monitoring::import::Parsed, Failure> {
    let path = if commit {
        "/indices/import"
    } else {
        "/indices/preview"
    };
    let name = String::from(js_sys::encode_uri_component(name));
    json(
        client()
            .post(url(&format!("{path}?name={name}")))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes),
    )
    .await
}

/// Disables or enables an account.
pub async fn set_disabled(token: &str, user: uuid::Uuid, disabled: bool) -> Result<(), Failure> {
    let action = if disabled { "disable" } else { "enable" };
    send(
        client()
            .post(url(&format!("/users/{user}/{action}")))
            .bearer_auth(token),
    )
    .await
    .map(|_| ())
}

/// Sets a new password for an account the person manages.
pub async fn reset_password(
    token: &str,
    user: uuid::Uuid,
    reset: &model::api::PasswordReset,
) -> Result<(), Failure> {
    send(post(&format!("/users/{user}/password"), token, reset))
        .await
        .map(|_| ())
}

/// Assigns (`on`) or unassigns a school to a mentor or curator.
pub async fn set_assignment(token: &str, a: &Assignment, on: bool) -> Result<(), Failure> {
    let path = url(&format!("/users/{}/schools/{}", a.user_id, a.school_id));
    let req = if on {
        client().put(path)
    } else {
        client().delete(path)
    };
    send(req.bearer_auth(token)).await.map(|_| ())
}

/// One sync round trip. The body goes gzip-compressed where the browser can compress.
pub async fn sync(
    token: &str,
    request: &model::sync::SyncRequest,
) -> Result<model::sync::SyncResponse, Failure> {
    let body = serde_json::to_vec(request).unwrap_or_default();
    let mut req = client()
        .post(url("/sync"))
        .bearer_auth(token)
        .header("content-type", "application/json");
    req = match crate::browser::gzip(&body).await {
        Some(compressed) => req.header("content-encoding", "gzip").body(compressed),
        None => req.body(body),
    };
    json(req).await
}

/// Starts the clock of a timed test on the server (the first start counts).
pub async fn start_test(
    token: &str,
    start: &model::api::TestStart,
) -> Result<model::api::TestStarted, Failure> {
    json(post("/tests/start", token, start)).await
}

/// Uploads a form template (the text of a template file); the centre head only.
pub async fn upload_template(
    token: &str,
    text: String,
) -> Result<model::api::TemplateInstalled, Failure> {
    json(
        client()
            .post(url("/templates"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(text),
    )
    .await
}

/// How much of a file the server holds.
pub async fn file_progress(
    token: &str,
    sha256: &str,
) -> Result<model::files::FileProgress, Failure> {
    json(get(&format!("/files/{sha256}"), token)).await
}

/// Sends the piece of a file that starts at `start`; the answer says where to go on from.
pub async fn file_chunk(
    token: &str,
    sha256: &str,
    size: u64,
    start: u64,
    bytes: Vec<u8>,
) -> Result<model::files::FileProgress, Failure> {
    json(
        client()
            .post(url(&format!(
                "/files/{sha256}/chunks?start={start}&size={size}"
            )))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes),
    )
    .await
}

/// Shows the server this computer has the whole of a file it already holds.
pub async fn file_proof(
    token: &str,
    sha256: &str,
    proof: &model::files::FileProof,
) -> Result<model::files::FileProgress, Failure> {
    json(post(&format!("/files/{sha256}/proof"), token, proof)).await
}

/// Bytes `from..=to` of the file an attachment record names, and whether the server sent the
/// whole file instead (a server that does not send parts). `None`: the server answered but the
/// answer was cut on the way.
pub async fn attached_file_part(
    token: &str,
    attachment: uuid::Uuid,
    (from, to): (u64, u64),
) -> Result<Option<(Vec<u8>, bool)>, Failure> {
    let res = send(
        get(&format!("/records/{attachment}/file"), token)
            .header("range", format!("bytes={from}-{to}")),
    )
    .await?;
    let whole = res.status().as_u16() == 200;
    Ok(res.bytes().await.ok().map(|bytes| (bytes.to_vec(), whole)))
}

/// Downloads a file the API makes (an XLSX export) and hands it to the browser to save.
pub async fn download(token: &str, path: &str, file_name: &str) -> Result<(), Failure> {
    use wasm_bindgen::JsCast;
    // A spreadsheet of a whole year takes its time to make and to arrive over 2G.
    let res = send(get(path, token).timeout(Duration::from_secs(600))).await?;
    let bytes = res.bytes().await.map_err(|_| offline())?;
    let array = js_sys::Uint8Array::from(bytes.as_ref());
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let saved = (|| {
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let doc = web_sys::window()?.document()?;
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(file_name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Some(())
    })();
    saved.ok_or_else(|| {
        Failure::Api(model::ApiError::new(
            model::ErrorCode::Internal,
            "Браузер не смог сохранить файл.",
        ))
    })
}
