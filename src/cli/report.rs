//! `domino report`: the page for leaders, from a comparison's output folder
//! ([`crate::report::html`]).

use std::path::Path;

pub fn report(dir: &Path) -> anyhow::Result<()> {
    let path = crate::report::html::write(dir)?;
    super::say(&format!("Wrote {}\n", path.display()))
}
