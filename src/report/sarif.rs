//! SARIF 2.1.0 for code scanning (`--format sarif`): one run, the catalogue as the tool's rules, one
//! result per finding, placed on the line of the template that wrote the offending property.
//!
//! What GitHub code scanning reads, and why each field is the way it is (docs/gate.md, "outputs",
//! has the whole mapping):
//!
//! - `tool.driver.rules`: every code, in catalogue order, so a result's `ruleIndex` is its code's
//!   place in [`Code::ALL`] and the rules of two runs line up. The rule's `security-severity` and
//!   `defaultConfiguration.level` come from its worst severity: GitHub reads the alert's severity
//!   from the rule only, and a result's own severity is in its `level`.
//! - Info codes carry no `security` tag and no `security-severity`: GitHub would rank them "low"
//!   security alerts, and an unresolved value is a note, not a vulnerability.
//! - Every result has a physical location: GitHub refuses the whole upload when one result has none
//!   ("expected at least one location"). A finding without a place of its own (an
//!   `audit-incomplete` about the run) is placed at the start of the input file; with no file at
//!   all (`audit`, `probe`), results have no location: valid SARIF, for other consumers, and not
//!   for code scanning, which is for `check-config`.
//! - `partialFingerprints` hashes the code, the resource and the subject (the state's fingerprint
//!   of the finding, [`Fingerprint::of`]), never the line: moving the property keeps the alert.

use serde_json::{json, Map, Value};

use super::Report;
use crate::catalogue::Code;
use crate::finding::{Finding, Location, Severity};
use crate::state::Fingerprint;
use crate::untrusted::{cap, escape_forbidden, escape_forbidden_json, TEXT_CHARS};

/// The `$schema` of the document: the OASIS errata 01 schema, the one shipped with the tests
/// (tests/fixtures/sarif/).
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The repository, from `Cargo.toml`'s `repository`: the tool's `informationUri` and the base of
/// every rule's `helpUri`.
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the finding codes are documented, each under a heading that is its code (so its anchor is
/// `#<code>`).
pub const FINDINGS_DOC_URL: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/findings.md");

/// The `partialFingerprints` key: ours, versioned, so a change of what is hashed is a new key and
/// never silently re-matches old alerts.
pub const FINGERPRINT_KEY: &str = "cloudfrontTlsAudit/v1";

/// What stands for the account in the state's fingerprint of a proposed finding: a template has
/// no account, and code scanning scopes alerts by repository and file itself.
const PROPOSED_SCOPE: &str = "proposed";

/// Renders the report as a SARIF 2.1.0 log, pretty-printed, with forbidden characters as visible
/// escapes like the JSON output. `input_file` is the file the run checked (`check-config`'s FILE):
/// findings without a location of their own are placed at its first line; when `None`, at the first
/// line of the file another finding names, else nowhere.
pub fn render_sarif(report: &Report, input_file: Option<&str>) -> String {
    let log = escape_document(Value::Object(sarif_log(report, input_file)));
    // A JSON value always serialises.
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// The SARIF audience's sanitiser: every string and key with its forbidden characters as visible
/// escapes, as in the JSON output, except the line breaks of `message` and `help` texts. Those are
/// ours (between the fix steps, in the help's Markdown), and code scanning shows them as lines;
/// their untrusted parts were escaped when the text was composed, so no line break of an
/// origin's or a template's text survives.
fn escape_document(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if key == "message" || key == "help" {
                        escape_keeping_lines(value)
                    } else {
                        escape_document(value)
                    };
                    (escape_forbidden(&key), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_document).collect()),
        other => escape_forbidden_json(other),
    }
}

fn escape_keeping_lines(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(
            text.split('\n')
                .map(escape_forbidden)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (escape_forbidden(&key), escape_keeping_lines(value)))
                .collect(),
        ),
        other => escape_forbidden_json(other),
    }
}

/// The SARIF log as a JSON object.
pub fn sarif_log(report: &Report, input_file: Option<&str>) -> Map<String, Value> {
    let fallback = input_file.map(str::to_owned).or_else(|| {
        report
            .findings
            .iter()
            .find_map(|f| f.location.as_ref().map(|l| l.file.clone()))
    });
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| result(finding, fallback.as_deref()))
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": env!("CARGO_PKG_NAME"),
                "informationUri": REPOSITORY_URL,
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": Code::ALL.into_iter().map(rule).collect::<Vec<_>>(),
            }},
            // Position::column counts characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    match log {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// SARIF's `level` for a severity, as GitHub shows it: critical and high fail a check as errors,
/// medium warns, low and info are notes.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score for a severity (over 9.0 critical, 7.0 to 8.9 high, 4.0 to
/// 6.9 medium, 0.1 to 3.9 low); `None` for info, which is no security alert.
pub fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// `viewer-alias-not-covered` as `ViewerAliasNotCovered`: SARIF's rule `name`, an identifier.
fn rule_name(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// `https://…/docs/findings.md#<code>`.
pub fn help_uri(code: Code) -> String {
    format!("{FINDINGS_DOC_URL}#{}", code.as_str())
}

/// One rule: a catalogue entry with the remediation of each of its causes as help.
fn rule(code: Code) -> Value {
    let entry = code.entry();
    let worst = entry
        .severities()
        .first()
        .copied()
        .unwrap_or(Severity::Info);
    let mut text = format!("{}\n", entry.why);
    let mut markdown = format!("**{}**\n\n{}\n", entry.title, entry.why);
    for cause in entry.causes {
        text.push_str(&format!("\nCause {}:\n", cause.id));
        markdown.push_str(&format!("\n#### Cause `{}`\n\n", cause.id));
        for (step, remediation) in cause.remediation.iter().enumerate() {
            text.push_str(&format!("{}. {remediation}\n", step + 1));
            markdown.push_str(&format!("{}. {remediation}\n", step + 1));
        }
    }
    let family = entry.family.title().to_lowercase().replace(' ', "-");
    let mut tags = vec!["cloudfront", "tls"];
    let mut properties = Map::new();
    if let Some(score) = security_severity(worst) {
        tags.insert(0, "security");
        properties.insert("security-severity".into(), Value::from(score));
    }
    let mut tags: Vec<Value> = tags.into_iter().map(Value::from).collect();
    tags.push(Value::from(family));
    properties.insert("tags".into(), Value::Array(tags));
    properties.insert("precision".into(), Value::from("very-high"));
    json!({
        "id": entry.id,
        "name": rule_name(entry.id),
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.why},
        "help": {"text": text, "markdown": markdown},
        "helpUri": help_uri(code),
        "defaultConfiguration": {"level": level(worst)},
        "properties": properties,
    })
}

/// One result: the finding's message and fix, where it is written, and its fingerprint.
fn result(finding: &Finding, fallback_file: Option<&str>) -> Value {
    // Each part escaped on its own: the line breaks between them are the only ones kept.
    let mut text = escape_forbidden(&finding.message);
    for (step, remediation) in finding.remediation.iter().enumerate() {
        text.push_str(&format!(
            "\nFix {}: {}",
            step + 1,
            escape_forbidden(remediation)
        ));
    }
    let fingerprint = Fingerprint::of(PROPOSED_SCOPE, finding);
    let mut result = json!({
        "ruleId": finding.code.as_str(),
        "ruleIndex": Code::ALL.iter().position(|c| *c == finding.code).unwrap_or(0),
        "level": level(finding.severity),
        "message": {"text": text},
        "partialFingerprints": {
            FINGERPRINT_KEY: crate::x509::sha256_hex(fingerprint.as_str().as_bytes()),
        },
        "properties": {
            "severity": finding.severity.as_str(),
            "subject": finding.subject,
            "viewerImpact": finding.viewer_impact.to_string(),
            "docs": finding.docs,
        },
    });
    if let Some(location) = sarif_location(finding, fallback_file) {
        result["locations"] = json!([location]);
    }
    result
}

/// The finding's place: its own location, else the start of `fallback_file`; `None` without either.
fn sarif_location(finding: &Finding, fallback_file: Option<&str>) -> Option<Value> {
    let placed = match &finding.location {
        Some(location) => location.clone(),
        None => Location {
            file: fallback_file?.to_owned(),
            line: None,
            column: None,
            resource: finding.distribution_id.clone(),
        },
    };
    // GitHub places a result by its start line; a file without positions (a plan) is shown from
    // its first line, the resource naming what is meant.
    let mut region = json!({"startLine": placed.line.unwrap_or(1).max(1)});
    if let (Some(_), Some(column)) = (placed.line, placed.column) {
        region["startColumn"] = Value::from(column.max(1));
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(&placed.file)},
            "region": region,
        },
    });
    if let Some(resource) = &placed.resource {
        location["logicalLocations"] = json!([{
            "fullyQualifiedName": cap(resource, TEXT_CHARS),
            "kind": "resource",
        }]);
    }
    Some(location)
}

/// A file as the user named it, as a URI reference: relative paths stay relative (GitHub resolves
/// them against the checkout), `\` becomes `/`, a leading `./` goes, an absolute path becomes a
/// `file://` URI; every byte outside the unreserved set and `/` is percent-encoded.
pub fn artifact_uri(file: &str) -> String {
    let file = cap(&file.replace('\\', "/"), TEXT_CHARS);
    let mut path = file.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ALIAS_NOT_COVERED, HTTP_ALLOWED, INCOMPLETE_OTHER};

    fn at(file: &str, line: Option<u32>, resource: &str) -> Location {
        Location {
            file: file.into(),
            line,
            column: line.map(|_| 9),
            resource: Some(resource.into()),
        }
    }

    fn alias_finding(line: u32) -> Finding {
        let mut finding = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("Distribution")
            .subject("api.example.com")
            .evidence("alias", "api.example.com")
            .build();
        finding.location = Some(at("templates/site.yaml", Some(line), "Distribution"));
        finding
    }

    fn log_of(findings: Vec<Finding>, input: Option<&str>) -> Value {
        Value::Object(sarif_log(&Report::new(findings, 1, vec![]), input))
    }

    #[test]
    fn the_rules_are_the_catalogue_in_order_with_help_and_a_link_to_each_codes_section() {
        let log = log_of(vec![], None);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        for (rule, code) in rules.iter().zip(Code::ALL) {
            assert_eq!(rule["id"], code.as_str());
            assert_eq!(rule["shortDescription"]["text"], code.entry().title);
            assert!(rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("docs/findings.md#{code}")));
        }
        let alias = &rules[Code::ALL
            .iter()
            .position(|c| *c == Code::ViewerAliasNotCovered)
            .unwrap()];
        assert_eq!(alias["name"], "ViewerAliasNotCovered");
        assert_eq!(alias["defaultConfiguration"]["level"], "error");
        assert_eq!(alias["properties"]["security-severity"], "9.5");
        assert_eq!(alias["properties"]["tags"][0], "security");
        assert!(alias["help"]["text"].as_str().unwrap().contains("Re-issue"));
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn an_info_code_is_a_note_and_no_security_alert() {
        let log = log_of(vec![], None);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let unresolved = rules
            .iter()
            .find(|r| r["id"] == "config-value-unresolved")
            .unwrap();
        assert_eq!(unresolved["defaultConfiguration"]["level"], "note");
        assert!(unresolved["properties"].get("security-severity").is_none());
        assert_ne!(unresolved["properties"]["tags"][0], "security");
    }

    #[test]
    fn severities_map_to_levels_as_github_shows_them() {
        let levels: Vec<&str> = Severity::ALL_DESCENDING.into_iter().map(level).collect();
        assert_eq!(levels, ["error", "error", "warning", "note", "note"]);
    }

    #[test]
    fn a_located_finding_is_a_result_on_its_line_with_its_resource() {
        let log = log_of(vec![alias_finding(42)], None);
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "viewer-alias-not-covered");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(Code::ALL[index], Code::ViewerAliasNotCovered);
        assert_eq!(result["level"], "error");
        let place = &result["locations"][0];
        assert_eq!(
            place["physicalLocation"]["artifactLocation"]["uri"],
            "templates/site.yaml"
        );
        assert_eq!(
            place["physicalLocation"]["region"],
            json!({"startLine": 42, "startColumn": 9})
        );
        assert_eq!(
            place["logicalLocations"][0]["fullyQualifiedName"],
            "Distribution"
        );
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("\nFix 1: "));
    }

    #[test]
    fn the_rendered_log_keeps_its_own_line_breaks_and_escapes_every_other() {
        let mut finding = alias_finding(42);
        finding.message = "alias a.example.com\n::error::forged\u{202e}".into();
        finding.subject = "a.example.com\nforged".into();
        let rendered = render_sarif(&Report::new(vec![finding], 1, vec![]), None);
        let log: Value = serde_json::from_str(&rendered).unwrap();
        let result = &log["runs"][0]["results"][0];
        let text = result["message"]["text"].as_str().unwrap();
        // One line for the message, one per fix step: the forged break stays visible, escaped.
        assert_eq!(text.lines().count(), 1 + result_fixes(text));
        assert!(text.starts_with("alias a.example.com\\n::error::forged\\u{202e}\nFix 1: "));
        assert_eq!(result["properties"]["subject"], "a.example.com\\nforged");
        let help = log["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
            .as_str()
            .unwrap();
        assert!(help.contains("\n\n"), "{help}");
    }

    fn result_fixes(text: &str) -> usize {
        text.matches("\nFix ").count()
    }

    #[test]
    fn the_fingerprint_stays_when_the_property_moves_and_differs_by_subject() {
        let fingerprint = |finding: Finding| {
            log_of(vec![finding], None)["runs"][0]["results"][0]["partialFingerprints"]
                [FINGERPRINT_KEY]
                .clone()
        };
        let before = fingerprint(alias_finding(42));
        assert_eq!(before, fingerprint(alias_finding(97)));
        assert_eq!(before.as_str().map(str::len), Some(64));
        let mut other = alias_finding(42);
        other.subject = "www.example.com".into();
        assert_ne!(before, fingerprint(other));
    }

    #[test]
    fn a_plan_without_lines_is_placed_at_the_file_start_with_its_address() {
        let mut finding = Finding::builder(&HTTP_ALLOWED)
            .distribution("module.cdn.aws_cloudfront_distribution.site")
            .subject("cache behaviour default")
            .evidence("behavior", "default")
            .build();
        finding.location = Some(at(
            "plan.json",
            None,
            "module.cdn.aws_cloudfront_distribution.site",
        ));
        let log = log_of(vec![finding], None);
        let place = &log["runs"][0]["results"][0]["locations"][0];
        assert_eq!(place["physicalLocation"]["region"], json!({"startLine": 1}));
        assert_eq!(
            place["logicalLocations"][0]["fullyQualifiedName"],
            "module.cdn.aws_cloudfront_distribution.site"
        );
    }

    #[test]
    fn a_finding_without_a_place_is_put_at_the_start_of_the_input_file_or_nowhere() {
        let account = || Finding::builder(&INCOMPLETE_OTHER).subject("run").build();
        let given = log_of(vec![account()], Some("cdk.out/Stack.template.json"));
        assert_eq!(
            given["runs"][0]["results"][0]["locations"][0]["physicalLocation"],
            json!({"artifactLocation": {"uri": "cdk.out/Stack.template.json"},
                   "region": {"startLine": 1}})
        );
        let borrowed = log_of(vec![account(), alias_finding(3)], None);
        let results = borrowed["runs"][0]["results"].as_array().unwrap();
        assert!(results.iter().all(
            |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "templates/site.yaml"
        ));
        let nowhere = log_of(vec![account()], None);
        assert!(nowhere["runs"][0]["results"][0].get("locations").is_none());
    }

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(
            artifact_uri("./cdk.out/My Stack.json"),
            "cdk.out/My%20Stack.json"
        );
        assert_eq!(
            artifact_uri("infra\\plan #1.json"),
            "infra/plan%20%231.json"
        );
        assert_eq!(artifact_uri("/work/a,b.yaml"), "file:///work/a%2Cb.yaml");
        assert_eq!(artifact_uri("répertoire/t.yaml"), "r%C3%A9pertoire/t.yaml");
    }
}
