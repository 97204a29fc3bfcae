//! The CloudFront, ACM and IAM clients, from the crate's one AWS configuration ([`crate::aws`]).

use aws_config::SdkConfig;

use crate::aws::for_global_services;

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
