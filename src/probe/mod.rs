//! Live TLS handshakes made the way CloudFront makes them. The only module that opens sockets.
//!
//! [`probe`] sends a ClientHello shaped like CloudFront's (its versions, suites, curves and signature
//! schemes, which rustls alone could not offer) and reads the server's first flight by hand. When the
//! origin refuses it, a broader discovery hello learns what the origin does speak; when the choice is
//! one rustls speaks, a real rustls handshake confirms it completes. What it saw is an
//! [`Observation`] ([`crate::tls`]), never a verdict: the rules judge it, chain included.
//! [`probe_plan`] and [`probe_edges`] answer one observation per planned target, by index.

pub mod client_hello;
pub mod completion;
pub mod edge;
pub mod resolve;
mod session;
mod settings;
pub mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::time::{timeout_at, Instant};

pub use resolve::{ConnectTo, ResolveOverride, ResolveOverrideError};
pub use settings::ProbeSettings;

use crate::tls::suites;
use crate::tls::{
    CompletionError, Discovery, EdgeObservation, Negotiated, Observation, ProbeOutcome,
    ProbeTarget, SentCertificate,
};
use session::Exchange;

/// CloudFront's default `ConnectionTimeout`, used when a target carries a zero timeout.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Probes each planned origin target (the plan holds each handshake once), at most `concurrency` at a
/// time: one answer per target, by index. No probe starts at or after `stop` (an invocation deadline
/// minus a safety margin): those targets answer `None`, which the rules report as `audit-incomplete`.
pub async fn probe_plan(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    concurrency: usize,
    stop: Option<std::time::Instant>,
) -> Vec<Option<Observation>> {
    each_target(targets, concurrency, stop, |target| probe(target, settings)).await
}

/// The edge check's viewer handshakes ([`edge::probe_edge`]), run exactly as [`probe_plan`] runs the
/// origin probes: one answer per target, by index; `None` when it did not start before `stop`.
pub async fn probe_edges(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    concurrency: usize,
    stop: Option<std::time::Instant>,
) -> Vec<Option<EdgeObservation>> {
    each_target(targets, concurrency, stop, |target| {
        edge::probe_edge(target, settings)
    })
    .await
}

/// Runs `probe_one` over `targets`, at most `concurrency` at a time, answers in target order. The
/// stop time is checked as each probe is about to start, so a late target is skipped, not cut short.
async fn each_target<'a, T, F, Fut>(
    targets: &'a [ProbeTarget],
    concurrency: usize,
    stop: Option<std::time::Instant>,
    probe_one: F,
) -> Vec<Option<T>>
where
    F: Fn(&'a ProbeTarget) -> Fut,
    Fut: Future<Output = T>,
{
    let probe_one = &probe_one;
    stream::iter(targets)
        .map(|target| async move {
            if stop.is_some_and(|stop| std::time::Instant::now() >= stop) {
                return None;
            }
            Some(probe_one(target).await)
        })
        .buffered(concurrency.max(1))
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
) -> Result<(), CompletionError> {
    let stream = session::connect(address, connect_timeout, deadline)
        .await
        .map_err(|outcome| CompletionError::Reconnect(Box::new(outcome)))?;
    timeout_at(deadline, completion::complete(stream, sni))
        .await
        .unwrap_or(Err(CompletionError::Timeout))
}

/// 32 random bytes for a ClientHello random or a throwaway key share. A failing system RNG only makes
/// the hello predictable, which does not matter for a handshake that is never used for data.
fn random() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes
}
