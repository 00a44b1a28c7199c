//! `domino show` (issue 10, section 2): the workshop server, its JSON plays, the export, and the
//! `pilot_ids` knob the presenter's clicks use. No wall-clock assertion here: the latency of 30
//! clients is measured by `examples/show_load.rs` (CI's `show-load` step).

mod common;
use common::http::request;
use common::*;

use domino::engine::watch;
use domino::scenario::set::Setting;
use domino::show::server::Serving;
use domino::show::{Play, Request, Show, MAX_CELLS};
use domino::Scenario;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `domino show` process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `domino show ARGS --port 0 --no-open` and reads its address from the first line.
fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .arg("show")
        .args(args)
        .args(["--port", "0", "--no-open"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("domino show: serving http://")
        .unwrap_or_else(|| panic!("first line is the address, got {line:?}"));
    let addr = url.trim_end_matches('/').to_string();
    assert!(addr.starts_with("127.0.0.1:"), "bound to loopback: {addr}");
    Server { child, addr }
}

fn chain() -> std::path::PathBuf {
    repo("scenarios/domino-chain.toml")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn setting(s: &str) -> Setting {
    s.parse().unwrap()
}

#[test]
fn the_server_serves_the_page_and_a_play_equal_to_the_trace() {
    let server = serve(&[arg(&chain())]);
    let (status, page) = request(&server.addr, "GET", "/", None);
    assert_eq!(status, 200);
    assert!(page.contains("data-page=\"show\""));
    let (status, body) = request(&server.addr, "GET", "/api/play", None);
    assert_eq!(status, 200, "{body}");
    let play = json(&body);
    let steps = play["steps"].as_u64().unwrap() as usize;
    let schools = play["schools"].as_array().unwrap();
    let panes = play["panes"].as_array().unwrap();
    assert_eq!(
        panes.len(),
        1,
        "the chain has one strategy, so one pane: no strategy is added beside it"
    );
    for pane in panes {
        let stage = pane["stage"].as_array().unwrap();
        assert_eq!(
            stage.len(),
            steps + 1,
            "one state per term, term 0 included"
        );
        for t in stage {
            assert_eq!(t.as_array().unwrap().len(), schools.len(), "one per school");
        }
    }

    // The same strategy, run and seed through `domino run --trace`.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.csv");
    let out = domino(
        dir.path(),
        &[
            "run",
            arg(&chain()),
            "--strategy",
            "pilot-only",
            "--trace",
            arg(&trace),
        ],
    );
    assert_ok(&out);
    let pane = &panes[0];
    assert_eq!(pane["strategy"], "pilot-only");
    let stages = play["stages"].as_array().unwrap();
    let origins = play["origins"].as_array().unwrap();
    let rows = csv_rows(&trace);
    assert_eq!(rows.len(), schools.len() * (steps + 1));
    for row in rows {
        let t: usize = row["step"].parse().unwrap();
        let i = schools
            .iter()
            .position(|s| s["id"] == row["school"].as_str())
            .unwrap();
        let code = pane["stage"][t][i].as_u64().unwrap() as usize;
        let shown = stages[code].as_str().unwrap();
        // The page tells pockets apart from other implementing schools; the trace does not.
        let traced = match shown {
            "none" => "not_adopted",
            "pocket" => "implementing",
            s => s,
        };
        assert_eq!(traced, row["stage"], "school {i} term {t}");
        let origin = origins[pane["origin"][t][i].as_u64().unwrap() as usize]
            .as_str()
            .unwrap();
        let origin = if origin == "funded" {
            "recruited"
        } else {
            origin
        };
        assert_eq!(origin, row["origin"], "school {i} term {t}");
        let source = match pane["source"][t][i].as_i64().unwrap() {
            -1 => String::new(),
            j => schools[j as usize]["id"].as_str().unwrap().to_string(),
        };
        assert_eq!(source, row["source"], "school {i} term {t}");
    }
}

#[test]
fn bad_requests_get_the_validation_message_as_json() {
    let server = serve(&[arg(&chain())]);
    let post = |body: &str| {
        let (status, text) = request(&server.addr, "POST", "/api/play", Some(body));
        (
            status,
            json(&text)["error"].as_str().unwrap_or("").to_string(),
        )
    };
    let (status, error) = post(r#"{"set": ["mechanisms.contagion.topple_ratio=abc"]}"#);
    assert_eq!(status, 400);
    assert!(
        error.contains("--set mechanisms.contagion.topple_ratio=abc") && error.contains("number"),
        "{error}"
    );
    let (status, error) = post(r#"{"set": ["mechanisms.dose.nonsense=1"]}"#);
    assert_eq!(status, 400);
    assert!(error.contains("nonsense"), "{error}");
    let (status, error) = post(r#"{"pilots": ["s99"]}"#);
    assert_eq!(status, 400);
    assert!(error.contains("s99"), "{error}");
    let (status, error) = post(r#"{"path": "/etc/passwd"}"#);
    assert_eq!(status, 400);
    assert!(error.contains("path"), "{error}");
    let (status, _) = post("not json");
    assert_eq!(status, 400);
    // The server is still serving after all of that.
    assert_eq!(request(&server.addr, "GET", "/api/play", None).0, 200);
}

#[test]
fn nothing_but_the_page_and_the_api_is_served() {
    let server = serve(&[arg(&chain())]);
    for path in [
        "/../Cargo.toml",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/api/../Cargo.toml",
        "/scenarios/domino-chain.toml",
        "/domino-chain/nodes.csv",
        "/page.html",
        "/api/play/../../Cargo.toml",
    ] {
        let (status, body) = request(&server.addr, "GET", path, None);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path}"
        );
    }
    assert_eq!(request(&server.addr, "DELETE", "/api/play", None).0, 404);
}

#[test]
fn a_bad_set_on_the_command_line_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = domino(
        dir.path(),
        &[
            "show",
            arg(&chain()),
            "--set",
            "mechanisms.contagion.topple_ratio=abc",
            "--no-open",
            "--port",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("topple_ratio=abc"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_request_above_the_work_bound_is_refused_before_it_runs() {
    let show = Show::new(None, &[], &[], 0).unwrap();
    let request = Request {
        set: vec!["network.schools=200000".into()],
        pilots: vec![],
    };
    let e = show.play(&request).unwrap_err().to_string();
    assert!(e.contains(&MAX_CELLS.to_string()), "{e}");
    // Just under the bound plays.
    let steps = show.play(&Request::default()).unwrap().steps as u64;
    let n = MAX_CELLS / (2 * (steps + 1));
    let ok = Request {
        set: vec![format!("network.schools={n}"), "steps=1".into()],
        pilots: vec![],
    };
    assert_eq!(show.play(&ok).unwrap().schools.len() as u64, n);
    // The arithmetic is right: terms 0 to T are T + 1 states.
    let e = show
        .play(&Request {
            set: vec!["network.schools=100000".into(), "steps=20".into()],
            pilots: vec![],
        })
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("100000 schools x 21 states (terms 0 to 20) x 2 strategies is 4200000"),
        "{e}"
    );
}

/// A scenario too large to play is refused before a server starts or a page is written, naming
/// the file and the fields to lower; so is a variant too large to play.
#[test]
fn a_scenario_or_variant_above_the_work_bound_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let huge = write(
        dir.path(),
        "huge.toml",
        "name = \"huge\"\nsteps = 20\n[network]\nkind = \"regional\"\nschools = 100000\nregions = 50\n",
    );
    let out = domino(
        dir.path(),
        &["show", arg(&huge), "--no-open", "--port", "0"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stdout(&out).contains("serving"), "{}", stdout(&out));
    let e = stderr(&out);
    assert!(
        e.contains("huge.toml")
            && e.contains("100000 schools x 21 states (terms 0 to 20) x 2 strategies is 4200000")
            && e.contains("network.schools")
            && e.contains("steps")
            && !e.contains("set:"),
        "{e}"
    );
    let big = write(
        dir.path(),
        "bigvariant.toml",
        "name=\"v\"\n[show]\nvariants = [{ name = \"long run\", set = [\"steps=10000\"] }, \
         { name = \"as written\", set = [] }]\n",
    );
    let html = dir.path().join("v.html");
    let out = domino(dir.path(), &["show", arg(&big), "--export", arg(&html)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("bigvariant.toml") && e.contains("show.variants[0]") && e.contains("long run"),
        "{e}"
    );
    assert!(!html.exists());
}

/// A scenario with one strategy is shown in one pane; `--strategy` may not name one twice.
#[test]
fn one_strategy_one_pane_and_no_strategy_twice() {
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    assert_eq!(show.shown(), ["pilot-only"]);
    let play = show.play(&Request::default()).unwrap();
    assert_eq!(play.panes.len(), 1);
    let e = Show::new(
        Some(&chain()),
        &[],
        &["pilot-only".into(), "pilot-only".into()],
        0,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--strategy") && e.contains("twice"), "{e}");
    // Two strategies of a scenario that has them still make two panes.
    let two = Show::new(None, &[], &[], 0).unwrap();
    assert_eq!(two.shown().len(), 2);
}

/// The presenter's `--set` is in every play (the page shows it), and a variant sets back what
/// the presenter changed of a field the variants set: "falls (topple ratio 2)" falls even when
/// the presenter started at 1.5.
#[test]
fn a_variant_plays_what_its_label_says_over_the_presenters_set() {
    let presenter = [setting("mechanisms.contagion.topple_ratio=1.5")];
    let show = Show::new(Some(&chain()), &presenter, &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    assert_eq!(
        base.presenter,
        vec!["mechanisms.contagion.topple_ratio=1.5"]
    );
    let adopted = |play: &Play| {
        let last = play.panes[0].stage.last().unwrap();
        last.iter().filter(|&&s| s != 0).count()
    };
    assert!(
        adopted(&base) <= 2,
        "the presenter's ratio stalls the chain"
    );
    let falls = &base.variants[0];
    assert_eq!(falls.set, vec!["mechanisms.contagion.topple_ratio=2.0"]);
    let play = show
        .play(&Request {
            set: falls.set.clone(),
            pilots: vec![],
        })
        .unwrap();
    assert_eq!(adopted(&play), 8, "\"falls\" falls");
    // A variant the presenter did not touch is as written.
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    assert!(base.presenter.is_empty());
    assert!(base.variants[0].set.is_empty());
}

/// `show` prints the notes `run` and `check` print, and the export says its size.
#[test]
fn show_prints_the_scenario_notes_and_the_export_size() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("p2.html");
    let out = domino(
        dir.path(),
        &[
            "show",
            arg(&chain()),
            "--set",
            r#"strategies.pilot-only.pilot_ids=["s1","s8"]"#,
            "--export",
            arg(&html),
        ],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("note: strategy pilot-only names 2 pilot schools"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains(" kB;"), "{}", stdout(&out));
    let out = domino(
        dir.path(),
        &[
            "show",
            arg(&repo("scenarios/classic-bass.toml")),
            "--export",
            arg(&html),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("classic-bass.toml") && stderr(&out).contains("model = \"school\""),
        "{}",
        stderr(&out)
    );
}

/// `--host 0.0.0.0`: the first line is where this computer's browser opens it (loopback), the
/// next says where the room does; a bad host or a port in use says what is expected.
#[test]
fn the_rooms_address_and_host_and_port_errors() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
        .args([
            "show",
            arg(&chain()),
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-open",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let port = first
        .strip_prefix("domino show: serving http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{first}"))
        .trim_end_matches('/')
        .to_string();
    assert!(
        second.contains(&format!(":{port}/")) || second.contains(&format!("port {port}")),
        "{second}"
    );
    assert!(!second.contains("0.0.0.0"), "{second}");

    let dir = tempfile::tempdir().unwrap();
    let out = domino(
        dir.path(),
        &[
            "show",
            arg(&chain()),
            "--no-open",
            "--host",
            "999.1.1.1",
            "--port",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--host") && stderr(&out).contains("0.0.0.0"),
        "{}",
        stderr(&out)
    );
    let server = serve(&[arg(&chain())]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let out = domino(
        dir.path(),
        &["show", arg(&chain()), "--no-open", "--port", &port],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--port 0") && stderr(&out).contains("another program"),
        "{}",
        stderr(&out)
    );
}

/// The chosen pilots are the pilots: with `pilot_ids` the first pilot is the named school, and
/// the play reports it (so the page's `data-pilots` shows it).
#[test]
fn pilot_ids_choose_the_first_pilots() {
    let first_pilots = |sets: &[Setting]| {
        let scn = Scenario::from_file_with(&chain(), sets).unwrap();
        let mut pilots = None;
        watch(&scn, 0, 0, |_, step, _, plan| {
            if step > 0 && pilots.is_none() && plan.pilot.contains(&true) {
                pilots = Some(
                    (0..plan.pilot.len())
                        .filter(|&i| plan.pilot[i])
                        .collect::<Vec<_>>(),
                );
            }
        })
        .unwrap();
        pilots.unwrap()
    };
    assert_eq!(first_pilots(&[]), vec![0], "s1, the readiest, by default");
    assert_eq!(
        first_pilots(&[setting(r#"strategies.pilot-only.pilot_ids=["s4", "s6"]"#)]),
        vec![3, 5]
    );
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let play = show
        .play(&Request {
            set: vec![],
            pilots: vec!["s5".into()],
        })
        .unwrap();
    assert_eq!(play.panes[0].pilots, vec!["s5"]);
    assert_eq!(play.changes, Vec::<String>::new());
}

#[test]
fn pilot_ids_name_schools_that_exist_once() {
    let err = |set: &str, path: Option<&std::path::Path>| {
        let e = match path {
            Some(p) => Scenario::from_file_with(p, &[setting(set)]),
            None => Scenario::load(
                domino::scenario::DEFAULT_SCENARIO,
                None,
                None,
                &[setting(set)],
            ),
        };
        e.unwrap_err().to_string()
    };
    let e = err(
        r#"strategies.pilot-only.pilot_ids=["s1", "nope"]"#,
        Some(&chain()),
    );
    assert!(e.contains("\"nope\"") && e.contains("pilot_ids"), "{e}");
    let e = err(
        r#"strategies.pilot-only.pilot_ids=["s2", "s2"]"#,
        Some(&chain()),
    );
    assert!(e.contains("twice"), "{e}");
    // Without a node table, schools are named by index.
    let default = Scenario::builtin_default();
    let n = default.schools();
    let e = err(
        &format!(r#"strategies.pilot-then-cascade.pilot_ids=["{n}"]"#),
        None,
    );
    assert!(e.contains(&format!("\"{n}\"")), "{e}");
    let ok = Scenario::load(
        domino::scenario::DEFAULT_SCENARIO,
        None,
        None,
        &[setting(r#"strategies.pilot-then-cascade.pilot_ids=["7"]"#)],
    )
    .unwrap();
    let s = ok
        .config()
        .strategies
        .iter()
        .find(|s| s.name == "pilot-then-cascade")
        .unwrap();
    assert_eq!(s.pilot_index, vec![7]);
    let e = err(r#"strategies.thin-spread.pilot_ids=["7"]"#, None);
    assert!(e.contains("only a pilot-then-cascade"), "{e}");
}

/// The domino chain's `[show]` variants are one click apart: as written it falls end to end,
/// with a topple ratio of 1.5 it stalls at the first link.
#[test]
fn the_domino_chain_falls_and_stalls_one_variant_apart() {
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    assert_eq!(base.variants.len(), 2);
    let adopted = |play: &Play| {
        let last = play.panes[0].stage.last().unwrap();
        last.iter().filter(|&&s| s != 0).count()
    };
    let falls = show
        .play(&Request {
            set: base.variants[0].set.clone(),
            pilots: vec![],
        })
        .unwrap();
    let stalls = show
        .play(&Request {
            set: base.variants[1].set.clone(),
            pilots: vec![],
        })
        .unwrap();
    assert_eq!(adopted(&falls), 8, "the chain falls end to end");
    assert!(adopted(&stalls) <= 2, "the chain stalls at the first link");
    let topple = |p: &Play| {
        p.sliders
            .iter()
            .find(|s| s.path == "mechanisms.contagion.topple_ratio")
            .unwrap()
            .value
    };
    assert_eq!((topple(&falls), topple(&stalls)), (2.0, 1.5));
}

/// A slider that changes no school at either end says so on the page: on the chain, coaching
/// capacity (each link is toppled, not taught, into place) but not the topple ratio; on the
/// default, whose contagion is not the domino rule, the topple ratio.
#[test]
fn a_slider_that_changes_nothing_is_marked_inert() {
    let inert = |show: &Show| -> Vec<(String, bool)> {
        show.play(&Request::default())
            .unwrap()
            .sliders
            .into_iter()
            .map(|s| (s.path, s.inert))
            .collect()
    };
    let chain = inert(&Show::new(Some(&chain()), &[], &[], 0).unwrap());
    let of = |list: &[(String, bool)], path: &str| {
        list.iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("no slider {path}: {list:?}"))
            .1
    };
    assert!(of(&chain, "mechanisms.coaching.capacity"), "{chain:?}");
    assert!(
        !of(&chain, "mechanisms.contagion.topple_ratio"),
        "{chain:?}"
    );
    assert!(
        !of(&chain, "mechanisms.size.influence_exponent"),
        "{chain:?}"
    );
    let default = inert(&Show::new(None, &[], &[], 0).unwrap());
    assert!(
        of(&default, "mechanisms.contagion.topple_ratio"),
        "{default:?}"
    );
    assert!(!of(&default, "budget.per_school"), "{default:?}");
    // Under the domino rule the same slider does something.
    let domino =
        inert(&Show::new(None, &[setting("mechanisms.contagion.form=domino")], &[], 0).unwrap());
    assert!(
        !of(&domino, "mechanisms.contagion.topple_ratio"),
        "{domino:?}"
    );
}

#[test]
fn a_bad_show_variant_is_the_scenarios_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        "[show]\nvariants = [{ name = \"x\", set = [\"mechanisms.dose.d50=-1\"] }]\n",
    );
    let e = Show::new(Some(&bad), &[], &[], 0).unwrap_err().to_string();
    assert!(
        e.contains("d50") && e.contains("show.variants[0]") && e.contains("bad.toml"),
        "{e}"
    );
    // The change at fault is placed on its line, as a syntax error in it is.
    let bad = write(
        dir.path(),
        "lines.toml",
        "name = \"v\"\n[show]\nvariants = [\n  { name = \"ok\", set = [\"steps=4\"] },\n  \
         { name = \"x\", set = [\"steps=4\",\n    \"mechanisms.dose.d50=-1\"] },\n]\n",
    );
    let e = Show::new(Some(&bad), &[], &[], 0).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.line),
        (Some("show.variants[1].set[1]"), Some(6)),
        "{e}"
    );
    let bad = write(
        dir.path(),
        "bad2.toml",
        "[show]\nvariants = [{ name = \"x\", set = [\"no equals sign\"] }]\n",
    );
    let e = Scenario::from_file_with(&bad, &[]).unwrap_err().to_string();
    assert!(e.contains("show.variants[0].set[0]"), "{e}");
}

#[test]
fn the_export_is_one_offline_file_with_the_variants() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chain.html");
    let out = domino(dir.path(), &["show", arg(&chain()), "--export", arg(&file)]);
    assert_ok(&out);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("data-page=\"show\""));
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "fetch(\"http",
    ] {
        assert!(!html.contains(external), "fetches from outside: {external}");
    }
    assert!(!html.contains("/*DATA*/null"), "the plays are embedded");
    assert!(
        html.contains("mechanisms.contagion.topple_ratio=1.5"),
        "the stall variant"
    );
    // Each slider at its ends, besides the scenario and its variants.
    assert!(html.contains("mechanisms.dose.d50="));
    // Nothing but the file is left in the folder (written atomically).
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

/// 30 clients polling at once all get correct answers (the latency is measured by
/// `examples/show_load.rs`, not here).
#[test]
fn thirty_clients_at_once_all_get_correct_answers() {
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let serving = Serving::bind(show, "127.0.0.1", 0).unwrap();
    let addr = serving
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    std::thread::spawn(move || serving.run());
    let ids = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];
    let clients: Vec<_> = (0..30)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                for k in 0..8 {
                    let pilot = ids[(c + k) % ids.len()];
                    let (status, body) = if k % 2 == 0 {
                        request(&addr, "GET", "/api/play", None)
                    } else {
                        let body = format!(r#"{{"pilots": ["{pilot}"]}}"#);
                        request(&addr, "POST", "/api/play", Some(&body))
                    };
                    assert_eq!(status, 200, "{body}");
                    let play: Value = serde_json::from_str(&body).unwrap();
                    let want = if k % 2 == 0 { "s1" } else { pilot };
                    assert_eq!(play["panes"][0]["pilots"][0], want);
                    assert_eq!(play["panes"][0]["stage"].as_array().unwrap().len(), 41);
                }
            })
        })
        .collect();
    for c in clients {
        c.join().expect("every client got correct answers");
    }
}
