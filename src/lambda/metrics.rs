//! What an invocation tells CloudWatch: one structured log line per finding, and Embedded Metric
//! Format lines (audits, findings by severity and by code, probe failures) that Lambda's log agent
//! turns into metrics.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::notify::TriggerSummary;
use crate::report::Report;

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
    let timestamp = OffsetDateTime::now_utc().unix_timestamp() * 1000;
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
                "Namespace": "CloudFrontTlsAudit",
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
                        "Namespace": "CloudFrontTlsAudit",
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
