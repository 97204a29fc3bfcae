//! The edge check: what a CloudFront edge serves a viewer asking for an alias.
//!
//! Unlike the origin probe this is a viewer's handshake (TLS 1.2 or 1.3, a browser's suites), done with
//! rustls to the end so that the certificate, encrypted in TLS 1.3, can be read. The chain is recorded,
//! not judged ([`EdgeObservation`]): the edge rules compare it with the configured certificate.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use rustls::crypto::ring;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsConnector;

use super::completion::AnyChainRealSignatures;
use super::fault::local_fault;
use super::resolve::{resolve_with, ResolveFailure};
use super::session::connect;
use super::settings::ProbeSettings;
use crate::tls::{
    EdgeObservation, EdgeResult, LocalOperation, ProbeOutcome, ProbeTarget, SentCertificate,
};

/// Makes a viewer's handshake with `target.host` for SNI `target.sni`.
pub async fn probe_edge(target: &ProbeTarget, settings: &ProbeSettings) -> EdgeObservation {
    let deadline = Instant::now() + settings.deadline;
    let failed = |addresses: Vec<IpAddr>, detail: String| EdgeObservation {
        target: target.clone(),
        addresses,
        result: EdgeResult::Failed { detail },
    };
    let resolved = timeout_at(
        deadline,
        resolve_with(
            &target.host,
            target.port,
            &settings.resolve,
            &settings.connect_to,
            &settings.resolver,
        ),
    )
    .await;
    let local = |addresses: Vec<IpAddr>, fault| EdgeObservation {
        target: target.clone(),
        addresses,
        result: EdgeResult::LocalFault(fault),
    };
    let addresses: Vec<SocketAddr> = match resolved {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(ResolveFailure::Answer(detail))) => {
            return failed(
                Vec::new(),
                format!("{} does not resolve: {detail}", target.host),
            )
        }
        Ok(Err(ResolveFailure::Local(fault))) => return local(Vec::new(), fault),
        Err(_) => return failed(Vec::new(), "resolution did not finish in time".to_owned()),
    };
    let ips: Vec<IpAddr> = addresses.iter().map(SocketAddr::ip).collect();
    let Some(address) = addresses.first().copied() else {
        return failed(ips, "no address".to_owned());
    };
    let stream = match connect(address, target.connect_timeout, deadline).await {
        Ok(stream) => stream,
        Err(ProbeOutcome::LocalFault(fault)) => return local(ips, fault),
        Err(outcome) => {
            let detail = serde_json::to_value(&outcome)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                .unwrap_or_else(|| "connection failed".to_owned());
            return failed(ips, format!("{detail} at {address}"));
        }
    };
    let name = match ServerName::try_from(target.sni.clone()) {
        Ok(name) => name,
        Err(e) => return failed(ips, format!("SNI {:?}: {e}", target.sni)),
    };
    static CONFIG: std::sync::OnceLock<Arc<ClientConfig>> = std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let mut config = viewer_config();
        // Every check must see the certificate the edge serves now, not a resumed session.
        config.resumption = rustls::client::Resumption::disabled();
        Arc::new(config)
    });
    let connector = TlsConnector::from(config.clone());
    match timeout_at(deadline, connector.connect(name, stream)).await {
        Ok(Ok(tls)) => {
            let (_, connection) = tls.get_ref();
            let version = match connection.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
                Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
                _ => "unknown",
            };
            let chain = connection
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|c| SentCertificate {
                    der: c.as_ref().to_vec(),
                })
                .collect();
            EdgeObservation {
                target: target.clone(),
                addresses: ips,
                result: EdgeResult::Served {
                    version: version.to_owned(),
                    chain,
                },
            }
        }
        // rustls's refusals travel inside an I/O error; only a bare socket error of this machine
        // (out of buffers or memory) is a local fault.
        Ok(Err(e)) if e.get_ref().is_none_or(|inner| !inner.is::<rustls::Error>()) => {
            match local_fault(&e, LocalOperation::Receive, Some(address)) {
                Some(fault) => local(ips, fault),
                None => failed(ips, format!("TLS handshake failed: {e}")),
            }
        }
        Ok(Err(e)) => failed(ips, format!("TLS handshake failed: {e}")),
        Err(_) => failed(ips, "TLS handshake did not finish in time".to_owned()),
    }
}

/// A browser-like client: TLS 1.2 and 1.3, ring's suites and groups, any chain accepted (the rules
/// judge it) but handshake signatures checked.
fn viewer_config() -> ClientConfig {
    ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|builder| {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(record_only()))
                .with_no_client_auth()
        })
        // The ring provider supports the safe defaults; this arm only keeps the function total.
        .unwrap_or_else(|_| {
            ClientConfig::builder()
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(record_only()))
                .with_no_client_auth()
        })
}

/// Any chain accepted (it is recorded and compared, not trusted); handshake signatures verified with
/// everything a browser-like ring provider verifies.
fn record_only() -> AnyChainRealSignatures {
    AnyChainRealSignatures {
        algorithms: ring::default_provider().signature_verification_algorithms,
    }
}
