//! The API over real HTTP: the same router as `nastavnik serve`, on a free port, with a fresh
//! SQLite file per test and the demo municipality loaded.

use model::api::{LoginResponse, SchoolList, UserSummary};
use model::{ApiError, ErrorCode, Role, School};
use reqwest::StatusCode;
use serde_json::json;
use server::{AppState, Db, demo};

struct TestApp {
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn start() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url).await.unwrap();
        demo::load(&db).await.unwrap().expect("fresh database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server::serve(listener, AppState { db }));
        TestApp {
            base,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn login_raw(&self, login: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/auth/login"))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, login: &str) -> LoginResponse {
        let res = self.login_raw(login, demo::DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

async fn api_error(res: reqwest::Response, status: StatusCode) -> ApiError {
    assert_eq!(res.status(), status);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    res.json().await.unwrap()
}

#[tokio::test]
async fn login_gives_a_session_that_logout_revokes() {
    let app = TestApp::start().await;
    let session = app.login("Shkola ").await;
    assert_eq!(session.profile.role, Role::SchoolTeam);
    assert_eq!(
        session.profile.school_name.as_deref(),
        Some("МБОУ СОШ № 4 х. Ольховый")
    );

    let me = app
        .http
        .get(app.url("/api/me"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.headers()["cache-control"], "no-store");

    let out = app
        .http
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);

    let me = app
        .http
        .get(app.url("/api/me"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    let err = api_error(me, StatusCode::UNAUTHORIZED).await;
    assert_eq!(err.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn wrong_password_is_a_clear_error() {
    let app = TestApp::start().await;
    let err = api_error(
        app.login_raw("shkola", "not the password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err.code, ErrorCode::BadCredentials);
    assert!(
        err.message.contains("Неверный логин или пароль"),
        "{}",
        err.message
    );

    let err = api_error(
        app.login_raw("nobody", "whatever1").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        err.code,
        ErrorCode::BadCredentials,
        "an unknown login looks the same"
    );
}

#[tokio::test]
async fn repeated_failures_are_slowed_down() {
    let app = TestApp::start().await;
    for _ in 0..server::auth::FREE_FAILURES {
        let res = app.login_raw("nastavnik", "guess-guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password has to wait now.
    let res = app.login_raw("nastavnik", demo::DEMO_PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    let err = api_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    assert!(err.retry_after_secs.unwrap() >= 1);
    assert!(err.message.contains("Подождите"), "{}", err.message);
    // Other accounts are not affected.
    app.login("shkola").await;
}

#[tokio::test]
async fn school_user_cannot_call_head_only_endpoints() {
    let app = TestApp::start().await;
    let session = app.login("shkola").await;
    let res = app
        .http
        .post(app.url("/api/schools"))
        .bearer_auth(&session.token)
        .json(&json!({ "name": "Новая", "municipality": "М", "locality": "rural" }))
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(err.code, ErrorCode::Forbidden);

    let res = app
        .http
        .get(app.url("/api/users"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = app.http.get(app.url("/api/schools")).send().await.unwrap();
    let err = api_error(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(err.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn oversized_body_is_refused_with_413() {
    let app = TestApp::start().await;
    let huge = "я".repeat(server::error::BODY_LIMIT);
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({ "login": "shkola", "password": huge }))
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(err.code, ErrorCode::PayloadTooLarge);
    assert!(err.message.contains("Слишком большой"), "{}", err.message);
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let app = TestApp::start().await;
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        api_error(res, StatusCode::BAD_REQUEST).await.code,
        ErrorCode::BadRequest
    );

    let res = app
        .http
        .get(app.url("/api/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api_error(res, StatusCode::NOT_FOUND).await.code,
        ErrorCode::NotFound
    );

    let res = app
        .http
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api_error(res, StatusCode::METHOD_NOT_ALLOWED).await.code,
        ErrorCode::MethodNotAllowed
    );
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::start().await;
    // The app's pages: only its own scripts and wasm.
    for path in ["/", "/school"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
    // API answers: nothing at all may load or run from them.
    for path in ["/api/health", "/api/nope"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            res.headers()["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn head_manages_schools_users_and_assignments() {
    let app = TestApp::start().await;
    let head = app.login("rukovoditel").await;
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&head.token);

    // A new school.
    let res = auth(app.http.post(app.url("/api/schools")))
        .json(&json!({
            "name": "МБОУ СОШ № 9 ст. Луговая",
            "municipality": demo::DEMO_MUNICIPALITY,
            "locality": "rural",
            "low_results": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let school: School = res.json().await.unwrap();
    assert_eq!(school.flags_label(), "ШНОР");

    // The same name again is a conflict; an empty name names the field.
    let res = auth(app.http.post(app.url("/api/schools")))
        .json(&json!({ "name": "МБОУ СОШ № 9 ст. Луговая", "municipality": demo::DEMO_MUNICIPALITY, "locality": "rural" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api_error(res, StatusCode::CONFLICT).await.code,
        ErrorCode::Conflict
    );
    let res = auth(app.http.post(app.url("/api/schools")))
        .json(&json!({ "name": " ", "municipality": "М", "locality": "rural" }))
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Validation, Some("name"))
    );

    // A new mentor, assigned to the new school.
    let res = auth(app.http.post(app.url("/api/users")))
        .json(&json!({
            "login": "mentor2",
            "full_name": "Новикова Елена Сергеевна",
            "role": "mentor",
            "password": "очень-секретно"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let mentor: UserSummary = res.json().await.unwrap();
    let res = auth(app.http.put(app.url(&format!(
        "/api/users/{}/schools/{}",
        mentor.profile.id, school.id
    ))))
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // A duplicate login is refused and names the field.
    let res = auth(app.http.post(app.url("/api/users")))
        .json(&json!({ "login": "MENTOR2", "full_name": "Другой", "role": "mentor", "password": "12345678" }))
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::CONFLICT).await;
    assert_eq!(err.field.as_deref(), Some("login"));

    // The mentor sees exactly the assigned school; the head sees all six.
    let mentor_session: LoginResponse = app
        .login_raw("mentor2", "очень-секретно")
        .await
        .json()
        .await
        .unwrap();
    let visible: SchoolList = app
        .http
        .get(app.url("/api/schools"))
        .bearer_auth(&mentor_session.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(visible.schools, vec![school.clone()]);
    let all: SchoolList = auth(app.http.get(app.url("/api/schools")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.schools.len(), 6);

    let users: Vec<UserSummary> = auth(app.http.get(app.url("/api/users")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = users.iter().find(|u| u.profile.login == "mentor2").unwrap();
    assert_eq!(listed.assigned_school_ids, vec![school.id]);

    // A school user cannot be assigned schools.
    let shkola = users.iter().find(|u| u.profile.login == "shkola").unwrap();
    let res = auth(app.http.put(app.url(&format!(
        "/api/users/{}/schools/{}",
        shkola.profile.id, school.id
    ))))
    .send()
    .await
    .unwrap();
    assert_eq!(
        api_error(res, StatusCode::BAD_REQUEST).await.code,
        ErrorCode::Validation
    );
}

#[tokio::test]
async fn school_staff_see_only_their_school() {
    let app = TestApp::start().await;
    let session = app.login("pedagog").await;
    let visible: SchoolList = app
        .http
        .get(app.url("/api/schools"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(visible.schools.len(), 1);
    assert_eq!(Some(visible.schools[0].id), session.profile.school_id);
}
