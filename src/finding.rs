//! A [`Finding`]: one problem, with its code, severity, evidence, viewer impact and remediation.
//!
//! Findings are built from a catalogue entry ([`crate::catalogue`]) and structured evidence; the message
//! and remediation text come from the entry with the evidence filled in, so every finding has the same
//! shape and no rule formats prose by hand.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalogue::{Cause, Code};
use crate::model::{Distribution, DistributionOrigin};

/// How bad a finding is. Ordered from least to most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Hygiene: outdated but working.
    Low,
    /// Will hurt some viewers, or will break without action.
    Medium,
    /// Breaks soon, or the audit itself is blind somewhere.
    High,
    /// Broken now, or CloudFront rejects the configuration.
    Critical,
}

impl Severity {
    /// Every level, most severe first.
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Severity::ALL_DESCENDING
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| {
                format!("unknown severity {value:?}: use critical, high, medium, low or info")
            })
    }
}

/// What viewers experience if nothing is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ViewerImpact {
    /// CloudFront rejects the create or update call (`InvalidViewerCertificate` and friends).
    #[serde(rename = "update-rejected")]
    UpdateRejected,
    /// Browsers show a certificate warning or refuse the connection.
    #[serde(rename = "cert-warning")]
    CertWarning,
    /// CloudFront answers 502 Bad Gateway.
    #[serde(rename = "502")]
    BadGateway,
    /// CloudFront answers 504 Gateway Timeout.
    #[serde(rename = "504")]
    GatewayTimeout,
    /// Nothing visible yet.
    #[serde(rename = "none")]
    None,
}

impl ViewerImpact {
    /// The contract's spelling: `update-rejected`, `cert-warning`, `502`, `504`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewerImpact::UpdateRejected => "update-rejected",
            ViewerImpact::CertWarning => "cert-warning",
            ViewerImpact::BadGateway => "502",
            ViewerImpact::GatewayTimeout => "504",
            ViewerImpact::None => "none",
        }
    }
}

impl fmt::Display for ViewerImpact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Structured evidence: field name to JSON value, in insertion order.
pub type Evidence = Map<String, Value>;

/// One problem found by a rule. Serialises to the JSON contract of `audit --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code from the catalogue, e.g. `viewer-alias-not-covered`.
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// The distribution it concerns; `None` where no distribution applies.
    pub distribution_id: Option<String>,
    /// What exactly is affected: an alias, a certificate ARN, a behaviour, an origin.
    pub subject: String,
    /// One sentence, from the catalogue with the evidence filled in.
    pub message: String,
    /// The facts behind the finding.
    pub evidence: Evidence,
    /// What viewers experience.
    pub viewer_impact: ViewerImpact,
    /// Steps to fix it, specific to the cause.
    pub remediation: Vec<String>,
    /// AWS documentation for the rule.
    pub docs: String,
}

impl Finding {
    /// Starts a finding explained by `cause`; its code is the cause's own ([`Cause::code`]).
    pub fn builder(cause: &'static Cause) -> FindingBuilder {
        FindingBuilder {
            cause,
            severity: None,
            distribution_id: None,
            subject: String::new(),
            evidence: Evidence::new(),
            proposed: false,
        }
    }
}

/// Collects the parts of a [`Finding`]; [`FindingBuilder::build`] renders the text.
#[derive(Debug, Clone)]
pub struct FindingBuilder {
    cause: &'static Cause,
    severity: Option<Severity>,
    distribution_id: Option<String>,
    subject: String,
    evidence: Evidence,
    proposed: bool,
}

impl FindingBuilder {
    /// Overrides the cause's severity (for codes whose severity depends on a measure, like days left).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// The distribution concerned.
    pub fn distribution(mut self, id: impl Into<String>) -> Self {
        self.distribution_id = Some(id.into());
        self
    }

    /// The distribution concerned, taking its id and whether its configuration is only proposed
    /// (which changes the viewer impact of some causes to `update-rejected`).
    pub fn for_distribution(mut self, distribution: &Distribution) -> Self {
        self.distribution_id = Some(distribution.id.clone());
        self.proposed = distribution.origin == DistributionOrigin::Proposed;
        self
    }

    /// What exactly is affected.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// Adds one evidence field; it also fills `{name}` in the message and remediation.
    pub fn evidence(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.evidence.insert(name.to_owned(), value.into());
        self
    }

    /// Renders the message and remediation from the catalogue entry and the evidence.
    pub fn build(self) -> Finding {
        let entry = self.cause.code.entry();
        let viewer_impact = match (self.proposed, self.cause.impact_when_proposed) {
            (true, Some(proposed)) => proposed,
            _ => self.cause.impact,
        };
        Finding {
            code: self.cause.code,
            severity: self.severity.unwrap_or(self.cause.severity),
            distribution_id: self.distribution_id,
            subject: self.subject,
            message: fill(self.cause.message, &self.evidence),
            remediation: self
                .cause
                .remediation
                .iter()
                .map(|step| fill(step, &self.evidence))
                .collect(),
            viewer_impact,
            evidence: self.evidence,
            docs: entry.docs.to_owned(),
        }
    }
}

/// Replaces `{name}` with the evidence value `name` (strings bare, lists joined with ", ").
/// A placeholder without evidence stays visible, so a missing field is noticed in tests, not hidden.
pub fn fill(template: &str, evidence: &Evidence) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_placeholder(&after[..end]) => {
                let name = &after[..end];
                match evidence.get(name) {
                    Some(value) => out.push_str(&render_value(value)),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A value as it reads in a sentence.
pub fn render_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(render_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => "(none)".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fill_replaces_known_placeholders_and_keeps_unknown_ones() {
        let mut evidence = Evidence::new();
        evidence.insert("alias".into(), json!("api.example.com"));
        evidence.insert("sans".into(), json!(["example.com", "*.example.com"]));
        assert_eq!(
            fill(
                "{alias} not in {sans}; {missing} {not a placeholder}",
                &evidence
            ),
            "api.example.com not in example.com, *.example.com; {missing} {not a placeholder}"
        );
    }

    #[test]
    fn severity_parses_case_insensitively_and_orders_by_badness() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    }
}
