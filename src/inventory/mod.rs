//! Reads CloudFront, ACM, IAM and Elastic Load Balancing into a [`crate::model::Snapshot`]. The
//! only module that calls AWS.
//!
//! Nothing here fails: every read that goes wrong becomes a [`crate::model::ReadFailure`] in the
//! snapshot, so that an audit with partial permissions still reports what it could see, and says what
//! it could not. No SDK type leaves this module.

pub(crate) mod acm;
mod clients;
pub(crate) mod cloudfront;
pub(crate) mod elb;
mod failure;
pub(crate) mod iam;
pub mod member;
pub mod organization;
mod origins;
mod pagination;
mod pem;
pub(crate) mod policies;
pub(crate) mod vpc_origins;

// Shared with `crate::notify` and `crate::lambda::follow_up`, which report SDK errors alike.
pub(crate) use failure::CallError;
// Where it always was for callers; the AWS client configuration itself is in `crate::aws`.
pub use crate::aws::AwsOptions;

use std::collections::BTreeSet;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use time::OffsetDateTime;

use crate::model::{CertificateLookup, CertificateRef, PolicyLookup, Scope, Snapshot};
use clients::CallLimits;

/// How many certificate or policy reads run at once.
const READ_CONCURRENCY: usize = 8;

/// The CloudFront, ACM, IAM and Elastic Load Balancing clients an audit reads with.
#[derive(Debug, Clone)]
pub struct AwsInventory {
    cloudfront: aws_sdk_cloudfront::Client,
    acm: aws_sdk_acm::Client,
    iam: aws_sdk_iam::Client,
    /// `None` until given ([`AwsInventory::with_load_balancing`]): load balancers behind origins are
    /// then reported as not read, never judged.
    elb: Option<aws_sdk_elasticloadbalancingv2::Client>,
    limits: CallLimits,
}

impl AwsInventory {
    /// Clients from the aws-config default credential chain. `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_<SERVICE>` are honoured (aws-config reads them), then `options.endpoint_url`.
    /// CloudFront, IAM and ACM for viewer certificates always use region us-east-1, whatever
    /// `AWS_REGION` says; load balancers and their listener certificates are read in their own region.
    pub async fn from_environment(options: &AwsOptions) -> AwsInventory {
        AwsInventory::from_sdk_config(&crate::aws::load_sdk_config(options).await)
    }

    /// The same from an already loaded configuration (the Lambda loads it once for every client).
    pub fn from_sdk_config(config: &aws_config::SdkConfig) -> AwsInventory {
        let (cloudfront, acm, iam) = clients::service_clients(config);
        AwsInventory::from_clients(cloudfront, acm, iam)
            .with_load_balancing(clients::load_balancing_client(config))
    }

    /// The same inventory, reading load balancers behind origins with `client` (any region: each
    /// read uses the load balancer's). Listener certificates are read with the ACM client's
    /// configuration in the load balancer's region.
    pub fn with_load_balancing(self, client: aws_sdk_elasticloadbalancingv2::Client) -> Self {
        AwsInventory {
            elb: Some(client),
            ..self
        }
    }

    /// Clients built by the caller: tests add interceptors and disable retries this way.
    pub fn from_clients(
        cloudfront: aws_sdk_cloudfront::Client,
        acm: aws_sdk_acm::Client,
        iam: aws_sdk_iam::Client,
    ) -> AwsInventory {
        let limits = CallLimits::of(&cloudfront);
        AwsInventory {
            cloudfront,
            acm,
            iam,
            elb: None,
            limits,
        }
    }

    /// The same clients, with no read running past `deadline` (the Lambda passes its invocation's
    /// deadline minus the safety margin). A read cut short, or not started, is recorded as a
    /// `timeout` failure like any other, so the audit reports it and goes on to publish what it has.
    pub fn until(&self, deadline: Instant) -> AwsInventory {
        AwsInventory {
            limits: CallLimits {
                deadline: Some(deadline),
                policy: self.limits.policy.clone(),
            },
            ..self.clone()
        }
    }

    /// Reads the distributions in `scope` and everything they reference. Never fails: every failed
    /// read is in the snapshot (`gaps`, `CertificateLookup::Failed`, `PolicyLookup::Failed`).
    pub async fn snapshot(&self, scope: &Scope) -> Snapshot {
        let (distributions, gaps) = match scope {
            Scope::AllDistributions => cloudfront::list_all(&self.cloudfront, &self.limits).await,
            Scope::Distributions(ids) => {
                cloudfront::get_each(&self.cloudfront, ids, &self.limits).await
            }
        };
        let mut snapshot = Snapshot {
            distributions,
            gaps,
            ..Snapshot::default()
        };
        self.read_references(&mut snapshot).await;
        snapshot
    }

    /// The distributions that use one certificate: those ACM lists in `InUseBy` together with those whose
    /// ViewerCertificate names the ARN (`InUseBy` can be empty), with everything they reference.
    pub async fn snapshot_for_certificate(&self, arn: &str) -> Snapshot {
        // A certificate outside us-east-1 is no viewer certificate CloudFront could use; it may be
        // a load balancer listener's behind an origin.
        if acm::check_arn(arn) == acm::ArnCheck::OtherRegion {
            return self.listener_certificate_users(arn).await;
        }
        let reference = CertificateRef::Acm(arn.to_owned());
        let ((distributions, gaps), lookup) = futures::join!(
            cloudfront::list_all(&self.cloudfront, &self.limits),
            acm::lookup(&self.acm, arn, &self.limits)
        );
        let in_use_by: BTreeSet<String> = match &lookup {
            CertificateLookup::Found(certificate) => certificate
                .in_use_by
                .iter()
                .filter_map(|resource| resource.rsplit_once(":distribution/"))
                .map(|(_, id)| id.to_owned())
                .collect(),
            _ => BTreeSet::new(),
        };
        let mut snapshot = Snapshot {
            distributions: distributions
                .into_iter()
                .filter(|d| {
                    in_use_by.contains(&d.id)
                        || d.viewer_certificate.certificate_ref().as_ref() == Some(&reference)
                })
                .collect(),
            gaps,
            ..Snapshot::default()
        };
        snapshot.certificates.insert(reference, lookup);
        self.read_references(&mut snapshot).await;
        snapshot
    }

    /// Fills `certificates`, `cache_policies` and `origin_request_policies` for the distributions in
    /// `snapshot`, reading only what is not there yet. ACM ARNs outside us-east-1 are not read (the
    /// rules report them); a malformed ARN is recorded as not found without a call.
    pub async fn read_references(&self, snapshot: &mut Snapshot) {
        let certificates = self.read_certificates(snapshot);
        let cache_policies = self.read_policies(snapshot, PolicyKind::Cache);
        let origin_request_policies = self.read_policies(snapshot, PolicyKind::OriginRequest);
        let (certificates, cache_policies, origin_request_policies) =
            futures::join!(certificates, cache_policies, origin_request_policies);
        snapshot.certificates.extend(certificates);
        snapshot.cache_policies.extend(cache_policies);
        snapshot
            .origin_request_policies
            .extend(origin_request_policies);
        self.read_origin_references(snapshot).await;
    }

    async fn read_certificates(
        &self,
        snapshot: &Snapshot,
    ) -> Vec<(CertificateRef, CertificateLookup)> {
        let wanted: BTreeSet<CertificateRef> = snapshot
            .distributions
            .iter()
            .filter_map(|d| d.viewer_certificate.certificate_ref())
            .filter(|r| !snapshot.certificates.contains_key(r))
            .collect();
        let mut done = Vec::new();
        let mut to_read = Vec::new();
        for reference in wanted {
            match &reference {
                CertificateRef::Acm(arn) => match acm::check_arn(arn) {
                    acm::ArnCheck::Read => to_read.push(reference),
                    acm::ArnCheck::OtherRegion => {}
                    acm::ArnCheck::Malformed => done.push((
                        reference,
                        CertificateLookup::NotFound {
                            reason: "not an ACM certificate ARN".to_owned(),
                        },
                    )),
                },
                CertificateRef::Iam(_) => to_read.push(reference),
            }
        }
        // One listing maps every IAM id to its name; only list when an IAM id is in use.
        let iam_listing = if to_read.iter().any(|r| matches!(r, CertificateRef::Iam(_))) {
            Some(iam::list_all(&self.iam, &self.limits).await)
        } else {
            None
        };
        let iam_listing = &iam_listing;
        let read: Vec<_> = stream::iter(to_read)
            .map(|reference| async move {
                let lookup = match (&reference, iam_listing) {
                    (CertificateRef::Acm(arn), _) => {
                        acm::lookup(&self.acm, arn, &self.limits).await
                    }
                    (CertificateRef::Iam(id), Some(listing)) => {
                        iam::lookup(&self.iam, listing, id, &self.limits).await
                    }
                    (CertificateRef::Iam(id), None) => CertificateLookup::NotFound {
                        reason: format!("no IAM server certificate has the id {id}"),
                    },
                };
                (reference, lookup)
            })
            .buffer_unordered(READ_CONCURRENCY)
            .collect()
            .await;
        done.extend(read);
        done
    }

    async fn read_policies(
        &self,
        snapshot: &Snapshot,
        kind: PolicyKind,
    ) -> Vec<(String, PolicyLookup)> {
        let known = match kind {
            PolicyKind::Cache => &snapshot.cache_policies,
            PolicyKind::OriginRequest => &snapshot.origin_request_policies,
        };
        let wanted: BTreeSet<String> = snapshot
            .distributions
            .iter()
            .flat_map(|d| d.all_cache_behaviors())
            .filter_map(|b| match kind {
                PolicyKind::Cache => b.cache_policy_id.clone(),
                PolicyKind::OriginRequest => b.origin_request_policy_id.clone(),
            })
            .filter(|id| !id.trim().is_empty() && !known.contains_key(id))
            .collect();
        stream::iter(wanted)
            .map(|id| async move {
                let lookup = match kind {
                    PolicyKind::Cache => {
                        policies::cache_policy(&self.cloudfront, &id, &self.limits).await
                    }
                    PolicyKind::OriginRequest => {
                        policies::origin_request_policy(&self.cloudfront, &id, &self.limits).await
                    }
                };
                (id, lookup)
            })
            .buffer_unordered(READ_CONCURRENCY)
            .collect()
            .await
    }
}

#[derive(Debug, Clone, Copy)]
enum PolicyKind {
    Cache,
    OriginRequest,
}

/// SDK timestamps into `time`; `None` if out of range (never from a sane service).
fn smithy_time(value: &aws_smithy_types::DateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(value.as_nanos()).ok()
}

/// The API sends empty strings for unset fields; they count as unset.
pub(crate) fn text(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smithy_time_converts() {
        let t = aws_smithy_types::DateTime::from_secs(1_700_000_000);
        assert_eq!(
            smithy_time(&t).map(OffsetDateTime::unix_timestamp),
            Some(1_700_000_000)
        );
    }
}
