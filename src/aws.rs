//! How every AWS client of the crate is configured, in one place: the HTTP client, the shared
//! [`SdkConfig`] (credential chain, endpoint override), and the region each service is pinned to.
//!
//! [`crate::inventory`] (CloudFront, ACM, IAM), the SNS publisher ([`crate::notify::SnsPublisher`])
//! and the follow-up queue ([`crate::lambda::follow_up::SqsFollowUps`]) all build their clients from
//! `load_sdk_config` plus `for_global_services` or `for_resource_region`. Loading is the
//! expensive part (the CA bundle, the credential chain), so the Lambda does it once, lazily, for all
//! of them (see `docs/benchmarks.md`, "start-up").

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// CloudFront and IAM are global and sign as us-east-1; CloudFront only uses ACM certificates there.
pub(crate) const GLOBAL_SERVICE_REGION: &str = "us-east-1";

/// How to reach AWS, beyond what the environment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// An endpoint for every service (an emulator); overrides `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
}

/// The one HTTP stack of this crate: hyper 1 + rustls with ring (see Cargo.toml).
pub(crate) fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Shared configuration: default credential chain, `AWS_ENDPOINT_URL*` (read by aws-config), and the
/// explicit endpoint when given. The loader keeps the environment's or profile's region for credential
/// providers (STS, SSO), else us-east-1; the service clients override it as their service requires.
pub(crate) async fn load_sdk_config(options: &AwsOptions) -> SdkConfig {
    // Not `RegionProviderChain::default_provider()`: its IMDS step builds a client without our HTTP
    // client and panics in this lean set-up; nor is an EC2 metadata call worth it for a pinned region.
    let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(ProfileFileRegionProvider::new())
        .or_else(Region::from_static(GLOBAL_SERVICE_REGION));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .region(region);
    if let Some(url) = options
        .endpoint_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// `config` pinned to us-east-1, whatever `AWS_REGION` says: for CloudFront and IAM (global) and for
/// ACM (CloudFront only uses certificates from ACM in us-east-1).
pub(crate) fn for_global_services(config: &SdkConfig) -> SdkConfig {
    config
        .to_builder()
        .region(Region::from_static(GLOBAL_SERVICE_REGION))
        .build()
}

/// `config` in the region a regional resource names (the region of an SNS topic ARN or an SQS queue
/// URL), so that the client reaches the resource wherever the function runs; `config`'s own region
/// when the resource names none.
pub(crate) fn for_resource_region(config: &SdkConfig, region: Option<&str>) -> SdkConfig {
    match region {
        Some(region) => config
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build(),
        None => config.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded_in(region: &'static str) -> SdkConfig {
        SdkConfig::builder()
            .region(Region::from_static(region))
            .endpoint_url("http://127.0.0.1:5000")
            .build()
    }

    #[test]
    fn global_services_sign_as_us_east_1_whatever_the_environment_says() {
        let global = for_global_services(&loaded_in("eu-west-1"));
        assert_eq!(global.region().map(Region::as_ref), Some("us-east-1"));
        // Everything else (here the endpoint override) is kept.
        assert_eq!(global.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn a_regional_resource_is_reached_in_its_own_region() {
        let config = loaded_in("us-east-1");
        let topic = for_resource_region(&config, Some("ap-southeast-2"));
        assert_eq!(topic.region().map(Region::as_ref), Some("ap-southeast-2"));
        assert_eq!(topic.endpoint_url(), Some("http://127.0.0.1:5000"));
        let unnamed = for_resource_region(&config, None);
        assert_eq!(unnamed.region().map(Region::as_ref), Some("us-east-1"));
    }
}
