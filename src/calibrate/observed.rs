//! An observed rollout (`ROLLOUT.csv`) and its summary statistics.
//!
//! The file is tidy: one row per school and term, columns `school, term, stage` and optionally
//! `practice, supported, effect` (any order; `#` comment lines before the header, as in the
//! network files). `school` is an id as in the node table (or the 0-based index without one),
//! `term` the number of terms since the start (0 is the start, when no school has adopted; at
//! most the scenario's `steps`), `stage` one of `not_adopted, implementing, sustained,
//! abandoned` (the names `domino run --trace` writes; read in any case, with a space or hyphen
//! for the underscore). Terms may be missing and rows may come in any order, but a school is
//! listed at most once per term, and each stage must be reachable from the school's previous
//! one in the terms between them by the model's life cycle (`crate::model::advance`): nothing
//! returns to not_adopted, and not_adopted -> sustained or abandoned, and abandoned ->
//! sustained, take at least two terms. `practice` is in [0, 1], `supported` is true/false (or 1/0, yes/no), and
//! `effect` a number of student-level SD; an empty cell is not observed.
//!
//! The summaries ([`Observed::stats`]) are curves over terms, each for the whole district, for
//! every region (when there are several) and for every need tertile (when the node table gives
//! every school's need): the share of observed schools that are adopters (implementing or
//! sustained), sustained, and abandoned, and where the file has the columns, the share
//! supported and the mean practice and effect. A simulation is summarised on exactly the
//! observed (school, term) cells ([`Accumulator`]), so that missing terms and schools cost the
//! comparison nothing but data.

use crate::error::InputError;
use crate::model::{Stage, State};
use crate::scenario::files;
use crate::scenario::Scenario;
use crate::strategy::Plan;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The curves a rollout is summarised by, in the order of the stats vector.
pub(crate) const CURVES: [&str; 6] = [
    "adopting",
    "sustained",
    "abandoned",
    "supported",
    "practice",
    "effect",
];

const COLUMNS: &str = "school, term, stage, practice, supported, effect";

/// One row of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// School index.
    pub school: u32,
    /// Term, 0 to the scenario's steps.
    pub term: u32,
    /// The school's stage at the end of the term.
    pub stage: Stage,
    /// Practice, if observed.
    pub practice: Option<f64>,
    /// Whether the school was supported in the term, if observed.
    pub supported: Option<bool>,
    /// The school's effect, SD, if observed.
    pub effect: Option<f64>,
}

/// An observed rollout: its rows and the layout of its summary statistics.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The file, as opened.
    pub path: PathBuf,
    /// The rows, by school and then term (not in file order: every sum over them, and so
    /// every output byte, must not depend on how the file's rows were ordered).
    pub rows: Vec<Row>,
    /// The names of the groups: `all`, then `region:NAME`, then `need:low|middle|high`.
    pub groups: Vec<String>,
    /// The groups of each school (indices into `groups`).
    school_groups: Vec<Vec<u16>>,
    /// Terms 0 to this.
    pub terms: u32,
    /// Rows (indices) by term.
    by_term: Vec<Vec<u32>>,
    /// Observed cells per (curve, group, term), dense.
    counts: Vec<u32>,
    /// The observed statistics, dense (NaN where nothing is observed).
    pub stats: Vec<f64>,
    /// The scale each curve's differences are divided by in the distance.
    scale: [f64; 6],
}

/// The stage `name` stands for, read as a spreadsheet writes it: in any case, with a space or a
/// hyphen for the underscore (`Not adopted`, `not-adopted`), as column names are read in any
/// case.
fn stage_named(name: &str) -> Option<Stage> {
    let name: String = name
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    [
        Stage::NotAdopted,
        Stage::Implementing,
        Stage::Sustained,
        Stage::Abandoned,
    ]
    .into_iter()
    .find(|s| s.name() == name)
}

/// Terms written as calendar years (`2019`) are this large or larger; a scenario's horizon is far
/// below (a century of terms).
const FIRST_YEAR: u32 = 1900;

/// Can a school go from `from` to `to` in `terms` terms of the model's life cycle?
pub fn reachable(from: Stage, to: Stage, terms: u32) -> bool {
    use Stage::*;
    let step = |s: Stage| -> &'static [Stage] {
        match s {
            NotAdopted => &[NotAdopted, Implementing],
            Implementing => &[Implementing, Sustained, Abandoned],
            Sustained => &[Sustained, Implementing, Abandoned],
            Abandoned => &[Abandoned, Implementing],
        }
    };
    let mut now = [false; 4];
    now[from as usize] = true;
    // After three terms the set of reachable stages no longer changes.
    for _ in 0..terms.min(4) {
        let mut next = [false; 4];
        for s in [NotAdopted, Implementing, Sustained, Abandoned] {
            if now[s as usize] {
                for &t in step(s) {
                    next[t as usize] = true;
                }
            }
        }
        now = next;
    }
    now[to as usize]
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Checks every school's history in `rows` (read from the lines `lines`): no (school, term)
/// twice, and each stage reachable from the school's previous one in the terms between them.
/// The rows may come in any order (a spreadsheet sorted newest first, or by term): each
/// school's are taken by term. The problems come in line order, naming the line at fault
/// without the file; a school's history is judged up to its first problem only, since every
/// later term would be judged against a stage that may itself be wrong.
fn check_histories(rows: &[Row], lines: &[usize], scenario: &Scenario) -> Vec<InputError> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&k| (rows[k].school, rows[k].term, lines[k]));
    let mut problems = Vec::new();
    let mut prev: Option<usize> = None;
    // The school whose history has a problem, whose remaining rows are passed over.
    let mut failed: Option<u32> = None;
    for &k in &order {
        let r = &rows[k];
        if failed == Some(r.school) {
            continue;
        }
        let id = scenario.school_id(r.school as usize);
        let before = prev.filter(|&p| rows[p].school == r.school);
        if let Some(p) = before.filter(|&p| rows[p].term == r.term) {
            failed = Some(r.school);
            problems.push(
                InputError::field(
                    "term",
                    format!(
                        "school \"{id}\" is listed twice at term {} (first on line {}); give one \
                         row per school and term",
                        r.term, lines[p]
                    ),
                )
                .at(lines[k], None),
            );
            continue;
        }
        let (prev_term, prev_stage) =
            before.map_or((0, Stage::NotAdopted), |p| (rows[p].term, rows[p].stage));
        if !reachable(prev_stage, r.stage, r.term - prev_term) {
            let since = match before {
                None => "the start (term 0, when no school has adopted)".to_string(),
                Some(p) => format!("term {prev_term} (line {})", lines[p]),
            };
            failed = Some(r.school);
            problems.push(
                InputError::field(
                    "stage",
                    format!(
                        "\"{}\" cannot follow \"{}\" at {since} in {} term(s): schools go \
                         not_adopted -> implementing -> sustained or abandoned, sustained -> \
                         implementing or abandoned, abandoned -> implementing, and never back to \
                         not_adopted",
                        r.stage.name(),
                        prev_stage.name(),
                        r.term - prev_term
                    ),
                )
                .at(lines[k], None),
            );
            continue;
        }
        prev = Some(k);
    }
    problems.sort_by_key(|e| e.line);
    problems
}

impl Observed {
    /// Reads `path` against `scenario` (its schools, regions and steps).
    pub fn read(path: &Path, scenario: &Scenario) -> Result<Self, InputError> {
        Self::from_bytes(&files::read_bytes(path)?, path, scenario)
    }

    /// Reads the bytes of a rollout file; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path, scenario: &Scenario) -> Result<Self, InputError> {
        let allowed = ["school", "term", "stage", "practice", "supported", "effect"];
        let needs = format!(
            "a rollout file needs a header line naming its columns ({COLUMNS}) and then one line \
             per school and term"
        );
        let n = scenario.schools();
        let is_value = |cell: &str| {
            stage_named(cell).is_some() || (0..n).any(|i| scenario.school_id(i) == cell)
        };
        let mut file = files::CsvFile::open(
            path,
            bytes,
            &files::Layout {
                allowed: &allowed,
                listing: COLUMNS,
                header: "school,term,stage[,practice,supported,effect]",
                needs: &needs,
                is_value: &is_value,
            },
        )?;
        let read = Self::rows(&mut file, path, scenario);
        file.finish(read)
    }

    /// The rollout in `file`, whose header is read.
    fn rows(
        file: &mut files::CsvFile,
        path: &Path,
        scenario: &Scenario,
    ) -> Result<Self, InputError> {
        let col = |name: &str| file.column(name);
        let required = |name: &str| {
            col(name).ok_or_else(|| {
                file.at_header(InputError::field(
                    name,
                    format!("the rollout file needs a `{name}` column (columns: {COLUMNS})"),
                ))
            })
        };
        let (c_school, c_term, c_stage) =
            (required("school")?, required("term")?, required("stage")?);
        let (c_practice, c_supported, c_effect) =
            (col("practice"), col("supported"), col("effect"));
        let n = scenario.schools();
        let ids: HashMap<String, u32> = (0..n)
            .map(|i| (scenario.school_id(i).into_owned(), i as u32))
            .collect();
        let steps = scenario.config.steps;
        // The line of every row, for the checks of each school's history once all are read.
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        // A row with a problem is recorded and reading goes on, so that every bad row is
        // reported; each cell of a row is checked, whatever the others hold.
        while let Some((record, line)) = file.next_record() {
            let at = |e: InputError| e.in_file(path).at(line, None);
            let cell = |c: usize| record.get(c).unwrap_or("");
            let id = cell(c_school);
            let school = ids.get(id).copied().ok_or_else(|| {
                let known = if scenario.files.as_ref().is_some_and(|f| f.nodes.is_some()) {
                    "an id of the node table (network.nodes)".to_string()
                } else {
                    format!("a school index from 0 to {}", n - 1)
                };
                at(InputError::field(
                    "school",
                    format!("unknown school \"{id}\"; expected {known}"),
                ))
            });
            let raw = cell(c_term);
            let term = match raw.parse::<u32>() {
                Ok(t) if t <= steps => Ok(t),
                // A school year in the term column: the horizon is not what is wrong.
                Ok(t) if t >= FIRST_YEAR => Err(at(InputError::field(
                    "term",
                    format!(
                        "term {t} looks like a year: terms count from 0 at the start of the \
                         rollout (0 before any school adopted, then 1, 2, ... for each term), \
                         up to steps = {steps}"
                    ),
                ))),
                Ok(t) => Err(at(InputError::field(
                    "term",
                    format!(
                        "term {t} is beyond the scenario's horizon (steps = {steps}); terms \
                         count from 0 at the start of the rollout, so if it covers {t} \
                         terms, set steps to {t}"
                    ),
                ))),
                Err(_) => Err(at(InputError::field(
                    "term",
                    format!("expected a whole number of terms from 0 to {steps}, got \"{raw}\""),
                ))),
            };
            let raw = cell(c_stage);
            let stage = stage_named(raw).ok_or_else(|| {
                // The word a spreadsheet most often has for the model's two adopter stages, or
                // a misspelt stage.
                const STAGES: [&str; 4] = ["not_adopted", "implementing", "sustained", "abandoned"];
                let adopted = if raw.trim().eq_ignore_ascii_case("adopted") {
                    " (a school that has adopted is implementing, or sustained once the \
                     practice has lasted)"
                        .to_string()
                } else {
                    match crate::scenario::suggest::closest(&raw.replace([' ', '-'], "_"), &STAGES)
                    {
                        Some(s) => format!("; did you mean {s}?"),
                        None => String::new(),
                    }
                };
                at(InputError::field(
                    "stage",
                    format!(
                        "expected one of not_adopted, implementing, sustained, abandoned, got \
                         \"{raw}\"{adopted}"
                    ),
                ))
            });
            let optional = |c: Option<usize>,
                            name: &str,
                            check: fn(f64) -> bool,
                            allowed: &str|
             -> Result<Option<f64>, InputError> {
                match c.map(cell).filter(|r| !r.is_empty()) {
                    None => Ok(None),
                    Some(raw) => {
                        files::parse_number(path, line, name, raw, check, allowed).map(Some)
                    }
                }
            };
            let practice = optional(
                c_practice,
                "practice",
                |v| (0.0..=1.0).contains(&v),
                "a number between 0 and 1 (or an empty cell)",
            );
            let effect = optional(
                c_effect,
                "effect",
                |v| v.is_finite() && v.abs() <= 100.0,
                "an effect in student-level SD, from -100 to 100 (or an empty cell)",
            );
            let supported = match c_supported.map(cell).filter(|r| !r.is_empty()) {
                None => Ok(None),
                Some(raw) => parse_bool(raw).map(Some).ok_or_else(|| {
                    at(InputError::field(
                        "supported",
                        format!("expected true or false (or 1 or 0, yes or no, or an empty cell), got \"{raw}\""),
                    ))
                }),
            };
            let (
                Some(school),
                Some(term),
                Some(stage),
                Some(practice),
                Some(supported),
                Some(effect),
            ) = (
                file.check(school),
                file.check(term),
                file.check(stage),
                file.check(practice),
                file.check(supported),
                file.check(effect),
            )
            else {
                continue;
            };
            rows.push(Row {
                school,
                term,
                stage,
                practice,
                supported,
                effect,
            });
            lines.push(line);
        }
        // The problems recorded are reported by `CsvFile::finish`, in place of this error.
        // Histories judged with rows missing would be judged wrongly, so they wait for the rows
        // to be fixed.
        let bad_rows = || Err(InputError::msg("the rollout file has bad rows").in_file(path));
        if file.has_problems() {
            return bad_rows();
        }
        if rows.is_empty() {
            return Err(InputError::msg("the rollout file has no rows").in_file(path));
        }
        for e in check_histories(&rows, &lines, scenario) {
            file.problem(e.in_file(path));
        }
        if file.has_problems() {
            return bad_rows();
        }
        Ok(Self::from_rows(path, rows, scenario))
    }

    /// The rollout of `rows` (already checked) with its groups and statistics.
    pub(crate) fn from_rows(path: &Path, mut rows: Vec<Row>, scenario: &Scenario) -> Self {
        // A checked rollout has one row per (school, term), so this order is total: the
        // floating-point sums below, and the simulations' (by `by_term`), are the same for
        // any order of the file's rows.
        rows.sort_by_key(|r| (r.school, r.term));
        let n = scenario.schools();
        let (region, n_regions) = crate::school::regions(scenario);
        let mut groups = vec!["all".to_string()];
        let mut school_groups: Vec<Vec<u16>> = vec![vec![0]; n];
        if n_regions > 1 {
            for r in 0..n_regions {
                groups.push(format!("region:{}", scenario.region_name(r)));
            }
            for (i, g) in school_groups.iter_mut().enumerate() {
                g.push(1 + region[i] as u16);
            }
        }
        let need: Option<Vec<f64>> = scenario
            .files
            .as_ref()
            .and_then(|f| f.nodes.as_ref())
            .and_then(|t| t.need.as_ref())
            .and_then(|c| c.iter().copied().collect());
        if let Some(need) = need {
            let base = groups.len() as u16;
            groups.extend(["need:low", "need:middle", "need:high"].map(String::from));
            for (i, g) in crate::school::need_groups(&need).into_iter().enumerate() {
                school_groups[i].push(base + g as u16);
            }
        }
        let terms = rows.iter().map(|r| r.term).max().unwrap_or(0);
        let mut by_term = vec![Vec::new(); terms as usize + 1];
        for (k, r) in rows.iter().enumerate() {
            by_term[r.term as usize].push(k as u32);
        }
        let mut me = Self {
            path: path.to_path_buf(),
            rows,
            groups,
            school_groups,
            terms,
            by_term,
            counts: Vec::new(),
            stats: Vec::new(),
            scale: [1.0; 6],
        };
        let mut acc = me.accumulator();
        let mut counts = vec![0u32; acc.sums.len()];
        for r in &me.rows {
            let values = [
                Some(r.stage.is_adopter() as u8 as f64),
                Some((r.stage == Stage::Sustained) as u8 as f64),
                Some((r.stage == Stage::Abandoned) as u8 as f64),
                r.supported.map(|b| b as u8 as f64),
                r.practice,
                r.effect,
            ];
            for (c, v) in values.into_iter().enumerate() {
                let Some(v) = v else { continue };
                for &g in &me.school_groups[r.school as usize] {
                    let cell = me.cell(c, g as usize, r.term as usize);
                    acc.sums[cell] += v;
                    counts[cell] += 1;
                }
            }
        }
        // Effects are in SD, not shares: their differences are divided by the observed effects'
        // spread (at least 0.05 SD), so that a curve of effects weighs like a curve of shares.
        let effects: Vec<f64> = me.rows.iter().filter_map(|r| r.effect).collect();
        if effects.len() > 1 {
            let m = effects.iter().sum::<f64>() / effects.len() as f64;
            let v =
                effects.iter().map(|e| (e - m).powi(2)).sum::<f64>() / (effects.len() - 1) as f64;
            me.scale[5] = v.sqrt().max(0.05);
        }
        me.counts = counts;
        me.stats = me.finish(&acc);
        me
    }

    fn cell(&self, curve: usize, group: usize, term: usize) -> usize {
        (curve * self.groups.len() + group) * (self.terms as usize + 1) + term
    }

    /// An accumulator for one simulation's statistics.
    pub fn accumulator(&self) -> Accumulator {
        Accumulator {
            sums: vec![0.0; CURVES.len() * self.groups.len() * (self.terms as usize + 1)],
        }
    }

    /// Adds the simulated state after `term` terms (and the plan of that term) on the observed
    /// cells of that term. Allocation-free.
    pub fn observe(&self, acc: &mut Accumulator, term: u32, state: &State, plan: &Plan) {
        let Some(rows) = self.by_term.get(term as usize) else {
            return;
        };
        for &k in rows {
            let r = &self.rows[k as usize];
            let i = r.school as usize;
            let stage = state.stage[i];
            let supported = term > 0 && plan.support.get(i).is_some_and(|&s| s > 0.0);
            let values = [
                Some(stage.is_adopter() as u8 as f64),
                Some((stage == Stage::Sustained) as u8 as f64),
                Some((stage == Stage::Abandoned) as u8 as f64),
                r.supported.map(|_| supported as u8 as f64),
                r.practice.map(|_| state.practice[i]),
                r.effect.map(|_| state.effect[i]),
            ];
            for (c, v) in values.into_iter().enumerate() {
                let Some(v) = v else { continue };
                for &g in &self.school_groups[i] {
                    let cell = self.cell(c, g as usize, term as usize);
                    acc.sums[cell] += v;
                }
            }
        }
    }

    /// The statistics of a filled accumulator: each cell's mean (NaN where nothing is observed).
    pub fn finish(&self, acc: &Accumulator) -> Vec<f64> {
        acc.sums
            .iter()
            .zip(&self.counts)
            .map(|(&s, &n)| if n == 0 { f64::NAN } else { s / n as f64 })
            .collect()
    }

    /// The distance between the observed statistics and simulated ones `sim`: the root of the
    /// weighted mean of squared differences over observed cells, each cell weighted by the
    /// number of schools observed in it, effects divided by their observed spread. Every school
    /// counts once for the district, once for its region and once for its need tertile, so the
    /// district's curves and the groups' weigh alike. 0 is a perfect fit; 0.1 is a typical
    /// miss of 10 percentage points.
    pub fn distance(&self, sim: &[f64]) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        let per_curve = self.groups.len() * (self.terms as usize + 1);
        for (k, (&o, &s)) in self.stats.iter().zip(sim).enumerate() {
            let n = self.counts[k];
            if n == 0 {
                continue;
            }
            let d = (o - s) / self.scale[k / per_curve];
            num += n as f64 * d * d;
            den += n as f64;
        }
        if den == 0.0 {
            0.0
        } else {
            (num / den).sqrt()
        }
    }

    /// The observed cells, as `(curve, group, term, schools observed, dense index)`, in the
    /// order of the stats vector.
    pub fn cells(&self) -> Vec<(&'static str, &str, u32, u32, usize)> {
        let t1 = self.terms as usize + 1;
        let mut out = Vec::new();
        for (c, curve) in CURVES.iter().enumerate() {
            for (g, group) in self.groups.iter().enumerate() {
                for t in 0..t1 {
                    let k = self.cell(c, g, t);
                    if self.counts[k] > 0 {
                        out.push((*curve, group.as_str(), t as u32, self.counts[k], k));
                    }
                }
            }
        }
        out
    }
}

/// One simulation's running sums on the observed cells ([`Observed::observe`]).
#[derive(Debug, Clone)]
pub struct Accumulator {
    sums: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    #[test]
    fn the_life_cycle_decides_what_can_follow() {
        assert!(reachable(NotAdopted, NotAdopted, 0));
        assert!(!reachable(NotAdopted, Implementing, 0));
        assert!(reachable(NotAdopted, Implementing, 1));
        assert!(!reachable(NotAdopted, Sustained, 1));
        assert!(reachable(NotAdopted, Sustained, 2));
        assert!(!reachable(Abandoned, Sustained, 1));
        assert!(reachable(Abandoned, Sustained, 2));
        assert!(reachable(Sustained, Implementing, 1));
        for s in [Implementing, Sustained, Abandoned] {
            for t in 0..10 {
                assert!(!reachable(s, NotAdopted, t), "{s:?} -> not adopted");
            }
        }
    }
}
