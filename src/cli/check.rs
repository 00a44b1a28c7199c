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
    super::say(&mark_unused(
        &scenario.to_toml(),
        &scenario.unused_fields(),
        &scenario.config.strategies,
    ))?;
    let net = model(&scenario).network(0)?;
    let (regions, _) = crate::school::regions(&scenario);
    let s = stats::summary(&net, &regions);
    crate::output::tell(&format!(
        "ok: {} is valid. Run 0's network: {} schools, {} ties (mean degree {:.2}, max {}), {} component(s), {:.0}% of ties inside regions.",
        path.display(),
        s.schools,
        s.ties,
        s.mean_degree,
        s.max_degree,
        s.components,
        100.0 * s.within_region
    ));
    Ok(())
}

/// The resolved scenario's TOML with a comment after each field the network files replace
/// (`mean_degree = 8.0  # not used: from edges.csv`), so that the listing does not present a
/// generator setting or a school law the district's own data overrode as if it shaped the
/// result; and after each strategy knob given a value its kind or mode does not read
/// (`pilots = 5  # not used: pilot-then-cascade only`). Comments keep the text a valid scenario.
fn mark_unused(
    toml: &str,
    unused: &[crate::scenario::unused::Unused],
    strategies: &[crate::scenario::StrategyConfig],
) -> String {
    let mut table = String::new();
    // The `[[strategies]]` entry the lines belong to, counted from 1 (0: none yet).
    let mut strategy = 0usize;
    let mut out = String::with_capacity(toml.len());
    for line in toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            if t == "[[strategies]]" {
                strategy += 1;
            }
        }
        out.push_str(line);
        if let Some((key, _)) = t.split_once('=') {
            let key = key.trim();
            let path = format!("{table}.{key}");
            if let Some(u) = unused.iter().find(|u| u.path == path) {
                out.push_str(&format!("  # not used: from {}", u.file));
            }
            let idle = match strategies.get(strategy.wrapping_sub(1)) {
                Some(s) if table == "strategies" => s.idle_knobs(),
                _ => Vec::new(),
            };
            if let Some((_, why)) = idle.iter().find(|(k, _)| *k == key) {
                out.push_str(&format!("  # not used: {why}"));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::scenario::unused::Unused;

    #[test]
    fn unused_fields_get_a_comment_in_their_own_table_only() {
        let toml = "[network]\nkind = \"file\"\nmean_degree = 8.0\n\n[classic]\nmean_degree = 1\n";
        let unused = [Unused {
            path: "network.mean_degree",
            file: "e.csv".into(),
        }];
        assert_eq!(
            super::mark_unused(toml, &unused, &[]),
            "[network]\nkind = \"file\"\nmean_degree = 8.0  # not used: from e.csv\n\n[classic]\nmean_degree = 1\n"
        );
    }

    #[test]
    fn knobs_the_strategy_does_not_read_get_a_comment_in_their_own_entry() {
        use crate::scenario::StrategyConfig;
        let thin = StrategyConfig {
            pilots: 5,
            ..StrategyConfig::named("thin-spread")
        };
        let cascade = StrategyConfig {
            pilots: 5,
            ..StrategyConfig::named("pilot-then-cascade")
        };
        let toml = "[[strategies]]\nname = \"thin-spread\"\npilots = 5\n\n\
                    [[strategies]]\nname = \"pilot-then-cascade\"\npilots = 5\n";
        assert_eq!(
            super::mark_unused(toml, &[], &[thin, cascade]),
            "[[strategies]]\nname = \"thin-spread\"\npilots = 5  # not used: pilot-then-cascade only\n\n\
             [[strategies]]\nname = \"pilot-then-cascade\"\npilots = 5\n"
        );
    }
}
