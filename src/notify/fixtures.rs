//! Findings, reports and triggers shared by the notify tests.

use std::collections::BTreeMap;

use serde_json::Value;

use super::TriggerSummary;
use crate::catalogue::{
    ALIAS_NOT_COVERED, EXPIRED, EXPIRING_BY_HAND, HTTP_ALLOWED, INCOMPLETE_ACCESS_DENIED,
    POLICY_OUTDATED,
};
use crate::finding::Finding;
use crate::report::Report;

/// A certificate subject an attacker controls: mentions, a masked link, a terminal escape, a line
/// break that would forge a line, and a bidi override.
pub(super) const CRAFTED: &str =
    "evil.example <!channel> @here @everyone <https://phish.example|Click to fix>\n*Forged*\u{1b}[31m\u{202E}";

pub(super) fn trigger() -> TriggerSummary {
    TriggerSummary::new(
        "UpdateDistribution",
        "arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z",
    )
}

pub(super) fn alias_finding(id: &str, alias: &str) -> Finding {
    Finding::builder(&ALIAS_NOT_COVERED)
        .distribution(id)
        .subject(alias)
        .evidence("alias", alias)
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
        )
        .evidence("certificate_names", vec!["example.com", "*.example.com"])
        .build()
}

pub(super) fn expired(id: &str) -> Finding {
    Finding::builder(&EXPIRED)
        .distribution(id)
        .subject("arn:aws:acm:us-east-1:111122223333:certificate/abc")
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
        )
        .evidence("not_after", "2026-01-01T00:00:00Z")
        .evidence("days_ago", 59)
        .evidence("certificate_names", vec!["example.com"])
        .build()
}

pub(super) fn expiring(id: &str) -> Finding {
    Finding::builder(&EXPIRING_BY_HAND)
        .distribution(id)
        .subject("arn:aws:acm:us-east-1:111122223333:certificate/imported")
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/imported",
        )
        .evidence("not_after", "2026-03-11T00:00:00Z")
        .evidence("days_left", 10)
        .build()
}

pub(super) fn http_allowed(id: &str) -> Finding {
    Finding::builder(&HTTP_ALLOWED)
        .distribution(id)
        .subject("cache behaviour default")
        .evidence("behavior", "default")
        .build()
}

pub(super) fn outdated(id: &str) -> Finding {
    Finding::builder(&POLICY_OUTDATED)
        .distribution(id)
        .subject("TLSv1_2016")
        .evidence("minimum_protocol_version", "TLSv1_2016")
        .build()
}

pub(super) fn account() -> Finding {
    Finding::builder(&INCOMPLETE_ACCESS_DENIED)
        .subject("iam server certificates")
        .evidence("resource", "IAM server certificates")
        .evidence("operation", "iam:ListServerCertificates")
        .build()
}

pub(super) fn sample() -> Report {
    Report::new(
        vec![
            alias_finding("E1ABCDEF", "api.example.com"),
            expiring("E1ABCDEF"),
            outdated("E1ABCDEF"),
            http_allowed("E2BBBBBB"),
            account(),
        ],
        3,
        vec![],
    )
    .with_labels(BTreeMap::from([(
        "E1ABCDEF".to_owned(),
        "www.example.com".to_owned(),
    )]))
}

pub(super) fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// 300 distributions, each with four findings at or above medium and one below.
pub(super) fn sweep() -> Report {
    let mut findings = Vec::new();
    let mut labels = BTreeMap::new();
    for i in 0..300 {
        let id = format!("E{i:04}SWEEPDIST");
        findings.push(alias_finding(&id, &format!("api{i}.example.com")));
        findings.push(expired(&id));
        findings.push(expiring(&id));
        findings.push(http_allowed(&id));
        findings.push(outdated(&id));
        labels.insert(id, format!("www{i}.example.com"));
    }
    findings.push(account());
    let as_of = crate::report::Note::AsOf {
        at: time::macros::datetime!(2026-03-01 00:00 UTC),
    };
    Report::new(findings, 320, vec![as_of]).with_labels(labels)
}

/// The time of the audits with state in these tests: Tuesday 2026-03-03 06:00 UTC.
pub(super) fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-03-03 06:00 UTC)
}

/// The next Monday, the default heartbeat day.
pub(super) fn monday() -> time::OffsetDateTime {
    time::macros::datetime!(2026-03-09 06:00 UTC)
}

/// `finding` as the state's reconcile leaves it: `transition`, first seen `days` before [`now`]
/// (an escalated one was medium before).
pub(super) fn remember(
    mut finding: Finding,
    transition: crate::state::Transition,
    days: i64,
) -> Finding {
    use crate::state::{FindingStatus, Fingerprint, Remembered, SuppressionId, Transition};
    finding.remembered = Some(Remembered {
        fingerprint: Fingerprint::of("111122223333", &finding),
        status: match transition {
            Transition::New => FindingStatus::New,
            Transition::Suppressed => FindingStatus::Suppressed,
            _ => FindingStatus::Open,
        },
        transition,
        first_seen: now() - time::Duration::days(days),
        previous_severity: (transition == Transition::Escalated)
            .then_some(crate::finding::Severity::Medium),
        suppression: (transition == Transition::Suppressed)
            .then(|| SuppressionId("accepted-http".to_owned())),
    });
    finding
}

/// A finding the run resolved on `id`, first seen 28 days before [`now`].
pub(super) fn resolved(
    id: &str,
    code: &str,
    severity: crate::finding::Severity,
) -> crate::state::ResolvedFinding {
    crate::state::ResolvedFinding {
        fingerprint: crate::state::Fingerprint::parse(&format!(
            "cfta1/111122223333/{id}/{code}/arn:aws:acm:us-east-1:111122223333:certificate/old"
        ))
        .expect("a fingerprint"),
        code: code.to_owned(),
        distribution_id: Some(id.to_owned()),
        subject: "arn:aws:acm:us-east-1:111122223333:certificate/old".to_owned(),
        severity,
        first_seen: now() - time::Duration::days(28),
        resolved_at: now(),
        resolved_by: "UpdateDistribution by arn:aws:iam::111122223333:user/alice".to_owned(),
    }
}

/// A report of a run with state: `findings` (already remembered) and what it resolved.
pub(super) fn with_memory(
    findings: Vec<Finding>,
    resolved: Vec<crate::state::ResolvedFinding>,
    audited: usize,
) -> Report {
    let mut report = Report::new(findings, audited, vec![]).with_labels(BTreeMap::from([(
        "E1ABCDEF".to_owned(),
        "www.example.com".to_owned(),
    )]));
    report.memory = Some(crate::state::Memory {
        resolved,
        suppressions: crate::state::SuppressionOutcome {
            next_expiry: Some(time::macros::datetime!(2026-04-01 00:00 UTC)),
            ..Default::default()
        },
    });
    report
}

/// An expiring certificate whose severity rose to high.
pub(super) fn escalated(id: &str) -> Finding {
    let finding = Finding::builder(&EXPIRING_BY_HAND)
        .severity(crate::finding::Severity::High)
        .distribution(id)
        .subject("arn:aws:acm:us-east-1:111122223333:certificate/imported")
        .evidence("days_left", 5)
        .build();
    remember(finding, crate::state::Transition::Escalated, 12)
}
