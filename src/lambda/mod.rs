//! The event-driven product: one invocation = one trigger, one audit, its notifications.

pub mod config;
pub mod follow_up;
pub mod handler;

mod lazy;
pub mod metrics;
pub mod organization;
pub mod results;

pub use lazy::LazyAws;

use crate::inventory::AwsOptions;
use config::LambdaConfig;
use handler::Handler;

/// Why the function cannot start (reported to Lambda as an init error).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A setting is missing or invalid.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// A trust anchor file cannot be used.
    #[error("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR: {0}")]
    TrustAnchor(#[from] crate::settings::TrustAnchorError),
}

/// The production handler: follow-ups go to SQS when `FOLLOW_UP_QUEUE_URL` is set, else nowhere;
/// the findings' state is kept in `STATE_TABLE` when it is set;
/// findings also go to Security Hub when `SECURITY_HUB=true`;
/// in organization mode (`ORGANIZATION_MODE=true`) it is the hub of an organization.
pub type LambdaHandler = Handler<LazyAws, LazyAws, LazyAws, LazyAws, LazyAws, LazyAws>;

/// Builds the production handler from the environment: AWS clients, SNS publisher, follow-up queue,
/// trust anchors.
pub async fn handler_from_env() -> Result<LambdaHandler, InitError> {
    let config = LambdaConfig::from_env()?;
    let options = AwsOptions {
        endpoint_url: config.endpoint_url.clone(),
        timeouts: config.aws_timeouts,
    };
    let trust_anchors = crate::settings::TrustAnchors::load(&config.trust_anchors)?;
    let aws = LazyAws::new(
        options,
        config.topic_arn.clone(),
        config
            .follow_up_queue_url
            .clone()
            .map(|url| (url, config.follow_up_delay)),
        config
            .state_table
            .clone()
            .map(|table| (table, config.resolved_retention_days)),
        config.security_hub,
        config.organization.clone(),
    );
    Ok(
        Handler::new(aws.clone(), aws.clone(), config, trust_anchors)
            .with_follow_ups(aws.clone())
            .with_state(aws.clone())
            .with_export(aws.clone())
            .with_organization(aws),
    )
}
