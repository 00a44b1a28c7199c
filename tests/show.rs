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
    let mut rows = csv_rows(&trace);
    assert_eq!(rows.len(), schools.len() * (steps + 1));
    // The support paid so far, school by school, summed term by term.
    rows.sort_by_key(|row| row["step"].parse::<usize>().unwrap());
    let mut paid = vec![0.0; schools.len()];
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
        // The same words as the trace: a school the strategy took on is "recruited", paid or not.
        let origin = origins[pane["origin"][t][i].as_u64().unwrap() as usize]
            .as_str()
            .unwrap();
        assert_eq!(origin, row["origin"], "school {i} term {t}");
        paid[i] += row["support"].parse::<f64>().unwrap();
        let shown_paid = pane["paid"][t][i].as_f64().unwrap();
        assert!(
            (shown_paid - paid[i]).abs() <= 0.005 + 1e-9,
            "school {i} term {t}: page says paid {shown_paid}, the trace {}",
            paid[i]
        );
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

/// The head and body of one response read from `stream`, which stays open (the server would
/// still be waiting for the rest of a declared body): up to the end of the body its
/// `Content-Length` declares.
fn one_response(stream: &mut std::net::TcpStream) -> (String, String) {
    use std::io::Read;
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "the response ended early"
        );
        raw.push(byte[0]);
    }
    let head = String::from_utf8(raw).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

/// Review 14, finding 1: a POST declaring `Content-Length: 99999999999` aborted the server
/// (tiny_http 0.12.0 drained the unread body into a buffer of the declared size), so anyone in
/// the room could end the show with one request.
#[test]
fn a_request_declaring_a_huge_body_is_refused_and_the_server_goes_on() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let mut server = serve(&[arg(&chain())]);
    for _ in 0..3 {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
            .write_all(
                b"POST /api/play HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n{}",
            )
            .unwrap();
        let (head, body) = one_response(&mut stream);
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(
            json(&body)["error"]
                .as_str()
                .unwrap()
                .contains("larger than 65536 bytes"),
            "{body}"
        );
        // The client goes away without sending the rest; the server drains what came and goes on.
        drop(stream);
        let (status, _) = request(&server.addr, "GET", "/api/play", None);
        assert_eq!(status, 200);
    }
    // A request line or header without end is cut off, not read into memory for ever.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let endless = format!(
        "GET /api/play HTTP/1.1\r\nX-Long: {}",
        "a".repeat(64 * 1024)
    );
    // The server may close before all of it is sent.
    let _ = stream.write_all(endless.as_bytes());
    let mut rest = Vec::new();
    let closed = match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed, "the connection is closed");
    let (status, _) = request(
        &server.addr,
        "POST",
        "/api/play",
        Some(r#"{"pilots": ["s2"]}"#),
    );
    assert_eq!(status, 200);
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is running"
    );
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
        ..Request::default()
    };
    let e = show.play(&request).unwrap_err().to_string();
    assert!(e.contains(&MAX_CELLS.to_string()), "{e}");
    // Just under the bound plays.
    let steps = show.play(&Request::default()).unwrap().steps as u64;
    let n = MAX_CELLS / (2 * (steps + 1));
    let ok = Request {
        set: vec![format!("network.schools={n}"), "steps=1".into()],
        pilots: vec![],
        ..Request::default()
    };
    assert_eq!(show.play(&ok).unwrap().schools.len() as u64, n);
    // The arithmetic is right: terms 0 to T are T + 1 states.
    let e = show
        .play(&Request {
            set: vec!["network.schools=100000".into(), "steps=20".into()],
            pilots: vec![],
            ..Request::default()
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
            ..Request::default()
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
            ..Request::default()
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
            ..Request::default()
        })
        .unwrap();
    let stalls = show
        .play(&Request {
            set: base.variants[1].set.clone(),
            pilots: vec![],
            ..Request::default()
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

/// Two `[show]` variants with one name would be two buttons the room cannot tell apart: refused,
/// naming the file, the variant and the name.
#[test]
fn two_show_variants_with_one_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "twice.toml",
        "[show]\nvariants = [{ name = \"stalls\", set = [] }, \
         { name = \"stalls\", set = [\"mechanisms.contagion.topple_ratio=1.5\"] }]\n",
    );
    let out = domino(dir.path(), &["show", arg(&bad), "--export", "p.html"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("twice.toml")
            && e.contains("show.variants[1].name")
            && e.contains("\"stalls\" already names show.variants[0]"),
        "{e}"
    );
}

/// `--export` serves nothing: `--port` or `--host` beside it is refused, not silently ignored.
#[test]
fn export_with_port_or_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for flag in [["--port", "9000"], ["--host", "0.0.0.0"]] {
        let out = domino(
            dir.path(),
            &[
                "show",
                arg(&chain()),
                "--export",
                "p.html",
                flag[0],
                flag[1],
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("--export") && stderr(&out).contains(flag[0]),
            "{}",
            stderr(&out)
        );
        assert!(!dir.path().join("p.html").exists(), "no page written");
    }
}

/// The sliders speak plainly, with units: "support units" spelt out, and a budget given per
/// school labelled per school (the page adds the total); the technical name is the path.
#[test]
fn slider_labels_are_plain_and_say_per_school_when_the_budget_is() {
    let labels = |show: &Show| -> Vec<(String, String)> {
        show.play(&Request::default())
            .unwrap()
            .sliders
            .into_iter()
            .map(|s| (s.path, s.label))
            .collect()
    };
    let default = labels(&Show::new(None, &[], &[], 0).unwrap());
    let budget = default
        .iter()
        .find(|(p, _)| p.starts_with("budget."))
        .unwrap();
    assert_eq!(budget.0, "budget.per_school");
    assert_eq!(budget.1, "Budget per school (support units per term)");
    let chain = labels(&Show::new(Some(&chain()), &[], &[], 0).unwrap());
    let budget = chain
        .iter()
        .find(|(p, _)| p.starts_with("budget."))
        .unwrap();
    assert_eq!(budget.0, "budget.total");
    assert_eq!(budget.1, "Budget, all schools (support units per term)");
    for (path, label) in default.iter().chain(&chain) {
        assert!(!label.contains("SU"), "{path}: {label}");
        assert!(
            label.contains('('),
            "{path}: a unit or scale in brackets: {label}"
        );
    }
}

/// Each pane says in a plain sentence what its strategy does.
#[test]
fn each_pane_says_what_its_strategy_does() {
    let play = Show::new(None, &[], &[], 0)
        .unwrap()
        .play(&Request::default())
        .unwrap();
    for pane in &play.panes {
        let kind = domino::scenario::StrategyKind::from_name(&pane.kind).unwrap();
        assert_eq!(pane.about, kind.about(), "{}", pane.strategy);
        assert!(!pane.about.is_empty());
    }
}

/// The slider of `play` at `path`.
fn slider<'a>(play: &'a Play, path: &str) -> &'a domino::show::Slider {
    play.sliders
        .iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("no slider {path}"))
}

/// A slider's range is the session's: fixed when the show starts (around the scenario with the
/// presenter's `--set`), the same after any play, with the start on its grid. It used to be
/// rebuilt around the value of the play shown, so that budget 2 could not be reached again.
#[test]
fn slider_ranges_are_fixed_for_the_session_and_hold_the_start() {
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    let range = |p: &Play, path: &str| {
        let s = slider(p, path);
        (s.min, s.max, s.step, s.start)
    };
    let budget = range(&base, "budget.total");
    assert_eq!(budget, (0.0, 6.0, 0.25, 2.0));
    for value in ["6", "18", "0", "0.5"] {
        let play = show
            .play(&Request {
                set: vec![format!("budget.total={value}")],
                ..Request::default()
            })
            .unwrap();
        assert_eq!(
            slider(&play, "budget.total").value,
            value.parse::<f64>().unwrap()
        );
        for s in &base.sliders {
            assert_eq!(
                range(&play, &s.path),
                range(&base, &s.path),
                "{} after budget {value}",
                s.path
            );
        }
    }
    for s in &base.sliders {
        let k = (s.start - s.min) / s.step;
        assert!(
            s.min <= s.start && s.start <= s.max && (k - k.round()).abs() < 1e-9,
            "{s:?}: the start is on the grid"
        );
        assert_eq!(s.value, s.start, "the as-written play is at the start");
    }
    // A variant's value lies on its slider, whatever the range around the start: the topple
    // ratio's range (1 to 4) holds 1.5 and 2; a presenter's start of 5 widens it to 5.
    let stalls = show
        .play(&Request {
            set: base.variants[1].set.clone(),
            ..Request::default()
        })
        .unwrap();
    assert_eq!(
        slider(&stalls, "mechanisms.contagion.topple_ratio").value,
        1.5
    );
    assert_eq!(
        range(&stalls, "mechanisms.contagion.topple_ratio"),
        range(&base, "mechanisms.contagion.topple_ratio")
    );
    // The presenter's --set is the start, and the range is around it.
    let show = Show::new(Some(&chain()), &[setting("budget.total=4")], &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    assert_eq!(range(&base, "budget.total"), (0.0, 12.0, 0.5, 4.0));
    let show = Show::new(
        Some(&chain()),
        &[setting("mechanisms.contagion.topple_ratio=5")],
        &[],
        0,
    )
    .unwrap();
    let base = show.play(&Request::default()).unwrap();
    let (min, max, _, start) = range(&base, "mechanisms.contagion.topple_ratio");
    assert_eq!((min, start), (1.0, 5.0));
    assert!(max >= 5.0, "{max}");
}

/// Reset asks for no changes, the presenter's strategies and no pilots: the play the page opened
/// with (the scenario as written, with the presenter's --set), byte for byte.
#[test]
fn reset_gives_the_as_written_play() {
    let server = serve(&[arg(&chain())]);
    let (_, opened) = request(&server.addr, "GET", "/api/play", None);
    let (status, changed) = request(
        &server.addr,
        "POST",
        "/api/play",
        Some(r#"{"set": ["budget.total=6"], "pilots": ["s3"], "strategies": []}"#),
    );
    assert_eq!(status, 200, "{changed}");
    assert_ne!(changed, opened);
    let (status, reset) = request(
        &server.addr,
        "POST",
        "/api/play",
        Some(r#"{"set": [], "pilots": [], "strategies": []}"#),
    );
    assert_eq!(status, 200, "{reset}");
    assert_eq!(reset, opened);
    let page = domino::show::PAGE;
    assert!(
        page.contains(r#"id="reset""#) && page.contains(r#"load([], false, [])"#),
        "the page has a Reset button that asks for that"
    );
}

/// The exported page snaps a slider to the precomputed play nearest where it was dropped,
/// scoring the as-written play with the value the show started with (not the value of the play
/// shown), over the session's fixed ranges: the page's own `snap` function, run by node on the
/// exported plays. It used to give budget 0 for 2, and topple ratio 4 for 2.9 after "stalls".
#[test]
fn the_export_snaps_to_the_right_precomputed_play() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chain.html");
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    show.export(&file).unwrap();
    let html = std::fs::read_to_string(&file).unwrap();
    let data = html
        .lines()
        .find_map(|l| l.strip_prefix("const EMBEDDED = "))
        .expect("the plays")
        .trim_end_matches(';');
    let plays: Vec<Value> = serde_json::from_str(data).unwrap();
    // Every play has the session's ranges and start values.
    let ranges = |p: &Value| -> Vec<String> {
        p["sliders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} {} {}",
                    s["path"], s["min"], s["max"], s["step"], s["start"]
                )
            })
            .collect()
    };
    for p in &plays {
        assert_eq!(ranges(p), ranges(&plays[0]), "{:?}", p["changes"]);
    }
    let node = Command::new("node").arg("--version").output();
    if node.map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("note: node is not installed; the page's snap function was not run");
        return;
    }
    let page = domino::show::PAGE;
    let begin = page.find("// BEGIN snap").unwrap();
    let end = page.find("// END snap").unwrap();
    let script = format!(
        "const EMBEDDED = {data};\n{}\n\
         const at = (path, v) => JSON.stringify(snap(EMBEDDED, path, v).changes);\n\
         console.log([at('budget.total', 2), at('budget.total', 0.2), at('budget.total', 5), \
         at('mechanisms.contagion.topple_ratio', 2.9), at('mechanisms.contagion.topple_ratio', 1.6), \
         at('mechanisms.contagion.topple_ratio', 3.9)].join('\\n'));",
        &page[begin..end]
    );
    let js = dir.path().join("snap.js");
    std::fs::write(&js, script).unwrap();
    let out = Command::new("node").arg(&js).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        got,
        [
            "[]",
            r#"["budget.total=0"]"#,
            r#"["budget.total=6"]"#,
            "[]",
            r#"["mechanisms.contagion.topple_ratio=1.5"]"#,
            r#"["mechanisms.contagion.topple_ratio=4"]"#,
        ]
    );
}

/// The line about the presenter's --set names a change a variant or the page overrides, so that
/// it never contradicts what is playing.
#[test]
fn the_presenters_line_marks_an_overridden_change() {
    let presenter = [
        setting("mechanisms.contagion.topple_ratio=1.5"),
        setting("budget.total=3"),
    ];
    let show = Show::new(Some(&chain()), &presenter, &[], 0).unwrap();
    let base = show.play(&Request::default()).unwrap();
    assert_eq!(
        base.presenter_note,
        "The presenter's changes (--set): mechanisms.contagion.topple_ratio=1.5, budget.total=3"
    );
    let falls = &base.variants[0];
    let play = show
        .play(&Request {
            set: falls.set.clone(),
            ..Request::default()
        })
        .unwrap();
    assert_eq!(
        play.presenter_note,
        "The presenter's changes (--set): mechanisms.contagion.topple_ratio=1.5 (overridden by \
         the button \"falls (topple ratio 2)\": mechanisms.contagion.topple_ratio=2.0), \
         budget.total=3"
    );
    let play = show
        .play(&Request {
            set: vec!["budget.total=5".into()],
            ..Request::default()
        })
        .unwrap();
    assert!(
        play.presenter_note
            .ends_with("budget.total=3 (overridden by this page: budget.total=5)"),
        "{}",
        play.presenter_note
    );
    assert!(domino::show::PAGE.contains("p.presenter_note"));
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    assert_eq!(show.play(&Request::default()).unwrap().presenter_note, "");
}

/// A request may choose the strategies shown, one per pane, from the scenario's; the server
/// checks them as `--strategy` is checked, and caches the answer like any play.
#[test]
fn a_request_chooses_the_strategies_shown() {
    let show = Show::new(None, &[], &[], 0).unwrap();
    let names: Vec<String> = show.strategies().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["thin-spread", "pilot-then-cascade", "cluster"]);
    let base = show.play(&Request::default()).unwrap();
    assert_eq!(base.strategies.len(), 3);
    let play = show
        .play(&Request {
            strategies: vec!["thin-spread".into(), "cluster".into()],
            ..Request::default()
        })
        .unwrap();
    let shown: Vec<&str> = play.panes.iter().map(|p| p.strategy.as_str()).collect();
    assert_eq!(shown, ["thin-spread", "cluster"]);
    assert_eq!(
        play.panes[0], base.panes[0],
        "the same run for the pane kept"
    );
    assert_ne!(
        play.panes[1].stage, base.panes[1].stage,
        "cluster runs its own way"
    );
    // Pilots go to the pilot-then-cascade strategies shown: none here.
    let e = show
        .play(&Request {
            strategies: vec!["cluster".into()],
            pilots: vec!["3".into()],
            ..Request::default()
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("pilot-then-cascade"), "{e}");

    let server = serve(&[]);
    let post = |body: &str| request(&server.addr, "POST", "/api/play", Some(body));
    let (status, body) = post(r#"{"strategies": ["nope"]}"#);
    assert_eq!(status, 400, "{body}");
    let error = json(&body)["error"].as_str().unwrap().to_string();
    assert!(
        error.contains("strategies")
            && error.contains("no strategy named \"nope\"")
            && error.contains("thin-spread, pilot-then-cascade, cluster"),
        "{error}"
    );
    let (status, body) = post(r#"{"strategies": ["cluster", "cluster"]}"#);
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"].as_str().unwrap().contains("twice"),
        "{body}"
    );
    let (status, body) = post(r#"{"strategies": ["a", "b", "c"]}"#);
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("at most two"),
        "{body}"
    );
    let (status, one) = post(r#"{"strategies": ["cluster"]}"#);
    assert_eq!(status, 200, "{one}");
    let one = json(&one);
    assert_eq!(one["panes"].as_array().unwrap().len(), 1);
    assert_eq!(one["panes"][0]["strategy"], "cluster");
    // A slider marked inert is inert for every strategy shown: the topple ratio is, on the
    // default, whichever strategy runs.
    let inert = one["sliders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "mechanisms.contagion.topple_ratio")
        .unwrap()["inert"]
        .clone();
    assert_eq!(inert, true);
}

/// A recruited school is "recruited" on the page as in the trace, with what it was paid: with no
/// budget the chain's pilot is recruited and paid nothing (its own resources cover its dose),
/// and the page's words say so.
#[test]
fn a_recruited_school_that_was_paid_nothing_is_not_called_funded() {
    let show = Show::new(Some(&chain()), &[setting("budget.total=0")], &[], 0).unwrap();
    let play = show.play(&Request::default()).unwrap();
    let pane = &play.panes[0];
    let recruited = play.origins.iter().position(|&o| o == "recruited").unwrap() as u8;
    assert_eq!(pane.origin[4][0], recruited, "s1 is recruited");
    assert!(pane.paid.iter().all(|t| t[0] == 0.0), "and paid nothing");
    let show = Show::new(Some(&chain()), &[], &[], 0).unwrap();
    let play = show.play(&Request::default()).unwrap();
    assert_eq!(play.panes[0].paid[4][0], 6.0, "2 SU in terms 1, 2 and 3");
    let page = domino::show::PAGE;
    assert!(!page.contains("thick ring: funded"), "the legend");
    assert!(page.contains("thick ring: recruited or paid by the strategy"));
    assert!(page.contains(", paid nothing so far"));
    assert!(
        !page.contains("funded: \"funded\""),
        "no origin is called funded"
    );
}

/// The coaching slider says it is coaching beyond a pocket's own resources, which coach too: at 0
/// schools are still coached, and the page says so where the slider and the legend are.
#[test]
fn the_coaching_slider_says_a_pockets_own_resources_coach_too() {
    let show = Show::new(
        Some(&chain()),
        &[setting("mechanisms.coaching.capacity=0")],
        &[],
        0,
    )
    .unwrap();
    let play = show.play(&Request::default()).unwrap();
    let coaching = slider(&play, "mechanisms.coaching.capacity");
    assert_eq!(coaching.value, 0.0);
    assert_eq!(
        coaching.label,
        "Coaching a successful school gives beyond its own resources (support units per term)"
    );
    assert!(
        coaching.note.contains("own resources")
            && coaching.note.contains("at 0, pockets still coach"),
        "{}",
        coaching.note
    );
    let coached: usize = play.panes[0]
        .coached
        .iter()
        .map(|t| t.iter().filter(|&&c| c == 1).count())
        .sum();
    assert!(
        coached > 0,
        "coached at capacity 0: what the words must explain"
    );
    assert!(domino::show::PAGE.contains("its own resources coach too, even at coaching capacity 0"));
    assert!(slider(&play, "budget.total").note.is_empty());
}
