//! Terminal text for people: grouped by distribution, worst first, one summary line at the end.

use std::fmt::Write;

use super::Report;
use crate::finding::{render_value, Severity};

/// Renders the report; `colour` adds ANSI colours (only on a terminal, and never with `NO_COLOR`).
pub fn render_text(report: &Report, colour: bool) -> String {
    let mut out = render_findings(report, colour, "Account");
    let summary = report.summary();
    let _ = writeln!(
        out,
        "{} distribution{} audited: {}",
        summary.distributions,
        if summary.distributions == 1 { "" } else { "s" },
        severity_counts(report)
    );
    out
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
            let _ = writeln!(
                out,
                "  {} {}  {}",
                paint(
                    &format!("{:<8}", finding.severity.as_str().to_uppercase()),
                    severity_colour(finding.severity),
                    colour
                ),
                paint(finding.code.as_str(), BOLD, colour),
                terminal(&finding.subject)
            );
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
