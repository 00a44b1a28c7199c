//! The module graph has no cycles, and its arrows point one way: each top-level module of the
//! library uses only modules of earlier layers (README, "How it works"). The test reads every
//! `crate::<module>` path in `src/`, so a new arrow that points back fails here the day it appears.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may use any module of a lower layer, and none of its own
/// layer or a higher one: the modules of one layer are independent of each other (a strategy may
/// not read `crate::metrics`).
const LAYERS: &[&[&str]] = &[
    &["maths"],
    &["error", "rng", "version"],
    &["scenario"],
    &["network"],
    &["school"],
    &["model"],
    &["metrics", "strategy"],
    &["classic"],
    &["engine"],
    &["output"],
    &["report", "validation"],
    &["shard"],
    &["sweep", "explain", "show"],
    &["optimise", "calibrate"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// `crate::x` paths used by every top-level module (comments skipped).
fn arrows() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let code = line.split("//").next().unwrap_or("");
                for (k, _) in code.match_indices("crate::") {
                    let used: String = code[k + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !used.is_empty() && used != top {
                        out.entry(top.clone()).or_default().insert(used);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_earlier_layers() {
    let arrows = arrows();
    assert!(arrows.len() >= 10, "found too few modules: {arrows:?}");
    let mut wrong = Vec::new();
    for (from, tos) in &arrows {
        let Some(lf) = layer_of(from) else {
            wrong.push(format!("{from} is in no layer: add it to LAYERS"));
            continue;
        };
        for to in tos {
            // Crate-level re-exports (`crate::Scenario`, `crate::Result`) are not modules.
            if to.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                continue;
            }
            match layer_of(to) {
                Some(lt) if lt < lf => {}
                Some(_) => wrong.push(format!("{from} -> {to}")),
                None => wrong.push(format!("{from} -> {to}, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "arrows that point back: {wrong:#?}");
}
