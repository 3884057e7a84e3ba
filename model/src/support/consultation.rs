//! Consultations on a school's request (002 §4.4: individual, in person or remote, on the
//! school's request — first to the mentor who helped with the programme, or to any specialist
//! of the centre; §4.6: individual consultations are a main form of support). The school team
//! asks (topic, question, preferred format, wished dates), addressed by default to the school's
//! assigned mentors and curators, or to one specialist; the request moves
//! new → agreed (date, place or link) → held (outcome, recommendations) → closed, or is
//! declined with a reason. Both sides see the state offline; the centre keeps the log.

use serde_json::Value;

use crate::record::Record;

pub const KIND: &str = "consultation";

// Written by the school team while the request is new.
pub const F_TOPIC: &str = "topic";
pub const F_QUESTION: &str = "question";
pub const F_FORMAT: &str = "format";
pub const F_WISHED: &str = "wished";
/// The specialist asked (a user id); empty: the school's assigned mentors and curators.
pub const F_ADDRESSEE: &str = "addressee";
pub const F_STATE: &str = "state";
// Written by the specialist.
pub const F_MEETING_ON: &str = "meeting_on";
pub const F_MEETING_AT: &str = "meeting_at";
/// The place, or the link of a remote meeting.
pub const F_PLACE: &str = "place";
pub const F_OUTCOME: &str = "outcome";
/// Recommendations given at the consultation.
pub const F_ADVICE: &str = "advice";
pub const F_DECLINE_REASON: &str = "decline_reason";
// Stamped by the server.
pub const F_REQUESTER: &str = "requester";
pub const F_HANDLER: &str = "handler";
/// The name of the school that asked, as it was then: a specialist asked directly, not
/// assigned to the school, has no other way to its name.
pub const F_SCHOOL: &str = "school_name";

/// The school that asked: its name in the reader's list of schools, else the one stamped
/// when it asked.
pub fn school_named(r: &Record, known: Option<&str>) -> String {
    known.map_or_else(|| r.text(F_SCHOOL), str::to_owned)
}

/// The fields of the request itself, which the school may change only while it is new.
pub const REQUEST_FIELDS: [&str; 5] = [F_TOPIC, F_QUESTION, F_FORMAT, F_WISHED, F_ADDRESSEE];
/// The fields of the answer.
pub const ANSWER_FIELDS: [&str; 6] = [
    F_MEETING_ON,
    F_MEETING_AT,
    F_PLACE,
    F_OUTCOME,
    F_ADVICE,
    F_DECLINE_REASON,
];

pub const FORMATS: [(&str, &str); 2] = [("in_person", "очно"), ("remote", "дистанционно")];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    New,
    Agreed,
    Held,
    Closed,
    Declined,
}

impl State {
    pub const ALL: [State; 5] = [
        State::New,
        State::Agreed,
        State::Held,
        State::Closed,
        State::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Agreed => "agreed",
            State::Held => "held",
            State::Closed => "closed",
            State::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::New => "новый запрос",
            State::Agreed => "согласована",
            State::Held => "проведена",
            State::Closed => "закрыта",
            State::Declined => "отклонена",
        }
    }

    /// Still waiting for the specialist: shown first in the specialist's list.
    pub fn open(self) -> bool {
        matches!(self, State::New | State::Agreed)
    }

    /// Nothing changes any more.
    pub fn finished(self) -> bool {
        matches!(self, State::Closed | State::Declined)
    }
}

/// The state of a consultation record (`new` when unset).
pub fn state_of(r: &Record) -> State {
    State::parse(&r.text(F_STATE)).unwrap_or(State::New)
}

/// Which side of the request a person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The school's management team, who asked.
    School,
    /// The specialist asked, the school's mentors and curators, the centre head.
    Centre,
}

/// May `side` move a request from `from` (`None`: creating it) to `to`? Staying in a state is
/// not a move (e.g. the agreed date changed).
pub fn may_move(from: Option<State>, to: State, side: Side) -> bool {
    use State::*;
    match (from, to, side) {
        (None, New, Side::School) => true,
        (Some(a), b, _) if a == b => !a.finished(),
        (Some(New), Agreed | Held | Declined, Side::Centre) => true,
        (Some(Agreed), Held | Declined, Side::Centre) => true,
        (Some(Held), Closed, _) => true,
        _ => false,
    }
}

/// What its state needs filled in; the message says what is missing.
pub fn complete(r: &Record) -> Result<(), String> {
    requires(r, state_of(r))
}

/// What the record needs filled in to be in `state` (checked before a move, too).
pub fn requires(r: &Record, state: State) -> Result<(), String> {
    let need = |name: &str, message: &str| {
        if r.text(name).trim().is_empty() {
            Err(message.to_owned())
        } else {
            Ok(())
        }
    };
    need(F_TOPIC, "Укажите тему консультации.")?;
    match required_in(state) {
        None => Ok(()),
        Some((name, message)) => need(name, message),
    }
}

/// The field a consultation in `state` cannot be without (besides its topic), and what is said
/// when it is missing.
pub fn required_in(state: State) -> Option<(&'static str, &'static str)> {
    match state {
        State::New => None,
        State::Agreed => Some((F_MEETING_ON, "Укажите дату консультации.")),
        State::Held | State::Closed => Some((F_OUTCOME, "Опишите итоги консультации.")),
        State::Declined => Some((F_DECLINE_REASON, "Укажите причину отказа.")),
    }
}

pub fn check_format(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if FORMATS.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("«очно» или «дистанционно»".into()),
    }
}

pub fn check_state(v: &Value) -> Result<(), String> {
    match v.as_str().and_then(State::parse) {
        Some(_) => Ok(()),
        None => Err("одно из состояний запроса".into()),
    }
}

/// The specialist's list: open requests first (oldest first), then the rest, newest first.
pub fn order(list: &mut [Record]) {
    list.sort_by(|a, b| {
        let (sa, sb) = (state_of(a), state_of(b));
        sb.open().cmp(&sa.open()).then_with(|| {
            if sa.open() {
                a.id.cmp(&b.id)
            } else {
                b.id.cmp(&a.id)
            }
        })
    });
}

/// The columns of the consultation log (its print view and its XLSX export).
pub const LOG_COLUMNS: [&str; 12] = [
    "Школа",
    "Дата запроса",
    "Тема",
    "Вопрос",
    "Форма",
    "Кто обратился",
    "Специалист",
    "Состояние",
    "Дата консультации",
    "Итоги",
    "Рекомендации",
    "Причина отказа",
];

/// One row of the log, in [`LOG_COLUMNS`] order; dates as ДД.ММ.ГГГГ. `school` and `asked` (the
/// name of the specialist asked, if one) come from the caller, who knows the names.
pub fn log_row(r: &Record, school: &str, asked: Option<&str>) -> Vec<String> {
    let ru = |iso: &str| crate::forms::answer::ru_date(iso);
    let format = FORMATS
        .iter()
        .find(|(k, _)| *k == r.text(F_FORMAT))
        .map_or("", |(_, l)| l);
    let handler = r.text(F_HANDLER);
    let specialist = if handler.is_empty() {
        asked.map_or_else(|| "наставники и кураторы школы".to_owned(), str::to_owned)
    } else {
        handler
    };
    let mut meeting = ru(&r.text(F_MEETING_ON));
    let at = r.text(F_MEETING_AT);
    if !at.is_empty() {
        meeting = format!("{meeting} {at}").trim().to_owned();
    }
    vec![
        school.to_owned(),
        r.created_ms()
            .map(|ms| ru(&crate::forms::answer::iso_day(ms)))
            .unwrap_or_default(),
        r.text(F_TOPIC),
        r.text(F_QUESTION),
        format.to_owned(),
        r.text(F_REQUESTER),
        specialist,
        state_of(r).label().to_owned(),
        meeting,
        r.text(F_OUTCOME),
        r.text(F_ADVICE),
        r.text(F_DECLINE_REASON),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::programme::tests::rec;
    use State::*;
    use serde_json::json;

    #[test]
    fn transitions() {
        assert!(may_move(None, New, Side::School));
        assert!(!may_move(None, New, Side::Centre), "the school asks");
        assert!(!may_move(None, Agreed, Side::School));
        assert!(may_move(Some(New), Agreed, Side::Centre));
        assert!(may_move(Some(New), Declined, Side::Centre));
        assert!(may_move(Some(New), Held, Side::Centre), "held at once");
        assert!(
            !may_move(Some(New), Agreed, Side::School),
            "the school cannot agree"
        );
        assert!(may_move(Some(Agreed), Agreed, Side::Centre), "a new date");
        assert!(may_move(Some(Agreed), Held, Side::Centre));
        assert!(!may_move(Some(Agreed), New, Side::Centre));
        assert!(may_move(Some(Held), Closed, Side::School));
        assert!(may_move(Some(Held), Closed, Side::Centre));
        assert!(!may_move(Some(Agreed), Closed, Side::School));
        for s in [Closed, Declined] {
            for to in State::ALL {
                for side in [Side::School, Side::Centre] {
                    assert!(!may_move(Some(s), to, side), "{s:?} → {to:?}");
                }
            }
        }
    }

    #[test]
    fn what_each_state_needs() {
        let base = [(F_TOPIC, json!("ВСОКО"))];
        assert!(complete(&rec(&base)).is_ok());
        assert!(
            complete(&rec(&[(F_STATE, json!("new"))]))
                .unwrap_err()
                .contains("тему")
        );
        let agreed = rec(&[base[0].clone(), (F_STATE, json!("agreed"))]);
        assert!(complete(&agreed).unwrap_err().contains("дату"));
        let held = rec(&[base[0].clone(), (F_STATE, json!("held"))]);
        assert!(complete(&held).unwrap_err().contains("итоги"));
        let declined = rec(&[base[0].clone(), (F_STATE, json!("declined"))]);
        assert!(complete(&declined).unwrap_err().contains("причину"));
    }

    #[test]
    fn open_first() {
        let mk = |n: u128, s: &str| {
            let mut r = rec(&[(F_STATE, json!(s))]);
            r.id = uuid::Uuid::from_u128(n);
            r
        };
        let mut l = vec![
            mk(1, "closed"),
            mk(2, "new"),
            mk(3, "declined"),
            mk(4, "agreed"),
            mk(5, "new"),
        ];
        order(&mut l);
        let ids: Vec<u128> = l.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!(ids, vec![2, 4, 5, 3, 1]);
    }
}
