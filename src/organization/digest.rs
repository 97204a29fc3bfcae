//! The organization digest: one report of every account's sweep, published in parts.
//!
//! [`build`] turns every account's [`AccountOutcome`] into two things:
//!
//! * the full organization report (a JSON object the Lambda writes to `sweeps/EXECUTION/report.json`):
//!   every account with its status, summary, problem and every failing distribution with its findings,
//!   the failed and missing accounts with Step Functions' error and cause, and the totals;
//! * the digest, as [`Notification`]s for the usual three audiences (email, the Amazon Q Developer
//!   custom notification for Slack, the machine JSON) with the usual message attributes
//!   (`notification: digest`, `trigger: organization-sweep`, `severity`, `codes`), in numbered parts
//!   each within [`SIZE_BUDGET`](crate::notify::SIZE_BUDGET), packed by the same code as a sweep's
//!   digest (`crate::notify::pack`).
//!
//! The digest lists the accounts table (every account, always), then every failing distribution
//! grouped by account, then the accounts that failed or are incomplete with why and what to do, then
//! the link to the full report. At most [`MAX_LISTED_DISTRIBUTIONS`] distributions are listed, the
//! worst first; the rest are counted, and are in the full report. No account is ever left out.

use std::fmt::Write;
use std::ops::Range;

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{AccountOutcome, AccountStatus, FailingDistribution, FindingLine};
use crate::catalogue::{AUDIT_INCOMPLETE, INCOMPLETE_ACCESS_DENIED};
use crate::finding::Severity;
use crate::notify::chat::{bounded_description, emoji, ChatMetadata, ChatNotification};
use crate::notify::content::{count, part_label, upper, Part};
use crate::notify::notification::Built;
use crate::notify::pack::{pack, Unit as PackUnit};
use crate::notify::text::{plain, slack, slack_code, subject as ascii_subject, truncate};
use crate::notify::{
    AttributeValue, Notification, TriggerSummary, ATTRIBUTE_CODES, ATTRIBUTE_NOTIFICATION,
    ATTRIBUTE_SEVERITY, ATTRIBUTE_TRIGGER, SUBJECT_LIMIT,
};
use crate::report::Summary;
use crate::untrusted::{cap, escape_forbidden_json, NAME_CHARS, TEXT_CHARS};

/// The `trigger` attribute (and trigger kind) of the organization digest.
pub const TRIGGER_KIND: &str = "organization-sweep";

/// At most this many failing distributions are listed in the digest, the worst first (about five
/// parts); the others are counted in every part and listed in the full report. Accounts are never
/// cut: every account is in the table, and every failed account is named.
pub const MAX_LISTED_DISTRIBUTIONS: usize = 2_000;

/// Characters of an account name in the email's table (names are untrusted, of any length).
const TABLE_NAME_CHARS: usize = 32;
/// Characters of an untrusted name, label or id elsewhere in the digest.
const SHOWN_NAME_CHARS: usize = 80;
/// Characters of a problem or cause in the digest (the full report keeps [`TEXT_CHARS`]).
const SHOWN_TEXT_CHARS: usize = 600;
/// Characters of one account's line in Slack.
const CHAT_LINE_CHARS: usize = 300;

/// Where the full organization report is: its S3 URI and a console link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLocation {
    /// `s3://BUCKET/sweeps/EXECUTION/report.json`.
    pub s3_uri: String,
    /// The S3 console page of that object.
    pub console_url: String,
}

/// What [`build`] returns: the full report to write, and the digest's parts to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationDigest {
    /// The full organization report (every account, every failing distribution), as JSON text:
    /// built account by account, so that the largest organization never holds it as a tree.
    pub report: String,
    /// The digest's parts, in order; always at least one.
    pub notifications: Vec<Notification>,
}

/// The full report and the digest of one organization sweep (`execution`, its Step Functions
/// execution name) from every account's outcome. `minimum` is `MIN_SEVERITY`: findings below it are
/// counted, not listed; a distribution with none at or above it is not listed as failing.
pub fn build(
    outcomes: &[AccountOutcome],
    execution: &str,
    report_location: &ReportLocation,
    minimum: Severity,
    now: OffsetDateTime,
) -> OrganizationDigest {
    let mut entries: Vec<Entry<'_>> = outcomes.iter().map(|o| Entry::new(o, minimum)).collect();
    entries.sort_by(|a, b| a.rank().cmp(&b.rank()));
    let not_listed = keep_worst(&mut entries, MAX_LISTED_DISTRIBUTIONS);
    let generated_at = now.format(&Rfc3339).unwrap_or_default();
    let trigger = TriggerSummary::new(
        TRIGGER_KIND,
        format!("Step Functions execution {execution} at {generated_at}"),
    );
    let sweep = Sweep {
        execution,
        location: report_location,
        minimum,
        generated_at,
        totals: Totals::of(&entries, not_listed),
        codes: codes(&entries),
        worst: entries.iter().filter_map(Entry::worst_spoken_of).max(),
        trigger,
    };
    let report = full_report(&sweep, &entries);
    let mut units: Vec<Section<'_, '_>> = entries.iter().map(Section::Row).collect();
    units.extend(
        entries
            .iter()
            .filter(|e| !e.listed.is_empty())
            .map(|e| Section::Failing(e, 0..e.listed.len())),
    );
    units.extend(
        entries
            .iter()
            .filter(|e| e.problem.is_some())
            .map(Section::Problem),
    );
    let notifications = pack(units, false, |units: &[Section<'_, '_>], part| {
        render(&sweep, units, part)
    });
    OrganizationDigest {
        report,
        notifications,
    }
}

/// One account as the digest shows it, however its outcome came.
struct Entry<'a> {
    account_id: &'a str,
    name: &'a str,
    status: AccountStatus,
    summary: Summary,
    /// Every failing distribution as the sweep returned it (for the full report).
    failing: &'a [FailingDistribution],
    /// The failing distributions listed in the digest: at or above the minimum, worst first.
    listed: Vec<Listed<'a>>,
    /// Failing distributions not listed: past [`MAX_LISTED_DISTRIBUTIONS`], or past what one account's
    /// result carries (`more_failing`).
    not_listed: usize,
    /// The sweep's own `more_failing` (only in the account's report).
    more_failing: usize,
    /// Why it failed or is incomplete, with what to do; `None` when audited.
    problem: Option<Problem<'a>>,
    report_key: Option<&'a str>,
}

/// A failing distribution listed in the digest, with its findings at or above the minimum.
struct Listed<'a> {
    distribution: &'a FailingDistribution,
    findings: Vec<&'a FindingLine>,
    worst: Severity,
}

/// Why an account is failed or incomplete.
struct Problem<'a> {
    /// Step Functions' error name, for an account without a result.
    error: Option<&'a str>,
    /// Its cause, for an account without a result.
    cause: Option<&'a str>,
    /// What happened and what to do, in words.
    what: String,
}

impl<'a> Entry<'a> {
    fn new(outcome: &'a AccountOutcome, minimum: Severity) -> Entry<'a> {
        match outcome {
            AccountOutcome::Result(result) => {
                let listed: Vec<Listed<'a>> = result
                    .failing
                    .iter()
                    .filter_map(|d| Listed::new(d, minimum))
                    .collect();
                let problem = match result.status {
                    AccountStatus::Audited => None,
                    status => Some(Problem {
                        error: None,
                        cause: None,
                        what: result
                            .problem
                            .clone()
                            .filter(|p| !p.trim().is_empty())
                            .unwrap_or_else(|| unexplained(status).to_owned()),
                    }),
                };
                Entry {
                    account_id: &result.account_id,
                    name: &result.account_name,
                    status: result.status,
                    summary: result.summary,
                    failing: &result.failing,
                    listed,
                    not_listed: result.more_failing,
                    more_failing: result.more_failing,
                    problem,
                    report_key: result.report_key.as_deref(),
                }
            }
            AccountOutcome::Missing {
                account,
                error,
                cause,
            } => Entry {
                account_id: &account.account_id,
                name: &account.name,
                status: AccountStatus::Failed,
                summary: Summary::default(),
                failing: &[],
                listed: Vec::new(),
                not_listed: 0,
                more_failing: 0,
                problem: Some(Problem {
                    error: Some(error),
                    cause: Some(cause),
                    what: what_to_do(error).to_owned(),
                }),
                report_key: None,
            },
        }
    }

    /// Failing distributions at or above the minimum, listed or not.
    fn failing_count(&self) -> usize {
        self.listed.len() + self.not_listed
    }

    /// The worst severity among its listed distributions.
    fn worst(&self) -> Option<Severity> {
        self.listed.iter().map(|l| l.worst).max()
    }

    /// The worst severity the digest speaks of for it: an account not wholly audited is
    /// `audit-incomplete`, at the severity of a read that was denied.
    fn worst_spoken_of(&self) -> Option<Severity> {
        let problem = self
            .problem
            .as_ref()
            .map(|_| INCOMPLETE_ACCESS_DENIED.severity);
        self.worst().max(problem)
    }

    /// The table's order: failed accounts first, then the worst, the most failing, then by id.
    fn rank(&self) -> impl Ord + '_ {
        (
            self.status != AccountStatus::Failed,
            std::cmp::Reverse(self.worst()),
            std::cmp::Reverse(self.failing_count()),
            self.account_id,
        )
    }
}

impl<'a> Listed<'a> {
    /// `distribution` as listed at `minimum`, or `None` when none of its findings reaches it.
    fn new(distribution: &'a FailingDistribution, minimum: Severity) -> Option<Listed<'a>> {
        let findings: Vec<&FindingLine> = distribution
            .findings
            .iter()
            .filter(|f| f.severity >= minimum)
            .collect();
        let worst = findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(distribution.worst);
        // Findings were cut (or never sent): its worst severity decides.
        (!findings.is_empty() || (distribution.findings.is_empty() && worst >= minimum)).then_some(
            Listed {
                distribution,
                findings,
                worst,
            },
        )
    }
}

/// The sentence for a failed or incomplete account whose result gives no reason.
fn unexplained(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Incomplete => {
            "part of the account could not be audited: its audit-incomplete findings say what could not be read; grant the member role those reads (template-member.yaml) and run the sweep again"
        }
        _ => {
            "the account was not audited and its result gives no reason: check the function's logs for this account, then run the sweep again"
        }
    }
}

/// What to do about an account whose Map item left no result, by Step Functions' error name.
fn what_to_do(error: &str) -> &'static str {
    if error == super::NO_RESULT {
        "no result was found for the account, neither its result file nor a failure in the Map run's manifest: check the Map run in the Step Functions console and the function's logs, then run the sweep again (or send {\"action\":\"sweep-account\"} for this account alone)"
    } else if error == super::RESULT_NOT_READ {
        "the account was swept, but its result could not be read back from the results bucket after the digest's retries (the cause is S3's answer): check the bucket and the function's role, then run the sweep again"
    } else if error.contains("TooManyRequests") || error.contains("Throttl") {
        "the function was throttled after every retry: lower the state machine's MaxConcurrency, or raise the function's reserved concurrency (the probes share the region's Lambda concurrency), then run the sweep again"
    } else if error.contains("Timeout") || error.contains("Timedout") {
        "the account's sweep did not finish in time: raise the function's Timeout (at most 900 seconds), keep AccountsPerInvocation at 1, then run the sweep again"
    } else {
        "the account's sweep failed after its retries: read the cause, check the function's logs for this account, fix what they say, then run the sweep again (or send {\"action\":\"sweep-account\"} for this account alone)"
    }
}

/// Keeps at most `limit` listed distributions over all accounts, the worst first (ties: in the
/// table's order), and counts the others on their account. Returns how many are not listed in all.
fn keep_worst(entries: &mut [Entry<'_>], limit: usize) -> usize {
    let total: usize = entries.iter().map(|e| e.listed.len()).sum();
    if total > limit {
        let mut all: Vec<(Severity, usize, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(e, entry)| {
                entry
                    .listed
                    .iter()
                    .enumerate()
                    .map(move |(l, d)| (d.worst, e, l))
            })
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let mut kept: Vec<Vec<bool>> = entries
            .iter()
            .map(|e| vec![false; e.listed.len()])
            .collect();
        for &(_, e, l) in all.iter().take(limit) {
            kept[e][l] = true;
        }
        for (entry, kept) in entries.iter_mut().zip(kept) {
            let before = entry.listed.len();
            let mut flags = kept.into_iter();
            entry.listed.retain(|_| flags.next().unwrap_or(false));
            entry.not_listed += before - entry.listed.len();
        }
    }
    entries.iter().map(|e| e.not_listed).sum()
}

/// The distinct codes the digest speaks of, sorted: every listed finding's, and `audit-incomplete`
/// when an account was not wholly audited.
fn codes(entries: &[Entry<'_>]) -> Vec<String> {
    let mut codes: Vec<String> = entries
        .iter()
        .flat_map(|e| e.listed.iter())
        .flat_map(|l| l.findings.iter().map(|f| plain(&f.code)))
        .filter(|c| !c.is_empty())
        .collect();
    if entries.iter().any(|e| e.problem.is_some()) {
        codes.push(AUDIT_INCOMPLETE.id.to_owned());
    }
    codes.sort();
    codes.dedup();
    codes
}

/// Counts over the whole organization (not one part).
#[derive(Debug, Clone, Default)]
struct Totals {
    accounts: usize,
    audited: usize,
    incomplete: usize,
    failed: usize,
    /// Distributions audited, over every account.
    distributions: usize,
    /// Failing distributions (at or above the minimum), listed or not.
    failing: usize,
    /// Accounts with a failing distribution.
    accounts_failing: usize,
    /// Every finding by severity (every account's summary).
    findings: Summary,
    /// Failing distributions not listed in the digest (only in the full report, or in the account's).
    not_listed: usize,
}

impl Totals {
    fn of(entries: &[Entry<'_>], not_listed: usize) -> Totals {
        let mut totals = Totals {
            accounts: entries.len(),
            not_listed,
            ..Totals::default()
        };
        for entry in entries {
            match entry.status {
                AccountStatus::Audited => totals.audited += 1,
                AccountStatus::Incomplete => totals.incomplete += 1,
                AccountStatus::Failed => totals.failed += 1,
            }
            let s = &entry.summary;
            totals.distributions += s.distributions;
            totals.findings.distributions += s.distributions;
            totals.findings.critical += s.critical;
            totals.findings.high += s.high;
            totals.findings.medium += s.medium;
            totals.findings.low += s.low;
            totals.findings.info += s.info;
            totals.failing += entry.failing_count();
            totals.accounts_failing += usize::from(entry.failing_count() > 0);
        }
        totals
    }

    fn to_json(&self) -> Value {
        json!({
            "accounts": self.accounts,
            "audited": self.audited,
            "incomplete": self.incomplete,
            "failed": self.failed,
            "distributions": self.distributions,
            "failing_distributions": self.failing,
            "accounts_with_failing_distributions": self.accounts_failing,
            "findings": severity_counts(&self.findings),
            "not_listed_distributions": self.not_listed,
        })
    }

    /// `3 critical, 0 high, 2 medium, 0 low, 0 info`.
    fn findings_line(&self) -> String {
        let f = &self.findings;
        format!(
            "{} critical, {} high, {} medium, {} low, {} info",
            f.critical, f.high, f.medium, f.low, f.info
        )
    }

    /// `500 (480 audited, 12 incomplete, 8 failed)`.
    fn accounts_line(&self) -> String {
        format!(
            "{} ({} audited, {} incomplete, {} failed: not audited)",
            self.accounts, self.audited, self.incomplete, self.failed
        )
    }
}

fn severity_counts(summary: &Summary) -> Value {
    json!({
        "critical": summary.critical,
        "high": summary.high,
        "medium": summary.medium,
        "low": summary.low,
        "info": summary.info,
    })
}

/// What every part shares.
struct Sweep<'a> {
    execution: &'a str,
    location: &'a ReportLocation,
    minimum: Severity,
    generated_at: String,
    totals: Totals,
    /// Every code the digest speaks of (the `codes` attribute of every part).
    codes: Vec<String>,
    /// The worst severity it speaks of (the `severity` attribute and the subject of every part).
    worst: Option<Severity>,
    trigger: TriggerSummary,
}

/// What one part lists: a row of the accounts table, some of an account's failing distributions
/// (the range of its listed ones), or a failed or incomplete account.
#[derive(Clone)]
enum Section<'e, 'a> {
    Row(&'e Entry<'a>),
    Failing(&'e Entry<'a>, Range<usize>),
    Problem(&'e Entry<'a>),
}

impl PackUnit for Section<'_, '_> {
    fn items(&self) -> usize {
        match self {
            Section::Failing(_, range) => range.len(),
            _ => 1,
        }
    }

    fn slice(&self, range: Range<usize>) -> Self {
        match self {
            Section::Failing(entry, whole) => {
                let start = (whole.start + range.start).min(whole.end);
                let end = (whole.start + range.end).clamp(start, whole.end);
                Section::Failing(entry, start..end)
            }
            other => other.clone(),
        }
    }
}

/// One part, for every audience.
fn render(sweep: &Sweep<'_>, units: &[Section<'_, '_>], part: Option<Part>) -> Built {
    let (https, chat_wanted) = chat(sweep, units, part);
    Built {
        notification: Notification {
            subject: subject(sweep, part),
            email: email(sweep, units, part),
            https,
            default_json: machine(sweep, units, part),
            attributes: attributes(sweep),
        },
        chat_wanted,
    }
}

/// `[CRITICAL] CloudFront TLS organization sweep: 12 failing in 3 of 500 accounts, 2 not audited`.
fn subject(sweep: &Sweep<'_>, part: Option<Part>) -> String {
    let t = &sweep.totals;
    let mut core = format!(
        "[{}] CloudFront TLS organization sweep: {} failing in {} of {}",
        sweep.worst.map_or("OK", upper),
        t.failing,
        t.accounts_failing,
        count(t.accounts, "account")
    );
    if t.failed > 0 {
        let _ = write!(core, ", {} not audited", t.failed);
    }
    let suffix = part_label(part);
    let room = SUBJECT_LIMIT.saturating_sub(suffix.len());
    format!(
        "{}{suffix}",
        ascii_subject(&core, room, "[CloudFront TLS] organization digest")
    )
}

/// The same attributes on every part, so that a subscription filter takes all parts or none.
fn attributes(sweep: &Sweep<'_>) -> std::collections::BTreeMap<String, AttributeValue> {
    let mut attributes = std::collections::BTreeMap::new();
    if let Some(worst) = sweep.worst {
        attributes.insert(
            ATTRIBUTE_SEVERITY.to_owned(),
            AttributeValue::String(worst.as_str().to_owned()),
        );
    }
    if !sweep.codes.is_empty() {
        attributes.insert(
            ATTRIBUTE_CODES.to_owned(),
            AttributeValue::StringArray(sweep.codes.clone()),
        );
    }
    attributes.insert(
        ATTRIBUTE_TRIGGER.to_owned(),
        AttributeValue::String(sweep.trigger.attribute()),
    );
    attributes.insert(
        ATTRIBUTE_NOTIFICATION.to_owned(),
        AttributeValue::String("digest".to_owned()),
    );
    attributes
}

/// An untrusted account name or label for email: plain, bounded, `-` when blank.
fn email_name(name: &str, limit: usize) -> String {
    let name = truncate(&plain(name), limit);
    if name.trim().is_empty() {
        "-".to_owned()
    } else {
        name
    }
}

/// `111122223333 (Production)` in Slack: the id as code, the name escaped and bounded.
fn chat_who(entry: &Entry<'_>) -> String {
    let id = slack_code(&truncate(entry.account_id, SHOWN_NAME_CHARS));
    let name = truncate(&slack(entry.name), SHOWN_NAME_CHARS);
    if name.trim().is_empty() {
        id
    } else {
        format!("{id} ({name})")
    }
}

fn status_word(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Audited => "audited",
        AccountStatus::Incomplete => "incomplete",
        AccountStatus::Failed => "failed",
    }
}

/// How many of each section this part holds: (rows, accounts with failing distributions,
/// distributions, problems).
fn part_counts(units: &[Section<'_, '_>]) -> (usize, usize, usize, usize) {
    units.iter().fold(
        (0, 0, 0, 0),
        |(rows, accounts, listed, problems), unit| match unit {
            Section::Row(_) => (rows + 1, accounts, listed, problems),
            Section::Failing(_, range) => (rows, accounts + 1, listed + range.len(), problems),
            Section::Problem(_) => (rows, accounts, listed, problems + 1),
        },
    )
}

/// `viewer-cert-expired (critical), viewer-tls-policy-outdated (medium) +2 more`, for email.
fn finding_list(listed: &Listed<'_>) -> String {
    let mut text = listed
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} ({})",
                truncate(&plain(&f.code), SHOWN_NAME_CHARS),
                f.severity
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let more = listed.distribution.more_findings
        + (listed.distribution.findings.len() - listed.findings.len());
    if more > 0 {
        let _ = write!(text, " +{more} more");
    }
    text
}

/// The email of one part.
fn email(sweep: &Sweep<'_>, units: &[Section<'_, '_>], part: Option<Part>) -> String {
    let t = &sweep.totals;
    let minimum = sweep.minimum;
    let mut email = String::new();
    let _ = writeln!(
        email,
        "CloudFront TLS organization sweep digest{}\n",
        part_label(part)
    );
    let _ = writeln!(email, "Triggered by: {}", plain(&sweep.trigger.line()));
    let _ = writeln!(email, "Accounts: {}.", t.accounts_line());
    let _ = writeln!(
        email,
        "Distributions audited: {}. Failing (a finding at or above {minimum}): {} in {}.",
        t.distributions,
        count(t.failing, "distribution"),
        count(t.accounts_failing, "account")
    );
    let _ = writeln!(email, "Findings (every severity): {}.", t.findings_line());
    if t.not_listed > 0 {
        let _ = writeln!(
            email,
            "Not listed in this digest: {} (the least severe; every one is in the full report).",
            count(t.not_listed, "failing distribution")
        );
    }
    if t.failing == 0 {
        let _ = writeln!(
            email,
            "No distribution in any account has a finding at or above {minimum}."
        );
    }
    if t.failed + t.incomplete == 0 {
        let _ = writeln!(email, "Every account was audited in full.");
    }
    let (rows, accounts, listed, problems) = part_counts(units);
    if let Some(part) = part {
        let _ = writeln!(
            email,
            "This digest comes in {} parts; this is part {}: {} of the table, the failing distributions of {} ({}), {} failed or incomplete. The parts together list every account.",
            part.of,
            part.number,
            count(rows, "account"),
            count(accounts, "account"),
            count(listed, "distribution"),
            count(problems, "account"),
        );
    }
    let _ = writeln!(email, "Full report: {}", sweep.location.s3_uri);

    if rows > 0 {
        let _ = writeln!(email, "\n== Accounts ==\n");
        let _ = writeln!(
            email,
            "{:<14}{:<w$}  {:>13}  {:>8}  {:>4}  {:>6}  {:>4}  status",
            "account",
            "name",
            "distributions",
            "critical",
            "high",
            "medium",
            "low",
            w = TABLE_NAME_CHARS
        );
        for unit in units {
            if let Section::Row(entry) = unit {
                let s = &entry.summary;
                let _ = writeln!(
                    email,
                    "{:<14}{:<w$}  {:>13}  {:>8}  {:>4}  {:>6}  {:>4}  {}",
                    email_name(entry.account_id, SHOWN_NAME_CHARS),
                    email_name(entry.name, TABLE_NAME_CHARS),
                    s.distributions,
                    s.critical,
                    s.high,
                    s.medium,
                    s.low,
                    status_word(entry.status),
                    w = TABLE_NAME_CHARS
                );
            }
        }
    }
    if accounts > 0 {
        let _ = writeln!(
            email,
            "\n== Failing distributions by account (at or above {minimum}) =="
        );
        for unit in units {
            let Section::Failing(entry, range) = unit else {
                continue;
            };
            let shown = if range.len() == entry.listed.len() {
                String::new()
            } else {
                format!(", here {} to {}", range.start + 1, range.end)
            };
            let _ = writeln!(
                email,
                "\n-- Account {} ({}): {}{shown}{} --",
                email_name(entry.account_id, SHOWN_NAME_CHARS),
                email_name(entry.name, SHOWN_NAME_CHARS),
                count(entry.failing_count(), "failing distribution"),
                if entry.not_listed > 0 {
                    format!(", {} only in the full report", entry.not_listed)
                } else {
                    String::new()
                },
            );
            for listed in entry.listed.get(range.clone()).unwrap_or_default() {
                let _ = writeln!(
                    email,
                    "- {} ({}): {}: {}",
                    email_name(&listed.distribution.distribution_id, SHOWN_NAME_CHARS),
                    email_name(&listed.distribution.label, SHOWN_NAME_CHARS),
                    listed.worst,
                    finding_list(listed)
                );
            }
        }
    }
    if problems > 0 {
        let _ = writeln!(email, "\n== Accounts failed or incomplete ==\n");
        for unit in units {
            let Section::Problem(entry) = unit else {
                continue;
            };
            let Some(problem) = &entry.problem else {
                continue;
            };
            let _ = write!(
                email,
                "- {} ({}): {}",
                email_name(entry.account_id, SHOWN_NAME_CHARS),
                email_name(entry.name, SHOWN_NAME_CHARS),
                status_word(entry.status)
            );
            if let Some(error) = problem.error {
                let _ = write!(email, ": {}", email_name(error, SHOWN_NAME_CHARS));
            }
            if let Some(cause) = problem.cause.filter(|c| !c.trim().is_empty()) {
                let _ = write!(email, ": {}", truncate(&plain(cause), SHOWN_TEXT_CHARS));
            }
            let _ = writeln!(
                email,
                "\n  What to do: {}",
                truncate(&plain(&problem.what), SHOWN_TEXT_CHARS)
            );
        }
    }
    let _ = writeln!(
        email,
        "\nThe full report (every account, every failing distribution with its findings):\n  {}\n  {}",
        sweep.location.s3_uri, sweep.location.console_url
    );
    email.push_str(
        "\n--\nSent by cloudfront-tls-audit (organization sweep). Machine subscribers (SQS, Lambda) receive the JSON digest.\n",
    );
    email
}

/// The chat notification of one part: the totals, then the failed accounts and the failing ones of
/// this part, one line each (cut with "and N more" past Slack's limit; the email lists all).
fn chat(sweep: &Sweep<'_>, units: &[Section<'_, '_>], part: Option<Part>) -> (String, usize) {
    let t = &sweep.totals;
    let minimum = sweep.minimum;
    let suffix = part_label(part);
    let headline = format!(
        "{} failing in {} of {}{}",
        t.failing,
        t.accounts_failing,
        count(t.accounts, "account"),
        if t.failed > 0 {
            format!(", {} not audited", t.failed)
        } else {
            String::new()
        }
    );
    let title = format!(
        "{} CloudFront TLS organization sweep: {headline}{suffix}",
        emoji(sweep.worst)
    );
    let mut header = vec![
        format!("*Trigger:* {}", slack(&sweep.trigger.line())),
        format!("*Accounts:* {}", t.accounts_line()),
        format!(
            "*Failing at or above {minimum}:* {} in {}",
            count(t.failing, "distribution"),
            count(t.accounts_failing, "account")
        ),
        format!("*Findings:* {}", t.findings_line()),
    ];
    if t.not_listed > 0 {
        header.push(format!(
            "*Not listed:* {} (in the full report)",
            count(t.not_listed, "failing distribution")
        ));
    }
    if t.failing == 0 {
        header.push(format!(
            "No distribution in any account has a finding at or above {minimum}."
        ));
    }
    let (rows, accounts, listed, problems) = part_counts(units);
    if let Some(part) = part {
        header.push(format!(
            "*Part {} of {}:* {} in the table, {} with failing distributions ({}), {} failed or incomplete",
            part.number,
            part.of,
            count(rows, "account"),
            count(accounts, "account"),
            count(listed, "distribution"),
            count(problems, "account")
        ));
    }
    header.push(format!(
        "*Full report:* {}",
        sweep
            .location
            .console_url
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    ));
    // Failed accounts first: they are what the digest must never lose.
    let mut lines: Vec<String> = units
        .iter()
        .filter_map(|unit| match unit {
            Section::Problem(entry) => entry.problem.as_ref().map(|problem| {
                truncate(
                    &format!(
                        "• {}: *{}*: {}",
                        chat_who(entry),
                        status_word(entry.status),
                        slack(problem.error.unwrap_or(&problem.what))
                    ),
                    CHAT_LINE_CHARS,
                )
            }),
            _ => None,
        })
        .collect();
    lines.extend(units.iter().filter_map(|unit| match unit {
        Section::Failing(entry, range) => {
            let listed = entry.listed.get(range.clone()).unwrap_or_default();
            let mut codes: Vec<String> = listed
                .iter()
                .flat_map(|l| l.findings.iter().map(|f| slack(&f.code)))
                .collect();
            codes.sort();
            codes.dedup();
            Some(truncate(
                &format!(
                    "• {}: {} failing, worst *{}*: {}",
                    chat_who(entry),
                    entry.failing_count(),
                    entry.worst().map_or("none", Severity::as_str),
                    codes.join(", ")
                ),
                CHAT_LINE_CHARS,
            ))
        }
        _ => None,
    }));
    let (description, wanted) = bounded_description(&header, &lines, "account");
    let mut keywords = vec![
        "CloudFront".to_owned(),
        "TLS".to_owned(),
        "organization".to_owned(),
        "sweep".to_owned(),
    ];
    keywords.extend(sweep.worst.map(|s| s.as_str().to_owned()));
    let metadata = ChatMetadata::new(
        format!("organization-sweep-{}", sweep.execution),
        format!("CloudFront TLS organization sweep: {headline}{suffix}"),
        "CloudFrontTlsOrganizationDigest",
        [
            ("severity", sweep.worst.map_or("none", upper).to_owned()),
            ("failing_distributions", t.failing.to_string()),
            ("failed_accounts", t.failed.to_string()),
            ("trigger", sweep.trigger.attribute()),
        ],
    );
    let next_steps = vec![
        "Fix critical findings first: the email lists every failing distribution by account.".to_owned(),
        "Failed accounts: check that template-member.yaml is deployed there (StackSets) and read the reason given, then run the sweep again.".to_owned(),
        format!("Full report: {}", sweep.location.s3_uri.replace('&', "&amp;")),
    ];
    let chat = ChatNotification::new(title, description, next_steps, keywords, metadata);
    (chat.to_json(), wanted)
}

/// Which account, and how it fared: the first fields of its row and of its problem.
fn account_identity(entry: &Entry<'_>) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert(
        "account_id".into(),
        Value::from(cap(entry.account_id, NAME_CHARS)),
    );
    object.insert(
        "account_name".into(),
        Value::from(cap(entry.name, NAME_CHARS)),
    );
    object.insert("status".into(), Value::from(status_word(entry.status)));
    object
}

/// One account's row, as the machine copy and the full report give it.
fn account_object(entry: &Entry<'_>) -> Map<String, Value> {
    let mut object = account_identity(entry);
    object.insert(
        "summary".into(),
        serde_json::to_value(entry.summary).unwrap_or(Value::Null),
    );
    object.insert(
        "failing_distributions".into(),
        Value::from(entry.failing_count()),
    );
    object
}

/// The problem of an account, as the machine copy and the full report give it.
fn problem_object(entry: &Entry<'_>, problem: &Problem<'_>) -> Map<String, Value> {
    let mut object = account_identity(entry);
    object.insert(
        "error".into(),
        problem
            .error
            .map_or(Value::Null, |e| Value::from(cap(e, NAME_CHARS))),
    );
    object.insert(
        "cause".into(),
        problem
            .cause
            .map_or(Value::Null, |c| Value::from(cap(c, TEXT_CHARS))),
    );
    object.insert(
        "problem".into(),
        Value::from(cap(&problem.what, TEXT_CHARS)),
    );
    object
}

/// A distribution with `findings` (some of its own) and `worst`, its untrusted strings capped;
/// `more_findings` counts what its own list left off and what `findings` leaves off.
fn distribution_object(
    d: &FailingDistribution,
    worst: Severity,
    findings: &[&FindingLine],
) -> Value {
    json!({
        "distribution_id": cap(&d.distribution_id, NAME_CHARS),
        "label": cap(&d.label, NAME_CHARS),
        "worst": worst.as_str(),
        "findings": findings.iter().map(|f| json!({
            "code": cap(&f.code, NAME_CHARS),
            "severity": f.severity.as_str(),
        })).collect::<Vec<_>>(),
        "more_findings": d.more_findings + d.findings.len().saturating_sub(findings.len()),
    })
}

/// A listed distribution, with its findings at or above the minimum.
fn listed_object(listed: &Listed<'_>) -> Value {
    distribution_object(listed.distribution, listed.worst, &listed.findings)
}

/// A failing distribution as the sweep returned it, every finding.
fn failing_object(d: &FailingDistribution) -> Value {
    distribution_object(d, d.worst, &d.findings.iter().collect::<Vec<_>>())
}

/// The `digest` object every machine copy and the full report start from.
fn digest_object(sweep: &Sweep<'_>) -> Map<String, Value> {
    let mut digest = Map::new();
    digest.insert("kind".into(), Value::from("organization"));
    digest.insert("execution".into(), Value::from(sweep.execution));
    digest.insert(
        "generated_at".into(),
        Value::from(sweep.generated_at.as_str()),
    );
    digest.insert(
        "minimum_severity".into(),
        Value::from(sweep.minimum.as_str()),
    );
    digest.insert("report".into(), Value::from(sweep.location.s3_uri.as_str()));
    digest.insert(
        "report_console_url".into(),
        Value::from(sweep.location.console_url.as_str()),
    );
    digest.insert("total".into(), sweep.totals.to_json());
    digest
}

/// The machine copy of one part: the digest's totals and this part's rows, failing distributions
/// and problems, compact (it travels three times in the envelope).
fn machine(sweep: &Sweep<'_>, units: &[Section<'_, '_>], part: Option<Part>) -> String {
    let Part { number, of } = part.unwrap_or(Part { number: 1, of: 1 });
    let mut digest = digest_object(sweep);
    digest.insert("part".into(), Value::from(number));
    digest.insert("parts".into(), Value::from(of));
    let mut accounts = Vec::new();
    let mut failing = Vec::new();
    let mut problems = Vec::new();
    for unit in units {
        match unit {
            Section::Row(entry) => accounts.push(Value::Object(account_object(entry))),
            Section::Failing(entry, range) => failing.push(json!({
                "account_id": cap(entry.account_id, NAME_CHARS),
                "account_name": cap(entry.name, NAME_CHARS),
                "first": range.start + 1,
                "distributions": entry
                    .listed
                    .get(range.clone())
                    .unwrap_or_default()
                    .iter()
                    .map(listed_object)
                    .collect::<Vec<_>>(),
            })),
            Section::Problem(entry) => {
                if let Some(problem) = &entry.problem {
                    problems.push(Value::Object(problem_object(entry, problem)));
                }
            }
        }
    }
    let document = json!({
        "digest": Value::Object(digest),
        "accounts": accounts,
        "failing": failing,
        "problems": problems,
        "trigger": serde_json::to_value(&sweep.trigger).unwrap_or(Value::Null),
    });
    serde_json::to_string(&escape_forbidden_json(document)).unwrap_or_default()
}

/// The full organization report: every account with every failing distribution the sweep returned.
fn full_report(sweep: &Sweep<'_>, entries: &[Entry<'_>]) -> String {
    let accounts = entries.iter().map(|entry| {
        let mut object = account_object(entry);
        object.insert(
            "failing".into(),
            entry.failing.iter().map(failing_object).collect(),
        );
        object.insert("more_failing".into(), Value::from(entry.more_failing));
        object.insert("listed_in_digest".into(), Value::from(entry.listed.len()));
        let (error, cause, problem) = match &entry.problem {
            Some(p) => {
                let o = problem_object(entry, p);
                (o["error"].clone(), o["cause"].clone(), o["problem"].clone())
            }
            None => (Value::Null, Value::Null, Value::Null),
        };
        object.insert("problem".into(), problem);
        object.insert("error".into(), error);
        object.insert("cause".into(), cause);
        object.insert(
            "report_key".into(),
            entry.report_key.map_or(Value::Null, Value::from),
        );
        Value::Object(object)
    });
    let mut report = digest_object(sweep);
    report.remove("kind");
    report.insert(
        "trigger".into(),
        serde_json::to_value(&sweep.trigger).unwrap_or(Value::Null),
    );
    // The head as one object, then each account serialised and dropped in turn.
    let head = serde_json::to_string(&escape_forbidden_json(Value::Object(report)))
        .unwrap_or_else(|_| "{}".to_owned());
    let mut text = head.strip_suffix('}').unwrap_or("{").to_owned();
    if text.len() > 1 {
        text.push(',');
    }
    text.push_str("\"accounts\":[");
    for (index, account) in accounts.enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::to_string(&escape_forbidden_json(account)).unwrap_or_default());
    }
    text.push_str("]}");
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use time::macros::datetime;

    use super::*;
    use crate::notify::{CHAT_DESCRIPTION_LIMIT, SIZE_BUDGET};
    use crate::organization::{Account, AccountResult, MAX_CODES_PER_DISTRIBUTION};
    use crate::untrusted::HOSTILE_CORPUS;

    const NOW: OffsetDateTime = datetime!(2026-12-07 06:00 UTC);

    fn location() -> ReportLocation {
        ReportLocation {
            s3_uri: "s3://results-bucket/sweeps/daily-1/report.json".into(),
            console_url: "https://us-east-1.console.aws.amazon.com/s3/object/results-bucket?region=us-east-1&prefix=sweeps/daily-1/report.json".into(),
        }
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    fn report_of(digest: &OrganizationDigest) -> Value {
        parse(&digest.report)
    }

    fn distribution(id: &str, findings: &[(&str, Severity)]) -> FailingDistribution {
        FailingDistribution {
            distribution_id: id.into(),
            label: format!("{}.example.com", id.to_lowercase()),
            worst: findings.iter().map(|f| f.1).max().unwrap_or(Severity::Info),
            findings: findings
                .iter()
                .map(|(code, severity)| FindingLine {
                    code: (*code).into(),
                    severity: *severity,
                })
                .collect(),
            more_findings: 0,
        }
    }

    fn result(
        id: &str,
        name: &str,
        status: AccountStatus,
        failing: Vec<FailingDistribution>,
    ) -> AccountOutcome {
        let mut summary = Summary {
            distributions: 10 + failing.len(),
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
        AccountOutcome::Result(AccountResult {
            account_id: id.into(),
            account_name: name.into(),
            status,
            summary,
            failing,
            more_failing: 0,
            problem: (status != AccountStatus::Audited).then(|| {
                format!("could not assume arn:aws:iam::{id}:role/cloudfront-tls-audit-member: AccessDenied; deploy template-member.yaml to this account")
            }),
            report_key: Some(format!("sweeps/daily-1/accounts/{id}.json")),
        })
    }

    fn missing(id: &str, name: &str, error: &str) -> AccountOutcome {
        AccountOutcome::Missing {
            account: Account {
                account_id: id.into(),
                name: name.into(),
            },
            error: error.into(),
            cause: "Rate Exceeded.".into(),
        }
    }

    /// 500 accounts: one in 50 without a result, one in 25 whose role was not assumed, one in 10
    /// incomplete, the others audited with 0 to 6 failing distributions (some only low).
    fn organization(accounts: usize, failing_per_account: usize) -> Vec<AccountOutcome> {
        (0..accounts)
            .map(|i| {
                let id = format!("{:012}", 100_000_000_000u64 + i as u64);
                let name = format!("team-{i} production");
                if i % 50 == 7 {
                    return missing(&id, &name, "Lambda.TooManyRequestsException");
                }
                if i % 25 == 3 {
                    return result(&id, &name, AccountStatus::Failed, vec![]);
                }
                let failing = (0..(i % 7) * failing_per_account / 6)
                    .map(|d| {
                        let did = format!("E{i:05}D{d:03}");
                        match d % 4 {
                            0 => distribution(
                                &did,
                                &[
                                    ("viewer-cert-expired", Severity::Critical),
                                    ("viewer-tls-policy-outdated", Severity::Medium),
                                ],
                            ),
                            1 => distribution(&did, &[("origin-cert-expiring", Severity::High)]),
                            2 => distribution(&did, &[("viewer-http-allowed", Severity::Medium)]),
                            _ => {
                                distribution(&did, &[("viewer-tls-policy-outdated", Severity::Low)])
                            }
                        }
                    })
                    .collect();
                let status = if i % 10 == 1 {
                    AccountStatus::Incomplete
                } else {
                    AccountStatus::Audited
                };
                result(&id, &name, status, failing)
            })
            .collect()
    }

    fn failed_ids(outcomes: &[AccountOutcome]) -> BTreeSet<String> {
        outcomes
            .iter()
            .filter_map(|o| match o {
                AccountOutcome::Missing { account, .. } => Some(account.account_id.clone()),
                AccountOutcome::Result(r) if r.status != AccountStatus::Audited => {
                    Some(r.account_id.clone())
                }
                AccountOutcome::Result(_) => None,
            })
            .collect()
    }

    #[test]
    fn five_hundred_accounts_come_in_parts_within_the_budget_and_every_account_is_named() {
        let outcomes = organization(500, 6);
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        let parts = &digest.notifications;
        let n = parts.len();
        assert!(n > 1, "500 accounts do not fit one message");

        let mut rows = Vec::new();
        let mut problems = BTreeSet::new();
        let mut listed = 0;
        for (i, part) in parts.iter().enumerate() {
            let label = format!("(part {} of {n})", i + 1);
            assert!(
                part.sns_size() <= SIZE_BUDGET,
                "part {} is {} bytes",
                i + 1,
                part.sns_size()
            );
            assert!(
                part.subject.len() <= SUBJECT_LIMIT && part.subject.ends_with(&label),
                "{}",
                part.subject
            );
            assert!(
                part.subject
                    .starts_with("[CRITICAL] CloudFront TLS organization sweep: "),
                "{}",
                part.subject
            );
            assert!(part.email.contains(&label));
            assert!(part.email.contains(&format!(
                "This digest comes in {n} parts; this is part {}",
                i + 1
            )));
            assert!(
                part.email.contains(
                    "Accounts: 500 (420 audited, 50 incomplete, 30 failed: not audited)."
                ),
                "{}",
                &part.email[..600]
            );
            assert!(part
                .email
                .contains("Full report: s3://results-bucket/sweeps/daily-1/report.json"));
            assert_eq!(
                part.attribute(ATTRIBUTE_NOTIFICATION).as_deref(),
                Some("digest")
            );
            assert_eq!(
                part.attribute(ATTRIBUTE_TRIGGER).as_deref(),
                Some("organization-sweep")
            );
            assert_eq!(
                part.attribute(ATTRIBUTE_SEVERITY).as_deref(),
                Some("critical")
            );
            assert_eq!(
                part.attribute(ATTRIBUTE_CODES).as_deref(),
                Some(
                    r#"["audit-incomplete","origin-cert-expiring","viewer-cert-expired","viewer-http-allowed","viewer-tls-policy-outdated"]"#
                )
            );
            assert!(part
                .attribute(crate::notify::ATTRIBUTE_DISTRIBUTION_ID)
                .is_none());

            let json = parse(&part.default_json);
            assert_eq!(json["digest"]["part"], i + 1);
            assert_eq!(json["digest"]["parts"], n);
            assert_eq!(json["digest"]["total"]["accounts"], 500);
            assert_eq!(json["trigger"]["kind"], "organization-sweep");
            for row in json["accounts"].as_array().expect("accounts") {
                let id = row["account_id"].as_str().expect("id").to_owned();
                assert!(part.email.contains(&id), "{id} in the email's table");
                rows.push(id);
            }
            for group in json["failing"].as_array().expect("failing") {
                for d in group["distributions"].as_array().expect("distributions") {
                    listed += 1;
                    let id = d["distribution_id"].as_str().expect("id");
                    assert!(part.email.contains(&format!("- {id} (")), "{id}");
                    assert_ne!(d["worst"], "low", "below the minimum");
                }
            }
            for problem in json["problems"].as_array().expect("problems") {
                let id = problem["account_id"].as_str().expect("id").to_owned();
                assert!(part.email.contains(&format!("- {id} (")));
                problems.insert(id);
            }
            let chat = parse(&part.https);
            let description = chat["content"]["description"]
                .as_str()
                .expect("description");
            assert!(description.chars().count() <= CHAT_DESCRIPTION_LIMIT);
            assert_eq!(chat["metadata"]["threadId"], "organization-sweep-daily-1");
        }
        // Every account exactly once in the table, every failed or incomplete one named.
        let distinct: BTreeSet<&String> = rows.iter().collect();
        assert_eq!((rows.len(), distinct.len()), (500, 500));
        assert_eq!(problems, failed_ids(&outcomes));
        // Every failing distribution at or above medium, once (the low-only ones are not failing).
        let expected: usize = report_of(&digest)["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| a["failing_distributions"].as_u64().unwrap_or(0) as usize)
            .sum();
        assert_eq!(listed, expected);
        assert_eq!(
            report_of(&digest)["total"]["failing_distributions"],
            expected
        );
        assert_eq!(report_of(&digest)["total"]["not_listed_distributions"], 0);
    }

    #[test]
    fn the_full_report_has_every_account_its_failing_distributions_and_why_it_failed() {
        let outcomes = organization(60, 6);
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        let report = &report_of(&digest);
        assert_eq!(report["execution"], "daily-1");
        assert_eq!(report["generated_at"], "2026-12-07T06:00:00Z");
        assert_eq!(
            report["report"],
            "s3://results-bucket/sweeps/daily-1/report.json"
        );
        assert_eq!(report["trigger"]["kind"], "organization-sweep");
        let accounts = report["accounts"].as_array().expect("accounts");
        assert_eq!(accounts.len(), 60);
        // Failed accounts first.
        assert_eq!(accounts[0]["status"], "failed");
        let missing = accounts
            .iter()
            .find(|a| a["account_id"] == "100000000007")
            .expect("the account without a result");
        assert_eq!(missing["status"], "failed");
        assert_eq!(missing["error"], "Lambda.TooManyRequestsException");
        assert_eq!(missing["cause"], "Rate Exceeded.");
        assert!(missing["problem"]
            .as_str()
            .is_some_and(|p| p.contains("MaxConcurrency")));
        let denied = accounts
            .iter()
            .find(|a| a["account_id"] == "100000000003")
            .expect("the account whose role was not assumed");
        assert!(denied["problem"]
            .as_str()
            .is_some_and(|p| p.contains("template-member.yaml")));
        // The report keeps every failing distribution as returned, the low-only ones too.
        let audited = accounts
            .iter()
            .find(|a| a["account_id"] == "100000000006")
            .expect("an audited account");
        assert_eq!(audited["failing"].as_array().map(Vec::len), Some(6));
        assert_eq!(audited["failing_distributions"], 5, "one is only low");
        assert_eq!(
            audited["report_key"],
            "sweeps/daily-1/accounts/100000000006.json"
        );
        let total = &report["total"];
        assert_eq!(
            (
                total["accounts"].as_u64(),
                total["failed"].as_u64(),
                total["incomplete"].as_u64()
            ),
            (Some(60), Some(5), Some(6))
        );
    }

    #[test]
    fn a_small_organization_gets_one_part() {
        let outcomes = vec![
            result(
                "111122223333",
                "prod",
                AccountStatus::Audited,
                vec![distribution(
                    "E1PROD",
                    &[("viewer-cert-expired", Severity::Critical)],
                )],
            ),
            result("222233334444", "dev", AccountStatus::Audited, vec![]),
            missing("333344445555", "sandbox", "NoResult"),
        ];
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        assert_eq!(digest.notifications.len(), 1);
        let note = &digest.notifications[0];
        assert_eq!(
            note.subject,
            "[CRITICAL] CloudFront TLS organization sweep: 1 failing in 1 of 3 accounts, 1 not audited"
        );
        let email = &note.email;
        for needle in [
            "CloudFront TLS organization sweep digest\n",
            "Accounts: 3 (2 audited, 0 incomplete, 1 failed: not audited).",
            "Failing (a finding at or above medium): 1 distribution in 1 account.",
            "== Accounts ==",
            "== Failing distributions by account (at or above medium) ==",
            "-- Account 111122223333 (prod): 1 failing distribution --",
            "- E1PROD (e1prod.example.com): critical: viewer-cert-expired (critical)",
            "== Accounts failed or incomplete ==",
            "- 333344445555 (sandbox): failed: NoResult: Rate Exceeded.",
            "What to do: no result was found for the account",
            "https://us-east-1.console.aws.amazon.com/s3/object/results-bucket?region=us-east-1&prefix=",
        ] {
            assert!(email.contains(needle), "missing {needle:?} in\n{email}");
        }
        assert!(!email.contains("(part "), "{email}");
        // The table: one row per account, in the table's order (failed first).
        let table: Vec<&str> = email
            .lines()
            .skip_while(|l| !l.starts_with("account "))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(table.len(), 3, "{email}");
        assert!(table[0].starts_with("333344445555  sandbox") && table[0].ends_with("failed"));
        assert!(table[1].starts_with("111122223333  prod") && table[1].ends_with("audited"));
        let json = parse(&note.default_json);
        assert_eq!(json["digest"]["parts"], 1);
        let chat = parse(&note.https);
        let description = chat["content"]["description"]
            .as_str()
            .expect("description");
        assert!(
            description.contains("• `333344445555` (sandbox): *failed*: NoResult"),
            "{description}"
        );
        assert!(description
            .contains("• `111122223333` (prod): 1 failing, worst *critical*: viewer-cert-expired"));
        assert!(
            description.contains("region=us-east-1&amp;prefix="),
            "{description}"
        );
    }

    #[test]
    fn nothing_failing_says_so() {
        let outcomes = vec![
            result("111122223333", "prod", AccountStatus::Audited, vec![]),
            result(
                "222233334444",
                "dev",
                AccountStatus::Audited,
                vec![distribution(
                    "E1LOW",
                    &[("viewer-tls-policy-outdated", Severity::Low)],
                )],
            ),
        ];
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        let note = &digest.notifications[0];
        assert_eq!(
            note.subject,
            "[OK] CloudFront TLS organization sweep: 0 failing in 0 of 2 accounts"
        );
        assert!(note
            .email
            .contains("No distribution in any account has a finding at or above medium."));
        assert!(note.email.contains("Every account was audited in full."));
        assert!(!note.email.contains("== Failing distributions"));
        assert!(note.attribute(ATTRIBUTE_SEVERITY).is_none());
        assert!(note.attribute(ATTRIBUTE_CODES).is_none());
        let description = parse(&note.https)["content"]["description"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(description
            .contains("No distribution in any account has a finding at or above medium."));
        // MIN_SEVERITY is a parameter: at low, the same distribution is listed.
        let at_low = build(&outcomes, "daily-1", &location(), Severity::Low, NOW);
        assert!(at_low.notifications[0]
            .email
            .contains("- E1LOW (e1low.example.com): low"));
        assert_eq!(
            at_low.notifications[0]
                .attribute(ATTRIBUTE_SEVERITY)
                .as_deref(),
            Some("low")
        );
    }

    #[test]
    fn untrusted_account_names_are_escaped_and_bounded_for_every_audience() {
        let huge = format!(
            "Evil\n*Forged* <!channel> @here `x` https://phish.example/{}",
            "é".repeat(100_000)
        );
        let mut names: Vec<String> = HOSTILE_CORPUS.iter().map(|s| (*s).to_owned()).collect();
        names.push(huge);
        let outcomes: Vec<AccountOutcome> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let id = format!("{:012}", 500_000_000_000u64 + i as u64);
                if i % 2 == 0 {
                    missing(&id, name, name)
                } else {
                    let mut d = distribution("E1", &[("viewer-cert-expired", Severity::Critical)]);
                    d.label = name.clone();
                    result(&id, name, AccountStatus::Audited, vec![d])
                }
            })
            .collect();
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        for note in &digest.notifications {
            assert!(note.sns_size() <= SIZE_BUDGET);
            assert!(note.subject.is_ascii() && note.subject.len() <= SUBJECT_LIMIT);
            let email = &note.email;
            assert!(!email.contains("\n*Forged*"), "a name cannot forge a line");
            assert!(!email
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{202E}' || c == '\u{7}'));
            // Bounded: each name shows at most SHOWN_NAME_CHARS characters of its 100,000.
            assert!(email.len() < 40_000, "{} bytes", email.len());
            let chat = parse(&note.https);
            let description = chat["content"]["description"]
                .as_str()
                .expect("description");
            assert!(!description.contains('<') && !description.contains('>'));
            for mention in ["@here", "@channel", "@everyone"] {
                assert!(!description.contains(mention), "{mention}");
            }
            assert!(!description.contains("://phish"));
            assert!(!description
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{202E}'));
            assert!(
                !note.default_json.contains('\u{202E}') && !note.default_json.contains('\u{1b}')
            );
        }
        for account in report_of(&digest)["accounts"].as_array().expect("accounts") {
            let name = account["account_name"].as_str().expect("name");
            assert!(
                name.chars().count() <= NAME_CHARS + 64,
                "capped: {}",
                name.chars().count()
            );
            assert!(!name.contains('\u{202E}') && !name.contains('\u{1b}'));
        }
        let serialised = digest.report.clone();
        assert!(serialised.len() < 100_000, "{} bytes", serialised.len());
    }

    #[test]
    fn past_the_listing_limit_the_worst_are_listed_the_rest_counted_and_no_account_dropped() {
        // 500 accounts × up to 20 failing distributions: far more than MAX_LISTED_DISTRIBUTIONS.
        let outcomes = organization(500, 20);
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        let failing = report_of(&digest)["total"]["failing_distributions"]
            .as_u64()
            .unwrap_or(0) as usize;
        assert!(failing > MAX_LISTED_DISTRIBUTIONS, "{failing}");
        let not_listed = failing - MAX_LISTED_DISTRIBUTIONS;
        let mut rows = BTreeSet::new();
        let mut problems = BTreeSet::new();
        let mut worst_listed = Vec::new();
        for note in &digest.notifications {
            assert!(note.sns_size() <= SIZE_BUDGET);
            assert!(note.email.contains(&format!(
                "Not listed in this digest: {not_listed} failing distributions (the least severe; every one is in the full report)."
            )));
            let json = parse(&note.default_json);
            assert_eq!(
                json["digest"]["total"]["not_listed_distributions"],
                not_listed
            );
            rows.extend(
                json["accounts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["account_id"].as_str().map(str::to_owned)),
            );
            problems.extend(
                json["problems"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["account_id"].as_str().map(str::to_owned)),
            );
            for group in json["failing"].as_array().into_iter().flatten() {
                for d in group["distributions"].as_array().into_iter().flatten() {
                    worst_listed.push(d["worst"].as_str().unwrap_or_default().to_owned());
                }
            }
        }
        assert_eq!(rows.len(), 500);
        assert_eq!(problems, failed_ids(&outcomes));
        assert_eq!(worst_listed.len(), MAX_LISTED_DISTRIBUTIONS);
        // The worst are kept: every critical distribution is listed before any medium one is.
        let criticals = report_of(&digest)["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|a| a["failing"].as_array().into_iter().flatten())
            .filter(|d| d["worst"] == "critical")
            .count();
        assert!(criticals < MAX_LISTED_DISTRIBUTIONS);
        assert_eq!(
            worst_listed.iter().filter(|w| *w == "critical").count(),
            criticals
        );
        assert!(
            worst_listed.iter().all(|w| w != "medium"),
            "high ones fill the rest"
        );
    }

    #[test]
    fn a_distribution_with_many_findings_lists_them_bounded() {
        let findings: Vec<(&str, Severity)> = (0..MAX_CODES_PER_DISTRIBUTION)
            .map(|_| ("viewer-http-allowed", Severity::Medium))
            .collect();
        let mut d = distribution("E1MANY", &findings);
        d.more_findings = 5;
        let outcomes = vec![result(
            "111122223333",
            "prod",
            AccountStatus::Audited,
            vec![d],
        )];
        let digest = build(&outcomes, "daily-1", &location(), Severity::Medium, NOW);
        assert!(digest.notifications[0]
            .email
            .contains("viewer-http-allowed (medium) +5 more"));
    }
}
