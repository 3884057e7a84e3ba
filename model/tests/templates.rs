//! The built-in templates in `templates/` parse, follow every rule of the format, and hold what
//! each form must hold.

use model::forms::template::{Kind, Respondent};
use model::forms::{Template, answer};
use model::role::Role;

fn load(name: &str) -> (Template, model::forms::Key) {
    let path = format!("{}/../templates/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Template::parse(&json).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kinds(t: &Template) -> Vec<&'static str> {
    let mut all = Vec::new();
    for q in t.questions() {
        let inner: Vec<&model::forms::Question> = match &q.kind {
            Kind::Group { questions, .. } => questions.iter().collect(),
            _ => Vec::new(),
        };
        for q in std::iter::once(q).chain(inner) {
            all.push(q.kind.name());
        }
    }
    all
}

#[test]
fn every_file_in_templates_parses_and_the_codes_match_the_names() {
    let dir = format!("{}/../templates", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (t, _) = load(&stem);
        assert_eq!(t.code, stem, "{path:?}: code must be the file name");
        // An empty response is never invalid by type, only by what is required.
        for p in answer::validate(&t, &Default::default()) {
            assert!(
                p.message.contains("обязательный")
                    || p.message.contains("не меньше")
                    || p.message.contains("ячейки"),
                "{stem}: {p:?}"
            );
        }
        n += 1;
    }
    assert!(n >= 7, "expected at least 7 built-in templates, found {n}");
}

#[test]
fn self_analysis_card_covers_results_risks_causes_management_staff_conditions_conclusions() {
    let (t, key) = load("self_analysis");
    assert!(key.0.is_empty());
    assert_eq!(t.respondent, Respondent::School);
    assert!(t.audience.contains(&Role::SchoolTeam));
    assert!(t.sections.len() >= 6, "{} sections", t.sections.len());
    let text = serde_json::to_string(&t).unwrap();
    for needle in [
        "ВПР",
        "ОГЭ",
        "ЕГЭ",
        "Русский язык",
        "Математика",
        "не освоивших",
        "Низкий уровень оснащения школы",
        "Дефицит педагогических кадров",
        "Низкий уровень вовлечённости родителей",
        "высокий",
        "средний",
        "низкий",
        "неэффективных",
        "слабоуспевающ",
        "Завышение оценок",
        "контроль администрации",
        "кадрового состава",
        "профориентационн",
        "ВСОКО",
        "вакансий",
        "Выводы",
    ] {
        assert!(text.contains(needle), "self_analysis lacks «{needle}»");
    }
    let kinds = kinds(&t);
    for k in [
        "table",
        "single",
        "long_text",
        "number",
        "percent",
        "yes_no",
        "group",
        "multiple",
    ] {
        assert!(kinds.contains(&k), "self_analysis has no {k} question");
    }
}

/// 004 stage 1: the twelve indicators in their order, each computed from counts the school
/// types (so the centre can check and aggregate them) — but the tutors and the internet speed,
/// which are figures themselves; partners and support as lists of organisations with the kind
/// of help (what stage 2 chooses measures from); the municipal median beside each; the counts
/// the card asks too are shared with it.
#[test]
fn context_profile_computes_the_twelve_indicators_from_counts() {
    let (t, _) = load("context_profile");
    assert!(
        t.version >= 2,
        "a changed built-in template is a new version"
    );
    assert!(t.medians);
    assert_eq!(t.shared_with, ["self_analysis"]);
    let indicators = [
        ("pupils_per_teacher", "учащихся на одного учителя"),
        ("highest_category_share", "высшей квалификационной"),
        ("tutors", "тьютор"),
        ("pupils_per_computer", "на один компьютер"),
        ("partner_organisations", "Сотрудничество"),
        ("supporting_organisations", "поддержки от других"),
        ("inschool_extra_share", "внутришкольным"),
        ("outschool_extra_share", "внешкольным"),
        ("second_shift_share", "вторую смену"),
        ("advanced_programs_share", "углублённым"),
        ("profile_classes_share", "профильных классах"),
        ("internet_speed", "интернет"),
    ];
    let order: Vec<&str> = t
        .questions()
        .map(|q| q.id.as_str())
        .filter(|id| indicators.iter().any(|(i, _)| i == id))
        .collect();
    assert_eq!(order, indicators.map(|(i, _)| i), "the 004 order");
    for (id, stem) in indicators {
        let q = t.question(id).unwrap();
        assert!(
            q.text.contains(stem),
            "{id}: {:?} should be about {stem:?}",
            q.text
        );
        match (&q.kind, id) {
            (Kind::Number(rule), "tutors" | "internet_speed") => {
                assert!(
                    rule.min.is_some() && rule.max.is_some() && !rule.unit.is_empty(),
                    "{id}"
                );
                assert!(q.required, "{id}");
            }
            (Kind::Computed(_), _) => {}
            (other, _) => panic!("{id}: an indicator is computed from counts, is {other:?}"),
        }
    }
    // Every typed count is bounded, with its unit.
    for q in t.questions() {
        if let Kind::Number(rule) = &q.kind {
            assert!(
                rule.min.is_some() && rule.max.is_some() && !rule.unit.is_empty(),
                "{}",
                q.id
            );
        }
    }
    // Partners and support: who and what kind of help.
    for group in ["partners", "support"] {
        let Kind::Group { questions, .. } = &t.question(group).unwrap().kind else {
            panic!("{group} is a list of organisations");
        };
        assert!(
            questions
                .iter()
                .any(|q| matches!(q.kind, Kind::Single { .. })),
            "{group}: the kind of help"
        );
        assert!(
            questions
                .iter()
                .any(|q| matches!(q.kind, Kind::Text { .. }) && q.required),
            "{group}: the organisation"
        );
    }
    // A full profile computes its indicators: 214 pupils, 19 teachers → 11.3.
    let mut a = model::forms::Answers::new();
    a.insert("pupils_total".into(), serde_json::json!(214));
    a.insert("teachers_total".into(), serde_json::json!(19));
    a.insert(
        "partners".into(),
        serde_json::json!([{"partner_name": "Колледж", "partner_kind": "career"}]),
    );
    let computed = |id: &str| match &t.question(id).unwrap().kind {
        Kind::Computed(f) => answer::compute(f, &a),
        _ => None,
    };
    assert_eq!(computed("pupils_per_teacher"), Some(11.3));
    assert_eq!(computed("partner_organisations"), Some(1.0));
    // The counts both forms ask have the same id and kind in the card.
    let (card, _) = load("self_analysis");
    assert_eq!(card.shared_with, ["context_profile"]);
    for id in [
        "pupils_total",
        "teachers_total",
        "computers",
        "internet_speed",
        "highest_category_count",
    ] {
        let (p, c) = (t.question(id).unwrap(), card.question(id).unwrap());
        assert_eq!(p.kind, c.kind, "{id}: asked alike in both forms");
    }
}

/// Issue of the instruments (000 p.5, 002 §1.4, §4.2): nine areas or more, the management team
/// among them, at least six items each so one answer does not change the level, case items,
/// items with several right options (partial credit), the norm of every item for the debrief,
/// and the position asked so the results are reported per position.
#[test]
fn leader_test_has_nine_areas_of_six_items_with_norms_cases_and_the_position() {
    let (t, key) = load("leader_test");
    let test = t.test.as_ref().expect("leader_test is a test");
    assert!(
        t.version >= 2,
        "a changed built-in template is a new version"
    );
    assert!(test.areas.len() >= 9, "{} areas", test.areas.len());
    assert!(
        test.areas
            .iter()
            .any(|a| a.id == "team" && a.title.contains("команд")),
        "no area on forming and leading the management team"
    );
    for a in &test.areas {
        let qs: Vec<_> = t
            .questions()
            .filter(|q| q.area.as_ref() == Some(&a.id))
            .collect();
        assert!(qs.len() >= 6, "area {} has {} items", a.id, qs.len());
        assert!(qs.iter().all(|q| key.0.contains_key(&q.id)));
        assert!(
            qs.iter().filter(|q| !q.case.is_empty()).count() * 2 >= qs.len(),
            "area {}: at least half of the items are cases",
            a.id
        );
        for q in &qs {
            assert!(!q.reference.is_empty(), "{}: no norm for the debrief", q.id);
            // Four options or more: a guess is not half a point.
            let options = match &q.kind {
                Kind::Single { options } | Kind::Multiple { options, .. } => options.len(),
                _ => 0,
            };
            assert!(options >= 4, "{}: {options} options", q.id);
        }
    }
    let multiple: Vec<_> = t
        .questions()
        .filter(|q| matches!(q.kind, Kind::Multiple { .. }))
        .collect();
    assert!(
        multiple.len() >= 5,
        "{} items with several right options",
        multiple.len()
    );
    assert!(
        multiple
            .iter()
            .all(|q| key.0[&q.id].len() >= 2 && q.text.contains("Выберите все верные")),
        "a multiple item has several right options and says so"
    );
    let position = test.position.as_deref().expect("the position is asked");
    let q = t.question(position).unwrap();
    assert!(q.required && q.area.is_none());
    // The parsed template carries no key, and no item's norm or help gives the answer away.
    let public = serde_json::to_string(&t).unwrap();
    assert!(!public.contains("\"correct\""));
    assert_eq!(t.respondent, Respondent::Person);
    assert!(t.audience.contains(&Role::SchoolTeam));
    assert!(t.description.contains("50") && t.description.contains("75"));
}

#[test]
fn surveys_exist_with_scales_and_anonymity_where_it_is_the_norm() {
    // Teachers' needs are named: 002 plans named lists and personal plans for teachers.
    for (name, anonymous) in [
        ("survey_potential_mentor", false),
        ("survey_mentor_satisfaction", true),
        ("survey_teacher_needs", false),
        ("survey_admin_readiness", false),
    ] {
        let (t, _) = load(name);
        assert_eq!(t.anonymous, anonymous, "{name}: anonymous");
        assert_eq!(t.respondent, Respondent::Person, "{name}");
    }
    let (t, _) = load("survey_mentor_satisfaction");
    assert!(kinds(&t).iter().filter(|k| **k == "scale").count() >= 5);
    // Mentors and mentees answer apart; mentors about workload, recognition and pay (002 §1.8).
    let role = t
        .question("role_in_pair")
        .expect("who answers: mentor or mentee");
    assert!(role.required);
    let for_role = |who: &str| -> String {
        t.questions()
            .filter(|q| {
                q.show_if.as_ref().is_some_and(|c| {
                    c.question == "role_in_pair" && c.equals == Some(serde_json::json!(who))
                })
            })
            .map(|q| q.text.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mentors = for_role("mentor");
    for stem in ["час", "признан", "оплач"] {
        assert!(
            mentors.contains(stem),
            "mentors are not asked about «{stem}»"
        );
    }
    assert!(!for_role("mentee").is_empty());
    assert!(
        load("survey_mentor_satisfaction")
            .0
            .audience
            .contains(&Role::Mentor)
    );
    assert!(
        load("survey_teacher_needs")
            .0
            .audience
            .contains(&Role::Teacher)
    );
}

#[test]
fn the_recommendation_library_covers_every_area_of_the_leader_test() {
    use model::forms::recommendation::{draft_from_scores, library};
    let lib = library();
    let (t, key) = load("leader_test");
    let areas = &t.test.as_ref().unwrap().areas;
    for a in areas {
        let items = lib
            .areas
            .get(&a.id)
            .unwrap_or_else(|| panic!("no texts for {}", a.id));
        assert!(
            items.len() >= 2
                && items
                    .iter()
                    .all(|i| !i.title.is_empty() && i.text.len() > 80)
        );
    }
    // A draft from scores holds the texts of the deficit areas only (and partial ones).
    let scores = model::forms::score(&t, &key, &Default::default()).unwrap();
    let (_, text, chosen) = draft_from_scores(&lib, &scores[..2]);
    assert_eq!(chosen, vec![areas[0].id.clone(), areas[1].id.clone()]);
    assert!(text.contains(&lib.areas[&areas[0].id][0].title));
    assert!(!text.contains(&lib.areas[&areas[2].id][0].title));
    // The team reads it: no score of the leader's in it.
    for s in &scores[..2] {
        assert!(!text.contains(&format!("{} %", s.percent)), "{text}");
        assert!(!text.contains(s.level.label()), "{text}");
    }
}

/// The bank of practices names the leader test's areas with no template at hand: the same ids
/// and titles, in the same order.
#[test]
fn the_bank_of_practices_names_the_areas_of_the_leader_test() {
    let (t, _) = load("leader_test");
    let areas: Vec<(&str, &str)> = t
        .test
        .as_ref()
        .unwrap()
        .areas
        .iter()
        .map(|a| (a.id.as_str(), a.title.as_str()))
        .collect();
    assert_eq!(areas, model::practices::AREAS.to_vec());
}

/// The anti-risk programme is pre-filled from the card: its risk factors are the card's, with
/// the same ids and names, and each has a level question `risk_<factor>`.
#[test]
fn the_programme_knows_the_risk_factors_of_the_card() {
    use model::support::RISK_FACTORS;
    let (card, _) = load("self_analysis");
    let q = card.question("risk_priority").expect("risk_priority");
    let Kind::Multiple { options, .. } = &q.kind else {
        panic!("risk_priority is a multiple choice");
    };
    let card_factors: Vec<(&str, &str)> = options
        .iter()
        .map(|o| (o.id.as_str(), o.text.as_str()))
        .collect();
    assert_eq!(card_factors, RISK_FACTORS.to_vec());
    for (f, _) in RISK_FACTORS {
        let level = card
            .question(&format!("risk_{f}"))
            .unwrap_or_else(|| panic!("risk_{f}"));
        assert!(matches!(level.kind, Kind::Single { .. }), "risk_{f}");
    }
}

#[test]
fn quarter_report_holds_what_the_quarterly_monitoring_reads() {
    use model::forms::{self, answer_fields};
    use model::monitoring::quarters::{self as q, LEVELS, PERIODS};
    use model::record::{Record, Scope, Write};
    use serde_json::json;

    let (t, key) = load(q::TEMPLATE);
    assert!(key.0.is_empty());
    assert_eq!(t.respondent, Respondent::School);
    assert!(t.audience.contains(&Role::SchoolTeam));
    let period = t.question(q::Q_PERIOD).expect("the period question");
    let Kind::Single { options } = &period.kind else {
        panic!("the period is a single choice");
    };
    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, PERIODS.map(|(id, _)| id));
    assert!(t.question(q::Q_SCHOOL_YEAR).is_some());
    let Kind::Table { rows, columns } = &t.question(q::Q_LEVELS).unwrap().kind else {
        panic!("the levels are a table");
    };
    assert_eq!(
        rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        LEVELS.map(|(id, _)| id)
    );
    assert_eq!(
        columns.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["pupils", "passed", "good", "at_risk"]
    );

    // A report filled as the filler stores it is valid and reads back as the series sees it.
    let mut answers = forms::Answers::new();
    answers.insert(q::Q_SCHOOL_YEAR.into(), json!(2025));
    answers.insert(q::Q_PERIOD.into(), json!("q2"));
    let cells =
        |c: [u32; 4]| json!({"pupils": c[0], "passed": c[1], "good": c[2], "at_risk": c[3]});
    answers.insert(
        q::Q_LEVELS.into(),
        json!({"noo": cells([40, 38, 20, 2]), "ooo": cells([60, 54, 18, 6]), "soo": cells([20, 20, 10, 0])}),
    );
    let problems = answer::validate(&t, &answers);
    assert!(problems.is_empty(), "{problems:?}");
    let mut r = Record::new(
        uuid::Uuid::from_u128(1),
        forms::RESPONSE_KIND,
        Scope::School(uuid::Uuid::from_u128(2)),
        None,
    );
    let hlc = model::hlc::Hlc {
        wall_ms: 1,
        counter: 0,
        device: model::hlc::DeviceId::from_random([1; 8]),
    };
    let mut fields = answer_fields(&t, &answers);
    fields.insert(forms::F_TEMPLATE.into(), json!(t.code));
    fields.insert(forms::F_VERSION.into(), json!(t.version));
    fields.insert(forms::F_STATUS.into(), json!("submitted"));
    for (name, value) in fields {
        r.apply(
            &name,
            Write {
                hlc: hlc.clone(),
                value,
            },
        );
    }
    let report = q::report_of(&r).expect("a sent report");
    assert_eq!(report.key(), (2025, 1));
    assert_eq!(report.total().unwrap().progress(), Some(93.3), "112 of 120");
}

#[test]
fn the_self_analysis_card_reads_as_a_series_over_school_years() {
    use model::forms;
    use model::monitoring::card;
    use model::record::{Record, Scope, Write};
    use serde_json::json;

    let (t, _) = load("self_analysis");
    let card_at = |wall_ms: u64, math_2025: f64, status: &str| {
        let mut r = Record::new(
            uuid::Uuid::from_u128(u128::from(wall_ms)),
            forms::RESPONSE_KIND,
            Scope::School(uuid::Uuid::from_u128(9)),
            None,
        );
        let hlc = model::hlc::Hlc {
            wall_ms,
            counter: 0,
            device: model::hlc::DeviceId::from_random([2; 8]),
        };
        for (name, value) in [
            (forms::F_TEMPLATE.to_owned(), json!(t.code)),
            (forms::F_VERSION.to_owned(), json!(t.version)),
            (forms::F_STATUS.to_owned(), json!(status)),
            (forms::cell_field("vpr_fail", "math", "y2023"), json!(21.5)),
            (
                forms::cell_field("vpr_fail", "math", "y2025"),
                json!(math_2025),
            ),
        ] {
            r.apply(
                &name,
                Write {
                    hlc: hlc.clone(),
                    value,
                },
            );
        }
        r
    };
    let (old, new, draft) = (
        card_at(10, 18.0, "accepted"),
        card_at(20, 16.5, "submitted"),
        card_at(30, 99.0, "draft"),
    );
    let lines = card::over_years(&t, &[&new, &draft, &old]);
    let math = lines
        .iter()
        .find(|l| l.question.starts_with("ВПР: доля") && l.row == "Математика")
        .expect("the ВПР line of mathematics");
    assert!(math.percent);
    assert_eq!(math.values.get("2022/23"), Some(&21.5));
    assert_eq!(
        math.values.get("2024/25"),
        Some(&16.5),
        "the later card wins; a draft does not count"
    );
    assert_eq!(card::years(&lines), vec!["2022/23", "2024/25"]);
}

/// 152-ФЗ: a named survey that asks personal data asks consent to their processing, and the
/// response cannot be sent without it; an anonymous one asks none.
#[test]
fn named_surveys_with_personal_data_ask_consent_and_the_reserve_its_formal_criteria() {
    for name in ["survey_potential_mentor", "survey_admin_readiness"] {
        let (t, _) = load(name);
        assert!(
            t.version >= 2,
            "{name}: a changed built-in template is a new version"
        );
        let consent: Vec<_> = t.questions().filter(|q| q.consent).collect();
        assert_eq!(consent.len(), 1, "{name}: one consent question");
        assert!(consent[0].text.contains("152-ФЗ"), "{name}");
        let mut a = model::forms::Answers::new();
        a.insert(consent[0].id.clone(), serde_json::json!(false));
        assert!(
            answer::validate(&t, &a)
                .iter()
                .any(|p| p.question == consent[0].id),
            "{name}: «нет» to the consent blocks sending"
        );
    }
    let (t, _) = load("survey_mentor_satisfaction");
    assert!(
        t.questions().all(|q| !q.consent),
        "an anonymous survey asks no personal data"
    );
    // §5.5.2: age, years in post, career moves; §3.2: a manager's strengths.
    let (t, _) = load("survey_admin_readiness");
    for id in ["age", "position_years", "management_years", "career_moves"] {
        assert!(
            t.question(id).is_some(),
            "survey_admin_readiness has no {id}"
        );
    }
    let (t, _) = load("survey_potential_mentor");
    let text = serde_json::to_string(&t).unwrap();
    for stem in ["ВСОКО", "программ", "управленческ"] {
        assert!(
            text.contains(stem),
            "survey_potential_mentor says nothing of {stem}"
        );
    }
}

/// The card's years come from the campaign: no year is written in the form, a campaign of
/// 2026/27 asks the three school years before it, and the same year has the same id in every
/// year's card.
#[test]
fn the_card_asks_the_school_years_before_its_campaign() {
    let (t, _) = load("self_analysis");
    assert!(
        t.version >= 2,
        "a changed built-in template is a new version"
    );
    let text = serde_json::to_string(&t).unwrap();
    for year in ["2022/23", "2023/24", "2024/25", "y2023", "y2024", "y2025"] {
        assert!(!text.contains(year), "the card names the year {year}");
    }
    assert!(t.has_years());
    let f = t.for_school_year(2026);
    let Kind::Table { columns, .. } = &f.question("vpr_fail").unwrap().kind else {
        panic!("vpr_fail is a table");
    };
    let titles: Vec<&str> = columns.iter().map(|c| c.text.as_str()).collect();
    let ids: Vec<&str> = columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(titles, ["2023/24", "2024/25", "2025/26"]);
    assert_eq!(ids, ["y2024", "y2025", "y2026"]);
    let Kind::Table { rows, .. } = &f.question("progress_by_year").unwrap().kind else {
        panic!("progress_by_year is a table");
    };
    assert_eq!(rows[2].text, "2025/26 учебный год");
    // An answer for a year the campaign does not ask is refused.
    let answer = |col: &str| {
        let mut a = model::forms::Answers::new();
        a.insert("vpr_fail".into(), serde_json::json!({"math": {col: 12.5}}));
        a
    };
    let about = |t: &Template, col: &str| {
        answer::validate(t, &answer(col))
            .into_iter()
            .any(|p| p.question == "vpr_fail" && !p.missing)
    };
    assert!(!about(&f, "y2026"));
    assert!(about(&f, "y2023"));
    assert!(!about(&t.for_school_year(2025), "y2023"));
    // A campaign's school year is that of its deadline.
    let campaign = |deadline: &str| model::forms::Campaign {
        id: uuid::Uuid::nil(),
        title: String::new(),
        template: t.code.clone(),
        version: t.version,
        deadline: deadline.into(),
        schools: Vec::new(),
        roles: Vec::new(),
        note: String::new(),
    };
    assert_eq!(campaign("2027-01-31").school_year(), 2026);
    assert_eq!(campaign("2026-09-30").school_year(), 2026);
    assert_eq!(campaign("2026-08-31").school_year(), 2025);
}

/// What a methodist asks of the card (001 §1, 003): the participants beside every share of
/// exam results, успеваемость and качество знаний by level, the ГИА subjects by choice, ВПР by
/// grade, and a fact behind every risk level.
#[test]
fn the_card_counts_participants_and_asks_by_level_choice_grade_and_fact() {
    let (t, _) = load("self_analysis");
    for q in t.questions() {
        let Kind::Table { columns, .. } = &q.kind else {
            continue;
        };
        let shares = columns
            .iter()
            .any(|c| matches!(c.cell, model::forms::template::Cell::Percent));
        let exam = ["ОГЭ", "ЕГЭ"].iter().any(|e| q.text.contains(e));
        if shares && exam {
            assert!(
                columns.iter().any(|c| c.id == "participants"),
                "{}: no participants beside the share",
                q.id
            );
        }
    }
    for level in ["progress_noo", "progress_ooo", "progress_soo"] {
        let Kind::Table { rows, columns } = &t.question(level).unwrap().kind else {
            panic!("{level} is a table");
        };
        assert!(
            rows.iter().any(|r| r.years.is_some()),
            "{level}: over the school years"
        );
        let text = serde_json::to_string(columns).unwrap().to_lowercase();
        assert!(
            text.contains("успеваемость") && text.contains("качеств"),
            "{level}: {text}"
        );
    }
    assert!(matches!(
        t.question("oge_choice").unwrap().kind,
        Kind::Group { .. }
    ));
    let Kind::Table { rows, .. } = &t.question("vpr_by_grade").unwrap().kind else {
        panic!("vpr_by_grade is a table");
    };
    assert!(rows.len() >= 8, "ВПР by grade and subject");
    for q in t.questions().filter(|q| {
        q.id.starts_with("risk_") && q.id != "risk_priority" && !q.id.ends_with("_fact")
    }) {
        let fact = t
            .question(&format!("{}_fact", q.id))
            .unwrap_or_else(|| panic!("{}: no fact behind the level", q.id));
        let c = fact
            .show_if
            .as_ref()
            .expect("shown for a high or medium level");
        assert_eq!(c.question, q.id);
        assert!(fact.required);
    }
}
