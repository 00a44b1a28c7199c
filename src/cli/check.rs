//! `domino check FILE`: validate and print the resolved scenario.

use super::ScenarioArgs;
use crate::engine::model;
use crate::network::stats;
use std::path::Path;

pub fn check(args: &ScenarioArgs) -> anyhow::Result<()> {
    let scenario = args.load(None, None, None)?;
    // `domino calibrate` reads the [calibrate] table (its settings, strategy and priors) only
    // when it runs; check it here the same way, so that "ok" means calibrate will accept it.
    if scenario.config.calibrate.is_some() {
        crate::calibrate::Calibration::new(&scenario, &args.set)?;
    }
    let path = args
        .scenario
        .as_deref()
        .unwrap_or(Path::new("the built-in default scenario"));
    super::say(&scenario.to_toml())?;
    let net = model(&scenario).network(0)?;
    let (regions, _) = crate::school::regions(&scenario);
    let s = stats::summary(&net, &regions);
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
