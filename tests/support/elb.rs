//! Seeding Elastic Load Balancing (v2) in the emulator: a VPC with two subnets, application and
//! network load balancers, TLS and plain listeners, SNI certificates.
//!
//! moto implements ELBv2 but its `CreateLoadBalancer` looks the subnets up in its EC2 backend, and
//! the tests do not compile `aws-sdk-ec2` for two calls: the network is made by the moto
//! virtualenv's boto3 (`create_network`), everything else through the Rust SDK. Every helper works
//! against the emulator or the fault proxy alike (moto tells regions apart by the SigV4 credential
//! scope, so one endpoint serves every region). Certificates come from an ACM client of the load
//! balancer's region ([`super::Emulator::acm_in`] and the [`super::seed`] helpers); moto, like AWS,
//! refuses a listener certificate that ACM of that region does not hold.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, LoadBalancerTypeEnum,
    ProtocolEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;

use super::emulator::venv_python;

/// A VPC and two subnets in two availability zones of one region, the least a load balancer needs.
#[derive(Debug, Clone)]
pub struct Network {
    /// `vpc-…`.
    pub vpc_id: String,
    /// Two `subnet-…`, in zones `a` and `b` of the region.
    pub subnet_ids: Vec<String>,
}

/// boto3: one VPC and two subnets; prints `{"vpc": …, "subnets": […]}`.
const NETWORK_SCRIPT: &str = r#"
import json, sys
import boto3
endpoint, region = sys.argv[1], sys.argv[2]
ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnets = [
    ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                      AvailabilityZone=region + zone)["Subnet"]["SubnetId"]
    for i, zone in enumerate("ab")
]
print(json.dumps({"vpc": vpc, "subnets": subnets}))
"#;

/// Creates a VPC and two subnets in `region` of the emulator (or proxy) at `endpoint_url`.
pub async fn create_network(endpoint_url: &str, region: &str) -> Network {
    let output = tokio::process::Command::new(venv_python())
        .args(["-c", NETWORK_SCRIPT, endpoint_url, region])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .await
        .expect("the virtualenv's python runs");
    assert!(
        output.status.success(),
        "boto3 could not create the network: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the network script prints JSON");
    Network {
        vpc_id: created["vpc"].as_str().expect("a VPC id").to_owned(),
        subnet_ids: created["subnets"]
            .as_array()
            .expect("subnet ids")
            .iter()
            .map(|s| s.as_str().expect("a subnet id").to_owned())
            .collect(),
    }
}

/// The two kinds of load balancer CloudFront can have as an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadBalancerKind {
    /// An Application Load Balancer: HTTPS and HTTP listeners.
    Application,
    /// A Network Load Balancer: TLS and TCP listeners.
    Network,
}

/// A load balancer as seeded.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// `LoadBalancerArn`.
    pub arn: String,
    /// `DNSName`: what a distribution's origin names.
    pub dns_name: String,
    /// `LoadBalancerName`.
    pub name: String,
    /// Application or network.
    pub kind: LoadBalancerKind,
    /// The VPC it is in (network load balancers' listeners forward to a target group there).
    pub vpc_id: String,
}

/// Creates an internet-facing load balancer `name` of `kind` in `network`.
pub async fn create_load_balancer(
    elbv2: &Client,
    network: &Network,
    name: &str,
    kind: LoadBalancerKind,
) -> LoadBalancer {
    let output = elbv2
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(network.subnet_ids.clone()))
        .r#type(match kind {
            LoadBalancerKind::Application => LoadBalancerTypeEnum::Application,
            LoadBalancerKind::Network => LoadBalancerTypeEnum::Network,
        })
        .send()
        .await
        .expect("CreateLoadBalancer");
    let created = output
        .load_balancers()
        .first()
        .expect("the created load balancer");
    LoadBalancer {
        arn: created.load_balancer_arn().expect("its ARN").to_owned(),
        dns_name: created.dns_name().expect("its DNS name").to_owned(),
        name: name.to_owned(),
        kind,
        vpc_id: network.vpc_id.clone(),
    }
}

/// Creates the TLS listener of `load_balancer` on `port` (HTTPS on an application load balancer, TLS
/// on a network one) with default certificate `certificate_arn` and `ssl_policy` (`None`: the API's
/// default, `ELBSecurityPolicy-2016-08`). Returns the listener's ARN.
pub async fn create_tls_listener(
    elbv2: &Client,
    load_balancer: &LoadBalancer,
    port: i32,
    certificate_arn: &str,
    ssl_policy: Option<&str>,
) -> String {
    let protocol = match load_balancer.kind {
        LoadBalancerKind::Application => ProtocolEnum::Https,
        LoadBalancerKind::Network => ProtocolEnum::Tls,
    };
    create_listener(
        elbv2,
        load_balancer,
        port,
        protocol,
        Some(certificate_arn),
        ssl_policy,
    )
    .await
}

/// Creates the cleartext listener of `load_balancer` on `port` (HTTP on an application load
/// balancer, TCP on a network one). Returns the listener's ARN.
pub async fn create_plain_listener(
    elbv2: &Client,
    load_balancer: &LoadBalancer,
    port: i32,
) -> String {
    let protocol = match load_balancer.kind {
        LoadBalancerKind::Application => ProtocolEnum::Http,
        LoadBalancerKind::Network => ProtocolEnum::Tcp,
    };
    create_listener(elbv2, load_balancer, port, protocol, None, None).await
}

/// Adds `certificate_arns` to a TLS listener's certificate list (the SNI certificates, next to the
/// default one).
pub async fn add_sni_certificates(elbv2: &Client, listener_arn: &str, certificate_arns: &[&str]) {
    elbv2
        .add_listener_certificates()
        .listener_arn(listener_arn)
        .set_certificates(Some(
            certificate_arns
                .iter()
                .map(|arn| Certificate::builder().certificate_arn(*arn).build())
                .collect(),
        ))
        .send()
        .await
        .expect("AddListenerCertificates");
}

async fn create_listener(
    elbv2: &Client,
    load_balancer: &LoadBalancer,
    port: i32,
    protocol: ProtocolEnum,
    certificate_arn: Option<&str>,
    ssl_policy: Option<&str>,
) -> String {
    let default_action = default_action(elbv2, load_balancer, port).await;
    let output = elbv2
        .create_listener()
        .load_balancer_arn(&load_balancer.arn)
        .port(port)
        .protocol(protocol)
        .set_certificates(
            certificate_arn.map(|arn| vec![Certificate::builder().certificate_arn(arn).build()]),
        )
        .set_ssl_policy(ssl_policy.map(str::to_owned))
        .default_actions(default_action)
        .send()
        .await
        .expect("CreateListener");
    output
        .listeners()
        .first()
        .and_then(|listener| listener.listener_arn())
        .expect("the created listener's ARN")
        .to_owned()
}

/// What AWS accepts as a listener's default action: a fixed answer on an application load balancer;
/// a network load balancer can only forward, so to a new TCP target group in its VPC.
async fn default_action(elbv2: &Client, load_balancer: &LoadBalancer, port: i32) -> Action {
    match load_balancer.kind {
        LoadBalancerKind::Application => Action::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code("200")
                    .build(),
            )
            .build(),
        LoadBalancerKind::Network => {
            let output = elbv2
                .create_target_group()
                .name(format!("{}-{port}", load_balancer.name))
                .protocol(ProtocolEnum::Tcp)
                .port(port)
                .vpc_id(&load_balancer.vpc_id)
                .send()
                .await
                .expect("CreateTargetGroup");
            let target_group = output
                .target_groups()
                .first()
                .and_then(|group| group.target_group_arn())
                .expect("the created target group's ARN");
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(target_group)
                .build()
        }
    }
}
