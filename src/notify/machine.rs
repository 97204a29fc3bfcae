//! The `default` text (also written under `sqs` and `lambda`): the `audit --format json` document
//! ([`crate::report::render_json`]) of the notification's findings, with a `trigger` object and what
//! the kind of notification adds (`part`, `digest`, `verified`).

use serde_json::{Map, Value};

use super::content::{Content, Part, Scope};
use crate::report::{render_document, Report};

/// The JSON report of `content`, compact: it is embedded as a string three times in the SNS
/// envelope, so whitespace would cost three times.
pub(super) fn render(content: &Content<'_>) -> String {
    let report = Report::new(
        content.findings.iter().map(|f| (*f).clone()).collect(),
        content.distributions_audited,
        content.notes.to_vec(),
    );
    let mut document = report.to_json_object();
    document.insert(
        "trigger".into(),
        serde_json::to_value(content.trigger).unwrap_or(Value::Null),
    );
    match &content.scope {
        Scope::Distribution { .. } => {
            if let Some(part) = content.part {
                document.insert("part".into(), part_object(part));
            }
        }
        // `summary` counts this part's findings, `digest.total` the whole sweep's.
        Scope::Digest {
            totals, minimum, ..
        } => {
            let Part { number, of } = content.part.unwrap_or(Part { number: 1, of: 1 });
            let mut digest = Map::new();
            digest.insert("part".into(), Value::from(number));
            digest.insert("parts".into(), Value::from(of));
            digest.insert("minimum_severity".into(), Value::from(minimum.as_str()));
            digest.insert("failing_distributions".into(), Value::from(totals.failing));
            digest.insert(
                "total".into(),
                serde_json::to_value(totals.listed).unwrap_or(Value::Null),
            );
            document.insert("digest".into(), Value::Object(digest));
        }
        Scope::Verified { id } => {
            let mut verified = Map::new();
            verified.insert("distribution_id".into(), Value::from(*id));
            document.insert("verified".into(), Value::Object(verified));
        }
    }
    render_document(document, false)
}

fn part_object(part: Part) -> Value {
    let mut object = Map::new();
    object.insert("part".into(), Value::from(part.number));
    object.insert("parts".into(), Value::from(part.of));
    Value::Object(object)
}
