//! Codes: `audit-not-covered`.
//!
//! What the audit does not look at is said, never passed over in silence: each part of a distribution
//! that no rule or probe reads today becomes one info finding naming the part, what was not checked and
//! how to check it by hand. A report without findings must mean "checked and fine", not "not looked at".
//!
//! The parts, and the evidence each one leaves in the configuration:
//! * VPC origins, only where the run read none (the pre-deploy gate): `rules/origin_lb.rs` says so;
//! * viewer mTLS: `ViewerMtlsConfig`, and a `ConnectionFunctionAssociation`, on the distribution;
//! * origin mTLS: `CustomOriginConfig.OriginMtlsConfig` on a custom origin;
//! * multi-tenant distributions: `ConnectionMode` `tenant-only` or a `TenantConfig` (the tenants
//!   themselves are separate resources the audit does not read);
//! * origins chosen at run time: a CloudFront Function on `viewer-request` or a Lambda@Edge function on
//!   `origin-request`, the only events where each can change the origin (CloudFront Developer Guide,
//!   "Helper methods for origin modification" and "Lambda@Edge event structure"). Only the association
//!   is visible, not what the code does, so the finding says the origin *may* be chosen at run time.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::catalogue::{
    NOT_COVERED_CONNECTION_FUNCTION, NOT_COVERED_ORIGIN_MTLS, NOT_COVERED_RUNTIME_ORIGIN,
    NOT_COVERED_TENANTS, NOT_COVERED_VIEWER_MTLS,
};
use crate::finding::Finding;
use crate::model::{non_empty, Distribution, FunctionAssociation, OriginKind};

/// The one event on which each kind of function can change the origin.
const CLOUDFRONT_FUNCTION_ORIGIN_EVENT: &str = "viewer-request";
/// See [`CLOUDFRONT_FUNCTION_ORIGIN_EVENT`].
const LAMBDA_EDGE_ORIGIN_EVENT: &str = "origin-request";

pub(super) fn check(distribution: &Distribution, findings: &mut Vec<Finding>) {
    origins(distribution, findings);
    viewer_connection(distribution, findings);
    tenants(distribution, findings);
    runtime_origins(distribution, findings);
}

/// A string of the configuration for evidence, or null (rendered "(none)") when it is blank.
fn given(value: &Option<String>) -> Value {
    non_empty(value).map_or(Value::Null, Value::from)
}

fn origins(distribution: &Distribution, findings: &mut Vec<Finding>) {
    for origin in &distribution.origins {
        match &origin.kind {
            // Read and judged by `origin_lb` (`audit-not-covered` there only when not read).
            OriginKind::Vpc { .. } => {}
            OriginKind::Custom(custom) => {
                // `Some("")` still asks for mutual TLS: the configuration is there, the ARN is not.
                if let Some(arn) = &custom.origin_mtls_client_certificate_arn {
                    findings.push(
                        Finding::builder(&NOT_COVERED_ORIGIN_MTLS)
                            .for_distribution(distribution)
                            .subject(origin.id.clone())
                            .evidence("origin_id", origin.id.clone())
                            .evidence("origin_domain", origin.domain_name.clone())
                            .evidence("client_certificate_arn", given(&Some(arn.clone())))
                            .build(),
                    );
                }
            }
            OriginKind::S3 => {}
        }
    }
}

fn viewer_connection(distribution: &Distribution, findings: &mut Vec<Finding>) {
    if let Some(mtls) = &distribution.viewer_mtls_config {
        let mut builder = Finding::builder(&NOT_COVERED_VIEWER_MTLS)
            .for_distribution(distribution)
            .subject("ViewerMtlsConfig")
            .evidence("mode", mtls.mode.clone())
            .evidence("trust_store_id", given(&mtls.trust_store_id));
        if let Some(ignore) = mtls.ignore_certificate_expiry {
            builder = builder.evidence("ignore_certificate_expiry", ignore);
        }
        findings.push(builder.build());
    }
    if let Some(id) = non_empty(&distribution.connection_function_association_id) {
        findings.push(
            Finding::builder(&NOT_COVERED_CONNECTION_FUNCTION)
                .for_distribution(distribution)
                .subject("ConnectionFunctionAssociation")
                .evidence("connection_function_id", id.to_owned())
                .build(),
        );
    }
}

fn tenants(distribution: &Distribution, findings: &mut Vec<Finding>) {
    if !distribution.is_multi_tenant() {
        return;
    }
    let parameters: Vec<String> = distribution
        .tenant_config
        .as_ref()
        .map(|config| config.parameter_names.clone())
        .unwrap_or_default();
    let mut builder = Finding::builder(&NOT_COVERED_TENANTS)
        .for_distribution(distribution)
        .subject("distribution tenants")
        .evidence("distribution_id", distribution.id.clone())
        .evidence("connection_mode", given(&distribution.connection_mode))
        .evidence("tenant_parameters", parameters);
    // A `{{parameter}}` in an origin's domain name takes each tenant's value: the audit only ever
    // sees the placeholder, so those origins are named as evidence.
    let parameterised: Vec<String> = distribution
        .origins
        .iter()
        .filter(|origin| origin.domain_name.contains("{{"))
        .map(|origin| origin.id.clone())
        .collect();
    if !parameterised.is_empty() {
        builder = builder.evidence("origins_with_tenant_parameters", parameterised);
    }
    findings.push(builder.build());
}

/// One function that may choose the origin, with the behaviours it is associated with.
struct RuntimeOrigin<'a> {
    function_kind: &'static str,
    association: &'a FunctionAssociation,
    cache_behaviors: Vec<String>,
}

fn runtime_origins(distribution: &Distribution, findings: &mut Vec<Finding>) {
    // One finding per function and event, listing its behaviours: a function shared by 30 behaviours
    // is one thing to check by hand, not 30.
    // Found by key, not by a scan: a hostile configuration with thousands of distinct functions must
    // not make this quadratic. The Vec keeps the order of first appearance for the report.
    let mut functions: Vec<RuntimeOrigin<'_>> = Vec::new();
    let mut index: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for behavior in distribution.all_cache_behaviors() {
        let candidates = [
            (
                "CloudFront",
                CLOUDFRONT_FUNCTION_ORIGIN_EVENT,
                &behavior.function_associations,
            ),
            (
                "Lambda@Edge",
                LAMBDA_EDGE_ORIGIN_EVENT,
                &behavior.lambda_function_associations,
            ),
        ];
        for (function_kind, origin_event, associations) in candidates {
            for association in associations
                .iter()
                .filter(|a| a.event_type.trim().eq_ignore_ascii_case(origin_event))
            {
                let label = behavior.label().to_owned();
                let key = (
                    function_kind,
                    association.arn.as_str(),
                    association.event_type.as_str(),
                );
                match index.get(&key) {
                    Some(&at) => {
                        if let Some(seen) = functions.get_mut(at) {
                            seen.cache_behaviors.push(label);
                        }
                    }
                    None => {
                        index.insert(key, functions.len());
                        functions.push(RuntimeOrigin {
                            function_kind,
                            association,
                            cache_behaviors: vec![label],
                        });
                    }
                }
            }
        }
    }
    for function in functions {
        findings.push(
            Finding::builder(&NOT_COVERED_RUNTIME_ORIGIN)
                .for_distribution(distribution)
                .subject(function.association.arn.clone())
                .evidence("function_kind", function.function_kind)
                .evidence("function_arn", function.association.arn.clone())
                .evidence("event_type", function.association.event_type.clone())
                .evidence("cache_behaviors", function.cache_behaviors)
                .build(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::{CacheBehavior, Origin, TenantConfig, ViewerMtlsConfig};

    const NOT_COVERED: &str = "audit-not-covered";

    fn not_covered(distribution: Distribution) -> Vec<Finding> {
        let findings = crate::rules::evaluate(&healthy_snapshot(vec![distribution]), now());
        findings
            .into_iter()
            .filter(|f| f.code.as_str() == NOT_COVERED)
            .collect()
    }

    fn function(arn: &str, event_type: &str) -> FunctionAssociation {
        FunctionAssociation {
            arn: arn.into(),
            event_type: event_type.into(),
        }
    }

    #[test]
    fn a_healthy_distribution_has_nothing_outside_the_audit() {
        let findings =
            crate::rules::evaluate(&healthy_snapshot(vec![healthy_distribution("E1")]), now());
        assert_codes(&findings, &[]);
    }

    #[test]
    fn each_vpc_origin_is_named_as_not_audited() {
        let mut dist = healthy_distribution("E1");
        for (id, owner) in [("vpc-a", None), ("vpc-b", Some("444455556666"))] {
            dist.origins.push(Origin {
                id: id.into(),
                domain_name: format!("{id}.internal.example"),
                connection_timeout: None,
                connection_attempts: None,
                kind: OriginKind::Vpc {
                    vpc_origin_id: format!("vo_{id}"),
                    owner_account_id: owner.map(str::to_owned),
                },
            });
        }
        let findings = not_covered(dist);
        assert_codes(&findings, &[NOT_COVERED, NOT_COVERED]);
        assert_eq!(findings[0].subject, "vpc-a");
        assert_eq!(findings[0].severity, crate::finding::Severity::Info);
        assert!(
            findings[0]
                .message
                .contains("VPC origin vpc-a (VpcOriginId vo_vpc-a)"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].remediation[0].contains("get-vpc-origin --id vo_vpc-a"));
        assert!(!findings[0].evidence.contains_key("owner_account_id"));
        assert_eq!(findings[1].evidence["owner_account_id"], "444455556666");
    }

    #[test]
    fn an_origin_with_mtls_names_its_client_certificate() {
        let mut dist = healthy_distribution("E1");
        if let OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_mtls_client_certificate_arn = Some(ACM_ARN.into());
        }
        let findings = not_covered(dist.clone());
        assert_codes(&findings, &[NOT_COVERED]);
        assert_eq!(findings[0].subject, "app");
        assert!(
            findings[0].message.contains(ACM_ARN),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("OriginMtlsConfig"));

        // A configuration without the ARN still asks for mutual TLS, so it is still named.
        if let OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_mtls_client_certificate_arn = Some(String::new());
        }
        let findings = not_covered(dist);
        assert_codes(&findings, &[NOT_COVERED]);
        assert!(findings[0].message.contains("certificate (none)"));
    }

    #[test]
    fn viewer_mtls_names_its_mode_and_trust_store() {
        let mut dist = healthy_distribution("E1");
        dist.viewer_mtls_config = Some(ViewerMtlsConfig {
            mode: "required".into(),
            trust_store_id: Some("ts-123".into()),
            ignore_certificate_expiry: Some(false),
        });
        let findings = not_covered(dist);
        assert_codes(&findings, &[NOT_COVERED]);
        assert_eq!(findings[0].subject, "ViewerMtlsConfig");
        assert!(findings[0]
            .message
            .starts_with("Viewer mTLS (Mode required, trust store ts-123) was not audited"));
        assert!(findings[0].remediation[0].contains("--identifier ts-123"));
        assert_eq!(findings[0].evidence["ignore_certificate_expiry"], false);
    }

    #[test]
    fn a_connection_function_is_named() {
        let mut dist = healthy_distribution("E1");
        dist.connection_function_association_id = Some("cf_abc".into());
        let findings = not_covered(dist);
        assert_codes(&findings, &[NOT_COVERED]);
        assert_eq!(findings[0].subject, "ConnectionFunctionAssociation");
        assert!(findings[0].message.contains("Connection function cf_abc"));
    }

    #[test]
    fn a_multi_tenant_distribution_says_its_tenants_are_not_audited() {
        let mut by_mode = healthy_distribution("E1");
        by_mode.connection_mode = Some("tenant-only".into());
        let findings = not_covered(by_mode);
        assert_codes(&findings, &[NOT_COVERED]);
        assert_eq!(findings[0].subject, "distribution tenants");
        assert!(findings[0]
            .message
            .starts_with("Multi-tenant distribution (ConnectionMode tenant-only)"));
        assert!(findings[0].remediation[0].contains("DistributionId=E1"));

        // A TenantConfig alone marks a multi-tenant distribution too; its parameters are evidence.
        let mut by_config = healthy_distribution("E2");
        by_config.tenant_config = Some(TenantConfig {
            parameter_names: vec!["tenantName".into()],
        });
        by_config.origins[0].domain_name = "{{tenantName}}.origin.example.com".into();
        let findings = not_covered(by_config);
        assert_codes(&findings, &[NOT_COVERED]);
        assert_eq!(findings[0].evidence["tenant_parameters"][0], "tenantName");
        assert_eq!(
            findings[0].evidence["origins_with_tenant_parameters"],
            serde_json::json!(["app"])
        );
        assert!(findings[0].message.contains("ConnectionMode (none)"));

        // `direct` is a standard distribution.
        let mut direct = healthy_distribution("E3");
        direct.connection_mode = Some("direct".into());
        assert_codes(&not_covered(direct), &[]);
    }

    #[test]
    fn functions_that_can_change_the_origin_are_named_once_with_their_behaviours() {
        let viewer_function = "arn:aws:cloudfront::111122223333:function/route";
        let edge_function = "arn:aws:lambda:us-east-1:111122223333:function:route:3";
        let mut dist = healthy_distribution("E1");
        dist.default_cache_behavior.function_associations =
            vec![function(viewer_function, "viewer-request")];
        dist.default_cache_behavior.lambda_function_associations = vec![
            function(edge_function, "origin-request"),
            // Neither can change the origin: not named.
            function(
                "arn:aws:lambda:us-east-1:111122223333:function:headers:1",
                "origin-response",
            ),
            function(
                "arn:aws:lambda:us-east-1:111122223333:function:auth:1",
                "viewer-request",
            ),
        ];
        dist.cache_behaviors.push(CacheBehavior {
            path_pattern: Some("/api/*".into()),
            function_associations: vec![
                function(viewer_function, "viewer-request"),
                function(
                    "arn:aws:cloudfront::111122223333:function/hsts",
                    "viewer-response",
                ),
            ],
            ..dist.default_cache_behavior.clone()
        });
        let findings = not_covered(dist);
        assert_codes(&findings, &[NOT_COVERED, NOT_COVERED]);
        let viewer = findings
            .iter()
            .find(|f| f.subject == viewer_function)
            .expect("the CloudFront function is named");
        assert_eq!(
            viewer.evidence["cache_behaviors"],
            serde_json::json!(["default", "/api/*"])
        );
        assert!(viewer.message.starts_with(&format!(
            "CloudFront function {viewer_function} runs on viewer-request for cache behaviours \
             default, /api/*, where it may choose the origin at run time."
        )));
        let edge = findings
            .iter()
            .find(|f| f.subject == edge_function)
            .expect("the Lambda@Edge function is named");
        assert_eq!(edge.evidence["function_kind"], "Lambda@Edge");
        assert_eq!(edge.evidence["event_type"], "origin-request");
    }

    #[test]
    fn a_distribution_with_every_part_gets_one_finding_per_part() {
        let mut dist = healthy_distribution("E1");
        dist.origins.push(Origin {
            id: "vpc".into(),
            domain_name: "internal.example".into(),
            connection_timeout: None,
            connection_attempts: None,
            kind: OriginKind::Vpc {
                vpc_origin_id: "vo_1".into(),
                owner_account_id: None,
            },
        });
        if let OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_mtls_client_certificate_arn = Some(ACM_ARN.into());
        }
        dist.viewer_mtls_config = Some(ViewerMtlsConfig {
            mode: "optional".into(),
            trust_store_id: None,
            ignore_certificate_expiry: None,
        });
        dist.connection_function_association_id = Some("cf_1".into());
        dist.connection_mode = Some("tenant-only".into());
        dist.default_cache_behavior.lambda_function_associations = vec![function(
            "arn:aws:lambda:us-east-1:1:function:f:1",
            "origin-request",
        )];
        let findings = not_covered(dist);
        let mut subjects: Vec<&str> = findings.iter().map(|f| f.subject.as_str()).collect();
        subjects.sort_unstable();
        assert_eq!(
            subjects,
            [
                "ConnectionFunctionAssociation",
                "ViewerMtlsConfig",
                "app",
                "arn:aws:lambda:us-east-1:1:function:f:1",
                "distribution tenants",
                "vpc"
            ]
        );
        assert_codes(&findings, &[NOT_COVERED; 6]);
    }
}
