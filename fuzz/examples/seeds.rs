//! Writes the seed corpus of `sync_plan` (`fuzz/corpus/sync_plan/seed_*`) and its dictionary
//! (`fuzz/dict/sync_plan.dict`), after running every seed through the target's checks:
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds`.

use std::fs;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus/sync_plan");
    fs::create_dir_all(&corpus).expect("the corpus folder");
    for entry in fs::read_dir(&corpus).expect("the corpus folder") {
        let path = entry.expect("a corpus entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("seed_"))
        {
            fs::remove_file(&path).expect("an old seed");
        }
    }
    for (name, bytes) in nastavnik_fuzz::seeds() {
        println!("{name}:");
        for (outcome, detail) in nastavnik_fuzz::outcomes(&bytes).expect("a seed is planned") {
            println!("  {outcome} {detail}");
        }
        nastavnik_fuzz::sync_plan(&bytes);
        fs::write(corpus.join(&name), &bytes).expect("a seed file");
    }
    fs::create_dir_all(root.join("dict")).expect("the dict folder");
    fs::write(root.join("dict/sync_plan.dict"), dictionary()).expect("the dictionary");
}

/// Words of the protocol, the kinds and their fields, and the world's ids.
fn dictionary() -> String {
    let w = nastavnik_fuzz::world();
    let mut words: Vec<String> = [
        "protocol",
        "device",
        "cursor",
        "scopes_key",
        "full",
        "first_seq",
        "changes",
        "record",
        "kind",
        "scope",
        "parent",
        "hlc",
        "fields",
        "centre",
        "school:",
        "person:",
        "_deleted",
        "deleted",
        "seen",
        "a.",
        "c.",
        "campaign",
        "template",
        "version",
        "status",
        "draft",
        "submitted",
        "returned",
        "accepted",
        "round",
        "verdict",
        "overall",
        "reviewer",
        "respondent",
        "state",
        "sent",
        "title",
        "text",
        "areas",
        "deadline",
        "schools",
        "roles",
        "note",
        "measure_kind",
        "measure",
        "responsible",
        "planned",
        "in_progress",
        "done",
        "director",
        "phone",
        "students",
        "teachers",
        "internet",
        "email",
        "address",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Edge numbers (seqs, clock parts, floats).
    words.extend(
        [
            "18446744073709551615",
            "9223372036854775807",
            "-9223372036854775808",
            "4294967295",
            "65535",
            "ffffffffffff",
            "ffff",
            "1.7976931348623157e308",
            "5e-324",
            "0.30000000000000004",
            "-0.0",
        ]
        .map(str::to_owned),
    );
    words.extend(model::kinds::KINDS.iter().map(|k| k.name.to_owned()));
    words.extend(model::role::Role::ALL.iter().map(|r| r.as_str().to_owned()));
    words.extend(w.records.keys().map(ToString::to_string));
    words.extend((0..w.actors.len()).map(|a| nastavnik_fuzz::device_of(a).as_str().to_owned()));
    words.push(model::hlc::DeviceId::server().as_str().to_owned());
    words.push(format!("{:012x}.0000.", nastavnik_fuzz::NOW_MS));
    words.push(format!(
        "{:012x}",
        nastavnik_fuzz::NOW_MS + model::hlc::MAX_AHEAD_MS
    ));
    words.push(format!("school:{}", nastavnik_fuzz::SCHOOL_1));
    words.push(format!("school:{}", nastavnik_fuzz::SCHOOL_2));
    words.sort();
    words.dedup();
    let mut out = String::from("# The sync_plan dictionary, written by `examples/seeds.rs`.\n");
    for word in words {
        out.push_str(&format!(
            "\"{}\"\n",
            word.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }
    out
}
