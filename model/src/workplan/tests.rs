//! The plan of work's rules on worked examples: period labels and filters, grouping by
//! direction, value checks, cited documents and the figures of linked records.

use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::hlc::{DeviceId, Hlc};
use crate::record::{Scope, Write};

fn rec(kind: &str, id: u128, fields: &[(&str, Value)]) -> Record {
    let mut r = Record::new(Uuid::from_u128(id), kind, Scope::Centre, None);
    for (k, v) in fields {
        r.apply(
            k,
            Write {
                hlc: Hlc {
                    wall_ms: 1_800_000_000_000,
                    counter: 0,
                    device: DeviceId::server(),
                },
                value: v.clone(),
            },
        );
    }
    r
}

fn item(id: u128, fields: &[(&str, Value)]) -> Record {
    let mut f = vec![(F_YEAR, json!(2026))];
    f.extend_from_slice(fields);
    rec(KIND, id, &f)
}

#[test]
fn periods_as_the_plan_writes_them() {
    let p = |period: &str, months: Value| {
        period_label(&item(1, &[(F_PERIOD, json!(period)), (F_MONTHS, months)]))
    };
    assert_eq!(p("month", json!([2])), "февраль");
    assert_eq!(p("months", json!([6, 2, 3, 4, 5])), "февраль–июнь");
    assert_eq!(p("months", json!([11, 3])), "ноябрь, март");
    assert_eq!(p("months", json!([12, 1])), "декабрь, январь");
    assert_eq!(
        p("months", json!([11, 12, 1])),
        "ноябрь–январь",
        "across the new year"
    );
    assert_eq!(
        p("twice_a_year", json!([12, 5])),
        "два раза в год (декабрь, май)"
    );
    assert_eq!(p("quarterly", json!([])), "ежеквартально");
    assert_eq!(p("during_year", Value::Null), "в течение года");
    assert_eq!(p("on_request", Value::Null), "по запросу");
}

#[test]
fn items_fall_in_the_chosen_months_of_the_school_year() {
    let feb_jun = item(
        1,
        &[
            (F_PERIOD, json!("months")),
            (F_MONTHS, json!([2, 3, 4, 5, 6])),
        ],
    );
    let october = item(2, &[(F_PERIOD, json!("month")), (F_MONTHS, json!([10]))]);
    let always = item(3, &[(F_PERIOD, json!("during_year"))]);
    // February–June (the 003 report's period).
    assert!(in_period(&feb_jun, 2, 6));
    assert!(!in_period(&october, 2, 6));
    assert!(in_period(&always, 2, 6));
    // September–December holds October, not February.
    assert!(in_period(&october, 9, 12));
    assert!(!in_period(&feb_jun, 9, 12));
    assert!(in_period(&feb_jun, 6, 8), "June");
    assert_eq!(school_year_of("2026-09-01"), Some(2026));
    assert_eq!(school_year_of("2027-08-31"), Some(2026));
}

#[test]
fn grouped_by_direction_in_order_numbered_within_each() {
    let items = [
        item(
            5,
            &[(F_DIRECTION, json!("consulting")), (F_CONTENT, json!("в"))],
        ),
        item(
            2,
            &[(F_DIRECTION, json!("research")), (F_CONTENT, json!("б"))],
        ),
        item(
            1,
            &[(F_DIRECTION, json!("research")), (F_CONTENT, json!("а"))],
        ),
        rec(
            KIND,
            9,
            &[(F_YEAR, json!(2025)), (F_DIRECTION, json!("research"))],
        ),
    ];
    let g = grouped(&items, 2026, None);
    let shape: Vec<(&str, Vec<String>)> = g
        .iter()
        .map(|(d, l)| (*d, l.iter().map(|r| r.text(F_CONTENT)).collect()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (
                "Исследовательская деятельность",
                vec!["а".to_owned(), "б".to_owned()]
            ),
            ("Консультационная деятельность", vec!["в".to_owned()]),
        ]
    );
}

#[test]
fn checks_of_values() {
    assert!(check_months(&json!([1, 12])).is_ok());
    assert!(check_months(&json!([13])).is_err());
    assert!(
        check_evidence(
            &json!([{"kind": "letter", "number": "1457/21-21-10", "date": "2021-05-19"}])
        )
        .is_ok()
    );
    assert!(check_evidence(&json!([{"kind": "telegram"}])).is_err());
    assert!(check_evidence(&json!([{"kind": "order", "date": "19.05.2021"}])).is_err());
    assert!(check_link(&json!("campaign:00000000-0000-0000-0000-000000000001")).is_ok());
    assert!(check_link(&json!("campaign:x")).is_err());
    let d = Document {
        kind: "letter".into(),
        number: "1457/21-21-10".into(),
        date: "2021-05-19".into(),
        title: String::new(),
    };
    assert_eq!(d.cite(), "письмо от 19.05.2021 № 1457/21-21-10");
}

#[test]
fn figures_of_a_linked_campaign_and_of_consultations() {
    let cid = Uuid::from_u128(77);
    let campaign = rec(
        forms::CAMPAIGN_KIND,
        77,
        &[
            ("title", json!("Карта самоанализа")),
            ("template", json!("self_analysis")),
            ("version", json!(1)),
            ("deadline", json!("2027-02-01")),
            (
                "schools",
                json!([
                    Uuid::from_u128(1).to_string(),
                    Uuid::from_u128(2).to_string(),
                    Uuid::from_u128(3).to_string()
                ]),
            ),
        ],
    );
    let response = |id: u128, status: &str| {
        rec(
            forms::RESPONSE_KIND,
            id,
            &[
                (forms::F_CAMPAIGN, json!(cid.to_string())),
                (forms::F_STATUS, json!(status)),
            ],
        )
    };
    let records = vec![
        campaign,
        response(10, "submitted"),
        response(11, "accepted"),
        response(12, "draft"),
    ];
    let linked = item(1, &[(F_LINK, json!(format!("campaign:{cid}")))]);
    assert_eq!(
        figures(&linked, &records),
        vec![
            "форма «Карта самоанализа» направлена школам: 3".to_owned(),
            "ответов отправлено: 2".to_owned(),
            "принято: 1".to_owned(),
        ]
    );
    // The consultations asked in the school year (the records were written in January 2027).
    let c = |id: u128, state: &str| {
        rec(
            consultation::KIND,
            id,
            &[("topic", json!("т")), ("state", json!(state))],
        )
    };
    let records = vec![c(20, "closed"), c(21, "new"), c(22, "held")];
    let mut linked = item(2, &[(F_LINK, json!("consultations"))]);
    assert_eq!(
        figures(&linked, &records),
        vec![
            "запросов на консультации: 3".to_owned(),
            "проведено консультаций: 2".to_owned()
        ]
    );
    linked = rec(
        KIND,
        2,
        &[(F_LINK, json!("consultations")), (F_YEAR, json!(2025))],
    );
    assert_eq!(figures(&linked, &records)[0], "запросов на консультации: 0");
    let text = report_text(
        &item(
            3,
            &[
                (F_REPORT, json!("Проведено.")),
                (
                    F_EVIDENCE,
                    json!([{"kind": "order", "number": "877", "date": "2021-06-04"}]),
                ),
            ],
        ),
        &["проведено консультаций: 2".to_owned()],
    );
    assert_eq!(
        text,
        "Проведено.\nИсточники: приказ от 04.06.2021 № 877.\nПо данным системы: проведено консультаций: 2."
    );
}
