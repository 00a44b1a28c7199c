//! The classic models against published results (see `domino::validation` for each
//! check's network size, runs, tolerance and source; `docs/validation.md` shows the numbers).
//!
//! Every check is also run once against a deliberately broken model, simulated with a parameter
//! about 10 % off the one theory is evaluated at, and must then fail: that is what shows the
//! tolerance is tight enough to catch a model that is wrong.

use domino::validation::{bass, percolation, small_outbreaks, watts, Check};

fn assert_all_pass(checks: &[Check]) {
    for c in checks {
        assert!(
            c.passes(),
            "{} ({}): simulated {:.4} (SE {:.4}), theory {:.4}, tolerance {:.4} [{}]",
            c.name,
            c.setup,
            c.simulated,
            c.standard_error,
            c.theory,
            c.tolerance,
            c.source
        );
    }
}

fn assert_some_fail(checks: &[Check], what: &str) {
    assert!(
        checks.iter().any(|c| !c.passes()),
        "the broken model ({what}) passed every check: {checks:#?}"
    );
}

#[test]
fn independent_cascade_matches_bond_percolation_above_threshold() {
    // z T from 1.5 to 3: the giant cluster from 0.58 to 0.94.
    for (k, (z, t)) in [(3.0, 0.5), (4.0, 0.5), (6.0, 0.25), (6.0, 0.5)]
        .into_iter()
        .enumerate()
    {
        assert_all_pass(&percolation(z, t, t, 20_000, 200, 100 + k as u64));
    }
    // Broken: transmission 10 % low.
    assert_some_fail(&percolation(4.0, 0.45, 0.5, 20_000, 200, 7), "T 10 % low");
}

#[test]
fn independent_cascade_matches_mean_outbreak_size_below_threshold() {
    for (k, (z, t)) in [(2.0, 0.25), (3.0, 0.2), (4.0, 0.2)]
        .into_iter()
        .enumerate()
    {
        assert_all_pass(&[small_outbreaks(z, t, t, 20_000, 20_000, 200 + k as u64)]);
    }
    assert_some_fail(
        &[small_outbreaks(3.0, 0.22, 0.2, 20_000, 20_000, 9)],
        "T 10 % high",
    );
}

#[test]
fn watts_threshold_cascades_inside_the_window_only() {
    let phi = 0.18;
    // Inside the window: cascade frequency and size as predicted.
    for (k, z) in [2.0, 3.0, 4.0, 5.0].into_iter().enumerate() {
        assert_all_pass(&watts(z, phi, phi, 10_000, 300, 300 + k as u64)[..]);
    }
    // Outside: below the percolation threshold and above the upper edge, no global cascades.
    for (k, z) in [0.7, 10.0].into_iter().enumerate() {
        let [freq, _] = watts(z, phi, phi, 10_000, 300, 310 + k as u64);
        assert!(freq.theory == 0.0 && freq.passes(), "{freq:?}");
    }
    // Broken: thresholds 0.22 (one fewer degree class vulnerable) against theory at 0.18.
    assert_some_fail(&watts(5.0, 0.22, phi, 10_000, 300, 11), "phi 0.22");
}

#[test]
fn bass_on_the_complete_graph_follows_the_closed_form() {
    let (p, q) = (0.03, 0.38);
    assert_all_pass(&bass(p, q, q, 1_000, 200, 20, 400));
    // Broken: imitation 10 % low.
    assert_some_fail(&bass(p, 0.342, q, 1_000, 200, 20, 12), "q 10 % low");
}
