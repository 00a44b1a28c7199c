//! Criterion benchmarks of the engine (figures quoted in README.md, "Performance").
//!
//! - `term/*`: one term of the school model under thin-spread after 3 terms (nearly every school
//!   implementing: 92 % at 100,000 schools, so nearly every tie is walked), at 1,000 and 100,000
//!   schools. Reported twice: as school-terms per second and as edge visits per second (every
//!   tie counted from both ends).
//! - `world/*`: building one run's world (network and schools).
//! - `compare/default`: the whole default comparison (3 strategies x 1,000 runs x 400 schools x
//!   20 terms) on all cores.
//! - `national/*`: the national scenario (`benches/scenarios/national-1.5m.toml`): building one
//!   run's world at 1,500,000 schools, and one run of its three strategies (20 terms, one thread)
//!   at 100,000 and at 1,500,000 schools with the same region size, as school-terms per second.
//!   The ratio of the two is the cost of size itself (the state leaving the caches).
//!   `national/quiet/*` is the same run with nothing happening: the pilot and cluster strategies
//!   with no budget and no adoption from outside, so no school is ever supported, implementing or
//!   near an adopter. Its cost per school-term is what a quiet school costs (issue 12: close to
//!   nothing). Thin-spread is left out: with no money it still offers every school a place.

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use domino::engine::ensemble::run_ensemble;
use domino::engine::{simulate, term, Buffers};
use domino::model::{Params, State, World};
use domino::rng::RunSeeds;
use domino::strategy::{self, Plan};
use domino::Scenario;

fn scenario(schools: u32) -> Scenario {
    let regions = (schools / 1000).max(8);
    Scenario::from_toml(
        &format!("seed = 7\n[network]\nschools = {schools}\nregions = {regions}\n"),
        None,
    )
    .expect("valid benchmark scenario")
}

/// A world and a state after `warm_up` terms of thin-spread, when nearly every school implements.
fn fixture(schools: u32, warm_up: u32) -> (Scenario, World, Params, State, Plan) {
    let scn = scenario(schools);
    let seeds = RunSeeds::new(7, 0);
    let world = World::build(&scn, &seeds);
    let params = Params::new(scn.config(), &scn.config().strategies[0]);
    let draws = seeds.draws();
    let budget = scn.budget_per_term();
    let mut state = State::default();
    state.reset(&world, &params);
    let mut plan = Plan::default();
    let mut thin = strategy::build(&scn.config().strategies[0], &world, budget);
    for step in 0..warm_up {
        term(
            &world,
            &params,
            thin.as_mut(),
            &mut state,
            &mut plan,
            &draws,
            budget,
            step,
        );
    }
    (scn, world, params, state, plan)
}

fn one_term(c: &mut Criterion) {
    for schools in [1_000u32, 100_000] {
        let (scn, world, params, state, plan) = fixture(schools, 3);
        let budget = scn.budget_per_term();
        let draws = RunSeeds::new(7, 0).draws();
        let edges: u64 = (0..world.len())
            .map(|i| world.network.degree(i) as u64)
            .sum();
        for (unit, amount) in [("school-terms", schools as u64), ("edge-visits", edges)] {
            let mut group = c.benchmark_group(format!("term/{unit}"));
            group.throughput(Throughput::Elements(amount));
            if schools >= 100_000 {
                group.sample_size(20);
            }
            group.bench_function(format!("{schools}"), |b| {
                b.iter_batched(
                    || (state.clone(), plan.clone()),
                    |(mut s, mut p)| {
                        let mut thin = strategy::build(&scn.config().strategies[0], &world, budget);
                        term(
                            &world,
                            &params,
                            thin.as_mut(),
                            &mut s,
                            &mut p,
                            &draws,
                            budget,
                            3,
                        );
                        s
                    },
                    BatchSize::LargeInput,
                )
            });
            group.finish();
        }
    }
}

fn world(c: &mut Criterion) {
    let mut group = c.benchmark_group("world");
    for schools in [400u32, 100_000] {
        let scn = scenario(schools);
        group.throughput(Throughput::Elements(schools as u64));
        if schools >= 100_000 {
            group.sample_size(20);
        }
        group.bench_function(format!("{schools}"), |b| {
            let mut k = 0;
            b.iter(|| {
                k += 1;
                World::build(&scn, &RunSeeds::new(7, k))
            })
        });
    }
    group.finish();
}

fn compare_default(c: &mut Criterion) {
    let scn = Scenario::builtin_default();
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    let school_terms = scn.config().runs as u64
        * scn.config().strategies.len() as u64
        * scn.schools() as u64
        * scn.config().steps as u64;
    group.throughput(Throughput::Elements(school_terms));
    group.bench_function("default", |b| b.iter(|| run_ensemble(&scn, &())));
    group.finish();
}

/// The national scenario with `schools` schools in regions of its size (about 2,100 schools).
fn national(schools: u32) -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/scenarios/national-1.5m.toml"
    );
    let scn = Scenario::from_file(std::path::Path::new(path)).expect("valid national scenario");
    scn.edited(|c| {
        c.network.regions = (schools / 2_143).max(1);
        c.network.schools = schools;
    })
    .expect("a smaller national scenario is valid")
}

/// Benches one run of every strategy of `scn` on one world (built outside the timing), one thread,
/// as school-terms per second.
fn bench_runs(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, scn: &Scenario) {
    let seeds = RunSeeds::new(scn.config().seed, 0);
    let world = World::build(scn, &seeds);
    let arms = scn.config().strategies.len();
    group.throughput(Throughput::Elements(
        scn.schools() as u64 * scn.config().steps as u64 * arms as u64,
    ));
    let mut buf = Buffers::default();
    group.bench_function(name, |b| {
        b.iter(|| {
            (0..arms)
                .map(|k| simulate(scn, k, &world, &seeds, &mut buf, |_, _, _| {}))
                .count()
        })
    });
}

fn national_scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    let full = national(1_500_000);
    group.throughput(Throughput::Elements(full.schools() as u64));
    group.bench_function("world/1500000", |b| {
        let mut k = 0;
        b.iter(|| {
            k += 1;
            World::build(&full, &RunSeeds::new(full.config().seed, k))
        })
    });
    for schools in [100_000u32, 1_500_000] {
        let scn = national(schools);
        bench_runs(&mut group, &format!("run/{schools}"), &scn);
    }
    for schools in [100_000u32, 1_500_000] {
        let scn = national(schools)
            .edited(|c| {
                c.budget.per_school = 0.0;
                c.mechanisms.contagion.outside_rate = 0.0;
                c.strategies.retain(|s| s.name != "thin-spread");
            })
            .expect("a quiet national scenario is valid");
        bench_runs(&mut group, &format!("quiet/{schools}"), &scn);
    }
    group.finish();
}

criterion_group!(benches, one_term, world, compare_default, national_scale);
criterion_main!(benches);
