//! What an invocation tells CloudWatch: one structured log line per finding, and Embedded Metric
//! Format lines (audits, findings by severity and by code, probe failures, rejected and ignored
//! events) that Lambda's log agent turns into metrics.
//!
//! The names below are public because `template.yaml`'s alarms name them: `tests/template_iam.rs`
//! fails when the alarm on [`REJECTED_EVENTS`] and what this file emits disagree.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::intake::TriggerError;
use crate::notify::TriggerSummary;
use crate::report::Report;

/// The CloudWatch namespace of every metric the function emits.
pub const NAMESPACE: &str = "CloudFrontTlsAudit";
/// Events answered `rejected`: not understood, so never audited and never retried (the alarm on it is
/// the only trace besides the log line).
pub const REJECTED_EVENTS: &str = "RejectedEvents";
/// Well-formed events the function does not act on (answered `ignored`); no alarm: the EventBridge
/// rules deliver only what the function acts on, so a rise means a rule and the intake disagree.
pub const IGNORED_EVENTS: &str = "IgnoredEvents";
/// The dimension that identifies the function on [`REJECTED_EVENTS`] and [`IGNORED_EVENTS`], with
/// the function's name as value (as `AWS/Lambda` metrics do), so one alarm sees every reason.
pub const FUNCTION_DIMENSION: &str = "FunctionName";
/// The second dimension of [`REJECTED_EVENTS`]: which kind of refusal (see [`rejection_reason`]).
pub const REASON_DIMENSION: &str = "Reason";
/// The function's name in `template.yaml` (`FunctionName`), used when `AWS_LAMBDA_FUNCTION_NAME`,
/// which Lambda always sets, is absent (a local run).
pub const FUNCTION_NAME: &str = "cloudfront-tls-audit";

/// The kind of refusal, a short stable name for the [`REASON_DIMENSION`] (the full reason, which may
/// echo untrusted text, goes in the log line and the `Detail` property, never in a dimension).
pub fn rejection_reason(error: &TriggerError) -> &'static str {
    match error {
        TriggerError::TooLarge { .. } => "too-large",
        TriggerError::InvalidJson { .. } => "invalid-json",
        TriggerError::NotAnObject { .. } => "not-an-object",
        TriggerError::Unrecognised { .. } => "unrecognised",
        TriggerError::UnknownAction { .. } => "unknown-action",
        TriggerError::MissingField { .. } => "missing-field",
        TriggerError::WrongType { .. } => "wrong-type",
        TriggerError::InvalidDistributionId { .. } => "invalid-distribution-id",
        TriggerError::InvalidCertificateArn { .. } => "invalid-certificate-arn",
        TriggerError::InvalidFollowUp { .. } => "invalid-follow-up",
        TriggerError::NoDistributionIds => "no-distribution-ids",
        TriggerError::TooManyDistributionIds { .. } => "too-many-distribution-ids",
        // A refusal added to the intake later still counts, under a name that says to add it here.
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

/// The function's name for the [`FUNCTION_DIMENSION`]: what Lambda says it is.
fn function_name() -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| FUNCTION_NAME.to_owned())
}

/// One EMF line counting a rejected event: [`REJECTED_EVENTS`] = 1 by function, and by function
/// and reason; `detail` is the refusal's full text (a property, searchable, not a dimension).
pub fn rejected_event_line(reason: &str, detail: &str, function: &str, timestamp_ms: i64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[FUNCTION_DIMENSION], [FUNCTION_DIMENSION, REASON_DIMENSION]],
                "Metrics": [{"Name": REJECTED_EVENTS, "Unit": "Count"}]
            }]
        },
        FUNCTION_DIMENSION: function,
        REASON_DIMENSION: reason,
        "Detail": detail,
        REJECTED_EVENTS: 1,
    })
}

/// One EMF line counting an ignored event: [`IGNORED_EVENTS`] = 1 by function; `reason` (a
/// sentence) is a property.
pub fn ignored_event_line(reason: &str, function: &str, timestamp_ms: i64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[FUNCTION_DIMENSION]],
                "Metrics": [{"Name": IGNORED_EVENTS, "Unit": "Count"}]
            }]
        },
        FUNCTION_DIMENSION: function,
        "Detail": reason,
        IGNORED_EVENTS: 1,
    })
}

/// Counts an event the handler rejects (stdout, for Lambda's log agent).
pub(crate) fn emit_rejected(error: &TriggerError) {
    let line = rejected_event_line(
        rejection_reason(error),
        &error.to_string(),
        &function_name(),
        now_ms(),
    );
    println!("{line}");
}

/// Counts an event the handler ignores (stdout, for Lambda's log agent).
pub(crate) fn emit_ignored(reason: &str) {
    println!("{}", ignored_event_line(reason, &function_name(), now_ms()));
}

/// EMF timestamps are milliseconds since the epoch.
fn now_ms() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp() * 1000
}

/// One structured log line per finding: code, severity, distribution (no message bodies).
pub(crate) fn log_findings(report: &Report, summary: &TriggerSummary) {
    for finding in &report.findings {
        tracing::info!(
            code = finding.code.as_str(),
            severity = finding.severity.as_str(),
            distribution_id = finding.distribution_id.as_deref().unwrap_or("-"),
            trigger = summary.kind.as_str(),
            "finding"
        );
    }
}

/// CloudWatch Embedded Metric Format: audits, findings by severity and by code, probe failures.
/// Written to stdout, where Lambda's log agent turns it into metrics.
pub(crate) fn emit_metrics(report: &Report, summary: &TriggerSummary) {
    let timestamp = now_ms();
    let counts = report.summary();
    let probe_failures = report
        .findings
        .iter()
        .filter(|f| f.viewer_impact.is_gateway_error())
        .count();
    let mut by_severity = json!({
        "_aws": {
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Trigger"]],
                "Metrics": [
                    {"Name": "Audits", "Unit": "Count"},
                    {"Name": "DistributionsAudited", "Unit": "Count"},
                    {"Name": "FindingsCritical", "Unit": "Count"},
                    {"Name": "FindingsHigh", "Unit": "Count"},
                    {"Name": "FindingsMedium", "Unit": "Count"},
                    {"Name": "FindingsLow", "Unit": "Count"},
                    {"Name": "FindingsInfo", "Unit": "Count"},
                    {"Name": "ProbeFailures", "Unit": "Count"}
                ]
            }]
        },
        "Trigger": summary.kind,
        "Audits": 1,
        "DistributionsAudited": counts.distributions,
        "FindingsCritical": counts.critical,
        "FindingsHigh": counts.high,
        "FindingsMedium": counts.medium,
        "FindingsLow": counts.low,
        "FindingsInfo": counts.info,
        "ProbeFailures": probe_failures,
    });
    if let Value::Object(map) = &mut by_severity {
        map.retain(|_, v| !v.is_null());
    }
    println!("{by_severity}");
    let mut by_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for finding in &report.findings {
        *by_code.entry(finding.code.as_str()).or_default() += 1;
    }
    for (code, count) in by_code {
        println!(
            "{}",
            json!({
                "_aws": {
                    "Timestamp": timestamp,
                    "CloudWatchMetrics": [{
                        "Namespace": NAMESPACE,
                        "Dimensions": [["Code"]],
                        "Metrics": [{"Name": "Findings", "Unit": "Count"}]
                    }]
                },
                "Code": code,
                "Findings": count,
            })
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::parse_trigger_bytes;

    fn rejection(payload: &str) -> TriggerError {
        match parse_trigger_bytes(payload.as_bytes()) {
            Err(error) => error,
            Ok(trigger) => panic!("{payload} was accepted: {trigger}"),
        }
    }

    #[test]
    fn a_rejected_event_is_one_count_by_function_and_by_function_and_reason() {
        let error = rejection(r#"{"action":"explode"}"#);
        let line = rejected_event_line(rejection_reason(&error), &error.to_string(), "fn", 7);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(
            directive["Dimensions"],
            json!([["FunctionName"], ["FunctionName", "Reason"]])
        );
        assert_eq!(directive["Metrics"][0]["Name"], "RejectedEvents");
        assert_eq!(line["RejectedEvents"], 1);
        assert_eq!(line["FunctionName"], "fn");
        assert_eq!(line["Reason"], "unknown-action");
        assert!(line["Detail"]
            .as_str()
            .is_some_and(|d| d.contains("unknown action")));
        // Every dimension a directive names is a member of the root, as EMF requires.
        for set in directive["Dimensions"].as_array().into_iter().flatten() {
            for key in set.as_array().into_iter().flatten() {
                assert!(
                    line.get(key.as_str().unwrap_or_default()).is_some(),
                    "{key}"
                );
            }
        }
    }

    #[test]
    fn each_kind_of_refusal_has_a_short_stable_reason() {
        for (payload, reason) in [
            ("[1]", "not-an-object"),
            (r#"{"a":1}"#, "unrecognised"),
            (
                r#"{"action":"audit","distribution_ids":[]}"#,
                "no-distribution-ids",
            ),
            (
                r#"{"action":"audit","distribution_ids":"E1"}"#,
                "wrong-type",
            ),
        ] {
            assert_eq!(rejection_reason(&rejection(payload)), reason, "{payload}");
        }
        let huge = format!(r#"{{"action":"sweep","pad":"{}"}}"#, "x".repeat(1 << 20));
        assert_eq!(rejection_reason(&rejection(&huge)), "too-large");
        assert_eq!(rejection_reason(&rejection("{truncated")), "invalid-json");
    }

    #[test]
    fn an_ignored_event_is_counted_without_an_alarm_dimension_of_its_own() {
        let line = ignored_event_line("not a CloudFront event", "fn", 7);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["FunctionName"]]));
        assert_eq!(line["IgnoredEvents"], 1);
        assert_eq!(line["Detail"], "not a CloudFront event");
    }
}
