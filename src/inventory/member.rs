//! A member account's read-only role (issue 14): the hub assumes it, once per account per
//! invocation, and reads that account with the credentials it gives.

/// What the hub calls to read a member account (and, when configured, to list the organization's
/// accounts through a role of the management account or a delegated administrator).
pub const ASSUME_ROLE: &str = "sts:AssumeRole";
