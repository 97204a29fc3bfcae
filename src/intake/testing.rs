//! Helpers shared by the unit tests of the event readers.

use serde_json::Value;

use super::{parse_trigger, Trigger};
use crate::model::Scope;

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
