//! What the Lambda was invoked for: raw event JSON in, a typed [`Trigger`] out.
//!
//! The Lambda receives several unrelated payload shapes on one entry point: EventBridge envelopes
//! (CloudTrail API calls from `aws.cloudfront`, certificate events from `aws.acm`, `Scheduled Event`s
//! from `aws.events` and `aws.scheduler`) and plain inputs that are not envelopes at all
//! (`{"action":"sweep"}` set as a Scheduler target Input, `{"action":"audit",...}` from an operator),
//! and the SQS event of the function's own follow-up queue (`{"Records":[{"eventSource":"aws:sqs",
//! "body":"{\"action\":\"follow-up\",...}"}]}`), which becomes a [`Trigger::Audit`] with
//! [`Cause::FollowUp`].
//! So the dispatch reads the raw JSON instead of deserialising into one typed envelope; the typed
//! structs in `aws_lambda_events` are also too strict for this (CloudTrail's `AWSAPICall` requires a
//! dozen fields and has no `errorCode`; Scheduler's default envelope has `detail` as the string `"{}"`).
//!
//! This module is pure: no AWS calls and no clock. Resolving a certificate to the distributions that
//! use it, reading distributions and judging them are the caller's job.
//!
//! The payload is untrusted (any principal allowed to invoke the function, or to put events on the bus,
//! chooses it), so nothing here panics, the size is capped before parsing, the walk reads fixed paths
//! instead of recursing, and every string echoed in an error is shortened and escaped.
//!
//! Outcomes, and why they differ:
//! * a [`Trigger`] other than [`Trigger::Ignore`]: something to audit;
//! * [`Trigger::Ignore`]: a well-formed event this function does not act on (another call, another
//!   source). Not an error, so that Lambda's asynchronous retries do not replay it;
//! * [`TriggerError`]: the payload is malformed or names nothing usable. The caller decides whether to
//!   fail the invocation; every variant says what was expected.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::config_json;
use crate::model::{Distribution, Scope};

/// The largest payload accepted: EventBridge's maximum event size (256 KiB). Anything bigger did not
/// come from EventBridge, so it is refused before parsing.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// The most distribution ids a direct audit may name. A real account has a few hundred distributions;
/// more than this is a mistake or an attack, and a sweep covers the whole account anyway.
pub const MAX_DIRECT_IDS: usize = 1000;

/// How many characters of an untrusted string appear in an error or an ignore reason.
const ECHO_CHARS: usize = 80;

/// How many characters of a context field (an ARN, an error message) are kept in a [`Cause`].
const CONTEXT_CHARS: usize = 1024;

/// The EventBridge envelope's `detail-type` for CloudTrail-delivered API calls.
const CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// CloudTrail's `eventSource` for CloudFront.
const CLOUDFRONT_EVENT_SOURCE: &str = "cloudfront.amazonaws.com";

/// What CloudTrail writes in place of a value it will not log.
const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// What to do for one invocation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Trigger {
    /// Audit live distributions: the ids an event or an operator named, or the whole account (sweep).
    Audit {
        /// Which distributions.
        scope: Scope,
        /// Why, for the report and the notification.
        cause: Cause,
    },
    /// Audit the distributions that use one ACM certificate. The caller resolves them: DescribeCertificate's
    /// `InUseBy` together with every distribution whose ViewerCertificate names the ARN (the union,
    /// because `InUseBy` lags and can be empty). None at all is worth one info finding, not an error.
    AuditCertificate {
        /// The certificate (`resources[0]` of the ACM event).
        certificate_arn: String,
        /// Why, for the report and the notification.
        cause: Cause,
    },
    /// CloudFront refused a call and the event carries the configuration it was given: run the rules on
    /// that proposed configuration (`audit::check_proposed`) to explain the refusal and what to change.
    CheckRejected {
        /// The attempted configuration, marked [`crate::model::DistributionOrigin::Proposed`].
        distribution: Box<Distribution>,
        /// The distribution the call tried to change, when it named one (UpdateDistribution); `None`
        /// for a refused creation. The live one is unchanged, so auditing it too is optional.
        live_id: Option<String>,
        /// The call and its refusal.
        cause: Cause,
    },
    /// A well-formed event this function does not act on. Log it once and return success.
    Ignore {
        /// Why, in a sentence suitable for the log and the invocation result.
        reason: String,
        /// The envelope's `source`, shortened and escaped, when there was one.
        source: Option<String>,
        /// The envelope's `detail-type`, shortened and escaped, when there was one.
        detail_type: Option<String>,
    },
}

impl Trigger {
    /// The cause, for every trigger that runs an audit.
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            Trigger::Audit { cause, .. }
            | Trigger::AuditCertificate { cause, .. }
            | Trigger::CheckRejected { cause, .. } => Some(cause),
            Trigger::Ignore { .. } => None,
        }
    }
}

/// One line for the log: what will run and why.
impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Audit { scope, cause } => match scope {
                Scope::AllDistributions => write!(f, "audit all distributions ({cause})"),
                Scope::Distributions(ids) => {
                    // A direct audit may name up to MAX_DIRECT_IDS; the log line stays readable.
                    const SHOWN: usize = 10;
                    let shown = ids
                        .iter()
                        .take(SHOWN)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ");
                    match ids.len().checked_sub(SHOWN) {
                        Some(more) if more > 0 => {
                            write!(f, "audit distributions {shown} and {more} more ({cause})")
                        }
                        _ => write!(f, "audit distribution(s) {shown} ({cause})"),
                    }
                }
            },
            Trigger::AuditCertificate {
                certificate_arn,
                cause,
            } => write!(
                f,
                "audit the distributions using {certificate_arn} ({cause})"
            ),
            Trigger::CheckRejected { live_id, cause, .. } => match live_id {
                Some(id) => write!(f, "check the configuration refused for {id} ({cause})"),
                None => write!(f, "check the refused configuration ({cause})"),
            },
            Trigger::Ignore {
                reason,
                source,
                detail_type,
            } => write!(
                f,
                "ignored event (source {}, detail-type {}): {reason}",
                source.as_deref().unwrap_or("none"),
                detail_type.as_deref().unwrap_or("none")
            ),
        }
    }
}

/// Why an audit runs, for the report and the notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cause {
    /// A CloudFront API call recorded by CloudTrail.
    ApiCall {
        /// The call, e.g. `UpdateDistribution`.
        event_name: String,
        /// Who made it: `userIdentity.arn`. Absent for some identity types (AWS services, root in old
        /// events), hence optional.
        actor_arn: Option<String>,
        /// When: `eventTime` (else the envelope's `time`), as CloudTrail wrote it.
        event_time: Option<String>,
        /// `sourceIPAddress`: an address, or a service name such as `cloudformation.amazonaws.com`.
        source_ip: Option<String>,
        /// CloudTrail's `eventID`, to match the notification with the trail.
        event_id: Option<String>,
        /// The alternate domain name the call moved (`AssociateAlias.alias`,
        /// `UpdateDomainAssociation.domain`), where there is one.
        alias: Option<String>,
        /// Present when CloudFront refused the call.
        rejected: Option<Rejection>,
    },
    /// An ACM certificate event.
    Certificate {
        /// Which event, with its event-specific details.
        event: AcmEvent,
        /// The certificate (`resources[0]`).
        certificate_arn: String,
        /// `CommonName` from the detail.
        common_name: Option<String>,
        /// `CertificateType`: `AMAZON_ISSUED`, `PRIVATE`, `IMPORTED`.
        certificate_type: Option<String>,
        /// `CertificateExpirationDate`, as ACM wrote it.
        expiration_date: Option<String>,
        /// `InUse`, read leniently (`true` or `"TRUE"`). Not authoritative: the caller resolves users.
        in_use: Option<bool>,
        /// The envelope's `time`.
        event_time: Option<String>,
    },
    /// The periodic sweep of the whole account.
    Sweep {
        /// What started it.
        source: SweepSource,
        /// The rule or schedule ARN (`resources[0]` of the envelope), when there is one.
        schedule: Option<String>,
    },
    /// An operator's direct invocation naming distributions.
    Operator,
    /// A scheduled re-check of distributions that were not yet Deployed when an earlier event was
    /// audited (an SQS message sent by this function, see `lambda::follow_up`). A follow-up reuses
    /// [`Trigger::Audit`] (the audit is the same: named live distributions); only the cause differs,
    /// so the handler can tell how many attempts have been made.
    FollowUp {
        /// Which attempt this is, from 1.
        attempt: u32,
        /// The original cause, in words (bounded), so the notification still says what changed.
        cause: String,
    },
}

/// One line for a notification subject or a log: the call, who, when; the certificate event; the sweep.
impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::ApiCall {
                event_name,
                actor_arn,
                event_time,
                rejected,
                ..
            } => {
                write!(f, "{event_name}")?;
                if let Some(actor) = actor_arn {
                    write!(f, " by {actor}")?;
                }
                if let Some(time) = event_time {
                    write!(f, " at {time}")?;
                }
                if let Some(rejection) = rejected {
                    write!(f, ", refused with {}", rejection.error_code)?;
                }
                Ok(())
            }
            Cause::Certificate {
                event,
                certificate_arn,
                common_name,
                ..
            } => {
                write!(f, "{} for {certificate_arn}", event.detail_type())?;
                if let Some(name) = common_name {
                    write!(f, " ({name})")?;
                }
                match event {
                    AcmEvent::ApproachingExpiration {
                        days_to_expiry: Some(days),
                    }
                    | AcmEvent::RenewalActionRequired {
                        days_to_expiry: Some(days),
                        ..
                    } => write!(f, ", {days} days to expiry"),
                    _ => Ok(()),
                }
            }
            Cause::Sweep { source, .. } => write!(f, "sweep ({})", source.as_str()),
            Cause::Operator => write!(f, "operator request"),
            Cause::FollowUp { attempt, cause } => {
                write!(f, "follow-up {attempt} (edge re-check) after {cause}")
            }
        }
    }
}

/// CloudFront's refusal of a call, as CloudTrail recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// `errorCode`, e.g. `InvalidViewerCertificate`, `InvalidProtocolSettings`, `CNAMEAlreadyExists`.
    pub error_code: String,
    /// `errorMessage`, CloudFront's own words, when recorded.
    pub error_message: Option<String>,
    /// Why the attempted configuration could not be checked, when it could not (absent, hidden by
    /// CloudTrail, unreadable, or a call that carries none). `None` with [`Trigger::CheckRejected`].
    pub config_unavailable: Option<String>,
}

impl Rejection {
    /// What to change, for the error codes that concern TLS. `None` for codes with nothing
    /// TLS-specific to say (the error message stands on its own).
    pub fn advice(&self) -> Option<&'static str> {
        // The API's error names; CloudTrail's exact spelling is unconfirmed, so an SDK-style
        // `…Exception` suffix is tolerated.
        let code = self.error_code.trim();
        Some(match code.strip_suffix("Exception").unwrap_or(code) {
            "InvalidViewerCertificate" => {
                "the certificate must exist in ACM in us-east-1 (or IAM under /cloudfront/), belong to \
                 this account, be issued with a valid chain, and cover at least one alias; an alias \
                 needs a custom certificate, not the default *.cloudfront.net one"
            }
            "InvalidProtocolSettings" => {
                "sni-only cannot use SSLv3 as the minimum protocol version; choose TLSv1.2_2021 (or a \
                 newer policy) with sni-only"
            }
            "InvalidMinimumProtocolVersion" => {
                "the MinimumProtocolVersion is not one CloudFront accepts with this SSLSupportMethod; \
                 vip allows only SSLv3 or TLSv1 without a support case, sni-only allows TLSv1 and up"
            }
            "CNAMEAlreadyExists" => {
                "an alias is already on another distribution (in any account); find it with \
                 ListConflictingAliases and move it with AssociateAlias or UpdateDomainAssociation \
                 (needs a _<alias> TXT record), or remove it there first"
            }
            "TooManyCertificates" => {
                "the account's dedicated-IP (vip) certificate quota is used up; switch to sni-only or \
                 request a quota increase"
            }
            "InvalidArgument" => {
                "CloudFront found a field invalid; the error message names it (for TLS: an ACM ARN \
                 outside us-east-1, or SSLSupportMethod without a custom certificate)"
            }
            _ => return None,
        })
    }
}

/// Which ACM event, with the details each carries. Every detail is optional because the documented
/// shapes have grown over time and older events carry fewer fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum AcmEvent {
    /// `ACM Certificate Approaching Expiration`: sent daily from 45 (private, imported) or 30 (public)
    /// days before expiry.
    ApproachingExpiration {
        /// `DaysToExpiry`.
        days_to_expiry: Option<i64>,
    },
    /// `ACM Certificate Expired`.
    Expired,
    /// `ACM Certificate Available`: issued, renewed or (re)imported. After a renewal the caller checks
    /// that the edge now serves the new certificate.
    Available {
        /// `Action`: `ISSUANCE`, `RENEWAL`, `IMPORT`, `REIMPORT`.
        action: Option<String>,
    },
    /// `ACM Certificate Renewal Action Required`: automatic renewal failed.
    RenewalActionRequired {
        /// `RenewalStatusReason`, e.g. `CAA_ERROR`, `PENDING_DOMAIN_VALIDATION`.
        reason: Option<String>,
        /// `DaysToExpiry`.
        days_to_expiry: Option<i64>,
    },
    /// `ACM Certificate Revoked`.
    Revoked,
}

impl AcmEvent {
    /// The EventBridge `detail-type` of this event.
    pub fn detail_type(&self) -> &'static str {
        match self {
            AcmEvent::ApproachingExpiration { .. } => "ACM Certificate Approaching Expiration",
            AcmEvent::Expired => "ACM Certificate Expired",
            AcmEvent::Available { .. } => "ACM Certificate Available",
            AcmEvent::RenewalActionRequired { .. } => "ACM Certificate Renewal Action Required",
            AcmEvent::Revoked => "ACM Certificate Revoked",
        }
    }
}

/// What started a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SweepSource {
    /// An EventBridge rule's `Scheduled Event` (SAM `Type: Schedule`).
    #[serde(rename = "aws.events")]
    Events,
    /// EventBridge Scheduler's default envelope (no target Input set).
    #[serde(rename = "aws.scheduler")]
    Scheduler,
    /// The input `{"action":"sweep"}`: a Scheduler target Input or an operator's invoke; the payload
    /// does not say which.
    #[serde(rename = "direct")]
    Direct,
}

impl SweepSource {
    /// The name used in JSON and logs: `aws.events`, `aws.scheduler` or `direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            SweepSource::Events => "aws.events",
            SweepSource::Scheduler => "aws.scheduler",
            SweepSource::Direct => "direct",
        }
    }
}

/// Why a payload cannot be turned into a [`Trigger`]. Each variant names the failure and what was
/// expected; untrusted values in it are shortened and escaped.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TriggerError {
    /// Over [`MAX_EVENT_BYTES`]; refused before parsing so a hostile payload costs nothing.
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
    /// A direct audit with an empty list.
    #[error(
        "direct audit input with an empty distribution_ids list: name at least one distribution, or \
         use {{\"action\":\"sweep\"}} to audit them all"
    )]
    NoDistributionIds,
    /// A direct audit naming more than [`MAX_DIRECT_IDS`] distributions.
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

/// Parses the raw invocation payload: the size cap first, then JSON, then [`parse_trigger`].
/// This is what the Lambda calls.
pub fn parse_trigger_bytes(payload: &[u8]) -> Result<Trigger, TriggerError> {
    // Checked before parsing: the point is not to spend time or memory on a hostile payload.
    if payload.len() > MAX_EVENT_BYTES {
        return Err(TriggerError::TooLarge {
            size: payload.len(),
            limit: MAX_EVENT_BYTES,
        });
    }
    // serde_json refuses nesting deeper than 128 levels, so a deep payload is an error, not a stack
    // overflow.
    let value: Value = serde_json::from_slice(payload).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        TriggerError::InvalidJson {
            line,
            column,
            message,
        }
    })?;
    parse_trigger(&value)
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
        return custom_input(map, action);
    }
    if let Some(records) = map.get("Records") {
        return sqs_records(map, records);
    }

    const ENVELOPE: &str = "EventBridge event";
    let source = envelope_string(map, "source", ENVELOPE)?;
    let detail_type = envelope_string(map, "detail-type", ENVELOPE)?;
    if source.is_none() && detail_type.is_none() {
        return Err(TriggerError::Unrecognised {
            found: describe(payload),
        });
    }

    match (source, detail_type) {
        (Some("aws.cloudfront"), Some(CLOUDTRAIL_DETAIL_TYPE)) => cloudtrail(map),
        (Some("aws.acm"), Some(detail_type)) => match acm_event_kind(detail_type) {
            Some(kind) => acm(map, kind, detail_type),
            None => Ok(ignore(
                map,
                format!(
                    "ACM {} events do not change what CloudFront serves in a way this function audits",
                    echo(detail_type)
                ),
            )),
        },
        (Some(source @ ("aws.events" | "aws.scheduler")), Some("Scheduled Event")) => {
            Ok(Trigger::Audit {
                scope: Scope::AllDistributions,
                cause: Cause::Sweep {
                    source: if source == "aws.events" {
                        SweepSource::Events
                    } else {
                        SweepSource::Scheduler
                    },
                    // The rule or schedule ARN is context only, so a malformed one is dropped, not fatal.
                    schedule: first_resource_lenient(map),
                },
            })
        }
        (source, detail_type) => Ok(ignore(
            map,
            format!(
                "no audit for events with source {} and detail-type {}; this function handles \
                 aws.cloudfront API calls, aws.acm certificate events and scheduled sweeps",
                source.map_or_else(|| "(none)".to_owned(), echo),
                detail_type.map_or_else(|| "(none)".to_owned(), echo)
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------------
// Custom inputs: {"action": "sweep"} and {"action": "audit", "distribution_ids": [...]}.

fn custom_input(map: &Map<String, Value>, action: &Value) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "direct input";
    let Value::String(action) = action else {
        return Err(TriggerError::WrongType {
            context: CONTEXT.to_owned(),
            field: "action".to_owned(),
            expected: "the string \"sweep\" or \"audit\"",
            found: describe(action),
        });
    };
    match action.as_str() {
        "sweep" => Ok(Trigger::Audit {
            scope: Scope::AllDistributions,
            cause: Cause::Sweep {
                source: SweepSource::Direct,
                schedule: None,
            },
        }),
        "audit" => direct_audit(map),
        "follow-up" => follow_up(map),
        other => Err(TriggerError::UnknownAction {
            action: echo(other),
        }),
    }
}

fn direct_audit(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    Ok(Trigger::Audit {
        scope: Scope::Distributions(distribution_ids(map, "direct audit input")?),
        cause: Cause::Operator,
    })
}

/// The `distribution_ids` of a direct input: a non-empty list of valid ids, at most
/// [`MAX_DIRECT_IDS`], deduplicated in the given order.
fn distribution_ids(map: &Map<String, Value>, context: &str) -> Result<Vec<String>, TriggerError> {
    let ids = match map.get("distribution_ids") {
        None | Some(Value::Null) => {
            return Err(TriggerError::MissingField {
                context: context.to_owned(),
                field: "distribution_ids".to_owned(),
                why: "name the distributions to audit, e.g. [\"EDFDVBD6EXAMPLE\"], or use \
                      {\"action\":\"sweep\"} to audit them all",
            })
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(TriggerError::WrongType {
                context: context.to_owned(),
                field: "distribution_ids".to_owned(),
                expected: "a list of distribution id strings, e.g. [\"EDFDVBD6EXAMPLE\"]",
                found: describe(other),
            })
        }
    };
    if ids.is_empty() {
        return Err(TriggerError::NoDistributionIds);
    }
    if ids.len() > MAX_DIRECT_IDS {
        return Err(TriggerError::TooManyDistributionIds {
            count: ids.len(),
            limit: MAX_DIRECT_IDS,
        });
    }
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for (index, item) in ids.iter().enumerate() {
        let field = format!("distribution_ids[{index}]");
        let Value::String(id) = item else {
            return Err(TriggerError::WrongType {
                context: context.to_owned(),
                field,
                expected: "a distribution id string",
                found: describe(item),
            });
        };
        let id = checked_id(id, context, &field)?;
        // Bounded by MAX_DIRECT_IDS, so the quadratic dedupe is cheap and keeps the operator's order.
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

// ---------------------------------------------------------------------------------------------------
// Follow-ups: {"action":"follow-up",...} directly, or as the body of SQS records.

/// The most attempts a follow-up may claim; far above `FOLLOW_UP_MAX_ATTEMPTS`'s own limit, so a
/// larger number is a forged or corrupted message.
const MAX_FOLLOW_UP_ATTEMPT: u64 = 1000;

/// `{"action":"follow-up","distribution_ids":[...],"attempt":N,"cause":"..."}`: the message body the
/// function's follow-up scheduler sends. `cause` is context only, so a missing one is tolerated.
fn follow_up(map: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "follow-up input";
    let ids = distribution_ids(map, CONTEXT)?;
    let attempt = match map.get("attempt") {
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|a| (1..=MAX_FOLLOW_UP_ATTEMPT).contains(a))
            .ok_or_else(|| TriggerError::WrongType {
                context: CONTEXT.to_owned(),
                field: "attempt".to_owned(),
                expected: "a whole number from 1 to 1000",
                found: describe(&Value::Number(n.clone())),
            })?,
        None | Some(Value::Null) => {
            return Err(TriggerError::MissingField {
                context: CONTEXT.to_owned(),
                field: "attempt".to_owned(),
                why: "the attempt number bounds how often the edge is re-checked",
            })
        }
        Some(other) => {
            return Err(TriggerError::WrongType {
                context: CONTEXT.to_owned(),
                field: "attempt".to_owned(),
                expected: "a whole number from 1 to 1000",
                found: describe(other),
            })
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

/// An SQS event from an event source mapping: `{"Records":[{"eventSource":"aws:sqs","body":"..."}]}`.
/// Every record must be a follow-up. A batch (BatchSize > 1) becomes one audit: the union of the ids,
/// the lowest attempt (so no distribution gives up early; every reschedule still increments, so the
/// attempts stay bounded) and the first record's cause.
fn sqs_records(map: &Map<String, Value>, records: &Value) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "SQS event";
    let Value::Array(records) = records else {
        return Err(TriggerError::WrongType {
            context: CONTEXT.to_owned(),
            field: "Records".to_owned(),
            expected: "a list of SQS records",
            found: describe(records),
        });
    };
    if records.is_empty() {
        return Err(TriggerError::MissingField {
            context: CONTEXT.to_owned(),
            field: "Records[0]".to_owned(),
            why: "an SQS event carries at least one message",
        });
    }
    let source = |record: &Value| lenient_string(record.get("eventSource")).map(str::to_owned);
    if let Some(other) = records
        .iter()
        .map(source)
        .find(|s| s.as_deref() != Some("aws:sqs"))
    {
        // S3 and SNS notifications also arrive as {"Records":[...]}: well-formed, not for us.
        return Ok(ignore(
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
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.len() > MAX_DIRECT_IDS {
            return Err(TriggerError::TooManyDistributionIds {
                count: ids.len(),
                limit: MAX_DIRECT_IDS,
            });
        }
        lowest = match lowest {
            Some((lowest, first_cause)) => Some((lowest.min(attempt), first_cause)),
            None => Some((attempt, cause)),
        };
    }
    let Some((attempt, cause)) = lowest else {
        return Err(TriggerError::MissingField {
            context: CONTEXT.to_owned(),
            field: "Records[0]".to_owned(),
            why: "an SQS event carries at least one message",
        });
    };
    Ok(Trigger::Audit {
        scope: Scope::Distributions(ids),
        cause: Cause::FollowUp { attempt, cause },
    })
}

// ---------------------------------------------------------------------------------------------------
// CloudTrail API calls.

/// The CloudFront calls that change what a viewer's TLS handshake meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    CreateDistribution,
    CreateDistributionWithTags,
    UpdateDistribution,
    CopyDistribution,
    UpdateDistributionWithStagingConfig,
    AssociateAlias,
    UpdateDomainAssociation,
}

impl Call {
    const ALL: [Call; 7] = [
        Call::CreateDistribution,
        Call::CreateDistributionWithTags,
        Call::UpdateDistribution,
        Call::CopyDistribution,
        Call::UpdateDistributionWithStagingConfig,
        Call::AssociateAlias,
        Call::UpdateDomainAssociation,
    ];

    fn name(self) -> &'static str {
        match self {
            Call::CreateDistribution => "CreateDistribution",
            Call::CreateDistributionWithTags => "CreateDistributionWithTags",
            Call::UpdateDistribution => "UpdateDistribution",
            Call::CopyDistribution => "CopyDistribution",
            Call::UpdateDistributionWithStagingConfig => "UpdateDistributionWithStagingConfig",
            Call::AssociateAlias => "AssociateAlias",
            Call::UpdateDomainAssociation => "UpdateDomainAssociation",
        }
    }

    fn from_name(name: &str) -> Option<Call> {
        Call::ALL.into_iter().find(|call| call.name() == name)
    }

    /// Whether the request carries a whole DistributionConfig that can be checked when refused.
    fn carries_config(self) -> bool {
        matches!(
            self,
            Call::CreateDistribution | Call::CreateDistributionWithTags | Call::UpdateDistribution
        )
    }
}

fn cloudtrail(envelope: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "CloudTrail event from aws.cloudfront";
    let detail = match envelope.get("detail") {
        None | Some(Value::Null) => {
            return Err(TriggerError::MissingField {
                context: CONTEXT.to_owned(),
                field: "detail".to_owned(),
                why: "the CloudTrail record is missing, so there is no call to audit",
            })
        }
        Some(Value::Object(detail)) => detail,
        Some(other) => {
            return Err(TriggerError::WrongType {
                context: CONTEXT.to_owned(),
                field: "detail".to_owned(),
                expected: "an object (the CloudTrail record)",
                found: describe(other),
            })
        }
    };

    // The EventBridge rule matches eventSource too; checked again because the function can be invoked
    // with anything, and a call to another service must not be audited as a CloudFront call.
    match lenient_string(detail.get("eventSource")) {
        Some(CLOUDFRONT_EVENT_SOURCE) => {}
        other => {
            return Ok(ignore(
                envelope,
                format!(
                    "CloudTrail record with eventSource {}, not {CLOUDFRONT_EVENT_SOURCE}",
                    other.map_or_else(|| "(none)".to_owned(), echo)
                ),
            ))
        }
    }

    let name = match detail.get("eventName") {
        Some(Value::String(name)) if !name.is_empty() => name.as_str(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Err(TriggerError::MissingField {
                context: CONTEXT.to_owned(),
                field: "detail.eventName".to_owned(),
                why: "cannot tell which CloudFront call was made",
            })
        }
        Some(other) => {
            return Err(TriggerError::WrongType {
                context: CONTEXT.to_owned(),
                field: "detail.eventName".to_owned(),
                expected: "a string such as \"UpdateDistribution\"",
                found: describe(other),
            })
        }
    };
    let Some(call) = Call::from_name(name) else {
        let reason = if name == "DeleteDistribution" {
            "CloudTrail DeleteDistribution: the distribution is gone, so there is nothing left to \
             audit"
                .to_owned()
        } else {
            format!(
                "CloudTrail {} does not change a distribution's TLS; watched calls: {}",
                echo(name),
                Call::ALL.map(Call::name).join(", ")
            )
        };
        return Ok(ignore(envelope, reason));
    };
    let context = format!("CloudTrail {} event", call.name());

    let request = optional_object(
        detail,
        "requestParameters",
        "detail.requestParameters",
        &context,
    )?;
    let response = optional_object(
        detail,
        "responseElements",
        "detail.responseElements",
        &context,
    )?;

    let error_code = lenient_string(detail.get("errorCode")).map(clip);
    let rejected = error_code.is_some();

    // Where each call keeps its distribution ids (events-and-notifications.md §1.3). A refused call
    // may lack them (nothing was created), so they are required only for calls that succeeded.
    let ids = call_ids(call, request, response, &context, rejected)?;
    let Some(ids) = ids else {
        // UpdateDomainAssociation aimed at a distribution tenant.
        return Ok(ignore(
            envelope,
            format!(
                "CloudTrail {} targets a distribution tenant, not a distribution; tenant audits are \
                 not supported",
                call.name()
            ),
        ));
    };

    let alias_field = match call {
        Call::AssociateAlias => Some("alias"),
        Call::UpdateDomainAssociation => Some("domain"),
        _ => None,
    };
    let alias = alias_field
        .and_then(|field| request.and_then(|r| lenient_string(r.get(field))))
        .map(clip);

    let cause = |rejected: Option<Rejection>| Cause::ApiCall {
        event_name: call.name().to_owned(),
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
        alias: alias.clone(),
        rejected,
    };

    let Some(error_code) = error_code else {
        return Ok(Trigger::Audit {
            scope: Scope::Distributions(ids),
            cause: cause(None),
        });
    };
    let error_message = lenient_string(detail.get("errorMessage")).map(clip);

    let unavailable = if call.carries_config() {
        match attempted_config(detail.get("requestParameters"), request, call) {
            Ok(proposed) => {
                return Ok(Trigger::CheckRejected {
                    distribution: Box::new(proposed),
                    // Only UpdateDistribution names an existing distribution; a refused creation has none.
                    live_id: match call {
                        Call::UpdateDistribution => ids.first().cloned(),
                        _ => None,
                    },
                    cause: cause(Some(Rejection {
                        error_code,
                        error_message,
                        config_unavailable: None,
                    })),
                });
            }
            Err(why) => why,
        }
    } else {
        format!(
            "{} does not carry a DistributionConfig; the live distribution is audited instead",
            call.name()
        )
    };

    if ids.is_empty() {
        return Ok(ignore(
            envelope,
            format!(
                "CloudTrail {} was refused ({}) and {unavailable}; no existing distribution is named, \
                 so there is nothing to audit",
                call.name(),
                echo(&error_code)
            ),
        ));
    }
    Ok(Trigger::Audit {
        scope: Scope::Distributions(ids),
        cause: cause(Some(Rejection {
            error_code,
            error_message,
            config_unavailable: Some(unavailable),
        })),
    })
}

/// The ids a call concerns, in audit order. `Ok(None)`: UpdateDomainAssociation aimed at a tenant.
fn call_ids(
    call: Call,
    request: Option<&Map<String, Value>>,
    response: Option<&Map<String, Value>>,
    context: &str,
    rejected: bool,
) -> Result<Option<Vec<String>>, TriggerError> {
    let from_request = |field: &str| id_at(request, &[field], "detail.requestParameters", context);
    let created = || {
        id_at(
            response,
            &["distribution", "id"],
            "detail.responseElements",
            context,
        )
    };
    let require = |id: Option<String>, field: &str, why: &'static str| match id {
        Some(id) => Ok(vec![id]),
        None if rejected => Ok(Vec::new()),
        None => Err(TriggerError::MissingField {
            context: context.to_owned(),
            field: field.to_owned(),
            why,
        }),
    };

    let ids = match call {
        Call::CreateDistribution | Call::CreateDistributionWithTags => require(
            created()?,
            "detail.responseElements.distribution.id",
            "cannot tell which distribution was created",
        )?,
        Call::UpdateDistribution => {
            // The request names the distribution; the response repeats it. Either will do.
            let id = match from_request("id")? {
                Some(id) => Some(id),
                None => created()?,
            };
            require(
                id,
                "detail.requestParameters.id",
                "cannot tell which distribution changed",
            )?
        }
        Call::CopyDistribution => {
            // The new staging copy first (it is what changed), then the primary it was copied from.
            let ids: Vec<String> = [created()?, from_request("primaryDistributionId")?]
                .into_iter()
                .flatten()
                .collect();
            if ids.is_empty() && !rejected {
                return Err(TriggerError::MissingField {
                    context: context.to_owned(),
                    field: "detail.responseElements.distribution.id and \
                            detail.requestParameters.primaryDistributionId"
                        .to_owned(),
                    why: "cannot tell which distributions the copy concerns",
                });
            }
            ids
        }
        Call::UpdateDistributionWithStagingConfig => {
            let mut ids = require(
                from_request("id")?,
                "detail.requestParameters.id",
                "cannot tell which primary distribution took the staging configuration",
            )?;
            ids.extend(from_request("stagingDistributionId")?);
            ids
        }
        Call::AssociateAlias => require(
            from_request("targetDistributionId")?,
            "detail.requestParameters.targetDistributionId",
            "cannot tell which distribution the alias moved to",
        )?,
        Call::UpdateDomainAssociation => {
            // targetResource is a DistributionResourceId: {distributionId} or {distributionTenantId}.
            let target = match request {
                Some(request) => optional_object(
                    request,
                    "targetResource",
                    "detail.requestParameters.targetResource",
                    context,
                )?,
                None => None,
            };
            let id = id_at(
                target,
                &["distributionId"],
                "detail.requestParameters.targetResource",
                context,
            )?;
            if id.is_none()
                && target.is_some_and(|t| lenient_string(t.get("distributionTenantId")).is_some())
            {
                return Ok(None);
            }
            require(
                id,
                "detail.requestParameters.targetResource.distributionId",
                "cannot tell which distribution the domain moved to (expected targetResource \
                 {\"distributionId\": \"E…\"} or {\"distributionTenantId\": …})",
            )?
        }
    };
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(Some(unique))
}

/// Reads the attempted configuration of a refused call, or says why it cannot be used. `raw` is the
/// `requestParameters` value that `request` was read from.
fn attempted_config(
    raw: Option<&Value>,
    request: Option<&Map<String, Value>>,
    call: Call,
) -> Result<Distribution, String> {
    let (Some(raw), Some(request)) = (raw, request) else {
        return Err(
            "the event has no requestParameters, so the attempted configuration is \
                    unavailable"
                .to_owned(),
        );
    };
    let with_tags = request.get("distributionConfigWithTags");
    let (config, path) = match with_tags {
        Some(Value::Object(with_tags)) => (
            with_tags.get("distributionConfig"),
            "requestParameters.distributionConfigWithTags.distributionConfig",
        ),
        Some(Value::String(s)) if s == HIDDEN => {
            return Err(hidden("requestParameters.distributionConfigWithTags"))
        }
        _ => (
            request.get("distributionConfig"),
            "requestParameters.distributionConfig",
        ),
    };
    match config {
        None | Some(Value::Null) => {
            return Err(format!(
                "the event has no {path}, so the attempted configuration is unavailable"
            ))
        }
        Some(Value::String(s)) if s == HIDDEN => return Err(hidden(path)),
        Some(Value::Object(_)) => {}
        Some(other) => {
            return Err(format!(
                "{path} is {}, not the attempted configuration (truncated?)",
                describe(other)
            ))
        }
    }
    // config_json peels the requestParameters wrappers itself and takes the id from `id` when there.
    let label = format!("attempted {}", call.name());
    config_json::distribution_from_value(raw, &label).map_err(|e| {
        format!(
            "the attempted configuration could not be read (truncated or abbreviated by CloudTrail?): {}",
            escape_clip(&e.to_string(), 400)
        )
    })
}

fn hidden(path: &str) -> String {
    format!("CloudTrail hid {path} ({HIDDEN}), so the attempted configuration is unavailable")
}

/// A distribution id at `path` under `parent`, checked. Absent, null or "" is `None`.
fn id_at(
    parent: Option<&Map<String, Value>>,
    path: &[&str],
    parent_path: &str,
    context: &str,
) -> Result<Option<String>, TriggerError> {
    let Some(mut map) = parent else {
        return Ok(None);
    };
    let mut walked = parent_path.to_owned();
    for (index, key) in path.iter().enumerate() {
        walked.push('.');
        walked.push_str(key);
        let value = match map.get(*key) {
            None | Some(Value::Null) => return Ok(None),
            Some(value) => value,
        };
        let last = index + 1 == path.len();
        match (value, last) {
            (Value::Object(next), false) => map = next,
            (Value::String(id), true) if id.is_empty() => return Ok(None),
            (Value::String(id), true) => return checked_id(id, context, &walked).map(Some),
            (other, last) => {
                return Err(TriggerError::WrongType {
                    context: context.to_owned(),
                    field: walked,
                    expected: if last {
                        "a distribution id string"
                    } else {
                        "an object"
                    },
                    found: describe(other),
                })
            }
        }
    }
    Ok(None)
}

/// An object-valued field; absent and null are `None` (a refused call's `responseElements` is null).
/// `path` is the field's full JSON path, for the error.
fn optional_object<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    path: &str,
    context: &str,
) -> Result<Option<&'a Map<String, Value>>, TriggerError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(other) => Err(TriggerError::WrongType {
            context: context.to_owned(),
            field: path.to_owned(),
            expected: "an object",
            found: describe(other),
        }),
    }
}

/// A distribution id as CloudFront issues them. Checked because the id is passed to the API and shown
/// in the report.
fn checked_id(id: &str, context: &str, field: &str) -> Result<String, TriggerError> {
    let valid = (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if valid {
        Ok(id.to_owned())
    } else {
        Err(TriggerError::InvalidDistributionId {
            context: context.to_owned(),
            field: field.to_owned(),
            value: echo(id),
        })
    }
}

// ---------------------------------------------------------------------------------------------------
// ACM events.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcmKind {
    ApproachingExpiration,
    Expired,
    Available,
    RenewalActionRequired,
    Revoked,
}

fn acm_event_kind(detail_type: &str) -> Option<AcmKind> {
    Some(match detail_type {
        "ACM Certificate Approaching Expiration" => AcmKind::ApproachingExpiration,
        "ACM Certificate Expired" => AcmKind::Expired,
        "ACM Certificate Available" => AcmKind::Available,
        "ACM Certificate Renewal Action Required" => AcmKind::RenewalActionRequired,
        "ACM Certificate Revoked" => AcmKind::Revoked,
        _ => return None,
    })
}

fn acm(
    envelope: &Map<String, Value>,
    kind: AcmKind,
    detail_type: &str,
) -> Result<Trigger, TriggerError> {
    let context = format!("{detail_type} event");
    // ACM puts the certificate ARN only in resources[0]; detail does not repeat it.
    let arn = match envelope.get("resources") {
        None | Some(Value::Null) => None,
        Some(Value::Array(resources)) => match resources.first() {
            None | Some(Value::Null) => None,
            Some(Value::String(arn)) if arn.is_empty() => None,
            Some(Value::String(arn)) => Some(arn.as_str()),
            Some(other) => {
                return Err(TriggerError::WrongType {
                    context,
                    field: "resources[0]".to_owned(),
                    expected: "the certificate ARN string",
                    found: describe(other),
                })
            }
        },
        Some(other) => {
            return Err(TriggerError::WrongType {
                context,
                field: "resources".to_owned(),
                expected: "a list holding the certificate ARN",
                found: describe(other),
            })
        }
    };
    let Some(arn) = arn else {
        return Err(TriggerError::MissingField {
            context,
            field: "resources[0]".to_owned(),
            why: "ACM names the certificate only there, so there is no certificate to audit",
        });
    };
    if !looks_like_certificate_arn(arn) {
        return Err(TriggerError::InvalidCertificateArn {
            context,
            value: echo(arn),
        });
    }

    // Every detail field is optional and read leniently: the documented shapes vary by age and
    // certificate type, and a malformed context field must not lose the event.
    let empty = Map::new();
    let detail = match envelope.get("detail") {
        Some(Value::Object(detail)) => detail,
        _ => &empty,
    };
    let text = |field: &str| lenient_string(detail.get(field)).map(clip);
    let days_to_expiry = lenient_integer(detail.get("DaysToExpiry"));
    let event = match kind {
        AcmKind::ApproachingExpiration => AcmEvent::ApproachingExpiration { days_to_expiry },
        AcmKind::Expired => AcmEvent::Expired,
        AcmKind::Available => AcmEvent::Available {
            action: text("Action"),
        },
        AcmKind::RenewalActionRequired => AcmEvent::RenewalActionRequired {
            reason: text("RenewalStatusReason"),
            days_to_expiry,
        },
        AcmKind::Revoked => AcmEvent::Revoked,
    };
    Ok(Trigger::AuditCertificate {
        certificate_arn: arn.to_owned(),
        cause: Cause::Certificate {
            event,
            certificate_arn: arn.to_owned(),
            common_name: text("CommonName"),
            certificate_type: text("CertificateType"),
            expiration_date: text("CertificateExpirationDate"),
            in_use: lenient_bool(detail.get("InUse")),
            event_time: lenient_string(envelope.get("time")).map(clip),
        },
    })
}

/// `arn:<partition>:acm:<region>:<account>:certificate/<id>`, printable ASCII, bounded. The caller
/// passes it to DescribeCertificate and compares it with ViewerCertificate ARNs, so junk is refused here.
fn looks_like_certificate_arn(arn: &str) -> bool {
    let printable = arn.len() <= 2048 && arn.bytes().all(|b| b.is_ascii_graphic());
    let mut parts = arn.splitn(6, ':');
    let shape = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next() == Some("acm")
        && parts.next().is_some_and(|region| !region.is_empty())
        && parts.next().is_some_and(|account| !account.is_empty())
        && parts
            .next()
            .and_then(|resource| resource.strip_prefix("certificate/"))
            .is_some_and(|id| !id.is_empty());
    printable && shape
}

// ---------------------------------------------------------------------------------------------------
// Small lenient readers and safe echoing.

/// The envelope's `source` / `detail-type`: absent is fine (decided later), a non-string is an error.
fn envelope_string<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    context: &str,
) -> Result<Option<&'a str>, TriggerError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(TriggerError::WrongType {
            context: context.to_owned(),
            field: field.to_owned(),
            expected: "a string",
            found: describe(other),
        }),
    }
}

/// A non-empty string, or `None` for anything else: for context fields whose absence or malformation
/// should not cost the event.
fn lenient_string(value: Option<&Value>) -> Option<&str> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// A boolean from `true`/`false` or the strings "TRUE"/"FALSE" (any case): the ACM docs show
/// placeholders, and the real type is unconfirmed.
fn lenient_bool(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer from a number (a whole float is accepted) or a numeric string.
fn lenient_integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The schedule or rule ARN of a scheduled envelope, when it is a string.
fn first_resource_lenient(map: &Map<String, Value>) -> Option<String> {
    match map.get("resources") {
        Some(Value::Array(resources)) => lenient_string(resources.first()).map(clip),
        _ => None,
    }
}

/// An ignore result carrying the envelope's source and detail-type for the log line.
fn ignore(map: &Map<String, Value>, reason: String) -> Trigger {
    let field = |key: &str| match map.get(key) {
        Some(Value::String(s)) => Some(escape_clip(s, ECHO_CHARS)),
        _ => None,
    };
    Trigger::Ignore {
        reason,
        source: field("source"),
        detail_type: field("detail-type"),
    }
}

/// An untrusted string for an error or a log line: shortened and quoted with escapes.
fn echo(text: &str) -> String {
    let short: String = text.chars().take(ECHO_CHARS).collect();
    let mut quoted = format!("{short:?}");
    if text.chars().count() > ECHO_CHARS {
        quoted.push('…');
    }
    quoted
}

/// Shortened with control characters escaped, unquoted: for fields kept as data.
fn escape_clip(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for c in text.chars().take(max_chars) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

/// A context field kept in a [`Cause`]: bounded, control characters escaped.
fn clip(text: &str) -> String {
    escape_clip(text, CONTEXT_CHARS)
}

/// A value's kind for an error, with scalars shown shortened and escaped.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", escape_clip(&n.to_string(), 40)),
        Value::String(s) => format!("the string {}", echo(s)),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) if map.is_empty() => "an empty object".to_owned(),
        Value::Object(map) => {
            const SHOWN: usize = 6;
            let mut keys: Vec<String> = map.keys().take(SHOWN).map(|k| echo(k)).collect();
            if map.len() > SHOWN {
                keys.push(format!("and {} more", map.len() - SHOWN));
            }
            format!("an object with keys {}", keys.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A CloudTrail envelope around `detail`, with the fields every record has.
    fn cloudtrail_event(event_name: &str, mut detail: Value) -> Value {
        let base = json!({
            "eventVersion": "1.11",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/ops"},
            "eventTime": "2026-03-03T09:14:02Z",
            "eventSource": "cloudfront.amazonaws.com",
            "eventName": event_name,
            "sourceIPAddress": "203.0.113.24",
            "eventID": "ev-1",
        });
        for (key, value) in base.as_object().unwrap() {
            detail
                .as_object_mut()
                .unwrap()
                .entry(key.clone())
                .or_insert(value.clone());
        }
        json!({
            "version": "0", "id": "e1", "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.cloudfront", "account": "111122223333", "time": "2026-03-03T09:14:03Z",
            "region": "us-east-1", "resources": [], "detail": detail
        })
    }

    /// The smallest DistributionConfig config_json accepts, in CloudTrail's casing.
    fn attempted_config(certificate_arn: &str) -> Value {
        json!({
            "aliases": {"quantity": 1, "items": ["app.example.com"]},
            "origins": {"quantity": 1, "items": [{
                "id": "o1", "domainName": "origin.example.com",
                "customOriginConfig": {"originProtocolPolicy": "https-only"}
            }]},
            "defaultCacheBehavior": {"targetOriginId": "o1", "viewerProtocolPolicy": "https-only"},
            "viewerCertificate": {"aCMCertificateArn": certificate_arn, "sSLSupportMethod": "sni-only",
                                  "minimumProtocolVersion": "TLSv1.2_2021"},
            "enabled": true
        })
    }

    fn audited_ids(trigger: &Trigger) -> Vec<String> {
        match trigger {
            Trigger::Audit {
                scope: Scope::Distributions(ids),
                ..
            } => ids.clone(),
            other => panic!("expected an audit of named distributions, got {other:?}"),
        }
    }

    fn parse(event: &Value) -> Trigger {
        parse_trigger(event).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn each_call_keeps_its_distribution_id_where_the_reference_says() {
        let cases = [
            (
                "CreateDistribution",
                json!({"requestParameters": {"distributionConfig": {}},
                       "responseElements": {"distribution": {"id": "ECREATED1"}}}),
                vec!["ECREATED1"],
            ),
            (
                "CreateDistributionWithTags",
                json!({"requestParameters": {"distributionConfigWithTags": {"distributionConfig": {}}},
                       "responseElements": {"distribution": {"id": "ECREATED2"}}}),
                vec!["ECREATED2"],
            ),
            (
                "UpdateDistribution",
                json!({"requestParameters": {"id": "EUPDATED1", "distributionConfig": {}},
                       "responseElements": {"distribution": {"id": "EUPDATED1"}}}),
                vec!["EUPDATED1"],
            ),
            (
                // The response repeats the id; enough when the request's is missing.
                "UpdateDistribution",
                json!({"requestParameters": {"distributionConfig": {}},
                       "responseElements": {"distribution": {"id": "EUPDATED2"}}}),
                vec!["EUPDATED2"],
            ),
            (
                "CopyDistribution",
                json!({"requestParameters": {"primaryDistributionId": "EPRIMARY1", "staging": true},
                       "responseElements": {"distribution": {"id": "ESTAGING1"}}}),
                vec!["ESTAGING1", "EPRIMARY1"],
            ),
            (
                "UpdateDistributionWithStagingConfig",
                json!({"requestParameters": {"id": "EPRIMARY2", "stagingDistributionId": "ESTAGING2"},
                       "responseElements": {"distribution": {"id": "EPRIMARY2"}}}),
                vec!["EPRIMARY2", "ESTAGING2"],
            ),
            (
                "AssociateAlias",
                json!({"requestParameters": {"targetDistributionId": "ETARGET1", "alias": "www.example.com"},
                       "responseElements": null}),
                vec!["ETARGET1"],
            ),
            (
                "UpdateDomainAssociation",
                json!({"requestParameters": {"domain": "www.example.com",
                                             "targetResource": {"distributionId": "ETARGET2"}},
                       "responseElements": {"domain": "www.example.com", "resourceId": "ETARGET2"}}),
                vec!["ETARGET2"],
            ),
        ];
        for (event_name, detail, expected) in cases {
            let trigger = parse(&cloudtrail_event(event_name, detail));
            assert_eq!(audited_ids(&trigger), expected, "{event_name}");
            let Some(Cause::ApiCall {
                event_name: name,
                actor_arn,
                event_time,
                rejected,
                ..
            }) = trigger.cause()
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(name, event_name);
            assert_eq!(
                actor_arn.as_deref(),
                Some("arn:aws:iam::111122223333:user/ops")
            );
            assert_eq!(event_time.as_deref(), Some("2026-03-03T09:14:02Z"));
            assert!(rejected.is_none());
        }
    }

    #[test]
    fn moved_aliases_are_named_in_the_cause() {
        for (event_name, detail) in [
            (
                "AssociateAlias",
                json!({"requestParameters": {"targetDistributionId": "ETARGET1", "alias": "www.example.com"}}),
            ),
            (
                "UpdateDomainAssociation",
                json!({"requestParameters": {"domain": "www.example.com",
                                             "targetResource": {"distributionId": "ETARGET2"}}}),
            ),
        ] {
            let trigger = parse(&cloudtrail_event(event_name, detail));
            let Some(Cause::ApiCall { alias, .. }) = trigger.cause() else {
                panic!("{trigger:?}")
            };
            assert_eq!(alias.as_deref(), Some("www.example.com"), "{event_name}");
        }
    }

    #[test]
    fn a_successful_call_without_its_id_is_a_precise_error() {
        let cases = [
            ("UpdateDistribution", json!({"requestParameters": {"distributionConfig": {}}}),
             "CloudTrail UpdateDistribution event without detail.requestParameters.id: cannot tell which distribution changed"),
            ("CreateDistribution", json!({"requestParameters": {}, "responseElements": {}}),
             "CloudTrail CreateDistribution event without detail.responseElements.distribution.id: cannot tell which distribution was created"),
            ("AssociateAlias", json!({"requestParameters": {"alias": "a.example.com"}}),
             "CloudTrail AssociateAlias event without detail.requestParameters.targetDistributionId: cannot tell which distribution the alias moved to"),
            ("UpdateDomainAssociation", json!({"requestParameters": {"domain": "a.example.com", "targetResource": {}}}),
             "CloudTrail UpdateDomainAssociation event without detail.requestParameters.targetResource.distributionId"),
            ("CopyDistribution", json!({"requestParameters": {}}),
             "CloudTrail CopyDistribution event without detail.responseElements.distribution.id and detail.requestParameters.primaryDistributionId"),
            ("UpdateDistributionWithStagingConfig", json!({"requestParameters": {"stagingDistributionId": "ES1"}}),
             "CloudTrail UpdateDistributionWithStagingConfig event without detail.requestParameters.id"),
        ];
        for (event_name, detail, expected) in cases {
            let error = parse_trigger(&cloudtrail_event(event_name, detail)).unwrap_err();
            assert!(
                error.to_string().starts_with(expected),
                "{event_name}: {error}"
            );
        }
    }

    #[test]
    fn ids_of_the_wrong_type_or_shape_are_refused() {
        let error = parse_trigger(&cloudtrail_event(
            "UpdateDistribution",
            json!({"requestParameters": {"id": 5}}),
        ))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "CloudTrail UpdateDistribution event: detail.requestParameters.id is the number 5, \
             expected a distribution id string"
        );
        let error = parse_trigger(&cloudtrail_event(
            "UpdateDistribution",
            json!({"requestParameters": {"id": "edfdvbd6example; rm -rf"}}),
        ))
        .unwrap_err();
        assert!(matches!(error, TriggerError::InvalidDistributionId { .. }));
        let error = parse_trigger(&cloudtrail_event(
            "UpdateDomainAssociation",
            json!({"requestParameters": {"targetResource": "ETARGET"}}),
        ))
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("detail.requestParameters.targetResource is the string"),
            "{error}"
        );
        let error = parse_trigger(&cloudtrail_event(
            "UpdateDistribution",
            json!({"requestParameters": [], "responseElements": null}),
        ))
        .unwrap_err();
        assert!(error
            .to_string()
            .contains("detail.requestParameters is an array"));
    }

    #[test]
    fn a_domain_moved_to_a_tenant_is_ignored() {
        let trigger = parse(&cloudtrail_event(
            "UpdateDomainAssociation",
            json!({"requestParameters": {"domain": "t.example.com",
                                         "targetResource": {"distributionTenantId": "dt_2abc"}}}),
        ));
        let Trigger::Ignore { reason, .. } = trigger else {
            panic!("{trigger:?}")
        };
        assert!(reason.contains("distribution tenant"), "{reason}");
    }

    #[test]
    fn a_refused_update_with_its_config_checks_the_attempted_config() {
        let wrong_region = "arn:aws:acm:eu-west-1:111122223333:certificate/abc";
        let trigger = parse(&cloudtrail_event(
            "UpdateDistribution",
            json!({"errorCode": "InvalidViewerCertificate",
                   "errorMessage": "The specified SSL certificate doesn't exist, isn't in us-east-1 region",
                   "requestParameters": {"id": "EDFDVBD6EXAMPLE", "ifMatch": "E1",
                                         "distributionConfig": attempted_config(wrong_region)},
                   "responseElements": null}),
        ));
        let Trigger::CheckRejected {
            distribution,
            live_id,
            cause,
        } = &trigger
        else {
            panic!("{trigger:?}")
        };
        assert_eq!(live_id.as_deref(), Some("EDFDVBD6EXAMPLE"));
        assert_eq!(
            distribution
                .viewer_certificate
                .acm_certificate_arn
                .as_deref(),
            Some(wrong_region)
        );
        assert_eq!(
            distribution.origin,
            crate::model::DistributionOrigin::Proposed
        );
        let Cause::ApiCall {
            rejected: Some(rejection),
            ..
        } = cause
        else {
            panic!("{cause:?}")
        };
        assert_eq!(rejection.error_code, "InvalidViewerCertificate");
        assert!(rejection.config_unavailable.is_none());
        assert!(trigger
            .to_string()
            .contains("refused with InvalidViewerCertificate"));
    }

    #[test]
    fn a_refused_creation_checks_the_attempted_config_without_a_live_id() {
        for request in [
            json!({"distributionConfig": attempted_config("arn:aws:acm:us-east-1:1:certificate/x")}),
            json!({"distributionConfigWithTags": {
                "distributionConfig": attempted_config("arn:aws:acm:us-east-1:1:certificate/x"),
                "tags": {"items": []}}}),
        ] {
            let trigger = parse(&cloudtrail_event(
                "CreateDistributionWithTags",
                json!({"errorCode": "CNAMEAlreadyExists", "requestParameters": request,
                       "responseElements": null}),
            ));
            let Trigger::CheckRejected {
                distribution,
                live_id: None,
                cause:
                    Cause::ApiCall {
                        rejected: Some(rejection),
                        ..
                    },
            } = &trigger
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(distribution.id, "attempted CreateDistributionWithTags");
            assert_eq!(distribution.aliases, vec!["app.example.com"]);
            assert!(rejection
                .advice()
                .is_some_and(|a| a.contains("AssociateAlias")));
        }
    }

    #[test]
    fn a_refused_update_without_a_usable_config_audits_the_live_distribution() {
        let cases = [
            (json!({"id": "EDFDVBD6EXAMPLE"}), "has no requestParameters.distributionConfig"),
            (json!({"id": "EDFDVBD6EXAMPLE", "distributionConfig": null}), "has no requestParameters.distributionConfig"),
            (json!({"id": "EDFDVBD6EXAMPLE", "distributionConfig": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
             "CloudTrail hid requestParameters.distributionConfig (HIDDEN_DUE_TO_SECURITY_REASONS)"),
            (json!({"id": "EDFDVBD6EXAMPLE", "distributionConfig": "{\"aliases\": {\"quan"}),
             "requestParameters.distributionConfig is the string"),
            // Truncated: the object lost its origins.
            (json!({"id": "EDFDVBD6EXAMPLE", "distributionConfig": {"aliases": {"quantity": 1, "items": ["a.example.com"]}}}),
             "could not be read (truncated or abbreviated by CloudTrail?)"),
        ];
        for (request, expected) in cases {
            let trigger = parse(&cloudtrail_event(
                "UpdateDistribution",
                json!({"errorCode": "InvalidViewerCertificate", "requestParameters": request,
                       "responseElements": null}),
            ));
            assert_eq!(audited_ids(&trigger), vec!["EDFDVBD6EXAMPLE"]);
            let Some(Cause::ApiCall {
                rejected: Some(rejection),
                ..
            }) = trigger.cause()
            else {
                panic!("{trigger:?}")
            };
            let why = rejection.config_unavailable.as_deref().unwrap();
            assert!(why.contains(expected), "{why}");
        }
    }

    #[test]
    fn a_refused_creation_without_a_config_is_ignored_with_the_reason() {
        let trigger = parse(&cloudtrail_event(
            "CreateDistribution",
            json!({"errorCode": "AccessDenied", "errorMessage": "not authorized",
                   "requestParameters": {"distributionConfig": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                   "responseElements": null}),
        ));
        let Trigger::Ignore { reason, .. } = trigger else {
            panic!("{trigger:?}")
        };
        assert!(reason.contains("refused (\"AccessDenied\")"), "{reason}");
        assert!(reason.contains("nothing to audit"), "{reason}");
    }

    #[test]
    fn a_refused_call_without_a_config_audits_its_target() {
        let trigger = parse(&cloudtrail_event(
            "AssociateAlias",
            json!({"errorCode": "InvalidViewerCertificate",
                   "requestParameters": {"targetDistributionId": "ETARGET1", "alias": "x.example.com"},
                   "responseElements": null}),
        ));
        assert_eq!(audited_ids(&trigger), vec!["ETARGET1"]);
        let Some(Cause::ApiCall {
            rejected: Some(rejection),
            ..
        }) = trigger.cause()
        else {
            panic!("{trigger:?}")
        };
        assert!(rejection
            .config_unavailable
            .as_deref()
            .is_some_and(|why| why.contains("AssociateAlias does not carry a DistributionConfig")));
        // A refused copy created nothing: only the primary is audited.
        let trigger = parse(&cloudtrail_event(
            "CopyDistribution",
            json!({"errorCode": "InvalidArgument",
                   "requestParameters": {"primaryDistributionId": "EPRIMARY1"},
                   "responseElements": null}),
        ));
        assert_eq!(audited_ids(&trigger), vec!["EPRIMARY1"]);
    }

    #[test]
    fn acm_details_are_optional_and_lenient() {
        let arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc";
        let event = |detail_type: &str, detail: Value| json!({"source": "aws.acm", "detail-type": detail_type, "resources": [arn], "detail": detail});
        let trigger = parse(&event(
            "ACM Certificate Approaching Expiration",
            json!({"DaysToExpiry": "7", "InUse": "TRUE"}),
        ));
        let Trigger::AuditCertificate {
            certificate_arn,
            cause:
                Cause::Certificate {
                    event: acm_event,
                    in_use,
                    common_name,
                    ..
                },
        } = &trigger
        else {
            panic!("{trigger:?}")
        };
        assert_eq!(certificate_arn, arn);
        assert_eq!(
            *acm_event,
            AcmEvent::ApproachingExpiration {
                days_to_expiry: Some(7)
            }
        );
        assert_eq!(*in_use, Some(true));
        assert_eq!(*common_name, None);
        assert!(trigger.to_string().contains("7 days to expiry"));

        // No detail at all, or a detail of the wrong type, still names the certificate.
        for detail in [
            Value::Null,
            json!("{}"),
            json!({"DaysToExpiry": [1], "InUse": "maybe"}),
        ] {
            let trigger = parse(&event("ACM Certificate Renewal Action Required", detail));
            let Trigger::AuditCertificate {
                cause: Cause::Certificate { event, in_use, .. },
                ..
            } = trigger
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(
                event,
                AcmEvent::RenewalActionRequired {
                    reason: None,
                    days_to_expiry: None
                }
            );
            assert_eq!(in_use, None);
        }
    }

    #[test]
    fn an_acm_event_without_its_certificate_names_the_field() {
        let error = parse_trigger(&json!({
            "source": "aws.acm", "detail-type": "ACM Certificate Expired", "detail": {}
        }))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "ACM Certificate Expired event without resources[0]: ACM names the certificate only \
             there, so there is no certificate to audit"
        );
        let error = parse_trigger(&json!({
            "source": "aws.acm", "detail-type": "ACM Certificate Expired", "resources": [7]
        }))
        .unwrap_err();
        assert!(error
            .to_string()
            .contains("resources[0] is the number 7, expected the certificate ARN string"));
    }

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
    fn invalid_json_reports_line_and_column() {
        let error = parse_trigger_bytes(b"{\n  \"action\": \"sweep\",\n}").unwrap_err();
        let TriggerError::InvalidJson { line, column, .. } = error else {
            panic!("{error:?}")
        };
        assert_eq!((line, column), (3, 1));
    }

    #[test]
    fn certificate_arns_are_checked() {
        for good in [
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            "arn:aws-cn:acm:cn-north-1:111122223333:certificate/abc",
        ] {
            assert!(looks_like_certificate_arn(good), "{good}");
        }
        for bad in [
            "",
            "arn:aws:iam::111122223333:server-certificate/x",
            "arn:aws:acm:us-east-1:111122223333:certificate/",
            "arn:aws:acm:us-east-1:111122223333:certificate/a b",
            "arn:aws:acm::111122223333:certificate/abc",
        ] {
            assert!(!looks_like_certificate_arn(bad), "{bad}");
        }
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
