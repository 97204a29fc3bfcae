//! Protocol versions in CloudFront's spelling, and which of them CloudFront offers an origin.

use serde::Serialize;

/// A protocol version CloudFront can offer an origin (`OriginSslProtocols`), or one an origin spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ProtocolVersion {
    /// SSL 3.0 (0x0300).
    #[serde(rename = "SSLv3")]
    Ssl3,
    /// TLS 1.0 (0x0301), CloudFront's `TLSv1`.
    #[serde(rename = "TLSv1")]
    Tls10,
    /// TLS 1.1 (0x0302).
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2 (0x0303).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3 (0x0304): never offered by CloudFront to origins, only learned in discovery.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl ProtocolVersion {
    /// Reads CloudFront's `OriginSslProtocols` spelling (`SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`).
    pub fn from_origin_ssl_protocol(value: &str) -> Option<ProtocolVersion> {
        match value.trim() {
            "SSLv3" => Some(ProtocolVersion::Ssl3),
            "TLSv1" => Some(ProtocolVersion::Tls10),
            "TLSv1.1" => Some(ProtocolVersion::Tls11),
            "TLSv1.2" => Some(ProtocolVersion::Tls12),
            _ => None,
        }
    }

    /// The wire value.
    pub fn wire(self) -> u16 {
        match self {
            ProtocolVersion::Ssl3 => 0x0300,
            ProtocolVersion::Tls10 => 0x0301,
            ProtocolVersion::Tls11 => 0x0302,
            ProtocolVersion::Tls12 => 0x0303,
            ProtocolVersion::Tls13 => 0x0304,
        }
    }

    /// From the wire value.
    pub fn from_wire(value: u16) -> Option<ProtocolVersion> {
        [
            ProtocolVersion::Ssl3,
            ProtocolVersion::Tls10,
            ProtocolVersion::Tls11,
            ProtocolVersion::Tls12,
            ProtocolVersion::Tls13,
        ]
        .into_iter()
        .find(|v| v.wire() == value)
    }

    /// CloudFront's spelling, also used in evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::Ssl3 => "SSLv3",
            ProtocolVersion::Tls10 => "TLSv1",
            ProtocolVersion::Tls11 => "TLSv1.1",
            ProtocolVersion::Tls12 => "TLSv1.2",
            ProtocolVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// The versions CloudFront actually offers for an `OriginSslProtocols` set: TLS 1.3 is never offered,
/// and an empty set means CloudFront's default, TLS 1.2 only.
pub fn cloudfront_versions(offered: &[ProtocolVersion]) -> Vec<ProtocolVersion> {
    let mut versions: Vec<ProtocolVersion> = offered
        .iter()
        .copied()
        .filter(|v| *v != ProtocolVersion::Tls13)
        .collect();
    versions.sort();
    versions.dedup();
    if versions.is_empty() {
        versions.push(ProtocolVersion::Tls12);
    }
    versions
}
