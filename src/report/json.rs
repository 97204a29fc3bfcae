//! The JSON contract shared by `audit --format json`, `check-config`, `probe` and the SNS messages:
//! `{"findings": [...], "summary": {...}}`, plus `notes` when the audit ran with lab inputs. When the
//! run knew its state (issue 11; `audit` always, with or without `--state`), each finding also
//! carries `fingerprint`, `status` (`new`, `open`, `suppressed`), `first_seen` and, when
//! suppressed, `suppression`; the document has a top-level `resolved` array and the summary counts
//! `new`, `open`, `resolved` and `suppressed`. Keys are only ever added, never renamed.
//!
//! Built as a JSON object ([`Report::to_json_object`]) so that the callers which add keys (`probe` adds
//! `probes`, the notifications add `trigger`, `part`, `digest`, `verified`) extend the document
//! itself, and render it once, as they need it (pretty for the CLI, compact for SNS).

use serde::Serialize;
use serde_json::{Map, Value};

use time::OffsetDateTime;

use super::{Note, Report, Summary};
use crate::finding::Finding;
use crate::state::{FindingStatus, Fingerprint, ResolvedFinding, SuppressionId};
use crate::untrusted::escape_forbidden_json;

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    /// What this run resolved, when the run knew its state.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a [ResolvedFinding]>,
    summary: Summary,
    #[serde(skip_serializing_if = "<[Note]>::is_empty")]
    notes: &'a [Note],
}

/// A finding as the contract shows it: its own fields, then what the state made of it
/// (`fingerprint`, `status`, `first_seen`, and the `suppression` holding it), when known.
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<&'a Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<FindingStatus>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    first_seen: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<&'a SuppressionId>,
}

impl<'a> JsonFinding<'a> {
    fn of(finding: &'a Finding) -> JsonFinding<'a> {
        let remembered = finding.remembered.as_ref();
        JsonFinding {
            finding,
            fingerprint: remembered.map(|r| &r.fingerprint),
            status: remembered.map(|r| r.status),
            first_seen: remembered.map(|r| r.first_seen),
            suppression: remembered.and_then(|r| r.suppression.as_ref()),
        }
    }
}

impl Report {
    /// The report as the JSON contract's object, for callers that add keys before rendering it.
    pub fn to_json_object(&self) -> Map<String, Value> {
        let resolved: &[ResolvedFinding] = self
            .memory
            .as_ref()
            .map_or(&[], |memory| memory.resolved.as_slice());
        let document = JsonReport {
            findings: self.findings.iter().map(JsonFinding::of).collect(),
            resolved: self.remembers().then_some(resolved),
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
