//! The whole audit against a local AWS emulator: real certificates imported into ACM and IAM, real
//! distributions created through the Rust SDK, the inventory reading them back, and the rules. Each
//! viewer code is demonstrated here on the state that breaks it, next to healthy neighbours.

mod support;

use std::collections::BTreeMap;

use cloudfront_tls_audit::audit::{run as audit, AuditRequest, Subject};
use cloudfront_tls_audit::intake::parse_distribution_config;
use cloudfront_tls_audit::model::Scope;
use cloudfront_tls_audit::report::Report;
use support::seed::{
    create_distribution, import_acm, request_acm, upload_iam, BehaviorSpec, DistributionSpec,
    OriginSpec,
};
use support::{CertBuilder, Emulator, KeySpec};
use time::{Duration, OffsetDateTime};

/// Codes per distribution id, sorted, for exact comparison.
fn codes_by_distribution(report: &Report) -> BTreeMap<String, Vec<String>> {
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        codes
            .entry(finding.distribution_id.clone().unwrap_or_default())
            .or_default()
            .push(finding.code.to_string());
    }
    for list in codes.values_mut() {
        list.sort();
    }
    codes
}

fn request(scope: Scope, now: OffsetDateTime) -> AuditRequest {
    AuditRequest {
        subject: Subject::Distributions(scope),
        now,
        notes: vec![],
        probe: None,
        thresholds: Default::default(),
    }
}

#[tokio::test]
async fn every_viewer_code_fires_on_its_broken_distribution_and_healthy_ones_stay_silent() {
    let emulator = Emulator::start();
    let (cloudfront, acm, iam) = (emulator.cloudfront(), emulator.acm(), emulator.iam());

    let healthy_cert = CertBuilder::new(["example.com", "*.example.com"])
        .expires_in_days(200)
        .build();
    let healthy_arn = import_acm(&acm, &healthy_cert).await;
    let rsa4096_arn = import_acm(
        &acm,
        &CertBuilder::new(["big.example.net"])
            .key(KeySpec::Rsa4096)
            .expires_in_days(200)
            .build(),
    )
    .await;
    let p384_arn = import_acm(
        &acm,
        &CertBuilder::new(["p384.example.net"])
            .key(KeySpec::EcP384)
            .expires_in_days(200)
            .build(),
    )
    .await;
    let expiring_arn = import_acm(
        &acm,
        &CertBuilder::new(["soon.example.net"])
            .expires_in_days(10)
            .build(),
    )
    .await;
    let long_chain_arn = import_acm(
        &acm,
        &CertBuilder::new(["chain.example.net"])
            .intermediates(6)
            .expires_in_days(200)
            .build(),
    )
    .await;
    let pending_arn = request_acm(&acm, "pending.example.net", &[]).await;
    let iam_expiring = upload_iam(
        &iam,
        "legacy",
        &CertBuilder::new(["legacy.example.net"])
            .expires_in_days(30)
            .build(),
    )
    .await;
    let missing_arn =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    let wrong_region_arn =
        "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111";

    let mut sslv3 = DistributionSpec::new().with_acm(&healthy_arn, &["sslv3.example.com"]);
    sslv3.viewer_certificate.minimum_protocol_version = Some("SSLv3".into());
    let mut outdated = DistributionSpec::new().with_acm(&healthy_arn, &["old.example.com"]);
    outdated.viewer_certificate.minimum_protocol_version = Some("TLSv1.2_2019".into());
    let mut newest = DistributionSpec::new().with_acm(&healthy_arn, &["new.example.com"]);
    newest.viewer_certificate.minimum_protocol_version = Some("TLSv1.3_2025".into());
    let mut two_sources = DistributionSpec::new().with_acm(&healthy_arn, &["two.example.com"]);
    two_sources.viewer_certificate.iam_certificate_id = Some(iam_expiring.id.clone());
    let mut http = DistributionSpec::new().with_acm(&healthy_arn, &["http.example.com"]);
    http.behaviors.push(BehaviorSpec {
        path_pattern: "/legacy/*".into(),
        viewer_protocol_policy: "allow-all".into(),
        ..BehaviorSpec::default()
    });
    let mut unreadable_policy =
        DistributionSpec::new().with_acm(&healthy_arn, &["policy.example.com"]);
    unreadable_policy.default_behavior.cache_policy_id = Some("custom-cache-policy".into());
    let mut managed_policy =
        DistributionSpec::new().with_acm(&healthy_arn, &["managed.example.com"]);
    managed_policy.default_behavior.cache_policy_id =
        Some("658327ea-f89d-4fab-a63d-7e88639e58f6".into());

    let mut http_only_origin =
        DistributionSpec::new().with_acm(&healthy_arn, &["plain.example.com"]);
    http_only_origin.origins = vec![OriginSpec::Custom {
        id: "site".into(),
        domain: "site.s3-website-us-east-1.amazonaws.com".into(),
        protocol_policy: "http-only".into(),
        ssl_protocols: vec![],
        https_port: 443,
    }];
    let mut legacy_protocols =
        DistributionSpec::new().with_acm(&healthy_arn, &["legacy.example.com"]);
    legacy_protocols.origins = vec![OriginSpec::Custom {
        id: "legacy".into(),
        domain: "legacy-origin.example.com".into(),
        protocol_policy: "https-only".into(),
        ssl_protocols: vec!["TLSv1".into(), "TLSv1.1".into(), "TLSv1.2".into()],
        https_port: 443,
    }];

    let cases: Vec<(&str, DistributionSpec, Vec<&str>)> = vec![
        (
            "healthy",
            DistributionSpec::new().with_acm(&healthy_arn, &["www.example.com", "example.com"]),
            vec![],
        ),
        ("default-no-aliases", DistributionSpec::new(), vec![]),
        (
            "rsa4096",
            DistributionSpec::new().with_acm(&rsa4096_arn, &["big.example.net"]),
            vec![],
        ),
        ("newest-policy", newest, vec![]),
        ("managed-policy", managed_policy, vec![]),
        (
            "default-with-aliases",
            {
                let mut spec = DistributionSpec::new();
                spec.aliases = vec!["shop.example.com".into()];
                spec
            },
            vec!["viewer-default-cert-with-aliases"],
        ),
        (
            "wrong-region",
            DistributionSpec::new().with_acm(wrong_region_arn, &["eu.example.com"]),
            vec!["viewer-cert-wrong-region"],
        ),
        (
            "not-found",
            DistributionSpec::new().with_acm(missing_arn, &["gone.example.com"]),
            vec!["viewer-cert-not-found"],
        ),
        (
            "iam-not-found",
            DistributionSpec::new().with_iam("ASCANOSUCHCERT", &["gone.example.net"]),
            vec!["viewer-cert-not-found"],
        ),
        (
            "pending",
            DistributionSpec::new().with_acm(&pending_arn, &["pending.example.net"]),
            vec!["viewer-cert-not-issued"],
        ),
        (
            "alias-not-covered",
            DistributionSpec::new().with_acm(
                &healthy_arn,
                &["www.example.com", "api.example.org", "a.b.example.com"],
            ),
            vec!["viewer-alias-not-covered", "viewer-alias-not-covered"],
        ),
        (
            "expiring-imported",
            DistributionSpec::new().with_acm(&expiring_arn, &["soon.example.net"]),
            vec!["viewer-cert-expiring", "viewer-cert-renewal-at-risk"],
        ),
        (
            "expiring-iam",
            DistributionSpec::new().with_iam(&iam_expiring.id, &["legacy.example.net"]),
            vec!["viewer-cert-expiring", "viewer-cert-renewal-at-risk"],
        ),
        (
            "p384",
            DistributionSpec::new().with_acm(&p384_arn, &["p384.example.net"]),
            vec!["viewer-cert-key-unsupported"],
        ),
        (
            "long-chain",
            DistributionSpec::new().with_acm(&long_chain_arn, &["chain.example.net"]),
            vec!["viewer-cert-chain-invalid"],
        ),
        (
            "sslv3-sni",
            sslv3,
            vec!["viewer-tls-policy-invalid", "viewer-tls-policy-outdated"],
        ),
        (
            "two-sources",
            two_sources,
            vec!["viewer-tls-policy-invalid"],
        ),
        ("outdated", outdated, vec!["viewer-tls-policy-outdated"]),
        ("http-allowed", http, vec!["viewer-http-allowed"]),
        (
            "unreadable-policy",
            unreadable_policy,
            vec!["audit-incomplete"],
        ),
        (
            "s3-website-origin",
            http_only_origin,
            vec!["origin-http-only"],
        ),
        (
            "legacy-origin-protocols",
            legacy_protocols,
            vec!["origin-deprecated-protocols"],
        ),
    ];

    let mut ids = BTreeMap::new();
    for (name, spec, _) in &cases {
        ids.insert(*name, create_distribution(&cloudfront, name, spec).await);
    }

    let report = audit(
        &emulator.inventory(),
        &request(Scope::AllDistributions, OffsetDateTime::now_utc()),
    )
    .await;
    assert_eq!(report.distributions_audited, cases.len());
    let actual = codes_by_distribution(&report);
    for (name, _, expected) in &cases {
        let got = actual.get(&ids[name]).cloned().unwrap_or_default();
        let mut expected: Vec<String> = expected.iter().map(|c| c.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected, "distribution {name} ({})", ids[name]);
    }
    assert!(
        !actual.contains_key(""),
        "no account-level finding expected: {actual:?}"
    );

    // Evidence names what a person needs to act.
    let uncovered = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "viewer-alias-not-covered" && f.subject == "api.example.org")
        .expect("api.example.org is reported");
    assert_eq!(
        uncovered.evidence["certificate_names"],
        serde_json::json!(["example.com", "*.example.com"])
    );
    let expiring = report
        .findings
        .iter()
        .find(|f| {
            f.code.as_str() == "viewer-cert-expiring"
                && f.distribution_id == Some(ids["expiring-imported"].clone())
        })
        .expect("expiring finding");
    assert_eq!(expiring.severity.as_str(), "high");
    assert!(matches!(
        expiring.evidence["days_left"].as_i64(),
        Some(9..=10)
    ));
}

#[tokio::test]
async fn validity_is_judged_against_the_audit_time_not_the_wall_clock() {
    let emulator = Emulator::start();
    let acm = emulator.acm();
    let not_before = OffsetDateTime::now_utc() - Duration::days(1);
    let not_after = OffsetDateTime::now_utc() + Duration::days(100);
    let arn = import_acm(
        &acm,
        &CertBuilder::new(["www.example.com"])
            .validity(not_before, not_after)
            .build(),
    )
    .await;
    let id = create_distribution(
        &emulator.cloudfront(),
        "dated",
        &DistributionSpec::new().with_acm(&arn, &["www.example.com"]),
    )
    .await;
    let inventory = emulator.inventory();
    let scope = Scope::Distributions(vec![id.clone()]);

    let after_expiry = audit(
        &inventory,
        &request(scope.clone(), not_after + Duration::days(2)),
    )
    .await;
    assert_eq!(
        codes_by_distribution(&after_expiry)[&id],
        ["viewer-cert-expired"]
    );
    let before_validity = audit(&inventory, &request(scope, not_before - Duration::days(2))).await;
    assert_eq!(
        codes_by_distribution(&before_validity)[&id],
        ["viewer-cert-not-yet-valid"]
    );
}

#[tokio::test]
async fn a_named_distribution_that_does_not_exist_makes_the_audit_incomplete() {
    let emulator = Emulator::start();
    let report = audit(
        &emulator.inventory(),
        &request(
            Scope::Distributions(vec!["ENOSUCHDIST".into()]),
            OffsetDateTime::now_utc(),
        ),
    )
    .await;
    assert_eq!(report.distributions_audited, 0);
    assert_eq!(report.findings.len(), 1);
    let finding = &report.findings[0];
    assert_eq!(finding.code.as_str(), "audit-incomplete");
    assert_eq!(finding.severity.as_str(), "high");
    assert_eq!(finding.evidence["failure"], "not-found");
    assert_eq!(finding.evidence["operation"], "cloudfront:GetDistribution");
}

#[tokio::test]
async fn check_config_reads_only_the_certificates_the_proposed_config_names() {
    let emulator = Emulator::start();
    let arn = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    // CloudTrail's casing, an alias the certificate does not cover.
    let config = format!(
        r#"{{"distributionConfig": {{
            "aliases": {{"quantity": 2, "items": ["www.example.com", "api.example.com"]}},
            "viewerCertificate": {{"aCMCertificateArn": "{arn}", "sSLSupportMethod": "sni-only",
                                   "minimumProtocolVersion": "TLSv1.2_2021", "cloudFrontDefaultCertificate": false}},
            "origins": {{"quantity": 1, "items": [{{"id": "o", "domainName": "origin.example.com",
                "customOriginConfig": {{"hTTPPort": 80, "hTTPSPort": 443, "originProtocolPolicy": "https-only"}}}}]}},
            "defaultCacheBehavior": {{"targetOriginId": "o", "viewerProtocolPolicy": "redirect-to-https"}}
        }}}}"#
    );
    let distribution = parse_distribution_config(&config, "proposed").expect("valid config");
    let report = audit(
        &emulator.inventory(),
        &AuditRequest {
            subject: Subject::Proposed(Box::new(distribution)),
            now: OffsetDateTime::now_utc(),
            notes: vec![],
            probe: None,
            thresholds: Default::default(),
        },
    )
    .await;
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let finding = &report.findings[0];
    assert_eq!(finding.code.as_str(), "viewer-alias-not-covered");
    assert_eq!(finding.subject, "api.example.com");
    // Nothing is deployed yet: CloudFront would refuse the change.
    assert_eq!(finding.viewer_impact.as_str(), "update-rejected");
}
