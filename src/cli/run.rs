//! `domino run`: one run of one strategy, traced school by school.

use super::load_scenario;
use crate::engine::{seed::RunSeeds, simulate, Buffers};
use crate::error::InputError;
use crate::metrics::RunMetric;
use crate::model::World;
use crate::output::{num, write_atomic};
use std::path::Path;

pub fn run(
    path: Option<&Path>,
    strategy: &str,
    run: u64,
    trace: &Path,
    seed: Option<u64>,
    steps: Option<u32>,
) -> anyhow::Result<()> {
    let scenario = load_scenario(path, None, seed, steps)?;
    let Some(index) = scenario.strategy_index(strategy) else {
        let names: Vec<&str> = scenario
            .config
            .strategies
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        return Err(InputError::field(
            "--strategy",
            format!(
                "no strategy named \"{strategy}\"; the scenario has: {}",
                names.join(", ")
            ),
        )
        .into());
    };
    let seeds = RunSeeds::new(scenario.config.seed, run);
    let world = World::build(&scenario, &seeds);
    let mut buf = Buffers::default();
    let mut summary = None;
    write_atomic(trace, |w| {
        writeln!(w, "school,step,stage,practice,fit,effect,support")?;
        let mut failed = None;
        let s = simulate(
            &scenario,
            index,
            &world,
            &seeds,
            &mut buf,
            |step, state, plan| {
                if failed.is_some() {
                    return;
                }
                for i in 0..world.len() {
                    let support = if step == 0 { 0.0 } else { plan.support[i] };
                    if let Err(e) = writeln!(
                        w,
                        "{i},{step},{},{},{},{},{}",
                        state.stage[i].name(),
                        num(state.practice[i]),
                        num(state.fit[i]),
                        num(state.effect[i]),
                        num(support)
                    ) {
                        failed = Some(e);
                        return;
                    }
                }
            },
        );
        summary = Some(s);
        failed.map_or(Ok(()), Err)
    })?;
    let s = summary.expect("simulated");
    let mut text = format!("{} run {run} of {}:\n", strategy, scenario.config.name);
    for &m in RunMetric::ALL {
        text += &format!("  {:<32} {}\n", m.name(), num(s.get(m)));
    }
    text += &format!("trace written to {}\n", trace.display());
    super::say(&text)
}
