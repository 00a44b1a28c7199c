//! Strategies: how a term's budget becomes support per school.
//!
//! Each term the engine first asks the strategy what it funds before the fields are computed
//! ([`Strategy::prepare`]: hubs, and coaches in pockets), then for an allocation
//! ([`Strategy::allocate`]); both fill a [`Plan`]: hubs, coaching, support for implementing
//! schools, and recruits that start implementing next term. Spending through [`Plan`]'s methods
//! never exceeds the budget; what is left is reported as unspent.
//!
//! The three families, from the seeds: [`thin::ThinSpread`] (a thin coat everywhere),
//! [`pilot::PilotThenCascade`] (pockets of excellence, then the domino chain) and
//! [`cluster::Cluster`] (a regional cluster with a hub). The seven knobs of the leaders' decisions
//! live in [`StrategyConfig`] and act either here (mandate, pace, targeting, adaptive) or in the
//! model's [`Params`] (build vs. buy, adaptation, learning exchange).
//!
//! To add a strategy: write a type implementing [`Strategy`] in its own file,
//! `src/strategy/<module>.rs`, with a function
//! `pub fn build(cfg: &StrategyConfig, world: &World, budget: f64) -> Box<dyn Strategy>`, declare
//! the module below, and add one line to the registry (`strategy_kinds!` in
//! `src/scenario/config.rs`). The registry makes [`build`] construct it and makes the scenario
//! accept its name; a kind whose module is not declared does not compile. The places the
//! registry does not reach (the optimiser's search space, the unused-knob notes, the
//! kind-specific checks, the docs that list the kinds) are listed in CONTRIBUTING.md, "Adding
//! things / A strategy".
//!
//! Strategies are added inside the crate only: the ensemble and every command build them from
//! the registry ([`build`]), and nothing takes a [`Strategy`] from outside. The trait is public
//! for [`crate::engine::term`], which runs any strategy for one term.

// Declared here, not by the registry's macro: cargo-mutants finds source files by following `mod`
// items and does not expand macros, so modules declared by the macro were never mutated.
pub mod cluster;
mod cohort;
pub mod pilot;
pub mod thin;

use crate::model::{Decisions, Hub, Params, Stage, State, World};
use crate::rng::{Draws, Purpose};
use crate::scenario::{StrategyConfig, StrategyKind};

/// What a strategy sees when it decides: the term, the world and the state at t.
pub struct TermView<'a> {
    /// The term t.
    pub step: u32,
    /// Budget for the term, SU.
    pub budget: f64,
    /// The run's world.
    pub world: &'a World,
    /// The state at t, with this term's fields computed (for `allocate`).
    pub state: &'a State,
    /// The model parameters of this strategy.
    pub params: &'a Params,
    /// The run's counter-based draws (opt-in decisions).
    pub draws: &'a Draws,
}

impl TermView<'_> {
    /// Would school `i` accept being recruited this term? Always under a mandate; with
    /// probability readiness when opt-in.
    pub fn accepts(&self, i: usize) -> bool {
        self.params.mandate
            || self.draws.uniform(self.step, i as u32, Purpose::OptIn) < self.state.readiness[i]
    }

    /// Offers school `i` a place that costs `cost` SU this term, and recruits it if it accepts
    /// ([`TermView::accepts`]).
    ///
    /// The place's money is held for the term whether or not the school accepts: an offer is
    /// made for a term's round, and a refused place stays empty until the next round. That is
    /// the price of opt-in (slower uptake, most where readiness is low); a mandate fills every
    /// place at once but pays in commitment (mechanism 8).
    pub fn offer(&self, plan: &mut Plan, i: usize, cost: f64) -> Offer {
        if !plan.hold(cost) {
            return Offer::Unaffordable;
        }
        if self.accepts(i) {
            plan.recruit[i] = true;
            Offer::Accepted
        } else {
            Offer::Refused
        }
    }

    /// Support that brings implementing school `i` to the effective dose this term, SU: the gap
    /// left by its own resources, its know-how and the coaching it receives this term (so a
    /// school coached by a pocket costs less, and one coached to the dose costs nothing).
    pub(crate) fn top_up(&self, i: usize) -> f64 {
        let s = self.state;
        let own = s.readiness[i] * s.resources[i] + s.know_how[i] + s.coaching[i];
        self.needed(i, own)
    }

    /// Support planned for a recruit next term (its know-how is not known yet), SU.
    pub(crate) fn recruit_cost(&self, i: usize) -> f64 {
        let s = self.state;
        self.needed(i, s.readiness[i] * s.resources[i])
    }

    /// Support that brings school `i` to the effective dose from nothing, SU: what a school costs
    /// at most, the one cost every strategy's budget arithmetic uses (pilots from the budget,
    /// regions a cluster opens).
    pub(crate) fn full_dose_cost(&self, i: usize) -> f64 {
        self.needed(i, 0.0)
    }

    /// Support that lifts school `i` from `own` SU to the effective dose it feels (scaled by its
    /// size), grossed up for the share built into capacity rather than felt as dose.
    fn needed(&self, i: usize, own: f64) -> f64 {
        let p = self.params;
        let gap = p.effective_dose / self.world.dose_scale[i] - own;
        (gap / (1.0 - p.build_share)).max(0.0)
    }

    /// Is school `i` implementing?
    #[inline]
    pub fn implementing(&self, i: usize) -> bool {
        self.state.stage[i] == Stage::Implementing
    }
}

/// The outcome of [`TermView::offer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// The school accepted: it is recruited and starts next term.
    Accepted,
    /// The school refused: the place's money is held, unspent, for this term.
    Refused,
    /// What is left of the budget does not cover the place; nothing was held.
    Unaffordable,
}

/// Rounding slack, relative to the money at hand, when checking that it covers a cost: the one
/// allowance for [`Plan`]'s checks and the pilot count, so that the count never picks k pilots
/// that the plan then refuses to hold.
pub(super) const RELATIVE_SLACK: f64 = 1e-9;

/// A term's allocation. Created by the engine, filled by the strategy through its methods
/// ([`Plan::give`], [`Plan::recruit`], [`Plan::fund_coach`], [`Plan::fund_hub`] and
/// [`TermView::offer`]), which never let spending exceed the term's budget.
///
/// The fields are public to read. A strategy writes only the marks `pilot` and `withdrawn`
/// directly: support, recruits, coaching or hubs written into the fields are used by the model
/// but never counted in [`Plan::spent`], so the run would be over budget and report money unspent.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Support per school, SU (only implementing schools receive any).
    pub support: Vec<f64>,
    /// Schools recruited this term; they start implementing next term.
    pub recruit: Vec<bool>,
    /// Schools supported or recruited as pilots this term (for per-school outputs).
    pub pilot: Vec<bool>,
    /// SU per school paid to pockets to coach their neighbours this term (train-the-trainer).
    pub coach: Vec<f64>,
    /// Hubs funded this term (a region may appear more than once; its spends add up).
    pub hubs: Vec<Hub>,
    /// Implementing schools whose support an adaptive review withdrew this term (mechanism 11:
    /// they may stop).
    pub withdrawn: Vec<bool>,
    budget: f64,
    spent: f64,
    reserved: f64,
    /// Scratch for [`fund_coaches`]: each pocket and its tie weight to learners, kept between
    /// terms so that no term allocates.
    pocket_learners: Vec<(u32, f64)>,
}

impl Plan {
    /// The per-school decisions [`crate::model::advance`] reads.
    pub(crate) fn decisions(&self) -> Decisions<'_> {
        Decisions {
            support: &self.support,
            recruit: &self.recruit,
            withdrawn: &self.withdrawn,
        }
    }

    /// Clears the plan for a term with `budget` SU and `n` schools.
    pub fn reset(&mut self, n: usize, budget: f64) {
        self.support.clear();
        self.support.resize(n, 0.0);
        self.recruit.clear();
        self.recruit.resize(n, false);
        self.pilot.clear();
        self.pilot.resize(n, false);
        self.coach.clear();
        self.coach.resize(n, 0.0);
        self.hubs.clear();
        self.withdrawn.clear();
        self.withdrawn.resize(n, false);
        self.budget = budget;
        self.spent = 0.0;
        self.reserved = 0.0;
    }

    /// Budget not yet spent or reserved, SU.
    pub fn remaining(&self) -> f64 {
        (self.budget - self.spent - self.reserved).max(0.0)
    }

    /// SU spent this term (support, hubs and coaching).
    pub fn spent(&self) -> f64 {
        self.spent
    }

    /// Gives up to `amount` SU to implementing school `i`; returns what was given. Support to a
    /// school that is not implementing is counted as spent and has no effect (the model reads it
    /// only for implementing schools): check the stage first.
    pub fn give(&mut self, i: usize, amount: f64) -> f64 {
        let a = amount.min(self.remaining()).max(0.0);
        self.support[i] += a;
        self.spent += a;
        a
    }

    /// Recruits school `i`, holding back `cost` SU of this term's budget for it (a recruit starts
    /// next term, so that budget is counted as unspent). False if the budget does not cover it.
    ///
    /// "Covers" allows a rounding error relative to the budget: a budget split into k equal
    /// shares must fund all k, whatever the budget's magnitude (an absolute tolerance lost the
    /// last of 7 pilots at a budget of 10,000 SU).
    pub fn recruit(&mut self, i: usize, cost: f64) -> bool {
        let held = self.hold(cost);
        self.recruit[i] |= held;
        held
    }

    /// Holds back `cost` SU of this term's budget without spending it (a recruit's first term, a
    /// refused offer's place). False, holding nothing, if the budget does not cover it. A NaN
    /// cost (a top-up divided by zero) is never covered; a negative one holds nothing, so it
    /// cannot add to what is left.
    fn hold(&mut self, cost: f64) -> bool {
        if cost.is_nan() || cost > self.remaining() + RELATIVE_SLACK * self.budget {
            return false;
        }
        self.reserved += cost.min(self.remaining()).max(0.0);
        true
    }

    /// Funds `hub` with its spend (capped by the budget); returns the SU spent. A region funded
    /// twice in one term gets both spends (the model sums them per region).
    pub fn fund_hub(&mut self, mut hub: Hub) -> f64 {
        hub.spend = hub.spend.min(self.remaining()).max(0.0);
        self.spent += hub.spend;
        // Pushed, not merged: the model sums spends per region, and a search here would make
        // funding h hubs cost O(h^2).
        self.hubs.push(hub);
        hub.spend
    }

    /// Pays pocket `j` up to `amount` SU to coach its implementing neighbours this term; returns
    /// what was paid. The model turns it into coaching capacity (mechanism 10 in `docs/model.md`).
    pub fn fund_coach(&mut self, j: usize, amount: f64) -> f64 {
        let a = amount.min(self.remaining()).max(0.0);
        self.coach[j] += a;
        self.spent += a;
        a
    }
}

#[cfg(test)]
mod plan_tests {
    use super::Plan;

    /// The review's case (§3): a NaN cost reserved the whole budget and returned true; a negative
    /// cost made the reserve negative, so the strategy could give more than the term's budget.
    #[test]
    fn a_nan_or_negative_cost_neither_recruits_for_free_nor_adds_to_the_budget() {
        let mut plan = Plan::default();
        plan.reset(3, 10.0);
        assert!(!plan.recruit(0, f64::NAN));
        assert!(!plan.recruit[0]);
        assert_eq!(plan.remaining(), 10.0);
        assert!(plan.recruit(1, -100.0));
        assert_eq!(plan.remaining(), 10.0);
        assert_eq!(plan.give(2, 50.0), 10.0);
        assert_eq!(plan.spent(), 10.0);
    }
}

/// Pays `amount` SU to pockets to coach (train-the-trainer), split over the pockets in proportion
/// to their tie weight to neighbours that could still learn from them: implementing schools and
/// schools that have not adopted. Pockets with no such neighbour get nothing, and with no pocket
/// nothing is paid, so the money stays for support this term. With coaching switched off nothing
/// is paid either: like a switched-off hub, a mechanism that is off is not paid for, so the coach
/// share stays for school support. Never more than the plan's remaining budget.
/// O(n + pockets' degrees), no allocation once the pocket list has grown.
pub(crate) fn fund_coaches(view: &TermView, plan: &mut Plan, amount: f64) {
    // Paid coaches would coach nobody when the mechanism is off (the model ignores their pay), so
    // paying them would only burn the share and make switching coaching off look worse than it is.
    if amount <= 0.0 || !view.params.coaching {
        return;
    }
    let s = view.state;
    let net = &view.world.network;
    let learners = |j: usize| -> f64 {
        net.neighbours(j)
            .iter()
            .zip(net.weights(j))
            .filter(|(&k, _)| {
                matches!(s.stage[k as usize], Stage::Implementing | Stage::NotAdopted)
            })
            .map(|(_, &w)| w as f64)
            .sum()
    };
    // One pass over the pockets: their learner weights are kept for the split.
    let mut pockets = std::mem::take(&mut plan.pocket_learners);
    pockets.clear();
    pockets.extend(
        (0..view.world.len())
            .filter(|&j| s.pocket[j])
            .map(|j| (j as u32, learners(j))),
    );
    let total: f64 = pockets.iter().map(|&(_, w)| w).sum();
    if total > 0.0 {
        let amount = amount.min(plan.remaining());
        for &(j, w) in &pockets {
            if w > 0.0 {
                plan.fund_coach(j as usize, amount * w / total);
            }
        }
    }
    plan.pocket_learners = pockets;
}

/// The coach share of `cfg`: validation fills it in; a configuration built in code that leaves it
/// out gets the default of `kind`.
pub fn coach_share(cfg: &StrategyConfig, kind: StrategyKind) -> f64 {
    cfg.coach_share.unwrap_or(kind.default_coach_share())
}

/// A scaling strategy.
pub trait Strategy: Send {
    /// What to fund before this term's fields are computed, decided from the state at t: hubs
    /// ([`Plan::fund_hub`]) and coaches ([`Plan::fund_coach`]). The default funds neither.
    fn prepare(&mut self, _view: &TermView, _plan: &mut Plan) {}

    /// Fills `plan` with this term's support and recruits.
    fn allocate(&mut self, view: &TermView, plan: &mut Plan);
}

/// Expands the registry of kinds into [`build`].
macro_rules! strategy_modules {
    ($($module:ident: $variant:ident = $name:literal, $about:literal, $coach:literal;)*) => {
        /// Builds the strategy described by `cfg` for a run in `world` with `budget` SU per term.
        ///
        /// A validated scenario names a kind for every strategy; a configuration built in code
        /// that names none gets the kind of its name and, failing that, thin-spread (the
        /// simplest kind): no configuration makes this panic.
        pub fn build(cfg: &StrategyConfig, world: &World, budget: f64) -> Box<dyn Strategy> {
            let kind = cfg
                .kind
                .or_else(|| StrategyKind::from_name(&cfg.name))
                .unwrap_or(StrategyKind::ThinSpread);
            match kind {
                $(StrategyKind::$variant => $module::build(cfg, world, budget),)*
            }
        }
    };
}
crate::scenario::strategy_kinds!(strategy_modules);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_up_fills_the_gap_to_the_effective_dose_grossed_up_for_building() {
        // School 1 is four times the median size with dose exponent 0.5, so it feels half of
        // what it is given; under build a share b of the support becomes capacity, not dose. Its
        // own dose is readiness x resources. So it needs (2 x effective dose - own) / (1 - b).
        use crate::network::Network;
        use crate::rng::RunSeeds;
        use crate::scenario::{ScenarioConfig, SupportMode};
        use crate::school::Population;
        let mut cfg = ScenarioConfig::default();
        cfg.mechanisms.size.dose_exponent = 0.5;
        let n = 2;
        let median = cfg.schools.size_median;
        let mut pop = Population::identical(n);
        pop.size = vec![median, 4.0 * median];
        pop.resources = vec![0.3; n];
        let world = World::from_parts(Network::from_edges(n, Vec::new()), pop, &cfg);
        let strategy = StrategyConfig {
            support: SupportMode::Build,
            ..StrategyConfig::default()
        };
        let params = Params::new(&cfg, &strategy);
        let b = params.build_share;
        assert!(b > 0.0 && b < 1.0);
        let mut state = State::default();
        state.reset(&world, &params);
        let draws = RunSeeds::new(1, 0).draws();
        let view = TermView {
            step: 0,
            budget: 1.0,
            world: &world,
            state: &state,
            params: &params,
            draws: &draws,
        };
        let own = 0.5 * 0.3;
        let want = |scale: f64| (params.effective_dose * scale - own) / (1.0 - b);
        for (i, scale) in [(0, 1.0), (1, 2.0)] {
            assert!((view.top_up(i) - want(scale)).abs() < 1e-12, "school {i}");
            let full = params.effective_dose * scale / (1.0 - b);
            assert!((view.full_dose_cost(i) - full).abs() < 1e-12, "school {i}");
            assert!(
                (view.recruit_cost(i) - want(scale)).abs() < 1e-12,
                "school {i}"
            );
        }
    }

    #[test]
    fn a_budget_split_in_equal_shares_funds_every_share() {
        // Budgets from the issue that lost a pilot to rounding, and a few more magnitudes.
        for budget in [999_999.7, 10_000.0, 1e-3, 123.456, 7e7] {
            for k in 1..=13 {
                let mut plan = Plan::default();
                plan.reset(k, budget);
                let share = budget / k as f64;
                let funded = (0..k).filter(|&i| plan.recruit(i, share)).count();
                assert_eq!(funded, k, "budget {budget}, {k} shares");
                assert!(plan.remaining() <= budget * 1e-9);
            }
        }
    }

    #[test]
    fn recruiting_beyond_the_budget_is_refused() {
        let mut plan = Plan::default();
        plan.reset(3, 10.0);
        assert!(plan.recruit(0, 6.0));
        assert!(!plan.recruit(1, 4.1));
        assert!(plan.recruit(2, 4.0));
        assert!(!plan.recruit(1, 0.01));
        // Only the recruits the budget covered are marked.
        assert_eq!(plan.recruit, [true, false, true]);
    }
}
