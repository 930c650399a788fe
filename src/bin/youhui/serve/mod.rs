//! `youhui serve`: the protocol over HTTP, for platforms (axum on hyper and tokio).
//!
//! - Connections are served by hyper's HTTP/1.1 server with a header deadline, so a client
//!   that sends its headers slowly (or never) is cut off without holding anything others
//!   need: every connection is its own task, and queries run on the blocking pool.
//! - Bodies have a size limit (413) and a deadline (408), see `routes`; a response write
//!   that stalls past the write deadline (a client that does not read) closes the
//!   connection, so no answer is held in memory for a client that never takes it.
//! - The rule file is watched (`state`): a good new file swaps in whole, a bad one is
//!   refused and the old rules keep answering. SIGHUP reloads at once.
//! - SIGTERM or Ctrl-C: the listener closes (new connections are refused), requests in
//!   flight finish (up to the grace period), then the process exits 0.
//!
//! The first line on standard output is `listening on ADDR` (useful with port 0); logs go
//! to standard error (`YOUHUI_LOG=debug` for more).

mod metrics;
mod routes;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use routes::{App, BodyLimits, WorkLimits};
use state::{Service, Wake};

/// `youhui serve`'s settings (from the command line).
#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// The rule file (watched: a good new version is loaded, a bad one refused).
    pub rules: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Per-query deadline in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline_ms: u64,
    /// Largest request body in bytes (413 above).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub body_limit: usize,
    /// Time allowed for a request's headers, counted from when the connection waits for
    /// them (so also the idle limit of a keep-alive connection); it is closed after it.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// Time allowed for a request's body once its headers are in (408 after).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_ms: u64,
    /// Time a response write may stall (a client that does not read its answer) before
    /// the connection is closed.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub write_timeout_ms: u64,
    /// Queries answered at once (default: twice the number of cores); others wait.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_evaluations: Option<u64>,
    /// How long a request may wait for an evaluation slot before 503 (Retry-After: 1).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub queue_wait_ms: u64,
    /// Most request lines in one batch (413 above).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_lines: u64,
    /// Time for a whole batch: lines still waiting when it has passed are answered
    /// `budget_exceeded` without being evaluated.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_deadline_ms: u64,
    /// Most connections open at once; further clients wait in the listen queue.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// A changed rule file is loaded once it has been unmodified this long (a file written
    /// in place is never loaded half-written; publishing by rename can use less).
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub settle_ms: u64,
    /// How often the rule file is looked at besides file-system events.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..))]
    pub poll_ms: u64,
    /// On SIGTERM, how long requests in flight may take to finish.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub shutdown_grace_ms: u64,
}

pub fn run(options: Options) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YOUHUI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let grace = Duration::from_millis(options.shutdown_grace_ms);
    let code = runtime.block_on(serve(options));
    // Queries still running on the blocking pool (their clients gone) do not hold the exit.
    runtime.shutdown_timeout(grace.min(Duration::from_millis(500)));
    code
}

async fn serve(options: Options) -> ExitCode {
    let service = Arc::new(Service::new(
        options.rules.clone(),
        Duration::from_millis(options.deadline_ms),
        Duration::from_millis(options.settle_ms),
    ));
    // The first load, before listening: a broken or missing file is reported and the
    // service starts anyway, answering 503 until a good file appears.
    service.reload(true);
    let wake = state::watch(Arc::clone(&service), Duration::from_millis(options.poll_ms));

    let listener = match TcpListener::bind(options.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", options.addr);
            return ExitCode::from(2);
        }
    };
    let local = listener.local_addr().unwrap_or(options.addr);
    println!("listening on {local}");
    tracing::info!("listening on {local}");

    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let evaluations = options
        .max_evaluations
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(2 * cores);
    let app = routes::router(App {
        service,
        limits: BodyLimits {
            max_bytes: options.body_limit,
            deadline: Duration::from_millis(options.body_timeout_ms),
        },
        work: WorkLimits {
            evaluations: Arc::new(Semaphore::new(evaluations)),
            queue_wait: Duration::from_millis(options.queue_wait_ms),
            batch_lines: usize::try_from(options.batch_lines).unwrap_or(usize::MAX),
            batch_deadline: Duration::from_millis(options.batch_deadline_ms),
        },
    });
    // A span per request costs about a sixth of the throughput: only when it is logged.
    let app = if tracing::enabled!(tracing::Level::DEBUG) {
        app.layer(TraceLayer::new_for_http())
    } else {
        app
    }
    .layer(CatchPanicLayer::new());

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(options.header_timeout_ms))
        // A request head larger than this is refused (431) before it costs more memory
        // (hyper's default is about 400 KiB per connection).
        .max_buf_size(64 * 1024)
        .keep_alive(true);
    let connections = Arc::new(Semaphore::new(
        usize::try_from(options.max_connections).unwrap_or(usize::MAX),
    ));
    let write_timeout = Duration::from_millis(options.write_timeout_ms);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal(wake));
    loop {
        // A free connection slot first, so over the limit clients wait in the backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(write_timeout));
        let connection = http.serve_connection(
            TokioIo::new(Box::pin(stream)),
            TowerToHyperService::new(app.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: no new connections, finishing requests in flight");
    let grace = Duration::from_millis(options.shutdown_grace_ms);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {grace:?}; exiting");
    }
    ExitCode::SUCCESS
}

/// Resolves on SIGTERM or Ctrl-C; forwards SIGHUP to the watcher as a reload.
async fn shutdown_signal(wake: std::sync::mpsc::Sender<Wake>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        loop {
            tokio::select! {
                _ = term.recv() => return,
                _ = tokio::signal::ctrl_c() => return,
                _ = hup.recv() => {
                    tracing::info!("SIGHUP: reloading the rule file");
                    let _ = wake.send(Wake::Hangup);
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        drop(wake);
        let _ = tokio::signal::ctrl_c().await;
    }
}
