//! Client overhead: `get_connection_by_id` through the generated client against a plain
//! `reqwest` call with hand-written serde types, on one loopback server, at concurrency 1
//! and 32. Run by `cargo xtask bench client`; by hand:
//!
//! ```sh
//! cargo run --release -p stackai-tests --example bench_client -- --runs 5
//! ```
//!
//! Three clients, each measured `--runs` times in rotating order:
//!
//! * `plain reqwest`: `reqwest::Client::get(..).bearer_auth(..).send()`, `error_for_status`,
//!   `.json::<Connection>()` into a `#[derive(Deserialize)]` struct written by hand;
//! * `generated`: `client.get_connection_by_id().connection_id(id).send()` on a client built
//!   with `Client::builder().bearer_token(..)`: the runtime's retry policy (two retries),
//!   bearer auth, per-attempt timeout and tracing span are all in the path; no tracing
//!   subscriber is installed for it, as in an application that does not collect traces;
//! * `generated + spans`: the same, with a subscriber that enables the client's spans (and
//!   records nothing), so that span creation, field recording and enter/exit all run.
//!
//! Every loop is bounded by a request count and a time cap. The server is a separate process
//! (see `bench_support`), killed when this program ends, and exits by itself otherwise.

mod bench_support;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bench_support::{ServerProcess, json_response, median, quantile};
use serde::Deserialize;

/// The `Connection` example of the API documentation (GET /connections/{connection_id}).
const BODY: &str = r#"{
  "connection_id": "123e4567-e89b-12d3-a456-426614174000",
  "created_by": {
    "avatar_url": "text",
    "full_name": "text",
    "has_completed_onboarding": true,
    "last_signed_in": "text",
    "updated_at": "text",
    "id": "text",
    "email": "text"
  },
  "created_at": "2025-11-10T10:49:18.436394+00:00",
  "updated_by": {
    "avatar_url": "text",
    "full_name": "text",
    "has_completed_onboarding": true,
    "last_signed_in": "text",
    "updated_at": "text",
    "id": "text",
    "email": "text"
  },
  "updated_at": "2025-11-10T10:49:18.436438+00:00",
  "name": "Unnamed connection",
  "org_id": "text",
  "provider_id": "text",
  "connection_type_id": "text",
  "connection_provider_data": {
    "ANY_ADDITIONAL_PROPERTY": "anything"
  }
}"#;

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";
const TOKEN: &str = "bench-token";
const CONCURRENCY: [usize; 2] = [1, 32];

/// The hand-written model of the baseline.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // read by nobody: decoding is what is measured
struct PlainConnection {
    connection_id: uuid::Uuid,
    created_by: Option<PlainUser>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_by: Option<PlainUser>,
    updated_at: chrono::DateTime<chrono::Utc>,
    name: String,
    org_id: String,
    provider_id: String,
    connection_type_id: String,
    connection_provider_data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct PlainUser {
    avatar_url: Option<String>,
    full_name: Option<String>,
    has_completed_onboarding: Option<bool>,
    last_signed_in: Option<String>,
    updated_at: Option<String>,
    id: String,
    email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Generated,
    GeneratedSpans,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Plain, Kind::Generated, Kind::GeneratedSpans];

    fn label(self) -> &'static str {
        match self {
            Kind::Plain => "plain reqwest + serde",
            Kind::Generated => "generated",
            Kind::GeneratedSpans => "generated + spans",
        }
    }
}

struct Clients {
    generated: stackai_connections::Client,
    plain: reqwest::Client,
    base_url: String,
    id: uuid::Uuid,
}

/// One measurement.
#[derive(Debug, Clone, Copy)]
struct Sample {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        let response: &'static [u8] =
            Box::leak(json_response("200 OK", BODY.as_bytes()).into_boxed_slice());
        let not_found: &'static [u8] =
            Box::leak(json_response("404 Not Found", b"{}").into_boxed_slice());
        bench_support::serve(Arc::new(move |method, target| {
            if method == "GET" && target.starts_with("/connections/") {
                Cow::Borrowed(response)
            } else {
                Cow::Borrowed(not_found)
            }
        }));
    }
    let args = bench_support::args();
    tracing::subscriber::set_global_default(SpanSink).expect("no other subscriber");
    let server = ServerProcess::start(&["--serve"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(&args, &server));
}

async fn run(args: &bench_support::Args, server: &ServerProcess) {
    let base_url = server.base_url();
    let generated = stackai_connections::Client::builder()
        .base_url(&base_url)
        .bearer_token(TOKEN)
        .build()
        .expect("a client");
    // Built after the generated client, which installs the process's rustls crypto provider.
    let plain = reqwest::Client::new();
    let clients = Arc::new(Clients {
        generated,
        plain,
        base_url,
        id: ID.parse().expect("a UUID"),
    });
    check(&clients).await;

    let (count_1, count_32, cap) = if args.quick {
        (1_000, 4_000, Duration::from_secs(2))
    } else {
        (10_000, 40_000, Duration::from_secs(8))
    };
    println!(
        "server: hand-written HTTP/1.1 keep-alive responder, own process, one thread; client: \
         current-thread tokio runtime; {} runs per figure, order rotated each run",
        args.runs
    );
    println!(
        "body: the `Connection` example of the API docs, {} bytes",
        BODY.len()
    );

    for concurrency in CONCURRENCY {
        let total = if concurrency == 1 { count_1 } else { count_32 };
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); Kind::ALL.len()];
        let server_cpu = server.cpu_seconds();
        let wall = Instant::now();
        for kind in Kind::ALL {
            // Warm-up: opens the connections of this client's pool.
            measure(
                kind,
                &clients,
                concurrency,
                concurrency * 50,
                Duration::from_secs(2),
            )
            .await;
        }
        for run in 0..args.runs {
            for k in 0..Kind::ALL.len() {
                let index = (k + run) % Kind::ALL.len();
                let sample = measure(Kind::ALL[index], &clients, concurrency, total, cap).await;
                samples[index].push(sample);
            }
        }
        let busy = match (server_cpu, server.cpu_seconds()) {
            (Some(a), Some(b)) => format!(
                "{:.0} % of one core",
                (b - a) / wall.elapsed().as_secs_f64() * 100.0
            ),
            _ => "unknown".into(),
        };
        println!(
            "\nconcurrency {concurrency}: up to {total} requests or {} s per run; server busy {busy}",
            cap.as_secs()
        );
        println!(
            "  {:<24} {:>10} {:>10} {:>10}   req/s of each run",
            "client", "req/s", "p50 us", "p99 us"
        );
        let mut medians = Vec::new();
        for (kind, runs) in Kind::ALL.iter().zip(&samples) {
            let rps = median(&runs.iter().map(|s| s.rps).collect::<Vec<_>>());
            let p50 = median(&runs.iter().map(|s| s.p50_us).collect::<Vec<_>>());
            let p99 = median(&runs.iter().map(|s| s.p99_us).collect::<Vec<_>>());
            let each: Vec<String> = runs.iter().map(|s| format!("{:.0}", s.rps)).collect();
            println!(
                "  {:<24} {rps:>10.0} {p50:>10.1} {p99:>10.1}   {}",
                kind.label(),
                each.join(" ")
            );
            medians.push((rps, p50, p99));
        }
        let plain = medians[0].0;
        for (i, kind) in Kind::ALL.iter().enumerate().skip(1) {
            println!(
                "  ratio {} / plain: {:.3} (req/s); p50 {:+.1} us, p99 {:+.1} us",
                kind.label(),
                medians[i].0 / plain,
                medians[i].1 - medians[0].1,
                medians[i].2 - medians[0].2
            );
        }
        let ratio = medians[2].0 / plain;
        bench_support::goal(
            &format!("client throughput at concurrency {concurrency} >= 0.95 of plain reqwest"),
            &format!(
                "generated + spans {:.0} req/s vs plain {plain:.0} req/s: ratio {ratio:.3} (without a subscriber: {:.3}); p50 {:.1} vs {:.1} us, p99 {:.1} vs {:.1} us",
                medians[2].0,
                medians[1].0 / plain,
                medians[2].1,
                medians[0].1,
                medians[2].2,
                medians[0].2
            ),
            Some(ratio >= 0.95),
        );
    }
    println!(
        "\nspans the subscriber saw: {}",
        SPANS.load(Ordering::Relaxed)
    );
}

/// Both clients decode the same connection before anything is timed.
async fn check(clients: &Clients) {
    let generated = call_generated(clients).await;
    let plain = call_plain(clients).await;
    assert_eq!(generated.connection_id, clients.id);
    assert_eq!(plain.connection_id, clients.id);
    assert_eq!(generated.name, plain.name);
    assert_eq!(generated.created_at, plain.created_at);
}

async fn call_generated(clients: &Clients) -> stackai_connections::types::Connection {
    clients
        .generated
        .get_connection_by_id()
        .connection_id(clients.id)
        .send()
        .await
        .expect("the generated client's request")
        .into_inner()
}

async fn call_plain(clients: &Clients) -> PlainConnection {
    clients
        .plain
        .get(format!("{}/connections/{}", clients.base_url, clients.id))
        .bearer_auth(TOKEN)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the plain request")
        .json::<PlainConnection>()
        .await
        .expect("a connection")
}

/// Up to `total` requests (or until `cap` has passed) from `concurrency` tasks.
async fn measure(
    kind: Kind,
    clients: &Arc<Clients>,
    concurrency: usize,
    total: usize,
    cap: Duration,
) -> Sample {
    SPANS_ON.store(kind == Kind::GeneratedSpans, Ordering::Relaxed);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let clients = clients.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(total / concurrency + 1);
                while next.fetch_add(1, Ordering::Relaxed) < total && started.elapsed() < cap {
                    let t0 = Instant::now();
                    match kind {
                        Kind::Plain => {
                            std::hint::black_box(call_plain(&clients).await);
                        }
                        Kind::Generated | Kind::GeneratedSpans => {
                            std::hint::black_box(call_generated(&clients).await);
                        }
                    }
                    latencies.push(t0.elapsed().as_nanos() as u64);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(task.await.expect("a request task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    SPANS_ON.store(false, Ordering::Relaxed);
    latencies.sort_unstable();
    Sample {
        rps: latencies.len() as f64 / elapsed,
        p50_us: quantile(&latencies, 0.50) as f64 / 1000.0,
        p99_us: quantile(&latencies, 0.99) as f64 / 1000.0,
    }
}

/// Whether [`SpanSink`] enables the client's spans right now.
static SPANS_ON: AtomicBool = AtomicBool::new(false);
static SPANS: AtomicU64 = AtomicU64::new(0);

/// A subscriber that, while [`SPANS_ON`] is set, enables the generated client's spans and
/// events, visits their fields and does nothing else: the cost of tracing in the client,
/// without the cost of any particular output.
struct SpanSink;

struct Visitor(usize);

impl tracing::field::Visit for Visitor {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        std::hint::black_box((field, value));
        self.0 += 1;
    }
}

impl tracing::Subscriber for SpanSink {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        SPANS_ON.load(Ordering::Relaxed) && metadata.target().starts_with("stackai_connections")
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut visitor = Visitor(0);
        span.record(&mut visitor);
        std::hint::black_box(visitor.0);
        tracing::span::Id::from_u64(SPANS.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut visitor = Visitor(0);
        values.record(&mut visitor);
        std::hint::black_box(visitor.0);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut visitor = Visitor(0);
        event.record(&mut visitor);
        std::hint::black_box(visitor.0);
    }

    fn enter(&self, span: &tracing::span::Id) {
        std::hint::black_box(span);
    }

    fn exit(&self, span: &tracing::span::Id) {
        std::hint::black_box(span);
    }
}
