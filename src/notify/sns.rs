//! Publishing [`Notification`]s to an SNS topic: the only code in the crate that publishes.

use std::future::Future;

use aws_sdk_sns::types::MessageAttributeValue;

use super::{Notification, NotifyError, Publisher};
use crate::aws::{for_resource_region, load_sdk_config, AwsOptions};
use crate::inventory::CallError;

/// The IAM action behind [`SnsPublisher`] (listed in [`crate::permissions::AWS_ACTIONS`]).
pub(crate) const PUBLISH: &str = "sns:Publish";

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
        let config = for_resource_region(config, topic_region(&topic_arn));
        SnsPublisher::new(aws_sdk_sns::Client::new(&config), topic_arn)
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
}
