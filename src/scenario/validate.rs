//! Range checks: turns a parsed [`ScenarioConfig`] into one the model can trust.
//!
//! Each check names the field's dotted path and what is allowed; the caller adds file, line and
//! column. The first failing check is reported.

use super::config::*;
use crate::error::InputError;
use std::collections::HashSet;

/// Most schools a scenario may have: school ids are `u32` and CSR offsets must fit too.
pub const MAX_SCHOOLS: u32 = 50_000_000;

struct Check {
    prefix: String,
}

impl Check {
    fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
        }
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// `lo <= v <= hi` (NaN fails).
    fn range(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), InputError> {
        if v >= lo && v <= hi {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be between {lo} and {hi}, got {v}"),
            ))
        }
    }

    fn probability(&self, field: &str, v: f64) -> Result<(), InputError> {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be a probability or share between 0 and 1, got {v}"),
            ))
        }
    }

    fn positive(&self, field: &str, v: f64) -> Result<(), InputError> {
        if v > 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be a finite number above 0, got {v}"),
            ))
        }
    }

    fn non_negative(&self, field: &str, v: f64) -> Result<(), InputError> {
        if v >= 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be a finite number of at least 0, got {v}"),
            ))
        }
    }

    fn count(&self, field: &str, v: u32, lo: u32, hi: u32) -> Result<(), InputError> {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be a whole number from {lo} to {hi}, got {v}"),
            ))
        }
    }

    fn ordered(&self, lo_field: &str, lo: f64, hi_field: &str, hi: f64) -> Result<(), InputError> {
        if lo <= hi {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(hi_field),
                format!("must be at least {} ({lo}), got {hi}", self.path(lo_field)),
            ))
        }
    }
}

/// Validates `config` and fills in what is derived (strategy kinds).
pub fn resolve(config: &mut ScenarioConfig) -> Result<(), InputError> {
    let top = Check::new("");
    top.count("runs", config.runs, 1, 10_000_000)?;
    top.count("steps", config.steps, 1, 10_000)?;
    if config.seed > i64::MAX as u64 {
        return Err(InputError::field(
            "seed",
            "must fit in a signed 64-bit integer",
        ));
    }
    network(&config.network)?;
    schools(&config.schools)?;
    innovation(&config.innovation)?;
    mechanisms(&config.mechanisms)?;
    let b = Check::new("budget");
    b.non_negative("per_school", config.budget.per_school)?;
    if let Some(total) = config.budget.total {
        b.non_negative("total", total)?;
    }
    if config.model.is_classic() {
        // The classic models compare seeding rules; strategies do not apply.
        config.strategies.clear();
        classic(config.classic.get_or_insert_with(ClassicConfig::default))?;
        if config.seedings.is_empty() {
            config.seedings.push(SeedingConfig {
                name: "random".into(),
                ..SeedingConfig::default()
            });
        }
        seedings(&config.seedings, config.network.schools)
    } else {
        if config.classic.is_some() || !config.seedings.is_empty() {
            let field = if config.classic.is_some() {
                "classic"
            } else {
                "seedings"
            };
            return Err(InputError::field(
                field,
                "is only read by the classic models: set model = \"independent-cascade\", \"threshold\", \"linear-threshold\" or \"bass\"",
            ));
        }
        if config.network.fixed {
            return Err(InputError::field(
                "network.fixed",
                "is only read by the classic models (the school model draws schools and ties together per run)",
            ));
        }
        strategies(&mut config.strategies)
    }
}

fn classic(c: &ClassicConfig) -> Result<(), InputError> {
    /// Largest `classic.threshold_count`.
    const MAX_THRESHOLD_COUNT: u32 = 1_000;
    let k = Check::new("classic");
    k.probability("transmission", c.transmission)?;
    k.probability("threshold", c.threshold)?;
    k.range("threshold_sd", c.threshold_sd, 0.0, 1.0)?;
    // Complex contagion needs a few active neighbours; a count above every node's degree only
    // stops the model, and 1,000 is far above the degrees of the networks domino generates.
    k.count("threshold_count", c.threshold_count, 0, MAX_THRESHOLD_COUNT)?;
    if c.threshold_count > 0 && c.threshold_sd > 0.0 {
        return Err(InputError::field(
            "classic.threshold_count",
            "cannot be combined with classic.threshold_sd above 0: a count is the same for every \
             node (set threshold_count = 0 to use Normal fractional thresholds)",
        ));
    }
    k.range("bass_p", c.bass_p, 0.0, 1e6)?;
    k.range("bass_q", c.bass_q, 0.0, 1e6)?;
    if c.bass_p + c.bass_q <= 0.0 {
        return Err(InputError::field(
            "classic.bass_q",
            "bass_p + bass_q must be above 0",
        ));
    }
    k.positive("time_step", c.time_step)?;
    k.range("cascade_share", c.cascade_share, 0.0, 1.0)
}

/// A name shown in tables and written into CSV rows: present, CSV-safe, unique in its list.
fn unique_name(
    c: &Check,
    name: &str,
    names: &mut HashSet<String>,
    what: &str,
) -> Result<(), InputError> {
    if name.trim().is_empty() {
        return Err(InputError::field(
            c.path("name"),
            "is required and not blank",
        ));
    }
    if name.contains([',', '"', '\n']) {
        return Err(InputError::field(
            c.path("name"),
            "may not contain commas, quotes or line breaks (it is written into CSV files)",
        ));
    }
    if !names.insert(name.to_string()) {
        return Err(InputError::field(
            c.path("name"),
            format!("\"{name}\" is used by an earlier {what}; names must be unique"),
        ));
    }
    Ok(())
}

fn seedings(list: &[SeedingConfig], schools: u32) -> Result<(), InputError> {
    let mut names = HashSet::new();
    for (i, s) in list.iter().enumerate() {
        let c = Check::new(&format!("seedings[{i}]"));
        unique_name(&c, &s.name, &mut names, "seeding")?;
        c.probability("share", s.share)?;
        match (s.rule, s.nodes.is_empty()) {
            (SeedRule::List, true) => {
                return Err(InputError::field(
                    c.path("nodes"),
                    "rule = \"list\" needs a non-empty list of node indices",
                ));
            }
            (SeedRule::List, false) | (_, true) => {}
            (_, false) => {
                return Err(InputError::field(
                    c.path("nodes"),
                    "is only read when rule = \"list\"",
                ));
            }
        }
    }
    check_seed_nodes(list, schools)
}

/// Node indices named by `list` seedings must exist. Called again once network files are read.
pub fn check_seed_nodes(list: &[SeedingConfig], schools: u32) -> Result<(), InputError> {
    for (i, s) in list.iter().enumerate() {
        if let Some(&bad) = s.nodes.iter().find(|&&v| v >= schools) {
            return Err(InputError::field(
                format!("seedings[{i}].nodes"),
                format!(
                    "node {bad} does not exist: indices run from 0 to {}",
                    schools.saturating_sub(1)
                ),
            ));
        }
    }
    Ok(())
}

fn network(n: &NetworkConfig) -> Result<(), InputError> {
    let c = Check::new("network");
    if n.kind != NetworkKind::File {
        c.count("schools", n.schools, 1, MAX_SCHOOLS)?;
        c.count("regions", n.regions, 1, n.schools.max(1))?;
        c.range("mean_degree", n.mean_degree, 0.0, (n.schools - 1) as f64)?;
    } else {
        c.count("regions", n.regions, 1, MAX_SCHOOLS)?;
    }
    c.probability("within_region", n.within_region)?;
    c.non_negative("context_homophily", n.context_homophily)?;
    c.probability("rewire", n.rewire)?;
    c.range("weight_min", n.weight_min, f64::MIN_POSITIVE, 1.0)?;
    c.range("weight_max", n.weight_max, f64::MIN_POSITIVE, 1.0)?;
    c.ordered("weight_min", n.weight_min, "weight_max", n.weight_max)?;
    c.range("degree_exponent", n.degree_exponent, 1.0, 10.0)?;
    c.count("degree_min", n.degree_min, 1, MAX_SCHOOLS)?;
    if n.degree_max != 0 {
        c.count("degree_max", n.degree_max, n.degree_min, MAX_SCHOOLS)?;
    }
    if let Some(degrees) = &n.degrees {
        if n.kind != NetworkKind::Configuration {
            return Err(InputError::field(
                c.path("degrees"),
                "is only read when network.kind = \"configuration\"",
            ));
        }
        if degrees.len() != n.schools as usize {
            return Err(InputError::field(
                c.path("degrees"),
                format!(
                    "needs one degree per school ({}), got {}",
                    n.schools,
                    degrees.len()
                ),
            ));
        }
        if let Some(&d) = degrees.iter().find(|&&d| d >= n.schools) {
            return Err(InputError::field(
                c.path("degrees"),
                format!(
                    "a degree must be below the number of schools ({}), got {d}",
                    n.schools
                ),
            ));
        }
    }
    if n.kind != NetworkKind::File && (n.edges.is_some() || n.nodes.is_some()) {
        let field = if n.edges.is_some() { "edges" } else { "nodes" };
        return Err(InputError::field(
            c.path(field),
            "is only read when network.kind = \"file\"",
        ));
    }
    Ok(())
}

fn schools(s: &SchoolsConfig) -> Result<(), InputError> {
    let c = Check::new("schools");
    c.positive("size_median", s.size_median)?;
    c.range("size_sigma", s.size_sigma, 0.0, 5.0)?;
    c.positive("need_alpha", s.need_alpha)?;
    c.positive("need_beta", s.need_beta)?;
    c.probability("need_regional_share", s.need_regional_share)?;
    c.positive("readiness_alpha", s.readiness_alpha)?;
    c.positive("readiness_beta", s.readiness_beta)?;
    c.range(
        "need_readiness_correlation",
        s.need_readiness_correlation,
        -0.95,
        0.95,
    )?;
    c.non_negative("resources_mean", s.resources_mean)?;
    c.positive("resources_shape", s.resources_shape)?;
    c.range("context_need_weight", s.context_need_weight, -2.0, 2.0)?;
    c.range("context_noise", s.context_noise, 0.0, 1.0)?;
    c.count("patience_min", s.patience_min, 0, 1000)?;
    c.count("patience_max", s.patience_max, s.patience_min, 1000)?;
    c.count("cool_down_min", s.cool_down_min, 0, 1000)?;
    c.count("cool_down_max", s.cool_down_max, s.cool_down_min, 1000)
}

fn innovation(i: &InnovationConfig) -> Result<(), InputError> {
    let c = Check::new("innovation");
    c.range("effect_mean", i.effect_mean, -10.0, 10.0)?;
    c.range("effect_sd", i.effect_sd, 0.0, 10.0)?;
    c.probability("home_context", i.home_context)?;
    c.positive("context_width", i.context_width)?;
    c.probability("learning_rate", i.learning_rate)?;
    c.range("implementation_dip", i.implementation_dip, 0.0, 10.0)
}

fn mechanisms(m: &MechanismsConfig) -> Result<(), InputError> {
    let c = Check::new("mechanisms.dose");
    c.positive("d50", m.dose.d50)?;
    c.range("hill", m.dose.hill, 0.1, 20.0)?;
    c.probability("decay", m.dose.decay)?;
    c.range("readiness_speedup", m.dose.readiness_speedup, 0.0, 4.0)?;
    let c = Check::new("mechanisms.visibility");
    c.probability("bar", m.visibility.bar)?;
    let c = Check::new("mechanisms.know_how");
    c.non_negative("weight", m.know_how.weight)?;
    c.probability("implementing_weight", m.know_how.implementing_weight)?;
    c.probability(
        "process_implementing_weight",
        m.know_how.process_implementing_weight,
    )?;
    c.range(
        "best_practice_context_sensitivity",
        m.know_how.best_practice_context_sensitivity,
        0.0,
        10.0,
    )?;
    c.range(
        "process_context_sensitivity",
        m.know_how.process_context_sensitivity,
        0.0,
        10.0,
    )?;
    let c = Check::new("mechanisms.contagion");
    c.non_negative("peer_weight", m.contagion.peer_weight)?;
    c.probability("outside_rate", m.contagion.outside_rate)?;
    c.count("threshold_count", m.contagion.threshold_count, 0, 1_000_000)?;
    c.probability("threshold_fraction", m.contagion.threshold_fraction)?;
    if m.contagion.form == ContagionForm::Complex
        && m.contagion.threshold_count == 0
        && m.contagion.threshold_fraction <= 0.0
    {
        return Err(InputError::field(
            "mechanisms.contagion.threshold_fraction",
            "complex contagion needs threshold_count >= 1 or threshold_fraction > 0",
        ));
    }
    let c = Check::new("mechanisms.size");
    c.range("resistance_exponent", m.size.resistance_exponent, -3.0, 3.0)?;
    c.range("influence_exponent", m.size.influence_exponent, -3.0, 3.0)?;
    c.range("dose_exponent", m.size.dose_exponent, -3.0, 3.0)?;
    let c = Check::new("mechanisms.adaptation");
    c.probability("a_la_carte_rate", m.adaptation.a_la_carte_rate)?;
    c.probability("prix_fixe_rate", m.adaptation.prix_fixe_rate)?;
    c.range("process_speedup", m.adaptation.process_speedup, 0.0, 10.0)?;
    c.range("drift_cost", m.adaptation.drift_cost, 0.0, 10.0)?;
    let c = Check::new("mechanisms.benefit");
    c.range("bar_share", m.benefit.bar_share, -10.0, 10.0)?;
    c.count("min_terms", m.benefit.min_terms, 0, 1000)?;
    let c = Check::new("mechanisms.sustain");
    c.probability("bar", m.sustain.bar)?;
    c.count("terms", m.sustain.terms, 1, 1000)?;
    c.probability("low_bar", m.sustain.low_bar)?;
    c.probability("turnover_rate", m.sustain.turnover_rate)?;
    c.range(
        "sustained_turnover_factor",
        m.sustain.sustained_turnover_factor,
        0.0,
        1.0,
    )?;
    c.range(
        "mandate_abandon_multiplier",
        m.sustain.mandate_abandon_multiplier,
        0.0,
        100.0,
    )?;
    if m.sustain.turnover_rate * m.sustain.mandate_abandon_multiplier > 1.0 {
        return Err(InputError::field(
            "mechanisms.sustain.mandate_abandon_multiplier",
            "turnover_rate * mandate_abandon_multiplier must not exceed 1 (it is a probability)",
        ));
    }
    c.probability("fatigue", m.sustain.fatigue)?;
    let c = Check::new("mechanisms.hub");
    c.range("tie_multiplier", m.hub.tie_multiplier, 0.0, 100.0)?;
    c.non_negative("efficiency", m.hub.efficiency)
}

fn strategies(list: &mut [StrategyConfig]) -> Result<(), InputError> {
    if list.is_empty() {
        return Err(InputError::field(
            "strategies",
            "at least one strategy is needed ([[strategies]] with a name)",
        ));
    }
    let mut names = HashSet::new();
    for (i, s) in list.iter_mut().enumerate() {
        let c = Check::new(&format!("strategies[{i}]"));
        unique_name(&c, &s.name, &mut names, "strategy")?;
        if s.kind.is_none() {
            s.kind = StrategyKind::from_name(&s.name);
        }
        if s.kind.is_none() {
            return Err(InputError::field(
                c.path("kind"),
                "is required unless the name is a kind: thin-spread, pilot-then-cascade or cluster",
            ));
        }
        c.probability("build_share", s.build_share)?;
        c.range("build_yield", s.build_yield, 0.0, 10.0)?;
        c.count("review_terms", s.review_terms, 1, 1000)?;
        c.range("min_progress", s.min_progress, 0.0, 1.0)?;
        c.count("pilots", s.pilots, 1, MAX_SCHOOLS)?;
        c.count("pilot_terms", s.pilot_terms, 0, 10_000)?;
        c.range("effective_response", s.effective_response, 0.01, 0.99)?;
        c.probability("hub_share", s.hub_share)?;
        c.range("region_done_share", s.region_done_share, 0.01, 1.0)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_resolve_kinds() {
        let mut c = ScenarioConfig::default();
        resolve(&mut c).unwrap();
        assert_eq!(c.strategies[1].kind, Some(StrategyKind::PilotThenCascade));
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let mut c = ScenarioConfig::default();
        c.mechanisms.sustain.turnover_rate = 1.5;
        let e = resolve(&mut c).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mechanisms.sustain.turnover_rate"));
        let mut c = ScenarioConfig::default();
        c.budget.per_school = -1.0;
        assert_eq!(
            resolve(&mut c).unwrap_err().field.as_deref(),
            Some("budget.per_school")
        );
        let mut c = ScenarioConfig::default();
        c.network.schools = 0;
        assert_eq!(
            resolve(&mut c).unwrap_err().field.as_deref(),
            Some("network.schools")
        );
        let mut c = ScenarioConfig::default();
        c.innovation.learning_rate = f64::NAN;
        assert!(resolve(&mut c).is_err());
    }

    #[test]
    fn strategies_need_unique_names_and_a_kind() {
        let mut c = ScenarioConfig::default();
        c.strategies.push(StrategyConfig::named("cluster"));
        assert!(resolve(&mut c).unwrap_err().message.contains("unique"));
        let mut c = ScenarioConfig {
            strategies: vec![StrategyConfig::named("mine")],
            ..ScenarioConfig::default()
        };
        assert_eq!(
            resolve(&mut c).unwrap_err().field.as_deref(),
            Some("strategies[0].kind")
        );
    }
}
