//! Seeding the emulator through the Rust SDK: certificates, distributions and VPC origins.
//!
//! The certificate helpers take the ACM client, so that one seeds any region
//! ([`super::Emulator::acm_in`]). VPC origins, and distributions whose origins carry a
//! `VpcOriginConfig`, exist only when seeded through the fault proxy
//! ([`super::fault_proxy::FaultProxy::cloudfront`]), which implements what moto lacks.

use aws_sdk_acm::primitives::Blob;
use aws_sdk_cloudfront::types as cf;
use cloudfront_tls_audit::model::ViewerCertificate;

use super::certs::IssuedCert;

/// Imports a certificate into ACM; returns its ARN. (moto, like ACM, refuses expired certificates.)
pub async fn import_acm(acm: &aws_sdk_acm::Client, cert: &IssuedCert) -> String {
    let output = acm
        .import_certificate()
        .certificate(Blob::new(cert.cert_pem.as_bytes()))
        .private_key(Blob::new(cert.key_pem.as_bytes()))
        .set_certificate_chain(cert.chain_pem_opt().map(|c| Blob::new(c.into_bytes())))
        .send()
        .await
        .expect("ImportCertificate");
    output.certificate_arn().expect("imported ARN").to_owned()
}

/// Imports a certificate for `www.example.com`, valid for another 200 days: a healthy viewer
/// certificate to build the other findings around. Returns its ARN.
pub async fn import_healthy_acm(acm: &aws_sdk_acm::Client) -> String {
    import_acm(
        acm,
        &super::CertBuilder::new(["www.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await
}

/// Requests an Amazon-issued certificate (DNS validation); it stays PENDING_VALIDATION in the
/// emulator started by [`super::Emulator::start`].
pub async fn request_acm(acm: &aws_sdk_acm::Client, domain: &str, sans: &[&str]) -> String {
    let output = acm
        .request_certificate()
        .domain_name(domain)
        .set_subject_alternative_names(
            (!sans.is_empty()).then(|| sans.iter().map(|s| (*s).to_owned()).collect()),
        )
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .send()
        .await
        .expect("RequestCertificate");
    output.certificate_arn().expect("requested ARN").to_owned()
}

/// An uploaded IAM server certificate.
#[derive(Debug, Clone)]
pub struct IamCertificate {
    /// `ServerCertificateId`: what a distribution's `IAMCertificateId` names.
    pub id: String,
    /// `ServerCertificateName`.
    pub name: String,
}

/// Uploads an IAM server certificate under `/cloudfront/`, as CloudFront requires.
pub async fn upload_iam(
    iam: &aws_sdk_iam::Client,
    name: &str,
    cert: &IssuedCert,
) -> IamCertificate {
    let output = iam
        .upload_server_certificate()
        .path("/cloudfront/")
        .server_certificate_name(name)
        .certificate_body(&cert.cert_pem)
        .private_key(&cert.key_pem)
        .set_certificate_chain(cert.chain_pem_opt())
        .send()
        .await
        .expect("UploadServerCertificate");
    let metadata = output
        .server_certificate_metadata()
        .expect("server certificate metadata");
    IamCertificate {
        id: metadata.server_certificate_id().to_owned(),
        name: metadata.server_certificate_name().to_owned(),
    }
}

/// One origin of a [`DistributionSpec`].
#[derive(Debug, Clone)]
pub enum OriginSpec {
    /// A custom origin.
    Custom {
        /// Origin id.
        id: String,
        /// Host name.
        domain: String,
        /// `http-only`, `match-viewer`, `https-only`.
        protocol_policy: String,
        /// `TLSv1`, `TLSv1.1`, `TLSv1.2`, `SSLv3`.
        ssl_protocols: Vec<String>,
        /// `HTTPSPort` (443 unless a test points the origin at a loopback server).
        https_port: u16,
    },
    /// An S3 REST origin (moto wants a domain ending in `amazonaws.com`).
    S3 {
        /// Origin id.
        id: String,
        /// `bucket.s3.amazonaws.com`.
        domain: String,
    },
    /// An origin reached through a CloudFront VPC origin (`VpcOriginConfig`, neither S3 nor custom
    /// settings).
    Vpc {
        /// Origin id.
        id: String,
        /// The private load balancer's or instance's DNS name.
        domain: String,
        /// `VpcOriginId`: what [`create_vpc_origin`] returned.
        vpc_origin_id: String,
        /// `OriginReadTimeout`, seconds.
        read_timeout: Option<i32>,
        /// `OriginKeepaliveTimeout`, seconds.
        keepalive_timeout: Option<i32>,
    },
}

impl OriginSpec {
    /// An https-only custom origin speaking TLSv1.2.
    pub fn custom(id: &str, domain: &str) -> OriginSpec {
        OriginSpec::Custom {
            id: id.to_owned(),
            domain: domain.to_owned(),
            protocol_policy: "https-only".to_owned(),
            ssl_protocols: vec!["TLSv1.2".to_owned()],
            https_port: 443,
        }
    }

    /// An https-only custom origin speaking TLSv1.2 on `https_port` (a loopback server's port, with
    /// `--resolve DOMAIN:PORT:127.0.0.1`).
    pub fn custom_on_port(id: &str, domain: &str, https_port: u16) -> OriginSpec {
        OriginSpec::Custom {
            id: id.to_owned(),
            domain: domain.to_owned(),
            protocol_policy: "https-only".to_owned(),
            ssl_protocols: vec!["TLSv1.2".to_owned()],
            https_port,
        }
    }

    /// An S3 origin for `bucket`.
    pub fn s3(id: &str, bucket: &str) -> OriginSpec {
        OriginSpec::S3 {
            id: id.to_owned(),
            domain: format!("{bucket}.s3.amazonaws.com"),
        }
    }

    /// An origin on VPC origin `vpc_origin_id`, with a 30 s read and a 5 s keep-alive timeout.
    pub fn vpc(id: &str, domain: &str, vpc_origin_id: &str) -> OriginSpec {
        OriginSpec::Vpc {
            id: id.to_owned(),
            domain: domain.to_owned(),
            vpc_origin_id: vpc_origin_id.to_owned(),
            read_timeout: Some(30),
            keepalive_timeout: Some(5),
        }
    }

    fn id(&self) -> &str {
        match self {
            OriginSpec::Custom { id, .. }
            | OriginSpec::S3 { id, .. }
            | OriginSpec::Vpc { id, .. } => id,
        }
    }
}

/// A cache behaviour of a [`DistributionSpec`].
#[derive(Debug, Clone, Default)]
pub struct BehaviorSpec {
    /// Path pattern (ignored for the default behaviour).
    pub path_pattern: String,
    /// Target origin id; empty means the first origin.
    pub target_origin_id: String,
    /// Viewer protocol policy; empty means `redirect-to-https`.
    pub viewer_protocol_policy: String,
    /// `CachePolicyId`.
    pub cache_policy_id: Option<String>,
    /// `OriginRequestPolicyId`.
    pub origin_request_policy_id: Option<String>,
    /// Legacy `ForwardedValues.Headers`; used when there is no cache policy.
    pub forwarded_headers: Vec<String>,
}

/// A compact distribution description.
#[derive(Debug, Clone)]
pub struct DistributionSpec {
    /// Alternate domain names.
    pub aliases: Vec<String>,
    /// The viewer certificate fields, as in the model.
    pub viewer_certificate: ViewerCertificate,
    /// Origins; the first is the default target.
    pub origins: Vec<OriginSpec>,
    /// The default behaviour.
    pub default_behavior: BehaviorSpec,
    /// Path-pattern behaviours.
    pub behaviors: Vec<BehaviorSpec>,
}

impl DistributionSpec {
    /// A distribution on the default certificate with one custom origin.
    pub fn new() -> DistributionSpec {
        DistributionSpec {
            aliases: Vec::new(),
            viewer_certificate: ViewerCertificate {
                cloudfront_default_certificate: Some(true),
                minimum_protocol_version: Some("TLSv1".to_owned()),
                ..ViewerCertificate::default()
            },
            origins: vec![OriginSpec::custom("origin", "origin.example.com")],
            default_behavior: BehaviorSpec::default(),
            behaviors: Vec::new(),
        }
    }

    /// Uses an ACM certificate (sni-only, TLSv1.2_2021) for these aliases.
    pub fn with_acm(mut self, arn: &str, aliases: &[&str]) -> Self {
        self.aliases = aliases.iter().map(|a| (*a).to_owned()).collect();
        self.viewer_certificate = ViewerCertificate {
            cloudfront_default_certificate: Some(false),
            acm_certificate_arn: Some(arn.to_owned()),
            iam_certificate_id: None,
            ssl_support_method: Some("sni-only".into()),
            minimum_protocol_version: Some("TLSv1.2_2021".to_owned()),
        };
        self
    }

    /// Uses an IAM server certificate (sni-only, TLSv1.2_2021) for these aliases.
    pub fn with_iam(mut self, id: &str, aliases: &[&str]) -> Self {
        self.aliases = aliases.iter().map(|a| (*a).to_owned()).collect();
        self.viewer_certificate = ViewerCertificate {
            cloudfront_default_certificate: Some(false),
            acm_certificate_arn: None,
            iam_certificate_id: Some(id.to_owned()),
            ssl_support_method: Some("sni-only".into()),
            minimum_protocol_version: Some("TLSv1.2_2021".to_owned()),
        };
        self
    }
}

impl Default for DistributionSpec {
    fn default() -> Self {
        DistributionSpec::new()
    }
}

/// Creates the distribution; returns its id. `caller_reference` must be unique per emulator.
pub async fn create_distribution(
    cloudfront: &aws_sdk_cloudfront::Client,
    caller_reference: &str,
    spec: &DistributionSpec,
) -> String {
    let output = cloudfront
        .create_distribution()
        .distribution_config(distribution_config(caller_reference, spec))
        .send()
        .await
        .expect("CreateDistribution");
    output.distribution().expect("distribution").id().to_owned()
}

/// The SDK `DistributionConfig` for a spec.
pub fn distribution_config(
    caller_reference: &str,
    spec: &DistributionSpec,
) -> cf::DistributionConfig {
    let first_origin = spec
        .origins
        .first()
        .map(OriginSpec::id)
        .unwrap_or("origin")
        .to_owned();
    let vc = &spec.viewer_certificate;
    // moto turns a missing CloudFrontDefaultCertificate into true, even next to an ARN: always set it.
    let viewer_certificate = cf::ViewerCertificate::builder()
        .cloud_front_default_certificate(vc.cloudfront_default_certificate.unwrap_or(false))
        .set_acm_certificate_arn(vc.acm_certificate_arn.clone())
        .set_iam_certificate_id(vc.iam_certificate_id.clone())
        .set_ssl_support_method(
            vc.ssl_support_method
                .as_ref()
                .map(|m| cf::SslSupportMethod::from(m.as_str())),
        )
        .set_minimum_protocol_version(
            vc.minimum_protocol_version
                .as_deref()
                .map(cf::MinimumProtocolVersion::from),
        )
        .build();
    let origins: Vec<cf::Origin> = spec.origins.iter().map(origin).collect();
    let mut builder = cf::DistributionConfig::builder()
        .caller_reference(caller_reference)
        .comment("")
        .enabled(true)
        .origins(
            cf::Origins::builder()
                .quantity(origins.len() as i32)
                .set_items(Some(origins))
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(default_behavior(&spec.default_behavior, &first_origin))
        .viewer_certificate(viewer_certificate);
    if !spec.aliases.is_empty() {
        builder = builder.aliases(
            cf::Aliases::builder()
                .quantity(spec.aliases.len() as i32)
                .set_items(Some(spec.aliases.clone()))
                .build()
                .expect("aliases"),
        );
    }
    if !spec.behaviors.is_empty() {
        let items: Vec<cf::CacheBehavior> = spec
            .behaviors
            .iter()
            .map(|b| behavior(b, &first_origin))
            .collect();
        builder = builder.cache_behaviors(
            cf::CacheBehaviors::builder()
                .quantity(items.len() as i32)
                .set_items(Some(items))
                .build()
                .expect("cache behaviors"),
        );
    }
    builder.build().expect("distribution config")
}

fn origin(spec: &OriginSpec) -> cf::Origin {
    match spec {
        OriginSpec::Custom {
            id,
            domain,
            protocol_policy,
            ssl_protocols,
            https_port,
        } => cf::Origin::builder()
            .id(id)
            .domain_name(domain)
            .custom_origin_config(
                cf::CustomOriginConfig::builder()
                    .http_port(80)
                    .https_port(i32::from(*https_port))
                    .origin_protocol_policy(cf::OriginProtocolPolicy::from(
                        protocol_policy.as_str(),
                    ))
                    .origin_ssl_protocols(origin_ssl_protocols(
                        ssl_protocols.iter().map(String::as_str),
                    ))
                    .build()
                    .expect("custom origin config"),
            )
            .build()
            .expect("custom origin"),
        OriginSpec::S3 { id, domain } => cf::Origin::builder()
            .id(id)
            .domain_name(domain)
            .s3_origin_config(
                cf::S3OriginConfig::builder()
                    .origin_access_identity("")
                    .build(),
            )
            .build()
            .expect("s3 origin"),
        OriginSpec::Vpc {
            id,
            domain,
            vpc_origin_id,
            read_timeout,
            keepalive_timeout,
        } => cf::Origin::builder()
            .id(id)
            .domain_name(domain)
            .vpc_origin_config(
                cf::VpcOriginConfig::builder()
                    .vpc_origin_id(vpc_origin_id)
                    .set_origin_read_timeout(*read_timeout)
                    .set_origin_keepalive_timeout(*keepalive_timeout)
                    .build()
                    .expect("vpc origin config"),
            )
            .build()
            .expect("vpc origin"),
    }
}

/// A VPC origin as created: its id and `ETag` (for `If-Match`).
#[derive(Debug, Clone)]
pub struct SeededVpcOrigin {
    /// `Id`, `vo_…`.
    pub id: String,
    /// `ETag` of the creation.
    pub etag: String,
}

/// The `VpcOriginEndpointConfig` of an https-only VPC origin `name` in front of `endpoint_arn` (a
/// load balancer's ARN), offering `ssl_protocols` (`TLSv1.2`, …) on ports 80 and 443.
pub fn vpc_origin_endpoint(
    name: &str,
    endpoint_arn: &str,
    ssl_protocols: &[&str],
) -> cf::VpcOriginEndpointConfig {
    cf::VpcOriginEndpointConfig::builder()
        .name(name)
        .arn(endpoint_arn)
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(cf::OriginProtocolPolicy::HttpsOnly)
        .origin_ssl_protocols(origin_ssl_protocols(ssl_protocols.iter().copied()))
        .build()
        .expect("vpc origin endpoint config")
}

/// Creates a VPC origin with `endpoint` (through the fault proxy: moto has none).
pub async fn create_vpc_origin(
    cloudfront: &aws_sdk_cloudfront::Client,
    endpoint: cf::VpcOriginEndpointConfig,
) -> SeededVpcOrigin {
    let output = cloudfront
        .create_vpc_origin()
        .vpc_origin_endpoint_config(endpoint)
        .send()
        .await
        .expect("CreateVpcOrigin");
    SeededVpcOrigin {
        id: output.vpc_origin().expect("the VPC origin").id().to_owned(),
        etag: output.e_tag().expect("its ETag").to_owned(),
    }
}

fn origin_ssl_protocols<'a>(protocols: impl Iterator<Item = &'a str>) -> cf::OriginSslProtocols {
    let items: Vec<cf::SslProtocol> = protocols.map(cf::SslProtocol::from).collect();
    cf::OriginSslProtocols::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .build()
        .expect("ssl protocols")
}

fn forwarded_values(spec: &BehaviorSpec) -> Option<cf::ForwardedValues> {
    if spec.cache_policy_id.is_some() {
        return None;
    }
    let headers = cf::Headers::builder()
        .quantity(spec.forwarded_headers.len() as i32)
        .set_items(Some(spec.forwarded_headers.clone()))
        .build()
        .expect("headers");
    Some(
        cf::ForwardedValues::builder()
            .query_string(false)
            .cookies(
                cf::CookiePreference::builder()
                    .forward(cf::ItemSelection::None)
                    .build()
                    .expect("cookies"),
            )
            .headers(headers)
            .build()
            .expect("forwarded values"),
    )
}

fn target(spec: &BehaviorSpec, first_origin: &str) -> String {
    if spec.target_origin_id.is_empty() {
        first_origin.to_owned()
    } else {
        spec.target_origin_id.clone()
    }
}

fn viewer_protocol_policy(spec: &BehaviorSpec) -> cf::ViewerProtocolPolicy {
    if spec.viewer_protocol_policy.is_empty() {
        cf::ViewerProtocolPolicy::RedirectToHttps
    } else {
        cf::ViewerProtocolPolicy::from(spec.viewer_protocol_policy.as_str())
    }
}

#[allow(deprecated)] // ForwardedValues is what the legacy-settings tests are about.
fn default_behavior(spec: &BehaviorSpec, first_origin: &str) -> cf::DefaultCacheBehavior {
    let mut builder = cf::DefaultCacheBehavior::builder()
        .target_origin_id(target(spec, first_origin))
        .viewer_protocol_policy(viewer_protocol_policy(spec))
        .set_cache_policy_id(spec.cache_policy_id.clone())
        .set_origin_request_policy_id(spec.origin_request_policy_id.clone());
    if let Some(values) = forwarded_values(spec) {
        builder = builder.forwarded_values(values).min_ttl(0);
    }
    builder.build().expect("default cache behavior")
}

#[allow(deprecated)] // ForwardedValues is what the legacy-settings tests are about.
fn behavior(spec: &BehaviorSpec, first_origin: &str) -> cf::CacheBehavior {
    let mut builder = cf::CacheBehavior::builder()
        .path_pattern(&spec.path_pattern)
        .target_origin_id(target(spec, first_origin))
        .viewer_protocol_policy(viewer_protocol_policy(spec))
        .set_cache_policy_id(spec.cache_policy_id.clone())
        .set_origin_request_policy_id(spec.origin_request_policy_id.clone());
    if let Some(values) = forwarded_values(spec) {
        builder = builder.forwarded_values(values).min_ttl(0);
    }
    builder.build().expect("cache behavior")
}
