//! Elastic Load Balancing reads for origins behind load balancers: DescribeLoadBalancers,
//! DescribeListeners, DescribeListenerCertificates and DescribeSSLPolicies, each in the load
//! balancer's own region, once per distinct load balancer, listener and policy of a run.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_elasticloadbalancingv2 as elb;
use futures::stream::{self, StreamExt};

use super::clients::CallLimits;
use super::failure::CallError;
use super::pagination::{all_pages, Page};
use super::text;
use crate::model::{
    Listener, ListenerCertificate, LoadBalancer, LoadBalancerLookup, LoadBalancerRef, ReadFailure,
    SslPolicy, SslPolicyLookup, SslPolicyRef,
};

/// IAM action names of the calls in this file.
pub(crate) const DESCRIBE_LOAD_BALANCERS: &str = "elasticloadbalancing:DescribeLoadBalancers";
/// See [`DESCRIBE_LOAD_BALANCERS`].
pub(crate) const DESCRIBE_LISTENERS: &str = "elasticloadbalancing:DescribeListeners";
/// See [`DESCRIBE_LOAD_BALANCERS`].
pub(crate) const DESCRIBE_LISTENER_CERTIFICATES: &str =
    "elasticloadbalancing:DescribeListenerCertificates";
/// See [`DESCRIBE_LOAD_BALANCERS`].
pub(crate) const DESCRIBE_SSL_POLICIES: &str = "elasticloadbalancing:DescribeSSLPolicies";

/// DescribeLoadBalancers takes at most 20 names or ARNs per call (API reference).
const NAMES_PER_CALL: usize = 20;

/// How many load balancers have their listeners read at once.
const CONCURRENCY: usize = 8;

/// A client for `region`, from the run's template client (same endpoint, timeouts, retry,
/// interceptors).
pub(crate) fn in_region(template: &elb::Client, region: &str) -> elb::Client {
    let config = template
        .config()
        .to_builder()
        .region(elb::config::Region::new(region.to_owned()))
        .build();
    elb::Client::from_conf(config)
}

/// Reads every load balancer in `wanted` (all of one region), with its listeners and their
/// certificates. Never fails: each reference gets a lookup.
pub(crate) async fn read_load_balancers(
    client: &elb::Client,
    wanted: Vec<LoadBalancerRef>,
    limits: &CallLimits,
) -> Vec<(LoadBalancerRef, LoadBalancerLookup)> {
    let (by_name, by_arn): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .partition(|r| matches!(r, LoadBalancerRef::DnsName { .. }));
    let mut described = Vec::new();
    for batch in by_name.chunks(NAMES_PER_CALL) {
        described.extend(describe_batch(client, batch, limits).await);
    }
    for batch in by_arn.chunks(NAMES_PER_CALL) {
        described.extend(describe_batch(client, batch, limits).await);
    }
    // Names are case-sensitive to DescribeLoadBalancers, DNS names are not: a name not found as
    // written is looked for once among the region's load balancers, by DNS name.
    let unfound = described.iter().any(|(reference, outcome)| {
        matches!(reference, LoadBalancerRef::DnsName { .. })
            && matches!(outcome, Described::NotFound(_))
    });
    if unfound {
        if let Ok(all) = describe(client, &[], limits).await {
            for (reference, outcome) in described.iter_mut() {
                if let (LoadBalancerRef::DnsName { dns_name, .. }, Described::NotFound(_)) =
                    (&*reference, &*outcome)
                {
                    if let Some(balancer) = all
                        .iter()
                        .find(|b| b.dns_name.eq_ignore_ascii_case(dns_name))
                    {
                        *outcome = Described::Found(balancer.clone());
                    }
                }
            }
        }
    }
    stream::iter(described)
        .map(|(reference, outcome)| async move {
            let lookup = match outcome {
                Described::Found(mut balancer) => {
                    read_listeners(client, &mut balancer, limits).await;
                    LoadBalancerLookup::Found(Box::new(balancer))
                }
                // A VPC origin's endpoint names its load balancer exactly: not finding it is a read
                // that failed (another account's, or deleted), never "not a load balancer".
                Described::NotFound(reason) if matches!(reference, LoadBalancerRef::Arn(_)) => {
                    LoadBalancerLookup::Failed(ReadFailure {
                        operation: DESCRIBE_LOAD_BALANCERS.to_owned(),
                        resource: reference.label().to_owned(),
                        distribution_id: None,
                        kind: crate::model::FailureKind::NotFound,
                        message: reason,
                    })
                }
                Described::NotFound(reason) => LoadBalancerLookup::NotFound { reason },
                Described::Failed(failure) => LoadBalancerLookup::Failed(failure),
            };
            (reference, lookup)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

enum Described {
    Found(LoadBalancer),
    NotFound(String),
    Failed(ReadFailure),
}

/// One DescribeLoadBalancers for up to 20 references of one kind. AWS refuses the whole call with
/// `LoadBalancerNotFound` when one name is unknown, so a refused batch of several is asked again
/// one by one: only the unknown one is reported as not found.
async fn describe_batch(
    client: &elb::Client,
    batch: &[LoadBalancerRef],
    limits: &CallLimits,
) -> Vec<(LoadBalancerRef, Described)> {
    match describe(client, batch, limits).await {
        Ok(found) => batch
            .iter()
            .map(|reference| (reference.clone(), pick(reference, &found)))
            .collect(),
        Err(error) if error.is_not_found() && batch.len() > 1 => {
            let mut each = Vec::new();
            for reference in batch {
                let outcome = match describe(client, std::slice::from_ref(reference), limits).await
                {
                    Ok(found) => pick(reference, &found),
                    Err(error) => not_found_or_failed(error, reference),
                };
                each.push((reference.clone(), outcome));
            }
            each
        }
        Err(error) => batch
            .iter()
            .map(|reference| {
                (
                    reference.clone(),
                    not_found_or_failed(error.clone(), reference),
                )
            })
            .collect(),
    }
}

fn not_found_or_failed(error: CallError, reference: &LoadBalancerRef) -> Described {
    if error.is_not_found() {
        Described::NotFound(error.message)
    } else {
        Described::Failed(error.into_failure(DESCRIBE_LOAD_BALANCERS, reference.label(), None))
    }
}

/// The answer's load balancer for `reference`: same ARN, or same name whose DNS name is the one
/// the origin uses (a name alone could be another load balancer's in a shared answer).
fn pick(reference: &LoadBalancerRef, found: &[LoadBalancer]) -> Described {
    let chosen = found.iter().find(|balancer| match reference {
        LoadBalancerRef::Arn(arn) => balancer.arn == *arn,
        LoadBalancerRef::DnsName { name, dns_name, .. } => {
            balancer.name.eq_ignore_ascii_case(name)
                && balancer.dns_name.eq_ignore_ascii_case(dns_name)
        }
    });
    match chosen {
        Some(balancer) => Described::Found(balancer.clone()),
        None => Described::NotFound(match reference {
            LoadBalancerRef::DnsName { name, dns_name, .. } => format!(
                "no load balancer named {name} with the DNS name {dns_name} in this account and region"
            ),
            LoadBalancerRef::Arn(arn) => format!("no load balancer {arn} in this account"),
        }),
    }
}

/// DescribeLoadBalancers by names or by ARNs (none: every load balancer of the region), every page.
async fn describe(
    client: &elb::Client,
    batch: &[LoadBalancerRef],
    limits: &CallLimits,
) -> Result<Vec<LoadBalancer>, CallError> {
    let region = client
        .config()
        .region()
        .map(|r| r.as_ref().to_owned())
        .unwrap_or_default();
    let mut request = client.describe_load_balancers();
    for reference in batch {
        request = match reference {
            LoadBalancerRef::DnsName { name, .. } => request.names(name),
            LoadBalancerRef::Arn(arn) => request.load_balancer_arns(arn),
        };
    }
    let region = &region;
    let request = &request;
    all_pages(|marker| async move {
        let output = limits
            .send(request.clone().set_marker(marker).send())
            .await?;
        Ok(Page {
            items: output
                .load_balancers()
                .iter()
                .filter_map(|b| load_balancer(b, region))
                .collect(),
            truncated: output.next_marker().is_some(),
            next: output.next_marker().map(str::to_owned),
        })
    })
    .await
}

fn load_balancer(b: &elb::types::LoadBalancer, region: &str) -> Option<LoadBalancer> {
    Some(LoadBalancer {
        arn: b.load_balancer_arn().and_then(text)?,
        name: b.load_balancer_name().and_then(text).unwrap_or_default(),
        dns_name: b.dns_name().and_then(text).unwrap_or_default(),
        kind: b
            .r#type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        scheme: b.scheme().and_then(|s| text(s.as_str())),
        region: region.to_owned(),
        listeners: Vec::new(),
        listeners_failure: None,
    })
}

/// DescribeListeners for one load balancer (every page), then the certificates of each listener that
/// terminates TLS.
async fn read_listeners(client: &elb::Client, balancer: &mut LoadBalancer, limits: &CallLimits) {
    let arn = balancer.arn.as_str();
    let listed = all_pages(|marker| async move {
        let output = limits
            .send(
                client
                    .describe_listeners()
                    .load_balancer_arn(arn)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        Ok(Page {
            items: output.listeners().iter().filter_map(listener).collect(),
            truncated: output.next_marker().is_some(),
            next: output.next_marker().map(str::to_owned),
        })
    })
    .await;
    match listed {
        Ok(listeners) => balancer.listeners = listeners,
        Err(error) => {
            balancer.listeners_failure = Some(error.into_failure(DESCRIBE_LISTENERS, arn, None));
            return;
        }
    }
    for listener in balancer.listeners.iter_mut().filter(|l| l.speaks_tls()) {
        read_certificates(client, listener, limits).await;
    }
}

fn listener(l: &elb::types::Listener) -> Option<Listener> {
    Some(Listener {
        arn: l.listener_arn().and_then(text)?,
        port: l.port()?,
        protocol: l
            .protocol()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        ssl_policy: l.ssl_policy().and_then(text),
        // DescribeListeners names only the default certificate; DescribeListenerCertificates
        // replaces this with every certificate.
        certificates: l
            .certificates()
            .iter()
            .filter_map(|c| c.certificate_arn().and_then(text))
            .take(1)
            .map(|arn| ListenerCertificate {
                arn,
                is_default: true,
            })
            .collect(),
        certificates_failure: None,
    })
}

/// DescribeListenerCertificates (every page): the default certificate and the SNI ones. The default
/// one is listed a second time, not default, when it is also in the SNI list: kept once.
async fn read_certificates(client: &elb::Client, listener: &mut Listener, limits: &CallLimits) {
    let arn = listener.arn.as_str();
    let listed = all_pages(|marker| async move {
        let output = limits
            .send(
                client
                    .describe_listener_certificates()
                    .listener_arn(arn)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        Ok(Page {
            items: output
                .certificates()
                .iter()
                .filter_map(|c| {
                    Some(ListenerCertificate {
                        arn: c.certificate_arn().and_then(text)?,
                        is_default: c.is_default().unwrap_or(false),
                    })
                })
                .collect(),
            truncated: output.next_marker().is_some(),
            next: output.next_marker().map(str::to_owned),
        })
    })
    .await;
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => {
            listener.certificates_failure =
                Some(error.into_failure(DESCRIBE_LISTENER_CERTIFICATES, arn, None));
            return;
        }
    };
    let mut certificates: Vec<ListenerCertificate> = Vec::new();
    for certificate in listed {
        match certificates.iter_mut().find(|c| c.arn == certificate.arn) {
            Some(known) => known.is_default |= certificate.is_default,
            None => certificates.push(certificate),
        }
    }
    // The default first: the one served when no SNI certificate matches.
    certificates.sort_by_key(|c| !c.is_default);
    listener.certificates = certificates;
}

/// Reads the named policies of one region: one DescribeSSLPolicies for all of them (every page).
/// AWS refuses the whole call with `SSLPolicyNotFound` when one name is unknown, so a refused call
/// for several names is asked again one by one; a name the answer lacks is not found.
pub(crate) async fn read_policies(
    client: &elb::Client,
    region: &str,
    names: BTreeSet<String>,
    limits: &CallLimits,
) -> Vec<(SslPolicyRef, SslPolicyLookup)> {
    let all: Vec<String> = names.into_iter().collect();
    let answered = match describe_policies(client, &all, limits).await {
        Ok(found) => Ok(found),
        Err(error) if error.is_not_found() && all.len() > 1 => {
            let mut found = BTreeMap::new();
            let mut failures = BTreeMap::new();
            for name in &all {
                match describe_policies(client, std::slice::from_ref(name), limits).await {
                    Ok(one) => found.extend(one),
                    Err(error) if error.is_not_found() => {}
                    Err(error) => {
                        failures.insert(name.clone(), error);
                    }
                }
            }
            return all
                .into_iter()
                .map(|name| {
                    let lookup = match (found.remove(&name), failures.remove(&name)) {
                        (Some(policy), _) => SslPolicyLookup::Found(policy),
                        (None, Some(error)) => SslPolicyLookup::Failed(error.into_failure(
                            DESCRIBE_SSL_POLICIES,
                            &name,
                            None,
                        )),
                        (None, None) => not_found(&name, region),
                    };
                    (policy_ref(region, name), lookup)
                })
                .collect();
        }
        Err(error) => Err(error),
    };
    all.into_iter()
        .map(|name| {
            let lookup = match &answered {
                Ok(found) => match found.get(&name) {
                    Some(policy) => SslPolicyLookup::Found(policy.clone()),
                    None => not_found(&name, region),
                },
                Err(error) if error.is_not_found() => not_found(&name, region),
                Err(error) => SslPolicyLookup::Failed(error.clone().into_failure(
                    DESCRIBE_SSL_POLICIES,
                    &name,
                    None,
                )),
            };
            (policy_ref(region, name), lookup)
        })
        .collect()
}

fn policy_ref(region: &str, name: String) -> SslPolicyRef {
    SslPolicyRef {
        region: region.to_owned(),
        name,
    }
}

fn not_found(name: &str, region: &str) -> SslPolicyLookup {
    SslPolicyLookup::Failed(ReadFailure {
        operation: DESCRIBE_SSL_POLICIES.to_owned(),
        resource: name.to_owned(),
        distribution_id: None,
        kind: crate::model::FailureKind::NotFound,
        message: format!("DescribeSSLPolicies in {region} does not know the policy {name}"),
    })
}

async fn describe_policies(
    client: &elb::Client,
    names: &[String],
    limits: &CallLimits,
) -> Result<BTreeMap<String, SslPolicy>, CallError> {
    let policies = all_pages(|marker| async move {
        let output = limits
            .send(
                client
                    .describe_ssl_policies()
                    .set_names(Some(names.to_vec()))
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        Ok(Page {
            items: output
                .ssl_policies()
                .iter()
                .filter_map(|policy| {
                    Some(SslPolicy {
                        name: policy.name().and_then(text)?,
                        protocols: policy.ssl_protocols().to_vec(),
                        ciphers: policy
                            .ciphers()
                            .iter()
                            .filter_map(|c| c.name().and_then(text))
                            .collect(),
                    })
                })
                .collect(),
            truncated: output.next_marker().is_some(),
            next: output.next_marker().map(str::to_owned),
        })
    })
    .await?;
    Ok(policies.into_iter().map(|p| (p.name.clone(), p)).collect())
}
