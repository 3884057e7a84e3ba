//! Who may read and write what: scopes per role (DOMAIN.md, "zones of responsibility"). A school
//! sees only itself, a mentor or curator the assigned schools, the centre head everything.

use uuid::Uuid;

use crate::kinds::{KindSpec, ScopeRule};
use crate::record::Scope;
use crate::role::Role;

/// The person behind a request, with what the server knows of their schools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub school: Option<Uuid>,
    /// Schools assigned to a mentor or curator.
    pub assigned: Vec<Uuid>,
}

/// The scopes an actor reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    All,
    Only(Vec<Scope>),
}

impl Actor {
    pub fn scopes(&self) -> Scopes {
        match self.role {
            Role::Head => Scopes::All,
            Role::Moderator => Scopes::Only(vec![Scope::Centre, Scope::Person(self.user_id)]),
            Role::Mentor | Role::Curator => {
                let mut s: Vec<Scope> = self.assigned.iter().map(|id| Scope::School(*id)).collect();
                s.push(Scope::Centre);
                s.push(Scope::Person(self.user_id));
                s.sort();
                s.dedup();
                Scopes::Only(s)
            }
            Role::SchoolTeam | Role::Teacher => {
                let mut s = vec![Scope::Centre, Scope::Person(self.user_id)];
                s.extend(self.school.map(Scope::School));
                s.sort();
                Scopes::Only(s)
            }
        }
    }

    pub fn can_read(&self, scope: &Scope) -> bool {
        match self.scopes() {
            Scopes::All => true,
            Scopes::Only(list) => list.contains(scope),
        }
    }

    /// May this actor write a record of `kind` in `scope`?
    pub fn can_write(&self, kind: &KindSpec, scope: &Scope) -> bool {
        let scope_fits = matches!(
            (kind.scope, scope),
            (ScopeRule::School, Scope::School(_))
                | (ScopeRule::Centre, Scope::Centre)
                | (ScopeRule::Respondent, Scope::School(_) | Scope::Person(_))
        );
        let own = match scope {
            Scope::Centre => self.role == Role::Head,
            // Answers to a school's forms come from its own staff only.
            Scope::School(id) if kind.scope == ScopeRule::Respondent => self.school == Some(*id),
            Scope::School(_) => self.can_read(scope),
            Scope::Person(id) => *id == self.user_id,
        };
        scope_fits && own && !kind.server_only && kind.writers.contains(&self.role)
    }

    /// A short fingerprint of the readable scopes: when it changes (a school is assigned), the
    /// device must receive everything again from the start.
    pub fn scopes_key(&self) -> String {
        match self.scopes() {
            Scopes::All => "all".into(),
            Scopes::Only(list) => {
                let joined: Vec<String> = list.iter().map(ToString::to_string).collect();
                format!("{:016x}", fnv1a(joined.join(",").as_bytes()))
            }
        }
    }
}

/// FNV-1a, 64 bits: a small stable hash for fingerprints (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::SCHOOL_PROFILE;

    fn actor(role: Role, school: Option<Uuid>, assigned: Vec<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            role,
            school,
            assigned,
        }
    }

    #[test]
    fn each_role_writes_only_its_own() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let team = actor(Role::SchoolTeam, Some(a), vec![]);
        assert!(team.can_write(&SCHOOL_PROFILE, &Scope::School(a)));
        assert!(!team.can_write(&SCHOOL_PROFILE, &Scope::School(b)));
        assert!(!team.can_write(&SCHOOL_PROFILE, &Scope::Centre));
        let mentor = actor(Role::Mentor, None, vec![a]);
        assert!(mentor.can_read(&Scope::School(a)));
        assert!(!mentor.can_read(&Scope::School(b)));
        assert!(!mentor.can_write(&SCHOOL_PROFILE, &Scope::School(a)));
        let head = actor(Role::Head, None, vec![]);
        assert!(head.can_write(&SCHOOL_PROFILE, &Scope::School(b)));
        let teacher = actor(Role::Teacher, Some(a), vec![]);
        assert!(teacher.can_read(&Scope::School(a)));
        assert!(!teacher.can_write(&SCHOOL_PROFILE, &Scope::School(a)));
    }

    #[test]
    fn scopes_key_changes_with_assignments() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let one = actor(Role::Mentor, None, vec![a]);
        let two = actor(Role::Mentor, None, vec![a, b]);
        assert_ne!(one.scopes_key(), two.scopes_key());
        assert_eq!(
            one.scopes_key(),
            actor(Role::Mentor, None, vec![a, a]).scopes_key()
        );
    }
}
