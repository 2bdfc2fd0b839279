//! Pagination memory: 100,000 resources streamed through `get_children_resources` (page size
//! 1,000) from a loopback server that makes each page on the fly, with peak heap and items
//! per second. Run by `cargo xtask bench pagination`; by hand:
//!
//! ```sh
//! cargo run --release -p stackai-tests --example bench_pagination -- --runs 5
//! ```
//!
//! Heap is measured by a counting global allocator: live bytes and their peak since the last
//! reset. Each figure is the peak above what was live when the measurement started, so the
//! client, its connection pool and the runtime are not counted. Three measurements per run:
//!
//! * `page()`: one page of 1,000 fetched and decoded (the reference: "one page");
//! * `stream()`: all 100,000 items, one at a time;
//! * collect: the same stream pushed into a `Vec` (the reference: "the whole set").
//!
//! The server is a separate process (see `bench_support`), so its buffers are not counted.

mod bench_support;

use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench_support::{
    Counting, ServerProcess, json_response, live_above, median, peak_above, query_param,
    start_measuring,
};

const TOTAL: usize = 100_000;
const PAGE_SIZE: u64 = 1_000;
/// Longer than any healthy stream of the whole set takes.
const STREAM_CAP: Duration = Duration::from_secs(120);
const CONNECTION_ID: &str = "123e4567-e89b-12d3-a456-426614174000";

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Resource number `i`, shaped like the API documentation's example.
fn write_resource(out: &mut String, i: usize) {
    let _ = write!(
        out,
        concat!(
            r#"{{"knowledge_base_id":"123e4567-e89b-12d3-a456-426614174000","#,
            r#""created_at":"2025-11-28T01:31:40.235Z","modified_at":"2025-11-28T01:31:40.235Z","#,
            r#""indexed_at":"2025-11-28T01:31:40.235Z","inode_type":"file","#,
            r#""resource_id":"resource-{i:06}","inode_path":{{"path":"documents/report-{i:06}.pdf"}},"#,
            r#""dataloader_metadata":{{}},"user_metadata":{{}},"#,
            r#""inode_id":"00000000-0000-4000-8000-{i:012}","content_hash":"sha256-{h:016x}","#,
            r#""content_mime":"application/pdf","size":{size},"status":"indexed","#,
            r#""supabase_signed_url":null}}"#
        ),
        i = i,
        h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        size = i * 17 + 1,
    );
}

/// The JSON body of the page that starts at item `start`.
fn page_json(start: usize, page_size: usize) -> String {
    let end = (start + page_size).min(TOTAL);
    let mut out = String::with_capacity((end - start) * 560 + 128);
    out.push_str(r#"{"data":["#);
    for i in start..end {
        if i > start {
            out.push(',');
        }
        write_resource(&mut out, i);
    }
    out.push_str(r#"],"current_cursor":"#);
    let _ = write!(out, "\"{start}\",\"next_cursor\":");
    if end < TOTAL {
        let _ = write!(out, "\"{end}\"}}");
    } else {
        out.push_str("null}");
    }
    out
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        bench_support::serve(Arc::new(|method, target| {
            let path = target.split('?').next().unwrap_or("");
            if method != "GET" || !path.ends_with("/resources/children") {
                return Cow::Owned(json_response("404 Not Found", b"{}"));
            }
            let start = query_param(target, "cursor")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let size = query_param(target, "page_size")
                .and_then(|c| c.parse().ok())
                .unwrap_or(50);
            Cow::Owned(json_response("200 OK", page_json(start, size).as_bytes()))
        }));
    }
    let args = bench_support::args();
    let server = ServerProcess::start(&["--serve"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(&args, &server));
}

struct Run {
    page_peak: usize,
    page_held: usize,
    stream_peak: usize,
    stream_rate: f64,
    collect_peak: usize,
    collect_held: usize,
    collect_rate: f64,
}

async fn run(args: &bench_support::Args, server: &ServerProcess) {
    let client = stackai_connections::Client::builder()
        .base_url(server.base_url())
        .bearer_token("bench-token")
        .build()
        .expect("a client");
    let id: uuid::Uuid = CONNECTION_ID.parse().expect("a UUID");
    let page_bytes = page_json(0, PAGE_SIZE as usize).len();
    let total_bytes: usize = (0..TOTAL)
        .step_by(PAGE_SIZE as usize)
        .map(|start| page_json(start, PAGE_SIZE as usize).len())
        .sum();
    println!(
        "{TOTAL} resources in pages of {PAGE_SIZE} made on the fly by a loopback server (own \
         process); JSON: {} per page, {} in all; {} runs",
        mib(page_bytes),
        mib(total_bytes),
        args.runs
    );

    // Warm-up: the connection, the runtime's and allocator's first buffers.
    measure_stream(&client, id, false).await;

    let mut runs = Vec::new();
    for _ in 0..args.runs {
        let base = start_measuring();
        let page = client
            .get_children_resources()
            .connection_id(id)
            .page_size(PAGE_SIZE)
            .page()
            .await
            .expect("one page");
        assert_eq!(page.items.len(), PAGE_SIZE as usize);
        let page_peak = peak_above(base);
        let page_held = live_above(base);
        drop(page);

        let (stream_peak, _, stream_rate) = measure_stream(&client, id, false).await;
        let (collect_peak, collect_held, collect_rate) = measure_stream(&client, id, true).await;
        runs.push(Run {
            page_peak,
            page_held,
            stream_peak,
            stream_rate,
            collect_peak,
            collect_held,
            collect_rate,
        });
    }

    let med = |f: fn(&Run) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let page_peak = med(|r| r.page_peak as f64);
    let page_held = med(|r| r.page_held as f64);
    let stream_peak = med(|r| r.stream_peak as f64);
    let stream_rate = med(|r| r.stream_rate);
    let collect_peak = med(|r| r.collect_peak as f64);
    let collect_held = med(|r| r.collect_held as f64);
    let collect_rate = med(|r| r.collect_rate);
    println!(
        "\n  {:<44} {:>12} {:>12} {:>14}",
        "measurement (median)", "peak heap", "held after", "items/s"
    );
    println!(
        "  {:<44} {:>12} {:>12} {:>14}",
        "page(): one page of 1,000, decoded",
        mib(page_peak as usize),
        mib(page_held as usize),
        "-"
    );
    println!(
        "  {:<44} {:>12} {:>12} {:>14.0}",
        "stream(): 100,000 items one at a time",
        mib(stream_peak as usize),
        "-",
        stream_rate
    );
    println!(
        "  {:<44} {:>12} {:>12} {:>14.0}",
        "stream() collected into a Vec (whole set)",
        mib(collect_peak as usize),
        mib(collect_held as usize),
        collect_rate
    );
    let per_run: Vec<String> = runs.iter().map(|r| mib(r.stream_peak)).collect();
    println!("  stream() peak in each run: {}", per_run.join(", "));
    println!(
        "  stream() peak = {:.2} x one page's peak, {:.3} x the whole set's peak; \
         page JSON {} / decoded page held {}",
        stream_peak / page_peak,
        stream_peak / collect_peak,
        mib(page_bytes),
        mib(page_held as usize)
    );
    bench_support::goal(
        "pagination peak memory about one page, not the whole set",
        &format!(
            "stream peak {} vs one page {} ({:.2}x) vs whole set {} ({:.3}x); {stream_rate:.0} items/s",
            mib(stream_peak as usize),
            mib(page_peak as usize),
            stream_peak / page_peak,
            mib(collect_peak as usize),
            stream_peak / collect_peak
        ),
        Some(stream_peak <= 2.0 * page_peak),
    );
}

/// Streams every item: (peak heap above the start, heap held at the end, items per second).
async fn measure_stream(
    client: &stackai_connections::Client,
    id: uuid::Uuid,
    collect: bool,
) -> (usize, usize, f64) {
    let base = start_measuring();
    let started = Instant::now();
    let mut stream = client
        .get_children_resources()
        .connection_id(id)
        .page_size(PAGE_SIZE)
        .stream();
    let mut kept = Vec::new();
    let mut count = 0usize;
    while let Some(item) = stream.next().await {
        let resource = item.expect("a resource");
        count += 1;
        assert!(count <= TOTAL, "the server sent more than {TOTAL} items");
        assert!(
            started.elapsed() < STREAM_CAP,
            "streaming took over {STREAM_CAP:?}"
        );
        if collect {
            kept.push(resource);
        } else {
            std::hint::black_box(&resource);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(count, TOTAL);
    let held = live_above(base);
    let peak = peak_above(base);
    drop(kept);
    (peak, held, count as f64 / elapsed)
}

fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}
