//! What every CloudTrail record delivered by EventBridge (`AWS API Call via CloudTrail`) has, whichever
//! service made the call: the record itself (`detail`), the service that recorded it (`eventSource`),
//! the call (`eventName`), whether it was refused (`errorCode`), who made it and when ([`Cause::ApiCall`]),
//! and fields a call may keep in one of several places. Shared by the CloudFront reader (`cloudtrail`,
//! `vpc_origin`) and the Elastic Load Balancing reader (`elb`).

use serde_json::{Map, Value};

use super::json::lenient_string;
use super::untrusted::{clip, describe, echo};
use super::{Cause, Rejection, Trigger, TriggerError};

/// The calls a reader watches, as an enum whose variants are spelt as CloudTrail's `eventName`s:
/// `ALL`, `name()`, `from_name()` and `watched()` (the names, for a reason), so each name is written
/// once.
macro_rules! watched_calls {
    ($(#[$meta:meta])* enum $name:ident { $($call:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name {
            $($call),+
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$call),+];

            fn name(self) -> &'static str {
                match self {
                    $($name::$call => stringify!($call)),+
                }
            }

            fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|call| call.name() == name)
            }

            /// The watched calls' names, for an ignore reason.
            #[allow(dead_code)] // Not every reader names them.
            fn watched() -> String {
                Self::ALL.iter().map(|call| call.name()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

/// The envelope's `detail-type` for CloudTrail-delivered API calls.
pub(super) const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// The CloudTrail record (`detail`) of an envelope; `context` names the kind of event for the error.
pub(super) fn record<'a>(
    envelope: &'a Map<String, Value>,
    context: &str,
) -> Result<&'a Map<String, Value>, TriggerError> {
    match envelope.get("detail") {
        None | Some(Value::Null) => Err(TriggerError::missing(
            context,
            "detail",
            "the CloudTrail record is missing, so there is no call to audit",
        )),
        Some(Value::Object(detail)) => Ok(detail),
        Some(other) => Err(TriggerError::wrong_type(
            context,
            "detail",
            "an object (the CloudTrail record)",
            other,
        )),
    }
}

/// An ignore result when the record's `eventSource` is not `expected`. The EventBridge rule matches
/// eventSource too; checked again because the function can be invoked with anything, and a call to
/// another service must not be read as a call to this one.
pub(super) fn other_event_source(
    envelope: &Map<String, Value>,
    detail: &Map<String, Value>,
    expected: &str,
) -> Option<Trigger> {
    match lenient_string(detail.get("eventSource")) {
        Some(source) if source == expected => None,
        other => Some(Trigger::ignore(
            envelope,
            format!(
                "CloudTrail record with eventSource {}, not {expected}",
                other.map_or_else(|| "(none)".to_owned(), echo)
            ),
        )),
    }
}

/// The call's name (`eventName`); `example` says what a good one looks like, for the error.
pub(super) fn event_name<'a>(
    detail: &'a Map<String, Value>,
    context: &str,
    why: &'static str,
    example: &'static str,
) -> Result<&'a str, TriggerError> {
    match detail.get("eventName") {
        Some(Value::String(name)) if !name.is_empty() => Ok(name.as_str()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(TriggerError::missing(context, "detail.eventName", why))
        }
        Some(other) => Err(TriggerError::wrong_type(
            context,
            "detail.eventName",
            example,
            other,
        )),
    }
}

/// `errorCode`, bounded and escaped: present when the service refused the call.
pub(super) fn error_code(detail: &Map<String, Value>) -> Option<String> {
    lenient_string(detail.get("errorCode")).map(clip)
}

/// An ignore result for a refused call of a resource this function audits only once it changed:
/// the refusal changed nothing, and the service's error is not one this function can explain
/// (unlike CloudFront's TLS refusals, which `cloudtrail` checks or explains).
pub(super) fn refused_changed_nothing(
    envelope: &Map<String, Value>,
    event_name: &str,
    error_code: &str,
) -> Trigger {
    Trigger::ignore(
        envelope,
        format!(
            "CloudTrail {event_name} was refused ({}): nothing changed, so there is nothing to audit",
            echo(error_code)
        ),
    )
}

/// Who made the call, when and from where, as the record says, for the report and the notification.
/// Every field is read leniently: a malformed one must not cost the event.
pub(super) fn cause(
    envelope: &Map<String, Value>,
    detail: &Map<String, Value>,
    event_name: &str,
    alias: Option<String>,
    rejected: Option<Rejection>,
) -> Cause {
    Cause::ApiCall {
        event_name: event_name.to_owned(),
        actor_arn: lenient_string(
            detail
                .get("userIdentity")
                .and_then(|identity| identity.get("arn")),
        )
        .map(clip),
        event_time: lenient_string(detail.get("eventTime"))
            .or_else(|| lenient_string(envelope.get("time")))
            .map(clip),
        source_ip: lenient_string(detail.get("sourceIPAddress")).map(clip),
        event_id: lenient_string(detail.get("eventID")).map(clip),
        alias,
        rejected,
    }
}

/// The first string among `paths` (dotted paths under `detail`, `[n]` for an array item, e.g.
/// `responseElements.listeners[0].listenerArn`), with its full path; else the ignore reason of the
/// `event_name` record: none of them is there (it `cannot tell` what changed), or the first one there
/// holds another kind of value than the `expected` string.
pub(super) fn first_string<'a>(
    detail: &'a Map<String, Value>,
    event_name: &str,
    paths: &[&'static str],
    cannot_tell: &str,
    expected: &str,
) -> Result<(String, &'a str), String> {
    match first_present(detail, paths) {
        Some((path, Value::String(text))) => Ok((path, text.as_str())),
        Some((path, other)) => Err(format!(
            "CloudTrail {event_name}: {path} is {}, expected {expected}",
            describe(other)
        )),
        None => Err(format!(
            "CloudTrail {event_name} without detail.{}: cannot tell {cannot_tell}",
            paths.join(" or detail.")
        )),
    }
}

/// The first of `paths` that holds a value, with its full path. Absent, null and empty or blank
/// strings count as not there, so the next place is tried; any other value (a number, an object) is
/// returned for the caller to refuse with its path.
fn first_present<'a>(
    detail: &'a Map<String, Value>,
    paths: &[&'static str],
) -> Option<(String, &'a Value)> {
    paths.iter().find_map(|path| {
        let value = at(detail, path)?;
        let blank = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        (!blank).then(|| (format!("detail.{path}"), value))
    })
}

/// The value at a dotted path with `[n]` array items; `None` when any step is missing or of another
/// kind. The paths are the readers' own constants, so the walk is bounded by them, not by the input.
fn at<'a>(detail: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut steps = path.split('.');
    let first = steps.next()?;
    let (key, indexes) = split_indexes(first)?;
    let mut value = index_into(detail.get(key)?, indexes)?;
    for step in steps {
        let (key, indexes) = split_indexes(step)?;
        value = index_into(value.as_object()?.get(key)?, indexes)?;
    }
    Some(value)
}

/// `listeners[0]` into `listeners` and `[0]`.
fn split_indexes(step: &str) -> Option<(&str, &str)> {
    Some(match step.find('[') {
        Some(open) => (&step[..open], &step[open..]),
        None => (step, ""),
    })
}

/// Follows `[n][m]…` into nested arrays.
fn index_into<'a>(mut value: &'a Value, indexes: &str) -> Option<&'a Value> {
    for index in indexes.split(['[', ']']).filter(|part| !part.is_empty()) {
        value = value.as_array()?.get(index.parse::<usize>().ok()?)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_first_place_holding_a_value_wins() {
        let detail = json!({
            "requestParameters": {"listenerArn": null, "blank": "  "},
            "responseElements": {"listeners": [{"listenerArn": "L1"}, {"listenerArn": "L2"}]}
        });
        let detail = detail.as_object().expect("an object");
        let found = first_present(
            detail,
            &[
                "requestParameters.listenerArn",
                "requestParameters.blank",
                "requestParameters.absent",
                "responseElements.listeners[0].listenerArn",
            ],
        );
        assert_eq!(
            found,
            Some((
                "detail.responseElements.listeners[0].listenerArn".to_owned(),
                &json!("L1")
            ))
        );
        assert_eq!(
            first_present(detail, &["responseElements.listeners[1].listenerArn"])
                .map(|(_, value)| value),
            Some(&json!("L2"))
        );
        // Another kind of value is returned, for the caller to refuse with its path.
        let odd = json!({"requestParameters": {"listenerArn": 5}});
        assert_eq!(
            first_present(
                odd.as_object().expect("an object"),
                &["requestParameters.listenerArn"]
            ),
            Some(("detail.requestParameters.listenerArn".to_owned(), &json!(5)))
        );
    }

    #[test]
    fn a_walk_through_the_wrong_kinds_finds_nothing() {
        for detail in [
            json!({"responseElements": []}),
            json!({"responseElements": {"listeners": {"0": {"listenerArn": "L"}}}}),
            json!({"responseElements": {"listeners": []}}),
            json!({"responseElements": {"listeners": ["L"]}}),
            json!({"responseElements": "listeners"}),
        ] {
            assert_eq!(
                first_present(
                    detail.as_object().expect("an object"),
                    &["responseElements.listeners[0].listenerArn"]
                ),
                None,
                "{detail}"
            );
        }
    }
}
