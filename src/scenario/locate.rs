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
        return message.to_string();
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

/// Places a validation error: the line and column of its field in `src` (when the error names a
/// field and no file of its own), and the file.
pub(crate) fn place(mut e: InputError, src: &str, file: Option<&Path>) -> InputError {
    if let (Some(field), None) = (&e.field, &e.file) {
        if let Some((line, col)) = locate(src, field) {
            e = e.at(line, Some(col));
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

/// The (line, column) of the deepest part of `path` present in `src`, or `None` if the file does not
/// mention even its first segment (the value came from a default).
pub(crate) fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let doc = ImDocument::parse(src).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    let mut found = None;
    let segs = super::path::segments(path);
    let mut k = 0;
    while let Some(seg) = segs.get(k) {
        k += 1;
        // A key the file leaves out (a default): the deepest part found so far.
        let Some((key, item)) = table.get_key_value(seg.key) else {
            break;
        };
        found = key.span().or(item.span()).or(found);
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
                t.map(|t| t as &dyn TableLike)
            }
            (Item::Value(toml_edit::Value::Array(arr)), Some(i)) => {
                let v = arr.get(i);
                found = v.and_then(|v| v.span()).or(found);
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
    found.map(|span| line_col(src, span.start))
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
    fn names_the_path_at_an_offset() {
        let src = "runs = \"many\"\n[mechanisms.dose]\nbogus = 1\n[[strategies]]\nname = \"a\"\n[[strategies]]\npilots = \"x\"\n";
        let at = |needle: &str| path_at(src, src.find(needle).unwrap());
        assert_eq!(at("\"many").as_deref(), Some("runs"));
        assert_eq!(at("bogus").as_deref(), Some("mechanisms.dose.bogus"));
        assert_eq!(at("\"x\"").as_deref(), Some("strategies[1].pilots"));
        assert_eq!(at("name").as_deref(), Some("strategies[0].name"));
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
