//! Security Hub (opt-in, the `SecurityHub` template parameter, `SECURITY_HUB=true`): every finding of
//! a run in the AWS Security Finding Format ([`asff`]), imported with `BatchImportFindings`.
//!
//! Each run imports every finding it reported (open, new or suppressed), which refreshes them:
//! Security Hub deletes a finding that has not been updated for 90 days, and a sweep imports every
//! open finding of the account every day. What the run resolved is imported once more, `PASSED` and
//! `ARCHIVED`, under the same `Id` (the fingerprint), so that the Security Hub finding closes. That
//! needs the state (`STATE_TABLE`): without it nothing is ever resolved, and a fixed problem's
//! Security Hub finding only ages out.
//!
//! Batches follow the API's limits (100 findings and 6 MB per call, 240 KB per finding) and its rate
//! (10 calls per second, bursts of 30): the SDK's standard retry handles throttling
//! (`LimitExceededException`, `ThrottlingException`) and timeouts as for every client
//! ([`crate::aws`]); findings the service rejects one by one (`FailedFindings`) are retried once
//! when the error is transient, and reported otherwise. Nothing is dropped silently: every failure
//! is an [`ExportError`] naming the findings it concerns.

pub mod asff;

use std::future::Future;
use std::time::Duration;

use thiserror::Error;
use time::OffsetDateTime;

use crate::aws::AwsOptions;
use crate::inventory::CallError;
use crate::report::Report;
use asff::{Asff, Hub};

/// The IAM action behind [`SecurityHub`] (granted only when the `SecurityHub` parameter is on; see
/// [`crate::permissions::CONDITIONAL_GRANTS`]).
pub(crate) const BATCH_IMPORT_FINDINGS: &str = "securityhub:BatchImportFindings";

/// Findings per `BatchImportFindings` call at most (API reference).
pub const MAX_BATCH_FINDINGS: usize = 100;

/// The request size we fill a batch to, by the findings' size bounds: under the API's 6 MB per call.
pub const MAX_BATCH_BYTES: usize = 5 * 1024 * 1024;

/// Calls sent back to back before pacing starts: within the burst of 30 the API allows.
const UNPACED_CALLS: usize = 25;

/// The pause between calls after [`UNPACED_CALLS`]: at most 10 calls per second, the steady rate.
const PACE: Duration = Duration::from_millis(100);

/// Why findings did not reach Security Hub. The run's notifications are already out; the Lambda
/// fails the invocation so that the event is retried (and kept by the on-failure destination).
#[derive(Debug, Error)]
pub enum ExportError {
    /// A `BatchImportFindings` call failed as a whole, after the SDK's retries.
    #[error(
        "Security Hub refused a batch of {findings} finding(s) in {region}: {detail}; check that \
         Security Hub is enabled in this Region and that the role may call \
         securityhub:BatchImportFindings (the SecurityHub template parameter)"
    )]
    Call {
        /// The hub's Region.
        region: String,
        /// Findings in the batch.
        findings: usize,
        /// The service's answer.
        detail: String,
    },
    /// Security Hub accepted the call but rejected some findings, retried once where transient.
    #[error(
        "Security Hub rejected {} finding(s): {}",
        .0.len(),
        .0.iter().take(5).map(|f| format!("{} ({}: {})", f.id, f.code, f.message)).collect::<Vec<_>>().join("; ")
    )]
    Rejected(Vec<RejectedFinding>),
}

/// One finding Security Hub would not import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedFinding {
    /// Its `Id`.
    pub id: String,
    /// Security Hub's error code.
    pub code: String,
    /// Security Hub's message.
    pub message: String,
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Exported {
    /// Findings imported (open, new, suppressed).
    pub open: usize,
    /// Findings archived (resolved by this run).
    pub archived: usize,
    /// `BatchImportFindings` calls made, retries of rejected findings included.
    pub calls: usize,
}

/// Where a run's findings are exported: Security Hub ([`SecurityHub`]) or nowhere ([`NoExport`]).
pub trait FindingsExport {
    /// Whether findings are exported at all (`SECURITY_HUB=true`).
    fn enabled(&self) -> bool;

    /// Imports every finding of `report` (findings about `accounts.resources`, imported by
    /// `accounts.importer`) and archives what it resolved.
    fn export(
        &self,
        report: &Report,
        accounts: FindingAccounts<'_>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Exported, ExportError>> + Send;
}

/// Whose findings an export imports: Security Hub takes findings only from the account they name
/// (`AwsAccountId`), so an organization's hub imports its members' findings as its own, about
/// the member's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingAccounts<'a> {
    /// The calling account (the function's own): `AwsAccountId`, the product ARN.
    pub importer: &'a str,
    /// The account audited, whose distributions the findings name.
    pub resources: &'a str,
}

impl<'a> FindingAccounts<'a> {
    /// One account, importing its own findings.
    pub fn own(account: &'a str) -> FindingAccounts<'a> {
        FindingAccounts {
            importer: account,
            resources: account,
        }
    }
}

/// No export (`SECURITY_HUB` unset or `false`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoExport;

impl FindingsExport for NoExport {
    fn enabled(&self) -> bool {
        false
    }

    async fn export(
        &self,
        _report: &Report,
        _accounts: FindingAccounts<'_>,
        _now: OffsetDateTime,
    ) -> Result<Exported, ExportError> {
        Ok(Exported::default())
    }
}

/// The findings of a report as Security Hub receives them: every finding (open, new, suppressed),
/// then every finding the run resolved ([`Report::memory`]), archived.
pub fn report_findings(report: &Report, hub: &Hub, now: OffsetDateTime) -> (Vec<Asff>, usize) {
    let mut all: Vec<Asff> = report
        .findings
        .iter()
        .map(|finding| asff::open(finding, hub, now))
        .collect();
    let open = all.len();
    all.extend(
        report
            .memory
            .iter()
            .flat_map(|memory| &memory.resolved)
            .map(|resolved| asff::resolved(resolved, hub, now)),
    );
    (all, open)
}

/// Imports findings into Security Hub with `BatchImportFindings`, in one Region.
#[derive(Debug, Clone)]
pub struct SecurityHub {
    client: aws_sdk_securityhub::Client,
    region: String,
}

impl FindingsExport for SecurityHub {
    fn enabled(&self) -> bool {
        true
    }

    async fn export(
        &self,
        report: &Report,
        accounts: FindingAccounts<'_>,
        now: OffsetDateTime,
    ) -> Result<Exported, ExportError> {
        let mut hub = self.hub(accounts.importer);
        hub.resources_account = accounts.resources.to_owned();
        let (findings, open) = report_findings(report, &hub, now);
        let archived = findings.len() - open;
        let calls = self.import(findings, &hub).await?;
        Ok(Exported {
            open,
            archived,
            calls,
        })
    }
}

impl SecurityHub {
    /// An exporter using a client built by the caller (tests point it at an emulator), whose
    /// Region is `region`.
    pub fn new(client: aws_sdk_securityhub::Client, region: impl Into<String>) -> SecurityHub {
        SecurityHub {
            client,
            region: region.into(),
        }
    }

    /// An exporter from an already loaded configuration, in its Region (the function's own,
    /// `AWS_REGION`; us-east-1 when none is set).
    pub fn from_sdk_config(config: &aws_config::SdkConfig) -> SecurityHub {
        let region = config
            .region()
            .map_or(crate::aws::GLOBAL_SERVICE_REGION, |r| r.as_ref())
            .to_owned();
        SecurityHub::new(aws_sdk_securityhub::Client::new(config), region)
    }

    /// The same with the crate's usual client set-up.
    pub async fn from_environment(options: &AwsOptions) -> SecurityHub {
        SecurityHub::from_sdk_config(&crate::aws::load_sdk_config(options).await)
    }

    /// The hub findings of `account` go to: this Region, its partition.
    pub fn hub(&self, account: &str) -> Hub {
        Hub {
            account: account.to_owned(),
            resources_account: account.to_owned(),
            region: self.region.clone(),
            partition: asff::partition_of(&self.region).to_owned(),
        }
    }

    /// Imports `findings` into `hub` in batches within the API's limits; the number of calls made.
    pub async fn import(&self, findings: Vec<Asff>, hub: &Hub) -> Result<usize, ExportError> {
        let mut calls = 0;
        let mut rejected = Vec::new();
        let mut retry = Vec::new();
        for batch in batches(findings) {
            let (transient, failed) = self.call(batch, hub, &mut calls).await?;
            retry.extend(transient);
            rejected.extend(failed);
        }
        // One more try for what failed transiently; what fails again is reported.
        for batch in batches(retry) {
            let (transient, failed) = self.call(batch, hub, &mut calls).await?;
            rejected.extend(failed);
            rejected.extend(transient.iter().map(|asff| RejectedFinding {
                id: asff.finding.id().unwrap_or_default().to_owned(),
                code: "TransientTwice".to_owned(),
                message: "failed twice with a transient error".to_owned(),
            }));
        }
        if rejected.is_empty() {
            Ok(calls)
        } else {
            Err(ExportError::Rejected(rejected))
        }
    }

    /// One call: the findings to retry (transient errors) and those rejected for good.
    async fn call(
        &self,
        batch: Vec<Asff>,
        hub: &Hub,
        calls: &mut usize,
    ) -> Result<(Vec<Asff>, Vec<RejectedFinding>), ExportError> {
        if *calls >= UNPACED_CALLS {
            tokio::time::sleep(PACE).await;
        }
        *calls += 1;
        let size = batch.len();
        let output = self
            .client
            .batch_import_findings()
            .set_findings(Some(batch.iter().map(|a| a.finding.clone()).collect()))
            .send()
            .await
            .map_err(|err| ExportError::Call {
                region: hub.region.clone(),
                findings: size,
                detail: CallError::from_sdk(&err).message,
            })?;
        let mut transient = Vec::new();
        let mut failed = Vec::new();
        for error in output.failed_findings() {
            let id = error.id().unwrap_or_default().to_owned();
            let code = error.error_code().unwrap_or("Unknown").to_owned();
            let sent = batch.iter().find(|a| a.finding.id() == Some(id.as_str()));
            match sent {
                Some(asff) if is_transient(&code) => transient.push(asff.clone()),
                _ => failed.push(RejectedFinding {
                    id,
                    code,
                    message: error.error_message().unwrap_or_default().to_owned(),
                }),
            }
        }
        Ok((transient, failed))
    }
}

/// Whether a per-finding error code may pass on a second try (throttling, the service's own
/// faults); a malformed or refused finding will not.
fn is_transient(code: &str) -> bool {
    [
        "Throttl",
        "LimitExceeded",
        "Internal",
        "ServiceUnavailable",
        "Timeout",
    ]
    .iter()
    .any(|marker| code.contains(marker))
}

/// `findings` in batches of at most [`MAX_BATCH_FINDINGS`] and [`MAX_BATCH_BYTES`] (by each
/// finding's size bound), in order.
pub fn batches(findings: Vec<Asff>) -> Vec<Vec<Asff>> {
    let mut out: Vec<Vec<Asff>> = Vec::new();
    let mut bytes = 0;
    for asff in findings {
        let full = out.last().is_none_or(|batch| {
            batch.len() >= MAX_BATCH_FINDINGS || bytes + asff.bytes_at_most > MAX_BATCH_BYTES
        });
        if full {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += asff.bytes_at_most;
        if let Some(batch) = out.last_mut() {
            batch.push(asff);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_securityhub::types::AwsSecurityFinding;

    fn sized(n: usize, bytes: usize) -> Vec<Asff> {
        (0..n)
            .map(|i| Asff {
                finding: AwsSecurityFinding::builder().id(format!("f{i}")).build(),
                bytes_at_most: bytes,
            })
            .collect()
    }

    #[test]
    fn batches_hold_at_most_100_findings() {
        let sizes: Vec<usize> = batches(sized(250, 1_000)).iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert!(batches(Vec::new()).is_empty());
    }

    #[test]
    fn batches_stay_under_the_request_size() {
        // 100 findings of 120 KB would be 12 MB: the byte bound splits them.
        let all = batches(sized(100, 120 * 1024));
        assert!(all.len() >= 3, "{}", all.len());
        for batch in &all {
            assert!(batch.len() * 120 * 1024 <= MAX_BATCH_BYTES);
        }
        assert_eq!(all.iter().map(Vec::len).sum::<usize>(), 100, "none lost");
    }

    #[test]
    fn only_throttling_and_service_faults_are_retried() {
        assert!(is_transient("ThrottlingException"));
        assert!(is_transient("InternalException"));
        assert!(!is_transient("InvalidInput"));
        assert!(!is_transient("AccessDeniedException"));
    }
}
