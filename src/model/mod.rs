//! The school model: state, parameters and the synchronous term update.
//!
//! One term is [`compute_fields`] (what every school receives from its neighbours, computed from
//! the state at t only) followed by [`advance`] (each school's own update to t + 1, which reads only
//! its own state and the fields). Because each school's update touches only its own entries, the
//! update can run in place and the result does not depend on the order schools are visited.
//! The engine ([`crate::engine::term`]) calls the strategy between the two.
//!
//! The mechanisms and their sources are described in `docs/model.md`; the numbered comments below
//! refer to its sections.

pub mod world;

pub use world::World;

use crate::maths::exp;
use crate::rng::{Draws, Purpose};
use crate::scenario::{
    AdaptationMode, ContagionForm, Exchange, ScenarioConfig, StrategyConfig, SupportMode,
};

/// Where a school is in the adoption life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    /// Has not adopted (knows of the innovation).
    NotAdopted = 0,
    /// Implementing: practice grows with the dose.
    Implementing = 1,
    /// Sustained: needs no support, practice does not decay.
    Sustained = 2,
    /// Abandoned: may adopt again after its cool-down.
    Abandoned = 3,
}

impl Stage {
    /// Lower-case name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            Stage::NotAdopted => "not_adopted",
            Stage::Implementing => "implementing",
            Stage::Sustained => "sustained",
            Stage::Abandoned => "abandoned",
        }
    }

    /// Implementing or sustained.
    #[inline]
    pub(crate) fn is_adopter(self) -> bool {
        matches!(self, Stage::Implementing | Stage::Sustained)
    }
}

/// How a school came to adopt, for the cascade figures and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Origin {
    /// Has not adopted (or abandoned).
    None = 0,
    /// Recruited and funded by the strategy.
    Recruited = 1,
    /// Persuaded by a neighbouring pocket (or the outside rate), then funded by the strategy.
    PersuadedFunded = 2,
    /// Persuaded, and never funded since.
    Persuaded = 3,
}

impl Origin {
    /// Lower-case name used in traces (empty for [`Origin::None`]).
    pub fn name(self) -> &'static str {
        match self {
            Origin::None => "",
            Origin::Recruited => "recruited",
            Origin::PersuadedFunded => "persuaded_funded",
            Origin::Persuaded => "persuaded",
        }
    }
}

/// No school: the source of a school that was recruited, or persuaded from outside the network.
pub const NO_SOURCE: u32 = u32::MAX;

/// Readiness of an average school (the mean of the default Beta(4, 4)): a pocket of this
/// readiness has exactly the configured coaching capacity.
const AVERAGE_READINESS: f64 = 0.5;

/// A hub funded this term: raises tie weights inside `region` and gives know-how there. Several
/// regions may have a hub in the same term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hub {
    /// The hub's region.
    pub region: u32,
    /// SU spent on the hub this term.
    pub spend: f64,
}

/// Model parameters for one strategy, flattened from the scenario for the hot loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Dose at half-speed learning, SU.
    pub d50: f64,
    /// Hill exponent.
    pub hill: f64,
    hill_int: Option<i32>,
    /// Practice decay per term at zero response.
    pub decay: f64,
    /// r(readiness) = speedup * readiness.
    pub speedup: f64,
    /// Base learning rate.
    pub learning_rate: f64,
    /// Implementation dip, SD.
    pub dip: f64,
    /// 1 / (2 context_width^2).
    pub inv_two_width2: f64,
    /// The innovation's home context.
    pub home: f64,
    /// Visibility bar on practice.
    pub visibility_bar: f64,
    /// Pockets need a positive effect: the one observed at the last review when evidence is on,
    /// the realized one otherwise.
    pub visibility_positive: bool,
    /// Know-how SU per unit weight x practice (0 when switched off).
    pub know_how_weight: f64,
    /// Weight of a non-pocket adopter's know-how.
    pub know_how_implementing: f64,
    /// Context sensitivity of know-how transfer.
    pub know_how_sensitivity: f64,
    /// Peer adoption switched on.
    pub contagion: bool,
    /// Complex (threshold) rather than simple contagion.
    pub complex: bool,
    /// Domino contagion: a single pocket topples a school when it is big and close enough.
    pub domino: bool,
    /// Domino: 1 / topple_ratio, the least tie weight x influence / resistance that topples.
    pub topple_threshold: f64,
    /// Pressure per unit weight x influence.
    pub peer_weight: f64,
    /// Outside pressure per term.
    pub outside_rate: f64,
    /// Complex contagion: pocket count needed (0 = use fraction).
    pub threshold_count: u32,
    /// Complex contagion: pocket fraction needed.
    pub threshold_fraction: f64,
    /// Share of the version-context gap closed per term.
    pub adapt_rate: f64,
    /// Share of site effect lost per unit of drift from the home version.
    pub drift_cost: f64,
    /// Effect below which an adopter has no benefit, SD.
    pub benefit_bar: f64,
    /// Terms implementing before an adopter counts for the no-benefit share.
    pub benefit_min_terms: u32,
    /// Practice bar for sustaining.
    pub sustain_bar: f64,
    /// Consecutive terms above the bar needed.
    pub sustain_terms: u32,
    /// Practice below which patience runs down.
    pub low_bar: f64,
    /// Per-term turnover that ends an implementing school's commitment.
    pub turnover: f64,
    /// Relative turnover of sustained schools.
    pub sustained_turnover_factor: f64,
    /// Relative turnover of mandated schools.
    pub mandate_multiplier: f64,
    /// Share of its readiness a school loses at each abandonment.
    pub fatigue: f64,
    /// Hub switched on.
    pub hub: bool,
    /// Hub tie multiplier.
    pub hub_tie_multiplier: f64,
    /// Hub know-how per SU.
    pub hub_efficiency: f64,
    /// Share of support turned into capacity (0 under buy).
    pub build_share: f64,
    /// Lasting SU per term per SU put into capacity.
    pub build_yield: f64,
    /// Recruits are mandated.
    pub mandate: bool,
    /// The dose where the Hill response equals the strategy's effective response, SU.
    pub effective_dose: f64,
    /// Coaching capacity of a pocket of average readiness, SU (0 when coaching is off).
    pub coach_capacity: f64,
    /// Coaching is switched on (own resources and funded coaching count only then).
    pub coaching: bool,
    /// Coaching SU per SU paid to a pocket.
    pub coach_funded_efficiency: f64,
    /// Effects are observed at reviews with noise (false: seen at once, no review drops).
    pub evidence: bool,
    /// SD of an observed effect around the true one.
    pub measurement_sd: f64,
    /// Terms since adoption before the first review.
    pub review_after: u32,
    /// Terms between reviews.
    pub review_every: u32,
    /// Chance that a review below the benefit bar drops the innovation.
    pub drop_without_benefit: f64,
    /// Chance that a school whose support is withdrawn stops implementing.
    pub abandon_when_withdrawn: f64,
    /// Learning of a mandated school relative to one that chose.
    pub mandate_learning: f64,
    /// Learning kept after the time the learning exchange takes (1 under best practice).
    pub exchange_learning: f64,
}

impl Params {
    /// Parameters for `strategy` within scenario `cfg`.
    pub fn new(cfg: &ScenarioConfig, strategy: &StrategyConfig) -> Self {
        let m = &cfg.mechanisms;
        let process = strategy.exchange == Exchange::Process;
        let rate = match strategy.adaptation {
            AdaptationMode::ALaCarte => m.adaptation.a_la_carte_rate,
            AdaptationMode::PrixFixe => m.adaptation.prix_fixe_rate,
        } * if process {
            m.adaptation.process_speedup
        } else {
            1.0
        };
        let hill = m.dose.hill;
        let hill_int = (hill.fract() == 0.0 && (1.0..=8.0).contains(&hill)).then_some(hill as i32);
        let h = strategy.effective_response;
        Self {
            d50: m.dose.d50,
            hill,
            hill_int,
            decay: m.dose.decay,
            speedup: m.dose.readiness_speedup,
            learning_rate: cfg.innovation.learning_rate,
            dip: cfg.innovation.implementation_dip,
            inv_two_width2: 1.0
                / (2.0 * cfg.innovation.context_width * cfg.innovation.context_width),
            home: cfg.innovation.home_context,
            visibility_bar: m.visibility.bar,
            visibility_positive: m.visibility.require_positive_effect,
            know_how_weight: if m.know_how.enabled {
                m.know_how.weight
            } else {
                0.0
            },
            know_how_implementing: if process {
                m.know_how.process_implementing_weight
            } else {
                m.know_how.implementing_weight
            },
            know_how_sensitivity: if process {
                m.know_how.process_context_sensitivity
            } else {
                m.know_how.best_practice_context_sensitivity
            },
            contagion: m.contagion.enabled,
            complex: m.contagion.form == ContagionForm::Complex,
            domino: m.contagion.form == ContagionForm::Domino,
            topple_threshold: 1.0 / m.contagion.topple_ratio,
            peer_weight: m.contagion.peer_weight,
            outside_rate: if m.contagion.enabled {
                m.contagion.outside_rate
            } else {
                0.0
            },
            threshold_count: m.contagion.threshold_count,
            threshold_fraction: m.contagion.threshold_fraction,
            adapt_rate: if m.adaptation.enabled {
                rate.min(1.0)
            } else {
                0.0
            },
            drift_cost: m.adaptation.drift_cost,
            benefit_bar: m.benefit.bar,
            benefit_min_terms: m.benefit.min_terms,
            sustain_bar: m.sustain.bar,
            sustain_terms: m.sustain.terms,
            low_bar: m.sustain.low_bar,
            turnover: m.sustain.turnover_rate,
            sustained_turnover_factor: m.sustain.sustained_turnover_factor,
            mandate_multiplier: m.sustain.mandate_abandon_multiplier,
            fatigue: m.sustain.fatigue,
            hub: m.hub.enabled,
            hub_tie_multiplier: m.hub.tie_multiplier,
            hub_efficiency: m.hub.efficiency,
            build_share: if strategy.support == SupportMode::Build {
                strategy.build_share
            } else {
                0.0
            },
            build_yield: strategy.build_yield,
            mandate: strategy.mandate,
            effective_dose: m.dose.d50 * libm::pow(h / (1.0 - h), 1.0 / hill),
            coach_capacity: if m.coaching.enabled {
                m.coaching.capacity
            } else {
                0.0
            },
            coaching: m.coaching.enabled,
            coach_funded_efficiency: m.coaching.funded_efficiency,
            evidence: m.evidence.enabled,
            measurement_sd: m.evidence.measurement_sd,
            review_after: m.evidence.review_after,
            review_every: m.evidence.review_every.max(1),
            drop_without_benefit: m.evidence.drop_without_benefit,
            abandon_when_withdrawn: m.evidence.abandon_when_withdrawn,
            mandate_learning: m.sustain.mandate_learning_factor,
            exchange_learning: if process {
                1.0 - m.know_how.exchange_cost
            } else {
                1.0
            },
        }
    }

    /// The Hill response `H(d) = d^g / (d^g + d50^g)`, in [0, 1).
    #[inline]
    pub fn response(&self, dose: f64) -> f64 {
        if dose <= 0.0 {
            return 0.0;
        }
        let x = dose / self.d50;
        // A whole exponent (the default 2) by repeated multiplication: exact IEEE steps, and
        // several times cheaper than `pow` in the hottest line of the model.
        let xg = match self.hill_int {
            Some(k) => (1..k).fold(x, |acc, _| acc * x),
            None => libm::pow(x, self.hill),
        };
        xg / (1.0 + xg)
    }

    /// Fit of a version to a context: `exp(-d^2 / (2 w^2))`.
    #[inline]
    pub fn fit(&self, context: f64, version: f64) -> f64 {
        let d = context - version;
        exp(-d * d * self.inv_two_width2)
    }

    /// Realized effect at `practice` and `fit` for a school whose site effect is `site` and whose
    /// version is `version` (the drift cost shrinks the site effect as the version leaves home).
    #[inline]
    pub fn effect(&self, practice: f64, fit: f64, site: f64, version: f64) -> f64 {
        let kept = (1.0 - self.drift_cost * (version - self.home).abs()).max(0.0);
        practice * fit * site * kept - self.dip * (1.0 - practice)
    }
}

/// The changing state of every school, plus the per-term fields. Buffers are reused across runs.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Life-cycle stage.
    pub stage: Vec<Stage>,
    /// Practice in [0, 1].
    pub practice: Vec<f64>,
    /// The context the school's version of the innovation fits, in [0, 1].
    pub version: Vec<f64>,
    /// Fit of the version to the school's context, in (0, 1].
    pub fit: Vec<f64>,
    /// Realized effect, SD (0 for non-adopters).
    pub effect: Vec<f64>,
    /// Terms in the current stage.
    pub terms: Vec<u32>,
    /// Consecutive terms with practice at or above the sustain bar.
    pub above: Vec<u32>,
    /// Consecutive terms with practice below the low bar.
    pub low: Vec<u32>,
    /// Started because of a mandate.
    pub mandated: Vec<bool>,
    /// Readiness, lowered by fatigue after each abandonment.
    pub readiness: Vec<f64>,
    /// Own resources, SU per term, raised by build-mode support.
    pub resources: Vec<f64>,
    /// Visible success this term.
    pub pocket: Vec<bool>,
    /// Field: know-how received this term, SU.
    pub know_how: Vec<f64>,
    /// Field: sum of (tie weight x influence) over neighbouring pockets.
    pub pressure: Vec<f64>,
    /// Field: sum of tie weights to neighbouring pockets.
    pub pocket_ties: Vec<f64>,
    /// Field: number of neighbouring pockets.
    pub pocket_count: Vec<u32>,
    /// Field: best (tie weight x influence) of a neighbouring pocket, -1 if none.
    pub source_score: Vec<f64>,
    /// Field: the version of that best pocket.
    pub source_version: Vec<f64>,
    /// Field: that best pocket's index ([`NO_SOURCE`] if none).
    pub source_index: Vec<u32>,
    /// Field: coaching received from neighbouring pockets this term, SU.
    pub coaching: Vec<f64>,
    /// The effect last observed at a review, SD (NaN until the first review of this adoption).
    pub observed: Vec<f64>,
    /// Terms since the school last adopted (implementing or sustained).
    pub tenure: Vec<u32>,
    /// How the school came to adopt.
    pub origin: Vec<Origin>,
    /// The pocket that persuaded it ([`NO_SOURCE`] if recruited or persuaded from outside).
    pub source: Vec<u32>,
    /// Directly funded by the strategy (recruited or supported) at some term of the run.
    pub funded: Vec<bool>,
    /// Field: hub spend per region this term, SU (0 where there is no hub).
    pub hub_spend: Vec<f64>,
    /// Scratch: the distinct regions with a hub this term.
    hub_regions: Vec<u32>,
    /// Scratch: one pocket's coaching share of each implementing neighbour, in tie order.
    shares: Vec<f64>,
    /// Schools whose fields the last [`compute_fields`] wrote, so the next one clears only those.
    touched: Vec<u32>,
    /// More schools were written than `touched` keeps (or the update is dense): clear them all.
    touched_all: bool,
    /// The plain update: clear every school's fields every term. Same bytes, more work; tests
    /// compare the two.
    dense: bool,
}

impl State {
    /// Whether school `i`'s students count as benefiting, as the objective counts them
    /// (docs/model.md §7, `students_benefiting`): the school practises the innovation (it is
    /// implementing or sustained with practice at or above the visibility bar) and its true
    /// effect is at or above the benefit bar.
    pub fn benefits(&self, i: usize, p: &Params) -> bool {
        self.practising(i, p) && self.effect[i] >= p.benefit_bar
    }

    /// Whether school `i` practises the innovation: it is implementing or sustained with practice
    /// at or above the visibility bar. The recorder counts benefit and no-benefit among these.
    #[inline]
    pub fn practising(&self, i: usize, p: &Params) -> bool {
        self.stage[i].is_adopter() && self.practice[i] >= p.visibility_bar
    }

    /// Resets to term 0 for `world`: nobody has adopted.
    pub fn reset(&mut self, world: &World, p: &Params) {
        let home = p.home;
        let n = world.len();
        let fill = |v: &mut Vec<f64>, x: f64| {
            v.clear();
            v.resize(n, x);
        };
        self.stage.clear();
        self.stage.resize(n, Stage::NotAdopted);
        fill(&mut self.practice, 0.0);
        fill(&mut self.version, home);
        self.fit.clear();
        self.fit
            .extend(world.schools.context.iter().map(|&c| p.fit(c, home)));
        fill(&mut self.effect, 0.0);
        for v in [&mut self.terms, &mut self.above, &mut self.low] {
            v.clear();
            v.resize(n, 0);
        }
        self.mandated.clear();
        self.mandated.resize(n, false);
        self.readiness.clone_from(&world.schools.readiness);
        self.resources.clone_from(&world.schools.resources);
        self.pocket.clear();
        self.pocket.resize(n, false);
        fill(&mut self.know_how, 0.0);
        fill(&mut self.pressure, 0.0);
        fill(&mut self.pocket_ties, 0.0);
        self.pocket_count.clear();
        self.pocket_count.resize(n, 0);
        fill(&mut self.source_score, -1.0);
        fill(&mut self.source_version, home);
        fill(&mut self.coaching, 0.0);
        fill(&mut self.observed, f64::NAN);
        for v in [&mut self.source_index, &mut self.source] {
            v.clear();
            v.resize(n, NO_SOURCE);
        }
        self.tenure.clear();
        self.tenure.resize(n, 0);
        self.origin.clear();
        self.origin.resize(n, Origin::None);
        self.funded.clear();
        self.funded.resize(n, false);
        let r = world.schools.n_regions;
        fill(&mut self.hub_spend, 0.0);
        self.hub_spend.resize(r, 0.0);
        self.touched.clear();
        self.touched_all = self.dense;
    }

    /// Switches between the sparse update (the default: each term clears only the fields the
    /// last one wrote) and the plain one (clears every school's). The outputs are the same bytes;
    /// a test runs random scenarios both ways.
    #[cfg(test)]
    pub(crate) fn set_dense(&mut self, dense: bool) {
        self.dense = dense;
        self.touched_all = true;
    }

    /// Notes that this term's fields of school `i` were written. Past a quarter of the schools a
    /// full clear is cheaper than visiting the list, so the list stops growing.
    #[inline]
    fn touch(&mut self, i: usize, cap: usize) {
        if !self.touched_all {
            if self.touched.len() < cap {
                self.touched.push(i as u32);
            } else {
                self.touched_all = true;
            }
        }
    }

    /// Resets the per-term fields to "nothing received": every school's, or only those the last
    /// term wrote.
    fn clear_fields(&mut self) {
        if self.touched_all {
            self.know_how.iter_mut().for_each(|v| *v = 0.0);
            self.pressure.iter_mut().for_each(|v| *v = 0.0);
            self.pocket_ties.iter_mut().for_each(|v| *v = 0.0);
            self.pocket_count.iter_mut().for_each(|v| *v = 0);
            self.source_score.iter_mut().for_each(|v| *v = -1.0);
            self.source_index.iter_mut().for_each(|v| *v = NO_SOURCE);
            self.coaching.iter_mut().for_each(|v| *v = 0.0);
        } else {
            for &i in &self.touched {
                let i = i as usize;
                self.know_how[i] = 0.0;
                self.pressure[i] = 0.0;
                self.pocket_ties[i] = 0.0;
                self.pocket_count[i] = 0;
                self.source_score[i] = -1.0;
                self.source_index[i] = NO_SOURCE;
                self.coaching[i] = 0.0;
            }
        }
        self.touched.clear();
        self.touched_all = self.dense;
    }

    /// Can school `i` use support or be recruited this term? (Not sustained, not cooling down.)
    #[inline]
    pub fn eligible(&self, world: &World, i: usize) -> bool {
        match self.stage[i] {
            Stage::Implementing | Stage::NotAdopted => true,
            Stage::Sustained => false,
            Stage::Abandoned => self.terms[i] >= world.schools.cool_down[i],
        }
    }

    /// Can school `i` start implementing (not adopted, or abandoned and past its cool-down)?
    #[inline]
    pub(crate) fn can_start(&self, world: &World, i: usize) -> bool {
        self.stage[i] != Stage::Implementing && self.eligible(world, i)
    }
}

/// Computes the fields of term t from the state at t: know-how, coaching, peer pressure, ties to
/// pockets and each non-adopter's best source. Pushes from adopters along their ties, so the cost
/// is O(n + sum of adopters' degrees), not O(E) (mechanisms 2, 3, 4, 9, 10); while few schools
/// were written last term only those are cleared first, so a school with no adopting neighbour
/// costs a stage check here. `coach` is the SU each school was paid to coach this term.
///
/// The fields belong to this function. A field set by hand between terms is cleared by the next
/// call only if the last term wrote that school (or the clear is full); otherwise that call's
/// writes add to it ([`State::reset`] clears them all).
pub fn compute_fields(world: &World, p: &Params, s: &mut State, hubs: &[Hub], coach: &[f64]) {
    let n = world.len();
    let cap = n / 4;
    s.clear_fields();
    let region = &world.schools.region;
    let context = &world.schools.context;
    let hubs = if p.hub { hubs } else { &[] };
    for h in hubs {
        s.hub_spend[h.region as usize] += h.spend;
    }
    let kh = p.know_how_weight;
    let sens = p.know_how_sensitivity * p.inv_two_width2;
    for j in 0..n {
        let stage_j = s.stage[j];
        if !stage_j.is_adopter() {
            continue;
        }
        let pocket = s.pocket[j];
        let share = if pocket { 1.0 } else { p.know_how_implementing };
        let teach = kh * share * s.practice[j];
        if !pocket && teach <= 0.0 {
            // Neither teaches nor shows success: writes nothing to its neighbours.
            continue;
        }
        let capacity = if pocket && p.coaching {
            coach_capacity(p, s, j, coach[j])
        } else {
            0.0
        };
        let coaches = capacity > 0.0;
        let version_j = s.version[j];
        let influence_j = world.influence[j];
        let boosted_j = !hubs.is_empty() && s.hub_spend[region[j] as usize] > 0.0;
        // The ties that leave a region land on schools far away in memory: ask for the
        // entries this loop reads first a few schools ahead, so they are on their way by then.
        if j + PREFETCH_AHEAD < n {
            for &i in world.network.neighbours(j + PREFETCH_AHEAD) {
                prefetch(&s.stage, i as usize);
                prefetch(context, i as usize);
                prefetch(&s.know_how, i as usize);
            }
        }
        let nb = world.network.neighbours(j);
        let ws = world.network.weights(j);
        s.shares.clear();
        let mut total = 0.0;
        for (&i, &w) in nb.iter().zip(ws) {
            let i = i as usize;
            s.touch(i, cap);
            let mut w = w as f64;
            if boosted_j && region[i] == region[j] {
                w = (w * p.hub_tie_multiplier).min(1.0);
            }
            // Two tests rather than a match, which compiled to a jump table on the hottest line
            // of the model; implementing first, since that is every tie where adoption is wide.
            let stage_i = s.stage[i];
            if stage_i == Stage::Implementing {
                if teach > 0.0 || coaches {
                    // One similarity serves the know-how and the coaching share.
                    let d = context[i] - version_j;
                    let similar = exp(-d * d * sens);
                    if teach > 0.0 {
                        s.know_how[i] += teach * w * similar;
                    }
                    if coaches {
                        let share = w * similar;
                        total += share;
                        s.shares.push(share);
                    }
                }
            } else if pocket && matches!(stage_i, Stage::NotAdopted | Stage::Abandoned) {
                // A pocket's pressure on a school that could start.
                let score = w * influence_j;
                s.pressure[i] += score;
                // Strictly better: among equals the lowest index (visited first) wins.
                if score > s.source_score[i] {
                    s.source_score[i] = score;
                    s.source_version[i] = version_j;
                    s.source_index[i] = j as u32;
                }
            }
            if pocket {
                s.pocket_ties[i] += w;
                s.pocket_count[i] += 1;
            }
        }
        if coaches && total > 0.0 {
            coach_neighbours(s, nb, capacity / total);
        }
    }
    if !hubs.is_empty() {
        hub_know_how(world, p, s, hubs, cap);
    }
}

/// How many schools ahead [`compute_fields`] prefetches a school's neighbours. On the national
/// scenario (1,500,000 schools in regions of about 2,100; a tenth of the ties leave the region)
/// one run of thin-spread, world included, took 6.5 CPU-s without prefetching and 5.7, 5.65, 5.4
/// and 5.4 to 5.7 with one, two, four and eight schools ahead (2026-12-03, one thread). The outputs
/// are the same bytes: a prefetch only moves memory into the cache.
const PREFETCH_AHEAD: usize = 4;

/// Hints to the processor that `v[i]` will be read soon. Only a hint: it changes no value, and
/// where there is no such instruction it does nothing.
#[inline(always)]
fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing the program sees, so any address is
    // allowed; `wrapping_add` keeps the address computation itself defined when `i` is out of
    // bounds (it never is here: `i` is a neighbour's index).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(v.as_ptr().wrapping_add(i).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Mechanism 9 (hubs): a hub works through its region's ties: its spend is shared over the
/// region's implementing schools by tie strength, and only the part carried by ties inside the
/// region arrives. On a well-mixed network most of it leaks away, which is the cluster's weakness
/// there. Visits only the hubs' regions, each school in index order.
fn hub_know_how(world: &World, p: &Params, s: &mut State, hubs: &[Hub], cap: usize) {
    let mut regions = std::mem::take(&mut s.hub_regions);
    regions.clear();
    regions.extend(hubs.iter().map(|h| h.region));
    regions.sort_unstable();
    regions.dedup();
    for &r in &regions {
        let r = r as usize;
        let members = world.members(r);
        let mut strength = 0.0;
        for &i in members {
            if s.stage[i as usize] == Stage::Implementing {
                strength += world.network.strength(i as usize);
            }
        }
        // A positive strength also skips isolated schools, which would divide by zero.
        if s.hub_spend[r] > 0.0 && strength > 0.0 {
            let per = p.hub_efficiency * s.hub_spend[r] / strength;
            for &i in members {
                let i = i as usize;
                if s.stage[i] == Stage::Implementing {
                    s.know_how[i] += per * world.region_strength[i];
                    s.touch(i, cap);
                }
            }
        }
        s.hub_spend[r] = 0.0;
    }
    s.hub_regions = regions;
}

/// Mechanism 10: the coaching capacity of pocket `j`, own plus `paid` SU of funded coaching.
#[inline]
fn coach_capacity(p: &Params, s: &State, j: usize, paid: f64) -> f64 {
    p.coach_capacity * s.readiness[j] / AVERAGE_READINESS
        + s.resources[j]
        + paid * p.coach_funded_efficiency
}

/// Mechanism 10: a pocket shares its coaching capacity over its implementing neighbours (`nb`) in
/// proportion to tie weight times context similarity (`s.shares`, in tie order; `per` is the
/// capacity over their sum). The whole capacity is given out and no more (a pocket with many
/// neighbours gives each less), so a school persuaded by a pocket, often its only implementing
/// neighbour at first, gets most of it.
fn coach_neighbours(s: &mut State, nb: &[u32], per: f64) {
    let mut k = 0;
    for &i in nb {
        let i = i as usize;
        if s.stage[i] == Stage::Implementing {
            s.coaching[i] += per * s.shares[k];
            k += 1;
        }
    }
}

/// What the strategy decided for one term, school by school: the input [`advance`] takes from it.
/// Each slice has one entry per school.
#[derive(Debug, Clone, Copy)]
pub struct Decisions<'a> {
    /// Support, SU (only implementing schools use it).
    pub support: &'a [f64],
    /// Recruited this term: starts implementing if it can.
    pub recruit: &'a [bool],
    /// Its support was ended by an adaptive review this term (mechanism 11: it may stop).
    pub withdrawn: &'a [bool],
}

/// Advances every school from t to t + 1 given the strategy's `decisions` for this term
/// (mechanisms 1, 4-8, 11). `step` is t; randomness comes from `draws`, keyed by (step, school),
/// so the update order does not matter.
pub fn advance(
    world: &World,
    p: &Params,
    s: &mut State,
    decisions: Decisions,
    draws: &Draws,
    step: u32,
) {
    let Decisions {
        support,
        recruit,
        withdrawn,
    } = decisions;
    let sch = &world.schools;
    for i in 0..world.len() {
        match s.stage[i] {
            Stage::Implementing => {
                if support[i] > 0.0 {
                    s.funded[i] = true;
                    if s.origin[i] == Origin::Persuaded {
                        s.origin[i] = Origin::PersuadedFunded;
                    }
                }
                let bought = support[i] * (1.0 - p.build_share);
                s.resources[i] += support[i] * p.build_share * p.build_yield;
                let dose =
                    (bought + s.readiness[i] * s.resources[i] + s.know_how[i] + s.coaching[i])
                        * world.dose_scale[i];
                let h = p.response(dose);
                let practice = s.practice[i];
                let fit = s.fit[i];
                let commitment = if s.mandated[i] {
                    p.mandate_learning
                } else {
                    1.0
                };
                let grow = p.learning_rate
                    * p.speedup
                    * s.readiness[i]
                    * fit
                    * h
                    * commitment
                    * p.exchange_learning
                    * (1.0 - practice);
                let next = (practice + grow - p.decay * (1.0 - h) * practice).clamp(0.0, 1.0);
                let version = s.version[i] + p.adapt_rate * (sch.context[i] - s.version[i]);
                let fit = p.fit(sch.context[i], version);
                s.practice[i] = next;
                s.version[i] = version;
                s.fit[i] = fit;
                s.effect[i] = p.effect(next, fit, sch.site_effect[i], version);
                s.tenure[i] += 1;
                s.above[i] = if next >= p.sustain_bar {
                    s.above[i] + 1
                } else {
                    0
                };
                s.low[i] = if next < p.low_bar { s.low[i] + 1 } else { 0 };
                let turnover = p.turnover
                    * if s.mandated[i] {
                        p.mandate_multiplier
                    } else {
                        1.0
                    };
                let leader_left =
                    turnover > 0.0 && draws.uniform(step, i as u32, Purpose::Turnover) < turnover;
                if leader_left
                    || review_drops(p, s, draws, step, i)
                    || gives_up_when_withdrawn(p, withdrawn, draws, step, i)
                {
                    abandon(s, p, i);
                } else if s.above[i] >= p.sustain_terms {
                    s.stage[i] = Stage::Sustained;
                    s.terms[i] = 0;
                } else if s.low[i] > sch.patience[i] {
                    abandon(s, p, i);
                } else {
                    s.terms[i] += 1;
                }
            }
            Stage::Sustained => {
                s.tenure[i] += 1;
                let turnover = p.turnover * p.sustained_turnover_factor;
                if turnover > 0.0 && draws.uniform(step, i as u32, Purpose::Turnover) < turnover {
                    // A new leader must commit again: back to implementing, practice kept.
                    s.stage[i] = Stage::Implementing;
                    s.terms[i] = 0;
                    s.above[i] = 0;
                    s.low[i] = 0;
                } else if review_drops(p, s, draws, step, i) {
                    // An evidence review ends even a sustained practice that shows no benefit.
                    abandon(s, p, i);
                } else {
                    s.terms[i] += 1;
                }
            }
            Stage::NotAdopted | Stage::Abandoned => {
                // The rule strategies use to offer places, so that no held place is refused here.
                let ready = s.can_start(world, i);
                if ready && recruit[i] {
                    start(s, p, i, p.home, p.mandate, world);
                    s.origin[i] = Origin::Recruited;
                    s.funded[i] = true;
                } else if ready && peer_adopts(world, p, s, draws, step, i) {
                    let v = if s.source_score[i] >= 0.0 {
                        s.source_version[i]
                    } else {
                        p.home
                    };
                    let source = s.source_index[i];
                    start(s, p, i, v, false, world);
                    s.origin[i] = Origin::Persuaded;
                    s.source[i] = source;
                } else {
                    s.terms[i] += 1;
                }
            }
        }
        let seen = if p.evidence {
            s.observed[i]
        } else {
            s.effect[i]
        };
        s.pocket[i] = s.stage[i].is_adopter()
            && s.practice[i] >= p.visibility_bar
            && (!p.visibility_positive || seen > 0.0);
    }
}

/// Mechanism 11: on a review term of adopter `i` (after `review_after` terms since adoption, then
/// every `review_every`), observes its effect with noise and, if the observation is below the
/// benefit bar, drops the innovation with probability `drop_without_benefit`. Off: never drops.
#[inline]
fn review_drops(p: &Params, s: &mut State, draws: &Draws, step: u32, i: usize) -> bool {
    if !p.evidence {
        return false;
    }
    let t = s.tenure[i];
    if t < p.review_after || !(t - p.review_after).is_multiple_of(p.review_every) {
        return false;
    }
    let noise = if p.measurement_sd > 0.0 {
        p.measurement_sd * draws.measurement_noise(step, i as u32)
    } else {
        0.0
    };
    s.observed[i] = s.effect[i] + noise;
    s.observed[i] < p.benefit_bar
        && p.drop_without_benefit > 0.0
        && draws.uniform(step, i as u32, Purpose::Review) < p.drop_without_benefit
}

/// Mechanism 11: a school whose support the strategy's adaptive review withdrew this term stops
/// with probability `abandon_when_withdrawn`: the cost of a wrong drop (a good school judged on a
/// noisy or early observation). Off (evidence disabled): never.
#[inline]
fn gives_up_when_withdrawn(
    p: &Params,
    withdrawn: &[bool],
    draws: &Draws,
    step: u32,
    i: usize,
) -> bool {
    p.evidence
        && withdrawn[i]
        && p.abandon_when_withdrawn > 0.0
        && draws.uniform(step, i as u32, Purpose::Withdrawal) < p.abandon_when_withdrawn
}

/// Mechanism 4: does non-adopter `i` adopt from its peers (or the outside rate) this term?
#[inline]
fn peer_adopts(world: &World, p: &Params, s: &State, draws: &Draws, step: u32, i: usize) -> bool {
    if !p.contagion {
        return false;
    }
    if p.domino {
        let topples = s.source_score[i] > 0.0
            && s.source_score[i] / world.resistance[i] >= p.topple_threshold;
        return topples
            || (p.outside_rate > 0.0
                && draws.uniform(step, i as u32, Purpose::Adoption) < p.outside_rate);
    }
    if p.complex {
        let count = s.pocket_count[i];
        let by_peers = if p.threshold_count > 0 {
            count >= p.threshold_count
        } else {
            let degree = world.network.degree(i);
            degree > 0 && count as f64 >= p.threshold_fraction * degree as f64
        };
        return by_peers
            || (p.outside_rate > 0.0
                && draws.uniform(step, i as u32, Purpose::Adoption) < p.outside_rate);
    }
    let pressure = p.peer_weight * s.pressure[i] / world.resistance[i] + p.outside_rate;
    if pressure <= 0.0 {
        return false;
    }
    // Since 1 - e^-x <= x, a draw at or above readiness * pressure cannot adopt; checking that
    // first skips the exp for almost every school that only feels the outside rate.
    let u = draws.uniform(step, i as u32, Purpose::Adoption);
    let ready = s.readiness[i];
    u < ready * pressure && u < ready * (1.0 - exp(-pressure))
}

fn start(s: &mut State, p: &Params, i: usize, version: f64, mandated: bool, world: &World) {
    s.stage[i] = Stage::Implementing;
    s.practice[i] = 0.0;
    s.version[i] = version;
    s.fit[i] = p.fit(world.schools.context[i], version);
    s.effect[i] = p.effect(0.0, s.fit[i], world.schools.site_effect[i], version);
    s.terms[i] = 0;
    s.above[i] = 0;
    s.low[i] = 0;
    s.mandated[i] = mandated;
    s.tenure[i] = 0;
    s.observed[i] = f64::NAN;
    s.source[i] = NO_SOURCE;
}

fn abandon(s: &mut State, p: &Params, i: usize) {
    s.stage[i] = Stage::Abandoned;
    s.practice[i] = 0.0;
    s.effect[i] = 0.0;
    s.terms[i] = 0;
    s.above[i] = 0;
    s.low[i] = 0;
    s.readiness[i] *= 1.0 - p.fatigue;
    s.origin[i] = Origin::None;
    s.observed[i] = f64::NAN;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        let cfg = ScenarioConfig::default();
        Params::new(&cfg, &cfg.strategies[0])
    }

    #[test]
    fn hill_response_is_half_at_d50_and_effective_dose_hits_its_target() {
        let p = params();
        assert!((p.response(p.d50) - 0.5).abs() < 1e-12);
        assert!((p.response(p.effective_dose) - 0.8).abs() < 1e-12);
        assert_eq!(p.response(0.0), 0.0);
        // Default g = 2: a thin dose of 0.1 SU gives 0.1^2 / (1 + 0.1^2).
        assert!((p.response(0.1) - 0.01 / 1.01).abs() < 1e-12);
    }

    /// Three schools of median size, context 0.4 and readiness 0.5, tied 0-1 and 0-2 with
    /// weight 0.5.
    fn star() -> World {
        use crate::network::{Edge, Network};
        use crate::school::Population;
        let n = 3;
        let pop = Population::identical(n);
        let edges = [1, 2].map(|b| Edge {
            a: 0,
            b,
            weight: 0.5,
        });
        let cfg = ScenarioConfig::default();
        World::from_parts(Network::from_edges(n, edges.to_vec()), pop, &cfg)
    }

    /// The sparse update follows what happens: a term notes each school whose fields it writes,
    /// and the next term clears only those, until a quarter of the schools is written, from
    /// which on it clears all. (Either way the fields are the same; this pins the cost.)
    #[test]
    fn a_term_clears_only_what_the_last_one_wrote_until_a_quarter_of_the_schools() {
        use crate::network::{Edge, Network};
        use crate::school::Population;
        let n = 12;
        let p = params();
        for ties in [3, 4] {
            let edges = (1..=ties).map(|b| Edge {
                a: 0,
                b,
                weight: 0.5,
            });
            let world = World::from_parts(
                Network::from_edges(n, edges.collect()),
                Population::identical(n),
                &ScenarioConfig::default(),
            );
            let mut s = State::default();
            s.reset(&world, &p);
            s.stage[0] = Stage::Implementing;
            s.pocket[0] = true;
            s.practice[0] = 0.8;
            compute_fields(&world, &p, &mut s, &[], &[0.0; 12]);
            let sparse = ties < n as u32 / 4 + 1;
            assert_eq!(s.touched_all, !sparse, "{ties} ties");
            if sparse {
                assert_eq!(s.touched, (1..=ties).collect::<Vec<u32>>());
            }
            assert!((1..=ties as usize).all(|i| s.pocket_count[i] == 1));
            // A field outside the written ones, set by hand, is left alone by a sparse clear
            // and reset by a full one; the written ones are reset either way.
            s.pocket_count[9] = 7;
            s.pocket[0] = false;
            s.stage[0] = Stage::NotAdopted;
            compute_fields(&world, &p, &mut s, &[], &[0.0; 12]);
            assert!((1..=ties as usize).all(|i| s.pocket_count[i] == 0));
            assert_eq!(s.pocket_count[9], if sparse { 7 } else { 0 }, "{ties} ties");
            assert!(!s.touched_all && s.touched.is_empty(), "nothing written");
        }
    }

    #[test]
    fn a_non_adopter_sums_its_pockets_and_takes_the_lowest_index_among_equals() {
        // School 0 has two neighbouring pockets, 1 and 2, with equal ties and sizes: pressure,
        // tie weight and count add up over both, and the first visited (the lower index) is its
        // source, and so gives it its version.
        let world = star();
        let p = params();
        let mut s = State::default();
        s.reset(&world, &p);
        for (j, version) in [(1, 0.3), (2, 0.7)] {
            s.stage[j] = Stage::Implementing;
            s.pocket[j] = true;
            s.practice[j] = 0.8;
            s.version[j] = version;
        }
        compute_fields(&world, &p, &mut s, &[], &[0.0; 3]);
        assert_eq!(s.pocket_count[0], 2);
        assert_eq!(s.pocket_ties[0], 1.0);
        // Influence is 1 at the median size: pressure is the sum of the tie weights.
        assert_eq!(s.pressure[0], 1.0);
        assert_eq!(s.source_index[0], 1);
        assert_eq!(s.source_version[0], 0.3);
    }

    /// The star's school 0 implementing beside pocket 1 (implementing, practice 0.8).
    fn pocket_beside(world: &World, p: &Params) -> State {
        let mut s = State::default();
        s.reset(world, p);
        s.stage[0] = Stage::Implementing;
        s.stage[1] = Stage::Implementing;
        s.pocket[1] = true;
        s.practice[1] = 0.8;
        s
    }

    #[test]
    fn a_pocket_gives_its_whole_coaching_capacity_including_funded_coaching() {
        // Pocket 1's only implementing neighbour, school 0, receives its whole capacity: its own
        // (coach_capacity at average readiness) plus the paid SU times their efficiency.
        let world = star();
        let mut p = params();
        p.coach_funded_efficiency = 2.5;
        let mut s = pocket_beside(&world, &p);
        let paid = 0.4;
        compute_fields(&world, &p, &mut s, &[], &[0.0, paid, 0.0]);
        let capacity = p.coach_capacity + paid * 2.5;
        assert!(p.coach_capacity > 0.0);
        assert!(
            (s.coaching[0] - capacity).abs() < 1e-12,
            "{}",
            s.coaching[0]
        );
        assert_eq!(s.coaching[2], 0.0);
    }

    /// A pocket whose implementing neighbours are all too unlike it to learn from (context
    /// similarity 0) gives no coaching, and no NaN from sharing its capacity over a zero total.
    #[test]
    fn a_pocket_with_only_unlike_neighbours_coaches_no_one() {
        let world = star();
        let mut p = params();
        p.know_how_sensitivity = 1e6;
        let mut s = pocket_beside(&world, &p);
        s.version[1] = world.schools.context[0] + 0.5;
        compute_fields(&world, &p, &mut s, &[], &[0.0, 0.4, 0.0]);
        assert!(p.coach_capacity > 0.0);
        assert_eq!(s.coaching[0], 0.0);
        assert_eq!(s.know_how[0], 0.0);
    }

    #[test]
    fn stage_and_origin_names_are_the_trace_values() {
        // The trace's `stage` and `origin` columns are a file format: readers match these words.
        let stages = [
            Stage::NotAdopted,
            Stage::Implementing,
            Stage::Sustained,
            Stage::Abandoned,
        ];
        let names: Vec<_> = stages.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            ["not_adopted", "implementing", "sustained", "abandoned"]
        );
        let origins = [
            Origin::None,
            Origin::Recruited,
            Origin::PersuadedFunded,
            Origin::Persuaded,
        ];
        let names: Vec<_> = origins.iter().map(|o| o.name()).collect();
        assert_eq!(names, ["", "recruited", "persuaded_funded", "persuaded"]);
    }

    #[test]
    fn fit_and_effect_follow_their_formulas() {
        let p = params();
        assert_eq!(p.fit(0.4, 0.4), 1.0);
        let w = ScenarioConfig::default().innovation.context_width;
        assert!((p.fit(0.0, w) - (-0.5f64).exp()).abs() < 1e-12);
        // At practice 0 the effect is the full implementation dip.
        assert!((p.effect(0.0, 1.0, 0.3, p.home) + p.dip).abs() < 1e-12);
        assert!((p.effect(1.0, 0.5, 0.3, p.home) - 0.15).abs() < 1e-12);
    }
}
