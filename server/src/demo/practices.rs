//! The demo's bank of practices (002 §4.5): a dozen materials the moderator and the head
//! published over the year — practices of the municipality's strong schools, typical management
//! decisions, methodical materials, a normative document — each aimed at risk factors and
//! competency areas, several with files (spreadsheets made here, so they open in Excel), and
//! two drafts. School 0 finds its own factors and deficits among them («подходит вам»).

use model::UserProfile;
use model::files;
use model::practices as p;
use model::record::Scope;
use rust_xlsxwriter::Workbook;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::desk::{Desk, id_at};
use crate::storage::Db;

/// A spreadsheet to attach: its name, the heading and the rows.
type Sheet = (
    &'static str,
    &'static [&'static str],
    &'static [&'static [&'static str]],
);

struct Material {
    days_ago: u64,
    title: &'static str,
    kind: &'static str,
    summary: &'static str,
    /// The index of the demo school it comes from, if one.
    school: Option<usize>,
    source: &'static str,
    factors: &'static [&'static str],
    areas: &'static [&'static str],
    published: bool,
    /// A spreadsheet attached to it.
    file: Option<Sheet>,
}

const MATERIALS: [Material; 13] = [
    Material {
        days_ago: 200,
        title: "Школьная служба медиации: меньше конфликтов, спокойнее уроки",
        kind: "practice",
        summary: "Гимназия создала службу медиации из педагогов и старшеклассников: конфликты \
                  разбираются в день обращения по единому порядку, родители приглашаются на \
                  восстановительные встречи. За год число обращений к администрации по поводу \
                  конфликтов снизилось вдвое, на уроках стало меньше нарушений дисциплины.\n\n\
                  В материале: положение о службе, порядок проведения встречи, план внедрения на \
                  учебный год.",
        school: Some(3),
        source: "",
        factors: &["environment", "discipline"],
        areas: &["upbringing"],
        published: true,
        file: Some((
            "План внедрения службы медиации.xlsx",
            &["Мероприятие", "Срок", "Ответственный", "Результат"],
            &[
                &[
                    "Приказ о создании службы медиации",
                    "сентябрь",
                    "директор",
                    "приказ",
                ],
                &[
                    "Обучение куратора службы",
                    "сентябрь–октябрь",
                    "заместитель директора по ВР",
                    "удостоверение",
                ],
                &[
                    "Отбор и обучение медиаторов из 8–10 классов",
                    "октябрь",
                    "куратор службы",
                    "12 медиаторов",
                ],
                &[
                    "Информирование родителей",
                    "октябрь",
                    "классные руководители",
                    "протоколы собраний",
                ],
                &[
                    "Запуск приёма обращений",
                    "ноябрь",
                    "куратор службы",
                    "журнал обращений",
                ],
                &[
                    "Анализ работы за полугодие",
                    "январь",
                    "куратор службы",
                    "справка",
                ],
            ],
        )),
    },
    Material {
        days_ago: 180,
        title: "Родительский университет в сельской школе",
        kind: "practice",
        summary: "Раз в месяц школа проводит для родителей короткие встречи по вечерам: как \
                  помочь с домашним заданием, как читать электронный журнал, как выбрать \
                  экзамены. Темы выбирают сами родители по опросу; для тех, кто работает \
                  вахтой, встреча записывается. Посещаемость собраний выросла с 30 до 65 %.",
        school: Some(4),
        source: "",
        factors: &["parents", "motivation"],
        areas: &["upbringing"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 160,
        title: "Типовое положение о внутренней системе оценки качества образования",
        kind: "decision",
        summary: "Положение о ВСОКО для школы с низкими результатами: что оценивается, кто и \
                  когда собирает данные, как результаты обсуждаются на педсовете и превращаются \
                  в решения. Подходит для доработки под школу: разделы, которые надо заполнить \
                  своими данными, отмечены.",
        school: None,
        source: "Муниципальный наставнический центр",
        factors: &["failure", "adaptivity"],
        areas: &["vsoko", "law"],
        published: true,
        file: Some((
            "Циклограмма ВСОКО.xlsx",
            &["Что оценивается", "Как", "Когда", "Кто", "Где обсуждается"],
            &[
                &[
                    "Предметные результаты",
                    "входные, полугодовые и итоговые работы",
                    "сентябрь, декабрь, май",
                    "руководители ШМО",
                    "педсовет",
                ],
                &[
                    "Результаты ВПР",
                    "анализ по заданиям",
                    "май–июнь",
                    "заместитель директора по УР",
                    "методический совет",
                ],
                &[
                    "Качество уроков",
                    "посещение уроков по единой карте",
                    "ежемесячно",
                    "администрация",
                    "совещание при директоре",
                ],
                &[
                    "Удовлетворённость родителей",
                    "анкетирование",
                    "апрель",
                    "социальный педагог",
                    "управляющий совет",
                ],
            ],
        )),
    },
    Material {
        days_ago: 150,
        title: "Типовой план работы с обучающимися с рисками учебной неуспешности",
        kind: "decision",
        summary: "Как выявить учеников группы риска по итогам первой четверти, закрепить за \
                  каждым учителя-куратора, составить индивидуальный маршрут и проверять его раз \
                  в месяц. План рассчитан на школу, где учителей мало и каждый ведёт несколько \
                  предметов.",
        school: None,
        source: "Муниципальный наставнический центр",
        factors: &["failure", "motivation"],
        areas: &["process"],
        published: true,
        file: Some((
            "План работы с обучающимися группы риска.xlsx",
            &["Шаг", "Срок", "Ответственный"],
            &[
                &[
                    "Список обучающихся группы риска по итогам четверти",
                    "неделя после четверти",
                    "классные руководители",
                ],
                &[
                    "Закрепление учителей-кураторов",
                    "две недели",
                    "заместитель директора по УР",
                ],
                &["Индивидуальные маршруты", "месяц", "учителя-кураторы"],
                &[
                    "Проверка продвижения",
                    "ежемесячно",
                    "заместитель директора по УР",
                ],
            ],
        )),
    },
    Material {
        days_ago: 140,
        title: "Наставничество «учитель — учитель» для молодых педагогов",
        kind: "method",
        summary: "Методические рекомендации: как подобрать пару, что наставник и молодой \
                  педагог делают в первый месяц, в первую четверть и за год, как \
                  администрация видит результат. Помогает удержать молодых учителей в школе, где \
                  их не хватает.",
        school: Some(4),
        source: "",
        factors: &["staff_shortage", "competence", "inservice"],
        areas: &["personnel"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 120,
        title: "Методические четверги: повышение квалификации внутри школы",
        kind: "practice",
        summary: "Каждый второй четверг учителя показывают друг другу фрагменты уроков и \
                  разбирают их по единой карте наблюдения. Темы — из анализа ВПР и посещений \
                  уроков. Внешние курсы дополняются, а не заменяются.",
        school: Some(3),
        source: "",
        factors: &["inservice", "competence"],
        areas: &["personnel", "process"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 100,
        title: "Сетевая форма реализации программ при нехватке учителей",
        kind: "decision",
        summary: "Типовое решение: договор о сетевой форме с соседней школой или колледжем, \
                  учебный план с сетевыми часами, расписание с дистанционными уроками. \
                  Закрывает часы предметов, на которые нет учителя, без совместительства на \
                  пределе сил.",
        school: None,
        source: "Муниципальный наставнический центр",
        factors: &["staff_shortage", "equipment"],
        areas: &["law", "process"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 80,
        title: "Анализ результатов ВПР для корректировки рабочих программ",
        kind: "method",
        summary: "Пошаговый разбор: как по результатам ВПР найти темы, которые не освоены в \
                  классе, и внести их в рабочую программу следующего года. Приложен шаблон \
                  таблицы анализа по заданиям.",
        school: None,
        source: "Муниципальный наставнический центр",
        factors: &["failure", "adaptivity", "competence"],
        areas: &["vsoko", "process"],
        published: true,
        file: Some((
            "Шаблон анализа ВПР.xlsx",
            &[
                "Задание",
                "Проверяемое умение",
                "Выполнили, %",
                "Тема для повторения",
                "Когда",
            ],
            &[
                &["1", "Вычисления с рациональными числами", "", "", ""],
                &["2", "Решение текстовых задач", "", "", ""],
                &["3", "Работа с диаграммами", "", "", ""],
            ],
        )),
    },
    Material {
        days_ago: 60,
        title: "Управленческая команда: распределение зон ответственности",
        kind: "practice",
        summary: "Как директор небольшой школы распределил направления между заместителями и \
                  руководителями ШМО, закрепил это приказом и ввёл еженедельную планёрку на 30 \
                  минут. Пример матрицы ответственности.",
        school: Some(4),
        source: "",
        factors: &[],
        areas: &["team", "strategy"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 45,
        title: "Проектная деятельность в 5–9 классах как средство учебной мотивации",
        kind: "method",
        summary: "Короткие проекты на 3–4 недели, связанные с жизнью посёлка: исследования, \
                  социальные акции, встречи с работодателями. Как встроить их в расписание и \
                  оценивать.",
        school: Some(3),
        source: "",
        factors: &["motivation"],
        areas: &["process", "upbringing"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 30,
        title: "Нормативная база наставничества в образовательной организации",
        kind: "normative",
        summary: "Перечень документов, на которые опирается школьная программа наставничества, \
                  и что в них важно для директора: положение о наставничестве, приказ о \
                  закреплении пар, формы отчётности.",
        school: None,
        source: "Управление образования",
        factors: &["staff_shortage"],
        areas: &["law", "personnel"],
        published: true,
        file: None,
    },
    Material {
        days_ago: 10,
        title: "Порядок работы муниципального наставнического центра (проект)",
        kind: "normative",
        summary: "Проект порядка: этапы сопровождения школ, сроки, формы отчётности.",
        school: None,
        source: "Муниципальный наставнический центр",
        factors: &[],
        areas: &["strategy"],
        published: false,
        file: None,
    },
    Material {
        days_ago: 5,
        title: "Языковая адаптация детей-билингвов",
        kind: "practice",
        summary: "Черновик: опыт занятий по русскому языку для детей, для которых он не родной.",
        school: None,
        source: "",
        factors: &["language"],
        areas: &["upbringing"],
        published: false,
        file: None,
    },
];

/// A spreadsheet with a heading row and rows.
pub(super) fn spreadsheet(heading: &[&str], rows: &[&[&str]]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in heading.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, 28)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A published material of the demo: its id and the competency areas it addresses (so the
/// mentor's recommendations can point to it).
pub struct Published {
    pub id: Uuid,
    pub areas: &'static [&'static str],
    pub days_ago: u64,
}

pub async fn load(
    db: &Db,
    moderator: &UserProfile,
    head: &UserProfile,
    schools: &[Uuid],
) -> anyhow::Result<Vec<Published>> {
    let mut published = Vec::new();
    let mut desk = Desk::new(db, moderator, "practices").await?;
    let mut head_desk = Desk::new(db, head, "practices").await?;
    for (n, m) in MATERIALS.iter().enumerate() {
        let id = id_at(m.days_ago, 40 + n as u8);
        let place = (id, p::MATERIAL_KIND, &Scope::Centre, None);
        let mut fields = vec![
            (p::F_TITLE, json!(m.title)),
            (p::F_TYPE, json!(m.kind)),
            (p::F_SUMMARY, json!(m.summary)),
            (p::F_FACTORS, json!(m.factors)),
            (p::F_AREAS, json!(m.areas)),
            (p::F_STATE, json!("draft")),
        ];
        if let Some(s) = m.school {
            fields.push((p::F_SCHOOL, json!(schools[s])));
        }
        if !m.source.is_empty() {
            fields.push((p::F_SOURCE, json!(m.source)));
        }
        // The head writes the centre's own normative drafts; the moderator everything else.
        let (writer, author) = if m.kind == "normative" && !m.published {
            (&mut head_desk, head.id)
        } else {
            (&mut desk, moderator.id)
        };
        writer.write(m.days_ago + 2, place, &fields).await?;
        if let Some((name, heading, rows)) = m.file {
            let bytes = spreadsheet(heading, rows)?;
            let sha256 = hex(&Sha256::digest(&bytes));
            for (i, piece) in bytes.chunks(files::MAX_CHUNK_BYTES as usize).enumerate() {
                // Sent by whoever attaches it: they hold it (see `model::files`).
                db.put_file_chunk(
                    author,
                    &sha256,
                    (
                        bytes.len() as u64,
                        (i * files::MAX_CHUNK_BYTES as usize) as u64,
                    ),
                    piece,
                    u64::MAX,
                )
                .await?;
            }
            let attachment = id_at(m.days_ago + 1, 60 + n as u8);
            writer
                .write(
                    m.days_ago + 1,
                    (attachment, files::ATTACHMENT_KIND, &Scope::Centre, Some(id)),
                    &[
                        (files::F_NAME, json!(name)),
                        (files::F_MIME, json!(files::mime_of(name))),
                        (files::F_SIZE, json!(bytes.len())),
                        (files::F_SHA256, json!(sha256)),
                    ],
                )
                .await?;
        }
        if m.published {
            writer
                .write(m.days_ago, place, &[(p::F_STATE, json!("published"))])
                .await?;
            published.push(Published {
                id,
                areas: m.areas,
                days_ago: m.days_ago,
            });
        }
    }
    Ok(published)
}
