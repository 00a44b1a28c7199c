//! The classic diffusion models on the engine: [`ClassicModel`] runs every seeding rule of a
//! classic-model scenario in run k's network, the counterpart of [`super::school::SchoolModel`].

use super::{invalid, ArmRun, Cell, Model, RunFigures, Scratch, TraceSink};
use crate::classic::{self, seeding, ClassicMetric, RunNetworks};
use crate::error::InputError;
use crate::metrics::Measures;
use crate::network::Network;
use crate::rng::RunSeeds;
use crate::scenario::{ClassicConfig, Scenario};
use std::borrow::Cow;
use std::io;
use std::sync::Arc;

/// A classic-model scenario: its seeding rules, the model's parameters and the run networks.
pub struct ClassicModel<'a> {
    scenario: &'a Scenario,
    params: ClassicConfig,
    networks: RunNetworks,
    measures: Measures,
    arms: Vec<String>,
}

impl<'a> ClassicModel<'a> {
    /// The classic model of `scenario` (whose `model` is not the school model).
    pub fn new(scenario: &'a Scenario) -> Self {
        let cfg = &scenario.config;
        Self {
            scenario,
            params: cfg.classic.clone().unwrap_or_default(),
            networks: RunNetworks::new(scenario),
            measures: classic::measures(cfg.model, cfg.classic.clone().unwrap_or_default()),
            arms: cfg.seedings.iter().map(|s| s.name.clone()).collect(),
        }
    }
}

impl ClassicModel<'_> {
    /// Run k's scenario, model parameters and network. With uncertain fields, the parameters are
    /// run k's draws and the network is drawn for the run (its generator's parameters may be
    /// among them); without, the shared ones.
    #[allow(clippy::type_complexity)]
    fn for_run(
        &self,
        k: u64,
    ) -> Result<(Cow<'_, Scenario>, Cow<'_, ClassicConfig>, Arc<Network>), InputError> {
        let scenario = self.scenario.for_run(k)?;
        let seeds = RunSeeds::new(scenario.config.seed, k);
        Ok(match scenario {
            Cow::Borrowed(s) => {
                let net = self.networks.get(s, &seeds);
                (Cow::Borrowed(s), Cow::Borrowed(&self.params), net)
            }
            Cow::Owned(s) => {
                let params = s.config.classic.clone().unwrap_or_default();
                let net = RunNetworks::new(&s).get(&s, &seeds);
                (Cow::Owned(s), Cow::Owned(params), net)
            }
        })
    }
}

impl Model for ClassicModel<'_> {
    fn measures(&self) -> &Measures {
        &self.measures
    }

    fn arms(&self) -> &[String] {
        &self.arms
    }

    fn describe(&self) -> String {
        let cfg = &self.scenario.config;
        format!(
            "{}: {} model, {} nodes, up to {} steps, {} paired runs, seed {}",
            cfg.name,
            cfg.model.name(),
            self.scenario.schools(),
            cfg.steps,
            cfg.runs,
            cfg.seed
        )
    }

    fn uncertain(&self) -> Vec<String> {
        self.scenario.uncertain.paths()
    }

    fn drawn(&self, k: u64) -> Vec<f64> {
        let s = self.scenario;
        s.uncertain.draw(s.config.seed, k)
    }

    fn run(&self, k: u64, scratch: &mut Scratch) -> Result<Vec<ArmRun>, InputError> {
        // Every seeding rule of run k runs with run k's draws of the uncertain fields.
        let (scenario, params, net) = self.for_run(k)?;
        let cfg = &scenario.config;
        let run_seeds = RunSeeds::new(cfg.seed, k);
        let draws = run_seeds.draws();
        let buf = &mut scratch.classic;
        let mut centrality = None;
        let runs = cfg
            .seedings
            .iter()
            .map(|rule| {
                let seeds = seeding::choose(rule, &net, &draws, &mut centrality);
                let out =
                    classic::simulate(cfg.model, &params, &net, &run_seeds, &seeds, cfg.steps, buf);
                let (summary, rows) =
                    classic::record(&params, net.schools(), seeds.len(), &out, &buf.curve);
                ArmRun {
                    summary,
                    series: rows.iter().flatten().copied().collect(),
                    schools: None,
                }
            })
            .collect();
        Ok(runs)
    }

    fn network(&self, k: u64) -> Result<Arc<Network>, InputError> {
        Ok(self.for_run(k)?.2)
    }

    /// One row per node with the time it became active (empty: never; 0: a seed).
    fn trace(&self, arm: usize, k: u64, sink: &mut dyn TraceSink) -> io::Result<RunFigures> {
        let (scenario, params, net) = self.for_run(k).map_err(invalid)?;
        let cfg = &scenario.config;
        let rule = &cfg.seedings[arm];
        let seeds = RunSeeds::new(cfg.seed, k);
        let chosen = seeding::choose(rule, &net, &seeds.draws(), &mut None);
        let mut buf = classic::models::Buffers::default();
        buf.activation_times = Some(Vec::new());
        let out = classic::simulate(
            cfg.model, &params, &net, &seeds, &chosen, cfg.steps, &mut buf,
        );
        let times = buf.activation_times.take().unwrap_or_default();
        let mut is_seed = vec![false; net.schools()];
        for &s in &chosen {
            is_seed[s as usize] = true;
        }
        sink.header(&["node", "degree", "seed", "activated_at"])?;
        for (i, &t) in times.iter().enumerate() {
            sink.row(&[
                // The node table's id where there is one, else the index.
                Cell::Text(&self.scenario.school_id(i)),
                Cell::Int(net.degree(i) as u64),
                Cell::Int(is_seed[i] as u64),
                Cell::Num(if t.is_finite() { t } else { f64::NAN }),
            ])?;
        }
        let (summary, _) = classic::record(&params, net.schools(), chosen.len(), &out, &buf.curve);
        Ok(ClassicMetric::ALL
            .iter()
            .map(|&m| (m.name(), summary.at(m as usize)))
            .collect())
    }
}
