//! Hostile text from origins, end to end: certificates with a 60,000-character subject, 3,000 SANs,
//! a huge issuer and terminal escapes, served on loopback, probed, judged, and rendered for every
//! audience (terminal, email, Slack, machine JSON, message attributes) and published to SNS on the
//! emulator. Every message stays under SNS's 262,144 bytes, no finding is dropped (each still
//! there, cut, saying so), and no audience receives a forbidden character raw.

mod support;

use std::net::SocketAddr;
use std::process::Output;
use std::time::Duration;

use cloudfront_tls_audit::finding::{Finding, Severity};
use cloudfront_tls_audit::notify::{
    digest, per_distribution, publish_all, Notification, SnsPublisher, TriggerSummary,
};
use cloudfront_tls_audit::report::{render_json, render_text, Report};
use cloudfront_tls_audit::tls::ProtocolVersion;
use cloudfront_tls_audit::untrusted::{is_forbidden, FINDING_JSON_BYTES};
use serde_json::Value;
use support::hostile_certs::{huge_issuer, huge_subject, many_sans, HOSTILE, RAW};
use support::judged::{judge, probe_origin};
use support::seed::{create_distribution, DistributionSpec, OriginSpec};
use support::tls_servers::{openssl_server, pem_to_der, OpenSslServer};
use support::topic::{drain, topic_with_queue};
use support::{Emulator, IssuedCert};
use tempfile::NamedTempFile;

const ORIGIN: &str = "origin.example.com";

/// SNS's limit for one message with its attributes (Publish, `MaximumMessageSize` default).
const SNS_LIMIT: usize = 262_144;

/// `openssl s_server` for `cert`: rustls (webpki) refuses to serve certificates this malformed,
/// openssl sends whatever it is given, as a hostile origin would.
async fn serve(cert: &IssuedCert) -> OpenSslServer {
    openssl_server(cert, &[]).await
}

/// The findings of one probe of `cert` served on loopback, judged as the `probe` command judges.
async fn findings_of(cert: &IssuedCert) -> Vec<Finding> {
    let server = serve(cert).await;
    let addr = server.addr;
    let (target_use, observation) = probe_origin(
        ORIGIN,
        addr,
        ORIGIN,
        &[ProtocolVersion::Tls12],
        Duration::from_secs(10),
    )
    .await;
    judge(&target_use, &observation, &[pem_to_der(&cert.root_pem)])
}

/// The hostile findings, as one distribution's (a Lambda sees them that way).
async fn hostile_report() -> Report {
    let mut findings = Vec::new();
    for cert in [huge_subject(ORIGIN), many_sans(ORIGIN), huge_issuer(ORIGIN)] {
        let found = findings_of(&cert).await;
        assert!(
            found
                .iter()
                .any(|f| f.code.as_str() == "origin-cert-expired"),
            "{found:#?}"
        );
        findings.extend(found.into_iter().map(|mut f| {
            f.distribution_id = Some("E1HOSTILE".to_owned());
            f
        }));
    }
    Report::new(findings, 1, vec![])
}

#[track_caller]
fn assert_no_raw(audience: &str, text: &str) {
    for c in RAW {
        assert!(!text.contains(*c), "{audience} carries {c:?} raw");
    }
}

/// Every message under the limit; the JSON copy lists every finding, each within its budget, and
/// the cut ones say so; no audience carries a forbidden character raw.
#[track_caller]
fn assert_fits_and_keeps(notifications: &[Notification], expected_findings: usize) {
    let mut listed = 0;
    for n in notifications {
        assert!(n.sns_size() < SNS_LIMIT, "{} bytes", n.sns_size());
        assert!(n.message_json().len() < SNS_LIMIT);
        let json: Value = serde_json::from_str(&n.default_json).expect("JSON copy");
        for finding in json["findings"].as_array().expect("findings") {
            listed += 1;
            assert!(serde_json::to_vec(finding).unwrap().len() <= FINDING_JSON_BYTES);
            assert!(finding["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        assert_no_raw("JSON", &n.default_json);
        assert_no_raw("email", &n.email);
        assert!(!n.email.chars().any(|c| is_forbidden(c) && c != '\n'));
        let chat: Value = serde_json::from_str(&n.https).expect("chat JSON");
        let description = chat["content"]["description"].as_str().unwrap_or_default();
        // The word joiner is Slack's own mention breaker, the one forbidden character we add.
        assert!(!description
            .chars()
            .any(|c| is_forbidden(c) && c != '\u{2060}' && c != '\n'));
        for name in n.attributes.keys() {
            let value = n.attribute(name).unwrap_or_default();
            assert_no_raw("attribute", &value);
        }
        assert_no_raw("subject", &n.subject);
    }
    assert_eq!(listed, expected_findings, "no finding dropped");
}

#[tokio::test]
async fn hostile_certificates_fit_every_message_and_reach_sns_whole() {
    let report = hostile_report().await;
    let total = report.findings.len();
    let text = serde_json::to_string(&report.findings).unwrap();
    // Cut where they entered, and saying so.
    assert!(
        text.contains(" more characters]"),
        "the subject says it was cut"
    );
    assert!(
        text.contains("more\""),
        "the SAN list counts what it left out"
    );

    let trigger = TriggerSummary::new("UpdateDistribution", HOSTILE);
    let per = per_distribution(&report, &trigger, Severity::Info);
    assert_fits_and_keeps(&per, total);
    let sweep = digest(
        &report,
        &TriggerSummary::new("sweep", HOSTILE),
        Severity::Info,
    );
    assert_fits_and_keeps(&sweep, total);

    // The terminal and the CLI's JSON: nothing raw either.
    assert_no_raw("terminal", &render_text(&report, false));
    assert_no_raw("CLI JSON", &render_json(&report));

    // The real publish: SNS takes every message; the queue receives them all, findings whole.
    let emulator = Emulator::start();
    let (topic_arn, queue_url) = topic_with_queue(&emulator).await;
    let publisher = SnsPublisher::new(emulator.sns(), &topic_arn);
    let all: Vec<Notification> = per.into_iter().chain(sweep).collect();
    let published = publish_all(&publisher, &all)
        .await
        .expect("every message accepted");
    assert_eq!(published, all.len());
    let envelopes = drain(&emulator, &queue_url).await;
    assert_eq!(envelopes.len(), all.len());
    let mut received = 0;
    for envelope in &envelopes {
        let message = envelope["Message"].as_str().expect("message");
        assert!(message.len() < SNS_LIMIT);
        let json: Value = serde_json::from_str(message).expect("the JSON report");
        received += json["findings"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(received, 2 * total, "per distribution and in the digest");
}

// ---- the CLI's text output, through the real binary ----

/// The binary with test credentials and no colour, the lab inputs in their environment variables
/// (`ORIGIN` resolved to `addr`, `root` trusted), then `args`.
async fn cli(
    emulator: Option<&Emulator>,
    addr: SocketAddr,
    root: &NamedTempFile,
    args: &[String],
) -> Output {
    const ENV: [(&str, &str); 4] = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "eu-central-1"),
        ("NO_COLOR", "1"),
    ];
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"));
    command
        .envs(ENV)
        .env_remove("AWS_PROFILE")
        .env(
            "CLOUDFRONT_TLS_AUDIT_RESOLVE",
            format!("{ORIGIN}:{}:127.0.0.1", addr.port()),
        )
        .env("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR", root.path());
    let endpoint = emulator.map(|e| ["--endpoint-url".to_owned(), e.endpoint_url()]);
    command.args(endpoint.into_iter().flatten()).args(args);
    command.output().await.expect("the CLI runs")
}

#[tokio::test]
async fn probe_and_audit_text_show_hostile_certificate_text_escaped_never_raw() {
    let cert = many_sans(ORIGIN);
    let root = NamedTempFile::new().expect("temp file");
    std::fs::write(root.path(), &cert.root_pem).expect("root written");
    let server = serve(&cert).await;
    let addr = server.addr;

    let args = ["probe".to_owned(), format!("{ORIGIN}:{}", addr.port())];
    let probed = cli(None, addr, &root, &args).await;
    assert_eq!(probed.status.code(), Some(1), "{probed:?}");
    let text = String::from_utf8_lossy(&probed.stdout);
    assert_no_raw("probe text", &text);
    assert!(
        text.contains("\\u{1b}[31mred"),
        "escapes stay visible: {text}"
    );
    assert!(text.contains("… and 2982 more"), "{text}");

    let emulator = Emulator::start();
    let mut spec = DistributionSpec::new();
    spec.origins = vec![OriginSpec::custom_on_port("app", ORIGIN, addr.port())];
    create_distribution(&emulator.cloudfront(), "hostile-origin", &spec).await;
    let audited = cli(Some(&emulator), addr, &root, &["audit".to_owned()]).await;
    assert_eq!(audited.status.code(), Some(1), "{audited:?}");
    let text = String::from_utf8_lossy(&audited.stdout);
    assert!(text.contains("origin-cert-expired"), "{text}");
    assert_no_raw("audit text", &text);
    assert_no_raw("audit stderr", &String::from_utf8_lossy(&audited.stderr));
}
