//! The hub of an organization (issue 14): events of member accounts audited through their member
//! role, and the three steps of the organization sweep the state machine runs (list the accounts,
//! sweep a batch of accounts, build the digest). Payloads: `docs/plans/issue-14-organizations.md`.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use futures::{stream, StreamExt};
use serde_json::{json, Value};
use thiserror::Error;
use time::OffsetDateTime;

use super::config::MapSettings;
use super::handler::{remember, Handler, HandlerError, OpenState, UntilDeadline};
use super::results::ResultsError;
use crate::audit::{run, AccountReader, Subject};
use crate::intake::{Cause, SweepSource};
use crate::inventory::organization::AccountList;
use crate::model::{OriginResource, ReadFailure, Scope, Snapshot};
use crate::notify::{publish_all, Publisher};
use crate::organization::account::item_output;
use crate::organization::digest::{self, ReportLocation};
use crate::organization::task::MapError;
use crate::organization::{
    Account, AccountOutcome, AccountResult, OrganizationTask, SweepRun, NO_RESULT, RESULT_NOT_READ,
    UNREADABLE_RESULT,
};
use crate::report::render_json;
use crate::securityhub::FindingsExport;
use crate::state::{self as memory, RunFacts};

use super::follow_up::FollowUps;

/// How many account results the digest reads at once.
const RESULT_READ_CONCURRENCY: usize = 16;

/// What BuildDigest was given besides the run.
#[derive(Debug, Clone, Copy)]
struct DigestInputs<'a> {
    /// The Map run's manifest, when the Map ended normally.
    manifest_key: Option<&'a str>,
    /// The Map's error, when its Catch led here.
    map_error: Option<&'a MapError>,
    /// Whether Step Functions runs the step again if this attempt fails.
    retries_left: bool,
}

/// The organization's side of the hub: its accounts and the results bucket.
pub trait OrganizationPort {
    /// Whether the function is an organization's hub (`ORGANIZATION_MODE=true`).
    fn enabled(&self) -> bool;

    /// The results bucket's name (`RESULTS_BUCKET`), when set.
    fn bucket(&self) -> Option<&str>;

    /// The Distributed Map's settings, which ListAccounts hands to it.
    fn map_settings(&self) -> MapSettings;

    /// The organization's accounts (ListAccounts, every page); no call runs past `deadline`.
    fn list_accounts(
        &self,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<AccountList, ReadFailure>> + Send;

    /// The object at `key` of the results bucket; `None` when there is none.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, ResultsError>> + Send;

    /// Writes `body` at `key` of the results bucket.
    fn put(
        &self,
        key: &str,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<(), ResultsError>> + Send;
}

/// One account (`ORGANIZATION_MODE` unset): no organization, every sweep step refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOrganization;

impl OrganizationPort for NoOrganization {
    fn enabled(&self) -> bool {
        false
    }

    fn bucket(&self) -> Option<&str> {
        None
    }

    fn map_settings(&self) -> MapSettings {
        MapSettings {
            max_concurrency: 1,
            tolerated_failure_percentage: 0,
            accounts_per_invocation: 1,
        }
    }

    async fn list_accounts(&self, _deadline: Option<Instant>) -> Result<AccountList, ReadFailure> {
        Err(crate::inventory::member::account_not_readable(
            "organization",
            "ORGANIZATION_MODE is off",
        ))
    }

    async fn get(&self, _key: &str) -> Result<Option<Vec<u8>>, ResultsError> {
        Err(ResultsError::NotConfigured)
    }

    async fn put(&self, _key: &str, _body: Vec<u8>) -> Result<(), ResultsError> {
        Err(ResultsError::NotConfigured)
    }
}

/// Why a step of the organization sweep failed. The invocation fails, so that Step Functions
/// retries the state (and, for an account batch, lists the accounts as failed after its retries;
/// BuildDigest's last attempt lists what it could not read instead of failing).
#[derive(Debug, Error)]
pub enum OrganizationError {
    /// The function is not an organization's hub.
    #[error(
        "this function is not an organization's hub: set ORGANIZATION_MODE=true (the template's \
         OrganizationMode parameter) to run the organization sweep"
    )]
    NotOrganizationMode,
    /// The payload names another bucket than the function's.
    #[error(
        "the payload names bucket {named}, but this function keeps its results in {configured} \
         (RESULTS_BUCKET); run the state machine of this stack"
    )]
    OtherBucket {
        /// The bucket the payload named (shortened).
        named: String,
        /// `RESULTS_BUCKET`.
        configured: String,
    },
    /// ListAccounts (or the role it goes through) failed.
    #[error("the organization's accounts could not be listed: {0}")]
    ListAccounts(String),
    /// The results bucket could not be used.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// Account results that were written but could not be read back, while BuildDigest has
    /// retries left: failing now lets a short S3 outage pass instead of listing the accounts.
    #[error(
        "{count} of the run's account results could not be read from the results bucket (the \
         first: {first}); Step Functions runs the digest again, and its last attempt lists those \
         accounts as failed"
    )]
    ResultsNotRead {
        /// How many.
        count: usize,
        /// The first one's error.
        first: String,
    },
    /// The run's account list is not in the bucket: the digest has nothing to count against.
    #[error(
        "s3://{bucket}/{key} is missing: the organization digest needs the account list that the \
         run's first state (ListAccounts) writes; start the state machine again"
    )]
    NoAccountList {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// The run's account list is not what ListAccounts writes.
    #[error(
        "s3://{bucket}/{key} is not an account list ({detail}); start the state machine again"
    )]
    BadAccountList {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The JSON error.
        detail: String,
    },
}

/// The reader of one audited account: the function's own, a member's through its role, or none
/// (the role could not be assumed), whose every read is that failure, so that the audit reports
/// `audit-incomplete` for the account instead of skipping it.
pub enum AccountSide<B> {
    /// Reads with these clients.
    Readable(B),
    /// Reads nothing: every snapshot holds this failure.
    Unreadable(ReadFailure),
}

impl<B: AccountReader + Sync> AccountReader for AccountSide<B> {
    async fn snapshot(&self, scope: &Scope) -> Snapshot {
        match self {
            AccountSide::Readable(reader) => reader.snapshot(scope).await,
            AccountSide::Unreadable(failure) => unreadable(failure),
        }
    }

    async fn read_references(&self, snapshot: &mut Snapshot) {
        match self {
            AccountSide::Readable(reader) => reader.read_references(snapshot).await,
            AccountSide::Unreadable(failure) => snapshot.gaps.push(failure.clone()),
        }
    }

    async fn snapshot_for_certificate(&self, arn: &str) -> Snapshot {
        match self {
            AccountSide::Readable(reader) => reader.snapshot_for_certificate(arn).await,
            AccountSide::Unreadable(failure) => unreadable(failure),
        }
    }

    async fn snapshot_for_origin_resource(&self, resource: &OriginResource) -> Snapshot {
        match self {
            AccountSide::Readable(reader) => reader.snapshot_for_origin_resource(resource).await,
            AccountSide::Unreadable(failure) => unreadable(failure),
        }
    }
}

/// A snapshot of an account that could not be read: nothing but the failure.
fn unreadable(failure: &ReadFailure) -> Snapshot {
    Snapshot {
        gaps: vec![failure.clone()],
        ..Snapshot::default()
    }
}

/// The S3 console's page of an object.
fn console_url(bucket: &str, key: &str) -> String {
    format!("https://s3.console.aws.amazon.com/s3/object/{bucket}?prefix={key}")
}

impl<R, P, F, S, X, O> Handler<R, P, F, S, X, O>
where
    R: UntilDeadline + Sync,
    P: Publisher + Sync,
    F: FollowUps + Sync,
    S: OpenState + Sync,
    X: FindingsExport + Sync,
    O: OrganizationPort + Sync,
{
    /// The reader of the account an event concerns: a member's, through its role, when the hub
    /// runs in organization mode and the event is not from its own account; else its own.
    /// Returns the reader and the account audited (`None`: the function's own, unknown).
    pub(super) async fn account_reader(
        &self,
        event_account: Option<&str>,
        own_account: Option<&str>,
        deadline: Option<Instant>,
    ) -> (AccountSide<R::Bounded<'_>>, Option<String>) {
        match event_account {
            Some(account) if self.organization.enabled() && Some(account) != own_account => {
                let side = match Box::pin(self.reader.in_account(account, deadline)).await {
                    Ok(reader) => AccountSide::Readable(reader),
                    Err(failure) => AccountSide::Unreadable(failure),
                };
                (side, Some(account.to_owned()))
            }
            _ => (
                AccountSide::Readable(self.reader.until(deadline)),
                own_account.map(str::to_owned),
            ),
        }
    }

    /// One step of the organization sweep.
    pub(super) async fn organization_task(
        &self,
        task: OrganizationTask,
        remaining: Option<Duration>,
        own_account: Option<&str>,
    ) -> Result<Value, HandlerError> {
        if !self.organization.enabled() {
            return Err(OrganizationError::NotOrganizationMode.into());
        }
        let run = match &task {
            OrganizationTask::ListAccounts { run }
            | OrganizationTask::SweepAccounts { run, .. }
            | OrganizationTask::Digest { run, .. } => run,
        };
        let bucket = self.bucket_of(run)?;
        match task {
            OrganizationTask::ListAccounts { run } => {
                Box::pin(self.list_accounts(&run, &bucket, remaining)).await
            }
            OrganizationTask::SweepAccounts {
                run,
                accounts,
                single,
            } => {
                let mut results = Vec::with_capacity(accounts.len());
                let started = Instant::now();
                for (index, account) in accounts.iter().enumerate() {
                    // Each account gets an equal share of what is left, so a slow one cannot
                    // starve those after it.
                    let share = remaining.map(|left| {
                        let left = left.saturating_sub(started.elapsed());
                        let accounts_left = (accounts.len() - index) as u32;
                        left / accounts_left.max(1)
                    });
                    results.push(
                        Box::pin(self.sweep_account(&run, account, share, own_account)).await?,
                    );
                }
                Ok(item_output(results, single))
            }
            OrganizationTask::Digest {
                run,
                manifest_key,
                map_error,
                retries_left,
            } => {
                let inputs = DigestInputs {
                    manifest_key: manifest_key.as_deref(),
                    map_error: map_error.as_ref(),
                    retries_left,
                };
                Box::pin(self.digest(&run, &bucket, inputs)).await
            }
        }
    }

    /// The results bucket, checked against the payload's.
    fn bucket_of(&self, run: &SweepRun) -> Result<String, OrganizationError> {
        let configured = self
            .organization
            .bucket()
            .ok_or(ResultsError::NotConfigured)?;
        match &run.bucket {
            Some(named) if named != configured => Err(OrganizationError::OtherBucket {
                named: crate::untrusted::cap(named, 80),
                configured: configured.to_owned(),
            }),
            _ => Ok(configured.to_owned()),
        }
    }

    /// ListAccounts into `accounts.json`.
    async fn list_accounts(
        &self,
        run: &SweepRun,
        bucket: &str,
        remaining: Option<Duration>,
    ) -> Result<Value, HandlerError> {
        let list = self
            .organization
            .list_accounts(self.work_deadline(remaining))
            .await
            .map_err(|failure| {
                OrganizationError::ListAccounts(format!(
                    "{} on {}: {}",
                    failure.operation, failure.resource, failure.message
                ))
            })?;
        let key = run.accounts_key();
        let body = serde_json::to_vec(&list.accounts).unwrap_or_default();
        self.organization
            .put(&key, body)
            .await
            .map_err(OrganizationError::from)?;
        let map = self.organization.map_settings();
        tracing::info!(
            accounts = list.accounts.len(),
            inactive = list.inactive.len(),
            "organization accounts listed"
        );
        Ok(json!({
            "execution": run.execution,
            "bucket": bucket,
            "prefix": run.prefix(),
            "accounts_key": key,
            "accounts": list.accounts.len(),
            "max_concurrency": map.max_concurrency,
            "tolerated_failure_percentage": map.tolerated_failure_percentage,
            "accounts_per_invocation": map.accounts_per_invocation,
            "inactive_accounts": list.inactive.iter()
                .map(|(id, status)| json!({"account_id": id, "status": status}))
                .collect::<Vec<_>>(),
        }))
    }

    /// One account's part of the sweep: audited through its member role (or as the function's
    /// own account), remembered and exported as that account's, its report and result written.
    async fn sweep_account(
        &self,
        run: &SweepRun,
        account: &Account,
        remaining: Option<Duration>,
        own_account: Option<&str>,
    ) -> Result<AccountResult, HandlerError> {
        let deadline = self.work_deadline(remaining);
        let (reader, unreadable) = if Some(account.account_id.as_str()) == own_account {
            (AccountSide::Readable(self.reader.until(deadline)), None)
        } else {
            match Box::pin(self.reader.in_account(&account.account_id, deadline)).await {
                Ok(reader) => (AccountSide::Readable(reader), None),
                Err(failure) => {
                    let why = format!(
                        "{} on {} failed: {}",
                        failure.operation, failure.resource, failure.message
                    );
                    (AccountSide::Unreadable(failure), Some(why))
                }
            }
        };
        let request = self.request(Subject::Distributions(Scope::AllDistributions), remaining);
        let mut report = Box::pin(run_audit(&reader, &request)).await;
        let cause = Cause::Sweep {
            source: SweepSource::Organization,
            schedule: Some(run.execution.clone()),
        };
        let trigger = format!("the organization sweep {}", run.execution);
        let store = self.state.open().await;
        let facts = RunFacts {
            account: &account.account_id,
            now: request.now,
            trigger: &trigger,
            remind_after_days: i64::from(self.config.remind_after_days),
        };
        let state = Box::pin(remember(store.as_ref(), &mut report, facts, true)).await;
        let summary = crate::notify::TriggerSummary::from_cause(&cause);
        super::metrics::log_findings(&report, &summary);
        super::metrics::emit_metrics(&report, &summary);
        state?;
        if let Some(store) = &store {
            // The organization digest carries them; reminders count from this run.
            Box::pin(memory::mark_notified(
                store,
                &self.notified(&report),
                request.now,
            ))
            .await?;
        }
        self.export_findings(
            &report,
            &request.now,
            own_account,
            Some(&account.account_id),
        )
        .await?;
        let report_key = run.account_report_key(&account.account_id);
        self.organization
            .put(&report_key, render_json(&report).into_bytes())
            .await
            .map_err(OrganizationError::from)?;
        let result = AccountResult::from_report(
            account,
            &report,
            self.config.min_severity,
            unreadable.as_deref(),
            Some(report_key),
        );
        let body = serde_json::to_vec(&result).unwrap_or_default();
        self.organization
            .put(&run.account_key(&account.account_id), body)
            .await
            .map_err(OrganizationError::from)?;
        tracing::info!(
            account = account.account_id.as_str(),
            status = ?result.status,
            failing = result.failing.len() + result.more_failing,
            "account swept"
        );
        Ok(result)
    }

    /// Reads every account's outcome, builds the digest, writes the full report, publishes.
    async fn digest(
        &self,
        run: &SweepRun,
        bucket: &str,
        inputs: DigestInputs<'_>,
    ) -> Result<Value, HandlerError> {
        let DigestInputs {
            manifest_key,
            map_error,
            retries_left,
        } = inputs;
        let accounts_key = run.accounts_key();
        let accounts: Vec<Account> = match self
            .organization
            .get(&accounts_key)
            .await
            .map_err(OrganizationError::from)?
        {
            Some(body) => serde_json::from_slice(&body).map_err(|error| {
                OrganizationError::BadAccountList {
                    bucket: bucket.to_owned(),
                    key: accounts_key.clone(),
                    detail: error.to_string(),
                }
            })?,
            None => {
                return Err(OrganizationError::NoAccountList {
                    bucket: bucket.to_owned(),
                    key: accounts_key,
                }
                .into())
            }
        };
        let failed_items = match manifest_key {
            Some(key) => match self.failed_items(key).await {
                Ok(items) => items,
                Err(error) if retries_left => return Err(error.into()),
                Err(error) => {
                    tracing::warn!(manifest = key, error = %error,
                        "the Map run's manifest was not read: failed accounts are listed without Step Functions' error");
                    BTreeMap::new()
                }
            },
            None => BTreeMap::new(),
        };
        // Read a few results at a time, in the list's order: 500 sequential GETs would take most of
        // a minute. A result that cannot be read fails this attempt while Step Functions has
        // retries left; the last attempt lists its account as failed, with S3's answer.
        let failed_items = &failed_items;
        let outcomes: Vec<AccountOutcome> = stream::iter(accounts)
            .map(|account| async move {
                let stored = self
                    .organization
                    .get(&run.account_key(&account.account_id))
                    .await;
                stored_outcome(account, stored, failed_items, map_error)
            })
            .buffered(RESULT_READ_CONCURRENCY)
            .collect()
            .await;
        let not_read: Vec<(&str, &str)> = outcomes
            .iter()
            .filter_map(|outcome| match outcome {
                AccountOutcome::Missing {
                    account,
                    error,
                    cause,
                } if error == RESULT_NOT_READ => {
                    Some((account.account_id.as_str(), cause.as_str()))
                }
                _ => None,
            })
            .collect();
        if let Some((_, first)) = not_read.first() {
            if retries_left {
                return Err(OrganizationError::ResultsNotRead {
                    count: not_read.len(),
                    first: (*first).to_owned(),
                }
                .into());
            }
            for (account, cause) in &not_read {
                tracing::warn!(
                    account,
                    cause,
                    "listed as failed: its result could not be read"
                );
            }
        }
        let report_key = run.report_key();
        let location = ReportLocation {
            s3_uri: format!("s3://{bucket}/{report_key}"),
            console_url: console_url(bucket, &report_key),
        };
        let built = digest::build(
            &outcomes,
            &run.execution,
            &location,
            self.config.min_severity,
            OffsetDateTime::now_utc(),
        );
        let body = built.report.into_bytes();
        self.organization
            .put(&report_key, body)
            .await
            .map_err(OrganizationError::from)?;
        publish_all(&self.publisher, &built.notifications).await?;
        let failed = outcomes
            .iter()
            .filter(|o| match o {
                AccountOutcome::Missing { .. } => true,
                AccountOutcome::Result(result) => {
                    result.status == crate::organization::AccountStatus::Failed
                }
            })
            .count();
        Ok(json!({
            "status": "published",
            "accounts": outcomes.len(),
            "failed_accounts": failed,
            "parts": built.notifications.len(),
            "report": location.s3_uri,
        }))
    }

    /// The Map items that failed after their retries, by account: the manifest's FAILED files,
    /// each entry's `Input` (the batch) naming its accounts, with Step Functions' `Error` and `Cause`.
    async fn failed_items(
        &self,
        manifest_key: &str,
    ) -> Result<BTreeMap<String, (String, String)>, OrganizationError> {
        let mut failed = BTreeMap::new();
        let Some(manifest) = self
            .organization
            .get(manifest_key)
            .await
            .map_err(OrganizationError::from)?
        else {
            return Ok(failed);
        };
        let manifest: Value = serde_json::from_slice(&manifest).unwrap_or(Value::Null);
        let files = manifest
            .pointer("/ResultFiles/FAILED")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for file in files {
            let Some(key) = file.get("Key").and_then(Value::as_str) else {
                continue;
            };
            if !key.starts_with("map-runs/") {
                continue;
            }
            let Some(body) = self
                .organization
                .get(key)
                .await
                .map_err(OrganizationError::from)?
            else {
                continue;
            };
            let entries: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
            for entry in entries {
                let field = |name: &str| {
                    entry
                        .get(name)
                        .and_then(Value::as_str)
                        .map(|text| crate::untrusted::cap(text, 400))
                        .unwrap_or_default()
                };
                let input: Value = entry
                    .get("Input")
                    .and_then(Value::as_str)
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or(Value::Null);
                let items = input.get("Items").and_then(Value::as_array);
                for item in items.into_iter().flatten() {
                    if let Some(id) = item.get("account_id").and_then(Value::as_str) {
                        failed.insert(id.to_owned(), (field("Error"), field("Cause")));
                    }
                }
            }
        }
        Ok(failed)
    }
}

/// The cause of an [`UNREADABLE_RESULT`].
const NOT_OURS: &str = "the account's result in the bucket is not one this function wrote";

/// What the digest says of one account, from what its result's GET gave.
fn stored_outcome(
    account: Account,
    stored: Result<Option<Vec<u8>>, ResultsError>,
    failed_items: &BTreeMap<String, (String, String)>,
    map_error: Option<&MapError>,
) -> AccountOutcome {
    let missing = |account, error: &str, cause: String| AccountOutcome::Missing {
        account,
        error: error.to_owned(),
        cause,
    };
    match stored.map(|body| body.map(|body| serde_json::from_slice::<AccountResult>(&body))) {
        Ok(Some(Ok(result))) if result.account_id == account.account_id => {
            AccountOutcome::Result(result)
        }
        Ok(Some(_)) => missing(account, UNREADABLE_RESULT, NOT_OURS.to_owned()),
        Err(error @ ResultsError::TooLarge { .. }) => {
            missing(account, UNREADABLE_RESULT, format!("{NOT_OURS}: {error}"))
        }
        Err(error) => missing(
            account,
            RESULT_NOT_READ,
            format!("the account's result could not be read: {error}"),
        ),
        Ok(None) => match failed_items.get(&account.account_id) {
            Some((error, cause)) => missing(account, error, cause.clone()),
            None => match map_error {
                Some(map) => missing(
                    account,
                    &map.error,
                    format!(
                        "the Distributed Map failed before this account's result: {}",
                        map.cause
                    ),
                ),
                None => missing(
                    account,
                    NO_RESULT,
                    "the sweep left no result for this account".to_owned(),
                ),
            },
        },
    }
}

/// The audit, boxed by the caller (its future is large).
async fn run_audit(
    reader: &impl AccountReader,
    request: &crate::audit::AuditRequest,
) -> crate::report::Report {
    run(reader, request).await
}
