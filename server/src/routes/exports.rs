//! `GET /api/campaigns/{id}/export.xlsx`: a campaign's responses as a spreadsheet — a row per
//! school or respondent, a column per question with Russian headers, and for a test the score
//! and level of each competency area. Only what the caller may read is in it.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use model::forms::export::{self, CellValue};
use model::forms::{self, AreaScore, Campaign};
use model::record::Scope;
use model::{ApiError, Role};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

pub async fn campaign(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
    Path(id): Path<String>,
) -> AppResult<Response> {
    user.require(&[Role::Head, Role::Mentor, Role::Curator])?;
    let (campaign, entry, actor) = super::anonymous::campaign(&state, &user, &id).await?;
    let id = campaign.id;
    let form = campaign.form(&entry.template);
    let t = &*form;
    if t.anonymous {
        return anonymous(&state, &user, &campaign, &entry).await;
    }
    let mut responses: Vec<_> = state
        .db
        .readable_records(&actor, forms::RESPONSE_KIND)
        .await?
        .into_iter()
        .filter(|r| r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str()) == Some(&id.to_string()))
        .collect();
    let results = state
        .db
        .readable_records(&actor, forms::RESULT_KIND)
        .await?;
    let schools = state.db.schools_visible_to(&user.profile).await?;
    let school_name = |scope: &Scope| match scope {
        Scope::School(sid) => schools
            .iter()
            .find(|s| s.id == *sid)
            .map_or_else(String::new, |s| s.name.clone()),
        _ => String::new(),
    };
    responses.sort_by_key(|r| (school_name(&r.scope), r.text(forms::F_RESPONDENT)));

    // A sheet of Excel holds 16,384 columns and 1,048,576 rows: a form or a campaign beyond
    // them is said in words, not failed half-way.
    let fixed = 4 + 2 * t.test.iter().map(|x| x.areas.len()).sum::<usize>();
    let columns = export::columns(t);
    if fixed + columns.len() > 16_384 || responses.len() >= 1_048_576 {
        return Err(ApiError::bad_request(format!(
            "Ответы не умещаются на один лист Excel: столбцов — {}, строк — {} (на листе не больше \
             16 384 столбцов и 1 048 575 строк). Выгрузите ответы частями или обратитесь к \
             администратору.",
            fixed + columns.len(),
            responses.len()
        ))
        .into());
    }
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Ответы")?;
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new().set_text_wrap();
        let mut headers = vec!["Школа".to_owned()];
        if !t.anonymous {
            headers.push("Отвечающий".into());
        }
        headers.extend(["Состояние".to_owned(), "Версия ответа".to_owned()]);
        let areas: Vec<&forms::template::Area> =
            t.test.iter().flat_map(|x| x.areas.iter()).collect();
        for a in &areas {
            headers.push(format!("{}: баллы, %", a.title));
            headers.push(format!("{}: вывод", a.title));
        }
        headers.extend(columns.iter().map(|c| c.header.clone()));
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
            sheet.set_column_width(c as u16, if c < 2 { 28 } else { 22 })?;
        }
        sheet.set_freeze_panes(1, 1)?;
        for (i, r) in responses.iter().enumerate() {
            let row = i as u32 + 1;
            let mut col: u16 = 0;
            let mut text = |col: &mut u16, s: &str| -> Result<(), XlsxError> {
                sheet.write_string_with_format(row, *col, s, &wrap)?;
                *col += 1;
                Ok(())
            };
            text(&mut col, &school_name(&r.scope))?;
            if !t.anonymous {
                text(&mut col, &r.text(forms::F_RESPONDENT))?;
            }
            text(&mut col, forms::status_of(r).label())?;
            sheet.write_number(row, col, forms::review::round_of(r) as f64)?;
            col += 1;
            let scores: Vec<AreaScore> = results
                .iter()
                .find(|x| x.parent == Some(r.id))
                .and_then(|x| x.get("areas").cloned())
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            for a in &areas {
                if let Some(s) = scores.iter().find(|s| s.area == a.id) {
                    sheet.write_number(row, col, f64::from(s.percent))?;
                    sheet.write_string(row, col + 1, s.level.label())?;
                }
                col += 2;
            }
            let answers = forms::answers_of(r);
            for c in &columns {
                match export::value(t, c, &answers) {
                    CellValue::Empty => {}
                    CellValue::Number(n) => {
                        sheet.write_number(row, col, n)?;
                    }
                    CellValue::Text(s) => {
                        // Excel's limit for one cell.
                        let s: String = s.chars().take(32_767).collect();
                        sheet.write_string_with_format(row, col, &s, &wrap)?;
                    }
                }
                col += 1;
            }
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(xlsx(&t.code, bytes))
}

pub(super) fn xlsx(code: &str, bytes: Vec<u8>) -> Response {
    let file = format!("{code}.xlsx");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An anonymous form exports only its results in aggregate, for the head, when enough people
/// answered: a row per question with how many answered and what they chose.
async fn anonymous(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    entry: &crate::forms::Entry,
) -> AppResult<Response> {
    use model::forms::summary::{Detail, summarize};
    use model::kinds::anonymous_response::MIN_ANSWERS;
    user.require(&[Role::Head])?;
    let form = campaign.form(&entry.template);
    let t = &*form;
    let answers = super::anonymous::submitted_answers(
        state,
        campaign,
        super::anonymous::Answering::Anonymous,
    )
    .await?;
    let Some(summary) = summarize(t, &answers, MIN_ANSWERS) else {
        return Err(ApiError::conflict(format!(
            "Анкета анонимная: итоги показываются, когда ответят не менее {MIN_ANSWERS} человек \
             (сейчас ответов: {}).",
            answers.len()
        ))
        .into());
    };
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Итоги")?;
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new().set_text_wrap();
        sheet.write_string_with_format(0, 0, &t.title, &bold)?;
        sheet.write_string(
            1,
            0,
            format!(
                "Анонимная анкета: итоги по {} ответам, без имён.",
                summary.answered
            ),
        )?;
        for (c, h) in ["Вопрос", "Ответили", "Итог"].iter().enumerate() {
            sheet.write_string_with_format(3, c as u16, *h, &bold)?;
        }
        sheet.set_column_width(0, 50)?;
        sheet.set_column_width(2, 80)?;
        for (i, q) in summary.questions.iter().enumerate() {
            let row = 4 + i as u32;
            sheet.write_string_with_format(row, 0, &q.text, &wrap)?;
            sheet.write_number(row, 1, q.answered as f64)?;
            let text = match &q.detail {
                Detail::Counts { counts, mean } => {
                    let mut s: Vec<String> = counts
                        .iter()
                        .map(|(label, n)| format!("{label} — {n}"))
                        .collect();
                    if let Some(m) = mean {
                        s.push(format!("среднее — {}", model::forms::answer::fmt_num(*m)));
                    }
                    s.join("; ")
                }
                Detail::Numbers { mean, min, max } => format!(
                    "среднее — {}, наименьшее — {}, наибольшее — {}",
                    model::forms::answer::fmt_num(*mean),
                    model::forms::answer::fmt_num(*min),
                    model::forms::answer::fmt_num(*max)
                ),
                Detail::Texts { texts } => texts.join("\n"),
                Detail::None => {
                    model::forms::summary::withheld(q.answered, MIN_ANSWERS).unwrap_or_default()
                }
            };
            let text: String = text.chars().take(32_767).collect();
            sheet.write_string_with_format(row, 2, &text, &wrap)?;
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(xlsx(&t.code, bytes))
}
