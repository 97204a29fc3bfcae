//! Real servers on 127.0.0.1 for probe tests: rustls with any chain, `openssl s_server` for what
//! rustls will not speak, and misbehaving TCP servers (silent, HTTP, garbage).
//!
//! Every server binds port 0 and lives as long as the test's tokio runtime (or its handle).

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use super::certs::IssuedCert;

/// DER of the first certificate in a PEM string.
pub fn pem_to_der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("PEM certificate")
        .as_ref()
        .to_vec()
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// A rustls server (TLS 1.2 and 1.3, ring defaults) sending exactly `chain_pems`, in that order.
pub async fn rustls_server(chain_pems: &[String], key_pem: &str) -> SocketAddr {
    let chain: Vec<CertificateDer<'static>> = chain_pems
        .iter()
        .map(|p| CertificateDer::from(pem_to_der(p)))
        .collect();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("PEM key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // Handshake failures are expected (the probe's own hello is never finished).
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut buf = [0u8; 1024];
                    while matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {}
                }
            });
        }
    });
    addr
}

/// A rustls server for `cert`, sending the leaf then its intermediates (the healthy order).
pub async fn rustls_server_for(cert: &IssuedCert) -> SocketAddr {
    let mut chain = vec![cert.cert_pem.clone()];
    chain.extend(cert.chain.iter().cloned());
    rustls_server(&chain, &cert.key_pem).await
}

/// A port nothing listens on (bound, then released).
pub async fn closed_port() -> SocketAddr {
    let (listener, addr) = bind().await;
    drop(listener);
    addr
}

/// Accepts connections and never answers (holds them open).
pub async fn silent_server() -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    addr
}

/// Answers anything with `response` once, then closes.
pub async fn canned_server(response: &'static [u8]) -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(response).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

/// Writes `prefix`, then `chunk` over and over until the peer goes away.
pub async fn streaming_server(prefix: &'static [u8], chunk: &'static [u8]) -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                if stream.write_all(prefix).await.is_err() {
                    return;
                }
                while stream.write_all(chunk).await.is_ok() {}
            });
        }
    });
    addr
}

/// A running `openssl s_server`, killed on drop.
pub struct OpenSslServer {
    /// Where it listens.
    pub addr: SocketAddr,
    _child: Child,
    _dir: tempfile::TempDir,
}

/// Fails loudly when openssl is missing: these tests must not pass silently (CI installs it).
pub fn require_openssl() {
    let found = std::process::Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`openssl` is not on PATH: install OpenSSL 3 (the Makefile and CI do) to run the s_server probe tests"
    );
}

/// Starts `openssl s_server -www` for `cert` (leaf + intermediates) with extra `args` (e.g. `-tls1`,
/// `-cipher`), on 127.0.0.1 and a port the kernel picks; waits (bounded) for its `ACCEPT` line.
pub async fn openssl_server(cert: &IssuedCert, args: &[&str]) -> OpenSslServer {
    require_openssl();
    let dir = tempfile::tempdir().expect("temp dir");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    let chain_path = dir.path().join("chain.pem");
    std::fs::write(&cert_path, &cert.cert_pem).expect("write cert");
    std::fs::write(&key_path, &cert.key_pem).expect("write key");
    std::fs::write(&chain_path, cert.chain_pem()).expect("write chain");
    let mut command = Command::new("openssl");
    command
        .arg("s_server")
        .args(["-accept", "127.0.0.1:0", "-naccept", "10", "-www"])
        .arg("-cert")
        .arg(&cert_path)
        .arg("-key")
        .arg(&key_path);
    if !cert.chain.is_empty() {
        command.arg("-cert_chain").arg(&chain_path);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn openssl s_server");
    let stdout = child.stdout.take().expect("s_server stdout");
    let mut lines = BufReader::new(stdout).lines();
    // s_server prints `ACCEPT 127.0.0.1:PORT` once listening: no port race, no probing connection.
    let addr = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                return addr.trim().parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_else(|| panic!("openssl s_server {args:?} did not start listening"));
    // Keep draining stdout so s_server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    OpenSslServer {
        addr,
        _child: child,
        _dir: dir,
    }
}
