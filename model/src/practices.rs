//! The bank of practices (002 §4.5: «аккумулирование на информационном ресурсе материалов,
//! необходимых для перехода ШНОР/ШССУ в эффективный режим функционирования и развития, в том
//! числе описаний лучших управленческих практик … типовых управленческих решений»; the plan of
//! 002 gives it to the moderator). A `material` is published by the moderator or the centre head
//! and read by everybody signed in; its files are attachments. A school finds what suits it: the
//! risk factors of its anti-risk programme and the deficits of its leaders' tests.

use serde_json::Value;

use crate::record::Record;

pub const MATERIAL_KIND: &str = "material";
pub const F_TITLE: &str = "title";
pub const F_SUMMARY: &str = "summary";
pub const F_TYPE: &str = "type";
/// The school it comes from (a school's id), if one of the municipality's.
pub const F_SCHOOL: &str = "school";
/// Where it comes from, in words (a school elsewhere, a ministry, an author).
pub const F_SOURCE: &str = "source";
/// Risk factors it addresses (`crate::support::RISK_FACTORS` ids).
pub const F_FACTORS: &str = "factors";
/// Competency areas of the leader test it addresses (the test's area ids).
pub const F_AREAS: &str = "areas";
/// `draft` (the centre's only) or `published` (everybody's).
pub const F_STATE: &str = "state";
pub const F_AUTHOR: &str = "author";
pub const F_PUBLISHED_ON: &str = "published_on";

/// The field of a recommendation or a programme measure naming materials of the bank (their
/// ids): what the school may read to carry it out.
pub const F_MATERIALS: &str = "materials";
/// The most materials one recommendation or measure names.
pub const MAX_LINKED: usize = 20;

/// A list of at most [`MAX_LINKED`] material ids.
pub fn check_links(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= MAX_LINKED
            && l.iter()
                .all(|x| x.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "список материалов банка практик (не более {MAX_LINKED})"
        ))
    }
}

/// The materials a record names.
pub fn linked(r: &Record) -> Vec<uuid::Uuid> {
    list(r, F_MATERIALS)
        .iter()
        .filter_map(|s| uuid::Uuid::parse_str(s).ok())
        .collect()
}

/// The kinds of materials, as 002 §4.5 lists them.
pub const TYPES: [(&str, &str); 4] = [
    ("practice", "Описание управленческой практики"),
    ("decision", "Типовое управленческое решение"),
    ("method", "Методический материал"),
    ("normative", "Нормативный документ"),
];

/// The competency areas of the leader test (its `areas`, the same ids; `model/tests/templates.rs`
/// keeps the two alike), so every role names them with no template on the computer.
pub const AREAS: [(&str, &str); 9] = [
    ("law", "Нормативно-правовое регулирование"),
    ("strategy", "Стратегическое управление и программа развития"),
    ("process", "Управление образовательным процессом"),
    ("vsoko", "ВСОКО и работа с данными"),
    ("personnel", "Управление персоналом"),
    ("finance", "Финансово-экономическая деятельность"),
    ("safety", "Материально-техническая база и безопасность"),
    ("upbringing", "Воспитательная работа и школьный климат"),
    (
        "team",
        "Формирование управленческой команды и руководство ею",
    ),
];

pub fn area_label(id: &str) -> &str {
    AREAS.iter().find(|(a, _)| *a == id).map_or(id, |(_, l)| l)
}

pub fn type_label(id: &str) -> &str {
    crate::words::word_of(&TYPES, id).unwrap_or(id)
}

pub fn is_published(r: &Record) -> bool {
    r.text(F_STATE) == "published"
}

fn list(r: &Record, field: &str) -> Vec<String> {
    r.get(field)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub fn factors(r: &Record) -> Vec<String> {
    list(r, F_FACTORS)
}

pub fn areas(r: &Record) -> Vec<String> {
    list(r, F_AREAS)
}

/// What a school needs, to find the materials that suit it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The risk factors of its programme.
    pub factors: Vec<String>,
    /// The areas where its leaders' tests found a deficit (full or partial).
    pub areas: Vec<String>,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        self.factors.is_empty() && self.areas.is_empty()
    }

    /// How well a material suits: the number of the school's factors and deficit areas it
    /// addresses (0: not at all).
    pub fn fit(&self, material: &Record) -> usize {
        factors(material)
            .iter()
            .filter(|f| self.factors.contains(f))
            .count()
            + areas(material)
                .iter()
                .filter(|a| self.areas.contains(a))
                .count()
    }
}

/// What a school needs, from the records on its computer: the risk factors of its programme's
/// sections and the areas its leaders' test results found a deficit or a partial one in.
pub fn needs_of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Needs {
    let mut needs = Needs::default();
    for r in records.into_iter().filter(|r| !r.is_deleted()) {
        if r.kind == crate::support::programme::SECTION_KIND {
            let f = r.text(crate::support::programme::F_FACTOR);
            if f != crate::support::GENERAL && !f.is_empty() {
                needs.factors.push(f);
            }
        } else if r.kind == crate::forms::RESULT_KIND {
            let scores: Vec<crate::forms::scoring::AreaScore> = r
                .get("areas")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            needs.areas.extend(
                scores
                    .into_iter()
                    .filter(|a| a.level != crate::forms::Level::NoDeficit)
                    .map(|a| a.area),
            );
        }
    }
    for list in [&mut needs.factors, &mut needs.areas] {
        list.sort();
        list.dedup();
    }
    needs
}

/// Does the material contain every word of `query` (in its title, summary or source), case
/// aside? An empty query finds everything.
pub fn matches(material: &Record, query: &str) -> bool {
    let text = format!(
        "{} {} {} {}",
        material.text(F_TITLE),
        material.text(F_SUMMARY),
        material.text(F_SOURCE),
        type_label(&material.text(F_TYPE))
    )
    .to_lowercase();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|w| text.contains(w))
}

/// The materials a person sees, in order: the best fit first, then the latest published.
pub fn order(materials: &mut [Record], needs: &Needs) {
    materials.sort_by(|a, b| {
        needs
            .fit(b)
            .cmp(&needs.fit(a))
            .then_with(|| b.text(F_PUBLISHED_ON).cmp(&a.text(F_PUBLISHED_ON)))
            .then_with(|| a.text(F_TITLE).cmp(&b.text(F_TITLE)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Scope;
    use serde_json::json;

    fn material(title: &str, factors: &[&str], areas: &[&str], on: &str) -> Record {
        let mut r = Record::new(
            uuid::Uuid::from_u128(title.len() as u128),
            MATERIAL_KIND,
            Scope::Centre,
            None,
        );
        let hlc = crate::hlc::Hlc {
            wall_ms: 1,
            counter: 0,
            device: crate::hlc::DeviceId::server(),
        };
        for (k, v) in [
            (F_TITLE, json!(title)),
            (F_FACTORS, json!(factors)),
            (F_AREAS, json!(areas)),
            (F_PUBLISHED_ON, json!(on)),
        ] {
            r.apply(
                k,
                crate::record::Write {
                    hlc: hlc.clone(),
                    value: v,
                },
            );
        }
        r
    }

    #[test]
    fn the_best_fit_comes_first() {
        let needs = Needs {
            factors: vec!["parents".into()],
            areas: vec!["vsoko".into()],
        };
        let mut list = vec![
            material("Новое", &[], &[], "2026-11-01"),
            material("Родители", &["parents"], &[], "2026-01-01"),
            material("Данные и родители", &["parents"], &["vsoko"], "2025-01-01"),
        ];
        order(&mut list, &needs);
        let titles: Vec<String> = list.iter().map(|r| r.text(F_TITLE)).collect();
        assert_eq!(titles, ["Данные и родители", "Родители", "Новое"]);
        assert_eq!(needs.fit(&list[2]), 0);
        assert!(matches(&list[0], "ДАННЫЕ родители"));
        assert!(!matches(&list[0], "бюджет"));
        assert!(matches(&list[0], ""));
    }
}
