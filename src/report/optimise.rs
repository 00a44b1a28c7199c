//! The optimisation part of `report.html`: the output folder of `domino optimise` holds
//! `comparison.csv` (the winner against the scenario's strategies on fresh worlds), `best.toml`,
//! `best_schools.csv` (the schools the winner pilots) and `pilots.csv` (the schools greedy
//! selection chose, which the winner may not pilot); when they are there, the report shows them
//! ([`section`]). A folder written
//! by `domino optimise` alone (no `summary.csv`) gets a page of its own ([`page`]).
//!
//! The files are read by their column names (the headers `domino optimise` writes); every text
//! goes through [`super::svg::escape`].

use super::svg::escape;
use crate::error::{Error, InputError, Result};
use crate::scenario::{OptimiseConfig, StrategyConfig};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// What `p_best_beats` (the table's "wins, % of runs" column) is, for the printed table, the
/// page and the README: a share of runs, which a "P(...)" label let readers take for the
/// probability that the optimised strategy is the better one.
pub(crate) const BEATS_MEANING: &str = "the share of the fresh paired runs in which the \
     optimised strategy scored higher than this one, a tie counting half (a share of runs, not \
     the probability that the optimised strategy is better)";

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
pub(crate) const PILOTS_HEADER: [&str; 13] = [
    "school",
    "name",
    "region",
    "rank",
    "added",
    "in_optimised",
    "objective",
    "unit",
    "runs",
    "value",
    "marginal_gain",
    "gain_ci_low",
    "gain_ci_high",
];

/// The header of `best_schools.csv` (written by `domino optimise`, read back here).
pub(crate) const BEST_SCHOOLS_HEADER: [&str; 10] = [
    "school",
    "name",
    "region",
    "runs",
    "piloted",
    "piloted_se",
    "funded",
    "funded_se",
    "sustained",
    "sustained_se",
];

/// Notes on the knobs of `best` that sit on a bound of the search (`cfg`, on a network of
/// `schools` schools) that is not the knob's own limit: the best value may lie beyond it, and
/// each note names the `[optimise]` field that widens the range.
pub fn bound_notes(cfg: &OptimiseConfig, schools: u32, best: &StrategyConfig) -> Vec<String> {
    use crate::scenario::{StrategyKind, SupportMode};
    let mut notes = Vec::new();
    let range = |field: &str, [lo, hi]: [f64; 2], top: f64, v: f64, notes: &mut Vec<String>| {
        let at = |b: f64| (v - b).abs() < 1e-9;
        let shown = format!("[{}, {}]", crate::output::num(lo), crate::output::num(hi));
        if at(hi) && hi < top {
            notes.push(format!(
                "{field} {} is the most the search tried ([optimise] {field} = {shown}): more \
                 may do better; raise the second number of {field} in [optimise] to search \
                 further",
                crate::output::num(v)
            ));
        } else if at(lo) && lo > 0.0 && lo < hi {
            notes.push(format!(
                "{field} {} is the least the search tried ([optimise] {field} = {shown}): less \
                 may do better; lower the first number of {field} in [optimise] to search \
                 further",
                crate::output::num(v)
            ));
        }
    };
    match best.kind {
        Some(StrategyKind::PilotThenCascade) if best.pilots > 0 => {
            let [lo, hi] = cfg.pilots;
            let top = hi.min(schools).max(lo);
            let shown = format!("[{lo}, {hi}]");
            if best.pilots == top && top < schools {
                notes.push(format!(
                    "{} pilots is the most the search tried ([optimise] pilots = {shown}): more \
                     may do better; raise the second number of pilots in [optimise] to search \
                     further",
                    best.pilots
                ));
            } else if best.pilots == lo && lo > 1 && lo < top {
                notes.push(format!(
                    "{} pilots is the fewest the search tried ([optimise] pilots = {shown}): \
                     fewer may do better; lower the first number of pilots in [optimise] to \
                     search further",
                    best.pilots
                ));
            }
        }
        Some(StrategyKind::Cluster) => {
            range("hub_share", cfg.hub_share, 1.0, best.hub_share, &mut notes)
        }
        _ => {}
    }
    if let Some(c) = best.coach_share {
        range("coach_share", cfg.coach_share, 1.0, c, &mut notes);
    }
    if best.support == SupportMode::Build {
        // A build share of 1 is refused: 0.99 is the knob's own limit.
        range(
            "build_share",
            cfg.build_share,
            0.99,
            best.build_share,
            &mut notes,
        );
    }
    notes
}

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
        let record = record.map_err(|e| {
            let (line, message) = super::malformed_row(&e);
            bad(line.unwrap_or(i + 2), message)
        })?;
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

/// A difference as [`shown`] says it, with its sign.
fn signed(objective: &str, text: &str) -> String {
    match text.parse::<f64>() {
        Ok(v) if objective == "cost-per-student" => super::fixed(v, 2, true),
        Ok(v) => super::fixed(100.0 * v, 1, true),
        Err(_) => String::new(),
    }
}

/// The notes on the search's bounds ([`bound_notes`]) for the winner in
/// `best` (the text of `best.toml`) and the search settings of the folder's `scenario.toml`
/// (none when the folder has no `scenario.toml`).
fn notes_of(dir: &Path, best: &str) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Entry {
        strategies: Vec<StrategyConfig>,
    }
    if !dir.join("scenario.toml").is_file() {
        return Ok(Vec::new());
    }
    let scenario = crate::output::folder::read_scenario(dir)?;
    let best_path = dir.join("best.toml");
    let entry: Entry = toml::from_str(best).map_err(|e| {
        Error::from(
            InputError::msg(format!("is not a strategies entry: {}", e.message()))
                .in_file(&best_path),
        )
    })?;
    let Some(best) = entry.strategies.first() else {
        return Ok(Vec::new());
    };
    let cfg = scenario.config.optimise.clone().unwrap_or_default();
    Ok(bound_notes(&cfg, scenario.config.network.schools, best))
}

/// The schools the optimised strategy pilots, from `best_schools.csv`: those piloted in some
/// fresh run, with the share of runs. Empty when the file is not there or lists no school.
fn best_schools(dir: &Path) -> Result<String> {
    let path = dir.join("best_schools.csv");
    if !path.is_file() {
        return Ok(String::new());
    }
    let rows = rows(&path, &BEST_SCHOOLS_HEADER)?;
    let Some(first) = rows.first() else {
        return Ok(String::new());
    };
    let runs = first["runs"].clone();
    let piloted: Vec<&BTreeMap<String, String>> = rows
        .iter()
        .filter(|r| r["piloted"].parse::<f64>().is_ok_and(|p| p > 0.0))
        .collect();
    let mut s = String::new();
    if piloted.is_empty() {
        let _ = writeln!(
            s,
            "<p>The optimised strategy pilots no school in the {} fresh runs; \
             <code>best_schools.csv</code> gives how often it funds and sustains each.</p>",
            escape(&runs)
        );
        return Ok(s);
    }
    let _ = writeln!(
        s,
        "<h3>The schools the optimised strategy pilots</h3>\n<p>The share of the {} fresh runs \
         in which the optimised strategy made each school a pilot (with its standard error), most \
         often first. <code>best_schools.csv</code> lists every school, with how often it was \
         funded and sustained.</p><table id=\"optimise-best-schools\"><thead><tr><th>school</th><th>name</th><th>region</th><th class=\"num\">piloted (% of runs)</th><th class=\"num\">sustained (% of runs)</th></tr></thead><tbody>",
        escape(&runs)
    );
    // A school piloted in 1 run of 200 is not "0 %".
    let pct = |t: &str| match t.parse::<f64>() {
        Ok(v) => match format!("{:.0}", 100.0 * v) {
            zero if zero == "0" && v > 0.0 => "&lt;1".to_string(),
            shown => shown,
        },
        Err(_) => String::new(),
    };
    for r in piloted {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} &plusmn; {}</td><td class=\"num\">{}</td></tr>",
            escape(&r["school"]),
            escape(&r["name"]),
            escape(&r["region"]),
            pct(&r["piloted"]),
            pct(&r["piloted_se"]),
            pct(&r["sustained"])
        );
    }
    s.push_str("</tbody></table>\n");
    Ok(s)
}

/// The pilot schools greedy selection chose (`pilots.csv`): introduced as the optimised
/// strategy's own when it pilots them, and as a rejected set, under a caveat, when it does not.
fn chosen_pilots(dir: &Path, objective: &str) -> Result<String> {
    let path = dir.join("pilots.csv");
    if !path.is_file() {
        return Ok(String::new());
    }
    let rows = rows(&path, &PILOTS_HEADER)?;
    let added: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| r["added"] == "true").collect();
    if added.is_empty() {
        return Ok(String::new());
    }
    let won = added.iter().all(|r| r["in_optimised"] == "true");
    let unit = if objective == "cost-per-student" {
        "students benefiting per SU"
    } else {
        "percentage points"
    };
    let runs = escape(&added[0]["runs"]);
    let mut s = String::new();
    if won {
        let _ = writeln!(
            s,
            "<h3>How its pilot schools were chosen</h3>\n<p>The optimised strategy pilots the \
             schools below (named in <code>best.toml</code>), chosen by greedy selection: each \
             school added is the one that raised the objective most, estimated on the same {runs} \
             search runs; the gain it added is in {unit}, with its 95% interval.</p>"
        );
    } else {
        let _ = writeln!(
            s,
            "<h3>Pilot schools tried and rejected</h3>\n<p class=\"caveat\"><b>Not the \
             recommendation.</b> Greedy selection chose the pilot schools below, but the strategy \
             piloting them did not beat the optimised strategy, which leaves its pilots to the \
             targeting rule: its pilot schools are those listed above. The rejected set is shown \
             for reference only; each gain (in {unit}, with its 95% interval) rests on {runs} \
             search runs.</p>"
        );
    }
    s.push_str(
        "<table id=\"optimise-pilots\"><thead><tr><th>rank</th><th>school</th><th>name</th><th>region</th><th class=\"num\">gain added (95% CI)</th></tr></thead><tbody>\n",
    );
    for r in &added {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} ({} to {})</td></tr>",
            escape(&r["rank"]),
            escape(&r["school"]),
            escape(&r["name"]),
            escape(&r["region"]),
            signed(objective, &r["marginal_gain"]),
            signed(objective, &r["gain_ci_low"]),
            signed(objective, &r["gain_ci_high"])
        );
    }
    s.push_str("</tbody></table>\n");
    let unclear = added
        .iter()
        .filter(|r| !r["gain_ci_low"].parse::<f64>().is_ok_and(|v| v > 0.0))
        .count();
    if unclear > 0 {
        let _ = writeln!(
            s,
            "<p class=\"caveat\">{unclear} of these {} gains {} a 95% interval that includes \
             0: on {runs} runs, the order of those schools is not established.</p>",
            added.len(),
            if unclear == 1 { "has" } else { "have" }
        );
    }
    if let Some(r) = rows.iter().find(|r| r["added"] == "false") {
        let _ = writeln!(
            s,
            "<p>Selection stopped there: the next best school, {} {}, would have changed the \
             objective by {} ({} to {}), and a school that does not raise it is not added (each \
             pilot shares the same money).</p>",
            escape(&r["school"]),
            escape(&r["name"]),
            signed(objective, &r["marginal_gain"]),
            signed(objective, &r["gain_ci_low"]),
            signed(objective, &r["gain_ci_high"])
        );
    }
    Ok(s)
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
        "<table id=\"optimise-table\"><thead><tr><th>strategy</th><th class=\"num\">mean ({unit}, 95% CI)</th><th class=\"num\">worst 10%</th><th class=\"num\">optimised minus this (95% CI)</th><th class=\"num\">optimised wins, % of runs</th></tr></thead><tbody>"
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
        "<p>&ldquo;Optimised wins, % of runs&rdquo;: {}.</p>",
        escape(BEATS_MEANING)
    );
    s.push_str(
        "<p>&ldquo;Worst 10%&rdquo; is the 10th percentile over the fresh runs: what a district \
         would see in a run that is unlucky one time in ten (under parameter uncertainty, the \
         unlucky runs include unfavourable values of the uncertain parameters).</p>\n",
    );
    for note in notes_of(dir, &best)? {
        let _ = writeln!(s, "<p class=\"caveat\">Note: {}.</p>", escape(&note));
    }
    s.push_str(&best_schools(dir)?);
    let _ = writeln!(
        s,
        "<p>The strategy found, to paste into a scenario (<code>best.toml</code>; a field marked \
         &ldquo;not used by this strategy&rdquo; belongs to another kind or mode and changes \
         nothing here):</p><pre>{}</pre>",
        escape(&best)
    );
    s.push_str(&chosen_pilots(dir, &objective)?);
    s.push_str("</section>\n");
    Ok(s)
}

/// A page for a folder that holds only an optimisation: its scenario's name and the section.
pub fn page(dir: &Path, style: &str) -> Result<String> {
    let scenario = crate::output::folder::read_scenario(dir)?;
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
        // The share of runs won is labelled as one and defined, ties counting half.
        assert!(!page.contains("P(optimised"), "{page}");
        assert!(
            page.contains(
                "&ldquo;Optimised wins, % of runs&rdquo;: the share of the fresh paired runs in \
                 which the optimised strategy scored higher than this one, a tie counting half"
            ),
            "{page}"
        );
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

    /// Writes `pilots.csv` (schools 3 and 5 added, 7 where selection stopped; the optimised
    /// strategy pilots them when `won`) and `best_schools.csv` into `dir`.
    fn pilot_files(dir: &Path, won: bool) {
        let header = PILOTS_HEADER.join(",");
        std::fs::write(
            dir.join("pilots.csv"),
            format!(
                "{header}\n3,Lac,Nord,1,true,{won},sustained,share,4,0.1,0.1,0.05,0.15\n\
                 5,Pins,Sud,2,true,{won},sustained,share,4,0.12,0.02,-0.01,0.05\n\
                 7,Eloi,Sud,3,false,false,sustained,share,4,0.09,-0.03,-0.05,-0.01\n"
            ),
        )
        .unwrap();
        let header = BEST_SCHOOLS_HEADER.join(",");
        std::fs::write(
            dir.join("best_schools.csv"),
            format!(
                "{header}\n9,\"École du Lac, Nord\",Nord,200,1,0,1,0,0.5,0.03\n\
                 4,Pins,Sud,200,0.005,0.005,0.005,0.005,0,0\n2,Eloi,Sud,200,0,0,0.2,0.03,0,0\n"
            ),
        )
        .unwrap();
    }

    /// The page names the schools the optimised strategy pilots (from `best_schools.csv`, a
    /// school piloted once in 200 runs reading "<1", not 0), explains "worst 10%", and
    /// presents the pilot schools greedy selection chose as the strategy's own only when it
    /// pilots them: otherwise under a caveat that says they were rejected. Gains are in points
    /// with their interval and runs, an interval across 0 is counted, and where selection
    /// stopped is said.
    #[test]
    fn the_section_names_the_winners_pilots_and_says_when_the_chosen_set_lost() {
        let clear = "thin-spread,sustained,20,0.1,0.09,0.11,0.05,0.2,0.19,0.21,1\n";
        let dir = folder(clear);
        pilot_files(dir.path(), false);
        let page = section(dir.path()).unwrap();
        assert!(
            page.contains("10th percentile over the fresh runs"),
            "{page}"
        );
        assert!(page.contains("id=\"optimise-best-schools\""), "{page}");
        assert!(
            page.contains("<tr><td>9</td><td>École du Lac, Nord</td><td>Nord</td><td class=\"num\">100 &plusmn; 0</td>"),
            "{page}"
        );
        assert!(
            page.contains("<td class=\"num\">&lt;1 &plusmn; &lt;1</td>"),
            "{page}"
        );
        assert!(
            !page.contains("<td>2</td><td>Eloi</td>"),
            "never piloted: {page}"
        );
        assert!(page.contains("Pilot schools tried and rejected"), "{page}");
        assert!(page.contains("<b>Not the recommendation.</b>"), "{page}");
        assert!(
            !page.contains("How its pilot schools were chosen"),
            "{page}"
        );
        assert!(page.contains("rests on 4 search runs"), "{page}");
        assert!(
            page.contains(
                "<td>3</td><td>Lac</td><td>Nord</td><td class=\"num\">+10.0 (+5.0 to +15.0)</td>"
            ),
            "{page}"
        );
        assert!(
            page.contains("1 of these 2 gains has a 95% interval that includes 0"),
            "{page}"
        );
        assert!(page.contains("the next best school, 7 Eloi, would have changed the objective by -3.0 (-5.0 to -1.0)"), "{page}");

        pilot_files(dir.path(), true);
        let page = section(dir.path()).unwrap();
        assert!(page.contains("How its pilot schools were chosen"), "{page}");
        assert!(!page.contains("rejected"), "{page}");
        assert!(!page.contains("Not the recommendation"), "{page}");
    }
}
