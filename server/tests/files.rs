//! Attached files: uploaded in pieces that resume where the server stopped, stored once per
//! content, checked against their SHA-256, read only by those who read the record they belong
//! to. And the bank of practices they are first used for.

mod common;

use common::{Device, municipality};
use model::files::{self, FileProgress};
use model::practices as p;
use model::record::{Record, Scope};
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn fresh() -> Uuid {
    Uuid::now_v7()
}

async fn put(
    app: &common::TestApp,
    token: &str,
    sha: &str,
    size: usize,
    start: usize,
    data: &[u8],
) -> reqwest::Response {
    app.http
        .post(format!(
            "{}/api/files/{sha}/chunks?start={start}&size={size}",
            app.base
        ))
        .bearer_auth(token)
        .body(data.to_vec())
        .send()
        .await
        .unwrap()
}

async fn progress(app: &common::TestApp, token: &str, sha: &str) -> FileProgress {
    app.http
        .get(format!("{}/api/files/{sha}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn download(app: &common::TestApp, token: &str, attachment: Uuid) -> reqwest::Response {
    app.http
        .get(format!("{}/api/records/{attachment}/file", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// A PDF-like file of `n` bytes.
fn file(n: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..n - 9).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

/// Puts all of `bytes` in pieces; the status of the last answer, and its body.
async fn upload(app: &common::TestApp, token: &str, bytes: &[u8]) -> (StatusCode, String) {
    let sum = sha(bytes);
    let mut last = (StatusCode::OK, String::new());
    for (i, piece) in bytes.chunks(files::MAX_CHUNK_BYTES as usize).enumerate() {
        let start = i * files::MAX_CHUNK_BYTES as usize;
        let res = put(app, token, &sum, bytes.len(), start, piece).await;
        last = (res.status(), res.text().await.unwrap());
        if last.0 != StatusCode::OK {
            break;
        }
    }
    last
}

#[tokio::test]
async fn a_person_puts_no_more_files_on_the_server_than_their_bound() {
    let app = common::TestApp::start_empty_with(|state| server::AppState {
        files_per_person: 1 << 20,
        ..state
    })
    .await;
    let school = app.add_school("Школа").await;
    let team = app
        .add_user("team1", model::Role::SchoolTeam, Some(school))
        .await;
    let teacher = app
        .add_user("teacher1", model::Role::Teacher, Some(school))
        .await;
    let (a, b) = (file(600_000, 1), file(600_000, 2));
    assert_eq!(upload(&app, &team.token, &a).await.0, StatusCode::OK);
    // A second file would pass the bound: refused in words, before any of it is stored.
    let (status, body) = upload(&app, &team.token, &b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("предел для одного человека"), "{body}");
    assert!(body.contains("1 МБ"), "{body}");
    assert_eq!(progress(&app, &team.token, &sha(&b)).await.received, 0);
    // A file the server has already is not counted again; another person has a bound of their
    // own.
    assert_eq!(upload(&app, &team.token, &a).await.0, StatusCode::OK);
    assert_eq!(upload(&app, &teacher.token, &b).await.0, StatusCode::OK);
    assert!(progress(&app, &team.token, &sha(&b)).await.complete);
}

/// Moves the unfinished upload of `sum` (whoever sends it) `days` back in time.
async fn upload_moved_back(app: &common::TestApp, sum: &str, days: i64) {
    sqlx::query("UPDATE uploads SET moved_at = moved_at - $1 WHERE sha256 = $2")
        .bind(days * 86_400_000)
        .bind(sum)
        .execute(&app.pool().await)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_upload_is_dropped_a_week_after_it_last_moved_on_not_after_it_began() {
    let m = municipality().await;
    let app = &m.app;
    let token = &m.team.token;
    let bytes = file(16_000, 7);
    let sum = sha(&bytes);
    let size = bytes.len();
    let taken = |res: reqwest::Response| async move {
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<FileProgress>().await.unwrap().received
    };
    let piece = |from: usize, to: usize| put(app, token, &sum, size, from, &bytes[from..to]);
    assert_eq!(taken(piece(0, 4_000).await).await, 4_000);
    // Six days without a piece, then one: the upload goes on, and its week starts again.
    upload_moved_back(app, &sum, 6).await;
    assert_eq!(taken(piece(4_000, 8_000).await).await, 8_000);
    // Six more days: twelve since it began, six since it last moved on. It goes on.
    upload_moved_back(app, &sum, 6).await;
    assert_eq!(taken(piece(8_000, 12_000).await).await, 12_000);
    // Eight days without a piece: dropped when the next piece comes, which is then not taken
    // (it is not the start); the computer starts again from nothing.
    upload_moved_back(app, &sum, 8).await;
    assert_eq!(taken(piece(12_000, size).await).await, 0);
    assert_eq!(taken(piece(0, 6_000).await).await, 6_000);
    assert_eq!(taken(piece(6_000, size).await).await, size as u64);
    assert!(progress(app, token, &sum).await.complete);
}

#[tokio::test]
async fn uploads_resume_and_are_stored_once() {
    let m = municipality().await;
    let app = &m.app;
    let token = &m.team.token;
    let bytes = file(10_000, 1);
    let sum = sha(&bytes);
    let size = bytes.len();
    assert_eq!(progress(app, token, &sum).await.received, 0);

    let first: FileProgress = put(app, token, &sum, size, 0, &bytes[..4_000])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.received, 4_000);
    // The same piece again (its answer was lost) and a piece from further on change nothing.
    let again: FileProgress = put(app, token, &sum, size, 0, &bytes[..4_000])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.received, 4_000);
    let ahead: FileProgress = put(app, token, &sum, size, 8_000, &bytes[8_000..])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ahead.received, 4_000);
    assert!(!ahead.complete);
    // A connection cut: the device asks where to go on from.
    assert_eq!(progress(app, token, &sum).await.received, 4_000);
    let done: FileProgress = put(app, token, &sum, size, 4_000, &bytes[4_000..])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        done,
        FileProgress {
            received: size as u64,
            complete: true,
            held: true,
        }
    );
    // Another person with the same file: the server has it already.
    assert!(progress(app, &m.mentor.token, &sum).await.complete);
    let other: FileProgress = put(app, &m.mentor.token, &sum, size, 0, &bytes[..100])
        .await
        .json()
        .await
        .unwrap();
    assert!(other.complete);
    assert!(
        !other.held,
        "a piece of a file the server has whole proves nothing"
    );

    // The same name with another size, or bytes that do not hash to the name: refused, and a
    // corrupt file is dropped so it is sent again.
    let res = put(app, token, &sum, size + 1, 0, &bytes[..10]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let wrong = sha(b"something else");
    let res = put(app, token, &wrong, size, 0, &bytes).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("повредился"));
    assert_eq!(progress(app, token, &wrong).await.received, 0);
    // Too large a file, too large a piece, a bad name.
    let res = put(app, token, &wrong, 21 * 1024 * 1024, 0, &bytes[..10]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("20 МБ"));
    let big = vec![0u8; files::MAX_CHUNK_BYTES as usize + 1];
    let res = put(app, token, &wrong, 5_000_000, 0, &big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = put(app, token, "не-хеш", size, 0, &bytes[..10]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Unsigned: nothing.
    let res = app
        .http
        .get(format!("{}/api/files/{sum}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_file_is_read_by_whoever_reads_its_record() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let bytes = file(3_000, 2);
    let sum = sha(&bytes);

    // The moderator writes a draft with a file.
    let mut desk = Device::new(&moderator.token, 1);
    let material = fresh();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({
            p::F_TITLE: "Школьная служба медиации",
            p::F_TYPE: "practice",
            p::F_FACTORS: ["environment", "discipline"],
            p::F_AREAS: ["upbringing"],
            p::F_STATE: "draft",
        }),
    );
    let attachment = fresh();
    desk.edit_child(
        attachment,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({
            files::F_NAME: "Положение о службе медиации.pdf",
            files::F_MIME: "application/pdf",
            files::F_SIZE: bytes.len(),
            files::F_SHA256: sum,
        }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());

    // Not uploaded yet: the head reads the record but the file is not there, and says so.
    let res = download(app, &m.head.token, attachment).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("ещё не загружен"));
    put(app, &moderator.token, &sum, bytes.len(), 0, &bytes).await;

    // A draft: the centre reads it, a school does not (not even that it exists).
    let res = download(app, &m.head.token, attachment).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%D0%9F")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_eq!(
        download(app, &m.team.token, attachment).await.status(),
        StatusCode::NOT_FOUND
    );
    let mut school = Device::new(&m.team.token, 2);
    school.sync(app).await;
    assert!(!school.records.contains_key(&attachment));

    // Published: every signed-in person reads the material and its file; the school's
    // computers receive the file's record with the next sync.
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_STATE: "published" }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());
    school.sync(app).await;
    assert!(school.records.contains_key(&material));
    let got = &school.records[&attachment];
    assert_eq!(files::file_of(got).unwrap().sha256, sum);
    assert!(
        !got.text(files::F_AUTHOR).is_empty(),
        "the server stamps who attached it"
    );
    for token in [&m.team.token, &m.teacher.token, &m.mentor.token] {
        let res = download(app, token, attachment).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    // A record that is not a file has none.
    assert_eq!(
        download(app, &m.head.token, material).await.status(),
        StatusCode::NOT_FOUND
    );

    // A colleague's file is renamed by nobody but the one who attached it and the head.
    let mut mentor = Device::new(&m.mentor.token, 3);
    mentor.sync(app).await;
    mentor.edit_child(
        attachment,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({ files::F_NAME: "Чужое.pdf" }),
    );
    mentor.sync(app).await;
    assert_eq!(mentor.refused.len(), 1);

    // Published stays published; it is withdrawn by deleting it.
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_STATE: "draft" }),
    );
    desk.sync(app).await;
    assert!(
        desk.refused_messages()
            .iter()
            .any(|r| r.contains("не возвращается в черновики")),
        "{:?}",
        desk.refused_messages()
    );
    // Withdrawn: its file goes with it.
    let deletion = desk.records[&material].deletion_value();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ model::record::DELETED: deletion }),
    );
    desk.sync(app).await;
    assert_eq!(
        download(app, &m.team.token, attachment).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A file taken off a draft material before it is published reaches none of the material's
/// new readers: a school's computer receives the deletion alone (not the file's name, type,
/// size or hash), and so does the school through the API, while the moderator keeps it all.
/// Put back, it reaches the school whole.
#[tokio::test]
async fn a_file_taken_off_a_draft_reaches_no_reader_of_the_published_material() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let mut desk = Device::new(&moderator.token, 1);
    let material = fresh();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({
            p::F_TITLE: "Наставничество в малокомплектной школе",
            p::F_TYPE: "practice",
            p::F_FACTORS: ["environment"],
            p::F_AREAS: ["upbringing"],
            p::F_STATE: "draft",
        }),
    );
    let [kept, removed] = [fresh(), fresh()];
    for (id, name) in [
        (kept, "Положение.pdf"),
        (removed, "Черновик с фамилиями.pdf"),
    ] {
        desk.edit_child(
            id,
            files::ATTACHMENT_KIND,
            &Scope::Centre,
            Some(material),
            json!({
                files::F_NAME: name,
                files::F_MIME: "application/pdf",
                files::F_SIZE: 1000,
                files::F_SHA256: sha(name.as_bytes()),
            }),
        );
    }
    desk.sync(app).await;
    let deletion = desk.records[&removed].deletion_value();
    desk.edit_child(
        removed,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({ model::record::DELETED: deletion }),
    );
    desk.sync(app).await;
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_STATE: "published" }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());

    let mut school = Device::new(&m.team.token, 2);
    school.sync(app).await;
    assert_eq!(school.records[&kept].text(files::F_NAME), "Положение.pdf");
    let got = &school.records[&removed];
    assert!(got.is_deleted());
    let held: Vec<&String> = got.fields.keys().collect();
    assert_eq!(
        held,
        [model::record::DELETED],
        "the school holds {:?}",
        got.fields
    );
    let shown: Record = app
        .record(&m.team.token, removed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown.fields.len(), 1, "the API shows {:?}", shown.fields);
    let own: Record = app
        .record(&moderator.token, removed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own.text(files::F_NAME), "Черновик с фамилиями.pdf");
    assert_eq!(
        download(app, &m.team.token, removed).await.status(),
        StatusCode::NOT_FOUND
    );

    // Put back by the moderator: the school's computer receives it whole.
    desk.edit_child(
        removed,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({ model::record::DELETED: {"deleted": false} }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());
    school.sync(app).await;
    let got = &school.records[&removed];
    assert!(!got.is_deleted());
    assert_eq!(got.text(files::F_NAME), "Черновик с фамилиями.pdf");
    assert_eq!(
        got.text(files::F_SHA256),
        sha("Черновик с фамилиями.pdf".as_bytes())
    );
}

/// A draft material of the bank with one file attached, made and sent from `desk`.
struct DraftWithFile {
    material: Uuid,
    file: Uuid,
}

impl DraftWithFile {
    async fn make(desk: &mut Device, app: &common::TestApp) -> DraftWithFile {
        let draft = DraftWithFile {
            material: fresh(),
            file: fresh(),
        };
        desk.edit(
            draft.material,
            p::MATERIAL_KIND,
            &Scope::Centre,
            json!({
                p::F_TITLE: "Методический день",
                p::F_TYPE: "practice",
                p::F_FACTORS: ["environment"],
                p::F_AREAS: ["upbringing"],
                p::F_STATE: "draft",
            }),
        );
        draft.edit(
            desk,
            json!({
                files::F_NAME: "Список.pdf",
                files::F_MIME: "application/pdf",
                files::F_SIZE: 1000,
                files::F_SHA256: sha(b"list"),
            }),
        );
        desk.sync(app).await;
        assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());
        draft
    }

    /// Edits the file on a computer of the material's writer.
    fn edit(&self, d: &mut Device, fields: serde_json::Value) {
        d.edit_child(
            self.file,
            files::ATTACHMENT_KIND,
            &Scope::Centre,
            Some(self.material),
            fields,
        );
    }
}

/// A file renamed on one computer while another renamed it later and took it off: the
/// late, losing name reaches nobody who began to read the file after it was gone.
#[tokio::test]
async fn a_late_edit_of_a_file_taken_off_reaches_no_reader_who_never_saw_it() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let mut desk = Device::new(&moderator.token, 1);
    let mut laptop = Device::new(&moderator.token, 3);
    let draft = DraftWithFile::make(&mut desk, app).await;
    let (material, removed) = (draft.material, draft.file);
    let attach = |d: &mut Device, fields: serde_json::Value| draft.edit(d, fields);
    laptop.sync(app).await;
    // Offline on the laptop.
    attach(
        &mut laptop,
        json!({ files::F_NAME: "Список с телефонами.pdf" }),
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    attach(&mut desk, json!({ files::F_NAME: "Список с адресами.pdf" }));
    let deletion = desk.records[&removed].deletion_value();
    attach(&mut desk, json!({ model::record::DELETED: deletion }));
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_STATE: "published" }),
    );
    desk.sync(app).await;
    let mut school = Device::new(&m.team.token, 2);
    school.sync(app).await;
    assert_eq!(school.records[&removed].fields.len(), 1);

    laptop.sync(app).await;
    school.sync(app).await;
    for d in [&desk, &laptop] {
        assert!(d.refused.is_empty(), "{:?}", d.refused_messages());
    }
    let got = &school.records[&removed];
    let held: Vec<&String> = got.fields.keys().collect();
    assert_eq!(
        held,
        [model::record::DELETED],
        "the school holds {:?}",
        got.fields
    );
    assert!(got.is_gone());
    let shown: Record = app
        .record(&m.team.token, removed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown.fields.len(), 1, "the API shows {:?}", shown.fields);
    // The moderator's computers agree: the file is gone, with the later name.
    for d in [&desk, &laptop] {
        let r = &d.records[&removed];
        assert!(r.is_gone(), "{:?}", r.fields);
        assert_eq!(r.text(files::F_NAME), "Список с адресами.pdf");
    }
}

/// A change that renames a deleted file and deletes it again at once (as a device may send)
/// leaves it gone with the new name: every computer that held the file receives the name, so a
/// late rename made offline elsewhere loses on each copy alike and none counts the deletion as
/// undecided.
#[tokio::test]
async fn a_name_written_with_its_own_deletion_reaches_every_reader() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let mut desk = Device::new(&moderator.token, 1);
    let mut laptop = Device::new(&moderator.token, 3);
    let mut third = Device::new(&moderator.token, 5);
    let draft = DraftWithFile::make(&mut desk, app).await;
    let file = draft.file;
    let attach = |d: &mut Device, fields: serde_json::Value| draft.edit(d, fields);
    laptop.sync(app).await;
    third.sync(app).await;
    // Offline on the laptop.
    attach(
        &mut laptop,
        json!({ files::F_NAME: "Список с телефонами.pdf" }),
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    // Deleted at the desk; then, from a third computer that had not heard of it, one change:
    // renamed, and deleted with its own rename seen (a deletion may see writes up to its own
    // clock value).
    let first = desk.records[&file].deletion_value();
    attach(&mut desk, json!({ model::record::DELETED: first }));
    desk.sync(app).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let deletion = third.records[&file].deletion_value();
    attach(
        &mut third,
        json!({ files::F_NAME: "Список-архив.pdf", model::record::DELETED: deletion }),
    );
    let sent = &mut third.outbox.last_mut().unwrap().change;
    let own = sent.hlc.to_string();
    let device = third.state.device.as_str().to_owned();
    sent.fields.get_mut(model::record::DELETED).unwrap()["seen"][&device] = json!(own);
    let held = third.records.get_mut(&file).unwrap();
    held.fields.get_mut(model::record::DELETED).unwrap().value["seen"][&device] = json!(own);
    third.sync(app).await;
    assert!(third.refused.is_empty(), "{:?}", third.refused_messages());
    laptop.sync(app).await;
    desk.sync(app).await;
    for d in [&desk, &laptop, &third] {
        assert!(d.refused.is_empty(), "{:?}", d.refused_messages());
        let r = &d.records[&file];
        assert_eq!(r.text(files::F_NAME), "Список-архив.pdf", "{:?}", r.fields);
        assert!(r.is_gone(), "{:?}", r.fields);
    }
    let stored: Record = app
        .record(&moderator.token, file)
        .await
        .json()
        .await
        .unwrap();
    assert!(stored.is_gone());
}

/// What a material's rules refuse is refused while it is deleted too: putting it back
/// checks nothing more.
#[tokio::test]
async fn a_deleted_material_is_not_published_without_what_publishing_needs() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let mut desk = Device::new(&moderator.token, 1);
    let material = fresh();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_TITLE: "Заготовка", p::F_STATE: "draft" }),
    );
    desk.sync(app).await;
    let deletion = desk.records[&material].deletion_value();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ model::record::DELETED: deletion }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_STATE: "published" }),
    );
    desk.sync(app).await;
    assert_eq!(desk.refused.len(), 1, "{:?}", desk.refused_messages());
    assert!(desk.refused[0].message.contains("Укажите вид материала"));
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ model::record::DELETED: {"deleted": false} }),
    );
    desk.sync(app).await;
    assert_eq!(desk.refused.len(), 1, "{:?}", desk.refused_messages());
    let stored: Record = app
        .record(&moderator.token, material)
        .await
        .json()
        .await
        .unwrap();
    assert!(!stored.is_deleted());
    assert!(!p::is_published(&stored));
    let mut school = Device::new(&m.team.token, 2);
    school.sync(app).await;
    assert!(!school.records.contains_key(&material));
}

#[tokio::test]
async fn only_the_centre_publishes_and_attaches_to_materials() {
    let m = municipality().await;
    let app = &m.app;
    let moderator = app
        .add_user("moderator1", model::Role::Moderator, None)
        .await;
    let mut desk = Device::new(&moderator.token, 1);
    let material = fresh();
    desk.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({ p::F_TITLE: "Типовое положение о ВСОКО", p::F_TYPE: "decision", p::F_STATE: "published" }),
    );
    desk.sync(app).await;
    assert!(desk.refused.is_empty(), "{:?}", desk.refused_messages());

    let attach = |name: &str, mime: &str| {
        json!({
            files::F_NAME: name,
            files::F_MIME: mime,
            files::F_SIZE: 10,
            files::F_SHA256: sha(name.as_bytes()),
        })
    };
    for (n, who) in [&m.team, &m.teacher, &m.mentor].into_iter().enumerate() {
        let mut d = Device::new(&who.token, 10 + n as u8);
        d.sync(app).await;
        assert!(
            d.records.contains_key(&material),
            "{} reads it",
            who.profile.login
        );
        d.edit(
            fresh(),
            p::MATERIAL_KIND,
            &Scope::Centre,
            json!({ p::F_TITLE: "Своё", p::F_TYPE: "practice", p::F_STATE: "published" }),
        );
        d.edit_child(
            fresh(),
            files::ATTACHMENT_KIND,
            &Scope::Centre,
            Some(material),
            attach("свой.pdf", "application/pdf"),
        );
        d.sync(app).await;
        assert_eq!(d.refused.len(), 2, "{}", who.profile.login);
    }
    // The moderator's own file must be one the app takes, typed as its name says, and never
    // changes content afterwards.
    let bad = [
        attach("страница.html", "text/html"),
        attach("скан.pdf", "image/png"),
        json!({ files::F_NAME: "пусто.pdf", files::F_MIME: "application/pdf", files::F_SIZE: 10 }),
        json!({
            files::F_NAME: "огромный.pdf",
            files::F_MIME: "application/pdf",
            files::F_SIZE: files::MAX_FILE_BYTES + 1,
            files::F_SHA256: sha(b"x"),
        }),
    ];
    for fields in bad {
        desk.edit_child(
            fresh(),
            files::ATTACHMENT_KIND,
            &Scope::Centre,
            Some(material),
            fields,
        );
    }
    let good = fresh();
    desk.edit_child(
        good,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        attach("положение.docx", files::mime_of("a.docx").unwrap()),
    );
    desk.sync(app).await;
    assert_eq!(desk.refused.len(), 4, "{:?}", desk.refused_messages());
    desk.edit_child(
        good,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({ files::F_SHA256: sha(b"other") }),
    );
    desk.sync(app).await;
    assert_eq!(desk.refused.len(), 5, "{:?}", desk.refused_messages());
    desk.edit_child(
        good,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({ files::F_NAME: "Положение о ВСОКО.docx" }),
    );
    desk.sync(app).await;
    assert_eq!(desk.refused.len(), 5, "{:?}", desk.refused_messages());
    let stored: model::record::Record = app
        .record(&moderator.token, good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored.text(files::F_NAME), "Положение о ВСОКО.docx");
    assert_eq!(
        stored.text(files::F_SHA256),
        sha("положение.docx".as_bytes())
    );
}

/// A mentor's recommendation names materials of the bank for the school to read; the list holds
/// ids of records, no more than twenty.
#[tokio::test]
async fn a_recommendation_names_materials_of_the_bank() {
    use model::forms::recommendation as rec;
    let m = municipality().await;
    let app = &m.app;
    let mut mentor = Device::new(&m.mentor.token, 1);
    let good = fresh();
    let material = fresh();
    mentor.edit(
        good,
        rec::RECOMMENDATION_KIND,
        &Scope::School(m.school),
        json!({
            rec::F_TITLE: "Работа с родителями",
            rec::F_TEXT: "Проведите родительский университет.",
            rec::F_STATE: "draft",
            p::F_MATERIALS: [material],
        }),
    );
    let too_many: Vec<Uuid> = (0..=p::MAX_LINKED).map(|_| fresh()).collect();
    mentor.edit(
        fresh(),
        rec::RECOMMENDATION_KIND,
        &Scope::School(m.school),
        json!({ rec::F_TITLE: "Много", rec::F_STATE: "draft", p::F_MATERIALS: too_many }),
    );
    mentor.edit(
        fresh(),
        rec::RECOMMENDATION_KIND,
        &Scope::School(m.school),
        json!({ rec::F_TITLE: "Не ссылки", rec::F_STATE: "draft", p::F_MATERIALS: ["практика"] }),
    );
    mentor.sync(app).await;
    assert_eq!(mentor.refused.len(), 2, "{:?}", mentor.refused_messages());
    assert!(
        mentor
            .refused_messages()
            .iter()
            .all(|r| r.contains("Материалы банка практик"))
    );
    let stored: model::record::Record = app
        .record(&m.mentor.token, good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p::linked(&stored), vec![material]);
}

async fn prove(app: &common::TestApp, token: &str, sum: &str, digest: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/api/files/{sum}/proof", app.base))
        .bearer_auth(token)
        .json(&files::FileProof {
            digest: digest.to_owned(),
        })
        .send()
        .await
        .unwrap()
}

/// What a person's device sends to show it has `bytes` (see `model::files::proof_input`).
fn proof_of(person: Uuid, bytes: &[u8]) -> String {
    let mut input = files::proof_input(person).into_bytes();
    input.extend_from_slice(bytes);
    sha(&input)
}

/// A person's proofs of holding a file are checked one at a time (each reads and hashes a
/// whole file; many at once would queue whole files up before everybody else's): another one
/// meanwhile is told in words to wait, and goes through once the first is done.
#[tokio::test]
async fn a_person_proves_one_file_at_a_time() {
    let proofs = server::by_person::ByPerson::new(1);
    let shared = proofs.clone();
    let app = common::TestApp::start_empty_with(move |state| server::AppState {
        proofs_by_person: shared,
        ..state
    })
    .await;
    let school = app.add_school("Школа").await;
    let team = app
        .add_user("team1", model::Role::SchoolTeam, Some(school))
        .await;
    let teacher = app
        .add_user("teacher1", model::Role::Teacher, Some(school))
        .await;
    let bytes = file(300_000, 3);
    let sum = sha(&bytes);
    assert_eq!(upload(&app, &team.token, &bytes).await.0, StatusCode::OK);
    let right = proof_of(teacher.profile.id, &bytes);

    let underway = proofs.begin(teacher.profile.id, 1).unwrap();
    let res = prove(&app, &teacher.token, &sum, &right).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let e: model::ApiError = res.json().await.unwrap();
    assert!(e.message.contains("повторится сама"), "{}", e.message);
    assert_eq!(e.retry_after_secs, Some(2));
    assert!(!progress(&app, &teacher.token, &sum).await.held);

    drop(underway);
    let res = prove(&app, &teacher.token, &sum, &right).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<FileProgress>().await.unwrap().held);
}

/// Wrong proofs of holding a file are counted for the person like wrong passwords (each makes
/// the server read a whole file): after a few, the next waits, said in words, whatever it
/// proves; other people are not held up; once the wait is over a right proof is taken and the
/// count starts again.
#[tokio::test]
async fn wrong_proofs_of_holding_a_file_make_the_person_wait() {
    let app = common::TestApp::start_empty().await;
    let school = app.add_school("Школа").await;
    let team = app
        .add_user("team1", model::Role::SchoolTeam, Some(school))
        .await;
    let teacher = app
        .add_user("teacher1", model::Role::Teacher, Some(school))
        .await;
    let colleague = app
        .add_user("teacher2", model::Role::Teacher, Some(school))
        .await;
    let bytes = file(300_000, 5);
    let sum = sha(&bytes);
    assert_eq!(upload(&app, &team.token, &bytes).await.0, StatusCode::OK);
    let wrong = proof_of(team.profile.id, &bytes);
    let free = server::storage::PROOF_THROTTLE.login_free;
    for n in 0..free {
        let res = prove(&app, &teacher.token, &sum, &wrong).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "wrong proof {n}");
    }
    let right = proof_of(teacher.profile.id, &bytes);
    let res = prove(&app, &teacher.token, &sum, &right).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let e: model::ApiError = res.json().await.unwrap();
    assert!(
        e.message.contains("неверное подтверждение"),
        "{}",
        e.message
    );
    let first = (server::storage::PROOF_THROTTLE.first_lock_ms / 1000) as u64;
    assert!(
        e.retry_after_secs.is_some_and(|s| s > 0 && s <= first),
        "{e:?}"
    );
    assert!(!progress(&app, &teacher.token, &sum).await.held);
    // Someone else's proof is read at once.
    let res = prove(
        &app,
        &colleague.token,
        &sum,
        &proof_of(colleague.profile.id, &bytes),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The wait is over: the right proof is taken, and wrong ones are free again.
    sqlx::query("UPDATE login_attempts SET locked_until = 0 WHERE kind = 'file_proof'")
        .execute(&app.pool().await)
        .await
        .unwrap();
    let res = prove(&app, &teacher.token, &sum, &right).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<FileProgress>().await.unwrap().held);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE subject = $1")
        .bind(teacher.profile.id.to_string())
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(left, 0, "a right proof starts the count again");
}

#[tokio::test]
async fn knowing_a_files_hash_is_not_having_it() {
    let m = municipality().await;
    let app = &m.app;
    let secret = file(5_000, 7);
    let sum = sha(&secret);

    // The head attaches a file to a draft of the centre's: no school reads it.
    let mut centre = Device::new(&m.head.token, 1);
    let material = fresh();
    centre.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({
            p::F_TITLE: "Проект приказа о кадровом резерве",
            p::F_TYPE: "normative",
            p::F_STATE: "draft",
        }),
    );
    let original = fresh();
    let description = json!({
        files::F_NAME: "Проект приказа.pdf",
        files::F_MIME: "application/pdf",
        files::F_SIZE: secret.len(),
        files::F_SHA256: sum,
    });
    centre.edit_child(
        original,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        description.clone(),
    );
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused_messages());
    assert_eq!(upload(app, &m.head.token, &secret).await.0, StatusCode::OK);
    assert!(progress(app, &m.head.token, &sum).await.held);

    // A school's team that learned the hash names it in an attachment of its own draft
    // nomination. The record is theirs to write, but the file is not theirs to read.
    let mut school = Device::new(&m.team.token, 2);
    let scope = Scope::School(m.school);
    let nomination = fresh();
    school.edit(
        nomination,
        model::reserve::CANDIDATE_KIND,
        &scope,
        json!({
            model::reserve::F_NAME: "Иванов Иван Иванович",
            model::reserve::F_POSITION: "учитель истории",
            model::reserve::F_STAGE: "draft",
        }),
    );
    let borrowed = fresh();
    school.edit_child(
        borrowed,
        files::ATTACHMENT_KIND,
        &scope,
        Some(nomination),
        description.clone(),
    );
    school.sync(app).await;
    assert!(school.refused.is_empty(), "{:?}", school.refused_messages());
    let seen = progress(app, &m.team.token, &sum).await;
    assert!(seen.complete && !seen.held, "{seen:?}");
    let res = download(app, &m.team.token, borrowed).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("ещё не загружен"));
    // Nor does sending a piece of it again, or a proof made without the bytes, help.
    let res = put(app, &m.team.token, &sum, secret.len(), 0, b"%PDF-1.4\n").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.json::<FileProgress>().await.unwrap().held);
    for digest in [sum.clone(), proof_of(m.head.profile.id, &secret)] {
        let res = prove(app, &m.team.token, &sum, &digest).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(res.text().await.unwrap().contains("не совпадает"));
    }
    assert_eq!(
        download(app, &m.team.token, borrowed).await.status(),
        StatusCode::NOT_FOUND
    );
    // Neither does anyone who reads the nomination, even the head who holds the file.
    assert_eq!(
        download(app, &m.head.token, borrowed).await.status(),
        StatusCode::NOT_FOUND
    );

    // Someone who really has the same file shows it without sending it: then their
    // attachment's readers get it.
    let res = prove(
        app,
        &m.team.token,
        &sum,
        &proof_of(m.team.profile.id, &secret),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<FileProgress>().await.unwrap().held);
    let colleague = app
        .add_user("team2", model::Role::SchoolTeam, Some(m.school))
        .await;
    assert!(!progress(app, &colleague.token, &sum).await.held);
    let res = download(app, &colleague.token, borrowed).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), secret.as_slice());

    // Sending the first bytes of a file before its author does proves nothing either (a
    // file's beginning is easy to guess), and a wrong piece spoils nobody's upload: each
    // person's upload is their own until it is whole.
    let report = file(4_000, 9);
    let report_sum = sha(&report);
    let res = put(
        app,
        &m.team.token,
        &report_sum,
        report.len(),
        0,
        &report[..9],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a piece of 9 bytes");
    assert!(res.text().await.unwrap().contains("не последняя"));
    let res = put(
        app,
        &m.team.token,
        &report_sum,
        report.len(),
        0,
        &report[..1_024],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<FileProgress>().await.unwrap().received, 1_024);
    assert_eq!(progress(app, &m.head.token, &report_sum).await.received, 0);
    let res = put(
        app,
        &m.head.token,
        &report_sum,
        report.len(),
        0,
        &report[..2_000],
    )
    .await;
    assert_eq!(res.json::<FileProgress>().await.unwrap().received, 2_000);
    // The school goes on with wrong bytes to the end: its own upload is dropped, the head's
    // stays where it was.
    let wrong = vec![0u8; report.len() - 1_024];
    let res = put(app, &m.team.token, &report_sum, report.len(), 1_024, &wrong).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("повредился"));
    let head_upload = progress(app, &m.head.token, &report_sum).await;
    assert_eq!(head_upload.received, 2_000);
    assert!(!head_upload.complete);
    let res = put(
        app,
        &m.head.token,
        &report_sum,
        report.len(),
        2_000,
        &report[2_000..],
    )
    .await;
    let done = res.json::<FileProgress>().await.unwrap();
    assert!(done.complete && done.held, "{done:?}");
    let theirs = progress(app, &m.team.token, &report_sum).await;
    assert!(theirs.complete && !theirs.held, "{theirs:?}");

    // Whoever received a file from the server holds it; a proof for a file the server does
    // not have whole says so.
    assert!(progress(app, &colleague.token, &sum).await.held);
    assert!(!progress(app, &m.mentor.token, &sum).await.held);
    let unknown = file(100, 1);
    let res = prove(
        app,
        &m.team.token,
        &sha(&unknown),
        &proof_of(m.team.profile.id, &unknown),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn who_attached_a_file_before_holders_were_kept_holds_it_after_the_upgrade() {
    // (The test's server does not take the upgrade steps; the binary does at start.)
    let m = municipality().await;
    let app = &m.app;
    let bytes = file(2_000, 3);
    let sum = sha(&bytes);
    assert_eq!(upload(app, &m.head.token, &bytes).await.0, StatusCode::OK);

    // Before the upgrade a school attached the same file; its device sent nothing.
    let attach = |token: &str, n: u8, who: &str| {
        let mut desk = Device::new(token, n);
        let scope = Scope::School(m.school);
        let nomination = fresh();
        desk.edit(
            nomination,
            model::reserve::CANDIDATE_KIND,
            &scope,
            json!({
                model::reserve::F_NAME: who,
                model::reserve::F_POSITION: "учитель",
                model::reserve::F_STAGE: "draft",
            }),
        );
        let attachment = fresh();
        desk.edit_child(
            attachment,
            files::ATTACHMENT_KIND,
            &scope,
            Some(nomination),
            json!({
                files::F_NAME: "Портфолио.pdf",
                files::F_MIME: "application/pdf",
                files::F_SIZE: bytes.len(),
                files::F_SHA256: sum,
            }),
        );
        (desk, attachment)
    };
    let (mut before, earlier) = attach(&m.team.token, 1, "Петров Пётр Петрович");
    before.sync(app).await;
    assert!(before.refused.is_empty(), "{:?}", before.refused_messages());
    assert_eq!(
        download(app, &m.team.token, earlier).await.status(),
        StatusCode::NOT_FOUND
    );

    // The upgrade: its author holds it, and the attachment gives the file.
    server::upgrade::take_steps(&app.db().await).await.unwrap();
    let res = download(app, &m.team.token, earlier).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Taken once: an attachment made after it gives nothing by naming the hash.
    let colleague = app
        .add_user("team2", model::Role::SchoolTeam, Some(m.school))
        .await;
    let (mut after, later) = attach(&colleague.token, 2, "Сидоров Сидор Сидорович");
    after.sync(app).await;
    assert!(after.refused.is_empty(), "{:?}", after.refused_messages());
    server::upgrade::take_steps(&app.db().await).await.unwrap();
    assert_eq!(
        download(app, &colleague.token, later).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_file_of_many_pieces_is_downloaded_whole() {
    let m = municipality().await;
    let app = &m.app;
    // Five pieces of the largest size and a short last one: read out one piece at a time.
    let bytes = file(5 * files::MAX_CHUNK_BYTES as usize + 1_234, 9);
    let sum = sha(&bytes);
    let mut centre = Device::new(&m.head.token, 1);
    let material = fresh();
    centre.edit(
        material,
        p::MATERIAL_KIND,
        &Scope::Centre,
        json!({
            p::F_TITLE: "Программа наставничества на 2026/2027 учебный год",
            p::F_TYPE: "normative",
            p::F_STATE: "published",
        }),
    );
    let attachment = fresh();
    centre.edit_child(
        attachment,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({
            files::F_NAME: "Программа.pdf",
            files::F_MIME: "application/pdf",
            files::F_SIZE: bytes.len(),
            files::F_SHA256: sum,
        }),
    );
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused_messages());
    assert_eq!(upload(app, &m.head.token, &bytes).await.0, StatusCode::OK);

    // Asked as a browser asks (packed if it may be): a file is packed already, so it comes as it
    // is, its length known before the first byte (the browser shows the download's progress).
    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = plain
        .get(format!("{}/api/records/{attachment}/file", app.base))
        .header("accept-encoding", "gzip, deflate, br")
        .bearer_auth(&m.head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(
        res.headers()["content-length"].to_str().unwrap(),
        bytes.len().to_string()
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // Parts of it, across pieces, as a download over a link that keeps being cut asks for them.
    let piece = files::MAX_CHUNK_BYTES as usize;
    let end = bytes.len() - 1;
    let ask = |range: String| {
        plain
            .get(format!("{}/api/records/{attachment}/file", app.base))
            .header("range", range)
            .bearer_auth(&m.head.token)
            .send()
    };
    for (from, to) in [
        (0, 99),
        (piece - 10, piece + 9),
        (3 * piece, end),
        (end - 4, end + 100),
        (2 * piece + 1, 2 * piece + 1),
    ] {
        let res = ask(format!("bytes={from}-{to}")).await.unwrap();
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT, "{from}-{to}");
        let last = to.min(end);
        assert_eq!(
            res.headers()["content-range"].to_str().unwrap(),
            format!("bytes {from}-{last}/{}", bytes.len())
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), &bytes[from..=last]);
    }
    let res = ask(format!("bytes={}-", 4 * piece)).await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.bytes().await.unwrap().as_ref(), &bytes[4 * piece..]);
    // A file sent in pieces of uneven sizes, as a computer on a changing link sends them:
    // ranges that end on a piece's last byte, start on the next one, or span several.
    let uneven = file(300_000, 11);
    let uneven_sum = sha(&uneven);
    let cuts = [0, 1_024, 4_096, 70_000, 270_000, uneven.len()];
    for w in cuts.windows(2) {
        let res = put(
            app,
            &m.head.token,
            &uneven_sum,
            uneven.len(),
            w[0],
            &uneven[w[0]..w[1]],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let other = fresh();
    centre.edit_child(
        other,
        files::ATTACHMENT_KIND,
        &Scope::Centre,
        Some(material),
        json!({
            files::F_NAME: "Приложение.pdf",
            files::F_MIME: "application/pdf",
            files::F_SIZE: uneven.len(),
            files::F_SHA256: uneven_sum,
        }),
    );
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused_messages());
    for (from, to) in [
        (0, 1_023),
        (1_024, 4_095),
        (1_023, 1_024),
        (4_095, 70_000),
        (3_000, 280_000),
        (270_000, 270_000),
        (299_999, 299_999),
    ] {
        let res = plain
            .get(format!("{}/api/records/{other}/file", app.base))
            .header("range", format!("bytes={from}-{to}"))
            .bearer_auth(&m.head.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT, "{from}-{to}");
        assert_eq!(
            res.bytes().await.unwrap().as_ref(),
            &uneven[from..=to],
            "{from}-{to}"
        );
    }
    // A range outside the file, several ranges, or another unit: the whole file.
    for range in [
        format!("bytes={}-", bytes.len()),
        "bytes=0-1,5-6".to_owned(),
        "items=0-1".to_owned(),
        "bytes=9-3".to_owned(),
    ] {
        let res = ask(range.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{range}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    // A school reads the published material: a part of it does not make it a holder, the
    // whole file does.
    let res = app
        .http
        .get(format!("{}/api/records/{attachment}/file", app.base))
        .header("range", "bytes=0-99")
        .bearer_auth(&m.team.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert!(!progress(app, &m.team.token, &sum).await.held);
    let res = download(app, &m.team.token, attachment).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // The school received it whole, so holds it: a proof is not asked of it.
    assert!(progress(app, &m.team.token, &sum).await.held);
}
