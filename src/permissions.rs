//! Every AWS API action the code calls, as IAM action names, in one place.
//!
//! The function's policy in `template.yaml` must grant exactly [`AWS_ACTIONS`]: `tests/template_iam.rs`
//! fails when either side gains an action. Each name is defined next to the call that needs it.

use crate::{inventory, lambda, notify};

/// Every action the code calls: the inventory's reads, publishing findings, scheduling follow-ups.
pub const AWS_ACTIONS: &[&str] = &[
    inventory::cloudfront::LIST_DISTRIBUTIONS,
    inventory::cloudfront::GET_DISTRIBUTION,
    inventory::policies::GET_CACHE_POLICY,
    inventory::policies::GET_ORIGIN_REQUEST_POLICY,
    inventory::acm::DESCRIBE_CERTIFICATE,
    inventory::acm::GET_CERTIFICATE,
    inventory::iam::LIST_SERVER_CERTIFICATES,
    inventory::iam::GET_SERVER_CERTIFICATE,
    notify::sns::PUBLISH,
    lambda::follow_up::SEND_MESSAGE,
];

/// Actions the function's role needs though no code calls them: SNS and SQS use the stack's KMS key on
/// the function's behalf when it publishes to the encrypted topic or sends to the encrypted queue.
/// (Lambda's SQS poller gets its actions from SAM's `SQSPollerPolicy` template.)
pub const ON_BEHALF_ACTIONS: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey*"];

/// Services on which the code may only read: no action of theirs may create, change or delete.
pub const READ_ONLY_SERVICES: &[&str] = &["cloudfront", "acm", "iam"];

/// Action-name prefixes that change state, refused on [`READ_ONLY_SERVICES`].
pub const WRITE_PREFIXES: &[&str] = &[
    "Create",
    "Update",
    "Delete",
    "Put",
    "Import",
    "Upload",
    "Associate",
    "Disassociate",
    "Tag",
    "Untag",
    "Request",
    "Renew",
    "Resend",
    "Export",
];

/// Whether `action` (`service:Name`) would change state on a read-only service.
pub fn is_forbidden_write(action: &str) -> bool {
    action.split_once(':').is_some_and(|(service, name)| {
        READ_ONLY_SERVICES.contains(&service) && WRITE_PREFIXES.iter().any(|w| name.starts_with(w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn actions_are_distinct_iam_shaped_and_read_only_where_they_must_be() {
        let distinct: BTreeSet<_> = AWS_ACTIONS.iter().collect();
        assert_eq!(distinct.len(), AWS_ACTIONS.len());
        for action in AWS_ACTIONS {
            let (service, name) = action.split_once(':').unwrap_or_default();
            assert!(
                ["cloudfront", "acm", "iam", "sns", "sqs"].contains(&service),
                "{action}"
            );
            assert!(name.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
            assert!(!is_forbidden_write(action), "{action}");
        }
    }

    #[test]
    fn writes_on_cloudfront_acm_and_iam_are_recognised() {
        assert!(is_forbidden_write("cloudfront:UpdateDistribution"));
        assert!(is_forbidden_write("acm:DeleteCertificate"));
        assert!(is_forbidden_write("iam:UploadServerCertificate"));
        assert!(!is_forbidden_write("sns:Publish"));
        assert!(!is_forbidden_write("cloudfront:GetDistribution"));
    }
}
