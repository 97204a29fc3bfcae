//! The pipeline, once: request → inventory → plan → probes → rules → report. The CLI and the Lambda
//! build an [`AuditRequest`] and call [`run`]; neither holds orchestration of its own.

use std::future::Future;

use time::OffsetDateTime;

use std::collections::BTreeSet;

use crate::catalogue::Code;
use crate::model::{
    CertificateLookup, Distribution, DistributionOrigin, OriginResource, PolicyLookup, Scope,
    Snapshot,
};
use crate::plan::{self, EdgePlan, ProbePlan};
use crate::probe::{self, ProbeLimit, ProbeSettings};
use crate::report::{Note, OriginProbe, Report};
use crate::rules::{self, EdgeResults, ExpiryThresholds, ProbeResults};
use crate::settings;
use crate::state::{Check, Coverage};
use crate::tls::{EdgeObservation, EdgeResult, Observation, ProbeOutcome, ProtocolVersion};

/// Reads the account: the inventory, behind a small trait so the pipeline can be driven by any reader.
pub trait AccountReader {
    /// Reads the distributions in `scope` and everything they reference. Never fails: failed reads are
    /// recorded in the snapshot and become `audit-incomplete` findings.
    fn snapshot(&self, scope: &Scope) -> impl Future<Output = Snapshot> + Send;

    /// Reads the certificates and policies referenced by the distributions already in `snapshot`.
    fn read_references(&self, snapshot: &mut Snapshot) -> impl Future<Output = ()> + Send;

    /// Reads the distributions that use the ACM certificate `arn`, and everything they reference.
    fn snapshot_for_certificate(&self, arn: &str) -> impl Future<Output = Snapshot> + Send;

    /// Reads the distributions whose origins reach `resource` (a load balancer, a VPC origin), and
    /// everything they reference.
    fn snapshot_for_origin_resource(
        &self,
        resource: &OriginResource,
    ) -> impl Future<Output = Snapshot> + Send;
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
    /// The distributions whose origins reach one load balancer or VPC origin (a listener or VPC
    /// origin change).
    OriginResourceUsers(OriginResource),
    /// A configuration that is not deployed (`check-config`, the attempted configuration of a
    /// rejected call): only the certificates and policies it references are read.
    Proposed(Box<Distribution>),
    /// Proposed configurations read from a template or a plan (`check-config` as the pre-deploy
    /// gate): the snapshot holds the distributions and the certificates the file declares; the
    /// references it does not hold are read as for [`Subject::Proposed`].
    ProposedStack(Box<Snapshot>),
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
        Subject::OriginResourceUsers(resource) => {
            reader.snapshot_for_origin_resource(resource).await
        }
        Subject::Proposed(distribution) => {
            let mut snapshot = Snapshot {
                distributions: vec![(**distribution).clone()],
                ..Snapshot::default()
            };
            reader.read_references(&mut snapshot).await;
            snapshot
        }
        Subject::ProposedStack(snapshot) => {
            let mut snapshot = (**snapshot).clone();
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
        if snapshot.gaps.is_empty() {
            report.coverage.certificate_users = Some(certificate_arn.clone());
        }
    }
    // The account-level check: every page of the listing read.
    report.coverage.account_listing = matches!(
        request.subject,
        Subject::Distributions(Scope::AllDistributions)
    ) && !snapshot
        .gaps
        .iter()
        .any(|gap| gap.distribution_id.is_none());
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
        let mut report = report(
            rules::evaluate_all(snapshot, None, now, thresholds),
            snapshot,
            notes,
        );
        report.coverage = coverage(snapshot, None);
        return report;
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
    report.coverage = coverage(
        snapshot,
        Some(&Handshakes {
            plan: &plan,
            observations: &observations,
            edges: options
                .edge_check
                .then_some((&edge_plan, edge_observations.as_slice())),
        }),
    );
    report
}

/// The handshakes a run planned and what came of them, for its [`Coverage`].
struct Handshakes<'a> {
    plan: &'a ProbePlan,
    observations: &'a [Option<Observation>],
    /// `None` when the edge check was off.
    edges: Option<(&'a EdgePlan, &'a [Option<EdgeObservation>])>,
}

/// Which checks ran to completion for which distribution, from what the pipeline did: a
/// distribution with a failed read of its own is not covered at all; its viewer certificate check
/// ran when the certificate was read (or it needs none); its origin probe when every planned
/// handshake was made (none skipped at the deadline, none failed on this machine's side) and the
/// policies that decide its SNI names were read; its edge check likewise, once it is `Deployed`.
/// A proposed configuration (`check-config`) covers nothing: it is not what is deployed.
fn coverage(snapshot: &Snapshot, handshakes: Option<&Handshakes<'_>>) -> Coverage {
    let pending: BTreeSet<String> = plan::edge_pending(snapshot).into_iter().collect();
    let mut coverage = Coverage::default();
    for distribution in &snapshot.distributions {
        let id = &distribution.id;
        if distribution.origin != DistributionOrigin::Live
            || snapshot
                .gaps
                .iter()
                .any(|gap| gap.distribution_id.as_deref() == Some(id))
        {
            continue;
        }
        let certificate = viewer_certificate_read(snapshot, distribution);
        // The policies decide the SNI names; the load balancers and VPC origins behind origins
        // are judged with the origin codes, so both gate the origin check.
        let policies = policies_read(snapshot, distribution)
            && rules::origin_configuration_read(snapshot, distribution);
        let mut checks = BTreeSet::new();
        // A VPC origin's own settings are configuration findings: not judged when not read.
        if rules::vpc_origins_read(snapshot, distribution) {
            checks.insert(Check::Configuration);
        }
        if certificate {
            checks.insert(Check::ViewerCertificate);
        }
        let mut every_handshake_made = true;
        if let Some(handshakes) = handshakes {
            let origins_made = handshakes
                .plan
                .uses
                .iter()
                .filter(|u| &u.distribution_id == id)
                .all(|u| origin_probe_made(handshakes.observations.get(u.target)));
            every_handshake_made &= origins_made;
            if origins_made && policies {
                checks.insert(Check::OriginProbe);
            }
            if let Some((edge_plan, edge_observations)) = handshakes.edges {
                let edges_made = edge_plan
                    .uses
                    .iter()
                    .filter(|u| &u.distribution_id == id)
                    .all(|u| edge_check_made(edge_observations.get(u.target)));
                every_handshake_made &= edges_made;
                if edges_made && certificate && !pending.contains(id) {
                    checks.insert(Check::EdgeCheck);
                }
            }
        }
        if certificate && policies && every_handshake_made {
            checks.insert(Check::Reads);
        }
        coverage.distributions.insert(id.clone(), checks);
    }
    coverage
}

/// The viewer certificate was read, or there is none to read (the default certificate, an ARN
/// outside us-east-1 that the rules judge from the ARN alone).
fn viewer_certificate_read(snapshot: &Snapshot, distribution: &Distribution) -> bool {
    let Some(reference) = distribution.viewer_certificate.certificate_ref() else {
        return true;
    };
    match snapshot.certificates.get(&reference) {
        Some(CertificateLookup::Found(certificate)) => certificate.body_read_failure.is_none(),
        Some(CertificateLookup::NotFound { .. }) => true,
        Some(CertificateLookup::Failed(_)) => false,
        None => !rules::needs_lookup(&reference),
    }
}

/// Every cache and origin request policy the distribution's behaviours name was read.
fn policies_read(snapshot: &Snapshot, distribution: &Distribution) -> bool {
    distribution.all_cache_behaviors().all(|behavior| {
        [
            (&behavior.cache_policy_id, &snapshot.cache_policies),
            (
                &behavior.origin_request_policy_id,
                &snapshot.origin_request_policies,
            ),
        ]
        .into_iter()
        .all(|(id, policies)| {
            crate::model::non_empty(id)
                .is_none_or(|id| matches!(policies.get(id), Some(PolicyLookup::Found(_))))
        })
    })
}

fn origin_probe_made(observation: Option<&Option<Observation>>) -> bool {
    matches!(observation, Some(Some(o)) if !matches!(o.outcome, ProbeOutcome::LocalFault(_)))
}

fn edge_check_made(observation: Option<&Option<EdgeObservation>>) -> bool {
    matches!(observation, Some(Some(o)) if !matches!(o.result, EdgeResult::LocalFault(_)))
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

    async fn snapshot_for_origin_resource(&self, _resource: &OriginResource) -> Snapshot {
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

    async fn snapshot_for_origin_resource(&self, resource: &OriginResource) -> Snapshot {
        crate::inventory::AwsInventory::snapshot_for_origin_resource(self, resource).await
    }
}

#[cfg(test)]
mod coverage_tests {
    //! What ran, as the state sees it: derived from what the pipeline did, over plain data.
    use super::*;
    use crate::model::{FailureKind, ReadFailure};
    use crate::rules::fixtures::{
        failure, healthy_distribution, healthy_snapshot, snapshot_of, ACM_ARN,
    };
    use crate::tls::{LocalFault, LocalOperation};
    use crate::vocabulary::DistributionStatus;

    fn checks(coverage: &Coverage, id: &str) -> Vec<Check> {
        coverage
            .distributions
            .get(id)
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default()
    }

    fn observed(plan: &ProbePlan, outcome: impl Fn() -> ProbeOutcome) -> Vec<Option<Observation>> {
        plan.targets
            .iter()
            .map(|target| {
                Some(Observation {
                    target: target.clone(),
                    addresses: vec![],
                    outcome: outcome(),
                })
            })
            .collect()
    }

    fn refused() -> ProbeOutcome {
        ProbeOutcome::ConnectRefused {
            address: "127.0.0.1:443".parse().expect("literal address"),
        }
    }

    fn local_fault() -> ProbeOutcome {
        ProbeOutcome::LocalFault(LocalFault {
            operation: LocalOperation::Connect,
            address: None,
            error: "EMFILE".into(),
            detail: "too many open files".into(),
        })
    }

    fn edges_seen(plan: &EdgePlan) -> Vec<Option<EdgeObservation>> {
        plan.targets
            .iter()
            .map(|target| {
                Some(EdgeObservation {
                    target: target.clone(),
                    addresses: vec![],
                    result: EdgeResult::Failed {
                        detail: "refused".into(),
                    },
                })
            })
            .collect()
    }

    #[test]
    fn without_probes_only_the_configuration_and_the_certificate_ran() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let coverage = coverage(&snapshot, None);
        assert_eq!(
            checks(&coverage, "E1"),
            [Check::Configuration, Check::ViewerCertificate, Check::Reads]
        );
    }

    #[test]
    fn a_certificate_that_could_not_be_read_resolves_no_certificate_finding() {
        let mut snapshot = snapshot_of(vec![healthy_distribution("E1")]);
        snapshot.certificates.insert(
            crate::model::CertificateRef::Acm(ACM_ARN.into()),
            CertificateLookup::Failed(failure(
                "acm:DescribeCertificate",
                ACM_ARN,
                FailureKind::Throttling,
            )),
        );
        assert_eq!(
            checks(&coverage(&snapshot, None), "E1"),
            [Check::Configuration]
        );
        // Not read at all is no better.
        let unread = snapshot_of(vec![healthy_distribution("E1")]);
        assert_eq!(
            checks(&coverage(&unread, None), "E1"),
            [Check::Configuration]
        );
    }

    #[test]
    fn a_distribution_with_a_failed_read_of_its_own_or_only_proposed_is_not_covered() {
        let mut snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        snapshot.gaps.push(ReadFailure {
            distribution_id: Some("E1".into()),
            ..failure("cloudfront:GetDistribution", "E1", FailureKind::Timeout)
        });
        assert!(coverage(&snapshot, None).distributions.is_empty());
        let mut proposed = healthy_distribution("E1");
        proposed.origin = DistributionOrigin::Proposed;
        assert!(coverage(&healthy_snapshot(vec![proposed]), None)
            .distributions
            .is_empty());
    }

    #[test]
    fn the_origin_probe_ran_only_when_every_planned_handshake_was_made() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let plan = plan::plan(&snapshot);
        assert!(!plan.targets.is_empty());
        let run = |observations: &[Option<Observation>]| {
            checks(
                &coverage(
                    &snapshot,
                    Some(&Handshakes {
                        plan: &plan,
                        observations,
                        edges: None,
                    }),
                ),
                "E1",
            )
        };
        // A refused connection is an answer: the check ran (and found something).
        assert!(run(&observed(&plan, refused)).contains(&Check::OriginProbe));
        // A fault on this machine's side, or a probe skipped at the deadline, is no answer.
        let faulted = run(&observed(&plan, local_fault));
        assert!(!faulted.contains(&Check::OriginProbe) && !faulted.contains(&Check::Reads));
        let skipped = run(&vec![None; plan.targets.len()]);
        assert!(!skipped.contains(&Check::OriginProbe) && !skipped.contains(&Check::Reads));
        assert!(skipped.contains(&Check::Configuration));
    }

    #[test]
    fn the_edge_check_ran_only_once_deployed_and_made_for_every_alias() {
        let deployed = healthy_snapshot(vec![healthy_distribution("E1")]);
        let run = |snapshot: &Snapshot, seen: bool| {
            let plan = plan::plan(snapshot);
            let observations = observed(&plan, refused);
            let edge_plan = plan::plan_edges(snapshot);
            let edge_observations = if seen {
                edges_seen(&edge_plan)
            } else {
                vec![None; edge_plan.targets.len()]
            };
            checks(
                &coverage(
                    snapshot,
                    Some(&Handshakes {
                        plan: &plan,
                        observations: &observations,
                        edges: Some((&edge_plan, &edge_observations)),
                    }),
                ),
                "E1",
            )
        };
        assert!(run(&deployed, true).contains(&Check::EdgeCheck));
        assert!(!run(&deployed, false).contains(&Check::EdgeCheck));
        let mut in_progress = healthy_distribution("E1");
        in_progress.status = Some(DistributionStatus::from("InProgress"));
        let pending = healthy_snapshot(vec![in_progress]);
        let ran = run(&pending, true);
        assert!(!ran.contains(&Check::EdgeCheck) && ran.contains(&Check::OriginProbe));
    }

    /// A reader that returns one snapshot, whatever it is asked.
    struct Fixed(Snapshot);

    impl AccountReader for Fixed {
        async fn snapshot(&self, _scope: &Scope) -> Snapshot {
            self.0.clone()
        }

        async fn read_references(&self, _snapshot: &mut Snapshot) {}

        async fn snapshot_for_certificate(&self, _arn: &str) -> Snapshot {
            self.0.clone()
        }

        async fn snapshot_for_origin_resource(&self, _resource: &OriginResource) -> Snapshot {
            self.0.clone()
        }
    }

    fn request(subject: Subject) -> AuditRequest {
        AuditRequest {
            subject,
            now: crate::rules::fixtures::now(),
            notes: vec![],
            probe: None,
            thresholds: ExpiryThresholds::default(),
        }
    }

    #[tokio::test]
    async fn the_account_listing_ran_only_for_the_whole_account_without_a_failure() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let all = run(
            &Fixed(snapshot.clone()),
            &request(Subject::Distributions(Scope::AllDistributions)),
        )
        .await;
        assert!(all.coverage.account_listing);
        let some = run(
            &Fixed(snapshot.clone()),
            &request(Subject::Distributions(Scope::Distributions(vec![
                "E1".into()
            ]))),
        )
        .await;
        assert!(!some.coverage.account_listing && some.coverage.audited("E1"));
        let mut failed = snapshot;
        failed.gaps.push(failure(
            "cloudfront:ListDistributions",
            "the distribution list",
            FailureKind::Throttling,
        ));
        let partial = run(
            &Fixed(failed),
            &request(Subject::Distributions(Scope::AllDistributions)),
        )
        .await;
        assert!(!partial.coverage.account_listing);
    }

    #[tokio::test]
    async fn a_certificate_users_lookup_covers_that_certificate_only_when_complete() {
        let users = run(
            &Fixed(Snapshot::default()),
            &request(Subject::CertificateUsers {
                certificate_arn: ACM_ARN.into(),
            }),
        )
        .await;
        assert_eq!(users.coverage.certificate_users.as_deref(), Some(ACM_ARN));
        assert!(!users.coverage.account_listing);
    }
}
