//! Error types shared by the library.
//!
//! Two kinds of failure matter to a user: bad input ([`InputError`], exit code 2), which names the
//! file, line, column and field at fault and says what is allowed; and failures while running or
//! writing results ([`Error::Io`], exit code 1).

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
}

impl InputError {
    /// An error about `field` with `message`, with no location yet.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            column: None,
            field: Some(field.into()),
            message: message.into(),
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
        }
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

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
}
