//! The demo's regional indices (002 §II): the rest of the municipality's schools (those without
//! accounts in the demo) and three years of ИОР, ИСБШ, ГИА and ВПР results, evening-student
//! shares and the advanced level of every school, as the regional assessment centre would send
//! them, entered by the head each autumn — so the classification page shows every type, stably
//! high and low results, each risk group, a few "нет данных" and flags to confirm. Written
//! through the same batch step as every device's edits; the years are relative to today. The
//! figures are fictional.
//!
//! Also the quarterly monitoring (003): the head sends the form «Итоги четверти» after every
//! period of the last three school years, and the ШНОР whose team has an account in the demo
//! reports each time, its results slowly rising.

use model::forms::{self, answer::iso_day};
use model::monitoring::classification::Indices;
use model::monitoring::quarters as q;
use model::monitoring::{self as m};
use model::record::Scope;
use model::{Locality, UserProfile};
use serde_json::{Value, json};
use uuid::Uuid;

use super::desk::{Desk, days_ago, id_at};
use crate::storage::{Db, now_ms};

/// Schools of the demo municipality that have no accounts in the demo.
pub const OTHER_SCHOOLS: [(&str, Locality); 11] = [
    ("МБОУ СОШ № 3 ст. Речная", Locality::Rural),
    ("МБОУ СОШ № 5 с. Покровское", Locality::Rural),
    (
        "МБОУ СОШ № 6 с углублённым изучением отдельных предметов г. Светлоречье",
        Locality::Urban,
    ),
    ("МБОУ СОШ № 8 с. Васильевка", Locality::Rural),
    ("МБОУ СОШ № 10 г. Светлоречье", Locality::Urban),
    ("МБОУ СОШ № 11 ст. Андреевская", Locality::Rural),
    (
        "МБОУ центр образования № 14 г. Светлоречье",
        Locality::Urban,
    ),
    ("МБОУ СОШ № 16 пос. Солнечный", Locality::Rural),
    ("МБОУ ООШ № 17 х. Степной", Locality::Rural),
    ("МБОУ СОШ № 19 с. Дубки", Locality::Rural),
    ("МБОУ ООШ № 21 х. Красный", Locality::Rural),
];

/// (school, advanced level, ИОР and ИСБШ for the years Y−2, Y−1, Y, then for Y: ГИА, ВПР,
/// the share of evening students). `None`: the centre sent no figure.
type Figures = (
    &'static str,
    bool,
    [f64; 3],
    [f64; 3],
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

const FIGURES: [Figures; 16] = [
    // Stably low, ineffective: ШНОР.
    (
        "МБОУ СОШ № 4 х. Ольховый",
        false,
        [0.341, 0.329, 0.336],
        [0.50, 0.51, 0.52],
        Some(0.58),
        Some(0.49),
        Some(0.0),
    ),
    // Stably low, not coping: ШНОР and ШССУ.
    (
        "МБОУ ООШ № 12 с. Заречное",
        false,
        [0.298, 0.305, 0.312],
        [0.27, 0.28, 0.28],
        Some(0.52),
        Some(0.44),
        Some(0.0),
    ),
    // Not coping on the social side only: ШССУ.
    (
        "МБОУ СОШ № 7 пос. Каменный Брод",
        false,
        [0.402, 0.395, 0.410],
        [0.26, 0.25, 0.25],
        Some(0.63),
        Some(0.55),
        Some(0.0),
    ),
    // Effective, stably high: mentor schools.
    (
        "МАОУ гимназия № 2 г. Светлоречье",
        true,
        [0.710, 0.720, 0.735],
        [0.80, 0.81, 0.81],
        Some(0.93),
        Some(0.86),
        Some(0.0),
    ),
    (
        "МБОУ лицей № 1 г. Светлоречье",
        true,
        [0.690, 0.700, 0.680],
        [0.77, 0.78, 0.78],
        Some(0.91),
        Some(0.84),
        Some(0.0),
    ),
    // Effective.
    (
        "МБОУ СОШ № 3 ст. Речная",
        false,
        [0.505, 0.512, 0.520],
        [0.60, 0.61, 0.61],
        Some(0.78),
        Some(0.70),
        Some(0.0),
    ),
    // Resilient.
    (
        "МБОУ СОШ № 5 с. Покровское",
        false,
        [0.470, 0.482, 0.488],
        [0.40, 0.41, 0.41],
        Some(0.74),
        Some(0.66),
        Some(0.0),
    ),
    // An advanced school whose ИОР is below the municipality's mean.
    (
        "МБОУ СОШ № 6 с углублённым изучением отдельных предметов г. Светлоречье",
        true,
        [0.530, 0.490, 0.462],
        [0.66, 0.66, 0.66],
        Some(0.76),
        Some(0.69),
        Some(0.0),
    ),
    // Ineffective, with ГИА and ВПР results far apart.
    (
        "МБОУ СОШ № 8 с. Васильевка",
        false,
        [0.431, 0.425, 0.428],
        [0.55, 0.55, 0.55],
        Some(0.78),
        Some(0.49),
        Some(0.0),
    ),
    // Effective, stably high: the 4th quartile in each of the three years.
    (
        "МБОУ СОШ № 10 г. Светлоречье",
        false,
        [0.600, 0.640, 0.650],
        [0.72, 0.72, 0.72],
        Some(0.88),
        Some(0.80),
        Some(0.0),
    ),
    // Effective, with a few evening students: when most schools have none, any share above
    // 0 is in the 4th quartile of the share (002 §II), so the school is in that risk group.
    (
        "МБОУ СОШ № 11 ст. Андреевская",
        false,
        [0.498, 0.500, 0.505],
        [0.58, 0.58, 0.58],
        Some(0.77),
        Some(0.71),
        Some(0.04),
    ),
    // Many evening (очно-заочная) students.
    (
        "МБОУ центр образования № 14 г. Светлоречье",
        false,
        [0.440, 0.447, 0.445],
        [0.45, 0.45, 0.45],
        Some(0.61),
        Some(0.56),
        Some(0.22),
    ),
    // Resilient, rising into the 4th quartile.
    (
        "МБОУ СОШ № 16 пос. Солнечный",
        false,
        [0.480, 0.560, 0.610],
        [0.31, 0.31, 0.31],
        Some(0.84),
        Some(0.77),
        Some(0.0),
    ),
    // A small school the centre has few figures for.
    (
        "МБОУ ООШ № 17 х. Степной",
        false,
        [0.380, 0.352, 0.351],
        [0.33, 0.33, 0.33],
        None,
        None,
        None,
    ),
    // Unstable results over the three years.
    (
        "МБОУ СОШ № 19 с. Дубки",
        false,
        [0.580, 0.360, 0.436],
        [0.38, 0.38, 0.38],
        Some(0.66),
        Some(0.59),
        Some(0.0),
    ),
    (
        "МБОУ ООШ № 21 х. Красный",
        false,
        [0.362, 0.370, 0.372],
        [0.43, 0.43, 0.43],
        Some(0.55),
        Some(0.50),
        None,
    ),
];

/// The year the latest indices are for: the last one the regional centre has published.
pub fn latest_year() -> i32 {
    let today = model::forms::answer::iso_day(now_ms() as u64);
    today[..4].parse::<i32>().unwrap_or(2026) - 1
}

pub async fn load(db: &Db, head: &UserProfile, schools: &[(Uuid, &str)]) -> anyhow::Result<()> {
    let mut desk = Desk::new(db, head, "monitoring").await?;
    let last = latest_year();
    for (i, year) in (last - 2..=last).enumerate() {
        // The regional centre publishes a year's indices in the autumn of the next one.
        let ago = days_ago(&format!("{:04}-10-01", year + 1)).max(1);
        let source = format!(
            "ГБУ «Региональный центр оценки качества образования», индексы за {year} год \
             (демонстрационные данные)"
        );
        for (name, advanced, ior, isbsh, gia, vpr, evening) in FIGURES {
            let (id, _) = schools
                .iter()
                .find(|(_, n)| *n == name)
                .ok_or_else(|| anyhow::anyhow!("demo school {name}"))?;
            let latest = i == 2;
            let row = Indices {
                school: *id,
                year,
                ior: Some(ior[i]),
                isbsh: Some(isbsh[i]),
                gia: if latest { gia } else { gia.map(|g| g - 0.02) },
                vpr: if latest { vpr } else { vpr.map(|v| v - 0.01) },
                evening_share: evening,
                advanced: Some(advanced),
            };
            desk.write(
                ago,
                (
                    m::indices_id(*id, i64::from(year)),
                    m::KIND,
                    &Scope::School(*id),
                    None,
                ),
                &m::fields_of(&row, &source),
            )
            .await?;
        }
    }
    Ok(())
}

/// (period, month and day of the report's deadline, in the school year's second calendar year
/// unless the month is from September on).
const PERIOD_DEADLINES: [(&str, u8, u8); 5] = [
    ("q1", 11, 10),
    ("q2", 1, 15),
    ("q3", 4, 5),
    ("q4", 6, 5),
    ("year", 6, 20),
];

/// The head sends «Итоги четверти» after each period of the last three school years that has
/// ended; `team` (of `school`) reports each time.
pub async fn load_quarters(
    db: &Db,
    head: &UserProfile,
    team: &UserProfile,
    school: Uuid,
) -> anyhow::Result<()> {
    let template = crate::forms::builtin(q::TEMPLATE)
        .ok_or_else(|| anyhow::anyhow!("no built-in {}", q::TEMPLATE))?;
    let today = iso_day(now_ms() as u64);
    let current = q::school_year_of(&today);
    let mut centre = Desk::new(db, head, "quarters").await?;
    let mut desk = Desk::new(db, team, "quarters").await?;
    let scope = Scope::School(school);
    let mut k = 0u32;
    for school_year in current - 2..=current {
        for (period, pm, pd) in PERIOD_DEADLINES {
            let y = if pm >= 9 {
                school_year
            } else {
                school_year + 1
            };
            let deadline = format!("{y:04}-{pm:02}-{pd:02}");
            let ago = days_ago(&deadline);
            if deadline >= today || ago < 4 {
                continue;
            }
            let label = q::PERIODS
                .iter()
                .find(|(id, _)| *id == period)
                .map_or(period, |(_, l)| l);
            let campaign = id_at(ago + 14, k as u8);
            centre
                .write(
                    ago + 14,
                    (campaign, forms::CAMPAIGN_KIND, &Scope::Centre, None),
                    &[
                        (
                            "title",
                            json!(format!(
                                "Итоги периода: {label} {school_year}/{:02}",
                                (school_year + 1) % 100
                            )),
                        ),
                        ("template", json!(template.code)),
                        ("version", json!(template.version)),
                        ("deadline", json!(deadline)),
                        ("schools", json!([school])),
                        ("roles", json!(["school_team"])),
                    ],
                )
                .await?;
            // Results rising slowly, with a dip in the third quarter of each year.
            let dip = u32::from(period == "q3") * 2;
            let counts = |pupils: u32, pass: u32, good: u32| {
                let passed = (pupils * (pass + k - dip) / 100).min(pupils);
                let good = (pupils * (good + k - dip) / 100).min(passed);
                let at_risk = pupils - passed + 2;
                [pupils, passed, good, at_risk]
            };
            let mut fields: Vec<(String, Value)> = vec![
                (forms::F_CAMPAIGN.to_owned(), json!(campaign)),
                (forms::F_TEMPLATE.to_owned(), json!(template.code)),
                (forms::F_VERSION.to_owned(), json!(template.version)),
                (forms::answer_field(q::Q_SCHOOL_YEAR), json!(school_year)),
                (forms::answer_field(q::Q_PERIOD), json!(period)),
                (
                    forms::answer_field("changes"),
                    json!(if k == 0 {
                        "Первый отчёт по новой форме."
                    } else {
                        "Проведены дополнительные занятия по математике и русскому языку для \
                         обучающихся под риском неуспеваемости; наставник посетил уроки в 7-х классах."
                    }),
                ),
            ];
            for (row, c) in [
                ("noo", counts(48, 86, 30)),
                ("ooo", counts(96, 80, 14)),
                ("soo", counts(22, 88, 18)),
            ] {
                for (col, v) in ["pupils", "passed", "good", "at_risk"].iter().zip(c) {
                    fields.push((forms::cell_field(q::Q_LEVELS, row, col), json!(v)));
                }
            }
            fields.push((forms::F_STATUS.to_owned(), json!("submitted")));
            let fields: Vec<(&str, Value)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            desk.write(
                ago + 3,
                (
                    forms::response_id(campaign, &scope),
                    forms::RESPONSE_KIND,
                    &scope,
                    None,
                ),
                &fields,
            )
            .await?;
            k += 1;
        }
    }
    Ok(())
}
