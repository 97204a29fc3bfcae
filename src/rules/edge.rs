//! Codes: `viewer-edge-cert-mismatch`, `viewer-edge-handshake-failed`, `viewer-edge-not-verified`.
//!
//! Compares what the edge serves for each alias with the configured certificate.

use crate::catalogue::{
    Cause, EDGE_HANDSHAKE_FAILED, EDGE_NOT_COVERING, EDGE_NOT_VERIFIED, EDGE_STALE,
};
use crate::finding::Finding;
use crate::model::{CertificateLookup, Snapshot};
use crate::names::any_covers;
use crate::plan::{edge_pending_distributions, probe_name, EdgePlan};
use crate::tls::{EdgeObservation, EdgeResult};
use crate::x509::{names_covering, parse_der};

use super::timestamp;

/// Edge observations for the rules.
#[derive(Debug, Clone, Copy)]
pub struct EdgeResults<'a> {
    /// What was planned.
    pub plan: &'a EdgePlan,
    /// One answer per planned target, by index (as `probe::probe_edges` answers): `None` when the
    /// handshake did not start before the stop time.
    pub observations: &'a [Option<EdgeObservation>],
}

pub(super) fn check(snapshot: &Snapshot, edges: &EdgeResults<'_>, findings: &mut Vec<Finding>) {
    for distribution in edge_pending_distributions(snapshot) {
        let status = distribution
            .status
            .as_ref()
            .map_or("unknown", |status| status.as_str());
        findings.push(
            Finding::builder(&EDGE_NOT_VERIFIED)
                .for_distribution(distribution)
                .subject("edge")
                .evidence("status", status)
                .evidence("distribution_id", distribution.id.clone())
                .build(),
        );
    }
    for edge_use in &edges.plan.uses {
        let (Some(target), Some(distribution)) = (
            edges.plan.targets.get(edge_use.target),
            snapshot
                .distributions
                .iter()
                .find(|d| d.id == edge_use.distribution_id),
        ) else {
            continue;
        };
        let Some(observation) = edges
            .observations
            .get(edge_use.target)
            .and_then(Option::as_ref)
        else {
            let resource = format!("edge {} (SNI {})", target.host, target.sni);
            findings.push(super::audit::not_probed(distribution, resource));
            continue;
        };
        let start = |cause: &'static Cause| {
            Finding::builder(cause)
                .for_distribution(distribution)
                .subject(edge_use.alias.clone())
                .evidence("alias", edge_use.alias.clone())
                .evidence("edge_host", target.host.clone())
                .evidence("distribution_id", distribution.id.clone())
        };
        let chain = match &observation.result {
            EdgeResult::Failed { detail } => {
                findings.push(
                    start(&EDGE_HANDSHAKE_FAILED)
                        .evidence("detail", detail.clone())
                        .build(),
                );
                continue;
            }
            EdgeResult::LocalFault(fault) => {
                let resource = format!("edge {} (SNI {})", target.host, target.sni);
                findings.push(super::origin_tls::local_fault(
                    fault,
                    "edge check",
                    resource,
                    &target.host,
                    Some(distribution),
                ));
                continue;
            }
            EdgeResult::Served { chain, .. } => chain,
        };
        let Some(leaf) = chain.first().and_then(|c| parse_der(0, &c.der).ok()) else {
            findings.push(
                start(&EDGE_HANDSHAKE_FAILED)
                    .evidence("detail", "the edge sent no readable certificate")
                    .build(),
            );
            continue;
        };
        let served_names = names_covering(&leaf);
        if !any_covers(served_names.iter().copied(), &probe_name(&edge_use.alias)) {
            findings.push(
                start(&EDGE_NOT_COVERING)
                    .evidence("served_subject", leaf.subject.clone())
                    .evidence("served_names", served_names.clone())
                    .evidence("served_serial", leaf.serial.clone())
                    .build(),
            );
            continue;
        }
        let Some(CertificateLookup::Found(configured)) = snapshot.certificate_for(distribution)
        else {
            continue;
        };
        // The body, when it was read, is the surest identity; else the serial ACM or IAM reports.
        let same = match (&configured.leaf, &configured.serial) {
            (Some(body), _) => body.sha256_fingerprint == leaf.sha256_fingerprint,
            (None, Some(serial)) => same_serial(serial, &leaf.serial),
            (None, None) => true,
        };
        if !same {
            let configured_serial = configured
                .serial
                .clone()
                .or_else(|| configured.leaf.as_ref().map(|l| l.serial.clone()))
                .unwrap_or_else(|| "unknown".to_owned());
            findings.push(
                start(&EDGE_STALE)
                    .evidence("served_serial", leaf.serial.clone())
                    .evidence("served_not_after", timestamp(leaf.not_after))
                    .evidence("configured_serial", configured_serial)
                    .build(),
            );
        }
    }
}

/// Serial numbers compare as numbers. ACM writes hex with colons (`0c:9a:…`), x509-parser too; the
/// emulator writes decimal. A configured serial matches when it equals the served one read as hex, or
/// as decimal.
fn same_serial(configured: &str, served_hex: &str) -> bool {
    let served = normalise_serial(served_hex);
    normalise_serial(configured) == served
        || (configured.bytes().all(|b| b.is_ascii_digit())
            && hex_to_decimal(&served).trim_start_matches('0')
                == configured.trim_start_matches('0'))
}

/// Converts a hex string to decimal digits (serials are up to 20 bytes: no big-number crate needed).
fn hex_to_decimal(hex: &str) -> String {
    // Little-endian base-10^9 limbs.
    let mut limbs: Vec<u64> = vec![0];
    for digit in hex.chars().filter_map(|c| c.to_digit(16)) {
        let mut carry = u64::from(digit);
        for limb in limbs.iter_mut() {
            let value = *limb * 16 + carry;
            *limb = value % 1_000_000_000;
            carry = value / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = limbs.last().map(|l| l.to_string()).unwrap_or_default();
    for limb in limbs.iter().rev().skip(1) {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// Lower-case hex digits without separators or leading zeros.
fn normalise_serial(serial: &str) -> String {
    let hex: String = serial
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::EdgePlan;
    use crate::rules::fixtures::*;
    use crate::rules::{evaluate_with_probes, ProbeResults};

    fn with_edge_check(snapshot: &Snapshot) -> Vec<Finding> {
        with_edges(snapshot, &EdgePlan::default(), &[])
    }

    /// Every rule, with these edge observations and no origin probe.
    fn with_edges(
        snapshot: &Snapshot,
        edge_plan: &EdgePlan,
        observations: &[Option<EdgeObservation>],
    ) -> Vec<Finding> {
        let plan = crate::plan::ProbePlan::default();
        let probes = ProbeResults {
            plan: &plan,
            observations: &[],
            trust_anchors: &[],
            edges: Some(EdgeResults {
                plan: edge_plan,
                observations,
            }),
        };
        evaluate_with_probes(snapshot, Some(&probes), now())
    }

    #[test]
    fn a_distribution_in_progress_is_reported_as_not_verified_at_the_edge() {
        let mut dist = healthy_distribution("E1");
        dist.status = Some("InProgress".into());
        let findings = with_edge_check(&healthy_snapshot(vec![dist.clone()]));
        assert_codes(&findings, &["viewer-edge-not-verified"]);
        assert_eq!(findings[0].severity.as_str(), "info");

        dist.status = Some("Deployed".into());
        assert_codes(&with_edge_check(&healthy_snapshot(vec![dist.clone()])), &[]);
        // Without the edge check (--no-probe, --no-edge-check) nothing is said about the edge.
        dist.status = Some("InProgress".into());
        assert_codes(
            &crate::rules::evaluate(&healthy_snapshot(vec![dist]), now()),
            &[],
        );
    }

    #[test]
    fn an_edge_check_this_machine_could_not_make_is_audit_incomplete() {
        use crate::tls::{LocalFault, LocalOperation};
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let edge_plan = crate::plan::plan_edges(&snapshot);
        assert!(!edge_plan.targets.is_empty());
        let observations: Vec<Option<EdgeObservation>> = edge_plan
            .targets
            .iter()
            .map(|target| {
                Some(EdgeObservation {
                    target: target.clone(),
                    addresses: Vec::new(),
                    result: EdgeResult::LocalFault(LocalFault {
                        operation: LocalOperation::Connect,
                        address: None,
                        error: "ENOBUFS".into(),
                        detail: "No buffer space available (os error 105)".into(),
                    }),
                })
            })
            .collect();
        let findings = with_edges(&snapshot, &edge_plan, &observations);
        assert_codes(&findings, &["audit-incomplete"]);
        assert_eq!(findings[0].evidence["operation"], "edge check");
        assert_eq!(findings[0].evidence["error"], "ENOBUFS");
        assert!(findings[0].subject.starts_with("edge "));
    }

    #[test]
    fn serials_compare_across_spellings() {
        assert!(same_serial("0C:9A:01", "0c:9a:01"));
        assert!(same_serial("c9a01", "0c:9a:01"));
        assert!(!same_serial("0c:9a:01", "0c:9a:02"));
        // The emulator's decimal spelling of the same number.
        assert!(same_serial(
            "84736304086796368597287944642926247660",
            "3f:bf:9e:58:c0:7b:d7:af:85:93:95:08:7a:cc:7e:ec"
        ));
        assert!(same_serial("12", "0c"), "decimal 12 is 0x0c");
        assert!(!same_serial("13", "0c"));
        assert_eq!(hex_to_decimal("ff"), "255");
        assert_eq!(hex_to_decimal("3b9aca00"), "1000000000");
    }
}
