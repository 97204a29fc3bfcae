//! What the test emulator adds to moto, checked through the real SDK: CloudFront VPC origins and the
//! `VpcOriginConfig` of distributions (answered by the fault proxy, `support::cloudfront_extras`),
//! and load balancers seeded in moto's ELBv2 in another region (`support::elb`).

mod support;

use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::operation::get_vpc_origin::{GetVpcOriginError, GetVpcOriginOutput};
use aws_sdk_cloudfront::operation::update_vpc_origin::{
    UpdateVpcOriginError, UpdateVpcOriginOutput,
};
use aws_sdk_cloudfront::types as cf;
use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerTypeEnum, ProtocolEnum};
use cloudfront_tls_audit::model::{OriginKind, Scope};
use support::elb::{
    add_sni_certificates, create_load_balancer, create_network, create_plain_listener,
    create_tls_listener, LoadBalancerKind,
};
use support::fault_proxy::{Fault, FaultProxy};
use support::seed::{
    create_distribution, create_vpc_origin, distribution_config, import_healthy_acm, request_acm,
    vpc_origin_endpoint, DistributionSpec, OriginSpec, SeededVpcOrigin,
};
use support::Emulator;

/// A private ALB's ARN, as CloudFront's VPC origin endpoint names it.
const ALB_ARN: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/private-alb/3188688ae12fc373";
/// Its DNS name, as the distribution's origin names it.
const ALB_DNS: &str = "internal-private-alb-1.eu-west-1.elb.amazonaws.com";

/// moto, the proxy that adds what moto lacks in front of it, and a CloudFront client through the
/// proxy.
struct Account {
    emulator: Emulator,
    proxy: FaultProxy,
    cloudfront: aws_sdk_cloudfront::Client,
}

impl Account {
    async fn start() -> Account {
        let emulator = Emulator::start();
        let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
        let cloudfront = proxy.cloudfront();
        Account {
            emulator,
            proxy,
            cloudfront,
        }
    }

    /// A VPC origin `name` in front of the private ALB, offering TLSv1.2.
    async fn vpc_origin(&self, name: &str) -> SeededVpcOrigin {
        create_vpc_origin(&self.cloudfront, endpoint(name, &["TLSv1.2"])).await
    }

    async fn get_vpc_origin(
        &self,
        id: &str,
    ) -> Result<GetVpcOriginOutput, SdkError<GetVpcOriginError>> {
        self.cloudfront.get_vpc_origin().id(id).send().await
    }

    /// UpdateVpcOrigin of `id` to offer `protocols`, sending `if_match`.
    async fn update_vpc_origin(
        &self,
        id: &str,
        if_match: &str,
        protocols: &[&str],
    ) -> Result<UpdateVpcOriginOutput, SdkError<UpdateVpcOriginError>> {
        self.cloudfront
            .update_vpc_origin()
            .id(id)
            .if_match(if_match)
            .vpc_origin_endpoint_config(endpoint("private-alb", protocols))
            .send()
            .await
    }
}

/// The endpoint of a VPC origin `name` in front of the private ALB, offering `protocols`.
fn endpoint(name: &str, protocols: &[&str]) -> cf::VpcOriginEndpointConfig {
    vpc_origin_endpoint(name, ALB_ARN, protocols)
}

/// A distribution on the default certificate whose only origin is on VPC origin `vpc_origin_id`.
fn on_vpc_origin(vpc_origin_id: &str) -> DistributionSpec {
    DistributionSpec {
        origins: vec![OriginSpec::vpc("private", ALB_DNS, vpc_origin_id)],
        ..DistributionSpec::new()
    }
}

/// Origin `id` among `origins`.
fn origin<'a>(origins: Option<&'a cf::Origins>, id: &str) -> &'a cf::Origin {
    origins
        .expect("origins")
        .items()
        .iter()
        .find(|o| o.id() == id)
        .unwrap_or_else(|| panic!("origin {id}"))
}

/// The `VpcOriginConfig` of origin `private` of distribution `id`, as GetDistribution reads it.
async fn private_vpc_origin_config(
    cloudfront: &aws_sdk_cloudfront::Client,
    id: &str,
) -> Option<cf::VpcOriginConfig> {
    let got = cloudfront
        .get_distribution()
        .id(id)
        .send()
        .await
        .expect("GetDistribution");
    let config = got.distribution().and_then(|d| d.distribution_config());
    origin(config.and_then(|c| c.origins()), "private")
        .vpc_origin_config()
        .cloned()
}

#[tokio::test]
async fn a_vpc_origin_is_created_deploying_and_updated_only_with_its_current_etag() {
    let account = Account::start().await;

    let created = account
        .cloudfront
        .create_vpc_origin()
        .vpc_origin_endpoint_config(endpoint("private-alb", &["TLSv1.2"]))
        .send()
        .await
        .expect("CreateVpcOrigin");
    let vpc_origin = created.vpc_origin().expect("the VPC origin");
    let id = vpc_origin.id().to_owned();
    assert!(id.starts_with("vo_"), "{id}");
    assert_eq!(vpc_origin.status(), "Deploying");
    assert_eq!(
        vpc_origin.arn(),
        format!("arn:aws:cloudfront::123456789012:vpcorigin/{id}")
    );
    assert_eq!(
        created.location(),
        Some(format!("https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/{id}").as_str())
    );
    let first_etag = created.e_tag().expect("ETag").to_owned();

    let got = account.get_vpc_origin(&id).await.expect("GetVpcOrigin");
    assert_eq!(got.e_tag(), Some(first_etag.as_str()));
    let vpc_origin = got.vpc_origin().expect("the VPC origin");
    assert_eq!(
        vpc_origin.vpc_origin_endpoint_config(),
        Some(&endpoint("private-alb", &["TLSv1.2"]))
    );
    assert_eq!(vpc_origin.account_id(), Some("123456789012"));

    let wrong = account
        .update_vpc_origin(&id, "not-the-etag", &["TLSv1.1", "TLSv1.2"])
        .await
        .expect_err("an If-Match that is not the ETag is refused");
    assert!(
        wrong
            .as_service_error()
            .is_some_and(|e| e.is_precondition_failed()),
        "{wrong:?}"
    );

    let updated = account
        .update_vpc_origin(&id, &first_etag, &["TLSv1.1", "TLSv1.2"])
        .await
        .expect("UpdateVpcOrigin with the current ETag");
    assert_ne!(
        updated.e_tag(),
        Some(first_etag.as_str()),
        "an update changes the ETag"
    );
    let protocols = updated
        .vpc_origin()
        .and_then(|v| v.vpc_origin_endpoint_config())
        .and_then(|e| e.origin_ssl_protocols())
        .expect("the updated protocols");
    assert_eq!(
        protocols.items(),
        [cf::SslProtocol::TlSv11, cf::SslProtocol::TlSv12]
    );

    let stale = account
        .update_vpc_origin(&id, &first_etag, &["TLSv1.2"])
        .await
        .expect_err("the first ETag is stale now");
    assert_eq!(stale.code(), Some("PreconditionFailed"));

    account.proxy.set_vpc_origin_status(&id, "Deployed");
    let listed = account
        .cloudfront
        .list_vpc_origins()
        .send()
        .await
        .expect("ListVpcOrigins");
    let summaries = listed.vpc_origin_list().expect("the list").items();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].id(), id);
    assert_eq!(summaries[0].status(), "Deployed");
    assert_eq!(summaries[0].origin_endpoint_arn(), ALB_ARN);
}

#[tokio::test]
async fn an_unknown_vpc_origin_is_entity_not_found() {
    let account = Account::start().await;
    let error = account
        .get_vpc_origin("vo_UNKNOWN")
        .await
        .expect_err("no such VPC origin");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_entity_not_found()),
        "{error:?}"
    );
}

#[tokio::test]
async fn faults_injected_on_get_vpc_origin_reach_the_sdk() {
    let account = Account::start().await;
    let vpc_origin = account.vpc_origin("private-alb").await;

    account.proxy.inject("GetVpcOrigin", Fault::AccessDenied);
    let denied = account
        .get_vpc_origin(&vpc_origin.id)
        .await
        .expect_err("denied");
    assert!(
        denied
            .as_service_error()
            .is_some_and(|e| e.is_access_denied()),
        "{denied:?}"
    );

    account.proxy.inject("GetVpcOrigin", Fault::Throttle);
    let throttled = account
        .get_vpc_origin(&vpc_origin.id)
        .await
        .expect_err("throttled (the test clients do not retry)");
    assert_eq!(throttled.code(), Some("Throttling"));
    assert_eq!(account.proxy.seen("GetVpcOrigin"), 2);

    // Clearing the faults keeps what was seeded.
    account.proxy.clear();
    let got = account
        .get_vpc_origin(&vpc_origin.id)
        .await
        .expect("GetVpcOrigin without faults");
    assert_eq!(got.e_tag(), Some(vpc_origin.etag.as_str()));
}

#[tokio::test]
async fn a_distribution_reads_back_the_vpc_origin_config_it_was_created_with() {
    let account = Account::start().await;
    let cloudfront = &account.cloudfront;
    let vpc_origin = account.vpc_origin("private-alb").await;
    let spec = DistributionSpec {
        origins: vec![
            OriginSpec::vpc("private", ALB_DNS, &vpc_origin.id),
            OriginSpec::custom("public", "public.example.com"),
        ],
        ..DistributionSpec::new()
    };
    let sent = distribution_config("vpc", &spec);
    let expected = origin(sent.origins(), "private")
        .vpc_origin_config()
        .expect("sent with a VpcOriginConfig")
        .clone();

    let created = cloudfront
        .create_distribution()
        .distribution_config(sent.clone())
        .send()
        .await
        .expect("CreateDistribution");
    let distribution = created.distribution().expect("distribution");
    let id = distribution.id().to_owned();
    let config = distribution.distribution_config();
    let private = origin(config.and_then(|c| c.origins()), "private");
    assert_eq!(private.vpc_origin_config(), Some(&expected));
    assert!(private.custom_origin_config().is_none() && private.s3_origin_config().is_none());
    let public = origin(config.and_then(|c| c.origins()), "public");
    assert!(public.vpc_origin_config().is_none() && public.custom_origin_config().is_some());

    assert_eq!(
        private_vpc_origin_config(cloudfront, &id).await,
        Some(expected.clone())
    );

    let listed = cloudfront
        .list_distributions()
        .send()
        .await
        .expect("ListDistributions");
    let summary = &listed.distribution_list().expect("list").items()[0];
    assert_eq!(
        origin(summary.origins(), "private").vpc_origin_config(),
        Some(&expected)
    );

    assert_eq!(
        private_vpc_origin_config(&account.emulator.cloudfront(), &id).await,
        None,
        "moto alone drops VpcOriginConfig: that is what the proxy is for"
    );

    // An update replaces what is remembered.
    let current = cloudfront
        .get_distribution_config()
        .id(&id)
        .send()
        .await
        .expect("GetDistributionConfig");
    assert_eq!(
        origin(
            current.distribution_config().and_then(|c| c.origins()),
            "private"
        )
        .vpc_origin_config(),
        Some(&expected)
    );
    let etag = current.e_tag().expect("ETag").to_owned();
    let longer_spec = DistributionSpec {
        origins: vec![OriginSpec::Vpc {
            id: "private".to_owned(),
            domain: ALB_DNS.to_owned(),
            vpc_origin_id: vpc_origin.id.clone(),
            read_timeout: Some(60),
            keepalive_timeout: None,
        }],
        ..spec
    };
    let config = distribution_config("vpc", &longer_spec);
    let longer = origin(config.origins(), "private")
        .vpc_origin_config()
        .expect("a VpcOriginConfig")
        .clone();
    cloudfront
        .update_distribution()
        .id(&id)
        .if_match(etag)
        .distribution_config(config)
        .send()
        .await
        .expect("UpdateDistribution");
    assert_eq!(
        private_vpc_origin_config(cloudfront, &id).await,
        Some(longer)
    );
}

#[tokio::test]
async fn distributions_by_vpc_origin_id_come_in_pages_of_max_items() {
    let account = Account::start().await;
    let cloudfront = &account.cloudfront;
    let shared = account.vpc_origin("shared").await;
    let other = account.vpc_origin("other").await;
    let mut expected = Vec::new();
    for n in 0..3 {
        expected.push(
            create_distribution(
                cloudfront,
                &format!("shared-{n}"),
                &on_vpc_origin(&shared.id),
            )
            .await,
        );
    }
    create_distribution(cloudfront, "other", &on_vpc_origin(&other.id)).await;
    create_distribution(cloudfront, "public", &DistributionSpec::new()).await;
    expected.sort();

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut marker = String::new();
    loop {
        let page = cloudfront
            .list_distributions_by_vpc_origin_id()
            .vpc_origin_id(&shared.id)
            .marker(&marker)
            .max_items(1)
            .send()
            .await
            .expect("ListDistributionsByVpcOriginId");
        let list = page.distribution_id_list().expect("the list");
        pages += 1;
        assert_eq!(list.marker(), marker);
        assert_eq!((list.max_items(), list.quantity()), (1, 1));
        seen.extend(list.items().iter().cloned());
        if !list.is_truncated() {
            assert!(list.next_marker().is_none());
            break;
        }
        marker = list
            .next_marker()
            .expect("NextMarker on a truncated page")
            .to_owned();
        assert!(pages < 10, "the marker loop ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    let in_use = cloudfront
        .delete_vpc_origin()
        .id(&shared.id)
        .if_match(&shared.etag)
        .send()
        .await
        .expect_err("a VPC origin in use is not deleted");
    assert_eq!(in_use.code(), Some("CannotDeleteEntityWhileInUse"));
}

#[tokio::test]
async fn an_alb_in_eu_west_1_reads_back_its_https_listener_sni_certificate_and_policy() {
    const REGION: &str = "eu-west-1";
    const POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
    let account = Account::start().await;
    let proxy = &account.proxy;
    let acm = aws_sdk_acm::Client::new(&proxy.sdk_config_in(REGION));
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&proxy.sdk_config_in(REGION));
    let network = create_network(&proxy.endpoint_url(), REGION).await;
    let default_certificate = request_acm(&acm, "origin.example.com", &[]).await;
    let sni_certificate = import_healthy_acm(&acm).await;
    assert!(default_certificate.starts_with("arn:aws:acm:eu-west-1:"));

    let alb = create_load_balancer(
        &elbv2,
        &network,
        "origin-alb",
        LoadBalancerKind::Application,
    )
    .await;
    let https = create_tls_listener(&elbv2, &alb, 443, &default_certificate, Some(POLICY)).await;
    let http = create_plain_listener(&elbv2, &alb, 80).await;
    add_sni_certificates(&elbv2, &https, &[&sni_certificate]).await;

    let described = elbv2
        .describe_load_balancers()
        .names("origin-alb")
        .send()
        .await
        .expect("DescribeLoadBalancers");
    let balancer = &described.load_balancers()[0];
    assert_eq!(balancer.load_balancer_arn(), Some(alb.arn.as_str()));
    assert_eq!(balancer.dns_name(), Some(alb.dns_name.as_str()));
    assert_eq!(balancer.r#type(), Some(&LoadBalancerTypeEnum::Application));
    assert!(alb.arn.contains(":eu-west-1:"), "{}", alb.arn);

    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(&alb.arn)
        .send()
        .await
        .expect("DescribeListeners");
    let listener = |arn: &str| {
        listeners
            .listeners()
            .iter()
            .find(|l| l.listener_arn() == Some(arn))
            .unwrap_or_else(|| panic!("listener {arn}"))
            .clone()
    };
    let https_listener = listener(&https);
    assert_eq!(https_listener.protocol(), Some(&ProtocolEnum::Https));
    assert_eq!(https_listener.port(), Some(443));
    assert_eq!(https_listener.ssl_policy(), Some(POLICY));
    assert_eq!(listener(&http).protocol(), Some(&ProtocolEnum::Http));

    let certificates = elbv2
        .describe_listener_certificates()
        .listener_arn(&https)
        .send()
        .await
        .expect("DescribeListenerCertificates");
    let by_default: Vec<(Option<&str>, Option<bool>)> = certificates
        .certificates()
        .iter()
        .map(|c| (c.certificate_arn(), c.is_default()))
        .collect();
    assert_eq!(
        by_default,
        [
            (Some(default_certificate.as_str()), Some(true)),
            (Some(sni_certificate.as_str()), Some(false)),
        ]
    );

    let policies = elbv2
        .describe_ssl_policies()
        .names(POLICY)
        .send()
        .await
        .expect("DescribeSSLPolicies");
    let policy = &policies.ssl_policies()[0];
    assert_eq!(policy.name(), Some(POLICY));
    let mut protocols = policy.ssl_protocols().to_vec();
    protocols.sort();
    assert_eq!(protocols, ["TLSv1.2", "TLSv1.3"]);

    // Through the proxy (so faults can be injected on them), and per region.
    assert_eq!(proxy.seen("DescribeListenerCertificates"), 1);
    assert_eq!(proxy.seen("DescribeSSLPolicies"), 1);
    let elsewhere = aws_sdk_elasticloadbalancingv2::Client::new(&proxy.sdk_config())
        .describe_load_balancers()
        .send()
        .await
        .expect("DescribeLoadBalancers in us-east-1");
    assert!(elsewhere.load_balancers().is_empty());
}

#[tokio::test]
async fn an_nlb_takes_a_tls_listener_with_a_certificate_of_its_region() {
    const REGION: &str = "eu-west-1";
    let emulator = Emulator::start();
    let elbv2 = emulator.elbv2(REGION);
    let network = create_network(&emulator.endpoint_url(), REGION).await;
    let certificate = import_healthy_acm(&emulator.acm_in(REGION)).await;
    let nlb = create_load_balancer(&elbv2, &network, "origin-nlb", LoadBalancerKind::Network).await;
    let tls = create_tls_listener(&elbv2, &nlb, 443, &certificate, None).await;
    create_plain_listener(&elbv2, &nlb, 80).await;

    let listeners = elbv2
        .describe_listeners()
        .listener_arns(&tls)
        .send()
        .await
        .expect("DescribeListeners");
    let listener = &listeners.listeners()[0];
    assert_eq!(listener.protocol(), Some(&ProtocolEnum::Tls));
    assert_eq!(
        listener.ssl_policy(),
        Some("ELBSecurityPolicy-2016-08"),
        "the API's default policy"
    );
    let described = elbv2
        .describe_load_balancers()
        .load_balancer_arns(&nlb.arn)
        .send()
        .await
        .expect("DescribeLoadBalancers");
    assert_eq!(
        described.load_balancers()[0].r#type(),
        Some(&LoadBalancerTypeEnum::Network)
    );
}

#[tokio::test]
async fn the_inventory_through_the_proxy_sees_vpc_origins_also_of_tagged_distributions() {
    let account = Account::start().await;
    let vpc_origin = account.vpc_origin("private-alb").await;
    let plain =
        create_distribution(&account.cloudfront, "plain", &on_vpc_origin(&vpc_origin.id)).await;
    let tagged = account
        .cloudfront
        .create_distribution_with_tags()
        .distribution_config_with_tags(
            cf::DistributionConfigWithTags::builder()
                .distribution_config(distribution_config(
                    "tagged",
                    &on_vpc_origin(&vpc_origin.id),
                ))
                .tags(
                    cf::Tags::builder()
                        .items(
                            cf::Tag::builder()
                                .key("team")
                                .value("edge")
                                .build()
                                .expect("tag"),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateDistributionWithTags");
    let tagged = tagged.distribution().expect("distribution").id().to_owned();

    let snapshot = account
        .proxy
        .inventory()
        .snapshot(&Scope::AllDistributions)
        .await;
    assert!(snapshot.gaps.is_empty(), "{:?}", snapshot.gaps);
    let mut seen: Vec<(String, OriginKind)> = snapshot
        .distributions
        .iter()
        .map(|d| (d.id.clone(), d.origins[0].kind.clone()))
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let on_vpc_origin = OriginKind::Vpc {
        vpc_origin_id: vpc_origin.id.clone(),
        owner_account_id: None,
    };
    let mut expected = vec![(plain, on_vpc_origin.clone()), (tagged, on_vpc_origin)];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(seen, expected);
}
