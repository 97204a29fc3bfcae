//! Follow-ups: this function's own re-checks of distributions that were not yet Deployed when an
//! earlier event was audited (`lambda::follow_up` sends them), as `{"action":"follow-up",...}`
//! directly or as the bodies of the SQS records of the follow-up queue.

use serde_json::{Map, Value};

use super::distribution_ids::{distribution_ids, push_unique, too_many, MAX_DIRECT_IDS};
use super::json::lenient_string;
use super::untrusted::{clip, describe, echo, escape_clip};
use super::{Cause, Trigger, TriggerError};
use crate::model::Scope;

/// The most attempts a follow-up may claim; far above `FOLLOW_UP_MAX_ATTEMPTS`'s own limit, so a
/// larger number is a forged or corrupted message.
const MAX_FOLLOW_UP_ATTEMPT: u64 = 1000;

/// `{"action":"follow-up","distribution_ids":[...],"attempt":N,"cause":"..."}`: the message body the
/// function's follow-up scheduler sends. `cause` is context only, so a missing one is tolerated.
pub(super) fn follow_up(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "follow-up input";
    let ids = distribution_ids(map, CONTEXT)?;
    let attempt = match map.get("attempt") {
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|a| (1..=MAX_FOLLOW_UP_ATTEMPT).contains(a))
            .ok_or_else(|| {
                TriggerError::wrong_type(
                    CONTEXT,
                    "attempt",
                    "a whole number from 1 to 1000",
                    &Value::Number(n.clone()),
                )
            })?,
        None | Some(Value::Null) => {
            return Err(TriggerError::missing(
                CONTEXT,
                "attempt",
                "the attempt number bounds how often the edge is re-checked",
            ))
        }
        Some(other) => {
            return Err(TriggerError::wrong_type(
                CONTEXT,
                "attempt",
                "a whole number from 1 to 1000",
                other,
            ))
        }
    };
    let cause = lenient_string(map.get("cause"))
        .map(clip)
        .unwrap_or_else(|| "an earlier audit".to_owned());
    Ok(Trigger::Audit {
        scope: Scope::Distributions(ids),
        cause: Cause::FollowUp {
            // Bounded by MAX_FOLLOW_UP_ATTEMPT above.
            attempt: attempt as u32,
            cause,
        },
    })
}

/// The account a follow-up batch names: the first record's body's `account_id` (the function sends
/// one follow-up per audited account, so a batch's records share it).
pub(super) fn account_of_records(records: &Value) -> Option<&str> {
    let body = records.get(0)?.get("body")?.as_str()?;
    let account = serde_json::from_str::<Value>(body).ok()?;
    let account = account.get("account_id")?.as_str()?;
    // Borrow from the payload, not the parsed body: find the same text in the body string.
    body.find(account)
        .map(|start| &body[start..start + account.len()])
}

/// An SQS event from an event source mapping: `{"Records":[{"eventSource":"aws:sqs","body":"..."}]}`.
/// Every record must be a follow-up. A batch (BatchSize > 1) becomes one audit: the union of the ids,
/// the lowest attempt (so no distribution gives up early; every reschedule still increments, so the
/// attempts stay bounded) and the first record's cause.
pub(super) fn sqs_records(
    map: &Map<String, Value>,
    records: &Value,
) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "SQS event";
    let Value::Array(records) = records else {
        return Err(TriggerError::wrong_type(
            CONTEXT,
            "Records",
            "a list of SQS records",
            records,
        ));
    };
    let source = |record: &Value| lenient_string(record.get("eventSource")).map(str::to_owned);
    if let Some(other) = records
        .iter()
        .map(source)
        .find(|s| s.as_deref() != Some("aws:sqs"))
    {
        // S3 and SNS notifications also arrive as {"Records":[...]}: well-formed, not for us.
        return Ok(Trigger::ignore(
            map,
            format!(
                "no audit for Records with eventSource {}; this function consumes only its own SQS \
                 follow-up queue",
                other.as_deref().map_or_else(|| "(none)".to_owned(), echo)
            ),
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    let mut lowest: Option<(u32, String)> = None;
    for (index, record) in records.iter().enumerate() {
        let invalid = |detail: String| TriggerError::InvalidFollowUp { index, detail };
        let Some(Value::String(body)) = record.get("body") else {
            return Err(invalid(format!(
                "body is {}, expected a JSON string",
                record
                    .get("body")
                    .map_or_else(|| "absent".to_owned(), describe)
            )));
        };
        let body: Value = serde_json::from_str(body)
            .map_err(|e| invalid(format!("not JSON ({})", escape_clip(&e.to_string(), 120))))?;
        let Value::Object(body) = &body else {
            return Err(invalid(describe(&body)));
        };
        if body.get("action").and_then(Value::as_str) != Some("follow-up") {
            return Err(invalid(format!(
                "action is {}",
                body.get("action")
                    .map_or_else(|| "absent".to_owned(), describe)
            )));
        }
        let Trigger::Audit {
            scope: Scope::Distributions(record_ids),
            cause: Cause::FollowUp { attempt, cause },
        } = follow_up(body).map_err(|e| invalid(e.to_string()))?
        else {
            return Err(invalid("not a follow-up".to_owned()));
        };
        for id in record_ids {
            push_unique(&mut ids, id);
        }
        if ids.len() > MAX_DIRECT_IDS {
            return Err(too_many(ids.len()));
        }
        lowest = match lowest {
            Some((lowest, first_cause)) => Some((lowest.min(attempt), first_cause)),
            None => Some((attempt, cause)),
        };
    }
    // Only an empty batch leaves no lowest attempt.
    let Some((attempt, cause)) = lowest else {
        return Err(TriggerError::missing(
            CONTEXT,
            "Records[0]",
            "an SQS event carries at least one message",
        ));
    };
    Ok(Trigger::Audit {
        scope: Scope::Distributions(ids),
        cause: Cause::FollowUp { attempt, cause },
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::parse_trigger;
    use super::super::testing::parse;
    use super::*;

    fn sqs_event(bodies: &[Value]) -> Value {
        let records: Vec<Value> = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                json!({
                    "messageId": format!("m-{i}"),
                    "receiptHandle": "h",
                    "body": match body { Value::String(s) => s.clone(), other => other.to_string() },
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:111122223333:follow-up",
                    "awsRegion": "us-east-1",
                })
            })
            .collect();
        json!({"Records": records})
    }

    fn follow_up_of(trigger: &Trigger) -> (Vec<String>, u32, String) {
        match trigger {
            Trigger::Audit {
                scope: Scope::Distributions(ids),
                cause: Cause::FollowUp { attempt, cause },
            } => (ids.clone(), *attempt, cause.clone()),
            other => panic!("not a follow-up: {other:?}"),
        }
    }

    #[test]
    fn a_follow_up_arrives_directly_or_as_an_sqs_record() {
        let body = json!({"action": "follow-up", "distribution_ids": ["E1", "E2"], "attempt": 2,
                          "cause": "UpdateDistribution by ops"});
        let direct = follow_up_of(&parse(&body));
        assert_eq!(
            direct,
            (
                vec!["E1".into(), "E2".into()],
                2,
                "UpdateDistribution by ops".into()
            )
        );
        assert_eq!(follow_up_of(&parse(&sqs_event(&[body]))), direct);
        assert_eq!(
            parse(&json!({"action": "follow-up", "distribution_ids": ["E1"], "attempt": 1}))
                .cause()
                .map(ToString::to_string)
                .as_deref(),
            Some("follow-up 1 (edge re-check) after an earlier audit"),
            "the cause is context only"
        );
    }

    #[test]
    fn a_batch_becomes_one_audit_at_its_lowest_attempt() {
        let event = sqs_event(&[
            json!({"action": "follow-up", "distribution_ids": ["E1"], "attempt": 3, "cause": "first"}),
            json!({"action": "follow-up", "distribution_ids": ["E2", "E1"], "attempt": 1, "cause": "second"}),
        ]);
        assert_eq!(
            follow_up_of(&parse(&event)),
            (vec!["E1".into(), "E2".into()], 1, "first".into())
        );
    }

    #[test]
    fn malformed_follow_ups_are_errors_that_name_the_record() {
        let good = json!({"action": "follow-up", "distribution_ids": ["E1"], "attempt": 1});
        for (event, needle) in [
            (
                sqs_event(&[good.clone(), Value::String("{not json".into())]),
                "SQS record 1",
            ),
            (
                sqs_event(&[json!({"action": "sweep"})]),
                "action is the string \"sweep\"",
            ),
            (
                sqs_event(&[
                    json!({"action": "follow-up", "distribution_ids": ["e1"], "attempt": 1}),
                ]),
                "not a CloudFront distribution id",
            ),
            (
                sqs_event(&[
                    json!({"action": "follow-up", "distribution_ids": ["E1"], "attempt": 0}),
                ]),
                "attempt",
            ),
            (
                sqs_event(&[json!({"action": "follow-up", "distribution_ids": ["E1"]})]),
                "without attempt",
            ),
            (sqs_event(&[json!([1, 2])]), "an array"),
            (json!({"Records": "x"}), "Records is the string"),
            (json!({"Records": []}), "Records[0]"),
            (
                json!({"action": "follow-up", "distribution_ids": [], "attempt": 1}),
                "empty distribution_ids",
            ),
            (
                json!({"action": "follow-up", "distribution_ids": ["E1"], "attempt": "2"}),
                "attempt is the string",
            ),
        ] {
            let err = parse_trigger(&event).expect_err(needle);
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
        let mut no_body = sqs_event(&[good]);
        no_body["Records"][0]
            .as_object_mut()
            .unwrap()
            .remove("body");
        assert!(matches!(
            parse_trigger(&no_body),
            Err(TriggerError::InvalidFollowUp { index: 0, .. })
        ));
    }

    #[test]
    fn records_from_other_services_are_ignored() {
        let s3 = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]});
        assert!(matches!(parse(&s3), Trigger::Ignore { .. }));
    }
}
