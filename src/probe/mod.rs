//! Live TLS handshakes made the way CloudFront makes them. The only module that opens sockets.
//!
//! [`probe`] sends a ClientHello shaped like CloudFront's (its versions, suites, curves and signature
//! schemes, which rustls alone could not offer) and reads the server's first flight by hand. When the
//! origin refuses it, a broader discovery hello learns what the origin does speak; when the choice is
//! one rustls speaks, a real rustls handshake confirms it completes. What it saw is an
//! [`Observation`] ([`crate::tls`]), never a verdict: the rules judge it, chain included.
//! [`probe_plan`] and [`probe_edges`] answer one observation per planned target, by index; given one
//! [`ProbeLimit`], origin and edge probes share one bound on the handshakes in flight.
//!
//! A failure of this machine (descriptors, buffers, local ports, no resolver) is never blamed on the
//! origin: it becomes [`ProbeOutcome::LocalFault`] ([`fault`] holds the table of whose error is whose).

pub mod client_hello;
pub mod completion;
pub mod edge;
mod fault;
pub mod resolve;
mod session;
mod settings;
pub mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;
use tokio::time::{timeout_at, Instant};

pub use resolve::{
    ConnectTo, ResolveFailure, ResolveOverride, ResolveOverrideError, ResolverSource,
};
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
            &settings.resolver,
        ),
    )
    .await;
    let addresses = match resolved {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(ResolveFailure::Answer(detail))) => {
            return observation(Vec::new(), ProbeOutcome::DnsFailure { detail })
        }
        Ok(Err(ResolveFailure::Local(fault))) => {
            return observation(Vec::new(), ProbeOutcome::LocalFault(fault))
        }
        Err(_) => {
            let detail = format!(
                "resolution did not finish before the {} s deadline ({})",
                settings.deadline.as_secs(),
                settings.resolver.describe()
            );
            return observation(Vec::new(), ProbeOutcome::DnsFailure { detail });
        }
    };
    let connect_timeout = if target.connect_timeout.is_zero() {
        DEFAULT_CONNECT_TIMEOUT
    } else {
        target.connect_timeout
    };
    let mut last_failure = None;
    let mut local_failure = None;
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
            Err(outcome @ ProbeOutcome::LocalFault(_)) => local_failure = Some(outcome),
            Err(outcome) => last_failure = Some(outcome),
        }
    }
    // An origin's answer (a refusal, a timeout) is a fact CloudFront meets too; a local failure on
    // another address (this machine has no IPv6, say) does not undo it. Only when no address gave
    // an answer is the failure ours. `addresses` is never empty; the fallback keeps this total.
    let outcome = last_failure
        .or(local_failure)
        .unwrap_or(ProbeOutcome::DnsFailure {
            detail: "no address to connect to".to_owned(),
        });
    observation(addresses, outcome)
}

/// One bound on the handshakes in flight, shared by every probe run given it: the origin probes
/// and the edge check of one audit together never hold more than its permits (each probe holds at
/// most one socket, or one resolver socket, at a time), so they cannot exhaust the descriptors that
/// one of them alone would not.
#[derive(Debug, Clone)]
pub struct ProbeLimit {
    permits: Arc<Semaphore>,
    /// The number of permits: also how many probes of one run exist at once.
    size: usize,
}

impl ProbeLimit {
    /// At most `concurrency` probes at once (at least one).
    pub fn new(concurrency: usize) -> ProbeLimit {
        let size = concurrency.clamp(1, Semaphore::MAX_PERMITS);
        ProbeLimit {
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }
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
    probe_plan_within(targets, settings, &ProbeLimit::new(concurrency), stop).await
}

/// [`probe_plan`] under a shared [`ProbeLimit`] (an audit's origin probes and edge check share one).
pub async fn probe_plan_within(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    limit: &ProbeLimit,
    stop: Option<std::time::Instant>,
) -> Vec<Option<Observation>> {
    each_target(targets, limit, stop, |target| probe(target, settings)).await
}

/// The edge check's viewer handshakes ([`edge::probe_edge`]), run exactly as [`probe_plan`] runs the
/// origin probes: one answer per target, by index; `None` when it did not start before `stop`.
pub async fn probe_edges(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    concurrency: usize,
    stop: Option<std::time::Instant>,
) -> Vec<Option<EdgeObservation>> {
    probe_edges_within(targets, settings, &ProbeLimit::new(concurrency), stop).await
}

/// [`probe_edges`] under a shared [`ProbeLimit`].
pub async fn probe_edges_within(
    targets: &[ProbeTarget],
    settings: &ProbeSettings,
    limit: &ProbeLimit,
    stop: Option<std::time::Instant>,
) -> Vec<Option<EdgeObservation>> {
    each_target(targets, limit, stop, |target| {
        edge::probe_edge(target, settings)
    })
    .await
}

/// Runs `probe_one` over `targets` under `limit`, collecting each answer as it finishes (one slow
/// origin never holds back the ones behind it) into its target's slot, so the order stays the
/// plan's. The stop time is checked once a permit is held, as the probe is about to start: a late
/// target is skipped, not cut short.
async fn each_target<'a, T, F, Fut>(
    targets: &'a [ProbeTarget],
    limit: &ProbeLimit,
    stop: Option<std::time::Instant>,
    probe_one: F,
) -> Vec<Option<T>>
where
    F: Fn(&'a ProbeTarget) -> Fut,
    Fut: Future<Output = T>,
{
    let probe_one = &probe_one;
    let permits = &limit.permits;
    // A run holds at most as many probes as the limit has permits (each probe's state is a few
    // KiB: a sweep of thousands must not hold them all at once); the bound on sockets is the
    // semaphore's, shared with the other runs.
    let mut finished = stream::iter(targets.iter().enumerate())
        .map(|(index, target)| async move {
            // The semaphore is never closed, so `Err` cannot happen; if it did, the target would
            // answer `None` (not probed, reported as audit-incomplete), never a pass.
            let Ok(_permit) = permits.acquire().await else {
                return (index, None);
            };
            if stop.is_some_and(|stop| std::time::Instant::now() >= stop) {
                return (index, None);
            }
            (index, Some(probe_one(target).await))
        })
        .buffer_unordered(limit.size.min(targets.len()).max(1));
    let mut answers: Vec<Option<T>> = targets.iter().map(|_| None).collect();
    while let Some((index, answer)) = finished.next().await {
        if let Some(slot) = answers.get_mut(index) {
            *slot = answer;
        }
    }
    answers
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
    let exchange =
        session::exchange(&mut stream, &hello, true, settings.byte_budget, deadline).await;
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
            // The completion's own connection failing on this machine says nothing of the origin.
            if let Some(fault) = completion.as_ref().and_then(completion_fault) {
                return ProbeOutcome::LocalFault(fault);
            }
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
        Exchange::Malformed { stage, detail } => ProbeOutcome::Malformed {
            address,
            stage,
            detail: detail.to_string(),
        },
        Exchange::UnsolicitedExtension {
            hello: answer,
            extension,
        } => ProbeOutcome::UnsolicitedExtension {
            address,
            version: answer.version,
            cipher_suite: answer.cipher_suite,
            extension,
            extension_name: suites::extension_name(extension),
            offered: hello.extensions,
        },
        Exchange::BudgetExceeded => ProbeOutcome::BudgetExceeded {
            address,
            budget: settings.byte_budget,
        },
        Exchange::LocalFault(fault) => ProbeOutcome::LocalFault(fault),
    }
}

/// The local fault that stopped a completion (its reconnection, or a bare socket error of this
/// machine under the handshake), if that is what stopped it.
fn completion_fault(completion: &Result<(), CompletionError>) -> Option<crate::tls::LocalFault> {
    match completion {
        Err(CompletionError::Reconnect(outcome)) => match outcome.as_ref() {
            ProbeOutcome::LocalFault(fault) => Some(fault.clone()),
            _ => None,
        },
        Err(CompletionError::Io { kind, detail }) => {
            let mut fault = fault::local_fault(
                &std::io::Error::from(*kind),
                crate::tls::LocalOperation::Receive,
                None,
            )?;
            fault.detail = detail.clone();
            Some(fault)
        }
        _ => None,
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
    match session::exchange(&mut stream, &hello, false, settings.byte_budget, deadline).await {
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn targets(n: usize) -> Vec<ProbeTarget> {
        (0..n)
            .map(|i| ProbeTarget {
                host: format!("origin{i}.example.com"),
                port: 443,
                sni: format!("origin{i}.example.com"),
                offered_versions: vec![crate::tls::ProtocolVersion::Tls12],
                connect_timeout: Duration::from_secs(1),
            })
            .collect()
    }

    /// Counts the probes in flight and the most seen at once.
    #[derive(Default)]
    struct InFlight {
        now: AtomicUsize,
        most: AtomicUsize,
    }

    impl InFlight {
        async fn probe(&self, target: &ProbeTarget) -> String {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            // Let every other ready probe run while this one is "in flight".
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            self.now.fetch_sub(1, Ordering::SeqCst);
            target.host.clone()
        }
    }

    #[tokio::test]
    async fn origin_and_edge_probes_share_one_limit() {
        let limit = ProbeLimit::new(3);
        let (origins, edges) = (targets(12), targets(9));
        let counter = InFlight::default();
        let (a, b) = futures::join!(
            each_target(&origins, &limit, None, |t| counter.probe(t)),
            each_target(&edges, &limit, None, |t| counter.probe(t)),
        );
        assert_eq!(counter.most.load(Ordering::SeqCst), 3, "both runs together");
        // Every target answered, in its own slot.
        let hosts = |ts: &[ProbeTarget]| -> Vec<Option<String>> {
            ts.iter().map(|t| Some(t.host.clone())).collect()
        };
        assert_eq!(a, hosts(&origins));
        assert_eq!(b, hosts(&edges));
    }

    #[tokio::test]
    async fn a_slow_probe_does_not_hold_back_the_ones_behind_it() {
        // The first probe finishes only after every other one has: collected in order with a
        // window of two (`buffered`), the third would never start and this would hang.
        let all = targets(4);
        let finished = AtomicUsize::new(0);
        let others_done = tokio::sync::Notify::new();
        let limit = ProbeLimit::new(2);
        let run = each_target(&all, &limit, None, |t| {
            let (finished, others_done) = (&finished, &others_done);
            async move {
                if t.host == "origin0.example.com" {
                    while finished.load(Ordering::SeqCst) < 3 {
                        others_done.notified().await;
                    }
                } else {
                    finished.fetch_add(1, Ordering::SeqCst);
                    others_done.notify_one();
                }
                t.host.clone()
            }
        });
        // A bound only against a hang, far beyond any scheduling delay.
        let answers = tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .expect("the slow probe held the others back");
        assert_eq!(answers[0].as_deref(), Some("origin0.example.com"));
        assert!(answers.iter().all(Option::is_some));
    }

    #[tokio::test]
    async fn past_the_stop_time_no_probe_starts_and_every_slot_stays() {
        let all = targets(3);
        let started = AtomicUsize::new(0);
        let answers = each_target(
            &all,
            &ProbeLimit::new(1),
            Some(std::time::Instant::now()),
            |_| async {
                started.fetch_add(1, Ordering::SeqCst);
            },
        )
        .await;
        assert_eq!(answers.len(), 3);
        assert!(answers.iter().all(Option::is_none));
        assert_eq!(started.load(Ordering::SeqCst), 0);
    }
}
