//! Lambda start-up: process start to the first Runtime API poll (`GET /runtime/invocation/next`),
//! for the real function and for a minimal lambda_runtime echo function built in the same run
//! (`examples/minimal_lambda.rs`). Target: the real function within 1.5 times the minimal one.
//!
//! Run with `make bench` (`cargo bench --bench lambda_startup`, after `cargo build --release --bin
//! cloudfront-tls-audit-lambda --example minimal_lambda`); results in docs/benchmarks.md.

#[path = "../tests/support/runtime_api.rs"]
#[allow(dead_code)]
mod runtime_api;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use runtime_api::RuntimeApi;

const RUNS: usize = 30;

fn binary(relative: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    // target/release/deps/lambda_startup-HASH -> target/release/<relative>
    let release = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/release")
        .to_path_buf();
    let path = release.join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --bin cloudfront-tls-audit-lambda --example minimal_lambda` first (make bench does)",
        path.display()
    );
    path
}

/// Spawns `program` against a fresh Runtime API and returns the time until its first poll.
async fn time_to_first_poll(program: &Path) -> Duration {
    let api = RuntimeApi::start().await;
    let start = Instant::now();
    let mut child = api
        .function_command(program, 128)
        .env("TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:bench")
        .spawn()
        .expect("spawn");
    while api.next_polls() == 0 {
        tokio::time::sleep(Duration::from_micros(200)).await;
        if start.elapsed() > Duration::from_secs(30) {
            panic!("{} never polled the Runtime API", program.display());
        }
    }
    let elapsed = start.elapsed();
    let _ = child.kill().await;
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let real = binary("cloudfront-tls-audit-lambda");
    let minimal = binary("examples/minimal_lambda");
    let (mut real_times, mut minimal_times) = (Vec::new(), Vec::new());
    // Interleaved, so that machine load hits both alike.
    for _ in 0..RUNS {
        minimal_times.push(time_to_first_poll(&minimal).await);
        real_times.push(time_to_first_poll(&real).await);
    }
    let (real, minimal) = (median(real_times), median(minimal_times));
    let ratio = real.as_secs_f64() / minimal.as_secs_f64();
    println!(
        "Lambda start-up, process start to first Runtime API poll, median of {RUNS} (release):"
    );
    println!("  minimal lambda_runtime function: {minimal:?}");
    println!("  cloudfront-tls-audit-lambda:     {real:?}");
    println!(
        "  ratio {ratio:.2} (target at most 1.5): {}",
        if ratio <= 1.5 { "met" } else { "NOT MET" }
    );
}
