//! X.509 parsing into [`CertificateDetails`] (uploaded PEM chains, certificates sent by origins and
//! edges), and the names such a certificate covers.

use thiserror::Error;
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::model::{canonical_curve, CertificateDetails, KeyKind};
use crate::untrusted::{cap, cap_names, KEPT_NAMES, NAME_CHARS, TEXT_CHARS};

/// Why a certificate could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CertificateParseError {
    /// The PEM armour is broken.
    #[error("PEM block {index} is malformed: {detail}")]
    MalformedPem {
        /// Zero-based position in the bundle.
        index: usize,
        /// Parser detail.
        detail: String,
    },
    /// The DER inside is not an X.509 certificate.
    #[error("certificate {index} is not valid X.509 DER: {detail}")]
    MalformedDer {
        /// Zero-based position in the bundle.
        index: usize,
        /// Parser detail.
        detail: String,
    },
}

/// Parses every certificate in a PEM bundle, in order; a broken one is an error in its slot, not the end.
pub fn parse_pem_bundle(pem: &str) -> Vec<Result<CertificateDetails, CertificateParseError>> {
    Pem::iter_from_buffer(pem.as_bytes())
        .enumerate()
        .map(|(index, block)| {
            let block = block.map_err(|e| CertificateParseError::MalformedPem {
                index,
                detail: e.to_string(),
            })?;
            parse_der(index, &block.contents)
        })
        .collect()
}

/// The DER of every certificate in a PEM bundle (trust anchors given on the command line).
pub fn pem_to_der(pem: &str) -> Result<Vec<Vec<u8>>, CertificateParseError> {
    Pem::iter_from_buffer(pem.as_bytes())
        .enumerate()
        .map(|(index, block)| {
            block
                .map(|b| b.contents)
                .map_err(|e| CertificateParseError::MalformedPem {
                    index,
                    detail: e.to_string(),
                })
        })
        .collect()
}

/// Parses one DER certificate; `index` is its position, for error messages.
///
/// The text it keeps is untrusted (an origin chose it) and is capped here, where it enters
/// ([`crate::untrusted`]): subject and issuer to [`TEXT_CHARS`], each name to [`NAME_CHARS`], the SAN
/// list to [`KEPT_NAMES`] names and a last `… and N more`, forbidden characters written as escapes.
/// Chain analysis compares the raw DER names, never these strings, so a cut changes no verdict.
pub fn parse_der(index: usize, der: &[u8]) -> Result<CertificateDetails, CertificateParseError> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| CertificateParseError::MalformedDer {
            index,
            detail: e.to_string(),
        })?;
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(|cn| cap(cn, NAME_CHARS));
    let dns_names = match cert.subject_alternative_name() {
        Ok(Some(san)) => cap_names(
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some(*dns),
                    _ => None,
                }),
            KEPT_NAMES,
        ),
        _ => Vec::new(),
    };
    Ok(CertificateDetails {
        subject: cap(&cert.subject().to_string(), TEXT_CHARS),
        issuer: cap(&cert.issuer().to_string(), TEXT_CHARS),
        serial: cap(&cert.raw_serial_as_string(), NAME_CHARS),
        common_name,
        dns_names,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        key: key_kind(cert.public_key()),
        sha256_fingerprint: sha256_hex(der),
    })
}

/// The names a certificate covers hosts with, as CloudFront reads it: the DNS SANs, or the subject CN
/// only when there are no SANs (reference §3.3).
pub fn names_covering(certificate: &CertificateDetails) -> Vec<&str> {
    if certificate.dns_names.is_empty() {
        certificate.common_name.iter().map(String::as_str).collect()
    } else {
        certificate.dns_names.iter().map(String::as_str).collect()
    }
}

fn key_kind(spki: &SubjectPublicKeyInfo) -> KeyKind {
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyKind::Rsa {
            bits: u32::try_from(rsa.key_size()).unwrap_or(u32::MAX),
        },
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| curve_name(&oid))
                .unwrap_or_else(|| "unknown curve".to_owned());
            KeyKind::Ec { curve }
        }
        _ => KeyKind::Other {
            algorithm: cap(&spki.algorithm.algorithm.to_id_string(), NAME_CHARS),
        },
    }
}

fn curve_name(oid: &x509_parser::der_parser::oid::Oid) -> String {
    match oid.to_id_string().as_str() {
        "1.2.840.10045.3.1.7" => canonical_curve("prime256v1"),
        "1.3.132.0.34" => canonical_curve("secp384r1"),
        "1.3.132.0.35" => canonical_curve("secp521r1"),
        other => cap(other, NAME_CHARS),
    }
}

/// The SHA-256 of `der` in lower-case hex.
pub(crate) fn sha256_hex(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(common_name: Option<&str>, dns_names: &[&str]) -> CertificateDetails {
        CertificateDetails {
            subject: String::new(),
            issuer: String::new(),
            serial: String::new(),
            common_name: common_name.map(str::to_owned),
            dns_names: dns_names.iter().map(|n| n.to_string()).collect(),
            not_before: ::time::OffsetDateTime::UNIX_EPOCH,
            not_after: ::time::OffsetDateTime::UNIX_EPOCH,
            key: KeyKind::Other {
                algorithm: String::new(),
            },
            sha256_fingerprint: String::new(),
        }
    }

    #[test]
    fn the_sans_cover_hosts_and_the_cn_only_when_there_are_none() {
        let both = details(Some("cn.example.com"), &["a.example.com", "b.example.com"]);
        assert_eq!(names_covering(&both), ["a.example.com", "b.example.com"]);
        let cn_only = details(Some("cn.example.com"), &[]);
        assert_eq!(names_covering(&cn_only), ["cn.example.com"]);
        assert!(names_covering(&details(None, &[])).is_empty());
    }
}
