//! The municipal management personnel reserve (кадровый управленческий резерв, 002 §V): a
//! school nominates a teacher (§5.5.1: an application, a portfolio and the school's reference,
//! as files); the centre's commission checks the formal requirements criterion by criterion
//! (§5.5.2, the selective stage) and then the personal qualities (the qualitative stage); the
//! selected go through the obligatory training (§5.5.3: business games, psychological
//! trainings, the courses «Государственное и муниципальное управление», «Менеджмент»,
//! «Управление персоналом», process prototyping — a mini-internship at a strong school); the
//! most successful are recommended and entered in the registry (§5.5.4) whose fields §5.6
//! lists; an appointment from the reserve is recorded so the programme's indicator (000 §6:
//! the share of those included in a year who were appointed) computes itself.
//!
//! One `candidate` record per nominee, in the nominating school's scope: read by that school's
//! team and the centre head; the school writes the nomination, the head everything after it.

use serde_json::Value;

use crate::record::Record;

pub const CANDIDATE_KIND: &str = "candidate";

// The nomination (the school).
pub const F_NAME: &str = "full_name";
pub const F_POSITION: &str = "position";
pub const F_BIRTH_YEAR: &str = "birth_year";
/// Length of service in education, years.
pub const F_EXPERIENCE: &str = "experience";
/// Years in a management post (deputy, head of a methodical union …).
pub const F_MANAGEMENT_YEARS: &str = "management_years";
/// Career moves (должностные продвижения).
pub const F_CAREER: &str = "career";
pub const F_EDUCATION: &str = "education";
/// The school's application: why this teacher, their effective experience.
pub const F_APPLICATION: &str = "application";
/// The reference from the workplace (характеристика-ходатайство).
pub const F_REFERENCE: &str = "reference";
/// Consent to relocate (§5.6): `no`, `municipality`, `region`.
pub const F_RELOCATION: &str = "relocation";
pub const F_PHONE: &str = "phone";
pub const F_EMAIL: &str = "email";

// The commission and the training (the head).
/// `sel.<criterion>`: `pass` or `fail`; `sel.<criterion>.reason`: why.
pub const SEL_PREFIX: &str = "sel.";
pub const F_QUALITIES: &str = "qualities";
pub const F_QUALITIES_NOTE: &str = "qualities_note";
pub const F_TRAINING_FROM: &str = "training_from";
pub const F_TRAINING_TO: &str = "training_to";
pub const F_GAMES: &str = "games";
pub const F_TRAININGS: &str = "psych_trainings";
/// `course.<id>`: the certificate of one of the three courses (number and date).
pub const COURSE_PREFIX: &str = "course.";
pub const F_INTERNSHIP: &str = "internship";
/// Other training events (certificates, or the list certified by the centre's head).
pub const F_OTHER_EVENTS: &str = "other_events";
pub const F_RECOMMENDATION: &str = "recommendation";
pub const F_REGISTRY_ON: &str = "registry_on";
pub const F_APPOINTED_POST: &str = "appointed_post";
pub const F_APPOINTED_SCHOOL: &str = "appointed_school";
pub const F_APPOINTED_ON: &str = "appointed_on";
/// The centre's word to the school on a nomination it sent back or declined: what to improve,
/// or why (the school reads it; the commission's own records stay the centre's).
pub const F_CENTRE_NOTE: &str = "centre_note";

/// The candidate's own account, if they have one: their answers to the survey of readiness for
/// administrative work inform the qualitative stage (§5.5.2).
pub const F_ACCOUNT: &str = "account";
/// The built-in survey of readiness for administrative work.
pub const READINESS_SURVEY: &str = "survey_admin_readiness";

pub const F_STAGE: &str = "stage";

/// A vacant management post (`kinds::vacancy`).
pub const VACANCY_KIND: &str = "vacancy";
pub const V_POST: &str = "post";
pub const V_PLACE: &str = "place";
pub const V_OPENED_ON: &str = "opened_on";
pub const V_FILLED_ON: &str = "filled_on";
/// The candidate of the registry appointed to it.
pub const V_CANDIDATE: &str = "candidate";
/// Whoever was appointed when not from the reserve.
pub const V_APPOINTEE: &str = "appointee";
/// Stamped by the server: who nominated and when.
pub const F_NOMINATED_BY: &str = "nominated_by";
pub const F_NOMINATED_ON: &str = "nominated_on";

/// The formal requirements of the selective stage (§5.5.2: «стаж, возраст, должностные
/// продвижения и др.»).
pub const CRITERIA: [(&str, &str); 4] = [
    ("experience", "Педагогический стаж"),
    ("age", "Возраст"),
    ("career", "Должностные продвижения"),
    ("education", "Образование"),
];

/// The three courses of §5.5.3.
pub const COURSES: [(&str, &str); 3] = [
    ("gmu", "Государственное и муниципальное управление"),
    ("management", "Менеджмент"),
    ("hr", "Управление персоналом"),
];

/// A verdict of the commission on one requirement.
pub const VERDICTS: [(&str, &str); 2] = [("pass", "соответствует"), ("fail", "не соответствует")];

pub const RELOCATION: [(&str, &str); 3] = [
    ("no", "не согласен(на) на переезд"),
    ("municipality", "согласен(на) в пределах муниципалитета"),
    ("region", "согласен(на) в пределах края"),
];

/// Where a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The school is writing the nomination.
    Draft,
    /// Sent to the centre: the commission examines it.
    Nominated,
    /// Passed both stages: in the reserve school's training.
    Training,
    /// Did not pass a stage (the reason is beside the criterion).
    Declined,
    /// Recommended by the centre after the training.
    Recommended,
    /// In the registry of the reserve.
    Registry,
}

pub const STAGES: [(Stage, &str, &str); 6] = [
    (Stage::Draft, "draft", "заявка готовится школой"),
    (Stage::Nominated, "nominated", "заявка на экспертизе"),
    (Stage::Training, "training", "обучение в школе резерва"),
    (Stage::Declined, "declined", "не прошёл(ла) отбор"),
    (Stage::Recommended, "recommended", "рекомендован(а) центром"),
    (Stage::Registry, "registry", "в реестре резерва"),
];

impl Stage {
    pub fn as_str(self) -> &'static str {
        STAGES
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("", |(_, k, _)| k)
    }

    pub fn label(self) -> &'static str {
        STAGES
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("", |(_, _, l)| l)
    }

    pub fn parse(s: &str) -> Option<Stage> {
        STAGES
            .iter()
            .find(|(_, k, _)| *k == s)
            .map(|(st, _, _)| *st)
    }
}

pub fn stage_of(r: &Record) -> Stage {
    Stage::parse(&r.text(F_STAGE)).unwrap_or(Stage::Draft)
}

/// The verdict on one criterion of the selective stage, if given.
pub fn criterion(r: &Record, id: &str) -> Option<bool> {
    match r.get(&format!("{SEL_PREFIX}{id}")).and_then(Value::as_str) {
        Some("pass") => Some(true),
        Some("fail") => Some(false),
        _ => None,
    }
}

/// Has the candidate passed the selective stage (every criterion) and the qualitative one?
pub fn selected(r: &Record) -> bool {
    CRITERIA.iter().all(|(c, _)| criterion(r, c) == Some(true)) && r.text(F_QUALITIES) == "pass"
}

/// The courses whose certificates are recorded.
pub fn courses_done(r: &Record) -> usize {
    COURSES
        .iter()
        .filter(|(c, _)| !r.text(&format!("{COURSE_PREFIX}{c}")).trim().is_empty())
        .count()
}

/// The centre's steps between stages: forward one stage, a nomination back to the school, a
/// decline examined again, a recommendation or an entry in the registry taken back. (The
/// school's one step is sending a draft.)
pub const CENTRE_MOVES: [(Stage, Stage); 11] = [
    (Stage::Draft, Stage::Nominated),
    (Stage::Nominated, Stage::Training),
    (Stage::Nominated, Stage::Declined),
    (Stage::Nominated, Stage::Draft),
    (Stage::Training, Stage::Recommended),
    (Stage::Training, Stage::Declined),
    (Stage::Declined, Stage::Nominated),
    (Stage::Declined, Stage::Draft),
    (Stage::Recommended, Stage::Registry),
    (Stage::Recommended, Stage::Training),
    (Stage::Registry, Stage::Recommended),
];

/// May the candidate move from `from` to `to` (by whom: the school moves only a draft to the
/// centre)? The message says what is missing.
pub fn check_move(r: &Record, from: Stage, to: Stage, school: bool) -> Result<(), String> {
    if from == to {
        return Ok(());
    }
    if school {
        return match (from, to) {
            (Stage::Draft, Stage::Nominated) => nomination_complete(r),
            _ => Err("Дальше заявку ведёт наставнический центр.".into()),
        };
    }
    if !CENTRE_MOVES.contains(&(from, to)) {
        return Err(format!(
            "Такой шаг невозможен: кандидат сейчас на этапе «{}».",
            from.label()
        ));
    }
    let noted = !r.text(F_CENTRE_NOTE).trim().is_empty();
    match to {
        Stage::Draft if noted => Ok(()),
        Stage::Draft => {
            Err("Напишите школе в «Пояснение для школы», что доработать в заявке.".into())
        }
        Stage::Nominated => nomination_complete(r),
        Stage::Training if from == Stage::Recommended => Ok(()),
        Stage::Training => {
            if selected(r) {
                Ok(())
            } else {
                Err(
                    "К обучению допускаются прошедшие оба этапа экспертизы: отметьте \
                     «соответствует» по каждому формальному требованию и по личностным \
                     качествам."
                        .into(),
                )
            }
        }
        // During training the commission's verdicts stand: the reason is the centre's note.
        Stage::Declined if from == Stage::Training => {
            if noted {
                Ok(())
            } else {
                Err("Напишите в «Пояснение для школы», почему кандидату отказано.".into())
            }
        }
        Stage::Declined => {
            let failed = CRITERIA.iter().any(|(c, _)| criterion(r, c) == Some(false))
                || r.text(F_QUALITIES) == "fail";
            if failed {
                Ok(())
            } else {
                Err("Отметьте, какому требованию кандидат не соответствует, и почему.".into())
            }
        }
        Stage::Recommended => {
            if courses_done(r) < COURSES.len() {
                return Err("Для рекомендации нужны сертификаты всех трёх курсов: \
                            «Государственное и муниципальное управление», «Менеджмент», \
                            «Управление персоналом»."
                    .into());
            }
            if r.text(F_RECOMMENDATION).trim().is_empty() {
                return Err("Напишите рекомендацию центра.".into());
            }
            Ok(())
        }
        Stage::Registry => registry_complete(r),
    }
}

fn nomination_complete(r: &Record) -> Result<(), String> {
    let missing: Vec<&str> = [
        (F_NAME, "ФИО"),
        (F_POSITION, "должность"),
        (F_EXPERIENCE, "стаж"),
        (F_APPLICATION, "заявка"),
        (F_REFERENCE, "характеристика"),
    ]
    .iter()
    .filter(|(f, _)| {
        r.get(f)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
    })
    .map(|(_, l)| *l)
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("Заполните: {}.", missing.join(", ")))
    }
}

/// The mandatory fields of the registry (§5.6) are all there.
fn registry_complete(r: &Record) -> Result<(), String> {
    let mut missing = Vec::new();
    for (f, l) in [
        (F_NAME, "ФИО"),
        (F_EXPERIENCE, "стаж"),
        (F_TRAINING_FROM, "начало обучения"),
        (F_TRAINING_TO, "окончание обучения"),
        (F_RELOCATION, "согласие на переезд"),
    ] {
        if r.get(f)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
        {
            missing.push(l);
        }
    }
    if r.text(F_PHONE).is_empty() && r.text(F_EMAIL).is_empty() {
        missing.push("контакты");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Для реестра (п. 5.6 положения) не хватает: {}.",
            missing.join(", ")
        ))
    }
}

fn label<'a>(list: &'static [(&'static str, &'static str)], id: &'a str) -> &'a str {
    crate::words::word_of(list, id).unwrap_or(id)
}

/// The registry's columns, as §5.6 lists them (with the appointment from the reserve).
pub const REGISTRY_COLUMNS: [&str; 9] = [
    "ФИО педагогического работника",
    "Место работы (полное название общеобразовательной организации)",
    "Стаж работы, лет",
    "Сроки обучения в школе кадрового управленческого резерва",
    "Сертификаты курсовой подготовки («Государственное и муниципальное управление», «Менеджмент», «Управление персоналом»)",
    "Сертификаты иных обучающих мероприятий или перечень мероприятий, заверенный руководителем центра",
    "Согласие на переезд",
    "Контактная информация",
    "Назначение из резерва",
];

/// One row of the registry; `school` is the full name of the candidate's school, `date` shows
/// a `YYYY-MM-DD` date as the person reads it.
pub fn registry_row(r: &Record, school: &str, date: impl Fn(&str) -> String) -> Vec<String> {
    let courses: Vec<String> = COURSES
        .iter()
        .map(|(c, l)| {
            let cert = r.text(&format!("{COURSE_PREFIX}{c}"));
            format!("«{l}»: {}", if cert.is_empty() { "—".into() } else { cert })
        })
        .collect();
    let mut events = Vec::new();
    if r.get(F_GAMES) == Some(&Value::Bool(true)) {
        events.push("деловые игры".to_owned());
    }
    if r.get(F_TRAININGS) == Some(&Value::Bool(true)) {
        events.push("психологические тренинги".to_owned());
    }
    let internship = r.text(F_INTERNSHIP);
    if !internship.is_empty() {
        events.push(format!("мини-стажировка: {internship}"));
    }
    let other = r.text(F_OTHER_EVENTS);
    if !other.is_empty() {
        events.push(other);
    }
    let contacts: Vec<String> = [r.text(F_PHONE), r.text(F_EMAIL)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let appointed = if r.text(F_APPOINTED_ON).is_empty() {
        String::new()
    } else {
        format!(
            "{}, {}, с {}",
            r.text(F_APPOINTED_POST),
            r.text(F_APPOINTED_SCHOOL),
            date(&r.text(F_APPOINTED_ON))
        )
    };
    vec![
        r.text(F_NAME),
        school.to_owned(),
        r.get(F_EXPERIENCE)
            .and_then(Value::as_i64)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        format!(
            "{} — {}",
            date(&r.text(F_TRAINING_FROM)),
            date(&r.text(F_TRAINING_TO))
        ),
        courses.join("; "),
        events.join("; "),
        label(&RELOCATION, &r.text(F_RELOCATION)).to_owned(),
        contacts.join(", "),
        appointed,
    ]
}

/// The candidate's sent answers to the readiness survey among `records` (the latest first).
pub fn readiness_answers<'a>(
    candidate: &Record,
    records: impl IntoIterator<Item = &'a Record>,
) -> Vec<&'a Record> {
    let Some(account) = candidate
        .get(F_ACCOUNT)
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
    else {
        return Vec::new();
    };
    let mut list: Vec<&Record> = records
        .into_iter()
        .filter(|r| {
            r.kind == crate::forms::RESPONSE_KIND
                && !r.is_deleted()
                // A device is not told owners: a person's response is known by its id, derived
                // from the campaign and the person.
                && uuid::Uuid::parse_str(&r.text(crate::forms::F_CAMPAIGN)).is_ok_and(|c| {
                    crate::forms::response_id(c, &crate::record::Scope::Person(account)) == r.id
                })
                && crate::forms::template_of(r).is_some_and(|(c, _)| c == READINESS_SURVEY)
                && matches!(
                    crate::forms::status_of(r),
                    crate::forms::Status::Submitted | crate::forms::Status::Accepted
                )
        })
        .collect();
    list.sort_by_key(|r| std::cmp::Reverse(r.latest().map(|h| h.wall_ms)));
    list
}

fn in_year(date: &str, year: i64) -> bool {
    date.get(0..4) == Some(year.to_string().as_str())
}

fn live_vacancies<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<&'a Record> {
    records
        .into_iter()
        .filter(|r| r.kind == VACANCY_KIND && !r.is_deleted())
        .collect()
}

/// 000 §6: of the target posts that became vacant in `year`, the share (%) filled from the
/// reserve, with the counts.
pub fn vacancies_filled_share<'a>(
    year: i64,
    records: impl IntoIterator<Item = &'a Record>,
) -> Option<(f64, usize, usize)> {
    let opened: Vec<&Record> = live_vacancies(records)
        .into_iter()
        .filter(|v| in_year(&v.text(V_OPENED_ON), year))
        .collect();
    if opened.is_empty() {
        return None;
    }
    let from_reserve = opened
        .iter()
        .filter(|v| !v.text(V_CANDIDATE).is_empty() && !v.text(V_FILLED_ON).is_empty())
        .count();
    Some((
        from_reserve as f64 * 100.0 / opened.len() as f64,
        from_reserve,
        opened.len(),
    ))
}

/// 000 §6: of the appointments to management posts made in `year`, the share (%) made from the
/// reserve, with the counts.
pub fn appointments_share<'a>(
    year: i64,
    records: impl IntoIterator<Item = &'a Record>,
) -> Option<(f64, usize, usize)> {
    let filled: Vec<&Record> = live_vacancies(records)
        .into_iter()
        .filter(|v| in_year(&v.text(V_FILLED_ON), year))
        .collect();
    if filled.is_empty() {
        return None;
    }
    let from_reserve = filled
        .iter()
        .filter(|v| !v.text(V_CANDIDATE).is_empty())
        .count();
    Some((
        from_reserve as f64 * 100.0 / filled.len() as f64,
        from_reserve,
        filled.len(),
    ))
}

/// The candidates of the registry, by name.
pub fn registry<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<&'a Record> {
    let mut list: Vec<&Record> = records
        .into_iter()
        .filter(|r| r.kind == CANDIDATE_KIND && !r.is_deleted() && stage_of(r) == Stage::Registry)
        .collect();
    list.sort_by_key(|r| r.text(F_NAME));
    list
}

/// 000 §6: of the people entered in the registry in `year`, the share (%) appointed from it,
/// with the counts; `None` when nobody was entered that year.
pub fn appointed_share<'a>(
    year: i64,
    records: impl IntoIterator<Item = &'a Record>,
) -> Option<(f64, usize, usize)> {
    let entered: Vec<&Record> = registry(records)
        .into_iter()
        .filter(|r| in_year(&r.text(F_REGISTRY_ON), year))
        .collect();
    if entered.is_empty() {
        return None;
    }
    let appointed = entered
        .iter()
        .filter(|r| !r.text(F_APPOINTED_ON).is_empty())
        .count();
    Some((
        appointed as f64 * 100.0 / entered.len() as f64,
        appointed,
        entered.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{self, F_CAMPAIGN, F_STATUS, F_TEMPLATE, F_VERSION, RESPONSE_KIND};
    use crate::hlc::{Clock, DeviceId};
    use crate::record::{Scope, Write};
    use serde_json::json;
    use uuid::Uuid;

    /// The candidate's own sent answers are found on a device, which is not told who owns a
    /// record: by the response's id, derived from the campaign and the person.
    #[test]
    fn the_readiness_answers_are_the_candidates_own() {
        let (account, other, campaign) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let school = Scope::School(Uuid::from_u128(4));
        let mut clock = Clock::new(DeviceId::from_random([5; 8]));
        let mut record = |id: Uuid, kind: &str, fields: Value| {
            let mut r = Record::new(id, kind, school.clone(), None);
            for (name, value) in fields.as_object().unwrap() {
                let hlc = clock.tick(1_000);
                r.apply(
                    name,
                    Write {
                        hlc,
                        value: value.clone(),
                    },
                );
            }
            r
        };
        let answers = |person: Uuid, status: &str| {
            json!({
                F_CAMPAIGN: campaign.to_string(),
                F_TEMPLATE: READINESS_SURVEY,
                F_VERSION: 1,
                F_STATUS: status,
            })
            .as_object()
            .cloned()
            .map(|o| (forms::response_id(campaign, &Scope::Person(person)), o))
            .unwrap()
        };
        let candidate = record(
            Uuid::from_u128(6),
            CANDIDATE_KIND,
            json!({ F_ACCOUNT: account.to_string() }),
        );
        let (own_id, own) = answers(account, "submitted");
        let (their_id, theirs) = answers(other, "submitted");
        let held = [
            record(own_id, RESPONSE_KIND, Value::Object(own)),
            record(their_id, RESPONSE_KIND, Value::Object(theirs)),
        ];
        let found: Vec<Uuid> = readiness_answers(&candidate, &held)
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(found, [own_id]);
    }
}
