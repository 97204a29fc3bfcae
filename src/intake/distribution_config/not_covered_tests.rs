//! The parts of a DistributionConfig that the audit names as not covered (`audit-not-covered`): read
//! from the CLI's PascalCase and from CloudTrail's camelCase alike, refused with a path when malformed.

use serde_json::{json, Value};

use super::*;

/// `tests/fixtures/configs/not-covered.json`: `get-distribution-config` output carrying every part
/// the audit does not cover, in the CLI's spelling. The inventory's tests build the same distribution
/// from SDK types and compare; the property tests mutate it.
pub(crate) fn config_with_every_part() -> Value {
    let text = include_str!("../../../tests/fixtures/configs/not-covered.json");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not-covered.json: {e}"))
}

/// The bare DistributionConfig of [`config_with_every_part`].
fn bare_config() -> Value {
    config_with_every_part()["DistributionConfig"].clone()
}

/// The same document with every key in CloudTrail's mechanical camelCase (first letter lowered).
fn camel_cased(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let camel = chars
                        .next()
                        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
                        .unwrap_or_default();
                    (camel, camel_cased(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel_cased).collect()),
        other => other.clone(),
    }
}

fn assert_every_part(distribution: &Distribution) {
    assert_eq!(distribution.connection_mode.as_deref(), Some("tenant-only"));
    assert_eq!(
        distribution.tenant_config,
        Some(TenantConfig {
            parameter_names: vec!["tenantName".into()]
        })
    );
    assert_eq!(
        distribution.viewer_mtls_config,
        Some(ViewerMtlsConfig {
            mode: "required".into(),
            trust_store_id: Some("ts-0a1b2c".into()),
            ignore_certificate_expiry: Some(false),
        })
    );
    assert_eq!(
        distribution.connection_function_association_id.as_deref(),
        Some("cf-check-cert")
    );
    let OriginKind::Custom(custom) = &distribution.origins[0].kind else {
        panic!("{:?}", distribution.origins[0].kind)
    };
    assert_eq!(
        custom.origin_mtls_client_certificate_arn.as_deref(),
        Some("arn:aws:acm:us-east-1:111122223333:certificate/client-1")
    );
    assert_eq!(
        distribution.origins[1].kind,
        OriginKind::Vpc {
            vpc_origin_id: "vo_0123456789abcdef".into(),
            owner_account_id: Some("444455556666".into()),
        }
    );
    let behavior = &distribution.default_cache_behavior;
    assert_eq!(
        behavior.function_associations,
        [FunctionAssociation {
            arn: "arn:aws:cloudfront::111122223333:function/pick-origin".into(),
            event_type: "viewer-request".into(),
        }]
    );
    assert_eq!(
        behavior.lambda_function_associations,
        [FunctionAssociation {
            arn: "arn:aws:lambda:us-east-1:111122223333:function:route:7".into(),
            event_type: "origin-request".into(),
        }]
    );
}

#[test]
fn every_part_is_read_in_the_cli_spelling() {
    let distribution = distribution_from_value(&config_with_every_part(), "parts")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_every_part(&distribution);
}

#[test]
fn every_part_is_read_in_cloudtrails_spelling() {
    let request_parameters = json!({"distributionConfig": camel_cased(&bare_config())});
    assert!(request_parameters
        .pointer("/distributionConfig/viewerMtlsConfig/trustStoreConfig/trustStoreId")
        .is_some());
    let distribution =
        distribution_from_value(&request_parameters, "parts").unwrap_or_else(|e| panic!("{e}"));
    assert_every_part(&distribution);
}

#[test]
fn a_config_without_these_parts_has_none_of_them() {
    let mut config = bare_config();
    if let Some(map) = config.as_object_mut() {
        for key in [
            "ConnectionMode",
            "TenantConfig",
            "ViewerMtlsConfig",
            "ConnectionFunctionAssociation",
        ] {
            map.remove(key);
        }
    }
    let distribution = distribution_from_value(&config, "parts").unwrap_or_else(|e| panic!("{e}"));
    assert!(!distribution.is_multi_tenant());
    assert_eq!(distribution.viewer_mtls_config, None);
    assert_eq!(distribution.connection_function_association_id, None);
    // ViewerMtlsConfig without a TrustStoreConfig is allowed by the API.
    let mut config = bare_config();
    config["ViewerMtlsConfig"] = json!({"Mode": "passthrough"});
    let distribution = distribution_from_value(&config, "parts").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        distribution
            .viewer_mtls_config
            .map(|m| (m.mode, m.trust_store_id)),
        Some(("passthrough".into(), None))
    );
}

#[test]
fn malformed_parts_are_refused_with_their_path() {
    let cases: [(&str, Value, &str); 8] = [
        (
            "/DefaultCacheBehavior/FunctionAssociations/Items/0",
            json!({"EventType": "viewer-request"}),
            "DefaultCacheBehavior.FunctionAssociations.Items[0]: required field FunctionARN is missing",
        ),
        (
            "/DefaultCacheBehavior/LambdaFunctionAssociations/Items/0",
            json!({"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:route:7"}),
            "DefaultCacheBehavior.LambdaFunctionAssociations.Items[0]: required field EventType is missing",
        ),
        (
            "/DefaultCacheBehavior/FunctionAssociations",
            json!("viewer-request"),
            "DefaultCacheBehavior.FunctionAssociations: expected a list",
        ),
        (
            "/ViewerMtlsConfig",
            json!(["required"]),
            "ViewerMtlsConfig: expected an object",
        ),
        (
            "/ViewerMtlsConfig/TrustStoreConfig",
            json!({"IgnoreCertificateExpiry": true}),
            "ViewerMtlsConfig.TrustStoreConfig: required field TrustStoreId is missing",
        ),
        (
            "/Origins/Items/0/CustomOriginConfig/OriginMtlsConfig",
            json!({}),
            "Origins.Items[0].CustomOriginConfig.OriginMtlsConfig: required field ClientCertificateArn is missing",
        ),
        (
            "/TenantConfig/ParameterDefinitions/0",
            json!({"Definition": {}}),
            "TenantConfig.ParameterDefinitions[0]: required field Name is missing",
        ),
        (
            "/ConnectionMode",
            json!(7),
            "ConnectionMode: expected a string",
        ),
    ];
    for (pointer, replacement, expected) in cases {
        let mut config = bare_config();
        match config.pointer_mut(pointer) {
            Some(slot) => *slot = replacement,
            None => panic!("no {pointer}"),
        }
        let error = match distribution_from_value(&config, "parts") {
            Ok(distribution) => panic!("{pointer}: expected an error, got {distribution:?}"),
            Err(error) => error.to_string(),
        };
        assert!(error.starts_with(expected), "{pointer}: {error}");
    }
}
