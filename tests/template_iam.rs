//! The IAM actions granted to the function in `template.yaml` are exactly the AWS operations the code
//! calls (`permissions::AWS_ACTIONS`) plus the KMS actions SNS and SQS use on its behalf
//! (`permissions::ON_BEHALF_ACTIONS`). Any difference, on either side, fails; no grant writes to
//! CloudFront, ACM or IAM.

use std::collections::BTreeSet;

use cloudfront_tls_audit::permissions::{is_forbidden_write, AWS_ACTIONS, ON_BEHALF_ACTIONS};

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
        .unwrap_or_else(|e| panic!("template.yaml: {e}"))
}

/// Every `service:Action` token (wildcards included) in the function's `Policies:` block. SAM policy
/// templates (`SQSPollerPolicy`) carry no such token.
fn granted_actions(template: &str) -> BTreeSet<String> {
    let policies = template
        .split("      Policies:")
        .nth(1)
        .and_then(|rest| rest.split("      Events:").next())
        .unwrap_or_else(|| panic!("template.yaml: the function's Policies block is missing"));
    policies
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| {
            line.split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '"' | '\''))
        })
        .filter(|token| {
            token.split_once(':').is_some_and(|(service, action)| {
                !service.is_empty()
                    && service.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !action.is_empty()
                    && action
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '*')
            })
        })
        .map(str::to_owned)
        .collect()
}

fn expected_actions() -> BTreeSet<String> {
    AWS_ACTIONS
        .iter()
        .chain(ON_BEHALF_ACTIONS)
        .map(|a| a.to_string())
        .collect()
}

/// The comparison the template must pass, as a message naming each difference.
fn differences(granted: &BTreeSet<String>) -> Option<String> {
    let expected = expected_actions();
    let extra: Vec<_> = granted.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(granted).collect();
    let writes: Vec<_> = granted.iter().filter(|a| is_forbidden_write(a)).collect();
    (!extra.is_empty() || !missing.is_empty() || !writes.is_empty()).then(|| {
        format!(
            "template.yaml grants actions the code does not call: {extra:?}; the code calls actions \
             template.yaml does not grant: {missing:?}; writes on CloudFront/ACM/IAM: {writes:?}. \
             Change src/permissions.rs and the function's Policies in template.yaml together."
        )
    })
}

#[test]
fn the_template_grants_exactly_the_actions_the_code_calls() {
    let granted = granted_actions(&template());
    if let Some(message) = differences(&granted) {
        panic!("{message}");
    }
}

#[test]
fn a_grant_the_code_does_not_call_is_a_difference() {
    let widened = template().replacen(
        "                - cloudfront:GetDistribution\n",
        "                - cloudfront:GetDistribution\n                - cloudfront:GetDistributionConfig\n",
        1,
    );
    let granted = granted_actions(&widened);
    assert!(granted.contains("cloudfront:GetDistributionConfig"));
    assert!(differences(&granted).is_some_and(|m| m.contains("GetDistributionConfig")));
}

#[test]
fn a_call_the_template_does_not_grant_is_a_difference() {
    let mut granted = granted_actions(&template());
    assert!(granted.remove("acm:GetCertificate"));
    assert!(differences(&granted).is_some_and(|m| m.contains("acm:GetCertificate")));
}

#[test]
fn a_write_or_a_wildcard_on_cloudfront_is_a_difference() {
    for action in ["cloudfront:UpdateDistribution", "cloudfront:*"] {
        let widened = template().replacen(
            "              Action: sns:Publish\n",
            &format!("              Action: [sns:Publish, {action}]\n"),
            1,
        );
        let granted = granted_actions(&widened);
        assert!(granted.contains(action), "{action} not parsed");
        assert!(differences(&granted).is_some(), "{action} accepted");
    }
}
