//! Files attached to records (portfolios, certificates, practice materials; 002 §4.5, §V).
//!
//! One mechanism for every kind: an `attachment` record (a child of the record the file belongs
//! to, read by exactly the people who read that record) names the file by its SHA-256, its
//! name, type and size; the bytes travel apart from records. A device keeps a chosen file in its
//! local database at once and uploads it in chunks when the server answers (each person's upload
//! is their own until it is whole, so nobody can spoil another's); the server keeps the
//! bytes once per SHA-256 (the same file attached twice is stored and sent once) and hands them
//! out only to someone who may read an attachment naming them, and only when whoever wrote that
//! attachment is known to hold the file: knowing a file's SHA-256 is not having it. A person
//! holds a file when they sent every piece of it, when they proved they have all of it (a device
//! that finds the file already on the server, whole, sends [`proof_input`]'s hash instead of the
//! bytes), or when the server gave it to them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::record::Record;

pub const ATTACHMENT_KIND: &str = "attachment";
pub const F_NAME: &str = "name";
pub const F_MIME: &str = "mime";
pub const F_SIZE: &str = "size";
pub const F_SHA256: &str = "sha256";
pub const F_AUTHOR: &str = "author";

/// The largest file: a scanned certificate or a portfolio fits, a video does not.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The largest piece of a file in one upload request.
pub const MAX_CHUNK_BYTES: u64 = 256 * 1024;
/// The smallest piece of a file, but for its last: a slow link falls back to it, and a file is
/// never made of more pieces than 20 MB in these.
pub const MIN_CHUNK_BYTES: u64 = 1024;

/// The kinds of files the app takes, by the end of their name: documents people send the
/// centre, never anything a browser would run.
pub const TYPES: [(&str, &str, &str); 10] = [
    ("pdf", "application/pdf", "PDF"),
    ("jpg", "image/jpeg", "изображение JPEG"),
    ("jpeg", "image/jpeg", "изображение JPEG"),
    ("png", "image/png", "изображение PNG"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "документ Word",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "таблица Excel",
    ),
    ("doc", "application/msword", "документ Word 97–2003"),
    ("xls", "application/vnd.ms-excel", "таблица Excel 97–2003"),
    (
        "odt",
        "application/vnd.oasis.opendocument.text",
        "документ OpenDocument",
    ),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "таблица OpenDocument",
    ),
];

/// What a person is told when a file cannot be taken.
pub const TYPES_HINT: &str = "PDF, JPEG, PNG, DOCX, XLSX, DOC, XLS, ODT или ODS";

/// The type of a file by its name (`None`: not a type the app takes).
pub fn mime_of(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_lowercase();
    TYPES.iter().find(|(e, _, _)| *e == ext).map(|(_, m, _)| *m)
}

/// A file's type in words.
pub fn type_label(mime: &str) -> &'static str {
    TYPES
        .iter()
        .find(|(_, m, _)| *m == mime)
        .map_or("файл", |(_, _, l)| *l)
}

/// May a file of this name and size be attached? The message says what to do.
pub fn check_file(name: &str, size: u64) -> Result<&'static str, String> {
    let Some(mime) = mime_of(name) else {
        return Err(format!(
            "Файл «{name}» не подходит: можно прикрепить {TYPES_HINT}. Сохраните его в одном из \
             этих форматов."
        ));
    };
    if size == 0 {
        return Err(format!("Файл «{name}» пустой."));
    }
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "Файл «{name}» больше {} МБ ({}). Уменьшите его (например, отсканируйте с меньшим \
             разрешением) или разделите на части.",
            MAX_FILE_BYTES / (1024 * 1024),
            size_label(size)
        ));
    }
    Ok(mime)
}

/// Is `s` a SHA-256 in lowercase hex?
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A size in words: «812 Б», «45 КБ», «3,4 МБ».
pub fn size_label(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} Б")
    } else if bytes < 1024 * 1024 {
        format!("{} КБ", bytes.div_ceil(1024))
    } else {
        format!("{:.1} МБ", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// A file named by an attachment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub sha256: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// The file an attachment record names (`None`: not an attachment, deleted, or incomplete).
pub fn file_of(r: &Record) -> Option<FileRef> {
    if r.kind != ATTACHMENT_KIND || r.is_deleted() {
        return None;
    }
    let text = |f: &str| r.get(f).and_then(Value::as_str).map(str::to_owned);
    Some(FileRef {
        sha256: text(F_SHA256).filter(|s| is_sha256(s))?,
        name: text(F_NAME)?,
        mime: text(F_MIME)?,
        size: r.get(F_SIZE).and_then(Value::as_u64)?,
    })
}

/// How much of a file the server holds for the person asking (`POST
/// /api/files/{sha256}/chunks`, `GET /api/files/{sha256}`): the whole file, or as much of their
/// own upload of it as arrived; an upload goes on from `received`. Another person's unfinished
/// upload of the same file is theirs and is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProgress {
    pub received: u64,
    pub complete: bool,
    /// The person asking is known to hold the file (see the module's docs): when the file is
    /// complete and this is false, their device proves it has the file
    /// (`POST /api/files/{sha256}/proof` with [`FileProof`]).
    #[serde(default)]
    pub held: bool,
}

/// Whether the server's answer to a piece of an upload that started at `start` lets the upload
/// go on (from `answer.received`). It does when the file is whole, when the server took the
/// piece, and also when the server holds less than the piece assumed (it dropped an upload left
/// unfinished for a week, or was upgraded or restored meanwhile): the upload then goes on from
/// what it holds. It does not when the server took nothing from a piece sent where it stopped:
/// the file on this computer is shorter than its description, and sending it again would not
/// help.
pub fn piece_advanced(start: u64, answer: &FileProgress) -> bool {
    answer.complete || answer.received != start
}

/// The proof that a person has a whole file: the SHA-256 (lowercase hex) of
/// [`proof_input`]`(person)` followed by the file's bytes. Only someone with the bytes can make
/// it, and it proves nothing for anyone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProof {
    pub digest: String,
}

/// What a person's proof of holding a file hashes before the file's bytes.
pub fn proof_input(person: uuid::Uuid) -> String {
    format!("nastavnik-file-proof:{person}:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_limits() {
        assert_eq!(mime_of("Портфолио.PDF"), Some("application/pdf"));
        assert_eq!(mime_of("скан.jpeg"), Some("image/jpeg"));
        assert_eq!(mime_of("page.html"), None);
        assert_eq!(mime_of("no extension"), None);
        assert!(check_file("a.exe", 10).unwrap_err().contains("PDF, JPEG"));
        assert!(check_file("a.pdf", 0).unwrap_err().contains("пустой"));
        assert!(
            check_file("a.pdf", MAX_FILE_BYTES + 1)
                .unwrap_err()
                .contains("больше 20 МБ")
        );
        assert!(check_file("a.pdf", MAX_FILE_BYTES).is_ok());
        assert!(is_sha256(&"ab".repeat(32)));
        assert!(!is_sha256(&"AB".repeat(32)));
        assert!(!is_sha256("abc"));
        assert_eq!(size_label(812), "812 Б");
        assert_eq!(size_label(45 * 1024), "45 КБ");
        assert_eq!(size_label(3_565_158), "3,4 МБ");
    }

    #[test]
    fn an_upload_goes_on_from_what_the_server_holds() {
        let answer = |received, complete| FileProgress {
            received,
            complete,
            held: false,
        };
        // Taken: on from the piece's end; whole: done.
        assert!(piece_advanced(4_000, &answer(8_000, false)));
        assert!(piece_advanced(4_000, &answer(10_000, true)));
        // The server lost the upload meanwhile: on from the start, not "damaged".
        assert!(piece_advanced(4_000, &answer(0, false)));
        // Nothing taken where the server stopped: the file here is short.
        assert!(!piece_advanced(4_000, &answer(4_000, false)));
    }
}
