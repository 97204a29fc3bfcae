//! ClientHello records: one shaped like CloudFront's hello to origins, and a broad "discovery" hello.
//!
//! Hand-written rather than `tls-parser`'s serializer: a ClientHello is a few length-prefixed vectors,
//! we need byte-exact control of the record version, client_version and extension order, and this
//! keeps nom/cookie-factory out of the Lambda binary. Encoding cannot fail: every vector here is far
//! below its length prefix's limit (the SNI name is capped to what fits).

use std::net::IpAddr;

use crate::tls::suites::{
    CipherSuite, CLOUDFRONT_GROUPS, CLOUDFRONT_ORIGIN_SUITES, CLOUDFRONT_SIGNATURE_SCHEMES,
    DISCOVERY_EXTRA_SUITES, DISCOVERY_GROUPS, DISCOVERY_SIGNATURE_SCHEMES,
    EMPTY_RENEGOTIATION_INFO_SCSV, X25519,
};
use crate::tls::{cloudfront_versions, ProtocolVersion};

const CONTENT_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;

const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_SUPPORTED_GROUPS: u16 = 0x000A;
const EXT_EC_POINT_FORMATS: u16 = 0x000B;
const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000D;
const EXT_EXTENDED_MASTER_SECRET: u16 = 0x0017;
const EXT_SUPPORTED_VERSIONS: u16 = 0x002B;
const EXT_KEY_SHARE: u16 = 0x0033;
const EXT_RENEGOTIATION_INFO: u16 = 0xFF01;

/// Longest SNI name encoded: DNS names are at most 253 octets; longer input is truncated, not an error.
const MAX_SNI: usize = 253;

/// A ClientHello record and the extension types it offers, in the order sent: a ServerHello may
/// carry only those (RFC 5246 §7.4.1.4), so the flight reader checks its answer against them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// The whole TLS record, ready to send.
    pub record: Vec<u8>,
    /// The extension types offered. With the SCSV (an SSLv3-only hello) this holds
    /// renegotiation_info, which the SCSV stands for (RFC 5746 §3.3).
    pub extensions: Vec<u16>,
}

/// Extensions being encoded, and the types written.
#[derive(Default)]
struct Extensions {
    bytes: Vec<u8>,
    types: Vec<u16>,
}

impl Extensions {
    fn push(&mut self, kind: u16, data: &[u8]) {
        self.types.push(kind);
        self.bytes.extend_from_slice(&kind.to_be_bytes());
        self.bytes.extend_from_slice(&u16_prefixed(data));
    }

    /// SNI is omitted for IP literals and empty names, as RFC 6066 §3 requires.
    fn push_sni(&mut self, sni: &str) {
        let name = sni.trim().trim_end_matches('.');
        if name.is_empty() || name.parse::<IpAddr>().is_ok() {
            return;
        }
        let name = &name.as_bytes()[..name.len().min(MAX_SNI)];
        let mut entry = vec![0]; // host_name
        entry.extend_from_slice(&u16_prefixed(name));
        self.push(EXT_SERVER_NAME, &u16_prefixed(&entry));
    }
}

/// The suites CloudFront offers when `highest` is its highest offered version, in its order.
pub fn cloudfront_suites(highest: ProtocolVersion) -> Vec<&'static CipherSuite> {
    CLOUDFRONT_ORIGIN_SUITES
        .iter()
        .filter(|s| highest >= ProtocolVersion::Tls12 || !s.tls12_only)
        .collect()
}

/// CloudFront's ClientHello to an origin, as one TLS record.
///
/// Record version TLS 1.0 (SSL 3.0 when only SSLv3 is offered), client_version the highest offered
/// version, CloudFront's suites for those versions, and no supported_versions extension (no TLS 1.3).
/// An SSLv3-only hello carries no extensions and signals secure renegotiation with the SCSV instead.
pub fn cloudfront_hello(sni: &str, offered: &[ProtocolVersion], random: [u8; 32]) -> ClientHello {
    let versions = cloudfront_versions(offered);
    let highest = versions.last().copied().unwrap_or(ProtocolVersion::Tls12);
    let ssl3_only = highest == ProtocolVersion::Ssl3;
    let mut suites: Vec<u16> = cloudfront_suites(highest).iter().map(|s| s.id).collect();
    let mut extensions = Extensions::default();
    if ssl3_only {
        suites.push(EMPTY_RENEGOTIATION_INFO_SCSV);
    } else {
        extensions.push_sni(sni);
        extensions.push(EXT_RENEGOTIATION_INFO, &[0]);
        extensions.push(EXT_SUPPORTED_GROUPS, &u16_vector(CLOUDFRONT_GROUPS));
        extensions.push(EXT_EC_POINT_FORMATS, &[1, 0]);
        if highest >= ProtocolVersion::Tls12 {
            // signature_algorithms exists only from TLS 1.2 (RFC 5246 §7.4.1.4.1).
            extensions.push(
                EXT_SIGNATURE_ALGORITHMS,
                &u16_vector(CLOUDFRONT_SIGNATURE_SCHEMES),
            );
        }
        extensions.push(EXT_EXTENDED_MASTER_SECRET, &[]);
    }
    let record_version = if ssl3_only {
        ProtocolVersion::Ssl3
    } else {
        ProtocolVersion::Tls10
    };
    let record = record(
        record_version,
        &client_hello_body(highest, random, &suites, &extensions.bytes, !ssl3_only),
    );
    let mut offered = extensions.types;
    if ssl3_only {
        // The SCSV offers secure renegotiation: the server answers with renegotiation_info.
        offered.push(EXT_RENEGOTIATION_INFO);
    }
    ClientHello {
        record,
        extensions: offered,
    }
}

/// A broad ClientHello (SSLv3..TLS 1.3 through supported_versions, a wide cipher list with CHACHA20 and
/// TLS 1.3 suites, an x25519 key share) used only to learn what an origin that refused CloudFront's
/// hello does speak. `x25519_share` is any 32 bytes: the handshake is never completed.
pub fn discovery_hello(sni: &str, random: [u8; 32], x25519_share: [u8; 32]) -> ClientHello {
    // CloudFront's suites first: a client-order origin that still picks one of them shows that the
    // cipher was not what it refused (the signature schemes or curves were).
    let suites: Vec<u16> = CLOUDFRONT_ORIGIN_SUITES
        .iter()
        .chain(DISCOVERY_EXTRA_SUITES)
        .map(|s| s.id)
        .collect();
    let mut extensions = Extensions::default();
    extensions.push_sni(sni);
    extensions.push(EXT_RENEGOTIATION_INFO, &[0]);
    extensions.push(EXT_SUPPORTED_GROUPS, &u16_vector(DISCOVERY_GROUPS));
    extensions.push(EXT_EC_POINT_FORMATS, &[1, 0]);
    extensions.push(
        EXT_SIGNATURE_ALGORITHMS,
        &u16_vector(DISCOVERY_SIGNATURE_SCHEMES),
    );
    extensions.push(EXT_EXTENDED_MASTER_SECRET, &[]);
    let versions = [
        ProtocolVersion::Tls13,
        ProtocolVersion::Tls12,
        ProtocolVersion::Tls11,
        ProtocolVersion::Tls10,
        ProtocolVersion::Ssl3,
    ];
    let mut supported = Vec::new();
    for v in versions {
        supported.extend_from_slice(&v.wire().to_be_bytes());
    }
    extensions.push(EXT_SUPPORTED_VERSIONS, &u8_prefixed(&supported));
    let mut share = Vec::new();
    share.extend_from_slice(&X25519.to_be_bytes());
    share.extend_from_slice(&u16_prefixed(&x25519_share));
    extensions.push(EXT_KEY_SHARE, &u16_prefixed(&share));
    let record = record(
        ProtocolVersion::Tls10,
        // legacy_version stays TLS 1.2 (RFC 8446 §4.1.2); TLS 1.3 is signalled in supported_versions.
        &client_hello_body(
            ProtocolVersion::Tls12,
            random,
            &suites,
            &extensions.bytes,
            true,
        ),
    );
    ClientHello {
        record,
        extensions: extensions.types,
    }
}

fn client_hello_body(
    client_version: ProtocolVersion,
    random: [u8; 32],
    suites: &[u16],
    extensions: &[u8],
    with_extensions: bool,
) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&client_version.wire().to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // empty session id: no resumption
    body.extend_from_slice(&u16_vector(suites));
    body.extend_from_slice(&[1, 0]); // compression methods: null only
    if with_extensions {
        body.extend_from_slice(&u16_prefixed(extensions));
    }
    let mut handshake = vec![HANDSHAKE_CLIENT_HELLO];
    handshake.extend_from_slice(&u24(body.len()));
    handshake.extend_from_slice(&body);
    handshake
}

fn record(version: ProtocolVersion, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![CONTENT_HANDSHAKE];
    out.extend_from_slice(&version.wire().to_be_bytes());
    out.extend_from_slice(&u16_prefixed(fragment));
    out
}

fn u16_vector(items: &[u16]) -> Vec<u8> {
    let bytes: Vec<u8> = items.iter().flat_map(|i| i.to_be_bytes()).collect();
    u16_prefixed(&bytes)
}

fn u8_prefixed(data: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(data.len()).unwrap_or(u8::MAX)];
    out.extend_from_slice(data);
    out
}

fn u16_prefixed(data: &[u8]) -> Vec<u8> {
    let mut out = u16::try_from(data.len())
        .unwrap_or(u16::MAX)
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(data);
    out
}

fn u24(len: usize) -> [u8; 3] {
    let len = u32::try_from(len).unwrap_or(0x00FF_FFFF).min(0x00FF_FFFF);
    let [_, a, b, c] = len.to_be_bytes();
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal independent decoder for the tests: (record version, client_version, suites, extensions).
    struct Decoded {
        record_version: u16,
        client_version: u16,
        suites: Vec<u16>,
        extensions: Vec<(u16, Vec<u8>)>,
    }

    fn be16(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    fn decode(rec: &[u8]) -> Decoded {
        assert_eq!(rec[0], 22);
        assert_eq!(usize::from(be16(rec, 3)), rec.len() - 5, "record length");
        let hs = &rec[5..];
        assert_eq!(hs[0], 1);
        let len = (usize::from(hs[1]) << 16) | (usize::from(hs[2]) << 8) | usize::from(hs[3]);
        assert_eq!(len, hs.len() - 4, "handshake length");
        let body = &hs[4..];
        let mut at = 2 + 32;
        let sid = usize::from(body[at]);
        at += 1 + sid;
        let suites_len = usize::from(be16(body, at));
        let suites = body[at + 2..at + 2 + suites_len]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        at += 2 + suites_len;
        assert_eq!(&body[at..at + 2], &[1, 0], "null compression");
        at += 2;
        let mut extensions = Vec::new();
        if at < body.len() {
            let ext_len = usize::from(be16(body, at));
            at += 2;
            assert_eq!(at + ext_len, body.len(), "extensions length");
            while at < body.len() {
                let kind = be16(body, at);
                let len = usize::from(be16(body, at + 2));
                extensions.push((kind, body[at + 4..at + 4 + len].to_vec()));
                at += 4 + len;
            }
        }
        Decoded {
            record_version: be16(rec, 1),
            client_version: be16(body, 0),
            suites,
            extensions,
        }
    }

    fn ext(d: &Decoded, kind: u16) -> Option<&[u8]> {
        d.extensions
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_slice())
    }

    #[test]
    fn tls12_hello_is_shaped_like_cloudfronts() {
        let hello = cloudfront_hello(
            "origin.example.com",
            &[ProtocolVersion::Tls11, ProtocolVersion::Tls12],
            [7; 32],
        );
        let d = decode(&hello.record);
        let sent: Vec<u16> = d.extensions.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(hello.extensions, sent, "the offered list is what was sent");
        assert_eq!(d.record_version, 0x0301);
        assert_eq!(d.client_version, 0x0303);
        let expected: Vec<u16> = CLOUDFRONT_ORIGIN_SUITES.iter().map(|s| s.id).collect();
        assert_eq!(d.suites, expected);
        let sni = ext(&d, EXT_SERVER_NAME).expect("sni");
        assert_eq!(&sni[5..], b"origin.example.com");
        assert_eq!(
            ext(&d, EXT_SUPPORTED_GROUPS),
            Some(&[0, 6, 0, 0x1D, 0, 0x17, 0, 0x18][..])
        );
        assert!(ext(&d, EXT_SIGNATURE_ALGORITHMS).is_some());
        assert!(ext(&d, EXT_SUPPORTED_VERSIONS).is_none());
        assert!(ext(&d, EXT_KEY_SHARE).is_none());
        assert_eq!(ext(&d, EXT_RENEGOTIATION_INFO), Some(&[0][..]));
    }

    #[test]
    fn tls10_hello_drops_tls12_only_suites_and_signature_algorithms() {
        let d =
            decode(&cloudfront_hello("a.example.com", &[ProtocolVersion::Tls10], [0; 32]).record);
        assert_eq!(d.client_version, 0x0301);
        assert!(d.suites.contains(&0x002F));
        assert!(!d.suites.contains(&0xC02F));
        assert!(ext(&d, EXT_SIGNATURE_ALGORITHMS).is_none());
    }

    #[test]
    fn ssl3_hello_has_no_extensions_and_signals_renegotiation_with_the_scsv() {
        let d =
            decode(&cloudfront_hello("a.example.com", &[ProtocolVersion::Ssl3], [0; 32]).record);
        assert_eq!(d.record_version, 0x0300);
        assert_eq!(d.client_version, 0x0300);
        assert!(d.extensions.is_empty());
        assert_eq!(d.suites.last(), Some(&EMPTY_RENEGOTIATION_INFO_SCSV));
        let offered =
            cloudfront_hello("a.example.com", &[ProtocolVersion::Ssl3], [0; 32]).extensions;
        assert_eq!(
            offered,
            vec![EXT_RENEGOTIATION_INFO],
            "the SCSV stands for the extension"
        );
    }

    #[test]
    fn empty_or_tls13_only_sets_fall_back_to_tls12_and_ip_sni_is_omitted() {
        let d = decode(&cloudfront_hello("192.0.2.1", &[ProtocolVersion::Tls13], [0; 32]).record);
        assert_eq!(d.client_version, 0x0303);
        assert!(ext(&d, EXT_SERVER_NAME).is_none());
    }

    #[test]
    fn discovery_hello_offers_tls13_chacha_and_a_key_share() {
        let d = decode(&discovery_hello("a.example.com", [1; 32], [9; 32]).record);
        assert_eq!(d.client_version, 0x0303);
        assert!(d.suites.contains(&0x1301) && d.suites.contains(&0xCCA8));
        assert!(d.suites.contains(&0x002F));
        let versions = ext(&d, EXT_SUPPORTED_VERSIONS).expect("supported_versions");
        assert_eq!(versions[0], 10);
        assert_eq!(&versions[1..3], &[3, 4]);
        let share = ext(&d, EXT_KEY_SHARE).expect("key_share");
        assert_eq!(&share[..6], &[0, 36, 0, 0x1D, 0, 32]);
    }

    #[test]
    fn a_long_sni_is_truncated_not_mis_encoded() {
        let long = "a".repeat(400);
        let d = decode(&cloudfront_hello(&long, &[], [0; 32]).record);
        let sni = ext(&d, EXT_SERVER_NAME).expect("sni");
        assert_eq!(sni.len(), 5 + MAX_SNI);
    }
}
