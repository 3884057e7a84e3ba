//! The error vocabulary of the API. The server turns every failure into an [`ApiError`] (a stable
//! machine code plus a message in plain Russian); the app reads the code to decide what to do and
//! shows the message as is.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable reason. Never renamed: old app versions rely on these strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request could not be read (malformed JSON, wrong types).
    BadRequest,
    /// The data was read but breaks a rule; `field` names the field.
    Validation,
    /// Wrong login or password.
    BadCredentials,
    /// Too many failed logins, or too many logins at once for the server; `retry_after_secs`
    /// says how long to wait.
    TooManyAttempts,
    /// No session, or the session ended (expired or signed out).
    Unauthorized,
    /// Signed in, but the role may not do this.
    Forbidden,
    /// The account was disabled by the centre: no sign-in, and the device should forget its data.
    AccountDisabled,
    NotFound,
    MethodNotAllowed,
    /// The change collides with existing data (e.g. a login already taken).
    Conflict,
    PayloadTooLarge,
    /// The server's disk is full: nothing of the request was saved; `retry_after_secs` says
    /// when to try again.
    StorageFull,
    Internal,
}

impl ErrorCode {
    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::Validation => 400,
            ErrorCode::BadCredentials | ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::AccountDisabled => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::Internal => 500,
            ErrorCode::StorageFull => 507,
        }
    }
}

/// The JSON body of every failed API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Plain Russian: what happened and what to do.
    pub message: String,
    /// The field a validation error is about (its API name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_owned()),
            ..ApiError::new(ErrorCode::Validation, message)
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub fn bad_credentials() -> Self {
        ApiError::new(
            ErrorCode::BadCredentials,
            "Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock и попробуйте ещё раз.",
        )
    }

    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(
                ErrorCode::TooManyAttempts,
                format!(
                    "Слишком много неудачных попыток входа. Подождите {} и попробуйте снова.",
                    seconds_ru(retry_after_secs)
                ),
            )
        }
    }

    /// The server has too many passwords to check at this moment (nothing was counted).
    pub fn server_busy(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(
                ErrorCode::TooManyAttempts,
                format!(
                    "Сервер сейчас проверяет слишком много паролей сразу. Подождите {} и попробуйте снова.",
                    seconds_ru(retry_after_secs)
                ),
            )
        }
    }

    pub fn account_disabled() -> Self {
        ApiError::new(
            ErrorCode::AccountDisabled,
            "Учётная запись отключена. Обратитесь в наставнический центр.",
        )
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            ErrorCode::Unauthorized,
            "Сеанс завершён или недействителен. Войдите в систему снова.",
        )
    }

    pub fn forbidden() -> Self {
        ApiError::new(
            ErrorCode::Forbidden,
            "У вашей роли нет доступа к этому действию. Если это нужно для работы, обратитесь к руководителю МНЦ.",
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(
            ErrorCode::NotFound,
            "Запрошенные данные не найдены. Возможно, их удалили; обновите страницу.",
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Conflict, message)
    }

    pub fn payload_too_large() -> Self {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "Слишком большой объём данных в одном запросе. Данные не приняты; разделите их на части.",
        )
    }

    /// The server could not save because its disk is full (the administrator must free room).
    pub fn storage_full() -> Self {
        ApiError {
            retry_after_secs: Some(STORAGE_FULL_RETRY_SECS),
            ..ApiError::new(
                ErrorCode::StorageFull,
                "На сервере закончилось место на диске, и изменения на нём не сохранены. \
                 Сообщите администратору наставнического центра. То, что не отправлено, \
                 остаётся на этом компьютере и будет отправлено, когда место освободится.",
            )
        }
    }

    pub fn internal() -> Self {
        ApiError::new(
            ErrorCode::Internal,
            "Внутренняя ошибка сервера. Ваши данные не потеряны; попробуйте позже, а если ошибка повторяется, сообщите администратору.",
        )
    }
}

/// How long a device waits before it tries again after [`ApiError::storage_full`].
pub const STORAGE_FULL_RETRY_SECS: u64 = 60;

/// "1 секунду", "3 секунды", "5 секунд".
pub fn seconds_ru(n: u64) -> String {
    let word = match (n % 10, n % 100) {
        (1, r) if r != 11 => "секунду",
        (2..=4, r) if !(12..=14).contains(&r) => "секунды",
        _ => "секунд",
    };
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        let json = serde_json::to_string(&ApiError::forbidden()).unwrap();
        assert!(json.contains(r#""code":"forbidden""#), "{json}");
        assert!(
            !json.contains("field"),
            "empty optionals are omitted: {json}"
        );
    }

    #[test]
    fn russian_plural_of_seconds() {
        assert_eq!(seconds_ru(1), "1 секунду");
        assert_eq!(seconds_ru(3), "3 секунды");
        assert_eq!(seconds_ru(5), "5 секунд");
        assert_eq!(seconds_ru(11), "11 секунд");
        assert_eq!(seconds_ru(12), "12 секунд");
        assert_eq!(seconds_ru(21), "21 секунду");
        assert_eq!(seconds_ru(22), "22 секунды");
    }

    #[test]
    fn statuses() {
        assert_eq!(ErrorCode::PayloadTooLarge.http_status(), 413);
        assert_eq!(ErrorCode::Forbidden.http_status(), 403);
        assert_eq!(ErrorCode::TooManyAttempts.http_status(), 429);
        assert_eq!(ErrorCode::AccountDisabled.http_status(), 403);
    }

    #[test]
    fn account_disabled_has_its_own_code() {
        let json = serde_json::to_string(&ApiError::account_disabled()).unwrap();
        assert!(json.contains(r#""code":"account_disabled""#), "{json}");
    }
}
