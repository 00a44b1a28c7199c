//! Dotted field paths: how sweeps, `--set`, uncertain parameters and error messages name a field
//! of a scenario (`mechanisms.dose.d50`, `strategies[1].pilots`, `strategies.cluster.hub_share`).
//!
//! This is the one parser of such paths. A path is a list of [`Segment`]s separated by dots. A
//! segment is a key, optionally with an index into an array of tables (`strategies[1]`); a key
//! whose value is an array of tables and that has no index takes the *next* segment as the `name`
//! of the entry (`strategies.cluster` is the strategy named "cluster").
//!
//! ```
//! use domino::scenario::path::get_mut;
//! let mut t: toml::Table = toml::from_str("[[strategies]]\nname = \"cluster\"\nhub_share = 0.2\n").unwrap();
//! *get_mut(&mut t, "strategies.cluster.hub_share").unwrap() = toml::Value::Float(0.3);
//! assert_eq!(get_mut(&mut t, "strategies[0].hub_share").unwrap().as_float(), Some(0.3));
//! ```

use toml::Value;

/// One segment of a dotted path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The key.
    pub key: &'a str,
    /// `key[i]`: the index into the array of tables at `key`.
    pub index: Option<usize>,
}

/// Splits `path` into segments. A malformed index (`strategies[x]`) is kept as a key that matches
/// nothing, so the caller reports the path as not found.
pub fn segments(path: &str) -> Vec<Segment<'_>> {
    path.split('.')
        .map(|seg| match seg.find('[') {
            Some(open) if seg.ends_with(']') => match seg[open + 1..seg.len() - 1].parse() {
                Ok(i) => Segment {
                    key: &seg[..open],
                    index: Some(i),
                },
                Err(_) => Segment {
                    key: seg,
                    index: None,
                },
            },
            _ => Segment {
                key: seg,
                index: None,
            },
        })
        .collect()
}

/// The value at `path` in `table`, if every segment exists.
pub fn get_mut<'t>(table: &'t mut toml::Table, path: &str) -> Option<&'t mut Value> {
    let segs = segments(path);
    let mut table = table;
    let mut k = 0;
    loop {
        let seg = segs.get(k)?;
        k += 1;
        let value = table.get_mut(seg.key)?;
        let tables = value
            .as_array()
            .map(|a| !a.is_empty() && a.iter().all(Value::is_table));
        let value = match (value, seg.index, tables) {
            (Value::Array(items), Some(i), _) => items.get_mut(i)?,
            (_, Some(_), _) => return None,
            (Value::Array(items), None, Some(true)) => {
                let name = segs.get(k)?.key;
                k += 1;
                items
                    .iter_mut()
                    .find(|it| it.get("name").and_then(Value::as_str) == Some(name))?
            }
            (value, None, _) => value,
        };
        if k == segs.len() {
            return Some(value);
        }
        table = value.as_table_mut()?;
    }
}

/// A copy of the value at `path` in `table`, if every segment exists.
pub fn get(table: &toml::Table, path: &str) -> Option<Value> {
    get_mut(&mut table.clone(), path).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> toml::Table {
        toml::from_str(
            "runs = 3\n[mechanisms.dose]\nd50 = 1.0\n[[strategies]]\nname = \"a\"\npilots = 2\n\
             [[strategies]]\nname = \"b\"\npilots = 5\n[network]\ndegrees = [1, 2]\n",
        )
        .unwrap()
    }

    #[test]
    fn keys_indices_and_names_reach_the_same_fields() {
        let mut t = table();
        assert_eq!(get(&t, "runs").and_then(|v| v.as_integer()), Some(3));
        assert_eq!(
            get(&t, "mechanisms.dose.d50").and_then(|v| v.as_float()),
            Some(1.0)
        );
        assert_eq!(
            get(&t, "strategies[1].pilots").and_then(|v| v.as_integer()),
            Some(5)
        );
        assert_eq!(
            get(&t, "strategies.b.pilots").and_then(|v| v.as_integer()),
            Some(5)
        );
        *get_mut(&mut t, "strategies.a.pilots").unwrap() = Value::Integer(9);
        assert_eq!(
            get(&t, "strategies[0].pilots").and_then(|v| v.as_integer()),
            Some(9)
        );
        // A plain array is a value, not a list of named entries.
        assert!(get(&t, "network.degrees").is_some_and(|v| v.is_array()));
    }

    #[test]
    fn missing_or_malformed_paths_are_none() {
        let t = table();
        for p in [
            "mechanisms.dose.d5O",
            "strategies.c.pilots",
            "strategies[7].pilots",
            "strategies[x].pilots",
            "runs.deeper",
            "runs[0]",
            "",
        ] {
            assert!(get(&t, p).is_none(), "{p}");
        }
    }
}
