//! The comparison table `domino compare` prints: a cell without an interval says so, and a mean
//! over fewer runs than were run says over how many.

mod common;
use common::*;

/// The table's row of `strategy`.
fn row<'a>(table: &'a str, strategy: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.starts_with(&format!("{strategy} ")))
        .unwrap_or_else(|| panic!("no row {strategy} in\n{table}"))
}

#[test]
fn one_run_prints_no_made_up_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out = domino(
        tmp.path(),
        &[
            "compare", "--runs", "1", "--steps", "4", "--quiet", "--out", "o",
        ],
    );
    assert_ok(&out);
    let table = stdout(&out);
    for s in ["thin-spread", "pilot-then-cascade", "cluster"] {
        let r = row(&table, s);
        assert!(!r.contains("(0.0-100.0)"), "{r}");
        // benefiting, sustained and unspent: a mean and "(no CI)"; so is every other mean (the
        // "±" columns), as the legend says, not the mean alone.
        // benefiting, sustained, unspent and the equity gap (defined in every run).
        assert!(r.matches(" (no CI)").count() >= 4, "{r}");
        assert!(!r.contains('±'), "{r}");
    }
    // summary.csv leaves the same intervals empty.
    let rows = csv_rows(&tmp.path().join("o/summary.csv"));
    let r = rows
        .iter()
        .find(|r| r["strategy"] == "cluster" && r["metric"] == "sustained_share")
        .unwrap();
    assert_eq!((r["ci_low"].as_str(), r["ci_high"].as_str()), ("", ""));
    assert!(table.contains("(no CI) = no interval (one run)"));
}

/// Runs `compare` into `dir/o` on 60 runs of 60 schools with a tiny budget spread thin, with the
/// built-in strategies `names`; checks it succeeded.
fn compare_thin(dir: &std::path::Path, names: &[&str]) -> std::process::Output {
    let strategies: String = names
        .iter()
        .map(|n| format!("[[strategies]]\nname = \"{n}\"\n"))
        .collect();
    let scenario = write(
        dir,
        "thin.toml",
        format!(
            "seed = 2\nruns = 60\nsteps = 8\n[network]\nschools = 60\nregions = 3\n\
             [budget]\nper_school = 0.05\n{strategies}"
        ),
    );
    let out = domino(dir, &["compare", arg(&scenario), "--quiet", "--out", "o"]);
    assert_ok(&out);
    out
}

#[test]
fn a_mean_over_some_runs_says_how_many() {
    let tmp = tempfile::tempdir().unwrap();
    // A tiny budget spread thin: in most runs no school is sustained, so the cost per school
    // sustained is defined only in the others.
    let out = compare_thin(tmp.path(), &["thin-spread", "pilot-then-cascade"]);
    let table = stdout(&out);
    let rows = csv_rows(&tmp.path().join("o/summary.csv"));
    let mut partial = false;
    for s in ["thin-spread", "pilot-then-cascade"] {
        let n: usize = rows
            .iter()
            .find(|r| r["strategy"] == s && r["metric"] == "cost_per_sustained_su")
            .unwrap()["n"]
            .parse()
            .unwrap();
        let r = row(&table, s);
        if n > 0 && n < 60 {
            partial = true;
            assert!(r.contains(&format!(" [{n} runs]")), "{r}");
        }
    }
    assert!(
        partial,
        "the test needs a strategy that sustained no school in some runs"
    );
    assert!(table.contains("[k runs] = mean over only the k runs in which the figure is defined"));
}

/// Over two runs a t interval is 12.7 standard errors wide on each side: it reaches far below a
/// share's 0 or a count's 0 and past a share's 1. summary.csv and the table clip it to the values
/// the figure can take, and the table shows a clipped interval as "(low to high)", not "±".
#[test]
fn intervals_stay_within_what_the_figure_can_take() {
    let tmp = tempfile::tempdir().unwrap();
    let out = domino(
        tmp.path(),
        &[
            "compare", "--runs", "2", "--steps", "6", "--quiet", "--out", "o",
        ],
    );
    assert_ok(&out);
    let rows = csv_rows(&tmp.path().join("o/summary.csv"));
    let mut touched = 0;
    for r in &rows {
        let metric = r["metric"].as_str();
        let (Ok(lo), Ok(hi)) = (r["ci_low"].parse::<f64>(), r["ci_high"].parse::<f64>()) else {
            continue;
        };
        let (min, max) = match metric {
            "mean_effect_sd" => continue,
            "equity_gap" => (-1.0, 1.0),
            m if m.contains("share") || m.starts_with("mean_practice") => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        };
        assert!(min <= lo && hi <= max, "{metric}: {lo} to {hi}");
        touched += usize::from(lo == min || hi == max);
    }
    assert!(touched > 5, "the test needs intervals that reach a bound");
    let table = stdout(&out);
    assert!(table.contains(" to "), "a clipped interval:\n{table}");
    assert!(table.contains("(low to high) = that interval where it is clipped"));
    for line in table
        .lines()
        .filter(|l| l.contains('±') && !l.starts_with("Columns"))
    {
        // No "±" wider than the figure's range allows: 16.7±211.8 was one.
        for cell in line.split_whitespace().filter(|c| c.contains('±')) {
            let (m, h) = cell.split_once('±').unwrap();
            let (m, h): (f64, f64) = (
                m.trim_start_matches('+').parse().unwrap(),
                h.parse().unwrap(),
            );
            assert!(
                m - h >= -100.05 && (m - h >= -0.05 || m < 0.0),
                "{cell} in {line}"
            );
        }
    }
}

/// summary.csv's `best_share` rows are the table's "wins": in each run the strategies with the
/// largest headline figure share the win equally. Recomputed here from runs.csv on a scenario
/// whose runs include outright wins by more than one strategy and ties.
#[test]
fn best_share_is_the_share_of_runs_each_strategy_wins_ties_split() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["thin-spread", "pilot-then-cascade", "cluster"];
    compare_thin(tmp.path(), &names);
    let runs = csv_rows(&tmp.path().join("o/runs.csv"));
    let mut wins = [0.0f64; 3];
    let (mut ties, mut winners) = (0, std::collections::BTreeSet::new());
    for run in 0..60 {
        let x: Vec<f64> = names
            .iter()
            .map(|s| {
                let r = runs
                    .iter()
                    .find(|r| r["strategy"] == *s && r["run"] == run.to_string())
                    .unwrap();
                r["students_benefiting_share"].parse().unwrap()
            })
            .collect();
        let best = x.iter().cloned().fold(f64::MIN, f64::max);
        let tied: Vec<usize> = (0..3).filter(|&k| x[k] == best).collect();
        ties += usize::from(tied.len() > 1);
        if tied.len() == 1 {
            winners.insert(tied[0]);
        }
        for k in &tied {
            wins[*k] += 1.0 / tied.len() as f64;
        }
    }
    assert!(
        ties > 0 && winners.len() > 1,
        "ties {ties}, winners {winners:?}"
    );
    let summary = csv_rows(&tmp.path().join("o/summary.csv"));
    let mut total = 0.0;
    for (k, s) in names.iter().enumerate() {
        let r = summary
            .iter()
            .find(|r| r["strategy"] == *s && r["metric"] == "best_share")
            .unwrap_or_else(|| panic!("no best_share row for {s}"));
        let (mean, lo, hi): (f64, f64, f64) = (
            r["mean"].parse().unwrap(),
            r["ci_low"].parse().unwrap(),
            r["ci_high"].parse().unwrap(),
        );
        assert_eq!(r["n"], "60");
        assert!(
            (mean - wins[k] / 60.0).abs() < 1e-12,
            "{s}: {mean} vs {}",
            wins[k] / 60.0
        );
        assert!(
            0.0 <= lo && lo <= mean && mean <= hi && hi <= 1.0,
            "{s}: {lo} {mean} {hi}"
        );
        total += mean;
    }
    assert!(
        (total - 1.0).abs() < 1e-12,
        "the wins of all strategies add to every run: {total}"
    );
}

/// A leader's terminal is 80 to 120 characters wide; the table is about 210. With a width
/// (`COLUMNS`, or the terminal's), the columns that do not fit go to further blocks and the
/// prose is broken between words: every line fits, and every figure and word is still there.
#[test]
fn a_width_fits_the_table_and_keeps_every_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["thin-spread", "pilot-then-cascade", "cluster"];
    let wide = stdout(&compare_thin(tmp.path(), &names));
    let scenario = tmp.path().join("thin.toml");
    let narrow = std::process::Command::new(env!("CARGO_BIN_EXE_domino"))
        .env("COLUMNS", "80")
        .current_dir(tmp.path())
        .args(["compare", arg(&scenario), "--quiet", "--out", "o2"])
        .output()
        .unwrap();
    assert_ok(&narrow);
    let narrow = stdout(&narrow);
    let longest = wide.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest > 150, "the unwrapped table is wide: {longest}");
    for line in narrow.lines() {
        assert!(
            line.chars().count() <= 80,
            "too wide for 80 columns: {line:?}"
        );
    }
    // Each strategy's cells, gathered from every block, are its one-line row's cells.
    let cells = |text: &str, name: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(name) && !l.starts_with("strategy"))
            .flat_map(|l| {
                l[name.len()..]
                    .split("  ")
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    for name in names {
        let one_line = cells(&wide, name);
        assert!(one_line.len() >= 10, "{name}: {one_line:?}");
        assert_eq!(cells(&narrow, name), one_line, "{name}");
        let rows = narrow.lines().filter(|l| l.starts_with(name)).count();
        assert!(rows >= 2, "{name} appears in each block: {rows}");
    }
    // The prose says the same words, only broken into lines.
    let words = |text: &str| -> Vec<String> {
        let from = text.find("Winner").or(text.find("No winner")).unwrap();
        let to = text.find(" runs x ").unwrap();
        text[from..to]
            .split_whitespace()
            .map(|w| w.trim_end_matches([';', '.']).to_string())
            .filter(|w| w != "Columns:")
            .collect()
    };
    assert_eq!(words(&narrow), words(&wide));
}
