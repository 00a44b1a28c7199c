//! Reading a network and school attributes from CSV files.
//!
//! - Node table: a header with `id` and any of `region,size,need,readiness,resources,context`.
//!   Columns left out are drawn from the scenario's distributions in every run.
//! - Edge list: a header `source,target` and optionally `weight` (default 1). With a node table,
//!   ids are matched to its `id` column; without one, ids are whole numbers 0..n-1 and n is the
//!   largest id plus one.
//!
//! Every error names the file, the line and the column at fault. The network itself is checked
//! with petgraph on import (see [`EdgeList::components`]).

use super::validate::MAX_SCHOOLS;
use crate::error::InputError;
use std::collections::HashMap;
use std::path::Path;

/// One undirected, weighted tie between two schools.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// One end (school index).
    pub a: u32,
    /// The other end (school index), never equal to `a`.
    pub b: u32,
    /// Strength of the professional relationship, in (0, 1].
    pub weight: f32,
}

/// School attributes from a node table; `None` columns are drawn per run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeTable {
    /// School ids in file order; school index i is row i.
    pub ids: Vec<String>,
    /// Region index per school (regions numbered in order of first appearance).
    pub region: Option<Vec<u32>>,
    /// Number of distinct regions, when the region column is present.
    pub n_regions: Option<usize>,
    /// Enrolment, students (> 0).
    pub size: Option<Vec<f64>>,
    /// Need in [0, 1].
    pub need: Option<Vec<f64>>,
    /// Readiness in [0, 1].
    pub readiness: Option<Vec<f64>>,
    /// Own resources, SU per term (>= 0).
    pub resources: Option<Vec<f64>>,
    /// Context in [0, 1].
    pub context: Option<Vec<f64>>,
}

/// The ties read from an edge list.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeList {
    /// Number of schools.
    pub schools: usize,
    /// Ties by school index.
    pub edges: Vec<Edge>,
}

const NUMERIC_COLUMNS: [&str; 5] = ["size", "need", "readiness", "resources", "context"];

fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, InputError> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(|e| InputError::msg(format!("cannot read: {e}")).in_file(path))
}

fn csv_error(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let mut err = InputError::msg(format!("malformed CSV: {e}")).in_file(path);
    if let Some(l) = line {
        err = err.at(l, None);
    }
    err
}

fn parse_number(
    path: &Path,
    line: usize,
    column: &str,
    raw: &str,
    check: fn(f64) -> bool,
    allowed: &str,
) -> Result<f64, InputError> {
    match raw.parse::<f64>() {
        Ok(v) if check(v) => Ok(v),
        _ => Err(
            InputError::field(column, format!("expected {allowed}, got \"{raw}\""))
                .in_file(path)
                .at(line, None),
        ),
    }
}

impl NodeTable {
    /// Reads a node table.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let mut rdr = reader(path)?;
        let headers = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let id_col = col("id").ok_or_else(|| {
            InputError::field("id", "the node table needs an `id` column")
                .in_file(path)
                .at(1, None)
        })?;
        for h in headers.iter() {
            if h != "id" && h != "region" && !NUMERIC_COLUMNS.contains(&h) {
                return Err(InputError::field(
                    h,
                    "unknown column; allowed: id, region, size, need, readiness, resources, context",
                )
                .in_file(path)
                .at(1, None));
            }
        }
        let region_col = col("region");
        let numeric: Vec<(usize, Option<usize>)> = NUMERIC_COLUMNS
            .iter()
            .enumerate()
            .map(|(k, name)| (k, col(name)))
            .collect();
        let mut table = NodeTable::default();
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); NUMERIC_COLUMNS.len()];
        let mut regions: Vec<u32> = Vec::new();
        let mut region_ids: HashMap<String, u32> = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for record in rdr.records() {
            let record = record.map_err(|e| csv_error(path, e))?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let id = record.get(id_col).unwrap_or("").to_string();
            if id.is_empty() {
                return Err(InputError::field("id", "must not be empty")
                    .in_file(path)
                    .at(line, None));
            }
            if let Some(first) = seen.insert(id.clone(), line) {
                return Err(InputError::field(
                    "id",
                    format!("school \"{id}\" is listed twice (first on line {first})"),
                )
                .in_file(path)
                .at(line, None));
            }
            table.ids.push(id);
            if let Some(c) = region_col {
                let name = record.get(c).unwrap_or("").to_string();
                let next = region_ids.len() as u32;
                regions.push(*region_ids.entry(name).or_insert(next));
            }
            for &(k, c) in &numeric {
                let Some(c) = c else { continue };
                let raw = record.get(c).unwrap_or("");
                let name = NUMERIC_COLUMNS[k];
                let v = match name {
                    "size" => parse_number(
                        path,
                        line,
                        name,
                        raw,
                        |v| v > 0.0 && v.is_finite(),
                        "a number of students above 0",
                    )?,
                    "resources" => parse_number(
                        path,
                        line,
                        name,
                        raw,
                        |v| v >= 0.0 && v.is_finite(),
                        "a number of SU per term of at least 0",
                    )?,
                    _ => parse_number(
                        path,
                        line,
                        name,
                        raw,
                        |v| (0.0..=1.0).contains(&v),
                        "a number between 0 and 1",
                    )?,
                };
                values[k].push(v);
            }
        }
        if table.ids.is_empty() {
            return Err(InputError::msg("the node table lists no schools").in_file(path));
        }
        if region_col.is_some() {
            table.n_regions = Some(region_ids.len());
            table.region = Some(regions);
        }
        for (k, c) in numeric {
            if c.is_some() {
                let v = std::mem::take(&mut values[k]);
                match NUMERIC_COLUMNS[k] {
                    "size" => table.size = Some(v),
                    "need" => table.need = Some(v),
                    "readiness" => table.readiness = Some(v),
                    "resources" => table.resources = Some(v),
                    _ => table.context = Some(v),
                }
            }
        }
        Ok(table)
    }
}

impl EdgeList {
    /// Reads an edge list; ids are resolved against `nodes` when given.
    pub fn read(path: &Path, nodes: Option<&NodeTable>) -> Result<Self, InputError> {
        let mut rdr = reader(path)?;
        let headers = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(src), Some(dst)) = (col("source"), col("target")) else {
            return Err(InputError::msg(
                "the edge list needs a header with `source` and `target` (and optionally `weight`)",
            )
            .in_file(path)
            .at(1, None));
        };
        let wcol = col("weight");
        let index: Option<HashMap<&str, u32>> = nodes.map(|t| {
            t.ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i as u32))
                .collect()
        });
        let mut edges = Vec::new();
        let mut max_id = None;
        for record in rdr.records() {
            let record = record.map_err(|e| csv_error(path, e))?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let mut end = |column: &str, c: usize| -> Result<u32, InputError> {
                let raw = record.get(c).unwrap_or("");
                let found = match &index {
                    Some(ix) => ix.get(raw).copied().ok_or_else(|| {
                        format!("school \"{raw}\" is not in the node table")
                    }),
                    None => raw.parse::<u32>().ok().filter(|&v| v < u32::MAX - 1).ok_or_else(|| {
                        format!("expected a school id (a whole number from 0) since no node table is given, got \"{raw}\"")
                    }),
                };
                let v =
                    found.map_err(|m| InputError::field(column, m).in_file(path).at(line, None))?;
                max_id = max_id.max(Some(v));
                Ok(v)
            };
            let a = end("source", src)?;
            let b = end("target", dst)?;
            if a == b {
                return Err(
                    InputError::field("target", "a school cannot be tied to itself")
                        .in_file(path)
                        .at(line, None),
                );
            }
            let weight = match wcol.map(|c| record.get(c).unwrap_or("")) {
                None | Some("") => 1.0,
                Some(raw) => parse_number(
                    path,
                    line,
                    "weight",
                    raw,
                    |v| v > 0.0 && v <= 1.0,
                    "a tie weight above 0 and at most 1",
                )?,
            };
            edges.push(Edge {
                a,
                b,
                weight: weight as f32,
            });
        }
        let schools = match nodes {
            Some(t) => t.ids.len(),
            None => max_id.map_or(0, |m| m as usize + 1),
        };
        if schools == 0 {
            return Err(InputError::msg(
                "the edge list has no ties and no node table names schools",
            )
            .in_file(path));
        }
        if schools > MAX_SCHOOLS as usize {
            return Err(InputError::msg(format!("too many schools ({schools})")).in_file(path));
        }
        Ok(Self { schools, edges })
    }

    /// Number of connected components (petgraph), for summaries and warnings.
    pub fn components(&self) -> usize {
        let mut g =
            petgraph::graph::UnGraph::<(), f32>::with_capacity(self.schools, self.edges.len());
        for _ in 0..self.schools {
            g.add_node(());
        }
        for e in &self.edges {
            g.add_edge(e.a.into(), e.b.into(), e.weight);
        }
        petgraph::algo::connected_components(&g)
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
        let edges = file(&dir, "e.csv", "source,target,weight\na,b,0.5\nc,b\n");
        let t = NodeTable::read(&nodes).unwrap();
        assert_eq!(t.region, Some(vec![0, 1, 0]));
        assert_eq!(t.n_regions, Some(2));
        assert_eq!(t.size, Some(vec![100.0, 200.0, 300.0]));
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
        assert_eq!(e.components(), 1);
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
            e.to_string().contains("e.csv:3: target: school \"zed\""),
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
}
