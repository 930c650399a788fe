//! `ask`: the JSON protocol over stdin and stdout in a few lines of library calls. The
//! `youhui` binary (`youhui ask`, `youhui check`, ...) is the full tool; this example keeps
//! the original command line working:
//!
//! ```text
//! cargo run --release --example ask -- RULES.promo            # JSON lines on stdin → stdout
//! cargo run --release --example ask -- RULES.promo --check [--format json]
//! cargo run --release --example ask -- RULES.promo --fmt      # canonical rule text
//! cargo run --release --example ask -- RULES.promo --dump     # canonical JSON
//! cargo run --release --example ask -- RULES.promo --pretty --deadline-ms 500
//! cargo run --release --example ask -- --schema [request | answer]
//! ```
//!
//! Exit status as `youhui`: 0 on success, 1 when the rule file has errors, 2 for a usage
//! error or an unreadable file, 3 when standard output is closed.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let value = |f: &str| args.windows(2).find(|w| w[0] == f).map(|w| w[1].as_str());
    let print = |text: &str| match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    };
    if flag("--schema") {
        return match value("--schema").unwrap_or("request") {
            "request" => print(&(youhui::protocol::request_schema() + "\n")),
            "answer" => print(&(youhui::protocol::answer_schema() + "\n")),
            other => {
                eprintln!("error: --schema takes request or answer, not {other:?}");
                ExitCode::from(2)
            }
        };
    }
    let takes_value = ["--format", "--deadline-ms"];
    let path = args
        .iter()
        .enumerate()
        .find(|(i, a)| {
            !a.starts_with("--") && (*i == 0 || !takes_value.contains(&args[i - 1].as_str()))
        })
        .map(|(_, a)| a.clone());
    let Some(path) = path else {
        eprintln!("usage: ask RULES.promo [--check [--format json] | --fmt | --dump | --pretty] [--deadline-ms N]\n       ask --schema [request | answer]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let checked = youhui::check_rules(&path, &text);
    if flag("--check") {
        let report = if value("--format") == Some("json") {
            serde_json::json!({"file": path, "ok": !checked.has_errors(), "diagnostics": checked.report.to_json()}).to_string()
        } else {
            checked.report.to_string()
        };
        let printed = print(&(report + "\n"));
        return if checked.has_errors() {
            ExitCode::from(1)
        } else {
            printed
        };
    }
    let Some(rules) = checked.rules else {
        eprintln!("{}", checked.report);
        return ExitCode::from(1);
    };
    if flag("--fmt") {
        return print(&rules.to_rule_text());
    }
    if flag("--dump") {
        return print(&(serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"));
    }
    let deadline = match value("--deadline-ms").map(str::parse::<u64>) {
        None => youhui::limits::DEFAULT_DEADLINE,
        Some(Ok(ms)) if ms > 0 => std::time::Duration::from_millis(ms),
        Some(_) => {
            eprintln!("error: --deadline-ms takes a number of milliseconds above 0");
            return ExitCode::from(2);
        }
    };
    let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let output = std::io::BufWriter::new(std::io::stdout().lock());
    match youhui::protocol::serve_lines(
        &rules.with_deadline(deadline),
        input,
        output,
        flag("--pretty"),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}
