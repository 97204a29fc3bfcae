//! The `probe` command and the probing `audit`, through the real binary. Every origin is a server on
//! 127.0.0.1 reached through `--resolve`; every test root is trusted through `--trust-anchor`.

mod support;

use std::net::SocketAddr;
use std::process::Output;

use serde_json::Value;
use support::seed::{create_distribution, DistributionSpec, OriginSpec};
use support::tls_servers::{openssl_server, rustls_server_for};
use support::{CertBuilder, Emulator, IssuedCert, KeySpec};
use tempfile::NamedTempFile;

const ORIGIN: &str = "origin.example.com";

/// Runs the binary without blocking the runtime that serves the loopback origins.
async fn cli(emulator: Option<&Emulator>, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"));
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-central-1")
        .env_remove("AWS_PROFILE")
        .env_remove("CLOUDFRONT_TLS_AUDIT_RESOLVE")
        .env_remove("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR")
        .env("NO_COLOR", "1");
    if let Some(emulator) = emulator {
        command.args(["--endpoint-url", &emulator.endpoint_url()]);
    }
    command.args(args);
    command.output().await.expect("the CLI runs")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The test root in a PEM file, for `--trust-anchor`.
fn root_file(cert: &IssuedCert) -> NamedTempFile {
    let file = NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &cert.root_pem).expect("root PEM written");
    file
}

/// `--resolve ORIGIN:PORT:127.0.0.1 --trust-anchor ROOT`.
fn lab_args(addr: SocketAddr, root: &NamedTempFile) -> Vec<String> {
    vec![
        "--resolve".into(),
        format!("{ORIGIN}:{}:127.0.0.1", addr.port()),
        "--trust-anchor".into(),
        root.path().display().to_string(),
    ]
}

/// `probe ORIGIN:PORT` plus the lab inputs and `extra`.
async fn probe(addr: SocketAddr, root: &NamedTempFile, extra: &[&str]) -> Output {
    let target = format!("{ORIGIN}:{}", addr.port());
    let mut args: Vec<String> = vec!["probe".into(), target];
    args.extend(lab_args(addr, root));
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(None, &args).await
}

fn healthy_cert() -> IssuedCert {
    CertBuilder::new([ORIGIN]).intermediates(1).build()
}

fn expired_cert() -> IssuedCert {
    CertBuilder::new([ORIGIN])
        .intermediates(1)
        .expires_in_days(-2)
        .build()
}

/// An RSA chain, for the legacy `AES128-SHA` cipher.
fn rsa_cert() -> IssuedCert {
    CertBuilder::new([ORIGIN])
        .key(KeySpec::Rsa2048)
        .ca_key(KeySpec::Rsa2048)
        .intermediates(1)
        .build()
}

// ---- probe: healthy origin ----

#[tokio::test]
async fn probe_text_shows_the_negotiation_the_chain_as_sent_and_a_connect_verdict() {
    let cert = healthy_cert();
    let root = root_file(&cert);
    let addr = rustls_server_for(&cert).await;

    let output = probe(addr, &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "Probe {ORIGIN}:{} (SNI {ORIGIN}), offering TLSv1.2",
            addr.port()
        )),
        "{text}"
    );
    assert!(text.contains("addresses: 127.0.0.1"), "{text}");
    assert!(text.contains("negotiated: TLSv1.2 TLS_ECDHE_"), "{text}");
    assert!(text.contains("chain as sent:"), "{text}");
    assert!(text.contains(&format!("0: CN={ORIGIN}")), "{text}");
    assert!(text.contains("1: CN=Test Intermediate CA 1"), "{text}");
    assert!(
        text.contains("verdict: CloudFront would connect\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "lab input: {ORIGIN}:{} resolved to 127.0.0.1",
            addr.port()
        )),
        "{text}"
    );
    assert!(
        text.contains("lab input: CN=Test Root CA") && text.contains("trusted as a public root"),
        "{text}"
    );
}

#[tokio::test]
async fn probe_json_has_no_finding_and_describes_the_handshake_and_both_certificates() {
    let cert = healthy_cert();
    let root = root_file(&cert);
    let addr = rustls_server_for(&cert).await;

    let output = probe(addr, &root, &["--format", "json"]).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(
        report["summary"],
        serde_json::json!({"distributions": 0, "critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0})
    );
    let probes = report["probes"].as_array().expect("probes array");
    assert_eq!(probes.len(), 1);
    let probe = &probes[0];
    assert_eq!(probe["verdict"], "CloudFront would connect");
    assert_eq!(probe["outcome"]["kind"], "negotiated");
    assert_eq!(probe["target"]["sni"], ORIGIN);
    let certificates = probe["certificates"].as_array().expect("certificates");
    assert_eq!(certificates.len(), 2, "{certificates:#?}");
    for certificate in certificates {
        for field in [
            "subject",
            "issuer",
            "serial",
            "not_before",
            "not_after",
            "dns_names",
            "key",
            "sha256",
        ] {
            assert!(
                !certificate[field].is_null(),
                "{field} missing: {certificate}"
            );
        }
    }
    assert_eq!(certificates[0]["dns_names"], serde_json::json!([ORIGIN]));
    assert_eq!(certificates[0]["issuer"], certificates[1]["subject"]);
}

// ---- probe: broken origins ----

#[tokio::test]
async fn probe_of_an_expired_leaf_exits_1_with_a_502_verdict_and_no_distribution() {
    let cert = expired_cert();
    let root = root_file(&cert);
    let addr = rustls_server_for(&cert).await;

    let text = probe(addr, &root, &[]).await;
    assert_eq!(text.status.code(), Some(1), "{text:?}");
    assert!(
        stdout(&text).contains("verdict: CloudFront would answer 502: "),
        "{}",
        stdout(&text)
    );

    let output = probe(addr, &root, &["--format", "json"]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    assert_eq!(codes(&report), ["origin-cert-expired"]);
    assert_eq!(report["findings"][0]["distribution_id"], Value::Null);
    assert_eq!(report["findings"][0]["viewer_impact"], "502");
    assert!(report["probes"][0]["verdict"]
        .as_str()
        .is_some_and(|v| v.starts_with("CloudFront would answer 502: ")));
}

#[tokio::test]
async fn probe_with_two_sni_names_probes_both_and_flags_the_one_not_covered() {
    let cert = healthy_cert();
    let root = root_file(&cert);
    let addr = rustls_server_for(&cert).await;

    let output = probe(
        addr,
        &root,
        &[
            "--sni",
            ORIGIN,
            "--sni",
            "www.example.com",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    let snis: Vec<&str> = report["probes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["target"]["sni"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(snis, [ORIGIN, "www.example.com"]);
    assert_eq!(codes(&report), ["origin-cert-name-mismatch"]);
    assert_eq!(report["findings"][0]["evidence"]["sni"], "www.example.com");
    assert_eq!(report["probes"][0]["verdict"], "CloudFront would connect");
}

#[tokio::test]
async fn a_tls10_origin_passes_only_when_origin_ssl_protocols_allow_tls10() {
    let cert = rsa_cert();
    let root = root_file(&cert);
    let server = openssl_server(&cert, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;

    let allowed = probe(
        server.addr,
        &root,
        &[
            "--origin-ssl-protocols",
            "TLSv1,TLSv1.1,TLSv1.2",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(allowed.status.code(), Some(0), "{allowed:?}");
    assert_eq!(codes(&json(&allowed)), Vec::<String>::new());

    let tls12_only = probe(server.addr, &root, &["--format", "json"]).await;
    assert_eq!(tls12_only.status.code(), Some(1), "{tls12_only:?}");
    let report = json(&tls12_only);
    assert_eq!(codes(&report), ["origin-tls-protocol-mismatch"]);
    assert_eq!(report["findings"][0]["evidence"]["origin_version"], "TLSv1");
}

// ---- probe: usage errors ----

#[tokio::test]
async fn probe_usage_errors_exit_2_and_say_what_is_wrong() {
    let cert = healthy_cert();
    let root = root_file(&cert);
    let root_path = root.path().display().to_string();

    let tls13 = cli(
        None,
        &[
            "probe",
            "origin.example.com:8443",
            "--origin-ssl-protocols",
            "TLSv1.3",
        ],
    )
    .await;
    assert_eq!(tls13.status.code(), Some(2), "{tls13:?}");
    assert!(
        stderr(&tls13).contains("\"TLSv1.3\" is not an origin SSL protocol"),
        "{}",
        stderr(&tls13)
    );

    let bad_resolve = cli(
        None,
        &[
            "probe",
            "origin.example.com:8443",
            "--resolve",
            "origin.example.com:8443",
            "--trust-anchor",
            &root_path,
        ],
    )
    .await;
    assert_eq!(bad_resolve.status.code(), Some(2), "{bad_resolve:?}");
    assert!(
        stderr(&bad_resolve).contains("--resolve"),
        "{}",
        stderr(&bad_resolve)
    );

    let missing_anchor = cli(
        None,
        &[
            "probe",
            "origin.example.com:8443",
            "--trust-anchor",
            "/nonexistent/root.pem",
        ],
    )
    .await;
    assert_eq!(missing_anchor.status.code(), Some(2), "{missing_anchor:?}");
    assert!(
        stderr(&missing_anchor).contains("cannot use trust anchor /nonexistent/root.pem"),
        "{}",
        stderr(&missing_anchor)
    );

    let url = cli(None, &["probe", "https://x/"]).await;
    assert_eq!(url.status.code(), Some(2), "{url:?}");
    assert!(
        stderr(&url).contains("is not HOST or HOST:PORT"),
        "{}",
        stderr(&url)
    );
}

// ---- audit with probes, against the emulator ----

#[tokio::test]
async fn audit_probes_a_seeded_origin_and_reports_its_expired_certificate_per_distribution() {
    let cert = expired_cert();
    let root = root_file(&cert);
    let addr = rustls_server_for(&cert).await;
    let emulator = Emulator::start();
    let mut spec = DistributionSpec::new();
    spec.origins = vec![OriginSpec::custom_on_port("app", ORIGIN, addr.port())];
    let id = create_distribution(&emulator.cloudfront(), "expired-origin", &spec).await;

    let mut args: Vec<String> = vec!["audit".into(), "--format".into(), "json".into()];
    args.extend(lab_args(addr, &root));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let probed = cli(Some(&emulator), &args).await;
    assert_eq!(probed.status.code(), Some(1), "{probed:?}");
    let report = json(&probed);
    assert_eq!(codes(&report), ["origin-cert-expired"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["distribution_id"], Value::String(id));
    assert_eq!(finding["subject"], "origin app");
    assert_eq!(finding["evidence"]["origin_domain"], ORIGIN);
    assert_eq!(finding["evidence"]["port"], addr.port());
    assert_eq!(report["summary"]["distributions"], 1);

    let mut args = args.clone();
    args.push("--no-probe");
    let unprobed = cli(Some(&emulator), &args).await;
    assert_eq!(unprobed.status.code(), Some(0), "{unprobed:?}");
    let report = json(&unprobed);
    assert_eq!(codes(&report), Vec::<String>::new());
    assert!(
        report["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n == "origins not probed (--no-probe)"),
        "{report}"
    );
}
