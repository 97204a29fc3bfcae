//! The edge check: a viewer's handshake with the distribution's *.cloudfront.net name for each alias,
//! compared with the configured certificate. A loopback server stands in for the edge
//! (`--connect-to` semantics); the distribution and its certificate live in the emulator.

mod support;

use std::net::SocketAddr;

use cloudfront_tls_audit::audit::{run as audit, AuditRequest, ProbeOptions, Subject};
use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::model::Scope;
use cloudfront_tls_audit::probe::{ConnectTo, ProbeSettings};
use support::seed::{create_distribution, import_acm, DistributionSpec, OriginSpec};
use support::tls_servers::{closed_port, rustls_server_for};
use support::{CertBuilder, Emulator, IssuedCert};
use time::OffsetDateTime;

const ALIAS: &str = "www.example.com";

/// Seeds a distribution for ALIAS on `configured` (an S3 origin: nothing to probe there), points its
/// edge at `edge`, audits it with probes, and returns its findings.
async fn audit_with_edge(configured: &IssuedCert, edge: SocketAddr) -> Vec<Finding> {
    let emulator = Emulator::start();
    let arn = import_acm(&emulator.acm(), configured).await;
    let mut spec = DistributionSpec::new().with_acm(&arn, &[ALIAS]);
    spec.origins = vec![OriginSpec::s3("bucket", "assets")];
    let cloudfront = emulator.cloudfront();
    let id = create_distribution(&cloudfront, "edge", &spec).await;
    let domain = cloudfront
        .get_distribution()
        .id(&id)
        .send()
        .await
        .expect("GetDistribution")
        .distribution()
        .map(|d| d.domain_name().to_owned())
        .expect("domain name");
    let settings = ProbeSettings {
        connect_to: vec![ConnectTo {
            host: domain,
            port: 443,
            to: edge,
        }],
        ..ProbeSettings::default()
    };
    let report = audit(
        &emulator.inventory(),
        &AuditRequest {
            subject: Subject::Distributions(Scope::Distributions(vec![id])),
            now: OffsetDateTime::now_utc(),
            notes: vec![],
            probe: Some(ProbeOptions {
                settings,
                ..ProbeOptions::default()
            }),
            thresholds: Default::default(),
        },
    )
    .await;
    report.findings
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn certificate(names: &[&str]) -> IssuedCert {
    CertBuilder::new(names.iter().copied())
        .intermediates(1)
        .expires_in_days(200)
        .build()
}

#[tokio::test]
async fn an_edge_serving_the_configured_certificate_is_silent() {
    let configured = certificate(&[ALIAS]);
    let findings = audit_with_edge(&configured, rustls_server_for(&configured).await).await;
    assert_eq!(codes(&findings), Vec::<&str>::new(), "{findings:#?}");
}

#[tokio::test]
async fn an_edge_serving_a_certificate_that_does_not_cover_the_alias_is_critical() {
    let configured = certificate(&[ALIAS]);
    let served = certificate(&["other.example.net"]);
    let findings = audit_with_edge(&configured, rustls_server_for(&served).await).await;
    assert_eq!(codes(&findings), ["viewer-edge-cert-mismatch"]);
    assert_eq!(findings[0].severity.as_str(), "critical");
    assert_eq!(
        findings[0].evidence["served_names"],
        serde_json::json!(["other.example.net"])
    );
}

#[tokio::test]
async fn an_edge_still_serving_the_previous_certificate_is_stale() {
    let configured = certificate(&[ALIAS]);
    let previous = certificate(&[ALIAS]);
    let findings = audit_with_edge(&configured, rustls_server_for(&previous).await).await;
    assert_eq!(codes(&findings), ["viewer-edge-cert-mismatch"]);
    assert_eq!(findings[0].severity.as_str(), "high");
    assert!(findings[0]
        .message
        .contains("not the configured certificate"));
}

#[tokio::test]
async fn an_edge_that_refuses_the_connection_is_a_failed_handshake() {
    let configured = certificate(&[ALIAS]);
    let findings = audit_with_edge(&configured, closed_port().await).await;
    assert_eq!(codes(&findings), ["viewer-edge-handshake-failed"]);
}
