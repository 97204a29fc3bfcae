//! Issue 13's acceptance, counted: a sweep over 1,000 distributions behind 20 load balancers in two
//! regions reads each distinct load balancer, listener, security policy and certificate once, in its
//! own region, and a second pass over the same snapshot reads nothing. Counted by operation name
//! with `support::counting` on every client the inventory uses (the regional ELB and ACM clients
//! are derived from the counted templates and keep their interceptor).
//!
//! Expected calls are derived from the API's limits, not measured: DescribeLoadBalancers takes up to
//! 20 names per call (10 per region here: one call each); DescribeListeners once per load balancer;
//! DescribeListenerCertificates once per HTTPS listener (never for the HTTP ones);
//! DescribeSSLPolicies once per region with every name; ACM DescribeCertificate once per distinct
//! ARN, and GetCertificate for each imported one (its chain).

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use cloudfront_tls_audit::catalogue::LOAD_BALANCER_NOT_FOUND;
use cloudfront_tls_audit::finding::{fill, Finding};
use cloudfront_tls_audit::inventory::AwsInventory;
use cloudfront_tls_audit::model::{LoadBalancerLookup, LoadBalancerRef, Scope, Snapshot};
use support::elb::{
    add_sni_certificates, create_load_balancer, create_network, create_plain_listener,
    create_tls_listener, LoadBalancer, LoadBalancerKind,
};
use support::seed::{create_distribution, import_acm, DistributionSpec, OriginSpec};
use support::{CallCounter, CertBuilder, Emulator};

/// The sweep's size (issue 13). Seeding is one CreateDistribution at a time (moto's CloudFront
/// backend answers 500 to concurrent creates).
const DISTRIBUTIONS: usize = 1_000;

/// The two regions the load balancers are spread over, 10 each.
const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];
const BALANCERS_PER_REGION: usize = 10;

/// Five distinct predefined policies, every one shared with what CloudFront offers an https-only
/// TLSv1.2 origin (versions and ciphers): the set-up is healthy.
const POLICIES: [&str; 5] = [
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
];

/// SNI certificates per region (5 in all), each added to two listeners of its region: 20 default
/// and 5 SNI certificates make 25 distinct listener certificates.
const SNI_PER_REGION: [usize; 2] = [3, 2];

/// The codes the load-balancer rules (`rules/origin_lb.rs`) can give; none may fire on the healthy
/// set-up.
const LOAD_BALANCER_CODES: [&str; 13] = [
    "origin-lb-listener-missing",
    "origin-not-probed",
    "origin-tls-protocol-mismatch",
    "origin-tls-no-shared-cipher",
    "origin-cert-name-mismatch",
    "origin-cert-expired",
    "origin-cert-not-yet-valid",
    "origin-cert-expiring",
    "origin-cert-untrusted-root",
    "origin-deprecated-protocols",
    "origin-http-only",
    "audit-not-covered",
    "audit-incomplete",
];

/// One seeded load balancer: HTTPS on 443 with its default certificate, HTTP on 80.
struct Seeded {
    balancer: LoadBalancer,
    https_listener: String,
}

/// Imports a valid listener certificate into ACM of `region`, covering `names`. Returns its ARN.
async fn listener_certificate(emulator: &Emulator, region: &str, names: &[String]) -> String {
    let certificate = CertBuilder::new(names.iter().map(String::as_str))
        .expires_in_days(200)
        .build();
    import_acm(&emulator.acm_in(region), &certificate).await
}

/// An application load balancer `name` in `region` with an HTTPS listener on 443 (`policy`, a
/// default certificate of its own that covers the names CloudFront sends to it: the region's
/// wildcard and its `dualstack.` name) and an HTTP listener on 80.
async fn seed_balancer(
    emulator: &Emulator,
    network: &support::elb::Network,
    region: &str,
    name: &str,
    policy: &str,
) -> Seeded {
    let elbv2 = emulator.elbv2(region);
    let balancer = create_load_balancer(&elbv2, network, name, LoadBalancerKind::Application).await;
    let names = vec![
        format!("*.{region}.elb.amazonaws.com"),
        format!("dualstack.{}", balancer.dns_name),
    ];
    let certificate = listener_certificate(emulator, region, &names).await;
    let https_listener =
        create_tls_listener(&elbv2, &balancer, 443, &certificate, Some(policy)).await;
    create_plain_listener(&elbv2, &balancer, 80).await;
    Seeded {
        balancer,
        https_listener,
    }
}

/// An https-only TLSv1.2 origin on 443 naming `domain`.
fn origin(id: &str, domain: &str) -> OriginSpec {
    OriginSpec::custom(id, domain)
}

/// Every call made so far, summed.
fn total(counter: &CallCounter) -> usize {
    counter.snapshot().values().sum()
}

/// The findings of the load-balancer rules.
fn load_balancer_findings(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| LOAD_BALANCER_CODES.contains(&f.code.as_str()))
        .collect()
}

/// Whether `finding` is `origin-not-probed` for the cause "no load balancer has this name": its
/// message is that cause's, filled from its own evidence.
fn is_load_balancer_not_found(finding: &Finding) -> bool {
    finding.code == LOAD_BALANCER_NOT_FOUND.code
        && finding.message == fill(LOAD_BALANCER_NOT_FOUND.message, &finding.evidence)
}

/// `read_references` again on a snapshot that holds every answer: asserts it makes no call.
async fn second_pass_reads_nothing(
    inventory: &AwsInventory,
    snapshot: &mut Snapshot,
    counter: &CallCounter,
    calls: &BTreeMap<String, usize>,
) {
    inventory.read_references(snapshot).await;
    assert_eq!(
        &counter.snapshot(),
        calls,
        "a second read_references made calls"
    );
}

#[tokio::test]
async fn a_sweep_of_1000_distributions_behind_20_load_balancers_reads_each_distinct_thing_once() {
    let emulator = Emulator::start();
    let seeding = Instant::now();

    let mut balancers: Vec<Seeded> = Vec::new();
    let mut sni_certificates = 0;
    for (r, region) in REGIONS.into_iter().enumerate() {
        let network = create_network(&emulator.endpoint_url(), region).await;
        let first = balancers.len();
        for n in 0..BALANCERS_PER_REGION {
            // The same names in both regions: a load balancer is told apart by its region too.
            let name = format!("origin-{n:02}");
            let policy = POLICIES[n % POLICIES.len()];
            balancers.push(seed_balancer(&emulator, &network, region, &name, policy).await);
        }
        let elbv2 = emulator.elbv2(region);
        for s in 0..SNI_PER_REGION[r] {
            let names = vec![format!("api{s}.{region}.example.com")];
            let sni = listener_certificate(&emulator, region, &names).await;
            sni_certificates += 1;
            // Shared by two listeners: still one certificate to read.
            for seeded in &balancers[first + 2 * s..first + 2 * s + 2] {
                add_sni_certificates(&elbv2, &seeded.https_listener, &[&sni]).await;
            }
        }
    }
    let listener_certificates = balancers.len() + sni_certificates;
    assert_eq!(balancers.len(), 20);
    assert_eq!(listener_certificates, 25);

    // Two viewer certificates in us-east-1, next to the listener certificates of that region.
    let acm = emulator.acm();
    let mut viewer = Vec::new();
    for zone in ["a", "b"] {
        let certificate = CertBuilder::new([format!("*.{zone}.viewer.test")])
            .expires_in_days(200)
            .build();
        viewer.push((zone, import_acm(&acm, &certificate).await));
    }
    let balancers_seeded = seeding.elapsed();

    let cloudfront = emulator.cloudfront();
    for d in 0..DISTRIBUTIONS {
        // 50 distributions per load balancer; every tenth with a second origin on the same one,
        // spelt `dualstack.…`: the same load balancer, not another.
        let dns_name = &balancers[d % balancers.len()].balancer.dns_name;
        let mut spec = match d % 4 {
            0 | 1 => {
                let (zone, arn) = &viewer[d % 4];
                DistributionSpec::new().with_acm(arn, &[&format!("d{d}.{zone}.viewer.test")])
            }
            _ => DistributionSpec::new(),
        };
        spec.origins = vec![origin("alb", dns_name)];
        if d % 10 == 0 {
            spec.origins
                .push(origin("alb-dualstack", &format!("dualstack.{dns_name}")));
        }
        create_distribution(&cloudfront, &format!("sweep-{d}"), &spec).await;
    }
    println!(
        "seeded 20 load balancers and {} certificates in {balancers_seeded:?}, \
         {DISTRIBUTIONS} distributions in {:?}",
        listener_certificates + viewer.len(),
        seeding.elapsed() - balancers_seeded
    );

    let counter = CallCounter::default();
    let inventory = counter.inventory(&emulator.sdk_config());
    let mut snapshot = inventory.snapshot(&Scope::AllDistributions).await;
    assert_eq!(snapshot.distributions.len(), DISTRIBUTIONS);
    assert!(snapshot.gaps.is_empty(), "{:?}", snapshot.gaps);
    assert_eq!(
        snapshot.load_balancers.len(),
        20,
        "one entry per distinct load balancer"
    );
    // Each read whole: an HTTPS and an HTTP listener, the default certificate and, on ten of
    // the HTTPS listeners, an SNI one.
    let mut with_sni = 0;
    for (reference, lookup) in &snapshot.load_balancers {
        let LoadBalancerLookup::Found(balancer) = lookup else {
            panic!("{reference:?}: {lookup:?}");
        };
        let mut protocols: Vec<&str> = balancer
            .listeners
            .iter()
            .map(|l| l.protocol.as_str())
            .collect();
        protocols.sort_unstable();
        assert_eq!(protocols, ["HTTP", "HTTPS"], "{reference:?}");
        let https = balancer
            .listeners
            .iter()
            .find(|l| l.speaks_tls())
            .expect("the HTTPS listener");
        assert!(https.certificates[0].is_default, "{https:?}");
        with_sni += usize::from(https.certificates.len() == 2);
    }
    assert_eq!(with_sni, 2 * sni_certificates);
    assert_eq!(snapshot.ssl_policies.len(), 2 * POLICIES.len());
    assert_eq!(snapshot.listener_certificates.len(), listener_certificates);

    let calls = counter.snapshot();
    // 1,000 distributions at 100 per page.
    assert_eq!(counter.count("ListDistributions"), 10, "{calls:?}");
    // 10 names per region, up to 20 per call: one call per region.
    assert_eq!(counter.count("DescribeLoadBalancers"), 2, "{calls:?}");
    assert_eq!(counter.count("DescribeListeners"), 20, "{calls:?}");
    // The HTTPS listeners only: an HTTP listener has no certificate.
    assert_eq!(
        counter.count("DescribeListenerCertificates"),
        20,
        "{calls:?}"
    );
    // One call per region naming its five policies.
    assert_eq!(counter.count("DescribeSSLPolicies"), 2, "{calls:?}");
    // 25 listener certificates (in their regions) and 2 viewer certificates, all imported.
    assert_eq!(counter.count("DescribeCertificate"), 27, "{calls:?}");
    assert_eq!(counter.count("GetCertificate"), 27, "{calls:?}");
    assert_eq!(counter.count("GetVpcOrigin"), 0, "{calls:?}");
    assert_eq!(counter.count("GetDistribution"), 0, "{calls:?}");
    assert_eq!(
        total(&counter),
        10 + 2 + 20 + 20 + 2 + 27 + 27,
        "nothing else: {calls:?}"
    );

    // The set-up is healthy: no load-balancer finding on any of the 1,100 origins.
    let findings =
        cloudfront_tls_audit::rules::evaluate(&snapshot, time::OffsetDateTime::now_utc());
    let judged = load_balancer_findings(&findings);
    assert!(
        judged.is_empty(),
        "{} findings, first: {:#?}",
        judged.len(),
        judged.first()
    );

    // Everything is in the snapshot: a second pass reads nothing.
    second_pass_reads_nothing(&inventory, &mut snapshot, &counter, &calls).await;
}

#[tokio::test]
async fn an_unknown_load_balancer_name_leaves_the_others_read_and_is_reported_not_found() {
    let emulator = Emulator::start();
    let mut balancers: BTreeMap<&str, Vec<Seeded>> = BTreeMap::new();
    for (region, count) in [("eu-west-1", 2), ("us-east-1", 1)] {
        let network = create_network(&emulator.endpoint_url(), region).await;
        for (n, policy) in POLICIES.into_iter().take(count).enumerate() {
            let seeded = seed_balancer(
                &emulator,
                &network,
                region,
                &format!("origin-{n:02}"),
                policy,
            )
            .await;
            balancers.entry(region).or_default().push(seeded);
        }
    }
    // Names sort before or after the real ones ("origin-…"), and the batch is sent in that order.
    // AWS refuses a whole DescribeLoadBalancers naming an unknown load balancer
    // (LoadBalancerNotFound). moto 5.2.5 does so only when the unknown name comes before every
    // known one (its loop keeps the previous match: `moto/elbv2/models.py` describe_load_balancers),
    // and otherwise answers with the known ones only. Both answers are met here: eu-west-1's ghost
    // sorts first (refused: the batch is asked again name by name), us-east-1's last (answered
    // without it).
    let refused_ghost = "ghost-1.eu-west-1.elb.amazonaws.com";
    let missing_ghost = "zz-ghost-1.us-east-1.elb.amazonaws.com";
    let cloudfront = emulator.cloudfront();
    let mut domains: Vec<String> = balancers
        .values()
        .flatten()
        .map(|s| s.balancer.dns_name.clone())
        .collect();
    domains.extend([refused_ghost.to_owned(), missing_ghost.to_owned()]);
    let mut ids = BTreeMap::new();
    for (n, domain) in domains.iter().enumerate() {
        let mut spec = DistributionSpec::new();
        spec.origins = vec![origin("alb", domain)];
        let id = create_distribution(&cloudfront, &format!("ghost-{n}"), &spec).await;
        ids.insert(domain.clone(), id);
    }

    let counter = CallCounter::default();
    let inventory = counter.inventory(&emulator.sdk_config());
    let mut snapshot = inventory.snapshot(&Scope::AllDistributions).await;
    let calls = counter.snapshot();
    // eu-west-1: the refused batch of three, then each of the three alone; us-east-1: one call;
    // then in each region one listing of every load balancer, looking for the name not found by its
    // DNS name (names are case-sensitive to DescribeLoadBalancers, DNS names are not).
    assert_eq!(
        counter.count("DescribeLoadBalancers"),
        1 + 3 + 1 + 2,
        "{calls:?}"
    );
    // The three real load balancers are still read, each once.
    assert_eq!(counter.count("DescribeListeners"), 3, "{calls:?}");
    assert_eq!(
        counter.count("DescribeListenerCertificates"),
        3,
        "{calls:?}"
    );
    assert_eq!(counter.count("DescribeSSLPolicies"), 2, "{calls:?}");
    assert_eq!(counter.count("DescribeCertificate"), 3, "{calls:?}");
    assert_eq!(counter.count("GetCertificate"), 3, "{calls:?}");
    for ghost in [refused_ghost, missing_ghost] {
        let reference = LoadBalancerRef::from_dns_name(ghost).expect("an ELB name");
        assert!(
            matches!(
                snapshot.load_balancers.get(&reference),
                Some(LoadBalancerLookup::NotFound { .. })
            ),
            "{ghost}: {:?}",
            snapshot.load_balancers.get(&reference)
        );
    }

    let findings =
        cloudfront_tls_audit::rules::evaluate(&snapshot, time::OffsetDateTime::now_utc());
    for (domain, id) in &ids {
        let own: Vec<&Finding> = load_balancer_findings(&findings)
            .into_iter()
            .filter(|f| f.distribution_id.as_deref() == Some(id.as_str()))
            .collect();
        if domain == refused_ghost || domain == missing_ghost {
            assert_eq!(own.len(), 1, "{domain}: {own:#?}");
            assert!(
                is_load_balancer_not_found(own[0]),
                "{domain}: {:#?}",
                own[0]
            );
            assert_eq!(own[0].evidence["origin_domain"], domain.as_str());
        } else {
            assert!(own.is_empty(), "{domain}: {own:#?}");
        }
    }

    // Not found is an answer: a second pass asks nothing again.
    second_pass_reads_nothing(&inventory, &mut snapshot, &counter, &calls).await;
}

/// Fails on main as of c3f5154: the viewer certificates (`snapshot.certificates`, read first by
/// `read_references`) and the listener certificates (`snapshot.listener_certificates`,
/// `src/inventory/origins.rs` `read_listener_certificates`, which skips only ARNs already in
/// `listener_certificates`) are two maps, so a us-east-1 ARN in both is described twice.
#[tokio::test]
async fn a_certificate_that_is_both_viewer_and_listener_certificate_is_read_once() {
    let emulator = Emulator::start();
    let region = "us-east-1";
    let network = create_network(&emulator.endpoint_url(), region).await;
    let elbv2 = emulator.elbv2(region);
    let balancer =
        create_load_balancer(&elbv2, &network, "shop", LoadBalancerKind::Application).await;
    // One us-east-1 certificate for the shop's name and the load balancer's: CloudFront's viewer
    // certificate and the listener's at once, a common set-up.
    let certificate = listener_certificate(
        &emulator,
        region,
        &[
            "shop.example.com".to_owned(),
            format!("*.{region}.elb.amazonaws.com"),
        ],
    )
    .await;
    create_tls_listener(&elbv2, &balancer, 443, &certificate, Some(POLICIES[0])).await;
    let mut spec = DistributionSpec::new().with_acm(&certificate, &["shop.example.com"]);
    spec.origins = vec![origin("alb", &balancer.dns_name)];
    create_distribution(&emulator.cloudfront(), "shop", &spec).await;

    let counter = CallCounter::default();
    let snapshot: Snapshot = counter
        .inventory(&emulator.sdk_config())
        .snapshot(&Scope::AllDistributions)
        .await;
    assert_eq!(snapshot.listener_certificates.len(), 1);
    let calls = counter.snapshot();
    assert_eq!(counter.count("DescribeCertificate"), 1, "{calls:?}");
    assert_eq!(counter.count("GetCertificate"), 1, "{calls:?}");
}

/// VPC origins, counted: 10 VPC origins in front of 3 load balancers, two distributions on each:
/// one GetVpcOrigin per distinct VPC origin, and the load balancers behind them read as above
/// (their ARNs in one DescribeLoadBalancers), each once.
#[tokio::test]
async fn ten_vpc_origins_over_three_load_balancers_read_each_vpc_origin_and_load_balancer_once() {
    let emulator = Emulator::start();
    let proxy = support::fault_proxy::FaultProxy::start(&emulator.endpoint_url()).await;
    let region = "eu-west-1";
    let network = create_network(&emulator.endpoint_url(), region).await;
    let mut balancers = Vec::new();
    for (index, policy) in POLICIES.iter().take(3).enumerate() {
        let name = format!("private-{index}");
        balancers.push(seed_balancer(&emulator, &network, region, &name, policy).await);
    }
    let cloudfront = proxy.cloudfront();
    for index in 0..10 {
        let balancer = &balancers[index % 3].balancer;
        let vpc = support::seed::create_vpc_origin(
            &cloudfront,
            support::seed::vpc_origin_endpoint(
                &format!("vpc-{index}"),
                &balancer.arn,
                &["TLSv1.2"],
            ),
        )
        .await;
        proxy.set_vpc_origin_status(&vpc.id, "Deployed");
        for copy in 0..2 {
            let spec = DistributionSpec {
                origins: vec![OriginSpec::vpc("vpc", &balancer.dns_name, &vpc.id)],
                ..DistributionSpec::new()
            };
            create_distribution(&cloudfront, &format!("vpc-{index}-{copy}"), &spec).await;
        }
    }
    let counter = CallCounter::default();
    let inventory = counter.inventory(&proxy.sdk_config());
    let mut snapshot = inventory.snapshot(&Scope::AllDistributions).await;

    assert_eq!(snapshot.distributions.len(), 20);
    let calls = counter.snapshot();
    let expected: BTreeMap<String, usize> = [
        ("ListDistributions", 1),
        ("GetVpcOrigin", 10),
        ("DescribeLoadBalancers", 1),
        ("DescribeListeners", 3),
        ("DescribeListenerCertificates", 3),
        ("DescribeSSLPolicies", 1),
        ("DescribeCertificate", 3),
        ("GetCertificate", 3),
    ]
    .into_iter()
    .map(|(name, count)| (name.to_owned(), count))
    .collect();
    assert_eq!(calls, expected);
    let findings =
        cloudfront_tls_audit::rules::evaluate(&snapshot, time::OffsetDateTime::now_utc());
    let unexpected: Vec<&Finding> = load_balancer_findings(&findings)
        .into_iter()
        .filter(|f| f.code.as_str() != "origin-not-probed")
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    second_pass_reads_nothing(&inventory, &mut snapshot, &counter, &calls).await;
}
