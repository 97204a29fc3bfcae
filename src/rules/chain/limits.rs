//! Codes: none.
//!
//! The caps on what the chain analysis reads; rules/origin_tls.rs reports a chain past them as
//! `origin-cert-chain-oversized`.
//!
//! No cap is larger than what a real TLS client accepts, so a chain the analysis refuses is one a
//! client could refuse too:
//!
//! - **Certificates: 7.** s2n-tls, AWS's TLS library, rejects a Certificate message holding more
//!   certificates than its validator's `max_chain_depth`, 7 by default
//!   (`tls/s2n_x509_validator.c`, `DEFAULT_MAX_CHAIN_DEPTH`, error
//!   `S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED`). rustls-webpki builds paths of at most 6 intermediates
//!   above the leaf (`MAX_SUB_CA_COUNT`); OpenSSL's default verify depth is 100.
//! - **Bytes: 65,535.** rustls refuses any handshake message over 64 KiB - 1
//!   (`MAX_HANDSHAKE_SIZE = 0xffff`, `msgs/deframer/handshake.rs`) and s2n-tls has the same 64 KiB
//!   handshake limit; OpenSSL's `max_cert_list` default is 100 KiB.
//! - **Signature checks: 16.** An honest chain of n certificates needs about n + 2 (each certificate
//!   against the next, a sent root against itself, the top against its anchor); 16 covers the 7
//!   certificates with room to spare. rustls-webpki allows 100 per path but spends them only on paths
//!   that reach an anchor; ours are spent on every name match, so the cap is lower: 42 checks of
//!   P-384 signatures took 72 ms of CPU in `make bench`, 16 stay under the 50 ms target.
//!
//! Whether CloudFront itself refuses a chain past these is **unconfirmed** (cloudfront-tls-rules.md
//! does not say which TLS stack it uses towards origins): the conservative reading is that it may,
//! and the finding says so.

use serde::Serialize;

use crate::tls::SentCertificate;

/// At most this many sent certificates are analysed (s2n-tls's default `max_chain_depth`).
pub const MAX_CERTIFICATES: usize = 7;

/// At most this many bytes of Certificate message are analysed (rustls' `MAX_HANDSHAKE_SIZE`).
pub const MAX_CERTIFICATE_MESSAGE_BYTES: usize = 0xFFFF;

/// At most this many signature verifications per chain (about twice what an honest chain of 7 needs).
pub const SIGNATURE_BUDGET: usize = 16;

/// Why a chain was analysed only in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OversizeReason {
    /// More certificates than [`MAX_CERTIFICATES`].
    TooManyCertificates,
    /// A Certificate message longer than [`MAX_CERTIFICATE_MESSAGE_BYTES`].
    TooManyBytes,
    /// Judging the chain needed more than [`SIGNATURE_BUDGET`] signature checks.
    VerificationBudget,
}

/// A chain past one of the caps: what was sent and how much of it was analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Oversized {
    /// The first cap it went past.
    pub reason: OversizeReason,
    /// Certificates sent.
    pub certificates_sent: usize,
    /// Bytes of the Certificate message as sent (each certificate with its 3-byte length, plus the
    /// list's own 3-byte length).
    pub certificate_bytes: usize,
    /// Certificates analysed (the leaf first, in the order sent).
    pub certificates_analysed: usize,
}

/// Bytes a Certificate message carrying `chain` takes (TLS 1.2, RFC 5246 §7.4.2).
pub fn certificate_message_bytes(chain: &[SentCertificate]) -> usize {
    chain.iter().fold(3usize, |total, c| {
        total.saturating_add(3).saturating_add(c.der.len())
    })
}

/// The prefix of `chain` within the caps, and the reason it is shorter than the chain, if it is.
pub fn analysed_prefix(chain: &[SentCertificate]) -> (&[SentCertificate], Option<Oversized>) {
    let mut bytes = 3usize;
    let mut fits = 0usize;
    let mut reason = None;
    for certificate in chain {
        if fits == MAX_CERTIFICATES {
            reason = Some(OversizeReason::TooManyCertificates);
            break;
        }
        bytes = bytes
            .saturating_add(3)
            .saturating_add(certificate.der.len());
        if bytes > MAX_CERTIFICATE_MESSAGE_BYTES {
            reason = Some(OversizeReason::TooManyBytes);
            break;
        }
        fits += 1;
    }
    // A message too long overall is reported as such even when the count cap came first.
    let total = certificate_message_bytes(chain);
    if reason.is_some() && total > MAX_CERTIFICATE_MESSAGE_BYTES {
        reason = Some(OversizeReason::TooManyBytes);
    }
    let oversized = reason.map(|reason| Oversized {
        reason,
        certificates_sent: chain.len(),
        certificate_bytes: total,
        certificates_analysed: fits,
    });
    (chain.get(..fits).unwrap_or_default(), oversized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(sizes: &[usize]) -> Vec<SentCertificate> {
        sizes
            .iter()
            .map(|&n| SentCertificate { der: vec![0; n] })
            .collect()
    }

    #[test]
    fn a_chain_within_the_caps_is_analysed_whole() {
        let chain = sent(&[1_000; MAX_CERTIFICATES]);
        let (prefix, oversized) = analysed_prefix(&chain);
        assert_eq!(prefix.len(), MAX_CERTIFICATES);
        assert_eq!(oversized, None);
        assert_eq!(certificate_message_bytes(&chain), 3 + 7 * 1_003);
    }

    #[test]
    fn one_certificate_too_many_is_oversized_and_the_first_seven_are_analysed() {
        let chain = sent(&[500; MAX_CERTIFICATES + 1]);
        let (prefix, oversized) = analysed_prefix(&chain);
        assert_eq!(prefix.len(), MAX_CERTIFICATES);
        let oversized = oversized.expect("oversized");
        assert_eq!(oversized.reason, OversizeReason::TooManyCertificates);
        assert_eq!(oversized.certificates_sent, 8);
        assert_eq!(oversized.certificates_analysed, 7);
    }

    #[test]
    fn a_message_past_64_kib_is_cut_before_the_certificate_that_crosses_it() {
        // 65,535 exactly fits: 3 + (3 + 65,529).
        let exact = sent(&[65_529]);
        let (prefix, oversized) = analysed_prefix(&exact);
        assert_eq!((prefix.len(), oversized), (1, None));
        let over = sent(&[30_000, 30_000, 10_000]);
        let (prefix, oversized) = analysed_prefix(&over);
        assert_eq!(prefix.len(), 2);
        let oversized = oversized.expect("oversized");
        assert_eq!(oversized.reason, OversizeReason::TooManyBytes);
        assert_eq!(oversized.certificate_bytes, 3 + 70_009);
        // 660 small certificates: past both caps, reported by bytes (the message is 200 KB).
        let flight = sent(&[300; 660]);
        let (prefix, oversized) = analysed_prefix(&flight);
        assert_eq!(prefix.len(), MAX_CERTIFICATES);
        assert_eq!(
            oversized.map(|o| o.reason),
            Some(OversizeReason::TooManyBytes)
        );
        // A single huge leaf: nothing fits, nothing is analysed.
        let huge = sent(&[200_000]);
        let (prefix, oversized) = analysed_prefix(&huge);
        assert!(prefix.is_empty());
        assert_eq!(oversized.map(|o| o.certificates_analysed), Some(0));
    }
}
