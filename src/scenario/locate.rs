//! Finds where a dotted field path (`strategies[1].pilots`) stands in a TOML source, so that
//! validation errors can name a line and column.

use crate::error::InputError;
use serde::de::DeserializeOwned;
use std::path::Path;
use toml_edit::{ImDocument, Item, TableLike};

/// Deserialises TOML `src` into `T`; a parser error (syntax, unknown key, wrong type) becomes an
/// [`InputError`] with the file, line, column and the dotted path of the field at fault, in plain
/// words; a CSV file given where TOML belongs is named as such.
pub(crate) fn from_str<T: DeserializeOwned>(
    src: &str,
    file: Option<&Path>,
) -> Result<T, InputError> {
    toml::from_str(src).map_err(|e| {
        if let Some(p) = file {
            if let Some(first) = looks_like_csv(src, p) {
                return csv_not_scenario(&first).in_file(p);
            }
        }
        let mut message = parse_message(&e, src);
        let field = e.span().and_then(|span| path_at(src, span.start));
        // The storage type's limits ("0 or more", "no larger than 4294967295") are not the
        // field's: state the range validation would.
        if let Some((lo, hi)) = field.as_deref().and_then(super::validate::count_range) {
            if let Some(got) = message
                .strip_prefix("expected a whole number")
                .and_then(|r| r.split_once(", got "))
                .map(|(_, got)| got.to_string())
            {
                message = format!("expected a whole number from {lo} to {hi}, got {got}");
            }
        }
        // `[strategies]` for `[[strategies]]`: one bracket opens a table, two an entry of a list.
        let list = field.as_deref().and_then(|f| {
            ["strategies", "seedings", "show.variants"]
                .into_iter()
                .find(|l| f == *l)
        });
        if let (Some(list), "expected a list, got a table") = (list, message.as_str()) {
            message = format!(
                "{message}: write [[{list}]], with double brackets, once before each entry"
            );
        }
        if field.as_deref().is_some_and(|f| f.ends_with("pilot_ids")) {
            if let Some(text) = message.strip_prefix("expected a list, got the text ") {
                message = format!("{message}: write a list, pilot_ids = [{text}]");
            }
        }
        // `pilot_ids = [3, 5]`: the ids are text even where they are school numbers.
        if field.as_deref().is_some_and(|f| f.contains("pilot_ids")) {
            if let Some(n) = message.strip_prefix("expected a string, got the number ") {
                message = format!(
                    "{message}: a school's id is text in double quotes, even when it is a \
                     number; write \"{n}\""
                );
            }
        }
        let mut err = InputError::msg(message);
        if let Some(span) = e.span() {
            let (line, col) = line_col(src, span.start);
            err = err.at(line, Some(col));
            err.field = field;
        }
        match file {
            Some(p) => err.in_file(p),
            None => err,
        }
    })
}

/// A file given where a scenario (or sweep) belongs that is a CSV file: its name ends in `.csv`,
/// or its first line that is not blank or a comment looks like a CSV header (cells separated by
/// commas, semicolons or tabs, and no `=` or `[` of TOML). Returns that line, shortened. Only a
/// file that does not parse is asked: a CSV file reaches here as `domino check nodes.csv`, and
/// the parser's word for it (`expected `.`, `=``) says nothing of the mix-up.
fn looks_like_csv(src: &str, path: &Path) -> Option<String> {
    let first = src
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let named_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let header_like =
        first.contains([',', ';', '\t']) && !first.contains('=') && !first.starts_with('[');
    if !(named_csv || header_like) {
        return None;
    }
    let mut short: String = first.chars().take(60).collect();
    if short.len() < first.len() {
        short.push_str("...");
    }
    Some(short)
}

/// The error for a CSV file given as the scenario: what a scenario is, and where CSV files go.
pub(crate) fn csv_not_scenario(first: &str) -> InputError {
    let line = if first.is_empty() {
        String::new()
    } else {
        format!(" (its first line is `{first}`)")
    };
    InputError::msg(format!(
        "this looks like a CSV file{line}, but a scenario belongs here. A scenario is a TOML \
         file (`domino init` writes an example to start from) that names your CSV files in its \
         [network] section: kind = \"file\", edges = \"edges.csv\", nodes = \"nodes.csv\"; \
         give that file to domino instead"
    ))
}

/// The parser's message, or, where it has none (a control character in a comment, found by
/// fuzzing: the error printed as `file:5:68: ` and nothing else), what is at the position.
fn parse_message(e: &toml::de::Error, src: &str) -> String {
    let message = e.message().trim();
    if !message.is_empty() {
        let offset = e.span().map_or(src.len(), |s| s.start);
        // serde sees a TOML date as a table (`invalid type: map`): name it by what is written.
        let date = e
            .span()
            .and_then(|s| src.get(s))
            .and_then(|t| t.trim().parse::<toml::value::Datetime>().ok());
        return plain_syntax_error(message, src, offset).unwrap_or_else(|| {
            let plain = plain_type_error(message).replace('\n', "; ");
            match date {
                Some(d) if message.starts_with("invalid type: map") => {
                    plain.replace("got a table", &format!("got the date {d}"))
                }
                _ => plain,
            }
        });
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
        // The parser stopped at the end of the text, with nothing more to say.
        None => "the file ends in the middle of a setting: a value, or a closing quote or \
                 bracket, is missing"
            .to_string(),
    }
}

/// Rewrites the TOML parser's syntax errors (`invalid basic string`, `expected `.`, `=``,
/// `expected newline, `#``), which name the grammar's parts, in words a scenario's author knows,
/// with what to write instead; `offset` is where the parser stopped in `src`. `None` for a
/// message that is no syntax error known here (it is then passed on as it is, on one line).
fn plain_syntax_error(message: &str, src: &str, offset: usize) -> Option<String> {
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let rest = rest.trim();
    let here = src.get(offset..).unwrap_or("");
    let at = here.chars().next();
    // The word at the position: a bare value such as `file` or `True`.
    let word: String = here
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | '#'))
        .take(40)
        .collect();
    let text = match first {
        "invalid basic string" | "invalid literal string" => {
            let quote = if first == "invalid basic string" {
                '"'
            } else {
                '\''
            };
            match at {
                Some(c) if c.is_control() && c != '\n' && c != '\r' => format!(
                    "the control character U+{:04X} is not allowed in text; remove it",
                    c as u32
                ),
                _ => format!(
                    "this text has no closing `{quote}` on its line: text is written between \
                     quotes on one line (name = \"my district\")"
                ),
            }
        }
        "invalid multiline basic string" | "invalid multiline literal string" => {
            "text opened with three quotes is never closed with three quotes".to_string()
        }
        "invalid string" if rest.starts_with("expected `\"`") => {
            if word.is_empty() {
                "the value after `=` is missing: write a number (5, 0.5), true or false, or text \
                 in double quotes (\"file\")"
                    .to_string()
            } else if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("false") {
                format!(
                    "write `{}` in lower case: true and false are the only words TOML takes \
                     without quotes",
                    word.to_lowercase()
                )
            } else {
                format!(
                    "text must be written in double quotes: \"{word}\" (a value is a number, \
                     true or false, or text in double quotes)"
                )
            }
        }
        "expected `.`, `=`" => "expected `=` after the name of the setting: write one setting \
             per line as `name = value` (runs = 100); a name is one word of letters, digits, `_` \
             and `-`"
            .to_string(),
        "invalid key" => "expected the name of a setting or section here (letters, digits, `_` \
             and `-`), as in `runs = 100` or `[network]`"
            .to_string(),
        "invalid table header" if rest.starts_with("duplicate key") => {
            let name = duplicate_key(rest);
            format!(
                "the section [{name}] is written twice, or its name is already taken; write each \
                 section once, with all of its settings under it"
            )
        }
        "invalid table header" if rest.starts_with("expected `.`, `]]`") => {
            let name = header_name(src, offset).unwrap_or("strategies");
            format!("this `[[` header is not closed with `]]` on its line (write [[{name}]])")
        }
        "invalid table header" => match header_name(src, offset) {
            Some(name) => format!(
                "this section header is not closed with `]` on its line (write [{name}]; a \
                 section name has no spaces)"
            ),
            None => "this section header is not closed with `]` on its line (write the \
                     section's name between brackets, as in [network])"
                .to_string(),
        },
        _ if first.starts_with("duplicate key `") => {
            format!("{} is set twice; keep one of them", duplicate_key(first))
        }
        "expected newline, `#`" => {
            // `get`: an offset inside a character (never seen) gives "" rather than a panic.
            let before = src.get(..offset).unwrap_or("");
            let after_digit = before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit());
            let after_zero = before.ends_with('0');
            if at.is_some_and(|c| c.is_ascii_digit()) && after_zero {
                "a whole number does not start with 0: write 8, not 08".to_string()
            } else if at == Some(',') && after_digit {
                "a number is written without a thousands separator or decimal comma: 1000, \
                 0.5"
                .to_string()
            } else {
                "unexpected text after the value: write one `name = value` per line; a comment \
                 starts with #"
                    .to_string()
            }
        }
        "invalid floating-point number" if rest.contains("leading digit") => {
            "a number needs a digit before its decimal point: 0.5, not .5".to_string()
        }
        "invalid integer"
        | "invalid floating-point number"
        | "invalid hexadecimal integer"
        | "invalid octal integer"
        | "invalid binary integer" => {
            "this is not a number TOML can read: write it as 100, -3, 0.25 or 1e-6".to_string()
        }
        "invalid date-time" | "invalid time" | "invalid time offset" => "this is not a date or \
             time TOML can read, and no setting of a scenario is one: a number is written 100 or \
             0.5, text in double quotes"
            .to_string(),
        "invalid array" => "a list opened with `[` is not closed with `]` (items are separated \
             by commas: [2, 6])"
            .to_string(),
        "invalid inline table" => "a table in braces is not closed with `}` on the same line \
             ({ dist = \"uniform\", low = 0.5, high = 2 }, all on one line)"
            .to_string(),
        "invalid escape sequence" => "a backslash in double quotes starts an escape (\\n, \
             \\t, \\\\, \\\"): in a path write / between folders, which works on Windows too \
             (\"data/edges.csv\"); elsewhere write \\\\ for a backslash"
            .to_string(),
        "invalid unicode 4-digit hex code" | "invalid unicode 8-digit hex code" => {
            "`\\u` is followed by 4 hexadecimal digits and `\\U` by 8 (\"\\u00e9\" is é)"
                .to_string()
        }
        _ => return None,
    };
    Some(text)
}

/// The dotted name in the parser's `duplicate key `schools` in table `network``
/// (`network.schools`), or `duplicate key `runs` in document root` (`runs`).
/// The section name written on the header line holding `offset` (`budget` for `[budget`), so
/// that the hint shows the header the user meant; None when the line names none (`[`).
fn header_name(src: &str, offset: usize) -> Option<&str> {
    let before = src.get(..offset)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = src[start..].lines().next().unwrap_or("");
    let name = line.trim_start().trim_start_matches('[').trim_start();
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(name.len());
    Some(&name[..end]).filter(|n| !n.is_empty())
}

fn duplicate_key(message: &str) -> String {
    let mut parts = message.split('`');
    let key = parts.nth(1).unwrap_or("");
    match parts.nth(1) {
        Some(table) if message.contains(" in table `") => format!("{table}.{key}"),
        _ => key.to_string(),
    }
}

/// serde's `unknown field `pilot`, expected one of `name`, `pilots`, ...` with the field most
/// likely meant named first (`unknown field `pilot`; did you mean `pilots`? expected one of
/// ...`), when one is close ([`super::suggest::closest`]); `None` for any other message.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let expected = expected.strip_prefix(", ")?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    // A singular for a list's plural name (`[[strategy]]`) is further from it in spelling than
    // a typo, and as likely.
    let plural = |n: &&str| {
        [
            format!("{field}s"),
            format!("{}ies", field.trim_end_matches('y')),
        ]
        .contains(&n.to_string())
    };
    let Some(meant) =
        super::suggest::closest(field, &names).or_else(|| names.iter().copied().find(plural))
    else {
        // A field of another table written here (`d50` at the top of the file).
        let homes = homes_of(field, super::shape(), "");
        let first = homes.first()?;
        let listed: Vec<String> = homes.iter().map(|h| format!("[{h}]")).collect();
        // A table's field can also be written as a dotted key at the top; a list entry's not.
        let dotted = if first.starts_with('[') {
            String::new()
        } else {
            format!(", or as {first}.{field} = ... at the top of the file")
        };
        return Some(format!(
            "unknown field `{field}` here; it belongs in {}: write it under that header{dotted}",
            listed.join(" or ")
        ));
    };
    Some(format!(
        "unknown field `{field}`; did you mean `{meant}`? {expected}"
    ))
}

/// The tables of the scenario's shape (`table`, below `prefix`) that hold a field named
/// `field`, as dotted paths (`mechanisms.dose`); a list of tables in brackets
/// (`[strategies]`, whose header is `[[strategies]]`).
fn homes_of(field: &str, table: &toml::Table, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !prefix.is_empty() && table.contains_key(field) {
        out.push(prefix.to_string());
    }
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => out.extend(homes_of(field, t, &path)),
            toml::Value::Array(a) => {
                if let Some(toml::Value::Table(t)) = a.first() {
                    out.extend(homes_of(field, t, &path).into_iter().map(|h| {
                        if h == path {
                            format!("[{h}]")
                        } else {
                            h
                        }
                    }));
                }
            }
            _ => {}
        }
    }
    out
}

/// Rewrites serde's type errors (`invalid type: string "ten", expected u32`) in the words the
/// `--set` errors use (`expected a whole number, 0 or more, got the text "ten"`):
/// leaders write scenario files, and `u32` or `sequence` mean nothing to them. Other messages
/// pass through unchanged.
fn plain_type_error(message: &str) -> String {
    if let Some(hinted) = unknown_field_hint(message) {
        return hinted;
    }
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
        "a sequence" => "a list".to_string(),
        other => other.to_string(),
    };
    // serde quotes a scalar in backticks: `integer `-3``, `floating point `1.5``.
    let scalar = |kind: &str| {
        got.strip_prefix(kind)
            .map(|v| v.trim_matches('`').to_string())
    };
    let numeric = expected.starts_with("a number") || expected.starts_with("a whole number");
    let got = if let Some(text) = got.strip_prefix("string ") {
        let hint = if numeric {
            number_text_hint(text.trim_matches('"'))
        } else {
            String::new()
        };
        format!("the text {text}{hint}")
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

/// Why `text`, given where a number belongs, may have been meant as one: a percentage (`40%`),
/// a decimal comma (`1,5`) or a thousands separator (`1,000`), as the node table's cells are
/// told ([`super::files::number_hint`]). Empty when none fits.
pub(crate) fn number_text_hint(text: &str) -> String {
    let text = text.trim();
    match text.strip_suffix('%').map(|p| p.trim().parse::<f64>()) {
        Some(Ok(v)) => format!(
            ": a number is written without %; a share of {} is {}",
            text,
            super::number(v / 100.0)
        ),
        Some(Err(_)) => String::new(),
        None => super::files::number_hint(text, f64::is_finite),
    }
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
        let e = plain("[[strategies]]\nname = \"pilot-then-cascade\"\npilot_ids = [3, 5]\n");
        assert!(
            e.contains(
                "expected a string, got the number 3: a school's id is text in double \
                 quotes, even when it is a number; write \"3\""
            ),
            "{e}"
        );
        let e = plain("[strategies]\nname = \"cluster\"\n");
        assert!(
            e.contains(
                "strategies: expected a list, got a table: write [[strategies]], with \
                 double brackets"
            ),
            "{e}"
        );
        let e = plain("[[strategy]]\nname = \"cluster\"\n");
        assert!(
            e.contains("unknown field `strategy`; did you mean `strategies`?"),
            "{e}"
        );
        let e = plain("[[strategies]]\nname = \"cluster\"\npilot_ids = \"S03\"\n");
        assert!(e.contains("write a list, pilot_ids = [\"S03\"]"), "{e}");
        let e = plain("[budget]\nper_school = \"40%\"\n");
        assert!(
            e.contains(
                "got the text \"40%\": a number is written without %; a share of 40% is 0.4"
            ),
            "{e}"
        );
        let e = plain("[budget]\nper_school = \"1,5\"\n");
        assert!(
            e.contains("got the text \"1,5\": a decimal comma? Write 1.5"),
            "{e}"
        );
        let e = plain("[budget]\nper_school = \"lots\"\n");
        assert!(e.ends_with("got the text \"lots\""), "{e}");
        let e = plain("name = \"x\"\nd50 = 1.0\n");
        assert!(
            e.contains(
                "unknown field `d50` here; it belongs in [mechanisms.dose]: write it under \
                 that header, or as mechanisms.dose.d50 = ..."
            ),
            "{e}"
        );
        // A field of a list's entries is named with the list's double brackets.
        let e = plain("pilot_ids = [\"3\"]\n");
        assert!(
            e.contains("it belongs in [[strategies]]: write it under that header"),
            "{e}"
        );
        assert!(!e.contains("strategies.pilot_ids ="), "{e}");
        // A field that fits nowhere keeps serde's list.
        let e = plain("colour = 1\n");
        assert!(e.contains("unknown field `colour`, expected one of"), "{e}");
        // A field with a fixed range states it, not its storage type's.
        let e = plain("runs = -5\n");
        assert!(
            e.contains("expected a whole number from 1 to 10000000, got the number -5"),
            "{e}"
        );
        let e = plain("runs = 99999999999\n");
        assert!(
            e.contains("from 1 to 10000000, got the number 99999999999"),
            "{e}"
        );
        let e = plain("steps = 20.0\n");
        assert!(e.contains("from 1 to 10000, got the number 20.0"), "{e}");
        let e = plain("[budget]\nper_school = [1]\n");
        assert!(e.contains("expected a number, got a list"), "{e}");
        let e = plain("[mechanisms.contagion]\nenabled = 1\n");
        assert!(e.contains("expected a boolean, got the number 1"), "{e}");
        // Messages that are not type errors pass through.
        assert_eq!(plain_type_error("unknown field `x`"), "unknown field `x`");
        // An unknown field close to a known one says which.
        let e = plain("[[strategies]]\nname = \"a\"\nkind = \"pilot-then-cascade\"\npilot = 3\n");
        assert!(
            e.contains("unknown field `pilot`; did you mean `pilots`? expected one of `"),
            "{e}"
        );
        let e = plain("budjet = 3\n");
        assert!(e.contains("did you mean `budget`?"), "{e}");
        let e = plain("colour = 3\n");
        assert!(e.contains("unknown field `colour`, expected one of"), "{e}");
    }

    #[test]
    fn syntax_errors_are_in_plain_words_at_their_place() {
        let plain = |src: &str| match from_str::<crate::scenario::ScenarioConfig>(
            src,
            Some(Path::new("s.toml")),
        ) {
            Err(e) => {
                assert!(!e.message.contains('\n'), "{e}");
                e.to_string()
            }
            Ok(_) => panic!("{src} was accepted"),
        };
        let cases = [
            // An unterminated string was "invalid basic string".
            (
                "name = \"oops\nruns = 5\n",
                "s.toml:1:13: this text has no closing `\"`",
            ),
            (
                "[network]\nkind = file\n",
                "s.toml:2:8: text must be written in double quotes: \"file\"",
            ),
            ("runs = \n", "s.toml:1:8: the value after `=` is missing"),
            (
                "[mechanisms.contagion]\nenabled = True\n",
                "write `true` in lower case",
            ),
            (
                "runs 5\n",
                "s.toml:1:6: expected `=` after the name of the setting",
            ),
            (
                "[network\nschools = 5\n",
                "s.toml:1:9: this section header is not closed with `]` on its line (write \
                 [network];",
            ),
            (
                "runs = 5\n[budget\nper_school = 0.1\n",
                "s.toml:2:8: this section header is not closed with `]` on its line (write \
                 [budget];",
            ),
            (
                "[[strategies]\nname = \"a\"\n",
                "not closed with `]]` on its line (write [[strategies]])",
            ),
            (
                "[[seedings]\nname = \"a\"\n",
                "not closed with `]]` on its line (write [[seedings]])",
            ),
            (
                "runs = 5\n[",
                "s.toml:2:1: this section header is not closed with `]` on its line (write the \
                 section's name",
            ),
            ("runs = 10:30\n", "no setting of a scenario is one"),
            (
                "runs = 5\nname =",
                "the file ends in the middle of a setting",
            ),
            (
                "[network]\n[network]\n",
                "s.toml:2:1: the section [network] is written twice",
            ),
            (
                "[network]\nschools = 5\n[network.schools]\n",
                "the section [network.schools] is written twice",
            ),
            ("runs = 5\nruns = 6\n", "s.toml:2:1: runs is set twice"),
            (
                "[network]\nschools = 5\nschools = 6\n",
                "network.schools is set twice",
            ),
            (
                "runs = 1,000\n",
                "s.toml:1:9: a number is written without a thousands separator",
            ),
            ("runs = 08\n", "does not start with 0"),
            (
                "[budget]\nper_school = .5\n",
                "a digit before its decimal point",
            ),
            ("runs = --5\n", "not a number TOML can read"),
            (
                "[optimise]\npilots = [2, 6\n",
                "a list opened with `[` is not closed",
            ),
            (
                "[mechanisms.dose]\nd50 = { dist = \"uniform\",\n",
                "a table in braces is not closed",
            ),
            (
                "[network]\nedges = \"C:\\data\\e.csv\"\n",
                "in a path write / between folders, which works on Windows too",
            ),
            (
                "name = \"a\" runs = 5\n",
                "s.toml:1:12: unexpected text after the value",
            ),
        ];
        for (src, want) in cases {
            let e = plain(src);
            assert!(e.contains(want), "{src:?}: {e}");
            // The parser's words (`invalid basic string`, `expected `.`, `=``) are gone.
            assert!(
                !e.contains("invalid") && !e.contains("`.`,"),
                "{src:?}: {e}"
            );
        }
    }

    #[test]
    fn a_csv_file_given_as_the_scenario_is_named_as_such() {
        let parse = |src: &str, name: &str| {
            from_str::<crate::scenario::ScenarioConfig>(src, Some(Path::new(name))).unwrap_err()
        };
        // It was "expected `.`, `=`" at line 1.
        for (src, name) in [
            ("id,region,size\na,n,100\n", "nodes.csv"),
            ("# schools\nid,region\na,n\n", "nodes.txt"),
            ("source;target\n0;1\n", "edges"),
            ("id\na\n", "NODES.CSV"),
        ] {
            let e = parse(src, name);
            assert!(e.message.starts_with("this looks like a CSV file"), "{e}");
            assert!(
                e.message.contains("kind = \"file\", edges = \"edges.csv\""),
                "{e}"
            );
            assert_eq!(
                (e.line, e.file.as_deref()),
                (None, Some(Path::new(name))),
                "{e}"
            );
        }
        let e = parse("id,region,size\n", "nodes.csv");
        assert!(
            e.message.contains("(its first line is `id,region,size`)"),
            "{e}"
        );
        // A TOML file with a mistake is not called CSV, and text that is no file neither.
        let e = parse("runs = 1,000\n", "s.toml");
        assert_eq!(e.line, Some(1), "{e}");
        assert!(!e.message.contains("CSV"), "{e}");
        let e = from_str::<crate::scenario::ScenarioConfig>("id,region\n", None).unwrap_err();
        assert!(!e.message.contains("CSV"), "{e}");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
