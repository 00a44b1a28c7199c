//! The `domino` binary: parse, dispatch, map errors to exit codes.

use clap::Parser;

fn main() {
    let cli = match domino::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(err) = domino::cli::dispatch(cli) {
        eprintln!("error: {err:#}");
        std::process::exit(domino::cli::exit_code(&err));
    }
}
