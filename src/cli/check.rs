//! `domino check FILE`: validate and print the resolved scenario.

use crate::model::World;
use crate::network::stats;
use crate::scenario::Scenario;
use std::path::Path;

pub fn check(path: &Path) -> anyhow::Result<()> {
    let scenario = Scenario::from_file(path)?;
    super::say(&scenario.to_toml())?;
    let world = World::build(
        &scenario,
        &crate::rng::RunSeeds::new(scenario.config.seed, 0),
    );
    let s = stats::summary(&world.network, &world.schools.region);
    eprintln!(
        "ok: {} is valid. Run 0's network: {} schools, {} ties (mean degree {:.2}, max {}), {} component(s), {:.0}% of ties inside regions.",
        path.display(),
        s.schools,
        s.ties,
        s.mean_degree,
        s.max_degree,
        s.components,
        100.0 * s.within_region
    );
    Ok(())
}
