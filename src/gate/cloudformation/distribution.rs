//! One `AWS::CloudFront::Distribution`: its resolved `DistributionConfig` turned into the API's JSON
//! and read by the same reader as `check-config`'s DistributionConfig files
//! ([`distribution_from_value`]), so the API, CloudTrail and CloudFormation readings cannot disagree
//! (CloudFormation's `AcmCertificateArn` and the API's `ACMCertificateArn` differ only in case, which
//! that reader ignores). Unknown values are left out and recorded; the places of the properties are
//! collected on the way.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{Fault, TemplateFault};
use super::resolve::{Field, Resolved, Why, UNKNOWN_PART};
use crate::gate::{
    CertificateBinding, Places, Position, Property, ProposedDistribution, Unresolved,
};
use crate::intake::{distribution_from_value, ConfigError};

/// What stands for a name CloudFront requires (an origin's `DomainName`, a behaviour's
/// `TargetOriginId`) when it cannot be resolved: the distribution stays whole, its `Unresolved`
/// entry says why, and a `{{…}}` domain is never probed (the plan treats it as a placeholder).
pub const UNRESOLVED_NAME: &str = "{{unresolved}}";

/// Fields CloudFront requires whose value, when unknown, is kept as [`UNRESOLVED_NAME`]: every
/// field the DistributionConfig reader requires that a template commonly computes (`!GetAtt
/// Function.FunctionARN`, `!Ref EdgeFunctionVersion`, `!GetAtt VpcOrigin.Id`, `!Ref TrustStore`),
/// so that a computed value is reported as unresolved, never as missing.
const REQUIRED_NAMES: [&str; 12] = [
    "Id",
    "DomainName",
    "DNSName",
    "TargetOriginId",
    "PathPattern",
    "OriginId",
    "FunctionARN",
    "LambdaFunctionARN",
    "EventType",
    "VpcOriginId",
    "TrustStoreId",
    "ClientCertificateArn",
];

/// A distribution read, with the values it could not know.
pub(crate) struct Reading {
    /// The distribution; `None` when its whole `DistributionConfig` is unknown (then its
    /// `Unresolved` entry is all there is to say).
    pub(crate) proposed: Option<ProposedDistribution>,
    /// Its unresolved values, in file order.
    pub(crate) unresolved: Vec<Unresolved>,
}

/// Reads one distribution from its resolved `Properties`.
pub(crate) fn read(
    resource: &str,
    resource_at: Position,
    properties: &Resolved,
) -> Result<Reading, Fault> {
    let mut unresolved = Vec::new();
    let Some(config) = properties.field("DistributionConfig") else {
        return Err(Fault::malformed(
            resource_at,
            format!("distribution {resource} has no Properties.DistributionConfig"),
        ));
    };
    let mut walk = Walk {
        resource,
        positions: BTreeMap::new(),
        unresolved: &mut unresolved,
        certificate: CertificateBinding::None,
    };
    let path = "DistributionConfig".to_owned();
    walk.positions.insert(path.clone(), config.key_at);
    let json = match walk.value(&config.value, &path, config.key_at) {
        Some(json) => json,
        None => {
            // The whole DistributionConfig is unknown: nothing to read, and it is recorded.
            return Ok(Reading {
                proposed: None,
                unresolved,
            });
        }
    };
    let positions = std::mem::take(&mut walk.positions);
    let certificate = std::mem::replace(&mut walk.certificate, CertificateBinding::None);
    let mut root = Map::new();
    root.insert(path, json);
    let distribution =
        distribution_from_value(&Value::Object(root), resource).map_err(|source| Fault {
            at: error_position(&source, &positions).unwrap_or(resource_at),
            fault: TemplateFault::Distribution {
                resource: resource.to_owned(),
                source: Box::new(source),
            },
        })?;
    let certificate = match certificate {
        CertificateBinding::None => match &distribution.viewer_certificate.acm_certificate_arn {
            Some(arn) => CertificateBinding::Arn(arn.clone()),
            None => CertificateBinding::None,
        },
        other => other,
    };
    Ok(Reading {
        proposed: Some(ProposedDistribution {
            resource: resource.to_owned(),
            change: None,
            distribution,
            certificate,
            places: places(resource_at, &config.value),
        }),
        unresolved,
    })
}

/// The resolved tree, turned into JSON, recording what is left out.
struct Walk<'a> {
    resource: &'a str,
    /// Every field's and item's position by its path in the JSON (as `ConfigError` spells it).
    positions: BTreeMap<String, Position>,
    unresolved: &'a mut Vec<Unresolved>,
    certificate: CertificateBinding,
}

impl Walk<'_> {
    /// `None`: left out (unknown, or a declared certificate, recorded in the binding).
    fn value(&mut self, value: &Resolved, path: &str, at: Position) -> Option<Value> {
        match value {
            Resolved::Text(text) => Some(Value::String(text.clone())),
            Resolved::Null | Resolved::NoValue => Some(Value::Null),
            Resolved::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let item_path = format!("{path}[{}]", out.len());
                    self.positions.insert(item_path.clone(), item.at);
                    if let Some(json) = self.value(&item.value, &item_path, item.at) {
                        out.push(json);
                    }
                }
                Some(Value::Array(out))
            }
            Resolved::Map(fields) => {
                let mut out = Map::new();
                for field in fields {
                    let field_path = format!("{path}.{}", field.key);
                    self.positions.insert(field_path.clone(), field.key_at);
                    if let Some(json) = self.field(field, &field_path) {
                        // The legacy `CNAMEs` is what the API calls `Aliases`.
                        let key = if path == "DistributionConfig" && field.key == "CNAMEs" {
                            "Aliases".to_owned()
                        } else {
                            field.key.clone()
                        };
                        out.insert(key, json);
                    }
                }
                if path == "DistributionConfig" {
                    legacy_origin(&mut out);
                }
                Some(Value::Object(out))
            }
            Resolved::Certificate(id) if path.ends_with("ViewerCertificate.AcmCertificateArn") => {
                self.certificate = CertificateBinding::Declared(id.clone());
                None
            }
            Resolved::Certificate(id) => {
                self.record(
                    path,
                    &Why {
                        reason: format!(
                            "the ARN of certificate {}, known only after deploying",
                            super::error::echo(id)
                        ),
                        at,
                        partial: None,
                    },
                    at,
                );
                None
            }
            Resolved::Unknown(why) => {
                self.record(path, why, at);
                if path.ends_with("ViewerCertificate.AcmCertificateArn") {
                    // An ARN whose region is written, whatever its account or id: a region other
                    // than us-east-1 is refused by CloudFront, so it is judged as written.
                    if let Some(partial) = why.partial.as_deref().filter(|p| outside_us_east_1(p)) {
                        return Some(Value::String(partial.to_owned()));
                    }
                    self.certificate = CertificateBinding::Unresolved;
                }
                None
            }
        }
    }

    fn field(&mut self, field: &Field, path: &str) -> Option<Value> {
        let json = self.value(&field.value, path, field.key_at);
        if json.is_none()
            && matches!(field.value, Resolved::Unknown(_))
            && REQUIRED_NAMES.contains(&field.key.as_str())
        {
            return Some(Value::String(UNRESOLVED_NAME.to_owned()));
        }
        json
    }

    fn record(&mut self, path: &str, why: &Why, at: Position) {
        if !judged(path) {
            return;
        }
        self.unresolved.push(Unresolved {
            resource: self.resource.to_owned(),
            property: path.to_owned(),
            reason: why.reason.clone(),
            unchecked: unchecked(path).to_owned(),
            at: Some(at),
        });
    }
}

/// Whether a partly known ACM ARN names its region, and that region is not us-east-1.
fn outside_us_east_1(partial: &str) -> bool {
    let mut fields = partial.split(':');
    match (fields.next(), fields.nth(1), fields.next()) {
        (Some("arn"), Some("acm"), Some(region)) => {
            !region.contains(UNKNOWN_PART) && !region.is_empty() && region != "us-east-1"
        }
        _ => false,
    }
}

/// The legacy single origin (`DistributionConfig.CustomOrigin` or `S3Origin`, CloudFormation's
/// `LegacyCustomOrigin` and `LegacyS3Origin`) as the one entry of `Origins`, so that it is judged like
/// any origin. CloudFormation does not document the id it gives that origin: it is taken to be the
/// one the default behaviour targets ([`legacy_origin_id`]), so the behaviour reaches it.
fn legacy_origin(config: &mut Map<String, Value>) {
    let custom = config.remove("CustomOrigin");
    let s3 = config.remove("S3Origin");
    if config.contains_key("Origins") {
        return;
    }
    let target = config
        .get("DefaultCacheBehavior")
        .and_then(|b| b.get("TargetOriginId"))
        .and_then(Value::as_str);
    let id = legacy_origin_id(target);
    let mut origin = Map::new();
    origin.insert("Id".to_owned(), Value::String(id));
    match (custom, s3) {
        (Some(Value::Object(mut custom)), _) => {
            if let Some(domain) = custom.remove("DNSName") {
                origin.insert("DomainName".to_owned(), domain);
            }
            origin.insert("CustomOriginConfig".to_owned(), Value::Object(custom));
        }
        (_, Some(Value::Object(mut s3))) => {
            if let Some(domain) = s3.remove("DNSName") {
                origin.insert("DomainName".to_owned(), domain);
            }
            origin.insert("S3OriginConfig".to_owned(), Value::Object(s3));
        }
        // Neither, or not an object: the reader's own error (Origins missing) says what to fix.
        _ => return,
    }
    config.insert(
        "Origins".to_owned(),
        Value::Array(vec![Value::Object(origin)]),
    );
}

/// The id the legacy origin stands under: the default behaviour's `TargetOriginId`, else a name of
/// ours.
fn legacy_origin_id(target: Option<&str>) -> String {
    target.unwrap_or("legacy-origin").to_owned()
}

/// Properties no check reads, by their last name: an unknown value there (a log bucket's
/// `!GetAtt`, an origin access control's `!Ref`, a `Comment` built by `!Sub`) changes no verdict,
/// so it is not reported. Anything else unknown is.
const NOT_JUDGED: [&str; 24] = [
    "Comment",
    "Logging",
    "Bucket",
    "Prefix",
    "IncludeCookies",
    "OriginAccessControlId",
    "OriginAccessIdentity",
    "WebACLId",
    "PriceClass",
    "DefaultRootObject",
    "CustomErrorResponses",
    "Restrictions",
    "HttpVersion",
    "IPV6Enabled",
    "ContinuousDeploymentPolicyId",
    "OriginPath",
    "OriginCustomHeaders",
    "OriginShield",
    "ResponseHeadersPolicyId",
    "RealtimeLogConfigArn",
    "FieldLevelEncryptionId",
    "TrustedKeyGroups",
    "TrustedSigners",
    "Compress",
];

/// Whether an unknown value at `path` can change a verdict.
fn judged(path: &str) -> bool {
    !path.split('.').any(|part| {
        let name = part.split('[').next().unwrap_or(part);
        NOT_JUDGED.iter().any(|n| n.eq_ignore_ascii_case(name))
    })
}

/// What could not be checked when the property at `path` is unknown, by its last name.
fn unchecked(path: &str) -> &'static str {
    const UNCHECKED: [(&str, &str); 17] = [
        (
            "CachePolicyId",
            "which names CloudFront sends the origin (whether the viewer's Host is forwarded)",
        ),
        (
            "OriginRequestPolicyId",
            "which names CloudFront sends the origin (whether the viewer's Host is forwarded)",
        ),
        (
            "Headers",
            "which names CloudFront sends the origin (whether the viewer's Host is forwarded)",
        ),
        ("ConnectionTimeout", "how long CloudFront waits to connect"),
        ("Enabled", "whether the distribution serves at all"),
        (
            "AcmCertificateArn",
            "whether the certificate covers the aliases, its region, status and expiry",
        ),
        (
            "Aliases",
            "whether the viewer certificate covers this alias",
        ),
        ("CNAMEs", "whether the viewer certificate covers this alias"),
        ("MinimumProtocolVersion", "the viewer TLS security policy"),
        (
            "SslSupportMethod",
            "how viewers are served the certificate (SNI or dedicated IP)",
        ),
        (
            "ViewerCertificate",
            "the viewer certificate and its TLS policy",
        ),
        (
            "OriginSSLProtocols",
            "which TLS versions CloudFront offers this origin",
        ),
        (
            "OriginProtocolPolicy",
            "whether CloudFront connects to this origin over HTTPS",
        ),
        ("HTTPSPort", "the origin's HTTPS port"),
        ("DomainName", "the origin's TLS (it is not probed)"),
        (
            "ViewerProtocolPolicy",
            "whether viewers are kept on HTTPS by this behaviour",
        ),
        ("DistributionConfig", "the whole distribution"),
    ];
    let name = path.rsplit('.').next().unwrap_or(path);
    let name = name.split('[').next().unwrap_or(name);
    UNCHECKED
        .iter()
        .find(|(property, _)| property.eq_ignore_ascii_case(name))
        .map(|(_, unchecked)| *unchecked)
        .unwrap_or("what depends on this property")
}

/// The position of the deepest known prefix of the path a [`ConfigError`] names.
fn error_position(error: &ConfigError, positions: &BTreeMap<String, Position>) -> Option<Position> {
    let path = match error {
        ConfigError::WrongType { path, .. }
        | ConfigError::MissingField { path, .. }
        | ConfigError::DuplicateKey { path, .. }
        | ConfigError::ConflictingOriginKinds { path, .. } => path.as_str(),
        _ => return None,
    };
    let mut path = path;
    loop {
        if let Some(at) = positions.get(path) {
            return Some(*at);
        }
        let cut = path.rfind(['.', '['])?;
        path = &path[..cut];
    }
}

/// The properties of a custom origin's settings (`CustomOriginConfig`, or the legacy
/// `CustomOrigin`) that findings are placed on, by their CloudFormation names.
fn custom_origin_properties(id: &str) -> [(&'static str, Property); 3] {
    [
        (
            "OriginProtocolPolicy",
            Property::OriginProtocolPolicy(id.to_owned()),
        ),
        (
            "OriginSSLProtocols",
            Property::OriginSslProtocols(id.to_owned()),
        ),
        ("HTTPSPort", Property::OriginHttpsPort(id.to_owned())),
    ]
}

/// Where each CloudFront property of the distribution is written: the key's position.
fn places(resource_at: Position, config: &Resolved) -> Places {
    let mut places = BTreeMap::new();
    places.insert(Property::Resource, resource_at);
    let find = |map: &Resolved, name: &str| -> Option<Field> {
        match map {
            Resolved::Map(fields) => fields
                .iter()
                .find(|field| field.key.eq_ignore_ascii_case(name))
                .cloned(),
            _ => None,
        }
    };
    let text = |value: &Resolved| match value {
        Resolved::Text(text) => Some(text.clone()),
        _ => None,
    };
    let aliases = find(config, "Aliases").or_else(|| find(config, "CNAMEs"));
    if let Some(aliases) = aliases {
        places.insert(Property::Aliases, aliases.key_at);
        if let Resolved::List(items) = &aliases.value {
            for item in items {
                if let Some(alias) = text(&item.value) {
                    places.entry(Property::Alias(alias)).or_insert(item.at);
                }
            }
        }
    }
    if let Some(viewer) = find(config, "ViewerCertificate") {
        places.insert(Property::ViewerCertificate, viewer.key_at);
        for (name, property) in [
            ("AcmCertificateArn", Property::AcmCertificateArn),
            ("IamCertificateId", Property::IamCertificateId),
            ("MinimumProtocolVersion", Property::MinimumProtocolVersion),
            ("SslSupportMethod", Property::SslSupportMethod),
        ] {
            if let Some(field) = find(&viewer.value, name) {
                places.insert(property, field.key_at);
            }
        }
    }
    if let Some(Field {
        value: Resolved::List(origins),
        ..
    }) = find(config, "Origins")
    {
        for origin in &origins {
            let Some(id) = find(&origin.value, "Id").and_then(|id| text(&id.value)) else {
                continue;
            };
            places
                .entry(Property::Origin(id.clone()))
                .or_insert(origin.at);
            if let Some(domain) = find(&origin.value, "DomainName") {
                places.insert(Property::OriginDomainName(id.clone()), domain.key_at);
            }
            if let Some(custom) = find(&origin.value, "CustomOriginConfig") {
                for (name, property) in custom_origin_properties(&id) {
                    if let Some(field) = find(&custom.value, name) {
                        places.insert(property, field.key_at);
                    }
                }
            }
        }
    }
    let legacy = find(config, "CustomOrigin").or_else(|| find(config, "S3Origin"));
    if let (None, Some(legacy)) = (find(config, "Origins"), legacy) {
        let target = find(config, "DefaultCacheBehavior")
            .and_then(|b| find(&b.value, "TargetOriginId"))
            .and_then(|t| text(&t.value));
        let id = legacy_origin_id(target.as_deref());
        places.insert(Property::Origin(id.clone()), legacy.key_at);
        let domain = ("DNSName", Property::OriginDomainName(id.clone()));
        for (name, property) in std::iter::once(domain).chain(custom_origin_properties(&id)) {
            if let Some(field) = find(&legacy.value, name) {
                places.insert(property, field.key_at);
            }
        }
    }
    if let Some(default) = find(config, "DefaultCacheBehavior") {
        places.insert(Property::CacheBehavior(None), default.key_at);
        if let Some(policy) = find(&default.value, "ViewerProtocolPolicy") {
            places.insert(Property::ViewerProtocolPolicy(None), policy.key_at);
        }
    }
    if let Some(Field {
        value: Resolved::List(behaviors),
        ..
    }) = find(config, "CacheBehaviors")
    {
        for behavior in &behaviors {
            let Some(pattern) = find(&behavior.value, "PathPattern").and_then(|p| text(&p.value))
            else {
                continue;
            };
            places
                .entry(Property::CacheBehavior(Some(pattern.clone())))
                .or_insert(behavior.at);
            if let Some(policy) = find(&behavior.value, "ViewerProtocolPolicy") {
                places.insert(Property::ViewerProtocolPolicy(Some(pattern)), policy.key_at);
            }
        }
    }
    Places(places)
}
