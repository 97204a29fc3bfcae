//! The periodic sweep of the whole account: an EventBridge rule's or EventBridge Scheduler's
//! `Scheduled Event` envelope, or the input `{"action":"sweep"}` a Scheduler target may set instead.

use serde_json::{Map, Value};

use super::json::lenient_string;
use super::untrusted::clip;
use super::{Cause, SweepSource, Trigger};
use crate::model::Scope;

/// The `detail-type` of a scheduled envelope, from `aws.events` and `aws.scheduler` alike.
pub(super) const DETAIL_TYPE: &str = "Scheduled Event";

/// A `Scheduled Event` from `source` (`aws.events` or `aws.scheduler`).
pub(super) fn scheduled_sweep(envelope: &Map<String, Value>, source: &str) -> Trigger {
    sweep(
        if source == "aws.events" {
            SweepSource::Events
        } else {
            SweepSource::Scheduler
        },
        // The rule or schedule ARN is context only, so a malformed one is dropped, not fatal.
        first_resource_lenient(envelope),
    )
}

/// `{"action":"sweep"}`: a Scheduler target Input or an operator's invoke.
pub(super) fn direct_sweep() -> Trigger {
    sweep(SweepSource::Direct, None)
}

fn sweep(source: SweepSource, schedule: Option<String>) -> Trigger {
    Trigger::Audit {
        scope: Scope::AllDistributions,
        cause: Cause::Sweep { source, schedule },
    }
}

/// The schedule or rule ARN of a scheduled envelope, when it is a string.
fn first_resource_lenient(envelope: &Map<String, Value>) -> Option<String> {
    match envelope.get("resources") {
        Some(Value::Array(resources)) => lenient_string(resources.first()).map(clip),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::parse;
    use super::*;

    #[test]
    fn sweeps_from_rules_schedulers_and_inputs() {
        for (payload, expected) in [
            (
                json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
                       "resources": ["arn:aws:events:us-east-1:111122223333:rule/daily"]}),
                SweepSource::Events,
            ),
            (
                json!({"detail-type": "Scheduled Event", "source": "aws.scheduler", "detail": "{}"}),
                SweepSource::Scheduler,
            ),
            (json!({"action": "sweep"}), SweepSource::Direct),
            // Scheduler placeholders in the Input are tolerated.
            (
                json!({"action": "sweep", "scheduled_time": "<aws.scheduler.scheduled-time>"}),
                SweepSource::Direct,
            ),
        ] {
            let trigger = parse(&payload);
            let Trigger::Audit {
                scope: Scope::AllDistributions,
                cause: Cause::Sweep { source, .. },
            } = trigger
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(source, expected);
        }
    }
}
