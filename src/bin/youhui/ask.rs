//! `youhui ask`: the JSON-lines protocol on stdin and stdout ([`youhui::protocol::serve_lines`]).

use std::process::ExitCode;

use youhui::RuleSet;

/// Serves stdin to stdout; exit 3 when stdout is closed.
pub fn serve(rules: &RuleSet, pretty: bool) -> ExitCode {
    // Our own buffer, so the loop can see whether more requests are already waiting.
    let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let output = std::io::BufWriter::new(std::io::stdout().lock());
    match youhui::protocol::serve_lines(rules, input, output, pretty) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}
