//! The centre's plan of work with its execution report (002 appendix, 003) and the annual report
//! on one school (004 stage 3), as the spreadsheets officials print and sign. Both hold only
//! what the caller may read (the same read keys as sync).

use std::collections::BTreeSet;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use model::forms::answer::{iso_day, ru_date};
use model::forms::recommendation as rec;
use model::forms::{self, Campaign};
use model::record::{Record, Scope};
use model::support::programme::{self as p, Outline};
use model::support::{consultation, factor_label, visit};
use model::workplan::{self as w, F_CONTENT, F_LINK, F_PEOPLE, F_PLACE, F_STATUS, Link, STATUSES};
use model::{ApiError, ErrorCode, Role};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::AppState;
use crate::error::AppResult;

/// The columns of the 003 report, and the item's state.
pub const PLAN_COLUMNS: [&str; 7] = [
    "№",
    "Содержание работы",
    "Сроки",
    "Место проведения",
    "Ответственный, привлечённые специалисты",
    "Отчёт о выполнении мероприятий / источники",
    "Состояние",
];
const PLAN_WIDTHS: [f64; 7] = [5.0, 44.0, 14.0, 16.0, 26.0, 60.0, 14.0];

#[derive(Deserialize)]
pub struct PlanQuery {
    year: i64,
    from: Option<u8>,
    to: Option<u8>,
}

/// The period `from..=to` in school-year order, checked; `None` for the whole year. One end
/// alone runs from September or to August.
fn period(q: &PlanQuery) -> Result<Option<(u8, u8)>, ApiError> {
    if q.from.is_none() && q.to.is_none() {
        return Ok(None);
    }
    let (from, to) = (q.from.unwrap_or(9), q.to.unwrap_or(8));
    if !(1..=12).contains(&from) || !(1..=12).contains(&to) {
        return Err(ApiError::bad_request(
            "Месяцы периода — числа от 1 до 12 (from=2&to=6 — февраль–июнь).",
        ));
    }
    if w::school_index(from) > w::school_index(to) {
        return Err(ApiError::bad_request(format!(
            "Начало периода ({}) позже его конца ({}) в учебном году, который идёт с сентября по август.",
            w::month_name(from),
            w::month_name(to)
        )));
    }
    Ok(Some((from, to)))
}

/// "февраль–июнь 2027 года", "сентябрь 2026 года – июнь 2027 года" for months of the school year
/// `year`.
fn period_text(year: i64, (from, to): (u8, u8)) -> String {
    let cal = |m: u8| if m >= 9 { year } else { year + 1 };
    if from == to {
        format!("{} {} года", w::month_name(from), cal(from))
    } else if cal(from) == cal(to) {
        format!(
            "{}–{} {} года",
            w::month_name(from),
            w::month_name(to),
            cal(to)
        )
    } else {
        format!(
            "{} {} года – {} {} года",
            w::month_name(from),
            cal(from),
            w::month_name(to),
            cal(to)
        )
    }
}

/// The kinds an item's figures are counted from.
fn kinds_for(link: &Link) -> &'static [&'static str] {
    match link {
        Link::Campaign(_) => &[forms::CAMPAIGN_KIND, forms::RESPONSE_KIND],
        Link::Consultations => &[consultation::KIND],
        Link::Visits => &[visit::KIND],
        Link::Programmes => &[p::PROGRAMME_KIND],
    }
}

/// `GET /api/workplan.xlsx?year=Y&from=M&to=M`: the plan of work of the school year Y (Y/Y+1)
/// with its execution report, in the 003 layout: a row per direction, its items numbered within
/// it; the report column holds the report, the documents cited and the figures of what an item
/// is linked to, counted from the records the caller reads; a 7th column gives the item's
/// state. With a period (calendar months of the school year, `from=2&to=6` for February–June)
/// only the items of those months and those of the whole year. Printed landscape, a page wide,
/// the header row on every page.
pub async fn plan(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> AppResult<Response> {
    user.require(&[Role::Head, Role::Mentor, Role::Curator])?;
    let q = super::work_year(
        q,
        |q| q.year,
        "Укажите учебный год (year=2026 для 2026/2027) и, если нужно, месяцы периода from и to (1–12).",
    )?;
    let period = period(&q)?;
    let actor = state.db.actor(&user.profile).await?;
    let items = state.db.readable_records(&actor, w::KIND).await?;
    let groups = w::grouped(&items, q.year, period);
    let needed: BTreeSet<&str> = groups
        .iter()
        .flat_map(|(_, l)| l.iter())
        .filter_map(|r| Link::parse(&r.text(F_LINK)))
        .flat_map(|l| kinds_for(&l).iter().copied())
        .collect();
    let mut records = Vec::new();
    for kind in needed {
        records.extend(state.db.readable_records(&actor, kind).await?);
    }
    let people = state.db.specialists(None).await?;
    let today = iso_day(crate::storage::now_ms() as u64);
    let title = format!(
        "План работы муниципального наставнического центра на {}/{} учебный год",
        q.year,
        q.year + 1
    );
    let subtitle = match period {
        Some(months) => format!(
            "Отчёт о выполнении мероприятий за {} (по состоянию на {})",
            period_text(q.year, months),
            ru_date(&today)
        ),
        None => format!(
            "Отчёт о выполнении мероприятий по состоянию на {}",
            ru_date(&today)
        ),
    };
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let border = FormatBorder::Thin;
        let heading = Format::new()
            .set_bold()
            .set_font_size(13)
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        let bold = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(border);
        let direction = Format::new()
            .set_bold()
            .set_italic()
            .set_text_wrap()
            .set_border(border)
            .set_background_color("#EFEFEF");
        let wrap = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(border);
        let number = Format::new()
            .set_align(FormatAlign::Top)
            .set_align(FormatAlign::Center)
            .set_border(border);
        let last = PLAN_COLUMNS.len() as u16 - 1;

        let sheet = book.add_worksheet();
        sheet.set_name("План работы")?;
        page(sheet);
        sheet.merge_range(0, 0, 0, last, &title, &heading)?;
        sheet.merge_range(1, 0, 1, last, &subtitle, &heading)?;
        sheet.set_row_height(0, 20)?;
        sheet.set_row_height(1, 20)?;
        for (c, (h, width)) in PLAN_COLUMNS.iter().zip(PLAN_WIDTHS).enumerate() {
            sheet.write_string_with_format(2, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, width)?;
        }
        sheet.set_repeat_rows(2, 2)?;
        sheet.set_freeze_panes(3, 0)?;
        let mut row = 3;
        if groups.is_empty() {
            sheet.merge_range(
                row,
                0,
                row,
                last,
                "Мероприятий на этот период в плане нет.",
                &wrap,
            )?;
        }
        for (label, list) in &groups {
            sheet.merge_range(row, 0, row, last, label, &direction)?;
            row += 1;
            for (n, item) in list.iter().enumerate() {
                sheet.write_number_with_format(row, 0, (n + 1) as f64, &number)?;
                let responsible = item.text(F_PEOPLE);
                let responsible = if responsible.trim().is_empty() {
                    model::kinds::addressee(item)
                        .and_then(|id| people.iter().find(|p| p.id == id))
                        .map_or_else(String::new, |p| p.full_name.clone())
                } else {
                    responsible
                };
                let status = match w::label(&STATUSES, &item.text(F_STATUS)) {
                    "" => w::label(&STATUSES, "planned"),
                    s => s,
                };
                let cells = [
                    item.text(F_CONTENT),
                    w::period_label(item),
                    item.text(F_PLACE),
                    responsible,
                    w::report_text(item, &w::figures(item, &records)),
                    status.to_owned(),
                ];
                for (c, v) in cells.iter().enumerate() {
                    let v: String = v.chars().take(32_767).collect();
                    sheet.write_string_with_format(row, c as u16 + 1, &v, &wrap)?;
                }
                row += 1;
            }
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(super::exports::xlsx(&format!("workplan-{}", q.year), bytes))
}

/// Landscape A4, a page wide, for printing.
fn page(sheet: &mut Worksheet) {
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
}

fn header(
    sheet: &mut Worksheet,
    headers: &[&str],
    widths: &[f64],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
        sheet.set_column_width(c as u16, widths.get(c).copied().unwrap_or(24.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_repeat_rows(0, 0)?;
    page(sheet);
    Ok(())
}

fn line(sheet: &mut Worksheet, row: u32, cells: &[String], wrap: &Format) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        let v: String = v.chars().take(32_767).collect();
        sheet.write_string_with_format(row, c as u16, &v, wrap)?;
    }
    Ok(())
}

/// The calendar year of a Unix time in milliseconds (Moscow time), as `YYYY`.
fn year_of_ms(ms: u64) -> String {
    iso_day(ms)[..4].to_owned()
}

/// When a recommendation was sent: its first write of the state `sent`.
fn sent_ms(r: &Record) -> Option<u64> {
    r.fields
        .get(rec::F_STATE)?
        .writes()
        .filter(|w| w.value.as_str() == Some("sent"))
        .map(|w| w.hlc.wall_ms)
        .min()
}

/// `GET /api/schools/{id}/annual-report.xlsx?year=Y`: the annual report on one school for the
/// calendar year Y (004 stage 3): a summary, then its diagnostics (its answers to each form sent
/// to it), its visits, its consultations and the recommendations sent to it, each on a sheet.
pub async fn annual_report(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
    Path(id): Path<String>,
    q: Result<Query<super::YearQuery>, QueryRejection>,
) -> AppResult<Response> {
    user.require(&[Role::Head, Role::Mentor, Role::Curator, Role::SchoolTeam])?;
    let q = super::work_year(q, |q| q.year, "Укажите год отчёта: year=2026.")?;
    let not_found = || {
        ApiError::new(
            ErrorCode::NotFound,
            "Школа не найдена или не входит в ваши школы.",
        )
    };
    let school = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let Some(school_row) = state
        .db
        .schools_visible_to(&user.profile)
        .await?
        .into_iter()
        .find(|s| s.id == school)
    else {
        return Err(not_found().into());
    };
    let actor = state.db.actor(&user.profile).await?;
    let scope = Scope::School(school);
    let mut records = Vec::new();
    for kind in [
        forms::RESPONSE_KIND,
        p::PROGRAMME_KIND,
        p::SECTION_KIND,
        p::INDICATOR_KIND,
        p::MEASURE_KIND,
        visit::KIND,
        consultation::KIND,
        rec::RECOMMENDATION_KIND,
    ] {
        records.extend(
            state
                .db
                .readable_records_in(&actor, kind, std::slice::from_ref(&scope))
                .await?
                .into_iter()
                .filter(|r| !r.is_deleted()),
        );
    }
    let campaigns: Vec<Campaign> = state
        .db
        .readable_records(&actor, forms::CAMPAIGN_KIND)
        .await?
        .iter()
        .filter_map(Campaign::from_record)
        .filter(|c| c.schools.contains(&school))
        .collect();
    let people = state.db.specialists(None).await?;
    let year = q.year.to_string();
    let today = iso_day(crate::storage::now_ms() as u64);
    let of = |kind: &'static str| records.iter().filter(move |r| r.kind == kind);

    // Diagnostics: each form sent to the school that year (by its deadline) or answered that
    // year, with the school's answers to it.
    let mut diagnostics: Vec<(String, Vec<String>)> = Vec::new();
    let (mut forms_sent, mut answered) = (0, 0);
    let mut campaigns = campaigns;
    campaigns.sort_by(|a, b| (&a.deadline, a.id).cmp(&(&b.deadline, b.id)));
    for c in &campaigns {
        let answers: Vec<&Record> = of(forms::RESPONSE_KIND)
            .filter(|r| r.text(forms::F_CAMPAIGN) == c.id.to_string())
            .collect();
        let this_year = c.deadline.starts_with(&year)
            || answers
                .iter()
                .any(|r| r.created_ms().is_some_and(|ms| year_of_ms(ms) == year));
        if !this_year {
            continue;
        }
        forms_sent += 1;
        if answers.is_empty() {
            diagnostics.push((
                c.deadline.clone(),
                vec![
                    c.title.clone(),
                    ru_date(&c.deadline),
                    String::new(),
                    "ответа нет".to_owned(),
                ],
            ));
        }
        for r in answers {
            let status = forms::status_of(r);
            if !matches!(status, forms::Status::Draft) {
                answered += 1;
            }
            let who = match r.text(forms::F_RESPONDENT) {
                s if s.is_empty() && r.owner.is_none() => school_row.name.clone(),
                s => s,
            };
            diagnostics.push((
                c.deadline.clone(),
                vec![
                    c.title.clone(),
                    ru_date(&c.deadline),
                    who,
                    status.label().to_owned(),
                ],
            ));
        }
    }

    let outline = Outline::of(p::programme_id(school, q.year), &records);

    let mut visits: Vec<&Record> = of(visit::KIND)
        .filter(|r| r.text(visit::F_DATE).starts_with(&year))
        .collect();
    visits.sort_by_key(|r| (r.text(visit::F_DATE), r.id));

    let mut consultations: Vec<&Record> = of(consultation::KIND)
        .filter(|r| r.created_ms().is_some_and(|ms| year_of_ms(ms) == year))
        .collect();
    consultations.sort_by_key(|r| (r.created_ms(), r.id));
    let held = consultations
        .iter()
        .filter(|r| {
            matches!(
                consultation::state_of(r),
                consultation::State::Held | consultation::State::Closed
            )
        })
        .count();

    let mut recommendations: Vec<(u64, &Record)> = of(rec::RECOMMENDATION_KIND)
        .filter(|r| r.text(rec::F_STATE) == "sent")
        .filter_map(|r| sent_ms(r).map(|ms| (ms, r)))
        .filter(|(ms, _)| year_of_ms(*ms) == year)
        .collect();
    recommendations.sort_by_key(|(ms, r)| (*ms, r.id));
    let acknowledged = recommendations
        .iter()
        .filter(|(_, r)| r.get(rec::F_ACK).and_then(Value::as_bool) == Some(true))
        .count();

    // What a recommendation follows, when the record is here: "посещение 20.11.2026".
    let ground = |r: &Record| {
        let mut s = rec::source_label(&r.text(rec::F_SOURCE)).to_owned();
        let source = Uuid::parse_str(&r.text(rec::F_SOURCE_ID)).ok();
        if let Some(src) = source.and_then(|id| records.iter().find(|x| x.id == id)) {
            let what = match src.kind.as_str() {
                visit::KIND => format!(
                    "{} {}",
                    visit::type_label(&src.text(visit::F_TYPE)).to_lowercase(),
                    ru_date(&src.text(visit::F_DATE))
                ),
                consultation::KIND => {
                    format!("консультация «{}»", src.text(consultation::F_TOPIC))
                }
                _ => String::new(),
            };
            if !what.is_empty() {
                s = format!("{s} ({what})");
            }
        }
        s
    };

    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let heading = Format::new().set_bold().set_font_size(13).set_text_wrap();

        let sheet = book.add_worksheet();
        sheet.set_name("Отчёт")?;
        page(sheet);
        sheet.set_column_width(0, 42)?;
        sheet.set_column_width(1, 90)?;
        sheet.merge_range(
            0,
            0,
            0,
            1,
            &format!(
                "Отчёт о работе со школой за {} год: {}",
                q.year, school_row.name
            ),
            &heading,
        )?;
        let mut row = 2;
        let pair =
            |sheet: &mut Worksheet, row: &mut u32, k: &str, v: &str| -> Result<(), XlsxError> {
                sheet.write_string_with_format(*row, 0, k, &bold)?;
                sheet.write_string_with_format(*row, 1, v, &wrap)?;
                *row += 1;
                Ok(())
            };
        pair(sheet, &mut row, "Школа", &school_row.name)?;
        pair(sheet, &mut row, "Муниципалитет", &school_row.municipality)?;
        pair(sheet, &mut row, "Год", &year)?;
        pair(sheet, &mut row, "Составлен", &ru_date(&today))?;
        row += 1;
        pair(
            sheet,
            &mut row,
            "Диагностика",
            &format!("форм направлено: {forms_sent}; ответов отправлено: {answered}"),
        )?;
        match &outline.programme {
            Some(prog) => {
                pair(
                    sheet,
                    &mut row,
                    "Антирисковая программа",
                    &prog.text(p::F_TITLE),
                )?;
                let presented = prog.text(p::F_PRESENTED_ON);
                let verdict = match p::label(&p::VERDICTS, &prog.text(p::F_VERDICT)) {
                    "" if presented.is_empty() => "публично не представлена".to_owned(),
                    "" => format!("представлена {}, решения нет", ru_date(&presented)),
                    v => format!("{v} (представлена {})", ru_date(&presented)),
                };
                pair(sheet, &mut row, "Решение по программе", &verdict)?;
                pair(
                    sheet,
                    &mut row,
                    "Мероприятий программы",
                    &outline.measures().count().to_string(),
                )?;
                pair(
                    sheet,
                    &mut row,
                    "Из них выполнено",
                    &outline
                        .measures()
                        .filter(|m| m.text(p::F_STATUS) == "done")
                        .count()
                        .to_string(),
                )?;
                pair(
                    sheet,
                    &mut row,
                    "Просрочено мероприятий",
                    &outline.overdue(&today).to_string(),
                )?;
                pair(
                    sheet,
                    &mut row,
                    "Показателей, отстающих от плана",
                    &outline.behind(&today).to_string(),
                )?;
                let factors: Vec<String> = outline
                    .sections
                    .iter()
                    .map(|s| factor_label(&s.section.text(p::F_FACTOR)).to_owned())
                    .collect();
                pair(sheet, &mut row, "Факторы риска", &factors.join("; "))?;
            }
            None => pair(
                sheet,
                &mut row,
                "Антирисковая программа",
                &format!("на {} год нет или она вам недоступна", q.year),
            )?,
        }
        pair(
            sheet,
            &mut row,
            "Посещений и мероприятий",
            &visits.len().to_string(),
        )?;
        pair(
            sheet,
            &mut row,
            "Консультаций",
            &format!("запросов: {}; проведено: {held}", consultations.len()),
        )?;
        pair(
            sheet,
            &mut row,
            "Рекомендаций направлено",
            &format!(
                "{}; с ними ознакомились: {acknowledged}",
                recommendations.len()
            ),
        )?;

        let sheet = book.add_worksheet();
        sheet.set_name("Диагностика")?;
        header(
            sheet,
            &["Форма", "Срок", "Кто заполнял", "Состояние"],
            &[50.0, 14.0, 40.0, 26.0],
            &bold,
        )?;
        for (i, (_, cells)) in diagnostics.iter().enumerate() {
            line(sheet, i as u32 + 1, cells, &wrap)?;
        }

        let sheet = book.add_worksheet();
        sheet.set_name("Посещения")?;
        header(
            sheet,
            &[
                "Дата",
                "Вид",
                "Кто провёл",
                "Место, участники",
                "Урок",
                "Итоги (справка)",
            ],
            &[12.0, 26.0, 28.0, 34.0, 30.0, 70.0],
            &bold,
        )?;
        for (i, r) in visits.iter().enumerate() {
            let lesson: Vec<String> = [visit::F_GRADE, visit::F_SUBJECT, visit::F_TEACHER]
                .iter()
                .map(|f| r.text(f))
                .filter(|s| !s.is_empty())
                .collect();
            let place: Vec<String> = [visit::F_PLACE, visit::F_PARTICIPANTS]
                .iter()
                .map(|f| r.text(f))
                .filter(|s| !s.is_empty())
                .collect();
            let cells = vec![
                ru_date(&r.text(visit::F_DATE)),
                visit::type_label(&r.text(visit::F_TYPE)).to_owned(),
                r.text(visit::F_AUTHOR),
                place.join("\n"),
                lesson.join(", "),
                r.text(visit::F_FINDINGS),
            ];
            line(sheet, i as u32 + 1, &cells, &wrap)?;
        }

        let sheet = book.add_worksheet();
        sheet.set_name("Консультации")?;
        header(sheet, &consultation::LOG_COLUMNS, &[], &bold)?;
        for (i, r) in consultations.iter().enumerate() {
            let asked = model::kinds::addressee(r)
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(|p| p.full_name.as_str());
            line(
                sheet,
                i as u32 + 1,
                &consultation::log_row(r, &school_row.name, asked),
                &wrap,
            )?;
        }

        let sheet = book.add_worksheet();
        sheet.set_name("Рекомендации")?;
        header(
            sheet,
            &[
                "Рекомендация",
                "Основание",
                "Кому адресована",
                "Фактор риска",
                "Срок",
                "Направлена",
                "Ознакомление",
                "Мероприятие программы",
            ],
            &[44.0, 32.0, 26.0, 26.0, 12.0, 12.0, 30.0, 16.0],
            &bold,
        )?;
        for (i, (ms, r)) in recommendations.iter().enumerate() {
            let ack = if r.get(rec::F_ACK).and_then(Value::as_bool) == Some(true) {
                format!(
                    "ознакомлены: {} {}",
                    r.text(rec::F_ACK_BY),
                    ru_date(&r.text(rec::F_ACK_ON))
                )
                .trim()
                .to_owned()
            } else {
                "не ознакомлены".to_owned()
            };
            let cells = vec![
                r.text(rec::F_TITLE),
                ground(r),
                r.text(rec::F_PERSON),
                factor_label(&r.text(rec::F_FACTOR)).to_owned(),
                ru_date(&r.text(rec::F_DEADLINE)),
                ru_date(&iso_day(*ms)),
                ack,
                if r.text(rec::F_MEASURE).is_empty() {
                    String::new()
                } else {
                    "включена в программу".to_owned()
                },
            ];
            line(sheet, i as u32 + 1, &cells, &wrap)?;
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(super::exports::xlsx(
        &format!("annual-report-{}", q.year),
        bytes,
    ))
}
