//! Faulty AWS endpoints, injected by a proxy in front of the emulator (`support::fault_proxy`):
//! throttling that persists and that clears, 5xx, 403, a request that never gets an answer, a body
//! cut mid-stream, broken XML and JSON, cycling markers, a trickling endpoint, a publish that fails.
//!
//! Each fault goes through the CLI's `audit` (exit status, bounded time, an `audit-incomplete`
//! finding naming the operation and the cause) and through the Lambda binary on a sweep (the
//! digest still goes out, the invocation answers before its deadline). Time bounds are the
//! configured deadlines plus a generous margin, never a measured speed.

mod support;

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fault_proxy::{Fault, FaultProxy};
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{create_distribution, import_acm, DistributionSpec};
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator};

/// The CLI's and the Lambda's AWS deadlines in these tests: 2 s per attempt, 3 attempts, 6 s in all.
const ATTEMPT_SECONDS: u64 = 2;
const OPERATION_SECONDS: u64 = 6;
const MAX_ATTEMPTS: usize = 3;
/// Start-up, the emulator and a loaded 2-core machine: far more than any of it takes.
const MARGIN: Duration = Duration::from_secs(20);
/// The Lambda invocations' timeout, and the safety margin it keeps for the publish.
const INVOCATION: Duration = Duration::from_secs(30);
const SAFETY_MARGIN_SECONDS: u64 = 10;

/// An emulator with one healthy distribution on an imported ACM certificate (so that a sweep calls
/// ListDistributions, DescribeCertificate and GetCertificate), behind a fault proxy.
struct Account {
    emulator: Emulator,
    proxy: FaultProxy,
    distribution_id: String,
}

impl Account {
    async fn start() -> Account {
        let emulator = Emulator::start();
        let arn = import_acm(
            &emulator.acm(),
            &CertBuilder::new(["www.example.com"])
                .expires_in_days(200)
                .build(),
        )
        .await;
        let distribution_id = create_distribution(
            &emulator.cloudfront(),
            "faults",
            &DistributionSpec::new().with_acm(&arn, &["www.example.com"]),
        )
        .await;
        let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
        Account {
            emulator,
            proxy,
            distribution_id,
        }
    }

    /// `cloudfront-tls-audit audit --no-probe --format json` through the proxy, with the test
    /// deadlines; returns the output and how long it took.
    async fn audit(&self, args: &[&str]) -> (Output, Duration) {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"));
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env("NO_COLOR", "1")
            .args(["--endpoint-url", &self.proxy.endpoint_url()])
            .args(["--aws-attempt-timeout", &ATTEMPT_SECONDS.to_string()])
            .args(["--aws-operation-timeout", &OPERATION_SECONDS.to_string()])
            .args(["--aws-max-attempts", &MAX_ATTEMPTS.to_string()])
            .args(["--aws-retry-backoff-ms", "50"])
            .args(["audit", "--no-probe", "--format", "json"])
            .args(args)
            .kill_on_drop(true);
        let started = Instant::now();
        let output = tokio::time::timeout(Duration::from_secs(120), command.output())
            .await
            .expect("the CLI ends (no hang)")
            .expect("the CLI runs");
        (output, started.elapsed())
    }

    /// Starts the Lambda binary through the proxy with the test deadlines and `env`.
    async fn function(&self, env: &[(&str, &str)]) -> Function {
        let (topic_arn, queue_url) = topic_with_queue(&self.emulator).await;
        let api = RuntimeApi::start().await;
        let mut command = api.function_command(
            std::path::Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda")),
            256,
        );
        command
            .env(
                "CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL",
                self.proxy.endpoint_url(),
            )
            .env("TOPIC_ARN", &topic_arn)
            .env("PROBE", "false")
            .env(
                "SWEEP_SAFETY_MARGIN_SECONDS",
                SAFETY_MARGIN_SECONDS.to_string(),
            )
            .env("AWS_ATTEMPT_TIMEOUT_SECONDS", ATTEMPT_SECONDS.to_string())
            .env(
                "AWS_OPERATION_TIMEOUT_SECONDS",
                OPERATION_SECONDS.to_string(),
            )
            .env("AWS_MAX_ATTEMPTS", MAX_ATTEMPTS.to_string())
            .env("AWS_RETRY_BACKOFF_MILLISECONDS", "50")
            .envs(env.iter().copied());
        let process = command.spawn().expect("the Lambda binary starts");
        Function {
            api,
            _process: process,
            queue_url,
        }
    }
}

struct Function {
    api: RuntimeApi,
    _process: tokio::process::Child,
    queue_url: String,
}

impl Function {
    /// One sweep, with the test's invocation timeout; the outcome and how long it took.
    async fn sweep(&self) -> (Outcome, Duration) {
        let started = Instant::now();
        let id = self.api.invoke(r#"{"action":"sweep"}"#, INVOCATION);
        let outcome = self.api.outcome(&id, INVOCATION + MARGIN).await;
        (outcome, started.elapsed())
    }
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The `audit-incomplete` finding for `operation`, asserting its cause label; panics with the whole
/// list when there is none.
fn incomplete<'a>(findings: &'a Value, operation: &str, failure: &str) -> &'a Value {
    let found = findings
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "audit-incomplete" && f["evidence"]["operation"] == operation)
        .unwrap_or_else(|| panic!("no audit-incomplete for {operation} in {findings:#}"));
    assert_eq!(found["evidence"]["failure"], failure, "{found:#}");
    let message = found["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(operation),
        "names the operation: {message}"
    );
    found
}

fn no_incomplete(findings: &Value) {
    assert!(
        !findings
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["code"] == "audit-incomplete"),
        "{findings:#}"
    );
}

/// Asserts the CLI's exit status and its time bound.
fn assert_exit(output: &Output, elapsed: Duration, status: i32) {
    assert_eq!(
        output.status.code(),
        Some(status),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        elapsed < Duration::from_secs(OPERATION_SECONDS) + MARGIN,
        "took {elapsed:?}"
    );
}

/// The sweep answered (not an invocation error) before its deadline, and its one digest went out:
/// returns the digest's findings.
async fn digest(account: &Account, function: &Function) -> Value {
    let (outcome, elapsed) = function.sweep().await;
    let Outcome::Response(body) = outcome else {
        panic!("the invocation failed: {outcome:?}");
    };
    assert!(
        elapsed < INVOCATION,
        "answered after its deadline: {elapsed:?}"
    );
    let answer: Value = serde_json::from_str(&body).expect("the answer is JSON");
    assert_eq!(answer["status"], "audited", "{answer:#}");
    let envelopes = drain(&account.emulator, &function.queue_url).await;
    assert_eq!(envelopes.len(), 1, "one digest: {envelopes:#?}");
    let machine: Value =
        serde_json::from_str(envelopes[0]["Message"].as_str().unwrap_or("")).expect("JSON");
    machine["findings"].clone()
}

#[tokio::test]
async fn throttling_that_persists_is_incomplete_after_the_retries_not_a_pass() {
    let account = Account::start().await;
    account.proxy.inject("ListDistributions", Fault::Throttle);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(&findings, "cloudfront:ListDistributions", "throttling");
    let error = finding["evidence"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Throttling") && error.contains("3 attempt(s)"),
        "{error}"
    );
    assert_eq!(account.proxy.seen("ListDistributions"), MAX_ATTEMPTS);

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "cloudfront:ListDistributions", "throttling");
}

#[tokio::test]
async fn throttling_that_clears_within_the_retries_leaves_a_complete_audit() {
    let account = Account::start().await;
    // ACM's JSON shape (ThrottlingException), twice, then the real answer.
    account
        .proxy
        .inject("DescribeCertificate", Fault::ThrottleFirst(2));

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 0);
    let report = report(&output);
    no_incomplete(&report["findings"]);
    assert_eq!(report["summary"]["distributions"], 1);
    assert_eq!(account.proxy.seen("DescribeCertificate"), 3);

    account.proxy.clear();
    account
        .proxy
        .inject("DescribeCertificate", Fault::ThrottleFirst(2));
    let function = account.function(&[]).await;
    let (outcome, elapsed) = function.sweep().await;
    assert!(elapsed < INVOCATION, "{elapsed:?}");
    let Outcome::Response(body) = outcome else {
        panic!("the invocation failed: {outcome:?}");
    };
    let answer: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(answer["summary"]["high"], 0, "{answer:#}");
    assert_eq!(account.proxy.seen("DescribeCertificate"), 3);
}

#[tokio::test]
async fn server_errors_on_every_attempt_blind_the_distribution_that_needs_the_read() {
    let account = Account::start().await;
    account
        .proxy
        .inject("DescribeCertificate", Fault::ServerError(503));

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 1);
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(&findings, "acm:DescribeCertificate", "server-error");
    assert_eq!(finding["distribution_id"], account.distribution_id.as_str());
    assert_eq!(account.proxy.seen("DescribeCertificate"), MAX_ATTEMPTS);

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "acm:DescribeCertificate", "server-error");
}

#[tokio::test]
async fn a_plain_text_5xx_in_front_of_cloudfront_is_still_a_server_error() {
    let account = Account::start().await;
    account
        .proxy
        .inject("ListDistributions", Fault::PlainServerError(502));
    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    incomplete(&findings, "cloudfront:ListDistributions", "server-error");
    assert_eq!(account.proxy.seen("ListDistributions"), MAX_ATTEMPTS);
}

#[tokio::test]
async fn access_denied_is_reported_at_once_without_retries() {
    let account = Account::start().await;
    account.proxy.inject("GetCertificate", Fault::AccessDenied);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 1);
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(&findings, "acm:GetCertificate", "access-denied");
    assert!(finding["remediation"][0]
        .as_str()
        .is_some_and(|r| r.contains("acm:GetCertificate")));
    assert_eq!(account.proxy.seen("GetCertificate"), 1, "not retried");

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "acm:GetCertificate", "access-denied");
}

#[tokio::test]
async fn an_endpoint_that_never_answers_times_out_within_the_operation_timeout() {
    let account = Account::start().await;
    account.proxy.inject("ListDistributions", Fault::Hang);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(&findings, "cloudfront:ListDistributions", "timeout");
    let error = finding["evidence"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("timeout"), "{error}");

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "cloudfront:ListDistributions", "timeout");
}

#[tokio::test]
async fn in_the_lambda_a_hung_read_ends_at_the_invocation_deadline_and_the_digest_goes_out() {
    let account = Account::start().await;
    account.proxy.inject("DescribeCertificate", Fault::Hang);
    // Client timeouts far beyond the invocation: only the invocation's deadline can end the read.
    let function = account
        .function(&[
            ("AWS_ATTEMPT_TIMEOUT_SECONDS", "300"),
            ("AWS_OPERATION_TIMEOUT_SECONDS", "900"),
        ])
        .await;
    let findings = digest(&account, &function).await;
    let finding = incomplete(&findings, "acm:DescribeCertificate", "timeout");
    assert_eq!(finding["distribution_id"], account.distribution_id.as_str());
    let error = finding["evidence"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("invocation's deadline"), "{error}");
}

#[tokio::test]
async fn a_body_cut_mid_stream_is_an_unusable_answer() {
    let account = Account::start().await;
    account.proxy.inject("DescribeCertificate", Fault::CutBody);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 1);
    let findings = report(&output)["findings"].clone();
    incomplete(&findings, "acm:DescribeCertificate", "invalid-response");

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "acm:DescribeCertificate", "invalid-response");
}

#[tokio::test]
async fn broken_xml_from_cloudfront_is_an_unusable_answer() {
    let account = Account::start().await;
    account.proxy.inject("ListDistributions", Fault::Malformed);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    incomplete(
        &findings,
        "cloudfront:ListDistributions",
        "invalid-response",
    );

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(
        &findings,
        "cloudfront:ListDistributions",
        "invalid-response",
    );
}

#[tokio::test]
async fn broken_json_from_acm_is_an_unusable_answer() {
    let account = Account::start().await;
    account
        .proxy
        .inject("DescribeCertificate", Fault::Malformed);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 1);
    let findings = report(&output)["findings"].clone();
    incomplete(&findings, "acm:DescribeCertificate", "invalid-response");

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "acm:DescribeCertificate", "invalid-response");
}

#[tokio::test]
async fn cycling_markers_a_b_a_b_end_the_listing_as_incomplete() {
    let account = Account::start().await;
    account
        .proxy
        .inject("ListDistributions", Fault::CyclingMarkers);

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(
        &findings,
        "cloudfront:ListDistributions",
        "invalid-response",
    );
    let error = finding["evidence"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("NextMarker that advances"), "{error}");
    // No marker, then A, then B; B hands back A again, which stops the listing.
    assert_eq!(account.proxy.seen("ListDistributions"), 3);

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(
        &findings,
        "cloudfront:ListDistributions",
        "invalid-response",
    );
}

#[tokio::test]
async fn a_trickling_endpoint_is_cut_by_the_attempt_timeout() {
    let account = Account::start().await;
    account.proxy.inject(
        "ListDistributions",
        Fault::Trickle(Duration::from_millis(200)),
    );

    let (output, elapsed) = account.audit(&[]).await;
    assert_exit(&output, elapsed, 2);
    let findings = report(&output)["findings"].clone();
    incomplete(&findings, "cloudfront:ListDistributions", "timeout");

    let function = account.function(&[]).await;
    let findings = digest(&account, &function).await;
    incomplete(&findings, "cloudfront:ListDistributions", "timeout");
}

#[tokio::test]
async fn a_publish_that_keeps_failing_fails_the_invocation_naming_it_in_bounded_time() {
    let account = Account::start().await;
    // Something to publish (a high finding), and a topic that throttles every publish.
    account.proxy.inject("GetCertificate", Fault::AccessDenied);
    account.proxy.inject("Publish", Fault::Throttle);
    let function = account.function(&[]).await;
    let (outcome, elapsed) = function.sweep().await;
    assert!(elapsed < INVOCATION, "{elapsed:?}");
    let Outcome::Error(body) = outcome else {
        panic!("a failed publish must fail the invocation: {outcome:?}");
    };
    assert!(
        body.contains("sns:Publish") && body.contains("Throttling"),
        "{body}"
    );
    assert_eq!(account.proxy.seen("Publish"), MAX_ATTEMPTS);
}

#[tokio::test]
async fn an_operation_timeout_shorter_than_one_attempt_is_a_usage_error_with_the_fix() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"))
        .args([
            "--aws-attempt-timeout",
            "20",
            "--aws-operation-timeout",
            "10",
        ])
        .args(["audit", "--no-probe"])
        .output()
        .await
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("must be at least the attempt timeout")
            && stderr.contains("--aws-operation-timeout"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_named_unreachable() {
    // Nothing listens on port 9 of loopback: every attempt is refused at once.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--aws-retry-backoff-ms",
            "50",
        ])
        .args(["audit", "--no-probe", "--format", "json"])
        .output()
        .await
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let findings = report(&output)["findings"].clone();
    let finding = incomplete(&findings, "cloudfront:ListDistributions", "network");
    assert!(finding["message"]
        .as_str()
        .is_some_and(|m| m.contains("could not be reached")));
}
