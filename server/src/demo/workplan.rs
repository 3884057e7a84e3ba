//! The demo's plan of work for the current school year (002 appendix, 003 report): items in
//! each of the six directions, planned by the head before the year starts, those whose months
//! have passed reported by the person responsible (text, state, the documents that prove it),
//! some linked to what the system knows (consultations, visits, programmes); and the values of
//! the programme's four reserve indicators (000 §6) for the last three years, entered by the
//! head. Written through the same batch step as every device's edits, each by the person who
//! would have made it, dated relative to today so the demo never goes stale.

use model::forms::answer::iso_day;
use model::record::Scope;
use model::workplan::indicators as ind;
use model::workplan::{self as w};
use serde_json::json;

use super::desk::{DAY_MS, Desk, days_ago};
use super::support::People;
use crate::storage::{Db, now_ms};

/// Who is responsible for an item (and reports on it).
#[derive(Clone, Copy, PartialEq)]
enum By {
    Head,
    Mentor,
    Curator,
}

struct Item {
    direction: &'static str,
    content: &'static str,
    period: &'static str,
    months: &'static [u8],
    place: &'static str,
    by: By,
    people: &'static str,
    link: Option<&'static str>,
    /// The report once the item has begun; empty: nobody has reported yet.
    report: &'static str,
    /// (kind, number, month, day, title) of the documents proving it.
    evidence: &'static [(&'static str, &'static str, u8, u8, &'static str)],
}

const ITEMS: [Item; 15] = [
    Item {
        direction: "research",
        content: "Проведение самоанализа ШНОР/ШССУ по карте самоанализа, анализ рисковых факторов",
        period: "months",
        months: &[9, 10],
        place: "ШНОР, МНЦ",
        by: By::Curator,
        people: "Гаврилов О. И., куратор ШНОР; Белова И. В., наставник; администрации ШНОР",
        link: None,
        report: "Карты самоанализа заполнили МБОУ СОШ № 4, МБОУ ООШ № 12 и МБОУ СОШ № 7; по каждой \
                 школе определены приоритетные рисковые факторы (дефицит кадров, учебная \
                 неуспешность, низкая учебная мотивация).",
        evidence: &[
            ("report", "12", 10, 28, "Об итогах самоанализа ШНОР"),
            (
                "letter",
                "2874/26-21-10",
                10,
                30,
                "О рисковых профилях ШНОР",
            ),
        ],
    },
    Item {
        direction: "research",
        content: "Тестирование руководителей ШНОР/ШССУ, выявление профессиональных управленческих \
                  дефицитов",
        period: "month",
        months: &[2],
        place: "МНЦ (дистанционно)",
        by: By::Mentor,
        people: "Белова И. В., наставник; главный специалист УО",
        link: None,
        report: "Тест управленческих компетенций прошли 6 руководителей и заместителей \
                 руководителей ШНОР; дефициты выявлены в областях «Управление качеством \
                 образования» и «Работа с кадрами».",
        evidence: &[(
            "report",
            "4",
            2,
            26,
            "Результаты тестирования руководителей ШНОР",
        )],
    },
    Item {
        direction: "research",
        content: "Анализ управленческих дефицитов по итогам тестирования, подготовка \
                  персонифицированных планов восполнения дефицитов управленческих команд",
        period: "month",
        months: &[3],
        place: "МНЦ",
        by: By::Mentor,
        people: "Белова И. В., наставник; Гаврилов О. И., куратор",
        link: None,
        report: "Для каждого руководителя составлен персональный план: курсы повышения \
                 квалификации, стажировка в школе-наставнике, наставничество.",
        evidence: &[],
    },
    Item {
        direction: "project",
        content: "Публичное представление антирисковых программ ШНОР/ШССУ",
        period: "twice_a_year",
        months: &[12, 5],
        place: "Управление образования",
        by: By::Head,
        people: "Соколова М. П., руководитель МНЦ; куратор ИРО; заместитель начальника УО; \
                 администрации ШНОР",
        link: Some("programmes"),
        report: "МБОУ СОШ № 4 представила антирисковую программу, программа одобрена; МБОУ ООШ \
                 № 12 разрабатывает программу с куратором.",
        evidence: &[],
    },
    Item {
        direction: "project",
        content: "Посещение уроков и мероприятий в ШНОР, определение слабых мест управленческой \
                  деятельности",
        period: "quarterly",
        months: &[],
        place: "ШНОР",
        by: By::Curator,
        people: "Кураторы и наставники ШНОР",
        link: Some("visits"),
        report: "Уроки и мероприятия посещаются по графику; справки по итогам направлены школам, \
                 по итогам посещений даны адресные рекомендации.",
        evidence: &[],
    },
    Item {
        direction: "project",
        content: "Единый день открытых дверей на стажировочных площадках школ-наставников",
        period: "twice_a_year",
        months: &[11, 4],
        place: "МАОУ гимназия № 2, МБОУ лицей № 1",
        by: By::Mentor,
        people: "Белова И. В., наставник; управленческие команды школ-наставников",
        link: None,
        report: "Проведены открытые уроки, семинар и консультации для администраций ШНОР; \
                 участвовали 14 педагогов из трёх школ.",
        evidence: &[
            (
                "order",
                "618",
                11,
                10,
                "О проведении мероприятия «День открытых дверей»",
            ),
            (
                "letter",
                "1457/21-21-10",
                11,
                25,
                "О проведённой работе в рамках мероприятия «День открытых дверей» для ШНОР",
            ),
        ],
    },
    Item {
        direction: "consulting",
        content: "Консультации для администраций ШНОР/ШССУ по запросу (очно и дистанционно)",
        period: "on_request",
        months: &[],
        place: "МНЦ, ШНОР",
        by: By::Mentor,
        people: "Наставники и кураторы МНЦ",
        link: Some("consultations"),
        report: "Консультации проводятся по запросам школ; итоги и рекомендации записываются в \
                 журнал консультаций.",
        evidence: &[],
    },
    Item {
        direction: "consulting",
        content: "Семинар для заместителей директоров ШНОР «Внутренняя система оценки качества \
                  образования: от контроля к анализу»",
        period: "month",
        months: &[11],
        place: "МАОУ гимназия № 2",
        by: By::Curator,
        people: "Гаврилов О. И., куратор; заместитель директора МАОУ гимназии № 2",
        link: None,
        report: "Семинар проведён, участвовали 9 заместителей директоров; материалы размещены на \
                 сайте МНЦ.",
        evidence: &[("protocol", "3", 11, 19, "")],
    },
    Item {
        direction: "information",
        content: "Информирование администраций ШНОР/ШССУ о порядке работы МНЦ и оказания \
                  консультационной помощи (совещания, письма, приказы)",
        period: "month",
        months: &[9],
        place: "Управление образования",
        by: By::Head,
        people: "Соколова М. П., руководитель МНЦ; главный специалист УО",
        link: None,
        report: "Порядок работы МНЦ и подачи запросов на консультации доведён до школ на \
                 совещании руководителей и письмом УО.",
        evidence: &[(
            "letter",
            "2391/26-21-10",
            9,
            12,
            "О порядке работы муниципального наставнического центра",
        )],
    },
    Item {
        direction: "information",
        content: "Размещение на сайте МНЦ материалов об эффективных управленческих практиках \
                  школ-наставников",
        period: "during_year",
        months: &[],
        place: "МНЦ",
        by: By::Mentor,
        people: "Белова И. В., наставник; модератор",
        link: None,
        report: "",
        evidence: &[],
    },
    Item {
        direction: "monitoring",
        content: "Мониторинг динамики образовательных результатов ШНОР по итогам четвертей",
        period: "quarterly",
        months: &[],
        place: "МКУО ЦОКО",
        by: By::Curator,
        people: "Гаврилов О. И., куратор; МКУО ЦОКО",
        link: None,
        report: "Сравнительный анализ результатов ШНОР проводится после каждой четверти; справки \
                 направляются администрациям школ.",
        evidence: &[],
    },
    Item {
        direction: "monitoring",
        content: "Мониторинг потребностей в управленческих кадрах, формирование кадрового \
                  управленческого резерва",
        period: "during_year",
        months: &[],
        place: "Управление образования",
        by: By::Head,
        people: "Соколова М. П., руководитель МНЦ; отдел кадров УО",
        link: None,
        report: "",
        evidence: &[],
    },
    Item {
        direction: "organisational",
        content: "Формирование базы наставников и наставляемых, закрепление кураторов за каждой \
                  ШНОР/ШССУ",
        period: "month",
        months: &[9],
        place: "Управление образования",
        by: By::Head,
        people: "Соколова М. П., руководитель МНЦ",
        link: None,
        report: "Кураторы и наставники закреплены за МБОУ СОШ № 4, МБОУ ООШ № 12 и МБОУ СОШ № 7.",
        evidence: &[(
            "order",
            "906",
            9,
            3,
            "О закреплении кураторов и наставников за ШНОР",
        )],
    },
    Item {
        direction: "organisational",
        content: "Установочная встреча участников сетевого взаимодействия",
        period: "month",
        months: &[9],
        place: "МАОУ гимназия № 2",
        by: By::Curator,
        people: "Гаврилов О. И., куратор; Белова И. В., наставник; руководители ШНОР и \
                 школ-наставников",
        link: None,
        report: "Встреча проведена, согласован план совместной работы школ-наставников и ШНОР.",
        evidence: &[("protocol", "1", 9, 17, "")],
    },
    Item {
        direction: "organisational",
        content: "Подведение итогов работы МНЦ за учебный год, отчёт о выполнении плана",
        period: "month",
        months: &[6],
        place: "Управление образования",
        by: By::Head,
        people: "Соколова М. П., руководитель МНЦ; кураторы и наставники",
        link: None,
        report: "",
        evidence: &[],
    },
];

/// (indicator, values for the three years before this one, source).
const INDICATORS: [(&str, [f64; 3], &str); 4] = [
    (
        "reserve_appointed",
        [12.5, 16.7, 20.0],
        "Приказы УО о назначении руководителей; список резерва управленческих кадров",
    ),
    (
        "reserve_vacancies",
        [33.3, 40.0, 50.0],
        "Сведения отдела кадров УО о вакантных целевых должностях",
    ),
    (
        "reserve_projects",
        [25.0, 30.0, 37.5],
        "Отчёт о работе Школы управленческого резерва",
    ),
    (
        "reserve_share",
        [20.0, 25.0, 33.3],
        "Приказы УО о назначении на руководящие должности",
    ),
];

/// An item's state when the school year has reached month `current` (its place, September 0):
/// done once its months have passed (September's start-up work is done in its first days),
/// under way once one has come; an item of the whole year is under way once somebody reports
/// on it. `None`: nobody has reported on it yet.
fn state(item: &Item, current: usize) -> Option<&'static str> {
    let months: Vec<usize> = item.months.iter().map(|m| w::school_index(*m)).collect();
    match (months.iter().min(), months.iter().max()) {
        _ if item.report.is_empty() => None,
        (Some(_), Some(0)) => Some("done"),
        (Some(_), Some(l)) if *l < current => Some("done"),
        (Some(f), _) if *f <= current => Some("in_progress"),
        (Some(_), _) => None,
        (None, _) => Some("in_progress"),
    }
}

pub async fn load(db: &Db, people: People<'_>) -> anyhow::Result<()> {
    let today = iso_day(now_ms() as u64);
    let year = w::school_year_of(&today).unwrap_or(2026);
    let current = w::school_index(today[5..7].parse().unwrap_or(9));
    // The calendar day of a month of this school year.
    let day = |m: u8, d: u8| {
        let y = if m >= 9 { year } else { year + 1 };
        format!("{y:04}-{m:02}-{d:02}")
    };
    let mut head = Desk::new(db, people.head, "workplan").await?;
    let mut mentor = Desk::new(db, people.mentor, "workplan").await?;
    let mut curator = Desk::new(db, people.curator, "workplan").await?;

    // The reserve indicators of the last three calendar years, entered each January.
    let this_year: i64 = today[..4].parse().unwrap_or(2026);
    for (code, values, source) in INDICATORS {
        for (i, value) in values.iter().enumerate() {
            let y = this_year - 3 + i as i64;
            head.write(
                days_ago(&format!("{:04}-01-20", y + 1)),
                (ind::value_id(code, y), ind::KIND, &Scope::Centre, None),
                &[
                    (ind::F_CODE, json!(code)),
                    (ind::F_YEAR, json!(y)),
                    (ind::F_VALUE, json!(value)),
                    (ind::F_SOURCE, json!(format!("{source} за {y} год"))),
                ],
            )
            .await?;
        }
    }

    // The head plans the year at the end of August, item by item.
    let planned_ago = days_ago(&format!("{year:04}-08-25")).max(1);
    let start = now_ms() as u64 - planned_ago * DAY_MS;
    for (n, item) in ITEMS.iter().enumerate() {
        let id =
            uuid::Builder::from_unix_timestamp_millis(start + n as u64, &[n as u8; 10]).into_uuid();
        let responsible = match item.by {
            By::Head => people.head,
            By::Mentor => people.mentor,
            By::Curator => people.curator,
        };
        let mut fields = vec![
            (w::F_YEAR, json!(year)),
            (w::F_DIRECTION, json!(item.direction)),
            (w::F_CONTENT, json!(item.content)),
            (w::F_PERIOD, json!(item.period)),
            (w::F_PLACE, json!(item.place)),
            (w::F_RESPONSIBLE, json!(responsible.id.to_string())),
            (w::F_PEOPLE, json!(item.people)),
            (w::F_STATUS, json!("planned")),
        ];
        if !item.months.is_empty() {
            fields.push((w::F_MONTHS, json!(item.months)));
        }
        if let Some(link) = item.link {
            fields.push((w::F_LINK, json!(link)));
        }
        head.write(planned_ago, (id, w::KIND, &Scope::Centre, None), &fields)
            .await?;

        let Some(status) = state(item, current) else {
            continue;
        };
        // The documents issued by now (a done item's, by today at the latest).
        let evidence: Vec<w::Document> = item
            .evidence
            .iter()
            .map(|(kind, number, m, d, title)| w::Document {
                kind: (*kind).to_owned(),
                number: (*number).to_owned(),
                date: match day(*m, *d) {
                    date if status == "done" => date.min(today.clone()),
                    date => date,
                },
                title: (*title).to_owned(),
            })
            .filter(|d| d.date <= today)
            .collect();
        // A done item is reported at the end of its last month, once its documents are out;
        // one under way, a couple of days ago.
        let reported_ago = if status == "done" {
            let last = item
                .months
                .iter()
                .copied()
                .max_by_key(|m| w::school_index(*m))
                .unwrap_or(9);
            let on = evidence
                .iter()
                .map(|d| d.date.clone())
                .chain([day(last, 25)])
                .max()
                .unwrap_or_default();
            days_ago(&on).min(planned_ago - 1)
        } else {
            2.min(planned_ago - 1)
        };
        let mut report = vec![
            (w::F_STATUS, json!(status)),
            (w::F_REPORT, json!(item.report)),
        ];
        if !evidence.is_empty() {
            report.push((w::F_EVIDENCE, serde_json::to_value(&evidence)?));
        }
        let desk = match item.by {
            By::Head => &mut head,
            By::Mentor => &mut mentor,
            By::Curator => &mut curator,
        };
        desk.write(reported_ago, (id, w::KIND, &Scope::Centre, None), &report)
            .await?;
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatever_the_month_some_items_are_done_with_documents_and_some_planned() {
        for current in 0..12 {
            let states: Vec<Option<&str>> = ITEMS.iter().map(|i| state(i, current)).collect();
            assert!(
                ITEMS
                    .iter()
                    .zip(&states)
                    .any(|(i, s)| *s == Some("done") && !i.evidence.is_empty()),
                "month {current}"
            );
            assert!(states.contains(&Some("in_progress")), "month {current}");
            assert!(states.contains(&None), "month {current}");
        }
        assert!(
            ITEMS
                .iter()
                .all(|i| i.months.iter().all(|m| (1..=12).contains(m)))
        );
        let directions: std::collections::BTreeSet<&str> =
            ITEMS.iter().map(|i| i.direction).collect();
        assert_eq!(directions.len(), w::DIRECTIONS.len());
    }
}
