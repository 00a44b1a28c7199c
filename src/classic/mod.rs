//! The classic diffusion models on domino's engine: independent cascade, fractional threshold,
//! linear threshold and Bass.
//!
//! They exist so that researchers can check the engine against what is known about diffusion on
//! networks ([`theory`] holds the published predictions; `tests/validation.rs` compares) and
//! measure it against other simulators. They share everything with the school model but the
//! model itself: scenario files (`model = "independent-cascade"` and a `[classic]` section),
//! network generators and CSV import, seeds and common random numbers, the parallel ensemble
//! (through [`crate::engine::classic::ClassicModel`]) and the output files. Where the school model
//! compares strategies, the classic models compare seeding rules ([`seeding`]), paired run by run.
//!
//! ```
//! use domino::Scenario;
//! let s = Scenario::from_toml(
//!     "model = \"independent-cascade\"\nruns = 20\n[network]\nkind = \"random\"\nschools = 500\n\
//!      mean_degree = 4.0\n[classic]\ntransmission = 0.5\n",
//!     None,
//! ).unwrap();
//! let result = domino::engine::run_ensemble(&s, &()).unwrap();
//! assert_eq!(result.strategies, vec!["random".to_string()]);
//! assert_eq!(result.runs[0].len(), 20);
//! // Read a classic ensemble by the classic model's own names (the school model's `Series` and
//! // `RunMetric` name other figures): the adoption curve at round 3, and the final active share.
//! use domino::classic::{ClassicMetric, ClassicSeries};
//! let curve = result.series[0].point_at(3, ClassicSeries::Active as usize);
//! assert_eq!(curve.n, 20);
//! let by_name = result.measures.series_index("active_share").unwrap();
//! assert_eq!(result.series[0].point_at(3, by_name), curve);
//! let share = result.runs[0][0].at(ClassicMetric::FinalShare as usize);
//! assert!((0.0..=1.0).contains(&share));
//! ```

pub mod models;
pub mod seeding;
pub mod theory;

use crate::metrics::stats::Bounds;
use crate::metrics::{
    named_enum, CellFormat, Measures, MetricInfo, RunSummary, SeriesInfo, TableColumn,
};
use crate::network::{generate::generate, Network};
use crate::rng::RunSeeds;
use crate::scenario::{ClassicConfig, ModelKind, NetworkKind, Scenario};
use models::{Buffers, Outcome};
use std::sync::Arc;

named_enum! {
    /// Figures of one classic-model run, one row per run in `runs.csv`.
    ClassicMetric {
        /// Share of nodes active at the end.
        FinalShare => "final_active_share",
        /// 1 if the final share exceeds `classic.cascade_share` (a global cascade), else 0.
        GlobalCascade => "global_cascade",
        /// Steps (Bass: model time) until half the nodes are active (empty: never).
        TimeTo50 => "time_to_50pct",
        /// Last step in which a node became active.
        LastChange => "last_change_step",
        /// Number of seeds.
        Seeds => "seeds",
    }
}

named_enum! {
    /// Figures recorded every step of a classic-model run.
    ClassicSeries {
        /// Share of nodes active (the adoption curve).
        Active => "active_share",
        /// Share of nodes that became active in this step.
        NewlyActive => "new_active_share",
    }
}

/// The measures of the classic models.
pub fn measures(model: ModelKind, params: ClassicConfig) -> Measures {
    let step_name = if model == ModelKind::Bass {
        "time step"
    } else {
        "round"
    };
    Measures {
        run_metrics: ClassicMetric::ALL
            .iter()
            .map(|&m| MetricInfo {
                name: m.name(),
                is_time: m == ClassicMetric::TimeTo50,
                bounds: match m {
                    ClassicMetric::FinalShare | ClassicMetric::GlobalCascade => Bounds::SHARE,
                    ClassicMetric::TimeTo50 | ClassicMetric::LastChange | ClassicMetric::Seeds => {
                        Bounds::NON_NEGATIVE
                    }
                },
            })
            .collect(),
        series: ClassicSeries::ALL
            .iter()
            .map(|&s| SeriesInfo {
                name: s.name(),
                range: (0.0, 1.0),
            })
            .collect(),
        paired: vec![ClassicMetric::FinalShare as usize],
        headline: ClassicMetric::FinalShare as usize,
        sweep_figures: [
            ClassicMetric::FinalShare,
            ClassicMetric::GlobalCascade,
            ClassicMetric::TimeTo50,
        ]
        .map(|m| m as usize)
        .to_vec(),
        headline_series: ClassicSeries::Active as usize,
        step_name,
        chart_file: "adoption.svg",
        arm_label: "seeding",
        arms_label: "seeding rules",
        beats: "ends with more active nodes",
        table: vec![
            TableColumn {
                header: "seeds",
                metric: ClassicMetric::Seeds as usize,
                format: CellFormat::Count,
                meaning: "seeds = number of seeds".into(),
            },
            TableColumn {
                header: "final active % (95% CI)",
                metric: ClassicMetric::FinalShare as usize,
                format: CellFormat::PercentCi,
                meaning: "final active = share of nodes active at the end (mean over runs, 95% CI)"
                    .into(),
            },
            TableColumn {
                header: "cascades % (95% CI)",
                metric: ClassicMetric::GlobalCascade as usize,
                format: CellFormat::ShareCi,
                meaning: format!(
                    "cascades = share of runs whose final active share exceeds {} (Wilson 95% CI)",
                    params.cascade_share
                ),
            },
            TableColumn {
                header: "t50",
                metric: ClassicMetric::TimeTo50 as usize,
                format: CellFormat::MedianTime { decimals: 1 },
                meaning: format!("t50 = median {step_name}s to 50% active"),
            },
        ],
    }
}

/// The network of run k: generated from the run's seeds, or (for CSV networks, which do not
/// change between runs) built once and shared.
pub enum RunNetworks {
    /// One network for every run.
    Fixed(Arc<Network>),
    /// A new network per run.
    PerRun,
}

impl RunNetworks {
    /// Prepares the networks of `scenario`. Networks that do not differ between runs (CSV files;
    /// `network.fixed`; a complete graph or ring lattice with a single tie weight) are built once;
    /// a fixed generated network is run 0's.
    pub fn new(scenario: &Scenario) -> Self {
        let net = &scenario.config.network;
        let deterministic = net.fixed
            || (matches!(net.kind, NetworkKind::Complete | NetworkKind::Ring)
                && net.weight_min == net.weight_max);
        match &scenario.files {
            Some(files) => Self::Fixed(Arc::new(Network::from_edges(
                scenario.schools(),
                files.edges.edges.clone(),
            ))),
            None if deterministic => {
                Self::Fixed(Self::PerRun.get(scenario, &RunSeeds::new(scenario.config.seed, 0)))
            }
            None => Self::PerRun,
        }
    }

    /// The network of the run with `seeds`.
    pub fn get(&self, scenario: &Scenario, seeds: &RunSeeds) -> Arc<Network> {
        match self {
            Self::Fixed(net) => Arc::clone(net),
            Self::PerRun => {
                let mut rng = seeds.world_rng();
                // Generators read contexts only for regional homophily; the classic models have
                // no contexts, so every node sits at the same one.
                let context = vec![0.5; scenario.schools()];
                Arc::new(generate(&scenario.config.network, &context, &mut rng))
            }
        }
    }
}

/// Runs the scenario's classic model from `seeds` once in `net`; the curve is in `buf.curve`.
///
/// # Panics
///
/// If `model` is `ModelKind::School`, which is not a classic model (run it with
/// [`crate::engine::simulate`]).
pub fn simulate(
    model: ModelKind,
    c: &ClassicConfig,
    net: &Network,
    run_seeds: &RunSeeds,
    seeds: &[u32],
    steps: u32,
    buf: &mut Buffers,
) -> Outcome {
    let draws = run_seeds.draws();
    match model {
        ModelKind::IndependentCascade => models::independent_cascade(
            net,
            c.transmission,
            c.transmission_from_weight,
            &draws,
            seeds,
            steps,
            buf,
        ),
        ModelKind::Threshold if c.threshold_count > 0 => {
            models::count_threshold(net, c.threshold_count, seeds, steps, buf)
        }
        ModelKind::Threshold => models::fractional_threshold(
            net,
            c.threshold,
            c.threshold_sd,
            &draws,
            seeds,
            steps,
            buf,
        ),
        ModelKind::LinearThreshold => models::linear_threshold(net, &draws, seeds, steps, buf),
        ModelKind::Bass => models::bass(
            net,
            c.bass_p,
            c.bass_q,
            c.time_step,
            &draws,
            seeds,
            steps,
            buf,
        ),
        ModelKind::School => unreachable!("engine::model sends only classic models here"),
    }
}

/// The summary and series rows of a finished run.
pub(crate) fn record(
    c: &ClassicConfig,
    n: usize,
    seeds: usize,
    out: &Outcome,
    curve: &[u32],
) -> (RunSummary, Vec<[f64; ClassicSeries::COUNT]>) {
    let share = |k: u32| if n > 0 { k as f64 / n as f64 } else { 0.0 };
    let last = share(curve.last().copied().unwrap_or(0));
    let mut v = [f64::NAN; ClassicMetric::COUNT];
    v[ClassicMetric::FinalShare as usize] = last;
    v[ClassicMetric::GlobalCascade as usize] = (last > c.cascade_share) as u8 as f64;
    v[ClassicMetric::TimeTo50 as usize] = out.time_to_half;
    v[ClassicMetric::LastChange as usize] = out.last_change as f64;
    v[ClassicMetric::Seeds as usize] = seeds as f64;
    let rows = curve
        .iter()
        .enumerate()
        .map(|(t, &k)| {
            let before = if t == 0 { 0 } else { curve[t - 1] };
            [share(k), share(k - before)]
        })
        .collect();
    (RunSummary(Box::new(v)), rows)
}

#[cfg(test)]
mod tests {
    use crate::Scenario;

    const RING: &str = "model = \"threshold\"\nruns = 3\nsteps = 300\n[network]\nkind = \"ring\"\n\
                        schools = 200\nmean_degree = 6.0\nweight_min = 1.0\nweight_max = 1.0\n\
                        [[seedings]]\nname = \"hood\"\nrule = \"neighbourhood\"\n";

    #[test]
    fn threshold_count_is_validated_with_its_path() {
        for (text, wants) in [
            ("threshold_count = 1001", "from 0 to 1000, got 1001"),
            ("threshold_count = -1", "threshold_count"),
            ("threshold_count = 2.5", "threshold_count"),
            (
                "threshold_count = 2\nthreshold_sd = 0.1",
                "cannot be combined with classic.threshold_sd",
            ),
        ] {
            let e = Scenario::from_toml(&format!("{RING}[classic]\n{text}\n"), None).unwrap_err();
            let shown = e.to_string();
            assert!(shown.contains("classic.threshold_count"), "{shown}");
            assert!(shown.contains(wants), "{shown}");
        }
    }

    #[test]
    fn threshold_count_switches_to_the_count_rule_and_is_written_only_when_set() {
        let frac = Scenario::from_toml(&format!("{RING}[classic]\nthreshold = 0.34\n"), None)
            .expect("valid");
        // The school model's contagion has a threshold_count of its own: look in [classic] only.
        let classic_section = |s: &Scenario| {
            let text = s.to_toml();
            let start = text.find("[classic]").expect("classic section");
            let rest = &text[start + 1..];
            rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
        };
        assert!(!classic_section(&frac).contains("threshold_count"));
        let count = Scenario::from_toml(
            &format!("{RING}[classic]\nthreshold = 0.34\nthreshold_count = 2\n"),
            None,
        )
        .expect("valid");
        assert!(classic_section(&count).contains("threshold_count = 2"));
        // On the ring of degree 6 the fraction 0.34 needs 3 neighbours and the count 2: the
        // front moves 1 and 2 nodes a round on each side, from the 7 seeds of the neighbourhood.
        // Each run as the engine runs it: its network, its seeds, the model (this module sits
        // below the engine, so the test drives the run itself).
        let t50 = |s: &Scenario| {
            let cfg = &s.config;
            let params = cfg.classic.clone().unwrap_or_default();
            let nets = super::RunNetworks::new(s);
            (0..cfg.runs as u64)
                .map(|k| {
                    let run = crate::rng::RunSeeds::new(cfg.seed, k);
                    let net = nets.get(s, &run);
                    let seeds =
                        super::seeding::choose(&cfg.seedings[0], &net, &run.draws(), &mut None);
                    let mut buf = super::models::Buffers::default();
                    let out = super::simulate(
                        cfg.model, &params, &net, &run, &seeds, cfg.steps, &mut buf,
                    );
                    out.time_to_half
                })
                .collect::<Vec<f64>>()
        };
        assert_eq!(t50(&frac), vec![47.0; 3]); // 7 + 2 t >= 100
        assert_eq!(t50(&count), vec![24.0; 3]); // 7 + 4 t >= 100
    }
}
