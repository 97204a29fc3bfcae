//! The JSON contract shared by `audit --format json`, `check-config` and, later, SNS messages:
//! `{"findings": [...], "summary": {...}}`, plus `notes` when the audit ran with lab inputs.

use serde::Serialize;

use super::{Note, Report, Summary};
use crate::finding::Finding;

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: &'a [Finding],
    summary: Summary,
    #[serde(skip_serializing_if = "<[Note]>::is_empty")]
    notes: &'a [Note],
}

/// Renders the report as pretty-printed JSON.
pub fn render_json(report: &Report) -> String {
    let document = JsonReport {
        findings: &report.findings,
        summary: report.summary(),
        notes: &report.notes,
    };
    // Serialising plain data with string keys cannot fail; fall back to a valid document regardless.
    serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not render the report: {e}\"}}"))
}
