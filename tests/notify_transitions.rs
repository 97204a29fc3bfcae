//! The `transition` message attribute routes as docs/state.md documents it: the real SDK publishes
//! the notifications of a run with state to an SNS topic in the emulator, and queues subscribed with
//! the documented filter policies receive exactly what those policies promise.

mod support;

use serde_json::Value;
use support::topic::{drain, subscribed_queue, topic_with_queue};
use support::Emulator;
use time::macros::datetime;
use time::OffsetDateTime;

use cloudfront_tls_audit::catalogue::{ALIAS_NOT_COVERED, EXPIRED, HTTP_ALLOWED};
use cloudfront_tls_audit::finding::{Finding, Severity};
use cloudfront_tls_audit::notify::{
    notifications, publish_all, NotifyPolicy, SnsPublisher, TriggerSummary,
};
use cloudfront_tls_audit::report::Report;
use cloudfront_tls_audit::state::{
    FindingStatus, Fingerprint, Memory, Remembered, ResolvedFinding, SuppressionOutcome, Transition,
};

/// The pager of docs/state.md: new or escalated critical findings, per distribution only.
const PAGER: &str = r#"{"transition": ["new", "escalated"], "severity": ["critical"], "notification": ["distribution"]}"#;
/// A change log of what was fixed.
const FIXED: &str = r#"{"transition": ["resolved"]}"#;
/// Reminders only.
const REMINDERS: &str = r#"{"transition": ["reminder"]}"#;

const NOW: OffsetDateTime = datetime!(2026-03-03 06:00 UTC);

fn remembered(mut finding: Finding, transition: Transition, days: i64) -> Finding {
    finding.remembered = Some(Remembered {
        fingerprint: Fingerprint::of("111122223333", &finding),
        status: if transition == Transition::New {
            FindingStatus::New
        } else {
            FindingStatus::Open
        },
        transition,
        first_seen: NOW - time::Duration::days(days),
        previous_severity: None,
        suppression: None,
    });
    finding
}

fn alias(id: &str) -> Finding {
    Finding::builder(&ALIAS_NOT_COVERED)
        .distribution(id)
        .subject("api.example.com")
        .evidence("alias", "api.example.com")
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
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

fn expired(id: &str) -> Finding {
    Finding::builder(&EXPIRED)
        .distribution(id)
        .subject("arn:aws:acm:us-east-1:111122223333:certificate/abc")
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
        )
        .evidence("not_after", "2026-01-01T00:00:00Z")
        .evidence("days_ago", 61)
        .evidence("certificate_names", vec!["example.com"])
        .build()
}

fn fixed(id: &str) -> ResolvedFinding {
    ResolvedFinding {
        fingerprint: Fingerprint::parse(&format!(
            "cfta1/111122223333/{id}/viewer-cert-expired/arn:aws:acm:us-east-1:111122223333:certificate/old"
        ))
        .expect("a fingerprint"),
        code: "viewer-cert-expired".into(),
        distribution_id: Some(id.into()),
        subject: "arn:aws:acm:us-east-1:111122223333:certificate/old".into(),
        severity: Severity::Critical,
        first_seen: NOW - time::Duration::days(20),
        resolved_at: NOW,
        resolved_by: "UpdateDistribution by arn:aws:iam::111122223333:user/alice".into(),
    }
}

/// A sweep with state: E1 a new critical, E2 a new medium, E3 a critical due a reminder, E4 one
/// resolved, E5 an unchanged medium.
fn sweep() -> Report {
    let mut report = Report::new(
        vec![
            remembered(alias("E1NEWCRIT"), Transition::New, 0),
            remembered(http_allowed("E2NEWMED"), Transition::New, 0),
            remembered(expired("E3REMIND"), Transition::Reminder, 61),
            remembered(http_allowed("E5SAME"), Transition::Unchanged, 9),
        ],
        5,
        vec![],
    );
    report.memory = Some(Memory {
        resolved: vec![fixed("E4FIXED")],
        suppressions: SuppressionOutcome::default(),
    });
    report
}

/// What a queue received: each message's subject and its `transition` attribute.
fn received(envelopes: &[Value]) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = envelopes
        .iter()
        .map(|e| {
            (
                e["Subject"].as_str().unwrap_or_default().to_owned(),
                e["MessageAttributes"]["transition"]["Value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    seen.sort();
    seen
}

#[tokio::test]
async fn filter_policies_on_transition_route_as_documented() {
    let emulator = Emulator::start();
    let (topic_arn, everything) = topic_with_queue(&emulator).await;
    let pager = subscribed_queue(&emulator, &topic_arn, "pager", Some(PAGER)).await;
    let fixed_log = subscribed_queue(&emulator, &topic_arn, "fixed", Some(FIXED)).await;
    let reminders = subscribed_queue(&emulator, &topic_arn, "reminders", Some(REMINDERS)).await;

    let trigger = TriggerSummary::new("sweep", "scheduled at 2026-03-03T06:00:00Z");
    let sweep_messages = notifications(&sweep(), &trigger, &NotifyPolicy::default(), true, NOW);
    // The digest, E1 and E2 (new), E3's reminder; no message for E4 (a sweep tells resolutions in
    // its digest) nor E5 (unchanged).
    assert_eq!(
        sweep_messages.len(),
        4,
        "{:?}",
        sweep_messages
            .iter()
            .map(|n| &n.subject)
            .collect::<Vec<_>>()
    );
    // An event that fixed E4: one message, transition resolved.
    let mut event = Report::new(vec![], 1, vec![]);
    event.memory = Some(Memory {
        resolved: vec![fixed("E4FIXED")],
        suppressions: SuppressionOutcome::default(),
    });
    let change = TriggerSummary::new("UpdateDistribution", "by alice");
    let event_messages = notifications(&event, &change, &NotifyPolicy::default(), false, NOW);
    assert_eq!(event_messages.len(), 1);

    let publisher = SnsPublisher::new(emulator.sns(), &topic_arn);
    let all: Vec<_> = sweep_messages
        .iter()
        .chain(&event_messages)
        .cloned()
        .collect();
    publish_all(&publisher, &all).await.expect("published");

    assert_eq!(
        received(&drain(&emulator, &pager).await),
        [(
            "[CRITICAL] E1NEWCRIT viewer-alias-not-covered".to_owned(),
            r#"["new"]"#.to_owned()
        )],
        "the pager: only the new critical finding, not the new medium, the reminder or the digest"
    );
    assert_eq!(
        received(&drain(&emulator, &fixed_log).await),
        [
            (
                "[CRITICAL] CloudFront TLS sweep: 2 new, 0 escalated, 1 resolved, 2 still open"
                    .to_owned(),
                r#"["new","resolved"]"#.to_owned()
            ),
            (
                "[RESOLVED] E4FIXED viewer-cert-expired".to_owned(),
                r#"["resolved"]"#.to_owned()
            ),
        ],
        "what was fixed: the event's message and the digest that lists it"
    );
    assert_eq!(
        received(&drain(&emulator, &reminders).await),
        [(
            "[CRITICAL] E3REMIND still open viewer-cert-expired".to_owned(),
            r#"["reminder"]"#.to_owned()
        )]
    );
    assert_eq!(
        drain(&emulator, &everything).await.len(),
        5,
        "a subscription without a filter policy receives every message"
    );
}
