//! The one place where failures become HTTP responses: an [`ApiError`] is sent as JSON with the
//! status of its code; an internal error is logged with its cause and the user gets a plain
//! "internal error" message.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

/// The body limit of REST requests.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<crate::storage::StoreError> for AppError {
    fn from(e: crate::storage::StoreError) -> Self {
        use crate::storage::StoreError;
        match e {
            StoreError::NotFound => ApiError::not_found().into(),
            StoreError::Conflict => ApiError::conflict("Такая запись уже есть.").into(),
            StoreError::Db(e) => AppError::Internal(e.into()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let api = match self {
            AppError::Api(api) => api,
            AppError::Internal(cause) if crate::storage::caused_by_full_disk(&cause) => {
                tracing::error!(error = ?cause, "the database's disk is full: free room on it");
                ApiError::storage_full()
            }
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                ApiError::internal()
            }
        };
        api_error_response(api)
    }
}

pub fn api_error_response(api: ApiError) -> Response {
    let status =
        StatusCode::from_u16(api.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry_after = api.retry_after_secs;
    let mut response = (status, axum::Json(api)).into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// `axum::Json` whose rejections are [`ApiError`]s (a too large body is 413, bad JSON is 400).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection).into()),
        }
    }
}

/// `axum::extract::Query` whose rejections are [`ApiError`]s naming the parameter in words
/// (axum's own answer is English plain text).
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "unreadable query string");
                let problem = shape_problem(&rejection)
                    .unwrap_or_else(|| "ожидались данные другого вида".into());
                Err(ApiError::bad_request(format!(
                    "Неверные параметры в адресе запроса: {problem}."
                ))
                .into())
            }
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::payload_too_large();
    }
    tracing::debug!(%rejection, "unreadable request body");
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("Запрос должен содержать данные в формате JSON.")
        }
        JsonRejection::JsonDataError(e) => ApiError::bad_request(match shape_problem(&e) {
            Some(problem) => format!("Неверные данные запроса: {problem}."),
            None => "В запросе не хватает данных или они неверного вида.".into(),
        }),
        _ => ApiError::bad_request("Данные запроса повреждены и не могут быть прочитаны."),
    }
}

/// What is wrong with a body that is JSON but not of the expected shape (or with a query
/// string), in words: the field that is missing, unknown or given twice, or the one whose value
/// is of the wrong kind (the path the JSON extractor recorded, e.g. `changes[0].change.fields`).
fn shape_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(e);
    let mut innermost = e;
    while let Some(err) = source {
        if let Some(found) = err.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
            return described(&found.path().to_string(), &found.inner().to_string());
        }
        innermost = err;
        source = err.source();
    }
    // No recorded path (a query string): serde's own words at the innermost cause.
    described(".", &innermost.to_string())
}

/// serde's words (`inner`, about the value at `path`) in Russian.
fn described(path: &str, inner: &str) -> Option<String> {
    // serde names the field between backquotes: "missing field `device` at line 1 …".
    let field = || {
        let name = inner.split('`').nth(1)?;
        Some(if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        })
    };
    Some(if inner.starts_with("missing field") {
        format!("нет поля «{}»", field()?)
    } else if inner.starts_with("unknown field") {
        format!("лишнее поле «{}»", field()?)
    } else if inner.starts_with("duplicate field") {
        format!("поле «{}» указано дважды", field()?)
    } else if path == "." {
        "ожидались данные другого вида".to_owned()
    } else {
        format!("поле «{path}» заполнено неверно")
    })
}

/// A raw request body (an uploaded file) whose rejections are [`ApiError`]s: a too large body
/// is 413 in words, like every other failure.
pub struct ApiBytes(pub axum::body::Bytes);

impl<S> FromRequest<S> for ApiBytes
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(ApiBytes(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::payload_too_large().into())
            }
            Err(rejection) => {
                tracing::debug!(%rejection, "unreadable request body");
                Err(
                    ApiError::bad_request("Файл не дошёл до сервера целиком: повторите загрузку.")
                        .into(),
                )
            }
        }
    }
}

/// The answer for an API path that does not exist.
pub async fn api_not_found() -> AppError {
    ApiError::new(ErrorCode::NotFound, "Такого адреса в API нет.").into()
}

pub async fn api_method_not_allowed() -> AppError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "Этот адрес API не поддерживает такой метод запроса.",
    )
    .into()
}

/// Every failure of the API is JSON in Russian: a failure that a layer or an extractor answered
/// in plain text (a path that is not UTF-8, a request compressed in a way the server does not
/// read, a body over a limit) is said again here. Answers that are JSON already pass as they are.
pub async fn json_failures(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        return res;
    }
    tracing::debug!(%status, "a failure answered in plain text is said again as JSON");
    let api = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::bad_request(
            "Сервер не может прочитать запрос в таком сжатии: отправьте его без сжатия или в gzip.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            ErrorCode::PayloadTooLarge,
            "Запрос слишком большой для сервера.",
        ),
        StatusCode::NOT_FOUND => ApiError::new(ErrorCode::NotFound, "Такого адреса в API нет."),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            ErrorCode::MethodNotAllowed,
            "Этот адрес API не поддерживает такой метод запроса.",
        ),
        s if s.is_server_error() => ApiError::internal(),
        _ => ApiError::bad_request(
            "Неверный запрос: адрес или данные запроса не удалось разобрать. Обновите страницу \
             и повторите.",
        ),
    };
    let mut answer = api_error_response(api);
    // The status stays what it was (a 415 is not made a 400).
    *answer.status_mut() = status;
    answer
}
