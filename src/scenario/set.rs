//! `--set PATH=VALUE`: changes to a scenario's fields given on the command line.
//!
//! A [`Setting`] names a field by its dotted path ([`super::path`]) and gives a TOML value. It is
//! applied to the file's TOML table after the file is read and before anything is validated
//! ([`super::Scenario::load`]), so a set value passes the same checks as one written in the file,
//! and errors about it name the flag (`--set mechanisms.dose.d50=abc: expected a number, ...`)
//! where errors about the file name its line.

use super::path::segments;
use crate::error::InputError;
use std::fmt;
use std::str::FromStr;
use toml::{Table, Value};

/// One `--set PATH=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The dotted path of the field, as written.
    pub path: String,
    /// The value: TOML (a number, `true`, `"text"`, an inline table), or the text as written when
    /// it is not valid TOML (`form=complex` sets the text "complex").
    pub value: Value,
    /// `PATH=VALUE` as given.
    raw: String,
}

impl Setting {
    /// How errors name it: `--set PATH=VALUE`.
    pub fn flag(&self) -> String {
        format!("--set {}", self.raw)
    }

    fn err(&self, message: impl Into<String>) -> InputError {
        InputError::field(self.flag(), message)
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for Setting {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((path, value)) = s.split_once('=') else {
            return Err(format!(
                "\"{s}\" has no `=`: write PATH=VALUE, e.g. mechanisms.dose.d50=1.5"
            ));
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(format!(
                "\"{s}\" names no field: write PATH=VALUE, e.g. mechanisms.dose.d50=1.5"
            ));
        }
        Ok(Self {
            path: path.to_string(),
            value: parse_value(value.trim()),
            raw: s.to_string(),
        })
    }
}

/// `text` as a TOML value, or as text when it is not one.
pub(crate) fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<Table>() {
        Ok(mut t) if t.len() == 1 => t.remove("v").unwrap_or(Value::String(text.into())),
        _ => Value::String(text.to_string()),
    }
}

/// The forms of a set field's path errors may use: as given, with array entries by index
/// (`strategies[1].pilots`, as validation names fields) and by name (`strategies.cluster.hub_share`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Applied {
    pub forms: Vec<String>,
}

impl Applied {
    /// True when an error about `field` is about this setting.
    pub fn covers(&self, field: &str) -> bool {
        self.forms.iter().any(|f| {
            field == f
                || field
                    .strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }
}

fn keys(t: &Table) -> String {
    t.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the text \"{s}\""),
        Value::Integer(i) => format!("the number {i}"),
        Value::Float(x) => format!("the number {x}"),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// True for an inline table that is a distribution (`{ dist = "uniform", ... }`).
pub(crate) fn is_distribution(v: &Value) -> bool {
    v.as_table().is_some_and(|t| t.contains_key("dist"))
}

/// `value` as the type of `shape` (the default's value of the field), or what was expected.
/// `uncertain`: the field may be a distribution, which the message then offers.
fn typed(shape: &Value, value: &Value, uncertain: bool) -> Result<Value, String> {
    let expected = match (shape, value) {
        (Value::Integer(_), v) if !uncertain && !is_distribution(v) && !v.is_float() && !v.is_integer() => {
            "expected a whole number"
        }
        (Value::Float(_) | Value::Integer(_), v) if is_distribution(v) => return Ok(v.clone()),
        (Value::Float(_), Value::Float(_)) => return Ok(value.clone()),
        (Value::Float(_), Value::Integer(i)) => return Ok(Value::Float(*i as f64)),
        (Value::Float(_), _) => "expected a number (or a distribution such as { dist = \"uniform\", low = 0.5, high = 2 })",
        (Value::Integer(_), Value::Integer(_)) => return Ok(value.clone()),
        // `runs=5.0`: left as written, for the reader to refuse in the words it refuses
        // `runs = 5.0` in the file with, since a setting acts as if the file said so.
        (Value::Integer(_), Value::Float(_)) => return Ok(value.clone()),
        (Value::Integer(_), _) => "expected a whole number (or a distribution such as { dist = \"uniform\", low = 2, high = 8 })",
        (Value::Boolean(_), Value::Boolean(_)) => return Ok(value.clone()),
        (Value::Boolean(_), _) => "expected true or false",
        (Value::String(_), Value::String(_)) => return Ok(value.clone()),
        // `name=2026`: text that happens to read as a number.
        (Value::String(_), Value::Integer(_) | Value::Float(_) | Value::Boolean(_)) => {
            return Ok(Value::String(value.to_string()))
        }
        (Value::String(_), _) => "expected text",
        // `pilot_ids=[3, 5]`: ids are text, and a school's index as text is its id when there is
        // no node table, so whole numbers are taken as the ids they write.
        (Value::Array(items), Value::Array(given))
            if items.first().is_some_and(Value::is_str) =>
        {
            return Ok(Value::Array(
                given
                    .iter()
                    .map(|v| match v {
                        Value::Integer(i) => Value::String(i.to_string()),
                        other => other.clone(),
                    })
                    .collect(),
            ))
        }
        (Value::Array(_), Value::Array(_)) => return Ok(value.clone()),
        (Value::Array(items), _) if items.first().is_some_and(Value::is_str) => {
            "expected a list of text, e.g. [\"S01\", \"S07\"]"
        }
        (Value::Array(_), _) => "expected a list, e.g. [1, 2, 3]",
        _ => return Ok(value.clone()),
    };
    let hint = match (shape, value) {
        (Value::Float(_) | Value::Integer(_), Value::String(text)) => {
            super::locate::number_text_hint(text)
        }
        _ => String::new(),
    };
    Err(format!("{expected}, got {}{hint}", describe(value)))
}

/// Applies `s` to `file` (the scenario file's table). `shape` is the scenario's shape (every
/// field, with the default's value) and `defaults` the default scenario's table, from which lists
/// the file leaves out (the default strategies) are copied in before one of their entries is set.
pub(crate) fn apply(
    file: &mut Table,
    shape: &Table,
    defaults: &Table,
    s: &Setting,
) -> Result<Applied, InputError> {
    let segs = segments(&s.path);
    let mut table = file;
    let mut shape = shape;
    let mut defaults = Some(defaults);
    let mut by_index: Vec<String> = Vec::new();
    let mut by_name: Vec<String> = Vec::new();
    let mut k = 0;
    while let Some(seg) = segs.get(k).copied() {
        k += 1;
        let last = k == segs.len();
        let here = if by_index.is_empty() {
            "the scenario".to_string()
        } else {
            by_name.join(".")
        };
        let Some(sh) = shape.get(seg.key) else {
            let names: Vec<&str> = shape.keys().map(String::as_str).collect();
            let hint = match super::suggest::closest(seg.key, &names) {
                Some(c) => format!(" (did you mean \"{c}\"?)"),
                None => String::new(),
            };
            return Err(s.err(format!(
                "{here} has no field \"{}\"{hint}; it has: {}",
                seg.key,
                keys(shape)
            )));
        };
        let dotted = if by_name.is_empty() {
            seg.key.to_string()
        } else {
            format!("{}.{}", by_name.join("."), seg.key)
        };
        if dotted == PRIORS && seg.index.is_none() {
            return set_prior(table, s);
        }
        match sh {
            Value::Array(entries) if entries.first().is_some_and(Value::is_table) => {
                let entry_shape = entries[0].as_table().expect("checked");
                if !table.contains_key(seg.key) {
                    let listed = defaults
                        .and_then(|d| d.get(seg.key))
                        .cloned()
                        .unwrap_or(Value::Array(Vec::new()));
                    table.insert(seg.key.to_string(), listed);
                }
                let Some(items) = table.get_mut(seg.key).and_then(Value::as_array_mut) else {
                    return Err(s.err(format!("{dotted} is not a list of tables in the file")));
                };
                let names: Vec<String> = items
                    .iter()
                    .map(|t| {
                        t.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect();
                let (i, label) = match seg.index {
                    Some(i) if i < items.len() => (i, names[i].clone()),
                    Some(i) => {
                        return Err(s.err(format!(
                            "{dotted} has {} entries (0 to {}); there is no [{i}]",
                            items.len(),
                            items.len().saturating_sub(1)
                        )))
                    }
                    None => {
                        let Some(name) = segs.get(k).map(|n| n.key) else {
                            return Err(s.err(format!(
                                "{dotted} is a list: name an entry and a field, e.g. {dotted}.{}.{}",
                                names.first().map_or("NAME", |n| n.as_str()),
                                entry_shape.keys().nth(1).map_or("FIELD", |k| k.as_str())
                            )));
                        };
                        k += 1;
                        // A name with a dot (`v1.2`) is split by the path itself: what is
                        // wrong is the name, which the file check refuses for that reason.
                        let dotted_names: Vec<&String> = names
                            .iter()
                            .filter(|n| n.contains(['.', '[', ']']))
                            .collect();
                        match names.iter().position(|n| n == name) {
                            Some(i) => (i, name.to_string()),
                            None if !dotted_names.is_empty() => {
                                return Err(s.err(format!(
                                    "the name \"{}\" in {dotted} is invalid: it contains a dot or \
                                     a square bracket, so a dotted path ({dotted}.NAME.FIELD) \
                                     cannot name it, and the scenario check refuses it. \
                                     Rename it in the file",
                                    dotted_names[0]
                                )))
                            }
                            None => {
                                return Err(s.err(format!(
                                    "{dotted} has no entry named \"{name}\"; there are: {}",
                                    if names.is_empty() {
                                        "none".to_string()
                                    } else {
                                        names.join(", ")
                                    }
                                )))
                            }
                        }
                    }
                };
                if k == segs.len() {
                    return Err(s.err(format!(
                        "{dotted}.{label} is a whole entry; set one of its fields: {}",
                        keys(entry_shape)
                    )));
                }
                by_index.push(format!("{}[{i}]", seg.key));
                by_name.push(if label.is_empty() || label.contains(['.', '[', ']']) {
                    format!("{}[{i}]", seg.key)
                } else {
                    format!("{}.{label}", seg.key)
                });
                let Some(next) = items[i].as_table_mut() else {
                    return Err(s.err(format!("{dotted}[{i}] is not a table in the file")));
                };
                table = next;
                shape = entry_shape;
                defaults = None;
            }
            Value::Table(inner) => {
                if last || seg.index.is_some() {
                    return Err(s.err(format!(
                        "{dotted} is a table; set one of its fields: {}",
                        keys(inner)
                    )));
                }
                by_index.push(seg.key.to_string());
                by_name.push(seg.key.to_string());
                let entry = table
                    .entry(seg.key.to_string())
                    .or_insert_with(|| Value::Table(Table::new()));
                let Some(next) = entry.as_table_mut() else {
                    return Err(s.err(format!("{dotted} is not a table in the file")));
                };
                table = next;
                shape = inner;
                defaults = defaults
                    .and_then(|d| d.get(seg.key))
                    .and_then(Value::as_table);
            }
            scalar => {
                if !last || seg.index.is_some() {
                    return Err(s.err(format!(
                        "{dotted} is a single value; nothing can follow it in the path"
                    )));
                }
                let uncertain = !super::uncertain::FIXED.contains(&dotted.as_str());
                let value = typed(scalar, &s.value, uncertain).map_err(|m| s.err(m))?;
                table.insert(seg.key.to_string(), value);
                by_index.push(seg.key.to_string());
                by_name.push(seg.key.to_string());
                let mut forms = vec![s.path.clone(), by_index.join("."), by_name.join(".")];
                forms.dedup();
                return Ok(Applied { forms });
            }
        }
    }
    Err(s.err("names no field: write PATH=VALUE, e.g. mechanisms.dose.d50=1.5"))
}

/// The table of calibration priors: keyed by the dotted path of each fitted field, which the
/// scenario's shape cannot list.
const PRIORS: &str = "calibrate.priors";

/// Applies `s`, whose path runs into `[calibrate.priors]`, to `calibrate` (the file's
/// `[calibrate]` table). The rest of the path after `calibrate.priors.` is the fitted field's
/// dotted path, as a dotted key under `[calibrate.priors]` writes it in the file, and the value a
/// distribution: `--set calibrate.priors.innovation.learning_rate={ dist = "uniform", low = 0.1,
/// high = 0.6 }` adds or replaces that prior. A path that goes on past a prior sets one of its
/// keys (`calibrate.priors.innovation.learning_rate.high=0.8`). Whether the field exists and
/// takes that prior is checked by `domino calibrate` (and `check`), which names this flag.
fn set_prior(calibrate: &mut Table, s: &Setting) -> Result<Applied, InputError> {
    let example = "{ dist = \"uniform\", low = 0.1, high = 0.6 }";
    let rest = match s.path.strip_prefix(PRIORS) {
        Some(rest) => rest.strip_prefix('.').unwrap_or(rest),
        None => "",
    };
    let parts: Vec<&str> = rest.split('.').collect();
    if rest.is_empty() || parts.iter().any(|k| k.is_empty()) {
        return Err(s.err(format!(
            "{PRIORS} holds one prior per fitted field, by the field's dotted path: set one as \
             {PRIORS}.FIELD=DISTRIBUTION, e.g. {PRIORS}.innovation.learning_rate={example}"
        )));
    }
    let entry = calibrate
        .entry("priors")
        .or_insert_with(|| Value::Table(Table::new()));
    let Some(mut table) = entry.as_table_mut() else {
        return Err(s.err(format!("{PRIORS} is not a table in the file")));
    };
    let applied = Applied {
        forms: vec![s.path.clone()],
    };
    for (i, key) in parts.iter().enumerate() {
        let so_far = format!("{PRIORS}.{}", parts[..=i].join("."));
        let last = i + 1 == parts.len();
        if last {
            match table.get(*key) {
                Some(v) if v.is_table() && !is_distribution(v) => {
                    return Err(s.err(format!(
                        "{so_far} holds the priors of several fields ({}); set one of them",
                        v.as_table().map(keys_of_priors).unwrap_or_default()
                    )))
                }
                _ if !is_distribution(&s.value) => {
                    return Err(s.err(format!(
                        "a prior is a distribution, e.g. {so_far}={example} (the distribution \
                         syntax of uncertain fields); got {}",
                        describe(&s.value)
                    )))
                }
                _ => {}
            }
            table.insert(key.to_string(), s.value.clone());
            return Ok(applied);
        }
        let next = table
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        if is_distribution(next) {
            // A key of this prior's distribution (`low`, `high`, ...): one more segment.
            if i + 2 != parts.len() {
                return Err(s.err(format!(
                    "{so_far} is a prior; set one of its keys ({}), e.g. {so_far}.low=0.1",
                    next.as_table().map(keys).unwrap_or_default()
                )));
            }
            let law = next.as_table_mut().expect("a distribution is a table");
            law.insert(parts[i + 1].to_string(), s.value.clone());
            return Ok(applied);
        }
        let Some(inner) = next.as_table_mut() else {
            return Err(s.err(format!("{so_far} is not a table in the file")));
        };
        table = inner;
    }
    unreachable!("the loop returns at the last key")
}

/// The dotted paths of the priors under `t`.
fn keys_of_priors(t: &Table) -> String {
    fn walk(t: &Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in t {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v.as_table() {
                Some(inner) if !is_distribution(v) => walk(inner, &path, out),
                _ => out.push(path),
            }
        }
    }
    let mut out = Vec::new();
    walk(t, "", &mut out);
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_through_a_name_with_a_dot_says_the_name_is_invalid() {
        let text = "name = \"d\"\n[[strategies]]\nname = \"v1.2\"\nkind = \"pilot-then-cascade\"\n\
                    [[strategies]]\nname = \"pilots\"\nkind = \"cluster\"\n";
        let set: Setting = "strategies.v1.2.pilots=3".parse().unwrap();
        let e = crate::Scenario::load(text, None, None, &[set]).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("--set strategies.v1.2.pilots=3"),
            "{e}"
        );
        assert!(
            e.message
                .contains("the name \"v1.2\" in strategies is invalid")
                && !e.message.contains("no entry named \"v1\""),
            "{e}"
        );
    }

    #[test]
    fn pilot_ids_take_whole_numbers_as_ids_and_their_hint_shows_text() {
        use crate::scenario::Scenario;
        let text = "[[strategies]]\nname = \"pilot-then-cascade\"\n";
        let set = |s: &str| -> Setting { s.parse().unwrap() };
        let s = Scenario::load(
            text,
            None,
            None,
            &[set("strategies.pilot-then-cascade.pilot_ids=[1,2]")],
        )
        .unwrap();
        assert_eq!(s.config.strategies[0].pilot_ids, ["1", "2"]);
        let e = Scenario::load(
            text,
            None,
            None,
            &[set("strategies.pilot-then-cascade.pilot_ids=S01")],
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a list of text, e.g. [\"S01\", \"S07\"], got the text \"S01\""),
            "{e}"
        );
    }

    #[test]
    fn numbers_written_as_percentages_or_with_commas_get_a_hint() {
        use crate::scenario::Scenario;
        let load = |s: &str| {
            Scenario::load("", None, None, &[s.parse().unwrap()])
                .unwrap_err()
                .to_string()
        };
        let e = load("budget.per_school=1,5");
        assert!(
            e.contains("got the text \"1,5\": a decimal comma? Write 1.5"),
            "{e}"
        );
        let e = load("budget.per_school=40%");
        assert!(e.contains("a share of 40% is 0.4"), "{e}");
        let e = load("network.within_region=90");
        assert!(
            e.contains("between 0 and 1, got 90: a percentage? Write a share as a number between 0 and 1 (0.9)"),
            "{e}"
        );
        let e = load("network.within_region=300");
        assert!(e.ends_with("between 0 and 1, got 300"), "{e}");
    }

    #[test]
    fn values_parse_as_toml_or_else_as_text() {
        let v = |s: &str| s.parse::<Setting>().unwrap().value;
        assert_eq!(v("a.b=1.5"), Value::Float(1.5));
        assert_eq!(v("a.b=3"), Value::Integer(3));
        assert_eq!(v("a.b=true"), Value::Boolean(true));
        assert_eq!(v("a.b=\"x y\""), Value::String("x y".into()));
        assert_eq!(v("a.b=complex"), Value::String("complex".into()));
        assert!(is_distribution(&v(
            "a.b={ dist = \"uniform\", low = 1, high = 2 }"
        )));
        assert!("nothing".parse::<Setting>().is_err());
        assert!("=3".parse::<Setting>().is_err());
    }

    #[test]
    fn coverage_of_error_fields() {
        let a = Applied {
            forms: vec!["strategies.b.pilots".into(), "strategies[1].pilots".into()],
        };
        assert!(a.covers("strategies[1].pilots"));
        assert!(!a.covers("strategies[1].pilots_x"));
        assert!(!a.covers("strategies[0].pilots"));
    }
}
