//! The optimisation part of `report.html`: the output folder of `domino optimise` holds
//! `comparison.csv` (the winner against the scenario's strategies on fresh worlds), `best.toml`
//! and `pilots.csv`; when they are there, the report shows them ([`section`]). A folder written
//! by `domino optimise` alone (no `summary.csv`) gets a page of its own ([`page`]).
//!
//! The files are read by their column names (the headers `domino optimise` writes); every text
//! goes through [`super::svg::escape`].

use super::svg::escape;
use crate::error::{Error, InputError, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The header of `comparison.csv` (written by `domino optimise`, read back here).
pub(crate) const COMPARISON_HEADER: [&str; 11] = [
    "strategy",
    "objective",
    "runs",
    "mean",
    "ci_low",
    "ci_high",
    "worst_decile",
    "best_minus_mean",
    "best_minus_ci_low",
    "best_minus_ci_high",
    "p_best_beats",
];

/// The header of `pilots.csv` (written by `domino optimise`, read back here).
pub(crate) const PILOTS_HEADER: [&str; 6] =
    ["school", "name", "region", "rank", "marginal_gain", "value"];

/// True when `dir` holds the results of `domino optimise`.
pub fn present(dir: &Path) -> bool {
    dir.join("comparison.csv").is_file() && dir.join("best.toml").is_file()
}

/// True when `dir` holds only an optimisation (no comparison's `summary.csv`).
pub fn only(dir: &Path) -> bool {
    present(dir) && !dir.join("summary.csv").is_file()
}

/// The rows of `path` by column name; errors name the file, line and missing column.
fn rows(path: &Path, required: &[&str]) -> Result<Vec<BTreeMap<String, String>>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let bad = |line: usize, msg: String| -> Error {
        InputError::msg(msg).in_file(path).at(line, None).into()
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(c) = required.iter().find(|c| !header.iter().any(|h| h == *c)) {
        return Err(bad(
            1,
            format!(
                "no column `{c}`: expected the columns {} (a folder written by `domino optimise`)",
                required.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(i + 2, format!("malformed row: {e}")))?;
        out.push(
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        );
    }
    Ok(out)
}

/// A fraction as a percentage for the objectives that are shares, else the number.
fn shown(objective: &str, text: &str) -> String {
    match text.parse::<f64>() {
        Ok(v) if objective == "cost-per-student" => format!("{v:.2}"),
        Ok(v) => format!("{:.1}", 100.0 * v),
        Err(_) => String::new(),
    }
}

/// The optimisation section: the comparison on fresh worlds, the winning strategy as
/// `best.toml` says it, and the pilot schools. Empty when `dir` holds no optimisation.
pub fn section(dir: &Path) -> Result<String> {
    if !present(dir) {
        return Ok(String::new());
    }
    let table = rows(&dir.join("comparison.csv"), &COMPARISON_HEADER)?;
    let best_path = dir.join("best.toml");
    let best = std::fs::read_to_string(&best_path).map_err(|e| Error::io(&best_path, e))?;
    let objective = table
        .first()
        .map(|r| r["objective"].clone())
        .unwrap_or_default();
    let unit = if objective == "cost-per-student" {
        "students benefiting per SU"
    } else {
        "%"
    };
    // The scenario's strategies the optimised one is not clearly better than on the fresh runs
    // (the paired 95 % interval of the difference does not lie above 0): the page must not
    // present an advantage there.
    let not_better: Vec<&BTreeMap<String, String>> = table
        .iter()
        .filter(|r| {
            !r["best_minus_mean"].is_empty()
                && !r["best_minus_ci_low"]
                    .parse::<f64>()
                    .is_ok_and(|low| low > 0.0)
        })
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<section id=\"optimise\"><h2>The best use of the budget</h2>\n<p>`domino optimise` \
         searched the strategy space at this budget (objective: <b>{}</b>) and compared its best \
         strategy with the scenario's own on {} fresh runs that the search never saw, so the \
         {} shown is not an artefact of choosing the winner.</p>",
        escape(&objective),
        escape(table.first().map_or("", |r| r["runs"].as_str())),
        if not_better.is_empty() {
            "advantage"
        } else {
            "difference"
        }
    );
    for r in &not_better {
        let o = &objective;
        let worse = r["best_minus_ci_high"]
            .parse::<f64>()
            .is_ok_and(|high| high < 0.0);
        let _ = writeln!(
            s,
            "<p class=\"caveat\">The optimised strategy is {} <b>{}</b> on these runs: optimised \
             minus {} is {} (95% CI {} to {}){}.</p>",
            if worse {
                "worse than"
            } else {
                "not distinguishable from"
            },
            escape(&r["strategy"]),
            escape(&r["strategy"]),
            shown(o, &r["best_minus_mean"]),
            shown(o, &r["best_minus_ci_low"]),
            shown(o, &r["best_minus_ci_high"]),
            if worse {
                ""
            } else {
                ", an interval that includes 0"
            }
        );
    }
    let _ = writeln!(
        s,
        "<table id=\"optimise-table\"><thead><tr><th>strategy</th><th class=\"num\">mean ({unit}, 95% CI)</th><th class=\"num\">worst 10%</th><th class=\"num\">optimised minus this (95% CI)</th><th class=\"num\">P(optimised beats)</th></tr></thead><tbody>"
    );
    for r in &table {
        let o = &objective;
        let diff = if r["best_minus_mean"].is_empty() {
            String::new()
        } else {
            format!(
                "{} ({} to {})",
                shown(o, &r["best_minus_mean"]),
                shown(o, &r["best_minus_ci_low"]),
                shown(o, &r["best_minus_ci_high"])
            )
        };
        let p = r["p_best_beats"]
            .parse::<f64>()
            .map(|p| format!("{:.0}%", 100.0 * p))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<tr{}><td>{}</td><td class=\"num\">{} ({}-{})</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            if r["best_minus_mean"].is_empty() { " class=\"best\"" } else { "" },
            escape(&r["strategy"]),
            shown(o, &r["mean"]),
            shown(o, &r["ci_low"]),
            shown(o, &r["ci_high"]),
            shown(o, &r["worst_decile"]),
            escape(&diff),
            p
        );
    }
    s.push_str("</tbody></table>\n");
    let _ = writeln!(
        s,
        "<p>The strategy found, to paste into a scenario (<code>best.toml</code>):</p><pre>{}</pre>",
        escape(&best)
    );
    let pilots_path = dir.join("pilots.csv");
    if pilots_path.is_file() {
        let pilots = rows(&pilots_path, &PILOTS_HEADER)?;
        if !pilots.is_empty() {
            s.push_str(
                "<p>The pilot schools, in the order greedy selection added them, each with the \
                 gain it added:</p><table id=\"optimise-pilots\"><thead><tr><th>rank</th><th>school</th><th>name</th><th>region</th><th class=\"num\">marginal gain</th></tr></thead><tbody>\n",
            );
            for r in &pilots {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    escape(&r["rank"]),
                    escape(&r["school"]),
                    escape(&r["name"]),
                    escape(&r["region"]),
                    shown(&objective, &r["marginal_gain"])
                );
            }
            s.push_str("</tbody></table>\n");
        }
    }
    s.push_str("</section>\n");
    Ok(s)
}

/// A page for a folder that holds only an optimisation: its scenario's name and the section.
pub fn page(dir: &Path, style: &str) -> Result<String> {
    let path = dir.join("scenario.toml");
    let scenario = crate::Scenario::from_file(&path)?;
    let name = &scenario.config.name;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{style}</style>\n</head>\n<body data-page=\"report\">\n<header><h1>{}</h1><p class=\"lead\">{}</p></header>\n{}</body>\n</html>\n",
        escape(&format!("domino report: {name}")),
        escape(&format!("The best use of the budget: {name}")),
        escape(&scenario.config.description),
        section(dir)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(rows: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let header = COMPARISON_HEADER.join(",");
        std::fs::write(
            dir.path().join("comparison.csv"),
            format!("{header}\noptimised,sustained,20,0.3,0.28,0.32,0.2,,,,\n{rows}"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("best.toml"),
            "[[strategies]]\nname = \"optimised\"\n",
        )
        .unwrap();
        dir
    }

    /// The page claims an advantage only where the fresh runs show one: a scenario strategy
    /// whose paired interval includes 0 is named as not distinguishable, with the difference and
    /// interval, and one the optimised strategy is clearly behind as better.
    #[test]
    fn the_section_says_when_the_optimised_strategy_is_not_distinguishable() {
        let clear = "thin-spread,sustained,20,0.1,0.09,0.11,0.05,0.2,0.19,0.21,1\n";
        let page = section(folder(clear).path()).unwrap();
        assert!(page.contains("so the advantage shown"), "{page}");
        assert!(!page.contains("not distinguishable"), "{page}");

        let close = "pilot-then-cascade,sustained,20,0.29,0.27,0.31,0.2,0.01,-0.004,0.024,0.6\n";
        let page = section(folder(&format!("{clear}{close}")).path()).unwrap();
        assert!(!page.contains("advantage"), "{page}");
        assert!(
            page.contains(
                "The optimised strategy is not distinguishable from <b>pilot-then-cascade</b> on \
                 these runs: optimised minus pilot-then-cascade is 1.0 (95% CI -0.4 to 2.4), an \
                 interval that includes 0."
            ),
            "{page}"
        );
        assert!(!page.contains("from <b>thin-spread</b>"), "{page}");

        let ahead = "cluster,sustained,20,0.35,0.33,0.37,0.2,-0.05,-0.07,-0.03,0.1\n";
        let page = section(folder(ahead).path()).unwrap();
        assert!(
            page.contains("The optimised strategy is worse than <b>cluster</b>"),
            "{page}"
        );
    }
}
