//! Follow-ups: after a change, a distribution is `InProgress` for minutes and its edge cannot be
//! checked yet (`viewer-edge-not-verified`). Instead of dropping the edge check, the function sends
//! itself a delayed SQS message naming those distributions; the queue's event source mapping invokes
//! the same function, which audits them again ([`crate::intake::Cause::FollowUp`]). Attempts are
//! bounded by `FOLLOW_UP_MAX_ATTEMPTS`.
//!
//! [`next_follow_up`] is the pure decision; [`FollowUps`] sends it ([`SqsFollowUps`] in production,
//! [`NoFollowUps`] when no queue is configured).

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use crate::aws::{for_resource_region, load_sdk_config, AwsOptions};
use crate::inventory::CallError;

/// The IAM action behind [`SqsFollowUps`] (listed in [`crate::permissions::AWS_ACTIONS`]).
pub(crate) const SEND_MESSAGE: &str = "sqs:SendMessage";

/// SQS's largest `DelaySeconds`.
pub const MAX_DELAY: Duration = Duration::from_secs(900);

/// One follow-up request: the SQS message body, and what the function parses back
/// (`{"action":"follow-up","distribution_ids":[...],"attempt":N,"cause":"..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// Always `follow-up`: the body is also a valid direct input.
    action: &'static str,
    /// The distributions whose edge is still to be checked.
    pub distribution_ids: Vec<String>,
    /// Which attempt the message asks for, from 1.
    pub attempt: u32,
    /// The original cause, in words, carried from attempt to attempt.
    pub cause: String,
    /// The account the distributions are in, when it is not the function's own (organization mode):
    /// the re-check reads it through its member role again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl FollowUp {
    /// A follow-up for `distribution_ids`, attempt `attempt`, because of `cause`.
    pub fn new(distribution_ids: Vec<String>, attempt: u32, cause: impl Into<String>) -> FollowUp {
        FollowUp {
            action: "follow-up",
            distribution_ids,
            attempt,
            cause: cause.into(),
            account_id: None,
        }
    }

    /// The same follow-up, for distributions of `account_id` (`None`: the function's own account).
    pub fn in_account(mut self, account_id: Option<String>) -> FollowUp {
        self.account_id = account_id;
        self
    }

    /// The SQS message body.
    pub fn body(&self) -> String {
        // Serialising plain strings and numbers cannot fail; the fallback keeps this total anyway.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a follow-up was not scheduled. The invocation fails, so Lambda's retries (and the queue's
/// redrive, for a follow-up) keep the event: the edge re-check is not lost silently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    /// SQS (or the way to it) refused the message.
    #[error(
        "could not schedule follow-up {attempt} on SQS queue {queue_url}: {detail}. Check that \
         FOLLOW_UP_QUEUE_URL names an existing queue, that the function's role allows sqs:SendMessage \
         on it, and, for an encrypted queue, that the KMS key policy lets the role use the key"
    )]
    Send {
        /// The queue.
        queue_url: String,
        /// The attempt that was not scheduled.
        attempt: u32,
        /// The SQS error code and message, or the transport error.
        detail: String,
    },
}

/// Something that schedules follow-ups. The handler is generic over it so that its tests can record
/// follow-ups instead of sending them (`impl Future` keeps the future `Send`, like
/// [`crate::notify::Publisher`]).
pub trait FollowUps {
    /// Whether follow-ups can be scheduled at all (a queue is configured). When not, the report says
    /// that a distribution still InProgress is not re-checked.
    fn enabled(&self) -> bool {
        true
    }

    /// Schedules one follow-up; an error means it was not queued.
    fn schedule(
        &self,
        request: &FollowUp,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send;
}

/// No queue configured: nothing is scheduled (the handler notes it in the report).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFollowUps;

impl FollowUps for NoFollowUps {
    fn enabled(&self) -> bool {
        false
    }

    fn schedule(
        &self,
        _request: &FollowUp,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// `None` behaves as [`NoFollowUps`]: production builds `Some` only when `FOLLOW_UP_QUEUE_URL` is set.
impl<F: FollowUps + Sync> FollowUps for Option<F> {
    fn enabled(&self) -> bool {
        self.as_ref().is_some_and(FollowUps::enabled)
    }

    fn schedule(
        &self,
        request: &FollowUp,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send {
        let inner = self.as_ref().map(|f| f.schedule(request));
        async move {
            match inner {
                Some(future) => future.await,
                None => Ok(()),
            }
        }
    }
}

/// Sends follow-ups to an SQS queue with a delay.
#[derive(Debug, Clone)]
pub struct SqsFollowUps {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    delay: Duration,
}

impl SqsFollowUps {
    /// A scheduler using a client built by the caller; `delay` is capped at SQS's 900 seconds.
    pub fn new(
        client: aws_sdk_sqs::Client,
        queue_url: impl Into<String>,
        delay: Duration,
    ) -> SqsFollowUps {
        SqsFollowUps {
            client,
            queue_url: queue_url.into(),
            delay: delay.min(MAX_DELAY),
        }
    }

    /// A scheduler with the crate's usual client set-up. SQS is regional: the client uses the region
    /// in the queue URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`) when it has one.
    pub async fn from_environment(
        options: &AwsOptions,
        queue_url: impl Into<String>,
        delay: Duration,
    ) -> SqsFollowUps {
        SqsFollowUps::from_sdk_config(&load_sdk_config(options).await, queue_url, delay)
    }

    /// The same from an already loaded configuration (the Lambda loads it once for every client).
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
        queue_url: impl Into<String>,
        delay: Duration,
    ) -> SqsFollowUps {
        let queue_url = queue_url.into();
        let config = for_resource_region(config, queue_region(&queue_url));
        SqsFollowUps::new(aws_sdk_sqs::Client::new(&config), queue_url, delay)
    }
}

impl FollowUps for SqsFollowUps {
    fn schedule(
        &self,
        request: &FollowUp,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send {
        // Built before the future, so the future borrows nothing of `request`.
        let send = self
            .client
            .send_message()
            .queue_url(&self.queue_url)
            // Capped at 900 in `new`, so the conversion cannot overflow.
            .delay_seconds(self.delay.as_secs().min(MAX_DELAY.as_secs()) as i32)
            .message_body(request.body());
        let attempt = request.attempt;
        async move {
            send.send()
                .await
                .map(|_| ())
                .map_err(|err| FollowUpError::Send {
                    queue_url: self.queue_url.clone(),
                    attempt,
                    detail: CallError::from_sdk(&err).message,
                })
        }
    }
}

/// The region of a queue URL (`https://sqs.REGION.amazonaws.com/...`), if it names one.
fn queue_region(queue_url: &str) -> Option<&str> {
    let host = queue_url.split("://").nth(1)?.split('/').next()?;
    let mut labels = host.split('.');
    match (labels.next(), labels.next()) {
        (Some("sqs"), Some(region)) if !region.is_empty() => Some(region),
        _ => None,
    }
}

/// What to do after an audit: `attempt` is the follow-up attempt just run (0 for the original event),
/// `max` is `FOLLOW_UP_MAX_ATTEMPTS`. Schedules attempt + 1 for the distributions still not Deployed,
/// unless `attempt` was already the last one (then `None`: the finding stays in the report).
/// `pending` is the report's [`crate::report::Report::edge_pending`]: it is only filled when the edge check ran,
/// the only case where a later re-check can learn something (with `PROBE=false` or
/// `EDGE_CHECK=false` a follow-up would audit the same configuration again).
pub fn next_follow_up(pending: &[String], attempt: u32, max: u32, cause: &str) -> Option<FollowUp> {
    if pending.is_empty() || attempt >= max {
        return None;
    }
    Some(FollowUp::new(pending.to_vec(), attempt + 1, cause))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::{parse_trigger_bytes, Cause, Trigger};

    fn report(not_deployed: &[&str]) -> Vec<String> {
        not_deployed.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn an_event_schedules_attempt_one_for_the_distributions_not_deployed() {
        let next = next_follow_up(&report(&["E1", "E2"]), 0, 6, "UpdateDistribution by x")
            .expect("scheduled");
        assert_eq!(next.distribution_ids, ["E1", "E2"]);
        assert_eq!(next.attempt, 1);
        assert_eq!(next.cause, "UpdateDistribution by x");
        assert_eq!(
            next_follow_up(&report(&[]), 0, 6, "x"),
            None,
            "all Deployed"
        );
    }

    #[test]
    fn follow_ups_reschedule_until_the_last_attempt() {
        let pending = report(&["E1"]);
        assert_eq!(
            next_follow_up(&pending, 5, 6, "x").map(|f| f.attempt),
            Some(6)
        );
        assert_eq!(
            next_follow_up(&pending, 6, 6, "x"),
            None,
            "the last attempt"
        );
        assert_eq!(next_follow_up(&pending, 9, 6, "x"), None, "over the limit");
        assert_eq!(next_follow_up(&pending, 1, 1, "x"), None);
    }

    #[test]
    fn the_body_parses_back_as_the_same_follow_up() {
        let request = FollowUp::new(vec!["E1".into(), "E2".into()], 3, "UpdateDistribution");
        let body = request.body();
        assert_eq!(
            body,
            r#"{"action":"follow-up","distribution_ids":["E1","E2"],"attempt":3,"cause":"UpdateDistribution"}"#
        );
        match parse_trigger_bytes(body.as_bytes()) {
            Ok(Trigger::Audit {
                scope: crate::model::Scope::Distributions(ids),
                cause: Cause::FollowUp { attempt, cause },
            }) => {
                assert_eq!(ids, ["E1", "E2"]);
                assert_eq!((attempt, cause.as_str()), (3, "UpdateDistribution"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_region_comes_from_the_queue_url() {
        assert_eq!(
            queue_region("https://sqs.eu-west-1.amazonaws.com/111122223333/q"),
            Some("eu-west-1")
        );
        assert_eq!(queue_region("http://127.0.0.1:5000/123456789012/q"), None);
        assert_eq!(queue_region("not a url"), None);
    }

    #[test]
    fn the_delay_is_capped_at_the_sqs_limit() {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .build();
        let f = SqsFollowUps::new(
            aws_sdk_sqs::Client::from_conf(config),
            "q",
            Duration::from_secs(5000),
        );
        assert_eq!(f.delay, MAX_DELAY);
    }
}
