//! `domino compare`: the main job.

use super::{RunOptions, ScenarioArgs};
use crate::engine::{ensemble, model, Progress};
use crate::output;
use crate::report;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// A rayon pool with `threads` workers (all cores when `None`).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?)
}

/// A progress bar on a terminal, nothing otherwise or when quiet.
pub(crate) fn progress_bar(len: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    bar
}

/// For a job of more than a few minutes, a rough estimate of how long it will take, said before
/// it starts so that a mistyped `runs` can be stopped early.
pub(crate) fn duration_note(work: f64, threads: usize) -> Option<String> {
    let rate = crate::scenario::budget::SCHOOL_TERMS_PER_SECOND * threads.max(1) as f64;
    let s = work / rate;
    if s < 300.0 {
        return None;
    }
    let (value, unit) = if s < 7200.0 {
        (s / 60.0, "minutes")
    } else if s < 172_800.0 {
        (s / 3600.0, "hours")
    } else {
        (s / 86_400.0, "days")
    };
    Some(format!(
        "note: {} school-terms on {threads} thread{}: roughly {value:.0} {unit} (a rough \
         estimate, at {} school-terms per second per thread)",
        in_words(work),
        if threads == 1 { "" } else { "s" },
        in_words(crate::scenario::budget::SCHOOL_TERMS_PER_SECOND)
    ))
}

/// A large count for people: `25 billion`, `20 million`, `3,500`.
fn in_words(x: f64) -> String {
    for (size, name) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if x >= size {
            let v = x / size;
            let decimals = if v < 10.0 { 1 } else { 0 };
            return format!("{} {name}", crate::report::fixed(v, decimals, false));
        }
    }
    format!("{x:.0}")
}

pub fn compare(
    args: &ScenarioArgs,
    out: Option<PathBuf>,
    ablate: bool,
    html: bool,
    opts: &RunOptions,
) -> anyhow::Result<()> {
    let scenario = args.load(opts.runs, opts.seed, opts.steps)?;
    if ablate {
        // Refused before anything runs, like every other bad input.
        if scenario.config.model != crate::scenario::ModelKind::School {
            return Err(crate::error::InputError::field(
                "--ablate",
                "switches off mechanisms of the school model; this scenario runs a classic model",
            )
            .into());
        }
    }
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
    let pool = pool(opts.threads)?;
    if !opts.quiet {
        let threads = pool.current_num_threads();
        if let Some(note) = duration_note(scenario.footprint(threads).work, threads) {
            crate::output::tell(&note);
        }
    }
    let result =
        pool.install(|| ensemble::fold(&*model, cfg.runs as usize, cfg.steps, progress))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let mut written = report::write_comparison(staged.path(), &scenario, &result)?;
    let mut ablation_table = String::new();
    if ablate {
        let bar = progress_bar(
            cfg.runs as u64 * (crate::explain::ensembles() as u64 - 1),
            "ablation runs",
            opts.quiet,
        );
        let ablation = pool.install(|| crate::explain::ablate_against(&scenario, &result, &bar))?;
        bar.finish_and_clear();
        output::write_atomic(&staged.path().join("ablation.csv"), |w| {
            crate::explain::write_csv(w, &ablation)
        })?;
        written.push("ablation.csv".into());
        ablation_table = format!("\n{}", crate::explain::table(&cfg.name, &ablation));
    }
    if html {
        // Read back from the staged files, as `domino report` reads a finished folder.
        report::html::write_as(staged.path(), &out)?;
        written.push(report::html::FILE.into());
    }
    staged.commit()?;
    super::say_fitted(&format!(
        "{}{ablation_table}\n{} runs x {} {} in {:.2} s. Wrote {} files to {}/\n",
        report::table_within(&*model, &result, cfg.steps, super::output_width()),
        cfg.runs,
        result.strategies.len(),
        result.measures.arms_label,
        elapsed.as_secs_f64(),
        written.len(),
        out.display()
    ))
}

/// `domino compare --shard I/N`: the runs of one shard, written as a shard folder.
pub(crate) fn compare_shard(
    args: &ScenarioArgs,
    out: Option<PathBuf>,
    ablate: bool,
    shard: crate::shard::Shard,
    opts: &RunOptions,
) -> anyhow::Result<()> {
    if ablate {
        return Err(crate::error::InputError::field(
            "--ablate",
            "cannot be combined with --shard: run the ablation on the merged comparison's scenario",
        )
        .into());
    }
    let scenario = args.load(opts.runs, opts.seed, opts.steps)?;
    let cfg = &scenario.config;
    let out = out.unwrap_or_else(|| {
        output::default_out(&format!(
            "{}.shard-{}-of-{}",
            cfg.name, shard.index, shard.count
        ))
    });
    let runs = (0..cfg.runs as usize).filter(|&k| shard.has(k)).count();
    let bar = progress_bar(runs as u64, "runs", opts.quiet);
    let started = Instant::now();
    let pool = pool(opts.threads)?;
    if !opts.quiet {
        let threads = pool.current_num_threads();
        let share = runs as f64 / f64::from(cfg.runs.max(1));
        if let Some(note) = duration_note(scenario.footprint(threads).work * share, threads) {
            crate::output::tell(&note);
        }
    }
    let report = pool.install(|| crate::shard::run_compare(&scenario, shard, &out, &bar))?;
    bar.finish_and_clear();
    super::say(&format!(
        "{}: shard {}/{}, {} of {} runs in {:.2} s. Wrote the shard to {}/ (join every shard with domino merge)\n",
        cfg.name,
        shard.index,
        shard.count,
        report.runs,
        cfg.runs,
        started.elapsed().as_secs_f64(),
        out.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::duration_note;

    #[test]
    fn long_jobs_get_a_duration_note_and_short_ones_none() {
        assert_eq!(duration_note(1e6, 2), None);
        // One hour at 2e7 school-terms per second on each of two threads.
        let note = duration_note(2e7 * 2.0 * 3600.0, 2).unwrap();
        assert!(note.contains("roughly 60 minutes"), "{note}");
        assert!(note.contains("2 threads") && note.contains("20 million school-terms per second"));
        let days = duration_note(2.52e10 * 1000.0, 1).unwrap();
        assert!(days.contains("days"), "{days}");
        assert!(
            days.starts_with("note: 25 trillion school-terms on 1 thread:"),
            "{days}"
        );
    }
}
