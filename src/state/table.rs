//! The Lambda's state: a [`StateStore`] over one DynamoDB table (`STATE_TABLE`, created by
//! `template.yaml`).
//!
//! **Key schema.** Partition key `pk`, sort key `sk`, both strings:
//!
//! * a finding's record: `pk` = its distribution id ([`ACCOUNT_LEVEL`] at account level), `sk` = its
//!   fingerprint. An event audits a few distributions: one `Query` per distribution reads exactly
//!   their records. A sweep reads every record: one paginated `Scan` (1 MB a page) reads them all in
//!   a handful of calls, where a `Query` per distribution would cost one call per distribution.
//!   [`QUERY_LIMIT`] distributions or fewer are queried, more are scanned.
//! * a suppression: `pk` = [`SUPPRESSIONS_PARTITION`] (no distribution id starts with `#`), `sk` =
//!   its id. One table rather than two: one grant, one key, one backup and one TTL setting, and
//!   `suppress list` is one `Query`. A sweep's `Scan` passes over the suppressions (a few items).
//!
//! **Writes** are conditional on the version read ([`Record::version`]): `attribute_not_exists(sk)`
//! for a new record, `version = :read` otherwise, batched in `TransactWriteItems` of at most
//! [`TRANSACTION_LIMIT`] puts (the API's limit; `BatchWriteItem` takes no condition, and a
//! `PutItem` per record would be a round trip per finding). A transaction is all or nothing: when
//! another run changed one of its records since it was read, nothing of it is written and the
//! store answers [`StateError::Contended`]; `state::remember` then reads and reconciles again
//! with this run's observations (a store cannot merge two runs' records correctly without them).
//! Transactions cancelled for passing reasons (a concurrent transaction on the same items,
//! throttling) are retried as they are, at most [`WRITE_ATTEMPTS`] times. A record whose content
//! did not change since it was read (only its version would be bumped) is not written.
//!
//! **TTL.** Resolved records carry `expires_at` (epoch seconds) = `resolved_at` +
//! `RESOLVED_RETENTION_DAYS`; suppressions carry their expiry + the same retention, so an expired
//! suppression is still there to be reported before DynamoDB deletes it. Open and suppressed
//! records never expire.
//!
//! **Malformed items** (written by hand, by another tool, or missing attributes) are skipped with a
//! note ([`TableStore::skipped`]), never a panic; a malformed item in the way of a write is replaced.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::stream::{self, StreamExt, TryStreamExt};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{
    Fingerprint, Record, StateError, StateStore, Status, Suppression, SuppressionId, ACCOUNT_LEVEL,
};
use crate::finding::Severity;
use crate::inventory::CallError;

/// The IAM action behind the reads of a few distributions (listed in
/// [`crate::permissions::AWS_ACTIONS`]).
pub(crate) const QUERY: &str = "dynamodb:Query";
/// The IAM action behind a sweep's read of every record.
pub(crate) const SCAN: &str = "dynamodb:Scan";
/// The IAM action behind each put of a `TransactWriteItems` (IAM authorises a transaction item by
/// item) and behind `suppress add`.
pub(crate) const PUT_ITEM: &str = "dynamodb:PutItem";
/// The IAM action behind `suppress remove`: the CLI's, never the function's (not granted to it).
pub const DELETE_ITEM: &str = "dynamodb:DeleteItem";

/// The partition key attribute.
pub const PARTITION_KEY: &str = "pk";
/// The sort key attribute.
pub const SORT_KEY: &str = "sk";
/// The partition of the suppressions.
pub const SUPPRESSIONS_PARTITION: &str = "#suppressions";
/// The TTL attribute (epoch seconds), as `template.yaml`'s `TimeToLiveSpecification` names it.
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// Most puts in one `TransactWriteItems` (the API's limit).
pub const TRANSACTION_LIMIT: usize = 100;
/// Reads of this many distributions or fewer are `Query`s; more are one `Scan`.
pub const QUERY_LIMIT: usize = 32;
/// `Query`s in flight at once.
const QUERY_CONCURRENCY: usize = 8;
/// Attempts of one transaction, the first included, before a lost race is reported.
pub const WRITE_ATTEMPTS: u32 = 5;

/// A DynamoDB item.
type Item = HashMap<String, AttributeValue>;

/// The state in a DynamoDB table. One per run: it remembers the records it read, so that a record
/// whose content did not change is not rewritten.
#[derive(Debug)]
pub struct TableStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    retention: time::Duration,
    read: Mutex<HashMap<Fingerprint, Record>>,
    skipped: Mutex<Vec<String>>,
}

impl TableStore {
    /// A store over `table` with `client`; resolved records and expired suppressions are kept
    /// `retention_days` (`RESOLVED_RETENTION_DAYS`) before DynamoDB's TTL deletes them.
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        retention_days: u64,
    ) -> TableStore {
        TableStore {
            client,
            table: table.into(),
            retention: time::Duration::days(i64::try_from(retention_days).unwrap_or(i64::MAX)),
            read: Mutex::default(),
            skipped: Mutex::default(),
        }
    }

    /// A store with the crate's client set-up (timeouts and retries of [`crate::aws`]), in the
    /// configuration's region: the table is the stack's, in the function's region.
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
        table: impl Into<String>,
        retention_days: u64,
    ) -> TableStore {
        TableStore::new(aws_sdk_dynamodb::Client::new(config), table, retention_days)
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// What was skipped so far, one line each (malformed or foreign items), for the report's notes.
    pub fn skipped(&self) -> Vec<String> {
        self.skipped.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn skip(&self, what: String) {
        tracing::warn!(
            table = self.table.as_str(),
            item = what.as_str(),
            "state item skipped"
        );
        if let Ok(mut skipped) = self.skipped.lock() {
            skipped.push(what);
        }
    }

    fn error<E>(&self, action: &'static str, err: &SdkError<E, HttpResponse>) -> StateError
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        StateError::Table {
            table: self.table.clone(),
            action,
            reason: format!(
                "{}; check that the table exists in this region and that the caller may use it and its KMS key",
                CallError::from_sdk(err).message
            ),
        }
    }

    /// Every item of partition `pk` (a `Query`), or of the table (`None`: a `Scan`), page by page.
    async fn read_pages(&self, pk: Option<String>) -> Result<Vec<Item>, StateError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let (page, next) = match pk.as_deref() {
                Some(pk) => {
                    let page = self
                        .client
                        .query()
                        .set_exclusive_start_key(start.take())
                        .consistent_read(true)
                        .table_name(&self.table)
                        .key_condition_expression("#pk = :pk")
                        .expression_attribute_names("#pk", PARTITION_KEY)
                        .expression_attribute_values(":pk", s(pk))
                        .send()
                        .await
                        .map_err(|e| self.error("read", &e))?;
                    (page.items, page.last_evaluated_key)
                }
                None => {
                    let page = self
                        .client
                        .scan()
                        .table_name(&self.table)
                        .consistent_read(true)
                        .set_exclusive_start_key(start.take())
                        .send()
                        .await
                        .map_err(|e| self.error("read", &e))?;
                    (page.items, page.last_evaluated_key)
                }
            };
            items.extend(page.unwrap_or_default());
            match next {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// One transaction of at most [`TRANSACTION_LIMIT`] records. A record another run changed
    /// since it was read fails its condition: the whole transaction is cancelled (nothing of it is
    /// written) and [`StateError::Contended`] names the record, for the caller to read and reconcile
    /// again. A transaction cancelled for any other passing reason (another transaction on the same
    /// items, throttling) is retried as it is, at most [`WRITE_ATTEMPTS`] times.
    async fn write_batch(&self, batch: &[Record]) -> Result<(), StateError> {
        // Records whose stored item is malformed: replaced without a version condition.
        let mut replace: HashSet<Fingerprint> = HashSet::new();
        for attempt in 1..=WRITE_ATTEMPTS {
            let puts = batch
                .iter()
                .map(|record| self.put(record, replace.contains(&record.fingerprint)))
                .collect::<Result<Vec<_>, _>>()?;
            let err = match self
                .client
                .transact_write_items()
                .set_transact_items(Some(puts))
                .send()
                .await
            {
                Ok(_) => {
                    if let Ok(mut read) = self.read.lock() {
                        for record in batch {
                            read.insert(record.fingerprint.clone(), record.clone());
                        }
                    }
                    return Ok(());
                }
                Err(err) => err,
            };
            let reasons = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    cancelled.cancellation_reasons().to_vec()
                }
                _ => return Err(self.error("written", &err)),
            };
            self.after_cancellation(batch, &reasons, &mut replace)?;
            tracing::info!(
                table = self.table.as_str(),
                attempt,
                "state transaction cancelled without a lost race; retrying"
            );
        }
        Err(StateError::Table {
            table: self.table.clone(),
            action: "written",
            reason: format!(
                "the transaction was cancelled {WRITE_ATTEMPTS} times (conflicting transactions or throttling); the next run writes it again"
            ),
        })
    }

    /// Reads a cancelled transaction's reasons, item by item: a lost race is
    /// [`StateError::Contended`]; a malformed stored item is noted and marked for replacement;
    /// passing reasons (none for this item, a concurrent transaction, throttling) let the caller
    /// retry; anything else is an error naming the record.
    fn after_cancellation(
        &self,
        batch: &[Record],
        reasons: &[CancellationReason],
        replace: &mut HashSet<Fingerprint>,
    ) -> Result<(), StateError> {
        for (index, record) in batch.iter().enumerate() {
            let reason = reasons.get(index);
            match reason.and_then(CancellationReason::code) {
                Some("ConditionalCheckFailed") => {
                    let stored = reason.and_then(CancellationReason::item);
                    match stored.map(record_from_item) {
                        Some(Err(why)) => {
                            self.skip(format!(
                                "{}: the stored item is malformed ({why}); replaced",
                                record.fingerprint
                            ));
                            replace.insert(record.fingerprint.clone());
                        }
                        _ => {
                            return Err(StateError::Contended {
                                fingerprint: record.fingerprint.clone(),
                            })
                        }
                    }
                }
                None
                | Some(
                    "None"
                    | "TransactionConflict"
                    | "ThrottlingError"
                    | "ProvisionedThroughputExceeded"
                    | "RequestLimitExceeded",
                ) => {}
                Some(code) => {
                    return Err(StateError::Table {
                        table: self.table.clone(),
                        action: "written",
                        reason: format!(
                            "{} was refused: {code}: {}",
                            record.fingerprint,
                            reason
                                .and_then(CancellationReason::message)
                                .unwrap_or("no message")
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    /// The conditional put of `record`: absent for a first version, else at the version read.
    fn put(&self, record: &Record, replace: bool) -> Result<TransactWriteItem, StateError> {
        let item = record_item(record, self.retention).map_err(|reason| StateError::Table {
            table: self.table.clone(),
            action: "written",
            reason,
        })?;
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if !replace {
            put = if record.version <= 1 {
                put.condition_expression("attribute_not_exists(#sk)")
                    .expression_attribute_names("#sk", SORT_KEY)
            } else {
                put.condition_expression("#version = :read")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(
                        ":read",
                        AttributeValue::N((record.version - 1).to_string()),
                    )
            };
        }
        let put = put.build().map_err(|e| StateError::Table {
            table: self.table.clone(),
            action: "written",
            reason: e.to_string(),
        })?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl StateStore for TableStore {
    async fn records(&self, distributions: &[Option<String>]) -> Result<Vec<Record>, StateError> {
        let wanted: Vec<String> = distributions
            .iter()
            .map(|d| partition_of(d.as_deref()).to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let items = if wanted.is_empty() {
            Vec::new()
        } else if wanted.len() <= QUERY_LIMIT {
            stream::iter(wanted.into_iter().map(|pk| self.read_pages(Some(pk))))
                .buffer_unordered(QUERY_CONCURRENCY)
                .try_concat()
                .await?
        } else {
            let wanted: HashSet<String> = wanted.into_iter().collect();
            self.read_pages(None)
                .await?
                .into_iter()
                .filter(|item| text(item, PARTITION_KEY).is_ok_and(|pk| wanted.contains(pk)))
                .collect()
        };
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            match record_from_item(&item) {
                Ok(record) => records.push(record),
                Err(why) => self.skip(format!("{}: {why}", describe(&item))),
            }
        }
        if let Ok(mut read) = self.read.lock() {
            for record in &records {
                read.insert(record.fingerprint.clone(), record.clone());
            }
        }
        Ok(records)
    }

    async fn write(&self, changed: &[Record]) -> Result<(), StateError> {
        // One put per fingerprint (a transaction refuses two on one item); the last one wins.
        let mut latest: BTreeMap<Fingerprint, &Record> = BTreeMap::new();
        for record in changed {
            latest.insert(record.fingerprint.clone(), record);
        }
        let pending: Vec<Record> = {
            let read = self.read.lock().map(|r| r.clone()).unwrap_or_default();
            latest
                .into_values()
                .filter(|record| {
                    !read
                        .get(&record.fingerprint)
                        .is_some_and(|known| record.same_as(known))
                })
                .cloned()
                .collect()
        };
        for batch in pending.chunks(TRANSACTION_LIMIT) {
            self.write_batch(batch).await?;
        }
        Ok(())
    }

    async fn suppressions(&self) -> Result<Vec<Suppression>, StateError> {
        let items = self
            .read_pages(Some(SUPPRESSIONS_PARTITION.to_owned()))
            .await?;
        let mut suppressions = Vec::with_capacity(items.len());
        for item in items {
            match suppression_from_item(&item) {
                Ok(suppression) => suppressions.push(suppression),
                Err(why) => self.skip(format!("suppression {}: {why}", describe(&item))),
            }
        }
        Ok(suppressions)
    }

    async fn add_suppression(&self, suppression: &Suppression) -> Result<(), StateError> {
        let item =
            suppression_item(suppression, self.retention).map_err(|reason| StateError::Table {
                table: self.table.clone(),
                action: "written",
                reason,
            })?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#sk)")
            .expression_attribute_names("#sk", SORT_KEY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Err(StateError::InvalidSuppression(format!(
                    "a suppression with id {} already exists; remove it first or choose another id",
                    suppression.id.0
                )))
            }
            Err(err) => Err(self.error("written", &err)),
        }
    }

    async fn remove_suppression(&self, id: &SuppressionId) -> Result<bool, StateError> {
        let removed = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(
                PARTITION_KEY,
                AttributeValue::S(SUPPRESSIONS_PARTITION.to_owned()),
            )
            .key(SORT_KEY, AttributeValue::S(id.0.clone()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| self.error("written", &e))?;
        Ok(removed.attributes().is_some_and(|a| !a.is_empty()))
    }

    fn skipped(&self) -> Vec<String> {
        TableStore::skipped(self)
    }
}

/// The partition of a distribution's records.
fn partition_of(distribution: Option<&str>) -> &str {
    distribution.unwrap_or(ACCOUNT_LEVEL)
}

/// The item of `record`; resolved ones carry the TTL attribute.
pub fn record_item(record: &Record, retention: time::Duration) -> Result<Item, String> {
    let mut item = Item::new();
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_owned(), value);
    };
    put(
        PARTITION_KEY,
        s(partition_of(record.distribution_id.as_deref())),
    );
    put(SORT_KEY, s(record.fingerprint.as_str()));
    put("code", s(&record.code));
    if let Some(distribution) = &record.distribution_id {
        put("distribution_id", s(distribution));
    }
    put("subject", s(&record.subject));
    put("severity", s(record.severity.as_str()));
    put("status", s(status_name(record.status)));
    put("first_seen", s(&rfc3339(record.first_seen)?));
    put("last_seen", s(&rfc3339(record.last_seen)?));
    if let Some(at) = record.last_notified {
        put("last_notified", s(&rfc3339(at)?));
    }
    if let Some(at) = record.resolved_at {
        put("resolved_at", s(&rfc3339(at)?));
        if record.status == Status::Resolved {
            put(TTL_ATTRIBUTE, epoch(at + retention));
        }
    }
    if let Some(by) = &record.resolved_by {
        put("resolved_by", s(by));
    }
    put("version", AttributeValue::N(record.version.to_string()));
    Ok(item)
}

/// The record in `item`, or what is wrong with it.
pub fn record_from_item(item: &Item) -> Result<Record, String> {
    let stored = text(item, SORT_KEY)?;
    let fingerprint = Fingerprint::parse(stored)
        .ok_or_else(|| format!("{SORT_KEY} {stored:?} is not a fingerprint of this tool"))?;
    let severity: Severity = text(item, "severity")?.parse()?;
    let status = match text(item, "status")? {
        "open" => Status::Open,
        "resolved" => Status::Resolved,
        "suppressed" => Status::Suppressed,
        other => {
            return Err(format!(
                "status {other:?} is not open, resolved or suppressed"
            ))
        }
    };
    let version = text_n(item, "version")?
        .parse::<u64>()
        .map_err(|e| format!("version: {e}"))?;
    Ok(Record {
        fingerprint,
        code: text(item, "code")?.to_owned(),
        distribution_id: optional(item, "distribution_id")?.map(str::to_owned),
        subject: text(item, "subject")?.to_owned(),
        severity,
        status,
        first_seen: time_at(item, "first_seen")?,
        last_seen: time_at(item, "last_seen")?,
        last_notified: optional(item, "last_notified")?
            .map(parse_time("last_notified"))
            .transpose()?,
        resolved_at: optional(item, "resolved_at")?
            .map(parse_time("resolved_at"))
            .transpose()?,
        resolved_by: optional(item, "resolved_by")?.map(str::to_owned),
        version,
    })
}

/// The item of `suppression`, kept `retention` past its expiry.
fn suppression_item(suppression: &Suppression, retention: time::Duration) -> Result<Item, String> {
    let mut item = Item::new();
    item.insert(PARTITION_KEY.into(), s(SUPPRESSIONS_PARTITION));
    item.insert(SORT_KEY.into(), s(&suppression.id.0));
    item.insert("code".into(), s(&suppression.code));
    if let Some(distribution) = &suppression.distribution_id {
        item.insert("distribution_id".into(), s(distribution));
    }
    if let Some(subject) = &suppression.subject {
        item.insert("subject".into(), s(subject));
    }
    item.insert("reason".into(), s(&suppression.reason));
    item.insert("created_by".into(), s(&suppression.created_by));
    item.insert("created_at".into(), s(&rfc3339(suppression.created_at)?));
    // Not `expires_at`: that name is the TTL attribute, in epoch seconds.
    item.insert("expiry".into(), s(&rfc3339(suppression.expires_at)?));
    item.insert(
        TTL_ATTRIBUTE.into(),
        epoch(suppression.expires_at + retention),
    );
    Ok(item)
}

/// The suppression in `item`, or what is wrong with it.
fn suppression_from_item(item: &Item) -> Result<Suppression, String> {
    Ok(Suppression {
        id: SuppressionId(text(item, SORT_KEY)?.to_owned()),
        code: text(item, "code")?.to_owned(),
        distribution_id: optional(item, "distribution_id")?.map(str::to_owned),
        subject: optional(item, "subject")?.map(str::to_owned),
        reason: text(item, "reason")?.to_owned(),
        created_by: text(item, "created_by")?.to_owned(),
        created_at: time_at(item, "created_at")?,
        expires_at: time_at(item, "expiry")?,
    })
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::Resolved => "resolved",
        Status::Suppressed => "suppressed",
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn epoch(at: OffsetDateTime) -> AttributeValue {
    AttributeValue::N(at.unix_timestamp().to_string())
}

fn rfc3339(at: OffsetDateTime) -> Result<String, String> {
    at.format(&Rfc3339)
        .map_err(|e| format!("{at} cannot be stored: {e}"))
}

/// A required string attribute.
fn text<'a>(item: &'a Item, name: &str) -> Result<&'a str, String> {
    optional(item, name)?.ok_or_else(|| format!("attribute {name} is missing"))
}

/// An optional string attribute; present but not a string is an error.
fn optional<'a>(item: &'a Item, name: &str) -> Result<Option<&'a str>, String> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(value)) => Ok(Some(value)),
        Some(_) => Err(format!("attribute {name} is not a string")),
    }
}

/// A required number attribute, as its text.
fn text_n<'a>(item: &'a Item, name: &str) -> Result<&'a str, String> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => Ok(value),
        Some(_) => Err(format!("attribute {name} is not a number")),
        None => Err(format!("attribute {name} is missing")),
    }
}

fn parse_time(name: &'static str) -> impl Fn(&str) -> Result<OffsetDateTime, String> {
    move |value| {
        OffsetDateTime::parse(value, &Rfc3339)
            .map_err(|e| format!("attribute {name} {value:?} is not an RFC 3339 time: {e}"))
    }
}

fn time_at(item: &Item, name: &'static str) -> Result<OffsetDateTime, String> {
    parse_time(name)(text(item, name)?)
}

/// An item's key, for a note about it.
fn describe(item: &Item) -> String {
    let key = |name: &str| match item.get(name) {
        Some(AttributeValue::S(value)) => value.chars().take(200).collect(),
        Some(_) => format!("({name} not a string)"),
        None => format!("(no {name})"),
    };
    format!("item {}/{}", key(PARTITION_KEY), key(SORT_KEY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(status: Status) -> Record {
        Record {
            fingerprint: Fingerprint(
                "cfta1/111122223333/E1/viewer-alias-not-covered/www.example.com".into(),
            ),
            code: "viewer-alias-not-covered".into(),
            distribution_id: Some("E1".into()),
            subject: "www.example.com".into(),
            severity: Severity::High,
            status,
            first_seen: datetime!(2026-01-01 06:00 UTC),
            last_seen: datetime!(2026-01-02 06:00 UTC),
            last_notified: Some(datetime!(2026-01-01 06:00 UTC)),
            resolved_at: (status == Status::Resolved).then_some(datetime!(2026-01-03 06:00 UTC)),
            resolved_by: (status == Status::Resolved).then(|| "the daily sweep".into()),
            version: 3,
        }
    }

    #[test]
    fn a_record_reads_back_from_its_item_and_resolved_ones_expire() {
        for status in [Status::Open, Status::Suppressed, Status::Resolved] {
            let record = record(status);
            let item = record_item(&record, time::Duration::days(90)).expect("item");
            assert_eq!(record_from_item(&item), Ok(record.clone()));
            assert_eq!(item.get(PARTITION_KEY), Some(&s("E1")));
            let ttl = item.get(TTL_ATTRIBUTE).cloned();
            if status == Status::Resolved {
                let expected = datetime!(2026-04-03 06:00 UTC).unix_timestamp();
                assert_eq!(ttl, Some(AttributeValue::N(expected.to_string())));
            } else {
                assert_eq!(ttl, None, "{status:?} never expires");
            }
        }
        let mut account = record(Status::Open);
        account.distribution_id = None;
        let item = record_item(&account, time::Duration::days(90)).expect("item");
        assert_eq!(item.get(PARTITION_KEY), Some(&s(ACCOUNT_LEVEL)));
        assert_eq!(record_from_item(&item), Ok(account));
    }

    #[test]
    fn a_malformed_item_says_what_is_wrong() {
        let good = record_item(&record(Status::Open), time::Duration::days(90)).expect("item");
        let cases: [(&str, Option<AttributeValue>, &str); 5] = [
            ("severity", None, "attribute severity is missing"),
            ("severity", Some(s("severe")), "unknown severity"),
            ("version", Some(s("3")), "version is not a number"),
            ("first_seen", Some(s("yesterday")), "not an RFC 3339 time"),
            (SORT_KEY, Some(s("someone-else")), "not a fingerprint"),
        ];
        for (name, value, expected) in cases {
            let mut item = good.clone();
            match value {
                Some(value) => item.insert(name.to_owned(), value),
                None => item.remove(name),
            };
            let err = record_from_item(&item).expect_err(name);
            assert!(err.contains(expected), "{name}: {err}");
        }
    }
}
