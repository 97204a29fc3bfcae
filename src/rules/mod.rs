//! The rules: pure functions of a [`Snapshot`] and the time `now`, one file per family.
//!
//! No rule reads the clock, opens a socket or sees an SDK type. Find a rule by its code: each file
//! names the codes it emits at the top, and every code's text lives in [`crate::catalogue`].

mod audit;
pub mod chain;
mod coverage;
mod edge;
pub mod expiry;
mod origin_config;
mod origin_lb;
mod origin_tls;
mod viewer_certificate;
mod viewer_names;
mod viewer_policy;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub(crate) use audit::needs_lookup;
pub use audit::unresolved;
pub use chain::{analyse_chain, analyse_observation, ChainAnalysis, ChainEntry, PathError};
pub use edge::EdgeResults;
pub use expiry::ExpiryThresholds;
pub(crate) use origin_lb::{configuration_read as origin_configuration_read, vpc_origins_read};
pub use origin_tls::certificates_evidence;

use crate::finding::Finding;
use crate::model::{Certificate, CertificateRef, Snapshot};
use crate::plan::{ProbePlan, TargetUse};
use crate::tls::Observation;

/// Live observations for the rules that judge origins (and the edge).
#[derive(Debug, Clone, Copy)]
pub struct ProbeResults<'a> {
    /// What was planned, and which distribution relies on each handshake.
    pub plan: &'a ProbePlan,
    /// One answer per planned target, by index (as `probe::probe_plan` answers): `None` when the
    /// probe did not start before the stop time (reported as `audit-incomplete`).
    pub observations: &'a [Option<Observation>],
    /// Extra trust anchors (DER) the chain analysis accepts as if they were public roots.
    pub trust_anchors: &'a [Vec<u8>],
    /// The edge check, when it ran.
    pub edges: Option<EdgeResults<'a>>,
}

/// Runs every configuration rule over the snapshot, as of `now` (no probe results).
pub fn evaluate(snapshot: &Snapshot, now: OffsetDateTime) -> Vec<Finding> {
    evaluate_with_probes(snapshot, None, now)
}

/// Runs every rule, the origin handshake rules included when probe results are given.
pub fn evaluate_with_probes(
    snapshot: &Snapshot,
    probes: Option<&ProbeResults<'_>>,
    now: OffsetDateTime,
) -> Vec<Finding> {
    evaluate_all(snapshot, probes, now, &ExpiryThresholds::default())
}

/// Runs every rule with explicit expiry thresholds.
pub fn evaluate_all(
    snapshot: &Snapshot,
    probes: Option<&ProbeResults<'_>>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(probes) = probes {
        origin_tls::check(snapshot, probes, now, thresholds, &mut findings);
        if let Some(edges) = &probes.edges {
            edge::check(snapshot, edges, &mut findings);
        }
    }
    audit::check(snapshot, &mut findings);
    for distribution in &snapshot.distributions {
        viewer_certificate::check(snapshot, distribution, now, thresholds, &mut findings);
        viewer_names::check(snapshot, distribution, &mut findings);
        viewer_policy::check(distribution, &mut findings);
        origin_config::check(distribution, &mut findings);
        origin_lb::check(
            snapshot,
            distribution,
            probes,
            now,
            thresholds,
            &mut findings,
        );
        coverage::check(distribution, &mut findings);
    }
    findings
}

/// The finding for an ACM event about a certificate no distribution uses.
pub fn certificate_unused(arn: &str) -> Finding {
    audit::certificate_unused(arn)
}

/// Judges a standalone origin probe (`cloudfront-tls-audit probe`, planned by
/// [`crate::plan::plan_origin`]): findings without a distribution. `analysis` is the observation's
/// [`analyse_observation`], computed once by the caller, who also shows it.
pub fn judge_origin_probe(
    target_use: &TargetUse,
    observation: &Observation,
    analysis: Option<&ChainAnalysis>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
) -> Vec<Finding> {
    origin_tls::judge_standalone(target_use, observation, analysis, now, thresholds)
}

/// How a certificate is named in evidence: its ARN, or `ID (IAM)`.
pub(crate) fn certificate_label(reference: &CertificateRef) -> String {
    match reference {
        CertificateRef::Acm(arn) => arn.clone(),
        CertificateRef::Iam(id) => format!("{id} (IAM)"),
    }
}

/// The names a certificate covers, as a JSON list for evidence.
pub(crate) fn certificate_names(certificate: &Certificate) -> Value {
    Value::from(
        certificate
            .names_covering_aliases()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    )
}

/// A timestamp for evidence and reports (RFC 3339, UTC).
pub fn timestamp(at: OffsetDateTime) -> Value {
    Value::from(at.format(&Rfc3339).unwrap_or_else(|_| at.to_string()))
}

#[cfg(test)]
pub(crate) mod fixtures;
