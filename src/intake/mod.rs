//! Intake, the pipeline's first stage: raw, untrusted input in; a typed request out, or a refusal that
//! says what was expected.
//!
//! Two kinds of input arrive here:
//! * what the Lambda was invoked with, read by [`parse_trigger_bytes`] into a [`Trigger`] (what to
//!   audit) with its [`Cause`] (why), or refused with a [`TriggerError`];
//! * a CloudFront `DistributionConfig` in JSON (`check-config FILE`, or the attempted configuration of
//!   a call CloudFront refused), read by [`parse_distribution_config`] into a proposed
//!   [`crate::model::Distribution`], or refused with a [`ConfigError`].
//!
//! The Lambda receives several unrelated payload shapes on one entry point, one reader each:
//! EventBridge envelopes (CloudTrail API calls from `aws.cloudfront`, `cloudtrail` and `vpc_origin`,
//! and from `aws.elasticloadbalancing`, `elb`, forwarded from any region, with what every CloudTrail
//! record has in `api_record`; certificate events from `aws.acm`, `acm`, also from any region;
//! `Scheduled Event`s from `aws.events` and `aws.scheduler`, `schedule`), plain inputs that are not
//! envelopes at all (`{"action":"sweep"}` set as a Scheduler target Input,
//! `{"action":"audit",...}` from an operator, `direct`), and the SQS event of the function's own
//! follow-up queue (`{"Records":[{"eventSource":"aws:sqs","body":"{\"action\":\"follow-up\",...}"}]}`,
//! `follow_up`), which becomes a [`Trigger::Audit`] with [`Cause::FollowUp`].
//! So the dispatch here reads the raw JSON instead of deserialising into one typed envelope; the typed
//! structs in `aws_lambda_events` are also too strict for this (CloudTrail's `AWSAPICall` requires a
//! dozen fields and has no `errorCode`; Scheduler's default envelope has `detail` as the string `"{}"`).
//!
//! Intake is pure: no AWS calls and no clock. Resolving a certificate to the distributions that use
//! it, reading distributions and judging them are the caller's job.
//!
//! The input is untrusted (any principal allowed to invoke the function or to put events on the bus
//! chooses a payload; a pull request chooses a file), so nothing here panics, the size is capped
//! before parsing, the walk reads fixed paths instead of recursing, and every string echoed in an error
//! is shortened and escaped (`untrusted`).
//!
//! Outcomes of a payload, and why they differ:
//! * a [`Trigger`] other than [`Trigger::Ignore`]: something to audit;
//! * [`Trigger::Ignore`]: a well-formed event this function does not act on (another call, another
//!   source). Not an error, so that Lambda's asynchronous retries do not replay it;
//! * [`TriggerError`]: the payload is malformed or names nothing usable. The caller decides whether to
//!   fail the invocation; every variant says what was expected.

use serde_json::Value;

mod acm;
#[macro_use]
mod api_record;
mod cloudtrail;
mod direct;
pub mod distribution_config;
mod distribution_ids;
mod elb;
mod error;
mod follow_up;
pub(crate) mod json;
mod organization;
mod schedule;
mod trigger;
mod untrusted;
mod vpc_origin;

#[cfg(test)]
mod testing;

pub use distribution_config::{distribution_from_value, parse_distribution_config, ConfigError};
pub use distribution_ids::MAX_DIRECT_IDS;
pub use error::TriggerError;
pub use trigger::{AcmEvent, Cause, Rejection, SweepSource, Trigger};

use json::{optional_str, parse_bounded, JsonRefusal};
use untrusted::{describe, echo};

/// The largest payload accepted: EventBridge's maximum event size (256 KiB). Anything bigger did not
/// come from EventBridge, so it is refused before parsing.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// One invocation's payload, read: what to do, and the account it concerns when the payload says.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// What to do.
    pub trigger: Trigger,
    /// The account the event happened in: an EventBridge envelope's `account` (12 digits; events
    /// forwarded from member accounts keep theirs), or a follow-up's `account_id`. `None`: the
    /// function's own account.
    pub account: Option<String>,
}

/// [`parse_trigger_bytes`], with the account the payload names ([`Invocation::account`]).
pub fn parse_invocation_bytes(payload: &[u8]) -> Result<Invocation, TriggerError> {
    let value = parse_payload(payload)?;
    let trigger = parse_trigger(&value)?;
    Ok(Invocation {
        account: payload_account(&value),
        trigger,
    })
}

/// The account an envelope or follow-up names, when it is a 12-digit account id.
fn payload_account(value: &Value) -> Option<String> {
    let account = match value.get("Records") {
        Some(records) => follow_up::account_of_records(records),
        // An envelope's `account`; a direct input's (follow-up, operator audit) `account_id`.
        None => value
            .get("account")
            .or_else(|| value.get("account_id"))
            .and_then(Value::as_str),
    }?;
    crate::organization::is_account_id(account).then(|| account.to_owned())
}

/// Parses the raw invocation payload: the size cap first, then JSON, then [`parse_trigger`].
pub fn parse_trigger_bytes(payload: &[u8]) -> Result<Trigger, TriggerError> {
    parse_trigger(&parse_payload(payload)?)
}

/// The size cap, then JSON.
fn parse_payload(payload: &[u8]) -> Result<Value, TriggerError> {
    parse_bounded(payload, MAX_EVENT_BYTES).map_err(|refusal| match refusal {
        JsonRefusal::TooLarge { size, limit } => TriggerError::TooLarge { size, limit },
        JsonRefusal::Syntax {
            line,
            column,
            message,
        } => TriggerError::InvalidJson {
            line,
            column,
            message,
        },
    })
}

/// Decides what an already-parsed payload asks for. Dispatches on the raw shape: an `action` key is a
/// custom input (Scheduler target Input, operator, a follow-up), a `Records` key an SQS event (only
/// follow-ups are accepted in it), otherwise the envelope's `source` and `detail-type`.
pub fn parse_trigger(payload: &Value) -> Result<Trigger, TriggerError> {
    let Value::Object(map) = payload else {
        return Err(TriggerError::NotAnObject {
            found: describe(payload),
        });
    };
    if let Some(action) = map.get("action") {
        return direct::action(map, action);
    }
    if let Some(items) = map.get("Items") {
        return organization::item_batch(map, items);
    }
    if let Some(records) = map.get("Records") {
        return follow_up::sqs_records(map, records);
    }

    const ENVELOPE: &str = "EventBridge event";
    let source = optional_str(map, "source", ENVELOPE)?;
    let detail_type = optional_str(map, "detail-type", ENVELOPE)?;
    if source.is_none() && detail_type.is_none() {
        return Err(TriggerError::Unrecognised {
            found: describe(payload),
        });
    }

    match (source, detail_type) {
        (Some(cloudtrail::SOURCE), Some(api_record::DETAIL_TYPE)) => cloudtrail::api_call(map),
        (Some(elb::SOURCE), Some(api_record::DETAIL_TYPE)) => elb::api_call(map),
        (Some(acm::SOURCE), Some(detail_type)) => acm::certificate_event(map, detail_type),
        (Some(source @ ("aws.events" | "aws.scheduler")), Some(schedule::DETAIL_TYPE)) => {
            Ok(schedule::scheduled_sweep(map, source))
        }
        (source, detail_type) => Ok(Trigger::ignore(
            map,
            format!(
                "no audit for events with source {} and detail-type {}; this function handles \
                 aws.cloudfront and aws.elasticloadbalancing API calls, aws.acm certificate events \
                 and scheduled sweeps",
                source.map_or_else(|| "(none)".to_owned(), echo),
                detail_type.map_or_else(|| "(none)".to_owned(), echo)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_of_an_invocation_is_the_envelopes_or_the_follow_ups_when_it_is_an_account_id() {
        let account = |payload: &str| {
            parse_invocation_bytes(payload.as_bytes())
                .map(|invocation| invocation.account)
                .unwrap_or_else(|e| panic!("{payload}: {e}"))
        };
        assert_eq!(
            account(
                r#"{"source":"aws.scheduler","detail-type":"Scheduled Event","account":"444455556666","detail":{}}"#
            ),
            Some("444455556666".to_owned())
        );
        assert_eq!(
            account(r#"{"action":"audit","distribution_ids":["E1"],"account_id":"444455556666"}"#),
            Some("444455556666".to_owned())
        );
        let body = r#"{\"action\":\"follow-up\",\"distribution_ids\":[\"E1\"],\"attempt\":1,\"account_id\":\"444455556666\"}"#;
        let sqs = format!(r#"{{"Records":[{{"eventSource":"aws:sqs","body":"{body}"}}]}}"#);
        assert_eq!(account(&sqs), Some("444455556666".to_owned()));
        // Not an account id: the function's own account, never a name spliced into a role ARN.
        for odd in ["44445555666", "4444555566667", "44445555666x", "../../role"] {
            let payload =
                format!(r#"{{"action":"audit","distribution_ids":["E1"],"account_id":"{odd}"}}"#);
            assert_eq!(account(&payload), None, "{odd}");
        }
        assert_eq!(account(r#"{"action":"sweep"}"#), None);
    }

    #[test]
    fn invalid_json_reports_line_and_column() {
        let error = parse_trigger_bytes(b"{\n  \"action\": \"sweep\",\n}").unwrap_err();
        let TriggerError::InvalidJson { line, column, .. } = error else {
            panic!("{error:?}")
        };
        assert_eq!((line, column), (3, 1));
    }
}
