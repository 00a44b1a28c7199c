//! `domino report`: the page for leaders, from a comparison's output folder
//! ([`crate::report::html`]).

use std::path::Path;

pub fn report(dir: &Path) -> anyhow::Result<()> {
    // A shard holds only its own runs, as `runs.bin`, and none of the files the page is made
    // from: say what to do with it rather than which file is missing.
    if crate::shard::is_compare_shard(dir) {
        return Err(crate::InputError::msg(
            "is a shard of a comparison (`domino compare --shard`), which holds only its own \
             runs: join every shard first with `domino merge SHARD... --out DIR`, then run \
             `domino report DIR`",
        )
        .in_file(dir)
        .into());
    }
    let path = crate::report::html::write(dir)?;
    super::say(&format!("Wrote {}\n", path.display()))
}
