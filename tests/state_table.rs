//! The DynamoDB state store (`src/state/table.rs`) against moto's DynamoDB, through the real SDK:
//! round trip by `Query` and by `Scan`, conditional writes that detect a lost race, batched
//! transactions, records not rewritten when unchanged, the TTL attribute of resolved records,
//! malformed and foreign items skipped with a note, suppressions.

mod support;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use cloudfront_tls_audit::finding::Severity;
use cloudfront_tls_audit::state::table::{TableStore, QUERY_LIMIT, TRANSACTION_LIMIT};
use cloudfront_tls_audit::state::{
    Fingerprint, Record, StateError, StateStore, Status, Suppression, SuppressionId,
};
use support::state_table::create_state_table;
use support::{CallCounter, Emulator};
use time::macros::datetime;
use time::OffsetDateTime;

const TABLE: &str = "cloudfront-tls-audit-state";
const RETENTION_DAYS: u64 = 90;

/// A store over the emulator's table whose calls `counter` counts.
fn store(emulator: &Emulator, counter: &CallCounter) -> TableStore {
    let config = aws_sdk_dynamodb::config::Builder::from(&emulator.sdk_config())
        .interceptor(counter.clone())
        .build();
    TableStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        TABLE,
        RETENTION_DAYS,
    )
}

async fn emulator_with_table() -> Emulator {
    let emulator = Emulator::start();
    create_state_table(&emulator.dynamodb(), TABLE).await;
    emulator
}

fn record(distribution: Option<&str>, subject: &str) -> Record {
    let scope = distribution.unwrap_or("account");
    let fingerprint = Fingerprint::parse(&format!(
        "cfta1/111122223333/{scope}/viewer-alias-not-covered/{subject}"
    ))
    .expect("fingerprint");
    Record {
        fingerprint,
        code: "viewer-alias-not-covered".into(),
        distribution_id: distribution.map(str::to_owned),
        subject: subject.into(),
        severity: Severity::High,
        status: Status::Open,
        first_seen: datetime!(2026-01-01 06:00 UTC),
        last_seen: datetime!(2026-01-01 06:00 UTC),
        last_notified: None,
        resolved_at: None,
        resolved_by: None,
        version: 1,
    }
}

/// The same record as the next version, seen again at `now`.
fn seen_again(record: &Record, now: OffsetDateTime) -> Record {
    Record {
        last_seen: now,
        version: record.version + 1,
        ..record.clone()
    }
}

fn sorted(mut records: Vec<Record>) -> Vec<Record> {
    records.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    records
}

async fn raw_item(emulator: &Emulator, pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
    emulator
        .dynamodb()
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .send()
        .await
        .expect("GetItem")
        .item
        .unwrap_or_default()
}

#[tokio::test]
async fn records_round_trip_by_query_for_a_few_distributions_and_by_scan_for_a_sweep() {
    let emulator = emulator_with_table().await;
    let counter = CallCounter::default();
    let store = store(&emulator, &counter);
    let mut records = vec![
        record(Some("E1"), "www.example.com"),
        record(Some("E1"), "api.example.com"),
        record(Some("E2"), "www.example.org"),
        record(None, "arn:aws:iam::111122223333:server-certificate/a/b"),
    ];
    records[1].resolved_by =
        Some("UpdateDistribution by arn:aws:iam::111122223333:user/ops".into());
    store.write(&records).await.expect("write");
    assert_eq!(counter.count("TransactWriteItems"), 1, "one transaction");

    // A few distributions: one Query each.
    let few = TableStore::new(emulator.dynamodb(), TABLE, RETENTION_DAYS);
    let read = few
        .records(&[Some("E1".into()), None])
        .await
        .expect("records");
    let expected: Vec<Record> = records
        .iter()
        .filter(|r| r.distribution_id.as_deref() != Some("E2"))
        .cloned()
        .collect();
    assert_eq!(sorted(read), sorted(expected));
    assert_eq!(
        few.records(&[]).await.expect("nothing asked"),
        [],
        "an empty slice reads nothing"
    );

    // A sweep: more distributions than QUERY_LIMIT, one Scan, only those asked for kept.
    let counter = CallCounter::default();
    let sweep = self::store(&emulator, &counter);
    let mut asked: Vec<Option<String>> = (0..QUERY_LIMIT + 8)
        .map(|i| Some(format!("EX{i}")))
        .collect();
    asked.extend([Some("E1".into()), Some("E2".into()), None]);
    let read = sweep.records(&asked).await.expect("records");
    assert_eq!(sorted(read), sorted(records.clone()));
    assert_eq!(counter.count("Scan"), 1, "{:?}", counter.snapshot());
    assert_eq!(counter.count("Query"), 0);
}

#[tokio::test]
async fn a_write_on_a_version_another_run_changed_is_detected_as_a_lost_race() {
    let emulator = emulator_with_table().await;
    let counter = CallCounter::default();
    let first = record(Some("E1"), "www.example.com");
    store(&emulator, &counter)
        .write(std::slice::from_ref(&first))
        .await
        .expect("first write");

    // Two runs read version 1.
    let (a, b) = (store(&emulator, &counter), store(&emulator, &counter));
    let read_a = a.records(&[Some("E1".into())]).await.expect("read a");
    let read_b = b.records(&[Some("E1".into())]).await.expect("read b");
    assert_eq!(
        (read_a.clone(), read_b.clone()),
        (vec![first.clone()], vec![first.clone()])
    );

    // A writes version 2; B's write of its version 2 loses, and nothing of B's transaction lands.
    let by_a = seen_again(&read_a[0], datetime!(2026-01-02 06:00 UTC));
    a.write(std::slice::from_ref(&by_a)).await.expect("a wins");
    let mut by_b = seen_again(&read_b[0], datetime!(2026-01-02 06:01 UTC));
    by_b.status = Status::Resolved;
    by_b.resolved_at = Some(datetime!(2026-01-02 06:01 UTC));
    let other = record(Some("E1"), "other.example.com");
    let err = b
        .write(&[by_b.clone(), other.clone()])
        .await
        .expect_err("b loses");
    assert!(
        matches!(&err, StateError::Contended { fingerprint } if *fingerprint == first.fingerprint),
        "{err}"
    );
    let stored = a.records(&[Some("E1".into())]).await.expect("read");
    assert_eq!(
        stored,
        std::slice::from_ref(&by_a),
        "A's version 2 stands, alone"
    );

    // B reads again and writes on version 2: version 3, monotonic.
    let again = b.records(&[Some("E1".into())]).await.expect("re-read");
    let mut retried = seen_again(&again[0], datetime!(2026-01-02 06:01 UTC));
    retried.status = Status::Resolved;
    retried.resolved_at = by_b.resolved_at;
    b.write(&[retried.clone(), other.clone()])
        .await
        .expect("b retried");
    let stored = sorted(a.records(&[Some("E1".into())]).await.expect("read"));
    assert_eq!(stored, sorted(vec![retried.clone(), other]));
    assert_eq!(retried.version, 3);

    // A new record that another run created meanwhile is a lost race too.
    let fresh = record(Some("E3"), "www.example.net");
    a.write(std::slice::from_ref(&fresh))
        .await
        .expect("created");
    let err = b.write(&[fresh]).await.expect_err("already there");
    assert!(matches!(err, StateError::Contended { .. }), "{err}");
}

#[tokio::test]
async fn writes_go_in_transactions_of_at_most_one_hundred_and_unchanged_records_are_not_rewritten()
{
    let emulator = emulator_with_table().await;
    let counter = CallCounter::default();
    let store = store(&emulator, &counter);
    let records: Vec<Record> = (0..250)
        .map(|i| record(Some(&format!("E{}", i % 40)), &format!("a{i}.example.com")))
        .collect();
    store.write(&records).await.expect("write");
    assert_eq!(
        counter.count("TransactWriteItems"),
        250usize.div_ceil(TRANSACTION_LIMIT)
    );

    let counter = CallCounter::default();
    let next_run = self::store(&emulator, &counter);
    let asked: Vec<Option<String>> = (0..40).map(|i| Some(format!("E{i}"))).collect();
    let read = next_run.records(&asked).await.expect("read");
    assert_eq!(read.len(), 250);
    // Version bumped, nothing else: not written. One record seen later: one put.
    let mut unchanged: Vec<Record> = read
        .iter()
        .map(|r| Record {
            version: r.version + 1,
            ..r.clone()
        })
        .collect();
    unchanged[7].last_seen = datetime!(2026-01-02 06:00 UTC);
    next_run.write(&unchanged).await.expect("write");
    assert_eq!(
        counter.count("TransactWriteItems"),
        1,
        "{:?}",
        counter.snapshot()
    );
    let stored = next_run
        .records(&[unchanged[7].distribution_id.clone()])
        .await
        .expect("read");
    assert!(stored.contains(&unchanged[7]));
    next_run.write(&[]).await.expect("nothing to write");
    assert_eq!(counter.count("TransactWriteItems"), 1);
}

#[tokio::test]
async fn a_resolved_record_carries_its_ttl_and_an_open_one_none() {
    let emulator = emulator_with_table().await;
    let store = TableStore::new(emulator.dynamodb(), TABLE, RETENTION_DAYS);
    let open = record(Some("E1"), "open.example.com");
    let mut resolved = record(Some("E1"), "fixed.example.com");
    resolved.status = Status::Resolved;
    resolved.resolved_at = Some(datetime!(2026-03-01 06:00 UTC));
    resolved.resolved_by = Some("the daily sweep".into());
    store
        .write(&[open.clone(), resolved.clone()])
        .await
        .expect("write");

    let item = raw_item(&emulator, "E1", resolved.fingerprint.as_str()).await;
    let expected = (datetime!(2026-03-01 06:00 UTC) + time::Duration::days(90)).unix_timestamp();
    assert_eq!(
        item.get("expires_at"),
        Some(&AttributeValue::N(expected.to_string())),
        "{item:?}"
    );
    let item = raw_item(&emulator, "E1", open.fingerprint.as_str()).await;
    assert!(
        !item.is_empty() && !item.contains_key("expires_at"),
        "{item:?}"
    );
}

#[tokio::test]
async fn malformed_and_foreign_items_are_skipped_with_a_note_and_replaced_when_in_the_way() {
    let emulator = emulator_with_table().await;
    let good = record(Some("E1"), "www.example.com");
    let store = TableStore::new(emulator.dynamodb(), TABLE, RETENTION_DAYS);
    store
        .write(std::slice::from_ref(&good))
        .await
        .expect("write");
    let broken = record(Some("E1"), "broken.example.com");
    let s = |v: &str| AttributeValue::S(v.into());
    // A record without its severity, and an item of another tool in the same partition.
    emulator
        .dynamodb()
        .put_item()
        .table_name(TABLE)
        .item("pk", s("E1"))
        .item("sk", s(broken.fingerprint.as_str()))
        .item("status", s("open"))
        .item("version", AttributeValue::N("4".into()))
        .send()
        .await
        .expect("put malformed");
    emulator
        .dynamodb()
        .put_item()
        .table_name(TABLE)
        .item("pk", s("E1"))
        .item("sk", s("someone-elses-key"))
        .send()
        .await
        .expect("put foreign");

    let reader = TableStore::new(emulator.dynamodb(), TABLE, RETENTION_DAYS);
    let read = reader.records(&[Some("E1".into())]).await.expect("read");
    assert_eq!(read, std::slice::from_ref(&good));
    let notes = reader.skipped();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes.iter().any(
            |n| n.contains("broken.example.com") && n.contains("attribute severity is missing")
        ),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("someone-elses-key") && n.contains("not a fingerprint")),
        "{notes:?}"
    );

    // This run found the broken one: its record (version 1, never read) replaces the item.
    reader
        .write(std::slice::from_ref(&broken))
        .await
        .expect("replaced");
    let read = reader.records(&[Some("E1".into())]).await.expect("read");
    assert_eq!(sorted(read), sorted(vec![good, broken]));
    assert!(
        reader.skipped().iter().any(|n| n.contains("replaced")),
        "{:?}",
        reader.skipped()
    );
}

#[tokio::test]
async fn suppressions_are_added_listed_and_removed_in_their_own_partition() {
    let emulator = emulator_with_table().await;
    let store = TableStore::new(emulator.dynamodb(), TABLE, RETENTION_DAYS);
    let suppression = Suppression {
        id: SuppressionId("s-1".into()),
        code: "viewer-alias-not-covered".into(),
        distribution_id: Some("E1".into()),
        subject: Some("*.example.com".into()),
        reason: "accepted until the migration".into(),
        created_by: "arn:aws:iam::111122223333:user/ops".into(),
        created_at: datetime!(2026-01-01 00:00 UTC),
        expires_at: datetime!(2026-02-01 00:00 UTC),
    };
    store.add_suppression(&suppression).await.expect("add");
    let err = store
        .add_suppression(&suppression)
        .await
        .expect_err("same id twice");
    assert!(matches!(err, StateError::InvalidSuppression(_)), "{err}");
    assert_eq!(
        store.suppressions().await.expect("list"),
        std::slice::from_ref(&suppression)
    );
    // Not a record of any distribution, not even in a sweep's Scan.
    let asked: Vec<Option<String>> = (0..QUERY_LIMIT + 1)
        .map(|i| Some(format!("E{i}")))
        .collect();
    assert_eq!(store.records(&asked).await.expect("scan"), []);
    assert!(store.skipped().is_empty(), "{:?}", store.skipped());
    // Kept RESOLVED_RETENTION_DAYS past its expiry, so that its expiry is reported first.
    let item = raw_item(&emulator, "#suppressions", "s-1").await;
    let ttl = (datetime!(2026-02-01 00:00 UTC) + time::Duration::days(90)).unix_timestamp();
    assert_eq!(
        item.get("expires_at"),
        Some(&AttributeValue::N(ttl.to_string()))
    );

    assert!(store
        .remove_suppression(&suppression.id)
        .await
        .expect("remove"));
    assert!(!store
        .remove_suppression(&suppression.id)
        .await
        .expect("remove again"));
    assert_eq!(store.suppressions().await.expect("list"), []);
}

#[tokio::test]
async fn a_missing_table_is_an_error_that_names_it_and_says_what_to_check() {
    let emulator = Emulator::start();
    let store = TableStore::new(emulator.dynamodb(), "no-such-table", RETENTION_DAYS);
    let err = store
        .records(&[Some("E1".into())])
        .await
        .expect_err("no table");
    let text = err.to_string();
    assert!(
        matches!(err, StateError::Table { action: "read", .. })
            && text.contains("no-such-table")
            && text.contains("check that the table exists"),
        "{text}"
    );
    let err = store
        .write(&[record(Some("E1"), "www.example.com")])
        .await
        .expect_err("no table");
    assert!(
        matches!(
            err,
            StateError::Table {
                action: "written",
                ..
            }
        ),
        "{err}"
    );
}
