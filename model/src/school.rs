//! Schools of the municipality and their flags (ШНОР, ШССУ, школа-наставник).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::user::required_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locality {
    Rural,
    Urban,
}

impl Locality {
    pub fn as_str(self) -> &'static str {
        match self {
            Locality::Rural => "rural",
            Locality::Urban => "urban",
        }
    }

    pub fn parse(s: &str) -> Option<Locality> {
        match s {
            "rural" => Some(Locality::Rural),
            "urban" => Some(Locality::Urban),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Locality::Rural => "сельская",
            Locality::Urban => "городская",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub locality: Locality,
    /// A school with low educational results.
    pub low_results: bool,
    /// A school functioning in difficult social conditions.
    pub hard_conditions: bool,
    /// A strong school that lends its leaders as mentors.
    pub mentor_school: bool,
}

impl School {
    /// "ШНОР, ШССУ", "школа-наставник", or "" for none.
    pub fn flags_label(&self) -> String {
        self.flags().label()
    }

    pub fn flags(&self) -> SchoolFlags {
        SchoolFlags {
            low_results: self.low_results,
            hard_conditions: self.hard_conditions,
            mentor_school: self.mentor_school,
        }
    }
}

/// What the centre head sends to create a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSchool {
    pub name: String,
    pub municipality: String,
    pub locality: Locality,
    #[serde(default)]
    pub low_results: bool,
    #[serde(default)]
    pub hard_conditions: bool,
    #[serde(default)]
    pub mentor_school: bool,
}

impl NewSchool {
    /// Trims the text fields and checks every rule; the first broken rule is returned.
    pub fn validated(mut self) -> Result<NewSchool, ApiError> {
        self.name = required_text("name", "Название школы", &self.name, 300)?;
        self.municipality =
            required_text("municipality", "Муниципалитет", &self.municipality, 200)?;
        SchoolFlags {
            low_results: self.low_results,
            hard_conditions: self.hard_conditions,
            mentor_school: self.mentor_school,
        }
        .validated()?;
        Ok(self)
    }
}

/// What the centre head sends to set a school's flags (`PUT /api/schools/{id}/flags`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolFlags {
    pub low_results: bool,
    pub hard_conditions: bool,
    pub mentor_school: bool,
}

impl SchoolFlags {
    /// "ШНОР, ШССУ", "школа-наставник", or "" for none.
    pub fn label(&self) -> String {
        let mut flags = Vec::new();
        if self.low_results {
            flags.push("ШНОР");
        }
        if self.hard_conditions {
            flags.push("ШССУ");
        }
        if self.mentor_school {
            flags.push("школа-наставник");
        }
        flags.join(", ")
    }

    /// A mentor school is never a ШНОР or a ШССУ (002 §3.2: mentors come from effective and
    /// resilient schools and schools with stably high results).
    pub fn validated(self) -> Result<SchoolFlags, ApiError> {
        if self.mentor_school && (self.low_results || self.hard_conditions) {
            return Err(ApiError::validation(
                "mentor_school",
                "Школа-наставник не может одновременно быть ШНОР или ШССУ: снимите одну из отметок.",
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewSchool {
        NewSchool {
            name: "  МБОУ СОШ № 1  ".into(),
            municipality: "Светлоречный округ".into(),
            locality: Locality::Rural,
            low_results: true,
            hard_conditions: false,
            mentor_school: false,
        }
    }

    #[test]
    fn trims_and_accepts() {
        let s = sample().validated().unwrap();
        assert_eq!(s.name, "МБОУ СОШ № 1");
    }

    #[test]
    fn empty_name_names_the_field() {
        let err = NewSchool {
            name: "   ".into(),
            ..sample()
        }
        .validated()
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("name"));
        assert!(err.message.contains("Название школы"), "{}", err.message);
    }

    #[test]
    fn mentor_school_cannot_be_low_results() {
        let err = NewSchool {
            mentor_school: true,
            ..sample()
        }
        .validated()
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("mentor_school"));
    }
}
