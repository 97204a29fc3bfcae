//! Hand-built snapshots for the rule tests: a healthy baseline that each test breaks in one way.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::finding::Finding;
use crate::model::{
    CacheBehavior, Certificate, CertificateLookup, CertificateRef, CertificateSource, CustomOrigin,
    Distribution, DistributionOrigin, FailureKind, KeyKind, Origin, OriginKind, ReadFailure,
    Snapshot, ViewerCertificate,
};

pub const ACM_ARN: &str =
    "arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555";

/// The fixed "now" of every rule test.
pub fn now() -> OffsetDateTime {
    datetime!(2026-11-21 12:00 UTC)
}

pub fn failure(operation: &str, resource: &str, kind: FailureKind) -> ReadFailure {
    ReadFailure {
        operation: operation.into(),
        resource: resource.into(),
        distribution_id: None,
        kind,
        message: "test failure".into(),
    }
}

/// A distribution with a custom ACM certificate, sni-only, TLSv1.2_2021, redirect-to-https.
pub fn distribution_with_acm(id: &str, aliases: &[&str], arn: &str) -> Distribution {
    Distribution {
        id: id.into(),
        arn: Some(format!(
            "arn:aws:cloudfront::111122223333:distribution/{id}"
        )),
        domain_name: Some(format!("{}.cloudfront.net", id.to_ascii_lowercase())),
        status: Some("Deployed".into()),
        enabled: true,
        origin: DistributionOrigin::Live,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        viewer_certificate: ViewerCertificate {
            cloudfront_default_certificate: Some(false),
            acm_certificate_arn: Some(arn.into()),
            iam_certificate_id: None,
            ssl_support_method: Some("sni-only".into()),
            minimum_protocol_version: Some("TLSv1.2_2021".into()),
        },
        http_version: Some("http2".into()),
        origins: vec![Origin {
            id: "app".into(),
            domain_name: "origin.example.com".into(),
            connection_timeout: Some(10),
            connection_attempts: Some(3),
            kind: OriginKind::Custom(CustomOrigin {
                http_port: Some(80),
                https_port: Some(443),
                origin_protocol_policy: "https-only".into(),
                origin_ssl_protocols: vec!["TLSv1.2".into()],
                origin_read_timeout: Some(30),
                origin_mtls_client_certificate_arn: None,
            }),
        }],
        origin_groups: vec![],
        default_cache_behavior: CacheBehavior {
            path_pattern: None,
            target_origin_id: "app".into(),
            viewer_protocol_policy: "redirect-to-https".into(),
            cache_policy_id: None,
            origin_request_policy_id: None,
            forwarded_headers: Some(vec![]),
            ..CacheBehavior::default()
        },
        cache_behaviors: vec![],
        connection_mode: None,
        tenant_config: None,
        viewer_mtls_config: None,
        connection_function_association_id: None,
    }
}

/// The healthy baseline: alias www.example.com on [`healthy_certificate`].
pub fn healthy_distribution(id: &str) -> Distribution {
    distribution_with_acm(id, &["www.example.com"], ACM_ARN)
}

/// An issued, DNS-validated, renewal-eligible ACM certificate for example.com and *.example.com,
/// valid for another 200 days.
pub fn healthy_certificate() -> Certificate {
    Certificate {
        reference: CertificateRef::Acm(ACM_ARN.into()),
        source: CertificateSource::AcmAmazonIssued,
        domain_name: Some("example.com".into()),
        subject_alternative_names: vec!["example.com".into(), "*.example.com".into()],
        status: Some("ISSUED".into()),
        serial: None,
        not_before: Some(now() - Duration::days(165)),
        not_after: Some(now() + Duration::days(200)),
        key: Some(KeyKind::Rsa { bits: 2048 }),
        renewal_eligibility: Some("ELIGIBLE".into()),
        renewal: None,
        domain_validation: vec![],
        in_use_by: vec![],
        leaf: None,
        chain: vec![],
        chain_parse_errors: vec![],
        body_read_failure: None,
    }
}

/// A snapshot of `distributions` without any certificate read.
pub fn snapshot_of(distributions: Vec<Distribution>) -> Snapshot {
    Snapshot {
        distributions,
        ..Snapshot::default()
    }
}

/// A snapshot of `distributions` with [`healthy_certificate`] read.
pub fn healthy_snapshot(distributions: Vec<Distribution>) -> Snapshot {
    snapshot_with_certificate(distributions, healthy_certificate())
}

/// A snapshot of `distributions` with `certificate` read under its own reference.
pub fn snapshot_with_certificate(
    distributions: Vec<Distribution>,
    certificate: Certificate,
) -> Snapshot {
    let mut snapshot = snapshot_of(distributions);
    snapshot.certificates.insert(
        certificate.reference.clone(),
        CertificateLookup::Found(Box::new(certificate)),
    );
    snapshot
}

/// Asserts the multiset of codes, ignoring order.
#[track_caller]
pub fn assert_codes(findings: &[Finding], expected: &[&str]) {
    let mut actual: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    let mut expected = expected.to_vec();
    actual.sort_unstable();
    expected.sort_unstable();
    assert_eq!(actual, expected, "findings: {findings:#?}");
    for finding in findings {
        assert!(
            !finding.message.contains('{') && finding.remediation.iter().all(|r| !r.contains('{')),
            "unfilled placeholder in {finding:#?}"
        );
        assert!(
            finding
                .code
                .entry()
                .severities()
                .contains(&finding.severity),
            "{} carries severity {} not declared in the catalogue",
            finding.code,
            finding.severity
        );
    }
}
