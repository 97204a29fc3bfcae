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
    /// No AWS call and no handshake at all: only what the file itself says is checked, and each
    /// certificate it names by ARN is reported as not read (`config-value-unresolved`).
    #[arg(long)]
    pub offline: bool,
}

/// Runs `check-config FILE`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn check_config(
    file: &Path,
    args: &GateArgs,
    probes: &AuditProbeArgs,
    expiry: &ExpiryArgs,
    now: OffsetDateTime,
    mut notes: Vec<Note>,
    options: &AwsOptions,
    output: &OutputOptions,
) -> Result<u8, CliError> {
    let path = file.display().to_string();
    let text = read_text(file, &path)?;
    let kind = args.input_format.kind(&text);
    let (subject, stack) =
        match kind {
            InputKind::DistributionConfig => {
                let label = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "proposed".to_owned());
                let distribution = crate::intake::parse_distribution_config(&text, &label)
                    .map_err(|source| CliError::Config {
                        path: path.clone(),
                        source,
                    })?;
                (Subject::Proposed(Box::new(distribution)), None)
            }
            InputKind::Cloudformation | InputKind::TerraformPlan => {
                let inputs = TemplateInputs {
                    parameters: match &args.parameters {
                        Some(parameters) => {
                            let shown = parameters.display().to_string();
                            let text = read_text(parameters, &shown)?;
                            gate::read_parameters(&text).map_err(|source| CliError::Gate {
                                path: shown,
                                source: Box::new(source),
                            })?
                        }
                        None => Default::default(),
                    },
                    region: args.region.clone(),
                    account: None,
                };
                let stack =
                    gate::read(kind, &text, &path, &inputs).map_err(|source| CliError::Gate {
                        path: path.clone(),
                        source: Box::new(source),
                    })?;
                if stack.distributions.is_empty() {
                    notes.push(Note::NoDistribution { file: path.clone() });
                }
                let (snapshot, extra) = gate::stack_snapshot(&stack);
                (
                    Subject::ProposedStack(Box::new(snapshot)),
                    Some((stack, extra)),
                )
            }
        };
    let thresholds = expiry.thresholds()?;
    let probe = if args.offline {
        notes.push(Note::Offline);
        None
    } else {
        probe_options(probes, &mut notes)?
    };
    let request = AuditRequest {
        subject,
        now,
        notes,
        probe,
        thresholds,
    };
    let mut report = if args.offline {
        run_audit(&OfflineReader, &request).await
    } else {
        let config = crate::aws::load_sdk_config(options).await;
        run_audit(&AwsInventory::from_sdk_config(&config), &request).await
    };
    match &stack {
        Some((stack, extra)) => gate::place_findings(&mut report, stack, extra),
        None => place_in_file(&mut report, &path),
    }
    finish(&report, output, FailOn::Any)
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
    String::from_utf8(bytes).map_err(|_| CliError::NotUtf8 {
        path: path.to_owned(),
    })
}
