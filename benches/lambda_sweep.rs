//! The daily sweep at scale: 1,000 distributions over 200 distinct loopback origins, audited by the
//! real Lambda binary (release build) through a loopback Runtime API against the AWS emulator. Reports
//! the sweep's wall time and the function's peak memory (`VmHWM`), target 128 MB (Lambda's smallest).
//!
//! Run with `make bench` (it builds the release function first); results in docs/benchmarks.md.

#[path = "common/lambda.rs"]
mod lambda;
#[path = "../tests/support/mod.rs"]
mod support;

use lambda::{lambda_binary, peak_rss_mb};

use std::time::{Duration, Instant};

use support::certs::TestCa;
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{create_distribution, DistributionSpec, OriginSpec};
use support::tls_servers::rustls_server_for;
use support::topic::topic_with_queue;
use support::{CertBuilder, Emulator};

const DISTRIBUTIONS: usize = 1_000;
const ORIGINS: usize = 200;
const TARGET_MB: f64 = 128.0;

#[tokio::main]
async fn main() {
    let emulator = Emulator::start();
    let ca = TestCa::new("Sweep Bench");
    let root = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(root.path(), &ca.root_pem).expect("write root");

    // 200 origins: most healthy, every tenth with a certificate for another name.
    let mut origins = Vec::new();
    for n in 0..ORIGINS {
        let name = format!("o{n}.sweep.test");
        let names = if n % 10 == 0 {
            vec!["elsewhere.sweep.test".to_owned()]
        } else {
            vec![name.clone()]
        };
        let cert = CertBuilder::new(names.iter().map(String::as_str)).issue_from(&ca);
        origins.push((name, rustls_server_for(&cert).await));
    }
    let seeding = Instant::now();
    let cloudfront = emulator.cloudfront();
    for d in 0..DISTRIBUTIONS {
        let (name, addr) = &origins[d % ORIGINS];
        let mut spec = DistributionSpec::new();
        spec.origins = vec![OriginSpec::custom_on_port("origin", name, addr.port())];
        create_distribution(&cloudfront, &format!("sweep-{d}"), &spec).await;
    }
    println!(
        "seeded {DISTRIBUTIONS} distributions in {:?}",
        seeding.elapsed()
    );

    let (topic_arn, _queue) = topic_with_queue(&emulator).await;
    let resolve: Vec<String> = origins
        .iter()
        .map(|(name, addr)| format!("{name}:{}:127.0.0.1", addr.port()))
        .collect();
    let api = RuntimeApi::start().await;
    let child = api
        .function_command(&lambda_binary(), 128)
        .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", emulator.endpoint_url())
        .env("TOPIC_ARN", &topic_arn)
        .env("CLOUDFRONT_TLS_AUDIT_RESOLVE", resolve.join(" "))
        .env("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR", root.path())
        .env("PROBE_CONCURRENCY", "64")
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("spawn the function");
    let pid = child.id().expect("pid");

    let start = Instant::now();
    let id = api.invoke(r#"{"action":"sweep"}"#, Duration::from_secs(900));
    let outcome = api.outcome(&id, Duration::from_secs(600)).await;
    let wall = start.elapsed();
    let peak = peak_rss_mb(pid);
    let body = match outcome {
        Outcome::Response(body) => body,
        Outcome::Error(body) => panic!("the sweep failed: {body}"),
    };
    let result: serde_json::Value = serde_json::from_str(&body).expect("JSON response");
    println!(
        "sweep of {} distributions over {ORIGINS} origins (concurrency 64): {wall:?}",
        result["summary"]["distributions"]
    );
    println!("  summary: {}", result["summary"]);
    match peak {
        Some(mb) => println!(
            "  peak RSS of the function: {mb:.1} MB (target {TARGET_MB} MB): {}",
            if mb <= TARGET_MB { "met" } else { "NOT MET" }
        ),
        None => println!("  peak RSS: /proc not readable"),
    }
}
