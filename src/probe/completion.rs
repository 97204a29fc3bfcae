//! A full TLS 1.2 handshake with CloudFront's parameters, through rustls, where rustls can speak them.
//!
//! The first flight shows what the origin chose; only a full handshake shows that the key exchange
//! signature verifies and that the origin accepts CloudFront's (absent) client certificate. rustls
//! speaks only ECDHE + AES-GCM in TLS 1.2, so other choices get no completion check.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use webpki::ring as algs;

use crate::tls::{is_cloudfront_origin_suite, CompletionError, ProtocolVersion};

/// Handshake signatures CloudFront accepts that webpki can verify: PKCS#1 v1.5 and ECDSA, never PSS
/// or Ed25519. (SHA-1 and P-521 are also offered by CloudFront, but webpki with ring verifies neither:
/// an origin that signs only with those gets a failed completion, a known gap.)
static CLOUDFRONT_HANDSHAKE_SIGNATURES: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        algs::ECDSA_P256_SHA256,
        algs::ECDSA_P256_SHA384,
        algs::ECDSA_P384_SHA256,
        algs::ECDSA_P384_SHA384,
        algs::RSA_PKCS1_2048_8192_SHA256,
        algs::RSA_PKCS1_2048_8192_SHA384,
        algs::RSA_PKCS1_2048_8192_SHA512,
    ],
    mapping: &[
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[algs::ECDSA_P384_SHA384, algs::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[algs::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[algs::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[algs::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

/// True when rustls can complete a handshake with these parameters (TLS 1.2, ECDHE + AES-GCM, the
/// only rustls TLS 1.2 suites CloudFront offers origins).
pub fn rustls_can_complete(version: ProtocolVersion, cipher_suite: u16) -> bool {
    version == ProtocolVersion::Tls12 && cloudfront_provider_suites().any(|s| s == cipher_suite)
}

fn cloudfront_provider_suites() -> impl Iterator<Item = u16> {
    ring::default_provider()
        .cipher_suites
        .into_iter()
        .filter_map(|s| match s {
            rustls::SupportedCipherSuite::Tls12(t) => Some(u16::from(t.common.suite)),
            rustls::SupportedCipherSuite::Tls13(_) => None,
        })
        .filter(|id| is_cloudfront_origin_suite(*id))
}

/// Accepts any certificate chain (chain validity is judged separately, by `analyse_chain` or the edge
/// rules) but checks the handshake signatures for real, advertising only `algorithms`' schemes.
#[derive(Debug)]
pub(crate) struct AnyChainRealSignatures {
    /// The handshake signatures to accept (and advertise).
    pub algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyChainRealSignatures {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The configuration, built once per process: building it per probe costs more than a small handshake.
fn shared_client_config() -> Result<Arc<ClientConfig>, CompletionError> {
    static CONFIG: std::sync::OnceLock<Result<Arc<ClientConfig>, rustls::Error>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            cloudfront_client_config().map(|mut config| {
                // Each probe must be a full handshake, as CloudFront's first connection is.
                config.resumption = rustls::client::Resumption::disabled();
                Arc::new(config)
            })
        })
        .clone()
        .map_err(CompletionError::Configuration)
}

/// A rustls client configuration restricted to what CloudFront offers origins: TLS 1.2, its
/// ECDHE + AES-GCM suites, x25519/secp256r1/secp384r1, PKCS#1 and ECDSA signatures, no client cert.
fn cloudfront_client_config() -> Result<ClientConfig, rustls::Error> {
    let base = ring::default_provider();
    let suites: Vec<u16> = cloudfront_provider_suites().collect();
    let provider = CryptoProvider {
        cipher_suites: base
            .cipher_suites
            .iter()
            .copied()
            .filter(|s| suites.contains(&u16::from(s.suite())))
            .collect(),
        kx_groups: vec![
            ring::kx_group::X25519,
            ring::kx_group::SECP256R1,
            ring::kx_group::SECP384R1,
        ],
        ..base
    };
    Ok(ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyChainRealSignatures {
            algorithms: CLOUDFRONT_HANDSHAKE_SIGNATURES,
        }))
        .with_no_client_auth())
}

/// Completes a handshake over `stream` as CloudFront would; `Err` carries rustls's reason. The caller
/// bounds the time.
pub async fn complete<S>(stream: S, sni: &str) -> Result<(), CompletionError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let config = shared_client_config()?;
    let name = ServerName::try_from(sni.trim_end_matches('.').to_owned()).map_err(|_| {
        CompletionError::InvalidSni {
            sni: sni.to_owned(),
        }
    })?;
    let connector = TlsConnector::from(config);
    let tls = connector
        .connect(name, stream)
        .await
        .map_err(handshake_error)?;
    // Say goodbye politely; the verdict is already in.
    drop(tls);
    Ok(())
}

/// tokio-rustls reports rustls's refusals inside an I/O error: take the rustls error back out, so its
/// kind survives; anything else is a failure of the connection itself.
fn handshake_error(error: std::io::Error) -> CompletionError {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => CompletionError::Tls(tls.clone()),
        None => CompletionError::Io {
            kind: error.kind(),
            detail: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tls12_ecdhe_gcm_suites_are_completed() {
        assert!(rustls_can_complete(ProtocolVersion::Tls12, 0xC02F));
        assert!(rustls_can_complete(ProtocolVersion::Tls12, 0xC02C));
        assert!(!rustls_can_complete(ProtocolVersion::Tls12, 0x002F));
        assert!(!rustls_can_complete(ProtocolVersion::Tls12, 0xCCA8));
        assert!(!rustls_can_complete(ProtocolVersion::Tls11, 0xC02F));
    }

    #[test]
    fn the_configuration_builds_and_advertises_no_pss() {
        assert!(cloudfront_client_config().is_ok());
        let schemes = AnyChainRealSignatures {
            algorithms: CLOUDFRONT_HANDSHAKE_SIGNATURES,
        }
        .supported_verify_schemes();
        assert!(!schemes.is_empty());
        assert!(schemes
            .iter()
            .all(|s| !format!("{s:?}").contains("PSS") && *s != SignatureScheme::ED25519));
    }

    #[test]
    fn a_refusal_keeps_the_rustls_kind_and_its_message() {
        let refusal = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, refusal.clone());
        let shown = wrapped.to_string();
        let error = handshake_error(wrapped);
        assert_eq!(error, CompletionError::Tls(refusal));
        assert_eq!(error.to_string(), shown);

        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let shown = reset.to_string();
        let error = handshake_error(reset);
        assert!(matches!(
            &error,
            CompletionError::Io {
                kind: std::io::ErrorKind::ConnectionReset,
                ..
            }
        ));
        assert_eq!(error.to_string(), shown);
    }
}
