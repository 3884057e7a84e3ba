//! Validation and scoring of forms: every question kind, every rule, edge values; and malformed
//! templates refused with the place and the rule.

use std::collections::BTreeMap;

use model::forms::{self, Answers, Level, Status, Template, answer};
use model::hlc::{DeviceId, Hlc};
use model::record::{Record, Scope, Write};
use model::role::Role;
use serde_json::{Value, json};
use uuid::Uuid;

/// A template with one question of every kind.
fn every_kind() -> Template {
    let json = json!({
        "code": "all_kinds", "version": 1, "title": "Все виды вопросов",
        "respondent": "school", "audience": ["school_team"],
        "sections": [{
            "id": "main", "title": "Раздел",
            "questions": [
                {"id": "single", "text": "Один", "type": "single", "required": true,
                 "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
                {"id": "multi", "text": "Несколько", "type": "multiple", "max_choices": 2,
                 "options": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}, {"id": "z", "text": "Z"}]},
                {"id": "scale", "text": "Шкала", "type": "scale", "min": 1, "max": 10,
                 "min_label": "плохо", "max_label": "отлично"},
                {"id": "students", "text": "Учеников", "type": "number", "min": 0, "max": 3000,
                 "integer": true, "unit": "чел.", "required": true},
                {"id": "teachers", "text": "Учителей", "type": "number", "min": 0, "max": 300,
                 "integer": true, "unit": "чел."},
                {"id": "ratio", "text": "Учеников на учителя", "type": "computed", "op": "ratio",
                 "of": ["students", "teachers"], "digits": 1},
                {"id": "speed", "text": "Скорость", "type": "number", "min": 0.5, "unit": "Мбит/с"},
                {"id": "share", "text": "Доля", "type": "percent"},
                {"id": "short", "text": "Кратко", "type": "text", "max_len": 5},
                {"id": "long", "text": "Подробно", "type": "long_text", "max_len": 20},
                {"id": "when", "text": "Дата", "type": "date"},
                {"id": "vsoko", "text": "Есть ВСОКО?", "type": "yes_no", "required": true},
                {"id": "vsoko_how", "text": "Как устроена?", "type": "text", "required": true,
                 "show_if": {"question": "vsoko", "equals": true}},
                {"id": "results", "text": "Результаты", "type": "table", "required": true,
                 "rows": [{"id": "rus", "text": "Русский язык"}, {"id": "math", "text": "Математика"}],
                 "columns": [
                    {"id": "y2024", "text": "2024", "type": "percent"},
                    {"id": "mark", "text": "Оценка", "type": "single", "options": [{"id": "ok", "text": "норма"}]}
                 ]},
                {"id": "measures", "text": "Меры", "type": "group", "min_items": 1, "max_items": 2,
                 "item_label": "мера",
                 "questions": [
                    {"id": "measure", "text": "Мера", "type": "text", "required": true},
                    {"id": "done", "text": "Выполнена?", "type": "yes_no"},
                    {"id": "done_on", "text": "Когда", "type": "date", "required": true,
                     "show_if": {"question": "done", "equals": true}}
                 ]}
            ]
        }]
    });
    Template::parse(&json.to_string()).unwrap().0
}

fn check(t: &Template, id: &str, v: Value) -> Result<(), String> {
    answer::check_kind(&t.question(id).unwrap().kind, &v)
}

#[test]
fn each_kind_takes_its_values_and_refuses_others_with_the_rule() {
    let t = every_kind();
    let ok = [
        ("single", json!("a")),
        ("multi", json!(["x", "z"])),
        ("multi", json!([])),
        ("scale", json!(1)),
        ("scale", json!(10)),
        ("students", json!(0)),
        ("students", json!(3000)),
        ("speed", json!(0.5)),
        ("speed", json!(1000.25)),
        ("share", json!(0)),
        ("share", json!(100)),
        ("share", json!(33.3)),
        ("short", json!("пять!")),
        ("long", json!("")),
        ("when", json!("2024-02-29")),
        ("vsoko", json!(false)),
        ("results", json!({"rus": {"y2024": 12.5, "mark": "ok"}})),
        (
            "measures",
            json!([{"measure": "курсы", "done": true, "done_on": "2025-01-31"}]),
        ),
        ("single", Value::Null),
    ];
    for (id, v) in ok {
        assert_eq!(check(&t, id, v.clone()), Ok(()), "{id} = {v}");
    }
    let bad = [
        ("single", json!("c"), "нет в списке"),
        ("single", json!(1), "один вариант"),
        ("multi", json!(["x", "x"]), "дважды"),
        ("multi", json!(["x", "y", "z"]), "не больше 2 вариантов"),
        ("multi", json!("x"), "список"),
        ("scale", json!(0), "от 1 до 10"),
        ("scale", json!(11), "от 1 до 10"),
        ("scale", json!(5.5), "от 1 до 10"),
        ("students", json!(-1), "от 0 до 3000 чел."),
        ("students", json!(3001), "от 0 до 3000"),
        ("students", json!(10.5), "целое"),
        ("students", json!("сто"), "число"),
        ("speed", json!(0.4), "не меньше 0,5"),
        ("share", json!(100.01), "от 0 до 100"),
        ("share", json!(-0.1), "от 0 до 100"),
        ("short", json!("шесть!"), "не более 5"),
        ("long", json!("x".repeat(21)), "не более 20"),
        ("when", json!("2023-02-29"), "ГГГГ-ММ-ДД"),
        ("when", json!("2024-13-01"), "ГГГГ-ММ-ДД"),
        ("when", json!("01.02.2024"), "ГГГГ-ММ-ДД"),
        ("vsoko", json!("да"), "«да» или «нет»"),
        ("results", json!({"bio": {}}), "строки «bio» нет"),
        (
            "results",
            json!({"rus": {"y1999": 1}}),
            "столбца «y1999» нет",
        ),
        (
            "results",
            json!({"rus": {"y2024": 101}}),
            "«Русский язык», столбец «2024»: процент",
        ),
        ("results", json!({"math": {"mark": "bad"}}), "из списка"),
        ("measures", json!([{}, {}, {}]), "не больше 2 записей"),
        ("measures", json!([{"what": 1}]), "нет вопроса «what»"),
        (
            "measures",
            json!([{"done_on": "вчера"}]),
            "запись 1, «Когда»",
        ),
        ("ratio", json!(5), "вычисляется автоматически"),
    ];
    for (id, v, rule) in bad {
        let e = check(&t, id, v.clone()).expect_err(&format!("{id} = {v} must be refused"));
        assert!(e.contains(rule), "{id} = {v}: {e:?} should say {rule:?}");
    }
}

fn answers(pairs: &[(&str, Value)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn full() -> Answers {
    answers(&[
        ("single", json!("b")),
        ("students", json!(240)),
        ("teachers", json!(18)),
        ("vsoko", json!(false)),
        (
            "results",
            json!({"rus": {"y2024": 10, "mark": "ok"}, "math": {"y2024": 20, "mark": "ok"}}),
        ),
        ("measures", json!([{"measure": "курсы"}])),
    ])
}

#[test]
fn a_full_response_is_valid_and_each_missing_required_answer_is_named() {
    let t = every_kind();
    assert_eq!(answer::validate(&t, &full()), vec![]);
    for (id, rule) in [
        ("single", "обязательный вопрос"),
        ("students", "обязательный вопрос"),
        ("vsoko", "обязательный вопрос"),
        ("results", "все ячейки"),
        ("measures", "хотя бы одна запись"),
    ] {
        let mut a = full();
        a.remove(id);
        let problems = answer::validate(&t, &a);
        assert_eq!(problems.len(), 1, "{id}: {problems:?}");
        assert_eq!(problems[0].question, id);
        assert!(problems[0].message.contains(rule), "{problems:?}");
    }
    // A half-filled table is not filled.
    let mut a = full();
    a.insert(
        "results".into(),
        json!({"rus": {"y2024": 10, "mark": "ok"}, "math": {"y2024": 20}}),
    );
    assert!(answer::validate(&t, &a)[0].message.contains("ячейки"));
    // An unknown question and a wrong value are named too.
    let mut a = full();
    a.insert("ghost".into(), json!(1));
    a.insert("students".into(), json!(-5));
    let problems = answer::validate(&t, &a);
    let named: Vec<_> = problems.iter().map(|p| p.question.as_str()).collect();
    assert_eq!(named, vec!["ghost", "students"]);
}

#[test]
fn show_if_hides_questions_and_their_requirements() {
    let t = every_kind();
    let how = t.question("vsoko_how").unwrap();
    let mut a = full();
    assert!(!answer::visible(&t, how, &a));
    a.insert("vsoko".into(), json!(true));
    assert!(answer::visible(&t, how, &a));
    let problems = answer::validate(&t, &a);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].question, "vsoko_how");
    // Inside a group item the condition reads the item.
    a.insert("vsoko_how".into(), json!("по положению"));
    a.insert(
        "measures".into(),
        json!([{"measure": "a", "done": true}, {"measure": "b"}]),
    );
    let problems = answer::validate(&t, &a);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].question, "measures[0].done_on");
    // Progress counts only shown questions that take an answer.
    let (done, total) = answer::progress(&t, &a);
    assert_eq!((done, total), (7, 14));
    a.insert("vsoko".into(), json!(false));
    assert_eq!(answer::progress(&t, &a).1, 13);
}

#[test]
fn show_if_on_a_multiple_choice_reads_one_option() {
    let mut t = base();
    t["sections"][0]["questions"] = json!([
        {"id": "help", "text": "Какая помощь нужна?", "type": "multiple",
         "options": [{"id": "courses", "text": "Курсы"}, {"id": "other", "text": "Другое"}]},
        {"id": "other_text", "text": "Какая именно?", "type": "text", "required": true,
         "show_if": {"question": "help", "equals": "other"}}
    ]);
    let (t, _) = Template::parse(&t.to_string()).unwrap();
    let q = t.question("other_text").unwrap();
    assert!(!answer::visible(
        &t,
        q,
        &answers(&[("help", json!(["courses"]))]),
    ));
    assert!(answer::visible(
        &t,
        q,
        &answers(&[("help", json!(["courses", "other"]))]),
    ));
    let mut bad = base();
    bad["sections"][0]["questions"] = json!([
        {"id": "help", "text": "Какая помощь нужна?", "type": "multiple",
         "options": [{"id": "courses", "text": "Курсы"}]},
        {"id": "x", "text": "Х", "type": "text", "show_if": {"question": "help", "equals": "none"}}
    ]);
    assert!(parse_err(bad).contains("варианта «none» нет"));
}

#[test]
fn test_questions_stay_out_of_groups() {
    let mut t = test_template();
    t["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "id": "g", "text": "Группа", "type": "group", "questions": [
                {"id": "gi", "text": "В", "type": "single", "area": "law", "correct": ["a"],
                 "options": [{"id": "a", "text": "А"}]}]
        }));
    assert!(parse_err(t).contains("не может быть внутри группы"));
}

#[test]
fn computed_values() {
    let t = every_kind();
    let Some(forms::Kind::Computed(f)) = t.question("ratio").map(|q| &q.kind) else {
        panic!()
    };
    assert_eq!(answer::compute(f, &full()), Some(13.3));
    let mut a = full();
    a.insert("teachers".into(), json!(0));
    assert_eq!(answer::compute(f, &a), None);
    a.remove("teachers");
    assert_eq!(answer::compute(f, &a), None);
}

/// A change that breaks a template.
type Edit = Box<dyn Fn(&mut Value)>;

fn parse_err(template: Value) -> String {
    Template::parse(&template.to_string())
        .unwrap_err()
        .to_string()
}

fn base() -> Value {
    json!({
        "code": "t", "version": 1, "title": "Т", "respondent": "person", "audience": ["teacher"],
        "sections": [{"id": "s", "title": "Раздел", "questions": [
            {"id": "q1", "text": "Вопрос", "type": "yes_no"}
        ]}]
    })
}

#[test]
fn malformed_templates_are_refused_naming_the_place_and_the_rule() {
    assert!(Template::parse(&base().to_string()).is_ok());
    let e = Template::parse("{\"code\": \"t\",\n \"version\": }")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("строка 2, позиция"), "{e}");
    assert!(e.contains("синтаксическая ошибка"), "{e}");
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|t| t["code"] = json!("Bad Code")),
            "code: идентификатор",
        ),
        (
            Box::new(|t| t["version"] = json!(0)),
            "version: номер версии",
        ),
        (Box::new(|t| t["audience"] = json!([])), "audience"),
        (
            Box::new(|t| t["sections"][0]["questions"][0]["type"] = json!("slider")),
            "поле не по формату",
        ),
        (
            Box::new(|t| t["sections"][0]["questions"][0]["colour"] = json!("red")),
            "неизвестное поле «colour»",
        ),
        (
            Box::new(|t| {
                t["sections"][0]["questions"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "q1", "text": "Ещё", "type": "date"}))
            }),
            "раздел 1 «Раздел», вопрос «q1»: такой id уже есть",
        ),
        (
            Box::new(|t| t["sections"][0]["questions"][0]["show_if"] = json!({"question": "q9"})),
            "вопрос «q1»: show_if ссылается на «q9»",
        ),
        (
            Box::new(|t| {
                t["sections"][0]["questions"].as_array_mut().unwrap().push(json!({"id": "q2", "text": "Ещё", "type": "date", "show_if": {"question": "q1", "equals": "да"}}))
            }),
            "show_if: значение \"да\" не подходит",
        ),
        (
            Box::new(|t| {
                t["sections"][0]["questions"][0] =
                    json!({"id": "q1", "text": "В", "type": "single", "options": []})
            }),
            "options: список пуст",
        ),
        (
            Box::new(|t| {
                t["sections"][0]["questions"][0] =
                    json!({"id": "q1", "text": "В", "type": "scale", "min": 5, "max": 5})
            }),
            "шкала: min < max",
        ),
        (
            Box::new(|t| {
                t["sections"][0]["questions"][0] =
                    json!({"id": "q1", "text": "В", "type": "number", "min": 5, "max": 1})
            }),
            "min не больше max",
        ),
        (
            Box::new(
                |t| t["sections"][0]["questions"][0] = json!({"id": "q1", "text": "В", "type": "computed", "op": "ratio", "of": ["q0", "q1"]}),
            ),
            "более ранним числовым вопросом",
        ),
        (
            Box::new(|t| t["sections"][0]["questions"][0]["area"] = json!("law")),
            "шаблон не тест",
        ),
        (
            Box::new(|t| t["sections"][0]["questions"][0]["correct"] = json!(["a"])),
            "correct без area",
        ),
        (
            Box::new(|t| t["sections"][0]["questions"] = json!([])),
            "в разделе нет вопросов",
        ),
    ];
    for (edit, expected) in cases {
        let mut t = base();
        edit(&mut t);
        let e = parse_err(t.clone());
        assert!(
            e.contains(expected),
            "{t}\n→ {e}\nshould contain {expected:?}"
        );
    }
}

fn test_template() -> Value {
    json!({
        "code": "lt", "version": 3, "title": "Тест", "respondent": "person", "audience": ["school_team"],
        "test": {"areas": [{"id": "law", "title": "Право"}, {"id": "fin", "title": "Финансы"}],
                 "deficit_below": 50, "partial_below": 75, "time_limit_min": 30},
        "sections": [{"id": "s", "title": "Раздел", "questions": [
            {"id": "l1", "text": "1", "type": "single", "area": "law", "correct": ["b"],
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "l2", "text": "2", "type": "multiple", "area": "law", "correct": ["a", "c"],
             "case": "Ситуация.",
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}, {"id": "c", "text": "В"}]},
            {"id": "f1", "text": "3", "type": "single", "area": "fin", "correct": ["a"],
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "f2", "text": "4", "type": "single", "area": "fin", "correct": ["a"],
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "f3", "text": "5", "type": "single", "area": "fin", "correct": ["b"],
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "f4", "text": "6", "type": "single", "area": "fin", "correct": ["b"],
             "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]}
        ]}]
    })
}

#[test]
fn the_key_is_taken_out_of_the_template() {
    let (t, key) = Template::parse(&test_template().to_string()).unwrap();
    assert_eq!(key.0.len(), 6);
    assert!(t.questions().all(|q| q.correct.is_none()));
    let public = serde_json::to_string(&t).unwrap();
    assert!(!public.contains("correct"));
    let key_json = serde_json::to_string(&key).unwrap();
    assert!(!public.contains(&key_json));
    // The public form reads back (as devices read it) into the same template.
    let again: Template = serde_json::from_str(&public).unwrap();
    assert_eq!(again, t);
}

#[test]
fn tests_are_test_templates_with_keys_or_refused() {
    let mut t = test_template();
    t["sections"][0]["questions"][0]["correct"] = json!(["z"]);
    assert!(parse_err(t).contains("варианта «z» нет"));
    let mut t = test_template();
    t["sections"][0]["questions"][0]["correct"] = json!(["a", "b"]);
    assert!(parse_err(t).contains("один вариант"));
    let mut t = test_template();
    t["test"]["areas"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "hr", "title": "Кадры"}));
    assert!(parse_err(t).contains("в области нет ни одного вопроса"));
    let mut t = test_template();
    t["sections"][0]["questions"][0]["area"] = json!("art");
    assert!(parse_err(t).contains("области «art» нет"));
}

#[test]
fn scoring_per_area_with_levels_at_the_thresholds() {
    let (t, key) = Template::parse(&test_template().to_string()).unwrap();
    let scores = |a: Answers| forms::score(&t, &key, &a).unwrap();
    // Nothing answered: every area is a deficit.
    let s = scores(Answers::new());
    assert_eq!(s.len(), 2);
    assert!(
        s.iter()
            .all(|a| a.points == 0.0 && a.level == Level::Deficit)
    );
    // law: 1 of 2 = 50 % → partial (not below 50); fin: 3 of 4 = 75 % → no deficit.
    let s = scores(answers(&[
        ("l1", json!("b")),
        ("l2", json!(["b"])), // only a wrong option: no credit
        ("f1", json!("a")),
        ("f2", json!("a")),
        ("f3", json!("b")),
        ("f4", json!("a")),
    ]));
    assert_eq!(
        (s[0].points, s[0].max, s[0].percent, s[0].level),
        (1.0, 2, 50, Level::Partial)
    );
    assert_eq!(
        (s[1].points, s[1].max, s[1].percent, s[1].level),
        (3.0, 4, 75, Level::NoDeficit)
    );
    // Partial credit: one of the two right options of l2 is half a point (1.5 of 2 = 75 %).
    let given = answers(&[("l1", json!("b")), ("l2", json!(["a"]))]);
    let s = scores(given.clone());
    assert_eq!((s[0].points, s[0].percent), (1.5, 75));
    assert_eq!(
        forms::scoring::missed(&t, &key, &given),
        ["l2", "f1", "f2", "f3", "f4"]
    );
    // fin 2 of 4 = 50 % partial; law: l2 two right and one wrong = half a point, l1 unanswered
    // = 25 %, a deficit; the order of a multiple answer does not matter.
    let s = scores(answers(&[
        ("l2", json!(["c", "a", "b"])),
        ("f1", json!("a")),
        ("f2", json!("a")),
    ]));
    assert_eq!(s[0].level, Level::Deficit);
    assert_eq!((s[1].percent, s[1].level), (50, Level::Partial));
    let s = scores(answers(&[("l1", json!("b")), ("l2", json!(["c", "a"]))]));
    assert_eq!((s[0].percent, s[0].level), (100, Level::NoDeficit));
    assert!(forms::score(&every_kind(), &key, &Answers::new()).is_none());
}

fn hlc(n: u64) -> Hlc {
    Hlc {
        wall_ms: n,
        counter: 0,
        device: DeviceId::from_random([1; 8]),
    }
}

fn response(t: &Template, status: Option<&str>, a: &Answers) -> Record {
    let mut r = Record::new(
        Uuid::nil(),
        forms::RESPONSE_KIND,
        Scope::School(Uuid::nil()),
        None,
    );
    let mut put = |name: String, v: Value, n| {
        r.apply(
            &name,
            Write {
                hlc: hlc(n),
                value: v,
            },
        );
    };
    put(forms::F_TEMPLATE.into(), json!(t.code), 1);
    put(forms::F_VERSION.into(), json!(t.version), 1);
    for (q, v) in a {
        put(forms::answer_field(q), v.clone(), 2);
    }
    if let Some(s) = status {
        put(forms::F_STATUS.into(), json!(s), 3);
    }
    r
}

#[test]
fn changes_to_a_response_follow_the_template_and_its_status() {
    let t = every_kind();
    let change = |pairs: &[(&str, Value)]| -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let draft = response(&t, None, &full());
    let ok = |fields: &BTreeMap<String, Value>, before: &Record| {
        let mut after = before.clone();
        for (k, v) in fields {
            after.apply(
                k,
                Write {
                    hlc: hlc(10),
                    value: v.clone(),
                },
            );
        }
        forms::check_response_change(&t, Role::SchoolTeam, Some(before), fields, &after)
    };
    assert_eq!(ok(&change(&[("a.students", json!(10))]), &draft), Ok(()));
    assert!(
        ok(&change(&[("a.students", json!(-1))]), &draft)
            .unwrap_err()
            .contains("«Учеников»: число от 0")
    );
    assert!(
        ok(&change(&[("a.nope", json!(1))]), &draft)
            .unwrap_err()
            .contains("нет вопроса «nope»")
    );
    assert!(
        ok(&change(&[("colour", json!(1))]), &draft)
            .unwrap_err()
            .contains("нет поля")
    );
    assert!(
        ok(&change(&[("version", json!(2))]), &draft)
            .unwrap_err()
            .contains("сменить")
    );
    // Submitting checks the whole response.
    assert_eq!(
        ok(&change(&[("status", json!("submitted"))]), &draft),
        Ok(())
    );
    let empty = response(&t, None, &Answers::new());
    let e = ok(&change(&[("status", json!("submitted"))]), &empty).unwrap_err();
    assert!(
        e.starts_with("Форма не отправлена: «Один»: обязательный вопрос."),
        "{e}"
    );
    assert!(e.contains("и ещё замечаний: 4"), "{e}");
    // A submitted response is locked for the school; only a mentor returns or accepts.
    let sent = response(&t, Some("submitted"), &full());
    assert_eq!(Status::Submitted, forms::status_of(&sent));
    assert!(
        ok(&change(&[("a.students", json!(10))]), &sent)
            .unwrap_err()
            .contains("«отправлено»: изменение ответа не принято")
    );
    assert!(
        ok(&change(&[("status", json!("accepted"))]), &draft)
            .unwrap_err()
            .contains("только наставник")
    );
    assert!(ok(&change(&[("status", json!("returned"))]), &sent).is_err());
    let returned = response(&t, Some("returned"), &full());
    assert_eq!(ok(&change(&[("a.students", json!(11))]), &returned), Ok(()));
    // The audience of the form decides who answers.
    let after = draft.clone();
    let e = forms::check_response_change(
        &t,
        Role::Teacher,
        Some(&draft),
        &change(&[("a.students", json!(1))]),
        &after,
    )
    .unwrap_err();
    assert!(e.contains("не ваша роль"));
}

#[test]
fn anonymous_forms_take_no_name_and_ids_are_stable() {
    let mut json = base();
    json["anonymous"] = json!(true);
    let (t, _) = Template::parse(&json.to_string()).unwrap();
    let r = Record::new(
        Uuid::nil(),
        forms::RESPONSE_KIND,
        Scope::Person(Uuid::nil()),
        None,
    );
    let fields: BTreeMap<String, Value> = [("respondent".to_owned(), json!("Иванова"))].into();
    let e = forms::check_response_change(&t, Role::Teacher, None, &fields, &r).unwrap_err();
    assert!(e.contains("анонимная"));
    let c = Uuid::from_u128(7);
    let school = Scope::School(Uuid::from_u128(1));
    assert_eq!(
        forms::response_id(c, &school),
        forms::response_id(c, &school)
    );
    assert_ne!(
        forms::response_id(c, &school),
        forms::response_id(c, &Scope::Person(Uuid::from_u128(1)))
    );
    assert_ne!(forms::template_id("a", 1), forms::template_id("a", 2));
}

#[test]
fn table_cells_are_fields_of_their_own_so_two_computers_merge_cell_by_cell() {
    let t = every_kind();
    let mut a = Record::new(
        Uuid::nil(),
        forms::RESPONSE_KIND,
        Scope::School(Uuid::nil()),
        None,
    );
    let mut b = a.clone();
    a.apply(
        &forms::cell_field("results", "rus", "y2024"),
        Write {
            hlc: hlc(5),
            value: json!(10),
        },
    );
    b.apply(
        &forms::cell_field("results", "math", "y2024"),
        Write {
            hlc: Hlc {
                wall_ms: 6,
                counter: 0,
                device: DeviceId::from_random([2; 8]),
            },
            value: json!(20),
        },
    );
    a.merge(&b);
    let answers = forms::answers_of(&a);
    assert_eq!(
        answers["results"],
        json!({"rus": {"y2024": 10}, "math": {"y2024": 20}})
    );
    // answer_fields writes a table back cell by cell, and the checks read each cell.
    let fields = forms::answer_fields(&t, &full());
    assert!(fields.contains_key("a.results.rus.mark") && !fields.contains_key("a.results"));
    let after = a.clone();
    let check = |name: &str, v: Value| {
        let f: BTreeMap<String, Value> = [(name.to_owned(), v)].into();
        forms::check_response_change(&t, Role::SchoolTeam, Some(&a), &f, &after)
    };
    assert_eq!(check("a.results.math.mark", json!("ok")), Ok(()));
    assert!(
        check("a.results.math.y2024", json!(101))
            .unwrap_err()
            .contains("«Результаты», строка «Математика», столбец «2024»: процент")
    );
    assert!(
        check("a.results.bio.y2024", json!(1))
            .unwrap_err()
            .contains("нет ячейки bio.y2024")
    );
    assert!(
        check("a.results", json!({}))
            .unwrap_err()
            .contains("по ячейкам")
    );
    assert!(
        check("a.students.x.y", json!(1))
            .unwrap_err()
            .contains("нет поля")
    );
}

/// Items of a group added on two computers are both kept: each item is a field of its own,
/// listed after the items of a list stored whole (older answers), in the order they were made.
#[test]
fn group_items_are_fields_of_their_own_so_two_computers_both_keep_theirs() {
    let t = every_kind();
    let mut a = response(
        &t,
        None,
        &answers(&[("measures", json!([{"measure": "старая"}]))]),
    );
    let mut b = a.clone();
    let first = "0190a000-0000-7000-8000-000000000001";
    let second = "0190a000-0000-7000-8000-000000000002";
    a.apply(
        &forms::item_field("measures", second),
        Write {
            hlc: hlc(5),
            value: json!({"measure": "вторая"}),
        },
    );
    b.apply(
        &forms::item_field("measures", first),
        Write {
            hlc: Hlc {
                wall_ms: 6,
                counter: 0,
                device: DeviceId::from_random([2; 8]),
            },
            value: json!({"measure": "первая", "done": false}),
        },
    );
    a.merge(&b);
    assert_eq!(
        forms::answers_of(&a)["measures"],
        json!([{"measure": "старая"}, {"measure": "первая", "done": false}, {"measure": "вторая"}])
    );
    let fields: Vec<(&str, &Value)> = a
        .fields
        .iter()
        .map(|(k, f)| (k.as_str(), &f.value))
        .collect();
    let ids: Vec<Option<String>> = forms::group_items(fields.iter().copied(), "measures")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, [None, Some(first.into()), Some(second.into())]);

    // The checks: an item's answers, its id, and the most items the question takes.
    let check = |before: &Record, name: &str, v: Value| {
        let mut after = before.clone();
        after.apply(
            name,
            Write {
                hlc: hlc(10),
                value: v.clone(),
            },
        );
        let f: BTreeMap<String, Value> = [(name.to_owned(), v)].into();
        forms::check_response_change(&t, Role::SchoolTeam, Some(before), &f, &after)
    };
    let one = response(&t, None, &Answers::new());
    assert_eq!(
        check(
            &one,
            &forms::item_field("measures", first),
            json!({"measure": "м"})
        ),
        Ok(())
    );
    assert!(
        check(
            &one,
            &forms::item_field("measures", first),
            json!({"done": "да"})
        )
        .unwrap_err()
        .contains("«Меры», запись, «Выполнена?»")
    );
    assert!(
        check(
            &one,
            &forms::item_field("measures", first),
            json!({"colour": 1})
        )
        .unwrap_err()
        .contains("нет вопроса «colour»")
    );
    assert!(
        check(&one, &forms::item_field("measures", "Не.id"), json!({}))
            .unwrap_err()
            .contains("нет поля")
    );
    assert!(
        check(&one, &forms::item_field("students", first), json!({}))
            .unwrap_err()
            .contains("нет поля")
    );
    // Three items where two are allowed: refused; removing one of three is taken.
    let third = "0190a000-0000-7000-8000-000000000003";
    assert!(
        check(
            &a,
            &forms::item_field("measures", third),
            json!({"measure": "ещё"})
        )
        .unwrap_err()
        .contains("не больше 2 записей")
    );
    assert_eq!(
        check(&a, &forms::item_field("measures", first), Value::Null),
        Ok(())
    );
    // An item already there is changed even in a list over its most; a list written whole
    // that grows counts with the items of their own fields.
    assert_eq!(
        check(
            &a,
            &forms::item_field("measures", second),
            json!({"measure": "вторая, уточнено"})
        ),
        Ok(())
    );
    assert!(
        check(
            &a,
            "a.measures",
            json!([{"measure": "старая"}, {"measure": "ещё одна"}])
        )
        .unwrap_err()
        .contains("не больше 2 записей")
    );
    assert_eq!(check(&a, "a.measures", json!([])), Ok(()));
    let mut gone = a.clone();
    gone.apply(
        &forms::item_field("measures", first),
        Write {
            hlc: hlc(11),
            value: Value::Null,
        },
    );
    assert_eq!(
        forms::answers_of(&gone)["measures"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// The templates and keys a server knows, for planning batches here.
struct Known(Template, forms::Key);

impl model::kinds::Lookup for Known {
    fn template(&self, code: &str, version: u32) -> Option<std::sync::Arc<Template>> {
        (code == self.0.code && version == self.0.version).then(|| self.0.clone().into())
    }
    fn answer_key(&self, code: &str, version: u32) -> Option<std::sync::Arc<forms::Key>> {
        (code == self.0.code && version == self.0.version).then(|| self.1.clone().into())
    }
}

/// A resubmitted test is scored into the result of the first submission: the server loads that
/// result with the response (only what a batch names and its kinds need is loaded), so the new
/// score merges into it and the first one stays in the history instead of being overwritten.
#[test]
fn a_resubmitted_test_merges_its_score_into_the_stored_result() {
    use std::collections::{HashMap, HashSet};

    use model::access::Actor;
    use model::hlc::Clock;
    use model::kinds::Need;
    use model::sync::server::{self, Batch};
    use model::sync::{Change, Mutation};

    let (t, key) = Template::parse(&test_template().to_string()).unwrap();
    let known = Known(t, key);
    let school = Uuid::from_u128(1);
    let leader = Actor {
        user_id: Uuid::from_u128(2),
        name: "Директор".into(),
        role: Role::SchoolTeam,
        school: Some(school),
        assigned: vec![],
        school_name: "МБОУ СОШ № 1".into(),
    };
    let campaign_id = Uuid::from_u128(3);
    let mut campaign = Record::new(campaign_id, forms::CAMPAIGN_KIND, Scope::Centre, None);
    for (name, v) in [
        ("template", json!("lt")),
        ("version", json!(3)),
        ("deadline", json!("2026-02-28")),
        ("schools", json!([school])),
        ("roles", json!(["school_team"])),
    ] {
        campaign.apply(
            name,
            Write {
                hlc: hlc(1),
                value: v,
            },
        );
    }
    let mut store: HashMap<Uuid, Record> = [(campaign_id, campaign)].into();
    let response = forms::response_id(campaign_id, &Scope::Person(leader.user_id));
    let result = forms::result_id(response);
    let device = DeviceId::from_random([1; 8]);
    let mut device_clock = Clock::new(device.clone());
    let mut server_clock = Clock::new(DeviceId::server());
    let mut seq = 0;
    let mut submit = |store: &mut HashMap<Uuid, Record>, now: u64, answer: Option<&str>| {
        seq += 1;
        let mut fields: std::collections::BTreeMap<String, Value> = [
            (forms::F_CAMPAIGN.to_owned(), json!(campaign_id)),
            (forms::F_TEMPLATE.to_owned(), json!("lt")),
            (forms::F_VERSION.to_owned(), json!(3)),
            (forms::F_STATUS.to_owned(), json!("submitted")),
        ]
        .into();
        if let Some(a) = answer {
            fields.insert("a.l1".to_owned(), json!(a));
        }
        let change = Change {
            record: response,
            kind: forms::RESPONSE_KIND.into(),
            scope: Scope::School(school),
            parent: None,
            hlc: device_clock.tick(now),
            fields,
        };
        let mutations = [Mutation { seq, change }];
        // Loaded as the server loads: the named records, then what their kinds need.
        let mut ids: HashSet<Uuid> = server::named_ids(&mutations).into_iter().collect();
        let named: HashMap<Uuid, Record> = ids
            .iter()
            .filter_map(|id| store.get(id).map(|r| (*id, r.clone())))
            .collect();
        ids.extend(
            server::needs(&named, &mutations)
                .into_iter()
                .filter_map(|n| match n {
                    Need::Record(id) => Some(id),
                    _ => None,
                }),
        );
        let mut records: HashMap<Uuid, Record> = ids
            .iter()
            .filter_map(|id| store.get(id).map(|r| (*id, r.clone())))
            .collect();
        let remembered = HashMap::new();
        let batch = Batch {
            actor: &leader,
            device: &device,
            now_ms: now,
            last_seq: seq - 1,
            remembered: &remembered,
            lookup: &known,
        };
        let plan = server::plan(&batch, &mut server_clock, &mut records, &mutations).unwrap();
        for id in plan.touched.keys() {
            store.insert(*id, records[id].clone());
        }
        plan.refused
            .iter()
            .map(|r| r.message.clone())
            .collect::<Vec<_>>()
    };
    assert!(submit(&mut store, 1_000, Some("a")).is_empty());
    let first = store[&result].fields["areas"].clone();
    // The mentor returns it; the leader may not answer again (the missed items would give the
    // key away), but sends it again as it was: it is scored again.
    store.get_mut(&response).unwrap().apply(
        forms::F_STATUS,
        Write {
            hlc: Hlc {
                wall_ms: 2_000,
                counter: 0,
                device: DeviceId::server(),
            },
            value: json!("returned"),
        },
    );
    let refused = submit(&mut store, 3_000, Some("b"));
    assert!(
        refused.iter().any(|m| m.contains("не меняются")),
        "{refused:?}"
    );
    assert!(submit(&mut store, 4_000, None).is_empty());
    let areas = &store[&result].fields["areas"];
    assert_eq!(areas.value, first.value, "the same answers, the same score");
    assert!(areas.hlc > first.hlc, "scored again");
    assert_eq!(
        areas.history,
        vec![Write {
            hlc: first.hlc,
            value: first.value
        }],
        "the first score stays in the history"
    );
}

/// A template is stored as a record field and read back (`from_value` of the record's JSON) to be
/// compared with the file at the next install, and devices read the same JSON; answers are
/// stored the same way. A number must read back exactly, however it was written.
#[test]
fn numbers_read_back_exactly_from_stored_templates_and_records() {
    // An integer too large for u64 is read as the nearest f64; its shortest text must give
    // that same f64 back.
    let text = base().to_string().replace(
        r#"{"id":"q1","text":"Вопрос","type":"yes_no"}"#,
        r#"{"id":"q1","text":"Доля","type":"number","min":0,"max":109002011107970261187607}"#,
    );
    let (t, _) = Template::parse(&text).unwrap();
    let stored = serde_json::to_string(&serde_json::to_value(&t).unwrap()).unwrap();
    let body: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(serde_json::from_value::<Template>(body).unwrap(), t);
    let r = response(&t, None, &answers(&[("q1", json!(2.291712365432881e-9))]));
    let read: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(read, r);
}

#[test]
fn partial_credit_is_right_less_wrong_never_below_zero() {
    let correct: std::collections::BTreeSet<String> =
        ["a", "c", "d"].into_iter().map(String::from).collect();
    let credit = |given: &[&str]| forms::scoring::credit(&correct, given);
    assert_eq!(credit(&["a", "c", "d"]), 1.0);
    assert!((credit(&["a", "c"]) - 2.0 / 3.0).abs() < 1e-9);
    assert!((credit(&["a", "c", "b"]) - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(credit(&["b"]), 0.0);
    assert_eq!(credit(&["a", "b", "e"]), 0.0);
    assert_eq!(credit(&[]), 0.0);
    // Choosing every option is not full credit.
    assert!(credit(&["a", "b", "c", "d", "e"]) < 1.0);
    let one: std::collections::BTreeSet<String> = ["b".to_owned()].into();
    assert_eq!(forms::scoring::credit(&one, &["b"]), 1.0);
    assert_eq!(forms::scoring::credit(&one, &["b", "a"]), 0.0);
}

#[test]
fn a_consent_must_be_yes_to_send_and_the_position_and_references_are_checked() {
    let form = |consent: Value| {
        json!({
            "code": "pd", "version": 1, "title": "Анкета", "respondent": "person",
            "audience": ["teacher"],
            "sections": [{"id": "s", "title": "Раздел", "questions": [
                {"id": "name", "text": "ФИО", "type": "text", "required": true},
                consent
            ]}]
        })
    };
    let ok = form(json!({"id": "pd", "text": "Согласие", "type": "yes_no", "consent": true}));
    let (t, _) = Template::parse(&ok.to_string()).unwrap();
    let with = |v: Value| answers(&[("name", json!("Иванова")), ("pd", v)]);
    for refused in [json!(false), Value::Null] {
        let p = answer::validate(&t, &with(refused));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("без согласия") && p[0].missing);
    }
    assert!(answer::validate(&t, &with(json!(true))).is_empty());
    let bad = form(json!({"id": "pd", "text": "Согласие", "type": "text", "consent": true}));
    assert!(parse_err(bad).contains("consent"));
    // The position of a test: a single choice outside the areas.
    let mut t = test_template();
    t["test"]["position"] = json!("l1");
    assert!(parse_err(t).contains("test.position"));
    let mut t = test_template();
    t["test"]["position"] = json!("nowhere");
    assert!(parse_err(t).contains("test.position"));
    let mut t = test_template();
    t["sections"][0]["questions"][0]["reference"] = json!("я".repeat(301));
    assert!(parse_err(t).contains("reference"));
}

#[test]
fn results_are_tallied_per_area_and_position() {
    let (t, key) = Template::parse(&test_template().to_string()).unwrap();
    let director = forms::score(&t, &key, &answers(&[("l1", json!("b"))])).unwrap();
    let deputy = forms::score(&t, &key, &Answers::new()).unwrap();
    let other = forms::score(
        &t,
        &key,
        &answers(&[("l1", json!("b")), ("l2", json!(["a", "c"]))]),
    )
    .unwrap();
    let tally = forms::scoring::by_position([
        ("director", director.as_slice()),
        ("deputy", deputy.as_slice()),
        ("director", other.as_slice()),
    ]);
    let law_directors = tally[&("law".to_owned(), "director".to_owned())];
    assert_eq!((law_directors.tested, law_directors.deficits), (2, 0));
    // 50 % and 100 %: a mean of 75 %.
    assert_eq!(law_directors.mean_percent(), 75);
    let law_deputies = tally[&("law".to_owned(), "deputy".to_owned())];
    assert_eq!(
        (
            law_deputies.tested,
            law_deputies.deficits,
            law_deputies.mean_percent()
        ),
        (1, 1, 0)
    );
    assert_eq!(tally.len(), 4);
}

#[test]
fn shared_questions_fill_only_what_is_empty_and_fits_and_groups_are_counted() {
    let form = |code: &str, shared: &str| {
        json!({
            "code": code, "version": 1, "title": code, "respondent": "school",
            "audience": ["school_team"], "shared_with": [shared], "medians": true,
            "sections": [{"id": "s", "title": "Раздел", "questions": [
                {"id": "pupils_total", "text": "Обучающихся", "type": "number", "min": 0, "max": 5000, "integer": true},
                {"id": "teachers_total", "text": "Педагогов", "type": "number", "min": 0, "max": 500, "integer": true},
                {"id": "internet_speed", "text": "Интернет", "type": "number", "min": 0, "max": 100},
                {"id": "partners", "text": "Партнёры", "type": "group", "questions": [
                    {"id": "org", "text": "Организация", "type": "text"}]},
                {"id": "partner_count", "text": "Число партнёров", "type": "computed", "op": "count", "of": ["partners"], "digits": 0},
                {"id": "ppt", "text": "На одного педагога", "type": "computed", "op": "ratio", "of": ["pupils_total", "teachers_total"]}
            ]}]
        })
    };
    let (card, _) = Template::parse(&form("card", "profile").to_string()).unwrap();
    assert_eq!(card.shared_with, ["profile"]);
    let profile = answers(&[
        ("pupils_total", json!(214)),
        ("teachers_total", json!(19)),
        ("internet_speed", json!(500)), // does not fit the card's bounds
        ("partners", json!([{"org": "Колледж"}, {"org": "ДК"}])),
    ]);
    let mine = answers(&[("teachers_total", json!(21))]);
    let taken = forms::shared_answers(&card, &mine, &profile);
    assert_eq!(taken.get("a.pupils_total"), Some(&json!(214)));
    assert!(
        !taken.contains_key("a.teachers_total"),
        "the card's own answer stays"
    );
    assert!(
        !taken.contains_key("a.internet_speed"),
        "an answer that does not fit is left"
    );
    assert!(
        !taken
            .keys()
            .any(|k| k.starts_with("a.ppt") || k.starts_with("a.partner_count"))
    );
    // count: the items of a group; none is 0.
    let count = card.question("partner_count").unwrap();
    let forms::Kind::Computed(f) = &count.kind else {
        panic!()
    };
    assert_eq!(answer::compute(f, &profile), Some(2.0));
    assert_eq!(answer::compute(f, &Answers::new()), Some(0.0));
    // A count of something that is not a group, or a form sharing with itself, is refused.
    let mut bad = form("card", "profile");
    bad["sections"][0]["questions"][4]["of"] = json!(["pupils_total"]);
    assert!(parse_err(bad).contains("count"));
    assert!(parse_err(form("card", "card")).contains("shared_with"));
    // Medians: of three or more schools, computed figures too.
    let schools = [
        answers(&[("pupils_total", json!(100)), ("teachers_total", json!(10))]),
        answers(&[("pupils_total", json!(300)), ("teachers_total", json!(20))]),
        answers(&[
            ("pupils_total", json!(200)),
            ("teachers_total", json!(25)),
            ("partners", json!([{}])),
        ]),
        answers(&[("internet_speed", json!(10))]),
    ];
    let m = forms::summary::medians(&card, &schools, 3);
    assert_eq!(m.get("pupils_total"), Some(&200.0));
    assert_eq!(m.get("ppt"), Some(&10.0));
    assert_eq!(m.get("partner_count"), Some(&0.0));
    assert!(
        !m.contains_key("internet_speed"),
        "one school is not a median"
    );
    assert_eq!(
        forms::summary::medians(&card, &schools[..2], 3).get("pupils_total"),
        None
    );
}

/// Anonymous results: a question fewer than the minimum answered is not summed up, whatever
/// its kind, while the others are.
#[test]
fn a_question_few_answered_is_not_summed_up() {
    use forms::summary::{Detail, summarize};
    let t = every_kind();
    let people: Vec<Answers> = (0..3)
        .map(|i| {
            let mut a = answers(&[
                ("single", json!("a")),
                ("scale", json!(3 + i)),
                ("students", json!(100 + i)),
                ("vsoko", json!(i == 0)),
            ]);
            if i == 0 {
                // Only one person answered these.
                a.insert("vsoko_how".into(), json!("Положение утверждено приказом"));
                a.insert("short".into(), json!("да"));
                a.insert("multi".into(), json!(["x"]));
                a.insert("share".into(), json!(40));
            }
            a
        })
        .collect();
    assert!(summarize(&t, &people[..2], 3).is_none());
    let s = summarize(&t, &people, 3).unwrap();
    let q = |id: &str| s.questions.iter().find(|q| q.id == id).unwrap();
    for id in ["vsoko_how", "short", "multi", "share"] {
        assert_eq!(q(id).answered, 1, "{id}");
        assert_eq!(q(id).detail, Detail::None, "{id}");
    }
    assert!(
        matches!(&q("scale").detail, Detail::Counts { mean: Some(m), .. } if (*m - 4.0).abs() < 1e-9)
    );
    assert!(matches!(&q("single").detail, Detail::Counts { counts, .. } if counts[0].1 == 3));
    assert!(
        matches!(&q("vsoko").detail, Detail::Counts { counts, .. } if counts == &[("да".to_owned(), 1), ("нет".to_owned(), 2)])
    );
    // With the minimum at one, every answer is summed up again.
    let all = summarize(&t, &people, 1).unwrap();
    let short = all.questions.iter().find(|q| q.id == "short").unwrap();
    assert_eq!(
        short.detail,
        Detail::Texts {
            texts: vec!["да".into()]
        }
    );
}
