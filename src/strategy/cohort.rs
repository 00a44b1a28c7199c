//! The supported cohort shared by the pilot and cluster strategies: who is supported, the top-ups
//! that bring them to the effective dose, the pace rule, the adaptive review and the ranked scan
//! that adds new schools.

use super::{Offer, Plan, TermView};
use crate::model::Stage;
use crate::scenario::{Pace, StrategyConfig, Targeting};

/// Whether a ranked scan should go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Look at the next school.
    Continue,
    /// Stop the scan.
    Stop,
}

/// Why [`Cohort::grow`] stopped adding schools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowEnd {
    /// The budget ran out: the next school in line costs more than what is left.
    Budget,
    /// `max_wave` schools were added this term.
    Wave,
    /// No school passing the filter is left to add: the rest of the budget has no taker there.
    Exhausted,
}

/// Who may join a cohort this term: see [`Cohort::pace`].
#[derive(Debug, Clone, Copy)]
pub struct PaceRule<'a> {
    wave_proven: bool,
    pocket_ties: &'a [f64],
}

impl PaceRule<'_> {
    /// May a new wave start (fixed schedule, or every member is a pocket)?
    pub(crate) fn wave_proven(&self) -> bool {
        self.wave_proven
    }

    /// May school `i` join this term?
    pub fn allows(&self, i: usize) -> bool {
        self.wave_proven || self.pocket_ties[i] > 0.0
    }
}

/// The set of schools a strategy supports until they are sustained or abandon.
#[derive(Debug, Clone)]
pub struct Cohort {
    member: Vec<bool>,
    list: Vec<u32>,
    baseline: Vec<f64>,
    dropped: Vec<bool>,
    group: Vec<(u32, u32)>,
    targeting: Targeting,
    adaptive: bool,
    review_terms: u32,
    min_progress: f64,
    max_wave: u32,
    /// Schools added this term (reset by [`Cohort::prune`]), so that `max_wave` holds per term
    /// over several calls to [`Cohort::grow`].
    added_this_term: u32,
    proven_pace: bool,
}

impl Cohort {
    /// An empty cohort for `n` schools.
    pub fn new(n: usize, cfg: &StrategyConfig) -> Self {
        Self {
            member: vec![false; n],
            list: Vec::new(),
            baseline: vec![0.0; n],
            dropped: vec![false; n],
            group: Vec::new(),
            targeting: cfg.targeting,
            adaptive: cfg.adaptive,
            review_terms: cfg.review_terms,
            min_progress: cfg.min_progress,
            max_wave: if cfg.max_wave == 0 {
                u32::MAX
            } else {
                cfg.max_wave
            },
            added_this_term: 0,
            proven_pace: cfg.pace == Pace::Proven,
        }
    }

    /// Members, in the order they joined.
    pub fn members(&self) -> &[u32] {
        &self.list
    }

    /// Could `i` be added: not a member, not dropped by an adaptive review?
    pub fn available(&self, i: usize) -> bool {
        !self.member[i] && !self.dropped[i]
    }

    /// Adds school `i`.
    pub fn add(&mut self, i: usize, practice: f64) {
        if !self.member[i] {
            self.member[i] = true;
            self.list.push(i as u32);
            self.baseline[i] = practice;
        }
    }

    /// Start of term: drops members that are no longer implementing (sustained, abandoned) and,
    /// for adaptive strategies, every `review_terms` terms, members whose observed effect (from
    /// their last evidence review, mechanism 11) is below the benefit bar, or, not observed yet,
    /// whose practice grew by less than `min_progress` since the last review (they are not
    /// picked again). Observed
    /// effects are noisy and late: with a large `measurement_sd` good schools are dropped too, and
    /// a dropped school is marked in `plan.withdrawn` (it may stop: mechanism 11).
    pub fn prune(&mut self, view: &TermView, plan: &mut Plan) {
        self.added_this_term = 0;
        let review = self.adaptive && view.step > 0 && view.step.is_multiple_of(self.review_terms);
        let s = view.state;
        let (member, baseline, dropped) = (&mut self.member, &mut self.baseline, &mut self.dropped);
        self.list.retain(|&i| {
            let i = i as usize;
            let mut keep = s.stage[i] == Stage::Implementing;
            if keep && review {
                // Results first: a school whose effect has been observed is judged on it alone;
                // one not observed yet (NaN) on progress, practice that did not grow by
                // min_progress, which in the implementation dip drops good schools too.
                let weak = if s.observed[i].is_nan() {
                    s.practice[i] - baseline[i] < self.min_progress
                } else {
                    s.observed[i] < view.params.benefit_bar
                };
                if weak {
                    keep = false;
                    dropped[i] = true;
                    plan.withdrawn[i] = true;
                } else {
                    baseline[i] = s.practice[i];
                }
            }
            member[i] = keep;
            keep
        });
    }

    /// Tops every member up to the effective dose, in the order they joined.
    pub fn fund(&self, view: &TermView, plan: &mut Plan) {
        for &i in &self.list {
            let i = i as usize;
            if view.implementing(i) {
                plan.give(i, view.top_up(i));
            }
        }
    }

    /// Are all members pockets? (True for an empty cohort.)
    pub(crate) fn all_pockets(&self, view: &TermView) -> bool {
        self.list.iter().all(|&i| view.state.pocket[i as usize])
    }

    /// Who may join this term (decision 2, fixed vs. proven pace). On a fixed schedule anyone:
    /// waves go on whether or not pockets exist to coach them, which buys coverage early. At a
    /// proven pace a new wave starts only once every member is a pocket; until then only schools
    /// tied to a pocket join, so every newcomer has a pocket to learn from (coaching, know-how),
    /// and the rest of the budget deepens the waiting members' support ([`Cohort::deepen`]).
    /// O(cohort) once per term.
    pub fn pace<'a>(&self, view: &TermView<'a>) -> PaceRule<'a> {
        PaceRule {
            wave_proven: !self.proven_pace || self.all_pockets(view),
            pocket_ties: &view.state.pocket_ties,
        }
    }

    /// Calls `f` on every school in targeting order (highest score first; equal scores by tie
    /// strength to pockets, then index) until it returns [`Flow::Stop`].
    pub fn scan(&mut self, view: &TermView, mut f: impl FnMut(&mut Self, usize) -> Flow) {
        self.scan_ranked(view, |cohort, i, _| f(cohort, i));
    }

    /// [`Cohort::scan`], also giving `f` each school's region. The scores and regions are read
    /// from the ranking's arrays in rank order, so the scan costs a few nanoseconds per school
    /// that `f` passes over at once (see [`crate::model::world::Ranking`]).
    fn scan_ranked(&mut self, view: &TermView, mut f: impl FnMut(&mut Self, usize, u32) -> Flow) {
        let ranking = view.world.ranking(self.targeting);
        let (order, score, region) = (&ranking.order, &ranking.score, &ranking.region);
        let mut k = 0;
        let mut group = std::mem::take(&mut self.group);
        while k < order.len() {
            let mut end = k + 1;
            while end < order.len() && score[end] == score[k] {
                end += 1;
            }
            if end == k + 1 {
                if f(self, order[k] as usize, region[k]) == Flow::Stop {
                    break;
                }
                k = end;
                continue;
            }
            group.clear();
            group.extend((k..end).map(|r| (order[r], region[r])));
            let ties = &view.state.pocket_ties;
            group.sort_by(|&(a, _), &(b, _)| {
                ties[b as usize]
                    .total_cmp(&ties[a as usize])
                    .then(a.cmp(&b))
            });
            if group
                .iter()
                .any(|&(i, r)| f(self, i as usize, r) == Flow::Stop)
            {
                break;
            }
            k = end;
        }
        self.group = group;
    }

    /// Adds new schools passing `wanted`, in targeting order, each at the effective dose, until
    /// the budget runs out or `max_wave` schools were added this term. An implementing school is
    /// supported at once; one that can start is offered a place ([`TermView::offer`]: a refused
    /// place holds its money for the term). Returns why it stopped.
    pub fn grow(
        &mut self,
        view: &TermView,
        plan: &mut Plan,
        wanted: impl Fn(usize, u32) -> bool,
    ) -> GrowEnd {
        let mut end = GrowEnd::Exhausted;
        let max_wave = self.max_wave;
        self.scan_ranked(view, |cohort, i, region| {
            if cohort.added_this_term >= max_wave {
                end = GrowEnd::Wave;
                return Flow::Stop;
            }
            if plan.remaining() <= 0.0 {
                end = GrowEnd::Budget;
                return Flow::Stop;
            }
            // `wanted` first: it usually reads only the region, which the scan has at hand.
            if !wanted(i, region) || !cohort.available(i) {
                return Flow::Continue;
            }
            let s = view.state;
            if s.stage[i] == Stage::Implementing {
                let need = view.top_up(i);
                if need > plan.remaining() {
                    end = GrowEnd::Budget;
                    return Flow::Stop;
                }
                plan.give(i, need);
            } else if s.can_start(view.world, i) {
                match view.offer(plan, i, view.recruit_cost(i)) {
                    Offer::Accepted => {}
                    Offer::Refused => return Flow::Continue,
                    Offer::Unaffordable => {
                        end = GrowEnd::Budget;
                        return Flow::Stop;
                    }
                }
            } else {
                return Flow::Continue;
            }
            cohort.add(i, s.practice[i]);
            cohort.added_this_term += 1;
            Flow::Continue
        });
        end
    }

    /// When no one else may join (a proven pace waiting for its wave, or no school left): the
    /// rest of the budget deepens the support of the members that are not pockets yet (split
    /// evenly), so that they become pockets sooner instead of the money lying idle. Returns the
    /// SU given.
    pub fn deepen(&self, view: &TermView, plan: &mut Plan) -> f64 {
        let waiting =
            |i: &&u32| view.implementing(**i as usize) && !view.state.pocket[**i as usize];
        let k = self.list.iter().filter(waiting).count();
        if k == 0 {
            return 0.0;
        }
        let share = plan.remaining() / k as f64;
        let mut given = 0.0;
        for &i in self.list.iter().filter(waiting) {
            given += plan.give(i as usize, share);
        }
        given
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, State, World};
    use crate::network::Network;
    use crate::rng::RunSeeds;
    use crate::scenario::{ScenarioConfig, StrategyConfig};
    use crate::school::Population;

    /// `n` identical schools in one region, with no ties.
    fn world(n: usize) -> World {
        let pop = Population::identical(n);
        World::from_parts(
            Network::from_edges(n, Vec::new()),
            pop,
            &ScenarioConfig::default(),
        )
    }

    /// Two implementing members that both progressed; at an adaptive review, the one whose
    /// observed effect is below the benefit bar is dropped, and an unobserved one is judged on
    /// progress only.
    #[test]
    fn an_adaptive_review_drops_members_whose_observed_effect_is_weak() {
        let cfg = ScenarioConfig::default();
        let n = 3;
        let world = world(n);
        let strategy = StrategyConfig {
            adaptive: true,
            review_terms: 2,
            min_progress: 0.05,
            ..StrategyConfig::default()
        };
        let params = Params::new(&cfg, &strategy);
        let mut state = State::default();
        state.reset(&world, &params);
        let mut cohort = Cohort::new(n, &strategy);
        for i in 0..n {
            state.stage[i] = Stage::Implementing;
            cohort.add(i, 0.1);
            state.practice[i] = 0.5;
        }
        state.observed[0] = params.benefit_bar - 0.01;
        state.observed[1] = params.benefit_bar + 0.01;
        let draws = RunSeeds::new(1, 0).draws();
        let view = TermView {
            step: 2,
            budget: 1.0,
            world: &world,
            state: &state,
            params: &params,
            draws: &draws,
        };
        let mut plan = Plan::default();
        plan.reset(n, 1.0);
        cohort.prune(&view, &mut plan);
        assert_eq!(cohort.members(), &[1, 2]);
        assert_eq!(plan.withdrawn, [true, false, false]);
        assert!(!cohort.available(0), "a dropped school is not picked again");
        // Progress is measured from the last review: school 2, at 0.5 since its baseline 0.48,
        // did not grow by min_progress and goes at the next review.
        cohort.baseline[2] = 0.48;
        plan.reset(n, 1.0);
        let view = TermView { step: 4, ..view };
        cohort.prune(&view, &mut plan);
        assert_eq!(cohort.members(), &[1]);
        assert_eq!(plan.withdrawn, [false, false, true]);
        // A fixed strategy keeps all three.
        let mut fixed = Cohort::new(n, &StrategyConfig::default());
        (0..n).for_each(|i| fixed.add(i, 0.1));
        plan.reset(n, 1.0);
        fixed.prune(&view, &mut plan);
        assert!(!plan.withdrawn.contains(&true));
        assert_eq!(fixed.members(), &[0, 1, 2]);
    }

    #[test]
    fn equal_targeting_scores_are_ranked_by_tie_weight_to_pockets_then_index() {
        // Every school of `world` has the same need and readiness: one tie group under either
        // rule, ordered by pocket ties.
        let cfg = ScenarioConfig::default();
        let world = world(4);
        let strategy = StrategyConfig::default();
        let params = Params::new(&cfg, &strategy);
        let mut state = State::default();
        state.reset(&world, &params);
        state.pocket_ties.copy_from_slice(&[0.0, 0.5, 0.2, 0.5]);
        let draws = RunSeeds::new(1, 0).draws();
        let view = TermView {
            step: 0,
            budget: 1.0,
            world: &world,
            state: &state,
            params: &params,
            draws: &draws,
        };
        let mut cohort = Cohort::new(4, &strategy);
        let mut seen = Vec::new();
        cohort.scan(&view, |_, i| {
            seen.push(i);
            Flow::Continue
        });
        assert_eq!(seen, [1, 3, 2, 0]);
    }

    /// Decision 2. A member that is not a pocket yet holds a proven pace's next wave: only a
    /// school tied to a pocket may join. Once every member is a pocket anyone may; on a fixed
    /// schedule anyone may at all times.
    #[test]
    fn a_proven_pace_admits_only_schools_with_a_pocket_until_its_wave_is_proven() {
        let cfg = ScenarioConfig::default();
        let world = world(3);
        let draws = RunSeeds::new(1, 0).draws();
        let allowed = |pace: Pace, member_is_pocket: bool| {
            let strategy = StrategyConfig {
                pace,
                ..StrategyConfig::default()
            };
            let params = Params::new(&cfg, &strategy);
            let mut state = State::default();
            state.reset(&world, &params);
            state.stage[0] = Stage::Implementing;
            state.pocket[0] = member_is_pocket;
            // School 1 is tied to a pocket (elsewhere); school 2 is not.
            state.pocket_ties[1] = 0.5;
            let mut cohort = Cohort::new(3, &strategy);
            cohort.add(0, 0.3);
            let view = TermView {
                step: 1,
                budget: 1.0,
                world: &world,
                state: &state,
                params: &params,
                draws: &draws,
            };
            let rule = cohort.pace(&view);
            (rule.wave_proven(), [1, 2].map(|i| rule.allows(i)))
        };
        assert_eq!(allowed(Pace::Proven, false), (false, [true, false]));
        assert_eq!(allowed(Pace::Proven, true), (true, [true, true]));
        assert_eq!(allowed(Pace::Fixed, false), (true, [true, true]));
    }

    /// Top-ups count the coaching a member receives this term: a coached member costs less by
    /// what the pocket gives, and one coached to the dose costs nothing.
    #[test]
    fn top_ups_count_the_coaching_a_member_receives() {
        let cfg = ScenarioConfig::default();
        let world = world(3);
        let strategy = StrategyConfig::default();
        let params = Params::new(&cfg, &strategy);
        let mut state = State::default();
        state.reset(&world, &params);
        let mut cohort = Cohort::new(3, &strategy);
        for i in 0..3 {
            state.stage[i] = Stage::Implementing;
            cohort.add(i, 0.0);
        }
        state.coaching[1] = 0.5;
        state.coaching[2] = 100.0;
        let draws = RunSeeds::new(1, 0).draws();
        let view = TermView {
            step: 1,
            budget: 1000.0,
            world: &world,
            state: &state,
            params: &params,
            draws: &draws,
        };
        let mut plan = Plan::default();
        plan.reset(3, 1000.0);
        cohort.fund(&view, &mut plan);
        let gap = plan.support[0];
        assert!(gap > 0.5, "an uncoached member's top-up is {gap}");
        assert!((plan.support[1] - (gap - 0.5)).abs() < 1e-9);
        assert_eq!(plan.support[2], 0.0);
    }

    /// Deepening splits what is left of the budget evenly over the members that are
    /// implementing and not pockets yet; pockets and members not implementing get nothing.
    #[test]
    fn deepening_splits_the_rest_of_the_budget_over_the_waiting_members() {
        let cfg = ScenarioConfig::default();
        let n = 5;
        let world = world(n);
        let strategy = StrategyConfig::default();
        let params = Params::new(&cfg, &strategy);
        let mut state = State::default();
        state.reset(&world, &params);
        let mut cohort = Cohort::new(n, &strategy);
        for i in 0..4 {
            state.stage[i] = Stage::Implementing;
            cohort.add(i, 0.0);
        }
        state.pocket[1] = true;
        state.stage[2] = Stage::Sustained;
        let draws = RunSeeds::new(1, 0).draws();
        let deepen = |state: &State, plan: &mut Plan| {
            let view = TermView {
                step: 1,
                budget: 1.0,
                world: &world,
                state,
                params: &params,
                draws: &draws,
            };
            cohort.deepen(&view, plan)
        };
        let mut plan = Plan::default();
        plan.reset(n, 1.0);
        plan.give(1, 0.2);
        let given = deepen(&state, &mut plan);
        assert!((given - 0.8).abs() < 1e-12, "gave {given}");
        let want = [0.4, 0.2, 0.0, 0.4, 0.0];
        assert!(
            plan.support
                .iter()
                .zip(want)
                .all(|(a, b)| (a - b).abs() < 1e-12),
            "support {:?}",
            plan.support
        );
        assert_eq!(plan.remaining(), 0.0);
        // With no member waiting, nothing is given.
        state.pocket[0] = true;
        state.pocket[3] = true;
        plan.reset(n, 1.0);
        assert_eq!(deepen(&state, &mut plan), 0.0);
        assert_eq!(plan.remaining(), 1.0);
    }
}
