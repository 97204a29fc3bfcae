//! Codes: none. This file judges a chain; rules/origin_tls.rs turns the verdict into findings.
//!
//! The verdict on a certificate chain as an origin sent it: pure, bytes in and analysis out, time and
//! trust anchors passed in. The probes only record the chain; this judges it, once per observation.
//!
//! The flags say what a rule needs to explain a 502 (self-signed, wrong order, missing intermediate,
//! untrusted root, expired, wrong name); `path_error` is rustls-webpki's own verdict on the path.
//! webpki ignores the subject CN, which CloudFront accepts when there are no SANs, so the name check
//! is ours ([`crate::names::covers`]).

use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde::Serialize;
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::model::CertificateDetails;
use crate::names::any_covers;
use crate::tls::{Observation, ProbeOutcome, SentCertificate};
use crate::x509::{names_covering, parse_der};

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
    /// Every sent certificate, in the order sent.
    pub certificates: Vec<ChainEntry>,
    /// The leaf names itself as issuer and its signature verifies with its own key.
    pub self_signed: bool,
    /// Some certificate's issuer was sent, but not right after it (the order CloudFront needs).
    pub misordered: bool,
    /// Walking up from the leaf, an issuer is neither sent nor a trust anchor (missing intermediate).
    pub incomplete: bool,
    /// The path ends at a self-signed certificate that is not a trust anchor (includes a self-signed
    /// leaf that is not itself an anchor).
    pub untrusted_root: bool,
    /// Positions of certificates past their notAfter at `now`.
    pub expired: Vec<usize>,
    /// Positions of certificates before their notBefore at `now`.
    pub not_yet_valid: Vec<usize>,
    /// The SNI name is covered by a leaf SAN, or by the CN when there are no SANs.
    pub name_matches: bool,
    /// rustls-webpki's path-validation error (anchors: webpki-roots plus the extra ones), if any.
    pub path_error: Option<PathError>,
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
/// plus `extra_trust_anchors` (DER certificates).
pub fn analyse_chain(
    chain: &[SentCertificate],
    sni: &str,
    now: OffsetDateTime,
    extra_trust_anchors: &[Vec<u8>],
) -> ChainAnalysis {
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
        misordered: misordered(&parsed),
        incomplete: false,
        untrusted_root: false,
        name_matches: false,
        path_error: path_error(chain, now, &anchors),
    };
    if let Some(ChainEntry::Parsed(leaf)) = analysis.certificates.first() {
        analysis.name_matches = name_matches(leaf, sni);
    }
    if let Some(Some(leaf)) = parsed.first() {
        analysis.self_signed = signed_by(leaf, leaf);
        let (incomplete, untrusted_root) = walk_to_anchor(&parsed, &anchors);
        analysis.incomplete = incomplete;
        analysis.untrusted_root = untrusted_root;
    }
    analysis
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

/// `child` names `parent` as issuer and `parent`'s key verifies `child`'s signature.
fn signed_by(child: &X509Certificate<'_>, parent: &X509Certificate<'_>) -> bool {
    child.issuer().as_raw() == parent.subject().as_raw()
        && child.verify_signature(Some(parent.public_key())).is_ok()
}

/// True when some certificate's issuer was sent somewhere other than right after it.
fn misordered(parsed: &[Option<X509Certificate<'_>>]) -> bool {
    parsed.iter().enumerate().any(|(i, cert)| {
        let Some(cert) = cert else { return false };
        if signed_by(cert, cert) {
            return false;
        }
        let issuer_at = |j: usize| {
            parsed
                .get(j)
                .and_then(Option::as_ref)
                .is_some_and(|p| signed_by(cert, p))
        };
        let sent_elsewhere = (0..parsed.len()).any(|j| j != i && j != i + 1 && issuer_at(j));
        sent_elsewhere && !issuer_at(i + 1)
    })
}

/// Walks from the leaf through sent issuers to an anchor: (incomplete, untrusted_root).
fn walk_to_anchor(
    parsed: &[Option<X509Certificate<'_>>],
    anchors: &[TrustAnchor<'_>],
) -> (bool, bool) {
    let mut visited = vec![0usize];
    let mut current = 0usize;
    // Each step visits a new certificate, so the walk ends within `parsed.len()` steps.
    for _ in 0..=parsed.len() {
        let Some(Some(cert)) = parsed.get(current) else {
            return (true, false);
        };
        if is_anchor(cert, anchors) || issued_by_anchor(cert, anchors) {
            return (false, false);
        }
        if signed_by(cert, cert) {
            return (false, true);
        }
        let next = (0..parsed.len()).find(|j| {
            !visited.contains(j)
                && parsed
                    .get(*j)
                    .and_then(Option::as_ref)
                    .is_some_and(|p| signed_by(cert, p))
        });
        match next {
            Some(j) => {
                visited.push(j);
                current = j;
            }
            None => return (true, false),
        }
    }
    (true, false)
}

fn is_anchor(cert: &X509Certificate<'_>, anchors: &[TrustAnchor<'_>]) -> bool {
    let subject = der_value(cert.subject().as_raw());
    let spki = der_value(cert.public_key().raw);
    anchors.iter().any(|a| {
        Some(a.subject.as_ref()) == subject && Some(a.subject_public_key_info.as_ref()) == spki
    })
}

fn issued_by_anchor(cert: &X509Certificate<'_>, anchors: &[TrustAnchor<'_>]) -> bool {
    let issuer = der_value(cert.issuer().as_raw());
    anchors
        .iter()
        .filter(|a| Some(a.subject.as_ref()) == issuer)
        .any(|a| {
            // Anchors keep the SPKI's contents only: re-wrap them to verify the signature.
            let wrapped = der_sequence(a.subject_public_key_info.as_ref());
            SubjectPublicKeyInfo::from_der(&wrapped)
                .is_ok_and(|(_, spki)| cert.verify_signature(Some(&spki)).is_ok())
        })
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

/// The contents of a DER TLV (tag and length stripped), `None` if it is malformed.
fn der_value(tlv: &[u8]) -> Option<&[u8]> {
    let (&first, rest) = tlv.get(1..)?.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 4 {
        return None;
    }
    let (len_bytes, rest) = rest.split_at_checked(count)?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(..len)
}

/// `value` wrapped in a DER SEQUENCE header.
fn der_sequence(value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = value.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(0));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_helpers_round_trip_and_refuse_garbage() {
        for len in [0usize, 5, 127, 128, 300, 70_000] {
            let value = vec![7u8; len];
            assert_eq!(der_value(&der_sequence(&value)), Some(value.as_slice()));
        }
        assert_eq!(der_value(&[]), None);
        assert_eq!(der_value(&[0x30]), None);
        assert_eq!(der_value(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_value(&[0x30, 0x05, 1]), None);
    }

    #[test]
    fn an_empty_or_garbage_chain_gives_flags_not_panics() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let empty = analyse_chain(&[], "a.example.com", now, &[]);
        assert!(!empty.name_matches && empty.certificates.is_empty());
        assert!(empty.path_error.is_some());
        let junk = analyse_chain(
            &[SentCertificate {
                der: b"junk".to_vec(),
            }],
            "a.example.com",
            now,
            &[b"junk".to_vec()],
        );
        assert!(matches!(
            junk.certificates[0],
            ChainEntry::Unparsable { .. }
        ));
        assert!(junk.path_error.is_some());
        assert!(!junk.name_matches);
    }
}
