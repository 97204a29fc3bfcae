//! `check-config`: the pre-deploy gate over what users write to change CloudFront: a
//! DistributionConfig, a CloudFormation or SAM template (the output of `cdk synth` too), or a
//! Terraform plan. The file is read into proposed distributions (`crate::gate`), the same pipeline
//! as `audit` judges them, and every finding is placed on the line that wrote it.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use time::OffsetDateTime;

use super::{finish, probe_options, AuditProbeArgs, CliError, ExpiryArgs, FailOn, OutputOptions};
use crate::audit::{run as run_audit, AuditRequest, Subject};
use crate::finding::Location;
use crate::gate::{self, InputKind, OfflineReader, TemplateInputs};
use crate::inventory::{AwsInventory, AwsOptions};
use crate::report::{Note, Report};

/// What kind of file `check-config` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Detected from the content: a Terraform plan, a CloudFormation template, else a
    /// DistributionConfig.
    Auto,
    /// A CloudFormation or SAM template, YAML or JSON (`cdk synth` writes one).
    Cloudformation,
    /// `terraform show -json PLAN` (Terraform or OpenTofu).
    TerraformPlan,
    /// A DistributionConfig as the AWS CLI or CloudTrail writes it.
    DistributionConfig,
}

impl InputFormat {
    fn kind(self, text: &str) -> InputKind {
        match self {
            InputFormat::Auto => gate::detect(text),
            InputFormat::Cloudformation => InputKind::Cloudformation,
            InputFormat::TerraformPlan => InputKind::TerraformPlan,
            InputFormat::DistributionConfig => InputKind::DistributionConfig,
        }
    }
}

/// The gate's own options of `check-config`.
#[derive(Debug, Clone, clap::Args)]
pub struct GateArgs {
    /// What the file is (default: detected from its content).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Template parameter values: the JSON `aws cloudformation create-stack --parameters
    /// file://…` takes (`[{"ParameterKey":"CertArn","ParameterValue":"arn:…"}]`).
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
    /// The region the template's stack is deployed in: the value of `AWS::Region`, and where the
    /// certificates it declares are created (CloudFront takes them from us-east-1 only).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The account the template's stack is deployed in: the value of `AWS::AccountId` (12
    /// digits), so that ARNs built with `!Sub` resolve.
    #[arg(long, value_name = "ACCOUNT", value_parser = account_id)]
    pub account_id: Option<String>,
    /// No AWS call and no handshake at all: only what the file itself says is checked, and each
    /// certificate it names by ARN is reported as not read (`config-value-unresolved`).
    #[arg(long)]
    pub offline: bool,
}

/// An AWS account id: 12 digits.
fn account_id(value: &str) -> Result<String, String> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err("an AWS account id is 12 digits, like 111122223333".to_owned())
    }
}

/// Runs `check-config FILE...`: each file is read and judged on its own, then one report covers
/// them all (one SARIF log, one exit status), so a hook or a CI step passes every changed file at
/// once.
#[allow(clippy::too_many_arguments)]
pub(super) async fn check_config(
    files: &[PathBuf],
    args: &GateArgs,
    probes: &AuditProbeArgs,
    expiry: &ExpiryArgs,
    now: OffsetDateTime,
    mut notes: Vec<Note>,
    options: &AwsOptions,
    output: &OutputOptions,
) -> Result<u8, CliError> {
    let thresholds = expiry.thresholds()?;
    let probe = if args.offline {
        notes.push(Note::Offline);
        None
    } else {
        probe_options(probes, &mut notes)?
    };
    let parameters = match &args.parameters {
        Some(parameters) => {
            let shown = parameters.display().to_string();
            let text = read_text(parameters, &shown)?;
            gate::read_parameters(&text, &shown).map_err(|source| CliError::Gate {
                path: shown,
                source: Box::new(source),
            })?
        }
        None => Default::default(),
    };
    let inputs = TemplateInputs {
        parameters,
        region: args.region.clone(),
        account: args.account_id.clone(),
    };
    // Built once: every file's certificates are read through the same clients.
    let live = if args.offline {
        None
    } else {
        let config = crate::aws::load_sdk_config(options).await;
        Some(AwsInventory::from_sdk_config(&config))
    };
    let mut merged: Option<Report> = None;
    for file in files {
        let path = file.display().to_string();
        let text = read_text(file, &path)?;
        let (subject, stack) = read_subject(file, &path, &text, args.input_format, &inputs)?;
        let mut file_notes = notes.clone();
        if stack
            .as_ref()
            .is_some_and(|(stack, _)| stack.distributions.is_empty())
        {
            file_notes.push(Note::NoDistribution { file: path.clone() });
        }
        let request = AuditRequest {
            subject,
            now,
            notes: file_notes,
            probe: probe.clone(),
            thresholds,
        };
        let mut report = match (&live, &stack) {
            (Some(inventory), _) => run_audit(inventory, &request).await,
            (None, Some((stack, _))) => run_audit(&OfflineReader::for_stack(stack), &request).await,
            (None, None) => run_audit(&OfflineReader::default(), &request).await,
        };
        match &stack {
            Some((stack, extra)) => gate::place_findings(&mut report, stack, extra),
            None => place_in_file(&mut report, &path),
        }
        merged = Some(match merged {
            None => report,
            Some(so_far) => merge(so_far, report),
        });
    }
    let report = merged.unwrap_or_else(|| Report::new(Vec::new(), 0, notes));
    let input_file = match files {
        [only] if only.as_os_str() != "-" => only.to_str(),
        _ => None,
    };
    finish(&report, output, FailOn::Any, input_file)
}

/// What one file proposes: a DistributionConfig, or a stack with the places of its properties.
type Proposal = (Subject, Option<(gate::Stack, Vec<gate::Unresolved>)>);

/// Reads one file into what the audit judges.
fn read_subject(
    file: &Path,
    path: &str,
    text: &str,
    format: InputFormat,
    inputs: &TemplateInputs,
) -> Result<Proposal, CliError> {
    match format.kind(text) {
        InputKind::DistributionConfig => {
            let label = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "proposed".to_owned());
            let distribution =
                crate::intake::parse_distribution_config(text, &label).map_err(|source| {
                    CliError::Config {
                        path: path.to_owned(),
                        source,
                    }
                })?;
            Ok((Subject::Proposed(Box::new(distribution)), None))
        }
        kind @ (InputKind::Cloudformation | InputKind::TerraformPlan) => {
            let stack = gate::read(kind, text, path, inputs).map_err(|source| CliError::Gate {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
            let (snapshot, extra) = gate::stack_snapshot(&stack);
            Ok((
                Subject::ProposedStack(Box::new(snapshot)),
                Some((stack, extra)),
            ))
        }
    }
}

/// One report over several files: their findings, counts and labels together, each note once.
fn merge(mut into: Report, from: Report) -> Report {
    into.findings.extend(from.findings);
    into.sort();
    into.distributions_audited += from.distributions_audited;
    for note in from.notes {
        if !into.notes.contains(&note) {
            into.notes.push(note);
        }
    }
    into.distribution_labels.extend(from.distribution_labels);
    into.edge_pending.extend(from.edge_pending);
    into
}

/// A DistributionConfig has no positions the gate keeps: its findings name the file and the
/// distribution, so that SARIF and annotations still point at something.
fn place_in_file(report: &mut Report, path: &str) {
    for finding in &mut report.findings {
        finding.location = Some(Location {
            file: path.to_owned(),
            line: None,
            column: None,
            resource: finding.distribution_id.clone(),
        });
    }
}

/// The file's text (`-`: standard input), at most [`gate::MAX_INPUT_BYTES`].
fn read_text(file: &Path, path: &str) -> Result<String, CliError> {
    let limit = u64::try_from(gate::MAX_INPUT_BYTES).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map(|_| ())
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|source| CliError::ReadConfig {
        path: path.to_owned(),
        source,
    })?;
    if bytes.len() > gate::MAX_INPUT_BYTES {
        return Err(CliError::InputTooLarge {
            path: path.to_owned(),
            limit: gate::MAX_INPUT_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| CliError::NotUtf8 {
        path: path.to_owned(),
    })?;
    if text.trim().is_empty() {
        return Err(CliError::EmptyInput {
            path: path.to_owned(),
        });
    }
    Ok(text)
}
