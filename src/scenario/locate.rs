//! Finds where a dotted field path (`strategies[1].pilots`) stands in a TOML source, so that
//! validation errors can name a line and column.

use crate::error::InputError;
use serde::de::DeserializeOwned;
use std::path::Path;
use toml_edit::{ImDocument, Item, TableLike};

/// Deserialises TOML `src` into `T`; a parser error (syntax, unknown key, wrong type) becomes an
/// [`InputError`] with the file, line, column and the dotted path of the field at fault.
pub(crate) fn from_str<T: DeserializeOwned>(
    src: &str,
    file: Option<&Path>,
) -> Result<T, InputError> {
    toml::from_str(src).map_err(|e| {
        let mut err = InputError::msg(parse_message(&e, src));
        if let Some(span) = e.span() {
            let (line, col) = line_col(src, span.start);
            err = err.at(line, Some(col));
            err.field = path_at(src, span.start);
        }
        match file {
            Some(p) => err.in_file(p),
            None => err,
        }
    })
}

/// The parser's message, or, where it has none (a control character in a comment, found by
/// fuzzing: the error printed as `file:5:68: ` and nothing else), what is at the position.
fn parse_message(e: &toml::de::Error, src: &str) -> String {
    let message = e.message().trim();
    if !message.is_empty() {
        return plain_type_error(message);
    }
    let at = e
        .span()
        .and_then(|s| src.get(s.start..))
        .and_then(|t| t.chars().next());
    match at {
        Some(c) if c.is_control() => format!(
            "the control character U+{:04X} is not allowed in TOML, not even in a comment",
            c as u32
        ),
        Some(c) => format!("invalid TOML at {c:?}"),
        None => "invalid TOML".to_string(),
    }
}

/// Rewrites serde's type errors (`invalid type: string "ten", expected u32`) in the words the
/// `--set` errors use (`expected a whole number, 0 or more, got the text "ten"`):
/// leaders write scenario files, and `u32` or `sequence` mean nothing to them. Other messages
/// pass through unchanged.
fn plain_type_error(message: &str) -> String {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    let Some((got, expected)) = rest.and_then(|r| r.rsplit_once(", expected ")) else {
        return message.to_string();
    };
    // An unsigned field given a whole number that does not fit: too large, or negative.
    let too_large = got.starts_with("integer `") && !got.starts_with("integer `-");
    let unsigned = |max: u64| {
        if too_large {
            format!("a whole number no larger than {max}")
        } else {
            "a whole number, 0 or more".to_string()
        }
    };
    let expected = match expected {
        "u8" => unsigned(u8::MAX.into()),
        "u16" => unsigned(u16::MAX.into()),
        "u32" => unsigned(u32::MAX.into()),
        "u64" | "usize" => unsigned(u64::MAX),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        other => other.to_string(),
    };
    // serde quotes a scalar in backticks: `integer `-3``, `floating point `1.5``.
    let scalar = |kind: &str| {
        got.strip_prefix(kind)
            .map(|v| v.trim_matches('`').to_string())
    };
    let got = if let Some(text) = got.strip_prefix("string ") {
        format!("the text {text}")
    } else if let Some(v) = scalar("integer ").or_else(|| scalar("floating point ")) {
        format!("the number {v}")
    } else if let Some(v) = scalar("boolean ") {
        v
    } else {
        match got {
            "sequence" => "a list".to_string(),
            "map" => "a table".to_string(),
            other => other.to_string(),
        }
    };
    format!("expected {expected}, got {got}")
}

/// Places a validation error: the line and column of its field in `src` (when the error names a
/// field and no file of its own), and the file.
///
/// A field the file leaves out is placed at its table and the message says so, so that a default
/// (`network.regions = 8` under a file's `[network]` with `schools = 5`) is not read as a mistake
/// on that line.
pub(crate) fn place(mut e: InputError, src: &str, file: Option<&Path>) -> InputError {
    if let (Some(field), None) = (&e.field, &e.file) {
        if let Some(at) = find(src, field) {
            // "required when ..." already says the field is missing.
            if file.is_some() && !at.exact && !e.message.starts_with("required") {
                e.message = format!("{} ({})", e.message, not_in_file(field));
            }
            e = e.at(at.line, Some(at.column));
        }
    }
    match file {
        Some(p) if e.file.is_none() => e.in_file(p),
        _ => e,
    }
}

/// Converts a byte offset in `src` into a 1-based (line, column).
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// What a message adds about a field the file does not set: its default, when there is one.
fn not_in_file(field: &str) -> String {
    // A sweep's inline base scenario names its fields `base.<scenario field>`.
    let scenario_field = field.strip_prefix("base.").unwrap_or(field);
    let default = toml::Table::try_from(super::ScenarioConfig::default())
        .ok()
        .and_then(|t| super::path::get(&t, scenario_field));
    match default {
        Some(v) if !matches!(v, toml::Value::Table(_) | toml::Value::Array(_)) => {
            format!("the file does not set {field}; its default is {v}")
        }
        _ => format!("the file does not set {field}"),
    }
}

/// Where a field stands in a TOML source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    line: usize,
    column: usize,
    /// The field itself is written there; false when only its table (or an outer one) is.
    exact: bool,
}

/// The (line, column) of the deepest part of `path` present in `src`, or `None` if the file does not
/// mention even its first segment (the value came from a default).
pub(crate) fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    find(src, path).map(|f| (f.line, f.column))
}

fn find(src: &str, path: &str) -> Option<Found> {
    let doc = ImDocument::parse(src).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    let mut found = None;
    let mut exact = false;
    let segs = super::path::segments(path);
    let mut k = 0;
    while let Some(seg) = segs.get(k) {
        k += 1;
        // A key the file leaves out (a default): the deepest part found so far.
        let Some((key, item)) = table.get_key_value(seg.key) else {
            break;
        };
        found = key.span().or(item.span()).or(found);
        exact = k >= segs.len() && seg.index.is_none();
        let entry: Option<&dyn TableLike> = match (item, seg.index) {
            (Item::ArrayOfTables(arr), index) => {
                let t = match index {
                    Some(i) => arr.get(i),
                    // `strategies.cluster`: the entry whose name is the next segment.
                    None => {
                        let name = segs.get(k).map(|s| s.key);
                        k += 1;
                        arr.iter()
                            .find(|t| t.get("name").and_then(|v| v.as_str()) == name)
                    }
                };
                // The entry's header, when the field itself is left out.
                found = t.and_then(|t| t.span()).or(found);
                exact = t.is_some() && k >= segs.len();
                t.map(|t| t as &dyn TableLike)
            }
            (Item::Value(toml_edit::Value::Array(arr)), Some(i)) => {
                let v = arr.get(i);
                found = v.and_then(|v| v.span()).or(found);
                exact = v.is_some() && k >= segs.len();
                v.and_then(|v| v.as_inline_table())
                    .map(|t| t as &dyn TableLike)
            }
            (item, None) => item.as_table_like(),
            _ => None,
        };
        match entry {
            Some(t) => table = t,
            None => break,
        }
    }
    found.map(|span| {
        let (line, column) = line_col(src, span.start);
        Found {
            line,
            column,
            exact,
        }
    })
}

/// The dotted path (`strategies[1].pilots`) of the key or value at byte `offset` of `src`, for
/// errors the TOML parser reports by position only (an unknown key, a value of the wrong type).
pub(crate) fn path_at(src: &str, offset: usize) -> Option<String> {
    let doc = ImDocument::parse(src).ok()?;
    let mut path = Vec::new();
    if find_in(doc.as_table(), offset, &mut path) {
        Some(path.join("."))
    } else {
        None
    }
}

fn covers(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

/// Depth-first search of `table` for the entry at `offset`; on success `path` holds its segments.
fn find_in(table: &dyn TableLike, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, _) in table.iter() {
        let Some((k, item)) = table.get_key_value(key) else {
            continue;
        };
        let here = covers(k.span(), offset);
        path.push(key.to_string());
        match item {
            Item::ArrayOfTables(arr) => {
                for (i, t) in arr.iter().enumerate() {
                    *path.last_mut().expect("pushed") = format!("{key}[{i}]");
                    if find_in(t, offset, path) || covers(t.span(), offset) {
                        return true;
                    }
                }
                *path.last_mut().expect("pushed") = key.to_string();
            }
            Item::Value(toml_edit::Value::Array(arr)) if covers(arr.span(), offset) => {
                for (i, v) in arr.iter().enumerate() {
                    if covers(v.span(), offset) {
                        *path.last_mut().expect("pushed") = format!("{key}[{i}]");
                        if let Some(t) = v.as_inline_table() {
                            find_in(t, offset, path);
                        }
                        return true;
                    }
                }
                return true;
            }
            Item::Value(v) if covers(v.span(), offset) => {
                if let Some(t) = v.as_inline_table() {
                    find_in(t, offset, path);
                }
                return true;
            }
            _ => {
                if let Some(t) = item.as_table_like() {
                    if find_in(t, offset, path) {
                        return true;
                    }
                }
            }
        }
        if here || covers(item.span(), offset) {
            return true;
        }
        path.pop();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_array_entries() {
        let src = "runs = 3\n[mechanisms.dose]\nd50 = -1\n\n[[strategies]]\nname = \"a\"\n[[strategies]]\nname = \"b\"\npilots = 0\n";
        assert_eq!(locate(src, "runs"), Some((1, 1)));
        assert_eq!(locate(src, "mechanisms.dose.d50"), Some((3, 1)));
        assert_eq!(locate(src, "strategies[1].pilots"), Some((9, 1)));
        assert_eq!(locate(src, "seed"), None);
        // A field left out of the file: where its table is.
        assert_eq!(locate(src, "strategies[1].kind"), Some((7, 1)));
        assert_eq!(locate(src, "mechanisms.dose.hill"), Some((2, 13)));
        // Strategies by name, as sweeps and `--set` write them.
        assert_eq!(locate(src, "strategies.b.pilots"), Some((9, 1)));
    }

    #[test]
    fn a_field_left_out_is_placed_at_its_table_and_said_to_be_a_default() {
        let src = "[network]\nschools = 5\n[[strategies]]\nname = \"a\"\n";
        let found = |path: &str| find(src, path).map(|f| (f.line, f.exact));
        assert_eq!(found("network.schools"), Some((2, true)));
        assert_eq!(found("network.regions"), Some((1, false)));
        assert_eq!(found("strategies[0]"), Some((3, true)));
        assert_eq!(found("strategies[0].pilots"), Some((3, false)));
        assert_eq!(found("strategies.a"), Some((3, true)));
        let file = Some(Path::new("s.toml"));
        let e = place(InputError::field("network.regions", "too many"), src, file);
        assert_eq!(e.line, Some(1));
        assert!(
            e.message
                .contains("too many (the file does not set network.regions; its default is 8)"),
            "{e}"
        );
        let e = place(InputError::field("network.schools", "too few"), src, file);
        assert_eq!(e.message, "too few");
        // Text that is no file gets the line, and no word about "the file".
        let e = place(InputError::field("network.regions", "too many"), src, None);
        assert_eq!((e.line, e.message.as_str()), (Some(1), "too many"));
    }

    #[test]
    fn names_the_path_at_an_offset() {
        let src = "runs = \"many\"\n[mechanisms.dose]\nbogus = 1\n[[strategies]]\nname = \"a\"\n[[strategies]]\npilots = \"x\"\n";
        let at = |needle: &str| path_at(src, src.find(needle).unwrap());
        assert_eq!(at("\"many").as_deref(), Some("runs"));
        assert_eq!(at("bogus").as_deref(), Some("mechanisms.dose.bogus"));
        assert_eq!(at("\"x\"").as_deref(), Some("strategies[1].pilots"));
        assert_eq!(at("name").as_deref(), Some("strategies[0].name"));
    }

    #[test]
    fn type_errors_are_in_plain_words() {
        let plain = |src: &str| match from_str::<crate::scenario::ScenarioConfig>(src, None) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{src} was accepted"),
        };
        let e = plain("[network]\nschools = \"ten\"\n");
        assert!(
            e.contains("expected a whole number, 0 or more, got the text \"ten\""),
            "{e}"
        );
        let e = plain("[network]\nschools = -3\n");
        assert!(e.contains("got the number -3"), "{e}");
        assert!(!e.contains("u32"), "{e}");
        let e = plain("[network]\nschools = 99999999999\n");
        assert!(
            e.contains(
                "expected a whole number no larger than 4294967295, got the number 99999999999"
            ),
            "{e}"
        );
        let e = plain("[budget]\nper_school = [1]\n");
        assert!(e.contains("expected a number, got a list"), "{e}");
        let e = plain("[mechanisms.contagion]\nenabled = 1\n");
        assert!(e.contains("expected a boolean, got the number 1"), "{e}");
        // Messages that are not type errors pass through.
        assert_eq!(plain_type_error("unknown field `x`"), "unknown field `x`");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
