//! The pipeline, once: request → inventory → plan → probes → rules → report. The CLI and the Lambda
//! build an [`AuditRequest`] and call [`run`]; neither holds orchestration of its own.

use std::future::Future;

use time::OffsetDateTime;

use crate::catalogue::Code;
use crate::model::{Distribution, Scope, Snapshot};
use crate::plan;
use crate::probe::{self, ProbeLimit, ProbeSettings};
use crate::report::{Note, OriginProbe, Report};
use crate::rules::{self, EdgeResults, ExpiryThresholds, ProbeResults};
use crate::settings;
use crate::tls::ProtocolVersion;

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
    /// One origin, probed as CloudFront would connect to it (`probe`): nothing is read from AWS.
    Origin(OriginRequest),
}

/// A standalone origin probe: where, with which names and protocols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRequest {
    /// The origin's host name or address.
    pub host: String,
    /// Its HTTPS port.
    pub port: u16,
    /// The SNI names to send (empty: the host), as when Host is forwarded.
    pub snis: Vec<String>,
    /// The OriginSslProtocols to offer.
    pub offered_versions: Vec<ProtocolVersion>,
    /// The TCP connect timeout (CloudFront's ConnectionTimeout).
    pub connect_timeout: std::time::Duration,
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
    /// Deadlines, byte budget, `--resolve` overrides.
    pub settings: ProbeSettings,
    /// Extra trust anchors (DER) the origin chain verdict accepts as public roots (`--trust-anchor`).
    pub trust_anchors: Vec<Vec<u8>>,
    /// How many handshakes run at once: origin probes and edge checks together, under one limit.
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
            trust_anchors: Vec::new(),
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
        Subject::Origin(origin) => return probe_origin(origin, request).await,
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
    // One limit for both: run side by side, each with its own limit, they would hold twice the
    // sockets, enough at the maximum to exhaust a Lambda's 1,024 descriptors.
    let limit = ProbeLimit::new(options.concurrency);
    let (observations, edge_observations) = futures::join!(
        probe::probe_plan_within(
            &plan.targets,
            &options.settings,
            &limit,
            options.stop_new_work_at
        ),
        probe::probe_edges_within(
            &edge_plan.targets,
            &options.settings,
            &limit,
            options.stop_new_work_at
        ),
    );
    let results = ProbeResults {
        plan: &plan,
        observations: &observations,
        trust_anchors: &options.trust_anchors,
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

/// `probe`: plan the origin's handshakes, make them, judge each once and keep what it showed.
async fn probe_origin(origin: &OriginRequest, request: &AuditRequest) -> Report {
    let Some(options) = &request.probe else {
        return Report::new(Vec::new(), 0, request.notes.clone());
    };
    let plan = plan::plan_origin(
        &origin.host,
        origin.port,
        &origin.snis,
        &origin.offered_versions,
        origin.connect_timeout,
    );
    let observations = probe::probe_plan(
        &plan.targets,
        &options.settings,
        options.concurrency,
        options.stop_new_work_at,
    )
    .await;
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for target_use in &plan.uses {
        let Some(observation) = observations.get(target_use.target).cloned().flatten() else {
            continue;
        };
        // Analysed once: the same analysis is judged and shown.
        let analysis =
            rules::analyse_observation(&observation, request.now, &options.trust_anchors);
        let judged = rules::judge_origin_probe(
            target_use,
            &observation,
            analysis.as_ref(),
            request.now,
            &request.thresholds,
        );
        probes.push(OriginProbe {
            certificates: analysis
                .as_ref()
                .map(rules::certificates_evidence)
                .unwrap_or_else(|| serde_json::Value::Array(Vec::new())),
            // A probe this machine could not make is no pass: its audit-incomplete is the verdict.
            failure: judged
                .iter()
                .find(|f| f.viewer_impact.is_gateway_error())
                .or_else(|| judged.iter().find(|f| f.code == Code::AuditIncomplete))
                .cloned(),
            observation,
        });
        findings.extend(judged);
    }
    let mut report = Report::new(findings, 0, request.notes.clone());
    report.origin_probes = probes;
    report
}

/// The account reader for requests that read nothing from AWS (`probe`): every snapshot is empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAccount;

impl AccountReader for NoAccount {
    async fn snapshot(&self, _scope: &Scope) -> Snapshot {
        Snapshot::default()
    }

    async fn read_references(&self, _snapshot: &mut Snapshot) {}

    async fn snapshot_for_certificate(&self, _arn: &str) -> Snapshot {
        Snapshot::default()
    }
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
