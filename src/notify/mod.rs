//! Notifications (`notify`): builds the SNS messages for email, Slack (through Amazon Q Developer in
//! chat applications) and machines from a [`crate::report::Report`], and publishes them. The only
//! module that publishes.
//!
//! How it is split, by idea:
//!
//! * `plan`: which notifications an audit gets ([`per_distribution`], [`digest`], [`verified`],
//!   [`verified_clean`]); `changes`: the same with state ([`notifications`], [`NotifyPolicy`]);
//! * `content`: what one notification says, for every audience alike (the findings, their worst
//!   severity and codes, the trigger, the notes, the part), and [`console_url`];
//! * `trigger`: what started the audit, as data ([`TriggerSummary`]);
//! * `email`, `chat`, `machine`: the three audiences, each rendering the same content;
//! * `attributes`: the message attributes; `notification`: the subject, the [`Notification`] and its
//!   envelope; `pack`: splitting into parts within [`SIZE_BUDGET`];
//! * [`sns`]: the only publisher; `text`: untrusted text made safe for each audience, in one place.
//!
//! Every notification carries one text per audience, published with `MessageStructure=json`:
//!
//! * `email`: plain text for people: what is wrong, the evidence, what viewers see, numbered
//!   remediation steps, the documentation, a console link, and what triggered the audit;
//! * `https`: the custom notification JSON of Amazon Q Developer in chat applications (AWS Chatbot),
//!   which renders it in Slack. That service drops anything else silently, so this is always the
//!   custom schema, never plain text;
//! * `default` (also written under `sqs` and `lambda`): the `audit --format json` document
//!   ([`crate::report::render_json`]) with a `trigger` object added.
//!
//! Message attributes, for subscription filter policies:
//!
//! | attribute | type | value |
//! |---|---|---|
//! | `severity` | String | the highest severity in the message, lower case as in the JSON contract (`critical`); absent when the message has no finding |
//! | `distribution_id` | String | the distribution; `account` for account-level findings (no CloudFront id is lower case, so it cannot clash); absent on a digest, which covers many |
//! | `codes` | String.Array | the distinct finding codes, sorted; absent when there is none |
//! | `trigger` | String | [`TriggerSummary::kind`] |
//! | `notification` | String | `distribution`, `digest` or `verified`, so that a subscription can take only digests, say |
//! | `transition` | String.Array | with state only: what the message reports changed, among `new`, `escalated`, `resolved`, `reminder` (most significant first); absent when nothing changed (docs/state.md) |
//!
//! With state ([`crate::report::Report::memory`]), [`notifications`] publishes what changed rather than
//! everything again (`changes`); `terminal` renders a published message as people receive it
//! ([`as_received`], for `make invoke`).
//!
//! A notification never exceeds [`SIZE_BUDGET`], by construction: every finding is bounded
//! ([`crate::untrusted::FINDING_JSON_BYTES`]), a digest (and, with large evidence, a distribution's
//! notification) is split into numbered parts, no finding is ever dropped, and a last check degrades
//! (cuts the email, then the evidence in the JSON, saying so) any message still over the budget.

mod attributes;
mod changes;
pub(crate) mod chat;
pub(crate) mod content;
mod email;
mod machine;
pub(crate) mod notification;
pub(crate) mod pack;
mod plan;
pub mod sns;
mod terminal;
pub(crate) mod text;
mod trigger;

#[cfg(test)]
mod fixtures;

use std::future::Future;

pub use attributes::{
    AttributeValue, ATTRIBUTE_CODES, ATTRIBUTE_DISTRIBUTION_ID, ATTRIBUTE_NOTIFICATION,
    ATTRIBUTE_SEVERITY, ATTRIBUTE_TRANSITION, ATTRIBUTE_TRIGGER,
};
pub use changes::{notifications, NotifyPolicy};
pub use chat::{
    CHAT_DESCRIPTION_LIMIT, CHAT_KEYWORDS_LIMIT, CHAT_KEYWORD_LIMIT, CHAT_NEXT_STEPS_LIMIT,
    CHAT_STEP_LIMIT, CHAT_SUMMARY_LIMIT, CHAT_TITLE_LIMIT,
};
pub use content::{console_url, ACCOUNT_DISTRIBUTION_ID, CONSOLE_DISTRIBUTIONS};
pub use notification::{Notification, SUBJECT_LIMIT};
pub use pack::{SIZE_BUDGET, SNS_MESSAGE_LIMIT};
pub use plan::{digest, per_distribution, verified, verified_clean};
pub use sns::SnsPublisher;
pub use terminal::as_received;
pub use trigger::TriggerSummary;

/// Why a publish failed, with what to check. The Lambda returns it as the invocation's error, so
/// Lambda's retries and its on-failure destination keep the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// SNS (or the way to it) refused the publish.
    #[error(
        "could not publish {subject:?} to SNS topic {topic_arn}: {detail}. Check that the function's role \
         allows sns:Publish on this topic, that TOPIC_ARN names an existing topic (in the region \
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
    /// Some notifications of an invocation were not published; every one was attempted.
    #[error(
        "{} of {total} notifications were not published (the other {} were); first failure: {}",
        failures.len(),
        total - failures.len(),
        failures.first().map(ToString::to_string).unwrap_or_default()
    )]
    Several {
        /// How many notifications there were.
        total: usize,
        /// Each failure, in order.
        failures: Vec<NotifyError>,
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

/// Publishes every notification in order. One that fails does not stop the others (one oversized or
/// refused message must not silence the rest); the error then names every failure. A retry after a
/// failure publishes all of them again: subscribers may see a part twice, never miss one.
pub async fn publish_all<P: Publisher + Sync>(
    publisher: &P,
    notifications: &[Notification],
) -> Result<usize, NotifyError> {
    let mut failures = Vec::new();
    for notification in notifications {
        if let Err(error) = publisher.publish(notification).await {
            tracing::warn!(subject = notification.subject.as_str(), error = %error, "publish failed");
            failures.push(error);
        }
    }
    match failures.len() {
        0 => Ok(notifications.len()),
        1 if notifications.len() == 1 => Err(failures.remove(0)),
        _ => Err(NotifyError::Several {
            total: notifications.len(),
            failures,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_error_names_the_setting_the_function_reads() {
        let err = NotifyError::Publish {
            topic_arn: "arn:aws:sns:us-east-1:1:t".into(),
            subject: "s".into(),
            detail: "NotFound".into(),
        }
        .to_string();
        // The Lambda reads the topic from TOPIC_ARN (lambda::config); there is no NOTIFY_TOPIC_ARN.
        assert!(err.contains("that TOPIC_ARN names"), "{err}");
        assert!(!err.contains("NOTIFY_TOPIC_ARN"), "{err}");
    }

    /// Refuses the notifications for one distribution, counting every attempt.
    struct RefusingPublisher {
        refused: &'static str,
        attempts: std::sync::atomic::AtomicUsize,
    }

    impl Publisher for RefusingPublisher {
        async fn publish(&self, notification: &Notification) -> Result<(), NotifyError> {
            self.attempts
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if notification.subject.contains(self.refused) {
                return Err(NotifyError::Publish {
                    topic_arn: "arn:aws:sns:us-east-1:1:t".into(),
                    subject: notification.subject.clone(),
                    detail: "InvalidParameter: message too long".into(),
                });
            }
            Ok(())
        }
    }

    #[tokio::test]
    async fn one_refused_notification_does_not_stop_the_others_and_the_error_names_it() {
        let trigger = TriggerSummary::new("UpdateDistribution", "UpdateDistribution by ops");
        let notifications: Vec<Notification> = ["E1", "E2", "E3"]
            .iter()
            .map(|id| verified(id, &trigger))
            .collect();
        let publisher = RefusingPublisher {
            refused: "E2",
            attempts: Default::default(),
        };
        let error = publish_all(&publisher, &notifications)
            .await
            .expect_err("one was refused");
        assert_eq!(
            publisher.attempts.load(std::sync::atomic::Ordering::SeqCst),
            3,
            "every notification was attempted"
        );
        assert!(
            matches!(&error, NotifyError::Several { total: 3, failures } if failures.len() == 1),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.starts_with("1 of 3 notifications were not published (the other 2 were)"),
            "{text}"
        );
        assert!(
            text.contains("E2") && text.contains("sns:Publish"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_single_refused_notification_keeps_its_own_error() {
        let trigger = TriggerSummary::new("sweep", "daily sweep");
        let publisher = RefusingPublisher {
            refused: "E1",
            attempts: Default::default(),
        };
        let error = publish_all(&publisher, &[verified("E1", &trigger)])
            .await
            .expect_err("refused");
        assert!(matches!(error, NotifyError::Publish { .. }), "{error}");
    }
}
