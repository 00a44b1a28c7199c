//! The network of schools: a compact, immutable CSR layout for the hot loop.
//!
//! [`Network`] stores each undirected tie twice (once from each end) in three flat arrays:
//! `offsets[i]..offsets[i + 1]` indexes school `i`'s neighbours in `targets` and the tie weights in
//! `weights`. Walking a school's ties is a linear scan of two slices, with no pointer chasing and no
//! allocation. Networks come from the generators in [`generate`] or from CSV files read by
//! [`crate::scenario::files`];
//! [`stats`] computes summaries and centralities (with petgraph where it helps); [`layout`] draws
//! the network for pictures.

pub mod generate;
pub mod layout;
pub mod stats;

pub use crate::scenario::files::Edge;

/// An undirected weighted network in compressed sparse row form.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<f32>,
}

impl Network {
    /// Builds the CSR form of `n` schools and `edges`. Self-loops are dropped; a tie listed more
    /// than once (in either direction) is kept once, with its largest weight. Neighbours are sorted
    /// by index, so the layout (and every sum over it) is deterministic. O(n + E).
    ///
    /// ```
    /// use domino::network::{Edge, Network};
    /// let net = Network::from_edges(3, vec![Edge { a: 0, b: 1, weight: 0.5 }, Edge { a: 2, b: 1, weight: 1.0 }]);
    /// assert_eq!(net.neighbours(1), &[0, 2]);
    /// assert_eq!(net.ties(), 2);
    /// ```
    ///
    /// # Panics
    ///
    /// If `n` does not fit in `u32`, or an edge has an end `>= n` (the message names the edge).
    /// Scenarios are validated before they get here: this is a caller's error, not an input's.
    pub fn from_edges(n: usize, mut edges: Vec<Edge>) -> Self {
        assert!(
            n < u32::MAX as usize,
            "school count must fit in u32 (validated upstream)"
        );
        if let Some(e) = edges
            .iter()
            .find(|e| e.a as usize >= n || e.b as usize >= n)
        {
            panic!(
                "edge {}-{} has an end outside the {n} schools 0..{n}",
                e.a, e.b
            );
        }
        for e in edges.iter_mut() {
            if e.a > e.b {
                std::mem::swap(&mut e.a, &mut e.b);
            }
        }
        edges.retain(|e| e.a != e.b);
        sort_by_ends(&mut edges);
        edges.dedup_by(|later, first| {
            let same = later.a == first.a && later.b == first.b;
            if same {
                first.weight = first.weight.max(later.weight);
            }
            same
        });

        let mut degree = vec![0u32; n + 1];
        for e in &edges {
            degree[e.a as usize + 1] += 1;
            degree[e.b as usize + 1] += 1;
        }
        let mut offsets = degree;
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let total = offsets[n] as usize;
        let mut targets = vec![0u32; total];
        let mut weights = vec![0f32; total];
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        // Edges are sorted by (a, b); inserting b's then a's keeps each row sorted because, for a
        // fixed row r, entries arrive as r's smaller neighbours (as b-side, increasing a) first.
        for e in &edges {
            let slot = &mut fill[e.b as usize];
            targets[*slot as usize] = e.a;
            weights[*slot as usize] = e.weight;
            *slot += 1;
        }
        for e in &edges {
            let slot = &mut fill[e.a as usize];
            targets[*slot as usize] = e.b;
            weights[*slot as usize] = e.weight;
            *slot += 1;
        }
        Self {
            offsets,
            targets,
            weights,
        }
    }

    /// Number of schools.
    #[inline]
    pub fn schools(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of undirected ties.
    pub fn ties(&self) -> usize {
        self.targets.len() / 2
    }

    /// The neighbours of school `i`, sorted by index.
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The weights of school `i`'s ties, aligned with [`Network::neighbours`].
    #[inline]
    pub fn weights(&self, i: usize) -> &[f32] {
        &self.weights[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The raw CSR arrays `(offsets, targets, weights)`, for loops that index ties by slot.
    pub fn csr(&self) -> (&[u32], &[u32], &[f32]) {
        (&self.offsets, &self.targets, &self.weights)
    }

    /// Number of ties of school `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// Sum of the weights of school `i`'s ties.
    pub fn strength(&self, i: usize) -> f64 {
        self.weights(i).iter().map(|&w| w as f64).sum()
    }

    /// Each undirected tie once, as (smaller index, larger index, weight).
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        (0..self.schools()).flat_map(move |i| {
            self.neighbours(i)
                .iter()
                .zip(self.weights(i))
                .filter(move |(&j, _)| (j as usize) > i)
                .map(move |(&j, &w)| Edge {
                    a: i as u32,
                    b: j,
                    weight: w,
                })
        })
    }
}

/// Sorts ties by `(a, b)` with a least-significant-digit radix sort, stable (equal ties keep
/// their input order).
///
/// On a national network (6,000,000 ties in random order) it takes about two thirds of the time
/// of the comparison sort it replaced: one pass to count, then one pass per 8-bit digit of the
/// key (six at 1,500,000 schools), skipping a digit where every tie has the same value. Eight-bit
/// digits measured faster than eleven, whose 2,048 buckets write to too many pages at once. The
/// key packs `a` above `b` in just enough bits for the largest end present.
fn sort_by_ends(edges: &mut Vec<Edge>) {
    const DIGIT_BITS: u32 = 8;
    const BUCKETS: usize = 1 << DIGIT_BITS;
    let Some(largest) = edges.iter().map(|e| e.a.max(e.b)).max() else {
        return;
    };
    let end_bits = u32::BITS - largest.leading_zeros();
    let key = |e: &Edge| ((e.a as u64) << end_bits) | e.b as u64;
    let digits = (2 * end_bits).div_ceil(DIGIT_BITS).max(1);
    let digit = |e: &Edge, d: u32| (key(e) >> (d * DIGIT_BITS)) as usize & (BUCKETS - 1);
    let mut counts = vec![[0usize; BUCKETS]; digits as usize];
    for e in edges.iter() {
        for (d, count) in (0..digits).zip(counts.iter_mut()) {
            count[digit(e, d)] += 1;
        }
    }
    let mut from = std::mem::take(edges);
    let mut to = from.clone();
    for (d, count) in (0..digits).zip(counts.iter()) {
        if count.contains(&from.len()) {
            // Every tie has the same digit here: this pass would move nothing.
            continue;
        }
        let mut next = [0usize; BUCKETS];
        let mut start = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = start;
            start += c;
        }
        for e in &from {
            let slot = &mut next[digit(e, d)];
            to[*slot] = *e;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    *edges = from;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    #[should_panic(expected = "edge 1-3 has an end outside the 3 schools 0..3")]
    fn an_edge_outside_the_schools_panics_naming_the_edge() {
        Network::from_edges(
            3,
            vec![Edge {
                a: 1,
                b: 3,
                weight: 1.0,
            }],
        );
    }

    proptest! {
        #[test]
        fn radix_sort_of_ties_is_a_stable_sort_by_ends(
            raw in proptest::collection::vec((any::<u32>(), 0u32..64, 0u32..4), 0..300),
            mode in 0u8..3,
            base in any::<u32>(),
        ) {
            // Small ends share their high digits (passes skipped); random ends use every
            // digit; ends near one shared base of 2^31 or more use all 32 bits with constant
            // digits between varying ones (a skipped digit must not end the sort, and the key
            // must not drop the top bit). The weight records each tie's input position, to
            // check stability.
            let base = base | 1 << 31;
            let edges: Vec<Edge> = raw.iter().enumerate().map(|(k, &(x, y, z))| {
                let (a, b) = match mode {
                    0 => (z, y),
                    1 => (x, x ^ y),
                    _ => (base ^ z, base ^ y),
                };
                Edge { a, b, weight: k as f32 }
            }).collect();
            let mut expected = edges.clone();
            expected.sort_by_key(|e| (e.a, e.b));
            let mut sorted = edges;
            sort_by_ends(&mut sorted);
            prop_assert_eq!(sorted, expected);
        }
    }

    proptest! {
        #[test]
        fn csr_is_symmetric_sorted_and_deduplicated(
            n in 1usize..40,
            raw in proptest::collection::vec((0u32..40, 0u32..40, 0.01f32..1.0), 0..200)
        ) {
            let edges: Vec<Edge> = raw.iter()
                .filter(|(a, b, _)| (*a as usize) < n && (*b as usize) < n)
                .map(|&(a, b, weight)| Edge { a, b, weight }).collect();
            let net = Network::from_edges(n, edges.clone());
            prop_assert_eq!(net.schools(), n);
            // Each distinct tie with the largest weight it was listed with.
            let mut distinct = std::collections::BTreeMap::new();
            for e in edges.iter().filter(|e| e.a != e.b) {
                let w = distinct.entry((e.a.min(e.b), e.a.max(e.b))).or_insert(e.weight);
                *w = w.max(e.weight);
            }
            prop_assert_eq!(net.ties(), distinct.len());
            for i in 0..n {
                let nb = net.neighbours(i);
                prop_assert!(nb.windows(2).all(|w| w[0] < w[1]), "row {} not sorted", i);
                for (&j, &w) in nb.iter().zip(net.weights(i)) {
                    prop_assert!(j as usize != i);
                    let key = ((i as u32).min(j), (i as u32).max(j));
                    prop_assert_eq!(Some(&w), distinct.get(&key));
                    let back = net.neighbours(j as usize).binary_search(&(i as u32));
                    prop_assert!(back.is_ok());
                    prop_assert_eq!(net.weights(j as usize)[back.unwrap()], w);
                }
            }
        }
    }

    #[test]
    fn duplicate_ties_keep_the_largest_weight() {
        let net = Network::from_edges(
            2,
            vec![
                Edge {
                    a: 0,
                    b: 1,
                    weight: 0.3,
                },
                Edge {
                    a: 1,
                    b: 0,
                    weight: 0.9,
                },
            ],
        );
        assert_eq!(net.ties(), 1);
        assert_eq!(net.weights(0), &[0.9]);
    }
}
