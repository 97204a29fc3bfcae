//! Issue 13's samples in `events/` (Elastic Load Balancing listener calls, CloudFront VPC origin
//! calls, an ACM event for a load balancer's certificate in eu-west-1), each replayed through the real
//! Lambda binary and its loopback Runtime API against the emulator. The load balancers, listeners and
//! certificates live in moto's eu-west-1; the VPC origins exist only in the test proxy, so the function
//! reads every service through the proxy (ELB, ACM, SNS and SQS pass through it to moto unchanged).
//!
//! moto's ARNs and ids are random: each sample gets the seeded ones at the JSON pointers where it names
//! them, so that the event describes the account under test. What is checked is what an operator
//! receives: exactly one notification, about the distribution behind the changed resource and no other,
//! with the configuration's evidence, in every audience's shape.

mod support;

use std::path::Path;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::types::Certificate;
use serde_json::Value;
use support::elb::{
    add_sni_certificates, create_load_balancer, create_network, create_tls_listener, LoadBalancer,
    LoadBalancerKind, Network,
};
use support::fault_proxy::{Fault, FaultProxy};
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{
    create_distribution, create_vpc_origin, import_acm, vpc_origin_endpoint, DistributionSpec,
    OriginSpec, SeededVpcOrigin,
};
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REGION: &str = "eu-west-1";

/// Offers TLS 1.3 only, so an origin offering TLSv1.2 at most never completes a handshake.
const TLS_1_3_ONLY: &str = "ELBSecurityPolicy-TLS13-1-3-2021-06";

const MISMATCH: &str = "origin-tls-protocol-mismatch";

/// How long one invocation may take before the test gives up on it.
const INVOCATION_LIMIT: Duration = Duration::from_secs(60);

/// moto behind the proxy, a network in eu-west-1 for the load balancers, and (once the account is
/// seeded) the Lambda binary reading through the proxy.
struct Lab {
    emulator: Emulator,
    proxy: FaultProxy,
    network: Network,
    function: Option<Function>,
}

/// The Lambda binary, its Runtime API, and the queue subscribed to its topic.
struct Function {
    api: RuntimeApi,
    _process: tokio::process::Child,
    queue_url: String,
}

impl Lab {
    async fn start() -> Lab {
        let emulator = Emulator::start();
        Lab {
            proxy: FaultProxy::start(&emulator.endpoint_url()).await,
            network: create_network(&emulator.endpoint_url(), REGION).await,
            emulator,
            function: None,
        }
    }

    /// Load balancers and listeners are seeded in moto directly: they need nothing of the proxy.
    fn elbv2(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        self.emulator.elbv2(REGION)
    }

    /// Starts the function once the account is seeded: every AWS call it makes goes through the
    /// proxy, the only place VPC origins exist. The probe is off: these origins are not on loopback,
    /// and the findings under test are the configuration's.
    async fn start_function(&mut self) {
        let (topic_arn, queue_url) = topic_with_queue(&self.emulator).await;
        let api = RuntimeApi::start().await;
        let binary = Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda"));
        let mut command = api.function_command(binary, 256);
        command
            .env(
                "CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL",
                self.proxy.endpoint_url(),
            )
            .env("TOPIC_ARN", topic_arn)
            .env("PROBE", "false")
            .kill_on_drop(true);
        self.function = Some(Function {
            _process: command.spawn().expect("the Lambda binary starts"),
            api,
            queue_url,
        });
    }

    fn function(&self) -> &Function {
        self.function.as_ref().expect("start_function first")
    }

    /// Invokes the function with `event`; its answer, which must be a response, not an error.
    async fn invoke(&self, event: &str) -> Value {
        let api = &self.function().api;
        let id = api.invoke(event, Duration::from_secs(300));
        match api.outcome(&id, INVOCATION_LIMIT).await {
            Outcome::Response(body) => serde_json::from_str(&body).expect("the answer is JSON"),
            Outcome::Error(body) => panic!("the invocation failed: {body}"),
        }
    }

    /// The SNS envelopes delivered since the last call.
    async fn delivered(&self) -> Vec<Value> {
        drain(&self.emulator, &self.function().queue_url).await
    }

    /// A listener certificate in eu-west-1 that covers every load balancer name there, 200 days left.
    async fn certificate(&self) -> String {
        import_acm(
            &self.emulator.acm_in(REGION),
            &CertBuilder::new(["*.eu-west-1.elb.amazonaws.com"])
                .expires_in_days(200)
                .build(),
        )
        .await
    }

    /// An application load balancer `name` whose HTTPS listener on 443 serves `certificate` with a
    /// TLS 1.3-only policy; returns it and the listener's ARN.
    async fn tls_1_3_only(&self, name: &str, certificate: &str) -> (LoadBalancer, String) {
        let balancer = create_load_balancer(
            &self.elbv2(),
            &self.network,
            name,
            LoadBalancerKind::Application,
        )
        .await;
        let listener = create_tls_listener(
            &self.elbv2(),
            &balancer,
            443,
            certificate,
            Some(TLS_1_3_ONLY),
        )
        .await;
        (balancer, listener)
    }

    /// A distribution whose only origin is `origin`; `reference` (unique per distribution) is its
    /// caller reference.
    async fn distribution(&self, reference: &str, origin: OriginSpec) -> String {
        let spec = DistributionSpec {
            origins: vec![origin],
            ..DistributionSpec::new()
        };
        create_distribution(&self.proxy.cloudfront(), reference, &spec).await
    }

    /// A distribution reaching `balancer` by its DNS name, offering TLSv1.2.
    async fn behind(&self, balancer: &LoadBalancer) -> String {
        let origin = OriginSpec::custom("lb", &balancer.dns_name);
        self.distribution(&balancer.dns_name, origin).await
    }

    /// A distribution reaching `balancer` through the VPC origin `vpc_origin`.
    async fn on_vpc_origin(&self, vpc_origin: &SeededVpcOrigin, balancer: &LoadBalancer) -> String {
        let origin = OriginSpec::vpc("vpc", &balancer.dns_name, &vpc_origin.id);
        self.distribution(&vpc_origin.id, origin).await
    }

    /// A Deployed VPC origin in front of `balancer`, offering TLSv1.2.
    async fn vpc_origin(&self, name: &str, balancer: &LoadBalancer) -> SeededVpcOrigin {
        let origin = create_vpc_origin(
            &self.proxy.cloudfront(),
            vpc_origin_endpoint(name, &balancer.arn, &["TLSv1.2"]),
        )
        .await;
        self.proxy.set_vpc_origin_status(&origin.id, "Deployed");
        origin
    }

    /// Replays `name` (with `replacements`) and checks that it published exactly one notification,
    /// about `distribution` only, that holds `code`; returns that notification's JSON report.
    async fn replay_expecting_one(
        &self,
        name: &str,
        replacements: &[(&str, &str)],
        distribution: &str,
        code: &str,
    ) -> Value {
        let answer = self.invoke(&sample_with(name, replacements)).await;
        assert_eq!(answer["status"], "audited", "{name}: {answer}");
        assert_eq!(answer["summary"]["distributions"], 1, "{name}: {answer}");
        assert_eq!(answer["notifications"], 1, "{name}: {answer}");
        let envelopes = self.delivered().await;
        assert_eq!(envelopes.len(), 1, "{name}: {envelopes:#?}");
        let envelope = &envelopes[0];
        assert_eq!(
            attribute(envelope, "distribution_id"),
            distribution,
            "{name}"
        );
        assert_eq!(attribute(envelope, "trigger"), trigger_of(name), "{name}");
        assert!(attribute(envelope, "codes").contains(code), "{name}");
        let report: Value = serde_json::from_str(envelope["Message"].as_str().unwrap_or_default())
            .expect("the machine message is the JSON report");
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        assert!(
            findings
                .iter()
                .all(|f| f["distribution_id"].as_str() == Some(distribution)),
            "{name}: only {distribution}: {findings:#?}"
        );
        assert!(
            findings.iter().any(|f| f["code"] == code),
            "{name}: {code} in {findings:#?}"
        );
        report
    }

    /// [`Lab::replay_expecting_one`] for the TLS protocol mismatch, checked: found in the load
    /// balancer's configuration (the probe is off), with the TLS 1.3-only policy every listener here
    /// has, and `evidence` (a field and its value) saying where.
    async fn replay_expecting_mismatch(
        &self,
        name: &str,
        replacements: &[(&str, &str)],
        distribution: &str,
        (field, value): (&str, &str),
    ) -> Value {
        let report = self
            .replay_expecting_one(name, replacements, distribution, MISMATCH)
            .await;
        let evidence = &finding(&report, MISMATCH)["evidence"];
        assert_eq!(
            evidence["source"], "load-balancer configuration",
            "{name}: {evidence:#}"
        );
        assert_eq!(evidence["ssl_policy"], TLS_1_3_ONLY, "{name}: {evidence:#}");
        assert_eq!(evidence[field], value, "{name}: {evidence:#}");
        report
    }
}

/// The sample `events/<name>` with each JSON pointer of `replacements` that it has set to its value
/// (the calls name the listener and its load balancer in different places; one list serves them all).
/// At least one must be there: a sample that moved its fields fails here, not as an odd audit.
fn sample_with(name: &str, replacements: &[(&str, &str)]) -> String {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut event: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut replaced = 0;
    for (pointer, value) in replacements {
        if let Some(slot) = event.pointer_mut(pointer) {
            *slot = Value::String((*value).to_owned());
            replaced += 1;
        }
    }
    assert!(
        replaced > 0 || replacements.is_empty(),
        "{name} has none of {replacements:?}"
    );
    event.to_string()
}

/// What the notifications name as the trigger of `name`: the CloudTrail call, or ACM's detail-type.
fn trigger_of(name: &str) -> String {
    let event: Value = serde_json::from_str(&sample_with(name, &[])).expect("a JSON sample");
    event
        .pointer("/detail/eventName")
        .or_else(|| event.get("detail-type"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn attribute(envelope: &Value, name: &str) -> String {
    envelope
        .pointer(&format!("/MessageAttributes/{name}/Value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The finding of `report` with `code`; there must be one.
fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "one {code} in {report:#}");
    found[0]
}

/// The listener ARN and its load balancer's, at every place one of the listener samples names them.
fn listener_replacements<'a>(
    balancer: &'a LoadBalancer,
    listener: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("/detail/requestParameters/listenerArn", listener),
        ("/detail/requestParameters/loadBalancerArn", &balancer.arn),
        ("/detail/responseElements/listeners/0/listenerArn", listener),
        (
            "/detail/responseElements/listeners/0/loadBalancerArn",
            &balancer.arn,
        ),
    ]
}

/// Each message the emulator recorded as published: the whole `MessageStructure=json` message (one
/// text per audience), read from moto's own API, since SQS receives only the machine text.
async fn published(emulator: &Emulator) -> Vec<Value> {
    let address = emulator
        .endpoint_url()
        .trim_start_matches("http://")
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("the emulator accepts a connection");
    let request = format!("GET /moto-api/data.json HTTP/1.0\r\nHost: {address}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("the emulator answers");
    let answer = String::from_utf8_lossy(&answer);
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let data: Value = serde_json::from_str(body).expect("moto's data is JSON");
    // Each sent notification is [message id, message, subject, attributes, group id].
    data.pointer("/sns/Topic")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|topic| topic["sent_notifications"].as_array().into_iter().flatten())
        .filter_map(|sent| sent.get(1).and_then(Value::as_str))
        .filter_map(|message| serde_json::from_str(message).ok())
        .collect()
}

/// Every publish so far carries each audience's text: the email names every finding's code and
/// numbers the remediation steps, the chat payload is in the custom notification schema, and the
/// default text is the JSON report.
async fn assert_every_publish_is_well_formed(emulator: &Emulator) {
    let messages = published(emulator).await;
    assert!(!messages.is_empty(), "something was published");
    for message in messages {
        let text = |key: &str| message[key].as_str().unwrap_or_default().to_owned();
        let email = text("email");
        let report: Value =
            serde_json::from_str(&text("default")).expect("default: the JSON report");
        let chat: Value = serde_json::from_str(&text("https")).expect("https: the chat JSON");
        for listed in report["findings"].as_array().into_iter().flatten() {
            let code = listed["code"].as_str().unwrap_or("(no code)");
            assert!(email.contains(code), "{code} in {email}");
            if listed["remediation"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
            {
                assert!(
                    email.contains("Remediation:") && email.contains("1. "),
                    "{email}"
                );
            }
        }
        assert_eq!(
            (&chat["version"], &chat["source"]),
            (&Value::from("1.0"), &Value::from("custom"))
        );
        assert!(
            chat.pointer("/content/title")
                .and_then(Value::as_str)
                .is_some_and(|title| !title.is_empty()),
            "{chat:#}"
        );
        assert!(
            chat.pointer("/content/description")
                .is_some_and(Value::is_string),
            "{chat:#}"
        );
    }
}

#[tokio::test]
async fn every_listener_call_and_its_certificate_expiring_audit_only_the_distributions_behind_it() {
    let mut lab = Lab::start().await;
    let changed_certificate = lab.certificate().await;
    let other_certificate = lab.certificate().await;
    let (changed, listener) = lab.tls_1_3_only("changed", &changed_certificate).await;
    let (other, _) = lab.tls_1_3_only("other", &other_certificate).await;
    let (unused, unused_listener) = lab.tls_1_3_only("unused", &other_certificate).await;
    let behind = lab.behind(&changed).await;
    // Behind another load balancer as broken: audited by mistake, it would be published too.
    let elsewhere = lab.behind(&other).await;
    let sni = lab.certificate().await;
    lab.start_function().await;
    let on_changed = listener_replacements(&changed, &listener);

    // Each call as it happened, then its event: the audit reads the account as the call left it.
    let calls = [
        "cloudtrail-elb-create-listener.json",
        "cloudtrail-elb-modify-listener.json",
        "cloudtrail-elb-add-listener-certificates.json",
        "cloudtrail-elb-remove-listener-certificates.json",
    ];
    for name in calls {
        match name {
            "cloudtrail-elb-modify-listener.json" => {
                lab.elbv2()
                    .modify_listener()
                    .listener_arn(&listener)
                    .ssl_policy(TLS_1_3_ONLY)
                    .send()
                    .await
                    .expect("ModifyListener");
            }
            "cloudtrail-elb-add-listener-certificates.json" => {
                add_sni_certificates(&lab.elbv2(), &listener, &[&sni]).await;
            }
            "cloudtrail-elb-remove-listener-certificates.json" => {
                lab.elbv2()
                    .remove_listener_certificates()
                    .listener_arn(&listener)
                    .certificates(Certificate::builder().certificate_arn(&sni).build())
                    .send()
                    .await
                    .expect("RemoveListenerCertificates");
            }
            _ => {}
        }
        let mut replacements = on_changed.clone();
        replacements.push((
            "/detail/requestParameters/certificates/0/certificateArn",
            &sni,
        ));
        replacements.push((
            "/detail/responseElements/certificates/0/certificateArn",
            &sni,
        ));
        let report = lab
            .replay_expecting_mismatch(name, &replacements, &behind, ("listener_arn", &listener))
            .await;
        assert!(!report.to_string().contains(&elsewhere), "{name}");
    }

    // The listener's certificate, in eu-west-1, expired (so says the event): its load balancer's users.
    lab.replay_expecting_mismatch(
        "acm-expired-eu-west-1.json",
        &[("/resources/0", &changed_certificate)],
        &behind,
        ("listener_arn", &listener),
    )
    .await;

    // A load balancer no distribution reaches: audited, nothing to say, nothing published (unlike a
    // certificate nobody uses, no finding says so: the answer's summary does).
    let answer = lab
        .invoke(&sample_with(
            "cloudtrail-elb-modify-listener.json",
            &listener_replacements(&unused, &unused_listener),
        ))
        .await;
    assert_eq!(answer["status"], "audited", "{answer}");
    assert_eq!(answer["summary"]["distributions"], 0, "{answer}");
    assert_eq!(answer["notifications"], 0, "{answer}");
    assert!(lab.delivered().await.is_empty());

    // The listener deleted: CloudFront now meets no HTTPS listener on 443, and every request fails.
    lab.elbv2()
        .delete_listener()
        .listener_arn(&listener)
        .send()
        .await
        .expect("DeleteListener");
    let report = lab
        .replay_expecting_one(
            "cloudtrail-elb-delete-listener.json",
            &on_changed,
            &behind,
            "origin-lb-listener-missing",
        )
        .await;
    let missing = finding(&report, "origin-lb-listener-missing");
    assert!(
        missing["message"]
            .as_str()
            .is_some_and(|m| m.contains("has no listener on port 443")),
        "{missing:#}"
    );
    assert!(report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|f| f["code"] != MISMATCH));
    assert_every_publish_is_well_formed(&lab.emulator).await;
}

#[tokio::test]
async fn vpc_origin_calls_audit_only_the_distributions_on_that_vpc_origin() {
    let mut lab = Lab::start().await;
    let certificate = lab.certificate().await;
    let (private, _) = lab.tls_1_3_only("private", &certificate).await;
    let (other, _) = lab.tls_1_3_only("other-private", &certificate).await;
    let changed = lab.vpc_origin("changed", &private).await;
    let elsewhere_origin = lab.vpc_origin("elsewhere", &other).await;
    let unused = lab.vpc_origin("unused", &other).await;
    let on_changed = lab.on_vpc_origin(&changed, &private).await;
    // On another VPC origin in front of a load balancer as broken.
    let elsewhere = lab.on_vpc_origin(&elsewhere_origin, &other).await;
    lab.start_function().await;

    // Where the samples name the VPC origin: its id, the creation's Location and the ARN.
    let location = format!(
        "https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/{}",
        changed.id
    );
    let arn = format!("arn:aws:cloudfront::123456789012:vpcorigin/{}", changed.id);
    for name in [
        "cloudtrail-create-vpc-origin.json",
        "cloudtrail-update-vpc-origin.json",
    ] {
        let replacements = [
            ("/detail/requestParameters/id", changed.id.as_str()),
            ("/detail/responseElements/vpcOrigin/id", &changed.id),
            ("/detail/responseElements/location", &location),
            ("/detail/responseElements/vpcOrigin/arn", &arn),
            (
                "/detail/responseElements/vpcOrigin/vpcOriginEndpointConfig/arn",
                &private.arn,
            ),
            (
                "/detail/requestParameters/vpcOriginEndpointConfig/arn",
                &private.arn,
            ),
        ];
        let report = lab
            .replay_expecting_mismatch(
                name,
                &replacements,
                &on_changed,
                ("vpc_origin_id", &changed.id),
            )
            .await;
        assert!(!report.to_string().contains(&elsewhere), "{name}");
    }

    // A VPC origin no distribution uses (CreateVpcOrigin always is one): nothing published.
    let answer = lab
        .invoke(&sample_with(
            "cloudtrail-create-vpc-origin.json",
            &[("/detail/responseElements/vpcOrigin/id", &unused.id)],
        ))
        .await;
    assert_eq!(answer["status"], "audited", "{answer}");
    assert_eq!(answer["summary"]["distributions"], 0, "{answer}");
    assert_eq!(answer["notifications"], 0, "{answer}");
    assert!(lab.delivered().await.is_empty());
    assert_every_publish_is_well_formed(&lab.emulator).await;
}

/// A distribution on a VPC origin that could not be read might reach the load balancer: it is
/// counted in (`reaches_load_balancer`, src/inventory/origins.rs) and reported `audit-incomplete`,
/// never dropped (the listener event would publish nothing, the ACM event call the certificate
/// unused).
#[tokio::test]
async fn a_distribution_on_a_vpc_origin_that_cannot_be_read_is_counted_in_never_dropped() {
    let mut lab = Lab::start().await;
    let certificate = lab.certificate().await;
    let (private, listener) = lab.tls_1_3_only("private", &certificate).await;
    let origin = lab.vpc_origin("private", &private).await;
    let on_origin = lab.on_vpc_origin(&origin, &private).await;
    lab.start_function().await;
    lab.proxy.inject("GetVpcOrigin", Fault::AccessDenied);

    // Which load balancer the VPC origin is in front of cannot be read, so the distribution may be
    // behind the changed one: the audit must say what it could not read, not pass it in silence.
    for (name, replacements) in [
        (
            "cloudtrail-elb-modify-listener.json",
            listener_replacements(&private, &listener),
        ),
        (
            "acm-expired-eu-west-1.json",
            vec![("/resources/0", certificate.as_str())],
        ),
    ] {
        let report = lab
            .replay_expecting_one(name, &replacements, &on_origin, "audit-incomplete")
            .await;
        let incomplete = finding(&report, "audit-incomplete");
        assert_eq!(
            incomplete["evidence"]["operation"], "cloudfront:GetVpcOrigin",
            "{name}"
        );
        assert_eq!(
            incomplete["evidence"]["resource"],
            origin.id.as_str(),
            "{name}"
        );
    }
    assert_every_publish_is_well_formed(&lab.emulator).await;
}
