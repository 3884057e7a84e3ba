//! Forms on the server: the built-in templates (files in `templates/`, compiled in), a cache of
//! templates with their keys, and the scoring of submitted tests into `test_result` records.
//! A template is immutable once stored (a change needs a new version), so the cache is always
//! right, also with several servers on one database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use model::forms::{self, Key, Template};
use model::hlc::{Clock, DeviceId};
use model::kinds::{Lookup, ServerWrite};
use serde_json::json;

/// The templates shipped with the server, installed on first start.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "self_analysis",
        include_str!("../../templates/self_analysis.json"),
    ),
    (
        "context_profile",
        include_str!("../../templates/context_profile.json"),
    ),
    (
        "leader_test",
        include_str!("../../templates/leader_test.json"),
    ),
    (
        "survey_potential_mentor",
        include_str!("../../templates/survey_potential_mentor.json"),
    ),
    (
        "survey_mentor_satisfaction",
        include_str!("../../templates/survey_mentor_satisfaction.json"),
    ),
    (
        "survey_teacher_needs",
        include_str!("../../templates/survey_teacher_needs.json"),
    ),
    (
        "survey_admin_readiness",
        include_str!("../../templates/survey_admin_readiness.json"),
    ),
    (
        "quarter_report",
        include_str!("../../templates/quarter_report.json"),
    ),
];

/// A template as stored: the public form and the key (empty unless it is a test).
#[derive(Debug)]
pub struct Entry {
    pub template: Arc<Template>,
    pub key: Arc<Key>,
}

/// Templates read so far, and the clock of the server's own writes.
pub struct FormsState {
    templates: RwLock<HashMap<(String, u32), Arc<Entry>>>,
    clock: Mutex<Clock>,
}

impl Default for FormsState {
    fn default() -> Self {
        FormsState {
            templates: RwLock::default(),
            clock: Mutex::new(Clock::new(DeviceId::server())),
        }
    }
}

impl FormsState {
    pub fn cached(&self, code: &str, version: u32) -> Option<Arc<Entry>> {
        let map = self.templates.read().unwrap_or_else(|e| e.into_inner());
        map.get(&(code.to_owned(), version)).cloned()
    }

    pub fn remember(&self, entry: Arc<Entry>) {
        let t = &entry.template;
        let key = (t.code.clone(), t.version);
        let mut map = self.templates.write().unwrap_or_else(|e| e.into_inner());
        map.insert(key, entry);
    }

    /// The clock of the server's own writes (scores, round numbers, stamped names).
    pub fn clock(&self) -> std::sync::MutexGuard<'_, Clock> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn clock_mutex(&self) -> &Mutex<Clock> {
        &self.clock
    }
}

/// What one batch needs besides records, loaded before it is planned: the templates (with
/// their keys), when its timed tests started, and the key of anonymous ids.
#[derive(Default)]
pub struct Loaded {
    pub templates: HashMap<(String, u32), Arc<Entry>>,
    pub starts: HashMap<uuid::Uuid, u64>,
    pub anonymity: Option<Arc<crate::anonymity::Anonymity>>,
    /// The roles of the enabled accounts the batch names.
    pub roles: HashMap<uuid::Uuid, model::Role>,
    /// The server's allowance of new records a day (see `Db::with_records_per_day`).
    pub records_per_day: Option<u32>,
    /// How many records of each counted kind the batch's person made today before it.
    pub made_today: HashMap<String, u32>,
    /// The server's allowance of logged bytes a day (see `Db::with_bytes_per_day`).
    pub bytes_per_day: Option<u64>,
    /// How many bytes the batch's person's changes added to the log today before it.
    pub written_today: u64,
}

impl Lookup for Loaded {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|e| e.template.clone())
    }

    fn answer_key(&self, code: &str, version: u32) -> Option<Arc<Key>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|e| e.key.clone())
    }

    fn test_started_at(&self, response: uuid::Uuid) -> Option<u64> {
        self.starts.get(&response).copied()
    }

    fn anonymous_id(&self, campaign: uuid::Uuid, user: uuid::Uuid) -> Option<uuid::Uuid> {
        self.anonymity.as_ref().map(|a| a.id(campaign, user))
    }

    fn role_of(&self, user: uuid::Uuid) -> Option<model::Role> {
        self.roles.get(&user).copied()
    }

    fn records_per_day(&self) -> Option<u32> {
        self.records_per_day
    }

    fn made_today(&self, kind: &str) -> u32 {
        self.made_today.get(kind).copied().unwrap_or(0)
    }

    fn bytes_per_day(&self) -> Option<u64> {
        self.bytes_per_day
    }

    fn written_today(&self) -> u64 {
        self.written_today
    }
}

/// A built-in template by its code, with its key (the demo sends them and answers the tests).
pub fn builtin_with_key(code: &str) -> Option<(Template, Key)> {
    BUILTIN
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, json)| Template::parse(json).ok())
}

/// A built-in template by its code.
pub fn builtin(code: &str) -> Option<Template> {
    builtin_with_key(code).map(|(t, _)| t)
}

/// The server's write that stores a template as a record.
pub fn template_write(template: &Template) -> ServerWrite {
    let body = serde_json::to_value(template).unwrap_or_default();
    ServerWrite {
        record: forms::template_id(&template.code, template.version),
        kind: forms::TEMPLATE_KIND,
        scope: model::record::Scope::Centre,
        parent: None,
        fields: [
            ("code".to_owned(), json!(template.code)),
            ("version".to_owned(), json!(template.version)),
            ("title".to_owned(), json!(template.title)),
            ("body".to_owned(), body),
        ]
        .into(),
    }
}
