//! Certificates an attacker would send an auditor: a 60,000-character subject, thousands of SANs, a
//! huge issuer name, and names carrying terminal escapes, OSC 8 links, BEL,
//! NUL, bidi overrides and line separators. All expired, so that a finding quotes them. Each fits the
//! 64 KiB a TLS client accepts for the Certificate message (issue 10's 200,000-character subject does
//! not: it is `origin-cert-chain-oversized`, shown by `tests/chain_origins.rs`), so that its text
//! reaches the findings and every renderer, far past each cap.

use super::certs::{CertBuilder, IssuedCert};

/// What a hostile name carries: ESC (a colour), an OSC 8 hyperlink ended by BEL, NUL, a right-to-left
/// override, an isolate, a zero-width space, U+2028 and a C1 CSI.
pub const HOSTILE: &str = "\u{1b}[31mred\u{1b}]8;;https://evil.example/\u{7}click\u{1b}]8;;\u{7}\0\u{202e}gpj.exe\u{2066}\u{200b}\u{2028}forged\u{9b}2J";

/// The characters none of those may reach an audience raw.
pub const RAW: &[char] = &[
    '\u{1b}', '\u{7}', '\0', '\u{202e}', '\u{2066}', '\u{200b}', '\u{2028}', '\u{9b}',
];

/// A leaf for `host` whose subject CN is 60,000 characters, hostile characters included.
pub fn huge_subject(host: &str) -> IssuedCert {
    let cn = format!("{HOSTILE}{}", "A".repeat(60_000));
    CertBuilder::new([host])
        .common_name(Some(&cn))
        .expires_in_days(-2)
        .build()
}

/// A leaf for `host` with 3,000 more SANs (one with control characters) and a CN carrying
/// [`HOSTILE`].
pub fn many_sans(host: &str) -> IssuedCert {
    let mut names = vec![host.to_owned(), "evil\u{1b}[2J\u{7}.example.com".to_owned()];
    names.extend((0..3_000).map(|i| format!("n{i}.example.com")));
    CertBuilder::new(names)
        .common_name(Some(&format!("{host}{HOSTILE}")))
        .expires_in_days(-2)
        .build()
}

/// A leaf for `host` issued by a CA whose name is 30,000 characters with [`HOSTILE`] in it.
pub fn huge_issuer(host: &str) -> IssuedCert {
    CertBuilder::new([host])
        .ca_name(&format!("{HOSTILE}{}", "I".repeat(30_000)))
        .expires_in_days(-2)
        .build()
}
