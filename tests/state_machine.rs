//! The organization sweep's state machine (issue 14) run offline by the test interpreter
//! (`tests/support/step_functions.rs`): every Task's payload is checked against the contract of
//! `docs/plans/issue-14-organizations.md` and answered with the contract's output shapes (canned),
//! so that a path that does not line up (a state reading what the previous one does not return)
//! fails here, naming the state and the path, before any deployment.
//!
//! Every test reads `template.yaml`'s own `AWS::StepFunctions::StateMachine`.

mod support;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cloudfront_tls_audit::organization::{Account, AccountResult, AccountStatus};
use cloudfront_tls_audit::report::Summary;
use serde_json::{json, Value};
use support::step_functions::{load_from_template, Failure, Interpreter, Step, Store, TaskError};

const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cloudfront-tls-audit";
const BUCKET: &str = "cloudfront-tls-audit-results-123456789012";
const EXECUTION: &str = "sweep-2026-12-07";
const ACCOUNTS: [(&str, &str); 6] = [
    ("123456789012", "management"),
    ("210987654321", "shop"),
    ("333344445555", "media"),
    ("444455556666", "legacy"),
    ("555566667777", "sandbox"),
    ("666677778888", "data"),
];

fn template() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
}

/// The sweep's settings, as the stack's parameters would give them.
#[derive(Clone, Copy)]
struct Settings {
    accounts_per_invocation: usize,
    max_concurrency: usize,
    tolerated_failure_percentage: usize,
}

const DEFAULTS: Settings = Settings {
    accounts_per_invocation: 1,
    max_concurrency: 10,
    tolerated_failure_percentage: 0,
};

/// The values of the `DefinitionSubstitutions` the plan names; the function's ARN and the bucket
/// under whatever name the template gives them.
fn substitution(settings: Settings) -> impl Fn(&str) -> Option<String> {
    move |name| match name {
        "AccountsPerInvocation" => Some(settings.accounts_per_invocation.to_string()),
        "MaxConcurrency" => Some(settings.max_concurrency.to_string()),
        "ToleratedFailurePercentage" => Some(settings.tolerated_failure_percentage.to_string()),
        "ResultsBucket" | "ResultsBucketName" => Some(BUCKET.to_owned()),
        name if name.contains("Function") => Some(FUNCTION_ARN.to_owned()),
        _ => None,
    }
}

fn definition(path: &Path, settings: Settings) -> Value {
    load_from_template(path, substitution(settings))
        .unwrap_or_else(|e| panic!("the state machine definition: {e}"))
        .definition
}

/// The canned function's answer, to come.
type Answer = std::pin::Pin<Box<dyn Future<Output = Result<Value, TaskError>>>>;

/// What the canned function saw, in order.
#[derive(Default)]
struct Seen {
    payloads: Vec<Value>,
    /// Account ids swept, one entry per attempt.
    attempts: Vec<String>,
}

/// An account's canned result: healthy, or one failing distribution.
fn account_result(account_id: &str, name: &str) -> AccountResult {
    AccountResult {
        account_id: account_id.to_owned(),
        account_name: name.to_owned(),
        status: AccountStatus::Audited,
        summary: Summary {
            distributions: 2,
            ..Summary::default()
        },
        failing: Vec::new(),
        more_failing: 0,
        problem: None,
        report_key: Some(format!(
            "sweeps/{EXECUTION}/accounts/{account_id}.report.json"
        )),
    }
}

/// A function that checks every payload against the contract and answers with the contract's
/// shapes; `failing` names an account whose every sweep attempt fails with `error`.
fn canned(
    settings: Settings,
    store: Store,
    seen: Arc<Mutex<Seen>>,
    failing: Option<(&'static str, &'static str)>,
) -> impl FnMut(&str, Value) -> Answer {
    move |function: &str, payload: Value| {
        assert_eq!(
            function, FUNCTION_ARN,
            "every Task invokes the stack's function"
        );
        let store = store.clone();
        let seen = seen.clone();
        Box::pin(async move {
            seen.lock().expect("seen").payloads.push(payload.clone());
            let prefix = format!("sweeps/{EXECUTION}/");
            match payload["action"].as_str() {
                Some("list-accounts") => {
                    assert_eq!(
                        payload,
                        json!({"action": "list-accounts", "execution": EXECUTION}),
                        "ListAccounts' payload"
                    );
                    let accounts: Vec<Account> = ACCOUNTS
                        .iter()
                        .map(|(id, name)| Account {
                            account_id: (*id).to_owned(),
                            name: (*name).to_owned(),
                        })
                        .collect();
                    let key = format!("{prefix}accounts.json");
                    store
                        .put(BUCKET, &key, serde_json::to_vec(&accounts).expect("JSON"))
                        .await
                        .expect("accounts.json");
                    Ok(json!({
                        "execution": EXECUTION,
                        "bucket": BUCKET,
                        "prefix": prefix,
                        "accounts_key": key,
                        "accounts": accounts.len(),
                        // Numbers: the Map reads them through its *Path fields.
                        "max_concurrency": settings.max_concurrency,
                        "tolerated_failure_percentage": settings.tolerated_failure_percentage,
                        "accounts_per_invocation": settings.accounts_per_invocation,
                    }))
                }
                Some("organization-digest") => {
                    let keys: Vec<&String> = payload.as_object().expect("object").keys().collect();
                    assert_eq!(
                        keys,
                        ["action", "input", "retry_count"],
                        "BuildDigest's payload: {payload}"
                    );
                    assert!(
                        payload["retry_count"].is_u64(),
                        "RetryCount is a number: {payload}"
                    );
                    check_digest_input(&store, &payload["input"]).await;
                    let failed = usize::from(payload["input"].get("map_error").is_some());
                    Ok(json!({
                        "status": "published",
                        "accounts": ACCOUNTS.len(),
                        "failed_accounts": failed,
                        "parts": 1,
                        "report": format!("s3://{BUCKET}/{prefix}report.json"),
                    }))
                }
                Some(other) => {
                    panic!("a payload with action {other:?} at the top level: {payload}")
                }
                None => {
                    // A Map child: exactly {"Items": [...], "BatchInput": {...}}.
                    let keys: Vec<&String> = payload.as_object().expect("object").keys().collect();
                    assert_eq!(keys, ["Items", "BatchInput"], "the batch's keys: {payload}");
                    assert_eq!(
                        payload["BatchInput"],
                        json!({"action": "sweep-accounts", "execution": EXECUTION, "bucket": BUCKET, "prefix": prefix}),
                        "the batch input"
                    );
                    let items: Vec<Account> = serde_json::from_value(payload["Items"].clone())
                        .expect("Items are accounts");
                    for item in payload["Items"].as_array().expect("Items") {
                        let keys: Vec<&String> = item.as_object().expect("item").keys().collect();
                        assert_eq!(keys, ["account_id", "name"], "an item: {item}");
                    }
                    let mut results = Vec::new();
                    for item in &items {
                        seen.lock()
                            .expect("seen")
                            .attempts
                            .push(item.account_id.clone());
                        if let Some((account, error)) = failing {
                            if item.account_id == account {
                                return Err(TaskError {
                                    error: error.to_owned(),
                                    cause: format!(
                                        "{{\"errorMessage\":\"{error} for {account}\"}}"
                                    ),
                                });
                            }
                        }
                        let result = account_result(&item.account_id, &item.name);
                        store
                            .put(
                                BUCKET,
                                &format!("{prefix}accounts/{}.json", item.account_id),
                                serde_json::to_vec(&result).expect("JSON"),
                            )
                            .await
                            .expect("account result");
                        results.push(result);
                    }
                    Ok(json!({ "accounts": results }))
                }
            }
        })
    }
}

/// BuildDigest's `input` is the whole state: what ListAccounts returned, and the Map's `results`
/// (a manifest the function can read, whose result files hold account results) or `map_error`.
async fn check_digest_input(store: &Store, input: &Value) {
    for key in ["execution", "bucket", "prefix", "accounts_key", "accounts"] {
        assert!(
            input.get(key).is_some(),
            "BuildDigest's input has no {key}: {input}"
        );
    }
    match (input.get("results"), input.get("map_error")) {
        (Some(results), None) => {
            let details = &results["ResultWriterDetails"];
            assert!(
                results["MapRunArn"].as_str().is_some_and(
                    |arn| arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:")
                ),
                "MapRunArn: {results}"
            );
            assert_eq!(details["Bucket"], BUCKET, "the results bucket: {results}");
            let key = details["Key"].as_str().expect("ResultWriterDetails.Key");
            assert!(
                key.starts_with("map-runs/") && key.ends_with("/manifest.json"),
                "{key}"
            );
            let manifest = store.get_json(BUCKET, key).await;
            assert_eq!(manifest["DestinationBucket"], BUCKET);
            assert_eq!(manifest["MapRunArn"], results["MapRunArn"]);
            for file in manifest["ResultFiles"]["SUCCEEDED"]
                .as_array()
                .expect("SUCCEEDED")
            {
                let entries = store
                    .get_json(BUCKET, file["Key"].as_str().expect("Key"))
                    .await;
                for entry in entries.as_array().expect("a JSON array") {
                    assert_eq!(entry["Status"], "SUCCEEDED");
                    let output: Value =
                        serde_json::from_str(entry["Output"].as_str().expect("Output is a string"))
                            .expect("Output is JSON");
                    let _: Vec<AccountResult> = serde_json::from_value(output["accounts"].clone())
                        .expect("a child's output is {\"accounts\": [AccountResult]}");
                    let _: Value = serde_json::from_str(entry["Input"].as_str().expect("Input"))
                        .expect("Input is JSON");
                }
            }
        }
        (None, Some(error)) => {
            assert!(
                error["Error"].is_string() && error["Cause"].is_string(),
                "{error}"
            );
        }
        other => {
            panic!("BuildDigest's input has neither results nor map_error, or both: {other:?}")
        }
    }
}

/// Runs the definition at `path` with the canned function, objects in memory; the output, the
/// run's trace and what the function saw.
async fn run(
    path: &Path,
    settings: Settings,
    failing: Option<(&'static str, &'static str)>,
) -> (Result<Value, Failure>, Vec<Step>, Seen, Store) {
    run_with(Store::memory(), path, settings, failing).await
}

/// The same with objects in `store`.
async fn run_with(
    store: Store,
    path: &Path,
    settings: Settings,
    failing: Option<(&'static str, &'static str)>,
) -> (Result<Value, Failure>, Vec<Step>, Seen, Store) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut interpreter = Interpreter::new(
        definition(path, settings),
        store.clone(),
        canned(settings, store.clone(), seen.clone(), failing),
    );
    let output = interpreter.start(EXECUTION, json!({})).await;
    let trace = interpreter.trace().to_vec();
    drop(interpreter);
    let seen = Arc::try_unwrap(seen)
        .ok()
        .expect("the interpreter is gone")
        .into_inner()
        .expect("seen");
    (output, trace, seen, store)
}

fn entered(trace: &[Step]) -> Vec<&str> {
    trace
        .iter()
        .filter_map(|step| match step {
            Step::Entered { state, .. } => Some(state.as_str()),
            _ => None,
        })
        .collect()
}

fn digest_payload(seen: &Seen) -> &Value {
    seen.payloads
        .iter()
        .find(|p| p["action"] == "organization-digest")
        .expect("BuildDigest ran")
}

/// Every state's paths line up: ListAccounts → one child per account (items of one) → BuildDigest
/// with the manifest; the execution's output is the digest's answer.
async fn every_path_lines_up(path: &Path) {
    every_path_lines_up_in(Store::memory(), path).await;
}

async fn every_path_lines_up_in(store: Store, path: &Path) {
    let (output, trace, seen, _) = run_with(store, path, DEFAULTS, None).await;
    let output = output.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output["status"], "published",
        "the execution's output: {output}"
    );
    assert_eq!(output["accounts"], ACCOUNTS.len());
    let batches = seen
        .payloads
        .iter()
        .filter(|p| p.get("Items").is_some())
        .count();
    assert_eq!(
        batches,
        ACCOUNTS.len(),
        "one account per invocation by default"
    );
    assert_eq!(seen.payloads.len(), ACCOUNTS.len() + 2);
    assert!(digest_payload(&seen)["input"].get("results").is_some());
    let map_run = trace
        .iter()
        .find_map(|step| match step {
            Step::MapRun {
                items,
                children,
                failed_items,
                max_concurrency,
                ..
            } => Some((*items, *children, *failed_items, *max_concurrency)),
            _ => None,
        })
        .expect("a map run");
    assert_eq!(map_run, (ACCOUNTS.len(), ACCOUNTS.len(), 0, 10));
}

#[tokio::test]
async fn the_templates_state_machine_paths_line_up_with_the_function() {
    every_path_lines_up(&template()).await;
}

/// The item reader and the result writer through the real S3 SDK against the emulator: the
/// manifest and result files land in its bucket and read back as the function would read them.
#[tokio::test]
async fn the_state_machine_reads_and_writes_the_emulators_s3() {
    let emulator = support::Emulator::start();
    let s3 = emulator.s3();
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
    every_path_lines_up_in(Store::S3(s3.clone()), &template()).await;
    let keys: Vec<String> = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix("map-runs/")
        .send()
        .await
        .expect("ListObjectsV2")
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter().any(|k| k.ends_with("/manifest.json")),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.ends_with("/SUCCEEDED_0.json")),
        "{keys:?}"
    );
}

/// Batches of 4: two children, the second of 2, each with the batch input.
async fn accounts_are_batched(path: &Path) {
    let settings = Settings {
        accounts_per_invocation: 4,
        ..DEFAULTS
    };
    let (output, _, seen, _) = run(path, settings, None).await;
    output.unwrap_or_else(|e| panic!("{e}"));
    let sizes: Vec<usize> = seen
        .payloads
        .iter()
        .filter_map(|p| p["Items"].as_array().map(Vec::len))
        .collect();
    assert_eq!(sizes, [4, 2]);
}

#[tokio::test]
async fn the_templates_batches_carry_several_accounts_and_the_batch_input() {
    accounts_are_batched(&template()).await;
}

/// One account throttled on every attempt: its item is retried with backoff (5, 10, 20, 40, 80,
/// 160 s, jitter FULL) and fails; with no failure tolerated the Map fails, and its Catch still
/// reaches BuildDigest, with `map_error` and without `results`.
async fn a_failing_item_still_gets_its_digest(path: &Path) {
    let (output, trace, seen, store) = run(
        path,
        DEFAULTS,
        Some(("444455556666", "Lambda.TooManyRequestsException")),
    )
    .await;
    let output = output.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output["status"], "published");
    let retries: Vec<(f64, &str)> = trace
        .iter()
        .filter_map(|step| match step {
            Step::Retried {
                error,
                delay_seconds,
                jitter,
                ..
            } => {
                assert_eq!(error, "Lambda.TooManyRequestsException");
                Some((*delay_seconds, jitter.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        [
            (5.0, "FULL"),
            (10.0, "FULL"),
            (20.0, "FULL"),
            (40.0, "FULL"),
            (80.0, "FULL"),
            (160.0, "FULL")
        ]
    );
    let legacy_attempts = seen
        .attempts
        .iter()
        .filter(|a| *a == "444455556666")
        .count();
    assert_eq!(legacy_attempts, 7, "the first attempt and 6 retries");
    let input = &digest_payload(&seen)["input"];
    assert_eq!(
        input["map_error"]["Error"], "States.ExceedToleratedFailureThreshold",
        "{input}"
    );
    assert!(input.get("results").is_none(), "{input}");
    assert!(entered(&trace).ends_with(&["BuildDigest"]));
    // The map run's results were written all the same: the failed item with its error and cause.
    let manifest_key = trace
        .iter()
        .find_map(|step| match step {
            Step::MapRun { manifest_key, .. } => manifest_key.clone(),
            _ => None,
        })
        .expect("a manifest");
    let manifest = store.get_json(BUCKET, &manifest_key).await;
    let failed_key = manifest["ResultFiles"]["FAILED"][0]["Key"]
        .as_str()
        .expect("a FAILED file");
    let failed = store.get_json(BUCKET, failed_key).await;
    assert_eq!(failed[0]["Error"], "Lambda.TooManyRequestsException");
    assert_eq!(failed[0]["Status"], "FAILED");
    assert!(failed[0]["Input"]
        .as_str()
        .expect("Input")
        .contains("444455556666"));
}

#[tokio::test]
async fn the_templates_catch_reaches_the_digest_when_an_item_fails_every_retry() {
    a_failing_item_still_gets_its_digest(&template()).await;
}

/// With 20 % tolerated, one failed account of six (16.7 %) leaves the Map succeeding: BuildDigest
/// gets `results`, whose manifest lists the FAILED file with the error (a function error: two
/// attempts through the `States.ALL` retrier).
async fn tolerated_failures_keep_the_results(path: &Path) {
    let settings = Settings {
        tolerated_failure_percentage: 20,
        ..DEFAULTS
    };
    let (output, _, seen, store) = run(path, settings, Some(("555566667777", "Error"))).await;
    output.unwrap_or_else(|e| panic!("{e}"));
    let attempts = seen
        .attempts
        .iter()
        .filter(|a| *a == "555566667777")
        .count();
    assert_eq!(
        attempts, 3,
        "the first attempt and the States.ALL retrier's 2"
    );
    let input = &digest_payload(&seen)["input"];
    assert!(input.get("map_error").is_none(), "{input}");
    let key = input["results"]["ResultWriterDetails"]["Key"]
        .as_str()
        .expect("Key");
    let manifest = store.get_json(BUCKET, key).await;
    let files = &manifest["ResultFiles"];
    assert_eq!(
        files["FAILED"].as_array().map(Vec::len),
        Some(1),
        "{manifest}"
    );
    assert_eq!(
        files["SUCCEEDED"].as_array().map(Vec::len),
        Some(1),
        "{manifest}"
    );
    assert_eq!(files["PENDING"], json!([]));
    let succeeded = store
        .get_json(BUCKET, files["SUCCEEDED"][0]["Key"].as_str().expect("Key"))
        .await;
    assert_eq!(succeeded.as_array().map(Vec::len), Some(5));

    // The same failure over a 10 % threshold fails the Map, and the digest still comes.
    let settings = Settings {
        tolerated_failure_percentage: 10,
        ..DEFAULTS
    };
    let (output, _, seen, _) = run(path, settings, Some(("555566667777", "Error"))).await;
    output.unwrap_or_else(|e| panic!("{e}"));
    assert!(digest_payload(&seen)["input"].get("map_error").is_some());
}

#[tokio::test]
async fn the_templates_tolerated_failure_percentage_keeps_the_results() {
    tolerated_failures_keep_the_results(&template()).await;
}

/// The interpreter's own check: a path the input lacks is `States.Runtime`, naming the state and
/// the path, never caught by `States.ALL`.
#[tokio::test]
async fn a_path_that_does_not_line_up_names_the_state_and_the_path() {
    let mut definition = definition(&template(), DEFAULTS);
    definition["States"]["SweepAccounts"]["ItemReader"]["Parameters"]["Key.$"] =
        json!("$.accounts_file");
    let store = Store::memory();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut interpreter = Interpreter::new(
        definition,
        store.clone(),
        canned(DEFAULTS, store, seen, None),
    );
    let failure = interpreter
        .start(EXECUTION, json!({}))
        .await
        .expect_err("a path that does not exist");
    match &failure {
        Failure::Runtime { state, message } => {
            assert_eq!(state, "SweepAccounts");
            assert!(message.contains("$.accounts_file"), "{message}");
        }
        other => panic!("not States.Runtime: {other}"),
    }
    assert!(!interpreter.entered().contains(&"BuildDigest".to_owned()));
}

/// The loader fails, saying what is missing, when a template has no state machine.
#[test]
fn a_template_without_a_state_machine_is_an_error_not_a_skip() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n").expect("write");
    let error = load_from_template(&path, substitution(DEFAULTS)).expect_err("no state machine");
    assert!(
        error.contains("no AWS::StepFunctions::StateMachine resource"),
        "{error}"
    );
}

/// The function's own error on ListAccounts or BuildDigest (Organizations, S3 or SNS refusing for a
/// moment) is retried after 30 s, so the execution
/// still publishes its digest.
#[tokio::test]
async fn the_templates_list_and_digest_steps_retry_the_functions_own_errors() {
    const FUNCTION_ERROR: &str = "CloudFrontTlsAudit.OrganizationStepFailed";
    let store = Store::memory();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut canned = canned(DEFAULTS, store.clone(), seen.clone(), None);
    let mut refused = std::collections::BTreeSet::new();
    let digest_retry_counts = Arc::new(Mutex::new(Vec::new()));
    let counts = digest_retry_counts.clone();
    let function = move |function: &str, payload: Value| -> Answer {
        let action = payload["action"].as_str().unwrap_or_default().to_owned();
        if action == "organization-digest" {
            counts
                .lock()
                .expect("counts")
                .push(payload["retry_count"].clone());
        }
        if !action.is_empty() && refused.insert(action.clone()) {
            return Box::pin(async move {
                Err(TaskError {
                    error: FUNCTION_ERROR.to_owned(),
                    cause: format!("{{\"errorMessage\":\"{action}: refused for a moment\"}}"),
                })
            });
        }
        canned(function, payload)
    };
    let mut interpreter =
        Interpreter::new(definition(&template(), DEFAULTS), store.clone(), function);
    let output = interpreter.start(EXECUTION, json!({})).await;
    let output = output.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output["status"], "published", "{output}");
    let retried: Vec<(&str, &str, f64)> = interpreter
        .trace()
        .iter()
        .filter_map(|step| match step {
            Step::Retried {
                state,
                error,
                delay_seconds,
                ..
            } => Some((state.as_str(), error.as_str(), *delay_seconds)),
            _ => None,
        })
        .collect();
    assert_eq!(
        retried,
        [
            ("ListAccounts", FUNCTION_ERROR, 30.0),
            ("BuildDigest", FUNCTION_ERROR, 30.0)
        ]
    );
    // The function learns whether a retry is left from the state's RetryCount.
    assert_eq!(
        *digest_retry_counts.lock().expect("counts"),
        [json!(0), json!(1)]
    );
}
