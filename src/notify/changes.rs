//! What a run with state publishes (issue 11): what changed, not everything again.
//!
//! * After an event-driven audit (a change, an ACM event, a follow-up), one message per
//!   distribution on which something changed: the findings the change introduced or escalated,
//!   the ones it resolved ("resolved by UpdateDistribution by …"), and one line counting the
//!   pre-existing findings that did not change (listed in full with `NOTIFY_UNCHANGED=true`). A
//!   distribution on which nothing changed gets no message: a line counting what did not change
//!   is no news. With `NOTIFY_ON_CLEAN=true` it gets the short "verified" message instead, saying
//!   that nothing changed and how many findings are still open.
//! * After a sweep, the digest (sections New since the last sweep, Escalated, Resolved, Still open,
//!   and the suppressed count with the next expiry), unless `DIGEST=on-change` and nothing changed
//!   and the sweep is not on `HEARTBEAT_DAY`; then one message per distribution with new or
//!   escalated findings only.
//! * Whatever the trigger, one reminder per distribution with still-open critical or high findings
//!   that the state's reconcile marked due (`Transition::Reminder`, every `REMIND_AFTER_DAYS`).
//!
//! Without state ([`Report::memory`] `None`) every message is exactly as before.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::content::{Content, DigestTotals, Group, Section, Standing, StandingKind, SweepCounts};
use super::notification::{render, Notification};
use super::pack::pack;
use super::plan::{digest, per_distribution, verified, verified_clean};
use super::trigger::TriggerSummary;
use crate::finding::{Finding, Severity};
use crate::report::{is_not_covered, Report};
use crate::settings::{DigestMode, HeartbeatDay};
use crate::state::{Memory, ResolvedFinding};

/// What an audit publishes, from the settings: `MIN_SEVERITY`, `NOTIFY_ON_CLEAN`,
/// `NOTIFY_UNCHANGED`, `DIGEST` and `HEARTBEAT_DAY` (each defined in [`crate::settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyPolicy {
    /// Findings below are not published.
    pub minimum: Severity,
    /// A short "verified" message after an event-driven audit with nothing to say.
    pub notify_on_clean: bool,
    /// With state, event-driven messages list the unchanged findings in full.
    pub notify_unchanged: bool,
    /// Whether a sweep that changed nothing publishes its digest.
    pub digest: DigestMode,
    /// The weekday whose sweeps publish the digest even when nothing changed.
    pub heartbeat_day: HeartbeatDay,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy {
            minimum: Severity::Medium,
            notify_on_clean: false,
            notify_unchanged: crate::settings::NOTIFY_UNCHANGED_DEFAULT,
            digest: DigestMode::default(),
            heartbeat_day: HeartbeatDay::default(),
        }
    }
}

/// Every notification of one audit: `sweep` says whether it was the scheduled sweep, `now` is the
/// audit's time (ages, the heartbeat day). Without state, a sweep publishes its digest and an
/// event-driven audit one message per failing distribution (and "verified" ones with
/// `NOTIFY_ON_CLEAN`), as before; with state, what changed (module documentation).
pub fn notifications(
    report: &Report,
    trigger: &TriggerSummary,
    policy: &NotifyPolicy,
    sweep: bool,
    now: OffsetDateTime,
) -> Vec<Notification> {
    let Some(memory) = &report.memory else {
        if sweep {
            return digest(report, trigger, policy.minimum);
        }
        let mut notifications = per_distribution(report, trigger, policy.minimum);
        if policy.notify_on_clean {
            notifications.extend(verified_clean(report, trigger, policy.minimum));
        }
        return notifications;
    };
    let listed = report.at_least(policy.minimum);
    let resolved: Vec<&ResolvedFinding> = memory
        .resolved
        .iter()
        .filter(|r| r.severity >= policy.minimum)
        .collect();
    let run = Run {
        report,
        trigger,
        policy,
        now,
    };
    let mut notifications = Vec::new();
    if sweep {
        notifications.extend(run.sweep_digest(&listed, &resolved, memory));
    }
    notifications.extend(run.per_distribution(&listed, &resolved, sweep));
    notifications
}

/// One run's report, trigger, policy and time.
struct Run<'a> {
    report: &'a Report,
    trigger: &'a TriggerSummary,
    policy: &'a NotifyPolicy,
    now: OffsetDateTime,
}

/// The distributions of `listed` in its order (account-level first, worst first), then those that
/// only had findings resolved, each with its listed findings and what was resolved on it.
type PerDistribution<'a> = Vec<(Option<&'a str>, Vec<&'a Finding>, Vec<&'a ResolvedFinding>)>;

fn per_distribution_of<'a>(
    listed: &'a Report,
    resolved: &[&'a ResolvedFinding],
) -> PerDistribution<'a> {
    let mut rows: PerDistribution<'a> = listed
        .by_distribution()
        .into_iter()
        .map(|(id, findings)| (id, findings, Vec::new()))
        .collect();
    let mut index: BTreeMap<Option<&str>, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    for finding in resolved {
        let id = finding.distribution_id.as_deref();
        let row = *index.entry(id).or_insert_with(|| {
            rows.push((id, Vec::new(), Vec::new()));
            rows.len() - 1
        });
        rows[row].2.push(*finding);
    }
    rows
}

/// The findings of `findings` in `sections`, in order (worst first within the report's order).
fn in_sections<'a>(findings: &[&'a Finding], sections: &[Section]) -> Vec<&'a Finding> {
    findings
        .iter()
        .copied()
        .filter(|f| Section::of(f).is_some_and(|s| sections.contains(&s)))
        .collect()
}

impl Run<'_> {
    /// The messages per distribution: changes (event-driven: new, escalated, resolved; sweep: new
    /// and escalated only), reminders, and "nothing changed" with `NOTIFY_ON_CLEAN`.
    fn per_distribution(
        &self,
        listed: &Report,
        resolved: &[&ResolvedFinding],
        sweep: bool,
    ) -> Vec<Notification> {
        let mut notifications = Vec::new();
        let rows = per_distribution_of(listed, resolved);
        let seen: BTreeSet<&str> = rows.iter().filter_map(|(id, _, _)| *id).collect();
        for (id, findings, resolved_here) in &rows {
            let new = in_sections(findings, &[Section::New]);
            let escalated = in_sections(findings, &[Section::Escalated]);
            let reminders = in_sections(findings, &[Section::Reminder]);
            let unchanged = in_sections(findings, &[Section::Reminder, Section::StillOpen]);
            let suppressed = findings.iter().filter(|f| Section::of(f).is_none()).count();
            // After a sweep, resolutions are told by the digest only.
            let resolved_here: Vec<&ResolvedFinding> = if sweep {
                Vec::new()
            } else {
                resolved_here.clone()
            };
            let changed = !new.is_empty() || !escalated.is_empty() || !resolved_here.is_empty();
            if changed {
                let unchanged_listed = self.policy.notify_unchanged && !sweep;
                let mut units = Vec::new();
                for (section, members, gone) in [
                    (Section::New, new, Vec::new()),
                    (Section::Escalated, escalated, Vec::new()),
                    (Section::Resolved, Vec::new(), resolved_here),
                    (
                        Section::StillOpen,
                        if unchanged_listed {
                            unchanged.clone()
                        } else {
                            Vec::new()
                        },
                        Vec::new(),
                    ),
                ] {
                    if !members.is_empty() || !gone.is_empty() {
                        units.push(Group::in_section(self.report, *id, section, members, gone));
                    }
                }
                let kind = StandingKind::Changes {
                    unchanged: unchanged.len(),
                    unchanged_listed,
                    suppressed,
                };
                notifications.extend(self.distribution_parts(*id, units, kind));
            }
            if !reminders.is_empty() {
                let units = vec![Group::in_section(
                    self.report,
                    *id,
                    Section::Reminder,
                    reminders,
                    Vec::new(),
                )];
                notifications.extend(self.distribution_parts(*id, units, StandingKind::Reminder));
            }
            // A distribution not wholly audited is never verified (plan::verified_clean).
            let quiet = !changed && !sweep && self.policy.notify_on_clean;
            if let (true, Some(id)) = (quiet, id) {
                if !findings.iter().any(|f| is_not_covered(f)) {
                    let content = Content::verified(id, self.trigger).with_standing(Standing {
                        now: self.now,
                        kind: StandingKind::Unchanged {
                            still_open: unchanged.len(),
                        },
                    });
                    notifications.push(render(&content).notification);
                }
            }
        }
        if !sweep && self.policy.notify_on_clean {
            notifications.extend(
                self.report
                    .distribution_labels
                    .keys()
                    .filter(|id| !seen.contains(id.as_str()))
                    .map(|id| verified(id, self.trigger)),
            );
        }
        notifications
    }

    /// One distribution's message of `kind`, listing `units`, in as many parts as it needs.
    fn distribution_parts<'g>(
        &'g self,
        id: Option<&'g str>,
        units: Vec<Group<'g>>,
        kind: StandingKind<'g>,
    ) -> Vec<Notification> {
        pack(units, false, |groups: &[Group<'_>], part| {
            render(
                &Content::distribution(
                    self.report,
                    self.trigger,
                    self.policy.minimum,
                    id,
                    groups,
                    part,
                )
                .with_standing(Standing {
                    now: self.now,
                    kind: kind.clone(),
                }),
            )
        })
    }

    /// The sweep's digest with its sections, or nothing when `DIGEST=on-change`, nothing changed
    /// and this is not the heartbeat day.
    fn sweep_digest(
        &self,
        listed: &Report,
        resolved: &[&ResolvedFinding],
        memory: &Memory,
    ) -> Vec<Notification> {
        // Suppressed findings are counted, not listed, and make no distribution fail.
        let open_listed = without_suppressed(listed);
        let open_all = without_suppressed(self.report);
        let rows = per_distribution_of(&open_listed, resolved);
        let open: Vec<&Finding> = open_listed.findings.iter().collect();
        let still_open = in_sections(&open, &[Section::Reminder, Section::StillOpen]);
        let counts = SweepCounts {
            new: in_sections(&open, &[Section::New]).len(),
            escalated: in_sections(&open, &[Section::Escalated]).len(),
            resolved: resolved.len(),
            still_open: still_open.len(),
            still_open_distributions: still_open
                .iter()
                .map(|f| f.distribution_id.as_deref())
                .collect::<BTreeSet<_>>()
                .len(),
            oldest: still_open
                .iter()
                .filter_map(|f| f.remembered.as_ref().map(|r| r.first_seen))
                .min(),
            suppressed: listed.findings.len() - open_listed.findings.len(),
            next_expiry: memory.suppressions.next_expiry,
        };
        let heartbeat = self.policy.heartbeat_day.is(self.now);
        if self.policy.digest == DigestMode::OnChange && !counts.changed() && !heartbeat {
            return Vec::new();
        }
        let groups: Vec<Group<'_>> = rows
            .iter()
            .filter(|(_, findings, _)| !findings.is_empty())
            .map(|(id, findings, _)| Group::new(self.report, *id, findings.clone()))
            .collect();
        let totals = DigestTotals {
            listed: open_listed.summary(),
            all: open_all.summary(),
            failing: groups
                .iter()
                .filter(|g| g.id.is_some() && g.has_problems())
                .count(),
            account_level: groups.iter().any(|g| g.id.is_none()),
        };
        let mut units = Vec::new();
        for section in [
            Section::New,
            Section::Escalated,
            Section::Resolved,
            Section::StillOpen,
        ] {
            for (id, findings, gone) in &rows {
                let (members, gone) = match section {
                    Section::Resolved => (Vec::new(), gone.clone()),
                    Section::StillOpen => (
                        in_sections(findings, &[Section::Reminder, Section::StillOpen]),
                        Vec::new(),
                    ),
                    other => (in_sections(findings, &[other]), Vec::new()),
                };
                if !members.is_empty() || !gone.is_empty() {
                    units.push(Group::in_section(self.report, *id, section, members, gone));
                }
            }
        }
        pack(units, true, |groups: &[Group<'_>], part| {
            render(
                &Content::digest(
                    self.report,
                    self.trigger,
                    self.policy.minimum,
                    &totals,
                    groups,
                    part,
                )
                .with_standing(Standing {
                    now: self.now,
                    kind: StandingKind::Digest(&counts),
                }),
            )
        })
    }
}

/// `report` without its suppressed findings.
fn without_suppressed(report: &Report) -> Report {
    let mut open = report.clone();
    open.findings.retain(|f| Section::of(f).is_some());
    open
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::notify::fixtures::*;
    use crate::notify::*;
    use crate::state::Transition;

    fn policy() -> NotifyPolicy {
        NotifyPolicy::default()
    }

    fn transitions(note: &Notification) -> Option<String> {
        note.attribute(ATTRIBUTE_TRANSITION)
    }

    /// Each of `needles` is in `text`, in this order.
    fn assert_in_order(text: &str, needles: &[&str]) {
        let mut from = 0;
        for needle in needles {
            match text[from..].find(needle) {
                Some(at) => from += at + needle.len(),
                None => panic!("missing {needle:?} (in this order) in\n{text}"),
            }
        }
    }

    /// E1: a new critical, an escalated high, an unchanged medium and one resolved critical;
    /// E2: an unchanged medium only.
    fn change_event() -> Report {
        with_memory(
            vec![
                remember(
                    alias_finding("E1ABCDEF", "api.example.com"),
                    Transition::New,
                    0,
                ),
                escalated("E1ABCDEF"),
                remember(http_allowed("E1ABCDEF"), Transition::Unchanged, 10),
                remember(http_allowed("E2BBBBBB"), Transition::Unchanged, 40),
            ],
            vec![resolved(
                "E1ABCDEF",
                "viewer-cert-expired",
                Severity::Critical,
            )],
            2,
        )
    }

    #[test]
    fn without_state_every_message_is_as_before() {
        let event = notifications(&sample(), &trigger(), &policy(), false, now());
        assert_eq!(
            event,
            per_distribution(&sample(), &trigger(), Severity::Medium)
        );
        let sweep = notifications(&sample(), &trigger(), &policy(), true, now());
        assert_eq!(sweep, digest(&sample(), &trigger(), Severity::Medium));
        assert!(event.iter().chain(&sweep).all(|n| transitions(n).is_none()));
    }

    #[test]
    fn an_event_publishes_what_it_introduced_escalated_and_resolved_and_counts_the_rest() {
        let notes = notifications(&change_event(), &trigger(), &policy(), false, now());
        assert_eq!(notes.len(), 1, "nothing changed on E2: no message");
        let note = &notes[0];
        assert_eq!(
            note.attribute(ATTRIBUTE_DISTRIBUTION_ID).as_deref(),
            Some("E1ABCDEF")
        );
        assert_eq!(
            transitions(note).as_deref(),
            Some(r#"["new","escalated","resolved"]"#)
        );
        assert_eq!(
            note.attribute(ATTRIBUTE_SEVERITY).as_deref(),
            Some("critical")
        );
        assert_eq!(
            note.subject,
            "[CRITICAL] E1ABCDEF viewer-alias-not-covered +1 more, 1 resolved"
        );
        let email = &note.email;
        assert_in_order(
            email,
            &[
                "CloudFront TLS audit: 1 new, 1 escalated, 1 resolved at or above medium on distribution E1ABCDEF",
                "Did not change: 1 finding found before (not repeated here; NOTIFY_UNCHANGED=true lists them).",
                "== New ==",
                "1. [CRITICAL] viewer-alias-not-covered: api.example.com",
                "== Escalated (severity rose) ==",
                "   Standing: escalated from medium; open 12 days, first seen 2026-02-19",
                "== Resolved ==",
                "- [CRITICAL] viewer-cert-expired: arn:aws:acm:us-east-1:111122223333:certificate/old: resolved by UpdateDistribution by arn:aws:iam::111122223333:user/alice at 2026-03-03",
            ],
        );
        assert!(
            !email.contains("viewer-http-allowed"),
            "the unchanged finding is only counted"
        );

        let chat = parse(&note.https);
        let description = chat["content"]["description"].as_str().unwrap_or_default();
        for needle in [
            "*Did not change:* 1 finding found before",
            "*New*",
            "*Escalated (severity rose)*",
            "_Standing:_ escalated from medium",
            "*Resolved*",
            "• `viewer-cert-expired` on `arn:aws:acm:us-east-1:111122223333:certificate/old`: resolved by UpdateDistribution",
        ] {
            assert!(description.contains(needle), "missing {needle:?} in\n{description}");
        }
        assert_eq!(
            chat["metadata"]["additionalContext"]["transition"],
            "new,escalated,resolved"
        );

        let machine = parse(&note.default_json);
        assert_eq!(machine["findings"].as_array().map(Vec::len), Some(2));
        assert_eq!(machine["findings"][0]["transition"], "new");
        assert_eq!(machine["findings"][1]["transition"], "escalated");
        assert_eq!(machine["findings"][1]["previous_severity"], "medium");
        assert_eq!(
            machine["findings"][0]["fingerprint"],
            "cfta1/111122223333/E1ABCDEF/viewer-alias-not-covered/api.example.com"
        );
        assert_eq!(machine["resolved"][0]["code"], "viewer-cert-expired");
        assert_eq!(machine["changes"], json!({"unchanged": 1, "suppressed": 0}));
    }

    #[test]
    fn notify_unchanged_lists_the_unchanged_findings_in_full() {
        let policy = NotifyPolicy {
            notify_unchanged: true,
            ..policy()
        };
        let notes = notifications(&change_event(), &trigger(), &policy, false, now());
        assert_eq!(notes.len(), 1, "still no message where nothing changed");
        let email = &notes[0].email;
        assert!(email.contains("Did not change: 1 finding found before (listed under Still open)."));
        let still_open = email.find("== Still open ==").expect(email);
        assert!(
            email[still_open..].contains("[MEDIUM] viewer-http-allowed: cache behaviour default")
        );
        assert!(email[still_open..].contains("   Standing: open 10 days, first seen 2026-02-21"));
        assert_eq!(
            transitions(&notes[0]).as_deref(),
            Some(r#"["new","escalated","resolved"]"#),
            "what did not change adds no transition"
        );
    }

    #[test]
    fn an_event_that_changed_nothing_publishes_nothing_unless_asked_to_say_so() {
        let quiet = with_memory(
            vec![remember(http_allowed("E1ABCDEF"), Transition::Unchanged, 3)],
            vec![],
            1,
        );
        assert!(notifications(&quiet, &trigger(), &policy(), false, now()).is_empty());
        let asked = NotifyPolicy {
            notify_on_clean: true,
            ..policy()
        };
        let notes = notifications(&quiet, &trigger(), &asked, false, now());
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].subject,
            "[NO CHANGE] E1ABCDEF: no TLS change after UpdateDistribution, 1 still open"
        );
        assert_eq!(
            notes[0].attribute(ATTRIBUTE_NOTIFICATION).as_deref(),
            Some("verified")
        );
        assert!(transitions(&notes[0]).is_none());
        assert!(notes[0]
            .email
            .contains("distribution E1ABCDEF: nothing changed; 1 finding still open."));
        assert_eq!(parse(&notes[0].default_json)["verified"]["still_open"], 1);
    }

    #[test]
    fn a_change_that_only_fixed_things_says_what_it_resolved() {
        let fixed = with_memory(
            vec![],
            vec![resolved(
                "E1ABCDEF",
                "viewer-cert-expired",
                Severity::Critical,
            )],
            1,
        );
        let notes = notifications(&fixed, &trigger(), &policy(), false, now());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].subject, "[RESOLVED] E1ABCDEF viewer-cert-expired");
        assert_eq!(transitions(&notes[0]).as_deref(), Some(r#"["resolved"]"#));
        // A subscriber to critical hears that the critical finding was fixed.
        assert_eq!(
            notes[0].attribute(ATTRIBUTE_SEVERITY).as_deref(),
            Some("critical")
        );
        assert!(notes[0].attribute(ATTRIBUTE_CODES).is_none());
        let chat = parse(&notes[0].https);
        assert_eq!(
            chat["content"]["title"],
            ":white_check_mark: 1 TLS finding resolved on `E1ABCDEF`"
        );
        // Below the minimum, a resolution is not published either.
        let low = with_memory(
            vec![],
            vec![resolved(
                "E1ABCDEF",
                "viewer-tls-policy-outdated",
                Severity::Low,
            )],
            1,
        );
        assert!(notifications(&low, &trigger(), &policy(), false, now()).is_empty());
    }

    #[test]
    fn reminders_are_messages_of_their_own() {
        let report = with_memory(
            vec![remember(expired("E1ABCDEF"), Transition::Reminder, 21)],
            vec![],
            1,
        );
        let notes = notifications(&report, &trigger(), &policy(), false, now());
        assert_eq!(notes.len(), 1);
        assert_eq!(transitions(&notes[0]).as_deref(), Some(r#"["reminder"]"#));
        assert_eq!(
            notes[0].subject,
            "[CRITICAL] E1ABCDEF still open viewer-cert-expired"
        );
        assert!(notes[0]
            .email
            .contains("   Standing: open 21 days, first seen 2026-02-10"));
        assert!(notes[0].email.contains("== Reminder: still open =="));
        assert_eq!(parse(&notes[0].default_json)["reminder"], true);
        assert!(parse(&notes[0].https)["content"]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with(":alarm_clock: Reminder: 1 TLS finding still open")));
    }

    /// A sweep: E1 new, E2 escalated, E3 still open for 30 days, E4 critical and due a reminder,
    /// E5 suppressed, E6 resolved.
    fn sweep_with_state() -> Report {
        with_memory(
            vec![
                remember(
                    alias_finding("E1ABCDEF", "api.example.com"),
                    Transition::New,
                    0,
                ),
                escalated("E2BBBBBB"),
                remember(http_allowed("E3CCCCCC"), Transition::Unchanged, 30),
                remember(expired("E4DDDDDD"), Transition::Reminder, 60),
                remember(http_allowed("E5EEEEEE"), Transition::Suppressed, 90),
            ],
            vec![resolved(
                "E6FFFFFF",
                "viewer-cert-expired",
                Severity::Critical,
            )],
            8,
        )
    }

    #[test]
    fn the_sweep_digest_has_a_section_for_each_change_and_what_is_still_open() {
        let sweep = TriggerSummary::new("sweep", "scheduled at 2026-03-03T06:00:00Z");
        let notes = notifications(&sweep_with_state(), &sweep, &policy(), true, now());
        let kinds: Vec<(Option<String>, Option<String>, Option<String>)> = notes
            .iter()
            .map(|n| {
                (
                    n.attribute(ATTRIBUTE_NOTIFICATION),
                    n.attribute(ATTRIBUTE_DISTRIBUTION_ID),
                    transitions(n),
                )
            })
            .collect();
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            kinds,
            [
                (
                    some("digest"),
                    None,
                    some(r#"["new","escalated","resolved"]"#)
                ),
                (some("distribution"), some("E1ABCDEF"), some(r#"["new"]"#)),
                (
                    some("distribution"),
                    some("E4DDDDDD"),
                    some(r#"["reminder"]"#)
                ),
                (
                    some("distribution"),
                    some("E2BBBBBB"),
                    some(r#"["escalated"]"#)
                ),
            ],
            "per-distribution messages only for new and escalated findings, and the reminder"
        );
        let digest = &notes[0];
        assert_eq!(
            digest.subject,
            "[CRITICAL] CloudFront TLS sweep: 1 new, 1 escalated, 1 resolved, 2 still open"
        );
        let email = &digest.email;
        assert_in_order(
            email,
            &[
                "Since the last sweep: 1 new, 1 escalated, 1 resolved.",
                "Still open: 2 still open on 2 distributions, the oldest first seen 2026-01-02.",
                "Suppressed: 1 suppressed (the next suppression expires on 2026-04-01).",
                "== New since the last sweep ==",
                "-- Distribution E1ABCDEF (www.example.com): 1 finding --",
                "1. [CRITICAL] viewer-alias-not-covered: api.example.com",
                "== Escalated (severity rose) ==",
                "== Resolved ==",
                "-- Distribution E6FFFFFF: 1 resolved finding --",
                "resolved by UpdateDistribution by arn:aws:iam::111122223333:user/alice",
                "== Still open ==",
                "- [CRITICAL] viewer-cert-expired: arn:aws:acm:us-east-1:111122223333:certificate/abc: open 60 days, first seen 2026-01-02",
                "- [MEDIUM] viewer-http-allowed: cache behaviour default: open 30 days, first seen 2026-02-01",
            ],
        );
        assert!(
            !email.contains("E5EEEEEE"),
            "suppressed findings are counted, not listed"
        );

        let chat = parse(&digest.https);
        let description = chat["content"]["description"].as_str().unwrap_or_default();
        for needle in [
            "*Since the last sweep:* 1 new, 1 escalated, 1 resolved",
            "*Still open:* 2 still open on 2 distributions",
            "*Suppressed:* 1 suppressed (the next suppression expires on 2026-04-01)",
            "*New since the last sweep*\n• `E1ABCDEF`",
            "*Resolved*\n• `E6FFFFFF`: 1 resolved: viewer-cert-expired",
        ] {
            assert!(
                description.contains(needle),
                "missing {needle:?} in\n{description}"
            );
        }
        assert!(
            !description.contains("E3CCCCCC"),
            "still open: counted in Slack, listed in the email"
        );

        let machine = parse(&digest.default_json);
        assert_eq!(
            machine["digest"]["since_last_sweep"],
            json!({"new": 1, "escalated": 1, "resolved": 1, "still_open": 2, "suppressed": 1,
                   "next_suppression_expiry": "2026-04-01T00:00:00Z", "changed": true})
        );
        assert_eq!(machine["findings"].as_array().map(Vec::len), Some(2));
        assert_eq!(machine["still_open"].as_array().map(Vec::len), Some(2));
        assert_eq!(machine["still_open"][0]["age_days"], 60);
        assert_eq!(machine["resolved"][0]["distribution_id"], "E6FFFFFF");
    }

    #[test]
    fn on_change_a_quiet_sweep_publishes_nothing_but_the_weekly_heartbeat() {
        let quiet = with_memory(
            vec![remember(
                http_allowed("E1ABCDEF"),
                Transition::Unchanged,
                30,
            )],
            vec![],
            3,
        );
        let sweep = TriggerSummary::new("sweep", "");
        assert!(
            notifications(&quiet, &sweep, &policy(), true, now()).is_empty(),
            "a Tuesday with nothing changed: silence"
        );
        let heartbeat = notifications(&quiet, &sweep, &policy(), true, monday());
        assert_eq!(heartbeat.len(), 1);
        assert_eq!(
            heartbeat[0].subject,
            "[MEDIUM] CloudFront TLS sweep: still watching, no change, 1 still open"
        );
        assert!(heartbeat[0]
            .email
            .contains("Nothing changed since the last sweep: still watching"));
        assert!(
            transitions(&heartbeat[0]).is_none(),
            "a heartbeat changes nothing"
        );
        assert!(parse(&heartbeat[0].https)["content"]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with(":eyes: CloudFront TLS sweep: still watching")));
        let always = NotifyPolicy {
            digest: DigestMode::Always,
            ..policy()
        };
        assert_eq!(notifications(&quiet, &sweep, &always, true, now()).len(), 1);
        let never = NotifyPolicy {
            heartbeat_day: HeartbeatDay(None),
            ..policy()
        };
        assert!(notifications(&quiet, &sweep, &never, true, monday()).is_empty());
    }

    #[test]
    fn a_change_that_resolved_thousands_is_split_into_parts_not_cut() {
        let gone: Vec<ResolvedFinding> = (0..3_000)
            .map(|i| {
                let mut r = resolved("E1ABCDEF", "viewer-cert-expired", Severity::High);
                r.subject = format!(
                    "arn:aws:acm:us-east-1:111122223333:certificate/{i:04}-{}",
                    "x".repeat(200)
                );
                r
            })
            .collect();
        let report = with_memory(vec![], gone, 1);
        let notes = notifications(&report, &trigger(), &policy(), false, now());
        assert!(
            notes.len() > 1,
            "3,000 resolved findings do not fit one message"
        );
        let mut total = 0;
        for (i, note) in notes.iter().enumerate() {
            assert!(
                note.sns_size() <= SIZE_BUDGET,
                "part {} is {} bytes",
                i + 1,
                note.sns_size()
            );
            assert!(
                note.subject
                    .ends_with(&format!("(part {} of {})", i + 1, notes.len())),
                "{}",
                note.subject
            );
            assert_eq!(transitions(note).as_deref(), Some(r#"["resolved"]"#));
            total += parse(&note.default_json)["resolved"]
                .as_array()
                .map_or(0, Vec::len);
        }
        assert_eq!(total, 3_000, "every resolved finding, once");
    }

    #[test]
    fn a_digest_with_5000_still_open_findings_fits_in_parts() {
        let mut findings = Vec::new();
        for i in 0..1_000 {
            let id = format!("E{i:04}STILLOPEN");
            findings.push(remember(
                alias_finding(&id, &format!("api{i}.example.com")),
                Transition::Unchanged,
                40,
            ));
            findings.push(remember(expired(&id), Transition::Unchanged, 30));
            findings.push(remember(expiring(&id), Transition::Unchanged, 20));
            findings.push(remember(http_allowed(&id), Transition::Unchanged, 10));
            findings.push(remember(
                Finding::builder(&crate::catalogue::HTTP_ALLOWED)
                    .distribution(id.as_str())
                    .subject("cache behaviour /api/*")
                    .evidence("behavior", "/api/*")
                    .build(),
                Transition::Unchanged,
                5,
            ));
        }
        findings.push(remember(
            alias_finding("E1ABCDEF", "new.example.com"),
            Transition::New,
            0,
        ));
        let report = with_memory(findings, vec![], 1_001);
        let notes = notifications(
            &report,
            &TriggerSummary::new("sweep", ""),
            &policy(),
            true,
            now(),
        );
        let digests: Vec<&Notification> = notes
            .iter()
            .filter(|n| n.attribute(ATTRIBUTE_NOTIFICATION).as_deref() == Some("digest"))
            .collect();
        assert!(digests.len() > 1, "5,000 findings do not fit one message");
        let mut still_open = 0;
        for (i, part) in digests.iter().enumerate() {
            assert!(
                part.sns_size() <= SIZE_BUDGET,
                "part {} is {} bytes",
                i + 1,
                part.sns_size()
            );
            assert!(part.subject.len() <= SUBJECT_LIMIT);
            let chat = parse(&part.https);
            assert!(chat["content"]["description"]
                .as_str()
                .is_some_and(|d| d.chars().count() <= CHAT_DESCRIPTION_LIMIT));
            still_open += parse(&part.default_json)["still_open"]
                .as_array()
                .map_or(0, Vec::len);
        }
        assert_eq!(still_open, 5_000, "every still-open finding, once");
        let listed_in_email: usize = digests
            .iter()
            .map(|p| p.email.lines().filter(|l| l.starts_with("- [")).count())
            .sum();
        assert_eq!(listed_in_email, 5_000);
        assert_eq!(
            notes.len() - digests.len(),
            1,
            "one per-distribution message, for the new finding"
        );
    }
}
