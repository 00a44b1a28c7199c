//! `domino report OUT_DIR` and `domino compare --report` (issue 10, section 1): the page is
//! written, self-contained, its strategy table equals summary.csv, names are escaped once, the
//! assumptions keep values the scenario set apart from defaults, and bad folders are clear errors.

mod common;
use common::*;

use std::fs;
use std::path::Path;

/// A small file network: six schools in two regions, one with markup in its name.
const NODES: &str = "id,name,region,size\n\
a1,<b>\"A&B\"</b>,north,300\n\
a2,Second,north,200\n\
a3,Third,north,250\n\
b1,Fourth,south,400\n\
b2,Fifth,south,150\n\
b3,Sixth,south,350\n";
const EDGES: &str =
    "source,target,weight\na1,a2,1\na2,a3,1\na3,b1,0.5\nb1,b2,1\nb2,b3,1\na1,b3,0.2\n";
/// Sets exactly one value away from the defaults besides the network, runs and steps.
const SCENARIO: &str = "name = \"r\"\nseed = 5\nruns = 40\nsteps = 8\n\
[network]\nkind = \"file\"\nnodes = \"nodes.csv\"\nedges = \"edges.csv\"\n\
[mechanisms.dose]\nd50 = 0.7\n";

fn file_network_folder(tmp: &Path) -> std::path::PathBuf {
    write(tmp, "nodes.csv", NODES);
    write(tmp, "edges.csv", EDGES);
    let scenario = write(tmp, "r.toml", SCENARIO);
    let out = tmp.join("out");
    assert_ok(&domino(
        tmp,
        &[
            "compare",
            arg(&scenario),
            "--quiet",
            "--report",
            "--out",
            arg(&out),
        ],
    ));
    out
}

/// The value of attribute `name` in the tag text `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The summary table's numeric cells: (strategy, metric, stat, data-value, percent, text).
fn summary_cells(html: &str) -> Vec<(String, String, String, String, bool, String)> {
    let start = html
        .find("<table id=\"summary\"")
        .expect("the summary table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let mut out = Vec::new();
    for row in table.split("<tr ").skip(1) {
        let Some(strategy) = attr(&format!(" {row}"), "data-strategy").map(str::to_string) else {
            continue;
        };
        for cell in row.split("<td").skip(1) {
            let tag = &cell[..cell.find('>').unwrap()];
            let Some(metric) = attr(tag, "data-metric") else {
                continue;
            };
            let text = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
            out.push((
                strategy.clone(),
                metric.to_string(),
                attr(tag, "data-stat").unwrap().to_string(),
                attr(tag, "data-value").unwrap().to_string(),
                attr(tag, "data-percent") == Some("true"),
                text.to_string(),
            ));
        }
    }
    out
}

#[test]
fn compare_report_writes_a_self_contained_page_whose_table_equals_summary_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("data-page=\"report\""));
    assert!(html.contains("dataset.ready = \"true\""));
    assert!(html.contains("id=\"decision\""));
    // Self-contained: nothing is fetched.
    let lower = html.to_lowercase();
    for bad in [
        "src=\"http",
        "src='http",
        "<link",
        "@import",
        "url(",
        "@font-face",
        "fetch(",
        "xmlhttprequest",
    ] {
        assert!(!lower.contains(bad), "the page fetches something: {bad}");
    }
    for (k, _) in lower.match_indices("href=\"") {
        let target = &lower[k + 6..];
        assert!(
            target.starts_with('#'),
            "a link leaves the page: {}",
            &target[..40.min(target.len())]
        );
    }
    // The summary table: data-value is the CSV cell, the text its rounding.
    let rows = csv_rows(&out.join("summary.csv"));
    let cells = summary_cells(&html);
    let mut seen = std::collections::BTreeSet::new();
    for (strategy, metric, stat, value, percent, text) in &cells {
        let row = rows
            .iter()
            .find(|r| &r["strategy"] == strategy && &r["metric"] == metric)
            .unwrap_or_else(|| panic!("no summary.csv row for {strategy} {metric}"));
        assert_eq!(&row[stat.as_str()], value, "{strategy} {metric} {stat}");
        seen.insert((strategy.clone(), metric.clone(), stat.clone()));
        assert!(!value.is_empty(), "an empty CSV cell carries no data-value");
        let v: f64 = value.parse().unwrap();
        let shown = if *percent { v * 100.0 } else { v };
        let decimals = text.split('.').nth(1).map_or(0, str::len);
        let rounded = format!("{shown:.decimals$}");
        // A value that rounds to zero is shown without a minus sign.
        let expected = match rounded.strip_prefix('-') {
            Some(zero) if zero.bytes().all(|b| b == b'0' || b == b'.') => zero.to_string(),
            _ => rounded,
        };
        assert_eq!(text, &expected, "{strategy} {metric} {stat}");
    }
    for strategy in ["thin-spread", "pilot-then-cascade", "cluster"] {
        for metric in ["students_benefiting_share", "sustained_share"] {
            for stat in ["mean", "ci_low", "ci_high"] {
                assert!(
                    seen.contains(&(strategy.into(), metric.into(), stat.into())),
                    "missing {strategy} {metric} {stat}"
                );
            }
        }
    }
    // Every section a board reads, in order.
    let order = [
        "id=\"decision\"",
        "id=\"summary\"",
        "id=\"budget\"",
        "id=\"over-time\"",
        "id=\"single-district\"",
        "id=\"equity\"",
        "id=\"cost\"",
        "id=\"schools\"",
        "id=\"drivers\"",
        "id=\"assumptions\"",
        "id=\"reproduce\"",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("no {s}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    // A file network: one circle per school on the map, and the schools table.
    assert_eq!(html.matches("<circle class=\"school\"").count(), 6);
    assert!(html.contains("id=\"schools-table\""));
    // Without --ablate, the page says how to get the ablation.
    assert!(html.contains("domino compare --ablate"));
}

#[test]
fn names_from_the_node_table_are_escaped_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"),
        "escaped once"
    );
    assert!(!html.contains("<b>\"A&B\"</b>"), "not raw");
    assert!(!html.contains("&amp;lt;"), "not twice");
}

#[test]
fn assumptions_keep_what_the_scenario_set_apart_from_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let section = |id: &str| {
        let start = html.find(&format!("<table id=\"{id}\"")).unwrap();
        html[start..start + html[start..].find("</table>").unwrap()].to_string()
    };
    let set = section("set-values");
    let defaults = section("default-values");
    assert!(set.contains("data-path=\"mechanisms.dose.d50\""));
    assert!(set.contains("<code>0.7</code>") && set.contains("<code>1.0</code>"));
    assert!(!defaults.contains("data-path=\"mechanisms.dose.d50\""));
    assert!(defaults.contains("data-path=\"mechanisms.dose.hill\""));
    assert!(!set.contains("data-path=\"mechanisms.dose.hill\""));
    // Each is linked to its reason, copied into the page.
    assert!(
        set.contains("href=\"#doc-41-minimum-effective-dose"),
        "{set}"
    );
    assert!(html.contains("id=\"doc-41-minimum-effective-dose"));
    // The run-level keys' defaults and reasons are §1's table, not §8's account of the seeds.
    for key in ["runs", "steps", "seed"] {
        let row = &set[set.find(&format!("data-path=\"{key}\"")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("href=\"#doc-run-level-keys\"") && row.contains("Run-level keys"),
            "{row}"
        );
    }
    let objective = &defaults[defaults.find("data-path=\"objective\"").unwrap()..];
    assert!(objective[..objective.find("</tr>").unwrap()].contains("Run-level keys"));
    let appendix = &html[html.find("<section id=\"model-doc\"").unwrap()..];
    assert!(appendix.contains("id=\"doc-run-level-keys\""));
    assert!(
        appendix.contains("1,000 paired runs"),
        "the reason for 1,000 runs"
    );
}

#[test]
fn report_reads_a_finished_folder_again_and_generated_networks_say_why_no_map() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("g");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "12",
            "--steps",
            "6",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    assert!(!out.join("report.html").exists());
    let run = domino(tmp.path(), &["report", arg(&out)]);
    assert_ok(&run);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Per-school results need a node table"));
    assert_eq!(html.matches("<circle class=\"school\"").count(), 0);
    // The same folder gives the same page.
    let again = domino(tmp.path(), &["report", arg(&out)]);
    assert_ok(&again);
    assert_eq!(html, fs::read_to_string(out.join("report.html")).unwrap());
}

/// `compare --report` writes the page before its folder gets its name: the page's "how to
/// reproduce" command names the final folder, not the staging folder (whose name holds the
/// process id), so the same command gives the same page.
#[test]
fn compare_report_names_the_final_folder_and_repeats_to_the_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let page = || {
        let run = domino(
            tmp.path(),
            &[
                "compare", "--runs", "6", "--steps", "4", "--quiet", "--report", "--out", "rep",
            ],
        );
        assert_ok(&run);
        fs::read_to_string(tmp.path().join("rep").join("report.html")).unwrap()
    };
    let first = page();
    assert!(first.contains("domino compare rep/scenario.toml --out NEW_FOLDER --report"));
    // The ablation's differences are with minus without (ablation.csv's `diff` = on - off), and
    // the page says so.
    let ablated = domino(
        tmp.path(),
        &[
            "compare", "--runs", "6", "--steps", "4", "--quiet", "--report", "--ablate", "--out",
            "abl",
        ],
    );
    assert_ok(&ablated);
    let html = fs::read_to_string(tmp.path().join("abl").join("report.html")).unwrap();
    assert!(html.contains("with minus without") && !html.contains("off minus on"));
    let rows = csv_rows(&tmp.path().join("abl").join("ablation.csv"));
    let r = &rows[0];
    let num = |k: &str| r[k].parse::<f64>().unwrap();
    assert!(
        (num("diff") - (num("on") - num("off"))).abs() < 1e-9,
        "{r:?}"
    );
    assert!(!first.contains("staging"));
    assert_eq!(first, page());
}

/// A file network's folder without its schools.csv does not get the generated networks' reason.
#[test]
fn a_file_network_folder_without_schools_csv_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    fs::remove_file(out.join("schools.csv")).unwrap();
    assert_ok(&domino(tmp.path(), &["report", arg(&out)]));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("has no <code>schools.csv</code>"));
    assert!(!html.contains("generated anew in every run"));
}

/// Two strategies the model cannot tell apart (the same kind and settings under two names) tie
/// in every run: the verdict and the page say so, and call neither the winner.
#[test]
fn identical_strategies_are_a_tie_not_a_win() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "tie.toml",
        "runs = 12\nsteps = 5\n[[strategies]]\nname = \"cluster\"\n\
         [[strategies]]\nname = \"cluster-again\"\nkind = \"cluster\"\n\
         [[strategies]]\nname = \"thin-spread\"\n",
    );
    let run = domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--quiet",
            "--report",
            "--out",
            "t",
        ],
    );
    assert_ok(&run);
    let out = stdout(&run);
    assert!(
        out.contains("No winner on students benefiting share: cluster and cluster-again gave exactly the same result in every paired run"),
        "{out}"
    );
    assert!(!out.contains("Winner on"), "{out}");
    let html = fs::read_to_string(tmp.path().join("t").join("report.html")).unwrap();
    assert!(html.contains(
        "No strategy is best: <strong>cluster</strong> and <strong>cluster-again</strong> gave exactly the same result"
    ));
    assert!(!html.contains("Choose <strong>"));
    assert!(!html.contains("did best on average"));
}

#[test]
fn report_on_a_wrong_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = domino(tmp.path(), &["report", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_no_panic(&missing);
    assert!(stderr(&missing).contains("nowhere") && stderr(&missing).contains("no such folder"));

    fs::write(tmp.path().join("summary.csv"), "strategy\n").unwrap();
    let file = domino(tmp.path(), &["report", "summary.csv"]);
    assert_eq!(file.status.code(), Some(2));
    assert!(
        stderr(&file).contains("is a file, not a folder"),
        "{}",
        stderr(&file)
    );

    fs::create_dir(tmp.path().join("empty")).unwrap();
    let empty = domino(tmp.path(), &["report", "empty"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("not the output folder of `domino compare`"));
    assert!(stderr(&empty).contains("summary.csv"));

    // A malformed CSV: the error names the file and line.
    let out = tmp.path().join("g");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "4",
            "--steps",
            "3",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    let summary = out.join("summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[3] = "zero"; // the mean
    lines[1] = cells.join(",");
    fs::write(&summary, lines.join("\n") + "\n").unwrap();
    let bad = domino(tmp.path(), &["report", arg(&out)]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert_no_panic(&bad);
    assert!(stderr(&bad).contains("summary.csv"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("zero"), "{}", stderr(&bad));
    assert!(!out.join("report.html").exists());

    // A file cut short in a row: what the row lacks, in the words of the input readers, not the
    // csv crate's ("found record with 5 fields, but the previous record has 10 fields").
    let columns = lines[0].split(',').count();
    lines[1] = lines[1].split(',').take(3).collect::<Vec<_>>().join(",");
    fs::write(&summary, lines.join("\n") + "\n").unwrap();
    let cut = domino(tmp.path(), &["report", arg(&out)]);
    assert_eq!(cut.status.code(), Some(2), "{}", stderr(&cut));
    assert!(
        stderr(&cut).contains(&format!(
            "summary.csv:2: 3 fields, expected {columns} as in the header; the file was edited or \
             cut short: rerun the command that wrote it"
        )),
        "{}",
        stderr(&cut)
    );
    assert!(
        !stderr(&cut).contains("previous record"),
        "{}",
        stderr(&cut)
    );
}

/// The review's repro (§7): a folder whose `scenario.toml` was emptied or edited after the run
/// reported the default scenario (400 schools, 1000 runs of 20 terms) as if it had run.
#[test]
fn report_refuses_a_scenario_toml_that_is_not_the_one_the_folder_ran() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "tiny.toml",
        "name = \"tiny\"\nruns = 6\nsteps = 4\n[network]\nschools = 60\nregions = 3\n",
    );
    let out = tmp.path().join("out");
    assert_ok(&domino(
        tmp.path(),
        &["compare", arg(&scenario), "--quiet", "--out", arg(&out)],
    ));
    let toml = out.join("scenario.toml");
    let original = fs::read_to_string(&toml).unwrap();

    fs::write(&toml, "").unwrap();
    let empty = domino(tmp.path(), &["report", arg(&out)]);
    assert_eq!(empty.status.code(), Some(2), "{}", stderr(&empty));
    assert_no_panic(&empty);
    assert!(
        stderr(&empty).contains("scenario.toml") && stderr(&empty).contains("is empty"),
        "{}",
        stderr(&empty)
    );
    assert!(!out.join("report.html").exists());

    fs::write(&toml, "runs = 500\n").unwrap();
    let edited = domino(tmp.path(), &["report", arg(&out)]);
    assert_eq!(edited.status.code(), Some(2), "{}", stderr(&edited));
    let err = stderr(&edited);
    assert!(err.contains("scenario.toml"), "{err}");
    assert!(
        err.contains("runs is 500 here, 6 in manifest.json"),
        "{err}"
    );
    assert!(
        err.contains("steps is 20 here, 4 in manifest.json"),
        "{err}"
    );
    assert!(!out.join("report.html").exists());

    // One value edited in the written file, the rest kept.
    fs::write(&toml, original.replace("steps = 4", "steps = 5")).unwrap();
    let one = domino(tmp.path(), &["report", arg(&out)]);
    assert_eq!(one.status.code(), Some(2), "{}", stderr(&one));
    assert!(stderr(&one).contains("steps is 5 here, 4 in manifest.json"));

    fs::write(&toml, original).unwrap();
    assert_ok(&domino(tmp.path(), &["report", arg(&out)]));
}

#[test]
fn uncertain_worlds_and_classic_models_get_their_own_words() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "u.toml",
        "name = \"u\"\nseed = 2\nruns = 16\nsteps = 6\n\
         [mechanisms.dose]\nd50 = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
    );
    let out = tmp.path().join("u");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--quiet",
            "--report",
            "--out",
            arg(&out),
        ],
    ));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("How sure across plausible worlds: every run drew its own values of <code>mechanisms.dose.d50</code>"));
    assert!(html.contains("Which uncertain parameters decide the winner"));
    let set = &html[html.find("<table id=\"set-values\"").unwrap()..];
    assert!(set[..set.find("</table>").unwrap()].contains("data-path=\"mechanisms.dose.d50\""));

    let out = tmp.path().join("bass");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&repo("scenarios/classic-bass.toml")),
            "--runs",
            "8",
            "--quiet",
            "--report",
            "--out",
            arg(&out),
        ],
    ));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<table id=\"summary\""));
    assert!(
        !html.contains("--ablate"),
        "classic models cannot be ablated"
    );
    assert!(
        !html.contains("objective is"),
        "classic models have no objective"
    );
}

/// Two pilot-then-cascade strategies that differ in one knob, on a generated network: `b` is
/// ahead of `a` on average, and the margin is small.
fn two_close_strategies(tmp: &Path, a: &str, b: &str) -> std::path::PathBuf {
    let scenario = write(
        tmp,
        "n.toml",
        format!(
            "name = \"n\"\nseed = 3\nruns = 200\nsteps = 12\n[network]\nschools = 120\nregions = 4\n\
             [[strategies]]\nname = \"a\"\nkind = \"pilot-then-cascade\"\n{a}\n\
             [[strategies]]\nname = \"b\"\nkind = \"pilot-then-cascade\"\n{b}\n"
        ),
    );
    let out = tmp.join("out");
    assert_ok(&domino(
        tmp,
        &[
            "compare",
            arg(&scenario),
            "--quiet",
            "--report",
            "--out",
            arg(&out),
        ],
    ));
    out
}

/// The text of the element with id `id` (its first line of markup, tags removed).
fn decision_text(html: &str) -> String {
    let start = html.find("<div id=\"decision\">").unwrap();
    let p = &html[start..start + html[start..].find("</p>").unwrap()];
    let mut out = String::new();
    let mut in_tag = false;
    for c in p.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn paired_row(out: &Path, s: &str, o: &str) -> std::collections::BTreeMap<String, String> {
    csv_rows(&out.join("paired.csv"))
        .into_iter()
        .find(|r| {
            r["strategy"] == s && r["versus"] == o && r["metric"] == "students_benefiting_share"
        })
        .unwrap()
}

#[test]
fn a_narrow_win_says_narrowly_with_its_margin_and_how_often_it_is_best() {
    let tmp = tempfile::tempdir().unwrap();
    let out = two_close_strategies(tmp.path(), "pilots = 3", "pilots = 4");
    let p = paired_row(&out, "b", "a");
    let num = |k: &str| p[k].parse::<f64>().unwrap();
    // The case this test is about: clear on average, yet b does better in under 75% of runs.
    assert!(num("diff_ci_low") > 0.0 && num("p_beats") < 0.75, "{p:?}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let text = decision_text(&html);
    let points = |v: f64| format!("{:+.1}", 100.0 * v);
    let expected = format!(
        "Choose b, narrowly: ahead of a, the runner-up, by {} points on average (95% CI {} to {}); best in ",
        points(num("mean_diff")),
        points(num("diff_ci_low")),
        points(num("diff_ci_high"))
    );
    assert!(text.starts_with(&expected), "{text}\nexpected: {expected}");
    // "best in" is the share of runs in which b had the best objective (two arms: p_beats with
    // ties split, as wins are).
    assert!(
        text.contains(&format!(
            "best in {:.1}% of the runs",
            100.0 * num("p_beats")
        )),
        "{text}"
    );
}

#[test]
fn a_robust_win_is_not_called_narrow_and_a_tiny_positive_bound_is_not_plus_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let out = two_close_strategies(tmp.path(), "pilots = 2", "pilots = 4");
    let p = paired_row(&out, "b", "a");
    let num = |k: &str| p[k].parse::<f64>().unwrap();
    assert!(num("diff_ci_low") > 0.0 && num("p_beats") >= 0.75, "{p:?}");
    let text = decision_text(&fs::read_to_string(out.join("report.html")).unwrap());
    assert!(text.starts_with("Choose b: ahead of a"), "{text}");

    // A lower bound of the paired difference above zero but below 0.05 points.
    let tmp = tempfile::tempdir().unwrap();
    let out = two_close_strategies(tmp.path(), "coach_share = 0.2", "coach_share = 0.1");
    let p = paired_row(&out, "b", "a");
    let low = 100.0 * p["diff_ci_low"].parse::<f64>().unwrap();
    assert!(low > 0.0 && low < 0.05, "{p:?}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let text = decision_text(&html);
    let shown = domino::report::fixed_nonzero(low, 1);
    assert!(shown.starts_with("+0.0") && shown.len() > 4, "{shown}");
    assert!(text.contains(&format!("95% CI {shown} to")), "{text}");
    assert!(!html.contains("CI +0.0 to"), "{text}");
    // The terminal's verdict line writes it the same way.
    let verdict = stdout(&domino(
        tmp.path(),
        &["compare", "n.toml", "--quiet", "--out", "again"],
    ));
    assert!(verdict.contains(&format!("95% CI {shown} to")), "{verdict}");
}

/// The HTML of the `<section id="{id}">`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap();
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[test]
fn the_page_gives_the_real_size_intervals_everywhere_and_the_runs_behind_each_cost() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // The size from the data, beside the description.
    assert!(
        html.contains("<p class=\"meta\" id=\"size\">6 schools in 2 regions; 40 runs of 8 terms"),
        "{}",
        &html[..html.find("</header>").unwrap()]
    );
    // Every table of strategies gives its means with an interval.
    for id in ["budget", "equity", "cost"] {
        let s = section(&html, id);
        let cells = s.matches("data-stat=\"mean\"").count();
        assert!(cells >= 3, "{id}: {cells}");
        // The cost per student benefiting, a ratio of means (no summary.csv row), has its
        // interval too: one more per strategy.
        let ratios = if id == "cost" {
            3 - s.matches("n/a (no student benefits)").count()
        } else {
            0
        };
        assert_eq!(
            s.matches("<span class=\"ci\">(").count(),
            cells + ratios,
            "{id}"
        );
    }
    let summary = section(&html, "strategies");
    assert_eq!(
        summary.matches("<span class=\"ci\">(").count(),
        3,
        "best in"
    );
    // The cost per school sustained says how many runs it rests on: summary.csv's n.
    let rows = csv_rows(&out.join("summary.csv"));
    let cost = section(&html, "cost");
    for s in ["thin-spread", "pilot-then-cascade", "cluster"] {
        let n = &rows
            .iter()
            .find(|r| r["strategy"] == s && r["metric"] == "cost_per_sustained_su")
            .unwrap()["n"];
        let row = &cost[cost.find(&format!("<tr><td>{s}</td>")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{n} of 40<")), "{row}");
    }
    // Schools and regions: the objective's share with its interval.
    let schools = section(&html, "schools");
    assert!(schools.contains("<th class=\"num\">benefiting (%)</th>"));
    let table = &schools[schools.find("id=\"schools-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<span class=\"ci\">(").count(),
        6 * 4,
        "four shares per school (best strategy), each with its Wilson interval"
    );
    assert_eq!(
        schools.matches("<span class=\"ci\">±").count(),
        2 * 3 * 4,
        "four mean shares per region and strategy"
    );
}

/// A school funded in none (or all) of the runs still has a chance the runs cannot rule out: its
/// interval is Wilson's, not a standard error's that shrinks to "±0.0" at 0 and 100 %.
#[test]
fn a_schools_chance_at_0_or_100_percent_keeps_an_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let schools = section(&html, "schools");
    let table = &schools[schools.find("id=\"schools-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    // Wilson's 95 % interval for 0 of 40 runs reaches 8.8 %, for 40 of 40 down to 91.2 %.
    let certain = table.matches(">0.0 <span").count() + table.matches(">100.0 <span").count();
    assert!(
        certain > 0,
        "no school at 0 or 100 %: the test shows nothing\n{table}"
    );
    assert_eq!(
        table
            .matches(">0.0 <span class=\"ci\">(0.0 to 8.8)")
            .count()
            + table
                .matches(">100.0 <span class=\"ci\">(91.2 to 100.0)")
                .count(),
        certain,
        "{table}"
    );
    assert!(!table.contains('±'), "{table}");
}

/// The Equity section names what `no_benefit_share_high_need` / `_low_need` count
/// (docs/model.md §4.7): counted adopters, not practising schools.
#[test]
fn the_equity_caption_says_the_no_benefit_shares_are_over_counted_adopters() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let equity = section(&html, "equity");
    assert!(
        equity.contains("No benefit: share of counted adopters (sustained schools, and implementing schools with at least 2 terms in the stage, practising yet or not) whose realized effect is below the benefit bar (0.0500 SD)"),
        "{equity}"
    );
    assert!(!equity.contains("share of practising schools"), "{equity}");
}

/// The cost per student benefiting is the ratio of the means in runs.csv, and its interval is
/// the delta method's: recomputed here from the runs.
#[test]
fn the_cost_per_student_has_a_delta_method_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let cost = section(&html, "cost");
    let runs = csv_rows(&out.join("runs.csv"));
    let mut checked = 0;
    for s in ["thin-spread", "pilot-then-cascade", "cluster"] {
        let col = |m: &str| -> Vec<f64> {
            runs.iter()
                .filter(|r| r["strategy"] == s)
                .map(|r| r[m].parse().unwrap())
                .collect()
        };
        let (x, y) = (col("spend_su"), col("students_benefiting"));
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let row = &cost[cost.find(&format!("<tr><td>{s}</td>")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        if my == 0.0 {
            assert!(row.contains("n/a (no student benefits)"), "{row}");
            continue;
        }
        checked += 1;
        let r = mx / my;
        let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - r * b).collect();
        let md = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|v| (v - md).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // t(0.975, 39)
        let half = 2.0227 * sd / (my * n.sqrt());
        let last = &row[row.rfind("<td class=\"num\">").unwrap()..];
        let numbers: Vec<f64> = last
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|t| t.parse().ok())
            .collect();
        assert_eq!(numbers.len(), 3, "{last}");
        for (got, want) in numbers.iter().zip([r, (r - half).max(0.0), r + half]) {
            assert!(
                (got - want).abs() <= 0.006 * want.abs().max(1e-9),
                "{s}: {got} vs {want} in {last}"
            );
        }
    }
    assert!(
        checked >= 2,
        "the test needs strategies with students benefiting"
    );
}

#[test]
fn fields_the_network_files_replace_are_not_assumptions() {
    let tmp = tempfile::tempdir().unwrap();
    let out = file_network_folder(tmp.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let assumptions = section(&html, "assumptions");
    for replaced in [
        "network.mean_degree",
        "network.rewire",
        "schools.size_sigma",
    ] {
        assert!(
            !assumptions.contains(&format!("data-path=\"{replaced}\"")),
            "{replaced} listed as an assumption"
        );
    }
    let note = &assumptions[assumptions.find("id=\"not-used\"").unwrap()..];
    assert!(note.contains("from <code>network-edges.csv</code>: "));
    assert!(note.contains("<code>network.mean_degree</code>"));
    assert!(note.contains("from <code>network-nodes.csv</code>: <code>schools.size_sigma</code>"));
    // The node table gives no need: its law is still an assumption.
    assert!(assumptions.contains("data-path=\"schools.need_alpha\""));
    // `domino check` marks the same fields.
    let check = domino(tmp.path(), &["check", "r.toml"]);
    assert_ok(&check);
    let listing = stdout(&check);
    assert!(
        listing.contains("mean_degree = 8.0  # not used: from edges.csv\n"),
        "{listing}"
    );
    assert!(listing.contains("size_sigma = 0.5  # not used: from nodes.csv\n"));
    assert!(listing.contains("need_alpha = 2.0\n"));
}

/// The schools and regions a node table gives are the data's, not values the scenario set; a
/// per-school budget that budget.total replaces is not a default the result relied on.
#[test]
fn values_the_files_give_or_another_setting_replaces_are_attributed() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "nodes.csv", NODES);
    write(tmp.path(), "edges.csv", EDGES);
    let scenario = write(tmp.path(), "r.toml", SCENARIO);
    let out = tmp.path().join("out");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--set",
            "budget.total=3",
            "--quiet",
            "--report",
            "--out",
            arg(&out),
        ],
    ));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let assumptions = section(&html, "assumptions");
    for path in ["network.schools", "network.regions", "budget.per_school"] {
        assert!(
            !assumptions.contains(&format!("data-path=\"{path}\"")),
            "{path} listed as set or relied on"
        );
    }
    assert!(assumptions.contains("data-path=\"budget.total\""));
    let given = &assumptions[assumptions.find("id=\"from-files\"").unwrap()..];
    assert!(
        given.contains(
            "<code>network.regions</code> = <code>2</code> (from <code>network-nodes.csv</code>), \
             <code>network.schools</code> = <code>6</code> (from <code>network-nodes.csv</code>)"
        ),
        "{given}"
    );
    let overridden = &assumptions[assumptions.find("id=\"overridden\"").unwrap()..];
    assert!(
        overridden.contains("<code>budget.per_school</code> (budget.total is set)"),
        "{overridden}"
    );
}

/// One run has no spread: the page's decision names what happened in that run, not a lead "on
/// average" nor "best in 100.0% of the runs", which would read as evidence.
#[test]
fn one_run_report_says_what_happened_in_that_run_only() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |runs: &str, out: &str| {
        assert_ok(&domino(
            tmp.path(),
            &[
                "compare", "--runs", runs, "--quiet", "--report", "--out", out,
            ],
        ));
        fs::read_to_string(tmp.path().join(out).join("report.html")).unwrap()
    };
    let one = run("1", "one");
    assert!(one.contains("did best in the one run"), "one run");
    assert!(
        !one.contains("of the runs"),
        "no share of runs from one run"
    );
    assert!(
        !one.contains("did best on average"),
        "no average from one run"
    );
    // With runs to average over, the page still gives the share of runs.
    let many = run("30", "many");
    assert!(many.contains("of the runs"), "a share of runs from 30 runs");
}
