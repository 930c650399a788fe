//! `can_stack`: answers "can these two offers be used together?" in plain words.
//!
//! ```text
//! cargo run --release --example can_stack -- examples/double11.promo plat shop20
//! ```
//!
//! Prints the deciding rule and the explanation in Chinese and English. Exit status 0 when
//! they stack, 1 when they do not, 2 on a usage or rule-file error.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, a, b] = args.as_slice() else {
        eprintln!("usage: can_stack RULES.promo OFFER_A OFFER_B");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let rules = match youhui::RuleSet::parse_named(path, &text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let request = youhui::protocol::Request::CanStack {
        a: a.clone(),
        b: b.clone(),
        cart: None,
        context: youhui::Context::default(),
    };
    let response = rules.answer(&request);
    match (&response.body, &response.explain) {
        (youhui::protocol::AnswerBody::Stacking(s), Some(explain)) => {
            println!(
                "{a} + {b}: {} ({}: {})",
                if s.stack { "yes" } else { "no" },
                s.rule,
                s.detail
            );
            for (zh, en) in explain.zh.iter().zip(&explain.en) {
                println!("{zh}\n{en}");
            }
            if s.stack {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        (youhui::protocol::AnswerBody::Error { error }, _) => {
            eprintln!("error: {}", error.message);
            ExitCode::from(2)
        }
        _ => ExitCode::from(2),
    }
}
