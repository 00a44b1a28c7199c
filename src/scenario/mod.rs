//! Scenarios: what is simulated, read from TOML.
//!
//! Two stages, as in ripgrep's configuration: [`ScenarioConfig`] is the file as written (serde,
//! unknown keys rejected, every field defaulted), and [`Scenario`] is the validated result that the
//! rest of the crate trusts. [`Scenario::load`] is the one way to make one ([`Scenario::from_file`],
//! [`Scenario::from_toml`] and the others call it): it applies `--set` changes ([`set`]) and reads
//! distributions ([`uncertain`]) before validation, and returns an [`InputError`] naming file,
//! line, column and field (or the `--set` flag) for any bad input.
//! Network files named by the scenario are read here too, so that every input error surfaces before
//! a run starts or an output file is created.
//!
//! ```
//! let scenario = domino::Scenario::from_toml("runs = 10\n[budget]\nper_school = 0.2\n", None).unwrap();
//! assert_eq!(scenario.config().runs, 10);
//! assert_eq!(scenario.budget_per_term(), 0.2 * 400.0);
//! ```

pub mod budget;
pub mod config;
pub mod files;
pub mod laws;
pub(crate) mod locate;
pub mod path;
pub mod set;
pub(crate) mod suggest;
pub mod uncertain;
pub mod unused;
mod validate;
pub use validate::MAX_SCHOOLS;
pub(crate) use validate::SEED_RANGE;

pub use config::*;

use crate::error::InputError;
use files::{EdgeList, NodeTable};
pub use laws::SchoolLaws;
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use uncertain::Uncertain;

/// The built-in default scenario (`scenarios/default.toml`), embedded in the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// A validated scenario, ready to run.
///
/// Only the constructors make one ([`Scenario::from_toml`], [`Scenario::from_file`],
/// [`Scenario::load`], [`Scenario::builtin_default`], and the methods that return a changed copy,
/// such as [`Scenario::edited`]), and each validates what it builds; the fields are read through
/// accessors, so a `Scenario` outside this crate is always a validated one.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The resolved configuration: defaults filled in, strategy kinds resolved.
    pub(crate) config: ScenarioConfig,
    /// The samplers of school attributes, built from `config` when it was validated.
    pub(crate) laws: SchoolLaws,
    /// Network and node data read from files (`network.kind = "file"`), shared by the scenarios
    /// of a sweep's points rather than read again for each.
    pub(crate) files: Option<Arc<NetworkFiles>>,
    /// Where the scenario came from (`None` for the built-in default or a string).
    pub(crate) source: Option<PathBuf>,
    /// The `--set PATH=VALUE` arguments applied to the file, as given (recorded in manifests).
    pub(crate) sets: Vec<String>,
    /// The fields written as distributions; `config` holds their centres.
    pub(crate) uncertain: Uncertain,
    /// The school model's tables ([`SCHOOL_MODEL_TABLES`]) the user wrote, in the file or with
    /// `--set`: a classic model does not read them ([`Scenario::classic_notes`]).
    pub(crate) school_tables_written: Vec<String>,
}

/// The tables only the school model reads; a classic model ignores them (docs/model.md,
/// section 10).
pub(crate) const SCHOOL_MODEL_TABLES: [&str; 6] = [
    "schools",
    "innovation",
    "mechanisms",
    "budget",
    "strategies",
    "objective",
];

/// Places an error found while loading `src`: parsed from the file's own text (`generated`
/// false), by its span as usual; else by its field, on the `--set` flag that set it or on the
/// file's line of that field.
fn place(
    e: InputError,
    src: &str,
    path: Option<&Path>,
    sets: &[set::Setting],
    applied: &[set::Applied],
    generated: bool,
) -> InputError {
    // An error already placed in another file (a network CSV names its own file and line) stays
    // where it is, whatever text the scenario was read from.
    if e.file.is_some() && e.file.as_deref() != path {
        return e;
    }
    if !generated {
        return place_in_file(e, src, path);
    }
    let field = e.field.clone().unwrap_or_default();
    if let Some((s, _)) = sets
        .iter()
        .zip(applied)
        .rev()
        .find(|(_, a)| a.covers(&field))
    {
        return InputError::field(s.flag(), e.message);
    }
    // A check across fields (turnover_rate x mandate_abandon_multiplier; edges required by
    // kind = "file") names one field, which the user may not have set: when a `--set` of
    // another field of the same table, named in the message, caused it, the flag is named, and
    // where the named field's value came from.
    let table_of = |f: &str| f.rsplit_once('.').map(|(t, _)| t.to_string());
    let culprit = sets.iter().rev().find(|s| {
        let key = s.path.rsplit('.').next().unwrap_or(&s.path);
        table_of(&s.path) == table_of(&field)
            && e.message.contains(key)
            && !field.is_empty()
            && s.path != field
    });
    if let Some(s) = culprit {
        let in_file = src
            .parse::<toml::Table>()
            .ok()
            .is_some_and(|t| path::get(&t, &field).is_some());
        let origin = match locate::locate(src, &field) {
            Some((line, _)) if in_file => match path {
                Some(p) => format!("set in {} at line {line}", p.display()),
                None => format!("set at line {line}"),
            },
            _ if e.message.starts_with("required") => "not set".to_string(),
            _ => "the default".to_string(),
        };
        // A min/max pair whose min was set: said from the min's side, with the max's value.
        if e.message.starts_with(&validate::at_least(&s.path)) {
            let value = if in_file {
                src.parse::<toml::Table>()
                    .ok()
                    .and_then(|t| path::get(&t, &field))
            } else {
                toml::Table::try_from(ScenarioConfig::default())
                    .ok()
                    .and_then(|t| path::get(&t, &field))
            };
            let value = value.map_or(String::new(), |v| format!("{v}, "));
            return InputError::field(
                s.flag(),
                format!("must be at most {field} ({value}{origin})"),
            );
        }
        return InputError::field(s.flag(), format!("{field} ({origin}): {}", e.message));
    }
    place_in_file(
        InputError {
            line: None,
            column: None,
            file: None,
            ..e
        },
        src,
        path,
    )
}

/// `text` (lower case) with the accents of Latin letters removed (`süd` -> `sud`), to notice
/// names that differ only by them; other characters are kept.
fn fold_accents(text: &str) -> String {
    const FOLDS: [(&str, char); 7] = [
        ("àáâãäåā", 'a'),
        ("çćč", 'c'),
        ("èéêëēėę", 'e'),
        ("ìíîïī", 'i'),
        ("ñń", 'n'),
        ("òóôõöøō", 'o'),
        ("ùúûüū", 'u'),
    ];
    text.chars()
        .map(|c| {
            FOLDS
                .iter()
                .find(|(from, _)| from.contains(c))
                .map_or(c, |&(_, to)| to)
        })
        .collect()
}

/// `""` for one, `"s"` for any other count.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `x` exactly, as Rust writes it (`0.000001`, `2.5`), except that a number from 10^12 up or below
/// 10^-6 is written in exponent form (`5e12`, `1e-300`), not as hundreds of digits: the values and
/// bounds range checks quote back.
pub(crate) fn number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e12).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// `x` in exponent form with at most `decimals` decimals in the mantissa and none of its
/// trailing zeros (`1.5e-9`, `5e12`): the one writer of numbers too small or too large to write
/// out, for errors and labels here and for tables and pages in [`crate::report`].
pub(crate) fn exponent_text(x: f64, decimals: usize) -> String {
    let t = format!("{x:.decimals$e}");
    let (mantissa, exponent) = t.split_once('e').unwrap_or((&t, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}e{exponent}")
}

/// `x` with at most `decimals` decimals and no trailing zeros (`40`, `0.1`), and `0` for a value
/// that rounds to minus zero: numbers quoted back to the user in errors and labels. A number from
/// 10^12 up, or one too small to show in `decimals` decimals, is written in exponent form with as
/// many digits (`5e12`, `1.5e-9`), not as hundreds of digits or as `0`.
fn short_number(x: f64, decimals: usize) -> String {
    let tiny = x != 0.0 && x.abs() < 0.5 * 10f64.powi(-(decimals as i32));
    if x.is_finite() && (x.abs() >= 1e12 || tiny) {
        return exponent_text(x, decimals);
    }
    let t = format!("{x:.decimals$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.')
    } else {
        &t
    };
    if t == "-0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// The TOML parser's words for a whole number beyond 64 bits ("number too large to fit in
/// target type", or "too small").
const TOO_LARGE: &str = "to fit in target type";

/// For the text of a whole number too large (or too negative) for TOML, the nearest one TOML
/// holds; `None` for any other text.
fn overflowing_integer(text: &str) -> Option<i64> {
    let digits = text.trim().replace('_', "");
    let (negative, magnitude) = match digits.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, digits.strip_prefix('+').unwrap_or(&digits)),
    };
    let whole = !magnitude.is_empty() && magnitude.bytes().all(|b| b.is_ascii_digit());
    (whole && digits.parse::<i64>().is_err()).then_some(if negative { i64::MIN } else { i64::MAX })
}

/// The message for the whole number `given`, beyond TOML's, when the field's own check takes
/// the largest one TOML holds (the seed, or a field with no upper bound).
fn beyond_toml(field: Option<&str>, given: &str) -> String {
    if field.is_some_and(|f| f == "seed" || f.ends_with(" seed") || f.contains("seed=")) {
        return format!("{SEED_RANGE}, got {}", given.trim());
    }
    format!(
        "must be a whole number from {} to {} (the most a scenario holds), got {}",
        i64::MIN,
        i64::MAX,
        given.trim()
    )
}

/// `e` with the stand-in `big` written as the number `given`, wherever the message quotes it
/// (as a whole number, or as a number with a fraction).
fn with_number(mut e: InputError, big: i64, given: &str) -> InputError {
    for shown in [
        big.to_string(),
        format!("{:e}", big as f64),
        format!("{}", big as f64),
    ] {
        e.message = e.message.replace(&shown, given.trim());
    }
    e
}

/// Validates a scenario with the uncertain fields `u` at the ends of their supports
/// ([`Uncertain::corners`]): `valid` checks one set of values. An error names the field whose end
/// is invalid, the value its draws may reach and the law's range.
fn blame_support(
    u: &Uncertain,
    valid: impl Fn(&[f64]) -> Result<(), InputError>,
) -> Result<(), InputError> {
    for corner in u.corners() {
        if let Err(e) = valid(&corner) {
            // The field the error names, if it is uncertain; else (a rule joining it to
            // another field, say) the first uncertain field whose other end makes this
            // corner valid, since its range is what the scenario cannot take.
            let other_end = |j: usize| {
                let p = &u.params[j];
                let (lo, hi) = p.law.ends();
                let (lo, hi) = (p.value(lo), p.value(hi));
                let mut c = corner.clone();
                c[j] = if c[j] == hi { lo } else { hi };
                c
            };
            let j = u
                .params
                .iter()
                .position(|p| e.field.as_deref() == Some(p.path.as_str()))
                .or_else(|| (0..u.params.len()).find(|&j| valid(&other_end(j)).is_ok()))
                .unwrap_or(0);
            let short = |x: f64| short_number(x, 6);
            let p = &u.params[j];
            let (lo, hi) = p.law.ends();
            let others: Vec<String> = u
                .params
                .iter()
                .zip(&corner)
                .filter(|(q, _)| q.path != p.path)
                .map(|(q, v)| format!("{} = {}", q.path, short(*v)))
                .collect();
            let unbounded = matches!(
                p.law,
                uncertain::Law::Normal { .. } | uncertain::Law::LogNormal { .. }
            );
            let problem = match &e.field {
                Some(f) if f == &p.path => e.message.clone(),
                Some(f) => format!("{f}: {}", e.message),
                None => e.message.clone(),
            };
            return Err(InputError::field(
                    p.path.clone(),
                    format!(
                        "draws may reach {}{} (the law is checked from {} to {}{}), where the scenario is invalid: {problem}",
                        short(corner[j]),
                        if others.is_empty() { String::new() } else { format!(" with {}", others.join(", ")) },
                        short(lo),
                        short(hi),
                        if unbounded {
                            format!(", {} standard deviations about its centre, and draws beyond are clamped", uncertain::TAIL_SDS)
                        } else {
                            String::new()
                        }
                    ),
                ));
        }
    }
    Ok(())
}

/// `config` (resolved or not) with the uncertain fields `u` at `values` (one per field, in order),
/// read back as a file would be.
fn substitute(
    config: &ScenarioConfig,
    u: &Uncertain,
    values: &[f64],
) -> Result<ScenarioConfig, InputError> {
    let mut table = toml::Table::try_from(config).map_err(|e| InputError::msg(e.to_string()))?;
    for (p, &v) in u.params.iter().zip(values) {
        let slot = path::get_mut(&mut table, &p.path)
            .ok_or_else(|| InputError::field(p.path.clone(), "the path does not exist"))?;
        *slot = p.toml(v);
    }
    table
        .try_into()
        .map_err(|e: toml::de::Error| InputError::msg(e.message().to_string()))
}

/// Places an error at its field's line in the scenario text. The built-in default gives no line:
/// it is no file the user has, so "line 17" would send them to the wrong place (a change with
/// `--set` that makes it invalid is named by its flag, in [`place`]).
fn place_in_file(e: InputError, src: &str, path: Option<&Path>) -> InputError {
    if path.is_none() && e.file.is_none() && src == DEFAULT_SCENARIO {
        return e.unplaced();
    }
    locate::place(e, src, path)
}

/// Which of the settings that network files decide the user wrote, in the scenario or with
/// `--set`: such a value must agree with the files (see `read_network_files`). Defaults, the
/// built-in default scenario's own values and text domino wrote out are not "written".
#[derive(Debug, Clone, Copy, Default)]
struct Written {
    schools: bool,
    regions: bool,
}

/// Network data read from CSV files.
#[derive(Debug, Clone)]
pub struct NetworkFiles {
    /// The ties.
    pub edges: EdgeList,
    /// School attributes given by the node table, if any.
    pub nodes: Option<NodeTable>,
    /// The edge list's path as opened (joined to the scenario's folder).
    pub edges_path: PathBuf,
    /// The node table's path as opened, if any.
    pub nodes_path: Option<PathBuf>,
}

impl Scenario {
    /// The built-in default scenario.
    pub fn builtin_default() -> Self {
        Self::from_toml(DEFAULT_SCENARIO, None).expect("the built-in default scenario is valid")
    }

    /// Reads and validates a scenario file. A file with no content is valid TOML setting
    /// nothing, so it reads as the built-in default scenario (`domino compare empty.toml` runs
    /// it); an output folder's `scenario.toml`, which domino always writes whole, is checked
    /// against the folder's `manifest.json` when a report reads it.
    pub fn from_file(path: &Path) -> Result<Self, InputError> {
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::msg(format!("cannot read scenario file: {e}")).in_file(path)
        })?;
        Self::from_toml(files::utf8(&bytes, Some(path))?, Some(path))
    }

    /// Parses and validates scenario text; `path` (if any) names the file in errors and anchors
    /// relative network file paths.
    pub fn from_toml(src: &str, path: Option<&Path>) -> Result<Self, InputError> {
        Self::load(src, path, None, &[])
    }

    /// As [`Scenario::from_toml`], but network files already read (`reuse`) are taken as they are
    /// when the scenario names the same paths, instead of being read and checked again: a sweep
    /// reads its base scenario's CSV files once for all of its points.
    ///
    /// The text is domino's own, written out from a resolved configuration (an edited copy, a
    /// sweep's point), so its `network.schools` and `network.regions` are what the network files
    /// gave, not values a user wrote beside them ([`Written`]).
    pub(crate) fn from_toml_reusing(
        src: &str,
        path: Option<&Path>,
        reuse: Option<&Arc<NetworkFiles>>,
    ) -> Result<Self, InputError> {
        Self::load_text(src, path, reuse, &[], false)
    }

    /// Reads and validates a scenario file with `--set` changes applied.
    pub fn from_file_with(path: &Path, sets: &[set::Setting]) -> Result<Self, InputError> {
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::msg(format!("cannot read scenario file: {e}")).in_file(path)
        })?;
        // An empty `nodes.csv` is valid (empty) TOML and would run the built-in default: a file
        // named .csv is never a scenario, whatever it holds.
        if bytes.iter().all(u8::is_ascii_whitespace)
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            return Err(locate::csv_not_scenario("").in_file(path));
        }
        Self::load(files::utf8(&bytes, Some(path))?, Some(path), None, sets)
    }

    /// The one loader: parses scenario text `src` (from `path`, if any), applies the `--set`
    /// changes `sets` to its TOML before anything is validated, and validates the result. Errors
    /// about a set field name the flag; errors about the file name its line.
    pub fn load(
        src: &str,
        path: Option<&Path>,
        reuse: Option<&Arc<NetworkFiles>>,
        sets: &[set::Setting],
    ) -> Result<Self, InputError> {
        // A whole number beyond what TOML holds (`--set seed=18446744073709551615`) is no value
        // of any field: it is tried as the largest one that is, so that the field's own check
        // gives its range, and reported with the number given.
        if let Some((k, given, big)) = sets.iter().enumerate().find_map(|(k, s)| {
            let text = s.value.as_str()?;
            overflowing_integer(text).map(|big| (k, text.to_string(), big))
        }) {
            let mut clamped = sets.to_vec();
            clamped[k].value = toml::Value::Integer(big);
            return Err(match Self::load_text(src, path, reuse, &clamped, true) {
                Err(e) => with_number(e, big, &given),
                Ok(_) => {
                    InputError::field(sets[k].flag(), beyond_toml(Some(&sets[k].path), &given))
                }
            });
        }
        Self::load_text(src, path, reuse, sets, true)
    }

    /// [`Scenario::load`]; `users_text` is false for text domino wrote out from a resolved
    /// configuration (see [`Scenario::from_toml_reusing`]).
    fn load_text(
        src: &str,
        path: Option<&Path>,
        reuse: Option<&Arc<NetworkFiles>>,
        sets: &[set::Setting],
        users_text: bool,
    ) -> Result<Self, InputError> {
        // The text is parsed once into a table; the located parse below runs again only to
        // report an error (a sweep loads one scenario per point, so this is its cost).
        // Serde reads a TOML array into a struct by position (`schools = [100.0, 0.9]` would set
        // the first two fields of `[schools]`), so every key that holds a table in the
        // scenario's shape must hold a table in the file, and every entry of `[[strategies]]`
        // and `[[seedings]]` too (`check_shape`). Text that does not parse is left to the
        // located parse, which reports it with its position.
        let parsed = match src.parse::<toml::Table>() {
            Ok(t) => Some(t),
            Err(e) => {
                if let Some(span) = e.span().filter(|_| e.message().contains(TOO_LARGE)) {
                    return Err(Self::overflow_in_file(
                        src, path, reuse, sets, users_text, span,
                    ));
                }
                None
            }
        };
        if let Some(file) = &parsed {
            check_shape(file, shape(), "").map_err(|e| place_in_file(e, src, path))?;
        }
        let mut applied = Vec::new();
        let mut uncertain = Uncertain::default();
        // Without changes or distributions the file's own text is parsed, so that parser errors
        // keep its spans; else the changed table is written out and parsed, and errors are
        // placed by their field (see `place`).
        let mut generated = None;
        if let Some(file) = &parsed {
            if !sets.is_empty() || uncertain::any_in(file) {
                let mut table = file.clone();
                let shape = shape();
                let defaults = toml::Table::try_from(ScenarioConfig::default())
                    .expect("the default scenario serialises");
                for s in sets {
                    applied.push(set::apply(&mut table, shape, &defaults, s)?);
                }
                uncertain = Uncertain::extract(&mut table, shape)
                    .map_err(|e| place(e, src, path, sets, &applied, true))?;
                generated =
                    Some(toml::to_string(&table).map_err(|e| InputError::msg(e.to_string()))?);
            }
        }
        // The built-in default's keys are no user's: only `--set` writes over them.
        let file_is_users = users_text && !(path.is_none() && src == DEFAULT_SCENARIO);
        let written = |key: &str| {
            let in_file = parsed
                .as_ref()
                .and_then(|t| t.get("network"))
                .and_then(toml::Value::as_table)
                .is_some_and(|n| n.contains_key(key));
            let field = format!("network.{key}");
            (file_is_users && in_file) || (users_text && applied.iter().any(|a| a.covers(&field)))
        };
        let written = Written {
            schools: written("schools"),
            regions: written("regions"),
        };
        let school_tables_written: Vec<String> = SCHOOL_MODEL_TABLES
            .iter()
            .filter(|table| {
                let in_file = parsed.as_ref().is_some_and(|t| t.contains_key(**table));
                let set = sets
                    .iter()
                    .any(|s| path::segments(&s.path).first().map(|g| g.key) == Some(**table));
                (file_is_users && in_file) || (users_text && set)
            })
            .map(|table| table.to_string())
            .collect();
        let place = |e: InputError| place(e, src, path, sets, &applied, generated.is_some());
        let mut config: ScenarioConfig = match (&generated, parsed) {
            (Some(text), _) => locate::from_str(text, None).map_err(place)?,
            (None, Some(table)) => match toml::Value::Table(table).try_into() {
                Ok(config) => config,
                // The located parse gives the error its line and field.
                Err(_) => locate::from_str(src, path)?,
            },
            (None, None) => locate::from_str(src, path)?,
        };
        if config.name.is_empty() {
            config.name = path
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "default".to_string());
        }
        let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
        let validated = |mut config: ScenarioConfig| {
            validate::resolve(&mut config)?;
            let files = if config.network.kind == NetworkKind::File {
                let files = Self::read_network_files(&mut config, base, reuse, written)?;
                validate::check_seed_nodes(&config.seedings, config.network.schools)?;
                Some(files)
            } else {
                None
            };
            derived_checks(&config, files.as_deref())?;
            validate::pilots(&config)?;
            validate::pilot_ids(&mut config, files.as_deref().and_then(|f| f.nodes.as_ref()))?;
            let laws = SchoolLaws::new(&config.schools, &config.innovation)?;
            Ok::<_, InputError>((config, files, laws))
        };
        // Kept only for the error path below, which needs the unvalidated config again.
        let unvalidated = (!uncertain.is_empty()).then(|| config.clone());
        let (config, files, laws) = match validated(config) {
            Ok(v) => v,
            // A law centred on a value the scenario cannot take (a uniform from -5 to 5 for a
            // field above 0): the error is about its range, as for any law with an invalid end,
            // not about a centre the user never wrote.
            // An error that no end of the laws mends is no law's: it is reported as it is.
            Err(e) if unvalidated.is_some() => {
                let config = unvalidated.expect("kept when uncertain");
                let at =
                    |values: &[f64]| validated(substitute(&config, &uncertain, values)?).map(drop);
                // An error about an uncertain field is its law's, even when no end mends it (a
                // uniform from -1 to 5 for a share): "draws may reach", not the bare centre.
                let about_a_law = uncertain
                    .params
                    .iter()
                    .any(|p| e.field.as_deref() == Some(p.path.as_str()));
                let e = if about_a_law || uncertain.corners().iter().any(|c| at(c).is_ok()) {
                    blame_support(&uncertain, at).err().unwrap_or(e)
                } else {
                    e
                };
                return Err(place(e));
            }
            Err(e) => return Err(place(e)),
        };
        let scenario = Self {
            config,
            laws,
            files,
            source: path.map(Path::to_path_buf),
            sets: sets.iter().map(ToString::to_string).collect(),
            uncertain,
            school_tables_written,
        };
        scenario.check_supports().map_err(place)?;
        Ok(scenario)
    }

    /// The error for a whole number at `span` of `src` too large for TOML (`runs =
    /// 99999999999999999999`): the file is loaded again with the largest number TOML holds there,
    /// so that the field's own check names the field and its range, and the error gives the
    /// number as written, at its place in the file.
    fn overflow_in_file(
        src: &str,
        path: Option<&Path>,
        reuse: Option<&Arc<NetworkFiles>>,
        sets: &[set::Setting],
        users_text: bool,
        span: std::ops::Range<usize>,
    ) -> InputError {
        let start = span.start.min(src.len());
        let len = src[start..]
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(src.len() - start);
        let given = &src[start..start + len];
        let big = overflowing_integer(given).unwrap_or(i64::MAX);
        let fixed = format!("{}{big}{}", &src[..start], &src[start + len..]);
        let (line, col) = locate::line_col(src, start);
        let field = locate::path_at(&fixed, start);
        let e = match Self::load_text(&fixed, path, reuse, sets, users_text) {
            Err(e) if e.field == field => with_number(e, big, given),
            _ => InputError::msg(beyond_toml(field.as_deref(), given)),
        };
        let mut e = e.at(line, Some(col));
        e.field = field;
        match path {
            Some(p) => e.in_file(p),
            None => e,
        }
    }

    /// Validates the scenario with its uncertain fields at the ends of their supports
    /// ([`Uncertain::corners`]), so that every draw makes a valid scenario. An error names the
    /// field whose end is invalid.
    fn check_supports(&self) -> Result<(), InputError> {
        blame_support(&self.uncertain, |values| self.with_values(values).map(drop))
    }

    /// This scenario with the uncertain fields at `values` (one per field, in order) and no
    /// uncertain fields left, validated.
    fn with_values(&self, values: &[f64]) -> Result<Scenario, InputError> {
        let mut config = substitute(&self.config, &self.uncertain, values)?;
        validate::resolve(&mut config)?;
        if config.network.kind == NetworkKind::File {
            validate::check_seed_nodes(&config.seedings, config.network.schools)?;
        }
        derived_checks(&config, self.files.as_deref())?;
        validate::pilots(&config)?;
        // The named pilots' indices are not written to TOML: fill them in again.
        validate::pilot_ids(&mut config, self.node_table())?;
        let laws = SchoolLaws::new(&config.schools, &config.innovation)?;
        Ok(Scenario {
            config,
            laws,
            files: self.files.clone(),
            source: self.source.clone(),
            sets: self.sets.clone(),
            uncertain: Uncertain::default(),
            school_tables_written: self.school_tables_written.clone(),
        })
    }

    /// The scenario of run `run`: without uncertain fields, this one; with them, a copy with the
    /// run's draws ([`Uncertain::draw`]) in place, which the world and every strategy of the run
    /// use. Loading checked the ends of every law's support (`check_supports`), so an error here
    /// is a combination of draws inside the supports that no single end reaches; it names the
    /// run and the field.
    pub fn for_run(&self, run: u64) -> Result<std::borrow::Cow<'_, Scenario>, InputError> {
        if self.uncertain.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let values = self.uncertain.draw(self.config.seed, run);
        self.with_values(&values)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| InputError {
                message: format!("with the values drawn for run {run}: {}", e.message),
                ..e
            })
    }

    /// The validated configuration.
    pub fn config(&self) -> &ScenarioConfig {
        &self.config
    }

    /// The samplers of school attributes, built when the scenario was validated.
    pub fn laws(&self) -> &SchoolLaws {
        &self.laws
    }

    /// The network and node data read from files, if the network is a file.
    pub fn files(&self) -> Option<&Arc<NetworkFiles>> {
        self.files.as_ref()
    }

    /// The file the scenario was read from (`None` for the built-in default or a string).
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The fields written as distributions.
    pub fn uncertain(&self) -> &Uncertain {
        &self.uncertain
    }

    /// A copy with its configuration changed by `edit`, validated again as a file would be (its
    /// network files are reused as read; fields written as distributions keep their
    /// distributions). This is the one way to change a scenario's values in code: a `Scenario` is
    /// always a validated one.
    ///
    /// A field written as a distribution holds its law's centre in [`Scenario::config`], and the
    /// law is what runs: an edit that changes such a field, or removes it (with the strategy that
    /// holds it), is an error naming the field, rather than an edit silently undone by the law.
    ///
    /// ```
    /// use domino::scenario::Scenario;
    /// let s = Scenario::builtin_default();
    /// let fewer = s.edited(|c| c.runs = 10).unwrap();
    /// assert_eq!(fewer.config().runs, 10);
    /// assert!(s.edited(|c| c.runs = 0).is_err());
    /// ```
    pub fn edited(&self, edit: impl FnOnce(&mut ScenarioConfig)) -> Result<Scenario, InputError> {
        let serialise = |config: &ScenarioConfig| {
            toml::Table::try_from(config)
                .map_err(|e| InputError::msg(format!("the scenario does not serialise: {e}")))
        };
        let mut config = self.config.clone();
        edit(&mut config);
        let mut table = serialise(&config)?;
        if !self.uncertain.is_empty() {
            let before = serialise(&self.config)?;
            for p in &self.uncertain.params {
                let was = path::get(&before, &p.path);
                let now = path::get(&table, &p.path);
                if now != was {
                    let what = match now {
                        Some(v) => format!("the edit sets it to {v}"),
                        None => "the edit removes it".to_string(),
                    };
                    return Err(InputError::field(
                        &p.path,
                        format!(
                            "is a distribution in this scenario (centre {}), which would replace \
                             the edit; {what}: change the field's law in the scenario file instead",
                            was.map_or_else(String::new, |v| v.to_string())
                        ),
                    ));
                }
            }
        }
        self.uncertain.write_into(&mut table);
        let text = toml::to_string(&table)
            .map_err(|e| InputError::msg(format!("the scenario does not serialise: {e}")))?;
        let mut edited = Scenario::from_toml_reusing(&text, self.source(), self.files.as_ref())?;
        edited.sets.clone_from(&self.sets);
        Ok(edited)
    }

    /// A copy with the uncertain fields at `values` (one per field, in the order of
    /// [`Uncertain::params`], each already [`uncertain::Param::value`]) and no uncertain fields
    /// left: what `domino calibrate` simulates for one particle. Values outside the validated
    /// supports are an error, not a panic.
    pub fn with_drawn(&self, values: &[f64]) -> Result<Scenario, InputError> {
        self.with_values(values)
    }

    fn read_network_files(
        config: &mut ScenarioConfig,
        base: &Path,
        reuse: Option<&Arc<NetworkFiles>>,
        written: Written,
    ) -> Result<Arc<NetworkFiles>, InputError> {
        let edges_name = config.network.edges.clone().ok_or_else(|| {
            InputError::field(
                "network.edges",
                "required when network.kind = \"file\": the path of an edge list CSV",
            )
        })?;
        // A file that cannot be opened is the scenario's error: name the field that points to it.
        let existing = |field: &str, p: &Path| -> Result<PathBuf, InputError> {
            let full = base.join(p);
            // What the path is, before it is opened: opening a named pipe (FIFO) waits for a
            // writer, for ever.
            let problem = match std::fs::metadata(&full).map(|m| m.is_file()) {
                Ok(false) => "is not a file".to_string(),
                Err(e) => format!("cannot be read ({e})"),
                Ok(true) => match std::fs::File::open(&full) {
                    // Canonical, so that a sweep's points (whose paths are made absolute) are
                    // seen to name the same file as the base scenario and reuse what it read.
                    Ok(_) => return Ok(std::fs::canonicalize(&full).unwrap_or(full)),
                    Err(e) => format!("cannot be read ({e})"),
                },
            };
            // A path written on Windows (`data\\edges.csv`) names one odd file name elsewhere.
            let slash = if p.to_string_lossy().contains('\\') && !cfg!(windows) {
                " (write / between folders: a backslash separates them on Windows only, and / \
                 works on every system)"
            } else {
                ""
            };
            Err(InputError::field(
                field,
                format!(
                    "{} {problem}; give the path of a CSV file, relative to the scenario \
                     file{slash}",
                    full.display()
                ),
            ))
        };
        let nodes_path = match &config.network.nodes {
            Some(p) => Some(existing("network.nodes", p)?),
            None => None,
        };
        let edges_path = existing("network.edges", &edges_name)?;
        let files = match reuse {
            Some(f) if f.edges_path == edges_path && f.nodes_path == nodes_path => f.clone(),
            _ => {
                let nodes = match &nodes_path {
                    Some(p) => Some(NodeTable::read(p)?),
                    None => None,
                };
                let edges = EdgeList::read(&edges_path, nodes.as_ref())?;
                Arc::new(NetworkFiles {
                    edges,
                    nodes,
                    edges_path,
                    nodes_path,
                })
            }
        };
        // The files decide the schools, and a node table's `region` column the regions. A
        // different value the user wrote beside them was once replaced without a word, so that
        // `schools = 100` over a 30-school table ran 30 schools while the author believed 100:
        // refused, naming both. An equal value, or one left to its default, is fine.
        let n = files.edges.schools;
        if written.schools && config.network.schools as usize != n {
            let source = match &config.network.nodes {
                Some(p) => format!("the node table {} lists {n}", p.display()),
                None => format!(
                    "the edge list {} makes {n} (its ids 0 to {}, without a node table)",
                    edges_name.display(),
                    n - 1
                ),
            };
            return Err(InputError::field(
                "network.schools",
                format!(
                    "is {}, but with kind = \"file\" the schools are those of the network files: \
                     {source}. Remove it, or make it {n}",
                    config.network.schools
                ),
            ));
        }
        config.network.schools = n as u32;
        if let Some(r) = files.nodes.as_ref().and_then(|t| t.n_regions) {
            if written.regions && config.network.regions as usize != r {
                let nodes = config.network.nodes.as_deref().unwrap_or(Path::new(""));
                return Err(InputError::field(
                    "network.regions",
                    format!(
                        "is {}, but the node table {} has a `region` column with {r} region{}, \
                         which decides the regions. Remove it, or make it {r}, or \
                         drop the column to have regions made up as blocks of rows",
                        config.network.regions,
                        nodes.display(),
                        if r == 1 { "" } else { "s" }
                    ),
                ));
            }
            config.network.regions = r as u32;
        }
        // Without a `region` column the regions are blocks of rows, at most one per school: a
        // larger number the user wrote was once cut down without a word.
        if written.regions && config.network.regions > config.network.schools {
            return Err(InputError::field(
                "network.regions",
                format!(
                    "is {}, more than the {n} schools of the network files; without a `region` \
                     column in a node table the regions are blocks of rows, at most one per \
                     school. Make it at most {n}",
                    config.network.regions
                ),
            ));
        }
        config.network.regions = config.network.regions.min(config.network.schools).max(1);
        Ok(files)
    }

    /// Number of schools.
    pub fn schools(&self) -> usize {
        self.config.network.schools as usize
    }

    /// The id of school `i` as per-school outputs write it: the node table's id as written, else
    /// the 0-based index.
    pub(crate) fn school_id(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self.node_table().and_then(|t| t.ids.get(i)) {
            Some(id) => id.as_str().into(),
            None => i.to_string().into(),
        }
    }

    /// A note for a network read from files in which some schools have no tie: without a node
    /// table every id from 0 to the largest is a school, so an edge list numbered from 1 (or
    /// with gaps) adds schools that no tie reaches; with one, a listed school may have no tie.
    /// Either is allowed (a school can work alone) but is worth saying before a long run.
    pub fn untied_note(&self) -> Option<String> {
        let files = self.files.as_deref()?;
        let n = files.edges.schools;
        let mut tied = vec![false; n];
        for e in &files.edges.edges {
            tied[e.a as usize] = true;
            tied[e.b as usize] = true;
        }
        let untied: Vec<usize> = (0..n).filter(|&i| !tied[i]).collect();
        let first = *untied.first()?;
        let edges = files.edges_path.display();
        Some(if files.nodes.is_some() {
            format!(
                "note: {} of the {n} schools in the node table {} no tie in {edges} (such as \
                 {}); they take part alone",
                untied.len(),
                if untied.len() == 1 { "has" } else { "have" },
                self.school_id(first)
            )
        } else {
            format!(
                "note: {} of the {n} schools {} no tie in {edges} (such as {first}): without a \
                 node table the schools are the ids 0 to {}, so an id the file skips is a school \
                 with no ties. Number schools from 0, or give network.nodes to list them",
                untied.len(),
                if untied.len() == 1 { "has" } else { "have" },
                n - 1
            )
        })
    }

    /// A note when the scenario runs a classic model and the user wrote school-model tables
    /// (in the file or with `--set`): the classic models ignore them, as documented, and a
    /// change there would otherwise change nothing without a word. (`sweep` refuses to sweep
    /// such a field, since its points would differ by chance alone.)
    pub fn classic_notes(&self) -> Option<String> {
        if !self.config.model.is_classic() || self.school_tables_written.is_empty() {
            return None;
        }
        let tables: Vec<String> = self
            .school_tables_written
            .iter()
            .map(|t| {
                if t == "strategies" {
                    "[[strategies]]".to_string()
                } else {
                    format!("[{t}]")
                }
            })
            .collect();
        Some(format!(
            "note: the classic model \"{}\" does not read {} (written in the scenario or with \
             --set): {} ignored; a classic scenario compares its [[seedings]] with the \
             [network] and [classic] settings",
            self.config.model.name(),
            tables.join(", "),
            if tables.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ))
    }

    /// A note naming the network settings the scenario gives a value other than their default
    /// though its network's kind does not read them (`within_region` under `kind = "ring"`):
    /// they change nothing. Lists and files of another kind are refused when loading instead.
    pub fn network_notes(&self) -> Option<String> {
        let n = &self.config.network;
        let unread = validate::unread_network_fields(n);
        if unread.is_empty() {
            return None;
        }
        let parts: Vec<String> = unread
            .iter()
            .map(|(field, kinds)| {
                format!(
                    "network.{field} (read when network.kind {})",
                    validate::kinds_phrase(kinds)
                )
            })
            .collect();
        Some(format!(
            "note: network.kind is \"{}\", which does not read {}: {} ignored",
            validate::kind_name(n.kind),
            parts.join(", "),
            if parts.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ))
    }

    /// Notes for pilot-then-cascade strategies whose `pilot_ids` name a different number of
    /// schools than their `pilots`. Both are allowed, and mean different things: the named
    /// schools are the first start's pilots, all of them, and `pilots` counts only a later
    /// start's (after the cascade died out). Written side by side they read as a contradiction
    /// (`pilots = 1` beside three ids pilots three), so the reading domino takes is said.
    pub fn pilot_notes(&self) -> Vec<String> {
        self.config
            .strategies
            .iter()
            .filter(|s| s.pilots > 0 && !s.pilot_ids.is_empty())
            .filter(|s| s.pilots as usize != s.pilot_ids.len())
            .map(|s| {
                let n = s.pilot_ids.len();
                format!(
                    "note: strategy {} names {n} pilot school{} in pilot_ids, and all of them \
                     are its first pilots; its pilots = {} counts only the pilots of a later \
                     start, if the cascade dies out",
                    s.name,
                    if n == 1 { "" } else { "s" },
                    s.pilots
                )
            })
            .collect()
    }

    /// Notes on how the network files' schools were read where the reading may not be what the
    /// user meant, though nothing is wrong enough to refuse: regions made up as blocks of rows
    /// (no `region` column), region names that differ only in case, spaces or accents (`Nord`, `nord`),
    /// regions of a single school (often a typo), and empty cells of the node table's numeric
    /// columns, whose values are then drawn afresh in every run.
    pub fn node_notes(&self) -> Vec<String> {
        let Some(files) = self.files.as_deref() else {
            return Vec::new();
        };
        let n = files.edges.schools;
        let mut notes = Vec::new();
        let table = files.nodes.as_ref();
        let nodes = files
            .nodes_path
            .as_deref()
            .map_or_else(String::new, |p| p.display().to_string());
        let regions = self.config.network.regions as usize;
        match table.and_then(|t| t.region_names.as_ref().zip(t.region.as_ref())) {
            None if regions > 1 => notes.push(format!(
                "note: {} so the {n} schools are cut into {regions} regions as blocks of \
                 {}: regions 0 to {} of about {} school{} each. The cluster strategy and the \
                 per-region results use them; give a `region` column to use your own regions, or \
                 set network.regions = 1",
                match table {
                    Some(_) => format!("the node table {nodes} has no `region` column,"),
                    None => "no node table (network.nodes) gives regions,".to_string(),
                },
                if table.is_some() {
                    "consecutive rows in file order"
                } else {
                    "consecutive ids"
                },
                regions - 1,
                n.div_ceil(regions),
                plural(n.div_ceil(regions))
            )),
            None => {}
            Some((names, region)) => {
                let mut count = vec![0usize; names.len()];
                for &r in region {
                    count[r as usize] += 1;
                }
                // Names that read the same without regard to case, spacing or accents, in order
                // of first appearance.
                let key = |s: &str| {
                    fold_accents(
                        &s.split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase(),
                    )
                };
                let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
                for (r, name) in names.iter().enumerate() {
                    let k = key(name);
                    match groups.iter_mut().find(|(g, _)| *g == k) {
                        Some((_, members)) => members.push(r),
                        None => groups.push((k, vec![r])),
                    }
                }
                for (_, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
                    let listed: Vec<String> = members
                        .iter()
                        .map(|&r| {
                            format!("\"{}\" ({} school{})", names[r], count[r], plural(count[r]))
                        })
                        .collect();
                    notes.push(format!(
                        "note: the regions {} of the node table {nodes} differ only in case, \
                         spaces or accents, and are read as different regions; if they are one region, write \
                         it the same way in every row",
                        and_list(&listed)
                    ));
                }
                let single: Vec<String> = (0..names.len())
                    .filter(|&r| count[r] == 1)
                    .map(|r| format!("\"{}\"", names[r]))
                    .collect();
                if !single.is_empty() && names.len() > 1 {
                    let shown: Vec<String> = single.iter().take(5).cloned().collect();
                    notes.push(format!(
                        "note: {} of the {} regions of the node table {nodes} {} a single school \
                         ({}{}); a region of one school is often a typo in its `region` cell, and \
                         the cluster strategy works region by region",
                        single.len(),
                        names.len(),
                        if single.len() == 1 { "has" } else { "have" },
                        shown.join(", "),
                        if single.len() > shown.len() {
                            ", ..."
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        if let Some(t) = table {
            let columns = [
                ("size", &t.size),
                ("need", &t.need),
                ("readiness", &t.readiness),
                ("resources", &t.resources),
                ("context", &t.context),
            ];
            for (name, column) in columns {
                let Some(cells) = column else { continue };
                let empty: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].is_none()).collect();
                let Some(&first) = empty.first() else {
                    continue;
                };
                notes.push(format!(
                    "note: {} of the {n} schools of the node table {nodes} {} an empty `{name}` \
                     cell (such as {}): {} {name} is drawn afresh in every run from [schools], so \
                     it differs from run to run; fill the cell in to hold it fixed",
                    empty.len(),
                    if empty.len() == 1 { "has" } else { "have" },
                    self.school_id(first),
                    if empty.len() == 1 { "its" } else { "their" }
                ));
            }
        }
        notes
    }

    /// The name of school `i` from the node table's `name` column, or `""`.
    pub(crate) fn school_name(&self, i: usize) -> &str {
        self.node_table().and_then(|t| t.name(i)).unwrap_or("")
    }

    /// The name of region `r` as per-region outputs write it: the node table's region as
    /// written, else the 0-based region index.
    pub(crate) fn region_name(&self, r: usize) -> std::borrow::Cow<'_, str> {
        match self
            .node_table()
            .and_then(|t| t.region_names.as_ref())
            .and_then(|names| names.get(r))
        {
            Some(name) => name.as_str().into(),
            None => r.to_string().into(),
        }
    }

    fn node_table(&self) -> Option<&NodeTable> {
        self.files.as_ref().and_then(|f| f.nodes.as_ref())
    }

    /// Budget per term in SU, the same for every strategy.
    pub fn budget_per_term(&self) -> f64 {
        self.config
            .budget
            .total
            .unwrap_or(self.config.budget.per_school * self.schools() as f64)
    }

    /// The budget in words for tables and pages: `40 SU per term (0.1 per school)`, or, when the
    /// scenario draws it per run, which field is drawn and over what range (the single value
    /// [`Scenario::budget_per_term`] gives is then only the law's centre).
    pub fn budget_words(&self) -> String {
        let short = |x: f64| short_number(x, 4);
        let drawn: Vec<String> = self
            .uncertain
            .params
            .iter()
            .filter(|p| p.path.starts_with("budget."))
            .map(|p| {
                let (lo, hi) = p.law.ends();
                format!("{} from {} to {}", p.path, short(lo), short(hi))
            })
            .collect();
        if drawn.is_empty() {
            let b = self.budget_per_term();
            format!(
                "{} SU per term ({} per school)",
                short(b),
                short(b / self.schools() as f64)
            )
        } else {
            format!("drawn in each run ({})", drawn.join(", "))
        }
    }

    /// The resolved scenario as TOML (all defaults written out), as `domino check` prints it.
    pub(crate) fn to_toml(&self) -> String {
        let mut text = toml::to_string(&self.config).expect("a scenario always serialises");
        if !self.uncertain.is_empty() {
            text = self.uncertain.write_into_text(&text);
        }
        // The serialiser leaves the last array-of-tables entry without a line end.
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    /// The estimated memory and work of running this scenario on `threads` threads.
    pub fn footprint(&self, threads: usize) -> budget::Footprint {
        footprint(&self.config, self.files.as_deref(), threads)
    }

    /// Index of the strategy named `name`.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.config.strategies.iter().position(|s| s.name == name)
    }
}

/// The scenario's shape: every field a file may write, with the default's value (which gives
/// its type); the optional tables and lists hold one default entry. Built once per process.
pub(crate) fn shape() -> &'static toml::Table {
    static SHAPE: std::sync::OnceLock<toml::Table> = std::sync::OnceLock::new();
    SHAPE.get_or_init(build_shape)
}

fn build_shape() -> toml::Table {
    use toml::Value;
    let mut shape =
        toml::Table::try_from(ScenarioConfig::default()).expect("the default scenario serialises");
    // Optional tables and lists left out of the default's serialisation.
    for (key, entry) in [
        ("classic", toml::Table::try_from(ClassicConfig::default())),
        ("optimise", toml::Table::try_from(OptimiseConfig::default())),
        (
            "calibrate",
            toml::Table::try_from(CalibrateConfig::default()),
        ),
        ("seedings", toml::Table::try_from(SeedingConfig::default())),
        (
            "strategies",
            toml::Table::try_from(StrategyConfig::default()),
        ),
    ] {
        let Ok(entry) = entry else { continue };
        let v = Value::Table(entry);
        let v = if matches!(key, "classic" | "optimise" | "calibrate") {
            v
        } else {
            Value::Array(vec![v])
        };
        shape.insert(key.into(), v);
    }
    // `[show]`, left out when it has no variants: its one field, a list of variant tables.
    let show = ShowConfig {
        variants: vec![ShowVariant::default()],
    };
    if let Ok(show) = toml::Table::try_from(show) {
        shape.insert("show".into(), Value::Table(show));
    }
    // Optional fields left out when unset: their types.
    let mut optional = |table: &str, key: &str, v: Value| {
        if let Some(t) = shape.get_mut(table).and_then(Value::as_table_mut) {
            t.entry(key).or_insert(v);
        }
    };
    optional("budget", "total", Value::Float(0.0));
    optional("network", "edges", Value::String(String::new()));
    optional("network", "nodes", Value::String(String::new()));
    optional("network", "degrees", Value::Array(vec![Value::Integer(1)]));
    optional("classic", "threshold_count", Value::Integer(0));
    let mut entry = |list: &str, key: &str, v: Value| {
        if let Some(t) = shape
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .and_then(|a| a.first_mut())
            .and_then(Value::as_table_mut)
        {
            t.entry(key).or_insert(v);
        }
    };
    entry("strategies", "kind", Value::String(String::new()));
    entry("strategies", "coach_share", Value::Float(0.0));
    entry(
        "strategies",
        "pilot_ids",
        Value::Array(vec![Value::String(String::new())]),
    );
    entry("seedings", "nodes", Value::Array(vec![Value::Integer(0)]));
    shape
}

fn check_shape(file: &toml::Table, shape: &toml::Table, prefix: &str) -> Result<(), InputError> {
    use toml::Value;
    for (key, value) in file {
        let field = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (shape.get(key), value) {
            (Some(Value::Table(inner)), Value::Table(given)) => check_shape(given, inner, &field)?,
            (Some(Value::Table(_)), other) => {
                return Err(InputError::field(
                    field,
                    format!(
                        "must be a table ([{key}] with one `name = value` per line, or {key} = {{ ... }}), got {} {}",
                        article(other.type_str()),
                        other.type_str()
                    ),
                ))
            }
            (Some(Value::Array(entries)), Value::Array(given))
                if matches!(entries.first(), Some(Value::Table(_))) =>
            {
                for (i, entry) in given.iter().enumerate() {
                    if !entry.is_table() {
                        return Err(InputError::field(
                            format!("{field}[{i}]"),
                            format!(
                                "must be a table ([[{key}]] followed by `name = value` lines), got {} {}",
                                article(entry.type_str()),
                                entry.type_str()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn footprint(
    config: &ScenarioConfig,
    files: Option<&NetworkFiles>,
    threads: usize,
) -> budget::Footprint {
    let schools = config.network.schools as u64;
    let ties = match files {
        Some(f) => f.edges.edges.len() as u64,
        None => budget::ties(&config.network, schools),
    };
    budget::Footprint::of(config, schools, ties, threads as u64)
}

/// Checks that need the final school count (known once network files are read): what the run
/// costs ([`budget::Footprint`], for one world at a time) and the dose range.
fn derived_checks(config: &ScenarioConfig, files: Option<&NetworkFiles>) -> Result<(), InputError> {
    footprint(config, files, 1).check(config)?;
    // The largest own resources a school can have: a node table's, else far into the Gamma tail.
    let table_max = files
        .and_then(|f| f.nodes.as_ref())
        .and_then(|t| t.resources.as_ref())
        .map(|c| c.iter().flatten().fold(0.0f64, |m, &v| m.max(v)))
        .unwrap_or(0.0);
    let max_resources = table_max.max(config.schools.resources_mean * 1000.0);
    validate::dose_range(config, config.network.schools, max_resources)
}

/// A commented example scenario, as `domino init` writes it.
pub(crate) fn example_scenario() -> &'static str {
    include_str!("../../scenarios/example.toml")
}

impl Scenario {
    /// Applies command-line overrides and validates the result like a file's own values.
    pub(crate) fn with_overrides(
        mut self,
        runs: Option<u32>,
        seed: Option<u64>,
        steps: Option<u32>,
    ) -> Result<Self, InputError> {
        let flag = |name: &str, e: InputError| InputError {
            field: Some(name.to_string()),
            file: None,
            line: None,
            column: None,
            ..e
        };
        if let Some(r) = runs {
            self.config.runs = r;
            validate::resolve(&mut self.config).map_err(|e| flag("--runs", e))?;
        }
        if let Some(s) = seed {
            self.config.seed = s;
            validate::resolve(&mut self.config).map_err(|e| flag("--seed", e))?;
        }
        if let Some(t) = steps {
            self.config.steps = t;
            validate::resolve(&mut self.config).map_err(|e| flag("--steps", e))?;
        }
        if runs.is_some() || steps.is_some() {
            let name = if runs.is_some() { "--runs" } else { "--steps" };
            derived_checks(&self.config, self.files.as_deref()).map_err(|e| flag(name, e))?;
            self.check_supports().map_err(|e| flag(name, e))?;
        }
        Ok(self)
    }
}

#[cfg(test)]
/// An uncertain scenario whose every draw is invalid: loading checked only the ends of the
/// supports, which a configuration changed behind its back (possible only in this crate)
/// no longer matches. Such a run is an error naming the run and the field, not a panic.
pub(crate) fn broken_uncertain() -> Scenario {
    let text = "runs = 5\nsteps = 3\n[network]\nschools = 30\n\
                [schools]\npatience_min = { dist = \"uniform\", low = 1, high = 3 }\n";
    let mut s = Scenario::from_toml(text, None).unwrap();
    s.config.schools.patience_max = 0;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cross_field_error_from_a_set_names_the_flag_the_values_and_the_origins() {
        let set: set::Setting = "mechanisms.sustain.turnover_rate=0.9".parse().unwrap();
        let e =
            Scenario::load(DEFAULT_SCENARIO, None, None, std::slice::from_ref(&set)).unwrap_err();
        assert_eq!(e.field, Some(set.flag()), "{e}");
        for says in [
            "mechanisms.sustain.mandate_abandon_multiplier (the default)",
            "turnover_rate is 0.9 and mandate_abandon_multiplier 1.5",
            "turnover_rate may be at most 0.667",
        ] {
            assert!(e.message.contains(says), "{says:?} not in {e}");
        }
        let text = "name = \"x\"\n[mechanisms.sustain]\nmandate_abandon_multiplier = 2.0\n";
        let e = Scenario::load(text, Some(Path::new("m.toml")), None, &[set]).unwrap_err();
        assert!(
            e.message.contains("(set in m.toml at line 3)") && e.message.contains("at most 0.5"),
            "{e}"
        );
        let set: set::Setting = "network.kind=file".parse().unwrap();
        let e =
            Scenario::load(DEFAULT_SCENARIO, None, None, std::slice::from_ref(&set)).unwrap_err();
        assert_eq!(e.field, Some(set.flag()), "{e}");
        assert!(
            e.message.starts_with("network.edges (not set): required"),
            "{e}"
        );
    }

    /// A `--set` of the min of a min/max pair past the max is blamed on the flag, with the max's
    /// value and where it came from (the default, or the file's line), for every such pair.
    #[test]
    fn a_set_min_past_its_max_names_the_flag_and_the_max_with_its_origin() {
        for (set, says) in [
            (
                "schools.patience_min=9",
                "must be at most schools.patience_max (8, the default)",
            ),
            (
                "schools.cool_down_min=9",
                "must be at most schools.cool_down_max (8, the default)",
            ),
            (
                "network.weight_min=0.5",
                "must be at most network.weight_max (0.4, set in m.toml at line 3)",
            ),
        ] {
            let set: set::Setting = set.parse().unwrap();
            let text = "name = \"x\"\n[network]\nweight_max = 0.4\n";
            let e = Scenario::load(
                text,
                Some(Path::new("m.toml")),
                None,
                std::slice::from_ref(&set),
            )
            .unwrap_err();
            assert_eq!(e.field, Some(set.flag()), "{e}");
            assert_eq!(e.message, says, "{e}");
        }
        // Set in the file, the max is blamed at its line as before.
        let text = "name = \"x\"\n[schools]\npatience_min = 9\n";
        let e = Scenario::load(text, Some(Path::new("m.toml")), None, &[]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("schools.patience_max"), "{e}");
        assert!(e.message.contains("schools.patience_min (9)"), "{e}");
    }

    #[test]
    fn whole_numbers_beyond_toml_name_their_field_range_and_place() {
        let file = Path::new("big.toml");
        for (text, field, says) in [
            (
                "name = \"x\"\nseed = 18446744073709551615\n",
                "seed",
                "must be a whole number from 0 to 9223372036854775807, got 18446744073709551615",
            ),
            (
                "name = \"x\"\n[budget]\nper_school = 99999999999999999999\n",
                "budget.per_school",
                "must be between 0 and 1000000, got 99999999999999999999",
            ),
            (
                "name = \"x\"\n[budget]\nper_school = -99999999999999999999\n",
                "budget.per_school",
                "got -99999999999999999999",
            ),
            (
                "name = \"x\"\nruns = 99999999999999999999\n",
                "runs",
                "from 1 to 10000000, got the number 99999999999999999999",
            ),
        ] {
            let e = Scenario::load(text, Some(file), None, &[]).unwrap_err();
            let line = text.lines().count();
            assert_eq!(
                (e.field.as_deref(), e.line),
                (Some(field), Some(line)),
                "{e}"
            );
            assert_eq!(e.file.as_deref(), Some(file), "{e}");
            assert!(e.message.contains(says), "{e}");
        }
        for (set, says) in [
            (
                "seed=18446744073709551615",
                "must be a whole number from 0 to 9223372036854775807, got 18446744073709551615",
            ),
            (
                "runs=99999999999999999999",
                "got the number 99999999999999999999",
            ),
        ] {
            let e =
                Scenario::load(DEFAULT_SCENARIO, None, None, &[set.parse().unwrap()]).unwrap_err();
            assert_eq!(e.field, Some(format!("--set {set}")), "{e}");
            assert!(e.message.contains(says), "{e}");
        }
    }

    #[test]
    fn numbers_quoted_back_are_short_and_huge_ones_in_exponent_form() {
        assert_eq!(short_number(40.0, 6), "40");
        assert_eq!(short_number(-0.00000001, 4), "-1e-8");
        assert_eq!(short_number(-0.00001, 4), "-1e-5");
        assert_eq!(short_number(-0.00004, 4), "-4e-5");
        assert_eq!(short_number(0.1, 4), "0.1");
        assert_eq!(short_number(2500000000000.25, 6), "2.5e12");
        assert_eq!(short_number(1e300, 6), "1e300");
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(5e12), "5e12");
        assert_eq!(number(1e-300), "1e-300");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn a_run_whose_draws_make_an_invalid_scenario_is_an_error_naming_the_run() {
        let s = broken_uncertain();
        let e = s.for_run(3).unwrap_err();
        assert!(e.message.contains("run 3"), "{e}");
        assert_eq!(e.field.as_deref(), Some("schools.patience_max"), "{e}");
        let ok = Scenario::from_toml(
            "runs = 5\n[schools]\npatience_min = { dist = \"uniform\", low = 1, high = 3 }\n",
            None,
        )
        .unwrap();
        assert!(ok.for_run(3).is_ok());
    }

    #[test]
    fn edited_validates_its_change_and_keeps_distributions() {
        let text =
            "runs = 5\n[schools]\npatience_min = { dist = \"uniform\", low = 1, high = 3 }\n";
        let s = Scenario::from_toml(text, None).unwrap();
        let e = s.edited(|c| c.steps = 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("steps"), "{e}");
        let longer = s.edited(|c| c.steps = 7).unwrap();
        assert_eq!(longer.config().steps, 7);
        assert_eq!(
            longer.uncertain().paths(),
            vec!["schools.patience_min".to_string()]
        );
        assert_eq!(longer.laws(), s.laws());
    }

    /// The review's repro (§8): the edit returned `Ok` with the law still in place and the edited
    /// value gone.
    #[test]
    fn edited_refuses_to_change_or_remove_a_field_written_as_a_distribution() {
        let text = "[budget]\nper_school = { dist = \"uniform\", low = 0.1, high = 0.3 }\n\
                    [[strategies]]\nname = \"p\"\nkind = \"pilot-then-cascade\"\n\
                    pilots = { dist = \"uniform\", low = 2, high = 6 }\n\
                    [[strategies]]\nname = \"t\"\nkind = \"thin-spread\"\n";
        let s = Scenario::from_toml(text, None).unwrap();
        let e = s.edited(|c| c.budget.per_school = 0.5).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("budget.per_school"), "{e}");
        assert!(e.to_string().contains("sets it to 0.5"), "{e}");
        let e = s
            .edited(|c| {
                c.strategies.remove(0);
            })
            .map(|_| ())
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("strategies.p.pilots"), "{e}");
        assert!(e.to_string().contains("removes it"), "{e}");
        // Fields that are not distributions change as before, the laws stay.
        let other = s.edited(|c| c.strategies[1].name = "u".into()).unwrap();
        assert_eq!(other.laws(), s.laws());
        assert_eq!(other.uncertain().paths(), s.uncertain().paths());
    }

    /// Every field `domino check` prints can be changed with `--set` at the path it prints
    /// (`strategies.cluster.coach_share` was refused: an optional field the shape left out).
    #[test]
    fn every_printed_field_can_be_set() {
        let printed = toml::Table::try_from(Scenario::builtin_default().config).unwrap();
        let mut paths = Vec::new();
        fn walk(prefix: &str, t: &toml::Table, paths: &mut Vec<(String, toml::Value)>) {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    toml::Value::Table(inner) => walk(&path, inner, paths),
                    toml::Value::Array(entries)
                        if entries.iter().all(|e| matches!(e, toml::Value::Table(_)))
                            && !entries.is_empty() =>
                    {
                        for (i, e) in entries.iter().enumerate() {
                            walk(&format!("{path}[{i}]"), e.as_table().unwrap(), paths);
                        }
                    }
                    other => paths.push((path, other.clone())),
                }
            }
        }
        walk("", &printed, &mut paths);
        assert!(paths.iter().any(|(p, _)| p == "strategies[1].coach_share"));
        for (path, value) in paths {
            let setting: set::Setting = format!("{path}={value}").parse().unwrap();
            if let Err(e) = Scenario::load(DEFAULT_SCENARIO, None, None, &[setting]) {
                assert!(
                    !e.message.contains("has no field"),
                    "{path} is printed but cannot be set: {e}"
                );
            }
        }
    }

    #[test]
    fn the_budget_in_words_says_when_it_is_drawn_per_run() {
        let fixed = Scenario::from_toml("[budget]\nper_school = 0.1\n", None).unwrap();
        assert_eq!(fixed.budget_words(), "40 SU per term (0.1 per school)");
        let drawn = Scenario::from_toml(
            "[budget]\nper_school = { dist = \"uniform\", low = 0.01, high = 0.03 }\n",
            None,
        )
        .unwrap();
        assert_eq!(
            drawn.budget_words(),
            "drawn in each run (budget.per_school from 0.01 to 0.03)"
        );
        // Another uncertain field leaves the budget fixed.
        let other = Scenario::from_toml(
            "[mechanisms.dose]\nd50 = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
            None,
        )
        .unwrap();
        assert!(other.budget_words().starts_with("40 SU per term"));
    }

    #[test]
    fn objectives_take_either_spelling() {
        let objective = |text: &str| Scenario::from_toml(text, None).map(|s| s.config.objective);
        for name in ["sustained_share", "sustained-share", "sustained"] {
            let got = objective(&format!("objective = \"{name}\"\n")).unwrap();
            assert_eq!(got, Objective::SustainedShare, "{name}");
        }
        let got = objective("objective = \"students-benefiting\"\n").unwrap();
        assert_eq!(got, Objective::StudentsBenefiting);
        assert!(objective("objective = \"equity\"\n").is_err());
        let goal = |text: &str| {
            Scenario::from_toml(&format!("[optimise]\nobjective = \"{text}\"\n"), None)
                .map(|s| s.config.optimise.unwrap().objective)
        };
        assert_eq!(goal("sustained_share").unwrap(), Goal::Sustained);
        assert_eq!(
            goal("students_benefiting").unwrap(),
            Goal::StudentsBenefiting
        );
        assert_eq!(goal("cost_per_student").unwrap(), Goal::CostPerStudent);
        assert_eq!(Goal::from_name("sustained_share"), Some(Goal::Sustained));
        assert_eq!(Goal::from_name("sustained"), Some(Goal::Sustained));
        assert_eq!(
            Goal::from_name("cost_per_student"),
            Some(Goal::CostPerStudent)
        );
        assert_eq!(Goal::from_name("share"), None);
    }

    #[test]
    fn the_builtin_default_only_restates_the_defaults() {
        // One set of defaults: an empty file is the built-in default scenario but for its name
        // and description, so a file that leaves a field out gets the default's value.
        let empty = Scenario::from_toml("", None).unwrap().config;
        let mut builtin = Scenario::builtin_default().config;
        assert_eq!(builtin.name, "default");
        builtin.name = empty.name.clone();
        builtin.description = empty.description.clone();
        assert_eq!(builtin, empty);
    }

    /// A scenario over `nodes` (if any) and `edges` in a fresh folder, with `extra` under
    /// `[network]`, loaded with `sets`.
    fn over_files(
        nodes: Option<&str>,
        edges: &str,
        extra: &str,
        sets: &[&str],
    ) -> Result<Scenario, InputError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
        let mut text = "[network]\nkind = \"file\"\nedges = \"edges.csv\"\n".to_string();
        if let Some(n) = nodes {
            std::fs::write(dir.path().join("nodes.csv"), n).unwrap();
            text.push_str("nodes = \"nodes.csv\"\n");
        }
        text.push_str(extra);
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        let sets: Vec<set::Setting> = sets.iter().map(|s| s.parse().unwrap()).collect();
        Scenario::from_file_with(&path, &sets)
    }

    #[test]
    fn schools_or_regions_written_beside_network_files_must_agree_with_them() {
        let table = "id,region\na,n\nb,s\nc,n\n";
        let nodes = Some(table);
        let edges = "source,target\na,b\n";
        // Left out, or equal to what the files give: as before.
        let s = over_files(nodes, edges, "", &[]).unwrap();
        assert_eq!((s.config.network.schools, s.config.network.regions), (3, 2));
        over_files(nodes, edges, "schools = 3\nregions = 2\n", &[]).unwrap();
        // Written and different: once replaced without a word, now refused naming both.
        let e = over_files(nodes, edges, "schools = 100\n", &[]).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.line),
            (Some("network.schools"), Some(5))
        );
        assert!(
            e.message
                .contains("is 100, but with kind = \"file\" the schools are those of the network files: the node table nodes.csv lists 3"),
            "{e}"
        );
        let e = over_files(nodes, edges, "regions = 3\n", &[]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("network.regions"), "{e}");
        assert!(
            e.message.contains(
                "is 3, but the node table nodes.csv has a `region` column with 2 regions"
            ),
            "{e}"
        );
        let e = over_files(nodes, edges, "", &["network.schools=30"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("--set network.schools=30"), "{e}");
        // An edited copy is written out in full and read again: its values are the files'.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.csv"), edges).unwrap();
        std::fs::write(dir.path().join("n.csv"), table).unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(
            &path,
            "[network]\nkind = \"file\"\nedges = \"e.csv\"\nnodes = \"n.csv\"\n",
        )
        .unwrap();
        let s = Scenario::from_file(&path).unwrap();
        assert_eq!(s.edited(|c| c.runs = 3).unwrap().schools(), 3);
        // Without a region column, regions are the scenario's to choose.
        let s = over_files(Some("id\na\nb\nc\n"), edges, "regions = 3\n", &[]).unwrap();
        assert_eq!(s.config.network.regions, 3);
        // Without a node table the edge list's ids make the schools.
        let e = over_files(None, "source,target\n0,1\n1,2\n", "schools = 5\n", &[]).unwrap_err();
        assert!(
            e.message
                .contains("the edge list edges.csv makes 3 (its ids 0 to 2"),
            "{e}"
        );
        // The built-in default's own schools = 400 and regions = 8 are nobody's writing.
        let dir = tempfile::tempdir().unwrap();
        let edges_path = dir.path().join("e.csv");
        std::fs::write(&edges_path, "source,target\n0,1\n1,2\n").unwrap();
        let sets: Vec<set::Setting> = [
            "network.kind=file".to_string(),
            format!("network.edges={}", edges_path.display()),
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let s = Scenario::load(DEFAULT_SCENARIO, None, None, &sets).unwrap();
        assert_eq!(s.schools(), 3);
    }

    #[test]
    fn more_pilots_than_schools_are_refused() {
        // `pilots = 100` in a 30-school district was accepted and cut to 30 without a word.
        let text = "[network]\nschools = 30\n[[strategies]]\nname = \"pilot-then-cascade\"\n";
        let e = Scenario::from_toml(&format!("{text}pilots = 100\n"), None).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.line),
            (Some("strategies[0].pilots"), Some(5))
        );
        assert!(
            e.message
                .starts_with("is 100, but the network has only 30 schools: give at most 30 pilots"),
            "{e}"
        );
        Scenario::from_toml(&format!("{text}pilots = 30\n"), None).unwrap();
        Scenario::from_toml(&format!("{text}pilots = 0\n"), None).unwrap();
        // Whatever sets it: a flag, a law whose draws reach past the schools, network files.
        let sets: Vec<set::Setting> =
            vec!["strategies.pilot-then-cascade.pilots=31".parse().unwrap()];
        let e = Scenario::load(text, None, None, &sets).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("--set strategies.pilot-then-cascade.pilots=31")
        );
        let law = format!("{text}pilots = {{ dist = \"uniform\", low = 2, high = 40 }}\n");
        let e = Scenario::from_toml(&law, None).unwrap_err();
        assert!(e.message.contains("the network has only 30 schools"), "{e}");
        let e = over_files(
            None,
            "source,target\n0,1\n",
            "",
            &["strategies.pilot-then-cascade.pilots=3"],
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("is 3, but the network has only 2 schools"),
            "{e}"
        );
        let e = Scenario::from_toml(
            "[network]\nschools = 30\n[optimise]\npilots = [40, 50]\n",
            None,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("optimise.pilots"), "{e}");
    }

    /// A Windows path (`data\\e.csv`) that names no file elsewhere gets the separator that
    /// works on every system.
    #[cfg(not(windows))]
    #[test]
    fn a_backslash_path_that_is_not_found_suggests_forward_slashes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/e.csv"), "source,target\n0,1\n").unwrap();
        let file = dir.path().join("s.toml");
        let text = "[network]\nkind = \"file\"\nedges = 'data\\e.csv'\n";
        let e = Scenario::load(text, Some(&file), None, &[]).unwrap_err();
        assert!(e.to_string().contains("write / between folders"), "{e}");
        let e = Scenario::load(
            "[network]\nkind = \"file\"\nedges = 'data/none.csv'\n",
            Some(&file),
            None,
            &[],
        )
        .unwrap_err();
        assert!(!e.to_string().contains("write / between"), "{e}");
        let text = "[network]\nkind = \"file\"\nedges = 'data/e.csv'\n";
        assert!(Scenario::load(text, Some(&file), None, &[]).is_ok());
    }
}
