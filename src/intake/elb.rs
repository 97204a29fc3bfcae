//! Elastic Load Balancing API calls recorded by CloudTrail (`AWS API Call via CloudTrail` from
//! `aws.elasticloadbalancing`): the listener calls that change what CloudFront meets when it connects
//! to an origin behind a load balancer (its TLS policy, its certificates, the listener itself). Each
//! becomes an audit of the distributions reaching the load balancer, named by its ARN.
//!
//! The events come from every region the load balancers are in, forwarded to us-east-1's bus, and keep
//! their own `region` and `detail.awsRegion`: the region is read from the ARN, never assumed.
//!
//! A record this reader cannot use (a refused call, no listener ARN, an ARN of another shape) is
//! ignored with the reason, not refused as malformed: nothing about it can be audited or retried.

use serde_json::{Map, Value};
use thiserror::Error;

use super::api_record;
use super::untrusted::{echo, quote, ARN_ECHO_CHARS};
use super::Trigger;
use super::TriggerError;
use crate::model::OriginResource;

/// The EventBridge `source` of Elastic Load Balancing's CloudTrail-delivered calls.
pub(super) const SOURCE: &str = "aws.elasticloadbalancing";

/// CloudTrail's `eventSource` for Elastic Load Balancing (both API versions).
const EVENT_SOURCE: &str = "elasticloadbalancing.amazonaws.com";

/// The longest ARN accepted. Load balancer names are at most 32 characters and the ids 16 hex
/// digits, so a real listener ARN is about 150 characters; this bound only keeps junk out.
const MAX_ARN_CHARS: usize = 512;

watched_calls! {
    /// The listener calls that change what CloudFront meets at an origin's load balancer.
    enum Call {
        CreateListener,
        ModifyListener,
        DeleteListener,
        AddListenerCertificates,
        RemoveListenerCertificates,
    }
}

impl Call {
    /// Where the call's record names the load balancer, in the order tried (paths under `detail`).
    /// CloudTrail writes the API's members in lowerCamelCase; no public sample of these records was
    /// found (docs/plans/issue-13-load-balancer-origins.md 5.1), so every place the API model puts the
    /// ARN is tried: the request first, then the listener the response describes.
    fn arn_paths(self) -> &'static [&'static str] {
        match self {
            Call::CreateListener => &[
                "requestParameters.loadBalancerArn",
                "responseElements.listeners[0].loadBalancerArn",
                "responseElements.listeners[0].listenerArn",
            ],
            Call::ModifyListener
            | Call::DeleteListener
            | Call::AddListenerCertificates
            | Call::RemoveListenerCertificates => &[
                "requestParameters.listenerArn",
                "responseElements.listeners[0].loadBalancerArn",
                "responseElements.listeners[0].listenerArn",
            ],
        }
    }
}

/// A CloudTrail record of an Elastic Load Balancing call: audit the distributions reaching the load
/// balancer whose listener changed, or ignore the record with the reason.
pub(super) fn api_call(envelope: &Map<String, Value>) -> Result<Trigger, TriggerError> {
    const CONTEXT: &str = "CloudTrail event from aws.elasticloadbalancing";
    let detail = api_record::record(envelope, CONTEXT)?;
    if let Some(ignored) = api_record::other_event_source(envelope, detail, EVENT_SOURCE) {
        return Ok(ignored);
    }
    let name = api_record::event_name(
        detail,
        CONTEXT,
        "cannot tell which Elastic Load Balancing call was made",
        "a string such as \"ModifyListener\"",
    )?;
    let Some(call) = Call::from_name(name) else {
        return Ok(Trigger::ignore(
            envelope,
            format!(
                "CloudTrail {} does not change what CloudFront meets at a load balancer's listener; \
                 watched calls: {}",
                echo(name),
                Call::watched()
            ),
        ));
    };
    if let Some(error_code) = api_record::error_code(detail) {
        return Ok(api_record::refused_changed_nothing(
            envelope,
            call.name(),
            &error_code,
        ));
    }
    match load_balancer_of(call, detail) {
        Ok(load_balancer_arn) => Ok(Trigger::AuditOriginResource {
            resource: OriginResource::LoadBalancer(load_balancer_arn),
            cause: api_record::cause(envelope, detail, call.name(), None, None),
        }),
        Err(reason) => Ok(Trigger::ignore(envelope, reason)),
    }
}

/// The load balancer ARN a call's record names, or why there is none usable (for the ignore reason).
fn load_balancer_of(call: Call, detail: &Map<String, Value>) -> Result<String, String> {
    let (path, arn) = api_record::first_string(
        detail,
        call.name(),
        call.arn_paths(),
        "which load balancer changed",
        "an Elastic Load Balancing ARN string",
    )?;
    let read = if path.ends_with("listenerArn") {
        load_balancer_of_listener(arn)
    } else {
        checked_load_balancer_arn(arn)
    };
    read.map_err(|problem| {
        format!(
            "CloudTrail {}: {path} is {}, {problem}",
            call.name(),
            quote(arn, ARN_ECHO_CHARS)
        )
    })
}

/// Why an ARN is not the listener or load balancer ARN expected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum ArnProblem {
    /// Over [`MAX_ARN_CHARS`], or characters no ARN has (spaces, controls, non-ASCII).
    #[error("which is not an ARN (over 512 characters, or not printable ASCII)")]
    NotAnArn,
    /// Not `arn:<partition>:elasticloadbalancing:<region>:<account>:…`.
    #[error(
        "which is not an Elastic Load Balancing ARN \
         (arn:<partition>:elasticloadbalancing:<region>:<account>:…)"
    )]
    NotElb,
    /// A gateway load balancer: it cannot be a CloudFront origin.
    #[error("a Gateway Load Balancer, which cannot be a CloudFront origin")]
    Gateway,
    /// Another resource than the one expected, or the wrong number of parts.
    #[error("not of the form {expected}")]
    Shape {
        /// The form expected.
        expected: &'static str,
    },
}

const LISTENER_FORM: &str = "arn:<partition>:elasticloadbalancing:<region>:<account>:listener/\
                             app|net/<name>/<load balancer id>/<listener id>";
const LOAD_BALANCER_FORM: &str = "arn:<partition>:elasticloadbalancing:<region>:<account>:\
                                  loadbalancer/app|net/<name>/<load balancer id>";

/// The ARN of the load balancer a listener belongs to:
/// `arn:PART:elasticloadbalancing:REGION:ACCT:listener/app|net/NAME/LBID/LISTENERID` becomes
/// `arn:PART:elasticloadbalancing:REGION:ACCT:loadbalancer/app|net/NAME/LBID`. The listener ARN is
/// the load balancer's with `listener` for `loadbalancer` and the listener's id appended (ELB API
/// reference, ARN formats; moto's ARNs follow it), so no lookup is needed, and the region stays the
/// listener's.
fn load_balancer_of_listener(listener_arn: &str) -> Result<String, ArnProblem> {
    let (prefix, resource) = split_elb_arn(listener_arn)?;
    let [kind, name, load_balancer_id, _listener_id] =
        resource_parts(resource, "listener/", LISTENER_FORM)?;
    Ok(format!(
        "{prefix}loadbalancer/{kind}/{name}/{load_balancer_id}"
    ))
}

/// A load balancer ARN, checked: `arn:PART:elasticloadbalancing:REGION:ACCT:loadbalancer/app|net/NAME/LBID`.
fn checked_load_balancer_arn(arn: &str) -> Result<String, ArnProblem> {
    let (_, resource) = split_elb_arn(arn)?;
    let [_kind, _name, _load_balancer_id] =
        resource_parts(resource, "loadbalancer/", LOAD_BALANCER_FORM)?;
    Ok(arn.to_owned())
}

/// The `N` non-empty `/`-separated parts of an ARN's resource after `type_prefix` (`listener/`,
/// `loadbalancer/`), the first being a kind of load balancer CloudFront can reach; else what is wrong,
/// with `form` as the shape expected.
fn resource_parts<'a, const N: usize>(
    resource: &'a str,
    type_prefix: &str,
    form: &'static str,
) -> Result<[&'a str; N], ArnProblem> {
    let expected = || ArnProblem::Shape { expected: form };
    let rest = resource.strip_prefix(type_prefix).ok_or_else(expected)?;
    let parts: Vec<&str> = rest.split('/').collect();
    let parts: [&str; N] = parts.try_into().map_err(|_| expected())?;
    check_kind(parts.first().copied().unwrap_or_default())?;
    if parts.iter().any(|part| part.is_empty()) {
        return Err(expected());
    }
    Ok(parts)
}

/// Application and Network Load Balancers can be CloudFront origins; a Gateway Load Balancer
/// (`gwy`) cannot.
fn check_kind(kind: &str) -> Result<(), ArnProblem> {
    match kind {
        "app" | "net" => Ok(()),
        "gwy" => Err(ArnProblem::Gateway),
        _ => Err(ArnProblem::NotElb),
    }
}

/// `arn:PART:elasticloadbalancing:REGION:ACCT:` (kept whole, with its final colon) and the resource
/// after it. The region and account are only required to be there: a forwarded event may come from
/// any region, and the account is the caller's to compare.
fn split_elb_arn(arn: &str) -> Result<(&str, &str), ArnProblem> {
    if arn.len() > MAX_ARN_CHARS || !arn.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ArnProblem::NotAnArn);
    }
    let mut parts = arn.splitn(6, ':');
    let shape = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next() == Some("elasticloadbalancing")
        && parts.next().is_some_and(|region| !region.is_empty())
        && parts.next().is_some_and(|account| !account.is_empty());
    match parts.next() {
        Some(resource) if shape => Ok((&arn[..arn.len() - resource.len()], resource)),
        _ => Err(ArnProblem::NotElb),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{api_call_event, audited_resource, ignored, parse};
    use super::super::Cause;
    use super::*;

    const LB: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/3188688ae12fc373";
    const LISTENER: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/my-alb/3188688ae12fc373/ab2ff6e7cc8a4d5b";

    #[test]
    fn a_listener_arn_names_its_load_balancer() {
        assert_eq!(load_balancer_of_listener(LISTENER).as_deref(), Ok(LB));
        // Network Load Balancers, other partitions and regions keep theirs.
        assert_eq!(
            load_balancer_of_listener(
                "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:listener/net/my-nlb/50dc6c495c0c9188/f2f7dc8efc522ab2"
            )
            .as_deref(),
            Ok("arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188")
        );
        assert_eq!(
            load_balancer_of_listener(
                "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:listener/app/a/1/2"
            )
            .as_deref(),
            Ok("arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/a/1")
        );
    }

    #[test]
    fn malformed_listener_arns_say_what_is_wrong() {
        let shape = ArnProblem::Shape {
            expected: LISTENER_FORM,
        };
        let cases = [
            ("", ArnProblem::NotElb),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a b/1/2",
                ArnProblem::NotAnArn,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/é/1/2",
                ArnProblem::NotAnArn,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a\n/1/2",
                ArnProblem::NotAnArn,
            ),
            (
                "arn:aws:ec2:eu-west-1:1:listener/app/a/1/2",
                ArnProblem::NotElb,
            ),
            (
                "arn:aws:elasticloadbalancing::1:listener/app/a/1/2",
                ArnProblem::NotElb,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1::listener/app/a/1/2",
                ArnProblem::NotElb,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1",
                ArnProblem::NotElb,
            ),
            (
                "nra:aws:elasticloadbalancing:eu-west-1:1:listener/app/a/1/2",
                ArnProblem::NotElb,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/gwy/a/1/2",
                ArnProblem::Gateway,
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/xyz/a/1/2",
                ArnProblem::NotElb,
            ),
            (LB, shape.clone()),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a/1",
                shape.clone(),
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a/1/2/3",
                shape.clone(),
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app//1/2",
                shape.clone(),
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a/1/",
                shape.clone(),
            ),
            (
                "arn:aws:elasticloadbalancing:eu-west-1:1:listener-rule/app/a/1/2/3",
                shape.clone(),
            ),
            (
                &format!("{LISTENER}{}", "0".repeat(MAX_ARN_CHARS)),
                ArnProblem::NotAnArn,
            ),
        ];
        for (arn, expected) in cases {
            assert_eq!(load_balancer_of_listener(arn), Err(expected), "{arn}");
        }
    }

    #[test]
    fn the_length_bound_is_the_one_the_message_states() {
        assert!(ArnProblem::NotAnArn
            .to_string()
            .contains(&format!("over {MAX_ARN_CHARS} characters")));
    }

    #[test]
    fn load_balancer_arns_are_checked() {
        assert_eq!(checked_load_balancer_arn(LB).as_deref(), Ok(LB));
        for bad in [
            LISTENER,
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/my-classic-elb",
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a",
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a/",
            "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1",
        ] {
            assert!(
                matches!(
                    checked_load_balancer_arn(bad),
                    Err(ArnProblem::Shape { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            checked_load_balancer_arn(
                "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/gwy/g/1"
            ),
            Err(ArnProblem::Gateway)
        );
    }

    fn elb_event(event_name: &str, detail: Value) -> Value {
        api_call_event(
            "aws.elasticloadbalancing",
            "elasticloadbalancing.amazonaws.com",
            "eu-west-1",
            event_name,
            detail,
        )
    }

    #[test]
    fn each_call_names_its_load_balancer_where_the_api_puts_it() {
        let cases = [
            (
                "CreateListener",
                json!({"requestParameters": {"loadBalancerArn": LB}}),
            ),
            (
                // The response's listener, when the request lost its ARN.
                "CreateListener",
                json!({"requestParameters": {"port": 443},
                       "responseElements": {"listeners": [{"listenerArn": LISTENER}]}}),
            ),
            (
                "CreateListener",
                json!({"responseElements": {"listeners": [{"loadBalancerArn": LB, "listenerArn": LISTENER}]}}),
            ),
            (
                "ModifyListener",
                json!({"requestParameters": {"listenerArn": LISTENER}}),
            ),
            (
                "ModifyListener",
                json!({"requestParameters": {"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
                       "responseElements": {"listeners": [{"listenerArn": LISTENER}]}}),
            ),
            (
                "DeleteListener",
                json!({"requestParameters": {"listenerArn": LISTENER}, "responseElements": null}),
            ),
            (
                "AddListenerCertificates",
                json!({"requestParameters": {"listenerArn": LISTENER,
                       "certificates": [{"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/c"}]}}),
            ),
            (
                "RemoveListenerCertificates",
                json!({"requestParameters": {"listenerArn": LISTENER}}),
            ),
        ];
        for (event_name, detail) in cases {
            let trigger = parse(&elb_event(event_name, detail));
            assert_eq!(
                *audited_resource(&trigger),
                OriginResource::LoadBalancer(LB.to_owned()),
                "{event_name}"
            );
            assert_eq!(
                trigger.cause(),
                Some(&Cause::ApiCall {
                    event_name: event_name.to_owned(),
                    actor_arn: Some("arn:aws:iam::123456789012:user/ops".to_owned()),
                    event_time: Some("2026-12-01T10:00:00Z".to_owned()),
                    source_ip: None,
                    event_id: None,
                    alias: None,
                    rejected: None,
                }),
                "{event_name}"
            );
        }
    }

    #[test]
    fn unusable_records_are_ignored_with_the_reason() {
        let cases = [
            (
                elb_event("ModifyListener", json!({"requestParameters": {}})),
                "CloudTrail ModifyListener without detail.requestParameters.listenerArn or \
                 detail.responseElements.listeners[0].loadBalancerArn or \
                 detail.responseElements.listeners[0].listenerArn: cannot tell which load balancer changed",
            ),
            (
                elb_event("ModifyListener", json!({"requestParameters": {"listenerArn": LB}})),
                "CloudTrail ModifyListener: detail.requestParameters.listenerArn is \"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/3188688ae12fc373\", not of the form",
            ),
            (
                elb_event("DeleteListener", json!({"requestParameters": {"listenerArn": 7}})),
                "CloudTrail DeleteListener: detail.requestParameters.listenerArn is the number 7, expected",
            ),
            (
                elb_event("CreateListener", json!({"requestParameters": {"loadBalancerArn": LISTENER}})),
                "CloudTrail CreateListener: detail.requestParameters.loadBalancerArn is",
            ),
            (
                elb_event("ModifyListener", json!({"errorCode": "SSLPolicyNotFoundException",
                                                   "requestParameters": {"listenerArn": LISTENER}})),
                "CloudTrail ModifyListener was refused (\"SSLPolicyNotFoundException\"): nothing changed",
            ),
            (
                elb_event("CreateLoadBalancer", json!({})),
                "CloudTrail \"CreateLoadBalancer\" does not change",
            ),
            (
                elb_event("ModifyListener", json!({"eventSource": "ec2.amazonaws.com"})),
                "CloudTrail record with eventSource \"ec2.amazonaws.com\", not elasticloadbalancing.amazonaws.com",
            ),
        ];
        for (event, expected) in cases {
            let reason = ignored(&event);
            assert!(reason.starts_with(expected), "{reason}");
        }
    }

    #[test]
    fn huge_and_hostile_arns_are_echoed_short_and_escaped() {
        let hostile = format!("\u{1b}[31m{}\n", "A".repeat(100_000));
        let reason = ignored(&elb_event(
            "ModifyListener",
            json!({"requestParameters": {"listenerArn": hostile}}),
        ));
        assert!(reason.len() < 600, "{} characters", reason.len());
        assert!(!reason.chars().any(char::is_control), "{reason}");
    }

    #[test]
    fn a_record_without_its_call_is_an_error_as_for_cloudfront() {
        let mut event = elb_event("ModifyListener", json!({}));
        event["detail"]["eventName"] = Value::Null;
        let error = super::super::parse_trigger(&event).unwrap_err();
        assert!(
            error.to_string().contains("without detail.eventName"),
            "{error}"
        );
        let error = super::super::parse_trigger(
            &json!({"source": "aws.elasticloadbalancing", "detail-type": "AWS API Call via CloudTrail"}),
        )
        .unwrap_err();
        assert!(error.to_string().contains("without detail"), "{error}");
    }
}
