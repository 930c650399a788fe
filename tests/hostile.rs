//! Hostile input against the real `youhui` binary, as an attacker or a careless client would
//! send it: every request gets exactly one answer line, in order, within the deadline, and
//! the process never crashes. Each run is limited to 256 MiB of address space (`ulimit -v`),
//! so a request that made memory explode would kill the process and fail the test.
//!
//! Each case is a finding that used to crash, stall or fool youhui, plus variants of other
//! sizes and words.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Address space one `ask` process may use.
const MEMORY_KIB: u64 = 256 * 1024;
/// The deadline `ask` is run with, and the slack allowed on top for start-up and parsing.
const DEADLINE_MS: u64 = 1000;
const SLACK: Duration = Duration::from_secs(2);

struct Run {
    code: i32,
    stdout: String,
    elapsed: Duration,
}

/// Runs `ask ARGS` under the memory limit with `input` on stdin.
fn ask(args: &[&str], input: &str) -> Run {
    let bin = env!("CARGO_BIN_EXE_youhui");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn ask");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    // Written from a thread so a large input never deadlocks against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 answers"),
        elapsed: start.elapsed(),
    }
}

/// Serves `requests` (one per line) with `rules`; asserts a clean exit, one JSON answer per
/// request, and a total time within one deadline per request plus slack.
fn serve(rules: &Path, requests: &[String]) -> Vec<Value> {
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let deadline = DEADLINE_MS.to_string();
    let run = ask(
        &["ask", rules.to_str().unwrap(), "--deadline-ms", &deadline],
        &input,
    );
    assert_eq!(run.code, 0, "ask exited with {}", run.code);
    let answers: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON answer per line"))
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    let allowed = Duration::from_millis(DEADLINE_MS) * requests.len() as u32 + SLACK;
    assert!(
        run.elapsed < allowed,
        "took {:?} for {} requests",
        run.elapsed,
        requests.len()
    );
    answers
}

fn error_code(a: &Value) -> Option<&str> {
    a["error"]["code"].as_str()
}

fn double11() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/double11.promo")
}

/// A scratch file for a generated rule set.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("youhui-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn line(id: usize, sku: &str, shop: &str, price: &str, qty: u32) -> Value {
    json!({"id": format!("L{id}"), "sku": sku, "shop": shop, "tags": ["双11"], "price": price, "qty": qty})
}

fn can_stack() -> String {
    json!({"query": "can_stack", "a": "plat", "b": "shop20"}).to_string()
}

/// `equivalent` phrases with thousands of `not` (they overflowed the parser's stack and
/// killed the process, losing the answers before them), spliced rule text, and many tiers
/// (2 GB of candidate carts).
#[test]
fn equivalent_phrases_cannot_crash_or_exhaust_memory() {
    let tiers = |n: usize, d: usize| {
        (1..=n)
            .map(|i| format!("满{}减{i}", i * 10 + d))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let mut requests = vec![can_stack(), can_stack()];
    for n in [2_500, 10_000, 40_000] {
        let phrase = format!(
            "8折 }} coupon y {{ stage s audience {}user.new",
            "not ".repeat(n)
        );
        requests.push(json!({"query": "equivalent", "a": phrase, "b": "8折"}).to_string());
        let words = format!("{}user.new", "not ".repeat(n));
        requests.push(json!({"query": "equivalent", "a": "满100减10", "b": words}).to_string());
    }
    for n in [160, 250, 1_000] {
        requests
            .push(json!({"query": "equivalent", "a": tiers(n, 0), "b": tiers(n, 1)}).to_string());
    }
    requests.push(can_stack());
    let answers = serve(&double11(), &requests);
    assert_eq!(answers[0]["stack"], false);
    assert_eq!(answers[1]["stack"], false);
    for a in &answers[2..8] {
        assert_eq!(error_code(a), Some("bad_request"), "{a}");
    }
    for a in &answers[8..11] {
        assert_eq!(a["equivalent"], false, "{a}");
    }
    assert_eq!(answers[11]["stack"], false);
}

/// Rule files `--check` used to accept and then crash on (3,000 `not`), or that aborted
/// `--check` itself (10,000 `not`, 50,000 `and`), and headers with 10,000 or 20,000 stages
/// (1.4 and 5.8 GB of diagnostics).
#[test]
fn hostile_rule_files_are_refused_with_one_clear_error() {
    let audience = |expr: String| {
        format!(
            "ruleset \"x\" {{ stages s }}\ncoupon a {{ stage s benefit 8折 audience {expr} }}\n"
        )
    };
    let files = [
        (
            "not3000",
            audience(format!("{}user.new", "not ".repeat(3_000))),
            "expression_too_complex",
        ),
        (
            "not10000",
            audience(format!("{}user.new", "not ".repeat(10_000))),
            "expression_too_complex",
        ),
        (
            "and50000",
            audience(format!("user.new{}", " and user.new".repeat(50_000))),
            "expression_too_complex",
        ),
        (
            "or_not",
            audience(format!("user.new{}", " or not (user.new)".repeat(20_000))),
            "expression_too_complex",
        ),
        (
            "stages10000",
            format!(
                "ruleset \"s\" {{ stages {} }}\n",
                (0..10_000)
                    .map(|i| format!("s{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "too_many_stages",
        ),
        (
            "stages20000",
            format!(
                "ruleset \"s\" {{ stages {} }}\n",
                (0..20_000)
                    .map(|i| format!("阶段{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "too_many_stages",
        ),
    ];
    for (name, text, code) in files {
        let path = scratch(&format!("{name}.promo"), &text);
        let run = ask(&["check", path.to_str().unwrap(), "--format", "json"], "");
        assert_eq!(run.code, 1, "{name}: --check exit code");
        let report: Value = serde_json::from_str(run.stdout.trim()).expect("one JSON report");
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, [code], "{name}");
        assert!(run.elapsed < SLACK, "{name}: {:?}", run.elapsed);
        // Serving refuses the file too, with exit 1 and no crash.
        let run = ask(&["ask", path.to_str().unwrap()], &can_stack());
        assert_eq!(run.code, 1, "{name}: serving a bad file");
    }
}

/// Huge wallets, huge rule files against big carts, and `gap` over both: refused up front
/// with a clear error, or answered within the deadline.
#[test]
fn work_is_bounded_by_size_limits_and_the_deadline() {
    let coupons: String = (0..5_000)
        .map(|i| {
            format!(
                "coupon c{i} {{ stage 平台 benefit 满{}减{} }}\n",
                100 + i % 50,
                10 + i % 7
            )
        })
        .collect();
    let wallet_file = scratch(
        "wallet.promo",
        &format!("ruleset \"w\" {{ stages 店铺, 平台\n stage 平台 max 3 }}\n{coupons}"),
    );
    let lines = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                line(
                    i,
                    &format!("S{}", i % 1000),
                    "s",
                    &format!("{}.00", 50 + i % 400),
                    1,
                )
            })
            .collect()
    };
    let ids = |n: usize| -> Vec<String> { (0..n).map(|i| format!("c{i}")).collect() };
    let requests = vec![
        json!({"query": "best", "cart": {"lines": lines(20)}, "wallet": ids(5_000)}).to_string(),
        json!({"query": "best", "cart": {"lines": lines(20)}, "wallet": ids(101)}).to_string(),
        json!({"query": "best", "cart": {"lines": lines(20)}, "wallet": ids(100)}).to_string(),
        json!({"query": "best", "cart": {"lines": lines(1_000)}, "wallet": ids(30)}).to_string(),
        json!({"query": "gap", "cart": {"lines": lines(1_000)}, "coupons": ids(100)}).to_string(),
        json!({"query": "quote", "cart": {"lines": lines(1_000)}}).to_string(),
        json!({"query": "gap", "cart": {"lines": lines(300)}, "coupons": ids(100)}).to_string(),
        json!({"query": "best", "cart": {"lines": lines(300)}, "wallet": ids(30)}).to_string(),
    ];
    let answers = serve(&wallet_file, &requests);
    assert_eq!(error_code(&answers[0]), Some("bad_request"));
    assert_eq!(answers[0]["error"]["field"], "wallet");
    assert_eq!(error_code(&answers[1]), Some("bad_request"));
    // 1,000 lines against 5,000 offers: more than the line-offer pairs allowed, whatever
    // the query.
    for a in &answers[3..6] {
        assert_eq!(error_code(a), Some("bad_request"), "{a}");
        assert_eq!(a["error"]["field"], "cart.lines");
    }
    // Within the limits: answered, or given up within the deadline.
    for a in [&answers[2], &answers[6], &answers[7]] {
        assert!(
            a.get("coupons").is_some()
                || a.get("offer").is_some()
                || error_code(a) == Some("budget_exceeded"),
            "{a}"
        );
    }

    let offers: String = (0..20_000)
        .map(|i| {
            format!(
                "activity a{i} {{ stage 店铺 benefit 满{}减{} scope sku \"S{}\" }}\n",
                100 + i % 50,
                10 + i % 7,
                i % 1000
            )
        })
        .collect();
    let offers_file = scratch(
        "offers.promo",
        &format!("ruleset \"o\" {{ stages 店铺, 平台 }}\n{offers}"),
    );
    let requests = vec![
        json!({"query": "quote", "cart": {"lines": lines(1_000)}}).to_string(),
        json!({"query": "quote", "cart": {"lines": lines(100)}}).to_string(),
        json!({"query": "gap", "cart": {"lines": lines(100)}}).to_string(),
    ];
    let answers = serve(&offers_file, &requests);
    assert_eq!(error_code(&answers[0]), Some("bad_request"));
    assert!(answers[1].get("payable").is_some(), "{}", answers[1]);
    assert!(
        answers[2].get("offer").is_some() || answers[2].get("steps").is_some(),
        "{}",
        answers[2]
    );
}

/// `best` on a big cart with a small wallet: before, more than 48 contested lines made it
/// refuse at once ("choose fewer coupons").
#[test]
fn best_answers_a_small_wallet_on_a_large_cart() {
    let ctx = json!({"now": "2026-11-11T10:00:00+08:00", "user": {"level": 3, "new": true}, "channel": "app"});
    let mut requests = Vec::new();
    for n in [49, 100, 300] {
        let lines: Vec<Value> = (0..n)
            .map(|i| {
                let sku = ["SHOE-1", "SOCK-1", "CAP-1", "TEE-1"][i % 4];
                let shop = if i % 3 == 0 { "adidas" } else { "nike" };
                line(
                    i,
                    sku,
                    shop,
                    &format!("{}.{:02}", 50 + (i * 37) % 500, i % 100),
                    1 + (i % 2) as u32,
                )
            })
            .collect();
        requests.push(json!({"query": "best", "cart": {"lines": lines}, "context": ctx, "wallet": ["plat", "newbie"]}).to_string());
        requests.push(json!({"query": "quote", "cart": {"lines": lines}, "context": ctx, "coupons": ["plat", "newbie"]}).to_string());
    }
    let answers = serve(&double11(), &requests);
    for pair in answers.chunks(2) {
        let (best, quote) = (&pair[0], &pair[1]);
        assert_eq!(best["coupons"], json!(["plat", "newbie"]), "{best}");
        assert_eq!(best["quote"]["payable"], quote["payable"]);
        assert!(quote.get("optimal").is_none(), "proven: {quote}");
    }
}

/// The choice is the spec's and does not depend on the order of the cart's lines: the
/// reviewer's six lines under four activities, and a 15-line cart under 8 same-stage
/// activities in both orders.
#[test]
fn stacking_choice_is_exact_and_independent_of_line_order() {
    let six = scratch(
        "six.promo",
        "ruleset \"a\" { stages a }\nactivity A { stage a benefit 直降40 }\nactivity B { stage a benefit 买一送一 }\nactivity C { stage a benefit 满10打9折 }\nactivity D { stage a benefit 直降10 }\n",
    );
    let lines: Vec<Value> = (1..=6)
        .map(|i| line(i, &format!("S{i}"), "s", "100.00", 1))
        .collect();
    let answers = serve(
        &six,
        &[json!({"query": "quote", "cart": {"lines": lines}}).to_string()],
    );
    assert_eq!(answers[0]["payable"], "300.00");

    let benefits = [
        "直降12",
        "满300减40",
        "每满200减25",
        "满500打8折",
        "9折",
        "买一送一",
        "第2件半价",
        "特价35",
    ];
    let rules: String = benefits
        .iter()
        .enumerate()
        .map(|(i, b)| format!("activity o{i} {{ stage a benefit {b} }}\n"))
        .collect();
    let file = scratch(
        "eight.promo",
        &format!("ruleset \"p\" {{ stages a }}\n{rules}"),
    );
    let lines: Vec<Value> = (0..15)
        .map(|i| {
            line(
                i,
                &format!("S{i}"),
                "s",
                &format!("{}.{:02}", 20 + (i * 53) % 300, (i * 17) % 100),
                1 + (i % 3) as u32,
            )
        })
        .collect();
    let mut reversed = lines.clone();
    reversed.reverse();
    let answers = serve(
        &file,
        &[
            json!({"query": "quote", "cart": {"lines": lines}}).to_string(),
            json!({"query": "quote", "cart": {"lines": reversed}}).to_string(),
        ],
    );
    assert_eq!(answers[0]["payable"], answers[1]["payable"]);
    let by_id = |a: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = a["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["id"].as_str().unwrap().to_string(),
                    l["payable"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(by_id(&answers[0]), by_id(&answers[1]));
}

/// Edited orders, odd numbers, a byte-order mark: refused or read exactly, never trusted.
#[test]
fn refunds_and_numbers_trust_nothing_the_client_edits() {
    let cart = json!({"lines": [line(1, "SHOE-1", "nike", "200.00", 2), line(2, "TEE-1", "nike", "107.50", 1)]});
    let ctx = json!({"now": "2026-11-11T10:00:00+08:00", "shipping_fee": "10.00"});
    let quote = json!({"query": "quote", "cart": cart, "context": ctx}).to_string();
    let first = serve(&double11(), std::slice::from_ref(&quote));
    let mut order = first[0].clone();
    order.as_object_mut().unwrap().remove("explain");
    let refund = |order: &Value| {
        json!({"query": "refund", "order": order, "cart": cart, "context": ctx, "returns": [{"line": "L2", "qty": 1}]}).to_string()
    };
    let mut edited = order.clone();
    edited["lines"][0]["payable"] = json!("99999.00");
    let mut invented = order.clone();
    invented["applied"]
        .as_array_mut()
        .unwrap()
        .push(json!({"offer": "shop20", "amount": "500.00"}));
    let mut twice = order.clone();
    let l0 = twice["lines"][0].clone();
    twice["lines"].as_array_mut().unwrap().push(l0);
    let price = |p: &str| {
        format!(
            r#"{{"query": "quote", "cart": {{"lines": [{{"id": "L1", "sku": "S", "shop": "s", "price": {p}, "qty": 1}}]}}}}"#
        )
    };
    let requests = vec![
        refund(&order),
        refund(&edited),
        refund(&invented),
        refund(&twice),
        price("\"1_000\""),
        price("1.0000000000000001"),
        price("\"1234567890123456789012345678901\""),
        price("1e3"),
        price("199.99"),
        format!("\u{feff}{}", price("\"10.00\"")),
    ];
    let answers = serve(&double11(), &requests);
    let paid: f64 = order["lines"][1]["payable"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let refunded: f64 = answers[0]["refund"].as_str().unwrap().parse().unwrap();
    assert!(refunded > 0.0 && refunded <= paid, "{}", answers[0]);
    assert_eq!(error_code(&answers[1]), Some("order_mismatch"));
    assert_eq!(error_code(&answers[2]), Some("order_mismatch"));
    assert_eq!(error_code(&answers[3]), Some("bad_request"));
    for a in &answers[4..8] {
        assert_eq!(error_code(a), Some("bad_request"), "{a}");
    }
    assert_eq!(answers[8]["original"], "199.99");
    assert_eq!(answers[9]["original"], "10.00");
    // A rule file that starts with a byte-order mark loads.
    let text = std::fs::read_to_string(double11()).unwrap();
    let bom = scratch("bom.promo", &format!("\u{feff}{text}"));
    let answers = serve(&bom, &[can_stack()]);
    assert_eq!(answers[0]["stack"], false);
}
