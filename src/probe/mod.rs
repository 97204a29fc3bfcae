//! Live TLS handshakes made the way CloudFront makes them. The only module that opens sockets.
//!
//! [`probe`] sends a ClientHello shaped like CloudFront's (its versions, suites, curves and signature
//! schemes, which rustls alone could not offer) and reads the server's first flight by hand. When the
//! origin refuses it, a broader discovery hello learns what the origin does speak; when the choice is
//! one rustls speaks, a real rustls handshake confirms it completes. [`chain::analyse_chain`] then
//! judges the certificates, without I/O.

pub mod chain;
pub mod client_hello;
pub mod completion;
pub mod edge;
pub mod observation;
pub mod resolve;
mod session;
pub mod suites;
pub mod wire;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use ring::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;
use tokio::time::{timeout_at, Instant};

pub use chain::{analyse_chain, ChainAnalysis, ChainEntry};
pub use observation::{
    Discovery, HandshakeStage, Negotiated, Observation, ProbeOutcome, ProbeTarget, ProtocolVersion,
    SentCertificate,
};
pub use resolve::{ConnectTo, ResolveOverride, ResolveOverrideError};

use session::Exchange;

/// CloudFront's default `ConnectionTimeout`, used when a target carries a zero timeout.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How probes run: limits, name overrides and extra trust anchors.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Time allowed for a whole probe (resolution, connections, discovery, completion).
    pub deadline: Duration,
    /// Most bytes read from a server per connection before giving up.
    pub byte_budget: usize,
    /// `--resolve` overrides, consulted before the system resolver.
    pub resolve: Vec<ResolveOverride>,
    /// `--connect-to` overrides, consulted before everything else.
    pub connect_to: Vec<ConnectTo>,
    /// Extra trust anchors (DER certificates) for [`analyse_chain`], e.g. a private test root.
    pub trust_anchors: Vec<Vec<u8>>,
}

impl Default for ProbeSettings {
    /// 10 s per probe, 256 KiB per connection, no overrides, no extra anchors.
    fn default() -> Self {
        ProbeSettings {
            deadline: Duration::from_secs(10),
            byte_budget: 256 * 1024,
            resolve: Vec::new(),
            connect_to: Vec::new(),
            trust_anchors: Vec::new(),
        }
    }
}

/// Probes one target as CloudFront would connect to it. Never fails: every way a probe can end is a
/// [`ProbeOutcome`].
///
/// Addresses are tried in order until one accepts TCP; the TLS exchange happens on that one only (as
/// CloudFront would use it). Alert or close: a second connection sends the discovery hello.
/// Negotiated TLS 1.2 with an ECDHE + AES-GCM suite: a second connection completes a rustls handshake.
///
/// The version in [`Negotiated`] is what the origin chose; the rules should check it is one of the
/// target's `offered_versions` (a gap such as TLSv1 + TLSv1.2 cannot be expressed without TLS 1.3's
/// supported_versions, so CloudFront would reject a TLS 1.1 answer).
pub async fn probe(target: &ProbeTarget, settings: &ProbeSettings) -> Observation {
    let deadline = Instant::now() + settings.deadline;
    let observation = |addresses: Vec<SocketAddr>, outcome| Observation {
        target: target.clone(),
        addresses: addresses.iter().map(SocketAddr::ip).collect(),
        outcome,
    };
    let resolved = timeout_at(
        deadline,
        resolve::resolve_with(
            &target.host,
            target.port,
            &settings.resolve,
            &settings.connect_to,
        ),
    )
    .await;
    let addresses = match resolved {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(detail)) => return observation(Vec::new(), ProbeOutcome::DnsFailure { detail }),
        Err(_) => {
            let detail = "resolution did not finish before the deadline".to_owned();
            return observation(Vec::new(), ProbeOutcome::DnsFailure { detail });
        }
    };
    let connect_timeout = if target.connect_timeout.is_zero() {
        DEFAULT_CONNECT_TIMEOUT
    } else {
        target.connect_timeout
    };
    let mut last_failure = None;
    for address in &addresses {
        match session::connect(*address, connect_timeout, deadline).await {
            Ok(stream) => {
                let outcome = handshake(
                    stream,
                    *address,
                    target,
                    connect_timeout,
                    settings,
                    deadline,
                )
                .await;
                return observation(addresses, outcome);
            }
            Err(outcome) => last_failure = Some(outcome),
        }
    }
    // `addresses` is never empty, so a failure was recorded; the fallback only keeps this total.
    let outcome = last_failure.unwrap_or(ProbeOutcome::DnsFailure {
        detail: "no address to connect to".to_owned(),
    });
    observation(addresses, outcome)
}

/// The chain analysis of a [`Negotiated`] observation: its chain, for its SNI, at `now`, with the
/// settings' extra trust anchors. `None` when the probe did not get as far as the certificates.
pub fn analyse_observation(
    observation: &Observation,
    now: OffsetDateTime,
    settings: &ProbeSettings,
) -> Option<ChainAnalysis> {
    match &observation.outcome {
        ProbeOutcome::Negotiated(n) => Some(analyse_chain(
            &n.chain,
            &observation.target.sni,
            now,
            &settings.trust_anchors,
        )),
        _ => None,
    }
}

/// Probes each distinct target once, at most `concurrency` at a time; one observation per distinct
/// target, in the order targets first appear.
pub async fn probe_all(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    concurrency: usize,
) -> Vec<Observation> {
    probe_all_before(targets, settings, concurrency, None).await
}

/// Like [`probe_all`], but no probe starts at or after `stop` (an invocation deadline minus a safety
/// margin): those targets have no observation, which the rules report as `audit-incomplete`.
pub async fn probe_all_before(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    concurrency: usize,
    stop: Option<std::time::Instant>,
) -> Vec<Observation> {
    let mut seen = HashSet::new();
    let unique: Vec<&ProbeTarget> = targets.iter().filter(|t| seen.insert(*t)).collect();
    stream::iter(unique)
        .map(|target| async move {
            if stop.is_some_and(|stop| std::time::Instant::now() >= stop) {
                return None;
            }
            Some(probe(target, settings).await)
        })
        .buffered(concurrency.max(1))
        .filter_map(std::future::ready)
        .collect()
        .await
}

async fn handshake(
    mut stream: tokio::net::TcpStream,
    address: SocketAddr,
    target: &ProbeTarget,
    connect_timeout: Duration,
    settings: &ProbeSettings,
    deadline: Instant,
) -> ProbeOutcome {
    let hello = client_hello::cloudfront_hello(&target.sni, &target.offered_versions, random());
    let exchange = session::exchange(&mut stream, &hello, settings.byte_budget, deadline).await;
    drop(stream);
    match exchange {
        Exchange::Flight(flight) => {
            let version = flight.hello.version;
            let cipher_suite = flight.hello.cipher_suite;
            let completion = if completion::rustls_can_complete(version, cipher_suite) {
                Some(complete(address, &target.sni, connect_timeout, deadline).await)
            } else {
                None
            };
            ProbeOutcome::Negotiated(Negotiated {
                address,
                version,
                cipher_suite,
                cipher_name: suites::cipher_name(cipher_suite),
                chain: flight
                    .certificates
                    .into_iter()
                    .map(|der| SentCertificate { der })
                    .collect(),
                client_certificate_requested: flight.certificate_requested,
                completion,
            })
        }
        Exchange::Alert { stage, description } => ProbeOutcome::Alert {
            address,
            stage,
            description,
            name: suites::alert_name(description),
            discovery: discover(address, target, connect_timeout, settings, deadline).await,
        },
        Exchange::Closed { stage } => ProbeOutcome::Closed {
            address,
            stage,
            discovery: discover(address, target, connect_timeout, settings, deadline).await,
        },
        Exchange::Timeout { stage } => ProbeOutcome::HandshakeTimeout { address, stage },
        Exchange::NotTls { first_bytes } => ProbeOutcome::NotTls {
            address,
            first_bytes,
        },
        Exchange::BudgetExceeded => ProbeOutcome::BudgetExceeded {
            address,
            budget: settings.byte_budget,
        },
    }
}

/// Sends the broad discovery hello on a fresh connection; `None` when the origin refuses that too.
async fn discover(
    address: SocketAddr,
    target: &ProbeTarget,
    connect_timeout: Duration,
    settings: &ProbeSettings,
    deadline: Instant,
) -> Option<Discovery> {
    let mut stream = session::connect(address, connect_timeout, deadline)
        .await
        .ok()?;
    let hello = client_hello::discovery_hello(&target.sni, random(), random());
    match session::exchange(&mut stream, &hello, settings.byte_budget, deadline).await {
        Exchange::Flight(flight) => Some(Discovery {
            version: flight.hello.version,
            cipher_suite: flight.hello.cipher_suite,
            cipher_name: suites::cipher_name(flight.hello.cipher_suite),
        }),
        _ => None,
    }
}

/// A rustls handshake with CloudFront's parameters on a fresh connection, within the deadline.
async fn complete(
    address: SocketAddr,
    sni: &str,
    connect_timeout: Duration,
    deadline: Instant,
) -> Result<(), String> {
    let stream = session::connect(address, connect_timeout, deadline)
        .await
        .map_err(|outcome| format!("could not reconnect: {outcome:?}"))?;
    timeout_at(deadline, completion::complete(stream, sni))
        .await
        .unwrap_or_else(|_| Err("the handshake did not complete before the deadline".to_owned()))
}

/// 32 random bytes for a ClientHello random or a throwaway key share. A failing system RNG only makes
/// the hello predictable, which does not matter for a handshake that is never used for data.
fn random() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes
}
