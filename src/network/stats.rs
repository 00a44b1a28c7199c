//! Network statistics: centrality for targeting, and summaries for reports.

use super::Network;

/// Eigenvector centrality of every school (weighted), by power iteration on the CSR arrays,
/// normalised so the largest is 1. Iterates `x <- (A + I) x` (the shift makes it converge on
/// bipartite graphs too) until the largest change is below 1e-9 or 200 iterations. O(E) per
/// iteration. Isolated schools get 0 unless every school is isolated.
pub(crate) fn eigenvector_centrality(net: &Network) -> Vec<f64> {
    let n = net.schools();
    let mut x = vec![1.0; n];
    let mut next = vec![0.0; n];
    for _ in 0..200 {
        for (i, out) in next.iter_mut().enumerate() {
            let mut s = x[i];
            for (&j, &w) in net.neighbours(i).iter().zip(net.weights(i)) {
                s += w as f64 * x[j as usize];
            }
            *out = s;
        }
        let max = next.iter().cloned().fold(0.0f64, f64::max);
        if max <= 0.0 {
            break;
        }
        let mut change = 0.0f64;
        for (xi, ni) in x.iter_mut().zip(&next) {
            let v = ni / max;
            change = change.max((v - *xi).abs());
            *xi = v;
        }
        if change < 1e-9 {
            break;
        }
    }
    for (i, xi) in x.iter_mut().enumerate() {
        if net.degree(i) == 0 && net.ties() > 0 {
            *xi = 0.0;
        }
    }
    x
}

/// A short description of a network, for `domino check` and reports.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSummary {
    /// Schools.
    pub schools: usize,
    /// Undirected ties.
    pub ties: usize,
    /// Mean ties per school.
    pub mean_degree: f64,
    /// Largest number of ties of one school.
    pub max_degree: usize,
    /// Connected components (petgraph).
    pub components: usize,
    /// Share of ties whose ends are in the same region.
    pub within_region: f64,
}

/// Summarises `net` with the given regions.
pub fn summary(net: &Network, region: &[u32]) -> NetworkSummary {
    let n = net.schools();
    let mut g = petgraph::graph::UnGraph::<(), ()>::with_capacity(n, net.ties());
    for _ in 0..n {
        g.add_node(());
    }
    let mut inside = 0usize;
    for e in net.edges() {
        g.add_edge(e.a.into(), e.b.into(), ());
        inside += (region[e.a as usize] == region[e.b as usize]) as usize;
    }
    NetworkSummary {
        schools: n,
        ties: net.ties(),
        mean_degree: if n > 0 {
            2.0 * net.ties() as f64 / n as f64
        } else {
            0.0
        },
        max_degree: (0..n).map(|i| net.degree(i)).max().unwrap_or(0),
        components: petgraph::algo::connected_components(&g),
        within_region: if net.ties() > 0 {
            inside as f64 / net.ties() as f64
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Edge;

    #[test]
    fn star_centre_is_most_central() {
        let edges = (1..6)
            .map(|b| Edge {
                a: 0,
                b,
                weight: 1.0,
            })
            .collect();
        let net = Network::from_edges(6, edges);
        let c = eigenvector_centrality(&net);
        assert_eq!(c[0], 1.0);
        assert!(c[1..].iter().all(|&v| v < 0.6 && v > 0.0));
        let s = summary(&net, &[0, 0, 0, 1, 1, 1]);
        assert_eq!((s.components, s.max_degree, s.ties), (1, 5, 5));
        assert!((s.within_region - 0.4).abs() < 1e-12);
    }
}
