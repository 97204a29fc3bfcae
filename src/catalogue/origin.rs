//! Entries of the origin families (configuration, and the TLS handshake CloudFront makes) and of the
//! edge check. Sources: cloudfront-tls-rules.md §3 and §4.

use super::load_balancer::{
    LISTENER_CERT_EXPIRED, LISTENER_CERT_EXPIRING, LISTENER_CERT_NOT_ISSUED,
    LISTENER_CERT_NOT_YET_VALID, LISTENER_CERT_PRIVATE, LISTENER_NAME_FORWARDED_HOST,
    LISTENER_NAME_ORIGIN_DOMAIN, LISTENER_POLICY_NO_SHARED_CIPHER, LISTENER_POLICY_TLS13_ONLY,
    LISTENER_POLICY_VERSIONS,
};
use super::{Cause, Code, Entry, Family};
use super::{Severity, ViewerImpact};

const DOCS_502: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html";
const DOCS_504: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-504-gateway-timeout.html";
const DOCS_ORIGIN_HTTPS: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html";
const DOCS_ORIGIN_CIPHERS: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html";

/// Builds a cause whose only variable parts are its code, id, message, impact and remediation: most
/// origin causes are critical 502s.
const fn cause(
    code: Code,
    id: &'static str,
    severity: Severity,
    impact: ViewerImpact,
    message: &'static str,
    remediation: &'static [&'static str],
) -> Cause {
    Cause {
        code,
        id,
        severity,
        other_severities: &[],
        impact,
        impact_when_proposed: None,
        message,
        remediation,
    }
}

// ---------------------------------------------------------------------------------------------
// Origin configuration

/// `origin-http-only`
pub static ORIGIN_HTTP_ONLY: Entry = Entry {
    id: "origin-http-only",
    family: Family::OriginConfig,
    title: "A custom origin is reached over plain HTTP",
    why:
        "With OriginProtocolPolicy http-only, everything between CloudFront and the origin travels \
          unencrypted over the internet, whatever the viewer used. S3 website endpoints cannot do \
          HTTPS at all.",
    docs: DOCS_ORIGIN_HTTPS,
    causes: &[&HTTP_ONLY_CUSTOM, &HTTP_ONLY_S3_WEBSITE],
};

/// A custom origin that could use HTTPS.
pub static HTTP_ONLY_CUSTOM: Cause = cause(
    Code::OriginHttpOnly,
    "http-only",
    Severity::Medium,
    ViewerImpact::None,
    "Origin {origin_id} ({origin_domain}) is reached over plain HTTP (OriginProtocolPolicy http-only).",
    &[
        "Serve HTTPS on the origin with a publicly trusted certificate for {origin_domain}, then set OriginProtocolPolicy to https-only.",
        "Check it first: cloudfront-tls-audit probe {origin_domain}:443.",
    ],
);

/// An S3 website endpoint.
pub static HTTP_ONLY_S3_WEBSITE: Cause = cause(
    Code::OriginHttpOnly,
    "s3-website-endpoint",
    Severity::Medium,
    ViewerImpact::None,
    "Origin {origin_id} is an S3 website endpoint ({origin_domain}), which cannot serve HTTPS.",
    &[
        "Use the bucket's REST endpoint (BUCKET.s3.REGION.amazonaws.com) as an S3 origin with origin access control; CloudFront then reaches S3 over TLS.",
        "If you need website features (index documents, redirects), implement them with a CloudFront Function instead.",
    ],
);

/// `origin-deprecated-protocols`
pub static ORIGIN_DEPRECATED_PROTOCOLS: Entry = Entry {
    id: "origin-deprecated-protocols",
    family: Family::OriginConfig,
    title: "OriginSslProtocols allows SSLv3, TLSv1 or TLSv1.1",
    why: "CloudFront offers an origin every protocol in OriginSslProtocols; SSLv3, TLS 1.0 and 1.1 are \
          deprecated (RFC 8996) and only needed for origins that cannot speak TLS 1.2.",
    docs: DOCS_ORIGIN_CIPHERS,
    causes: &[&DEPRECATED_PROTOCOLS],
};

/// The only cause of `origin-deprecated-protocols`.
pub static DEPRECATED_PROTOCOLS: Cause = cause(
    Code::OriginDeprecatedProtocols,
    "deprecated-protocols",
    Severity::Low,
    ViewerImpact::None,
    "OriginSslProtocols of origin {origin_id} allows {deprecated_protocols}.",
    &[
        "Check that the origin speaks TLS 1.2 (cloudfront-tls-audit probe {origin_domain} --origin-ssl-protocols TLSv1.2).",
        "Then set OriginSslProtocols to TLSv1.2 only.",
    ],
);

// ---------------------------------------------------------------------------------------------
// Origin reachability and handshake

/// `origin-dns-failure`
pub static ORIGIN_DNS_FAILURE: Entry = Entry {
    id: "origin-dns-failure",
    family: Family::OriginTls,
    title: "The origin's domain name does not resolve",
    why: "CloudFront resolves origin names on public DNS; when that fails it answers 502 \
          (NonS3OriginDnsError).",
    docs:
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-dns-error.html",
    causes: &[&DNS_FAILURE],
};

/// The only cause of `origin-dns-failure`.
pub static DNS_FAILURE: Cause = cause(
    Code::OriginDnsFailure,
    "does-not-resolve",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} does not resolve ({detail}).",
    &[
        "Check the public DNS record: dig {origin_domain}. Records in a private hosted zone are invisible to CloudFront.",
        "If the origin moved, update the origin's DomainName in the distribution.",
    ],
);

/// `origin-connect-refused`
pub static ORIGIN_CONNECT_REFUSED: Entry = Entry {
    id: "origin-connect-refused",
    family: Family::OriginTls,
    title: "Nothing accepts connections on the origin's HTTPS port",
    why: "When the TCP connection is refused or reset, CloudFront cannot reach the origin and answers \
          502.",
    docs: DOCS_502,
    causes: &[&CONNECT_REFUSED],
};

/// The only cause of `origin-connect-refused`.
pub static CONNECT_REFUSED: Cause = cause(
    Code::OriginConnectRefused,
    "refused",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {address} refused the TCP connection on HTTPSPort {port}.",
    &[
        "Start the HTTPS listener on port {port} of {origin_domain}, or set the origin's HTTPSPort to the port it listens on.",
        "Allow CloudFront's origin-facing addresses (managed prefix list com.amazonaws.global.cloudfront.origin-facing) in security groups and firewalls.",
    ],
);

/// `origin-connect-timeout`
pub static ORIGIN_CONNECT_TIMEOUT: Entry = Entry {
    id: "origin-connect-timeout",
    family: Family::OriginTls,
    title: "The origin does not answer TCP within ConnectionTimeout",
    why: "A silently dropped connection (a firewall, a security group, a private address) makes \
          CloudFront wait ConnectionTimeout for each of ConnectionAttempts, then answer 504. AWS \
          documents both 502 and 504 for a blocked port (unconfirmed which); a timeout is reported as \
          504.",
    docs: DOCS_504,
    causes: &[&CONNECT_TIMEOUT],
};

/// The only cause of `origin-connect-timeout`.
pub static CONNECT_TIMEOUT: Cause = cause(
    Code::OriginConnectTimeout,
    "timeout",
    Severity::Critical,
    ViewerImpact::GatewayTimeout,
    "Origin {origin_id}: no TCP answer from {address} within {timeout_ms} ms (ConnectionTimeout).",
    &[
        "Allow CloudFront's origin-facing addresses (managed prefix list com.amazonaws.global.cloudfront.origin-facing) on port {port} in security groups, NACLs and firewalls.",
        "Check that {origin_domain} points at a public address that is up.",
    ],
);

/// `origin-handshake-timeout`
pub static ORIGIN_HANDSHAKE_TIMEOUT: Entry = Entry {
    id: "origin-handshake-timeout",
    family: Family::OriginTls,
    title: "The origin accepts TCP but does not complete the TLS handshake in time",
    why: "A listener that accepts connections and then stalls (overloaded, or not speaking TLS first) \
          holds CloudFront until it gives up with 504.",
    docs: DOCS_504,
    causes: &[&HANDSHAKE_TIMEOUT],
};

/// The only cause of `origin-handshake-timeout`.
pub static HANDSHAKE_TIMEOUT: Cause = cause(
    Code::OriginHandshakeTimeout,
    "stalled",
    Severity::Critical,
    ViewerImpact::GatewayTimeout,
    "Origin {origin_id}: {address} accepted TCP but sent no complete TLS answer (stalled at {stage}).",
    &[
        "Check that port {port} of {origin_domain} terminates TLS itself (not a proxy waiting for the client to speak first) and is not overloaded.",
        "Reproduce with: openssl s_client -connect {origin_domain}:{port} -servername {sni} -tls1_2.",
    ],
);

/// `origin-tls-protocol-mismatch`
pub static ORIGIN_TLS_PROTOCOL_MISMATCH: Entry = Entry {
    id: "origin-tls-protocol-mismatch",
    family: Family::OriginTls,
    title: "The origin speaks no protocol version CloudFront offers it",
    why: "CloudFront offers an origin only the versions in OriginSslProtocols (SSLv3 to TLS 1.2; it \
          offers no TLS 1.3 to origins, per the documented list). An origin that speaks none of them \
          fails the handshake: 502.",
    docs: DOCS_ORIGIN_CIPHERS,
    causes: &[
        &PROTOCOL_TLS13_ONLY,
        &PROTOCOL_NOT_ALLOWED,
        &LISTENER_POLICY_TLS13_ONLY,
        &LISTENER_POLICY_VERSIONS,
    ],
};

/// The origin only speaks TLS 1.3.
pub static PROTOCOL_TLS13_ONLY: Cause = cause(
    Code::OriginTlsProtocolMismatch,
    "tls13-only",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} refused CloudFront's hello ({offered_versions}) and answered TLS 1.3 when offered it; CloudFront never offers TLS 1.3 to origins.",
    &[
        "Enable TLS 1.2 on the origin next to TLS 1.3 (with an ECDHE AES-GCM cipher suite).",
    ],
);

/// The origin speaks a version the distribution does not allow.
pub static PROTOCOL_NOT_ALLOWED: Cause = cause(
    Code::OriginTlsProtocolMismatch,
    "version-not-allowed",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} speaks {origin_version}, which OriginSslProtocols ({offered_versions}) does not allow.",
    &[
        "Enable TLS 1.2 on the origin (preferred), or add {origin_version} to the origin's OriginSslProtocols.",
    ],
);

/// `origin-tls-no-shared-cipher`
pub static ORIGIN_TLS_NO_SHARED_CIPHER: Entry = Entry {
    id: "origin-tls-no-shared-cipher",
    family: Family::OriginTls,
    title: "The origin accepts the protocol but none of CloudFront's origin ciphers",
    why: "CloudFront offers origins a fixed cipher list: ECDHE with AES-GCM or AES-CBC, plain RSA \
          AES-CBC, 3DES, RC4. No CHACHA20 and no TLS 1.3 suites. Without a common suite the handshake \
          fails: 502.",
    docs: DOCS_ORIGIN_CIPHERS,
    causes: &[&NO_SHARED_CIPHER, &LISTENER_POLICY_NO_SHARED_CIPHER],
};

/// The only cause of `origin-tls-no-shared-cipher`.
pub static NO_SHARED_CIPHER: Cause = cause(
    Code::OriginTlsNoSharedCipher,
    "no-shared-cipher",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} accepts {origin_version} but none of CloudFront's origin ciphers (offered more, it chose {origin_cipher}).",
    &[
        "Enable TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (or the ECDSA variant for an EC certificate) on the origin; it is CloudFront's preferred origin suite.",
    ],
);

/// `origin-handshake-failed`
pub static ORIGIN_HANDSHAKE_FAILED: Entry = Entry {
    id: "origin-handshake-failed",
    family: Family::OriginTls,
    title: "The TLS handshake with the origin fails",
    why: "Any handshake CloudFront cannot complete (an alert, a reset, a demand for a client \
          certificate, a port that does not speak TLS) ends in 502.",
    docs: DOCS_502,
    causes: &[
        &HANDSHAKE_ALERT,
        &HANDSHAKE_CLOSED,
        &HANDSHAKE_CLIENT_CERTIFICATE,
        &HANDSHAKE_NOT_TLS,
        &HANDSHAKE_OVERSIZED,
        &HANDSHAKE_INCOMPLETE,
        &HANDSHAKE_MALFORMED,
        &HANDSHAKE_UNSOLICITED_EXTENSION,
    ],
};

/// A TLS alert CloudFront's hello cannot get past.
pub static HANDSHAKE_ALERT: Cause = cause(
    Code::OriginHandshakeFailed,
    "alert",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} answered CloudFront's ClientHello (SNI {sni}) with the alert {alert}.",
    &[
        "Check the origin's TLS error log for the connection from CloudFront, and reproduce with: openssl s_client -connect {origin_domain}:{port} -servername {sni} -tls1_2.",
    ],
);

/// The origin closed the connection.
pub static HANDSHAKE_CLOSED: Cause = cause(
    Code::OriginHandshakeFailed,
    "closed",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} closed the connection during the handshake ({stage}) with SNI {sni}.",
    &[
        "Check that the origin has a certificate for {sni} (servers often drop unknown SNI names) and its TLS error log.",
    ],
);

/// A client certificate is demanded.
pub static HANDSHAKE_CLIENT_CERTIFICATE: Cause = cause(
    Code::OriginHandshakeFailed,
    "client-certificate-required",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} demands a client certificate, and CloudFront sends none unless origin mTLS is configured.",
    &[
        "Stop requiring client certificates on the port CloudFront uses, or configure origin mTLS (OriginMtlsConfig with an ACM client certificate in us-east-1).",
    ],
);

/// Not TLS at all.
pub static HANDSHAKE_NOT_TLS: Cause = cause(
    Code::OriginHandshakeFailed,
    "not-tls",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: port {port} of {origin_domain} does not speak TLS (it answered {first_bytes}).",
    &[
        "Point HTTPSPort at the origin's TLS listener, or set OriginProtocolPolicy to http-only if this origin only serves HTTP (and fix that next).",
    ],
);

/// The origin sent more than a handshake could need.
pub static HANDSHAKE_OVERSIZED: Cause = cause(
    Code::OriginHandshakeFailed,
    "oversized",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sent more than {budget} bytes without finishing its first flight.",
    &[
        "Check the certificate chain the origin sends (it should be a leaf and one or two intermediates).",
    ],
);

/// The parameters were agreed but the handshake did not complete.
pub static HANDSHAKE_INCOMPLETE: Cause = cause(
    Code::OriginHandshakeFailed,
    "incomplete",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} agreed {origin_version} with {origin_cipher}, but the handshake failed: {detail}.",
    &[
        "The origin may require signature algorithms CloudFront does not offer (RSA-PSS in TLS 1.2) or client authentication; check its TLS configuration and error log.",
    ],
);

/// The origin spoke TLS, then sent a record or message no TLS client accepts.
pub static HANDSHAKE_MALFORMED: Cause = cause(
    Code::OriginHandshakeFailed,
    "malformed",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sent a malformed TLS handshake ({stage}): {detail}.",
    &[
        "A TLS client aborts on a malformed record or message; check what listens on {origin_domain}:{port} (a proxy or load balancer in front of the origin may be mangling TLS), and reproduce with: openssl s_client -connect {origin_domain}:{port} -servername {sni} -tls1_2 -msg.",
    ],
);

/// The ServerHello carried an extension the ClientHello never offered.
pub static HANDSHAKE_UNSOLICITED_EXTENSION: Cause = cause(
    Code::OriginHandshakeFailed,
    "unsolicited-extension",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} answered CloudFront's ClientHello (SNI {sni}) with the extension {extension_name} ({extension}), which CloudFront never offered; a TLS client must abort the handshake (unsupported_extension).",
    &[
        "Find what adds {extension_name} to the ServerHello (a TLS terminator, a load balancer, a custom TLS stack) and make it send only extensions the client offered (RFC 5246 §7.4.1.4, RFC 8446 §4.2).",
        "Reproduce with: openssl s_client -connect {origin_domain}:{port} -servername {sni} -tls1_2 -msg and read the ServerHello's extensions.",
    ],
);

// ---------------------------------------------------------------------------------------------
// Origin certificate

/// `origin-cert-expired`
pub static ORIGIN_CERT_EXPIRED: Entry = Entry {
    id: "origin-cert-expired",
    family: Family::OriginCertificate,
    title: "A certificate the origin sends has expired",
    why:
        "CloudFront drops the connection to an origin whose certificate (or an intermediate in its \
          chain) has expired: 502.",
    docs: DOCS_502,
    causes: &[&ORIGIN_EXPIRED, &LISTENER_CERT_EXPIRED],
};

/// The only cause of `origin-cert-expired`.
pub static ORIGIN_EXPIRED: Cause = cause(
    Code::OriginCertExpired,
    "expired",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the {position} certificate {certificate_subject} sent by {origin_domain} expired on {not_after}.",
    &[
        "Renew the origin's certificate (or install the current intermediate) and reload the server.",
        "Then check again: cloudfront-tls-audit probe {origin_domain}:{port} --sni {sni}.",
    ],
);

/// `origin-cert-not-yet-valid`
pub static ORIGIN_CERT_NOT_YET_VALID: Entry = Entry {
    id: "origin-cert-not-yet-valid",
    family: Family::OriginCertificate,
    title: "A certificate the origin sends is not valid yet",
    why: "Before its NotBefore a certificate is as invalid as an expired one: 502.",
    docs: DOCS_502,
    causes: &[&ORIGIN_NOT_YET_VALID, &LISTENER_CERT_NOT_YET_VALID],
};

/// The only cause of `origin-cert-not-yet-valid`.
pub static ORIGIN_NOT_YET_VALID: Cause = cause(
    Code::OriginCertNotYetValid,
    "not-yet-valid",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the {position} certificate {certificate_subject} sent by {origin_domain} is valid only from {not_before}.",
    &[
        "Keep serving the previous certificate until {not_before}, or re-issue one whose validity has started; check the signer's clock.",
    ],
);

/// `origin-cert-expiring`
pub static ORIGIN_CERT_EXPIRING: Entry = Entry {
    id: "origin-cert-expiring",
    family: Family::OriginCertificate,
    title: "The origin's certificate expires soon",
    why: "When it expires CloudFront will answer 502 for this origin. The thresholds are shares of the \
          certificate's own lifetime (public lifetimes shrink to 200, 100 and 47 days from 2026 to \
          2029): medium in the last third, high in the last tenth, critical in the last 3 days; never \
          earlier than 30 and 14 days before expiry (what long-lived certificates get), never later \
          than 7 and 3 days.",
    docs: DOCS_502,
    causes: &[&ORIGIN_EXPIRING, &LISTENER_CERT_EXPIRING],
};

/// The only cause of `origin-cert-expiring`.
pub static ORIGIN_EXPIRING: Cause = Cause {
    code: Code::OriginCertExpiring,
    id: "expiring",
    severity: Severity::Medium,
    other_severities: &[Severity::High, Severity::Critical],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Origin {origin_id}: the {position} certificate {certificate_subject} sent by {origin_domain} expires on {not_after}, in {days_left} days (lifetime {lifetime}).",
    remediation: &[
        "Renew it before {not_after} and reload the server; automate renewal if it is not (ACME, or ACM behind a load balancer).",
    ],
};

/// `origin-cert-self-signed`
pub static ORIGIN_CERT_SELF_SIGNED: Entry = Entry {
    id: "origin-cert-self-signed",
    family: Family::OriginCertificate,
    title: "The origin sends a self-signed certificate",
    why: "CloudFront only accepts origin certificates from CAs on Mozilla's list; a self-signed \
          certificate fails the handshake: 502.",
    docs: DOCS_ORIGIN_HTTPS,
    causes: &[&SELF_SIGNED],
};

/// The only cause of `origin-cert-self-signed`.
pub static SELF_SIGNED: Cause = cause(
    Code::OriginCertSelfSigned,
    "self-signed",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sends a self-signed certificate ({certificate_subject}).",
    &[
        "Install a certificate for {sni} from a publicly trusted CA (or put the origin behind an Elastic Load Balancer with an ACM certificate).",
    ],
);

/// `origin-cert-untrusted-root`
pub static ORIGIN_CERT_UNTRUSTED_ROOT: Entry = Entry {
    id: "origin-cert-untrusted-root",
    family: Family::OriginCertificate,
    title: "The origin's chain ends at a CA CloudFront does not trust",
    why:
        "CloudFront trusts the CAs on Mozilla's list (the same list as webpki-roots). A private or \
          internal CA fails the handshake: 502.",
    docs: DOCS_ORIGIN_HTTPS,
    causes: &[
        &UNTRUSTED_ROOT,
        &PRIVATE_ROOT,
        &LISTENER_CERT_PRIVATE,
        &LISTENER_CERT_NOT_ISSUED,
    ],
};

/// The only cause of `origin-cert-untrusted-root`.
pub static UNTRUSTED_ROOT: Cause = cause(
    Code::OriginCertUntrustedRoot,
    "untrusted-root",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the chain sent by {origin_domain} ends at {root_subject}, which is not a publicly trusted CA.",
    &[
        "Install a certificate for {sni} from a publicly trusted CA; private CAs work only behind a load balancer that terminates TLS with a public certificate.",
    ],
);

/// The origin sends its intermediates, but the CA above them was not sent and is no public CA: a
/// private CA (the misdiagnosis of issue 10 was to call this a missing intermediate).
pub static PRIVATE_ROOT: Cause = cause(
    Code::OriginCertUntrustedRoot,
    "private-root",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the chain sent by {origin_domain} ends at {root_subject}, the issuer of {certificate_subject}, which is neither a trusted root nor a CA known to the CCADB (list of {ccadb_as_of}): the certificate comes from a private CA.",
    &[
        "Install a certificate for {sni} from a publicly trusted CA; a private CA works only behind a load balancer that terminates TLS with a public certificate (CloudFront needs a CA on Mozilla's list).",
        "If {root_subject} is a public CA newer than the list, send its certificate after {certificate_subject} and run make ccadb.",
    ],
);

/// `origin-cert-chain-incomplete`
pub static ORIGIN_CERT_CHAIN_INCOMPLETE: Entry = Entry {
    id: "origin-cert-chain-incomplete",
    family: Family::OriginCertificate,
    title: "The origin does not send the intermediate certificate",
    why: "CloudFront does not fetch missing intermediates: without the full chain it drops the \
          connection: 502. Browsers often hide this by caching intermediates.",
    docs: DOCS_502,
    causes: &[&CHAIN_INCOMPLETE, &CHAIN_INCOMPLETE_OR_PRIVATE_CA],
};

/// The issuer not sent is a public CA (a Mozilla root's or a CCADB-disclosed CA's name), or the walk
/// broke on a certificate it could not read or a loop: the intermediate is missing.
pub static CHAIN_INCOMPLETE: Cause = cause(
    Code::OriginCertChainIncomplete,
    "missing-intermediate",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} does not send the issuer of {certificate_subject} ({missing_issuer}), and it is not a trusted root.",
    &[
        "Configure the server with the full chain: the leaf, then each intermediate (for example fullchain.pem rather than cert.pem).",
    ],
);

/// The origin sends its leaf alone and the issuer's name is no CA the tool knows: a missing
/// intermediate of a CA newer than the list, or a private CA. Without the issuer's certificate the
/// tool cannot tell (CloudFront does not fetch it either), so the finding gives both.
pub static CHAIN_INCOMPLETE_OR_PRIVATE_CA: Cause = cause(
    Code::OriginCertChainIncomplete,
    "missing-issuer-or-private-ca",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sends {certificate_subject} alone; its issuer {missing_issuer} is neither a trusted root nor a CA known to the CCADB (list of {ccadb_as_of}). Either the intermediate is missing, or the certificate comes from a private CA.",
    &[
        "If {missing_issuer} is a public CA: configure the server with the full chain, the leaf then each intermediate (for example fullchain.pem rather than cert.pem).",
        "If it is a private or internal CA: install a certificate for {sni} from a publicly trusted CA (CloudFront trusts only the CAs on Mozilla's list), or terminate TLS at a load balancer with a public certificate.",
    ],
);

/// `origin-cert-chain-misordered`
pub static ORIGIN_CERT_CHAIN_MISORDERED: Entry = Entry {
    id: "origin-cert-chain-misordered",
    family: Family::OriginCertificate,
    title: "The origin sends its certificates out of order",
    why: "CloudFront expects the leaf first, each certificate followed by its issuer; a chain in the \
          wrong order makes it drop the connection: 502.",
    docs: DOCS_502,
    causes: &[&CHAIN_MISORDERED],
};

/// The only cause of `origin-cert-chain-misordered`.
pub static CHAIN_MISORDERED: Cause = cause(
    Code::OriginCertChainMisordered,
    "misordered",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sends its chain out of order: {sent_order}.",
    &[
        "Order the chain file leaf first, then the intermediate that signed it, and so on up; reload the server.",
    ],
);

/// `origin-cert-chain-oversized`
pub static ORIGIN_CERT_CHAIN_OVERSIZED: Entry = Entry {
    id: "origin-cert-chain-oversized",
    family: Family::OriginCertificate,
    title: "The origin sends a certificate chain larger than TLS clients accept",
    why: "TLS clients cap the chain a server may send: s2n-tls (AWS's TLS library) refuses more than \
          7 certificates by default, rustls and s2n-tls refuse a Certificate message over 64 KiB, and \
          path builders give up on chains that need too many signature checks (rustls-webpki after \
          100; this tool after 16). Whether CloudFront refuses such a chain \
          is unconfirmed; the conservative reading is that it may drop the connection: 502. Only the \
          part within the caps was analysed.",
    docs: DOCS_502,
    causes: &[&CHAIN_TOO_MANY_CERTIFICATES, &CHAIN_TOO_MANY_BYTES, &CHAIN_VERIFICATION_BUDGET],
};

/// More certificates than s2n-tls accepts by default.
pub static CHAIN_TOO_MANY_CERTIFICATES: Cause = cause(
    Code::OriginCertChainOversized,
    "too-many-certificates",
    Severity::High,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sends {certificates_sent} certificates ({certificate_bytes} bytes); TLS clients such as s2n-tls refuse more than {certificate_limit}, and CloudFront may too. Only the first {certificates_analysed} were analysed.",
    &[
        "Send only the leaf and the intermediates up to (not including) the root, usually two or three certificates; remove duplicates and unrelated certificates from the chain file.",
    ],
);

/// A Certificate message longer than rustls and s2n-tls accept.
pub static CHAIN_TOO_MANY_BYTES: Cause = cause(
    Code::OriginCertChainOversized,
    "too-many-bytes",
    Severity::High,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: {origin_domain} sends a Certificate message of {certificate_bytes} bytes ({certificates_sent} certificates); rustls and s2n-tls refuse more than {byte_limit}, and CloudFront may too. Only the first {certificates_analysed} certificates were analysed.",
    &[
        "Send only the leaf and the intermediates up to (not including) the root; remove duplicates and unrelated certificates, and avoid certificates with huge names or extensions.",
    ],
);

/// The sent certificates name each other as issuers so that judging them takes more signature checks
/// than rustls-webpki allows.
pub static CHAIN_VERIFICATION_BUDGET: Cause = cause(
    Code::OriginCertChainOversized,
    "verification-budget",
    Severity::High,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: judging the {certificates_sent} certificates {origin_domain} sends takes more than {signature_budget} signature checks (certificates sharing or naming each other's issuer names); path builders give up on such chains (rustls-webpki after 100 checks), and CloudFront may too. The order, completeness and root were not judged.",
    &[
        "Send one path only: the leaf, then the intermediate that signed it, and so on up; remove cross-signed duplicates and unrelated certificates.",
    ],
);

/// `origin-cert-name-mismatch`
pub static ORIGIN_CERT_NAME_MISMATCH: Entry = Entry {
    id: "origin-cert-name-mismatch",
    family: Family::OriginCertificate,
    title: "The origin's certificate does not cover the name CloudFront checks",
    why: "CloudFront checks the origin certificate against the origin's domain name, or against the \
          viewer's Host when a behaviour forwards Host to the origin (then Host is also the SNI, an \
          inference from AWS's troubleshooting guide). A SAN must match (the CN only when there are \
          no SANs), wildcards covering one label: otherwise 502.",
    docs: DOCS_502,
    causes: &[
        &NAME_MISMATCH_ORIGIN_DOMAIN,
        &NAME_MISMATCH_FORWARDED_HOST,
        &NAME_MISMATCH_REQUESTED_SNI,
        &LISTENER_NAME_ORIGIN_DOMAIN,
        &LISTENER_NAME_FORWARDED_HOST,
    ],
};

/// The origin domain is not covered.
pub static NAME_MISMATCH_ORIGIN_DOMAIN: Cause = cause(
    Code::OriginCertNameMismatch,
    "origin-domain",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the certificate from {origin_domain} does not cover {sni} (names: {certificate_names}).",
    &[
        "Re-issue the origin certificate with {sni} in its SANs.",
        "Or set the origin's DomainName to a name the certificate covers (and that resolves to the origin).",
    ],
);

/// A name asked for by hand (`probe --sni`) is not covered.
pub static NAME_MISMATCH_REQUESTED_SNI: Cause = cause(
    Code::OriginCertNameMismatch,
    "requested-sni",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: the certificate it sends for SNI {sni} does not cover {sni} (names: {certificate_names}).",
    &[
        "If behaviours forward the viewer's Host to this origin, add {sni} to the origin certificate's SANs, or stop forwarding Host (the managed origin request policy AllViewerExceptHostHeader).",
        "If the origin serves several certificates by SNI, install one covering {sni}.",
    ],
);

/// The forwarded Host (an alias) is not covered.
pub static NAME_MISMATCH_FORWARDED_HOST: Cause = cause(
    Code::OriginCertNameMismatch,
    "forwarded-host",
    Severity::Critical,
    ViewerImpact::BadGateway,
    "Origin {origin_id}: behaviours {behaviors} forward the viewer's Host, so CloudFront checks the origin certificate against {sni}; it covers only {certificate_names}.",
    &[
        "Add {sni} to the origin certificate's SANs.",
        "Or stop forwarding Host to this origin (the managed origin request policy AllViewerExceptHostHeader, or remove Host from the cache policy) so CloudFront checks {origin_domain} instead.",
    ],
);

// ---------------------------------------------------------------------------------------------
// Edge

/// `viewer-edge-cert-mismatch`
pub static VIEWER_EDGE_CERT_MISMATCH: Entry = Entry {
    id: "viewer-edge-cert-mismatch",
    family: Family::Edge,
    title: "The edge serves a different certificate than the one configured",
    why: "What viewers get is what the edge serves. A served certificate that does not cover the alias \
          breaks HTTPS; one that covers it but is not the configured certificate (stale after a \
          renewal, or the alias answered by another distribution) is a change that has not landed.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
    causes: &[&EDGE_NOT_COVERING, &EDGE_STALE],
};

/// The served certificate does not cover the alias.
pub static EDGE_NOT_COVERING: Cause = cause(
    Code::ViewerEdgeCertMismatch,
    "not-covering",
    Severity::Critical,
    ViewerImpact::CertWarning,
    "For {alias}, the edge ({edge_host}) serves {served_subject}, which does not cover {alias} (names: {served_names}).",
    &[
        "Check that DNS for {alias} points at this distribution ({edge_host}) and that the alias is on it.",
        "Attach a certificate that covers {alias}; if one is attached, wait for the distribution to be Deployed and check again.",
    ],
);

/// The served certificate is not the configured one.
pub static EDGE_STALE: Cause = cause(
    Code::ViewerEdgeCertMismatch,
    "not-configured-certificate",
    Severity::High,
    ViewerImpact::None,
    "For {alias}, the edge serves serial {served_serial} (expires {served_not_after}), not the configured certificate (serial {configured_serial}).",
    &[
        "If the certificate was renewed or replaced recently, wait for the distribution to be Deployed and check again.",
        "Otherwise check which distribution answers {alias}: aws cloudfront list-conflicting-aliases --distribution-id {distribution_id} --alias {alias}.",
    ],
);

/// `viewer-edge-handshake-failed`
pub static VIEWER_EDGE_HANDSHAKE_FAILED: Entry = Entry {
    id: "viewer-edge-handshake-failed",
    family: Family::Edge,
    title: "The edge does not complete a TLS handshake for an alias",
    why: "A viewer asking for the alias cannot connect over HTTPS.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    causes: &[&EDGE_HANDSHAKE_FAILED],
};

/// The only cause of `viewer-edge-handshake-failed`.
pub static EDGE_HANDSHAKE_FAILED: Cause = cause(
    Code::ViewerEdgeHandshakeFailed,
    "handshake-failed",
    Severity::Critical,
    ViewerImpact::CertWarning,
    "The edge ({edge_host}) did not complete a TLS handshake for {alias}: {detail}.",
    &[
        "Check that {alias} is an alias of this distribution and that its certificate covers it; reproduce with: openssl s_client -connect {edge_host}:443 -servername {alias}.",
    ],
);

/// `viewer-edge-not-verified`
pub static VIEWER_EDGE_NOT_VERIFIED: Entry = Entry {
    id: "viewer-edge-not-verified",
    family: Family::Edge,
    title: "The edge was not verified yet",
    why:
        "While a change is InProgress, edges serve a mix of the old and new configuration, so what \
          one edge serves proves nothing. The check runs again once the distribution is Deployed.",
    docs: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html",
    causes: &[&EDGE_NOT_VERIFIED],
};

/// The only cause of `viewer-edge-not-verified`.
pub static EDGE_NOT_VERIFIED: Cause = cause(
    Code::ViewerEdgeNotVerified,
    "in-progress",
    Severity::Info,
    ViewerImpact::None,
    "Distribution status is {status}: the certificate served at the edge was not verified yet.",
    &["Run the audit again once the distribution is Deployed (aws cloudfront wait distribution-deployed --id {distribution_id})."],
);
