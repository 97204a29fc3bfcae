//! One account's part of the organization sweep (issue 14): a member account of 200 distributions
//! (the capacity document's worked example), swept by the release Lambda binary in hub mode through
//! its member role (STS through the test emulator's faithful AssumeRole), its report and result
//! written to the results bucket; the payload is the Distributed Map's item batch. Reports the wall
//! time of the invocation, the function's peak memory (`VmHWM`) and the sizes of what it wrote.
//! Probes are off: one account's origin probes cost what the daily sweep bench measures.
//!
//! Run with `make bench` (it builds the release function first); results in docs/benchmarks.md.

#[path = "common/lambda.rs"]
mod lambda;
#[path = "../tests/support/mod.rs"]
mod support;

use lambda::{lambda_binary, peak_rss_mb};

use std::time::{Duration, Instant};

use serde_json::json;
use support::fault_proxy::FaultProxy;
use support::organization::{MemberSpec, Organization, MEMBER_EXTERNAL_ID, MEMBER_ROLE_NAME};
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{import_acm, DistributionSpec};
use support::topic::topic_with_queue;
use support::{CertBuilder, Emulator};

const DISTRIBUTIONS: usize = 200;
const BUCKET: &str = "cloudfront-tls-audit-results-bench";
const EXECUTION: &str = "bench";

#[tokio::main]
async fn main() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
    let organization = Organization::seed(&emulator, &[MemberSpec::new("web")]).await;
    let member = organization.account("web");
    let certificate = import_acm(
        &member.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let seeding = Instant::now();
    for d in 0..DISTRIBUTIONS {
        // Every tenth distribution names an alias its certificate does not cover.
        let aliases: &[&str] = if d % 10 == 0 {
            &["www.example.com", "api.example.com"]
        } else {
            &["www.example.com"]
        };
        member
            .create_distribution(
                &format!("bench-{d}"),
                &DistributionSpec::new().with_acm(&certificate, aliases),
            )
            .await;
    }
    println!(
        "seeded {DISTRIBUTIONS} distributions in account {} in {:?}",
        member.account_id,
        seeding.elapsed()
    );
    emulator
        .s3()
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
    let (topic_arn, _queue) = topic_with_queue(&emulator).await;
    let api = RuntimeApi::start().await;
    let child = api
        .function_command(&lambda_binary(), 256)
        .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", proxy.endpoint_url())
        .env("TOPIC_ARN", &topic_arn)
        .env("PROBE", "false")
        .env("ORGANIZATION_MODE", "true")
        .env("MEMBER_ROLE_NAME", MEMBER_ROLE_NAME)
        .env("MEMBER_EXTERNAL_ID", MEMBER_EXTERNAL_ID)
        .env("RESULTS_BUCKET", BUCKET)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("spawn the function");
    let pid = child.id().expect("pid");

    let batch = json!({
        "Items": [{"account_id": member.account_id, "name": member.name}],
        "BatchInput": {"action": "sweep-accounts", "execution": EXECUTION, "bucket": BUCKET,
                       "prefix": format!("sweeps/{EXECUTION}/")},
    });
    let start = Instant::now();
    let id = api.invoke(&batch.to_string(), Duration::from_secs(900));
    let outcome = api.outcome(&id, Duration::from_secs(600)).await;
    let wall = start.elapsed();
    let peak = peak_rss_mb(pid);
    let body = match outcome {
        Outcome::Response(body) => body,
        Outcome::Error(body) => panic!("the account sweep failed: {body}"),
    };
    let result: serde_json::Value = serde_json::from_str(&body).expect("JSON response");
    let account = &result["accounts"][0];
    println!(
        "one account's sweep ({} distributions, status {}): {wall:?}",
        account["summary"]["distributions"], account["status"]
    );
    println!(
        "  failing distributions in its result: {}",
        account["failing"].as_array().map_or(0, Vec::len)
    );
    println!(
        "  the item's output (what Step Functions carries): {} bytes",
        body.len()
    );
    let s3 = emulator.s3();
    for key in [
        format!("sweeps/{EXECUTION}/accounts/{}.json", member.account_id),
        format!("sweeps/{EXECUTION}/reports/{}.json", member.account_id),
    ] {
        let object = s3
            .head_object()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .expect("HeadObject");
        println!(
            "  s3://{BUCKET}/{key}: {} bytes",
            object.content_length().unwrap_or(0)
        );
    }
    match peak {
        Some(mb) => println!("  peak RSS of the function: {mb:.1} MB"),
        None => println!("  peak RSS: /proc not readable"),
    }
}
