//! The IAM actions granted in template.yaml are exactly the AWS operations the code calls: the
//! inventory's read actions (`inventory::AWS_ACTIONS`), publishing findings and scheduling follow-ups.
//! Any difference, on either side, fails.

use std::collections::BTreeSet;

/// Actions the Lambda calls outside the inventory.
const LAMBDA_ACTIONS: [&str; 2] = ["sns:Publish", "sqs:SendMessage"];
/// Services whose actions are the code's to grant (KMS and the SQS poller belong to the platform).
const AUDITED_SERVICES: [&str; 4] = ["cloudfront", "acm", "iam", "sns"];

#[test]
fn the_template_grants_exactly_the_actions_the_code_calls() {
    let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
        .expect("template.yaml");
    let policy = template
        .split("      Policies:")
        .nth(1)
        .and_then(|rest| rest.split("      Events:").next())
        .expect("the function's Policies block");
    let granted: BTreeSet<String> = policy
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .filter_map(|token| {
            let (service, action) = token.split_once(':')?;
            let audited = AUDITED_SERVICES.contains(&service) || token == "sqs:SendMessage";
            (audited && !action.is_empty() && action.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| token.to_owned())
        })
        .collect();
    let called: BTreeSet<String> = cloudfront_tls_audit::inventory::AWS_ACTIONS
        .iter()
        .chain(LAMBDA_ACTIONS.iter())
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        granted, called,
        "template.yaml grants {granted:?}, the code calls {called:?}"
    );
    assert!(
        !granted.iter().any(|a| {
            let write = [
                "Create",
                "Update",
                "Delete",
                "Put",
                "Import",
                "Upload",
                "Associate",
            ];
            a.split(':')
                .nth(1)
                .is_some_and(|name| write.iter().any(|w| name.starts_with(w)))
        }),
        "no write action on CloudFront, ACM or IAM"
    );
}
