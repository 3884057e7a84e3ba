//! School support (002 §4.3–§4.4): the specialists a school may ask for a consultation, and the
//! spreadsheets officials keep on paper or in Excel — a school's anti-risk programme and the
//! consultation log. Both exports hold only what the caller may read (the same read keys as
//! sync).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use model::api::SpecialistList;
use model::forms::answer::ru_date;
use model::forms::plan::MEASURE_KINDS;
use model::record::Scope;
use model::support::programme::{
    self as p, F_BASELINE, F_COMMENT, F_CONTENT, F_DEADLINE, F_EVIDENCE, F_GOAL, F_LEVEL, F_NAME,
    F_PARTICIPANTS, F_PRESENTED_ON, F_PRESENTED_WHO, F_QUARTERS, F_RESPONSIBLE, F_STATUS,
    F_SUPPORT, F_TARGET, F_TASKS, F_TITLE, F_UNIT, F_VERDICT, Outline, Progress,
};
use model::support::{consultation, factor_label};
use model::{ApiError, ErrorCode, Role};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// `GET /api/specialists`: the centre's mentors, curators and head; for school staff those
/// assigned to their school come first and are marked.
pub async fn specialists(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<SpecialistList>> {
    user.require(&[Role::SchoolTeam, Role::Mentor, Role::Curator, Role::Head])?;
    let specialists = state.db.specialists(user.profile.school_id).await?;
    Ok(Json(SpecialistList { specialists }))
}

/// `GET /api/schools/{id}/programme.xlsx?year=Y`: the programme on three sheets — the
/// programme with its sections, the indicators, the measures.
pub async fn programme(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
    Path(id): Path<String>,
    q: Result<Query<super::YearQuery>, QueryRejection>,
) -> AppResult<Response> {
    let q = super::work_year(q, |q| q.year, "Укажите год программы: year=2027.")?;
    let school = Uuid::parse_str(&id)
        .map_err(|_| ApiError::new(ErrorCode::NotFound, "Школа не найдена: проверьте ссылку."))?;
    let actor = state.db.actor(&user.profile).await?;
    let pid = p::programme_id(school, q.year);
    let mut records = Vec::new();
    for kind in [
        p::PROGRAMME_KIND,
        p::SECTION_KIND,
        p::INDICATOR_KIND,
        p::MEASURE_KIND,
    ] {
        records.extend(
            state
                .db
                .readable_records_in(&actor, kind, &[Scope::School(school)])
                .await?,
        );
    }
    let outline = Outline::of(pid, &records);
    let Some(programme) = outline.programme.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "Антирисковой программы этой школы на {} год нет или она вам недоступна.",
                q.year
            ),
        )
        .into());
    };
    let school_name = state
        .db
        .schools_visible_to(&user.profile)
        .await?
        .into_iter()
        .find(|s| s.id == school)
        .map_or_else(String::new, |s| s.name);
    let today = model::forms::answer::iso_day(crate::storage::now_ms() as u64);
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new().set_text_wrap();

        let sheet = book.add_worksheet();
        sheet.set_name("Программа")?;
        sheet.set_column_width(0, 34)?;
        sheet.set_column_width(1, 90)?;
        let mut row = 0;
        let pair =
            |sheet: &mut Worksheet, row: &mut u32, k: &str, v: &str| -> Result<(), XlsxError> {
                sheet.write_string_with_format(*row, 0, k, &bold)?;
                sheet.write_string_with_format(*row, 1, v, &wrap)?;
                *row += 1;
                Ok(())
            };
        pair(sheet, &mut row, "Школа", &school_name)?;
        pair(sheet, &mut row, "Год", &q.year.to_string())?;
        pair(sheet, &mut row, "Название", &programme.text(F_TITLE))?;
        pair(
            sheet,
            &mut row,
            "Публичное представление",
            &ru_date(&programme.text(F_PRESENTED_ON)),
        )?;
        pair(
            sheet,
            &mut row,
            "Присутствовали",
            &programme.text(F_PRESENTED_WHO),
        )?;
        pair(
            sheet,
            &mut row,
            "Решение",
            p::label(&p::VERDICTS, &programme.text(F_VERDICT)),
        )?;
        pair(
            sheet,
            &mut row,
            "Комментарий наставника",
            &programme.text(F_COMMENT),
        )?;
        pair(
            sheet,
            &mut row,
            "Анализ выполнения за год",
            &programme.text(p::F_ANALYSIS),
        )?;
        for s in &outline.sections {
            row += 1;
            let r = &s.section;
            pair(
                sheet,
                &mut row,
                "Фактор риска",
                factor_label(&r.text(p::F_FACTOR)),
            )?;
            pair(
                sheet,
                &mut row,
                "Уровень риска",
                p::label(&p::LEVELS, &r.text(F_LEVEL)),
            )?;
            pair(sheet, &mut row, "Цель", &r.text(F_GOAL))?;
            pair(sheet, &mut row, "Задачи", &r.text(F_TASKS))?;
            pair(
                sheet,
                &mut row,
                "Комментарий наставника",
                &r.text(F_COMMENT),
            )?;
        }

        let sheet = book.add_worksheet();
        sheet.set_name("Показатели")?;
        let headers = [
            "Фактор риска",
            "Показатель",
            "Ед. изм.",
            "Исходное",
            "Целевое",
            "I кв.",
            "II кв.",
            "III кв.",
            "IV кв.",
            "Оценка",
            "Комментарий наставника",
        ];
        header(sheet, &headers, &bold)?;
        let mut row = 1;
        for s in &outline.sections {
            for i in &s.indicators {
                let mut cells = vec![
                    factor_label(&s.section.text(p::F_FACTOR)).to_owned(),
                    i.text(F_NAME),
                    i.text(F_UNIT),
                    p::number_text(i, F_BASELINE),
                    p::number_text(i, F_TARGET),
                ];
                cells.extend(F_QUARTERS.iter().map(|q| p::number_text(i, q)));
                cells.push(progress_label(p::progress(i, q.year, &today)));
                cells.push(i.text(F_COMMENT));
                line(sheet, row, &cells, &wrap)?;
                row += 1;
            }
        }

        let sheet = book.add_worksheet();
        sheet.set_name("Мероприятия")?;
        let headers = [
            "Фактор риска",
            "Мероприятие",
            "Вид поддержки",
            "Срок",
            "Ответственный",
            "Участники",
            "Состояние",
            "Подтверждение выполнения",
            "Комментарий наставника",
        ];
        header(sheet, &headers, &bold)?;
        let mut row = 1;
        for s in &outline.sections {
            for m in &s.measures {
                let mut status = p::label(&p::MEASURE_STATUSES, &m.text(F_STATUS)).to_owned();
                if p::measure_overdue(m, &today) {
                    status.push_str(" (срок прошёл)");
                }
                let cells = vec![
                    factor_label(&s.section.text(p::F_FACTOR)).to_owned(),
                    m.text(F_CONTENT),
                    p::label(&MEASURE_KINDS, &m.text(F_SUPPORT)).to_owned(),
                    ru_date(&m.text(F_DEADLINE)),
                    m.text(F_RESPONSIBLE),
                    m.text(F_PARTICIPANTS),
                    status,
                    m.text(F_EVIDENCE),
                    m.text(F_COMMENT),
                ];
                line(sheet, row, &cells, &wrap)?;
                row += 1;
            }
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(super::exports::xlsx(
        &format!("programme-{}", q.year),
        bytes,
    ))
}

fn progress_label(p: Progress) -> String {
    match p {
        Progress::Open => String::new(),
        Progress::OnTrack => "в плане".to_owned(),
        Progress::Behind => "отстаёт".to_owned(),
        Progress::Missing(q) => format!("нет факта за {q} кв."),
    }
}

pub(super) fn header(
    sheet: &mut Worksheet,
    headers: &[&str],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
        sheet.set_column_width(c as u16, 24)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

pub(super) fn line(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[String],
    wrap: &Format,
) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        let v: String = v.chars().take(32_767).collect();
        sheet.write_string_with_format(row, c as u16, &v, wrap)?;
    }
    Ok(())
}

/// `GET /api/consultations.xlsx`: the consultation log the caller may read (the head: every
/// school's), oldest request first.
pub async fn consultations(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
) -> AppResult<Response> {
    user.require(&[Role::Head, Role::Mentor, Role::Curator, Role::SchoolTeam])?;
    let actor = state.db.actor(&user.profile).await?;
    let mut list: Vec<_> = state
        .db
        .readable_records(&actor, consultation::KIND)
        .await?
        .into_iter()
        .filter(|r| !r.is_deleted())
        .collect();
    list.sort_by_key(|r| (r.created_ms(), r.id));
    // Each consultation's school is named, also to a specialist asked directly who is not
    // assigned to it: reading the request, they may know who asks.
    let schools = state.db.all_schools().await?;
    let people = state.db.specialists(None).await?;
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new().set_text_wrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Журнал консультаций")?;
        header(sheet, &consultation::LOG_COLUMNS, &bold)?;
        for (i, r) in list.iter().enumerate() {
            let known = match r.scope {
                Scope::School(s) => schools.iter().find(|x| x.id == s),
                _ => None,
            };
            let school = consultation::school_named(r, known.map(|x| x.name.as_str()));
            let asked = model::kinds::addressee(r)
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(|p| p.full_name.as_str());
            line(
                sheet,
                i as u32 + 1,
                &consultation::log_row(r, &school, asked),
                &wrap,
            )?;
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(super::exports::xlsx("consultations", bytes))
}
