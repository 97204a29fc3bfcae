//! Rule evaluation over a 1,000-distribution snapshot built in memory (target: at most 50 ms).
//!
//! Run with `make bench` (`cargo bench --bench rules`); results are recorded in docs/benchmarks.md.

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use cloudfront_tls_audit::audit::evaluate;
use cloudfront_tls_audit::model::{
    CacheBehavior, Certificate, CertificateLookup, CertificateRef, CertificateSource, CustomOrigin,
    Distribution, DistributionOrigin, KeyKind, Origin, OriginKind, Snapshot, ViewerCertificate,
};
use time::{Duration, OffsetDateTime};

const DISTRIBUTIONS: usize = 1_000;
const CERTIFICATES: usize = 50;
const RUNS: usize = 30;
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

fn main() {
    let now = OffsetDateTime::now_utc();
    let build_start = Instant::now();
    let snapshot = snapshot(now);
    let build_time = build_start.elapsed();
    let mut times = Vec::with_capacity(RUNS);
    let mut findings = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let report = evaluate(black_box(&snapshot), now, Vec::new());
        times.push(start.elapsed());
        findings = report.findings.len();
    }
    times.sort_unstable();
    let median = times[RUNS / 2];
    println!("rules over {DISTRIBUTIONS} distributions, {CERTIFICATES} certificates ({findings} findings)");
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
