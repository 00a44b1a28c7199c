//! The files of an optimisation and its printed table.
//!
//! | file | one row per | what |
//! |---|---|---|
//! | `best.toml` | | the winner as a `[[strategies]]` entry, ready to paste into a scenario |
//! | `pilots.csv` | chosen pilot school | `school, name, region, rank, marginal_gain, value` (header only when no pilots were chosen) |
//! | `trace.csv` | candidate raced or re-evaluated (not CELF's intermediate pilot sets) | its knobs, its search runs and figures, when the race dropped it, its fresh-world figures |
//! | `comparison.csv` | strategy | the winner and the scenario's strategies on fresh worlds, the winner's paired difference to each |
//!
//! Shares are fractions (0-1) in the files; the printed table shows them in percent.

use super::{Outcome, Row, BEST_NAME};
use crate::error::Result;
use crate::metrics::stats::Summary;
use crate::output::{csv_writer, num, write_atomic};
use crate::report::fixed;
use crate::scenario::{Goal, Scenario, StrategyConfig};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

pub(crate) use crate::report::optimise::{COMPARISON_HEADER, PILOTS_HEADER};

/// A value's name as the scenario file writes it (`need`, `prix-fixe`, `true`).
fn word<T: Serialize>(v: &T) -> String {
    match toml::Value::try_from(v) {
        Ok(toml::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `best.toml`: the winner as a `[[strategies]]` entry, with a comment on where it came from.
pub(crate) fn best_toml(scenario: &Scenario, outcome: &Outcome) -> String {
    #[derive(Serialize)]
    struct Entry {
        strategies: Vec<StrategyConfig>,
    }
    let body = toml::to_string(&Entry {
        strategies: vec![outcome.best_strategy()],
    })
    .expect("a strategy serialises");
    let best = &outcome.table[0];
    format!(
        "# The strategy `domino optimise` chose for scenario \"{}\" (objective {}, seed {}):\n\
         # {} on {} fresh runs; table.txt says whether it beats the scenario's own strategies\n\
         # there. Paste this entry into a scenario's strategies to compare it there.\n{}{}",
        scenario.config.name,
        outcome.goal.name(),
        scenario.config.seed,
        describe(outcome.goal, &best.objective),
        best.objective.n,
        body,
        if body.ends_with('\n') { "" } else { "\n" }
    )
}

fn describe(goal: Goal, s: &Summary) -> String {
    format!("mean {} (95% CI {})", show(goal, s.mean), ci(goal, s))
}

/// A value of the objective for people: percent for shares, students per SU otherwise. A value
/// that rounds to zero reads 0.0, never -0.0 (a zero budget's interval ends at -0).
fn show(goal: Goal, v: f64) -> String {
    match goal {
        Goal::CostPerStudent => fixed(v, 2, false),
        _ => fixed(100.0 * v, 1, false),
    }
}

fn ci(goal: Goal, s: &Summary) -> String {
    format!("{}-{}", show(goal, s.ci_low), show(goal, s.ci_high))
}

/// The comparison table as printed: the winner and the scenario's strategies on fresh worlds.
pub fn table(scenario: &Scenario, outcome: &Outcome) -> String {
    let goal = outcome.goal;
    let unit = match goal {
        Goal::CostPerStudent => "students benefiting per SU",
        Goal::Sustained => "% of schools sustained",
        Goal::Equity => "% of need-weighted students benefiting",
        Goal::StudentsBenefiting => "% of students benefiting",
    };
    let mut out = format!(
        "{}: objective {} ({unit}), on {} fresh paired runs not used by the search\n",
        scenario.config.name,
        goal.name(),
        outcome.table[0].objective.n
    );
    out.push_str(&format!(
        "{:<20} {:>22} {:>12} {:>26} {:>14}\n",
        "strategy", "mean (95% CI)", "worst 10%", "optimised - this (95% CI)", "P(opt. beats)"
    ));
    for row in &outcome.table {
        let (diff, p) = match &row.versus {
            Some(v) => (
                format!(
                    "{} ({} to {})",
                    show(goal, v.diff.mean),
                    show(goal, v.diff.ci_low),
                    show(goal, v.diff.ci_high)
                ),
                format!("{:.0}%", 100.0 * v.p_beats),
            ),
            None => (String::new(), String::new()),
        };
        let line = format!(
            "{:<20} {:>22} {:>12} {:>26} {:>14}",
            row.name,
            format!(
                "{} ({})",
                show(goal, row.objective.mean),
                ci(goal, &row.objective)
            ),
            show(goal, row.worst_decile),
            diff,
            p
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let best = outcome.best_strategy();
    out.push_str(&format!("optimised = {}\n", summary_line(&best)));
    for line in not_better(outcome) {
        out.push_str(&line);
        out.push('\n');
    }
    match (&outcome.pilots, &outcome.pilots_note) {
        (Some(p), _) => {
            let ids: Vec<String> = p
                .picks
                .iter()
                .map(|pk| scenario.school_id(pk.item as usize).into_owned())
                .collect();
            if best.pilot_ids.is_empty() {
                out.push_str(&format!(
                    "pilot schools chosen by CELF ({} runs, {} sets evaluated): {}; with them the \
                     strategy did not beat the finalists that leave pilots to the targeting rule \
                     (trace.csv, origin pilots)\n",
                    p.runs,
                    p.evaluations,
                    ids.join(", ")
                ));
            } else {
                out.push_str(&format!(
                    "pilot schools of the optimised strategy (CELF on {} runs, {} sets \
                     evaluated): {}\n",
                    p.runs,
                    p.evaluations,
                    ids.join(", ")
                ));
            }
        }
        (None, Some(note)) => out.push_str(&format!("pilot schools not chosen: {note}\n")),
        (None, None) => {}
    }
    out
}

/// A line for each of the scenario's strategies that the optimised one is not clearly better
/// than on the fresh runs (the paired 95 % interval of the difference does not lie above 0), so
/// that the table is not read as announcing a winner where the fresh worlds do not show one.
fn not_better(outcome: &Outcome) -> Vec<String> {
    let goal = outcome.goal;
    let own = &outcome.candidates[outcome.best];
    outcome
        .table
        .iter()
        .filter_map(|row| {
            let v = row.versus.as_ref()?;
            // A NaN bound (no usable pairs) is no evidence either: it falls through to a caveat.
            if v.diff.ci_low > 0.0 {
                return None;
            }
            let name = &row.name;
            let diff = format!(
                "optimised - {name} = {} (95% CI {} to {})",
                show(goal, v.diff.mean),
                show(goal, v.diff.ci_low),
                show(goal, v.diff.ci_high)
            );
            // A baseline the search never ran is of a kind outside `[optimise] kinds`.
            let outside = outcome
                .candidates
                .iter()
                .any(|c| c.origin == "scenario" && c.strategy.name == *name && c.search.is_empty());
            let outside = if outside {
                format!("; {name} is of a kind not in [optimise] kinds, which the search kept to")
            } else {
                String::new()
            };
            Some(if own.origin == "scenario" && own.strategy.name == *name {
                format!("optimised is the scenario's own {name}: the search found nothing better")
            } else if v.diff.ci_high < 0.0 {
                format!("optimised is worse than {name} on the fresh runs: {diff}{outside}")
            } else {
                format!(
                    "optimised is not distinguishable from {name} on the fresh runs: {diff}, an \
                     interval that includes 0{outside}"
                )
            })
        })
        .collect()
}

/// One line naming a strategy's kind and knobs.
pub(crate) fn summary_line(s: &StrategyConfig) -> String {
    let kind = s.kind.map(|k| k.name()).unwrap_or("");
    let mut parts = vec![
        kind.to_string(),
        format!("targeting {}", word(&s.targeting)),
        format!("pace {}", word(&s.pace)),
        if s.mandate { "mandate" } else { "opt-in" }.to_string(),
        format!("support {}", word(&s.support)),
        format!("{}", word(&s.adaptation)),
        format!("exchange {}", word(&s.exchange)),
        format!("coach share {}", num(s.coach_share.unwrap_or(0.0))),
    ];
    if s.adaptive {
        parts.push("adaptive".into());
    }
    match s.kind {
        Some(crate::scenario::StrategyKind::PilotThenCascade) => {
            parts.push(match s.pilots {
                // 0 is not "no pilots": the strategy pilots in as many schools as each start's
                // budget funds at the effective dose.
                0 => "as many pilots as the budget funds at the effective dose".to_string(),
                1 => "1 pilot".to_string(),
                n => format!("{n} pilots"),
            });
            parts.push(if s.waves { "waves" } else { "no waves" }.into());
        }
        Some(crate::scenario::StrategyKind::Cluster) => {
            parts.push(format!("hub share {}", num(s.hub_share)))
        }
        _ => {}
    }
    parts.join(", ")
}

/// Writes `best.toml`, `pilots.csv`, `trace.csv` and `comparison.csv` into `dir`; returns their
/// names.
pub fn write(dir: &Path, scenario: &Scenario, outcome: &Outcome) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let mut file = |name: &str, f: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> Result<()> {
        write_atomic(&dir.join(name), |w| f(w))?;
        written.push(name.to_string());
        Ok(())
    };
    let best = best_toml(scenario, outcome);
    file("best.toml", &|w| w.write_all(best.as_bytes()))?;
    file("pilots.csv", &|w| write_pilots(w, scenario, outcome))?;
    file("trace.csv", &|w| write_trace(w, outcome))?;
    file("comparison.csv", &|w| write_comparison(w, outcome))?;
    Ok(written)
}

fn write_pilots(w: &mut dyn Write, scenario: &Scenario, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(PILOTS_HEADER)?;
    if let Some(p) = &outcome.pilots {
        let (region, _) = crate::school::regions(scenario);
        for (rank, pick) in p.picks.iter().enumerate() {
            let i = pick.item as usize;
            c.write_record([
                scenario.school_id(i).as_ref(),
                scenario.school_name(i),
                scenario.region_name(region[i] as usize).as_ref(),
                &(rank + 1).to_string(),
                &num(pick.gain),
                &num(pick.value),
            ])?;
        }
    }
    c.flush()
}

fn mean_of(v: &[super::Values], f: impl Fn(&super::Values) -> f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().map(f).sum::<f64>() / v.len() as f64
}

fn write_trace(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "candidate",
        "origin",
        "kind",
        "mandate",
        "pace",
        "targeting",
        "support",
        "build_share",
        "adaptive",
        "adaptation",
        "exchange",
        "pilots",
        "waves",
        "hub_share",
        "coach_share",
        "pilot_ids",
        "search_runs",
        "dropped_after_runs",
        "objective_mean",
        "objective_ci_low",
        "objective_ci_high",
        "worst_decile",
        "students_benefiting_share",
        "sustained_share",
        "equity_share",
        "students_per_su",
        "fresh_runs",
        "fresh_objective_mean",
        "fresh_worst_decile",
    ])?;
    for cand in &outcome.candidates {
        let s = &cand.strategy;
        let o = Summary::of(cand.search.iter().map(|v| v.objective));
        c.write_record([
            s.name.clone(),
            cand.origin.to_string(),
            s.kind.map(|k| k.name()).unwrap_or("").to_string(),
            s.mandate.to_string(),
            word(&s.pace),
            word(&s.targeting),
            word(&s.support),
            num(s.build_share),
            s.adaptive.to_string(),
            word(&s.adaptation),
            word(&s.exchange),
            s.pilots.to_string(),
            s.waves.to_string(),
            num(s.hub_share),
            num(s.coach_share.unwrap_or(0.0)),
            s.pilot_ids.join(" "),
            cand.search.len().to_string(),
            cand.dropped_after
                .map(|n| n.to_string())
                .unwrap_or_default(),
            num(o.mean),
            num(o.ci_low),
            num(o.ci_high),
            num(super::worst_decile(&cand.search)),
            num(mean_of(&cand.search, |v| v.benefiting)),
            num(mean_of(&cand.search, |v| v.sustained)),
            num(mean_of(&cand.search, |v| v.equity)),
            num(mean_of(&cand.search, |v| v.per_su)),
            cand.fresh.len().to_string(),
            num(mean_of(&cand.fresh, |v| v.objective)),
            if cand.fresh.is_empty() {
                String::new()
            } else {
                num(super::worst_decile(&cand.fresh))
            },
        ])?;
    }
    c.flush()
}

fn write_comparison(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(COMPARISON_HEADER)?;
    for Row {
        name,
        objective,
        worst_decile,
        versus,
    } in &outcome.table
    {
        let (d, p) = match versus {
            Some(v) => (
                [num(v.diff.mean), num(v.diff.ci_low), num(v.diff.ci_high)],
                num(v.p_beats),
            ),
            None => ([String::new(), String::new(), String::new()], String::new()),
        };
        let [dm, dl, dh] = d;
        c.write_record([
            if name == BEST_NAME { BEST_NAME } else { name }.to_string(),
            outcome.goal.name().to_string(),
            objective.n.to_string(),
            num(objective.mean),
            num(objective.ci_low),
            num(objective.ci_high),
            num(*worst_decile),
            dm,
            dl,
            dh,
            p,
        ])?;
    }
    c.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::paired;
    use crate::optimise::{Candidate, Values};
    use crate::scenario::StrategyKind;

    fn values(objective: &[f64]) -> Vec<Values> {
        objective
            .iter()
            .map(|&o| Values {
                objective: o,
                benefiting: o,
                sustained: o,
                equity: o,
                per_su: o,
            })
            .collect()
    }

    /// An outcome whose winner (a global candidate unless `own`) beat `clear` by 0.1 in every
    /// fresh run and `close` by +-0.01 alternately (a mean of 0, an interval across 0).
    fn outcome(own: bool) -> Outcome {
        let best: Vec<f64> = (0..20).map(|k| 0.3 + 0.01 * (k % 5) as f64).collect();
        let clear: Vec<f64> = best.iter().map(|x| x - 0.1).collect();
        let close: Vec<f64> = best
            .iter()
            .enumerate()
            .map(|(k, x)| if k % 2 == 0 { x + 0.01 } else { x - 0.01 })
            .collect();
        let mut winner = StrategyConfig::named("pilot-then-cascade");
        if !own {
            winner.name = "candidate-0001".into();
            winner.pilots = 0;
        }
        let row = |name: &str, v: &[f64]| Row {
            name: name.into(),
            objective: Summary::of(v.iter().copied()),
            worst_decile: 0.0,
            versus: Some(paired(&best, v)),
        };
        Outcome {
            goal: Goal::StudentsBenefiting,
            candidates: vec![Candidate {
                strategy: winner,
                origin: if own { "scenario" } else { "global" },
                search: values(&best),
                dropped_after: None,
                fresh: values(&best),
            }],
            best: 0,
            pilots: None,
            pilots_note: None,
            table: vec![
                Row {
                    name: BEST_NAME.into(),
                    objective: Summary::of(best.iter().copied()),
                    worst_decile: 0.0,
                    versus: None,
                },
                row("thin-spread", &clear),
                row("pilot-then-cascade", &close),
            ],
            search_simulations: 0,
            simulations: 0,
            resumed: 0,
        }
    }

    /// The table does not present the optimised strategy as a winner over a scenario strategy
    /// its fresh-run interval does not clear: it says it is not distinguishable from it, with
    /// the difference and interval, and says nothing of the kind about one it clearly beats.
    #[test]
    fn the_table_says_when_the_optimised_strategy_is_not_distinguishable() {
        let scenario = Scenario::builtin_default();
        let text = table(&scenario, &outcome(false));
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("optimised is"))
            .collect();
        assert_eq!(
            lines,
            [
                "optimised is not distinguishable from pilot-then-cascade on the fresh runs: \
              optimised - pilot-then-cascade = 0.0 (95% CI -0.5 to 0.5), an interval that \
              includes 0"
            ],
            "{text}"
        );
        // A baseline the search did not run (a kind outside `kinds`) is said to be one.
        let mut o = outcome(false);
        o.candidates.push(Candidate {
            strategy: StrategyConfig::named("pilot-then-cascade"),
            origin: "scenario",
            search: Vec::new(),
            dropped_after: None,
            fresh: Vec::new(),
        });
        let text = table(&scenario, &o);
        assert!(
            text.contains(
                "an interval that includes 0; pilot-then-cascade is of a kind not in [optimise] \
                 kinds, which the search kept to\n"
            ),
            "{text}"
        );
        // The winner being the scenario's own strategy is said as such.
        let text = table(&scenario, &outcome(true));
        assert!(
            text.contains("optimised is the scenario's own pilot-then-cascade: the search found nothing better"),
            "{text}"
        );
    }

    /// Values that round to zero (a zero budget's intervals end at -0) never read -0.0.
    #[test]
    fn no_negative_zero_in_the_table() {
        let zero = vec![0.0; 20];
        let mut o = outcome(false);
        let mut below = zero.clone();
        below[0] = -1e-9;
        o.table[0].objective = Summary::of(below.iter().copied());
        o.table[1].objective = Summary::of(zero.iter().copied());
        o.table[1].versus = Some(paired(&below, &zero));
        assert!(o.table[0].objective.ci_low < 0.0);
        // "-" also joins an interval's ends ("0.0-0.1"): a negative zero follows a space, a
        // parenthesis or that dash.
        let negative_zero =
            |text: &str| ["(-0.0", " -0.0", "--0.0"].iter().any(|z| text.contains(z));
        let text = table(&Scenario::builtin_default(), &o);
        assert!(!negative_zero(&text), "{text}");
        assert!(text.contains("0.0 (0.0-0.0)"), "{text}");
        o.goal = Goal::CostPerStudent;
        let text = table(&Scenario::builtin_default(), &o);
        assert!(!negative_zero(&text), "{text}");
    }

    /// `pilots = 0` is "as many as the budget funds", not no pilots.
    #[test]
    fn zero_pilots_read_as_what_the_budget_funds() {
        let mut s = StrategyConfig::named("pilot-then-cascade");
        s.kind = Some(StrategyKind::PilotThenCascade);
        s.pilots = 0;
        let line = summary_line(&s);
        assert!(
            line.contains("as many pilots as the budget funds at the effective dose"),
            "{line}"
        );
        assert!(!line.contains("0 pilots"), "{line}");
        s.pilots = 1;
        assert!(summary_line(&s).contains(", 1 pilot,"));
        s.pilots = 6;
        assert!(summary_line(&s).contains(", 6 pilots,"));
    }
}
