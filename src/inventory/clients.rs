//! The CloudFront, ACM and IAM clients, from the crate's one AWS configuration ([`crate::aws`]), and
//! the limits every read runs under: the clients' own timeouts and retry policy, and, in the Lambda,
//! the invocation's deadline.

use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::failure::CallError;
use crate::aws::for_global_services;
use crate::settings::AWS_MIN_TIME_FOR_A_CALL;

/// The three clients, all pinned to us-east-1 whatever `AWS_REGION` says.
pub(crate) fn service_clients(
    config: &SdkConfig,
) -> (
    aws_sdk_cloudfront::Client,
    aws_sdk_acm::Client,
    aws_sdk_iam::Client,
) {
    let global = for_global_services(config);
    (
        aws_sdk_cloudfront::Client::new(&global),
        aws_sdk_acm::Client::new(&global),
        aws_sdk_iam::Client::new(&global),
    )
}

/// What bounds every read of one audit: the deadline (the Lambda's invocation deadline minus its
/// safety margin; none for the CLI, whose calls are bounded by the clients' timeouts alone) and the
/// clients' retry policy, named in failures so that a reader knows the failure persisted.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallLimits {
    /// No read runs past this moment.
    pub deadline: Option<Instant>,
    /// `3 attempt(s) of at most 10 s each, 30 s in all`, from the clients' configuration.
    pub policy: Arc<str>,
}

impl CallLimits {
    /// The limits the CloudFront client was configured with (its siblings share the configuration).
    pub fn of(client: &aws_sdk_cloudfront::Client) -> CallLimits {
        let config = client.config();
        CallLimits {
            deadline: None,
            policy: describe(config.retry_config(), config.timeout_config()).into(),
        }
    }

    /// Runs one SDK call within these limits. A call that cannot start before the deadline is not
    /// started; one still running at the deadline is dropped (which closes its connection). Either
    /// way the failure is a [`crate::model::FailureKind::Timeout`], never a hang.
    pub async fn send<T, E>(
        &self,
        call: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, CallError>
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    {
        let outcome = match self.deadline {
            None => call.await,
            Some(deadline) => {
                if deadline.saturating_duration_since(Instant::now()) < AWS_MIN_TIME_FOR_A_CALL {
                    return Err(CallError::deadline_reached(false));
                }
                let deadline = tokio::time::Instant::from_std(deadline);
                match tokio::time::timeout_at(deadline, call).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(CallError::deadline_reached(true)),
                }
            }
        };
        outcome.map_err(|err| CallError::from_sdk(&err).after_retries(&self.policy))
    }
}

/// The retry policy and timeouts in words; empty when the client has neither.
fn describe(retry: Option<&RetryConfig>, timeout: Option<&TimeoutConfig>) -> String {
    let mut parts = Vec::new();
    if let Some(retry) = retry {
        parts.push(format!("{} attempt(s)", retry.max_attempts()));
    }
    if let Some(attempt) = timeout.and_then(TimeoutConfig::operation_attempt_timeout) {
        parts.push(format!("at most {} s each", attempt.as_secs_f64()));
    }
    if let Some(operation) = timeout.and_then(TimeoutConfig::operation_timeout) {
        parts.push(format!("{} s in all", operation.as_secs_f64()));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsTimeouts;

    #[test]
    fn the_policy_is_read_from_the_clients_configuration() {
        let config = AwsTimeouts::default().apply(
            &SdkConfig::builder()
                .behavior_version(aws_config::BehaviorVersion::latest())
                .build(),
        );
        let (cloudfront, _, _) = service_clients(&config);
        assert_eq!(
            &*CallLimits::of(&cloudfront).policy,
            "3 attempt(s), at most 10 s each, 30 s in all"
        );
        assert_eq!(describe(None, None), "");
    }
}
