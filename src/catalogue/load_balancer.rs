//! Entries and causes for origins behind Elastic Load Balancing and CloudFront VPC origins, judged
//! from the load balancer's configuration (its listener, security policy and certificates) rather
//! than from a handshake. Causes of codes the live probe shares (`origin-tls-protocol-mismatch`,
//! `origin-cert-name-mismatch`, …) are listed by those codes' entries in `origin.rs`.

use super::{Cause, Code, Entry, Family};
use super::{Severity, ViewerImpact};

const DOCS_ALB_LISTENERS: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html";
const DOCS_VPC_ORIGINS: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html";

/// The security policy the remediation names: TLS 1.3 and TLS 1.2 with ECDHE AES-GCM only, which
/// CloudFront offers origins; AWS's recommendation and the console's default (ELB guides, 2025).
pub const RECOMMENDED_ELB_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/// A critical 502 judged from the load balancer's configuration.
const fn bad_gateway(
    code: Code,
    id: &'static str,
    message: &'static str,
    remediation: &'static [&'static str],
) -> Cause {
    Cause {
        code,
        id,
        severity: Severity::Critical,
        other_severities: &[],
        impact: ViewerImpact::BadGateway,
        impact_when_proposed: None,
        message,
        remediation,
    }
}

// ---------------------------------------------------------------------------------------------
// origin-lb-listener-missing

/// `origin-lb-listener-missing`
pub static ORIGIN_LB_LISTENER_MISSING: Entry = Entry {
    id: "origin-lb-listener-missing",
    family: Family::OriginTls,
    title: "The load balancer has no HTTPS or TLS listener on the port CloudFront connects to",
    why: "CloudFront connects to the origin's HTTPSPort (of the origin, or of its VPC origin). A load \
          balancer with no listener there refuses or drops the connection; one whose listener there \
          speaks HTTP answers CloudFront's TLS hello with something that is not TLS. Either way: \
          502. (A Network Load Balancer's TCP listener passes TLS through to its targets: the live \
          probe judges those.)",
    docs: DOCS_ALB_LISTENERS,
    causes: &[&NO_LISTENER_ON_PORT, &LISTENER_NOT_TLS],
};

/// No listener at all on the port.
pub static NO_LISTENER_ON_PORT: Cause = bad_gateway(
    Code::OriginLbListenerMissing,
    "no-listener-on-port",
    "Origin {origin_id}: load balancer {load_balancer_name} has no listener on port {port}, the port CloudFront connects to (its listeners: {listener_ports}).",
    &[
        "Add an HTTPS listener on port {port}: aws elbv2 create-listener --region {region} --load-balancer-arn {load_balancer_arn} --protocol HTTPS --port {port} --certificates CertificateArn=ARN --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 --default-actions ...",
        "Or set the origin's HTTPSPort to the port of an existing HTTPS listener.",
    ],
);

/// A listener on the port that does not terminate TLS.
pub static LISTENER_NOT_TLS: Cause = bad_gateway(
    Code::OriginLbListenerMissing,
    "listener-not-tls",
    "Origin {origin_id}: the listener on port {port} of load balancer {load_balancer_name} ({listener_arn}) speaks {listener_protocol}, not HTTPS or TLS; CloudFront's TLS handshake fails there.",
    &[
        "Make the listener on port {port} an HTTPS listener (TLS for a Network Load Balancer) with a certificate covering {sni}: aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --protocol HTTPS --certificates CertificateArn=ARN --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.",
        "Or point the origin's HTTPSPort at the load balancer's HTTPS listener.",
    ],
);

// ---------------------------------------------------------------------------------------------
// Causes of codes the probe shares

/// The listener's policy allows only TLS 1.3.
pub static LISTENER_POLICY_TLS13_ONLY: Cause = bad_gateway(
    Code::OriginTlsProtocolMismatch,
    "listener-policy-tls13-only",
    "Origin {origin_id}: listener {listener_arn} (port {port}) uses {ssl_policy}, which allows only {policy_protocols}; CloudFront never offers TLS 1.3 to an origin (it offers {offered_versions}).",
    &[
        "Set the listener's policy to ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (TLS 1.3 and TLS 1.2 with ECDHE AES-GCM, which CloudFront offers; ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09 where FIPS is required): aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.",
        "Viewers keep TLS 1.3 at the edge; only the hop from CloudFront to the load balancer uses TLS 1.2.",
    ],
);

/// The policy's versions and OriginSslProtocols do not meet.
pub static LISTENER_POLICY_VERSIONS: Cause = bad_gateway(
    Code::OriginTlsProtocolMismatch,
    "listener-policy-versions",
    "Origin {origin_id}: listener {listener_arn} (port {port}) uses {ssl_policy}, which allows {policy_protocols}; the origin's OriginSslProtocols offers only {offered_versions}.",
    &[
        "Add {versions_to_offer} to the origin's OriginSslProtocols (the policy allows it; TLSv1.2 is the one to keep).",
        "Or set the listener's policy to ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 and the origin's OriginSslProtocols to TLSv1.2: aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.",
    ],
);

/// No cipher of the policy is one CloudFront offers, for the versions both allow.
pub static LISTENER_POLICY_NO_SHARED_CIPHER: Cause = bad_gateway(
    Code::OriginTlsNoSharedCipher,
    "listener-policy",
    "Origin {origin_id}: listener {listener_arn} (port {port}) uses {ssl_policy}; for {shared_versions} its ciphers ({policy_ciphers}) include none that CloudFront offers origins.",
    &[
        "Set the listener's policy to ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (ECDHE AES-GCM for TLS 1.2, which CloudFront offers): aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.",
    ],
);

/// No listener certificate covers the origin's domain name.
pub static LISTENER_NAME_ORIGIN_DOMAIN: Cause = bad_gateway(
    Code::OriginCertNameMismatch,
    "listener-origin-domain",
    "Origin {origin_id}: no certificate of listener {listener_arn} (default or SNI) covers {sni}, the name CloudFront checks; they cover {certificate_names}.",
    &[
        "Set the origin domain to {covered_name}, a name the listener's certificate covers, pointing at the load balancer (a DNS alias record for {covered_name} to {load_balancer_dns_name}).",
        "Or add a certificate covering {sni} to the listener (an ALB chooses it by SNI): aws elbv2 add-listener-certificates --region {region} --listener-arn {listener_arn} --certificates CertificateArn=ARN.",
    ],
);

/// Host is forwarded and no listener certificate covers the alias CloudFront sends.
pub static LISTENER_NAME_FORWARDED_HOST: Cause = bad_gateway(
    Code::OriginCertNameMismatch,
    "listener-forwarded-host",
    "Origin {origin_id}: behaviours {behaviors} forward the viewer's Host, so CloudFront sends and checks {sni}; no certificate of listener {listener_arn} (default or SNI) covers it (they cover {certificate_names}).",
    &[
        "Add a certificate covering {sni} to the listener (an ALB chooses it by SNI): aws elbv2 add-listener-certificates --region {region} --listener-arn {listener_arn} --certificates CertificateArn=ARN.",
        "Or stop forwarding Host to this origin (the managed origin request policy AllViewerExceptHostHeader) so CloudFront checks {origin_domain} instead.",
    ],
);

/// A listener certificate past its end.
pub static LISTENER_CERT_EXPIRED: Cause = bad_gateway(
    Code::OriginCertExpired,
    "listener-certificate",
    "Origin {origin_id}: certificate {certificate_arn} of listener {listener_arn} expired on {not_after} (ACM status {certificate_status}).",
    &[
        "Import or request a valid certificate in {region} and make it the listener's: aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --certificates CertificateArn=NEW_ARN.",
    ],
);

/// A listener certificate not valid yet.
pub static LISTENER_CERT_NOT_YET_VALID: Cause = bad_gateway(
    Code::OriginCertNotYetValid,
    "listener-certificate",
    "Origin {origin_id}: certificate {certificate_arn} of listener {listener_arn} is valid only from {not_before}.",
    &["Serve a certificate that is valid now, or wait until {not_before} before switching the listener to it."],
);

/// A listener certificate close to its end.
pub static LISTENER_CERT_EXPIRING: Cause = Cause {
    code: Code::OriginCertExpiring,
    id: "listener-certificate",
    severity: Severity::Medium,
    other_severities: &[Severity::High, Severity::Critical],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Origin {origin_id}: certificate {certificate_arn} of listener {listener_arn} expires on {not_after}, in {days_left} days (lifetime {lifetime}; {renewal}).",
    remediation: &[
        "Renew or replace it in ACM ({region}) before {not_after}; an imported certificate is never renewed by ACM: re-import it, or request an ACM certificate (renewed automatically) for the listener.",
    ],
};

/// A private CA's certificate: not publicly trusted.
pub static LISTENER_CERT_PRIVATE: Cause = bad_gateway(
    Code::OriginCertUntrustedRoot,
    "listener-private-ca",
    "Origin {origin_id}: certificate {certificate_arn} of listener {listener_arn} is issued by a private CA (ACM type PRIVATE); CloudFront trusts only public CAs.",
    &[
        "Request a public ACM certificate covering {sni} in {region} and make it the listener's (aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --certificates CertificateArn=NEW_ARN).",
    ],
);

/// A listener certificate ACM does not call issued (revoked, failed, …): conservatively a failure.
pub static LISTENER_CERT_NOT_ISSUED: Cause = bad_gateway(
    Code::OriginCertUntrustedRoot,
    "listener-certificate-not-issued",
    "Origin {origin_id}: ACM says certificate {certificate_arn} of listener {listener_arn} is {certificate_status}, not ISSUED; whether CloudFront still accepts it is unconfirmed, so it is reported as failing.",
    &[
        "Replace it with an issued public certificate covering {sni} (aws elbv2 modify-listener --region {region} --listener-arn {listener_arn} --certificates CertificateArn=NEW_ARN).",
    ],
);

// ---------------------------------------------------------------------------------------------
// origin-not-probed

/// `origin-not-probed`
pub static ORIGIN_NOT_PROBED: Entry = Entry {
    id: "origin-not-probed",
    family: Family::OriginTls,
    title: "An origin is judged by configuration only",
    why: "A VPC origin sits in private subnets that only CloudFront reaches, so no handshake from \
          outside can tell what CloudFront gets; its TLS settings live on the VPC origin resource and \
          the load balancer or instance behind it, and are judged from those. A load balancer name \
          this account cannot read gets the live probe only. Each says what was checked instead.",
    docs: DOCS_VPC_ORIGINS,
    causes: &[
        &VPC_ORIGIN_CONFIGURATION_ONLY,
        &VPC_ORIGIN_NOT_DEPLOYED,
        &LOAD_BALANCER_NOT_FOUND,
    ],
};

/// A VPC origin: configuration only, by design.
pub static VPC_ORIGIN_CONFIGURATION_ONLY: Cause = Cause {
    code: Code::OriginNotProbed,
    id: "vpc-origin",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Origin {origin_id} is VPC origin {vpc_origin_id} ({endpoint_arn}), reached only by CloudFront inside the VPC: judged by configuration only ({checked}).",
    remediation: &[
        "Nothing to do. To see what CloudFront gets, request the distribution's domain and check the origin's access logs or the load balancer's TLS metrics (ClientTLSNegotiationErrorCount).",
    ],
};

/// A VPC origin that CloudFront cannot use yet.
pub static VPC_ORIGIN_NOT_DEPLOYED: Cause = Cause {
    code: Code::OriginNotProbed,
    id: "vpc-origin-not-deployed",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "VPC origin {vpc_origin_id} of origin {origin_id} is {vpc_origin_status}, not Deployed: CloudFront cannot use it yet.",
    remediation: &[
        "Wait for it to deploy (aws cloudfront get-vpc-origin --id {vpc_origin_id}); if it stays {vpc_origin_status}, check the endpoint {endpoint_arn} exists and is in a private subnet.",
    ],
};

/// A load balancer name no load balancer of this account answers to.
pub static LOAD_BALANCER_NOT_FOUND: Cause = Cause {
    code: Code::OriginNotProbed,
    id: "load-balancer-not-found",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Origin {origin_id}: {origin_domain} is an Elastic Load Balancing name, but no Application or Network Load Balancer of this account has it ({reason}); its listener was not judged, only the live probe counts.",
    remediation: &[
        "If the load balancer is in another account, audit that account too; a Classic Load Balancer is not read.",
    ],
};
