//! A CloudFront `DistributionConfig` in JSON, read into a proposed [`Distribution`].
//!
//! Used by `check-config FILE` (a gate before deploying) and by the Lambda for CloudTrail calls, so the
//! same config arrives in several wrappers and casings: the AWS CLI's PascalCase (`ACMCertificateArn`) and
//! CloudTrail's mechanical camelCase (`aCMCertificateArn`, `hTTPSPort`). Keys are therefore matched
//! ASCII-case-insensitively, and the few wrappers people actually have on disk are peeled off.
//!
//! The input is untrusted (a file from a pull request, an event from another account), so nothing here
//! panics, the size is capped before parsing, and the walk follows the fixed shape of a DistributionConfig
//! instead of recursing into whatever the document nests. serde_json itself stops at 128 levels of nesting.

//!
//! Two ideas, one file each: what a DistributionConfig holds and where its wrappers put it (here), and
//! how one object of it is read by CloudFront field name in any casing (`object`).

use crate::vocabulary::{DistributionStatus, OriginProtocolPolicy, SslSupportMethod};
use serde_json::Value;

mod error;
#[cfg(test)]
pub(crate) mod not_covered_tests;
mod object;
#[cfg(test)]
mod tests;

pub use error::ConfigError;

use super::json::{parse_bounded, JsonRefusal};
use super::untrusted::{describe_object_within, describe_within};
use crate::model::{
    CacheBehavior, CustomOrigin, Distribution, DistributionOrigin, FunctionAssociation, Origin,
    OriginGroup, OriginKind, TenantConfig, ViewerCertificate, ViewerMtlsConfig,
};
use object::{ConfigObject, FOUND_CHARS};

/// The largest file accepted: real DistributionConfigs are a few KiB, even with 75 behaviours.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Parses a file's text. Accepts: the output of `aws cloudfront get-distribution-config`
/// (`{"ETag":..,"DistributionConfig":{..}}`), a bare DistributionConfig, the output of
/// `aws cloudfront get-distribution` (`{"Distribution":{"Id":..,"DistributionConfig":{..}}}`), CloudTrail's
/// `requestParameters` object (`{"distributionConfig":{..}}` or
/// `{"distributionConfigWithTags":{"distributionConfig":{..}}}`), in any key casing.
///
/// `label` becomes the distribution id unless the document carries one (`Distribution.Id`, or a
/// top-level `Id`). The result is marked [`DistributionOrigin::Proposed`].
pub fn parse_distribution_config(text: &str, label: &str) -> Result<Distribution, ConfigError> {
    let value =
        parse_bounded(text.as_bytes(), MAX_INPUT_BYTES).map_err(|refusal| match refusal {
            JsonRefusal::TooLarge { size, limit } => ConfigError::TooLarge { size, limit },
            JsonRefusal::Syntax {
                line,
                column,
                message,
            } => ConfigError::InvalidJson {
                line,
                column,
                message,
            },
        })?;
    distribution_from_value(&value, label)
}

/// Same as [`parse_distribution_config`], from an already-parsed value (the Lambda has a
/// `serde_json::Value`). No size cap applies: the caller already holds the value.
pub fn distribution_from_value(value: &Value, label: &str) -> Result<Distribution, ConfigError> {
    let located = locate(value)?;
    let config = located.config;

    let viewer_certificate = match config.object("ViewerCertificate")? {
        Some(vc) => ViewerCertificate {
            cloudfront_default_certificate: vc.boolean("CloudFrontDefaultCertificate")?,
            acm_certificate_arn: vc.string("ACMCertificateArn")?,
            iam_certificate_id: vc.string("IAMCertificateId")?,
            ssl_support_method: vc.string("SSLSupportMethod")?.map(SslSupportMethod::from),
            minimum_protocol_version: vc.string("MinimumProtocolVersion")?,
        },
        None => ViewerCertificate::default(),
    };

    let origins = config
        .list("Origins")?
        .ok_or_else(|| config.missing("Origins"))?
        .into_iter()
        .map(|item| parse_origin(&item.object()?))
        .collect::<Result<Vec<_>, _>>()?;

    let origin_groups = config
        .list("OriginGroups")?
        .unwrap_or_default()
        .into_iter()
        .map(|item| parse_origin_group(&item.object()?))
        .collect::<Result<Vec<_>, _>>()?;

    let default_cache_behavior = config
        .object("DefaultCacheBehavior")?
        .ok_or_else(|| config.missing("DefaultCacheBehavior"))?;
    let default_cache_behavior = parse_cache_behavior(&default_cache_behavior, false)?;

    let cache_behaviors = config
        .list("CacheBehaviors")?
        .unwrap_or_default()
        .into_iter()
        .map(|item| parse_cache_behavior(&item.object()?, true))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Distribution {
        id: located.id.unwrap_or_else(|| label.to_owned()),
        arn: located.arn,
        domain_name: located.domain_name,
        status: located.status.map(DistributionStatus::from),
        // CloudFront requires Enabled; when a hand-written file leaves it out, assume the worst case
        // for viewers: the configuration is served.
        enabled: config.boolean("Enabled")?.unwrap_or(true),
        origin: DistributionOrigin::Proposed,
        aliases: config.string_list("Aliases")?,
        viewer_certificate,
        http_version: config.string("HttpVersion")?,
        origins,
        origin_groups,
        default_cache_behavior,
        cache_behaviors,
        connection_mode: config.string("ConnectionMode")?,
        tenant_config: parse_tenant_config(&config)?,
        viewer_mtls_config: parse_viewer_mtls_config(&config)?,
        connection_function_association_id: config
            .object("ConnectionFunctionAssociation")?
            .map(|association| association.required_string("Id"))
            .transpose()?,
    })
}

fn parse_tenant_config(config: &ConfigObject<'_>) -> Result<Option<TenantConfig>, ConfigError> {
    let Some(tenant_config) = config.object("TenantConfig")? else {
        return Ok(None);
    };
    // A bare array, as in the API's JSON (not a Quantity/Items list); `list` reads both.
    let parameter_names = tenant_config
        .list("ParameterDefinitions")?
        .unwrap_or_default()
        .into_iter()
        .map(|item| item.object()?.required_string("Name"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(TenantConfig { parameter_names }))
}

fn parse_viewer_mtls_config(
    config: &ConfigObject<'_>,
) -> Result<Option<ViewerMtlsConfig>, ConfigError> {
    let Some(mtls) = config.object("ViewerMtlsConfig")? else {
        return Ok(None);
    };
    let trust_store = mtls.object("TrustStoreConfig")?;
    Ok(Some(ViewerMtlsConfig {
        mode: mtls.required_string("Mode")?,
        trust_store_id: trust_store
            .as_ref()
            .map(|trust_store| trust_store.required_string("TrustStoreId"))
            .transpose()?,
        ignore_certificate_expiry: match &trust_store {
            Some(trust_store) => trust_store.boolean("IgnoreCertificateExpiry")?,
            None => None,
        },
    }))
}

/// The DistributionConfig object plus what its wrapper says about the distribution.
struct Located<'a> {
    config: ConfigObject<'a>,
    id: Option<String>,
    arn: Option<String>,
    domain_name: Option<String>,
    status: Option<String>,
}

/// Keys that only a DistributionConfig has at its top level; one of them marks a bare config.
const BARE_CONFIG_KEYS: [&str; 5] = [
    "Origins",
    "DefaultCacheBehavior",
    "ViewerCertificate",
    "CallerReference",
    "Aliases",
];

/// Peels the accepted wrappers. A fixed sequence of checks, not a search, so the document's depth
/// cannot drive the work and a config nested somewhere unexpected is not picked up by accident.
fn locate(value: &Value) -> Result<Located<'_>, ConfigError> {
    let Value::Object(map) = value else {
        return Err(ConfigError::NoDistributionConfig {
            found: describe_within(value, FOUND_CHARS),
        });
    };
    let root = ConfigObject {
        map,
        path: String::new(),
    };
    let top_id = root.string("Id")?;

    if let Some(distribution) = root.object("Distribution")? {
        let config = distribution
            .object("DistributionConfig")?
            .ok_or_else(|| distribution.missing("DistributionConfig"))?;
        return Ok(Located {
            config,
            id: distribution.string("Id")?.or(top_id),
            arn: distribution.string("ARN")?,
            domain_name: distribution.string("DomainName")?,
            status: distribution.string("Status")?,
        });
    }
    let config = if let Some(with_tags) = root.object("DistributionConfigWithTags")? {
        with_tags
            .object("DistributionConfig")?
            .ok_or_else(|| with_tags.missing("DistributionConfig"))?
    } else if let Some(config) = root.object("DistributionConfig")? {
        config
    } else if BARE_CONFIG_KEYS.iter().any(|key| root.has(key)) {
        root
    } else {
        return Err(ConfigError::NoDistributionConfig {
            found: describe_object_within(map, FOUND_CHARS),
        });
    };
    Ok(Located {
        config,
        id: top_id,
        arn: None,
        domain_name: None,
        status: None,
    })
}

fn parse_origin(origin: &ConfigObject<'_>) -> Result<Origin, ConfigError> {
    let s3 = origin.object("S3OriginConfig")?;
    let custom = origin.object("CustomOriginConfig")?;
    let vpc = origin.object("VpcOriginConfig")?;

    let kind = match (s3, custom, vpc) {
        (Some(_), None, None) => OriginKind::S3,
        (None, Some(custom), None) => OriginKind::Custom(CustomOrigin {
            http_port: custom.integer("HTTPPort")?,
            https_port: custom.integer("HTTPSPort")?,
            // Kept as "" when absent: CloudFront requires it, and the rules read "" as no known policy.
            origin_protocol_policy: OriginProtocolPolicy::from(
                custom.string("OriginProtocolPolicy")?.unwrap_or_default(),
            ),
            origin_ssl_protocols: custom.string_list("OriginSslProtocols")?,
            origin_read_timeout: custom.integer("OriginReadTimeout")?,
            origin_mtls_client_certificate_arn: custom
                .object("OriginMtlsConfig")?
                .map(|mtls| mtls.required_string("ClientCertificateArn"))
                .transpose()?,
        }),
        (None, None, Some(vpc)) => OriginKind::Vpc {
            vpc_origin_id: vpc.required_string("VpcOriginId")?,
            owner_account_id: vpc.string("OwnerAccountId")?,
        },
        (None, None, None) => {
            return Err(origin.missing("S3OriginConfig, CustomOriginConfig or VpcOriginConfig"))
        }
        (s3, custom, vpc) => {
            let fields = [
                (s3.is_some(), "S3OriginConfig"),
                (custom.is_some(), "CustomOriginConfig"),
                (vpc.is_some(), "VpcOriginConfig"),
            ]
            .into_iter()
            .filter_map(|(set, name)| set.then_some(name))
            .collect();
            return Err(ConfigError::ConflictingOriginKinds {
                path: origin.path.clone(),
                fields,
            });
        }
    };

    Ok(Origin {
        id: origin.required_string("Id")?,
        domain_name: origin.required_string("DomainName")?,
        connection_timeout: origin.integer("ConnectionTimeout")?,
        connection_attempts: origin.integer("ConnectionAttempts")?,
        kind,
    })
}

fn parse_origin_group(group: &ConfigObject<'_>) -> Result<OriginGroup, ConfigError> {
    let id = group.required_string("Id")?;
    let member_origin_ids = group
        .list("Members")?
        .unwrap_or_default()
        .into_iter()
        .map(|member| member.object()?.required_string("OriginId"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OriginGroup {
        id,
        member_origin_ids,
    })
}

fn parse_cache_behavior(
    behavior: &ConfigObject<'_>,
    path_pattern_required: bool,
) -> Result<CacheBehavior, ConfigError> {
    // The default behaviour has no pattern by definition; a path behaviour without one would be
    // reported as "default", which is wrong, so it is an error there.
    let path_pattern = if path_pattern_required {
        Some(behavior.required_string("PathPattern")?)
    } else {
        None
    };
    let forwarded_headers = match behavior.object("ForwardedValues")? {
        Some(forwarded) => Some(forwarded.string_list("Headers")?),
        None => None,
    };
    Ok(CacheBehavior {
        path_pattern,
        target_origin_id: behavior.required_string("TargetOriginId")?,
        // Kept as "" when absent: CloudFront requires it, and the rules read "" as no known policy.
        viewer_protocol_policy: behavior.string("ViewerProtocolPolicy")?.unwrap_or_default(),
        cache_policy_id: behavior.string("CachePolicyId")?,
        origin_request_policy_id: behavior.string("OriginRequestPolicyId")?,
        forwarded_headers,
        function_associations: parse_associations(behavior, "FunctionAssociations", "FunctionARN")?,
        lambda_function_associations: parse_associations(
            behavior,
            "LambdaFunctionAssociations",
            "LambdaFunctionARN",
        )?,
    })
}

/// `FunctionAssociations` or `LambdaFunctionAssociations`: CloudFront requires the ARN and the event
/// type of each item, and an association without them says nothing about what runs when.
fn parse_associations(
    behavior: &ConfigObject<'_>,
    list: &'static str,
    arn: &'static str,
) -> Result<Vec<FunctionAssociation>, ConfigError> {
    behavior
        .list(list)?
        .unwrap_or_default()
        .into_iter()
        .map(|item| {
            let association = item.object()?;
            Ok(FunctionAssociation {
                arn: association.required_string(arn)?,
                event_type: association.required_string("EventType")?,
            })
        })
        .collect()
}
