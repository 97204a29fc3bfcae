//! `audit-not-covered` end to end: a configuration carrying a part the audit does not check is never
//! reported as clean. Through `check-config` (the binary, one configuration per part) and through the
//! CloudTrail path (a refused UpdateDistribution whose requestParameters carry every part, read by the
//! trigger reader and audited as a proposal).
//!
//! The emulator is not used: moto 5.2.5 keeps none of these fields (its CloudFront model has no
//! VpcOriginConfig, OriginMtlsConfig, ViewerMtlsConfig, ConnectionMode or TenantConfig, and it resets
//! every FunctionAssociations and LambdaFunctionAssociations to Quantity 0), so a distribution created
//! there would read back without the very parts under test. The SDK conversion of these fields is
//! tested on the SDK's own types (`inventory::cloudfront` unit tests).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cloudfront_tls_audit::audit::{self, AuditRequest, NoAccount, Subject};
use cloudfront_tls_audit::intake::{parse_trigger_bytes, Trigger};
use cloudfront_tls_audit::rules::ExpiryThresholds;
use serde_json::{json, Value};

const NOT_COVERED: &str = "audit-not-covered";

/// A configuration with no finding of its own: the default certificate, no aliases, HTTPS only, an
/// origin on TLS 1.2, and nothing to read from AWS (no custom certificate, no policy).
fn clean_config() -> Value {
    json!({
        "CallerReference": "not-covered",
        "Enabled": true,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": true},
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "app", "DomainName": "origin.example.com",
            "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}
            }
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "https-only"}
    })
}

/// Runs `check-config -` on `config` with `--offline` (no AWS read, no probe; a VPC origin is read by
/// a check with AWS access, `tests/load_balancer_origins.rs`), the endpoint a dead loopback port in
/// case anything still called.
fn check_config(config: &Value, extra: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .args(["--endpoint-url", "http://127.0.0.1:9", "check-config", "-"])
        .arg("--no-probe")
        .arg("--offline")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(config.to_string().as_bytes())
            .expect("stdin written");
    }
    child.wait_with_output().expect("the CLI finishes")
}

/// The findings of a JSON report at `--min-severity info`.
fn findings(config: &Value) -> (Option<i32>, Vec<Value>) {
    let output = check_config(config, &["--format", "json", "--min-severity", "info"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    (output.status.code(), findings)
}

/// `config` with `value` set at each JSON pointer (the parents exist in [`clean_config`]).
fn with(pointer_values: &[(&str, Value)]) -> Value {
    let mut config = clean_config();
    for (pointer, value) in pointer_values {
        let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
        match config.pointer_mut(parent).and_then(Value::as_object_mut) {
            Some(object) => {
                object.insert(key.to_owned(), value.clone());
            }
            None => panic!("no {parent} in the clean config"),
        }
    }
    config
}

#[test]
fn the_clean_configuration_has_no_finding_at_all() {
    let (status, findings) = findings(&clean_config());
    assert_eq!(findings, Vec::<Value>::new());
    assert_eq!(status, Some(0));
}

#[test]
fn check_config_names_each_part_it_does_not_audit() {
    let origin_request = json!({"Quantity": 1, "Items": [{
        "LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:route:7",
        "EventType": "origin-request"
    }]});
    let viewer_request = json!({"Quantity": 1, "Items": [{
        "FunctionARN": "arn:aws:cloudfront::111122223333:function/pick-origin",
        "EventType": "viewer-request"
    }]});
    let vpc_origin = json!({"Quantity": 2, "Items": [
        clean_config()["Origins"]["Items"][0].clone(),
        {"Id": "private-alb", "DomainName": "internal-alb.example.com",
         "VpcOriginConfig": {"VpcOriginId": "vo_0123456789abcdef"}}
    ]});
    // (part, configuration, expected subject, words the message must contain)
    let parts: [(&str, Value, &str, &str); 7] = [
        (
            "VPC origin",
            with(&[("/Origins", vpc_origin)]),
            "private-alb",
            "VPC origin private-alb (VpcOriginId vo_0123456789abcdef) was not audited",
        ),
        (
            "viewer mTLS",
            with(&[(
                "/ViewerMtlsConfig",
                json!({"Mode": "required", "TrustStoreConfig": {"TrustStoreId": "ts-0a1b2c"}}),
            )]),
            "ViewerMtlsConfig",
            "Viewer mTLS (Mode required, trust store ts-0a1b2c) was not audited",
        ),
        (
            "connection function",
            with(&[("/ConnectionFunctionAssociation", json!({"Id": "cf-check-cert"}))]),
            "ConnectionFunctionAssociation",
            "Connection function cf-check-cert",
        ),
        (
            "origin mTLS",
            with(&[(
                "/Origins/Items/0/CustomOriginConfig/OriginMtlsConfig",
                json!({"ClientCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/client-1"}),
            )]),
            "app",
            "requires CloudFront's client certificate arn:aws:acm:us-east-1:111122223333:certificate/client-1",
        ),
        (
            "multi-tenant distribution",
            with(&[("/ConnectionMode", json!("tenant-only"))]),
            "distribution tenants",
            "its distribution tenants were not audited",
        ),
        (
            "Lambda@Edge on origin-request",
            with(&[("/DefaultCacheBehavior/LambdaFunctionAssociations", origin_request)]),
            "arn:aws:lambda:us-east-1:111122223333:function:route:7",
            "may choose the origin at run time",
        ),
        (
            "CloudFront Function on viewer-request",
            with(&[("/DefaultCacheBehavior/FunctionAssociations", viewer_request)]),
            "arn:aws:cloudfront::111122223333:function/pick-origin",
            "CloudFront function arn:aws:cloudfront::111122223333:function/pick-origin runs on viewer-request",
        ),
    ];
    for (part, config, subject, words) in parts {
        let (status, findings) = findings(&config);
        assert_eq!(findings.len(), 1, "{part}: {findings:#?}");
        let finding = &findings[0];
        assert_eq!(finding["code"], NOT_COVERED, "{part}");
        assert_eq!(finding["severity"], "info", "{part}");
        assert_eq!(finding["subject"], subject, "{part}");
        let message = finding["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{part}: {message}");
        assert!(
            finding["remediation"]
                .as_array()
                .is_some_and(|steps| steps.len() >= 2),
            "{part}: how to check by hand"
        );
        // Printed, but not a problem: a CI gate does not fail on a part it cannot audit alone.
        assert_eq!(status, Some(0), "{part}");
    }
}

#[test]
fn functions_that_cannot_change_the_origin_are_not_named() {
    let config = with(&[
        (
            "/DefaultCacheBehavior/FunctionAssociations",
            json!({"Quantity": 1, "Items": [{
                "FunctionARN": "arn:aws:cloudfront::111122223333:function/hsts",
                "EventType": "viewer-response"
            }]}),
        ),
        (
            "/DefaultCacheBehavior/LambdaFunctionAssociations",
            json!({"Quantity": 2, "Items": [
                {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:auth:1",
                 "EventType": "viewer-request"},
                {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:headers:1",
                 "EventType": "origin-response"}
            ]}),
        ),
    ]);
    let (status, findings) = findings(&config);
    assert_eq!(findings, Vec::<Value>::new());
    assert_eq!(status, Some(0));
}

#[test]
fn the_text_report_names_the_part_too() {
    let config = with(&[("/ConnectionMode", json!("tenant-only"))]);
    let output = check_config(&config, &["--min-severity", "info"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("INFO     audit-not-covered  distribution tenants"),
        "{text}"
    );
    assert!(text.contains("0 low, 1 info."), "{text}");
}

/// `tests/fixtures/configs/not-covered.json` (get-distribution-config output with every part), by path,
/// as people run it: each part is named once, in the JSON and in the text report.
#[test]
fn the_fixture_with_every_part_names_each_one() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/configs/not-covered.json"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .args(["--endpoint-url", "http://127.0.0.1:9", "check-config", path])
        .args(["--no-probe", "--offline", "--min-severity", "info"])
        .output()
        .expect("the CLI runs");
    let text = String::from_utf8_lossy(&output.stdout);
    for subject in [
        "private-alb",
        "app",
        "ViewerMtlsConfig",
        "ConnectionFunctionAssociation",
        "distribution tenants",
        "arn:aws:cloudfront::111122223333:function/pick-origin",
        "arn:aws:lambda:us-east-1:111122223333:function:route:7",
    ] {
        let line = format!("INFO     audit-not-covered  {subject}\n");
        assert_eq!(text.matches(&line).count(), 1, "{subject}:\n{text}");
    }
    assert!(text.contains("0 low, 7 info."), "{text}");
    assert_eq!(output.status.code(), Some(0), "{text}");
}

#[test]
fn a_minimum_severity_still_shows_what_was_not_audited_and_the_exit_ignores_it() {
    let vpc_origin = json!({"Quantity": 2, "Items": [
        clean_config()["Origins"]["Items"][0].clone(),
        {"Id": "private-alb", "DomainName": "internal-alb.example.com",
         "VpcOriginConfig": {"VpcOriginId": "vo_0123456789abcdef"}}
    ]});
    let config = with(&[("/Origins", vpc_origin)]);
    for minimum in ["critical", "high", "medium"] {
        let output = check_config(&config, &["--format", "json", "--min-severity", minimum]);
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert_eq!(codes, [NOT_COVERED], "{minimum}: never filtered out");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{minimum}: not a failing gate"
        );
    }
}

/// The refused UpdateDistribution sample, its requestParameters' config carrying every part in
/// CloudTrail's camelCase.
fn refused_update_with_every_part() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/cloudtrail-update-distribution-rejected-invalid-viewer-certificate.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut event: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let Some(config) = event
        .pointer_mut("/detail/requestParameters/distributionConfig")
        .and_then(Value::as_object_mut)
    else {
        panic!("the sample carries a distributionConfig")
    };
    config.insert("connectionMode".into(), json!("tenant-only"));
    config.insert(
        "viewerMtlsConfig".into(),
        json!({"mode": "required", "trustStoreConfig": {"trustStoreId": "ts-0a1b2c"}}),
    );
    config.insert(
        "connectionFunctionAssociation".into(),
        json!({"id": "cf-check-cert"}),
    );
    let origins = config["origins"]["items"]
        .as_array_mut()
        .expect("the sample has origins");
    origins[0]["customOriginConfig"]["originMtlsConfig"] =
        json!({"clientCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/client-1"});
    origins.push(json!({"id": "private-alb", "domainName": "internal-alb.example.com",
        "vpcOriginConfig": {"vpcOriginId": "vo_0123456789abcdef", "ownerAccountId": "444455556666"}}));
    config["origins"]["quantity"] = json!(2);
    let behavior = &mut config["defaultCacheBehavior"];
    behavior["functionAssociations"] = json!({"quantity": 1, "items": [
        {"functionARN": "arn:aws:cloudfront::111122223333:function/pick-origin", "eventType": "viewer-request"}
    ]});
    behavior["lambdaFunctionAssociations"] = json!({"quantity": 1, "items": [
        {"lambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:route:7",
         "eventType": "origin-request", "includeBody": false}
    ]});
    event.to_string().into_bytes()
}

#[tokio::test]
async fn a_refused_cloudtrail_call_names_every_part_of_the_attempted_configuration() {
    let trigger = parse_trigger_bytes(&refused_update_with_every_part())
        .unwrap_or_else(|e| panic!("the event is read: {e}"));
    let Trigger::CheckRejected { distribution, .. } = trigger else {
        panic!("a refused call with its configuration: {trigger:?}")
    };
    let request = AuditRequest {
        subject: Subject::Proposed(distribution),
        now: time::macros::datetime!(2026-03-05 16:03 UTC),
        notes: Vec::new(),
        probe: None,
        thresholds: ExpiryThresholds::default(),
    };
    let report = audit::run(&NoAccount, &request).await;
    let mut subjects: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == NOT_COVERED)
        .map(|f| f.subject.as_str())
        .collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "ConnectionFunctionAssociation",
            "ViewerMtlsConfig",
            "app-origin",
            "arn:aws:cloudfront::111122223333:function/pick-origin",
            "arn:aws:lambda:us-east-1:111122223333:function:route:7",
            "distribution tenants",
            "private-alb",
        ],
        "{:#?}",
        report.findings
    );
    // The refusal's own finding is still there: the parts are named beside it, not instead of it.
    assert!(report
        .findings
        .iter()
        .any(|f| f.code.as_str() == "viewer-cert-wrong-region"));
}
