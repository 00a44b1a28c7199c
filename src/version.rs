//! Which build this is: the package version and the git commit it was built from.
//!
//! `domino --version` prints [`VERSION_LONG`]; code that records provenance (output folders,
//! sweep manifests) should use [`build_info`]. The commit comes from `build.rs`, which asks git at
//! build time; a build from a source tarball, or without git, reports the commit as `unknown`.

use std::fmt;

/// The package version, the commit and whether tracked files had uncommitted changes, e.g.
/// `0.1.0 (commit 4dfc27a1b2c3)`, `0.1.0 (commit 4dfc27a1b2c3, uncommitted changes)` or
/// `0.1.0 (commit unknown)`. The same text as `build_info().to_string()`.
pub const VERSION_LONG: &str = env!("DOMINO_VERSION_LONG");

/// What was built: see [`build_info`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BuildInfo {
    /// The package version from `Cargo.toml`, e.g. `0.1.0`.
    pub version: &'static str,
    /// The first 12 hex digits of the git commit, or `unknown`.
    pub commit: &'static str,
    /// Whether tracked files differed from that commit when the build script last ran (it re-runs
    /// when the sources or `HEAD` change). Always false when the commit is unknown.
    pub dirty: bool,
}

/// The version and commit of this build.
///
/// ```
/// let info = domino::build_info();
/// assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
/// assert!(info.commit == "unknown" || info.commit.len() == 12);
/// assert_eq!(info.to_string(), domino::VERSION_LONG);
/// ```
pub const fn build_info() -> BuildInfo {
    BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("DOMINO_GIT_COMMIT"),
        dirty: same(env!("DOMINO_GIT_DIRTY"), "true"),
    }
}

impl fmt::Display for BuildInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (commit {}", self.version, self.commit)?;
        if self.dirty {
            f.write_str(", uncommitted changes")?;
        }
        f.write_str(")")
    }
}

/// String equality usable in a `const fn` (`==` on `str` is not const).
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_version_is_the_displayed_build_info() {
        assert_eq!(build_info().to_string(), VERSION_LONG);
    }

    #[test]
    fn the_commit_is_twelve_hex_digits_or_unknown() {
        let commit = build_info().commit;
        assert!(
            commit == "unknown"
                || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
            "{commit}"
        );
    }

    #[test]
    fn const_string_equality() {
        assert!(same("true", "true"));
        assert!(!same("true", "false"));
        assert!(!same("true", "tru"));
        assert!(!same("", "x"));
    }
}
