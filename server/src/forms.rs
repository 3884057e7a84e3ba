//! Forms on the server: the built-in templates (files in `templates/`, compiled in), a cache of
//! templates with their keys, and the scoring of submitted tests into `test_result` records.
//! A template is immutable once stored (a change needs a new version), so the cache is always
//! right, also with several servers on one database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use model::forms::{self, Key, Template};
use model::hlc::{Clock, DeviceId, Hlc};
use model::record::Record;
use model::sync::Change;
use model::sync::server::Forms;
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
];

/// A template as stored: the public form and the key (empty unless it is a test).
#[derive(Debug)]
pub struct Entry {
    pub template: Arc<Template>,
    pub key: Key,
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

    /// A clock time for a server write to `record`: later than every write it holds, so the
    /// server's status or round always wins over what the record had.
    pub fn tick_after(&self, record: &Record) -> Hlc {
        let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(latest) = record.latest() {
            clock.observe(latest);
        }
        clock.tick(crate::storage::now_ms() as u64)
    }

    /// A clock time for a write made by the server now.
    pub fn tick(&self) -> Hlc {
        let now = crate::storage::now_ms() as u64;
        self.clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tick(now)
    }
}

/// Answers to a timed test are still taken this long after its time is up (a slow link).
pub const TIME_LIMIT_GRACE_MS: u64 = 60_000;

/// The templates one batch needs, and when its timed tests close, loaded before it is planned.
#[derive(Default)]
pub struct Loaded {
    pub templates: HashMap<(String, u32), Arc<Entry>>,
    pub campaigns: HashMap<uuid::Uuid, forms::Campaign>,
    pub closes: HashMap<uuid::Uuid, u64>,
    pub now_ms: u64,
}

impl Forms for Loaded {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|e| e.template.clone())
    }

    fn answers_close_at(&self, response: uuid::Uuid) -> Option<u64> {
        self.closes.get(&response).copied()
    }

    fn now_ms(&self) -> u64 {
        self.now_ms
    }

    fn campaign(&self, id: uuid::Uuid) -> Option<forms::Campaign> {
        self.campaigns.get(&id).cloned()
    }
}

/// The change that stores a template as a record.
pub fn template_change(template: &Template, hlc: Hlc) -> Change {
    let body = serde_json::to_value(template).unwrap_or_default();
    Change {
        record: forms::template_id(&template.code, template.version),
        kind: forms::TEMPLATE_KIND.into(),
        scope: model::record::Scope::Centre,
        parent: None,
        hlc,
        fields: [
            ("code".to_owned(), json!(template.code)),
            ("version".to_owned(), json!(template.version)),
            ("title".to_owned(), json!(template.title)),
            ("body".to_owned(), body),
        ]
        .into(),
    }
}

/// The result of a submitted test: per-area scores, written by the server next to the response.
pub fn result_change(entry: &Entry, response: &Record, hlc: Hlc) -> Option<Change> {
    let areas = forms::score(&entry.template, &entry.key, &forms::answers_of(response))?;
    let deficits: Vec<&str> = areas
        .iter()
        .filter(|a| a.level == forms::Level::Deficit)
        .map(|a| a.area.as_str())
        .collect();
    Some(Change {
        record: forms::result_id(response.id),
        kind: forms::RESULT_KIND.into(),
        scope: response.scope.clone(),
        parent: Some(response.id),
        hlc,
        fields: [
            ("response".to_owned(), json!(response.id)),
            ("template".to_owned(), json!(entry.template.code)),
            ("version".to_owned(), json!(entry.template.version)),
            ("areas".to_owned(), json!(areas)),
            ("deficits".to_owned(), json!(deficits)),
            ("scored_at".to_owned(), json!(crate::storage::now_ms())),
        ]
        .into(),
    })
}

/// A write by the server to an existing record (a response's round or status).
pub fn server_change<const N: usize>(
    record: &Record,
    fields: [(&str, serde_json::Value); N],
    hlc: Hlc,
) -> Change {
    Change {
        record: record.id,
        kind: record.kind.clone(),
        scope: record.scope.clone(),
        parent: record.parent,
        hlc,
        fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}
