//! The command line: clap definitions and one function per subcommand. `main.rs` only parses
//! arguments, calls [`dispatch`] and maps errors to exit codes (0 success, 1 runtime failure,
//! 2 bad input; 130 after Ctrl-C and 143 after SIGTERM, see [`crate::output::interrupt`]).

mod calibrate;
mod check;
mod compare;
mod completions;
mod explain;
mod init;
mod man;
mod network;
mod optimise;
mod report;
mod run;
mod show;
mod sweep;

use crate::error::InputError;
use crate::scenario::set::Setting;
use crate::scenario::{Scenario, DEFAULT_SCENARIO};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// domino: compare strategies for scaling an innovation across a network of schools.
#[derive(Debug, Parser)]
#[command(name = "domino", version = crate::VERSION_LONG, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The scenario a command reads, shared by every command that reads one: the file (or the
/// built-in default) and the `--set` changes applied to it before validation.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// Set a scenario field, as if the file said so: PATH is its dotted path
    /// (mechanisms.dose.d50, strategies.cluster.hub_share), VALUE a TOML value (1.5, true,
    /// "text", { dist = "uniform", low = 0.5, high = 2 }) or a bare word taken as text. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Setting>,
}

impl ScenarioArgs {
    /// Loads the scenario at `scenario`, or the built-in default, applies `--set` and then the
    /// command-line overrides (validated like the file's own values).
    pub fn load(
        &self,
        runs: Option<u32>,
        seed: Option<u64>,
        steps: Option<u32>,
    ) -> Result<Scenario, InputError> {
        let scenario = match (&self.scenario, self.set.is_empty()) {
            (Some(p), _) => Scenario::from_file_with(p, &self.set)?,
            (None, true) => Scenario::builtin_default(),
            (None, false) => Scenario::load(DEFAULT_SCENARIO, None, None, &self.set)?,
        };
        if let Some(note) = scenario.untied_note() {
            crate::output::tell(&note);
        }
        if let Some(note) = scenario.classic_notes() {
            crate::output::tell(&note);
        }
        if let Some(note) = scenario.network_notes() {
            crate::output::tell(&note);
        }
        if let Some(note) = scenario.replaced_notes() {
            eprintln!("{note}");
        }
        for note in scenario
            .knob_notes()
            .into_iter()
            .chain(scenario.seeding_notes())
        {
            eprintln!("{note}");
        }
        for note in scenario.pilot_notes() {
            crate::output::tell(&note);
        }
        for note in scenario.node_notes() {
            crate::output::tell(&note);
        }
        scenario.with_overrides(runs, seed, steps)
    }
}

/// Options shared by commands that run a scenario.
#[derive(Debug, clap::Args)]
pub struct RunOptions {
    /// Number of paired runs (overrides the scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Number of terms (overrides the scenario's `steps`).
    #[arg(long)]
    pub steps: Option<u32>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::cli::threads)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare the scenario's strategies over many paired runs; print a table, write CSV files.
    Compare {
        /// Scenario file and --set changes.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Output folder (default: `out/<scenario name>/`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also switch each mechanism off in turn, as `domino explain` does: print its table and
        /// write `ablation.csv` into the folder (one more comparison per mechanism).
        #[arg(long)]
        ablate: bool,
        /// Run only shard I of N (1 <= I <= N): the runs whose index is I-1 modulo N, written as
        /// a shard folder for `domino merge` (default --out: `out/<name>.shard-I-of-N/`).
        #[arg(long)]
        shard: Option<crate::shard::Shard>,
        /// Also write `report.html` into the folder: one self-contained page for leaders (as
        /// `domino report`).
        #[arg(long)]
        report: bool,
        /// Runs, seed, steps, threads, quiet.
        #[command(flatten)]
        opts: RunOptions,
    },
    /// Run one strategy once and write its per-school, per-term trace.
    Run {
        /// Scenario file and --set changes.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// The strategy's name, as in the scenario.
        #[arg(long)]
        strategy: String,
        /// Which run (its world and draws are those of run K in `compare`).
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// Trace CSV to write.
        #[arg(long)]
        trace: PathBuf,
        /// Master seed (overrides the scenario's `seed`).
        #[arg(long, value_parser = seed_arg)]
        seed: Option<u64>,
        /// Number of terms (overrides the scenario's `steps`).
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Write one run's network as an edge list CSV (source,target,weight; schools by node-table id, else 0..n-1).
    Network {
        /// Scenario file and --set changes.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Which run's network.
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// Edge list CSV to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Switch each mechanism of the school model off in turn: the paired change in every
    /// strategy's headline and whether the winner changes; print a table, write `ablation.csv`.
    Explain {
        /// Scenario file and --set changes.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Output folder (default: `out/<scenario name>-explain/`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runs (per mechanism), seed, steps, threads, quiet.
        #[command(flatten)]
        opts: RunOptions,
    },
    /// Run a parameter sweep: every point's paired runs; results written as points finish.
    Sweep {
        /// Sweep file (TOML).
        sweep: PathBuf,
        /// Output folder (default: `out/<sweep name>/`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Set a field of the sweep's base scenario (as `compare --set`). Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Setting>,
        /// Run only shard I of N (1 <= I <= N): the points whose id is I-1 modulo N.
        #[arg(long)]
        shard: Option<crate::sweep::run::Shard>,
        /// Continue an interrupted sweep in --out, keeping its finished points.
        #[arg(long)]
        resume: bool,
        /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
        #[arg(long, value_parser = crate::cli::threads)]
        threads: Option<usize>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Search the strategy space for the best use of the scenario's budget and the best pilot
    /// schools; compare the winner with the scenario's strategies on fresh worlds.
    Optimise(optimise::OptimiseArgs),
    /// Join the output folders of a sharded sweep or comparison into the files an unsharded run
    /// writes.
    Merge {
        /// The shards' output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write `report.html` into the output folder of `domino compare`: one self-contained page
    /// (the decision, charts, schools, assumptions, how to reproduce) read from its files; in
    /// the output folder of `domino optimise`, the best strategy and how it was found; in that
    /// of `domino calibrate`, the posterior and the predictive check.
    Report {
        /// The output folder of `domino compare`, `domino optimise` or `domino calibrate`.
        dir: PathBuf,
    },
    /// Validate a scenario and print it with every default filled in.
    Check {
        /// Scenario file and --set changes.
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
    /// Write a commented example scenario to start from.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Serve a live view of one run for a workshop (or --export it as one offline HTML file).
    Show(show::ShowArgs),
    /// Fit the fields of the scenario's `[calibrate]` table to an observed rollout (ABC-SMC): write
    /// the posterior, its summary, a posterior predictive check and calibrated.toml.
    Calibrate(calibrate::CalibrateArgs),
    /// Print a shell completion script (bash, elvish, fish, powershell, zsh) to standard output.
    Completions(completions::Completions),
    /// Print the manual page (roff) of domino, or of one of its commands, to standard output.
    Man(man::Man),
}

/// Parses `--seed`: a seed out of range gets the scenario file's own message for `seed` (clap's
/// "number too large to fit in target type" said neither what fits nor which field).
pub(crate) fn seed_arg(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&s| s <= i64::MAX as u64)
        .ok_or_else(|| format!("{}, got {text}", crate::scenario::SEED_RANGE))
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Compare {
            scenario,
            out,
            ablate,
            shard,
            report,
            opts,
        } => match shard {
            Some(_) if report => Err(InputError::field(
                "--report",
                "a shard holds part of the runs: merge the shards (`domino merge`), then run \
                 `domino report` on the merged folder",
            )
            .into()),
            Some(shard) => compare::compare_shard(&scenario, out, ablate, shard, &opts),
            None => compare::compare(&scenario, out, ablate, report, &opts),
        },
        Command::Report { dir } => report::report(&dir),
        Command::Explain {
            scenario,
            out,
            opts,
        } => explain::explain(&scenario, out, &opts),
        Command::Run {
            scenario,
            strategy,
            run,
            trace,
            seed,
            steps,
        } => run::run(&scenario, &strategy, run, &trace, seed, steps),
        Command::Network { scenario, run, out } => network::network(&scenario, run, &out),
        Command::Sweep {
            sweep,
            out,
            set,
            shard,
            resume,
            threads,
            quiet,
        } => sweep::sweep(&sweep, &set, out, shard, resume, threads, quiet),
        Command::Merge { dirs, out } => sweep::merge(&dirs, &out),
        Command::Optimise(args) => optimise::optimise(&args),
        Command::Check { scenario } => check::check(&scenario),
        Command::Init { path, force } => init::init(&path, force),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => man::man(&args),
        Command::Show(args) => show::show(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
    }
}

/// The exit code for an error: 2 for bad input, 1 otherwise.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    let input = err.chain().any(|e| {
        e.downcast_ref::<InputError>().is_some()
            || e.downcast_ref::<crate::Error>()
                .is_some_and(crate::Error::is_input)
            || e.downcast_ref::<clap::Error>().is_some()
    });
    if input {
        2
    } else {
        1
    }
}

/// How wide the printed table may be: `COLUMNS` when it is set to a number (a user's choice,
/// honoured for pipes and files too), else the terminal's width when standard output is one;
/// `None` (each row on one line) for a pipe or a file.
pub(crate) fn output_width() -> Option<usize> {
    width_from(
        std::env::var("COLUMNS").ok().as_deref(),
        console::Term::stdout()
            .size_checked()
            .map(|(_, cols)| usize::from(cols)),
    )
}

/// [`output_width`] from the value of `COLUMNS` and the terminal's width: a `COLUMNS` that is not
/// a positive number is ignored, as a terminal of width 0 is.
fn width_from(columns: Option<&str>, terminal: Option<usize>) -> Option<usize> {
    let positive = |w: &usize| *w > 0;
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(positive)
        .or(terminal.filter(positive))
}

/// Prints a command's summary for a person: [`say`], with each line of prose longer than the
/// [`output_width`] broken between words. A line with two spaces in a row inside it is a table
/// row and keeps its line (the comparison table fits itself, [`crate::report::table_within`]).
pub(crate) fn say_fitted(text: &str) -> anyhow::Result<()> {
    say(&fit_prose(text, output_width()))
}

/// `text` with its lines of prose longer than `width` broken between words, each continuation
/// indented as its line was; table rows and short lines as they were.
fn fit_prose(text: &str, width: Option<usize>) -> String {
    let Some(limit) = width else {
        return text.to_string();
    };
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches('\n');
            let content = body.trim_start_matches(' ');
            if body.chars().count() <= limit || content.contains("  ") {
                return line.to_string();
            }
            let indent = &body[..body.len() - content.len()];
            let fitted = crate::report::fill(body, width, indent);
            format!("{fitted}{}", &line[body.len()..])
        })
        .collect()
}

/// Prints to standard output; a closed pipe (`domino compare | head`) is not an error.
pub fn say(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("writing to standard output"))
        }
        _ => Ok(()),
    }
}

/// Most worker threads `--threads` takes: far more than the cores of any machine this runs on,
/// and few enough that a slip of the keyboard (`--threads 100000`) cannot start a run that
/// spends minutes creating threads.
const MAX_THREADS: usize = 1024;

/// Parses `--threads`: a whole number from 1 to [`MAX_THREADS`].
pub(crate) fn threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of threads from 1 to {MAX_THREADS} (leave --threads out to \
             use all cores), got \"{s}\""
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prose_is_broken_and_table_rows_are_not() {
        use super::fit_prose;
        let text = "one two three four\nrow  1.0  2.0  3.0  4.0\n  five six seven\nshort\n";
        assert_eq!(
            fit_prose(text, Some(10)),
            "one two\nthree four\nrow  1.0  2.0  3.0  4.0\n  five six\n  seven\nshort\n"
        );
        assert_eq!(fit_prose(text, None), text);
        assert_eq!(fit_prose(text, Some(100)), text);
    }

    #[test]
    fn columns_wins_over_the_terminal_and_nonsense_is_ignored() {
        use super::width_from;
        assert_eq!(width_from(Some("100"), Some(80)), Some(100));
        assert_eq!(width_from(None, Some(80)), Some(80));
        assert_eq!(width_from(Some("wide"), Some(80)), Some(80));
        assert_eq!(width_from(Some("0"), Some(80)), Some(80));
        assert_eq!(width_from(Some("0"), None), None);
        assert_eq!(width_from(None, None), None);
    }

    use super::*;

    #[test]
    fn a_seed_flag_out_of_range_gets_the_fields_range() {
        assert_eq!(seed_arg("42"), Ok(42));
        assert_eq!(seed_arg("9223372036854775807"), Ok(i64::MAX as u64));
        for bad in ["9223372036854775808", "18446744073709551616", "-1"] {
            let e = seed_arg(bad).unwrap_err();
            assert_eq!(
                e,
                format!("must be a whole number from 0 to 9223372036854775807, got {bad}")
            );
        }
        let e = Cli::try_parse_from(["domino", "compare", "--seed", "18446744073709551616"])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("--seed") && e.contains("from 0 to 9223372036854775807"),
            "{e}"
        );
    }
}
