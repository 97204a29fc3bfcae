//! The event-driven product: one invocation = one trigger, one audit, its notifications.

pub mod config;
pub mod follow_up;
pub mod handler;

use crate::inventory::{AwsInventory, AwsOptions};
use crate::notify::SnsPublisher;
use config::LambdaConfig;
use follow_up::SqsFollowUps;
use handler::Handler;

/// Why the function cannot start (reported to Lambda as an init error).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A setting is missing or invalid.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// A trust anchor file cannot be used.
    #[error("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR: cannot use {path}: {detail}")]
    TrustAnchor {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

/// The production handler: follow-ups go to SQS when `FOLLOW_UP_QUEUE_URL` is set, else nowhere.
pub type LambdaHandler = Handler<AwsInventory, SnsPublisher, Option<SqsFollowUps>>;

/// Builds the production handler from the environment: AWS clients, SNS publisher, follow-up queue,
/// trust anchors.
pub async fn handler_from_env() -> Result<LambdaHandler, InitError> {
    let config = LambdaConfig::from_env()?;
    let options = AwsOptions {
        endpoint_url: config.endpoint_url.clone(),
    };
    let mut trust_anchors = Vec::new();
    for path in &config.trust_anchors {
        let shown = path.display().to_string();
        let pem = std::fs::read_to_string(path).map_err(|e| InitError::TrustAnchor {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        let ders = crate::x509::pem_to_der(&pem).map_err(|e| InitError::TrustAnchor {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        trust_anchors.extend(ders);
    }
    let follow_ups = async {
        match &config.follow_up_queue_url {
            Some(url) => {
                Some(SqsFollowUps::from_environment(&options, url, config.follow_up_delay).await)
            }
            None => None,
        }
    };
    let (inventory, publisher, follow_ups) = futures::join!(
        AwsInventory::from_environment(&options),
        SnsPublisher::from_environment(&options, config.topic_arn.clone()),
        follow_ups
    );
    Ok(Handler::new(inventory, publisher, config, trust_anchors).with_follow_ups(follow_ups))
}
