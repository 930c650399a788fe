//! The JSON protocol (feature `json`): one request line in, one answer out. Every front end
//! (`youhui ask`, the MCP server, the HTTP service, the Python package) answers through
//! [`RuleSet::answer_line`] or [`RuleSet::answer_value`], so they cannot disagree on how a
//! request is read or refused.
//!
//! Reading a request:
//! 1. UTF-8, a leading byte-order mark dropped, then JSON (a syntax error names its line
//!    and column);
//! 2. it must be an object; its optional `id` (a string or a number) is taken out and
//!    echoed in the answer, errors included;
//! 3. members whose value is `null` count as absent (a model filling a strict tool schema
//!    sends `null` for every optional argument);
//! 4. the rest must be exactly the query's fields: an unknown field is `bad_request` naming
//!    it, with the closest known field as a suggestion.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::protocol::request::Request;
use crate::protocol::response::{Answer, ErrorBody, RequestId};
use crate::rules::ir::RuleSet;

/// A request that could not be read: its error, and its `id` when that much was readable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The request's `id`, if it had a valid one.
    pub id: Option<RequestId>,
    /// Why it was refused (`bad_request`).
    pub error: ErrorBody,
}

impl RuleSet {
    /// Answers one request line of the JSON protocol (bytes, so that invalid UTF-8 is an
    /// answer too, not a crash of the reader).
    ///
    /// ```
    /// let rules = youhui::RuleSet::parse(r#"ruleset "店" { stages 店铺 }
    /// activity a "满100减10" { stage 店铺 benefit 满100减10 scope all }"#)?;
    /// let line = br#"{"id": 7, "query": "quote", "cart": {"lines": [{"id": "L1", "price": "120", "qty": 1}]}}"#;
    /// let answer = serde_json::to_value(rules.answer_line(line)).unwrap();
    /// assert_eq!(answer["id"], 7);
    /// assert_eq!(answer["payable"], "110.00");
    /// assert_eq!(answer["summary"]["zh"], "应付110.00元，共优惠10.00元。");
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn answer_line(&self, line: &[u8]) -> Answer {
        if let Some((id, request)) = std::str::from_utf8(line).ok().and_then(read_fast) {
            let mut answer = self.answer(&request);
            answer.id = id;
            return answer;
        }
        match read_line(line) {
            Ok(value) => self.answer_value(value),
            Err(refused) => self.refused(*refused),
        }
    }

    /// Answers one request already parsed as JSON (a tool call's arguments with `query`
    /// set, say).
    pub fn answer_value(&self, value: Value) -> Answer {
        match read_request(value) {
            Ok((id, request)) => {
                let mut answer = self.answer(&request);
                answer.id = id;
                answer
            }
            Err(refused) => self.refused(*refused),
        }
    }

    /// The answer to a request that could not be read.
    pub fn refused(&self, refused: Refused) -> Answer {
        let mut answer = self.error_response(refused.error);
        answer.id = refused.id;
        answer
    }
}

/// Reads one request line into JSON: UTF-8, an optional byte-order mark, one JSON value.
pub fn read_line(line: &[u8]) -> Result<Value, Box<Refused>> {
    let text = std::str::from_utf8(line).map_err(|e| {
        Box::new(Refused {
            id: None,
            error: ErrorBody::bad_request(
                format!(
                    "the request is not valid UTF-8 (at byte {})",
                    e.valid_up_to()
                ),
                None,
                None,
            ),
        })
    })?;
    // A byte-order mark (Windows tools write one) is not part of the request.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        let pos = (e.line() > 0).then_some((e.line(), e.column()));
        Box::new(Refused {
            id: None,
            error: ErrorBody::bad_request(
                format!("bad request: {e}"),
                pos.map(|p| p.0),
                pos.map(|p| p.1),
            ),
        })
    })
}

/// The common case without building a JSON tree: a request with no `null` anywhere is
/// read straight into its query (after taking out a top-level `id`). Anything else, and
/// every request this refuses, goes the general way ([`read_line`], [`read_request`]), so
/// both ways give the same request and every error its full message.
fn read_fast(text: &str) -> Option<(Option<RequestId>, Request)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains("null") {
        return None;
    }
    if !text.contains("\"id\"") {
        return serde_json::from_str::<Request>(text)
            .ok()
            .map(|r| (None, r));
    }
    // Top-level members as raw text: only the `id` member is taken out.
    let members: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(text).ok()?;
    let mut id = None;
    let mut rest = String::with_capacity(text.len());
    rest.push('{');
    for (key, raw) in &members {
        if key == "id" {
            id = match serde_json::from_str::<Value>(raw.get()).ok()? {
                Value::String(s) => Some(RequestId::Text(s)),
                Value::Number(n) => Some(match n.as_i64() {
                    Some(i) => RequestId::Number(i),
                    None => RequestId::Decimal(n),
                }),
                _ => return None,
            };
            continue;
        }
        if rest.len() > 1 {
            rest.push(',');
        }
        rest.push_str(&serde_json::to_string(key).ok()?);
        rest.push(':');
        rest.push_str(raw.get());
    }
    rest.push('}');
    serde_json::from_str::<Request>(&rest).ok().map(|r| (id, r))
}

/// Reads a request from JSON: its `id`, then the query with exactly its fields.
pub fn read_request(value: Value) -> Result<(Option<RequestId>, Request), Box<Refused>> {
    let Value::Object(mut map) = value else {
        return Err(Box::new(Refused {
            id: None,
            error: bad("bad request: a request is a JSON object", None),
        }));
    };
    let id = match map.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(RequestId::Text(s)),
        Some(Value::Number(n)) => Some(match n.as_i64() {
            Some(i) => RequestId::Number(i),
            None => RequestId::Decimal(n),
        }),
        Some(_) => {
            return Err(Box::new(Refused {
                id: None,
                error: bad("bad request: `id` must be a string or a number", Some("id")),
            }))
        }
    };
    drop_nulls(&mut map);
    // An `explain` of an earlier request may paste it whole, its own `id` included.
    if let Some(Value::Object(inner)) = map.get_mut("request") {
        inner.remove("id");
    }
    let query = map.get("query").and_then(Value::as_str).map(str::to_owned);
    Request::deserialize(Value::Object(map))
        .map(|r| (id.clone(), r))
        .map_err(|e| {
            Box::new(Refused {
                id,
                error: explain_serde_error(&e.to_string(), query.as_deref()),
            })
        })
}

/// Removes members whose value is `null`, at every depth (array elements stay).
/// Drops `null` members (absent) and narrows integers beyond 64 bits to floats: serde
/// cannot buffer a 128-bit integer while it looks for the `query` tag, and would refuse it
/// without naming the field; as a float it reaches the field's own reader, which names it.
fn drop_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        normalise(v);
    }
}

fn normalise(v: &mut Value) {
    match v {
        Value::Object(inner) => drop_nulls(inner),
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Number(n) if n.as_u64().is_none() && n.as_i64().is_none() => {
            let wide = n
                .as_u128()
                .map(|u| u as f64)
                .or(n.as_i128().map(|i| i as f64));
            if let Some(f) = wide.and_then(serde_json::Number::from_f64) {
                *n = f;
            }
        }
        _ => {}
    }
}

fn bad(message: &str, field: Option<&str>) -> ErrorBody {
    let mut e = ErrorBody::bad_request(message.into(), None, None);
    e.field = field.map(str::to_owned);
    e
}

/// The names between backticks in a serde message, in order.
fn quoted(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// Turns serde's message into an error that names the field and, for an unknown field or
/// query, suggests the closest known one.
fn explain_serde_error(msg: &str, query: Option<&str>) -> ErrorBody {
    let names = quoted(msg);
    let mut e = ErrorBody::bad_request(format!("bad request: {msg}"), None, None);
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let typed = names.first().copied().unwrap_or_default();
        let known: Vec<&str> = quoted(rest).into_iter().skip(1).collect();
        e.field = Some(typed.to_owned());
        e.suggestions = crate::lang::suggest::closest(typed, known.iter().copied(), 3)
            .into_iter()
            .map(str::to_owned)
            .collect();
        e.message = match (e.suggestions.first(), known.is_empty()) {
            (Some(s), _) => format!(
                "bad request: unknown field `{typed}`; did you mean `{s}`? (this query takes {})",
                known.join(", ")
            ),
            (None, false) => format!(
                "bad request: unknown field `{typed}` (this query takes {})",
                known.join(", ")
            ),
            (None, true) => format!("bad request: unknown field `{typed}`"),
        };
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let typed = names.first().copied().unwrap_or_default();
        let known: Vec<&str> = quoted(rest).into_iter().skip(1).collect();
        if query == Some(typed) {
            e.field = Some("query".into());
        }
        e.suggestions = crate::lang::suggest::closest(typed, known.iter().copied(), 3)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if let Some(s) = e.suggestions.first() {
            e.message = format!("{}; did you mean `{s}`?", e.message);
        }
    } else if msg.starts_with("missing field ") {
        e.field = names.first().map(|s| (*s).to_owned());
    } else if let Some((field, _)) = msg.split_once(": ") {
        // Our own field messages start with the field (`price: 1.001 has more than two
        // decimals`).
        if !field.is_empty() && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            e.field = Some(field.to_owned());
        }
    }
    e
}

/// One answer as JSON text (indented with `pretty`).
pub fn answer_json(answer: &Answer, pretty: bool) -> String {
    let json = if pretty {
        serde_json::to_string_pretty(answer)
    } else {
        serde_json::to_string(answer)
    };
    // Our own types always serialise; should one ever not, the line still pairs up.
    json.unwrap_or_else(|e| {
        format!(
            "{{\"error\":{{\"code\":\"internal\",\"message\":{:?}}}}}",
            e.to_string()
        )
    })
}

/// Serves the JSON-lines protocol: one request per line from `input`, one answer per line
/// to `output`, in order, until the end of the input. Answers are flushed whenever no
/// further request is already waiting (after every line for an interactive client, in large
/// writes for a batch on a pipe). A bad line gets an error answer and the next line is
/// served; an empty line gets one too, so answers and requests always pair up. A line
/// longer than [`crate::limits::MAX_REQUEST_BYTES`] is refused without being kept. The only
/// error is one writing `output` (a closed pipe, say).
pub fn serve_lines<R: std::io::BufRead, W: std::io::Write>(
    rules: &RuleSet,
    input: R,
    output: W,
    pretty: bool,
) -> std::io::Result<()> {
    serve_lines_until(rules, input, output, pretty, None)
}

/// [`serve_lines`] with an end for the whole input (a batch over HTTP, say): once `until`
/// has passed, each remaining line is answered `budget_exceeded` (with its `id` when it
/// has one) without being evaluated, so answers still pair up with requests and the whole
/// input ends at most one query deadline after `until`.
pub fn serve_lines_until<R: std::io::BufRead, W: std::io::Write>(
    rules: &RuleSet,
    mut input: R,
    mut output: W,
    pretty: bool,
    until: Option<std::time::Instant>,
) -> std::io::Result<()> {
    let limit = crate::limits::MAX_REQUEST_BYTES;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        buf.clear();
        // Read one line, but keep at most `limit` bytes of it.
        let mut too_long = false;
        let mut got_any = false;
        let mut waiting = false;
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
            waiting = used < chunk.len();
            input.consume(used);
            if done.is_some() {
                break;
            }
        }
        if !got_any {
            return output.flush();
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
            rules.error_response(body)
        } else if until.is_some_and(|t| std::time::Instant::now() >= t) {
            let body = ErrorBody {
                code: "budget_exceeded".into(),
                message: "the batch ran out of time before this request was answered; \
                          send it again (alone or in a smaller batch)"
                    .into(),
                field: None,
                line: None,
                column: None,
                suggestions: Vec::new(),
            };
            let mut answer = rules.error_response(body);
            answer.id = read_line(&buf)
                .ok()
                .and_then(|value| match read_request(value) {
                    Ok((id, _)) => id,
                    Err(refused) => refused.id,
                });
            answer
        } else {
            rules.answer_line(&buf)
        };
        writeln!(output, "{}", answer_json(&answer, pretty))?;
        if !waiting {
            output.flush()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(line: &str) -> Refused {
        *read_request(serde_json::from_str(line).unwrap()).unwrap_err()
    }

    #[test]
    fn unknown_fields_are_named_with_a_suggestion() {
        let r = refused(r#"{"query":"quote","cart":{"lines":[]},"coupon":["a"]}"#);
        assert_eq!(r.error.field.as_deref(), Some("coupon"));
        assert_eq!(r.error.suggestions, vec!["coupons"]);
        assert!(
            r.error.message.contains("did you mean `coupons`"),
            "{}",
            r.error.message
        );
        let r = refused(r#"{"query":"qoute","cart":{"lines":[]}}"#);
        assert_eq!(r.error.field.as_deref(), Some("query"));
        assert_eq!(r.error.suggestions, vec!["quote"]);
        let r = refused(
            r#"{"query":"quote","cart":{"lines":[{"id":"L1","price":1,"qty":1,"catgory":"鞋"}]}}"#,
        );
        assert_eq!(r.error.field.as_deref(), Some("catgory"));
        assert_eq!(r.error.suggestions, vec!["category"]);
    }

    #[test]
    fn ids_are_kept_and_nulls_are_absent() {
        let (id, _) = read_request(serde_json::json!({
            "id": "r1", "query": "quote", "cart": {"lines": []}, "context": null, "coupons": null
        }))
        .unwrap();
        assert_eq!(id, Some(RequestId::Text("r1".into())));
        let r = refused(r#"{"id": 3, "query": "quote"}"#);
        assert_eq!(r.id, Some(RequestId::Number(3)));
        assert_eq!(r.error.field.as_deref(), Some("cart"));
        assert_eq!(
            refused(r#"{"id": true, "query": "offers"}"#)
                .error
                .field
                .as_deref(),
            Some("id")
        );
        // `explain` takes a pasted request (its id included) or a query's fields, not both.
        assert!(read_request(serde_json::json!({
            "query": "explain", "request": {"id": 7, "query": "offers"}
        }))
        .is_ok());
        let (_, both) = read_request(serde_json::json!({
            "query": "explain", "request": {"query": "offers"}, "a": "x"
        }))
        .unwrap();
        assert!(matches!(
            both.explained(),
            Some(Err(crate::error::EvalError::BadRequest { field, .. })) if field == "a"
        ));
        // Any number comes back exactly as written.
        let (id, _) =
            read_request(serde_json::from_str(r#"{"id": 1.50, "query": "offers"}"#).unwrap())
                .unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "1.50");
    }

    #[test]
    fn integers_beyond_64_bits_are_refused_naming_the_field() {
        // A JSON tree with exact numbers (a tool call's arguments) hands these over as
        // 128-bit integers; both ways must name the field.
        for (line, field) in [
            (
                r#"{"query":"quote","cart":{"lines":[{"id":"L1","price":100000000000000000000000,"qty":1}]}}"#,
                "price",
            ),
            (
                r#"{"query":"quote","cart":{"lines":[{"id":"L1","price":1,"qty":100000000000000000000000}]}}"#,
                "qty",
            ),
        ] {
            let r = refused(line);
            assert!(r.error.message.contains(field), "{}", r.error.message);
            assert_eq!(r.error.field.as_deref(), Some(field), "{}", r.error.message);
        }
    }
}
