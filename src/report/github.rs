//! GitHub Actions workflow commands (`--format github`): one annotation per finding, on the line of
//! the pull request, for repositories without code scanning.
//!
//! `::error file=F,line=L,col=C,title=CODE::message`, `warning` or `notice` by severity (the same
//! mapping as SARIF's levels, [`super::sarif::level`]). The runner reads a command only at the start of
//! a line, so nothing untrusted may start one: forbidden characters (line breaks included) become
//! visible escapes first ([`crate::untrusted::escape_forbidden`]), then GitHub's own escaping applies
//! (`%`, CR and LF in the message; also `:` and `,` in properties, which separate them).

use std::fmt::Write;

use super::Report;
use crate::finding::{Finding, Severity};
use crate::untrusted::{cap, escape_forbidden, TEXT_CHARS};

/// The workflow command for a severity: critical and high are errors, medium warnings, low and info
/// notices.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Renders the report as workflow commands, one per finding, then the notes and the summary as
/// plain log lines (which the runner prints and does not interpret).
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&annotation(finding));
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", escape_forbidden(&note.to_string()));
    }
    let summary = report.summary();
    let _ = writeln!(
        out,
        "{} distribution{} checked: {}",
        summary.distributions,
        if summary.distributions == 1 { "" } else { "s" },
        super::severity_counts(report)
    );
    out
}

/// One finding's command: its place when it has one, the code as the title, the message and the
/// fix as the annotation's lines.
pub fn annotation(finding: &Finding) -> String {
    let mut properties: Vec<String> = Vec::new();
    if let Some(location) = &finding.location {
        properties.push(format!("file={}", property(&location.file)));
        if let Some(line) = location.line {
            properties.push(format!("line={line}"));
            if let Some(column) = location.column {
                properties.push(format!("col={column}"));
            }
        }
    }
    properties.push(format!("title={}", property(finding.code.as_str())));
    let mut message = escape_forbidden(&finding.message);
    if let Some(resource) = finding.location.as_ref().and_then(|l| l.resource.as_ref()) {
        message = format!("{}: {message}", cap(resource, TEXT_CHARS));
    }
    for (step, remediation) in finding.remediation.iter().enumerate() {
        let _ = write!(
            message,
            "\nFix {}: {}",
            step + 1,
            escape_forbidden(remediation)
        );
    }
    format!(
        "::{} {}::{}",
        command(finding.severity),
        properties.join(","),
        data(&message)
    )
}

/// A command's message, escaped as the runner unescapes it.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as [`data`], and `:` and `,`, which end a property. Forbidden
/// characters are escaped visibly first: a file name is the user's, but says what it is.
fn property(text: &str) -> String {
    data(&cap(text, TEXT_CHARS))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ALIAS_NOT_COVERED, HTTP_ALLOWED, INCOMPLETE_OTHER};
    use crate::finding::Location;

    fn located(file: &str, line: Option<u32>) -> Finding {
        let mut finding = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("Distribution")
            .subject("api.example.com")
            .evidence("alias", "api.example.com")
            .build();
        finding.location = Some(Location {
            file: file.into(),
            line,
            column: line.map(|_| 7),
            resource: Some("Distribution".into()),
        });
        finding
    }

    #[test]
    fn a_located_critical_finding_is_an_error_on_its_line() {
        let line = annotation(&located("templates/site.yaml", Some(42)));
        assert!(
            line.starts_with(
                "::error file=templates/site.yaml,line=42,col=7,title=viewer-alias-not-covered::Distribution: "
            ),
            "{line}"
        );
        assert!(line.contains("%0AFix 1: "), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn a_plan_finding_names_the_file_without_a_line() {
        let line = annotation(&located("plan.json", None));
        assert!(
            line.starts_with("::error file=plan.json,title=viewer-alias-not-covered::"),
            "{line}"
        );
    }

    #[test]
    fn medium_warns_and_info_or_low_are_notices() {
        let medium = Finding::builder(&HTTP_ALLOWED)
            .distribution("E1")
            .subject("cache behaviour default")
            .evidence("behavior", "default")
            .build();
        assert!(annotation(&medium).starts_with("::warning title=viewer-http-allowed::"));
        assert_eq!(command(Severity::Low), "notice");
        assert_eq!(command(Severity::Info), "notice");
        let account = Finding::builder(&INCOMPLETE_OTHER).subject("run").build();
        assert!(annotation(&account).starts_with("::error title=audit-incomplete::"));
    }

    #[test]
    fn properties_and_message_are_escaped_so_nothing_starts_a_command() {
        let mut finding = located("a,b:c%d.yaml", Some(1));
        finding.message = "bad\n::error::forged\r50% done \u{202e}".into();
        let line = annotation(&finding);
        assert!(
            line.starts_with("::error file=a%2Cb%3Ac%25d.yaml,line=1,col=7,"),
            "{line}"
        );
        assert!(
            line.contains("bad\\n::error::forged\\r50%25 done \\u{202e}"),
            "{line}"
        );
        assert!(!line.chars().any(crate::untrusted::is_forbidden));
    }

    #[test]
    fn the_report_is_one_command_per_finding_then_plain_lines() {
        let report = Report::new(
            vec![located("t.yaml", Some(3)), located("t.yaml", Some(9))],
            1,
            vec![],
        );
        let out = render_github(&report);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[..2].iter().all(|l| l.starts_with("::error ")));
        assert!(lines[2].starts_with("1 distribution checked: 2 critical"));
    }
}
