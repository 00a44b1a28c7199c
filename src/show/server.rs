//! The show server: the page and its JSON on a few fixed routes, answered by a fixed pool of
//! worker threads (bounded concurrency: a room of phones cannot start more runs at once than
//! there are workers). Nothing is ever read from the filesystem on a request's behalf.
//!
//! Routes: `GET /` (the page), `GET /api/play` (the scenario as given), `POST /api/play` (a
//! [`Request`] as JSON). Anything else is 404. A bad request is answered 400 with
//! `{"error": TEXT}`, TEXT being the validation message a scenario file would get.

use super::{Request, Show};
use crate::error::InputError;
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Response, Server};

/// Worker threads answering requests.
pub const WORKERS: usize = 8;

/// Largest request body read, bytes.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// Answers kept, so that a room polling the same play gets it without running it again.
const CACHE: usize = 64;

/// A bound server: [`Serving::url`] says where, [`Serving::run`] answers until the process ends.
pub struct Serving {
    server: Arc<Server>,
    show: Arc<Show>,
    cache: Arc<Mutex<Cache>>,
}

#[derive(Default)]
struct Cache {
    answers: HashMap<String, Arc<(u16, String)>>,
    order: VecDeque<String>,
}

impl Cache {
    fn get(&self, key: &str) -> Option<Arc<(u16, String)>> {
        self.answers.get(key).cloned()
    }

    fn put(&mut self, key: String, answer: Arc<(u16, String)>) {
        if self.answers.insert(key.clone(), answer).is_none() {
            self.order.push_back(key);
            while self.order.len() > CACHE {
                if let Some(old) = self.order.pop_front() {
                    self.answers.remove(&old);
                }
            }
        }
    }
}

impl Serving {
    /// Binds `host:port` (port 0: any free port). A host that is not an address of this
    /// computer, or a port in use, is bad input: the message says what `--host` or `--port`
    /// takes.
    pub fn bind(show: Show, host: &str, port: u16) -> anyhow::Result<Self> {
        use std::net::ToSocketAddrs;
        let expected = "expected an IP address of this computer: 127.0.0.1 (this computer only) \
                        or 0.0.0.0 (the room's network)";
        let resolved = (host, port)
            .to_socket_addrs()
            .map_err(|_| InputError::field("--host", format!("{expected}; got \"{host}\"")))?;
        if resolved.len() == 0 {
            return Err(InputError::field("--host", format!("{expected}; got \"{host}\"")).into());
        }
        let server = Server::http((host, port)).map_err(|e| {
            let kind = e.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
            match kind {
                Some(std::io::ErrorKind::AddrInUse) => anyhow::Error::new(InputError::field(
                    "--port",
                    format!(
                        "cannot listen on {host}:{port}: another program uses port {port}; \
                         choose another with --port, or --port 0 for any free port"
                    ),
                )),
                Some(std::io::ErrorKind::AddrNotAvailable) => {
                    anyhow::Error::new(InputError::field(
                        "--host",
                        format!(
                            "cannot listen on {host}: not an address of this computer; {expected}"
                        ),
                    ))
                }
                _ => anyhow::anyhow!("cannot listen on {host}:{port}: {e}"),
            }
        })?;
        Ok(Self {
            server: Arc::new(server),
            show: Arc::new(show),
            cache: Arc::default(),
        })
    }

    /// The address bound, as `http://HOST:PORT/`.
    pub fn url(&self) -> String {
        match self.server.server_addr().to_ip() {
            Some(a) => format!("http://{a}/"),
            None => "http://127.0.0.1/".to_string(),
        }
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.server.server_addr().to_ip().map_or(0, |a| a.port())
    }

    /// True when bound to every address (0.0.0.0 or ::): the room's network.
    pub fn is_unspecified(&self) -> bool {
        self.server
            .server_addr()
            .to_ip()
            .is_some_and(|a| a.ip().is_unspecified())
    }

    /// Where a browser on this computer opens the page: [`Serving::url`], or loopback when
    /// bound to every address (a browser cannot open `http://0.0.0.0/` everywhere).
    pub fn local_url(&self) -> String {
        match self.server.server_addr().to_ip() {
            Some(a) if a.ip().is_ipv6() && a.ip().is_unspecified() => {
                format!("http://[::1]:{}/", a.port())
            }
            Some(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}/", a.port()),
            _ => self.url(),
        }
    }

    /// Answers requests on [`WORKERS`] threads until the process ends.
    pub fn run(self) {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let server = Arc::clone(&self.server);
                let show = Arc::clone(&self.show);
                let cache = Arc::clone(&self.cache);
                std::thread::spawn(move || {
                    for request in server.incoming_requests() {
                        answer(&show, &cache, request);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn respond(request: tiny_http::Request, status: u16, kind: &str, body: &str) {
    let response = Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    // A client that went away is not the server's problem.
    let _ = request.respond(response);
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// The answer to a play request body (empty: the scenario as given), from the cache if it was
/// asked before.
fn play(show: &Show, cache: &Mutex<Cache>, body: &str) -> Arc<(u16, String)> {
    let key = body.trim().to_string();
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key)) {
        return hit;
    }
    let request: Result<Request, String> = if key.is_empty() {
        Ok(Request::default())
    } else {
        serde_json::from_str(&key).map_err(|e| format!("request: {e}"))
    };
    let answer = match request {
        Err(e) => (400, error_json(&e)),
        Ok(r) => match show.play(&r) {
            Ok(p) => (
                200,
                serde_json::to_string(&p).unwrap_or_else(|e| error_json(&e.to_string())),
            ),
            Err(e) => (400, error_json(&e.to_string())),
        },
    };
    let answer = Arc::new(answer);
    if let Ok(mut c) = cache.lock() {
        c.put(key, Arc::clone(&answer));
    }
    answer
}

fn too_large() -> String {
    error_json(&format!(
        "request: larger than {MAX_BODY} bytes (a play request is a few hundred)"
    ))
}

fn answer(show: &Show, cache: &Mutex<Cache>, mut request: tiny_http::Request) {
    const JSON: &str = "application/json; charset=utf-8";
    // Only these exact routes; the query string, if any, is ignored.
    let route = request.url().split('?').next().unwrap_or("").to_string();
    match (request.method(), route.as_str()) {
        (Method::Get, "/" | "/index.html") => {
            respond(request, 200, "text/html; charset=utf-8", super::PAGE)
        }
        (Method::Get, "/api/play") => {
            let a = play(show, cache, "");
            respond(request, a.0, JSON, &a.1)
        }
        (Method::Post, "/api/play") => {
            // Refused on the declared length, before the body is touched. (Dropping the request
            // still drains the unread body, through a fixed buffer since vendor/tiny_http's
            // patch; 0.12.0 allocated the declared length and aborted.)
            if request.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
                return respond(request, 413, JSON, &too_large());
            }
            let mut body = String::new();
            let read = request
                .as_reader()
                .take(MAX_BODY + 1)
                .read_to_string(&mut body);
            if read.is_err() {
                return respond(
                    request,
                    400,
                    JSON,
                    &error_json("request: the body is not UTF-8 text"),
                );
            }
            if body.len() as u64 > MAX_BODY {
                return respond(request, 413, JSON, &too_large());
            }
            let a = play(show, cache, &body);
            respond(request, a.0, JSON, &a.1)
        }
        _ => respond(request, 404, JSON, &error_json("not found")),
    }
}
