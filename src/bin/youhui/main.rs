//! `youhui`: promotion rules from the command line.
//!
//! ```text
//! youhui ask RULES.promo [--pretty] [--deadline-ms N]   # JSON lines on stdin → answers on stdout
//! youhui check RULES.promo [--format json]             # every error and warning, rustc-style
//! youhui fmt RULES.promo [--canonical]                  # tidied layout (or canonical text)
//! youhui dump RULES.promo                               # canonical JSON
//! youhui schema [request | answer]                      # JSON Schemas of the protocol
//! youhui tools RULES.promo --format openai|anthropic|mcp   # LLM tool definitions
//! youhui mcp RULES.promo                                # an MCP server over stdio
//! youhui serve RULES.promo [--addr 127.0.0.1:8080]      # an HTTP service (feature `serve`)
//! ```
//!
//! Exit status: 0 on success (`check`: no errors); 1 when the rule file has errors;
//! 2 for a usage error or an unreadable file; 3 when standard output is closed.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod ask;
mod mcp;
#[cfg(feature = "serve")]
mod serve;

#[derive(Parser)]
#[command(
    name = "youhui",
    version,
    about = "Promotion rules (优惠) for e-commerce: check a rule file, then answer price questions deterministically",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer JSON requests, one per line on stdin, one answer per line on stdout.
    Ask {
        /// The rule file.
        rules: PathBuf,
        /// Indent the answers (one answer then spans several lines).
        #[arg(long)]
        pretty: bool,
        /// Per-request deadline in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        deadline_ms: u64,
    },
    /// Check a rule file: every error and warning, rustc-style (exit 1 on errors).
    Check {
        /// The rule file.
        rules: PathBuf,
        /// `text` (rustc-style) or `json`.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Print the rule file tidied: comments and phrases kept, layout made regular.
    Fmt {
        /// The rule file.
        rules: PathBuf,
        /// Print the canonical rule text instead (every benefit spelt one way, no comments).
        #[arg(long)]
        canonical: bool,
    },
    /// Print the compiled rule set as JSON.
    Dump {
        /// The rule file.
        rules: PathBuf,
    },
    /// Print the JSON Schema of a request line or of an answer line.
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value_t = SchemaKind::Request)]
        kind: SchemaKind,
    },
    /// Print LLM tool definitions for the rule file's queries (offer IDs as enums).
    Tools {
        /// The rule file.
        rules: PathBuf,
        /// The provider's wire shape.
        #[arg(long, value_enum, default_value_t = ToolFormat::Openai)]
        format: ToolFormat,
    },
    /// Serve the queries as MCP tools over stdio (reloads the file when it changes).
    Mcp {
        /// The rule file.
        rules: PathBuf,
    },
    /// Serve the protocol over HTTP (POST /v1/ask, /v1/ask/batch; GET /v1/offers,
    /// /v1/rules, /healthz, /readyz, /metrics); reloads the file when it changes or on SIGHUP.
    #[cfg(feature = "serve")]
    Serve(serve::Options),
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    Request,
    Answer,
}

#[derive(Clone, Copy, ValueEnum)]
enum ToolFormat {
    Openai,
    Anthropic,
    Mcp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Ask {
            rules,
            pretty,
            deadline_ms,
        } => match load(&rules) {
            Ok(r) => ask::serve(
                &r.with_deadline(std::time::Duration::from_millis(deadline_ms)),
                pretty,
            ),
            Err(code) => code,
        },
        Command::Check { rules, format } => check(&rules, format),
        Command::Fmt { rules, canonical } => fmt(&rules, canonical),
        Command::Dump { rules } => match load(&rules) {
            Ok(r) => match serde_json::to_string_pretty(&r) {
                Ok(s) => emit(&(s + "\n")),
                Err(e) => fail(&format!("error: {e}")),
            },
            Err(code) => code,
        },
        Command::Schema { kind } => emit(
            &(match kind {
                SchemaKind::Request => youhui::protocol::request_schema(),
                SchemaKind::Answer => youhui::protocol::answer_schema(),
            } + "\n"),
        ),
        Command::Tools { rules, format } => match load(&rules) {
            Ok(r) => {
                let tools = match format {
                    ToolFormat::Openai => youhui::tools::openai(&r),
                    ToolFormat::Anthropic => youhui::tools::anthropic(&r),
                    ToolFormat::Mcp => youhui::tools::mcp(&r),
                };
                match serde_json::to_string_pretty(&tools) {
                    Ok(s) => emit(&(s + "\n")),
                    Err(e) => fail(&format!("error: {e}")),
                }
            }
            Err(code) => code,
        },
        Command::Mcp { rules } => mcp::serve(rules),
        #[cfg(feature = "serve")]
        Command::Serve(options) => serve::run(options),
    }
}

/// Reads a rule file (exit 2 when it cannot be read).
fn read(path: &std::path::Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path)
        .map_err(|e| fail(&format!("error: cannot read {}: {e}", path.display())))
}

/// Reads and compiles a rule file; on errors prints the report (exit 1).
fn load(path: &std::path::Path) -> Result<youhui::RuleSet, ExitCode> {
    let text = read(path)?;
    let checked = youhui::check_rules(&path.display().to_string(), &text);
    checked.rules.ok_or_else(|| {
        let _ = writeln!(std::io::stderr(), "{}", checked.report);
        ExitCode::from(1)
    })
}

/// A file with errors is reported, never rearranged.
fn fmt(path: &std::path::Path, canonical: bool) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let checked = youhui::check_rules(&path.display().to_string(), &text);
    match checked.rules {
        Some(r) if canonical => emit(&r.to_rule_text()),
        Some(_) => emit(&youhui::language::layout_rule_text(&text)),
        None => {
            let _ = writeln!(std::io::stderr(), "{}", checked.report);
            ExitCode::from(1)
        }
    }
}

fn check(path: &std::path::Path, format: ReportFormat) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let name = path.display().to_string();
    let checked = youhui::check_rules(&name, &text);
    let out = match format {
        ReportFormat::Json => {
            serde_json::json!({
                "file": name,
                "ok": !checked.has_errors(),
                "diagnostics": checked.report.to_json(),
            })
            .to_string()
                + "\n"
        }
        ReportFormat::Text => format!("{}\n", checked.report),
    };
    match emit(&out) {
        code if code != ExitCode::SUCCESS => code,
        _ if checked.has_errors() => ExitCode::from(1),
        ok => ok,
    }
}

/// Writes to stdout; a closed pipe is exit 3, never a panic.
fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}

/// Prints an error on stderr; exit 2.
fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::from(2)
}
