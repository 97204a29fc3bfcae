//! The accounts of the organization (issue 14): `organizations:ListAccounts`, every page, from the
//! management account or a delegated administrator, through a role when one is configured.

use std::time::Instant;

use super::clients::CallLimits;
use super::member::{assume_role, with_credentials, ASSUME_ROLE};
use super::pagination::{all_pages, Page};
use crate::aws::for_global_services;
use crate::model::ReadFailure;
use crate::organization::{is_account_id, Account};
use aws_config::SdkConfig;

/// The one Organizations action the code calls.
pub const LIST_ACCOUNTS: &str = "organizations:ListAccounts";

/// The status ListAccounts gives an account that can be read (`SUSPENDED` and `PENDING_CLOSURE`
/// accounts cannot: they are left out, and counted).
const ACTIVE: &str = "ACTIVE";

/// The organization's accounts, as ListAccounts gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountList {
    /// The active accounts, in ListAccounts' order, each once.
    pub accounts: Vec<Account>,
    /// Accounts left out because they are not ACTIVE (suspended, closing), by id and status.
    pub inactive: Vec<(String, String)>,
}

/// Lists every account of the organization. With `role_arn`, through that role (in the management
/// account or a delegated administrator); else with the function's own credentials.
pub async fn list_accounts(
    config: &SdkConfig,
    role_arn: Option<&str>,
    deadline: Option<Instant>,
) -> Result<AccountList, ReadFailure> {
    let limits = CallLimits {
        deadline,
        policy: "".into(),
    };
    // Organizations is served from us-east-1 (its endpoint is global).
    let mut config = for_global_services(config);
    if let Some(role_arn) = role_arn {
        let sts = aws_sdk_sts::Client::new(&config);
        let (credentials, _) =
            assume_role(&sts, role_arn, None, &limits)
                .await
                .map_err(|error| {
                    let mut failure = error.into_failure(ASSUME_ROLE, role_arn, None);
                    failure.message = format!(
                        "{}; OrganizationAccountsRoleArn must name a role that trusts this \
                     function's role",
                        failure.message
                    );
                    failure
                })?;
        config = with_credentials(&config, credentials);
    }
    let client = aws_sdk_organizations::Client::new(&config);
    let listed = all_pages(|token| {
        let request = client.list_accounts().set_next_token(token);
        let limits = &limits;
        async move {
            let output = limits.send(request.send()).await?;
            let next = output.next_token().map(str::to_owned);
            Ok(Page {
                items: output.accounts().to_vec(),
                truncated: next.is_some(),
                next,
            })
        }
    })
    .await
    .map_err(|error| {
        let mut failure = error.into_failure(LIST_ACCOUNTS, "organization", None);
        failure.message = format!(
            "{}; run the hub in the management account's delegated administrator for \
             Organizations, or set OrganizationAccountsRoleArn to a role that may call \
             organizations:ListAccounts",
            failure.message
        );
        failure
    })?;
    let mut list = AccountList::default();
    for account in listed {
        let Some(id) = account.id().filter(|id| is_account_id(id)) else {
            continue;
        };
        let status = account
            .state()
            .map(|s| s.as_str().to_owned())
            .or_else(|| account.status().map(|s| s.as_str().to_owned()))
            .unwrap_or_default();
        if status != ACTIVE {
            list.inactive.push((id.to_owned(), status));
            continue;
        }
        if list.accounts.iter().any(|a| a.account_id == id) {
            continue;
        }
        list.accounts.push(Account {
            account_id: id.to_owned(),
            name: account.name().unwrap_or_default().to_owned(),
        });
    }
    Ok(list)
}
