//! Every finding code, in one place: severity, title, why it matters, viewer impact, remediation, docs.
//!
//! A rule names one [`Cause`] (`Finding::builder(&CAUSE)`); the cause knows its [`Code`], and the text
//! of a finding comes only from here. `docs/findings.md` is generated from this module (`make docs`) and
//! a test fails when the two drift.
//!
//! Adding a code touches three places, nothing else (docs/adding-a-finding.md has a worked example):
//!
//! 1. Here: one line `NewVariant => NEW_ENTRY,` in the `catalogue!` table below (it yields the enum
//!    variant, its place in [`Code::ALL`] and [`Code::entry`]), and in the family file
//!    (`audit.rs`, `viewer.rs`, `origin.rs`) the [`Entry`] static with its [`Cause`] statics, each
//!    cause saying `code: Code::NewVariant`.
//! 2. The rule in `src/rules/<family>.rs`: `Finding::builder(&NEW_CAUSE)`, and the code in the file's
//!    `//! Codes:` header.
//! 3. `make docs`, which regenerates `docs/findings.md`.
//!
//! Tests keep it honest: each cause carries the code of the entry that lists it, each cause static is
//! listed by exactly one entry, a rule file's `Codes:` header matches the causes it names, and every
//! code is asserted by some test (`tests/catalogue_coverage.rs`).

use std::fmt;

use serde::{Serialize, Serializer};

mod audit;
mod load_balancer;
mod origin;
mod severity;
mod viewer;

pub use severity::{Severity, ViewerImpact};

pub use audit::*;
pub use load_balancer::*;
pub use origin::*;
pub use viewer::*;

/// Declares every code once: each line pairs a [`Code`] variant with its [`Entry`] static, and yields
/// the enum, [`Code::ALL`] (in this order, the order of `docs/findings.md`) and [`Code::entry`], so the
/// three can never disagree.
macro_rules! catalogue {
    ($($variant:ident => $entry:ident,)+) => {
        /// The stable identifier of a kind of finding; it serialises as its [`Entry::id`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = concat!("The code whose entry is [`", stringify!($entry), "`].")]
                $variant,
            )+
        }

        impl Code {
            /// Every code, in catalogue order. The length is counted by the macro, never typed.
            pub const ALL: [Code; [$(stringify!($variant)),+].len()] = [$(Code::$variant),+];

            /// The catalogue entry for this code.
            pub fn entry(self) -> &'static Entry {
                match self {
                    $(Code::$variant => &$entry,)+
                }
            }
        }
    };
}

catalogue! {
    AuditIncomplete => AUDIT_INCOMPLETE,
    AuditCertificateUnused => AUDIT_CERTIFICATE_UNUSED,
    AuditNotCovered => AUDIT_NOT_COVERED,
    ConfigValueUnresolved => CONFIG_VALUE_UNRESOLVED,
    ViewerDefaultCertWithAliases => VIEWER_DEFAULT_CERT_WITH_ALIASES,
    ViewerCertWrongRegion => VIEWER_CERT_WRONG_REGION,
    ViewerCertNotFound => VIEWER_CERT_NOT_FOUND,
    ViewerCertNotIssued => VIEWER_CERT_NOT_ISSUED,
    ViewerCertExpired => VIEWER_CERT_EXPIRED,
    ViewerCertNotYetValid => VIEWER_CERT_NOT_YET_VALID,
    ViewerCertExpiring => VIEWER_CERT_EXPIRING,
    ViewerCertRenewalAtRisk => VIEWER_CERT_RENEWAL_AT_RISK,
    ViewerAliasNotCovered => VIEWER_ALIAS_NOT_COVERED,
    ViewerCertKeyUnsupported => VIEWER_CERT_KEY_UNSUPPORTED,
    ViewerCertChainInvalid => VIEWER_CERT_CHAIN_INVALID,
    ViewerTlsPolicyInvalid => VIEWER_TLS_POLICY_INVALID,
    ViewerTlsPolicyOutdated => VIEWER_TLS_POLICY_OUTDATED,
    ViewerHttpAllowed => VIEWER_HTTP_ALLOWED,
    OriginHttpOnly => ORIGIN_HTTP_ONLY,
    OriginDeprecatedProtocols => ORIGIN_DEPRECATED_PROTOCOLS,
    OriginDnsFailure => ORIGIN_DNS_FAILURE,
    OriginConnectRefused => ORIGIN_CONNECT_REFUSED,
    OriginConnectTimeout => ORIGIN_CONNECT_TIMEOUT,
    OriginHandshakeTimeout => ORIGIN_HANDSHAKE_TIMEOUT,
    OriginLbListenerMissing => ORIGIN_LB_LISTENER_MISSING,
    OriginTlsProtocolMismatch => ORIGIN_TLS_PROTOCOL_MISMATCH,
    OriginTlsNoSharedCipher => ORIGIN_TLS_NO_SHARED_CIPHER,
    OriginHandshakeFailed => ORIGIN_HANDSHAKE_FAILED,
    OriginCertExpired => ORIGIN_CERT_EXPIRED,
    OriginCertNotYetValid => ORIGIN_CERT_NOT_YET_VALID,
    OriginCertExpiring => ORIGIN_CERT_EXPIRING,
    OriginCertSelfSigned => ORIGIN_CERT_SELF_SIGNED,
    OriginCertUntrustedRoot => ORIGIN_CERT_UNTRUSTED_ROOT,
    OriginCertChainIncomplete => ORIGIN_CERT_CHAIN_INCOMPLETE,
    OriginCertChainMisordered => ORIGIN_CERT_CHAIN_MISORDERED,
    OriginCertChainOversized => ORIGIN_CERT_CHAIN_OVERSIZED,
    OriginCertNameMismatch => ORIGIN_CERT_NAME_MISMATCH,
    OriginNotProbed => ORIGIN_NOT_PROBED,
    ViewerEdgeCertMismatch => VIEWER_EDGE_CERT_MISMATCH,
    ViewerEdgeHandshakeFailed => VIEWER_EDGE_HANDSHAKE_FAILED,
    ViewerEdgeNotVerified => VIEWER_EDGE_NOT_VERIFIED,
}

impl Code {
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
///
/// A cause knows its code, so a rule names only the cause (`Finding::builder(&CAUSE)`) and cannot pair
/// it with the wrong code; a test checks that every cause listed under an entry carries that entry's code.
#[derive(Debug, PartialEq, Eq)]
pub struct Cause {
    /// The code this cause explains: the one whose entry lists it.
    pub code: Code,
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
                // The pre-deploy gate's blind spot is named after what it reads (issue 12).
                Family::Audit if id.starts_with("config-") => "config-",
                Family::Audit => "audit-",
                Family::OriginConfig | Family::OriginTls | Family::OriginCertificate => "origin-",
                Family::Edge => "viewer-edge-",
                _ => "viewer-",
            };
            assert!(id.starts_with(prefix), "{id} should start with {prefix}");
        }
    }

    #[test]
    fn every_cause_carries_the_code_of_the_entry_that_lists_it_and_is_listed_once() {
        for code in Code::ALL {
            let causes = code.entry().causes;
            for (i, cause) in causes.iter().enumerate() {
                assert_eq!(
                    cause.code, code,
                    "{code} lists cause {} of {}",
                    cause.id, cause.code
                );
                assert!(
                    !causes[..i]
                        .iter()
                        .any(|earlier| std::ptr::eq(*earlier, *cause)),
                    "{code} lists cause {} twice",
                    cause.id
                );
            }
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
