//! The organization digest builder (issue 14) over 500 synthetic account results: wall time (median
//! of the runs), peak heap during one build (the counting allocator of `benches/probe.rs`), the
//! number of parts and their bytes, and the size of the full report. Two organizations:
//!
//! * **typical**: 500 accounts of 200 distributions, 0 to 10 failing each (one in 50 accounts without
//!   a result, one in 25 whose role was not assumed, one in 10 incomplete);
//! * **worst case**: 500 accounts whose results are as large as an `AccountResult` may be
//!   (`MAX_FAILING_PER_ACCOUNT` failing distributions of `MAX_CODES_PER_DISTRIBUTION` findings each):
//!   100,000 failing distributions, past the digest's listing limit.
//!
//! Pure code, no AWS. Run with `make bench` (`cargo bench --locked --bench organization`); results
//! are recorded in docs/benchmarks.md.

#[path = "common/heap.rs"]
mod heap;

use std::sync::atomic::Ordering;

use heap::{heap_peak_reset, HEAP_LIVE, HEAP_PEAK};
use std::time::{Duration, Instant};

use cloudfront_tls_audit::finding::Severity;
use cloudfront_tls_audit::notify::SIZE_BUDGET;
use cloudfront_tls_audit::organization::digest::{build, ReportLocation, MAX_LISTED_DISTRIBUTIONS};
use cloudfront_tls_audit::organization::{
    Account, AccountOutcome, AccountResult, AccountStatus, FailingDistribution, FindingLine,
    MAX_CODES_PER_DISTRIBUTION, MAX_FAILING_PER_ACCOUNT,
};
use cloudfront_tls_audit::report::Summary;
use time::macros::datetime;

const ACCOUNTS: usize = 500;
const DISTRIBUTIONS_PER_ACCOUNT: usize = 200;

const CODES: [(&str, Severity); 8] = [
    ("viewer-cert-expired", Severity::Critical),
    ("viewer-alias-not-covered", Severity::Critical),
    ("origin-cert-expiring", Severity::High),
    ("origin-cert-name-mismatch", Severity::High),
    ("viewer-http-allowed", Severity::Medium),
    ("viewer-tls-policy-outdated", Severity::Medium),
    ("origin-deprecated-protocols", Severity::Medium),
    ("viewer-cert-expiring", Severity::Low),
];

/// A failing distribution with `findings` findings, starting at `CODES[offset]`.
fn failing(account: usize, n: usize, findings: usize, offset: usize) -> FailingDistribution {
    let findings: Vec<FindingLine> = (0..findings)
        .map(|f| {
            let (code, severity) = CODES[(offset + f) % CODES.len()];
            FindingLine {
                code: code.to_owned(),
                severity,
            }
        })
        .collect();
    FailingDistribution {
        distribution_id: format!("E{account:04}X{n:05}ABCD"),
        label: format!("www{n}.team{account}.example.com, api{n}.team{account}.example.com"),
        worst: findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info),
        findings,
        more_findings: 0,
    }
}

/// 500 account outcomes; `worst_case`: every account at the size limit of its result.
fn organization(worst_case: bool) -> Vec<AccountOutcome> {
    (0..ACCOUNTS)
        .map(|i| {
            let account_id = format!("{:012}", 200_000_000_000u64 + i as u64);
            let name = format!("team {i} production workloads");
            if !worst_case && i % 50 == 7 {
                return AccountOutcome::Missing {
                    account: Account {
                        account_id,
                        name,
                    },
                    error: "Lambda.TooManyRequestsException".to_owned(),
                    cause: "Rate Exceeded. (Service: Lambda, Status Code: 429)".to_owned(),
                };
            }
            let denied = !worst_case && i % 25 == 3;
            let failing: Vec<FailingDistribution> = if denied {
                Vec::new()
            } else if worst_case {
                (0..MAX_FAILING_PER_ACCOUNT)
                    .map(|n| failing(i, n, MAX_CODES_PER_DISTRIBUTION, n))
                    .collect()
            } else {
                (0..i % 11).map(|n| failing(i, n, 1 + n % 3, n + i)).collect()
            };
            let mut summary = Summary {
                distributions: if denied { 0 } else { DISTRIBUTIONS_PER_ACCOUNT },
                ..Summary::default()
            };
            for line in failing.iter().flat_map(|d| &d.findings) {
                match line.severity {
                    Severity::Critical => summary.critical += 1,
                    Severity::High => summary.high += 1,
                    Severity::Medium => summary.medium += 1,
                    Severity::Low => summary.low += 1,
                    Severity::Info => summary.info += 1,
                }
            }
            let (status, problem) = if denied {
                (
                    AccountStatus::Failed,
                    Some(format!("could not assume arn:aws:iam::{account_id}:role/cloudfront-tls-audit-member (AccessDenied): deploy template-member.yaml to this account")),
                )
            } else if !worst_case && i % 10 == 1 {
                (
                    AccountStatus::Incomplete,
                    Some("ListCertificates was throttled: run the sweep again".to_owned()),
                )
            } else {
                (AccountStatus::Audited, None)
            };
            AccountOutcome::Result(AccountResult {
                report_key: Some(format!("sweeps/bench/accounts/{account_id}.json")),
                account_id,
                account_name: name,
                status,
                summary,
                failing,
                more_failing: 0,
                problem,
            })
        })
        .collect()
}

fn main() {
    let location = ReportLocation {
        s3_uri: "s3://results-bucket/sweeps/bench/report.json".to_owned(),
        console_url: "https://us-east-1.console.aws.amazon.com/s3/object/results-bucket?region=us-east-1&prefix=sweeps/bench/report.json".to_owned(),
    };
    let now = datetime!(2026-12-07 06:00 UTC);
    println!(
        "organization digest: {ACCOUNTS} accounts, MIN_SEVERITY medium, listing limit {MAX_LISTED_DISTRIBUTIONS}, part budget {} KiB",
        SIZE_BUDGET / 1024
    );
    for (name, worst_case, runs) in [("typical", false, 11), ("worst case", true, 3)] {
        let outcomes = organization(worst_case);
        let failing: usize = outcomes
            .iter()
            .map(|o| match o {
                AccountOutcome::Result(r) => r.failing.len(),
                AccountOutcome::Missing { .. } => 0,
            })
            .sum();
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut peak = 0;
        let mut last = None;
        for _ in 0..runs {
            drop(last.take());
            let before = HEAP_LIVE.load(Ordering::Relaxed);
            heap_peak_reset();
            let start = Instant::now();
            let digest = build(&outcomes, "bench", &location, Severity::Medium, now);
            times.push(start.elapsed());
            peak = HEAP_PEAK.load(Ordering::Relaxed).saturating_sub(before);
            last = Some(digest);
        }
        let Some(digest) = last else {
            continue;
        };
        times.sort();
        let sizes: Vec<usize> = digest.notifications.iter().map(|n| n.sns_size()).collect();
        let report_bytes = digest.report.len();
        println!(
            "{name}: {failing} failing distributions in the results; build median {:.1} ms (min {:.1}, max {:.1}) over {runs} runs",
            times[runs / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[runs - 1].as_secs_f64() * 1e3,
        );
        println!(
            "  {} parts, {} KiB in all (largest {} KiB, budget {} KiB: {}); full report {} KiB of JSON; peak heap during a build {:.1} MB",
            sizes.len(),
            sizes.iter().sum::<usize>() / 1024,
            sizes.iter().max().copied().unwrap_or(0) / 1024,
            SIZE_BUDGET / 1024,
            if sizes.iter().all(|s| *s <= SIZE_BUDGET) { "met" } else { "NOT MET" },
            report_bytes / 1024,
            peak as f64 / 1e6,
        );
    }
}
