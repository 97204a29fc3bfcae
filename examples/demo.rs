//! `make demo`: a local AWS emulator (moto) seeded with healthy and broken distributions, then the real
//! `cloudfront-tls-audit audit` command run against it. The emulator stops when the demo ends.
//!
//! `make invoke` (`demo invoke EVENT.json`): the same account, then the real Lambda binary run on one
//! event through the project's loopback Lambda Runtime API emulator (`tests/support/runtime_api.rs`),
//! publishing to a topic in the emulator; prints the function's answer and what it published: each
//! notification's subject and findings, then each as people receive it (the email text, and the Slack
//! message rendered from the chat payload by `notify::as_received`).
//!
//! The seeding reuses the integration tests' harness (`tests/support`), so the demo account is built
//! exactly like the test accounts: real certificates imported into ACM and IAM, real distributions
//! created through the Rust SDK.
//!
//! Origins are real TLS servers on 127.0.0.1, started by this process (healthy, expired, self-signed,
//! TLS 1.3 only, closed, wrong name), named `*.demo.test` and reached through one `--resolve` per
//! origin; their certificates come from one demo CA whose root is passed with `--trust-anchor`. Nothing
//! leaves the machine.

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use support::elb::{create_load_balancer, create_network, create_tls_listener, LoadBalancerKind};
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{
    create_distribution, import_acm, request_acm, upload_iam, BehaviorSpec, DistributionSpec,
    OriginSpec,
};
use support::tls_servers::{closed_port, openssl_server, rustls_server_for, OpenSslServer};
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator, KeySpec, TestCa};

/// Where the demo's load balancer lives: not us-east-1, as most teams' load balancers.
const LOAD_BALANCER_REGION: &str = "eu-west-1";

/// The healthy origin every viewer-side case uses, so that their only findings are the viewer ones.
const APP: &str = "app.demo.test";

/// A loopback origin: the name distributions use, and where it really listens.
struct DemoOrigin {
    name: &'static str,
    addr: SocketAddr,
}

impl DemoOrigin {
    /// `--resolve NAME:PORT:127.0.0.1`.
    fn resolve(&self) -> String {
        format!("{}:{}:{}", self.name, self.addr.port(), self.addr.ip())
    }

    /// A distribution with no aliases whose only origin is this one.
    fn distribution(&self) -> DistributionSpec {
        let mut spec = DistributionSpec::new();
        spec.origins = vec![self.origin()];
        spec
    }

    fn origin(&self) -> OriginSpec {
        let id = self.name.split('.').next().unwrap_or(self.name);
        OriginSpec::custom_on_port(id, self.name, self.addr.port())
    }
}

fn openssl_available() -> bool {
    std::process::Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The seeded demo account and what reaches its origins. Dropping it stops the emulator.
struct DemoAccount {
    emulator: Emulator,
    /// `--resolve` values mapping each origin name to its loopback address.
    resolve: Vec<String>,
    /// `--connect-to` values: the load balancer's name on 443 to a loopback origin.
    connect_to: Vec<String>,
    /// The demo CA's root, trusted like a public CA.
    trust_anchor: tempfile::NamedTempFile,
    /// Distributions that must have no finding.
    healthy: Vec<String>,
    /// The openssl origin runs as a child process: kept alive with the account.
    _tls13_server: Option<OpenSslServer>,
}

/// Starts the origins and the emulator, and seeds the demo account.
async fn seed_demo_account() -> Result<DemoAccount, String> {
    // The origins first: real TLS servers on loopback, certificates from one demo CA.
    let ca = TestCa::new("Demo Root CA");
    let trust_anchor = match tempfile::Builder::new()
        .prefix("demo-root-ca-")
        .suffix(".pem")
        .tempfile()
        .and_then(|file| std::fs::write(file.path(), &ca.root_pem).map(|()| file))
    {
        Ok(file) => file,
        Err(error) => {
            return Err(format!(
                "cannot write the demo root CA to a temporary file: {error}"
            ))
        }
    };
    let app = DemoOrigin {
        name: APP,
        addr: rustls_server_for(&CertBuilder::new([APP]).issue_from(&ca)).await,
    };
    let expired_origin = DemoOrigin {
        name: "legacy.demo.test",
        addr: rustls_server_for(
            &CertBuilder::new(["legacy.demo.test"])
                .expires_in_days(-5)
                .issue_from(&ca),
        )
        .await,
    };
    let self_signed = DemoOrigin {
        name: "intranet.demo.test",
        addr: rustls_server_for(
            &CertBuilder::new(["intranet.demo.test"])
                .self_signed()
                .build(),
        )
        .await,
    };
    let closed = DemoOrigin {
        name: "down.demo.test",
        addr: closed_port().await,
    };
    let wrong_name = DemoOrigin {
        name: "images.demo.test",
        addr: rustls_server_for(&CertBuilder::new(["assets.demo.test"]).issue_from(&ca)).await,
    };
    // rustls will not serve TLS 1.3 only to a TLS 1.2 client on purpose: openssl does.
    let tls13_server: Option<OpenSslServer> = if openssl_available() {
        Some(
            openssl_server(
                &CertBuilder::new(["modern.demo.test"]).issue_from(&ca),
                &["-tls1_3"],
            )
            .await,
        )
    } else {
        println!("note: openssl is not on PATH; the TLS 1.3-only origin is left out of the demo");
        None
    };
    let tls13 = tls13_server.as_ref().map(|server| DemoOrigin {
        name: "modern.demo.test",
        addr: server.addr,
    });

    let emulator = Emulator::start();
    let (cloudfront, acm, iam) = (emulator.cloudfront(), emulator.acm(), emulator.iam());
    println!(
        "Seeding a demo account in a local AWS emulator at {} ...",
        emulator.endpoint_url()
    );

    let shop = import_acm(
        &acm,
        &CertBuilder::new(["shop.example.com", "www.shop.example.com"])
            .key(KeySpec::Rsa2048)
            .intermediates(1)
            .expires_in_days(300)
            .build(),
    )
    .await;
    let wildcard = import_acm(
        &acm,
        &CertBuilder::new(["example.com", "*.example.com"])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let expiring = import_acm(
        &acm,
        &CertBuilder::new(["partners.example.org"])
            .expires_in_days(10)
            .build(),
    )
    .await;
    let pending = request_acm(&acm, "beta.example.net", &["www.beta.example.net"]).await;
    // ACM refuses expired imports; an IAM server certificate that has lapsed is the classic case.
    let expired = upload_iam(
        &iam,
        "legacy-2019",
        &CertBuilder::new(["legacy.example.org"])
            .expires_in_days(-3)
            .build(),
    )
    .await;
    let wrong_region =
        "arn:aws:acm:eu-west-1:123456789012:certificate/5f1c5b6e-7a1d-4c1e-9d3a-0b6f2e8c1a77";

    let on_app = || app.distribution();
    let mut http_allowed = on_app().with_acm(&wildcard, &["static.example.com"]);
    http_allowed.behaviors.push(BehaviorSpec {
        path_pattern: "/downloads/*".into(),
        viewer_protocol_policy: "allow-all".into(),
        ..BehaviorSpec::default()
    });
    let mut default_with_aliases = on_app();
    default_with_aliases.aliases = vec!["promo.example.com".into()];

    let mut distributions = vec![
        (
            "healthy shop",
            on_app().with_acm(&shop, &["shop.example.com", "www.shop.example.com"]),
        ),
        (
            "healthy wildcard",
            on_app().with_acm(&wildcard, &["www.example.com", "example.com"]),
        ),
        ("healthy, no aliases", on_app()),
        (
            "certificate in eu-west-1",
            on_app().with_acm(wrong_region, &["eu.example.com"]),
        ),
        (
            "alias missing from the SANs",
            on_app().with_acm(&wildcard, &["api.example.com", "api.example.io"]),
        ),
        (
            "certificate pending validation",
            on_app().with_acm(&pending, &["beta.example.net"]),
        ),
        (
            "expired IAM certificate",
            on_app().with_iam(&expired.id, &["legacy.example.org"]),
        ),
        ("default certificate with aliases", default_with_aliases),
        ("allow-all viewer policy", http_allowed),
        (
            "imported certificate expiring in 10 days",
            on_app().with_acm(&expiring, &["partners.example.org"]),
        ),
        ("origin certificate expired", expired_origin.distribution()),
        ("self-signed origin certificate", self_signed.distribution()),
        ("origin port closed", closed.distribution()),
        (
            "origin certificate for another name",
            wrong_name.distribution(),
        ),
    ];
    if let Some(tls13) = &tls13 {
        distributions.push(("origin speaks only TLS 1.3", tls13.distribution()));
    }
    // An Application Load Balancer in eu-west-1 whose listener was tightened to a TLS 1.3-only
    // policy: judged from its configuration, and probed on loopback (--connect-to) where the TLS
    // 1.3-only server stands in for it (else the closed port).
    let elbv2 = emulator.elbv2(LOAD_BALANCER_REGION);
    let network = create_network(&emulator.endpoint_url(), LOAD_BALANCER_REGION).await;
    let listener_certificate = import_acm(
        &emulator.acm_in(LOAD_BALANCER_REGION),
        &CertBuilder::new([format!("*.{LOAD_BALANCER_REGION}.elb.amazonaws.com")])
            .expires_in_days(200)
            .build(),
    )
    .await;
    let checkout =
        create_load_balancer(&elbv2, &network, "checkout", LoadBalancerKind::Application).await;
    create_tls_listener(
        &elbv2,
        &checkout,
        443,
        &listener_certificate,
        Some("ELBSecurityPolicy-TLS13-1-3-2021-06"),
    )
    .await;
    let mut behind_alb = DistributionSpec::new();
    behind_alb.origins = vec![OriginSpec::custom("checkout", &checkout.dns_name)];
    distributions.push((
        "load balancer listener with a TLS 1.3-only policy",
        behind_alb,
    ));
    let stand_in = tls13.as_ref().unwrap_or(&closed);
    let connect_to = vec![format!(
        "{}:443:{}:{}",
        checkout.dns_name,
        stand_in.addr.ip(),
        stand_in.addr.port()
    )];
    let mut healthy = Vec::new();
    for (index, (label, spec)) in distributions.iter().enumerate() {
        let id = create_distribution(&cloudfront, &format!("demo-{index}"), spec).await;
        println!("  {id}  {label}");
        if label.starts_with("healthy") {
            healthy.push(id);
        }
    }
    let origins = [&app, &expired_origin, &self_signed, &closed, &wrong_name]
        .into_iter()
        .chain(tls13.as_ref());
    let resolve = origins.map(DemoOrigin::resolve).collect();
    Ok(DemoAccount {
        emulator,
        resolve,
        connect_to,
        trust_anchor,
        healthy,
        _tls13_server: tls13_server,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let event = match args.as_slice() {
        [] => None,
        [command, path] if command == "invoke" => match std::fs::read_to_string(path) {
            Ok(text) => Some((path.clone(), text)),
            Err(error) => {
                eprintln!("cannot read the event {path}: {error} (try one of events/*.json)");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: demo            audit the demo account with the CLI\n       demo invoke EVENT.json  run the Lambda binary on EVENT against the demo account");
            return ExitCode::from(2);
        }
    };
    let account = match seed_demo_account().await {
        Ok(account) => account,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match event {
        None => run_audit(&account).await,
        Some((path, text)) => run_invoke(&account, &path, &text).await,
    }
}

/// A binary built next to this example (`target/<profile>/<name>`), if it is there.
fn sibling_binary(name: &str) -> Option<PathBuf> {
    // target/<profile>/examples/demo -> target/<profile>/<name>
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join(name);
    path.exists().then_some(path)
}

/// `make demo`: the CLI's audit of the demo account, then a self-check of the healthy distributions.
async fn run_audit(account: &DemoAccount) -> ExitCode {
    let Some(cli) = sibling_binary("cloudfront-tls-audit") else {
        eprintln!("cloudfront-tls-audit is not built: run `make demo` (it builds it first)");
        return ExitCode::from(2);
    };
    let endpoint = account.emulator.endpoint_url();
    // The emulator's *.cloudfront.net names are not on loopback: the edge check is left out here and
    // shown in tests/edge_check.rs, where a loopback server stands in for the edge (--connect-to).
    let mut args: Vec<String> = vec![
        "--endpoint-url".into(),
        endpoint,
        "audit".into(),
        "--no-edge-check".into(),
    ];
    for resolve in &account.resolve {
        args.extend(["--resolve".to_owned(), resolve.clone()]);
    }
    for connect_to in &account.connect_to {
        args.extend(["--connect-to".to_owned(), connect_to.clone()]);
    }
    args.extend([
        "--trust-anchor".to_owned(),
        account.trust_anchor.path().display().to_string(),
    ]);
    println!("\n$ cloudfront-tls-audit {}\n", args.join(" "));
    // Async, so the origins (tasks of this process) keep serving while the audit probes them.
    let audit = |extra: &[&str]| {
        let mut command = tokio::process::Command::new(&cli);
        command
            .args(&args)
            .args(extra)
            .env("AWS_ACCESS_KEY_ID", "demo")
            .env("AWS_SECRET_ACCESS_KEY", "demo")
            .env("AWS_REGION", "us-east-1")
            .env_remove("CLOUDFRONT_TLS_AUDIT_RESOLVE")
            .env_remove("CLOUDFRONT_TLS_AUDIT_CONNECT_TO")
            .env_remove("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR");
        command
    };
    match audit(&[]).status().await.map(|s| s.code()) {
        // 1 means "findings at or above --min-severity": exactly what the demo is for.
        Ok(Some(0 | 1)) => {}
        Ok(code) => {
            eprintln!("the audit failed with status {code:?}");
            return ExitCode::from(2);
        }
        Err(error) => {
            eprintln!("cannot run {}: {error}", cli.display());
            return ExitCode::from(2);
        }
    }
    // The demo checks itself: the healthy distributions must stay free of findings.
    let flagged: Vec<String> = match audit(&["--format", "json"])
        .stderr(Stdio::null())
        .output()
        .await
    {
        Ok(output) => serde_json::from_slice::<serde_json::Value>(&output.stdout)
            .ok()
            .and_then(|report| report["findings"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f["distribution_id"].as_str().map(str::to_owned))
            .filter(|id| account.healthy.contains(id))
            .collect(),
        Err(error) => {
            eprintln!("cannot run {}: {error}", cli.display());
            return ExitCode::from(2);
        }
    };
    if !flagged.is_empty() {
        eprintln!("demo self-check failed: healthy distributions have findings: {flagged:?}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// How long the function may run on the event (Lambda's deadline) and how long to wait for it.
const INVOKE_DEADLINE: Duration = Duration::from_secs(300);
const INVOKE_WAIT: Duration = Duration::from_secs(360);

/// `make invoke`: the real Lambda binary on one event, through the loopback Runtime API emulator,
/// publishing to a topic in the emulator; prints the answer and every published notification.
async fn run_invoke(account: &DemoAccount, event_path: &str, event: &str) -> ExitCode {
    // INVOKE_FUNCTION runs another build of the function, e.g. the arm64 deployment artifact under
    // qemu (`make invoke-arm64`); by default, the debug build next to this example.
    let launcher: Vec<String> = std::env::var("INVOKE_FUNCTION")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let (function, function_args) = match launcher.split_first() {
        Some((program, args)) => (PathBuf::from(program), args.to_vec()),
        None => match sibling_binary("cloudfront-tls-audit-lambda") {
            Some(path) => (path, Vec::new()),
            None => {
                eprintln!(
                    "cloudfront-tls-audit-lambda is not built: run `make invoke` (it builds it first)"
                );
                return ExitCode::from(2);
            }
        },
    };
    let (topic_arn, queue_url) = topic_with_queue(&account.emulator).await;
    let api = RuntimeApi::start().await;
    let mut command = api.function_command(&function, 256);
    command
        .args(&function_args)
        .env(
            "CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL",
            account.emulator.endpoint_url(),
        )
        .env("TOPIC_ARN", &topic_arn)
        .env("MIN_SEVERITY", "low")
        // The emulator's *.cloudfront.net names are not on loopback (see run_audit).
        .env("EDGE_CHECK", "false")
        .env("CLOUDFRONT_TLS_AUDIT_RESOLVE", account.resolve.join(" "))
        .env(
            "CLOUDFRONT_TLS_AUDIT_CONNECT_TO",
            account.connect_to.join(" "),
        )
        .env(
            "CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR",
            account.trust_anchor.path(),
        )
        .env("RUST_LOG", "warn")
        // The function's JSON log lines, as CloudWatch Logs would show them.
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    println!(
        "\n$ {} {} (Runtime API {}, TOPIC_ARN {topic_arn}, MIN_SEVERITY low, EDGE_CHECK false)",
        display_name(&function),
        function_args.join(" "),
        api.address()
    );
    let _process = match command.spawn() {
        Ok(process) => process,
        Err(error) => {
            eprintln!("cannot start {}: {error}", function.display());
            return ExitCode::from(2);
        }
    };
    println!("invoking with {event_path}\n");
    let id = api.invoke(event, INVOKE_DEADLINE);
    let (failed, announced) = match api.outcome(&id, INVOKE_WAIT).await {
        Outcome::Response(body) => {
            println!("\nthe function answered:\n{}", pretty(&body));
            let announced = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|answer| answer["notifications"].as_u64());
            (false, announced)
        }
        Outcome::Error(body) => {
            println!(
                "\nthe function failed (Lambda would retry, then keep the event in the on-failure queue):\n{}",
                pretty(&body)
            );
            (true, None)
        }
    };
    let envelopes = drain(&account.emulator, &queue_url).await;
    println!(
        "\n{} notification(s) published to the topic:",
        envelopes.len()
    );
    for envelope in &envelopes {
        print_notification(envelope);
    }
    // As people receive them: the email text and the Slack message of each, from what SNS was
    // given (the emulator keeps every published message whole, all protocols included).
    match published(&account.emulator.endpoint_url(), &topic_arn).await {
        Ok(messages) => {
            for (i, (subject, message)) in messages.iter().enumerate() {
                println!(
                    "\n═══ notification {} of {} as received ═══",
                    i + 1,
                    messages.len()
                );
                print!(
                    "{}",
                    cloudfront_tls_audit::notify::as_received(subject, message)
                );
            }
        }
        Err(error) => eprintln!("cannot read the published messages back: {error}"),
    }
    // The invocation checks itself: what the function says it published is what the topic received.
    let delivered = u64::try_from(envelopes.len()).unwrap_or(u64::MAX);
    if announced.is_some_and(|count| count != delivered) {
        eprintln!("invoke self-check failed: the function announced {announced:?} notifications, the topic received {delivered}");
        return ExitCode::from(1);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// JSON pretty-printed, anything else as it came.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| body.to_owned())
}

/// Every message published to `topic_arn`, whole (subject and the `MessageStructure=json`
/// envelope), from the emulator's state (`GET /moto-api/data.json`, `sns.Topic[].sent_notifications`).
async fn published(endpoint: &str, topic_arn: &str) -> Result<Vec<(String, String)>, String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http endpoint: {endpoint}"))?
        .to_owned();
    let body = tokio::task::spawn_blocking(move || -> Result<String, String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&authority).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: {authority}\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|e| e.to_string())?;
        response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .ok_or_else(|| "an HTTP answer without a body".to_owned())
    })
    .await
    .map_err(|e| e.to_string())??;
    let data: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let mut messages = Vec::new();
    for topic in data["sns"]["Topic"].as_array().into_iter().flatten() {
        if topic["arn"].as_str().is_some_and(|arn| arn != topic_arn) {
            continue;
        }
        for sent in topic["sent_notifications"].as_array().into_iter().flatten() {
            // (message id, message, subject, attributes, group id)
            messages.push((
                sent[2].as_str().unwrap_or("(no subject)").to_owned(),
                sent[1].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    Ok(messages)
}

/// One SNS envelope as received by a subscribed queue: its subject, and each finding of the JSON
/// report (the message machines receive) on a line.
fn print_notification(envelope: &serde_json::Value) {
    println!(
        "\n  subject: {}",
        envelope["Subject"].as_str().unwrap_or("(none)")
    );
    let report: serde_json::Value = envelope["Message"]
        .as_str()
        .and_then(|message| serde_json::from_str(message).ok())
        .unwrap_or_default();
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    for finding in &findings {
        println!(
            "    {:<8} {:<34} {}",
            finding["severity"].as_str().unwrap_or("?"),
            finding["code"].as_str().unwrap_or("?"),
            finding["distribution_id"].as_str().unwrap_or("-")
        );
    }
}
