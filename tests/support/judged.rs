//! One origin probed and judged the way the `probe` command does it: planned by `plan_origin`,
//! the origin's name resolved to a loopback address, the chain analysed once, the rules applied.

use std::net::SocketAddr;
use std::time::Duration;

use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::plan::{plan_origin, TargetUse};
use cloudfront_tls_audit::probe::{probe, ProbeSettings, ResolveOverride};
use cloudfront_tls_audit::rules::{analyse_observation, judge_origin_probe};
use cloudfront_tls_audit::tls::{Observation, ProtocolVersion};
use time::OffsetDateTime;

/// Probes `origin` (resolved to `addr`) with `sni`, offering `versions`, within `deadline`.
pub async fn probe_origin(
    origin: &str,
    addr: SocketAddr,
    sni: &str,
    versions: &[ProtocolVersion],
    deadline: Duration,
) -> (TargetUse, Observation) {
    let plan = plan_origin(
        origin,
        addr.port(),
        &[sni.to_owned()],
        versions,
        // The connect timeout CloudFront's default gives a custom origin is longer; loopback
        // connects at once.
        Duration::from_secs(2),
    );
    let settings = ProbeSettings {
        deadline,
        resolve: vec![ResolveOverride {
            host: origin.to_owned(),
            port: addr.port(),
            addresses: vec![addr.ip()],
        }],
        ..ProbeSettings::default()
    };
    let observation = probe(&plan.targets[0], &settings).await;
    (plan.uses[0].clone(), observation)
}

/// The rules' verdict on one observation, its chain analysed once against `trust_anchors` (DER).
pub fn judge(
    target_use: &TargetUse,
    observation: &Observation,
    trust_anchors: &[Vec<u8>],
) -> Vec<Finding> {
    let now = OffsetDateTime::now_utc();
    let analysis = analyse_observation(observation, now, trust_anchors);
    judge_origin_probe(
        target_use,
        observation,
        analysis.as_ref(),
        now,
        &Default::default(),
    )
}
