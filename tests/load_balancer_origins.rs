//! Origins behind Elastic Load Balancing and CloudFront VPC origins, audited against the emulator:
//! load balancers, listeners, SNI certificates and security policies seeded in moto's ELBv2 in
//! eu-west-1, listener certificates imported into ACM there, VPC origins and distributions through
//! the test emulator's proxy (moto has no VPC origins). Each rule fires on the listener that breaks
//! it and stays quiet on the healthy ones; the probe is off, so every finding is the configuration's.

mod support;

use std::collections::BTreeSet;

use cloudfront_tls_audit::audit::{run as audit, AuditRequest, Subject};
use cloudfront_tls_audit::finding::{Finding, ViewerImpact};
use cloudfront_tls_audit::model::{OriginResource, Scope};
use cloudfront_tls_audit::report::Report;
use support::elb::{
    add_sni_certificates, create_load_balancer, create_network, create_plain_listener,
    create_tls_listener, LoadBalancer, LoadBalancerKind, Network,
};
use support::fault_proxy::{Fault, FaultProxy};
use support::seed::{
    create_distribution, create_vpc_origin, import_acm, vpc_origin_endpoint, DistributionSpec,
    OriginSpec,
};
use support::{CertBuilder, Emulator};
use time::OffsetDateTime;

const REGION: &str = "eu-west-1";

/// moto, the proxy in front of it, a network in eu-west-1 and the clients to seed with.
struct Lab {
    _emulator: Emulator,
    proxy: FaultProxy,
    network: Network,
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
    acm: aws_sdk_acm::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    /// Distributions created so far, for unique caller references.
    created: std::sync::atomic::AtomicUsize,
}

impl Lab {
    async fn start() -> Lab {
        let emulator = Emulator::start();
        let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
        let network = create_network(&emulator.endpoint_url(), REGION).await;
        Lab {
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&proxy.sdk_config_in(REGION)),
            acm: aws_sdk_acm::Client::new(&proxy.sdk_config_in(REGION)),
            cloudfront: proxy.cloudfront(),
            created: Default::default(),
            _emulator: emulator,
            proxy,
            network,
        }
    }

    /// A valid listener certificate in eu-west-1 for `names`, 200 days left.
    async fn certificate(&self, names: &[&str]) -> String {
        import_acm(
            &self.acm,
            &CertBuilder::new(names.iter().copied())
                .expires_in_days(200)
                .build(),
        )
        .await
    }

    /// An ALB `name` with an HTTPS listener on 443 (certificate `certificate`, policy `policy`).
    async fn alb(&self, name: &str, certificate: &str, policy: &str) -> (LoadBalancer, String) {
        let balancer = self.balancer(name, LoadBalancerKind::Application).await;
        let listener =
            create_tls_listener(&self.elbv2, &balancer, 443, certificate, Some(policy)).await;
        (balancer, listener)
    }

    async fn balancer(&self, name: &str, kind: LoadBalancerKind) -> LoadBalancer {
        create_load_balancer(&self.elbv2, &self.network, name, kind).await
    }

    /// A distribution whose only origin is `origin`.
    async fn distribution(&self, origin: OriginSpec) -> String {
        let spec = DistributionSpec {
            origins: vec![origin],
            ..DistributionSpec::new()
        };
        let reference = format!(
            "lb-{}",
            self.created
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        create_distribution(&self.cloudfront, &reference, &spec).await
    }

    /// A distribution reaching `balancer` by its DNS name, offering `protocols`.
    async fn behind(&self, balancer: &LoadBalancer, protocols: &[&str]) -> String {
        self.distribution(OriginSpec::Custom {
            id: "lb".to_owned(),
            domain: balancer.dns_name.clone(),
            protocol_policy: "https-only".to_owned(),
            ssl_protocols: protocols.iter().map(|p| (*p).to_owned()).collect(),
            https_port: 443,
        })
        .await
    }

    async fn audit(&self, subject: Subject) -> Report {
        audit(
            &self.proxy.inventory(),
            &AuditRequest {
                subject,
                now: OffsetDateTime::now_utc(),
                notes: vec![],
                probe: None,
                thresholds: Default::default(),
            },
        )
        .await
    }

    async fn audit_all(&self) -> Report {
        self.audit(Subject::Distributions(Scope::AllDistributions))
            .await
    }
}

/// The findings of one distribution.
fn of<'a>(report: &'a Report, distribution: &str) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.distribution_id.as_deref() == Some(distribution))
        .collect()
}

/// The distributions a report has findings for.
fn audited_in(report: &Report) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter_map(|f| f.distribution_id.clone())
        .collect()
}

fn codes(findings: &[&Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.code.to_string()).collect()
}

fn evidence<'a>(finding: &'a Finding, name: &str) -> &'a str {
    finding
        .evidence
        .get(name)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

fn the<'a>(findings: &[&'a Finding], code: &str) -> &'a Finding {
    let found: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.code.to_string() == code)
        .collect();
    assert_eq!(found.len(), 1, "one {code} in {findings:#?}");
    found[0]
}

#[tokio::test]
async fn policies_that_keep_tls_1_2_pass_and_tls_1_3_only_ones_are_found() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let mut healthy = Vec::new();
    for (name, policy) in [
        ("legacy", "ELBSecurityPolicy-2016-08"),
        ("modern", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        ("restricted", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
        ("recommended", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
    ] {
        let (balancer, _) = lab.alb(name, &certificate, policy).await;
        healthy.push((policy, lab.behind(&balancer, &["TLSv1.2"]).await));
    }
    let mut strict = Vec::new();
    for (name, policy) in [
        ("strict", "ELBSecurityPolicy-TLS13-1-3-2021-06"),
        ("strict-pq", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09"),
    ] {
        let (balancer, listener) = lab.alb(name, &certificate, policy).await;
        strict.push((policy, listener, lab.behind(&balancer, &["TLSv1.2"]).await));
    }

    let report = lab.audit_all().await;

    for (policy, distribution) in &healthy {
        assert!(
            of(&report, distribution).is_empty(),
            "{policy}: {:#?}",
            of(&report, distribution)
        );
    }
    for (policy, listener, distribution) in &strict {
        let findings = of(&report, distribution);
        assert_eq!(
            codes(&findings),
            BTreeSet::from(["origin-tls-protocol-mismatch".to_owned()]),
            "{policy}"
        );
        let mismatch = the(&findings, "origin-tls-protocol-mismatch");
        assert_eq!(evidence(mismatch, "source"), "load-balancer configuration");
        assert_eq!(evidence(mismatch, "ssl_policy"), *policy);
        assert_eq!(evidence(mismatch, "listener_arn"), listener);
        assert!(mismatch.message.contains("never offers TLS 1.3"));
        assert!(mismatch
            .remediation
            .iter()
            .any(|r| r.contains("--ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")));
    }
}

#[tokio::test]
async fn an_sni_certificate_that_covers_the_name_counts_and_none_covering_is_a_mismatch() {
    let lab = Lab::start().await;
    let other = lab.certificate(&["api.example.com"]).await;
    let covering = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (with_sni, listener) = lab
        .alb("with-sni", &other, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .await;
    add_sni_certificates(&lab.elbv2, &listener, &[&covering]).await;
    let (without, bare_listener) = lab
        .alb("without-sni", &other, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .await;
    let covered = lab.behind(&with_sni, &["TLSv1.2"]).await;
    let uncovered = lab.behind(&without, &["TLSv1.2"]).await;

    let report = lab.audit_all().await;

    assert!(
        of(&report, &covered).is_empty(),
        "{:#?}",
        of(&report, &covered)
    );
    let findings = of(&report, &uncovered);
    let mismatch = the(&findings, "origin-cert-name-mismatch");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(evidence(mismatch, "listener_arn"), bare_listener);
    assert_eq!(
        evidence(mismatch, "sni"),
        without.dns_name.to_ascii_lowercase()
    );
    assert!(
        mismatch.remediation[0].contains(
            "Set the origin domain to api.example.com, a name the listener's certificate covers, pointing at the load balancer"
        ),
        "{:?}",
        mismatch.remediation
    );
}

#[tokio::test]
async fn no_tls_listener_on_the_port_cloudfront_uses_is_a_502() {
    let lab = Lab::start().await;
    let only_http = lab
        .balancer("only-http", LoadBalancerKind::Application)
        .await;
    create_plain_listener(&lab.elbv2, &only_http, 80).await;
    let plain_on_443 = lab
        .balancer("plain-443", LoadBalancerKind::Application)
        .await;
    let plain = create_plain_listener(&lab.elbv2, &plain_on_443, 443).await;
    let missing = lab.behind(&only_http, &["TLSv1.2"]).await;
    let not_tls = lab.behind(&plain_on_443, &["TLSv1.2"]).await;

    let report = lab.audit_all().await;

    let findings = of(&report, &missing);
    let finding = the(&findings, "origin-lb-listener-missing");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        finding.message.contains("has no listener on port 443"),
        "{}",
        finding.message
    );
    assert_eq!(finding.viewer_impact, ViewerImpact::BadGateway);
    let findings = of(&report, &not_tls);
    let finding = the(&findings, "origin-lb-listener-missing");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(evidence(finding, "listener_arn"), plain);
    assert!(
        finding.message.contains("speaks HTTP, not HTTPS or TLS"),
        "{}",
        finding.message
    );
}

#[tokio::test]
async fn origin_ssl_protocols_without_tls_1_2_against_a_tls_1_2_policy_name_the_version_to_add() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (balancer, _) = lab
        .alb(
            "tls12",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        )
        .await;
    let old = lab.behind(&balancer, &["TLSv1", "TLSv1.1"]).await;

    let report = lab.audit_all().await;

    let findings = of(&report, &old);
    let mismatch = the(&findings, "origin-tls-protocol-mismatch");
    assert_eq!(evidence(mismatch, "versions_to_offer"), "TLSv1.2");
    assert!(mismatch.remediation[0].starts_with("Add TLSv1.2 to the origin's OriginSslProtocols"));
    // The deprecated versions are their own (configuration) finding.
    assert!(codes(&findings).contains("origin-deprecated-protocols"));
}

#[tokio::test]
async fn a_listener_certificate_close_to_its_end_and_a_policy_aws_does_not_know_are_reported() {
    let lab = Lab::start().await;
    let soon = import_acm(
        &lab.acm,
        &CertBuilder::new(["*.eu-west-1.elb.amazonaws.com"])
            .expires_in_days(2)
            .build(),
    )
    .await;
    let (expiring, _) = lab
        .alb("expiring", &soon, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .await;
    let valid = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    // moto accepts any policy name on a listener; DescribeSSLPolicies then does not know it.
    let (custom, _) = lab.alb("custom", &valid, "Corp-Policy-2026").await;
    let expiring_distribution = lab.behind(&expiring, &["TLSv1.2"]).await;
    let custom_distribution = lab.behind(&custom, &["TLSv1.2"]).await;

    let report = lab.audit_all().await;

    let findings = of(&report, &expiring_distribution);
    let finding = the(&findings, "origin-cert-expiring");
    assert_eq!(evidence(finding, "certificate_arn"), soon);
    assert_eq!(finding.severity.to_string(), "critical");
    let findings = of(&report, &custom_distribution);
    let unknown = the(&findings, "audit-incomplete");
    assert_eq!(findings.len(), 1, "never a pass: {findings:#?}");
    assert_eq!(evidence(unknown, "resource"), "Corp-Policy-2026");
    assert_eq!(
        evidence(unknown, "operation"),
        "elasticloadbalancing:DescribeSSLPolicies"
    );
}

#[tokio::test]
async fn a_load_balancer_name_this_account_does_not_have_is_said_not_judged() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (real, _) = lab
        .alb("real", &certificate, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .await;
    let ghost = lab
        .distribution(OriginSpec::custom(
            "lb",
            "ghost-1234567890.eu-west-1.elb.amazonaws.com",
        ))
        .await;
    let fine = lab.behind(&real, &["TLSv1.2"]).await;

    let report = lab.audit_all().await;

    assert!(of(&report, &fine).is_empty(), "{:#?}", of(&report, &fine));
    let findings = of(&report, &ghost);
    let finding = the(&findings, "origin-not-probed");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(finding
        .message
        .contains("no Application or Network Load Balancer of this account has it"));
}

#[tokio::test]
async fn a_vpc_origin_is_judged_by_configuration_only_and_says_so() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (strict, _) = lab
        .alb(
            "private-strict",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        )
        .await;
    let (fine, _) = lab
        .alb(
            "private-fine",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        )
        .await;
    let strict_vpc = create_vpc_origin(
        &lab.cloudfront,
        vpc_origin_endpoint("strict", &strict.arn, &["TLSv1.2"]),
    )
    .await;
    let fine_vpc = create_vpc_origin(
        &lab.cloudfront,
        vpc_origin_endpoint("fine", &fine.arn, &["TLSv1.1", "TLSv1.2"]),
    )
    .await;
    lab.proxy.set_vpc_origin_status(&strict_vpc.id, "Deployed");
    let on_strict = lab
        .distribution(OriginSpec::vpc("vpc", &strict.dns_name, &strict_vpc.id))
        .await;
    let on_fine = lab
        .distribution(OriginSpec::vpc("vpc", &fine.dns_name, &fine_vpc.id))
        .await;

    let report = lab.audit_all().await;

    let findings = of(&report, &on_strict);
    assert_eq!(
        codes(&findings),
        BTreeSet::from([
            "origin-not-probed".to_owned(),
            "origin-tls-protocol-mismatch".to_owned()
        ]),
        "{findings:#?}"
    );
    let not_probed = the(&findings, "origin-not-probed");
    assert!(not_probed.message.contains("judged by configuration only"));
    assert!(evidence(not_probed, "checked").contains("listener"));
    assert_eq!(
        evidence(
            the(&findings, "origin-tls-protocol-mismatch"),
            "vpc_origin_id"
        ),
        strict_vpc.id
    );
    // Still Deploying, and TLSv1.1 allowed: both said, nothing broken.
    let findings = of(&report, &on_fine);
    assert_eq!(
        codes(&findings),
        BTreeSet::from([
            "origin-deprecated-protocols".to_owned(),
            "origin-not-probed".to_owned()
        ]),
        "{findings:#?}"
    );
    assert!(findings
        .iter()
        .any(|f| f.message.contains("is Deploying, not Deployed")));
    assert!(findings
        .iter()
        .all(|f| f.severity.to_string() == "info" || f.severity.to_string() == "low"));
    // audit-not-covered no longer stands in for VPC origins that were read.
    assert!(!report
        .findings
        .iter()
        .any(|f| f.code.to_string() == "audit-not-covered"));
}

#[tokio::test]
async fn a_vpc_origin_that_cannot_be_read_is_incomplete_never_a_pass() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (balancer, _) = lab
        .alb(
            "denied",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        )
        .await;
    let vpc = create_vpc_origin(
        &lab.cloudfront,
        vpc_origin_endpoint("denied", &balancer.arn, &["TLSv1.2"]),
    )
    .await;
    let distribution = lab
        .distribution(OriginSpec::vpc("vpc", &balancer.dns_name, &vpc.id))
        .await;
    lab.proxy.inject("GetVpcOrigin", Fault::AccessDenied);

    let report = lab.audit_all().await;

    let findings = of(&report, &distribution);
    let finding = the(&findings, "audit-incomplete");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(evidence(finding, "operation"), "cloudfront:GetVpcOrigin");
    assert_eq!(evidence(finding, "resource"), vpc.id);
    assert_eq!(evidence(finding, "failure"), "access-denied");
}

#[tokio::test]
async fn a_listener_change_audits_the_distributions_behind_that_load_balancer_only() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (changed, _) = lab
        .alb(
            "changed",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        )
        .await;
    let (other, _) = lab
        .alb("other", &certificate, "ELBSecurityPolicy-TLS13-1-3-2021-06")
        .await;
    let vpc = create_vpc_origin(
        &lab.cloudfront,
        vpc_origin_endpoint("changed", &changed.arn, &["TLSv1.2"]),
    )
    .await;
    let by_name = lab.behind(&changed, &["TLSv1.2"]).await;
    let by_vpc_origin = lab
        .distribution(OriginSpec::vpc("vpc", &changed.dns_name, &vpc.id))
        .await;
    let elsewhere = lab.behind(&other, &["TLSv1.2"]).await;

    let report = lab
        .audit(Subject::OriginResourceUsers(OriginResource::LoadBalancer(
            changed.arn.clone(),
        )))
        .await;
    let audited = audited_in(&report);
    assert_eq!(
        audited,
        BTreeSet::from([by_name.clone(), by_vpc_origin.clone()]),
        "{:#?}",
        report.findings
    );
    assert!(!audited.contains(&elsewhere));

    let report = lab
        .audit(Subject::OriginResourceUsers(OriginResource::VpcOrigin(
            vpc.id.clone(),
        )))
        .await;
    let audited = audited_in(&report);
    assert_eq!(audited, BTreeSet::from([by_vpc_origin]));

    // An ACM event for the listener's certificate (eu-west-1) reaches both users of the load
    // balancers serving it.
    let report = lab
        .audit(Subject::CertificateUsers {
            certificate_arn: certificate.clone(),
        })
        .await;
    let audited = audited_in(&report);
    assert!(
        audited.contains(&by_name) && audited.contains(&elsewhere),
        "{audited:?}"
    );
}

#[tokio::test]
async fn a_mixed_case_load_balancer_name_is_found_however_the_origin_spells_it() {
    let lab = Lab::start().await;
    let certificate = lab.certificate(&["*.eu-west-1.elb.amazonaws.com"]).await;
    let (generated, listener) = lab
        .alb(
            "Shop-InternalALB",
            &certificate,
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        )
        .await;
    let as_written = lab.behind(&generated, &["TLSv1.2"]).await;
    let lowered = lab
        .distribution(OriginSpec::custom(
            "lb",
            &generated.dns_name.to_ascii_lowercase(),
        ))
        .await;

    let report = lab.audit_all().await;

    for distribution in [&as_written, &lowered] {
        let findings = of(&report, distribution);
        let mismatch = the(&findings, "origin-tls-protocol-mismatch");
        assert_eq!(
            evidence(mismatch, "listener_arn"),
            listener,
            "{findings:#?}"
        );
    }
}
