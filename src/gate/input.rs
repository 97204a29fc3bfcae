//! Which reader a file goes to, and the one error type of the readers.

use thiserror::Error;

use super::cloudformation::{self, TemplateError, TemplateInputs};
use super::terraform::{self, PlanError};
use super::{InputKind, Stack};

/// The largest file `check-config` reads: the largest of the readers' own caps (a Terraform plan;
/// templates are capped lower by their reader, DistributionConfigs by theirs).
pub const MAX_INPUT_BYTES: usize = terraform::MAX_PLAN_BYTES;

/// Why a template, a plan or a parameters file could not be read. Each message says where and what
/// to fix.
#[derive(Debug, Error)]
pub enum GateError {
    /// The CloudFormation template (or its parameters file) is not usable.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The Terraform plan is not usable.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A DistributionConfig was handed to the stack readers.
    #[error("a DistributionConfig is not a template or a plan: check it without --input-format, or with --input-format distribution-config")]
    NotAStack,
}

/// The kind of `text`, from its content: a Terraform plan (`format_version` with `planned_values`
/// or `resource_changes`), a CloudFormation template (`Resources` or `AWSTemplateFormatVersion` at
/// the top level), else a DistributionConfig (whose reader says what it expected).
pub fn detect(text: &str) -> InputKind {
    if terraform::looks_like_plan(text) {
        InputKind::TerraformPlan
    } else if cloudformation::looks_like_template(text) {
        InputKind::Cloudformation
    } else {
        InputKind::DistributionConfig
    }
}

/// Reads a template or a plan into a [`Stack`]; `file` is how the user named it.
pub fn read(
    kind: InputKind,
    text: &str,
    file: &str,
    inputs: &TemplateInputs,
) -> Result<Stack, GateError> {
    match kind {
        InputKind::Cloudformation => Ok(cloudformation::read_template(text, file, inputs)?),
        InputKind::TerraformPlan => Ok(terraform::read_plan(text, file)?),
        InputKind::DistributionConfig => Err(GateError::NotAStack),
    }
}

/// Reads a `--parameters` file (CloudFormation's parameter JSON).
pub fn read_parameters(
    text: &str,
    file: &str,
) -> Result<std::collections::BTreeMap<String, String>, GateError> {
    Ok(cloudformation::read_parameters(text, file)?)
}
