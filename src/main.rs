//! The `domino` binary: parse, dispatch, map errors to exit codes.

use clap::Parser;

fn main() {
    let cli = match domino::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Without the handler, Ctrl-C still stops domino and no result is left half-written; only
    // its temporary files stay behind (until the next write of the same file removes them).
    let _ = domino::output::interrupt::remove_temporaries_on_interrupt();
    if let Err(err) = domino::cli::dispatch(cli) {
        domino::output::tell(&format!("error: {err:#}"));
        std::process::exit(domino::cli::exit_code(&err));
    }
}
