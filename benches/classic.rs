//! Criterion benchmarks of the classic models (figures quoted in README.md, "Performance").
//!
//! The workloads of the peer comparison (`benches/peers/`): independent cascade with T = 0.25 and
//! the Watts threshold model with phi = 0.18 on an Erdos-Renyi graph of mean degree 6, 1 % of the
//! nodes seeded at random, at 10,000 and 100,000 nodes; one run per iteration, single-threaded,
//! each iteration a different run (other seeds and coins) on the same graph. Reported as time per
//! run and as edge visits per second.
//!
//! `baseline/*` is the straightforward single-threaded CSR loop one would write for exactly this
//! workload (a frontier, a `Vec<bool>`, one `Pcg64Mcg` draw per tie to an inactive node), so the
//! ratio between domino's general engine and a purpose-written loop is visible.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use domino::classic::{models, seeding, RunNetworks};
use domino::network::Network;
use domino::rng::RunSeeds;
use domino::Scenario;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

fn graph(nodes: u32) -> (Network, Vec<u32>) {
    let scn = Scenario::from_toml(
        &format!(
            "model = \"independent-cascade\"\nseed = 11\n[network]\nkind = \"random\"\nschools = {nodes}\nmean_degree = 6.0\n"
        ),
        None,
    )
    .expect("valid benchmark scenario");
    let seeds = RunSeeds::new(11, 0);
    let net = RunNetworks::new(&scn).get(&scn, &seeds);
    let chosen = seeding::choose(&scn.config().seedings[0], &net, &seeds.draws(), &mut None);
    (Network::clone(&net), chosen)
}

/// The purpose-written independent cascade: BFS by rounds over the CSR arrays.
fn baseline_ic(net: &Network, t: f64, seeds: &[u32], rng: &mut Pcg64Mcg) -> usize {
    let (offsets, targets, _) = net.csr();
    let mut active = vec![false; net.schools()];
    let mut frontier: Vec<u32> = seeds.to_vec();
    for &s in seeds {
        active[s as usize] = true;
    }
    let mut count = seeds.len();
    let mut next = Vec::new();
    while !frontier.is_empty() {
        for &j in &frontier {
            for &i in &targets[offsets[j as usize] as usize..offsets[j as usize + 1] as usize] {
                if !active[i as usize] && rng.random::<f64>() < t {
                    active[i as usize] = true;
                    next.push(i);
                }
            }
        }
        count += next.len();
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    count
}

/// The purpose-written Watts threshold model: count active neighbours, activate at phi.
fn baseline_threshold(net: &Network, phi: f64, seeds: &[u32]) -> usize {
    let (offsets, targets, _) = net.csr();
    let n = net.schools();
    let mut active = vec![false; n];
    let mut hits = vec![0u32; n];
    let mut frontier: Vec<u32> = seeds.to_vec();
    for &s in seeds {
        active[s as usize] = true;
    }
    let mut count = seeds.len();
    let mut next = Vec::new();
    while !frontier.is_empty() {
        for &j in &frontier {
            for &i in &targets[offsets[j as usize] as usize..offsets[j as usize + 1] as usize] {
                let i = i as usize;
                if active[i] {
                    continue;
                }
                hits[i] += 1;
                if hits[i] as f64 / net.degree(i) as f64 >= phi {
                    active[i] = true;
                    next.push(i as u32);
                }
            }
        }
        count += next.len();
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    count
}

fn classic(c: &mut Criterion) {
    for nodes in [10_000u32, 100_000] {
        let (net, seeds) = graph(nodes);
        let mut buf = models::Buffers::default();
        // Edge visits of one typical run, for the throughput figure.
        let d0 = RunSeeds::new(1, 0).draws();
        let ic_visits =
            models::independent_cascade(&net, 0.25, false, &d0, &seeds, 10_000, &mut buf)
                .tie_visits;
        let th_visits =
            models::fractional_threshold(&net, 0.18, 0.0, &d0, &seeds, 10_000, &mut buf).tie_visits;
        for (unit, ic_amount, th_amount) in [("run", 1, 1), ("edge-visits", ic_visits, th_visits)] {
            let mut group = c.benchmark_group(format!("classic/{unit}"));
            if nodes >= 100_000 {
                group.sample_size(30);
            }
            group.throughput(Throughput::Elements(ic_amount));
            let mut k = 0u64;
            group.bench_function(BenchmarkId::new("ic-domino", nodes), |b| {
                b.iter(|| {
                    k += 1;
                    let d = RunSeeds::new(1, k).draws();
                    models::independent_cascade(&net, 0.25, false, &d, &seeds, 10_000, &mut buf)
                })
            });
            let mut rng = Pcg64Mcg::seed_from_u64(1);
            group.bench_function(BenchmarkId::new("ic-baseline", nodes), |b| {
                b.iter(|| baseline_ic(&net, 0.25, &seeds, &mut rng))
            });
            group.throughput(Throughput::Elements(th_amount));
            group.bench_function(BenchmarkId::new("threshold-domino", nodes), |b| {
                b.iter(|| {
                    models::fractional_threshold(&net, 0.18, 0.0, &d0, &seeds, 10_000, &mut buf)
                })
            });
            group.bench_function(BenchmarkId::new("threshold-baseline", nodes), |b| {
                b.iter(|| baseline_threshold(&net, 0.18, &seeds))
            });
            group.finish();
        }
    }
}

criterion_group!(benches, classic);
criterion_main!(benches);
