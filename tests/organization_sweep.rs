//! A whole AWS Organization swept end to end (issue 14): six emulated accounts (the hub, which is
//! the management account, and five members, one of which never got its member role), healthy and
//! broken distributions in some; the real Lambda binary in hub mode, driven through the Runtime API
//! by the test interpreter over `template.yaml`'s own state machine, every Task invoking it with
//! exactly the payload Step Functions sends; the digest read back from an SQS queue subscribed to
//! the topic, the account results and the report from the results bucket.
//!
//! The function reaches the emulator through the fault proxy, whose STS extras refuse an
//! AssumeRole of a role that does not exist or whose external id does not match (moto assumes
//! any); the first tests here check that refusal itself.

mod support;

use std::time::Duration;

use cloudfront_tls_audit::organization::{AccountResult, AccountStatus};
use serde_json::{json, Value};
use support::fault_proxy::{Fault, FaultProxy};
use support::organization::{
    member_role_arn, MemberSpec, Organization, MEMBER_EXTERNAL_ID, MEMBER_ROLE_NAME,
};
use support::runtime_api::{Outcome, RuntimeApi};
use support::seed::{import_acm, DistributionSpec};
use support::step_functions::{load_from_template, Interpreter, Store, TaskError};
use support::topic::{drain, topic_with_queue};
use support::{CertBuilder, Emulator};

const LIMIT: Duration = Duration::from_secs(120);
const BUCKET: &str = "cloudfront-tls-audit-results-123456789012";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cloudfront-tls-audit";
const EXECUTION: &str = "sweep-2026-12-07";

/// The members: `legacy` has no member role.
fn members() -> Vec<MemberSpec> {
    vec![
        MemberSpec::new("shop"),
        MemberSpec::new("media"),
        MemberSpec::without_role("legacy"),
        MemberSpec::new("sandbox"),
        MemberSpec::new("data"),
    ]
}

/// What was seeded: the organization and each account's broken distributions.
struct Seeded {
    organization: Organization,
    /// (account name, distribution id) of every distribution with a critical finding.
    broken: Vec<(String, String)>,
    /// (account name, distribution id) of every healthy distribution.
    healthy: Vec<(String, String)>,
}

/// The organization, with a healthy distribution in the hub, `shop` and `data`, one whose alias
/// the certificate does not cover (`viewer-alias-not-covered`, critical) in `shop` and `media`,
/// one in `legacy` (which the hub cannot read), none in `sandbox`.
async fn seed(emulator: &Emulator) -> Seeded {
    let organization = Organization::seed(emulator, &members()).await;
    let mut broken = Vec::new();
    let mut healthy = Vec::new();
    for account in organization.accounts() {
        let certificate = import_acm(
            &account.acm(),
            &CertBuilder::new(["www.example.com"])
                .expires_in_days(200)
                .build(),
        )
        .await;
        if ["management", "shop", "data"].contains(&account.name.as_str()) {
            let id = account
                .create_distribution(
                    &format!("{}-healthy", account.name),
                    &DistributionSpec::new().with_acm(&certificate, &["www.example.com"]),
                )
                .await;
            healthy.push((account.name.clone(), id));
        }
        if ["shop", "media", "legacy"].contains(&account.name.as_str()) {
            let id = account
                .create_distribution(
                    &format!("{}-uncovered", account.name),
                    &DistributionSpec::new()
                        .with_acm(&certificate, &["www.example.com", "api.example.com"]),
                )
                .await;
            broken.push((account.name.clone(), id));
        }
    }
    Seeded {
        organization,
        broken,
        healthy,
    }
}

/// The hub: the Lambda binary in organization mode, through the fault proxy, with its topic, queue
/// and results bucket.
struct Hub {
    api: RuntimeApi,
    _process: tokio::process::Child,
    queue_url: String,
}

impl Hub {
    async fn start(emulator: &Emulator, proxy: &FaultProxy) -> Hub {
        emulator
            .s3()
            .create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("CreateBucket");
        let (topic_arn, queue_url) = topic_with_queue(emulator).await;
        let api = RuntimeApi::start().await;
        let mut command = api.function_command(
            std::path::Path::new(env!("CARGO_BIN_EXE_cloudfront-tls-audit-lambda")),
            256,
        );
        command
            .env("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", proxy.endpoint_url())
            .env("TOPIC_ARN", &topic_arn)
            // The seeded origins are not on loopback: this test is about accounts and the digest.
            .env("PROBE", "false")
            .env("EDGE_CHECK", "false")
            .env("ORGANIZATION_MODE", "true")
            .env("MEMBER_ROLE_NAME", MEMBER_ROLE_NAME)
            .env("MEMBER_EXTERNAL_ID", MEMBER_EXTERNAL_ID)
            .env("RESULTS_BUCKET", BUCKET)
            // Two accounts per invocation: the batches carry several items.
            .env("ORGANIZATION_ACCOUNTS_PER_INVOCATION", "2");
        let process = command.spawn().expect("the Lambda binary starts");
        Hub {
            api,
            _process: process,
            queue_url,
        }
    }

    /// One invocation with `payload`: the function's answer, or Step Functions' view of its error
    /// (the `errorType` as the error name, the posted body as the cause).
    async fn invoke(api: &RuntimeApi, payload: &Value) -> Result<Value, TaskError> {
        let id = api.invoke(&payload.to_string(), Duration::from_secs(900));
        match api.outcome(&id, LIMIT).await {
            Outcome::Response(body) => serde_json::from_str(&body).map_err(|e| TaskError {
                error: "States.Runtime".to_owned(),
                cause: format!("the function's answer is not JSON ({e}): {body}"),
            }),
            Outcome::Error(body) => {
                let error = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| v["errorType"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "Lambda.Unknown".to_owned());
                Err(TaskError { error, cause: body })
            }
        }
    }
}

fn sample(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sets the value at each JSON pointer that exists in `event`.
fn with(mut event: Value, pointers: &[&str], value: &str) -> Value {
    for pointer in pointers {
        if let Some(slot) = event.pointer_mut(pointer) {
            *slot = Value::String(value.to_owned());
        }
    }
    event
}

/// The text of every envelope: subject and message.
fn texts(envelopes: &[Value]) -> Vec<String> {
    envelopes
        .iter()
        .map(|e| {
            format!(
                "{}\n{}",
                e["Subject"].as_str().unwrap_or_default(),
                e["Message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

async fn account_result(store: &Store, prefix: &str, account_id: &str) -> AccountResult {
    let value = store
        .get_json(BUCKET, &format!("{prefix}accounts/{account_id}.json"))
        .await;
    serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!("accounts/{account_id}.json is not an AccountResult ({e}): {value}")
    })
}

// ---- The emulator's STS, as AWS answers it ----

fn sts_through(proxy: &FaultProxy) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&proxy.sdk_config())
}

async fn assume(
    proxy: &FaultProxy,
    role_arn: &str,
    external_id: Option<&str>,
) -> Result<aws_sdk_sts::types::Credentials, (u16, String, String)> {
    sts_through(proxy)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("cloudfront-tls-audit")
        .set_external_id(external_id.map(str::to_owned))
        .send()
        .await
        .map(|o| o.credentials.expect("credentials"))
        .map_err(|e| {
            let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
            let service = e.into_service_error();
            (
                status,
                aws_sdk_sts::error::ProvideErrorMetadata::code(&service)
                    .unwrap_or_default()
                    .to_owned(),
                aws_sdk_sts::error::ProvideErrorMetadata::message(&service)
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
}

#[tokio::test]
async fn the_member_role_is_assumed_only_with_its_external_id_and_only_where_it_exists() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
    let organization = Organization::seed(&emulator, &members()).await;
    let shop = organization.account("shop");
    let legacy = organization.account("legacy");

    // The role, the right external id: credentials that act in the member account.
    let credentials = assume(&proxy, &shop.member_role_arn(), Some(MEMBER_EXTERNAL_ID))
        .await
        .expect("the member role is assumed");
    let config = proxy
        .sdk_config()
        .into_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_sdk_sts::config::Credentials::new(
                credentials.access_key_id,
                credentials.secret_access_key,
                Some(credentials.session_token),
                None,
                "test",
            ),
        ))
        .build();
    let identity = aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(identity.account(), Some(shop.account_id.as_str()));

    // A wrong external id, none, a role that does not exist: AccessDenied, 403, STS's message.
    for (role_arn, external_id) in [
        (shop.member_role_arn(), Some("not-the-external-id")),
        (shop.member_role_arn(), None),
        (legacy.member_role_arn(), Some(MEMBER_EXTERNAL_ID)),
        (member_role_arn("999999999999"), Some(MEMBER_EXTERNAL_ID)),
    ] {
        let (status, code, message) = assume(&proxy, &role_arn, external_id)
            .await
            .expect_err("refused");
        assert_eq!((status, code.as_str()), (403, "AccessDenied"), "{role_arn}");
        assert!(
            message.starts_with("User: arn:aws:")
                && message.ends_with(&format!(
                    "is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
                )),
            "{message}"
        );
    }
    assert_eq!(proxy.assume_role_requests(&shop.member_role_arn()), 3);
    assert_eq!(proxy.assume_role_requests(&legacy.member_role_arn()), 1);
}

// ---- The function, end to end ----

#[tokio::test]
async fn an_organization_is_swept_into_one_digest_that_lists_the_account_without_its_role() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
    let seeded = seed(&emulator).await;
    let organization = &seeded.organization;
    let hub = Hub::start(&emulator, &proxy).await;

    let definition = load_from_template(
        &std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml")),
        |name| match name {
            "AccountsPerInvocation" => Some("2".to_owned()),
            "MaxConcurrency" => Some("4".to_owned()),
            "ToleratedFailurePercentage" => Some("0".to_owned()),
            "ResultsBucket" | "ResultsBucketName" => Some(BUCKET.to_owned()),
            name if name.contains("Function") => Some(FUNCTION_ARN.to_owned()),
            _ => None,
        },
    )
    .unwrap_or_else(|e| panic!("the state machine definition: {e}"))
    .definition;
    let store = Store::S3(emulator.s3());
    let api = hub.api.clone();
    let mut interpreter = Interpreter::new(definition, store.clone(), move |_function, payload| {
        let api = api.clone();
        async move { Hub::invoke(&api, &payload).await }
    });
    let output = interpreter
        .start(EXECUTION, json!({}))
        .await
        .unwrap_or_else(|e| panic!("{e}\ntrace: {:#?}", interpreter.trace()));

    // The digest's answer, as the contract gives it.
    assert_eq!(output["status"], "published", "{output}");
    assert_eq!(output["accounts"], 6, "{output}");
    assert_eq!(output["failed_accounts"], 1, "{output}");
    let parts = output["parts"].as_u64().expect("parts");
    assert!(parts >= 1, "{output}");
    let prefix = format!("sweeps/{EXECUTION}/");
    assert_eq!(
        output["report"],
        format!("s3://{BUCKET}/{prefix}report.json"),
        "{output}"
    );
    assert!(!interpreter
        .trace()
        .iter()
        .any(|s| matches!(s, support::step_functions::Step::Caught { .. })));

    // Every account's result, in its account: the legacy account failed, its role named.
    for account in organization.accounts() {
        let result = account_result(&store, &prefix, &account.account_id).await;
        assert_eq!(result.account_id, account.account_id);
        let broken: Vec<&String> = seeded
            .broken
            .iter()
            .filter(|(name, _)| *name == account.name)
            .map(|(_, id)| id)
            .collect();
        if account.member_role {
            assert_ne!(result.status, AccountStatus::Failed, "{result:?}");
            let failing: Vec<&String> = result.failing.iter().map(|f| &f.distribution_id).collect();
            assert_eq!(failing, broken, "{}: {result:?}", account.name);
            let healthy = seeded
                .healthy
                .iter()
                .filter(|(n, _)| *n == account.name)
                .count();
            assert_eq!(
                result.summary.distributions,
                broken.len() + healthy,
                "{result:?}"
            );
        } else {
            assert_eq!(result.status, AccountStatus::Failed, "{result:?}");
            let problem = result.problem.clone().unwrap_or_default();
            assert!(problem.contains(MEMBER_ROLE_NAME), "{problem}");
            assert!(result.failing.is_empty());
        }
    }
    // Credentials cached per account: one AssumeRole per member for the whole sweep.
    for account in &organization.members {
        let requests = proxy.assume_role_requests(&account.member_role_arn());
        if account.member_role {
            assert_eq!(requests, 1, "{}", account.name);
        } else {
            assert!(requests >= 1, "the legacy account's role was never tried");
        }
    }

    // One digest: its parts, every account counted, the failing distributions by account, the
    // account without its role listed with the role named.
    let envelopes = drain(&emulator, &hub.queue_url).await;
    assert_eq!(envelopes.len() as u64, parts, "{envelopes:#?}");
    let texts = texts(&envelopes);
    let all = texts.join("\n");
    for account in organization.accounts() {
        assert!(
            all.contains(&account.account_id),
            "{} not in the digest:\n{all}",
            account.name
        );
    }
    for (name, id) in &seeded.broken {
        let account = organization.account(name);
        if !account.member_role {
            continue;
        }
        assert!(
            texts
                .iter()
                .any(|t| t.contains(id) && t.contains(&account.account_id)),
            "{id} is not listed under {name}:\n{all}"
        );
    }
    let legacy = organization.account("legacy");
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&legacy.account_id) && t.contains(MEMBER_ROLE_NAME)),
        "the account without its role is not listed with the role:\n{all}"
    );
    let legacy_broken = &seeded
        .broken
        .iter()
        .find(|(n, _)| n == "legacy")
        .expect("seeded")
        .1;
    assert!(
        !all.contains(legacy_broken.as_str()),
        "an unreadable account's distribution listed"
    );

    // The full report, linked from the digest.
    let report = store
        .get_json(BUCKET, &format!("{prefix}report.json"))
        .await;
    assert!(report.is_object(), "{report}");
    assert!(
        all.contains("report.json"),
        "the digest does not link the report:\n{all}"
    );
}

#[tokio::test]
async fn one_account_is_swept_on_request_and_an_event_is_audited_in_its_own_account() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
    let seeded = seed(&emulator).await;
    let organization = &seeded.organization;
    let hub = Hub::start(&emulator, &proxy).await;
    let store = Store::S3(emulator.s3());

    // sweep-account: one AccountResult, written to the bucket.
    let shop = organization.account("shop");
    let prefix = "sweeps/manual-1/";
    let answer = Hub::invoke(
        &hub.api,
        &json!({
            "action": "sweep-account",
            "account_id": shop.account_id,
            "name": shop.name,
            "execution": "manual-1",
            "bucket": BUCKET,
            "prefix": prefix,
        }),
    )
    .await
    .unwrap_or_else(|e| panic!("sweep-account failed: {e:?}"));
    let result: AccountResult = serde_json::from_value(answer.clone())
        .unwrap_or_else(|e| panic!("not an AccountResult ({e}): {answer}"));
    assert_eq!(result.account_id, shop.account_id);
    assert_eq!(result.status, AccountStatus::Audited, "{result:?}");
    let shop_broken = &seeded
        .broken
        .iter()
        .find(|(n, _)| n == "shop")
        .expect("seeded")
        .1;
    assert_eq!(result.failing.len(), 1, "{result:?}");
    assert_eq!(&result.failing[0].distribution_id, shop_broken);
    assert_eq!(
        account_result(&store, prefix, &shop.account_id).await,
        result
    );

    // A member's UpdateDistribution, forwarded to the hub's bus: audited in the member's account.
    let media = organization.account("media");
    let media_broken = &seeded
        .broken
        .iter()
        .find(|(n, _)| n == "media")
        .expect("seeded")
        .1;
    let event = with(
        with(
            sample("cloudtrail-update-distribution.json"),
            &[
                "/account",
                "/detail/recipientAccountId",
                "/detail/userIdentity/accountId",
            ],
            &media.account_id,
        ),
        &[
            "/detail/requestParameters/id",
            "/detail/responseElements/distribution/id",
        ],
        media_broken,
    );
    let before = proxy.assume_role_requests(&media.member_role_arn());
    let answer = Hub::invoke(&hub.api, &event)
        .await
        .unwrap_or_else(|e| panic!("the event failed: {e:?}"));
    assert_eq!(answer["status"], "audited", "{answer}");
    assert_eq!(answer["summary"]["critical"], 1, "{answer}");
    assert_eq!(
        proxy.assume_role_requests(&media.member_role_arn()),
        before + 1
    );
    let envelopes = drain(&emulator, &hub.queue_url).await;
    let all = texts(&envelopes).join("\n");
    assert!(all.contains(media_broken.as_str()), "{all}");
    assert!(all.contains("viewer-alias-not-covered"), "{all}");

    // The same event from the account without its role: audit-incomplete, never a silent skip.
    let legacy = organization.account("legacy");
    let legacy_broken = &seeded
        .broken
        .iter()
        .find(|(n, _)| n == "legacy")
        .expect("seeded")
        .1;
    let event = with(
        with(
            sample("cloudtrail-update-distribution.json"),
            &[
                "/account",
                "/detail/recipientAccountId",
                "/detail/userIdentity/accountId",
            ],
            &legacy.account_id,
        ),
        &[
            "/detail/requestParameters/id",
            "/detail/responseElements/distribution/id",
        ],
        legacy_broken,
    );
    let answer = Hub::invoke(&hub.api, &event)
        .await
        .unwrap_or_else(|e| panic!("the event failed: {e:?}"));
    let envelopes = drain(&emulator, &hub.queue_url).await;
    let all = texts(&envelopes).join("\n");
    assert!(
        all.contains("audit-incomplete") && all.contains(MEMBER_ROLE_NAME),
        "{answer}\n{all}"
    );
}

#[tokio::test]
async fn steps_of_a_run_that_cannot_be_trusted_fail_or_are_listed_never_taken_for_results() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(&emulator.endpoint_url()).await;
    let organization = Organization::seed(&emulator, &[MemberSpec::new("shop")]).await;
    let hub = Hub::start(&emulator, &proxy).await;
    let shop = organization.account("shop");
    let digest = |execution: &str, extra: Value| {
        let mut input = json!({"execution": execution, "bucket": BUCKET,
                               "prefix": format!("sweeps/{execution}/")});
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        json!({"action": "organization-digest", "input": input})
    };

    // No account list: the digest fails (BuildDigest's States.ALL retrier runs it again), saying
    // what is missing.
    let error = Hub::invoke(&hub.api, &digest("never-listed", json!({})))
        .await
        .expect_err("no account list");
    assert!(error.cause.contains("ListAccounts"), "{}", error.cause);
    // A stable errorType, which Step Functions' retriers and operators can match.
    assert_eq!(error.error, "CloudFrontTlsAudit.OrganizationStepFailed");

    // Another bucket than the function's: refused, naming both.
    let error = Hub::invoke(
        &hub.api,
        &json!({"action": "list-accounts", "execution": "e", "bucket": "someone-elses"}),
    )
    .await
    .expect_err("another bucket");
    assert!(
        error.cause.contains("someone-elses") && error.cause.contains(BUCKET),
        "{}",
        error.cause
    );

    // A result that is not one the function wrote, and an account with no result at all: listed.
    let listed = Hub::invoke(
        &hub.api,
        &json!({"action": "list-accounts", "execution": "tampered"}),
    )
    .await
    .expect("listed");
    assert_eq!(listed["accounts"], 2, "{listed}");
    let store = Store::S3(emulator.s3());
    let tampered = format!("sweeps/tampered/accounts/{}.json", shop.account_id);
    store
        .put(BUCKET, &tampered, b"{\"not\": \"a result\"}".to_vec())
        .await
        .expect("PutObject");
    let published = Hub::invoke(&hub.api, &digest("tampered", json!({})))
        .await
        .expect("the digest is built from what there is");
    assert_eq!(published["failed_accounts"], 2, "{published}");
    let report = store
        .get_json(BUCKET, "sweeps/tampered/report.json")
        .await
        .to_string();
    assert!(
        report.contains("UnreadableResult") && report.contains("NoResult"),
        "{report}"
    );

    // A result that S3 refuses to give back.
    Hub::invoke(
        &hub.api,
        &json!({"action": "list-accounts", "execution": "refused"}),
    )
    .await
    .expect("listed");
    let key = format!("sweeps/refused/accounts/{}.json", shop.account_id);
    store
        .put(BUCKET, &key, b"{}".to_vec())
        .await
        .expect("PutObject");
    proxy.inject(&format!("GET /{BUCKET}/{key}"), Fault::AccessDenied);
    // While Step Functions has retries left, the attempt fails (a short outage passes)...
    let mut first_attempt = digest("refused", json!({}));
    first_attempt["retry_count"] = json!(0);
    let error = Hub::invoke(&hub.api, &first_attempt)
        .await
        .expect_err("retries are left");
    assert_eq!(error.error, "CloudFrontTlsAudit.OrganizationStepFailed");
    assert!(
        error.cause.contains("1 of the run's account results")
            && error.cause.contains("AccessDenied"),
        "{}",
        error.cause
    );
    // ...and the last one lists the account with S3's answer: the digest still goes out.
    let mut last_attempt = digest("refused", json!({}));
    last_attempt["retry_count"] = json!(2);
    let published = Hub::invoke(&hub.api, &last_attempt)
        .await
        .expect("a refused result does not stop the digest");
    assert_eq!(published["failed_accounts"], 2, "{published}");
    assert!(proxy.seen(&format!("GET /{BUCKET}/{key}")) > 0);
    let report = store
        .get_json(BUCKET, "sweeps/refused/report.json")
        .await
        .to_string();
    assert!(
        report.contains("ResultNotRead") && report.contains("AccessDenied"),
        "{report}"
    );
}
