//! What a run actually checked ([`Coverage`]), and which check produces each code ([`check_of`]).
//!
//! A finding is resolved only when its distribution was audited and the check that produced it ran
//! to completion in this run: a failed read, `--no-probe` / `PROBE=false`, a probe skipped at the
//! deadline or one this machine could not make, an edge check still pending, a scope that left the
//! distribution out: none of these resolves anything. The audit fills a [`Coverage`] from what the
//! pipeline really did ([`crate::audit`]); [`super::reconcile`] asks it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalogue::Code;

/// One check of the pipeline, as far as resolving is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The whole account was listed (ListDistributions to the last page, no failure): what
    /// account-level `audit-incomplete` findings are about.
    AccountListing,
    /// The users of one ACM certificate were looked up (an ACM event): `audit-certificate-unused`.
    CertificateUsers,
    /// The distribution's configuration was read and every configuration rule ran over it.
    Configuration,
    /// Its viewer certificate was read (DescribeCertificate, GetCertificate, GetServerCertificate),
    /// or it needs none.
    ViewerCertificate,
    /// Every AWS read about the distribution succeeded and every handshake this run attempted for
    /// it was made: an `audit-incomplete` finding about it no longer applies.
    Reads,
    /// Every planned origin handshake of the distribution was made (none skipped at the deadline,
    /// none failed on this machine's side) and the policies that decide its SNI names were read.
    OriginProbe,
    /// What the edge serves was checked for every alias, the distribution being `Deployed`.
    EdgeCheck,
}

/// The check that produces each code: one table, every code in it (a test keeps it so).
pub fn check_of(code: Code) -> Check {
    match code {
        // At distribution level; the account-level ones go by [`Check::AccountListing`].
        Code::AuditIncomplete => Check::Reads,
        Code::AuditCertificateUnused => Check::CertificateUsers,
        // Only proposed configurations have it, and the state never holds those.
        Code::AuditNotCovered
        | Code::ConfigValueUnresolved
        | Code::ViewerDefaultCertWithAliases
        | Code::ViewerCertWrongRegion
        | Code::ViewerTlsPolicyInvalid
        | Code::ViewerTlsPolicyOutdated
        | Code::ViewerHttpAllowed
        | Code::OriginHttpOnly
        | Code::OriginDeprecatedProtocols => Check::Configuration,
        Code::ViewerCertNotFound
        | Code::ViewerCertNotIssued
        | Code::ViewerCertExpired
        | Code::ViewerCertNotYetValid
        | Code::ViewerCertExpiring
        | Code::ViewerCertRenewalAtRisk
        | Code::ViewerAliasNotCovered
        | Code::ViewerCertKeyUnsupported
        | Code::ViewerCertChainInvalid => Check::ViewerCertificate,
        Code::OriginDnsFailure
        | Code::OriginConnectRefused
        | Code::OriginConnectTimeout
        | Code::OriginHandshakeTimeout
        | Code::OriginTlsProtocolMismatch
        | Code::OriginTlsNoSharedCipher
        | Code::OriginHandshakeFailed
        | Code::OriginCertExpired
        | Code::OriginCertNotYetValid
        | Code::OriginCertExpiring
        | Code::OriginCertSelfSigned
        | Code::OriginCertUntrustedRoot
        | Code::OriginCertChainIncomplete
        | Code::OriginCertChainMisordered
        | Code::OriginCertChainOversized
        | Code::OriginCertNameMismatch
        // Judged from the load balancer's configuration, which the origin check reads: resolved
        // only when those reads succeeded too (see `crate::audit`'s coverage).
        | Code::OriginLbListenerMissing
        | Code::OriginNotProbed => Check::OriginProbe,
        Code::ViewerEdgeCertMismatch
        | Code::ViewerEdgeHandshakeFailed
        | Code::ViewerEdgeNotVerified => Check::EdgeCheck,
    }
}

/// Which checks ran to completion in one run, for which distribution: plain data, filled by the
/// audit from what the pipeline did, read by the reconciliation. The default covers nothing, so a
/// report built by hand resolves nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The whole account was listed without a failure.
    pub account_listing: bool,
    /// The ACM certificate whose users were looked up without a failure (an ACM event).
    pub certificate_users: Option<String>,
    /// Per audited distribution, the checks that ran to completion for it.
    pub distributions: BTreeMap<String, BTreeSet<Check>>,
}

impl Coverage {
    /// Whether this run would have found again a finding of `code` (as text: a code retired from
    /// the catalogue counts as a configuration rule) in `distribution` (`None`: account level) about
    /// `subject`, had it still been there.
    pub fn ran(&self, code: &str, distribution: Option<&str>, subject: &str) -> bool {
        let check = Code::from_id(code).map_or(Check::Configuration, check_of);
        match distribution {
            Some(id) => self
                .distributions
                .get(id)
                .is_some_and(|checks| checks.contains(&check)),
            None => match check {
                Check::CertificateUsers => self.certificate_users.as_deref() == Some(subject),
                Check::Reads => self.account_listing,
                // No other code is emitted at account level by an audit; never resolved by guess.
                _ => false,
            },
        }
    }

    /// Whether the distribution was audited at all (its configuration read and judged).
    pub fn audited(&self, distribution: &str) -> bool {
        self.ran_for(distribution, Check::Configuration)
    }

    /// Whether `check` ran to completion for `distribution`.
    pub fn ran_for(&self, distribution: &str, check: Check) -> bool {
        self.distributions
            .get(distribution)
            .is_some_and(|checks| checks.contains(&check))
    }

    /// The distributions whose records this run must read: every audited one, and the account
    /// level (`None`) whose records an account-level check may resolve.
    pub fn scopes(&self) -> Vec<Option<String>> {
        std::iter::once(None)
            .chain(self.distributions.keys().cloned().map(Some))
            .collect()
    }

    /// The same coverage keeping only `checks`: for a report cut down to some checks' findings (an
    /// edge follow-up keeps the edge ones), so that the findings left out are not taken as fixed.
    pub fn only(&self, checks: &[Check]) -> Coverage {
        Coverage {
            account_listing: self.account_listing && checks.contains(&Check::Reads),
            certificate_users: self
                .certificate_users
                .clone()
                .filter(|_| checks.contains(&Check::CertificateUsers)),
            distributions: self
                .distributions
                .iter()
                .map(|(id, ran)| {
                    let kept = ran.iter().copied().filter(|c| checks.contains(c)).collect();
                    (id.clone(), kept)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_mapped_to_the_check_of_its_family() {
        use crate::catalogue::Family;
        for code in Code::ALL {
            let check = check_of(code);
            let consistent = match code.entry().family {
                Family::Audit => matches!(
                    check,
                    Check::Reads | Check::CertificateUsers | Check::Configuration
                ),
                Family::ViewerCertificate | Family::ViewerNames => {
                    matches!(check, Check::ViewerCertificate | Check::Configuration)
                }
                Family::ViewerPolicy | Family::OriginConfig => check == Check::Configuration,
                Family::OriginTls | Family::OriginCertificate => check == Check::OriginProbe,
                Family::Edge => check == Check::EdgeCheck,
            };
            assert!(consistent, "{code} is mapped to {check:?}");
        }
    }

    fn covering(id: &str, checks: &[Check]) -> Coverage {
        Coverage {
            distributions: BTreeMap::from([(id.to_owned(), checks.iter().copied().collect())]),
            ..Coverage::default()
        }
    }

    #[test]
    fn a_finding_resolves_only_where_its_check_ran() {
        let coverage = covering("E1", &[Check::Configuration]);
        assert!(coverage.ran("viewer-http-allowed", Some("E1"), "cache behaviour default"));
        assert!(!coverage.ran("origin-cert-expired", Some("E1"), "origin app"));
        assert!(!coverage.ran("viewer-http-allowed", Some("E2"), "cache behaviour default"));
        assert!(
            coverage.ran("a-code-since-retired", Some("E1"), "x"),
            "a retired code was a configuration rule"
        );
    }

    #[test]
    fn account_level_findings_resolve_only_by_their_account_level_check() {
        let mut coverage = Coverage::default();
        assert!(!coverage.ran("audit-incomplete", None, "the distribution list"));
        coverage.account_listing = true;
        assert!(coverage.ran("audit-incomplete", None, "the distribution list"));
        let arn = "arn:aws:acm:us-east-1:111122223333:certificate/a";
        assert!(!coverage.ran("audit-certificate-unused", None, arn));
        coverage.certificate_users = Some(arn.to_owned());
        assert!(coverage.ran("audit-certificate-unused", None, arn));
        assert!(!coverage.ran("audit-certificate-unused", None, "another"));
        assert!(!coverage.ran("viewer-http-allowed", None, "x"));
    }

    #[test]
    fn a_cut_down_report_claims_only_the_checks_it_kept() {
        let coverage = covering("E1", &[Check::Configuration, Check::EdgeCheck]);
        let edge = coverage.only(&[Check::EdgeCheck]);
        assert!(edge.ran_for("E1", Check::EdgeCheck));
        assert!(!edge.audited("E1"));
    }
}
