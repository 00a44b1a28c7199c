//! Parameter uncertainty: numeric scenario fields written as distributions.
//!
//! Any number of a scenario (a float or whole-number field, strategy knobs included) may be
//! written as an inline table naming a law, `d50 = { dist = "log-uniform", low = 0.5, high = 2 }`,
//! in the file or with `--set`. Loading ([`super::Scenario::load`]) walks the TOML table before
//! serde sees it, collects each `(path, Law)` into an [`Uncertain`] and puts the law's centre in
//! its place, so that deserialisation and validation run as for any value. Then the scenario is
//! validated with every uncertain field at each end of its law's support ([`Uncertain::corners`]).
//! Up to [`MAX_CORNERS_OF`] fields, every corner of the box of supports is validated, so no draw
//! can make an invalid scenario. Beyond, every pair of fields is validated at the four
//! combinations of their ends (the others at their centres): no draw can break a rule between
//! two fields (a min and its max), but one joining three or more (the dose range: budget, `d50`
//! and `hill`) may still fail for some draw. That draw is an error naming its field, for its run
//! ([`super::Scenario::for_run`]) or for the calibration that drew it, never a panic.
//!
//! Run k draws each uncertain value once, from its own stream of run k's seeds
//! ([`crate::rng::RunSeeds::parameter_rng`], keyed by the field's path), and every strategy of
//! run k runs in the scenario with those values (common random numbers). Unbounded laws (normal,
//! log-normal) are validated and clamped at 4 standard deviations (on the log scale for the
//! log-normal): a draw beyond that (probability 6e-5) takes the end's value. Whole-number fields
//! round their draws.

use crate::error::InputError;
use crate::rng::sample::{Beta, Distribution, LogNormal, Normal, Triangular};
use crate::rng::{Pcg64Mcg, RunSeeds};
use rand::Rng;
use toml::{Table, Value};

/// The laws, as `dist` names them in a file.
pub(crate) const LAWS: &str = "uniform, log-uniform, normal, log-normal, triangular, beta";

/// How many standard deviations of an unbounded law are validated and kept (draws beyond are
/// clamped).
pub const TAIL_SDS: f64 = 4.0;

/// Up to this many uncertain fields, every corner of their supports (2^10 = 1024 validations) is
/// validated together; beyond, every pair's four combinations of ends with the others at their
/// centres (4 per pair: as many validations for 23 fields as the corners of 10).
pub const MAX_CORNERS_OF: usize = 10;

/// Fields that cannot be uncertain: they fix the ensemble itself (how many runs, from which
/// seed, how many terms) or the set of schools that per-school and per-region results are about.
pub(crate) const FIXED: [&str; 5] = [
    "runs",
    "seed",
    "steps",
    "network.schools",
    "network.regions",
];

/// A distribution of a field's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Law {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// `exp` of a uniform on `[ln low, ln high]` (`low > 0`).
    LogUniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Normal with `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, >= 0.
        sd: f64,
    },
    /// Log-normal with `median` and log-scale standard deviation `sigma`.
    LogNormal {
        /// Median, > 0.
        median: f64,
        /// Standard deviation of the log, >= 0.
        sigma: f64,
    },
    /// Triangular on `[low, high]` with peak at `mode`.
    Triangular {
        /// Lower end.
        low: f64,
        /// Peak.
        mode: f64,
        /// Upper end.
        high: f64,
    },
    /// Beta(`alpha`, `beta`) scaled onto `[low, high]` (default 0 to 1).
    Beta {
        /// First shape, > 0.
        alpha: f64,
        /// Second shape, > 0.
        beta: f64,
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
}

impl Law {
    /// Reads a law from its table (`dist` and the parameters), or says what is wrong.
    pub(crate) fn from_table(t: &Table) -> Result<Self, String> {
        let dist = match t.get("dist") {
            Some(Value::String(s)) => s.as_str(),
            _ => return Err(format!("dist must be text, one of: {LAWS}")),
        };
        let (required, optional): (&[&str], &[&str]) = match dist {
            "uniform" | "log-uniform" => (&["low", "high"], &[]),
            "normal" => (&["mean", "sd"], &[]),
            "log-normal" => (&["median", "sigma"], &[]),
            "triangular" => (&["low", "mode", "high"], &[]),
            "beta" => (&["alpha", "beta"], &["low", "high"]),
            other => {
                return Err(format!(
                    "unknown distribution \"{other}\"; expected one of: {LAWS}"
                ))
            }
        };
        let takes = || {
            let mut all: Vec<String> = required.iter().map(|r| r.to_string()).collect();
            all.extend(optional.iter().map(|o| format!("{o} (optional)")));
            all.join(", ")
        };
        for key in t.keys().filter(|k| *k != "dist") {
            if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                return Err(format!(
                    "{dist} takes {}; \"{key}\" is not one of them",
                    takes()
                ));
            }
        }
        let num = |key: &str| -> Result<Option<f64>, String> {
            match t.get(key) {
                None => Ok(None),
                Some(Value::Float(x)) if x.is_finite() => Ok(Some(*x)),
                Some(Value::Integer(i)) => Ok(Some(*i as f64)),
                Some(v) => Err(format!("{dist}: {key} must be a finite number, got {v}")),
            }
        };
        let need = |key: &str| -> Result<f64, String> {
            num(key)?.ok_or_else(|| format!("{dist} needs {}", takes()))
        };
        let ordered = |low: f64, high: f64| -> Result<(), String> {
            if low < high {
                Ok(())
            } else {
                Err(format!(
                    "{dist}: low must be below high (got low = {low}, high = {high})"
                ))
            }
        };
        let law = match dist {
            "uniform" => {
                let (low, high) = (need("low")?, need("high")?);
                ordered(low, high)?;
                Law::Uniform { low, high }
            }
            "log-uniform" => {
                let (low, high) = (need("low")?, need("high")?);
                ordered(low, high)?;
                if low <= 0.0 {
                    return Err(format!("log-uniform: low must be above 0 (got {low})"));
                }
                Law::LogUniform { low, high }
            }
            "normal" => {
                let (mean, sd) = (need("mean")?, need("sd")?);
                if sd < 0.0 {
                    return Err(format!("normal: sd must be >= 0 (got {sd})"));
                }
                Law::Normal { mean, sd }
            }
            "log-normal" => {
                let (median, sigma) = (need("median")?, need("sigma")?);
                if median <= 0.0 || sigma < 0.0 {
                    return Err(format!(
                        "log-normal: median must be above 0 and sigma >= 0 (got median = {median}, sigma = {sigma})"
                    ));
                }
                Law::LogNormal { median, sigma }
            }
            "triangular" => {
                let (low, mode, high) = (need("low")?, need("mode")?, need("high")?);
                ordered(low, high)?;
                if !(low..=high).contains(&mode) {
                    return Err(format!(
                        "triangular: mode must be between low and high (got {mode})"
                    ));
                }
                Law::Triangular { low, mode, high }
            }
            _ => {
                let (alpha, beta) = (need("alpha")?, need("beta")?);
                if alpha <= 0.0 || beta <= 0.0 {
                    return Err(format!(
                        "beta: alpha and beta must be above 0 (got alpha = {alpha}, beta = {beta})"
                    ));
                }
                let (low, high) = (num("low")?.unwrap_or(0.0), num("high")?.unwrap_or(1.0));
                ordered(low, high)?;
                Law::Beta {
                    alpha,
                    beta,
                    low,
                    high,
                }
            }
        };
        Ok(law)
    }

    /// The law as a file writes it.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new();
        let mut put = |k: &str, v: f64| {
            t.insert(k.into(), Value::Float(v));
        };
        let name = match *self {
            Law::Uniform { low, high } => {
                put("low", low);
                put("high", high);
                "uniform"
            }
            Law::LogUniform { low, high } => {
                put("low", low);
                put("high", high);
                "log-uniform"
            }
            Law::Normal { mean, sd } => {
                put("mean", mean);
                put("sd", sd);
                "normal"
            }
            Law::LogNormal { median, sigma } => {
                put("median", median);
                put("sigma", sigma);
                "log-normal"
            }
            Law::Triangular { low, mode, high } => {
                put("low", low);
                put("mode", mode);
                put("high", high);
                "triangular"
            }
            Law::Beta {
                alpha,
                beta,
                low,
                high,
            } => {
                put("alpha", alpha);
                put("beta", beta);
                put("low", low);
                put("high", high);
                "beta"
            }
        };
        t.insert("dist".into(), Value::String(name.into()));
        t
    }

    /// The value that stands in for the law where one value is needed (the resolved scenario's
    /// checks, `domino network`): the median, or for the beta its mean.
    pub fn centre(&self) -> f64 {
        match *self {
            Law::Uniform { low, high } => 0.5 * (low + high),
            Law::LogUniform { low, high } => (low * high).sqrt(),
            Law::Normal { mean, .. } => mean,
            Law::LogNormal { median, .. } => median,
            Law::Triangular { low, mode, high } => Triangular::new(low, mode, high)
                .map(|t| t.quantile(0.5))
                .unwrap_or(mode),
            Law::Beta {
                alpha,
                beta,
                low,
                high,
            } => low + (high - low) * alpha / (alpha + beta),
        }
    }

    /// The exact quantile of the law at `q` in (0, 1), where it has a closed form (every law but
    /// the beta, whose quantile needs the inverse of the incomplete beta function): `None` for a
    /// beta. Unbounded laws are truncated at their ends only beyond 4 sd, so quantiles from 0.00004
    /// to 0.99996 are those of the untruncated law.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        match *self {
            Law::Uniform { low, high } => Some(low + (high - low) * q),
            Law::LogUniform { low, high } => {
                let (a, b) = (libm::log(low), libm::log(high));
                Some(libm::exp(a + (b - a) * q))
            }
            Law::Normal { mean, sd } => Some(mean + sd * normal_quantile(q)),
            Law::LogNormal { median, sigma } => {
                Some(median * libm::exp(sigma * normal_quantile(q)))
            }
            Law::Triangular { low, mode, high } => Some(
                Triangular::new(low, mode, high)
                    .map(|t| t.quantile(q))
                    .unwrap_or(mode),
            ),
            Law::Beta { .. } => None,
        }
    }

    /// The ends of the support that is validated and drawn from (unbounded laws: `TAIL_SDS`
    /// standard deviations out).
    pub fn ends(&self) -> (f64, f64) {
        match *self {
            Law::Uniform { low, high }
            | Law::LogUniform { low, high }
            | Law::Triangular { low, high, .. }
            | Law::Beta { low, high, .. } => (low, high),
            Law::Normal { mean, sd } => (mean - TAIL_SDS * sd, mean + TAIL_SDS * sd),
            Law::LogNormal { median, sigma } => (
                median * libm::exp(-TAIL_SDS * sigma),
                median * libm::exp(TAIL_SDS * sigma),
            ),
        }
    }

    /// The natural log of the law's density at `x` (up to a constant that is the same for every
    /// `x`), `-inf` outside the ends ([`Law::ends`]): the prior's weight in ABC-SMC
    /// (`crate::calibrate`). Unbounded laws are truncated at their ends, as draws are clamped.
    pub(crate) fn ln_density(&self, x: f64) -> f64 {
        let (lo, hi) = self.ends();
        if !(lo..=hi).contains(&x) {
            return f64::NEG_INFINITY;
        }
        match *self {
            Law::Uniform { .. } => 0.0,
            Law::LogUniform { .. } => -libm::log(x),
            Law::Normal { mean, sd } if sd > 0.0 => -0.5 * ((x - mean) / sd).powi(2),
            Law::LogNormal { median, sigma } if sigma > 0.0 && x > 0.0 => {
                -libm::log(x) - 0.5 * ((libm::log(x) - libm::log(median)) / sigma).powi(2)
            }
            Law::Triangular { low, mode, high } => {
                let d = if x < mode {
                    (x - low) / (mode - low)
                } else if x > mode {
                    (high - x) / (high - mode)
                } else {
                    1.0
                };
                libm::log(d)
            }
            Law::Beta {
                alpha,
                beta,
                low,
                high,
            } => {
                let u = (x - low) / (high - low);
                // The open interval: at an end the density is 0 or unbounded, and an unbounded
                // weight would swallow every other particle's.
                if u <= 0.0 || u >= 1.0 {
                    return f64::NEG_INFINITY;
                }
                (alpha - 1.0) * libm::log(u) + (beta - 1.0) * libm::log(1.0 - u)
            }
            // A point mass (sd or sigma 0): every value inside the ends is that value.
            _ => 0.0,
        }
    }

    /// One draw, with the portable samplers of [`crate::rng::sample`] (the same bits on every
    /// machine). Not clamped.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked when the law was read, so the samplers accept them.
        match *self {
            Law::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Law::LogUniform { low, high } => {
                let (a, b) = (libm::log(low), libm::log(high));
                libm::exp(a + (b - a) * rng.random::<f64>())
            }
            Law::Normal { mean, sd } => Normal::new(mean, sd).map_or(mean, |d| d.sample(rng)),
            Law::LogNormal { median, sigma } => {
                LogNormal::new(libm::log(median), sigma).map_or(median, |d| d.sample(rng))
            }
            Law::Triangular { low, mode, high } => {
                Triangular::new(low, mode, high).map_or(mode, |d| d.sample(rng))
            }
            Law::Beta {
                alpha,
                beta,
                low,
                high,
            } => low + (high - low) * Beta::new(alpha, beta).map_or(0.5, |d| d.sample(rng)),
        }
    }
}

/// The standard normal quantile at `p` in (0, 1): Acklam's rational approximation (relative
/// error below 1.2e-9) polished by one Halley step on `libm::erfc`, which brings it to within a
/// few units in the last place.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < 0.02425 {
        tail((-2.0 * libm::log(p)).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * libm::log(1.0 - p)).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // Halley's step on Phi(x) - p, with Phi(x) = erfc(-x / sqrt 2) / 2.
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * libm::exp(0.5 * x * x);
    x - u / (1.0 + 0.5 * x * u)
}

/// One uncertain field.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its dotted path, entries of lists by name where they have one
    /// (`strategies.pilot-then-cascade.pilots`).
    pub path: String,
    /// Its law.
    pub law: Law,
    /// A whole-number field: draws are rounded.
    pub integer: bool,
}

impl Param {
    /// `x` as the field's value: clamped into the validated ends, rounded for a whole number.
    pub fn value(&self, x: f64) -> f64 {
        let (lo, hi) = self.law.ends();
        let x = x.clamp(lo, hi);
        if self.integer {
            x.round()
        } else {
            x
        }
    }

    /// `x` (already [`Param::value`]) as TOML.
    pub fn toml(&self, x: f64) -> Value {
        if self.integer {
            Value::Integer(x as i64)
        } else {
            Value::Float(x)
        }
    }

    /// The key of the field's stream of draws: FNV-1a of its path, so that a field draws the
    /// same values whichever other fields are uncertain.
    fn key(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.path.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

/// The uncertain fields of a scenario (none for most).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncertain {
    /// The fields, in the order they appear in the scenario's TOML.
    pub params: Vec<Param>,
}

impl Uncertain {
    /// True without uncertain fields.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// The paths of the uncertain fields.
    pub fn paths(&self) -> Vec<String> {
        self.params.iter().map(|p| p.path.clone()).collect()
    }

    /// The values of run `run` of an ensemble with master seed `seed`: one draw per field from
    /// its own stream, clamped and rounded ([`Param::value`]). A pure function of its arguments.
    pub fn draw(&self, seed: u64, run: u64) -> Vec<f64> {
        let seeds = RunSeeds::new(seed, run);
        self.params
            .iter()
            .map(|p| {
                let mut rng: Pcg64Mcg = seeds.parameter_rng(p.key());
                p.value(p.law.sample(&mut rng))
            })
            .collect()
    }

    /// Writes the laws back into `table` (a serialised configuration) at their paths, so that
    /// the resolved scenario reads back with the same uncertainty.
    pub(crate) fn write_into(&self, table: &mut Table) {
        for p in &self.params {
            if let Some(slot) = super::path::get_mut(table, &p.path) {
                *slot = Value::Table(p.law.to_table());
            }
        }
    }

    /// Writes the laws into `text` (a serialised configuration, which has every field) as inline
    /// tables at their paths, so that the resolved scenario reads back with the same uncertainty
    /// and each law stays on its field's line.
    pub(crate) fn write_into_text(&self, text: &str) -> String {
        let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
            return text.to_string();
        };
        for p in &self.params {
            if let Some(slot) = edit_slot(doc.as_table_mut(), &p.path) {
                let mut inline = toml_edit::InlineTable::new();
                let law = p.law.to_table();
                inline.insert("dist", law["dist"].as_str().unwrap_or("").into());
                // In the order the laws are documented, not alphabetical.
                for k in [
                    "mean", "sd", "median", "sigma", "alpha", "beta", "low", "mode", "high",
                ] {
                    if let Some(x) = law.get(k).and_then(toml::Value::as_float) {
                        inline.insert(k, x.into());
                    }
                }
                *slot = toml_edit::value(inline);
            }
        }
        doc.to_string()
    }

    /// The sets of values the scenario is validated at: every corner of the supports (up to
    /// [`MAX_CORNERS_OF`] fields), else all fields low, all high, each field's ends with the
    /// others at their centres, and each pair's four combinations of ends with the others at
    /// their centres (so every rule between two fields is checked at its worst).
    pub fn corners(&self) -> Vec<Vec<f64>> {
        let m = self.params.len();
        let ends: Vec<(f64, f64)> = self
            .params
            .iter()
            .map(|p| {
                let (lo, hi) = p.law.ends();
                (p.value(lo), p.value(hi))
            })
            .collect();
        if m <= MAX_CORNERS_OF {
            (0..1usize << m)
                .map(|bits| {
                    (0..m)
                        .map(|j| {
                            if bits >> j & 1 == 1 {
                                ends[j].1
                            } else {
                                ends[j].0
                            }
                        })
                        .collect()
                })
                .collect()
        } else {
            let centre: Vec<f64> = self
                .params
                .iter()
                .map(|p| p.value(p.law.centre()))
                .collect();
            let mut out = vec![
                ends.iter().map(|e| e.0).collect(),
                ends.iter().map(|e| e.1).collect(),
            ];
            for j in 0..m {
                for end in [ends[j].0, ends[j].1] {
                    let mut v = centre.clone();
                    v[j] = end;
                    out.push(v);
                }
            }
            for j in 0..m {
                for k in j + 1..m {
                    for (a, b) in [ends[j].0, ends[j].1]
                        .into_iter()
                        .flat_map(|a| [(a, ends[k].0), (a, ends[k].1)])
                    {
                        let mut v = centre.clone();
                        v[j] = a;
                        v[k] = b;
                        out.push(v);
                    }
                }
            }
            out
        }
    }

    /// Finds the distributions in `table` (a scenario's TOML, before deserialisation), replaces
    /// each by its law's centre and returns them. `shape` says which fields are numbers. A table
    /// with `dist` at a field that is not a number is an error; at a field the scenario does not
    /// have, it is left for the deserialiser to report as unknown.
    pub(crate) fn extract(table: &mut Table, shape: &Table) -> Result<Self, InputError> {
        let mut params = Vec::new();
        walk(table, shape, "", &mut params)?;
        Ok(Self { params })
    }
}

/// The item at dotted `path` in a `toml_edit` table (entries of lists by name or index).
fn edit_slot<'t>(
    table: &'t mut dyn toml_edit::TableLike,
    path: &str,
) -> Option<&'t mut toml_edit::Item> {
    let segs = super::path::segments(path);
    let mut table = table;
    let mut k = 0;
    loop {
        let seg = *segs.get(k)?;
        k += 1;
        if k == segs.len() && seg.index.is_none() {
            return table.get_mut(seg.key);
        }
        table = match table.get_mut(seg.key)? {
            toml_edit::Item::ArrayOfTables(arr) => {
                let i = match seg.index {
                    Some(i) => i,
                    None => {
                        let name = segs.get(k)?.key;
                        k += 1;
                        arr.iter()
                            .position(|t| t.get("name").and_then(|v| v.as_str()) == Some(name))?
                    }
                };
                if k == segs.len() {
                    return None;
                }
                arr.get_mut(i)?
            }
            item => item.as_table_like_mut()?,
        };
    }
}

/// True when `table` holds a distribution anywhere (the priors of a `[calibrate]` table are not
/// the scenario's own distributions).
pub(crate) fn any_in(table: &Table) -> bool {
    table.iter().any(|(k, v)| match v {
        Value::Table(_) if k == "calibrate" => false,
        Value::Table(t) => t.contains_key("dist") || any_in(t),
        Value::Array(items) => items.iter().any(|i| i.as_table().is_some_and(any_in)),
        _ => false,
    })
}

fn walk(
    table: &mut Table,
    shape: &Table,
    prefix: &str,
    out: &mut Vec<Param>,
) -> Result<(), InputError> {
    for (key, value) in table.iter_mut() {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(sh) = shape.get(key) else { continue };
        match value {
            Value::Table(t) if t.contains_key("dist") => {
                let integer = match sh {
                    Value::Integer(_) => true,
                    Value::Float(_) => false,
                    other => {
                        return Err(InputError::field(
                            path,
                            format!(
                                "only numeric fields can be uncertain; this one is {}",
                                match other {
                                    Value::String(_) => "text",
                                    Value::Boolean(_) => "true or false",
                                    Value::Array(_) => "a list",
                                    _ => "a table",
                                }
                            ),
                        ))
                    }
                };
                if FIXED.contains(&path.as_str()) {
                    // A sweep sets each point's seed and runs itself (`crate::sweep`).
                    let sweep = if path == "seed" || path == "runs" {
                        ""
                    } else {
                        " (or sweep it)"
                    };
                    return Err(InputError::field(
                        path,
                        format!(
                            "cannot be uncertain: every run of an ensemble has the same runs, \
                             seed, terms, schools and regions; give one value{sweep}"
                        ),
                    ));
                }
                let law = Law::from_table(t).map_err(|m| InputError::field(&path, m))?;
                let param = Param { path, law, integer };
                *value = param.toml(param.value(law.centre()));
                out.push(param);
            }
            Value::Table(t) => {
                if let Value::Table(s) = sh {
                    walk(t, s, &path, out)?;
                }
            }
            Value::Array(items) => {
                let Some(Value::Table(entry_shape)) = sh.as_array().and_then(|a| a.first()) else {
                    continue;
                };
                let names: Vec<Option<String>> = items
                    .iter()
                    .map(|i| i.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect();
                for (i, item) in items.iter_mut().enumerate() {
                    let Value::Table(t) = item else { continue };
                    // Entries by name where the name is a plain, unique one, as `--set` and
                    // sweeps write them; else by index.
                    let entry = match &names[i] {
                        Some(n)
                            if !n.is_empty()
                                && !n.contains(['.', '[', ']'])
                                && names.iter().filter(|m| m.as_ref() == Some(n)).count() == 1 =>
                        {
                            format!("{path}.{n}")
                        }
                        _ => format!("{path}[{i}]"),
                    };
                    walk(t, entry_shape, &entry, out)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod quantile_tests {
    use super::*;

    #[test]
    fn the_normal_quantile_inverts_the_cdf() {
        // The textbook value of the 95th percentile, and symmetry.
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-14);
        assert!((normal_quantile(0.05) + 1.644_853_626_951_472_2).abs() < 1e-14);
        assert_eq!(normal_quantile(0.5), 0.0);
        for p in [1e-6, 0.001, 0.02, 0.1, 0.3, 0.7, 0.9, 0.99, 0.999_9] {
            let x = normal_quantile(p);
            let cdf = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
            assert!((cdf - p).abs() <= 1e-15 * p.max(1e-3), "p {p}: cdf {cdf}");
        }
    }

    #[test]
    fn quantiles_have_their_closed_forms() {
        let q = |law: Law, p: f64| law.quantile(p).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
        let u = Law::Uniform {
            low: 0.05,
            high: 0.8,
        };
        // The research report's case: uniform(0.05, 0.8) has 0.0875 to 0.7625 and median 0.425.
        assert!(close(q(u, 0.05), 0.0875) && close(q(u, 0.95), 0.7625) && close(q(u, 0.5), 0.425));
        let lu = Law::LogUniform {
            low: 0.001,
            high: 0.1,
        };
        assert!(close(q(lu, 0.5), 0.01) && close(q(lu, 0.05), 0.001 * 100f64.powf(0.05)));
        let n = Law::Normal { mean: 2.0, sd: 0.5 };
        assert!(close(q(n, 0.95), 2.0 + 0.5 * 1.644_853_626_951_472_2));
        let ln = Law::LogNormal {
            median: 3.0,
            sigma: 0.2,
        };
        assert!(
            close(q(ln, 0.5), 3.0)
                && close(q(ln, 0.05), 3.0 * (-0.2 * 1.644_853_626_951_472_2f64).exp())
        );
        let t = Law::Triangular {
            low: 0.0,
            mode: 1.0,
            high: 4.0,
        };
        // CDF at the mode is 1/4; above it 1 - (4 - x)^2 / 12.
        assert!(close(q(t, 0.25), 1.0) && close(q(t, 0.95), 4.0 - (0.05f64 * 12.0).sqrt()));
        let b = Law::Beta {
            alpha: 2.0,
            beta: 3.0,
            low: 0.0,
            high: 1.0,
        };
        assert_eq!(b.quantile(0.5), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(src: &str) -> Result<Law, String> {
        Law::from_table(&src.parse::<Table>().unwrap())
    }

    fn moments(l: &Law, n: u64) -> (f64, f64) {
        let p = Param {
            path: "x".into(),
            law: *l,
            integer: false,
        };
        let u = Uncertain { params: vec![p] };
        let xs: Vec<f64> = (0..n).map(|k| u.draw(5, k)[0]).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt())
    }

    #[test]
    fn draws_follow_their_law() {
        // 20,000 draws, seed 5: the mean within 5 standard errors, the sd within 5 %.
        let n = 20_000;
        let cases = [
            (
                law("dist = \"uniform\"\nlow = 1\nhigh = 3").unwrap(),
                2.0,
                (4.0f64 / 12.0).sqrt(),
            ),
            (
                law("dist = \"normal\"\nmean = 10\nsd = 2").unwrap(),
                10.0,
                2.0,
            ),
            (
                law("dist = \"triangular\"\nlow = 0\nmode = 1\nhigh = 2").unwrap(),
                1.0,
                (1.0f64 / 6.0).sqrt(),
            ),
            (
                // Beta(2, 3) on [0, 10]: mean 4, variance 100 * 6 / (25 * 6).
                law("dist = \"beta\"\nalpha = 2\nbeta = 3\nlow = 0\nhigh = 10").unwrap(),
                4.0,
                2.0,
            ),
            (
                // Log-uniform on [1, e^2]: mean (e^2 - 1) / 2.
                law("dist = \"log-uniform\"\nlow = 1\nhigh = 7.38905609893065").unwrap(),
                (7.38905609893065 - 1.0) / 2.0,
                ((7.38905609893065f64.powi(2) - 1.0) / 4.0
                    - ((7.38905609893065 - 1.0) / 2.0f64).powi(2))
                .sqrt(),
            ),
            (
                // Log-normal, median 1, sigma 0.25: mean e^(sigma^2 / 2).
                law("dist = \"log-normal\"\nmedian = 1\nsigma = 0.25").unwrap(),
                (0.03125f64).exp(),
                ((0.0625f64).exp() - 1.0).sqrt() * (0.03125f64).exp(),
            ),
        ];
        for (l, mean, sd) in cases {
            let (m, s) = moments(&l, n);
            let se = sd / (n as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "{l:?}: mean {m} vs {mean}");
            assert!((s / sd - 1.0).abs() < 0.05, "{l:?}: sd {s} vs {sd}");
        }
    }

    #[test]
    fn bad_laws_say_what_is_wrong() {
        for (src, says) in [
            ("dist = \"gamma\"", "unknown distribution \"gamma\""),
            ("dist = 3", "dist must be text"),
            (
                "dist = \"uniform\"\nlow = 2\nhigh = 1",
                "low must be below high",
            ),
            ("dist = \"uniform\"\nlow = 2", "uniform needs low, high"),
            ("dist = \"log-uniform\"\nlow = 0\nhigh = 1", "above 0"),
            ("dist = \"normal\"\nmean = 1\nsd = -1", "sd must be >= 0"),
            (
                "dist = \"normal\"\nmean = 1\nsd = 1\nlow = 0",
                "\"low\" is not one of them",
            ),
            (
                "dist = \"triangular\"\nlow = 0\nmode = 3\nhigh = 2",
                "mode must be between",
            ),
            ("dist = \"beta\"\nalpha = 0\nbeta = 1", "above 0"),
            (
                "dist = \"normal\"\nmean = \"a\"\nsd = 1",
                "mean must be a finite number",
            ),
        ] {
            let e = law(src).unwrap_err();
            assert!(e.contains(says), "{src}: {e}");
        }
    }

    #[test]
    fn densities_are_relative_to_each_other_and_zero_outside() {
        let l = law("dist = \"triangular\"\nlow = 0\nmode = 1\nhigh = 3").unwrap();
        // Twice as far below the mode's density at 0.5 as at the mode.
        assert!((l.ln_density(0.5) - l.ln_density(1.0) - 0.5f64.ln()).abs() < 1e-12);
        assert_eq!(l.ln_density(3.5), f64::NEG_INFINITY);
        let n = law("dist = \"normal\"\nmean = 1\nsd = 2").unwrap();
        assert!((n.ln_density(3.0) - n.ln_density(1.0) + 0.5).abs() < 1e-12);
        assert_eq!(n.ln_density(9.5), f64::NEG_INFINITY);
        let u = law("dist = \"log-uniform\"\nlow = 1\nhigh = 4").unwrap();
        assert!((u.ln_density(2.0) - u.ln_density(1.0) + 2f64.ln()).abs() < 1e-12);
        let b = law("dist = \"beta\"\nalpha = 0.5\nbeta = 2").unwrap();
        assert_eq!(b.ln_density(0.0), f64::NEG_INFINITY);
        assert!(b.ln_density(0.1) > b.ln_density(0.5));
    }

    #[test]
    fn whole_numbers_round_and_ends_clamp() {
        let p = Param {
            path: "x".into(),
            law: Law::Normal { mean: 5.0, sd: 1.0 },
            integer: true,
        };
        assert_eq!(p.value(5.4), 5.0);
        assert_eq!(p.value(100.0), 9.0);
        assert_eq!(p.value(-100.0), 1.0);
        let u = Uncertain {
            params: vec![
                p.clone(),
                Param {
                    path: "y".into(),
                    ..p
                },
            ],
        };
        assert_eq!(u.corners().len(), 4);
        // Beyond MAX_CORNERS_OF fields: every pair meets at its four combinations of ends
        // (field 0 low with field 1 high, the others at their centres, among them).
        let many = Uncertain {
            params: (0..=MAX_CORNERS_OF)
                .map(|j| Param {
                    path: format!("f{j}"),
                    ..p.clone()
                })
                .collect(),
        };
        let m = MAX_CORNERS_OF + 1;
        let corners = many.corners();
        assert_eq!(corners.len(), 2 + 2 * m + 4 * m * (m - 1) / 2);
        let centre = p.value(p.law.centre());
        let (lo, hi) = (p.value(p.law.ends().0), p.value(p.law.ends().1));
        for (j, k) in [(0, 1), (3, m - 1)] {
            for (a, b) in [(lo, lo), (lo, hi), (hi, lo), (hi, hi)] {
                let mut want = vec![centre; m];
                (want[j], want[k]) = (a, b);
                assert!(corners.contains(&want), "{j}, {k} at {a}, {b}");
            }
        }
        // Each field has its own stream: run k draws differ between fields and runs.
        let a = u.draw(1, 0);
        assert_eq!(a, u.draw(1, 0));
        assert!((0..20).any(|k| u.draw(1, k)[0] != u.draw(1, k)[1]));
    }
}
