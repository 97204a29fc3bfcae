//! A member account's read-only role (issue 14): the hub assumes it, once per account while its
//! credentials last, and reads that account with the credentials it gives. A role that cannot be
//! assumed is a [`ReadFailure`] for the whole account, which the audit reports as
//! `audit-incomplete`, never a silent skip.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use tokio::sync::Mutex;

use super::clients::CallLimits;
use super::failure::CallError;
use super::AwsInventory;
use crate::aws::partition_of;
use crate::model::{FailureKind, ReadFailure};

/// What the hub calls to read a member account (and, when configured, to list the organization's
/// accounts through a role of the management account or a delegated administrator).
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// Credentials this close to their expiry are renewed before use: no read should start with
/// credentials that lapse under it.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// The session name every assumed role carries, so that the member's CloudTrail names the tool.
const SESSION_NAME: &str = "cloudfront-tls-audit";

/// The member roles of an organization: one name in every account, with one external id.
#[derive(Debug)]
pub struct MemberRoles {
    sts: aws_sdk_sts::Client,
    /// The function's configuration (endpoint, timeouts, HTTP client); each member's clients get
    /// its own credentials on top.
    config: SdkConfig,
    role_name: String,
    external_id: String,
    limits: CallLimits,
    /// Per account, the inventory reading it and when its credentials expire.
    cache: Mutex<HashMap<String, (AwsInventory, Option<SystemTime>)>>,
}

impl MemberRoles {
    /// The member roles named `role_name`, assumed with `external_id`, from the function's
    /// configuration.
    pub fn new(config: &SdkConfig, role_name: &str, external_id: &str) -> MemberRoles {
        MemberRoles {
            sts: aws_sdk_sts::Client::new(config),
            config: config.clone(),
            role_name: role_name.to_owned(),
            external_id: external_id.to_owned(),
            limits: CallLimits::default(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The member role's ARN in `account_id`, in the function's partition.
    pub fn role_arn(&self, account_id: &str) -> String {
        let region = self.config.region().map(|r| r.as_ref()).unwrap_or_default();
        format!(
            "arn:{}:iam::{account_id}:role/{}",
            partition_of(region),
            self.role_name
        )
    }

    /// The inventory of `account_id`, through its member role: cached while the credentials last;
    /// assumed again otherwise. No call runs past `deadline`.
    pub async fn inventory(
        &self,
        account_id: &str,
        deadline: Option<Instant>,
    ) -> Result<AwsInventory, ReadFailure> {
        let mut cache = self.cache.lock().await;
        if let Some((inventory, expires)) = cache.get(account_id) {
            let fresh = expires.is_none_or(|at| {
                at.duration_since(SystemTime::now())
                    .is_ok_and(|left| left > RENEW_BEFORE_EXPIRY)
            });
            if fresh {
                return Ok(bounded(inventory, deadline));
            }
        }
        let (credentials, expires) = self.assume(account_id, deadline).await?;
        let inventory = AwsInventory::from_sdk_config(&with_credentials(&self.config, credentials));
        cache.insert(account_id.to_owned(), (inventory.clone(), expires));
        Ok(bounded(&inventory, deadline))
    }

    /// One AssumeRole call into `account_id`'s member role.
    async fn assume(
        &self,
        account_id: &str,
        deadline: Option<Instant>,
    ) -> Result<(Credentials, Option<SystemTime>), ReadFailure> {
        let role_arn = self.role_arn(account_id);
        let limits = CallLimits {
            deadline,
            policy: self.limits.policy.clone(),
        };
        assume_role(&self.sts, &role_arn, Some(&self.external_id), &limits)
            .await
            .map_err(|error| {
                let mut failure = error.into_failure(ASSUME_ROLE, &role_arn, None);
                failure.message = format!(
                    "{}; the hub reads account {account_id} through this role: deploy \
                     template-member.yaml to the account (the StackSet's organizational units), \
                     and check that its HubFunctionRoleArn and MemberExternalId match this stack's",
                    failure.message
                );
                failure
            })
    }
}

/// Assumes `role_arn` (with `external_id` when given) and returns its credentials and their expiry.
pub(crate) async fn assume_role(
    sts: &aws_sdk_sts::Client,
    role_arn: &str,
    external_id: Option<&str>,
    limits: &CallLimits,
) -> Result<(Credentials, Option<SystemTime>), CallError> {
    let call = sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(SESSION_NAME)
        .set_external_id(external_id.map(str::to_owned))
        .send();
    let output = limits.send(call).await?;
    let Some(given) = output.credentials() else {
        return Err(CallError::invalid_response("credentials"));
    };
    let expires = SystemTime::try_from(*given.expiration()).ok();
    let credentials = Credentials::new(
        given.access_key_id(),
        given.secret_access_key(),
        Some(given.session_token().to_owned()),
        expires,
        "cloudfront-tls-audit-assumed-role",
    );
    Ok((credentials, expires))
}

/// `config` reading with `credentials`.
pub(crate) fn with_credentials(config: &SdkConfig, credentials: Credentials) -> SdkConfig {
    config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// `inventory` bounded by `deadline`, when there is one.
fn bounded(inventory: &AwsInventory, deadline: Option<Instant>) -> AwsInventory {
    match deadline {
        Some(deadline) => inventory.until(deadline),
        None => inventory.clone(),
    }
}

/// A read failure for an account that could not be read at all, for a reason other than the role
/// (organization mode off, or no function account to compare with).
pub fn account_not_readable(account_id: &str, why: &str) -> ReadFailure {
    ReadFailure {
        operation: ASSUME_ROLE.to_owned(),
        resource: format!("account {account_id}"),
        distribution_id: None,
        kind: FailureKind::Other,
        message: why.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_arn_is_in_the_functions_partition() {
        let config = SdkConfig::builder()
            .region(aws_config::Region::from_static("us-east-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let roles = MemberRoles::new(&config, "cloudfront-tls-audit-member", "x");
        assert_eq!(
            roles.role_arn("111122223333"),
            "arn:aws:iam::111122223333:role/cloudfront-tls-audit-member"
        );
    }
}
