//! `make demo`: a local AWS emulator (moto) seeded with healthy and broken distributions, then the real
//! `cloudfront-tls-audit audit` command run against it. The emulator stops when the demo ends.
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
use std::process::{ExitCode, Stdio};

use support::seed::{
    create_distribution, import_acm, request_acm, upload_iam, BehaviorSpec, DistributionSpec,
    OriginSpec,
};
use support::tls_servers::{closed_port, openssl_server, rustls_server_for, OpenSslServer};
use support::{CertBuilder, Emulator, KeySpec, TestCa};

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

#[tokio::main]
async fn main() -> ExitCode {
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
            eprintln!("cannot write the demo root CA to a temporary file: {error}");
            return ExitCode::from(2);
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
    let mut healthy = Vec::new();
    for (index, (label, spec)) in distributions.iter().enumerate() {
        let id = create_distribution(&cloudfront, &format!("demo-{index}"), spec).await;
        println!("  {id}  {label}");
        if label.starts_with("healthy") {
            healthy.push(id);
        }
    }

    let cli = match std::env::current_exe() {
        // target/<profile>/examples/demo -> target/<profile>/cloudfront-tls-audit
        Ok(exe) => exe
            .parent()
            .and_then(|examples| examples.parent())
            .map(|profile| profile.join("cloudfront-tls-audit")),
        Err(_) => None,
    };
    let Some(cli) = cli.filter(|path| path.exists()) else {
        eprintln!("cloudfront-tls-audit is not built: run `make demo` (it builds it first)");
        return ExitCode::from(2);
    };
    let endpoint = emulator.endpoint_url();
    // The emulator's *.cloudfront.net names are not on loopback: the edge check is left out here and
    // shown in tests/edge_check.rs, where a loopback server stands in for the edge (--connect-to).
    let mut args: Vec<String> = vec![
        "--endpoint-url".into(),
        endpoint,
        "audit".into(),
        "--no-edge-check".into(),
    ];
    let origins = [&app, &expired_origin, &self_signed, &closed, &wrong_name]
        .into_iter()
        .chain(tls13.as_ref());
    for origin in origins {
        args.extend(["--resolve".to_owned(), origin.resolve()]);
    }
    args.extend([
        "--trust-anchor".to_owned(),
        trust_anchor.path().display().to_string(),
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
            .filter(|id| healthy.contains(id))
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
