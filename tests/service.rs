//! Drives the `service` example (youhui inside the user's own axum app): answers over HTTP
//! with the protocol's status codes, reloads a changed rule file, refuses a bad one and
//! keeps serving the old rules.
#![cfg(feature = "serve")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn http(addr: &str, method: &str, path: &str, body: &str) -> (String, serde_json::Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").expect("HTTP response");
    let status = head.lines().next().unwrap_or("").to_string();
    (status, serde_json::from_str(body).expect("JSON body"))
}

fn rules(name: &str, off: u32) -> String {
    format!(
        "ruleset \"{name}\" {{ stages 店铺 }}\nactivity a \"满100减{off}\" {{ stage 店铺 benefit 满100减{off} }}\n"
    )
}

const QUOTE: &str =
    r#"{"query": "quote", "cart": {"lines": [{"id": "L1", "price": "100.00", "qty": 1}]}}"#;

fn wait_for(addr: &str, name: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let (_, v) = http(addr, "POST", "/price", QUOTE);
        if v["rules"]["name"] == name {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no reload to {name}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serves_reloads_and_keeps_old_rules_on_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("youhui-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.promo");
    std::fs::write(&path, rules("v1", 10)).unwrap();
    let mut child = Command::new(common::example_binary("service"))
        .arg(&path)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn service");
    let stdout = child.stdout.take().unwrap();
    let service = Service(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("address")
        .to_string();

    let (status, v) = http(&addr, "POST", "/price", QUOTE);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(v["payable"], "90.00");
    assert_eq!(v["rules"]["name"], "v1");

    std::fs::write(&path, rules("v2-longer", 20)).unwrap();
    wait_for(&addr, "v2-longer");
    let (_, v) = http(&addr, "POST", "/price", QUOTE);
    assert_eq!(v["payable"], "80.00");

    // A bad file: refused, the old rules keep answering.
    std::fs::write(&path, "ruleset \"broken\" { stages ").unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let (_, v) = http(&addr, "POST", "/price", QUOTE);
    assert_eq!(v["payable"], "80.00");
    assert_eq!(v["rules"]["name"], "v2-longer");

    // Bad JSON gets an error answer, not a dropped connection.
    let (status, v) = http(&addr, "POST", "/price", "{not json");
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert_eq!(v["error"]["code"], "bad_request");
    let (status, v) = http(
        &addr,
        "POST",
        "/price",
        r#"{"query": "eligibility", "offer": "x", "cart": {"lines": []}}"#,
    );
    assert_eq!(status, "HTTP/1.1 422 Unprocessable Entity");
    assert_eq!(v["error"]["code"], "unknown_offer");
    drop(service);
    std::fs::remove_dir_all(&dir).ok();
}
