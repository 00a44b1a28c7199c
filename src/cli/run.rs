//! `domino run`: one run of one strategy (or seeding rule), traced school by school.

use super::ScenarioArgs;
use crate::engine::model;
use crate::error::InputError;
use crate::output::{num, write_atomic, CsvTrace};
use std::path::Path;

pub fn run(
    args: &ScenarioArgs,
    arm: &str,
    run: u64,
    trace: &Path,
    seed: Option<u64>,
    steps: Option<u32>,
) -> anyhow::Result<()> {
    crate::output::check_file_target(trace, "--trace")?;
    let scenario = args.load(None, seed, steps)?;
    crate::output::check_not_an_input(trace, "--trace", &scenario, &[])?;
    let model = model(&scenario);
    let Some(index) = model.arms().iter().position(|a| a == arm) else {
        return Err(InputError::field(
            "--strategy",
            format!(
                "no {} named \"{arm}\"; the scenario has: {}",
                model.measures().arm_label,
                model.arms().join(", ")
            ),
        )
        .into());
    };
    let mut figures = Vec::new();
    write_atomic(trace, |w| {
        figures = model.trace(index, run, &mut CsvTrace::new(w))?;
        Ok(())
    })?;
    let mut text = format!("{arm} run {run} of {}:\n", scenario.config.name);
    for (name, value) in figures {
        text += &format!("  {name:<32} {}\n", num(value));
    }
    text += &format!("trace written to {}\n", trace.display());
    super::say(&text)
}
