//! What intake hands to the rest of the pipeline: a [`Trigger`] (what to audit) and its [`Cause`] (why,
//! for the report and the notification), in CloudTrail's, ACM's and EventBridge's own terms.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::untrusted::{escape_clip, ECHO_CHARS};
use crate::model::{Distribution, OriginResource, Scope};

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
    /// Audit the distributions whose origins reach one load balancer or VPC origin, after a change to
    /// it: a listener of the load balancer created, modified or deleted, or its certificates added or
    /// removed (any region: the ARN carries it), or the VPC origin created or updated. The caller
    /// resolves which distributions reach it; none at all is not an error.
    AuditOriginResource {
        /// The load balancer (by ARN, a listener's ARN already turned into its load balancer's) or
        /// the VPC origin (by id).
        resource: OriginResource,
        /// Why: the CloudTrail call ([`Cause::ApiCall`]).
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
    /// A step of the organization sweep (issue 14), sent by the state machine.
    Organization(crate::organization::OrganizationTask),
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
            | Trigger::AuditOriginResource { cause, .. }
            | Trigger::CheckRejected { cause, .. } => Some(cause),
            Trigger::Organization(_) | Trigger::Ignore { .. } => None,
        }
    }

    /// An ignore result carrying the envelope's `source` and `detail-type` for the log line.
    pub(super) fn ignore(envelope: &Map<String, Value>, reason: String) -> Trigger {
        let field = |key: &str| match envelope.get(key) {
            Some(Value::String(s)) => Some(escape_clip(s, ECHO_CHARS)),
            _ => None,
        };
        Trigger::Ignore {
            reason,
            source: field("source"),
            detail_type: field("detail-type"),
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
            Trigger::AuditOriginResource { resource, cause } => {
                write!(f, "audit the distributions reaching {resource} ({cause})")
            }
            Trigger::CheckRejected { live_id, cause, .. } => match live_id {
                Some(id) => write!(f, "check the configuration refused for {id} ({cause})"),
                None => write!(f, "check the refused configuration ({cause})"),
            },
            Trigger::Organization(task) => match task {
                crate::organization::OrganizationTask::ListAccounts { run } => {
                    write!(
                        f,
                        "list the organization's accounts (run {})",
                        run.execution
                    )
                }
                crate::organization::OrganizationTask::SweepAccounts { run, accounts, .. } => {
                    write!(
                        f,
                        "sweep {} account(s) (run {})",
                        accounts.len(),
                        run.execution
                    )
                }
                crate::organization::OrganizationTask::Digest { run, .. } => {
                    write!(f, "build the organization digest (run {})", run.execution)
                }
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
    /// A CloudFront or Elastic Load Balancing API call recorded by CloudTrail.
    ApiCall {
        /// The call, e.g. `UpdateDistribution`, `ModifyListener`.
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
    /// One account's part of the organization sweep (issue 14): a Distributed Map item.
    #[serde(rename = "organization")]
    Organization,
}

impl SweepSource {
    /// The name used in JSON and logs: `aws.events`, `aws.scheduler`, `direct` or `organization`.
    pub fn as_str(self) -> &'static str {
        match self {
            SweepSource::Events => "aws.events",
            SweepSource::Scheduler => "aws.scheduler",
            SweepSource::Direct => "direct",
            SweepSource::Organization => "organization",
        }
    }
}
