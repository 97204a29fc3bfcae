//! Notifications through a local SNS emulator: a topic with an SQS queue subscribed (raw delivery
//! off, so the SNS envelope with its subject and message attributes arrives), published to through
//! [`SnsPublisher`], and read back from the queue.

mod support;

use support::topic::{drain, topic_with_queue};

use std::collections::BTreeMap;

use cloudfront_tls_audit::catalogue::{ALIAS_NOT_COVERED, HTTP_ALLOWED};
use cloudfront_tls_audit::finding::{Finding, Severity};
use cloudfront_tls_audit::notify::{
    digest, per_distribution, publish_all, NotifyError, Publisher, SnsPublisher, TriggerSummary,
};
use cloudfront_tls_audit::report::Report;
use serde_json::Value;
use support::Emulator;

fn trigger() -> TriggerSummary {
    TriggerSummary::new("UpdateDistribution", "alice at 2026-03-01T10:00:00Z")
}

fn alias_finding(id: &str, alias: &str) -> Finding {
    Finding::builder(&ALIAS_NOT_COVERED)
        .distribution(id)
        .subject(alias)
        .evidence("alias", alias)
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )
        .evidence("certificate_names", vec!["example.com"])
        .build()
}

fn http_allowed(id: &str) -> Finding {
    Finding::builder(&HTTP_ALLOWED)
        .distribution(id)
        .subject("cache behaviour default")
        .evidence("behavior", "default")
        .build()
}

#[tokio::test]
async fn a_distribution_notification_arrives_with_subject_attributes_and_the_json_report() {
    let emulator = Emulator::start();
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    let report = Report::new(
        vec![
            alias_finding("E1ABCDEF", "api.example.com"),
            http_allowed("E1ABCDEF"),
        ],
        1,
        vec![],
    );
    let notifications = per_distribution(&report, &trigger(), Severity::Medium);
    assert_eq!(notifications.len(), 1);

    let publisher = SnsPublisher::new(emulator.sns(), &topic_arn);
    publisher.publish(&notifications[0]).await.expect("publish");

    let envelopes = drain(&emulator, &queue_url).await;
    assert_eq!(envelopes.len(), 1);
    let envelope = &envelopes[0];
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic_arn.as_str());
    assert_eq!(
        envelope["Subject"],
        "[CRITICAL] E1ABCDEF viewer-alias-not-covered +1 more"
    );
    let attributes = &envelope["MessageAttributes"];
    assert_eq!(attributes["severity"]["Type"], "String");
    assert_eq!(attributes["severity"]["Value"], "critical");
    assert_eq!(attributes["distribution_id"]["Value"], "E1ABCDEF");
    assert_eq!(attributes["trigger"]["Value"], "UpdateDistribution");
    assert_eq!(attributes["notification"]["Value"], "distribution");
    assert_eq!(attributes["codes"]["Type"], "String.Array");
    let codes: Vec<String> = serde_json::from_str(
        attributes["codes"]["Value"]
            .as_str()
            .expect("codes is a string"),
    )
    .expect("codes is a JSON array");
    assert_eq!(codes, ["viewer-alias-not-covered", "viewer-http-allowed"]);

    // The `sqs` protocol gets the JSON report: the audit contract plus the trigger.
    let message: Value =
        serde_json::from_str(envelope["Message"].as_str().expect("Message is a string"))
            .expect("the sqs message is JSON");
    let mut expected = report.to_json_object();
    expected.insert(
        "trigger".into(),
        serde_json::json!({
            "kind": "UpdateDistribution",
            "description": "alice at 2026-03-01T10:00:00Z"
        }),
    );
    assert_eq!(message, Value::Object(expected));
}

#[tokio::test]
async fn every_part_of_a_large_digest_is_accepted_and_nothing_is_lost() {
    let emulator = Emulator::start();
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    let mut findings = Vec::new();
    let mut labels = BTreeMap::new();
    for i in 0..300 {
        let id = format!("E{i:04}SWEEP");
        findings.push(alias_finding(&id, &format!("api{i}.example.com")));
        findings.push(http_allowed(&id));
        labels.insert(id, format!("www{i}.example.com"));
    }
    let report = Report::new(findings, 300, vec![]).with_labels(labels);
    let parts = digest(
        &report,
        &TriggerSummary::new("sweep", "scheduled"),
        Severity::Medium,
    );
    assert!(parts.len() > 1);

    let publisher = SnsPublisher::new(emulator.sns(), &topic_arn);
    let sent = publish_all(&publisher, &parts)
        .await
        .expect("every part is accepted");
    assert_eq!(sent, parts.len());

    let envelopes = drain(&emulator, &queue_url).await;
    assert_eq!(envelopes.len(), parts.len());
    let findings_received: usize = envelopes
        .iter()
        .map(|envelope| {
            let message: Value =
                serde_json::from_str(envelope["Message"].as_str().expect("string")).expect("JSON");
            message["findings"].as_array().map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(findings_received, 600);
}

#[tokio::test]
async fn publishing_to_a_missing_topic_is_an_error_naming_the_topic() {
    let emulator = Emulator::start();
    let missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let report = Report::new(vec![http_allowed("E1ABCDEF")], 1, vec![]);
    let notification = &per_distribution(&report, &trigger(), Severity::Medium)[0];

    let error = SnsPublisher::new(emulator.sns(), missing)
        .publish(notification)
        .await
        .expect_err("the topic does not exist");
    match &error {
        NotifyError::Publish {
            topic_arn, detail, ..
        } => {
            assert_eq!(topic_arn, missing);
            assert!(detail.contains("NotFound"), "{detail}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("sns:Publish"));
    // The setting the function reads the topic from, by its real name.
    assert!(error.to_string().contains("that TOPIC_ARN names"));
}
