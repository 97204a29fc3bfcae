//! The reconciliation, pure: what the store knew + what this run found + what it checked + the
//! suppressions + `now` → each finding's [`Remembered`], what the run resolved, what the
//! suppressions did, and the records to write. No I/O and no clock: a store or a test calls it.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use super::{
    Coverage, FindingStatus, Fingerprint, Memory, Record, Remembered, ResolvedFinding, Status,
    Suppression, SuppressionId, SuppressionOutcome, Transition,
};
use crate::finding::{Finding, Severity};
use crate::report::Note;

/// The facts of one run that the reconciliation needs besides its findings.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts<'a> {
    /// The account of the fingerprints (12 digits, or `unknown`).
    pub account: &'a str,
    /// This run's time (the CLI's `--as-of`, the event's time in the Lambda).
    pub now: OffsetDateTime,
    /// The trigger as told to people, recorded on what it resolves ("UpdateDistribution by
    /// arn:aws:iam::…", "the daily sweep", "cloudfront-tls-audit audit").
    pub trigger: &'a str,
    /// An open critical or high finding is due a reminder when it was last notified (or, never
    /// notified, first seen) at least this many days ago (`REMIND_AFTER_DAYS`).
    pub remind_after_days: i64,
}

/// What a run changed, as the reconciliation decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconciliation {
    /// One per finding, in the order the findings were given.
    pub remembered: Vec<Remembered>,
    /// What the run resolved and what the suppressions did.
    pub memory: Memory,
    /// The records to write, each with its version incremented (sorted by fingerprint).
    pub changed: Vec<Record>,
    /// What the reader must know: expired suppressions that re-opened findings, suppressions that
    /// matched nothing.
    pub notes: Vec<Note>,
}

/// Reconciles one run with what the store knew (`previous`: the records of the distributions the
/// run covers, read by the caller).
///
/// - A finding without a record, or whose record is resolved, is new (first seen now).
/// - A known finding is open: escalated when its severity rose, due a reminder when it is critical
///   or high and was last notified `remind_after_days` ago or more, else unchanged.
/// - A finding matched by a suppression in force is suppressed: evaluated and reported, never
///   dropped. When its suppression has expired (or was removed) it comes back as new.
/// - A record this run did not find again is resolved only when [`Coverage::ran`] says the check
///   that produced it ran for its distribution; otherwise it is left as it was.
/// - A record first seen (or resolved) at exactly `now` was written by an earlier attempt of this
///   same run (a lost conditional write, retried): it keeps its transition from that attempt.
pub fn reconcile(
    previous: &[Record],
    findings: &[Finding],
    coverage: &Coverage,
    suppressions: &[Suppression],
    run: &RunFacts<'_>,
) -> Reconciliation {
    let known: BTreeMap<&Fingerprint, &Record> =
        previous.iter().map(|r| (&r.fingerprint, r)).collect();
    let fingerprints: Vec<Fingerprint> = findings
        .iter()
        .map(|f| Fingerprint::of(run.account, f))
        .collect();
    // Two findings with one fingerprint are one problem to the state (its worst severity).
    let mut groups: BTreeMap<&Fingerprint, Vec<usize>> = BTreeMap::new();
    for (index, fingerprint) in fingerprints.iter().enumerate() {
        groups.entry(fingerprint).or_default().push(index);
    }
    let (in_force, lapsed): (Vec<&Suppression>, Vec<&Suppression>) =
        suppressions.iter().partition(|s| !s.expired(run.now));
    let mut matched: BTreeMap<&SuppressionId, usize> = BTreeMap::new();
    let mut reopened: BTreeMap<&SuppressionId, usize> = BTreeMap::new();
    let mut remembered: Vec<Option<Remembered>> = vec![None; findings.len()];
    let mut changed = Vec::new();

    for (fingerprint, members) in &groups {
        let first = &findings[members[0]];
        let severity = members
            .iter()
            .map(|&i| findings[i].severity)
            .max()
            .unwrap_or(first.severity);
        let (code, distribution, subject) = (
            first.code.as_str(),
            first.distribution_id.as_deref(),
            first.subject.as_str(),
        );
        let matching: Vec<&&Suppression> = in_force
            .iter()
            .filter(|s| s.matches(code, distribution, subject))
            .collect();
        for suppression in &matching {
            *matched.entry(&suppression.id).or_default() += members.len();
        }
        // The one that holds longest says when the finding comes back.
        let holding = matching
            .iter()
            .max_by(|a, b| (a.expires_at, &a.id).cmp(&(b.expires_at, &b.id)));
        let prev = known.get(fingerprint).copied();
        let live = prev.filter(|r| r.status != Status::Resolved);
        let decision = match (holding, live) {
            (Some(_), _) => Decision {
                status: FindingStatus::Suppressed,
                transition: Transition::Suppressed,
            },
            (None, None) => Decision::new(),
            (None, Some(record)) if record.status == Status::Suppressed => Decision::new(),
            (None, Some(record)) if record.first_seen == run.now => Decision::new(),
            (None, Some(record)) => Decision {
                status: FindingStatus::Open,
                transition: open_transition(record, severity, run),
            },
        };
        if decision.status == FindingStatus::New {
            for suppression in lapsed
                .iter()
                .filter(|s| s.matches(code, distribution, subject))
            {
                *reopened.entry(&suppression.id).or_default() += members.len();
            }
        }
        let first_seen = live.map_or(run.now, |r| r.first_seen);
        let record = Record {
            fingerprint: (*fingerprint).clone(),
            code: code.to_owned(),
            distribution_id: distribution.map(str::to_owned),
            subject: subject.to_owned(),
            severity,
            status: match decision.status {
                FindingStatus::Suppressed => Status::Suppressed,
                FindingStatus::New | FindingStatus::Open => Status::Open,
            },
            first_seen,
            last_seen: run.now,
            last_notified: live.and_then(|r| r.last_notified),
            resolved_at: None,
            resolved_by: None,
            version: prev.map_or(1, |r| r.version + 1),
        };
        let this = Remembered {
            fingerprint: (*fingerprint).clone(),
            status: decision.status,
            transition: decision.transition,
            first_seen,
            previous_severity: live.map(|r| r.severity),
            suppression: holding.map(|s| s.id.clone()),
        };
        for &index in members {
            remembered[index] = Some(this.clone());
        }
        changed.push(record);
    }

    let mut resolved = Vec::new();
    for record in previous {
        if groups.contains_key(&record.fingerprint) {
            continue;
        }
        let resolved_now = match record.status {
            Status::Resolved => record.resolved_at == Some(run.now),
            Status::Open | Status::Suppressed => coverage.ran(
                &record.code,
                record.distribution_id.as_deref(),
                &record.subject,
            ),
        };
        if !resolved_now {
            continue;
        }
        let resolved_by = record
            .resolved_by
            .clone()
            .filter(|_| record.status == Status::Resolved)
            .unwrap_or_else(|| run.trigger.to_owned());
        resolved.push(ResolvedFinding {
            fingerprint: record.fingerprint.clone(),
            code: record.code.clone(),
            distribution_id: record.distribution_id.clone(),
            subject: record.subject.clone(),
            severity: record.severity,
            first_seen: record.first_seen,
            resolved_at: run.now,
            resolved_by: resolved_by.clone(),
        });
        if record.status != Status::Resolved {
            changed.push(Record {
                status: Status::Resolved,
                resolved_at: Some(run.now),
                resolved_by: Some(resolved_by),
                version: record.version + 1,
                ..record.clone()
            });
        }
    }
    changed.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    resolved.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));

    let outcome = SuppressionOutcome {
        matched: in_force
            .iter()
            .filter_map(|s| matched.get(&s.id).map(|n| (s.id.clone(), *n)))
            .collect(),
        unmatched: in_force
            .iter()
            .filter(|s| !matched.contains_key(&s.id) && scope_audited(s, coverage))
            .map(|s| s.id.clone())
            .collect(),
        expired: lapsed.iter().map(|s| s.id.clone()).collect(),
        next_expiry: in_force.iter().map(|s| s.expires_at).min(),
    };
    let mut notes: Vec<Note> = lapsed
        .iter()
        .map(|s| Note::SuppressionExpired {
            id: s.id.0.clone(),
            code: s.code.clone(),
            expired_at: s.expires_at,
            reopened: reopened.get(&s.id).copied().unwrap_or(0),
        })
        .collect();
    notes.extend(
        in_force
            .iter()
            .filter(|s| outcome.unmatched.contains(&s.id))
            .map(|s| Note::SuppressionUnmatched {
                id: s.id.0.clone(),
                code: s.code.clone(),
            }),
    );
    Reconciliation {
        remembered: remembered
            .into_iter()
            .zip(&fingerprints)
            // Every index belongs to a group, so every slot was filled; the fallback is unreachable.
            .map(|(slot, fingerprint)| slot.unwrap_or_else(|| new_remembered(fingerprint, run)))
            .collect(),
        memory: Memory {
            resolved,
            suppressions: outcome,
        },
        changed,
        notes,
    }
}

/// Every finding of a run without state: new, first seen now.
pub fn without_state(findings: &[Finding], run: &RunFacts<'_>) -> Vec<Remembered> {
    findings
        .iter()
        .map(|f| new_remembered(&Fingerprint::of(run.account, f), run))
        .collect()
}

fn new_remembered(fingerprint: &Fingerprint, run: &RunFacts<'_>) -> Remembered {
    Remembered {
        fingerprint: fingerprint.clone(),
        status: FindingStatus::New,
        transition: Transition::New,
        first_seen: run.now,
        previous_severity: None,
        suppression: None,
    }
}

struct Decision {
    status: FindingStatus,
    transition: Transition,
}

impl Decision {
    fn new() -> Decision {
        Decision {
            status: FindingStatus::New,
            transition: Transition::New,
        }
    }
}

/// A known finding still there: escalated, due a reminder, or unchanged.
fn open_transition(record: &Record, severity: Severity, run: &RunFacts<'_>) -> Transition {
    if severity > record.severity {
        return Transition::Escalated;
    }
    let since = record.last_notified.unwrap_or(record.first_seen);
    if severity >= Severity::High && run.now - since >= Duration::days(run.remind_after_days) {
        Transition::Reminder
    } else {
        Transition::Unchanged
    }
}

/// Whether this run looked where the suppression points: a suppression for a distribution the run
/// did not audit is not "matching nothing", only not looked at.
fn scope_audited(suppression: &Suppression, coverage: &Coverage) -> bool {
    match &suppression.distribution_id {
        Some(id) => coverage.audited(id),
        None => coverage.account_listing,
    }
}

#[cfg(test)]
mod tests;
