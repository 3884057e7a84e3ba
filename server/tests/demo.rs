//! The demo municipality itself: a year of activity in every state (responses draft, sent,
//! returned and accepted; scored leader tests with different deficits; a deficit plan with
//! overdue items), and `nastavnik demo --reset`, which asks first, refuses on a database with
//! accounts of its own, and numbers its changes after the old ones so devices miss nothing.
//! (This file is about the demo; every other test makes its own data.)

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use model::forms::{self, Status, plan};
use model::record::Record;
use server::{Db, demo};

/// A folder for the test, with the address of its own new database in the file `url`.
async fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    std::fs::write(dir.path().join("url"), url).unwrap();
    dir
}

fn url(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("url")).unwrap()
}

/// Runs the real binary on the database, with `input` on its standard input.
fn nastavnik(dir: &tempfile::TempDir, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .args(args)
        .env("DATABASE_URL", url(dir))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn today() -> String {
    forms::answer::iso_day(server::storage::now_ms() as u64)
}

#[tokio::test]
async fn the_demo_has_every_state_of_the_work() {
    let dir = scratch().await;
    let db = Db::connect(&url(&dir)).await.unwrap();
    demo::load(&db).await.unwrap().expect("an empty database");
    let responses = db.all_records(forms::RESPONSE_KIND).await.unwrap();
    let states: BTreeSet<&str> = responses
        .iter()
        .map(|r| forms::status_of(r).as_str())
        .collect();
    for s in [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Accepted,
    ] {
        assert!(states.contains(s.as_str()), "no response {s:?}: {states:?}");
    }
    // The returned one carries the reviewer's comments.
    let reviews = db.all_records(forms::review::REVIEW_KIND).await.unwrap();
    assert!(reviews.iter().any(|r| {
        r.text(forms::review::F_VERDICT) == "returned"
            && r.fields
                .keys()
                .any(|k| k.starts_with(forms::review::COMMENT_PREFIX))
    }));
    // Three leaders' tests, scored by the server, each with deficits of its own.
    let results = db.all_records(forms::RESULT_KIND).await.unwrap();
    let deficits: BTreeSet<Vec<String>> = results.iter().map(deficit_areas).collect();
    assert_eq!(results.len(), 3);
    assert_eq!(deficits.len(), 3, "{deficits:?}");
    assert!(deficits.iter().all(|d| !d.is_empty()));
    // A deficit plan with items past their deadline, and one done.
    let items = db.all_records(plan::PLAN_ITEM_KIND).await.unwrap();
    let today = today();
    assert!(items.iter().filter(|i| plan::overdue(i, &today)).count() >= 2);
    assert!(items.iter().any(|i| i.text(plan::F_STATUS) == "done"));
    // Campaigns with deadlines gone and to come.
    let campaigns = db.all_records(forms::CAMPAIGN_KIND).await.unwrap();
    let deadlines: Vec<String> = campaigns
        .iter()
        .filter(|c| c.text("template") != "quarter_report")
        .map(|c| c.text("deadline"))
        .collect();
    assert!(deadlines.iter().any(|d| *d < today) && deadlines.iter().any(|d| *d > today));

    // A bank of practices: a dozen materials, drafts among them, files whose bytes are all on
    // the server (sent by whoever attached them, so they are given out), and materials that suit the first school (its programme's risk factors and
    // its leader's deficits).
    use model::practices as p;
    let materials = db.all_records(p::MATERIAL_KIND).await.unwrap();
    assert!(materials.len() >= 12);
    assert!(materials.iter().filter(|m| p::is_published(m)).count() >= 10);
    assert!(materials.iter().any(|m| !p::is_published(m)));
    let attachments = db.all_records(model::files::ATTACHMENT_KIND).await.unwrap();
    assert!(attachments.len() >= 3);
    for a in &attachments {
        let file = model::files::file_of(a).unwrap();
        let bytes = db
            .file_bytes(&file.sha256)
            .await
            .unwrap()
            .expect("uploaded");
        assert_eq!(bytes.len() as u64, file.size);
        assert!(bytes.starts_with(b"PK"), "a spreadsheet");
        assert!(
            db.holds_file(a.owner.expect("an author"), &file.sha256)
                .await
                .unwrap(),
            "{} is not given out",
            file.name
        );
    }
    let sections = db
        .all_records(model::support::programme::SECTION_KIND)
        .await
        .unwrap();
    let school = sections[0].scope.clone();
    let needs = p::needs_of(
        sections
            .iter()
            .chain(&results)
            .filter(|r| r.scope == school),
    );
    assert!(!needs.factors.is_empty() && !needs.areas.is_empty());
    assert!(materials.iter().filter(|m| needs.fit(m) > 0).count() >= 3);
    // The management reserve has a nominee at every stage, one appointed from the registry,
    // and a portfolio attached to a nomination.
    use model::reserve as rs;
    let candidates = db.all_records(rs::CANDIDATE_KIND).await.unwrap();
    let stages: BTreeSet<&str> = candidates
        .iter()
        .filter(|c| !c.is_deleted())
        .map(|c| rs::stage_of(c).as_str())
        .collect();
    for (s, _, _) in rs::STAGES {
        assert!(stages.contains(s.as_str()), "no nominee {s:?}");
    }
    assert!(
        candidates
            .iter()
            .any(|c| !c.text(rs::F_APPOINTED_ON).is_empty())
    );
    assert!(
        attachments
            .iter()
            .any(|a| candidates.iter().any(|c| Some(c.id) == a.parent))
    );
    // A draft withdrawn on one computer while another changed it awaits a decision, and only
    // the later change is what the deletion did not see.
    let undecided: Vec<_> = candidates
        .iter()
        .filter(|c| c.deletion_conflict())
        .collect();
    assert_eq!(undecided.len(), 1);
    let unseen: Vec<&str> = undecided[0]
        .unseen_by_deletion()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(unseen, [rs::F_POSITION]);
    let vacancies = db.all_records(rs::VACANCY_KIND).await.unwrap();
    assert!(vacancies.len() >= 3);
    assert!(vacancies.iter().any(|v| {
        candidates
            .iter()
            .any(|c| c.id.to_string() == v.text(rs::V_CANDIDATE))
    }));
    // The mentor's sent recommendation points to materials of the bank.
    let recommendations = db
        .all_records(forms::recommendation::RECOMMENDATION_KIND)
        .await
        .unwrap();
    assert!(recommendations.iter().any(|r| {
        r.text(forms::recommendation::F_STATE) == "sent"
            && p::linked(r)
                .iter()
                .all(|id| materials.iter().any(|m| m.id == *id && p::is_published(m)))
            && !p::linked(r).is_empty()
    }));
}

fn deficit_areas(result: &Record) -> Vec<String> {
    result
        .get("areas")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter(|a| a["level"] == "deficit")
        .filter_map(|a| a["area"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_reset_asks_first_refuses_foreign_accounts_and_keeps_the_numbering() {
    let dir = scratch().await;
    let out = nastavnik(&dir, &["demo"], "");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("вымышлены"), "{stdout}");
    // The command closed the database: on SQLite its file is whole, with no log left beside it.
    if let Some(file) = url(&dir).strip_prefix("sqlite://") {
        let log = std::fs::metadata(format!("{file}-wal")).map_or(0, |m| m.len());
        assert_eq!(log, 0, "the log beside {file} was left");
    }
    let db = Db::connect(&url(&dir)).await.unwrap();
    let before = db.all_records(forms::RESPONSE_KIND).await.unwrap();
    let last = max_seq(&dir).await;

    // Not confirmed: nothing changes.
    let out = nastavnik(&dir, &["demo", "--reset"], "нет\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ничего не изменено"));
    assert_eq!(max_seq(&dir).await, last);

    // Confirmed: a fresh demo, its changes numbered after the old ones.
    let out = nastavnik(&dir, &["demo", "--reset"], "да\n");
    assert!(out.status.success(), "{out:?}");
    let after = db.all_records(forms::RESPONSE_KIND).await.unwrap();
    assert_eq!(after.len(), before.len());
    assert!(min_seq(&dir).await > last);
    let users = db.list_users().await.unwrap();
    assert_eq!(users.len(), 8);

    // An account of the municipality's own: the reset is refused, even with --yes.
    let out = Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .args([
            "user",
            "add",
            "--login",
            "ivanova",
            "--name",
            "Иванова А. А.",
        ])
        .args(["--role", "head"])
        .env("DATABASE_URL", url(&dir))
        .env("NASTAVNIK_PASSWORD", "пароль-иванова")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let last = max_seq(&dir).await;
    let out = nastavnik(&dir, &["demo", "--reset", "--yes"], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ivanova") && stderr.contains("Ничего не изменено"),
        "{stderr}"
    );
    assert_eq!(max_seq(&dir).await, last);
    assert_eq!(db.list_users().await.unwrap().len(), 9);
}

async fn seq(dir: &tempfile::TempDir, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url(dir)).await.unwrap();
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

async fn max_seq(dir: &tempfile::TempDir) -> i64 {
    seq(dir, "SELECT MAX(seq) FROM changes").await
}

async fn min_seq(dir: &tempfile::TempDir) -> i64 {
    seq(dir, "SELECT MIN(seq) FROM changes").await
}
