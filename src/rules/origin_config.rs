//! Codes: `origin-http-only`, `origin-deprecated-protocols`.
//!
//! How the distribution configures its custom origins, before any handshake. Sources:
//! cloudfront-tls-rules.md §3.1.

use crate::catalogue::{Cause, DEPRECATED_PROTOCOLS, HTTP_ONLY_CUSTOM, HTTP_ONLY_S3_WEBSITE};
use crate::finding::Finding;
use crate::model::{Distribution, OriginKind};
use crate::names::normalise;
use crate::vocabulary::OriginProtocolPolicy;

/// The versions OriginSslProtocols may list that are deprecated (RFC 8996).
pub(super) const DEPRECATED: [&str; 3] = ["SSLv3", "TLSv1", "TLSv1.1"];

/// The deprecated versions among `origin_ssl_protocols` (of an origin or a VPC origin).
pub(super) fn deprecated_in(origin_ssl_protocols: &[String]) -> Vec<&'static str> {
    DEPRECATED
        .into_iter()
        .filter(|d| origin_ssl_protocols.iter().any(|p| p == d))
        .collect()
}

pub(super) fn check(distribution: &Distribution, findings: &mut Vec<Finding>) {
    for origin in &distribution.origins {
        let OriginKind::Custom(custom) = &origin.kind else {
            continue;
        };
        let start = |cause: &'static Cause| {
            Finding::builder(cause)
                .for_distribution(distribution)
                .subject(format!("origin {}", origin.id))
                .evidence("origin_id", origin.id.clone())
                .evidence("origin_domain", origin.domain_name.clone())
        };
        let http_only = if is_s3_website_endpoint(&origin.domain_name) {
            &HTTP_ONLY_S3_WEBSITE
        } else {
            &HTTP_ONLY_CUSTOM
        };
        findings.extend(protocol_settings(
            &custom.origin_protocol_policy,
            &custom.origin_ssl_protocols,
            http_only,
            &start,
        ));
    }
}

/// The finding on an origin's (or VPC origin's) protocol policy and OriginSslProtocols, if any:
/// `http_only` for plain HTTP, `origin-deprecated-protocols` for SSLv3 to TLS 1.1 allowed. An
/// unknown or missing policy is not judged here (the probe still tells the truth).
pub(super) fn protocol_settings(
    policy: &OriginProtocolPolicy,
    origin_ssl_protocols: &[String],
    http_only: &'static Cause,
    start: &impl Fn(&'static Cause) -> crate::finding::FindingBuilder,
) -> Option<Finding> {
    match policy {
        OriginProtocolPolicy::HttpOnly => Some(
            start(http_only)
                .evidence("origin_protocol_policy", "http-only")
                .build(),
        ),
        policy if policy.uses_tls() => {
            let deprecated = deprecated_in(origin_ssl_protocols);
            (!deprecated.is_empty()).then(|| {
                start(&DEPRECATED_PROTOCOLS)
                    .evidence("deprecated_protocols", deprecated)
                    .evidence("origin_ssl_protocols", origin_ssl_protocols.to_vec())
                    .build()
            })
        }
        _ => None,
    }
}

/// `BUCKET.s3-website-REGION.amazonaws.com` and `BUCKET.s3-website.REGION.amazonaws.com`.
fn is_s3_website_endpoint(domain: &str) -> bool {
    let domain = normalise(domain);
    domain.contains(".s3-website") && domain.ends_with(".amazonaws.com")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::model::OriginKind;
    use crate::rules::evaluate;

    fn with_origin(policy: &str, domain: &str, protocols: &[&str]) -> Vec<crate::finding::Finding> {
        let mut dist = healthy_distribution("E1");
        dist.origins[0].domain_name = domain.into();
        if let OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_protocol_policy = policy.into();
            custom.origin_ssl_protocols = protocols.iter().map(|p| p.to_string()).collect();
        }
        evaluate(&healthy_snapshot(vec![dist]), now())
    }

    #[test]
    fn plain_http_to_a_custom_origin_is_medium() {
        let findings = with_origin("http-only", "app.example.com", &["TLSv1.2"]);
        assert_codes(&findings, &["origin-http-only"]);
        assert!(findings[0].message.contains("plain HTTP"));
    }

    #[test]
    fn an_s3_website_endpoint_is_told_it_cannot_do_https() {
        for domain in [
            "site.s3-website-us-east-1.amazonaws.com",
            "site.s3-website.eu-west-1.amazonaws.com",
        ] {
            let findings = with_origin("http-only", domain, &[]);
            assert_codes(&findings, &["origin-http-only"]);
            assert!(
                findings[0].message.contains("cannot serve HTTPS"),
                "{domain}"
            );
        }
    }

    #[test]
    fn deprecated_origin_protocols_are_low_and_tls12_alone_is_silent() {
        let findings = with_origin(
            "https-only",
            "app.example.com",
            &["TLSv1", "TLSv1.1", "TLSv1.2"],
        );
        assert_codes(&findings, &["origin-deprecated-protocols"]);
        assert_eq!(
            findings[0].evidence["deprecated_protocols"],
            serde_json::json!(["TLSv1", "TLSv1.1"])
        );
        assert_codes(
            &with_origin("match-viewer", "app.example.com", &["TLSv1.2"]),
            &[],
        );
        // Protocols do not matter when the origin is reached over HTTP only.
        assert_codes(
            &with_origin("http-only", "app.example.com", &["SSLv3"]),
            &["origin-http-only"],
        );
    }
}
