//! Ablation (`domino explain`): which mechanisms of the school model make the result.
//!
//! Each mechanism of [`MECHANISMS`] is switched off in turn, by setting scenario fields through
//! [`crate::scenario::path`], and the scenario is run again with the same seed: run k of the
//! ablated scenario is built from the same `(seed, k)` as run k with every mechanism on, so its
//! world is the same wherever the mechanism does not change the world itself, and the paired
//! difference in each strategy's headline (on - off, with its 95 % CI) isolates what the
//! mechanism adds. A mechanism whose difference is near zero under every strategy is inert in
//! this scenario; one that changes the winner decides it.

use crate::engine::{ensemble, model, Ensemble, Progress};
use crate::error::InputError;
use crate::metrics::stats::{paired, Summary};
use crate::output::{csv_writer, num};
use crate::report::leader;
use crate::report::{fixed, NO_INTERVAL};
use crate::scenario::{path, ModelKind, Scenario};
use std::io::{self, Write};
use toml::Value;

/// The value that switches a mechanism off at one scenario field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Off {
    /// A switch set to this value.
    Bool(bool),
    /// A rate, weight or exponent set to this value.
    Float(f64),
}

impl Off {
    fn value(self) -> Value {
        match self {
            Off::Bool(b) => Value::Boolean(b),
            Off::Float(x) => Value::Float(x),
        }
    }

    fn text(self) -> String {
        match self {
            Off::Bool(b) => b.to_string(),
            Off::Float(x) => num(x),
        }
    }
}

/// A mechanism of the school model and how to switch it off.
#[derive(Debug, Clone, Copy)]
pub struct Mechanism {
    /// Its name in tables and in `ablation.csv`.
    pub name: &'static str,
    /// The scenario fields (dotted paths) and the values that switch it off.
    pub settings: &'static [(&'static str, Off)],
    /// What switching it off means, in one line.
    pub reason: &'static str,
}

/// The mechanisms `domino explain` switches off, one at a time, in this order: the one list of
/// them. A mechanism whose fields a scenario lacks is skipped with a note. Mechanisms without a
/// neutral "off" value (the dose response, the sustain rule, readiness) are not in it: without
/// them nothing happens at all.
pub const MECHANISMS: &[Mechanism] = &[
    Mechanism {
        name: "know-how",
        settings: &[("mechanisms.know_how.enabled", Off::Bool(false))],
        reason: "neighbours' practice adds no know-how to a school's dose",
    },
    Mechanism {
        name: "contagion",
        settings: &[("mechanisms.contagion.enabled", Off::Bool(false))],
        reason: "no school adopts because of its peers or outside pressure",
    },
    Mechanism {
        name: "outside-pressure",
        settings: &[("mechanisms.contagion.outside_rate", Off::Float(0.0))],
        reason: "no adoption from outside the network (conferences, media)",
    },
    Mechanism {
        name: "visible-benefit",
        settings: &[(
            "mechanisms.visibility.require_positive_effect",
            Off::Bool(false),
        )],
        reason: "a school practising above the bar persuades even without a positive effect",
    },
    Mechanism {
        name: "adaptation",
        settings: &[("mechanisms.adaptation.enabled", Off::Bool(false))],
        reason: "a school's version never moves toward its own context",
    },
    Mechanism {
        name: "size",
        settings: &[
            ("mechanisms.size.resistance_exponent", Off::Float(0.0)),
            ("mechanisms.size.influence_exponent", Off::Float(0.0)),
            ("mechanisms.size.dose_exponent", Off::Float(0.0)),
        ],
        reason: "every school resists, persuades and feels a dose like a median-sized one",
    },
    Mechanism {
        name: "hub",
        settings: &[("mechanisms.hub.enabled", Off::Bool(false))],
        reason: "no hub is funded: its share of the budget is left for school support",
    },
    Mechanism {
        name: "implementation-dip",
        settings: &[("innovation.implementation_dip", Off::Float(0.0))],
        reason: "early implementation costs nothing before it pays",
    },
    Mechanism {
        name: "decay",
        settings: &[("mechanisms.dose.decay", Off::Float(0.0))],
        reason: "practice is not lost when the dose response is zero",
    },
    Mechanism {
        name: "effect-spread",
        settings: &[("innovation.effect_sd", Off::Float(0.0))],
        reason: "every school gets the mean effect",
    },
    Mechanism {
        name: "turnover",
        settings: &[("mechanisms.sustain.turnover_rate", Off::Float(0.0))],
        reason: "no leader change ends a school's commitment",
    },
    Mechanism {
        name: "fatigue",
        settings: &[("mechanisms.sustain.fatigue", Off::Float(0.0))],
        reason: "abandoning does not lower a school's readiness",
    },
    Mechanism {
        name: "coaching",
        settings: &[("mechanisms.coaching.enabled", Off::Bool(false))],
        reason: "pockets do not coach their neighbours and no coach is paid: the coach share of \
                 the budget is left for school support",
    },
    Mechanism {
        name: "evidence-review",
        settings: &[("mechanisms.evidence.enabled", Off::Bool(false))],
        reason: "the true effect is seen at once and no review drops a school",
    },
];

/// `path=value; ...`: how a mechanism is switched off, as `ablation.csv` writes it.
pub fn setting(m: &Mechanism) -> String {
    m.settings
        .iter()
        .map(|(p, v)| format!("{p}={}", v.text()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `scenario` with mechanism `m` switched off: `Ok(None)` when one of its fields does not exist
/// in this version of the scenario, or every field already has its "off" value (nothing to
/// switch off). An error when the changed scenario is invalid. A field the scenario writes as a
/// distribution keeps it, and each run's draw replaces the "off" value: [`ablate`] skips such a
/// mechanism.
pub fn switched_off(scenario: &Scenario, m: &Mechanism) -> Result<Option<Scenario>, InputError> {
    let mut table = toml::Table::try_from(&scenario.config)
        .map_err(|e| InputError::msg(format!("the scenario does not serialise: {e}")))?;
    let mut changed = false;
    for &(p, off) in m.settings {
        let Some(slot) = path::get_mut(&mut table, p) else {
            return Ok(None);
        };
        let value = off.value();
        let same = match (&*slot, &value) {
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Integer(a), Value::Float(b)) => *a as f64 == *b,
            (a, b) => a == b,
        };
        changed |= !same;
        *slot = value;
    }
    if !changed {
        return Ok(None);
    }
    let text = toml::to_string(&table)
        .map_err(|e| InputError::msg(format!("the scenario does not serialise: {e}")))?;
    // Validated like a file (the original's path anchors relative network file paths; its files
    // are reused as read). The configuration and what validation derives from it (the samplers
    // of the schools' attributes, which the effect spread and every `[schools]` field feed) are
    // taken from it; everything else the scenario carries (its files, where it came from, its
    // uncertain fields) stays the original's.
    let checked =
        Scenario::from_toml_reusing(&text, scenario.source.as_deref(), scenario.files.as_ref())
            .map_err(|e| {
                InputError::msg(format!(
                    "switching off {} ({}) makes an invalid scenario: {e}",
                    m.name,
                    setting(m)
                ))
            })?;
    Ok(Some(Scenario {
        config: checked.config,
        laws: checked.laws,
        ..scenario.clone()
    }))
}

/// One row of an ablation: one mechanism, one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The mechanism's name.
    pub mechanism: &'static str,
    /// How it was switched off ([`setting`]).
    pub setting: String,
    /// The strategy.
    pub strategy: String,
    /// Mean headline with every mechanism on.
    pub on: f64,
    /// Mean headline with this mechanism off.
    pub off: f64,
    /// Paired difference on - off: its mean and 95 % CI.
    pub diff: Summary,
    /// The winner (highest mean headline) with every mechanism on.
    pub winner_on: String,
    /// The winner with this mechanism off.
    pub winner_off: String,
    /// With this mechanism off, the paired difference winner_off - winner_on on the headline
    /// (mean and 95 % CI); `None` when the winner is the same. A change of winner is clear only
    /// when this interval lies above 0.
    pub lead_off: Option<Summary>,
}

impl Row {
    /// The winner changes, and the new winner is ahead of the old one beyond the uncertainty.
    pub fn winner_changes_clearly(&self) -> bool {
        self.lead_off.is_some_and(|d| d.ci_low > 0.0)
    }
}

/// The result of an ablation.
#[derive(Debug, Clone)]
pub struct Ablation {
    /// The headline metric's name.
    pub headline: String,
    /// Paired runs per setting.
    pub runs: usize,
    /// One row per mechanism and strategy, mechanisms in [`MECHANISMS`] order.
    pub rows: Vec<Row>,
    /// Mechanisms not ablated, with why.
    pub skipped: Vec<(&'static str, String)>,
}

/// Number of ensembles an ablation of `scenario` runs at most (every mechanism, and the
/// baseline): for progress bars.
pub fn ensembles() -> usize {
    MECHANISMS.len() + 1
}

/// Switches every mechanism of [`MECHANISMS`] off in turn and compares each strategy's
/// headline with paired runs (`scenario.config.runs` of each). School model only.
pub fn ablate(scenario: &Scenario, progress: &dyn Progress) -> Result<Ablation, InputError> {
    school_model_only(scenario)?;
    let base = run(scenario, progress)?;
    ablate_against(scenario, &base, progress)
}

/// As [`ablate`], with the runs of `scenario` itself already done (`base`, as `compare` has
/// them): only the ablated scenarios are run.
pub(crate) fn ablate_against(
    scenario: &Scenario,
    base: &Ensemble,
    progress: &dyn Progress,
) -> Result<Ablation, InputError> {
    school_model_only(scenario)?;
    let headline = base.measures.headline;
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for m in MECHANISMS {
        // Each run's draw of an uncertain field would put the "off" value back.
        let uncertain = &scenario.uncertain().params;
        if let Some((p, _)) = m
            .settings
            .iter()
            .find(|(p, _)| uncertain.iter().any(|u| u.path == *p))
        {
            skipped.push((
                m.name,
                format!(
                    "{p} is a distribution in this scenario, and each run draws it anew; write it \
                     as a value to switch the mechanism off"
                ),
            ));
            continue;
        }
        let Some(off) = switched_off(scenario, m)? else {
            let why = if m
                .settings
                .iter()
                .all(|(p, _)| path::get(&toml_of(scenario), p).is_some())
            {
                "already off in this scenario"
            } else {
                "not in this version of the scenario"
            };
            skipped.push((m.name, why.to_string()));
            continue;
        };
        let result = run(&off, progress)?;
        rows.extend(compare(m, base, &result, headline));
    }
    Ok(Ablation {
        headline: base.measures.run_metrics[headline].name.to_string(),
        runs: scenario.config.runs as usize,
        rows,
        skipped,
    })
}

fn school_model_only(scenario: &Scenario) -> Result<(), InputError> {
    if scenario.config.model != ModelKind::School {
        return Err(InputError::field(
            "model",
            "explain switches off mechanisms of the school model; this scenario runs a classic \
             model (use compare)",
        ));
    }
    Ok(())
}

fn run(scenario: &Scenario, progress: &dyn Progress) -> Result<Ensemble, InputError> {
    let cfg = &scenario.config;
    ensemble::fold(&*model(scenario), cfg.runs as usize, cfg.steps, progress)
}

fn toml_of(scenario: &Scenario) -> toml::Table {
    toml::Table::try_from(&scenario.config).unwrap_or_default()
}

fn compare(m: &Mechanism, on: &Ensemble, off: &Ensemble, headline: usize) -> Vec<Row> {
    let (best_on, best_off) = (leader(on), leader(off));
    let winner_on = on.strategies[best_on].clone();
    let winner_off = off.strategies[best_off].clone();
    let lead_off = (best_on != best_off).then(|| {
        paired(
            &off.column(best_off, headline),
            &off.column(best_on, headline),
        )
        .diff
    });
    (0..on.strategies.len())
        .map(|s| {
            let a = on.column(s, headline);
            let b = off.column(s, headline);
            Row {
                mechanism: m.name,
                setting: setting(m),
                strategy: on.strategies[s].clone(),
                on: Summary::of(a.iter().copied()).mean,
                off: Summary::of(b.iter().copied()).mean,
                diff: paired(&a, &b).diff,
                winner_on: winner_on.clone(),
                winner_off: winner_off.clone(),
                lead_off,
            }
        })
        .collect()
}

/// Writes `ablation.csv`: one row per mechanism and strategy.
pub(crate) fn write_csv(w: &mut dyn Write, ablation: &Ablation) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "mechanism",
        "setting",
        "strategy",
        "metric",
        "runs",
        "on",
        "off",
        "diff",
        "diff_lo",
        "diff_hi",
        "winner_on",
        "winner_off",
        "lead_off",
        "lead_off_lo",
        "lead_off_hi",
    ])?;
    for r in &ablation.rows {
        out.write_record([
            r.mechanism.to_string(),
            r.setting.clone(),
            r.strategy.clone(),
            ablation.headline.clone(),
            r.diff.n.to_string(),
            num(r.on),
            num(r.off),
            num(r.diff.mean),
            num(r.diff.ci_low),
            num(r.diff.ci_high),
            r.winner_on.clone(),
            r.winner_off.clone(),
            r.lead_off.map_or(String::new(), |d| num(d.mean)),
            r.lead_off.map_or(String::new(), |d| num(d.ci_low)),
            r.lead_off.map_or(String::new(), |d| num(d.ci_high)),
        ])?;
    }
    out.flush()
}

/// The table `domino explain` prints.
pub fn table(name: &str, ablation: &Ablation) -> String {
    let mut text = format!(
        "{name}: each mechanism switched off in turn, {} paired runs each; {} (%) with the \
         mechanism on, off, and the paired difference on - off in percentage points (95% CI)\n\n",
        ablation.runs,
        ablation.headline.replace('_', " ")
    );
    text += &format!(
        "{:<19} {:<20} {:>7} {:>7} {:>27}  winner\n",
        "mechanism", "strategy", "on %", "off %", "on - off, points (95% CI)"
    );
    text += &"-".repeat(100);
    text.push('\n');
    let mut last = "";
    let mut any_without_interval = false;
    for r in &ablation.rows {
        let first = r.mechanism != last;
        last = r.mechanism;
        // The headline is a share: shown in percent and points, as the comparison table above it
        // shows shares (ablation.csv keeps the fractions).
        let points = |v: f64| fixed(100.0 * v, 2, true);
        // A mechanism this strategy never meets (contagion under a thin spread that recruits
        // every school) leaves every run's result exactly as it was: say so rather than print
        // an interval of zeros.
        let untouched = r.diff.n > 0 && r.diff.mean == 0.0 && r.diff.sd == 0.0;
        // One run has no interval (its ends are NaN, empty cells in ablation.csv): the cell
        // says so in few words, to keep the column, and a note below the table in full.
        let no_interval = !(r.diff.ci_low.is_finite() && r.diff.ci_high.is_finite());
        let ci = if untouched {
            "0 (same in every run) ".to_string()
        } else if no_interval {
            any_without_interval = true;
            format!("{} (no interval) ", points(r.diff.mean))
        } else {
            format!(
                "{} ({} to {}){}",
                points(r.diff.mean),
                points(r.diff.ci_low),
                points(r.diff.ci_high),
                if r.diff.ci_low > 0.0 || r.diff.ci_high < 0.0 {
                    "*"
                } else {
                    " "
                }
            )
        };
        let winner = if !first {
            String::new()
        } else if r.winner_on == r.winner_off {
            format!("{} (same)", r.winner_on)
        } else if r.winner_changes_clearly() {
            format!("{} -> {} (changes)", r.winner_on, r.winner_off)
        } else {
            format!(
                "{} -> {} (on average only: within the uncertainty)",
                r.winner_on, r.winner_off
            )
        };
        text += &format!(
            "{:<19} {:<20} {:>7} {:>7} {:>27}  {}\n",
            if first { r.mechanism } else { "" },
            r.strategy,
            fixed(100.0 * r.on, 2, false),
            fixed(100.0 * r.off, 2, false),
            ci,
            winner
        );
    }
    for (m, why) in &ablation.skipped {
        text += &format!("{m}: skipped, {why}\n");
    }
    if any_without_interval {
        text += &format!("(no interval): {NO_INTERVAL}; run at least 2 for a 95% CI.\n");
    }
    text += "* the 95% CI of the difference excludes 0: the mechanism changes this strategy's result.\n";
    text +=
        "(changes): without the mechanism another strategy wins, ahead of the old winner beyond \
             the 95% CI of their paired difference (lead_off in ablation.csv).\n";
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_winner_within_the_uncertainty_is_not_called_a_change() {
        let lead = |values: &[f64]| Some(Summary::of(values.iter().copied()));
        let row = |lead_off: Option<Summary>, off: &str| Row {
            mechanism: "coaching",
            setting: "mechanisms.coaching.enabled=false".into(),
            strategy: "a".into(),
            on: 0.5,
            off: 0.4,
            diff: Summary::of([0.1, 0.1, 0.1]),
            winner_on: "a".into(),
            winner_off: off.into(),
            lead_off,
        };
        let clear = row(lead(&[0.02, 0.03, 0.025, 0.02]), "b");
        let unsure = row(lead(&[0.05, -0.04, 0.01, -0.01]), "b");
        let same = row(None, "a");
        assert!(clear.winner_changes_clearly());
        assert!(!unsure.winner_changes_clearly());
        assert!(!same.winner_changes_clearly());
        let text = |r: Row| {
            table(
                "s",
                &Ablation {
                    headline: "students_benefiting_share".into(),
                    runs: 4,
                    rows: vec![r],
                    skipped: Vec::new(),
                },
            )
        };
        assert!(text(clear).contains("a -> b (changes)"));
        assert!(text(unsure).contains("a -> b (on average only: within the uncertainty)"));
        assert!(text(same).contains("a (same)"));
        // Exactly the same result in every run is said in words; a difference that averages
        // to zero is still an interval.
        let mut untouched = row(None, "a");
        untouched.diff = Summary::of([0.0; 4]);
        let t = text(untouched);
        assert!(t.contains("0 (same in every run)"), "{t}");
        let mut balanced = row(None, "a");
        balanced.diff = Summary::of([0.01, -0.01, 0.02, -0.02]);
        let t = text(balanced);
        assert!(
            !t.contains("same in every run") && t.contains("+0.00 (-"),
            "{t}"
        );
        // One run has no interval: said in words, never "NaN to NaN".
        for one in [[0.0], [-0.07]] {
            let mut single = row(None, "a");
            single.diff = Summary::of(one);
            let t = text(single);
            assert!(!t.contains("NaN"), "{t}");
            assert!(t.contains(" (no interval) "), "{t}");
            assert!(t.contains(&format!("(no interval): {NO_INTERVAL}")), "{t}");
        }
        assert!(!text(row(None, "a")).contains("no interval"));
    }

    #[test]
    fn a_mechanism_whose_field_is_uncertain_is_skipped_with_the_reason() {
        let scn = Scenario::from_toml(
            "runs = 4\nsteps = 3\n[network]\nschools = 40\nregions = 2\n\
             [innovation]\neffect_sd = { dist = \"uniform\", low = 0.1, high = 0.3 }\n",
            None,
        )
        .unwrap();
        let ablation = ablate(&scn, &()).unwrap();
        let (_, why) = ablation
            .skipped
            .iter()
            .find(|(m, _)| *m == "effect-spread")
            .expect("effect-spread is skipped");
        assert!(
            why.contains("innovation.effect_sd is a distribution"),
            "{why}"
        );
        assert!(ablation.rows.iter().all(|r| r.mechanism != "effect-spread"));
        assert!(ablation.rows.iter().any(|r| r.mechanism == "turnover"));
    }

    #[test]
    fn a_missing_path_or_a_mechanism_already_off_is_skipped() {
        let scn = Scenario::builtin_default();
        let missing = Mechanism {
            name: "x",
            settings: &[("mechanisms.nothing.enabled", Off::Bool(false))],
            reason: "",
        };
        assert!(switched_off(&scn, &missing).unwrap().is_none());
        let off = Scenario::from_toml("[mechanisms.hub]\nenabled = false\n", None).unwrap();
        let hub = MECHANISMS.iter().find(|m| m.name == "hub").unwrap();
        assert!(switched_off(&off, hub).unwrap().is_none());
        // Like the hub's, the coaching row says where the switched-off mechanism's money goes.
        let coaching = MECHANISMS.iter().find(|m| m.name == "coaching").unwrap();
        assert!(coaching.reason.contains("left for school support"));
        let on = switched_off(&scn, hub).unwrap().unwrap();
        assert!(!on.config.mechanisms.hub.enabled);
        assert_eq!(on.config.seed, scn.config.seed);
    }
}
