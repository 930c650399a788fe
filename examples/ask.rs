//! `ask`: answers questions about a rule file.
//!
//! ```text
//! cargo run --release --example ask -- RULES.promo --check [--format json]
//! cargo run --release --example ask -- RULES.promo --dump      # canonical JSON
//! cargo run --release --example ask -- RULES.promo --fmt       # canonical rule text
//! ```
//!
//! `--check` prints the check report and exits 0 when the file has no errors, 1 when it has
//! (2 for a usage error or an unreadable file).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let Some(path) = args
        .iter()
        .find(|a| !a.starts_with("--") && *a != "json" && *a != "text")
    else {
        eprintln!("usage: ask RULES.promo [--check [--format json]] [--dump] [--fmt]");
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
    let json = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json");
    if flag("--check") {
        if json {
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
        match serde_json::to_string_pretty(&rules) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else if flag("--fmt") {
        print!("{}", rules.to_rule_text());
    } else {
        eprintln!(
            "queries over standard input come with the evaluator; use --check, --dump or --fmt"
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
