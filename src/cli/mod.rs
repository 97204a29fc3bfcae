//! The `cloudfront-tls-audit` command line: argument parsing and exit codes. The work is done by
//! [`crate::audit`]; this module only turns arguments into requests and reports into output.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use thiserror::Error;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

mod gate;
mod probe;
mod state;

pub use state::{FailOn, StateArgs, Store, StoreArgs, SuppressCommand};

use std::time::Duration;

use crate::audit::{run as run_audit, AuditRequest, ProbeOptions, Subject};
use crate::aws::AwsTimeouts;
use crate::catalogue::Code;
use crate::finding::Severity;
use crate::intake::ConfigError;
use crate::inventory::{AwsInventory, AwsOptions};
use crate::model::Scope;
use crate::probe::{ConnectTo, ProbeSettings, ResolveOverride};
use crate::report::{render_github, render_json, render_sarif, render_text, Note, Report};
use crate::rules::ExpiryThresholds;
use crate::settings::{
    self, check_aws_timeouts, check_thresholds, AwsTimeoutError, LabInputs, ThresholdError,
    TrustAnchorError, TrustAnchors,
};

/// Finds CloudFront TLS misconfigurations before viewers do.
#[derive(Debug, Parser)]
#[command(name = "cloudfront-tls-audit", version, about, long_about = None)]
pub struct Cli {
    /// Send every AWS call to this endpoint (a local emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, global = true, env = "CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,

    /// Judge validity and expiry as of this moment (RFC 3339), e.g. to see what breaks by a date.
    #[arg(long, global = true, value_parser = parse_rfc3339)]
    pub as_of: Option<OffsetDateTime>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit distributions in the account (all of them unless --distribution is given).
    Audit {
        /// A distribution id to audit; repeat for several.
        #[arg(long = "distribution", value_name = "ID")]
        distributions: Vec<String>,
        #[command(flatten)]
        output: OutputOptions,
        #[command(flatten)]
        probes: AuditProbeArgs,
        #[command(flatten)]
        expiry: ExpiryArgs,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Check a change before deploying it, where it is made: a CloudFormation or SAM template, a
    /// `cdk synth` output, a Terraform plan, or a DistributionConfig (the output of `aws cloudfront
    /// get-distribution-config`). Only the certificates and policies it names are read from AWS
    /// (nothing with --offline).
    CheckConfig {
        /// The files, each a DistributionConfig JSON, a CloudFormation or SAM template (YAML or
        /// JSON, the output of `cdk synth` too) or a Terraform plan (`terraform show -json PLAN`);
        /// `-` reads standard input. Several files give one report and one exit status.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        gate: gate::GateArgs,
        #[command(flatten)]
        output: OutputOptions,
        #[command(flatten)]
        probes: AuditProbeArgs,
        #[command(flatten)]
        expiry: ExpiryArgs,
    },
    /// Probe an origin the way CloudFront would connect to it: the `openssl s_client` a CloudFront
    /// user needs, with a verdict in CloudFront's terms.
    Probe {
        /// The origin, HOST or HOST:PORT (port 443 by default).
        origin: String,
        /// SNI name to send (default: the host); repeat to probe several, as when Host is forwarded.
        #[arg(long = "sni", value_name = "NAME")]
        sni: Vec<String>,
        /// OriginSslProtocols to offer, comma-separated (SSLv3, TLSv1, TLSv1.1, TLSv1.2).
        #[arg(long, value_delimiter = ',', default_value = "TLSv1.2")]
        origin_ssl_protocols: Vec<String>,
        #[command(flatten)]
        output: OutputOptions,
        #[command(flatten)]
        lab: ProbeArgs,
        #[command(flatten)]
        expiry: ExpiryArgs,
    },
    /// Print the catalogue of finding codes as Markdown (the source of docs/findings.md).
    Catalogue,
    /// Accepted risks that expire: add, list or remove suppressions in the state.
    Suppress {
        /// What to do.
        #[command(subcommand)]
        action: SuppressCommand,
    },
}

/// Output options shared by the commands that report findings.
#[derive(Debug, clap::Args)]
pub struct OutputOptions {
    /// Output format: text for people, json for scripts, sarif for code scanning, github for
    /// pull-request annotations.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Report findings at or above this severity; exit 1 when there is one.
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub min_severity: Severity,
}

/// How probes run, shared by `probe`, `audit` and `check-config` (and the Lambda's environment).
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// Connect to ADDR for HOST:PORT instead of resolving HOST (curl's --resolve); repeatable. The
    /// names sent and checked stay HOST. Space-separated in the environment variable.
    #[arg(
        long = "resolve",
        value_name = "HOST:PORT:ADDR",
        env = "CLOUDFRONT_TLS_AUDIT_RESOLVE",
        value_delimiter = ' '
    )]
    pub resolve: Vec<ResolveOverride>,
    /// Connect to ADDR:PORT2 for HOST:PORT (curl's --connect-to, with an address), e.g. to stand in
    /// for an edge; repeatable. Space-separated in the environment variable.
    #[arg(
        long = "connect-to",
        value_name = "HOST:PORT:ADDR:PORT2",
        env = "CLOUDFRONT_TLS_AUDIT_CONNECT_TO",
        value_delimiter = ' '
    )]
    pub connect_to: Vec<ConnectTo>,
    /// Trust the CA certificates in this PEM file as if they were in the public trust store
    /// (a lab or test CA); repeatable. Space-separated in the environment variable.
    #[arg(
        long = "trust-anchor",
        value_name = "FILE.pem",
        env = "CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR",
        value_delimiter = ' '
    )]
    pub trust_anchors: Vec<PathBuf>,
    /// Seconds allowed for each probe (resolution, connection and handshakes); the origin's own
    /// ConnectionTimeout still bounds the TCP connect.
    #[arg(
        long = "timeout",
        value_name = "SECS",
        default_value_t = settings::PROBE_TIMEOUT_SECONDS.default,
        value_parser = clap::value_parser!(u64).range(settings::PROBE_TIMEOUT_SECONDS.range())
    )]
    pub timeout_seconds: u64,
    /// Handshakes run at once.
    #[arg(
        long,
        default_value_t = settings::PROBE_CONCURRENCY.default,
        value_parser = clap::value_parser!(u64).range(settings::PROBE_CONCURRENCY.range())
    )]
    pub probe_concurrency: u64,
}

/// Deadlines and retries of every AWS call: the Lambda's `AWS_*` variables as flags. A call that
/// outlasts them is reported as `audit-incomplete`, naming the operation and why.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// Seconds to open a connection to an AWS endpoint.
    #[arg(
        long = "aws-connect-timeout",
        value_name = "SECS",
        global = true,
        default_value_t = settings::AWS_CONNECT_TIMEOUT_SECONDS.default,
        value_parser = clap::value_parser!(u64).range(settings::AWS_CONNECT_TIMEOUT_SECONDS.range())
    )]
    pub connect_timeout_seconds: u64,
    /// Seconds one attempt of an AWS call may take, answer included.
    #[arg(
        long = "aws-attempt-timeout",
        value_name = "SECS",
        global = true,
        default_value_t = settings::AWS_ATTEMPT_TIMEOUT_SECONDS.default,
        value_parser = clap::value_parser!(u64).range(settings::AWS_ATTEMPT_TIMEOUT_SECONDS.range())
    )]
    pub attempt_timeout_seconds: u64,
    /// Seconds one AWS call may take with all its retries.
    #[arg(
        long = "aws-operation-timeout",
        value_name = "SECS",
        global = true,
        default_value_t = settings::AWS_OPERATION_TIMEOUT_SECONDS.default,
        value_parser = clap::value_parser!(u64).range(settings::AWS_OPERATION_TIMEOUT_SECONDS.range())
    )]
    pub operation_timeout_seconds: u64,
    /// Attempts per AWS call, the first included (throttling, 5xx, timeouts are retried).
    #[arg(
        long = "aws-max-attempts",
        value_name = "N",
        global = true,
        default_value_t = settings::AWS_MAX_ATTEMPTS.default,
        value_parser = clap::value_parser!(u64).range(settings::AWS_MAX_ATTEMPTS.range())
    )]
    pub max_attempts: u64,
    /// Milliseconds of the first retry's backoff (doubling, up to 20 s, with jitter).
    #[arg(
        long = "aws-retry-backoff-ms",
        value_name = "MS",
        global = true,
        default_value_t = settings::AWS_RETRY_BACKOFF_MILLISECONDS.default,
        value_parser = clap::value_parser!(u64).range(settings::AWS_RETRY_BACKOFF_MILLISECONDS.range())
    )]
    pub retry_backoff_ms: u64,
}

impl AwsArgs {
    /// The deadlines, checked as the Lambda checks its variables.
    pub fn timeouts(&self) -> Result<AwsTimeouts, CliError> {
        let timeouts = AwsTimeouts {
            connect: Duration::from_secs(self.connect_timeout_seconds),
            attempt: Duration::from_secs(self.attempt_timeout_seconds),
            operation: Duration::from_secs(self.operation_timeout_seconds),
            max_attempts: u32::try_from(self.max_attempts).unwrap_or(u32::MAX),
            initial_backoff: Duration::from_millis(self.retry_backoff_ms),
        };
        check_aws_timeouts(&timeouts)?;
        Ok(timeouts)
    }
}

/// When an approaching expiry becomes a finding, relative to the certificate's lifetime: the Lambda's
/// expiry variables as flags (rules/expiry.rs).
#[derive(Debug, Clone, clap::Args)]
pub struct ExpiryArgs {
    /// Viewer certificate renewed by hand: high at most this many days before expiry (long-lived
    /// certificates get exactly this; shorter ones the --expiry-high-percent share).
    #[arg(long, value_name = "DAYS", default_value_t = ExpiryThresholds::default().viewer_high_days.unsigned_abs(), value_parser = expiry_days())]
    pub viewer_expiry_high_days: u64,
    /// Viewer certificate renewed by hand: medium at most this many days before expiry.
    #[arg(long, value_name = "DAYS", default_value_t = ExpiryThresholds::default().viewer_medium_days.unsigned_abs(), value_parser = expiry_days())]
    pub viewer_expiry_medium_days: u64,
    /// An ACM-renewed certificate is reported when its renewal is overdue: with this many days left
    /// on a 395-day certificate (ACM starts at 60), the same share of a shorter lifetime.
    #[arg(long, value_name = "DAYS", default_value_t = settings::MANAGED_RENEWAL_OVERDUE_DAYS.default, value_parser = bounded(settings::MANAGED_RENEWAL_OVERDUE_DAYS))]
    pub managed_renewal_overdue_days: u64,
    /// Origin certificate: high at most this many days before expiry.
    #[arg(long, value_name = "DAYS", default_value_t = ExpiryThresholds::default().origin_high_days.unsigned_abs(), value_parser = expiry_days())]
    pub origin_expiry_high_days: u64,
    /// Origin certificate: medium at most this many days before expiry.
    #[arg(long, value_name = "DAYS", default_value_t = ExpiryThresholds::default().origin_medium_days.unsigned_abs(), value_parser = expiry_days())]
    pub origin_expiry_medium_days: u64,
    /// Renewed by hand (viewer or origin): medium in this last share of the lifetime, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = settings::EXPIRY_MEDIUM_PERCENT.default, value_parser = bounded(settings::EXPIRY_MEDIUM_PERCENT))]
    pub expiry_medium_percent: u64,
    /// Renewed by hand: high in this last share of the lifetime, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = settings::EXPIRY_HIGH_PERCENT.default, value_parser = bounded(settings::EXPIRY_HIGH_PERCENT))]
    pub expiry_high_percent: u64,
    /// Any certificate: critical in its last this-many days.
    #[arg(long, value_name = "DAYS", default_value_t = settings::EXPIRY_CRITICAL_DAYS.default, value_parser = bounded(settings::EXPIRY_CRITICAL_DAYS))]
    pub expiry_critical_days: u64,
    /// Renewed by hand: medium at least this many days before expiry, however short the lifetime.
    #[arg(long, value_name = "DAYS", default_value_t = settings::EXPIRY_MEDIUM_FLOOR_DAYS.default, value_parser = bounded(settings::EXPIRY_MEDIUM_FLOOR_DAYS))]
    pub expiry_medium_floor_days: u64,
    /// Renewed by hand: high at least this many days before expiry.
    #[arg(long, value_name = "DAYS", default_value_t = settings::EXPIRY_HIGH_FLOOR_DAYS.default, value_parser = bounded(settings::EXPIRY_HIGH_FLOOR_DAYS))]
    pub expiry_high_floor_days: u64,
}

fn expiry_days() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(settings::EXPIRY_DAYS)
}

fn bounded(setting: settings::Bounded) -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(setting.range())
}

impl ExpiryArgs {
    /// The thresholds, checked as the Lambda checks its variables.
    pub fn thresholds(&self) -> Result<ExpiryThresholds, CliError> {
        let days = |d: u64| i64::try_from(d).unwrap_or(i64::MAX);
        let thresholds = ExpiryThresholds {
            viewer_high_days: days(self.viewer_expiry_high_days),
            viewer_medium_days: days(self.viewer_expiry_medium_days),
            managed_renewal_days: days(self.managed_renewal_overdue_days),
            origin_high_days: days(self.origin_expiry_high_days),
            origin_medium_days: days(self.origin_expiry_medium_days),
            medium_percent: days(self.expiry_medium_percent),
            high_percent: days(self.expiry_high_percent),
            critical_days: days(self.expiry_critical_days),
            medium_floor_days: days(self.expiry_medium_floor_days),
            high_floor_days: days(self.expiry_high_floor_days),
        };
        check_thresholds(&thresholds)?;
        Ok(thresholds)
    }
}

/// Probe options of `audit` and `check-config`.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditProbeArgs {
    /// Skip the network: no origin or edge handshakes, configuration rules only.
    #[arg(long)]
    pub no_probe: bool,
    /// Probe origins but do not check what the edge serves for each alias.
    #[arg(long)]
    pub no_edge_check: bool,
    #[command(flatten)]
    pub lab: ProbeArgs,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: grouped by distribution, worst first.
    Text,
    /// The JSON contract for scripts.
    Json,
    /// SARIF 2.1.0, for code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request's lines.
    Github,
}

/// A gate error, its file named once: a template's error leads with its own `file:line:column`.
fn gate_message(path: &str, error: &crate::gate::GateError) -> String {
    match error {
        crate::gate::GateError::Template(_) => error.to_string(),
        _ => format!("{path}: {error}"),
    }
}

/// Operational errors: exit status 2, with a message that says what to do.
#[derive(Debug, Error)]
pub enum CliError {
    /// The config file could not be read.
    #[error("cannot read {path}: {source}. Check the path, or pass - to read standard input.")]
    ReadConfig {
        /// The path given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not a usable DistributionConfig.
    #[error("{path} is not a usable DistributionConfig: {source}")]
    Config {
        /// The path given.
        path: String,
        /// What is wrong with it.
        source: ConfigError,
    },
    /// The template, plan or parameters file is not usable.
    #[error("{}", gate_message(path, source))]
    Gate {
        /// The path given.
        path: String,
        /// What is wrong with it, and where (boxed: a template error carries its position).
        source: Box<crate::gate::GateError>,
    },
    /// The file is larger than any input `check-config` reads.
    #[error("{path} is larger than {limit} bytes, more than any template, plan or DistributionConfig: check the path")]
    InputTooLarge {
        /// The path given.
        path: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The file holds nothing but white space.
    #[error("{path} is empty: pass the template, plan or DistributionConfig to check")]
    EmptyInput {
        /// The path given.
        path: String,
    },
    /// The file is not UTF-8 text.
    #[error("{path} is not UTF-8 text: pass the template, plan or DistributionConfig itself")]
    NotUtf8 {
        /// The path given.
        path: String,
    },
    /// A trust anchor file could not be used.
    #[error(transparent)]
    TrustAnchor(#[from] TrustAnchorError),
    /// The AWS deadlines contradict each other.
    #[error("{0} (--aws-operation-timeout / --aws-attempt-timeout)")]
    AwsTimeouts(#[from] AwsTimeoutError),
    /// The expiry thresholds contradict each other.
    #[error("{0} (--origin-expiry-high-days / --viewer-expiry-high-days)")]
    Thresholds(#[from] ThresholdError),
    /// An OriginSslProtocols value CloudFront does not know.
    #[error("{0:?} is not an origin SSL protocol: use SSLv3, TLSv1, TLSv1.1 or TLSv1.2")]
    OriginSslProtocol(String),
    /// The probe target is not HOST or HOST:PORT.
    #[error("{0:?} is not HOST or HOST:PORT (for example origin.example.com:443)")]
    ProbeTarget(String),
    /// The state could not be used, or a suppression is not valid.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// `suppress` was given no store.
    #[error(
        "suppress needs the state to keep suppressions in: pass --state PATH (a JSON file) or --state-table TABLE (the Lambda's)"
    )]
    NoStore,
    /// `suppress add` without an expiry.
    #[error(
        "a suppression needs an expiry, at most 365 days away: pass --expires 2027-03-01 or --days 90"
    )]
    NoExpiry,
    /// `suppress remove` of an id the state does not have.
    #[error("no suppression {0} in the state; `suppress list` shows their ids")]
    NoSuchSuppression(String),
    /// The suppressions file could not be read.
    #[error("cannot read the suppressions file {path}: {source}. Check the path.")]
    ReadSuppressions {
        /// The path given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The suppressions file is not valid.
    #[error(
        "the suppressions file {path} is not valid: {reason}. Its shape is \
         {{\"suppressions\": [{{\"code\", \"reason\", \"created_at\", \"expires_at\", ...}}]}} (docs/state.md)."
    )]
    Suppressions {
        /// The path given.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Nothing could be audited.
    #[error(
        "nothing was audited: {reason}. Check AWS credentials (aws sts get-caller-identity), the \
         distribution ids, and --endpoint-url; the findings above say what failed."
    )]
    NothingAudited {
        /// The first failure.
        reason: String,
    },
}

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
/// A finding reached `--min-severity`.
pub const EXIT_FINDINGS: u8 = 1;
/// Usage or operational error.
pub const EXIT_ERROR: u8 = 2;

/// Runs the parsed command line and returns the process exit status.
pub async fn run(cli: Cli) -> ExitCode {
    let now = cli.as_of.unwrap_or_else(OffsetDateTime::now_utc);
    let mut notes: Vec<Note> = Vec::new();
    if let Some(url) = &cli.endpoint_url {
        notes.push(Note::EndpointOverride { url: url.clone() });
    }
    if let Some(at) = cli.as_of {
        notes.push(Note::AsOf { at });
    }
    let timeouts = match cli.aws.timeouts() {
        Ok(timeouts) => timeouts,
        Err(error) => {
            eprintln!("error: {}", crate::report::terminal(&error.to_string()));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let options = AwsOptions {
        endpoint_url: cli.endpoint_url.clone(),
        timeouts,
    };
    let outcome = match cli.command {
        Command::Catalogue => {
            write_stdout(&crate::catalogue::render_markdown());
            return ExitCode::from(EXIT_CLEAN);
        }
        Command::Suppress { action } => {
            state::suppress(action, now, crate::aws::load_sdk_config(&options)).await
        }
        Command::Audit {
            distributions,
            output,
            probes,
            expiry,
            state,
        } => {
            let scope = if distributions.is_empty() {
                Scope::AllDistributions
            } else {
                Scope::Distributions(distributions)
            };
            audit_and_report(
                Subject::Distributions(scope),
                &probes,
                &expiry,
                now,
                notes,
                &options,
                &output,
                Some(&state),
            )
            .await
        }
        Command::CheckConfig {
            files,
            gate,
            output,
            probes,
            expiry,
        } => {
            gate::check_config(
                &files, &gate, &probes, &expiry, now, notes, &options, &output,
            )
            .await
        }
        Command::Probe {
            origin,
            sni,
            origin_ssl_protocols,
            output,
            lab,
            expiry,
        } => match expiry.thresholds() {
            Ok(thresholds) => {
                match probe::run(
                    &origin,
                    &sni,
                    &origin_ssl_protocols,
                    &lab,
                    thresholds,
                    now,
                    notes,
                )
                .await
                {
                    Ok(report) => finish_probe(&report, &output),
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        },
    };
    match outcome {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("error: {}", crate::report::terminal(&error.to_string()));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// What `audit` runs the state pass of its report with.
const AUDIT_TRIGGER: &str = "cloudfront-tls-audit audit";

/// `audit` and `check-config`: the request from the arguments, the pipeline, the state pass
/// (`audit` only: a proposed configuration is not what is deployed), the report printed.
#[allow(clippy::too_many_arguments)]
async fn audit_and_report(
    subject: Subject,
    probes: &AuditProbeArgs,
    expiry: &ExpiryArgs,
    now: OffsetDateTime,
    mut notes: Vec<Note>,
    options: &AwsOptions,
    output: &OutputOptions,
    state: Option<&StateArgs>,
) -> Result<u8, CliError> {
    let thresholds = expiry.thresholds()?;
    let probe = probe_options(probes, &mut notes)?;
    // Read before the audit: a bad file is an error to fix, not a surprise after a long sweep.
    let suppressions = match state.and_then(|s| s.suppressions.as_deref()) {
        Some(path) => state::read_suppressions_file(path)?,
        None => Vec::new(),
    };
    let config = crate::aws::load_sdk_config(options).await;
    let inventory = AwsInventory::from_sdk_config(&config);
    let request = AuditRequest {
        subject,
        now,
        notes,
        probe,
        thresholds,
    };
    let Some(state) = state else {
        return finish(
            &run_audit(&inventory, &request).await,
            output,
            FailOn::Any,
            None,
        );
    };
    let mut account_notes = Vec::new();
    let (account, mut report) = futures::join!(
        state::account(state.account.as_deref(), &config, &mut account_notes),
        run_audit(&inventory, &request)
    );
    report.notes.extend(account_notes);
    let facts = crate::state::RunFacts {
        account: &account,
        now,
        trigger: AUDIT_TRIGGER,
        remind_after_days: i64::try_from(settings::REMIND_AFTER_DAYS.default).unwrap_or(7),
    };
    let remembered = state::remember(&mut report, state, &suppressions, facts, &config).await;
    let status = finish(&report, output, state.fail_on, None)?;
    // A store that failed: the report above says so and is whole; the run still fails.
    remembered.map(|()| status)
}

/// Probe options from the command line; lab inputs are noted in the report.
fn probe_options(
    args: &AuditProbeArgs,
    notes: &mut Vec<Note>,
) -> Result<Option<ProbeOptions>, CliError> {
    if args.no_probe {
        notes.push(Note::NotProbed {
            switch: "--no-probe",
        });
        return Ok(None);
    }
    let mut options = lab_options(&args.lab, notes)?;
    if args.no_edge_check {
        notes.push(Note::EdgeNotChecked {
            switch: "--no-edge-check",
        });
        options.edge_check = false;
    }
    Ok(Some(options))
}

/// Settings shared by every probing command, with a note for each lab input used.
pub(crate) fn lab_options(
    args: &ProbeArgs,
    notes: &mut Vec<Note>,
) -> Result<ProbeOptions, CliError> {
    let lab = LabInputs {
        endpoint_url: None,
        resolve: args.resolve.clone(),
        connect_to: args.connect_to.clone(),
        trust_anchors: TrustAnchors::load(&args.trust_anchors)?,
    };
    notes.extend(lab.probe_notes());
    Ok(ProbeOptions {
        settings: ProbeSettings {
            deadline: Duration::from_secs(args.timeout_seconds),
            resolve: lab.resolve,
            connect_to: lab.connect_to,
            ..ProbeSettings::default()
        },
        trust_anchors: lab.trust_anchors.certificates,
        concurrency: usize::try_from(args.probe_concurrency).unwrap_or(usize::MAX),
        edge_check: true,
        stop_new_work_at: None,
    })
}

/// Prints a probe report and picks the exit status.
fn finish_probe(report: &Report, output: &OutputOptions) -> Result<u8, CliError> {
    let shown = report.at_least(output.min_severity);
    let rendered = match output.format {
        Format::Json => probe::render_json(&shown) + "\n",
        Format::Text => probe::render_text(&shown, use_colour()),
        Format::Sarif => render_sarif(&shown, None) + "\n",
        Format::Github => render_github(&shown),
    };
    write_stdout(&rendered);
    Ok(exit_status(&shown))
}

/// Prints the report and picks the exit status.
/// `input_file` is the file `check-config` read: SARIF places findings that have no line of their
/// own at its start.
fn finish(
    report: &Report,
    output: &OutputOptions,
    fail_on: FailOn,
    input_file: Option<&str>,
) -> Result<u8, CliError> {
    let shown = report.at_least(output.min_severity);
    let rendered = match output.format {
        Format::Json => render_json(&shown) + "\n",
        Format::Text => render_text(&shown, use_colour()),
        Format::Sarif => render_sarif(&shown, input_file) + "\n",
        Format::Github => render_github(&shown),
    };
    write_stdout(&rendered);
    if report.distributions_audited == 0 {
        if let Some(failure) = report
            .findings
            .iter()
            .find(|f| f.code == Code::AuditIncomplete)
        {
            return Err(CliError::NothingAudited {
                reason: failure.message.trim_end_matches('.').to_owned(),
            });
        }
    }
    Ok(if state::fails_gate(&shown, fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// 1 when the shown report has a problem, 0 otherwise: an `audit-not-covered` finding alone (a VPC
/// origin, say) is printed but does not fail a CI gate ([`Report::has_problems`]).
fn exit_status(shown: &Report) -> u8 {
    if shown.has_problems() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Writes to stdout; a closed pipe (`| head`) is the reader's choice, not an error worth a panic.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn parse_rfc3339(value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|e| {
        format!("{value:?} is not an RFC 3339 timestamp (e.g. 2027-01-01T00:00:00Z): {e}")
    })
}
