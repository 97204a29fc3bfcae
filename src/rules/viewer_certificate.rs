//! Codes: `viewer-default-cert-with-aliases`, `viewer-cert-wrong-region`, `viewer-cert-not-found`,
//! `viewer-cert-not-issued`, `viewer-cert-expired`, `viewer-cert-not-yet-valid`, `viewer-cert-expiring`,
//! `viewer-cert-renewal-at-risk`, `viewer-cert-key-unsupported`, `viewer-cert-chain-invalid`.
//!
//! Where the viewer certificate lives, whether it can be served, for how long, and whether CloudFront
//! accepts its key and chain. Sources: cloudfront-tls-rules.md §1.2, §2.1, §2.2, §2.4; the expiry
//! thresholds, relative to the lifetime, are rules/expiry.rs.

use serde_json::Value;
use time::OffsetDateTime;

use super::expiry::{days_evidence, RenewalStatus, Side, Validity};
use super::{certificate_label, certificate_names, timestamp, ExpiryThresholds};
use crate::catalogue::*;
use crate::finding::Finding;
use crate::model::{
    acm_arn_region, Certificate, CertificateLookup, CertificateRef, CertificateSource,
    Distribution, KeyKind, Snapshot,
};

/// ACM statuses that can never be served (EXPIRED is reported by the validity rules).
const PENDING_STATUSES: [&str; 1] = ["PENDING_VALIDATION"];
const DEAD_STATUSES: [&str; 4] = ["VALIDATION_TIMED_OUT", "FAILED", "INACTIVE", "REVOKED"];

/// CloudFront accepts at most five certificates in an uploaded chain.
const MAX_CHAIN_LENGTH: usize = 5;
const MAX_RSA_BITS: u32 = 4096;

pub(super) fn check(
    snapshot: &Snapshot,
    distribution: &Distribution,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    findings: &mut Vec<Finding>,
) {
    let Some(reference) = distribution.viewer_certificate.certificate_ref() else {
        if !distribution.aliases.is_empty() {
            findings.push(
                Finding::builder(&DEFAULT_CERT_WITH_ALIASES)
                    .for_distribution(distribution)
                    .subject("ViewerCertificate")
                    .evidence("aliases", distribution.aliases.clone())
                    .build(),
            );
        }
        return;
    };
    if let CertificateRef::Acm(arn) = &reference {
        match acm_arn_region(arn) {
            None => {
                findings.push(
                    Finding::builder(&CERT_ARN_MALFORMED)
                        .for_distribution(distribution)
                        .subject(arn.clone())
                        .evidence("certificate_arn", arn.clone())
                        .build(),
                );
                return;
            }
            Some(region) if region != "us-east-1" => {
                findings.push(
                    Finding::builder(&WRONG_REGION)
                        .for_distribution(distribution)
                        .subject(arn.clone())
                        .evidence("certificate_arn", arn.clone())
                        .evidence("region", region)
                        .evidence("certificate_names", distribution.aliases.clone())
                        .build(),
                );
                return;
            }
            Some(_) => {}
        }
    }
    match snapshot.certificates.get(&reference) {
        Some(CertificateLookup::Found(certificate)) => {
            check_certificate(distribution, certificate, now, thresholds, findings);
        }
        Some(CertificateLookup::NotFound { reason }) => {
            let (cause, field) = match &reference {
                CertificateRef::Acm(_) => (&CERT_NOT_FOUND_ACM, "certificate_arn"),
                CertificateRef::Iam(_) => (&CERT_NOT_FOUND_IAM, "certificate_id"),
            };
            findings.push(
                Finding::builder(cause)
                    .for_distribution(distribution)
                    .subject(reference.id().to_owned())
                    .evidence(field, reference.id().to_owned())
                    .evidence("reason", reason.clone())
                    .build(),
            );
        }
        // Failed or missing lookups are `audit-incomplete` (rules/audit.rs).
        Some(CertificateLookup::Failed(_)) | None => {}
    }
}

fn check_certificate(
    distribution: &Distribution,
    certificate: &Certificate,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    findings: &mut Vec<Finding>,
) {
    let label = certificate_label(&certificate.reference);
    let start = |cause: &'static Cause| {
        Finding::builder(cause)
            .for_distribution(distribution)
            .subject(certificate.reference.id().to_owned())
            .evidence("certificate", label.clone())
            .evidence("source", certificate.source.label().to_owned())
            .evidence("certificate_names", certificate_names(certificate))
    };
    let status = certificate.status.as_deref().unwrap_or("");
    if PENDING_STATUSES.contains(&status) {
        findings.push(
            start(&NOT_ISSUED_PENDING)
                .evidence("certificate_arn", certificate.reference.id().to_owned())
                .evidence("status", status)
                .evidence("pending_domains", pending_domains(certificate))
                .build(),
        );
    } else if DEAD_STATUSES.contains(&status) {
        findings.push(
            start(&NOT_ISSUED_DEAD)
                .evidence("certificate_arn", certificate.reference.id().to_owned())
                .evidence("status", status)
                .build(),
        );
    }

    let expired = match certificate.not_after {
        Some(not_after) if not_after <= now => {
            findings.push(
                start(&EXPIRED)
                    .evidence("not_after", timestamp(not_after))
                    .evidence("days_ago", (now - not_after).whole_days())
                    .build(),
            );
            true
        }
        // ACM may say EXPIRED before we know the date (or with a skewed one): trust the status.
        _ if status == "EXPIRED" => {
            findings.push(
                start(&EXPIRED)
                    .evidence("not_after", certificate.not_after.map(timestamp))
                    .evidence("days_ago", Value::from("an unknown number of"))
                    .evidence("status", status)
                    .build(),
            );
            true
        }
        _ => false,
    };
    if let Some(not_before) = certificate.not_before.filter(|nb| *nb > now) {
        findings.push(
            start(&NOT_YET_VALID)
                .evidence("not_before", timestamp(not_before))
                .build(),
        );
    }
    if !expired {
        if let Some(not_after) = certificate.not_after {
            expiry(certificate, not_after, now, thresholds, &start, findings);
        }
    }
    renewal(certificate, status, &start, findings);
    key(certificate, &start, findings);
    chain(certificate, now, &start, findings);
}

/// `viewer-cert-expiring` and the "renewed by hand" cause of `viewer-cert-renewal-at-risk`, on
/// thresholds relative to the certificate's lifetime (rules/expiry.rs says why and how).
fn expiry(
    certificate: &Certificate,
    not_after: OffsetDateTime,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    start: &impl Fn(&'static Cause) -> crate::finding::FindingBuilder,
    findings: &mut Vec<Finding>,
) {
    let days_left = (not_after - now).whole_days();
    let validity = Validity {
        not_before: certificate.not_before,
        not_after,
    };
    let status = RenewalStatus::from_acm(certificate.renewal.as_ref().map(|r| r.status.as_str()));
    let renewal_status = certificate
        .renewal
        .as_ref()
        .map(|r| r.status.clone())
        .unwrap_or_else(|| "none reported".to_owned());
    let managed = certificate.source == CertificateSource::AcmAmazonIssued
        && certificate.renewal_eligibility.as_deref() == Some("ELIGIBLE");
    let verdict = if managed {
        thresholds.managed(validity, &status, now)
    } else {
        thresholds.by_hand(Side::Viewer, validity, now)
    };
    let with_dates = |builder: crate::finding::FindingBuilder| {
        verdict
            .evidence(builder)
            .evidence("certificate_arn", certificate.reference.id().to_owned())
            .evidence("not_after", timestamp(not_after))
            .evidence("days_left", days_left)
            .evidence("renewal_status", renewal_status.clone())
    };
    if let Some(severity) = verdict.severity {
        let builder = if managed {
            let window = thresholds.managed_window(verdict.lifetime_days);
            let cause = if status.is_stuck() {
                &EXPIRING_RENEWAL_STALLED
            } else {
                &EXPIRING_RENEWAL_OVERDUE
            };
            start(cause)
                .evidence("renewal_starts_days", days_evidence(window.renewal_starts))
                .evidence("overdue_days", days_evidence(window.overdue))
                .evidence(
                    "renewal_reason",
                    certificate
                        .renewal
                        .as_ref()
                        .and_then(|r| r.reason.clone())
                        .unwrap_or_else(|| "no reason given".to_owned()),
                )
        } else {
            start(&EXPIRING_BY_HAND)
        };
        findings.push(with_dates(builder).severity(severity).build());
    }
    // The same window as the expiry finding: one lifetime-relative schedule per certificate.
    if certificate.source.is_renewed_by_hand() && verdict.severity.is_some() {
        findings.push(with_dates(start(&RENEWAL_BY_HAND)).build());
    }
}

/// The ACM-side causes of `viewer-cert-renewal-at-risk`.
fn renewal(
    certificate: &Certificate,
    status: &str,
    start: &impl Fn(&'static Cause) -> crate::finding::FindingBuilder,
    findings: &mut Vec<Finding>,
) {
    let with_dates = |builder: crate::finding::FindingBuilder| {
        builder
            .evidence("certificate_arn", certificate.reference.id().to_owned())
            .evidence(
                "not_after",
                certificate
                    .not_after
                    .map(timestamp)
                    .unwrap_or(Value::from("its expiry")),
            )
    };
    if let Some(renewal) = &certificate.renewal {
        let cause = match renewal.status.as_str() {
            "FAILED" => Some(&RENEWAL_FAILED),
            "PENDING_VALIDATION" => Some(&RENEWAL_PENDING_VALIDATION),
            _ => None,
        };
        if let Some(cause) = cause {
            let reason = renewal
                .reason
                .clone()
                .unwrap_or_else(|| "no reason given".to_owned());
            findings.push(
                with_dates(start(cause))
                    .evidence("renewal_status", renewal.status.clone())
                    .evidence("renewal_reason", reason)
                    .build(),
            );
        }
    }
    // Only an issued Amazon-issued certificate can be renewed by ACM; other states are reported above.
    if certificate.source != CertificateSource::AcmAmazonIssued || status != "ISSUED" {
        return;
    }
    if certificate.renewal_eligibility.as_deref() == Some("INELIGIBLE") {
        findings.push(
            with_dates(start(&RENEWAL_INELIGIBLE))
                .evidence("renewal_eligibility", "INELIGIBLE")
                .build(),
        );
    }
    let email_domains: Vec<String> = certificate
        .domain_validation
        .iter()
        .filter(|v| v.validation_method.as_deref() == Some("EMAIL"))
        .map(|v| v.domain_name.clone())
        .collect();
    if !email_domains.is_empty() {
        findings.push(
            with_dates(start(&RENEWAL_EMAIL_VALIDATED))
                .evidence("email_domains", email_domains)
                .build(),
        );
    }
}

/// `viewer-cert-key-unsupported`: RSA up to 4096 bits or EC P-256 (the PEM's key wins over ACM's label).
fn key(
    certificate: &Certificate,
    start: &impl Fn(&'static Cause) -> crate::finding::FindingBuilder,
    findings: &mut Vec<Finding>,
) {
    let key = certificate
        .leaf
        .as_ref()
        .map(|leaf| &leaf.key)
        .or(certificate.key.as_ref());
    let supported = match key {
        None => true,
        Some(KeyKind::Rsa { bits }) => *bits <= MAX_RSA_BITS,
        Some(KeyKind::Ec { curve }) => curve == "P-256",
        Some(KeyKind::Other { .. }) => false,
    };
    if let (false, Some(key)) = (supported, key) {
        findings.push(
            start(&KEY_UNSUPPORTED)
                .evidence("key", key.describe())
                .build(),
        );
    }
}

/// `viewer-cert-chain-invalid`, for the chains people upload (imported ACM, IAM).
fn chain(
    certificate: &Certificate,
    now: OffsetDateTime,
    start: &impl Fn(&'static Cause) -> crate::finding::FindingBuilder,
    findings: &mut Vec<Finding>,
) {
    if !certificate.source.is_renewed_by_hand() {
        return;
    }
    // Conservative reading of "at most 5": the uploaded chain, leaf not counted.
    if certificate.chain.len() > MAX_CHAIN_LENGTH {
        findings.push(
            start(&CHAIN_TOO_LONG)
                .evidence("chain_length", certificate.chain.len())
                .evidence(
                    "chain_subjects",
                    certificate
                        .chain
                        .iter()
                        .map(|c| c.subject.clone())
                        .collect::<Vec<_>>(),
                )
                .build(),
        );
    }
    if let Some(expired) = certificate.chain.iter().find(|c| c.not_after <= now) {
        findings.push(
            start(&CHAIN_EXPIRED_MEMBER)
                .evidence("expired_subject", expired.subject.clone())
                .evidence("expired_not_after", timestamp(expired.not_after))
                .build(),
        );
    }
    if !certificate.chain_parse_errors.is_empty() {
        findings.push(
            start(&CHAIN_UNREADABLE)
                .evidence("parse_errors", certificate.chain_parse_errors.clone())
                .build(),
        );
    }
}

fn pending_domains(certificate: &Certificate) -> Vec<String> {
    let pending: Vec<String> = certificate
        .domain_validation
        .iter()
        .filter(|v| v.validation_status.as_deref() != Some("SUCCESS"))
        .map(|v| v.domain_name.clone())
        .collect();
    if pending.is_empty() {
        certificate
            .names_covering_aliases()
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        pending
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::super::fixtures::*;
    use crate::model::{
        CertificateDetails, CertificateLookup, CertificateRef, CertificateSource,
        DistributionOrigin, DomainValidation, KeyKind, RenewalSummary,
    };
    use crate::rules::evaluate;

    fn findings_for(certificate: crate::model::Certificate) -> Vec<crate::finding::Finding> {
        evaluate(
            &snapshot_with_certificate(vec![healthy_distribution("E1")], certificate),
            now(),
        )
    }

    fn intermediate(not_after_days: i64) -> CertificateDetails {
        CertificateDetails {
            subject: "CN=Intermediate".into(),
            issuer: "CN=Root".into(),
            serial: "01".into(),
            common_name: Some("Intermediate".into()),
            dns_names: vec![],
            not_before: now() - Duration::days(400),
            not_after: now() + Duration::days(not_after_days),
            key: KeyKind::Rsa { bits: 2048 },
            sha256_fingerprint: "00".into(),
        }
    }

    fn imported(days_left: i64) -> crate::model::Certificate {
        crate::model::Certificate {
            source: CertificateSource::AcmImported,
            renewal_eligibility: Some("INELIGIBLE".into()),
            not_after: Some(now() + Duration::days(days_left)),
            ..healthy_certificate()
        }
    }

    #[test]
    fn aliases_on_the_default_certificate_are_critical() {
        let mut dist = healthy_distribution("E1");
        dist.viewer_certificate = crate::model::ViewerCertificate {
            cloudfront_default_certificate: Some(true),
            minimum_protocol_version: Some("TLSv1".into()),
            ..Default::default()
        };
        let findings = evaluate(&snapshot_of(vec![dist.clone()]), now());
        assert_codes(&findings, &["viewer-default-cert-with-aliases"]);
        assert_eq!(findings[0].viewer_impact.as_str(), "cert-warning");

        dist.origin = DistributionOrigin::Proposed;
        let findings = evaluate(&snapshot_of(vec![dist.clone()]), now());
        assert_eq!(findings[0].viewer_impact.as_str(), "update-rejected");

        dist.aliases.clear();
        assert_codes(&evaluate(&snapshot_of(vec![dist]), now()), &[]);
    }

    #[test]
    fn a_certificate_outside_us_east_1_is_a_finding_not_a_lookup() {
        let arn = "arn:aws:acm:eu-west-1:111122223333:certificate/abc";
        let dist = distribution_with_acm("E1", &["www.example.com"], arn);
        let findings = evaluate(&snapshot_of(vec![dist]), now());
        assert_codes(&findings, &["viewer-cert-wrong-region"]);
        assert_eq!(findings[0].evidence["region"], "eu-west-1");
        assert!(findings[0].remediation[0].contains("us-east-1"));
    }

    #[test]
    fn a_missing_or_malformed_certificate_is_not_found() {
        let mut snapshot = snapshot_of(vec![healthy_distribution("E1")]);
        snapshot.certificates.insert(
            CertificateRef::Acm(ACM_ARN.into()),
            CertificateLookup::NotFound {
                reason: "ResourceNotFoundException".into(),
            },
        );
        assert_codes(&evaluate(&snapshot, now()), &["viewer-cert-not-found"]);

        let dist = distribution_with_acm("E2", &["www.example.com"], "not-an-arn");
        assert_codes(
            &evaluate(&snapshot_of(vec![dist]), now()),
            &["viewer-cert-not-found"],
        );
    }

    #[test]
    fn an_iam_certificate_that_does_not_exist_is_not_found() {
        let mut dist = healthy_distribution("E1");
        dist.viewer_certificate.acm_certificate_arn = None;
        dist.viewer_certificate.iam_certificate_id = Some("ASCAEXAMPLE".into());
        let mut snapshot = snapshot_of(vec![dist]);
        snapshot.certificates.insert(
            CertificateRef::Iam("ASCAEXAMPLE".into()),
            CertificateLookup::NotFound {
                reason: "no server certificate has this id".into(),
            },
        );
        let findings = evaluate(&snapshot, now());
        assert_codes(&findings, &["viewer-cert-not-found"]);
        assert!(findings[0].message.contains("ASCAEXAMPLE"));
    }

    #[test]
    fn every_status_that_cannot_be_served_is_not_issued() {
        for status in [
            "PENDING_VALIDATION",
            "VALIDATION_TIMED_OUT",
            "FAILED",
            "INACTIVE",
            "REVOKED",
        ] {
            let findings = findings_for(crate::model::Certificate {
                status: Some(status.into()),
                ..healthy_certificate()
            });
            assert_codes(&findings, &["viewer-cert-not-issued"]);
            assert_eq!(findings[0].evidence["status"], status);
        }
        assert_codes(&findings_for(healthy_certificate()), &[]);
    }

    #[test]
    fn pending_validation_names_the_domains_still_pending() {
        let findings = findings_for(crate::model::Certificate {
            status: Some("PENDING_VALIDATION".into()),
            domain_validation: vec![
                DomainValidation {
                    domain_name: "example.com".into(),
                    validation_method: Some("DNS".into()),
                    validation_status: Some("SUCCESS".into()),
                },
                DomainValidation {
                    domain_name: "*.example.com".into(),
                    validation_method: Some("DNS".into()),
                    validation_status: Some("PENDING_VALIDATION".into()),
                },
            ],
            ..healthy_certificate()
        });
        assert_eq!(
            findings[0].evidence["pending_domains"],
            serde_json::json!(["*.example.com"])
        );
    }

    #[test]
    fn validity_is_judged_against_the_given_now() {
        let expired = findings_for(crate::model::Certificate {
            not_after: Some(now() - Duration::days(3)),
            status: Some("EXPIRED".into()),
            renewal_eligibility: Some("INELIGIBLE".into()),
            ..healthy_certificate()
        });
        assert_codes(&expired, &["viewer-cert-expired"]);
        assert_eq!(expired[0].evidence["days_ago"], 3);

        let future = findings_for(crate::model::Certificate {
            not_before: Some(now() + Duration::days(2)),
            ..healthy_certificate()
        });
        assert_codes(&future, &["viewer-cert-not-yet-valid"]);

        let expired_by_status_only = findings_for(crate::model::Certificate {
            not_after: None,
            status: Some("EXPIRED".into()),
            ..healthy_certificate()
        });
        assert_codes(&expired_by_status_only, &["viewer-cert-expired"]);
    }

    #[test]
    fn expiry_is_high_within_14_days_and_medium_within_45_for_certificates_renewed_by_hand() {
        let high = findings_for(imported(10));
        assert_codes(
            &high,
            &["viewer-cert-expiring", "viewer-cert-renewal-at-risk"],
        );
        assert!(high
            .iter()
            .all(|f| f.severity == crate::finding::Severity::High));

        let medium = findings_for(imported(40));
        let expiring = medium
            .iter()
            .find(|f| f.code.as_str() == "viewer-cert-expiring");
        assert_eq!(
            expiring.map(|f| f.severity),
            Some(crate::finding::Severity::Medium)
        );
        assert_codes(&findings_for(imported(46)), &[]);
    }

    #[test]
    fn the_expiry_windows_follow_the_configured_thresholds() {
        let snapshot = snapshot_with_certificate(vec![healthy_distribution("E1")], imported(50));
        assert_codes(&evaluate(&snapshot, now()), &[]);
        let wider = crate::rules::ExpiryThresholds {
            viewer_medium_days: 60,
            ..Default::default()
        };
        let findings = crate::rules::evaluate_all(&snapshot, None, now(), &wider);
        assert_codes(
            &findings,
            &["viewer-cert-expiring", "viewer-cert-renewal-at-risk"],
        );
    }

    #[test]
    fn managed_renewal_of_a_395_day_certificate_is_only_overdue_within_30_days() {
        let eligible = |days| crate::model::Certificate {
            not_before: Some(now() + Duration::days(days - 395)),
            not_after: Some(now() + Duration::days(days)),
            ..healthy_certificate()
        };
        assert_codes(&findings_for(eligible(40)), &[]);
        let overdue = findings_for(eligible(30));
        assert_codes(&overdue, &["viewer-cert-expiring"]);
        assert!(overdue[0].message.contains("ACM has not renewed it"));
        assert_eq!(overdue[0].severity, crate::finding::Severity::Medium);
        assert_eq!(
            findings_for(eligible(7))[0].severity,
            crate::finding::Severity::High
        );
    }

    #[test]
    fn renewal_is_at_risk_when_acm_cannot_or_will_not_renew() {
        let failed = findings_for(crate::model::Certificate {
            renewal: Some(RenewalSummary {
                status: "FAILED".into(),
                reason: Some("CAA_ERROR".into()),
            }),
            ..healthy_certificate()
        });
        assert_codes(&failed, &["viewer-cert-renewal-at-risk"]);
        assert!(failed[0].message.contains("CAA_ERROR"));

        let pending = findings_for(crate::model::Certificate {
            renewal: Some(RenewalSummary {
                status: "PENDING_VALIDATION".into(),
                reason: None,
            }),
            ..healthy_certificate()
        });
        assert_codes(&pending, &["viewer-cert-renewal-at-risk"]);

        let ineligible = findings_for(crate::model::Certificate {
            renewal_eligibility: Some("INELIGIBLE".into()),
            ..healthy_certificate()
        });
        assert_codes(&ineligible, &["viewer-cert-renewal-at-risk"]);

        let email = findings_for(crate::model::Certificate {
            domain_validation: vec![DomainValidation {
                domain_name: "example.com".into(),
                validation_method: Some("EMAIL".into()),
                validation_status: Some("SUCCESS".into()),
            }],
            ..healthy_certificate()
        });
        assert_codes(&email, &["viewer-cert-renewal-at-risk"]);
        assert_eq!(
            email[0].evidence["email_domains"],
            serde_json::json!(["example.com"])
        );

        let succeeded = findings_for(crate::model::Certificate {
            renewal: Some(RenewalSummary {
                status: "SUCCESS".into(),
                reason: None,
            }),
            ..healthy_certificate()
        });
        assert_codes(&succeeded, &[]);
    }

    #[test]
    fn cloudfront_accepts_rsa_up_to_4096_and_ec_p256_only() {
        let with_key = |key| crate::model::Certificate {
            key: Some(key),
            ..healthy_certificate()
        };
        for ok in [
            KeyKind::Rsa { bits: 1024 },
            KeyKind::Rsa { bits: 4096 },
            KeyKind::from_acm_key_algorithm("EC-prime256v1"),
        ] {
            assert_codes(&findings_for(with_key(ok)), &[]);
        }
        for bad in [
            KeyKind::Rsa { bits: 8192 },
            KeyKind::from_acm_key_algorithm("EC_secp384r1"),
            KeyKind::from_acm_key_algorithm("EC-secp521r1"),
            KeyKind::Other {
                algorithm: "ED25519".into(),
            },
        ] {
            assert_codes(
                &findings_for(with_key(bad)),
                &["viewer-cert-key-unsupported"],
            );
        }
    }

    #[test]
    fn the_key_parsed_from_the_pem_wins_over_acms_label() {
        let mut leaf = intermediate(100);
        leaf.key = KeyKind::Ec {
            curve: "P-384".into(),
        };
        let findings = findings_for(crate::model::Certificate {
            key: Some(KeyKind::Rsa { bits: 2048 }),
            leaf: Some(leaf),
            ..healthy_certificate()
        });
        assert_codes(&findings, &["viewer-cert-key-unsupported"]);
        assert_eq!(findings[0].evidence["key"], "EC P-384");
    }

    #[test]
    fn uploaded_chains_hold_at_most_five_unexpired_certificates() {
        let chain_of = |chain| crate::model::Certificate {
            chain,
            ..imported(300)
        };
        assert_codes(&findings_for(chain_of(vec![intermediate(100); 5])), &[]);
        assert_codes(
            &findings_for(chain_of(vec![intermediate(100); 6])),
            &["viewer-cert-chain-invalid"],
        );
        assert_codes(
            &findings_for(chain_of(vec![intermediate(100), intermediate(-1)])),
            &["viewer-cert-chain-invalid"],
        );
        let unreadable = findings_for(crate::model::Certificate {
            chain_parse_errors: vec!["PEM block 1 is malformed".into()],
            ..imported(300)
        });
        assert_codes(&unreadable, &["viewer-cert-chain-invalid"]);
    }
}
