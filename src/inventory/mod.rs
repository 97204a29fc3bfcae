//! Reads CloudFront, ACM and IAM into a [`crate::model::Snapshot`]. The only module that calls AWS.
