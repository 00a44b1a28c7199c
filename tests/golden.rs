//! Value stability: the output bytes of a few fixed scenarios, hashed and checked in.
//!
//! "Same scenario and seed, same bytes" must hold across versions and machines, not only across
//! thread counts. Each case below runs the release binary on a small fixed scenario (the school
//! model, each classic model, a sweep) and compares a hash of every result file with
//! `tests/golden/hashes.txt`. A change that moves a number fails here; if the change is meant
//! to, regenerate the file with `DOMINO_BLESS=1 cargo test --release --test golden` and say so
//! in the commit message and in CHANGELOG.md.
//!
//! The hash is 64-bit FNV-1a: not cryptographic, but stable, dependency-free and enough to
//! notice any changed byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const HASHES: &str = "tests/golden/hashes.txt";

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn domino(cwd: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_domino"))
        .env_remove("COLUMNS")
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the domino binary runs");
    assert!(
        out.status.success(),
        "domino {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The school model and each classic model on small fixed scenarios.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "school",
        "runs = 40\nsteps = 12\n[network]\nschools = 120\nregions = 4\n",
    ),
    (
        "school-file",
        "runs = 20\nsteps = 10\n[network]\nkind = \"file\"\nedges = \"../../scenarios/domino-chain/edges.csv\"\nnodes = \"../../scenarios/domino-chain/nodes.csv\"\n",
    ),
    // A drawn parameter: `uncertainty.csv` (its correlation intervals come from `libm`'s
    // `atanh` and `tanh`) is hashed too.
    (
        "school-uncertain",
        "runs = 40\nsteps = 10\n[network]\nschools = 100\nregions = 4\n[mechanisms.dose]\nd50 = { dist = \"log-uniform\", low = 0.25, high = 2 }\n",
    ),
    (
        "independent-cascade",
        "model = \"independent-cascade\"\nruns = 30\nsteps = 50\n[network]\nkind = \"random\"\nschools = 400\nmean_degree = 4.0\n[classic]\ntransmission = 0.4\n[[seedings]]\nname = \"random\"\ncount = 2\n[[seedings]]\nname = \"degree\"\nrule = \"degree\"\ncount = 2\n",
    ),
    (
        "threshold",
        "model = \"threshold\"\nruns = 30\nsteps = 50\n[network]\nkind = \"random\"\nschools = 400\nmean_degree = 4.0\n[classic]\nthreshold = 0.2\nthreshold_sd = 0.05\n",
    ),
    (
        "linear-threshold",
        "model = \"linear-threshold\"\nruns = 30\nsteps = 50\n[network]\nkind = \"scale-free\"\nschools = 400\nmean_degree = 4.0\n",
    ),
    (
        "bass",
        "model = \"bass\"\nruns = 30\nsteps = 20\n[network]\nkind = \"small-world\"\nschools = 300\nmean_degree = 6.0\nrewire = 0.1\n",
    ),
];

const SWEEP: &str = "design = \"latin-hypercube\"\npoints = 4\nseed = 3\nruns = 10\n\
    [base]\nsteps = 8\n[base.network]\nschools = 80\nregions = 4\n\
    [[parameters]]\npath = \"mechanisms.dose.d50\"\nmin = 0.3\nmax = 2.0\nscale = \"log\"\n";

/// Every `.csv` file under `dir` (recursively), by path relative to `dir`, with its hash.
fn hash_csvs(dir: &Path, prefix: &str, out: &mut BTreeMap<String, u64>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            hash_csvs(&p, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".csv") {
            out.insert(
                format!("{prefix}{name}"),
                fnv1a(&std::fs::read(&p).unwrap()),
            );
        }
    }
}

#[test]
fn fixed_scenarios_give_the_checked_in_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("a").join("b");
    std::fs::create_dir_all(&work).unwrap();
    // The file-network case names the shipped CSVs relative to the scenario file.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut hashes = BTreeMap::new();
    for (name, text) in SCENARIOS {
        let text = text.replace("../../scenarios", &root.join("scenarios").to_string_lossy());
        std::fs::write(work.join(format!("{name}.toml")), text).unwrap();
        let out = format!("out-{name}");
        domino(
            &work,
            &[
                "compare",
                &format!("{name}.toml"),
                "--out",
                &out,
                "--quiet",
                "--threads",
                "2",
            ],
        );
        hash_csvs(&work.join(&out), &format!("{name}/"), &mut hashes);
    }
    std::fs::write(work.join("sweep.toml"), SWEEP).unwrap();
    domino(
        &work,
        &["sweep", "sweep.toml", "--out", "out-sweep", "--quiet"],
    );
    hash_csvs(&work.join("out-sweep"), "sweep/", &mut hashes);

    let mut text = String::from(
        "# FNV-1a 64 of each output file of tests/golden.rs; regenerate with\n\
         # DOMINO_BLESS=1 cargo test --release --test golden, and say why in CHANGELOG.md.\n",
    );
    for (k, h) in &hashes {
        let _ = writeln!(text, "{h:016x}  {k}");
    }
    let path = root.join(HASHES);
    if std::env::var_os("DOMINO_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != text {
        let diff: Vec<String> = text
            .lines()
            .filter(|l| !want.lines().any(|w| w == *l))
            .map(str::to_string)
            .collect();
        panic!(
            "output bytes changed for: {diff:#?}\nIf the change is intended, regenerate {HASHES} \
             with DOMINO_BLESS=1 cargo test --release --test golden and record it in CHANGELOG.md."
        );
    }
}
