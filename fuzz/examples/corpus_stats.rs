//! How deep a `sync_plan` corpus reaches: how many inputs decode to a request the route plans,
//! and how many of their mutations are applied, re-stamped or refused (by error code):
//! `cargo run --manifest-path fuzz/Cargo.toml --example corpus_stats [folder]`.

use std::collections::BTreeMap;
use std::fs;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/sync_plan").to_owned());
    let mut inputs = 0;
    let mut planned = 0;
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for entry in fs::read_dir(&dir).expect("a corpus folder") {
        let bytes = fs::read(entry.expect("an entry").path()).expect("an input");
        inputs += 1;
        let Some(report) = nastavnik_fuzz::outcomes(&bytes) else {
            continue;
        };
        planned += 1;
        for (o, _) in report {
            *outcomes.entry(o).or_default() += 1;
        }
    }
    println!("{inputs} inputs, {planned} planned");
    for (o, n) in outcomes {
        println!("  {n:>7} {o}");
    }
}
