//! `domino calibrate`: fits chosen scenario fields to a district's observed rollout by
//! approximate Bayesian computation (ABC-SMC, [`abc`]).
//!
//! The scenario's `[calibrate]` table names the fields and their priors
//! (`[calibrate.priors]`, dotted keys in the distribution syntax of uncertain fields) and the
//! search's settings; [`Calibration::new`] applies each prior to its field as a `--set` would
//! (so a prior is checked like any distribution: the field must be a number, and every value
//! of the prior's support must make a valid scenario) and places any error on the prior's line.
//! The observed history ([`observed`]) is summarised by adoption, sustain and abandon curves by
//! region and need group; each particle is the scenario with its values set
//! ([`Scenario::with_drawn`]), simulated once with the model's own code for the rollout's
//! strategy in a world of its own, and summarised on the same cells. [`output`] writes the
//! posterior, its summary, the posterior predictive check and `calibrated.toml`.

pub mod abc;
pub mod observed;
pub mod output;

use crate::engine::school::{simulate, Buffers};
use crate::error::InputError;
use crate::model::World;
use crate::rng::{mix64, Pcg64Mcg, RunSeeds};
use crate::scenario::set::Setting;
use crate::scenario::uncertain::{Law, Param};
use crate::scenario::{CalibrateConfig, Scenario};
use observed::Observed;
use rand::SeedableRng;
use rayon::prelude::*;

/// One fitted field.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// The field's dotted path as the `[calibrate.priors]` table writes it.
    pub path: String,
    /// The field as the scenario's uncertain fields name it, with its law and whether it is a
    /// whole number.
    pub param: Param,
    /// Index of the field among the loaded scenario's uncertain fields.
    index: usize,
}

/// A calibration ready to run: the scenario with the priors applied, the fitted fields, the
/// strategy of the rollout and the search's settings.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The scenario with every prior as a distribution of its field (its other uncertain
    /// fields, if any, stay as they are and are drawn anew for every simulation).
    pub scenario: Scenario,
    /// The fitted fields, in the order of the `[calibrate.priors]` table.
    pub priors: Vec<Prior>,
    /// The strategy used in the rollout (index into the scenario's strategies).
    pub strategy: usize,
    /// The search's settings.
    pub settings: abc::Settings,
}

/// `table` flattened into `(dotted path, distribution)`: a table with `dist` is a prior, any
/// other table a level of the path.
fn flatten(
    table: &toml::Table,
    prefix: &str,
    out: &mut Vec<(String, toml::Table)>,
) -> Result<(), InputError> {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if t.contains_key("dist") => out.push((path, t.clone())),
            toml::Value::Table(t) => flatten(t, &path, out)?,
            other => {
                return Err(InputError::field(
                    format!("calibrate.priors.{path}"),
                    format!(
                        "expected a prior distribution such as {{ dist = \"uniform\", low = 0.5, \
                         high = 2 }}, got {}",
                        other.type_str()
                    ),
                ))
            }
        }
    }
    Ok(())
}

impl Calibration {
    /// The calibration of `scenario` (already loaded from its file, with `sets` applied): reads
    /// its `[calibrate]` table, applies the priors and checks them. Errors name the scenario
    /// file, the prior's line and its field.
    pub fn new(scenario: &Scenario, sets: &[Setting]) -> Result<Self, InputError> {
        let file = scenario.source.as_deref();
        // The last `--set` that changed `field` (or a part of it, such as a prior's `low`, or
        // a table holding it): later flags win, as when they are applied.
        let set_by = |field: &str| {
            sets.iter().rev().find(|s| {
                let p = s.path.as_str();
                p == field
                    || p.strip_prefix(field).is_some_and(|r| r.starts_with('.'))
                    || field.strip_prefix(p).is_some_and(|r| r.starts_with('.'))
            })
        };
        let at_file = |e: InputError, src: &str| -> InputError {
            let field = e.field.clone().unwrap_or_default();
            // A value a `--set` gave is named by that flag, as `Scenario::load` names it: the
            // file's line holds the value the flag replaced. The budget is refused for the
            // particles it cannot draw, so a changed `particles` is the cause there too.
            let flag = set_by(&field).or_else(|| {
                (field == "calibrate.simulations")
                    .then(|| set_by("calibrate.particles"))
                    .flatten()
            });
            if let (Some(s), None) = (flag, &e.file) {
                return InputError::field(s.flag(), e.message);
            }
            let mut e = e;
            if let (Some(p), None) = (file, &e.file) {
                if let Some((line, col)) = crate::scenario::locate::locate(src, &field) {
                    e = e.at(line, Some(col));
                }
                e = e.in_file(p);
            }
            e
        };
        let Some(cfg) = scenario.config.calibrate.clone() else {
            let e = InputError::field(
                "calibrate",
                "the scenario has no [calibrate] table: add one with the prior of each field to \
                 fit, e.g. [calibrate.priors] then mechanisms.contagion.peer_weight = { dist = \
                 \"uniform\", low = 0.1, high = 1.5 }",
            );
            return Err(match file {
                Some(p) => e.in_file(p),
                None => e,
            });
        };
        let src = match file {
            Some(p) => {
                let bytes = crate::scenario::files::read_bytes(p)?;
                crate::scenario::files::utf8(&bytes, Some(p))?.to_string()
            }
            None => String::new(),
        };
        let settings = check_settings(&cfg).map_err(|e| at_file(e, &src))?;
        let mut flat = Vec::new();
        flatten(&cfg.priors, "", &mut flat).map_err(|e| at_file(e, &src))?;
        if flat.is_empty() {
            return Err(at_file(
                InputError::field(
                    "calibrate.priors",
                    "names no field to fit: add e.g. mechanisms.contagion.peer_weight = { dist = \
                     \"uniform\", low = 0.1, high = 1.5 } under [calibrate.priors]",
                ),
                &src,
            ));
        }
        if flat.len() > abc::MAX_PARAMETERS {
            return Err(at_file(
                InputError::field(
                    "calibrate.priors",
                    format!("fits at most {} fields", abc::MAX_PARAMETERS),
                ),
                &src,
            ));
        }
        let prior_field = |path: &str| format!("calibrate.priors.{path}");
        // Each prior as a `--set PATH={ dist = ... }` after the command line's own.
        let mut all: Vec<Setting> = sets.to_vec();
        for (path, law) in &flat {
            let field = prior_field(path);
            Law::from_table(law).map_err(|m| at_file(InputError::field(&field, m), &src))?;
            let own = {
                let mut t: toml::Table = src.parse().unwrap_or_default();
                crate::scenario::path::get_mut(&mut t, path)
                    .is_some_and(|v| v.as_table().is_some_and(|t| t.contains_key("dist")))
            };
            if own {
                return Err(at_file(
                    InputError::field(
                        &field,
                        format!(
                            "{path} is already a distribution in the scenario; give it one \
                             value there and its prior here"
                        ),
                    ),
                    &src,
                ));
            }
            // A `--set` that made the field a distribution would be replaced by the prior
            // without a word: refuse it as the file's own distribution is refused.
            if let Some(s) = sets.iter().rev().find(|s| {
                s.path == *path && s.value.as_table().is_some_and(|t| t.contains_key("dist"))
            }) {
                return Err(InputError::field(
                    s.flag(),
                    format!(
                        "{path} has a prior in [calibrate.priors], which the calibration fits; \
                         give it one value (or none) here, or change its prior with --set \
                         calibrate.priors.{path}=..."
                    ),
                ));
            }
            let inline = toml::Value::Table(law.clone()).to_string();
            let s: Setting = format!("{path}={inline}")
                .parse()
                .map_err(|m: String| at_file(InputError::field(&field, m), &src))?;
            all.push(s);
        }
        let reloaded = Scenario::load(&src, file, scenario.files.as_ref(), &all).map_err(|e| {
            // An error about a prior names the `--set` it was applied as: put it on the
            // prior's line instead.
            let about = e.field.as_deref().and_then(|f| {
                flat.iter()
                    .zip(&all[sets.len()..])
                    .find(|(_, s)| s.flag() == f)
            });
            match about {
                Some(((path, _), _)) => at_file(
                    InputError {
                        field: Some(prior_field(path)),
                        ..InputError::msg(e.message)
                    },
                    &src,
                ),
                None => e,
            }
        })?;
        let reloaded = reloaded.with_overrides(None, Some(scenario.config.seed), None)?;
        // The loaded scenario's uncertain field of each prior: the one whose path names the same
        // field (by name or by index for list entries).
        let mut priors = Vec::new();
        for (path, _) in &flat {
            let same = |p: &Param| {
                p.path == *path || {
                    let mut a: toml::Table =
                        toml::Table::try_from(&reloaded.config).expect("a scenario serialises");
                    // Mark the field through one path and look for the mark through the other.
                    let marked = crate::scenario::path::get_mut(&mut a, path)
                        .map(|v| *v = toml::Value::String("\u{1}".into()))
                        .is_some();
                    marked
                        && crate::scenario::path::get(&a, &p.path)
                            .and_then(|v| v.as_str().map(String::from))
                            == Some("\u{1}".into())
                }
            };
            let index = reloaded
                .uncertain
                .params
                .iter()
                .position(same)
                .ok_or_else(|| {
                    at_file(
                        InputError::field(prior_field(path), "names no field of the scenario"),
                        &src,
                    )
                })?;
            priors.push(Prior {
                path: path.clone(),
                param: reloaded.uncertain.params[index].clone(),
                index,
            });
        }
        let strategy = if cfg.strategy.is_empty() {
            0
        } else {
            reloaded.strategy_index(&cfg.strategy).ok_or_else(|| {
                at_file(
                    InputError::field(
                        "calibrate.strategy",
                        format!(
                            "no strategy is named \"{}\"; the scenario has: {}",
                            cfg.strategy,
                            reloaded
                                .config
                                .strategies
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                    &src,
                )
            })?
        };
        if reloaded.config.model.is_classic() || reloaded.config.strategies.is_empty() {
            return Err(at_file(
                InputError::field(
                    "model",
                    "calibrate fits the school model, with the strategy used in the rollout",
                ),
                &src,
            ));
        }
        Ok(Self {
            scenario: reloaded,
            priors,
            strategy,
            settings,
        })
    }

    /// The laws of the priors, in order.
    pub fn laws(&self) -> Vec<Law> {
        self.priors.iter().map(|p| p.param.law).collect()
    }

    /// The scenario of one simulation: the fitted fields at `theta` (clamped into the priors'
    /// ends and rounded for whole numbers), the scenario's own uncertain fields drawn from
    /// `seed`. Loading validated the supports' corners ([`crate::scenario::uncertain`]), which
    /// with more than [`MAX_CORNERS_OF`](crate::scenario::uncertain::MAX_CORNERS_OF) uncertain
    /// fields leaves rules joining three or more of them unchecked: such a draw is an error
    /// naming the field and the values, not a panic.
    pub fn scenario_at(&self, theta: &[f64], seed: u64) -> Result<Scenario, InputError> {
        let own = self.scenario.uncertain.draw(seed, 0);
        let mut values = own;
        for (p, &x) in self.priors.iter().zip(theta) {
            values[p.index] = p.param.value(x);
        }
        self.scenario.with_drawn(&values).map_err(|e| {
            let drawn: Vec<String> = self
                .scenario
                .uncertain
                .params
                .iter()
                .zip(&values)
                .map(|(p, v)| format!("{} = {v}", p.path))
                .collect();
            InputError {
                message: format!(
                    "{} (with the values drawn for one simulation: {}; narrow the priors so \
                     that no combination of them breaks this rule)",
                    e.message,
                    drawn.join(", ")
                ),
                ..e
            }
        })
    }

    /// Simulates the rollout's strategy once at `theta` with randomness from `seed` and returns
    /// the statistics of `observed`'s cells.
    pub fn simulate(
        &self,
        observed: &Observed,
        theta: &[f64],
        seed: u64,
    ) -> Result<Vec<f64>, InputError> {
        let scenario = self.scenario_at(theta, seed)?;
        let seeds = RunSeeds::new(seed, 1);
        let world = World::build(&scenario, &seeds);
        let mut buf = Buffers::default();
        let mut acc = observed.accumulator();
        simulate(
            &scenario,
            self.strategy,
            &world,
            &seeds,
            &mut buf,
            |t, state, plan| observed.observe(&mut acc, t, state, plan),
        );
        Ok(observed.finish(&acc))
    }

    /// Runs the search against `observed` with master seed `seed`; stops at the first draw that
    /// makes an invalid scenario ([`Self::scenario_at`]), in the order of the search's attempts.
    pub fn run(
        &self,
        observed: &Observed,
        seed: u64,
        progress: impl Fn(u64, usize),
    ) -> Result<Outcome, InputError> {
        let laws = self.laws();
        let search = abc::run(
            &laws,
            &self.settings,
            seed,
            |theta, s| Ok(observed.distance(&self.simulate(observed, theta, s)?)),
            progress,
        )?;
        let last = search
            .generations
            .last()
            .expect("generation 0 always finishes");
        // The posterior predictive: as many draws as particles, resampled by weight
        // (systematic resampling from one seeded uniform), each simulated afresh.
        let n = last.particles.len();
        let mut rng = Pcg64Mcg::seed_from_u64(mix64(seed ^ 0x5052_4544));
        let u0: f64 = rand::Rng::random::<f64>(&mut rng) / n as f64;
        let mut picks = Vec::with_capacity(n);
        let mut acc = 0.0;
        let mut j = 0;
        for k in 0..n {
            let u = u0 + k as f64 / n as f64;
            while j + 1 < n && acc + last.weights[j] < u {
                acc += last.weights[j];
                j += 1;
            }
            picks.push(j);
        }
        let predictive: Vec<Vec<f64>> = picks
            .par_iter()
            .enumerate()
            .map(|(k, &j)| {
                let s = abc::attempt_seed(seed, u64::MAX, k as u64);
                self.simulate(observed, &last.particles[j], s)
            })
            .collect::<Vec<_>>()
            .into_iter()
            // The lowest-numbered failure, whatever the thread count.
            .collect::<Result<_, _>>()?;
        Ok(Outcome {
            search_simulations: search.simulations(),
            dropped: search.dropped,
            generations: search.generations,
            stop: search.stop,
            predictive,
        })
    }
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every generation; the last is the posterior sample.
    pub generations: Vec<abc::Generation>,
    /// Why the search stopped.
    pub stop: abc::Stop,
    /// Statistics of the posterior predictive simulations.
    pub predictive: Vec<Vec<f64>>,
    /// Simulations the search ran, a dropped generation's included (at most the budget).
    pub search_simulations: u64,
    /// Of them, those of a generation the budget could not finish.
    pub dropped: u64,
}

impl Outcome {
    /// The posterior sample.
    pub fn posterior(&self) -> &abc::Generation {
        self.generations.last().expect("at least one generation")
    }

    /// Every simulation run: the search's (a dropped generation's included) and the
    /// predictive check's.
    pub fn simulations(&self) -> u64 {
        self.search_simulations + self.predictive.len() as u64
    }
}

fn check_settings(cfg: &CalibrateConfig) -> Result<abc::Settings, InputError> {
    if !(2..=100_000).contains(&cfg.particles) {
        return Err(InputError::field(
            "calibrate.particles",
            format!("expected 2 to 100,000 particles, got {}", cfg.particles),
        ));
    }
    if !(1..=1000).contains(&cfg.generations) {
        return Err(InputError::field(
            "calibrate.generations",
            format!("expected 1 to 1,000 generations, got {}", cfg.generations),
        ));
    }
    if !(cfg.min_epsilon >= 0.0 && cfg.min_epsilon.is_finite()) {
        return Err(InputError::field(
            "calibrate.min_epsilon",
            format!("expected a distance of 0 or more, got {}", cfg.min_epsilon),
        ));
    }
    if cfg.simulations < cfg.particles as u64 {
        return Err(InputError::field(
            "calibrate.simulations",
            format!(
                "a budget of {} simulations cannot draw the first generation's {} particles",
                cfg.simulations, cfg.particles
            ),
        ));
    }
    Ok(abc::Settings {
        particles: cfg.particles as usize,
        generations: cfg.generations as usize,
        min_epsilon: cfg.min_epsilon,
        simulations: cfg.simulations,
    })
}
