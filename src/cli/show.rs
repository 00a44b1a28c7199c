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
    /// Which run to play: its world and draws are those of run K in `compare`, as in `domino run
    /// --run K`. Any K is a run: `compare --runs N` may go past the scenario's `runs`.
    #[arg(long, default_value_t = 0)]
    pub run: u64,
    /// Address to listen on: 127.0.0.1 (this computer only) or 0.0.0.0 (the room's network).
    /// Not with --export, which serves nothing.
    #[arg(long, default_value = "127.0.0.1", conflicts_with = "export")]
    pub host: String,
    /// Port to listen on (0: any free port). Not with --export, which serves nothing.
    #[arg(long, default_value_t = 8765, conflicts_with = "export")]
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
    // Loaded as every command loads a scenario: the same errors, and the same notes (pilot ids,
    // schools without ties) that `run` and `check` print.
    let scenario = args.scenario.load(None, None, None)?;
    let show = Show::new(
        args.scenario.scenario.as_deref(),
        &args.scenario.set,
        &args.strategy,
        args.run,
    )?;
    if let Some(out) = &args.export {
        crate::output::check_not_an_input(out, "--export", &scenario, &[])?;
        let (plays, bytes) = show.export(out)?;
        super::say(&format!(
            "domino show: wrote {} ({plays} precomputed runs, {}; open it in any browser)\n",
            out.display(),
            size(bytes)
        ))?;
        if bytes > BIG_EXPORT {
            crate::output::tell(&format!(
                "note: {} is {}: a browser may take many seconds to open it and to step; fewer \
                 schools (network.schools) or terms (steps) make it smaller",
                out.display(),
                size(bytes)
            ));
        }
        return Ok(());
    }
    let serving = Serving::bind(show, &args.host, args.port)?;
    let here = serving.local_url();
    super::say(&format!("domino show: serving {here}\n"))?;
    if serving.is_unspecified() {
        let port = serving.port();
        match lan_address() {
            Some(ip) => super::say(&format!(
                "domino show: others on this network can open http://{ip}:{port}/ (this \
                 computer's address on the network)\n"
            ))?,
            None => super::say(&format!(
                "domino show: others on this network can open this computer's address on the \
                 network, port {port} (http://ADDRESS:{port}/)\n"
            ))?,
        }
    }
    super::say("domino show: press ctrl-c to stop\n")?;
    // Ctrl-C is how the server ends: no "interrupted" line.
    crate::output::interrupt::quiet_on_interrupt();
    if !args.no_open {
        open_browser(&here);
    }
    serving.run();
    Ok(())
}

/// An export above this size gets a note: opening it takes a browser many seconds.
const BIG_EXPORT: u64 = 50_000_000;

/// `bytes` for people: kB below a megabyte, else MB.
fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// This computer's IPv4 address on its network, as the room would reach it: the local end of a
/// UDP socket connected towards a public address (connecting sends nothing). None when there is
/// no route (no network, or only loopback).
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("8.8.8.8:53").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
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
