//! Codes: none. This module judges a chain; rules/origin_tls.rs turns the verdict into findings.
//!
//! The verdict on a certificate chain as an origin sent it: pure, bytes in and analysis out, time and
//! trust anchors passed in. The probes only record the chain; this judges it, once per observation.
//!
//! The flags say what a rule needs to explain a 502 (self-signed, wrong order, missing intermediate,
//! untrusted root, expired, wrong name, oversized); `path_error` is rustls-webpki's own verdict on
//! the path. webpki ignores the subject CN, which CloudFront accepts when there are no SANs, so the
//! name check is ours ([`crate::names::covers`]).
//!
//! The work is bounded whatever the origin sends ([`limits`]): at most 7 certificates and 65,535
//! bytes of Certificate message are read, each (child, parent) signature is checked at most once and
//! at most 16 are checked in all ([`graph`]). A chain past a cap is [`ChainAnalysis::oversized`].

mod der;
mod graph;
pub mod limits;
pub mod public_ca;

use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde::Serialize;
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::model::CertificateDetails;
use crate::names::any_covers;
use crate::tls::{Observation, ProbeOutcome, SentCertificate};
use crate::x509::{names_covering, parse_der};

use graph::{Graph, WalkEnd};
pub use limits::{OversizeReason, Oversized};

/// One sent certificate, parsed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ChainEntry {
    /// Parsed.
    Parsed(CertificateDetails),
    /// Not valid X.509 DER.
    Unparsable {
        /// Parser detail.
        detail: String,
    },
}

/// What is wrong (or right) with a sent chain. Positions index the chain as sent (0 = leaf).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainAnalysis {
    /// Every analysed certificate, in the order sent (all of them unless [`Self::oversized`]).
    pub certificates: Vec<ChainEntry>,
    /// The leaf names itself as issuer and its signature verifies with its own key.
    pub self_signed: bool,
    /// Some certificate's issuer was sent, but not right after it (the order CloudFront needs).
    pub misordered: bool,
    /// Walking up from the leaf, an issuer is neither sent nor a trust anchor, and it is a public CA
    /// or the leaf came alone (a missing intermediate; [`Self::missing_issuer`] says which).
    pub incomplete: bool,
    /// The path ends at a CA that is not a trust anchor: a sent self-signed root, or (with
    /// [`Self::missing_issuer`]) an issuer above the sent intermediates that no public CA has.
    pub untrusted_root: bool,
    /// The issuer the walk from the leaf could not find among the sent certificates, if it stopped so.
    pub missing_issuer: Option<MissingIssuer>,
    /// The chain went past a cap; only the first [`Oversized::certificates_analysed`] certificates
    /// were analysed, and the order, completeness and root were not judged.
    pub oversized: Option<Oversized>,
    /// Positions of certificates past their notAfter at `now`.
    pub expired: Vec<usize>,
    /// Positions of certificates before their notBefore at `now`.
    pub not_yet_valid: Vec<usize>,
    /// The SNI name is covered by a leaf SAN, or by the CN when there are no SANs.
    pub name_matches: bool,
    /// rustls-webpki's path-validation error (anchors: webpki-roots plus the extra ones), if any.
    pub path_error: Option<PathError>,
    /// Signature verifications this analysis made, each (child, parent) pair once; never more than
    /// [`limits::SIGNATURE_BUDGET`] (rustls-webpki's path check keeps its own budget).
    pub signature_checks: usize,
}

/// The issuer a sent certificate names but the origin did not send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingIssuer {
    /// The subject of the certificate whose issuer is missing.
    pub certificate_subject: String,
    /// That certificate's issuer name, as the missing certificate's subject would read.
    pub issuer: String,
    /// The issuer's name is a Mozilla root's or a CA's disclosed to the CCADB ([`public_ca`]).
    pub known_public_ca: bool,
    /// Sent certificates the walk went through above the leaf (0: the leaf came alone).
    pub intermediates_sent: usize,
}

/// Why rustls-webpki finds no valid path from the sent leaf to a trusted root, keeping webpki's kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The origin sent no certificate at all.
    #[error("no certificate was sent")]
    NoCertificate,
    /// webpki's verdict: the leaf is unparsable, expired, issued by an unknown CA, and so on.
    #[error("{0:?}")]
    Webpki(webpki::Error),
}

/// Path errors are sentences in evidence and JSON.
impl Serialize for PathError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The chain analysis of a [`crate::tls::Negotiated`] observation: its chain, for its SNI, at `now`,
/// with the extra trust anchors (DER). `None` when the probe did not get as far as the certificates.
pub fn analyse_observation(
    observation: &Observation,
    now: OffsetDateTime,
    extra_trust_anchors: &[Vec<u8>],
) -> Option<ChainAnalysis> {
    match &observation.outcome {
        ProbeOutcome::Negotiated(n) => Some(analyse_chain(
            &n.chain,
            &observation.target.sni,
            now,
            extra_trust_anchors,
        )),
        _ => None,
    }
}

/// Judges `chain` (as sent, leaf first) for `sni` at `now`, trusting Mozilla's roots (webpki-roots)
/// plus `extra_trust_anchors` (DER certificates). Bounded: see [`limits`].
pub fn analyse_chain(
    chain: &[SentCertificate],
    sni: &str,
    now: OffsetDateTime,
    extra_trust_anchors: &[Vec<u8>],
) -> ChainAnalysis {
    analyse_within(
        chain,
        sni,
        now,
        extra_trust_anchors,
        limits::SIGNATURE_BUDGET,
    )
}

/// [`analyse_chain`] with an explicit signature budget (the tests spend it on purpose).
fn analyse_within(
    chain: &[SentCertificate],
    sni: &str,
    now: OffsetDateTime,
    extra_trust_anchors: &[Vec<u8>],
    signature_budget: usize,
) -> ChainAnalysis {
    let (chain, oversized) = limits::analysed_prefix(chain);
    let certificates: Vec<ChainEntry> = chain
        .iter()
        .enumerate()
        .map(|(i, c)| match parse_der(i, &c.der) {
            Ok(details) => ChainEntry::Parsed(details),
            Err(e) => ChainEntry::Unparsable {
                detail: e.to_string(),
            },
        })
        .collect();
    let parsed: Vec<Option<X509Certificate<'_>>> = chain
        .iter()
        .map(|c| X509Certificate::from_der(&c.der).ok().map(|(_, x)| x))
        .collect();
    let extra: Vec<TrustAnchor<'static>> = extra_trust_anchors
        .iter()
        .filter_map(|der| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                .ok()
                .map(|a| a.to_owned())
        })
        .collect();
    let anchors: Vec<TrustAnchor<'static>> = webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .cloned()
        .chain(extra)
        .collect();

    let mut analysis = ChainAnalysis {
        expired: positions(&certificates, |d| d.not_after < now),
        not_yet_valid: positions(&certificates, |d| d.not_before > now),
        certificates,
        self_signed: false,
        misordered: false,
        incomplete: false,
        untrusted_root: false,
        missing_issuer: None,
        oversized,
        name_matches: false,
        path_error: path_error(chain, now, &anchors),
        signature_checks: 0,
    };
    if let Some(ChainEntry::Parsed(leaf)) = analysis.certificates.first() {
        analysis.name_matches = name_matches(leaf, sni);
    }
    if parsed.first().and_then(Option::as_ref).is_none() {
        return analysis;
    }
    let mut graph = Graph::new(&parsed, &anchors, signature_budget);
    analysis.self_signed = graph.self_signed(0);
    // Past a cap, what the origin sent beyond it is unknown: order, gaps and root are not judged.
    if analysis.oversized.is_none() {
        analysis.misordered = graph.misordered();
        let end = graph.walk_to_anchor();
        judge_walk(&mut analysis, &parsed, end);
    }
    analysis.signature_checks = graph.checks_made();
    if graph.budget_exhausted() {
        analysis.misordered = false;
        analysis.incomplete = false;
        analysis.untrusted_root = false;
        analysis.missing_issuer = None;
        let sent = analysis.oversized;
        analysis.oversized = Some(Oversized {
            reason: OversizeReason::VerificationBudget,
            certificates_sent: sent.map_or(chain.len(), |o| o.certificates_sent),
            certificate_bytes: sent.map_or_else(
                || limits::certificate_message_bytes(chain),
                |o| o.certificate_bytes,
            ),
            certificates_analysed: chain.len(),
        });
    }
    analysis
}

/// Turns where the walk from the leaf stopped into the incomplete / untrusted-root verdicts. A
/// missing issuer that is a public CA is a missing intermediate; one that is not, above sent
/// intermediates, is a private root; under a leaf sent alone it could be either, and the finding
/// says both.
fn judge_walk(analysis: &mut ChainAnalysis, parsed: &[Option<X509Certificate<'_>>], end: WalkEnd) {
    match end {
        WalkEnd::Anchor => {}
        WalkEnd::SelfSignedRoot(_) => analysis.untrusted_root = true,
        WalkEnd::Broken => analysis.incomplete = true,
        WalkEnd::IssuerNotSent { position, steps } => {
            // The names as parse_der gave them (capped where untrusted text enters).
            let (Some(Some(cert)), Some(ChainEntry::Parsed(details))) =
                (parsed.get(position), analysis.certificates.get(position))
            else {
                analysis.incomplete = true;
                return;
            };
            let known_public_ca = public_ca::is_public_ca_name(cert.issuer().as_raw());
            analysis.missing_issuer = Some(MissingIssuer {
                certificate_subject: details.subject.clone(),
                issuer: details.issuer.clone(),
                known_public_ca,
                intermediates_sent: steps,
            });
            if known_public_ca || steps == 0 {
                analysis.incomplete = true;
            } else {
                analysis.untrusted_root = true;
            }
        }
    }
}

fn positions(entries: &[ChainEntry], pred: impl Fn(&CertificateDetails) -> bool) -> Vec<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, ChainEntry::Parsed(d) if pred(d)))
        .map(|(i, _)| i)
        .collect()
}

/// SANs when there are any, else the CN (CloudFront's rule, reference §3.3).
fn name_matches(leaf: &CertificateDetails, sni: &str) -> bool {
    any_covers(names_covering(leaf), sni)
}

fn path_error(
    chain: &[SentCertificate],
    now: OffsetDateTime,
    anchors: &[TrustAnchor<'_>],
) -> Option<PathError> {
    let ders: Vec<CertificateDer<'_>> = chain
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let Some((leaf, intermediates)) = ders.split_first() else {
        return Some(PathError::NoCertificate);
    };
    let leaf = match EndEntityCert::try_from(leaf) {
        Ok(leaf) => leaf,
        Err(e) => return Some(PathError::Webpki(e)),
    };
    let seconds = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds));
    let algorithms = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    leaf.verify_for_usage(
        algorithms,
        anchors,
        intermediates,
        time,
        KeyUsage::server_auth(),
        None,
        None,
    )
    .err()
    .map(PathError::Webpki)
}

#[cfg(test)]
mod tests;
