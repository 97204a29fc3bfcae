//! Plain data for the state's tests: findings, records and suppressions built in one line each.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::{Fingerprint, Record, Status, Suppression, SuppressionRequest};
use crate::catalogue::{Cause, ALIAS_NOT_COVERED, EXPIRING_BY_HAND, HTTP_ALLOWED, POLICY_OUTDATED};
use crate::finding::{Finding, Severity};

/// The account of every fixture.
pub const ACCOUNT: &str = "111122223333";

/// The time of the run under test.
pub fn now() -> OffsetDateTime {
    datetime!(2026-12-03 06:00 UTC)
}

/// `days` before [`now`].
pub fn days_ago(days: i64) -> OffsetDateTime {
    now() - Duration::days(days)
}

/// A finding of `cause` in `distribution` about `subject`.
pub fn finding(cause: &'static Cause, distribution: &str, subject: &str) -> Finding {
    Finding::builder(cause)
        .distribution(distribution)
        .subject(subject)
        .build()
}

/// `viewer-http-allowed` (medium) on the default behaviour of `distribution`.
pub fn http_allowed(distribution: &str) -> Finding {
    finding(&HTTP_ALLOWED, distribution, "cache behaviour default")
}

/// `viewer-alias-not-covered` (critical) for `alias`.
pub fn alias_not_covered(distribution: &str, alias: &str) -> Finding {
    finding(&ALIAS_NOT_COVERED, distribution, alias)
}

/// `viewer-tls-policy-outdated` on the viewer certificate.
pub fn policy_outdated(distribution: &str) -> Finding {
    finding(
        &POLICY_OUTDATED,
        distribution,
        "ViewerCertificate.MinimumProtocolVersion",
    )
}

/// `viewer-cert-expiring` with `severity` and `days_left` in its evidence.
pub fn expiring(distribution: &str, severity: Severity, not_after: &str) -> Finding {
    Finding::builder(&EXPIRING_BY_HAND)
        .distribution(distribution)
        .subject("arn:aws:acm:us-east-1:111122223333:certificate/abc")
        .severity(severity)
        .evidence("not_after", not_after)
        .evidence("days_left", 12)
        .build()
}

/// The record a previous run left for `finding`: open since `first_seen`, version 3.
pub fn record_of(finding: &Finding, first_seen: OffsetDateTime) -> Record {
    Record {
        fingerprint: Fingerprint::of(ACCOUNT, finding),
        code: finding.code.as_str().to_owned(),
        distribution_id: finding.distribution_id.clone(),
        subject: finding.subject.clone(),
        severity: finding.severity,
        status: Status::Open,
        first_seen,
        last_seen: days_ago(1),
        last_notified: Some(first_seen),
        resolved_at: None,
        resolved_by: None,
        version: 3,
    }
}

/// A suppression of `code` (anywhere), made 10 days ago and expiring at `expires_at`.
pub fn suppression(code: &str, expires_at: OffsetDateTime) -> Suppression {
    let request = SuppressionRequest {
        code: code.to_owned(),
        distribution_id: None,
        subject: None,
        reason: "accepted until the migration".to_owned(),
        created_by: Some("alice".to_owned()),
        created_at: days_ago(10),
        expires_at,
    };
    match request.validate("alice") {
        Ok(made) => made,
        Err(error) => panic!("fixture suppression is valid: {error}"),
    }
}
