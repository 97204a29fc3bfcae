//! Codes: `audit-incomplete`, `audit-certificate-unused`, `config-value-unresolved`.
//!
//! A read that failed is never a silent pass: each one becomes a finding that names what could not be
//! read and why, on the distribution it blinds.

use std::collections::BTreeSet;

use crate::catalogue::{
    Cause, CERTIFICATE_UNUSED, INCOMPLETE_ACCESS_DENIED, INCOMPLETE_NOT_FOUND, INCOMPLETE_OTHER,
    INCOMPLETE_THROTTLED,
};
use crate::catalogue::{
    INCOMPLETE_MALFORMED_RESPONSE, INCOMPLETE_SERVER_ERROR, INCOMPLETE_TIMEOUT,
    INCOMPLETE_UNREACHABLE, UNRESOLVED_NOT_READ, UNRESOLVED_VALUE,
};
use crate::finding::Finding;
use crate::model::{
    acm_arn_region, CertificateLookup, CertificateRef, Distribution, FailureKind, PolicyLookup,
    ReadFailure, Snapshot,
};

pub(super) fn check(snapshot: &Snapshot, findings: &mut Vec<Finding>) {
    for gap in &snapshot.gaps {
        findings.push(incomplete(gap, gap.distribution_id.as_deref()));
    }
    for distribution in &snapshot.distributions {
        certificate_gaps(snapshot, distribution, findings);
        policy_gaps(snapshot, distribution, findings);
    }
}

fn certificate_gaps(snapshot: &Snapshot, distribution: &Distribution, findings: &mut Vec<Finding>) {
    let Some(reference) = distribution.viewer_certificate.certificate_ref() else {
        return;
    };
    match snapshot.certificates.get(&reference) {
        Some(CertificateLookup::Failed(failure)) => {
            findings.push(incomplete(failure, Some(&distribution.id)));
        }
        Some(CertificateLookup::Found(certificate)) => {
            if let Some(failure) = &certificate.body_read_failure {
                findings.push(incomplete(failure, Some(&distribution.id)));
            }
        }
        Some(CertificateLookup::NotFound { .. }) => {}
        // Not read although it should have been (a well-formed ARN in us-east-1, or an IAM id).
        None if needs_lookup(&reference) => findings.push(incomplete(
            &ReadFailure {
                operation: lookup_operation(&reference).to_owned(),
                resource: reference.id().to_owned(),
                distribution_id: Some(distribution.id.clone()),
                kind: FailureKind::Other,
                message: "the certificate was not read in this run".to_owned(),
            },
            Some(&distribution.id),
        )),
        None => {}
    }
}

/// Whether the certificate must be read from ACM or IAM (an ACM ARN outside us-east-1 is judged
/// from the ARN alone).
pub(crate) fn needs_lookup(reference: &CertificateRef) -> bool {
    match reference {
        CertificateRef::Acm(arn) => acm_arn_region(arn) == Some("us-east-1"),
        CertificateRef::Iam(_) => true,
    }
}

fn lookup_operation(reference: &CertificateRef) -> &'static str {
    match reference {
        CertificateRef::Acm(_) => "acm:DescribeCertificate",
        CertificateRef::Iam(_) => "iam:GetServerCertificate",
    }
}

fn policy_gaps(snapshot: &Snapshot, distribution: &Distribution, findings: &mut Vec<Finding>) {
    let mut reported = BTreeSet::new();
    for behavior in distribution.all_cache_behaviors() {
        let lookups = [
            (&behavior.cache_policy_id, &snapshot.cache_policies),
            (
                &behavior.origin_request_policy_id,
                &snapshot.origin_request_policies,
            ),
        ];
        for (id, policies) in lookups {
            let Some(id) = crate::model::non_empty(id) else {
                continue;
            };
            if let Some(PolicyLookup::Failed(failure)) = policies.get(id) {
                if reported.insert(id.to_owned()) {
                    findings.push(incomplete(failure, Some(&distribution.id)));
                }
            }
        }
    }
}

/// A value of a proposed configuration that only exists once deployed (the pre-deploy gate): what
/// could not be checked because of it, on the distribution it belongs to when it belongs to one.
pub fn unresolved(value: &crate::gate::Unresolved, distribution_id: Option<&str>) -> Finding {
    let mut builder = Finding::builder(&UNRESOLVED_VALUE)
        .subject(value.property.clone())
        .evidence("property", value.property.clone())
        .evidence("resource", value.resource.clone())
        .evidence("reason", value.reason.clone())
        .evidence("unchecked", value.unchecked.clone());
    if let Some(id) = distribution_id {
        builder = builder.distribution(id);
    }
    builder.build()
}

/// An ACM event about a certificate that no distribution uses: worth saying, nothing to audit.
pub(super) fn certificate_unused(arn: &str) -> Finding {
    Finding::builder(&CERTIFICATE_UNUSED)
        .subject(arn.to_owned())
        .evidence("certificate_arn", arn.to_owned())
        .build()
}

/// A planned handshake that did not run because the invocation deadline came first.
pub(super) fn not_probed(distribution: &Distribution, resource: String) -> Finding {
    Finding::builder(&INCOMPLETE_OTHER)
        .for_distribution(distribution)
        .subject(resource.clone())
        .evidence("operation", "TLS probe")
        .evidence("resource", resource)
        .evidence("failure", "deadline")
        .evidence(
            "error",
            "not probed: the invocation was close to its deadline",
        )
        .build()
}

fn cause_for(kind: FailureKind) -> &'static Cause {
    match kind {
        FailureKind::AccessDenied => &INCOMPLETE_ACCESS_DENIED,
        FailureKind::Throttling => &INCOMPLETE_THROTTLED,
        FailureKind::NotFound => &INCOMPLETE_NOT_FOUND,
        FailureKind::Timeout => &INCOMPLETE_TIMEOUT,
        FailureKind::ServerError => &INCOMPLETE_SERVER_ERROR,
        FailureKind::InvalidResponse => &INCOMPLETE_MALFORMED_RESPONSE,
        FailureKind::Network => &INCOMPLETE_UNREACHABLE,
        FailureKind::Other => &INCOMPLETE_OTHER,
        FailureKind::NotRead => &UNRESOLVED_NOT_READ,
    }
}

pub(super) fn incomplete(failure: &ReadFailure, distribution_id: Option<&str>) -> Finding {
    let mut builder = Finding::builder(cause_for(failure.kind))
        .subject(failure.resource.clone())
        .evidence("operation", failure.operation.clone())
        .evidence("resource", failure.resource.clone())
        .evidence("failure", failure.kind.label())
        .evidence("error", failure.message.clone());
    if let Some(id) = distribution_id {
        builder = builder.distribution(id);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn a_failed_listing_is_reported_without_a_distribution() {
        let mut snapshot = Snapshot::default();
        snapshot.gaps.push(failure(
            "cloudfront:ListDistributions",
            "account",
            FailureKind::AccessDenied,
        ));
        let findings = crate::rules::evaluate(&snapshot, now());
        assert_codes(&findings, &["audit-incomplete"]);
        assert_eq!(findings[0].distribution_id, None);
        assert!(findings[0].message.contains("access denied"));
        assert!(findings[0].remediation[0].contains("cloudfront:ListDistributions"));
    }

    #[test]
    fn a_certificate_that_could_not_be_read_blinds_its_distribution() {
        let dist = distribution_with_acm("E1", &["www.example.com"], ACM_ARN);
        let mut snapshot = snapshot_of(vec![dist]);
        snapshot.certificates.insert(
            CertificateRef::Acm(ACM_ARN.into()),
            CertificateLookup::Failed(failure(
                "acm:DescribeCertificate",
                ACM_ARN,
                FailureKind::Throttling,
            )),
        );
        let findings = crate::rules::evaluate(&snapshot, now());
        assert_codes(&findings, &["audit-incomplete"]);
        assert_eq!(findings[0].distribution_id.as_deref(), Some("E1"));
        assert_eq!(findings[0].evidence["failure"], "throttling");
    }

    #[test]
    fn an_imported_certificate_whose_body_could_not_be_read_is_incomplete_not_broken() {
        let certificate = crate::model::Certificate {
            body_read_failure: Some(failure(
                "acm:GetCertificate",
                ACM_ARN,
                FailureKind::AccessDenied,
            )),
            ..healthy_certificate()
        };
        let findings = crate::rules::evaluate(
            &snapshot_with_certificate(vec![healthy_distribution("E1")], certificate),
            now(),
        );
        assert_codes(&findings, &["audit-incomplete"]);
        assert_eq!(findings[0].evidence["operation"], "acm:GetCertificate");
    }

    #[test]
    fn a_certificate_missing_from_the_snapshot_is_not_a_pass() {
        let dist = distribution_with_acm("E1", &["www.example.com"], ACM_ARN);
        let findings = crate::rules::evaluate(&snapshot_of(vec![dist]), now());
        assert_codes(&findings, &["audit-incomplete"]);
    }

    #[test]
    fn an_unreadable_policy_is_reported_once_per_distribution() {
        let mut dist = healthy_distribution("E1");
        dist.default_cache_behavior.cache_policy_id = Some("custom-policy".into());
        dist.cache_behaviors.push(crate::model::CacheBehavior {
            path_pattern: Some("/api/*".into()),
            cache_policy_id: Some("custom-policy".into()),
            ..dist.default_cache_behavior.clone()
        });
        let mut snapshot = healthy_snapshot(vec![dist]);
        snapshot.cache_policies.insert(
            "custom-policy".into(),
            PolicyLookup::Failed(failure(
                "cloudfront:GetCachePolicy",
                "custom-policy",
                FailureKind::AccessDenied,
            )),
        );
        let findings = crate::rules::evaluate(&snapshot, now());
        assert_codes(&findings, &["audit-incomplete"]);
    }

    #[test]
    fn an_acm_event_for_a_certificate_no_distribution_uses_says_so_on_the_certificate() {
        let finding = certificate_unused(ACM_ARN);
        assert_eq!(finding.code.as_str(), "audit-certificate-unused");
        assert_eq!(finding.subject, ACM_ARN);
        assert_eq!(finding.distribution_id, None);
        assert_eq!(finding.evidence["certificate_arn"], ACM_ARN);
        assert!(finding.message.contains(ACM_ARN), "{}", finding.message);
        assert!(finding.remediation[0].contains(ACM_ARN));
    }

    #[test]
    fn each_aws_fault_names_its_own_cause_and_the_error() {
        for (kind, says) in [
            (FailureKind::Timeout, "no answer in time"),
            (FailureKind::ServerError, "server error on every attempt"),
            (FailureKind::InvalidResponse, "the answer could not be used"),
            (FailureKind::Network, "could not be reached"),
            (FailureKind::Throttling, "throttled after the SDK's retries"),
            (FailureKind::AccessDenied, "access denied"),
        ] {
            let mut snapshot = Snapshot::default();
            let mut gap = failure(
                "cloudfront:ListDistributions",
                "the distribution list",
                kind,
            );
            gap.message = "the detail".into();
            snapshot.gaps.push(gap);
            let findings = crate::rules::evaluate(&snapshot, now());
            assert_codes(&findings, &["audit-incomplete"]);
            assert!(
                findings[0].message.contains(says),
                "{kind:?}: {}",
                findings[0].message
            );
            assert!(
                findings[0].message.contains("cloudfront:ListDistributions"),
                "names the operation: {}",
                findings[0].message
            );
            assert_eq!(findings[0].evidence["failure"], kind.label());
        }
    }

    #[test]
    fn a_healthy_snapshot_is_complete() {
        let findings =
            crate::rules::evaluate(&healthy_snapshot(vec![healthy_distribution("E1")]), now());
        assert_codes(&findings, &[]);
    }
}
