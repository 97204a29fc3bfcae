//! The `email` text: plain text for people. What is wrong, the evidence, what viewers see, numbered
//! remediation steps, the documentation, a console link, and what triggered the audit.

use std::fmt::Write;

use super::content::{
    console_url, count, impact_words, part_label, upper, Content, DigestTotals, Group, Scope,
};
use super::text::plain;
use crate::finding::{render_value, Finding, Severity};
use crate::report::Note;

const FOOTER: &str = "\n--\nSent by cloudfront-tls-audit. Machine subscribers (SQS, Lambda) receive the JSON report.\n";

/// The email body of `content`.
pub(super) fn render(content: &Content<'_>) -> String {
    let mut email = String::new();
    match &content.scope {
        Scope::Distribution { id, label, minimum } => {
            distribution(&mut email, content, *id, *label, *minimum)
        }
        Scope::Digest {
            totals,
            groups,
            minimum,
        } => digest(&mut email, content, totals, groups, *minimum),
        Scope::Verified { id } => verified(&mut email, content, id),
    }
    notes(&mut email, content.notes);
    email.push_str(FOOTER);
    email
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
    email.push('\n');
    for (i, finding) in content.findings.iter().enumerate() {
        one_finding(email, i + 1, finding);
    }
}

fn digest(
    email: &mut String,
    content: &Content<'_>,
    totals: &DigestTotals,
    groups: &[Group<'_>],
    minimum: Severity,
) {
    let audited = content.distributions_audited;
    let _ = writeln!(
        email,
        "CloudFront TLS sweep digest{}\n",
        part_label(content.part)
    );
    triggered_by(email, content);
    let _ = writeln!(
        email,
        "Audited: {}. Failing (a finding at or above {minimum}): {}.",
        count(audited, "distribution"),
        count(totals.failing, "distribution")
    );
    let _ = writeln!(
        email,
        "Findings at or above {minimum}: {}.",
        totals.listed_counts()
    );
    if let Some(below) = totals.below(minimum) {
        let _ = writeln!(email, "Not listed (below {minimum}): {below}.");
    }
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
            one_finding(email, i + 1, finding);
        }
    }
}

fn verified(email: &mut String, content: &Content<'_>, id: &str) {
    let _ = writeln!(
        email,
        "CloudFront TLS audit: distribution {} verified, no findings to report.\n",
        plain(id)
    );
    let _ = writeln!(email, "Distribution: {}", plain(id));
    let _ = writeln!(email, "Console: {}", console_url(Some(id)));
    triggered_by(email, content);
}

fn triggered_by(email: &mut String, content: &Content<'_>) {
    let _ = writeln!(email, "Triggered by: {}", plain(&content.trigger.line()));
}

/// One finding: numbered, with every field a person needs to act.
fn one_finding(out: &mut String, number: usize, finding: &Finding) {
    let _ = writeln!(
        out,
        "{number}. [{}] {}: {}",
        upper(finding.severity),
        finding.code,
        plain(&finding.subject)
    );
    let _ = writeln!(out, "   {}", plain(&finding.message));
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
