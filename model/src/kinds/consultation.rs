//! A consultation asked by a school (`crate::support::consultation`). The school team creates it
//! and writes the request while it is new; the specialist it is addressed to, the school's
//! assigned mentors and curators and the centre head answer; the moves between states are the
//! model's [`may_move`]. The server stamps who asked and who answered. A request addressed to
//! one specialist reaches that person too.

use serde_json::json;

use super::{
    ADDRESSEE, Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who,
    check_date, check_uuid, text,
};
use crate::access::ReadKey;
use crate::record::Record;
use crate::support::consultation::{
    self as c, F_ADVICE, F_DECLINE_REASON, F_FORMAT, F_HANDLER, F_MEETING_AT, F_MEETING_ON,
    F_OUTCOME, F_PLACE, F_QUESTION, F_REQUESTER, F_SCHOOL, F_STATE, F_TOPIC, F_WISHED,
    REQUEST_FIELDS, Side, State, may_move, state_of,
};

/// What the specialist writes (`support::consultation::ANSWER_FIELDS` and the state).
const ANSWER: &[&str] = &[
    F_STATE,
    F_MEETING_ON,
    F_MEETING_AT,
    F_PLACE,
    F_OUTCOME,
    F_ADVICE,
    F_DECLINE_REASON,
];

pub const SPEC: KindSpec = KindSpec {
    name: c::KIND,
    label: "Консультация по запросу школы",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: &[F_TOPIC, F_QUESTION, F_FORMAT, F_WISHED, ADDRESSEE, F_STATE],
        },
        Rule {
            who: Who::Adviser,
            create: false,
            fields: ANSWER,
        },
        Rule {
            who: Who::Addressee,
            create: false,
            fields: ANSWER,
        },
        Rule {
            who: Who::Centre,
            create: false,
            fields: ANSWER,
        },
    ],
    server_fields: &[F_REQUESTER, F_HANDLER, F_SCHOOL],
    fields: &[
        text(F_TOPIC, "Тема", 300),
        text(F_QUESTION, "Вопрос", 5_000),
        FieldSpec {
            name: F_FORMAT,
            label: "Форма",
            ty: FieldType::Choice(c::check_format, |v| super::word_of(&c::FORMATS, v)),
        },
        text(F_WISHED, "Удобные даты", 300),
        FieldSpec {
            name: ADDRESSEE,
            label: "Специалист",
            ty: FieldType::Check(check_uuid),
        },
        FieldSpec {
            name: F_STATE,
            label: "Состояние",
            ty: FieldType::Choice(c::check_state, |v| c::State::parse(v).map(c::State::label)),
        },
        FieldSpec {
            name: F_MEETING_ON,
            label: "Дата консультации",
            ty: FieldType::Check(check_date),
        },
        text(F_MEETING_AT, "Время", 20),
        text(F_PLACE, "Место или ссылка", 500),
        text(F_OUTCOME, "Итоги", 10_000),
        text(F_ADVICE, "Рекомендации", 10_000),
        text(F_DECLINE_REASON, "Причина отказа", 2_000),
        text(F_REQUESTER, "Кто обратился", 200),
        text(F_HANDLER, "Специалист", 200),
        text(F_SCHOOL, "Школа", 300),
    ],
    anonymous: false,
    owner: |ctx| Some(ctx.actor.user_id),
    audience,
    needs: super::addressee_needs,
    check,
    follow,
};

/// The school's circle, and the specialist asked.
fn audience(r: &Record, p: Option<&Record>) -> Vec<ReadKey> {
    let mut keys = super::school_circle(r, p);
    if let Some(person) = super::addressee(r) {
        keys.push(ReadKey::Person(person));
    }
    keys
}

fn check(ctx: &Ctx) -> Result<(), String> {
    let side = if ctx.actor.in_team_of(&ctx.after.scope) {
        Side::School
    } else {
        Side::Centre
    };
    let from = ctx.before.map(state_of);
    if let Some(s) = from
        && s.finished()
    {
        return Err(format!(
            "Консультация {}: запись больше не меняется.",
            s.label()
        ));
    }
    // The specialist asked is named when the request is made, never changed: another one would
    // take the request from a reader whose computers already hold it (sync takes records back
    // only when a person's grants change). Another specialist: a new request.
    super::fixed(ctx, ADDRESSEE, "Специалист")?;
    super::addressee_is_specialist(ctx)?;
    // The state asked for is judged, even when an older clock makes it lose the merge.
    let to = ctx
        .fields
        .get(F_STATE)
        .and_then(serde_json::Value::as_str)
        .and_then(State::parse)
        .unwrap_or_else(|| state_of(ctx.after));
    if (from.is_none() || ctx.fields.contains_key(F_STATE)) && !may_move(from, to, side) {
        return Err(match from {
            None => "Новый запрос создаётся в состоянии «новый запрос».".to_owned(),
            Some(f) => format!(
                "Запрос нельзя перевести из состояния «{}» в «{}».",
                f.label(),
                to.label()
            ),
        });
    }
    if from.is_some_and(|s| s != State::New)
        && REQUEST_FIELDS.iter().any(|f| ctx.fields.contains_key(*f))
    {
        return Err(
            "Запрос уже принят специалистом: его тему и вопрос больше не меняют. Если нужно \
             другое, направьте новый запрос."
                .into(),
        );
    }
    c::complete(ctx.after)
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    let mut stamp = Vec::new();
    if ctx.before.is_none() {
        stamp.push((F_REQUESTER, json!(ctx.actor.name)));
        if !ctx.actor.school_name.is_empty() {
            stamp.push((F_SCHOOL, json!(ctx.actor.school_name)));
        }
    }
    if ["agreed", "held", "declined"]
        .iter()
        .any(|s| ctx.became(F_STATE, s))
    {
        stamp.push((F_HANDLER, json!(ctx.actor.name)));
    }
    if stamp.is_empty() {
        return Vec::new();
    }
    vec![ServerWrite::to(ctx.after, SPEC.name, &stamp)]
}
