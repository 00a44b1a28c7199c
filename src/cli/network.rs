//! `domino network`: write one run's network as an edge list, for other tools and for checks.

use super::ScenarioArgs;
use crate::engine::model;
use crate::output::{write_atomic, write_edge_list};
use std::path::Path;

pub fn network(args: &ScenarioArgs, run: u64, out: &Path) -> anyhow::Result<()> {
    crate::output::check_file_target(out, "--out")?;
    let scenario = args.load(None, None, None)?;
    crate::output::check_not_an_input(out, "--out", &scenario, &[])?;
    // The same network `compare` uses in run `run`.
    let net = model(&scenario).network(run)?;
    write_atomic(out, |w| {
        write_edge_list(w, net.edges(), |i| scenario.school_id(i))
    })?;
    super::say(&format!(
        "run {run} of {}: {} nodes, {} ties written to {}\n",
        scenario.config.name,
        net.schools(),
        net.ties(),
        out.display()
    ))
}
