//! What to probe: a pure function from the snapshot to the handshakes CloudFront would make.
//!
//! For each custom origin reached over HTTPS (`https-only`, `match-viewer`): the origin's domain as
//! SNI, and every alias of the distribution as well when a behaviour routed to that origin forwards the
//! viewer's Host (CloudFront then checks the origin certificate against the Host, and sends it as SNI:
//! cloudfront-tls-rules.md §3.3). Identical handshakes across distributions are probed once.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::model::{
    CacheBehavior, CustomOrigin, Distribution, Origin, OriginKind, PolicyLookup, Snapshot,
};
use crate::names::normalise;
use crate::tls::{ProbeTarget, ProtocolVersion};
use crate::vocabulary::DistributionStatus;

/// CloudFront's default and maximum `ConnectionTimeout`, in seconds.
const DEFAULT_CONNECTION_TIMEOUT_SECONDS: u64 = 10;
/// The label that stands in for `*` when a wildcard alias is probed.
pub const WILDCARD_PROBE_LABEL: &str = "cloudfront-tls-audit-probe";

/// The handshakes to make, and who needs each one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbePlan {
    /// Distinct handshakes: the one place targets are deduplicated. Probes answer one observation
    /// per target, by index.
    pub targets: Vec<ProbeTarget>,
    /// One entry per (distribution, origin, SNI) that relies on a target.
    pub uses: Vec<TargetUse>,
}

impl ProbePlan {
    /// Records that `target_use` relies on `target`, adding the target unless an identical handshake
    /// is already planned (`index` maps each planned target to its position).
    fn add(
        &mut self,
        index: &mut HashMap<ProbeTarget, usize>,
        target: ProbeTarget,
        target_use: impl FnOnce(usize) -> TargetUse,
    ) {
        let slot = match index.get(&target) {
            Some(slot) => *slot,
            None => {
                self.targets.push(target.clone());
                index.insert(target, self.targets.len() - 1);
                self.targets.len() - 1
            }
        };
        self.uses.push(target_use(slot));
    }
}

/// Why a distribution's origin is probed with a given SNI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUse {
    /// Index into [`ProbePlan::targets`].
    pub target: usize,
    /// The distribution.
    pub distribution_id: String,
    /// The origin's id.
    pub origin_id: String,
    /// The origin's domain name.
    pub origin_domain: String,
    /// Where the SNI name comes from.
    pub sni_source: SniSource,
}

impl TargetUse {
    /// A handshake made outside any distribution (the `probe` command): the origin is named by its
    /// host; an SNI other than the host is a name asked for by hand.
    pub fn standalone(target_index: usize, target: &ProbeTarget) -> TargetUse {
        TargetUse {
            target: target_index,
            distribution_id: String::new(),
            origin_id: target.host.clone(),
            origin_domain: target.host.clone(),
            sni_source: if target.sni == target.host {
                SniSource::OriginDomain
            } else {
                SniSource::Requested
            },
        }
    }
}

/// Where the SNI name of a probe comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SniSource {
    /// The origin's `DomainName`: what CloudFront sends unless Host is forwarded.
    OriginDomain,
    /// A name asked for by hand (`probe --sni`), not the origin's domain.
    Requested,
    /// A viewer Host forwarded to the origin: an alias of the distribution (or its *.cloudfront.net
    /// name when it has no alias).
    ForwardedHost {
        /// The alias as configured (a wildcard alias is probed with a representative name).
        alias: String,
        /// The behaviours that forward Host to this origin.
        behaviors: Vec<String>,
    },
}

/// Plans every origin handshake for the distributions in the snapshot.
pub fn plan(snapshot: &Snapshot) -> ProbePlan {
    let mut plan = ProbePlan::default();
    let mut index = HashMap::new();
    for distribution in &snapshot.distributions {
        for origin in &distribution.origins {
            let OriginKind::Custom(custom) = &origin.kind else {
                continue;
            };
            if !custom.origin_protocol_policy.uses_tls() || has_tenant_parameter(origin) {
                continue;
            }
            for (sni, sni_source) in sni_names(snapshot, distribution, origin) {
                let target = origin_target(origin, custom, sni);
                plan.add(&mut index, target, |slot| TargetUse {
                    target: slot,
                    distribution_id: distribution.id.clone(),
                    origin_id: origin.id.clone(),
                    origin_domain: origin.domain_name.clone(),
                    sni_source,
                });
            }
        }
    }
    plan
}

/// The names CloudFront sends to `origin` as SNI and checks its certificate against: the origin's
/// domain name, and, when a behaviour routed to it forwards the viewer's Host, every Host viewers
/// send (each alias, or the *.cloudfront.net name when there is none; a wildcard alias as one
/// concrete name under it).
pub fn sni_names(
    snapshot: &Snapshot,
    distribution: &Distribution,
    origin: &Origin,
) -> Vec<(String, SniSource)> {
    let mut names = vec![(normalise(&origin.domain_name), SniSource::OriginDomain)];
    let forwarding = behaviors_forwarding_host(snapshot, distribution, &origin.id);
    if forwarding.is_empty() {
        return names;
    }
    let hosts: Vec<&String> = if distribution.aliases.is_empty() {
        distribution.domain_name.iter().collect()
    } else {
        distribution.aliases.iter().collect()
    };
    for alias in hosts {
        names.push((
            probe_name(alias),
            SniSource::ForwardedHost {
                alias: alias.clone(),
                behaviors: forwarding.clone(),
            },
        ));
    }
    names
}

/// Plans a standalone origin probe (the `probe` command): one handshake with `host:port` per SNI name
/// (the host when none is given), offering `offered_versions` as an origin with those
/// `OriginSslProtocols` would be offered, each planned once.
pub fn plan_origin(
    host: &str,
    port: u16,
    snis: &[String],
    offered_versions: &[ProtocolVersion],
    connect_timeout: Duration,
) -> ProbePlan {
    let host = normalise(host);
    let snis: Vec<String> = if snis.is_empty() {
        vec![host.clone()]
    } else {
        snis.iter().map(|s| normalise(s)).collect()
    };
    let mut offered_versions = offered_versions.to_vec();
    offered_versions.sort_unstable();
    offered_versions.dedup();
    let mut plan = ProbePlan::default();
    let mut index = HashMap::new();
    for sni in snis {
        let target = ProbeTarget {
            host: host.clone(),
            port,
            sni,
            offered_versions: offered_versions.clone(),
            connect_timeout,
        };
        // The same name asked for twice is one handshake, judged once.
        if !index.contains_key(&target) {
            let standalone = TargetUse::standalone(plan.targets.len(), &target);
            plan.add(&mut index, target, |_| standalone);
        }
    }
    plan
}

/// The edge handshakes: one per alias of each deployed, enabled distribution with a custom certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgePlan {
    /// Distinct handshakes (host = the distribution's domain name, SNI = the alias).
    pub targets: Vec<ProbeTarget>,
    /// Which distribution and alias each target checks.
    pub uses: Vec<EdgeUse>,
}

/// One alias of one distribution, checked at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeUse {
    /// Index into [`EdgePlan::targets`].
    pub target: usize,
    /// The distribution.
    pub distribution_id: String,
    /// The alias as configured.
    pub alias: String,
}

/// Plans the edge check. Distributions that are not `Deployed` are left out: while a change is in
/// progress edges disagree, and the edge rule reports them as not verified instead.
pub fn plan_edges(snapshot: &Snapshot) -> EdgePlan {
    let mut plan = EdgePlan::default();
    for distribution in snapshot.distributions.iter().filter(|d| edge_checkable(d)) {
        let Some(domain) = distribution.domain_name.as_deref() else {
            continue;
        };
        if distribution.status != Some(DistributionStatus::Deployed) {
            continue;
        }
        for alias in &distribution.aliases {
            plan.targets.push(ProbeTarget {
                host: normalise(domain),
                port: 443,
                sni: probe_name(alias),
                offered_versions: vec![ProtocolVersion::Tls12, ProtocolVersion::Tls13],
                connect_timeout: Duration::from_secs(DEFAULT_CONNECTION_TIMEOUT_SECONDS),
            });
            plan.uses.push(EdgeUse {
                target: plan.targets.len() - 1,
                distribution_id: distribution.id.clone(),
                alias: alias.clone(),
            });
        }
    }
    plan
}

/// The edge-checkable distributions that are not `Deployed` yet: their edge cannot be verified until
/// the change has reached every edge location.
pub fn edge_pending(snapshot: &Snapshot) -> Vec<String> {
    edge_pending_distributions(snapshot)
        .map(|d| d.id.clone())
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect()
}

/// The edge-checkable distributions whose last change is still deploying, in snapshot order.
pub fn edge_pending_distributions(snapshot: &Snapshot) -> impl Iterator<Item = &Distribution> {
    snapshot
        .distributions
        .iter()
        .filter(|d| edge_checkable(d) && d.status != Some(DistributionStatus::Deployed))
}

/// A live, enabled distribution that serves its aliases with a certificate of its own. A distribution
/// that requires viewer client certificates is left out: the edge check presents none, so its failed
/// handshake would be a false finding (`audit-not-covered` names viewer mTLS instead).
pub fn edge_checkable(distribution: &Distribution) -> bool {
    distribution.origin == crate::model::DistributionOrigin::Live
        && distribution.enabled
        && !distribution.aliases.is_empty()
        && distribution.viewer_certificate.certificate_ref().is_some()
        && !requires_viewer_certificates(distribution)
}

/// `ViewerMtlsConfig.Mode` `required`: a viewer without a client certificate is refused.
fn requires_viewer_certificates(distribution: &Distribution) -> bool {
    distribution
        .viewer_mtls_config
        .as_ref()
        .is_some_and(|mtls| mtls.mode.trim().eq_ignore_ascii_case("required"))
}

/// An origin domain with a `{{parameter}}` is a template each distribution tenant fills in: there is
/// no one name to probe (`audit-not-covered` names the multi-tenant distribution instead).
fn has_tenant_parameter(origin: &Origin) -> bool {
    origin.domain_name.contains("{{")
}

/// A concrete name for an alias: `*.example.com` is probed as `cloudfront-tls-audit-probe.example.com`.
pub fn probe_name(alias: &str) -> String {
    let alias = normalise(alias);
    match alias.strip_prefix("*.") {
        Some(parent) => format!("{WILDCARD_PROBE_LABEL}.{parent}"),
        None => alias,
    }
}

fn origin_target(origin: &Origin, custom: &CustomOrigin, sni: String) -> ProbeTarget {
    let mut offered_versions: Vec<ProtocolVersion> = custom
        .origin_ssl_protocols
        .iter()
        .filter_map(|p| ProtocolVersion::from_origin_ssl_protocol(p))
        .collect();
    offered_versions.sort_unstable();
    offered_versions.dedup();
    if offered_versions.is_empty() {
        // The API requires the list; a config without it gets CloudFront's default for new origins.
        offered_versions.push(ProtocolVersion::Tls12);
    }
    let timeout = origin
        .connection_timeout
        .and_then(|t| u64::try_from(t).ok())
        .filter(|t| (1..=DEFAULT_CONNECTION_TIMEOUT_SECONDS).contains(t))
        .unwrap_or(DEFAULT_CONNECTION_TIMEOUT_SECONDS);
    ProbeTarget {
        host: normalise(&origin.domain_name),
        port: custom
            .https_port
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p != 0)
            .unwrap_or(443),
        sni,
        offered_versions,
        connect_timeout: Duration::from_secs(timeout),
    }
}

/// The labels of the behaviours that route to `origin_id` (directly or through an origin group) and
/// forward the viewer's Host.
pub fn behaviors_forwarding_host(
    snapshot: &Snapshot,
    distribution: &Distribution,
    origin_id: &str,
) -> Vec<String> {
    distribution
        .all_cache_behaviors()
        .filter(|b| routes_to(distribution, b, origin_id))
        .filter(|b| forwards_host(snapshot, b))
        .map(|b| b.label().to_owned())
        .collect()
}

/// Whether every behaviour routed to `origin_id` (there is at least one) forwards the viewer's Host:
/// CloudFront then never sends the origin's own domain name.
pub fn every_behavior_forwards_host(
    snapshot: &Snapshot,
    distribution: &Distribution,
    origin_id: &str,
) -> bool {
    let mut routed = distribution
        .all_cache_behaviors()
        .filter(|b| routes_to(distribution, b, origin_id))
        .peekable();
    routed.peek().is_some() && routed.all(|b| forwards_host(snapshot, b))
}

fn routes_to(distribution: &Distribution, behavior: &CacheBehavior, origin_id: &str) -> bool {
    behavior.target_origin_id == origin_id
        || distribution.origin_groups.iter().any(|group| {
            group.id == behavior.target_origin_id
                && group.member_origin_ids.iter().any(|m| m == origin_id)
        })
}

/// Whether a behaviour forwards the viewer's Host header to its origin: legacy ForwardedValues
/// (`Host` or `*`), a cache policy with Host in its key, or an origin request policy that sends it.
/// A policy that could not be read counts as not forwarding; its read failure is `audit-incomplete`.
pub fn forwards_host(snapshot: &Snapshot, behavior: &CacheBehavior) -> bool {
    let is_host = |h: &String| h.eq_ignore_ascii_case("host");
    if let Some(headers) = &behavior.forwarded_headers {
        if headers.iter().any(|h| is_host(h) || h == "*") {
            return true;
        }
    }
    let policy = |id: &Option<String>, policies: &'_ BTreeMap<String, PolicyLookup>| {
        crate::model::non_empty(id).and_then(|id| match policies.get(id) {
            Some(PolicyLookup::Found(policy)) => Some(policy.clone()),
            _ => None,
        })
    };
    if let Some(cache) = policy(&behavior.cache_policy_id, &snapshot.cache_policies) {
        if cache.header_behavior == "whitelist" && cache.headers.iter().any(is_host) {
            return true;
        }
    }
    if let Some(origin_request) = policy(
        &behavior.origin_request_policy_id,
        &snapshot.origin_request_policies,
    ) {
        let lists_host = origin_request.headers.iter().any(is_host);
        return match origin_request.header_behavior.as_str() {
            "allViewer" | "allViewerAndWhitelistCloudFront" => true,
            "whitelist" => lists_host,
            "allExcept" => !lists_host,
            _ => false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HeaderPolicy, OriginGroup, PolicySource};
    use crate::rules::fixtures::{healthy_distribution, snapshot_of};

    fn origin_request_policy(behavior: &str, headers: &[&str]) -> PolicyLookup {
        PolicyLookup::Found(HeaderPolicy {
            id: "orp".into(),
            name: None,
            header_behavior: behavior.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            source: PolicySource::Api,
        })
    }

    fn snapshot_with_policy(lookup: PolicyLookup) -> Snapshot {
        let mut dist = healthy_distribution("E1");
        dist.aliases = vec!["www.example.com".into(), "*.example.com".into()];
        dist.default_cache_behavior.forwarded_headers = None;
        dist.default_cache_behavior.origin_request_policy_id = Some("orp".into());
        let mut snapshot = snapshot_of(vec![dist]);
        snapshot
            .origin_request_policies
            .insert("orp".into(), lookup);
        snapshot
    }

    fn snis(plan: &ProbePlan) -> Vec<&str> {
        plan.uses
            .iter()
            .map(|u| plan.targets[u.target].sni.as_str())
            .collect()
    }

    #[test]
    fn an_https_origin_is_probed_with_its_domain_and_settings() {
        let plan = plan(&snapshot_of(vec![healthy_distribution("E1")]));
        assert_eq!(plan.targets.len(), 1);
        let target = &plan.targets[0];
        assert_eq!(
            (target.host.as_str(), target.port, target.sni.as_str()),
            ("origin.example.com", 443, "origin.example.com")
        );
        assert_eq!(target.offered_versions, [ProtocolVersion::Tls12]);
        assert_eq!(target.connect_timeout, Duration::from_secs(10));
        assert_eq!(plan.uses[0].sni_source, SniSource::OriginDomain);
    }

    #[test]
    fn a_standalone_probe_plans_each_sni_once_named_by_its_host() {
        let plan = plan_origin(
            "Origin.Example.com",
            8443,
            &["www.example.com".into(), "WWW.example.com.".into()],
            &[
                ProtocolVersion::Tls12,
                ProtocolVersion::Tls10,
                ProtocolVersion::Tls12,
            ],
            Duration::from_secs(3),
        );
        assert_eq!(plan.targets.len(), 1);
        assert_eq!(plan.uses.len(), 1);
        let target = &plan.targets[0];
        assert_eq!(
            (target.host.as_str(), target.port, target.sni.as_str()),
            ("origin.example.com", 8443, "www.example.com")
        );
        assert_eq!(
            target.offered_versions,
            [ProtocolVersion::Tls10, ProtocolVersion::Tls12]
        );
        assert_eq!(target.connect_timeout, Duration::from_secs(3));
        assert_eq!(plan.uses[0].origin_id, "origin.example.com");
        assert_eq!(plan.uses[0].sni_source, SniSource::Requested);
        assert!(plan.uses[0].distribution_id.is_empty());

        let by_host = plan_origin("origin.example.com", 443, &[], &[], Duration::from_secs(10));
        assert_eq!(snis(&by_host), ["origin.example.com"]);
        assert_eq!(by_host.uses[0].sni_source, SniSource::OriginDomain);
    }

    #[test]
    fn http_only_s3_and_vpc_origins_are_not_probed() {
        let mut dist = healthy_distribution("E1");
        if let OriginKind::Custom(custom) = &mut dist.origins[0].kind {
            custom.origin_protocol_policy = "http-only".into();
        }
        dist.origins.push(Origin {
            id: "s3".into(),
            domain_name: "bucket.s3.amazonaws.com".into(),
            connection_timeout: None,
            connection_attempts: None,
            kind: OriginKind::S3,
        });
        assert!(plan(&snapshot_of(vec![dist])).targets.is_empty());
    }

    #[test]
    fn tenant_parameter_origins_are_not_probed() {
        let mut dist = healthy_distribution("E1");
        dist.origins[0].domain_name = "{{tenantName}}.origin.example.com".into();
        assert!(plan(&snapshot_of(vec![dist])).targets.is_empty());
    }

    #[test]
    fn distributions_requiring_viewer_certificates_are_not_edge_checked() {
        let mut dist = healthy_distribution("E1");
        assert!(edge_checkable(&dist));
        for (mode, checkable) in [
            ("required", false),
            ("Required ", false),
            ("optional", true),
        ] {
            dist.viewer_mtls_config = Some(crate::model::ViewerMtlsConfig {
                mode: mode.into(),
                trust_store_id: Some("ts-1".into()),
                ignore_certificate_expiry: None,
            });
            assert_eq!(edge_checkable(&dist), checkable, "mode {mode:?}");
        }
    }

    #[test]
    fn identical_handshakes_across_distributions_are_planned_once() {
        let plan = plan(&snapshot_of(vec![
            healthy_distribution("E1"),
            healthy_distribution("E2"),
        ]));
        assert_eq!(plan.targets.len(), 1);
        assert_eq!(plan.uses.len(), 2);
    }

    #[test]
    fn forwarding_host_adds_every_alias_as_sni_with_a_name_for_wildcards() {
        let plan = plan(&snapshot_with_policy(origin_request_policy(
            "allViewer",
            &[],
        )));
        assert_eq!(
            snis(&plan),
            [
                "origin.example.com",
                "www.example.com",
                "cloudfront-tls-audit-probe.example.com"
            ]
        );
        assert_eq!(
            plan.uses[1].sni_source,
            SniSource::ForwardedHost {
                alias: "www.example.com".into(),
                behaviors: vec!["default".into()]
            }
        );
    }

    #[test]
    fn without_aliases_the_forwarded_host_is_the_cloudfront_domain() {
        let mut snapshot = snapshot_with_policy(origin_request_policy("allViewer", &[]));
        snapshot.distributions[0].aliases.clear();
        assert_eq!(
            snis(&plan(&snapshot)),
            ["origin.example.com", "e1.cloudfront.net"]
        );
    }

    #[test]
    fn origin_request_policies_forward_host_as_cloudfront_documents() {
        let cases = [
            ("allViewer", &[][..], true),
            (
                "allViewerAndWhitelistCloudFront",
                &["CloudFront-Viewer-Country"][..],
                true,
            ),
            ("whitelist", &["host"][..], true),
            ("whitelist", &["Origin"][..], false),
            ("allExcept", &["Host"][..], false),
            ("allExcept", &["Authorization"][..], true),
            ("none", &[][..], false),
        ];
        for (behavior, headers, expected) in cases {
            let snapshot = snapshot_with_policy(origin_request_policy(behavior, headers));
            let forwards =
                forwards_host(&snapshot, &snapshot.distributions[0].default_cache_behavior);
            assert_eq!(forwards, expected, "{behavior} {headers:?}");
        }
    }

    #[test]
    fn legacy_forwarded_values_and_cache_policies_forward_host_too() {
        let mut dist = healthy_distribution("E1");
        dist.default_cache_behavior.forwarded_headers = Some(vec!["*".into()]);
        let snapshot = snapshot_of(vec![dist.clone()]);
        assert!(forwards_host(
            &snapshot,
            &snapshot.distributions[0].default_cache_behavior
        ));

        dist.default_cache_behavior.forwarded_headers = None;
        dist.default_cache_behavior.cache_policy_id = Some("cp".into());
        let mut snapshot = snapshot_of(vec![dist]);
        snapshot.cache_policies.insert(
            "cp".into(),
            PolicyLookup::Found(HeaderPolicy {
                id: "cp".into(),
                name: Some("Amplify".into()),
                header_behavior: "whitelist".into(),
                headers: vec!["Authorization".into(), "Host".into()],
                source: PolicySource::ManagedDefinition,
            }),
        );
        assert!(forwards_host(
            &snapshot,
            &snapshot.distributions[0].default_cache_behavior
        ));
    }

    #[test]
    fn behaviours_reach_origins_through_origin_groups() {
        let mut dist = healthy_distribution("E1");
        dist.origin_groups = vec![OriginGroup {
            id: "group".into(),
            member_origin_ids: vec!["app".into(), "backup".into()],
        }];
        dist.default_cache_behavior.target_origin_id = "group".into();
        dist.default_cache_behavior.forwarded_headers = Some(vec!["Host".into()]);
        let snapshot = snapshot_of(vec![dist]);
        assert_eq!(
            behaviors_forwarding_host(&snapshot, &snapshot.distributions[0], "app"),
            ["default"]
        );
    }
}
