//! The organization sweep's payloads (issue 14), as the state machine sends them
//! (`docs/plans/issue-14-organizations.md`): `{"action":"list-accounts",...}`,
//! `{"action":"sweep-account",...}` (one account, from an operator), a Distributed Map item batch
//! `{"Items":[...],"BatchInput":{"action":"sweep-accounts",...}}`, and
//! `{"action":"organization-digest","input":{...}}`.

use serde_json::{Map, Value};

use super::json::optional_str;
use super::untrusted::{describe, escape_clip, ECHO_CHARS};
use super::{Trigger, TriggerError};
use crate::organization::task::{
    is_execution_name, MapError, DIGEST_RETRIES, MAX_ACCOUNTS_PER_BATCH, MAX_EXECUTION_NAME,
};
use crate::organization::{is_account_id, Account, OrganizationTask, SweepRun};

/// Longest account name kept (Organizations allows 50 characters; anything longer is clipped).
const MAX_ACCOUNT_NAME: usize = 64;

/// `list-accounts`.
pub(super) fn list_accounts(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    Ok(Trigger::Organization(OrganizationTask::ListAccounts {
        run: run(map, "list-accounts input")?,
    }))
}

/// `sweep-account`: one account named by an operator or a test, answered with its result alone.
pub(super) fn sweep_account(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "sweep-account input";
    Ok(Trigger::Organization(OrganizationTask::SweepAccounts {
        run: run(map, CONTEXT)?,
        accounts: vec![account(map, CONTEXT, "")?],
        single: true,
    }))
}

/// A Distributed Map item batch: `Items` (each `{"account_id","name"}`) and `BatchInput` (the run).
pub(super) fn item_batch(map: &Map<String, Value>, items: &Value) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "Distributed Map item batch";
    let batch_input = match map.get("BatchInput") {
        Some(Value::Object(input)) => input,
        Some(other) => {
            return Err(TriggerError::wrong_type(
                CONTEXT,
                "BatchInput",
                "an object",
                other,
            ))
        }
        None => {
            return Err(TriggerError::missing(
                CONTEXT,
                "BatchInput",
                "it names the run (set ItemBatcher.BatchInput as the template does)",
            ))
        }
    };
    match optional_str(batch_input, "action", CONTEXT)? {
        Some("sweep-accounts") => {}
        other => {
            return Err(invalid(format!(
                "BatchInput.action is {}, expected \"sweep-accounts\"",
                other.map_or_else(|| "absent".to_owned(), |a| escape_clip(a, ECHO_CHARS))
            )))
        }
    }
    let Value::Array(items) = items else {
        return Err(TriggerError::wrong_type(
            CONTEXT, "Items", "an array", items,
        ));
    };
    if items.is_empty() || items.len() > MAX_ACCOUNTS_PER_BATCH {
        return Err(invalid(format!(
            "Items holds {} accounts; a batch holds 1 to {MAX_ACCOUNTS_PER_BATCH} \
             (AccountsPerInvocation)",
            items.len()
        )));
    }
    let mut accounts: Vec<Account> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Value::Object(item) = item else {
            return Err(TriggerError::wrong_type(
                CONTEXT,
                format!("Items[{index}]"),
                "an object",
                item,
            ));
        };
        let account = account(item, CONTEXT, &format!("Items[{index}]."))?;
        // A retried or hand-made batch may repeat an account: swept once.
        if !accounts.iter().any(|a| a.account_id == account.account_id) {
            accounts.push(account);
        }
    }
    Ok(Trigger::Organization(OrganizationTask::SweepAccounts {
        run: run(batch_input, CONTEXT)?,
        accounts,
        single: false,
    }))
}

/// `organization-digest`: the whole state after the Map, under `input`.
pub(super) fn digest(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "organization-digest input";
    let input = match map.get("input") {
        Some(Value::Object(input)) => input,
        Some(other) => {
            return Err(TriggerError::wrong_type(
                CONTEXT,
                "input",
                "an object",
                other,
            ))
        }
        None => {
            return Err(TriggerError::missing(
                CONTEXT,
                "input",
                "it is the state after the Distributed Map (Payload: {\"input.$\": \"$\"})",
            ))
        }
    };
    let manifest_key = match input.get("results") {
        None | Some(Value::Null) => None,
        Some(Value::Object(results)) => match results.get("ResultWriterDetails") {
            Some(Value::Object(details)) => {
                let key = optional_str(details, "Key", CONTEXT)?.map(str::to_owned);
                if let Some(key) = &key {
                    if !key.starts_with("map-runs/") || !key.ends_with("manifest.json") {
                        return Err(invalid(format!(
                            "results.ResultWriterDetails.Key is {}, expected \
                             map-runs/…/manifest.json (the template's ResultWriter prefix)",
                            escape_clip(key, ECHO_CHARS)
                        )));
                    }
                }
                key
            }
            _ => None,
        },
        Some(other) => {
            return Err(TriggerError::wrong_type(
                CONTEXT,
                "input.results",
                "an object",
                other,
            ))
        }
    };
    let map_error = match input.get("map_error") {
        None | Some(Value::Null) => None,
        Some(Value::Object(error)) => Some(MapError {
            error: text(error.get("Error"), "States.Unknown"),
            cause: text(error.get("Cause"), ""),
        }),
        Some(other) => Some(MapError {
            error: "States.Unknown".to_owned(),
            cause: describe(other),
        }),
    };
    let retries_left = match map.get("retry_count") {
        None | Some(Value::Null) => false,
        Some(value) => match value.as_u64() {
            Some(count) => count < DIGEST_RETRIES,
            None => {
                return Err(TriggerError::wrong_type(
                    CONTEXT,
                    "retry_count",
                    "a whole number ($$.State.RetryCount)",
                    value,
                ))
            }
        },
    };
    Ok(Trigger::Organization(OrganizationTask::Digest {
        run: run(input, CONTEXT)?,
        manifest_key,
        map_error,
        retries_left,
    }))
}

/// The run a payload belongs to: `execution` (checked: it names S3 keys), `bucket` when given, and
/// `prefix`, which must be the execution's when given.
fn run(map: &Map<String, Value>, context: &str) -> Result<SweepRun, TriggerError> {
    let execution = optional_str(map, "execution", context)?.ok_or_else(|| {
        TriggerError::missing(
            context,
            "execution",
            "it names the run's objects in the results bucket ($$.Execution.Name)",
        )
    })?;
    if !is_execution_name(execution) {
        return Err(invalid(format!(
            "{context}: execution is {}, expected 1 to {MAX_EXECUTION_NAME} letters, digits, \
             '.', '_' or '-'",
            escape_clip(execution, ECHO_CHARS)
        )));
    }
    let run = SweepRun {
        execution: execution.to_owned(),
        bucket: optional_str(map, "bucket", context)?.map(str::to_owned),
    };
    if let Some(prefix) = optional_str(map, "prefix", context)? {
        if prefix != run.prefix() {
            return Err(invalid(format!(
                "{context}: prefix is {}, expected {} (the execution's)",
                escape_clip(prefix, ECHO_CHARS),
                run.prefix()
            )));
        }
    }
    Ok(run)
}

/// An account: `account_id` (12 digits) and an optional `name`; `path` prefixes field names in errors.
fn account(map: &Map<String, Value>, context: &str, path: &str) -> Result<Account, TriggerError> {
    let id = optional_str(map, "account_id", context)?.ok_or_else(|| {
        TriggerError::missing(
            context,
            format!("{path}account_id"),
            "it is the account to sweep",
        )
    })?;
    if !is_account_id(id) {
        return Err(invalid(format!(
            "{context}: {path}account_id is {}, expected a 12-digit AWS account id",
            escape_clip(id, ECHO_CHARS)
        )));
    }
    let name = optional_str(map, "name", context)?.unwrap_or_default();
    Ok(Account {
        account_id: id.to_owned(),
        name: name.chars().take(MAX_ACCOUNT_NAME).collect(),
    })
}

/// A string field as text, or `fallback`; never an error (it only feeds the digest).
fn text(value: Option<&Value>, fallback: &str) -> String {
    match value {
        Some(Value::String(s)) => escape_clip(s, 400),
        Some(other) => describe(other),
        None => fallback.to_owned(),
    }
}

fn invalid(detail: String) -> TriggerError {
    TriggerError::InvalidOrganizationTask { detail }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::parse_trigger;
    use super::*;

    fn task(payload: Value) -> OrganizationTask {
        match parse_trigger(&payload) {
            Ok(Trigger::Organization(task)) => task,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_distributed_map_batch_is_the_accounts_of_its_items_in_order_once_each() {
        let task = task(json!({
            "Items": [{"account_id": "111111111111", "name": "prod"},
                      {"account_id": "222222222222", "name": "dev"},
                      {"account_id": "111111111111", "name": "prod"}],
            "BatchInput": {"action": "sweep-accounts", "execution": "run-1",
                           "bucket": "b", "prefix": "sweeps/run-1/"}}));
        let OrganizationTask::SweepAccounts {
            run,
            accounts,
            single,
        } = task
        else {
            panic!()
        };
        assert_eq!(run.execution, "run-1");
        assert_eq!(run.bucket.as_deref(), Some("b"));
        assert!(!single);
        let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids, ["111111111111", "222222222222"]);
        assert_eq!(
            run.account_key("111111111111"),
            "sweeps/run-1/accounts/111111111111.json"
        );
    }

    #[test]
    fn one_account_list_accounts_and_the_digest_read_their_run() {
        assert!(matches!(
            task(
                json!({"action": "sweep-account", "account_id": "111111111111", "execution": "e"})
            ),
            OrganizationTask::SweepAccounts { single: true, .. }
        ));
        assert!(matches!(
            task(json!({"action": "list-accounts", "execution": "e"})),
            OrganizationTask::ListAccounts { .. }
        ));
        let digest = task(json!({"action": "organization-digest", "input": {
            "execution": "e", "bucket": "b", "prefix": "sweeps/e/",
            "results": {"MapRunArn": "arn", "ResultWriterDetails": {"Bucket": "b",
                        "Key": "map-runs/abc/manifest.json"}}}}));
        assert!(
            matches!(digest, OrganizationTask::Digest { manifest_key: Some(ref k), map_error: None, .. } if k == "map-runs/abc/manifest.json")
        );
        let caught = task(json!({"action": "organization-digest", "input": {
            "execution": "e", "map_error": {"Error": "States.ExceedToleratedFailureThreshold",
                                             "Cause": "too many\nfailed"}}}));
        let OrganizationTask::Digest {
            map_error: Some(error),
            manifest_key: None,
            ..
        } = caught
        else {
            panic!()
        };
        assert_eq!(error.error, "States.ExceedToleratedFailureThreshold");
        assert!(!error.cause.contains('\n'), "{}", error.cause);
    }

    #[test]
    fn a_digest_has_retries_left_only_while_step_functions_says_so() {
        let retries_left = |retry_count: Value| {
            let mut payload = json!({"action": "organization-digest", "input": {"execution": "e"}});
            payload["retry_count"] = retry_count;
            match task(payload) {
                OrganizationTask::Digest { retries_left, .. } => retries_left,
                other => panic!("{other:?}"),
            }
        };
        assert!(retries_left(json!(0)));
        assert!(retries_left(json!(DIGEST_RETRIES - 1)));
        assert!(!retries_left(json!(DIGEST_RETRIES)));
        assert!(!retries_left(json!(7)));
        // An operator's payload, without the field: a last attempt.
        assert!(!retries_left(Value::Null));
        for hostile in [json!(-1), json!(1.5), json!("0"), json!([0])] {
            let payload = json!({"action": "organization-digest", "input": {"execution": "e"},
                                 "retry_count": hostile});
            let error =
                parse_trigger(&payload).expect_err("a retry count that is not a whole number");
            assert!(error.to_string().contains("retry_count"), "{error}");
        }
    }

    #[test]
    fn hostile_runs_and_accounts_are_refused_with_what_was_expected() {
        for (payload, expected) in [
            (json!({"action": "list-accounts"}), "without execution"),
            (
                json!({"action": "list-accounts", "execution": "../x"}),
                "expected 1 to 80",
            ),
            (
                json!({"action": "list-accounts", "execution": "a".repeat(81)}),
                "expected 1 to 80",
            ),
            (
                json!({"action": "list-accounts", "execution": "e", "prefix": "other/"}),
                "the execution's",
            ),
            (
                json!({"action": "sweep-account", "execution": "e", "account_id": "12345"}),
                "12-digit",
            ),
            (
                json!({"action": "sweep-account", "execution": "e"}),
                "without account_id",
            ),
            (
                json!({"Items": [], "BatchInput": {"action": "sweep-accounts", "execution": "e"}}),
                "1 to 50",
            ),
            (
                json!({"Items": [{"account_id": "111111111111"}]}),
                "without BatchInput",
            ),
            (
                json!({"Items": [{"account_id": "111111111111"}], "BatchInput": {"action": "sweep"}}),
                "expected \"sweep-accounts\"",
            ),
            (
                json!({"Items": ["x"], "BatchInput": {"action": "sweep-accounts", "execution": "e"}}),
                "Items[0]",
            ),
            (
                json!({"action": "organization-digest", "input": {"execution": "e",
                "results": {"ResultWriterDetails": {"Key": "../secret"}}}}),
                "map-runs/",
            ),
        ] {
            let error = parse_trigger(&payload).expect_err("refused").to_string();
            assert!(error.contains(expected), "{payload}: {error}");
        }
    }
}
