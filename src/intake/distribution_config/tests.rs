//! The DistributionConfig reader, tested through its entry points on every accepted shape, casing and
//! kind of malformation.

use serde_json::json;

use super::*;

/// The smallest config the parser accepts, in the CLI's PascalCase.
fn minimal_config() -> Value {
    json!({
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "o1", "DomainName": "origin.example.com",
            "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "https-only"}
    })
}

fn parse(value: &Value) -> Result<Distribution, ConfigError> {
    distribution_from_value(value, "label.json")
}

fn parse_ok(value: &Value) -> Distribution {
    match parse(value) {
        Ok(distribution) => distribution,
        Err(e) => panic!("expected a distribution, got: {e}"),
    }
}

fn parse_err(value: &Value) -> ConfigError {
    match parse(value) {
        Ok(distribution) => panic!("expected an error, got: {distribution:?}"),
        Err(e) => e,
    }
}

/// The minimal config with `pointer` (a JSON pointer into it) replaced by `replacement`.
fn minimal_with(pointer: &str, replacement: Value) -> Value {
    let mut config = minimal_config();
    match config.pointer_mut(pointer) {
        Some(slot) => *slot = replacement,
        None => panic!("no {pointer} in the minimal config"),
    }
    config
}

/// The minimal config with the field at `pointer` removed.
fn minimal_without(pointer: &str) -> Value {
    let mut config = minimal_config();
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let removed = config
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(key));
    assert!(removed.is_some(), "no {pointer} in the minimal config");
    config
}

#[test]
fn every_accepted_wrapper_yields_the_config_and_the_right_id() {
    let config = minimal_config();
    let cases = [
        ("bare DistributionConfig", config.clone(), "label.json"),
        (
            "get-distribution-config output",
            json!({"ETag": "E2QWRUHAPOMQZL", "DistributionConfig": config}),
            "label.json",
        ),
        (
            "get-distribution output",
            json!({"ETag": "E2QW", "Distribution": {
                "Id": "E1ABCDEF", "ARN": "arn:aws:cloudfront::111122223333:distribution/E1ABCDEF",
                "Status": "Deployed", "DomainName": "d111.cloudfront.net",
                "DistributionConfig": config}}),
            "E1ABCDEF",
        ),
        (
            "CloudTrail requestParameters of UpdateDistribution",
            json!({"id": "EDFDVBD6EXAMPLE", "ifMatch": "E1RT", "distributionConfig": config}),
            "EDFDVBD6EXAMPLE",
        ),
        (
            "CloudTrail requestParameters of CreateDistribution",
            json!({"distributionConfig": config}),
            "label.json",
        ),
        (
            "CloudTrail requestParameters of CreateDistributionWithTags",
            json!({"distributionConfigWithTags": {
                "distributionConfig": config, "tags": {"items": []}}}),
            "label.json",
        ),
        (
            "bare DistributionConfig carrying a top-level Id",
            {
                let mut with_id = config.clone();
                with_id["Id"] = json!("E9HANDWRITTEN");
                with_id
            },
            "E9HANDWRITTEN",
        ),
    ];
    for (shape, document, expected_id) in cases {
        let distribution = match parse(&document) {
            Ok(d) => d,
            Err(e) => panic!("{shape}: {e}"),
        };
        assert_eq!(distribution.id, expected_id, "{shape}");
        assert_eq!(distribution.origin, DistributionOrigin::Proposed, "{shape}");
        assert_eq!(distribution.origins.len(), 1, "{shape}");
        assert_eq!(distribution.default_cache_behavior.target_origin_id, "o1");
    }
}

#[test]
fn get_distribution_output_also_fills_arn_domain_name_and_status() {
    let document = json!({"Distribution": {
        "Id": "E1ABCDEF", "ARN": "arn:aws:cloudfront::111122223333:distribution/E1ABCDEF",
        "Status": "InProgress", "DomainName": "d111.cloudfront.net",
        "DistributionConfig": minimal_config()}});
    let distribution = parse_ok(&document);
    assert_eq!(
        distribution.arn.as_deref(),
        Some("arn:aws:cloudfront::111122223333:distribution/E1ABCDEF")
    );
    assert_eq!(
        distribution.domain_name.as_deref(),
        Some("d111.cloudfront.net")
    );
    assert_eq!(
        distribution.status.as_ref().map(|v| v.as_str()),
        Some("InProgress")
    );
}

#[test]
fn an_empty_document_id_falls_back_to_the_label() {
    let document = json!({"id": "", "distributionConfig": minimal_config()});
    assert_eq!(parse_ok(&document).id, "label.json");
}

#[test]
fn cloudtrail_update_distribution_camel_case_is_read_field_by_field() {
    // requestParameters of the AWS-published UpdateDistribution example (events reference §1.2).
    let document = json!({
        "id": "EDFDVBD6EXAMPLE",
        "ifMatch": "E1RTLUR9YES76O",
        "distributionConfig": {
            "aliases": {"quantity": 3, "items": ["example.com", "www.example.com", "*.example.com"]},
            "viewerCertificate": {
                "minimumProtocolVersion": "TLSv1.2_2021",
                "cloudFrontDefaultCertificate": false,
                "aCMCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
                "sSLSupportMethod": "sni-only"
            },
            "httpVersion": "http2and3",
            "origins": {"quantity": 1, "items": [{
                "id": "d111111abcdef8", "domainName": "d111111abcdef8.cloudfront.net",
                "customOriginConfig": {"hTTPPort": 80, "hTTPSPort": 443, "originProtocolPolicy": "https-only",
                    "originSslProtocols": {"quantity": 3, "items": ["TLSv1", "TLSv1.1", "TLSv1.2"]},
                    "originReadTimeout": 30, "originKeepaliveTimeout": 5}
            }]},
            "defaultCacheBehavior": {"targetOriginId": "d111111abcdef8", "viewerProtocolPolicy": "redirect-to-https"},
            "enabled": true, "staging": false, "callerReference": "1578329170895",
            "comment": "HIDDEN_DUE_TO_SECURITY_REASONS"
        }
    });
    let d = parse_ok(&document);
    assert_eq!(d.id, "EDFDVBD6EXAMPLE");
    assert!(d.enabled);
    assert_eq!(
        d.aliases,
        ["example.com", "www.example.com", "*.example.com"]
    );
    assert_eq!(
        d.viewer_certificate,
        ViewerCertificate {
            cloudfront_default_certificate: Some(false),
            acm_certificate_arn: Some(
                "arn:aws:acm:us-east-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
                    .to_owned()
            ),
            iam_certificate_id: None,
            ssl_support_method: Some("sni-only".into()),
            minimum_protocol_version: Some("TLSv1.2_2021".to_owned()),
        }
    );
    assert_eq!(d.http_version.as_deref(), Some("http2and3"));
    assert_eq!(
        d.origins,
        [Origin {
            id: "d111111abcdef8".to_owned(),
            domain_name: "d111111abcdef8.cloudfront.net".to_owned(),
            connection_timeout: None,
            connection_attempts: None,
            kind: OriginKind::Custom(CustomOrigin {
                http_port: Some(80),
                https_port: Some(443),
                origin_protocol_policy: "https-only".into(),
                origin_ssl_protocols: vec![
                    "TLSv1".to_owned(),
                    "TLSv1.1".to_owned(),
                    "TLSv1.2".to_owned()
                ],
                origin_read_timeout: Some(30),
                origin_mtls_client_certificate_arn: None,
            }),
        }]
    );
    assert_eq!(
        d.default_cache_behavior,
        CacheBehavior {
            path_pattern: None,
            target_origin_id: "d111111abcdef8".to_owned(),
            viewer_protocol_policy: "redirect-to-https".to_owned(),
            cache_policy_id: None,
            origin_request_policy_id: None,
            forwarded_headers: None,
            function_associations: vec![],
            lambda_function_associations: vec![],
        }
    );
    assert!(d.cache_behaviors.is_empty());
}

#[test]
fn keys_match_in_any_ascii_casing() {
    for key in [
        "ACMCertificateArn",
        "AcmCertificateArn",
        "aCMCertificateArn",
        "acmcertificatearn",
        "ACMCERTIFICATEARN",
    ] {
        let document =
            minimal_config().tap_insert("ViewerCertificate", json!({ key: "arn:aws:acm:x" }));
        let d = parse_ok(&document);
        assert_eq!(
            d.viewer_certificate.acm_certificate_arn.as_deref(),
            Some("arn:aws:acm:x"),
            "{key}"
        );
    }
}

#[test]
fn mixed_casing_across_one_document_is_read_in_full() {
    let document = json!({
        "DISTRIBUTIONCONFIG": {
            "origins": {"QUANTITY": 1, "iTeMs": [{
                "ID": "o1", "domainname": "o.example.com",
                "s3OriginConfig": {"originAccessIdentity": ""}
            }]},
            "DefaultCacheBehavior": {"targetoriginid": "o1", "VIEWERPROTOCOLPOLICY": "allow-all"},
            "ViewerCertificate": {"IamCertificateId": "ASCAEXAMPLE", "SslSupportMethod": "vip"}
        }
    });
    let d = parse_ok(&document);
    assert_eq!(d.origins[0].kind, OriginKind::S3);
    assert_eq!(d.origins[0].domain_name, "o.example.com");
    assert_eq!(d.default_cache_behavior.viewer_protocol_policy, "allow-all");
    assert_eq!(
        d.viewer_certificate.iam_certificate_id.as_deref(),
        Some("ASCAEXAMPLE")
    );
    assert_eq!(
        d.viewer_certificate
            .ssl_support_method
            .as_ref()
            .map(|v| v.as_str()),
        Some("vip")
    );
}

#[test]
fn aliases_accept_every_list_wrapper_variant() {
    let cases: [(&str, Value, &[&str]); 7] = [
        (
            "Quantity and Items",
            json!({"Quantity": 2, "Items": ["a.example", "b.example"]}),
            &["a.example", "b.example"],
        ),
        ("bare array", json!(["a.example"]), &["a.example"]),
        ("Quantity 0 without Items", json!({"Quantity": 0}), &[]),
        (
            "Quantity \"0\" without Items",
            json!({"Quantity": "0"}),
            &[],
        ),
        ("empty object", json!({}), &[]),
        ("Items null", json!({"Quantity": 0, "Items": null}), &[]),
        (
            "empty strings and nulls dropped",
            json!({"Quantity": 3, "Items": ["", null, "a.example"]}),
            &["a.example"],
        ),
    ];
    for (variant, aliases, expected) in cases {
        let mut document = minimal_config();
        document["Aliases"] = aliases;
        assert_eq!(parse_ok(&document).aliases, expected, "{variant}");
    }
    let mut document = minimal_config();
    document["Aliases"] = Value::Null;
    assert!(parse_ok(&document).aliases.is_empty(), "Aliases null");
}

#[test]
fn integers_and_booleans_may_arrive_as_strings() {
    let document = json!({
        "Enabled": "false",
        "ViewerCertificate": {"CloudFrontDefaultCertificate": "TRUE"},
        "Origins": [{
            "Id": "o1", "DomainName": "o.example.com",
            "ConnectionTimeout": "5", "ConnectionAttempts": 2,
            "CustomOriginConfig": {"HTTPPort": " 8080 ", "HTTPSPort": "8443",
                "OriginProtocolPolicy": "match-viewer", "OriginReadTimeout": "60"}
        }],
        "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "https-only"}
    });
    let d = parse_ok(&document);
    assert!(!d.enabled);
    assert_eq!(
        d.viewer_certificate.cloudfront_default_certificate,
        Some(true)
    );
    let origin = &d.origins[0];
    assert_eq!(
        (origin.connection_timeout, origin.connection_attempts),
        (Some(5), Some(2))
    );
    let OriginKind::Custom(custom) = &origin.kind else {
        panic!("expected a custom origin, got {:?}", origin.kind);
    };
    assert_eq!(
        (
            custom.http_port,
            custom.https_port,
            custom.origin_read_timeout
        ),
        (Some(8080), Some(8443), Some(60))
    );
}

#[test]
fn empty_strings_count_as_unset() {
    let document = json!({
        "Enabled": "",
        "HttpVersion": "",
        "ViewerCertificate": {"CloudFrontDefaultCertificate": "", "ACMCertificateArn": "",
            "IAMCertificateId": "  ", "SSLSupportMethod": "", "MinimumProtocolVersion": ""},
        "Origins": [{"Id": "o1", "DomainName": "o.example.com", "ConnectionTimeout": "",
            "CustomOriginConfig": {"HTTPSPort": "", "OriginProtocolPolicy": ""}}],
        "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "",
            "CachePolicyId": "", "OriginRequestPolicyId": ""}
    });
    let d = parse_ok(&document);
    assert!(
        d.enabled,
        "Enabled \"\" is unset, so the default (true) applies"
    );
    assert_eq!(d.http_version, None);
    assert_eq!(d.viewer_certificate, ViewerCertificate::default());
    assert_eq!(d.origins[0].connection_timeout, None);
    assert_eq!(
        d.origins[0].kind,
        OriginKind::Custom(CustomOrigin {
            http_port: None,
            https_port: None,
            origin_protocol_policy: String::new().into(),
            origin_ssl_protocols: Vec::new(),
            origin_read_timeout: None,
            origin_mtls_client_certificate_arn: None,
        })
    );
    assert_eq!(d.default_cache_behavior.cache_policy_id, None);
    assert_eq!(d.default_cache_behavior.origin_request_policy_id, None);
}

#[test]
fn enabled_defaults_to_true_and_viewer_certificate_to_empty() {
    let d = parse_ok(&minimal_config());
    assert!(d.enabled);
    assert_eq!(d.viewer_certificate, ViewerCertificate::default());
    assert!(d.origin_groups.is_empty());
    assert!(d.cache_behaviors.is_empty());
}

#[test]
fn new_enum_values_are_kept_verbatim() {
    let document = minimal_config().tap_insert(
        "ViewerCertificate",
        json!({"MinimumProtocolVersion": "TLSv1.3_2025", "SSLSupportMethod": "static-ip"}),
    );
    let d = parse_ok(&document);
    assert_eq!(
        d.viewer_certificate.minimum_protocol_version.as_deref(),
        Some("TLSv1.3_2025")
    );
    assert_eq!(
        d.viewer_certificate
            .ssl_support_method
            .as_ref()
            .map(|v| v.as_str()),
        Some("static-ip")
    );
}

#[test]
fn vpc_origins_origin_groups_and_path_behaviours_are_mapped() {
    let document = json!({
        "Origins": {"Quantity": 3, "Items": [
            {"Id": "vpc", "DomainName": "internal.example", "VpcOriginConfig": {"VpcOriginId": "vo_123"}},
            {"Id": "a", "DomainName": "a.example", "S3OriginConfig": {}},
            {"Id": "b", "DomainName": "b.example", "S3OriginConfig": {"OriginAccessIdentity": ""}}
        ]},
        "OriginGroups": {"Quantity": 1, "Items": [{
            "Id": "failover", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "failover", "ViewerProtocolPolicy": "https-only"},
        "CacheBehaviors": {"Quantity": 2, "Items": [
            {"PathPattern": "/api/*", "TargetOriginId": "vpc", "ViewerProtocolPolicy": "https-only",
             "ForwardedValues": {"QueryString": true, "Headers": {"Quantity": 2, "Items": ["Host", "Origin"]}}},
            {"PathPattern": "/old/*", "TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
             "ForwardedValues": {"QueryString": false}}
        ]}
    });
    let d = parse_ok(&document);
    assert_eq!(
        d.origins[0].kind,
        OriginKind::Vpc {
            vpc_origin_id: "vo_123".to_owned(),
            owner_account_id: None,
        }
    );
    assert_eq!(d.origins[1].kind, OriginKind::S3);
    assert_eq!(
        d.origin_groups,
        [OriginGroup {
            id: "failover".to_owned(),
            member_origin_ids: vec!["a".to_owned(), "b".to_owned()],
        }]
    );
    let labels: Vec<&str> = d.all_cache_behaviors().map(CacheBehavior::label).collect();
    assert_eq!(labels, ["default", "/api/*", "/old/*"]);
    assert_eq!(
        d.cache_behaviors[0].forwarded_headers,
        Some(vec!["Host".to_owned(), "Origin".to_owned()])
    );
    assert_eq!(
        d.cache_behaviors[1].forwarded_headers,
        Some(Vec::new()),
        "legacy ForwardedValues without Headers forwards no headers"
    );
    assert_eq!(d.default_cache_behavior.forwarded_headers, None);
}

#[test]
fn a_wrong_type_names_its_path_and_what_was_expected() {
    let https_port_path = "Origins.Items[1].CustomOriginConfig.HTTPSPort";
    let two_origins = |https_port: Value| {
        json!({"DistributionConfig": {
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o0", "DomainName": "a.example", "S3OriginConfig": {}},
                {"Id": "o1", "DomainName": "b.example",
                 "CustomOriginConfig": {"HTTPSPort": https_port, "OriginProtocolPolicy": "https-only"}}
            ]},
            "DefaultCacheBehavior": {"TargetOriginId": "o0", "ViewerProtocolPolicy": "https-only"}
        }})
    };
    let cases: Vec<(&str, Value, String, &str, &str)> = vec![
        (
            "port as a word",
            two_origins(json!("https")),
            format!("DistributionConfig.{https_port_path}"),
            "an integer",
            "the string \"https\"",
        ),
        (
            "port as a fraction",
            two_origins(json!(443.5)),
            format!("DistributionConfig.{https_port_path}"),
            "an integer",
            "the number 443.5",
        ),
        (
            "port beyond i32",
            two_origins(json!(4_294_967_296_u64)),
            format!("DistributionConfig.{https_port_path}"),
            "an integer",
            "the number 4294967296",
        ),
        (
            "port as an object",
            two_origins(json!({"value": 443})),
            format!("DistributionConfig.{https_port_path}"),
            "an integer",
            "an object with keys \"value\"",
        ),
        (
            "enabled as a word",
            minimal_with("/DefaultCacheBehavior", json!({"TargetOriginId": "o1"}))
                .tap_insert("Enabled", json!("yes")),
            "Enabled".to_owned(),
            "a boolean",
            "the string \"yes\"",
        ),
        (
            "arn as a number",
            minimal_config().tap_insert("ViewerCertificate", json!({"ACMCertificateArn": 7})),
            "ViewerCertificate.ACMCertificateArn".to_owned(),
            "a string",
            "the number 7",
        ),
        (
            "viewer certificate as a string",
            minimal_config().tap_insert("ViewerCertificate", json!("acm")),
            "ViewerCertificate".to_owned(),
            "an object",
            "the string \"acm\"",
        ),
        (
            "origins as a string",
            minimal_with("/Origins", json!("o1")),
            "Origins".to_owned(),
            "a list",
            "the string \"o1\"",
        ),
        (
            "Items as an object",
            minimal_with("/Origins", json!({"Quantity": 1, "Items": {}})),
            "Origins.Items".to_owned(),
            "an array",
            "an empty object",
        ),
        (
            "an origin as a string",
            minimal_with("/Origins/Items/0", json!("o1")),
            "Origins.Items[0]".to_owned(),
            "an object",
            "the string \"o1\"",
        ),
        (
            "an alias as a number",
            minimal_config().tap_insert("Aliases", json!({"Items": ["a.example", 5]})),
            "Aliases.Items[1]".to_owned(),
            "a string",
            "the number 5",
        ),
        (
            "camelCase path kept as written",
            json!({"distributionConfig": {"origins": {"items": [{"id": "o1", "domainName": "o", "customOriginConfig": {"hTTPSPort": true}}]}, "defaultCacheBehavior": {"targetOriginId": "o1"}}}),
            "distributionConfig.origins.items[0].customOriginConfig.hTTPSPort".to_owned(),
            "an integer",
            "the boolean true",
        ),
        (
            "document id as a number",
            minimal_config().tap_insert("Id", json!(12)),
            "Id".to_owned(),
            "a string",
            "the number 12",
        ),
    ];
    for (case, document, expected_path, expected_prefix, expected_found) in cases {
        match parse_err(&document) {
            ConfigError::WrongType {
                path,
                expected,
                found,
            } => {
                assert_eq!(path, expected_path, "{case}");
                assert!(expected.starts_with(expected_prefix), "{case}: {expected}");
                assert_eq!(found, expected_found, "{case}");
            }
            other => panic!("{case}: expected WrongType, got {other:?}"),
        }
    }
}

#[test]
fn a_missing_required_field_names_where_it_is_missing() {
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "no DefaultCacheBehavior",
            minimal_without("/DefaultCacheBehavior"),
            "",
            "DefaultCacheBehavior",
        ),
        ("no Origins", minimal_without("/Origins"), "", "Origins"),
        (
            "null Origins",
            minimal_with("/Origins", Value::Null),
            "",
            "Origins",
        ),
        (
            "origin without Id",
            minimal_without("/Origins/Items/0/Id"),
            "Origins.Items[0]",
            "Id",
        ),
        (
            "origin with empty Id",
            minimal_with("/Origins/Items/0/Id", json!("")),
            "Origins.Items[0]",
            "Id",
        ),
        (
            "origin without DomainName",
            minimal_without("/Origins/Items/0/DomainName"),
            "Origins.Items[0]",
            "DomainName",
        ),
        (
            "origin without any origin config",
            minimal_without("/Origins/Items/0/CustomOriginConfig"),
            "Origins.Items[0]",
            "S3OriginConfig, CustomOriginConfig or VpcOriginConfig",
        ),
        (
            "VPC origin without VpcOriginId",
            minimal_with("/Origins/Items/0/CustomOriginConfig", Value::Null).tap_insert_at(
                "/Origins/Items/0",
                "VpcOriginConfig",
                json!({}),
            ),
            "Origins.Items[0].VpcOriginConfig",
            "VpcOriginId",
        ),
        (
            "default behaviour without TargetOriginId",
            minimal_without("/DefaultCacheBehavior/TargetOriginId"),
            "DefaultCacheBehavior",
            "TargetOriginId",
        ),
        (
            "path behaviour without TargetOriginId",
            minimal_config().tap_insert(
                "CacheBehaviors",
                json!({"Quantity": 1, "Items": [{"PathPattern": "/x/*"}]}),
            ),
            "CacheBehaviors.Items[0]",
            "TargetOriginId",
        ),
        (
            "path behaviour without PathPattern",
            minimal_config().tap_insert("CacheBehaviors", json!([{"TargetOriginId": "o1"}])),
            "CacheBehaviors[0]",
            "PathPattern",
        ),
        (
            "origin group member without OriginId",
            minimal_config().tap_insert(
                "OriginGroups",
                json!({"Items": [{"Id": "g", "Members": {"Items": [{}]}}]}),
            ),
            "OriginGroups.Items[0].Members.Items[0]",
            "OriginId",
        ),
        (
            "Items promised but absent",
            minimal_with("/Origins", json!({"Quantity": 1})),
            "Origins",
            "Items",
        ),
        (
            "get-distribution without its config",
            json!({"Distribution": {"Id": "E1"}}),
            "Distribution",
            "DistributionConfig",
        ),
        (
            "WithTags without its config",
            json!({"distributionConfigWithTags": {"tags": {}}}),
            "distributionConfigWithTags",
            "DistributionConfig",
        ),
    ];
    for (case, document, expected_path, expected_field) in cases {
        match parse_err(&document) {
            ConfigError::MissingField { path, field } => {
                assert_eq!(path, expected_path, "{case}");
                assert_eq!(field, expected_field, "{case}");
            }
            other => panic!("{case}: expected MissingField, got {other:?}"),
        }
    }
}

#[test]
fn a_missing_field_inside_the_cli_wrapper_carries_the_wrapper_in_its_path() {
    let document =
        json!({"ETag": "E1", "DistributionConfig": minimal_without("/Origins/Items/0/Id")});
    let error = parse_err(&document);
    assert_eq!(
        error,
        ConfigError::MissingField {
            path: "DistributionConfig.Origins.Items[0]".to_owned(),
            field: "Id"
        }
    );
    assert!(
        error.to_string().starts_with(
            "DistributionConfig.Origins.Items[0]: required field Id is missing; add it"
        ),
        "{error}"
    );
}

#[test]
fn keys_that_differ_only_in_case_are_refused_as_ambiguous() {
    let mut document = minimal_config();
    document["ViewerCertificate"] = json!({
        "MinimumProtocolVersion": "TLSv1.2_2021", "minimumProtocolVersion": "TLSv1"
    });
    assert_eq!(
        parse_err(&document),
        ConfigError::DuplicateKey {
            path: "ViewerCertificate".to_owned(),
            field: "MinimumProtocolVersion",
            first: "MinimumProtocolVersion".to_owned(),
            second: "minimumProtocolVersion".to_owned(),
        }
    );
}

#[test]
fn an_origin_with_two_origin_configs_is_refused() {
    let document = minimal_config().tap_insert_at("/Origins/Items/0", "S3OriginConfig", json!({}));
    assert_eq!(
        parse_err(&document),
        ConfigError::ConflictingOriginKinds {
            path: "Origins.Items[0]".to_owned(),
            fields: vec!["S3OriginConfig", "CustomOriginConfig"],
        }
    );
}

#[test]
fn documents_without_a_distribution_config_list_what_they_hold() {
    let cases = [
        ("an array", json!([1, 2]), "an array of 2 items"),
        (
            "a string",
            json!("DistributionConfig"),
            "the string \"DistributionConfig\"",
        ),
        ("an empty object", json!({}), "an empty object"),
        (
            "a whole CloudTrail event",
            json!({"version": "0", "detail-type": "AWS API Call via CloudTrail", "detail": {}}),
            "an object with keys \"version\", \"detail-type\", \"detail\"",
        ),
        (
            "many keys",
            json!({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1}),
            "an object with keys \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", and 2 more",
        ),
    ];
    for (case, document, expected_found) in cases {
        match parse_err(&document) {
            ConfigError::NoDistributionConfig { found } => {
                assert_eq!(found, expected_found, "{case}")
            }
            other => panic!("{case}: expected NoDistributionConfig, got {other:?}"),
        }
    }
    let message = parse_err(&json!({})).to_string();
    for shape in [
        "get-distribution-config",
        "get-distribution",
        "requestParameters",
    ] {
        assert!(
            message.contains(shape),
            "message should name {shape}: {message}"
        );
    }
}

#[test]
fn invalid_json_reports_line_and_column() {
    let text = "{\n  \"DistributionConfig\": {\n    \"Enabled\": true,\n  }\n}";
    match parse_distribution_config(text, "bad.json") {
        Err(ConfigError::InvalidJson {
            line,
            column,
            message,
        }) => {
            assert_eq!((line, column), (4, 3));
            assert_eq!(message, "trailing comma");
            let shown = ConfigError::InvalidJson {
                line,
                column,
                message,
            }
            .to_string();
            assert!(
                shown.starts_with("not valid JSON at line 4, column 3: trailing comma"),
                "{shown}"
            );
        }
        other => panic!("expected InvalidJson, got {other:?}"),
    }
}

#[test]
fn deep_nesting_is_refused_by_the_parser_not_by_a_stack_overflow() {
    let depth = 100_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(matches!(
        parse_distribution_config(&text, "deep.json"),
        Err(ConfigError::InvalidJson { .. })
    ));
}

#[test]
fn an_input_over_one_mebibyte_is_refused_before_parsing() {
    // Valid JSON padded with whitespace, so only the size can be the reason.
    let text = format!("{}{}", minimal_config(), " ".repeat(2 * 1024 * 1024));
    assert_eq!(
        parse_distribution_config(&text, "big.json").map(|d| d.id),
        Err(ConfigError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES
        })
    );
    let just_fits = format!("{}", minimal_config());
    let padded = format!(
        "{just_fits}{}",
        " ".repeat(MAX_INPUT_BYTES - just_fits.len())
    );
    assert!(parse_distribution_config(&padded, "fits.json").is_ok());
}

#[test]
fn long_hostile_values_are_shortened_and_escaped_in_errors() {
    let hostile = format!("\u{1b}[31m{}\n", "x".repeat(10_000));
    let document = minimal_config().tap_insert("HttpVersion", json!([hostile.clone()]));
    let message = parse_err(&document).to_string();
    assert!(message.len() < 300, "{message}");
    let document = minimal_config().tap_insert("Enabled", json!(hostile));
    let message = parse_err(&document).to_string();
    assert!(
        !message.contains('\u{1b}') && !message.contains('\n'),
        "{message:?}"
    );
    assert!(message.len() < 300, "{message}");
}

#[test]
fn every_fixture_parses() {
    let acm_us_east_1 =
        "arn:aws:acm:us-east-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
    let fixtures = [
        (
            "healthy.json",
            include_str!("../../../tests/fixtures/configs/healthy.json"),
        ),
        (
            "wrong-region.json",
            include_str!("../../../tests/fixtures/configs/wrong-region.json"),
        ),
        (
            "cloudtrail-request-parameters.json",
            include_str!("../../../tests/fixtures/configs/cloudtrail-request-parameters.json"),
        ),
        (
            "default-cert-with-aliases.json",
            include_str!("../../../tests/fixtures/configs/default-cert-with-aliases.json"),
        ),
    ];
    let mut parsed = std::collections::BTreeMap::new();
    for (name, text) in fixtures {
        match parse_distribution_config(text, name) {
            Ok(d) => {
                assert_eq!(d.origin, DistributionOrigin::Proposed, "{name}");
                parsed.insert(name, d);
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }

    let healthy = &parsed["healthy.json"];
    assert_eq!(healthy.id, "healthy.json");
    assert_eq!(healthy.aliases, ["www.example.com"]);
    assert_eq!(
        healthy.viewer_certificate.acm_certificate_arn.as_deref(),
        Some(acm_us_east_1)
    );
    assert_eq!(
        healthy
            .viewer_certificate
            .ssl_support_method
            .as_ref()
            .map(|v| v.as_str()),
        Some("sni-only")
    );
    assert_eq!(
        healthy
            .viewer_certificate
            .minimum_protocol_version
            .as_deref(),
        Some("TLSv1.2_2021")
    );
    assert_eq!(
        healthy.default_cache_behavior.viewer_protocol_policy,
        "redirect-to-https"
    );
    assert!(
        matches!(&healthy.origins[..], [Origin { kind: OriginKind::Custom(c), .. }]
        if c.origin_protocol_policy == "https-only" && c.origin_ssl_protocols == ["TLSv1.2"])
    );

    let wrong_region = &parsed["wrong-region.json"];
    assert_eq!(
        wrong_region
            .viewer_certificate
            .certificate_ref()
            .as_ref()
            .and_then(|r| r.acm_region()),
        Some("eu-west-1")
    );
    assert_eq!(wrong_region.cache_behaviors.len(), 1);
    assert_eq!(wrong_region.cache_behaviors[0].label(), "/legacy/*");
    assert_eq!(
        wrong_region.cache_behaviors[0].viewer_protocol_policy,
        "allow-all"
    );

    let cloudtrail = &parsed["cloudtrail-request-parameters.json"];
    assert_eq!(cloudtrail.id, "EDFDVBD6EXAMPLE");
    assert_eq!(cloudtrail.aliases.len(), 3);
    assert_eq!(
        cloudtrail.viewer_certificate.acm_certificate_arn.as_deref(),
        Some(acm_us_east_1)
    );

    let default_cert = &parsed["default-cert-with-aliases.json"];
    assert!(default_cert.viewer_certificate.uses_default_certificate());
    assert_eq!(
        default_cert
            .viewer_certificate
            .cloudfront_default_certificate,
        Some(true)
    );
    assert_eq!(
        default_cert.aliases,
        ["shop.example.com", "static.example.com"]
    );
}

/// Small builders so that table rows stay one expression each.
trait Tap {
    fn tap_insert(self, key: &str, value: Value) -> Value;
    fn tap_insert_at(self, pointer: &str, key: &str, value: Value) -> Value;
}

impl Tap for Value {
    fn tap_insert(self, key: &str, value: Value) -> Value {
        self.tap_insert_at("", key, value)
    }

    fn tap_insert_at(mut self, pointer: &str, key: &str, value: Value) -> Value {
        match self.pointer_mut(pointer).and_then(Value::as_object_mut) {
            Some(object) => {
                object.insert(key.to_owned(), value);
            }
            None => panic!("no object at {pointer}"),
        }
        self
    }
}
