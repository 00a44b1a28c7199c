//! The speed and memory check: runs every case in `benches/perf.toml` on the release `domino`
//! binary and judges its CPU time and peak resident memory against the case's limits. CI runs it
//! after the tests (`.ci/run`); `cargo test` never measures time.
//!
//! ```sh
//! cargo run --release --example perf                          # every case in benches/perf.toml
//! cargo run --release --example perf -- --case default-compare # only the named case(s)
//! cargo run --release --example perf -- --config FILE         # another list of cases
//! cargo run --release --example perf -- --domino PATH         # use this binary, build none
//! cargo run --release --example perf -- --self-test           # prove that an exceeded limit fails
//! ```
//!
//! Why CPU time and not wall time: on a shared machine the wall time of a run grows with
//! whatever else runs, so a wall-clock target turns red on a busy laptop. The CPU time of the
//! child (user + system, from `wait4`, the per-child form of `getrusage(RUSAGE_CHILDREN)`) counts
//! only the work the run did, and peak RSS (`ru_maxrss` of the same child) does not depend on
//! load at all. The wall time is printed beside them for the reader. Load is not entirely
//! invisible to CPU time (caches shared with other programs, a slower host), so a case may have
//! a few attempts and passes on the first that meets every limit; a real regression misses in
//! all of them.
//!
//! "Keeps both cores busy" cannot be judged from CPU / wall, which load lowers. Instead the
//! check reads the machine's idle time from `/proc/stat` during the run: cores that were idle
//! while the case had threads to spare are cores it failed to use. Cores taken by other programs
//! are not held against it, so load can hide a parallelism regression but never fake one.
//!
//! Exit codes: 0 every case met its limits (or, with `--self-test`, the impossible case was
//! rejected); 1 a case missed a limit (or the self-test case was accepted); 2 nothing could be
//! judged (a bad case file, a binary that fails or cannot be built).

use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The cases CI runs, relative to the repository root.
const DEFAULT_CONFIG: &str = "benches/perf.toml";

/// The `--self-test` case: limits no run can meet, so the harness must report both missed.
const SELF_TEST: &str = r#"
[[case]]
name = "self-test"
what = "a tiny comparison with impossible limits"
args = ["compare", "--runs", "4", "--steps", "3", "--threads", "1", "--quiet", "--out", "{out}"]
cpu_seconds = 0.000001
peak_rss_mb = 0.001
source = "--self-test: the harness must reject it"
"#;

/// A list of cases, as written in `benches/perf.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

/// One measured command and its limits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Short name, for `--case` and the report.
    name: String,
    /// The workload in words.
    what: String,
    /// Arguments of `domino`, run from the repository root; `{out}` becomes a fresh folder that
    /// does not exist yet.
    args: Vec<String>,
    /// Limit on the child's CPU time (user + system), seconds: a miss fails the check.
    cpu_seconds: f64,
    /// The CPU time the original (wall-clock) target allows, seconds, if tighter than the limit:
    /// exceeding it is reported, not failed, because the CPU time of the same work varies with
    /// the host (see `benches/perf.toml`).
    target_cpu_seconds: Option<f64>,
    /// Limit on the child's peak resident set size, MB (10^6 bytes).
    peak_rss_mb: f64,
    /// Where the limits come from.
    source: String,
    /// Attempts before a miss counts; the case passes on the first attempt that meets every
    /// limit.
    #[serde(default = "one")]
    attempts: u32,
    /// Worker threads the case runs (must match `--threads` in `args`); needed by
    /// `min_busy_cores`.
    threads: Option<u32>,
    /// Cores the case must keep busy, judged against the idle time of the machine: the cores
    /// left idle while the case had threads to spare must stay below `threads - min_busy_cores`.
    min_busy_cores: Option<f64>,
}

fn one() -> u32 {
    1
}

impl Config {
    fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut names = BTreeSet::new();
        for case in &config.cases {
            if !names.insert(case.name.as_str()) {
                return Err(format!("case '{}' appears twice", case.name));
            }
            case.validate()
                .map_err(|e| format!("case '{}': {e}", case.name))?;
        }
        Ok(config)
    }
}

impl Case {
    fn validate(&self) -> Result<(), String> {
        let positive = |what: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("{what} must be a positive number, got {v}"))
            }
        };
        positive("cpu_seconds", self.cpu_seconds)?;
        positive("peak_rss_mb", self.peak_rss_mb)?;
        if let Some(target) = self.target_cpu_seconds {
            positive("target_cpu_seconds", target)?;
        }
        if self.attempts == 0 {
            return Err("attempts must be at least 1".into());
        }
        let threads_arg = self
            .args
            .windows(2)
            .find(|w| w[0] == "--threads")
            .map(|w| w[1].parse::<u32>().map_err(|_| "--threads takes a number"))
            .transpose()?;
        if let Some(threads) = self.threads {
            if threads_arg != Some(threads) {
                return Err(format!(
                    "threads = {threads} but args say --threads {threads_arg:?}; they must agree"
                ));
            }
        }
        match (self.min_busy_cores, self.threads) {
            (Some(_), None) => Err("min_busy_cores needs threads".into()),
            (Some(busy), Some(threads)) if !(busy > 0.0 && busy <= f64::from(threads)) => Err(
                format!("min_busy_cores must be in (0, threads = {threads}], got {busy}"),
            ),
            _ => Ok(()),
        }
    }
}

/// What one run of a case cost.
#[derive(Debug, Clone, Copy)]
struct Measurement {
    /// User + system CPU time of the child, seconds.
    cpu_seconds: f64,
    /// Peak resident set size of the child, MB.
    peak_rss_mb: f64,
    /// Elapsed time, seconds (reported, never judged).
    wall_seconds: f64,
    /// Average number of the machine's cores that were idle during the run, if known.
    idle_cores: Option<f64>,
}

impl Measurement {
    fn busy_cores(&self) -> f64 {
        self.cpu_seconds / self.wall_seconds.max(1e-9)
    }
}

/// The limits a measurement misses, in words; empty when it meets them all.
fn misses(case: &Case, m: &Measurement) -> Vec<String> {
    let mut out = Vec::new();
    if m.cpu_seconds > case.cpu_seconds {
        out.push(format!(
            "CPU time {:.2} s is over the limit of {} s",
            m.cpu_seconds, case.cpu_seconds
        ));
    }
    if m.peak_rss_mb > case.peak_rss_mb {
        out.push(format!(
            "peak RSS {:.1} MB is over the limit of {} MB",
            m.peak_rss_mb, case.peak_rss_mb
        ));
    }
    if let (Some(min_busy), Some(threads), Some(idle)) =
        (case.min_busy_cores, case.threads, m.idle_cores)
    {
        let unused = unused_cores(f64::from(threads), m.busy_cores(), idle);
        let allowed = f64::from(threads) - min_busy;
        if unused > allowed {
            out.push(format!(
                "it left {unused:.2} cores idle that its {threads} threads could have used \
                 (at most {allowed:.2} allowed: it must keep {min_busy} cores busy)"
            ));
        }
    }
    out
}

/// Cores the case could have used but the machine left idle: no more than the threads it did not
/// keep busy, and no more than the idle cores (cores other programs took are not its fault).
fn unused_cores(threads: f64, busy: f64, idle: f64) -> f64 {
    (threads - busy).min(idle).max(0.0)
}

/// Seconds the machine's cores have spent idle (idle + iowait in `/proc/stat`), if readable.
fn machine_idle_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<f64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks > 0.0 && fields.len() >= 5).then(|| (fields[3] + fields[4]) / ticks)
}

/// Runs `bin` with `args` from `cwd` and measures it. Err when it cannot start or fails.
fn measure(bin: &Path, args: &[String], cwd: &Path, stderr: &Path) -> Result<Measurement, String> {
    let err_file = std::fs::File::create(stderr).map_err(|e| e.to_string())?;
    let idle_before = machine_idle_seconds();
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    // wait4 rather than Child::wait: it returns this child's own resource use, where
    // getrusage(RUSAGE_CHILDREN) would give the peak RSS of every child so far.
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 only writes into the two locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_seconds = start.elapsed().as_secs_f64();
    if rc != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let idle_cores = match (idle_before, machine_idle_seconds()) {
        (Some(a), Some(b)) => Some((b - a) / wall_seconds.max(1e-9)),
        _ => None,
    };
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let text = std::fs::read_to_string(stderr).unwrap_or_default();
        return Err(format!(
            "domino {} failed (wait status {status}):\n{text}",
            args.join(" ")
        ));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    // ru_maxrss is in kibibytes on Linux, in bytes on macOS.
    let rss_bytes = if cfg!(target_os = "macos") {
        usage.ru_maxrss as f64
    } else {
        usage.ru_maxrss as f64 * 1024.0
    };
    Ok(Measurement {
        cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        peak_rss_mb: rss_bytes / 1e6,
        wall_seconds,
        idle_cores,
    })
}

/// One attempt's figures in one line.
fn describe(case: &Case, m: &Measurement) -> String {
    let target = case
        .target_cpu_seconds
        .map(|t| format!(", target {t}"))
        .unwrap_or_default();
    let mut line = format!(
        "CPU {:.2} s (limit {}{target}) | peak RSS {:.1} MB (limit {}) | wall {:.2} s, {:.2} cores busy",
        m.cpu_seconds,
        case.cpu_seconds,
        m.peak_rss_mb,
        case.peak_rss_mb,
        m.wall_seconds,
        m.busy_cores()
    );
    match (case.min_busy_cores, m.idle_cores) {
        (_, Some(idle)) => {
            let _ = write!(line, ", {idle:.2} cores idle");
        }
        (Some(_), None) => {
            line.push_str(", idle time unknown (no /proc/stat): cores busy not judged")
        }
        (None, None) => {}
    }
    line
}

/// The outcome of a case: None when it met its limits, else what it missed (in its last attempt).
fn run_case(case: &Case, bin: &Path, repo: &Path) -> Result<Option<Vec<String>>, String> {
    println!("{}: {}", case.name, case.what);
    let mut last = Vec::new();
    for attempt in 1..=case.attempts {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = dir.path().join("out");
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{out}", &out.to_string_lossy()))
            .collect();
        let m = measure(bin, &args, repo, &dir.path().join("stderr.txt"))
            .map_err(|e| format!("{}: {e}", case.name))?;
        println!(
            "  attempt {attempt}/{}: {}",
            case.attempts,
            describe(case, &m)
        );
        last = misses(case, &m);
        if last.is_empty() {
            match case.target_cpu_seconds {
                Some(target) if m.cpu_seconds > target => println!(
                    "  met, but note: CPU {:.2} s is above {target} s, what the wall-clock \
                     target allows on a quiet machine; a busy host or slower code (compare with \
                     `cargo bench`)",
                    m.cpu_seconds
                ),
                _ => println!("  met"),
            }
            return Ok(None);
        }
        for miss in &last {
            println!("    {miss}");
        }
    }
    Ok(Some(last))
}

/// Builds the release binary next to this example's own target folder and returns its path.
fn build_domino() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--bin", "domino"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --bin domino failed".into());
    }
    // This example is <target>/<profile>/examples/perf; the binary is <target>/release/domino.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or("cannot find the target folder")?;
    let bin = target
        .join("release")
        .join(format!("domino{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("no binary at {} after the build", bin.display()))
    }
}

struct Options {
    config: PathBuf,
    cases: Vec<String>,
    domino: Option<PathBuf>,
    self_test: bool,
}

fn options() -> Result<Options, String> {
    let mut opts = Options {
        config: Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CONFIG),
        cases: Vec::new(),
        domino: None,
        self_test: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--config" => opts.config = value()?.into(),
            "--case" => opts.cases.push(value()?),
            "--domino" => opts.domino = Some(value()?.into()),
            "--self-test" => opts.self_test = true,
            _ => {
                return Err(format!(
                    "unknown argument '{arg}'; expected --config FILE, --case NAME, \
                     --domino PATH or --self-test"
                ))
            }
        }
    }
    Ok(opts)
}

/// Runs the selected cases; the exit code as described in the module docs.
fn run() -> Result<ExitCode, String> {
    let opts = options()?;
    let (text, origin) = if opts.self_test {
        (SELF_TEST.to_string(), "--self-test".to_string())
    } else {
        let text = std::fs::read_to_string(&opts.config)
            .map_err(|e| format!("{}: {e}", opts.config.display()))?;
        (text, opts.config.display().to_string())
    };
    let config = Config::parse(&text).map_err(|e| format!("{origin}: {e}"))?;
    let known: BTreeSet<&str> = config.cases.iter().map(|c| c.name.as_str()).collect();
    if let Some(unknown) = opts.cases.iter().find(|n| !known.contains(n.as_str())) {
        return Err(format!("no case named '{unknown}' in {origin}"));
    }
    let selected: Vec<&Case> = config
        .cases
        .iter()
        .filter(|c| opts.cases.is_empty() || opts.cases.contains(&c.name))
        .collect();

    let bin = match opts.domino {
        Some(path) => path,
        None => build_domino()?,
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("perf: {} ({origin})", bin.display());

    let mut missed = Vec::new();
    for case in &selected {
        if let Some(misses) = run_case(case, &bin, repo)? {
            missed.push((case, misses));
        }
    }

    if opts.self_test {
        // Both limits are impossible; anything less than two misses means the judging is broken.
        return Ok(match missed.first() {
            Some((_, misses)) if misses.len() == 2 => {
                println!("perf --self-test: the impossible case was rejected, as it must be");
                ExitCode::SUCCESS
            }
            _ => {
                println!("perf --self-test: FAILED: a case with impossible limits was not rejected on both");
                ExitCode::from(1)
            }
        });
    }
    if missed.is_empty() {
        println!("perf: all {} case(s) met their targets", selected.len());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "perf: {} of {} case(s) MISSED a target:",
        missed.len(),
        selected.len()
    );
    for (case, misses) in missed {
        println!(
            "  {}: {} (in every one of {} attempt(s); the last: {}). Target: {}",
            case.name,
            case.what,
            case.attempts,
            misses.join("; "),
            case.source
        );
    }
    Ok(ExitCode::from(1))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("perf: error: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(extra: &str) -> Case {
        let text = format!(
            "[[case]]\nname = \"t\"\nwhat = \"w\"\nargs = [\"compare\", \"--threads\", \"2\"]\n\
             cpu_seconds = 2.0\npeak_rss_mb = 500\nsource = \"s\"\n{extra}"
        );
        Config::parse(&text)
            .unwrap()
            .cases
            .into_iter()
            .next()
            .unwrap()
    }

    fn m(cpu: f64, rss: f64, wall: f64, idle: Option<f64>) -> Measurement {
        Measurement {
            cpu_seconds: cpu,
            peak_rss_mb: rss,
            wall_seconds: wall,
            idle_cores: idle,
        }
    }

    #[test]
    fn within_every_limit_is_met() {
        assert!(misses(&case(""), &m(1.9, 499.0, 5.0, None)).is_empty());
    }

    #[test]
    fn cpu_over_the_limit_is_missed_whatever_the_wall_time() {
        let miss = misses(&case(""), &m(2.1, 10.0, 0.5, Some(0.0)));
        assert_eq!(miss.len(), 1);
        assert!(miss[0].contains("CPU time 2.10 s"), "{miss:?}");
    }

    #[test]
    fn rss_over_the_limit_is_missed() {
        let miss = misses(&case(""), &m(1.0, 501.0, 1.0, None));
        assert_eq!(miss.len(), 1);
        assert!(miss[0].contains("peak RSS"), "{miss:?}");
    }

    #[test]
    fn a_serial_run_on_an_idle_machine_misses_the_parallelism_target() {
        let c = case("threads = 2\nmin_busy_cores = 1.5\n");
        // One core busy, the other idle throughout.
        let miss = misses(&c, &m(1.0, 10.0, 1.0, Some(1.0)));
        assert_eq!(miss.len(), 1);
        assert!(miss[0].contains("idle"), "{miss:?}");
    }

    #[test]
    fn cores_taken_by_other_programs_are_not_held_against_the_case() {
        let c = case("threads = 2\nmin_busy_cores = 1.5\n");
        // Only one core's worth of CPU, but nothing was idle: something else had the other core.
        assert!(misses(&c, &m(1.0, 10.0, 1.0, Some(0.0))).is_empty());
        // Both cores busy with the case itself.
        assert!(misses(&c, &m(1.92, 10.0, 1.0, Some(0.08))).is_empty());
        // Idle cores beyond the case's threads (a bigger machine) do not count either.
        assert!(misses(&c, &m(1.92, 10.0, 1.0, Some(14.0))).is_empty());
    }

    #[test]
    fn parallelism_is_not_judged_without_idle_figures() {
        let c = case("threads = 2\nmin_busy_cores = 1.5\n");
        assert!(misses(&c, &m(1.0, 10.0, 1.0, None)).is_empty());
    }

    #[test]
    fn bad_cases_are_refused() {
        let parse = |extra: &str| {
            Config::parse(&format!(
                "[[case]]\nname = \"t\"\nwhat = \"w\"\nargs = [\"sweep\", \"--threads\", \"2\"]\n\
                 peak_rss_mb = 500\nsource = \"s\"\n{extra}"
            ))
        };
        assert!(parse("cpu_seconds = 1.0").is_ok());
        assert!(parse("cpu_seconds = 0.0").is_err());
        assert!(
            parse("cpu_seconds = 1.0\nthreads = 3").is_err(),
            "threads disagree with args"
        );
        assert!(
            parse("cpu_seconds = 1.0\nmin_busy_cores = 1.5").is_err(),
            "no threads"
        );
        assert!(parse("cpu_seconds = 1.0\nthreads = 2\nmin_busy_cores = 2.5").is_err());
        assert!(parse("cpu_seconds = 1.0\nattempts = 0").is_err());
        assert!(
            parse("cpu_seconds = 1.0\nwall_seconds = 1.0").is_err(),
            "unknown key"
        );
        assert!(Config::parse(SELF_TEST).is_ok());
    }

    #[test]
    fn the_shipped_cases_parse_and_their_files_exist() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(repo.join(DEFAULT_CONFIG)).unwrap();
        let config = Config::parse(&text).unwrap();
        assert!(!config.cases.is_empty());
        for case in &config.cases {
            for arg in case.args.iter().filter(|a| a.ends_with(".toml")) {
                assert!(repo.join(arg).is_file(), "{}: no file {arg}", case.name);
            }
            assert!(
                case.args.iter().any(|a| a == "{out}"),
                "{}: writes into the source tree without --out {{out}}",
                case.name
            );
        }
    }
}
