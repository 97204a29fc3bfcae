//! The plain-data view of an account that every rule reads: the [`Snapshot`].
//!
//! Nothing here knows about the AWS SDK. Enum values that CloudFront and ACM add faster than the SDK
//! learns them (`TLSv1.3_2025`, `RSA-2048`) are kept as the strings the service sent.

mod load_balancer;

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;

use crate::vocabulary::{DistributionStatus, OriginProtocolPolicy, SslSupportMethod};

pub use load_balancer::{
    arn_region, is_load_balancer_arn, is_vpc_origin_id, Listener, ListenerCertificate,
    LoadBalancer, LoadBalancerLookup, LoadBalancerRef, SslPolicy, SslPolicyLookup, SslPolicyRef,
    VpcOrigin, VpcOriginLookup,
};

/// Everything one audit knows about the account, read once by the inventory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// The distributions in scope.
    pub distributions: Vec<Distribution>,
    /// One lookup per distinct viewer certificate referenced by the distributions.
    pub certificates: BTreeMap<CertificateRef, CertificateLookup>,
    /// One lookup per distinct cache policy id referenced by a cache behaviour.
    pub cache_policies: BTreeMap<String, PolicyLookup>,
    /// One lookup per distinct origin request policy id referenced by a cache behaviour.
    pub origin_request_policies: BTreeMap<String, PolicyLookup>,
    /// Reads that failed outside any one certificate or policy (listing, a named distribution).
    pub gaps: Vec<ReadFailure>,
    /// One lookup per distinct VPC origin id the distributions' origins use.
    pub vpc_origins: BTreeMap<String, VpcOriginLookup>,
    /// One lookup per distinct load balancer behind an origin (by its DNS name or, for a VPC origin,
    /// its ARN), with its listeners and their certificates.
    pub load_balancers: BTreeMap<LoadBalancerRef, LoadBalancerLookup>,
    /// One lookup per distinct security policy of those listeners, per region.
    pub ssl_policies: BTreeMap<SslPolicyRef, SslPolicyLookup>,
    /// One lookup per distinct certificate those listeners serve, by ARN (ACM in the load
    /// balancer's region, or IAM). Kept apart from `certificates`: a viewer certificate is judged by
    /// CloudFront's rules (us-east-1 only), a listener's by the load balancer's.
    pub listener_certificates: BTreeMap<String, CertificateLookup>,
}

impl Snapshot {
    /// The load balancer CloudFront reaches through `origin` over TLS, when it is one: a custom origin
    /// whose `DomainName` is a load balancer's name, or a VPC origin (once read) whose endpoint is a
    /// load balancer. `None` for http-only origins: no handshake reaches the listener's policy.
    pub fn load_balancer_target<'a>(
        &'a self,
        origin: &'a Origin,
    ) -> Option<LoadBalancerTarget<'a>> {
        match &origin.kind {
            OriginKind::Custom(custom) if custom.origin_protocol_policy.uses_tls() => {
                Some(LoadBalancerTarget {
                    reference: LoadBalancerRef::from_dns_name(&origin.domain_name)?,
                    https_port: custom.https_port.unwrap_or(443),
                    origin_ssl_protocols: &custom.origin_ssl_protocols,
                    vpc_origin: None,
                })
            }
            OriginKind::Vpc { vpc_origin_id, .. } => match self.vpc_origins.get(vpc_origin_id) {
                Some(VpcOriginLookup::Found(vpc)) if vpc.origin_protocol_policy.uses_tls() => {
                    Some(LoadBalancerTarget {
                        reference: vpc.load_balancer()?,
                        https_port: vpc.https_port,
                        origin_ssl_protocols: &vpc.origin_ssl_protocols,
                        vpc_origin: Some(vpc),
                    })
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The lookup for a distribution's viewer certificate, if it names one.
    pub fn certificate_for(&self, distribution: &Distribution) -> Option<&CertificateLookup> {
        distribution
            .viewer_certificate
            .certificate_ref()
            .and_then(|reference| self.certificates.get(&reference))
    }
}

/// A load balancer an origin reaches over TLS, with what CloudFront offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerTarget<'a> {
    /// The load balancer.
    pub reference: LoadBalancerRef,
    /// The port CloudFront connects to (`HTTPSPort`, of the origin or of the VPC origin).
    pub https_port: i32,
    /// The protocols CloudFront offers (`OriginSslProtocols`).
    pub origin_ssl_protocols: &'a [String],
    /// The VPC origin in between, when there is one.
    pub vpc_origin: Option<&'a VpcOrigin>,
}

/// Which distributions an audit covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "ids")]
pub enum Scope {
    /// Every distribution in the account (paginated ListDistributions).
    AllDistributions,
    /// These distribution ids (GetDistribution each).
    Distributions(Vec<String>),
}

/// A resource behind origins that a change event names: the audit covers the distributions whose
/// origins reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum OriginResource {
    /// An Elastic Load Balancing load balancer, by ARN (a listener's ARN names its load balancer).
    LoadBalancer(String),
    /// A CloudFront VPC origin, by id (`vo_…`).
    VpcOrigin(String),
}

impl std::fmt::Display for OriginResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginResource::LoadBalancer(arn) => write!(f, "load balancer {arn}"),
            OriginResource::VpcOrigin(id) => write!(f, "VPC origin {id}"),
        }
    }
}

/// Where a distribution came from: the live account or a configuration file under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DistributionOrigin {
    /// Read from CloudFront: viewers see this configuration now.
    Live,
    /// A proposed configuration (`check-config`, a rejected CloudTrail call): nothing is deployed yet.
    Proposed,
}

/// One CloudFront distribution, reduced to what the TLS rules need.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    /// The distribution id (`E…`), or a label for a proposed configuration.
    pub id: String,
    /// The distribution ARN, when known.
    pub arn: Option<String>,
    /// The `*.cloudfront.net` domain name, when known.
    pub domain_name: Option<String>,
    /// `Deployed` or `InProgress`, as CloudFront reports it.
    pub status: Option<DistributionStatus>,
    /// Whether the distribution is enabled.
    pub enabled: bool,
    /// Live or proposed.
    pub origin: DistributionOrigin,
    /// Alternate domain names (CNAMEs), as configured.
    pub aliases: Vec<String>,
    /// The viewer certificate block.
    pub viewer_certificate: ViewerCertificate,
    /// `http1.1`, `http2`, `http3`, `http2and3`.
    pub http_version: Option<String>,
    /// The origins.
    pub origins: Vec<Origin>,
    /// Origin groups (failover pairs).
    pub origin_groups: Vec<OriginGroup>,
    /// The default cache behaviour (its path pattern is `None`).
    pub default_cache_behavior: CacheBehavior,
    /// Path-pattern cache behaviours, in precedence order.
    pub cache_behaviors: Vec<CacheBehavior>,
    /// `ConnectionMode`: `direct` (a standard distribution) or `tenant-only` (a multi-tenant
    /// distribution, reached only through its distribution tenants); `None` when not given.
    pub connection_mode: Option<String>,
    /// `TenantConfig`: set only on multi-tenant distributions.
    pub tenant_config: Option<TenantConfig>,
    /// `ViewerMtlsConfig`: viewers must (or may) present a client certificate.
    pub viewer_mtls_config: Option<ViewerMtlsConfig>,
    /// `ConnectionFunctionAssociation.Id`: a connection function that runs during the viewer's TLS
    /// connection.
    pub connection_function_association_id: Option<String>,
}

impl Distribution {
    /// Whether this is a multi-tenant distribution: `ConnectionMode` `tenant-only`, or a
    /// `TenantConfig`, which CloudFront accepts on multi-tenant distributions only.
    pub fn is_multi_tenant(&self) -> bool {
        self.tenant_config.is_some()
            || self
                .connection_mode
                .as_deref()
                .is_some_and(|mode| mode.trim().eq_ignore_ascii_case("tenant-only"))
    }

    /// The default behaviour followed by every path-pattern behaviour.
    pub fn all_cache_behaviors(&self) -> impl Iterator<Item = &CacheBehavior> {
        std::iter::once(&self.default_cache_behavior).chain(self.cache_behaviors.iter())
    }
}

/// `DistributionConfig.TenantConfig`, reduced to what names the tenants' parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TenantConfig {
    /// `ParameterDefinitions[].Name`: the parameters each distribution tenant fills in (an origin's
    /// domain name may use them).
    pub parameter_names: Vec<String>,
}

/// `DistributionConfig.ViewerMtlsConfig`: mutual TLS between viewers and CloudFront.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewerMtlsConfig {
    /// `Mode`: `required`, `optional` or `passthrough`, kept as sent.
    pub mode: String,
    /// `TrustStoreConfig.TrustStoreId`: the CA certificates client certificates are checked against.
    pub trust_store_id: Option<String>,
    /// `TrustStoreConfig.IgnoreCertificateExpiry`: expired client certificates are accepted.
    pub ignore_certificate_expiry: Option<bool>,
}

/// `DistributionConfig.ViewerCertificate`, every field optional as in the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ViewerCertificate {
    /// `CloudFrontDefaultCertificate`.
    pub cloudfront_default_certificate: Option<bool>,
    /// `ACMCertificateArn`.
    pub acm_certificate_arn: Option<String>,
    /// `IAMCertificateId`.
    pub iam_certificate_id: Option<String>,
    /// `SSLSupportMethod`: `sni-only`, `vip`, `static-ip`.
    pub ssl_support_method: Option<SslSupportMethod>,
    /// `MinimumProtocolVersion`, e.g. `TLSv1.2_2021`, `TLSv1.3_2025`.
    pub minimum_protocol_version: Option<String>,
}

impl ViewerCertificate {
    /// The configured custom certificate: ACM first, as CloudFront reads it.
    pub fn certificate_ref(&self) -> Option<CertificateRef> {
        if let Some(arn) = non_empty(&self.acm_certificate_arn) {
            return Some(CertificateRef::Acm(arn.to_owned()));
        }
        non_empty(&self.iam_certificate_id).map(|id| CertificateRef::Iam(id.to_owned()))
    }

    /// Every certificate source that is set, in the API's field names.
    pub fn configured_sources(&self) -> Vec<&'static str> {
        let mut sources = Vec::new();
        if self.cloudfront_default_certificate == Some(true) {
            sources.push("CloudFrontDefaultCertificate");
        }
        if non_empty(&self.acm_certificate_arn).is_some() {
            sources.push("ACMCertificateArn");
        }
        if non_empty(&self.iam_certificate_id).is_some() {
            sources.push("IAMCertificateId");
        }
        sources
    }

    /// True when viewers get the shared `*.cloudfront.net` certificate.
    pub fn uses_default_certificate(&self) -> bool {
        self.certificate_ref().is_none()
    }
}

/// A value that is present and not blank; the API returns empty strings for unset fields.
pub fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// One origin of a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `Id`, referenced by cache behaviours and origin groups.
    pub id: String,
    /// `DomainName`: the host CloudFront connects to.
    pub domain_name: String,
    /// `ConnectionTimeout` in seconds (1 to 10, default 10).
    pub connection_timeout: Option<i32>,
    /// `ConnectionAttempts` (1 to 3, default 3).
    pub connection_attempts: Option<i32>,
    /// What kind of origin this is.
    pub kind: OriginKind,
}

/// The three mutually exclusive origin configurations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum OriginKind {
    /// An S3 REST endpoint: CloudFront manages its TLS.
    S3,
    /// Anything reached as a custom HTTP(S) server, S3 website endpoints included.
    Custom(CustomOrigin),
    /// A VPC origin; its TLS settings live on the VPC origin resource.
    Vpc {
        /// `VpcOriginId`.
        vpc_origin_id: String,
        /// `OwnerAccountId`: set when the VPC origin is shared from another account.
        owner_account_id: Option<String>,
    },
}

/// `CustomOriginConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomOrigin {
    /// `HTTPPort`.
    pub http_port: Option<i32>,
    /// `HTTPSPort`.
    pub https_port: Option<i32>,
    /// `OriginProtocolPolicy`: `http-only`, `match-viewer`, `https-only`.
    pub origin_protocol_policy: OriginProtocolPolicy,
    /// `OriginSslProtocols.Items`: `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`.
    pub origin_ssl_protocols: Vec<String>,
    /// `OriginReadTimeout` in seconds.
    pub origin_read_timeout: Option<i32>,
    /// `OriginMtlsConfig.ClientCertificateArn`: the ACM certificate CloudFront presents to the origin;
    /// `Some` whenever the origin is configured for mutual TLS.
    pub origin_mtls_client_certificate_arn: Option<String>,
}

/// An origin group: a primary and a failover origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginGroup {
    /// `Id`, referenced by cache behaviours like an origin id.
    pub id: String,
    /// Member origin ids, primary first.
    pub member_origin_ids: Vec<String>,
}

/// A cache behaviour, default or path-pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheBehavior {
    /// `PathPattern`; `None` for the default behaviour.
    pub path_pattern: Option<String>,
    /// `TargetOriginId`: an origin or an origin group.
    pub target_origin_id: String,
    /// `ViewerProtocolPolicy`: `allow-all`, `https-only`, `redirect-to-https`.
    pub viewer_protocol_policy: String,
    /// `CachePolicyId`.
    pub cache_policy_id: Option<String>,
    /// `OriginRequestPolicyId`.
    pub origin_request_policy_id: Option<String>,
    /// Legacy `ForwardedValues.Headers.Items`, when the behaviour uses them.
    pub forwarded_headers: Option<Vec<String>>,
    /// `FunctionAssociations.Items`: CloudFront Functions on this behaviour.
    pub function_associations: Vec<FunctionAssociation>,
    /// `LambdaFunctionAssociations.Items`: Lambda@Edge functions on this behaviour.
    pub lambda_function_associations: Vec<FunctionAssociation>,
}

/// One function association of a cache behaviour (CloudFront Functions or Lambda@Edge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionAssociation {
    /// `FunctionARN` or `LambdaFunctionARN`.
    pub arn: String,
    /// `EventType`: `viewer-request`, `viewer-response`, `origin-request`, `origin-response`, as sent.
    pub event_type: String,
}

impl CacheBehavior {
    /// How this behaviour is named in findings: its path pattern, or `default`.
    pub fn label(&self) -> &str {
        self.path_pattern.as_deref().unwrap_or("default")
    }
}

/// A reference to a viewer certificate as a distribution names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "source", content = "id")]
pub enum CertificateRef {
    /// An ACM certificate ARN.
    Acm(String),
    /// An IAM server certificate id (`ServerCertificateId`).
    Iam(String),
}

impl CertificateRef {
    /// The ARN or id, as configured.
    pub fn id(&self) -> &str {
        match self {
            CertificateRef::Acm(arn) => arn,
            CertificateRef::Iam(id) => id,
        }
    }

    /// The region of an ACM ARN (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`); `None` for IAM or a
    /// malformed ARN.
    pub fn acm_region(&self) -> Option<&str> {
        match self {
            CertificateRef::Acm(arn) => acm_arn_region(arn),
            CertificateRef::Iam(_) => None,
        }
    }
}

/// The region field of an ACM certificate ARN, if the ARN has the expected shape.
pub fn acm_arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_prefix, _partition, service, region) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let _account = parts.next()?;
    let resource = parts.next()?;
    (arn_prefix == "arn" && service == "acm" && resource.starts_with("certificate/"))
        .then_some(region)
}

/// The outcome of reading one certificate.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum CertificateLookup {
    /// The certificate was read.
    Found(Box<Certificate>),
    /// The service says the certificate does not exist (or the ARN/id cannot name one).
    NotFound {
        /// What the service said.
        reason: String,
    },
    /// The read failed for another reason; the audit of this certificate is incomplete.
    Failed(ReadFailure),
}

/// Where a certificate lives and who renews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateSource {
    /// ACM `AMAZON_ISSUED`: renewed by ACM when eligible.
    AcmAmazonIssued,
    /// ACM `IMPORTED`: never renewed by ACM.
    AcmImported,
    /// ACM `PRIVATE`.
    AcmPrivate,
    /// An ACM type this tool does not know yet, as sent.
    AcmOther(String),
    /// An IAM server certificate: never renewed.
    Iam,
}

impl CertificateSource {
    /// Imported and IAM certificates are only ever replaced by hand.
    pub fn is_renewed_by_hand(&self) -> bool {
        matches!(
            self,
            CertificateSource::AcmImported | CertificateSource::Iam
        )
    }

    /// A short label for evidence.
    pub fn label(&self) -> &str {
        match self {
            CertificateSource::AcmAmazonIssued => "ACM (AMAZON_ISSUED)",
            CertificateSource::AcmImported => "ACM (IMPORTED)",
            CertificateSource::AcmPrivate => "ACM (PRIVATE)",
            CertificateSource::AcmOther(kind) => kind,
            CertificateSource::Iam => "IAM server certificate",
        }
    }
}

/// A viewer certificate as ACM or IAM describes it.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    /// The reference the distribution used.
    pub reference: CertificateRef,
    /// ACM type or IAM.
    pub source: CertificateSource,
    /// `DomainName` (ACM) or the subject CN (IAM).
    pub domain_name: Option<String>,
    /// `SubjectAlternativeNames` (ACM) or the leaf's SAN DNS names (IAM).
    pub subject_alternative_names: Vec<String>,
    /// ACM `Status` as sent (`ISSUED`, `PENDING_VALIDATION`…); `None` for IAM.
    pub status: Option<String>,
    /// The serial number as the service or the PEM gives it (ACM: colon-separated hex), compared with
    /// what the edge serves.
    pub serial: Option<String>,
    /// `NotBefore`.
    pub not_before: Option<OffsetDateTime>,
    /// `NotAfter` (IAM: `Expiration`).
    pub not_after: Option<OffsetDateTime>,
    /// The key as far as it is known: from the PEM when read, else ACM's `KeyAlgorithm`.
    pub key: Option<KeyKind>,
    /// ACM `RenewalEligibility` (`ELIGIBLE`/`INELIGIBLE`).
    pub renewal_eligibility: Option<String>,
    /// ACM `RenewalSummary`.
    pub renewal: Option<RenewalSummary>,
    /// ACM `DomainValidationOptions`.
    pub domain_validation: Vec<DomainValidation>,
    /// ACM `InUseBy` (the emulator leaves it empty; so may the service).
    pub in_use_by: Vec<String>,
    /// The leaf as parsed from its PEM, when the body was read (imported ACM, IAM).
    pub leaf: Option<CertificateDetails>,
    /// The uploaded chain as parsed from PEM (imported ACM, IAM), leaf excluded.
    pub chain: Vec<CertificateDetails>,
    /// Certificates in the uploaded chain that could not be parsed, with why.
    pub chain_parse_errors: Vec<String>,
    /// The body and chain should have been read (imported ACM) but the read failed: the chain and key
    /// checks are blind, which `audit-incomplete` reports.
    pub body_read_failure: Option<ReadFailure>,
}

impl Certificate {
    /// The names that cover aliases: the SANs, or the CN only when there are no SANs.
    pub fn names_covering_aliases(&self) -> Vec<&str> {
        if !self.subject_alternative_names.is_empty() {
            return self
                .subject_alternative_names
                .iter()
                .map(String::as_str)
                .collect();
        }
        self.domain_name.iter().map(String::as_str).collect()
    }
}

/// ACM `RenewalSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenewalSummary {
    /// `RenewalStatus`: `PENDING_AUTO_RENEWAL`, `PENDING_VALIDATION`, `SUCCESS`, `FAILED`.
    pub status: String,
    /// `RenewalStatusReason`, when given.
    pub reason: Option<String>,
}

/// One ACM `DomainValidation` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainValidation {
    /// `DomainName`.
    pub domain_name: String,
    /// `ValidationMethod`: `DNS`, `EMAIL`, `HTTP`.
    pub validation_method: Option<String>,
    /// `ValidationStatus`.
    pub validation_status: Option<String>,
}

/// A public key, as far as CloudFront's limits care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum KeyKind {
    /// RSA with its modulus size.
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// An elliptic-curve key on a named curve (`P-256`, `P-384`, `P-521`, or as sent).
    Ec {
        /// Canonical curve name.
        curve: String,
    },
    /// Anything else, named as the source named it.
    Other {
        /// The algorithm as sent.
        algorithm: String,
    },
}

impl KeyKind {
    /// Reads ACM's `KeyAlgorithm`, in either the model's (`RSA_2048`) or the wire's (`RSA-2048`) spelling.
    pub fn from_acm_key_algorithm(value: &str) -> KeyKind {
        let normalised = value.trim().replace('-', "_");
        if let Some(bits) = normalised
            .strip_prefix("RSA_")
            .and_then(|b| b.parse::<u32>().ok())
        {
            return KeyKind::Rsa { bits };
        }
        match normalised.strip_prefix("EC_") {
            Some(curve) => KeyKind::Ec {
                curve: canonical_curve(curve),
            },
            None => KeyKind::Other {
                algorithm: value.to_owned(),
            },
        }
    }

    /// `RSA 2048`, `EC P-256`: for evidence.
    pub fn describe(&self) -> String {
        match self {
            KeyKind::Rsa { bits } => format!("RSA {bits}"),
            KeyKind::Ec { curve } => format!("EC {curve}"),
            KeyKind::Other { algorithm } => algorithm.clone(),
        }
    }
}

/// Maps the many names of the NIST curves to `P-256`, `P-384`, `P-521`.
pub fn canonical_curve(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "prime256v1" | "secp256r1" | "p-256" | "p256" => "P-256".to_owned(),
        "secp384r1" | "p-384" | "p384" => "P-384".to_owned(),
        "secp521r1" | "p-521" | "p521" => "P-521".to_owned(),
        _ => name.to_owned(),
    }
}

/// One X.509 certificate as parsed from PEM or DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateDetails {
    /// Subject distinguished name (RFC 4514 form).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Subject common name, if any.
    pub common_name: Option<String>,
    /// DNS names in the subject alternative name extension.
    pub dns_names: Vec<String>,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// The public key.
    pub key: KeyKind,
    /// SHA-256 fingerprint of the DER, lower-case hex.
    pub sha256_fingerprint: String,
}

/// A cache or origin request policy, reduced to how it treats request headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderPolicy {
    /// The policy id.
    pub id: String,
    /// The policy name, when known.
    pub name: Option<String>,
    /// `HeaderBehavior`: `none`, `whitelist` (cache and origin request), `allViewer`,
    /// `allViewerAndWhitelistCloudFront`, `allExcept` (origin request only).
    pub header_behavior: String,
    /// The headers listed with the behaviour.
    pub headers: Vec<String>,
    /// Whether this came from the API or from the built-in table of AWS managed policies.
    pub source: PolicySource,
}

/// Where a [`HeaderPolicy`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySource {
    /// Read through GetCachePolicy / GetOriginRequestPolicy.
    Api,
    /// The API read failed and the id is an AWS managed policy whose definition AWS documents.
    ManagedDefinition,
}

/// The outcome of reading one policy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum PolicyLookup {
    /// The policy was read (or is a documented managed policy).
    Found(HeaderPolicy),
    /// The read failed; whether this policy forwards Host is unknown.
    Failed(ReadFailure),
}

/// Why an API read failed, classified so that the remediation can be specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The caller lacks the IAM permission.
    AccessDenied,
    /// The service throttled the caller beyond the SDK's retries.
    Throttling,
    /// The resource does not exist.
    NotFound,
    /// The endpoint could not be reached.
    Network,
    /// The service answered with something this tool could not use.
    InvalidResponse,
    /// Any other service error.
    Other,
    /// No answer within the attempt or operation timeout, or before the invocation's deadline.
    Timeout,
    /// The service answered with a server error (HTTP 5xx) beyond the SDK's retries.
    ServerError,
    /// Not read on purpose: the pre-deploy gate ran with `--offline`. What depends on it is a
    /// `config-value-unresolved` finding, not a failure.
    NotRead,
}

impl FailureKind {
    /// Lower-case label used in evidence.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::AccessDenied => "access-denied",
            FailureKind::Throttling => "throttling",
            FailureKind::NotFound => "not-found",
            FailureKind::Network => "network",
            FailureKind::InvalidResponse => "invalid-response",
            FailureKind::Other => "other",
            FailureKind::Timeout => "timeout",
            FailureKind::ServerError => "server-error",
            FailureKind::NotRead => "not-read",
        }
    }
}

/// One read that failed after the SDK's retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadFailure {
    /// The API operation, as in IAM: `cloudfront:ListDistributions`, `acm:DescribeCertificate`.
    pub operation: String,
    /// What was being read: an ARN, an id, or `account` for a listing.
    pub resource: String,
    /// The distribution this read was for, when it was for one.
    pub distribution_id: Option<String>,
    /// Classified cause.
    pub kind: FailureKind,
    /// The service's error code and message.
    pub message: String,
}
