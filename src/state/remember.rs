//! The state pass of a run, through any [`StateStore`]: read, reconcile, write, retry a lost race;
//! and the notification hook that records what was sent.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::reconcile::{reconcile, without_state, RunFacts};
use super::{Fingerprint, StateError, StateStore, Suppression};
use crate::report::{Note, Report};

/// How many times a run reads and reconciles again after losing a conditional write to another
/// run, before it gives up with [`StateError::Contended`].
pub const MAX_ATTEMPTS: usize = 4;

/// What [`remember`] needs to know about the run besides its report.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The run's facts: account, time, trigger, reminder interval.
    pub facts: RunFacts<'a>,
    /// Suppressions from elsewhere than the store (the CLI's `--suppressions FILE`), already
    /// validated; merged with the store's.
    pub extra_suppressions: &'a [Suppression],
}

/// Reconciles `report` with the state in `store` and writes what changed.
///
/// Reads the records of every distribution the run covers ([`super::Coverage::scopes`]) and of
/// every distribution a finding names, and the store's suppressions; sets `remembered` on every
/// finding and `report.memory`; adds the suppressions' notes; writes the changed records, each
/// conditional on the version it read. When another run wins a write, it reads and reconciles again
/// (at most [`MAX_ATTEMPTS`] times, then [`StateError::Contended`]).
///
/// When the store fails, nothing is lost: every finding is still reported, as new, the report says
/// that state was unavailable, and the error is returned for the caller to decide (the CLI exits 2
/// after printing; the Lambda publishes, then fails the invocation so the event is retried).
pub async fn remember(
    store: &impl StateStore,
    report: &mut Report,
    context: &RunContext<'_>,
) -> Result<(), StateError> {
    match reconcile_and_write(store, report, context).await {
        Ok(()) => Ok(()),
        Err(error) => {
            forget(report, &context.facts);
            report.notes.push(Note::StateUnavailable {
                reason: error.to_string(),
            });
            Err(error)
        }
    }
}

/// A run without state: every finding new, first seen now (`report.memory` stays `None`).
pub fn forget(report: &mut Report, facts: &RunFacts<'_>) {
    let remembered = without_state(&report.findings, facts);
    for (finding, remembered) in report.findings.iter_mut().zip(remembered) {
        finding.remembered = Some(remembered);
    }
    report.memory = None;
}

async fn reconcile_and_write(
    store: &impl StateStore,
    report: &mut Report,
    context: &RunContext<'_>,
) -> Result<(), StateError> {
    let mut scopes: BTreeSet<Option<String>> = report.coverage.scopes().into_iter().collect();
    scopes.extend(report.findings.iter().map(|f| f.distribution_id.clone()));
    let scopes: Vec<Option<String>> = scopes.into_iter().collect();
    let mut suppressions = store.suppressions().await?;
    suppressions.extend(context.extra_suppressions.iter().cloned());
    let mut attempt = 1;
    loop {
        let previous = store.records(&scopes).await?;
        let outcome = reconcile(
            &previous,
            &report.findings,
            &report.coverage,
            &suppressions,
            &context.facts,
        );
        match store.write(&outcome.changed).await {
            Ok(()) => {
                for (finding, remembered) in report.findings.iter_mut().zip(outcome.remembered) {
                    finding.remembered = Some(remembered);
                }
                report.memory = Some(outcome.memory);
                report.notes.extend(outcome.notes);
                return Ok(());
            }
            Err(StateError::Contended { .. }) if attempt < MAX_ATTEMPTS => attempt += 1,
            Err(error) => return Err(error),
        }
    }
}

/// The notification hook: after the caller has published, records that `notified` fingerprints
/// were carried by a notification at `now` (their `last_notified`), so reminders count from it.
///
/// Call it with the fingerprints of the findings a message actually carried (new, escalated,
/// reminder), after the publish succeeded; a failed publish marks nothing, so the next run owes
/// the reminder. Unknown fingerprints are ignored. Conditional like every write: a lost race is
/// read and applied again (at most [`MAX_ATTEMPTS`] times).
pub async fn mark_notified(
    store: &impl StateStore,
    notified: &[Fingerprint],
    now: OffsetDateTime,
) -> Result<(), StateError> {
    if notified.is_empty() {
        return Ok(());
    }
    let wanted: BTreeSet<&Fingerprint> = notified.iter().collect();
    let scopes: Vec<Option<String>> = notified
        .iter()
        .map(|f| f.distribution_id().map(str::to_owned))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut attempt = 1;
    loop {
        let marked: Vec<_> = store
            .records(&scopes)
            .await?
            .into_iter()
            .filter(|r| wanted.contains(&r.fingerprint))
            .map(|r| super::Record {
                last_notified: Some(now),
                version: r.version + 1,
                ..r
            })
            .collect();
        match store.write(&marked).await {
            Ok(()) => return Ok(()),
            Err(StateError::Contended { .. }) if attempt < MAX_ATTEMPTS => attempt += 1,
            Err(error) => return Err(error),
        }
    }
}

/// The fingerprints of a report's findings whose transition a notification carries (new,
/// escalated, reminder), one each: what [`mark_notified`] takes after a publish of the whole
/// report.
pub fn notifiable(report: &Report) -> Vec<Fingerprint> {
    use super::Transition;
    let unique: BTreeMap<&Fingerprint, ()> = report
        .findings
        .iter()
        .filter_map(|f| f.remembered.as_ref())
        .filter(|r| {
            matches!(
                r.transition,
                Transition::New | Transition::Escalated | Transition::Reminder
            )
        })
        .map(|r| (&r.fingerprint, ()))
        .collect();
    unique.into_keys().cloned().collect()
}

#[cfg(test)]
mod tests;
