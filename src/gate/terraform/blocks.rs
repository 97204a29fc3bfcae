//! An `aws_cloudfront_distribution`'s planned values, in Terraform's snake_case nested blocks, turned
//! into CloudFront's DistributionConfig JSON, so that the one DistributionConfig reader
//! (`crate::intake::distribution_config`) builds the model: every input kind is then read, defaulted
//! and validated the same way. On the way, the values the plan marks as known only after apply
//! (`after_unknown`) are collected: the planned values leave them out.
//!
//! The walk follows the fixed table below, never the document's own nesting, so its depth is that of
//! the table (three levels) whatever the plan holds.

use serde_json::Value;

use super::json::{self, join, Object};
use super::PlanError;

/// What stands for a required value known only after apply (an origin id from another resource), so
/// that the DistributionConfig reader accepts the origin; the value is also an `Unresolved`.
pub(super) const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// What an ACM certificate ARN unknown before apply leaves unchecked.
pub(super) const ACM_ARN_UNCHECKED: &str =
    "whether the certificate covers the aliases, its region, status and expiry";

/// One attribute or nested block of the Terraform resource and its DistributionConfig name.
struct Field {
    /// The name in the AWS provider's schema.
    terraform: &'static str,
    /// The name in CloudFront's DistributionConfig.
    cloudfront: &'static str,
    /// How its value is carried over.
    shape: Shape,
    /// What cannot be checked while its value is unknown.
    unchecked: &'static str,
}

/// How a field's value is carried over.
enum Shape {
    /// A scalar or a set of strings, copied as is (the DistributionConfig reader checks its type).
    Value,
    /// A scalar CloudFront requires: when unknown, [`KNOWN_AFTER_APPLY`] stands for it.
    Required,
    /// A nested block of at most one (`viewer_certificate`): Terraform writes a list of one object,
    /// CloudFront an object.
    Block(&'static [Field]),
    /// A repeated nested block (`origin`): a list of objects on both sides.
    Blocks(&'static [Field]),
}

const fn field(
    terraform: &'static str,
    cloudfront: &'static str,
    shape: Shape,
    unchecked: &'static str,
) -> Field {
    Field {
        terraform,
        cloudfront,
        shape,
        unchecked,
    }
}

/// `viewer_certificate`. The ARN's absence is what `acm_certificate_arn` references are followed for.
const VIEWER_CERTIFICATE: &[Field] = &[
    field(
        "acm_certificate_arn",
        "ACMCertificateArn",
        Shape::Value,
        ACM_ARN_UNCHECKED,
    ),
    field(
        "cloudfront_default_certificate",
        "CloudFrontDefaultCertificate",
        Shape::Value,
        "which certificate viewers get",
    ),
    field(
        "iam_certificate_id",
        "IAMCertificateId",
        Shape::Value,
        "whether the certificate covers the aliases, and its expiry",
    ),
    field(
        "minimum_protocol_version",
        "MinimumProtocolVersion",
        Shape::Value,
        "the viewer TLS policy",
    ),
    field(
        "ssl_support_method",
        "SSLSupportMethod",
        Shape::Value,
        "the viewer TLS policy",
    ),
];

const CUSTOM_ORIGIN_CONFIG: &[Field] = &[
    field("http_port", "HTTPPort", Shape::Value, "the origin's ports"),
    field(
        "https_port",
        "HTTPSPort",
        Shape::Value,
        "the origin's TLS (its port)",
    ),
    field(
        "origin_protocol_policy",
        "OriginProtocolPolicy",
        Shape::Value,
        "whether CloudFront reaches the origin over HTTPS",
    ),
    field(
        "origin_ssl_protocols",
        "OriginSslProtocols",
        Shape::Value,
        "the TLS versions CloudFront offers the origin",
    ),
    field(
        "origin_read_timeout",
        "OriginReadTimeout",
        Shape::Value,
        "the origin's timeouts",
    ),
];

const S3_ORIGIN_CONFIG: &[Field] = &[field(
    "origin_access_identity",
    "OriginAccessIdentity",
    Shape::Value,
    "nothing of TLS",
)];

const VPC_ORIGIN_CONFIG: &[Field] = &[
    field(
        "vpc_origin_id",
        "VpcOriginId",
        Shape::Required,
        "which VPC origin is used",
    ),
    field(
        "owner_account_id",
        "OwnerAccountId",
        Shape::Value,
        "which account shares the VPC origin",
    ),
];

const ORIGIN: &[Field] = &[
    field(
        "origin_id",
        "Id",
        Shape::Required,
        "which cache behaviours use the origin",
    ),
    field(
        "domain_name",
        "DomainName",
        Shape::Required,
        "the origin's certificate and TLS versions (it cannot be probed)",
    ),
    field(
        "connection_timeout",
        "ConnectionTimeout",
        Shape::Value,
        "the origin's timeouts",
    ),
    field(
        "connection_attempts",
        "ConnectionAttempts",
        Shape::Value,
        "the origin's retries",
    ),
    field(
        "custom_origin_config",
        "CustomOriginConfig",
        Shape::Block(CUSTOM_ORIGIN_CONFIG),
        "the origin's protocol policy and TLS versions",
    ),
    field(
        "s3_origin_config",
        "S3OriginConfig",
        Shape::Block(S3_ORIGIN_CONFIG),
        "what kind of origin it is",
    ),
    field(
        "vpc_origin_config",
        "VpcOriginConfig",
        Shape::Block(VPC_ORIGIN_CONFIG),
        "what kind of origin it is",
    ),
];

const ORIGIN_GROUP_MEMBER: &[Field] = &[field(
    "origin_id",
    "OriginId",
    Shape::Required,
    "which origins the group fails over between",
)];

const ORIGIN_GROUP: &[Field] = &[
    field(
        "origin_id",
        "Id",
        Shape::Required,
        "which cache behaviours use the origin group",
    ),
    field(
        "member",
        "Members",
        Shape::Blocks(ORIGIN_GROUP_MEMBER),
        "which origins the group fails over between",
    ),
];

const FORWARDED_VALUES: &[Field] = &[field(
    "headers",
    "Headers",
    Shape::Value,
    "whether the viewer's Host header is forwarded to the origin",
)];

const FUNCTION_ASSOCIATION: &[Field] = &[
    field(
        "event_type",
        "EventType",
        Shape::Required,
        "when the function runs",
    ),
    field(
        "function_arn",
        "FunctionARN",
        Shape::Required,
        "which function runs",
    ),
];

const LAMBDA_FUNCTION_ASSOCIATION: &[Field] = &[
    field(
        "event_type",
        "EventType",
        Shape::Required,
        "when the function runs",
    ),
    field(
        "lambda_arn",
        "LambdaFunctionARN",
        Shape::Required,
        "which function runs",
    ),
];

const CACHE_BEHAVIOR: &[Field] = &[
    field(
        "path_pattern",
        "PathPattern",
        Shape::Required,
        "which requests the cache behaviour serves",
    ),
    field(
        "target_origin_id",
        "TargetOriginId",
        Shape::Required,
        "which origin the cache behaviour uses",
    ),
    field(
        "viewer_protocol_policy",
        "ViewerProtocolPolicy",
        Shape::Value,
        "whether viewers are sent to HTTPS",
    ),
    field(
        "cache_policy_id",
        "CachePolicyId",
        Shape::Value,
        "whether the viewer's Host header is forwarded to the origin",
    ),
    field(
        "origin_request_policy_id",
        "OriginRequestPolicyId",
        Shape::Value,
        "whether the viewer's Host header is forwarded to the origin",
    ),
    field(
        "forwarded_values",
        "ForwardedValues",
        Shape::Block(FORWARDED_VALUES),
        "whether the viewer's Host header is forwarded to the origin",
    ),
    field(
        "function_association",
        "FunctionAssociations",
        Shape::Blocks(FUNCTION_ASSOCIATION),
        "which functions run",
    ),
    field(
        "lambda_function_association",
        "LambdaFunctionAssociations",
        Shape::Blocks(LAMBDA_FUNCTION_ASSOCIATION),
        "which functions run",
    ),
];

/// The top level of `aws_cloudfront_distribution`, as far as TLS is concerned.
const DISTRIBUTION: &[Field] = &[
    field(
        "enabled",
        "Enabled",
        Shape::Value,
        "whether the distribution serves viewers",
    ),
    field(
        "http_version",
        "HttpVersion",
        Shape::Value,
        "the HTTP versions viewers get",
    ),
    field(
        "aliases",
        "Aliases",
        Shape::Value,
        "whether the certificate covers the aliases",
    ),
    field(
        "viewer_certificate",
        "ViewerCertificate",
        Shape::Block(VIEWER_CERTIFICATE),
        "which certificate viewers get, and the viewer TLS policy",
    ),
    field(
        "origin",
        "Origins",
        Shape::Blocks(ORIGIN),
        "the origins' protocol policies and TLS versions",
    ),
    field(
        "origin_group",
        "OriginGroups",
        Shape::Blocks(ORIGIN_GROUP),
        "which origins the groups fail over between",
    ),
    field(
        "default_cache_behavior",
        "DefaultCacheBehavior",
        Shape::Block(CACHE_BEHAVIOR),
        "the default cache behaviour's viewer protocol policy and origin",
    ),
    field(
        "ordered_cache_behavior",
        "CacheBehaviors",
        Shape::Blocks(CACHE_BEHAVIOR),
        "the cache behaviours' viewer protocol policies and origins",
    ),
];

/// A value the plan knows only after apply, by its path as Terraform writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UnknownValue {
    /// `viewer_certificate[0].acm_certificate_arn`, `origin[1].domain_name`, `aliases`.
    pub(super) property: String,
    /// What cannot be checked because of it.
    pub(super) unchecked: &'static str,
}

/// A distribution's DistributionConfig, and what of it is known only after apply.
pub(super) struct Converted {
    /// The DistributionConfig JSON, CloudFront's names, lists as bare arrays.
    pub(super) config: Value,
    /// The unknown values, in the table's order.
    pub(super) unknown: Vec<UnknownValue>,
}

/// Converts one distribution's `values` (at `path` in the plan) with its `after_unknown` markers.
pub(super) fn distribution_config(
    values: &Object,
    after_unknown: Option<&Value>,
    path: &str,
) -> Result<Converted, PlanError> {
    let mut unknown = Vec::new();
    let mut config = convert(values, after_unknown, DISTRIBUTION, "", path, &mut unknown)?;
    if let Some(Value::Array(origins)) = config.get_mut("Origins") {
        origins.iter_mut().for_each(default_to_s3_origin);
    }
    Ok(Converted {
        config: Value::Object(config),
        unknown,
    })
}

/// An origin with none of the three configurations is an S3 origin (with origin access control, or
/// public): the AWS provider sends CloudFront an empty `S3OriginConfig` for it.
fn default_to_s3_origin(origin: &mut Value) {
    const KINDS: [&str; 3] = ["CustomOriginConfig", "S3OriginConfig", "VpcOriginConfig"];
    if let Value::Object(origin) = origin {
        if !KINDS.iter().any(|kind| origin.contains_key(*kind)) {
            origin.insert("S3OriginConfig".to_owned(), Value::Object(Object::new()));
        }
    }
}

/// Whether an `after_unknown` marker says the value (or an element of a set) is unknown.
fn marks_unknown(marker: &Value) -> bool {
    match marker {
        Value::Bool(unknown) => *unknown,
        Value::Array(items) => items.iter().any(|item| item == &Value::Bool(true)),
        _ => false,
    }
}

fn convert(
    values: &Object,
    markers: Option<&Value>,
    fields: &'static [Field],
    property: &str,
    path: &str,
    unknown: &mut Vec<UnknownValue>,
) -> Result<Object, PlanError> {
    let markers = match markers {
        Some(Value::Object(markers)) => Some(markers),
        _ => None,
    };
    let mut config = Object::new();
    for field in fields {
        let marker = markers.and_then(|markers| markers.get(field.terraform));
        let is_unknown = marker.is_some_and(marks_unknown);
        if is_unknown {
            unknown.push(UnknownValue {
                property: join(property, field.terraform),
                unchecked: field.unchecked,
            });
        }
        let value = values.get(field.terraform).filter(|value| !value.is_null());
        let nested = match field.shape {
            Shape::Value | Shape::Required => {
                let stand_in = matches!(field.shape, Shape::Required) && is_unknown;
                match value {
                    Some(value) => Some(value.clone()),
                    None if stand_in => Some(Value::String(KNOWN_AFTER_APPLY.to_owned())),
                    None => None,
                }
            }
            Shape::Block(_) | Shape::Blocks(_) if is_unknown => None,
            Shape::Block(inner) | Shape::Blocks(inner) => {
                let blocks = blocks(values, marker, field, inner, property, path, unknown)?;
                match (&field.shape, blocks.len()) {
                    (_, 0) => None,
                    (Shape::Block(_), 1) => blocks.into_iter().next(),
                    (Shape::Block(_), _) => {
                        return Err(PlanError::WrongType {
                            path: join(path, field.terraform),
                            expected: "a list of at most one block",
                            found: "a list of several",
                        })
                    }
                    _ => Some(Value::Array(blocks)),
                }
            }
        };
        if let Some(nested) = nested {
            config.insert(field.cloudfront.to_owned(), nested);
        }
    }
    Ok(config)
}

/// The blocks of one nested-block field, each converted with its own markers.
fn blocks(
    values: &Object,
    marker: Option<&Value>,
    field: &Field,
    inner: &'static [Field],
    property: &str,
    path: &str,
    unknown: &mut Vec<UnknownValue>,
) -> Result<Vec<Value>, PlanError> {
    let Some(items) = json::array(values, field.terraform, path)? else {
        return Ok(Vec::new());
    };
    let markers = match marker {
        Some(Value::Array(markers)) => markers.as_slice(),
        _ => &[],
    };
    let list_property = join(property, field.terraform);
    let list_path = join(path, field.terraform);
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let item_path = format!("{list_path}[{index}]");
            let item = json::as_object(item, &item_path)?;
            convert(
                item,
                markers.get(index),
                inner,
                &format!("{list_property}[{index}]"),
                &item_path,
                unknown,
            )
            .map(Value::Object)
        })
        .collect()
}
