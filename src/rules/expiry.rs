//! Codes: none. When an approaching expiry becomes a finding, relative to the certificate's lifetime;
//! rules/viewer_certificate.rs and rules/origin_tls.rs turn the verdict into findings.
//!
//! Public TLS lifetimes shrink (CA/Browser Forum ballot SC-081v3,
//! <https://cabforum.org/2025/04/11/ballot-sc081v3-introduce-schedule-of-reducing-validity-and-data-reuse-periods>):
//! at most 398 days until 2026-03-15, then 200, 100 from 2027-03-15 and 47 from 2029-03-15. ACM
//! issued 395-day certificates, and 198-day ones since February 2026. Fixed thresholds (45, 30, 14
//! days) become permanent alarms on a 47-day certificate, so every threshold here is a share of the
//! lifetime, bounded by absolute days:
//!
//! - **Renewed by hand** (imported ACM, IAM, and the certificates origins send): medium in the last
//!   `medium_percent` of the lifetime, high in the last `high_percent`, critical in the last
//!   `critical_days`. A share never reaches further back than the family's fixed threshold (today's
//!   `*_MEDIUM_DAYS` / `*_HIGH_DAYS`, which long-lived certificates still get exactly), and never
//!   comes later than the floor (`medium_floor_days`, `high_floor_days` before expiry).
//! - **Renewed by ACM** (AMAZON_ISSUED, `RenewalEligibility` ELIGIBLE): nothing while ACM's renewal
//!   is not overdue. ACM starts renewing 60 days before expiry for the 395-day certificates it
//!   documents (<https://docs.aws.amazon.com/acm/latest/userguide/renew-private-cert.html>: "When a
//!   managed certificate is 60 days away from expiration, ACM automatically attempts to renew it";
//!   the public-certificate page says 13 months, renewed after 11). For shorter lifetimes ACM's
//!   start is **unconfirmed**: reports on the 198-day change (February 2026) say 45 or 60 days. The
//!   conservative reading, the one that never reports a certificate ACM may not have started on, is
//!   the latest plausible start: the documented 60/395 of the lifetime (30 days of 198, 15 of 100,
//!   7 of 47). Renewal is overdue once `managed_renewal_days`/395 of the lifetime is left (default
//!   30 days of 395: half of ACM's window as grace, 15 of 198, 7.6 of 100, 3.6 of 47). A renewal
//!   status of FAILED or PENDING_VALIDATION says ACM is stuck: reported from the start of its window.

use time::{Duration, OffsetDateTime};

use crate::finding::{FindingBuilder, Severity};
use crate::settings;

/// ACM starts renewing this many days before expiry, for a certificate of
/// [`ACM_REFERENCE_LIFETIME_DAYS`] (ACM User Guide, managed renewal).
pub const ACM_RENEWAL_START_DAYS: f64 = 60.0;

/// The lifetime of ACM's public certificates before February 2026 (13 months), to which
/// [`ACM_RENEWAL_START_DAYS`] and `MANAGED_RENEWAL_OVERDUE_DAYS` refer.
pub const ACM_REFERENCE_LIFETIME_DAYS: f64 = 395.0;

/// When an approaching expiry becomes a finding (the Lambda reads them from its environment, the
/// CLI from its flags; defaults and ranges in [`crate::settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryThresholds {
    /// Viewer certificate renewed by hand: high at most this many days before expiry (default 14;
    /// the whole threshold for long-lived certificates, a cap on the lifetime share for short ones).
    pub viewer_high_days: i64,
    /// Viewer certificate renewed by hand: medium at most this many days before expiry (default 45).
    pub viewer_medium_days: i64,
    /// ACM-renewed certificate: renewal is overdue with this many days left on a 395-day
    /// certificate, and the same share of any shorter lifetime (default 30; below ACM's 60).
    pub managed_renewal_days: i64,
    /// Origin certificate: high at most this many days before expiry (default 14).
    pub origin_high_days: i64,
    /// Origin certificate: medium at most this many days before expiry (default 30).
    pub origin_medium_days: i64,
    /// Renewed by hand: medium in the last this-many percent of the lifetime (default 33).
    pub medium_percent: i64,
    /// Renewed by hand: high in the last this-many percent of the lifetime (default 10).
    pub high_percent: i64,
    /// Any certificate: critical in its last this-many days (default 3).
    pub critical_days: i64,
    /// Renewed by hand: medium at least this many days before expiry, however short the lifetime
    /// (default 7).
    pub medium_floor_days: i64,
    /// Renewed by hand: high at least this many days before expiry (default 3).
    pub high_floor_days: i64,
}

impl Default for ExpiryThresholds {
    fn default() -> Self {
        ExpiryThresholds {
            viewer_high_days: 14,
            viewer_medium_days: 45,
            managed_renewal_days: setting(settings::MANAGED_RENEWAL_OVERDUE_DAYS),
            origin_high_days: 14,
            origin_medium_days: 30,
            medium_percent: setting(settings::EXPIRY_MEDIUM_PERCENT),
            high_percent: setting(settings::EXPIRY_HIGH_PERCENT),
            critical_days: setting(settings::EXPIRY_CRITICAL_DAYS),
            medium_floor_days: setting(settings::EXPIRY_MEDIUM_FLOOR_DAYS),
            high_floor_days: setting(settings::EXPIRY_HIGH_FLOOR_DAYS),
        }
    }
}

/// A setting's default (every bound in src/settings.rs fits an `i64`).
const fn setting(bounded: settings::Bounded) -> i64 {
    bounded.default as i64
}

/// Whose thresholds apply to a certificate renewed by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The viewer certificate (imported ACM, IAM, or an ACM certificate ACM will not renew).
    Viewer,
    /// A certificate an origin sends.
    Origin,
}

/// ACM's `RenewalSummary.RenewalStatus`, matched as a string (the SDK may not know a new value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenewalStatus {
    /// No `RenewalSummary`: ACM has not started a renewal of this certificate.
    NotStarted,
    /// `PENDING_AUTO_RENEWAL`: ACM is renewing it.
    PendingAutoRenewal,
    /// `PENDING_VALIDATION`: ACM waits for domain validation, which will not come by itself.
    PendingValidation,
    /// `SUCCESS`: the last renewal succeeded (the one that produced this certificate, so no evidence
    /// about the next one).
    Success,
    /// `FAILED`: ACM gave up.
    Failed,
    /// A value this tool does not know yet, as sent: no evidence either way.
    Unknown(String),
}

impl RenewalStatus {
    /// Reads ACM's string.
    pub fn from_acm(status: Option<&str>) -> RenewalStatus {
        match status {
            None => RenewalStatus::NotStarted,
            Some("PENDING_AUTO_RENEWAL") => RenewalStatus::PendingAutoRenewal,
            Some("PENDING_VALIDATION") => RenewalStatus::PendingValidation,
            Some("SUCCESS") => RenewalStatus::Success,
            Some("FAILED") => RenewalStatus::Failed,
            Some(other) => RenewalStatus::Unknown(other.to_owned()),
        }
    }

    /// Whether ACM says it cannot finish without someone acting.
    pub fn is_stuck(&self) -> bool {
        matches!(
            self,
            RenewalStatus::PendingValidation | RenewalStatus::Failed
        )
    }
}

/// A certificate's validity, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// `NotBefore`, when known (every ACM description and parsed PEM has it).
    pub not_before: Option<OffsetDateTime>,
    /// `NotAfter`.
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// The lifetime, in days; `None` when `NotBefore` is unknown or not before `NotAfter`.
    pub fn lifetime_days(&self) -> Option<f64> {
        let not_before = self.not_before?;
        let days = (self.not_after - not_before).as_seconds_f64() / 86_400.0;
        (days > 0.0).then_some(days)
    }
}

/// The days-before-expiry at which each severity starts, always `critical <= high <= medium`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Medium from this many days before expiry.
    pub medium: f64,
    /// High from this many days before expiry.
    pub high: f64,
    /// Critical from this many days before expiry.
    pub critical: f64,
}

impl Schedule {
    /// Orders the three points: critical never above medium, high between the two.
    fn ordered(medium: f64, high: f64, critical: f64) -> Schedule {
        let critical = critical.min(medium);
        Schedule {
            medium,
            high: high.min(medium).max(critical),
            critical,
        }
    }

    /// The severity with `left` before expiry (`None`: nothing to report yet).
    pub fn severity(&self, left: Duration) -> Option<Severity> {
        let days = left.as_seconds_f64() / 86_400.0;
        if days <= self.critical {
            Some(Severity::Critical)
        } else if days <= self.high {
            Some(Severity::High)
        } else if days <= self.medium {
            Some(Severity::Medium)
        } else {
            None
        }
    }
}

/// What the thresholds say about one unexpired certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The points used, for evidence.
    pub schedule: Schedule,
    /// `Some` once the certificate is to be reported.
    pub severity: Option<Severity>,
    /// The lifetime, in days (`None`: unknown, judged as a long-lived certificate).
    pub lifetime_days: Option<f64>,
}

/// ACM's renewal window for one lifetime, for evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ManagedWindow {
    /// ACM starts renewing about this many days before expiry (the latest plausible start).
    pub renewal_starts: f64,
    /// Renewal is overdue with this many days left.
    pub overdue: f64,
}

impl ExpiryThresholds {
    /// The schedule of a certificate renewed by hand: each point is the lifetime share, at most the
    /// side's fixed threshold and at least the floor.
    pub fn by_hand_schedule(&self, side: Side, lifetime_days: Option<f64>) -> Schedule {
        let (medium_cap, high_cap) = match side {
            Side::Viewer => (self.viewer_medium_days, self.viewer_high_days),
            Side::Origin => (self.origin_medium_days, self.origin_high_days),
        };
        // An unknown lifetime is judged as a long one: today's fixed thresholds.
        let share = |percent: i64| {
            lifetime_days.map_or(f64::INFINITY, |days| days * percent as f64 / 100.0)
        };
        let point =
            |percent: i64, floor: i64, cap: i64| share(percent).max(floor as f64).min(cap as f64);
        Schedule::ordered(
            point(self.medium_percent, self.medium_floor_days, medium_cap),
            point(self.high_percent, self.high_floor_days, high_cap),
            self.critical_days as f64,
        )
    }

    /// ACM's renewal window for a lifetime: both points scale with the lifetime up to 395 days.
    pub fn managed_window(&self, lifetime_days: Option<f64>) -> ManagedWindow {
        let scale = lifetime_days.map_or(1.0, |days| (days / ACM_REFERENCE_LIFETIME_DAYS).min(1.0));
        ManagedWindow {
            renewal_starts: ACM_RENEWAL_START_DAYS * scale,
            overdue: self.managed_renewal_days as f64 * scale,
        }
    }

    /// The schedule of a certificate ACM renews: medium once renewal is overdue (or, when ACM says
    /// it is stuck, once its window has started), high at half that or the viewer's high threshold
    /// if sooner, critical in the last `critical_days`.
    pub fn managed_schedule(&self, lifetime_days: Option<f64>, status: &RenewalStatus) -> Schedule {
        let window = self.managed_window(lifetime_days);
        let medium = if status.is_stuck() {
            window.renewal_starts
        } else {
            window.overdue
        };
        Schedule::ordered(
            medium,
            (window.overdue / 2.0).min(self.viewer_high_days as f64),
            self.critical_days as f64,
        )
    }

    /// The verdict on a certificate renewed by hand, as of `now` (expired ones are not judged here).
    pub fn by_hand(&self, side: Side, validity: Validity, now: OffsetDateTime) -> Verdict {
        Verdict::on(validity, now, |lifetime| {
            self.by_hand_schedule(side, lifetime)
        })
    }

    /// The verdict on a certificate ACM renews, as of `now`.
    pub fn managed(
        &self,
        validity: Validity,
        status: &RenewalStatus,
        now: OffsetDateTime,
    ) -> Verdict {
        Verdict::on(validity, now, |lifetime| {
            self.managed_schedule(lifetime, status)
        })
    }
}

impl Verdict {
    fn on(
        validity: Validity,
        now: OffsetDateTime,
        schedule: impl FnOnce(Option<f64>) -> Schedule,
    ) -> Verdict {
        let lifetime_days = validity.lifetime_days();
        let schedule = schedule(lifetime_days);
        Verdict {
            schedule,
            severity: schedule.severity(validity.not_after - now),
            lifetime_days,
        }
    }

    /// The evidence every expiry finding carries: the lifetime and the points of its schedule.
    pub fn evidence(&self, builder: FindingBuilder) -> FindingBuilder {
        builder
            .evidence("lifetime", lifetime_evidence(self.lifetime_days))
            .evidence("lifetime_days", self.lifetime_days.map(days_evidence))
            .evidence("medium_from_days", days_evidence(self.schedule.medium))
            .evidence("high_from_days", days_evidence(self.schedule.high))
            .evidence("critical_from_days", days_evidence(self.schedule.critical))
    }
}

/// Days for evidence: whole days as integers, others with one decimal.
pub fn days_evidence(days: f64) -> serde_json::Value {
    let tenths = (days * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 && tenths.abs() < 1e15 {
        serde_json::Value::from(tenths as i64)
    } else {
        serde_json::Value::from(tenths)
    }
}

/// The lifetime for messages: `47 days`, or `unknown`.
pub fn lifetime_evidence(lifetime_days: Option<f64>) -> serde_json::Value {
    match lifetime_days {
        Some(days) => serde_json::Value::from(format!("{} days", days_evidence(days))),
        None => serde_json::Value::from("unknown"),
    }
}

/// Specifications, one per lifetime of the SC-081 schedule (47, 100, 200 days) and ACM's 395 (and
/// its 198): every day of a certificate's life is evaluated through the whole rule set, `now` passed
/// in, from plain data.
#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
    use time::Duration;

    use super::*;
    use crate::finding::Finding;
    use crate::model::{Certificate, CertificateRef, CertificateSource, RenewalSummary, Snapshot};
    use crate::rules::evaluate_all;
    use crate::rules::fixtures::*;

    /// The lifetimes every specification runs: SC-081's three steps and ACM's two.
    const LIFETIMES: [i64; 5] = [47, 100, 198, 200, 395];

    /// The first day of every simulated life.
    fn issued() -> OffsetDateTime {
        now() - Duration::days(400)
    }

    fn summary(status: &str) -> Option<RenewalSummary> {
        Some(RenewalSummary {
            status: status.into(),
            reason: (status == "FAILED").then(|| "CAA_ERROR".to_owned()),
        })
    }

    /// An ACM-issued, renewal-eligible certificate valid from `not_before` for `lifetime` days.
    fn acm(not_before: OffsetDateTime, lifetime: i64, status: Option<&str>) -> Certificate {
        Certificate {
            not_before: Some(not_before),
            not_after: Some(not_before + Duration::days(lifetime)),
            renewal: status.and_then(summary),
            ..healthy_certificate()
        }
    }

    fn imported(lifetime: i64) -> Certificate {
        Certificate {
            source: CertificateSource::AcmImported,
            renewal_eligibility: Some("INELIGIBLE".into()),
            ..acm(issued(), lifetime, None)
        }
    }

    fn iam(lifetime: i64) -> Certificate {
        Certificate {
            reference: CertificateRef::Iam("ASCAEXAMPLE".into()),
            source: CertificateSource::Iam,
            status: None,
            renewal_eligibility: None,
            ..acm(issued(), lifetime, None)
        }
    }

    fn snapshot_for(certificate: Certificate) -> Snapshot {
        let mut distribution = healthy_distribution("E1");
        if let CertificateRef::Iam(id) = &certificate.reference {
            distribution.viewer_certificate.acm_certificate_arn = None;
            distribution.viewer_certificate.iam_certificate_id = Some(id.clone());
        }
        snapshot_with_certificate(vec![distribution], certificate)
    }

    /// The expiry findings (`viewer-cert-expiring`, `viewer-cert-expired`) of the whole rule set.
    fn expiry_findings(certificate: Certificate, at: OffsetDateTime) -> Vec<Finding> {
        evaluate_all(
            &snapshot_for(certificate),
            None,
            at,
            &ExpiryThresholds::default(),
        )
        .into_iter()
        .filter(|f| {
            matches!(
                f.code.as_str(),
                "viewer-cert-expiring" | "viewer-cert-expired"
            )
        })
        .collect()
    }

    /// The expiry severity of a certificate at `at` (`None`: not reported).
    fn expiry_severity(certificate: Certificate, at: OffsetDateTime) -> Option<Severity> {
        let findings = expiry_findings(certificate, at);
        assert!(
            findings.len() <= 1,
            "one expiry finding at most: {findings:#?}"
        );
        findings.first().map(|f| f.severity)
    }

    /// ACM's renewal window of a lifetime, as this model reads it (latest plausible start).
    fn window(lifetime: i64) -> ManagedWindow {
        ExpiryThresholds::default().managed_window(Some(lifetime as f64))
    }

    /// What DescribeCertificate says at `at` on a healthy ARN: ACM starts each renewal `starts_days`
    /// before expiry (PENDING_AUTO_RENEWAL) and finishes `done_days` before expiry, when the ARN
    /// describes the renewed certificate (same lifetime, renewal status SUCCESS).
    fn healthy_on(
        lifetime: i64,
        starts_days: f64,
        done_days: f64,
        at: OffsetDateTime,
    ) -> Certificate {
        let period = Duration::seconds_f64((lifetime as f64 - done_days) * 86_400.0);
        let renewals = ((at - issued()).as_seconds_f64() / period.as_seconds_f64()).floor();
        let not_before = issued() + period * renewals;
        let left = lifetime as f64 - (at - not_before).as_seconds_f64() / 86_400.0;
        let status = if left <= starts_days {
            Some("PENDING_AUTO_RENEWAL")
        } else if renewals > 0.0 {
            Some("SUCCESS")
        } else {
            None
        };
        acm(not_before, lifetime, status)
    }

    #[test]
    fn the_model_reads_acms_window_as_a_share_of_the_lifetime() {
        let days = |lifetime: i64| {
            let w = window(lifetime);
            (
                (w.renewal_starts * 10.0).round() / 10.0,
                (w.overdue * 10.0).round() / 10.0,
            )
        };
        // Documented: 60 days of 395. Shorter lifetimes: the same share (the latest plausible start).
        assert_eq!(days(395), (60.0, 30.0));
        assert_eq!(days(198), (30.1, 15.0));
        assert_eq!(days(200), (30.4, 15.2));
        assert_eq!(days(100), (15.2, 7.6));
        assert_eq!(days(47), (7.1, 3.6));
        // Longer lifetimes keep the documented days.
        assert_eq!(days(825), (60.0, 30.0));
    }

    #[test]
    fn a_healthy_acm_certificate_of_each_lifetime_is_never_reported_on_any_day() {
        for lifetime in LIFETIMES {
            let w = window(lifetime);
            // ACM starting at its latest plausible point, or earlier (the 45 and 60 days reported for
            // 198-day certificates), finishing at once or just before renewal is overdue.
            let starts = [w.renewal_starts, 45.0, 60.0];
            for starts_days in starts.into_iter().filter(|d| *d <= lifetime as f64 / 2.0) {
                for done_days in [starts_days, w.overdue + 1.0 / 24.0] {
                    for day in 0..lifetime {
                        let at = issued() + Duration::days(day) + Duration::hours(12);
                        let certificate = healthy_on(lifetime, starts_days, done_days, at);
                        let findings = evaluate_all(
                            &snapshot_for(certificate),
                            None,
                            at,
                            &ExpiryThresholds::default(),
                        );
                        assert!(
                            findings.is_empty(),
                            "{lifetime}-day certificate, day {day} (ACM from {starts_days:.1} to \
                             {done_days:.1} days before expiry): {findings:#?}"
                        );
                    }
                }
            }
        }
    }

    /// Each day of a life that ACM never renews: the severity on that day, with `status` from the
    /// start of ACM's window.
    fn unrenewed_life(lifetime: i64, status: &str) -> Vec<(i64, Option<Severity>)> {
        let starts = window(lifetime).renewal_starts;
        (0..lifetime)
            .map(|day| {
                let at = issued() + Duration::days(day);
                let left = lifetime - day;
                let certificate = if (left as f64) <= starts {
                    acm(issued(), lifetime, Some(status))
                } else {
                    acm(issued(), lifetime, None)
                };
                (left, expiry_severity(certificate, at))
            })
            .collect()
    }

    /// The days left at which each severity first appears.
    fn first_left(life: &[(i64, Option<Severity>)], severity: Severity) -> Option<i64> {
        life.iter()
            .find(|(_, s)| *s == Some(severity))
            .map(|(left, _)| *left)
    }

    fn first_reported(life: &[(i64, Option<Severity>)]) -> Option<i64> {
        life.iter()
            .find(|(_, s)| s.is_some())
            .map(|(left, _)| *left)
    }

    #[test]
    fn an_acm_renewal_that_never_comes_is_reported_once_overdue_for_its_lifetime() {
        // (lifetime, first reported with days left, first high, first critical); evaluated once a day.
        let expected = [
            (395, 30, Some(14), 3),
            (200, 15, Some(7), 3),
            (198, 15, Some(7), 3),
            (100, 7, None, 3),
            (47, 3, None, 3),
        ];
        for (lifetime, reported, high, critical) in expected {
            let life = unrenewed_life(lifetime, "PENDING_AUTO_RENEWAL");
            assert_eq!(first_reported(&life), Some(reported), "{lifetime} days");
            assert_eq!(first_left(&life, Severity::High), high, "{lifetime} days");
            assert_eq!(
                first_left(&life, Severity::Critical),
                Some(critical),
                "{lifetime} days"
            );
        }
    }

    #[test]
    fn the_overdue_finding_says_the_lifetime_the_days_left_and_the_renewal_status() {
        let at = issued() + Duration::days(190);
        let findings = expiry_findings(acm(issued(), 198, Some("PENDING_AUTO_RENEWAL")), at);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let finding = &findings[0];
        assert_eq!(finding.code.as_str(), "viewer-cert-expiring");
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["days_left"], 8);
        assert_eq!(finding.evidence["lifetime"], "198 days");
        assert_eq!(finding.evidence["renewal_status"], "PENDING_AUTO_RENEWAL");
        assert!(
            finding.message.contains("in 8 days")
                && finding.message.contains("(198 days)")
                && finding.message.contains("about 30.1 days before expiry")
                && finding.message.contains("overdue from 15")
                && finding.message.contains("PENDING_AUTO_RENEWAL"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn a_stuck_acm_renewal_is_reported_from_the_start_of_acms_window() {
        // FAILED or PENDING_VALIDATION: ACM will not finish by itself.
        let expected = [(395, 60), (200, 30), (198, 30), (100, 15), (47, 7)];
        for status in ["FAILED", "PENDING_VALIDATION"] {
            for (lifetime, reported) in expected {
                let life = unrenewed_life(lifetime, status);
                assert_eq!(
                    first_reported(&life),
                    Some(reported),
                    "{status}, {lifetime} days"
                );
            }
        }
        let at = issued() + Duration::days(190);
        let findings = expiry_findings(acm(issued(), 198, Some("FAILED")), at);
        assert!(
            findings[0].message.contains("FAILED, CAA_ERROR"),
            "{}",
            findings[0].message
        );
        // A status this tool does not know is no evidence: the time alone decides.
        let life = unrenewed_life(198, "RENEWAL_PAUSED");
        assert_eq!(first_reported(&life), Some(15));
    }

    /// Builds a certificate of a lifetime.
    type Maker = fn(i64) -> Certificate;

    /// (lifetime, first medium, first high, first critical) in days left, evaluated once a day.
    const VIEWER_BY_HAND: [(i64, i64, i64, i64); 5] = [
        // The third of 47 days is 15.5, its tenth 4.7: a 47-day certificate is quiet for 32 days.
        (47, 15, 4, 3),
        (100, 33, 10, 3),
        (198, 45, 14, 3),
        (200, 45, 14, 3),
        // Long-lived certificates keep the fixed thresholds: 45 and 14 days.
        (395, 45, 14, 3),
    ];

    fn by_hand_life(
        certificate: impl Fn(i64) -> Certificate,
        lifetime: i64,
    ) -> Vec<(i64, Option<Severity>)> {
        (0..lifetime)
            .map(|day| {
                let at = issued() + Duration::days(day);
                (lifetime - day, expiry_severity(certificate(lifetime), at))
            })
            .collect()
    }

    #[test]
    fn imported_and_iam_certificates_warn_at_their_lifetime_share_and_never_after_the_floor() {
        let kinds: [(&str, Maker); 2] = [("imported", imported), ("IAM", iam)];
        for (kind, certificate) in kinds {
            for (lifetime, medium, high, critical) in VIEWER_BY_HAND {
                let life = by_hand_life(certificate, lifetime);
                let case = format!("{kind}, {lifetime} days");
                assert_eq!(first_reported(&life), Some(medium), "{case}");
                assert_eq!(first_left(&life, Severity::Medium), Some(medium), "{case}");
                assert_eq!(first_left(&life, Severity::High), Some(high), "{case}");
                assert_eq!(
                    first_left(&life, Severity::Critical),
                    Some(critical),
                    "{case}"
                );
                // The floors: at least 7 days' notice, high at least 3 days out.
                assert!(medium >= 7 && high >= 3, "{case}");
                // Never on the first day of the life.
                assert_eq!(life[0].1, None, "{case}");
            }
        }
    }

    #[test]
    fn the_floor_holds_for_lifetimes_whose_share_is_shorter() {
        // A 15-day certificate: a third is 5 days, below the 7-day floor.
        let life = by_hand_life(imported, 15);
        assert_eq!(first_reported(&life), Some(7));
        assert_eq!(
            first_left(&life, Severity::High),
            None,
            "3 days is already critical"
        );
        assert_eq!(first_left(&life, Severity::Critical), Some(3));
    }

    #[test]
    fn an_ineligible_acm_certificate_is_judged_as_renewed_by_hand() {
        let ineligible = |lifetime| Certificate {
            renewal_eligibility: Some("INELIGIBLE".into()),
            ..acm(issued(), lifetime, None)
        };
        let life = by_hand_life(ineligible, 47);
        assert_eq!(first_reported(&life), Some(15));
    }

    #[test]
    fn origin_certificates_warn_at_their_lifetime_share_within_30_and_14_days() {
        let thresholds = ExpiryThresholds::default();
        // (lifetime, medium, high, critical) points in days before expiry.
        let expected = [
            (47.0, 15.5, 4.7, 3.0),
            (100.0, 30.0, 10.0, 3.0),
            (200.0, 30.0, 14.0, 3.0),
            (395.0, 30.0, 14.0, 3.0),
        ];
        for (lifetime, medium, high, critical) in expected {
            let schedule = thresholds.by_hand_schedule(Side::Origin, Some(lifetime));
            let round = |d: f64| (d * 10.0).round() / 10.0;
            assert_eq!(
                (
                    round(schedule.medium),
                    round(schedule.high),
                    schedule.critical
                ),
                (medium, high, critical),
                "{lifetime} days"
            );
        }
        // An unknown lifetime gets the fixed thresholds.
        let unknown = thresholds.by_hand_schedule(Side::Origin, None);
        assert_eq!((unknown.medium, unknown.high), (30.0, 14.0));
    }

    #[test]
    fn the_fixed_thresholds_still_mean_what_they_meant_for_long_lived_certificates() {
        let wider = ExpiryThresholds {
            viewer_medium_days: 60,
            origin_high_days: 7,
            ..ExpiryThresholds::default()
        };
        let viewer = wider.by_hand_schedule(Side::Viewer, Some(395.0));
        assert_eq!(viewer.medium, 60.0);
        let origin = wider.by_hand_schedule(Side::Origin, Some(395.0));
        assert_eq!(origin.high, 7.0);
        // MANAGED_RENEWAL_OVERDUE_DAYS is the overdue point of a 395-day certificate.
        let later = ExpiryThresholds {
            managed_renewal_days: 20,
            ..ExpiryThresholds::default()
        };
        assert_eq!(later.managed_window(Some(395.0)).overdue, 20.0);
        assert!((later.managed_window(Some(197.5)).overdue - 10.0).abs() < 1e-9);
    }

    #[test]
    fn renewal_statuses_are_matched_as_strings_with_an_unknown_arm() {
        assert_eq!(RenewalStatus::from_acm(None), RenewalStatus::NotStarted);
        assert!(RenewalStatus::from_acm(Some("FAILED")).is_stuck());
        assert!(RenewalStatus::from_acm(Some("PENDING_VALIDATION")).is_stuck());
        assert!(!RenewalStatus::from_acm(Some("PENDING_AUTO_RENEWAL")).is_stuck());
        assert!(!RenewalStatus::from_acm(Some("SUCCESS")).is_stuck());
        assert_eq!(
            RenewalStatus::from_acm(Some("NEW_VALUE")),
            RenewalStatus::Unknown("NEW_VALUE".into())
        );
    }

    #[test]
    fn days_are_shown_whole_or_with_one_decimal() {
        assert_eq!(days_evidence(30.0), serde_json::json!(30));
        assert_eq!(days_evidence(15.04), serde_json::json!(15));
        assert_eq!(days_evidence(7.14), serde_json::json!(7.1));
        assert_eq!(lifetime_evidence(None), serde_json::json!("unknown"));
    }

    /// The one seed of the property below (ChaCha, 32 bytes).
    const SEED: &[u8; 32] = b"cloudfront-tls-audit/lifetimes/1";

    /// Cases of the property: lifetimes 1..=825 days, every kind and renewal status.
    const CASES: u32 = 2_000;

    fn rank(severity: Option<Severity>) -> u8 {
        match severity {
            None => 0,
            Some(Severity::Info | Severity::Low) => 1,
            Some(Severity::Medium) => 2,
            Some(Severity::High) => 3,
            Some(Severity::Critical) => 4,
        }
    }

    #[test]
    fn severity_never_falls_as_expiry_approaches() {
        let config = Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, SEED));
        let statuses = prop_oneof![
            Just(None),
            Just(Some("PENDING_AUTO_RENEWAL")),
            Just(Some("PENDING_VALIDATION")),
            Just(Some("SUCCESS")),
            Just(Some("FAILED")),
            Just(Some("SOMETHING_NEW")),
        ];
        // (lifetime, kind: 0 ACM-renewed / 1 imported / 2 IAM, status, two instants in hours).
        let strategy = (1_i64..=825, 0_u8..3, statuses, 0_i64..20_000, 0_i64..20_000);
        let result = runner.run(&strategy, |(lifetime, kind, status, a, b)| {
            let certificate = match kind {
                0 => acm(issued(), lifetime, status),
                1 => imported(lifetime),
                _ => iam(lifetime),
            };
            let hours = lifetime * 24 + 48;
            let (earlier, later) = (a.min(b) % hours, a.max(b) % hours);
            let (earlier, later) = (earlier.min(later), earlier.max(later));
            let at = |h: i64| issued() + Duration::hours(h);
            let before = rank(expiry_severity(certificate.clone(), at(earlier)));
            let after = rank(expiry_severity(certificate, at(later)));
            if before > after {
                return Err(TestCaseError::fail(format!(
                    "{lifetime}-day kind {kind} {status:?}: severity fell from {before} at hour \
                     {earlier} to {after} at hour {later}"
                )));
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
    }
}
