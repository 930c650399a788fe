//! Drives the real `youhui serve` process over TCP as clients and operators do: status
//! codes, limits, slow and idle clients, chunked bodies, reloads (file change, SIGHUP, a
//! broken file), a load test during reloads, and graceful shutdown. Loopback only; every
//! wait is bounded.
#![cfg(feature = "serve")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

fn rules(name: &str, off: u32) -> String {
    format!(
        "ruleset \"{name}\" {{ stages 店铺 }}\nactivity a \"满100减{off}\" {{ stage 店铺 benefit 满100减{off} scope all }}\n"
    )
}

const BROKEN: &str = "ruleset \"broken\" { stages ";

const QUOTE: &str =
    r#"{"query": "quote", "cart": {"lines": [{"id": "L1", "price": "100.00", "qty": 1}]}}"#;

impl Server {
    /// Starts `youhui serve` on a free port with `text` as its rule file.
    fn start(tag: &str, text: &str, extra: &[&str]) -> Server {
        Server::launch(tag, text, extra, None)
    }

    /// Starts it with at most `fds` open file descriptors (`ulimit -n`).
    fn launch(tag: &str, text: &str, extra: &[&str], fds: Option<u32>) -> Server {
        let poll = ["--poll-ms", "50"];
        let extra = if extra.contains(&"--poll-ms") {
            extra.to_vec()
        } else {
            [extra, &poll].concat()
        };
        let dir = std::env::temp_dir().join(format!("youhui-serve-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rules.promo");
        std::fs::write(&path, text).unwrap();
        let mut command = match fds {
            None => Command::new(env!("CARGO_BIN_EXE_youhui")),
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(env!("CARGO_BIN_EXE_youhui"));
                sh
            }
        };
        let mut child = command
            .arg("serve")
            .arg(&path)
            .args(["--addr", "127.0.0.1:0"])
            .args(&extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn youhui serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        Server { child, addr, dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.join("rules.promo")
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// One request on a new connection.
    fn call(&self, method: &str, path: &str, headers: &[&str], body: &str) -> Reply {
        let mut s = self.connect();
        send(&mut s, method, path, headers, body.as_bytes());
        read_reply(&mut s).expect("a reply")
    }

    fn post(&self, path: &str, body: &str) -> Reply {
        self.call("POST", path, &["content-type: application/json"], body)
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// Waits until `/v1/rules` names `name`.
    fn wait_for_rules(&self, name: &str) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let r = self.call("GET", "/v1/rules", &[], "");
            if r.status == 200 && r.json()["name"] == name {
                return r.json();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no reload to {name}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn send(s: &mut TcpStream, method: &str, path: &str, headers: &[&str], body: &[u8]) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: test\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !headers.iter().any(|h| h.starts_with("transfer-encoding")) {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    // One write: a second small one would wait for the server's delayed ACK (Nagle).
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    s.write_all(&all).unwrap();
}

/// Reads one response (Content-Length framed, as the server always sends). `None` when the
/// server closed the connection first.
fn read_reply(s: &mut TcpStream) -> Option<Reply> {
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    // BufReader may have read ahead only within this response: the server sends nothing
    // unasked, so dropping it loses nothing.
    Some(Reply {
        status,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

fn metric(server: &Server, series: &str) -> f64 {
    let text = server.call("GET", "/metrics", &[], "").body;
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[test]
fn status_codes() {
    let s = Server::start(
        "status",
        &rules("v1", 10),
        &["--body-limit", "2000", "--batch-lines", "3"],
    );
    let r = s.post("/v1/ask", QUOTE);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["payable"], "90.00");
    assert_eq!(r.header("content-type"), Some("application/json"));

    // 400: not JSON, and a field no query has (named, with the suggestion).
    let r = s.post("/v1/ask", "{not json");
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (400, "bad_request".into())
    );
    let r = s.post("/v1/ask", &QUOTE.replace("\"cart\"", "\"kart\""));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["field"], "kart");

    // 422: readable, but the rules refuse it.
    let r = s.post(
        "/v1/ask",
        r#"{"id": 9, "query": "eligibility", "offer": "nope", "cart": {"lines": []}}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "unknown_offer");
    assert_eq!(r.json()["id"], 9);
    assert!(r.json()["summary"]["zh"].is_string());

    // 404, 405, 415, 413.
    assert_eq!(s.call("GET", "/nowhere", &[], "").status, 404);
    let r = s.call("GET", "/v1/ask", &[], "");
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (405, "method_not_allowed".into())
    );
    let r = s.call("POST", "/v1/ask/batch", &[], "{}\n{}\n{}\n{}\n");
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (413, "batch_too_large".into())
    );
    assert_eq!(
        s.call("POST", "/v1/ask/batch", &[], "{}\n{}\n{}\n").status,
        200
    );
    let r = s.call(
        "POST",
        "/v1/ask",
        &["content-type: application/xml"],
        "<q/>",
    );
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (415, "unsupported_media_type".into())
    );
    // A request without a content type is read as JSON (curl without -H).
    assert_eq!(s.call("POST", "/v1/ask", &[], QUOTE).status, 200);
    let big = format!(
        "{{\"query\": \"quote\", \"pad\": \"{}\"}}",
        "x".repeat(3000)
    );
    let r = s.post("/v1/ask", &big);
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (413, "body_too_large".into())
    );
    // Over the limit without a declared length (chunked): cut off while reading.
    let r = s.call(
        "POST",
        "/v1/ask",
        &[
            "content-type: application/json",
            "transfer-encoding: chunked",
        ],
        &chunked(&[&big[..1500], &big[1500..]]),
    );
    assert_eq!(r.status, 413);

    // The other routes.
    let r = s.call("GET", "/v1/offers", &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["offers"][0]["id"], "a");
    let r = s.call("GET", "/v1/rules", &[], "");
    assert_eq!(r.json()["name"], "v1");
    assert!(r.json()["loaded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(s.call("GET", "/healthz", &[], "").status, 200);
    let r = s.call("GET", "/readyz", &[], "");
    assert_eq!((r.status, r.json()["ready"].clone()), (200, true.into()));

    // Metrics count each outcome by query.
    assert_eq!(
        metric(&s, "youhui_requests_total{query=\"quote\",outcome=\"ok\"}"),
        2.0
    );
    assert_eq!(
        metric(
            &s,
            "youhui_requests_total{query=\"eligibility\",outcome=\"unknown_offer\"}"
        ),
        1.0
    );
    assert_eq!(metric(&s, "youhui_reloads_total{result=\"ok\"}"), 1.0);
    // The service's own refusals are counted too.
    assert_eq!(
        metric(
            &s,
            "youhui_requests_total{query=\"unknown\",outcome=\"unsupported_media_type\"}"
        ),
        1.0
    );
    assert_eq!(
        metric(
            &s,
            "youhui_requests_total{query=\"batch\",outcome=\"batch_too_large\"}"
        ),
        1.0
    );
    let text = s.call("GET", "/metrics", &[], "").body;
    assert!(
        text.contains("youhui_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("youhui_rules_info{name=\"v1\",fingerprint="),
        "{text}"
    );
}

fn chunked(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(&format!("{:x}\r\n{p}\r\n", p.len()));
    }
    out.push_str("0\r\n\r\n");
    out
}

#[test]
fn chunked_body_and_batch() {
    let s = Server::start("chunked", &rules("v1", 10), &[]);
    let (a, b) = QUOTE.split_at(20);
    let r = s.call(
        "POST",
        "/v1/ask",
        &[
            "content-type: application/json",
            "transfer-encoding: chunked",
        ],
        &chunked(&[a, b]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["payable"], "90.00");

    // A batch: one answer line per request line, in order, errors included.
    let lines = [
        QUOTE.replace("{\"query\"", "{\"id\": 1, \"query\""),
        r#"{"id": 2, "query": "nope"}"#.to_string(),
        QUOTE
            .replace("{\"query\"", "{\"id\": 3, \"query\"")
            .replace("100.00", "200.00"),
    ];
    let r = s.call(
        "POST",
        "/v1/ask/batch",
        &["content-type: application/x-ndjson"],
        &(lines.join("\n") + "\n"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let answers: Vec<serde_json::Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["id"], 1);
    assert_eq!(answers[0]["payable"], "90.00");
    assert_eq!(answers[1]["error"]["code"], "bad_request");
    assert_eq!(answers[2]["payable"], "190.00");
}

/// A batch has a time of its own (`--batch-deadline-ms`): lines still waiting when it has
/// passed are answered `budget_exceeded`, with their ids, in order, without being evaluated.
#[test]
fn a_batch_that_runs_out_of_time_answers_every_line() {
    let s = Server::start("batchtime", &rules("v1", 10), &["--batch-deadline-ms", "1"]);
    let cart: Vec<String> = (0..30)
        .map(|i| format!(r#"{{"id": "L{i}", "price": "{}.00", "qty": 2}}"#, 100 + i))
        .collect();
    let lines: Vec<String> = (0..300)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "query": "quote", "cart": {{"lines": [{}]}}}}"#,
                cart.join(", ")
            )
        })
        .collect();
    let started = Instant::now();
    let r = s.call(
        "POST",
        "/v1/ask/batch",
        &["content-type: application/x-ndjson"],
        &(lines.join("\n") + "\n"),
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(r.status, 200);
    let answers: Vec<serde_json::Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 300);
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a["id"], i, "{a}");
    }
    let last = &answers[299]["error"];
    assert_eq!(last["code"], "budget_exceeded", "{last}");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("batch ran out of time"),
        "{last}"
    );
}

#[test]
fn slow_and_idle_clients_do_not_stall_others() {
    let s = Server::start(
        "slow",
        &rules("v1", 10),
        &["--header-timeout-ms", "1500", "--body-timeout-ms", "600"],
    );
    // 500 idle connections, a slowloris sending a header byte every 100 ms, and a client
    // that sent its headers but not its body.
    let idle: Vec<TcpStream> = (0..500).map(|_| s.connect()).collect();
    let mut slow = s.connect();
    let slow_writer = {
        let mut w = slow.try_clone().unwrap();
        std::thread::spawn(move || {
            for b in b"POST /v1/ask HTTP/1.1\r\nhost: slow\r\n".iter() {
                if w.write_all(&[*b]).is_err() {
                    return true; // cut off
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            false
        })
    };
    let mut no_body = s.connect();
    no_body
        .write_all(b"POST /v1/ask HTTP/1.1\r\nhost: t\r\ncontent-length: 100\r\n\r\n{")
        .unwrap();

    // Normal requests go through at once, on new connections and on a kept-alive one.
    let started = Instant::now();
    let mut keep = s.connect();
    for _ in 0..20 {
        assert_eq!(s.post("/v1/ask", QUOTE).status, 200);
        send(&mut keep, "POST", "/v1/ask", &[], QUOTE.as_bytes());
        assert_eq!(read_reply(&mut keep).unwrap().status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "40 requests next to slow clients took {:?}",
        started.elapsed()
    );

    // The client without a body gets 408 after the body deadline.
    let r = read_reply(&mut no_body).expect("a 408");
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (408, "request_timeout".into())
    );
    // The slowloris is cut off after the header deadline (a 408 or a closed connection).
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    assert!(
        slow_writer.join().unwrap(),
        "the slowloris was never cut off"
    );
    drop(idle);
}

#[test]
fn starts_without_rules_then_reloads_on_change_and_sighup() {
    // Started on a broken file: alive, not ready, 503 for questions.
    let s = Server::start("reload", BROKEN, &["--settle-ms", "50"]);
    assert_eq!(s.call("GET", "/healthz", &[], "").status, 200);
    let r = s.call("GET", "/readyz", &[], "");
    assert_eq!((r.status, r.json()["ready"].clone()), (503, false.into()));
    assert!(r.json()["refused"]["report"]
        .as_str()
        .unwrap()
        .contains("error["));
    let r = s.post("/v1/ask", QUOTE);
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (503, "no_rules".into())
    );

    // A good file appears: ready.
    std::fs::write(s.path(), rules("v1", 10)).unwrap();
    s.wait_for_rules("v1");
    assert_eq!(s.post("/v1/ask", QUOTE).json()["payable"], "90.00");

    // A broken file: refused, the old rules answer, readyz shows it.
    let refused_before = metric(&s, "youhui_reloads_total{result=\"refused\"}");
    std::fs::write(s.path(), BROKEN).unwrap();
    let start = Instant::now();
    let r = loop {
        let r = s.call("GET", "/readyz", &[], "");
        let v = r.json();
        if v["refused"]["at"].as_str() > v["loaded_at"].as_str() {
            break r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the broken file was not refused: {v}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(r.status, 200, "still ready: the old rules answer");
    assert!(r.json()["refused"]["report"]
        .as_str()
        .unwrap()
        .contains("error["));
    assert!(metric(&s, "youhui_reloads_total{result=\"refused\"}") > refused_before);
    assert_eq!(s.post("/v1/ask", QUOTE).json()["payable"], "90.00");

    std::fs::write(s.path(), rules("v2", 20)).unwrap();
    s.wait_for_rules("v2");
    assert_eq!(s.post("/v1/ask", QUOTE).json()["payable"], "80.00");
}

#[test]
fn sighup_reloads_at_once() {
    // A settle time far longer than the test: only SIGHUP can load the new file.
    let s = Server::start("hup", &rules("v1", 10), &["--settle-ms", "600000"]);
    std::fs::write(s.path(), rules("v2", 20)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(s.call("GET", "/v1/rules", &[], "").json()["name"], "v1");
    s.signal("HUP");
    s.wait_for_rules("v2");
}

#[test]
fn answers_stay_consistent_while_the_file_is_rewritten() {
    let v1 = rules("v1", 10);
    let v2 = rules("v2", 20);
    // A settle time shorter than the rewrite period, so reloads happen during the test.
    let s = Server::start("load", &v1, &["--settle-ms", "80", "--poll-ms", "20"]);
    let fingerprints = |text: &str| youhui::RuleSet::parse(text).unwrap().fingerprint_hex();
    let valid = [fingerprints(&v1), fingerprints(&v2)];
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, done) = (s.path(), std::sync::Arc::clone(&done));
        std::thread::spawn(move || {
            let versions = [v2.as_str(), BROKEN, v1.as_str(), BROKEN];
            let mut i = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                // In place and in two writes, as an editor might: the first line alone is
                // a valid rule set of its own, which must never be installed.
                let text = versions[i % versions.len()];
                let split = text.find('\n').map_or(text.len(), |n| n + 1);
                let mut file = std::fs::File::create(&path).unwrap();
                file.write_all(&text.as_bytes()[..split]).unwrap();
                std::thread::sleep(Duration::from_millis(1));
                file.write_all(&text.as_bytes()[split..]).unwrap();
                drop(file);
                i += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let batch = (0..5).map(|_| QUOTE).collect::<Vec<_>>().join("\n");
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let addr = s.addr.clone();
            let batch = batch.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut conn = TcpStream::connect(&addr).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                for i in 0..500 {
                    let is_batch = (i + c) % 10 == 0;
                    let (path, body) = if is_batch {
                        ("/v1/ask/batch", batch.as_str())
                    } else {
                        ("/v1/ask", QUOTE)
                    };
                    send(&mut conn, "POST", path, &[], body.as_bytes());
                    let r = read_reply(&mut conn).expect("a reply");
                    assert_eq!(r.status, 200, "{}", r.body);
                    let answers: Vec<serde_json::Value> = r
                        .body
                        .lines()
                        .map(|l| serde_json::from_str(l).expect("well-formed JSON"))
                        .collect();
                    assert_eq!(answers.len(), if is_batch { 5 } else { 1 });
                    let first = answers[0]["rules"]["fingerprint"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    for a in &answers {
                        assert_eq!(
                            a["rules"]["fingerprint"],
                            first.as_str(),
                            "a batch mixed rule sets"
                        );
                        let expected = if a["rules"]["name"] == "v1" {
                            "90.00"
                        } else {
                            "80.00"
                        };
                        assert_eq!(a["payable"], expected, "{a}");
                    }
                    seen.push(first);
                    std::thread::sleep(Duration::from_millis(2));
                }
                seen
            })
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for c in clients {
        seen.extend(c.join().expect("a client failed"));
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    for f in &seen {
        assert!(
            valid.contains(f),
            "an answer from rules {f} that were never valid"
        );
    }
    assert_eq!(
        seen.len(),
        2,
        "the rules never changed during the test: {seen:?}"
    );
    assert!(metric(&s, "youhui_reloads_total{result=\"refused\"}") >= 1.0);
}

#[test]
fn sigterm_finishes_requests_in_flight() {
    let s = Server::start("term", &rules("v1", 10), &[]);
    // A connection the server has surely accepted (one request answered on it), then a
    // request in flight on it: headers sent, body not yet.
    let mut in_flight = s.connect();
    send(&mut in_flight, "GET", "/healthz", &[], b"");
    assert_eq!(read_reply(&mut in_flight).unwrap().status, 200);
    let head = format!(
        "POST /v1/ask HTTP/1.1\r\nhost: t\r\ncontent-length: {}\r\n\r\n",
        QUOTE.len()
    );
    in_flight.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    s.signal("TERM");
    // New connections are refused once the listener is closed.
    let start = Instant::now();
    while TcpStream::connect(&s.addr).is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still accepting after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    in_flight.write_all(QUOTE.as_bytes()).unwrap();
    let r = read_reply(&mut in_flight).expect("the request in flight was answered");
    assert_eq!(
        (r.status, r.json()["payable"].clone()),
        (200, "90.00".into())
    );
    let mut s = s;
    let start = Instant::now();
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "exit {status}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn clients_that_do_not_read_or_flood_headers_are_cut_off() {
    let s = Server::start(
        "noread",
        &rules("v1", 10),
        &["--write-timeout-ms", "300", "--batch-lines", "20000"],
    );
    // A batch whose answer (about 12 MB) is far larger than the socket buffers, never read.
    let lines = vec![QUOTE; 12_000].join("\n");
    let mut lazy = s.connect();
    send(&mut lazy, "POST", "/v1/ask/batch", &[], lines.as_bytes());
    std::thread::sleep(Duration::from_millis(2500));
    // Meanwhile others are served.
    assert_eq!(s.post("/v1/ask", QUOTE).status, 200);
    // The stalled write was given up: the connection ends before the whole answer.
    let mut got = Vec::new();
    match lazy.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) => assert_eq!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset,
            "the server kept the connection of a client that does not read: {e}"
        ),
    }
    let text = String::from_utf8_lossy(&got);
    let (head, _) = text
        .split_once("\r\n\r\n")
        .expect("the answer's head arrived");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|n| n.parse().ok())
        .expect("a content-length");
    assert!(
        got.len() < head.len() + 4 + length,
        "the whole answer ({length} bytes) arrived"
    );

    // A header line that never ends is refused once it passes hyper's buffer limit.
    let mut flood = s.connect();
    let started = Instant::now();
    let _ = flood.write_all(b"GET /healthz HTTP/1.1\r\nx-flood: ");
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..32 {
        if flood.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut rest = Vec::new();
    let _ = flood.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || text.starts_with("HTTP/1.1 431"),
        "{text}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(s.post("/v1/ask", QUOTE).status, 200);
}

/// CPU seconds the process has used (Linux /proc).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[test]
#[cfg(target_os = "linux")]
fn out_of_file_descriptors_waits_instead_of_spinning() {
    let s = Server::launch(
        "emfile",
        &rules("v1", 10),
        &["--header-timeout-ms", "60000"],
        Some(48),
    );
    // More connections than the server has descriptors: it runs out while accepting.
    let idle: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(&s.addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_seconds(s.child.id());
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_seconds(s.child.id()) - before;
    assert!(
        used < 0.5,
        "{used} CPU seconds in 1.5 s while out of descriptors"
    );
    // Descriptors come back when the clients leave; then it serves again.
    drop(idle);
    let started = Instant::now();
    loop {
        let mut conn = s.connect();
        send(&mut conn, "GET", "/healthz", &[], b"");
        if read_reply(&mut conn).is_some_and(|r| r.status == 200) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no recovery");
        std::thread::sleep(Duration::from_millis(50));
    }
}
