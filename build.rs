//! Records which git commit the binary was built from, for `domino --version` and for the
//! version stamp other code writes into output folders (`domino::build_info()`).
//!
//! Sets two environment variables for the crate:
//!
//! - `DOMINO_GIT_COMMIT`: the first 12 hex digits of `HEAD`, or `unknown` when git is missing, the
//!   source is not a git checkout (a crates.io tarball), or the checkout is some other repository
//!   that merely contains this source (a vendored copy, or `cargo package`'s verification build
//!   under `target/package/`).
//! - `DOMINO_GIT_DIRTY`: `true` when tracked files differ from `HEAD`, else `false` (also `false`
//!   when the commit is unknown).
//! - `DOMINO_VERSION_LONG`: what `domino --version` prints after the name, built here because
//!   `concat!` cannot choose between texts: `0.1.0 (commit 4dfc27a1b2c3)`,
//!   `0.1.0 (commit 4dfc27a1b2c3, uncommitted changes)` or `0.1.0 (commit unknown)`.
//!
//! The build script re-runs when `HEAD` moves (a commit, a checkout, a rebase) and when the
//! sources (`src/`, `build.rs`, `Cargo.toml`, `Cargo.lock`) change, so the dirty flag follows
//! edits to the code; edits to other tracked files (docs, tests) are noticed at the next of those
//! events. It never fails the build: every problem degrades to `unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    for path in ["build.rs", "Cargo.toml", "Cargo.lock", "src"] {
        println!("cargo:rerun-if-changed={path}");
    }

    let (commit, dirty) = match git_state(&manifest_dir) {
        Some(state) => state,
        None => ("unknown".to_string(), false),
    };
    println!("cargo:rustc-env=DOMINO_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=DOMINO_GIT_DIRTY={dirty}");
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let changes = if dirty { ", uncommitted changes" } else { "" };
    println!("cargo:rustc-env=DOMINO_VERSION_LONG={version} (commit {commit}{changes})");
}

/// Runs git in `dir` with optional locks off, so that asking for the status never rewrites the
/// index (which would make the next build re-run this script for nothing). None on any failure.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8(output.stdout)
            .ok()?
            .trim_end()
            .to_string(),
    )
}

/// (commit, dirty) of the repository whose top level is `dir`; registers the files whose change
/// means `HEAD` moved.
fn git_state(dir: &Path) -> Option<(String, bool)> {
    // Only this package's own repository counts: inside someone else's checkout git would
    // happily report that repository's commit.
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }

    // In a worktree `.git` is a file; git names the real directories. HEAD lives in the
    // worktree's own git dir, branch refs and packed-refs in the common dir.
    let git_dir = absolute(dir, git(dir, &["rev-parse", "--git-dir"])?);
    let common_dir = absolute(dir, git(dir, &["rev-parse", "--git-common-dir"])?);
    // Cargo treats a watched path that does not exist as changed on every build, so only
    // existing files are watched: HEAD, its reflog (appended to on every move of HEAD, which
    // covers a commit on a branch whose ref git has packed), and the branch's loose ref or
    // packed-refs.
    let head = git_dir.join("HEAD");
    watch(&head);
    watch(&git_dir.join("logs").join("HEAD"));
    if let Ok(text) = std::fs::read_to_string(&head) {
        if let Some(reference) = text.strip_prefix("ref:") {
            let loose = common_dir.join(reference.trim());
            if loose.is_file() {
                watch(&loose);
            } else {
                watch(&common_dir.join("packed-refs"));
            }
        }
    }

    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let status = git(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    Some((commit, !status.is_empty()))
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// git prints paths relative to the directory it ran in, unless they are absolute.
fn absolute(dir: &Path, path: String) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        path
    } else {
        dir.join(path)
    }
}
