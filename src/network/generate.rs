//! Network generators. Each draws from the run's world generator, so run k of every strategy gets
//! the same network (common random numbers).
//!
//! Regions are contiguous blocks of school indices ([`region_blocks`]). The regional generator
//! draws most ties inside them (`within_region`); on the ring and small-world generators a region
//! is a stretch of the ring; on the random, scale-free, complete and configuration generators
//! regions carry no structure, which is what a well-mixed comparison wants.

use super::{Edge, Network};
use crate::scenario::{NetworkConfig, NetworkKind};
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for tie keys that are already well spread by [`crate::rng::mix64`]: the
/// default SipHash costs more than the rest of network generation.
#[derive(Default)]
struct TieHasher(u64);

impl Hasher for TieHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = crate::rng::mix64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, key: u64) {
        self.0 = crate::rng::mix64(key);
    }
}

type TieSet = HashSet<u64, BuildHasherDefault<TieHasher>>;

/// The ties drawn so far, to refuse a tie drawn twice. Each tie is kept under its smaller end:
/// in that school's row of [`ROW_TIES`] slots while it has room, in a hash set after. A new tie
/// then costs one cache line, where the hash set alone cost two far apart (its control bytes and
/// its slot): at 1,500,000 schools that set was a fifth of building the world.
struct DrawnTies {
    rows: Vec<TieRow>,
    overflow: TieSet,
}

/// Slots per school in [`DrawnTies`]: eight, twice the mean number of ties a school holds as the
/// smaller end at the default degree. Smaller ends lean to low indices (the school of rank `i`
/// among `n` is the smaller end of about `degree x (1 - i / n)` of its ties), so at degree 8 about
/// a tenth of the rows overflow, mostly the lowest, and the set holds about 5 % of the ties.
const ROW_TIES: usize = 8;
const NO_TIE: u32 = u32::MAX;

/// One school's slots, aligned so that a row is one cache line's half and never straddles two.
#[derive(Clone, Copy)]
#[repr(align(32))]
struct TieRow([u32; ROW_TIES]);

impl DrawnTies {
    fn new(n: usize) -> Self {
        Self {
            rows: vec![TieRow([NO_TIE; ROW_TIES]); n],
            overflow: TieSet::default(),
        }
    }

    /// Records the tie between `a` and `b` (distinct); false if it was already drawn.
    fn insert(&mut self, a: u32, b: u32) -> bool {
        let (lo, hi) = (a.min(b), a.max(b));
        debug_assert!(hi != NO_TIE, "school indices stay below u32::MAX");
        for slot in &mut self.rows[lo as usize].0 {
            if *slot == hi {
                return false;
            }
            if *slot == NO_TIE {
                *slot = hi;
                return true;
            }
        }
        // A full row: this tie was never placed in it (rows only fill), so the set decides.
        self.overflow.insert(((lo as u64) << 32) | hi as u64)
    }
}

/// Region of each school when `n` schools are split into `regions` contiguous, near-equal blocks.
pub fn region_blocks(n: usize, regions: usize) -> Vec<u32> {
    (0..n).map(|i| (i * regions / n) as u32).collect()
}

/// Start (inclusive) of each region's block, plus a final `n`, for [`region_blocks`] layouts.
fn block_starts(n: usize, regions: usize) -> Vec<usize> {
    (0..=regions).map(|r| (r * n).div_ceil(regions)).collect()
}

fn weight<R: Rng>(cfg: &NetworkConfig, rng: &mut R) -> f32 {
    if cfg.weight_max > cfg.weight_min {
        rng.random_range(cfg.weight_min..=cfg.weight_max) as f32
    } else {
        cfg.weight_min as f32
    }
}

/// Generates the network named by `cfg` for schools with the given regions (contiguous blocks)
/// and contexts (used by the regional generator's homophily). Not for `NetworkKind::File`.
///
/// # Panics
///
/// If `cfg.kind` is `NetworkKind::File` (a file network is read, not generated), or if `cfg` has
/// values scenario validation refuses (`regions = 0`, for one): pass the network of a validated
/// [`crate::Scenario`], whose checks name the field.
pub fn generate<R: Rng>(cfg: &NetworkConfig, context: &[f64], rng: &mut R) -> Network {
    let n = context.len();
    let target_ties = ((n as f64) * cfg.mean_degree / 2.0).round() as usize;
    let edges = match cfg.kind {
        NetworkKind::Regional => regional(cfg, context, target_ties, rng),
        NetworkKind::Random => erdos_renyi(cfg, n, target_ties, rng),
        NetworkKind::Ring => ring(cfg, n, 0.0, rng),
        NetworkKind::SmallWorld => ring(cfg, n, cfg.rewire, rng),
        NetworkKind::ScaleFree => barabasi_albert(cfg, n, rng),
        NetworkKind::Complete => complete(cfg, n, rng),
        NetworkKind::Configuration => configuration(cfg, n, rng),
        NetworkKind::File => unreachable!("file networks are read, not generated"),
    };
    Network::from_edges(n, edges)
}

/// Regional network: each tie starts at a uniformly chosen school; with probability
/// `within_region` its other end is in the same region, otherwise in another one. Ends are
/// accepted with probability `exp(-d^2 / (2 h^2))` for context distance `d` and homophily `h`
/// (up to 16 tries, then the last candidate is kept). A tie already drawn is drawn again, so the
/// network has the declared number of ties unless the regions are too small to hold them
/// (bounded at 20 draws per tie). O(E) expected.
fn regional<R: Rng>(cfg: &NetworkConfig, ctx: &[f64], ties: usize, rng: &mut R) -> Vec<Edge> {
    let n = ctx.len();
    let regions = cfg.regions as usize;
    let starts = block_starts(n, regions);
    let h2 = 2.0 * cfg.context_homophily * cfg.context_homophily;
    let mut edges = Vec::with_capacity(ties);
    if n < 2 {
        return edges;
    }
    let mut seen = DrawnTies::new(n);
    let mut draws = 0usize;
    while edges.len() < ties && draws < 20 * ties {
        draws += 1;
        let a = rng.random_range(0..n);
        // The region of `a` as `region_blocks` has it, computed rather than looked up: at a
        // million schools the lookup was a cache miss per tie.
        let r = a * regions / n;
        let (lo, hi) = (starts[r], starts[r + 1]);
        let inside = hi - lo >= 2 && (regions == 1 || rng.random::<f64>() < cfg.within_region);
        let mut b = a;
        for attempt in 0..16 {
            b = if inside {
                rng.random_range(lo..hi)
            } else if regions > 1 && hi - lo < n {
                // Uniform over schools outside [lo, hi).
                let k = rng.random_range(0..n - (hi - lo));
                if k < lo {
                    k
                } else {
                    k + (hi - lo)
                }
            } else {
                rng.random_range(0..n)
            };
            if b == a {
                continue;
            }
            if h2 == 0.0 || attempt == 15 {
                break;
            }
            let d = ctx[a] - ctx[b];
            if crate::maths::below_exp_neg(rng.random::<f64>(), d * d / h2) {
                break;
            }
        }
        if b != a && seen.insert(a as u32, b as u32) {
            edges.push(Edge {
                a: a as u32,
                b: b as u32,
                weight: weight(cfg, rng),
            });
        }
    }
    edges
}

/// Erdos-Renyi G(n, m) with m = round(n * mean_degree / 2) distinct ties. O(m) expected while
/// the graph is sparse.
fn erdos_renyi<R: Rng>(cfg: &NetworkConfig, n: usize, ties: usize, rng: &mut R) -> Vec<Edge> {
    let max = n * n.saturating_sub(1) / 2;
    let ties = ties.min(max);
    if ties * 2 > max {
        // Dense: shuffle all pairs and keep the first m.
        let mut all: Vec<(u32, u32)> = (0..n as u32)
            .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
            .collect();
        all.shuffle(rng);
        all.truncate(ties);
        all.sort_unstable();
        return all
            .into_iter()
            .map(|(a, b)| Edge {
                a,
                b,
                weight: weight(cfg, rng),
            })
            .collect();
    }
    let mut seen = DrawnTies::new(n);
    let mut edges = Vec::with_capacity(ties);
    while edges.len() < ties {
        let a = rng.random_range(0..n as u32);
        let b = rng.random_range(0..n as u32);
        if a == b {
            continue;
        }
        if seen.insert(a, b) {
            edges.push(Edge {
                a,
                b,
                weight: weight(cfg, rng),
            });
        }
    }
    edges
}

/// Ring lattice with k = round(mean_degree / 2) neighbours on each side; with `rewire > 0`, each
/// tie's far end is moved to a uniformly random school with that probability (Watts & Strogatz 1998).
fn ring<R: Rng>(cfg: &NetworkConfig, n: usize, rewire: f64, rng: &mut R) -> Vec<Edge> {
    let k = ((cfg.mean_degree / 2.0).round() as usize).min(n.saturating_sub(1) / 2);
    let mut edges = Vec::with_capacity(n * k);
    for a in 0..n {
        for step in 1..=k {
            let mut b = (a + step) % n;
            if rewire > 0.0 && rng.random::<f64>() < rewire {
                let c = rng.random_range(0..n);
                if c != a {
                    b = c;
                }
            }
            edges.push(Edge {
                a: a as u32,
                b: b as u32,
                weight: weight(cfg, rng),
            });
        }
    }
    edges
}

/// Barabasi-Albert preferential attachment with m = max(1, round(mean_degree / 2)) ties per new
/// school, starting from a complete core of m + 1 schools. O(n m).
fn barabasi_albert<R: Rng>(cfg: &NetworkConfig, n: usize, rng: &mut R) -> Vec<Edge> {
    let m = ((cfg.mean_degree / 2.0).round() as usize)
        .max(1)
        .min(n.saturating_sub(1));
    let core = (m + 1).min(n);
    let mut edges = Vec::with_capacity(n * m);
    // Every tie end is listed once, so a uniform pick from `ends` is degree-proportional.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * n * m);
    for a in 0..core {
        for b in a + 1..core {
            edges.push(Edge {
                a: a as u32,
                b: b as u32,
                weight: weight(cfg, rng),
            });
            ends.extend([a as u32, b as u32]);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for a in core..n {
        chosen.clear();
        while chosen.len() < m {
            let t = ends[rng.random_range(0..ends.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            edges.push(Edge {
                a: a as u32,
                b: t,
                weight: weight(cfg, rng),
            });
            ends.extend([a as u32, t]);
        }
    }
    edges
}

/// The degrees of a configuration-model network: the given sequence, or draws from the power law
/// P(k) ~ k^-exponent truncated to [degree_min, degree_max] (sampled by inverse CDF).
pub(crate) fn degree_sequence<R: Rng>(cfg: &NetworkConfig, n: usize, rng: &mut R) -> Vec<u32> {
    if let Some(degrees) = &cfg.degrees {
        return degrees.clone();
    }
    let lo = cfg.degree_min.max(1) as usize;
    let hi = if cfg.degree_max == 0 {
        libm::floor((n as f64).sqrt()) as usize
    } else {
        cfg.degree_max as usize
    }
    .clamp(lo, n.saturating_sub(1).max(lo));
    let mut cumulative = Vec::with_capacity(hi - lo + 1);
    let mut total = 0.0;
    for k in lo..=hi {
        total += libm::pow(k as f64, -cfg.degree_exponent);
        cumulative.push(total);
    }
    (0..n)
        .map(|_| {
            let u = rng.random::<f64>() * total;
            (lo + cumulative.partition_point(|&c| c <= u).min(hi - lo)) as u32
        })
        .collect()
}

/// Erased configuration model (Newman 2010, sec. 13.2): every node gets as many stubs as its
/// degree, the stubs are shuffled and paired in order, and self-loops and repeated ties are
/// dropped (so high degrees come out slightly below their targets). An odd stub total loses its
/// last stub. O(sum of degrees).
fn configuration<R: Rng>(cfg: &NetworkConfig, n: usize, rng: &mut R) -> Vec<Edge> {
    let degrees = degree_sequence(cfg, n, rng);
    let mut stubs: Vec<u32> = degrees
        .iter()
        .enumerate()
        .flat_map(|(i, &d)| std::iter::repeat_n(i as u32, d as usize))
        .collect();
    stubs.shuffle(rng);
    stubs
        .chunks_exact(2)
        .filter(|pair| pair[0] != pair[1])
        .map(|pair| Edge {
            a: pair[0],
            b: pair[1],
            weight: weight(cfg, rng),
        })
        .collect()
}

fn complete<R: Rng>(cfg: &NetworkConfig, n: usize, rng: &mut R) -> Vec<Edge> {
    let mut edges = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for a in 0..n as u32 {
        for b in a + 1..n as u32 {
            edges.push(Edge {
                a,
                b,
                weight: weight(cfg, rng),
            });
        }
    }
    edges
}

#[cfg(test)]
mod configuration_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn configuration_model_keeps_a_given_degree_sequence_up_to_erased_ties() {
        let degrees: Vec<u32> = (0..2000).map(|i| 2 + (i % 5)).collect();
        let cfg = NetworkConfig {
            kind: NetworkKind::Configuration,
            schools: 2000,
            degrees: Some(degrees.clone()),
            ..NetworkConfig::default()
        };
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let net = generate(&cfg, &vec![0.5; 2000], &mut rng);
        let want: u64 = degrees.iter().map(|&d| d as u64).sum();
        let got: u64 = (0..2000).map(|i| net.degree(i) as u64).sum();
        // Erasing self-loops and repeats loses O(<k^2>/<k>) ties in all, well under 1 %.
        assert!(
            got <= want && got as f64 > 0.99 * want as f64,
            "{got} of {want}"
        );
        assert!((0..2000).all(|i| net.degree(i) as u32 <= degrees[i]));
    }

    #[test]
    fn power_law_degrees_stay_in_range_and_are_heavy_tailed() {
        let cfg = NetworkConfig {
            kind: NetworkKind::Configuration,
            degree_exponent: 2.5,
            degree_min: 2,
            degree_max: 100,
            ..NetworkConfig::default()
        };
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(4);
        let d = degree_sequence(&cfg, 50_000, &mut rng);
        assert!(d.iter().all(|&k| (2..=100).contains(&k)));
        // P(k = 2) for the truncated law is 2^-2.5 / sum_{k=2}^{100} k^-2.5 = 0.5187; with 5e4
        // draws its standard error is 0.0022, so allow 0.01.
        let share2 = d.iter().filter(|&&k| k == 2).count() as f64 / d.len() as f64;
        assert!((share2 - 0.5187).abs() < 0.01, "{share2}");
        assert!(
            d.iter().any(|&k| k >= 50),
            "a heavy tail reaches high degrees"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    proptest::proptest! {
        #[test]
        fn drawn_ties_refuse_exactly_the_ties_seen_before(
            pairs in proptest::collection::vec((0u32..12, 0u32..12), 0..200),
        ) {
            // Twelve schools and up to 200 draws: many rows fill and spill into the set, and
            // most ties come again in one direction or the other.
            let mut drawn = DrawnTies::new(12);
            let mut reference = std::collections::HashSet::new();
            for (a, b) in pairs.into_iter().filter(|(a, b)| a != b) {
                let new = reference.insert((a.min(b), a.max(b)));
                proptest::prop_assert_eq!(drawn.insert(a, b), new, "tie {}-{}", a, b);
            }
        }
    }

    fn cfg(kind: NetworkKind, n: u32, degree: f64) -> NetworkConfig {
        NetworkConfig {
            kind,
            schools: n,
            mean_degree: degree,
            ..NetworkConfig::default()
        }
    }

    fn make(kind: NetworkKind, n: u32, degree: f64) -> Network {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let ctx: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        generate(&cfg(kind, n, degree), &ctx, &mut rng)
    }

    #[test]
    fn generators_give_declared_sizes() {
        for kind in [
            NetworkKind::Regional,
            NetworkKind::Random,
            NetworkKind::Ring,
            NetworkKind::SmallWorld,
            NetworkKind::ScaleFree,
            NetworkKind::Complete,
        ] {
            let net = make(kind, 300, 8.0);
            assert_eq!(net.schools(), 300, "{kind:?}");
            let mean = 2.0 * net.ties() as f64 / 300.0;
            let expected = if kind == NetworkKind::Complete {
                299.0
            } else {
                8.0
            };
            // Duplicates and rewiring collisions lose a few ties; never more than 5 %.
            assert!(
                mean <= expected + 1e-9 && mean > 0.95 * expected,
                "{kind:?}: mean degree {mean}"
            );
        }
    }

    #[test]
    fn ring_lattice_is_regular_and_erdos_renyi_is_exact() {
        let ring = make(NetworkKind::Ring, 50, 4.0);
        assert!((0..50).all(|i| ring.degree(i) == 4));
        assert_eq!(make(NetworkKind::Random, 1000, 6.0).ties(), 3000);
    }

    #[test]
    fn regional_ties_stay_mostly_inside_regions() {
        let net = make(NetworkKind::Regional, 800, 8.0);
        let region = region_blocks(800, 8);
        let inside = net
            .edges()
            .filter(|e| region[e.a as usize] == region[e.b as usize])
            .count();
        let share = inside as f64 / net.ties() as f64;
        // within_region = 0.9 by default; 3200 ties give a binomial sd of 0.005.
        assert!((share - 0.9).abs() < 0.03, "inside share {share}");
    }

    #[test]
    fn scale_free_has_hubs() {
        let net = make(NetworkKind::ScaleFree, 2000, 6.0);
        let max = (0..2000).map(|i| net.degree(i)).max().unwrap();
        // Preferential attachment grows hubs of order sqrt(n) * m; a G(n, m) graph of the same
        // density has a maximum degree near 15.
        assert!(max > 40, "max degree {max}");
    }

    #[test]
    fn region_blocks_match_block_starts() {
        for (n, r) in [(10, 3), (400, 8), (7, 7), (5, 1)] {
            let region = region_blocks(n, r);
            let starts = block_starts(n, r);
            for (i, &reg) in region.iter().enumerate() {
                assert!(starts[reg as usize] <= i && i < starts[reg as usize + 1]);
            }
        }
    }
}
