//! What origins behind Elastic Load Balancing and CloudFront VPC origins look like to the rules: the
//! load balancer, its listeners and their certificates, the security policies, the VPC origin. Plain
//! data; values the services add faster than the SDK learns them (listener protocols, load balancer
//! types, policy names) are kept as the strings the service sent.

use serde::Serialize;

use super::ReadFailure;
use crate::vocabulary::OriginProtocolPolicy;

/// How an origin names its load balancer: by DNS name (a custom origin whose `DomainName` is the load
/// balancer's own name) or by ARN (the endpoint of a VPC origin).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "value")]
pub enum LoadBalancerRef {
    /// The load balancer's name and region, read from its DNS name, with the DNS name itself
    /// (lower case, without `dualstack.`) to pick the exact one among same-named answers.
    DnsName {
        /// The region the name is in.
        region: String,
        /// The load balancer's name (DescribeLoadBalancers `Names`).
        name: String,
        /// The DNS name the origin uses, normalised.
        dns_name: String,
    },
    /// A load balancer ARN (`arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/…`).
    Arn(String),
}

impl LoadBalancerRef {
    /// The load balancer an origin `DomainName` names, when it is an Elastic Load Balancing name:
    /// `[dualstack.][internal-]NAME-ID.REGION.elb.amazonaws.com` (Application, and Classic) or
    /// `[dualstack.]NAME-ID.elb.REGION.amazonaws.com` (Network), also under `amazonaws.com.cn`.
    /// Load balancer names may hold hyphens, so only the last `-ID` is cut.
    pub fn from_dns_name(domain: &str) -> Option<LoadBalancerRef> {
        let dns_name = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let bare = dns_name.strip_prefix("dualstack.").unwrap_or(&dns_name);
        let rest = bare
            .strip_suffix(".amazonaws.com")
            .or_else(|| bare.strip_suffix(".amazonaws.com.cn"))?;
        let labels: Vec<&str> = rest.split('.').collect();
        let (first, region) = match labels.as_slice() {
            [first, region, "elb"] => (*first, *region),
            [first, "elb", region] => (*first, *region),
            _ => return None,
        };
        let first = first.strip_prefix("internal-").unwrap_or(first);
        let (name, id) = first.rsplit_once('-')?;
        let valid_region = !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        // ELB names: 1 to 32 alphanumerics or hyphens (a placeholder or a longer label is no name,
        // and would fail the whole DescribeLoadBalancers batch).
        let valid_name =
            name.len() <= 32 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if name.is_empty() || id.is_empty() || !valid_region || !valid_name {
            return None;
        }
        // Names keep their case (CloudFormation's are mixed-case): taken from the domain as written.
        let written = domain.trim().trim_end_matches('.');
        let start = written.len() - bare.len();
        let label = written.get(start..)?.split('.').next()?;
        let label = match label.get(..9) {
            Some(prefix) if prefix.eq_ignore_ascii_case("internal-") => &label[9..],
            _ => label,
        };
        let name = label.rsplit_once('-')?.0;
        Some(LoadBalancerRef::DnsName {
            region: region.to_owned(),
            name: name.to_owned(),
            dns_name: bare.to_owned(),
        })
    }

    /// The region the load balancer is read in.
    pub fn region(&self) -> Option<&str> {
        match self {
            LoadBalancerRef::DnsName { region, .. } => Some(region),
            LoadBalancerRef::Arn(arn) => arn_region(arn),
        }
    }

    /// How the reference is named in evidence and failures.
    pub fn label(&self) -> &str {
        match self {
            LoadBalancerRef::DnsName { dns_name, .. } => dns_name,
            LoadBalancerRef::Arn(arn) => arn,
        }
    }
}

/// The region field of an ARN (`arn:PARTITION:SERVICE:REGION:…`), when it has one.
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(5, ':');
    let (prefix, _partition, _service, region) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    parts.next()?;
    (prefix == "arn" && !region.is_empty()).then_some(region)
}

/// The outcome of reading one load balancer, its listeners and their certificates.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum LoadBalancerLookup {
    /// The load balancer was read.
    Found(Box<LoadBalancer>),
    /// No load balancer of this account answers to the reference (it may belong to another account).
    NotFound {
        /// What the service said, or why nothing matched.
        reason: String,
    },
    /// The read failed; what the listener would do is unknown.
    Failed(ReadFailure),
}

/// One load balancer (DescribeLoadBalancers) with its listeners (DescribeListeners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    /// `LoadBalancerArn`.
    pub arn: String,
    /// `LoadBalancerName`.
    pub name: String,
    /// `DNSName`.
    pub dns_name: String,
    /// `Type`: `application`, `network`, `gateway`, as sent. Never taken from the ARN.
    pub kind: String,
    /// `Scheme`: `internet-facing` or `internal`.
    pub scheme: Option<String>,
    /// The region it was read in.
    pub region: String,
    /// Its listeners; empty when the listing failed (then `listeners_failure` says why).
    pub listeners: Vec<Listener>,
    /// Why DescribeListeners failed, when it did.
    pub listeners_failure: Option<ReadFailure>,
}

/// One listener (DescribeListeners) with every certificate it serves (DescribeListenerCertificates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    /// `ListenerArn`.
    pub arn: String,
    /// `Port`.
    pub port: i32,
    /// `Protocol`: `HTTPS`, `TLS`, `HTTP`, `TCP`, …, as sent.
    pub protocol: String,
    /// `SslPolicy` (HTTPS and TLS listeners).
    pub ssl_policy: Option<String>,
    /// The default certificate first, then the SNI certificates. For a listener whose certificate
    /// list could not be read, the default certificate DescribeListeners names.
    pub certificates: Vec<ListenerCertificate>,
    /// Why DescribeListenerCertificates failed, when it did.
    pub certificates_failure: Option<ReadFailure>,
}

impl Listener {
    /// Whether the listener forwards TCP as it comes (a Network Load Balancer's `TCP` or `TCP_UDP`
    /// listener): TLS then ends at the targets, which only a handshake can judge.
    pub fn passes_tls_through(&self) -> bool {
        ["TCP", "TCP_UDP", "TCP_QUIC"]
            .iter()
            .any(|p| self.protocol.eq_ignore_ascii_case(p))
    }

    /// Whether the listener terminates TLS (`HTTPS` for an Application Load Balancer, `TLS` for a
    /// Network Load Balancer): only then does CloudFront's handshake reach a policy and certificate.
    pub fn speaks_tls(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("HTTPS") || self.protocol.eq_ignore_ascii_case("TLS")
    }
}

/// One certificate of a listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenerCertificate {
    /// `CertificateArn`: an ACM ARN in the load balancer's region, or an IAM server certificate ARN.
    pub arn: String,
    /// `IsDefault`: served when no SNI certificate matches the name the client sends.
    pub is_default: bool,
}

/// A security policy, named in its region (policies are read per region).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SslPolicyRef {
    /// The region the policy was read in.
    pub region: String,
    /// `SslPolicy`, e.g. `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`.
    pub name: String,
}

/// The outcome of reading one security policy (DescribeSSLPolicies).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum SslPolicyLookup {
    /// The policy was read.
    Found(SslPolicy),
    /// The read failed, or DescribeSSLPolicies does not know the name (kind `not-found`): which
    /// protocols the listener speaks is unknown, never taken as a pass.
    Failed(ReadFailure),
}

/// A security policy's protocols and ciphers, as DescribeSSLPolicies lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SslPolicy {
    /// `Name`.
    pub name: String,
    /// `SslProtocols`: `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, as sent.
    pub protocols: Vec<String>,
    /// `Ciphers[].Name` in priority order (OpenSSL names, e.g. `ECDHE-RSA-AES128-GCM-SHA256`).
    pub ciphers: Vec<String>,
}

/// The outcome of reading one VPC origin (GetVpcOrigin).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum VpcOriginLookup {
    /// The VPC origin was read.
    Found(Box<VpcOrigin>),
    /// The read failed, or CloudFront says it does not exist (kind `not-found`: it may be shared
    /// from an account that does not let this one read it); its TLS settings are unknown.
    Failed(ReadFailure),
}

/// A CloudFront VPC origin: where CloudFront connects inside the VPC, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VpcOrigin {
    /// `Id` (`vo_…`).
    pub id: String,
    /// `Arn`.
    pub arn: String,
    /// `AccountId`: the account that owns it.
    pub account_id: Option<String>,
    /// `Status`: `Deploying`, `Deployed`, …, as sent.
    pub status: String,
    /// `VpcOriginEndpointConfig.Name`.
    pub name: String,
    /// `VpcOriginEndpointConfig.Arn`: the Application or Network Load Balancer, or EC2 instance.
    pub endpoint_arn: String,
    /// `VpcOriginEndpointConfig.HTTPSPort`.
    pub https_port: i32,
    /// `VpcOriginEndpointConfig.OriginProtocolPolicy`.
    pub origin_protocol_policy: OriginProtocolPolicy,
    /// `VpcOriginEndpointConfig.OriginSslProtocols.Items`.
    pub origin_ssl_protocols: Vec<String>,
}

impl VpcOrigin {
    /// Whether CloudFront can use it now.
    pub fn is_deployed(&self) -> bool {
        self.status.eq_ignore_ascii_case("Deployed")
    }

    /// The load balancer it fronts, when its endpoint is one (not an EC2 instance).
    pub fn load_balancer(&self) -> Option<LoadBalancerRef> {
        is_load_balancer_arn(&self.endpoint_arn)
            .then(|| LoadBalancerRef::Arn(self.endpoint_arn.clone()))
    }
}

/// A VPC origin id as the API takes it: 1 to 128 ASCII letters, digits, `_` or `-`. The model says
/// only "string" and the documented ids look like `vo_…`; the prefix is not required, but anything
/// that could not be a URL path segment of GetVpcOrigin (a template's unresolved `{{…}}` stand-in,
/// a plan's "(known after apply)") is never sent to the CloudFront API.
pub fn is_vpc_origin_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether an ARN names an Elastic Load Balancing (v2) load balancer.
pub fn is_load_balancer_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (prefix, _partition, service, _region, _account, resource) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    prefix == Some("arn")
        && service == Some("elasticloadbalancing")
        && resource.is_some_and(|r| r.starts_with("loadbalancer/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(domain: &str) -> Option<(String, String, String)> {
        match LoadBalancerRef::from_dns_name(domain)? {
            LoadBalancerRef::DnsName {
                region,
                name,
                dns_name,
            } => Some((region, name, dns_name)),
            LoadBalancerRef::Arn(_) => None,
        }
    }

    #[test]
    fn application_and_network_load_balancer_names_give_name_and_region() {
        let alb = dns("my-web-lb-1234567890.us-east-2.elb.amazonaws.com");
        assert_eq!(
            alb,
            Some((
                "us-east-2".into(),
                "my-web-lb".into(),
                "my-web-lb-1234567890.us-east-2.elb.amazonaws.com".into()
            ))
        );
        let internal = dns("Internal-Api-987.eu-west-1.elb.amazonaws.com.");
        assert_eq!(internal.map(|d| d.1), Some("Api".into()));
        let generated =
            dns("internal-bookstore-dev-InternalALB-1681681316.us-east-1.elb.amazonaws.com");
        assert_eq!(
            generated.map(|d| d.1),
            Some("bookstore-dev-InternalALB".into())
        );
        let nlb = dns("dualstack.tcp-front-0123456789abcdef.elb.ap-southeast-2.amazonaws.com");
        assert_eq!(
            nlb,
            Some((
                "ap-southeast-2".into(),
                "tcp-front".into(),
                "tcp-front-0123456789abcdef.elb.ap-southeast-2.amazonaws.com".into()
            ))
        );
        let china = dns("web-1.cn-north-1.elb.amazonaws.com.cn");
        assert_eq!(china.map(|d| d.0), Some("cn-north-1".into()));
    }

    #[test]
    fn other_names_are_not_load_balancers() {
        for domain in [
            "api.example.com",
            "bucket.s3.us-east-1.amazonaws.com",
            "elb.amazonaws.com",
            "noid.us-east-1.elb.amazonaws.com",
            "-1.us-east-1.elb.amazonaws.com",
            "a-1.b.c.elb.amazonaws.com",
            "my-lb-1.us-east-1.elb.amazonaws.com.evil.example",
            "{{tenant}}-1.eu-west-1.elb.amazonaws.com",
            "a-name-that-is-much-longer-than-32-characters-1.eu-west-1.elb.amazonaws.com",
        ] {
            assert_eq!(LoadBalancerRef::from_dns_name(domain), None, "{domain}");
        }
    }

    #[test]
    fn a_load_balancer_arn_names_its_region_and_an_instance_arn_is_no_load_balancer() {
        let alb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert!(is_load_balancer_arn(alb));
        assert_eq!(LoadBalancerRef::Arn(alb.into()).region(), Some("eu-west-1"));
        assert!(!is_load_balancer_arn(
            "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"
        ));
        assert!(!is_load_balancer_arn(
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc/1a2b"
        ));
        assert_eq!(arn_region("not an arn"), None);
        assert_eq!(
            arn_region("arn:aws:cloudfront::123456789012:vpcorigin/vo_1"),
            None
        );
    }
}
