//! Who may read what, need-to-know (DOMAIN.md, "zones of responsibility"; 002 §6.2).
//!
//! Two functions decide what a device holds. A record has **read keys** (its audience),
//! computed by its kind from the record itself (`kinds::KindSpec::audience`); a person has
//! **grants**, computed here from the role, the school and the assignments the server reads at
//! every request. A person reads a record when the two share a key. The server stores the keys
//! beside every record and every change it logs, so a pull is a lookup by key, and a REST read
//! or an export checks the same keys.
//!
//! The keys are few per person (one per school, not per record):
//! - `centre` — the centre head;
//! - `role:<role>` — everybody of one role (form templates and campaigns addressed to it);
//! - `team:<school>` — the school's management team;
//! - `staff:<school>` — every member of the school's staff (team and teachers);
//! - `advisers:<school>` — the mentors and curators assigned to the school;
//! - `person:<user>` — one person.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::record::Scope;
use crate::role::Role;

/// One read key: a circle of people a record is shown to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadKey {
    Centre,
    Role(Role),
    Team(Uuid),
    Staff(Uuid),
    Advisers(Uuid),
    Person(Uuid),
}

impl fmt::Display for ReadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadKey::Centre => f.write_str("centre"),
            ReadKey::Role(r) => write!(f, "role:{}", r.as_str()),
            ReadKey::Team(id) => write!(f, "team:{id}"),
            ReadKey::Staff(id) => write!(f, "staff:{id}"),
            ReadKey::Advisers(id) => write!(f, "advisers:{id}"),
            ReadKey::Person(id) => write!(f, "person:{id}"),
        }
    }
}

impl FromStr for ReadKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("bad read key {s:?}");
        if s == "centre" {
            return Ok(ReadKey::Centre);
        }
        let (prefix, rest) = s.split_once(':').ok_or_else(bad)?;
        if prefix == "role" {
            return Role::parse(rest).map(ReadKey::Role).ok_or_else(bad);
        }
        let id = Uuid::parse_str(rest).map_err(|_| bad())?;
        match prefix {
            "team" => Ok(ReadKey::Team(id)),
            "staff" => Ok(ReadKey::Staff(id)),
            "advisers" => Ok(ReadKey::Advisers(id)),
            "person" => Ok(ReadKey::Person(id)),
            _ => Err(bad()),
        }
    }
}

/// The keys of the people who work with one school: its team, its advisers and the centre.
pub fn school_circle(school: Uuid) -> Vec<ReadKey> {
    vec![
        ReadKey::Team(school),
        ReadKey::Advisers(school),
        ReadKey::Centre,
    ]
}

/// The person behind a request, with what the server knows of them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    /// The full name, stamped by the server as the author of what this person writes.
    pub name: String,
    pub role: Role,
    pub school: Option<Uuid>,
    /// Schools assigned to a mentor or curator.
    pub assigned: Vec<Uuid>,
    /// The name of the person's school (empty: none), stamped on what a school asks of a
    /// specialist who may not be assigned to it and so not see its name otherwise.
    pub school_name: String,
}

impl Actor {
    /// Every key this person reads, sorted.
    pub fn grants(&self) -> Vec<ReadKey> {
        let mut keys = vec![ReadKey::Role(self.role), ReadKey::Person(self.user_id)];
        match self.role {
            Role::Head => keys.push(ReadKey::Centre),
            Role::Moderator => {}
            Role::Mentor | Role::Curator => {
                keys.extend(self.assigned.iter().map(|s| ReadKey::Advisers(*s)));
            }
            Role::SchoolTeam => {
                keys.extend(self.school.map(ReadKey::Team));
                keys.extend(self.school.map(ReadKey::Staff));
            }
            Role::Teacher => keys.extend(self.school.map(ReadKey::Staff)),
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// May this person read a record with these read keys?
    pub fn may_read(&self, audience: &[ReadKey]) -> bool {
        let grants = self.grants();
        audience.iter().any(|k| grants.contains(k))
    }

    /// A short fingerprint of the grants: when it changes (a school assigned or taken away),
    /// the device receives everything again from the start and drops what it may no longer hold.
    pub fn grants_key(&self) -> String {
        let joined: Vec<String> = self.grants().iter().map(ToString::to_string).collect();
        format!(
            "{:016x}",
            crate::fingerprint::fnv1a(joined.join(",").as_bytes())
        )
    }

    /// Is this person a member of the management team of the school `scope` is?
    pub fn in_team_of(&self, scope: &Scope) -> bool {
        self.role == Role::SchoolTeam
            && matches!(scope, Scope::School(s) if self.school == Some(*s))
    }

    /// Is this person a mentor or curator assigned to the school `scope` is?
    pub fn advises(&self, scope: &Scope) -> bool {
        self.role.is_assignable() && matches!(scope, Scope::School(s) if self.assigned.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, school: Option<Uuid>, assigned: Vec<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            name: String::new(),
            role,
            school,
            assigned,
            school_name: String::new(),
        }
    }

    #[test]
    fn grants_follow_role_school_and_assignments() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let team = actor(Role::SchoolTeam, Some(a), vec![]);
        assert!(team.may_read(&school_circle(a)));
        assert!(!team.may_read(&school_circle(b)));
        let teacher = actor(Role::Teacher, Some(a), vec![]);
        assert!(
            !teacher.may_read(&school_circle(a)),
            "teachers are not the team"
        );
        assert!(teacher.may_read(&[ReadKey::Staff(a)]));
        let mentor = actor(Role::Mentor, None, vec![a]);
        assert!(mentor.may_read(&school_circle(a)));
        assert!(!mentor.may_read(&school_circle(b)));
        let head = actor(Role::Head, None, vec![]);
        assert!(head.may_read(&school_circle(b)));
        let moderator = actor(Role::Moderator, None, vec![]);
        assert!(!moderator.may_read(&school_circle(a)));
    }

    #[test]
    fn keys_round_trip() {
        let id = Uuid::from_u128(7);
        for k in [
            ReadKey::Centre,
            ReadKey::Role(Role::Teacher),
            ReadKey::Team(id),
            ReadKey::Staff(id),
            ReadKey::Advisers(id),
            ReadKey::Person(id),
        ] {
            assert_eq!(k.to_string().parse::<ReadKey>().unwrap(), k);
        }
        assert!("role:admin".parse::<ReadKey>().is_err());
        assert!("team:x".parse::<ReadKey>().is_err());
    }

    #[test]
    fn grants_key_changes_with_assignments() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let one = actor(Role::Mentor, None, vec![a]);
        let two = actor(Role::Mentor, None, vec![a, b]);
        assert_ne!(one.grants_key(), two.grants_key());
        assert_eq!(
            one.grants_key(),
            actor(Role::Mentor, None, vec![a, a]).grants_key()
        );
    }
}
