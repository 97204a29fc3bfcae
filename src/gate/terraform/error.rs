//! Why a Terraform or OpenTofu plan could not be read, with where (a JSON path of the plan, or a
//! resource address) and what to do about it.

use thiserror::Error;

use crate::intake::ConfigError;

/// Why a plan could not be read. Every variant says where and what to do about it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The text is over [`MAX_PLAN_BYTES`](super::MAX_PLAN_BYTES); refused before parsing.
    #[error(
        "the plan is {size} bytes, over the {limit}-byte (64 MiB) limit; pass the output of \
         `terraform show -json PLAN` for the configuration that holds the distributions, or split the \
         configuration"
    )]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text is not JSON.
    #[error(
        "not valid JSON at line {line}, column {column}: {message}; write the plan with \
         `terraform show -json PLAN > plan.json` (the output of `terraform plan` itself is not JSON)"
    )]
    InvalidJson {
        /// One-based line, as serde_json reports it.
        line: usize,
        /// One-based column, as serde_json reports it.
        column: usize,
        /// serde_json's description, without its position suffix.
        message: String,
    },
    /// Valid JSON, but not a plan: no `format_version`, or a state file (`values` instead of
    /// `planned_values`).
    #[error(
        "not a Terraform plan ({found}); pass the output of `terraform plan -out=PLAN` then \
         `terraform show -json PLAN` (a state, `terraform show -json` without a plan file, has no \
         planned values)"
    )]
    NotAPlan {
        /// What the document is instead.
        found: String,
    },
    /// A `format_version` whose major version this reader does not know.
    #[error(
        "plan format_version {version:?} is not supported (this reader knows major version 1, \
         Terraform 0.12 to 1.x and OpenTofu); use a Terraform or OpenTofu release that writes format 1.x"
    )]
    UnsupportedFormatVersion {
        /// The version as written (shortened).
        version: String,
    },
    /// A value of the plan has the wrong JSON type.
    #[error(
        "{path}: expected {expected}, found {found}; the file is not what `terraform show -json` \
         writes, regenerate it"
    )]
    WrongType {
        /// Where, as a JSON path of the plan (`planned_values.root_module.resources[3].values`).
        path: String,
        /// What the value must be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// More of something than any real plan holds.
    #[error(
        "the plan holds more than {limit} {what}; check a smaller configuration (a root module per \
         group of distributions)"
    )]
    TooMany {
        /// What was counted (`resources`, `nested modules`).
        what: &'static str,
        /// The bound.
        limit: usize,
    },
    /// A resource address that is not an address (too long, or not `module.NAME…`).
    #[error("{path}: {address:?} is not a Terraform address; regenerate the plan")]
    BadAddress {
        /// Where the address was read.
        path: String,
        /// The address, shortened.
        address: String,
    },
    /// `resource_changes` creates or updates a distribution that neither `planned_values` nor the
    /// change's `after` describes: the plan is incomplete or was edited, and what it proposes is
    /// unknown.
    #[error(
        "resource_changes plans to {action} {address}, but neither planned_values nor the \
         change's `after` describes it, so what it proposes cannot be checked; regenerate the plan \
         with `terraform show -json PLAN`"
    )]
    ChangeNotPlanned {
        /// The distribution's address, shortened.
        address: String,
        /// What the change does (`create`, `update`, `replace`).
        action: &'static str,
    },
    /// A distribution whose values do not make a DistributionConfig.
    #[error(
        "{address}: {source} (the path is in CloudFront's DistributionConfig names: `Origins` is \
         `origin`, `CustomOriginConfig.HTTPSPort` is `custom_origin_config[0].https_port`, \
         `CacheBehaviors` is `ordered_cache_behavior`)"
    )]
    Distribution {
        /// The Terraform address of the distribution.
        address: String,
        /// What the DistributionConfig reader said.
        source: ConfigError,
    },
}

/// The JSON type of a value, for an error (the value itself is not echoed: a plan can hold secrets).
pub(super) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
