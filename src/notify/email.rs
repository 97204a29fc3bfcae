//! The `email` text: plain text for people. What is wrong, the evidence, what viewers see, numbered
//! remediation steps, the documentation, a console link, and what triggered the audit.

use std::fmt::Write;

use time::OffsetDateTime;

use super::content::{
    console_url, count, impact_words, part_label, standing, upper, Content, DigestTotals, Group,
    Scope, Section, Standing, StandingKind, SweepCounts,
};
use super::text::plain;
use crate::finding::{render_value, Finding, Severity};
use crate::report::Note;
use crate::state::ResolvedFinding;

const FOOTER: &str = "\n--\nSent by cloudfront-tls-audit. Machine subscribers (SQS, Lambda) receive the JSON report.\n";

/// The email body of `content`.
pub(super) fn render(content: &Content<'_>) -> String {
    let mut email = String::new();
    match (&content.scope, content.standing.as_ref()) {
        (Scope::Distribution { id, label, minimum }, Some(standing)) => {
            changes(&mut email, content, *id, *label, *minimum, standing)
        }
        (
            Scope::Digest {
                totals,
                groups,
                minimum,
            },
            Some(Standing {
                now,
                kind: StandingKind::Digest(counts),
            }),
        ) => digest_sections(&mut email, content, totals, counts, groups, *minimum, *now),
        (Scope::Verified { id }, Some(standing)) => {
            verified(&mut email, content, id, standing.still_open())
        }
        _ => without_state(&mut email, content),
    }
    notes(&mut email, content.notes);
    email.push_str(FOOTER);
    email
}

/// The email of a run without state, as it always was.
fn without_state(email: &mut String, content: &Content<'_>) {
    match &content.scope {
        Scope::Distribution { id, label, minimum } => {
            distribution(email, content, *id, *label, *minimum)
        }
        Scope::Digest {
            totals,
            groups,
            minimum,
        } => digest(email, content, totals, groups, *minimum),
        Scope::Verified { id } => verified(email, content, id, None),
    }
}

fn distribution(
    email: &mut String,
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
    minimum: Severity,
) {
    let who = match id {
        Some(id) => format!("distribution {}", plain(id)),
        None => "the account".to_owned(),
    };
    let _ = writeln!(
        email,
        "CloudFront TLS audit: {} at or above {minimum} on {who}{}\n",
        count(content.findings.len(), "finding"),
        part_label(content.part)
    );
    distribution_header(email, content, id, label);
    email.push('\n');
    for (i, finding) in content.findings.iter().enumerate() {
        one_finding(email, i + 1, finding, None);
    }
}

/// Which distribution, its console link, the trigger and the worst severity.
fn distribution_header(
    email: &mut String,
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
) {
    let _ = match (id, label) {
        (Some(id), Some(label)) => {
            writeln!(email, "Distribution: {} ({})", plain(id), plain(label))
        }
        (Some(id), None) => writeln!(email, "Distribution: {}", plain(id)),
        (None, _) => writeln!(
            email,
            "Account-level findings (not tied to one distribution)"
        ),
    };
    let _ = writeln!(email, "Console: {}", console_url(id));
    triggered_by(email, content);
    if let Some(worst) = content.worst {
        let _ = writeln!(email, "Highest severity: {worst}");
    }
}

/// `2 new, 1 resolved`: what this message's sections hold.
fn section_counts(content: &Content<'_>) -> String {
    let mut counts: Vec<(Section, usize)> = Vec::new();
    for group in &content.groups {
        let Some(section) = group.section else {
            continue;
        };
        match counts.iter_mut().find(|(s, _)| *s == section) {
            Some((_, n)) => *n += group.items(),
            None => counts.push((section, group.items())),
        }
    }
    counts
        .iter()
        .map(|(section, n)| {
            let word = match section {
                Section::New => "new",
                Section::Escalated => "escalated",
                Section::Resolved => "resolved",
                Section::Reminder => "still open (reminder)",
                Section::StillOpen => "unchanged",
            };
            format!("{n} {word}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What changed on one distribution (or a reminder of what is still open), section by section.
fn changes(
    email: &mut String,
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
    minimum: Severity,
    standing: &Standing<'_>,
) {
    let who = match id {
        Some(id) => format!("distribution {}", plain(id)),
        None => "the account".to_owned(),
    };
    let what = match standing.kind {
        StandingKind::Reminder => format!(
            "reminder, {} still open",
            count(content.findings.len(), "finding")
        ),
        _ => section_counts(content),
    };
    let _ = writeln!(
        email,
        "CloudFront TLS audit: {what} at or above {minimum} on {who}{}\n",
        part_label(content.part)
    );
    distribution_header(email, content, id, label);
    match standing.kind {
        StandingKind::Changes {
            unchanged,
            unchanged_listed,
            suppressed,
        } => {
            if unchanged > 0 {
                let _ = writeln!(
                    email,
                    "Did not change: {} found before{}.",
                    count(unchanged, "finding"),
                    if unchanged_listed {
                        " (listed under Still open)"
                    } else {
                        " (not repeated here; NOTIFY_UNCHANGED=true lists them)"
                    }
                );
            }
            if suppressed > 0 {
                let _ = writeln!(
                    email,
                    "Suppressed: {} (accepted risks, see `suppress list`).",
                    count(suppressed, "finding")
                );
            }
        }
        StandingKind::Reminder => {
            let _ = writeln!(
                email,
                "These critical and high findings are still open; this reminder comes every REMIND_AFTER_DAYS until they are fixed."
            );
        }
        _ => {}
    }
    sections(email, content, standing.now, false);
}

/// Each group under its section's heading (the heading once per run of groups of one section).
fn sections(email: &mut String, content: &Content<'_>, now: OffsetDateTime, digest: bool) {
    let mut current = None;
    let mut number = 0;
    for group in &content.groups {
        if group.section != current {
            current = group.section;
            number = 0;
            if let Some(section) = group.section {
                let _ = writeln!(email, "\n== {} ==", section.heading(digest));
            }
        }
        if digest {
            email.push('\n');
            let items = match group.section {
                Some(Section::Resolved) => count(group.resolved.len(), "resolved finding"),
                _ => count(group.findings.len(), "finding"),
            };
            let _ = match (group.id, group.label) {
                (Some(id), Some(label)) => {
                    writeln!(
                        email,
                        "-- Distribution {} ({}): {items} --",
                        plain(id),
                        plain(label)
                    )
                }
                (Some(id), None) => writeln!(email, "-- Distribution {}: {items} --", plain(id)),
                (None, _) => writeln!(email, "-- Account-level: {items} --"),
            };
            let _ = writeln!(email, "Console: {}", console_url(group.id));
        }
        email.push('\n');
        for resolved in &group.resolved {
            one_resolved(email, resolved);
        }
        for finding in &group.findings {
            if digest && group.section == Some(Section::StillOpen) {
                // Known already: one line each, with its age; the full text went out when it was new.
                let _ = writeln!(
                    email,
                    "- [{}] {}: {}: {}",
                    upper(finding.severity),
                    finding.code,
                    plain(&finding.subject),
                    standing(finding, now).unwrap_or_else(|| "open".to_owned())
                );
            } else {
                number += 1;
                one_finding(email, number, finding, standing(finding, now));
            }
        }
    }
}

/// `- [HIGH] viewer-cert-expired: subject: resolved by UpdateDistribution by … at …`.
fn one_resolved(email: &mut String, resolved: &ResolvedFinding) {
    let _ = writeln!(
        email,
        "- [{}] {}: {}: resolved by {} at {} (was {}, {} days after it was first seen on {})",
        upper(resolved.severity),
        plain(&resolved.code),
        plain(&resolved.subject),
        plain(&resolved.resolved_by),
        resolved.resolved_at.date(),
        resolved.severity,
        (resolved.resolved_at - resolved.first_seen)
            .whole_days()
            .max(0),
        resolved.first_seen.date(),
    );
}

/// The digest of a sweep with state: what changed since the last sweep, then what is still open.
#[allow(clippy::too_many_arguments)]
fn digest_sections(
    email: &mut String,
    content: &Content<'_>,
    totals: &DigestTotals,
    counts: &SweepCounts,
    groups: &[Group<'_>],
    minimum: Severity,
    now: OffsetDateTime,
) {
    digest_header(email, content, totals, minimum, Some(counts));
    if let Some(part) = content.part {
        let _ = writeln!(
            email,
            "This is part {} of {}: it lists {}; the parts together list every change and every open finding.",
            part.number,
            part.of,
            count(groups.len(), "group"),
        );
    }
    sections(email, content, now, true);
}

fn digest(
    email: &mut String,
    content: &Content<'_>,
    totals: &DigestTotals,
    groups: &[Group<'_>],
    minimum: Severity,
) {
    digest_header(email, content, totals, minimum, None);
    if totals.account_level {
        let _ = writeln!(email, "Account-level findings are listed too (part 1).");
    }
    if let Some(part) = content.part {
        let _ = writeln!(
            email,
            "This is part {} of {}: it lists {} ({}); the parts together list every failing distribution.",
            part.number,
            part.of,
            count(groups.iter().filter(|g| g.id.is_some()).count(), "distribution"),
            count(content.findings.len(), "finding")
        );
    }
    if totals.nothing_failed() {
        let _ = writeln!(
            email,
            "\nNo distribution has a finding at or above {minimum}."
        );
    }
    for group in groups {
        email.push('\n');
        let findings = count(group.findings.len(), "finding");
        let _ = match (group.id, group.label) {
            (Some(id), Some(label)) => writeln!(
                email,
                "== Distribution {} ({}): {findings} ==",
                plain(id),
                plain(label)
            ),
            (Some(id), None) => writeln!(email, "== Distribution {}: {findings} ==", plain(id)),
            (None, _) => writeln!(email, "== Account-level: {findings} =="),
        };
        let _ = writeln!(email, "Console: {}\n", console_url(group.id));
        for (i, finding) in group.findings.iter().enumerate() {
            one_finding(email, i + 1, finding, None);
        }
    }
}

/// The digest's title, trigger and counts; with state, what changed since the last sweep.
fn digest_header(
    email: &mut String,
    content: &Content<'_>,
    totals: &DigestTotals,
    minimum: Severity,
    counts: Option<&SweepCounts>,
) {
    let _ = writeln!(
        email,
        "CloudFront TLS sweep digest{}\n",
        part_label(content.part)
    );
    triggered_by(email, content);
    let _ = writeln!(
        email,
        "Audited: {}. Failing (a finding at or above {minimum}): {}.",
        count(content.distributions_audited, "distribution"),
        count(totals.failing, "distribution")
    );
    if let Some(counts) = counts {
        if counts.changed() {
            let _ = writeln!(email, "Since the last sweep: {}.", counts.changes_line());
        } else {
            let _ = writeln!(
                email,
                "Nothing changed since the last sweep: still watching (with DIGEST=on-change this digest comes on HEARTBEAT_DAY only)."
            );
        }
        let _ = writeln!(email, "Still open: {}.", counts.still_open_line());
        if let Some(suppressed) = counts.suppressed_line() {
            let _ = writeln!(email, "Suppressed: {suppressed}.");
        }
    }
    let _ = writeln!(
        email,
        "Findings at or above {minimum}: {}.",
        totals.listed_counts()
    );
    if let Some(below) = totals.below(minimum) {
        let _ = writeln!(email, "Not listed (below {minimum}): {below}.");
    }
}

/// The short "verified" message; with state (`still_open`), that the audit changed nothing.
fn verified(email: &mut String, content: &Content<'_>, id: &str, still_open: Option<usize>) {
    let _ = match still_open {
        Some(n) => writeln!(
            email,
            "CloudFront TLS audit: distribution {}: nothing changed; {} still open.\n",
            plain(id),
            count(n, "finding")
        ),
        None => writeln!(
            email,
            "CloudFront TLS audit: distribution {} verified, no findings to report.\n",
            plain(id)
        ),
    };
    let _ = writeln!(email, "Distribution: {}", plain(id));
    let _ = writeln!(email, "Console: {}", console_url(Some(id)));
    triggered_by(email, content);
}

fn triggered_by(email: &mut String, content: &Content<'_>) {
    let _ = writeln!(email, "Triggered by: {}", plain(&content.trigger.line()));
}

/// One finding: numbered, with every field a person needs to act, and with state how it stands
/// (`escalated from medium; open 12 days, first seen …`).
fn one_finding(out: &mut String, number: usize, finding: &Finding, standing: Option<String>) {
    let _ = writeln!(
        out,
        "{number}. [{}] {}: {}",
        upper(finding.severity),
        finding.code,
        plain(&finding.subject)
    );
    let _ = writeln!(out, "   {}", plain(&finding.message));
    if let Some(standing) = standing {
        let _ = writeln!(out, "   Standing: {standing}");
    }
    if !finding.evidence.is_empty() {
        let _ = writeln!(out, "   Evidence:");
        for (name, value) in &finding.evidence {
            let _ = writeln!(out, "     {}: {}", plain(name), plain(&render_value(value)));
        }
    }
    let _ = writeln!(
        out,
        "   Viewer impact: {} ({})",
        finding.viewer_impact,
        impact_words(finding.viewer_impact)
    );
    if !finding.remediation.is_empty() {
        let _ = writeln!(out, "   Remediation:");
        for (i, step) in finding.remediation.iter().enumerate() {
            let _ = writeln!(out, "     {}. {}", i + 1, plain(step));
        }
    }
    let _ = writeln!(out, "   Documentation: {}\n", plain(&finding.docs));
}

/// The report's notes on how the audit ran, if any.
fn notes(out: &mut String, notes: &[Note]) {
    if notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "Notes on how the audit ran:");
    for note in notes {
        let _ = writeln!(out, "  - {}", plain(&note.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::notify::fixtures::*;
    use crate::notify::*;

    #[test]
    fn the_email_says_what_is_wrong_and_how_to_fix_it() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let email = &note.email;
        for needle in [
            "Distribution: E1ABCDEF (www.example.com)",
            "Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E1ABCDEF",
            "Triggered by: UpdateDistribution: arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z",
            "1. [CRITICAL] viewer-alias-not-covered: api.example.com",
            "   Alias api.example.com is not covered by certificate",
            "   Evidence:\n     alias: api.example.com\n",
            "     certificate_names: example.com, *.example.com",
            "   Viewer impact: cert-warning (browsers show a certificate warning or refuse to connect)",
            "   Remediation:\n     1. Re-issue the certificate with api.example.com in its SANs",
            "     2. Or remove the alias api.example.com",
            "   Documentation: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
            "2. [MEDIUM] viewer-cert-expiring:",
        ] {
            assert!(email.contains(needle), "missing {needle:?} in\n{email}");
        }
        let account = &per_distribution(&sample(), &trigger(), Severity::Medium)[0];
        assert!(account.email.contains("Account-level findings"));
        assert!(account
            .email
            .contains(&format!("Console: {CONSOLE_DISTRIBUTIONS}\n")));
        assert_eq!(account.subject, "[HIGH] account audit-incomplete");
    }
}
