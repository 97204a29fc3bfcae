//! Why a DistributionConfig could not be read, with where (a JSON path in the document's own spelling)
//! and what to do about it.

use thiserror::Error;

/// Why a DistributionConfig could not be read. Every variant says where and what to do about it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The text is over [`MAX_INPUT_BYTES`](super::MAX_INPUT_BYTES); refused before parsing so hostile input costs nothing.
    #[error(
        "the input is {size} bytes, over the {limit}-byte (1 MiB) limit; a DistributionConfig is a few \
         KiB, so pass the output of `aws cloudfront get-distribution-config`, not a log or an archive"
    )]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text is not JSON.
    #[error(
        "not valid JSON at line {line}, column {column}: {message}; fix the syntax there (a truncated \
         file or a trailing comma is the usual cause)"
    )]
    InvalidJson {
        /// One-based line, as serde_json reports it.
        line: usize,
        /// One-based column, as serde_json reports it.
        column: usize,
        /// serde_json's description, without its position suffix.
        message: String,
    },
    /// The JSON is valid but none of the accepted shapes holds a DistributionConfig.
    #[error(
        "no DistributionConfig found (the top level is {found}); pass one of: the output of `aws \
         cloudfront get-distribution-config` {{\"ETag\", \"DistributionConfig\"}}, the output of `aws \
         cloudfront get-distribution` {{\"Distribution\": {{\"Id\", \"DistributionConfig\"}}}}, a bare \
         DistributionConfig (with Origins, DefaultCacheBehavior…), or a CloudTrail event's \
         requestParameters {{\"distributionConfig\"}} or {{\"distributionConfigWithTags\": \
         {{\"distributionConfig\"}}}} (for a whole event, extract it with `jq .detail.requestParameters`)"
    )]
    NoDistributionConfig {
        /// What the top level was instead, e.g. `an object with keys "ETag", "Foo"`.
        found: String,
    },
    /// A field holds the wrong kind of value.
    #[error("{}: expected {expected}, found {found}; correct the value in the file", display_path(.path))]
    WrongType {
        /// JSON path of the field, in the document's own key spelling, e.g.
        /// `DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPSPort`.
        path: String,
        /// What the field must hold.
        expected: &'static str,
        /// What it holds (strings are shortened and escaped).
        found: String,
    },
    /// A field CloudFront requires, and the audit needs, is absent, null or an empty string.
    #[error(
        "{}: required field {field} is missing; add it (CloudFront rejects a DistributionConfig \
         without it, and the audit cannot judge the configuration)",
        display_path(.path)
    )]
    MissingField {
        /// JSON path of the object that lacks the field (empty for the top level).
        path: String,
        /// The field's CloudFront name.
        field: &'static str,
    },
    /// Two keys of one object differ only in case, so which one CloudFront would read is unknowable.
    #[error(
        "{}: keys {first:?} and {second:?} differ only in case and both are read as {field}; keep one",
        display_path(.path)
    )]
    DuplicateKey {
        /// JSON path of the object holding both keys (empty for the top level).
        path: String,
        /// The field's CloudFront name.
        field: &'static str,
        /// The first spelling, as in the document.
        first: String,
        /// The second spelling, as in the document.
        second: String,
    },
    /// An origin sets more than one of the mutually exclusive origin configurations.
    #[error(
        "{}: sets {}; an origin takes exactly one of S3OriginConfig, CustomOriginConfig and \
         VpcOriginConfig, so remove the others",
        display_path(.path),
        .fields.join(" and ")
    )]
    ConflictingOriginKinds {
        /// JSON path of the origin.
        path: String,
        /// The configurations it sets, in CloudFront names.
        fields: Vec<&'static str>,
    },
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "the top level"
    } else {
        path
    }
}
