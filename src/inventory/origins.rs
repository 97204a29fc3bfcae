//! What origins reach beyond the distribution: VPC origins, and the load balancers behind origins
//! with their listeners, policies and certificates, each read once per run in its own region.

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};

use super::{acm, elb, iam, vpc_origins, AwsInventory, READ_CONCURRENCY};
use crate::model::{
    is_vpc_origin_id, CertificateLookup, FailureKind, LoadBalancerLookup, LoadBalancerRef,
    OriginKind, OriginResource, ReadFailure, Scope, Snapshot, SslPolicyRef,
};

impl AwsInventory {
    /// Fills `vpc_origins`, `load_balancers`, `ssl_policies` and `listener_certificates` for the
    /// distributions in `snapshot`, reading only what is not there yet. VPC origins first: their
    /// endpoints name load balancers.
    pub(super) async fn read_origin_references(&self, snapshot: &mut Snapshot) {
        let vpc_ids: BTreeSet<String> = snapshot
            .distributions
            .iter()
            .flat_map(|d| &d.origins)
            .filter_map(|origin| match &origin.kind {
                OriginKind::Vpc { vpc_origin_id, .. } => Some(vpc_origin_id.trim().to_owned()),
                _ => None,
            })
            .filter(|id| is_vpc_origin_id(id) && !snapshot.vpc_origins.contains_key(id))
            .collect();
        let read: Vec<_> = stream::iter(vpc_ids)
            .map(|id| async move {
                let lookup = vpc_origins::lookup(&self.cloudfront, &id, &self.limits).await;
                (id, lookup)
            })
            .buffer_unordered(READ_CONCURRENCY)
            .collect()
            .await;
        snapshot.vpc_origins.extend(read);

        let wanted: BTreeSet<LoadBalancerRef> = snapshot
            .distributions
            .iter()
            .flat_map(|d| &d.origins)
            .filter_map(|origin| snapshot.load_balancer_target(origin))
            .map(|target| target.reference)
            .filter(|reference| !snapshot.load_balancers.contains_key(reference))
            .collect();
        let balancers = self.read_load_balancers(wanted).await;
        snapshot.load_balancers.extend(balancers);

        let policies = self.read_ssl_policies(snapshot).await;
        snapshot.ssl_policies.extend(policies);
        let certificates = self.read_listener_certificates(snapshot).await;
        snapshot.listener_certificates.extend(certificates);
    }

    async fn read_load_balancers(
        &self,
        wanted: BTreeSet<LoadBalancerRef>,
    ) -> Vec<(LoadBalancerRef, LoadBalancerLookup)> {
        let Some(client) = &self.elb else {
            return wanted
                .into_iter()
                .map(|reference| {
                    let failure = not_configured(elb::DESCRIBE_LOAD_BALANCERS, reference.label());
                    (reference, LoadBalancerLookup::Failed(failure))
                })
                .collect();
        };
        let mut by_region: BTreeMap<String, Vec<LoadBalancerRef>> = BTreeMap::new();
        let mut done = Vec::new();
        for reference in wanted {
            match reference.region() {
                Some(region) => by_region
                    .entry(region.to_owned())
                    .or_default()
                    .push(reference),
                None => done.push((
                    reference,
                    LoadBalancerLookup::NotFound {
                        reason: "the load balancer ARN names no region".to_owned(),
                    },
                )),
            }
        }
        for (region, references) in by_region {
            let client = elb::in_region(client, &region);
            // By name first: a load balancer some origin names by DNS name and a VPC origin by ARN
            // is then read once, its ARN answered from the first read.
            let (by_name, by_arn): (Vec<_>, Vec<_>) = references
                .into_iter()
                .partition(|r| matches!(r, LoadBalancerRef::DnsName { .. }));
            let named = elb::read_load_balancers(&client, by_name, &self.limits).await;
            let mut unread = Vec::new();
            for reference in by_arn {
                let known = named.iter().find_map(|(_, lookup)| match lookup {
                    LoadBalancerLookup::Found(balancer)
                        if LoadBalancerRef::Arn(balancer.arn.clone()) == reference =>
                    {
                        Some(lookup.clone())
                    }
                    _ => None,
                });
                match known {
                    Some(lookup) => done.push((reference, lookup)),
                    None => unread.push(reference),
                }
            }
            done.extend(named);
            done.extend(elb::read_load_balancers(&client, unread, &self.limits).await);
        }
        done
    }

    async fn read_ssl_policies(
        &self,
        snapshot: &Snapshot,
    ) -> Vec<(SslPolicyRef, crate::model::SslPolicyLookup)> {
        let mut by_region: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for balancer in found_balancers(snapshot) {
            for listener in balancer.listeners.iter().filter(|l| l.speaks_tls()) {
                let Some(name) = &listener.ssl_policy else {
                    continue;
                };
                let reference = SslPolicyRef {
                    region: balancer.region.clone(),
                    name: name.clone(),
                };
                if !snapshot.ssl_policies.contains_key(&reference) {
                    by_region
                        .entry(reference.region)
                        .or_default()
                        .insert(reference.name);
                }
            }
        }
        let Some(client) = &self.elb else {
            return Vec::new();
        };
        let mut done = Vec::new();
        for (region, names) in by_region {
            let client = elb::in_region(client, &region);
            done.extend(elb::read_policies(&client, &region, names, &self.limits).await);
        }
        done
    }

    async fn read_listener_certificates(
        &self,
        snapshot: &Snapshot,
    ) -> Vec<(String, CertificateLookup)> {
        let wanted: BTreeSet<String> = found_balancers(snapshot)
            .flat_map(|b| &b.listeners)
            .filter(|l| l.speaks_tls())
            .flat_map(|l| &l.certificates)
            .map(|c| c.arn.clone())
            .filter(|arn| !snapshot.listener_certificates.contains_key(arn))
            .collect();
        // A us-east-1 certificate that is also a viewer certificate was read already.
        let (known, wanted): (Vec<String>, Vec<String>) = wanted.into_iter().partition(|arn| {
            snapshot
                .certificates
                .contains_key(&crate::model::CertificateRef::Acm(arn.clone()))
        });
        let mut done: Vec<(String, CertificateLookup)> = known
            .into_iter()
            .filter_map(|arn| {
                let lookup = snapshot
                    .certificates
                    .get(&crate::model::CertificateRef::Acm(arn.clone()))?
                    .clone();
                Some((arn.clone(), as_failure(lookup, &arn)))
            })
            .collect();
        let read: Vec<(String, CertificateLookup)> = stream::iter(wanted)
            .map(|arn| async move {
                let lookup = if let Some(region) = crate::model::acm_arn_region(&arn) {
                    let config = self
                        .acm
                        .config()
                        .to_builder()
                        .region(aws_sdk_acm::config::Region::new(region.to_owned()))
                        .build();
                    let client = aws_sdk_acm::Client::from_conf(config);
                    acm::lookup(&client, &arn, &self.limits).await
                } else if arn.contains(":server-certificate/") {
                    iam::lookup_by_arn(&self.iam, &arn, &self.limits).await
                } else {
                    CertificateLookup::NotFound {
                        reason: format!("{arn} is neither an ACM nor an IAM certificate ARN"),
                    }
                };
                (arn.clone(), as_failure(lookup, &arn))
            })
            .buffer_unordered(READ_CONCURRENCY)
            .collect()
            .await;
        done.extend(read);
        done
    }

    /// The distributions whose origins reach `resource`, with everything they reference.
    pub async fn snapshot_for_origin_resource(&self, resource: &OriginResource) -> Snapshot {
        match resource {
            OriginResource::VpcOrigin(id) => {
                match vpc_origins::distribution_ids(&self.cloudfront, id, &self.limits).await {
                    Ok(ids) if ids.is_empty() => Snapshot::default(),
                    Ok(ids) => self.snapshot(&Scope::Distributions(ids)).await,
                    Err(error) => Snapshot {
                        gaps: vec![error.into_failure(
                            vpc_origins::LIST_DISTRIBUTIONS_BY_VPC_ORIGIN_ID,
                            id,
                            None,
                        )],
                        ..Snapshot::default()
                    },
                }
            }
            OriginResource::LoadBalancer(arn) => {
                let mut snapshot = self.snapshot(&Scope::AllDistributions).await;
                let keep: Vec<bool> = snapshot
                    .distributions
                    .iter()
                    .map(|d| {
                        d.origins
                            .iter()
                            .any(|origin| reaches_load_balancer(&snapshot, origin, |b| b == arn))
                    })
                    .collect();
                retain_by(&mut snapshot, keep);
                snapshot
            }
        }
    }

    /// The distributions whose origins' load balancers serve the certificate `arn` (an ACM event
    /// for a certificate outside us-east-1), added to `snapshot`'s from the whole account.
    pub(super) async fn listener_certificate_users(&self, arn: &str) -> Snapshot {
        let mut snapshot = self.snapshot(&Scope::AllDistributions).await;
        // A load balancer whose listeners or their certificates could not be read might serve it:
        // counted in, so the audit says what it could not read.
        let users: BTreeSet<&str> = found_balancers(&snapshot)
            .filter(|b| {
                b.listeners_failure.is_some()
                    || b.listeners.iter().any(|l| {
                        l.certificates_failure.is_some()
                            || l.certificates.iter().any(|c| c.arn == arn)
                    })
            })
            .map(|b| b.arn.as_str())
            .collect();
        let keep: Vec<bool> = snapshot
            .distributions
            .iter()
            .map(|d| {
                d.viewer_certificate.acm_certificate_arn.as_deref() == Some(arn)
                    || d.origins.iter().any(|origin| {
                        reaches_load_balancer(&snapshot, origin, |b| users.contains(b))
                    })
            })
            .collect();
        retain_by(&mut snapshot, keep);
        snapshot
    }
}

/// Whether `origin` reaches a load balancer whose ARN `matches`. An origin whose load balancer (or
/// VPC origin) could not be read might be it: counted in, so the audit says what it could not read.
fn reaches_load_balancer(
    snapshot: &Snapshot,
    origin: &crate::model::Origin,
    matches: impl Fn(&str) -> bool,
) -> bool {
    if let OriginKind::Vpc { vpc_origin_id, .. } = &origin.kind {
        if !matches!(
            snapshot.vpc_origins.get(vpc_origin_id.trim()),
            Some(crate::model::VpcOriginLookup::Found(_))
        ) {
            return true;
        }
    }
    let Some(target) = snapshot.load_balancer_target(origin) else {
        return false;
    };
    if let LoadBalancerRef::Arn(arn) = &target.reference {
        if matches(arn) {
            return true;
        }
    }
    match snapshot.load_balancers.get(&target.reference) {
        Some(LoadBalancerLookup::Found(balancer)) => matches(&balancer.arn),
        Some(LoadBalancerLookup::Failed(_)) => true,
        _ => false,
    }
}

/// Keeps the distributions whose flag is set, in order.
fn retain_by(snapshot: &mut Snapshot, keep: Vec<bool>) {
    let mut keep = keep.into_iter();
    snapshot
        .distributions
        .retain(|_| keep.next().unwrap_or(false));
}

fn found_balancers(snapshot: &Snapshot) -> impl Iterator<Item = &crate::model::LoadBalancer> {
    snapshot
        .load_balancers
        .values()
        .filter_map(|lookup| match lookup {
            LoadBalancerLookup::Found(balancer) => Some(&**balancer),
            _ => None,
        })
}

/// A listener certificate that is not found is a read that failed: the listener serves it, so the
/// audit of what CloudFront gets is incomplete (a viewer certificate not found is a finding of its
/// own, `viewer-cert-not-found`).
fn as_failure(lookup: CertificateLookup, arn: &str) -> CertificateLookup {
    match lookup {
        CertificateLookup::NotFound { reason } => CertificateLookup::Failed(ReadFailure {
            operation: if arn.contains(":server-certificate/") {
                iam::GET_SERVER_CERTIFICATE
            } else {
                acm::DESCRIBE_CERTIFICATE
            }
            .to_owned(),
            resource: arn.to_owned(),
            distribution_id: None,
            kind: FailureKind::NotFound,
            message: reason,
        }),
        other => other,
    }
}

fn not_configured(operation: &str, resource: &str) -> ReadFailure {
    ReadFailure {
        operation: operation.to_owned(),
        resource: resource.to_owned(),
        distribution_id: None,
        kind: FailureKind::Other,
        message: "no Elastic Load Balancing client was given to this inventory \
                  (AwsInventory::with_load_balancing)"
            .to_owned(),
    }
}
