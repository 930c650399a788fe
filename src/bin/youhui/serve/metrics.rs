//! `/metrics`: Prometheus counters and histograms (prometheus-client, OpenMetrics text).
//!
//! Label values are always from closed sets (query names, the library's error codes, the
//! service's own outcomes), never from request text, so a client cannot blow up the
//! number of series.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    query: &'static str,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueryLabels {
    query: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RulesLabels {
    name: String,
    fingerprint: String,
}

/// Every metric the service exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<QueryLabels, Histogram>,
    reloads: Family<ReloadLabels, Counter>,
    rules: Family<RulesLabels, Gauge>,
    loaded_at: Gauge,
    /// `rules` holds one series at a time: swapping it is one step for scrapers.
    swap: Mutex<()>,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 1.6 s: a cached quote takes tens of microseconds, a query at its
    // deadline one second.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("youhui");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<QueryLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        let rules = Family::<RulesLabels, Gauge>::default();
        let loaded_at = Gauge::default();
        registry.register(
            "requests",
            "Requests answered, by query and outcome (ok, or the error code)",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from a request's body being read to its answer being ready (waiting for an evaluation slot included), by query",
            latency.clone(),
        );
        registry.register(
            "reloads",
            "Rule file reloads, by result (ok or refused)",
            reloads.clone(),
        );
        registry.register(
            "rules_info",
            "The rule set answering now (always 1; its name and fingerprint are labels)",
            rules.clone(),
        );
        registry.register(
            "rules_loaded_timestamp_seconds",
            "When the rule set answering now was loaded (Unix time)",
            loaded_at.clone(),
        );
        // Both reload results are exported from the start, so a rate() sees the first one.
        for result in ["ok", "refused"] {
            let _ = reloads.get_or_create(&ReloadLabels { result });
        }
        Metrics {
            registry,
            requests,
            latency,
            reloads,
            rules,
            loaded_at,
            swap: Mutex::new(()),
        }
    }

    /// One request: its query (`unknown` when it could not be read), its outcome (`ok`,
    /// the answer's error code or the service's) and, when it was evaluated, how long that
    /// took.
    pub fn request(&self, query: &'static str, outcome: &str, seconds: Option<f64>) {
        self.requests
            .get_or_create(&RequestLabels {
                query,
                outcome: outcome.to_owned(),
            })
            .inc();
        if let Some(seconds) = seconds {
            self.latency
                .get_or_create(&QueryLabels { query })
                .observe(seconds);
        }
    }

    /// A reload that installed new rules.
    pub fn reloaded(&self, name: &str, fingerprint: &str, unix_seconds: i64) {
        self.reloads
            .get_or_create(&ReloadLabels { result: "ok" })
            .inc();
        let _one_at_a_time = self.swap.lock().unwrap_or_else(|e| e.into_inner());
        self.rules.clear();
        self.rules
            .get_or_create(&RulesLabels {
                name: name.to_owned(),
                fingerprint: fingerprint.to_owned(),
            })
            .set(1);
        self.loaded_at.set(unix_seconds);
    }

    /// A reload that was refused (the old rules stay).
    pub fn refused(&self) {
        self.reloads
            .get_or_create(&ReloadLabels { result: "refused" })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Not while `rules_info` is being swapped (it would be missing from this scrape).
        let _one_at_a_time = self.swap.lock().unwrap_or_else(|e| e.into_inner());
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
