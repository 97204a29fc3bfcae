//! Why a payload is refused: each [`TriggerError`] names the failure and what was expected, so whoever
//! sent the payload can fix it from the message alone.

use serde_json::Value;
use thiserror::Error;

use super::untrusted::describe;

/// Why a payload cannot be turned into a [`Trigger`](super::Trigger). Each variant names the failure and what was
/// expected; untrusted values in it are shortened and escaped.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TriggerError {
    /// Over [`MAX_EVENT_BYTES`](super::MAX_EVENT_BYTES); refused before parsing so a hostile payload costs nothing.
    #[error(
        "the payload is {size} bytes, over the {limit}-byte (256 KiB) maximum of an EventBridge event; \
         it was refused unread"
    )]
    TooLarge {
        /// Payload size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not JSON (truncated, or not UTF-8).
    #[error(
        "the payload is not valid JSON at line {line}, column {column}: {message}; expected an \
         EventBridge event or an input such as {{\"action\":\"sweep\"}}"
    )]
    InvalidJson {
        /// One-based line, as serde_json reports it.
        line: usize,
        /// One-based column, as serde_json reports it.
        column: usize,
        /// serde_json's description, without its position suffix.
        message: String,
    },
    /// Valid JSON, but not an object.
    #[error(
        "the payload is {found}, not a JSON object; expected an EventBridge event (with \"source\" and \
         \"detail-type\") or an input such as {{\"action\":\"sweep\"}} or \
         {{\"action\":\"audit\",\"distribution_ids\":[\"EDFDVBD6EXAMPLE\"]}}"
    )]
    NotAnObject {
        /// What it is instead, e.g. `an array of 0 items`.
        found: String,
    },
    /// An object with neither an envelope's `source`/`detail-type` nor an `action`.
    #[error(
        "the payload ({found}) has neither \"source\"/\"detail-type\" (an EventBridge event) nor \
         \"action\" (an input such as {{\"action\":\"sweep\"}}); cannot tell what to audit"
    )]
    Unrecognised {
        /// A description of the object, with its first keys.
        found: String,
    },
    /// An `action` other than `sweep`, `audit` and `follow-up`.
    #[error(
        "unknown action {action}; expected \"sweep\" (audit every distribution), \"audit\" (with \
         \"distribution_ids\") or \"follow-up\" (sent by this function through its follow-up queue)"
    )]
    UnknownAction {
        /// The action given, shortened and escaped.
        action: String,
    },
    /// A field the event needs is absent, null or empty.
    #[error("{context} without {field}: {why}")]
    MissingField {
        /// The kind of event, e.g. `CloudTrail UpdateDistribution event`.
        context: String,
        /// JSON path of the field, e.g. `detail.requestParameters.id`.
        field: String,
        /// Why it matters.
        why: &'static str,
    },
    /// A field holds the wrong kind of value.
    #[error("{context}: {field} is {found}, expected {expected}")]
    WrongType {
        /// The kind of event.
        context: String,
        /// JSON path of the field.
        field: String,
        /// What it must hold.
        expected: &'static str,
        /// What it holds (strings shortened and escaped).
        found: String,
    },
    /// A distribution id that cannot be one; refused because it would be passed to the CloudFront API.
    #[error(
        "{context}: {field} is {value}, which is not a CloudFront distribution id (1 to 128 upper-case \
         letters and digits, like EDFDVBD6EXAMPLE)"
    )]
    InvalidDistributionId {
        /// The kind of event.
        context: String,
        /// JSON path of the field.
        field: String,
        /// The value, shortened and escaped.
        value: String,
    },
    /// `resources[0]` of an ACM event is not an ACM certificate ARN.
    #[error(
        "{context}: resources[0] is {value}, which is not an ACM certificate ARN \
         (arn:<partition>:acm:<region>:<account>:certificate/<id>)"
    )]
    InvalidCertificateArn {
        /// The kind of event.
        context: String,
        /// The value, shortened and escaped.
        value: String,
    },
    /// An SQS record whose body is not a follow-up this function sent (not JSON, another action).
    #[error(
        "SQS record {index}: the body is not a follow-up request: {detail}; expected \
         {{\"action\":\"follow-up\",\"distribution_ids\":[...],\"attempt\":1,\"cause\":\"...\"}}"
    )]
    InvalidFollowUp {
        /// The record's position in `Records`.
        index: usize,
        /// What is wrong, with untrusted values shortened and escaped.
        detail: String,
    },
    /// An organization sweep payload (issue 14) that is not what the state machine sends.
    #[error(
        "organization sweep payload refused: {detail}; see docs/plans/issue-14-organizations.md \
         for the payloads the state machine sends"
    )]
    InvalidOrganizationTask {
        /// What is wrong, with untrusted values shortened and escaped.
        detail: String,
    },
    /// A direct audit with an empty list.
    #[error(
        "direct audit input with an empty distribution_ids list: name at least one distribution, or \
         use {{\"action\":\"sweep\"}} to audit them all"
    )]
    NoDistributionIds,
    /// A direct audit naming more than [`MAX_DIRECT_IDS`](super::MAX_DIRECT_IDS) distributions.
    #[error(
        "direct audit input names {count} distributions, over the limit of {limit}; use \
         {{\"action\":\"sweep\"}} to audit the whole account"
    )]
    TooManyDistributionIds {
        /// How many were named.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl TriggerError {
    /// [`TriggerError::WrongType`]: `field` of a `context` payload holds `found` (described shortened
    /// and escaped), not `expected`.
    pub(super) fn wrong_type(
        context: &str,
        field: impl Into<String>,
        expected: &'static str,
        found: &Value,
    ) -> Self {
        TriggerError::WrongType {
            context: context.to_owned(),
            field: field.into(),
            expected,
            found: describe(found),
        }
    }

    /// [`TriggerError::MissingField`]: a `context` payload lacks `field`, which matters because `why`.
    pub(super) fn missing(context: &str, field: impl Into<String>, why: &'static str) -> Self {
        TriggerError::MissingField {
            context: context.to_owned(),
            field: field.into(),
            why,
        }
    }
}
