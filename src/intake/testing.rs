//! Helpers shared by the unit tests of the event readers.

use serde_json::{json, Value};

use super::{parse_trigger, Trigger};
use crate::model::{OriginResource, Scope};

/// The trigger of a payload that must parse.
pub(super) fn parse(event: &Value) -> Trigger {
    parse_trigger(event).unwrap_or_else(|e| panic!("{e}"))
}

/// The distributions an audit of named distributions covers.
pub(super) fn audited_ids(trigger: &Trigger) -> Vec<String> {
    match trigger {
        Trigger::Audit {
            scope: Scope::Distributions(ids),
            ..
        } => ids.clone(),
        other => panic!("expected an audit of named distributions, got {other:?}"),
    }
}

/// A CloudTrail API-call envelope from `source` around `detail`, which gains the fields every record
/// has where it lacks them (`eventSource`, `eventName`, `awsRegion` = `region`, an identity, a time).
pub(super) fn api_call_event(
    source: &str,
    event_source: &str,
    region: &str,
    event_name: &str,
    mut detail: Value,
) -> Value {
    if let Some(record) = detail.as_object_mut() {
        for (key, value) in [
            ("eventSource", json!(event_source)),
            ("eventName", json!(event_name)),
            ("awsRegion", json!(region)),
            (
                "userIdentity",
                json!({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ops"}),
            ),
            ("eventTime", json!("2026-12-01T10:00:00Z")),
        ] {
            record.entry(key).or_insert(value);
        }
    }
    json!({"source": source, "detail-type": "AWS API Call via CloudTrail", "region": region,
           "detail": detail})
}

/// The load balancer or VPC origin an audit covers.
pub(super) fn audited_resource(trigger: &Trigger) -> &OriginResource {
    match trigger {
        Trigger::AuditOriginResource { resource, .. } => resource,
        other => panic!("expected an audit of an origin resource, got {other:?}"),
    }
}

/// The reason of a payload that must be ignored.
pub(super) fn ignored(event: &Value) -> String {
    match parse(event) {
        Trigger::Ignore { reason, .. } => reason,
        other => panic!("expected an ignore, got {other:?}"),
    }
}
