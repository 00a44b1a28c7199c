//! `domino init [PATH]`: write a commented example scenario.

use crate::error::InputError;
use crate::output::write_atomic;
use crate::scenario::example_scenario;
use std::path::Path;

pub fn init(path: &Path, force: bool) -> anyhow::Result<()> {
    crate::output::check_file_target(path, "PATH")?;
    if path.exists() && !force {
        return Err(InputError::msg(
            "already exists; choose another path or pass --force to overwrite",
        )
        .in_file(path)
        .into());
    }
    write_atomic(path, |w| w.write_all(example_scenario().as_bytes()))?;
    eprintln!(
        "wrote {}; edit it, then run: domino check {0} && domino compare {0}",
        path.display()
    );
    Ok(())
}
