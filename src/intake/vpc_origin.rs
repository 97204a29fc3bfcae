//! CloudFront VPC origin calls recorded by CloudTrail (`CreateVpcOrigin`, `UpdateVpcOrigin`,
//! `DeleteVpcOrigin`, from `aws.cloudfront` like the distribution calls): a VPC origin's endpoint,
//! ports and origin TLS protocols are what CloudFront meets behind every distribution using it, so a
//! change audits those distributions, named by the VPC origin's id.
//!
//! No public sample of these records was found (docs/plans/issue-13-load-balancer-origins.md 5.1): the
//! id is read from every place the API model puts it, and a record without a usable id is ignored
//! with the reason, as a refused call is (it changed nothing).

use serde_json::{Map, Value};

use super::api_record;
use super::untrusted::{quote, ARN_ECHO_CHARS};
use super::Trigger;
use crate::model::{is_vpc_origin_id, OriginResource};

watched_calls! {
    /// The VPC origin calls that change what CloudFront meets behind the distributions using it.
    enum Call {
        CreateVpcOrigin,
        UpdateVpcOrigin,
    }
}

impl Call {
    /// Where the record names the VPC origin, in the order tried (paths under `detail`): the
    /// request's `Id` for an update; the created `VpcOrigin.Id`, else the end of the `Location` URL or
    /// of `VpcOrigin.Arn` (`arn:aws:cloudfront::ACCOUNT:vpcorigin/ID`) for both.
    fn id_paths(self) -> &'static [&'static str] {
        match self {
            Call::CreateVpcOrigin => &[
                "responseElements.vpcOrigin.id",
                "responseElements.location",
                "responseElements.vpcOrigin.arn",
            ],
            Call::UpdateVpcOrigin => &[
                "requestParameters.id",
                "responseElements.vpcOrigin.id",
                "responseElements.vpcOrigin.arn",
            ],
        }
    }
}

/// A VPC origin call's trigger; `None` when `name` is not a VPC origin call (another CloudFront call).
pub(super) fn api_call(
    envelope: &Map<String, Value>,
    detail: &Map<String, Value>,
    name: &str,
) -> Option<Trigger> {
    let Some(call) = Call::from_name(name) else {
        // CloudFront deletes a VPC origin only when no distribution uses it any more
        // (CannotDeleteEntityWhileInUse otherwise), so no distribution is left to audit.
        return (name == "DeleteVpcOrigin").then(|| {
            Trigger::ignore(
                envelope,
                "CloudTrail DeleteVpcOrigin: CloudFront deletes only a VPC origin no distribution \
                 uses, so there is nothing left to audit"
                    .to_owned(),
            )
        });
    };
    if let Some(error_code) = api_record::error_code(detail) {
        return Some(api_record::refused_changed_nothing(
            envelope,
            call.name(),
            &error_code,
        ));
    }
    Some(match vpc_origin_id(call, detail) {
        Ok(id) => Trigger::AuditOriginResource {
            resource: OriginResource::VpcOrigin(id),
            cause: api_record::cause(envelope, detail, call.name(), None, None),
        },
        Err(reason) => Trigger::ignore(envelope, reason),
    })
}

/// The VPC origin id a call's record names, or why there is none usable (for the ignore reason).
fn vpc_origin_id(call: Call, detail: &Map<String, Value>) -> Result<String, String> {
    let (path, text) = api_record::first_string(
        detail,
        call.name(),
        call.id_paths(),
        "which VPC origin changed",
        "a VPC origin id string",
    )?;
    // The Location URL ends with the id (`…/2020-05-31/vpc-origin/ID`), the ARN's resource is
    // `vpcorigin/ID`; an id field is the id alone.
    let id = if path.ends_with(".location") {
        text.rsplit('/').next()
    } else if path.ends_with(".arn") {
        text.splitn(6, ':')
            .nth(5)
            .and_then(|resource| resource.strip_prefix("vpcorigin/"))
    } else {
        Some(text)
    };
    match id {
        Some(id) if is_vpc_origin_id(id) => Ok(id.to_owned()),
        _ => Err(format!(
            "CloudTrail {}: {path} is {}, which does not name a VPC origin id (1 to 128 letters, \
             digits, '_' or '-', like vo_BQwjxxxxxxxxxxxxxxxxxx)",
            call.name(),
            quote(text, ARN_ECHO_CHARS)
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{api_call_event, audited_resource, ignored, parse};
    use super::super::Cause;
    use super::*;

    fn vpc_origin_event(event_name: &str, detail: Value) -> Value {
        api_call_event(
            "aws.cloudfront",
            "cloudfront.amazonaws.com",
            "us-east-1",
            event_name,
            detail,
        )
    }

    #[test]
    fn each_call_names_its_vpc_origin_where_the_api_puts_it() {
        let cases = [
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"vpcOrigin": {"id": "vo_ABC", "arn": "arn:aws:cloudfront::123456789012:vpcorigin/vo_OTHER"},
                       "location": "https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/vo_OTHER"}}),
            ),
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"vpcOrigin": {"status": "Deploying"},
                       "location": "https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/vo_ABC"}}),
            ),
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"vpcOrigin": {"arn": "arn:aws:cloudfront::123456789012:vpcorigin/vo_ABC"}}}),
            ),
            (
                "UpdateVpcOrigin",
                json!({"requestParameters": {"id": "vo_ABC", "ifMatch": "E1"},
                       "responseElements": {"vpcOrigin": {"id": "vo_OTHER"}}}),
            ),
            (
                "UpdateVpcOrigin",
                json!({"requestParameters": {"ifMatch": "E1"},
                       "responseElements": {"vpcOrigin": {"id": "vo_ABC"}}}),
            ),
        ];
        for (event_name, detail) in cases {
            let trigger = parse(&vpc_origin_event(event_name, detail));
            assert_eq!(
                *audited_resource(&trigger),
                OriginResource::VpcOrigin("vo_ABC".to_owned()),
                "{event_name}"
            );
            let Some(Cause::ApiCall {
                event_name: name,
                event_time,
                rejected: None,
                ..
            }) = trigger.cause()
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(name, event_name);
            assert_eq!(event_time.as_deref(), Some("2026-12-01T10:00:00Z"));
            assert!(trigger
                .to_string()
                .starts_with("audit the distributions reaching VPC origin vo_ABC ("));
        }
    }

    #[test]
    fn unusable_records_are_ignored_with_the_reason() {
        let cases = [
            (
                "UpdateVpcOrigin",
                json!({"requestParameters": {}, "responseElements": null}),
                "CloudTrail UpdateVpcOrigin without detail.requestParameters.id or \
                 detail.responseElements.vpcOrigin.id or detail.responseElements.vpcOrigin.arn: \
                 cannot tell which VPC origin changed",
            ),
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"vpcOrigin": {"id": ["vo_ABC"]}}}),
                "CloudTrail CreateVpcOrigin: detail.responseElements.vpcOrigin.id is an array of 1 items",
            ),
            (
                "UpdateVpcOrigin",
                json!({"requestParameters": {"id": "vo_ABC; rm -rf /"}}),
                "CloudTrail UpdateVpcOrigin: detail.requestParameters.id is \"vo_ABC; rm -rf /\", which does not name",
            ),
            (
                "UpdateVpcOrigin",
                json!({"requestParameters": {"id": "../vo_ABC"}}),
                "CloudTrail UpdateVpcOrigin: detail.requestParameters.id is \"../vo_ABC\", which does not name",
            ),
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"vpcOrigin": {"arn": "arn:aws:cloudfront::123456789012:distribution/vo_ABC"}}}),
                "CloudTrail CreateVpcOrigin: detail.responseElements.vpcOrigin.arn is",
            ),
            (
                "CreateVpcOrigin",
                json!({"responseElements": {"location": "https://cloudfront.amazonaws.com/vpc-origin/"}}),
                "CloudTrail CreateVpcOrigin: detail.responseElements.location is",
            ),
            (
                "UpdateVpcOrigin",
                json!({"errorCode": "PreconditionFailed", "requestParameters": {"id": "vo_ABC"}}),
                "CloudTrail UpdateVpcOrigin was refused (\"PreconditionFailed\"): nothing changed",
            ),
            (
                "DeleteVpcOrigin",
                json!({"requestParameters": {"id": "vo_ABC"}}),
                "CloudTrail DeleteVpcOrigin: CloudFront deletes only a VPC origin no distribution uses",
            ),
        ];
        for (event_name, detail, expected) in cases {
            let reason = ignored(&vpc_origin_event(event_name, detail));
            assert!(reason.starts_with(expected), "{event_name}: {reason}");
        }
    }

    #[test]
    fn vpc_origin_ids_are_checked() {
        for good in ["vo_BQwjxxxxxxxxxxxxxxxxxx", "vo_ABC", "x", &"a".repeat(128)] {
            assert!(is_vpc_origin_id(good), "{good}");
        }
        for bad in [
            "",
            "vo ABC",
            "vo_ABC\n",
            "../vo_ABC",
            "vo_%41",
            "vó",
            &"a".repeat(129),
        ] {
            assert!(!is_vpc_origin_id(bad), "{bad}");
        }
    }
}
