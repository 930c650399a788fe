//! `youhui mcp`: the queries as MCP tools over stdio.

use std::path::PathBuf;
use std::process::ExitCode;

pub fn serve(_rules: PathBuf) -> ExitCode {
    eprintln!("error: the MCP server is not built yet");
    ExitCode::from(2)
}
