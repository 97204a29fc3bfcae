//! The organization sweep's results bucket (issue 14): the account list the Distributed Map reads,
//! each account's result, the Map's result manifest, the organization report.

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use thiserror::Error;

use crate::inventory::CallError;

/// Reading the account list, the account results and the result manifest.
pub const GET_OBJECT: &str = "s3:GetObject";
/// Writing the account list, the account results and the organization report.
pub const PUT_OBJECT: &str = "s3:PutObject";
/// Needed so that a missing account result reads as missing (404), not as denied (403).
pub const LIST_BUCKET: &str = "s3:ListBucket";

/// The largest object read back: an account result is bounded far below this, and a Map result
/// file of this function's items too; anything larger is not ours.
pub const MAX_OBJECT_BYTES: usize = 64 * 1024 * 1024;

/// Why the results bucket could not be used. The invocation fails, so that Step Functions retries
/// the state; on BuildDigest's last attempt an account result that cannot be read is listed as a
/// failed account instead, so that the digest still goes out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResultsError {
    /// S3 refused or failed the call.
    #[error(
        "{action} of s3://{bucket}/{key} failed: {detail}. Check that RESULTS_BUCKET names the \
         stack's bucket and that the function's role may use it"
    )]
    Call {
        /// The action.
        action: &'static str,
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The service's error, or the SDK's.
        detail: String,
    },
    /// The object is larger than [`MAX_OBJECT_BYTES`].
    #[error(
        "s3://{bucket}/{key} is larger than {limit} bytes; it is not an object this function wrote"
    )]
    TooLarge {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The limit.
        limit: usize,
    },
    /// Organization mode needs the bucket.
    #[error("RESULTS_BUCKET is not set: the organization sweep keeps its account list and results there (the template sets it with OrganizationMode=true)")]
    NotConfigured,
}

/// The results bucket, through S3.
#[derive(Debug, Clone)]
pub struct ResultsBucket {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl ResultsBucket {
    /// The bucket `bucket`, with the function's configuration (S3 in the function's region; path-style
    /// addressing, so that an endpoint override reaches the emulator).
    pub fn from_sdk_config(config: &SdkConfig, bucket: &str) -> ResultsBucket {
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        ResultsBucket {
            client: aws_sdk_s3::Client::from_conf(s3),
            bucket: bucket.to_owned(),
        }
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.bucket
    }

    /// The object at `key`; `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ResultsError> {
        let call = |detail: String| ResultsError::Call {
            action: GET_OBJECT,
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            detail,
        };
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) => {
                let error = CallError::from_sdk(&error);
                return match error.code.as_deref() {
                    Some("NoSuchKey") => Ok(None),
                    _ if error.is_not_found() => Ok(None),
                    _ => Err(call(error.message)),
                };
            }
        };
        if output
            .content_length()
            .is_some_and(|length| length > MAX_OBJECT_BYTES as i64)
        {
            return Err(self.too_large(key));
        }
        let body = output
            .body
            .collect()
            .await
            .map_err(|error| call(error.to_string()))?
            .into_bytes();
        if body.len() > MAX_OBJECT_BYTES {
            return Err(self.too_large(key));
        }
        Ok(Some(body.to_vec()))
    }

    /// Writes `body` (JSON) at `key`.
    pub async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), ResultsError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|error| ResultsError::Call {
                action: PUT_OBJECT,
                bucket: self.bucket.clone(),
                key: key.to_owned(),
                detail: CallError::from_sdk(&error).message,
            })
    }

    fn too_large(&self, key: &str) -> ResultsError {
        ResultsError::TooLarge {
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            limit: MAX_OBJECT_BYTES,
        }
    }
}
