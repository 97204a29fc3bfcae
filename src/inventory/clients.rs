//! The CloudFront, ACM and IAM clients, from the crate's one AWS configuration ([`crate::aws`]), and
//! the limits every read runs under: the clients' own timeouts and retry policy, and, in the Lambda,
//! the invocation's deadline.

use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::failure::CallError;
use crate::aws::for_global_services;
use crate::settings::AWS_MIN_TIME_FOR_A_CALL;

/// The three clients, all pinned to us-east-1 whatever `AWS_REGION` says. CloudFront and IAM answer
/// in XML, so their clients also refuse XML answers that end before their root element closes.
pub(crate) fn service_clients(
    config: &SdkConfig,
) -> (
    aws_sdk_cloudfront::Client,
    aws_sdk_acm::Client,
    aws_sdk_iam::Client,
) {
    let global = for_global_services(config);
    let cloudfront = aws_sdk_cloudfront::config::Builder::from(&global)
        .interceptor(WholeXmlAnswers)
        .build();
    let iam = aws_sdk_iam::config::Builder::from(&global)
        .interceptor(WholeXmlAnswers)
        .build();
    (
        aws_sdk_cloudfront::Client::from_conf(cloudfront),
        aws_sdk_acm::Client::new(&global),
        aws_sdk_iam::Client::from_conf(iam),
    )
}

/// The Elastic Load Balancing client: the shared configuration's endpoint, timeouts and retry policy,
/// in whatever region; each read takes the load balancer's own region
/// ([`super::elb::in_region`]). ELB answers in XML too.
pub(crate) fn load_balancing_client(config: &SdkConfig) -> aws_sdk_elasticloadbalancingv2::Client {
    let config = aws_sdk_elasticloadbalancingv2::config::Builder::from(config)
        .interceptor(WholeXmlAnswers)
        .build();
    aws_sdk_elasticloadbalancingv2::Client::from_conf(config)
}

/// The SDK's XML reader takes a document cut in the middle for a whole one: half a
/// ListDistributions page becomes distributions without their ViewerCertificate, which the rules
/// would judge (a false `viewer-default-cert-with-aliases`). This interceptor turns such an answer
/// into a response error (`malformed-response`), never data.
#[derive(Debug)]
struct WholeXmlAnswers;

impl Intercept for WholeXmlAnswers {
    fn name(&self) -> &'static str {
        "WholeXmlAnswers"
    }

    // After deserialization: only then is the body read into memory. Only answers taken for data
    // are checked: an error answer (a load balancer's plain-text 503) keeps its own classification.
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.output_or_error().is_err() {
            return Ok(());
        }
        match context.response().body().bytes() {
            Some(body) if !is_whole_xml(body) => Err(
                "the XML answer ends before its root element closes (cut short or broken)".into(),
            ),
            _ => Ok(()),
        }
    }
}

/// Whether `body` is empty or one XML document that ends with its root element's closing tag (after
/// an optional prolog and comments). Not a full well-formedness check: it catches the breakage
/// that matters here, a document cut short or followed by garbage.
fn is_whole_xml(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return true;
    }
    let mut rest = text;
    loop {
        let (open, close) = if rest.starts_with("<?") {
            ("<?", "?>")
        } else if rest.starts_with("<!--") {
            ("<!--", "-->")
        } else {
            break;
        };
        match rest[open.len()..].find(close) {
            Some(end) => rest = rest[open.len() + end + close.len()..].trim_start(),
            None => return false,
        }
    }
    let Some(root) = rest.strip_prefix('<') else {
        return false;
    };
    let name: String = root
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let Some(tag_end) = root.find('>') else {
        return false;
    };
    if name.is_empty() {
        return false;
    }
    if root[..tag_end].ends_with('/') {
        return root[tag_end + 1..].trim().is_empty();
    }
    text.ends_with(&format!("</{name}>"))
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
    fn an_xml_answer_cut_short_or_with_garbage_after_it_is_not_whole() {
        let page = "<?xml version=\"1.0\"?>\n<DistributionList xmlns=\"x\"><Quantity>0</Quantity></DistributionList>\n";
        assert!(is_whole_xml(page.as_bytes()));
        assert!(is_whole_xml(b""));
        assert!(is_whole_xml(b"<!-- note --><Empty/>"));
        let cut = &page[..page.len() / 2];
        assert!(!is_whole_xml(cut.as_bytes()), "{cut}");
        assert!(!is_whole_xml(format!("{cut}<<<{{{{").as_bytes()));
        assert!(!is_whole_xml(b"<?xml version=\"1.0\""));
        assert!(!is_whole_xml(b"{\"json\": true}"));
        assert!(!is_whole_xml(b"<Empty/>trailing"));
    }

    type ListError = aws_sdk_cloudfront::operation::list_distributions::ListDistributionsError;

    fn limits_until(deadline: Instant) -> CallLimits {
        CallLimits {
            deadline: Some(deadline),
            policy: "3 attempt(s)".into(),
        }
    }

    #[tokio::test]
    async fn a_call_still_running_at_the_deadline_is_abandoned_as_a_timeout() {
        let limits = limits_until(Instant::now() + std::time::Duration::from_secs(1));
        let never = std::future::pending::<Result<(), SdkError<ListError, HttpResponse>>>();
        let error = limits.send(never).await.expect_err("abandoned");
        assert_eq!(error.kind, crate::model::FailureKind::Timeout);
        assert!(
            error.message.contains("invocation's deadline"),
            "{}",
            error.message
        );
        assert!(error.message.contains("was abandoned"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_call_is_not_started_too_close_to_the_deadline() {
        let limits = limits_until(Instant::now());
        let started = std::sync::atomic::AtomicBool::new(false);
        let call = async {
            started.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok::<(), SdkError<ListError, HttpResponse>>(())
        };
        let error = limits.send(call).await.expect_err("not started");
        assert_eq!(error.kind, crate::model::FailureKind::Timeout);
        assert!(error.message.starts_with("not read"), "{}", error.message);
        assert!(!started.load(std::sync::atomic::Ordering::SeqCst));
    }

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
