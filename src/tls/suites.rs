//! Cipher suites, groups and signature schemes the probe offers, with their IANA names.
//!
//! A server can only choose among the suites a ClientHello offers, so this table (CloudFront's origin
//! list plus the discovery extras) names every suite a probe can observe.

/// One cipher suite: IANA code point and name, and whether it needs TLS 1.2 (GCM, SHA-256/384 MACs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    /// IANA code point.
    pub id: u16,
    /// IANA name.
    pub name: &'static str,
    /// Defined only for TLS 1.2 (or later): not offered when the highest offered version is older.
    pub tls12_only: bool,
}

const fn suite(id: u16, name: &'static str, tls12_only: bool) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls12_only,
    }
}

/// CloudFront's origin cipher list, in the order its documentation lists it (reference §3.2).
pub const CLOUDFRONT_ORIGIN_SUITES: &[CipherSuite] = &[
    suite(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", true),
    suite(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", true),
    suite(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false),
    suite(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true),
    suite(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", true),
    suite(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false),
    suite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true),
    suite(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", true),
    suite(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false),
    suite(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true),
    suite(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", true),
    suite(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false),
    suite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", false),
    suite(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", false),
    suite(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", false),
    suite(0x0004, "TLS_RSA_WITH_RC4_128_MD5", false),
];

/// CloudFront's origin suites by the OpenSSL names Elastic Load Balancing's DescribeSSLPolicies uses
/// (the ELB guides' cipher tables map them to the IANA names).
const OPENSSL_NAMES: &[(&str, u16)] = &[
    ("ECDHE-ECDSA-AES256-GCM-SHA384", 0xC02C),
    ("ECDHE-ECDSA-AES256-SHA384", 0xC024),
    ("ECDHE-ECDSA-AES256-SHA", 0xC00A),
    ("ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02B),
    ("ECDHE-ECDSA-AES128-SHA256", 0xC023),
    ("ECDHE-ECDSA-AES128-SHA", 0xC009),
    ("ECDHE-RSA-AES256-GCM-SHA384", 0xC030),
    ("ECDHE-RSA-AES256-SHA384", 0xC028),
    ("ECDHE-RSA-AES256-SHA", 0xC014),
    ("ECDHE-RSA-AES128-GCM-SHA256", 0xC02F),
    ("ECDHE-RSA-AES128-SHA256", 0xC027),
    ("ECDHE-RSA-AES128-SHA", 0xC013),
    ("AES256-SHA", 0x0035),
    ("AES128-SHA", 0x002F),
    ("DES-CBC3-SHA", 0x000A),
    ("RC4-MD5", 0x0004),
];

/// The CloudFront origin suite an OpenSSL cipher name stands for; `None` for a cipher CloudFront
/// does not offer origins (CHACHA20, plain-RSA GCM, TLS 1.3 suites, names not known here).
pub fn cloudfront_origin_suite_by_openssl_name(name: &str) -> Option<&'static CipherSuite> {
    let (_, id) = OPENSSL_NAMES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))?;
    CLOUDFRONT_ORIGIN_SUITES.iter().find(|s| s.id == *id)
}

/// Suites only the discovery hello offers: what origins commonly speak that CloudFront does not.
pub const DISCOVERY_EXTRA_SUITES: &[CipherSuite] = &[
    suite(0x1301, "TLS_AES_128_GCM_SHA256", true),
    suite(0x1302, "TLS_AES_256_GCM_SHA384", true),
    suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", true),
    suite(
        0xCCA9,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        true,
    ),
    suite(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", true),
    suite(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", true),
    suite(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", true),
    suite(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", true),
    suite(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", true),
    suite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", true),
    suite(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", true),
    suite(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", true),
    suite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", false),
    suite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", false),
    suite(0x0005, "TLS_RSA_WITH_RC4_128_SHA", false),
];

/// Signalling value for secure renegotiation (RFC 5746), used when no extensions can be sent.
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;

/// Named groups (curves) CloudFront offers origins: x25519, secp256r1, secp384r1.
pub const CLOUDFRONT_GROUPS: &[u16] = &[0x001D, 0x0017, 0x0018];

/// Named groups the discovery hello offers: CloudFront's, plus secp521r1 and ffdhe2048.
pub const DISCOVERY_GROUPS: &[u16] = &[0x001D, 0x0017, 0x0018, 0x0019, 0x0100];

/// The x25519 group, the one the discovery hello sends a key share for.
pub const X25519: u16 = 0x001D;

/// Signature schemes CloudFront offers origins (PKCS#1 v1.5 and ECDSA, never PSS), strongest first.
pub const CLOUDFRONT_SIGNATURE_SCHEMES: &[u16] = &[
    0x0403, // ecdsa_secp256r1_sha256
    0x0503, // ecdsa_secp384r1_sha384
    0x0603, // ecdsa_secp521r1_sha512
    0x0401, // rsa_pkcs1_sha256
    0x0501, // rsa_pkcs1_sha384
    0x0601, // rsa_pkcs1_sha512
    0x0303, // ecdsa_sha224 (legacy code point)
    0x0301, // rsa_pkcs1_sha224 (legacy code point)
    0x0203, // ecdsa_sha1
    0x0201, // rsa_pkcs1_sha1
];

/// Signature schemes the discovery hello offers: CloudFront's plus RSA-PSS and Ed25519.
pub const DISCOVERY_SIGNATURE_SCHEMES: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0401, 0x0501,
    0x0601, 0x0303, 0x0301, 0x0203, 0x0201,
];

/// The IANA name of a suite the probe can offer, or `0xXXXX` for anything else.
pub fn cipher_name(id: u16) -> String {
    CLOUDFRONT_ORIGIN_SUITES
        .iter()
        .chain(DISCOVERY_EXTRA_SUITES)
        .find(|s| s.id == id)
        .map(|s| s.name.to_owned())
        .unwrap_or_else(|| format!("0x{id:04X}"))
}

/// True when CloudFront offers this suite to origins.
pub fn is_cloudfront_origin_suite(id: u16) -> bool {
    CLOUDFRONT_ORIGIN_SUITES.iter().any(|s| s.id == id)
}

/// The name of a TLS alert description (RFC 8446 §6 and RFC 5246 §7.2).
pub fn alert_name(description: u8) -> String {
    let name = match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        other => return format!("alert_{other}"),
    };
    name.to_owned()
}

/// The IANA name of a TLS extension type (the "TLS ExtensionType Values" registry), or
/// `extension_N` for a type it does not list: evidence names the extension, never a bare number.
pub fn extension_name(kind: u16) -> String {
    let name = match kind {
        0 => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        10 => "supported_groups",
        11 => "ec_point_formats",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        27 => "compress_certificate",
        28 => "record_size_limit",
        35 => "session_ticket",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        57 => "quic_transport_parameters",
        0xFE0D => "encrypted_client_hello",
        0xFF01 => "renegotiation_info",
        other => return format!("extension_{other}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloudfront_origin_suite_has_one_openssl_name_and_others_have_none() {
        for suite in CLOUDFRONT_ORIGIN_SUITES {
            let names: Vec<_> = OPENSSL_NAMES
                .iter()
                .filter(|(_, id)| *id == suite.id)
                .collect();
            assert_eq!(names.len(), 1, "{}", suite.name);
        }
        assert_eq!(
            cloudfront_origin_suite_by_openssl_name("ecdhe-rsa-aes128-gcm-sha256").map(|s| s.id),
            Some(0xC02F)
        );
        for foreign in [
            "AES128-GCM-SHA256",
            "ECDHE-RSA-CHACHA20-POLY1305",
            "TLS_AES_128_GCM_SHA256",
        ] {
            assert_eq!(
                cloudfront_origin_suite_by_openssl_name(foreign),
                None,
                "{foreign}"
            );
        }
    }

    #[test]
    fn names_come_from_the_tables() {
        assert_eq!(cipher_name(0x002F), "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(
            cipher_name(0xCCA8),
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        );
        assert_eq!(cipher_name(0xABCD), "0xABCD");
        assert_eq!(alert_name(40), "handshake_failure");
        assert_eq!(alert_name(250), "alert_250");
        assert_eq!(extension_name(43), "supported_versions");
        assert_eq!(extension_name(0xFF01), "renegotiation_info");
        assert_eq!(extension_name(0x7777), "extension_30583");
    }

    #[test]
    fn cloudfront_offers_no_chacha_and_no_tls13_suites() {
        assert!(CLOUDFRONT_ORIGIN_SUITES
            .iter()
            .all(|s| !s.name.contains("CHACHA") && !(0x1301..=0x1305).contains(&s.id)));
        assert_eq!(CLOUDFRONT_ORIGIN_SUITES.len(), 16);
    }
}
