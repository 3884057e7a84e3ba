//! The API over real HTTP: the same router as `nastavnik serve`, on a free port, with a fresh
//! database per test holding the test's own school and people (`people`).

mod common;

use common::MUNICIPALITY;
use model::api::{LoginResponse, SchoolList, UserSummary};
use model::{ApiError, ErrorCode, Role, School};
use reqwest::StatusCode;
use serde_json::json;
use server::{AppState, Db, demo};

struct TestApp {
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    url: String,
}

/// The test's own people, all with the password [`demo::DEMO_PASSWORD`]: the team of a school
/// (`team1`), its teacher (`teacher1`), a mentor assigned to it (`mentor1`), a mentor with no
/// schools (`curator1`), a moderator (`moderator1`) and the head (`head1`).
async fn people(db: &Db) {
    let school = common::insert_school(db, "Школа № 1 х. Тестовый").await;
    for (login, role, of) in [
        ("team1", Role::SchoolTeam, Some(school)),
        ("teacher1", Role::Teacher, Some(school)),
        ("mentor1", Role::Mentor, None),
        ("curator1", Role::Mentor, None),
        ("moderator1", Role::Moderator, None),
        ("head1", Role::Head, None),
    ] {
        let id = common::insert_user(db, login, role, of).await;
        if login == "mentor1" {
            db.assign(id, school).await.unwrap();
        }
    }
}

impl TestApp {
    async fn start() -> TestApp {
        TestApp::start_with(server::auth::Senders::Connection).await
    }

    async fn start_with(senders: server::auth::Senders) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = server::storage::scratch_database(dir.path()).await.unwrap();
        let db = Db::connect(&url).await.unwrap();
        people(&db).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server::serve(listener, AppState::new(db), senders));
        TestApp {
            base,
            http: reqwest::Client::new(),
            _dir: dir,
            url,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's database file, for tests that move time or read what was stored.
    async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url).await.unwrap()
    }

    async fn post(&self, token: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn users(&self, token: &str) -> Vec<UserSummary> {
        let res = self.get(token, "/api/users").await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    async fn user_id(&self, token: &str, login: &str) -> uuid::Uuid {
        self.users(token)
            .await
            .into_iter()
            .find(|u| u.profile.login == login)
            .unwrap()
            .profile
            .id
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
    let session = app.login("Team1 ").await;
    assert_eq!(session.profile.role, Role::SchoolTeam);
    assert_eq!(
        session.profile.school_name.as_deref(),
        Some("Школа № 1 х. Тестовый")
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
        app.login_raw("team1", "not the password").await,
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
        let res = app.login_raw("mentor1", "guess-guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password has to wait now.
    let res = app.login_raw("mentor1", demo::DEMO_PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    let err = api_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    assert!(err.retry_after_secs.unwrap() >= 1);
    assert!(err.message.contains("Подождите"), "{}", err.message);
    // Other accounts are not affected.
    app.login("team1").await;
}

#[tokio::test]
async fn school_user_cannot_call_head_only_endpoints() {
    let app = TestApp::start().await;
    let session = app.login("team1").await;
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
        .json(&json!({ "login": "team1", "password": huge }))
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

    // JSON of the wrong shape: the answer names the field, in Russian, with no English from
    // the parser.
    for (body, expected) in [
        (
            json!({"login": "team1"}),
            "Неверные данные запроса: нет поля «password».",
        ),
        (
            json!({"login": 123, "password": "x"}),
            "Неверные данные запроса: поле «login» заполнено неверно.",
        ),
        (
            json!("team1"),
            "Неверные данные запроса: ожидались данные другого вида.",
        ),
    ] {
        let res = app
            .http
            .post(app.url("/api/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = api_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert_eq!(err.message, expected, "for {body}");
    }

    // The same for the parameters in a request's address.
    let head = app.login("head1").await;
    let res = app
        .http
        .post(app.url("/api/indices/preview?name=a.csv&name=b.csv"))
        .bearer_auth(&head.token)
        .body("школа;год")
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        err.message,
        "Неверные параметры в адресе запроса: поле «name» указано дважды."
    );

    // What a layer or an extractor answers in plain text is JSON in Russian too: a path that is
    // not UTF-8, and a sync compressed in a way the server does not read.
    let res = app
        .http
        .get(app.url("/api/records/%FF"))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.code, ErrorCode::BadRequest);
    assert!(
        err.message.starts_with("Неверный запрос"),
        "{}",
        err.message
    );
    let res = app
        .http
        .post(app.url("/api/sync"))
        .bearer_auth(&head.token)
        .header("content-type", "application/json")
        .header("content-encoding", "compress")
        .body("x")
        .send()
        .await
        .unwrap();
    let err = api_error(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(err.message.contains("gzip"), "{}", err.message);

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
        assert_eq!(res.headers()["x-frame-options"], "DENY");
    }
    // The service worker's script: its policy is the worker's. (A server built without the
    // app's bundle has neither file.)
    let bundled = server::assets::find("/sw.js").is_some();
    let res = app.http.get(app.url("/sw.js")).send().await.unwrap();
    if bundled {
        assert_eq!(res.status(), StatusCode::OK);
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("connect-src 'self'"), "{csp}");
    }
    // An image, a module, the wasm: only what acts on them.
    let res = app.http.get(app.url("/icon.svg")).send().await.unwrap();
    if bundled {
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(!res.headers().contains_key("content-security-policy"));
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
    let head = app.login("head1").await;
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&head.token);

    // A new school.
    let res = auth(app.http.post(app.url("/api/schools")))
        .json(&json!({
            "name": "МБОУ СОШ № 9 ст. Луговая",
            "municipality": MUNICIPALITY,
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
        .json(&json!({ "name": "МБОУ СОШ № 9 ст. Луговая", "municipality": MUNICIPALITY, "locality": "rural" }))
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
    assert_eq!(all.schools.len(), 2, "the test's school and the new one");

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
    let shkola = users.iter().find(|u| u.profile.login == "team1").unwrap();
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
    let session = app.login("teacher1").await;
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

// ---- accounts hardening ----

/// `(failures, locked_until)` stored for a login name or a client address.
async fn attempts(pool: &sqlx::AnyPool, kind: &str, subject: &str) -> Option<(i64, i64)> {
    let subject = if kind == "login" {
        server::auth::login_key(subject)
    } else {
        subject.to_owned()
    };
    sqlx::query_as(
        "SELECT failures, locked_until FROM login_attempts WHERE kind = $1 AND subject = $2",
    )
    .bind(kind)
    .bind(subject)
    .fetch_optional(pool)
    .await
    .unwrap()
}

fn new_user(login: &str, role: &str, school: Option<uuid::Uuid>) -> serde_json::Value {
    json!({
        "login": login,
        "full_name": "Новый Пользователь",
        "role": role,
        "school_id": school,
        "password": "очень-секретно"
    })
}

#[tokio::test]
async fn a_moderator_creates_only_school_staff_and_teachers() {
    let app = TestApp::start().await;
    let moderator = app.login("moderator1").await;
    let school = app.login("team1").await.profile.school_id;

    for role in ["head", "moderator", "mentor", "curator"] {
        let res = app
            .post(
                &moderator.token,
                "/api/users",
                new_user(&format!("x-{role}"), role, None),
            )
            .await;
        let err = api_error(res, StatusCode::FORBIDDEN).await;
        assert_eq!(err.code, ErrorCode::Forbidden, "{role}");
        assert!(
            err.message.contains("Роль «Модератор» не может создавать"),
            "{role}: {}",
            err.message
        );
    }
    for (login, role) in [("new-team", "school_team"), ("new-teacher", "teacher")] {
        let res = app
            .post(
                &moderator.token,
                "/api/users",
                new_user(login, role, school),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{role}");
    }
    let logins: Vec<String> = app
        .users(&moderator.token)
        .await
        .into_iter()
        .map(|u| u.profile.login)
        .collect();
    assert!(!logins.iter().any(|l| l.starts_with("x-")), "{logins:?}");
    // The moderator's list holds the accounts it manages, and not the centre's.
    assert!(logins.contains(&"teacher1".to_owned()), "{logins:?}");
    for centre in ["head1", "mentor1", "curator1", "moderator1"] {
        assert!(!logins.contains(&centre.to_owned()), "{logins:?}");
    }

    // The centre head creates any role, another head included.
    let head = app.login("head1").await;
    for role in ["head", "moderator", "mentor", "curator"] {
        let res = app
            .post(
                &head.token,
                "/api/users",
                new_user(&format!("h-{role}"), role, None),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{role}");
    }
    // Nobody else creates accounts at all.
    let mentor = app.login("mentor1").await;
    let res = app
        .post(
            &mentor.token,
            "/api/users",
            new_user("m-teacher", "teacher", school),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_check_only_the_free_ones() {
    let app = TestApp::start().await;
    // Every request on a task of its own, all sent before any answer is read.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let request = app
                .http
                .post(app.url("/api/auth/login"))
                .json(&json!({ "login": "mentor1", "password": format!("guess-{i:02}") }));
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let mut checked = 0;
    let mut refused = 0;
    for res in answers {
        match res.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let err: ApiError = res.json().await.unwrap();
                assert_eq!(err.code, ErrorCode::TooManyAttempts);
                assert!(err.retry_after_secs.is_some_and(|s| s >= 1));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let free = server::auth::FREE_FAILURES as usize;
    assert_eq!((checked, refused), (free, 40 - free));
    // Only the checked attempts were counted, for the login and for the address.
    let pool = app.pool().await;
    let (login_failures, _) = attempts(&pool, "login", "mentor1").await.unwrap();
    let (address_failures, _) = attempts(&pool, "address", "127.0.0.1").await.unwrap();
    assert_eq!(
        (login_failures, address_failures),
        (free as i64, free as i64)
    );
}

#[tokio::test]
async fn logins_that_cannot_exist_are_refused_and_not_stored() {
    let app = TestApp::start().await;
    let long = "a".repeat(41);
    for login in ["иванова", "ab", long.as_str(), "drop table;", ""] {
        let err = api_error(
            app.login_raw(login, "whatever1").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(err.code, ErrorCode::BadCredentials, "{login:?}");
    }
    let pool = app.pool().await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

/// An account whose password was hashed with older, larger parameters (19 MiB) gets a hash
/// of the current ones when its owner signs in, and signs in with it after.
#[tokio::test]
async fn an_older_password_hash_is_made_again_at_sign_in() {
    use argon2::PasswordHasher;
    let app = TestApp::start().await;
    // An account made before, with argon2's default parameters.
    let salt = argon2::password_hash::SaltString::generate(&mut rand::rngs::OsRng);
    let older = argon2::Argon2::default()
        .hash_password(demo::DEMO_PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let user = model::NewUser {
        login: "starozhil".into(),
        full_name: "Давний Пользователь".into(),
        role: Role::Mentor,
        school_id: None,
        password: demo::DEMO_PASSWORD.into(),
    }
    .validated()
    .unwrap();
    let db = Db::connect(&app.url).await.unwrap();
    db.insert_user(&user, &older).await.unwrap().unwrap();
    let pool = app.pool().await;
    let stored = |pool: sqlx::AnyPool| async move {
        sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE login = $1")
            .bind("starozhil")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert!(stored(pool.clone()).await.contains("$m=19456,t=2,p=1$"));

    let signed_in = app.login("starozhil").await;
    let renewed = stored(pool.clone()).await;
    assert!(
        renewed.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{renewed}"
    );
    // The new hash is of the same password.
    assert_eq!(
        app.login("starozhil").await.profile.id,
        signed_in.profile.id
    );
    assert_eq!(
        stored(pool).await,
        renewed,
        "a current hash is kept as it is"
    );
}

#[tokio::test]
async fn the_right_password_works_once_the_wait_is_over() {
    let app = TestApp::start().await;
    let pool = app.pool().await;
    for _ in 0..server::auth::FREE_FAILURES {
        let res = app.login_raw("curator1", "guess-guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = attempts(&pool, "login", "curator1").await.unwrap();
    assert!(locked.1 > 0, "{locked:?}");

    // While the wait lasts even the right password is refused, and nothing is counted or made
    // longer: neither by the right password nor by more guesses.
    for password in [demo::DEMO_PASSWORD, "guess-again"] {
        let res = app.login_raw("curator1", password).await;
        let err = api_error(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(err.retry_after_secs.unwrap() <= 5, "{err:?}");
        assert_eq!(attempts(&pool, "login", "curator1").await.unwrap(), locked);
    }

    // The wait is over (moved back rather than waited for): the right password works and the
    // counts of the login and the address are cleared.
    sqlx::query("UPDATE login_attempts SET locked_until = locked_until - 60000")
        .execute(&pool)
        .await
        .unwrap();
    app.login("curator1").await;
    assert_eq!(attempts(&pool, "login", "curator1").await, None);
    assert_eq!(attempts(&pool, "address", "127.0.0.1").await, None);
}

#[tokio::test]
async fn waits_are_bounded_and_a_quiet_day_forgets() {
    let app = TestApp::start().await;
    let pool = app.pool().await;
    let now = server::storage::now_ms();
    // A thousand failures already, the last wait over.
    sqlx::query(
        "INSERT INTO login_attempts (kind, subject, failures, locked_until, last_at) \
         VALUES ('login', $3, 1000, $1, $2)",
    )
    .bind(now - 1)
    .bind(now - 60_000)
    .bind(server::auth::login_key("curator1"))
    .execute(&pool)
    .await
    .unwrap();
    let res = app.login_raw("curator1", "guess-guess").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let err = api_error(
        app.login_raw("curator1", demo::DEMO_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    let wait = err.retry_after_secs.unwrap();
    assert!((290..=300).contains(&wait), "at most 5 minutes: {wait}");

    // A day and more without attempts: the count starts again from one.
    sqlx::query(
        "UPDATE login_attempts SET locked_until = 0, last_at = last_at - 25 * 3600 * 1000 \
         WHERE kind = 'login'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let res = app.login_raw("curator1", "guess-guess").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        attempts(&pool, "login", "curator1").await.unwrap(),
        (1, 0),
        "forgotten, no wait"
    );
    app.login("curator1").await;
}

#[tokio::test]
async fn one_address_waits_after_many_failures_over_many_logins() {
    let app = TestApp::start().await;
    let pool = app.pool().await;
    let free = server::auth::ADDRESS_FREE_FAILURES;
    // Failures for other logins from this address, one short of the address's free attempts.
    sqlx::query(
        "INSERT INTO login_attempts (kind, subject, failures, locked_until, last_at) \
         VALUES ('address', '127.0.0.1', $1, 0, $2)",
    )
    .bind(free - 1)
    .bind(server::storage::now_ms())
    .execute(&pool)
    .await
    .unwrap();
    let res = app.login_raw("no.such.person", "guess-guess").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Any login from this address now waits, and the login itself is not counted.
    let err = api_error(
        app.login_raw("team1", demo::DEMO_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    assert_eq!(attempts(&pool, "login", "team1").await, None);
}

/// Behind a reverse proxy every connection comes from the proxy: attempts are counted by the
/// address the proxy appended last, never by what the client wrote before it; a server not told
/// it is behind a proxy ignores the header.
#[tokio::test]
async fn behind_a_proxy_each_sender_is_counted_apart() {
    let free = server::auth::ADDRESS_FREE_FAILURES;
    let almost = |pool: sqlx::AnyPool, address: &'static str| async move {
        sqlx::query(
            "INSERT INTO login_attempts (kind, subject, failures, locked_until, last_at) \
             VALUES ('address', $1, $2, 0, $3)",
        )
        .bind(address)
        .bind(free - 1)
        .bind(server::storage::now_ms())
        .execute(&pool)
        .await
        .unwrap();
    };
    let login_as = |app: &TestApp, forwarded: &str, password: &str| {
        app.http
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "login": "team1", "password": password }))
            .send()
    };
    let login = |app: &TestApp, forwarded: &str| login_as(app, forwarded, demo::DEMO_PASSWORD);

    let app = TestApp::start_with(server::auth::Senders::BehindProxy).await;
    almost(app.pool().await, "10.1.2.3").await;
    // One more failure from 10.1.2.3 (a different login, so that one is not what waits).
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", "10.1.2.3")
        .json(&json!({ "login": "no.such.person", "password": "guess-guess" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The school behind 10.1.2.3 waits, whatever it writes in the header itself.
    let res = login(&app, "10.1.2.3").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = login(&app, "10.7.7.7, 10.1.2.3").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another school does not.
    let res = login(&app, "10.1.2.3, 10.1.2.4").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Facing the network itself, the server counts the connection's address only.
    let app = TestApp::start().await;
    almost(app.pool().await, "127.0.0.1").await;
    let res = login_as(&app, "10.1.2.5", "guess-guess").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = login(&app, "10.1.2.4").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A login's password is checked a few times at once at most (a school's team signing in on
/// several computers): one account cannot fill the hashing queue that everybody's sign-ins
/// share with its own right password. One more meanwhile is told in words to try again;
/// other logins go on.
#[tokio::test]
async fn a_login_is_checked_a_few_times_at_once_at_most() {
    let checking = server::by_person::ByPerson::new(server::auth::CHECKS_PER_LOGIN);
    let shared = checking.clone();
    let app = common::TestApp::start_empty_with(move |state| AppState {
        checking_passwords: shared,
        ..state
    })
    .await;
    let school = app.add_school("Школа").await;
    let signer1 = app
        .add_user("signer1", Role::SchoolTeam, Some(school))
        .await;
    app.add_user("signer2", Role::SchoolTeam, Some(school))
        .await;
    let sign_in = |login: &'static str| {
        let http = app.http.clone();
        let url = format!("{}/api/auth/login", app.base);
        async move {
            http.post(url)
                .json(&json!({ "login": login, "password": demo::DEMO_PASSWORD }))
                .send()
                .await
                .unwrap()
        }
    };
    let underway: Vec<_> = (0..server::auth::CHECKS_PER_LOGIN)
        .map(|_| {
            let key = server::auth::checking_key("signer1", false);
            checking.begin(key, 1).unwrap()
        })
        .collect();
    let err = api_error(sign_in("signer1").await, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(err.message.contains("Повторите через"), "{}", err.message);
    assert_eq!(sign_in("signer2").await.status(), StatusCode::OK);
    // Checks from unknown computers (a stranger's, say) do not take the places of the login's
    // known computers: a sign-in with a key goes on, and those have places of their own, as
    // many for all the account's keys together.
    let with_key = |key: String| {
        app.http
            .post(format!("{}/api/auth/login", app.base))
            .json(
                &json!({ "login": "signer1", "password": demo::DEMO_PASSWORD, "sign_in_key": key }),
            )
            .send()
    };
    let first = signer1.sign_in_key.clone().unwrap();
    let res = with_key(first.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    drop(underway);
    let second: LoginResponse = sign_in("signer1").await.json().await.unwrap();
    let second = second.sign_in_key.unwrap();
    let known: Vec<_> = (0..server::auth::CHECKS_PER_LOGIN)
        .map(|_| {
            let key = server::auth::checking_key("signer1", true);
            checking.begin(key, 1).unwrap()
        })
        .collect();
    for key in [first, second] {
        let res = with_key(key).await.unwrap();
        api_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    }
    assert_eq!(sign_in("signer1").await.status(), StatusCode::OK);
    drop(known);
}

/// Each sign-in opens a session; an account keeps only its latest ones, so signing in again
/// and again (or on ever new computers) does not pile them up: the one used longest ago ends.
#[tokio::test]
async fn an_account_keeps_a_bounded_number_of_sessions() {
    let app = TestApp::start().await;
    let pool = app.pool().await;
    let keep = server::auth::MAX_SESSIONS_PER_ACCOUNT as usize;
    let first = app.login("teacher1").await;
    let mut later = Vec::new();
    for _ in 0..keep {
        later.push(app.login("teacher1").await.token);
    }
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(first.profile.id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions as usize, keep);
    // Each of those sign-ins came without a key, as from a new computer, and got one; the
    // account keeps as many keys as sessions.
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_keys WHERE user_id = $1")
        .bind(first.profile.id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keys, server::auth::MAX_SIGN_IN_KEYS_PER_ACCOUNT);
    assert_eq!(
        app.get(&first.token, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    for token in [&later[0], &later[keep - 1]] {
        assert_eq!(app.get(token, "/api/me").await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active() {
    let app = TestApp::start().await;
    let pool = app.pool().await;
    let day: i64 = 24 * 3600 * 1000;
    let session = app.login("teacher1").await;
    assert_eq!(
        app.get(&session.token, "/api/me").await.status(),
        StatusCode::OK
    );

    // Opened 179 days ago and used an hour and more ago: the expiry slides, but never past
    // the 180th day.
    sqlx::query(
        "UPDATE sessions SET created_at = created_at - 179 * $1, \
         last_seen_at = last_seen_at - 2 * 3600 * 1000",
    )
    .bind(day)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        app.get(&session.token, "/api/me").await.status(),
        StatusCode::OK
    );
    let (created, expires): (i64, i64) =
        sqlx::query_as("SELECT created_at, expires_at FROM sessions")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(expires, created + server::auth::SESSION_MAX_MS);

    // Used every day, but opened 180 days ago: over.
    sqlx::query("UPDATE sessions SET created_at = created_at - $1, expires_at = expires_at + $1")
        .bind(day)
        .execute(&pool)
        .await
        .unwrap();
    let err = api_error(
        app.get(&session.token, "/api/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err.code, ErrorCode::Unauthorized);

    // Unused for the idle time: over too.
    let session = app.login("teacher1").await;
    sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(server::storage::now_ms() - 1)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        app.get(&session.token, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(server::auth::SESSION_IDLE_MS, 60 * day);
}

#[tokio::test]
async fn a_password_change_keeps_this_session_and_ends_the_others() {
    let app = TestApp::start().await;
    let here = app.login("mentor1").await;
    let elsewhere = app.login("mentor1").await;
    let other_person = app.login("curator1").await;
    let change = |current: &str, new: &str| json!({ "current": current, "new": new });

    let refusals = [
        (change("wrong-password", "новый-пароль-1"), "current"),
        (change(demo::DEMO_PASSWORD, "1234567"), "new"),
        (change(demo::DEMO_PASSWORD, &"я".repeat(201)), "new"),
        (change(demo::DEMO_PASSWORD, demo::DEMO_PASSWORD), "new"),
        (change("", "новый-пароль-1"), "current"),
    ];
    for (body, field) in refusals {
        let res = app
            .post(&here.token, "/api/me/password", body.clone())
            .await;
        let err = api_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Validation, Some(field)),
            "{body}: {}",
            err.message
        );
    }
    // Without a session nothing is checked.
    let res = app
        .http
        .post(app.url("/api/me/password"))
        .json(&change(demo::DEMO_PASSWORD, "новый-пароль-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let res = app
        .post(
            &here.token,
            "/api/me/password",
            change(demo::DEMO_PASSWORD, "новый-пароль-1"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&here.token, "/api/me").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&elsewhere.token, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&other_person.token, "/api/me").await.status(),
        StatusCode::OK
    );
    // Every computer is a new one again: whoever knew the old password may hold a key.
    let pool = app.pool().await;
    let keys = || {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sign_in_keys WHERE user_id = $1")
            .bind(here.profile.id.to_string())
            .fetch_one(&pool)
    };
    assert_eq!(keys().await.unwrap(), 0);
    assert_eq!(
        app.login_raw("mentor1", demo::DEMO_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.login_raw("mentor1", "новый-пароль-1").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(keys().await.unwrap(), 1);

    // The change is audited, without any password.
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit WHERE action = 'password.change'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(details, vec![r#"{"other_sessions_ended":1}"#.to_owned()]);
    let everything: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        !everything
            .iter()
            .any(|d| d.contains("новый-пароль") || d.contains(demo::DEMO_PASSWORD)),
        "{everything:?}"
    );
}

/// The current password of a password change is counted for the session that sends it: the
/// last free wrong one in a row ends that session, so whoever took a signed-in computer cannot
/// go on guessing. A right one before that clears the count; the person's other sessions and
/// signing in again are not held up.
#[tokio::test]
async fn a_session_guessing_the_current_password_is_signed_out() {
    let app = TestApp::start().await;
    let session = app.login("team1").await;
    let wrong = json!({ "current": "wrong-password", "new": "новый-пароль-1" });
    let right = json!({ "current": demo::DEMO_PASSWORD, "new": "новый-пароль-1" });
    let guess = || app.post(&session.token, "/api/me/password", wrong.clone());
    for _ in 1..server::auth::FREE_FAILURES {
        assert_eq!(guess().await.status(), StatusCode::BAD_REQUEST);
    }
    let err = api_error(guess().await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(err.code, ErrorCode::Unauthorized);
    assert!(err.message.contains("выполнен выход"), "{}", err.message);
    let res = app.get(&session.token, "/api/me").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the session ended");
    let res = app
        .post(&session.token, "/api/me/password", right.clone())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let pool = app.pool().await;
    let guessed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE action = 'password.guessed'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(guessed, 1);

    // Another session: wrong guesses short of the bound, then the right password, clear the
    // count; the change is made.
    let other = app.login("team1").await;
    for _ in 1..server::auth::FREE_FAILURES {
        let res = app
            .post(&other.token, "/api/me/password", wrong.clone())
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app.post(&other.token, "/api/me/password", right).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get(&other.token, "/api/me").await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// Anybody may type somebody's login. Wrong passwords a stranger sends for it make the login
/// wait, but not the computer the person signed in on before: its sign-in key is counted apart,
/// with the same free attempts and waits, and a right password there gives the stranger no
/// fresh attempts. A key of another account, or a made-up one, counts as no key.
#[tokio::test]
async fn a_stranger_cannot_keep_a_person_out_of_their_own_computer() {
    let app = TestApp::start_with(server::auth::Senders::BehindProxy).await;
    let pool = app.pool().await;
    let sign_in = |from: &str, password: &str, key: Option<&str>| {
        app.http
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", from)
            .json(&json!({ "login": "team1", "password": password, "sign_in_key": key }))
            .send()
    };
    let school = "10.1.1.1";
    let stranger = "203.0.113.66";
    let first: LoginResponse = sign_in(school, demo::DEMO_PASSWORD, None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = first.sign_in_key.expect("a right password gives a key");
    let others: LoginResponse = app.login("mentor1").await;
    let others_key = others.sign_in_key.unwrap();

    for _ in 0..server::auth::FREE_FAILURES {
        let res = sign_in(stranger, "guess-guess", None).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = attempts(&pool, "login", "team1").await.unwrap();
    assert!(locked.1 > 0, "{locked:?}");
    // Without the key the login waits, wherever the attempt comes from, and so does anybody
    // bringing a key that is not this account's.
    for (from, key) in [
        (stranger, None),
        (school, None),
        (school, Some(others_key.as_str())),
        (school, Some("made-up")),
        (school, Some(&*"k".repeat(5000))),
    ] {
        let res = sign_in(from, demo::DEMO_PASSWORD, key).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{from} {key:?}"
        );
    }
    // The person's own computer signs in, keeps its key, and the stranger's count is untouched.
    let again: LoginResponse = sign_in(school, demo::DEMO_PASSWORD, Some(&key))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again.sign_in_key.as_deref(), Some(key.as_str()));
    assert_eq!(attempts(&pool, "login", "team1").await.unwrap(), locked);

    // A computer's own wrong passwords make that computer wait, as a login would.
    for _ in 0..server::auth::FREE_FAILURES {
        let res = sign_in(school, "typo-typo", Some(&key)).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in(school, demo::DEMO_PASSWORD, Some(&key))
        .await
        .unwrap();
    let err = api_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    // Another computer of the person, with a key of its own, is not held up by it.
    sqlx::query("UPDATE login_attempts SET locked_until = 0 WHERE kind = 'login'")
        .execute(&pool)
        .await
        .unwrap();
    let second: LoginResponse = sign_in("10.1.1.2", demo::DEMO_PASSWORD, None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second_key = second.sign_in_key.unwrap();
    assert_ne!(second_key, key, "each computer gets a key of its own");
    let res = sign_in("10.1.1.2", demo::DEMO_PASSWORD, Some(&second_key))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Someone who forgot their password gets a new one from the centre: the head or the moderator
/// (for the roles each manages) sets it, the account's sessions end, the old password no longer
/// works and the new one does; nobody resets their own, and a short one is refused in words.
#[tokio::test]
async fn the_centre_sets_a_new_password_for_someone_who_forgot_theirs() {
    let app = TestApp::start().await;
    let head = app.login("head1").await;
    let moderator = app.login("moderator1").await;
    let teacher = app.login("teacher1").await;
    let teacher_id = app.user_id(&head.token, "teacher1").await;
    let mentor_id = app.user_id(&head.token, "mentor1").await;
    let path = |id: uuid::Uuid| format!("/api/users/{id}/password");

    let err = api_error(
        app.post(
            &moderator.token,
            &path(teacher_id),
            json!({ "password": "short" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.field.as_deref(), Some("password"));
    assert!(err.message.contains("не менее"), "{}", err.message);
    let err = api_error(
        app.post(
            &moderator.token,
            &path(mentor_id),
            json!({ "password": "novyi-parol-1" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        err.message.contains("не может менять пароли"),
        "{}",
        err.message
    );
    let err = api_error(
        app.post(
            &head.token,
            &path(head.profile.id),
            json!({ "password": "novyi-parol-1" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(err.message.contains("Учётная запись"), "{}", err.message);
    let err = api_error(
        app.post(
            &teacher.token,
            &path(mentor_id),
            json!({ "password": "novyi-parol-1" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err.code, ErrorCode::Forbidden);
    // Still the old password, and the teacher still signed in.
    assert_eq!(
        app.get(&teacher.token, "/api/me").await.status(),
        StatusCode::OK
    );
    // Guessing at the forgotten password has made the login wait.
    for _ in 0..server::auth::FREE_FAILURES {
        app.login_raw("teacher1", "ne-pomnyu-parol").await;
    }
    assert_eq!(
        app.login_raw("teacher1", demo::DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let res = app
        .post(
            &moderator.token,
            &path(teacher_id),
            json!({ "password": "novyi-parol-1" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&teacher.token, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the sessions end"
    );
    let err = api_error(
        app.login_raw("teacher1", demo::DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err.code, ErrorCode::BadCredentials);
    assert_eq!(
        app.login_raw("teacher1", "novyi-parol-1").await.status(),
        StatusCode::OK,
        "the new password works at once, the wait lifted"
    );
    // Who did it is in the audit, the password is not.
    let logged: Vec<(String, String)> =
        sqlx::query_as("SELECT user_id, detail FROM audit WHERE action = 'user.password'")
            .fetch_all(&app.pool().await)
            .await
            .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].0, moderator.profile.id.to_string());
    assert!(!logged[0].1.contains("novyi-parol"), "{}", logged[0].1);
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_loses_its_sessions() {
    let app = TestApp::start().await;
    let head = app.login("head1").await;
    let teacher = app.login("teacher1").await;
    let teacher_id = app.user_id(&head.token, "teacher1").await;
    assert!(!app.users(&head.token).await.iter().any(|u| u.disabled));

    let disable = format!("/api/users/{teacher_id}/disable");
    let res = app.post(&head.token, &disable, json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Twice is not an error.
    let res = app.post(&head.token, &disable, json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Each device of the account is told at every request (and deletes the account's data
    // then), whichever answer its link loses; once the account is enabled again the token is
    // dead.
    let second = app.login_raw("teacher1", demo::DEMO_PASSWORD).await;
    assert_eq!(
        second.status(),
        StatusCode::FORBIDDEN,
        "no new session either"
    );
    let res = app
        .post(
            &teacher.token,
            "/api/sync",
            json!({ "protocol": 2, "device": "0a0a0a0a0a0a0a0a", "cursor": 0, "first_seq": 1, "changes": [] }),
        )
        .await;
    let err = api_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(err.code, ErrorCode::AccountDisabled);
    let err = api_error(
        app.get(&teacher.token, "/api/me").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err.code, ErrorCode::AccountDisabled);

    // The right password is told the account is disabled; a wrong one learns nothing.
    let err = api_error(
        app.login_raw("teacher1", demo::DEMO_PASSWORD).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err.code, ErrorCode::AccountDisabled);
    assert_eq!(
        err.message,
        "Учётная запись отключена. Обратитесь в наставнический центр."
    );
    let raw = app.login_raw("teacher1", demo::DEMO_PASSWORD).await;
    assert!(
        raw.text()
            .await
            .unwrap()
            .contains(r#""code":"account_disabled""#)
    );
    let err = api_error(
        app.login_raw("teacher1", "guess-guess").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err.code, ErrorCode::BadCredentials);

    let listed = app.users(&head.token).await;
    let row = listed.iter().find(|u| u.profile.id == teacher_id).unwrap();
    assert!(row.disabled);

    let res = app
        .post(
            &head.token,
            &format!("/api/users/{teacher_id}/enable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let err = api_error(
        app.get(&teacher.token, "/api/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err.code, ErrorCode::Unauthorized);
    // Enabled again, the account starts with no known computers.
    let pool = app.pool().await;
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_keys WHERE user_id = $1")
        .bind(teacher_id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keys, 0);
    let again = app.login("teacher1").await;
    assert_eq!(
        app.get(&again.token, "/api/me").await.status(),
        StatusCode::OK
    );
    assert!(!app.users(&head.token).await.iter().any(|u| u.disabled));

    // Who did what, in the audit.
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, user_id FROM audit WHERE action LIKE 'user.%able' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let by = head.profile.id.to_string();
    assert_eq!(
        actions,
        vec![
            ("user.disable".to_owned(), by.clone()),
            ("user.enable".to_owned(), by)
        ]
    );
}

#[tokio::test]
async fn who_may_disable_whom() {
    let app = TestApp::start().await;
    let head = app.login("head1").await;
    let moderator = app.login("moderator1").await;
    let mentor = app.login("mentor1").await;
    let id = |login: &'static str| {
        let app = &app;
        let token = head.token.clone();
        async move { app.user_id(&token, login).await }
    };
    let (teacher, mentor_id, moderator_id, head_id) = (
        id("teacher1").await,
        id("mentor1").await,
        id("moderator1").await,
        id("head1").await,
    );

    // The moderator: school staff and teachers only.
    let res = app
        .post(
            &moderator.token,
            &format!("/api/users/{teacher}/disable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for target in [mentor_id, head_id, moderator_id] {
        for action in ["disable", "enable"] {
            let res = app
                .post(
                    &moderator.token,
                    &format!("/api/users/{target}/{action}"),
                    json!({}),
                )
                .await;
            let err = api_error(res, StatusCode::FORBIDDEN).await;
            assert_eq!(err.code, ErrorCode::Forbidden, "{action} {target}");
        }
    }
    // Nobody switches off themselves, not even the head.
    let res = app
        .post(
            &head.token,
            &format!("/api/users/{head_id}/disable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The head: any other account, a moderator included.
    let res = app
        .post(
            &head.token,
            &format!("/api/users/{moderator_id}/disable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for _ in 0..2 {
        assert_eq!(
            app.get(&moderator.token, "/api/me").await.status(),
            StatusCode::FORBIDDEN,
            "told at every request that the account is disabled"
        );
    }
    // Other roles manage no accounts; an unknown id is 404.
    let res = app
        .post(
            &mentor.token,
            &format!("/api/users/{teacher}/enable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &head.token,
            &format!("/api/users/{}/disable", uuid::Uuid::nil()),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_person_has_only_a_few_syncs_under_way_at_once() {
    use tokio::io::AsyncWriteExt;
    let town = common::municipality().await;
    let app = &town.app;
    let token = town.team.token.clone();
    let sync = || {
        app.http
            .post(format!("{}/api/sync", app.base))
            .bearer_auth(&token)
            .json(&json!({
                "protocol": model::sync::PROTOCOL_VERSION,
                "device": "0123456789abcdef",
                "cursor": 0
            }))
            .send()
    };
    // Large syncs whose bodies never finish arriving (a slow link, or someone holding them
    // open), as many as one person may have.
    let address = app.base.trim_start_matches("http://").to_owned();
    let largest = server::routes::sync::SYNC_BODY_LIMIT;
    let open_slow = || {
        let address = address.clone();
        let token = token.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(&address).await.unwrap();
            s.write_all(
                format!(
                    "POST /api/sync HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
                     Content-Type: application/json\r\nContent-Length: {largest}\r\n\r\n{{"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
            s
        }
    };
    let mut slow = Vec::new();
    for _ in 0..server::routes::sync::SYNC_BYTES_PER_PERSON / largest as u64 {
        slow.push(open_slow().await);
    }
    // One more, however small, is told to wait, in words, once the others are under way. (A
    // small sync still under way when a large one arrived may have had that one told to wait:
    // it is opened again.)
    let mut told = None;
    for _ in 0..100 {
        for s in &mut slow {
            let mut buf = [0u8; 64];
            if s.try_read(&mut buf).is_ok() {
                *s = open_slow().await;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let res = sync().await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(res.headers()["retry-after"], "5");
            told = Some(api_error(res, StatusCode::TOO_MANY_REQUESTS).await);
            break;
        }
        assert_eq!(res.status(), StatusCode::OK);
    }
    let told = told.expect("one more sync at once was refused");
    assert_eq!(told.code, ErrorCode::TooManyAttempts);
    assert!(
        told.message.contains("несколько обменов"),
        "{}",
        told.message
    );
    // Another person is not held up.
    let other = app
        .http
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(&town.mentor.token)
        .json(&json!({
            "protocol": model::sync::PROTOCOL_VERSION,
            "device": "fedcba9876543210",
            "cursor": 0
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    // Once those connections end, the person syncs again.
    drop(slow);
    let mut again = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..100 {
        again = sync().await.unwrap().status();
        if again == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(again, StatusCode::OK);
}
