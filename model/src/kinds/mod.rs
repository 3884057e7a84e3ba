//! The record kinds the system knows. Each kind declares, once, in its own module:
//! its scope; how its id is made (derived from a key, or a fresh UUIDv7, or by the server only);
//! which kinds its parent may be; who may create it and edit which fields; which fields only the
//! server writes; who may read it (its read keys, see [`crate::access`]); the checks on each
//! change; and the server's own writes that follow a change, as pure functions.
//!
//! The server's batch step (`sync::server::plan`) and the device run only this declaration; the
//! server's storage never names a kind, and the access-matrix test and the simulation enumerate
//! [`KINDS`]. Adding a kind is one module here (listed in [`KINDS`]) and its pages.

pub mod anonymous_response;
pub mod attachment;
pub mod campaign;
pub mod candidate;
pub mod consultation;
pub mod form_template;
pub mod indicator_value;
pub mod material;
pub mod plan_item;
pub mod programme;
pub mod programme_indicator;
pub mod programme_measure;
pub mod programme_section;
pub mod recommendation;
pub mod response;
pub mod review;
pub mod school_indices;
pub mod school_profile;
pub mod test_result;
pub mod vacancy;
pub mod visit;
pub mod work_item;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use crate::access::{Actor, ReadKey};
use crate::forms::{self, Template};
use crate::record::{DELETED, Record, Scope};
use crate::role::Role;

/// Every kind, in one list: the server refuses kinds that are not here.
pub const KINDS: &[&KindSpec] = &[
    &school_profile::SPEC,
    &form_template::SPEC,
    &campaign::SPEC,
    &response::SPEC,
    &anonymous_response::SPEC,
    &test_result::SPEC,
    &review::SPEC,
    &recommendation::SPEC,
    &plan_item::SPEC,
    &programme::SPEC,
    &programme_section::SPEC,
    &programme_indicator::SPEC,
    &programme_measure::SPEC,
    &consultation::SPEC,
    &visit::SPEC,
    &work_item::SPEC,
    &indicator_value::SPEC,
    &school_indices::SPEC,
    &material::SPEC,
    &attachment::SPEC,
    &candidate::SPEC,
    &vacancy::SPEC,
];

pub fn spec(kind: &str) -> Option<&'static KindSpec> {
    KINDS.iter().copied().find(|k| k.name == kind)
}

/// The largest value of any field, in bytes of JSON.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// The most records of one kind under one parent (measures of a programme's section, files of
/// a material, items of a deficit plan), deleted ones included: a parent's children are read
/// whole whenever one is added or the parent's readers change, so nobody may grow them without
/// end.
pub const MAX_CHILDREN: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// Records of one school.
    School,
    /// Records of the centre.
    Centre,
    /// Answers: in the school of the person answering, or in the person's own scope.
    Respondent,
    /// Wherever its parent is (attached files).
    Any,
}

impl ScopeRule {
    pub fn fits(self, scope: &Scope) -> bool {
        matches!(
            (self, scope),
            (ScopeRule::School, Scope::School(_))
                | (ScopeRule::Centre, Scope::Centre)
                | (ScopeRule::Respondent, Scope::School(_) | Scope::Person(_))
                | (ScopeRule::Any, _)
        )
    }
}

/// How a record's id is made.
#[derive(Clone, Copy)]
pub enum IdRule {
    /// A fresh UUIDv7 made on the device (not dated in the future).
    Fresh,
    /// Derived from a key: the one id (and scope) this person's record must have, the same on
    /// every device. A record of such a kind is accepted only under exactly that id.
    Derived(fn(&Ctx) -> Option<(Uuid, Scope)>),
    /// Only the server creates it (templates, scores).
    Server,
}

/// A person's relation to a record, in a create or edit rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The centre head.
    Centre,
    /// The centre's moderator (accounts of schools, the bank of practices).
    Moderator,
    /// A member of the management team of the record's school.
    Team,
    /// A mentor or curator assigned to the record's school.
    Adviser,
    /// The person who owns the record (stamped by the server when it was created).
    Owner,
    /// The person who owns the record's parent (a leader's own deficit plan).
    ParentOwner,
    /// The person whose record this is by the kind's derived id (a response to a campaign
    /// addressed to them).
    Respondent,
    /// The specialist of the centre (mentor, curator or the head) named in the record's
    /// [`ADDRESSEE`] field (a consultation asked of them, an item of the plan of work they are
    /// responsible for).
    Addressee,
}

/// The field naming the one specialist a record is addressed to (a user id): the specialist a
/// consultation asks, the person responsible for an item of the plan of work.
pub const ADDRESSEE: &str = "addressee";

impl Who {
    pub const ALL: [Who; 8] = [
        Who::Centre,
        Who::Moderator,
        Who::Team,
        Who::Adviser,
        Who::Owner,
        Who::ParentOwner,
        Who::Respondent,
        Who::Addressee,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Who::Centre => "руководитель центра",
            Who::Moderator => "модератор центра",
            Who::Team => "управленческая команда школы",
            Who::Adviser => "закреплённый наставник или куратор",
            Who::Owner => "владелец записи",
            Who::ParentOwner => "владелец основной записи",
            Who::Respondent => "тот, кому адресована форма",
            Who::Addressee => "специалист центра, к которому обратилась школа",
        }
    }
}

/// One grant: people in the relation `who` may create records (if `create`) and write the
/// fields that match `fields` (`name`, `prefix.*`, or `*` for every declared field).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub who: Who,
    pub create: bool,
    pub fields: &'static [&'static str],
}

/// What the server loads before planning a change (besides the record and its parent).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    Record(Uuid),
    Template(String, u32),
    /// When a timed test started online (for its time limit).
    TestStart(Uuid),
    /// The role of an account a record names (the specialist a record is addressed to).
    Person(Uuid),
    /// The records whose parent it is: their readers follow its readers (a file attached to a
    /// material that is published).
    Children(Uuid),
}

/// What the server knows besides records, for the checks and the server's writes.
pub trait Lookup {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>>;
    /// The answer key of a test (server only).
    fn answer_key(&self, _code: &str, _version: u32) -> Option<Arc<forms::Key>> {
        None
    }
    /// When a timed test was opened online (server ms), if it was.
    fn test_started_at(&self, _response: Uuid) -> Option<u64> {
        None
    }
    /// The id of a person's anonymous response to a campaign: a keyed hash only the server can
    /// make, so the id does not lead back to the person.
    fn anonymous_id(&self, _campaign: Uuid, _user: Uuid) -> Option<Uuid> {
        None
    }
    /// The role of an enabled account (`None`: no such account, or it is disabled).
    fn role_of(&self, _user: Uuid) -> Option<Role> {
        None
    }
    /// How many records of a [`counted`] kind one person may make in a day (`None`: no
    /// bound). The server's setting, `serve --records-per-day`.
    fn records_per_day(&self) -> Option<u32> {
        None
    }
    /// How many records of this kind the person of the batch made today before it.
    fn made_today(&self, _kind: &str) -> u32 {
        0
    }
    /// How many bytes one person's changes may add to the log in a day
    /// (`sync::server::logged_bytes`; `None`: no bound). The server's setting, `serve
    /// --megabytes-per-day`.
    fn bytes_per_day(&self) -> Option<u64> {
        None
    }
    /// How many bytes the changes of the batch's person added today before it.
    fn written_today(&self) -> u64 {
        0
    }
}

/// Whether a kind's new records count toward a person's allowance of the day: those nothing
/// else bounds, made under a fresh id of the device's with no parent (consultations,
/// recommendations, visits, candidates …). A derived id allows one record per key (a
/// response per campaign and person), a parent at most [`MAX_CHILDREN`]; without a bound a
/// person could fill the server's disk by sending new records in a loop.
pub fn counted(spec: &KindSpec) -> bool {
    matches!(spec.id, IdRule::Fresh) && spec.parents.is_empty()
}

/// Knows no templates and no keys.
pub struct NoLookup;

impl Lookup for NoLookup {
    fn template(&self, _: &str, _: u32) -> Option<Arc<Template>> {
        None
    }
}

/// Everything a kind's functions see about one change.
pub struct Ctx<'a> {
    pub actor: &'a Actor,
    /// The server's time (ms).
    pub now_ms: u64,
    /// The record before the change (`None`: the change creates it).
    pub before: Option<&'a Record>,
    /// The record with the change merged.
    pub after: &'a Record,
    /// The fields the change writes.
    pub fields: &'a BTreeMap<String, Value>,
    pub parent: Option<&'a Record>,
    /// Every record loaded for the batch (campaigns, parents …).
    pub records: &'a HashMap<Uuid, Record>,
    pub lookup: &'a dyn Lookup,
}

impl Ctx<'_> {
    pub fn record(&self, id: Uuid) -> Option<&Record> {
        self.records.get(&id)
    }

    /// Does the change only delete the record? Such a change is taken whatever the record
    /// holds; any other change, while it is deleted too, must leave it as its rules allow, since
    /// putting it back checks nothing more (a material published without a title while deleted,
    /// then restored).
    pub fn only_deletes(&self) -> bool {
        self.after.is_deleted() && self.fields.keys().all(|f| f == DELETED)
    }

    /// Did this change make the text field `name` become `value`?
    pub fn became(&self, name: &str, value: &str) -> bool {
        self.after.get(name).and_then(Value::as_str) == Some(value)
            && self
                .before
                .and_then(|b| b.get(name))
                .and_then(Value::as_str)
                != Some(value)
    }
}

/// A write the server makes itself after a change (a round number, a score, a stamped name).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerWrite {
    pub record: Uuid,
    pub kind: &'static str,
    pub scope: Scope,
    pub parent: Option<Uuid>,
    pub fields: BTreeMap<String, Value>,
}

impl ServerWrite {
    /// A write to the record `r` itself.
    pub fn to(r: &Record, kind: &'static str, fields: &[(&str, Value)]) -> ServerWrite {
        ServerWrite {
            record: r.id,
            kind,
            scope: r.scope.clone(),
            parent: r.parent,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }
}

/// The declaration of one record kind.
pub struct KindSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub scope: ScopeRule,
    pub id: IdRule,
    /// The kinds its parent may be (in the same scope); empty: it has no parent.
    pub parents: &'static [&'static str],
    pub rules: &'static [Rule],
    /// Fields only the server writes (stamped names, round numbers).
    pub server_fields: &'static [&'static str],
    /// The declared fields; empty: any field name, and `check` decides (answers, comments).
    pub fields: &'static [FieldSpec],
    /// No person, device or time of day is stored with it, it is not logged, and it reaches
    /// nobody by sync; it is read only in aggregate.
    pub anonymous: bool,
    /// The owner of a new record (`None`: nobody in particular).
    pub owner: fn(&Ctx) -> Option<Uuid>,
    /// Its read keys, from the record and its parent.
    pub audience: fn(&Record, Option<&Record>) -> Vec<ReadKey>,
    /// What the server must load to plan a change, from the record with the change merged.
    pub needs: fn(&Record) -> Vec<Need>,
    /// The kind's own rules for one change; the message is for the person.
    pub check: fn(&Ctx) -> Result<(), String>,
    /// The server's own writes that follow an accepted change.
    pub follow: fn(&Ctx) -> Vec<ServerWrite>,
}

/// For kinds without an owner.
pub fn no_owner(_: &Ctx) -> Option<Uuid> {
    None
}

/// For kinds that need nothing more than the record and its parent.
pub fn no_needs(_: &Record) -> Vec<Need> {
    Vec::new()
}

/// For kinds without rules of their own.
pub fn no_check(_: &Ctx) -> Result<(), String> {
    Ok(())
}

/// For kinds the server writes nothing after.
pub fn no_follow(_: &Ctx) -> Vec<ServerWrite> {
    Vec::new()
}

/// The read keys of a record's parent: children (scores, reviews, plans) are read by exactly
/// the people who read what they are about.
pub fn inherit(_: &Record, parent: Option<&Record>) -> Vec<ReadKey> {
    parent.map_or_else(Vec::new, |p| audience(p, None))
}

/// The specialist a record is addressed to, if it names one.
pub fn addressee(r: &Record) -> Option<Uuid> {
    r.get(ADDRESSEE)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// What a record addressed to one specialist needs loaded: that person's account.
pub fn addressee_needs(r: &Record) -> Vec<Need> {
    addressee(r).map(Need::Person).into_iter().collect()
}

/// A change naming the specialist a record is addressed to names an enabled mentor, curator
/// or the centre head: nobody else may be given a record that way.
pub fn addressee_is_specialist(ctx: &Ctx) -> Result<(), String> {
    match ctx.fields.get(ADDRESSEE) {
        None | Some(Value::Null) => Ok(()),
        Some(_) => match addressee(ctx.after).and_then(|u| ctx.lookup.role_of(u)) {
            Some(Role::Mentor | Role::Curator | Role::Head) => Ok(()),
            _ => Err(
                "Такого специалиста центра нет: выберите наставника, куратора или руководителя \
                 центра из списка."
                    .into(),
            ),
        },
    }
}

/// The school's management team, its assigned mentors and curators and the centre: the circle
/// of the school support records (programmes, visits, consultations).
pub fn school_circle(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    match r.scope {
        Scope::School(s) => vec![ReadKey::Team(s), ReadKey::Advisers(s), ReadKey::Centre],
        _ => vec![ReadKey::Centre],
    }
}

/// Is a record of this kind the parent of some kind (so its children may follow its readers)?
pub fn has_children(kind: &str) -> bool {
    KINDS.iter().any(|k| k.parents.contains(&kind))
}

/// A record's read keys, by its kind (none for an unknown kind).
pub fn audience(record: &Record, parent: Option<&Record>) -> Vec<ReadKey> {
    let mut keys = spec(&record.kind).map_or_else(Vec::new, |s| (s.audience)(record, parent));
    keys.sort();
    keys.dedup();
    keys
}

/// Does `pattern` (`name`, `prefix.*` or `*`) cover the field `name`?
pub fn covers(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix) && name != DELETED || pattern == name,
        None => pattern == name,
    }
}

impl KindSpec {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Does the person stand in the relation `who` to the record in `ctx`?
    pub fn holds(&self, who: Who, ctx: &Ctx) -> bool {
        let (actor, scope) = (ctx.actor, &ctx.after.scope);
        match who {
            Who::Centre => actor.role == Role::Head,
            Who::Moderator => actor.role == Role::Moderator,
            Who::Team => actor.in_team_of(scope),
            Who::Adviser => actor.advises(scope),
            Who::Owner => ctx.after.owner == Some(actor.user_id),
            Who::ParentOwner => ctx.parent.is_some_and(|p| p.owner == Some(actor.user_id)),
            Who::Respondent => match self.id {
                IdRule::Derived(derive) => {
                    derive(ctx) == Some((ctx.after.id, ctx.after.scope.clone()))
                }
                _ => false,
            },
            Who::Addressee => {
                matches!(actor.role, Role::Mentor | Role::Curator | Role::Head)
                    && addressee(ctx.after) == Some(actor.user_id)
            }
        }
    }

    /// The relations in which a person may create records of this kind.
    pub fn creators(&self) -> impl Iterator<Item = Who> + '_ {
        self.rules.iter().filter(|r| r.create).map(|r| r.who)
    }

    /// May the person write the field `name` (by some rule whose relation holds)?
    pub fn may_write(&self, name: &str, ctx: &Ctx) -> bool {
        !self.server_fields.contains(&name)
            && self.rules.iter().any(|r| {
                (ctx.before.is_some() || r.create)
                    && r.fields.iter().any(|p| covers(p, name))
                    && self.holds(r.who, ctx)
            })
    }

    /// May the person create a record of this kind here?
    pub fn may_create(&self, ctx: &Ctx) -> bool {
        self.rules
            .iter()
            .any(|r| r.create && self.holds(r.who, ctx))
    }

    /// May the person change anything in this record?
    pub fn may_edit(&self, ctx: &Ctx) -> bool {
        self.rules.iter().any(|r| self.holds(r.who, ctx))
    }

    /// Who may write the field `name`, in words («руководитель центра, владелец записи»).
    pub fn writers_of(&self, name: &str) -> String {
        let mut who: Vec<&str> = Vec::new();
        for r in self
            .rules
            .iter()
            .filter(|r| r.fields.iter().any(|p| covers(p, name)))
        {
            if !who.contains(&r.who.label()) {
                who.push(r.who.label());
            }
        }
        who.join(", ")
    }
}

/// Runs `f` on the change of `fields` by `actor` to the existing `record`, as far as a device
/// can tell it: without what a check may look up on the server (templates, other records).
/// `None` for a kind this version does not know.
fn on_device<T>(
    actor: &Actor,
    now_ms: u64,
    record: &Record,
    parent: Option<&Record>,
    fields: &BTreeMap<String, Value>,
    f: impl FnOnce(&KindSpec, &Ctx) -> T,
) -> Option<T> {
    let spec = spec(&record.kind)?;
    let mut clock = crate::hlc::Clock::new(crate::hlc::DeviceId::from_random([0; 8]));
    if let Some(latest) = record.latest() {
        clock.observe(latest);
    }
    let hlc = clock.tick(now_ms);
    let mut after = record.clone();
    for (name, value) in fields {
        after.apply(
            name,
            crate::record::Write {
                hlc: hlc.clone(),
                value: value.clone(),
            },
        );
    }
    let records = HashMap::new();
    let ctx = Ctx {
        actor,
        now_ms,
        before: Some(record),
        after: &after,
        fields,
        parent,
        records: &records,
        lookup: &NoLookup,
    };
    Some(f(spec, &ctx))
}

/// Whether `actor` may write `fields` into the existing `record`, as far as a device can tell:
/// the kind's rights and its check, as the server applies them, but without what a check may
/// look up on the server. `Err` says why not, in words. A device asks before it offers a change
/// a person could not make (a decision about a deleted record only the centre may take); the
/// server decides again when the change comes. A device does not hold the records' owners
/// ([`Record::owner`]): the caller sets those it knows.
pub fn may_change(
    actor: &Actor,
    now_ms: u64,
    record: &Record,
    parent: Option<&Record>,
    fields: &BTreeMap<String, Value>,
) -> Result<(), String> {
    on_device(actor, now_ms, record, parent, fields, |spec, ctx| {
        for name in fields.keys() {
            if spec.server_fields.contains(&name.as_str()) {
                return Err("Это может сделать только сервер.".to_owned());
            }
            if !spec.may_write(name, ctx) {
                let who = spec.writers_of(name);
                return Err(if who.is_empty() {
                    "Здесь этого не может сделать никто.".to_owned()
                } else {
                    format!("Это вправе сделать: {who}.")
                });
            }
        }
        (spec.check)(ctx)
    })
    .unwrap_or_else(|| {
        Err("Такие записи эта версия приложения не знает: обновите страницу.".to_owned())
    })
}

/// Whether `actor` has any right over the existing `record` (by some rule of its kind), as far
/// as a device can tell ([`may_change`]): whose concern a record is, beyond reading it.
pub fn concerns(actor: &Actor, now_ms: u64, record: &Record, parent: Option<&Record>) -> bool {
    on_device(
        actor,
        now_ms,
        record,
        parent,
        &BTreeMap::new(),
        |spec, ctx| spec.may_edit(ctx),
    )
    .unwrap_or(false)
}

/// How far in the future a new record's UUIDv7 may be dated: devices date ids by their own
/// clock, corrected by the server's time once they have synced, but a computer whose clock runs
/// a year fast may create a record before its first sync.
pub const MAX_ID_AHEAD_MS: u64 = 400 * 86_400_000;

/// Is `id` a UUIDv7 (the kind of id a device makes for a new record), not dated absurdly far in
/// the future?
pub fn fresh_id(id: Uuid, now_ms: u64) -> bool {
    let bytes = id.as_bytes();
    let ms = bytes[..6]
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    id.get_version_num() == 7 && ms <= now_ms.saturating_add(MAX_ID_AHEAD_MS)
}

// ---- declared fields ----

#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    Text {
        max_chars: usize,
    },
    Integer {
        min: i64,
        max: i64,
    },
    /// A rule of its own; the message says what is expected.
    Check(fn(&Value) -> Result<(), String>),
    /// A rule of its own over a value that is one of a few, and each value's words for people
    /// («заявка на экспертизе» for `nominated`), so that a value is shown as a person chose it.
    Choice(
        fn(&Value) -> Result<(), String>,
        fn(&str) -> Option<&'static str>,
    ),
}

pub use crate::words::word_of;

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
}

impl FieldSpec {
    /// Checks one value; `null` always clears a field. The message names the field and the rule.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        if value.is_null() {
            return Ok(());
        }
        match self.ty {
            FieldType::Text { max_chars } => match value.as_str() {
                Some(s) if s.chars().count() <= max_chars => Ok(()),
                Some(_) => Err(format!(
                    "Поле «{}»: не более {max_chars} символов.",
                    self.label
                )),
                None => Err(format!("Поле «{}» должно быть текстом.", self.label)),
            },
            FieldType::Integer { min, max } => match value.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                Some(_) => Err(format!(
                    "Поле «{}»: целое число от {min} до {max}.",
                    self.label
                )),
                None => Err(format!("Поле «{}» должно быть целым числом.", self.label)),
            },
            FieldType::Check(rule) | FieldType::Choice(rule, _) => {
                rule(value).map_err(|r| format!("Поле «{}»: {r}.", self.label))
            }
        }
    }

    /// A value as a person chose it, for a field of a few values ([`FieldType::Choice`]).
    pub fn words(&self, value: &Value) -> Option<&'static str> {
        match (self.ty, value.as_str()) {
            (FieldType::Choice(_, words), Some(v)) => words(v),
            _ => None,
        }
    }
}

/// A text field of at most `max_chars` characters.
pub const fn text(name: &'static str, label: &'static str, max_chars: usize) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Text { max_chars },
    }
}

pub fn check_date(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if forms::answer::is_date(s) => Ok(()),
        _ => Err("дата в виде ГГГГ-ММ-ДД".into()),
    }
}

/// Two date fields of a record that go in order (a training's start and end): when a change
/// writes either and both are set, the later may not come before the earlier. The message
/// names both by the kind's labels.
pub fn check_order(ctx: &Ctx, spec: &KindSpec, earlier: &str, later: &str) -> Result<(), String> {
    if !ctx.fields.contains_key(earlier) && !ctx.fields.contains_key(later) {
        return Ok(());
    }
    let day = |f: &str| {
        ctx.after
            .get(f)
            .and_then(Value::as_str)
            .filter(|d| forms::answer::is_date(d))
    };
    match (day(earlier), day(later)) {
        (Some(a), Some(b)) if b < a => {
            let label = |f: &str| spec.field(f).map_or("", |s| s.label);
            Err(format!(
                "«{}» ({}) не может быть раньше, чем «{}» ({}).",
                label(later),
                forms::answer::ru_date(b),
                label(earlier),
                forms::answer::ru_date(a)
            ))
        }
        _ => Ok(()),
    }
}

/// A finite number of at most a billion either way (an indicator's value).
pub fn check_number(v: &Value) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n.abs() <= 1e9 => Ok(()),
        _ => Err("число".into()),
    }
}

/// The id of another record or of a person.
pub fn check_uuid(v: &Value) -> Result<(), String> {
    match v.as_str().map(Uuid::parse_str) {
        Some(Ok(_)) => Ok(()),
        _ => Err("ссылка на запись".into()),
    }
}

/// A field that may be written when the record is created and never changed after (the key
/// of a derived id; two computers creating the same record write the same value); the message
/// names it.
pub fn fixed(ctx: &Ctx, name: &str, label: &str) -> Result<(), String> {
    let Some(before) = ctx.before else {
        return Ok(());
    };
    if ctx
        .fields
        .get(name)
        .is_some_and(|v| before.get(name) != Some(v))
    {
        return Err(format!("Поле «{label}» не меняется после создания."));
    }
    Ok(())
}

/// A string value of a field, if it is one.
pub fn str_of<'a>(fields: &'a BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a device can tell before offering a change: the rights (and who has them) and the
    /// kind's check, as the server will apply them.
    #[test]
    fn a_device_tells_who_may_put_a_record_back() {
        use crate::hlc::{Clock, DeviceId};
        use crate::record::Write;
        let school = Uuid::from_u128(1);
        let mut c = Record::new(
            Uuid::from_u128(2),
            crate::reserve::CANDIDATE_KIND,
            Scope::School(school),
            None,
        );
        let mut clock = Clock::new(DeviceId::from_random([3; 8]));
        let mut write = |r: &mut Record, name: &str, value: Value| {
            let hlc = clock.tick(1_000);
            r.apply(name, Write { hlc, value });
        };
        write(&mut c, crate::reserve::F_NAME, json!("Иванова Мария"));
        write(&mut c, crate::reserve::F_STAGE, json!("nominated"));
        write(&mut c, DELETED, json!({ "deleted": true, "seen": {} }));
        let person = |role: Role| Actor {
            user_id: Uuid::from_u128(9),
            name: "Проверка".into(),
            role,
            school: matches!(role, Role::SchoolTeam | Role::Teacher).then_some(school),
            assigned: Vec::new(),
            school_name: String::new(),
        };
        let back = BTreeMap::from([(DELETED.to_owned(), Record::restoration_value())]);
        // The team may write the field, but the nominee is the centre's now.
        let team = may_change(&person(Role::SchoolTeam), 2_000, &c, None, &back).unwrap_err();
        assert!(team.contains("может центр"), "{team}");
        assert_eq!(
            may_change(&person(Role::Head), 2_000, &c, None, &back),
            Ok(())
        );
        let teacher = may_change(&person(Role::Teacher), 2_000, &c, None, &back).unwrap_err();
        assert_eq!(
            teacher,
            "Это вправе сделать: управленческая команда школы, руководитель центра."
        );
        // The team and the head have rights over a nominee; a teacher has none.
        assert!(concerns(&person(Role::SchoolTeam), 2_000, &c, None));
        assert!(concerns(&person(Role::Head), 2_000, &c, None));
        assert!(!concerns(&person(Role::Teacher), 2_000, &c, None));
        // A field only the server writes is nobody's to send.
        let stamped = BTreeMap::from([(
            crate::reserve::F_REGISTRY_ON.to_owned(),
            json!("2026-12-01"),
        )]);
        assert_eq!(
            may_change(&person(Role::Head), 2_000, &c, None, &stamped).unwrap_err(),
            "Это может сделать только сервер."
        );
    }

    /// A value of a few is shown in the words a person chose it by; others have none.
    #[test]
    fn values_of_a_few_have_words() {
        let field = |kind: &str, name: &str| spec(kind).unwrap().field(name).unwrap();
        let stage = field(crate::reserve::CANDIDATE_KIND, crate::reserve::F_STAGE);
        assert_eq!(
            stage.words(&json!("nominated")),
            Some("заявка на экспертизе")
        );
        assert_eq!(stage.words(&json!("nonsense")), None);
        assert_eq!(stage.words(&json!(3)), None);
        let state = field(crate::support::consultation::KIND, "state");
        assert_eq!(state.words(&json!("declined")), Some("отклонена"));
        let factor = field(
            programme_section::SPEC.name,
            crate::support::programme::F_FACTOR,
        );
        assert_eq!(
            factor.words(&json!(crate::support::GENERAL)),
            Some("Общие меры (вне факторов риска)")
        );
        let name = field(crate::reserve::CANDIDATE_KIND, crate::reserve::F_NAME);
        assert_eq!(name.words(&json!("nominated")), None);
    }

    #[test]
    fn field_rules() {
        let students = school_profile::SPEC.field("students").unwrap();
        assert!(students.check(&json!(120)).is_ok());
        assert!(students.check(&Value::Null).is_ok());
        assert!(
            students
                .check(&json!(-1))
                .unwrap_err()
                .contains("от 0 до 10000")
        );
        assert!(
            students
                .check(&json!("много"))
                .unwrap_err()
                .contains("целым числом")
        );
        let phone = school_profile::SPEC.field("phone").unwrap();
        assert!(
            phone
                .check(&json!("x".repeat(51)))
                .unwrap_err()
                .contains("«Телефон»")
        );
        assert!(spec("nope").is_none());
    }

    /// The person responsible for a work item acts as `Who::Addressee`, which reads this field.
    #[test]
    fn the_responsible_of_a_work_item_is_its_addressee() {
        assert_eq!(crate::workplan::F_RESPONSIBLE, ADDRESSEE);
    }

    #[test]
    fn patterns() {
        assert!(covers("*", "title"));
        assert!(!covers("*", DELETED));
        assert!(covers(DELETED, DELETED));
        assert!(covers("a.*", "a.q1"));
        assert!(!covers("a.*", "c.q1"));
        assert!(covers("title", "title"));
        assert!(!covers("title", "titles"));
    }

    #[test]
    fn fresh_ids() {
        let now = 1_800_000_000_000u64;
        let v7 = uuid::Builder::from_unix_timestamp_millis(now, &[7; 10]).into_uuid();
        assert!(fresh_id(v7, now));
        let year =
            uuid::Builder::from_unix_timestamp_millis(now + 365 * 86_400_000, &[7; 10]).into_uuid();
        assert!(fresh_id(year, now), "a computer a year fast");
        let later = uuid::Builder::from_unix_timestamp_millis(now + MAX_ID_AHEAD_MS + 1, &[7; 10])
            .into_uuid();
        assert!(!fresh_id(later, now));
        assert!(!fresh_id(Uuid::from_u128(5), now));
        assert!(!fresh_id(crate::record::stable_id("x"), now));
    }

    /// Every kind lists at least one reader or says it is anonymous, names its parents among
    /// the kinds, and has a unique name (default deny is only safe if nothing is forgotten).
    #[test]
    fn declarations_are_whole() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        for k in KINDS {
            for p in k.parents {
                assert!(spec(p).is_some(), "{}: parent kind {p}", k.name);
            }
            for r in k.rules {
                assert!(!r.fields.is_empty(), "{}: a rule without fields", k.name);
            }
            if matches!(k.id, IdRule::Server) {
                assert!(k.rules.iter().all(|r| !r.create), "{}", k.name);
            }
        }
    }
}
