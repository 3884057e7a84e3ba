//! A demo municipality to try the product with: fictional schools and people, one account per
//! role (and a leader for each of three schools), the diagnostics under way (`demo/forms.rs`)
//! with the leaders' tests, recommendations and deficit plans (`demo/leader_tests.rs`), their school support (`demo/support.rs`), the centre's plan of work with the
//! programme's indicators (`demo/workplan.rs`) and three years of the regional indices of every
//! school of the municipality (`demo/monitoring.rs`). Loaded on first start by `nastavnik serve --demo`
//! and by `nastavnik demo`; `nastavnik demo --reset` loads it afresh. All of it is fictional.

mod desk;
mod forms;
mod leader_tests;
mod monitoring;
mod practices;
mod reserve;
mod support;
mod workplan;

use model::{Locality, NewSchool, NewUser, Role};

use crate::auth::hash_password;
use crate::storage::Db;

/// The password of every demo account (printed at start; for trials only).
pub const DEMO_PASSWORD: &str = "nastavnik2026";
pub const DEMO_MUNICIPALITY: &str = "Светлоречный муниципальный округ";

/// One demo account, for printing.
pub struct DemoLogin {
    pub login: &'static str,
    pub role: Role,
    pub full_name: &'static str,
}

struct DemoSchool {
    name: &'static str,
    locality: Locality,
    low_results: bool,
    hard_conditions: bool,
    mentor_school: bool,
}

const SCHOOLS: [DemoSchool; 5] = [
    DemoSchool {
        name: "МБОУ СОШ № 4 х. Ольховый",
        locality: Locality::Rural,
        low_results: true,
        hard_conditions: false,
        mentor_school: false,
    },
    DemoSchool {
        name: "МБОУ ООШ № 12 с. Заречное",
        locality: Locality::Rural,
        low_results: true,
        hard_conditions: true,
        mentor_school: false,
    },
    DemoSchool {
        name: "МБОУ СОШ № 7 пос. Каменный Брод",
        locality: Locality::Rural,
        low_results: false,
        hard_conditions: true,
        mentor_school: false,
    },
    DemoSchool {
        name: "МАОУ гимназия № 2 г. Светлоречье",
        locality: Locality::Urban,
        low_results: false,
        hard_conditions: false,
        mentor_school: true,
    },
    DemoSchool {
        name: "МБОУ лицей № 1 г. Светлоречье",
        locality: Locality::Urban,
        low_results: false,
        hard_conditions: false,
        mentor_school: true,
    },
];

/// (login, full name, role, index of the own school, indexes of assigned schools)
type DemoUser = (
    &'static str,
    &'static str,
    Role,
    Option<usize>,
    &'static [usize],
);

const USERS: [DemoUser; 8] = [
    (
        "rukovoditel",
        "Соколова Марина Петровна",
        Role::Head,
        None,
        &[],
    ),
    (
        "moderator",
        "Ким Артём Сергеевич",
        Role::Moderator,
        None,
        &[],
    ),
    (
        "nastavnik",
        "Белова Ирина Васильевна",
        Role::Mentor,
        None,
        &[0, 1],
    ),
    (
        "kurator",
        "Гаврилов Олег Игоревич",
        Role::Curator,
        None,
        &[1, 2],
    ),
    (
        "shkola",
        "Лебедева Татьяна Андреевна",
        Role::SchoolTeam,
        Some(0),
        &[],
    ),
    (
        "shkola2",
        "Фомина Елена Викторовна",
        Role::SchoolTeam,
        Some(1),
        &[],
    ),
    (
        "shkola3",
        "Руденко Павел Алексеевич",
        Role::SchoolTeam,
        Some(2),
        &[],
    ),
    (
        "pedagog",
        "Орлов Денис Николаевич",
        Role::Teacher,
        Some(0),
        &[],
    ),
];

/// How many schools the demo municipality has.
pub fn school_count() -> usize {
    SCHOOLS.len() + monitoring::OTHER_SCHOOLS.len()
}

/// Loads the demo municipality into an empty database. Returns `None` (and changes nothing)
/// when the database already has users.
pub async fn load(db: &Db) -> anyhow::Result<Option<Vec<DemoLogin>>> {
    if db.user_count().await? > 0 {
        return Ok(None);
    }
    let mut school_ids = Vec::new();
    for s in &SCHOOLS {
        let school = db
            .insert_school(
                &NewSchool {
                    name: s.name.into(),
                    municipality: DEMO_MUNICIPALITY.into(),
                    locality: s.locality,
                    low_results: s.low_results,
                    hard_conditions: s.hard_conditions,
                    mentor_school: s.mentor_school,
                }
                .validated()?,
            )
            .await?;
        school_ids.push(school.id);
    }
    let mut named: Vec<(uuid::Uuid, &str)> = SCHOOLS
        .iter()
        .zip(&school_ids)
        .map(|(s, id)| (*id, s.name))
        .collect();
    for (name, locality) in monitoring::OTHER_SCHOOLS {
        let school = db
            .insert_school(
                &NewSchool {
                    name: name.into(),
                    municipality: DEMO_MUNICIPALITY.into(),
                    locality,
                    low_results: false,
                    hard_conditions: false,
                    mentor_school: false,
                }
                .validated()?,
            )
            .await?;
        named.push((school.id, name));
    }
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut logins = Vec::new();
    let mut profiles = Vec::new();
    for (login, full_name, role, school, assigned) in USERS {
        let user = NewUser {
            login: login.into(),
            full_name: full_name.into(),
            role,
            school_id: school.map(|i| school_ids[i]),
            password: DEMO_PASSWORD.into(),
        }
        .validated()?;
        let profile = db
            .insert_user(&user, &hash)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo login {login} already taken"))?;
        for &i in assigned {
            db.assign(profile.id, school_ids[i]).await?;
        }
        logins.push(DemoLogin {
            login,
            role,
            full_name,
        });
        profiles.push(profile);
    }
    let by_login = |login: &str| {
        profiles
            .iter()
            .find(|p| p.login == login)
            .ok_or_else(|| anyhow::anyhow!("demo user {login}"))
    };
    support::load(
        db,
        support::People {
            head: by_login("rukovoditel")?,
            mentor: by_login("nastavnik")?,
            curator: by_login("kurator")?,
            team: by_login("shkola")?,
        },
        &school_ids,
    )
    .await?;
    workplan::load(
        db,
        support::People {
            head: by_login("rukovoditel")?,
            mentor: by_login("nastavnik")?,
            curator: by_login("kurator")?,
            team: by_login("shkola")?,
        },
    )
    .await?;
    let sent = forms::load(
        db,
        &forms::People {
            head: by_login("rukovoditel")?,
            mentor: by_login("nastavnik")?,
            curator: by_login("kurator")?,
            leaders: [
                by_login("shkola")?,
                by_login("shkola2")?,
                by_login("shkola3")?,
            ],
        },
        &school_ids[..3],
    )
    .await?;
    let materials = practices::load(
        db,
        by_login("moderator")?,
        by_login("rukovoditel")?,
        &school_ids,
    )
    .await?;
    leader_tests::load(
        db,
        &materials,
        by_login("nastavnik")?,
        [
            by_login("shkola")?,
            by_login("shkola2")?,
            by_login("shkola3")?,
        ],
        sent.leader_test,
    )
    .await?;
    monitoring::load(db, by_login("rukovoditel")?, &named).await?;
    reserve::load(
        db,
        by_login("rukovoditel")?,
        [
            by_login("shkola")?,
            by_login("shkola2")?,
            by_login("shkola3")?,
        ],
        &school_ids,
    )
    .await?;

    monitoring::load_quarters(
        db,
        by_login("rukovoditel")?,
        by_login("shkola")?,
        school_ids[0],
    )
    .await?;
    db.audit(
        None,
        "demo.load",
        &serde_json::json!({ "municipality": DEMO_MUNICIPALITY }),
    )
    .await?;
    Ok(Some(logins))
}

/// Refuses a reset when the database has any account that is not the demo's: a reset would
/// delete their work.
pub async fn check_resettable(db: &Db) -> anyhow::Result<()> {
    let foreign: Vec<String> = db
        .list_users()
        .await?
        .into_iter()
        .map(|u| u.profile.login)
        .filter(|l| !USERS.iter().any(|(demo, ..)| demo == l))
        .collect();
    if !foreign.is_empty() {
        anyhow::bail!(
            "в базе есть учётные записи не из демонстрации ({}): сброс удалил бы их данные. \
             Ничего не изменено",
            foreign.join(", ")
        );
    }
    Ok(())
}

/// Does the database hold the demo and nothing else (so the app says its data are fictional)?
pub async fn is_demo(db: &Db) -> Result<bool, sqlx::Error> {
    let logins: Vec<&str> = USERS.iter().map(|(l, ..)| *l).collect();
    Ok(db.user_count().await? > 0 && db.users_other_than(&logins).await? == 0)
}

/// Deletes everything and loads the demo again, with its dates from today. Refuses (and changes
/// nothing) when the database has any account that is not the demo's.
pub async fn reset(db: &Db) -> anyhow::Result<Vec<DemoLogin>> {
    check_resettable(db).await?;
    db.wipe().await?;
    db.audit(None, "demo.reset", &serde_json::json!({})).await?;
    load(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("после очистки в базе остались пользователи"))
}

/// The text printed after loading: every login with its role and the common password.
pub fn describe(logins: &[DemoLogin]) -> String {
    let mut out = format!(
        "Загружен демонстрационный муниципалитет «{DEMO_MUNICIPALITY}». \
         Все школы, люди и данные в нём вымышлены.\n\
         Учётные записи (пароль у всех: {DEMO_PASSWORD}):\n"
    );
    for l in logins {
        out.push_str(&format!(
            "  {:<12} {} — {}\n",
            l.login,
            l.role.label(),
            l.full_name
        ));
    }
    out
}
