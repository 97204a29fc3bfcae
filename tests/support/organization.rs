//! An AWS Organization in the emulator (issue 14): the management account (the hub: moto's default
//! account), member accounts created through Organizations, and in each the read-only member role
//! `template-member.yaml` gives, with its trust policy (external id), except in the accounts a test
//! says lack it.
//!
//! Seeding goes straight to moto, through each account's `OrganizationAccountAccessRole` as a real
//! organization provides it (moto assumes any role, so that role needs no creating). The function
//! under test goes through the fault proxy, whose [`super::sts_extras`] refuses an AssumeRole of a
//! role that does not exist or whose external id does not match: the account without its role is
//! one the hub cannot read, as in AWS.

use aws_config::SdkConfig;
use serde_json::json;

use super::emulator::s3_client;
use super::seed::{create_distribution, DistributionSpec};
use super::Emulator;

/// The member role's name (the hub's `MEMBER_ROLE_NAME` default, `template-member.yaml`'s role).
pub const MEMBER_ROLE_NAME: &str = "cloudfront-tls-audit-member";
/// The external id the member role's trust policy requires, in these tests.
pub const MEMBER_EXTERNAL_ID: &str = "cloudfront-tls-audit-test-external-id";
/// The role a management account reaches every account it created through.
pub const ACCESS_ROLE: &str = "OrganizationAccountAccessRole";
/// moto's default account: the management account, and the hub.
pub const HUB_ACCOUNT: &str = "123456789012";
/// The hub function's role, which the member role's trust policy names.
pub const HUB_FUNCTION_ROLE: &str = "cloudfront-tls-audit-function";

/// A member account to create.
#[derive(Debug, Clone)]
pub struct MemberSpec {
    /// Its name in the organization.
    pub name: String,
    /// Whether the member role exists in it (false: the StackSet never reached it).
    pub member_role: bool,
}

impl MemberSpec {
    /// A member account with the member role.
    pub fn new(name: &str) -> MemberSpec {
        MemberSpec {
            name: name.to_owned(),
            member_role: true,
        }
    }

    /// A member account without the member role.
    pub fn without_role(name: &str) -> MemberSpec {
        MemberSpec {
            member_role: false,
            ..MemberSpec::new(name)
        }
    }
}

/// One account of the seeded organization.
#[derive(Debug, Clone)]
pub struct SeededAccount {
    /// The 12-digit id Organizations gave it.
    pub account_id: String,
    /// Its name in the organization.
    pub name: String,
    /// Whether the member role exists in it.
    pub member_role: bool,
    /// SDK configuration acting in this account, straight to moto (for seeding and reading back).
    pub config: SdkConfig,
}

impl SeededAccount {
    /// A CloudFront client in this account.
    pub fn cloudfront(&self) -> aws_sdk_cloudfront::Client {
        aws_sdk_cloudfront::Client::new(&self.config)
    }

    /// An ACM client in this account, us-east-1 (viewer certificates).
    pub fn acm(&self) -> aws_sdk_acm::Client {
        aws_sdk_acm::Client::new(&self.config)
    }

    /// An IAM client in this account.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.config)
    }

    /// An S3 client in this account.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        s3_client(&self.config)
    }

    /// The member role's ARN in this account (whether or not it exists).
    pub fn member_role_arn(&self) -> String {
        member_role_arn(&self.account_id)
    }

    /// Creates a distribution in this account ([`super::seed::create_distribution`]); returns its id.
    pub async fn create_distribution(
        &self,
        caller_reference: &str,
        spec: &DistributionSpec,
    ) -> String {
        create_distribution(&self.cloudfront(), caller_reference, spec).await
    }
}

/// The seeded organization: the hub (management account) first, then the members in the order
/// given.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The organization id (`o-…`), what `aws:PrincipalOrgID` names.
    pub id: String,
    /// The management account, where the hub stack runs.
    pub hub: SeededAccount,
    /// The member accounts.
    pub members: Vec<SeededAccount>,
}

impl Organization {
    /// Creates the organization in moto's default account, one account per `members`, and the
    /// member role (in the hub too: the hub audits its own account the same way) everywhere but in
    /// the members told to lack it.
    pub async fn seed(emulator: &Emulator, members: &[MemberSpec]) -> Organization {
        let organizations = emulator.organizations();
        let id = organizations
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .expect("CreateOrganization")
            .organization
            .and_then(|o| o.id)
            .expect("organization id");
        let hub = SeededAccount {
            account_id: HUB_ACCOUNT.to_owned(),
            name: "management".to_owned(),
            member_role: true,
            config: emulator.sdk_config(),
        };
        create_member_role(&hub.iam(), &id).await;
        let mut seeded = Vec::new();
        for (n, spec) in members.iter().enumerate() {
            let status = organizations
                .create_account()
                .email(format!("aws+member-{n}@example.com"))
                .account_name(&spec.name)
                .send()
                .await
                .expect("CreateAccount")
                .create_account_status
                .expect("CreateAccountStatus");
            let account_id = status
                .account_id
                .unwrap_or_else(|| panic!("CreateAccount {}: no account id", spec.name));
            let config = emulator.sdk_config_as(&account_id, ACCESS_ROLE).await;
            let account = SeededAccount {
                account_id,
                name: spec.name.clone(),
                member_role: spec.member_role,
                config,
            };
            if spec.member_role {
                create_member_role(&account.iam(), &id).await;
            }
            seeded.push(account);
        }
        Organization {
            id,
            hub,
            members: seeded,
        }
    }

    /// Every account, the hub first.
    pub fn accounts(&self) -> impl Iterator<Item = &SeededAccount> {
        std::iter::once(&self.hub).chain(&self.members)
    }

    /// The account named `name`; panics when there is none (this is test code).
    pub fn account(&self, name: &str) -> &SeededAccount {
        self.accounts()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account named {name} in the organization"))
    }
}

/// `arn:aws:iam::ACCOUNT:role/cloudfront-tls-audit-member`.
pub fn member_role_arn(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:role/{MEMBER_ROLE_NAME}")
}

/// The member role's trust policy as `template-member.yaml` writes it: only the hub function's role,
/// from inside the organization, with the external id.
pub fn member_trust_policy(organization_id: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{HUB_ACCOUNT}:role/{HUB_FUNCTION_ROLE}")},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {
                "sts:ExternalId": MEMBER_EXTERNAL_ID,
                "aws:PrincipalOrgID": organization_id,
            }},
        }],
    })
    .to_string()
}

/// Creates the member role in the account `iam` acts in. Its read-only policy is not attached: moto
/// does not evaluate IAM policies, and `tests/template_iam.rs` checks the template's.
async fn create_member_role(iam: &aws_sdk_iam::Client, organization_id: &str) {
    iam.create_role()
        .role_name(MEMBER_ROLE_NAME)
        .assume_role_policy_document(member_trust_policy(organization_id))
        .send()
        .await
        .expect("CreateRole (member role)");
}
