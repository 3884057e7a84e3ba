//! Request and response bodies of the REST API (everything except sync).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::role::Role;
use crate::school::School;
use crate::user::{UserProfile, validate_password};

/// The path prefix of every API endpoint; the service worker never caches under it.
pub const API_PREFIX: &str = "/api";

#[derive(Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    /// The key an earlier sign-in of this login gave this computer, if it kept one: attempts
    /// that bring it are counted apart from everybody else's for the same login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Sent as `Authorization: Bearer <token>`; the server keeps only its hash.
    pub token: String,
    /// The key this computer keeps for the next sign-in of this login (see
    /// [`LoginRequest::sign_in_key`]).
    #[serde(default)]
    pub sign_in_key: Option<String>,
    pub profile: UserProfile,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub version: String,
    /// The server holds the demo municipality only: its schools, people and data are fictional.
    #[serde(default)]
    pub demo: bool,
}

/// A user as the centre head sees it in the list of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    #[serde(flatten)]
    pub profile: UserProfile,
    /// Schools assigned to a mentor or curator.
    pub assigned_school_ids: Vec<Uuid>,
    /// The account is disabled: it cannot sign in and has no sessions.
    #[serde(default)]
    pub disabled: bool,
}

/// `POST /api/me/password`: the signed-in person changes the own password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

impl PasswordChange {
    /// The rules the app checks before sending and the server checks again: the current
    /// password given, the new one as long as for a new account and not the same as the current.
    pub fn validated(self) -> Result<PasswordChange, ApiError> {
        if self.current.is_empty() {
            return Err(ApiError::validation("current", "Введите текущий пароль."));
        }
        validate_password("new", &self.new)?;
        if self.new == self.current {
            return Err(ApiError::validation(
                "new",
                "Новый пароль должен отличаться от текущего.",
            ));
        }
        Ok(self)
    }
}

/// Everything but the password and the key.
impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// A new password the centre sets for an account it manages (someone forgot theirs):
/// `POST /api/users/{id}/password`. The account's sessions and known computers end with it.
#[derive(Clone, Serialize, Deserialize)]
pub struct PasswordReset {
    pub password: String,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordReset { .. }")
    }
}

impl PasswordReset {
    /// As long as a new account's password (checked by the app and again by the server).
    pub fn validated(self) -> Result<PasswordReset, ApiError> {
        validate_password("password", &self.password)?;
        Ok(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub user_id: Uuid,
    pub school_id: Uuid,
}

/// The schools a user may see: all of them for the centre, the own or assigned ones otherwise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchoolList {
    pub schools: Vec<School>,
}

/// The answer to a template upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInstalled {
    pub code: String,
    pub version: u32,
    pub title: String,
    /// False when the very same template was already there.
    pub created: bool,
}

/// `POST /api/tests/start`: the person opens a timed test while online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestStart {
    pub campaign: Uuid,
    pub template: String,
    pub version: u32,
}

/// When the test started and when it stops taking answers (server time, ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestStarted {
    pub started_at_ms: i64,
    pub closes_at_ms: i64,
    pub server_time_ms: i64,
}

/// `POST /api/campaigns/{id}/anonymous`: the id of the caller's anonymous response to a
/// campaign (only the server can make it; it leads nobody back to the person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymousTicket {
    pub response: Uuid,
    /// The response was sent already (from another computer): it is not filled again, and the
    /// answers are never shown back.
    #[serde(default)]
    pub sent: bool,
}

/// `GET /api/campaigns/{id}/summary`: the results of a form in aggregate, or how many answered
/// so far when that is too few to show anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub answered: usize,
    /// The least number of answers for results to be shown.
    pub min_answers: usize,
    pub summary: Option<crate::forms::summary::Summary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(current: &str, new: &str) -> Result<PasswordChange, ApiError> {
        PasswordChange {
            current: current.into(),
            new: new.into(),
        }
        .validated()
    }

    #[test]
    fn password_change_rules() {
        assert!(change("старый пароль", "новый пароль").is_ok());
        let field = |r: Result<PasswordChange, ApiError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(change("", "новый пароль")), "current");
        assert_eq!(field(change("старый пароль", "1234567")), "new");
        assert_eq!(field(change("старый пароль", &"я".repeat(201))), "new");
        assert_eq!(field(change("одинаковый", "одинаковый")), "new");
    }

    #[test]
    fn passwords_stay_out_of_logs() {
        let text = format!("{:?}", change("старый пароль", "новый пароль").unwrap());
        assert!(!text.contains("пароль"), "{text}");
    }
}

/// A specialist of the centre a school may ask for a consultation (`GET /api/specialists`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specialist {
    pub id: Uuid,
    pub full_name: String,
    pub role: Role,
    /// Assigned to the caller's school (the school's mentors and curators are asked first).
    pub assigned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialistList {
    pub specialists: Vec<Specialist>,
}

/// `GET /api/campaigns/{id}/medians`: the municipal median of each figure of a form that shows
/// them, over the schools that sent it (none until `min_answers` did).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medians {
    pub answered: usize,
    pub min_answers: usize,
    pub medians: std::collections::BTreeMap<String, f64>,
}
