//! Codes: `viewer-tls-policy-invalid`, `viewer-tls-policy-outdated`, `viewer-http-allowed`.
//!
//! The viewer certificate's security settings and each behaviour's viewer protocol policy.
//! Sources: cloudfront-tls-rules.md §1.1, §1.2.

use crate::catalogue::{
    HTTP_ALLOWED, POLICY_MISSING_FIELD, POLICY_OUTDATED, POLICY_SEVERAL_SOURCES,
    POLICY_SSLV3_WITH_SNI,
};
use crate::finding::Finding;
use crate::model::{non_empty, Distribution};
use crate::vocabulary::SslSupportMethod;

/// Security policies older than TLSv1.2_2021, matched as strings: the SDK does not know every value,
/// and an unknown (newer) value is not outdated.
const OUTDATED_POLICIES: [&str; 6] = [
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
];

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
}
