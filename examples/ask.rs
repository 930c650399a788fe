//! `ask`: answers questions about a rule file, for chatbots and QA.
//!
//! ```text
//! cargo run --release --example ask -- RULES.promo            # JSON lines on stdin → stdout
//! cargo run --release --example ask -- RULES.promo --check [--format json]
//! cargo run --release --example ask -- RULES.promo --fmt      # canonical rule text
//! cargo run --release --example ask -- RULES.promo --dump     # canonical JSON
//! cargo run --release --example ask -- RULES.promo --pretty < REQUESTS.jsonl   # indented answers
//! cargo run --release --example ask -- RULES.promo --deadline-ms 500   # per-request deadline
//! cargo run --release --example ask -- --schema [request | answer | tool]   # JSON Schemas
//! ```
//!
//! `--schema` prints the JSON Schema (draft 2020-12) of a request line (the default), of an
//! answer line, or a tool definition for LLM function calling (`name`, `description`, and
//! the request schema as `parameters` / `input_schema`). No rule file is needed.
//!
//! Serving: one JSON request per line on standard input, one JSON answer per line on
//! standard output, in order, flushed whenever no further request is already waiting (so
//! after each line for an interactive client). A bad line gets `{"error": {...}}` and the
//! next line is served; an empty line gets an error answer too, so answers and requests
//! always pair up. A line longer than `youhui::limits::MAX_REQUEST_BYTES` is refused unread.
//!
//! Every request answers within its deadline (`--deadline-ms`, default
//! `youhui::limits::DEFAULT_DEADLINE`): a search still running then answers
//! `budget_exceeded`, a quote the best stacking choice found with `"optimal": false`.
//!
//! Exit status: 0 after serving to end of input (or `--check` with no errors); 1 when
//! `--check` found errors or the rule file does not compile; 2 for a usage error or an
//! unreadable file; 3 when standard output is closed.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use youhui::{ErrorBody, Request, RuleSet};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    if args.first().is_some_and(|a| a == "--schema") {
        let schema = match args.get(1).map(String::as_str) {
            None | Some("request") => youhui::request_schema(),
            Some("answer") => youhui::answer_schema(),
            Some("tool") => youhui::tool_definition(),
            Some(other) => {
                eprintln!("error: --schema takes request, answer or tool, not {other:?}");
                return ExitCode::from(2);
            }
        };
        println!("{schema}");
        return ExitCode::SUCCESS;
    }
    let format_json = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json");
    let deadline = match args.iter().position(|a| a == "--deadline-ms") {
        None => youhui::limits::DEFAULT_DEADLINE,
        Some(i) => match args.get(i + 1).and_then(|v| v.parse::<u64>().ok()) {
            Some(ms) if ms > 0 => std::time::Duration::from_millis(ms),
            _ => {
                eprintln!("error: --deadline-ms takes a number of milliseconds above 0");
                return ExitCode::from(2);
            }
        },
    };
    let takes_value = |a: &str| a == "--format" || a == "--deadline-ms";
    let mut files = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !(a.starts_with("--") || *i > 0 && takes_value(&args[i - 1])));
    let Some((_, path)) = files.next() else {
        eprintln!(
            "usage: ask RULES.promo [--check [--format json] | --fmt | --dump | --pretty] [--deadline-ms N]\n       ask --schema [request | answer | tool]"
        );
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let checked = youhui::check_rules(path, &text);
    if flag("--check") {
        if format_json {
            let out = serde_json::json!({
                "file": path,
                "ok": !checked.has_errors(),
                "diagnostics": checked.report.to_json(),
            });
            println!("{out}");
        } else {
            println!("{}", checked.report);
        }
        return if checked.has_errors() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    let Some(rules) = checked.rules else {
        eprintln!("{}", checked.report);
        return ExitCode::from(1);
    };
    if flag("--dump") {
        return match serde_json::to_string_pretty(&rules) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    if flag("--fmt") {
        print!("{}", rules.to_rule_text());
        return ExitCode::SUCCESS;
    }
    serve(&rules.with_deadline(deadline), flag("--pretty"))
}

/// Answers one request line (already known to be within the length limit).
fn answer_line(rules: &RuleSet, line: &[u8], pretty: bool) -> String {
    let response = match std::str::from_utf8(line) {
        Err(e) => rules.error_response(ErrorBody::bad_request(
            format!(
                "the request is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
            None,
            None,
        )),
        // A byte-order mark (Windows tools write one) is not part of the request.
        Ok(text) => {
            match serde_json::from_str::<Request>(text.strip_prefix('\u{feff}').unwrap_or(text)) {
                Ok(req) => rules.answer(&req),
                Err(e) => {
                    let pos = (e.line() > 0).then_some((e.line(), e.column()));
                    rules.error_response(ErrorBody::bad_request(
                        format!("bad request: {e}"),
                        pos.map(|p| p.0),
                        pos.map(|p| p.1),
                    ))
                }
            }
        }
    };
    let json = if pretty {
        serde_json::to_string_pretty(&response)
    } else {
        serde_json::to_string(&response)
    };
    json.unwrap_or_else(|e| {
        format!(
            "{{\"error\":{{\"code\":\"internal\",\"message\":{:?}}}}}",
            e.to_string()
        )
    })
}

fn serve(rules: &RuleSet, pretty: bool) -> ExitCode {
    let stdin = std::io::stdin();
    // Our own buffer, so we can see whether more requests are already waiting.
    let mut input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let limit = youhui::limits::MAX_REQUEST_BYTES;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        buf.clear();
        // Read one line, but keep at most `limit + 1` bytes of it.
        let mut too_long = false;
        let mut got_any = false;
        loop {
            let chunk = match input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if chunk.is_empty() {
                break;
            }
            got_any = true;
            let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], Some(i + 1)),
                None => (chunk, None),
            };
            if buf.len() + part.len() > limit {
                too_long = true;
            } else {
                buf.extend_from_slice(part);
            }
            let used = done.unwrap_or(chunk.len());
            input.consume(used);
            if done.is_some() {
                break;
            }
        }
        if !got_any {
            return ExitCode::SUCCESS;
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let answer = if too_long {
            let body = ErrorBody::bad_request(
                format!("the request line is longer than {limit} bytes"),
                None,
                None,
            );
            serde_json::to_string(&rules.error_response(body)).unwrap_or_default()
        } else {
            answer_line(rules, &buf, pretty)
        };
        // Flush when no further request is waiting: an interactive client gets every answer
        // at once, a batch on a pipe is not written one syscall per line.
        let written = writeln!(out, "{answer}").and_then(|_| {
            if input.buffer().is_empty() {
                out.flush()
            } else {
                Ok(())
            }
        });
        if written.is_err() {
            return ExitCode::from(3);
        }
    }
}
