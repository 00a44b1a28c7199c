//! `domino show`: serve the workshop page for a scenario, or export it as one offline file.

use super::ScenarioArgs;
use crate::show::server::Serving;
use crate::show::Show;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Arguments of `domino show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Scenario file and --set changes.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A strategy to show (once or twice, one per pane; default: the scenario's first two).
    #[arg(long)]
    pub strategy: Vec<String>,
    /// Which run to play (its world and draws are those of run K in `compare`).
    #[arg(long, default_value_t = 0)]
    pub run: u64,
    /// Address to listen on: 127.0.0.1 (this computer only) or 0.0.0.0 (the room's network).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Write the page with precomputed runs to this HTML file instead of serving it.
    #[arg(long, value_name = "FILE.html")]
    pub export: Option<PathBuf>,
}

pub fn show(args: &ShowArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.export {
        crate::output::check_file_target(out, "--export")?;
    }
    let show = Show::new(
        args.scenario.scenario.as_deref(),
        &args.scenario.set,
        &args.strategy,
        args.run,
    )?;
    if let Some(out) = &args.export {
        let scenario = args.scenario.load(None, None, None)?;
        crate::output::check_not_an_input(out, "--export", &scenario, &[])?;
        let plays = show.export(out)?;
        return super::say(&format!(
            "domino show: wrote {} ({plays} precomputed runs; open it in any browser)\n",
            out.display()
        ));
    }
    let serving = Serving::bind(show, &args.host, args.port)?;
    let url = serving.url();
    super::say(&format!("domino show: serving {url}\n"))?;
    if args.host == "0.0.0.0" {
        super::say("domino show: others on this network can open it at this computer's address\n")?;
    }
    super::say("domino show: press ctrl-c to stop\n")?;
    if !args.no_open {
        open_browser(&url);
    }
    serving.run();
    Ok(())
}

/// Opens `url` with the system's opener, if there is one; a missing opener is not an error.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let child = Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    // Reaped in the background, so that it leaves no zombie while the server runs.
    if let Ok(mut child) = child {
        std::thread::spawn(move || child.wait());
    }
}
