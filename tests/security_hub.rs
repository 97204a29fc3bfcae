//! Security Hub export against the emulator's Security Hub (moto: EnableSecurityHub,
//! BatchImportFindings, GetFindings), through the real SDK: a finding is imported under its
//! fingerprint, updated in place when it changes, archived when resolved; more than 100 findings
//! go in several calls; a finding the service rejects is reported by its `Id`, the rest imported.
//!
//! moto stores what it is sent and checks only that a finding has resources: field limits are
//! asserted by the pure tests of `src/securityhub/asff.rs`.

mod support;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, ComplianceStatus, RecordState, SeverityLabel,
};
use cloudfront_tls_audit::catalogue::{ALIAS_NOT_COVERED, ORIGIN_EXPIRED};
use cloudfront_tls_audit::finding::{Finding, Severity};
use cloudfront_tls_audit::report::Report;
use cloudfront_tls_audit::securityhub::asff::{self, Asff};
use cloudfront_tls_audit::securityhub::{
    ExportError, FindingAccounts, FindingsExport, SecurityHub,
};
use cloudfront_tls_audit::state::{
    FindingStatus, Fingerprint, Memory, Remembered, ResolvedFinding, SuppressionOutcome, Transition,
};
use support::{CallCounter, Emulator};
use time::macros::datetime;
use time::OffsetDateTime;

const ACCOUNT: &str = "123456789012";
const FIRST: OffsetDateTime = datetime!(2026-12-01 06:00 UTC);
const SECOND: OffsetDateTime = datetime!(2026-12-02 06:00 UTC);

/// A Security Hub client on the emulator, its calls counted, with the hub enabled.
async fn hub(emulator: &Emulator, counter: &CallCounter) -> SecurityHub {
    let config = aws_sdk_securityhub::config::Builder::from(&emulator.sdk_config())
        .interceptor(counter.clone())
        .build();
    let client = aws_sdk_securityhub::Client::from_conf(config);
    client
        .enable_security_hub()
        .send()
        .await
        .unwrap_or_else(|e| panic!("EnableSecurityHub: {e:?}"));
    SecurityHub::new(client, "us-east-1")
}

/// Every finding in the emulator's hub, all pages.
async fn findings(emulator: &Emulator) -> Vec<AwsSecurityFinding> {
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_findings()
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetFindings: {e:?}"));
        all.extend(page.findings().iter().cloned());
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            return all;
        }
    }
}

fn by_id<'a>(all: &'a [AwsSecurityFinding], id: &str) -> &'a AwsSecurityFinding {
    all.iter().find(|f| f.id() == Some(id)).unwrap_or_else(|| {
        panic!(
            "no finding {id} in {:?}",
            all.iter().map(|f| f.id()).collect::<Vec<_>>()
        )
    })
}

fn remembered(finding: &Finding, status: FindingStatus, transition: Transition) -> Remembered {
    Remembered {
        fingerprint: Fingerprint::of(ACCOUNT, finding),
        status,
        transition,
        first_seen: FIRST,
        previous_severity: None,
        suppression: None,
    }
}

fn alias(severity: Severity) -> Finding {
    let mut finding = Finding::builder(&ALIAS_NOT_COVERED)
        .distribution("E1")
        .subject("www.example.com")
        .evidence("alias", "www.example.com")
        .evidence(
            "certificate_arn",
            format!("arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1"),
        )
        .build();
    finding.severity = severity;
    finding.remembered = Some(remembered(&finding, FindingStatus::New, Transition::New));
    finding
}

fn origin_expired() -> Finding {
    let mut finding = Finding::builder(&ORIGIN_EXPIRED)
        .distribution("E2")
        .subject("origin-1")
        .build();
    finding.remembered = Some(remembered(
        &finding,
        FindingStatus::Open,
        Transition::Unchanged,
    ));
    finding
}

#[tokio::test]
async fn a_finding_is_imported_updated_in_place_and_archived_when_resolved() {
    let emulator = Emulator::start();
    let counter = CallCounter::default();
    let hub = hub(&emulator, &counter).await;

    // First run: two open findings.
    let report = Report::new(vec![alias(Severity::High), origin_expired()], 2, Vec::new());
    let exported = hub
        .export(&report, FindingAccounts::own(ACCOUNT), FIRST)
        .await
        .expect("exported");
    assert_eq!(
        (exported.open, exported.archived, exported.calls),
        (2, 0, 1)
    );
    let alias_id = Fingerprint::of(ACCOUNT, &alias(Severity::High)).to_string();
    let all = findings(&emulator).await;
    assert_eq!(all.len(), 2);
    let imported = by_id(&all, &alias_id);
    assert_eq!(imported.generator_id(), Some("viewer-alias-not-covered"));
    assert_eq!(imported.aws_account_id(), Some(ACCOUNT));
    assert_eq!(
        imported.product_arn().map(str::to_owned),
        Some(format!(
            "arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default"
        ))
    );
    assert_eq!(
        imported.severity().and_then(|s| s.label()),
        Some(&SeverityLabel::High)
    );
    assert_eq!(
        imported.compliance().and_then(|c| c.status()),
        Some(&ComplianceStatus::Failed)
    );
    assert_eq!(imported.record_state(), Some(&RecordState::Active));
    let types: Vec<_> = imported
        .resources()
        .iter()
        .filter_map(|r| r.r#type())
        .collect();
    assert_eq!(
        types,
        [
            "AwsCloudFrontDistribution",
            "AwsCertificateManagerCertificate"
        ]
    );

    // Second run: the alias finding escalated, the origin one fixed.
    let mut escalated = alias(Severity::Critical);
    if let Some(r) = escalated.remembered.as_mut() {
        r.status = FindingStatus::Open;
        r.transition = Transition::Escalated;
        r.previous_severity = Some(Severity::High);
    }
    let fixed = origin_expired();
    let mut report = Report::new(vec![escalated], 2, Vec::new());
    report.memory = Some(Memory {
        resolved: vec![ResolvedFinding {
            fingerprint: Fingerprint::of(ACCOUNT, &fixed),
            code: fixed.code.as_str().to_owned(),
            distribution_id: fixed.distribution_id.clone(),
            subject: fixed.subject.clone(),
            severity: fixed.severity,
            first_seen: FIRST,
            resolved_at: SECOND,
            resolved_by: "UpdateDistribution by arn:aws:iam::123456789012:user/ops".into(),
        }],
        suppressions: SuppressionOutcome::default(),
    });
    let exported = hub
        .export(&report, FindingAccounts::own(ACCOUNT), SECOND)
        .await
        .expect("exported");
    assert_eq!((exported.open, exported.archived), (1, 1));
    let all = findings(&emulator).await;
    assert_eq!(all.len(), 2, "updated in place, not added: {all:#?}");
    let updated = by_id(&all, &alias_id);
    assert_eq!(
        updated.severity().and_then(|s| s.label()),
        Some(&SeverityLabel::Critical)
    );
    assert_eq!(
        updated.created_at(),
        Some("2026-12-01T06:00:00Z"),
        "first seen kept"
    );
    assert_eq!(updated.updated_at(), Some("2026-12-02T06:00:00Z"));
    let archived = by_id(&all, Fingerprint::of(ACCOUNT, &fixed).as_str());
    assert_eq!(archived.record_state(), Some(&RecordState::Archived));
    assert_eq!(
        archived.compliance().and_then(|c| c.status()),
        Some(&ComplianceStatus::Passed)
    );
    assert_eq!(counter.count("BatchImportFindings"), 2);
}

#[tokio::test]
async fn two_hundred_and_fifty_findings_go_in_three_calls_and_all_arrive() {
    let emulator = Emulator::start();
    let counter = CallCounter::default();
    let hub = hub(&emulator, &counter).await;
    let many: Vec<Finding> = (0..250)
        .map(|n| {
            let mut finding = Finding::builder(&ALIAS_NOT_COVERED)
                .distribution(format!("E{n}"))
                .subject(format!("www{n}.example.com"))
                .build();
            finding.remembered = Some(remembered(&finding, FindingStatus::New, Transition::New));
            finding
        })
        .collect();
    let report = Report::new(many, 250, Vec::new());
    let exported = hub
        .export(&report, FindingAccounts::own(ACCOUNT), FIRST)
        .await
        .expect("exported");
    assert_eq!(exported.calls, 3);
    assert_eq!(counter.count("BatchImportFindings"), 3);
    assert_eq!(findings(&emulator).await.len(), 250);
}

#[tokio::test]
async fn a_finding_the_service_rejects_is_reported_by_id_and_the_rest_is_imported() {
    let emulator = Emulator::start();
    let counter = CallCounter::default();
    let hub = hub(&emulator, &counter).await;
    let target = hub.hub(ACCOUNT);
    let good = asff::open(&alias(Severity::High), &target, FIRST);
    // moto rejects a finding without resources, as Security Hub does.
    let mut broken = asff::open(&origin_expired(), &target, FIRST);
    broken.finding = AwsSecurityFinding::builder()
        .id("cfta1/123456789012/E2/origin-cert-expired/origin-1")
        .schema_version(asff::SCHEMA_VERSION)
        .build();
    let error = hub
        .import(vec![good.clone(), broken], &target)
        .await
        .expect_err("one rejected");
    match &error {
        ExportError::Rejected(rejected) => {
            assert_eq!(rejected.len(), 1);
            assert_eq!(
                rejected[0].id,
                "cfta1/123456789012/E2/origin-cert-expired/origin-1"
            );
            assert_eq!(rejected[0].code, "InvalidInput");
        }
        other => panic!("{other}"),
    }
    assert!(error.to_string().contains("origin-cert-expired"), "{error}");
    let all = findings(&emulator).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id(), good.finding.id());
    let _: &Asff = &good;
}

#[tokio::test]
async fn an_unreachable_hub_is_an_error_that_says_what_to_check() {
    // Nothing listens on the discard port: the call fails as a whole.
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::from_static("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(aws_sdk_securityhub::config::SharedCredentialsProvider::new(
            aws_sdk_securityhub::config::Credentials::new("t", "t", None, None, "test"),
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .build();
    let hub = SecurityHub::from_sdk_config(&config);
    let report = Report::new(vec![alias(Severity::High)], 1, Vec::new());
    let error = hub
        .export(&report, FindingAccounts::own(ACCOUNT), FIRST)
        .await
        .expect_err("unreachable");
    assert!(
        matches!(error, ExportError::Call { findings: 1, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("securityhub:BatchImportFindings"),
        "{error}"
    );
}
