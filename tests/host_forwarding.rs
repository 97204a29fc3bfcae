//! Host forwarding end to end: distributions seeded in the emulator, their origin a real server on
//! loopback whose certificate covers only the origin domain. A behaviour that forwards the viewer's
//! Host makes CloudFront check (and send as SNI) the alias, so the origin answers 502 for it; one that
//! does not forward Host is fine. moto has no GetOriginRequestPolicy, so the managed policies come from
//! the inventory's built-in table, as they would for an account without that permission.

mod support;

use std::net::SocketAddr;

use cloudfront_tls_audit::audit::{run as audit, AuditRequest, ProbeOptions, Subject};
use cloudfront_tls_audit::finding::{Finding, ViewerImpact};
use cloudfront_tls_audit::model::{PolicyLookup, PolicySource, Scope};
use cloudfront_tls_audit::probe::{ProbeSettings, ResolveOverride};
use support::seed::{create_distribution, import_acm, BehaviorSpec, DistributionSpec, OriginSpec};
use support::tls_servers::{pem_to_der, rustls_server_for};
use support::{CertBuilder, Emulator, IssuedCert};
use time::OffsetDateTime;

const ORIGIN: &str = "origin.example.com";
const ALIAS: &str = "www.example.com";
/// Managed-AllViewer: every viewer header, Host included.
const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
/// Managed-AllViewerExceptHostHeader.
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
/// Managed-CachingDisabled: no header in the cache key.
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// An emulator account whose distributions serve `www.example.com` (covered by an imported viewer
/// certificate) from an origin on loopback whose certificate covers only `origin.example.com`.
struct Lab {
    emulator: Emulator,
    viewer_arn: String,
    origin_cert: IssuedCert,
    origin: SocketAddr,
}

impl Lab {
    async fn start() -> Lab {
        let emulator = Emulator::start();
        let viewer_arn = import_acm(
            &emulator.acm(),
            &CertBuilder::new([ALIAS]).expires_in_days(200).build(),
        )
        .await;
        let origin_cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
        let origin = rustls_server_for(&origin_cert).await;
        Lab {
            emulator,
            viewer_arn,
            origin_cert,
            origin,
        }
    }

    /// Creates a distribution for the alias whose default behaviour is `behavior`.
    async fn distribution(&self, reference: &str, behavior: BehaviorSpec) -> String {
        let mut spec = DistributionSpec::new().with_acm(&self.viewer_arn, &[ALIAS]);
        spec.origins = vec![OriginSpec::custom_on_port(
            "app",
            ORIGIN,
            self.origin.port(),
        )];
        spec.default_behavior = behavior;
        create_distribution(&self.emulator.cloudfront(), reference, &spec).await
    }

    /// The library audit, probing with ORIGIN resolved to the loopback server and the test root
    /// trusted.
    async fn audit(&self) -> Vec<Finding> {
        let request = AuditRequest {
            subject: Subject::Distributions(Scope::AllDistributions),
            now: OffsetDateTime::now_utc(),
            notes: Vec::new(),
            probe: Some(ProbeOptions {
                settings: ProbeSettings {
                    resolve: vec![ResolveOverride {
                        host: ORIGIN.to_owned(),
                        port: self.origin.port(),
                        addresses: vec![self.origin.ip()],
                    }],
                    trust_anchors: vec![pem_to_der(&self.origin_cert.root_pem)],
                    ..ProbeSettings::default()
                },
                concurrency: 4,
                // The edge (a real *.cloudfront.net name) is not on loopback.
                edge_check: false,
                stop_new_work_at: None,
            }),
            thresholds: Default::default(),
        };
        audit(&self.emulator.inventory(), &request).await.findings
    }
}

fn of(findings: &[Finding], id: &str) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.distribution_id.as_deref() == Some(id))
        .cloned()
        .collect()
}

fn with_origin_request_policy(id: &str) -> BehaviorSpec {
    BehaviorSpec {
        cache_policy_id: Some(CACHING_DISABLED.to_owned()),
        origin_request_policy_id: Some(id.to_owned()),
        ..BehaviorSpec::default()
    }
}

#[track_caller]
fn assert_forwarded_host_mismatch(findings: &[Finding]) {
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["origin-cert-name-mismatch"], "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding.evidence["sni"], ALIAS);
    assert_eq!(finding.evidence["alias"], ALIAS);
    assert_eq!(finding.evidence["origin_domain"], ORIGIN);
    assert_eq!(
        finding.evidence["behaviors"],
        serde_json::json!(["default"])
    );
    assert_eq!(
        finding.evidence["certificate_names"],
        serde_json::json!([ORIGIN])
    );
    assert_eq!(finding.viewer_impact, ViewerImpact::BadGateway);
    assert!(
        finding.message.contains("forward the viewer's Host"),
        "{}",
        finding.message
    );
}

#[tokio::test]
async fn all_viewer_forwards_host_so_the_alias_is_checked_against_the_origin_certificate() {
    let lab = Lab::start().await;
    let all_viewer = lab
        .distribution("all-viewer", with_origin_request_policy(ALL_VIEWER))
        .await;
    let except_host = lab
        .distribution(
            "all-viewer-except-host",
            with_origin_request_policy(ALL_VIEWER_EXCEPT_HOST),
        )
        .await;

    // The premise: the emulator cannot answer GetOriginRequestPolicy, the managed table stands in.
    let snapshot = lab
        .emulator
        .inventory()
        .snapshot(&Scope::AllDistributions)
        .await;
    for id in [ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST] {
        assert!(
            matches!(
                snapshot.origin_request_policies.get(id),
                Some(PolicyLookup::Found(p)) if p.source == PolicySource::ManagedDefinition
            ),
            "{id}: {:?}",
            snapshot.origin_request_policies.get(id)
        );
    }

    let findings = lab.audit().await;
    assert_forwarded_host_mismatch(&of(&findings, &all_viewer));
    assert!(
        of(&findings, &except_host).is_empty(),
        "AllViewerExceptHostHeader keeps the origin domain as the checked name: {findings:#?}"
    );
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

#[tokio::test]
async fn legacy_forwarded_values_with_host_is_checked_against_the_alias_too() {
    let lab = Lab::start().await;
    let forwards_host = lab
        .distribution(
            "legacy-host",
            BehaviorSpec {
                forwarded_headers: vec!["Host".to_owned()],
                ..BehaviorSpec::default()
            },
        )
        .await;
    let forwards_other = lab
        .distribution(
            "legacy-accept-language",
            BehaviorSpec {
                forwarded_headers: vec!["Accept-Language".to_owned()],
                ..BehaviorSpec::default()
            },
        )
        .await;

    let findings = lab.audit().await;
    assert_forwarded_host_mismatch(&of(&findings, &forwards_host));
    assert!(of(&findings, &forwards_other).is_empty(), "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
}
