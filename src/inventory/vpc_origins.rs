//! CloudFront VPC origins: GetVpcOrigin (where a VPC origin connects, and how) and
//! ListDistributionsByVpcOriginId (which distributions use one).

use super::clients::CallLimits;
use super::failure::CallError;
use super::pagination::{all_pages, Page};
use super::text;
use crate::model::{VpcOrigin, VpcOriginLookup};
use crate::vocabulary::OriginProtocolPolicy;

/// IAM action names of the calls in this file.
pub(crate) const GET_VPC_ORIGIN: &str = "cloudfront:GetVpcOrigin";
/// See [`GET_VPC_ORIGIN`].
pub(crate) const LIST_DISTRIBUTIONS_BY_VPC_ORIGIN_ID: &str =
    "cloudfront:ListDistributionsByVpcOriginId";

/// ListDistributionsByVpcOriginId's page size (a string in the API model, an integer in the SDK).
const PAGE_SIZE: i32 = 100;

/// Reads one VPC origin. Never fails: failures become the lookup's outcome.
pub(crate) async fn lookup(
    client: &aws_sdk_cloudfront::Client,
    id: &str,
    limits: &CallLimits,
) -> VpcOriginLookup {
    let output = match limits.send(client.get_vpc_origin().id(id).send()).await {
        Ok(output) => output,
        Err(error) => return VpcOriginLookup::Failed(error.into_failure(GET_VPC_ORIGIN, id, None)),
    };
    let found = output.vpc_origin().and_then(|origin| {
        let endpoint = origin.vpc_origin_endpoint_config()?;
        Some(VpcOrigin {
            id: text(origin.id()).unwrap_or_else(|| id.to_owned()),
            arn: origin.arn().to_owned(),
            account_id: origin.account_id().and_then(text),
            status: origin.status().to_owned(),
            name: endpoint.name().to_owned(),
            endpoint_arn: endpoint.arn().trim().to_owned(),
            https_port: endpoint.https_port(),
            origin_protocol_policy: OriginProtocolPolicy::from(
                endpoint.origin_protocol_policy().as_str(),
            ),
            origin_ssl_protocols: endpoint
                .origin_ssl_protocols()
                .map(|p| p.items().iter().filter_map(|s| text(s.as_str())).collect())
                .unwrap_or_default(),
        })
    });
    match found {
        Some(origin) => VpcOriginLookup::Found(Box::new(origin)),
        None => {
            VpcOriginLookup::Failed(
                CallError::invalid_response("VpcOrigin with its VpcOriginEndpointConfig")
                    .into_failure(GET_VPC_ORIGIN, id, None),
            )
        }
    }
}

/// The ids of the distributions that use one VPC origin, every page.
pub(crate) async fn distribution_ids(
    client: &aws_sdk_cloudfront::Client,
    id: &str,
    limits: &CallLimits,
) -> Result<Vec<String>, CallError> {
    all_pages(|marker| async move {
        let output = limits
            .send(
                client
                    .list_distributions_by_vpc_origin_id()
                    .vpc_origin_id(id)
                    .max_items(PAGE_SIZE)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let list = output
            .distribution_id_list()
            .ok_or_else(|| CallError::invalid_response("DistributionIdList"))?;
        Ok(Page {
            items: list.items().iter().filter_map(|id| text(id)).collect(),
            truncated: list.is_truncated(),
            next: list.next_marker().map(str::to_owned),
        })
    })
    .await
}
