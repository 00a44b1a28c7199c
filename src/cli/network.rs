//! `domino network`: write one run's network as an edge list, for other tools and for checks.

use super::load_scenario;
use crate::engine::model;
use crate::output::{csv_field, write_atomic};
use std::path::Path;

pub fn network(path: Option<&Path>, run: u64, out: &Path) -> anyhow::Result<()> {
    let scenario = load_scenario(path, None, None, None)?;
    // The same network `compare` uses in run `run`.
    let net = model(&scenario).network(run);
    write_atomic(out, |w| {
        writeln!(w, "source,target,weight")?;
        for e in net.edges() {
            // f32 weights print in their own shortest form (0.6687029, not 0.6687029004096985).
            // Ends by id as the node table writes them (0-based indices without one).
            let (a, b) = (e.a as usize, e.b as usize);
            let (a, b) = (scenario.school_id(a), scenario.school_id(b));
            writeln!(w, "{},{},{}", csv_field(&a), csv_field(&b), e.weight)?;
        }
        Ok(())
    })?;
    super::say(&format!(
        "run {run} of {}: {} nodes, {} ties written to {}\n",
        scenario.config.name,
        net.schools(),
        net.ties(),
        out.display()
    ))
}
