//! The `template_parse` target: any text through `Template::parse`, and what an accepted
//! template must survive.

use model::forms::{self, Kind, Template};
use serde_json::Value;

use crate::sync_plan::round_trip;

/// The `template_parse` target: parsing never panics; an accepted template holds no correct
/// answers and its key names only its own test questions and their options; the template
/// survives the paths it takes afterwards (the server stores it as a record's `body` and reads
/// it back with `from_value` to compare at the next install; devices read the record's JSON;
/// the key is stored as JSON of its own); and the template with its key put back parses again
/// to the same pair.
pub fn template_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((t, key)) = Template::parse(text) else {
        return;
    };
    for q in t.questions() {
        assert!(
            q.correct.is_none(),
            "question {} keeps its correct answers",
            q.id
        );
        if let Kind::Group { questions, .. } = &q.kind {
            assert!(questions.iter().all(|iq| iq.correct.is_none()));
        }
    }
    for (id, correct) in &key.0 {
        let q = t
            .question(id)
            .unwrap_or_else(|| panic!("the key names question {id}, which the template lacks"));
        assert!(
            q.area.is_some(),
            "the key names {id}, which is not a test question"
        );
        let options = match &q.kind {
            Kind::Single { options } | Kind::Multiple { options, .. } => options,
            other => panic!("the key names {id}, a {} question", other.name()),
        };
        for c in correct {
            assert!(
                options.iter().any(|o| &o.id == c),
                "the key of {id} names option {c}, which it lacks"
            );
        }
    }
    round_trip(&key);

    // As the server stores it (`template_write`: a record field) and reads it back.
    let body = serde_json::to_value(&t).expect("a template serializes");
    let stored = serde_json::to_string(&body).expect("a value serializes");
    let read: Value = serde_json::from_str(&stored).expect("stored JSON parses");
    let loaded: Template = serde_json::from_value(read)
        .unwrap_or_else(|e| panic!("a stored template does not load ({e}): {stored}"));
    assert_eq!(loaded, t, "a stored template loads as another: {stored}");
    // As devices read it.
    let json = serde_json::to_string(&t).expect("a template serializes");
    let read: Template = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("a template's JSON does not parse again ({e}): {json}"));
    assert_eq!(
        read, t,
        "a template's JSON parses to another template: {json}"
    );

    // With its key put back it is the same file again.
    let mut whole = t.clone();
    for s in &mut whole.sections {
        for q in &mut s.questions {
            q.correct = key.0.get(&q.id).map(|c| c.iter().cloned().collect());
        }
    }
    let file = serde_json::to_string(&whole).expect("a template serializes");
    if file.len() <= forms::template::MAX_TEMPLATE_BYTES {
        let again = Template::parse(&file)
            .unwrap_or_else(|e| panic!("an accepted template is refused again ({e}): {file}"));
        assert_eq!(
            again,
            (t, key),
            "an accepted template reads back as another: {file}"
        );
    }
}
