//! Parameter sweeps: many scenarios made from one, to map where each strategy wins.
//!
//! A sweep file names a base scenario (a path, or inline), the parameters to vary by their dotted
//! path in the scenario (`mechanisms.dose.d50`, `strategies.cluster.hub_share`, ...) and a
//! [`design`]: a grid (full factorial), random points, or a Latin hypercube. [`Sweep::load`]
//! validates everything before anything runs: every point is turned into a scenario and checked,
//! so a bad value is reported with the sweep file's line and the parameter's path, and nothing is
//! written. [`run`] executes the points (all, or one shard) and writes the results so that no
//! finished point is ever lost; [`output`] assembles the files.
//!
//! Every point runs the paired runs of all strategies of its scenario with its own seed, derived
//! from the sweep's seed and the point's id, so a point's results do not depend on which other
//! points ran, in which order, or on which machine.

pub mod design;
pub mod output;
pub mod run;
pub mod sensitivity;

use crate::error::InputError;
use crate::output::{scenario_inputs, InputHash};
use crate::rng::mix64;
use crate::scenario::set::Setting;
use crate::scenario::{files, locate, path::get_mut as value_at, NetworkFiles};
use crate::Scenario;
use design::Range;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Value;

/// Most points a sweep may have.
pub(crate) const MAX_POINTS: usize = 1_000_000;

/// The sweep file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// Name, for the output folder; defaults to the file's stem.
    #[serde(default)]
    pub name: String,
    /// The base scenario: a path relative to the sweep file, or an inline table. Default: the
    /// built-in default scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Base>,
    /// Master seed of the sweep; point i's scenario gets its own seed derived from it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Paired runs per strategy at every point (default: the base scenario's `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<u32>,
    /// The design.
    #[serde(default)]
    pub design: DesignKind,
    /// Number of points (random and Latin hypercube designs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// The parameters varied.
    #[serde(default)]
    pub parameters: Vec<ParameterConfig>,
}

fn default_seed() -> u64 {
    1
}

/// A base scenario: a file, or the scenario written inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Base {
    /// Path of a scenario file, relative to the sweep file.
    Path(PathBuf),
    /// The scenario's tables, inline.
    Inline(toml::Table),
}

/// The three designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DesignKind {
    /// Every combination of the listed values.
    #[default]
    Grid,
    /// `points` independent draws from the ranges.
    Random,
    /// A Latin hypercube of `points` points over the ranges.
    LatinHypercube,
}

impl DesignKind {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Random => "random",
            DesignKind::LatinHypercube => "latin-hypercube",
        }
    }
}

/// Linear or logarithmic sampling of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scale {
    /// Uniform.
    #[default]
    Linear,
    /// Log-uniform (min must be above 0).
    Log,
}

/// One varied parameter, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterConfig {
    /// Dotted path in the scenario, e.g. `mechanisms.dose.d50` or `strategies.cluster.hub_share`.
    pub path: String,
    /// Grid: the values. Random and Latin hypercube: the choices of a boolean or text field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// Random and Latin hypercube: lower end of a numeric range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper end of a numeric range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Linear or log sampling of the range.
    #[serde(default)]
    pub scale: Scale,
}

/// The type of a scenario field, which a swept value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A number with a fraction.
    Float,
    /// A whole number.
    Integer,
    /// true or false.
    Bool,
    /// A choice written as text.
    Text,
}

impl Kind {
    fn of(v: &Value) -> Option<Kind> {
        match v {
            Value::Float(_) => Some(Kind::Float),
            Value::Integer(_) => Some(Kind::Integer),
            Value::Boolean(_) => Some(Kind::Bool),
            Value::String(_) => Some(Kind::Text),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Float => "a number",
            Kind::Integer => "a whole number",
            Kind::Bool => "true or false",
            Kind::Text => "a text choice",
        }
    }

    /// `v` as a value of this kind (a whole number is accepted for a float field).
    fn accept(self, v: &Value) -> Option<Value> {
        match (self, v) {
            (Kind::Float, Value::Float(_)) => Some(v.clone()),
            (Kind::Float, Value::Integer(i)) => Some(Value::Float(*i as f64)),
            (Kind::Integer, Value::Integer(_))
            | (Kind::Bool, Value::Boolean(_))
            | (Kind::Text, Value::String(_)) => Some(v.clone()),
            _ => None,
        }
    }

    /// True for kinds whose values are numbers in the sensitivity analysis.
    pub(crate) fn is_numeric(self) -> bool {
        !matches!(self, Kind::Text)
    }
}

/// A varied parameter, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Dotted path, as written in the sweep file.
    pub path: String,
    /// The field's type.
    pub kind: Kind,
    /// The range (random and Latin hypercube designs).
    pub range: Option<Range>,
    /// The values (grid) or choices.
    pub values: Vec<Value>,
}

/// One point: its id and one value per parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// 0-based id, in design order.
    pub id: usize,
    /// The parameter values, in parameter order.
    pub values: Vec<Value>,
}

/// A validated sweep, ready to run.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The configuration, with the base resolved and written inline.
    pub config: SweepConfig,
    /// The varied parameters.
    pub parameters: Vec<Parameter>,
    /// The points of the design, in id order.
    pub points: Vec<Point>,
    /// The resolved base scenario as a TOML table (every default written out, file paths
    /// absolute).
    base: toml::Table,
    /// The resolved sweep as TOML: what is written to `sweep.toml` and hashed.
    resolved: String,
    /// The base scenario's network files, read once and shared by every point's scenario.
    files: Option<Arc<NetworkFiles>>,
    /// The `--set PATH=VALUE` arguments applied to the base scenario, as given (recorded in the
    /// manifest; their values are in the resolved base already).
    pub sets: Vec<String>,
    /// The network files the sweep reads (the base's and swept ones), with the SHA-256 of their
    /// bytes when loaded: `resolved` names them by path only, so a file edited between shards or
    /// before `--resume` is caught by comparing these, recorded in the manifest.
    pub(crate) inputs: Vec<InputHash>,
}

impl Sweep {
    /// Reads and validates a sweep file.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        Self::load_with(path, &[])
    }

    /// Reads and validates a sweep file whose base scenario gets the `--set` changes `sets`.
    pub(crate) fn load_with(path: &Path, sets: &[Setting]) -> Result<Self, InputError> {
        let bytes = std::fs::read(path)
            .map_err(|e| InputError::msg(format!("cannot read sweep file: {e}")).in_file(path))?;
        Self::from_toml_with(files::utf8(&bytes, Some(path))?, Some(path), sets)
    }

    /// Parses and validates sweep text; `path` names the file in errors and anchors `base`.
    pub fn from_toml(src: &str, path: Option<&Path>) -> Result<Self, InputError> {
        Self::from_toml_with(src, path, &[])
    }

    /// As [`Sweep::from_toml`], with the `--set` changes `sets` applied to the base scenario (the
    /// resolved sweep, `sweep.toml`, holds the changed base, so it reproduces on its own).
    pub(crate) fn from_toml_with(
        src: &str,
        path: Option<&Path>,
        sets: &[Setting],
    ) -> Result<Self, InputError> {
        let flagged = |e: &InputError| e.field.as_deref().is_some_and(|f| f.starts_with("--set "));
        let mut config: SweepConfig = locate::from_str(src, path)?;
        let place = |e: InputError| locate::place(e, src, path);
        if config.name.is_empty() {
            config.name = path
                .and_then(Path::file_stem)
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".into());
        }
        let dir = path.and_then(Path::parent).unwrap_or(Path::new("."));
        let (base, base_file) = match &config.base {
            None => (
                Scenario::load(crate::scenario::DEFAULT_SCENARIO, None, None, sets)?,
                None,
            ),
            Some(Base::Path(p)) => {
                let file = dir.join(p);
                // An empty path or `.` joins to the sweep's own folder; say so at `base` in the
                // sweep file rather than as an unreadable scenario "file".
                if p.as_os_str().is_empty() || !file.is_file() {
                    let problem = if p.as_os_str().is_empty() {
                        "is empty".to_string()
                    } else if file.is_dir() {
                        format!("names a folder ({})", file.display())
                    } else {
                        format!("names no file ({} does not exist)", file.display())
                    };
                    return Err(place(InputError::field(
                        "base",
                        format!(
                            "{problem}: give the path of a scenario file relative to the sweep \
                             file, write the scenario inline as a [base] table, or leave base out \
                             for the built-in default"
                        ),
                    )));
                }
                let scn = Scenario::from_file_with(&file, sets).map_err(|e| {
                    if e.file.is_some() || flagged(&e) {
                        e
                    } else {
                        place(InputError::field("base", e.to_string()))
                    }
                })?;
                (scn, Some(file))
            }
            Some(Base::Inline(t)) => {
                let text = toml::to_string(t)
                    .map_err(|e| place(InputError::field("base", e.to_string())))?;
                let scn = Scenario::load(&text, None, None, sets).map_err(|e| {
                    if flagged(&e) {
                        return e;
                    }
                    let field = e
                        .field
                        .clone()
                        .map(|f| format!("base.{f}"))
                        .unwrap_or("base".into());
                    place(InputError::field(field, e.message))
                })?;
                (scn, None)
            }
        };
        let mut base_config = base.config.clone();
        if let Some(runs) = config.runs {
            // The sweep's own key: checked here, so that a bad value is not blamed on the first
            // parameter at the first point.
            if !(1..=10_000_000).contains(&runs) {
                return Err(place(InputError::field(
                    "runs",
                    format!("must be a whole number from 1 to 10000000 (paired runs per strategy at every point), got {runs}"),
                )));
            }
            base_config.runs = runs;
        }
        // File paths in the resolved copy are made absolute, so `sweep.toml` in an output
        // folder (read back by `merge` and `--resume`) finds the same files.
        if let Some(file) = &base_file {
            let anchor = file.parent().unwrap_or(Path::new("."));
            for p in [
                &mut base_config.network.edges,
                &mut base_config.network.nodes,
            ]
            .into_iter()
            .flatten()
            {
                let joined = anchor.join(&*p);
                *p = std::fs::canonicalize(&joined).unwrap_or(joined);
            }
        }
        let centres: toml::Table = toml::Table::try_from(&base_config)
            .map_err(|e| place(InputError::field("base", e.to_string())))?;
        // Fields the base's network files decide: varied, every point would run the same.
        let mut decided = Vec::new();
        if let Some(files) = &base.files {
            decided.push("network.schools");
            if files.nodes.as_ref().is_some_and(|t| t.n_regions.is_some()) {
                decided.push("network.regions");
            }
        }
        let mut parameters = parameters(&config, &centres, &decided).map_err(place)?;
        // A swept network file is read like the base's own `edges =`/`nodes =`: relative to the
        // base scenario file (an inline or default base has none; its paths and the swept ones
        // are then relative to the working folder, as `domino check` reads them). Made absolute,
        // as the base's are, so `sweep.toml` finds the same files when read back.
        if let Some(file) = &base_file {
            let anchor = file.parent().unwrap_or(Path::new("."));
            for (param, written) in parameters.iter_mut().zip(&mut config.parameters) {
                if !NETWORK_FILE_FIELDS.contains(&param.path.trim()) {
                    continue;
                }
                for v in &mut param.values {
                    if let Value::String(s) = v {
                        let joined = anchor.join(&*s);
                        let full = std::fs::canonicalize(&joined).unwrap_or(joined);
                        *s = full.to_string_lossy().into_owned();
                    }
                }
                written.values = Some(param.values.clone());
            }
        }
        refuse_sets_on_swept_fields(sets, &parameters, &centres)?;
        refuse_sets_the_sweep_overrides(sets, &config, src, path)?;
        // Uncertain fields of the base pass through to every point (a swept one takes the
        // point's value instead).
        let mut base_table = centres;
        base.uncertain.write_into(&mut base_table);
        let points = design_points(&config, &parameters).map_err(place)?;
        config.base = Some(Base::Inline(base_table.clone()));
        let resolved = toml::to_string(&config).expect("a sweep serialises");
        let inputs = network_inputs(&base, &parameters)?;
        let sweep = Sweep {
            config,
            parameters,
            points,
            base: base_table,
            resolved,
            files: base.files.clone(),
            sets: base.sets.clone(),
            inputs,
        };
        // Every point must make a valid scenario; check them all before anything runs.
        for point in &sweep.points {
            if let Err((j, e)) = sweep.scenario(point) {
                return Err(place(sweep.invalid_point(point, j, e)));
            }
        }
        Ok(sweep)
    }

    /// The resolved sweep as TOML (base inline, every default written out): the content of
    /// `sweep.toml` in an output folder, and what [`Sweep::hash`] identifies.
    pub(crate) fn resolved_toml(&self) -> &str {
        &self.resolved
    }

    /// A 64-bit fingerprint of the resolved sweep (FNV-1a of its TOML, then mixed): shards and
    /// resumed runs are accepted only with the same one.
    pub fn hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.resolved.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        mix64(h)
    }

    /// The seed of point `id`'s scenario.
    pub(crate) fn point_seed(&self, id: usize) -> u64 {
        mix64(mix64(self.config.seed) ^ mix64(id as u64 ^ 0x0050_4f49_4e54)) >> 1
    }

    /// The base scenario, as resolved (the sweep's `runs` and `--set` changes applied): what
    /// decides the columns of `points.csv`.
    pub fn base_scenario(&self) -> Result<Scenario, InputError> {
        let text = toml::to_string(&self.base).map_err(|e| InputError::msg(e.to_string()))?;
        Scenario::from_toml_reusing(&text, None, self.files.as_ref())
    }

    /// The scenario of `point`: the base with the point's values and seed. On failure, the index
    /// of the parameter whose value made it invalid (the first, when the scenario as a whole is).
    pub fn scenario(&self, point: &Point) -> Result<Scenario, (usize, InputError)> {
        self.scenario_with(point.id, point.values.iter().enumerate())
    }

    /// The base with the parameters `values` (by parameter index) written in, and point `id`'s
    /// seed: [`Sweep::scenario`], or, with some parameters left at the base's values, the probe
    /// [`Sweep::invalid_point`] uses to find which parameter makes a point invalid.
    fn scenario_with<'a>(
        &self,
        id: usize,
        values: impl Iterator<Item = (usize, &'a Value)>,
    ) -> Result<Scenario, (usize, InputError)> {
        let mut table = self.base.clone();
        for (j, value) in values {
            let slot = value_at(&mut table, &self.parameters[j].path)
                .ok_or_else(|| (j, InputError::msg("the path does not exist")))?;
            *slot = value.clone();
        }
        table.insert("seed".into(), Value::Integer(self.point_seed(id) as i64));
        let text = toml::to_string(&table).map_err(|e| (0, InputError::msg(e.to_string())))?;
        Scenario::from_toml_reusing(&text, None, self.files.as_ref()).map_err(|e| {
            // A line of the point's scenario, written out from its table, is in no file.
            let e = if e.file.is_none() { e.unplaced() } else { e };
            let j = self
                .parameters
                .iter()
                .position(|p| e.field.as_deref() == Some(p.path.as_str()))
                .unwrap_or(0);
            (j, e)
        })
    }
}

impl Sweep {
    /// The error for `point`, whose scenario is invalid with `error` (blamed on parameter `j` by
    /// the field it names). The point's whole assignment is named, and the parameter to blame is
    /// found by trying each value alone, the other parameters at the base's values: the field
    /// the error names is often not a swept one (too few schools for the base's regions), and
    /// the first parameter was blamed for another's value.
    fn invalid_point(&self, point: &Point, j: usize, error: InputError) -> InputError {
        let assignment = |ks: &[usize]| {
            ks.iter()
                .map(|&k| format!("{} = {}", self.parameters[k].path, point.values[k]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let all: Vec<usize> = (0..self.parameters.len()).collect();
        let whole = format!("point {} ({})", point.id, assignment(&all));
        if self.parameters.len() == 1 {
            return InputError::field(
                format!("parameters[{j}]"),
                format!("{whole} makes an invalid scenario: {error}"),
            );
        }
        let alone_invalid: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&k| {
                self.scenario_with(point.id, std::iter::once((k, &point.values[k])))
                    .is_err()
            })
            .collect();
        match alone_invalid.first() {
            Some(&k) => InputError::field(
                format!("parameters[{k}]"),
                format!(
                    "{whole} makes an invalid scenario: {error}. The cause: {} (invalid even \
                     with the other parameters at the base scenario's values)",
                    assignment(&alone_invalid)
                ),
            ),
            None => InputError::field(
                "parameters",
                format!(
                    "{whole} makes an invalid scenario: {error}. No parameter alone does (each \
                     is valid with the others at the base scenario's values): it is their \
                     combination"
                ),
            ),
        }
    }
}

/// The scenario fields that name a network file, read relative to the base scenario file.
const NETWORK_FILE_FIELDS: [&str; 2] = ["network.edges", "network.nodes"];

/// The network files a sweep reads, hashed as a comparison's manifest records its inputs: the
/// base scenario's (the scenario file itself is inline in the resolved sweep, so its hash covers
/// it) and every value of a swept network file. Paths are made absolute, so a sweep loaded from
/// its folder's `sweep.toml` or from another working folder lists the same ones.
fn network_inputs(base: &Scenario, parameters: &[Parameter]) -> Result<Vec<InputHash>, InputError> {
    let mut listed: Vec<(&str, PathBuf)> = scenario_inputs(base)
        .into_iter()
        .filter(|(role, _)| NETWORK_FILE_FIELDS.contains(role))
        .collect();
    for param in parameters {
        let Some(&role) = NETWORK_FILE_FIELDS
            .iter()
            .find(|f| **f == param.path.trim())
        else {
            continue;
        };
        for value in &param.values {
            if let Value::String(s) = value {
                listed.push((role, PathBuf::from(s)));
            }
        }
    }
    let mut inputs: Vec<InputHash> = Vec::new();
    for (role, path) in listed {
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let hash = InputHash::of(role, &path).map_err(|e| InputError::msg(e.to_string()))?;
        if !inputs
            .iter()
            .any(|i| i.role == hash.role && i.path == hash.path)
        {
            inputs.push(hash);
        }
    }
    Ok(inputs)
}

/// Refuses a `--set` of `seed`, or of `runs` when the sweep file sets its own: every point's
/// seed is derived from the sweep's `seed`, and every point runs the sweep's `runs`, so the flag
/// would change nothing but the manifest and `sweep.toml`'s base, silently.
fn refuse_sets_the_sweep_overrides(
    sets: &[Setting],
    config: &SweepConfig,
    src: &str,
    path: Option<&Path>,
) -> Result<(), InputError> {
    for s in sets {
        let (key, value, how) = match s.path.trim() {
            "seed" => (
                "seed",
                config.seed.to_string(),
                "every point's seed is derived from the point's id and",
            ),
            "runs" => match config.runs {
                Some(runs) => ("runs", runs.to_string(), "every point runs"),
                None => continue,
            },
            _ => continue,
        };
        let file = path.map_or("the sweep file".to_string(), |p| p.display().to_string());
        let origin = match locate::locate(src, key) {
            Some((line, _)) => format!("the sweep's own `{key} = {value}` ({file}, line {line})"),
            None => format!("the sweep's own `{key}` (its default, {value})"),
        };
        return Err(InputError::field(
            s.flag(),
            format!(
                "sets {key} of the base scenario, but {how} {origin}, which replaces it: the \
                 flag would change nothing. Remove the --set, and set `{key}` at the top of the \
                 sweep file instead"
            ),
        ));
    }
    Ok(())
}

/// Refuses a `--set` on a field the sweep varies (or on a table or list holding one): every
/// point would write its own value over the set one, so the flag would change nothing but the
/// manifest and `sweep.toml`'s base, silently. The field is found whatever form either path takes
/// (`strategies.cluster.hub_share` or `strategies[2].hub_share`): each swept field of a copy of
/// the base is marked, then each setting's path is looked up in the copy.
fn refuse_sets_on_swept_fields(
    sets: &[Setting],
    parameters: &[Parameter],
    base: &toml::Table,
) -> Result<(), InputError> {
    if sets.is_empty() {
        return Ok(());
    }
    const MARK: &str = "\u{0}domino-swept-parameter-";
    let mut marked = base.clone();
    for (j, p) in parameters.iter().enumerate() {
        if let Some(slot) = value_at(&mut marked, &p.path) {
            *slot = Value::String(format!("{MARK}{j}"));
        }
    }
    fn swept_in(v: &Value) -> Option<usize> {
        match v {
            Value::String(s) => s.strip_prefix(MARK).and_then(|j| j.parse().ok()),
            Value::Table(t) => t.values().find_map(swept_in),
            Value::Array(items) => items.iter().find_map(swept_in),
            _ => None,
        }
    }
    for s in sets {
        let Some(j) = value_at(&mut marked, &s.path).and_then(|v| swept_in(v)) else {
            continue;
        };
        return Err(InputError::field(
            s.flag(),
            format!(
                "sets {}, which the sweep varies (its parameter `{}`): every point would write \
                 its own value over the one set, so the flag would change nothing. Remove the \
                 --set, or take the field out of the sweep's [[parameters]]",
                s.path, parameters[j].path
            ),
        ));
    }
    Ok(())
}

/// Validates the parameters against the base scenario: the path exists, the values have the
/// field's type, ranges are ordered.
/// `decided` lists the fields the base's network files decide, which cannot be swept.
fn parameters(
    config: &SweepConfig,
    base: &toml::Table,
    decided: &[&str],
) -> Result<Vec<Parameter>, InputError> {
    if config.parameters.is_empty() {
        return Err(InputError::field(
            "parameters",
            "a sweep needs at least one [[parameters]] entry with a path",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (j, p) in config.parameters.iter().enumerate() {
        let at = |field: &str| format!("parameters[{j}].{field}");
        // `Sweep::scenario` gives every point's scenario its own seed, derived from the sweep's
        // seed and the point's id, after the point's values are written: a swept `seed` would be
        // overwritten at every point, and its `param_seed` column would name seeds that never ran.
        if p.path.trim() == "seed" {
            return Err(InputError::field(
                at("path"),
                "\"seed\" cannot be swept: every point's scenario gets its own seed, derived from \
                 the sweep's seed and the point's id, which would replace the swept value. To run \
                 the sweep with other random numbers, change the sweep's own `seed = N` (at the \
                 top of the sweep file); for more runs per point, raise `runs`",
            ));
        }
        // Every point runs the same number of paired runs, the sweep's own `runs` (or the
        // base's): a swept `runs` replaced it point by point without a word, and made the points'
        // figures unequally sure.
        if p.path.trim() == "runs" {
            return Err(InputError::field(
                at("path"),
                "\"runs\" cannot be swept: every point runs the same number of paired runs, the \
                 sweep's own `runs = N` (at the top of the sweep file; without it, the base \
                 scenario's), which the swept value would replace. For more or fewer runs per \
                 point, change that",
            ));
        }
        // The model and the strategies' (or seedings') names decide which strategies a point
        // runs and so the columns of its results: points with other strategies cannot share
        // `points.csv`, `winners.csv` would mix strategies of different models, and the
        // sensitivity figures correlated strategy indices that meant other strategies at other
        // points.
        let segs = crate::scenario::path::segments(p.path.trim());
        let last = segs.last().map(|g| g.key);
        let names_a_strategy =
            matches!(segs.first().map(|g| g.key), Some("strategies" | "seedings"))
                && last == Some("name");
        if p.path.trim() == "model" || names_a_strategy {
            return Err(InputError::field(
                at("path"),
                format!(
                    "\"{}\" cannot be swept: it decides which strategies every point runs, and a \
                     sweep compares the same strategies at every point. Run one sweep per {}",
                    p.path,
                    if names_a_strategy {
                        "set of strategies"
                    } else {
                        "model (set `model` in the base scenario)"
                    }
                ),
            ));
        }
        // A list of school ids is not a value on an axis; `--set` can still change it for the
        // whole sweep. Checked before the path is looked up, so the message does not depend on
        // whether the base writes the list.
        if matches!(segs.first().map(|g| g.key), Some("strategies")) && last == Some("pilot_ids") {
            return Err(InputError::field(
                at("path"),
                format!(
                    "\"{}\" cannot be swept: it is a list of school ids, not one value to vary. \
                     Sweep the strategy's `pilots` (how many pilots), or give the ids with \
                     `--set {}=[...]` for the whole sweep, one sweep per list",
                    p.path,
                    p.path.trim()
                ),
            ));
        }
        // A classic model ignores the school model's tables (docs/model.md, section 10): a
        // swept field there would differ only by chance from point to point, and the sensitivity
        // figures would read that chance as an effect.
        let classic = base
            .get("model")
            .and_then(toml::Value::as_str)
            .is_some_and(|m| m != "school");
        let table = p.path.split(['.', '[']).next().unwrap_or("");
        if classic && crate::scenario::SCHOOL_MODEL_TABLES.contains(&table) {
            return Err(InputError::field(
                at("path"),
                format!(
                    "\"{}\" belongs to the school model, and the base scenario runs the classic \
                     model \"{}\", which does not read it: every point would be the same model \
                     and differ by chance alone. Sweep [network] or [classic] fields instead",
                    p.path,
                    base.get("model")
                        .and_then(toml::Value::as_str)
                        .unwrap_or("")
                ),
            ));
        }
        let mut probe = base.clone();
        let existing = value_at(&mut probe, &p.path).ok_or_else(|| {
            InputError::field(
                at("path"),
                format!(
                    "\"{}\" is not a field of the base scenario (write it as in `domino check`: e.g. mechanisms.dose.d50, strategies.cluster.hub_share)",
                    p.path
                ),
            )
        })?;
        let kind = Kind::of(existing).ok_or_else(|| {
            InputError::field(
                at("path"),
                format!(
                    "\"{}\" is a table or list, not a single value to vary",
                    p.path
                ),
            )
        })?;
        if !seen.insert(p.path.clone()) {
            return Err(InputError::field(
                at("path"),
                format!("\"{}\" is swept twice", p.path),
            ));
        }
        // The points' scenarios take these from the files, as the base does, so the values
        // swept would be replaced without a word.
        if decided.contains(&p.path.as_str()) {
            return Err(InputError::field(
                at("path"),
                format!(
                    "{} is taken from the base scenario's network files (network.kind = \
                     \"file\"), so every point would run the same schools; sweep another field, \
                     or use a generated network",
                    p.path
                ),
            ));
        }
        let values = match &p.values {
            Some(vs) if vs.is_empty() => {
                return Err(InputError::field(
                    at("values"),
                    "must list at least one value",
                ))
            }
            Some(vs) => vs
                .iter()
                .map(|v| {
                    kind.accept(v).ok_or_else(|| {
                        InputError::field(
                            at("values"),
                            format!("{} is not {}, as {} is", v, kind.describe(), p.path),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        // Each design reads its own keys (README, "Parameter sweeps"): a grid the `values`; a
        // random or Latin hypercube design a range, `min` and `max` with `scale`, or else a
        // choice among `values`. A key the design does not read would be silently ignored, so
        // it is refused. `scale = "linear"` is the default and changes nothing, and the resolved
        // sweep (`sweep.toml`, read back by `--resume` and `merge`) writes it for every
        // parameter, so only `scale = "log"` counts as a scale given.
        let ranged = p.min.is_some() || p.max.is_some();
        let range_key = if p.min.is_some() { "min" } else { "max" };
        let range_keys = match (p.min, p.max) {
            (Some(_), Some(_)) => "`min` and `max`",
            (Some(_), None) => "`min`",
            _ => "`max`",
        };
        let log = p.scale == Scale::Log;
        match config.design {
            DesignKind::Grid if ranged => {
                return Err(InputError::field(
                    at(range_key),
                    format!(
                        "{} has {range_keys}, but a grid tries only the listed `values`; `min`, \
                         `max` and `scale` are a range for design = \"random\" or \
                         \"latin-hypercube\": list the values to try, or change the design",
                        p.path
                    ),
                ))
            }
            DesignKind::Grid if log => {
                return Err(InputError::field(
                    at("scale"),
                    format!(
                        "{} has scale = \"log\", but a grid tries the listed `values` as they \
                         are; `scale` goes with `min` and `max` in a random or latin-hypercube \
                         design: remove it, or list the values spaced as you want them",
                        p.path
                    ),
                ))
            }
            DesignKind::Random | DesignKind::LatinHypercube if !values.is_empty() && ranged => {
                return Err(InputError::field(
                    at("values"),
                    format!(
                        "{} has both `values` and {range_keys}: a {} design draws a number \
                         from a range (`min` and `max`, with `scale`) or picks one of the \
                         `values` (true/false, text, or a fixed list of numbers); give one or \
                         the other",
                        p.path,
                        config.design.name()
                    ),
                ))
            }
            DesignKind::Random | DesignKind::LatinHypercube if !values.is_empty() && log => {
                return Err(InputError::field(
                    at("scale"),
                    format!(
                        "{} has scale = \"log\" beside `values`: `scale` goes with a range \
                         (`min` and `max`), and a choice among `values` has none; remove it",
                        p.path
                    ),
                ))
            }
            _ => {}
        }
        let range = match config.design {
            DesignKind::Grid => {
                if values.is_empty() {
                    return Err(InputError::field(
                        at("values"),
                        "a grid needs the list of values to try",
                    ));
                }
                None
            }
            DesignKind::Random | DesignKind::LatinHypercube => match (p.min, p.max) {
                (Some(lo), Some(hi)) => {
                    if !kind.is_numeric() || kind == Kind::Bool {
                        return Err(InputError::field(
                            at("min"),
                            format!(
                                "{} is {}: list its choices in `values`",
                                p.path,
                                kind.describe()
                            ),
                        ));
                    }
                    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
                        return Err(InputError::field(
                            at("max"),
                            format!("the range must have min <= max, got min {lo}, max {hi}"),
                        ));
                    }
                    if p.scale == Scale::Log && lo <= 0.0 {
                        return Err(InputError::field(
                            at("min"),
                            format!("a log scale needs min above 0, got {lo}"),
                        ));
                    }
                    Some(match p.scale {
                        Scale::Linear => Range::Linear(lo, hi),
                        Scale::Log => Range::Log(lo, hi),
                    })
                }
                (None, None) if !values.is_empty() => Some(Range::Choice(values.len())),
                _ => return Err(InputError::field(
                    at("min"),
                    "random and Latin hypercube designs need min and max (or, for choices, values)",
                )),
            },
        };
        out.push(Parameter {
            path: p.path.clone(),
            kind,
            range,
            values,
        });
    }
    Ok(out)
}

/// The points of the design.
fn design_points(config: &SweepConfig, params: &[Parameter]) -> Result<Vec<Point>, InputError> {
    let points = match config.design {
        DesignKind::Grid => {
            if config.points.is_some() {
                return Err(InputError::field(
                    "points",
                    "a grid has one point per combination of values; `points` is for random and latin-hypercube designs",
                ));
            }
            let levels: Vec<usize> = params.iter().map(|p| p.values.len()).collect();
            let total = levels.iter().try_fold(1usize, |acc, &l| acc.checked_mul(l));
            if total.is_none_or(|t| t > MAX_POINTS) {
                return Err(InputError::field(
                    "parameters",
                    format!("the grid has more than {MAX_POINTS} points"),
                ));
            }
            design::grid(&levels)
                .into_iter()
                .map(|idx| {
                    idx.iter()
                        .zip(params)
                        .map(|(&i, p)| p.values[i].clone())
                        .collect()
                })
                .collect::<Vec<Vec<Value>>>()
        }
        DesignKind::Random | DesignKind::LatinHypercube => {
            let n = config.points.ok_or_else(|| {
                InputError::field("points", "random and latin-hypercube designs need `points`")
            })? as usize;
            if n == 0 || n > MAX_POINTS {
                return Err(InputError::field(
                    "points",
                    format!("must be from 1 to {MAX_POINTS}, got {n}"),
                ));
            }
            // A sampled design draws from ranges; a parameter given only as a list of values
            // has none.
            let ranges = params
                .iter()
                .map(|p| {
                    p.range.as_ref().ok_or_else(|| {
                        InputError::field(
                            format!("parameters.{}", p.path),
                            "random and latin-hypercube designs need a range (`min` and `max`) or `values` for every parameter",
                        )
                    })
                })
                .collect::<Result<Vec<&Range>, InputError>>()?;
            let quantiles = if config.design == DesignKind::Random {
                design::random(n, params.len(), config.seed)
            } else {
                design::latin_hypercube(n, params.len(), config.seed)
            };
            quantiles
                .into_iter()
                .map(|q| {
                    q.iter()
                        .zip(params.iter().zip(&ranges))
                        .map(|(&u, (p, range))| value_of(p, range, u))
                        .collect()
                })
                .collect()
        }
    };
    Ok(points
        .into_iter()
        .enumerate()
        .map(|(id, values)| Point { id, values })
        .collect())
}

/// The value of parameter `p` at quantile `u` of its `range`.
fn value_of(p: &Parameter, range: &Range, u: f64) -> Value {
    let x = range.at(u);
    match (range, p.kind) {
        (Range::Choice(_), _) => p.values[x as usize].clone(),
        (_, Kind::Integer) => Value::Integer(x.round() as i64),
        _ => Value::Float(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Result<Sweep, InputError> {
        Sweep::from_toml(text, None)
    }

    #[test]
    fn points_share_the_base_network_files_instead_of_reading_them_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.csv"), "source,target\n0,1\n1,2\n").unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "[network]\nkind = \"file\"\nedges = \"e.csv\"\n",
        )
        .unwrap();
        let file = dir.path().join("sw.toml");
        let text = "base = \"base.toml\"\n[[parameters]]\npath = \"steps\"\nvalues = [2, 3]\n";
        let sweep = Sweep::from_toml(text, Some(&file)).unwrap();
        let shared = sweep.files.clone().expect("the base reads network files");
        for point in &sweep.points {
            let scenario = sweep.scenario(point).unwrap();
            assert!(Arc::ptr_eq(scenario.files.as_ref().unwrap(), &shared));
        }
    }

    #[test]
    fn fields_the_network_files_decide_cannot_be_swept() {
        // Every point took its schools (and a region column's regions) from the files, so the
        // swept values were replaced without a word and every point ran the same scenario.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.csv"), "source,target\na,b\n").unwrap();
        std::fs::write(dir.path().join("n.csv"), "id,region\na,x\nb,y\nc,x\n").unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "[network]\nkind = \"file\"\nedges = \"e.csv\"\nnodes = \"n.csv\"\n",
        )
        .unwrap();
        let file = dir.path().join("sw.toml");
        for path in ["network.schools", "network.regions"] {
            let text = format!(
                "base = \"base.toml\"\n[[parameters]]\npath = \"{path}\"\nvalues = [2, 3]\n"
            );
            let e = Sweep::from_toml(&text, Some(&file)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("parameters[0].path"), "{e}");
            assert!(
                e.message
                    .contains("taken from the base scenario's network files"),
                "{e}"
            );
        }
        let text = "base = \"base.toml\"\n[[parameters]]\npath = \"steps\"\nvalues = [2, 3]\n";
        Sweep::from_toml(text, Some(&file)).unwrap();
    }

    #[test]
    fn an_empty_or_folder_base_is_an_error_at_base() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sw.toml");
        for base in ["", "."] {
            let text = format!(
                "seed = 1\nbase = \"{base}\"\n[[parameters]]\npath = \"steps\"\nvalues = [2]\n"
            );
            let e = Sweep::from_toml(&text, Some(&file)).unwrap_err();
            assert_eq!((e.field.as_deref(), e.line), (Some("base"), Some(2)), "{e}");
            assert_eq!(e.file.as_deref(), Some(file.as_path()));
        }
    }

    #[test]
    fn paths_reach_fields_and_strategies_by_name_or_index() {
        let s = sweep(
            "design = \"grid\"\n[[parameters]]\npath = \"strategies.cluster.hub_share\"\nvalues = [0.1, 0.3]\n\
             [[parameters]]\npath = \"strategies[1].pilots\"\nvalues = [4, 8, 16]\n",
        )
        .unwrap();
        assert_eq!(s.points.len(), 6);
        let scn = s.scenario(&s.points[5]).unwrap();
        let cluster = &scn.config.strategies[2];
        assert_eq!(cluster.hub_share, 0.3);
        assert_eq!(scn.config.strategies[1].pilots, 16);
        assert_ne!(
            scn.config.seed,
            s.scenario(&s.points[4]).unwrap().config.seed
        );
    }

    #[test]
    fn an_invalid_point_names_all_its_values_and_the_parameter_to_blame() {
        // Five schools cannot hold the base's eight regions: the second parameter's fault, which
        // the first parameter's line was blamed for.
        for (text, culprit, line) in [
            (
                "[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [1.0, 2.0]\n\
                 [[parameters]]\npath = \"network.schools\"\nvalues = [5, 50]\n",
                1,
                4,
            ),
            (
                "[[parameters]]\npath = \"network.schools\"\nvalues = [5, 50]\n\
                 [[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [1.0, 2.0]\n",
                0,
                1,
            ),
        ] {
            let e = sweep(text).unwrap_err();
            assert_eq!(
                (e.field.clone(), e.line),
                (Some(format!("parameters[{culprit}]")), Some(line)),
                "{e}"
            );
            assert!(
                e.message.contains("mechanisms.dose.d50 = 1.0")
                    && e.message.contains("The cause: network.schools = 5"),
                "{e}"
            );
        }
        // Valid alone, invalid together: the combination is named, no single parameter.
        let e = sweep(
            "[base.network]\nschools = 40\nregions = 2\n\
             [[parameters]]\npath = \"network.schools\"\nvalues = [10]\n\
             [[parameters]]\npath = \"network.regions\"\nvalues = [20]\n",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("parameters"), "{e}");
        assert!(
            e.message
                .contains("network.schools = 10, network.regions = 20")
                && e.message.contains("their combination"),
            "{e}"
        );
    }

    #[test]
    fn swept_network_files_are_read_relative_to_the_base_scenario_like_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let net = dir.path().join("net");
        std::fs::create_dir(&net).unwrap();
        std::fs::write(net.join("a.csv"), "source,target\n0,1\n1,2\n").unwrap();
        std::fs::write(net.join("b.csv"), "source,target\n0,1\n0,2\n2,3\n").unwrap();
        std::fs::write(
            net.join("base.toml"),
            "[network]\nkind = \"file\"\nedges = \"a.csv\"\n",
        )
        .unwrap();
        let file = dir.path().join("sw.toml");
        let text = "base = \"net/base.toml\"\n[[parameters]]\npath = \"network.edges\"\n\
                    values = [\"a.csv\", \"b.csv\"]\n";
        let s = Sweep::from_toml(text, Some(&file)).unwrap();
        assert_eq!(s.scenario(&s.points[1]).unwrap().config.network.schools, 4);
        // The resolved sweep, read back from an output folder elsewhere, finds the same files.
        let again =
            Sweep::from_toml(s.resolved_toml(), Some(&dir.path().join("out/sweep.toml"))).unwrap();
        assert_eq!(again.points, s.points);
    }

    #[test]
    fn sets_the_sweep_replaces_are_refused_naming_the_sweeps_own_key() {
        let text =
            "seed = 4\nruns = 3\n[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.5]\n";
        let file = Path::new("sw.toml");
        for (set, own) in [
            ("runs=7", "`runs = 3` (sw.toml, line 2)"),
            ("seed=9", "`seed = 4` (sw.toml, line 1)"),
        ] {
            let e = Sweep::from_toml_with(text, Some(file), &[set.parse().unwrap()]).unwrap_err();
            assert_eq!(
                e.field.as_deref(),
                Some(format!("--set {set}").as_str()),
                "{e}"
            );
            assert!(
                e.message.contains(own) && e.message.contains("would change nothing"),
                "{e}"
            );
        }
        // Without the sweep's own runs, the base's runs is what every point runs: accepted.
        let text = "[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.5]\n";
        let s = Sweep::from_toml_with(text, None, &["runs=7".parse().unwrap()]).unwrap();
        assert_eq!(s.base_scenario().unwrap().config.runs, 7);
        let e = Sweep::from_toml_with(text, None, &["seed=9".parse().unwrap()]).unwrap_err();
        assert!(e.message.contains("its default, 1"), "{e}");
    }

    #[test]
    fn fields_that_decide_the_strategies_cannot_be_swept() {
        for (path, values) in [
            ("model", "[\"school\", \"threshold\"]"),
            ("strategies.cluster.name", "[\"a\", \"b\"]"),
            ("strategies[0].name", "[\"a\", \"b\"]"),
        ] {
            let e = sweep(&format!(
                "[[parameters]]\npath = \"{path}\"\nvalues = {values}\n"
            ))
            .unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.line),
                (Some("parameters[0].path"), Some(2)),
                "{e}"
            );
            assert!(e.message.contains("decides which strategies"), "{e}");
        }
    }

    #[test]
    fn pilot_ids_are_refused_with_one_message_whether_or_not_the_base_writes_them() {
        let path = "strategies.pilot-then-cascade.pilot_ids";
        for base in [
            "",
            "[[base.strategies]]\nname = \"pilot-then-cascade\"\npilot_ids = [\"0\"]\n",
        ] {
            let e = sweep(&format!(
                "{base}[[parameters]]\npath = \"{path}\"\nvalues = [[\"0\"], [\"1\"]]\n"
            ))
            .unwrap_err();
            assert_eq!(e.field.as_deref(), Some("parameters[0].path"), "{e}");
            assert!(
                e.message.contains("is a list of school ids") && e.message.contains("--set"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_sweeps_own_runs_is_checked_as_its_own() {
        let e = sweep("runs = 0\n[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.5]\n")
            .unwrap_err();
        assert_eq!((e.field.as_deref(), e.line), (Some("runs"), Some(1)), "{e}");
    }

    #[test]
    fn a_classic_base_refuses_school_model_fields() {
        let e = sweep(
            "base = { model = \"threshold\" }\n[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.5, 1.0]\n",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("parameters[0].path"), "{e}");
        assert!(e.message.contains("does not read it"), "{e}");
        // Its own fields are swept as before.
        sweep(
            "base = { model = \"threshold\" }\n[[parameters]]\npath = \"classic.threshold\"\nvalues = [0.1, 0.2]\n",
        )
        .unwrap();
    }

    #[test]
    fn bad_sweeps_name_the_parameter() {
        let err = |t: &str| sweep(t).unwrap_err();
        let e = err("[[parameters]]\npath = \"mechanisms.dose.d5O\"\nvalues = [1.0]\n");
        assert_eq!(e.field.as_deref(), Some("parameters[0].path"));
        assert_eq!(e.line, Some(2));
        let e = err("[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [\"high\"]\n");
        assert!(e.message.contains("is not a number"), "{e}");
        let e = err("[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = []\n");
        assert_eq!(e.field.as_deref(), Some("parameters[0].values"));
        let e = err("design = \"random\"\npoints = 5\n[[parameters]]\npath = \"mechanisms.dose.d50\"\nmin = 2.0\nmax = 1.0\n");
        assert!(e.message.contains("min <= max"), "{e}");
        let e = err("[[parameters]]\npath = \"mechanisms.visibility.bar\"\nvalues = [0.5, 1.5]\n");
        assert!(e.message.contains("invalid scenario"), "{e}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn runs_are_refused_as_a_parameter_with_the_sweeps_own_runs_as_the_way() {
        let e = sweep("runs = 4\n[[parameters]]\npath = \"runs\"\nvalues = [2, 3]\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("parameters[0].path"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message.contains("\"runs\" cannot be swept")
                && e.message.contains("sweep's own `runs"),
            "{e}"
        );
    }

    #[test]
    fn the_seed_is_refused_as_a_parameter_with_the_sweeps_own_seed_as_the_way() {
        // Every point's seed is derived from the sweep's: a swept seed would never run.
        for design in ["values = [1, 2]\n", "min = 1\nmax = 9\n"] {
            let kind = if design.starts_with("values") {
                ""
            } else {
                "design = \"random\"\npoints = 3\n"
            };
            let text = format!("seed = 3\n{kind}[[parameters]]\npath = \"seed\"\n{design}");
            let e = sweep(&text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("parameters[0].path"), "{e}");
            assert_eq!(e.line, Some(if kind.is_empty() { 3 } else { 5 }), "{e}");
            assert!(
                e.message.contains("cannot be swept") && e.message.contains("sweep's own `seed"),
                "{e}"
            );
        }
    }

    #[test]
    fn keys_of_another_design_are_refused_not_ignored() {
        let err = |t: &str| sweep(t).unwrap_err();
        let d50 = "[[parameters]]\npath = \"mechanisms.dose.d50\"\n";
        // Random and Latin hypercube: a range or values, not both (the values were ignored).
        for design in ["random", "latin-hypercube"] {
            let head = format!("design = \"{design}\"\npoints = 4\n{d50}");
            for range in ["min = 0.5\nmax = 1.0\n", "min = 0.5\n", "max = 1.0\n"] {
                let e = err(&format!("{head}{range}values = [0.1, 0.2]\n"));
                assert_eq!(e.field.as_deref(), Some("parameters[0].values"), "{e}");
                assert!(
                    e.message
                        .contains("mechanisms.dose.d50 has both `values` and")
                        && e.message.contains("give one or the other"),
                    "{e}"
                );
            }
            let e = err(&format!("{head}values = [0.1, 0.2]\nscale = \"log\"\n"));
            assert_eq!(e.field.as_deref(), Some("parameters[0].scale"), "{e}");
            assert_eq!(e.line, Some(6), "{e}");
            // The default scale beside values changes nothing and is what sweep.toml writes.
            sweep(&format!("{head}values = [0.1, 0.2]\nscale = \"linear\"\n")).unwrap();
        }
        // A grid: values only (min and max, or a log scale, were ignored).
        let e = err(&format!("{d50}values = [0.1, 0.2]\nmin = 0.1\nmax = 0.2\n"));
        assert_eq!(e.field.as_deref(), Some("parameters[0].min"), "{e}");
        assert_eq!(e.line, Some(4), "{e}");
        assert!(
            e.message.contains("a grid tries only the listed `values`"),
            "{e}"
        );
        let e = err(&format!("{d50}min = 0.1\nmax = 0.2\n"));
        assert_eq!(e.field.as_deref(), Some("parameters[0].min"), "{e}");
        let e = err(&format!("{d50}values = [0.1, 0.2]\nscale = \"log\"\n"));
        assert_eq!(e.field.as_deref(), Some("parameters[0].scale"), "{e}");
        assert!(
            e.message.contains("a grid tries the listed `values`"),
            "{e}"
        );
        sweep(&format!("{d50}values = [0.1, 0.2]\nscale = \"linear\"\n")).unwrap();
    }

    #[test]
    fn sampled_designs_respect_kinds_and_ranges() {
        let s = sweep(
            "design = \"latin-hypercube\"\npoints = 12\nseed = 4\n\
             [[parameters]]\npath = \"mechanisms.dose.d50\"\nmin = 0.1\nmax = 2.0\nscale = \"log\"\n\
             [[parameters]]\npath = \"strategies.pilot-then-cascade.pilots\"\nmin = 2\nmax = 20\n\
             [[parameters]]\npath = \"mechanisms.contagion.form\"\nvalues = [\"simple\", \"complex\"]\n",
        )
        .unwrap();
        assert_eq!(s.points.len(), 12);
        for p in &s.points {
            let d50 = p.values[0].as_float().unwrap();
            assert!((0.1..=2.0).contains(&d50));
            let pilots = p.values[1].as_integer().unwrap();
            assert!((2..=20).contains(&pilots));
            assert!(matches!(p.values[2].as_str(), Some("simple" | "complex")));
        }
        // Same file, same points; the resolved sweep reloads to the same hash.
        let again = Sweep::from_toml(s.resolved_toml(), None).unwrap();
        assert_eq!(again.points, s.points);
        assert_eq!(again.hash(), s.hash());
    }
}
