//! End-to-end tests of what `compare` and `sweep` write (issue 8): CSV quoting, SVG escaping,
//! empty cells for times never reached, self-contained reproducible folders, output safety, and
//! whole-folder (staged) writing under SIGKILL.

mod common;
use common::*;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small XML well-formedness check, enough for the SVG domino writes: tags nest and close,
/// attribute values are quoted, and every `&` starts one of the entities the escape writes.
fn assert_well_formed(xml: &str) {
    for (k, _) in xml.match_indices('&') {
        let rest = &xml[k..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "raw & at byte {k}: {}",
            &rest[..rest.len().min(40)]
        );
    }
    let mut open: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        assert!(
            !rest[..start].contains('>'),
            "raw > in text: {}",
            &rest[..start]
        );
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "raw < inside a tag or text: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().unwrap());
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
}

/// A scenario with a strategy whose name holds markup, run fast.
const MARKUP_SCENARIO: &str = "name = \"m\"\nruns = 6\nsteps = 4\n\
    [[strategies]]\nname = \"a & <b>\"\nkind = \"thin-spread\"\n\
    [[strategies]]\nname = \"cluster\"\n";

#[test]
fn markup_in_names_gives_well_formed_svg_in_compare_and_sweep_maps() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "m.toml", MARKUP_SCENARIO);
    let out = tmp.path().join("c");
    assert_ok(&domino(
        tmp.path(),
        &["compare", arg(&scenario), "--quiet", "--out", arg(&out)],
    ));
    let chart = fs::read_to_string(out.join("sustained.svg")).unwrap();
    assert!(chart.contains("a &amp; &lt;b&gt;"), "{chart}");
    assert_well_formed(&chart);

    let sweep = write(
        tmp.path(),
        "s.toml",
        "name = \"s & <t>\"\nbase = \"m.toml\"\nseed = 3\nruns = 6\ndesign = \"grid\"\n\
         [[parameters]]\npath = \"budget.per_school\"\nvalues = [0.05, 0.1]\n\
         [[parameters]]\npath = \"description\"\nvalues = [\"x < y & z\", \"w\"]\n",
    );
    let out = tmp.path().join("s");
    assert_ok(&domino(
        tmp.path(),
        &["sweep", arg(&sweep), "--quiet", "--out", arg(&out)],
    ));
    let map = fs::read_to_string(out.join("map.svg")).unwrap();
    assert!(map.contains("a &amp; &lt;b&gt;"), "{map}");
    assert_well_formed(&map);
}

#[test]
fn text_values_with_commas_and_line_breaks_keep_sweep_csvs_rectangular() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = write(
        tmp.path(),
        "s.toml",
        "name = \"q\"\nseed = 3\nruns = 6\ndesign = \"grid\"\n\
         [base]\nsteps = 4\n\
         [[parameters]]\npath = \"description\"\nvalues = [\"a, b\", \"two\\nlines \\\"quoted\\\"\"]\n",
    );
    let out = tmp.path().join("s");
    assert_ok(&domino(
        tmp.path(),
        &["sweep", arg(&sweep), "--quiet", "--out", arg(&out)],
    ));
    for file in ["points.csv", "winners.csv"] {
        let mut reader = csv::Reader::from_path(out.join(file)).unwrap();
        let width = reader.headers().unwrap().len();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert!(!rows.is_empty());
        for row in &rows {
            assert_eq!(row.len(), width, "{file}: ragged row {row:?}");
        }
        assert!(rows.iter().any(|r| &r[1] == "a, b"), "{file}");
        assert!(
            rows.iter().any(|r| &r[1] == "two\nlines \"quoted\""),
            "{file}"
        );
    }
}

#[test]
fn a_time_never_reached_is_an_empty_cell_in_every_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    // Two terms: no strategy sustains 75 % of the schools.
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "6",
            "--steps",
            "2",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    for (name, bytes) in tree(&out) {
        if name.ends_with(".csv") {
            let text = String::from_utf8(bytes).unwrap();
            for line in text.lines() {
                assert!(
                    !line.split(',').any(|c| c == "inf" || c == "-inf"),
                    "{name}: {line}"
                );
            }
        }
    }
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = summary
        .lines()
        .find(|l| l.split(',').nth(1) == Some("time_to_75pct_terms"))
        .unwrap();
    assert!(
        row.ends_with(",,,"),
        "percentiles of a time never reached: {row}"
    );
    assert!(summary.contains("time_to_75pct_terms_reached_share"));
}

/// Two schools, one term: every strategy gives the same result in every run, so none does
/// better than another in any run. p_beats and the `>name` columns count a tie as half a win,
/// and the legend says so.
#[test]
fn ties_count_half_in_p_beats_and_the_legend_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "tiny.toml",
        "name = \"tiny\"\nruns = 4\nsteps = 1\n[network]\nschools = 2\nregions = 1\nmean_degree = 1\n",
    );
    let out = tmp.path().join("c");
    let run = domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--quiet",
            "--threads",
            "1",
            "--out",
            arg(&out),
        ],
    );
    assert_ok(&run);
    let table = stdout(&run);
    assert!(
        table.contains("exactly the same result in every paired run"),
        "{table}"
    );
    assert!(
        table.contains("than that one, a tie counting half"),
        "the legend of >name must give the tie rule: {table}"
    );
    let paired = csv_rows(&out.join("paired.csv"));
    assert!(!paired.is_empty());
    for row in &paired {
        assert_eq!(row["mean_diff"], "0", "{row:?}");
        assert_eq!(row["p_beats"], "0.5", "{row:?}");
    }
}

#[test]
fn a_compare_folder_reproduces_a_file_network_run_from_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("x");
    let scenario = repo("scenarios/domino-chain.toml");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--runs",
            "8",
            "--quiet",
            "--out",
            arg(&first),
        ],
    ));
    for f in ["network-edges.csv", "network-nodes.csv", "manifest.json"] {
        assert!(first.join(f).is_file(), "{f} missing");
    }
    assert_eq!(
        fs::read(first.join("network-edges.csv")).unwrap(),
        fs::read(repo("scenarios/domino-chain/edges.csv")).unwrap()
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(first.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["domino_version"], env!("CARGO_PKG_VERSION"));
    assert!(manifest["domino_commit"].is_string());
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3, "{manifest}");
    assert!(inputs
        .iter()
        .all(|i| i["sha256"].as_str().is_some_and(|h| h.len() == 64)));

    // From another working directory, with the original files out of reach.
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    assert_ok(&domino(
        &elsewhere,
        &["compare", "../x/scenario.toml", "--quiet", "--out", "y"],
    ));
    let second = elsewhere.join("y");
    for (name, bytes) in tree(&first) {
        if name.ends_with(".csv") || name == "scenario.toml" {
            assert!(
                fs::read(second.join(&name)).unwrap() == bytes,
                "{name} differs when the folder's scenario is run again"
            );
        }
    }
}

#[test]
fn default_output_folders_stay_inside_out() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    let absolute = tmp.path().join("absolute");
    for name in ["../escaped", arg(&absolute)] {
        let scenario = write(
            &work,
            "s.toml",
            format!("name = \"{name}\"\nruns = 3\nsteps = 2\n"),
        );
        assert_ok(&domino(&work, &["compare", arg(&scenario), "--quiet"]));
    }
    assert!(!tmp.path().join("escaped").exists());
    assert!(!absolute.exists());
    let made: Vec<String> = fs::read_dir(work.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(made.len(), 2, "{made:?}");
}

#[test]
fn outputs_that_would_destroy_inputs_or_cannot_be_written_are_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir");
    let scenario = write(&dir, "scenario.toml", "name = \"d\"\nruns = 3\nsteps = 2\n");
    let before = fs::read(&scenario).unwrap();
    let out = domino(
        tmp.path(),
        &["compare", arg(&scenario), "--quiet", "--out", arg(&dir)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("input"), "{}", stderr(&out));
    assert_eq!(fs::read(&scenario).unwrap(), before);

    // A folder of someone's own files is not replaced either.
    let mine = tmp.path().join("mine");
    write(&mine, "notes.txt", "precious");
    let out = domino(
        tmp.path(),
        &["compare", "--runs", "3", "--quiet", "--out", arg(&mine)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(mine.join("notes.txt").is_file());

    // An existing file as --out: refused at once, not after a long simulation.
    let blocker = write(tmp.path(), "blocker", "");
    let sweep = write(
        tmp.path(),
        "s.toml",
        "name = \"t\"\nruns = 50000\n[[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1]\n",
    );
    for args in [
        vec![
            "compare",
            "--runs",
            "100000",
            "--quiet",
            "--out",
            arg(&blocker),
        ],
        vec!["sweep", arg(&sweep), "--quiet", "--out", arg(&blocker)],
    ] {
        let started = Instant::now();
        let out = domino(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} ran before refusing"
        );
    }
    assert_eq!(fs::read(&blocker).unwrap(), b"");
}

#[test]
fn a_folder_holding_what_domino_did_not_write_or_a_sweep_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    // A project folder: `domino init` wrote its scenario.toml; the rest is the user's.
    let project = tmp.path().join("project");
    fs::create_dir(&project).unwrap();
    let init = domino(tmp.path(), &["init", arg(&project.join("scenario.toml"))]);
    assert_ok(&init);
    write(&project, "thesis.docx", "precious");
    let out = domino(
        tmp.path(),
        &["compare", "--runs", "3", "--quiet", "--out", arg(&project)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a domino output"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(project.join("thesis.docx")).unwrap(),
        "precious"
    );

    // A domino output the user added a folder of their own to.
    let out_dir = tmp.path().join("out-a");
    let args = ["compare", "--runs", "3", "--quiet", "--out", arg(&out_dir)];
    assert_ok(&domino(tmp.path(), &args));
    write(&out_dir.join("data"), "schools.csv", "id\n1\n");
    let out = domino(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("holds data/"), "{}", stderr(&out));
    assert!(out_dir.join("data/schools.csv").is_file());

    // A sweep's results are not replaced by a comparison, and a sweep does not write its points
    // into another command's output or a folder of other files.
    let sweep = write(
        tmp.path(),
        "s.toml",
        "name = \"t\"\nruns = 3\n[[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1]\n",
    );
    let swept = tmp.path().join("swept");
    assert_ok(&domino(
        tmp.path(),
        &["sweep", arg(&sweep), "--quiet", "--out", arg(&swept)],
    ));
    let out = domino(
        tmp.path(),
        &["compare", "--runs", "3", "--quiet", "--out", arg(&swept)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("results of a sweep"),
        "{}",
        stderr(&out)
    );
    assert!(swept.join("points.csv").is_file());
    let compared = tmp.path().join("compared");
    assert_ok(&domino(
        tmp.path(),
        &["compare", "--runs", "3", "--quiet", "--out", arg(&compared)],
    ));
    let notes = tmp.path().join("notes");
    write(&notes, "notes.txt", "precious");
    for (dir, why) in [
        (&compared, "another domino command"),
        (&notes, "not a sweep's output"),
    ] {
        let out = domino(
            tmp.path(),
            &["sweep", arg(&sweep), "--quiet", "--out", arg(dir)],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(why), "{}", stderr(&out));
        assert!(!dir.join("points").exists(), "{}", dir.display());
    }
}

/// README, "Output files": hidden files such as `.DS_Store` do not count. A folder made in the
/// Finder or Explorer holds one from the start, and every command takes it as empty.
#[test]
fn a_folder_holding_only_system_files_is_empty_for_compare_and_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = write(
        tmp.path(),
        "s.toml",
        "name = \"t\"\nruns = 3\n[[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1]\n",
    );
    for junk in [".DS_Store", "Thumbs.db", "desktop.ini"] {
        let folder = |command: &str| {
            let dir = tmp.path().join(format!("{command}-{junk}"));
            write(&dir, junk, "");
            dir
        };
        let compared = folder("compare");
        let out = domino(
            tmp.path(),
            &["compare", "--runs", "3", "--quiet", "--out", arg(&compared)],
        );
        assert_ok(&out);
        assert!(compared.join("summary.csv").is_file(), "{junk}");
        let swept = folder("sweep");
        let out = domino(
            tmp.path(),
            &["sweep", arg(&sweep), "--quiet", "--out", arg(&swept)],
        );
        assert_ok(&out);
        assert!(swept.join("points.csv").is_file(), "{junk}");
    }
}

/// A command that runs `domino ARGS` as a user whom permissions bind: this user, or, for root
/// (whom no permission bit stops), the user nobody through `setpriv`. `None` when root has no
/// way to become nobody, or nobody cannot run the binary.
#[cfg(unix)]
fn bound_domino(cwd: &Path, args: &[&str]) -> Option<std::process::Output> {
    let binary = env!("CARGO_BIN_EXE_domino");
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        c
    } else {
        Command::new(binary)
    };
    let out = command.args(args).current_dir(cwd).output().ok()?;
    if root && matches!(out.status.code(), Some(126 | 127)) {
        return None;
    }
    Some(out)
}

/// Review 14, finding 2: previous results made read-only (chmod 555), or an empty read-only
/// folder of someone else's, were replaced (or half replaced, leaving the old copy hidden beside
/// them and every later run failing). Now they are refused before anything runs.
#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_refused_before_anything_runs() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    let mode = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    // Open to the user nobody, when the test is root.
    mode(tmp.path(), 0o755);
    mode(&work, 0o777);
    let scenario = write(&work, "s.toml", "name = \"s\"\nruns = 3\nsteps = 3\n");
    mode(&scenario, 0o644);
    let compare = |runs: &str, out: &str| {
        bound_domino(
            &work,
            &["compare", "s.toml", "--runs", runs, "--quiet", "--out", out],
        )
    };
    let Some(first) = compare("3", "prev") else {
        eprintln!("skipped: no user whom permissions bind can run domino here");
        return;
    };
    assert_ok(&first);
    let manifest = fs::read(work.join("prev/manifest.json")).unwrap();
    mode(&work.join("prev"), 0o555);
    let hidden = |dir: &Path| -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    };
    for _ in 0..2 {
        let out = compare("4", "prev").unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "prev: cannot be written: the folder is read-only for you (Permission denied"
            ) && stderr(&out).contains("choose another --out"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "refused before running");
        assert_eq!(fs::read(work.join("prev/manifest.json")).unwrap(), manifest);
        assert_eq!(hidden(&work), Vec::<String>::new());
    }
    // An empty read-only folder (someone else's, when the test is root) keeps its owner and mode.
    let ro = work.join("ro");
    fs::create_dir(&ro).unwrap();
    mode(&ro, 0o555);
    let out = compare("3", "ro").unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        fs::metadata(&ro).unwrap().permissions().mode() & 0o777,
        0o555
    );
    assert_eq!(fs::read_dir(&ro).unwrap().count(), 0);
    // A leftover of a killed run that cannot be removed is a warning, not a failure. (PID 0 is
    // never a process in /proc, so the leftover is taken as abandoned.)
    mode(&work.join("prev"), 0o755);
    let stuck = work.join(".prev.old-0/locked");
    fs::create_dir_all(&stuck).unwrap();
    fs::write(stuck.join("f"), "").unwrap();
    mode(&work.join(".prev.old-0"), 0o777);
    mode(&stuck, 0o555);
    let out = compare("4", "prev").unwrap();
    assert_ok(&out);
    assert_ne!(fs::read(work.join("prev/manifest.json")).unwrap(), manifest);
    assert!(
        stderr(&out).contains(
            ".prev.old-0 was left by an earlier run that was stopped and cannot be removed"
        ) && stderr(&out).contains("delete it yourself"),
        "{}",
        stderr(&out)
    );
    assert!(work.join(".prev.old-0").is_dir());
    mode(&stuck, 0o755);
}

#[test]
fn a_classic_run_replaces_a_school_model_folder_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "3",
            "--steps",
            "2",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    assert!(out.join("sustained.svg").is_file());
    let classic = repo("scenarios/classic-bass.toml");
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&classic),
            "--runs",
            "3",
            "--steps",
            "3",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    assert!(out.join("adoption.svg").is_file());
    assert!(
        !out.join("sustained.svg").exists(),
        "a stale file of the earlier run survived"
    );
    let names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["o"], "staging or set-aside folders left behind");
}

/// How far a `compare` into `tmp/o` got with writing its files: files in its staging folders,
/// plus files in `o` that are temporaries or newer than `since`.
fn files_written(tmp: &Path, since: std::time::SystemTime) -> usize {
    let mut n = 0;
    for e in fs::read_dir(tmp).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".o.staging-") {
            n += fs::read_dir(e.path()).map_or(0, |d| d.count());
        } else if name == "o" {
            for f in fs::read_dir(e.path()).into_iter().flatten().flatten() {
                let fresh = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t > since);
                if fresh || f.file_name().to_string_lossy().starts_with('.') {
                    n += 1;
                }
            }
        }
    }
    n
}

#[test]
fn a_compare_killed_at_any_moment_leaves_the_previous_complete_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // A small network and many runs: quick to simulate, a long runs.csv to write.
    let scenario = write(
        tmp.path(),
        "k.toml",
        "name = \"k\"\nsteps = 2\n[network]\nschools = 30\nregions = 2\n",
    );
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--runs",
            "4",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    let previous = tree(&out);
    // Kill while simulating (0 files written), and as the 1st, 2nd and 3rd file is written
    // (the 3rd is runs.csv, 180,000 rows: the kill lands before the folder is complete even on a
    // loaded machine).
    for files in [0usize, 1, 2, 3] {
        std::thread::sleep(Duration::from_millis(20)); // mtimes after `since` are this run's
        let since = std::time::SystemTime::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
            .current_dir(tmp.path())
            .args([
                "compare",
                arg(&scenario),
                "--runs",
                "60000",
                "--quiet",
                "--threads",
                "2",
            ])
            .args(["--out", arg(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        while files_written(tmp.path(), since) < files && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(100));
        }
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            still_running,
            "the run ended before the kill ({files} files): the test proves nothing"
        );
        assert!(
            tree(&out) == previous,
            "killed at {files} files written: the folder changed"
        );
    }
    // The next run cleans what the killed ones left beside the folder.
    assert_ok(&domino(
        tmp.path(),
        &[
            "compare",
            arg(&scenario),
            "--runs",
            "4",
            "--quiet",
            "--out",
            arg(&out),
        ],
    ));
    let mut names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["k.toml", "o"]);
}

#[test]
fn a_sweep_or_merge_never_overwrites_its_own_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir");
    let text = "name = \"t\"\nruns = 4\n[base]\nsteps = 2\n\
                [[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1]\n";
    let file = write(&dir, "sweep.toml", text);
    let out = domino(
        tmp.path(),
        &["sweep", arg(&file), "--quiet", "--out", arg(&dir)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), text);

    // A merge into one of the shards it reads is refused, and the shard is left as it was.
    let shard = tmp.path().join("shard");
    assert_ok(&domino(
        tmp.path(),
        &["sweep", arg(&file), "--quiet", "--out", arg(&shard)],
    ));
    let before = tree(&shard);
    let out = domino(tmp.path(), &["merge", arg(&shard), "--out", arg(&shard)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(tree(&shard) == before);
}

/// Sends `signal` to `child` once `started` says it has begun writing (polled, not a fixed
/// sleep), and returns its exit status and whether it was still running then.
#[cfg(unix)]
fn interrupt_once(
    child: &mut std::process::Child,
    signal: i32,
    started: impl Fn() -> bool,
) -> (std::process::ExitStatus, bool) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while !started() && child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    if let Some(status) = child.try_wait().unwrap() {
        return (status, false);
    }
    // SAFETY: kill(2) on the pid of a child not yet waited for (so not yet reaped).
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    (child.wait().unwrap(), true)
}

/// Entries of `dir` whose names start with `.` (the temporaries of file and folder writes).
fn hidden(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// What the interrupted `child` wrote to standard error (piped).
#[cfg(unix)]
fn stderr_of(child: &mut std::process::Child) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut text).unwrap();
    text
}

/// Ctrl-C (SIGINT) during `run --trace` and SIGTERM during `compare` remove the temporary file
/// and the staging folder being written before exiting (130 after SIGINT, 143 after SIGTERM: 128
/// plus the signal's number, as a shell reports it), and leave the targets as they
/// were, saying so in one line. (Before, a `.NAME.PID.tmp` of any size and an empty
/// `.NAME.staging-PID` stayed, and the exit was silent.)
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("trace.csv");
    fs::write(&trace, "previous\n").unwrap();
    // A big network and many terms: a trace of many megabytes, written for seconds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .current_dir(tmp.path())
        .args([
            "run",
            "--strategy",
            "cluster",
            "--set",
            "network.schools=100000",
            "--steps",
            "40",
            "--trace",
            "trace.csv",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writing = || !hidden(tmp.path()).is_empty();
    let (status, running) = interrupt_once(&mut child, libc::SIGINT, writing);
    assert!(running, "the run ended before it could be interrupted");
    assert_eq!(status.code(), Some(130));
    assert_eq!(stderr_of(&mut child), "interrupted: nothing was written\n");
    assert_eq!(hidden(tmp.path()), Vec::<String>::new());
    assert_eq!(fs::read_to_string(&trace).unwrap(), "previous\n");

    let out = tmp.path().join("o");
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .current_dir(tmp.path())
        .args(["compare", "--runs", "100000", "--quiet", "--out", "o"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, running) = interrupt_once(&mut child, libc::SIGTERM, writing);
    assert!(
        running,
        "the comparison ended before it could be interrupted"
    );
    assert_eq!(status.code(), Some(143));
    assert_eq!(stderr_of(&mut child), "interrupted: nothing was written\n");
    assert_eq!(hidden(tmp.path()), Vec::<String>::new());
    assert!(!out.exists());
}

/// Interrupted, the commands that keep their progress (optimise, sweep) say what they kept and
/// that the same command with --resume continues; and it does.
#[cfg(unix)]
#[test]
fn an_interrupted_optimise_or_sweep_says_how_to_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "s.toml",
        "seed = 2\nruns = 10\nsteps = 12\n[network]\nschools = 300\nregions = 3\n\
         [optimise]\nbudget_evals = 200000\nfresh_runs = 20\n",
    );
    let args = [
        "optimise",
        arg(&scenario),
        "--quiet",
        "--threads",
        "1",
        "--out",
        "o",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .current_dir(tmp.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoint = tmp.path().join(".o.optimise-evals.csv");
    let started = || fs::read_to_string(&checkpoint).is_ok_and(|t| t.lines().count() > 1);
    let (status, running) = interrupt_once(&mut child, libc::SIGINT, started);
    assert!(
        running,
        "the optimisation ended before it could be interrupted"
    );
    assert_eq!(status.code(), Some(130));
    let said = stderr_of(&mut child);
    assert_eq!(
        said,
        "interrupted: the output was not written; what was simulated is kept in \
         ./.o.optimise-evals.csv: run the same command with --resume to continue\n"
    );
    assert!(checkpoint.is_file() && !tmp.path().join("o").exists());
    // What it says works: the checkpoint is read back (here: then interrupted again).
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .current_dir(tmp.path())
        .args(args)
        .arg("--resume")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = fs::read_to_string(&checkpoint).unwrap().lines().count();
    let more = || fs::read_to_string(&checkpoint).is_ok_and(|t| t.lines().count() > lines);
    let (status, _) = interrupt_once(&mut child, libc::SIGTERM, more);
    assert_eq!(status.code(), Some(143), "{}", stderr_of(&mut child));

    let sweep = write(
        tmp.path(),
        "sw.toml",
        "name = \"t\"\nruns = 200\n[base]\nsteps = 30\n[base.network]\nschools = 400\n\
         [[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24]\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .current_dir(tmp.path())
        .args([
            "sweep",
            arg(&sweep),
            "--quiet",
            "--threads",
            "1",
            "--out",
            "sw",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let begun = || tmp.path().join("sw").join("sweep.toml").is_file();
    let (status, running) = interrupt_once(&mut child, libc::SIGINT, begun);
    assert!(running, "the sweep ended before it could be interrupted");
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        stderr_of(&mut child),
        "interrupted: the points finished so far are kept in sw: run the same command with \
         --resume to continue\n"
    );
}

/// A temporary file a killed run left (SIGKILL cannot be caught) is removed by the next write
/// of the same file; one of a process still running is not.
#[cfg(target_os = "linux")]
#[test]
fn the_next_write_removes_a_killed_runs_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ended = Command::new("true").spawn().unwrap();
    let dead = ended.id();
    ended.wait().unwrap();
    let stale = tmp.path().join(format!(".trace.csv.{dead}.tmp"));
    let live = tmp.path().join(".trace.csv.1.tmp");
    fs::write(&stale, "half a trace").unwrap();
    fs::write(&live, "another run's").unwrap();
    let out = domino(
        tmp.path(),
        &[
            "run",
            "--strategy",
            "cluster",
            "--steps",
            "2",
            "--trace",
            "trace.csv",
        ],
    );
    assert_ok(&out);
    assert!(!stale.exists());
    assert!(live.exists());
    assert!(tmp.path().join("trace.csv").is_file());
}

/// Every command writes only names on domino's list of output files: each runs twice into the
/// same folder (the second replaces the first's files, a stale file of domino's own included),
/// and a leader's own CSV saved in an output folder, a name no command writes, stops the next
/// run (exit 2, naming the file) rather than being deleted with the folder, as a `.xlsx` does.
#[test]
fn every_command_rewrites_its_own_folder_and_a_users_file_protects_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let district = root.join("calibrate-example.toml");
    let district = arg(&district);
    let twice = |args: &[&str], out: &str| {
        for _ in 0..2 {
            let mut all = args.to_vec();
            all.extend(["--out", out]);
            assert_ok(&domino(tmp.path(), &all));
        }
        tmp.path().join(out)
    };
    let uncertain = "mechanisms.dose.d50={ dist = \"uniform\", low = 0.5, high = 2 }";
    let compare = twice(
        &[
            "compare", district, "--quiet", "--runs", "6", "--steps", "4", "--report", "--ablate",
            "--set", uncertain,
        ],
        "compare",
    );
    for f in [
        "uncertainty.csv",
        "ablation.csv",
        "schools.csv",
        "network-nodes.csv",
    ] {
        assert!(compare.join(f).is_file(), "{f}");
    }
    twice(
        &[
            "explain", district, "--quiet", "--runs", "4", "--steps", "4",
        ],
        "explain",
    );
    let small = [
        "--set",
        "optimise.kinds=[\"pilot-then-cascade\"]",
        "--set",
        "optimise.fresh_runs=4",
        "--set",
        "optimise.max_runs=4",
        "--set",
        "optimise.batch=2",
        "--set",
        "steps=4",
    ];
    let mut args = vec!["optimise", district, "--quiet", "--budget-evals", "40"];
    args.extend(small);
    let optimised = twice(&args, "optimise");
    assert_ok(&domino(tmp.path(), &["report", arg(&optimised)]));
    twice(&args, "optimise");
    let rollout = root.join("rollout-example.csv");
    let calibrated = twice(
        &[
            "calibrate",
            district,
            "--quiet",
            "--observed",
            arg(&rollout),
            "--set",
            "calibrate.particles=20",
            "--set",
            "calibrate.generations=2",
            "--set",
            "calibrate.simulations=400",
        ],
        "calibrate",
    );
    assert_ok(&domino(tmp.path(), &["report", arg(&calibrated)]));
    let classic = root.join("classic-bass.toml");
    twice(
        &[
            "compare",
            arg(&classic),
            "--quiet",
            "--runs",
            "4",
            "--set",
            "network.schools=50",
            "--report",
        ],
        "classic",
    );
    for i in ["1/2", "2/2"] {
        twice(
            &[
                "compare", district, "--runs", "4", "--steps", "4", "--shard", i,
            ],
            &format!("shard{}", &i[..1]),
        );
    }
    let shards = ["shard1", "shard2"].map(|s| tmp.path().join(s));
    twice(&["merge", arg(&shards[0]), arg(&shards[1])], "merged");
    let sweep = write(
        tmp.path(),
        "sw.toml",
        "name = \"t\"\nruns = 4\n[base]\nsteps = 2\n\
         [[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1, 0.2]\n",
    );
    for i in ["1", "2"] {
        let out = tmp.path().join(format!("sw{i}"));
        let shard = format!("{i}/2");
        assert_ok(&domino(
            tmp.path(),
            &[
                "sweep",
                arg(&sweep),
                "--quiet",
                "--shard",
                &shard,
                "--out",
                arg(&out),
            ],
        ));
    }
    let (a, b) = (tmp.path().join("sw1"), tmp.path().join("sw2"));
    twice(&["merge", arg(&a), arg(&b)], "sweep");

    // A leader's own file in the comparison's folder: refused, named, kept.
    let own = compare.join("schools-annotated-for-board.csv");
    fs::write(&own, "school,comment\n").unwrap();
    let before = tree(&compare);
    let out = domino(
        tmp.path(),
        &[
            "compare", district, "--runs", "4", "--quiet", "--out", "compare",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds schools-annotated-for-board.csv, which domino did not write"),
        "{}",
        stderr(&out)
    );
    assert!(tree(&compare) == before);
}

/// The network copies in an output folder are plain CSV (pandas and R read them with their
/// defaults): the example's `#` lines before the header are left out, every other byte is the
/// original's, and the folder still reproduces the comparison from the copies.
#[test]
fn network_copies_are_plain_csv_and_still_reproduce() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let scenario = repo("scenarios/calibrate-example.toml");
    let args = ["--runs", "4", "--steps", "4", "--quiet", "--out"];
    let mut first = vec!["compare", arg(&scenario)];
    first.extend(args);
    first.push(arg(&out));
    assert_ok(&domino(tmp.path(), &first));
    for (copy, original) in [
        ("network-edges.csv", "edges.csv"),
        ("network-nodes.csv", "nodes.csv"),
    ] {
        let copy = fs::read_to_string(out.join(copy)).unwrap();
        let original =
            fs::read_to_string(repo("scenarios/calibrate-example").join(original)).unwrap();
        assert!(original.starts_with('#'), "the example has comments");
        assert!(!copy.starts_with('#'), "{copy}");
        assert!(original.ends_with(&copy) && copy.len() > 20, "{copy}");
    }
    let again = tmp.path().join("again");
    let mut second = vec!["compare", "scenario.toml"];
    second.extend(args);
    second.push(arg(&again));
    assert_ok(&domino(&out, &second));
    for file in [
        "runs.csv",
        "summary.csv",
        "network-edges.csv",
        "network-nodes.csv",
    ] {
        assert_eq!(
            fs::read(out.join(file)).unwrap(),
            fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
}
