//! Request and response bodies of the REST API (everything except sync).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::school::School;
use crate::user::UserProfile;

/// The path prefix of every API endpoint; the service worker never caches under it.
pub const API_PREFIX: &str = "/api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Sent as `Authorization: Bearer <token>`; the server keeps only its hash.
    pub token: String,
    pub profile: UserProfile,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub version: String,
}

/// A user as the centre head sees it in the list of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    #[serde(flatten)]
    pub profile: UserProfile,
    /// Schools assigned to a mentor or curator.
    pub assigned_school_ids: Vec<Uuid>,
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
