//! The JSON contract shared by `audit --format json`, `check-config`, `probe` and the SNS messages:
//! `{"findings": [...], "summary": {...}}`, plus `notes` when the audit ran with lab inputs.
//!
//! Built as a JSON object ([`Report::to_json_object`]) so that the callers which add keys (`probe` adds
//! `probes`, the notifications add `trigger`, `part`, `digest`, `verified`) extend the document
//! itself, and render it once, as they need it (pretty for the CLI, compact for SNS).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Note, Report, Summary};
use crate::finding::Finding;
use crate::untrusted::escape_forbidden_json;

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: &'a [Finding],
    summary: Summary,
    #[serde(skip_serializing_if = "<[Note]>::is_empty")]
    notes: &'a [Note],
}

impl Report {
    /// The report as the JSON contract's object, for callers that add keys before rendering it.
    pub fn to_json_object(&self) -> Map<String, Value> {
        let document = JsonReport {
            findings: &self.findings,
            summary: self.summary(),
            notes: &self.notes,
        };
        // Plain data with string keys always serialises to an object; should that ever fail, the
        // document says so in a field rather than vanishing.
        match serde_json::to_value(&document) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => {
                let mut map = Map::new();
                map.insert(
                    "error".into(),
                    Value::from("could not render the report; please report this as a bug"),
                );
                map
            }
        }
    }
}

/// Renders the report as pretty-printed JSON.
pub fn render_json(report: &Report) -> String {
    render_document(report.to_json_object(), true)
}

/// Renders a JSON document for people and programs: forbidden characters as visible escapes
/// ([`escape_forbidden_json`]), pretty or compact.
pub fn render_document(document: Map<String, Value>, pretty: bool) -> String {
    let safe = escape_forbidden_json(Value::Object(document));
    // A JSON value always serialises.
    if pretty {
        serde_json::to_string_pretty(&safe).unwrap_or_default()
    } else {
        serde_json::to_string(&safe).unwrap_or_default()
    }
}
