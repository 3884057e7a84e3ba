//! Keeps the app's house rules (ARCHITECTURE.md, "The app"): its state reaches pages through
//! contexts made once at the start, never through statics; pages and components reach the
//! browser's storage and the network only through the store, the session and `api.rs`; and the
//! page modules import one another one way only, so each can be read and changed alone.

#[path = "../../model/tests/house/mod.rs"]
mod house;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use house::{code, files};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file of the app under `dir` (relative to `src/`), with its code.
fn sources(dir: &str) -> Vec<(String, String)> {
    let root = src();
    let mut all = Vec::new();
    files(&root.join(dir), &mut all);
    all.sort();
    all.into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, code(&std::fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

#[test]
fn app_state_lives_in_contexts_not_statics() {
    let mut found = Vec::new();
    for (file, code) in sources("") {
        for bad in [
            "thread_local!",
            "static mut ",
            "OnceCell",
            "OnceLock",
            "LazyLock",
        ] {
            if code.contains(bad) {
                found.push(format!("{file}: {bad}"));
            }
        }
        // A `static` item holding state (constant tables of `&'static` data are fine).
        for line in code.lines() {
            let line = line.trim_start();
            if (line.starts_with("static ") || line.starts_with("pub static "))
                && !line.contains("&'static")
                && !line.contains(": &")
            {
                found.push(format!("{file}: {line}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "global state outside the contexts: {found:#?}"
    );
    // The contexts are made once, in the root component.
    let app = std::fs::read_to_string(src().join("app.rs")).unwrap();
    for provide in [
        "provide_connectivity()",
        "provide_store()",
        "provide_sync(",
        "provide_session(",
    ] {
        assert!(app.contains(provide), "app.rs does not call {provide}");
    }
}

#[test]
fn pages_reach_storage_and_the_network_only_through_the_store_session_and_api() {
    let forbidden = [
        "gloo_storage",
        "LocalStorage",
        "SessionStorage",
        "local_storage()",
        "session_storage()",
        "indexed_db_futures",
        "IdbFactory",
        "reqwest",
        "fetch_with_",
        "XmlHttpRequest",
        "local_db::",
    ];
    let mut found = Vec::new();
    for dir in ["pages", "components"] {
        for (file, code) in sources(dir) {
            for bad in forbidden {
                if code.contains(bad) {
                    found.push(format!("{file}: {bad}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "pages touching storage or HTTP directly: {found:#?}"
    );
}

#[test]
fn page_modules_import_one_another_one_way_only() {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in sources("pages") {
        let module = file
            .trim_start_matches("pages/")
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        let mut uses: Vec<String> = Vec::new();
        for (i, _) in code.match_indices("crate::pages::") {
            uses.push(
                code[i + "crate::pages::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect(),
            );
        }
        for used in uses {
            if !used.is_empty() && used != module {
                deps.entry(module.clone()).or_default().insert(used);
            }
        }
    }
    if let Some(cycle) = house::cycle(&deps) {
        panic!(
            "an import cycle between page modules: {}",
            cycle.join(" → ")
        );
    }
    // The one-way order of ARCHITECTURE.md: the homes use the filler, which uses the review.
    assert!(deps["homes"].contains("forms") && deps["forms"].contains("review"));
}
