//! Findings with a memory (issue 11): a stable [`Fingerprint`] per finding, what is known about
//! each fingerprint across runs ([`Record`]), suppressions that expire ([`Suppression`]), and what a
//! run changed ([`Remembered`] on each finding: its status and transition; [`Memory`] on the report:
//! what it resolved, what the suppressions did).
//!
//! This module is the domain: plain data and pure functions, no AWS. The stores are ports behind
//! [`StateStore`]: a JSON file for the CLI (`--state PATH`) and a DynamoDB table for the Lambda
//! (`STATE_TABLE`). Notifications and Security Hub read a [`Memory`]; they never reconcile.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::finding::{Finding, Severity};

mod coverage;
pub mod file;
#[cfg(test)]
mod fingerprint_tests;
pub mod reconcile;
mod remember;
mod suppression;
pub mod table;
#[cfg(test)]
pub(crate) mod testing;

pub use coverage::{check_of, Check, Coverage};
pub use file::FileStore;
pub use reconcile::{reconcile, Reconciliation, RunFacts};
pub use remember::{forget, mark_notified, notifiable, remember, RunContext, MAX_ATTEMPTS};
pub use suppression::{glob_matches, SuppressionRequest};

/// The version prefix of every fingerprint; bumped only if the scheme must change (never for a
/// release, a catalogue change or an evidence change).
pub const FINGERPRINT_SCHEME: &str = "cfta1";

/// What is at account level rather than in one distribution, in a fingerprint.
pub const ACCOUNT_LEVEL: &str = "account";

/// Identifies one finding across runs, releases and evidence changes: account, distribution (or
/// [`ACCOUNT_LEVEL`]), code and subject, `cfta1/{account}/{distribution}/{code}/{subject}`. The
/// subject comes last because it may itself contain `/` (a certificate ARN); account ids, distribution
/// ids and codes never do, so the string is unambiguous. Identical between the CLI and the Lambda.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of `finding` in `account` (12 digits, or `unknown` when the account could not
    /// be read; a state file is then only meaningful for one account).
    pub fn of(account: &str, finding: &Finding) -> Self {
        let distribution = finding.distribution_id.as_deref().unwrap_or(ACCOUNT_LEVEL);
        Fingerprint(format!(
            "{FINGERPRINT_SCHEME}/{account}/{distribution}/{}/{}",
            finding.code, finding.subject
        ))
    }

    /// The fingerprint as stored and sent (DynamoDB key, Security Hub `Id`, JSON `fingerprint`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The distribution it names; `None` at account level.
    pub fn distribution_id(&self) -> Option<&str> {
        self.0
            .split('/')
            .nth(2)
            .filter(|distribution| *distribution != ACCOUNT_LEVEL)
    }

    /// Reads a stored fingerprint; `None` when it is not of this scheme (a foreign or corrupted
    /// entry, reported by the store, never matched).
    pub fn parse(stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(FINGERPRINT_SCHEME)?.strip_prefix('/')?;
        (rest.splitn(4, '/').count() == 4).then(|| Fingerprint(stored.to_owned()))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fingerprint's status in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Found by the last run that could have found it.
    Open,
    /// Not found by a run in which the check that produced it ran for its distribution.
    Resolved,
    /// Found, and matched by a suppression that has not expired.
    Suppressed,
}

/// What the store knows about one fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The finding's identity.
    pub fingerprint: Fingerprint,
    /// Its code, as text (a code removed from the catalogue still resolves cleanly).
    pub code: String,
    /// Its distribution; `None` at account level.
    pub distribution_id: Option<String>,
    /// Its subject.
    pub subject: String,
    /// The severity it had when last seen.
    pub severity: Severity,
    /// Open, resolved or suppressed.
    pub status: Status,
    /// When a run first found it. A finding that comes back after being resolved is new again,
    /// with a new first-seen date.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// When a run last found it.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    /// When a notification last carried it (new, escalated, reminder); `None`: never notified.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_notified: Option<OffsetDateTime>,
    /// When it was resolved; `None` unless resolved.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub resolved_at: Option<OffsetDateTime>,
    /// The trigger of the run that resolved it, as told to people ("UpdateDistribution by
    /// arn:aws:iam::…", "the daily sweep").
    #[serde(default)]
    pub resolved_by: Option<String>,
    /// Incremented by every write: stores write conditionally on the version they read, so two runs
    /// auditing the same distribution at once lose no transition.
    pub version: u64,
}

impl Record {
    /// Whether `self` and `other` say the same, whatever their versions (a store skips writing a
    /// record that only had its version bumped).
    pub fn same_as(&self, other: &Record) -> bool {
        Record {
            version: other.version,
            ..self.clone()
        } == *other
    }
}

/// A finding's status in this run's report (the JSON contract's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// Not known before this run (or resolved since, or its suppression expired). Without state
    /// every finding is new.
    New,
    /// Known before this run and still there.
    Open,
    /// Matched by a suppression that has not expired: evaluated and reported, never dropped.
    Suppressed,
}

/// What this run changed about one finding, for notifications (the `transition` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transition {
    /// First seen in this run (or seen again after being resolved, or its suppression expired).
    New,
    /// Known, and its severity rose.
    Escalated,
    /// Known, unchanged, and due a reminder (still open, critical or high, last notified at least
    /// `REMIND_AFTER_DAYS` ago).
    Reminder,
    /// Known and unchanged (its severity may have fallen): counted, not re-sent.
    Unchanged,
    /// Suppressed: counted, not sent.
    Suppressed,
}

/// One finding of the report as the state sees it, carried on the finding itself
/// (`Finding::remembered`) so that sorting and filtering keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remembered {
    /// Its identity.
    pub fingerprint: Fingerprint,
    /// New, open or suppressed.
    pub status: FindingStatus,
    /// What this run changed.
    pub transition: Transition,
    /// When it was first seen (this run's time for a new finding).
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// The severity before this run, when it was known.
    pub previous_severity: Option<Severity>,
    /// The suppression that matched it, when suppressed.
    pub suppression: Option<SuppressionId>,
}

/// A finding this run resolved (the JSON contract's top-level `resolved` array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedFinding {
    /// Its identity.
    pub fingerprint: Fingerprint,
    /// Its code.
    pub code: String,
    /// Its distribution; `None` at account level.
    pub distribution_id: Option<String>,
    /// Its subject.
    pub subject: String,
    /// Its severity when last seen.
    pub severity: Severity,
    /// When it was first seen.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// When this run resolved it.
    #[serde(with = "time::serde::rfc3339")]
    pub resolved_at: OffsetDateTime,
    /// The trigger that resolved it, as told to people.
    pub resolved_by: String,
}

/// The identity of a suppression in its store (a short stable id, shown by `suppress list` and
/// given to `suppress remove`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SuppressionId(pub String);

/// An accepted risk: findings it matches are still evaluated and reported, as suppressed, until it
/// expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Its id.
    pub id: SuppressionId,
    /// The code it suppresses (required).
    pub code: String,
    /// Only this distribution; `None`: every distribution.
    #[serde(default)]
    pub distribution_id: Option<String>,
    /// Only subjects matching this glob (`*` any run of characters); `None`: every subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Why the risk is accepted (required, shown with every suppressed finding).
    pub reason: String,
    /// Who made it.
    pub created_by: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it stops applying (required, at most [`MAX_SUPPRESSION_DAYS`] after `created_at`).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The longest a suppression may last.
pub const MAX_SUPPRESSION_DAYS: i64 = 365;

/// What the suppressions did in this run, for the report's notes and the digest's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SuppressionOutcome {
    /// Suppressions that matched at least one finding, with how many.
    pub matched: Vec<(SuppressionId, usize)>,
    /// Suppressions that matched nothing in this run (reported: a stale suppression hides nothing
    /// today but would hide a future problem).
    pub unmatched: Vec<SuppressionId>,
    /// Suppressions past their expiry: their findings came back as new, with a note.
    pub expired: Vec<SuppressionId>,
    /// The earliest expiry among the suppressions still in force.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_expiry: Option<OffsetDateTime>,
}

/// What one run changed, attached to its report when state is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// What this run resolved.
    pub resolved: Vec<ResolvedFinding>,
    /// What the suppressions did.
    pub suppressions: SuppressionOutcome,
}

/// Why the state could not be read or written. A failure never loses findings: the run reports
/// them all as they are, notes that state was unavailable, and (in the Lambda) fails the invocation
/// after publishing so the event is retried.
#[derive(Debug, Error)]
pub enum StateError {
    /// The state file could not be read or written.
    #[error(
        "the state file {path} could not be {action}: {source}; check the path and its permissions"
    )]
    File {
        /// The file.
        path: String,
        /// "read" or "written".
        action: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state file is not a state document of this tool.
    #[error("the state file {path} is not valid: {reason}; restore it from version control or delete it to start afresh")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The state table could not be read or written.
    #[error("the state table {table} could not be {action}: {reason}")]
    Table {
        /// The table.
        table: String,
        /// "read" or "written".
        action: &'static str,
        /// The service's answer.
        reason: String,
    },
    /// Another run changed the same records between this run's read and write, more times than the
    /// retries allow.
    #[error("the state of {fingerprint} kept changing under this run; it will be reconciled by the next run")]
    Contended {
        /// The record that kept changing.
        fingerprint: Fingerprint,
    },
    /// A suppression is not acceptable (missing reason, no expiry, longer than 365 days, …).
    #[error("the suppression is not valid: {0}")]
    InvalidSuppression(String),
}

/// The port to the state: read what is known about some distributions, write what a run changed,
/// manage suppressions. Writes are conditional on each record's [`Record::version`]; a lost race
/// is answered [`StateError::Contended`], and [`remember`] re-reads and re-applies the run's
/// observations (the store itself never retries a write it lost).
pub trait StateStore {
    /// Records of the given distributions (account-level records with `None`); all of them when
    /// `distributions` is empty is NOT implied: an empty slice reads nothing.
    fn records(
        &self,
        distributions: &[Option<String>],
    ) -> impl std::future::Future<Output = Result<Vec<Record>, StateError>> + Send;

    /// Writes `changed` records, each conditional on the version it was read at (`version - 1`, or
    /// absent for version 1). A record whose stored version is not that one was changed by another
    /// run: the write answers [`StateError::Contended`] naming it, and [`remember`] reads and
    /// reconciles again. An empty `changed` is allowed (the file store then creates its file when
    /// absent).
    fn write(
        &self,
        changed: &[Record],
    ) -> impl std::future::Future<Output = Result<(), StateError>> + Send;

    /// Every suppression, expired ones included (they are reported, then removed by `suppress
    /// remove` or by expiry housekeeping).
    fn suppressions(
        &self,
    ) -> impl std::future::Future<Output = Result<Vec<Suppression>, StateError>> + Send;

    /// Adds a suppression.
    fn add_suppression(
        &self,
        suppression: &Suppression,
    ) -> impl std::future::Future<Output = Result<(), StateError>> + Send;

    /// Removes a suppression; `false` when there was none with that id.
    fn remove_suppression(
        &self,
        id: &SuppressionId,
    ) -> impl std::future::Future<Output = Result<bool, StateError>> + Send;

    /// Items the store skipped so far because they were malformed or foreign, one line each, for
    /// the report's notes (a store that cannot hold such items has none).
    fn skipped(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The account of a Lambda function from its ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`,
/// the invocation context's `invoked_function_arn`): no extra call. `None` when the ARN is not of
/// that shape or the account is not 12 digits.
pub fn account_of_function_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some("lambda"), Some(_region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    is_account_id(account).then_some(account)
}

/// Whether `text` is an AWS account id (12 digits).
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account of fingerprints when it could not be read (no credentials): a state kept with it is
/// only meaningful for one account.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::ALIAS_NOT_COVERED;

    #[test]
    fn the_account_comes_from_the_invoked_function_arn() {
        assert_eq!(
            account_of_function_arn(
                "arn:aws:lambda:us-east-1:111122223333:function:cloudfront-tls-audit"
            ),
            Some("111122223333")
        );
        assert_eq!(
            account_of_function_arn("arn:aws:lambda:us-east-1:111122223333:function:f:live"),
            Some("111122223333"),
            "a qualified ARN (alias or version) names the same account"
        );
        assert_eq!(
            account_of_function_arn("arn:aws-cn:lambda:cn-north-1:111122223333:function:f"),
            Some("111122223333")
        );
        assert_eq!(
            account_of_function_arn("arn:aws:sns:us-east-1:111122223333:t"),
            None
        );
        assert_eq!(
            account_of_function_arn("arn:aws:lambda:us-east-1:1234:function:f"),
            None
        );
        assert_eq!(account_of_function_arn(""), None);
    }

    #[test]
    fn a_fingerprint_names_its_distribution_or_the_account_level() {
        let finding = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject("arn:aws:acm:us-east-1:1:certificate/a/b")
            .build();
        assert_eq!(
            Fingerprint::of("1", &finding).distribution_id(),
            Some("E123")
        );
        let account = Finding::builder(&ALIAS_NOT_COVERED).subject("x").build();
        assert_eq!(Fingerprint::of("1", &account).distribution_id(), None);
    }

    #[test]
    fn a_fingerprint_names_account_distribution_code_and_subject_and_reads_back() {
        let finding = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject("www.example.com")
            .build();
        let fingerprint = Fingerprint::of("111122223333", &finding);
        assert_eq!(
            fingerprint.as_str(),
            "cfta1/111122223333/E123/viewer-alias-not-covered/www.example.com"
        );
        assert_eq!(Fingerprint::parse(fingerprint.as_str()), Some(fingerprint));
        assert_eq!(Fingerprint::parse("other/1/2/3/4"), None);
    }
}
