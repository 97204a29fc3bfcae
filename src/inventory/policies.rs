//! Cache and origin request policies, reduced to how they treat request headers.
//!
//! When a read fails (no permission, or an emulator without these APIs) and the id is an AWS managed
//! policy, the documented definition stands in: those policies are the same in every account.

use super::clients::CallLimits;
use super::failure::CallError;
use crate::model::{HeaderPolicy, PolicyLookup, PolicySource};

/// IAM action names of the calls in this file.
pub(crate) const GET_CACHE_POLICY: &str = "cloudfront:GetCachePolicy";
/// See [`GET_CACHE_POLICY`].
pub(crate) const GET_ORIGIN_REQUEST_POLICY: &str = "cloudfront:GetOriginRequestPolicy";

/// Reads one cache policy.
pub(crate) async fn cache_policy(
    client: &aws_sdk_cloudfront::Client,
    id: &str,
    limits: &CallLimits,
) -> PolicyLookup {
    let read = match limits.send(client.get_cache_policy().id(id).send()).await {
        Ok(output) => output
            .cache_policy()
            .and_then(|p| p.cache_policy_config())
            .map(|config| {
                let headers = config
                    .parameters_in_cache_key_and_forwarded_to_origin()
                    .and_then(|p| p.headers_config());
                header_policy(
                    id,
                    config.name(),
                    headers.map(|h| h.header_behavior().as_str()),
                    headers.and_then(|h| h.headers()).map(|h| h.items()),
                )
            })
            .ok_or_else(|| CallError::invalid_response("CachePolicy.CachePolicyConfig")),
        Err(error) => Err(error),
    };
    resolve(read, id, GET_CACHE_POLICY, MANAGED_CACHE_POLICIES)
}

/// The header part of a cache or origin request policy read from the API (behaviour strings kept
/// as sent: the SDK lags the service).
fn header_policy(
    id: &str,
    name: &str,
    header_behavior: Option<&str>,
    headers: Option<&[String]>,
) -> HeaderPolicy {
    HeaderPolicy {
        id: id.to_owned(),
        name: Some(name.to_owned()).filter(|n| !n.is_empty()),
        header_behavior: header_behavior.unwrap_or("none").to_owned(),
        headers: headers.map(<[String]>::to_vec).unwrap_or_default(),
        source: PolicySource::Api,
    }
}

/// Reads one origin request policy.
pub(crate) async fn origin_request_policy(
    client: &aws_sdk_cloudfront::Client,
    id: &str,
    limits: &CallLimits,
) -> PolicyLookup {
    let read = match limits
        .send(client.get_origin_request_policy().id(id).send())
        .await
    {
        Ok(output) => output
            .origin_request_policy()
            .and_then(|p| p.origin_request_policy_config())
            .map(|config| {
                let headers = config.headers_config();
                header_policy(
                    id,
                    config.name(),
                    headers.map(|h| h.header_behavior().as_str()),
                    headers.and_then(|h| h.headers()).map(|h| h.items()),
                )
            })
            .ok_or_else(|| {
                CallError::invalid_response("OriginRequestPolicy.OriginRequestPolicyConfig")
            }),
        Err(error) => Err(error),
    };
    resolve(
        read,
        id,
        GET_ORIGIN_REQUEST_POLICY,
        MANAGED_ORIGIN_REQUEST_POLICIES,
    )
}

fn resolve(
    read: Result<HeaderPolicy, CallError>,
    id: &str,
    operation: &str,
    table: &[ManagedPolicy],
) -> PolicyLookup {
    match read {
        Ok(policy) => PolicyLookup::Found(policy),
        Err(error) => match managed_definition(table, id) {
            Some(policy) => PolicyLookup::Found(policy),
            None => PolicyLookup::Failed(error.into_failure(operation, id, None)),
        },
    }
}

/// One AWS managed policy's header settings, as AWS documents them.
struct ManagedPolicy {
    id: &'static str,
    name: &'static str,
    header_behavior: &'static str,
    headers: &'static [&'static str],
}

fn managed_definition(table: &[ManagedPolicy], id: &str) -> Option<HeaderPolicy> {
    table
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
        .map(|p| HeaderPolicy {
            id: p.id.to_owned(),
            name: Some(p.name.to_owned()),
            header_behavior: p.header_behavior.to_owned(),
            headers: p.headers.iter().map(|h| (*h).to_owned()).collect(),
            source: PolicySource::ManagedDefinition,
        })
}

/// AWS managed cache policies ("Use managed cache policies", CloudFront Developer Guide). Headers are
/// those in the cache key; the normalised Accept-Encoding CloudFront adds is not a configured header.
const MANAGED_CACHE_POLICIES: &[ManagedPolicy] = &[
    ManagedPolicy {
        id: "2e54312d-136d-493c-8eb9-b001f22f67d2",
        name: "Managed-Amplify",
        header_behavior: "whitelist",
        headers: &["Authorization", "CloudFront-Viewer-Country", "Host"],
    },
    ManagedPolicy {
        id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        name: "Managed-CachingDisabled",
        header_behavior: "none",
        headers: &[],
    },
    ManagedPolicy {
        id: "658327ea-f89d-4fab-a63d-7e88639e58f6",
        name: "Managed-CachingOptimized",
        header_behavior: "none",
        headers: &[],
    },
    ManagedPolicy {
        id: "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        name: "Managed-CachingOptimizedForUncompressedObjects",
        header_behavior: "none",
        headers: &[],
    },
    ManagedPolicy {
        id: "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        name: "Managed-Elemental-MediaPackage",
        header_behavior: "whitelist",
        headers: &["Origin"],
    },
    ManagedPolicy {
        id: "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        name: "Managed-UseOriginCacheControlHeaders",
        header_behavior: "whitelist",
        headers: &[
            "Host",
            "Origin",
            "X-HTTP-Method-Override",
            "X-HTTP-Method",
            "X-Method-Override",
        ],
    },
    ManagedPolicy {
        id: "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        name: "Managed-UseOriginCacheControlHeaders-QueryStrings",
        header_behavior: "whitelist",
        headers: &[
            "Host",
            "Origin",
            "X-HTTP-Method-Override",
            "X-HTTP-Method",
            "X-Method-Override",
        ],
    },
];

/// AWS managed origin request policies ("Use managed origin request policies", CloudFront Developer
/// Guide; HostHeaderOnly from the same page's newer revision).
const MANAGED_ORIGIN_REQUEST_POLICIES: &[ManagedPolicy] = &[
    ManagedPolicy {
        id: "216adef6-5c7f-47e4-b989-5492eafa07d3",
        name: "Managed-AllViewer",
        header_behavior: "allViewer",
        headers: &[],
    },
    ManagedPolicy {
        id: "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        name: "Managed-AllViewerAndCloudFrontHeaders-2022-06",
        header_behavior: "allViewerAndWhitelistCloudFront",
        headers: &[
            "CloudFront-Forwarded-Proto",
            "CloudFront-Is-Android-Viewer",
            "CloudFront-Is-Desktop-Viewer",
            "CloudFront-Is-IOS-Viewer",
            "CloudFront-Is-Mobile-Viewer",
            "CloudFront-Is-SmartTV-Viewer",
            "CloudFront-Is-Tablet-Viewer",
            "CloudFront-Viewer-Address",
            "CloudFront-Viewer-ASN",
            "CloudFront-Viewer-City",
            "CloudFront-Viewer-Country",
            "CloudFront-Viewer-Country-Name",
            "CloudFront-Viewer-Country-Region",
            "CloudFront-Viewer-Country-Region-Name",
            "CloudFront-Viewer-Http-Version",
            "CloudFront-Viewer-Latitude",
            "CloudFront-Viewer-Longitude",
            "CloudFront-Viewer-Metro-Code",
            "CloudFront-Viewer-Postal-Code",
            "CloudFront-Viewer-Time-Zone",
            "CloudFront-Viewer-TLS",
        ],
    },
    ManagedPolicy {
        id: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        name: "Managed-AllViewerExceptHostHeader",
        header_behavior: "allExcept",
        headers: &["Host"],
    },
    ManagedPolicy {
        id: "59781a5b-3903-41f3-afcb-af62929ccde1",
        name: "Managed-CORS-CustomOrigin",
        header_behavior: "whitelist",
        headers: &["Origin"],
    },
    ManagedPolicy {
        id: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        name: "Managed-CORS-S3Origin",
        header_behavior: "whitelist",
        headers: &[
            "Origin",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Method",
        ],
    },
    ManagedPolicy {
        id: "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        name: "Managed-Elemental-MediaTailor-PersonalizedManifests",
        header_behavior: "whitelist",
        headers: &[
            "Origin",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Method",
            "User-Agent",
            "X-Forwarded-For",
        ],
    },
    ManagedPolicy {
        id: "bf0718e1-ba1e-49d1-88b1-f726733018ae",
        name: "Managed-HostHeaderOnly",
        header_behavior: "whitelist",
        headers: &["Host"],
    },
    ManagedPolicy {
        id: "acba4595-bd28-49b8-b9fe-13317c0390fa",
        name: "Managed-UserAgentRefererHeaders",
        header_behavior: "whitelist",
        headers: &["User-Agent", "Referer"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FailureKind;

    fn denied() -> CallError {
        CallError {
            kind: FailureKind::AccessDenied,
            code: Some("AccessDenied".to_owned()),
            message: "AccessDenied: no".to_owned(),
        }
    }

    #[test]
    fn managed_policy_stands_in_when_the_read_fails() {
        let lookup = resolve(
            Err(denied()),
            "b689b0a8-53d0-40ab-baf2-68738e2966ac",
            GET_ORIGIN_REQUEST_POLICY,
            MANAGED_ORIGIN_REQUEST_POLICIES,
        );
        let PolicyLookup::Found(policy) = lookup else {
            panic!("expected the managed definition");
        };
        assert_eq!(policy.header_behavior, "allExcept");
        assert_eq!(policy.headers, vec!["Host".to_owned()]);
        assert_eq!(policy.source, PolicySource::ManagedDefinition);
    }

    #[test]
    fn custom_policy_failure_is_kept() {
        let lookup = resolve(
            Err(denied()),
            "custom-id",
            GET_CACHE_POLICY,
            MANAGED_CACHE_POLICIES,
        );
        let PolicyLookup::Failed(failure) = lookup else {
            panic!("expected a failure");
        };
        assert_eq!(failure.kind, FailureKind::AccessDenied);
        assert_eq!(failure.operation, GET_CACHE_POLICY);
        assert_eq!(failure.resource, "custom-id");
    }

    #[test]
    fn tables_have_no_duplicate_ids() {
        for table in [MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES] {
            let mut ids: Vec<_> = table.iter().map(|p| p.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), table.len());
        }
    }
}
