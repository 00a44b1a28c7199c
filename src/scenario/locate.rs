//! Finds where a dotted field path (`strategies[1].pilots`) stands in a TOML source, so that
//! validation errors can name a line and column.

use toml_edit::{ImDocument, Item, TableLike};

/// One segment of a dotted path: a key, optionally indexed (`strategies[1]`).
fn segments(path: &str) -> Vec<(&str, Option<usize>)> {
    path.split('.')
        .map(|seg| match seg.find('[') {
            Some(open) => {
                let idx = seg[open + 1..].trim_end_matches(']').parse().ok();
                (&seg[..open], idx)
            }
            None => (seg, None),
        })
        .collect()
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
pub fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let doc = ImDocument::parse(src).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    let mut found = None;
    for (key, index) in segments(path) {
        let (k, item) = table.get_key_value(key)?;
        found = k.span().or(item.span()).or(found);
        let next: Option<&dyn TableLike> = match (item, index) {
            (Item::ArrayOfTables(arr), Some(i)) => {
                let t = arr.get(i)?;
                found = t.span().or(found);
                Some(t as &dyn TableLike)
            }
            (Item::Value(toml_edit::Value::Array(arr)), Some(i)) => {
                let v = arr.get(i)?;
                found = v.span().or(found);
                v.as_inline_table().map(|t| t as &dyn TableLike)
            }
            (item, None) => item.as_table_like(),
            _ => None,
        };
        match next {
            Some(t) => table = t,
            None => break,
        }
    }
    found.map(|span| line_col(src, span.start))
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
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
