//! Keeps the model's house tidy: every file says what it is (a `//!` doc), and the top-level
//! modules depend on each other without a cycle (a kind declaration may use forms and access,
//! never the other way round), so each can be read and changed alone.

mod house;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use house::{code, files};

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
    if let Some(cycle) = house::cycle(&deps) {
        panic!("an import cycle in model/: {}", cycle.join(" → "));
    }
    assert!(deps["kinds"].contains("forms") && deps["sync"].contains("kinds"));
}
