//! `domino compare`: the main job.

use super::{load_scenario, RunOptions};
use crate::engine::{ensemble, model, Progress};
use crate::output;
use crate::report;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A rayon pool with `threads` workers (all cores when `None` or 0).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?)
}

/// A progress bar on a terminal, nothing otherwise or when quiet.
pub fn progress_bar(len: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    bar
}

pub fn compare(path: Option<&Path>, out: Option<PathBuf>, opts: &RunOptions) -> anyhow::Result<()> {
    let scenario = load_scenario(path, opts.runs, opts.seed, opts.steps)?;
    let out = out.unwrap_or_else(|| output::default_out(&scenario.config.name));
    // Everything about the output folder that can be wrong is checked before the runs, and the
    // folder is written whole (staged, then moved into place): see `output::folder`.
    let inputs: Vec<PathBuf> = output::scenario_inputs(&scenario)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let staged = output::OutputDir::create(&out, &inputs)?;
    let bar = progress_bar(scenario.config.runs as u64, "runs", opts.quiet);
    let started = Instant::now();
    let progress: &dyn Progress = &bar;
    let model = model(&scenario);
    let cfg = &scenario.config;
    let result = pool(opts.threads)?
        .install(|| ensemble::fold(&*model, cfg.runs as usize, cfg.steps, progress));
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let written = report::write_comparison(staged.path(), &scenario, &result)?;
    staged.commit()?;
    super::say(&format!(
        "{}\n{} runs x {} {} in {:.2} s. Wrote {} files to {}/\n",
        report::table(&*model, &result, cfg.steps),
        cfg.runs,
        result.strategies.len(),
        result.measures.arms_label,
        elapsed.as_secs_f64(),
        written.len(),
        out.display()
    ))
}
