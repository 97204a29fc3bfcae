//! The CLI's side of findings with a memory: `--state`, `--suppressions`, `--account`,
//! `--fail-on`, and `suppress add|list|remove`, against a JSON file (`--state`) or the Lambda's
//! DynamoDB table (`--state-table`). The store is chosen in one place
//! ([`StoreArgs::store`]) and everything else is generic over [`StateStore`]: adding a store is a
//! flag, a [`Store`] variant, and one match arm in each of [`remember`] and [`suppress`].

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::{parse_rfc3339, write_stdout, CliError, Format};
use crate::report::{terminal, Note, Report};
use crate::settings;
use crate::state::table::TableStore;
use crate::state::{
    self, FileStore, RunContext, RunFacts, StateStore, Suppression, SuppressionId,
    SuppressionRequest, MAX_SUPPRESSION_DAYS, UNKNOWN_ACCOUNT,
};

/// Where the state lives (`audit` and `suppress`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StoreArgs {
    /// Remember findings across runs in this JSON file, created when absent: each finding is then
    /// new, open or suppressed, and what was fixed is reported as resolved. Commit it, or cache it
    /// between pipeline runs.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Remember findings in this DynamoDB table instead: the Lambda's (the stack's `StateTableName`
    /// output), so that the CLI sees and manages the same findings and suppressions. Read in
    /// us-east-1, the only region the stack deploys to, whatever `AWS_REGION` says.
    #[arg(long, value_name = "TABLE", conflicts_with = "state")]
    pub state_table: Option<String>,
}

/// The store chosen on the command line.
#[derive(Debug)]
pub enum Store {
    /// `--state PATH`.
    File(FileStore),
    /// `--state-table TABLE`.
    Table(TableStore),
}

impl StoreArgs {
    /// The store the arguments name; `None` without one. `config` reaches the table.
    pub fn store(&self, config: &aws_config::SdkConfig) -> Option<Store> {
        if let Some(path) = &self.state {
            return Some(Store::File(FileStore::new(path)));
        }
        self.state_table.as_ref().map(|table| {
            Store::Table(TableStore::from_sdk_config(
                &crate::aws::for_global_services(config),
                table,
                settings::RESOLVED_RETENTION_DAYS.default,
            ))
        })
    }
}

/// State options of `audit`.
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Also apply the suppressions of this JSON file (checked in next to the pipeline; see
    /// docs/state.md for its shape). Merged with the state's own.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// The account id in fingerprints (default: the caller's, from STS GetCallerIdentity).
    #[arg(long, value_name = "ID", value_parser = parse_account)]
    pub account: Option<String>,
    /// Exit 1 on any finding at or above --min-severity (`any`), or only on a new one (`new`), for
    /// a CI gate that fails on new problems only. Suppressed findings never fail it.
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
}

/// What fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding that is not suppressed.
    Any,
    /// A new finding that is not suppressed.
    New,
}

fn parse_account(value: &str) -> Result<String, String> {
    if state::is_account_id(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("{value:?} is not an AWS account id (12 digits)"))
    }
}

/// `suppress`: accepted risks, kept in the state.
#[derive(Debug, Subcommand)]
pub enum SuppressCommand {
    /// Accept a risk until a date: matching findings are reported as suppressed, never dropped,
    /// and come back as new when it expires.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// The finding code (`cloudfront-tls-audit catalogue` lists them).
        #[arg(long)]
        code: String,
        /// Only in this distribution (default: every distribution).
        #[arg(long = "distribution", value_name = "ID")]
        distribution: Option<String>,
        /// Only subjects matching this pattern, `*` matching any run of characters (for example
        /// `*.example.com` or `origin legacy*`).
        #[arg(long, value_name = "PATTERN")]
        subject: Option<String>,
        /// Why the risk is accepted (shown with every suppressed finding).
        #[arg(long)]
        reason: String,
        /// When it expires: an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC), at most 365
        /// days away.
        #[arg(long, value_name = "WHEN", value_parser = parse_expiry, conflicts_with = "days")]
        expires: Option<OffsetDateTime>,
        /// Expires this many days from now (at most 365).
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i64).range(1..=MAX_SUPPRESSION_DAYS))]
        days: Option<i64>,
        /// Who accepts it (default: $USER, else the caller's ARN).
        #[arg(long, value_name = "WHO")]
        by: Option<String>,
    },
    /// List the suppressions, expired ones included.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Remove a suppression by its id (as `list` shows it).
    Remove {
        #[command(flatten)]
        store: StoreArgs,
        /// The suppression's id (`s-…`).
        id: String,
    },
}

fn parse_expiry(value: &str) -> Result<OffsetDateTime, String> {
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(value, &date_format) {
        Ok(date) => Ok(date.midnight().assume_utc()),
        Err(_) => parse_rfc3339(value),
    }
}

/// The checked-in suppressions file (`--suppressions FILE`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressionsFile {
    suppressions: Vec<SuppressionRequest>,
}

/// Reads and validates a suppressions file: every entry must be valid, or nothing is used.
pub fn read_suppressions_file(path: &Path) -> Result<Vec<Suppression>, CliError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadSuppressions {
        path: label.clone(),
        source,
    })?;
    let file: SuppressionsFile =
        serde_json::from_str(&text).map_err(|e| CliError::Suppressions {
            path: label.clone(),
            reason: e.to_string(),
        })?;
    let author = format!("the suppressions file {label}");
    file.suppressions
        .into_iter()
        .enumerate()
        .map(|(index, request)| {
            request
                .validate(&author)
                .map_err(|error| CliError::Suppressions {
                    path: label.clone(),
                    reason: format!("entry {}: {error}", index + 1),
                })
        })
        .collect()
}

/// The account of the fingerprints: `--account`, else the caller's (STS GetCallerIdentity), else
/// `unknown` with a note.
pub async fn account(
    given: Option<&str>,
    config: &aws_config::SdkConfig,
    notes: &mut Vec<Note>,
) -> String {
    if let Some(account) = given {
        return account.to_owned();
    }
    match caller_identity(config).await {
        Ok((account, _)) => account,
        Err(reason) => {
            notes.push(Note::AccountUnknown {
                reason,
                remedy: "pass --account",
            });
            UNKNOWN_ACCOUNT.to_owned()
        }
    }
}

/// The caller's account and ARN.
async fn caller_identity(config: &aws_config::SdkConfig) -> Result<(String, String), String> {
    let identity = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            format!(
                "sts:GetCallerIdentity failed: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        })?;
    let account = identity
        .account()
        .filter(|a| state::is_account_id(a))
        .ok_or("sts:GetCallerIdentity named no account")?;
    Ok((
        account.to_owned(),
        identity.arn().unwrap_or_default().to_owned(),
    ))
}

/// The state pass of `audit`: through the store when there is one, else every finding new (the
/// suppressions file still applies). A store that fails leaves the report whole (every finding
/// new, with a note) and is returned as the error, after the report is printed.
pub async fn remember(
    report: &mut Report,
    args: &StateArgs,
    suppressions: &[Suppression],
    facts: RunFacts<'_>,
    config: &aws_config::SdkConfig,
) -> Result<(), CliError> {
    let context = RunContext {
        facts,
        extra_suppressions: suppressions,
    };
    match args.store.store(config) {
        Some(Store::File(store)) => state::remember(&store, report, &context).await?,
        Some(Store::Table(store)) => {
            let remembered = state::remember(&store, report, &context).await;
            // Items the table held that are not this tool's records are told, not hidden.
            report.notes.extend(
                store
                    .skipped()
                    .into_iter()
                    .map(|item| Note::StateItemSkipped { item }),
            );
            remembered?
        }
        None => without_store(report, &context),
    }
    Ok(())
}

/// No store: the suppressions file alone decides what is suppressed; nothing is resolved.
fn without_store(report: &mut Report, context: &RunContext<'_>) {
    if context.extra_suppressions.is_empty() {
        state::forget(report, &context.facts);
        return;
    }
    let outcome = state::reconcile(
        &[],
        &report.findings,
        &report.coverage,
        context.extra_suppressions,
        &context.facts,
    );
    for (finding, remembered) in report.findings.iter_mut().zip(outcome.remembered) {
        finding.remembered = Some(remembered);
    }
    report.memory = Some(outcome.memory);
    report.notes.extend(outcome.notes);
}

/// Whether the shown report fails the gate: a finding that is not only a note that a part was not
/// audited (`audit-not-covered`), not suppressed, and, with `--fail-on new`, new.
pub fn fails_gate(shown: &Report, fail_on: FailOn) -> bool {
    shown.findings.iter().any(|finding| {
        !crate::report::is_not_covered(finding)
            && !Report::is_suppressed(finding)
            && match fail_on {
                FailOn::Any => true,
                FailOn::New => finding
                    .remembered
                    .as_ref()
                    .is_none_or(|r| r.status == state::FindingStatus::New),
            }
    })
}

/// Runs `suppress add|list|remove` against the store its arguments name.
pub async fn suppress(
    command: SuppressCommand,
    now: OffsetDateTime,
    config: impl std::future::Future<Output = aws_config::SdkConfig>,
) -> Result<u8, CliError> {
    let (SuppressCommand::Add { store, .. }
    | SuppressCommand::List { store, .. }
    | SuppressCommand::Remove { store, .. }) = &command;
    if let Some(path) = store.state.clone() {
        // The file store needs no AWS configuration.
        return suppress_in(&FileStore::new(path), command, now, config).await;
    }
    if store.state_table.is_none() {
        return Err(CliError::NoStore);
    }
    let config = config.await;
    match store.store(&config) {
        Some(Store::Table(table)) => {
            suppress_in(&table, command, now, std::future::ready(config)).await
        }
        Some(Store::File(file)) => {
            suppress_in(&file, command, now, std::future::ready(config)).await
        }
        None => Err(CliError::NoStore),
    }
}

async fn suppress_in(
    store: &impl StateStore,
    command: SuppressCommand,
    now: OffsetDateTime,
    config: impl std::future::Future<Output = aws_config::SdkConfig>,
) -> Result<u8, CliError> {
    match command {
        SuppressCommand::Add {
            store: _,
            code,
            distribution,
            subject,
            reason,
            expires,
            days,
            by,
        } => {
            let expires_at = match (expires, days) {
                (Some(at), _) => at,
                (None, Some(days)) => now + Duration::days(days),
                (None, None) => return Err(CliError::NoExpiry),
            };
            let author = match by.or_else(|| std::env::var("USER").ok()) {
                Some(author) => author,
                None => caller_identity(&config.await)
                    .await
                    .map(|(_, arn)| arn)
                    .unwrap_or_default(),
            };
            let suppression = SuppressionRequest {
                code,
                distribution_id: distribution,
                subject,
                reason,
                created_by: Some(author),
                created_at: now,
                expires_at,
            }
            .validate("")?;
            store.add_suppression(&suppression).await?;
            write_stdout(&format!(
                "added {}: {} until {}\n",
                suppression.id.0,
                describe(&suppression),
                suppression.expires_at.date()
            ));
        }
        SuppressCommand::List { store: _, format } => {
            let suppressions = store.suppressions().await?;
            write_stdout(&match format {
                // Suppressions are not findings: the machine formats get the JSON list.
                Format::Json | Format::Sarif | Format::Github => {
                    render_list_json(&suppressions, now)
                }
                Format::Text => render_list_text(&suppressions, now),
            });
        }
        SuppressCommand::Remove { store: _, id } => {
            let id = SuppressionId(id);
            if !store.remove_suppression(&id).await? {
                return Err(CliError::NoSuchSuppression(id.0));
            }
            write_stdout(&format!("removed {}\n", id.0));
        }
    }
    Ok(super::EXIT_CLEAN)
}

/// `viewer-tls-policy-outdated in E123 for ViewerCertificate*: reason (by alice)`
fn describe(suppression: &Suppression) -> String {
    let mut text = suppression.code.clone();
    if let Some(id) = &suppression.distribution_id {
        text.push_str(&format!(" in {id}"));
    }
    if let Some(subject) = &suppression.subject {
        text.push_str(&format!(" for {subject}"));
    }
    format!(
        "{}: {} (by {})",
        terminal(&text),
        terminal(&suppression.reason),
        terminal(&suppression.created_by)
    )
}

fn render_list_text(suppressions: &[Suppression], now: OffsetDateTime) -> String {
    if suppressions.is_empty() {
        return "no suppressions\n".to_owned();
    }
    let mut out = String::new();
    for suppression in suppressions {
        let when = if suppression.expired(now) {
            format!("EXPIRED on {}", suppression.expires_at.date())
        } else {
            format!("until {}", suppression.expires_at.date())
        };
        out.push_str(&format!(
            "{}  {}  {}\n",
            suppression.id.0,
            when,
            describe(suppression)
        ));
    }
    out
}

fn render_list_json(suppressions: &[Suppression], now: OffsetDateTime) -> String {
    let entries: Vec<serde_json::Value> = suppressions
        .iter()
        .map(|s| {
            let mut value = serde_json::to_value(s).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("expired".into(), serde_json::Value::from(s.expired(now)));
            }
            value
        })
        .collect();
    let mut document = serde_json::Map::new();
    document.insert("suppressions".into(), serde_json::Value::Array(entries));
    crate::report::render_document(document, true) + "\n"
}
