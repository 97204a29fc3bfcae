//! Codes: `viewer-tls-policy-invalid`, `viewer-tls-policy-outdated`, `viewer-http-allowed`.
//!
//! The viewer certificate's security settings and each behaviour's viewer protocol policy.
//! Sources: cloudfront-tls-rules.md §1.1, §1.2.

use crate::catalogue::{
    HTTP_ALLOWED, POLICY_MISSING_FIELD, POLICY_OUTDATED, POLICY_SEVERAL_SOURCES,
    POLICY_SSLV3_WITH_SNI, POLICY_UNKNOWN,
};
use crate::finding::Finding;
use crate::model::{non_empty, Distribution, DistributionOrigin};
use crate::vocabulary::SslSupportMethod;

/// Every security policy CloudFront has (cloudfront-tls-rules.md §1.1), oldest first, matched as
/// strings: the SDK does not know every value.
const KNOWN_POLICIES: [&str; 9] = [
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
];

/// The policies older than TLSv1.2_2021, the first six; an unknown (newer) value is not outdated.
const OUTDATED_POLICIES: &[&str] = KNOWN_POLICIES.split_at(6).0;

pub(super) fn check(distribution: &Distribution, findings: &mut Vec<Finding>) {
    http_allowed(distribution, findings);
    let viewer = &distribution.viewer_certificate;
    let start = |cause| {
        Finding::builder(cause)
            .for_distribution(distribution)
            .subject("ViewerCertificate")
    };
    let sources = viewer.configured_sources();
    if sources.len() > 1 {
        findings.push(
            start(&POLICY_SEVERAL_SOURCES)
                .evidence("sources", sources)
                .build(),
        );
    }
    let ssl_support_method = viewer
        .ssl_support_method
        .as_ref()
        .filter(|method| !method.as_str().trim().is_empty());
    let minimum_protocol_version = non_empty(&viewer.minimum_protocol_version);
    // The default certificate ignores these fields (CloudFront pins it to TLSv1).
    if viewer.certificate_ref().is_none() {
        return;
    }
    let missing: Vec<&str> = [
        ("SSLSupportMethod", ssl_support_method.is_none()),
        ("MinimumProtocolVersion", minimum_protocol_version.is_none()),
    ]
    .into_iter()
    .filter(|(_, missing)| *missing)
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        findings.push(
            start(&POLICY_MISSING_FIELD)
                .evidence("missing_fields", missing)
                .build(),
        );
    }
    if minimum_protocol_version == Some("SSLv3")
        && ssl_support_method == Some(&SslSupportMethod::SniOnly)
    {
        findings.push(
            start(&POLICY_SSLV3_WITH_SNI)
                .evidence("minimum_protocol_version", "SSLv3")
                .evidence("ssl_support_method", "sni-only")
                .build(),
        );
    }
    // A `{{…}}` value is a placeholder for one the pre-deploy gate cannot know, never a policy.
    if let Some(version) = minimum_protocol_version.filter(|v| {
        distribution.origin == DistributionOrigin::Proposed
            && !KNOWN_POLICIES.contains(v)
            && !v.starts_with("{{")
    }) {
        findings.push(
            Finding::builder(&POLICY_UNKNOWN)
                .for_distribution(distribution)
                .subject("ViewerCertificate.MinimumProtocolVersion")
                .evidence("minimum_protocol_version", version)
                .evidence("known", KNOWN_POLICIES.join(", "))
                .build(),
        );
    }
    if let Some(version) = minimum_protocol_version.filter(|v| OUTDATED_POLICIES.contains(v)) {
        findings.push(
            Finding::builder(&POLICY_OUTDATED)
                .for_distribution(distribution)
                .subject("ViewerCertificate.MinimumProtocolVersion")
                .evidence("minimum_protocol_version", version)
                .build(),
        );
    }
}

fn http_allowed(distribution: &Distribution, findings: &mut Vec<Finding>) {
    for behavior in distribution.all_cache_behaviors() {
        if behavior.viewer_protocol_policy == "allow-all" {
            findings.push(
                Finding::builder(&HTTP_ALLOWED)
                    .for_distribution(distribution)
                    .subject(format!("cache behaviour {}", behavior.label()))
                    .evidence("behavior", behavior.label().to_owned())
                    .evidence("target_origin_id", behavior.target_origin_id.clone())
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::model::{CacheBehavior, ViewerCertificate};
    use crate::rules::evaluate;

    fn findings_for_viewer(viewer: ViewerCertificate) -> Vec<crate::finding::Finding> {
        let mut dist = healthy_distribution("E1");
        dist.viewer_certificate = viewer;
        evaluate(&healthy_snapshot(vec![dist]), now())
    }

    fn custom(ssl: Option<&str>, minimum: Option<&str>) -> ViewerCertificate {
        ViewerCertificate {
            cloudfront_default_certificate: Some(false),
            acm_certificate_arn: Some(ACM_ARN.into()),
            iam_certificate_id: None,
            ssl_support_method: ssl.map(crate::vocabulary::SslSupportMethod::from),
            minimum_protocol_version: minimum.map(str::to_owned),
        }
    }

    #[test]
    fn sslv3_cannot_be_combined_with_sni_only() {
        assert_codes(
            &findings_for_viewer(custom(Some("sni-only"), Some("SSLv3"))),
            &["viewer-tls-policy-invalid", "viewer-tls-policy-outdated"],
        );
        // vip may still use SSLv3: outdated, not invalid.
        assert_codes(
            &findings_for_viewer(custom(Some("vip"), Some("SSLv3"))),
            &["viewer-tls-policy-outdated"],
        );
    }

    #[test]
    fn exactly_one_certificate_source_is_allowed() {
        let mut both = custom(Some("sni-only"), Some("TLSv1.2_2021"));
        both.cloudfront_default_certificate = Some(true);
        both.iam_certificate_id = Some("ASCAEXAMPLE".into());
        let findings = findings_for_viewer(both);
        assert_codes(&findings, &["viewer-tls-policy-invalid"]);
        assert_eq!(
            findings[0].evidence["sources"],
            serde_json::json!([
                "CloudFrontDefaultCertificate",
                "ACMCertificateArn",
                "IAMCertificateId"
            ])
        );
    }

    #[test]
    fn a_custom_certificate_needs_its_support_method_and_minimum_version() {
        let findings = findings_for_viewer(custom(None, Some("")));
        assert_codes(&findings, &["viewer-tls-policy-invalid"]);
        assert!(findings[0]
            .message
            .contains("SSLSupportMethod, MinimumProtocolVersion"));
    }

    #[test]
    fn policies_below_tls12_2021_are_outdated_and_newer_or_unknown_ones_are_not() {
        for old in [
            "TLSv1",
            "TLSv1_2016",
            "TLSv1.1_2016",
            "TLSv1.2_2018",
            "TLSv1.2_2019",
        ] {
            assert_codes(
                &findings_for_viewer(custom(Some("sni-only"), Some(old))),
                &["viewer-tls-policy-outdated"],
            );
        }
        for current in [
            "TLSv1.2_2021",
            "TLSv1.2_2025",
            "TLSv1.3_2025",
            "TLSv1.3_2031",
        ] {
            assert_codes(
                &findings_for_viewer(custom(Some("sni-only"), Some(current))),
                &[],
            );
        }
    }

    #[test]
    fn the_default_certificate_is_pinned_to_tlsv1_and_not_reported() {
        let mut dist = healthy_distribution("E1");
        dist.aliases.clear();
        dist.viewer_certificate = ViewerCertificate {
            cloudfront_default_certificate: Some(true),
            ssl_support_method: Some("sni-only".into()),
            minimum_protocol_version: Some("TLSv1".into()),
            ..Default::default()
        };
        assert_codes(&evaluate(&snapshot_of(vec![dist.clone()]), now()), &[]);

        dist.default_cache_behavior.viewer_protocol_policy = "allow-all".into();
        assert_codes(
            &evaluate(&snapshot_of(vec![dist]), now()),
            &["viewer-http-allowed"],
        );
    }

    #[test]
    fn every_behaviour_that_allows_http_is_reported() {
        let mut dist = healthy_distribution("E1");
        dist.default_cache_behavior.viewer_protocol_policy = "allow-all".into();
        dist.cache_behaviors = vec![
            CacheBehavior {
                path_pattern: Some("/legacy/*".into()),
                viewer_protocol_policy: "allow-all".into(),
                ..dist.default_cache_behavior.clone()
            },
            CacheBehavior {
                path_pattern: Some("/secure/*".into()),
                viewer_protocol_policy: "https-only".into(),
                ..dist.default_cache_behavior.clone()
            },
        ];
        let findings = evaluate(&healthy_snapshot(vec![dist]), now());
        assert_codes(&findings, &["viewer-http-allowed", "viewer-http-allowed"]);
        let subjects: Vec<&str> = findings.iter().map(|f| f.subject.as_str()).collect();
        assert_eq!(
            subjects,
            ["cache behaviour default", "cache behaviour /legacy/*"]
        );
    }

    #[test]
    fn a_proposed_policy_cloudfront_does_not_have_is_invalid_and_a_deployed_one_is_newer_than_us() {
        let mut proposed = healthy_distribution("E1");
        proposed.origin = crate::model::DistributionOrigin::Proposed;
        proposed.viewer_certificate = custom(Some("sni-only"), Some("TLSv1.2_2022"));
        let findings = evaluate(&healthy_snapshot(vec![proposed.clone()]), now());
        assert_codes(&findings, &["viewer-tls-policy-invalid"]);
        assert_eq!(
            findings[0].evidence["minimum_protocol_version"],
            "TLSv1.2_2022"
        );
        assert_eq!(findings[0].severity, crate::finding::Severity::Medium);
        // Every policy CloudFront has, the newest included, is quiet.
        for policy in ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] {
            proposed.viewer_certificate = custom(Some("sni-only"), Some(policy));
            assert_codes(
                &evaluate(&healthy_snapshot(vec![proposed.clone()]), now()),
                &[],
            );
        }
        // The gate's placeholder for a value it cannot know is not a policy.
        proposed.viewer_certificate = custom(Some("sni-only"), Some("{{unresolved}}"));
        assert_codes(&evaluate(&healthy_snapshot(vec![proposed]), now()), &[]);
        // CloudFront accepted a deployed one: it is a policy newer than this tool.
        assert_codes(
            &findings_for_viewer(custom(Some("sni-only"), Some("TLSv1.2_2022"))),
            &[],
        );
    }
}
