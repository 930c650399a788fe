//! `service`: youhui inside a Rust service. Worker threads share one rule set through
//! [`youhui::SharedRules`]; a watcher reloads the rule file when it changes; a small HTTP
//! front answers `POST /ask` with the same JSON as `ask` (std only, one request per
//! connection: a sketch of the integration, not a production HTTP server).
//!
//! ```text
//! cargo run --release --example service -- examples/double11.promo [--addr 127.0.0.1:8080]
//!     [--workers 2] [--poll-ms 1000]
//! curl -s localhost:8080/ask -d '{"query": "can_stack", "a": "plat", "b": "shop20"}'
//! curl -s localhost:8080/rules        # {"name": ..., "fingerprint": ...}
//! ```
//!
//! - Each request takes a snapshot of the rules (`SharedRules::current`, one `Arc` clone) and
//!   answers from it, so requests in flight finish on the old rules during a reload.
//! - The watcher checks the file's modification time and length every `--poll-ms`; a new
//!   file that does not compile is reported on stderr and the old rules stay.
//! - The first line on stdout is `listening on ADDR` (useful with `--addr 127.0.0.1:0`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use youhui::{ErrorBody, SharedRules};

/// Largest request body read (the `ask` line limit).
const MAX_BODY: usize = youhui::limits::MAX_REQUEST_BYTES;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    let Some(path) = args.first().filter(|a| !a.starts_with("--")) else {
        eprintln!("usage: service RULES.promo [--addr HOST:PORT] [--workers N] [--poll-ms MS]");
        std::process::exit(2);
    };
    let addr = opt("--addr").unwrap_or_else(|| "127.0.0.1:8080".into());
    let workers: usize = opt("--workers").and_then(|w| w.parse().ok()).unwrap_or(2);
    let poll = Duration::from_millis(
        opt("--poll-ms")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1000),
    );

    let rules = match SharedRules::from_file(path) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let listener = match TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    println!("listening on {local}");

    // The watcher: new requests see a good new file; a bad one is reported and ignored.
    {
        let rules = Arc::clone(&rules);
        std::thread::spawn(move || loop {
            std::thread::sleep(poll);
            match rules.reload_if_changed() {
                Ok(true) => eprintln!(
                    "reloaded: fingerprint {}",
                    rules.current().fingerprint_hex()
                ),
                Ok(false) => {}
                Err(e) => eprintln!("reload refused, old rules stay:\n{e}"),
            }
        });
    }

    // Workers take connections from one queue.
    let (tx, rx) = mpsc::channel::<TcpStream>();
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..workers.max(1) {
        let (rx, rules) = (Arc::clone(&rx), Arc::clone(&rules));
        std::thread::spawn(move || loop {
            let next = rx.lock().map(|r| r.recv());
            let Ok(Ok(stream)) = next else { return };
            if let Err(e) = serve(stream, &rules) {
                eprintln!("connection: {e}");
            }
        });
    }
    for stream in listener.incoming().flatten() {
        if tx.send(stream).is_err() {
            break;
        }
    }
}

/// Reads one HTTP request and writes one response.
fn serve(stream: TcpStream, rules: &SharedRules) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(usize::MAX);
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    // One snapshot for the whole request.
    let snapshot = rules.current();
    let (status, body) = match (method, target) {
        ("POST", "/ask") if length > MAX_BODY => (
            "413 Payload Too Large",
            json(&snapshot.error_response(ErrorBody::bad_request(
                format!("a request is at most {MAX_BODY} bytes"),
                None,
                None,
            ))),
        ),
        ("POST", "/ask") => {
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body)?;
            let response = snapshot.answer_line(&body);
            ("200 OK", json(&response))
        }
        ("GET", "/rules") => (
            "200 OK",
            serde_json::json!({"name": snapshot.name(), "fingerprint": snapshot.fingerprint_hex()})
                .to_string(),
        ),
        _ => (
            "404 Not Found",
            r#"{"error": {"code": "not_found", "message": "POST /ask or GET /rules"}}"#.into(),
        ),
    };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    out.flush()
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|e| format!(r#"{{"error": {{"code": "internal", "message": "{e}"}}}}"#))
}
