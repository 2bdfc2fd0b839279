//! Memory of a multipart upload: a file sent with `FilePart::path` (and the same bytes from
//! an async reader with `FilePart::reader`) is streamed, so the process's peak resident
//! memory does not grow with the file. Uploads a generated file of `--mib` MiB (default 256)
//! through the corpus client's `upload_files` to a loopback server that counts and discards
//! the body, and prints the bytes received, the time and the growth of the peak resident set
//! (`VmHWM` in `/proc/self/status`; Linux only). By hand:
//!
//! ```sh
//! cargo run --release -p stackai-tests --example bench_upload -- --mib 256
//! ```

use std::time::Instant;

use stackai_corpus::multipart::FilePart;
use stackai_corpus::{Client, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\nconnection: close\r\n\r\n{\"values\":{}}";

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Accepts connections forever; reads each request to its end (by `content-length`, or to
/// the last chunk of a chunked body), discarding the body, and answers 200. Each body's size
/// is sent on `sizes`.
async fn discard_server(listener: TcpListener, sizes: tokio::sync::mpsc::UnboundedSender<u64>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let sizes = sizes.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 256 * 1024];
            let mut head = Vec::new();
            let body_start = loop {
                let n = socket.read(&mut buffer).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                head.extend_from_slice(&buffer[..n]);
                if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    break at + 4;
                }
            };
            let headers = String::from_utf8_lossy(&head[..body_start]).to_ascii_lowercase();
            let length = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|v| v.trim().parse::<u64>().ok());
            let mut received = (head.len() - body_start) as u64;
            let mut tail = head[body_start..].to_vec();
            loop {
                let done = match length {
                    Some(length) => received >= length,
                    None => tail.ends_with(b"\r\n0\r\n\r\n"),
                };
                if done {
                    break;
                }
                let n = socket.read(&mut buffer).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                received += n as u64;
                tail = buffer[n.saturating_sub(7)..n].to_vec();
            }
            let _ = sizes.send(received);
            let _ = socket.write_all(RESPONSE).await;
        });
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: u64 = args
        .iter()
        .position(|a| a == "--mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let path =
        std::env::temp_dir().join(format!("stackai-bench-upload-{}.bin", std::process::id()));
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).expect("a temporary file");
        let chunk = vec![7u8; 1024 * 1024];
        for _ in 0..mib {
            file.write_all(&chunk)
                .expect("disk space for the test file");
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (sizes_tx, mut sizes) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(discard_server(listener, sizes_tx));
    let client = Client::builder()
        .base_url(&base)
        .bearer_token("bench")
        .build()
        .unwrap();

    println!(
        "upload of a {mib} MiB file, peak RSS before: {} KiB",
        peak_rss_kib().unwrap_or(0)
    );
    for (label, part) in [
        ("FilePart::path", FilePart::path(&path)),
        (
            "FilePart::reader",
            FilePart::reader(tokio::fs::File::open(&path).await.unwrap()).file_name("big.bin"),
        ),
    ] {
        let before = peak_rss_kib().unwrap_or(0);
        let started = Instant::now();
        client
            .upload_files()
            .body(types::UploadFilesBody::builder())
            .files([part])
            .send()
            .await
            .expect("the upload succeeds");
        let elapsed = started.elapsed();
        let received = sizes.recv().await.unwrap_or(0);
        let after = peak_rss_kib().unwrap_or(0);
        println!(
            "{label:>16}: {received} bytes on the wire in {:.2} s ({:.0} MiB/s); peak RSS {after} KiB (+{} KiB)",
            elapsed.as_secs_f64(),
            received as f64 / 1048576.0 / elapsed.as_secs_f64(),
            after.saturating_sub(before),
        );
    }
    std::fs::remove_file(&path).ok();
}
