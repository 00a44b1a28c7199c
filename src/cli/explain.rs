//! `domino explain`: ablation of the school model's mechanisms ([`crate::explain`]).

use super::compare::{pool, progress_bar};
use super::{RunOptions, ScenarioArgs};
use crate::engine::Progress;
use crate::explain;
use crate::output;
use std::path::PathBuf;
use std::time::Instant;

pub fn explain(args: &ScenarioArgs, out: Option<PathBuf>, opts: &RunOptions) -> anyhow::Result<()> {
    let scenario = args.load(opts.runs, opts.seed, opts.steps)?;
    let out =
        out.unwrap_or_else(|| output::default_out(&format!("{}-explain", scenario.config.name)));
    let inputs: Vec<PathBuf> = output::scenario_inputs(&scenario)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let staged = output::OutputDir::create(&out, &inputs)?;
    let total = scenario.config.runs as u64 * explain::ensembles() as u64;
    let bar = progress_bar(total, "runs", opts.quiet);
    let started = Instant::now();
    let progress: &dyn Progress = &bar;
    let pool = pool(opts.threads)?;
    let ablation = pool.install(|| explain::ablate(&scenario, progress))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    output::write_atomic(&staged.path().join("ablation.csv"), |w| {
        explain::write_csv(w, &ablation)
    })?;
    let written = 1 + output::write_reproduction(staged.path(), &scenario)?.len();
    staged.commit()?;
    super::say_fitted(&format!(
        "{}\n{} settings x {} runs in {:.2} s. Wrote {} files to {}/\n",
        explain::table(&scenario.config.name, &ablation),
        ablation.rows.len() / scenario.config.strategies.len().max(1) + 1,
        ablation.runs,
        elapsed.as_secs_f64(),
        written,
        out.display()
    ))
}
