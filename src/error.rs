//! Error types shared by the library.
//!
//! Two kinds of failure matter to a user: bad input ([`InputError`], exit code 2), which names the
//! file, line, column and field at fault and says what is allowed; and failures while running or
//! writing results ([`Error::Io`], exit code 1). A CSV file with several bad rows is one
//! [`InputError`] listing them all (up to [`MAX_LISTED_PROBLEMS`]), gathered by `Problems`, so
//! that a file exported from a spreadsheet is fixed in one round trip rather than one per row.

use std::fmt;
use std::path::{Path, PathBuf};

/// Bad user input: a scenario, sweep, edge list or node table that cannot be used as written.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file at fault, if the input came from a file.
    pub file: Option<PathBuf>,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// The dotted path of the field (`mechanisms.dose.d50`, `strategies[1].pilots`) or CSV column.
    pub field: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// Further problems of the same input after this one (a CSV file's other bad rows); this
    /// error's own fields are those of the first, so that a caller looking at one problem sees
    /// the first. `None` for a single problem; boxed so that the common single problem stays
    /// small.
    pub more: Option<Box<Further>>,
}

/// The problems of an input after its first ([`InputError::more`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Further {
    /// The problems listed after the first, in line order, each with its own place.
    pub listed: Vec<InputError>,
    /// How many more problems were found than are listed (the first, then `listed`).
    pub unlisted: usize,
}

/// The most problems one error lists: enough to fix a messy file in one go, few enough to read
/// on a terminal. A file with more says how many it leaves out.
pub const MAX_LISTED_PROBLEMS: usize = 20;

impl InputError {
    /// An error about `field` with `message`, with no location yet.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            column: None,
            field: Some(field.into()),
            message: message.into(),
            more: None,
        }
    }

    /// An error with only a message.
    pub(crate) fn msg(message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            column: None,
            field: None,
            message: message.into(),
            more: None,
        }
    }

    /// The problems listed after this one (see [`InputError::more`]).
    pub fn further(&self) -> &[InputError] {
        self.more.as_ref().map_or(&[], |m| &m.listed)
    }

    /// How many problems were found beyond those listed.
    pub fn unlisted(&self) -> usize {
        self.more.as_ref().map_or(0, |m| m.unlisted)
    }

    /// Attaches the file.
    pub(crate) fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    /// Attaches a line (and column, if known).
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// Drops the line and column: for an error placed in text the user has no file of.
    pub fn unplaced(mut self) -> Self {
        self.line = None;
        self.column = None;
        self
    }
}

/// Writes `text` with its control characters escaped (`\u{1b}`, `\r`): messages quote what
/// the user's files hold (an id, a cell, a key), and a file that is not what it seems (a
/// spreadsheet renamed `.csv`, escape sequences in a TOML string) must not send raw bytes to the
/// terminal, where they can recolour, overwrite or hide the rest of the output. Newlines are
/// kept only where `keep_newlines` says so.
fn write_clean(f: &mut fmt::Formatter<'_>, text: &str, keep_newlines: bool) -> fmt::Result {
    if !text.chars().any(char::is_control) {
        return f.write_str(text);
    }
    for c in text.chars() {
        if c.is_control() && !(keep_newlines && c == '\n') {
            write!(f, "{}", c.escape_default())?;
        } else {
            write!(f, "{c}")?;
        }
    }
    Ok(())
}

/// The problems found in one input, gathered so that all of them are reported at once (see
/// [`InputError::more`]). Problems are pushed in line order (a reader's rows as it reads them);
/// only the first [`MAX_LISTED_PROBLEMS`] are kept, and the rest counted, so that a file whose
/// million rows are all bad costs no more memory than one with twenty.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    kept: Vec<InputError>,
    found: usize,
}

impl Problems {
    /// Records `e`, a problem on a line at or after the previous one's.
    pub(crate) fn push(&mut self, e: InputError) {
        self.found += 1;
        // Problems of the line of the last kept one are kept too, so that the ones listed are
        // the first by line and column whatever order a reader checks a row's cells in.
        let same_line = self.kept.last().is_some_and(|last| last.line == e.line);
        if self.kept.len() < MAX_LISTED_PROBLEMS || same_line {
            self.kept.push(e);
        }
    }

    /// True when no problem was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.found == 0
    }

    /// One error for all the problems (the first by line and column, listing the others), or
    /// `None` when there were none.
    pub(crate) fn into_error(self) -> Option<InputError> {
        let Self { mut kept, found } = self;
        kept.sort_by_key(|e| (e.line, e.column));
        kept.truncate(MAX_LISTED_PROBLEMS);
        let listed = kept.len();
        let mut rest = kept.into_iter();
        let mut first = rest.next()?;
        let further = Further {
            listed: rest.collect(),
            unlisted: found - listed,
        };
        if !further.listed.is_empty() || further.unlisted > 0 {
            first.more = Some(Box::new(further));
        }
        Some(first)
    }
}

impl InputError {
    /// This problem alone, as [`Display`](fmt::Display) writes its first line.
    fn write_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write_clean(f, &file.display().to_string(), false)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        } else if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(field) = &self.field {
            write_clean(f, field, false)?;
            write!(f, ": ")?;
        }
        write_clean(f, &self.message, true)
    }
}

/// The first problem, then each further one on a line of its own, placed like the first (so
/// that an editor can jump to each), then how many are left out.
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_one(f)?;
        for e in self.further() {
            writeln!(f)?;
            e.write_one(f)?;
        }
        let unlisted = self.unlisted();
        if unlisted > 0 {
            let s = if unlisted == 1 { "" } else { "s" };
            write!(
                f,
                "\nand {unlisted} more problem{s} (fix these and check again to see them)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Any failure of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be used; nothing was written. Transparent, so the message is said once.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Reading or writing a file failed while running. The I/O error is the `source()`, not part
    /// of the message, so that `{:#}` (as `main` prints errors) does not say it twice.
    #[error("{}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// True when the error is bad input (exit code 2) rather than a runtime failure.
    pub(crate) fn is_input(&self) -> bool {
        matches!(self, Error::Input(_))
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_when_printed() {
        let e = InputError::field("pilot\x1b[31m_ids", "no school has the id \"a\x1b[2J\rb\"")
            .in_file(Path::new("s\x07.toml"))
            .at(3, Some(1));
        let text = e.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(
            text,
            "s\\u{7}.toml:3:1: pilot\\u{1b}[31m_ids: no school has the id \"a\\u{1b}[2J\\rb\""
        );
        // Plain text is written as it is, a line break in a message too.
        let e = InputError::msg("two\nlines");
        assert_eq!(e.to_string(), "two\nlines");
    }

    /// A problem of `file` on `line`, in `column`.
    fn problem(line: usize, column: usize, message: &str) -> InputError {
        InputError::field("need", message)
            .in_file(Path::new("n.csv"))
            .at(line, Some(column))
    }

    #[test]
    fn problems_are_listed_after_the_first_each_on_its_line() {
        let mut p = Problems::default();
        assert!(p.is_empty());
        p.push(problem(2, 3, "bad \x1b[2J"));
        p.push(problem(5, 1, "worse"));
        assert!(!p.is_empty());
        let e = p.into_error().unwrap();
        // The first problem's own fields, so that a caller reading one sees the first.
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert_eq!(e.further().len(), 1);
        let text = e.to_string();
        assert_eq!(
            text,
            "n.csv:2:3: need: bad \\u{1b}[2J\nn.csv:5:1: need: worse"
        );
        assert!(Problems::default().into_error().is_none());
    }

    #[test]
    fn beyond_the_cap_the_first_by_line_and_column_are_listed_and_the_rest_counted() {
        let mut p = Problems::default();
        for line in 1..MAX_LISTED_PROBLEMS {
            p.push(problem(line, 1, "row"));
        }
        // The last line listed has two problems, pushed out of column order, and more follow.
        p.push(problem(MAX_LISTED_PROBLEMS, 4, "right"));
        p.push(problem(MAX_LISTED_PROBLEMS, 2, "left"));
        p.push(problem(MAX_LISTED_PROBLEMS + 1, 1, "later"));
        let e = p.into_error().unwrap();
        assert_eq!(1 + e.further().len(), MAX_LISTED_PROBLEMS);
        assert_eq!(e.further().last().unwrap().message, "left");
        assert_eq!(e.unlisted(), 2);
        assert!(
            e.to_string()
                .ends_with("\nand 2 more problems (fix these and check again to see them)"),
            "{e}"
        );
        let mut p = Problems::default();
        for line in 0..=MAX_LISTED_PROBLEMS {
            p.push(problem(line + 1, 1, "row"));
        }
        assert!(p
            .into_error()
            .unwrap()
            .to_string()
            .ends_with("\nand 1 more problem (fix these and check again to see them)"));
    }
}
