//! The `default` text (also written under `sqs` and `lambda`): the `audit --format json` document
//! ([`crate::report::render_json`]) of the notification's findings, with a `trigger` object and what
//! the kind of notification adds (`part`, `digest`, `verified`).

use serde_json::{Map, Value};

use super::content::{Content, Part, Scope, Section, StandingKind, SweepCounts};
use crate::finding::Finding;
use crate::report::{render_document, Report};

/// The JSON report of `content`, compact: it is embedded as a string three times in the SNS
/// envelope, so whitespace would cost three times.
///
/// With state, each finding also carries its `transition`, `fingerprint` and `first_seen`, the
/// resolved findings come as a `resolved` array, and a digest lists its still-open findings in a
/// compact `still_open` array (the full findings went out when they were new).
pub(super) fn render(content: &Content<'_>) -> String {
    let digest_with_state = matches!(
        content.standing.as_ref().map(|s| &s.kind),
        Some(StandingKind::Digest(_))
    );
    let (listed, still_open): (Vec<&Finding>, Vec<&Finding>) = if digest_with_state {
        let mut listed = Vec::new();
        let mut still_open = Vec::new();
        for group in &content.groups {
            if group.section == Some(Section::StillOpen) {
                still_open.extend(group.findings.iter().copied());
            } else {
                listed.extend(group.findings.iter().copied());
            }
        }
        (listed, still_open)
    } else {
        (content.findings.clone(), Vec::new())
    };
    let report = Report::new(
        listed.iter().map(|f| (*f).clone()).collect(),
        content.distributions_audited,
        content.notes.to_vec(),
    );
    let mut document = report.to_json_object();
    if let Some(standing) = &content.standing {
        with_state(
            &mut document,
            content,
            &report,
            &still_open,
            standing.now,
            &standing.kind,
        );
    }
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
            if let Some(StandingKind::Digest(counts)) = content.standing.as_ref().map(|s| &s.kind) {
                digest.insert("since_last_sweep".into(), counts_object(counts));
            }
            document.insert("digest".into(), Value::Object(digest));
        }
        Scope::Verified { id } => {
            let mut verified = Map::new();
            verified.insert("distribution_id".into(), Value::from(*id));
            if let Some(StandingKind::Unchanged { still_open }) =
                content.standing.as_ref().map(|s| &s.kind)
            {
                verified.insert("unchanged".into(), Value::Bool(true));
                verified.insert("still_open".into(), Value::from(*still_open));
            }
            document.insert("verified".into(), Value::Object(verified));
        }
    }
    render_document(document, false)
}

/// What the state adds to the machine copy.
fn with_state(
    document: &mut Map<String, Value>,
    content: &Content<'_>,
    report: &Report,
    still_open: &[&Finding],
    now: time::OffsetDateTime,
    kind: &StandingKind<'_>,
) {
    // The report sorted its findings as the document lists them.
    if let Some(findings) = document.get_mut("findings").and_then(Value::as_array_mut) {
        for (value, finding) in findings.iter_mut().zip(&report.findings) {
            if let (Some(object), Some(remembered)) = (value.as_object_mut(), &finding.remembered) {
                object.insert(
                    "transition".into(),
                    serde_json::to_value(remembered.transition).unwrap_or(Value::Null),
                );
                object.insert(
                    "fingerprint".into(),
                    Value::from(remembered.fingerprint.as_str()),
                );
                object.insert("first_seen".into(), rfc3339(remembered.first_seen));
                if let Some(previous) = remembered.previous_severity {
                    object.insert("previous_severity".into(), Value::from(previous.as_str()));
                }
            }
        }
    }
    document.insert(
        "resolved".into(),
        serde_json::to_value(&content.resolved).unwrap_or(Value::Null),
    );
    match kind {
        StandingKind::Changes {
            unchanged,
            suppressed,
            ..
        } => {
            let mut changes = Map::new();
            changes.insert("unchanged".into(), Value::from(*unchanged));
            changes.insert("suppressed".into(), Value::from(*suppressed));
            document.insert("changes".into(), Value::Object(changes));
        }
        StandingKind::Reminder => {
            document.insert("reminder".into(), Value::Bool(true));
        }
        StandingKind::Digest(_) => {
            let compact: Vec<Value> = still_open
                .iter()
                .map(|finding| {
                    let mut entry = Map::new();
                    if let Some(remembered) = &finding.remembered {
                        entry.insert(
                            "fingerprint".into(),
                            Value::from(remembered.fingerprint.as_str()),
                        );
                        entry.insert("first_seen".into(), rfc3339(remembered.first_seen));
                        entry.insert(
                            "age_days".into(),
                            Value::from((now - remembered.first_seen).whole_days().max(0)),
                        );
                    }
                    entry.insert("code".into(), Value::from(finding.code.as_str()));
                    entry.insert("severity".into(), Value::from(finding.severity.as_str()));
                    entry.insert(
                        "distribution_id".into(),
                        finding
                            .distribution_id
                            .clone()
                            .map_or(Value::Null, Value::from),
                    );
                    entry.insert("subject".into(), Value::from(finding.subject.as_str()));
                    Value::Object(entry)
                })
                .collect();
            document.insert("still_open".into(), Value::Array(compact));
        }
        StandingKind::Unchanged { .. } => {}
    }
}

/// The sweep's counts, for the digest object.
fn counts_object(counts: &SweepCounts) -> Value {
    let mut object = Map::new();
    for (name, n) in [
        ("new", counts.new),
        ("escalated", counts.escalated),
        ("resolved", counts.resolved),
        ("still_open", counts.still_open),
        ("suppressed", counts.suppressed),
    ] {
        object.insert(name.into(), Value::from(n));
    }
    object.insert(
        "next_suppression_expiry".into(),
        counts.next_expiry.map_or(Value::Null, rfc3339),
    );
    object.insert("changed".into(), Value::Bool(counts.changed()));
    Value::Object(object)
}

fn rfc3339(at: time::OffsetDateTime) -> Value {
    at.format(&time::format_description::well_known::Rfc3339)
        .map_or(Value::Null, Value::from)
}

fn part_object(part: Part) -> Value {
    let mut object = Map::new();
    object.insert("part".into(), Value::from(part.number));
    object.insert("parts".into(), Value::from(part.of));
    Value::Object(object)
}
