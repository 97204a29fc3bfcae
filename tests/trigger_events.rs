//! Every sample in `events/` parses to the trigger the Lambda must act on, and hostile payloads are
//! refused cleanly: an error or an ignore, never a panic.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cloudfront_tls_audit::intake::{
    parse_trigger, parse_trigger_bytes, AcmEvent, Cause, SweepSource, Trigger, TriggerError,
    MAX_EVENT_BYTES,
};
use cloudfront_tls_audit::model::{DistributionOrigin, OriginResource, Scope};
use cloudfront_tls_audit::organization::OrganizationTask;
use serde_json::{json, Value};

const CERT: &str =
    "arn:aws:acm:us-east-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";

/// The load balancer of the us-east-1 listener samples (moto's ARN form and default account).
const US_LOAD_BALANCER: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/app-origin-alb/50dc6c495c0c9188";

/// The load balancer of the forwarded eu-west-1 sample.
const EU_LOAD_BALANCER: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/internal-api-alb/3188688ae12fc373";

/// The VPC origin of the VPC origin samples.
const VPC_ORIGIN: &str = "vo_BQwjWmm7L4tI5r3NkSGcXa";

/// The accounts of the samples: the anonymised documentation account, and moto's default account for
/// the load balancer, VPC origin and eu-west-1 samples of issue 13, which the emulator tests replay.
const SAMPLE_ACCOUNTS: [&str; 2] = ["111122223333", "123456789012"];

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("events")
}

fn sample_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(events_dir())
        .expect("events/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn load(name: &str) -> Value {
    let bytes = std::fs::read(events_dir().join(name)).expect("sample exists");
    serde_json::from_slice(&bytes).expect("sample is JSON")
}

fn parse_file(path: &Path) -> Trigger {
    let bytes = std::fs::read(path).expect("readable sample");
    parse_trigger_bytes(&bytes).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

fn ids(list: &[&str]) -> Scope {
    Scope::Distributions(list.iter().map(|id| id.to_string()).collect())
}

/// Checks one sample's trigger; returns false for a file the test does not know.
fn check_sample(name: &str, trigger: &Trigger) -> bool {
    match name {
        "cloudtrail-update-distribution.json" => {
            let Trigger::Audit { scope, cause } = trigger else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(*scope, ids(&["EDFDVBD6EXAMPLE"]));
            assert_eq!(
                *cause,
                Cause::ApiCall {
                    event_name: "UpdateDistribution".into(),
                    actor_arn: Some("arn:aws:sts::111122223333:assumed-role/Admin/jdoe".into()),
                    event_time: Some("2026-03-03T09:14:02Z".into()),
                    source_ip: Some("203.0.113.24".into()),
                    event_id: Some("5ab02562-0fc5-43d0-b7b6-90293example".into()),
                    alias: None,
                    rejected: None,
                }
            );
        }
        "cloudtrail-create-distribution-with-tags.json"
        | "cloudtrail-copy-distribution.json"
        | "cloudtrail-update-distribution-with-staging-config.json"
        | "cloudtrail-associate-alias.json"
        | "cloudtrail-update-domain-association.json" => {
            let (expected_call, expected_ids): (&str, &[&str]) = match name {
                "cloudtrail-create-distribution-with-tags.json" => {
                    ("CreateDistributionWithTags", &["E3TAGGEDEXAMPLE"])
                }
                "cloudtrail-copy-distribution.json" => {
                    ("CopyDistribution", &["E4STAGINGEXAMPLE", "EDFDVBD6EXAMPLE"])
                }
                "cloudtrail-update-distribution-with-staging-config.json" => (
                    "UpdateDistributionWithStagingConfig",
                    &["EDFDVBD6EXAMPLE", "E4STAGINGEXAMPLE"],
                ),
                "cloudtrail-associate-alias.json" => ("AssociateAlias", &["EDFDVBD6EXAMPLE"]),
                _ => ("UpdateDomainAssociation", &["EDFDVBD6EXAMPLE"]),
            };
            let Trigger::Audit {
                scope,
                cause: Cause::ApiCall { event_name, .. },
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(event_name, expected_call, "{name}");
            assert_eq!(*scope, ids(expected_ids), "{name}");
        }
        "cloudtrail-create-distribution.json" => {
            let Trigger::Audit {
                scope,
                cause:
                    Cause::ApiCall {
                        event_name,
                        actor_arn,
                        source_ip,
                        rejected: None,
                        ..
                    },
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(*scope, ids(&["E2QWRUHEXAMPLE"]));
            assert_eq!(event_name, "CreateDistribution");
            assert_eq!(
                actor_arn.as_deref(),
                Some("arn:aws:sts::111122223333:assumed-role/cfn-deploy/AWSCloudFormation")
            );
            assert_eq!(source_ip.as_deref(), Some("cloudformation.amazonaws.com"));
        }
        "cloudtrail-update-distribution-rejected-invalid-viewer-certificate.json" => {
            let Trigger::CheckRejected {
                distribution,
                live_id,
                cause:
                    Cause::ApiCall {
                        event_name,
                        actor_arn,
                        rejected: Some(rejection),
                        ..
                    },
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(live_id.as_deref(), Some("EDFDVBD6EXAMPLE"));
            assert_eq!(event_name, "UpdateDistribution");
            assert_eq!(
                actor_arn.as_deref(),
                Some("arn:aws:sts::111122223333:assumed-role/Developer/asmith")
            );
            assert_eq!(rejection.error_code, "InvalidViewerCertificate");
            assert!(rejection
                .error_message
                .as_deref()
                .is_some_and(|m| m.contains("isn't in us-east-1")));
            assert_eq!(rejection.config_unavailable, None);
            assert!(rejection.advice().is_some_and(|a| a.contains("us-east-1")));
            // The attempted configuration, not the live one: its certificate is in eu-west-1.
            assert_eq!(distribution.origin, DistributionOrigin::Proposed);
            assert_eq!(distribution.id, "EDFDVBD6EXAMPLE");
            assert!(distribution
                .viewer_certificate
                .acm_certificate_arn
                .as_deref()
                .is_some_and(|arn| arn.starts_with("arn:aws:acm:eu-west-1:")));
            assert_eq!(
                distribution.aliases,
                vec!["app.example.com", "www.app.example.com"]
            );
        }
        "cloudtrail-create-vpc-origin.json" | "cloudtrail-update-vpc-origin.json" => {
            let (event_name, event_time, event_id) = match name {
                "cloudtrail-create-vpc-origin.json" => (
                    "CreateVpcOrigin",
                    "2026-12-01T10:00:03Z",
                    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
                ),
                _ => (
                    "UpdateVpcOrigin",
                    "2026-12-02T14:21:37Z",
                    "a1b2c3d4-e5f6-4789-9abc-def012345678",
                ),
            };
            expect_origin_resource(
                name,
                trigger,
                OriginResource::VpcOrigin(VPC_ORIGIN.into()),
                Cause::ApiCall {
                    event_name: event_name.into(),
                    actor_arn: Some(
                        "arn:aws:sts::123456789012:assumed-role/NetworkAdmin/mlopez".into(),
                    ),
                    event_time: Some(event_time.into()),
                    source_ip: Some("198.51.100.17".into()),
                    event_id: Some(event_id.into()),
                    alias: None,
                    rejected: None,
                },
            );
        }
        "cloudtrail-elb-create-listener.json"
        | "cloudtrail-elb-modify-listener.json"
        | "cloudtrail-elb-delete-listener.json"
        | "cloudtrail-elb-add-listener-certificates.json" => {
            let (event_name, event_time, event_id) = match name {
                "cloudtrail-elb-create-listener.json" => (
                    "CreateListener",
                    "2026-12-01T11:12:13Z",
                    "c0d1e2f3-a4b5-4c6d-9e7f-8091a2b3c4d5",
                ),
                "cloudtrail-elb-modify-listener.json" => (
                    "ModifyListener",
                    "2026-12-03T08:45:01Z",
                    "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
                ),
                "cloudtrail-elb-delete-listener.json" => (
                    "DeleteListener",
                    "2026-12-04T16:30:44Z",
                    "e2f3a4b5-c6d7-4e8f-9012-b3c4d5e6f7a8",
                ),
                _ => (
                    "AddListenerCertificates",
                    "2026-12-03T09:02:18Z",
                    "f3a4b5c6-d7e8-4f90-8123-c4d5e6f7a8b9",
                ),
            };
            expect_origin_resource(
                name,
                trigger,
                OriginResource::LoadBalancer(US_LOAD_BALANCER.into()),
                Cause::ApiCall {
                    event_name: event_name.into(),
                    actor_arn: Some(
                        "arn:aws:sts::123456789012:assumed-role/PlatformDeploy/ci-deploy-4127"
                            .into(),
                    ),
                    event_time: Some(event_time.into()),
                    source_ip: Some("203.0.113.40".into()),
                    event_id: Some(event_id.into()),
                    alias: None,
                    rejected: None,
                },
            );
        }
        "cloudtrail-elb-remove-listener-certificates.json" => expect_origin_resource(
            name,
            trigger,
            // Forwarded from eu-west-1: the load balancer keeps the listener's region.
            OriginResource::LoadBalancer(EU_LOAD_BALANCER.into()),
            Cause::ApiCall {
                event_name: "RemoveListenerCertificates".into(),
                actor_arn: Some(
                    "arn:aws:sts::123456789012:assumed-role/NetworkAdmin/mlopez".into(),
                ),
                event_time: Some("2026-12-05T13:07:51Z".into()),
                source_ip: Some("198.51.100.17".into()),
                event_id: Some("a4b5c6d7-e8f9-4a01-9234-d5e6f7a8b9c0".into()),
                alias: None,
                rejected: None,
            },
        ),
        "acm-expired-eu-west-1.json" => {
            // Forwarded from eu-west-1 (a load balancer's certificate): audited by its own ARN.
            let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
            let Trigger::AuditCertificate {
                certificate_arn,
                cause:
                    Cause::Certificate {
                        event: AcmEvent::Expired,
                        certificate_arn: cause_arn,
                        common_name,
                        in_use: Some(true),
                        expiration_date,
                        ..
                    },
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(certificate_arn, arn);
            assert_eq!(cause_arn, arn);
            assert_eq!(common_name.as_deref(), Some("internal-api.example.com"));
            assert_eq!(expiration_date.as_deref(), Some("2026-12-06T00:00:00Z"));
            assert_eq!(
                trigger.to_string(),
                format!(
                    "audit the distributions using {arn} (ACM Certificate Expired for {arn} \
                     (internal-api.example.com))"
                )
            );
        }
        "acm-approaching-expiration.json" => expect_certificate(
            name,
            trigger,
            AcmEvent::ApproachingExpiration {
                days_to_expiry: Some(30),
            },
        ),
        "acm-expired.json" => expect_certificate(name, trigger, AcmEvent::Expired),
        "acm-available-renewal.json" => expect_certificate(
            name,
            trigger,
            AcmEvent::Available {
                action: Some("RENEWAL".into()),
            },
        ),
        "acm-renewal-action-required.json" => expect_certificate(
            name,
            trigger,
            AcmEvent::RenewalActionRequired {
                reason: Some("CAA_ERROR".into()),
                days_to_expiry: Some(30),
            },
        ),
        "acm-revoked.json" => expect_certificate(name, trigger, AcmEvent::Revoked),
        "scheduled-event.json" => expect_sweep(name, trigger, SweepSource::Events),
        "scheduler-default-envelope.json" => expect_sweep(name, trigger, SweepSource::Scheduler),
        "scheduler-sweep-input.json" => expect_sweep(name, trigger, SweepSource::Direct),
        "direct-audit.json" => {
            let Trigger::Audit {
                scope,
                cause: Cause::Operator,
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(*scope, ids(&["EDFDVBD6EXAMPLE", "E2QWRUHEXAMPLE"]));
        }
        "sqs-follow-up.json" => {
            let Trigger::Audit {
                scope,
                cause: Cause::FollowUp { attempt, cause },
            } = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(*scope, ids(&["EDFDVBD6EXAMPLE"]));
            assert_eq!(*attempt, 1);
            assert!(cause.starts_with("UpdateDistribution by"), "{cause}");
        }
        "organization-list-accounts.json" => {
            let Trigger::Organization(OrganizationTask::ListAccounts { run }) = trigger else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(run.execution, EXECUTION);
        }
        "organization-item-batch.json" => {
            let Trigger::Organization(OrganizationTask::SweepAccounts {
                run,
                accounts,
                single: false,
            }) = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(run.execution, EXECUTION);
            let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
            assert_eq!(ids, ["111122223333", "444455556666"]);
        }
        "organization-digest.json" => {
            let Trigger::Organization(OrganizationTask::Digest {
                run,
                manifest_key,
                map_error: None,
                retries_left: true,
            }) = trigger
            else {
                panic!("{name}: {trigger:?}")
            };
            assert_eq!(run.execution, EXECUTION);
            assert_eq!(
                manifest_key.as_deref(),
                Some("map-runs/5c4b3a29-1f0e-4d2c-8b7a-6e5d4c3b2a19/manifest.json")
            );
        }
        _ => return false,
    }
    true
}

/// The execution of the organization sweep samples (`$$.Execution.Name`: Scheduler's default).
const EXECUTION: &str = "0f6d7c1e-3b6a-4c5e-9d2f-8a1b2c3d4e5f";

fn expect_certificate(name: &str, trigger: &Trigger, expected: AcmEvent) {
    let Trigger::AuditCertificate {
        certificate_arn,
        cause:
            Cause::Certificate {
                event,
                certificate_arn: cause_arn,
                common_name,
                ..
            },
    } = trigger
    else {
        panic!("{name}: {trigger:?}")
    };
    assert_eq!(certificate_arn, CERT, "{name}");
    assert_eq!(cause_arn, CERT, "{name}");
    assert_eq!(*event, expected, "{name}");
    assert_eq!(common_name.as_deref(), Some("app.example.com"), "{name}");
}

fn expect_origin_resource(name: &str, trigger: &Trigger, resource: OriginResource, cause: Cause) {
    let Trigger::AuditOriginResource {
        resource: found,
        cause: found_cause,
    } = trigger
    else {
        panic!("{name}: {trigger:?}")
    };
    assert_eq!(*found, resource, "{name}");
    assert_eq!(*found_cause, cause, "{name}");
    // The log line names what is audited and why.
    assert!(
        trigger
            .to_string()
            .starts_with(&format!("audit the distributions reaching {resource} (")),
        "{trigger}"
    );
}

fn expect_sweep(name: &str, trigger: &Trigger, expected: SweepSource) {
    let Trigger::Audit {
        scope: Scope::AllDistributions,
        cause: Cause::Sweep { source, .. },
    } = trigger
    else {
        panic!("{name}: {trigger:?}")
    };
    assert_eq!(*source, expected, "{name}");
}

#[test]
fn every_sample_parses_to_its_trigger() {
    let files = sample_files();
    assert!(files.len() >= 12, "expected the samples, found {files:?}");
    let mut unknown = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let trigger = parse_file(path);
        if !check_sample(&name, &trigger) {
            unknown.push(name);
        }
    }
    assert!(
        unknown.is_empty(),
        "events/ has samples this test does not check; add a case in check_sample: {unknown:?}"
    );
}

#[test]
fn the_readme_lists_every_sample() {
    let readme = std::fs::read_to_string(events_dir().join("README.md")).expect("events/README.md");
    for path in sample_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("`{name}`")),
            "events/README.md does not describe {name}"
        );
    }
}

/// The samples fit the published types where those apply: the envelope is an `EventBridgeEvent`, and a
/// successful CloudTrail record is an `AWSAPICall` (which needs every field CloudTrail always writes).
#[test]
fn samples_fit_the_aws_lambda_events_types() {
    use aws_lambda_events::event::cloudwatch_events::cloudtrail::AWSAPICall;
    use aws_lambda_events::event::eventbridge::EventBridgeEvent;

    for path in sample_files() {
        let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if value.get("action").is_some() || value.get("Items").is_some() {
            continue; // Custom inputs and Distributed Map batches are not envelopes by design.
        }
        if value.get("Records").is_some() {
            // The follow-up queue's event: Lambda's SQS event, not an EventBridge envelope.
            let event: aws_lambda_events::event::sqs::SqsEvent =
                serde_json::from_value(value.clone())
                    .unwrap_or_else(|e| panic!("{}: not an SQS event: {e}", path.display()));
            assert!(event
                .records
                .iter()
                .all(|r| r.event_source.as_deref() == Some("aws:sqs")));
            continue;
        }
        let envelope: EventBridgeEvent<Value> = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{}: not an EventBridge event: {e}", path.display()));
        let account = envelope.account.as_deref().unwrap_or_default();
        assert!(SAMPLE_ACCOUNTS.contains(&account), "{}", path.display());
        if envelope.detail_type == "AWS API Call via CloudTrail" {
            let call: AWSAPICall = serde_json::from_value(envelope.detail)
                .unwrap_or_else(|e| panic!("{}: not a CloudTrail record: {e}", path.display()));
            let expected_event_source = match envelope.source.as_str() {
                "aws.elasticloadbalancing" => "elasticloadbalancing.amazonaws.com",
                _ => "cloudfront.amazonaws.com",
            };
            assert_eq!(
                call.event_source,
                expected_event_source,
                "{}",
                path.display()
            );
            // A forwarded record keeps its region in the envelope and the record alike.
            assert_eq!(
                envelope.region.as_deref(),
                Some(call.aws_region.as_str()),
                "{}",
                path.display()
            );
            assert_eq!(
                call.user_identity.account_id.as_deref(),
                Some(account),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn hostile_payloads_are_refused_cleanly() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "InvalidJson"),
        (b"{\"source\": \"aws.acm\", \"detail-type\"", "InvalidJson"),
        (b"\xff\xfe{}", "InvalidJson"),
        (b"[]", "NotAnObject"),
        (b"\"x\"", "NotAnObject"),
        (b"null", "NotAnObject"),
        (b"42", "NotAnObject"),
        (b"{}", "Unrecognised"),
        (b"{\"hello\": 1}", "Unrecognised"),
        (b"{\"action\": 1}", "WrongType"),
        (b"{\"action\": \"nuke\"}", "UnknownAction"),
        (b"{\"action\": \"audit\"}", "MissingField"),
        (
            b"{\"action\": \"audit\", \"distribution_ids\": \"E1\"}",
            "WrongType",
        ),
        (
            b"{\"action\": \"audit\", \"distribution_ids\": []}",
            "NoDistributionIds",
        ),
        (
            b"{\"action\": \"audit\", \"distribution_ids\": [5]}",
            "WrongType",
        ),
        (
            b"{\"action\": \"audit\", \"distribution_ids\": [\"../etc\"]}",
            "InvalidDistributionId",
        ),
        (b"{\"source\": 5, \"detail-type\": \"x\"}", "WrongType"),
        (
            b"{\"source\": \"aws.acm\", \"detail-type\": \"ACM Certificate Expired\", \"resources\": 5}",
            "WrongType",
        ),
        (
            b"{\"source\": \"aws.acm\", \"detail-type\": \"ACM Certificate Expired\", \"resources\": []}",
            "MissingField",
        ),
        (
            b"{\"source\": \"aws.acm\", \"detail-type\": \"ACM Certificate Expired\", \"resources\": [\"arn:aws:s3:::bucket\"]}",
            "InvalidCertificateArn",
        ),
        (
            b"{\"source\": \"aws.cloudfront\", \"detail-type\": \"AWS API Call via CloudTrail\"}",
            "MissingField",
        ),
        (
            b"{\"source\": \"aws.cloudfront\", \"detail-type\": \"AWS API Call via CloudTrail\", \"detail\": []}",
            "WrongType",
        ),
    ];
    for (payload, expected) in cases {
        let shown = String::from_utf8_lossy(payload);
        match parse_trigger_bytes(payload) {
            Err(error) => {
                let variant = format!("{error:?}");
                assert!(
                    variant.starts_with(expected),
                    "{shown}: expected {expected}, got {variant}"
                );
                assert!(!error.to_string().is_empty());
            }
            Ok(trigger) => panic!("{shown}: expected {expected}, got {trigger:?}"),
        }
    }
}

#[test]
fn unknown_sources_and_calls_are_ignored_not_errors() {
    let cases = [
        json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {}}),
        json!({"source": "aws.health", "detail-type": "AWS Health Event", "detail": {"service": "ACM"}}),
        json!({"source": "aws.acm", "detail-type": "ACM Certificate Rotated", "resources": [CERT]}),
        json!({"source": "aws.acm", "detail-type": "AWS API Call via CloudTrail", "detail": {}}),
        json!({"source": "custom.app", "detail-type": "Scheduled Event", "detail": {}}),
        json!({"source": "aws.cloudfront", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "cloudfront.amazonaws.com", "eventName": "CreateInvalidation"}}),
        json!({"source": "aws.cloudfront", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "cloudfront.amazonaws.com", "eventName": "DeleteDistribution",
                          "requestParameters": {"id": "EDFDVBD6EXAMPLE"}}}),
        json!({"source": "aws.cloudfront", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "iam.amazonaws.com", "eventName": "UpdateDistribution"}}),
        json!({"detail-type": "Scheduled Event"}),
        json!({"source": "aws.elasticloadbalancing", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "elasticloadbalancing.amazonaws.com", "eventName": "CreateLoadBalancer"}}),
        json!({"source": "aws.elasticloadbalancing", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "elasticloadbalancing.amazonaws.com", "eventName": "SetSecurityGroups"}}),
        json!({"source": "aws.elasticloadbalancing", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "cloudfront.amazonaws.com", "eventName": "ModifyListener"}}),
        json!({"source": "aws.elasticloadbalancing", "detail-type": "ELB Something Else", "detail": {}}),
        json!({"source": "aws.cloudfront", "detail-type": "AWS API Call via CloudTrail",
               "detail": {"eventSource": "cloudfront.amazonaws.com", "eventName": "DeleteVpcOrigin",
                          "requestParameters": {"id": "vo_ABC"}}}),
    ];
    for payload in cases {
        let trigger = parse_trigger(&payload).unwrap_or_else(|e| panic!("{payload}: {e}"));
        let Trigger::Ignore { reason, .. } = &trigger else {
            panic!("{payload}: expected Ignore, got {trigger:?}")
        };
        assert!(!reason.is_empty());
        // The log line names what was ignored.
        assert!(trigger.to_string().starts_with("ignored event (source "));
    }
}

/// The listener samples with what a reader cannot use: each is ignored with a reason naming the call
/// and what is wrong, never refused as malformed and never a panic.
#[test]
fn unusable_listener_records_are_ignored_with_a_reason() {
    let huge = format!("\u{1b}[31m{}\n", "A".repeat(200_000));
    for sample in [
        "cloudtrail-elb-modify-listener.json",
        "cloudtrail-elb-delete-listener.json",
        "cloudtrail-elb-add-listener-certificates.json",
        "cloudtrail-elb-remove-listener-certificates.json",
    ] {
        let original = load(sample);
        let call = original["detail"]["eventName"]
            .as_str()
            .expect("a call")
            .to_owned();
        let without_arn = |mut event: Value| {
            let request = event["detail"]["requestParameters"]
                .as_object_mut()
                .expect("requestParameters");
            request.remove("listenerArn");
            // The response's listener is the fallback: take it away too.
            event["detail"]["responseElements"] = Value::Null;
            event
        };
        let with_arn = |arn: Value| {
            let mut event = original.clone();
            event["detail"]["requestParameters"]["listenerArn"] = arn;
            event
        };
        let mut refused = original.clone();
        refused["detail"]["errorCode"] = json!("AccessDenied");
        refused["detail"]["errorMessage"] = json!("User is not authorized");
        let cases = [
            (
                without_arn(original.clone()),
                format!("CloudTrail {call} without detail.requestParameters.listenerArn"),
            ),
            (
                with_arn(json!(US_LOAD_BALANCER)),
                format!("CloudTrail {call}: detail.requestParameters.listenerArn is \"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/"),
            ),
            (
                with_arn(json!("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/gwy/g/1/2")),
                format!("CloudTrail {call}: detail.requestParameters.listenerArn is"),
            ),
            (
                with_arn(json!(["arn"])),
                format!("CloudTrail {call}: detail.requestParameters.listenerArn is an array"),
            ),
            (
                with_arn(json!(huge)),
                format!("CloudTrail {call}: detail.requestParameters.listenerArn is \"\\u{{1b}}[31mAAA"),
            ),
            (
                refused,
                format!("CloudTrail {call} was refused (\"AccessDenied\"): nothing changed"),
            ),
        ];
        for (event, expected) in cases {
            let trigger = parse_trigger(&event).unwrap_or_else(|e| panic!("{sample}: {e}"));
            let Trigger::Ignore { reason, source, .. } = &trigger else {
                panic!("{sample}: expected Ignore, got {trigger:?}")
            };
            assert!(reason.starts_with(&expected), "{sample}: {reason}");
            assert!(reason.len() < 700, "{sample}: {} bytes", reason.len());
            assert!(!reason.chars().any(char::is_control), "{reason:?}");
            assert_eq!(source.as_deref(), Some("aws.elasticloadbalancing"));
        }
    }
    // A created listener is named by the request's load balancer, else by the response's listener.
    let mut created = load("cloudtrail-elb-create-listener.json");
    let request = created["detail"]["requestParameters"]
        .as_object_mut()
        .expect("requestParameters");
    request.remove("loadBalancerArn");
    created["detail"]["responseElements"]["listeners"][0]
        .as_object_mut()
        .expect("a listener")
        .remove("loadBalancerArn");
    let Trigger::AuditOriginResource { resource, .. } = parse_trigger(&created).expect("parses")
    else {
        panic!("the listener ARN names the load balancer")
    };
    assert_eq!(
        resource,
        OriginResource::LoadBalancer(US_LOAD_BALANCER.into())
    );
    created["detail"]["responseElements"] = Value::Null;
    let Trigger::Ignore { reason, .. } = parse_trigger(&created).expect("parses") else {
        panic!("nothing names the load balancer")
    };
    assert!(
        reason.starts_with(
            "CloudTrail CreateListener without detail.requestParameters.loadBalancerArn"
        ),
        "{reason}"
    );
}

/// The VPC origin samples with what the reader cannot use, and the fallbacks it reads instead.
#[test]
fn vpc_origin_records_fall_back_or_are_ignored_with_a_reason() {
    let audited = |event: &Value| match parse_trigger(event).expect("parses") {
        Trigger::AuditOriginResource {
            resource: OriginResource::VpcOrigin(id),
            ..
        } => id,
        other => panic!("expected a VPC origin audit, got {other:?}"),
    };
    let ignored = |event: &Value| match parse_trigger(event).expect("parses") {
        Trigger::Ignore { reason, .. } => reason,
        other => panic!("expected an ignore, got {other:?}"),
    };

    // CreateVpcOrigin: the id, else the Location URL's last segment, else the ARN's.
    let mut created = load("cloudtrail-create-vpc-origin.json");
    created["detail"]["responseElements"]["vpcOrigin"]["id"] = Value::Null;
    assert_eq!(audited(&created), VPC_ORIGIN);
    created["detail"]["responseElements"]["location"] = json!("");
    assert_eq!(audited(&created), VPC_ORIGIN);
    created["detail"]["responseElements"]["vpcOrigin"]["arn"] = Value::Null;
    assert!(ignored(&created)
        .starts_with("CloudTrail CreateVpcOrigin without detail.responseElements.vpcOrigin.id"));

    // UpdateVpcOrigin: the request's id, else the response's.
    let mut updated = load("cloudtrail-update-vpc-origin.json");
    updated["detail"]["requestParameters"]["id"] = Value::Null;
    assert_eq!(audited(&updated), VPC_ORIGIN);
    updated["detail"]["requestParameters"]["id"] = json!("vo_X/../../distribution");
    assert!(ignored(&updated).contains("which does not name a VPC origin id"));

    let mut refused = load("cloudtrail-update-vpc-origin.json");
    refused["detail"]["errorCode"] = json!("PreconditionFailed");
    refused["detail"]["responseElements"] = Value::Null;
    assert!(ignored(&refused)
        .starts_with("CloudTrail UpdateVpcOrigin was refused (\"PreconditionFailed\")"));

    let mut deleted = load("cloudtrail-update-vpc-origin.json");
    deleted["detail"]["eventName"] = json!("DeleteVpcOrigin");
    assert!(ignored(&deleted).contains("nothing left to audit"));
}

#[test]
fn a_one_megabyte_payload_is_refused_unread_and_fast() {
    let mut payload = b"{\"action\":\"audit\",\"distribution_ids\":[".to_vec();
    while payload.len() < 1024 * 1024 {
        payload.extend_from_slice(b"\"EDFDVBD6EXAMPLE\",");
    }
    payload.extend_from_slice(b"\"E1\"]}");
    let started = Instant::now();
    let result = parse_trigger_bytes(&payload);
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(
        result.unwrap_err(),
        TriggerError::TooLarge {
            size: payload.len(),
            limit: MAX_EVENT_BYTES
        }
    );
    // The limit itself is accepted: EventBridge delivers events up to 256 KiB.
    let mut padded = serde_json::to_vec(&load("scheduled-event.json")).unwrap();
    padded.pop(); // the closing brace
    padded.extend_from_slice(b",\"pad\":\"");
    padded.resize(MAX_EVENT_BYTES - 2, b'a');
    padded.extend_from_slice(b"\"}");
    assert_eq!(padded.len(), MAX_EVENT_BYTES);
    assert!(matches!(
        parse_trigger_bytes(&padded),
        Ok(Trigger::Audit { .. })
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let depth = 50_000;
        let payload = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let payload = &payload.as_bytes()[..payload.len().min(MAX_EVENT_BYTES)];
        assert!(matches!(
            parse_trigger_bytes(payload),
            Err(TriggerError::InvalidJson { .. })
        ));
    }
    // Nesting inside a valid envelope, within serde_json's limit, is simply not read.
    let mut nested = json!(1);
    for _ in 0..100 {
        nested = json!({ "distributionConfig": nested });
    }
    let mut event = load("cloudtrail-update-distribution-rejected-invalid-viewer-certificate.json");
    event["detail"]["requestParameters"]["distributionConfig"] = nested;
    let trigger = parse_trigger(&event).unwrap();
    let Trigger::Audit {
        scope,
        cause: Cause::ApiCall {
            rejected: Some(rejection),
            ..
        },
    } = trigger
    else {
        panic!("{trigger:?}")
    };
    assert_eq!(scope, ids(&["EDFDVBD6EXAMPLE"]));
    assert!(rejection.config_unavailable.is_some());
}

#[test]
fn errors_echo_untrusted_text_shortened_and_escaped() {
    let hostile = format!("\u{1b}[31m{}\n", "A".repeat(500));
    let error = parse_trigger(&json!({"action": hostile})).unwrap_err();
    let message = error.to_string();
    assert!(!message.contains('\u{1b}'), "{message}");
    assert!(!message.contains('\n'), "{message}");
    assert!(message.len() < 300, "{message}");

    let error =
        parse_trigger(&json!({"action": "audit", "distribution_ids": [hostile]})).unwrap_err();
    assert!(!error.to_string().contains('\u{1b}'));

    let ignored = parse_trigger(&json!({"source": hostile, "detail-type": hostile})).unwrap();
    let line = ignored.to_string();
    assert!(!line.contains('\u{1b}') && !line.contains('\n'), "{line}");
    assert!(line.len() < 700, "{line}");
}

/// Every sample with each top-level key (and each key of `detail` and `requestParameters`) dropped,
/// nulled, or replaced by a value of another type: the parser returns, it never panics.
#[test]
fn mutated_samples_never_panic() {
    let replacements = [
        Value::Null,
        json!(5),
        json!("x"),
        json!("HIDDEN_DUE_TO_SECURITY_REASONS"),
        json!([]),
        json!({}),
        json!(true),
    ];
    let mut outcomes = BTreeSet::new();
    let mut runs = 0;
    for path in sample_files() {
        let original: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for pointer in ["", "/detail", "/detail/requestParameters"] {
            let Some(Value::Object(map)) = original.pointer(pointer) else {
                continue;
            };
            for key in map.keys() {
                let mut dropped = original.clone();
                if let Some(Value::Object(target)) = dropped.pointer_mut(pointer) {
                    target.remove(key);
                }
                outcomes.insert(outcome(&dropped));
                runs += 1;
                for replacement in &replacements {
                    let mut replaced = original.clone();
                    if let Some(Value::Object(target)) = replaced.pointer_mut(pointer) {
                        target.insert(key.clone(), replacement.clone());
                    }
                    outcomes.insert(outcome(&replaced));
                    runs += 1;
                }
            }
        }
        // The bytes path, truncated at every 97th byte.
        let bytes = std::fs::read(&path).unwrap();
        for cut in (0..bytes.len()).step_by(97) {
            let _ = parse_trigger_bytes(&bytes[..cut]);
            runs += 1;
        }
    }
    assert!(runs > 500, "only {runs} mutations");
    // The mutations reach every kind of outcome, so the loop is not trivially passing.
    for kind in ["ok", "ignore", "error"] {
        assert!(outcomes.contains(kind), "no mutation produced {kind}");
    }
}

fn outcome(payload: &Value) -> &'static str {
    match parse_trigger(payload) {
        Ok(Trigger::Ignore { .. }) => "ignore",
        Ok(trigger) => {
            // Whatever was accepted can be logged and serialised for the report.
            let _ = trigger.to_string();
            serde_json::to_string(&trigger).expect("a trigger serialises");
            "ok"
        }
        Err(error) => {
            let _ = error.to_string();
            "error"
        }
    }
}
