//! What Step Functions (or an operator) asks of the function in an organization sweep, as intake
//! reads it from the payload (`crate::intake`): the payload shapes are in
//! `docs/plans/issue-14-organizations.md`.

use serde::Serialize;

use super::Account;

/// One step of the organization sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum OrganizationTask {
    /// List the organization's active accounts into the run's `accounts.json` (the state machine's
    /// first state).
    ListAccounts {
        /// The run.
        run: SweepRun,
    },
    /// Sweep these accounts, one after the other, each through its member role (a Distributed Map
    /// item batch, or one account from an operator).
    SweepAccounts {
        /// The run.
        run: SweepRun,
        /// The accounts, in the order given.
        accounts: Vec<Account>,
        /// Whether the payload named one account (`sweep-account`): the answer is then that
        /// account's result alone, not `{"accounts":[…]}`.
        single: bool,
    },
    /// Build and publish the organization digest from the run's results (the last state).
    Digest {
        /// The run.
        run: SweepRun,
        /// Where the Distributed Map's ResultWriter put its manifest, when the Map ended normally.
        manifest_key: Option<String>,
        /// The Map's error, when it failed (over its tolerated failures) and the Catch led here.
        map_error: Option<MapError>,
        /// Whether Step Functions will run the step again if this attempt fails: the state's
        /// `$$.State.RetryCount` is below `DIGEST_RETRIES`. A payload without it (an operator's)
        /// is a last attempt.
        retries_left: bool,
    },
}

/// How many times BuildDigest's `States.ALL` retrier runs the step again (template.yaml). While
/// retries are left, the digest fails on a result it could not read, so that a short S3 outage
/// is retried instead of listing accounts as failed.
pub const DIGEST_RETRIES: u64 = 2;

/// One organization sweep: the state machine execution's name, which names its objects in the
/// results bucket. The bucket itself is the function's own (`RESULTS_BUCKET`); a payload naming
/// another is refused by the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepRun {
    /// The execution name (`$$.Execution.Name`): 1 to 80 letters, digits, `.`, `_` or `-`.
    pub execution: String,
    /// The bucket the payload named, when it named one.
    pub bucket: Option<String>,
}

/// Longest execution name Step Functions gives (and this function accepts).
pub const MAX_EXECUTION_NAME: usize = 80;

/// Most accounts one payload may ask to sweep: a batch larger than this cannot finish within one
/// invocation anyway (`AccountsPerInvocation` in the template).
pub const MAX_ACCOUNTS_PER_BATCH: usize = 50;

impl SweepRun {
    /// The run's prefix in the results bucket.
    pub fn prefix(&self) -> String {
        format!("sweeps/{}/", self.execution)
    }

    /// The account list the Distributed Map reads.
    pub fn accounts_key(&self) -> String {
        format!("{}accounts.json", self.prefix())
    }

    /// One account's result.
    pub fn account_key(&self, account_id: &str) -> String {
        format!("{}accounts/{account_id}.json", self.prefix())
    }

    /// One account's full JSON report.
    pub fn account_report_key(&self, account_id: &str) -> String {
        format!("{}reports/{account_id}.json", self.prefix())
    }

    /// The organization report.
    pub fn report_key(&self) -> String {
        format!("{}report.json", self.prefix())
    }
}

/// The Distributed Map's failure, as its Catch recorded it (`$.map_error`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapError {
    /// `States.ExceedToleratedFailureThreshold`, `States.ItemReaderFailed`, …
    pub error: String,
    /// Step Functions' cause, shortened and escaped.
    pub cause: String,
}

/// Whether `text` is a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` can name a run: it becomes part of S3 keys.
pub fn is_execution_name(text: &str) -> bool {
    (1..=MAX_EXECUTION_NAME).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && text != "."
        && text != ".."
}
