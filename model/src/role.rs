//! The six roles of the mentoring system (DOMAIN.md, "Actors and roles").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A member of the management team of a ШНОР/ШССУ (director, deputies).
    SchoolTeam,
    /// A teacher of a school: answers surveys addressed to teachers.
    Teacher,
    /// A mentor from a strong school: reviews assigned schools.
    Mentor,
    /// A curator of a ШНОР: like a mentor for assigned schools, coordinates.
    Curator,
    /// The head (coordinator) of the municipal mentoring centre.
    Head,
    /// The moderator of the information resource: materials, accounts.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SchoolTeam,
        Role::Teacher,
        Role::Mentor,
        Role::Curator,
        Role::Head,
        Role::Moderator,
    ];

    /// The stable API name, as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SchoolTeam => "school_team",
            Role::Teacher => "teacher",
            Role::Mentor => "mentor",
            Role::Curator => "curator",
            Role::Head => "head",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::SchoolTeam => "Член управленческой команды школы",
            Role::Teacher => "Педагог",
            Role::Mentor => "Наставник",
            Role::Curator => "Куратор ШНОР",
            Role::Head => "Руководитель МНЦ",
            Role::Moderator => "Модератор",
        }
    }

    /// School staff belong to exactly one school; the others work across schools.
    pub fn belongs_to_school(self) -> bool {
        matches!(self, Role::SchoolTeam | Role::Teacher)
    }

    /// Mentors and curators work with the schools assigned to them.
    pub fn is_assignable(self) -> bool {
        matches!(self, Role::Mentor | Role::Curator)
    }

    /// Who may create schools, users and assignments.
    pub fn manages_municipality(self) -> bool {
        matches!(self, Role::Head)
    }

    /// Whether a person of this role may create, disable and enable accounts of role `other`.
    /// The centre head manages every role; the moderator only school staff and teachers, so an
    /// account that runs the information resource can never make itself a head, another
    /// moderator or a reviewer of schools. Everybody else manages no accounts.
    pub fn may_manage(self, other: Role) -> bool {
        match self {
            Role::Head => true,
            Role::Moderator => matches!(other, Role::SchoolTeam | Role::Teacher),
            Role::SchoolTeam | Role::Teacher | Role::Mentor | Role::Curator => false,
        }
    }

    /// The roles this role may create, in [`Role::ALL`] order.
    pub fn manageable(self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| self.may_manage(*r))
            .collect()
    }

    /// The page each role lands on after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::SchoolTeam => "/school",
            Role::Teacher => "/teacher",
            Role::Mentor | Role::Curator => "/mentor",
            Role::Head => "/centre",
            Role::Moderator => "/moderator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn who_manages_whom() {
        assert_eq!(Role::Head.manageable(), Role::ALL.to_vec());
        assert_eq!(
            Role::Moderator.manageable(),
            vec![Role::SchoolTeam, Role::Teacher]
        );
        for role in [Role::SchoolTeam, Role::Teacher, Role::Mentor, Role::Curator] {
            assert!(role.manageable().is_empty(), "{role:?}");
        }
        assert!(!Role::Moderator.may_manage(Role::Head));
        assert!(!Role::Moderator.may_manage(Role::Moderator));
    }
}
