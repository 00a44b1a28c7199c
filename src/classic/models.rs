//! The four classic diffusion models as tight loops over the CSR network.
//!
//! Each function runs one model from a seed set and writes the number of active nodes after
//! every step into [`Buffers::curve`] (entry 0 is the seed count). The discrete models update
//! synchronously, round by round, and only touch the ties of the nodes activated in the previous
//! round, so a run costs O(seeds + ties of the nodes that become active), not O(steps * n). A run
//! that stops changing fills the rest of the curve with its final count and returns.
//!
//! The three discrete models each write out their own round loop rather than share one generic
//! over a visit closure: a shared version was tried and measured 20-40 % slower in
//! `cargo bench --bench classic` (the closure's access to the whole buffer set defeats the
//! compiler's reasoning about which arrays alias), and these loops are the whole cost of a run.
//!
//! Randomness is counter-based ([`Draws`]): a tie's coin, a node's threshold and the event stream
//! are pure functions of the run and the tie or node, so every seeding rule of a run faces the
//! same live ties and thresholds (common random numbers), and the update order cannot matter.

use crate::network::Network;
use crate::rng::{Draws, Purpose};
use rand::Rng;

/// Reusable per-thread buffers: nothing is allocated per step, and after the first run of a
/// thread nothing is allocated per run either.
#[derive(Debug, Default)]
pub struct Buffers {
    active: Vec<bool>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    /// Threshold models: active neighbours still needed (fractional) or influence so far (linear).
    needed: Vec<u32>,
    needed_small: Vec<u8>,
    needed_by_degree: Vec<u32>,
    influence: Vec<f64>,
    /// Bass: active neighbours, and the inactive nodes with each one's position in that list.
    active_neighbours: Vec<u32>,
    inactive: Vec<u32>,
    position: Vec<u32>,
    /// One bit per node, for sorting the newly active ([`Buffers::sort_next`]).
    bitmap: Vec<u64>,
    /// Whether this run sorts them (large networks only).
    sort_rounds: bool,
    /// Active nodes after each step 0..=steps.
    pub curve: Vec<u32>,
    /// When set (by `domino run`), the time each node became active (NaN: never; 0: seed).
    pub activation_times: Option<Vec<f64>>,
}

/// Tie arrays above this size (bytes) get each round's new nodes sorted: about the size of a
/// core's L2 cache, beyond which walking the ties in index order is measurably faster
/// (`cargo bench --bench classic`: about 20 % at 100,000 nodes) while below it the sorting
/// only costs.
const SORT_ABOVE_BYTES: usize = 1 << 20;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Last step in which a node became active (0 if none did after seeding).
    pub last_change: u32,
    /// Time at which half the nodes were active: exact for Bass, the step for the others;
    /// +infinity if never.
    pub time_to_half: f64,
    /// Ties walked (edge visits), for throughput figures.
    pub tie_visits: u64,
}

impl Buffers {
    /// Marks `seeds` active and makes them the first frontier.
    fn start(&mut self, net: &Network, seeds: &[u32], steps: u32) {
        let n = net.schools();
        // Sorting each round's new nodes pays only when the tie array does not fit in cache.
        self.sort_rounds = net.ties() * 2 * std::mem::size_of::<u32>() > SORT_ABOVE_BYTES;
        self.active.clear();
        self.active.resize(n, false);
        self.frontier.clear();
        self.next.clear();
        for &s in seeds {
            self.active[s as usize] = true;
            self.frontier.push(s);
        }
        self.curve.clear();
        self.curve.reserve(steps as usize + 1);
        self.curve.push(seeds.len() as u32);
        if let Some(times) = &mut self.activation_times {
            times.clear();
            times.resize(n, f64::NAN);
            for &s in seeds {
                times[s as usize] = 0.0;
            }
        }
    }

    /// Puts the newly active nodes in index order, so that the next round walks the CSR arrays
    /// front to back (the hardware prefetcher then hides most of the memory latency on graphs
    /// larger than the cache). Large lists go through a bitmap: O(len + n / 64), no comparison
    /// sort. The order changes no result of the discrete models: their updates commute.
    fn sort_next(&mut self, n: usize) {
        if !self.sort_rounds {
            return;
        }
        if self.next.len() < 256 {
            self.next.sort_unstable();
            return;
        }
        self.bitmap.clear();
        self.bitmap.resize(n.div_ceil(64), 0);
        for &i in &self.next {
            self.bitmap[i as usize / 64] |= 1 << (i % 64);
        }
        self.next.clear();
        for (w, word) in self.bitmap.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                self.next.push((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
    }

    /// Records the count after a round; returns true when the run has stopped changing.
    fn end_round(&mut self, step: u32, steps: u32, out: &mut Outcome, n: usize) -> bool {
        let count = self.curve.last().copied().unwrap_or(0) + self.next.len() as u32;
        self.curve.push(count);
        if !self.next.is_empty() {
            out.last_change = step;
        }
        if let Some(times) = &mut self.activation_times {
            for &i in &self.next {
                times[i as usize] = step as f64;
            }
        }
        if out.time_to_half.is_infinite() && 2 * count as usize >= n {
            out.time_to_half = step as f64;
        }
        self.sort_next(n);
        std::mem::swap(&mut self.frontier, &mut self.next);
        self.next.clear();
        if self.frontier.is_empty() {
            self.curve.resize(steps as usize + 1, count);
            return true;
        }
        step >= steps
    }
}

fn outcome(n: usize, seeds: usize) -> Outcome {
    Outcome {
        last_change: 0,
        time_to_half: if n > 0 && 2 * seeds >= n {
            0.0
        } else {
            f64::INFINITY
        },
        tie_visits: 0,
    }
}

/// A probability as a 64-bit cut: `bits < cut` has probability `p` for uniform bits (exactly 1
/// for p >= 1), which saves converting every draw to a float.
#[inline]
fn cut(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else {
        (p * 18_446_744_073_709_551_616.0) as u64
    }
}

/// Independent cascade (Kempe, Kleinberg & Tardos 2003): a node activated in round t gets one
/// chance, in round t + 1, to activate each inactive neighbour, with probability `transmission`
/// (or the tie's weight when `from_weight`). The coin of the directed tie in CSR slot `s` is
/// `draws.bits(Tie, s)`, so a run's live-edge graph is fixed and the same for every seeding.
pub fn independent_cascade(
    net: &Network,
    transmission: f64,
    from_weight: bool,
    draws: &Draws,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    let n = net.schools();
    buf.start(net, seeds, steps);
    let mut out = outcome(n, seeds.len());
    let (offsets, targets, weights) = net.csr();
    let constant = cut(transmission);
    for step in 1..=steps {
        for &j in &buf.frontier {
            let (lo, hi) = (
                offsets[j as usize] as usize,
                offsets[j as usize + 1] as usize,
            );
            out.tie_visits += (hi - lo) as u64;
            for slot in lo..hi {
                let i = targets[slot] as usize;
                if buf.active[i] {
                    continue;
                }
                let threshold = if from_weight {
                    cut(weights[slot] as f64)
                } else {
                    constant
                };
                // u64::MAX stands for certainty; any other cut is compared with the coin.
                if threshold == u64::MAX || draws.bits(Purpose::Tie, slot as u64) < threshold {
                    buf.active[i] = true;
                    buf.next.push(i as u32);
                }
            }
        }
        if buf.end_round(step, steps, &mut out, n) {
            break;
        }
    }
    out
}

/// Node `i`'s fractional threshold: `threshold`, or a Normal(threshold, sd) draw clipped to
/// [0, 1] (Box-Muller from two counter-based uniforms, with libm's portable `log` and `cos`).
#[inline]
pub(crate) fn node_threshold(threshold: f64, sd: f64, draws: &Draws, i: usize) -> f64 {
    if sd <= 0.0 {
        return threshold;
    }
    let u1 = 1.0 - draws.unit(Purpose::Threshold, 2 * i as u64); // (0, 1]
    let u2 = draws.unit(Purpose::Threshold, 2 * i as u64 + 1);
    let r = (-2.0 * libm::log(u1)).sqrt();
    let z = r * libm::cos(2.0 * std::f64::consts::PI * u2);
    (threshold + sd * z).clamp(0.0, 1.0)
}

/// The fewest active neighbours among `degree` that reach the fractional threshold `phi`:
/// the smallest m with m / degree >= phi; `u32::MAX` (never) for an isolated node.
#[inline]
pub(crate) fn needed_neighbours(phi: f64, degree: usize) -> u32 {
    if degree == 0 {
        return u32::MAX;
    }
    let k = degree as f64;
    let mut m = (phi * k).ceil();
    // Guard the rounding of phi * k: step down while one fewer still satisfies m / k >= phi.
    while m > 0.0 && (m - 1.0) / k >= phi {
        m -= 1.0;
    }
    while m / k < phi {
        m += 1.0;
    }
    m as u32
}

/// Marks a node whose threshold state no longer changes (active, or never to be), in the
/// threshold models.
const DONE: u32 = u32::MAX;

/// Fractional threshold model (Granovetter 1978; Watts 2002): an inactive node becomes active in
/// round t + 1 when the share of its neighbours active at t reaches its threshold. Nodes with no
/// ties never activate (unless seeded); a threshold of 0 activates a node in round 1.
pub fn fractional_threshold(
    net: &Network,
    threshold: f64,
    sd: f64,
    draws: &Draws,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    if sd <= 0.0 {
        return threshold_by_degree(net, seeds, steps, buf, |d| needed_neighbours(threshold, d));
    }
    let n = net.schools();
    buf.start(net, seeds, steps);
    let mut out = outcome(n, seeds.len());
    let mut needed = std::mem::take(&mut buf.needed);
    needed.clear();
    needed.extend((0..n).map(|i| {
        let m = needed_neighbours(node_threshold(threshold, sd, draws, i), net.degree(i));
        start_count::<u32>(buf, i, m)
    }));
    threshold_rounds(net, &mut needed, steps, &mut out, buf);
    buf.needed = needed;
    out
}

/// Threshold model with an absolute count (complex contagion: Centola & Macy 2007, "Complex
/// contagions and the weakness of long ties", AJS 113(3), 702-734): an inactive node becomes
/// active in round t + 1 once at least `count` of its neighbours are active at t, whatever its
/// degree. A node with fewer than `count` ties never activates unless seeded, nor does an
/// isolated one; `count` = 0 activates every other node with a tie in round 1.
pub fn count_threshold(
    net: &Network,
    count: u32,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    threshold_by_degree(net, seeds, steps, buf, |d| {
        if d == 0 || count as usize > d {
            DONE
        } else {
            count
        }
    })
}

/// The threshold models in which what a node needs depends only on its degree (`needed(degree)`,
/// [`DONE`] for never): a small table replaces a division and rounding per node.
fn threshold_by_degree(
    net: &Network,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
    needed_for: impl Fn(usize) -> u32,
) -> Outcome {
    let n = net.schools();
    buf.start(net, seeds, steps);
    let mut out = outcome(n, seeds.len());
    let max_degree = (0..n).map(|i| net.degree(i)).max().unwrap_or(0);
    let mut table = std::mem::take(&mut buf.needed_by_degree);
    table.clear();
    table.extend((0..=max_degree).map(needed_for));
    // The counters are the only per-node state the rounds touch. When every count fits in a
    // byte they live in a byte array, a quarter of the size, which keeps far more of it in
    // cache on large networks.
    if table.iter().all(|&v| v == DONE || v < u8::MAX as u32) {
        let mut needed = std::mem::take(&mut buf.needed_small);
        needed.clear();
        needed.extend((0..n).map(|i| start_count::<u8>(buf, i, table[net.degree(i)])));
        threshold_rounds(net, &mut needed, steps, &mut out, buf);
        buf.needed_small = needed;
    } else {
        let mut needed = std::mem::take(&mut buf.needed);
        needed.clear();
        needed.extend((0..n).map(|i| start_count::<u32>(buf, i, table[net.degree(i)])));
        threshold_rounds(net, &mut needed, steps, &mut out, buf);
        buf.needed = needed;
    }
    buf.needed_by_degree = table;
    out
}

/// Node i's starting counter: done if seeded or if it can never activate ([`DONE`]); done and
/// active in round 1 if it needs nobody.
#[inline(always)]
fn start_count<C: Needed>(buf: &mut Buffers, i: usize, needed: u32) -> C {
    if buf.active[i] || needed == DONE {
        C::DONE
    } else if needed == 0 {
        buf.next.push(i as u32);
        C::DONE
    } else {
        C::from_u32(needed)
    }
}

/// A count of active neighbours still needed; its largest value marks a node that is done.
trait Needed: Copy + Eq {
    const DONE: Self;
    /// A count below `DONE` (callers check that it fits).
    fn from_u32(v: u32) -> Self;
    fn step_down(self) -> Self;
    fn is_zero(self) -> bool;
}

impl Needed for u8 {
    const DONE: Self = u8::MAX;
    #[inline(always)]
    fn from_u32(v: u32) -> Self {
        v as u8
    }
    #[inline(always)]
    fn step_down(self) -> Self {
        self - 1
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self == 0
    }
}

impl Needed for u32 {
    const DONE: Self = DONE;
    #[inline(always)]
    fn from_u32(v: u32) -> Self {
        v
    }
    #[inline(always)]
    fn step_down(self) -> Self {
        self - 1
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self == 0
    }
}

/// The rounds of [`fractional_threshold`] over counters of type `C`.
fn threshold_rounds<C: Needed>(
    net: &Network,
    needed: &mut [C],
    steps: u32,
    out: &mut Outcome,
    buf: &mut Buffers,
) {
    let n = net.schools();
    let (offsets, targets, _) = net.csr();
    for step in 1..=steps {
        for &j in &buf.frontier {
            let (lo, hi) = (
                offsets[j as usize] as usize,
                offsets[j as usize + 1] as usize,
            );
            out.tie_visits += (hi - lo) as u64;
            for &i in &targets[lo..hi] {
                let left = &mut needed[i as usize];
                if *left == C::DONE {
                    continue;
                }
                *left = left.step_down();
                if left.is_zero() {
                    *left = C::DONE;
                    buf.next.push(i);
                }
            }
        }
        if buf.end_round(step, steps, out, n) {
            break;
        }
    }
}

/// Linear threshold model (Kempe, Kleinberg & Tardos 2003): node i draws a threshold uniformly in
/// (0, 1] and becomes active in round t + 1 once the summed weight of its active neighbours,
/// each tie's weight divided by i's total tie weight, reaches it.
pub(crate) fn linear_threshold(
    net: &Network,
    draws: &Draws,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    let n = net.schools();
    buf.start(net, seeds, steps);
    let mut out = outcome(n, seeds.len());
    // influence[i] starts at -threshold * strength(i); i activates when it reaches 0.
    buf.influence.clear();
    buf.influence.extend((0..n).map(|i| {
        let theta = 1.0 - draws.unit(Purpose::Threshold, i as u64);
        -theta * net.strength(i)
    }));
    let (offsets, targets, weights) = net.csr();
    for step in 1..=steps {
        for &j in &buf.frontier {
            let (lo, hi) = (
                offsets[j as usize] as usize,
                offsets[j as usize + 1] as usize,
            );
            out.tie_visits += (hi - lo) as u64;
            for slot in lo..hi {
                let i = targets[slot] as usize;
                if buf.active[i] {
                    continue;
                }
                buf.influence[i] += weights[slot] as f64;
                if buf.influence[i] >= 0.0 {
                    buf.active[i] = true;
                    buf.next.push(i as u32);
                }
            }
        }
        if buf.end_round(step, steps, &mut out, n) {
            break;
        }
    }
    out
}

/// Bass diffusion on the network in exact continuous time: an inactive node i adopts at rate
/// `p + q * a_i / k_i` (a_i of its k_i neighbours active; rate p if it has none). On the complete
/// graph a_i / k_i is the share of the others who adopted, which is Bass's F(t) in the limit of
/// many nodes. Events are drawn by thinning (Lewis & Shedler 1979): candidate events come at the
/// bound rate (p + q) per inactive node, a uniformly chosen inactive node, accepted with
/// probability rate / (p + q); this is exact, needs no rate tree, and costs O(1) per candidate
/// plus O(k) per adoption. The count is recorded at times `step * time_step`.
#[allow(clippy::too_many_arguments)]
pub fn bass(
    net: &Network,
    p: f64,
    q: f64,
    time_step: f64,
    draws: &Draws,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    let n = net.schools();
    buf.start(net, seeds, steps);
    let mut out = outcome(n, seeds.len());
    // On a complete graph every active node is a neighbour: count instead of updating n - 1
    // neighbours per adoption.
    let complete = n > 1 && net.ties() == n * (n - 1) / 2;
    buf.active_neighbours.clear();
    buf.active_neighbours.resize(n, 0);
    buf.inactive.clear();
    buf.position.clear();
    buf.position.resize(n, u32::MAX);
    for i in 0..n {
        if !buf.active[i] {
            buf.position[i] = buf.inactive.len() as u32;
            buf.inactive.push(i as u32);
        }
    }
    if !complete {
        for &s in seeds {
            for &i in net.neighbours(s as usize) {
                buf.active_neighbours[i as usize] += 1;
            }
        }
    }
    let mut rng = draws.rng(Purpose::Seeding);
    let bound = p + q;
    let mut count = seeds.len() as u32;
    let mut t = 0.0;
    let mut step = 1u32;
    while step <= steps {
        let waiting = buf.inactive.len();
        let next_time = if waiting == 0 {
            f64::INFINITY
        } else {
            let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
            t - libm::log(u) / (bound * waiting as f64)
        };
        // Record every grid time passed before this candidate event.
        while step <= steps && step as f64 * time_step <= next_time {
            buf.curve.push(count);
            step += 1;
        }
        if step > steps {
            break;
        }
        t = next_time;
        let pick = rng.random_range(0..waiting);
        let i = buf.inactive[pick] as usize;
        let k = net.degree(i);
        let share = if complete {
            count as f64 / (n - 1) as f64
        } else if k > 0 {
            buf.active_neighbours[i] as f64 / k as f64
        } else {
            0.0
        };
        if rng.random::<f64>() * bound >= p + q * share {
            continue;
        }
        // Adopt: swap-remove i from the inactive list.
        let last = buf.inactive.pop().expect("i is inactive");
        if last as usize != i {
            buf.inactive[pick] = last;
            buf.position[last as usize] = pick as u32;
        }
        buf.active[i] = true;
        if let Some(times) = &mut buf.activation_times {
            times[i] = t;
        }
        count += 1;
        out.last_change = step;
        if out.time_to_half.is_infinite() && 2 * count as usize >= n {
            out.time_to_half = t;
        }
        if !complete {
            out.tie_visits += k as u64;
            for &j in net.neighbours(i) {
                buf.active_neighbours[j as usize] += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Edge;
    use crate::rng::RunSeeds;

    fn path(n: u32) -> Network {
        Network::from_edges(
            n as usize,
            (0..n - 1)
                .map(|a| Edge {
                    a,
                    b: a + 1,
                    weight: 1.0,
                })
                .collect(),
        )
    }

    fn draws() -> Draws {
        RunSeeds::new(5, 0).draws()
    }

    #[test]
    fn certain_cascade_walks_a_path_one_step_per_round() {
        let mut buf = Buffers::default();
        let out = independent_cascade(&path(6), 1.0, false, &draws(), &[0], 10, &mut buf);
        assert_eq!(buf.curve, vec![1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6]);
        assert_eq!(out.last_change, 5);
        assert_eq!(out.time_to_half, 2.0);
        let out = independent_cascade(&path(6), 0.0, false, &draws(), &[0], 3, &mut buf);
        assert_eq!(buf.curve, vec![1, 1, 1, 1]);
        assert!(out.time_to_half.is_infinite());
    }

    #[test]
    fn cascade_from_weight_uses_the_weights() {
        let net = Network::from_edges(
            3,
            vec![
                Edge {
                    a: 0,
                    b: 1,
                    weight: 1.0,
                },
                Edge {
                    a: 1,
                    b: 2,
                    weight: 1.0,
                },
            ],
        );
        let mut buf = Buffers::default();
        independent_cascade(&net, 0.0, true, &draws(), &[0], 5, &mut buf);
        assert_eq!(*buf.curve.last().unwrap(), 3);
    }

    #[test]
    fn needed_neighbours_is_the_smallest_share_reaching_phi() {
        assert_eq!(needed_neighbours(0.18, 5), 1); // 1/5 = 0.2 >= 0.18
        assert_eq!(needed_neighbours(0.2, 5), 1); // exactly at the threshold counts
        assert_eq!(needed_neighbours(0.21, 5), 2);
        assert_eq!(needed_neighbours(0.18, 6), 2); // 1/6 < 0.18
        assert_eq!(needed_neighbours(0.0, 4), 0);
        assert_eq!(needed_neighbours(1.0, 4), 4);
        assert_eq!(needed_neighbours(0.3, 0), u32::MAX);
        for k in 1..200usize {
            for phi in [0.1, 0.18, 1.0 / 3.0, 0.5, 0.7] {
                let m = needed_neighbours(phi, k) as f64;
                assert!(m / k as f64 >= phi && (m == 0.0 || (m - 1.0) / (k as f64) < phi));
            }
        }
    }

    #[test]
    fn threshold_spreads_on_a_path_only_when_one_neighbour_suffices() {
        let mut buf = Buffers::default();
        // Inner path nodes have degree 2: phi = 0.5 needs one active neighbour.
        fractional_threshold(&path(5), 0.5, 0.0, &draws(), &[0], 10, &mut buf);
        assert_eq!(*buf.curve.last().unwrap(), 5);
        fractional_threshold(&path(5), 0.51, 0.0, &draws(), &[0], 10, &mut buf);
        // Now node 1 (degree 2) needs both neighbours, and only one is active: nothing spreads.
        assert_eq!(buf.curve[..3], [1, 1, 1]);
    }

    /// A ring of `n` nodes, each tied to the `k` nearest on either side.
    fn ring(n: u32, k: u32) -> Network {
        let edges = (0..n)
            .flat_map(|a| {
                (1..=k).map(move |s| Edge {
                    a,
                    b: (a + s) % n,
                    weight: 1.0,
                })
            })
            .collect();
        Network::from_edges(n as usize, edges)
    }

    #[test]
    fn count_threshold_fronts_advance_k_minus_count_plus_one_per_side() {
        // Ring with 3 ties on each side, seeds 0..=6: a node d places beyond a front sees
        // 3 - d + 1 active neighbours, so with count c the front moves 4 - c nodes per round.
        let net = ring(40, 3);
        let seeds: Vec<u32> = (0..7).collect();
        let mut buf = Buffers::default();
        for (count, per_round) in [(1u32, 3u32), (2, 2), (3, 1), (4, 0)] {
            count_threshold(&net, count, &seeds, 5, &mut buf);
            let want: Vec<u32> = (0..=5).map(|t| 7 + 2 * per_round * t).collect();
            assert_eq!(buf.curve, want, "count {count}");
        }
        // On a regular graph a count c of degree k is the fractional threshold c / k.
        let mut frac = Buffers::default();
        count_threshold(&net, 2, &seeds, 20, &mut buf);
        fractional_threshold(&net, 2.0 / 6.0, 0.0, &draws(), &seeds, 20, &mut frac);
        assert_eq!(buf.curve, frac.curve);
    }

    #[test]
    fn count_threshold_ignores_degree_and_excludes_nodes_with_too_few_ties() {
        // A hub tied to 20 leaves, two of them seeded: two active neighbours are enough for the
        // hub under count 2, though only a tenth of its ties; the leaves (one tie) never follow.
        let star = Network::from_edges(
            21,
            (1..=20)
                .map(|b| Edge {
                    a: 0,
                    b,
                    weight: 1.0,
                })
                .collect(),
        );
        let mut buf = Buffers::default();
        count_threshold(&star, 2, &[1, 2], 5, &mut buf);
        assert_eq!(buf.curve, vec![2, 3, 3, 3, 3, 3]);
        fractional_threshold(&star, 0.2, 0.0, &draws(), &[1, 2], 5, &mut buf);
        assert_eq!(buf.curve, vec![2, 2, 2, 2, 2, 2]);
        // Counts too large for byte counters (degree 299 in a complete graph of 300).
        let complete = Network::from_edges(
            300,
            (0..300u32)
                .flat_map(|a| (a + 1..300).map(move |b| Edge { a, b, weight: 1.0 }))
                .collect(),
        );
        let seeds: Vec<u32> = (0..256).collect();
        count_threshold(&complete, 256, &seeds, 3, &mut buf);
        assert_eq!(buf.curve, vec![256, 300, 300, 300]);
        count_threshold(&complete, 257, &seeds, 3, &mut buf);
        assert_eq!(buf.curve, vec![256, 256, 256, 256]);
        count_threshold(&complete, 300, &seeds, 3, &mut buf);
        assert_eq!(*buf.curve.last().unwrap(), 256, "degree 299 < 300: never");
    }

    #[test]
    fn linear_threshold_activates_a_leaf_of_an_active_neighbour() {
        // A leaf's only neighbour carries all its weight, so any threshold in (0, 1] is reached.
        let mut buf = Buffers::default();
        linear_threshold(&path(2), &draws(), &[0], 3, &mut buf);
        assert_eq!(buf.curve, vec![1, 2, 2, 2]);
    }

    #[test]
    fn bass_without_imitation_is_a_pure_exponential() {
        // q = 0: each node adopts at rate p independently, so F(t) = 1 - exp(-p t).
        let n = 20_000u32;
        let net = Network::from_edges(n as usize, Vec::new());
        let mut buf = Buffers::default();
        bass(&net, 0.1, 0.0, 1.0, &draws(), &[], 10, &mut buf);
        for (t, &c) in buf.curve.iter().enumerate() {
            let want = 1.0 - (-0.1 * t as f64).exp();
            let got = c as f64 / n as f64;
            // Binomial sd at most 0.0036 for 2e4 nodes; allow 5 sd.
            assert!((got - want).abs() < 0.018, "t = {t}: {got} vs {want}");
        }
    }

    #[test]
    fn normal_thresholds_have_the_right_mean_and_spread() {
        let d = draws();
        let xs: Vec<f64> = (0..100_000)
            .map(|i| node_threshold(0.5, 0.1, &d, i))
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        // SE of the mean 3e-4, of the sd about 2.2e-4; allow about 5 SE.
        assert!((mean - 0.5).abs() < 0.0016, "{mean}");
        assert!((sd - 0.1).abs() < 0.0012, "{sd}");
    }
}
