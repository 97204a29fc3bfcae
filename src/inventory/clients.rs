//! Building the CloudFront, ACM and IAM clients from the environment.

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::AwsOptions;

/// CloudFront and IAM are global and sign as us-east-1; CloudFront only uses ACM certificates there.
pub(crate) const SERVICE_REGION: &str = "us-east-1";

/// The one HTTP stack of this crate: hyper 1 + rustls with ring (see Cargo.toml).
pub(crate) fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Shared configuration: default credential chain, `AWS_ENDPOINT_URL*` (read by aws-config), and the
/// explicit endpoint when given. The loader keeps the environment's or profile's region for credential
/// providers (STS, SSO), else us-east-1; the service clients override it anyway.
pub(crate) async fn load_sdk_config(options: &AwsOptions) -> SdkConfig {
    // Not `RegionProviderChain::default_provider()`: its IMDS step builds a client without our HTTP
    // client and panics in this lean set-up; nor is an EC2 metadata call worth it for a pinned region.
    let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(ProfileFileRegionProvider::new())
        .or_else(Region::from_static(SERVICE_REGION));
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

/// The three clients, all pinned to us-east-1 whatever `AWS_REGION` says.
pub(crate) fn service_clients(
    config: &SdkConfig,
) -> (
    aws_sdk_cloudfront::Client,
    aws_sdk_acm::Client,
    aws_sdk_iam::Client,
) {
    let region = Region::from_static(SERVICE_REGION);
    let cloudfront = aws_sdk_cloudfront::config::Builder::from(config)
        .region(region.clone())
        .build();
    let acm = aws_sdk_acm::config::Builder::from(config)
        .region(region.clone())
        .build();
    let iam = aws_sdk_iam::config::Builder::from(config)
        .region(region)
        .build();
    (
        aws_sdk_cloudfront::Client::from_conf(cloudfront),
        aws_sdk_acm::Client::from_conf(acm),
        aws_sdk_iam::Client::from_conf(iam),
    )
}
