//! The organization sweep's results bucket (issue 14): the account list the Distributed Map reads,
//! each account's result, the Map's result manifest, the organization report.

/// Reading the account list, the account results and the result manifest.
pub const GET_OBJECT: &str = "s3:GetObject";
/// Writing the account list, the account results and the organization report.
pub const PUT_OBJECT: &str = "s3:PutObject";
/// Needed so that a missing account result reads as missing (404), not as denied (403).
pub const LIST_BUCKET: &str = "s3:ListBucket";
