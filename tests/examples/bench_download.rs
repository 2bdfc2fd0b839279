//! Memory of a binary download: a `Download` hands the body over chunk by chunk, so the
//! process's peak resident memory does not grow with the body. An in-process loopback
//! server answers the corpus client's `download_file` with `--mib` MiB (default 256) of
//! `application/octet-stream`, written from one reused 256 KiB buffer; the client reads it
//! once with `chunk()` and once with `write_to(tokio::io::sink())`, and the program prints
//! the bytes received, the largest chunk, the time and the growth of the peak resident set
//! (`VmHWM` in `/proc/self/status`; Linux only). By hand:
//!
//! ```sh
//! cargo run --release -p stackai-tests --example bench_download -- --mib 256
//! ```

use std::time::Instant;

use stackai_corpus::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Accepts connections forever; answers each request with `total` bytes.
async fn body_server(listener: TcpListener, total: u64) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {total}\r\n\r\n"
            );
            if socket.write_all(response.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![0xA5u8; 256 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                if socket.write_all(&block[..n]).await.is_err() {
                    return;
                }
                left -= n as u64;
            }
        });
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: u64 = args
        .iter()
        .position(|a| a == "--mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let total = mib << 20;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(body_server(listener, total));
    let client = Client::builder()
        .base_url(&url)
        .build()
        .expect("client builds");

    let before = peak_rss_kib();
    println!(
        "download of a {mib} MiB body ({total} bytes), peak RSS before: {} KiB",
        before.map_or("?".into(), |k| k.to_string())
    );
    let report = |label: &str, bytes: u64, extra: String, started: Instant| {
        let secs = started.elapsed().as_secs_f64();
        let peak = peak_rss_kib();
        println!(
            "{label}: {bytes} bytes in {secs:.2} s ({:.0} MiB/s){extra}; peak RSS {} KiB (+{} KiB)",
            bytes as f64 / (1 << 20) as f64 / secs,
            peak.map_or("?".into(), |k| k.to_string()),
            match (peak, before) {
                (Some(p), Some(b)) => (p - b).to_string(),
                _ => "?".into(),
            }
        );
    };

    let started = Instant::now();
    let mut download = client
        .download_file()
        .file_id(1)
        .send()
        .await
        .expect("the download starts")
        .into_inner();
    let (mut bytes, mut largest, mut chunks) = (0u64, 0usize, 0u64);
    while let Some(chunk) = download.chunk().await.expect("no error") {
        bytes += chunk.len() as u64;
        largest = largest.max(chunk.len());
        chunks += 1;
    }
    assert_eq!(bytes, total, "the whole body arrives");
    report(
        "   chunk()",
        bytes,
        format!(", {chunks} chunks, largest {largest} bytes"),
        started,
    );

    let started = Instant::now();
    let written = client
        .download_file()
        .file_id(1)
        .send()
        .await
        .expect("the download starts")
        .into_inner()
        .write_to(&mut tokio::io::sink())
        .await
        .expect("no error");
    assert_eq!(written, total, "the whole body arrives");
    report("write_to()", written, String::new(), started);
}
