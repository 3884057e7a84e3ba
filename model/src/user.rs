//! User accounts: the profile the app keeps, and what the centre head sends to create one.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::role::Role;

/// Who is signed in, as the app stores it (also offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    pub id: Uuid,
    pub login: String,
    pub full_name: String,
    pub role: Role,
    /// The school of school staff; `None` for the roles that work across schools.
    pub school_id: Option<Uuid>,
    pub school_name: Option<String>,
}

pub const LOGIN_MIN: usize = 3;
pub const LOGIN_MAX: usize = 40;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 200;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub login: String,
    pub full_name: String,
    pub role: Role,
    #[serde(default)]
    pub school_id: Option<Uuid>,
    pub password: String,
}

/// Everything but the password.
impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("full_name", &self.full_name)
            .field("role", &self.role)
            .field("school_id", &self.school_id)
            .finish_non_exhaustive()
    }
}

impl NewUser {
    /// Normalises (trims, lower-cases the login) and checks every rule.
    pub fn validated(mut self) -> Result<NewUser, ApiError> {
        self.login = validate_login(&self.login)?;
        self.full_name = required_text("full_name", "ФИО", &self.full_name, 200)?;
        validate_password("password", &self.password)?;
        match (self.role.belongs_to_school(), self.school_id) {
            (true, None) => {
                return Err(ApiError::validation(
                    "school_id",
                    format!("Для роли «{}» нужно выбрать школу.", self.role.label()),
                ));
            }
            (false, Some(_)) => self.school_id = None,
            _ => {}
        }
        Ok(self)
    }
}

/// A new password: from [`PASSWORD_MIN`] to [`PASSWORD_MAX`] characters. The error names
/// `field`.
pub fn validate_password(field: &str, password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        return Err(ApiError::validation(
            field,
            format!("Пароль должен содержать не менее {PASSWORD_MIN} символов."),
        ));
    }
    if chars > PASSWORD_MAX {
        return Err(ApiError::validation(
            field,
            format!("Пароль должен содержать не более {PASSWORD_MAX} символов."),
        ));
    }
    Ok(())
}

/// Logins are short Latin names: letters, digits, dot, dash and underscore; case-insensitive.
pub fn validate_login(raw: &str) -> Result<String, ApiError> {
    let login = raw.trim().to_ascii_lowercase();
    let len = login.chars().count();
    if !(LOGIN_MIN..=LOGIN_MAX).contains(&len) {
        return Err(ApiError::validation(
            "login",
            format!("Логин должен содержать от {LOGIN_MIN} до {LOGIN_MAX} символов."),
        ));
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err(ApiError::validation(
            "login",
            "Логин может содержать только латинские буквы, цифры, точку, дефис и подчёркивание.",
        ));
    }
    Ok(login)
}

/// A required text field: trimmed, not empty, at most `max` characters. The error names the
/// field by its label.
pub fn required_text(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::validation(
            field,
            format!("Поле «{label}» обязательно: заполните его."),
        ));
    }
    if value.chars().count() > max {
        return Err(ApiError::validation(
            field,
            format!("Поле «{label}» слишком длинное: не более {max} символов."),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewUser {
        NewUser {
            login: " Ivanova.AN ".into(),
            full_name: "Иванова Анна Николаевна".into(),
            role: Role::SchoolTeam,
            school_id: Some(Uuid::nil()),
            password: "длинный пароль".into(),
        }
    }

    #[test]
    fn normalises_login() {
        assert_eq!(sample().validated().unwrap().login, "ivanova.an");
    }

    #[test]
    fn school_staff_need_a_school() {
        let err = NewUser {
            school_id: None,
            ..sample()
        }
        .validated()
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("school_id"));
    }

    #[test]
    fn cross_school_roles_drop_the_school() {
        let u = NewUser {
            role: Role::Mentor,
            ..sample()
        }
        .validated()
        .unwrap();
        assert_eq!(u.school_id, None);
    }

    #[test]
    fn short_password_refused() {
        let err = NewUser {
            password: "1234567".into(),
            ..sample()
        }
        .validated()
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
    }

    #[test]
    fn cyrillic_login_refused() {
        assert_eq!(
            validate_login("иванова").unwrap_err().field.as_deref(),
            Some("login")
        );
        assert!(validate_login("ab").is_err());
        assert!(validate_login(&"a".repeat(41)).is_err());
        assert_eq!(validate_login("a.b-c_1").unwrap(), "a.b-c_1");
    }
}
