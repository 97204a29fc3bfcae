//! How every AWS client of the crate is configured, in one place: the HTTP client, the shared
//! [`SdkConfig`] (credential chain, endpoint override), and the region each service is pinned to.
//!
//! [`crate::inventory`] (CloudFront, ACM, IAM), the SNS publisher ([`crate::notify::SnsPublisher`])
//! and the follow-up queue ([`crate::lambda::follow_up::SqsFollowUps`]) all build their clients from
//! `load_sdk_config` plus `for_global_services` or `for_resource_region`. Loading is the
//! expensive part (the CA bundle, the credential chain), so the Lambda does it once, lazily, for all
//! of them (see `docs/benchmarks.md`, "start-up").
//!
//! Every client also gets its deadlines and retry policy here ([`AwsTimeouts`]): a connect timeout, an
//! attempt timeout, an operation timeout over all attempts, the standard retry policy with a bounded
//! number of attempts and backoff, and stalled-stream protection. Without them an endpoint that
//! accepts and never answers holds a call forever (issue 10). The Lambda further bounds each read by
//! the invocation's deadline (`crate::inventory::AwsInventory::until`).

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::settings;

/// CloudFront and IAM are global and sign as us-east-1; CloudFront only uses ACM certificates there.
pub(crate) const GLOBAL_SERVICE_REGION: &str = "us-east-1";

/// How long a stream may deliver less than one byte per second before the SDK drops it (the SDK's
/// own default grace period, set explicitly so that it cannot be switched off by accident).
const STALLED_STREAM_GRACE_PERIOD: Duration = Duration::from_secs(5);

/// How to reach AWS, beyond what the environment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// An endpoint for every service (an emulator); overrides `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// Deadlines and retries of every call.
    pub timeouts: AwsTimeouts,
}

/// Deadlines and retry policy of every AWS call; the defaults and ranges are in [`crate::settings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsTimeouts {
    /// Opening a connection (`AWS_CONNECT_TIMEOUT_SECONDS`).
    pub connect: Duration,
    /// One attempt, answer included; also the wait for the answer's first byte
    /// (`AWS_ATTEMPT_TIMEOUT_SECONDS`).
    pub attempt: Duration,
    /// One call, all attempts and backoffs included (`AWS_OPERATION_TIMEOUT_SECONDS`).
    pub operation: Duration,
    /// Attempts per call, the first included (`AWS_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// The first retry's backoff; it doubles after each retry, up to 20 s
    /// (`AWS_RETRY_BACKOFF_MILLISECONDS`).
    pub initial_backoff: Duration,
}

impl Default for AwsTimeouts {
    fn default() -> Self {
        AwsTimeouts {
            connect: Duration::from_secs(settings::AWS_CONNECT_TIMEOUT_SECONDS.default),
            attempt: Duration::from_secs(settings::AWS_ATTEMPT_TIMEOUT_SECONDS.default),
            operation: Duration::from_secs(settings::AWS_OPERATION_TIMEOUT_SECONDS.default),
            max_attempts: settings::AWS_MAX_ATTEMPTS.default as u32,
            initial_backoff: Duration::from_millis(
                settings::AWS_RETRY_BACKOFF_MILLISECONDS.default,
            ),
        }
    }
}

impl AwsTimeouts {
    /// The SDK's timeouts. The read timeout (first byte of the answer) is the attempt timeout: a
    /// shorter one would only cut answers that the attempt still has time for.
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .read_timeout(self.attempt)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    /// The standard retry policy (throttling, 5xx, timeouts and unreadable answers are retried, with
    /// exponential backoff and full jitter, and a retry quota), with our attempts and backoff.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts.max(1))
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(settings::AWS_MAX_BACKOFF)
    }

    /// Stalled-stream protection, on for uploads and downloads.
    pub fn stalled_stream_protection(&self) -> StalledStreamProtectionConfig {
        StalledStreamProtectionConfig::enabled()
            .grace_period(STALLED_STREAM_GRACE_PERIOD)
            .build()
    }

    /// `config` with these deadlines and this retry policy, for clients built from a configuration
    /// loaded elsewhere (tests point one at an emulator this way).
    pub fn apply(&self, config: &SdkConfig) -> SdkConfig {
        config
            .to_builder()
            .timeout_config(self.timeout_config())
            .retry_config(self.retry_config())
            .stalled_stream_protection(self.stalled_stream_protection())
            .build()
    }
}

/// The partition of a Region name (`cn-north-1` is `aws-cn`, `us-gov-west-1` is `aws-us-gov`).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
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
    let timeouts = &options.timeouts;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .region(region)
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .stalled_stream_protection(timeouts.stalled_stream_protection());
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
    fn every_client_gets_attempt_and_operation_timeouts_and_a_bounded_retry_policy() {
        let timeouts = AwsTimeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_secs(4),
            operation: Duration::from_secs(9),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
        };
        let config = timeouts.apply(&loaded_in("us-east-1"));
        let timeout = config.timeout_config().expect("timeouts set");
        assert_eq!(timeout.connect_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(timeout.read_timeout(), Some(Duration::from_secs(4)));
        assert_eq!(
            timeout.operation_attempt_timeout(),
            Some(Duration::from_secs(4))
        );
        assert_eq!(timeout.operation_timeout(), Some(Duration::from_secs(9)));
        let retry = config.retry_config().expect("retry policy set");
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Standard);
        assert_eq!(retry.max_attempts(), 5);
        assert_eq!(retry.initial_backoff(), Duration::from_millis(200));
        assert_eq!(retry.max_backoff(), Duration::from_secs(20));
        let stalled = config
            .stalled_stream_protection()
            .expect("stalled-stream protection set");
        assert!(stalled.upload_enabled() && stalled.download_enabled());
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[tokio::test]
    async fn the_loaded_configuration_gives_every_client_its_deadlines_sqs_included() {
        let options = AwsOptions {
            endpoint_url: Some("http://127.0.0.1:9".into()),
            timeouts: AwsTimeouts {
                operation: Duration::from_secs(42),
                max_attempts: 4,
                ..AwsTimeouts::default()
            },
        };
        let config = load_sdk_config(&options).await;
        // The follow-up queue's client, as `SqsFollowUps::from_sdk_config` builds it.
        let sqs = aws_sdk_sqs::Client::new(&for_resource_region(&config, Some("eu-west-1")));
        let timeouts = sqs.config().timeout_config().expect("timeouts");
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(42)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            sqs.config().retry_config().map(|r| r.max_attempts()),
            Some(4)
        );
    }

    #[test]
    fn the_defaults_are_the_settings_defaults() {
        let timeouts = AwsTimeouts::default();
        assert_eq!(timeouts.attempt, Duration::from_secs(10));
        assert_eq!(timeouts.operation, Duration::from_secs(30));
        assert_eq!(timeouts.max_attempts, 3);
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
