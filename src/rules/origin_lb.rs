//! Codes: `origin-lb-listener-missing`, `origin-not-probed`, `origin-tls-protocol-mismatch`,
//! `origin-tls-no-shared-cipher`, `origin-cert-name-mismatch`, `origin-cert-expired`,
//! `origin-cert-not-yet-valid`, `origin-cert-expiring`, `origin-cert-untrusted-root`,
//! `origin-http-only`, `audit-not-covered`. (A read that failed is reported by the audit family's
//! helper, as an incomplete audit; a VPC origin's deprecated protocols by origin_config's judge.)
//!
//! Origins behind Elastic Load Balancing, judged from the listener CloudFront reaches: the listener
//! on the origin's HTTPS port, its security policy against what CloudFront offers (OriginSslProtocols,
//! CloudFront's origin ciphers, never TLS 1.3), its certificates (default and SNI; an ALB serves the
//! one matching the SNI name) against the names CloudFront sends. VPC origins are judged this way
//! only: no probe reaches them. Where the live probe also ran, one finding carries both views.
//! Sources: plan docs/plans/issue-13-load-balancer-origins.md §4, cloudfront-tls-rules.md §3.

use std::collections::BTreeSet;

use serde_json::Value;
use time::OffsetDateTime;

use super::audit::incomplete;
use super::expiry::{ExpiryThresholds, RenewalStatus, Side, Validity};
use super::origin_config::{protocol_settings, DEPRECATED};
use super::{timestamp, ProbeResults};
use crate::catalogue::{
    Cause, Code, HTTP_ONLY_CUSTOM, LISTENER_CERT_EXPIRED, LISTENER_CERT_EXPIRING,
    LISTENER_CERT_NOT_ISSUED, LISTENER_CERT_NOT_YET_VALID, LISTENER_CERT_PRIVATE,
    LISTENER_NAME_FORWARDED_HOST, LISTENER_NAME_ORIGIN_DOMAIN, LISTENER_NOT_TLS,
    LISTENER_POLICY_NO_SHARED_CIPHER, LISTENER_POLICY_TLS13_ONLY, LISTENER_POLICY_VERSIONS,
    LOAD_BALANCER_NOT_FOUND, NOT_COVERED_VPC_ORIGIN, NO_LISTENER_ON_PORT,
    VPC_ORIGIN_CONFIGURATION_ONLY, VPC_ORIGIN_NOT_DEPLOYED,
};
use crate::finding::{Finding, FindingBuilder};
use crate::model::{
    Certificate, CertificateLookup, CertificateSource, Distribution, Listener, LoadBalancer,
    LoadBalancerLookup, LoadBalancerTarget, Origin, OriginKind, Snapshot, SslPolicy,
    SslPolicyLookup, SslPolicyRef, VpcOriginLookup,
};
use crate::names::covers;
use crate::plan::{every_behavior_forwards_host, sni_names, SniSource};
use crate::tls::suites::cloudfront_origin_suite_by_openssl_name;

/// What the evidence of every configuration finding says it came from.
const SOURCE: &str = "load-balancer configuration";

/// The versions CloudFront may offer an origin, as OriginSslProtocols and ELB policies spell them
/// (ELB has no SSLv3). TLS 1.3 is not among them: CloudFront offers it to no origin.
const OFFERABLE: [&str; 3] = ["TLSv1", "TLSv1.1", "TLSv1.2"];

/// The findings of one distribution's load-balancer and VPC origins. With probe results, findings
/// the probe already made for the same origin and code carry the configuration's view instead of
/// being repeated, and the others say what the probe saw.
pub(super) fn check(
    snapshot: &Snapshot,
    distribution: &Distribution,
    probes: Option<&ProbeResults<'_>>,
    now: OffsetDateTime,
    thresholds: &ExpiryThresholds,
    findings: &mut Vec<Finding>,
) {
    for origin in &distribution.origins {
        let mut judged = Vec::new();
        let start = |cause: &'static Cause| {
            Finding::builder(cause)
                .for_distribution(distribution)
                .subject(format!("origin {}", origin.id))
                .evidence("origin_id", origin.id.clone())
                .evidence("origin_domain", origin.domain_name.clone())
                .evidence("source", SOURCE)
        };
        if let OriginKind::Vpc { vpc_origin_id, .. } = &origin.kind {
            if !vpc_origin(
                snapshot,
                distribution,
                origin,
                vpc_origin_id,
                &start,
                &mut judged,
            ) {
                findings.extend(judged);
                continue;
            }
        }
        let Some(target) = snapshot.load_balancer_target(origin) else {
            findings.extend(judged);
            continue;
        };
        let before = judged.len();
        let listener = Judge {
            snapshot,
            distribution,
            origin,
            target: &target,
            now,
            thresholds,
            start: &start,
        }
        .run(&mut judged);
        match probes {
            Some(probes) if target.vpc_origin.is_none() => {
                let own: Vec<Finding> = judged.drain(before..).collect();
                both_views(
                    probes,
                    distribution,
                    origin,
                    listener.as_deref(),
                    own,
                    findings,
                    &mut judged,
                )
            }
            _ => {}
        }
        findings.extend(judged);
    }
}

/// The VPC origin's own findings; `false` when there is nothing further to judge (not read, not a
/// load balancer's, or not reached over TLS).
fn vpc_origin(
    snapshot: &Snapshot,
    distribution: &Distribution,
    origin: &Origin,
    id: &str,
    start: &impl Fn(&'static Cause) -> FindingBuilder,
    findings: &mut Vec<Finding>,
) -> bool {
    let vpc = match snapshot.vpc_origins.get(id) {
        Some(VpcOriginLookup::Found(vpc)) => vpc,
        Some(VpcOriginLookup::Failed(failure)) => {
            let mut failure = failure.clone();
            if let OriginKind::Vpc {
                owner_account_id: Some(owner),
                ..
            } = &origin.kind
            {
                failure.message = format!(
                    "{} (shared from account {owner}, which must let this account read it)",
                    failure.message
                );
            }
            findings.push(incomplete(&failure, Some(&distribution.id)));
            return false;
        }
        // Not read in this run (the pre-deploy gate reads no VPC origin): say so.
        None => {
            let mut builder = Finding::builder(&NOT_COVERED_VPC_ORIGIN)
                .for_distribution(distribution)
                .subject(origin.id.clone())
                .evidence("origin_id", origin.id.clone())
                .evidence("origin_domain", origin.domain_name.clone())
                .evidence("vpc_origin_id", id.to_owned());
            if let OriginKind::Vpc {
                owner_account_id: Some(owner),
                ..
            } = &origin.kind
            {
                builder = builder.evidence("owner_account_id", owner.clone());
            }
            findings.push(builder.build());
            return false;
        }
    };
    let with_vpc = |cause: &'static Cause| {
        start(cause)
            .evidence("vpc_origin_id", vpc.id.clone())
            .evidence("endpoint_arn", vpc.endpoint_arn.clone())
            .evidence("vpc_origin_status", vpc.status.clone())
    };
    if !vpc.is_deployed() {
        // Its own subject: it resolves once deployed, apart from the configuration-only note.
        findings.push(
            with_vpc(&VPC_ORIGIN_NOT_DEPLOYED)
                .subject(format!(
                    "origin {} (VPC origin {} status)",
                    origin.id, vpc.id
                ))
                .build(),
        );
    }
    let mut checked = vec!["the VPC origin's protocol policy and OriginSslProtocols"];
    findings.extend(protocol_settings(
        &vpc.origin_protocol_policy,
        &vpc.origin_ssl_protocols,
        &HTTP_ONLY_CUSTOM,
        &with_vpc,
    ));
    let reaches_listener = vpc.load_balancer().is_some() && vpc.origin_protocol_policy.uses_tls();
    if reaches_listener {
        checked.push(
            "the load balancer's listener on its HTTPS port, and where it terminates TLS its \
             security policy and certificates",
        );
    } else if vpc.load_balancer().is_none() {
        checked.push("not the server's TLS: the endpoint is no load balancer (an EC2 instance has no listener to read)");
    }
    findings.push(
        with_vpc(&VPC_ORIGIN_CONFIGURATION_ONLY)
            .evidence("checked", checked.join("; "))
            .build(),
    );
    reaches_listener
}

/// One origin behind a load balancer, being judged.
struct Judge<'a, F> {
    snapshot: &'a Snapshot,
    distribution: &'a Distribution,
    origin: &'a Origin,
    target: &'a LoadBalancerTarget<'a>,
    now: OffsetDateTime,
    thresholds: &'a ExpiryThresholds,
    start: &'a F,
}

impl<F: Fn(&'static Cause) -> FindingBuilder> Judge<'_, F> {
    /// Judges the listener; returns its ARN when one was found on the port and read, for the probe
    /// comparison.
    fn run(&self, findings: &mut Vec<Finding>) -> Option<String> {
        let balancer = match self.snapshot.load_balancers.get(&self.target.reference) {
            Some(LoadBalancerLookup::Found(balancer)) => balancer,
            Some(LoadBalancerLookup::Failed(failure)) => {
                findings.push(incomplete(failure, Some(&self.distribution.id)));
                return None;
            }
            Some(LoadBalancerLookup::NotFound { reason }) => {
                findings.push(
                    self.with_target(&LOAD_BALANCER_NOT_FOUND)
                        .evidence("reason", reason.clone())
                        .build(),
                );
                return None;
            }
            // Not read (the gate without AWS): the probe, where it runs, still judges.
            None => return None,
        };
        if let Some(failure) = &balancer.listeners_failure {
            findings.push(incomplete(failure, Some(&self.distribution.id)));
            return None;
        }
        let port = self.target.https_port;
        let with_balancer = |cause: &'static Cause| {
            self.with_target(cause)
                .evidence("load_balancer_arn", balancer.arn.clone())
                .evidence("load_balancer_name", balancer.name.clone())
                .evidence("load_balancer_dns_name", balancer.dns_name.clone())
                .evidence("load_balancer_type", balancer.kind.clone())
                .evidence("region", balancer.region.clone())
                .evidence("port", port)
        };
        let Some(listener) = balancer.listeners.iter().find(|l| l.port == port) else {
            let ports: Vec<String> = balancer
                .listeners
                .iter()
                .map(|l| format!("{} {}", l.port, l.protocol))
                .collect();
            let ports = if ports.is_empty() {
                Value::from("none")
            } else {
                Value::from(ports)
            };
            findings.push(
                with_balancer(&NO_LISTENER_ON_PORT)
                    .evidence("listener_ports", ports)
                    .build(),
            );
            return None;
        };
        let with_listener = |cause: &'static Cause| {
            with_balancer(cause)
                .evidence("listener_arn", listener.arn.clone())
                .evidence("listener_protocol", listener.protocol.clone())
                .evidence(
                    "ssl_policy",
                    listener.ssl_policy.clone().unwrap_or_default(),
                )
        };
        // TLS passed through to the targets: the live probe judges it (a VPC origin's: nothing can).
        if listener.passes_tls_through() {
            return None;
        }
        if !listener.speaks_tls() {
            findings.push(
                with_listener(&LISTENER_NOT_TLS)
                    .evidence("sni", crate::names::normalise(&self.origin.domain_name))
                    .build(),
            );
            return None;
        }
        self.policy(balancer, listener, &with_listener, findings);
        self.certificates(listener, &with_listener, findings);
        Some(listener.arn.clone())
    }

    fn with_target(&self, cause: &'static Cause) -> FindingBuilder {
        let builder = (self.start)(cause);
        match self.target.vpc_origin {
            Some(vpc) => builder
                .evidence("vpc_origin_id", vpc.id.clone())
                .evidence("endpoint_arn", vpc.endpoint_arn.clone()),
            None => builder,
        }
    }

    /// The security policy against the versions and ciphers CloudFront offers this origin.
    fn policy(
        &self,
        balancer: &LoadBalancer,
        listener: &Listener,
        with_listener: &impl Fn(&'static Cause) -> FindingBuilder,
        findings: &mut Vec<Finding>,
    ) {
        let Some(name) = &listener.ssl_policy else {
            return;
        };
        let reference = SslPolicyRef {
            region: balancer.region.clone(),
            name: name.clone(),
        };
        let policy = match self.snapshot.ssl_policies.get(&reference) {
            Some(SslPolicyLookup::Found(policy)) => policy,
            // A policy DescribeSSLPolicies does not know is unreadable, never a pass.
            Some(SslPolicyLookup::Failed(failure)) => {
                findings.push(incomplete(failure, Some(&self.distribution.id)));
                return;
            }
            None => return,
        };
        let offered = offered_versions(self.target.origin_ssl_protocols);
        let shared: Vec<&str> = offered
            .iter()
            .copied()
            .filter(|v| allows(policy, v))
            .collect();
        let with_policy = |cause: &'static Cause| {
            with_listener(cause)
                .evidence("policy_protocols", policy.protocols.clone())
                .evidence("offered_versions", offered.clone())
        };
        if shared.is_empty() {
            let offerable: Vec<&str> = OFFERABLE
                .into_iter()
                .filter(|v| allows(policy, v))
                .collect();
            let finding = if offerable.is_empty() {
                with_policy(&LISTENER_POLICY_TLS13_ONLY).build()
            } else {
                // The newest version both could speak: what to add to OriginSslProtocols.
                let add = offerable.last().copied().unwrap_or("TLSv1.2");
                with_policy(&LISTENER_POLICY_VERSIONS)
                    .evidence("versions_to_offer", add)
                    .build()
            };
            findings.push(finding);
            return;
        }
        let newest = shared.last().copied().unwrap_or("TLSv1.2");
        let any_shared_cipher = policy.ciphers.iter().any(|name| {
            cloudfront_origin_suite_by_openssl_name(name)
                .is_some_and(|suite| !suite.tls12_only || newest == "TLSv1.2")
        });
        if !any_shared_cipher {
            findings.push(
                with_policy(&LISTENER_POLICY_NO_SHARED_CIPHER)
                    .evidence("shared_versions", shared)
                    .evidence("policy_ciphers", policy.ciphers.clone())
                    .build(),
            );
        }
    }

    /// Every name CloudFront sends must be covered by one of the listener's certificates; the one
    /// served for each name must be valid, issued and publicly trusted.
    fn certificates(
        &self,
        listener: &Listener,
        with_listener: &impl Fn(&'static Cause) -> FindingBuilder,
        findings: &mut Vec<Finding>,
    ) {
        if let Some(failure) = &listener.certificates_failure {
            findings.push(incomplete(failure, Some(&self.distribution.id)));
            return;
        }
        let mut found: Vec<&Certificate> = Vec::new();
        let mut unread = false;
        for certificate in &listener.certificates {
            match self.snapshot.listener_certificates.get(&certificate.arn) {
                Some(CertificateLookup::Found(found_one)) => found.push(found_one),
                Some(CertificateLookup::Failed(failure)) => {
                    findings.push(incomplete(failure, Some(&self.distribution.id)));
                    unread = true;
                }
                // The inventory records a listener certificate it cannot find as a failed read.
                Some(CertificateLookup::NotFound { .. }) | None => unread = true,
            }
        }
        let all_names: Vec<&str> = found
            .iter()
            .flat_map(|c| c.names_covering_aliases())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut served: Vec<(&Certificate, String)> = Vec::new();
        // When every behaviour forwards Host, CloudFront checks the certificate against the Host
        // (cloudfront-tls-rules.md §3.3: the origin domain, or the forwarded Host), never the
        // origin's own name: a listener serving only the aliases' certificate is fine.
        let host_only =
            every_behavior_forwards_host(self.snapshot, self.distribution, &self.origin.id);
        for (sni, source) in sni_names(self.snapshot, self.distribution, self.origin)
            .into_iter()
            .filter(|(_, source)| !(host_only && *source == SniSource::OriginDomain))
        {
            // The load balancer serves one of the covering certificates; judge the best of them
            // (issued, public, latest end), so a problem is said only when every one has it.
            let covering = found
                .iter()
                .filter(|c| c.names_covering_aliases().iter().any(|n| covers(n, &sni)))
                .max_by_key(|c| {
                    (
                        c.status.as_deref().is_none_or(|s| s == "ISSUED"),
                        c.source != CertificateSource::AcmPrivate,
                        c.not_after,
                    )
                });
            match covering {
                Some(certificate) => {
                    if !served.iter().any(|(c, _)| std::ptr::eq(*c, *certificate)) {
                        served.push((certificate, sni));
                    }
                }
                // A certificate not read might cover it: its read failure is the finding.
                None if unread => {}
                None => {
                    let builder = match &source {
                        // One finding per forwarded Host, as the probe names them.
                        SniSource::ForwardedHost { behaviors, .. } => {
                            with_listener(&LISTENER_NAME_FORWARDED_HOST)
                                .subject(format!("origin {} (SNI {sni})", self.origin.id))
                                .evidence("behaviors", behaviors.clone())
                        }
                        _ => with_listener(&LISTENER_NAME_ORIGIN_DOMAIN)
                            .evidence("covered_name", covered_name(&all_names)),
                    };
                    findings.push(
                        builder
                            .evidence("sni", sni.clone())
                            .evidence("certificate_names", all_names.clone())
                            .evidence(
                                "certificate_arns",
                                listener
                                    .certificates
                                    .iter()
                                    .map(|c| c.arn.clone())
                                    .collect::<Vec<_>>(),
                            )
                            .build(),
                    );
                }
            }
        }
        for (certificate, sni) in served {
            self.certificate(certificate, &sni, with_listener, findings);
        }
    }

    /// One certificate the listener serves CloudFront.
    fn certificate(
        &self,
        certificate: &Certificate,
        sni: &str,
        with_listener: &impl Fn(&'static Cause) -> FindingBuilder,
        findings: &mut Vec<Finding>,
    ) {
        let status = certificate.status.clone().unwrap_or_default();
        let with_certificate = |cause: &'static Cause| {
            with_listener(cause)
                .evidence("certificate_arn", certificate.reference.id().to_owned())
                .evidence("certificate_source", certificate.source.label().to_owned())
                .evidence("certificate_status", status.clone())
                .evidence("sni", sni.to_owned())
        };
        if certificate.source == CertificateSource::AcmPrivate {
            findings.push(with_certificate(&LISTENER_CERT_PRIVATE).build());
        }
        let expired_by_date = certificate.not_after.is_some_and(|end| end <= self.now);
        if status == "EXPIRED" || expired_by_date {
            findings.push(
                with_certificate(&LISTENER_CERT_EXPIRED)
                    .evidence(
                        "not_after",
                        certificate.not_after.map_or(Value::Null, timestamp),
                    )
                    .build(),
            );
            return;
        }
        if !status.is_empty() && status != "ISSUED" {
            findings.push(with_certificate(&LISTENER_CERT_NOT_ISSUED).build());
            return;
        }
        if let Some(start) = certificate.not_before.filter(|start| *start > self.now) {
            findings.push(
                with_certificate(&LISTENER_CERT_NOT_YET_VALID)
                    .evidence("not_before", timestamp(start))
                    .build(),
            );
            return;
        }
        let Some(not_after) = certificate.not_after else {
            return;
        };
        let validity = Validity {
            not_before: certificate.not_before,
            not_after,
        };
        let managed = certificate.source == CertificateSource::AcmAmazonIssued
            && certificate.renewal_eligibility.as_deref() == Some("ELIGIBLE");
        let verdict = if managed {
            let renewal =
                RenewalStatus::from_acm(certificate.renewal.as_ref().map(|r| r.status.as_str()));
            self.thresholds.managed(validity, &renewal, self.now)
        } else {
            self.thresholds.by_hand(Side::Origin, validity, self.now)
        };
        if let Some(severity) = verdict.severity {
            let renewal = if managed {
                "renewed by ACM"
            } else {
                "not renewed by ACM"
            };
            findings.push(
                verdict
                    .evidence(with_certificate(&LISTENER_CERT_EXPIRING))
                    .severity(severity)
                    .evidence("not_after", timestamp(not_after))
                    .evidence("days_left", (not_after - self.now).whole_days())
                    .evidence("renewal", renewal)
                    .build(),
            );
        }
    }
}

/// The versions CloudFront offers: OriginSslProtocols, or TLSv1.2 when the list is empty (the API
/// requires it; CloudFront's default for new origins).
fn offered_versions(origin_ssl_protocols: &[String]) -> Vec<&'static str> {
    let offered: Vec<&'static str> = DEPRECATED
        .into_iter()
        .chain(["TLSv1.2"])
        .filter(|v| origin_ssl_protocols.iter().any(|p| p.trim() == *v))
        .collect();
    if offered.is_empty() {
        vec!["TLSv1.2"]
    } else {
        offered
    }
}

fn allows(policy: &SslPolicy, version: &str) -> bool {
    policy.protocols.iter().any(|p| p.trim() == version)
}

/// A name to suggest as the origin domain: the first exact name the certificates cover, else one
/// under the first wildcard.
fn covered_name(names: &[&str]) -> String {
    names
        .iter()
        .find(|n| !n.starts_with("*."))
        .map(|n| (*n).to_owned())
        .or_else(|| {
            names
                .first()
                .and_then(|n| n.strip_prefix("*."))
                .map(|parent| format!("origin.{parent}"))
        })
        .unwrap_or_else(|| "a name the certificate covers".to_owned())
}

/// Codes the probe and the configuration share, for the comparison.
fn probe_code(code: Code) -> bool {
    code.entry().family == crate::catalogue::Family::OriginTls
        || code.entry().family == crate::catalogue::Family::OriginCertificate
}

/// Where the probe also ran for this origin: a configuration finding the probe made too is folded
/// into the probe's (which gains `configuration`), the others gain `probe`; and the probe's findings
/// the configuration does not explain say that the configuration shows no such problem.
fn both_views(
    probes: &ProbeResults<'_>,
    distribution: &Distribution,
    origin: &Origin,
    listener: Option<&str>,
    own: Vec<Finding>,
    findings: &mut [Finding],
    judged: &mut Vec<Finding>,
) {
    let uses: Vec<usize> = probes
        .plan
        .uses
        .iter()
        .filter(|u| u.distribution_id == distribution.id && u.origin_id == origin.id)
        .map(|u| u.target)
        .collect();
    // Made: an answer for every planned handshake, none failed on this machine's side.
    let made = !uses.is_empty()
        && uses.iter().all(|t| {
            matches!(
                probes.observations.get(*t),
                Some(Some(o)) if !matches!(o.outcome, crate::tls::ProbeOutcome::LocalFault(_))
            )
        });
    if !made {
        judged.extend(own);
        return;
    }
    let is_probe_finding = |f: &Finding| {
        f.distribution_id.as_deref() == Some(distribution.id.as_str())
            && f.evidence.get("origin_id").and_then(Value::as_str) == Some(origin.id.as_str())
            && f.evidence.get("source").is_none()
            && probe_code(f.code)
    };
    let probe_codes: BTreeSet<&'static str> = findings
        .iter()
        .filter(|f| is_probe_finding(f))
        .map(|f| f.code.entry().id)
        .collect();
    for finding in findings.iter_mut().filter(|f| is_probe_finding(f)) {
        let same = own.iter().find(|o| o.code == finding.code);
        let view = if let Some(same) = same {
            // The configuration names the listener and policy: its fix is the one to make.
            for step in &same.remediation {
                if !finding.remediation.contains(step) {
                    finding.remediation.push(step.clone());
                }
            }
            format!(
                "the load balancer's configuration shows the same problem: {}",
                same.message
            )
        } else {
            match listener {
                Some(arn) => format!(
                    "the load balancer's configuration (listener {arn}) shows no such problem: the live handshake and the configuration disagree"
                ),
                None => "the load balancer's listener could not be judged from its configuration \
                         (not read, or TLS passed through to its targets)"
                    .to_owned(),
            }
        };
        finding
            .evidence
            .insert("configuration".to_owned(), Value::from(view));
    }
    for mut finding in own {
        if probe_codes.contains(finding.code.entry().id) {
            continue;
        }
        // Only what a handshake could also show is compared (not a read failure, not an info).
        if probe_code(finding.code) && finding.code != Code::OriginNotProbed {
            let view = if probe_codes.is_empty() {
                "the live handshake succeeded: the configuration and the live handshake disagree"
                    .to_owned()
            } else {
                format!(
                    "the live handshake found {}, not this",
                    probe_codes.iter().copied().collect::<Vec<_>>().join(", ")
                )
            };
            finding
                .evidence
                .insert("probe".to_owned(), Value::from(view));
        }
        judged.push(finding);
    }
}

/// Whether everything the load-balancer and VPC-origin rules need for `distribution` was read: what
/// the state requires before resolving an origin finding.
pub(crate) fn configuration_read(snapshot: &Snapshot, distribution: &Distribution) -> bool {
    vpc_origins_read(snapshot, distribution)
        && distribution.origins.iter().all(|origin| {
            let Some(target) = snapshot.load_balancer_target(origin) else {
                return true;
            };
            match snapshot.load_balancers.get(&target.reference) {
                Some(LoadBalancerLookup::Found(balancer)) => {
                    balancer.listeners_failure.is_none()
                        && balancer
                            .listeners
                            .iter()
                            .filter(|l| l.port == target.https_port && l.speaks_tls())
                            .all(|l| listener_read(snapshot, balancer, l))
                }
                Some(LoadBalancerLookup::NotFound { .. }) => true,
                _ => false,
            }
        })
}

/// Whether every VPC origin the distribution's origins use was read: the VPC origin's own
/// configuration findings (`origin-deprecated-protocols`, `origin-http-only`) come from it, so the
/// state resolves configuration findings only then.
pub(crate) fn vpc_origins_read(snapshot: &Snapshot, distribution: &Distribution) -> bool {
    distribution
        .origins
        .iter()
        .all(|origin| match &origin.kind {
            OriginKind::Vpc { vpc_origin_id, .. } => matches!(
                snapshot.vpc_origins.get(vpc_origin_id.trim()),
                Some(VpcOriginLookup::Found(_))
            ),
            _ => true,
        })
}

fn listener_read(snapshot: &Snapshot, balancer: &LoadBalancer, listener: &Listener) -> bool {
    let policy = listener.ssl_policy.as_ref().is_none_or(|name| {
        matches!(
            snapshot.ssl_policies.get(&SslPolicyRef {
                region: balancer.region.clone(),
                name: name.clone(),
            }),
            Some(SslPolicyLookup::Found(_))
        )
    });
    policy
        && listener.certificates_failure.is_none()
        && listener.certificates.iter().all(|c| {
            matches!(
                snapshot.listener_certificates.get(&c.arn),
                Some(CertificateLookup::Found(_))
            )
        })
}

#[cfg(test)]
mod tests {
    //! The listener rules over plain data: a distribution whose origin is a load balancer's DNS
    //! name, the load balancer read with one HTTPS listener on 443.
    use super::super::fixtures::*;
    use super::*;
    use crate::model::{CertificateRef, FailureKind, ListenerCertificate, LoadBalancerRef};
    use crate::plan::plan;
    use crate::rules::{evaluate, evaluate_with_probes};
    use crate::tls::{Observation, ProbeOutcome};
    use time::Duration;

    const DNS: &str = "web-1234.eu-west-1.elb.amazonaws.com";
    const LISTENER: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc/1a2b";
    const CERT: &str = "arn:aws:acm:eu-west-1:111122223333:certificate/listener";

    fn policy(protocols: &[&str], ciphers: &[&str]) -> SslPolicy {
        SslPolicy {
            name: "P".into(),
            protocols: protocols.iter().map(|p| p.to_string()).collect(),
            ciphers: ciphers.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn tls12_policy() -> SslPolicy {
        policy(
            &["TLSv1.2", "TLSv1.3"],
            &["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
        )
    }

    fn listener_certificate(names: &[&str]) -> Certificate {
        Certificate {
            reference: CertificateRef::Acm(CERT.into()),
            source: CertificateSource::AcmImported,
            subject_alternative_names: names.iter().map(|n| n.to_string()).collect(),
            renewal_eligibility: None,
            ..healthy_certificate()
        }
    }

    /// The distribution `E1` behind the load balancer, and the snapshot that read everything.
    fn behind(ssl_protocols: &[&str], policy: SslPolicy, certificate: Certificate) -> Snapshot {
        let mut distribution = healthy_distribution("E1");
        distribution.origins[0].domain_name = DNS.into();
        if let OriginKind::Custom(custom) = &mut distribution.origins[0].kind {
            custom.origin_ssl_protocols = ssl_protocols.iter().map(|p| p.to_string()).collect();
        }
        let mut snapshot = healthy_snapshot(vec![distribution]);
        let reference = LoadBalancerRef::from_dns_name(DNS).expect("an ELB name");
        snapshot.load_balancers.insert(
            reference,
            LoadBalancerLookup::Found(Box::new(LoadBalancer {
                arn:
                    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc"
                        .into(),
                name: "web".into(),
                dns_name: DNS.into(),
                kind: "application".into(),
                scheme: Some("internet-facing".into()),
                region: "eu-west-1".into(),
                listeners: vec![Listener {
                    arn: LISTENER.into(),
                    port: 443,
                    protocol: "HTTPS".into(),
                    ssl_policy: Some(policy.name.clone()),
                    certificates: vec![ListenerCertificate {
                        arn: CERT.into(),
                        is_default: true,
                    }],
                    certificates_failure: None,
                }],
                listeners_failure: None,
            })),
        );
        snapshot.ssl_policies.insert(
            SslPolicyRef {
                region: "eu-west-1".into(),
                name: policy.name.clone(),
            },
            SslPolicyLookup::Found(policy),
        );
        snapshot
            .listener_certificates
            .insert(CERT.into(), CertificateLookup::Found(Box::new(certificate)));
        snapshot
    }

    fn healthy() -> Snapshot {
        behind(
            &["TLSv1.2"],
            tls12_policy(),
            listener_certificate(&["*.eu-west-1.elb.amazonaws.com"]),
        )
    }

    fn codes(snapshot: &Snapshot) -> Vec<String> {
        let mut codes: Vec<String> = evaluate(snapshot, now())
            .iter()
            .map(|f| f.code.to_string())
            .collect();
        codes.sort();
        codes
    }

    fn only(snapshot: &Snapshot, code: &str) -> Finding {
        let findings = evaluate(snapshot, now());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].code.to_string(), code);
        findings[0].clone()
    }

    #[test]
    fn a_listener_that_keeps_tls_1_2_with_a_cloudfront_cipher_and_a_covering_certificate_passes() {
        assert_eq!(codes(&healthy()), Vec::<String>::new());
        assert!(configuration_read(&healthy(), &healthy().distributions[0]));
    }

    #[test]
    fn a_policy_whose_tls_1_2_ciphers_are_none_of_cloudfronts_shares_no_cipher() {
        let snapshot = behind(
            &["TLSv1.2"],
            policy(
                &["TLSv1.2"],
                &["AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"],
            ),
            listener_certificate(&["*.eu-west-1.elb.amazonaws.com"]),
        );
        let finding = only(&snapshot, "origin-tls-no-shared-cipher");
        assert!(
            finding.message.contains("AES128-GCM-SHA256"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn tls_1_2_only_suites_do_not_count_when_the_shared_version_is_older() {
        let snapshot = behind(
            &["TLSv1.1"],
            policy(&["TLSv1.1", "TLSv1.2"], &["ECDHE-RSA-AES128-GCM-SHA256"]),
            listener_certificate(&["*.eu-west-1.elb.amazonaws.com"]),
        );
        assert_eq!(
            codes(&snapshot),
            ["origin-deprecated-protocols", "origin-tls-no-shared-cipher"]
        );
        let with_sha = behind(
            &["TLSv1.1"],
            policy(&["TLSv1.1", "TLSv1.2"], &["ECDHE-RSA-AES128-SHA"]),
            listener_certificate(&["*.eu-west-1.elb.amazonaws.com"]),
        );
        assert_eq!(codes(&with_sha), ["origin-deprecated-protocols"]);
    }

    #[test]
    fn a_private_ca_an_expired_a_future_and_a_revoked_listener_certificate_are_each_found() {
        let names = ["*.eu-west-1.elb.amazonaws.com"];
        let private = Certificate {
            source: CertificateSource::AcmPrivate,
            ..listener_certificate(&names)
        };
        let finding = only(
            &behind(&["TLSv1.2"], tls12_policy(), private),
            "origin-cert-untrusted-root",
        );
        assert!(finding.message.contains("private CA"));
        let expired = Certificate {
            status: Some("EXPIRED".into()),
            not_after: Some(now() - Duration::days(1)),
            ..listener_certificate(&names)
        };
        only(
            &behind(&["TLSv1.2"], tls12_policy(), expired),
            "origin-cert-expired",
        );
        let future = Certificate {
            not_before: Some(now() + Duration::days(2)),
            ..listener_certificate(&names)
        };
        only(
            &behind(&["TLSv1.2"], tls12_policy(), future),
            "origin-cert-not-yet-valid",
        );
        let revoked = Certificate {
            status: Some("REVOKED".into()),
            ..listener_certificate(&names)
        };
        let finding = only(
            &behind(&["TLSv1.2"], tls12_policy(), revoked),
            "origin-cert-untrusted-root",
        );
        assert!(finding.message.contains("REVOKED, not ISSUED"));
    }

    #[test]
    fn a_forwarded_host_must_be_covered_by_a_listener_certificate_too() {
        let mut snapshot = healthy();
        snapshot.distributions[0]
            .default_cache_behavior
            .forwarded_headers = Some(vec!["Host".into()]);
        let finding = only(&snapshot, "origin-cert-name-mismatch");
        assert_eq!(finding.evidence["sni"], "www.example.com");
        assert!(finding.message.contains("forward the viewer's Host"));
        assert!(finding.remediation[0].contains("add-listener-certificates"));
    }

    #[test]
    fn when_every_behaviour_forwards_host_only_the_aliases_must_be_covered() {
        let mut snapshot = behind(
            &["TLSv1.2"],
            tls12_policy(),
            listener_certificate(&["www.example.com"]),
        );
        snapshot.distributions[0]
            .default_cache_behavior
            .forwarded_headers = Some(vec!["Host".into()]);
        assert_eq!(codes(&snapshot), Vec::<String>::new());
    }

    #[test]
    fn a_listener_certificate_that_could_not_be_read_is_incomplete_not_a_mismatch() {
        let mut snapshot = healthy();
        snapshot.listener_certificates.insert(
            CERT.into(),
            CertificateLookup::Failed(failure(
                "acm:DescribeCertificate",
                CERT,
                FailureKind::Throttling,
            )),
        );
        only(&snapshot, "audit-incomplete");
        assert!(!configuration_read(&snapshot, &snapshot.distributions[0]));
    }

    #[test]
    fn a_tcp_listener_passes_tls_to_the_targets_and_is_not_called_a_missing_tls_listener() {
        let mut snapshot = healthy();
        if let Some(LoadBalancerLookup::Found(balancer)) =
            snapshot.load_balancers.values_mut().next()
        {
            balancer.kind = "network".into();
            balancer.listeners[0].protocol = "TCP".into();
            balancer.listeners[0].ssl_policy = None;
            balancer.listeners[0].certificates.clear();
        }
        assert_eq!(codes(&snapshot), Vec::<String>::new());
        let mut http = healthy();
        if let Some(LoadBalancerLookup::Found(balancer)) = http.load_balancers.values_mut().next() {
            balancer.listeners[0].protocol = "HTTP".into();
        }
        assert_eq!(codes(&http), ["origin-lb-listener-missing"]);
    }

    #[test]
    fn an_http_only_origin_on_a_load_balancer_name_reaches_no_listener_policy() {
        let mut snapshot = behind(
            &["TLSv1.2"],
            policy(&["TLSv1.3"], &[]),
            listener_certificate(&[]),
        );
        if let OriginKind::Custom(custom) = &mut snapshot.distributions[0].origins[0].kind {
            custom.origin_protocol_policy = "http-only".into();
        }
        assert_eq!(codes(&snapshot), ["origin-http-only"]);
    }

    /// The findings of the TLS 1.3-only listener when every probe of it had `outcome`.
    fn probed(outcome: impl Fn() -> ProbeOutcome) -> Vec<Finding> {
        let snapshot = behind(
            &["TLSv1.2"],
            policy(&["TLSv1.3"], &["TLS_AES_128_GCM_SHA256"]),
            listener_certificate(&["*.eu-west-1.elb.amazonaws.com"]),
        );
        let probe_plan = plan(&snapshot);
        let observations: Vec<Option<Observation>> = probe_plan
            .targets
            .iter()
            .map(|target| {
                Some(Observation {
                    target: target.clone(),
                    addresses: vec![],
                    outcome: outcome(),
                })
            })
            .collect();
        let probes = ProbeResults {
            plan: &probe_plan,
            observations: &observations,
            trust_anchors: &[],
            edges: None,
        };
        evaluate_with_probes(&snapshot, Some(&probes), now())
    }

    fn address() -> std::net::SocketAddr {
        "127.0.0.1:443".parse().expect("literal address")
    }

    #[test]
    fn a_problem_the_probe_and_the_configuration_both_see_is_one_finding_with_the_listener_fix() {
        let findings = probed(|| ProbeOutcome::Alert {
            address: address(),
            stage: crate::tls::HandshakeStage::ServerHello,
            description: 70,
            name: "protocol_version".into(),
            discovery: Some(crate::tls::Discovery {
                version: crate::tls::ProtocolVersion::Tls13,
                cipher_suite: 0x1301,
                cipher_name: "TLS_AES_128_GCM_SHA256".into(),
            }),
        });
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let finding = &findings[0];
        assert_eq!(finding.code.to_string(), "origin-tls-protocol-mismatch");
        assert!(
            finding.evidence.get("source").is_none(),
            "the probe's finding"
        );
        assert!(finding.evidence["configuration"]
            .as_str()
            .is_some_and(|v| v.contains("shows the same problem") && v.contains(LISTENER)));
        assert!(finding
            .remediation
            .iter()
            .any(|r| r.contains("aws elbv2 modify-listener")));
    }

    #[test]
    fn where_the_probe_made_its_handshake_one_finding_carries_both_views() {
        let findings = probed(|| ProbeOutcome::ConnectRefused { address: address() });
        let mut codes: Vec<String> = findings.iter().map(|f| f.code.to_string()).collect();
        codes.sort();
        // The probe could not connect; the configuration says the policy cuts CloudFront off.
        assert_eq!(
            codes,
            ["origin-connect-refused", "origin-tls-protocol-mismatch"]
        );
        let refused = &findings[findings
            .iter()
            .position(|f| f.code.to_string() == "origin-connect-refused")
            .expect("the probe's finding")];
        assert!(refused.evidence["configuration"]
            .as_str()
            .is_some_and(|v| v.contains("shows no such problem")));
        let mismatch = &findings[findings
            .iter()
            .position(|f| f.code.to_string() == "origin-tls-protocol-mismatch")
            .expect("the configuration's finding")];
        assert_eq!(
            mismatch.evidence["probe"],
            "the live handshake found origin-connect-refused, not this"
        );
    }
}
