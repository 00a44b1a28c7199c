//! Reading a network and school attributes from CSV files, and the checks every CSV input of
//! domino gets (`CsvFile`, which also opens the observed rollout of `domino calibrate`).
//!
//! - Node table: a header with `id` and any of `name,region,size,need,readiness,resources,context`.
//!   A column left out, or an empty cell, is drawn from the scenario's distributions in every run.
//! - Edge list: a header `source,target` and optionally `weight` (default 1). With a node table,
//!   ids are matched to its `id` column; without one, ids are whole numbers 0..n-1 and n is the
//!   largest id plus one.
//!
//! Both files are comma-separated, UTF-8, with `\n` or `\r\n` line ends; fields are trimmed.
//! Excel's separator line (`sep=,`) before everything else is skipped.
//! Whole lines starting with `#` before the header are comments (to describe the file); after the
//! header `#` is an ordinary character, so an id such as `#12` is a school, never silently
//! dropped as a comment. Column names are read in any case; empty headings after the last named
//! column are ignored while their cells are empty (see `CsvFile`). Columns other than the ones
//! listed are an error in both files, and so is a row with more or fewer cells than the header.
//!
//! A file with several bad rows is reported with all of them at once, in line order (up to
//! `error::MAX_LISTED_PROBLEMS`, then how many more): each cell not a number or out of range,
//! each empty, unknown or repeated id, each tie of a school to itself, each row of the wrong
//! length, so that a messy export takes one round trip rather than one per row. A problem of the
//! whole file (not text, empty, a bad header) is reported alone, as are checks made once all rows
//! are read (a lone huge id without a node table).
//!
//! Every error names the file, the line and the column at fault (a cell's position in its row,
//! counting from 1, and its column's name), and where a spreadsheet is the likely cause says
//! so: a decimal comma or thousands separator in a number (a dot between thousands in a size is
//! refused: `1.606` is not read as 1.6 students), a percentage for a share, a quote after a
//! space (not read as quoting), a heading
//! close to an allowed column (`scenario::suggest`), a first line of data without a header, a
//! file in a Windows code page (the cell is quoted as that code page reads it). The readers take bytes
//! ([`NodeTable::from_bytes`], [`EdgeList::from_bytes`]) so that they can be fuzzed without files.
//! `domino check` reports the imported network's ties and connected components (computed with
//! petgraph in `network::stats`).

use super::suggest;
use super::validate::MAX_SCHOOLS;
use crate::error::{InputError, Problems};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Smallest tie weight an edge list may give. Weights are stored as `f32`; anything smaller would
/// be subnormal or round to 0, and a tie that weak is no tie at all.
pub const MIN_WEIGHT: f64 = 1e-6;

/// Without a node table, n is the largest id plus one, so one large id makes a huge world of
/// untied schools. The largest id must stay below this many times the number of distinct ids in
/// the file (or below [`SPARSE_IDS_FREE`]); give a node table to list schools without ties.
pub(crate) const SPARSE_IDS_FACTOR: usize = 10;

/// Ids below this are always accepted without a node table, however few ties the file has.
pub const SPARSE_IDS_FREE: usize = 1000;

/// One undirected, weighted tie between two schools.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// One end (school index).
    pub a: u32,
    /// The other end (school index), never equal to `a`.
    pub b: u32,
    /// Strength of the professional relationship, in [`MIN_WEIGHT`], 1].
    pub weight: f32,
}

/// One numeric node-table column: `None` when the column is absent, else one cell per school,
/// `None` for an empty cell (drawn per run).
pub type Column = Option<Vec<Option<f64>>>;

/// School attributes from a node table; absent columns and empty cells are drawn per run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeTable {
    /// School ids exactly as written, in file order; school index i is row i.
    pub ids: Vec<String>,
    /// School names from the `name` column, if present (may be empty), carried into outputs.
    pub names: Option<Vec<String>>,
    /// Region index per school (regions numbered in order of first appearance).
    pub region: Option<Vec<u32>>,
    /// Number of distinct regions, when the region column is present.
    pub n_regions: Option<usize>,
    /// Region names as written, by region index, when the region column is present.
    pub region_names: Option<Vec<String>>,
    /// Enrolment, students (> 0).
    pub size: Column,
    /// Need in [0, 1] (a written `-0` is stored as 0).
    pub need: Column,
    /// Readiness in [0, 1].
    pub readiness: Column,
    /// Own resources, SU per term (>= 0, at most [`MAX_RESOURCES`]).
    pub resources: Column,
    /// Context in [0, 1].
    pub context: Column,
}

/// Largest own resources a node table may give, SU per term: far above any school's budget, and
/// small enough that sums over a million schools stay finite.
pub const MAX_RESOURCES: f64 = 1e9;

/// Largest enrolment a node table may give, students.
pub(crate) const MAX_SIZE: f64 = 1e7;

/// The ties read from an edge list.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeList {
    /// Number of schools.
    pub schools: usize,
    /// Ties by school index.
    pub edges: Vec<Edge>,
}

const NUMERIC_COLUMNS: [&str; 5] = ["size", "need", "readiness", "resources", "context"];
const NODE_COLUMNS: &str = "id, name, region, size, need, readiness, resources, context";
const EDGE_COLUMNS: &str = "source, target, weight";

/// Reads a whole file; a file that cannot be read is an input error naming it.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| InputError::msg(format!("cannot read: {e}")).in_file(path))
}

/// The number of records after the header of the CSV file at `path` (comment lines, Excel's
/// separator line and blank lines not counted), for a file already read and checked once (the
/// copy of an input in an output folder); an unreadable file or record is an error naming it.
pub(crate) fn count_records(path: &Path) -> Result<usize, InputError> {
    let bytes = read_bytes(path)?;
    let mut n = 0;
    for record in reader(&bytes).into_records() {
        record.map_err(|e| csv_error(path, &bytes, e))?;
        n += 1;
    }
    Ok(n)
}

/// The text of `bytes`, or an error naming the line and byte offset of the first byte that is not
/// UTF-8 (a file saved as Latin-1 by a spreadsheet). A workbook or a UTF-16 file is named as
/// such (see `not_text`).
pub fn utf8<'a>(bytes: &'a [u8], path: Option<&Path>) -> Result<&'a str, InputError> {
    if let Some(e) = not_text(bytes, path) {
        return Err(match path {
            Some(p) => e.in_file(p),
            None => e,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = line_of(bytes, at);
        let err = InputError::msg(format!(
            "invalid UTF-8 at byte {at} (counting from 0); save the file as UTF-8"
        ))
        .at(line, None);
        match path {
            Some(p) => err.in_file(p),
            None => err,
        }
    })
}

/// Windows-1252's characters for the bytes 0x80 to 0x9F (`?` for the five it leaves undefined);
/// from 0xA0 on it agrees with Latin-1, whose code points are the bytes themselves.
const CP1252_HIGH: [char; 32] = [
    '€', '?', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '?', 'Ž', '?', '?', '‘', '’',
    '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '?', 'ž', 'Ÿ',
];

/// `bytes` as Windows-1252 (the "ANSI" code page of Western Windows, a superset of Latin-1's
/// printable characters) would show them, control characters as `?`: a cell of a CSV file that
/// is not UTF-8, quoted back so that the user can find it.
fn as_windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => char::from(b),
        })
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The error `e` about invalid UTF-8 at byte `at` of a CSV file, with the column and heading
/// of the cell that holds it and the cell as a Windows code page reads it: a file saved as
/// "CSV (comma delimited)" by Excel is in that code page, and the accented name that broke it
/// is then in plain sight.
fn invalid_utf8_cell(mut e: InputError, bytes: &[u8], at: usize) -> InputError {
    let line_start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
        .max(text_start(bytes));
    let line_end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    // The cell: count the commas before the byte outside quotes.
    let (mut field, mut quoted, mut cell_start) = (0, false, line_start);
    for (i, &b) in bytes[line_start..at].iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                field += 1;
                cell_start = line_start + i + 1;
            }
            _ => {}
        }
    }
    let cell_end = bytes[at..line_end]
        .iter()
        .position(|&b| b == b',')
        .map_or(line_end, |i| at + i);
    let cell = as_windows_1252(bytes[cell_start..cell_end].trim_ascii());
    let cell = cell.trim_matches('"');
    let shown: String = cell.chars().take(60).collect();
    let start = header_start(bytes);
    let header_end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| start + i);
    if at >= header_end {
        let header = String::from_utf8_lossy(&bytes[start..header_end]);
        let heading = header
            .split(',')
            .nth(field)
            .map(|h| h.trim().trim_matches('"').trim().to_lowercase())
            .filter(|h| !h.is_empty());
        e.field = heading;
    }
    e.column = Some(field + 1);
    e.message = format!(
        "invalid UTF-8 at byte {at} (counting from 0), in the cell that reads \"{shown}\" in the \
         Windows code page: the file is saved in a Windows or Latin-1 encoding; {}",
        save_as(e.file.as_deref())
    );
    e
}

/// A file that is not text by its first bytes: a spreadsheet workbook (an `.xlsx` renamed or
/// chosen as `.csv` is the common case) or UTF-16 text (Excel's "Unicode Text"). Left to the UTF-8
/// check, the first would be "invalid UTF-8 at byte 10", which does not say what to do, and a
/// workbook whose first bytes happen to be valid UTF-8 would have its binary header echoed as a
/// column name.
fn not_text(bytes: &[u8], path: Option<&Path>) -> Option<InputError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let what = if bytes.starts_with(ZIP) {
        "a spreadsheet workbook (.xlsx or .ods) or another zipped document"
    } else if bytes.starts_with(OLE) {
        "an Excel 97-2003 workbook (.xls) or another Office document"
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some(InputError::msg(format!(
            "the file is UTF-16 text (a spreadsheet's \"Unicode Text\"); {}",
            save_as(path)
        )));
    } else {
        return None;
    };
    Some(InputError::msg(format!(
        "the file is not text: it looks like {what}; {}",
        save_as(path)
    )))
}

/// What to do about a file that is not UTF-8 text, by what it should have been: a scenario (or
/// sweep) is TOML, anything else domino reads is CSV.
fn save_as(path: Option<&Path>) -> &'static str {
    let toml = path
        .and_then(Path::extension)
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if toml {
        "a scenario is a TOML text file: write it in a text editor (`domino init` writes an \
         example)"
    } else {
        "open it in its spreadsheet and save it as \"CSV UTF-8 (comma delimited)\""
    }
}

/// The first control character of `text` other than tab and line ends, with its 1-based line:
/// a CSV file has none, so one is a sign of a binary file (or one saved in another format)
/// under a `.csv` name.
fn first_control(text: &str) -> Option<(usize, char)> {
    let (at, c) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))?;
    Some((line_of(text.as_bytes(), at), c))
}

/// 1-based line of byte `offset`. Line ends are `\n` (CRLF files count their `\n`), so the line
/// is the same for Unix and Windows files.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based line where the record at byte `start` begins. The csv crate's own line count is one
/// too low for CRLF files (it counts `\r` and `\n` as one terminator but starts the next record
/// at the `\n`), so lines are counted here from the byte offset, skipping line-end bytes.
fn record_line(bytes: &[u8], start: usize) -> usize {
    let mut s = start.min(bytes.len());
    while s < bytes.len() && (bytes[s] == b'\r' || bytes[s] == b'\n') {
        s += 1;
    }
    line_of(bytes, s)
}

/// The UTF-8 byte-order mark, which Excel writes at the start of "CSV UTF-8".
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the text starts: after a UTF-8 byte-order mark (which Excel writes) and after Excel's
/// separator line `sep=,` (written by "CSV" exports for some locales, read by Excel only), which
/// says what every comma-separated file already is. A `sep=;` line is skipped too: the header
/// after it is then named as semicolon-separated, which is the error to give.
fn text_start(bytes: &[u8]) -> usize {
    let at = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let rest = &bytes[at..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let first = rest[..end].trim_ascii();
    if first.len() <= 5 && first.len() >= 4 && first[..4].eq_ignore_ascii_case(b"sep=") {
        return (at + end + 1).min(bytes.len());
    }
    at
}

/// Where the header starts: after what [`text_start`] skips and after whole comment lines
/// starting with `#`.
fn header_start(bytes: &[u8]) -> usize {
    let mut at = text_start(bytes);
    while bytes.get(at) == Some(&b'#') {
        match bytes[at..].iter().position(|&b| b == b'\n') {
            Some(end) => at += end + 1,
            None => return bytes.len(),
        }
    }
    at
}

/// A CSV reader over the file from its header on. Positions it reports are relative to
/// `header_start(bytes)`; [`record_line`] takes absolute offsets.
fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(&bytes[header_start(bytes)..])
}

/// The 1-based line of a position the reader reported.
fn position_line(bytes: &[u8], p: &csv::Position) -> usize {
    record_line(bytes, header_start(bytes) + p.byte() as usize)
}

/// Lines of the records as the reader reaches them, counted incrementally (records come in file
/// order), so that a million-line file is not rescanned from the start for every record.
struct Lines<'a> {
    bytes: &'a [u8],
    base: usize,
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            base: header_start(bytes),
            at: 0,
            line: 1,
        }
    }

    /// The line where the record at `p` begins (see [`record_line`]).
    fn of(&mut self, p: Option<&csv::Position>) -> usize {
        let Some(p) = p else { return 0 };
        let mut s = (self.base + p.byte() as usize).min(self.bytes.len());
        while s < self.bytes.len() && (self.bytes[s] == b'\r' || self.bytes[s] == b'\n') {
            s += 1;
        }
        if s < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += self.bytes[self.at..s]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.at = s;
        self.line
    }
}

fn csv_error(path: &Path, bytes: &[u8], e: csv::Error) -> InputError {
    let line = e.position().map(|p| position_line(bytes, p));
    let mut err = InputError::msg(format!("malformed CSV: {e}")).in_file(path);
    if let Some(l) = line {
        err = err.at(l, None);
    }
    err
}

/// A CSV file open for reading, with what every reader of domino's input files checks first:
/// the bytes are UTF-8 text, the file is not empty, the header is comma-separated and names only
/// allowed columns, each once, and no record has more fields than the header. Records come with
/// their 1-based lines, for errors that name the file, line and field; [`CsvFile::place`] adds
/// the column. A reader records each bad row's problems ([`CsvFile::problem`]) and goes on to
/// the next row, and [`CsvFile::finish`] reports them all in one error.
///
/// Column names are read without regard to case or surrounding spaces (`ID, Name` is `id,name`):
/// a spreadsheet user capitalises headings, and refusing them would be a chore with no gain. Two
/// headings that are the same name in different case are still refused, as a column given twice.
/// Empty headings after the last named column are ignored when their cells are empty too: Excel
/// writes such trailing commas for cells that were once used (`id,region,size,,`).
pub(crate) struct CsvFile<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    /// The header's cells as written (trimmed), trailing empty ones included.
    headers: csv::StringRecord,
    /// The named columns in lower case: the header up to its last non-empty cell.
    names: Vec<String>,
    lines: Lines<'a>,
    /// The problems of the rows read so far.
    problems: Problems,
}

/// What one kind of CSV input holds, for the checks of its header ([`CsvFile::open`]).
pub(crate) struct Layout<'a> {
    /// The columns it may have, in lower case.
    pub allowed: &'a [&'a str],
    /// The same, as errors list them.
    pub listing: &'a str,
    /// The header line as errors quote it (`source,target[,weight]`), for a first line that
    /// looks like data.
    pub header: &'a str,
    /// What the file should hold, for an empty file (`a node table needs ...`).
    pub needs: &'a str,
    /// Whether a cell of the first line is a value of the file rather than a heading (a school
    /// id of the node table); numbers always are.
    pub is_value: &'a dyn Fn(&str) -> bool,
}

impl<'a> CsvFile<'a> {
    /// Opens `bytes` (the contents of `path`) and reads its header, which may name only the
    /// columns `layout` allows. A semicolon- or tab-separated export, which the csv reader would
    /// see as one column, is named as such, and so is a first line of data with no header
    /// above it; an unknown heading close to an allowed column gets "did you mean".
    pub(crate) fn open(
        path: &'a Path,
        bytes: &'a [u8],
        layout: &Layout,
    ) -> Result<Self, InputError> {
        let Layout {
            allowed,
            listing: allowed_text,
            needs,
            ..
        } = *layout;
        let text = utf8(bytes, Some(path)).map_err(|e| match std::str::from_utf8(bytes) {
            Err(bad) if e.line.is_some() => invalid_utf8_cell(e, bytes, bad.valid_up_to()),
            _ => e,
        })?;
        if let Some((line, c)) = first_control(text) {
            return Err(InputError::msg(format!(
                "the file is not text: it holds the control character U+{:04X}, which no CSV \
                 file does (is it a spreadsheet or another document under a .csv name?); {}",
                c as u32,
                save_as(Some(path))
            ))
            .in_file(path)
            .at(line, None));
        }
        // Without this, an empty file (or one of comments only) was "the node table needs an
        // `id` column", which sends the user looking for a column in a file that has none.
        let start = header_start(bytes);
        if bytes[start..].iter().all(u8::is_ascii_whitespace) {
            let comments = start > text_start(bytes);
            return Err(InputError::msg(format!(
                "the file is empty{}: {needs}",
                if comments {
                    " (it has only comments, lines starting with #)"
                } else {
                    ""
                }
            ))
            .in_file(path));
        }
        let mut rdr = reader(bytes);
        let headers = rdr
            .headers()
            .map_err(|e| csv_error(path, bytes, e))?
            .clone();
        let mut file = Self {
            path,
            bytes,
            records: rdr.into_records(),
            headers,
            names: Vec::new(),
            lines: Lines::new(bytes),
            problems: Problems::default(),
        };
        if file.headers.len() == 1 {
            let only = &file.headers[0];
            for (sep, what) in [(';', "semicolon"), ('\t', "tab")] {
                if only.contains(sep) {
                    return Err(file.at_header(InputError::msg(format!(
                        "the file looks {what}-separated; domino reads comma-separated CSV \
                         (save or export it with commas as separators)"
                    ))));
                }
            }
        }
        let width = (0..file.headers.len())
            .rev()
            .find(|&i| !file.headers[i].is_empty())
            .map_or(0, |i| i + 1);
        if width == 0 {
            return Err(file.at_header(InputError::msg(format!(
                "the header names no columns; the first line that is not a comment must name \
                 them ({allowed_text})"
            ))));
        }
        // Where each name was first seen (0-based column), for a column given twice.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut names = Vec::with_capacity(width);
        for (i, h) in file.headers.iter().take(width).enumerate() {
            let at = |e: InputError| file.at_header(e).at(file.header_line(), Some(i + 1));
            if h.is_empty() {
                return Err(at(InputError::msg(format!(
                    "column {} of the header is empty; every column needs a name ({allowed_text})",
                    i + 1
                ))));
            }
            let name = h.to_lowercase();
            if !allowed.contains(&name.as_str()) {
                let cells: Vec<&str> = file.headers.iter().take(width).collect();
                let data = cells
                    .iter()
                    .all(|c| !allowed.contains(&c.to_lowercase().as_str()))
                    && cells
                        .iter()
                        .any(|c| c.parse::<f64>().is_ok() || (layout.is_value)(c));
                if data {
                    return Err(file.at_header(InputError::msg(format!(
                        "the first line must be the header `{}`, but this one looks like data \
                         (\"{}\"): add the header line above it",
                        layout.header,
                        cells.join(",")
                    ))));
                }
                let hint = match suggest::column(h, allowed) {
                    Some(c) => format!("did you mean `{c}`? "),
                    None => String::new(),
                };
                return Err(at(InputError::field(
                    h,
                    format!("unknown column; {hint}allowed: {allowed_text}"),
                )));
            }
            if let Some(&first) = seen.get(&name) {
                let first_as = &file.headers[first];
                let case = if first_as == h {
                    String::new()
                } else {
                    format!(
                        " (as \"{first_as}\" in column {} and \"{h}\" here: column names are \
                         read without regard to case)",
                        first + 1
                    )
                };
                return Err(at(InputError::field(
                    h,
                    format!("the column is given twice{case}"),
                )));
            }
            seen.insert(name.clone(), i);
            names.push(name);
        }
        file.names = names;
        Ok(file)
    }

    /// The index of column `name` (lower case), if the header has it.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }

    /// The 1-based line of the header.
    fn header_line(&self) -> usize {
        record_line(self.bytes, header_start(self.bytes))
    }

    /// `e` placed in this file, at its header line.
    pub(crate) fn at_header(&self, e: InputError) -> InputError {
        e.in_file(self.path).at(self.header_line(), None)
    }

    /// `e` with its column: an error in this file, on a line, about a column named in the header
    /// (its field) gets that column's position, counting from 1, so that it reads
    /// `nodes.csv:3:2: need: ...` like an error in a scenario file. Other errors are returned as
    /// they are.
    pub(crate) fn place(&self, mut e: InputError) -> InputError {
        if e.file.as_deref() == Some(self.path) && e.line.is_some() && e.column.is_none() {
            if let Some(c) = e.field.as_deref().and_then(|f| self.column(f)) {
                e.column = Some(c + 1);
            }
        }
        e
    }

    /// The next well-formed record and the line it starts on, or `None` after the last. A
    /// record with more fields than the header or fewer than its named columns, or a value under
    /// an empty heading, is a problem of its line ([`CsvFile::problem`]) and is skipped: its cells
    /// cannot be matched to their columns. A malformed record ends the reading.
    pub(crate) fn next_record(&mut self) -> Option<(csv::StringRecord, usize)> {
        loop {
            let record = match self.records.next()? {
                Ok(record) => record,
                Err(e) => {
                    let e = csv_error(self.path, self.bytes, e);
                    self.problem(e);
                    return None;
                }
            };
            let line = self.lines.of(record.position());
            match self.shape(&record, line) {
                Ok(()) => return Some((record, line)),
                Err(e) => self.problem(e),
            }
        }
    }

    /// Checks that `record`, on `line`, has a cell for each named column and no value under an
    /// empty heading or beyond the header.
    fn shape(&self, record: &csv::StringRecord, line: usize) -> Result<(), InputError> {
        // A quote left open swallows the rest of the file into one cell, so the row is then
        // short (or long) for a reason its count of fields does not show: say so.
        let spans = record
            .iter()
            .map(|f| f.matches('\n').count())
            .max()
            .unwrap_or(0);
        let quote = if spans > 0 {
            format!(
                "; a quoted cell starting on this line runs over {} more line{}: is its closing \
                 quote missing?",
                spans,
                if spans == 1 { "" } else { "s" }
            )
        } else if self.spaced_quote(record) {
            "; a quote after a space is not read as quoting, so the commas inside it split the \
             cell: remove the space after the comma"
                .to_string()
        } else {
            String::new()
        };
        let at = |e: InputError| e.in_file(self.path).at(line, None);
        if record.len() > self.headers.len() {
            return Err(at(InputError::msg(format!(
                "{} fields but the header has {} columns{quote}",
                record.len(),
                self.headers.len()
            ))));
        }
        // A short row is most often a value lost in editing; read as empty cells it would be
        // drawn at random (or weighted 1) without a word. Empty cells are written as such. Cells
        // under trailing empty headings may be left out.
        let width = self.names.len();
        if record.len() < width {
            return Err(at(InputError::msg(format!(
                "{} field{} but the header has {} columns ({}); write an empty cell (`,,`) for a \
                 value left out{quote}",
                record.len(),
                if record.len() == 1 { "" } else { "s" },
                width,
                self.headers
                    .iter()
                    .take(width)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        }
        // A value under an empty heading would be dropped without a word.
        if let Some(k) = (width..record.len()).find(|&k| !record[k].is_empty()) {
            return Err(at(InputError::msg(format!(
                "column {} holds \"{}\" but its heading is empty (a trailing comma in the \
                 header?); name the column or delete the value",
                k + 1,
                &record[k]
            )))
            .at(line, Some(k + 1)));
        }
        Ok(())
    }

    /// True when `record` was written with a blank between a comma (or the start of the line)
    /// and an opening quote (`a, "Elm, campus 1"`). The csv reader, like Excel, reads a quote as
    /// quoting only as a cell's first character, so the quote is then text and the commas in it
    /// split the cell; the row is too long for a reason its count of fields does not show.
    fn spaced_quote(&self, record: &csv::StringRecord) -> bool {
        let Some(p) = record.position() else {
            return false;
        };
        let start = (header_start(self.bytes) + p.byte() as usize).min(self.bytes.len());
        // As in `Lines::of`, a record's position may be the line end before it.
        let ends = self.bytes[start..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let rest = &self.bytes[start + ends..];
        let row = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
        let blank = |b: &u8| *b == b' ' || *b == b'\t';
        row.iter().enumerate().any(|(i, &b)| {
            if b != b'"' {
                return false;
            }
            let before = &row[..i];
            let cell = before.iter().rposition(|b| !blank(b));
            let spaced = cell.map_or(i, |c| i - c - 1) > 0;
            spaced && cell.is_none_or(|c| row[c] == b',')
        })
    }

    /// Records `e`, a problem of the row being read, placed in its column, to be reported with
    /// the others by [`CsvFile::finish`].
    pub(crate) fn problem(&mut self, e: InputError) {
        let e = self.place(e);
        self.problems.push(e);
    }

    /// The value of `read`, or `None` with its error recorded as a problem of the row.
    pub(crate) fn check<T>(&mut self, read: Result<T, InputError>) -> Option<T> {
        read.map_err(|e| self.problem(e)).ok()
    }

    /// True when a row had a problem: checks across rows would then judge a file with rows
    /// missing, and are left for the next round.
    pub(crate) fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// What a reader of this file made of it (`read`), unless its rows had problems: then one
    /// error listing them all, which replaces `read`'s own error (a check across rows, such as
    /// "no rows", made wrong by the rows that failed).
    pub(crate) fn finish<T>(mut self, read: Result<T, InputError>) -> Result<T, InputError> {
        if let Some(e) = std::mem::take(&mut self.problems).into_error() {
            return Err(e);
        }
        read.map_err(|e| self.place(e))
    }
}

pub(crate) fn parse_number(
    path: &Path,
    line: usize,
    column: &str,
    raw: &str,
    check: fn(f64) -> bool,
    allowed: &str,
) -> Result<f64, InputError> {
    match raw.parse::<f64>() {
        // `+ 0.0` turns a written -0 into 0, so that sorting by value and by bits agree.
        Ok(v) if check(v) => Ok(v + 0.0),
        _ => Err(InputError::field(
            column,
            format!(
                "expected {allowed}, got \"{raw}\"{}",
                number_hint(raw, check)
            ),
        )
        .in_file(path)
        .at(line, None)),
    }
}

/// Reads a `size` cell, `raw`, on `line` of `path`: a number of students from 1 to
/// [`MAX_SIZE`]. A size written with a dot between thousands (`1.606`, `12.500`, `1.250.000`),
/// as a spreadsheet set to a European region exports 1,606, is refused: read as a decimal it is
/// a school of 1.6 students, accepted without a word and changing every result, and an
/// enrolment is a count, so three digits after the point are far more often this than a
/// fraction of a student. Other fractional sizes (`250.5`) are read as before.
fn parse_size(path: &Path, line: usize, raw: &str) -> Result<f64, InputError> {
    if let Some(count) = dot_thousands(raw) {
        return Err(InputError::field(
            "size",
            format!(
                "\"{raw}\" students? If this is {} written with a dot between thousands, write \
                 {count} (a size with three digits after the point is refused as likely this)",
                raw.replace('.', ",")
            ),
        )
        .in_file(path)
        .at(line, None));
    }
    parse_number(
        path,
        line,
        "size",
        raw,
        |v| (1.0..=MAX_SIZE).contains(&v),
        "a number of students from 1 to 10,000,000 (or an empty cell)",
    )
}

/// The count `raw` stands for when it is written with dots between groups of thousands: one to
/// three digits, not starting with 0, then one or more groups of a dot and three digits
/// (`1.606` is `1606`), and the count is a size [`parse_size`] accepts. `None` otherwise.
fn dot_thousands(raw: &str) -> Option<String> {
    const GROUP: usize = 3;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (lead, rest) = raw.split_once('.')?;
    let grouped = digits(lead)
        && lead.len() <= GROUP
        && !lead.starts_with('0')
        && rest.split('.').all(|g| g.len() == GROUP && digits(g));
    let count = raw.replace('.', "");
    let size = count.parse::<f64>().ok()?;
    (grouped && size <= MAX_SIZE).then_some(count)
}

/// The smallest number without a `%` sign that [`number_hint`] reads as a likely percentage
/// where a share in [0, 1] is expected. Just above 1 (`1.5`) a value is more often a weight on
/// another scale or a rating (1 to 5) than a percentage, and "write 0.015" would then make it a
/// hundred times smaller without a word; such a value is told the range only.
const MIN_BARE_PERCENT: f64 = 2.0;

/// The likely cause of a cell `raw` that is not a number `check` accepts, when it is a
/// spreadsheet's way of writing one: a decimal comma (`0,478`), a thousands separator
/// (`1,606`), a percentage (`47.8%`, or `47.8` where a share is expected, from
/// [`MIN_BARE_PERCENT`] to 100) or a word for a
/// missing value (`NA`). Empty when none fits; each case is only named when the number it
/// stands for is one `check` accepts.
pub(crate) fn number_hint(raw: &str, check: fn(f64) -> bool) -> String {
    let accepts = |text: &str| text.parse::<f64>().is_ok_and(check);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let unsigned = raw.trim_start_matches(['-', '+']);
    if let Some((whole, rest)) = unsigned.split_once(',') {
        let groups: Vec<&str> = rest.split(',').collect();
        let thousands = digits(whole)
            && whole.len() <= 3
            && !whole.starts_with('0')
            && groups.iter().all(|g| g.len() == 3 && digits(g))
            && accepts(&raw.replace(',', ""));
        let decimal = groups.len() == 1 && digits(whole) && digits(rest) && {
            accepts(&raw.replace(',', "."))
        };
        return match (thousands, decimal) {
            (true, true) => format!(
                ": a thousands separator or a decimal comma? Write {} or {}, with a decimal \
                 point and no separator",
                raw.replace(',', ""),
                raw.replace(',', ".")
            ),
            (true, false) => format!(
                ": a thousands separator? Write {}, without separators",
                raw.replace(',', "")
            ),
            (false, true) => format!(
                ": a decimal comma? Write {}, with a decimal point (set the spreadsheet's export \
                 or region to use points)",
                raw.replace(',', ".")
            ),
            (false, false) => String::new(),
        };
    }
    let share = |v: f64| accepts(&(v / 100.0).to_string()) && !check(v) && check(0.5);
    if let Some(p) = raw.strip_suffix('%') {
        if let Ok(v) = p.trim().parse::<f64>() {
            if share(v) {
                return format!(
                    ": write a share as a number between 0 and 1 ({})",
                    super::short_number(v / 100.0, 6)
                );
            }
        }
        return String::new();
    }
    if let Ok(v) = raw.parse::<f64>() {
        if (MIN_BARE_PERCENT..=100.0).contains(&v) && share(v) {
            return format!(
                ": a percentage? Write a share as a number between 0 and 1 ({})",
                super::short_number(v / 100.0, 6)
            );
        }
        return String::new();
    }
    let missing = [
        "na", "n/a", "nan", "null", "none", "-", "?", "missing", "#n/a",
    ];
    if missing.contains(&raw.to_lowercase().as_str()) {
        return ": for a value that is not known, leave the cell empty".to_string();
    }
    String::new()
}

impl NodeTable {
    /// Reads a node table from a file.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        Self::from_bytes(&read_bytes(path)?, path)
    }

    /// Reads a node table from the bytes of a CSV file; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, InputError> {
        let mut allowed = vec!["id", "name", "region"];
        allowed.extend(NUMERIC_COLUMNS);
        let needs = format!(
            "a node table needs a header line naming its columns ({NODE_COLUMNS}; only `id` is \
             required) and then one line per school"
        );
        let mut file = CsvFile::open(
            path,
            bytes,
            &Layout {
                allowed: &allowed,
                listing: NODE_COLUMNS,
                header: "id[,name,region,size,need,readiness,resources,context]",
                needs: &needs,
                is_value: &|_| false,
            },
        )?;
        let read = Self::rows(&mut file, path);
        file.finish(read)
    }

    /// The node table in `file`, whose header is read.
    fn rows(file: &mut CsvFile, path: &Path) -> Result<Self, InputError> {
        let col = |name: &str| file.column(name);
        let id_col = col("id").ok_or_else(|| {
            file.at_header(InputError::field(
                "id",
                "the node table needs an `id` column",
            ))
        })?;
        let name_col = col("name");
        let region_col = col("region");
        let numeric: Vec<Option<usize>> = NUMERIC_COLUMNS.iter().map(|name| col(name)).collect();
        let mut table = NodeTable::default();
        let mut values: Vec<Vec<Option<f64>>> = vec![Vec::new(); NUMERIC_COLUMNS.len()];
        let mut names: Vec<String> = Vec::new();
        let mut regions: Vec<u32> = Vec::new();
        let mut region_ids: HashMap<String, u32> = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        // A row with a problem is recorded and reading goes on, so that every bad row is
        // reported; the table is then never returned, so its columns may be left uneven.
        while let Some((record, line)) = file.next_record() {
            let at = |e: InputError| e.in_file(path).at(line, None);
            if table.ids.len() >= MAX_SCHOOLS as usize {
                file.problem(at(InputError::msg(format!(
                    "too many schools: at most {MAX_SCHOOLS}"
                ))));
                break;
            }
            let id = record.get(id_col).unwrap_or("").to_string();
            if id.is_empty() {
                file.problem(at(InputError::field("id", "must not be empty")));
            } else if let Some(first) = seen.insert(id.clone(), line) {
                file.problem(at(InputError::field(
                    "id",
                    format!("school \"{id}\" is listed twice (first on line {first})"),
                )));
            }
            table.ids.push(id);
            if let Some(c) = name_col {
                names.push(record.get(c).unwrap_or("").to_string());
            }
            if let Some(c) = region_col {
                let name = record.get(c).unwrap_or("");
                // Regions are not drawn from [schools], so an empty cell has no meaning.
                if name.is_empty() {
                    file.problem(at(InputError::field(
                        "region",
                        "must not be empty (regions are not drawn per school; leave the \
                         column out to have regions made up as blocks of rows)",
                    )));
                }
                let next = region_ids.len() as u32;
                regions.push(*region_ids.entry(name.to_string()).or_insert(next));
            }
            for (k, c) in numeric.iter().enumerate() {
                let Some(c) = *c else { continue };
                let raw = record.get(c).unwrap_or("");
                if raw.is_empty() {
                    values[k].push(None);
                    continue;
                }
                let name = NUMERIC_COLUMNS[k];
                let read = match name {
                    "size" => parse_size(path, line, raw),
                    "resources" => parse_number(
                        path,
                        line,
                        name,
                        raw,
                        |v| (0.0..=MAX_RESOURCES).contains(&v),
                        "a number of SU per term from 0 to 1e9 (or an empty cell)",
                    ),
                    _ => parse_number(
                        path,
                        line,
                        name,
                        raw,
                        |v| (0.0..=1.0).contains(&v),
                        "a number between 0 and 1 (or an empty cell)",
                    ),
                };
                values[k].push(file.check(read));
            }
        }
        if table.ids.is_empty() {
            return Err(InputError::msg("the node table lists no schools").in_file(path));
        }
        if name_col.is_some() {
            table.names = Some(names);
        }
        if region_col.is_some() {
            table.n_regions = Some(region_ids.len());
            table.region = Some(regions);
            let mut names = vec![String::new(); region_ids.len()];
            for (name, r) in region_ids {
                names[r as usize] = name;
            }
            table.region_names = Some(names);
        }
        for (k, c) in numeric.into_iter().enumerate() {
            if c.is_some() {
                let v = Some(std::mem::take(&mut values[k]));
                match NUMERIC_COLUMNS[k] {
                    "size" => table.size = v,
                    "need" => table.need = v,
                    "readiness" => table.readiness = v,
                    "resources" => table.resources = v,
                    _ => table.context = v,
                }
            }
        }
        Ok(table)
    }

    /// The name of school `i`, if the table has a `name` column.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.names
            .as_ref()
            .and_then(|n| n.get(i))
            .map(String::as_str)
    }
}

impl EdgeList {
    /// Reads an edge list from a file; ids are resolved against `nodes` when given.
    pub fn read(path: &Path, nodes: Option<&NodeTable>) -> Result<Self, InputError> {
        Self::from_bytes(&read_bytes(path)?, path, nodes)
    }

    /// Reads an edge list from the bytes of a CSV file; `path` names it in errors.
    pub fn from_bytes(
        bytes: &[u8],
        path: &Path,
        nodes: Option<&NodeTable>,
    ) -> Result<Self, InputError> {
        // With a node table, a first line of its ids is a tie, not a header.
        let is_id = |cell: &str| nodes.is_some_and(|t| t.ids.iter().any(|id| id == cell));
        let mut file = CsvFile::open(
            path,
            bytes,
            &Layout {
                allowed: &["source", "target", "weight"],
                listing: EDGE_COLUMNS,
                header: "source,target[,weight]",
                needs: "an edge list needs a header line `source,target` (and optionally \
                        `weight`) and then one line per tie between two schools",
                is_value: &is_id,
            },
        )?;
        let read = Self::rows(&mut file, path, nodes);
        file.finish(read)
    }

    /// The edge list in `file`, whose header is read.
    fn rows(
        file: &mut CsvFile,
        path: &Path,
        nodes: Option<&NodeTable>,
    ) -> Result<Self, InputError> {
        let (Some(src), Some(dst)) = (file.column("source"), file.column("target")) else {
            return Err(file.at_header(InputError::msg(
                "the edge list needs a header with `source` and `target` (and optionally `weight`)",
            )));
        };
        let wcol = file.column("weight");
        let index: Option<HashMap<&str, u32>> = nodes.map(|t| {
            t.ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i as u32))
                .collect()
        });
        let mut edges = Vec::new();
        // The largest id with its line and column, and the distinct ids, to judge a sparse list.
        let mut max_id: Option<(u32, usize, &str)> = None;
        let mut distinct: HashSet<u32> = HashSet::new();
        while let Some((record, line)) = file.next_record() {
            let mut end = |column: &'static str, c: usize| -> Result<u32, InputError> {
                let raw = record.get(c).unwrap_or("");
                let found = match &index {
                    Some(ix) => ix.get(raw).copied().ok_or_else(|| {
                        format!("school \"{raw}\" is not in the node table")
                    }),
                    None => raw.parse::<u32>().ok().filter(|&v| v < MAX_SCHOOLS).ok_or_else(|| {
                        format!("expected a school id (a whole number from 0 to {}) since no node table is given, got \"{raw}\"", MAX_SCHOOLS - 1)
                    }),
                };
                let v =
                    found.map_err(|m| InputError::field(column, m).in_file(path).at(line, None))?;
                if index.is_none() {
                    distinct.insert(v);
                    if max_id.is_none_or(|(m, _, _)| v > m) {
                        max_id = Some((v, line, column));
                    }
                }
                Ok(v)
            };
            // Both ends and the weight are checked, so that a row's every problem is reported.
            let a = end("source", src);
            let b = end("target", dst);
            let (a, b) = (file.check(a), file.check(b));
            if a.is_some() && a == b {
                file.problem(
                    InputError::field("target", "a school cannot be tied to itself")
                        .in_file(path)
                        .at(line, None),
                );
                continue;
            }
            let weight = match wcol.map(|c| record.get(c).unwrap_or("")) {
                None | Some("") => Ok(1.0),
                Some(raw) => parse_number(
                    path,
                    line,
                    "weight",
                    raw,
                    |v| (MIN_WEIGHT..=1.0).contains(&v),
                    "a tie weight from 0.000001 to 1",
                ),
            };
            let (Some(a), Some(b), Some(weight)) = (a, b, file.check(weight)) else {
                continue;
            };
            edges.push(Edge {
                a,
                b,
                weight: weight as f32,
            });
        }
        let schools = match nodes {
            Some(t) => t.ids.len(),
            None => max_id.map_or(0, |(m, _, _)| m as usize + 1),
        };
        if schools == 0 {
            return Err(InputError::msg(
                "the edge list has no ties and no node table names schools",
            )
            .in_file(path));
        }
        if let Some((m, line, column)) = max_id {
            let bound = (SPARSE_IDS_FACTOR * distinct.len()).max(SPARSE_IDS_FREE);
            if schools > bound {
                return Err(InputError::field(
                    column,
                    format!(
                        "id {m} would make {schools} schools, but only {} distinct ids appear; \
                         without a node table the largest id must stay below {bound} \
                         ({SPARSE_IDS_FACTOR} times the ids used, or {SPARSE_IDS_FREE}). \
                         Number schools from 0, or give network.nodes",
                        distinct.len()
                    ),
                )
                .in_file(path)
                .at(line, None));
            }
        }
        Ok(Self { schools, edges })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        p
    }

    #[test]
    fn reads_nodes_and_edges_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = file(
            &dir,
            "n.csv",
            "id,region,size\na,north,100\nb,south,200\nc,north,300\n",
        );
        let edges = file(&dir, "e.csv", "source,target,weight\na,b,0.5\nc,b,\n");
        let t = NodeTable::read(&nodes).unwrap();
        assert_eq!(t.region, Some(vec![0, 1, 0]));
        assert_eq!(t.n_regions, Some(2));
        assert_eq!(t.region_names, Some(vec!["north".into(), "south".into()]));
        assert_eq!(t.size, Some(vec![Some(100.0), Some(200.0), Some(300.0)]));
        assert!(t.need.is_none());
        let e = EdgeList::read(&edges, Some(&t)).unwrap();
        assert_eq!(e.schools, 3);
        assert_eq!(
            e.edges[1],
            Edge {
                a: 2,
                b: 1,
                weight: 1.0
            }
        );
    }

    #[test]
    fn an_open_quote_is_named_as_the_likely_cause() {
        let e = NodeTable::from_bytes(b"id,region,size\na,n,300\nb,\"n,200\nc,s,100\n", p())
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message.contains("2 fields but the header has 3 columns"),
            "{e}"
        );
        assert!(
            e.message
                .contains("a quoted cell starting on this line runs over 1 more line"),
            "{e}"
        );
        // A plain short row gets no word about quotes.
        let e = NodeTable::from_bytes(b"id,region,size\na,n,300\nb,n\n", p()).unwrap_err();
        assert!(!e.message.contains("quote"), "{e}");
    }

    #[test]
    fn short_rows_are_refused_with_their_line() {
        let e = NodeTable::from_bytes(b"id,region,size\na,n,300\nb,n\n", p()).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message.contains("2 fields but the header has 3 columns"),
            "{e}"
        );
        let e = EdgeList::from_bytes(b"source,target,weight\n0,1,1\n1\n", p(), None).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message.contains("1 field but the header has 3 columns"),
            "{e}"
        );
        // Empty cells written as such are read as before.
        let t = NodeTable::from_bytes(b"id,region,size\na,n,300\nb,n,\n", p()).unwrap();
        assert_eq!(t.size, Some(vec![Some(300.0), None]));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = file(&dir, "n.csv", "id,need\na,0.2\nb,1.5\n");
        let e = NodeTable::read(&nodes).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("need")));
        let nodes = file(&dir, "n2.csv", "id\na\nb\n");
        let t = NodeTable::read(&nodes).unwrap();
        let edges = file(&dir, "e.csv", "source,target\na,b\nb,zed\n");
        let e = EdgeList::read(&edges, Some(&t)).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("target")));
        assert!(
            e.to_string().contains("e.csv:3:2: target: school \"zed\""),
            "{e}"
        );
        let edges = file(&dir, "w.csv", "source,target,weight\n0,1,2.0\n");
        assert_eq!(
            EdgeList::read(&edges, None).unwrap_err().field.as_deref(),
            Some("weight")
        );
        let edges = file(&dir, "h.csv", "from,to\n0,1\n");
        assert!(EdgeList::read(&edges, None).is_err());
    }

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    #[test]
    fn empty_cells_are_none_and_names_are_kept() {
        let t = NodeTable::from_bytes(
            b"id,name,need,size\nN001,Hill Primary,0.2,\ns1,,,300\n#3,Oak,-0,\n",
            p(),
        )
        .unwrap();
        assert_eq!(t.ids, vec!["N001", "s1", "#3"]);
        assert_eq!(t.name(0), Some("Hill Primary"));
        assert_eq!(t.need, Some(vec![Some(0.2), None, Some(0.0)]));
        // -0 is stored as +0, so bit-pattern and numeric order agree.
        assert!(t.need.as_ref().unwrap()[2].unwrap().is_sign_positive());
        assert_eq!(t.size, Some(vec![None, Some(300.0), None]));
    }

    #[test]
    fn crlf_files_report_the_right_line() {
        let e = NodeTable::from_bytes(b"id,need\r\na,0.2\r\nb,0.3\r\nc,1.5\r\n", p()).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(4), Some("need")));
        let e =
            EdgeList::from_bytes(b"source,target\r\n0,1\r\n\r\n1,1\r\n", p(), None).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let e = EdgeList::from_bytes(b"source,target\n0,1\n1,1\n", p(), None).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn semicolon_and_tab_files_are_named() {
        let e = NodeTable::from_bytes(b"id;need\na;0.2\n", p()).unwrap_err();
        assert!(e.message.contains("semicolon-separated"), "{e}");
        assert_eq!(e.line, Some(1));
        let e = EdgeList::from_bytes(b"source\ttarget\n0\t1\n", p(), None).unwrap_err();
        assert!(e.message.contains("tab-separated"), "{e}");
    }

    #[test]
    fn a_hash_is_an_ordinary_character_after_the_header() {
        let t = NodeTable::from_bytes(b"# comment\n#, another\nid\n#1\n#2\n", p()).unwrap();
        assert_eq!(t.ids, vec!["#1", "#2"]);
        let e = EdgeList::from_bytes(b"source,target\n#1,#2\n", p(), Some(&t)).unwrap();
        assert_eq!(e.edges.len(), 1);
        let e = NodeTable::from_bytes(b"# note\r\nid,need\r\na,2\r\n", p()).unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn tiny_weights_and_unknown_columns_are_refused() {
        let e = EdgeList::from_bytes(b"source,target,weight\n0,1,1e-320\n", p(), None).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("weight")));
        let e = EdgeList::from_bytes(b"source,target,kind\n0,1,x\n", p(), None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(e.message.contains("source, target, weight"), "{e}");
        let e = NodeTable::from_bytes(b"id,colour\na,red\n", p()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        let e = EdgeList::from_bytes(b"source,target\n0,1,0.5\n", p(), None).unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn invalid_utf8_names_line_byte_column_and_the_cell() {
        let e = NodeTable::from_bytes(b"id,name\na,ok\nb,Caf\xe9\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(2)), "{e}");
        assert_eq!(e.field.as_deref(), Some("name"), "{e}");
        assert!(e.message.contains("byte 18"), "{e}");
        // The cell as Windows-1252 reads it, so that the user can find it.
        assert!(e.message.contains("\"Café\""), "{e}");
        assert!(
            e.to_string().starts_with("t.csv:3:2: name: invalid UTF-8"),
            "{e}"
        );
        // In a quoted cell holding a comma, after a column of its own; 0x92 is Windows' ’.
        let e = NodeTable::from_bytes(b"id,name,region\na,\"O\x92Hara, St\",n\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(2)), "{e}");
        assert!(e.message.contains("O’Hara"), "{e}");
        let e = NodeTable::from_bytes(b"id,name,region\na,x,S\xfcd\n", p()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("region"), "{e}");
        assert!(e.message.contains("\"Süd\""), "{e}");
        // In the header: its column, and no heading to name.
        let e = NodeTable::from_bytes(b"id,gr\xf6\xdfe\na,1\n", p()).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.field.as_deref()),
            (Some(1), Some(2), None),
            "{e}"
        );
    }

    #[test]
    fn spreadsheet_numbers_get_a_hint_at_their_likely_cause() {
        let hint = |text: &str| {
            NodeTable::from_bytes(format!("id,size,need\n{text}\n").as_bytes(), p())
                .unwrap_err()
                .message
        };
        let e = hint("a,100,\"0,478\"");
        assert!(e.contains("a decimal comma? Write 0.478"), "{e}");
        let e = hint("a,\"1,606\",0.5");
        assert!(
            e.contains("a thousands separator or a decimal comma"),
            "{e}"
        );
        assert!(e.contains("1606 or 1.606"), "{e}");
        // Neither 0.606 students nor a thousands group after a 0 fits: no hint.
        let e = hint("a,\"0,606\",0.5");
        assert!(e.ends_with("got \"0,606\""), "{e}");
        let e = hint("a,\"12,345,678\",0.5");
        assert!(!e.contains("thousands"), "{e}"); // beyond 10 million: no hint helps
        let e = hint("a,\"1,234,567\",0.5");
        assert!(e.contains("a thousands separator? Write 1234567"), "{e}");
        let e = hint("a,100,47.8");
        assert!(
            e.contains("a percentage? Write a share as a number between 0 and 1 (0.478)"),
            "{e}"
        );
        let e = hint("a,100,47.8%");
        assert!(e.contains("(0.478)"), "{e}");
        let e = hint("a,100,NA");
        assert!(e.contains("leave the cell empty"), "{e}");
        // No hint where none fits.
        let e = hint("a,100,x");
        assert!(e.ends_with("got \"x\""), "{e}");
        let e = hint("a,100,250");
        assert!(e.ends_with("got \"250\""), "{e}");
    }

    #[test]
    fn a_value_just_above_one_gets_no_percentage_hint() {
        // 1.5 where a share or weight belongs is more likely a weight on another scale or a
        // 1-5 rating than 1.5 %: "write 0.015" would make it a hundred times smaller.
        let e = EdgeList::from_bytes(b"source,target,weight\n0,1,1.5\n", p(), None).unwrap_err();
        assert!(e.message.ends_with("got \"1.5\""), "{e}");
        let e = NodeTable::from_bytes(b"id,readiness\na,1.5\n", p()).unwrap_err();
        assert!(e.message.ends_with("got \"1.5\""), "{e}");
        assert!(!e.message.contains("percentage"), "{e}");
        // From 2 on, and with a % sign below that, a percentage is the likely reading.
        let e = NodeTable::from_bytes(b"id,readiness\na,2\n", p()).unwrap_err();
        assert!(e.message.contains("a percentage? Write a share"), "{e}");
        assert!(e.message.contains("(0.02)"), "{e}");
        let e = NodeTable::from_bytes(b"id,readiness\na,1.5%\n", p()).unwrap_err();
        assert!(e.message.contains("(0.015)"), "{e}");
    }

    #[test]
    fn a_size_with_a_dot_between_thousands_is_refused() {
        let size =
            |cell: &str| NodeTable::from_bytes(format!("id,size\na,{cell}\n").as_bytes(), p());
        for (cell, as_written, count) in [
            ("1.606", "1,606", "1606"),
            ("12.500", "12,500", "12500"),
            ("1.000", "1,000", "1000"),
            ("1.250.000", "1,250,000", "1250000"),
        ] {
            let e = size(cell).unwrap_err();
            assert_eq!(
                (e.line, e.column, e.field.as_deref()),
                (Some(2), Some(2), Some("size"))
            );
            assert!(
                e.message.starts_with(&format!(
                    "\"{cell}\" students? If this is {as_written} written with a dot between \
                     thousands, write {count}"
                )),
                "{e}"
            );
        }
        // Fractional sizes of another shape are read as before: not three digits after the
        // point, or a whole part no thousands group starts with.
        for (cell, v) in [
            ("250.5", 250.5),
            ("1.5", 1.5),
            ("1.60", 1.6),
            ("1606.000", 1606.0),
        ] {
            let t = size(cell).unwrap_or_else(|e| panic!("{cell}: {e}"));
            assert_eq!(t.size, Some(vec![Some(v)]), "{cell}");
        }
        // Beyond the largest size the dots are not taken for thousands.
        let e = size("12.345.678").unwrap_err();
        assert!(
            e.message.starts_with("expected a number of students"),
            "{e}"
        );
        // Every such row of a file is reported, with the others.
        let e = NodeTable::from_bytes(b"id,size\na,1.606\nb,x\nc,2.100\n", p()).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("write 1606") && text.contains("write 2100"),
            "{text}"
        );
        assert!(text.contains("got \"x\""), "{text}");
    }

    #[test]
    fn a_quote_after_a_space_is_named_in_a_long_row() {
        let e = NodeTable::from_bytes(
            b"id,name,region,size\nS01, \"Elm Primary, campus 1\", North, 363\n",
            p(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message.contains(
                "5 fields but the header has 4 columns; a quote after a space is not read as \
                 quoting"
            ),
            "{e}"
        );
        assert!(
            e.message.contains("remove the space after the comma"),
            "{e}"
        );
        // Also on a later line after Windows line ends, and for a first cell.
        let e = EdgeList::from_bytes(
            b"source,target,weight\r\n0,1,1\r\n \"1\",\"2,3\"\r\n",
            p(),
            None,
        );
        let e = e.unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("2 fields but"), "{e}");
        assert!(e.message.contains("a quote after a space"), "{e}");
        let e = EdgeList::from_bytes(b"source,target\r\n0,1\r\n1,\t\"2,3\"\r\n", p(), None)
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("a quote after a space"), "{e}");
        // A long row with quotes that quote, or a quote inside a cell, gets no such word.
        let e = NodeTable::from_bytes(b"id,name\na,\"Elm, 1\",x\n", p()).unwrap_err();
        assert!(!e.message.contains("quote"), "{e}");
        let e = NodeTable::from_bytes(b"id,name\na,the \"Elm\",x\n", p()).unwrap_err();
        assert!(!e.message.contains("quote"), "{e}");
    }

    #[test]
    fn an_unknown_column_close_to_an_allowed_one_is_suggested() {
        let e = NodeTable::from_bytes(b"School ID,need\na,0.5\n", p()).unwrap_err();
        assert!(
            e.message
                .starts_with("unknown column; did you mean `id`? allowed: id, name"),
            "{e}"
        );
        let e = NodeTable::from_bytes(b"id,Enrolment\na,500\n", p()).unwrap_err();
        assert!(e.message.contains("did you mean `size`?"), "{e}");
        let e = EdgeList::from_bytes(b"source,target,wieght\n0,1,1\n", p(), None).unwrap_err();
        assert!(e.message.contains("did you mean `weight`?"), "{e}");
        let e = NodeTable::from_bytes(b"id,colour\na,red\n", p()).unwrap_err();
        assert!(!e.message.contains("did you mean"), "{e}");
    }

    #[test]
    fn a_first_line_of_data_is_named_as_a_missing_header() {
        let e = EdgeList::from_bytes(b"0,1,0.5\n1,2,0.5\n", p(), None).unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        assert!(
            e.message
                .starts_with("the first line must be the header `source,target[,weight]`"),
            "{e}"
        );
        assert!(e.message.contains("(\"0,1,0.5\")"), "{e}");
        // Ids of the node table are data too, without any number on the line.
        let t = NodeTable::from_bytes(b"id\nSCH1\nSCH2\nSCH3\n", p()).unwrap();
        let e = EdgeList::from_bytes(b"SCH1,SCH2\nSCH2,SCH3\n", p(), Some(&t)).unwrap_err();
        assert!(
            e.message.starts_with("the first line must be the header"),
            "{e}"
        );
        let e = NodeTable::from_bytes(b"a,Oak,north,300\n", p()).unwrap_err();
        assert!(e.message.contains("header `id[,name,region"), "{e}");
        // A header of unknown names is still a header.
        let e = EdgeList::from_bytes(b"from,to\n0,1\n", p(), None).unwrap_err();
        assert!(e.message.contains("did you mean `source`?"), "{e}");
    }

    #[test]
    fn excels_separator_line_is_skipped() {
        let t = NodeTable::from_bytes(b"sep=,\nid,need\na,0.5\nb,0.2\n", p()).unwrap();
        assert_eq!(t.ids, vec!["a", "b"]);
        let t = NodeTable::from_bytes(b"\xEF\xBB\xBFSEP=,\r\nid\r\na\r\n", p()).unwrap();
        assert_eq!(t.ids, vec!["a"]);
        // Lines keep their numbers.
        let e = NodeTable::from_bytes(b"sep=,\nid,need\na,0.5\nb,2\n", p()).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        // A semicolon file announces itself and is named as such.
        let e = NodeTable::from_bytes(b"sep=;\nid;need\na;0.5\n", p()).unwrap_err();
        assert!(e.message.contains("semicolon-separated"), "{e}");
        let e = NodeTable::from_bytes(b"sep=,\n", p()).unwrap_err();
        assert!(e.message.starts_with("the file is empty:"), "{e}");
    }

    /// No control character of `e`'s text reaches the terminal.
    fn printable(e: &InputError) -> String {
        let text = e.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        text
    }

    #[test]
    fn a_workbook_or_binary_file_is_named_as_not_text_without_echoing_it() {
        // An .xlsx is a zip file; these first bytes are valid UTF-8, so they once became a
        // "column name" printed raw, escape sequences and all.
        let xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x1b[31m,x\n";
        let e = NodeTable::from_bytes(xlsx, p()).unwrap_err();
        let text = printable(&e);
        assert!(text.contains("not text"), "{text}");
        assert!(text.contains("spreadsheet workbook (.xlsx"), "{text}");
        assert!(text.contains("CSV UTF-8"), "{text}");
        let e = EdgeList::from_bytes(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", p(), None)
            .unwrap_err();
        assert!(printable(&e).contains(".xls"), "{e}");
        let e = NodeTable::from_bytes(b"\xFF\xFEi\x00d\x00\n\x00", p()).unwrap_err();
        assert!(printable(&e).contains("UTF-16"), "{e}");
        // Any other control character: named by its code and line, never printed.
        let e = NodeTable::from_bytes(b"id,name\na,b\x1b[2Jc\n", p()).unwrap_err();
        let text = printable(&e);
        assert_eq!(e.line, Some(2), "{text}");
        assert!(text.contains("control character U+001B"), "{text}");
        let e = EdgeList::from_bytes(b"source,target\n0,1\x00\x00\n", p(), None).unwrap_err();
        assert!(printable(&e).contains("U+0000"), "{e}");
        // A scenario gets the advice for a scenario.
        let e = utf8(b"PK\x03\x04", Some(Path::new("s.toml"))).unwrap_err();
        assert!(printable(&e).contains("TOML text file"), "{e}");
    }

    #[test]
    fn an_empty_file_is_called_empty() {
        // It was "the node table needs an `id` column", about a file with no columns at all.
        for bytes in [
            &b""[..],
            b"\n\n",
            b"  \r\n",
            b"\xEF\xBB\xBF",
            b"# schools\n# none yet\n",
        ] {
            let e = NodeTable::from_bytes(bytes, p()).unwrap_err();
            assert!(e.message.starts_with("the file is empty"), "{e}");
            assert!(e.message.contains("a node table needs a header"), "{e}");
            assert_eq!(e.line, None, "{e}");
            let e = EdgeList::from_bytes(bytes, p(), None).unwrap_err();
            assert!(e.message.starts_with("the file is empty"), "{e}");
            assert!(e.message.contains("`source,target`"), "{e}");
        }
        let e = NodeTable::from_bytes(b"# schools\n", p()).unwrap_err();
        assert!(e.message.contains("only comments"), "{e}");
        // A header without rows is not empty: it says what is missing.
        let e = NodeTable::from_bytes(b"id\n", p()).unwrap_err();
        assert!(e.message.contains("lists no schools"), "{e}");
    }

    #[test]
    fn trailing_empty_headings_with_empty_cells_are_ignored() {
        // Excel writes `,,` after the last column once cells there have been used.
        let t = NodeTable::from_bytes(b"id,region,size,,\na,n,100,,\nb,s,200,,\n", p()).unwrap();
        assert_eq!(t.ids, vec!["a", "b"]);
        assert_eq!(t.size, Some(vec![Some(100.0), Some(200.0)]));
        // Rows may leave those cells out, or have fewer of them.
        let t = NodeTable::from_bytes(b"id,size,,\r\na,1\r\nb,2,\r\n", p()).unwrap();
        assert_eq!(t.size, Some(vec![Some(1.0), Some(2.0)]));
        let e = EdgeList::from_bytes(b"source,target,\n0,1,\n1,2\n", p(), None).unwrap();
        assert_eq!(e.edges.len(), 2);
        // A value under an empty heading would be lost: refused at its line and column.
        let e = NodeTable::from_bytes(b"id,size,,\na,1,,\nb,2,,x\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(4)), "{e}");
        assert!(
            e.message
                .contains("column 4 holds \"x\" but its heading is empty"),
            "{e}"
        );
        // An empty heading between named ones is no trailing comma: the column needs a name.
        let e = NodeTable::from_bytes(b"id,,size\na,n,100\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(2)), "{e}");
        assert!(e.message.contains("column 2 of the header is empty"), "{e}");
        assert!(!e.to_string().contains(": : "), "{e}");
        let e = NodeTable::from_bytes(b",,\na,b,c\n", p()).unwrap_err();
        assert!(e.message.contains("the header names no columns"), "{e}");
        // The named columns still need their cells.
        let e = NodeTable::from_bytes(b"id,size,,\na\n", p()).unwrap_err();
        assert!(
            e.message
                .contains("1 field but the header has 2 columns (id, size)"),
            "{e}"
        );
    }

    #[test]
    fn column_names_are_read_without_regard_to_case_or_spaces() {
        let t = NodeTable::from_bytes(b"ID, Name ,REGION,Need\na,Oak,n,0.5\n", p()).unwrap();
        assert_eq!(t.ids, vec!["a"]);
        assert_eq!(t.name(0), Some("Oak"));
        assert_eq!(t.region_names, Some(vec!["n".to_string()]));
        assert_eq!(t.need, Some(vec![Some(0.5)]));
        let e = EdgeList::from_bytes(b"Source,TARGET,Weight\n0,1,0.5\n", p(), None).unwrap();
        assert_eq!(e.edges[0].weight, 0.5);
        // The same name twice in different case is a column given twice, not silently one.
        let e = NodeTable::from_bytes(b"id,name,ID\na,x,b\n", p()).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.field.as_deref()),
            (Some(1), Some(3), Some("ID"))
        );
        assert!(
            e.message.contains("given twice (as \"id\" in column 1"),
            "{e}"
        );
        // Errors name the column as the reader knows it.
        let e = NodeTable::from_bytes(b"ID,Need\na,-2\n", p()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:2:2: need: expected a number between 0 and 1 (or an empty cell), got \"-2\""
        );
    }

    #[test]
    fn a_cell_at_fault_is_named_by_its_column_number_and_name() {
        let e = NodeTable::from_bytes(b"id,region,need\na,n,0.2\nb,s,x\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(3)));
        assert!(e.to_string().starts_with("t.csv:3:3: need: "), "{e}");
        let e = NodeTable::from_bytes(b"name,id\nx,a\ny,a\n", p()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv:3:2: id: school \"a\" is listed twice"),
            "{e}"
        );
        let e = EdgeList::from_bytes(b"weight,source,target\n1,0,0\n", p(), None).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv:2:3: target: a school cannot"),
            "{e}"
        );
        let e = NodeTable::from_bytes(b"id,colour\na,red\n", p()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv:1:2: colour: unknown column"),
            "{e}"
        );
        // A fault of the whole row has no column.
        let e = NodeTable::from_bytes(b"id,need\na\n", p()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), None));
    }

    #[test]
    fn a_lone_huge_id_is_refused() {
        let e = EdgeList::from_bytes(b"source,target\n0,1\n2,49999999\n", p(), None).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("target")));
        // Gaps are fine within the bound.
        let e = EdgeList::from_bytes(b"source,target\n0,1\n2,900\n", p(), None).unwrap();
        assert_eq!(e.schools, 901);
    }

    /// The lines of `e`'s text, one per problem, none holding a control character.
    fn listed(e: &InputError) -> Vec<String> {
        let text = e.to_string();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        text.lines().map(String::from).collect()
    }

    #[test]
    fn every_bad_row_of_a_node_table_is_reported_in_line_order() {
        // One problem of each kind a spreadsheet export has, on lines 3 to 7; line 2 is good.
        let text = b"id,region,need\na,n,0.5\nb,n,x\n,n,0.2\na,s,0.1\nc,n\nd,,0.3\n";
        let e = NodeTable::from_bytes(text, p()).unwrap_err();
        // The error's own fields are those of the first problem, as before.
        assert_eq!(
            (e.line, e.column, e.field.as_deref()),
            (Some(3), Some(3), Some("need")),
            "{e}"
        );
        let placed: Vec<_> = e
            .further()
            .iter()
            .map(|m| (m.line, m.column, m.field.as_deref()))
            .collect();
        assert_eq!(
            placed,
            vec![
                (Some(4), Some(1), Some("id")),
                (Some(5), Some(1), Some("id")),
                (Some(6), None, None),
                (Some(7), Some(2), Some("region")),
            ],
            "{e}"
        );
        assert_eq!(e.unlisted(), 0);
        let lines = listed(&e);
        let text = lines.join("\n");
        assert_eq!(lines.len(), 5, "{text}");
        assert!(
            lines[0].starts_with("t.csv:3:3: need: expected a number between 0 and 1"),
            "{text}"
        );
        assert_eq!(lines[1], "t.csv:4:1: id: must not be empty");
        assert_eq!(
            lines[2],
            "t.csv:5:1: id: school \"a\" is listed twice (first on line 2)"
        );
        assert!(
            lines[3].starts_with("t.csv:6: 2 fields but the header has 3 columns"),
            "{text}"
        );
        assert!(
            lines[4].starts_with("t.csv:7:2: region: must not be empty"),
            "{text}"
        );
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported_in_column_order() {
        // The reader checks the id before the numbers; the list follows the columns.
        let e = NodeTable::from_bytes(b"size,need,id\n0,2,\n", p()).unwrap_err();
        let columns: Vec<_> = std::iter::once(&e)
            .chain(e.further())
            .map(|m| (m.line, m.column))
            .collect();
        assert_eq!(
            columns,
            vec![(Some(2), Some(1)), (Some(2), Some(2)), (Some(2), Some(3))],
            "{e}"
        );
        // Both ends of a tie and its weight.
        let e = EdgeList::from_bytes(b"source,target,weight\nx,y,2\n", p(), None).unwrap_err();
        let fields: Vec<_> = std::iter::once(&e)
            .chain(e.further())
            .map(|m| m.field.as_deref())
            .collect();
        assert_eq!(
            fields,
            vec![Some("source"), Some("target"), Some("weight")],
            "{e}"
        );
    }

    #[test]
    fn every_bad_row_of_an_edge_list_is_reported() {
        let t = NodeTable::from_bytes(b"id\na\nb\nc\n", p()).unwrap();
        let text = b"source,target,weight\na,b,0.5\na,z,1\nc,c,1\nb,c,0,4\nb,c,0\n";
        let e = EdgeList::from_bytes(text, p(), Some(&t)).unwrap_err();
        let lines = listed(&e);
        let text = lines.join("\n");
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(
            lines[0],
            "t.csv:3:2: target: school \"z\" is not in the node table"
        );
        assert_eq!(
            lines[1],
            "t.csv:4:2: target: a school cannot be tied to itself"
        );
        assert!(
            lines[2].starts_with("t.csv:5: 4 fields but the header has 3 columns"),
            "{text}"
        );
        assert!(
            lines[3].starts_with("t.csv:6:3: weight: expected a tie weight"),
            "{text}"
        );
    }

    #[test]
    fn more_bad_rows_than_are_listed_are_counted() {
        const BAD: usize = 25;
        let mut text = String::from("id,need\n");
        for i in 0..BAD {
            text.push_str(&format!("s{i},{}\n", 2 + i));
        }
        let e = NodeTable::from_bytes(text.as_bytes(), p()).unwrap_err();
        assert_eq!(
            1 + e.further().len(),
            crate::error::MAX_LISTED_PROBLEMS,
            "{e}"
        );
        assert_eq!(e.unlisted(), BAD - crate::error::MAX_LISTED_PROBLEMS);
        let lines = listed(&e);
        let text = lines.join("\n");
        assert_eq!(lines.len(), crate::error::MAX_LISTED_PROBLEMS + 1, "{text}");
        // The first twenty by line: lines 2 to 21.
        assert!(lines[0].starts_with("t.csv:2:2: need:"), "{text}");
        assert!(lines[19].starts_with("t.csv:21:2: need:"), "{text}");
        assert!(lines[19].contains("got \"21\""), "{text}");
        assert_eq!(
            lines[20],
            "and 5 more problems (fix these and check again to see them)"
        );
    }

    #[test]
    fn checks_across_rows_wait_for_the_rows() {
        // Every row bad: the rows are named, not "lists no schools", which they caused.
        let e = NodeTable::from_bytes(b"id,need\n,0.5\n,0.2\n", p()).unwrap_err();
        assert_eq!((e.line, e.further().len()), (Some(2), 1), "{e}");
        assert!(!e.to_string().contains("lists no schools"), "{e}");
        // A lone huge id is still judged once the rows are good, alone.
        let e =
            EdgeList::from_bytes(b"source,target\n0,1\n2,x\n2,49999999\n", p(), None).unwrap_err();
        assert_eq!((e.line, e.further().len()), (Some(3), 0), "{e}");
    }
}
