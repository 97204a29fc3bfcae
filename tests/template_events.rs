//! The events the stacks react to: `template.yaml`'s EventBridge rules (the audit stack, us-east-1) and
//! `forwarding.yaml`'s (one stack per region with load balancers behind origins) match what issue 13
//! needs, and the two agree:
//!
//! * the audit stack matches the load balancer listener calls and the VPC origin calls, and no rule
//!   filters on a region, so events forwarded from other regions match the same patterns;
//! * each forwarding rule's pattern is one of the audit stack's patterns, exactly (the ACM
//!   detail-types and the listener calls are written twice, once per template);
//! * the forwarding rules send to the target region's default bus with the one role, which may only
//!   put events there and only EventBridge acting for this account may assume, and the template
//!   refuses the target region itself;
//! * every CloudTrail and ACM sample in `events/` matches an audit stack rule, and one from another
//!   region matches both stacks.
//!
//! The templates are read as JSON values (`templates::read`), and matched with the exact-value
//! subset of EventBridge's pattern language, the only part these patterns use (anything else fails
//! the test).

use std::path::Path;

use serde_json::{json, Value};

mod templates;
use templates::read;

/// The load balancer calls that change what CloudFront reaches through a listener (issue 13, item 5).
const LISTENER_CALLS: [&str; 5] = [
    "CreateListener",
    "ModifyListener",
    "DeleteListener",
    "AddListenerCertificates",
    "RemoveListenerCertificates",
];

/// The VPC origin calls (their TLS settings live on the VPC origin, not in the distribution).
const VPC_ORIGIN_CALLS: [&str; 2] = ["CreateVpcOrigin", "UpdateVpcOrigin"];

const TARGET_BUS: &str =
    "arn:${AWS::Partition}:events:${TargetRegion}:${AWS::AccountId}:event-bus/default";

/// The forwarding stack's target: `TargetEventBusArn` when given (an organization's hub), else this
/// account's default bus in the target region.
fn target_bus() -> Value {
    json!({ "Fn::If": ["HasTargetEventBus", { "Ref": "TargetEventBusArn" }, { "Fn::Sub": TARGET_BUS }] })
}

/// The audit stack's EventBridge patterns: the function's `EventBridgeRule` events, by name.
fn audit_rules() -> Vec<(String, Value)> {
    let template = read("template.yaml");
    let events = template["Resources"]["AuditFunction"]["Properties"]["Events"]
        .as_object()
        .expect("template.yaml: AuditFunction has Events")
        .clone();
    events
        .into_iter()
        .filter(|(_, event)| event["Type"] == "EventBridgeRule")
        .map(|(name, event)| (name, event["Properties"]["Pattern"].clone()))
        .collect()
}

/// The forwarding stack's rules, by logical id, each whole (pattern, state, targets).
fn forwarding_rules() -> Vec<(String, Value)> {
    let template = read("forwarding.yaml");
    let resources = template["Resources"]
        .as_object()
        .expect("forwarding.yaml has Resources")
        .clone();
    resources
        .into_iter()
        .filter(|(_, resource)| resource["Type"] == "AWS::Events::Rule")
        .map(|(name, resource)| (name, resource["Properties"].clone()))
        .collect()
}

fn audit_rule(name: &str) -> Value {
    audit_rules()
        .into_iter()
        .find(|(rule, _)| rule == name)
        .unwrap_or_else(|| panic!("template.yaml: no EventBridge rule {name}"))
        .1
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("not text: {v}")))
        .collect()
}

/// Whether `event` matches `pattern`, for patterns made of exact-value lists and nested fields only
/// (EventBridge: every field of the pattern must be present with one of its values; an array field
/// matches when any element does). Any other pattern construct fails the test.
fn matches(pattern: &Value, event: &Value) -> bool {
    let fields = pattern
        .as_object()
        .unwrap_or_else(|| panic!("a pattern is an object: {pattern}"));
    fields.iter().all(|(field, wanted)| {
        let Some(actual) = event.get(field) else {
            return false;
        };
        match wanted {
            Value::Object(_) => matches(wanted, actual),
            Value::Array(values) => {
                let values: Vec<&str> = values
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .unwrap_or_else(|| panic!("only exact values are implemented: {v}"))
                    })
                    .collect();
                let candidates: Vec<&Value> = match actual {
                    Value::Array(items) => items.iter().collect(),
                    single => vec![single],
                };
                candidates
                    .iter()
                    .any(|c| c.as_str().is_some_and(|c| values.contains(&c)))
            }
            other => panic!("a pattern field is a list or an object: {other}"),
        }
    })
}

/// The audit stack's rules that match `event`.
fn audit_rules_matching(event: &Value) -> Vec<String> {
    audit_rules()
        .into_iter()
        .filter(|(_, pattern)| matches(pattern, event))
        .map(|(name, _)| name)
        .collect()
}

fn forwarding_rules_matching(event: &Value) -> Vec<String> {
    forwarding_rules()
        .into_iter()
        .filter(|(_, rule)| matches(&rule["EventPattern"], event))
        .map(|(name, _)| name)
        .collect()
}

/// A CloudTrail event of a load balancer call in `region`, as CloudTrail delivers it.
fn listener_call(name: &str, region: &str) -> Value {
    json!({
        "version": "0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.elasticloadbalancing",
        "account": "111122223333",
        "region": region,
        "resources": [],
        "detail": {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "requestParameters": {
                "listenerArn": format!(
                    "arn:aws:elasticloadbalancing:{region}:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
                )
            }
        }
    })
}

fn sample(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("events/{name}: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("events/{name}: {e}"))
}

#[test]
fn the_audit_stack_matches_the_listener_calls_and_the_vpc_origin_calls() {
    let listeners = audit_rule("LoadBalancerChanges");
    assert_eq!(strings(&listeners["source"]), ["aws.elasticloadbalancing"]);
    assert_eq!(
        strings(&listeners["detail-type"]),
        ["AWS API Call via CloudTrail"]
    );
    assert_eq!(
        strings(&listeners["detail"]["eventSource"]),
        ["elasticloadbalancing.amazonaws.com"]
    );
    assert_eq!(strings(&listeners["detail"]["eventName"]), LISTENER_CALLS);

    let cloudfront = audit_rule("CloudFrontChanges");
    let names = strings(&cloudfront["detail"]["eventName"]);
    for call in VPC_ORIGIN_CALLS {
        assert!(names.contains(&call), "CloudFrontChanges lacks {call}");
    }
}

#[test]
fn no_audit_stack_rule_filters_on_a_region() {
    for (name, pattern) in audit_rules() {
        assert!(pattern.get("region").is_none(), "{name} filters on region");
        assert!(
            pattern["detail"].get("awsRegion").is_none(),
            "{name} filters on detail.awsRegion"
        );
    }
}

#[test]
fn each_forwarding_pattern_is_an_audit_stack_pattern_exactly() {
    let audit = audit_rules();
    let forwarding = forwarding_rules();
    let names: Vec<&str> = forwarding.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["ForwardLoadBalancerChanges", "ForwardCertificateEvents"]
    );
    for (name, rule) in &forwarding {
        let same: Vec<&str> = audit
            .iter()
            .filter(|(_, pattern)| *pattern == rule["EventPattern"])
            .map(|(audit_name, _)| audit_name.as_str())
            .collect();
        let expected = name.strip_prefix("Forward").unwrap_or(name);
        assert_eq!(
            same,
            [expected],
            "{name}'s pattern differs from template.yaml's {expected}"
        );
    }
    // The ACM detail-types, spelled out: the forwarding stack sends what the audit stack acts on.
    let acm = &forwarding[1].1["EventPattern"];
    assert_eq!(
        strings(&acm["detail-type"]),
        strings(&audit_rule("CertificateEvents")["detail-type"])
    );
}

#[test]
fn the_forwarding_rules_send_to_the_target_default_bus_with_the_one_narrow_role() {
    let template = read("forwarding.yaml");
    assert_eq!(
        template["Parameters"]["TargetRegion"]["Default"],
        "us-east-1"
    );
    assert_eq!(template["Parameters"]["TargetEventBusArn"]["Default"], "");
    assert_eq!(
        template["Conditions"]["HasTargetEventBus"],
        json!({ "Fn::Not": [{ "Fn::Equals": [{ "Ref": "TargetEventBusArn" }, ""] }] })
    );
    for (name, rule) in forwarding_rules() {
        assert_eq!(rule["State"], "ENABLED", "{name}");
        assert_eq!(
            rule["Targets"],
            json!([{
                "Id": "target-region-default-bus",
                "Arn": target_bus(),
                "RoleArn": { "Fn::GetAtt": "ForwardingRole.Arn" }
            }]),
            "{name}"
        );
    }
    let role = &template["Resources"]["ForwardingRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Principal": { "Service": "events.amazonaws.com" },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } }
        }])
    );
    let policies = role["Properties"]["Policies"]
        .as_array()
        .expect("the role has inline policies");
    assert_eq!(policies.len(), 1, "one policy: {policies:?}");
    let statements = &policies[0]["PolicyDocument"]["Statement"];
    assert_eq!(
        statements,
        &json!([{
            "Sid": "PutEventsOnTheTargetDefaultBus",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": target_bus()
        }])
    );
    assert!(
        role["Properties"].get("ManagedPolicyArns").is_none(),
        "no managed policy on the forwarding role"
    );
}

#[test]
fn the_forwarding_stack_refuses_the_target_region() {
    let template = read("forwarding.yaml");
    let assertions = &template["Rules"]["NotInTheTargetRegion"]["Assertions"];
    assert_eq!(
        assertions[0]["Assert"],
        json!({ "Fn::Not": [{ "Fn::Equals": [{ "Ref": "AWS::Region" }, { "Ref": "TargetRegion" }] }] })
    );
}

#[test]
fn every_cloudtrail_and_acm_sample_matches_an_audit_stack_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("events/ exists") {
        let path = entry.expect("readable entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name")
            .to_owned();
        if !(name.starts_with("cloudtrail-") || name.starts_with("acm-")) {
            continue;
        }
        let matched = audit_rules_matching(&sample(&name));
        assert_eq!(matched.len(), 1, "events/{name} matches {matched:?}");
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} samples checked");
}

#[test]
fn events_of_another_region_match_both_stacks() {
    let modify = listener_call("ModifyListener", "eu-west-1");
    assert_eq!(audit_rules_matching(&modify), ["LoadBalancerChanges"]);
    assert_eq!(
        forwarding_rules_matching(&modify),
        ["ForwardLoadBalancerChanges"]
    );
    for call in LISTENER_CALLS {
        assert_eq!(
            audit_rules_matching(&listener_call(call, "ap-southeast-2")),
            ["LoadBalancerChanges"],
            "{call}"
        );
    }

    let mut expiring = sample("acm-approaching-expiration.json");
    let arn = "arn:aws:acm:eu-west-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222";
    expiring["region"] = json!("eu-west-1");
    expiring["resources"] = json!([arn]);
    assert_eq!(audit_rules_matching(&expiring), ["CertificateEvents"]);
    assert_eq!(
        forwarding_rules_matching(&expiring),
        ["ForwardCertificateEvents"]
    );
}

#[test]
fn read_only_and_other_calls_are_not_matched() {
    for call in [
        "DescribeListeners",
        "CreateLoadBalancer",
        "ModifyTargetGroup",
    ] {
        let event = listener_call(call, "eu-west-1");
        assert!(audit_rules_matching(&event).is_empty(), "{call}");
        assert!(forwarding_rules_matching(&event).is_empty(), "{call}");
    }
    // A CloudFront VPC origin change is the audit stack's, never forwarded (it happens in us-east-1).
    let mut vpc = sample("cloudtrail-update-distribution.json");
    vpc["detail"]["eventName"] = json!("UpdateVpcOrigin");
    assert_eq!(audit_rules_matching(&vpc), ["CloudFrontChanges"]);
    assert!(forwarding_rules_matching(&vpc).is_empty());
}
