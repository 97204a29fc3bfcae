//! The pre-deploy gate at scale (issue 12): a CloudFormation template of 200 distributions and 20
//! declared certificates, checked as `check-config --offline` checks it (read with positions,
//! judged by the rules, every finding placed, rendered as JSON). Reports the wall time (median of
//! the runs) and the peak memory (`VmHWM`) of a child process that only checks.
//!
//! Run with `make bench` (`cargo bench --locked --bench gate`); results in docs/benchmarks.md.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use cloudfront_tls_audit::audit::{run, AuditRequest, Subject};
use cloudfront_tls_audit::gate::{self, InputKind, OfflineReader, TemplateInputs};
use cloudfront_tls_audit::report::render_json;
use cloudfront_tls_audit::rules::ExpiryThresholds;
use time::OffsetDateTime;

const DISTRIBUTIONS: usize = 200;
const CERTIFICATES: usize = 20;
const RUNS: usize = 10;
const CHILD_FLAG: &str = "--gate-child";
/// Targets: well under a second for a large template, and a small fraction of a CI runner's memory.
const TARGET_WALL: Duration = Duration::from_millis(500);
const TARGET_PEAK_MB: f64 = 64.0;

/// The template: every tenth distribution has an alias its certificate misses, every seventh an
/// origin that allows TLSv1, every ninth an `allow-all` behaviour; the rest are clean.
fn template() -> String {
    let mut out = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: gate bench\nParameters:\n  \
         Stage:\n    Type: String\n    Default: prod\nResources:\n",
    );
    for c in 0..CERTIFICATES {
        let _ = write!(
            out,
            "  Certificate{c}:\n    Type: AWS::CertificateManager::Certificate\n    Properties:\n      \
             DomainName: site{c}.example.com\n      SubjectAlternativeNames:\n        - \
             '*.site{c}.example.com'\n      ValidationMethod: DNS\n"
        );
    }
    for d in 0..DISTRIBUTIONS {
        let c = d % CERTIFICATES;
        let stray = if d % 10 == 0 {
            format!("          - www.other{d}.example.org\n")
        } else {
            String::new()
        };
        let protocols = if d % 7 == 0 {
            "TLSv1, TLSv1.2"
        } else {
            "TLSv1.2"
        };
        let viewer = if d % 9 == 0 {
            "allow-all"
        } else {
            "redirect-to-https"
        };
        let _ = write!(
            out,
            "  Distribution{d}:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      \
             DistributionConfig:\n        Enabled: true\n        HttpVersion: http2\n        \
             Aliases:\n          - www.site{c}.example.com\n          - !Sub 'api-${{Stage}}.site{c}.example.com'\n\
             {stray}        ViewerCertificate:\n          AcmCertificateArn: !Ref Certificate{c}\n          \
             SslSupportMethod: sni-only\n          MinimumProtocolVersion: TLSv1.2_2021\n        \
             Origins:\n          - Id: app\n            DomainName: app{d}.example.com\n            \
             CustomOriginConfig:\n              OriginProtocolPolicy: https-only\n              \
             OriginSSLProtocols: [{protocols}]\n          - Id: assets\n            DomainName: \
             assets{d}.example.com\n            CustomOriginConfig:\n              \
             OriginProtocolPolicy: https-only\n              OriginSSLProtocols: [TLSv1.2]\n        \
             DefaultCacheBehavior:\n          TargetOriginId: app\n          ViewerProtocolPolicy: \
             {viewer}\n          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n        \
             CacheBehaviors:\n          - PathPattern: /assets/*\n            TargetOriginId: \
             assets\n            ViewerProtocolPolicy: redirect-to-https\n            \
             CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n"
        );
    }
    out
}

/// One check, as `check-config --offline` makes it; returns the findings and the JSON's size.
fn check(runtime: &tokio::runtime::Runtime, text: &str) -> (usize, usize) {
    let inputs = TemplateInputs {
        region: Some("us-east-1".to_owned()),
        ..TemplateInputs::default()
    };
    let stack = match gate::read(InputKind::Cloudformation, text, "bench.yaml", &inputs) {
        Ok(stack) => stack,
        Err(error) => panic!("the bench template must read: {error}"),
    };
    assert_eq!(stack.distributions.len(), DISTRIBUTIONS);
    let (snapshot, extra) = gate::stack_snapshot(&stack);
    let request = AuditRequest {
        subject: Subject::ProposedStack(Box::new(snapshot)),
        now: OffsetDateTime::now_utc(),
        notes: Vec::new(),
        probe: None,
        thresholds: ExpiryThresholds::default(),
    };
    let mut report = runtime.block_on(run(&OfflineReader::for_stack(&stack), &request));
    gate::place_findings(&mut report, &stack, &extra);
    (report.findings.len(), render_json(&report).len())
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(error) => panic!("a runtime: {error}"),
    };
    let text = template();
    if std::env::args().any(|a| a == CHILD_FLAG) {
        let before = peak_rss_mb().unwrap_or(0.0);
        let (findings, _) = check(&runtime, &text);
        println!(
            "{findings} {before:.1} {:.1}",
            peak_rss_mb().unwrap_or(f64::NAN)
        );
        return;
    }
    let mut times = Vec::new();
    let mut result = (0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        result = check(&runtime, &text);
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "gate: {DISTRIBUTIONS} distributions, {CERTIFICATES} certificates, {} KiB of YAML, offline",
        text.len() / 1024
    );
    println!(
        "  {} findings, {} KiB of JSON; wall min {:?}, median {:?}, max {:?} over {RUNS} runs; target {TARGET_WALL:?}: {}",
        result.0,
        result.1 / 1024,
        times[0],
        median,
        times[RUNS - 1],
        if median <= TARGET_WALL { "met" } else { "NOT MET" }
    );
    let child = std::env::current_exe()
        .ok()
        .and_then(|exe| Command::new(exe).arg(CHILD_FLAG).output().ok());
    match child {
        Some(output) if output.status.success() => {
            let line = String::from_utf8_lossy(&output.stdout);
            let fields: Vec<&str> = line.split_whitespace().collect();
            let peak: f64 = fields
                .get(2)
                .and_then(|p| p.parse().ok())
                .unwrap_or(f64::NAN);
            println!(
                "  peak memory of a child that only checks: {peak:.1} MB (before the check: {} MB); target {TARGET_PEAK_MB} MB: {}",
                fields.get(1).unwrap_or(&"?"),
                if peak <= TARGET_PEAK_MB { "met" } else { "NOT MET" }
            );
        }
        _ => println!("  peak memory: the child run failed"),
    }
}
