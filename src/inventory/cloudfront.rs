//! CloudFront reads (ListDistributions, GetDistribution) and the SDK → model conversion.

use super::pagination::{Markers, NextPage};
use crate::vocabulary::{DistributionStatus, OriginProtocolPolicy, SslSupportMethod};
use aws_sdk_cloudfront::types as cf;
use futures::stream::{self, StreamExt};

use super::clients::CallLimits;
use super::failure::CallError;
use super::text;
use crate::model::{
    CacheBehavior, CustomOrigin, Distribution, DistributionOrigin, FunctionAssociation, Origin,
    OriginGroup, OriginKind, ReadFailure, TenantConfig, ViewerCertificate, ViewerMtlsConfig,
};

/// CloudFront's page-size cap for ListDistributions (historically 100, also the default).
const PAGE_SIZE: i32 = 100;
/// How many GetDistribution calls run at once: low, because control-plane limits are undocumented.
const GET_CONCURRENCY: usize = 4;

/// IAM action names of the calls in this file.
pub(crate) const LIST_DISTRIBUTIONS: &str = "cloudfront:ListDistributions";
/// See [`LIST_DISTRIBUTIONS`].
pub(crate) const GET_DISTRIBUTION: &str = "cloudfront:GetDistribution";

/// Every distribution in the account, page by page. A failed page ends the listing with a gap, keeping
/// what was read before it.
pub(crate) async fn list_all(
    client: &aws_sdk_cloudfront::Client,
    limits: &CallLimits,
) -> (Vec<Distribution>, Vec<ReadFailure>) {
    let mut distributions = Vec::new();
    let mut marker: Option<String> = None;
    let mut markers = Markers::default();
    loop {
        let result = limits
            .send(
                client
                    .list_distributions()
                    .max_items(PAGE_SIZE)
                    .set_marker(marker.clone())
                    .send(),
            )
            .await;
        let output = match result {
            Ok(output) => output,
            Err(error) => {
                let failure = error.into_failure(LIST_DISTRIBUTIONS, "the distribution list", None);
                return (distributions, vec![failure]);
            }
        };
        let Some(list) = output.distribution_list() else {
            // An empty account may come back without a list at all.
            break;
        };
        distributions.extend(list.items().iter().map(from_summary));
        match markers.after(list.is_truncated(), list.next_marker()) {
            NextPage::At(next) => marker = Some(next),
            NextPage::Done => break,
            NextPage::Stuck => {
                let failure = CallError::invalid_response("NextMarker that advances").into_failure(
                    LIST_DISTRIBUTIONS,
                    "the distribution list",
                    None,
                );
                return (distributions, vec![failure]);
            }
        }
    }
    (distributions, Vec::new())
}

/// GetDistribution for each distinct id, in the order given.
pub(crate) async fn get_each(
    client: &aws_sdk_cloudfront::Client,
    ids: &[String],
    limits: &CallLimits,
) -> (Vec<Distribution>, Vec<ReadFailure>) {
    let mut distinct: Vec<String> = Vec::new();
    for id in ids.iter().map(|id| id.trim()).filter(|id| !id.is_empty()) {
        if !distinct.iter().any(|seen| seen == id) {
            distinct.push(id.to_owned());
        }
    }
    // Owned ids keep the stream's future `Send` (borrowed ones trip a higher-ranked lifetime error).
    let results: Vec<Result<Distribution, ReadFailure>> = stream::iter(distinct)
        .map(|id| async move { get_one(client, &id, limits).await })
        .buffered(GET_CONCURRENCY)
        .collect()
        .await;
    let mut distributions = Vec::new();
    let mut gaps = Vec::new();
    for result in results {
        match result {
            Ok(distribution) => distributions.push(distribution),
            Err(failure) => gaps.push(failure),
        }
    }
    (distributions, gaps)
}

async fn get_one(
    client: &aws_sdk_cloudfront::Client,
    id: &str,
    limits: &CallLimits,
) -> Result<Distribution, ReadFailure> {
    let output = limits
        .send(client.get_distribution().id(id).send())
        .await
        .map_err(|error| error.into_failure(GET_DISTRIBUTION, id, Some(id)))?;
    output
        .distribution()
        .and_then(from_distribution)
        .ok_or_else(|| {
            CallError::invalid_response("Distribution.DistributionConfig").into_failure(
                GET_DISTRIBUTION,
                id,
                Some(id),
            )
        })
}

/// The parts that `DistributionSummary` and `DistributionConfig` share, borrowed.
struct Parts<'a> {
    aliases: Option<&'a cf::Aliases>,
    viewer_certificate: Option<&'a cf::ViewerCertificate>,
    http_version: Option<&'a cf::HttpVersion>,
    origins: Option<&'a cf::Origins>,
    origin_groups: Option<&'a cf::OriginGroups>,
    default_cache_behavior: Option<&'a cf::DefaultCacheBehavior>,
    cache_behaviors: Option<&'a cf::CacheBehaviors>,
    connection_mode: Option<&'a cf::ConnectionMode>,
    /// Only in a full DistributionConfig: ListDistributions summaries do not carry it.
    tenant_config: Option<&'a cf::TenantConfig>,
    viewer_mtls_config: Option<&'a cf::ViewerMtlsConfig>,
    connection_function_association: Option<&'a cf::ConnectionFunctionAssociation>,
}

/// Converts one item of a ListDistributions page.
pub(crate) fn from_summary(summary: &cf::DistributionSummary) -> Distribution {
    let parts = Parts {
        aliases: summary.aliases(),
        viewer_certificate: summary.viewer_certificate(),
        http_version: Some(summary.http_version()),
        origins: summary.origins(),
        origin_groups: summary.origin_groups(),
        default_cache_behavior: summary.default_cache_behavior(),
        cache_behaviors: summary.cache_behaviors(),
        connection_mode: summary.connection_mode(),
        tenant_config: None,
        viewer_mtls_config: summary.viewer_mtls_config(),
        connection_function_association: summary.connection_function_association(),
    };
    let mut distribution = from_parts(summary.id(), parts, summary.enabled());
    distribution.arn = text(summary.arn());
    distribution.domain_name = text(summary.domain_name());
    distribution.status = text(summary.status()).map(DistributionStatus::from);
    distribution
}

/// Converts a GetDistribution answer; `None` when it carries no configuration.
pub(crate) fn from_distribution(full: &cf::Distribution) -> Option<Distribution> {
    let config = full.distribution_config()?;
    let parts = Parts {
        aliases: config.aliases(),
        viewer_certificate: config.viewer_certificate(),
        http_version: config.http_version(),
        origins: config.origins(),
        origin_groups: config.origin_groups(),
        default_cache_behavior: config.default_cache_behavior(),
        cache_behaviors: config.cache_behaviors(),
        connection_mode: config.connection_mode(),
        tenant_config: config.tenant_config(),
        viewer_mtls_config: config.viewer_mtls_config(),
        connection_function_association: config.connection_function_association(),
    };
    let mut distribution = from_parts(full.id(), parts, config.enabled());
    distribution.arn = text(full.arn());
    distribution.domain_name = text(full.domain_name());
    distribution.status = text(full.status()).map(DistributionStatus::from);
    Some(distribution)
}

fn from_parts(id: &str, parts: Parts<'_>, enabled: bool) -> Distribution {
    Distribution {
        id: id.to_owned(),
        arn: None,
        domain_name: None,
        status: None,
        enabled,
        origin: DistributionOrigin::Live,
        aliases: parts
            .aliases
            .map(|a| a.items().iter().filter_map(|s| text(s)).collect())
            .unwrap_or_default(),
        viewer_certificate: parts
            .viewer_certificate
            .map(viewer_certificate)
            .unwrap_or_default(),
        http_version: parts.http_version.and_then(|v| text(v.as_str())),
        origins: parts
            .origins
            .map(|o| o.items().iter().map(origin).collect())
            .unwrap_or_default(),
        origin_groups: parts
            .origin_groups
            .map(|g| g.items().iter().map(origin_group).collect())
            .unwrap_or_default(),
        default_cache_behavior: parts
            .default_cache_behavior
            .map(default_cache_behavior)
            .unwrap_or_default(),
        cache_behaviors: parts
            .cache_behaviors
            .map(|b| b.items().iter().map(cache_behavior).collect())
            .unwrap_or_default(),
        connection_mode: parts.connection_mode.and_then(|m| text(m.as_str())),
        tenant_config: parts.tenant_config.map(|t| TenantConfig {
            parameter_names: t
                .parameter_definitions()
                .iter()
                .filter_map(|p| text(p.name()))
                .collect(),
        }),
        viewer_mtls_config: parts.viewer_mtls_config.map(viewer_mtls_config),
        connection_function_association_id: parts
            .connection_function_association
            .and_then(|a| text(a.id())),
    }
}

fn viewer_mtls_config(config: &cf::ViewerMtlsConfig) -> ViewerMtlsConfig {
    let trust_store = config.trust_store_config();
    ViewerMtlsConfig {
        mode: config.mode().as_str().to_owned(),
        trust_store_id: trust_store.and_then(|t| text(t.trust_store_id())),
        ignore_certificate_expiry: trust_store.and_then(|t| t.ignore_certificate_expiry()),
    }
}

fn viewer_certificate(vc: &cf::ViewerCertificate) -> ViewerCertificate {
    ViewerCertificate {
        cloudfront_default_certificate: vc.cloud_front_default_certificate(),
        acm_certificate_arn: vc.acm_certificate_arn().and_then(text),
        iam_certificate_id: vc.iam_certificate_id().and_then(text),
        // `as_str` keeps values the SDK does not know yet (`TLSv1.3_2025` parses as Unknown).
        ssl_support_method: vc
            .ssl_support_method()
            .and_then(|m| text(m.as_str()))
            .map(SslSupportMethod::from),
        minimum_protocol_version: vc.minimum_protocol_version().and_then(|m| text(m.as_str())),
    }
}

fn origin(o: &cf::Origin) -> Origin {
    let kind = if let Some(vpc) = o.vpc_origin_config() {
        OriginKind::Vpc {
            vpc_origin_id: vpc.vpc_origin_id().to_owned(),
            owner_account_id: vpc.owner_account_id().and_then(text),
        }
    } else if let Some(custom) = o.custom_origin_config() {
        OriginKind::Custom(CustomOrigin {
            // Ports are required in the API; 0 only appears when the field was missing.
            http_port: Some(custom.http_port()).filter(|p| *p > 0),
            https_port: Some(custom.https_port()).filter(|p| *p > 0),
            origin_protocol_policy: OriginProtocolPolicy::from(
                custom.origin_protocol_policy().as_str(),
            ),
            origin_ssl_protocols: custom
                .origin_ssl_protocols()
                .map(|p| p.items().iter().filter_map(|s| text(s.as_str())).collect())
                .unwrap_or_default(),
            origin_read_timeout: custom.origin_read_timeout(),
            // Kept even with a blank ARN: the configuration asks for mutual TLS either way.
            origin_mtls_client_certificate_arn: custom
                .origin_mtls_config()
                .map(|m| m.client_certificate_arn().trim().to_owned()),
        })
    } else {
        OriginKind::S3
    };
    Origin {
        id: o.id().to_owned(),
        domain_name: o.domain_name().to_owned(),
        connection_timeout: o.connection_timeout(),
        connection_attempts: o.connection_attempts(),
        kind,
    }
}

fn origin_group(g: &cf::OriginGroup) -> OriginGroup {
    OriginGroup {
        id: g.id().to_owned(),
        member_origin_ids: g
            .members()
            .map(|m| m.items().iter().map(|i| i.origin_id().to_owned()).collect())
            .unwrap_or_default(),
    }
}

/// `DefaultCacheBehavior` and `CacheBehavior` are distinct SDK types with the same accessors: one body
/// serves both, so the two kinds of behaviour cannot drift apart.
macro_rules! cache_behavior_from {
    ($b:expr, $path_pattern:expr) => {
        CacheBehavior {
            path_pattern: $path_pattern,
            target_origin_id: $b.target_origin_id().to_owned(),
            viewer_protocol_policy: $b.viewer_protocol_policy().as_str().to_owned(),
            cache_policy_id: $b.cache_policy_id().and_then(text),
            origin_request_policy_id: $b.origin_request_policy_id().and_then(text),
            forwarded_headers: forwarded_headers($b.forwarded_values()),
            function_associations: $b
                .function_associations()
                .map(|l| associations(l.items(), |a| a.function_arn(), |a| a.event_type()))
                .unwrap_or_default(),
            lambda_function_associations: $b
                .lambda_function_associations()
                .map(|l| associations(l.items(), |a| a.lambda_function_arn(), |a| a.event_type()))
                .unwrap_or_default(),
        }
    };
}

// ForwardedValues is deprecated in the API but still in use; rules must see its headers.
#[allow(deprecated)]
fn default_cache_behavior(b: &cf::DefaultCacheBehavior) -> CacheBehavior {
    cache_behavior_from!(b, None)
}

#[allow(deprecated)]
fn cache_behavior(b: &cf::CacheBehavior) -> CacheBehavior {
    cache_behavior_from!(b, Some(b.path_pattern().to_owned()))
}

/// Both association lists in one shape: CloudFront Functions and Lambda@Edge differ only in names.
fn associations<T>(
    items: &[T],
    arn: impl Fn(&T) -> &str,
    event_type: impl Fn(&T) -> &cf::EventType,
) -> Vec<FunctionAssociation> {
    items
        .iter()
        .map(|item| FunctionAssociation {
            arn: arn(item).to_owned(),
            event_type: event_type(item).as_str().to_owned(),
        })
        .collect()
}

/// Legacy `ForwardedValues.Headers.Items`: `Some` (possibly empty) whenever the behaviour uses
/// ForwardedValues, so rules can tell legacy settings from policies.
fn forwarded_headers(values: Option<&cf::ForwardedValues>) -> Option<Vec<String>> {
    values.map(|v| {
        v.headers()
            .map(|h| h.items().iter().filter_map(|s| text(s)).collect())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_protocol_versions_pass_through_as_strings() {
        let vc = cf::ViewerCertificate::builder()
            .cloud_front_default_certificate(false)
            .acm_certificate_arn("")
            .iam_certificate_id("ASCAEXAMPLE")
            .minimum_protocol_version(cf::MinimumProtocolVersion::from("TLSv1.3_2025"))
            .ssl_support_method(cf::SslSupportMethod::SniOnly)
            .build();
        let converted = viewer_certificate(&vc);
        assert_eq!(converted.acm_certificate_arn, None);
        assert_eq!(converted.iam_certificate_id.as_deref(), Some("ASCAEXAMPLE"));
        assert_eq!(
            converted.minimum_protocol_version.as_deref(),
            Some("TLSv1.3_2025")
        );
        assert_eq!(
            converted.ssl_support_method.as_ref().map(|v| v.as_str()),
            Some("sni-only")
        );
    }

    /// Every part the audit does not cover, as the SDK hands it over: the conversion keeps each one, and
    /// exactly as check-config reads it from JSON, so `audit-not-covered` says the same of a live
    /// distribution and of its file. (The emulator drops these fields, so the SDK's own types stand in
    /// for its answer here.)
    #[test]
    // The fixture's behaviour uses ForwardedValues, deprecated in the API but still common.
    #[allow(deprecated)]
    fn parts_outside_the_audit_survive_the_conversion(
    ) -> Result<(), aws_sdk_cloudfront::error::BuildError> {
        let custom = cf::Origin::builder()
            .id("app")
            .domain_name("origin.example.com")
            .custom_origin_config(
                cf::CustomOriginConfig::builder()
                    .http_port(80)
                    .https_port(443)
                    .origin_protocol_policy(cf::OriginProtocolPolicy::HttpsOnly)
                    .origin_ssl_protocols(
                        cf::OriginSslProtocols::builder()
                            .quantity(1)
                            .items(cf::SslProtocol::TlSv12)
                            .build()?,
                    )
                    .origin_read_timeout(30)
                    .origin_keepalive_timeout(5)
                    .origin_mtls_config(
                        cf::OriginMtlsConfig::builder()
                            .client_certificate_arn(
                                "arn:aws:acm:us-east-1:111122223333:certificate/client-1",
                            )
                            .build()?,
                    )
                    .build()?,
            )
            .connection_attempts(3)
            .connection_timeout(10)
            .build()?;
        let vpc = cf::Origin::builder()
            .id("private-alb")
            .domain_name("internal-alb.example.com")
            .vpc_origin_config(
                cf::VpcOriginConfig::builder()
                    .vpc_origin_id("vo_0123456789abcdef")
                    .owner_account_id("444455556666")
                    .origin_read_timeout(30)
                    .origin_keepalive_timeout(5)
                    .build()?,
            )
            .connection_attempts(3)
            .connection_timeout(10)
            .build()?;
        let origins = cf::Origins::builder()
            .quantity(2)
            .items(custom)
            .items(vpc)
            .build()?;
        let behavior = cf::DefaultCacheBehavior::builder()
            .target_origin_id("app")
            .viewer_protocol_policy(cf::ViewerProtocolPolicy::HttpsOnly)
            .forwarded_values(
                cf::ForwardedValues::builder()
                    .query_string(false)
                    .headers(cf::Headers::builder().quantity(0).build()?)
                    .build()?,
            )
            .function_associations(
                cf::FunctionAssociations::builder()
                    .quantity(1)
                    .items(
                        cf::FunctionAssociation::builder()
                            .function_arn("arn:aws:cloudfront::111122223333:function/pick-origin")
                            .event_type(cf::EventType::ViewerRequest)
                            .build()?,
                    )
                    .build()?,
            )
            .lambda_function_associations(
                cf::LambdaFunctionAssociations::builder()
                    .quantity(1)
                    .items(
                        cf::LambdaFunctionAssociation::builder()
                            .lambda_function_arn(
                                "arn:aws:lambda:us-east-1:111122223333:function:route:7",
                            )
                            .event_type(cf::EventType::OriginRequest)
                            .build()?,
                    )
                    .build()?,
            )
            .build()?;
        let mtls = cf::ViewerMtlsConfig::builder()
            .mode(cf::ViewerMtlsMode::Required)
            .trust_store_config(
                cf::TrustStoreConfig::builder()
                    .trust_store_id("ts-0a1b2c")
                    .ignore_certificate_expiry(false)
                    .build()?,
            )
            .build();
        let tenant_config = cf::TenantConfig::builder()
            .parameter_definitions(
                cf::ParameterDefinition::builder()
                    .name("tenantName")
                    .build()?,
            )
            .build();
        let connection_function = cf::ConnectionFunctionAssociation::builder()
            .id("cf-check-cert")
            .build()?;
        let mode = cf::ConnectionMode::TenantOnly;
        let distribution = from_parts(
            "E1",
            Parts {
                aliases: None,
                viewer_certificate: None,
                http_version: None,
                origins: Some(&origins),
                origin_groups: None,
                default_cache_behavior: Some(&behavior),
                cache_behaviors: None,
                connection_mode: Some(&mode),
                tenant_config: Some(&tenant_config),
                viewer_mtls_config: Some(&mtls),
                connection_function_association: Some(&connection_function),
            },
            true,
        );

        // check-config reads the same configuration from JSON: both must say the same.
        let proposed = crate::intake::distribution_from_value(
            &crate::intake::distribution_config::not_covered_tests::config_with_every_part(),
            "E1",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(distribution.origins, proposed.origins);
        assert_eq!(
            distribution.default_cache_behavior,
            proposed.default_cache_behavior
        );
        assert_eq!(distribution.connection_mode, proposed.connection_mode);
        assert_eq!(distribution.tenant_config, proposed.tenant_config);
        assert_eq!(distribution.viewer_mtls_config, proposed.viewer_mtls_config);
        assert_eq!(
            distribution.connection_function_association_id,
            proposed.connection_function_association_id
        );
        assert!(distribution.is_multi_tenant());
        Ok(())
    }
}
