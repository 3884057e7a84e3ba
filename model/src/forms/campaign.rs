//! A campaign: a template sent by the centre head to schools and roles, with a deadline.

use std::borrow::Cow;

use serde_json::Value;
use uuid::Uuid;

use super::Template;
use crate::record::Record;
use crate::role::Role;

#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub id: Uuid,
    pub title: String,
    pub template: String,
    pub version: u32,
    /// `YYYY-MM-DD`; the last day to submit.
    pub deadline: String,
    pub schools: Vec<Uuid>,
    /// Who fills it (the template's audience when empty).
    pub roles: Vec<Role>,
    pub note: String,
}

impl Campaign {
    /// Reads a campaign record; `None` if it lacks what makes a campaign.
    pub fn from_record(r: &Record) -> Option<Campaign> {
        if r.is_deleted() {
            return None;
        }
        let list = |name: &str| -> Vec<String> {
            r.get(name)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Campaign {
            id: r.id,
            title: r.text("title"),
            template: r.get("template")?.as_str()?.to_owned(),
            version: u32::try_from(r.get("version")?.as_u64()?).ok()?,
            deadline: r.get("deadline")?.as_str()?.to_owned(),
            schools: list("schools")
                .iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect(),
            roles: list("roles")
                .iter()
                .filter_map(|s| Role::parse(s))
                .collect(),
            note: r.text("note"),
        })
    }

    /// The school year the campaign belongs to (of its deadline), which fixes the school-year
    /// rows and columns of its form.
    pub fn school_year(&self) -> i32 {
        super::answer::school_year_of(&self.deadline)
    }

    /// The form as this campaign asks it (see [`Template::for_school_year`]).
    pub fn form<'t>(&self, t: &'t Template) -> Cow<'t, Template> {
        if t.has_years() {
            Cow::Owned(t.for_school_year(self.school_year()))
        } else {
            Cow::Borrowed(t)
        }
    }

    /// Is a person of `role` (of `school`, if any) asked to fill it? People without a school
    /// (mentors, curators) are asked by role alone.
    pub fn addressed_to(&self, role: Role, school: Option<Uuid>, audience: &[Role]) -> bool {
        let roles = if self.roles.is_empty() {
            audience
        } else {
            &self.roles
        };
        roles.contains(&role) && school.is_none_or(|s| self.schools.contains(&s))
    }

    /// Past its deadline on `today` (`YYYY-MM-DD`; the strings order like the dates).
    pub fn overdue(&self, today: &str) -> bool {
        self.deadline.as_str() < today
    }
}
