//! Every AWS API action the function's role needs, with the resources it may act on, in one place.
//!
//! [`AWS_ACTIONS`] are the calls the code makes; [`ON_BEHALF_ACTIONS`] are what AWS does with the
//! function's role without a call in the code (Lambda writing the on-failure destination, SNS and SQS
//! using the KMS key). [`FUNCTION_GRANTS`] is the function's policy, statement by statement; the
//! function's `Policies` in `template.yaml` must be exactly these statements, and the stack's KMS key
//! may be used by exactly the services of [`KEY_SERVICE_USERS`], each tied to this account's
//! resources: `tests/template_iam.rs` fails on any difference. Each code action is defined next to
//! the call that needs it. In an organization (issue 14) a member account's read-only role
//! (`template-member.yaml`) grants exactly [`MEMBER_ROLE_GRANTS`], the function's own reads
//! (`tests/template_organization.rs`).

use crate::{inventory, lambda, notify, securityhub, state};

/// Every action the code calls: the inventory's reads, publishing findings, scheduling follow-ups,
/// and (only when granted, see [`CONDITIONAL_GRANTS`]) importing findings into Security Hub and, in
/// an organization's hub, assuming the member roles, listing the accounts and the results bucket.
pub const AWS_ACTIONS: &[&str] = &[
    inventory::cloudfront::LIST_DISTRIBUTIONS,
    inventory::cloudfront::GET_DISTRIBUTION,
    inventory::policies::GET_CACHE_POLICY,
    inventory::policies::GET_ORIGIN_REQUEST_POLICY,
    inventory::acm::DESCRIBE_CERTIFICATE,
    inventory::acm::GET_CERTIFICATE,
    inventory::iam::LIST_SERVER_CERTIFICATES,
    inventory::iam::GET_SERVER_CERTIFICATE,
    inventory::vpc_origins::GET_VPC_ORIGIN,
    inventory::vpc_origins::LIST_DISTRIBUTIONS_BY_VPC_ORIGIN_ID,
    inventory::elb::DESCRIBE_LOAD_BALANCERS,
    inventory::elb::DESCRIBE_LISTENERS,
    inventory::elb::DESCRIBE_LISTENER_CERTIFICATES,
    inventory::elb::DESCRIBE_SSL_POLICIES,
    notify::sns::PUBLISH,
    lambda::follow_up::SEND_MESSAGE,
    securityhub::BATCH_IMPORT_FINDINGS,
    state::table::QUERY,
    state::table::SCAN,
    state::table::PUT_ITEM,
    inventory::member::ASSUME_ROLE,
    inventory::organization::LIST_ACCOUNTS,
    lambda::results::GET_OBJECT,
    lambda::results::PUT_OBJECT,
    lambda::results::LIST_BUCKET,
];

/// What Lambda calls with the function's execution role to write an asynchronous invocation's record
/// to its on-failure destination, an SQS queue (the Lambda Developer Guide, "Capturing records of
/// Lambda asynchronous invocations"; a failed write only raises `DestinationDeliveryFailures`).
pub const ON_FAILURE_DESTINATION_SEND: &str = "sqs:SendMessage";

/// What SNS and SQS ask KMS for on the role's behalf: publishing to the encrypted topic and sending
/// to an encrypted queue need a data key and its decryption; Lambda's poller receiving from the
/// encrypted follow-up queue needs the decryption (SNS and SQS developer guides, key management).
pub const KEY_ACTIONS: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey"];

/// What DynamoDB asks KMS for on the role's behalf to read and write the state table encrypted with
/// the stack's key: the table key's decryption and the key's description (DynamoDB developer guide,
/// "How Amazon DynamoDB uses AWS KMS"). The table key itself is made once, when CloudFormation
/// creates the table, under the deployer's permissions.
pub const STATE_KEY_ACTIONS: &[&str] = &["kms:Decrypt", "kms:DescribeKey"];

/// Actions the function's role needs though no code calls them: [`ON_FAILURE_DESTINATION_SEND`],
/// [`KEY_ACTIONS`] and [`STATE_KEY_ACTIONS`]. (Lambda's SQS poller gets its queue actions from SAM's
/// `SQSPollerPolicy`.)
pub const ON_BEHALF_ACTIONS: &[&str] = &[
    ON_FAILURE_DESTINATION_SEND,
    KEY_ACTIONS[0],
    KEY_ACTIONS[1],
    STATE_KEY_ACTIONS[1],
];

/// What a statement applies to, as `template.yaml` writes its `Resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `"*"`: the action has no resource-level permission in the Service Authorization Reference
    /// (list operations), so IAM would match nothing narrower.
    Any,
    /// The account's resources of one type: an ARN pattern in `!Sub` syntax.
    Account(&'static str),
    /// The same resource in every account (`*` for the account; the member accounts' trust
    /// policies, not this one, tie it to the organization): an ARN pattern in `!Sub` syntax.
    EveryAccount(&'static str),
    /// A resource the operator names in a stack parameter: `!Ref Parameter`.
    Parameter(&'static str),
    /// One resource of the stack: `!Ref Logical` or `!GetAtt Logical.Arn`, or a bucket's objects
    /// under a prefix, `!Sub ${Logical.Arn}/prefix*`.
    Stack(&'static str),
}

impl Resource {
    /// The `Resource:` value exactly as `template.yaml` writes it.
    pub fn in_template(&self) -> String {
        match self {
            Resource::Any => "\"*\"".to_owned(),
            Resource::Account(pattern) | Resource::EveryAccount(pattern) => {
                format!("!Sub {pattern}")
            }
            Resource::Parameter(name) => format!("!Ref {name}"),
            Resource::Stack(reference) => (*reference).to_owned(),
        }
    }
}

/// One statement of the function's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The statement's `Sid` in `template.yaml`.
    pub sid: &'static str,
    /// Its actions.
    pub actions: &'static [&'static str],
    /// The one resource it applies to.
    pub resource: Resource,
    /// When not empty, the statement holds only for requests these services make on the role's
    /// behalf (`kms:ViaService`, `!Sub` syntax).
    pub via_services: &'static [&'static str],
}

/// A statement without condition.
const fn grant(sid: &'static str, actions: &'static [&'static str], resource: Resource) -> Grant {
    Grant {
        sid,
        actions,
        resource,
        via_services: &[],
    }
}

/// The reads of an account's CloudFront TLS set-up, statement by statement: the first statements of
/// the function's policy, and the whole policy of a member account's role (`template-member.yaml`,
/// where `${AWS::AccountId}` is the member's own account). CloudFront, ACM and IAM actions are
/// scoped to the account's resources wherever the Service Authorization Reference gives the action
/// a resource type (`distribution`, `cache-policy`, `origin-request-policy`, ACM `certificate`, IAM
/// `server-certificate`, CloudFront `vpcorigin`); the list actions and Elastic Load Balancing's
/// Describe actions have none. ACM is read in every region: viewer certificates in us-east-1 (the
/// region CloudFront takes them from), a load balancer listener's in the load balancer's. A read
/// that the scope refuses becomes `audit-incomplete`, and an AWS managed cache or origin request
/// policy refused this way is replaced by its documented definition (`inventory::policies`).
pub const MEMBER_ROLE_GRANTS: &[Grant] = &[
    grant(
        "ListDistributions",
        &[inventory::cloudfront::LIST_DISTRIBUTIONS],
        Resource::Any,
    ),
    grant(
        "ReadDistributions",
        &[inventory::cloudfront::GET_DISTRIBUTION],
        Resource::Account("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*"),
    ),
    grant(
        "ReadCachePolicies",
        &[inventory::policies::GET_CACHE_POLICY],
        Resource::Account("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:cache-policy/*"),
    ),
    grant(
        "ReadOriginRequestPolicies",
        &[inventory::policies::GET_ORIGIN_REQUEST_POLICY],
        Resource::Account(
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:origin-request-policy/*",
        ),
    ),
    grant(
        "ReadAcmCertificates",
        &[
            inventory::acm::DESCRIBE_CERTIFICATE,
            inventory::acm::GET_CERTIFICATE,
        ],
        Resource::Account("arn:${AWS::Partition}:acm:*:${AWS::AccountId}:certificate/*"),
    ),
    grant(
        "ListIamServerCertificates",
        &[inventory::iam::LIST_SERVER_CERTIFICATES],
        Resource::Any,
    ),
    grant(
        "ReadIamServerCertificates",
        &[inventory::iam::GET_SERVER_CERTIFICATE],
        Resource::Account("arn:${AWS::Partition}:iam::${AWS::AccountId}:server-certificate/*"),
    ),
    grant(
        "ReadVpcOrigins",
        &[inventory::vpc_origins::GET_VPC_ORIGIN],
        Resource::Account("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:vpcorigin/*"),
    ),
    grant(
        "ListVpcOriginUsers",
        &[inventory::vpc_origins::LIST_DISTRIBUTIONS_BY_VPC_ORIGIN_ID],
        Resource::Any,
    ),
    grant(
        "DescribeLoadBalancers",
        &[
            inventory::elb::DESCRIBE_LOAD_BALANCERS,
            inventory::elb::DESCRIBE_LISTENERS,
            inventory::elb::DESCRIBE_LISTENER_CERTIFICATES,
            inventory::elb::DESCRIBE_SSL_POLICIES,
        ],
        Resource::Any,
    ),
];

/// The statements about the stack's own resources: publishing, follow-ups, the on-failure
/// destination, the state table and the key.
const STACK_GRANTS: &[Grant] = &[
    grant(
        "PublishFindings",
        &[notify::sns::PUBLISH],
        Resource::Stack("!Ref FindingsTopic"),
    ),
    grant(
        "ScheduleFollowUps",
        &[lambda::follow_up::SEND_MESSAGE],
        Resource::Stack("!GetAtt FollowUpQueue.Arn"),
    ),
    grant(
        "RecordFailedEvents",
        &[ON_FAILURE_DESTINATION_SEND],
        Resource::Stack("!GetAtt FailedEventsQueue.Arn"),
    ),
    grant(
        "ReadAndWriteState",
        &[
            state::table::QUERY,
            state::table::SCAN,
            state::table::PUT_ITEM,
        ],
        Resource::Stack("!GetAtt StateTable.Arn"),
    ),
    Grant {
        sid: "UseTheKeyThroughDynamoDb",
        actions: STATE_KEY_ACTIONS,
        resource: Resource::Stack("!GetAtt FindingsKey.Arn"),
        via_services: &["dynamodb.${AWS::Region}.amazonaws.com"],
    },
    Grant {
        sid: "UseTheKeyThroughSnsAndSqs",
        actions: KEY_ACTIONS,
        resource: Resource::Stack("!GetAtt FindingsKey.Arn"),
        via_services: &[
            "sns.${AWS::Region}.amazonaws.com",
            "sqs.${AWS::Region}.amazonaws.com",
        ],
    },
];

/// The function's policy, statement by statement: [`MEMBER_ROLE_GRANTS`], then the statements about
/// the stack's own resources.
pub const FUNCTION_GRANTS: &[Grant] =
    &concat::<{ MEMBER_ROLE_GRANTS.len() + STACK_GRANTS.len() }>(MEMBER_ROLE_GRANTS, STACK_GRANTS);

/// `first` then `second`, as one array of `N` grants (`N` must be their total length: checked when
/// compiling, as this only runs in constants).
const fn concat<const N: usize>(first: &[Grant], second: &[Grant]) -> [Grant; N] {
    assert!(first.len() + second.len() == N && !first.is_empty());
    let mut all = [first[0]; N];
    let mut at = 0;
    while at < N {
        all[at] = if at < first.len() {
            first[at]
        } else {
            second[at - first.len()]
        };
        at += 1;
    }
    all
}

/// A statement granted only when a template condition holds: an opt-in feature's grant lives in its
/// own `AWS::IAM::Policy` resource, attached to the function's role, with that `Condition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionalGrant {
    /// The template condition (`Conditions:`) that creates the policy.
    pub condition: &'static str,
    /// The logical id of the `AWS::IAM::Policy` resource.
    pub policy: &'static str,
    /// Its statements.
    pub grants: &'static [Grant],
}

/// Grants that exist only when their feature is on.
///
/// * Security Hub (`SecurityHub=true`): `BatchImportFindings` on the account's default product in
///   the function's Region, the product the findings name (`ProductArn`; the Service Authorization
///   Reference gives the action the resource type `product`).
/// * The organization's hub (`OrganizationMode=true`, docs/operations-organizations.md): assuming
///   the member role, by its name, in any account (each member role trusts only this function's
///   role, from the organization, with the external id); listing the accounts (Organizations gives
///   `ListAccounts` no resource type); the results bucket's objects, and listing the bucket so that
///   a missing account result reads as missing (404), not as denied (403).
/// * A role to list the accounts through (`OrganizationAccountsRoleArn` set): assuming that one
///   role.
pub const CONDITIONAL_GRANTS: &[ConditionalGrant] = &[
    ConditionalGrant {
        condition: "SecurityHubOn",
        policy: "SecurityHubImportPolicy",
        grants: &[grant(
            "ImportFindingsToSecurityHub",
            &[securityhub::BATCH_IMPORT_FINDINGS],
            Resource::Account(
                "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default",
            ),
        )],
    },
    ConditionalGrant {
        condition: "OrganizationModeOn",
        policy: "OrganizationHubPolicy",
        grants: &[
            grant(
                "AssumeMemberRoles",
                &[inventory::member::ASSUME_ROLE],
                Resource::EveryAccount("arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"),
            ),
            grant(
                "ListOrganizationAccounts",
                &[inventory::organization::LIST_ACCOUNTS],
                Resource::Any,
            ),
            grant(
                "ReadAndWriteResults",
                &[lambda::results::GET_OBJECT, lambda::results::PUT_OBJECT],
                Resource::Stack("!Sub ${ResultsBucket.Arn}/*"),
            ),
            grant(
                "ListResults",
                &[lambda::results::LIST_BUCKET],
                Resource::Stack("!GetAtt ResultsBucket.Arn"),
            ),
        ],
    },
    ConditionalGrant {
        condition: "HasOrganizationAccountsRole",
        policy: "OrganizationAccountsRolePolicy",
        grants: &[grant(
            "AssumeOrganizationAccountsRole",
            &[inventory::member::ASSUME_ROLE],
            Resource::Parameter("OrganizationAccountsRoleArn"),
        )],
    },
];

/// Every grant of the function's role: [`FUNCTION_GRANTS`] and each of [`CONDITIONAL_GRANTS`].
pub fn all_grants() -> impl Iterator<Item = &'static Grant> {
    FUNCTION_GRANTS
        .iter()
        .chain(CONDITIONAL_GRANTS.iter().flat_map(|c| c.grants))
}

/// Every alarm of the stack is named with this prefix, so that the key policy can name them.
pub const ALARM_NAME_PREFIX: &str = "cloudfront-tls-audit-";

/// A service principal allowed to use the stack's KMS key, and the resources of this account it may
/// use it for (`aws:SourceAccount` is the stack's account, `aws:SourceArn` matches [`Self::source_arn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUser {
    /// The service principal.
    pub principal: &'static str,
    /// What it may ask KMS for.
    pub actions: &'static [&'static str],
    /// The `aws:SourceArn` pattern (`ArnLike`, `!Sub` syntax).
    pub source_arn: &'static str,
}

/// The services that use the key themselves. Only CloudWatch: its alarms publish to the encrypted
/// topic (SNS developer guide, "compatibility between event sources from AWS services and encrypted
/// topics"), and only the stack's alarms ([`ALARM_NAME_PREFIX`]). Nothing else needs the key as a
/// service: EventBridge and Scheduler invoke the function, not the topic or a queue; no queue is
/// subscribed to the topic, so SNS never sends to an encrypted queue; Amazon Q Developer in chat
/// applications receives the topic's deliveries decrypted over HTTPS; Lambda writes the on-failure
/// destination and polls the follow-up queue with the function's role ([`FUNCTION_GRANTS`]), and SQS
/// moves a message to its dead-letter queue itself.
pub const KEY_SERVICE_USERS: &[KeyUser] = &[KeyUser {
    principal: "cloudwatch.amazonaws.com",
    actions: &["kms:Decrypt", "kms:GenerateDataKey*"],
    source_arn: "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:cloudfront-tls-audit-*",
}];

/// Services on which the code may only read: no action of theirs may create, change or delete.
pub const READ_ONLY_SERVICES: &[&str] = &["cloudfront", "acm", "iam", "elasticloadbalancing"];

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
                [
                    "cloudfront",
                    "acm",
                    "iam",
                    "elasticloadbalancing",
                    "sns",
                    "sqs",
                    "dynamodb",
                    "securityhub",
                    "sts",
                    "organizations",
                    "s3",
                ]
                .contains(&service),
                "{action}"
            );
            assert!(
                all_grants().any(|g| g.actions.contains(action)),
                "{action} is in no grant"
            );
            assert!(name.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
            assert!(!is_forbidden_write(action), "{action}");
        }
    }

    #[test]
    fn every_grant_is_a_call_or_an_action_done_on_the_roles_behalf() {
        let sids: BTreeSet<_> = FUNCTION_GRANTS.iter().map(|g| g.sid).collect();
        assert_eq!(sids.len(), FUNCTION_GRANTS.len(), "Sids are distinct");
        for grant in FUNCTION_GRANTS {
            for action in grant.actions {
                assert!(
                    AWS_ACTIONS.contains(action) || ON_BEHALF_ACTIONS.contains(action),
                    "{}: {action}",
                    grant.sid
                );
            }
        }
        for action in ON_BEHALF_ACTIONS {
            assert!(FUNCTION_GRANTS.iter().any(|g| g.actions.contains(action)));
        }
    }

    #[test]
    fn reads_are_scoped_to_the_account_where_iam_allows_it() {
        for grant in all_grants() {
            // List actions, and Elastic Load Balancing's Describe actions: the Service
            // Authorization Reference gives them no resource type.
            let listing = grant
                .actions
                .iter()
                .all(|a| a.contains(":List") || a.starts_with("elasticloadbalancing:Describe"));
            match grant.resource {
                Resource::Any => assert!(listing, "{} is not a list action", grant.sid),
                Resource::Account(pattern) => {
                    assert!(pattern.contains(":${AWS::AccountId}:"), "{pattern}")
                }
                // Only the member role, by name: each member role's trust narrows who may assume it.
                Resource::EveryAccount(pattern) => {
                    assert!(
                        pattern.contains(":iam::*:role/${MemberRoleName}"),
                        "{pattern}"
                    )
                }
                Resource::Parameter(name) => assert!(!name.is_empty()),
                Resource::Stack(reference) => assert!(
                    reference.starts_with("!Ref ")
                        || reference.starts_with("!GetAtt ")
                        || reference.starts_with("!Sub ${"),
                    "{reference}"
                ),
            }
        }
        assert_eq!(Resource::Any.in_template(), "\"*\"");
        assert_eq!(
            Resource::Parameter("OrganizationAccountsRoleArn").in_template(),
            "!Ref OrganizationAccountsRoleArn"
        );
    }

    #[test]
    fn the_member_role_grants_are_the_functions_reads_and_only_reads() {
        assert_eq!(
            FUNCTION_GRANTS.len(),
            MEMBER_ROLE_GRANTS.len() + STACK_GRANTS.len()
        );
        assert_eq!(
            &FUNCTION_GRANTS[..MEMBER_ROLE_GRANTS.len()],
            MEMBER_ROLE_GRANTS
        );
        assert_eq!(&FUNCTION_GRANTS[MEMBER_ROLE_GRANTS.len()..], STACK_GRANTS);
        for grant in MEMBER_ROLE_GRANTS {
            assert!(matches!(
                grant.resource,
                Resource::Any | Resource::Account(_)
            ));
            for action in grant.actions {
                let service = action.split_once(':').map(|(s, _)| s).unwrap_or_default();
                assert!(READ_ONLY_SERVICES.contains(&service), "{action}");
                assert!(!is_forbidden_write(action), "{action}");
            }
        }
    }

    #[test]
    fn the_key_users_are_tied_to_this_accounts_alarms() {
        for user in KEY_SERVICE_USERS {
            assert!(user.source_arn.contains(":${AWS::AccountId}:"), "{user:?}");
            assert!(user.source_arn.contains(ALARM_NAME_PREFIX), "{user:?}");
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
