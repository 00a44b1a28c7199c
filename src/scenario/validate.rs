//! Range checks: turns a parsed [`ScenarioConfig`] into one the model can trust.
//!
//! Each check names the field's dotted path and what is allowed; the caller adds file, line and
//! column. The first failing check is reported.

use super::config::*;
use super::number;
use crate::error::InputError;
use std::collections::{HashMap, HashSet};

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
            // A share's range (within 0 to 1) given a percentage (`80` for 0.8) gets the
            // node table's hint, when the share it stands for is in range.
            let hint = if lo >= 0.0 && hi <= 1.0 && (lo..=hi).contains(&(v / PERCENT)) {
                super::files::number_hint(&number(v), |x| (0.0..=1.0).contains(&x))
            } else {
                String::new()
            };
            Err(InputError::field(
                self.path(field),
                format!(
                    "must be between {} and {}, got {}{hint}",
                    number(lo),
                    number(hi),
                    number(v)
                ),
            ))
        }
    }

    fn probability(&self, field: &str, v: f64) -> Result<(), InputError> {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!(
                    "must be a probability or share between 0 and 1, got {}{}",
                    number(v),
                    super::files::number_hint(&number(v), |x| (0.0..=1.0).contains(&x))
                ),
            ))
        }
    }

    fn positive(&self, field: &str, v: f64) -> Result<(), InputError> {
        if v > 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(field),
                format!("must be a finite number above 0, got {}", number(v)),
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

    /// `lo <= hi` for a min/max pair, blamed on the max; the message names the min field in the
    /// form [`at_least`] writes, so that a `--set` of the min can be blamed instead (`place`).
    fn ordered(&self, lo_field: &str, lo: f64, hi_field: &str, hi: f64) -> Result<(), InputError> {
        if lo <= hi {
            Ok(())
        } else {
            Err(InputError::field(
                self.path(hi_field),
                format!(
                    "{} ({}), got {}",
                    at_least(&self.path(lo_field)),
                    number(lo),
                    number(hi)
                ),
            ))
        }
    }
}

/// How a min/max pair's error on the max begins: "must be at least <min field>". A `--set` of
/// the min that caused it is reworded from the min's side (`place` in the scenario module).
pub(crate) fn at_least(lo_path: &str) -> String {
    format!("must be at least {lo_path}")
}

/// The seeds a scenario may have: a TOML file holds no larger whole number, so a larger seed
/// given on the command line could not be written to an output folder's `scenario.toml`.
pub(crate) const SEED_RANGE: &str = "must be a whole number from 0 to 9223372036854775807";

/// A percentage's value for a share of 1.
const PERCENT: f64 = 100.0;

/// The most paired runs a scenario may ask for.
const MAX_RUNS: u32 = 10_000_000;
/// The most terms a scenario may simulate.
const MAX_STEPS: u32 = 10_000;

/// The range of the whole-number fields whose limits do not depend on other fields, by dotted
/// path, so that an error about a value that is no such number at all (`runs = -5`, `steps =
/// 20.0`) can state the real range rather than the storage type's.
pub(crate) fn count_range(path: &str) -> Option<(u32, u32)> {
    match path {
        "runs" => Some((1, MAX_RUNS)),
        "steps" => Some((1, MAX_STEPS)),
        _ => None,
    }
}

/// Validates `config` and fills in what is derived (strategy kinds).
pub(crate) fn resolve(config: &mut ScenarioConfig) -> Result<(), InputError> {
    let top = Check::new("");
    top.count("runs", config.runs, 1, MAX_RUNS)?;
    top.count("steps", config.steps, 1, MAX_STEPS)?;
    text_name(&top, &config.name, MAX_SCENARIO_NAME)?;
    if config.seed > i64::MAX as u64 {
        return Err(InputError::field(
            "seed",
            format!("{SEED_RANGE}, got {}", config.seed),
        ));
    }
    show(&config.show)?;
    if let Some(o) = &config.optimise {
        if config.model.is_classic() {
            return Err(InputError::field(
                "optimise",
                "is only read for the school model: `domino optimise` searches strategies",
            ));
        }
        optimise(o)?;
    }
    network(&config.network)?;
    schools(&config.schools)?;
    innovation(&config.innovation)?;
    mechanisms(&config.mechanisms)?;
    let b = Check::new("budget");
    b.range(
        "per_school",
        config.budget.per_school,
        0.0,
        MAX_BUDGET_PER_SCHOOL,
    )?;
    if let Some(total) = config.budget.total {
        b.range("total", total, 0.0, MAX_BUDGET_TOTAL)?;
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
        strategies(&mut config.strategies)?;
        // `calibrate.strategy` defaults to the first strategy: written out by name, as
        // `coach_share` is, so `domino check` prints the default it stands for.
        if let (Some(c), Some(first)) = (&mut config.calibrate, config.strategies.first()) {
            if c.strategy.is_empty() {
                c.strategy.clone_from(&first.name);
            }
        }
        Ok(())
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

/// Longest strategy or seeding name, in characters: it heads table columns and chart legends.
pub(crate) const MAX_NAME: usize = 64;

/// Longest scenario name, in characters.
pub(crate) const MAX_SCENARIO_NAME: usize = 100;

/// Largest `budget.per_school`, SU per school per term: far above any real budget, and small
/// enough that a term's total over the largest world stays a finite, exact-enough sum.
pub(crate) const MAX_BUDGET_PER_SCHOOL: f64 = 1e6;

/// Largest `budget.total`, SU per term.
pub(crate) const MAX_BUDGET_TOTAL: f64 = 1e12;

/// A name written into outputs: at most `max` characters and no control characters (a carriage
/// return or tab in a name makes every CSV row ragged and every chart label wrong).
fn text_name(c: &Check, name: &str, max: usize) -> Result<(), InputError> {
    let chars = name.chars().count();
    if chars > max {
        return Err(InputError::field(
            c.path("name"),
            format!("is {chars} characters long; at most {max} are allowed"),
        ));
    }
    if let Some(bad) = name.chars().find(|ch| ch.is_control()) {
        return Err(InputError::field(
            c.path("name"),
            format!(
                "contains the control character U+{:04X}; names may not contain line breaks, tabs or other control characters",
                bad as u32
            ),
        ));
    }
    Ok(())
}

/// A name shown in tables and written into CSV rows: present, CSV-safe, unique in its list (and
/// apart from the others by more than capitals or spaces, which tables do not show), and one that
/// a dotted path (`strategies.NAME.pilots`, as `--set` and sweeps write it) can name. `names`
/// holds the earlier names of the list by their lower case.
fn unique_name(
    c: &Check,
    name: &str,
    names: &mut HashMap<String, String>,
    what: &str,
) -> Result<(), InputError> {
    if name.trim().is_empty() {
        return Err(InputError::field(
            c.path("name"),
            "is required and not blank",
        ));
    }
    text_name(c, name, MAX_NAME)?;
    if name.contains([',', '"', '\n']) {
        return Err(InputError::field(
            c.path("name"),
            "may not contain commas, quotes or line breaks (it is written into CSV files)",
        ));
    }
    if name.trim() != name {
        return Err(InputError::field(
            c.path("name"),
            format!(
                "\"{name}\" begins or ends with a space, which tables do not show; write \"{}\"",
                name.trim()
            ),
        ));
    }
    if name.contains(['.', '[', ']']) {
        let list = c.prefix.split('[').next().unwrap_or(&c.prefix);
        return Err(InputError::field(
            c.path("name"),
            format!(
                "\"{name}\" contains a dot or a square bracket; --set and sweeps name a {what} \
                 in a dotted path ({list}.NAME.FIELD), so names may not contain them"
            ),
        ));
    }
    if let Some(earlier) = names.insert(name.to_lowercase(), name.to_string()) {
        let message = if earlier == name {
            format!("\"{name}\" is used by an earlier {what}; names must be unique")
        } else {
            format!(
                "\"{name}\" differs from the earlier {what} \"{earlier}\" only in capitals; \
                 names must differ by more than that"
            )
        };
        return Err(InputError::field(c.path("name"), message));
    }
    Ok(())
}

fn seedings(list: &[SeedingConfig], schools: u32) -> Result<(), InputError> {
    let mut names = HashMap::new();
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
pub(crate) fn check_seed_nodes(list: &[SeedingConfig], schools: u32) -> Result<(), InputError> {
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

/// The `[optimise]` table: ranges ordered and inside the strategy fields' own ranges, lists not
/// empty, search settings that leave room for a race.
fn optimise(o: &OptimiseConfig) -> Result<(), InputError> {
    let c = Check::new("optimise");
    c.range("equity_weight", o.equity_weight, 0.0, 100.0)?;
    c.count("budget_evals", o.budget_evals, 1, 100_000_000)?;
    c.count("pilots", o.pilots[0], 1, MAX_SCHOOLS)?;
    c.count("pilots", o.pilots[1], o.pilots[0], MAX_SCHOOLS)?;
    for (field, [lo, hi], top) in [
        ("hub_share", o.hub_share, 1.0),
        ("coach_share", o.coach_share, 1.0),
        // A build share of 1 is refused in a strategy (nothing left for schools).
        ("build_share", o.build_share, 0.99),
    ] {
        c.range(field, lo, 0.0, top)?;
        c.range(field, hi, lo, top)?;
    }
    let empty = |field: &str, len: usize| -> Result<(), InputError> {
        if len == 0 {
            Err(InputError::field(
                c.path(field),
                "must list at least one value to search",
            ))
        } else {
            Ok(())
        }
    };
    empty("kinds", o.kinds.len())?;
    empty("targeting", o.targeting.len())?;
    empty("pace", o.pace.len())?;
    empty("support", o.support.len())?;
    empty("mandate", o.mandate.len())?;
    empty("adaptive", o.adaptive.len())?;
    empty("adaptation", o.adaptation.len())?;
    empty("exchange", o.exchange.len())?;
    empty("waves", o.waves.len())?;
    // Two runs are the fewest a paired confidence interval needs.
    c.count("batch", o.batch, 2, 10_000)?;
    c.count("max_runs", o.max_runs, o.batch, 1_000_000)?;
    c.count("finalists", o.finalists, 1, 1000)?;
    c.count("fresh_runs", o.fresh_runs, 2, 10_000_000)?;
    Ok(())
}

/// Checks every pilot-then-cascade strategy's `pilots` against the number of schools, known only
/// once network files are read. More pilots than schools was accepted and quietly cut to the
/// school count, so `pilots = 100` in a 30-school district ran 30 pilots, every school, with no
/// cascade left to compare: refused, as a number the author did not mean.
pub fn pilots(config: &ScenarioConfig) -> Result<(), InputError> {
    let schools = config.network.schools;
    for (i, s) in config.strategies.iter().enumerate() {
        if s.kind == Some(StrategyKind::PilotThenCascade) && s.pilots > schools {
            return Err(InputError::field(
                format!("strategies[{i}].pilots"),
                format!(
                    "is {}, but the network has only {schools} school{}: give at most {schools} \
                     pilots, or 0 for as many as the budget funds at the effective dose",
                    s.pilots,
                    if schools == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    // The search would propose more pilots than schools, and write a winner that does not load.
    let fewest = config.optimise.as_ref().map_or(0, |o| o.pilots[0]);
    if fewest > schools {
        return Err(InputError::field(
            "optimise.pilots",
            format!(
                "the fewest pilots to try, {fewest}, is more than the network's {schools} \
                 school{}",
                if schools == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

/// Checks every strategy's `pilot_ids` against the schools (the node table's ids, else the
/// indices `0..schools` as text) and fills in `pilot_index`. Unknown or repeated ids, and ids
/// given to a strategy that does not pilot, are errors naming the id.
pub fn pilot_ids(
    config: &mut ScenarioConfig,
    nodes: Option<&super::files::NodeTable>,
) -> Result<(), InputError> {
    let schools = config.network.schools;
    for (i, s) in config.strategies.iter_mut().enumerate() {
        s.pilot_index.clear();
        if s.pilot_ids.is_empty() {
            continue;
        }
        let field = format!("strategies[{i}].pilot_ids");
        if s.kind != Some(StrategyKind::PilotThenCascade) {
            return Err(InputError::field(
                field,
                "only a pilot-then-cascade strategy has pilots to name; remove it or change `kind`",
            ));
        }
        let index: Option<std::collections::HashMap<&str, u32>> = nodes.map(|t| {
            t.ids
                .iter()
                .enumerate()
                .map(|(k, id)| (id.as_str(), k as u32))
                .collect()
        });
        let mut seen = HashSet::new();
        for id in &s.pilot_ids {
            let k = match &index {
                Some(map) => map.get(id.as_str()).copied(),
                None => id
                    .parse::<u32>()
                    .ok()
                    .filter(|&k| k < schools && k.to_string() == *id),
            };
            let Some(k) = k else {
                let known = match nodes {
                    Some(_) => "the ids of the node table".to_string(),
                    None => format!(
                        "school indices 0 to {} (the network has no node table)",
                        schools.saturating_sub(1)
                    ),
                };
                return Err(InputError::field(
                    field,
                    format!("no school has the id \"{id}\"; pilots are named by {known}"),
                ));
            };
            if !seen.insert(k) {
                return Err(InputError::field(
                    field,
                    format!("the id \"{id}\" is given twice"),
                ));
            }
            s.pilot_index.push(k);
        }
    }
    Ok(())
}

/// The `[show]` variants: named, and every change written as `--set` takes it. Whether the
/// changed scenario is valid is checked by `domino show`, which loads it.
fn show(s: &ShowConfig) -> Result<(), InputError> {
    for (i, v) in s.variants.iter().enumerate() {
        let c = Check::new(&format!("show.variants[{i}]"));
        if v.name.trim().is_empty() {
            return Err(InputError::field(
                c.path("name"),
                "must name the variant's button",
            ));
        }
        for (j, text) in v.set.iter().enumerate() {
            text.parse::<super::set::Setting>()
                .map_err(|e| InputError::field(format!("{}[{j}]", c.path("set")), e))?;
        }
        // Two buttons with one label could not be told apart by the room.
        if let Some(k) = s.variants[..i].iter().position(|w| w.name == v.name) {
            return Err(InputError::field(
                c.path("name"),
                format!(
                    "\"{}\" already names show.variants[{k}]; give each variant its own name",
                    v.name
                ),
            ));
        }
    }
    Ok(())
}

/// The network fields that only some kinds read, with those kinds as files name them.
const READ_BY: [(&str, &[&str]); 10] = [
    (
        "mean_degree",
        &["regional", "small-world", "ring", "scale-free", "random"],
    ),
    ("within_region", &["regional"]),
    ("context_homophily", &["regional"]),
    ("rewire", &["small-world"]),
    ("degree_exponent", &["configuration"]),
    ("degree_min", &["configuration"]),
    ("degree_max", &["configuration"]),
    ("degrees", &["configuration"]),
    ("edges", &["file"]),
    ("nodes", &["file"]),
];

/// The network fields `n` gives a value other than their default (so written in the file or with
/// `--set`) though `n.kind` does not read them, each with the kinds that do, as files name them.
/// A default, written or not, is never listed, so that a resolved scenario (which writes every
/// field) reads back quietly.
pub(crate) fn unread_network_fields(
    n: &NetworkConfig,
) -> Vec<(&'static str, &'static [&'static str])> {
    let d = NetworkConfig::default();
    let kind = kind_name(n.kind);
    READ_BY
        .into_iter()
        .filter(|&(field, kinds)| {
            let changed = match field {
                "mean_degree" => n.mean_degree != d.mean_degree,
                "within_region" => n.within_region != d.within_region,
                "context_homophily" => n.context_homophily != d.context_homophily,
                "rewire" => n.rewire != d.rewire,
                "degree_exponent" => n.degree_exponent != d.degree_exponent,
                "degree_min" => n.degree_min != d.degree_min,
                "degree_max" => n.degree_max != d.degree_max,
                "degrees" => n.degrees.is_some(),
                "edges" => n.edges.is_some(),
                _ => n.nodes.is_some(),
            };
            changed && !kinds.contains(&kind.as_str())
        })
        .collect()
}

/// "is one of "a", "b" or "c"" / "= "a"": the kinds that read a field, for messages.
pub(crate) fn kinds_phrase(kinds: &[&str]) -> String {
    let quoted: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("is one of {} or {last}", rest.join(", "))
        }
        _ => format!("= {}", quoted.join("")),
    }
}

/// Refuses the network's lists and files (`degrees`, `edges`, `nodes`) under a kind that does not
/// read them: they describe a whole network the user expects to run. A number another kind reads
/// (`within_region` under `ring`, say) is only noted ([`crate::Scenario::network_notes`]), so that
/// a scenario can change its kind with `--set`, or a sweep vary it, without removing the others'
/// settings.
fn network_fields_read(n: &NetworkConfig) -> Result<(), InputError> {
    let kind = kind_name(n.kind);
    for (field, kinds) in unread_network_fields(n) {
        if matches!(field, "degrees" | "edges" | "nodes") {
            return Err(InputError::field(
                format!("network.{field}"),
                format!(
                    "is only read when network.kind {}, and network.kind is \"{kind}\"; \
                     remove it or choose a kind that reads it",
                    kinds_phrase(kinds)
                ),
            ));
        }
    }
    Ok(())
}

fn network(n: &NetworkConfig) -> Result<(), InputError> {
    let c = Check::new("network");
    network_fields_read(n)?;
    let reads = |field: &str| {
        READ_BY
            .iter()
            .find(|(f, _)| *f == field)
            .is_none_or(|(_, kinds)| kinds.contains(&kind_name(n.kind).as_str()))
    };
    if n.kind != NetworkKind::File {
        c.count("schools", n.schools, 1, MAX_SCHOOLS)?;
        c.count("regions", n.regions, 1, n.schools.max(1))?;
    } else {
        c.count("regions", n.regions, 1, MAX_SCHOOLS)?;
    }
    if reads("mean_degree") {
        c.range("mean_degree", n.mean_degree, 0.0, (n.schools - 1) as f64)?;
    }
    c.probability("within_region", n.within_region)?;
    c.range("context_homophily", n.context_homophily, 0.0, 1e3)?;
    c.probability("rewire", n.rewire)?;
    c.range("weight_min", n.weight_min, f64::MIN_POSITIVE, 1.0)?;
    c.range("weight_max", n.weight_max, f64::MIN_POSITIVE, 1.0)?;
    c.ordered("weight_min", n.weight_min, "weight_max", n.weight_max)?;
    c.range("degree_exponent", n.degree_exponent, 1.0, 10.0)?;
    c.count("degree_min", n.degree_min, 1, MAX_SCHOOLS)?;
    if n.kind == NetworkKind::Configuration {
        // A degree must leave room for that many distinct neighbours.
        c.count(
            "degree_min",
            n.degree_min,
            1,
            n.schools.saturating_sub(1).max(1),
        )?;
        // degree_max = 0 is the cut-off floor(sqrt(schools)), and degree_max may not be below
        // degree_min.
        let cut_off = (n.schools as f64).sqrt().floor() as u32;
        if n.degrees.is_none() && n.degree_max == 0 && n.degree_min > cut_off {
            return Err(InputError::field(
                c.path("degree_min"),
                format!(
                    "must be at most the degree cut-off that network.degree_max = 0 gives, the \
                     square root of the {} schools rounded down ({cut_off}), got {}; to allow \
                     higher degrees, set network.degree_max (at least degree_min)",
                    n.schools, n.degree_min
                ),
            ));
        }
    }
    if n.degree_max != 0 {
        c.count("degree_max", n.degree_max, 1, MAX_SCHOOLS)?;
        c.ordered(
            "degree_min",
            n.degree_min.into(),
            "degree_max",
            n.degree_max.into(),
        )?;
    }
    if let Some(degrees) = &n.degrees {
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
    Ok(())
}

/// `kind` as files name it (`small-world`).
pub(crate) fn kind_name(kind: NetworkKind) -> String {
    toml::Value::try_from(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Range of Beta and Gamma shape parameters: beyond it the samplers lose precision or overflow
/// (need_alpha = 1e308 gives NaN).
const SHAPE_MIN: f64 = 1e-3;
const SHAPE_MAX: f64 = 1e4;

fn schools(s: &SchoolsConfig) -> Result<(), InputError> {
    let c = Check::new("schools");
    // Ranges wide enough for any real district and narrow enough that every derived quantity
    // (log-normal sizes, Beta and Gamma draws, their variances) stays finite and non-zero.
    c.range("size_median", s.size_median, 1.0, 1e6)?;
    c.range("size_sigma", s.size_sigma, 0.0, 5.0)?;
    c.range("need_alpha", s.need_alpha, SHAPE_MIN, SHAPE_MAX)?;
    c.range("need_beta", s.need_beta, SHAPE_MIN, SHAPE_MAX)?;
    c.probability("need_regional_share", s.need_regional_share)?;
    c.range("readiness_alpha", s.readiness_alpha, SHAPE_MIN, SHAPE_MAX)?;
    c.range("readiness_beta", s.readiness_beta, SHAPE_MIN, SHAPE_MAX)?;
    c.range(
        "need_readiness_correlation",
        s.need_readiness_correlation,
        -0.95,
        0.95,
    )?;
    // 0 (no own resources) or a mean whose Gamma scale (mean / shape) is a normal number: a
    // subnormal scale (resources_mean = 5e-324) is refused by the Gamma sampler.
    if s.resources_mean != 0.0 {
        c.range("resources_mean", s.resources_mean, 1e-6, 1e6)?;
    }
    c.range("resources_shape", s.resources_shape, SHAPE_MIN, SHAPE_MAX)?;
    c.range("context_need_weight", s.context_need_weight, -2.0, 2.0)?;
    c.range("context_noise", s.context_noise, 0.0, 1.0)?;
    c.count("patience_min", s.patience_min, 0, 1000)?;
    c.count("patience_max", s.patience_max, 0, 1000)?;
    c.ordered(
        "patience_min",
        s.patience_min.into(),
        "patience_max",
        s.patience_max.into(),
    )?;
    c.count("cool_down_min", s.cool_down_min, 0, 1000)?;
    c.count("cool_down_max", s.cool_down_max, 0, 1000)?;
    c.ordered(
        "cool_down_min",
        s.cool_down_min.into(),
        "cool_down_max",
        s.cool_down_max.into(),
    )
}

fn innovation(i: &InnovationConfig) -> Result<(), InputError> {
    let c = Check::new("innovation");
    c.range("effect_mean", i.effect_mean, -10.0, 10.0)?;
    c.range("effect_sd", i.effect_sd, 0.0, 10.0)?;
    c.probability("home_context", i.home_context)?;
    // Fit is exp(-d^2 / (2 w^2)): below about 1e-154, 1 / (2 w^2) overflows to infinity and
    // the fit of a perfectly matched school is 0 * inf = NaN. The bound 1e-3 (a thousandth of
    // the context scale) is far above that and far below any meaningful width.
    c.range("context_width", i.context_width, 1e-3, 100.0)?;
    c.probability("learning_rate", i.learning_rate)?;
    c.range("implementation_dip", i.implementation_dip, 0.0, 10.0)
}

fn mechanisms(m: &MechanismsConfig) -> Result<(), InputError> {
    let c = Check::new("mechanisms.dose");
    c.range("d50", m.dose.d50, D50_MIN, D50_MAX)?;
    c.range("hill", m.dose.hill, 0.1, 20.0)?;
    c.probability("decay", m.dose.decay)?;
    c.range("readiness_speedup", m.dose.readiness_speedup, 0.0, 4.0)?;
    let c = Check::new("mechanisms.visibility");
    c.probability("bar", m.visibility.bar)?;
    let c = Check::new("mechanisms.know_how");
    c.range("weight", m.know_how.weight, 0.0, 1e3)?;
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
    c.probability("exchange_cost", m.know_how.exchange_cost)?;
    let c = Check::new("mechanisms.contagion");
    c.range("peer_weight", m.contagion.peer_weight, 0.0, 1e3)?;
    c.probability("outside_rate", m.contagion.outside_rate)?;
    c.count("threshold_count", m.contagion.threshold_count, 0, 1_000_000)?;
    c.probability("threshold_fraction", m.contagion.threshold_fraction)?;
    c.range("topple_ratio", m.contagion.topple_ratio, 1e-3, 1e3)?;
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
    c.range("bar", m.benefit.bar, -10.0, 10.0)?;
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
        let (turnover, multiplier) = (
            m.sustain.turnover_rate,
            m.sustain.mandate_abandon_multiplier,
        );
        return Err(InputError::field(
            "mechanisms.sustain.mandate_abandon_multiplier",
            format!(
                "turnover_rate * mandate_abandon_multiplier must not exceed 1 (it is a \
                 probability): turnover_rate is {turnover} and mandate_abandon_multiplier \
                 {multiplier}, so turnover_rate may be at most {} (or mandate_abandon_multiplier \
                 at most {})",
                super::short_number(1.0 / multiplier, 3),
                super::short_number(1.0 / turnover, 3)
            ),
        ));
    }
    c.probability("fatigue", m.sustain.fatigue)?;
    c.range(
        "mandate_learning_factor",
        m.sustain.mandate_learning_factor,
        0.0,
        10.0,
    )?;
    let c = Check::new("mechanisms.hub");
    // Below 1 the hub would weaken (at 0: cut) the in-region ties it exists to strengthen.
    c.range("tie_multiplier", m.hub.tie_multiplier, 1.0, 100.0)
        .map_err(|e| InputError {
            message: format!(
                "{}: a hub strengthens its region's ties, so the multiplier is at least 1",
                e.message
            ),
            ..e
        })?;
    c.range("efficiency", m.hub.efficiency, 0.0, 1e3)?;
    let c = Check::new("mechanisms.coaching");
    c.range("capacity", m.coaching.capacity, 0.0, 1e6)?;
    c.range("funded_efficiency", m.coaching.funded_efficiency, 0.0, 1e3)?;
    let c = Check::new("mechanisms.evidence");
    c.range("measurement_sd", m.evidence.measurement_sd, 0.0, 10.0)?;
    // At 0 the first review would fall at tenure 0, but a school's tenure is already 1 when
    // reviews are checked: 0 silently meant `review_every`.
    if m.evidence.review_after < 1 {
        return Err(InputError::field(
            c.path("review_after"),
            format!(
                "must be a whole number from 1 to 1000, got {}: the first review comes after at \
                 least one term of implementation",
                m.evidence.review_after
            ),
        ));
    }
    c.count("review_after", m.evidence.review_after, 1, 1000)?;
    c.count("review_every", m.evidence.review_every, 1, 1000)?;
    c.probability("drop_without_benefit", m.evidence.drop_without_benefit)?;
    c.probability("abandon_when_withdrawn", m.evidence.abandon_when_withdrawn)
}

/// Range of the dose response's half-effect dose, SU.
const D50_MIN: f64 = 1e-6;
const D50_MAX: f64 = 1e9;

/// Largest decimal exponent the dose response may reach: `(dose / d50)^hill` must stay well
/// inside the range of f64 (about 1e308), or `H = x / (1 + x)` becomes inf / inf = NaN.
const MAX_DOSE_EXPONENT: f64 = 300.0;

/// Checks a derived quantity that ranges alone do not bound: the largest dose ratio a school can
/// reach, `(steps x (budget per term + resources) / d50)^hill`, must be finite. `schools` is the
/// final count (known only once network files are read) and `max_resources` the largest own
/// resources a school can have (a node table's, or a generous multiple of the configured mean).
pub(crate) fn dose_range(
    config: &ScenarioConfig,
    schools: u32,
    max_resources: f64,
) -> Result<(), InputError> {
    let budget = config
        .budget
        .total
        .unwrap_or(config.budget.per_school * schools as f64);
    let dose = config.steps as f64 * (budget + max_resources);
    let d = &config.mechanisms.dose;
    if dose > 0.0 && d.hill * libm::log10(dose / d.d50) > MAX_DOSE_EXPONENT {
        return Err(InputError::field(
            "mechanisms.dose.d50",
            format!(
                "is too small for this budget: a school could receive {dose:.3e} SU over {} terms, \
                 and ({dose:.3e} / {})^{} overflows; raise d50, lower mechanisms.dose.hill or \
                 the budget",
                config.steps, d.d50, d.hill
            ),
        ));
    }
    Ok(())
}

fn strategies(list: &mut [StrategyConfig]) -> Result<(), InputError> {
    if list.is_empty() {
        return Err(InputError::field(
            "strategies",
            "at least one strategy is needed ([[strategies]] with a name)",
        ));
    }
    let mut names = HashMap::new();
    for (i, s) in list.iter_mut().enumerate() {
        let c = Check::new(&format!("strategies[{i}]"));
        unique_name(&c, &s.name, &mut names, "strategy")?;
        if s.kind.is_none() {
            s.kind = StrategyKind::from_name(&s.name);
        }
        if s.kind.is_none() {
            let kinds: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.name()).collect();
            // A misspelt kind's name (`pilot-then-cascde`) is far more likely than a new
            // strategy that forgot its kind: say which name was probably meant.
            if let Some(meant) = super::suggest::closest(&s.name, &kinds) {
                return Err(InputError::field(
                    c.path("name"),
                    format!(
                        "\"{}\" is not a kind's name; did you mean \"{meant}\"? (or keep the \
                         name and give its kind: kind = \"{meant}\")",
                        s.name
                    ),
                ));
            }
            return Err(InputError::field(
                c.path("kind"),
                format!(
                    "is required unless the name is a kind: {}",
                    StrategyKind::names_list()
                ),
            ));
        }
        // A strategy that builds capacity with all of its budget never supports anyone: the docs
        // call it degenerate, so it is refused rather than run.
        if !(0.0..1.0).contains(&s.build_share) {
            return Err(InputError::field(
                c.path("build_share"),
                format!(
                    "must be at least 0 and below 1 (1 would spend the whole budget on building \
                     capacity and none on schools), got {}",
                    s.build_share
                ),
            ));
        }
        c.range("build_yield", s.build_yield, 0.0, 10.0)?;
        c.count("review_terms", s.review_terms, 1, 1000)?;
        c.range("min_progress", s.min_progress, 0.0, 1.0)?;
        c.count("pilots", s.pilots, 0, MAX_SCHOOLS)?;
        c.count("pilot_terms", s.pilot_terms, 0, 10_000)?;
        c.range("effective_response", s.effective_response, 0.01, 0.99)?;
        c.probability("hub_share", s.hub_share)?;
        c.range("region_done_share", s.region_done_share, 0.01, 1.0)?;
        c.count("max_regions", s.max_regions, 0, MAX_SCHOOLS)?;
        match (s.coach_share, s.kind) {
            (Some(share), _) => c.probability("coach_share", share)?,
            (None, Some(kind)) => s.coach_share = Some(kind.default_coach_share()),
            (None, None) => {}
        }
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

    /// review_after = 0 silently meant review_every (tenure is at least 1 at a review), and a hub
    /// tie multiplier below 1 weakened the ties the hub strengthens: both are refused, saying why.
    #[test]
    fn review_after_zero_and_a_weakening_hub_are_refused_with_the_reason() {
        let mut c = ScenarioConfig::default();
        c.mechanisms.evidence.review_after = 0;
        let e = resolve(&mut c).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("mechanisms.evidence.review_after"),
            "{e}"
        );
        assert!(e.message.contains("from 1 to 1000, got 0"), "{e}");
        assert!(e.message.contains("after at least one term"), "{e}");
        let mut c = ScenarioConfig::default();
        c.mechanisms.evidence.review_after = 1;
        resolve(&mut c).unwrap();

        let mut c = ScenarioConfig::default();
        c.mechanisms.hub.tie_multiplier = 0.5;
        let e = resolve(&mut c).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("mechanisms.hub.tie_multiplier"),
            "{e}"
        );
        assert!(e.message.contains("between 1 and 100, got 0.5"), "{e}");
        assert!(e.message.contains("at least 1"), "{e}");
        let mut c = ScenarioConfig::default();
        c.mechanisms.hub.tie_multiplier = 1.0;
        resolve(&mut c).unwrap();
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

    #[test]
    fn names_that_look_alike_or_a_path_cannot_name_are_refused() {
        let refused = |second: &str| {
            let mut c = ScenarioConfig::default();
            c.strategies.truncate(1);
            let mut s = c.strategies[0].clone();
            s.name = second.to_string();
            c.strategies.push(s);
            resolve(&mut c).unwrap_err()
        };
        let first = ScenarioConfig::default().strategies[0].name.clone();
        for (second, says) in [
            (format!("{first} "), "begins or ends with a space"),
            (format!(" {first}x"), "begins or ends with a space"),
            (first.to_uppercase(), "only in capitals"),
            ("a.b".to_string(), "contains a dot or a square bracket"),
            ("a[0]".to_string(), "(strategies.NAME.FIELD)"),
        ] {
            let e = refused(&second);
            assert_eq!(e.field.as_deref(), Some("strategies[1].name"), "{e}");
            assert!(e.message.contains(says), "{second:?}: {e}");
        }
        // Inner spaces and other punctuation are fine.
        let mut c = ScenarioConfig::default();
        c.strategies[0].name = "pilot & cascade (v2)".into();
        resolve(&mut c).unwrap();
    }

    #[test]
    fn network_fields_are_checked_only_for_kinds_that_read_them() {
        let net = |edit: fn(&mut NetworkConfig)| {
            let mut c = ScenarioConfig::default();
            edit(&mut c.network);
            resolve(&mut c)
        };
        // A small configuration network with its own degrees needs no mean_degree below n - 1.
        net(|n| {
            n.kind = NetworkKind::Configuration;
            n.schools = 3;
            n.regions = 1;
            n.degrees = Some(vec![1, 1, 1]);
        })
        .unwrap();
        // A number written for a kind that does not read it is listed with the kinds that do
        // (a note); a list is refused.
        let unread = |edit: fn(&mut NetworkConfig)| {
            let mut n = NetworkConfig::default();
            edit(&mut n);
            unread_network_fields(&n)
        };
        for (edit, field, kinds) in [
            (
                (|n| {
                    n.kind = NetworkKind::ScaleFree;
                    n.degree_min = 999;
                }) as fn(&mut NetworkConfig),
                "degree_min",
                "= \"configuration\"",
            ),
            (
                |n| {
                    n.kind = NetworkKind::Complete;
                    n.mean_degree = 4.0;
                },
                "mean_degree",
                "is one of \"regional\", \"small-world\", \"ring\", \"scale-free\" or \"random\"",
            ),
            (|n| n.rewire = 0.3, "rewire", "= \"small-world\""),
            (
                |n| {
                    n.kind = NetworkKind::Ring;
                    n.within_region = 0.5;
                },
                "within_region",
                "= \"regional\"",
            ),
        ] {
            let got = unread(edit);
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, field);
            assert_eq!(kinds_phrase(got[0].1), kinds);
            assert!(net(edit).is_ok(), "{field}");
        }
        let e = net(|n| {
            n.kind = NetworkKind::Ring;
            n.degrees = Some(vec![2; 40]);
        })
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("network.degrees"), "{e}");
        assert!(e.message.contains("network.kind is \"ring\""), "{e}");
        // The power law's default cut-off, floor(sqrt(1000)) = 31, is below degree_min.
        let e = net(|n| {
            n.kind = NetworkKind::Configuration;
            n.schools = 1000;
            n.degree_min = 999;
        })
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("network.degree_min"), "{e}");
        assert!(
            e.message
                .contains("square root of the 1000 schools rounded down (31), got 999"),
            "{e}"
        );
        assert!(unread(|n| n.kind = NetworkKind::Ring).is_empty());
        // Defaults are never refused, whatever the kind; a larger degree_max allows degree_min.
        net(|n| n.kind = NetworkKind::Ring).unwrap();
        net(|n| {
            n.kind = NetworkKind::Configuration;
            n.schools = 1000;
            n.degree_min = 40;
            n.degree_max = 60;
        })
        .unwrap();
    }

    #[test]
    fn values_that_make_nan_are_refused() {
        let field = |f: fn(&mut ScenarioConfig)| {
            let mut c = ScenarioConfig::default();
            f(&mut c);
            resolve(&mut c).map(|_| ()).unwrap_err().field.unwrap()
        };
        assert_eq!(
            field(|c| c.mechanisms.dose.d50 = 1e-200),
            "mechanisms.dose.d50"
        );
        assert_eq!(
            field(|c| c.schools.resources_mean = 5e-324),
            "schools.resources_mean"
        );
        assert_eq!(
            field(|c| c.schools.need_alpha = 1e308),
            "schools.need_alpha"
        );
        assert_eq!(
            field(|c| c.schools.resources_shape = 1e308),
            "schools.resources_shape"
        );
        assert_eq!(field(|c| c.budget.per_school = 1e308), "budget.per_school");
        assert_eq!(
            field(|c| c.schools.size_median = 1e-300),
            "schools.size_median"
        );
        assert_eq!(
            field(|c| c.innovation.context_width = 1e-200),
            "innovation.context_width"
        );
        assert_eq!(
            field(|c| c.strategies[0].build_share = 1.0),
            "strategies[0].build_share"
        );
        let mut c = ScenarioConfig::default();
        c.network.kind = NetworkKind::Configuration;
        c.network.schools = 10;
        c.network.degree_min = 20;
        assert_eq!(
            resolve(&mut c).unwrap_err().field.as_deref(),
            Some("network.degree_min")
        );
    }

    #[test]
    fn a_dose_that_overflows_is_refused_where_ranges_are_not_enough() {
        let mut c = ScenarioConfig::default();
        resolve(&mut c).unwrap();
        assert!(dose_range(&c, 400, 10.0).is_ok());
        // Each value in range, but together (1e6 x 400 x 20 terms / 1e-6)^20 overflows.
        c.mechanisms.dose.d50 = 1e-6;
        c.mechanisms.dose.hill = 20.0;
        c.budget.per_school = 1e6;
        let e = dose_range(&c, 400, 10.0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mechanisms.dose.d50"));
    }

    #[test]
    fn names_are_short_and_free_of_control_characters() {
        let mut c = ScenarioConfig::default();
        c.strategies[0].name = "x".repeat(65_536);
        assert_eq!(
            resolve(&mut c).unwrap_err().field.as_deref(),
            Some("strategies[0].name")
        );
        let mut c = ScenarioConfig::default();
        c.strategies[1].name = "pilot\r".into();
        c.strategies[1].kind = Some(StrategyKind::PilotThenCascade);
        assert!(resolve(&mut c).unwrap_err().message.contains("U+000D"));
        let mut c = ScenarioConfig {
            name: "n".repeat(101),
            ..ScenarioConfig::default()
        };
        assert_eq!(resolve(&mut c).unwrap_err().field.as_deref(), Some("name"));
    }
}
