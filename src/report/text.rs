//! Terminal text for people: grouped by distribution, worst first, one summary line at the end.

use std::fmt::Write;

use time::OffsetDateTime;

use super::Report;
use crate::finding::{render_value, Finding, Location, Severity};
use crate::state::FindingStatus;
use crate::untrusted::{cap, TEXT_CHARS};

/// Renders the report; `colour` adds ANSI colours (only on a terminal, and never with `NO_COLOR`).
/// With state (`report.memory`), each finding says whether it is new, open since when, or
/// suppressed, and what the run resolved is listed before the summary line.
pub fn render_text(report: &Report, colour: bool) -> String {
    let with_state = report.memory.is_some();
    let mut out = render(report, colour, "Account", with_state);
    if let Some(memory) = report.memory.as_ref().filter(|m| !m.resolved.is_empty()) {
        let _ = writeln!(
            out,
            "{} ({})",
            paint("Resolved by this run", BOLD, colour),
            memory.resolved.len()
        );
        for resolved in &memory.resolved {
            let _ = writeln!(
                out,
                "  {} {}  {}  (first seen {})",
                resolved
                    .distribution_id
                    .as_deref()
                    .map_or_else(|| "account".to_owned(), terminal),
                resolved.code,
                terminal(&resolved.subject),
                date(resolved.first_seen)
            );
        }
        out.push('\n');
    }
    let summary = report.summary();
    let _ = write!(
        out,
        "{} distribution{} audited: {}",
        summary.distributions,
        if summary.distributions == 1 { "" } else { "s" },
        severity_counts(report)
    );
    match summary.state.filter(|_| with_state) {
        Some(state) => {
            let _ = writeln!(
                out,
                " {} new, {} open, {} resolved, {} suppressed.",
                state.new, state.open, state.resolved, state.suppressed
            );
        }
        None => out.push('\n'),
    }
    out
}

/// `new`, `open since 2026-11-02`, `suppressed by s-… until 2027-01-01`: a finding's status in
/// brief.
fn status(finding: &Finding) -> Option<String> {
    let remembered = finding.remembered.as_ref()?;
    Some(match remembered.status {
        FindingStatus::New => "new".to_owned(),
        FindingStatus::Open => format!("open since {}", date(remembered.first_seen)),
        FindingStatus::Suppressed => match &remembered.suppression {
            Some(id) => format!("suppressed ({})", terminal(&id.0)),
            None => "suppressed".to_owned(),
        },
    })
}

fn date(at: OffsetDateTime) -> String {
    at.date().to_string()
}

/// `1 critical, 0 high, 2 medium, 0 low, 0 info.`
pub fn severity_counts(report: &Report) -> String {
    let summary = report.summary();
    format!(
        "{} critical, {} high, {} medium, {} low, {} info.",
        summary.critical, summary.high, summary.medium, summary.low, summary.info
    )
}

/// The notes, then the findings grouped by distribution; findings without a distribution go under
/// `unscoped_heading` ("Account" for an audit).
pub fn render_findings(report: &Report, colour: bool, unscoped_heading: &str) -> String {
    render(report, colour, unscoped_heading, false)
}

fn render(report: &Report, colour: bool, unscoped_heading: &str, with_state: bool) -> String {
    let mut out = String::new();
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", terminal(&note.to_string()));
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    for (distribution, findings) in report.by_distribution() {
        let heading = match distribution {
            Some(id) => match report.distribution_labels.get(id) {
                Some(label) => format!("Distribution {} ({})", terminal(id), terminal(label)),
                None => format!("Distribution {}", terminal(id)),
            },
            None => unscoped_heading.to_owned(),
        };
        let _ = writeln!(
            out,
            "{} ({} finding{})",
            paint(&heading, BOLD, colour),
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
        for finding in findings {
            let _ = write!(
                out,
                "  {}{} {}  {}",
                finding.location.as_ref().map(lead).unwrap_or_default(),
                paint(
                    &format!("{:<8}", finding.severity.as_str().to_uppercase()),
                    severity_colour(finding.severity),
                    colour
                ),
                paint(finding.code.as_str(), BOLD, colour),
                terminal(&finding.subject)
            );
            match status(finding).filter(|_| with_state) {
                Some(status) => {
                    let _ = writeln!(out, "  [{status}]");
                }
                None => out.push('\n'),
            }
            let _ = writeln!(out, "    {}", terminal(&finding.message));
            let _ = writeln!(out, "    viewer impact: {}", finding.viewer_impact);
            for (name, value) in &finding.evidence {
                let _ = writeln!(
                    out,
                    "    evidence: {name} = {}",
                    terminal(&render_value(value))
                );
            }
            for (step, text) in finding.remediation.iter().enumerate() {
                let _ = writeln!(out, "    fix {}: {}", step + 1, terminal(text));
            }
            let _ = writeln!(out, "    docs: {}", finding.docs);
        }
        out.push('\n');
    }
    out
}

/// `templates/site.yaml:42:9: `, or `plan.json (module.cdn.aws_cloudfront_distribution.site): `
/// where the input has no positions: what editors and terminals turn into a link, first on the line.
pub fn lead(location: &Location) -> String {
    let file = cap(&location.file, TEXT_CHARS);
    match (location.line, location.column, &location.resource) {
        (Some(line), Some(column), _) => format!("{file}:{line}:{column}: "),
        (Some(line), None, _) => format!("{file}:{line}: "),
        (None, _, Some(resource)) => format!("{file} ({}): ", cap(resource, TEXT_CHARS)),
        (None, _, None) => format!("{file}: "),
    }
}

const BOLD: &str = "1";

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// The terminal's sanitiser. Text from certificates, origins and configs is untrusted: forbidden
/// characters ([`crate::untrusted::is_forbidden`]: ESC and OSC 8 links, BEL, NUL, newlines that fake
/// extra lines, bidi overrides, invisible marks, U+2028/2029) are shown as visible escapes
/// (`\u{1b}`), never sent to the terminal, so the operator sees that they were there.
pub fn terminal(untrusted: &str) -> String {
    crate::untrusted::escape_forbidden(untrusted)
}
