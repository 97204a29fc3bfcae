//! Publishing [`Notification`]s to an SNS topic: the only code in the crate that publishes.

use std::future::Future;

use aws_config::Region;
use aws_sdk_sns::types::MessageAttributeValue;

use super::message::Notification;
use crate::inventory::{load_sdk_config, AwsOptions, CallError};

/// The IAM action behind [`SnsPublisher`] (listed in [`crate::permissions::AWS_ACTIONS`]).
pub(crate) const PUBLISH: &str = "sns:Publish";

/// Why a publish failed, with what to check. The Lambda returns it as the invocation's error, so
/// Lambda's retries and its on-failure destination keep the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// SNS (or the way to it) refused the publish.
    #[error(
        "could not publish {subject:?} to SNS topic {topic_arn}: {detail}. Check that the function's role \
         allows sns:Publish on this topic, that NOTIFY_TOPIC_ARN names an existing topic (in the region \
         the ARN says), and, for an encrypted topic, that the KMS key policy lets the role use the key \
         (kms:GenerateDataKey and kms:Decrypt)"
    )]
    Publish {
        /// The topic published to.
        topic_arn: String,
        /// The subject of the notification that was not published.
        subject: String,
        /// The SNS error code and message, or the transport error.
        detail: String,
    },
    /// A message attribute could not be built (it lacked its data type; a bug, not a setting).
    #[error("could not build message attribute {name:?} for SNS topic {topic_arn}: {detail}")]
    Attribute {
        /// The topic it was for.
        topic_arn: String,
        /// The attribute name.
        name: String,
        /// The SDK's complaint.
        detail: String,
    },
}

/// Something that delivers notifications. The Lambda is written against this trait so that its
/// tests can record notifications instead of publishing them.
///
/// Written with an explicit `impl Future + Send` rather than `async fn`, so that callers may
/// spawn the future on a multi-threaded runtime.
pub trait Publisher {
    /// Publishes one notification; an error means it was not delivered to the topic.
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

/// Publishes every notification in order, stopping at the first failure. A retry after a failure
/// publishes the earlier ones again: subscribers may see a part twice, never miss one.
pub async fn publish_all<P: Publisher + Sync>(
    publisher: &P,
    notifications: &[Notification],
) -> Result<usize, NotifyError> {
    for notification in notifications {
        publisher.publish(notification).await?;
    }
    Ok(notifications.len())
}

/// Publishes to one SNS topic with `MessageStructure=json` and message attributes.
#[derive(Debug, Clone)]
pub struct SnsPublisher {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsPublisher {
    /// A publisher using a client built by the caller (tests point it at an emulator).
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher {
            client,
            topic_arn: topic_arn.into(),
        }
    }

    /// A publisher with the crate's usual client set-up (default credential chain, the ring HTTP
    /// client, `AWS_ENDPOINT_URL*` and `options.endpoint_url`). Unlike CloudFront, SNS is regional: the
    /// client uses the region in the topic ARN (`arn:aws:sns:REGION:ACCOUNT:NAME`), falling back to
    /// the environment's region, then us-east-1, when the ARN has none.
    pub async fn from_environment(
        options: &AwsOptions,
        topic_arn: impl Into<String>,
    ) -> SnsPublisher {
        SnsPublisher::from_sdk_config(&load_sdk_config(options).await, topic_arn)
    }

    /// The same from an already loaded configuration (the Lambda loads it once for every client).
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
        topic_arn: impl Into<String>,
    ) -> SnsPublisher {
        let topic_arn = topic_arn.into();
        let mut builder = aws_sdk_sns::config::Builder::from(config);
        if let Some(region) = topic_region(&topic_arn) {
            builder = builder.region(Region::new(region.to_owned()));
        }
        SnsPublisher::new(aws_sdk_sns::Client::from_conf(builder.build()), topic_arn)
    }

    /// The topic this publisher publishes to.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }
}

impl Publisher for SnsPublisher {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send {
        // The request is prepared before the future, so the future borrows nothing of `notification`.
        let prepared = self.request(notification);
        let subject = notification.subject.clone();
        async move {
            prepared?
                .send()
                .await
                .map(|_| ())
                .map_err(|err| NotifyError::Publish {
                    topic_arn: self.topic_arn.clone(),
                    subject,
                    detail: CallError::from_sdk(&err).message,
                })
        }
    }
}

impl SnsPublisher {
    fn request(
        &self,
        notification: &Notification,
    ) -> Result<aws_sdk_sns::operation::publish::builders::PublishFluentBuilder, NotifyError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(&notification.subject)
            .message_structure("json")
            .message(notification.message_json());
        for (name, value) in &notification.attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type(value.data_type())
                .string_value(value.encoded())
                .build()
                .map_err(|e| NotifyError::Attribute {
                    topic_arn: self.topic_arn.clone(),
                    name: name.clone(),
                    detail: e.to_string(),
                })?;
            request = request.message_attributes(name, attribute);
        }
        Ok(request)
    }
}

/// The region of a topic ARN (`arn:PARTITION:sns:REGION:ACCOUNT:NAME`), if it has one.
fn topic_region(topic_arn: &str) -> Option<&str> {
    let mut fields = topic_arn.trim().split(':');
    match (fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some("arn"), Some(_), Some("sns"), Some(region)) if !region.is_empty() => Some(region),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_topic_arn() {
        assert_eq!(
            topic_region("arn:aws:sns:eu-west-1:111122223333:tls-findings"),
            Some("eu-west-1")
        );
        assert_eq!(topic_region("arn:aws:sns::111122223333:x"), None);
        assert_eq!(topic_region("tls-findings"), None);
    }

    #[test]
    fn the_error_names_the_topic_and_what_to_check() {
        let err = NotifyError::Publish {
            topic_arn: "arn:aws:sns:us-east-1:1:t".into(),
            subject: "[HIGH] E1".into(),
            detail: "AuthorizationError: not allowed".into(),
        }
        .to_string();
        for needle in [
            "arn:aws:sns:us-east-1:1:t",
            "AuthorizationError",
            "sns:Publish",
            "KMS key policy",
        ] {
            assert!(err.contains(needle), "{needle} missing from {err}");
        }
    }
}
