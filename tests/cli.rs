//! Drives the real `youhui` binary as a user does: `ask` gives one answer per request line,
//! in order, bad lines answered with errors and the next line still served; `check`, `fmt`,
//! `schema`, `tools` and the usage errors behave as documented.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Stdio};

const YOUHUI: &str = env!("CARGO_BIN_EXE_youhui");

mod common;

fn run(args: &[&str], input: &[u8]) -> (i32, String) {
    run_bin(std::path::Path::new(YOUHUI), args, input)
}

/// Runs `bin ARGS` in the crate's folder with `input` on stdin: its exit code and stdout.
fn run_bin(bin: &std::path::Path, args: &[&str], input: &[u8]) -> (i32, String) {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn youhui");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 answers"),
    )
}

/// Serves `input` with the 双11 rules; the process must exit 0 and every output line must be
/// one JSON answer.
fn serve_double11(input: &[u8]) -> Vec<serde_json::Value> {
    let (code, out) = run(&["ask", "examples/double11.promo"], input);
    assert_eq!(code, 0);
    out.lines()
        .map(|l| serde_json::from_str(l).expect("json answer"))
        .collect()
}

#[test]
fn one_answer_per_line_in_order_errors_included() {
    let good = br#"{"query": "can_stack", "a": "plat", "b": "shop20"}"#;
    let mut input: Vec<u8> = Vec::new();
    for line in [
        &good[..],
        b"not json",
        b"",
        br#"{"query": "quote"}"#,
        b"[1,2]",
        &[0xff, 0xfe, b'{'],
        &good[..],
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let lines = serve_double11(&input);
    assert_eq!(lines.len(), 7, "{lines:?}");
    for i in [0, 6] {
        assert_eq!(lines[i]["stack"], false);
        assert_eq!(lines[i]["rule"], "excludes");
    }
    for bad in &lines[1..6] {
        assert_eq!(bad["error"]["code"], "bad_request", "{bad}");
        assert_eq!(bad["rules"]["name"], "天猫双11 旗舰店示例");
    }
}

#[test]
fn check_exit_codes() {
    let (code, out) = run(&["check", "examples/double11.promo"], b"");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors"));
    let (code, out) = run(
        &["check", "tests/golden/language/err/many_errors.promo"],
        b"",
    );
    assert_eq!(code, 1);
    assert!(out.contains("expected an amount after \"满\", found \"减\""));
    let (code, out) = run(
        &[
            "check",
            "tests/golden/language/err/many_errors.promo",
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json report");
    assert_eq!(v["ok"], false);
    assert_eq!(v["diagnostics"][0]["code"], "syntax");
    assert_eq!(v["diagnostics"][0]["line"], 6);
    let (code, _) = run(&["check", "no/such/file.promo"], b"");
    assert_eq!(code, 2);
}

#[test]
fn fmt_is_idempotent_keeps_comments_and_meaning() {
    let dir = std::env::temp_dir().join(format!("youhui-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for canonical in [false, true] {
        let flag: &[&str] = if canonical { &["--canonical"] } else { &[] };
        let (code, once) = run(&[&["fmt", "examples/double11.promo"], flag].concat(), b"");
        assert_eq!(code, 0);
        let file = dir.join("once.promo");
        std::fs::write(&file, &once).unwrap();
        let (code, twice) = run(&[&["fmt", file.to_str().unwrap()], flag].concat(), b"");
        assert_eq!(code, 0);
        assert_eq!(once, twice);
        let original = std::fs::read_to_string("examples/double11.promo").unwrap();
        let fp = |t: &str| youhui::RuleSet::parse(t).unwrap().fingerprint_hex();
        assert_eq!(fp(&once), fp(&original), "fmt changed the meaning");
        if !canonical {
            // Every comment and every benefit phrase as the author wrote them.
            for line in original.lines() {
                if let Some(i) = line.find('#') {
                    assert!(once.contains(line[i..].trim_end()), "lost {line:?}");
                }
                if let Some(b) = line.trim().strip_prefix("benefit ") {
                    let phrase = b.split('#').next().unwrap().trim();
                    assert!(once.contains(phrase), "rewrote {phrase:?}");
                }
            }
        }
    }
    // A broken file is reported, not rearranged.
    let (code, out) = run(&["fmt", "tests/golden/language/err/many_errors.promo"], b"");
    assert_eq!((code, out.as_str()), (1, ""));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_over_long_line_is_refused_and_the_next_served() {
    let good = br#"{"query": "can_stack", "a": "plat", "b": "shop20"}"#;
    let mut input = Vec::new();
    input.extend_from_slice(good);
    input.extend_from_slice(b"\r\n");
    // 10 MB of one line, then a normal request.
    input.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    input.push(b'\n');
    input.extend_from_slice(good);
    input.push(b'\n');
    let lines = serve_double11(&input);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["rule"], "excludes");
    assert_eq!(lines[1]["error"]["code"], "bad_request");
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("longer than"));
    assert_eq!(lines[2]["rule"], "excludes");
}

#[test]
fn a_closed_stdout_ends_the_process_with_status_3() {
    let mut child = Command::new(YOUHUI)
        .args(["ask", "examples/double11.promo"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn youhui");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let line = b"{\"query\": \"can_stack\", \"a\": \"plat\", \"b\": \"shop20\"}\n";
    // The process may exit before all of this is written; a broken pipe here is expected.
    for _ in 0..1000 {
        if stdin.write_all(line).is_err() {
            break;
        }
    }
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3));
}

#[test]
fn a_line_of_exactly_the_limit_is_served() {
    let limit = youhui::limits::MAX_REQUEST_BYTES;
    let head = br#"{"query": "can_stack", "a": "plat", "b": "shop20""#;
    let mut at_limit = head.to_vec();
    at_limit.resize(limit - 1, b' ');
    at_limit.push(b'}');
    assert_eq!(at_limit.len(), limit);
    let mut over = at_limit.clone();
    over.insert(head.len(), b' ');
    let mut input = at_limit;
    input.push(b'\n');
    input.extend_from_slice(&over);
    input.push(b'\n');
    let lines = serve_double11(&input);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["rule"], "excludes");
    assert_eq!(lines[1]["error"]["code"], "bad_request");
}

#[test]
fn schema_prints_the_schemas() {
    let (code, out) = run(&["schema"], b"");
    assert_eq!(code, 0);
    let request: serde_json::Value = serde_json::from_str(&out).expect("JSON schema");
    assert_eq!(request["title"], "Request");
    let (code, out) = run(&["schema", "answer"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("\"Response\""));
    let (code, _) = run(&["schema", "nonsense"], b"");
    assert_eq!(code, 2);
}

#[test]
fn help_version_and_usage_errors() {
    let (code, out) = run(&["--help"], b"");
    assert_eq!(code, 0);
    for sub in ["ask", "check", "fmt", "dump", "schema", "tools", "mcp"] {
        assert!(
            out.contains(&format!("  {sub} ")),
            "{sub} missing from --help:\n{out}"
        );
    }
    let (code, out) = run(&["--version"], b"");
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("youhui {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(run(&["frobnicate"], b"").0, 2, "unknown subcommand");
    assert_eq!(
        run(&["ask", "examples/double11.promo", "--pretyy"], b"").0,
        2,
        "unknown flag"
    );
    assert_eq!(run(&["ask"], b"").0, 2, "missing rule file");
    assert_eq!(
        run(
            &["ask", "examples/double11.promo", "--deadline-ms", "0"],
            b""
        )
        .0,
        2
    );
    assert_eq!(
        run(
            &["tools", "examples/double11.promo", "--format", "gemini"],
            b""
        )
        .0,
        2
    );
}

#[test]
fn tools_prints_each_providers_shape() {
    for (format, check) in [
        ("openai", "/0/function/parameters"),
        ("anthropic", "/0/input_schema"),
        ("mcp", "/tools/0/inputSchema"),
    ] {
        let (code, out) = run(
            &["tools", "examples/double11.promo", "--format", format],
            b"",
        );
        assert_eq!(code, 0, "{format}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON tools");
        assert_eq!(v.pointer(check).unwrap()["type"], "object", "{format}");
    }
}

/// The protocol's strictness, pipelined ids and suggestions, through the real process.
#[test]
fn ids_unknown_fields_and_offer_names() {
    let input = concat!(
        r#"{"id": "a1", "query": "quote", "cart": {"lines": [{"id": "L1", "shop": "nike", "price": "699.00", "qty": 1}]}, "coupon": ["nike50"]}"#,
        "\n",
        r#"{"id": 2, "query": "eligibility", "offer": "店铺券", "cart": {"lines": [{"id": "L1", "shop": "nike", "price": "699.00", "qty": 1}]}}"#,
        "\n",
        r#"{"id": 3, "query": "offers"}"#,
        "\n",
        r#"{"query": "eligibility", "offer": "店铺券 满199减20", "cart": {"lines": [{"id": "L1", "shop": "nike", "price": "699.00", "qty": 1}]}}"#,
        "\n"
    );
    let lines = serve_double11(input.as_bytes());
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a1");
    assert_eq!(lines[0]["error"]["code"], "bad_request");
    assert_eq!(lines[0]["error"]["field"], "coupon");
    assert_eq!(lines[0]["error"]["suggestions"][0], "coupons");
    assert!(lines[0]["summary"]["zh"]
        .as_str()
        .unwrap()
        .starts_with("抱歉"));
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(lines[1]["error"]["code"], "unknown_offer");
    assert_eq!(
        lines[1]["error"]["suggestions"][0], "shop20",
        "{}",
        lines[1]
    );
    assert!(lines[1]["summary"]["zh"]
        .as_str()
        .unwrap()
        .contains("店铺券 满199减20"));
    assert_eq!(lines[2]["id"], 3);
    assert!(lines[2]["offers"].as_array().unwrap().len() >= 5);
    // An offer named by its exact title.
    assert!(lines[3].get("error").is_none(), "{}", lines[3]);
    assert!(lines[3]["eligible"].is_boolean());
    assert!(lines[3].get("id").is_none());
}

/// `examples/ask` keeps the original command line (`ask RULES`, `--check`, `--schema`) on
/// the same library calls as `youhui ask`.
#[test]
fn the_ask_example_keeps_its_command_line() {
    let ask = common::example_binary("ask");
    let run_ask = |args: &[&str], input: &[u8]| run_bin(&ask, args, input);
    let (code, out) = run_ask(&["examples/double11.promo", "--check"], b"");
    assert_eq!(code, 0, "{out}");
    let line = br#"{"id": 1, "query": "can_stack", "a": "plat", "b": "shop20"}"#;
    let (code, out) = run_ask(&["examples/double11.promo"], &[&line[..], b"\n"].concat());
    assert_eq!(code, 0);
    let (code2, out2) = run(
        &["ask", "examples/double11.promo"],
        &[&line[..], b"\n"].concat(),
    );
    assert_eq!(
        (code, &out),
        (code2, &out2),
        "the example and youhui ask differ"
    );
    let (code, out) = run_ask(&["--schema"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("\"Request\""));
}
