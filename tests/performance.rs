//! The speed and memory targets of the engine, checked on the release binary.
//!
//! - The default comparison (3 strategies x 1,000 runs x 400 schools x 20 terms) finishes in
//!   under one second (best of three, since CI machines are shared and noisy).
//! - 100,000 schools x 20 terms x 100 runs x 3 strategies (`benches/scenarios/large-100k.toml`)
//!   finishes in under a minute.
//! - Peak resident memory of either run stays under 500 MB.
//! - A 100-point Latin hypercube over five parameters of the default scenario at 200 paired runs
//!   (`benches/scenarios/sweep-lhs-100.toml`) finishes in under 30 seconds and keeps both cores
//!   busy (CPU time at least 1.5 times the wall time).
//!
//! Both cases run in one test so that they never compete with each other for the two cores.
//! The timings only mean something for an optimised build, so the test is skipped without
//! `--release` (the README's test command uses it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DEFAULT_LIMIT: Duration = Duration::from_secs(1);
const LARGE_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_BYTES: u64 = 500 * 1024 * 1024;
const SWEEP_LIMIT: Duration = Duration::from_secs(30);

/// Wall time of one `domino compare` run, which must succeed.
fn time_compare(args: &[&str], out: &Path) -> Duration {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_domino"))
        .arg("compare")
        .args(args)
        .args(["--quiet", "--threads", "2", "--out"])
        .arg(out)
        .output()
        .expect("the domino binary runs");
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "domino compare {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// Resource use of the child processes this process has waited for, so far.
fn children() -> libc::rusage {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    usage
}

/// The largest peak resident set size of any child process this process has waited for.
fn peak_child_rss_bytes() -> u64 {
    // On Linux ru_maxrss is in kibibytes.
    children().ru_maxrss as u64 * 1024
}

/// CPU time (user + system) of all waited-for children so far.
fn child_cpu() -> Duration {
    let u = children();
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

#[test]
#[cfg_attr(debug_assertions, ignore = "timing targets apply to optimised builds")]
fn compare_and_sweep_meet_the_speed_and_memory_targets() {
    let dir = tempfile::tempdir().unwrap();

    let best_default = (0..3)
        .map(|_| time_compare(&[], &dir.path().join("default")))
        .min()
        .unwrap();
    let default_rss = peak_child_rss_bytes();
    eprintln!(
        "default compare: best of 3 {:.3} s, peak RSS {:.1} MB",
        best_default.as_secs_f64(),
        default_rss as f64 / 1e6
    );

    let large = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/large-100k.toml");
    let large_time = time_compare(&[large.to_str().unwrap()], &dir.path().join("large"));
    let large_rss = peak_child_rss_bytes();
    eprintln!(
        "100k compare: {:.1} s, peak RSS {:.1} MB",
        large_time.as_secs_f64(),
        large_rss as f64 / 1e6
    );

    assert!(
        best_default < DEFAULT_LIMIT,
        "default compare took {best_default:?} (best of 3), target {DEFAULT_LIMIT:?}"
    );
    assert!(
        default_rss < MEMORY_LIMIT_BYTES,
        "default compare peaked at {default_rss} bytes"
    );
    assert!(
        large_time < LARGE_LIMIT,
        "100k-school compare took {large_time:?}, target {LARGE_LIMIT:?}"
    );
    // The maximum over all children so far, and the large run is the only one that could reach it.
    assert!(
        large_rss < MEMORY_LIMIT_BYTES,
        "100k-school compare peaked at {large_rss} bytes"
    );

    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/sweep-lhs-100.toml");
    let cpu_before = child_cpu();
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_domino"))
        .args(["sweep", sweep.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.path().join("sweep"))
        .output()
        .expect("the domino binary runs");
    let wall = start.elapsed();
    assert!(
        output.status.success(),
        "sweep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cpu = child_cpu() - cpu_before;
    eprintln!(
        "100-point LHS sweep: {:.1} s wall, {:.1} s CPU ({:.2} cores busy)",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        cpu.as_secs_f64() / wall.as_secs_f64()
    );
    assert!(
        wall < SWEEP_LIMIT,
        "sweep took {wall:?}, target {SWEEP_LIMIT:?}"
    );
    if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
        assert!(
            cpu.as_secs_f64() >= 1.5 * wall.as_secs_f64(),
            "the sweep kept only {:.2} cores busy",
            cpu.as_secs_f64() / wall.as_secs_f64()
        );
    }
}
