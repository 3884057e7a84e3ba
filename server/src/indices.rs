//! The regional indices of the schools (002 §II): reading an uploaded CSV or XLSX table,
//! importing it all or nothing through the same batch step as every device's edits (each row a
//! `school_indices` record written by the centre head), and the classification for a year.
//! The rules live in `model::monitoring`; this module only reads files and the database.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook_from_rs};
use model::forms::answer::{iso_day, ru_date};
use model::hlc::{DeviceId, Hlc};
use model::monitoring::classification::{self, Classification};
use model::monitoring::import::{self, Parsed};
use model::monitoring::{self as m};
use model::record::Scope;
use model::sync::{Change, Mutation};
use model::{ApiError, School, UserProfile};
use uuid::Uuid;

use crate::error::AppResult;
use crate::storage::{Db, now_ms};

/// The most rows one file may hold (every school of a large region for several years).
pub const MAX_ROWS: usize = 20_000;
/// The widest table read (an index table has a few columns).
pub const MAX_COLUMNS: usize = 200;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

fn bad_file(message: impl Into<String>) -> ApiError {
    ApiError::validation("file", message)
}

/// An XLSX file's first sheet, or a CSV file (UTF-8, or Windows-1251 as Russian Excel saves
/// it, or UTF-16 with its byte order mark; separated by `;`, `,` or tabs), as rows of cell texts. The second value is the file row
/// the first row of the table stands on (a sheet may start below its first row).
pub fn read_table(bytes: &[u8]) -> Result<(Vec<Vec<String>>, usize), ApiError> {
    if bytes.is_empty() {
        return Err(bad_file("Файл пуст."));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(bad_file("Файл больше 10 МБ: разделите его на части."));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(bad_file(
            "Файл в старом формате Excel (.xls): сохраните его как «Книга Excel (.xlsx)» или CSV.",
        ));
    }
    // A byte order mark names the encoding (Excel's «Юникод» text is UTF-16); without one,
    // UTF-8 if it reads as such, else Windows-1251.
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => encoding.decode_without_bom_handling(&bytes[bom..]).0,
        None => match std::str::from_utf8(bytes) {
            Ok(t) => t.into(),
            Err(_) => {
                encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling(bytes)
                    .0
            }
        },
    }
    .into_owned();
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .find(|d| first.contains(char::from(*d)))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad_file(format!(
                "Файл CSV не читается (строка {line}): проверьте кавычки."
            ))
        })?;
        if record.len() > MAX_COLUMNS {
            return Err(too_wide());
        }
        rows.push(record.iter().map(str::to_owned).collect());
        if rows.len() > MAX_ROWS + 1 {
            return Err(too_long());
        }
    }
    Ok((rows, 1))
}

fn too_long() -> ApiError {
    bad_file(format!(
        "В файле больше {MAX_ROWS} строк: разделите его на части."
    ))
}

fn too_wide() -> ApiError {
    bad_file(format!(
        "В файле больше {MAX_COLUMNS} столбцов: оставьте в нём только таблицу показателей."
    ))
}

fn unreadable_xlsx() -> ApiError {
    bad_file("Файл XLSX не читается: откройте его в Excel и сохраните заново.")
}

/// The most an XLSX file's parts may unpack to, together (a table of `MAX_ROWS` rows of a
/// few dozen filled columns is well under it).
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// The most distinct texts an XLSX file may hold (a few per row).
pub const MAX_SHARED_STRINGS: u64 = 20 * MAX_ROWS as u64;

/// An XLSX file is a zip of XML parts. Before the reader opens one, its parts are unpacked
/// once, counting: a file of a few megabytes may unpack to gigabytes, or declare a table of
/// billions of texts, for which the reader sets memory aside as soon as it opens the file —
/// either would take the whole server down.
fn check_unpacked(bytes: &[u8]) -> Result<(), ApiError> {
    use quick_xml::events::Event;
    let too_large = || {
        bad_file(format!(
            "Файл XLSX в распакованном виде больше {} МБ или в нём больше {MAX_SHARED_STRINGS} \
             разных текстов: оставьте на первом листе только таблицу показателей или \
             разделите файл на части.",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        ))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable_xlsx())?;
    let mut left = MAX_UNPACKED_BYTES;
    let mut texts = 0u64;
    let mut buf = Vec::new();
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|_| unreadable_xlsx())?;
        if part.is_dir() {
            continue;
        }
        let is_xml = part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with(".xml"));
        let mut part = std::io::BufReader::new(Limited {
            inner: part,
            left: &mut left,
        });
        // Pictures, printer settings: only their size counts.
        if !is_xml {
            if std::io::copy(&mut part, &mut std::io::sink()).is_err() {
                return Err(if *part.get_ref().left == 0 {
                    too_large()
                } else {
                    unreadable_xlsx()
                });
            }
            continue;
        }
        // Read as calamine reads (`calamine::xlsx::xml_reader`): where it would go on past a
        // fault, so does this count.
        let mut xml = quick_xml::Reader::from_reader(part);
        let config = xml.config_mut();
        config.check_end_names = false;
        config.check_comments = false;
        config.expand_empty_elements = true;
        config.trim_text(false);
        loop {
            buf.clear();
            let element = match xml.read_event_into(&mut buf) {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e) | Event::Empty(e)) => e,
                Ok(_) => continue,
                Err(_) if *xml.get_ref().get_ref().left == 0 => return Err(too_large()),
                // Not XML after all: the reader would say so; only its size counts here.
                Err(_) => break,
            };
            match element.local_name().as_ref() {
                "sst" => {
                    let declared = element
                        .try_get_attribute("uniqueCount")
                        .ok()
                        .flatten()
                        .map(|a| a.value.trim().parse::<u64>().unwrap_or(u64::MAX));
                    if declared.is_some_and(|n| n > MAX_SHARED_STRINGS) {
                        return Err(too_large());
                    }
                }
                "si" => {
                    texts += 1;
                    if texts > MAX_SHARED_STRINGS {
                        return Err(too_large());
                    }
                }
                _ => {}
            }
        }
        // What the XML reader left unread of the part (after an error) still counts.
        let mut rest = xml.into_inner();
        if std::io::copy(&mut rest, &mut std::io::sink()).is_err() && *rest.get_ref().left == 0 {
            return Err(too_large());
        }
    }
    Ok(())
}

/// A part being unpacked, failing once the file's parts together pass the bound.
struct Limited<'a, R> {
    inner: R,
    left: &'a mut u64,
}

impl<R: std::io::Read> std::io::Read for Limited<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if n as u64 > *self.left {
            *self.left = 0;
            return Err(std::io::Error::other("unpacked past the bound"));
        }
        *self.left -= n as u64;
        Ok(n)
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<(Vec<Vec<String>>, usize), ApiError> {
    let unreadable = unreadable_xlsx;
    check_unpacked(bytes)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| bad_file("В книге нет ни одного листа."))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    // The sheet is read cell by cell and only the cells with a value are kept, by row: calamine's
    // own range would make a grid of everything between the first and the last cell, so two
    // cells far apart (A1 and GR20001) would cost four million. As calamine's range, the table
    // starts at the first row and the first column that hold a value, and a later cell at the
    // same place replaces an earlier one.
    let mut by_row: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let (mut rows_seen, mut columns_seen) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        rows_seen = (rows_seen.0.min(r), rows_seen.1.max(r));
        columns_seen = (columns_seen.0.min(c), columns_seen.1.max(c));
        let span = |(low, high): (u32, u32)| (high - low) as usize + 1;
        if span(rows_seen) > MAX_ROWS + 1 {
            return Err(too_long());
        }
        if span(columns_seen) > MAX_COLUMNS {
            return Err(too_wide());
        }
        let text = cell_text(Data::from(cell.get_value().clone()));
        by_row.entry(r).or_default().push((c, text));
    }
    if by_row.is_empty() {
        return Ok((Vec::new(), 1));
    }
    let ((top, bottom), left) = (rows_seen, columns_seen.0);
    let rows = (top..=bottom)
        .map(|r| {
            let mut row = Vec::new();
            for (c, text) in by_row.remove(&r).unwrap_or_default() {
                let at = (c - left) as usize;
                if row.len() <= at {
                    row.resize(at + 1, String::new());
                }
                row[at] = text;
            }
            row
        })
        .collect();
    Ok((rows, top as usize + 1))
}

/// A cell's text as the person typed it: 2024 stays «2024», 0.412 stays «0.412».
fn cell_text(value: Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(true) => "да".into(),
        Data::Bool(false) => "нет".into(),
        other => other.to_string(),
    }
}

async fn schools(db: &Db) -> AppResult<Vec<School>> {
    Ok(db.all_schools().await?)
}

/// Reads `bytes` against the registered schools; with `commit` and no problem, writes every row
/// as `who` in one transaction (all or nothing). The answer lists the rows, every problem and
/// how many rows were written.
pub async fn import(
    db: &Db,
    who: &UserProfile,
    file_name: &str,
    bytes: &[u8],
    commit: bool,
) -> AppResult<Parsed> {
    // Reading a spreadsheet is slow work: off the threads that answer requests.
    let owned = bytes.to_vec();
    let (table, first_row) = tokio::task::spawn_blocking(move || read_table(&owned))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.into()))??;
    let schools: Vec<(Uuid, String)> = schools(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut parsed = import::parse(&table, &schools);
    let shift = first_row - 1;
    for p in &mut parsed.problems {
        p.row += shift;
    }
    for r in &mut parsed.rows {
        r.line += shift;
    }
    if !commit || !parsed.is_clean() {
        return Ok(parsed);
    }

    let now = now_ms();
    // The file's name goes into each row's source, which holds 500 characters.
    let name: String = file_name.trim().chars().take(200).collect();
    let source = if name.is_empty() {
        format!("загружено {}", ru_date(&iso_day(now as u64)))
    } else {
        format!("файл «{name}», загружен {}", ru_date(&iso_day(now as u64)))
    };
    // Each import is a computer of its own: its mutation numbers start at 1.
    let device = DeviceId::from_random(rand::random::<[u8; 8]>());
    let mutations: Vec<Mutation> = parsed
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let r = &row.indices;
            Mutation {
                seq: i as u64 + 1,
                change: Change {
                    record: m::indices_id(r.school, i64::from(r.year)),
                    kind: m::KIND.to_owned(),
                    scope: Scope::School(r.school),
                    parent: None,
                    hlc: Hlc {
                        wall_ms: now as u64,
                        counter: i as u16,
                        device: device.clone(),
                    },
                    fields: m::fields_of(r, &source)
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                },
            }
        })
        .collect();
    let actor = db.actor(who).await?;
    db.push_whole(&actor, &device, &mutations).await?;
    parsed.imported = mutations.len();
    db.audit(
        Some(who.id),
        "indices.import",
        &serde_json::json!({ "file": name, "rows": parsed.imported }),
    )
    .await?;
    Ok(parsed)
}

/// The classification of every school with indices for `year`, with the school's name.
pub async fn classify(db: &Db, year: i32) -> anyhow::Result<Vec<(String, Classification)>> {
    let rows: Vec<_> = db
        .all_records(m::KIND)
        .await?
        .iter()
        .filter_map(m::from_record)
        .collect();
    let schools = schools(db).await?;
    Ok(classification::classify(&rows, year)
        .into_iter()
        .map(|c| {
            let name = schools
                .iter()
                .find(|s| s.id == c.school)
                .map_or_else(|| c.school.to_string(), |s| s.name.clone());
            (name, c)
        })
        .collect())
}

/// The classification as `nastavnik classify --json` prints it: one object per school.
pub fn classification_json(list: &[(String, Classification)]) -> serde_json::Value {
    serde_json::Value::Array(
        list.iter()
            .map(|(name, c)| {
                serde_json::json!({
                    "school": name,
                    "year": c.year,
                    "ior_quartile": c.ior_quartile,
                    "isbsh_quartile": c.isbsh_quartile,
                    "type": c.school_type.map(|t| t.as_str()),
                    "stably_high": c.stably_high,
                    "stably_low": c.stably_low,
                    "risk": c.risk.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
