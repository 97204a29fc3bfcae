//! `make demo`: a local AWS emulator (moto) seeded with healthy and broken distributions, then the real
//! `cloudfront-tls-audit audit` command run against it. The emulator stops when the demo ends.
//!
//! The seeding reuses the integration tests' harness (`tests/support`), so the demo account is built
//! exactly like the test accounts: real certificates imported into ACM and IAM, real distributions
//! created through the Rust SDK.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, ExitCode};

use support::seed::{
    create_distribution, import_acm, request_acm, upload_iam, BehaviorSpec, DistributionSpec,
};
use support::{CertBuilder, Emulator, KeySpec};

#[tokio::main]
async fn main() -> ExitCode {
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

    let mut http_allowed = DistributionSpec::new().with_acm(&wildcard, &["static.example.com"]);
    http_allowed.behaviors.push(BehaviorSpec {
        path_pattern: "/downloads/*".into(),
        viewer_protocol_policy: "allow-all".into(),
        ..BehaviorSpec::default()
    });
    let mut default_with_aliases = DistributionSpec::new();
    default_with_aliases.aliases = vec!["promo.example.com".into()];

    let distributions = [
        (
            "healthy shop",
            DistributionSpec::new().with_acm(&shop, &["shop.example.com", "www.shop.example.com"]),
        ),
        (
            "healthy wildcard",
            DistributionSpec::new().with_acm(&wildcard, &["www.example.com", "example.com"]),
        ),
        ("healthy, no aliases", DistributionSpec::new()),
        (
            "certificate in eu-west-1",
            DistributionSpec::new().with_acm(wrong_region, &["eu.example.com"]),
        ),
        (
            "alias missing from the SANs",
            DistributionSpec::new().with_acm(&wildcard, &["api.example.com", "api.example.io"]),
        ),
        (
            "certificate pending validation",
            DistributionSpec::new().with_acm(&pending, &["beta.example.net"]),
        ),
        (
            "expired IAM certificate",
            DistributionSpec::new().with_iam(&expired.id, &["legacy.example.org"]),
        ),
        ("default certificate with aliases", default_with_aliases),
        ("allow-all viewer policy", http_allowed),
        (
            "imported certificate expiring in 10 days",
            DistributionSpec::new().with_acm(&expiring, &["partners.example.org"]),
        ),
    ];
    for (index, (label, spec)) in distributions.iter().enumerate() {
        let id = create_distribution(&cloudfront, &format!("demo-{index}"), spec).await;
        println!("  {id}  {label}");
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
    println!("\n$ cloudfront-tls-audit --endpoint-url {endpoint} audit\n");
    let status = Command::new(&cli)
        .args(["--endpoint-url", &endpoint, "audit"])
        .env("AWS_ACCESS_KEY_ID", "demo")
        .env("AWS_SECRET_ACCESS_KEY", "demo")
        .env("AWS_REGION", "us-east-1")
        .status();
    match status.map(|s| s.code()) {
        // 1 means "findings at or above --min-severity": exactly what the demo is for.
        Ok(Some(0 | 1)) => ExitCode::SUCCESS,
        Ok(code) => {
            eprintln!("the audit failed with status {code:?}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("cannot run {}: {error}", cli.display());
            ExitCode::from(2)
        }
    }
}
