//! A whole AWS Organization (issue 14): the accounts a sweep covers, what one account's sweep
//! returns, and the one digest built from every account's result. Pure data and rendering: the
//! reads (Organizations, STS, S3) live in the inventory and the Lambda.
//!
//! The payloads Step Functions sends and receives are laid out in
//! `docs/plans/issue-14-organizations.md`; `docs/operations-organizations.md` is the operator's view.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;
use crate::report::Summary;

pub mod account;
pub mod digest;
pub mod task;

pub use task::{is_account_id, OrganizationTask, SweepRun};

/// One account of the organization, as `organizations:ListAccounts` gives it and `accounts.json`
/// (the Distributed Map's ItemReader input) stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name in the organization (untrusted: anyone with organizations:CreateAccount
    /// or the account's owner chose it).
    #[serde(default)]
    pub name: String,
}

/// How one account's sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    /// Every read and check ran.
    Audited,
    /// The audit ran, but some reads or checks did not: its findings include `audit-incomplete`.
    Incomplete,
    /// Nothing of the account was audited: its member role could not be assumed, or its sweep
    /// failed (the Map item failed after its retries, or left no result). Always listed.
    Failed,
}

/// A failing distribution of one account, as the organization digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingDistribution {
    /// The distribution id (`account` for account-level findings).
    pub distribution_id: String,
    /// Its aliases or domain name (untrusted), shortened.
    #[serde(default)]
    pub label: String,
    /// Its worst finding's severity.
    pub worst: Severity,
    /// Its findings at or above `MIN_SEVERITY`, worst first: code and severity, at most
    /// [`MAX_CODES_PER_DISTRIBUTION`].
    pub findings: Vec<FindingLine>,
    /// How many findings were left off `findings`.
    #[serde(default)]
    pub more_findings: usize,
}

/// One finding as the organization digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLine {
    /// The catalogue code.
    pub code: String,
    /// Its severity.
    pub severity: Severity,
}

/// What one account's sweep returns to Step Functions (the Map item's output, written by the
/// ResultWriter) and writes to `sweeps/EXECUTION/accounts/ACCOUNT.json` in the results bucket.
/// Bounded: at most [`MAX_FAILING_PER_ACCOUNT`] distributions (about 120 KB at most), and a batch
/// of several is trimmed to fit Step Functions' 256 KiB ([`account::item_output`]); the full
/// report is the object at `report_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResult {
    /// The account.
    pub account_id: String,
    /// Its name, when known.
    #[serde(default)]
    pub account_name: String,
    /// How the sweep ended.
    pub status: AccountStatus,
    /// Distributions audited and findings by severity (the report's summary).
    pub summary: Summary,
    /// The failing distributions, worst first, at most [`MAX_FAILING_PER_ACCOUNT`].
    pub failing: Vec<FailingDistribution>,
    /// How many failing distributions were left off `failing`.
    #[serde(default)]
    pub more_failing: usize,
    /// Why the account is incomplete or failed, in one sentence with what to do (untrusted parts
    /// escaped); `None` when audited.
    #[serde(default)]
    pub problem: Option<String>,
    /// The results bucket key of this account's full JSON report (`audit --format json`).
    #[serde(default)]
    pub report_key: Option<String>,
}

/// At most this many failing distributions per account travel in an [`AccountResult`]; the rest are
/// counted (`more_failing`) and in the account's full report.
pub const MAX_FAILING_PER_ACCOUNT: usize = 200;

/// At most this many findings per failing distribution travel in a [`FailingDistribution`].
pub const MAX_CODES_PER_DISTRIBUTION: usize = 8;

/// The error name of an account whose result was written but could not be read back from the
/// results bucket (after BuildDigest's retries).
pub const RESULT_NOT_READ: &str = "ResultNotRead";

/// The error name of an account whose object in the bucket is not a result this function wrote.
pub const UNREADABLE_RESULT: &str = "UnreadableResult";

/// The error name of an account with neither a result nor a failure in the Map run's manifest.
pub const NO_RESULT: &str = "NoResult";

/// One account's outcome, as the digest builder reads it back: its result, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOutcome {
    /// The sweep returned a result (which may itself say `failed`, for a role not assumed).
    Result(AccountResult),
    /// The Map item failed after its retries, or left no result: the error and cause Step Functions
    /// recorded (the result manifest's FAILED files), or a sentence saying no result was found.
    Missing {
        /// The account.
        account: Account,
        /// Step Functions' error name (`Lambda.TooManyRequestsException`, `States.Timeout`), or
        /// the digest's own: [`NO_RESULT`], [`UNREADABLE_RESULT`], [`RESULT_NOT_READ`].
        error: String,
        /// The cause, shortened.
        cause: String,
    },
}
