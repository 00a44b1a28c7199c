//! Scenarios: what is simulated, read from TOML.
//!
//! Two stages, as in ripgrep's configuration: [`ScenarioConfig`] is the file as written (serde,
//! unknown keys rejected, every field defaulted), and [`Scenario`] is the validated result that the
//! rest of the crate trusts. [`Scenario::from_file`] and [`Scenario::from_toml`] are the only ways to
//! make one, and they return an [`InputError`] naming file, line, column and field for any bad input.
//! Network files named by the scenario are read here too, so that every input error surfaces before
//! a run starts or an output file is created.
//!
//! ```
//! let scenario = domino::Scenario::from_toml("runs = 10\n[budget]\nper_school = 0.2\n", None).unwrap();
//! assert_eq!(scenario.config.runs, 10);
//! assert_eq!(scenario.budget_per_term(), 0.2 * 400.0);
//! ```

pub mod config;
pub mod files;
pub(crate) mod locate;
pub mod path;
mod validate;
pub use validate::MAX_SCHOOLS;

pub use config::*;

use crate::error::InputError;
use files::{EdgeList, NodeTable};
use std::path::{Path, PathBuf};

/// The built-in default scenario (`scenarios/default.toml`), embedded in the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The resolved configuration: defaults filled in, strategy kinds resolved.
    pub config: ScenarioConfig,
    /// Network and node data read from files (`network.kind = "file"`).
    pub files: Option<NetworkFiles>,
    /// Where the scenario came from (`None` for the built-in default or a string).
    pub source: Option<PathBuf>,
}

/// Network data read from CSV files.
#[derive(Debug, Clone)]
pub struct NetworkFiles {
    /// The ties.
    pub edges: EdgeList,
    /// School attributes given by the node table, if any.
    pub nodes: Option<NodeTable>,
}

impl Scenario {
    /// The built-in default scenario.
    pub fn builtin_default() -> Self {
        Self::from_toml(DEFAULT_SCENARIO, None).expect("the built-in default scenario is valid")
    }

    /// Reads and validates a scenario file.
    pub fn from_file(path: &Path) -> Result<Self, InputError> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            InputError::msg(format!("cannot read scenario file: {e}")).in_file(path)
        })?;
        Self::from_toml(&src, Some(path))
    }

    /// Parses and validates scenario text; `path` (if any) names the file in errors and anchors
    /// relative network file paths.
    pub fn from_toml(src: &str, path: Option<&Path>) -> Result<Self, InputError> {
        let locate_err = |e: InputError| locate::place(e, src, path);
        let mut config: ScenarioConfig = locate::from_str(src, path)?;
        if config.name.is_empty() {
            config.name = path
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "default".to_string());
        }
        validate::resolve(&mut config).map_err(locate_err)?;
        let files = if config.network.kind == NetworkKind::File {
            let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
            let files = Self::read_network_files(&mut config, base).map_err(locate_err)?;
            validate::check_seed_nodes(&config.seedings, config.network.schools)
                .map_err(locate_err)?;
            Some(files)
        } else {
            None
        };
        Ok(Self {
            config,
            files,
            source: path.map(Path::to_path_buf),
        })
    }

    fn read_network_files(
        config: &mut ScenarioConfig,
        base: &Path,
    ) -> Result<NetworkFiles, InputError> {
        let edges_path = config.network.edges.clone().ok_or_else(|| {
            InputError::field(
                "network.edges",
                "required when network.kind = \"file\": the path of an edge list CSV",
            )
        })?;
        // A file that cannot be opened is the scenario's error: name the field that points to it.
        let existing = |field: &str, p: &Path| -> Result<PathBuf, InputError> {
            let full = base.join(p);
            let problem = match std::fs::File::open(&full) {
                Ok(_) if full.is_file() => return Ok(full),
                Ok(_) => "is not a file".to_string(),
                Err(e) => format!("cannot be read ({e})"),
            };
            Err(InputError::field(
                field,
                format!(
                    "{} {problem}; give the path of a CSV file, relative to the scenario file",
                    full.display()
                ),
            ))
        };
        let nodes = match &config.network.nodes {
            Some(p) => Some(NodeTable::read(&existing("network.nodes", p)?)?),
            None => None,
        };
        let edges = EdgeList::read(&existing("network.edges", &edges_path)?, nodes.as_ref())?;
        config.network.schools = edges.schools as u32;
        if let Some(nodes) = &nodes {
            if let Some(n) = nodes.n_regions {
                config.network.regions = n as u32;
            }
        }
        config.network.regions = config.network.regions.min(config.network.schools).max(1);
        Ok(NetworkFiles { edges, nodes })
    }

    /// Number of schools.
    pub fn schools(&self) -> usize {
        self.config.network.schools as usize
    }

    /// Budget per term in SU, the same for every strategy.
    pub fn budget_per_term(&self) -> f64 {
        self.config
            .budget
            .total
            .unwrap_or(self.config.budget.per_school * self.schools() as f64)
    }

    /// The resolved scenario as TOML (all defaults written out), as `domino check` prints it.
    pub fn to_toml(&self) -> String {
        let mut text = toml::to_string(&self.config).expect("a scenario always serialises");
        // The serialiser leaves the last array-of-tables entry without a line end.
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    /// Index of the strategy named `name`.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.config.strategies.iter().position(|s| s.name == name)
    }
}

/// A commented example scenario, as `domino init` writes it.
pub fn example_scenario() -> &'static str {
    include_str!("../../scenarios/example.toml")
}

impl Scenario {
    /// Applies command-line overrides and validates the result like a file's own values.
    pub fn with_overrides(
        mut self,
        runs: Option<u32>,
        seed: Option<u64>,
        steps: Option<u32>,
    ) -> Result<Self, InputError> {
        let flag = |name: &str, e: InputError| InputError {
            field: Some(name.to_string()),
            file: None,
            line: None,
            column: None,
            ..e
        };
        if let Some(r) = runs {
            self.config.runs = r;
            validate::resolve(&mut self.config).map_err(|e| flag("--runs", e))?;
        }
        if let Some(s) = seed {
            self.config.seed = s;
            validate::resolve(&mut self.config).map_err(|e| flag("--seed", e))?;
        }
        if let Some(t) = steps {
            self.config.steps = t;
            validate::resolve(&mut self.config).map_err(|e| flag("--steps", e))?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_default_only_restates_the_defaults() {
        // One set of defaults: an empty file is the built-in default scenario but for its name
        // and description, so a file that leaves a field out gets the default's value.
        let empty = Scenario::from_toml("", None).unwrap().config;
        let mut builtin = Scenario::builtin_default().config;
        assert_eq!(builtin.name, "default");
        builtin.name = empty.name.clone();
        builtin.description = empty.description.clone();
        assert_eq!(builtin, empty);
    }
}
