//! The Lambda binary itself, driven through a loopback Lambda Runtime API with the samples in
//! `events/`, against the AWS emulator (CloudFront, ACM, SNS, SQS). What arrives on the topic is read
//! back from an SQS queue subscribed to it (subject, attributes, the machine message) and from the
//! emulator's record of each publish (the email text and the chat payload).

mod support;

use std::time::Duration;

use serde_json::Value;
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{create_distribution, import_acm, DistributionSpec};
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator};

const LIMIT: Duration = Duration::from_secs(60);

/// A running Lambda binary with its Runtime API, topic and queue.
struct Function {
    api: RuntimeApi,
    _process: tokio::process::Child,
    queue_url: String,
}

impl Function {
    async fn start(emulator: &Emulator, env: &[(&str, &str)]) -> Function {
        let (topic_arn, queue_url) = topic_with_queue(emulator).await;
        Function::start_with_topic(emulator, &topic_arn, queue_url, env).await
    }

    async fn start_with_topic(
        emulator: &Emulator,
        topic_arn: &str,
        queue_url: String,
        env: &[(&str, &str)],
    ) -> Function {
        let api = RuntimeApi::start().await;
        let mut command = api.function_command(
            std::path::Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda")),
            256,
        );
        command
            .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", emulator.endpoint_url())
            .env("TOPIC_ARN", topic_arn)
            // The seeded origins are not on loopback: these tests are about triggers and messages.
            .env("PROBE", "false")
            .envs(env.iter().copied());
        let process = command.spawn().expect("the Lambda binary starts");
        Function {
            api,
            _process: process,
            queue_url,
        }
    }

    async fn invoke(&self, payload: &str) -> Outcome {
        let id = self.api.invoke(payload, Duration::from_secs(300));
        self.api.outcome(&id, LIMIT).await
    }
}

fn sample(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sets the value at each JSON pointer that exists in `event`.
fn with(mut event: Value, pointers: &[&str], value: &str) -> String {
    for pointer in pointers {
        if let Some(slot) = event.pointer_mut(pointer) {
            *slot = Value::String(value.to_owned());
        }
    }
    event.to_string()
}

fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(body) => serde_json::from_str(&body).expect("the response is JSON"),
        Outcome::Error(body) => panic!("the invocation failed: {body}"),
    }
}

fn attribute(envelope: &Value, name: &str) -> String {
    envelope["MessageAttributes"][name]["Value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// What the emulator recorded for each publish: the whole MessageStructure=json message, parsed.
async fn published(emulator: &Emulator) -> Vec<Value> {
    let url = format!("{}/moto-api/data.json", emulator.endpoint_url());
    let body = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let address = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let mut stream = std::net::TcpStream::connect(&address).expect("emulator");
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: {address}\r\n\r\n"
        )
        .expect("request");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("response");
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default()
    })
    .await
    .expect("join");
    let data: Value = serde_json::from_str(&body).expect("moto data is JSON");
    let mut messages = Vec::new();
    for topic in data["sns"]["Topic"].as_array().into_iter().flatten() {
        for sent in topic["sent_notifications"].as_array().into_iter().flatten() {
            // [message_id, message, subject, message_attributes, group_id]
            if let Some(message) = sent.get(1).and_then(Value::as_str) {
                if let Ok(structured) = serde_json::from_str::<Value>(message) {
                    messages.push(structured);
                }
            }
        }
    }
    messages
}

/// Every message published so far is well formed for each audience: an email with numbered
/// remediation steps for every finding it lists, a chat payload in the custom notification schema, and
/// the JSON report for machines.
async fn assert_every_publish_is_well_formed(emulator: &Emulator) {
    for message in published(emulator).await {
        let email = message["email"].as_str().unwrap_or_default();
        assert!(!email.is_empty(), "no email text: {message}");
        let default: Value = serde_json::from_str(message["default"].as_str().unwrap_or(""))
            .expect("the default message is the JSON report");
        let findings = default["findings"].as_array().cloned().unwrap_or_default();
        if findings
            .iter()
            .any(|f| f["remediation"].as_array().is_some_and(|r| !r.is_empty()))
        {
            assert!(
                email.contains("Remediation:") && email.contains("1. "),
                "{email}"
            );
        }
        for finding in &findings {
            assert!(
                email.contains(finding["code"].as_str().unwrap_or("?")),
                "{email}"
            );
        }
        let chat: Value = serde_json::from_str(message["https"].as_str().unwrap_or(""))
            .expect("the https message is the chat JSON");
        assert_eq!(chat["version"], "1.0");
        assert_eq!(chat["source"], "custom");
        assert!(chat["content"]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        assert!(chat["content"]["description"].is_string());
    }
}

async fn alias_not_covered(emulator: &Emulator) -> String {
    let arn = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    create_distribution(
        &emulator.cloudfront(),
        "uncovered",
        &DistributionSpec::new().with_acm(&arn, &["www.example.com", "api.example.com"]),
    )
    .await
}

#[tokio::test]
async fn update_distribution_publishes_the_findings_for_email_chat_and_machines() {
    let emulator = Emulator::start();
    let id = alias_not_covered(&emulator).await;
    let function = Function::start(&emulator, &[]).await;
    let event = with(
        sample("cloudtrail-update-distribution.json"),
        &[
            "/detail/requestParameters/id",
            "/detail/responseElements/distribution/id",
        ],
        &id,
    );
    let result = response(function.invoke(&event).await);
    assert_eq!(result["status"], "audited");
    assert_eq!(result["summary"]["critical"], 1);

    let envelopes = drain(&emulator, &function.queue_url).await;
    assert_eq!(envelopes.len(), 1, "{envelopes:#?}");
    let envelope = &envelopes[0];
    let subject = envelope["Subject"].as_str().unwrap_or_default();
    assert!(
        subject.contains(&id) && subject.contains("viewer-alias-not-covered"),
        "{subject}"
    );
    assert!(subject.len() <= 99 && subject.is_ascii());
    assert_eq!(attribute(envelope, "severity"), "critical");
    assert_eq!(attribute(envelope, "distribution_id"), id);
    assert_eq!(attribute(envelope, "trigger"), "UpdateDistribution");
    assert!(attribute(envelope, "codes").contains("viewer-alias-not-covered"));
    let machine: Value =
        serde_json::from_str(envelope["Message"].as_str().unwrap_or("")).expect("JSON report");
    assert_eq!(machine["findings"][0]["code"], "viewer-alias-not-covered");
    assert_eq!(
        machine["findings"][0]["distribution_id"],
        Value::String(id.clone())
    );
    assert!(machine["trigger"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("UpdateDistribution")));

    let message = published(&emulator).await.pop().expect("one publish");
    let email = message["email"].as_str().unwrap_or_default();
    assert!(email.contains("api.example.com"), "{email}");
    assert!(
        email.contains("Re-issue the certificate with api.example.com in its SANs"),
        "{email}"
    );
    assert!(
        email.contains(&format!("/distributions/{id}")),
        "console link: {email}"
    );
    let chat: Value =
        serde_json::from_str(message["https"].as_str().unwrap_or("")).expect("chat JSON");
    assert_eq!(chat["version"], "1.0");
    assert_eq!(chat["source"], "custom");
    assert!(chat["content"]["title"].is_string() && chat["content"]["description"].is_string());
    assert!(chat["content"]["nextSteps"].is_array());
    assert_eq!(chat["metadata"]["threadId"], Value::String(id));
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn a_rejected_update_is_checked_on_the_attempted_configuration() {
    let emulator = Emulator::start();
    let function = Function::start(&emulator, &[]).await;
    let event = sample("cloudtrail-update-distribution-rejected-invalid-viewer-certificate.json")
        .to_string();
    let result = response(function.invoke(&event).await);
    assert_eq!(result["status"], "audited");
    let envelopes = drain(&emulator, &function.queue_url).await;
    assert_eq!(envelopes.len(), 1, "{envelopes:#?}");
    assert!(attribute(&envelopes[0], "codes").contains("viewer-cert-wrong-region"));
    let machine: Value =
        serde_json::from_str(envelopes[0]["Message"].as_str().unwrap_or("")).expect("JSON");
    assert_eq!(machine["findings"][0]["viewer_impact"], "update-rejected");
    let why = machine["trigger"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("InvalidViewerCertificate"), "{why}");
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn acm_events_audit_the_distributions_that_use_the_certificate() {
    let emulator = Emulator::start();
    let expiring = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["soon.example.com"])
            .expires_in_days(10)
            .build(),
    )
    .await;
    let id = create_distribution(
        &emulator.cloudfront(),
        "soon",
        &DistributionSpec::new().with_acm(&expiring, &["soon.example.com"]),
    )
    .await;
    let unused = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["unused.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let function = Function::start(&emulator, &[]).await;
    for name in [
        "acm-approaching-expiration.json",
        "acm-expired.json",
        "acm-available-renewal.json",
        "acm-renewal-action-required.json",
        "acm-revoked.json",
    ] {
        let result = response(
            function
                .invoke(&with(sample(name), &["/resources/0"], &expiring))
                .await,
        );
        assert_eq!(result["status"], "audited", "{name}");
        assert_eq!(result["summary"]["distributions"], 1, "{name}");
        let envelopes = drain(&emulator, &function.queue_url).await;
        assert_eq!(envelopes.len(), 1, "{name}: {envelopes:#?}");
        assert_eq!(attribute(&envelopes[0], "distribution_id"), id, "{name}");
        assert!(
            attribute(&envelopes[0], "codes").contains("viewer-cert-expiring"),
            "{name}"
        );
    }
    // A certificate no distribution uses: one info finding, nothing published at MIN_SEVERITY medium.
    let result = response(
        function
            .invoke(&with(
                sample("acm-expired.json"),
                &["/resources/0"],
                &unused,
            ))
            .await,
    );
    assert_eq!(result["summary"]["info"], 1);
    assert_eq!(result["notifications"], 0);
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn a_sweep_publishes_one_digest_listing_every_failing_distribution() {
    let emulator = Emulator::start();
    let id = alias_not_covered(&emulator).await;
    let mut default_with_alias = DistributionSpec::new();
    default_with_alias.aliases = vec!["promo.example.com".into()];
    let other = create_distribution(&emulator.cloudfront(), "promo", &default_with_alias).await;
    let function = Function::start(&emulator, &[]).await;
    for name in [
        "scheduled-event.json",
        "scheduler-sweep-input.json",
        "scheduler-default-envelope.json",
    ] {
        let result = response(function.invoke(&sample(name).to_string()).await);
        assert_eq!(result["summary"]["distributions"], 2, "{name}");
        let envelopes = drain(&emulator, &function.queue_url).await;
        assert_eq!(envelopes.len(), 1, "{name}: one digest");
        assert_eq!(attribute(&envelopes[0], "trigger"), "sweep");
        let machine: Value =
            serde_json::from_str(envelopes[0]["Message"].as_str().unwrap_or("")).expect("JSON");
        let ids: Vec<&str> = machine["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["distribution_id"].as_str())
            .collect();
        assert!(
            ids.contains(&id.as_str()) && ids.contains(&other.as_str()),
            "{name}: {ids:?}"
        );
    }
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn operators_can_audit_named_distributions_and_a_vanished_one_is_reported() {
    let emulator = Emulator::start();
    let id = alias_not_covered(&emulator).await;
    let function = Function::start(&emulator, &[]).await;
    let mut direct = sample("direct-audit.json");
    direct["distribution_ids"] = serde_json::json!([id, "EGONE0000000"]);
    let result = response(function.invoke(&direct.to_string()).await);
    assert_eq!(result["summary"]["critical"], 1);
    assert_eq!(
        result["summary"]["high"], 1,
        "the missing distribution is audit-incomplete"
    );
    let codes: Vec<String> = drain(&emulator, &function.queue_url)
        .await
        .iter()
        .map(|e| attribute(e, "codes"))
        .collect();
    assert!(
        codes.iter().any(|c| c.contains("audit-incomplete")),
        "{codes:?}"
    );

    // CloudTrail for a distribution deleted since: a finding, not a crash.
    let event = with(
        sample("cloudtrail-create-distribution.json"),
        &["/detail/responseElements/distribution/id"],
        "EDELETED00000",
    );
    let result = response(function.invoke(&event).await);
    assert_eq!(result["summary"]["high"], 1);
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn malformed_and_unknown_events_are_answered_without_a_crash_or_a_retry() {
    let emulator = Emulator::start();
    let function = Function::start(&emulator, &[]).await;
    let unknown = r#"{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#;
    assert_eq!(
        response(function.invoke(unknown).await)["status"],
        "ignored"
    );
    for payload in [
        r#"{"action":"audit","distribution_ids":"E1"}"#.to_owned(),
        r#"{"action":"explode"}"#.to_owned(),
        "[1, 2, 3]".to_owned(),
        format!(
            r#"{{"action":"sweep","padding":"{}"}}"#,
            "x".repeat(1 << 20)
        ),
    ] {
        let result = response(function.invoke(&payload).await);
        assert_eq!(
            result["status"],
            "rejected",
            "{}",
            &payload[..payload.len().min(60)]
        );
    }
    // Not JSON at all: the runtime reports an invocation error, and the function keeps serving.
    assert!(matches!(
        function.invoke("{truncated").await,
        Outcome::Error(_)
    ));
    assert_eq!(
        response(function.invoke(unknown).await)["status"],
        "ignored"
    );
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn a_failed_publish_fails_the_invocation_so_the_event_is_kept() {
    let emulator = Emulator::start();
    let id = alias_not_covered(&emulator).await;
    let function = Function::start_with_topic(
        &emulator,
        "arn:aws:sns:us-east-1:123456789012:no-such-topic",
        String::new(),
        &[],
    )
    .await;
    let event = with(
        sample("cloudtrail-update-distribution.json"),
        &["/detail/requestParameters/id"],
        &id,
    );
    match function.invoke(&event).await {
        Outcome::Error(body) => assert!(body.contains("no-such-topic"), "{body}"),
        Outcome::Response(body) => panic!("expected a failed invocation, got {body}"),
    }
    assert_every_publish_is_well_formed(&emulator).await;
}

/// POSTs `body` to the emulator's own API (moto's state manager) with a blocking HTTP/1.0 request.
async fn moto_api_post(emulator: &Emulator, path: &str, body: Value) {
    let address = emulator
        .endpoint_url()
        .trim_start_matches("http://")
        .to_owned();
    let target = path.to_owned();
    let status = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let body = body.to_string();
        let mut stream = std::net::TcpStream::connect(&address).expect("emulator");
        write!(
            stream,
            "POST {target} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("request");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("response");
        text.lines().next().unwrap_or_default().to_owned()
    })
    .await
    .expect("join");
    assert!(status.contains(" 20"), "{path}: {status}");
}

/// Moto's distributions go InProgress → Deployed on reads; `manual` with many `times` holds them
/// InProgress (a change still propagating), `immediate` makes them Deployed.
async fn distribution_status_transition(emulator: &Emulator, transition: Value) {
    moto_api_post(
        emulator,
        "/moto-api/state-manager/set-transition",
        serde_json::json!({"model_name": "cloudfront::distribution", "transition": transition}),
    )
    .await;
}

/// The follow-up bodies waiting in the follow-up queue (deleted once read).
async fn follow_ups(emulator: &Emulator, queue_url: &str) -> Vec<Value> {
    let sqs = emulator.sqs();
    let received = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    let mut bodies = Vec::new();
    for message in received.messages.unwrap_or_default() {
        bodies.push(serde_json::from_str(message.body().unwrap_or_default()).expect("JSON body"));
        if let Some(handle) = message.receipt_handle {
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .send()
                .await
                .expect("delete");
        }
    }
    bodies
}

/// The SQS event Lambda's event source mapping would deliver for `body`.
fn sqs_event(body: &Value) -> String {
    let mut event = sample("sqs-follow-up.json");
    event["Records"][0]["body"] = Value::String(body.to_string());
    event.to_string()
}

#[tokio::test]
async fn a_distribution_in_progress_is_re_checked_through_the_follow_up_queue_until_it_gives_up() {
    let emulator = Emulator::start();
    // Before seeding: the seed's own reads must not make the distribution Deployed.
    distribution_status_transition(
        &emulator,
        serde_json::json!({"progression": "manual", "times": 1_000_000}),
    )
    .await;
    let arn = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let id = create_distribution(
        &emulator.cloudfront(),
        "changing",
        &DistributionSpec::new().with_acm(&arn, &["www.example.com"]),
    )
    .await;
    let queue_url = emulator
        .sqs()
        .create_queue()
        .queue_name("cloudfront-tls-audit-follow-up")
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue URL");
    // The edge check must run for the edge rule to speak; the origin is sent to a closed loopback
    // port so its probe fails at once instead of leaving the machine. An InProgress distribution has
    // no edge target, so the edge itself needs no server.
    let function = Function::start(
        &emulator,
        &[
            ("PROBE", "true"),
            ("EDGE_CHECK", "true"),
            ("PROBE_TIMEOUT_SECONDS", "2"),
            (
                "CLOUDFRONT_TLS_AUDIT_RESOLVE",
                "origin.example.com:443:127.0.0.1",
            ),
            ("FOLLOW_UP_QUEUE_URL", &queue_url),
            ("FOLLOW_UP_DELAY_SECONDS", "0"),
            ("FOLLOW_UP_MAX_ATTEMPTS", "2"),
            // The edge finding is info: published here so the give-up is visible on the topic.
            ("MIN_SEVERITY", "info"),
        ],
    )
    .await;

    // The change: audited, the edge not verified, attempt 1 queued.
    let event = with(
        sample("cloudtrail-update-distribution.json"),
        &[
            "/detail/requestParameters/id",
            "/detail/responseElements/distribution/id",
        ],
        &id,
    );
    let result = response(function.invoke(&event).await);
    assert_eq!(result["status"], "audited", "{result}");
    assert_eq!(result["follow_up"]["status"], "scheduled", "{result}");
    let queued = follow_ups(&emulator, &queue_url).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["action"], "follow-up");
    assert_eq!(queued[0]["distribution_ids"], serde_json::json!([id]));
    assert_eq!(queued[0]["attempt"], 1);
    assert!(
        queued[0]["cause"]
            .as_str()
            .is_some_and(|c| c.starts_with("UpdateDistribution")),
        "{queued:?}"
    );
    drain(&emulator, &function.queue_url).await;

    // Attempt 1 through the SQS event: still InProgress, attempt 2 queued.
    let result = response(function.invoke(&sqs_event(&queued[0])).await);
    assert_eq!(result["trigger"]["kind"], "follow-up", "{result}");
    assert_eq!(result["follow_up"]["attempt"], 2, "{result}");
    let queued = follow_ups(&emulator, &queue_url).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["attempt"], 2);
    // Only the edge is re-published: the origin failure was published with the change.
    let codes: Vec<String> = drain(&emulator, &function.queue_url)
        .await
        .iter()
        .map(|e| attribute(e, "codes"))
        .collect();
    assert_eq!(codes, [r#"["viewer-edge-not-verified"]"#], "{codes:?}");

    // The last attempt: no more follow-ups, and what is published says so.
    let result = response(function.invoke(&sqs_event(&queued[0])).await);
    assert_eq!(result["follow_up"]["status"], "gave-up", "{result}");
    assert!(follow_ups(&emulator, &queue_url).await.is_empty());
    let envelopes = drain(&emulator, &function.queue_url).await;
    assert_eq!(envelopes.len(), 1, "{envelopes:#?}");
    let machine: Value =
        serde_json::from_str(envelopes[0]["Message"].as_str().unwrap_or("")).expect("JSON");
    assert!(
        machine
            .to_string()
            .contains("gave up after 2 follow-up attempt(s)"),
        "{machine:#}"
    );

    // Once Deployed, a follow-up ends the chain (the edge is checked, not deferred).
    distribution_status_transition(&emulator, serde_json::json!({"progression": "immediate"}))
        .await;
    let body = serde_json::json!({"action": "follow-up", "distribution_ids": [id], "attempt": 1});
    let result = response(function.invoke(&sqs_event(&body)).await);
    assert_eq!(result["follow_up"], Value::Null, "{result}");
    assert!(follow_ups(&emulator, &queue_url).await.is_empty());

    // A body that is not a follow-up is answered "rejected": the message is not retried.
    let result = response(
        function
            .invoke(&sqs_event(&serde_json::json!({"action": "sweep"})))
            .await,
    );
    assert_eq!(result["status"], "rejected", "{result}");
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn notify_on_clean_sends_a_short_verified_message_for_a_healthy_change() {
    let emulator = Emulator::start();
    let arn = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let id = create_distribution(
        &emulator.cloudfront(),
        "healthy",
        &DistributionSpec::new().with_acm(&arn, &["www.example.com"]),
    )
    .await;
    let event = with(
        sample("cloudtrail-update-distribution.json"),
        &[
            "/detail/requestParameters/id",
            "/detail/responseElements/distribution/id",
        ],
        &id,
    );
    // Off by default: a clean audit publishes nothing.
    let quiet = Function::start(&emulator, &[]).await;
    assert_eq!(response(quiet.invoke(&event).await)["notifications"], 0);
    assert!(drain(&emulator, &quiet.queue_url).await.is_empty());

    let chatty = Function::start(&emulator, &[("NOTIFY_ON_CLEAN", "true")]).await;
    assert_eq!(response(chatty.invoke(&event).await)["notifications"], 1);
    let envelopes = drain(&emulator, &chatty.queue_url).await;
    assert_eq!(envelopes.len(), 1);
    assert_eq!(attribute(&envelopes[0], "notification"), "verified");
    assert_eq!(attribute(&envelopes[0], "distribution_id"), id);
    assert_eq!(attribute(&envelopes[0], "severity"), "");
    assert_every_publish_is_well_formed(&emulator).await;
}

#[tokio::test]
async fn every_tls_changing_cloudfront_call_audits_the_distribution_it_changed() {
    let emulator = Emulator::start();
    let id = alias_not_covered(&emulator).await;
    let function = Function::start(&emulator, &[]).await;
    // Each sample's distribution ids, wherever that call keeps them, point at the seeded distribution.
    let cases: [(&str, &[&str]); 5] = [
        (
            "cloudtrail-create-distribution-with-tags.json",
            &["/detail/responseElements/distribution/id"],
        ),
        (
            "cloudtrail-copy-distribution.json",
            &[
                "/detail/responseElements/distribution/id",
                "/detail/requestParameters/primaryDistributionId",
            ],
        ),
        (
            "cloudtrail-update-distribution-with-staging-config.json",
            &[
                "/detail/requestParameters/id",
                "/detail/requestParameters/stagingDistributionId",
            ],
        ),
        (
            "cloudtrail-associate-alias.json",
            &["/detail/requestParameters/targetDistributionId"],
        ),
        (
            "cloudtrail-update-domain-association.json",
            &["/detail/requestParameters/targetResource/distributionId"],
        ),
    ];
    for (name, pointers) in cases {
        let call = sample(name)["detail"]["eventName"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let result = response(function.invoke(&with(sample(name), pointers, &id)).await);
        assert_eq!(result["status"], "audited", "{name}");
        assert_eq!(result["summary"]["critical"], 1, "{name}: {result}");
        let envelopes = drain(&emulator, &function.queue_url).await;
        assert_eq!(envelopes.len(), 1, "{name}");
        assert_eq!(attribute(&envelopes[0], "distribution_id"), id, "{name}");
        assert_eq!(attribute(&envelopes[0], "trigger"), call, "{name}");
    }
    assert_every_publish_is_well_formed(&emulator).await;
}
