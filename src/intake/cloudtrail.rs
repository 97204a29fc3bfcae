//! CloudFront API calls recorded by CloudTrail and delivered by EventBridge (`AWS API Call via
//! CloudTrail` from `aws.cloudfront`): the calls that change what a viewer's TLS handshake meets, where
//! each keeps its distribution ids, and, for a call CloudFront refused, the configuration it was given
//! (checked as a proposal, to explain the refusal) or why that configuration is unavailable. The VPC
//! origin calls, which arrive the same way, are read by `vpc_origin`.

use serde_json::{Map, Value};

use super::api_record;
use super::distribution_config::distribution_from_value;
use super::distribution_ids::{checked_id, push_unique};
use super::json::{lenient_string, optional_object};
use super::untrusted::{clip, describe, echo, escape_clip};
use super::{vpc_origin, Rejection, Trigger, TriggerError};
use crate::model::{Distribution, Scope};

/// The EventBridge `source` of CloudFront's CloudTrail-delivered calls.
pub(super) const SOURCE: &str = "aws.cloudfront";

/// CloudTrail's `eventSource` for CloudFront.
const CLOUDFRONT_EVENT_SOURCE: &str = "cloudfront.amazonaws.com";

/// What CloudTrail writes in place of a value it will not log.
const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

watched_calls! {
    /// The CloudFront calls that change what a viewer's TLS handshake meets.
    enum Call {
        CreateDistribution,
        CreateDistributionWithTags,
        UpdateDistribution,
        CopyDistribution,
        UpdateDistributionWithStagingConfig,
        AssociateAlias,
        UpdateDomainAssociation,
    }
}

impl Call {
    /// Whether the request carries a whole DistributionConfig that can be checked when refused.
    fn carries_config(self) -> bool {
        matches!(
            self,
            Call::CreateDistribution | Call::CreateDistributionWithTags | Call::UpdateDistribution
        )
    }
}

/// A CloudTrail record of a CloudFront call: audit the distributions it changed, check the
/// configuration it proposed when CloudFront refused it, or ignore a call that changes no TLS.
pub(super) fn api_call(envelope: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "CloudTrail event from aws.cloudfront";
    let detail = api_record::record(envelope, CONTEXT)?;
    if let Some(ignored) = api_record::other_event_source(envelope, detail, CLOUDFRONT_EVENT_SOURCE)
    {
        return Ok(ignored);
    }
    let name = api_record::event_name(
        detail,
        CONTEXT,
        "cannot tell which CloudFront call was made",
        "a string such as \"UpdateDistribution\"",
    )?;
    // VPC origins are not distributions: their calls audit the distributions that use them.
    if let Some(trigger) = vpc_origin::api_call(envelope, detail, name) {
        return Ok(trigger);
    }
    let Some(call) = Call::from_name(name) else {
        let reason = if name == "DeleteDistribution" {
            "CloudTrail DeleteDistribution: the distribution is gone, so there is nothing left to \
             audit"
                .to_owned()
        } else {
            format!(
                "CloudTrail {} does not change a distribution's TLS; watched calls: {}",
                echo(name),
                Call::watched()
            )
        };
        return Ok(Trigger::ignore(envelope, reason));
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

    let error_code = api_record::error_code(detail);
    let rejected = error_code.is_some();

    // Where each call keeps its distribution ids (events-and-notifications.md §1.3). A refused call
    // may lack them (nothing was created), so they are required only for calls that succeeded.
    let ids = call_ids(call, request, response, &context, rejected)?;
    let Some(ids) = ids else {
        // UpdateDomainAssociation aimed at a distribution tenant.
        return Ok(Trigger::ignore(
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

    let cause = |rejected: Option<Rejection>| {
        api_record::cause(envelope, detail, call.name(), alias.clone(), rejected)
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
        return Ok(Trigger::ignore(
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
        None => Err(TriggerError::missing(context, field, why)),
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
                return Err(TriggerError::missing(
                    context,
                    "detail.responseElements.distribution.id and \
                            detail.requestParameters.primaryDistributionId",
                    "cannot tell which distributions the copy concerns",
                ));
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
        push_unique(&mut unique, id);
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
    // distribution_config peels the requestParameters wrappers itself and takes the id from `id` when there.
    let label = format!("attempted {}", call.name());
    distribution_from_value(raw, &label).map_err(|e| {
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
                return Err(TriggerError::wrong_type(
                    context,
                    walked,
                    if last {
                        "a distribution id string"
                    } else {
                        "an object"
                    },
                    other,
                ))
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{audited_ids, parse};
    use super::super::{parse_trigger, Cause, TriggerError};
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

    /// The smallest DistributionConfig distribution_config accepts, in CloudTrail's casing.
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
}
