//! The state pass through a real store (the JSON file in a temporary directory), and a wrapper that
//! makes it lose races, as a second run auditing the same distribution would.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::state::testing::*;
use crate::state::{
    Check, Coverage, FileStore, FindingStatus, Record, Status, SuppressionId, Transition,
};

fn facts() -> RunFacts<'static> {
    RunFacts {
        account: ACCOUNT,
        now: now(),
        trigger: "the daily sweep",
        remind_after_days: 7,
    }
}

fn context() -> RunContext<'static> {
    RunContext {
        facts: facts(),
        extra_suppressions: &[],
    }
}

fn report_of(findings: Vec<crate::finding::Finding>) -> Report {
    let mut report = Report::new(findings, 1, vec![]);
    report.coverage = Coverage {
        account_listing: true,
        certificate_users: None,
        distributions: BTreeMap::from([(
            "E1".to_owned(),
            [Check::Configuration, Check::ViewerCertificate, Check::Reads].into(),
        )]),
    };
    report
}

fn statuses(report: &Report) -> Vec<FindingStatus> {
    report
        .findings
        .iter()
        .map(|f| f.remembered.as_ref().map(|r| r.status))
        .map(|s| s.unwrap_or(FindingStatus::New))
        .collect()
}

#[tokio::test]
async fn remember_reconciles_writes_and_resolves_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("state.json"));
    let mut first = report_of(vec![http_allowed("E1"), policy_outdated("E1")]);
    remember(&store, &mut first, &context()).await.unwrap();
    assert_eq!(statuses(&first), [FindingStatus::New, FindingStatus::New]);
    assert!(first.memory.as_ref().is_some_and(|m| m.resolved.is_empty()));
    assert_eq!(store.read().unwrap().records.len(), 2);

    let later = RunContext {
        facts: RunFacts {
            now: now() + time::Duration::days(1),
            ..facts()
        },
        extra_suppressions: &[],
    };
    let mut second = report_of(vec![http_allowed("E1")]);
    remember(&store, &mut second, &later).await.unwrap();
    assert_eq!(statuses(&second), [FindingStatus::Open]);
    let memory = second.memory.as_ref().unwrap();
    assert_eq!(memory.resolved.len(), 1);
    assert_eq!(memory.resolved[0].code, "viewer-tls-policy-outdated");
    let records = store.read().unwrap().records;
    assert_eq!(
        records
            .iter()
            .map(|r| (r.status, r.version))
            .collect::<Vec<_>>(),
        [(Status::Open, 2), (Status::Resolved, 2)]
    );
}

#[tokio::test]
async fn the_store_suppressions_and_the_extra_ones_both_apply() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("state.json"));
    let held = suppression("viewer-http-allowed", days_ago(-10));
    store.add_suppression(&held).await.unwrap();
    let extra = [suppression("viewer-tls-policy-outdated", days_ago(-10))];
    let mut report = report_of(vec![http_allowed("E1"), policy_outdated("E1")]);
    let context = RunContext {
        facts: facts(),
        extra_suppressions: &extra,
    };
    remember(&store, &mut report, &context).await.unwrap();
    assert_eq!(
        statuses(&report),
        [FindingStatus::Suppressed, FindingStatus::Suppressed]
    );
    assert_eq!(report.summary().state.map(|s| s.suppressed), Some(2));
}

/// The file store, but another run writes first: the first `lost` writes find the record changed.
struct Racing {
    inner: FileStore,
    lost: usize,
    writes: AtomicUsize,
}

impl StateStore for Racing {
    async fn records(&self, distributions: &[Option<String>]) -> Result<Vec<Record>, StateError> {
        self.inner.records(distributions).await
    }

    async fn write(&self, changed: &[Record]) -> Result<(), StateError> {
        let attempt = self.writes.fetch_add(1, Ordering::SeqCst);
        if attempt < self.lost {
            // The other run found the same problem a moment earlier and wrote its record.
            let mut theirs = record_of(
                &http_allowed("E1"),
                days_ago(0) - time::Duration::minutes(1),
            );
            let mut document = self.inner.read()?;
            theirs.version = document
                .records
                .iter()
                .find(|r| r.fingerprint == theirs.fingerprint)
                .map_or(1, |r| r.version + 1);
            document
                .records
                .retain(|r| r.fingerprint != theirs.fingerprint);
            document.records.push(theirs);
            self.inner.write_document(&document)?;
        }
        self.inner.write(changed).await
    }

    async fn suppressions(&self) -> Result<Vec<Suppression>, StateError> {
        self.inner.suppressions().await
    }

    async fn add_suppression(&self, suppression: &Suppression) -> Result<(), StateError> {
        self.inner.add_suppression(suppression).await
    }

    async fn remove_suppression(&self, id: &SuppressionId) -> Result<bool, StateError> {
        self.inner.remove_suppression(id).await
    }
}

fn racing(dir: &tempfile::TempDir, lost: usize) -> Racing {
    Racing {
        inner: FileStore::new(dir.path().join("state.json")),
        lost,
        writes: AtomicUsize::new(0),
    }
}

#[tokio::test]
async fn a_lost_race_is_read_and_reconciled_again_so_no_transition_is_told_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing(&dir, 1);
    let mut report = report_of(vec![http_allowed("E1")]);
    remember(&store, &mut report, &context()).await.unwrap();
    assert_eq!(store.writes.load(Ordering::SeqCst), 2, "one retry");
    // The other run told it as new; this one, re-read, knows it as open.
    let remembered = report.findings[0].remembered.as_ref().unwrap();
    assert_eq!(
        (remembered.status, remembered.transition),
        (FindingStatus::Open, Transition::Unchanged)
    );
    let records = store.inner.read().unwrap().records;
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].version, 2,
        "the other run's write, then this one"
    );
    assert_eq!(records[0].last_seen, now());
}

#[tokio::test]
async fn a_race_lost_every_time_gives_up_contended_and_still_reports_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing(&dir, usize::MAX);
    let mut report = report_of(vec![http_allowed("E1"), policy_outdated("E1")]);
    let error = remember(&store, &mut report, &context()).await.unwrap_err();
    assert!(matches!(error, StateError::Contended { .. }), "{error}");
    assert_eq!(store.writes.load(Ordering::SeqCst), MAX_ATTEMPTS);
    assert_eq!(statuses(&report), [FindingStatus::New, FindingStatus::New]);
    assert!(report.memory.is_none());
    assert!(report
        .notes
        .iter()
        .any(|n| matches!(n, Note::StateUnavailable { .. })));
}

#[tokio::test]
async fn a_store_that_fails_leaves_every_finding_reported_as_new_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "not a state file").unwrap();
    let store = FileStore::new(&path);
    let mut report = report_of(vec![http_allowed("E1")]);
    let error = remember(&store, &mut report, &context()).await.unwrap_err();
    assert!(matches!(error, StateError::Corrupt { .. }), "{error}");
    assert_eq!(statuses(&report), [FindingStatus::New]);
    let note = report.notes.last().unwrap().to_string();
    assert!(note.starts_with("state unavailable"), "{note}");
    assert!(note.contains("restore it from version control"), "{note}");
}

#[tokio::test]
async fn the_notification_hook_records_what_was_sent_and_reminders_count_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("state.json"));
    let mut report = report_of(vec![alias_not_covered("E1", "www.example.com")]);
    remember(&store, &mut report, &context()).await.unwrap();
    let sent = notifiable(&report);
    assert_eq!(sent.len(), 1);
    mark_notified(&store, &sent, now()).await.unwrap();
    let record = &store.read().unwrap().records[0];
    assert_eq!(record.last_notified, Some(now()));
    assert_eq!(record.version, 2);
    // Eight days on, the still-open critical finding is due a reminder; after it is sent, not
    // again the next day.
    let on = |days: i64| RunContext {
        facts: RunFacts {
            now: now() + time::Duration::days(days),
            ..facts()
        },
        extra_suppressions: &[],
    };
    let mut eighth = report_of(vec![alias_not_covered("E1", "www.example.com")]);
    remember(&store, &mut eighth, &on(8)).await.unwrap();
    assert_eq!(
        eighth.findings[0].remembered.as_ref().unwrap().transition,
        Transition::Reminder
    );
    mark_notified(
        &store,
        &notifiable(&eighth),
        now() + time::Duration::days(8),
    )
    .await
    .unwrap();
    let mut ninth = report_of(vec![alias_not_covered("E1", "www.example.com")]);
    remember(&store, &mut ninth, &on(9)).await.unwrap();
    assert_eq!(
        ninth.findings[0].remembered.as_ref().unwrap().transition,
        Transition::Unchanged
    );
    assert!(notifiable(&ninth).is_empty());
    mark_notified(&store, &[], now()).await.unwrap();
}
