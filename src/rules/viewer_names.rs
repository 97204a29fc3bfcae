//! Codes: `viewer-alias-not-covered`.
//!
//! Every alias must be covered by a SAN of the viewer certificate (the CN only when there are no SANs),
//! with CloudFront's one-label wildcard rule. Source: cloudfront-tls-rules.md §2.3.

use super::{certificate_label, certificate_names};
use crate::catalogue::ALIAS_NOT_COVERED;
use crate::finding::Finding;
use crate::model::{CertificateLookup, Distribution, Snapshot};
use crate::names::any_covers;

pub(super) fn check(snapshot: &Snapshot, distribution: &Distribution, findings: &mut Vec<Finding>) {
    let Some(CertificateLookup::Found(certificate)) = snapshot.certificate_for(distribution) else {
        return;
    };
    let names = certificate.names_covering_aliases();
    for alias in &distribution.aliases {
        if any_covers(names.iter().copied(), alias) {
            continue;
        }
        findings.push(
            Finding::builder(&ALIAS_NOT_COVERED)
                .for_distribution(distribution)
                .subject(alias.clone())
                .evidence("alias", alias.clone())
                .evidence("certificate", certificate_label(&certificate.reference))
                .evidence("certificate_names", certificate_names(certificate))
                .build(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::model::Certificate;
    use crate::rules::evaluate;

    fn uncovered(aliases: &[&str], certificate: Certificate) -> Vec<String> {
        let dist = distribution_with_acm("E1", aliases, ACM_ARN);
        evaluate(&snapshot_with_certificate(vec![dist], certificate), now())
            .into_iter()
            .filter(|f| f.code.as_str() == "viewer-alias-not-covered")
            .map(|f| f.subject)
            .collect()
    }

    #[test]
    fn aliases_follow_the_one_label_wildcard_rule() {
        // healthy_certificate covers example.com and *.example.com.
        let aliases = [
            "example.com",
            "www.example.com",
            "API.Example.com.",
            "a.b.example.com",
            "api.example.org",
        ];
        assert_eq!(
            uncovered(&aliases, healthy_certificate()),
            ["a.b.example.com", "api.example.org"]
        );
    }

    #[test]
    fn a_wildcard_alias_needs_the_wildcard_in_the_certificate() {
        let exact_only = Certificate {
            subject_alternative_names: vec!["example.com".into(), "www.example.com".into()],
            ..healthy_certificate()
        };
        assert_eq!(uncovered(&["*.example.com"], exact_only), ["*.example.com"]);
        assert!(uncovered(&["*.example.com"], healthy_certificate()).is_empty());
    }

    #[test]
    fn the_common_name_counts_only_when_there_are_no_sans() {
        let cn_only = Certificate {
            domain_name: Some("cn.example.com".into()),
            subject_alternative_names: vec![],
            ..healthy_certificate()
        };
        assert!(uncovered(&["cn.example.com"], cn_only).is_empty());
        let cn_and_sans = Certificate {
            domain_name: Some("cn.example.com".into()),
            subject_alternative_names: vec!["other.example.net".into()],
            ..healthy_certificate()
        };
        assert_eq!(
            uncovered(&["cn.example.com"], cn_and_sans),
            ["cn.example.com"]
        );
    }

    #[test]
    fn the_finding_names_the_alias_and_the_certificate_names() {
        let dist = distribution_with_acm("E1", &["api.example.org"], ACM_ARN);
        let findings = evaluate(&healthy_snapshot(vec![dist]), now());
        assert_codes(&findings, &["viewer-alias-not-covered"]);
        assert_eq!(
            findings[0].evidence["certificate_names"],
            serde_json::json!(["example.com", "*.example.com"])
        );
        assert_eq!(
            findings[0].remediation[0],
            "Re-issue the certificate with api.example.org in its SANs, then select it in the distribution."
        );
    }
}
