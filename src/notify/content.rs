//! What a notification says, before any audience puts it into words: which notification it is
//! (a distribution's findings, a sweep's digest, a clean result), the findings it lists, their worst
//! severity and codes, the trigger, the audit's notes and which part it is. Email, chat, the JSON
//! report, the subject and the message attributes each render one [`Content`].

use std::collections::BTreeSet;
use std::fmt::Write;

use time::OffsetDateTime;

use super::trigger::TriggerSummary;
use crate::finding::{Finding, Severity, ViewerImpact};
use crate::report::{Note, Report, Summary};
use crate::state::{ResolvedFinding, Transition};

/// The `distribution_id` attribute and chat thread of account-level findings.
pub const ACCOUNT_DISTRIBUTION_ID: &str = "account";

/// The CloudFront console page of one distribution is this plus its id.
pub const CONSOLE_DISTRIBUTIONS: &str =
    "https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions";

/// The console page of a distribution (or the list, for account-level findings). The id is
/// percent-encoded: it may come from an event, and must not be able to change where the link goes.
pub fn console_url(distribution_id: Option<&str>) -> String {
    match distribution_id {
        Some(id) => {
            let mut url = format!("{CONSOLE_DISTRIBUTIONS}/");
            for byte in id.bytes() {
                if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                    url.push(byte as char);
                } else {
                    let _ = write!(url, "%{byte:02X}");
                }
            }
            url
        }
        None => CONSOLE_DISTRIBUTIONS.to_owned(),
    }
}

/// The label of a distribution in `report` (its aliases or domain name), if it has a non-blank one.
fn label<'a>(report: &'a Report, id: Option<&str>) -> Option<&'a str> {
    id.and_then(|id| report.distribution_labels.get(id))
        .map(String::as_str)
        .filter(|l| !l.trim().is_empty())
}

/// Findings of one distribution (or of the account, `id` None) within one message.
#[derive(Debug, Clone)]
pub(super) struct Group<'a> {
    /// The distribution, `None` for account-level findings.
    pub(super) id: Option<&'a str>,
    /// Its label in the report (aliases or domain name), if it has a non-blank one.
    pub(super) label: Option<&'a str>,
    /// Its findings, worst first.
    pub(super) findings: Vec<&'a Finding>,
    /// With state: the section of the message these findings belong to.
    pub(super) section: Option<Section>,
    /// With state, in the [`Section::Resolved`] section: what the run resolved on it.
    pub(super) resolved: Vec<&'a ResolvedFinding>,
}

impl<'a> Group<'a> {
    /// A group, with the distribution's label from `report`.
    pub(super) fn new(report: &'a Report, id: Option<&'a str>, findings: Vec<&'a Finding>) -> Self {
        Group {
            id,
            label: label(report, id),
            findings,
            section: None,
            resolved: Vec::new(),
        }
    }

    /// A group of one section of a message of a run with state.
    pub(super) fn in_section(
        report: &'a Report,
        id: Option<&'a str>,
        section: Section,
        findings: Vec<&'a Finding>,
        resolved: Vec<&'a ResolvedFinding>,
    ) -> Self {
        Group {
            section: Some(section),
            resolved,
            ..Group::new(report, id, findings)
        }
    }

    /// Its findings, or (in the resolved section) its resolved findings: what packing splits.
    pub(super) fn items(&self) -> usize {
        self.findings.len() + self.resolved.len()
    }

    /// The same group with only the items in `range` (findings first, then resolved ones).
    pub(super) fn slice(&self, range: std::ops::Range<usize>) -> Self {
        let findings = self.findings.len();
        let take = |start: usize, end: usize| start.min(end)..end;
        Group {
            findings: self.findings[take(range.start, range.end.min(findings))].to_vec(),
            resolved: self.resolved[take(
                range.start.saturating_sub(findings),
                range.end.saturating_sub(findings).min(self.resolved.len()),
            )]
            .to_vec(),
            ..self.clone()
        }
    }

    /// Whether the group has a finding other than `audit-not-covered`.
    pub(super) fn has_problems(&self) -> bool {
        self.findings
            .iter()
            .any(|f| !crate::report::is_not_covered(f))
    }

    /// The worst severity among the group's findings.
    pub(super) fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Where a finding stands in a message of a run with state (issue 11), in the order messages list
/// them: what changed first, then what did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Section {
    /// First seen by this run (or again after being resolved, or its suppression expired).
    New,
    /// Known, and its severity rose.
    Escalated,
    /// Found before, not found by this run although its check ran.
    Resolved,
    /// Still open, critical or high, and last notified `REMIND_AFTER_DAYS` ago or more.
    Reminder,
    /// Known and unchanged.
    StillOpen,
}

impl Section {
    /// The section of a finding of a run with state; a finding the state did not see (no
    /// `remembered`) is new, as every finding is without state. `None`: suppressed, only counted.
    pub(super) fn of(finding: &Finding) -> Option<Section> {
        match finding.remembered.as_ref().map(|r| r.transition) {
            None | Some(Transition::New) => Some(Section::New),
            Some(Transition::Escalated) => Some(Section::Escalated),
            Some(Transition::Reminder) => Some(Section::Reminder),
            Some(Transition::Unchanged) => Some(Section::StillOpen),
            Some(Transition::Suppressed) => None,
        }
    }

    /// The `transition` attribute value of the section; `None` for what did not change.
    pub(super) fn transition(self) -> Option<&'static str> {
        match self {
            Section::New => Some("new"),
            Section::Escalated => Some("escalated"),
            Section::Resolved => Some("resolved"),
            Section::Reminder => Some("reminder"),
            Section::StillOpen => None,
        }
    }

    /// Its heading, in a digest (`digest`) or in a distribution's message.
    pub(super) fn heading(self, digest: bool) -> &'static str {
        match (self, digest) {
            (Section::New, true) => "New since the last sweep",
            (Section::New, false) => "New",
            (Section::Escalated, _) => "Escalated (severity rose)",
            (Section::Resolved, _) => "Resolved",
            (Section::Reminder, _) => "Reminder: still open",
            (Section::StillOpen, _) => "Still open",
        }
    }
}

/// `open 12 days, first seen 2026-02-17`: how long a finding has been open at `now`.
pub(super) fn open_since(first_seen: OffsetDateTime, now: OffsetDateTime) -> String {
    let days = (now - first_seen).whole_days().max(0);
    format!(
        "open {}, first seen {}",
        count(usize::try_from(days).unwrap_or(0), "day"),
        first_seen.date()
    )
}

/// How a finding of a run with state stands: `was medium` for an escalated one, its age for one
/// that was known before. `None` for a new finding (its age is this run).
pub(super) fn standing(finding: &Finding, now: OffsetDateTime) -> Option<String> {
    let remembered = finding.remembered.as_ref()?;
    match remembered.transition {
        Transition::New | Transition::Suppressed => None,
        Transition::Escalated => Some(format!(
            "escalated from {}; {}",
            remembered
                .previous_severity
                .map_or("a lower severity", |s| s.as_str()),
            open_since(remembered.first_seen, now)
        )),
        Transition::Reminder | Transition::Unchanged => {
            Some(open_since(remembered.first_seen, now))
        }
    }
}

/// What the state adds to one message (issue 11); messages of a run without state have none.
#[derive(Debug, Clone)]
pub(super) struct Standing<'a> {
    /// The audit's time, for ages.
    pub(super) now: OffsetDateTime,
    /// Which message of a run with state this is.
    pub(super) kind: StandingKind<'a>,
}

impl Standing<'_> {
    /// For a "nothing changed" message, how many findings are still open.
    pub(super) fn still_open(&self) -> Option<usize> {
        match self.kind {
            StandingKind::Unchanged { still_open } => Some(still_open),
            _ => None,
        }
    }
}

/// Which message of a run with state, with what only that kind has.
#[derive(Debug, Clone)]
pub(super) enum StandingKind<'a> {
    /// What changed on one distribution: its new, escalated and resolved findings (and, with
    /// `NOTIFY_UNCHANGED=true`, the unchanged ones).
    Changes {
        /// Pre-existing findings that did not change (reminders included), listed or not.
        unchanged: usize,
        /// Whether they are listed in full.
        unchanged_listed: bool,
        /// Findings matched by a suppression, counted only.
        suppressed: usize,
    },
    /// A reminder of still-open critical and high findings of one distribution.
    Reminder,
    /// A sweep's digest, with the counts of the whole sweep.
    Digest(&'a SweepCounts),
    /// An event-driven audit changed nothing on this distribution (`NOTIFY_ON_CLEAN=true`).
    Unchanged {
        /// Pre-existing findings still open.
        still_open: usize,
    },
}

/// The counts of a sweep with state, over the whole sweep (not one part).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SweepCounts {
    /// Findings new since the last sweep.
    pub(super) new: usize,
    /// Findings whose severity rose.
    pub(super) escalated: usize,
    /// Findings the sweep resolved.
    pub(super) resolved: usize,
    /// Findings still open (reminders included).
    pub(super) still_open: usize,
    /// Distributions with a still-open finding.
    pub(super) still_open_distributions: usize,
    /// The earliest first-seen date among the still-open findings.
    pub(super) oldest: Option<OffsetDateTime>,
    /// Findings matched by a suppression.
    pub(super) suppressed: usize,
    /// The earliest expiry among the suppressions in force.
    pub(super) next_expiry: Option<OffsetDateTime>,
}

impl SweepCounts {
    /// Whether anything changed since the last sweep.
    pub(super) fn changed(&self) -> bool {
        self.new + self.escalated + self.resolved > 0
    }

    /// The `transition` values of the sweep, most significant first.
    pub(super) fn transitions(&self) -> Vec<&'static str> {
        [
            (self.new, "new"),
            (self.escalated, "escalated"),
            (self.resolved, "resolved"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, name)| name)
        .collect()
    }

    /// `2 new, 0 escalated, 1 resolved`.
    pub(super) fn changes_line(&self) -> String {
        format!(
            "{} new, {} escalated, {} resolved",
            self.new, self.escalated, self.resolved
        )
    }

    /// `40 still open on 12 distributions, the oldest first seen 2025-11-01`.
    pub(super) fn still_open_line(&self) -> String {
        let mut line = format!(
            "{} still open on {}",
            self.still_open,
            count(self.still_open_distributions, "distribution")
        );
        if let Some(oldest) = self.oldest {
            let _ = write!(line, ", the oldest first seen {}", oldest.date());
        }
        line
    }

    /// `2 suppressed (the next suppression expires on 2026-04-01)`, when any is.
    pub(super) fn suppressed_line(&self) -> Option<String> {
        (self.suppressed > 0 || self.next_expiry.is_some()).then(|| {
            let mut line = format!("{} suppressed", self.suppressed);
            if let Some(expiry) = self.next_expiry {
                let _ = write!(line, " (the next suppression expires on {})", expiry.date());
            }
            line
        })
    }
}

/// Which part of a notification split to fit the SNS size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    /// From 1.
    pub(crate) number: usize,
    /// How many parts there are.
    pub(crate) of: usize,
}

/// ` (part 2 of 3)`, or nothing for a notification in one piece.
pub(crate) fn part_label(part: Option<Part>) -> String {
    part.map(|p| format!(" (part {} of {})", p.number, p.of))
        .unwrap_or_default()
}

/// Counts for the digest header, over the whole sweep (not one part).
#[derive(Debug, Clone)]
pub(super) struct DigestTotals {
    /// Findings at or above the minimum (what the digest lists).
    pub(super) listed: Summary,
    /// Every finding, for the "not listed" line.
    pub(super) all: Summary,
    /// Distributions with at least one listed finding.
    pub(super) failing: usize,
    /// Whether account-level findings are listed too.
    pub(super) account_level: bool,
}

impl DigestTotals {
    /// The worst severity listed anywhere in the sweep.
    pub(super) fn worst(&self) -> Option<Severity> {
        Severity::ALL_DESCENDING
            .into_iter()
            .find(|s| severity_count(&self.listed, *s) > 0)
    }

    /// Decided on the whole sweep, not on one part, so that an empty part measures like a real one.
    pub(super) fn nothing_failed(&self) -> bool {
        self.failing == 0 && !self.account_level
    }

    /// `1 critical, 0 high, 2 medium, 0 low, 0 info`: the listed findings by severity.
    pub(super) fn listed_counts(&self) -> String {
        let l = &self.listed;
        format!(
            "{} critical, {} high, {} medium, {} low, {} info",
            l.critical, l.high, l.medium, l.low, l.info
        )
    }

    /// `3 low, 1 info` for the severities below the minimum that have findings, if any.
    pub(super) fn below(&self, minimum: Severity) -> Option<String> {
        let parts: Vec<String> = Severity::ALL_DESCENDING
            .into_iter()
            .filter(|s| *s < minimum && severity_count(&self.all, *s) > 0)
            .map(|s| format!("{} {s}", severity_count(&self.all, s)))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Which notification this is, with what only that kind has.
#[derive(Debug, Clone)]
pub(super) enum Scope<'a> {
    /// The findings of one distribution (`id` None: the account's) at or above `minimum`.
    Distribution {
        /// The distribution, `None` for account-level findings.
        id: Option<&'a str>,
        /// Its label in the report, if any.
        label: Option<&'a str>,
        /// The least severity listed.
        minimum: Severity,
    },
    /// One part of a sweep's digest: the sweep's totals and this part's distributions.
    Digest {
        /// Counts over the whole sweep.
        totals: &'a DigestTotals,
        /// This part's distributions (and account-level findings), each with its findings.
        groups: Vec<Group<'a>>,
        /// The least severity listed.
        minimum: Severity,
    },
    /// An event-driven audit found nothing to report on this distribution.
    Verified {
        /// The distribution.
        id: &'a str,
    },
}

impl Scope<'_> {
    /// The `notification` message attribute.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Scope::Distribution { .. } => "distribution",
            Scope::Digest { .. } => "digest",
            Scope::Verified { .. } => "verified",
        }
    }
}

/// What one notification says, for every audience alike.
#[derive(Debug, Clone)]
pub(super) struct Content<'a> {
    /// Which notification this is.
    pub(super) scope: Scope<'a>,
    /// What started the audit.
    pub(super) trigger: &'a TriggerSummary,
    /// Every finding this notification lists, worst first.
    pub(super) findings: Vec<&'a Finding>,
    /// The worst severity among them.
    pub(super) worst: Option<Severity>,
    /// Their distinct codes, in the order of the findings.
    pub(super) codes: Vec<String>,
    /// How the audit ran (the report's notes).
    pub(super) notes: &'a [Note],
    /// Distributions the JSON report says were audited.
    pub(super) distributions_audited: usize,
    /// Which part this is, when the notification comes in parts.
    pub(super) part: Option<Part>,
    /// The groups it lists (with state: each in its section).
    pub(super) groups: Vec<Group<'a>>,
    /// With state: the resolved findings it lists.
    pub(super) resolved: Vec<&'a ResolvedFinding>,
    /// With state: what the state adds; `None` without state (every message as before).
    pub(super) standing: Option<Standing<'a>>,
}

impl<'a> Content<'a> {
    fn new(
        scope: Scope<'a>,
        trigger: &'a TriggerSummary,
        groups: &[Group<'a>],
        notes: &'a [Note],
        distributions_audited: usize,
        part: Option<Part>,
    ) -> Content<'a> {
        let findings: Vec<&Finding> = groups
            .iter()
            .flat_map(|g| g.findings.iter().copied())
            .collect();
        Content {
            scope,
            trigger,
            worst: findings.iter().map(|f| f.severity).max(),
            codes: distinct_codes(&findings),
            findings,
            notes,
            distributions_audited,
            part,
            groups: groups.to_vec(),
            resolved: groups
                .iter()
                .flat_map(|g| g.resolved.iter().copied())
                .collect(),
            standing: None,
        }
    }

    /// The same content, with what the state adds.
    pub(super) fn with_standing(mut self, standing: Standing<'a>) -> Content<'a> {
        self.standing = Some(standing);
        self
    }

    /// The worst severity the message speaks of: its findings', or when it lists none, the worst
    /// among what it resolved (a subscriber to `critical` hears that a critical was fixed).
    pub(super) fn worst_spoken_of(&self) -> Option<Severity> {
        self.worst
            .or_else(|| self.resolved.iter().map(|r| r.severity).max())
    }

    /// The `transition` values of the message, most significant first; empty without state.
    pub(super) fn transitions(&self) -> Vec<&'static str> {
        match self.standing.as_ref().map(|s| &s.kind) {
            None | Some(StandingKind::Unchanged { .. }) => Vec::new(),
            Some(StandingKind::Digest(counts)) => counts.transitions(),
            Some(StandingKind::Changes { .. } | StandingKind::Reminder) => {
                let mut sections: Vec<Section> = self
                    .groups
                    .iter()
                    .filter(|g| g.items() > 0)
                    .filter_map(|g| g.section)
                    .collect();
                sections.sort();
                sections.dedup();
                sections
                    .into_iter()
                    .filter_map(Section::transition)
                    .collect()
            }
        }
    }

    /// The findings of one distribution (`id` None: the account), in `groups` (pieces of it).
    pub(super) fn distribution(
        report: &'a Report,
        trigger: &'a TriggerSummary,
        minimum: Severity,
        id: Option<&'a str>,
        groups: &[Group<'a>],
        part: Option<Part>,
    ) -> Content<'a> {
        let label = label(report, id);
        // One distribution was concerned; account-level findings concern the whole audit.
        let audited = if id.is_some() {
            1
        } else {
            report.distributions_audited
        };
        Content::new(
            Scope::Distribution { id, label, minimum },
            trigger,
            groups,
            &report.notes,
            audited,
            part,
        )
    }

    /// One part of the digest of a sweep, listing `groups`.
    pub(super) fn digest(
        report: &'a Report,
        trigger: &'a TriggerSummary,
        minimum: Severity,
        totals: &'a DigestTotals,
        groups: &[Group<'a>],
        part: Option<Part>,
    ) -> Content<'a> {
        Content::new(
            Scope::Digest {
                totals,
                groups: groups.to_vec(),
                minimum,
            },
            trigger,
            groups,
            &report.notes,
            report.distributions_audited,
            part,
        )
    }

    /// Nothing to report on `id` after the audit `trigger` started.
    pub(super) fn verified(id: &'a str, trigger: &'a TriggerSummary) -> Content<'a> {
        Content::new(Scope::Verified { id }, trigger, &[], &[], 1, None)
    }
}

/// `3 findings`, `1 distribution`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The severity in capitals, as subjects and titles show it.
pub(crate) fn upper(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

/// What viewers experience, in words.
pub(super) fn impact_words(impact: ViewerImpact) -> &'static str {
    match impact {
        ViewerImpact::UpdateRejected => "CloudFront rejects the create or update call",
        ViewerImpact::CertWarning => "browsers show a certificate warning or refuse to connect",
        ViewerImpact::BadGateway => "CloudFront answers 502 Bad Gateway",
        ViewerImpact::GatewayTimeout => "CloudFront answers 504 Gateway Timeout",
        ViewerImpact::None => "nothing visible to viewers yet",
    }
}

/// The distinct finding codes, in the order of the findings.
pub(super) fn distinct_codes(findings: &[&Finding]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    findings
        .iter()
        .map(|f| f.code.as_str().to_owned())
        .filter(|c| seen.insert(c.clone()))
        .collect()
}

/// `value`, or `fallback` when it is blank: SNS rejects empty attribute values, and an empty chat
/// context value says nothing.
pub(super) fn non_empty(value: String, fallback: &str) -> String {
    if value.trim().is_empty() {
        fallback.to_owned()
    } else {
        value
    }
}

fn severity_count(summary: &Summary, severity: Severity) -> usize {
    match severity {
        Severity::Critical => summary.critical,
        Severity::High => summary.high,
        Severity::Medium => summary.medium,
        Severity::Low => summary.low,
        Severity::Info => summary.info,
    }
}
