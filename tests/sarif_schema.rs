//! `--format sarif` against the SARIF 2.1.0 JSON schema shipped in tests/fixtures/sarif/ (OASIS,
//! errata 01), checked by a maintained validator (Python `jsonschema`, pinned in
//! requirements-dev.txt, in the project's `.venv`): findings with and without locations, every
//! severity, hostile text; the binary's own output too. A document the schema rejects is caught, so
//! a passing validation means something.

mod support;

use std::path::PathBuf;
use std::process::Command;

use cloudfront_tls_audit::catalogue::{
    ALIAS_NOT_COVERED, DEPRECATED_PROTOCOLS, HTTP_ALLOWED, INCOMPLETE_OTHER, UNRESOLVED_VALUE,
};
use cloudfront_tls_audit::finding::{Finding, Location, Severity};
use cloudfront_tls_audit::report::{render_github, render_sarif, Report};
use cloudfront_tls_audit::untrusted::is_forbidden;
use serde_json::Value;

/// The validator: `Draft4Validator` (the schema's own draft), the schema itself checked first;
/// prints each error with its path, exits 1 when there is one.
const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft4Validator
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft4Validator.check_schema(schema)
validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
document = json.load(open(sys.argv[2], encoding="utf-8"))
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors[:20]:
    print("/".join(str(p) for p in error.absolute_path), ":", error.message[:300])
sys.exit(1 if errors else 0)
"#;

fn python() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        path.exists(),
        "{} not found: run `make venv` (or `make test`) first",
        path.display()
    );
    path
}

/// The validator's verdict on `document`: `Ok` or its error lines.
fn validate(document: &str) -> Result<(), String> {
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sarif/sarif-schema-2.1.0.json"
    );
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::io::Write::write_all(&mut file, document.as_bytes()).expect("written");
    let output = Command::new(python())
        .args(["-c", VALIDATE, schema])
        .arg(file.path())
        .output()
        .expect("python runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Hostile text: terminal escapes, a forged line, bidi overrides, invisible marks, NUL, C1.
const HOSTILE: &str =
    "api.example.com\u{1b}[31m\r\n::error::forged\u{202e}moc.live\u{200b}\u{0}\u{9b}2J";

fn at(file: &str, line: Option<u32>, column: Option<u32>, resource: &str) -> Option<Location> {
    Some(Location {
        file: file.into(),
        line,
        column,
        resource: Some(resource.into()),
    })
}

/// One finding of every severity, placed on a line, in a plan without lines, and nowhere; hostile
/// text in subjects, evidence (and so messages), a file name and a resource; a 200,000-character
/// subject.
fn report() -> Report {
    let huge = "x".repeat(200_000);
    let mut critical = Finding::builder(&ALIAS_NOT_COVERED)
        .distribution("Distribution")
        .subject(HOSTILE)
        .evidence("alias", HOSTILE)
        .evidence(
            "certificate",
            "arn:aws:acm:us-east-1:111122223333:certificate/1",
        )
        .evidence("certificate_names", vec!["example.com"])
        .build();
    critical.location = at("templates/site.yaml", Some(42), Some(9), "Distribution");
    let high = Finding::builder(&INCOMPLETE_OTHER)
        .subject("certificate lookup")
        .evidence("reason", huge.clone())
        .build();
    let mut medium = Finding::builder(&HTTP_ALLOWED)
        .distribution("module.cdn.aws_cloudfront_distribution.site")
        .subject(huge.clone())
        .evidence("behavior", "default")
        .build();
    medium.location = at(
        "plan.json",
        None,
        None,
        "module.cdn.aws_cloudfront_distribution.site",
    );
    let mut low = Finding::builder(&DEPRECATED_PROTOCOLS)
        .distribution("Distribution")
        .subject("origin legacy")
        .evidence("origin_id", "legacy")
        .evidence("origin_domain", "legacy.example.com")
        .evidence("deprecated", vec!["TLSv1", "TLSv1.1"])
        .build();
    low.location = at(
        "templates/evil\u{202e}lmay.yaml",
        Some(77),
        Some(13),
        &format!("Distribution{HOSTILE}"),
    );
    let mut info = Finding::builder(&UNRESOLVED_VALUE)
        .distribution("Distribution")
        .subject("ViewerCertificate.AcmCertificateArn")
        .evidence("property", "ViewerCertificate.AcmCertificateArn")
        .evidence("resource", "Distribution")
        .evidence(
            "reason",
            "`!ImportValue SharedCertArn`: another stack's output",
        )
        .evidence("unchecked", "whether the certificate covers the aliases")
        .build();
    info.location = at("templates/site.yaml", Some(40), Some(7), "Distribution");
    Report::new(vec![info, low, medium, high, critical], 2, vec![])
}

#[test]
fn sarif_of_every_severity_with_and_without_locations_and_hostile_text_is_valid_sarif_2_1_0() {
    let sarif = render_sarif(&report(), Some("templates/site.yaml"));
    validate(&sarif).unwrap_or_else(|errors| panic!("{errors}\n{sarif}"));
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "error", "warning", "note", "note"]);
    assert!(
        results
            .iter()
            .all(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string()),
        "every result is placed, as code scanning requires"
    );
    assert!(
        !sarif.chars().any(|c| is_forbidden(c) && c != '\n'),
        "no forbidden character reaches the document raw"
    );
    assert!(sarif.contains("\\\\u{202e}"), "what was there is visible");
    assert!(
        sarif.len() < 200_000,
        "huge strings are cut: {}",
        sarif.len()
    );
}

#[test]
fn an_empty_report_and_one_without_any_file_are_valid_too() {
    let empty = Report::new(vec![], 0, vec![]);
    validate(&render_sarif(&empty, None)).unwrap();
    let unplaced = Report::new(
        vec![Finding::builder(&INCOMPLETE_OTHER).subject("run").build()],
        0,
        vec![],
    );
    validate(&render_sarif(&unplaced, None)).unwrap();
}

#[test]
fn a_document_the_schema_rejects_is_caught() {
    let mut log: Value =
        serde_json::from_str(&render_sarif(&report(), Some("templates/site.yaml"))).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::from(Severity::Critical.as_str());
    let errors = validate(&log.to_string()).expect_err("`critical` is no SARIF level");
    assert!(errors.contains("level"), "{errors}");
}

#[test]
fn github_annotations_carry_no_forbidden_character_and_one_line_per_finding() {
    let out = render_github(&report());
    assert!(!out.chars().any(|c| is_forbidden(c) && c != '\n'));
    let commands: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 5, "{out}");
    assert!(commands[0].starts_with(
        "::error file=templates/site.yaml,line=42,col=9,title=viewer-alias-not-covered::"
    ));
    assert!(commands[4].starts_with("::notice file=templates/site.yaml,line=40,col=7,"));
}

#[test]
fn the_binary_writes_valid_sarif_and_still_exits_1_on_findings() {
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/configs/default-cert-with-aliases.json"
    );
    let output = support::cli::command(None)
        .args(["check-config", config, "--no-probe", "--format", "sarif"])
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let sarif = String::from_utf8_lossy(&output.stdout);
    validate(&sarif).unwrap_or_else(|errors| panic!("{errors}\n{sarif}"));
    assert!(sarif.contains("\"ruleId\": \"viewer-default-cert-with-aliases\""));
}
