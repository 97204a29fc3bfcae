//! What a probe saw, as plain data: never a verdict. The origin rules turn observations into findings.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Serialize, Serializer};
use thiserror::Error;

use super::version::{cloudfront_versions, ProtocolVersion};

/// One handshake to attempt: what CloudFront would do for one origin and one SNI name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ProbeTarget {
    /// The host to resolve and connect to (the origin's `DomainName`, or the distribution's domain for
    /// an edge check).
    pub host: String,
    /// The port (`HTTPSPort`, or 443 for the edge).
    pub port: u16,
    /// The SNI name sent (the origin domain, or an alias when Host is forwarded).
    pub sni: String,
    /// Versions offered (`OriginSslProtocols`), oldest first.
    pub offered_versions: Vec<ProtocolVersion>,
    /// TCP connect timeout (`ConnectionTimeout`).
    pub connect_timeout: Duration,
}

impl ProbeTarget {
    /// True when CloudFront would accept `version` from this origin: it is among the versions
    /// CloudFront offers for `offered_versions` (never TLS 1.3; TLS 1.2 when the list is empty).
    ///
    /// A [`Negotiated`] version can fall outside: without TLS 1.3's supported_versions a hello can
    /// only say "up to X", so an origin that speaks only TLS 1.0 answers a TLS 1.2-only hello with
    /// TLS 1.0, which CloudFront then refuses (protocol_version, 502).
    pub fn offers(&self, version: ProtocolVersion) -> bool {
        cloudfront_versions(&self.offered_versions).contains(&version)
    }
}

/// A certificate exactly as the peer sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentCertificate {
    /// DER bytes.
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// What the probe saw. `addresses` is filled as soon as resolution succeeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// The target probed.
    pub target: ProbeTarget,
    /// Addresses the name resolved to (or the `--resolve` override), in the order tried.
    pub addresses: Vec<IpAddr>,
    /// How far the handshake got.
    pub outcome: ProbeOutcome,
}

/// The stage a probe reached when it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandshakeStage {
    /// Waiting for the ServerHello.
    ServerHello,
    /// Reading the Certificate and the rest of the server's first flight.
    ServerFlight,
    /// Completing the handshake (key exchange, Finished).
    Completion,
}

/// How a probe ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ProbeOutcome {
    /// The name did not resolve.
    DnsFailure {
        /// Resolver detail.
        detail: String,
    },
    /// Every address refused the TCP connection (or reset it at once).
    ConnectRefused {
        /// The last address tried.
        address: SocketAddr,
    },
    /// No TCP answer within the connect timeout.
    ConnectTimeout {
        /// The last address tried.
        address: SocketAddr,
        /// The timeout that elapsed.
        #[serde(with = "duration_ms")]
        after: Duration,
    },
    /// TCP connected but the TLS exchange did not finish before the deadline.
    HandshakeTimeout {
        /// The address connected to.
        address: SocketAddr,
        /// Where it stalled.
        stage: HandshakeStage,
    },
    /// The peer answered CloudFront's ClientHello with an alert.
    Alert {
        /// The address connected to.
        address: SocketAddr,
        /// Where the alert came.
        stage: HandshakeStage,
        /// Alert description code (RFC 8446 §6), e.g. 40 handshake_failure, 70 protocol_version.
        description: u8,
        /// Its name, e.g. `handshake_failure`.
        name: String,
        /// What a second, broader ClientHello learned the origin does speak, if it answered one.
        discovery: Option<Discovery>,
    },
    /// The peer closed or reset the connection without an alert.
    Closed {
        /// The address connected to.
        address: SocketAddr,
        /// Where it closed.
        stage: HandshakeStage,
        /// What a broader ClientHello learned, if anything.
        discovery: Option<Discovery>,
    },
    /// The peer did not speak TLS (an HTTP server on the HTTPS port, garbage).
    NotTls {
        /// The address connected to.
        address: SocketAddr,
        /// The first bytes received, printable-escaped, at most 64.
        first_bytes: String,
    },
    /// The peer sent more than the byte budget before the handshake settled.
    BudgetExceeded {
        /// The address connected to.
        address: SocketAddr,
        /// The budget in bytes.
        budget: usize,
    },
    /// The peer sent TLS records, but a malformed or out-of-place one (a lying record or handshake
    /// length, a record of the wrong content type, a second ServerHello).
    Malformed {
        /// The address connected to.
        address: SocketAddr,
        /// Where it happened.
        stage: HandshakeStage,
        /// What was malformed, e.g. `record length`.
        detail: String,
    },
    /// The ServerHello carried an extension the ClientHello never offered: a TLS client must abort
    /// the handshake (RFC 5246 §7.4.1.4, RFC 8446 §4.2), so CloudFront cannot connect.
    UnsolicitedExtension {
        /// The address connected to.
        address: SocketAddr,
        /// The version the ServerHello chose.
        version: ProtocolVersion,
        /// The cipher suite it chose (IANA code point).
        cipher_suite: u16,
        /// The unsolicited extension's type (IANA code point).
        extension: u16,
        /// Its IANA name, e.g. `supported_versions`, or `unknown`.
        extension_name: String,
        /// The extension types the ClientHello offered, in the order sent.
        offered: Vec<u16>,
    },
    /// This machine failed, not the origin (out of descriptors, buffers or local ports; no resolver):
    /// nothing is known about the origin, and the rules report the target as not audited.
    LocalFault(LocalFault),
    /// The peer chose parameters and sent its certificates.
    Negotiated(Negotiated),
}

/// What the probe was doing when this machine failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalOperation {
    /// Resolving the origin's name.
    Resolve,
    /// Opening the TCP connection (a socket, a local port).
    Connect,
    /// Sending the ClientHello.
    Send,
    /// Reading the server's answer.
    Receive,
}

impl LocalOperation {
    /// In words, for evidence: `open a connection`, `resolve the name`.
    pub fn describe(self) -> &'static str {
        match self {
            LocalOperation::Resolve => "resolve the name",
            LocalOperation::Connect => "open a connection",
            LocalOperation::Send => "send the ClientHello",
            LocalOperation::Receive => "read the answer",
        }
    }
}

/// A failure of this machine, with the operating system's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalFault {
    /// What the probe was doing.
    pub operation: LocalOperation,
    /// The address it was connecting to, when there was one.
    pub address: Option<SocketAddr>,
    /// The error's name: an errno (`EMFILE`), or a short label (`no-resolver-config`).
    pub error: String,
    /// The failure in words.
    pub detail: String,
}

/// What a broader ClientHello (every version SSLv3..TLS 1.3, a wide cipher list) got the origin to
/// choose: the evidence for protocol and cipher mismatches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// The version the origin chose.
    pub version: ProtocolVersion,
    /// The cipher suite it chose (IANA code point).
    pub cipher_suite: u16,
    /// Its IANA name.
    pub cipher_name: String,
}

/// A handshake that got as far as the server's certificates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Negotiated {
    /// The address connected to.
    pub address: SocketAddr,
    /// The version the origin chose; check it with [`ProbeTarget::offers`] (it may be older than
    /// every offered version, which CloudFront refuses).
    pub version: ProtocolVersion,
    /// The cipher suite (IANA code point).
    pub cipher_suite: u16,
    /// Its IANA name, e.g. `TLS_RSA_WITH_AES_128_CBC_SHA`.
    pub cipher_name: String,
    /// The certificates as sent, in the order sent.
    pub chain: Vec<SentCertificate>,
    /// The server asked for a client certificate (CertificateRequest).
    pub client_certificate_requested: bool,
    /// Whether a full handshake (rustls, CloudFront's parameters) completed, when rustls can speak
    /// the negotiated parameters: `None` when it cannot (TLS 1.0/1.1, CBC, RSA key exchange), else
    /// `Some(Ok(()))` or `Some(Err(why))`.
    pub completion: Option<Result<(), CompletionError>>,
}

/// Why the full handshake with CloudFront's parameters did not complete. rustls's own error is kept
/// whole (its certificate and webpki kinds included), so a rule can match on it; evidence and text
/// output show the message alone, as a string.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CompletionError {
    /// rustls refused the handshake, or the origin answered with an alert.
    #[error("{0}")]
    Tls(rustls::Error),
    /// The connection failed under the handshake (reset, closed early): the I/O kind, and its words.
    #[error("{detail}")]
    Io {
        /// What kind of I/O failure.
        kind: std::io::ErrorKind,
        /// The failure in the operating system's (or tokio-rustls's) words.
        detail: String,
    },
    /// The second connection, made for the full handshake, did not open.
    #[error("could not reconnect: {0:?}")]
    Reconnect(Box<ProbeOutcome>),
    /// The handshake was still running at the probe's deadline.
    #[error("the handshake did not complete before the deadline")]
    Timeout,
    /// The SNI name is not a DNS name rustls can send.
    #[error("SNI {sni:?}: {}", rustls::pki_types::InvalidDnsNameError)]
    InvalidSni {
        /// The name as given.
        sni: String,
    },
    /// rustls refused CloudFront's client configuration (a defect of this tool, not of the origin).
    #[error("client configuration: {0}")]
    Configuration(rustls::Error),
}

impl Serialize for CompletionError {
    /// As its message: the JSON output has always carried the reason as a string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

mod duration_ms {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }
}
