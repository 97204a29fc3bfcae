//! Codes: `origin-dns-failure`, `origin-connect-refused`, `origin-connect-timeout`,
//! `origin-handshake-timeout`, `origin-tls-protocol-mismatch`, `origin-tls-no-shared-cipher`,
//! `origin-handshake-failed`, `origin-cert-expired`, `origin-cert-not-yet-valid`,
//! `origin-cert-expiring`, `origin-cert-self-signed`, `origin-cert-untrusted-root`,
//! `origin-cert-chain-incomplete`, `origin-cert-chain-misordered`, `origin-cert-chain-oversized`,
//! `origin-cert-name-mismatch`, `audit-incomplete`.
//!
//! Judges what each origin probe observed, for every distribution that relies on it. A probe this
//! machine could not make (a local fault) is `audit-incomplete`, never a verdict on the origin.
//! Sources: cloudfront-tls-rules.md §3.2 to §3.4.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::chain::limits::{MAX_CERTIFICATES, MAX_CERTIFICATE_MESSAGE_BYTES, SIGNATURE_BUDGET};
use super::chain::public_ca::ccadb_as_of;
use super::chain::{analyse_observation, ChainAnalysis, ChainEntry, OversizeReason};
use super::{timestamp, ExpiryThresholds, ProbeResults};
use crate::catalogue::*;
use crate::finding::{Finding, FindingBuilder, Severity};
use crate::model::{CertificateDetails, Distribution, Snapshot};
use crate::plan::{SniSource, TargetUse};
use crate::tls::{
    is_cloudfront_origin_suite, Discovery, HandshakeStage, LocalFault, LocalOperation, Negotiated,
    Observation, ProbeOutcome, ProbeTarget, ProtocolVersion,
};
use crate::x509::names_covering;

/// TLS alert `protocol_version`.
const ALERT_PROTOCOL_VERSION: u8 = 70;

/// The codes whose findings are about the certificates sent (their evidence names the leaf by its
/// `certificate_sha256`).
const CERTIFICATE_CODES: &[Code] = &[
    Code::OriginCertExpired,
    Code::OriginCertNotYetValid,
    Code::OriginCertExpiring,
    Code::OriginCertSelfSigned,
    Code::OriginCertUntrustedRoot,
    Code::OriginCertChainIncomplete,
    Code::OriginCertChainMisordered,
    Code::OriginCertChainOversized,
    Code::OriginCertNameMismatch,
];

pub(super) fn check(
    snapshot: &Snapshot,
    probes: &ProbeResults<'_>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    findings: &mut Vec<Finding>,
) {
    // A shared origin's chain is analysed once per observation, however many distributions and SNI
    // names rely on it.
    let analyses: Vec<Option<ChainAnalysis>> = probes
        .observations
        .iter()
        .map(|o| {
            o.as_ref()
                .and_then(|o| analyse_observation(o, now, probes.trust_anchors))
        })
        .collect();
    let mut seen = BTreeSet::new();
    for target_use in &probes.plan.uses {
        let Some(target) = probes.plan.targets.get(target_use.target) else {
            continue;
        };
        let Some(distribution) = snapshot
            .distributions
            .iter()
            .find(|d| d.id == target_use.distribution_id)
        else {
            continue;
        };
        let Some(observation) = probes
            .observations
            .get(target_use.target)
            .and_then(Option::as_ref)
        else {
            let resource = format!(
                "origin {} ({}:{}, SNI {})",
                target_use.origin_id, target.host, target.port, target.sni
            );
            findings.push(super::audit::not_probed(distribution, resource));
            continue;
        };
        let analysis = analyses.get(target_use.target).and_then(Option::as_ref);
        let context = Context {
            target_use,
            target,
            distribution: Some(distribution),
        };
        let leaf_sha256 = analysis.map(leaf_sha256).unwrap_or_default();
        for finding in judge(&context, observation, analysis, now, thresholds) {
            if seen.insert(SameProblem::of(
                target_use,
                target,
                leaf_sha256,
                finding.code,
            )) {
                findings.push(finding);
            }
        }
    }
}

/// What makes two findings for one distribution's origin one problem. One origin probed with several
/// SNI names often shows the same certificate problem: a finding about the chain is reported once
/// per distribution, origin and leaf; every other finding once per SNI name as well (a name mismatch
/// is about the name, and the origin may answer each name differently).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SameProblem<'a> {
    distribution_id: &'a str,
    origin_id: &'a str,
    code: Code,
    /// The leaf's fingerprint, for the findings about the certificates sent.
    certificate_sha256: Option<&'a str>,
    /// The SNI name, for every finding but those about the chain itself.
    sni: Option<&'a str>,
}

impl<'a> SameProblem<'a> {
    fn of(
        target_use: &'a TargetUse,
        target: &'a ProbeTarget,
        leaf_sha256: &'a str,
        code: Code,
    ) -> SameProblem<'a> {
        let about_certificate = CERTIFICATE_CODES.contains(&code);
        let about_chain = about_certificate && code != Code::OriginCertNameMismatch;
        SameProblem {
            distribution_id: &target_use.distribution_id,
            origin_id: &target_use.origin_id,
            code,
            certificate_sha256: about_certificate.then_some(leaf_sha256),
            sni: (!about_chain).then_some(target.sni.as_str()),
        }
    }
}

/// The leaf's fingerprint as the evidence gives it (empty when the leaf could not be parsed).
fn leaf_sha256(analysis: &ChainAnalysis) -> &str {
    match analysis.certificates.first() {
        Some(ChainEntry::Parsed(leaf)) => &leaf.sha256_fingerprint,
        _ => "",
    }
}

/// Judges one observation made outside any distribution (the `probe` command, planned by
/// [`crate::plan::plan_origin`]), with its chain analysis.
pub(super) fn judge_standalone(
    target_use: &TargetUse,
    observation: &Observation,
    analysis: Option<&ChainAnalysis>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
) -> Vec<Finding> {
    let context = Context {
        target_use,
        target: &observation.target,
        distribution: None,
    };
    judge(&context, observation, analysis, now, thresholds)
}

struct Context<'a> {
    target_use: &'a TargetUse,
    target: &'a ProbeTarget,
    /// `None` for a standalone probe (`cloudfront-tls-audit probe`).
    distribution: Option<&'a crate::model::Distribution>,
}

impl Context<'_> {
    /// Whether CloudFront presents a client certificate to this origin (`OriginMtlsConfig`).
    fn presents_client_certificate(&self) -> bool {
        self.distribution.is_some_and(|distribution| {
            distribution.origins.iter().any(|origin| {
                origin.id == self.target_use.origin_id
                    && matches!(&origin.kind, crate::model::OriginKind::Custom(custom)
                        if custom.origin_mtls_client_certificate_arn.is_some())
            })
        })
    }

    /// `origin ID`, and the SNI name for a finding about one name when the name is not the
    /// origin's domain (a forwarded Host, a name asked for by hand): each name is its own problem,
    /// and the subject must tell them apart (it is part of the finding's fingerprint). A finding
    /// about the chain is one per origin whatever the name. Never anything from the answer
    /// (addresses, dates, the leaf's hash): the subject stays the same while the evidence moves.
    fn subject(&self, code: Code) -> String {
        let about_chain = CERTIFICATE_CODES.contains(&code) && code != Code::OriginCertNameMismatch;
        match &self.target_use.sni_source {
            SniSource::OriginDomain => format!("origin {}", self.target_use.origin_id),
            _ if about_chain => format!("origin {}", self.target_use.origin_id),
            SniSource::Requested | SniSource::ForwardedHost { .. } => format!(
                "origin {} (SNI {})",
                self.target_use.origin_id, self.target.sni
            ),
        }
    }

    fn start(&self, cause: &'static Cause) -> FindingBuilder {
        let versions: Vec<&str> = self
            .target
            .offered_versions
            .iter()
            .map(|v| v.as_str())
            .collect();
        let builder = Finding::builder(cause);
        let builder = match self.distribution {
            Some(distribution) => builder.for_distribution(distribution),
            None => builder,
        };
        builder
            .subject(self.subject(cause.code))
            .evidence("origin_id", self.target_use.origin_id.clone())
            .evidence("origin_domain", self.target_use.origin_domain.clone())
            .evidence("sni", self.target.sni.clone())
            .evidence("port", self.target.port)
            .evidence("offered_versions", versions)
    }
}

fn judge(
    context: &Context<'_>,
    observation: &Observation,
    analysis: Option<&ChainAnalysis>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
) -> Vec<Finding> {
    let addresses: Vec<String> = observation
        .addresses
        .iter()
        .map(|a| a.to_string())
        .collect();
    let finding = |cause| {
        context
            .start(cause)
            .evidence("addresses", addresses.clone())
    };
    match &observation.outcome {
        ProbeOutcome::DnsFailure { detail } => vec![finding(&DNS_FAILURE)
            .evidence("detail", detail.clone())
            .build()],
        ProbeOutcome::ConnectRefused { address } => {
            vec![finding(&CONNECT_REFUSED)
                .evidence("address", address.to_string())
                .build()]
        }
        ProbeOutcome::ConnectTimeout { address, after } => {
            vec![finding(&CONNECT_TIMEOUT)
                .evidence("address", address.to_string())
                .evidence(
                    "timeout_ms",
                    u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                )
                .build()]
        }
        ProbeOutcome::HandshakeTimeout { address, stage } => {
            vec![finding(&HANDSHAKE_TIMEOUT)
                .evidence("address", address.to_string())
                .evidence("stage", stage_label(*stage))
                .build()]
        }
        ProbeOutcome::Alert {
            address,
            stage,
            description,
            name,
            discovery,
        } => {
            let base = finding(&HANDSHAKE_ALERT)
                .evidence("address", address.to_string())
                .evidence("stage", stage_label(*stage))
                .evidence("alert", name.clone());
            let refused = refusal(context, discovery.as_ref(), *description, address);
            vec![refused.unwrap_or_else(|| base.build())]
        }
        ProbeOutcome::Closed {
            address,
            stage,
            discovery,
        } => {
            let refused = refusal(context, discovery.as_ref(), 0, address);
            vec![refused.unwrap_or_else(|| {
                finding(&HANDSHAKE_CLOSED)
                    .evidence("address", address.to_string())
                    .evidence("stage", stage_label(*stage))
                    .build()
            })]
        }
        ProbeOutcome::NotTls {
            address,
            first_bytes,
        } => vec![finding(&HANDSHAKE_NOT_TLS)
            .evidence("address", address.to_string())
            .evidence("first_bytes", first_bytes.clone())
            .build()],
        ProbeOutcome::BudgetExceeded { address, budget } => {
            vec![finding(&HANDSHAKE_OVERSIZED)
                .evidence("address", address.to_string())
                .evidence("budget", *budget)
                .build()]
        }
        ProbeOutcome::Malformed {
            address,
            stage,
            detail,
        } => vec![finding(&HANDSHAKE_MALFORMED)
            .evidence("address", address.to_string())
            .evidence("stage", stage_label(*stage))
            .evidence("detail", detail.clone())
            .build()],
        ProbeOutcome::UnsolicitedExtension {
            address,
            version,
            cipher_suite,
            extension,
            extension_name,
            offered,
        } => {
            let offered: Vec<String> = offered
                .iter()
                .map(|kind| crate::tls::suites::extension_name(*kind))
                .collect();
            vec![finding(&HANDSHAKE_UNSOLICITED_EXTENSION)
                .evidence("address", address.to_string())
                .evidence("origin_version", version.as_str())
                .evidence(
                    "origin_cipher",
                    crate::tls::suites::cipher_name(*cipher_suite),
                )
                .evidence("extension", *extension)
                .evidence("extension_name", extension_name.clone())
                .evidence("offered_extensions", offered)
                .build()]
        }
        ProbeOutcome::LocalFault(fault) => {
            let target = context.target;
            let resource = format!(
                "origin {} ({}:{}, SNI {})",
                context.target_use.origin_id, target.host, target.port, target.sni
            );
            vec![local_fault(
                fault,
                "TLS probe",
                resource,
                &target.host,
                context.distribution,
            )]
        }
        ProbeOutcome::Negotiated(negotiated) => {
            negotiated_findings(context, negotiated, analysis, now, thresholds)
        }
    }
}

/// A probe (or edge check) this machine could not make: `audit-incomplete`, naming the resource,
/// what failed on this side (`EMFILE`, no resolver) and what to do; never a verdict on the origin.
pub(super) fn local_fault(
    fault: &LocalFault,
    check: &'static str,
    resource: String,
    host: &str,
    distribution: Option<&Distribution>,
) -> Finding {
    let cause = match fault.operation {
        LocalOperation::Resolve => &INCOMPLETE_LOCAL_RESOLVER,
        LocalOperation::Connect | LocalOperation::Send | LocalOperation::Receive => {
            &INCOMPLETE_LOCAL_CONNECTION
        }
    };
    let builder = Finding::builder(cause);
    let builder = match distribution {
        Some(distribution) => builder.for_distribution(distribution),
        None => builder,
    };
    builder
        .subject(resource.clone())
        .evidence("operation", check)
        .evidence("resource", resource)
        .evidence("failure", "local-fault")
        .evidence("error", fault.error.clone())
        .evidence("detail", fault.detail.clone())
        .evidence("action", fault.operation.describe())
        .evidence("host", host.to_owned())
        .evidence(
            "address",
            fault
                .address
                .map_or(Value::Null, |a| Value::String(a.to_string())),
        )
        .build()
}

/// Explains a refused hello with what the discovery hello learned, when it learned something.
fn refusal(
    context: &Context<'_>,
    discovery: Option<&Discovery>,
    alert: u8,
    address: &std::net::SocketAddr,
) -> Option<Finding> {
    let offered = &context.target.offered_versions;
    let start = |cause| {
        context
            .start(cause)
            .evidence("address", address.to_string())
    };
    match discovery {
        Some(d) if d.version == ProtocolVersion::Tls13 => Some(
            start(&PROTOCOL_TLS13_ONLY)
                .evidence("origin_version", d.version.as_str())
                .evidence("origin_cipher", d.cipher_name.clone())
                .build(),
        ),
        Some(d) if !offered.contains(&d.version) => Some(
            start(&PROTOCOL_NOT_ALLOWED)
                .evidence("origin_version", d.version.as_str())
                .evidence("origin_cipher", d.cipher_name.clone())
                .build(),
        ),
        Some(d) if !is_cloudfront_origin_suite(d.cipher_suite) => Some(
            start(&NO_SHARED_CIPHER)
                .evidence("origin_version", d.version.as_str())
                .evidence("origin_cipher", d.cipher_name.clone())
                .build(),
        ),
        None if alert == ALERT_PROTOCOL_VERSION => Some(
            start(&PROTOCOL_NOT_ALLOWED)
                .evidence("origin_version", "none of them (protocol_version alert)")
                .build(),
        ),
        _ => None,
    }
}

/// `analysis` is the chain's, from [`analyse_observation`]; without it the chain is not judged.
fn negotiated_findings(
    context: &Context<'_>,
    negotiated: &Negotiated,
    analysis: Option<&ChainAnalysis>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
) -> Vec<Finding> {
    let start = |cause| {
        context
            .start(cause)
            .evidence("address", negotiated.address.to_string())
            .evidence("origin_version", negotiated.version.as_str())
            .evidence("origin_cipher", negotiated.cipher_name.clone())
    };
    // CloudFront refuses an answer outside what it offered, whatever the chain.
    if !context
        .target
        .offered_versions
        .contains(&negotiated.version)
    {
        return vec![start(&PROTOCOL_NOT_ALLOWED).build()];
    }
    if !is_cloudfront_origin_suite(negotiated.cipher_suite) {
        return vec![start(&NO_SHARED_CIPHER).build()];
    }
    let mut findings = Vec::new();
    if negotiated.client_certificate_requested {
        // With origin mTLS CloudFront presents a certificate the probe does not have: the request
        // is expected, and the completion without one proves nothing (`audit-not-covered` says so).
        if !context.presents_client_certificate() {
            findings.push(start(&HANDSHAKE_CLIENT_CERTIFICATE).build());
        }
    } else if let Some(Err(detail)) = &negotiated.completion {
        findings.push(
            start(&HANDSHAKE_INCOMPLETE)
                .evidence("detail", detail.to_string())
                .build(),
        );
    }
    if negotiated.chain.is_empty() {
        findings.push(
            start(&HANDSHAKE_INCOMPLETE)
                .evidence("detail", "the origin sent no certificate")
                .build(),
        );
        return findings;
    }
    let Some(analysis) = analysis else {
        return findings;
    };
    let parsed: Vec<Option<&CertificateDetails>> = analysis
        .certificates
        .iter()
        .map(|e| match e {
            ChainEntry::Parsed(d) => Some(d),
            ChainEntry::Unparsable { .. } => None,
        })
        .collect();
    let chain_evidence = certificates_evidence(analysis);
    let leaf = parsed.first().copied().flatten();
    let with_chain = |builder: FindingBuilder| {
        builder
            .evidence(
                "certificate_sha256",
                leaf.map(|l| l.sha256_fingerprint.clone())
                    .unwrap_or_default(),
            )
            .evidence("certificates", chain_evidence.clone())
    };
    let describe = |position: usize| {
        let subject = parsed
            .get(position)
            .copied()
            .flatten()
            .map(|d| d.subject.clone())
            .unwrap_or_else(|| format!("#{position}"));
        let label = if position == 0 {
            "leaf".to_owned()
        } else {
            format!("chain #{position}")
        };
        (subject, label)
    };
    for &position in &analysis.expired {
        let (subject, label) = describe(position);
        let not_after = parsed[position].map(|d| timestamp(d.not_after));
        findings.push(
            with_chain(start(&ORIGIN_EXPIRED))
                .evidence("position", label)
                .evidence("certificate_subject", subject)
                .evidence("not_after", not_after.unwrap_or(Value::Null))
                .build(),
        );
    }
    for &position in &analysis.not_yet_valid {
        let (subject, label) = describe(position);
        let not_before = parsed[position].map(|d| timestamp(d.not_before));
        findings.push(
            with_chain(start(&ORIGIN_NOT_YET_VALID))
                .evidence("position", label)
                .evidence("certificate_subject", subject)
                .evidence("not_before", not_before.unwrap_or(Value::Null))
                .build(),
        );
    }
    if let Some(leaf) = leaf.filter(|_| !analysis.expired.contains(&0)) {
        let days_left = (leaf.not_after - now).whole_days();
        if days_left <= thresholds.origin_medium_days {
            let severity = if days_left <= thresholds.origin_high_days {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.push(
                with_chain(start(&ORIGIN_EXPIRING))
                    .severity(severity)
                    .evidence("position", "leaf")
                    .evidence("certificate_subject", leaf.subject.clone())
                    .evidence("not_after", timestamp(leaf.not_after))
                    .evidence("days_left", days_left)
                    .build(),
            );
        }
    }
    if let Some(oversized) = &analysis.oversized {
        let cause = match oversized.reason {
            OversizeReason::TooManyCertificates => &CHAIN_TOO_MANY_CERTIFICATES,
            OversizeReason::TooManyBytes => &CHAIN_TOO_MANY_BYTES,
            OversizeReason::VerificationBudget => &CHAIN_VERIFICATION_BUDGET,
        };
        findings.push(
            with_chain(start(cause))
                .evidence("certificates_sent", oversized.certificates_sent)
                .evidence("certificate_bytes", oversized.certificate_bytes)
                .evidence("certificates_analysed", oversized.certificates_analysed)
                .evidence("certificate_limit", MAX_CERTIFICATES)
                .evidence("byte_limit", MAX_CERTIFICATE_MESSAGE_BYTES)
                .evidence("signature_budget", SIGNATURE_BUDGET)
                .build(),
        );
    }
    let leaf_subject = leaf.map(|l| l.subject.clone()).unwrap_or_default();
    if analysis.self_signed {
        findings.push(
            with_chain(start(&SELF_SIGNED))
                .evidence("certificate_subject", leaf_subject.clone())
                .build(),
        );
    } else if analysis.misordered {
        let order: Vec<String> = parsed
            .iter()
            .enumerate()
            .map(|(i, d)| {
                d.map(|d| d.subject.clone())
                    .unwrap_or_else(|| format!("#{i}"))
            })
            .collect();
        findings.push(
            with_chain(start(&CHAIN_MISORDERED))
                .evidence("sent_order", order.join(" -> "))
                .build(),
        );
    } else if analysis.incomplete {
        // A leaf sent alone under an issuer no public CA has: a missing intermediate or a private CA.
        let (cause, subject, missing) = match &analysis.missing_issuer {
            Some(m) if !m.known_public_ca => (
                &CHAIN_INCOMPLETE_OR_PRIVATE_CA,
                m.certificate_subject.clone(),
                m.issuer.clone(),
            ),
            Some(m) => (
                &CHAIN_INCOMPLETE,
                m.certificate_subject.clone(),
                m.issuer.clone(),
            ),
            None => {
                let (subject, missing) = first_missing_issuer(&parsed);
                (&CHAIN_INCOMPLETE, subject, missing)
            }
        };
        findings.push(
            with_chain(start(cause))
                .evidence("certificate_subject", subject)
                .evidence("missing_issuer", missing)
                .evidence("ccadb_as_of", ccadb_as_of())
                .build(),
        );
    } else if let Some(private) = analysis
        .missing_issuer
        .as_ref()
        .filter(|_| analysis.untrusted_root)
    {
        // Intermediates sent, the CA above them neither sent nor public: a private CA.
        findings.push(
            with_chain(start(&PRIVATE_ROOT))
                .evidence("root_subject", private.issuer.clone())
                .evidence("certificate_subject", private.certificate_subject.clone())
                .evidence("intermediates_sent", private.intermediates_sent)
                .evidence("ccadb_as_of", ccadb_as_of())
                .build(),
        );
    } else if analysis.untrusted_root {
        let root = parsed
            .iter()
            .rev()
            .find_map(|d| *d)
            .map(|d| d.issuer.clone())
            .unwrap_or_default();
        findings.push(
            with_chain(start(&UNTRUSTED_ROOT))
                .evidence("root_subject", root)
                .build(),
        );
    }
    // A leaf past the byte cap was not read: its names are unknown, not wrong.
    if !analysis.name_matches && !analysis.certificates.is_empty() {
        let names: Vec<String> = leaf
            .map(|l| names_covering(l).into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let builder = match &context.target_use.sni_source {
            SniSource::OriginDomain => start(&NAME_MISMATCH_ORIGIN_DOMAIN),
            SniSource::Requested => start(&NAME_MISMATCH_REQUESTED_SNI),
            SniSource::ForwardedHost { alias, behaviors } => start(&NAME_MISMATCH_FORWARDED_HOST)
                .evidence("alias", alias.clone())
                .evidence("behaviors", behaviors.clone()),
        };
        findings.push(
            with_chain(builder)
                .evidence("certificate_names", names)
                .build(),
        );
    }
    findings
}

/// The first sent certificate whose issuer is not among the sent subjects, and that issuer.
fn first_missing_issuer(parsed: &[Option<&CertificateDetails>]) -> (String, String) {
    let subjects: Vec<&str> = parsed
        .iter()
        .flatten()
        .map(|d| d.subject.as_str())
        .collect();
    parsed
        .iter()
        .flatten()
        .find(|d| d.issuer != d.subject && !subjects.contains(&d.issuer.as_str()))
        .or_else(|| parsed.iter().flatten().last())
        .map(|d| (d.subject.clone(), d.issuer.clone()))
        .unwrap_or_default()
}

/// Every certificate as sent, for evidence (and the `probe` command's output).
pub fn certificates_evidence(analysis: &ChainAnalysis) -> Value {
    Value::Array(
        analysis
            .certificates
            .iter()
            .map(|entry| match entry {
                ChainEntry::Parsed(d) => json!({
                    "subject": d.subject,
                    "issuer": d.issuer,
                    "serial": d.serial,
                    "not_before": timestamp(d.not_before),
                    "not_after": timestamp(d.not_after),
                    "dns_names": d.dns_names,
                    "key": d.key.describe(),
                    "sha256": d.sha256_fingerprint,
                }),
                ChainEntry::Unparsable { detail } => json!({ "unparsable": detail }),
            })
            .collect(),
    )
}

fn stage_label(stage: HandshakeStage) -> &'static str {
    match stage {
        HandshakeStage::ServerHello => "waiting for the ServerHello",
        HandshakeStage::ServerFlight => "reading the certificate",
        HandshakeStage::Completion => "completing the handshake",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{HeaderPolicy, PolicyLookup, PolicySource};
    use crate::plan::plan;
    use crate::rules::fixtures::*;
    use crate::rules::{evaluate_with_probes, ProbeResults};
    use crate::tls::SentCertificate;

    fn address() -> std::net::SocketAddr {
        "127.0.0.1:443".parse().expect("literal address")
    }

    fn self_signed(names: &[&str]) -> SentCertificate {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let certified = rcgen::generate_simple_self_signed(names).expect("rcgen");
        SentCertificate {
            der: certified.cert.der().to_vec(),
        }
    }

    /// E1 (healthy fixture) with Host forwarded to its origin through the managed AllViewer policy.
    fn forwarding_snapshot() -> Snapshot {
        let mut dist = healthy_distribution("E1");
        dist.default_cache_behavior.origin_request_policy_id = Some("all-viewer".into());
        let mut snapshot = healthy_snapshot(vec![dist]);
        snapshot.origin_request_policies.insert(
            "all-viewer".into(),
            PolicyLookup::Found(HeaderPolicy {
                id: "all-viewer".into(),
                name: Some("Managed-AllViewer".into()),
                header_behavior: "allViewer".into(),
                headers: vec![],
                source: PolicySource::ManagedDefinition,
            }),
        );
        snapshot
    }

    fn judge_all(
        snapshot: &Snapshot,
        outcome: impl Fn(&ProbeTarget) -> ProbeOutcome,
    ) -> Vec<Finding> {
        let plan = plan(snapshot);
        let observations: Vec<Option<Observation>> = plan
            .targets
            .iter()
            .map(|t| {
                Some(Observation {
                    target: t.clone(),
                    addresses: vec![address().ip()],
                    outcome: outcome(t),
                })
            })
            .collect();
        let probes = ProbeResults {
            plan: &plan,
            observations: &observations,
            trust_anchors: &[],
            edges: None,
        };
        evaluate_with_probes(snapshot, Some(&probes), now())
    }

    fn negotiated(version: ProtocolVersion, chain: Vec<SentCertificate>) -> ProbeOutcome {
        ProbeOutcome::Negotiated(Negotiated {
            address: address(),
            version,
            cipher_suite: 0xC02F,
            cipher_name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
            chain,
            client_certificate_requested: false,
            completion: Some(Ok(())),
        })
    }

    #[test]
    fn a_client_certificate_demand_is_a_502_only_without_origin_mtls() {
        let certificate = self_signed(&["origin.example.com"]);
        let demanding = |_: &ProbeTarget| {
            let ProbeOutcome::Negotiated(mut n) =
                negotiated(ProtocolVersion::Tls12, vec![certificate.clone()])
            else {
                unreachable!("negotiated() builds a Negotiated outcome")
            };
            n.client_certificate_requested = true;
            n.completion = Some(Err(crate::tls::CompletionError::Timeout));
            ProbeOutcome::Negotiated(n)
        };
        let demanded = |findings: &[Finding]| {
            findings
                .iter()
                .any(|f| f.message.contains("demands a client certificate"))
        };
        let without = healthy_snapshot(vec![healthy_distribution("E1")]);
        assert!(demanded(&judge_all(&without, demanding)));

        let mut dist = healthy_distribution("E1");
        if let crate::model::OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_mtls_client_certificate_arn =
                Some("arn:aws:acm:us-east-1:111122223333:certificate/client".into());
        }
        let with = healthy_snapshot(vec![dist]);
        let findings = judge_all(&with, demanding);
        assert!(!demanded(&findings), "{findings:#?}");
        // The chain is still judged: the self-signed certificate is named.
        assert!(findings
            .iter()
            .any(|f| f.code.as_str() == "origin-cert-self-signed"));
    }

    #[test]
    fn a_forwarded_host_not_in_the_origin_certificate_names_the_alias_and_the_behaviours() {
        let snapshot = forwarding_snapshot();
        // The same server answers every SNI name with the same certificate.
        let certificate = self_signed(&["origin.example.com"]);
        let findings = judge_all(&snapshot, |_| {
            negotiated(ProtocolVersion::Tls12, vec![certificate.clone()])
        });
        // The self-signed certificate is one finding for the origin, however many SNI names.
        assert_codes(
            &findings,
            &["origin-cert-self-signed", "origin-cert-name-mismatch"],
        );
        let mismatch = findings
            .iter()
            .find(|f| f.code == Code::OriginCertNameMismatch)
            .expect("name mismatch");
        assert_eq!(mismatch.evidence["sni"], "www.example.com");
        assert_eq!(
            mismatch.evidence["behaviors"],
            serde_json::json!(["default"])
        );
        assert!(mismatch.message.contains("forward the viewer's Host"));
        assert_eq!(mismatch.distribution_id.as_deref(), Some("E1"));
    }

    #[test]
    fn each_forwarded_name_is_its_own_subject_and_the_chain_one_per_origin() {
        // The subject is the finding's identity across runs (issue 11): two aliases whose names
        // the origin's certificate misses are two problems, fixed one at a time.
        let mut snapshot = forwarding_snapshot();
        snapshot.distributions[0].aliases = vec!["a.example.com".into(), "b.example.com".into()];
        let certificate = self_signed(&["origin.example.com"]);
        let findings = judge_all(&snapshot, |_| {
            negotiated(ProtocolVersion::Tls12, vec![certificate.clone()])
        });
        let mut subjects: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.code.as_str(), f.subject.as_str()))
            .collect();
        subjects.sort();
        assert_eq!(
            subjects,
            [
                (
                    "origin-cert-name-mismatch",
                    "origin app (SNI a.example.com)"
                ),
                (
                    "origin-cert-name-mismatch",
                    "origin app (SNI b.example.com)"
                ),
                ("origin-cert-self-signed", "origin app"),
            ]
        );
    }

    #[test]
    fn an_answer_in_a_version_cloudfront_did_not_offer_is_a_protocol_mismatch() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let findings = judge_all(&snapshot, |_| {
            negotiated(
                ProtocolVersion::Tls10,
                vec![self_signed(&["origin.example.com"])],
            )
        });
        assert_codes(&findings, &["origin-tls-protocol-mismatch"]);
        assert_eq!(findings[0].evidence["origin_version"], "TLSv1");
    }

    #[test]
    fn refusals_are_explained_by_what_discovery_learned() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let alert = |discovery: Option<Discovery>| ProbeOutcome::Alert {
            address: address(),
            stage: HandshakeStage::ServerHello,
            description: 40,
            name: "handshake_failure".into(),
            discovery,
        };
        let cases = [
            (None, "origin-handshake-failed"),
            (
                Some(Discovery {
                    version: ProtocolVersion::Tls12,
                    cipher_suite: 0xCCA8,
                    cipher_name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256".into(),
                }),
                "origin-tls-no-shared-cipher",
            ),
            (
                Some(Discovery {
                    version: ProtocolVersion::Tls13,
                    cipher_suite: 0x1301,
                    cipher_name: "TLS_AES_128_GCM_SHA256".into(),
                }),
                "origin-tls-protocol-mismatch",
            ),
        ];
        for (discovery, code) in cases {
            let findings = judge_all(&snapshot, |_| alert(discovery.clone()));
            assert_codes(&findings, &[code]);
        }
    }

    #[test]
    fn a_planned_handshake_that_never_ran_is_audit_incomplete_not_a_pass() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let plan = plan(&snapshot);
        let probes = ProbeResults {
            plan: &plan,
            observations: &[None],
            trust_anchors: &[],
            edges: None,
        };
        let findings = evaluate_with_probes(&snapshot, Some(&probes), now());
        assert_codes(&findings, &["audit-incomplete"]);
        assert_eq!(findings[0].evidence["failure"], "deadline");
        assert!(findings[0].subject.contains("origin.example.com:443"));
    }

    #[test]
    fn reachability_failures_carry_their_gateway_status() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let refused = judge_all(&snapshot, |_| ProbeOutcome::ConnectRefused {
            address: address(),
        });
        assert_codes(&refused, &["origin-connect-refused"]);
        assert_eq!(refused[0].viewer_impact.as_str(), "502");
        let timeout = judge_all(&snapshot, |_| ProbeOutcome::ConnectTimeout {
            address: address(),
            after: Duration::from_secs(10),
        });
        assert_codes(&timeout, &["origin-connect-timeout"]);
        assert_eq!(timeout[0].viewer_impact.as_str(), "504");
        assert_eq!(timeout[0].evidence["timeout_ms"], 10_000);
    }

    #[test]
    fn a_local_fault_is_audit_incomplete_on_the_distribution_never_an_origin_verdict() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let fault = |operation, error: &str| {
            ProbeOutcome::LocalFault(LocalFault {
                operation,
                address: (operation == LocalOperation::Connect).then(address),
                error: error.to_owned(),
                detail: "Too many open files (os error 24)".to_owned(),
            })
        };
        let findings = judge_all(&snapshot, |_| fault(LocalOperation::Connect, "EMFILE"));
        assert_codes(&findings, &["audit-incomplete"]);
        let finding = &findings[0];
        assert_eq!(finding.distribution_id.as_deref(), Some("E1"));
        assert_eq!(finding.viewer_impact.as_str(), "none");
        assert_eq!(finding.evidence["failure"], "local-fault");
        assert_eq!(finding.evidence["error"], "EMFILE");
        assert_eq!(finding.evidence["address"], "127.0.0.1:443");
        assert!(
            finding
                .message
                .contains("could not open a connection (EMFILE"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains("not the origin's"));
        assert!(finding.remediation[0].contains("--probe-concurrency"));

        let findings = judge_all(&snapshot, |_| {
            fault(LocalOperation::Resolve, "no-resolver-config")
        });
        assert_codes(&findings, &["audit-incomplete"]);
        assert!(findings[0]
            .message
            .contains("could not resolve origin.example.com"));
        assert_eq!(findings[0].evidence["address"], Value::Null);
    }

    #[test]
    fn an_unsolicited_extension_names_it_and_what_was_offered() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let findings = judge_all(&snapshot, |_| ProbeOutcome::UnsolicitedExtension {
            address: address(),
            version: ProtocolVersion::Tls12,
            cipher_suite: 0xC02F,
            extension: 16,
            extension_name: "application_layer_protocol_negotiation".into(),
            offered: vec![0, 0xFF01, 23],
        });
        assert_codes(&findings, &["origin-handshake-failed"]);
        let finding = &findings[0];
        assert_eq!(finding.viewer_impact.as_str(), "502");
        assert_eq!(finding.evidence["extension"], 16);
        assert_eq!(
            finding.evidence["offered_extensions"],
            json!([
                "server_name",
                "renegotiation_info",
                "extended_master_secret"
            ])
        );
        assert!(finding
            .message
            .contains("application_layer_protocol_negotiation (16)"));
    }

    #[test]
    fn a_malformed_flight_says_what_was_malformed_and_where() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let findings = judge_all(&snapshot, |_| ProbeOutcome::Malformed {
            address: address(),
            stage: HandshakeStage::ServerFlight,
            detail: "malformed record type".into(),
        });
        assert_codes(&findings, &["origin-handshake-failed"]);
        assert!(findings[0]
            .message
            .contains("(reading the certificate): malformed record type"));
    }

    #[test]
    fn certificate_codes_are_exactly_the_findings_that_name_the_leaf() {
        let snapshot = forwarding_snapshot();
        let certificate = self_signed(&["somewhere.else.example"]);
        let outcomes = [
            negotiated(ProtocolVersion::Tls12, vec![certificate.clone()]),
            negotiated(ProtocolVersion::Tls10, vec![certificate]),
            ProbeOutcome::ConnectRefused { address: address() },
        ];
        let mut codes = BTreeSet::new();
        for outcome in outcomes {
            for finding in judge_all(&snapshot, |_| outcome.clone()) {
                assert_eq!(
                    finding.evidence.contains_key("certificate_sha256"),
                    CERTIFICATE_CODES.contains(&finding.code),
                    "{finding:?}"
                );
                codes.insert(finding.code);
            }
        }
        assert!(codes.contains(&Code::OriginCertSelfSigned));
        assert!(codes.contains(&Code::OriginCertNameMismatch));
        assert!(codes.contains(&Code::OriginTlsProtocolMismatch));
    }

    /// A leaf for origin.example.com under a private two-level CA: (leaf, intermediate) DER.
    fn private_chain() -> (SentCertificate, SentCertificate) {
        let ca = |name: &str| {
            let mut params =
                rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
            params.distinguished_name = rcgen::DistinguishedName::new();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, name);
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            (params, rcgen::KeyPair::generate().expect("key"))
        };
        let (root, root_key) = ca("Private Root");
        let (intermediate, intermediate_key) = ca("Private Issuing CA");
        let intermediate_der = intermediate
            .signed_by(
                &intermediate_key,
                &rcgen::Issuer::from_params(&root, &root_key),
            )
            .expect("intermediate");
        let leaf_key = rcgen::KeyPair::generate().expect("key");
        let leaf = rcgen::CertificateParams::new(vec!["origin.example.com".to_owned()])
            .expect("leaf params")
            .signed_by(
                &leaf_key,
                &rcgen::Issuer::from_params(&intermediate, &intermediate_key),
            )
            .expect("leaf");
        (
            SentCertificate {
                der: leaf.der().to_vec(),
            },
            SentCertificate {
                der: intermediate_der.der().to_vec(),
            },
        )
    }

    #[test]
    fn a_private_ca_is_an_untrusted_root_and_a_lone_leaf_names_both_causes() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let (leaf, intermediate) = private_chain();
        let with_intermediate = judge_all(&snapshot, |_| {
            negotiated(
                ProtocolVersion::Tls12,
                vec![leaf.clone(), intermediate.clone()],
            )
        });
        assert_codes(&with_intermediate, &["origin-cert-untrusted-root"]);
        assert_eq!(
            with_intermediate[0].evidence["root_subject"],
            "CN=Private Root"
        );
        assert!(with_intermediate[0].message.contains("private CA"));
        let alone = judge_all(&snapshot, |_| {
            negotiated(ProtocolVersion::Tls12, vec![leaf.clone()])
        });
        assert_codes(&alone, &["origin-cert-chain-incomplete"]);
        assert_eq!(alone[0].evidence["missing_issuer"], "CN=Private Issuing CA");
        assert!(
            alone[0].message.contains("private CA"),
            "{}",
            alone[0].message
        );
        assert_eq!(alone[0].remediation.len(), 2, "both fixes");
    }

    #[test]
    fn a_chain_past_seven_certificates_is_oversized_with_its_counts() {
        let snapshot = healthy_snapshot(vec![healthy_distribution("E1")]);
        let (leaf, intermediate) = private_chain();
        let mut chain = vec![leaf];
        chain.extend(std::iter::repeat_n(intermediate, 9));
        let findings = judge_all(&snapshot, |_| {
            negotiated(ProtocolVersion::Tls12, chain.clone())
        });
        assert_codes(&findings, &["origin-cert-chain-oversized"]);
        assert_eq!(findings[0].evidence["certificates_sent"], 10);
        assert_eq!(findings[0].evidence["certificates_analysed"], 7);
        assert_eq!(findings[0].evidence["certificate_limit"], 7);
        assert_eq!(findings[0].viewer_impact.as_str(), "502");
    }

    #[test]
    fn a_name_mismatch_is_reported_per_sni_and_the_chain_once() {
        let snapshot = forwarding_snapshot();
        let certificate = self_signed(&["somewhere.else.example"]);
        let findings = judge_all(&snapshot, |_| {
            negotiated(ProtocolVersion::Tls12, vec![certificate.clone()])
        });
        // Origin domain plus the alias: two names, one chain.
        let count = |code| findings.iter().filter(|f| f.code == code).count();
        assert_eq!(count(Code::OriginCertSelfSigned), 1);
        assert_eq!(count(Code::OriginCertNameMismatch), 2);
    }
}
