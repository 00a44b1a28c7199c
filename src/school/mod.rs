//! Schools: their fixed attributes as a struct of arrays, and how they are drawn.
//!
//! [`Population`] holds one `Vec` per attribute, indexed by school, so the hot loop reads only the
//! columns it needs. [`Population::sample`] draws every attribute a node table does not give from
//! the scenario's distributions, using the run's world generator (common random numbers: every
//! strategy of run k sees the same schools).

use crate::network::generate::region_blocks;
use crate::rng::sample::Distribution;
use crate::scenario::files::NodeTable;
use crate::scenario::{SchoolLaws, SchoolsConfig};
use rand::Rng;

/// The need tertile of a school, for the equity gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedGroup {
    /// Bottom third by need.
    Low,
    /// Middle third.
    Middle,
    /// Top third by need.
    High,
}

/// Fixed attributes of all schools in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Region index of each school, in `0..n_regions`.
    pub region: Vec<u32>,
    /// Number of regions.
    pub n_regions: usize,
    /// Enrolment, students.
    pub size: Vec<f64>,
    /// Disadvantage in [0, 1].
    pub need: Vec<f64>,
    /// Readiness in [0, 1] at the start (fatigue lowers a school's copy in the model state).
    pub readiness: Vec<f64>,
    /// Own capacity for change, SU per term.
    pub resources: Vec<f64>,
    /// Position among contexts, in [0, 1].
    pub context: Vec<f64>,
    /// True effect here at full practice and perfect fit, SD.
    pub site_effect: Vec<f64>,
    /// Terms of low practice tolerated before abandoning.
    pub patience: Vec<u32>,
    /// Terms before an abandoned school can adopt again.
    pub cool_down: Vec<u32>,
    /// Need tertile.
    pub need_group: Vec<NeedGroup>,
}

/// The given cells where present and `draw()` (one value per school) where not; `draw` is not
/// called when every cell is given.
fn fill(given: Option<&[Option<f64>]>, draw: impl FnOnce() -> Vec<f64>) -> Vec<f64> {
    let Some(cells) = given else {
        return draw();
    };
    if let Some(all) = cells.iter().copied().collect::<Option<Vec<f64>>>() {
        return all;
    }
    let mut v = draw();
    for (x, c) in v.iter_mut().zip(cells) {
        if let Some(c) = c {
            *x = *c;
        }
    }
    v
}

/// Weight of `1 - need` in readiness so that corr(readiness, need) is `rho`, given the variances
/// of the need and (uncorrelated) readiness draws. Readiness is the convex combination
/// `(1 - l) * r + l * (1 - need)` (or `l * need` for rho > 0), which stays in [0, 1].
fn readiness_mix(rho: f64, var_need: f64, var_readiness: f64) -> f64 {
    if rho == 0.0 || var_need == 0.0 {
        return 0.0;
    }
    let k = rho.abs() * var_readiness.sqrt() / (var_need.sqrt() * (1.0 - rho * rho).sqrt());
    k / (1.0 + k)
}

fn beta_var(a: f64, b: f64) -> f64 {
    a * b / ((a + b) * (a + b) * (a + b + 1.0))
}

impl Population {
    /// Draws a population of `n` schools in the given regions; cells in `table` are used as given.
    ///
    /// An attribute whose column is complete is not drawn at all; otherwise it is drawn for every
    /// school and the given cells replace the draws. The generator therefore advances the same way
    /// whichever cells are empty, and a run's draws depend only on which columns are complete.
    pub fn sample<R: Rng>(
        s: &SchoolsConfig,
        laws: &SchoolLaws,
        region: Vec<u32>,
        n_regions: usize,
        table: Option<&NodeTable>,
        rng: &mut R,
    ) -> Self {
        let n = region.len();
        let t = table;

        // Need: a regional part and a school part, both Beta(need_alpha, need_beta).
        let need_dist = &laws.need;
        let need = fill(t.and_then(|t| t.need.as_deref()), || {
            let regional: Vec<f64> = (0..n_regions).map(|_| need_dist.sample(rng)).collect();
            let share = s.need_regional_share;
            region
                .iter()
                .map(|&r| share * regional[r as usize] + (1.0 - share) * need_dist.sample(rng))
                .collect()
        });
        let mean_need = s.need_alpha / (s.need_alpha + s.need_beta);

        let readiness = fill(t.and_then(|t| t.readiness.as_deref()), || {
            let dist = &laws.readiness;
            let share = s.need_regional_share;
            let var_need = (share * share + (1.0 - share) * (1.0 - share))
                * beta_var(s.need_alpha, s.need_beta);
            let rho = s.need_readiness_correlation;
            let l = readiness_mix(rho, var_need, beta_var(s.readiness_alpha, s.readiness_beta));
            need.iter()
                .map(|&nd| {
                    let other = if rho < 0.0 { 1.0 - nd } else { nd };
                    (1.0 - l) * dist.sample(rng) + l * other
                })
                .collect()
        });

        let size = fill(t.and_then(|t| t.size.as_deref()), || {
            (0..n).map(|_| laws.size.sample(rng)).collect()
        });

        let resources = fill(t.and_then(|t| t.resources.as_deref()), || {
            match &laws.resources {
                Some(dist) => (0..n).map(|_| dist.sample(rng)).collect(),
                None => vec![0.0; n],
            }
        });

        let context = fill(t.and_then(|t| t.context.as_deref()), || {
            let centres: Vec<f64> = (0..n_regions).map(|_| rng.random::<f64>()).collect();
            let noise = &laws.context_noise;
            (0..n)
                .map(|i| {
                    let c = centres[region[i] as usize]
                        + s.context_need_weight * (need[i] - mean_need)
                        + noise.sample(rng);
                    c.clamp(0.0, 1.0)
                })
                .collect()
        });

        let site_effect = (0..n).map(|_| laws.site_effect.sample(rng)).collect();
        let patience = (0..n)
            .map(|_| rng.random_range(s.patience_min..=s.patience_max))
            .collect();
        let cool_down = (0..n)
            .map(|_| rng.random_range(s.cool_down_min..=s.cool_down_max))
            .collect();

        let need_group = need_groups(&need);
        Self {
            region,
            n_regions,
            size,
            need,
            readiness,
            resources,
            context,
            site_effect,
            patience,
            cool_down,
            need_group,
        }
    }

    /// `n` identical schools in one region for hand-made test worlds: enrolment 400 (the default
    /// median), need 0.4, readiness 0.5, no own resources, context 0.4, site effect 0.2, patience
    /// 10 and cool-down 4 terms.
    #[cfg(test)]
    pub(crate) fn identical(n: usize) -> Self {
        let need = vec![0.4; n];
        Self {
            region: vec![0; n],
            n_regions: 1,
            size: vec![400.0; n],
            need_group: need_groups(&need),
            need,
            readiness: vec![0.5; n],
            resources: vec![0.0; n],
            context: vec![0.4; n],
            site_effect: vec![0.2; n],
            patience: vec![10; n],
            cool_down: vec![4; n],
        }
    }

    /// Number of schools.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// True when there are no schools (never, for a validated scenario).
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

/// The region of every school and the number of regions: the node table's `region` column, or
/// [`region_blocks`] of the configured count. The same in every run.
pub fn regions(scenario: &crate::scenario::Scenario) -> (Vec<u32>, usize) {
    let n = scenario.schools();
    let table = scenario.files.as_ref().and_then(|f| f.nodes.as_ref());
    match table.and_then(|t| t.region.clone().zip(t.n_regions)) {
        Some((r, k)) => (r, k),
        None => {
            let k = (scenario.config.network.regions as usize).min(n).max(1);
            (region_blocks(n, k), k)
        }
    }
}

/// Tertiles by need: the `n / 3` schools of lowest need are `Low`, the `n / 3` of highest `High`,
/// the rest `Middle`. Equal needs are ranked by school index, so the split is deterministic.
pub fn need_groups(need: &[f64]) -> Vec<NeedGroup> {
    let n = need.len();
    let third = n / 3;
    // total_cmp after adding 0 (which turns -0 into 0): a raw bit-pattern order would rank -0
    // above every positive need.
    let mut order: Vec<(f64, u32)> = need
        .iter()
        .zip(0u32..)
        .map(|(&v, i)| (v + 0.0, i))
        .collect();
    let by_need = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // Only the two cut points matter, not the order within a group: two selections (linear time)
    // instead of a sort. With the index as tie-break no two keys are equal, so each selection
    // splits at exactly the rank a full sort would.
    let mut groups = vec![NeedGroup::Middle; n];
    if third > 0 {
        order.select_nth_unstable_by(third, by_need);
        let rest = &mut order[third..];
        let high_from = rest.len() - third;
        rest.select_nth_unstable_by(high_from, by_need);
        for &(_, i) in &order[..third] {
            groups[i as usize] = NeedGroup::Low;
        }
        for &(_, i) in &order[n - third..] {
            groups[i as usize] = NeedGroup::High;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn default_laws() -> SchoolLaws {
        let cfg = crate::scenario::ScenarioConfig::default();
        SchoolLaws::new(&cfg.schools, &cfg.innovation).unwrap()
    }

    fn pop(n: usize) -> Population {
        let mut rng = Pcg64Mcg::seed_from_u64(11);
        Population::sample(
            &SchoolsConfig::default(),
            &default_laws(),
            region_blocks(n, 8),
            8,
            None,
            &mut rng,
        )
    }

    fn corr(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        cov / (vx * vy).sqrt()
    }

    #[test]
    fn attributes_have_the_documented_distributions() {
        let p = pop(40_000);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        // Beta(2,3) mean 0.4; the regional part (8 draws) adds noise of sd about 0.2*0.5/sqrt(8).
        assert!((mean(&p.need) - 0.4).abs() < 0.08);
        assert!(p
            .need
            .iter()
            .chain(&p.readiness)
            .chain(&p.context)
            .all(|v| (0.0..=1.0).contains(v)));
        // Gamma mean 0.25, sd of the mean 0.18/200.
        assert!((mean(&p.resources) - 0.25).abs() < 0.005);
        // Log-normal median 400: sample median within 2 %.
        let mut sizes = p.size.clone();
        sizes.sort_by(f64::total_cmp);
        let median = sizes[sizes.len() / 2];
        assert!((median / 400.0 - 1.0).abs() < 0.02, "median {median}");
        // Target correlation -0.4. The regional need component is only 8 draws, so the realised
        // need variance wanders; allow 0.1.
        let r = corr(&p.need, &p.readiness);
        assert!((r + 0.4).abs() < 0.1, "corr {r}");
    }

    #[test]
    fn minus_zero_need_is_the_lowest() {
        let g = need_groups(&[0.5, -0.0, 0.9]);
        assert_eq!(g, vec![NeedGroup::Middle, NeedGroup::Low, NeedGroup::High]);
    }

    #[test]
    fn need_groups_split_in_thirds() {
        let g = need_groups(&[0.9, 0.1, 0.5, 0.3, 0.7, 0.2]);
        assert_eq!(
            g,
            vec![
                NeedGroup::High,
                NeedGroup::Low,
                NeedGroup::Middle,
                NeedGroup::Middle,
                NeedGroup::High,
                NeedGroup::Low
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn need_groups_are_the_thirds_of_a_full_ranking(
            codes in proptest::collection::vec(0u8..7, 0..60),
        ) {
            // Few distinct needs, so equal needs (and -0 beside 0) are common: the ranking must
            // break them by index exactly as a full sort does. NaN of either sign too: the
            // total order ranks them at the ends.
            let values = [0.0, -0.0, 0.25, 0.5, 1.0, f64::NAN, -f64::NAN];
            let need: Vec<f64> = codes.iter().map(|&c| values[c as usize]).collect();
            let n = need.len();
            let mut ranked: Vec<usize> = (0..n).collect();
            ranked.sort_by(|&a, &b| (need[a] + 0.0).total_cmp(&(need[b] + 0.0)).then(a.cmp(&b)));
            let mut expected = vec![NeedGroup::Middle; n];
            for (rank, &i) in ranked.iter().enumerate() {
                if rank < n / 3 {
                    expected[i] = NeedGroup::Low;
                } else if rank >= n - n / 3 {
                    expected[i] = NeedGroup::High;
                }
            }
            proptest::prop_assert_eq!(need_groups(&need), expected);
        }
    }

    #[test]
    fn node_table_columns_are_used_as_given() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let table = NodeTable {
            ids: vec!["a".into(), "b".into()],
            size: Some(vec![Some(10.0), Some(20.0)]),
            readiness: Some(vec![Some(0.9), Some(0.1)]),
            need: Some(vec![None, Some(0.3)]),
            ..NodeTable::default()
        };
        let p = Population::sample(
            &SchoolsConfig::default(),
            &default_laws(),
            vec![0, 0],
            1,
            Some(&table),
            &mut rng,
        );
        assert_eq!(p.size, vec![10.0, 20.0]);
        assert_eq!(p.readiness, vec![0.9, 0.1]);
        // An empty cell is drawn, a given one kept.
        assert_eq!(p.need[1], 0.3);
        assert!((0.0..=1.0).contains(&p.need[0]) && p.need[0] != 0.3);
    }
}
