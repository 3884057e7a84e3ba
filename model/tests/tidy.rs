//! Keeps the model's house tidy: every file says what it is (a `//!` doc), and the top-level
//! modules depend on each other without a cycle (a kind declaration may use forms and access,
//! never the other way round), so each can be read and changed alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_file_has_a_module_doc_and_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} has no //! doc saying what it is",
            path.display()
        );
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" {
            continue;
        }
        let code = code(&text);
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                deps.entry(top.clone()).or_default().insert(name);
            }
        }
    }
    // Depth-first search for a way back to where it started.
    fn back(
        deps: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        for next in deps.get(at).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if !path.contains(next) {
                path.push(next.clone());
                if let Some(c) = back(deps, start, next, path) {
                    return Some(c);
                }
                path.pop();
            }
        }
        None
    }
    for start in deps.keys() {
        let mut path = vec![start.clone()];
        if let Some(cycle) = back(&deps, start, start, &mut path) {
            panic!("an import cycle in model/: {}", cycle.join(" → "));
        }
    }
    assert!(deps["kinds"].contains("forms") && deps["sync"].contains("kinds"));
}
