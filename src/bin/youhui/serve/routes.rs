//! The HTTP routes: the protocol over `POST /v1/ask` and `/v1/ask/batch`, the rule set's
//! offers and identity, health, readiness and metrics.
//!
//! Status codes: 200 answered; 400 a request that cannot be read (the protocol's
//! `bad_request` body); 422 a readable request the rules refuse (unknown offer, conflicting
//! coupons, a refund that does not match its order, a search over budget); 404 an unknown
//! path; 405 a wrong method; 408 a body not received within the body deadline; 413 a body
//! over the limit (or a batch over its line limit); 415 a body declared as something other
//! than JSON; 503 while no rules are loaded, or when every evaluation slot stayed busy. Errors of the service itself have the protocol's shape, `{"error": {"code",
//! "message"}}`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;
use tokio::sync::Semaphore;

use super::state::{rfc3339, Service};

/// Limits on one request's body.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// Largest body accepted (413 above).
    pub max_bytes: usize,
    /// Time allowed to receive the whole body once its headers are in (408 after).
    pub deadline: Duration,
}

/// Limits on the work requests may ask for.
#[derive(Clone, Debug)]
pub struct WorkLimits {
    /// Queries being answered at once (the rest wait for a slot).
    pub evaluations: Arc<Semaphore>,
    /// How long a request may wait for a slot before 503.
    pub queue_wait: Duration,
    /// Most request lines in one batch (413 above).
    pub batch_lines: usize,
    /// Time for a whole batch, from when its body is in.
    pub batch_deadline: Duration,
}

#[derive(Clone)]
pub struct App {
    pub service: Arc<Service>,
    pub limits: BodyLimits,
    pub work: WorkLimits,
}

pub fn router(app: App) -> Router {
    Router::new()
        .route("/v1/ask", post(ask))
        .route("/v1/ask/batch", post(batch))
        .route("/v1/offers", get(offers))
        .route("/v1/rules", get(rules))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

const JSON: &str = "application/json";
const JSON_LINES: &str = "application/x-ndjson";

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let body: Body = body.into();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An error of the service itself (not of a request's content).
fn service_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    reply(status, JSON, body.to_string() + "\n")
}

/// A request refused by the service, counted in the metrics under `query`.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }

    fn respond(self, app: &App, query: &'static str) -> Response {
        app.service.metrics.request(query, self.code, None);
        let mut response = service_error(self.status, self.code, &self.message);
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// 503 while no rule file has loaded.
fn no_rules(service: &Service) -> Refusal {
    let detail = match service.status().refused {
        Some((_, report)) => format!("no rules are loaded: {report}"),
        None => "no rules are loaded".to_owned(),
    };
    Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "no_rules", detail)
}

/// The status for an answer: by its error code.
fn answer_status(code: Option<&str>) -> StatusCode {
    match code {
        None => StatusCode::OK,
        Some("bad_request") => StatusCode::BAD_REQUEST,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Whether a declared content type is one we read. No declaration is read as JSON, and so
/// is `text/plain` (hand-typed requests); a form (`curl -d` without `-H`) is refused.
fn acceptable(headers: &HeaderMap, batch: bool) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json_like = mime == JSON || mime == "text/plain" || mime.ends_with("+json");
    json_like
        || (batch
            && matches!(
                mime.as_str(),
                JSON_LINES | "application/jsonl" | "application/x-jsonlines"
            ))
}

/// Reads the whole body within the limits, then takes the rules' snapshot (so a slow
/// upload neither answers with old rules nor keeps them alive).
async fn read_body(
    app: &App,
    request: Request,
    batch: bool,
) -> Result<(Arc<youhui::RuleSet>, Bytes), Refusal> {
    if app.service.snapshot().is_none() {
        return Err(no_rules(&app.service));
    }
    if !acceptable(request.headers(), batch) {
        let what = if batch {
            "JSON lines (application/x-ndjson) or JSON"
        } else {
            "JSON (application/json)"
        };
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("the body must be {what}"),
        ));
    }
    // One request is at most what `youhui ask` reads in a line.
    let max = if batch {
        app.limits.max_bytes
    } else {
        app.limits.max_bytes.min(youhui::limits::MAX_REQUEST_BYTES)
    };
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {max} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), max);
    let bytes = match tokio::time::timeout(app.limits.deadline, body.collect()).await {
        Err(_) => {
            return Err(Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the body did not arrive within {} ms",
                    app.limits.deadline.as_millis()
                ),
            ))
        }
        Ok(Err(e)) if e.is::<LengthLimitError>() => return Err(too_large()),
        Ok(Err(e)) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("cannot read the body: {e}"),
            ))
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let rules = app
        .service
        .snapshot()
        .ok_or_else(|| no_rules(&app.service))?;
    Ok((rules, bytes))
}

/// Runs `work` on the blocking pool (a query may take up to its deadline), at most
/// `evaluations` at once; a request that waits longer than `queue_wait` for a slot is 503.
async fn evaluate<T: Send + 'static>(
    app: &App,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    let slots = Arc::clone(&app.work.evaluations);
    let Ok(Ok(permit)) = tokio::time::timeout(app.work.queue_wait, slots.acquire_owned()).await
    else {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "every evaluation slot stayed busy; retry shortly",
        ));
    };
    let done = tokio::task::spawn_blocking(move || {
        let answer = work();
        drop(permit);
        answer
    })
    .await;
    match done {
        Ok(answer) => Ok(answer),
        // A panic in the engine is a bug: resumed here, CatchPanicLayer makes it a 500.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The query a refused request named, if it is a known one (a metrics label).
fn named_query(body: &[u8]) -> &'static str {
    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow)]
        query: Option<&'a str>,
    }
    serde_json::from_slice::<Named>(body)
        .ok()
        .and_then(|n| n.query)
        .and_then(|q| {
            youhui::tools::TOOL_NAMES
                .into_iter()
                .chain(["explain"])
                .find(|known| *known == q)
        })
        .unwrap_or("unknown")
}

async fn ask(State(app): State<App>, request: Request) -> Response {
    let (rules, body) = match read_body(&app, request, false).await {
        Ok(read) => read,
        Err(refusal) => return refusal.respond(&app, "unknown"),
    };
    let started = Instant::now();
    let done = evaluate(&app, move || {
        let answer = rules.answer_line(&body);
        let json = youhui::protocol::answer_json(&answer, false);
        let query = answer.body.query().unwrap_or_else(|| named_query(&body));
        (query, answer.body.error().map(|e| e.code.clone()), json)
    })
    .await;
    let (query, code, json) = match done {
        Ok(done) => done,
        Err(refusal) => return refusal.respond(&app, "unknown"),
    };
    app.service.metrics.request(
        query,
        code.as_deref().unwrap_or("ok"),
        Some(started.elapsed().as_secs_f64()),
    );
    reply(answer_status(code.as_deref()), JSON, json + "\n")
}

async fn batch(State(app): State<App>, request: Request) -> Response {
    let (rules, body) = match read_body(&app, request, true).await {
        Ok(read) => read,
        Err(refusal) => return refusal.respond(&app, "batch"),
    };
    // Every line is answered, empty ones included (answers pair up with lines).
    let lines = body.split(|&b| b == b'\n').count() - usize::from(body.ends_with(b"\n"));
    if lines > app.work.batch_lines {
        return Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "the batch has {lines} lines; at most {} are answered per request",
                app.work.batch_lines
            ),
        )
        .respond(&app, "batch");
    }
    let started = Instant::now();
    let until = started + app.work.batch_deadline;
    // One snapshot for the whole batch: its answers never mix two rule sets.
    let out = evaluate(&app, move || {
        let mut out = Vec::with_capacity(body.len());
        youhui::protocol::serve_lines_until(&rules, &body[..], &mut out, false, Some(until))
            .map(|()| out)
    })
    .await;
    match out {
        Ok(Ok(out)) => {
            app.service
                .metrics
                .request("batch", "ok", Some(started.elapsed().as_secs_f64()));
            reply(StatusCode::OK, JSON_LINES, out)
        }
        Ok(Err(e)) => Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot write the answers: {e}"),
        )
        .respond(&app, "batch"),
        Err(refusal) => refusal.respond(&app, "batch"),
    }
}

async fn offers(State(app): State<App>) -> Response {
    let Some(rules) = app.service.snapshot() else {
        return no_rules(&app.service).respond(&app, "offers");
    };
    // A catalog of thousands of offers takes a while to put in words: off the workers.
    let json = evaluate(&app, move || {
        youhui::protocol::answer_json(&rules.answer_line(br#"{"query": "offers"}"#), false)
    })
    .await;
    match json {
        Ok(json) => reply(StatusCode::OK, JSON, json + "\n"),
        Err(refusal) => refusal.respond(&app, "offers"),
    }
}

fn last_reload(app: &App) -> serde_json::Value {
    let status = app.service.status();
    json!({
        "loaded_at": status.loaded_at.map(rfc3339),
        "refused": status.refused.map(|(at, report)| json!({"at": rfc3339(at), "report": report})),
    })
}

async fn rules(State(app): State<App>) -> Response {
    let Some(rules) = app.service.snapshot() else {
        return no_rules(&app.service).respond(&app, "rules");
    };
    let status = app.service.status();
    let body = json!({
        "name": rules.name(),
        "fingerprint": rules.fingerprint_hex(),
        "file": app.service.path.display().to_string(),
        "loaded_at": status.loaded_at.map(rfc3339),
        "offers": rules.offers().len(),
    });
    reply(StatusCode::OK, JSON, body.to_string() + "\n")
}

async fn healthz() -> Response {
    reply(StatusCode::OK, JSON, "{\"status\":\"ok\"}\n".to_owned())
}

/// Ready when rules are loaded. A refused reload keeps it ready (the old rules answer) but
/// shows in the detail, newer than `loaded_at`.
async fn readyz(State(app): State<App>) -> Response {
    let rules = app.service.snapshot();
    let mut body = json!({
        "ready": rules.is_some(),
        "rules": rules.map(|r| json!({"name": r.name(), "fingerprint": r.fingerprint_hex()})),
    });
    if let (Some(map), serde_json::Value::Object(detail)) =
        (body.as_object_mut(), last_reload(&app))
    {
        map.extend(detail);
    }
    let status = if body["ready"] == true {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    reply(status, JSON, body.to_string() + "\n")
}

async fn metrics(State(app): State<App>) -> Response {
    reply(
        StatusCode::OK,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        app.service.metrics.render(),
    )
}

const ROUTES: &str = "POST /v1/ask, POST /v1/ask/batch, GET /v1/offers, GET /v1/rules, GET /healthz, GET /readyz, GET /metrics";

async fn not_found(State(app): State<App>, request: Request<Body>) -> Response {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such path: {} ({ROUTES})", request.uri().path()),
    )
    .respond(&app, "unknown")
}

async fn method_not_allowed(State(app): State<App>, request: Request<Body>) -> Response {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {} ({ROUTES})",
            request.method(),
            request.uri().path()
        ),
    )
    .respond(&app, "unknown")
}
