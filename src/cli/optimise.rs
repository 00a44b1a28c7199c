//! `domino optimise`: search the strategy space for the best use of the scenario's budget.

use super::compare::{pool, progress_bar};
use super::ScenarioArgs;
use crate::engine::Progress;
use crate::error::InputError;
use crate::optimise::{self, checkpoint::Checkpoint, Settings};
use crate::output;
use crate::scenario::Goal;
use std::path::PathBuf;
use std::time::Instant;

/// The options of `domino optimise`.
#[derive(Debug, clap::Args)]
pub struct OptimiseArgs {
    /// Scenario file and --set changes.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// What to maximise: students-benefiting, sustained, equity or cost-per-student (overrides
    /// `[optimise] objective`).
    #[arg(long, value_parser = parse_goal)]
    pub objective: Option<Goal>,
    /// Most simulations (one strategy, one run) the search may spend (overrides
    /// `[optimise] budget_evals`).
    #[arg(long, value_name = "N")]
    pub budget_evals: Option<u32>,
    /// Output folder (default: `out/<scenario name>-optimise/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_parser = super::seed_arg)]
    pub seed: Option<u64>,
    /// Continue an interrupted optimisation of the same scenario and settings into --out.
    #[arg(long)]
    pub resume: bool,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::cli::threads)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_goal(s: &str) -> Result<Goal, String> {
    Goal::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Goal::ALL.iter().map(|g| g.name()).collect();
        format!(
            "unknown objective \"{s}\"; expected one of {}",
            names.join(", ")
        )
    })
}

pub fn optimise(args: &OptimiseArgs) -> anyhow::Result<()> {
    let mut scenario = args.scenario.load(None, args.seed, None)?;
    if scenario.config.model.is_classic() {
        return Err(InputError::field(
            "model",
            "domino optimise searches the strategies of the school model; this scenario runs a \
             classic model",
        )
        .into());
    }
    if args.budget_evals == Some(0) {
        return Err(InputError::field("--budget-evals", "must be at least 1").into());
    }
    let settings = Settings::of(&scenario, args.objective, args.budget_evals);
    // The folder's scenario.toml must reproduce the folder on its own, as it does for --seed
    // (written into its `seed`): the overrides go into its [optimise] table. Without them the
    // table is left as the file had it (absent: the defaults, which is what ran).
    if args.objective.is_some() || args.budget_evals.is_some() {
        scenario.config.optimise = Some(settings.cfg.clone());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| output::default_out(&format!("{}-optimise", scenario.config.name)));
    let inputs: Vec<PathBuf> = output::scenario_inputs(&scenario)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let staged = output::OutputDir::create(&out, &inputs)?;
    // The network files' contents, which the checkpoint's id (the scenario's text) leaves out.
    let network = output::scenario_inputs(&scenario)
        .into_iter()
        .filter(|(role, _)| *role != "scenario")
        .map(|(role, p)| output::InputHash::of(role, &p))
        .collect::<crate::error::Result<Vec<_>>>()?;
    let checkpoint = Checkpoint::open(
        &Checkpoint::path_for(&out),
        &settings.id(&scenario),
        &network,
        args.resume,
        &settings.runs(),
    )?;
    // From here on an interruption keeps what was simulated, in the checkpoint.
    crate::output::interrupt::say_on_interrupt(format!(
        "interrupted: the output was not written; what was simulated is kept in {}: run the \
         same command with --resume to continue",
        Checkpoint::path_for(&out).display()
    ));
    let o = &settings.cfg;
    // The search's budget, the finalists' top-up and their fresh runs, and the scenario's own.
    // On a network from files, the winner's fresh runs once more, to record its schools.
    let expected = o.budget_evals as u64
        + (o.finalists as u64 + 1) * (o.max_runs + o.fresh_runs) as u64
        + scenario.config.strategies.len() as u64 * o.fresh_runs as u64
        + if scenario.files.is_some() {
            o.fresh_runs as u64
        } else {
            0
        };
    let bar = progress_bar(expected, "simulations", args.quiet);
    let started = Instant::now();
    let progress: &dyn Progress = &bar;
    let pool = pool(args.threads)?;
    let (outcome, checkpoint) =
        pool.install(|| optimise::optimise(&scenario, &settings, Some(checkpoint), progress))?;
    bar.finish_and_clear();
    let mut written = optimise::output::write(staged.path(), &scenario, &outcome)?;
    let table = optimise::output::table(&scenario, &outcome);
    output::write_atomic(&staged.path().join("table.txt"), |w| {
        w.write_all(table.as_bytes())
    })?;
    written.push("table.txt".into());
    written.extend(output::write_optimise_reproduction(
        staged.path(),
        &scenario,
        output::OptimiseRecord {
            objective: o.objective.name(),
            budget_evals: o.budget_evals,
        },
    )?);
    staged.commit()?;
    if let Some(c) = checkpoint {
        c.remove()?;
    }
    super::say_fitted(&format!(
        "{table}\n{} simulations ({} for the search within a budget of {}, the rest for the \
         finalists and the fresh-world comparison{}{}), {} candidates, in {:.1} s. Wrote {} files \
         to {}/\n",
        outcome.simulations,
        outcome.search_simulations,
        o.budget_evals,
        if outcome.best_schools.is_some() {
            ", and the winner's fresh runs replayed to record the schools it pilots"
        } else {
            ""
        },
        if outcome.resumed > 0 {
            format!("; {} read back from the interrupted run", outcome.resumed)
        } else {
            String::new()
        },
        outcome.candidates.len(),
        started.elapsed().as_secs_f64(),
        written.len(),
        out.display()
    ))
}
