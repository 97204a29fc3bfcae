//! The pipeline, once: request → inventory → plan → probes → rules → report. The CLI and the Lambda
//! build an [`AuditRequest`] and call [`run`]; neither holds orchestration of its own.

use std::future::Future;

use time::OffsetDateTime;

use crate::model::{Distribution, Scope, Snapshot};
use crate::plan;
use crate::probe::edge::{probe_edge, EdgeObservation};
use crate::probe::{probe_all_before, ProbeSettings};
use crate::report::{Note, Report};
use crate::rules::{self, EdgeResults, ExpiryThresholds, ProbeResults};
use crate::settings;

/// Reads the account: the inventory, behind a small trait so the pipeline can be driven by any reader.
pub trait AccountReader {
    /// Reads the distributions in `scope` and everything they reference. Never fails: failed reads are
    /// recorded in the snapshot and become `audit-incomplete` findings.
    fn snapshot(&self, scope: &Scope) -> impl Future<Output = Snapshot> + Send;

    /// Reads the certificates and policies referenced by the distributions already in `snapshot`.
    fn read_references(&self, snapshot: &mut Snapshot) -> impl Future<Output = ()> + Send;

    /// Reads the distributions that use the ACM certificate `arn`, and everything they reference.
    fn snapshot_for_certificate(&self, arn: &str) -> impl Future<Output = Snapshot> + Send;
}

/// What to audit.
#[derive(Debug, Clone)]
pub enum Subject {
    /// Distributions of the account: all of them or some ids (`audit`, the sweep, a change event).
    Distributions(Scope),
    /// The distributions that use one ACM certificate (an ACM event). A certificate no
    /// distribution uses gives one info finding, `audit-certificate-unused`.
    CertificateUsers {
        /// The certificate's ARN.
        certificate_arn: String,
    },
    /// A configuration that is not deployed (`check-config`, the attempted configuration of a
    /// rejected call): only the certificates and policies it references are read.
    Proposed(Box<Distribution>),
}

/// One audit to run: what, as of when, and how.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    /// What to audit.
    pub subject: Subject,
    /// The moment the rules judge validity and expiry against.
    pub now: OffsetDateTime,
    /// How the audit runs, for the reader of the report (endpoint overrides, lab inputs, as-of date).
    pub notes: Vec<Note>,
    /// How to probe origins; `None` skips the network (`--no-probe`, `PROBE=false`).
    pub probe: Option<ProbeOptions>,
    /// When an approaching expiry becomes a finding.
    pub thresholds: ExpiryThresholds,
}

/// How an audit probes origins.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// Deadlines, byte budget, `--resolve` overrides, extra trust anchors.
    pub settings: ProbeSettings,
    /// How many handshakes run at once.
    pub concurrency: usize,
    /// Also check what the edge serves for each alias (a viewer's handshake with the distribution's
    /// *.cloudfront.net name).
    pub edge_check: bool,
    /// No probe starts after this moment (the Lambda's deadline minus a margin); the handshakes left
    /// are reported as `audit-incomplete`, never dropped.
    pub stop_new_work_at: Option<std::time::Instant>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            settings: ProbeSettings::default(),
            concurrency: settings::PROBE_CONCURRENCY.default as usize,
            edge_check: true,
            stop_new_work_at: None,
        }
    }
}

/// Runs the whole pipeline for one request: inventory → plan → probes → rules → report. The CLI's
/// `audit` and `check-config` and every Lambda trigger come through here.
pub async fn run(reader: &impl AccountReader, request: &AuditRequest) -> Report {
    let snapshot = match &request.subject {
        Subject::Distributions(scope) => reader.snapshot(scope).await,
        Subject::CertificateUsers { certificate_arn } => {
            reader.snapshot_for_certificate(certificate_arn).await
        }
        Subject::Proposed(distribution) => {
            let mut snapshot = Snapshot {
                distributions: vec![(**distribution).clone()],
                ..Snapshot::default()
            };
            reader.read_references(&mut snapshot).await;
            snapshot
        }
    };
    let mut report = audit_snapshot(
        &snapshot,
        request.probe.as_ref(),
        request.now,
        &request.thresholds,
        request.notes.clone(),
    )
    .await;
    if let Subject::CertificateUsers { certificate_arn } = &request.subject {
        if snapshot.distributions.is_empty() && snapshot.gaps.is_empty() {
            report
                .findings
                .push(rules::certificate_unused(certificate_arn));
        }
    }
    report
}

/// Runs the probes the snapshot needs (when asked) and every rule.
async fn audit_snapshot(
    snapshot: &Snapshot,
    probe: Option<&ProbeOptions>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    notes: Vec<Note>,
) -> Report {
    let Some(options) = probe else {
        return report(
            rules::evaluate_all(snapshot, None, now, thresholds),
            snapshot,
            notes,
        );
    };
    let plan = plan::plan(snapshot);
    let edge_plan = if options.edge_check {
        plan::plan_edges(snapshot)
    } else {
        plan::EdgePlan::default()
    };
    let (observations, edge_observations) = futures::join!(
        probe_all_before(
            &plan.targets,
            &options.settings,
            options.concurrency,
            options.stop_new_work_at
        ),
        probe_edges(&edge_plan, options),
    );
    let results = ProbeResults {
        plan: &plan,
        observations: &observations,
        trust_anchors: &options.settings.trust_anchors,
        edges: options.edge_check.then_some(EdgeResults {
            plan: &edge_plan,
            observations: &edge_observations,
        }),
    };
    let mut report = report(
        rules::evaluate_all(snapshot, Some(&results), now, thresholds),
        snapshot,
        notes,
    );
    if options.edge_check {
        report.edge_pending = plan::edge_pending(snapshot);
    }
    report
}

/// One viewer handshake per alias at the edge, bounded like the origin probes.
async fn probe_edges(plan: &plan::EdgePlan, options: &ProbeOptions) -> Vec<EdgeObservation> {
    use futures::StreamExt;
    futures::stream::iter(&plan.targets)
        .map(|target| async move {
            if options
                .stop_new_work_at
                .is_some_and(|stop| std::time::Instant::now() >= stop)
            {
                return None;
            }
            Some(probe_edge(target, &options.settings).await)
        })
        .buffered(options.concurrency.max(1))
        .filter_map(std::future::ready)
        .collect()
        .await
}

/// The pure part: configuration rules over a snapshot, as a report.
pub fn evaluate(snapshot: &Snapshot, now: OffsetDateTime, notes: Vec<Note>) -> Report {
    report(rules::evaluate(snapshot, now), snapshot, notes)
}

fn report(findings: Vec<crate::finding::Finding>, snapshot: &Snapshot, notes: Vec<Note>) -> Report {
    Report::new(findings, snapshot.distributions.len(), notes).with_labels(
        snapshot
            .distributions
            .iter()
            .map(|d| (d.id.clone(), label(d)))
            .collect(),
    )
}

/// Aliases first (what people know a distribution by), else its *.cloudfront.net name.
fn label(distribution: &Distribution) -> String {
    const SHOWN: usize = 3;
    match distribution.aliases.len() {
        0 => distribution
            .domain_name
            .clone()
            .unwrap_or_else(|| "no aliases".to_owned()),
        n if n <= SHOWN => distribution.aliases.join(", "),
        n => format!(
            "{}, and {} more",
            distribution.aliases[..SHOWN].join(", "),
            n - SHOWN
        ),
    }
}

impl AccountReader for crate::inventory::AwsInventory {
    async fn snapshot(&self, scope: &Scope) -> Snapshot {
        crate::inventory::AwsInventory::snapshot(self, scope).await
    }

    async fn read_references(&self, snapshot: &mut Snapshot) {
        crate::inventory::AwsInventory::read_references(self, snapshot).await
    }

    async fn snapshot_for_certificate(&self, arn: &str) -> Snapshot {
        crate::inventory::AwsInventory::snapshot_for_certificate(self, arn).await
    }
}
