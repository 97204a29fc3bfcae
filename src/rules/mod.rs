//! The rules: pure functions of a [`Snapshot`] and the time `now`, one file per family.
//!
//! No rule reads the clock, opens a socket or sees an SDK type. Find a rule by its code: each file
//! names the codes it emits at the top, and every code's text lives in [`crate::catalogue`].

mod audit;
mod origin_config;
mod viewer_certificate;
mod viewer_names;
mod viewer_policy;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::finding::Finding;
use crate::model::{Certificate, CertificateRef, Snapshot};

/// Runs every rule over the snapshot, as of `now`.
pub fn evaluate(snapshot: &Snapshot, now: OffsetDateTime) -> Vec<Finding> {
    let mut findings = Vec::new();
    audit::check(snapshot, &mut findings);
    for distribution in &snapshot.distributions {
        viewer_certificate::check(snapshot, distribution, now, &mut findings);
        viewer_names::check(snapshot, distribution, &mut findings);
        viewer_policy::check(distribution, &mut findings);
        origin_config::check(distribution, &mut findings);
    }
    findings
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

/// A timestamp for evidence (RFC 3339, UTC).
pub(crate) fn timestamp(at: OffsetDateTime) -> Value {
    Value::from(at.format(&Rfc3339).unwrap_or_else(|_| at.to_string()))
}

#[cfg(test)]
pub(crate) mod fixtures;
