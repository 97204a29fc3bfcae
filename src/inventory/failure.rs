//! Turns SDK errors into [`ReadFailure`]s, classified so that findings can name the cause.

use std::error::Error;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{FailureKind, ReadFailure};

/// Service error codes that mean the caller lacks a permission.
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
];

/// Service error codes that mean the caller was throttled.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequests",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "Throttled",
];

/// Service error codes that mean the resource does not exist.
const NOT_FOUND_CODES: &[&str] = &[
    "NoSuchDistribution",
    "NoSuchCachePolicy",
    "NoSuchOriginRequestPolicy",
    "NoSuchEntity",
    "NoSuchEntityException",
    "ResourceNotFoundException",
    "NotFound",
    // CloudFront VPC origins; Elastic Load Balancing.
    "EntityNotFound",
    "LoadBalancerNotFound",
    "ListenerNotFound",
    "SSLPolicyNotFound",
];

/// What is known about one failed call, before it is tied to a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallError {
    /// Classified cause.
    pub kind: FailureKind,
    /// The service error code, when the service answered with one.
    pub code: Option<String>,
    /// Code and message, or the SDK's error chain when there was no service answer.
    pub message: String,
}

impl CallError {
    /// Classifies an SDK error.
    pub fn from_sdk<E>(err: &SdkError<E, HttpResponse>) -> CallError
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    {
        let code = err.code().map(str::to_owned);
        let kind = match err {
            SdkError::TimeoutError(_) => FailureKind::Timeout,
            // A connect timeout is a dispatch failure; so is a connection cut before any answer.
            SdkError::DispatchFailure(failure) if failure.is_timeout() => FailureKind::Timeout,
            SdkError::DispatchFailure(_) => FailureKind::Network,
            // An answer cut mid-body or that does not parse: the request went out, the answer is unusable.
            SdkError::ResponseError(_) => FailureKind::InvalidResponse,
            SdkError::ServiceError(service) => {
                kind_from_code(code.as_deref(), service.raw().status().as_u16())
            }
            _ => FailureKind::Other,
        };
        let message = match (err.code(), err.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_owned(),
            _ => error_chain(err),
        };
        CallError {
            kind,
            code,
            message,
        }
    }

    /// A failure for a response that lacked what the operation promises.
    pub fn invalid_response(what: &str) -> CallError {
        CallError {
            kind: FailureKind::InvalidResponse,
            code: None,
            message: format!("the response has no {what}"),
        }
    }

    /// A read that did not finish (or was not started) before the invocation's deadline, minus its
    /// safety margin: the rest of the run still publishes what it has.
    pub fn deadline_reached(started: bool) -> CallError {
        let message = if started {
            "no answer before the invocation's deadline (minus SWEEP_SAFETY_MARGIN_SECONDS): the call \
             was abandoned so that what was read could still be published"
        } else {
            "not read: the invocation was too close to its deadline (minus \
             SWEEP_SAFETY_MARGIN_SECONDS) to start the call"
        };
        CallError {
            kind: FailureKind::Timeout,
            code: None,
            message: message.to_owned(),
        }
    }

    /// The same error, saying which retry policy it outlasted when the SDK retried it (timeouts,
    /// throttling, 5xx and unusable answers), so that the reader knows the failure persisted.
    pub fn after_retries(mut self, policy: &str) -> CallError {
        let retried = matches!(
            self.kind,
            FailureKind::Timeout
                | FailureKind::Throttling
                | FailureKind::ServerError
                | FailureKind::InvalidResponse
                | FailureKind::Network
        );
        if retried && !policy.is_empty() {
            self.message = format!("{} (retry policy: {policy})", self.message);
        }
        self
    }

    /// Whether the service said the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind == FailureKind::NotFound
    }

    /// Ties this error to the operation and resource it was for.
    pub fn into_failure(
        self,
        operation: &str,
        resource: &str,
        distribution_id: Option<&str>,
    ) -> ReadFailure {
        ReadFailure {
            operation: operation.to_owned(),
            resource: resource.to_owned(),
            distribution_id: distribution_id.map(str::to_owned),
            kind: self.kind,
            message: self.message,
        }
    }
}

/// The error and its sources, each once, as one line: `dispatch failure: io error: …: Connection
/// refused`. (`DisplayErrorContext` appends a Debug dump that no reader of a finding needs.)
fn error_chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(next) = source {
        let text = next.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = next.source();
    }
    parts.join(": ")
}

/// Error codes first; the HTTP status only when the code says nothing we know.
fn kind_from_code(code: Option<&str>, status: u16) -> FailureKind {
    match code {
        Some(code) if ACCESS_DENIED_CODES.contains(&code) => FailureKind::AccessDenied,
        Some(code) if THROTTLING_CODES.contains(&code) => FailureKind::Throttling,
        Some(code) if NOT_FOUND_CODES.contains(&code) => FailureKind::NotFound,
        _ => match status {
            403 => FailureKind::AccessDenied,
            429 => FailureKind::Throttling,
            404 => FailureKind::NotFound,
            500..=599 => FailureKind::ServerError,
            _ => FailureKind::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_win_over_status() {
        assert_eq!(
            kind_from_code(Some("AccessDeniedException"), 400),
            FailureKind::AccessDenied
        );
        assert_eq!(
            kind_from_code(Some("Throttling"), 400),
            FailureKind::Throttling
        );
        assert_eq!(
            kind_from_code(Some("NoSuchDistribution"), 400),
            FailureKind::NotFound
        );
        assert_eq!(
            kind_from_code(Some("Weird"), 403),
            FailureKind::AccessDenied
        );
        assert_eq!(kind_from_code(None, 429), FailureKind::Throttling);
        assert_eq!(kind_from_code(Some("Weird"), 400), FailureKind::Other);
        assert_eq!(
            kind_from_code(Some("ServiceUnavailable"), 503),
            FailureKind::ServerError
        );
        assert_eq!(kind_from_code(None, 500), FailureKind::ServerError);
    }

    #[test]
    fn a_retried_failure_names_the_policy_it_outlasted() {
        let throttled = CallError {
            kind: FailureKind::Throttling,
            code: Some("Throttling".into()),
            message: "Throttling: Rate exceeded".into(),
        }
        .after_retries("3 attempt(s)");
        assert_eq!(
            throttled.message,
            "Throttling: Rate exceeded (retry policy: 3 attempt(s))"
        );
        let denied = CallError {
            kind: FailureKind::AccessDenied,
            code: None,
            message: "AccessDenied".into(),
        }
        .after_retries("3 attempt(s)");
        assert_eq!(denied.message, "AccessDenied", "never retried");
        assert_eq!(CallError::deadline_reached(true).kind, FailureKind::Timeout);
    }
}
