//! The `cloudfront-tls-audit` binary itself, against the local AWS emulator: output contracts and exit
//! statuses (0 clean, 1 findings at or above --min-severity, 2 usage or operational error).

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::cli::json;
use support::seed::{
    create_distribution, import_acm, import_healthy_acm, BehaviorSpec, DistributionSpec,
};
use support::{CertBuilder, Emulator};

fn cli(emulator: Option<&Emulator>, args: &[&str]) -> Output {
    cli_with_stdin(emulator, args, None)
}

fn cli_with_stdin(emulator: Option<&Emulator>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = support::cli::command(emulator);
    command.stdin(Stdio::piped());
    command.args(args);
    // These tests are about configuration, output and exit codes: no origin handshakes (the seeded
    // origins are not on loopback). Probing is covered by tests/probe_cli.rs.
    if matches!(args.first(), Some(&"audit" | &"check-config")) {
        command.arg("--no-probe");
    }
    let mut child = command.spawn().expect("the CLI starts");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("stdin written");
    }
    child.wait_with_output().expect("the CLI finishes")
}

async fn account_with_one_medium_finding(emulator: &Emulator) -> String {
    let arn = import_healthy_acm(&emulator.acm()).await;
    let mut spec = DistributionSpec::new().with_acm(&arn, &["www.example.com"]);
    spec.behaviors.push(BehaviorSpec {
        path_pattern: "/img/*".into(),
        viewer_protocol_policy: "allow-all".into(),
        ..BehaviorSpec::default()
    });
    create_distribution(&emulator.cloudfront(), "one", &spec).await
}

#[tokio::test]
async fn audit_json_follows_the_contract_and_exits_1_on_findings() {
    let emulator = Emulator::start();
    let id = account_with_one_medium_finding(&emulator).await;

    let output = cli(Some(&emulator), &["audit", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "viewer-http-allowed");
    assert_eq!(finding["severity"], "medium");
    assert_eq!(finding["distribution_id"], Value::String(id.clone()));
    assert_eq!(finding["subject"], "cache behaviour /img/*");
    assert_eq!(finding["viewer_impact"], "none");
    // Issue 11, without --state: every finding new, first seen now, nothing resolved.
    assert_eq!(
        finding["fingerprint"],
        format!("cfta1/123456789012/{id}/viewer-http-allowed/cache behaviour /img/*")
    );
    assert_eq!(finding["status"], "new");
    assert!(finding["first_seen"].is_string());
    assert_eq!(report["resolved"], serde_json::json!([]));
    assert_eq!(finding["evidence"]["behavior"], "/img/*");
    assert!(finding["remediation"][0]
        .as_str()
        .is_some_and(|s| s.contains("redirect-to-https")));
    assert!(finding["docs"]
        .as_str()
        .is_some_and(|s| s.starts_with("https://")));
    assert_eq!(
        report["summary"],
        serde_json::json!({"distributions": 1, "critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0,
            "new": 1, "open": 0, "resolved": 0, "suppressed": 0})
    );
}

#[tokio::test]
async fn min_severity_filters_the_output_and_the_exit_status() {
    let emulator = Emulator::start();
    let id = account_with_one_medium_finding(&emulator).await;

    let high = cli(
        Some(&emulator),
        &[
            "audit",
            "--distribution",
            &id,
            "--min-severity",
            "high",
            "--format",
            "json",
        ],
    );
    assert_eq!(high.status.code(), Some(0), "{high:?}");
    assert_eq!(json(&high)["findings"], serde_json::json!([]));

    let text = cli(Some(&emulator), &["audit", "--distribution", &id]);
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains(&format!("Distribution {id} (www.example.com)")),
        "{stdout}"
    );
    assert!(stdout.contains("MEDIUM   viewer-http-allowed"), "{stdout}");
    assert!(
        stdout.ends_with("1 distribution audited: 0 critical, 0 high, 1 medium, 0 low, 0 info.\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[tokio::test]
async fn an_empty_account_is_clean() {
    let emulator = Emulator::start();
    let output = cli(Some(&emulator), &["audit", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(json(&output)["summary"]["distributions"], 0);
}

#[tokio::test]
async fn nothing_audited_is_an_operational_error_with_advice() {
    let emulator = Emulator::start();
    let output = cli(Some(&emulator), &["audit", "--distribution", "ENOSUCHDIST"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing was audited"), "{stderr}");
    assert!(stderr.contains("aws sts get-caller-identity"), "{stderr}");
    // The finding explaining why is still printed.
    assert!(String::from_utf8_lossy(&output.stdout).contains("audit-incomplete"));
}

#[tokio::test]
async fn the_standard_aws_endpoint_url_variable_reaches_the_emulator_too() {
    let emulator = Emulator::start();
    account_with_one_medium_finding(&emulator).await;
    let output = Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_ENDPOINT_URL", emulator.endpoint_url())
        .env_remove("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL")
        .args(["audit", "--no-probe", "--format", "json"])
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(json(&output)["findings"][0]["code"], "viewer-http-allowed");
}

#[test]
fn an_unreachable_endpoint_is_an_operational_error_not_a_pass() {
    let output = cli(None, &["audit", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let report = json(&output);
    assert_eq!(report["findings"][0]["code"], "audit-incomplete");
    assert_eq!(
        report["findings"][0]["evidence"]["operation"],
        "cloudfront:ListDistributions"
    );
}

/// A healthy get-distribution-config output (CloudTrail's casing) for `www.example.com` on `arn`.
fn healthy_config(arn: &str) -> String {
    format!(
        r#"{{"ETag": "E1", "DistributionConfig": {{
            "Aliases": {{"Quantity": 1, "Items": ["www.example.com"]}},
            "ViewerCertificate": {{"ACMCertificateArn": "{arn}", "SSLSupportMethod": "sni-only",
                                   "MinimumProtocolVersion": "TLSv1.2_2021", "CloudFrontDefaultCertificate": false}},
            "Origins": {{"Quantity": 1, "Items": [{{"Id": "o", "DomainName": "origin.example.com",
                "CustomOriginConfig": {{"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}}}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https"}}
        }}}}"#
    )
}

#[tokio::test]
async fn check_config_gates_a_proposed_configuration() {
    let emulator = Emulator::start();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/configs");

    let wrong_region = cli(
        Some(&emulator),
        &[
            "check-config",
            &format!("{fixtures}/wrong-region.json"),
            "--format",
            "json",
        ],
    );
    assert_eq!(wrong_region.status.code(), Some(1));
    let codes: Vec<String> = json(&wrong_region)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(codes, ["viewer-cert-wrong-region", "viewer-http-allowed"]);

    let default_cert = cli(
        Some(&emulator),
        &[
            "check-config",
            &format!("{fixtures}/default-cert-with-aliases.json"),
            "--format",
            "json",
        ],
    );
    let report = json(&default_cert);
    assert_eq!(
        report["findings"][0]["code"],
        "viewer-default-cert-with-aliases"
    );
    assert_eq!(report["findings"][0]["viewer_impact"], "update-rejected");

    // A healthy config read from stdin, with CloudTrail's casing, against a real imported certificate.
    let arn = import_healthy_acm(&emulator.acm()).await;
    let config = healthy_config(&arn);
    let healthy = cli_with_stdin(Some(&emulator), &["check-config", "-"], Some(&config));
    assert_eq!(healthy.status.code(), Some(0), "{healthy:?}");
}

#[test]
fn check_config_errors_say_what_to_do() {
    let missing = cli(None, &["check-config", "/nonexistent/config.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Check the path"));

    let garbage = cli_with_stdin(None, &["check-config", "-"], Some("{not json"));
    assert_eq!(garbage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("not a usable DistributionConfig"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        cli(None, &["audit", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        cli(None, &["audit", "--min-severity", "severe"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cli(None, &["--as-of", "tomorrow", "audit"]).status.code(),
        Some(2)
    );
    assert_eq!(cli(None, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn the_catalogue_command_prints_docs_findings_md() {
    let output = cli(None, &["catalogue"]);
    assert_eq!(output.status.code(), Some(0));
    let on_disk = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.md"))
        .unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&output.stdout), on_disk);
}

#[tokio::test]
async fn expiry_thresholds_are_flags_like_the_lambdas_variables() {
    let emulator = Emulator::start();
    let arn = import_acm(
        &emulator.acm(),
        &CertBuilder::new(["www.example.com"])
            .expires_in_days(30)
            .build(),
    )
    .await;
    let config = healthy_config(&arn);
    let codes = |output: &Output| -> Vec<String> {
        json(output)["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // 30 days left: inside the default medium window (45 days).
    let default = cli_with_stdin(
        Some(&emulator),
        &["check-config", "-", "--format", "json"],
        Some(&config),
    );
    assert_eq!(
        codes(&default),
        ["viewer-cert-renewal-at-risk", "viewer-cert-expiring"],
        "{default:?}"
    );
    // A team that renews 3 weeks out narrows the windows.
    let narrowed = cli_with_stdin(
        Some(&emulator),
        &[
            "check-config",
            "-",
            "--format",
            "json",
            "--viewer-expiry-medium-days",
            "21",
            "--viewer-expiry-high-days",
            "7",
        ],
        Some(&config),
    );
    assert_eq!(narrowed.status.code(), Some(0), "{narrowed:?}");
    assert!(codes(&narrowed).is_empty());
    // A high window wider than the medium one would hide the medium window: refused, as the Lambda does.
    let contradictory = cli_with_stdin(
        Some(&emulator),
        &["check-config", "-", "--origin-expiry-high-days", "40"],
        Some(&config),
    );
    assert_eq!(contradictory.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&contradictory.stderr).contains("at most 30"));
    let out_of_range = cli(None, &["audit", "--viewer-expiry-high-days", "0"]);
    assert_eq!(out_of_range.status.code(), Some(2));
}
