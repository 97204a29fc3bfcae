//! The inventory against a real moto server: one emulator per test, seeded through the SDK.

mod support;

use cloudfront_tls_audit::model::{
    CertificateLookup, CertificateRef, CertificateSource, FailureKind, KeyKind, OriginKind,
    PolicyLookup, PolicySource, Scope, Snapshot,
};
use futures::stream::{self, StreamExt};
use support::seed::{self, BehaviorSpec, DistributionSpec, OriginSpec};
use support::{CallCounter, CertBuilder, Emulator, KeySpec};

const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const CUSTOM_POLICY: &str = "00000000-1111-2222-3333-444444444444";

fn found<'a>(
    snapshot: &'a Snapshot,
    reference: &CertificateRef,
) -> &'a cloudfront_tls_audit::model::Certificate {
    match snapshot.certificates.get(reference) {
        Some(CertificateLookup::Found(certificate)) => certificate,
        other => panic!("expected {reference:?} to be found, got {other:?}"),
    }
}

#[tokio::test]
async fn snapshot_maps_distribution_and_imported_certificate() {
    let emulator = Emulator::start();
    let leaf = CertBuilder::new(["www.example.com", "example.com"])
        .key(KeySpec::Rsa2048)
        .intermediates(1)
        .build();
    let arn = seed::import_acm(&emulator.acm(), &leaf).await;

    let mut spec = DistributionSpec::new().with_acm(&arn, &["www.example.com", "example.com"]);
    // Passed through as the raw string the SDK enum does not know.
    spec.viewer_certificate.minimum_protocol_version = Some("TLSv1.3_2025".to_owned());
    spec.origins = vec![
        OriginSpec::custom("api", "api.example.com"),
        OriginSpec::s3("assets", "assets-bucket"),
    ];
    spec.default_behavior = BehaviorSpec {
        target_origin_id: "api".to_owned(),
        viewer_protocol_policy: "https-only".to_owned(),
        forwarded_headers: vec!["Host".to_owned(), "Origin".to_owned()],
        ..BehaviorSpec::default()
    };
    spec.behaviors = vec![BehaviorSpec {
        path_pattern: "/static/*".to_owned(),
        target_origin_id: "assets".to_owned(),
        viewer_protocol_policy: "allow-all".to_owned(),
        cache_policy_id: Some(CACHING_OPTIMIZED.to_owned()),
        origin_request_policy_id: Some(ALL_VIEWER_EXCEPT_HOST.to_owned()),
        forwarded_headers: Vec::new(),
    }];
    let id = seed::create_distribution(&emulator.cloudfront(), "mapped", &spec).await;

    for scope in [
        Scope::AllDistributions,
        Scope::Distributions(vec![id.clone()]),
    ] {
        let snapshot = emulator.inventory().snapshot(&scope).await;
        assert!(snapshot.gaps.is_empty(), "{scope:?}: {:?}", snapshot.gaps);
        assert_eq!(snapshot.distributions.len(), 1, "{scope:?}");
        let d = &snapshot.distributions[0];
        assert_eq!(d.id, id);
        assert!(d.enabled);
        assert!(
            d.arn.as_deref().is_some_and(|a| a.ends_with(&id)),
            "{:?}",
            d.arn
        );
        assert!(d.domain_name.is_some());
        assert_eq!(d.aliases, vec!["www.example.com", "example.com"]);

        let vc = &d.viewer_certificate;
        assert_eq!(vc.cloudfront_default_certificate, Some(false));
        assert_eq!(vc.acm_certificate_arn.as_deref(), Some(arn.as_str()));
        assert_eq!(vc.iam_certificate_id, None, "empty strings count as unset");
        assert_eq!(
            vc.ssl_support_method.as_ref().map(|v| v.as_str()),
            Some("sni-only")
        );
        assert_eq!(vc.minimum_protocol_version.as_deref(), Some("TLSv1.3_2025"));

        assert_eq!(d.origins.len(), 2);
        match &d.origins[0].kind {
            OriginKind::Custom(custom) => {
                assert_eq!(custom.origin_protocol_policy, "https-only");
                assert_eq!(custom.origin_ssl_protocols, vec!["TLSv1.2"]);
                assert_eq!(custom.https_port, Some(443));
            }
            other => panic!("expected a custom origin, got {other:?}"),
        }
        assert_eq!(d.origins[0].domain_name, "api.example.com");
        assert_eq!(d.origins[1].kind, OriginKind::S3);

        let default = &d.default_cache_behavior;
        assert_eq!(default.path_pattern, None);
        assert_eq!(default.target_origin_id, "api");
        assert_eq!(default.viewer_protocol_policy, "https-only");
        assert_eq!(
            default.forwarded_headers,
            Some(vec!["Host".to_owned(), "Origin".to_owned()])
        );
        assert_eq!(d.cache_behaviors.len(), 1);
        let path = &d.cache_behaviors[0];
        assert_eq!(path.path_pattern.as_deref(), Some("/static/*"));
        assert_eq!(path.viewer_protocol_policy, "allow-all");
        assert_eq!(path.cache_policy_id.as_deref(), Some(CACHING_OPTIMIZED));
        assert_eq!(
            path.origin_request_policy_id.as_deref(),
            Some(ALL_VIEWER_EXCEPT_HOST)
        );

        let certificate = found(&snapshot, &CertificateRef::Acm(arn.clone()));
        assert_eq!(certificate.source, CertificateSource::AcmImported);
        assert_eq!(certificate.status.as_deref(), Some("ISSUED"));
        assert_eq!(certificate.domain_name.as_deref(), Some("www.example.com"));
        assert!(certificate
            .subject_alternative_names
            .contains(&"example.com".to_owned()));
        assert_eq!(certificate.key, Some(KeyKind::Rsa { bits: 2048 }));
        assert!(certificate.not_after.is_some());
        let parsed_leaf = certificate.leaf.as_ref().expect("leaf parsed from PEM");
        assert_eq!(
            parsed_leaf.dns_names,
            vec!["www.example.com", "example.com"]
        );
        // moto, like ACM, appends a root CA of its own to the chain it returns: ours comes first.
        assert!(!certificate.chain.is_empty());
        assert_eq!(
            certificate.chain[0].common_name.as_deref(),
            Some("Test Intermediate CA 1")
        );
        assert!(
            certificate.chain_parse_errors.is_empty(),
            "{:?}",
            certificate.chain_parse_errors
        );

        // moto has no GetCachePolicy/GetOriginRequestPolicy: managed ids use their documented definition.
        match snapshot.cache_policies.get(CACHING_OPTIMIZED) {
            Some(PolicyLookup::Found(policy)) => {
                assert_eq!(policy.source, PolicySource::ManagedDefinition);
                assert_eq!(policy.header_behavior, "none");
            }
            other => panic!("CachingOptimized: {other:?}"),
        }
        match snapshot.origin_request_policies.get(ALL_VIEWER_EXCEPT_HOST) {
            Some(PolicyLookup::Found(policy)) => {
                assert_eq!(policy.source, PolicySource::ManagedDefinition);
                assert_eq!(policy.header_behavior, "allExcept");
                assert_eq!(policy.headers, vec!["Host"]);
            }
            other => panic!("AllViewerExceptHostHeader: {other:?}"),
        }
    }
}

#[tokio::test]
async fn custom_policy_read_failure_is_recorded() {
    let emulator = Emulator::start();
    let mut spec = DistributionSpec::new();
    spec.default_behavior.cache_policy_id = Some(CUSTOM_POLICY.to_owned());
    spec.default_behavior.origin_request_policy_id = Some(CUSTOM_POLICY.to_owned());
    seed::create_distribution(&emulator.cloudfront(), "custom-policy", &spec).await;

    let snapshot = emulator
        .inventory()
        .snapshot(&Scope::AllDistributions)
        .await;
    for (lookups, operation) in [
        (&snapshot.cache_policies, "cloudfront:GetCachePolicy"),
        (
            &snapshot.origin_request_policies,
            "cloudfront:GetOriginRequestPolicy",
        ),
    ] {
        match lookups.get(CUSTOM_POLICY) {
            Some(PolicyLookup::Failed(failure)) => {
                assert_eq!(failure.operation, operation);
                assert_eq!(failure.resource, CUSTOM_POLICY);
                assert!(!failure.message.is_empty());
            }
            other => panic!("{operation}: expected a failure, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn requested_certificate_is_pending_validation() {
    let emulator = Emulator::start();
    let arn = seed::request_acm(
        &emulator.acm(),
        "shop.example.com",
        &["shop.example.com", "www.shop.example.com"],
    )
    .await;
    let spec = DistributionSpec::new().with_acm(&arn, &["shop.example.com"]);
    seed::create_distribution(&emulator.cloudfront(), "requested", &spec).await;

    let snapshot = emulator
        .inventory()
        .snapshot(&Scope::AllDistributions)
        .await;
    let certificate = found(&snapshot, &CertificateRef::Acm(arn));
    assert_eq!(certificate.source, CertificateSource::AcmAmazonIssued);
    assert_eq!(certificate.status.as_deref(), Some("PENDING_VALIDATION"));
    assert_eq!(certificate.domain_name.as_deref(), Some("shop.example.com"));
    assert!(
        certificate.leaf.is_none(),
        "Amazon-issued bodies are not read"
    );
    assert!(!certificate.domain_validation.is_empty());
    assert_eq!(
        certificate.domain_validation[0]
            .validation_method
            .as_deref(),
        Some("DNS")
    );
}

#[tokio::test]
async fn missing_foreign_and_malformed_acm_arns() {
    let emulator = Emulator::start();
    let missing =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    let foreign =
        "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111";
    let malformed = "not-an-arn";
    let cloudfront = emulator.cloudfront();
    for (reference, arn) in [
        ("missing", missing),
        ("foreign", foreign),
        ("malformed", malformed),
    ] {
        let spec = DistributionSpec::new().with_acm(arn, &[]);
        seed::create_distribution(&cloudfront, reference, &spec).await;
    }

    let counter = CallCounter::default();
    let snapshot = counter
        .inventory(&emulator.sdk_config())
        .snapshot(&Scope::AllDistributions)
        .await;
    match snapshot
        .certificates
        .get(&CertificateRef::Acm(missing.to_owned()))
    {
        Some(CertificateLookup::NotFound { reason }) => assert!(!reason.is_empty()),
        other => panic!("missing ARN: {other:?}"),
    }
    assert!(
        !snapshot
            .certificates
            .contains_key(&CertificateRef::Acm(foreign.to_owned())),
        "an eu-west-1 ARN is never looked up"
    );
    match snapshot
        .certificates
        .get(&CertificateRef::Acm(malformed.to_owned()))
    {
        Some(CertificateLookup::NotFound { reason }) => {
            assert_eq!(reason, "not an ACM certificate ARN")
        }
        other => panic!("malformed ARN: {other:?}"),
    }
    assert_eq!(
        counter.count("DescribeCertificate"),
        1,
        "{:?}",
        counter.snapshot()
    );
}

#[tokio::test]
async fn iam_server_certificates_by_id() {
    let emulator = Emulator::start();
    let leaf = CertBuilder::new(["legacy.example.com"])
        .key(KeySpec::Rsa3072)
        .intermediates(2)
        .build();
    let uploaded = seed::upload_iam(&emulator.iam(), "legacy-cert", &leaf).await;
    let cloudfront = emulator.cloudfront();
    let spec = DistributionSpec::new().with_iam(&uploaded.id, &["legacy.example.com"]);
    seed::create_distribution(&cloudfront, "iam", &spec).await;
    let unknown = "ASCAUNKNOWNUNKNOWN000";
    let spec = DistributionSpec::new().with_iam(unknown, &[]);
    seed::create_distribution(&cloudfront, "iam-unknown", &spec).await;

    let snapshot = emulator
        .inventory()
        .snapshot(&Scope::AllDistributions)
        .await;
    let certificate = found(&snapshot, &CertificateRef::Iam(uploaded.id.clone()));
    assert_eq!(certificate.source, CertificateSource::Iam);
    assert_eq!(
        certificate.domain_name.as_deref(),
        Some("legacy.example.com")
    );
    assert_eq!(
        certificate.subject_alternative_names,
        vec!["legacy.example.com"]
    );
    assert_eq!(certificate.key, Some(KeyKind::Rsa { bits: 3072 }));
    assert!(certificate.not_after.is_some());
    assert_eq!(certificate.chain.len(), 2);
    assert_eq!(
        certificate.chain[0].common_name.as_deref(),
        Some("Test Intermediate CA 2"),
        "the issuer of the leaf comes first"
    );
    match snapshot
        .certificates
        .get(&CertificateRef::Iam(unknown.to_owned()))
    {
        Some(CertificateLookup::NotFound { .. }) => {}
        other => panic!("unknown IAM id: {other:?}"),
    }
}

#[tokio::test]
async fn get_distribution_for_a_missing_id_is_a_gap() {
    let emulator = Emulator::start();
    let id = seed::create_distribution(&emulator.cloudfront(), "present", &DistributionSpec::new())
        .await;
    let missing = "EDOESNOTEXIST1";
    let scope = Scope::Distributions(vec![
        missing.to_owned(),
        id.clone(),
        missing.to_owned(),
        id.clone(),
    ]);

    let snapshot = emulator.inventory().snapshot(&scope).await;
    assert_eq!(snapshot.distributions.len(), 1, "distinct ids");
    assert_eq!(snapshot.distributions[0].id, id);
    assert_eq!(snapshot.gaps.len(), 1, "{:?}", snapshot.gaps);
    let gap = &snapshot.gaps[0];
    assert_eq!(gap.kind, FailureKind::NotFound);
    assert_eq!(gap.operation, "cloudfront:GetDistribution");
    assert_eq!(gap.distribution_id.as_deref(), Some(missing));
    assert_eq!(gap.resource, missing);
}

#[tokio::test]
async fn all_distributions_reads_each_page_and_certificate_once() {
    const DISTRIBUTIONS: usize = 250;
    let emulator = Emulator::start();
    let acm = emulator.acm();
    let mut arns = Vec::new();
    for name in ["a.example.com", "b.example.com", "c.example.com"] {
        let leaf = CertBuilder::new([name]).build();
        arns.push(seed::import_acm(&acm, &leaf).await);
    }
    let cloudfront = emulator.cloudfront();
    let arns = &arns;
    let cloudfront = &cloudfront;
    stream::iter(0..DISTRIBUTIONS)
        .map(|n| async move {
            let spec = DistributionSpec::new().with_acm(&arns[n % arns.len()], &[]);
            seed::create_distribution(cloudfront, &format!("bulk-{n}"), &spec).await
        })
        // moto's CloudFront backend is not thread-safe (concurrent creates answer 500): one at a time.
        .buffer_unordered(1)
        .collect::<Vec<_>>()
        .await;

    // The whole audit (inventory + rules), as the CLI runs it.
    let counter = CallCounter::default();
    let report = cloudfront_tls_audit::audit::run(
        &counter.inventory(&emulator.sdk_config()),
        &cloudfront_tls_audit::audit::AuditRequest {
            subject: cloudfront_tls_audit::audit::Subject::Distributions(Scope::AllDistributions),
            now: time::OffsetDateTime::now_utc(),
            notes: vec![],
            probe: None,
            thresholds: Default::default(),
        },
    )
    .await;
    assert_eq!(report.distributions_audited, DISTRIBUTIONS);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code.as_str() != "audit-incomplete"),
        "{:?}",
        report.findings
    );
    let calls = counter.snapshot();
    // 250 distributions at 100 per page: three pages, three calls.
    assert_eq!(counter.count("ListDistributions"), 3, "{calls:?}");
    // No per-distribution reads of any kind.
    assert_eq!(counter.count("GetDistribution"), 0, "{calls:?}");
    assert_eq!(counter.count("GetDistributionConfig"), 0, "{calls:?}");
    // One description per distinct certificate (plus the body of each imported one, for its chain).
    assert_eq!(counter.count("DescribeCertificate"), 3, "{calls:?}");
    assert_eq!(counter.count("GetCertificate"), 3, "{calls:?}");
    assert_eq!(calls.values().sum::<usize>(), 9, "nothing else: {calls:?}");
}
