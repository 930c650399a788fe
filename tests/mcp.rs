//! Drives the real `youhui mcp` process with JSON-RPC over stdio, as an MCP client does:
//! initialize, tools/list, tools/call (an answer, an error answer, an unknown tool),
//! resources, a reload of the rule file with its notifications, and a clean exit when the
//! client closes stdin.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(rules: &str) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_youhui"))
            .args(["mcp", rules])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn youhui mcp");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // stdout carries JSON-RPC only.
                let v: Value = serde_json::from_str(&line).expect("a JSON-RPC line");
                assert_eq!(v["jsonrpc"], "2.0", "{line}");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut c = Client {
            child,
            stdin,
            lines,
            next_id: 0,
        };
        let init = c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "youhui-test", "version": "0"}}),
        );
        assert_eq!(init["result"]["protocolVersion"], "2025-06-18", "{init}");
        assert_eq!(init["result"]["serverInfo"]["name"], "youhui");
        assert_eq!(init["result"]["capabilities"]["tools"]["listChanged"], true);
        c.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        c
    }

    fn send(&mut self, v: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message that is not a notification.
    fn reply(&mut self) -> Value {
        loop {
            let v = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .expect("an answer within 20 s");
            if v.get("id").is_some() {
                return v;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let r = self.reply();
        assert_eq!(r["id"], id);
        r
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    fn notification(&mut self, method: &str) -> Value {
        loop {
            let v = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no {method} within 20 s"));
            if v["method"] == method {
                return v;
            }
        }
    }

    /// Closes stdin; the server must exit 0.
    fn finish(mut self) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

fn cart() -> Value {
    json!({"lines": [{"id": "L1", "sku": "SHOE-1", "shop": "nike", "category": "鞋",
                      "tags": ["双11"], "price": "699.00", "qty": 1}]})
}

#[test]
fn tools_list_call_and_resources() {
    let mut c = Client::start("examples/double11.promo");
    let list = c.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, youhui::tools::TOOL_NAMES);
    assert_eq!(tools[0]["inputSchema"]["type"], "object");

    // A quote as a strict model sends it: every optional field present, null.
    let r = c.call(
        "quote",
        json!({"cart": cart(), "context": {"now": "2026-11-11T10:00:00+08:00", "user": null,
               "channel": null, "shipping_fee": "10.00", "wallet": null}, "coupons": ["shop20"]}),
    );
    let result = &r["result"];
    assert_eq!(result["isError"], false, "{r}");
    let structured = &result["structuredContent"];
    assert!(structured["payable"].is_string());
    assert!(structured["summary"]["zh"]
        .as_str()
        .unwrap()
        .starts_with("应付"));
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text, structured, "the text content is the same answer");

    // An answer that is an error is a tool result the model can read and correct.
    let r = c.call(
        "eligibility",
        json!({"offer": "店铺券", "cart": cart(), "context": null}),
    );
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert_eq!(
        r["result"]["structuredContent"]["error"]["code"],
        "unknown_offer"
    );
    assert_eq!(
        r["result"]["structuredContent"]["error"]["suggestions"][0],
        "shop20"
    );

    // An unknown tool is a protocol error.
    let r = c.call("qoute", json!({}));
    assert_eq!(r["error"]["code"], -32602, "{r}");

    let r = c.request("resources/list", json!({}));
    assert_eq!(r["result"]["resources"][0]["uri"], "youhui://offers");
    let r = c.request("resources/read", json!({"uri": "youhui://offers"}));
    let offers: Value =
        serde_json::from_str(r["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert!(offers["offers"].as_array().unwrap().len() >= 5);
    assert_eq!(offers["rules"]["name"], "天猫双11 旗舰店示例");
    c.finish();
}

#[test]
fn a_changed_rule_file_is_reloaded_and_announced() {
    let dir = std::env::temp_dir().join(format!("youhui-mcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.promo");
    let v1 = "ruleset \"店\" { stages 店铺 }\ncoupon c1 \"满100减10\" { stage 店铺 benefit 满100减10 scope all }\n";
    std::fs::write(&path, v1).unwrap();
    let mut c = Client::start(path.to_str().unwrap());
    let list = c.request("tools/list", json!({}));
    let coupons =
        &list["result"]["tools"][0]["inputSchema"]["properties"]["coupons"]["items"]["enum"];
    assert_eq!(coupons, &json!(["c1"]));

    // A broken file is refused: the old rules keep answering.
    std::fs::write(&path, "ruleset {").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let r = c.call("offers", json!({}));
    assert_eq!(r["result"]["structuredContent"]["offers"][0]["id"], "c1");

    // A good one is installed and announced.
    let v2 = v1.replace("c1", "c2");
    std::fs::write(&path, v2).unwrap();
    c.notification("notifications/tools/list_changed");
    let list = c.request("tools/list", json!({}));
    let coupons =
        &list["result"]["tools"][0]["inputSchema"]["properties"]["coupons"]["items"]["enum"];
    assert_eq!(coupons, &json!(["c2"]));
    c.finish();
    std::fs::remove_dir_all(&dir).ok();
}
