//! The HTTP routes: the protocol over `POST /v1/ask` and `/v1/ask/batch`, the rule set's
//! offers and identity, health, readiness and metrics.
//!
//! Status codes: 200 answered; 400 a request that cannot be read (the protocol's
//! `bad_request` body); 422 a readable request the rules refuse (unknown offer, conflicting
//! coupons, a refund that does not match its order, a search over budget); 404 an unknown
//! path; 405 a wrong method; 408 a body not received within the body deadline; 413 a body
//! over the limit; 415 a body declared as something other than JSON; 503 while no rules are
//! loaded. Errors of the service itself have the protocol's shape, `{"error": {"code",
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

use super::state::{rfc3339, Service};

/// Limits on one request's body.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// Largest body accepted (413 above).
    pub max_bytes: usize,
    /// Time allowed to receive the whole body once its headers are in (408 after).
    pub deadline: Duration,
}

#[derive(Clone)]
pub struct App {
    pub service: Arc<Service>,
    pub limits: BodyLimits,
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
        .with_state(app)
}

const JSON: &str = "application/json";
const JSON_LINES: &str = "application/x-ndjson";

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response {
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

/// 503 while no rule file has loaded.
fn no_rules(service: &Service) -> Response {
    let detail = match service.status().refused {
        Some((_, report)) => format!("no rules are loaded: {report}"),
        None => "no rules are loaded".to_owned(),
    };
    service_error(StatusCode::SERVICE_UNAVAILABLE, "no_rules", &detail)
}

/// The status for an answer: by its error code.
fn answer_status(code: Option<&str>) -> StatusCode {
    match code {
        None => StatusCode::OK,
        Some("bad_request") => StatusCode::BAD_REQUEST,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Whether a declared content type is one we read. No declaration is fine (`curl -d`
/// without `-H` is common); `text/plain` too, for hand-typed requests.
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

/// Reads the whole body within the limits, or the error response.
async fn read_body(
    app: &App,
    request: Request,
    batch: bool,
) -> Result<(Arc<youhui::RuleSet>, Bytes), Response> {
    let Some(rules) = app.service.snapshot() else {
        return Err(no_rules(&app.service));
    };
    if !acceptable(request.headers(), batch) {
        let what = if batch {
            "JSON lines (application/x-ndjson) or JSON"
        } else {
            "JSON (application/json)"
        };
        return Err(service_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            &format!("the body must be {what}"),
        ));
    }
    let too_large = || {
        service_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            &format!("the body is larger than {} bytes", app.limits.max_bytes),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.limits.max_bytes as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), app.limits.max_bytes);
    match tokio::time::timeout(app.limits.deadline, body.collect()).await {
        Err(_) => Err(service_error(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            &format!(
                "the body did not arrive within {} ms",
                app.limits.deadline.as_millis()
            ),
        )),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(service_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("cannot read the body: {e}"),
        )),
        Ok(Ok(collected)) => Ok((rules, collected.to_bytes())),
    }
}

/// Runs `work` off the async workers: a query may take up to its deadline.
async fn evaluate<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(answer) => answer,
        // A panic in the engine is a bug; CatchPanicLayer would turn it into a 500 had it
        // happened on this task, so do the same here.
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
    let started = Instant::now();
    let (rules, body) = match read_body(&app, request, false).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let (answer, json) = evaluate(move || {
        let answer = rules.answer_line(&body);
        let json = youhui::answer_json(&answer, false);
        let query = answer.body.query().unwrap_or_else(|| named_query(&body));
        ((query, answer.body.error().map(|e| e.code.clone())), json)
    })
    .await;
    let (query, code) = answer;
    let status = answer_status(code.as_deref());
    app.service.metrics.request(
        query,
        code.as_deref().unwrap_or("ok"),
        started.elapsed().as_secs_f64(),
    );
    reply(status, JSON, json + "\n")
}

async fn batch(State(app): State<App>, request: Request) -> Response {
    let started = Instant::now();
    let (rules, body) = match read_body(&app, request, true).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    // One snapshot for the whole batch: its answers never mix two rule sets.
    let out = evaluate(move || {
        let mut out = Vec::with_capacity(body.len());
        youhui::serve_lines(&rules, &body[..], &mut out, false).map(|()| out)
    })
    .await;
    match out {
        Ok(out) => {
            app.service
                .metrics
                .request("batch", "ok", started.elapsed().as_secs_f64());
            reply(
                StatusCode::OK,
                JSON_LINES,
                String::from_utf8_lossy(&out).into_owned(),
            )
        }
        Err(e) => service_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &format!("cannot write the answers: {e}"),
        ),
    }
}

async fn offers(State(app): State<App>) -> Response {
    let Some(rules) = app.service.snapshot() else {
        return no_rules(&app.service);
    };
    let answer = rules.answer_line(br#"{"query": "offers"}"#);
    reply(
        StatusCode::OK,
        JSON,
        youhui::answer_json(&answer, false) + "\n",
    )
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
        return no_rules(&app.service);
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

async fn not_found(request: Request<Body>) -> Response {
    service_error(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!(
            "no such path: {} (try POST /v1/ask, POST /v1/ask/batch, GET /v1/offers, GET /v1/rules, /healthz, /readyz, /metrics)",
            request.uri().path()
        ),
    )
}
