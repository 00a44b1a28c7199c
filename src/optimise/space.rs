//! [`Space`]: the strategies `domino optimise` may choose among, read from the `[optimise]`
//! table, and the map from a point of the unit cube to one of them.
//!
//! A point has one coordinate per knob ([`DIMS`]); a coordinate in [0, 1) picks a value from a
//! list (the kind, targeting, pace, build/buy, mandate, adaptive, adaptation, exchange, waves),
//! a whole number from a range (pilots) or a number from a range (hub, coach and build shares,
//! rounded to 3 decimals so that the strategy reads cleanly in `best.toml`). Knobs a kind does not
//! read are left at the base strategy's value, so two points that differ only there are the same
//! candidate (and are evaluated once). Every other field (review terms, pilot terms, ...) is the
//! base strategy's: the scenario's own strategy of that kind if it has one, else the defaults.
//!
//! Every candidate the search races lies within the space: the scenario's own strategies start
//! the race [projected](Space::project) into it (each knob outside its range or list moved to
//! the nearest value within), and a neighbour moves one knob of a candidate already within, so
//! the winner always lies within the `[optimise]` ranges and lists. The scenario's strategies as
//! they stand are baselines of the final comparison, which says when one of them, outside the
//! space, did better ([`Space::outside`] names its knobs).

use crate::scenario::{OptimiseConfig, Scenario, StrategyConfig, StrategyKind, SupportMode};

/// Coordinates of a point: one per knob, in this order.
pub const DIMS: usize = 13;

/// The search space; see the module docs.
#[derive(Debug, Clone)]
pub struct Space {
    cfg: OptimiseConfig,
    bases: Vec<StrategyConfig>,
    schools: u32,
}

fn pick<T: Copy>(list: &[T], u: f64) -> T {
    list[((u * list.len() as f64) as usize).min(list.len() - 1)]
}

fn within(range: [f64; 2], u: f64) -> f64 {
    let v = range[0] + u * (range[1] - range[0]);
    ((v * 1000.0).round() / 1000.0).clamp(range[0], range[1])
}

impl Space {
    /// The space of `scenario` as its `[optimise]` table (or the default) describes it.
    pub fn new(scenario: &Scenario, cfg: &OptimiseConfig) -> Self {
        let bases = cfg
            .kinds
            .iter()
            .map(|&kind| {
                let mut base = scenario
                    .config
                    .strategies
                    .iter()
                    .find(|s| s.kind == Some(kind))
                    .cloned()
                    .unwrap_or_else(|| StrategyConfig::named(kind.name()));
                base.kind = Some(kind);
                base.pilot_ids.clear();
                base.pilot_index.clear();
                base.coach_share = base.coach_share.or(Some(kind.default_coach_share()));
                base
            })
            .collect();
        Self {
            cfg: cfg.clone(),
            bases,
            schools: scenario.config.network.schools,
        }
    }

    /// The strategy at point `u` (at least [`DIMS`] coordinates in [0, 1)), named `name`.
    pub(crate) fn decode(&self, u: &[f64], name: &str) -> StrategyConfig {
        let c = &self.cfg;
        let k = ((u[0] * self.bases.len() as f64) as usize).min(self.bases.len() - 1);
        let mut s = self.bases[k].clone();
        let kind = s.kind.expect("bases have kinds");
        s.name = name.to_string();
        s.mandate = pick(&c.mandate, u[1]);
        s.pace = pick(&c.pace, u[2]);
        s.targeting = pick(&c.targeting, u[3]);
        s.support = pick(&c.support, u[4]);
        if s.support == SupportMode::Build {
            s.build_share = within(c.build_share, u[5]);
        }
        s.adaptive = pick(&c.adaptive, u[6]);
        s.adaptation = pick(&c.adaptation, u[7]);
        s.exchange = pick(&c.exchange, u[8]);
        s.coach_share = Some(within(c.coach_share, u[12]));
        match kind {
            StrategyKind::PilotThenCascade => {
                let hi = c.pilots[1].min(self.schools).max(c.pilots[0]);
                let span = (hi - c.pilots[0] + 1) as f64;
                s.pilots = c.pilots[0] + ((u[9] * span) as u32).min(hi - c.pilots[0]);
                s.waves = pick(&c.waves, u[10]);
            }
            StrategyKind::Cluster => s.hub_share = within(c.hub_share, u[11]),
            StrategyKind::ThinSpread => {}
        }
        s
    }

    /// The pilot counts the space holds: the `[optimise]` range, its top cut to the schools.
    fn pilot_range(&self) -> [u32; 2] {
        let c = &self.cfg;
        [c.pilots[0], c.pilots[1].min(self.schools).max(c.pilots[0])]
    }

    /// `s` moved into the space: each knob its kind reads that lies outside its `[optimise]`
    /// range is set to the range's nearer end, and each outside its list to the list's first
    /// value; named pilot schools (which only the pilot step chooses) are dropped. `pilots` is
    /// the count a pilot-then-cascade strategy pilots (its `pilots`, or for `pilots = 0` the
    /// number the budget funds, which the caller knows). A strategy within the space comes back
    /// unchanged but for its named pilot schools.
    pub fn project(&self, s: &StrategyConfig, pilots: u32) -> StrategyConfig {
        let c = &self.cfg;
        let mut t = s.clone();
        let kind = t.kind.expect("the scenario's strategies have kinds");
        t.pilot_ids.clear();
        t.pilot_index.clear();
        fn listed<T: Copy + PartialEq>(list: &[T], v: T) -> T {
            if list.contains(&v) {
                v
            } else {
                list[0]
            }
        }
        let clamp = |range: [f64; 2], v: f64| v.clamp(range[0], range[1]);
        t.mandate = listed(&c.mandate, t.mandate);
        t.pace = listed(&c.pace, t.pace);
        t.targeting = listed(&c.targeting, t.targeting);
        t.support = listed(&c.support, t.support);
        if t.support == SupportMode::Build {
            t.build_share = clamp(c.build_share, t.build_share);
        }
        t.adaptive = listed(&c.adaptive, t.adaptive);
        t.adaptation = listed(&c.adaptation, t.adaptation);
        t.exchange = listed(&c.exchange, t.exchange);
        let coach = t.coach_share.unwrap_or(kind.default_coach_share());
        t.coach_share = Some(clamp(c.coach_share, coach));
        match kind {
            StrategyKind::PilotThenCascade => {
                let [lo, hi] = self.pilot_range();
                t.pilots = pilots.clamp(lo, hi);
                t.waves = listed(&c.waves, t.waves);
            }
            StrategyKind::Cluster => t.hub_share = clamp(c.hub_share, t.hub_share),
            StrategyKind::ThinSpread => {}
        }
        t
    }

    /// The knobs of `s` (that its kind reads) outside the space, each as "knob value (the
    /// space's range or list)"; empty when `s` lies within it. Named pilot schools and
    /// `pilots = 0` (as many as the budget funds) count as outside: the space holds neither.
    pub fn outside(&self, s: &StrategyConfig) -> Vec<String> {
        let c = &self.cfg;
        let Some(kind) = s.kind else {
            return Vec::new();
        };
        let mut out = Vec::new();
        fn word<T: serde::Serialize>(v: &T) -> String {
            match toml::Value::try_from(v) {
                Ok(toml::Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => String::new(),
            }
        }
        fn list<T: serde::Serialize + PartialEq>(
            out: &mut Vec<String>,
            name: &str,
            list: &[T],
            v: &T,
        ) {
            if !list.contains(v) {
                let words: Vec<String> = list.iter().map(word).collect();
                out.push(format!(
                    "{name} {} (searched: {})",
                    word(v),
                    words.join(", ")
                ));
            }
        }
        let mut range = |name: &str, r: [f64; 2], v: f64| {
            if v < r[0] || v > r[1] {
                out.push(format!("{name} {v} (searched: {} to {})", r[0], r[1]));
            }
        };
        if s.support == SupportMode::Build {
            range("build_share", c.build_share, s.build_share);
        }
        let coach = s.coach_share.unwrap_or(kind.default_coach_share());
        range("coach_share", c.coach_share, coach);
        if kind == StrategyKind::Cluster {
            range("hub_share", c.hub_share, s.hub_share);
        }
        list(&mut out, "mandate", &c.mandate, &s.mandate);
        list(&mut out, "pace", &c.pace, &s.pace);
        list(&mut out, "targeting", &c.targeting, &s.targeting);
        list(&mut out, "support", &c.support, &s.support);
        list(&mut out, "adaptive", &c.adaptive, &s.adaptive);
        list(&mut out, "adaptation", &c.adaptation, &s.adaptation);
        list(&mut out, "exchange", &c.exchange, &s.exchange);
        if kind == StrategyKind::PilotThenCascade {
            let [lo, hi] = self.pilot_range();
            if s.pilots == 0 {
                out.push(format!(
                    "pilots 0, as many as the budget funds (searched: {lo} to {hi})"
                ));
            } else if s.pilots < lo || s.pilots > hi {
                out.push(format!("pilots {} (searched: {lo} to {hi})", s.pilots));
            }
            list(&mut out, "waves", &c.waves, &s.waves);
            if !s.pilot_ids.is_empty() || !s.pilot_index.is_empty() {
                out.push("named pilot schools".to_string());
            }
        }
        out
    }

    /// The strategies one knob away from `s`: each other value of each list, and each range's
    /// value moved by a tenth of the range down and up (the local step after the first race).
    pub fn neighbours(&self, s: &StrategyConfig) -> Vec<StrategyConfig> {
        let c = &self.cfg;
        let kind = s.kind.expect("candidates have kinds");
        let mut out = Vec::new();
        let mut push = |f: &dyn Fn(&mut StrategyConfig)| {
            let mut t = s.clone();
            f(&mut t);
            if t != *s {
                out.push(t);
            }
        };
        for &v in &c.mandate {
            push(&|t| t.mandate = v);
        }
        for &v in &c.pace {
            push(&|t| t.pace = v);
        }
        for &v in &c.targeting {
            push(&|t| t.targeting = v);
        }
        for &v in &c.support {
            push(&|t| t.support = v);
        }
        for &v in &c.adaptive {
            push(&|t| t.adaptive = v);
        }
        for &v in &c.adaptation {
            push(&|t| t.adaptation = v);
        }
        for &v in &c.exchange {
            push(&|t| t.exchange = v);
        }
        let step = |range: [f64; 2], v: f64, dir: f64| {
            let x = v + dir * (range[1] - range[0]) / 10.0;
            ((x * 1000.0).round() / 1000.0).clamp(range[0], range[1])
        };
        for dir in [-1.0, 1.0] {
            let coach = s.coach_share.unwrap_or(0.0);
            push(&|t| t.coach_share = Some(step(c.coach_share, coach, dir)));
            if s.support == SupportMode::Build {
                push(&|t| t.build_share = step(c.build_share, s.build_share, dir));
            }
            match kind {
                StrategyKind::Cluster => {
                    push(&|t| t.hub_share = step(c.hub_share, s.hub_share, dir))
                }
                StrategyKind::PilotThenCascade => {
                    let hi = c.pilots[1].min(self.schools).max(c.pilots[0]);
                    let span = (hi - c.pilots[0]) as f64;
                    let moved = (s.pilots as f64 + dir * (span / 10.0).max(1.0)).round();
                    let moved = (moved as u32).clamp(c.pilots[0], hi);
                    push(&|t| t.pilots = moved);
                }
                StrategyKind::ThinSpread => {}
            }
        }
        if kind == StrategyKind::PilotThenCascade {
            for &v in &c.waves {
                push(&|t| t.waves = v);
            }
        }
        out
    }
}
