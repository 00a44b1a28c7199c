//! Greedy set selection with lazy re-evaluation: CELF (Leskovec, Krause, Guestrin, Faloutsos,
//! VanBriesen & Glance 2007, "Cost-effective outbreak detection in networks").
//!
//! Greedy selection adds, k times, the item whose addition raises the set's value most. CELF
//! keeps every item's last computed marginal gain in a priority queue; when the item on top was
//! computed against the current set it is taken, otherwise its gain is recomputed and it goes
//! back in the queue. For a submodular value (gains only shrink as the set grows, as in the
//! independent cascade model: Kempe, Kleinberg & Tardos 2003) this picks exactly what plain
//! greedy picks, with far fewer evaluations. The school model is not known to be submodular
//! (pilots can complement each other), so there it is a heuristic; `tests/optimise.rs` compares
//! it with the exhaustive optimum on small networks.
//!
//! The value of the empty set is taken as 0, so the first item's gain is its value alone. Ties
//! go to the lower item, so the result is the same on every machine.
//!
//! [`Until::NoGain`] stops before `k` items at the first item whose (up-to-date) marginal gain is
//! not positive: the set without it is estimated to be worth more than with it, and every item
//! would lower it more (for a submodular value; a heuristic otherwise). `domino optimise` uses
//! it: there every item added is one more pilot sharing the same budget, so a set that grows
//! past its best size is worse, not merely no better.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One chosen item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// The item (a school or node index).
    pub item: u32,
    /// The value of the set up to and including this item.
    pub value: f64,
    /// Its marginal gain: the set's value with it minus without it.
    pub gain: f64,
}

/// What CELF did.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The chosen items in the order chosen.
    pub picks: Vec<Pick>,
    /// Sets whose value was computed (the first pass and every lazy re-evaluation).
    pub evaluations: usize,
    /// With [`Until::NoGain`], the best next item when selection stopped before `k` items, with
    /// its (not positive) gain and the value the set would have had with it.
    pub rejected: Option<Pick>,
}

/// When greedy selection stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// After `k` items (or when the pool runs out), whatever their gains.
    K,
    /// After `k` items, or before the first item whose marginal gain is not positive.
    NoGain,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    gain: f64,
    item: u32,
    /// The set size the gain was computed against.
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Highest gain first; on a tie the lower item. NaN gains sort last.
        let g = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
        g(self.gain)
            .total_cmp(&g(other.gain))
            .then(other.item.cmp(&self.item))
    }
}

/// Chooses up to `k` items of `pool` by CELF, stopping as `until` says. `value(sets)` returns
/// the value of each set (the mean over the paired runs); it is called once with every
/// singleton, then with one set per lazy re-evaluation. O(|pool| + k x re-evaluations) calls'
/// worth of sets.
pub fn celf<E>(
    pool: &[u32],
    k: usize,
    until: Until,
    mut value: impl FnMut(&[Vec<u32>]) -> Result<Vec<f64>, E>,
) -> Result<Selection, E> {
    let mut picks: Vec<Pick> = Vec::new();
    if k == 0 || pool.is_empty() {
        return Ok(Selection {
            picks,
            evaluations: 0,
            rejected: None,
        });
    }
    let singles: Vec<Vec<u32>> = pool.iter().map(|&i| vec![i]).collect();
    let first = value(&singles)?;
    let mut evaluations = singles.len();
    let mut heap: BinaryHeap<Entry> = pool
        .iter()
        .zip(first)
        .map(|(&item, gain)| Entry {
            gain,
            item,
            round: 0,
        })
        .collect();
    let mut current = 0.0;
    let mut set: Vec<u32> = Vec::new();
    let mut rejected = None;
    while set.len() < k {
        let Some(top) = heap.pop() else { break };
        if top.round == set.len() {
            // A NaN gain is no evidence of a gain either.
            if until == Until::NoGain && (top.gain.is_nan() || top.gain <= 0.0) {
                rejected = Some(Pick {
                    item: top.item,
                    value: current + top.gain,
                    gain: top.gain,
                });
                break;
            }
            set.push(top.item);
            current += top.gain;
            picks.push(Pick {
                item: top.item,
                value: current,
                gain: top.gain,
            });
        } else {
            let mut with = set.clone();
            with.push(top.item);
            let v = value(&[with])?[0];
            evaluations += 1;
            heap.push(Entry {
                gain: v - current,
                item: top.item,
                round: set.len(),
            });
        }
    }
    Ok(Selection {
        picks,
        evaluations,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coverage: each item covers some elements; a set's value is the number covered
    /// (submodular), so CELF must match plain greedy.
    #[test]
    fn celf_matches_plain_greedy_on_a_coverage_function() {
        let covers: Vec<Vec<u32>> = vec![
            vec![0, 1, 2, 3],
            vec![3, 4, 5],
            vec![0, 1],
            vec![6, 7, 8, 9, 10],
            vec![10, 11],
            vec![2, 4, 6, 8],
        ];
        let f = |set: &[u32]| -> f64 {
            let mut seen = std::collections::BTreeSet::new();
            for &i in set {
                seen.extend(covers[i as usize].iter().copied());
            }
            seen.len() as f64
        };
        let pool: Vec<u32> = (0..covers.len() as u32).collect();
        let sel = celf::<()>(&pool, 3, Until::K, |sets| {
            Ok(sets.iter().map(|s| f(s)).collect())
        })
        .unwrap();
        // Plain greedy.
        let mut greedy: Vec<u32> = Vec::new();
        for _ in 0..3 {
            let best = pool
                .iter()
                .filter(|i| !greedy.contains(i))
                .max_by(|&&a, &&b| {
                    let fa = f(&[greedy.clone(), vec![a]].concat());
                    let fb = f(&[greedy.clone(), vec![b]].concat());
                    fa.total_cmp(&fb).then(b.cmp(&a))
                })
                .copied()
                .unwrap();
            greedy.push(best);
        }
        let chosen: Vec<u32> = sel.picks.iter().map(|p| p.item).collect();
        assert_eq!(chosen, greedy);
        assert_eq!(sel.picks.last().unwrap().value, f(&chosen));
        // Lazy: fewer than the 6 + 5 + 4 evaluations of plain greedy.
        assert!(sel.evaluations < 15, "{}", sel.evaluations);
        assert_eq!(sel.rejected, None);
    }

    /// A value that peaks at two items (each item adds 1, the third and later each cost 2): with
    /// `Until::NoGain` selection stops at the peak and names the item it did not add, with
    /// `Until::K` it goes on to `k` items through negative gains.
    #[test]
    fn selection_stops_at_the_first_gain_that_is_not_positive() {
        let f = |set: &[u32]| -> f64 {
            let n = set.len() as f64;
            let bonus: f64 = set.iter().map(|&i| 0.01 * i as f64).sum();
            if n <= 2.0 {
                n + bonus
            } else {
                2.0 - 2.0 * (n - 2.0) + bonus
            }
        };
        let pool: Vec<u32> = (0..6).collect();
        let run = |until| {
            celf::<()>(&pool, 4, until, |sets| {
                Ok(sets.iter().map(|s| f(s)).collect())
            })
            .unwrap()
        };
        let stopped = run(Until::NoGain);
        let items: Vec<u32> = stopped.picks.iter().map(|p| p.item).collect();
        assert_eq!(items, [5, 4]);
        assert!(stopped.picks.iter().all(|p| p.gain > 0.0));
        let rejected = stopped.rejected.expect("stopped before k");
        assert_eq!(rejected.item, 3);
        assert!(rejected.gain < 0.0);
        assert!((rejected.value - f(&[5, 4, 3])).abs() < 1e-12);
        let all = run(Until::K);
        assert_eq!(all.picks.len(), 4);
        assert!(all.picks[2].gain < 0.0);
        assert_eq!(all.rejected, None);
        // Nothing gains at all: nothing is chosen.
        let none = celf::<()>(&pool, 3, Until::NoGain, |sets| Ok(vec![0.0; sets.len()])).unwrap();
        assert!(none.picks.is_empty());
        assert_eq!(none.rejected.map(|p| p.item), Some(0));
    }
}
