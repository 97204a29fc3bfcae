//! Property-based tests of the two readers of untrusted JSON: the trigger reader (the Lambda's raw
//! payload, `intake::parse_trigger_bytes` / `parse_trigger`) and the DistributionConfig reader
//! (`check-config`, a refused call's requestParameters: `parse_distribution_config` /
//! `distribution_from_value`).
//!
//! Whatever arrives, each reader gives its typed answer (a `Trigger` or a `TriggerError`; a proposed
//! `Distribution` or a `ConfigError`) and never panics; a refusal's message is short and carries no raw
//! control character (it is logged, and sent back to whoever invoked); and the rules run over every
//! configuration the reader accepts without panicking either.
//!
//! Inputs: arbitrary JSON values whose keys and strings lean towards the names the readers look for,
//! arbitrary bytes and cut texts, and the real samples (`events/*.json`, `tests/fixtures/configs/*.json`)
//! with random mutations (a value replaced, removed, nulled, turned into a string, a key re-cased or
//! doubled in another case). Every run uses the same seed ([`SEED`]) and the case counts stated at
//! each test, so a failure reproduces exactly; proptest shrinks it to a small input before reporting.

use std::path::Path;

use cloudfront_tls_audit::intake::{
    distribution_from_value, parse_distribution_config, parse_trigger, parse_trigger_bytes,
    ConfigError, Trigger, TriggerError,
};
use cloudfront_tls_audit::model::{DistributionOrigin, Snapshot};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value};

/// The one seed of every property here (ChaCha, 32 bytes).
const SEED: &[u8; 32] = b"cloudfront-tls-audit/intake/p6-1";

/// The longest refusal message accepted: every untrusted value in one is clipped (80 characters for
/// an echoed value, a few keys for an object), so a few hundred characters is the norm.
const MAX_ERROR_CHARS: usize = 2_048;

/// A runner with the fixed seed, `cases` cases, and no failure files written into the source tree.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, SEED))
}

/// Runs `test` over `strategy` with the fixed seed; a failure panics with proptest's shrunk input.
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    if let Err(failure) = runner(cases).run(&strategy, test) {
        panic!("{failure}");
    }
}

// ---- inputs ---------------------------------------------------------------------------------------

/// Keys the readers look for (envelopes, CloudTrail records, DistributionConfig fields), in both the
/// CLI's and CloudTrail's casing, and a few keys nobody looks for.
const KEYS: &[&str] = &[
    "source",
    "detail-type",
    "detail",
    "action",
    "Records",
    "eventSource",
    "body",
    "resources",
    "eventName",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "id",
    "distribution_ids",
    "loadBalancerArn",
    "listenerArn",
    "listeners",
    "vpcOrigin",
    "location",
    "arn",
    "distributionConfig",
    "distributionConfigWithTags",
    "DistributionConfig",
    "Distribution",
    "Id",
    "ETag",
    "Origins",
    "origins",
    "Items",
    "items",
    "Quantity",
    "quantity",
    "DomainName",
    "CustomOriginConfig",
    "S3OriginConfig",
    "VpcOriginConfig",
    "VpcOriginId",
    "OriginMtlsConfig",
    "ClientCertificateArn",
    "HTTPSPort",
    "hTTPSPort",
    "OriginProtocolPolicy",
    "OriginSslProtocols",
    "DefaultCacheBehavior",
    "CacheBehaviors",
    "TargetOriginId",
    "PathPattern",
    "ViewerProtocolPolicy",
    "FunctionAssociations",
    "LambdaFunctionAssociations",
    "FunctionARN",
    "LambdaFunctionARN",
    "EventType",
    "ViewerCertificate",
    "ACMCertificateArn",
    "aCMCertificateArn",
    "CloudFrontDefaultCertificate",
    "Aliases",
    "Enabled",
    "ViewerMtlsConfig",
    "Mode",
    "TrustStoreConfig",
    "TrustStoreId",
    "ConnectionMode",
    "TenantConfig",
    "ParameterDefinitions",
    "Name",
    "ConnectionFunctionAssociation",
    "OriginGroups",
    "Members",
    "OriginId",
    "CommonName",
    "DaysToExpiry",
    "attempt",
    "",
    "x",
    "\u{0}",
    "ÿ",
];

/// Strings the readers compare against, and strings that test their escaping and their limits.
const STRINGS: &[&str] = &[
    "aws.cloudfront",
    "AWS API Call via CloudTrail",
    "cloudfront.amazonaws.com",
    "aws.acm",
    "ACM Certificate Approaching Expiration",
    "ACM Certificate Expired",
    "aws.events",
    "aws.scheduler",
    "Scheduled Event",
    "aws:sqs",
    "sweep",
    "audit",
    "follow-up",
    "UpdateDistribution",
    "CreateDistribution",
    "CreateDistributionWithTags",
    "CopyDistribution",
    "AssociateAlias",
    "UpdateDomainAssociation",
    "DeleteDistribution",
    "CreateVpcOrigin",
    "UpdateVpcOrigin",
    "DeleteVpcOrigin",
    "aws.elasticloadbalancing",
    "elasticloadbalancing.amazonaws.com",
    "CreateListener",
    "ModifyListener",
    "DeleteListener",
    "AddListenerCertificates",
    "RemoveListenerCertificates",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/a/1/2",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/a/1",
    "arn:aws:cloudfront::123456789012:vpcorigin/vo_ABC",
    "vo_ABC",
    "InvalidViewerCertificate",
    "HIDDEN_DUE_TO_SECURITY_REASONS",
    "EDFDVBD6EXAMPLE",
    "E1",
    "https-only",
    "http-only",
    "match-viewer",
    "viewer-request",
    "origin-request",
    "tenant-only",
    "direct",
    "required",
    "true",
    "FALSE",
    "443",
    "-1",
    "99999999999",
    "",
    " ",
    "\u{1b}[31m",
    "\u{7}\u{0}\r\n",
    "\u{202e}evil",
    "{\"action\":\"sweep\"}",
    "arn:aws:acm:us-east-1:111122223333:certificate/x",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(STRINGS).prop_map(str::to_owned),
        2 => ".{0,24}",
        // Longer than every clip the readers apply.
        1 => "[a-z\u{1b}\u{0}\u{202e}]{100,3000}",
    ]
}

/// Any JSON value, at most 6 levels deep, leaning towards the names the readers look for.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a sample, at the node chosen by `at` (an index into the sample's nodes, modulo).
#[derive(Debug, Clone)]
enum Mutation {
    /// The node becomes another value.
    Replace(usize, Value),
    /// The node disappears from its object or array.
    Remove(usize),
    /// The node becomes null.
    Null(usize),
    /// The node becomes its own JSON text, as a string.
    Stringify(usize),
    /// The node's key is re-cased (upper case).
    Recase(usize),
    /// The node's key gains a twin in another case.
    DuplicateCase(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        3 => (at, json_value()).prop_map(|(at, v)| Mutation::Replace(at, v)),
        2 => at.prop_map(Mutation::Remove),
        1 => at.prop_map(Mutation::Null),
        1 => at.prop_map(Mutation::Stringify),
        1 => at.prop_map(Mutation::Recase),
        1 => at.prop_map(Mutation::DuplicateCase),
    ]
}

/// Every node of `value` as (parent pointer, key or index), the root excluded.
fn nodes(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (key, child) in children {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        out.push((pointer.to_owned(), key));
        nodes(child, &format!("{pointer}/{escaped}"), out);
    }
}

fn apply(value: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    nodes(value, "", &mut all);
    let at = match mutation {
        Mutation::Replace(at, _)
        | Mutation::Remove(at)
        | Mutation::Null(at)
        | Mutation::Stringify(at)
        | Mutation::Recase(at)
        | Mutation::DuplicateCase(at) => *at,
    };
    let Some((parent, key)) = all.get(at % all.len().max(1)).cloned() else {
        return;
    };
    let Some(parent) = value.pointer_mut(&parent) else {
        return;
    };
    match parent {
        Value::Object(map) => {
            let Some(old) = map.remove(&key) else { return };
            match mutation {
                Mutation::Replace(_, new) => {
                    map.insert(key, new.clone());
                }
                Mutation::Remove(_) => {}
                Mutation::Null(_) => {
                    map.insert(key, Value::Null);
                }
                Mutation::Stringify(_) => {
                    map.insert(key, Value::String(old.to_string()));
                }
                Mutation::Recase(_) => {
                    map.insert(key.to_uppercase(), old);
                }
                Mutation::DuplicateCase(_) => {
                    map.insert(key.to_lowercase(), old.clone());
                    map.insert(key, old);
                }
            }
        }
        Value::Array(items) => {
            let Some(index) = key.parse::<usize>().ok().filter(|i| *i < items.len()) else {
                return;
            };
            match mutation {
                Mutation::Replace(_, new) => items[index] = new.clone(),
                Mutation::Remove(_) => {
                    items.remove(index);
                }
                Mutation::Null(_) => items[index] = Value::Null,
                Mutation::Stringify(_) => items[index] = Value::String(items[index].to_string()),
                // Array items have no key: re-casing does nothing there.
                Mutation::Recase(_) | Mutation::DuplicateCase(_) => {}
            }
        }
        _ => {}
    }
}

fn read_json_files(directory: &str) -> Vec<(String, Value)> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join(directory);
    let mut samples: Vec<(String, Value)> = std::fs::read_dir(&directory)
        .unwrap_or_else(|e| panic!("{}: {e}", directory.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), value)
        })
        .collect();
    samples.sort_by(|a, b| a.0.cmp(&b.0));
    samples
}

/// Every event sample (`events/*.json`).
fn event_samples() -> Vec<(String, Value)> {
    let samples = read_json_files("events");
    assert!(samples.len() >= 15, "the events/ samples are found");
    samples
}

/// Every DistributionConfig sample: the config fixtures and each CloudTrail sample's requestParameters.
fn config_samples() -> Vec<(String, Value)> {
    let mut samples = read_json_files("tests/fixtures/configs");
    for (name, event) in event_samples() {
        if let Some(parameters) = event.pointer("/detail/requestParameters") {
            if parameters.get("distributionConfig").is_some()
                || parameters.get("distributionConfigWithTags").is_some()
            {
                samples.push((format!("{name} requestParameters"), parameters.clone()));
            }
        }
    }
    assert!(samples.len() >= 6, "the config samples are found");
    samples
}

/// A sample (by index, modulo) with up to `max` mutations.
fn mutated(samples: Vec<(String, Value)>, max: usize) -> impl Strategy<Value = (String, Value)> {
    (any::<usize>(), prop::collection::vec(mutation(), 1..=max)).prop_map(
        move |(pick, mutations)| {
            let (name, mut value) = samples[pick % samples.len()].clone();
            for mutation in &mutations {
                apply(&mut value, mutation);
            }
            (name, value)
        },
    )
}

// ---- what every answer must satisfy ---------------------------------------------------------------

fn refusal_is_readable(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty refusal");
    prop_assert!(
        message.chars().count() <= MAX_ERROR_CHARS,
        "a refusal of {} characters: {message:.300}",
        message.chars().count()
    );
    prop_assert!(
        !message.chars().any(char::is_control),
        "a raw control character in {message:?}"
    );
    Ok(())
}

fn trigger_is_typed(answer: Result<Trigger, TriggerError>) -> Result<(), TestCaseError> {
    match answer {
        Ok(Trigger::Ignore { reason, .. }) => refusal_is_readable(&reason),
        Ok(Trigger::CheckRejected { distribution, .. }) => {
            prop_assert_eq!(distribution.origin, DistributionOrigin::Proposed);
            rules_run(*distribution);
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(error) => refusal_is_readable(&error.to_string()),
    }
}

fn config_is_typed(
    answer: Result<cloudfront_tls_audit::model::Distribution, ConfigError>,
) -> Result<(), TestCaseError> {
    match answer {
        Ok(distribution) => {
            prop_assert_eq!(distribution.origin, DistributionOrigin::Proposed);
            rules_run(distribution);
            Ok(())
        }
        Err(error) => refusal_is_readable(&error.to_string()),
    }
}

/// Whatever the reader accepted, the rules judge it without panicking.
fn rules_run(distribution: cloudfront_tls_audit::model::Distribution) {
    let snapshot = Snapshot {
        distributions: vec![distribution],
        ..Snapshot::default()
    };
    let _ = cloudfront_tls_audit::rules::evaluate(&snapshot, time::OffsetDateTime::UNIX_EPOCH);
}

// ---- the trigger reader ---------------------------------------------------------------------------

/// 3,000 arbitrary JSON values, as values and as the bytes the Lambda receives.
#[test]
fn any_json_payload_gives_a_trigger_or_a_typed_refusal() {
    check(3_000, json_value(), |value| {
        trigger_is_typed(parse_trigger(&value))?;
        trigger_is_typed(parse_trigger_bytes(value.to_string().as_bytes()))
    });
}

/// 4,000 samples of `events/` with 1 to 4 mutations each.
#[test]
fn mutated_event_samples_give_a_trigger_or_a_typed_refusal() {
    check(4_000, mutated(event_samples(), 4), |(_, event)| {
        trigger_is_typed(parse_trigger(&event))
    });
}

/// 2,000 arbitrary byte strings, and 2,000 samples cut at a random byte or with one byte changed.
#[test]
fn any_bytes_give_a_trigger_or_a_typed_refusal() {
    check(2_000, prop::collection::vec(any::<u8>(), 0..512), |bytes| {
        trigger_is_typed(parse_trigger_bytes(&bytes))
    });
    let texts: Vec<Vec<u8>> = event_samples()
        .into_iter()
        .map(|(_, value)| value.to_string().into_bytes())
        .collect();
    let damaged = (any::<usize>(), any::<usize>(), any::<u8>(), any::<bool>()).prop_map(
        move |(pick, at, byte, cut)| {
            let mut text = texts[pick % texts.len()].clone();
            let at = at % text.len().max(1);
            if cut {
                text.truncate(at);
            } else if let Some(slot) = text.get_mut(at) {
                *slot = byte;
            }
            text
        },
    );
    check(2_000, damaged, |bytes| {
        trigger_is_typed(parse_trigger_bytes(&bytes))
    });
}

// ---- the DistributionConfig reader ----------------------------------------------------------------

/// 3,000 arbitrary JSON values, as values and as the text `check-config` reads.
#[test]
fn any_json_document_gives_a_distribution_or_a_typed_error() {
    check(3_000, json_value(), |value| {
        config_is_typed(distribution_from_value(&value, "property"))?;
        config_is_typed(parse_distribution_config(&value.to_string(), "property"))
    });
}

/// 4,000 config samples with 1 to 4 mutations each, as values and as text.
#[test]
fn mutated_config_samples_give_a_distribution_or_a_typed_error() {
    check(4_000, mutated(config_samples(), 4), |(_, config)| {
        config_is_typed(distribution_from_value(&config, "property"))?;
        config_is_typed(parse_distribution_config(&config.to_string(), "property"))
    });
}

/// 2,000 config samples cut at a random byte or with one byte changed.
#[test]
fn damaged_config_texts_give_a_distribution_or_a_typed_error() {
    let texts: Vec<String> = config_samples()
        .into_iter()
        .map(|(_, value)| serde_json::to_string_pretty(&value).unwrap_or_default())
        .collect();
    let damaged = (any::<usize>(), any::<usize>(), any::<u8>(), any::<bool>()).prop_map(
        move |(pick, at, byte, cut)| {
            let mut bytes = texts[pick % texts.len()].clone().into_bytes();
            let at = at % bytes.len().max(1);
            if cut {
                bytes.truncate(at);
            } else if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
            // check-config reads text: bytes that are not UTF-8 are refused before the reader.
            String::from_utf8_lossy(&bytes).into_owned()
        },
    );
    check(2_000, damaged, |text| {
        config_is_typed(parse_distribution_config(&text, "property"))
    });
}

/// The unmutated samples all read: the mutations above start from valid inputs.
#[test]
fn every_sample_reads_before_it_is_mutated() {
    for (name, event) in event_samples() {
        assert!(parse_trigger(&event).is_ok(), "{name}");
    }
    for (name, config) in config_samples() {
        if let Err(error) = distribution_from_value(&config, "sample") {
            panic!("{name}: {error}");
        }
    }
}

// ---- the largest inputs each reader accepts, in bounded time ------------------------------------

/// Far above what these take (milliseconds); only a pathological slowdown (quadratic work on hostile
/// input) could reach it, on any machine.
const GENEROUS: std::time::Duration = std::time::Duration::from_secs(10);

/// A DistributionConfig of about `bytes` bytes: one path behaviour after another, each with its own
/// Lambda@Edge function on origin-request (so each is a distinct `audit-not-covered` finding), plus
/// one VPC origin.
fn config_of_about(bytes: usize) -> (Value, usize) {
    let mut behaviors = Vec::new();
    let mut size = 0;
    while size < bytes {
        let behavior = serde_json::json!({
            "PathPattern": format!("/p{}/*", behaviors.len()),
            "TargetOriginId": "app",
            "ViewerProtocolPolicy": "https-only",
            "LambdaFunctionAssociations": {"Quantity": 1, "Items": [{
                "LambdaFunctionARN": format!(
                    "arn:aws:lambda:us-east-1:111122223333:function:f{}:1",
                    behaviors.len()
                ),
                "EventType": "origin-request"
            }]}
        });
        size += behavior.to_string().len() + 1;
        behaviors.push(behavior);
    }
    let count = behaviors.len();
    let config = serde_json::json!({
        "ViewerCertificate": {"CloudFrontDefaultCertificate": true},
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "app", "DomainName": "origin.example.com",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}},
            {"Id": "vpc", "DomainName": "internal.example", "VpcOriginConfig": {"VpcOriginId": "vo_1"}}
        ]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "https-only"},
        "CacheBehaviors": {"Quantity": count, "Items": behaviors}
    });
    (config, count)
}

fn not_covered_count(distribution: cloudfront_tls_audit::model::Distribution) -> usize {
    let snapshot = Snapshot {
        distributions: vec![distribution],
        ..Snapshot::default()
    };
    cloudfront_tls_audit::rules::evaluate(&snapshot, time::OffsetDateTime::UNIX_EPOCH)
        .iter()
        .filter(|f| f.code.as_str() == "audit-not-covered")
        .count()
}

/// check-config's limit is 1 MiB: a config just under it (thousands of behaviours, each with its own
/// function) is read and judged, one finding per function and one for the VPC origin, well inside
/// [`GENEROUS`]; one byte over is refused unread.
#[test]
fn the_largest_config_is_read_and_judged_in_bounded_time() {
    let (config, functions) = config_of_about(1024 * 1024 - 4 * 1024);
    let text = config.to_string();
    assert!(text.len() <= 1024 * 1024, "{} bytes", text.len());
    let started = std::time::Instant::now();
    let distribution =
        parse_distribution_config(&text, "largest").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(not_covered_count(distribution), functions + 1);
    assert!(started.elapsed() < GENEROUS, "{:?}", started.elapsed());

    // Trailing spaces: still valid JSON, so only the size can refuse it.
    let over = text.clone() + &" ".repeat(1024 * 1024 + 1 - text.len());
    assert!(matches!(
        parse_distribution_config(&over, "over"),
        Err(ConfigError::TooLarge { .. })
    ));
}

/// The Lambda's limit is EventBridge's 256 KiB: a refused UpdateDistribution whose attempted config
/// fills it is read, its config checked as a proposal with one finding per function, well inside
/// [`GENEROUS`]; a byte over is refused unread.
#[test]
fn the_largest_event_is_read_and_judged_in_bounded_time() {
    let (config, functions) = config_of_about(256 * 1024 - 8 * 1024);
    let event = serde_json::json!({
        "source": "aws.cloudfront",
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {
            "eventSource": "cloudfront.amazonaws.com",
            "eventName": "UpdateDistribution",
            "errorCode": "InvalidArgument",
            "errorMessage": "refused",
            "requestParameters": {"id": "EDFDVBD6EXAMPLE", "distributionConfig": config}
        }
    })
    .to_string();
    assert!(event.len() <= 256 * 1024, "{} bytes", event.len());
    let started = std::time::Instant::now();
    let trigger = parse_trigger_bytes(event.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let Trigger::CheckRejected { distribution, .. } = trigger else {
        panic!("a refused call with its configuration: {trigger:?}")
    };
    assert_eq!(not_covered_count(*distribution), functions + 1);
    assert!(started.elapsed() < GENEROUS, "{:?}", started.elapsed());

    let over = event.clone() + &" ".repeat(256 * 1024 + 1 - event.len());
    assert!(matches!(
        parse_trigger_bytes(over.as_bytes()),
        Err(TriggerError::TooLarge { .. })
    ));
}
