//! Shared by the benchmark examples (`bench_client`, `bench_pagination`, `bench_load`), which `cargo xtask
//! bench` runs in release: a loopback HTTP/1.1 server in a child process, argument parsing,
//! statistics and the `@goal` lines the xtask collects.
//!
//! The server is this same executable started with `--serve ...`: a minimal keep-alive
//! responder on a single-threaded tokio runtime. Keeping it in its own process keeps its CPU
//! and its allocations out of the measurements. It exits by itself when the parent closes its
//! stdin (or dies), and after a fixed deadline in any case.

#![allow(dead_code)] // each example uses part of this module

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers one request: (method, request target) → the whole response, status line included.
pub type Handler = Arc<dyn Fn(&str, &str) -> Cow<'static, [u8]> + Send + Sync>;

/// The longest a server process lives, whatever happens to its parent.
const SERVER_DEADLINE: Duration = Duration::from_secs(20 * 60);

/// An HTTP/1.1 response with a JSON body.
pub fn json_response(status: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// What a fault-injecting server does with one request (see [`serve_actions`]).
pub enum Action {
    /// Writes the response.
    Respond(Cow<'static, [u8]>),
    /// Waits, then writes the response (injected latency).
    After(Duration, Cow<'static, [u8]>),
    /// Closes the connection without answering: a reset before the headers.
    Close,
    /// Writes these bytes (headers and part of a body), then closes: a reset after the
    /// headers.
    Truncate(Cow<'static, [u8]>),
}

/// Decides the [`Action`] for one request: (method, request target).
pub type ActionHandler = Arc<dyn Fn(&str, &str) -> Action + Send + Sync>;

/// Runs the server: prints `PORT <n>` on stdout, then answers until stdin closes.
pub fn serve(handler: Handler) -> ! {
    serve_actions(Arc::new(move |method: &str, target: &str| {
        Action::Respond(handler(method, target))
    }))
}

/// [`serve`] for a handler that may also delay, drop or truncate its answers.
pub fn serve_actions(handler: ActionHandler) -> ! {
    std::thread::spawn(|| {
        // Parent gone (or done): stdin reaches end of file.
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    std::thread::spawn(|| {
        std::thread::sleep(SERVER_DEADLINE);
        eprintln!("bench server: deadline reached, exiting");
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let port = listener.local_addr().expect("a local address").port();
        println!("PORT {port}");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(connection(stream, handler.clone()));
        }
    });
    std::process::exit(0)
}

/// Serves one keep-alive connection until the client closes it (or an action closes it).
async fn connection(mut stream: tokio::net::TcpStream, handler: ActionHandler) {
    let _ = stream.set_nodelay(true);
    let mut buffer: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        // Answer every complete request in the buffer.
        while let Some(head_end) = find(&buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
            let body_len = content_length(&head);
            let total = head_end + 4 + body_len;
            if buffer.len() < total {
                break;
            }
            let mut words = head.split_whitespace();
            let method = words.next().unwrap_or("");
            let target = words.next().unwrap_or("/");
            let response = match handler(method, target) {
                Action::Respond(bytes) => bytes,
                Action::After(delay, bytes) => {
                    tokio::time::sleep(delay).await;
                    bytes
                }
                Action::Close => return,
                Action::Truncate(bytes) => {
                    let _ = stream.write_all(&bytes).await;
                    return;
                }
            };
            if stream.write_all(&response).await.is_err() {
                return;
            }
            buffer.drain(..total);
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// The value of query parameter `name` in a request target.
pub fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A server child process; killed (and reaped) on drop.
pub struct ServerProcess {
    child: Child,
    /// Where it listens, on 127.0.0.1.
    pub port: u16,
}

impl ServerProcess {
    /// Starts this executable with `args` (which must make it call [`serve`]).
    pub fn start(args: &[&str]) -> ServerProcess {
        let exe = std::env::current_exe().expect("the path of this executable");
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the bench server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .expect("the server prints `PORT <n>` first");
        ServerProcess { child, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// CPU seconds (user + system) the server has used so far, from /proc (Linux only).
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0) // USER_HZ is 100 on Linux
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--runs N` and `--quick` from the command line.
pub struct Args {
    pub runs: usize,
    pub quick: bool,
}

pub fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = Args {
        runs: 5,
        quick: false,
    };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--quick" => out.quick = true,
            "--runs" => {
                out.runs = args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .expect("--runs needs a positive number");
                i += 1;
            }
            other => panic!("unknown argument {other:?}; expected --runs N and/or --quick"),
        }
        i += 1;
    }
    out
}

/// The median of `values`; 0 for none.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank.
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Prints a goal for `cargo xtask bench` to collect into its summary.
pub fn goal(name: &str, figure: &str, met: Option<bool>) {
    let met = match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "unmeasured",
    };
    println!("@goal {name}|{figure}|{met}");
}

/// Counts live heap bytes and their peak; an example installs it with
/// `#[global_allocator] static ALLOCATOR: Counting = Counting;`.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

/// Starts a measurement: the peak is reset to what is live now, which is returned.
pub fn start_measuring() -> usize {
    let now = LIVE.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

pub fn peak_above(base: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

pub fn live_above(base: usize) -> usize {
    LIVE.load(Ordering::Relaxed).saturating_sub(base)
}
