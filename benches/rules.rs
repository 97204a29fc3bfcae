//! Rule evaluation over a 1,000-distribution snapshot built in memory (target: at most 50 ms), then
//! the same distributions behind 20 load balancers (issue 13: listener, policy and certificate
//! rules for every origin; the same target).
//!
//! Run with `make bench` (`cargo bench --bench rules`); results are recorded in docs/benchmarks.md.

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use cloudfront_tls_audit::audit::evaluate;
use cloudfront_tls_audit::model::{
    CacheBehavior, Certificate, CertificateLookup, CertificateRef, CertificateSource, CustomOrigin,
    Distribution, DistributionOrigin, KeyKind, Listener, ListenerCertificate, LoadBalancer,
    LoadBalancerLookup, LoadBalancerRef, Origin, OriginKind, Snapshot, SslPolicy, SslPolicyLookup,
    SslPolicyRef, ViewerCertificate,
};
use time::{Duration, OffsetDateTime};

const DISTRIBUTIONS: usize = 1_000;
const CERTIFICATES: usize = 50;
const RUNS: usize = 30;
const LOAD_BALANCERS: usize = 20;
const TARGET: StdDuration = StdDuration::from_millis(50);

fn arn(index: usize) -> String {
    format!("arn:aws:acm:us-east-1:111122223333:certificate/{index:08}-0000-0000-0000-000000000000")
}

fn snapshot(now: OffsetDateTime) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for c in 0..CERTIFICATES {
        // A spread of states so every rule path runs: healthy, expiring, imported, EC P-384.
        let certificate = Certificate {
            reference: CertificateRef::Acm(arn(c)),
            source: if c % 3 == 0 {
                CertificateSource::AcmImported
            } else {
                CertificateSource::AcmAmazonIssued
            },
            domain_name: Some(format!("site{c}.example.com")),
            subject_alternative_names: vec![
                format!("site{c}.example.com"),
                format!("*.site{c}.example.com"),
            ],
            status: Some("ISSUED".into()),
            serial: None,
            not_before: Some(now - Duration::days(30)),
            not_after: Some(now + Duration::days((c as i64 * 7) % 120)),
            key: Some(if c % 10 == 0 {
                KeyKind::Ec {
                    curve: "P-384".into(),
                }
            } else {
                KeyKind::Rsa { bits: 2048 }
            }),
            renewal_eligibility: Some("ELIGIBLE".into()),
            renewal: None,
            domain_validation: vec![],
            in_use_by: vec![],
            leaf: None,
            chain: vec![],
            chain_parse_errors: vec![],
            body_read_failure: None,
        };
        snapshot.certificates.insert(
            CertificateRef::Acm(arn(c)),
            CertificateLookup::Found(Box::new(certificate)),
        );
    }
    for d in 0..DISTRIBUTIONS {
        let c = d % CERTIFICATES;
        let behavior = CacheBehavior {
            path_pattern: None,
            target_origin_id: "origin".into(),
            viewer_protocol_policy: if d % 4 == 0 {
                "allow-all"
            } else {
                "redirect-to-https"
            }
            .into(),
            cache_policy_id: None,
            origin_request_policy_id: None,
            forwarded_headers: Some(vec![]),
            ..CacheBehavior::default()
        };
        snapshot.distributions.push(Distribution {
            id: format!("E{d:013}"),
            arn: None,
            domain_name: Some(format!("d{d}.cloudfront.net")),
            status: Some("Deployed".into()),
            enabled: true,
            origin: DistributionOrigin::Live,
            aliases: (0..5)
                .map(|a| {
                    if a == 4 && d % 5 == 0 {
                        format!("deep.www{a}.site{c}.example.com")
                    } else {
                        format!("www{a}.site{c}.example.com")
                    }
                })
                .collect(),
            viewer_certificate: ViewerCertificate {
                cloudfront_default_certificate: Some(false),
                acm_certificate_arn: Some(arn(c)),
                iam_certificate_id: None,
                ssl_support_method: Some("sni-only".into()),
                minimum_protocol_version: Some(
                    if d % 2 == 0 {
                        "TLSv1.2_2021"
                    } else {
                        "TLSv1.2_2019"
                    }
                    .into(),
                ),
            },
            http_version: Some("http2".into()),
            origins: vec![Origin {
                id: "origin".into(),
                domain_name: format!("origin{d}.example.com"),
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
            default_cache_behavior: behavior.clone(),
            cache_behaviors: (0..3)
                .map(|i| CacheBehavior {
                    path_pattern: Some(format!("/path{i}/*")),
                    ..behavior.clone()
                })
                .collect(),
            connection_mode: None,
            tenant_config: None,
            viewer_mtls_config: None,
            connection_function_association_id: None,
        });
    }
    snapshot
}

/// The same snapshot with every origin on one of 20 load balancers (by DNS name), each with an
/// HTTPS listener on 443 (a default and an SNI certificate, one of 4 policies, one TLS 1.3-only)
/// and an HTTP listener on 80, everything read.
fn behind_load_balancers(now: OffsetDateTime) -> Snapshot {
    let mut snapshot = snapshot(now);
    let policies = [
        (
            "ELBSecurityPolicy-2016-08",
            vec!["TLSv1", "TLSv1.1", "TLSv1.2"],
        ),
        (
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            vec!["TLSv1.2", "TLSv1.3"],
        ),
        (
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            vec!["TLSv1.2", "TLSv1.3"],
        ),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", vec!["TLSv1.3"]),
    ];
    for (name, protocols) in &policies {
        snapshot.ssl_policies.insert(
            SslPolicyRef {
                region: "eu-west-1".into(),
                name: (*name).into(),
            },
            SslPolicyLookup::Found(SslPolicy {
                name: (*name).into(),
                protocols: protocols.iter().map(|p| (*p).into()).collect(),
                ciphers: vec![
                    "TLS_AES_128_GCM_SHA256".into(),
                    "ECDHE-ECDSA-AES128-GCM-SHA256".into(),
                    "ECDHE-RSA-AES128-GCM-SHA256".into(),
                ],
            }),
        );
    }
    let template = match snapshot.certificates.values().next() {
        Some(CertificateLookup::Found(certificate)) => (**certificate).clone(),
        _ => unreachable!("the snapshot holds found certificates"),
    };
    for b in 0..LOAD_BALANCERS {
        let dns_name = format!("web{b}-{b:010}.eu-west-1.elb.amazonaws.com");
        let certificates: Vec<ListenerCertificate> = [("default", true), ("sni", false)]
            .into_iter()
            .map(|(kind, is_default)| ListenerCertificate {
                arn: format!("arn:aws:acm:eu-west-1:111122223333:certificate/{kind}-{b}"),
                is_default,
            })
            .collect();
        for (index, certificate) in certificates.iter().enumerate() {
            // The SNI certificate covers every site's aliases: the forwarded Host passes, so the
            // figure is the rules' cost, not that of thousands of findings.
            let names = if index == 0 {
                vec!["*.eu-west-1.elb.amazonaws.com".to_owned()]
            } else {
                (0..CERTIFICATES)
                    .map(|c| format!("*.site{c}.example.com"))
                    .collect()
            };
            snapshot.listener_certificates.insert(
                certificate.arn.clone(),
                CertificateLookup::Found(Box::new(Certificate {
                    reference: CertificateRef::Acm(certificate.arn.clone()),
                    subject_alternative_names: names,
                    not_after: Some(now + Duration::days(200)),
                    ..template.clone()
                })),
            );
        }
        let balancer = LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web{b}/{b:016}"
            ),
            name: format!("web{b}"),
            dns_name: dns_name.clone(),
            kind: "application".into(),
            scheme: Some("internet-facing".into()),
            region: "eu-west-1".into(),
            listeners: vec![
                Listener {
                    arn: format!("listener-{b}-443"),
                    port: 443,
                    protocol: "HTTPS".into(),
                    ssl_policy: Some(policies[b % policies.len()].0.into()),
                    certificates,
                    certificates_failure: None,
                },
                Listener {
                    arn: format!("listener-{b}-80"),
                    port: 80,
                    protocol: "HTTP".into(),
                    ssl_policy: None,
                    certificates: vec![],
                    certificates_failure: None,
                },
            ],
            listeners_failure: None,
        };
        if let Some(reference) = LoadBalancerRef::from_dns_name(&dns_name) {
            snapshot
                .load_balancers
                .insert(reference, LoadBalancerLookup::Found(Box::new(balancer)));
        }
    }
    for (d, distribution) in snapshot.distributions.iter_mut().enumerate() {
        let b = d % LOAD_BALANCERS;
        distribution.origins[0].domain_name = format!("web{b}-{b:010}.eu-west-1.elb.amazonaws.com");
        // Every other distribution forwards Host: the aliases must be on an SNI certificate.
        if d % 2 == 0 {
            distribution.default_cache_behavior.forwarded_headers = Some(vec!["Host".into()]);
        }
    }
    snapshot
}

/// Evaluates `snapshot` `RUNS` times and prints the figures under `title`.
fn measure(title: &str, snapshot: &Snapshot, build_time: StdDuration, now: OffsetDateTime) {
    let mut times = Vec::with_capacity(RUNS);
    let mut findings = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let report = evaluate(black_box(snapshot), now, Vec::new());
        times.push(start.elapsed());
        findings = report.findings.len();
    }
    times.sort_unstable();
    let median = times[RUNS / 2];
    println!("{title} ({findings} findings)");
    println!("  snapshot built in {build_time:?}");
    println!(
        "  evaluate + report: min {:?}, median {median:?}, max {:?} over {RUNS} runs",
        times[0],
        times[RUNS - 1]
    );
    println!(
        "  target {TARGET:?}: {}",
        if median <= TARGET { "met" } else { "NOT MET" }
    );
}

fn main() {
    let now = OffsetDateTime::now_utc();
    let build_start = Instant::now();
    let plain = snapshot(now);
    let build_time = build_start.elapsed();
    measure(
        &format!("rules over {DISTRIBUTIONS} distributions, {CERTIFICATES} certificates"),
        &plain,
        build_time,
        now,
    );
    drop(plain);
    let build_start = Instant::now();
    let behind = behind_load_balancers(now);
    let build_time = build_start.elapsed();
    measure(
        &format!(
            "rules over the same distributions behind {LOAD_BALANCERS} load balancers (listener, policy, certificates)"
        ),
        &behind,
        build_time,
        now,
    );
}
