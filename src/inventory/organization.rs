//! The accounts of the organization (issue 14): `organizations:ListAccounts`, every page, from the
//! management account or a delegated administrator, through a role when one is configured.

/// The one Organizations action the code calls.
pub const LIST_ACCOUNTS: &str = "organizations:ListAccounts";
