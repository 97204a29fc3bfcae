//! The smallest lambda_runtime function (echo): the baseline of the Lambda start-up benchmark
//! (`benches/lambda_startup.rs`), built in the same run as the real function.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
