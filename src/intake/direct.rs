//! Inputs that are not EventBridge envelopes but an `action`: `{"action":"sweep"}` (a Scheduler target
//! Input, or an operator), `{"action":"audit","distribution_ids":[...]}` (an operator naming
//! distributions) and `{"action":"follow-up",...}` (this function's own follow-up, see `follow_up`).

use serde_json::{Map, Value};

use super::distribution_ids::distribution_ids;
use super::untrusted::echo;
use super::{follow_up, organization, schedule, Cause, Trigger, TriggerError};
use crate::model::Scope;

/// Dispatches on `action`, the key that marks a direct input.
pub(super) fn action(map: &Map<String, Value>, action: &Value) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "direct input";
    let Value::String(action) = action else {
        return Err(TriggerError::wrong_type(
            CONTEXT,
            "action",
            "the string \"sweep\" or \"audit\"",
            action,
        ));
    };
    match action.as_str() {
        "sweep" => Ok(schedule::direct_sweep()),
        "audit" => operator_audit(map),
        "follow-up" => follow_up::follow_up(map),
        "list-accounts" => organization::list_accounts(map),
        "sweep-account" => organization::sweep_account(map),
        "organization-digest" => organization::digest(map),
        other => Err(TriggerError::UnknownAction {
            action: echo(other),
        }),
    }
}

/// `{"action":"audit","distribution_ids":[...]}`.
fn operator_audit(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    Ok(Trigger::Audit {
        scope: Scope::Distributions(distribution_ids(map, "direct audit input")?),
        cause: Cause::Operator,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{audited_ids, parse};
    use super::super::{parse_trigger, MAX_DIRECT_IDS};
    use super::*;

    #[test]
    fn direct_audits_dedupe_and_check_ids() {
        let trigger = parse(&json!({"action": "audit",
                                    "distribution_ids": ["E1", "E2", "E1"]}));
        assert_eq!(audited_ids(&trigger), vec!["E1", "E2"]);
        assert!(matches!(trigger.cause(), Some(Cause::Operator)));
        let many: Vec<String> = (0..25).map(|i| format!("E{i}")).collect();
        let line = parse(&json!({"action": "audit", "distribution_ids": many})).to_string();
        assert!(line.starts_with("audit distributions E0, E1,"), "{line}");
        assert!(
            line.ends_with("E9 and 15 more (operator request)"),
            "{line}"
        );

        let error = parse_trigger(&json!({"action": "audit",
                                          "distribution_ids": ["E1", "e2"]}))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "direct audit input: distribution_ids[1] is \"e2\", which is not a CloudFront \
             distribution id (1 to 128 upper-case letters and digits, like EDFDVBD6EXAMPLE)"
        );
        let too_many: Vec<String> = (0..=MAX_DIRECT_IDS).map(|i| format!("E{i}")).collect();
        assert!(matches!(
            parse_trigger(&json!({"action": "audit", "distribution_ids": too_many})),
            Err(TriggerError::TooManyDistributionIds { .. })
        ));
        assert!(matches!(
            parse_trigger(&json!({"action": "audit", "distribution_ids": [&"E".repeat(129)]})),
            Err(TriggerError::InvalidDistributionId { .. })
        ));
    }

    #[test]
    fn triggers_serialise_for_the_report() {
        let trigger = parse(&json!({"action": "audit", "distribution_ids": ["E1"]}));
        assert_eq!(
            serde_json::to_value(&trigger).unwrap(),
            json!({"kind": "audit", "scope": {"kind": "distributions", "ids": ["E1"]},
                   "cause": {"kind": "operator"}})
        );
    }
}
