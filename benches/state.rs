//! The state pass of a daily sweep at scale: 1,000 distributions with 2,000 findings, remembered
//! through the DynamoDB store (`src/state/table.rs`) against the emulator's DynamoDB. Three passes:
//! the first sweep (every finding new), a second sweep of the same findings (every record read,
//! `last_seen` rewritten), and an event on one distribution. Reports each pass's wall time and its
//! DynamoDB calls by operation: reads are a `Scan` (a sweep) or a `Query` per distribution (an
//! event), writes go in `TransactWriteItems` of 100; no call is made per finding.
//!
//! Run with `make bench` (or `cargo bench --locked --bench state`); results in docs/benchmarks.md.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use cloudfront_tls_audit::catalogue::ALIAS_NOT_COVERED;
use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::report::Report;
use cloudfront_tls_audit::state::table::TableStore;
use cloudfront_tls_audit::state::{check_of, remember, Coverage, RunContext, RunFacts};
use support::state_table::create_state_table;
use support::{CallCounter, Emulator};
use time::macros::datetime;
use time::OffsetDateTime;

const DISTRIBUTIONS: usize = 1_000;
const FINDINGS_PER_DISTRIBUTION: usize = 2;
const TABLE: &str = "cloudfront-tls-audit-state";

/// A sweep's report: two `viewer-alias-not-covered` findings per distribution, every check of
/// theirs having run (so that the state may resolve what is gone).
fn report(distributions: &[String]) -> Report {
    let mut findings = Vec::new();
    let mut coverage = Coverage::default();
    let check = check_of(ALIAS_NOT_COVERED.code);
    for id in distributions {
        for n in 0..FINDINGS_PER_DISTRIBUTION {
            findings.push(
                Finding::builder(&ALIAS_NOT_COVERED)
                    .distribution(id)
                    .subject(format!("alias{n}.{id}.example.com"))
                    .build(),
            );
        }
        coverage
            .distributions
            .insert(id.clone(), BTreeSet::from([check]));
    }
    let mut report = Report::new(findings, distributions.len(), Vec::new());
    report.coverage = coverage;
    report
}

/// One state pass: its wall time and its DynamoDB calls.
async fn pass(
    emulator: &Emulator,
    distributions: &[String],
    now: OffsetDateTime,
    trigger: &str,
) -> (f64, BTreeMap<String, usize>) {
    let counter = CallCounter::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&emulator.sdk_config())
        .interceptor(counter.clone())
        .build();
    let store = TableStore::new(aws_sdk_dynamodb::Client::from_conf(config), TABLE, 90);
    let mut report = report(distributions);
    let context = RunContext {
        facts: RunFacts {
            account: "111122223333",
            now,
            trigger,
            remind_after_days: 7,
        },
        extra_suppressions: &[],
    };
    let started = Instant::now();
    remember(&store, &mut report, &context)
        .await
        .expect("the state pass");
    (started.elapsed().as_secs_f64(), counter.snapshot())
}

#[tokio::main]
async fn main() {
    let emulator = Emulator::start();
    create_state_table(&emulator.dynamodb(), TABLE).await;
    let all: Vec<String> = (0..DISTRIBUTIONS).map(|n| format!("E{n:05}")).collect();
    let findings = DISTRIBUTIONS * FINDINGS_PER_DISTRIBUTION;
    println!("state pass: {DISTRIBUTIONS} distributions, {findings} findings, moto DynamoDB");
    let passes = [
        (
            "first sweep (all new)",
            all.clone(),
            datetime!(2026-12-01 06:00 UTC),
            "the daily sweep",
        ),
        (
            "second sweep (all open)",
            all.clone(),
            datetime!(2026-12-02 06:00 UTC),
            "the daily sweep",
        ),
        (
            "event on one distribution",
            vec![all[0].clone()],
            datetime!(2026-12-02 09:00 UTC),
            "UpdateDistribution by bench",
        ),
    ];
    for (name, distributions, now, trigger) in passes {
        let (seconds, calls) = pass(&emulator, &distributions, now, trigger).await;
        let total: usize = calls.values().sum();
        println!("{name}: {seconds:.2} s, {total} DynamoDB calls {calls:?}");
    }
}
