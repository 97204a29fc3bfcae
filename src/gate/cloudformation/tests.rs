//! Specifications of the template reader: the fixtures of `tests/fixtures/gate/` read with exact
//! positions, intrinsics resolved or recorded as unresolved, and hostile templates refused with
//! `file:line:column`.

use std::collections::BTreeMap;

use super::*;
use crate::gate::{CertificateBinding, Position, Property, ProposedDistribution};
use crate::model::OriginKind;

const SAM: &str = include_str!("../../../tests/fixtures/gate/sam-template.yaml");
const SAM_PARAMETERS: &str = include_str!("../../../tests/fixtures/gate/sam-parameters.json");
const CDK: &str = include_str!("../../../tests/fixtures/gate/cdk-synth.template.json");

fn at(line: u32, column: u32) -> Position {
    Position { line, column }
}

fn inputs(region: Option<&str>) -> TemplateInputs {
    TemplateInputs {
        parameters: BTreeMap::new(),
        region: region.map(str::to_owned),
        account: None,
    }
}

fn sam() -> Stack {
    let inputs = TemplateInputs {
        parameters: read_parameters(SAM_PARAMETERS, "parameters.json").expect("fixture parameters"),
        region: Some("us-east-1".to_owned()),
        account: None,
    };
    read_template(SAM, "template.yaml", &inputs).expect("SAM fixture reads")
}

fn cdk() -> Stack {
    read_template(CDK, "cdk.out/SiteStack.template.json", &inputs(None)).expect("CDK fixture reads")
}

fn distribution<'s>(stack: &'s Stack, resource: &str) -> &'s ProposedDistribution {
    stack
        .distributions
        .iter()
        .find(|proposed| proposed.resource == resource)
        .unwrap_or_else(|| panic!("no distribution {resource}"))
}

fn unresolved_of<'s>(stack: &'s Stack, resource: &str) -> &'s crate::gate::Unresolved {
    stack
        .unresolved
        .iter()
        .find(|unresolved| unresolved.resource == resource)
        .unwrap_or_else(|| panic!("no unresolved entry for {resource}"))
}

fn read(text: &str) -> Result<Stack, TemplateError> {
    read_template(text, "t.yaml", &inputs(Some("us-east-1")))
}

fn fault(text: &str) -> TemplateError {
    read(text).expect_err("the template is refused")
}

/// A template with one distribution whose `DistributionConfig` is `config` (indented 8 spaces).
fn with_config(prelude: &str, config: &str) -> String {
    format!(
        "{prelude}Resources:\n  Site:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n{config}"
    )
}

const MINIMAL_ORIGINS: &str = "        Origins:\n          - Id: app\n            DomainName: app.example.com\n            CustomOriginConfig:\n              OriginProtocolPolicy: https-only\n        DefaultCacheBehavior:\n          TargetOriginId: app\n          ViewerProtocolPolicy: https-only\n";

// ---- the SAM fixture ----

#[test]
fn every_distribution_of_the_sam_template_is_read_in_file_order_and_a_false_condition_skips_one() {
    let stack = sam();
    let resources: Vec<&str> = stack
        .distributions
        .iter()
        .map(|d| d.resource.as_str())
        .collect();
    assert_eq!(
        resources,
        [
            "CleanDistribution",
            "UncoveredAliasDistribution",
            "WrongRegionDistribution",
            "DeprecatedOriginDistribution",
            "HttpOnlyOriginDistribution",
            "AllowAllDistribution",
            "ImportedCertificateDistribution",
            "DefaultCertificateDistribution",
        ]
    );
    assert_eq!(stack.kind, crate::gate::InputKind::Cloudformation);
    assert_eq!(stack.file, "template.yaml");
    for proposed in &stack.distributions {
        assert_eq!(proposed.distribution.id, proposed.resource);
        assert_eq!(
            proposed.distribution.origin,
            crate::model::DistributionOrigin::Proposed
        );
    }
}

#[test]
fn a_certificate_declared_in_the_template_is_bound_by_ref_and_its_names_resolve_through_sub() {
    let stack = sam();
    let clean = distribution(&stack, "CleanDistribution");
    assert_eq!(
        clean.certificate,
        CertificateBinding::Declared("SiteCertificate".to_owned())
    );
    assert_eq!(
        clean.distribution.aliases,
        ["www.example.com", "static.example.com"]
    );
    assert_eq!(
        clean.distribution.viewer_certificate.acm_certificate_arn,
        None
    );
    let [certificate] = stack.certificates.as_slice() else {
        panic!("one certificate: {:?}", stack.certificates)
    };
    assert_eq!(certificate.resource, "SiteCertificate");
    assert_eq!(certificate.domain_name.as_deref(), Some("www.example.com"));
    assert_eq!(
        certificate.subject_alternative_names,
        ["static.example.com"]
    );
    assert_eq!(certificate.region.as_deref(), Some("us-east-1"));
    assert_eq!(certificate.at, Some(at(40, 3)));
}

#[test]
fn the_uncovered_alias_is_placed_on_its_list_item() {
    let stack = sam();
    let uncovered = distribution(&stack, "UncoveredAliasDistribution");
    assert_eq!(
        uncovered
            .places
            .find(&Property::Alias("shop.example.com".to_owned())),
        Some(at(80, 13))
    );
    assert_eq!(uncovered.places.find(&Property::Resource), Some(at(73, 3)));
}

#[test]
fn a_certificate_arn_from_parameters_is_an_arn_binding_placed_on_its_key() {
    let stack = sam();
    let wrong_region = distribution(&stack, "WrongRegionDistribution");
    let arn = "arn:aws:acm:eu-west-1:111122223333:certificate/0f3c9a52-6a1e-4a8b-9b7e-2d5f1c0e8a41";
    assert_eq!(
        wrong_region.certificate,
        CertificateBinding::Arn(arn.to_owned())
    );
    assert_eq!(
        wrong_region
            .distribution
            .viewer_certificate
            .acm_certificate_arn
            .as_deref(),
        Some(arn)
    );
    assert_eq!(
        wrong_region.places.find(&Property::AcmCertificateArn),
        Some(at(103, 11))
    );
}

#[test]
fn a_parameter_without_value_or_default_is_unresolved_and_says_to_pass_parameters() {
    let stack = read_template(SAM, "template.yaml", &inputs(Some("us-east-1"))).expect("reads");
    let wrong_region = distribution(&stack, "WrongRegionDistribution");
    assert_eq!(wrong_region.certificate, CertificateBinding::Unresolved);
    assert_eq!(
        wrong_region
            .distribution
            .viewer_certificate
            .acm_certificate_arn,
        None
    );
    let entry = unresolved_of(&stack, "WrongRegionDistribution");
    assert_eq!(
        entry.property,
        "DistributionConfig.ViewerCertificate.AcmCertificateArn"
    );
    assert!(
        entry
            .reason
            .contains("parameter ApiCertificateArn has no value"),
        "{}",
        entry.reason
    );
    assert!(entry.reason.contains("--parameters"), "{}", entry.reason);
    assert!(
        entry.unchecked.contains("covers the aliases"),
        "{}",
        entry.unchecked
    );
    assert_eq!(entry.at, Some(at(103, 11)));
}

#[test]
fn deprecated_origin_protocols_are_read_and_placed_on_the_origin_ssl_protocols_key() {
    let stack = sam();
    let deprecated = distribution(&stack, "DeprecatedOriginDistribution");
    let OriginKind::Custom(custom) = &deprecated.distribution.origins[0].kind else {
        panic!("a custom origin")
    };
    assert_eq!(custom.origin_ssl_protocols, ["SSLv3", "TLSv1", "TLSv1.2"]);
    assert_eq!(
        deprecated
            .places
            .find(&Property::OriginSslProtocols("legacy".to_owned())),
        Some(at(126, 15))
    );
}

#[test]
fn an_http_only_origin_and_an_allow_all_behaviour_are_placed_on_their_keys() {
    let stack = sam();
    let http_only = distribution(&stack, "HttpOnlyOriginDistribution");
    assert_eq!(
        http_only
            .places
            .find(&Property::OriginProtocolPolicy("plain".to_owned())),
        Some(at(143, 15))
    );
    let allow_all = distribution(&stack, "AllowAllDistribution");
    assert_eq!(
        allow_all.distribution.cache_behaviors[0].viewer_protocol_policy,
        "allow-all"
    );
    assert_eq!(
        allow_all.places.find(&Property::ViewerProtocolPolicy(Some(
            "/downloads/*".to_owned()
        ))),
        Some(at(166, 13))
    );
    assert_eq!(
        allow_all
            .places
            .find(&Property::CacheBehavior(Some("/downloads/*".to_owned()))),
        Some(at(164, 13))
    );
}

#[test]
fn an_imported_certificate_is_unresolved_with_the_import_named_as_written() {
    let stack = sam();
    let imported = distribution(&stack, "ImportedCertificateDistribution");
    assert_eq!(imported.certificate, CertificateBinding::Unresolved);
    let entry = unresolved_of(&stack, "ImportedCertificateDistribution");
    assert!(
        entry
            .reason
            .contains("`!ImportValue SharedCertificateArn`: another stack's export"),
        "{}",
        entry.reason
    );
    assert_eq!(entry.at, Some(at(176, 11)));
    // The rest of the distribution is still read.
    assert_eq!(imported.distribution.aliases, ["shared.example.com"]);
    assert_eq!(
        imported
            .distribution
            .viewer_certificate
            .minimum_protocol_version
            .as_deref(),
        Some("TLSv1.2_2021")
    );
}

#[test]
fn the_default_certificate_with_aliases_stays_in_the_distribution() {
    let stack = sam();
    let default = distribution(&stack, "DefaultCertificateDistribution");
    assert_eq!(default.certificate, CertificateBinding::None);
    assert_eq!(
        default
            .distribution
            .viewer_certificate
            .cloudfront_default_certificate,
        Some(true)
    );
    assert_eq!(default.distribution.aliases, ["beta.example.com"]);
    assert_eq!(
        default.places.find(&Property::ViewerCertificate),
        Some(at(196, 9))
    );
}

#[test]
fn the_sam_template_with_its_parameters_leaves_only_the_import_unresolved() {
    let stack = sam();
    let unresolved: Vec<(&str, &str)> = stack
        .unresolved
        .iter()
        .map(|u| (u.resource.as_str(), u.property.as_str()))
        .collect();
    assert_eq!(
        unresolved,
        [(
            "ImportedCertificateDistribution",
            "DistributionConfig.ViewerCertificate.AcmCertificateArn"
        )]
    );
}

// ---- the cdk synth fixture ----

#[test]
fn cdk_synth_json_is_read_with_positions_and_its_hashed_logical_ids() {
    let stack = cdk();
    let resources: Vec<&str> = stack
        .distributions
        .iter()
        .map(|d| d.resource.as_str())
        .collect();
    assert_eq!(
        resources,
        [
            "SiteDistribution3FF9535D",
            "ShopDistributionC1A2B3D4",
            "LegacyDistribution0E5F6A7B",
            "DownloadsDistribution8B9C0D1E",
            "SharedDistribution5D6E7F80",
        ]
    );
    let shop = distribution(&stack, "ShopDistributionC1A2B3D4");
    assert_eq!(shop.places.find(&Property::Resource), Some(at(125, 3)));
    assert_eq!(
        shop.places
            .find(&Property::Alias("shop.example.com".to_owned())),
        Some(at(131, 7))
    );
    assert_eq!(
        shop.certificate,
        CertificateBinding::Declared("SiteCertificate4C3D2A1B".to_owned())
    );
    let legacy = distribution(&stack, "LegacyDistribution0E5F6A7B");
    let origin = &legacy.distribution.origins[0];
    assert_eq!(
        legacy
            .places
            .find(&Property::OriginSslProtocols(origin.id.clone())),
        Some(at(203, 9))
    );
    let downloads = distribution(&stack, "DownloadsDistribution8B9C0D1E");
    assert_eq!(
        downloads
            .places
            .find(&Property::ViewerProtocolPolicy(Some("/files/*".to_owned()))),
        Some(at(230, 8))
    );
}

#[test]
fn the_cdk_certificate_is_declared_without_a_region_when_none_is_given() {
    let stack = cdk();
    let [certificate] = stack.certificates.as_slice() else {
        panic!("one certificate")
    };
    assert_eq!(certificate.resource, "SiteCertificate4C3D2A1B");
    assert_eq!(certificate.domain_name.as_deref(), Some("www.example.com"));
    assert_eq!(
        certificate.subject_alternative_names,
        ["assets.example.com"]
    );
    assert_eq!(certificate.region, None);
    assert!(stack
        .unresolved
        .iter()
        .any(|u| u.resource == "SiteCertificate4C3D2A1B"
            && u.unchecked.contains("us-east-1")
            && u.reason.contains("--region")));
}

#[test]
fn an_origin_domain_known_only_after_deploying_is_kept_as_a_placeholder_and_recorded() {
    let stack = cdk();
    let site = distribution(&stack, "SiteDistribution3FF9535D");
    assert_eq!(site.distribution.origins[0].domain_name, UNRESOLVED_NAME);
    assert!(matches!(site.distribution.origins[0].kind, OriginKind::S3));
    let entry = unresolved_of(&stack, "SiteDistribution3FF9535D");
    assert_eq!(entry.property, "DistributionConfig.Origins[0].DomainName");
    assert!(
        entry
            .reason
            .contains("Fn::GetAtt: SiteBucket397A1860.RegionalDomainName")
            && entry.reason.contains("AWS::S3::Bucket"),
        "{}",
        entry.reason
    );
    // Fn::Join over a RestApi's Ref: unknown as a whole.
    let shop = unresolved_of(&stack, "ShopDistributionC1A2B3D4");
    assert!(shop.reason.contains("SiteApi7C3B2E2A"), "{}", shop.reason);
}

// ---- intrinsics ----

fn one(text: &str) -> ProposedDistribution {
    let stack = read(text).expect("reads");
    stack
        .distributions
        .into_iter()
        .next()
        .expect("one distribution")
}

#[test]
fn sub_long_form_join_select_split_and_find_in_map_resolve_over_known_values() {
    let prelude = "Parameters:\n  Zone:\n    Type: String\n    Default: example.com\n  Names:\n    Type: CommaDelimitedList\n    Default: a, b\nMappings:\n  Policies:\n    prod:\n      Minimum: TLSv1.2_2021\n";
    let config = format!(
        "        Aliases:\n          - !Sub [\"${{Host}}.${{Zone}}\", {{Host: www}}]\n          - !Join [\".\", [!Select [1, !Ref Names], !Ref Zone]]\n          - !Select [0, !Split [\",\", \"x.example.com,y\"]]\n          - Fn::Sub: \"${{!Literal}}-${{AWS::Region}}.example.com\"\n        ViewerCertificate:\n          AcmCertificateArn: !Sub \"arn:${{AWS::Partition}}:acm:us-east-1:111122223333:certificate/abc\"\n          MinimumProtocolVersion: !FindInMap [Policies, prod, Minimum]\n{MINIMAL_ORIGINS}"
    );
    let proposed = one(&with_config(prelude, &config));
    assert_eq!(
        proposed.distribution.aliases,
        [
            "www.example.com",
            "b.example.com",
            "x.example.com",
            "${Literal}-us-east-1.example.com"
        ]
    );
    assert_eq!(
        proposed.certificate,
        CertificateBinding::Arn("arn:aws:acm:us-east-1:111122223333:certificate/abc".to_owned())
    );
    assert_eq!(
        proposed
            .distribution
            .viewer_certificate
            .minimum_protocol_version
            .as_deref(),
        Some("TLSv1.2_2021")
    );
}

#[test]
fn if_follows_a_condition_that_evaluates_and_no_value_removes_the_property() {
    let prelude = "Parameters:\n  Stage:\n    Type: String\n    Default: prod\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\n  IsDev: !Not [!Condition IsProd]\n  Both: !And [!Condition IsProd, !Or [!Condition IsDev, !Equals [a, a]]]\n";
    let config = format!(
        "        Aliases: !If [Both, [prod.example.com], [dev.example.com]]\n        HttpVersion: !If [IsDev, http1.1, !Ref AWS::NoValue]\n{MINIMAL_ORIGINS}"
    );
    let proposed = one(&with_config(prelude, &config));
    assert_eq!(proposed.distribution.aliases, ["prod.example.com"]);
    assert_eq!(proposed.distribution.http_version, None);
}

#[test]
fn an_if_on_a_condition_that_depends_on_the_region_is_unresolved_without_region() {
    let prelude = "Conditions:\n  InVirginia: !Equals [!Ref AWS::Region, us-east-1]\n";
    let config = format!(
        "        ViewerCertificate:\n          MinimumProtocolVersion: !If [InVirginia, TLSv1.2_2021, TLSv1]\n{MINIMAL_ORIGINS}"
    );
    let text = with_config(prelude, &config);
    let stack = read_template(&text, "t.yaml", &inputs(None)).expect("reads");
    assert_eq!(
        stack.distributions[0]
            .distribution
            .viewer_certificate
            .minimum_protocol_version,
        None
    );
    let [entry] = stack.unresolved.as_slice() else {
        panic!("{:?}", stack.unresolved)
    };
    assert!(
        entry.reason.contains("`!If InVirginia`"),
        "{}",
        entry.reason
    );
    assert!(entry.reason.contains("AWS::Region"), "{}", entry.reason);
    assert_eq!(entry.unchecked, "the viewer TLS security policy");
    assert_eq!(entry.at, Some(at(9, 11)));
    let stack = read_template(&text, "t.yaml", &inputs(Some("us-east-1"))).expect("reads");
    assert_eq!(
        stack.distributions[0]
            .distribution
            .viewer_certificate
            .minimum_protocol_version
            .as_deref(),
        Some("TLSv1.2_2021")
    );
}

#[test]
fn a_resource_under_an_unknown_condition_is_read_and_said_possibly_not_deployed() {
    let prelude =
        "Parameters:\n  Flag:\n    Type: String\nConditions:\n  On: !Equals [!Ref Flag, yes]\n";
    let text = format!(
        "{prelude}Resources:\n  Site:\n    Type: AWS::CloudFront::Distribution\n    Condition: On\n    Properties:\n      DistributionConfig:\n{MINIMAL_ORIGINS}"
    );
    let stack = read(&text).expect("reads");
    assert_eq!(stack.distributions.len(), 1);
    assert_eq!(stack.unresolved[0].property, "Condition");
    assert!(stack.unresolved[0].unchecked.contains("deployed"));
}

#[test]
fn one_unresolvable_alias_is_left_out_and_the_others_are_kept() {
    let config = format!(
        "        Aliases:\n          - www.example.com\n          - !ImportValue OtherAlias\n{MINIMAL_ORIGINS}"
    );
    let stack = read(&with_config("", &config)).expect("reads");
    assert_eq!(
        stack.distributions[0].distribution.aliases,
        ["www.example.com"]
    );
    assert_eq!(
        stack.unresolved[0].property,
        "DistributionConfig.Aliases[1]"
    );
    assert_eq!(stack.unresolved[0].at, Some(at(8, 13)));
}

#[test]
fn long_form_json_intrinsics_resolve_like_the_short_forms() {
    let text = r#"{"Parameters": {"Cert": {"Type": "String", "Default": "arn:aws:acm:us-east-1:1:certificate/x"}},
 "Resources": {"Site": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
  "Aliases": [{"Fn::Join": [".", ["www", "example.com"]]}],
  "ViewerCertificate": {"AcmCertificateArn": {"Ref": "Cert"}, "SslSupportMethod": "sni-only"},
  "Origins": [{"Id": "o", "DomainName": "o.example.com", "CustomOriginConfig": {"OriginProtocolPolicy": "https-only", "HTTPSPort": 8443}}],
  "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"}}}}}}"#;
    let proposed = one(text);
    assert_eq!(proposed.distribution.aliases, ["www.example.com"]);
    assert_eq!(
        proposed.certificate,
        CertificateBinding::Arn("arn:aws:acm:us-east-1:1:certificate/x".to_owned())
    );
    let OriginKind::Custom(custom) = &proposed.distribution.origins[0].kind else {
        panic!("custom")
    };
    assert_eq!(custom.https_port, Some(8443));
    assert_eq!(
        proposed
            .places
            .find(&Property::OriginHttpsPort("o".to_owned())),
        Some(at(5, 119))
    );
}

#[test]
fn legacy_cnames_are_read_as_aliases() {
    let config = format!("        CNAMEs: [old.example.com]\n{MINIMAL_ORIGINS}");
    let proposed = one(&with_config("", &config));
    assert_eq!(proposed.distribution.aliases, ["old.example.com"]);
    assert_eq!(
        proposed
            .places
            .find(&Property::Alias("old.example.com".to_owned())),
        Some(at(6, 18))
    );
}

#[test]
fn a_legacy_custom_origin_is_the_origin_the_default_behaviour_targets_and_is_placed_on_its_keys() {
    let config = "        CustomOrigin:\n          DNSName: legacy.example.com\n          OriginProtocolPolicy: match-viewer\n          OriginSSLProtocols: [SSLv3, TLSv1]\n        DefaultCacheBehavior:\n          TargetOriginId: legacy\n          ViewerProtocolPolicy: https-only\n";
    let proposed = one(&with_config("", config));
    let [origin] = proposed.distribution.origins.as_slice() else {
        panic!("{:?}", proposed.distribution.origins)
    };
    assert_eq!(origin.id, "legacy");
    assert_eq!(origin.domain_name, "legacy.example.com");
    let crate::model::OriginKind::Custom(custom) = &origin.kind else {
        panic!("{:?}", origin.kind)
    };
    assert_eq!(custom.origin_ssl_protocols, ["SSLv3", "TLSv1"]);
    assert_eq!(
        proposed
            .places
            .find(&Property::OriginSslProtocols("legacy".to_owned())),
        Some(at(9, 11))
    );
    assert_eq!(
        proposed
            .places
            .find(&Property::OriginDomainName("legacy".to_owned())),
        Some(at(7, 11))
    );
}

#[test]
fn a_legacy_s3_origin_is_an_s3_origin() {
    let config = "        S3Origin:\n          DNSName: bucket.s3.amazonaws.com\n        DefaultCacheBehavior:\n          TargetOriginId: bucket\n          ViewerProtocolPolicy: https-only\n";
    let proposed = one(&with_config("", config));
    let [origin] = proposed.distribution.origins.as_slice() else {
        panic!("{:?}", proposed.distribution.origins)
    };
    assert_eq!(origin.id, "bucket");
    assert_eq!(origin.kind, crate::model::OriginKind::S3);
}

#[test]
fn merge_keys_bring_in_the_named_mappings_and_the_mappings_own_keys_win() {
    let prelude = "Metadata:\n  Viewer: &viewer\n    AcmCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/a\n    SslSupportMethod: sni-only\n    MinimumProtocolVersion: TLSv1\n  Extra: &extra\n    MinimumProtocolVersion: TLSv1.1_2016\n";
    let config = format!(
        "        ViewerCertificate:\n          <<: [*viewer, *extra]\n          MinimumProtocolVersion: TLSv1.2_2021\n{MINIMAL_ORIGINS}"
    );
    let proposed = one(&with_config(prelude, &config));
    let viewer = &proposed.distribution.viewer_certificate;
    assert_eq!(
        viewer.acm_certificate_arn.as_deref(),
        Some("arn:aws:acm:us-east-1:111122223333:certificate/a")
    );
    assert_eq!(
        viewer.minimum_protocol_version.as_deref(),
        Some("TLSv1.2_2021")
    );
    // A merged entry is placed where its value is written: in the anchored mapping.
    assert_eq!(
        proposed.places.find(&Property::AcmCertificateArn),
        Some(at(3, 5))
    );
    let refused = fault(&with_config(
        "",
        &format!("        ViewerCertificate:\n          <<: 3\n{MINIMAL_ORIGINS}"),
    ));
    assert!(refused.to_string().contains("merge key"), "{refused}");
}

#[test]
fn base64_encodes_known_text() {
    assert_eq!(super::resolve::tests_base64("Man"), "TWFu");
    assert_eq!(super::resolve::tests_base64("Ma"), "TWE=");
    assert_eq!(super::resolve::tests_base64("M"), "TQ==");
}

#[test]
fn a_template_with_another_macro_says_what_the_macro_adds_is_unchecked() {
    let text = with_config(
        "Transform: [AWS::Serverless-2016-10-31, MyMacro]\n",
        MINIMAL_ORIGINS,
    );
    let stack = read(&text).expect("reads");
    let [entry] = stack.unresolved.as_slice() else {
        panic!("{:?}", stack.unresolved)
    };
    assert!(entry.reason.contains("MyMacro"));
}

// ---- hostile and malformed templates ----

#[test]
fn a_duplicate_key_is_an_error_naming_both_lines() {
    let error = fault("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n");
    assert_eq!(error.at, at(4, 3));
    assert!(matches!(
        error.fault,
        TemplateFault::DuplicateKey { first_line: 2, .. }
    ));
    assert!(error
        .to_string()
        .starts_with("t.yaml:4:3: key \"A\" is already set at line 2"));
}

#[test]
fn nested_aliases_that_expand_past_the_bound_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = level - 1;
        text.push_str(&format!(
            "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
        ));
    }
    text.push_str("Resources: {}\n");
    let error = fault(&text);
    assert!(
        matches!(error.fault, TemplateFault::TooLargeExpanded { .. }),
        "{error}"
    );
}

#[test]
fn nesting_deeper_than_the_bound_is_refused() {
    let deep = format!(
        "Resources: {}{}\n",
        "[".repeat(MAX_DEPTH + 5),
        "]".repeat(MAX_DEPTH + 5)
    );
    assert!(matches!(fault(&deep).fault, TemplateFault::TooDeep { .. }));
    let deep_json = format!("{{\"Resources\": {}{}}}", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        fault(&deep_json).fault,
        TemplateFault::TooDeep { .. }
    ));
}

#[test]
fn a_tag_that_is_not_an_intrinsic_is_an_error_at_its_position() {
    let error = fault("Resources:\n  A:\n    Type: !Bogus X\n");
    assert_eq!(error.at, at(3, 11));
    assert!(matches!(error.fault, TemplateFault::UnknownTag { ref tag } if tag == "!Bogus"));
}

#[test]
fn a_template_over_the_size_bound_is_refused_before_parsing() {
    let big = " ".repeat(MAX_TEMPLATE_BYTES + 1);
    assert!(matches!(fault(&big).fault, TemplateFault::TooLarge { .. }));
}

#[test]
fn several_documents_non_string_keys_and_a_missing_resources_are_refused() {
    assert!(matches!(
        fault("Resources: {}\n---\nResources: {}\n").fault,
        TemplateFault::SeveralDocuments
    ));
    assert!(matches!(
        fault("? [a]\n: b\nResources: {}\n").fault,
        TemplateFault::NonStringKey { .. }
    ));
    assert!(matches!(
        fault("Outputs: {}\n").fault,
        TemplateFault::NotATemplate { .. }
    ));
    assert!(matches!(
        fault("").fault,
        TemplateFault::NotATemplate { .. }
    ));
}

#[test]
fn malformed_intrinsics_are_errors_at_their_position() {
    let config = format!("        Aliases: [!Select [x, [a]]]\n{MINIMAL_ORIGINS}");
    let error = fault(&with_config("", &config));
    assert_eq!(error.at.line, 6);
    assert!(matches!(error.fault, TemplateFault::Malformed { .. }));
    let cycle = "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  S:\n    Type: AWS::CloudFront::Distribution\n    Condition: A\n";
    assert!(matches!(
        fault(cycle).fault,
        TemplateFault::Malformed { .. }
    ));
}

#[test]
fn a_distribution_config_cloudfront_rejects_is_an_error_at_the_offending_key() {
    let config = "        Origins:\n          - Id: app\n            DomainName: app.example.com\n            CustomOriginConfig:\n              OriginProtocolPolicy: https-only\n              HTTPSPort: [1]\n        DefaultCacheBehavior:\n          TargetOriginId: app\n";
    let error = fault(&with_config("", config));
    assert_eq!(error.at, at(11, 15));
    assert!(matches!(error.fault, TemplateFault::Distribution { .. }));
    assert!(error.to_string().contains("resource Site"), "{error}");
}

#[test]
fn yaml_syntax_errors_carry_file_line_and_column() {
    let error = fault("Resources:\n  A: [unclosed\n");
    assert!(matches!(error.fault, TemplateFault::Syntax { .. }));
    assert!(error.to_string().starts_with("t.yaml:"), "{error}");
}

// ---- JSON ----

#[test]
fn real_json_with_tabs_escapes_long_lines_and_surrogate_pairs_parses() {
    let long = "x".repeat(20_000);
    let text = format!(
        "{{\n\t\"Description\": \"a\\/b \\u00e9 \\ud83d\\ude00 \\\\ud83d {long}\",\n\t\"Resources\": {{}}\n}}"
    );
    let stack = read(&text).expect("reads");
    assert!(stack.distributions.is_empty());
}

#[test]
fn invalid_json_is_reported_with_json_s_own_message_and_position() {
    let error = fault("{\n  \"Resources\": {,}\n}");
    assert!(
        matches!(error.fault, TemplateFault::Syntax { ref message } if message.contains("JSON")),
        "{error}"
    );
    assert_eq!(error.at.line, 2);
}

// ---- parameters and detection ----

#[test]
fn parameter_files_in_the_cli_codepipeline_and_sam_shapes_are_read() {
    let expected: BTreeMap<String, String> = [
        ("A".to_owned(), "1".to_owned()),
        ("B".to_owned(), "x,y".to_owned()),
    ]
    .into();
    for text in [
        r#"[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "B", "ParameterValue": "x,y"}]"#,
        r#"{"Parameters": {"A": 1, "B": ["x", "y"]}}"#,
        r#"["A=1", "B=x,y"]"#,
        r#"{"A": "1", "B": "x,y"}"#,
    ] {
        assert_eq!(
            read_parameters(text, "parameters.json").expect(text),
            expected,
            "{text}"
        );
    }
    let error = read_parameters(
        r#"[{"ParameterKey": "A", "UsePreviousValue": true}]"#,
        "parameters.json",
    )
    .expect_err("refused");
    assert!(error.to_string().contains("UsePreviousValue"));
    assert!(read_parameters("[1]", "parameters.json").is_err());
    assert!(read_parameters("{", "parameters.json").is_err());
}

#[test]
fn templates_are_told_from_distribution_configs_and_plans() {
    assert!(looks_like_template(SAM));
    assert!(looks_like_template(CDK));
    assert!(looks_like_template("Resources:\n  A: {Type: X}\n"));
    assert!(looks_like_template(
        "\"AWSTemplateFormatVersion\": 2010-09-09\n"
    ));
    assert!(!looks_like_template(
        r#"{"DistributionConfig": {"Origins": {}}}"#
    ));
    assert!(!looks_like_template(
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": []}}}"#
    ));
    assert!(!looks_like_template("  Resources: nested\n"));
}
