//! Groups findings and renders them: terminal text for people, JSON for machines, SARIF for code
//! scanning, workflow commands for GitHub Actions annotations.

mod github;
mod json;
mod note;
mod sarif;
mod text;

pub use github::render_github;
pub use json::{render_document, render_json};
pub use note::Note;
pub use sarif::{
    artifact_uri, help_uri, render_sarif, sarif_log, FINDINGS_DOC_URL, FINGERPRINT_KEY,
    REPOSITORY_URL, SARIF_SCHEMA_URI,
};
pub use text::{lead, render_findings, render_text, severity_counts, terminal};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::Code;
use crate::finding::{Finding, Severity};

/// The outcome of one audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Findings, worst first, then by distribution and code.
    pub findings: Vec<Finding>,
    /// How many distributions were audited.
    pub distributions_audited: usize,
    /// Things the reader must know about how the audit ran (endpoint overrides, lab inputs, as-of date).
    pub notes: Vec<Note>,
    /// A human label per distribution id (its aliases or domain name), for the text output.
    pub distribution_labels: BTreeMap<String, String>,
    /// Distributions whose edge the audit wanted to check but could not, because a change is still
    /// deploying (status not `Deployed`); the Lambda re-checks them later.
    pub edge_pending: Vec<String>,
    /// For a standalone origin probe (`probe`): each handshake, in plan order, with what it showed.
    pub origin_probes: Vec<OriginProbe>,
    /// What this run changed, when state is configured (issue 11): what it resolved, what the
    /// suppressions did. Each finding's own status is on the finding (`Finding::remembered`).
    pub memory: Option<crate::state::Memory>,
    /// Which checks ran to completion for which distribution (filled by [`crate::audit`]): what
    /// the state may resolve. The default covers nothing, so a report built by hand resolves
    /// nothing.
    pub coverage: crate::state::Coverage,
}

/// One handshake of a standalone origin probe: what was seen, the chain as analysed, the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginProbe {
    /// What the origin did.
    pub observation: crate::tls::Observation,
    /// The certificates as sent, as the chain analysis read them (evidence shape).
    pub certificates: serde_json::Value,
    /// The first finding that makes CloudFront answer 502 or 504; `None`: CloudFront would connect.
    pub failure: Option<Finding>,
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Distributions audited.
    pub distributions: usize,
    /// Findings by severity.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Info findings.
    pub info: usize,
    /// What the state made of them, when the run knew its state (issue 11).
    #[serde(flatten)]
    pub state: Option<StateCounts>,
}

/// The summary's counts by status: `new`, `open`, `resolved`, `suppressed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StateCounts {
    /// Findings not known before this run (every finding, without state).
    pub new: usize,
    /// Findings known before this run and still there.
    pub open: usize,
    /// Findings this run resolved.
    pub resolved: usize,
    /// Findings held by a suppression in force.
    pub suppressed: usize,
}

impl Report {
    /// Builds a report, sorting findings worst first.
    pub fn new(findings: Vec<Finding>, distributions_audited: usize, notes: Vec<Note>) -> Self {
        let mut report = Report {
            findings,
            distributions_audited,
            notes,
            distribution_labels: BTreeMap::new(),
            edge_pending: Vec::new(),
            origin_probes: Vec::new(),
            memory: None,
            coverage: crate::state::Coverage::default(),
        };
        report.sort();
        report
    }

    /// Sorts the findings worst first, then by distribution, code and subject.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.distribution_id.cmp(&b.distribution_id))
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| a.subject.cmp(&b.subject))
        });
    }

    /// Adds human labels for distribution ids (shown next to the id in text output).
    pub fn with_labels(mut self, labels: BTreeMap<String, String>) -> Self {
        self.distribution_labels = labels;
        self
    }

    /// The same report keeping only findings at or above `minimum`, and every `audit-not-covered`
    /// finding whatever its severity: it says a part was not audited, and without it a filtered
    /// report would read clean about what nobody checked.
    pub fn at_least(&self, minimum: Severity) -> Report {
        Report {
            findings: self
                .findings
                .iter()
                .filter(|f| f.severity >= minimum || is_not_covered(f))
                .cloned()
                .collect(),
            distributions_audited: self.distributions_audited,
            notes: self.notes.clone(),
            distribution_labels: self.distribution_labels.clone(),
            edge_pending: self.edge_pending.clone(),
            origin_probes: self.origin_probes.clone(),
            memory: self.memory.clone(),
            coverage: self.coverage.clone(),
        }
    }

    /// Whether any finding is a problem, not only a note that a part was not audited
    /// (`audit-not-covered`): what the CLI's exit status and the digest's "failing" count go by, so
    /// that a CI gate does not fail, nor a distribution count as failing, on a VPC origin alone.
    pub fn has_problems(&self) -> bool {
        self.findings.iter().any(|f| !is_not_covered(f))
    }

    /// Counts by severity.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            distributions: self.distributions_audited,
            ..Summary::default()
        };
        for finding in &self.findings {
            let slot = match finding.severity {
                Severity::Critical => &mut summary.critical,
                Severity::High => &mut summary.high,
                Severity::Medium => &mut summary.medium,
                Severity::Low => &mut summary.low,
                Severity::Info => &mut summary.info,
            };
            *slot += 1;
        }
        summary.state = self.state_counts();
        summary
    }

    /// Whether the findings carry what the state made of them (fingerprint, status, first seen).
    pub fn remembers(&self) -> bool {
        self.memory.is_some() || self.findings.iter().any(|f| f.remembered.is_some())
    }

    /// Counts by status, when the findings carry one ([`Report::remembers`]).
    pub fn state_counts(&self) -> Option<StateCounts> {
        use crate::state::FindingStatus;
        if !self.remembers() {
            return None;
        }
        let mut counts = StateCounts {
            resolved: self.memory.as_ref().map_or(0, |m| m.resolved.len()),
            ..StateCounts::default()
        };
        for finding in &self.findings {
            match finding.remembered.as_ref().map(|r| r.status) {
                Some(FindingStatus::Open) => counts.open += 1,
                Some(FindingStatus::Suppressed) => counts.suppressed += 1,
                Some(FindingStatus::New) | None => counts.new += 1,
            }
        }
        Some(counts)
    }

    /// Whether a finding is held by a suppression in force.
    pub fn is_suppressed(finding: &Finding) -> bool {
        finding
            .remembered
            .as_ref()
            .is_some_and(|r| r.status == crate::state::FindingStatus::Suppressed)
    }

    /// The worst severity present, if any finding is.
    pub fn highest_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Findings grouped by distribution (account-level ones, with no distribution, first), each
    /// group worst first, groups ordered by their worst finding.
    pub fn by_distribution(&self) -> Vec<(Option<&str>, Vec<&Finding>)> {
        let mut groups: Vec<(Option<&str>, Vec<&Finding>)> = Vec::new();
        for finding in &self.findings {
            let key = finding.distribution_id.as_deref();
            match groups.iter_mut().find(|(id, _)| *id == key) {
                Some((_, members)) => members.push(finding),
                None => groups.push((key, vec![finding])),
            }
        }
        // Findings are sorted worst first, so each group's first member is its worst.
        groups.sort_by(|(a_id, a), (b_id, b)| {
            a_id.is_some()
                .cmp(&b_id.is_some())
                .then_with(|| b[0].severity.cmp(&a[0].severity))
                .then_with(|| a_id.cmp(b_id))
        });
        groups
    }
}

/// A part that was not checked: `audit-not-covered` (a part of the distribution this audit does not
/// look at) or `config-value-unresolved` (a value the pre-deploy gate cannot know). Shown whatever
/// the minimum severity, so silence is never read as a pass; not a problem for the exit status.
pub fn is_not_covered(finding: &Finding) -> bool {
    matches!(
        finding.code,
        Code::AuditNotCovered | Code::ConfigValueUnresolved
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ALIAS_NOT_COVERED, HTTP_ALLOWED, INCOMPLETE_OTHER};
    use serde_json::Value;

    fn sample() -> Report {
        let medium = Finding::builder(&HTTP_ALLOWED)
            .distribution("E2")
            .subject("cache behaviour default")
            .evidence("behavior", "default")
            .build();
        let critical = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E1")
            .subject("api.example.com")
            .evidence("alias", "api.example.com\x1b[31m")
            .evidence("certificate", "arn")
            .evidence("certificate_names", vec!["example.com"])
            .build();
        let account = Finding::builder(&INCOMPLETE_OTHER)
            .subject("account")
            .build();
        Report::new(vec![medium, account, critical], 2, vec![])
    }

    fn vpc_origin(id: &str) -> Finding {
        Finding::builder(&crate::catalogue::NOT_COVERED_VPC_ORIGIN)
            .distribution(id)
            .subject("origin vpc")
            .evidence("origin_id", "vpc")
            .evidence("vpc_origin_id", "vo_1")
            .evidence("origin_domain", "internal.example.com")
            .build()
    }

    #[test]
    fn a_minimum_severity_never_hides_what_was_not_audited() {
        let mut findings = sample().findings;
        findings.push(vpc_origin("E3"));
        let report = Report::new(findings, 3, vec![]);
        let shown = report.at_least(Severity::High);
        let codes: Vec<&str> = shown.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "viewer-alias-not-covered",
                "audit-incomplete",
                "audit-not-covered"
            ]
        );
        assert!(shown.has_problems());
        let only_gaps = Report::new(vec![vpc_origin("E3")], 1, vec![]).at_least(Severity::Critical);
        assert_eq!(
            only_gaps.findings.len(),
            1,
            "kept, so the report does not read clean"
        );
        assert!(
            !only_gaps.has_problems(),
            "and no problem for an exit status"
        );
    }

    /// An object's keys, in order.
    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .map(|object| object.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// A finding's fields in the JSON contract, in order, before issue 11 added to them.
    const FINDING_FIELDS: [&str; 9] = [
        "code",
        "severity",
        "distribution_id",
        "subject",
        "message",
        "evidence",
        "viewer_impact",
        "remediation",
        "docs",
    ];

    #[test]
    fn json_follows_the_contract() {
        let value: Value = serde_json::from_str(&render_json(&sample())).unwrap();
        let top = keys(&value);
        assert_eq!(top, ["findings", "summary"]);
        let first = &value["findings"][0];
        let fields = keys(first);
        assert_eq!(fields, FINDING_FIELDS);
        assert_eq!(first["code"], "viewer-alias-not-covered");
        assert_eq!(first["severity"], "critical");
        assert_eq!(first["viewer_impact"], "cert-warning");
        assert!(first["remediation"].is_array());
        assert_eq!(value["findings"][1]["distribution_id"], Value::Null);
        assert_eq!(
            value["summary"],
            serde_json::json!({"distributions": 2, "critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0})
        );
    }

    /// `sample()` after a state pass: the first finding open since a date, the second suppressed,
    /// the third new, one finding resolved.
    fn remembered_sample() -> Report {
        use crate::state::{
            FindingStatus, Fingerprint, Memory, ResolvedFinding, SuppressionId, Transition,
        };
        use time::macros::datetime;
        let mut report = sample();
        let now = datetime!(2026-12-03 06:00 UTC);
        let statuses = [
            (FindingStatus::Open, datetime!(2026-11-02 06:00 UTC), None),
            (
                FindingStatus::Suppressed,
                now,
                Some(SuppressionId("s-0123456789".into())),
            ),
            (FindingStatus::New, now, None),
        ];
        for (finding, (status, first_seen, suppression)) in report.findings.iter_mut().zip(statuses)
        {
            finding.remembered = Some(crate::state::Remembered {
                fingerprint: Fingerprint::of("111122223333", finding),
                status,
                transition: Transition::Unchanged,
                first_seen,
                previous_severity: None,
                suppression,
            });
        }
        let fixed = Finding::builder(&HTTP_ALLOWED)
            .distribution("E2")
            .subject("cache behaviour /img/*")
            .build();
        report.memory = Some(Memory {
            resolved: vec![ResolvedFinding {
                fingerprint: Fingerprint::of("111122223333", &fixed),
                code: "viewer-http-allowed".into(),
                distribution_id: Some("E2".into()),
                subject: "cache behaviour /img/*".into(),
                severity: Severity::Medium,
                first_seen: datetime!(2026-11-20 06:00 UTC),
                resolved_at: now,
                resolved_by: "cloudfront-tls-audit audit".into(),
            }],
            suppressions: Default::default(),
        });
        report
    }

    #[test]
    fn json_grows_compatibly_with_what_the_state_made_of_each_finding() {
        let value: Value = serde_json::from_str(&render_json(&remembered_sample())).unwrap();
        let top = keys(&value);
        assert_eq!(top, ["findings", "resolved", "summary"]);
        let first = &value["findings"][0];
        let fields = keys(first);
        assert_eq!(
            fields[..FINDING_FIELDS.len()],
            FINDING_FIELDS,
            "the old fields, unchanged"
        );
        assert_eq!(
            fields[FINDING_FIELDS.len()..],
            ["fingerprint", "status", "first_seen"]
        );
        assert_eq!(
            first["fingerprint"],
            "cfta1/111122223333/E1/viewer-alias-not-covered/api.example.com"
        );
        assert_eq!(first["status"], "open");
        assert_eq!(first["first_seen"], "2026-11-02T06:00:00Z");
        assert_eq!(value["findings"][1]["status"], "suppressed");
        assert_eq!(value["findings"][1]["suppression"], "s-0123456789");
        assert_eq!(value["findings"][2]["status"], "new");
        let resolved = &value["resolved"][0];
        let fields = keys(resolved);
        assert_eq!(
            fields,
            [
                "fingerprint",
                "code",
                "distribution_id",
                "subject",
                "severity",
                "first_seen",
                "resolved_at",
                "resolved_by"
            ]
        );
        assert_eq!(
            value["summary"],
            serde_json::json!({"distributions": 2, "critical": 1, "high": 1, "medium": 1, "low": 0,
                "info": 0, "new": 1, "open": 1, "resolved": 1, "suppressed": 1})
        );
    }

    #[test]
    fn text_with_state_says_each_findings_status_and_what_was_resolved() {
        let text = render_text(&remembered_sample(), false);
        assert!(
            text.contains("viewer-alias-not-covered  api.example.com  [open since 2026-11-02]"),
            "{text}"
        );
        assert!(text.contains("  [suppressed (s-0123456789)]"), "{text}");
        assert!(text.contains("  [new]"), "{text}");
        assert!(text.contains("Resolved by this run (1)"), "{text}");
        assert!(
            text.contains(
                "E2 viewer-http-allowed  cache behaviour /img/*  (first seen 2026-11-20)"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("0 info. 1 new, 1 open, 1 resolved, 1 suppressed.\n"),
            "{text}"
        );
        // Without state, the text is as it always was.
        let plain = render_text(&sample(), false);
        assert!(
            !plain.contains("[new]") && !plain.contains("[open") && !plain.contains("Resolved")
        );
    }

    #[test]
    fn text_groups_by_distribution_account_first_then_worst_first() {
        let text = render_text(&sample(), false);
        let account = text.find("Account (1 finding)").unwrap();
        let e1 = text.find("Distribution E1").unwrap();
        let e2 = text.find("Distribution E2").unwrap();
        assert!(account < e1 && e1 < e2, "{text}");
        assert!(text
            .ends_with("2 distributions audited: 1 critical, 1 high, 1 medium, 0 low, 0 info.\n"));
        assert!(
            !text.contains('\x1b'),
            "no colour when not asked, and no escapes from evidence"
        );
        assert!(text.contains("\\u{1b}[31m"));
    }

    /// `sample()` as a template check would report it: the critical finding on its line, the
    /// medium one in a plan (no positions, an address), the account finding without a place.
    fn located_sample() -> Report {
        use crate::finding::Location;
        let mut report = sample();
        for finding in &mut report.findings {
            finding.location = match finding.distribution_id.as_deref() {
                Some("E1") => Some(Location {
                    file: "templates/site.yaml".into(),
                    line: Some(42),
                    column: Some(9),
                    resource: Some("E1".into()),
                }),
                Some(_) => Some(Location {
                    file: "plan.json".into(),
                    line: None,
                    column: None,
                    resource: Some("module.cdn.aws_cloudfront_distribution.site".into()),
                }),
                None => None,
            };
        }
        report
    }

    #[test]
    fn text_leads_a_located_finding_with_file_line_and_column() {
        let text = render_text(&located_sample(), false);
        assert!(
            text.contains("\n  templates/site.yaml:42:9: CRITICAL viewer-alias-not-covered  api.example.com\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  plan.json (module.cdn.aws_cloudfront_distribution.site): MEDIUM   viewer-http-allowed"),
            "{text}"
        );
        assert!(
            text.contains("\n  HIGH     audit-incomplete  account\n"),
            "{text}"
        );
    }

    #[test]
    fn json_carries_the_location_when_there_is_one() {
        let value: Value = serde_json::from_str(&render_json(&located_sample())).unwrap();
        let first = &value["findings"][0];
        assert_eq!(keys(first)[..FINDING_FIELDS.len()], FINDING_FIELDS);
        assert_eq!(
            first["location"],
            serde_json::json!({"file": "templates/site.yaml", "line": 42, "column": 9, "resource": "E1"})
        );
        assert_eq!(
            value["findings"][2]["location"],
            serde_json::json!({"file": "plan.json", "resource": "module.cdn.aws_cloudfront_distribution.site"})
        );
        assert!(value["findings"][1].get("location").is_none());
    }

    #[test]
    fn colour_is_only_added_on_request() {
        assert!(render_text(&sample(), true).contains("\x1b[1;31m"));
    }

    #[test]
    fn filtering_keeps_findings_at_or_above_the_minimum() {
        let report = sample().at_least(Severity::High);
        assert_eq!(report.findings.len(), 2);
        assert_eq!(report.highest_severity(), Some(Severity::Critical));
        assert_eq!(sample().at_least(Severity::Critical).summary().high, 0);
    }
}
