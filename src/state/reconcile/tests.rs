//! The reconciliation's rules, one test each, over plain data.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::catalogue::Code;
use crate::state::testing::*;
use crate::state::{Check, Coverage, Status};

const TRIGGER: &str = "the daily sweep";

fn run() -> RunFacts<'static> {
    RunFacts {
        account: ACCOUNT,
        now: now(),
        trigger: TRIGGER,
        remind_after_days: 7,
    }
}

/// A run that audited `ids` completely, the whole account listed.
fn complete(ids: &[&str]) -> Coverage {
    let every: BTreeSet<Check> = [
        Check::Configuration,
        Check::ViewerCertificate,
        Check::Reads,
        Check::OriginProbe,
        Check::EdgeCheck,
    ]
    .into();
    Coverage {
        account_listing: true,
        certificate_users: None,
        distributions: ids
            .iter()
            .map(|id| ((*id).to_owned(), every.clone()))
            .collect(),
    }
}

fn statuses(outcome: &Reconciliation) -> Vec<(FindingStatus, Transition)> {
    outcome
        .remembered
        .iter()
        .map(|r| (r.status, r.transition))
        .collect()
}

#[test]
fn without_records_every_finding_is_new_and_first_seen_now() {
    let findings = [
        http_allowed("E1"),
        alias_not_covered("E1", "www.example.com"),
    ];
    let outcome = reconcile(&[], &findings, &complete(&["E1"]), &[], &run());
    assert_eq!(
        statuses(&outcome),
        [(FindingStatus::New, Transition::New); 2]
    );
    assert!(outcome.remembered.iter().all(|r| r.first_seen == now()));
    assert_eq!(outcome.changed.len(), 2);
    assert!(outcome
        .changed
        .iter()
        .all(|r| r.version == 1 && r.status == Status::Open && r.last_seen == now()));
    assert!(outcome.memory.resolved.is_empty());
}

#[test]
fn a_known_finding_still_there_is_open_and_keeps_its_first_seen_date() {
    let finding = http_allowed("E1");
    let previous = [record_of(&finding, days_ago(30))];
    let outcome = reconcile(&previous, &[finding], &complete(&["E1"]), &[], &run());
    assert_eq!(
        statuses(&outcome),
        [(FindingStatus::Open, Transition::Unchanged)]
    );
    assert_eq!(outcome.remembered[0].first_seen, days_ago(30));
    assert_eq!(outcome.changed[0].version, 4, "version incremented");
    assert_eq!(outcome.changed[0].last_seen, now());
    assert_eq!(
        outcome.changed[0].last_notified,
        Some(days_ago(30)),
        "kept for reminders"
    );
}

#[test]
fn the_same_finding_with_other_evidence_is_the_same_finding() {
    let before = expiring(
        "E1",
        crate::finding::Severity::Medium,
        "2027-01-10T00:00:00Z",
    );
    let after = expiring(
        "E1",
        crate::finding::Severity::Medium,
        "2027-02-20T00:00:00Z",
    );
    assert_ne!(before.evidence, after.evidence);
    assert_eq!(
        Fingerprint::of(ACCOUNT, &before),
        Fingerprint::of(ACCOUNT, &after)
    );
    let outcome = reconcile(
        &[record_of(&before, days_ago(5))],
        &[after],
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(outcome.remembered[0].status, FindingStatus::Open);
}

#[test]
fn a_finding_whose_severity_rose_is_escalated() {
    use crate::finding::Severity;
    let before = expiring("E1", Severity::Medium, "2027-01-10T00:00:00Z");
    let now_high = expiring("E1", Severity::High, "2027-01-10T00:00:00Z");
    let outcome = reconcile(
        &[record_of(&before, days_ago(2))],
        std::slice::from_ref(&now_high),
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(
        statuses(&outcome),
        [(FindingStatus::Open, Transition::Escalated)]
    );
    assert_eq!(
        outcome.remembered[0].previous_severity,
        Some(Severity::Medium)
    );
    assert_eq!(outcome.changed[0].severity, Severity::High);
    // Falling is not news: unchanged, the new severity recorded.
    let back = reconcile(
        &[record_of(&now_high, days_ago(2))],
        &[before],
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(back.remembered[0].transition, Transition::Unchanged);
    assert_eq!(back.changed[0].severity, Severity::Medium);
}

#[test]
fn an_open_critical_or_high_finding_is_reminded_every_remind_after_days() {
    let critical = alias_not_covered("E1", "www.example.com");
    let medium = http_allowed("E1");
    let mut notified_8_days_ago = record_of(&critical, days_ago(40));
    notified_8_days_ago.last_notified = Some(days_ago(8));
    let mut medium_record = record_of(&medium, days_ago(40));
    medium_record.last_notified = Some(days_ago(8));
    let outcome = reconcile(
        &[notified_8_days_ago.clone(), medium_record],
        &[critical.clone(), medium],
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(
        statuses(&outcome),
        [
            (FindingStatus::Open, Transition::Reminder),
            (FindingStatus::Open, Transition::Unchanged)
        ],
        "medium findings are never reminded"
    );
    let mut recent = notified_8_days_ago.clone();
    recent.last_notified = Some(days_ago(6));
    let outcome = reconcile(
        &[recent],
        std::slice::from_ref(&critical),
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(outcome.remembered[0].transition, Transition::Unchanged);
    let mut never = notified_8_days_ago;
    never.last_notified = None;
    never.first_seen = days_ago(7);
    let outcome = reconcile(&[never], &[critical], &complete(&["E1"]), &[], &run());
    assert_eq!(
        outcome.remembered[0].transition,
        Transition::Reminder,
        "never notified: counted from first seen, 7 days is due"
    );
}

#[test]
fn a_finding_gone_where_its_check_ran_is_resolved_by_the_trigger() {
    let fixed = http_allowed("E1");
    let previous = [record_of(&fixed, days_ago(9))];
    let outcome = reconcile(&previous, &[], &complete(&["E1"]), &[], &run());
    assert_eq!(outcome.memory.resolved.len(), 1);
    let resolved = &outcome.memory.resolved[0];
    assert_eq!(resolved.fingerprint, previous[0].fingerprint);
    assert_eq!(resolved.code, "viewer-http-allowed");
    assert_eq!(resolved.first_seen, days_ago(9));
    assert_eq!(resolved.resolved_at, now());
    assert_eq!(resolved.resolved_by, TRIGGER);
    let written = &outcome.changed[0];
    assert_eq!(written.status, Status::Resolved);
    assert_eq!(written.resolved_at, Some(now()));
    assert_eq!(written.resolved_by.as_deref(), Some(TRIGGER));
    assert_eq!(written.version, 4);
}

#[test]
fn nothing_resolves_where_the_check_that_produced_it_did_not_run() {
    let origin = finding(&crate::catalogue::ORIGIN_EXPIRED, "E1", "origin app");
    let viewer = http_allowed("E1");
    let elsewhere = http_allowed("E2");
    let previous = [
        record_of(&origin, days_ago(3)),
        record_of(&viewer, days_ago(3)),
        record_of(&elsewhere, days_ago(3)),
    ];
    // --no-probe (or a probe skipped at the deadline): the configuration ran, the probe did not;
    // E2 was left out by the scope.
    let coverage = Coverage {
        distributions: BTreeMap::from([(
            "E1".to_owned(),
            BTreeSet::from([Check::Configuration, Check::ViewerCertificate, Check::Reads]),
        )]),
        ..Coverage::default()
    };
    let outcome = reconcile(&previous, &[], &coverage, &[], &run());
    let resolved: Vec<&str> = outcome
        .memory
        .resolved
        .iter()
        .map(|r| r.fingerprint.as_str())
        .collect();
    assert_eq!(resolved, [previous[1].fingerprint.as_str()]);
    assert_eq!(outcome.changed.len(), 1, "the others are not touched");
    // A failed read of the distribution: nothing ran, nothing resolves.
    let blind = reconcile(&previous, &[], &Coverage::default(), &[], &run());
    assert!(blind.memory.resolved.is_empty() && blind.changed.is_empty());
}

#[test]
fn a_resolved_finding_that_reappears_is_new_with_a_new_first_seen_date() {
    let finding = http_allowed("E1");
    let mut record = record_of(&finding, days_ago(60));
    record.status = Status::Resolved;
    record.resolved_at = Some(days_ago(20));
    record.resolved_by = Some(TRIGGER.to_owned());
    let outcome = reconcile(&[record], &[finding], &complete(&["E1"]), &[], &run());
    assert_eq!(statuses(&outcome), [(FindingStatus::New, Transition::New)]);
    assert_eq!(outcome.remembered[0].first_seen, now());
    let written = &outcome.changed[0];
    assert_eq!(
        (written.status, written.resolved_at, written.last_notified),
        (Status::Open, None, None)
    );
    assert_eq!(written.version, 4);
    // Already resolved and still gone: nothing to say, nothing to write.
    let mut gone = record_of(&http_allowed("E1"), days_ago(60));
    gone.status = Status::Resolved;
    gone.resolved_at = Some(days_ago(20));
    let quiet = reconcile(&[gone], &[], &complete(&["E1"]), &[], &run());
    assert!(quiet.memory.resolved.is_empty() && quiet.changed.is_empty());
}

#[test]
fn a_suppressed_finding_is_still_reported_as_suppressed() {
    let finding = policy_outdated("E1");
    let held = suppression("viewer-tls-policy-outdated", days_ago(-30));
    let outcome = reconcile(
        &[],
        &[finding, http_allowed("E1")],
        &complete(&["E1"]),
        std::slice::from_ref(&held),
        &run(),
    );
    assert_eq!(
        statuses(&outcome),
        [
            (FindingStatus::Suppressed, Transition::Suppressed),
            (FindingStatus::New, Transition::New)
        ]
    );
    assert_eq!(outcome.remembered[0].suppression, Some(held.id.clone()));
    let written = outcome
        .changed
        .iter()
        .find(|r| r.fingerprint == outcome.remembered[0].fingerprint)
        .map(|r| r.status);
    assert_eq!(written, Some(Status::Suppressed));
    assert_eq!(outcome.memory.suppressions.matched, vec![(held.id, 1)]);
    assert_eq!(outcome.memory.suppressions.next_expiry, Some(days_ago(-30)));
    assert!(outcome.notes.is_empty());
}

#[test]
fn an_expired_suppression_brings_its_finding_back_as_new_with_a_note() {
    let finding = policy_outdated("E1");
    let mut record = record_of(&finding, days_ago(50));
    record.status = Status::Suppressed;
    let lapsed = suppression("viewer-tls-policy-outdated", days_ago(1));
    let outcome = reconcile(
        &[record],
        &[finding],
        &complete(&["E1"]),
        std::slice::from_ref(&lapsed),
        &run(),
    );
    assert_eq!(statuses(&outcome), [(FindingStatus::New, Transition::New)]);
    assert_eq!(
        outcome.remembered[0].first_seen,
        days_ago(50),
        "there all along"
    );
    assert_eq!(outcome.changed[0].status, Status::Open);
    assert_eq!(outcome.memory.suppressions.expired, vec![lapsed.id.clone()]);
    assert_eq!(outcome.memory.suppressions.next_expiry, None);
    assert_eq!(
        outcome.notes,
        [Note::SuppressionExpired {
            id: lapsed.id.0.clone(),
            code: lapsed.code.clone(),
            expired_at: days_ago(1),
            reopened: 1
        }]
    );
    assert!(outcome.notes[0]
        .to_string()
        .contains("reported again as new"));
}

#[test]
fn a_suppression_that_matches_nothing_is_reported_where_the_run_looked() {
    let stale = suppression("viewer-tls-policy-outdated", days_ago(-30));
    let outcome = reconcile(
        &[],
        &[http_allowed("E1")],
        &complete(&["E1"]),
        std::slice::from_ref(&stale),
        &run(),
    );
    assert_eq!(
        outcome.memory.suppressions.unmatched,
        vec![stale.id.clone()]
    );
    assert_eq!(
        outcome.notes,
        [Note::SuppressionUnmatched {
            id: stale.id.0.clone(),
            code: stale.code.clone()
        }]
    );
    // One distribution audited, the suppression about another: not looked at, not reported.
    let elsewhere = Suppression {
        distribution_id: Some("E9".to_owned()),
        ..stale
    };
    let mut partial = complete(&["E1"]);
    partial.account_listing = false;
    let outcome = reconcile(&[], &[], &partial, &[elsewhere], &run());
    assert!(outcome.memory.suppressions.unmatched.is_empty() && outcome.notes.is_empty());
}

#[test]
fn a_suppressed_finding_that_is_fixed_is_resolved() {
    let finding = policy_outdated("E1");
    let mut record = record_of(&finding, days_ago(50));
    record.status = Status::Suppressed;
    let held = suppression("viewer-tls-policy-outdated", days_ago(-30));
    let outcome = reconcile(&[record], &[], &complete(&["E1"]), &[held], &run());
    assert_eq!(outcome.memory.resolved.len(), 1);
    assert_eq!(outcome.changed[0].status, Status::Resolved);
}

#[test]
fn account_level_findings_resolve_only_when_the_account_was_listed() {
    let mut listing = crate::finding::Finding::builder(&crate::catalogue::INCOMPLETE_THROTTLED)
        .subject("the distribution list")
        .build();
    listing.distribution_id = None;
    let previous = [record_of(&listing, days_ago(1))];
    let mut some_ids = complete(&["E1"]);
    some_ids.account_listing = false;
    assert!(reconcile(&previous, &[], &some_ids, &[], &run())
        .memory
        .resolved
        .is_empty());
    let listed = reconcile(&previous, &[], &complete(&["E1"]), &[], &run());
    assert_eq!(listed.memory.resolved.len(), 1);
    assert_eq!(
        listed.memory.resolved[0].code,
        Code::AuditIncomplete.as_str()
    );
}

#[test]
fn two_findings_with_one_fingerprint_are_one_record_at_the_worst_severity() {
    use crate::finding::Severity;
    let medium = expiring("E1", Severity::Medium, "2027-01-10T00:00:00Z");
    let high = expiring("E1", Severity::High, "2027-01-10T00:00:00Z");
    let outcome = reconcile(&[], &[medium, high], &complete(&["E1"]), &[], &run());
    assert_eq!(outcome.changed.len(), 1);
    assert_eq!(outcome.changed[0].severity, Severity::High);
    assert_eq!(outcome.remembered[0], outcome.remembered[1]);
}

#[test]
fn a_retry_after_a_lost_write_keeps_the_transitions_of_its_first_attempt() {
    // The first attempt wrote part of its changes (a new record, a resolution) and then lost the
    // race on another record: re-read, the same run must still call them new and resolved.
    let found = http_allowed("E1");
    let fixed = alias_not_covered("E1", "www.example.com");
    let mut written_new = record_of(&found, now());
    written_new.version = 1;
    let mut written_resolved = record_of(&fixed, days_ago(4));
    written_resolved.status = Status::Resolved;
    written_resolved.resolved_at = Some(now());
    written_resolved.resolved_by = Some(TRIGGER.to_owned());
    let outcome = reconcile(
        &[written_new, written_resolved.clone()],
        &[found],
        &complete(&["E1"]),
        &[],
        &run(),
    );
    assert_eq!(statuses(&outcome), [(FindingStatus::New, Transition::New)]);
    assert_eq!(outcome.memory.resolved.len(), 1);
    assert_eq!(
        outcome.changed.len(),
        1,
        "the resolution is not written twice"
    );
    assert_eq!(outcome.changed[0].version, 2);
    assert_eq!(
        outcome.memory.resolved[0].fingerprint,
        written_resolved.fingerprint
    );
}

#[test]
fn without_state_every_finding_is_new_first_seen_now() {
    let findings = [http_allowed("E1")];
    let remembered = without_state(&findings, &run());
    assert_eq!(remembered[0].status, FindingStatus::New);
    assert_eq!(remembered[0].first_seen, now());
    assert_eq!(
        remembered[0].fingerprint.as_str(),
        "cfta1/111122223333/E1/viewer-http-allowed/cache behaviour default"
    );
}
