//! `domino calibrate`: fit the fields of a scenario's `[calibrate]` table to an observed rollout
//! (or, with `--simulate`, write a synthetic rollout of the scenario).

use super::compare::{pool, progress_bar};
use super::ScenarioArgs;
use crate::calibrate::observed::Observed;
use crate::calibrate::{output as out, Calibration};
use crate::error::InputError;
use crate::output::{self, write_atomic};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `domino calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Scenario file, which must have a `[calibrate]` table (the built-in default has none), and
    /// --set changes.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The observed rollout: CSV with columns school, term, stage and optionally practice,
    /// supported, effect (one row per school and term; missing terms allowed).
    #[arg(long, required_unless_present = "simulate")]
    pub observed: Option<PathBuf>,
    /// Instead of calibrating, simulate the rollout's strategy once (in run --run's world, as
    /// `domino run` does) and write it as a rollout CSV to this new file (an existing one only
    /// with --force).
    #[arg(long, value_name = "ROLLOUT.csv", conflicts_with_all = ["observed", "out"])]
    pub simulate: Option<PathBuf>,
    /// With --simulate: which run's world and draws [default: 0].
    #[arg(long, value_name = "RUN")]
    pub run: Option<u64>,
    /// With --simulate: replace the file if it exists (it may be an observed rollout).
    #[arg(long)]
    pub force: bool,
    /// Output folder (default: `out/<scenario name>-calibrate/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_parser = super::seed_arg)]
    pub seed: Option<u64>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::cli::threads)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `domino calibrate`.
pub fn calibrate(args: &CalibrateArgs) -> anyhow::Result<()> {
    // Checked here: clap's `requires` lets `--force` through without `--simulate`.
    if args.run.is_some() && args.simulate.is_none() {
        return Err(InputError::field(
            "--run",
            "goes with --simulate FILE (it picks the run whose world the rollout is simulated \
             in); a calibration has no such choice",
        )
        .into());
    }
    if args.force && args.simulate.is_none() {
        return Err(InputError::field(
            "--force",
            "goes with --simulate FILE (it lets the rollout replace an existing FILE); \
             a calibration's --out folder is replaced without it",
        )
        .into());
    }
    let scenario = args.scenario.load(None, args.seed, None)?;
    if let Some(path) = &args.simulate {
        output::check_file_target(path, "--simulate")?;
        output::check_not_an_input(path, "--simulate", &scenario, &[])?;
        output::check_no_overwrite(path, args.force)?;
        let name = scenario
            .config
            .calibrate
            .as_ref()
            .map(|c| c.strategy.clone())
            .unwrap_or_default();
        let strategy = if name.is_empty() {
            0
        } else {
            scenario.strategy_index(&name).ok_or_else(|| {
                InputError::field(
                    "calibrate.strategy",
                    format!("no strategy is named \"{name}\""),
                )
            })?
        };
        if scenario.config.model.is_classic() || scenario.config.strategies.is_empty() {
            return Err(
                InputError::field("model", "a rollout is simulated with the school model").into(),
            );
        }
        let run = args.run.unwrap_or(0);
        write_atomic(path, |w| out::write_rollout(w, &scenario, strategy, run))?;
        super::say(&format!(
            "Wrote a rollout of {} ({} schools x {} terms, strategy {}, run {}) to {}\n",
            scenario.config.name,
            scenario.schools(),
            scenario.config.steps,
            scenario.config.strategies[strategy].name,
            run,
            path.display()
        ))?;
        return Ok(());
    }
    let observed_path = args.observed.clone().expect("clap requires --observed");
    let cal = Calibration::new(&scenario, &args.scenario.set)?;
    let observed = Observed::read(&observed_path, &cal.scenario)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| output::default_out(&format!("{}-calibrate", scenario.config.name)));
    let mut inputs: Vec<PathBuf> = output::scenario_inputs(&scenario)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    inputs.push(observed_path.clone());
    let staged = output::OutputDir::create(&target, &inputs)?;
    let pool = pool(args.threads)?;
    let bar = progress_bar(cal.settings.simulations, "simulations", args.quiet);
    let started = Instant::now();
    let seed = cal.scenario.config.seed;
    let outcome = pool.install(|| {
        cal.run(&observed, seed, |n, t| {
            bar.set_position(n);
            bar.set_message(format!("generation {t}"));
        })
    })?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let rows = out::summarise(&cal, &outcome);
    let dir = staged.path();
    // The rollout is an input like the scenario: its path and SHA-256 go into manifest.json
    // beside theirs, hashed from the very bytes copied to observed.csv.
    let bytes = std::fs::read(&observed_path).map_err(|e| crate::Error::io(&observed_path, e))?;
    let observed_hash = output::InputHash {
        role: "observed".into(),
        path: observed_path.display().to_string(),
        sha256: output::sha256_hex(&bytes),
    };
    let mut written = output::write_reproduction_with(dir, &scenario, vec![observed_hash])?;
    let mut file = |name: &str, f: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>| {
        write_atomic(&dir.join(name), |w| f(w)).map(|_| written.push(name.to_string()))
    };
    file("posterior.csv", &|w| {
        out::write_posterior(w, &cal, &outcome)
    })?;
    file("summary.csv", &|w| out::write_summary(w, &cal, &rows))?;
    let cells = out::predictive_cells(&observed, &outcome);
    file("predictive.csv", &|w| out::write_predictive(w, &cells))?;
    file("generations.csv", &|w| out::write_generations(w, &outcome))?;
    file("observed.csv", &|w| w.write_all(&bytes))?;
    let copies = match &scenario.files {
        Some(f) => (
            Some(PathBuf::from("network-edges.csv")),
            f.nodes.as_ref().map(|_| PathBuf::from("network-nodes.csv")),
        ),
        None => (None, None),
    };
    let text = out::calibrated_toml(&cal, &rows, &observed, copies);
    file("calibrated.toml", &|w| w.write_all(text.as_bytes()))?;
    staged.commit()?;
    let mut table = format!(
        "{}: {} field{} fitted to {} ({} row{}) with strategy {}\n\n{:<40} {:>22} {:>10} {:>22}\n",
        scenario.config.name,
        cal.priors.len(),
        if cal.priors.len() == 1 { "" } else { "s" },
        observed_path.display(),
        observed.rows.len(),
        if observed.rows.len() == 1 { "" } else { "s" },
        cal.scenario.config.strategies[cal.strategy].name,
        "field",
        "prior 90 %",
        "median",
        // With generation 0 alone the sample is the prior's: nothing was fitted.
        if outcome.generations.len() == 1 {
            "prior sample 90 %"
        } else {
            "posterior 90 %"
        }
    );
    for r in &rows {
        // A prior interval estimated from draws (a beta prior) is marked, and explained below.
        let approx = if r.prior_exact { "" } else { "~" };
        table.push_str(&format!(
            "{:<40} {:>22} {:>10} {:>22}\n",
            r.parameter,
            format!(
                "{approx}{} to {}",
                out::short(r.prior_p5),
                out::short(r.prior_p95)
            ),
            out::short(r.median),
            format!("{} to {}", out::short(r.p5), out::short(r.p95)),
        ));
    }
    if rows.iter().any(|r| !r.prior_exact) {
        table.push_str(
            "~ the prior's 90 % of a beta prior is estimated from 100,000 draws; the others are \
             exact\n",
        );
    }
    let last = outcome.posterior();
    // Generation 0 has no tolerance (it accepts every draw from the prior).
    let search = if outcome.generations.len() == 1 {
        format!(
            "The prior's sample only: generation 0 of {} particles, no tolerance ({})",
            last.particles.len(),
            outcome.stop.describe()
        )
    } else {
        format!(
            "{} generations of {} particles, final tolerance {} ({})",
            outcome.generations.len(),
            last.particles.len(),
            out::short(last.epsilon),
            outcome.stop.describe()
        )
    };
    // Every simulation run is counted: the search's (the dropped generation's too, which the
    // budget paid for) and the predictive check's, which comes on top of the budget.
    let dropped = if outcome.dropped > 0 {
        format!(
            ", {} of them on a generation the budget could not finish",
            outcome.dropped
        )
    } else {
        String::new()
    };
    table.push_str(&format!(
        "\n{search}; {} simulations ({} by the search{dropped}; {} for the predictive check) in \
         {:.1} s. Wrote {} files to {}/\n",
        outcome.simulations(),
        outcome.search_simulations,
        outcome.predictive.len(),
        elapsed.as_secs_f64(),
        written.len(),
        target.display()
    ));
    table.push_str(&format!(
        "\nFit: {}\nNext: domino compare {} runs the scenario's strategies with what the rollout \
         taught (and what it left uncertain; add [[strategies]] to it to compare others); domino \
         report {} draws this fit.\n",
        out::fit(&cells).sentence(outcome.generations.len()),
        target.join("calibrated.toml").display(),
        target.display()
    ));
    super::say_fitted(&table)?;
    for w in out::outcome_warnings(&rows, &outcome) {
        crate::output::tell(&format!("warning: {w}"));
    }
    Ok(())
}
