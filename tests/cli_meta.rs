//! The binary's self-description: `--version` names the git commit, `completions` and `man` print
//! what shells and `man` expect, generated from the same clap definitions as the commands.

use std::path::Path;
use std::process::{Command, Output};

fn domino(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_domino"))
        .args(args)
        .output()
        .expect("the domino binary starts")
}

/// Standard output of a command that must succeed and write nothing to standard error.
fn ok_stdout(args: &[&str]) -> String {
    let out = domino(args);
    assert!(
        out.status.success(),
        "domino {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// What git says the commit is, asked the way `build.rs` asks: None when git is missing or the
/// source is not the top of its own repository.
fn git_commit() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    let text = ok_stdout(&["--version"]);
    let expected_start = format!("domino {} (commit ", env!("CARGO_PKG_VERSION"));
    let rest = text
        .strip_prefix(&expected_start)
        .unwrap_or_else(|| panic!("unexpected --version output: {text:?}"));
    let rest = rest.trim_end();
    let (commit, tail) = rest.split_at(rest.find([',', ')']).expect("a closing parenthesis"));
    assert!(
        tail == ")" || tail == ", uncommitted changes)",
        "unexpected --version output: {text:?}"
    );
    match git_commit() {
        Some(head) => assert_eq!(
            commit, head,
            "the binary names a different commit than HEAD"
        ),
        None => assert_eq!(commit, "unknown"),
    }
    // The library's constant is what the binary prints, so outputs that record it agree.
    assert_eq!(text.trim_end(), format!("domino {}", domino::VERSION_LONG));
}

#[test]
fn bash_completions_cover_every_command() {
    let script = ok_stdout(&["completions", "bash"]);
    assert!(
        script.contains("_domino()"),
        "no completion function:\n{script}"
    );
    assert!(
        script.contains("complete -F _domino"),
        "not registered with complete:\n{script}"
    );
    // Every command is offered as a word of the script (how clap_complete names its internal
    // functions is its own business, so only whole words are checked).
    let words: std::collections::BTreeSet<&str> = script
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .collect();
    for command in [
        "compare",
        "run",
        "sweep",
        "merge",
        "network",
        "check",
        "init",
        "completions",
        "man",
    ] {
        assert!(words.contains(command), "no completions for `{command}`");
    }
    // A flag of a subcommand, so options are completed too, not only command names.
    assert!(script.contains("--threads"));
}

#[test]
fn other_shells_get_their_own_script_format() {
    assert!(ok_stdout(&["completions", "zsh"]).starts_with("#compdef domino"));
    assert!(ok_stdout(&["completions", "fish"]).contains("complete -c domino"));
}

#[test]
fn an_unknown_shell_is_bad_input() {
    let out = domino(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bash"),
        "the allowed shells are listed"
    );
}

#[test]
fn man_prints_a_roff_page_that_lists_the_commands() {
    let page = ok_stdout(&["man"]);
    assert!(page.contains(".TH domino 1"), "no title line:\n{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}:\n{page}");
    }
    // Each command is listed as a page of its own (roff escapes the hyphen).
    for command in ["compare", "sweep", "merge"] {
        assert!(
            page.contains(&format!("domino\\-{command}(1)")),
            "{command} not listed"
        );
    }
    assert!(
        page.contains(domino::VERSION_LONG),
        "the page names the build"
    );
}

/// The README's recipe installs a page for every command the page of `domino` lists, so no
/// `domino-X(1)` it points to is missing.
#[test]
fn the_readme_installs_every_command_page() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("for c in ") && l.contains("; do"))
        .expect("the README's manual-page loop");
    let mut installed: Vec<&str> = line["for c in ".len()..line.find(';').unwrap()]
        .split_whitespace()
        .collect();
    installed.sort_unstable();
    let page = ok_stdout(&["man"]);
    let mut listed: Vec<&str> = page
        .split("domino\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    listed.sort_unstable();
    listed.dedup();
    assert!(listed.len() > 10, "{listed:?}");
    assert_eq!(installed, listed);
}

#[test]
fn man_prints_a_command_page_with_its_options() {
    let page = ok_stdout(&["man", "compare"]);
    assert!(
        page.contains(".TH domino-compare 1"),
        "no title line:\n{page}"
    );
    assert!(
        page.contains("\\-\\-runs"),
        "the options are documented:\n{page}"
    );
    assert!(
        page.contains(domino::VERSION_LONG),
        "the page names the build"
    );
}

#[test]
fn man_for_an_unknown_command_lists_the_commands() {
    let out = domino(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'nope'") && err.contains("compare, run"),
        "{err}"
    );
}

/// Exit status of `domino args` run with standard error a pipe nobody reads (closed before the
/// command starts, as after `domino check ... 2>&1 | head` once head has its lines).
fn status_with_stderr_closed(args: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_domino"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .expect("the domino binary starts")
        .code()
}

/// A closed standard error is not a panic (exit 101): `check`'s "ok" line, a note and an error
/// go nowhere, and the exit code is the one the command would give anyway.
#[test]
fn a_closed_standard_error_is_not_a_panic() {
    assert_eq!(
        status_with_stderr_closed(&["check", "scenarios/small-district.toml"]),
        Some(0)
    );
    assert_eq!(
        status_with_stderr_closed(&["check", "scenarios/no-such-file.toml"]),
        Some(2)
    );
}
