//! `domino completions SHELL`: a shell completion script, generated from the clap definitions
//! (clap_complete), so it never falls behind the commands and options.

use clap::CommandFactory;

/// Arguments of `domino completions`.
#[derive(Debug, clap::Args)]
pub struct Completions {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `args.shell` to standard output.
pub fn completions(args: &Completions) -> anyhow::Result<()> {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "domino", &mut script);
    super::say(&String::from_utf8(script)?)
}
