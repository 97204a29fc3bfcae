//! Every finding code, in one place: severity, title, why it matters, viewer impact, remediation, docs.
//!
//! A rule names a [`Code`] and one of its [`Cause`]s; the text of a finding comes only from here.
//! `docs/findings.md` is generated from this file (`cargo run -- catalogue > docs/findings.md`) and a test
//! fails when the two drift. To add a rule: add a variant to [`Code`], its [`Entry`] below, then the rule.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::finding::{Severity, ViewerImpact};

mod audit;
mod origin;
mod viewer;

pub use audit::*;
pub use origin::*;
pub use viewer::*;

/// The stable identifier of a kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// `audit-incomplete`
    AuditIncomplete,
    /// `audit-certificate-unused`
    AuditCertificateUnused,
    /// `viewer-default-cert-with-aliases`
    ViewerDefaultCertWithAliases,
    /// `viewer-cert-wrong-region`
    ViewerCertWrongRegion,
    /// `viewer-cert-not-found`
    ViewerCertNotFound,
    /// `viewer-cert-not-issued`
    ViewerCertNotIssued,
    /// `viewer-cert-expired`
    ViewerCertExpired,
    /// `viewer-cert-not-yet-valid`
    ViewerCertNotYetValid,
    /// `viewer-cert-expiring`
    ViewerCertExpiring,
    /// `viewer-cert-renewal-at-risk`
    ViewerCertRenewalAtRisk,
    /// `viewer-alias-not-covered`
    ViewerAliasNotCovered,
    /// `viewer-cert-key-unsupported`
    ViewerCertKeyUnsupported,
    /// `viewer-cert-chain-invalid`
    ViewerCertChainInvalid,
    /// `viewer-tls-policy-invalid`
    ViewerTlsPolicyInvalid,
    /// `viewer-tls-policy-outdated`
    ViewerTlsPolicyOutdated,
    /// `viewer-http-allowed`
    ViewerHttpAllowed,
    /// `origin-http-only`
    OriginHttpOnly,
    /// `origin-deprecated-protocols`
    OriginDeprecatedProtocols,
    /// `origin-dns-failure`
    OriginDnsFailure,
    /// `origin-connect-refused`
    OriginConnectRefused,
    /// `origin-connect-timeout`
    OriginConnectTimeout,
    /// `origin-handshake-timeout`
    OriginHandshakeTimeout,
    /// `origin-tls-protocol-mismatch`
    OriginTlsProtocolMismatch,
    /// `origin-tls-no-shared-cipher`
    OriginTlsNoSharedCipher,
    /// `origin-handshake-failed`
    OriginHandshakeFailed,
    /// `origin-cert-expired`
    OriginCertExpired,
    /// `origin-cert-not-yet-valid`
    OriginCertNotYetValid,
    /// `origin-cert-expiring`
    OriginCertExpiring,
    /// `origin-cert-self-signed`
    OriginCertSelfSigned,
    /// `origin-cert-untrusted-root`
    OriginCertUntrustedRoot,
    /// `origin-cert-chain-incomplete`
    OriginCertChainIncomplete,
    /// `origin-cert-chain-misordered`
    OriginCertChainMisordered,
    /// `origin-cert-name-mismatch`
    OriginCertNameMismatch,
    /// `viewer-edge-cert-mismatch`
    ViewerEdgeCertMismatch,
    /// `viewer-edge-handshake-failed`
    ViewerEdgeHandshakeFailed,
    /// `viewer-edge-not-verified`
    ViewerEdgeNotVerified,
}

impl Code {
    /// Every code, in catalogue order.
    pub const ALL: [Code; 36] = [
        Code::AuditIncomplete,
        Code::AuditCertificateUnused,
        Code::ViewerDefaultCertWithAliases,
        Code::ViewerCertWrongRegion,
        Code::ViewerCertNotFound,
        Code::ViewerCertNotIssued,
        Code::ViewerCertExpired,
        Code::ViewerCertNotYetValid,
        Code::ViewerCertExpiring,
        Code::ViewerCertRenewalAtRisk,
        Code::ViewerAliasNotCovered,
        Code::ViewerCertKeyUnsupported,
        Code::ViewerCertChainInvalid,
        Code::ViewerTlsPolicyInvalid,
        Code::ViewerTlsPolicyOutdated,
        Code::ViewerHttpAllowed,
        Code::OriginHttpOnly,
        Code::OriginDeprecatedProtocols,
        Code::OriginDnsFailure,
        Code::OriginConnectRefused,
        Code::OriginConnectTimeout,
        Code::OriginHandshakeTimeout,
        Code::OriginTlsProtocolMismatch,
        Code::OriginTlsNoSharedCipher,
        Code::OriginHandshakeFailed,
        Code::OriginCertExpired,
        Code::OriginCertNotYetValid,
        Code::OriginCertExpiring,
        Code::OriginCertSelfSigned,
        Code::OriginCertUntrustedRoot,
        Code::OriginCertChainIncomplete,
        Code::OriginCertChainMisordered,
        Code::OriginCertNameMismatch,
        Code::ViewerEdgeCertMismatch,
        Code::ViewerEdgeHandshakeFailed,
        Code::ViewerEdgeNotVerified,
    ];

    /// The catalogue entry for this code.
    pub fn entry(self) -> &'static Entry {
        match self {
            Code::AuditIncomplete => &AUDIT_INCOMPLETE,
            Code::AuditCertificateUnused => &AUDIT_CERTIFICATE_UNUSED,
            Code::ViewerDefaultCertWithAliases => &VIEWER_DEFAULT_CERT_WITH_ALIASES,
            Code::ViewerCertWrongRegion => &VIEWER_CERT_WRONG_REGION,
            Code::ViewerCertNotFound => &VIEWER_CERT_NOT_FOUND,
            Code::ViewerCertNotIssued => &VIEWER_CERT_NOT_ISSUED,
            Code::ViewerCertExpired => &VIEWER_CERT_EXPIRED,
            Code::ViewerCertNotYetValid => &VIEWER_CERT_NOT_YET_VALID,
            Code::ViewerCertExpiring => &VIEWER_CERT_EXPIRING,
            Code::ViewerCertRenewalAtRisk => &VIEWER_CERT_RENEWAL_AT_RISK,
            Code::ViewerAliasNotCovered => &VIEWER_ALIAS_NOT_COVERED,
            Code::ViewerCertKeyUnsupported => &VIEWER_CERT_KEY_UNSUPPORTED,
            Code::ViewerCertChainInvalid => &VIEWER_CERT_CHAIN_INVALID,
            Code::ViewerTlsPolicyInvalid => &VIEWER_TLS_POLICY_INVALID,
            Code::ViewerTlsPolicyOutdated => &VIEWER_TLS_POLICY_OUTDATED,
            Code::ViewerHttpAllowed => &VIEWER_HTTP_ALLOWED,
            Code::OriginHttpOnly => &ORIGIN_HTTP_ONLY,
            Code::OriginDeprecatedProtocols => &ORIGIN_DEPRECATED_PROTOCOLS,
            Code::OriginDnsFailure => &ORIGIN_DNS_FAILURE,
            Code::OriginConnectRefused => &ORIGIN_CONNECT_REFUSED,
            Code::OriginConnectTimeout => &ORIGIN_CONNECT_TIMEOUT,
            Code::OriginHandshakeTimeout => &ORIGIN_HANDSHAKE_TIMEOUT,
            Code::OriginTlsProtocolMismatch => &ORIGIN_TLS_PROTOCOL_MISMATCH,
            Code::OriginTlsNoSharedCipher => &ORIGIN_TLS_NO_SHARED_CIPHER,
            Code::OriginHandshakeFailed => &ORIGIN_HANDSHAKE_FAILED,
            Code::OriginCertExpired => &ORIGIN_CERT_EXPIRED,
            Code::OriginCertNotYetValid => &ORIGIN_CERT_NOT_YET_VALID,
            Code::OriginCertExpiring => &ORIGIN_CERT_EXPIRING,
            Code::OriginCertSelfSigned => &ORIGIN_CERT_SELF_SIGNED,
            Code::OriginCertUntrustedRoot => &ORIGIN_CERT_UNTRUSTED_ROOT,
            Code::OriginCertChainIncomplete => &ORIGIN_CERT_CHAIN_INCOMPLETE,
            Code::OriginCertChainMisordered => &ORIGIN_CERT_CHAIN_MISORDERED,
            Code::OriginCertNameMismatch => &ORIGIN_CERT_NAME_MISMATCH,
            Code::ViewerEdgeCertMismatch => &VIEWER_EDGE_CERT_MISMATCH,
            Code::ViewerEdgeHandshakeFailed => &VIEWER_EDGE_HANDSHAKE_FAILED,
            Code::ViewerEdgeNotVerified => &VIEWER_EDGE_NOT_VERIFIED,
        }
    }

    /// The stable string, e.g. `viewer-cert-expired`.
    pub fn as_str(self) -> &'static str {
        self.entry().id
    }

    /// Looks a code up by its string.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.as_str() == id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What part of the system a rule looks at; one rule file per family under `src/rules/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The audit itself.
    Audit,
    /// The viewer certificate: where it lives, its state, its key, its chain.
    ViewerCertificate,
    /// The names the viewer certificate must cover.
    ViewerNames,
    /// The viewer security policy and protocol settings.
    ViewerPolicy,
    /// How the distribution configures its origins.
    OriginConfig,
    /// Reaching the origin and the TLS handshake CloudFront makes with it.
    OriginTls,
    /// The certificate chain the origin sends.
    OriginCertificate,
    /// What the edge actually serves for each alias.
    Edge,
}

impl Family {
    /// Heading used in the generated documentation.
    pub fn title(self) -> &'static str {
        match self {
            Family::Audit => "Audit",
            Family::ViewerCertificate => "Viewer certificate",
            Family::ViewerNames => "Viewer names",
            Family::ViewerPolicy => "Viewer policy",
            Family::OriginConfig => "Origin configuration",
            Family::OriginTls => "Origin reachability and handshake",
            Family::OriginCertificate => "Origin certificate",
            Family::Edge => "Edge",
        }
    }
}

/// One code's definition.
#[derive(Debug)]
pub struct Entry {
    /// The stable code string.
    pub id: &'static str,
    /// The rule family (and file) it belongs to.
    pub family: Family,
    /// A one-line title.
    pub title: &'static str,
    /// Why it matters, for the documentation.
    pub why: &'static str,
    /// The AWS documentation that states the rule.
    pub docs: &'static str,
    /// The distinct causes, each with its own message and remediation.
    pub causes: &'static [&'static Cause],
}

impl Entry {
    /// Every severity this code can carry, most severe first.
    pub fn severities(&self) -> Vec<Severity> {
        let mut all: Vec<Severity> = self
            .causes
            .iter()
            .flat_map(|c| std::iter::once(c.severity).chain(c.other_severities.iter().copied()))
            .collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.dedup();
        all
    }
}

/// One way a code can arise, with the text to show for it. `{name}` fills from the finding's evidence.
#[derive(Debug, PartialEq, Eq)]
pub struct Cause {
    /// Short name of the cause, for the documentation.
    pub id: &'static str,
    /// Severity unless the rule picks one of `other_severities`.
    pub severity: Severity,
    /// Severities the rule may pick instead (e.g. by days left).
    pub other_severities: &'static [Severity],
    /// What viewers see when the distribution is live.
    pub impact: ViewerImpact,
    /// What happens instead when the configuration is only proposed (check-config, a rejected call).
    pub impact_when_proposed: Option<ViewerImpact>,
    /// The finding's message.
    pub message: &'static str,
    /// Remediation steps, in order.
    pub remediation: &'static [&'static str],
}

/// Renders the whole catalogue as Markdown: the content of `docs/findings.md`.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\n\
         Generated from `src/catalogue/` by `cloudfront-tls-audit catalogue`; do not edit by hand \
         (a test fails when this file and the catalogue drift).\n\n\
         | code | severity | title |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let entry = code.entry();
        let severities: Vec<&str> = entry.severities().iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {sev} | {title} |\n",
            id = entry.id,
            sev = severities.join(" / "),
            title = entry.title
        ));
    }
    let mut family = None;
    for code in Code::ALL {
        let entry = code.entry();
        if family != Some(entry.family) {
            family = Some(entry.family);
            out.push_str(&format!("\n## {}\n", entry.family.title()));
        }
        out.push_str(&format!(
            "\n### {id}\n\n**{title}**\n\n{why}\n\nDocumentation: <{docs}>\n",
            id = entry.id,
            title = entry.title,
            why = entry.why,
            docs = entry.docs
        ));
        for cause in entry.causes {
            let mut severities = vec![cause.severity];
            severities.extend_from_slice(cause.other_severities);
            let severities: Vec<&str> = severities.iter().map(|s| s.as_str()).collect();
            let impact = match cause.impact_when_proposed {
                Some(proposed) => format!("{} (proposed configuration: {proposed})", cause.impact),
                None => cause.impact.to_string(),
            };
            out.push_str(&format!(
                "\n#### Cause `{cause_id}`\n\n- Severity: {sev}\n- Viewer impact: {impact}\n- Message: {msg}\n- Remediation:\n",
                cause_id = cause.id,
                sev = severities.join(" / "),
                msg = cause.message,
            ));
            for (i, step) in cause.remediation.iter().enumerate() {
                out.push_str(&format!("  {}. {step}\n", i + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for code in Code::ALL {
            assert_eq!(Code::from_id(code.as_str()), Some(code), "{code}");
        }
    }

    #[test]
    fn codes_are_unique_kebab_case_and_prefixed_by_family() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let id = code.as_str();
            assert!(seen.insert(id), "duplicate code {id}");
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{id} is not kebab-case"
            );
            let prefix = match code.entry().family {
                Family::Audit => "audit-",
                Family::OriginConfig | Family::OriginTls | Family::OriginCertificate => "origin-",
                Family::Edge => "viewer-edge-",
                _ => "viewer-",
            };
            assert!(id.starts_with(prefix), "{id} should start with {prefix}");
        }
    }

    #[test]
    fn every_entry_has_text_docs_and_at_least_one_cause_with_remediation() {
        for code in Code::ALL {
            let entry = code.entry();
            assert!(!entry.title.is_empty() && !entry.why.is_empty(), "{code}");
            assert!(entry.docs.starts_with("https://"), "{code}");
            assert!(!entry.causes.is_empty(), "{code}");
            for cause in entry.causes {
                assert!(
                    !cause.remediation.is_empty(),
                    "{code}/{} has no remediation",
                    cause.id
                );
            }
        }
    }
}
