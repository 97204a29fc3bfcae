//! The Lambda binary with its state table (`STATE_TABLE`), end to end: the real function through a
//! loopback Runtime API, against the emulator's CloudFront, ACM, SNS, SQS and DynamoDB. What was
//! published is read back from an SQS queue subscribed to the topic (the machine message: the JSON
//! report with each finding's `status` and the top-level `resolved`); what was remembered is read
//! from the table through `TableStore`.

mod support;

use std::time::Duration;

use cloudfront_tls_audit::state::table::TableStore;
use cloudfront_tls_audit::state::{Record, StateStore, Status, Suppression, SuppressionId};
use serde_json::Value;
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{create_distribution, distribution_config, import_acm, DistributionSpec};
use support::state_table::create_state_table;
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator};
use time::OffsetDateTime;

const LIMIT: Duration = Duration::from_secs(120);
const TABLE: &str = "cloudfront-tls-audit-state";
const SWEEP: &str = r#"{"action":"sweep"}"#;

/// A running Lambda binary with its Runtime API.
struct Function {
    api: RuntimeApi,
    _process: tokio::process::Child,
}

impl Function {
    async fn start(emulator: &Emulator, topic_arn: &str, table: Option<&str>) -> Function {
        Function::start_with(emulator, topic_arn, table, &[]).await
    }

    /// The same with more environment variables.
    async fn start_with(
        emulator: &Emulator,
        topic_arn: &str,
        table: Option<&str>,
        env: &[(&str, &str)],
    ) -> Function {
        let api = RuntimeApi::start().await;
        let mut command = api.function_command(
            std::path::Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda")),
            256,
        );
        command
            .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", emulator.endpoint_url())
            .env("TOPIC_ARN", topic_arn)
            // The seeded origins are not on loopback: these tests are about the viewer findings.
            .env("PROBE", "false")
            // No weekly heartbeat: a quiet sweep publishes nothing on any day the tests run.
            .env("HEARTBEAT_DAY", "none");
        if let Some(table) = table {
            command.env("STATE_TABLE", table);
        }
        command.envs(env.iter().copied());
        let process = command.spawn().expect("the Lambda binary starts");
        Function {
            api,
            _process: process,
        }
    }

    async fn invoke(&self, payload: &str) -> Outcome {
        let id = self.api.invoke(payload, Duration::from_secs(300));
        self.api.outcome(&id, LIMIT).await
    }
}

fn succeeded(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(body) => serde_json::from_str(&body).expect("the response is JSON"),
        Outcome::Error(body) => panic!("the invocation failed: {body}"),
    }
}

/// The JSON reports published since the last call.
async fn reports(emulator: &Emulator, queue_url: &str) -> Vec<Value> {
    drain(emulator, queue_url)
        .await
        .iter()
        .filter_map(|envelope| envelope["Message"].as_str())
        .filter_map(|message| serde_json::from_str::<Value>(message).ok())
        .collect()
}

/// `(distribution_id, status)` of every `viewer-alias-not-covered` finding published.
fn alias_findings(reports: &[Value]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = reports
        .iter()
        .flat_map(|r| r["findings"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["code"] == "viewer-alias-not-covered")
        .map(|f| {
            (
                f["distribution_id"].as_str().unwrap_or_default().to_owned(),
                f["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A count of the sweep digest's changes since the last sweep (`digest.since_last_sweep`).
fn since_last_sweep(reports: &[Value], count: &str) -> Option<u64> {
    reports
        .iter()
        .find_map(|r| r["digest"]["since_last_sweep"][count].as_u64())
}

/// The distributions of the per-distribution messages (every report that is not the digest).
fn messaged_distributions(reports: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = reports
        .iter()
        .filter(|r| r.get("digest").is_none())
        .flat_map(|r| r["findings"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["distribution_id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn notes(reports: &[Value]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| r["notes"].as_array().cloned().unwrap_or_default())
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

/// The table's alias records of `distribution`.
async fn alias_records(emulator: &Emulator, distribution: &str) -> Vec<Record> {
    TableStore::new(emulator.dynamodb(), TABLE, 90)
        .records(&[Some(distribution.to_owned())])
        .await
        .expect("read the state table")
        .into_iter()
        .filter(|r| r.code == "viewer-alias-not-covered")
        .collect()
}

/// An ACM certificate for www only, and a distribution serving www and api with it (critical).
async fn uncovered(emulator: &Emulator, reference: &str) -> String {
    create_distribution(
        &emulator.cloudfront(),
        reference,
        &DistributionSpec::new().with_acm(
            &www_only(emulator).await,
            &["www.example.com", "api.example.com"],
        ),
    )
    .await
}

/// An ACM certificate for www and api: a distribution with it fixes what `uncovered` broke.
async fn covering_www_and_api(emulator: &Emulator) -> String {
    import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com", "api.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await
}

async fn www_only(emulator: &Emulator) -> String {
    import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await
}

/// Replaces distribution `id`'s configuration (same caller reference, as CloudFront requires).
async fn update(emulator: &Emulator, id: &str, reference: &str, spec: &DistributionSpec) {
    let cloudfront = emulator.cloudfront();
    let etag = cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .expect("GetDistributionConfig")
        .e_tag
        .expect("ETag");
    cloudfront
        .update_distribution()
        .id(id)
        .if_match(etag)
        .distribution_config(distribution_config(reference, spec))
        .send()
        .await
        .expect("UpdateDistribution");
}

async fn emulator_with_table() -> (Emulator, String, String) {
    let emulator = Emulator::start();
    create_state_table(&emulator.dynamodb(), TABLE).await;
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    (emulator, topic_arn, queue_url)
}

#[tokio::test]
async fn two_sweeps_with_a_change_then_a_sweep_without_one() {
    let (emulator, topic_arn, queue_url) = emulator_with_table().await;
    let stays = uncovered(&emulator, "stays").await;
    let fixed = uncovered(&emulator, "fixed").await;
    let covering = covering_www_and_api(&emulator).await;
    let healthy = DistributionSpec::new().with_acm(&covering, &["www.example.com"]);
    let broken = create_distribution(&emulator.cloudfront(), "broken", &healthy).await;
    let function = Function::start(&emulator, &topic_arn, Some(TABLE)).await;

    // First sweep: both problems are new, and remembered as open.
    succeeded(function.invoke(SWEEP).await);
    let first = reports(&emulator, &queue_url).await;
    assert_eq!(
        alias_findings(&first),
        sorted(vec![
            (stays.clone(), "new".into()),
            (fixed.clone(), "new".into())
        ]),
        "{first:#?}"
    );
    let remembered = alias_records(&emulator, &stays).await;
    assert_eq!(remembered.len(), 1, "{remembered:?}");
    assert_eq!(remembered[0].status, Status::Open);
    let first_seen = remembered[0].first_seen;

    // One fixed, one broken, the other unchanged.
    update(
        &emulator,
        &fixed,
        "fixed",
        &DistributionSpec::new().with_acm(&covering, &["www.example.com", "api.example.com"]),
    )
    .await;
    update(
        &emulator,
        &broken,
        "broken",
        &DistributionSpec::new().with_acm(
            &www_only(&emulator).await,
            &["www.example.com", "api.example.com"],
        ),
    )
    .await;
    succeeded(function.invoke(SWEEP).await);
    let second = reports(&emulator, &queue_url).await;
    // Published in full: only the new finding; the unchanged one is in the digest's Still open.
    assert_eq!(
        alias_findings(&second),
        [(broken.clone(), "new".to_owned())],
        "{second:#?}"
    );
    let still_open: Vec<&str> = second
        .iter()
        .flat_map(|r| r["still_open"].as_array().into_iter().flatten())
        .filter_map(|f| f["distribution_id"].as_str())
        .collect();
    assert!(still_open.contains(&stays.as_str()), "{second:#?}");
    // The digest has one new and one resolved finding, the rest still open; per-distribution
    // messages go out for the new one only. The table says what was resolved, and by what.
    assert_eq!(
        since_last_sweep(&second, "resolved"),
        Some(1),
        "{second:#?}"
    );
    assert_eq!(since_last_sweep(&second, "new"), Some(1), "{second:#?}");
    assert_eq!(
        since_last_sweep(&second, "escalated"),
        Some(0),
        "{second:#?}"
    );
    assert!(since_last_sweep(&second, "still_open").is_some_and(|n| n >= 1));
    assert_eq!(
        messaged_distributions(&second),
        vec![broken.clone()],
        "{second:#?}"
    );
    let resolved_record = alias_records(&emulator, &fixed).await;
    assert_eq!(resolved_record.len(), 1);
    assert_eq!(resolved_record[0].status, Status::Resolved);
    assert_eq!(
        resolved_record[0].resolved_by.as_deref(),
        Some("the daily sweep")
    );
    let still_open = alias_records(&emulator, &stays).await;
    assert_eq!(still_open[0].first_seen, first_seen, "the same finding");

    // Nothing changed: with DIGEST=on-change (the default) and no heartbeat day, nothing at all.
    succeeded(function.invoke(SWEEP).await);
    let third = reports(&emulator, &queue_url).await;
    assert!(third.is_empty(), "{third:#?}");
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

#[tokio::test]
async fn two_concurrent_invocations_on_one_distribution_keep_a_consistent_state() {
    let (emulator, topic_arn, queue_url) = emulator_with_table().await;
    let id = uncovered(&emulator, "raced").await;
    // Two function instances, as Lambda runs them: a sweep and an audit of the same distribution.
    let sweep = Function::start(&emulator, &topic_arn, Some(TABLE)).await;
    let event = Function::start(&emulator, &topic_arn, Some(TABLE)).await;
    let direct = format!(r#"{{"action":"audit","distribution_ids":["{id}"]}}"#);
    let alias_statuses = |published: &[Value]| -> Vec<String> {
        published
            .iter()
            .flat_map(|r| r["findings"].as_array().cloned().unwrap_or_default())
            .filter(|f| f["code"] == "viewer-alias-not-covered")
            .map(|f| f["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for round in 0..3 {
        let (a, b) = tokio::join!(sweep.invoke(SWEEP), event.invoke(&direct));
        succeeded(a);
        succeeded(b);
        let records = alias_records(&emulator, &id).await;
        assert_eq!(records.len(), 1, "one record per finding: {records:?}");
        assert_eq!(records[0].status, Status::Open);
        // Each round writes at least once (last_seen moves), and versions only grow.
        assert!(
            records[0].version > round,
            "round {round}: {:?}",
            records[0]
        );
        let statuses = alias_statuses(&reports(&emulator, &queue_url).await);
        let new = statuses.iter().filter(|s| *s == "new").count();
        if round == 0 {
            // Announced as new, never lost. How many messages say so depends on the race: a
            // sweep that wins says it in its digest and in a per-distribution message, and the
            // loser of an overlapping write race keeps its first reading on retry.
            assert!(new >= 1, "{statuses:?}");
        } else {
            assert_eq!(new, 0, "round {round}: known since round 0: {statuses:?}");
        }
    }
}

#[tokio::test]
async fn an_expired_suppression_reopens_its_finding_as_new_with_a_note() {
    let (emulator, topic_arn, queue_url) = emulator_with_table().await;
    let id = uncovered(&emulator, "accepted").await;
    let store = TableStore::new(emulator.dynamodb(), TABLE, 90);
    let now = OffsetDateTime::now_utc();
    let mut suppression = Suppression {
        id: SuppressionId("s-accepted".into()),
        code: "viewer-alias-not-covered".into(),
        distribution_id: Some(id.clone()),
        subject: None,
        reason: "api moves to its own distribution".into(),
        created_by: "ops".into(),
        created_at: now - time::Duration::days(30),
        expires_at: now + time::Duration::days(30),
    };
    store.add_suppression(&suppression).await.expect("add");
    let function = Function::start(&emulator, &topic_arn, Some(TABLE)).await;

    succeeded(function.invoke(SWEEP).await);
    let first = reports(&emulator, &queue_url).await;
    assert!(
        alias_findings(&first)
            .iter()
            .all(|(_, status)| status == "suppressed"),
        "{first:#?}"
    );
    assert_eq!(
        alias_records(&emulator, &id).await[0].status,
        Status::Suppressed
    );

    // The same suppression, now past its expiry.
    assert!(store
        .remove_suppression(&suppression.id)
        .await
        .expect("remove"));
    suppression.expires_at = now - time::Duration::days(1);
    store.add_suppression(&suppression).await.expect("re-add");
    succeeded(function.invoke(SWEEP).await);
    let second = reports(&emulator, &queue_url).await;
    assert_eq!(
        alias_findings(&second),
        [(id.clone(), "new".to_owned())],
        "{second:#?}"
    );
    assert!(
        notes(&second).iter().any(|n| n.contains("s-accepted")),
        "{:?}",
        notes(&second)
    );
    assert_eq!(alias_records(&emulator, &id).await[0].status, Status::Open);
}

#[tokio::test]
async fn a_state_failure_publishes_everything_as_new_then_fails_the_invocation() {
    let emulator = Emulator::start();
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    let id = uncovered(&emulator, "no-table").await;
    // The table is gone (or the role lost it): every read fails.
    let function = Function::start(&emulator, &topic_arn, Some("deleted-table")).await;
    let outcome = function.invoke(SWEEP).await;
    let Outcome::Error(body) = outcome else {
        panic!("the invocation must fail so that the event is retried: {outcome:?}");
    };
    assert!(
        body.contains("deleted-table") && body.contains("published as new"),
        "{body}"
    );
    let published = reports(&emulator, &queue_url).await;
    assert_eq!(
        alias_findings(&published),
        [(id, "new".to_owned())],
        "{published:#?}"
    );
    assert!(
        notes(&published)
            .iter()
            .any(|n| n.contains("state unavailable") && n.contains("deleted-table")),
        "{:?}",
        notes(&published)
    );
}

#[tokio::test]
async fn without_a_state_table_every_finding_is_new_and_the_report_says_so() {
    let emulator = Emulator::start();
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    let id = uncovered(&emulator, "stateless").await;
    let function = Function::start(&emulator, &topic_arn, None).await;
    for _ in 0..2 {
        succeeded(function.invoke(SWEEP).await);
        let published = reports(&emulator, &queue_url).await;
        assert_eq!(alias_findings(&published), [(id.clone(), "new".to_owned())]);
        assert!(
            notes(&published)
                .iter()
                .any(|n| n.contains("no state (STATE_TABLE not set)")),
            "{:?}",
            notes(&published)
        );
    }
}

/// Every finding in the emulator's Security Hub whose code is `code`.
async fn hub_findings(
    emulator: &Emulator,
    code: &str,
) -> Vec<aws_sdk_securityhub::types::AwsSecurityFinding> {
    let hub = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let page = hub
        .get_findings()
        .max_results(100)
        .send()
        .await
        .expect("GetFindings");
    page.findings()
        .iter()
        .filter(|f| f.generator_id() == Some(code))
        .cloned()
        .collect()
}

#[tokio::test]
async fn security_hub_gets_every_sweeps_findings_and_archives_the_fixed_one() {
    use aws_sdk_securityhub::types::{ComplianceStatus, RecordState};
    let (emulator, topic_arn, _queue_url) = emulator_with_table().await;
    let stays = uncovered(&emulator, "stays").await;
    let fixed = uncovered(&emulator, "fixed").await;
    let covering = covering_www_and_api(&emulator).await;
    aws_sdk_securityhub::Client::new(&emulator.sdk_config())
        .enable_security_hub()
        .send()
        .await
        .expect("EnableSecurityHub");
    let function = Function::start_with(
        &emulator,
        &topic_arn,
        Some(TABLE),
        &[("SECURITY_HUB", "true")],
    )
    .await;

    // First sweep: both findings imported, failed and active, under their fingerprints (the
    // account is the invoked function's).
    let response = succeeded(function.invoke(SWEEP).await);
    assert_eq!(response["security_hub"]["status"], "imported", "{response}");
    let imported = hub_findings(&emulator, "viewer-alias-not-covered").await;
    assert_eq!(imported.len(), 2, "{imported:#?}");
    for finding in &imported {
        assert!(finding
            .id()
            .is_some_and(|id| id.starts_with("cfta1/111122223333/")));
        assert_eq!(finding.record_state(), Some(&RecordState::Active));
        assert_eq!(
            finding.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::Failed)
        );
    }

    // One fixed: the second sweep refreshes the other and archives it.
    update(
        &emulator,
        &fixed,
        "fixed",
        &DistributionSpec::new().with_acm(&covering, &["www.example.com", "api.example.com"]),
    )
    .await;
    let response = succeeded(function.invoke(SWEEP).await);
    assert_eq!(response["security_hub"]["archived"], 1, "{response}");
    let after = hub_findings(&emulator, "viewer-alias-not-covered").await;
    assert_eq!(after.len(), 2, "updated in place: {after:#?}");
    let of = |distribution: &str| {
        after
            .iter()
            .find(|f| {
                f.id()
                    .is_some_and(|id| id.contains(&format!("/{distribution}/")))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no Security Hub finding for {distribution}: {after:#?}"))
    };
    let archived = of(&fixed);
    assert_eq!(archived.record_state(), Some(&RecordState::Archived));
    assert_eq!(
        archived.compliance().and_then(|c| c.status()),
        Some(&ComplianceStatus::Passed)
    );
    assert_eq!(of(&stays).record_state(), Some(&RecordState::Active));
}
