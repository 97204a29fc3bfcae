//! The failure paths of the Lambda that end in a metric or an invocation error rather than a
//! notification, through the real binary and a loopback Lambda Runtime API (README, "What happens when
//! something fails"):
//!
//! * an event the function cannot understand is answered `rejected` (not retried) and counted in the
//!   `RejectedEvents` EMF metric with its reason, which the stack alarms on; an event it does not act
//!   on is answered `ignored` and counted in `IgnoredEvents`;
//! * a function that cannot start exits before asking for an event, so Lambda fails the invocation
//!   and its retries and on-failure destination keep the event.
//!
//! No AWS call is made on these paths: the endpoint is a closed loopback port.

mod support;

use std::process::Stdio;
use std::time::Duration;

use cloudfront_tls_audit::lambda::metrics::{
    FUNCTION_DIMENSION, FUNCTION_NAME, IGNORED_EVENTS, NAMESPACE, REASON_DIMENSION, REJECTED_EVENTS,
};
use serde_json::Value;
use support::runtime_api::{Outcome, RuntimeApi};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

/// Generous bound for one invocation or one log line; nothing here waits on a network.
const LIMIT: Duration = Duration::from_secs(60);

/// A loopback port nothing listens on: any AWS call would fail at once, and none is expected.
const NO_AWS: &str = "http://127.0.0.1:9";

/// The Lambda binary, its Runtime API and its stdout (where EMF lines go).
struct Function {
    api: RuntimeApi,
    _process: Child,
    stdout: Lines<BufReader<ChildStdout>>,
}

/// The Lambda binary's command, with the settings every test here shares.
fn lambda_command(api: &RuntimeApi) -> tokio::process::Command {
    let mut command = api.function_command(
        std::path::Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda")),
        256,
    );
    command
        .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", NO_AWS)
        .env("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:findings")
        .env("PROBE", "false");
    command
}

impl Function {
    async fn start() -> Function {
        let api = RuntimeApi::start().await;
        let mut command = lambda_command(&api);
        command.stdout(Stdio::piped());
        let mut process = command.spawn().expect("the Lambda binary starts");
        let stdout = process.stdout.take().expect("piped stdout");
        Function {
            api,
            _process: process,
            stdout: BufReader::new(stdout).lines(),
        }
    }

    async fn answer(&self, payload: &str) -> Value {
        let id = self.api.invoke(payload, Duration::from_secs(300));
        match self.api.outcome(&id, LIMIT).await {
            Outcome::Response(body) => serde_json::from_str(&body).expect("the answer is JSON"),
            Outcome::Error(body) => panic!("the invocation failed: {body}"),
        }
    }

    /// The next EMF line on stdout that counts `metric`, within [`LIMIT`].
    async fn next_metric(&mut self, metric: &str) -> Value {
        let found = tokio::time::timeout(LIMIT, async {
            while let Ok(Some(line)) = self.stdout.next_line().await {
                let Ok(value) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                let declares = value["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|m| m["Name"] == metric);
                if declares {
                    return Some(value);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(value)) => value,
            Ok(None) => panic!("stdout ended without a {metric} line"),
            Err(_) => panic!("no {metric} line within {LIMIT:?}"),
        }
    }
}

#[tokio::test]
async fn a_rejected_event_is_answered_and_counted_with_its_reason() {
    let mut function = Function::start().await;
    for (payload, reason) in [
        (r#"{"action":"explode"}"#, "unknown-action"),
        (
            r#"{"action":"audit","distribution_ids":"E1"}"#,
            "wrong-type",
        ),
        ("[1, 2, 3]", "not-an-object"),
        (
            r#"{"version":"0","Records":[{"eventSource":"aws:sqs","body":"not a follow-up"}]}"#,
            "invalid-follow-up",
        ),
    ] {
        let answer = function.answer(payload).await;
        assert_eq!(answer["status"], "rejected", "{payload}: {answer}");
        let line = function.next_metric(REJECTED_EVENTS).await;
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE, "{line}");
        assert_eq!(line[REJECTED_EVENTS], 1, "{line}");
        // The value the stack's alarm selects: the function's name, as Lambda gives it.
        assert_eq!(line[FUNCTION_DIMENSION], FUNCTION_NAME, "{line}");
        assert_eq!(line[REASON_DIMENSION], reason, "{payload}: {line}");
        assert_eq!(
            line["Detail"], answer["reason"],
            "the metric and the answer give the same reason"
        );
    }
}

#[tokio::test]
async fn an_ignored_event_is_answered_and_counted() {
    let mut function = Function::start().await;
    let unknown = r#"{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#;
    let answer = function.answer(unknown).await;
    assert_eq!(answer["status"], "ignored", "{answer}");
    let line = function.next_metric(IGNORED_EVENTS).await;
    assert_eq!(line[IGNORED_EVENTS], 1, "{line}");
    assert_eq!(line[FUNCTION_DIMENSION], FUNCTION_NAME, "{line}");
    assert_eq!(line["Detail"], answer["reason"], "{line}");
}

#[tokio::test]
async fn a_function_that_cannot_start_exits_before_taking_an_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let anchor = dir.path().join("no-certificate.pem");
    std::fs::write(&anchor, "not a certificate\n").expect("write the anchor file");
    let api = RuntimeApi::start().await;
    let mut command = lambda_command(&api);
    command
        .env("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR", &anchor)
        .stderr(Stdio::piped());
    let _queued = api.invoke(r#"{"action":"sweep"}"#, Duration::from_secs(300));
    let process = command.spawn().expect("the Lambda binary starts");
    let output = tokio::time::timeout(LIMIT, process.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the function did not exit within {LIMIT:?}"))
        .expect("the exit status");
    // Lambda sees the runtime exit (Runtime.ExitError): the invocation fails, so an asynchronous
    // event is retried and then written to the on-failure destination; the Errors alarm fires.
    assert!(!output.status.success(), "{:?}", output.status);
    assert_eq!(api.next_polls(), 0, "no event was taken, so none was lost");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no-certificate.pem"),
        "the exit names the file to fix: {stderr}"
    );
}

/// The `path::…::function` references in `section` of `document` (backticked), and the number of
/// table rows without any test reference.
fn test_references(document: &str, section: &str) -> (Vec<(String, String)>, usize) {
    let text = std::fs::read_to_string(format!("{}/{document}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{document}: {e}"));
    let body: String = text
        .split(section)
        .nth(1)
        .unwrap_or_else(|| panic!("{document}: no section {section}"))
        .lines()
        .take_while(|line| !line.starts_with("## ") && !line.starts_with("### "))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut references = Vec::new();
    let mut rows_without = 0;
    for row in body
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| what"))
    {
        let cited: Vec<&str> = row
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|quoted| quoted.starts_with("tests/") || quoted.starts_with("src/"))
            .collect();
        if cited.is_empty() {
            rows_without += 1;
        }
        for quoted in cited {
            if let Some((file, path)) = quoted.split_once("::") {
                let function = path.rsplit("::").next().unwrap_or(path);
                references.push((file.to_owned(), function.to_owned()));
            }
        }
    }
    (references, rows_without)
}

#[test]
fn every_failure_path_in_the_docs_names_a_test_that_exists() {
    for (document, section) in [
        ("README.md", "### What happens when something fails"),
        ("docs/reliability.md", "## Failure paths"),
    ] {
        let (references, rows_without) = test_references(document, section);
        assert_eq!(rows_without, 0, "{document}: a row names no test");
        assert!(references.len() >= 10, "{document}: {references:?}");
        for (file, function) in references {
            let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{document} names {file}: {e}"));
            assert!(
                source.contains(&format!("fn {function}(")),
                "{document} names {file}::{function}, which {file} does not define"
            );
        }
    }
}
