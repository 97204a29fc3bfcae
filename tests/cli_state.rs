//! Findings with a memory through the CLI, against the local AWS emulator: `audit --state`,
//! `--fail-on new`, `suppress add|list|remove`, `--suppressions FILE` and expiry. Configuration
//! rules only (`--no-probe`): the seeded origins are not on loopback.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::cli::json;
use support::seed::{
    create_distribution, distribution_config, import_healthy_acm, BehaviorSpec, DistributionSpec,
};
use support::Emulator;

fn cli(emulator: &Emulator, args: &[&str]) -> Output {
    let mut command = support::cli::command(Some(emulator));
    command.env("USER", "ci-bot").args(args);
    if args.first() == Some(&"audit") {
        command.arg("--no-probe");
    }
    command.output().expect("the CLI runs")
}

fn audit(emulator: &Emulator, state: &Path, extra: &[&str]) -> (Output, Value) {
    let state = state.to_str().expect("utf-8 path");
    let mut args = vec!["audit", "--format", "json", "--state", state];
    args.extend_from_slice(extra);
    let output = cli(emulator, &args);
    let report = json(&output);
    (output, report)
}

/// `(status, subject)` of every finding of `code`, sorted.
fn statuses(report: &Value, code: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["status"].as_str().unwrap_or("?").to_owned(),
                f["subject"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn allow_all(path: &str) -> BehaviorSpec {
    BehaviorSpec {
        path_pattern: path.into(),
        viewer_protocol_policy: "allow-all".into(),
        ..BehaviorSpec::default()
    }
}

fn pair(status: &str, subject: &str) -> (String, String) {
    (status.to_owned(), subject.to_owned())
}

/// Replaces a distribution's configuration through the SDK, as a person would.
async fn update(emulator: &Emulator, id: &str, caller_reference: &str, spec: &DistributionSpec) {
    let cloudfront = emulator.cloudfront();
    let current = cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .expect("GetDistributionConfig");
    cloudfront
        .update_distribution()
        .id(id)
        .if_match(current.e_tag().unwrap_or_default())
        .distribution_config(distribution_config(caller_reference, spec))
        .send()
        .await
        .expect("UpdateDistribution");
}

#[tokio::test]
async fn the_state_tells_new_open_and_resolved_gates_on_new_and_holds_suppressions() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let arn = import_healthy_acm(&emulator.acm()).await;
    let mut spec = DistributionSpec::new().with_acm(&arn, &["www.example.com"]);
    spec.behaviors = vec![allow_all("/img/*"), allow_all("/old/*")];
    let id = create_distribution(&emulator.cloudfront(), "state-one", &spec).await;

    // First run: no state file yet; everything is new, and the file is created.
    let (first, report) = audit(&emulator, &state, &[]);
    assert_eq!(first.status.code(), Some(1), "{first:?}");
    assert!(state.exists(), "created when absent");
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [
            pair("new", "cache behaviour /img/*"),
            pair("new", "cache behaviour /old/*")
        ]
    );
    let finding = &report["findings"][0];
    let fingerprint = finding["fingerprint"].as_str().expect("fingerprint");
    assert!(
        fingerprint.starts_with(&format!("cfta1/123456789012/{id}/")),
        "the account from STS GetCallerIdentity: {fingerprint}"
    );
    assert!(finding["first_seen"].is_string());
    assert_eq!(report["resolved"], serde_json::json!([]));
    assert_eq!(report["summary"]["new"], 2);
    assert_eq!(report["summary"]["open"], 0);

    // One fixed, one introduced.
    spec.behaviors = vec![allow_all("/old/*"), allow_all("/api/*")];
    update(&emulator, &id, "state-one", &spec).await;
    let (second, report) = audit(&emulator, &state, &[]);
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [
            pair("new", "cache behaviour /api/*"),
            pair("open", "cache behaviour /old/*")
        ]
    );
    let resolved = report["resolved"].as_array().expect("resolved");
    assert_eq!(resolved.len(), 1, "{resolved:#?}");
    assert_eq!(resolved[0]["code"], "viewer-http-allowed");
    assert_eq!(resolved[0]["subject"], "cache behaviour /img/*");
    assert_eq!(resolved[0]["distribution_id"], id.as_str());
    assert!(resolved[0]["first_seen"].is_string() && resolved[0]["resolved_at"].is_string());
    assert_eq!(
        (
            &report["summary"]["new"],
            &report["summary"]["open"],
            &report["summary"]["resolved"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(1))
    );

    // Nothing changed: the gate on new findings passes, the default gate still fails.
    let (third, report) = audit(&emulator, &state, &["--fail-on", "new"]);
    assert_eq!(third.status.code(), Some(0), "{third:?}");
    assert_eq!(report["summary"]["new"], 0);
    assert_eq!(report["resolved"], serde_json::json!([]));
    let (any, _) = audit(&emulator, &state, &[]);
    assert_eq!(any.status.code(), Some(1));

    // Something new fails it.
    spec.behaviors.push(allow_all("/new/*"));
    update(&emulator, &id, "state-one", &spec).await;
    let (fourth, report) = audit(&emulator, &state, &["--fail-on", "new"]);
    assert_eq!(fourth.status.code(), Some(1), "{fourth:?}");
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [
            pair("new", "cache behaviour /new/*"),
            pair("open", "cache behaviour /api/*"),
            pair("open", "cache behaviour /old/*")
        ]
    );

    // Suppress the three: reported as suppressed, never dropped, and the gate passes.
    let state_arg = state.to_str().expect("utf-8 path");
    let added = cli(
        &emulator,
        &[
            "suppress",
            "add",
            "--state",
            state_arg,
            "--code",
            "viewer-http-allowed",
            "--distribution",
            &id,
            "--subject",
            "cache behaviour /*",
            "--reason",
            "legacy clients until the migration",
            "--days",
            "30",
        ],
    );
    assert_eq!(added.status.code(), Some(0), "{added:?}");
    let said = String::from_utf8_lossy(&added.stdout);
    assert!(said.contains("by ci-bot"), "{said}");
    let (fifth, report) = audit(&emulator, &state, &[]);
    assert_eq!(
        fifth.status.code(),
        Some(0),
        "suppressed findings never fail the gate: {fifth:?}"
    );
    assert_eq!(
        statuses(&report, "viewer-http-allowed")
            .into_iter()
            .map(|(status, _)| status)
            .collect::<Vec<_>>(),
        ["suppressed"; 3]
    );
    assert_eq!(report["summary"]["suppressed"], 3);
    assert!(report["findings"][0]["suppression"]
        .as_str()
        .is_some_and(|s| s.starts_with("s-")));

    // Forty days on, the suppression has expired: its findings are new again, with a note.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(40))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time formats");
    let (sixth, report) = audit(&emulator, &state, &["--as-of", &later, "--fail-on", "new"]);
    assert_eq!(sixth.status.code(), Some(1), "{sixth:?}");
    assert_eq!(
        statuses(&report, "viewer-http-allowed")
            .into_iter()
            .map(|(status, _)| status)
            .collect::<Vec<_>>(),
        ["new"; 3]
    );
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("expired") && n.contains("3 finding(s) reported again as new")),
        "{notes:#?}"
    );

    // list shows it expired; remove takes it away.
    let listed = cli(
        &emulator,
        &["suppress", "list", "--state", state_arg, "--format", "json"],
    );
    assert_eq!(listed.status.code(), Some(0), "{listed:?}");
    let listed = json(&listed);
    let entry = &listed["suppressions"][0];
    assert_eq!(entry["created_by"], "ci-bot");
    assert_eq!(entry["expired"], false, "not yet, by the clock");
    let suppression_id = entry["id"].as_str().expect("id").to_owned();
    let removed = cli(
        &emulator,
        &["suppress", "remove", "--state", state_arg, &suppression_id],
    );
    assert_eq!(removed.status.code(), Some(0), "{removed:?}");
    let again = cli(
        &emulator,
        &["suppress", "remove", "--state", state_arg, &suppression_id],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("suppress list"));
}

#[tokio::test]
async fn a_checked_in_suppressions_file_applies_without_a_state_and_is_validated() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut spec = DistributionSpec::new();
    spec.behaviors = vec![allow_all("/img/*")];
    create_distribution(&emulator.cloudfront(), "file-one", &spec).await;
    let now = time::OffsetDateTime::now_utc();
    let stamp = |at: time::OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .expect("a time formats")
    };
    let file = dir.path().join("suppressions.json");
    std::fs::write(
        &file,
        serde_json::json!({"suppressions": [
            {"code": "viewer-http-allowed", "subject": "cache behaviour /img/*",
             "reason": "images are public", "created_by": "security@example.com",
             "created_at": stamp(now - time::Duration::days(1)),
             "expires_at": stamp(now + time::Duration::days(60))},
            {"code": "viewer-cert-expired", "reason": "a stale entry",
             "created_at": stamp(now - time::Duration::days(1)),
             "expires_at": stamp(now + time::Duration::days(60))}
        ]})
        .to_string(),
    )
    .expect("file written");
    let file_arg = file.to_str().expect("utf-8 path");
    let output = cli(
        &emulator,
        &[
            "audit",
            "--format",
            "json",
            "--suppressions",
            file_arg,
            "--account",
            "111122223333",
        ],
    );
    let report = json(&output);
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [pair("suppressed", "cache behaviour /img/*")]
    );
    assert!(report["findings"][0]["fingerprint"]
        .as_str()
        .is_some_and(|f| f.starts_with("cfta1/111122223333/")));
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("matched no finding"),
        "the stale entry is reported: {notes}"
    );

    // An entry longer than a year is refused before anything is audited.
    std::fs::write(
        &file,
        serde_json::json!({"suppressions": [
            {"code": "viewer-http-allowed", "reason": "forever",
             "created_at": stamp(now), "expires_at": stamp(now + time::Duration::days(400))}
        ]})
        .to_string(),
    )
    .expect("file written");
    let refused = cli(&emulator, &["audit", "--suppressions", file_arg]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("entry 1") && stderr.contains("365 days"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_after_a_whole_report() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    std::fs::write(&state, "{ not json").expect("file written");
    let mut spec = DistributionSpec::new();
    spec.behaviors = vec![allow_all("/img/*")];
    create_distribution(&emulator.cloudfront(), "corrupt-one", &spec).await;
    let (output, report) = audit(&emulator, &state, &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [pair("new", "cache behaviour /img/*")],
        "every finding still reported, as new"
    );
    assert!(report["notes"].to_string().contains("state unavailable"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("restore it from version control"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&state).expect("still there"),
        "{ not json",
        "never overwritten"
    );
}

#[tokio::test]
async fn suppress_add_refuses_what_it_cannot_keep() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path");
    for (args, says) in [
        (
            vec!["--code", "no-such-code", "--reason", "r", "--days", "5"],
            "not a finding code",
        ),
        (
            vec!["--code", "viewer-http-allowed", "--reason", "r"],
            "needs an expiry",
        ),
        (
            vec![
                "--code",
                "viewer-http-allowed",
                "--reason",
                " ",
                "--days",
                "5",
            ],
            "a reason is required",
        ),
        (
            vec![
                "--code",
                "viewer-http-allowed",
                "--reason",
                "r",
                "--expires",
                "2099-01-01",
            ],
            "more than 365 days",
        ),
    ] {
        let mut all = vec!["suppress", "add", "--state", state_arg];
        all.extend(args);
        let output = cli(&emulator, &all);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    let without = cli(&emulator, &["suppress", "list"]);
    assert_eq!(without.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&without.stderr).contains("--state PATH"));
    assert!(!state.exists(), "nothing written by a refused suppression");
}

/// `--state-table`: the CLI shares the Lambda's DynamoDB table; a suppression added there applies to
/// the next audit, and a second audit finds the first one's findings open.
#[tokio::test]
async fn the_lambdas_state_table_is_a_store_for_audit_and_suppress() {
    let emulator = Emulator::start();
    support::state_table::create_state_table(&emulator.dynamodb(), "tls-state").await;
    let arn = import_healthy_acm(&emulator.acm()).await;
    let mut spec = DistributionSpec::new().with_acm(&arn, &["www.example.com"]);
    spec.behaviors = vec![allow_all("/img/*")];
    let id = create_distribution(&emulator.cloudfront(), "table-one", &spec).await;
    let table_audit = |emulator: &Emulator| {
        let output = cli(
            emulator,
            &["audit", "--format", "json", "--state-table", "tls-state"],
        );
        let report = json(&output);
        (output, report)
    };

    let (first, report) = table_audit(&emulator);
    assert_eq!(first.status.code(), Some(1), "{first:?}");
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [pair("new", "cache behaviour /img/*")]
    );
    let (_, report) = table_audit(&emulator);
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [pair("open", "cache behaviour /img/*")],
        "remembered in the table: {report:#}"
    );

    let added = cli(
        &emulator,
        &[
            "suppress",
            "add",
            "--state-table",
            "tls-state",
            "--code",
            "viewer-http-allowed",
            "--distribution",
            &id,
            "--reason",
            "legacy images, tracked in OPS-1",
            "--days",
            "30",
        ],
    );
    assert_eq!(added.status.code(), Some(0), "{added:?}");
    let listed = cli(
        &emulator,
        &["suppress", "list", "--state-table", "tls-state"],
    );
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("legacy images"),
        "{listed:?}"
    );
    let (suppressed, report) = table_audit(&emulator);
    assert_eq!(
        statuses(&report, "viewer-http-allowed"),
        [pair("suppressed", "cache behaviour /img/*")],
        "{report:#}"
    );
    assert_eq!(
        suppressed.status.code(),
        Some(0),
        "a suppressed finding fails no gate"
    );

    // One store at a time.
    let both = cli(
        &emulator,
        &[
            "suppress",
            "list",
            "--state",
            "s.json",
            "--state-table",
            "tls-state",
        ],
    );
    assert_eq!(both.status.code(), Some(2), "{both:?}");
}
