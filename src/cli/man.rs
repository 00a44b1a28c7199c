//! `domino man [COMMAND]`: the manual page in roff, generated from the clap definitions
//! (clap_mangen), so it never falls behind the commands and options.

use crate::error::InputError;
use clap::CommandFactory;

/// Arguments of `domino man`.
#[derive(Debug, clap::Args)]
pub struct Man {
    /// A command whose own page to print (`domino-compare(1)` for `compare`); without it, the
    /// page of `domino` itself, which lists the commands.
    pub command: Option<String>,
}

/// Prints the page to standard output (`domino man | man -l -` shows it).
pub fn man(args: &Man) -> anyhow::Result<()> {
    // Building the whole command first gives every subcommand its display name
    // (`domino-compare`), which becomes the page's title and file name.
    let mut root = super::Cli::command().disable_help_subcommand(true);
    root.build();
    let cmd = match &args.command {
        None => root,
        Some(name) => root.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = root.get_subcommands().map(|c| c.get_name()).collect();
            InputError::field(
                "COMMAND",
                format!("no command named '{name}'; one of: {}", names.join(", ")),
            )
        })?,
    };
    let mut page = Vec::new();
    // clap gives only the top-level command a version; every page names the build.
    clap_mangen::Man::new(cmd)
        .source(format!("domino {}", crate::VERSION_LONG))
        .render(&mut page)?;
    super::say(&String::from_utf8(page)?)
}
