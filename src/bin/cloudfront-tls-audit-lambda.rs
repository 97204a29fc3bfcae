//! The Lambda function (cargo-lambda `--bin cloudfront-tls-audit-lambda`). Everything but start-up
//! lives in the library: `cloudfront_tls_audit::lambda`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cloudfront_tls_audit::lambda::handler_from_env;
use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // JSON logs, one object per line, for CloudWatch Logs Insights; RUST_LOG tunes the level.
    tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let handler = handler_from_env().await?;
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let remaining = remaining(event.context.deadline);
        let payload = serde_json::to_vec(&event.payload).map_err(|error| Diagnostic {
            error_type: "CloudFrontTlsAudit.PayloadNotRead".to_owned(),
            error_message: error.to_string(),
        })?;
        let function_arn = event.context.invoked_function_arn.as_str();
        handler
            .handle_invocation(&payload, remaining, Some(function_arn))
            .await
            .map_err(|error| Diagnostic {
                error_type: error.error_type().to_owned(),
                error_message: error.to_string(),
            })
    }))
    .await
}

/// Time left before the invocation's deadline (milliseconds since the epoch, from the Runtime API).
fn remaining(deadline_ms: u64) -> Option<Duration> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Duration::from_millis(deadline_ms).checked_sub(now)
}
