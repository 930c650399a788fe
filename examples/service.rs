//! `service`: youhui inside your own axum application.
//!
//! `youhui serve` is the ready-made HTTP service (limits, timeouts, metrics, graceful
//! shutdown). This example is for a team that already has an axum app and wants one pricing
//! route in it: share the rules through [`youhui::SharedRules`], take a snapshot per
//! request, answer the protocol with [`youhui::RuleSet::answer_line`] off the async
//! workers, and reload the file from a background thread.
//!
//! ```text
//! cargo run --release --example service -- examples/double11.promo [127.0.0.1:8080]
//! curl -s localhost:8080/price --json '{"query": "can_stack", "a": "plat", "b": "shop20"}'
//! ```

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::routing::post;
use axum::Router;
use youhui::SharedRules;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), addr) = (args.next(), args.next()) else {
        eprintln!("usage: service RULES.promo [HOST:PORT]");
        std::process::exit(2);
    };
    let rules = match SharedRules::from_file(&path) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    // A good new file replaces the rules for new requests; a bad one is refused.
    let watched = Arc::clone(&rules);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        if let Err(e) = watched.reload_if_changed() {
            eprintln!("reload refused, old rules stay:\n{e}");
        }
    });

    let app = Router::new().route("/price", post(price)).with_state(rules);
    let addr = addr.unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    if let Ok(local) = listener.local_addr() {
        println!("listening on {local}");
    }
    axum::serve(listener, app).await.expect("server");
}

/// One protocol request in, its answer out: 400 for a request that cannot be read, 422 for
/// one the rules refuse.
async fn price(
    State(rules): State<Arc<SharedRules>>,
    body: Bytes,
) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    let rules = rules.current();
    // A query may take up to its deadline: keep it off the async workers.
    let answer = tokio::task::spawn_blocking(move || rules.answer_line(&body))
        .await
        .expect("the engine does not panic");
    let status = match answer.body.error() {
        None => StatusCode::OK,
        Some(e) if e.code == "bad_request" => StatusCode::BAD_REQUEST,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let json = youhui::protocol::answer_json(&answer, false);
    (status, [(header::CONTENT_TYPE, "application/json")], json)
}
