//! Reading a table of indices (a CSV or XLSX file the regional assessment centre sends, as rows
//! of cells): the header `school,year,ior,isbsh,gia,vpr,evening_share,advanced` in any order,
//! `school` a registered school's name or id, decimals with a point or a comma, `advanced`
//! да/нет, empty cells for no data. Every bad cell is named by its row and column; a table with
//! any problem is imported not at all.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::YEARS;
use super::classification::Indices;

/// The columns, as the header names them, with their Russian names.
pub const COLUMNS: [(&str, &str); 8] = [
    ("school", "школа"),
    ("year", "год"),
    ("ior", "ИОР"),
    ("isbsh", "ИСБШ"),
    ("gia", "ГИА"),
    ("vpr", "ВПР"),
    ("evening_share", "доля вечерней формы"),
    ("advanced", "повышенный уровень"),
];

/// The header line, as a template file would have it.
pub fn header_line() -> String {
    COLUMNS.map(|(c, _)| c).join(",")
}

/// What is wrong with one cell (or with the header, row 1, or a whole row: no column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The row of the file, counting the header as 1 (as a spreadsheet numbers rows).
    pub row: usize,
    /// The column's header name.
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    /// «Строка 4, столбец ior («ИОР»): …».
    pub fn describe(&self) -> String {
        match &self.column {
            Some(c) => match COLUMNS.iter().find(|(code, _)| code == c) {
                Some((_, ru)) => format!(
                    "Строка {}, столбец {c} («{ru}»): {}",
                    self.row, self.message
                ),
                None => format!("Строка {}, столбец {c}: {}", self.row, self.message),
            },
            None => format!("Строка {}: {}", self.row, self.message),
        }
    }
}

/// A row read well, with the school's registered name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub line: usize,
    pub school_name: String,
    pub indices: Indices,
}

/// The table read: its rows and every problem found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub problems: Vec<Problem>,
    /// How many rows were written: 0 for a preview or a file with problems.
    #[serde(default)]
    pub imported: usize,
}

impl Parsed {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && !self.rows.is_empty()
    }
}

/// A name as people type it: trimmed, single spaces, lower case, «ё» as «е».
fn normal(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// Reads `table` (the first row the header) against the municipality's `schools` (id, name).
pub fn parse(table: &[Vec<String>], schools: &[(Uuid, String)]) -> Parsed {
    let mut out = Parsed::default();
    let problem = |row: usize, column: Option<&str>, message: String| Problem {
        row,
        column: column.map(str::to_owned),
        message,
    };
    let Some(header) = table.first() else {
        out.problems.push(problem(
            1,
            None,
            format!("файл пуст: нужна строка заголовка «{}»", header_line()),
        ));
        return out;
    };
    // Which cell holds which column.
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let name = cell.trim().trim_start_matches('\u{feff}').to_lowercase();
        if name.is_empty() {
            continue;
        }
        // A column is named by its code or by its Russian name (as a region's file heads it).
        match COLUMNS
            .iter()
            .find(|(c, ru)| *c == name || ru.to_lowercase() == name)
        {
            Some((c, _)) if at.contains_key(c) => {
                out.problems
                    .push(problem(1, Some(c), "столбец назван дважды".into()));
            }
            Some((c, _)) => {
                at.insert(c, i);
            }
            None => out.problems.push(problem(
                1,
                Some(&name),
                format!(
                    "неизвестный столбец; допустимые: {}",
                    COLUMNS.map(|(c, ru)| format!("{c} («{ru}»)")).join(", ")
                ),
            )),
        }
    }
    for (c, _) in COLUMNS {
        if !at.contains_key(c) {
            out.problems
                .push(problem(1, Some(c), "в заголовке нет этого столбца".into()));
        }
    }
    if !out.problems.is_empty() {
        return out;
    }

    let mut by_name: HashMap<String, Vec<(Uuid, &str)>> = HashMap::new();
    for (id, name) in schools {
        by_name
            .entry(normal(name))
            .or_default()
            .push((*id, name.as_str()));
    }
    let mut seen: HashMap<(Uuid, i32), usize> = HashMap::new();
    for (i, cells) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        let cell = |c: &str| cells.get(at[c]).map_or("", |s| s.trim());
        if COLUMNS.iter().all(|(c, _)| cell(c).is_empty()) {
            continue;
        }
        let before = out.problems.len();
        // A row naming a school and a year but no index would only blank what is stored (the
        // sample file's rows, uploaded as they are).
        if COLUMNS[2..].iter().all(|(c, _)| cell(c).is_empty()) {
            out.problems.push(problem(
                line,
                None,
                "в строке нет ни одного показателя: заполните хотя бы один или удалите строку"
                    .into(),
            ));
        }
        let mut bad = |column: &str, message: String| {
            out.problems.push(problem(line, Some(column), message));
        };

        let named = cell("school");
        let school = if named.is_empty() {
            bad("school", "не указана школа".into());
            None
        } else if let Some(s) = Uuid::parse_str(named)
            .ok()
            .and_then(|id| schools.iter().find(|(s, _)| *s == id))
        {
            Some((s.0, s.1.clone()))
        } else {
            match by_name.get(&normal(named)).map(Vec::as_slice) {
                Some([(id, name)]) => Some((*id, (*name).to_owned())),
                Some(_) => {
                    bad(
                        "school",
                        format!("несколько школ называются «{named}»: укажите её номер (id)"),
                    );
                    None
                }
                None => {
                    bad("school", format!("школы «{named}» нет в муниципалитете"));
                    None
                }
            }
        };

        let year_text = cell("year");
        let year = match year_text.parse::<i64>() {
            Ok(y) if (YEARS.0..=YEARS.1).contains(&y) => Some(y as i32),
            _ if year_text.is_empty() => {
                bad("year", "не указан год".into());
                None
            }
            _ => {
                bad(
                    "year",
                    format!(
                        "«{year_text}» — не год: нужен год от {} до {}",
                        YEARS.0, YEARS.1
                    ),
                );
                None
            }
        };

        let mut share = |column: &str| -> Option<f64> {
            let text = cell(column);
            if text.is_empty() {
                return None;
            }
            match text.replace(',', ".").parse::<f64>() {
                Ok(x) if x.is_finite() && (0.0..=1.0).contains(&x) => Some(x),
                Ok(_) => {
                    bad(column, format!("{text} — вне диапазона от 0 до 1"));
                    None
                }
                Err(_) => {
                    bad(column, format!("«{text}» — не число"));
                    None
                }
            }
        };
        let ior = share("ior");
        let isbsh = share("isbsh");
        let gia = share("gia");
        let vpr = share("vpr");
        let evening_share = share("evening_share");

        let flag = cell("advanced");
        let advanced = match flag.to_lowercase().as_str() {
            "" => None,
            "да" | "1" | "yes" | "true" => Some(true),
            "нет" | "0" | "no" | "false" => Some(false),
            _ => {
                bad(
                    "advanced",
                    format!("«{flag}» — нужно «да», «нет» или пусто"),
                );
                None
            }
        };

        if out.problems.len() > before {
            continue;
        }
        let (Some((school, school_name)), Some(year)) = (school, year) else {
            continue;
        };
        if let Some(first) = seen.insert((school, year), line) {
            out.problems.push(problem(
                line,
                None,
                format!("школа и год уже были в строке {first}"),
            ));
            continue;
        }
        out.rows.push(Row {
            line,
            school_name,
            indices: Indices {
                school,
                year,
                ior,
                isbsh,
                gia,
                vpr,
                evening_share,
                advanced,
            },
        });
    }
    if out.rows.is_empty() && out.problems.is_empty() {
        out.problems.push(problem(
            2,
            None,
            "в файле нет ни одной строки с данными".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schools() -> Vec<(Uuid, String)> {
        vec![
            (Uuid::from_u128(1), "МБОУ СОШ № 4".into()),
            (Uuid::from_u128(2), "МБОУ Лицей № 2".into()),
        ]
    }

    fn table(rows: &[&str]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.split(';').map(str::to_owned).collect())
            .collect()
    }

    const HEAD: &str = "school;year;ior;isbsh;gia;vpr;evening_share;advanced";

    #[test]
    fn reads_names_ids_commas_and_empty_cells() {
        let p = parse(
            &table(&[
                HEAD,
                "  мбоу  сош № 4 ;2024;0,412;0.5;;;;нет",
                "00000000-0000-0000-0000-000000000002;2024;0.7;0,61;0.8;0.5;0;Да",
                ";;;;;;;",
            ]),
            &schools(),
        );
        assert_eq!(p.problems, vec![]);
        assert_eq!(p.rows.len(), 2);
        let a = &p.rows[0];
        assert_eq!((a.line, a.school_name.as_str()), (2, "МБОУ СОШ № 4"));
        assert_eq!(a.indices.ior, Some(0.412));
        assert_eq!(a.indices.gia, None);
        assert_eq!(a.indices.advanced, Some(false));
        let b = &p.rows[1];
        assert_eq!(b.indices.school, Uuid::from_u128(2));
        assert_eq!(b.indices.advanced, Some(true));
        assert_eq!(b.indices.evening_share, Some(0.0));
    }

    #[test]
    fn names_every_bad_row_and_column() {
        let p = parse(
            &table(&[
                HEAD,
                "МБОУ СОШ № 9;2024;0.4;0.5;;;;",
                "МБОУ СОШ № 4;20x4;1.2;abc;;;;может быть",
                "МБОУ СОШ № 4;2023;0.4;0.5;;;;",
                "мбоу сош № 4;2023;0.4;0.5;;;;",
            ]),
            &schools(),
        );
        let got: Vec<_> = p
            .problems
            .iter()
            .map(|p| (p.row, p.column.clone().unwrap_or_default()))
            .collect();
        let want: Vec<(usize, String)> = [
            (2, "school"),
            (3, "year"),
            (3, "ior"),
            (3, "isbsh"),
            (3, "advanced"),
            (5, ""),
        ]
        .iter()
        .map(|(r, c)| (*r, (*c).to_owned()))
        .collect();
        assert_eq!(got, want);
        assert!(!p.is_clean());
        assert!(
            p.problems[0]
                .describe()
                .contains("Строка 2, столбец school")
        );
    }

    #[test]
    fn the_header_must_name_every_column_once() {
        let p = parse(
            &table(&["school;year;ior;isbsh;gia;vpr;evening;advanced;ior"]),
            &schools(),
        );
        let columns: Vec<_> = p.problems.iter().filter_map(|p| p.column.clone()).collect();
        assert_eq!(columns, vec!["evening", "ior", "evening_share"]);
        assert!(p.problems.iter().all(|p| p.row == 1));
        assert!(!parse(&[], &schools()).is_clean());
        assert!(!parse(&table(&[HEAD]), &schools()).is_clean());
    }

    #[test]
    fn two_schools_of_one_name_need_an_id() {
        let mut s = schools();
        s.push((Uuid::from_u128(3), "МБОУ СОШ №  4".into()));
        let p = parse(&table(&[HEAD, "МБОУ СОШ № 4;2024;0.4;;;;;"]), &s);
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].message.contains("несколько школ"));
    }

    #[test]
    fn columns_may_be_headed_by_their_russian_names() {
        let p = parse(
            &table(&[
                "Школа;Год;ИОР;ИСБШ;ГИА;ВПР;Доля вечерней формы;Повышенный уровень",
                "МБОУ СОШ № 4;2024;0,4;;;;;да",
                "МБОУ Лицей № 2;2024;1,4;;;;;",
            ]),
            &schools(),
        );
        assert_eq!(p.rows.len(), 1, "{:?}", p.problems);
        assert_eq!(p.rows[0].indices.advanced, Some(true));
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert!(
            p.problems[0]
                .describe()
                .starts_with("Строка 3, столбец ior («ИОР»)"),
            "{}",
            p.problems[0].describe()
        );
    }

    /// The sample file lists every school and year with empty indices: uploaded as it is, it
    /// would blank every stored value.
    #[test]
    fn a_row_with_no_index_is_refused() {
        let p = parse(&table(&[HEAD, "МБОУ СОШ № 4;2024;;;;;;"]), &schools());
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(
            (p.problems[0].row, p.problems[0].column.as_deref()),
            (2, None)
        );
        assert!(p.problems[0].message.contains("нет ни одного показателя"));
        assert!(!p.is_clean());
    }
}
