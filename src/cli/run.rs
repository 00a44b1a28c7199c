//! `domino run`: one run of one strategy, traced school by school.

use super::load_scenario;
use crate::engine::{simulate, Buffers};
use crate::error::InputError;
use crate::metrics::RunMetric;
use crate::model::World;
use crate::output::{num, write_atomic};
use crate::rng::RunSeeds;
use crate::scenario::Scenario;
use std::path::Path;

/// An unknown strategy or seeding name: say which names the scenario has.
fn unknown(what: &str, name: &str, names: Vec<&str>) -> anyhow::Error {
    InputError::field(
        "--strategy",
        format!(
            "no {what} named \"{name}\"; the scenario has: {}",
            names.join(", ")
        ),
    )
    .into()
}

/// `domino run` for a classic model: one run of one seeding rule; the trace has one row per node
/// with the time it became active (empty: never; 0: a seed).
fn run_classic(scenario: &Scenario, name: &str, run: u64, trace: &Path) -> anyhow::Result<()> {
    use crate::classic::{models::Buffers, seeding, simulate, RunNetworks};
    let cfg = &scenario.config;
    let Some(rule) = cfg.seedings.iter().find(|s| s.name == name) else {
        let names = cfg.seedings.iter().map(|s| s.name.as_str()).collect();
        return Err(unknown("seeding rule", name, names));
    };
    let seeds = RunSeeds::new(cfg.seed, run);
    let net = RunNetworks::new(scenario).get(scenario, &seeds);
    let chosen = seeding::choose(rule, &net, &seeds.draws(), &mut None);
    let mut buf = Buffers::default();
    buf.activation_times = Some(Vec::new());
    let classic = cfg.classic.clone().unwrap_or_default();
    let out = simulate(
        cfg.model, &classic, &net, &seeds, &chosen, cfg.steps, &mut buf,
    );
    let times = buf.activation_times.take().unwrap_or_default();
    write_atomic(trace, |w| {
        writeln!(w, "node,degree,seed,activated_at")?;
        let mut is_seed = vec![false; net.schools()];
        for &s in &chosen {
            is_seed[s as usize] = true;
        }
        for (i, t) in times.iter().enumerate() {
            writeln!(w, "{i},{},{},{}", net.degree(i), is_seed[i] as u8, num(*t))?;
        }
        Ok(())
    })?;
    let n = net.schools().max(1) as f64;
    super::say(&format!(
        "{name} run {run} of {} ({} model): {} seeds, final active share {}, half active at {}, last change at step {}\ntrace written to {}\n",
        cfg.name,
        cfg.model.name(),
        chosen.len(),
        num(*buf.curve.last().unwrap_or(&0) as f64 / n),
        if out.time_to_half.is_finite() { num(out.time_to_half) } else { "never".into() },
        out.last_change,
        trace.display()
    ))
}

pub fn run(
    path: Option<&Path>,
    strategy: &str,
    run: u64,
    trace: &Path,
    seed: Option<u64>,
    steps: Option<u32>,
) -> anyhow::Result<()> {
    let scenario = load_scenario(path, None, seed, steps)?;
    if scenario.config.model.is_classic() {
        return run_classic(&scenario, strategy, run, trace);
    }
    let Some(index) = scenario.strategy_index(strategy) else {
        let names = scenario
            .config
            .strategies
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        return Err(unknown("strategy", strategy, names));
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
