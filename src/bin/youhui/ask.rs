//! `youhui ask`: the JSON-lines protocol on stdin and stdout.
//!
//! One request per line in, one answer per line out, in order, flushed whenever no further
//! request is already waiting (so after each line for an interactive client, and in large
//! writes for a batch on a pipe). A bad line gets `{"error": {...}}` and the next line is
//! served; an empty line gets an error answer too, so answers and requests always pair up.
//! A line longer than `youhui::limits::MAX_REQUEST_BYTES` is refused unread.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use youhui::{ErrorBody, RuleSet};

/// One answer as one JSON line (indented with `pretty`).
fn to_json(response: &youhui::Response, pretty: bool) -> String {
    let json = if pretty {
        serde_json::to_string_pretty(response)
    } else {
        serde_json::to_string(response)
    };
    // Serialising our own types to a string cannot fail; say so if it ever does.
    json.unwrap_or_else(|e| {
        format!(
            "{{\"error\":{{\"code\":\"internal\",\"message\":{:?}}}}}",
            e.to_string()
        )
    })
}

pub fn serve(rules: &RuleSet, pretty: bool) -> ExitCode {
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
            to_json(&rules.error_response(body), pretty)
        } else {
            to_json(&rules.answer_line(&buf), pretty)
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
