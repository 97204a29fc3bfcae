//! A [`Finding`]: one problem, with its code, severity, evidence, viewer impact and remediation.
//!
//! Findings are built from a catalogue entry ([`crate::catalogue`]) and structured evidence; the message
//! and remediation text come from the entry with the evidence filled in, so every finding has the same
//! shape and no rule formats prose by hand.

use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::catalogue::{Severity, ViewerImpact};

use crate::catalogue::{Cause, Code};
use crate::model::{Distribution, DistributionOrigin};
use crate::untrusted::{
    and_more, cap, cap_owned, cut_list, more_count, FINDING_JSON_BYTES, NAME_CHARS, SHOWN_ITEMS,
    TEXT_CHARS,
};

/// The evidence field that says what the size budget cut, when it cut anything.
pub const EVIDENCE_CUT: &str = "evidence_cut";

/// How deep evidence objects and arrays are kept; deeper values are replaced by a note.
const EVIDENCE_DEPTH: usize = 6;

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
    /// What the state knows about it (issue 11): fingerprint, status, first seen, this run's
    /// transition. `None` until [`crate::state`] has reconciled the run; it travels with the finding
    /// through sorting and filtering.
    #[serde(skip)]
    pub remembered: Option<crate::state::Remembered>,
    /// Where the offending property is written, for a proposed configuration read from a file
    /// (`check-config` on a template or a plan); `None` for what was read from AWS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Where a finding's property is written in the file under review: the line of the pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the user named it.
    pub file: String,
    /// The line, from 1, where the input has positions (YAML and JSON templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column, from 1, with the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The resource: a template's logical id, or a Terraform address
    /// (`module.cdn.aws_cloudfront_distribution.site`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
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

    /// Renders the message and remediation from the catalogue entry and the evidence, within the
    /// finding's size budget: every evidence string is capped to [`TEXT_CHARS`], every list to
    /// [`SHOWN_ITEMS`] items and `… and N more`, and while the finding's JSON exceeds
    /// [`FINDING_JSON_BYTES`] its largest evidence field is replaced by a note of its size; the
    /// field [`EVIDENCE_CUT`] then names what was cut. The finding itself is never dropped.
    pub fn build(self) -> Finding {
        let entry = self.cause.code.entry();
        let viewer_impact = match (self.proposed, self.cause.impact_when_proposed) {
            (true, Some(proposed)) => proposed,
            _ => self.cause.impact,
        };
        // Bounded in place: the map keeps its keys and their hashes.
        let mut evidence = self.evidence;
        for value in evidence.values_mut() {
            *value = bounded(std::mem::take(value), 0);
        }
        let mut finding = Finding {
            code: self.cause.code,
            severity: self.severity.unwrap_or(self.cause.severity),
            distribution_id: self.distribution_id.map(|id| cap(&id, NAME_CHARS)),
            subject: cap(&self.subject, TEXT_CHARS),
            message: String::new(),
            remediation: Vec::new(),
            viewer_impact,
            evidence,
            docs: entry.docs.to_owned(),
            remembered: None,
            location: None,
        };
        finding.fill_texts(self.cause);
        finding.fit_budget(self.cause);
        finding
    }
}

impl Finding {
    /// The finding's JSON size in bytes, as `audit --format json` and the notifications carry it.
    pub fn json_size(&self) -> usize {
        json_bytes(self)
    }

    fn fill_texts(&mut self, cause: &Cause) {
        self.message = fill(cause.message, &self.evidence);
        self.remediation = cause
            .remediation
            .iter()
            .map(|step| fill(step, &self.evidence))
            .collect();
    }

    /// Cuts the largest evidence fields until the finding fits [`FINDING_JSON_BYTES`]; the texts are
    /// filled again after each cut (they quote the evidence), and capped last if still too long.
    fn fit_budget(&mut self, cause: &Cause) {
        // Nearly every finding fits by its lengths alone: no serialisation at all. Then one exact
        // count, and cuts only when it is over.
        if self.json_size_bound() <= FINDING_JSON_BYTES || self.json_size() <= FINDING_JSON_BYTES {
            return;
        }
        let mut cut: Vec<String> = Vec::new();
        while self.json_size() > FINDING_JSON_BYTES {
            let largest = self
                .evidence
                .iter()
                .filter(|(name, _)| name.as_str() != EVIDENCE_CUT && !cut.contains(name))
                .map(|(name, value)| (name.clone(), json_len(value)))
                .max_by_key(|(_, size)| *size);
            let Some((name, size)) = largest else { break };
            self.evidence.insert(
                name.clone(),
                Value::String(format!(
                    "(cut: {size} bytes, over the finding's {FINDING_JSON_BYTES}-byte budget)"
                )),
            );
            cut.push(name);
            self.fill_texts(cause);
        }
        if !cut.is_empty() {
            self.evidence.insert(
                EVIDENCE_CUT.to_owned(),
                Value::String(format!(
                    "{} cut to fit the finding's {FINDING_JSON_BYTES}-byte budget",
                    cut.join(", ")
                )),
            );
        }
        if self.json_size() > FINDING_JSON_BYTES {
            self.message = cap(&self.message, TEXT_CHARS);
            for step in &mut self.remediation {
                *step = cap(step, TEXT_CHARS);
            }
        }
    }
}

impl Finding {
    /// An upper bound of [`Finding::json_size`] from lengths alone: serde_json writes a string of `n`
    /// bytes in at most `6n + 2` (each byte as `\u00XX`, in quotes), a number in at most 32, and
    /// the rest is punctuation. The destructuring is exhaustive on purpose: a new field does not
    /// compile until it is counted here.
    fn json_size_bound(&self) -> usize {
        let Finding {
            code,
            severity: _,
            distribution_id,
            subject,
            message,
            evidence,
            viewer_impact: _,
            remediation,
            docs,
            remembered: _,
            location,
        } = self;
        // A field of this struct: its name in quotes, the colon and the comma.
        const FIELD: usize = 24;
        // The severity and viewer impact are short enum strings ("critical", "update-rejected").
        const ENUM_VALUE: usize = 24;
        let location = location.as_ref().map_or(0, |location| {
            6 * FIELD
                + str_bound(&location.file)
                + location.resource.as_deref().map_or(0, str_bound)
                + 2 * 12
        });
        2 + 11 * FIELD
            + str_bound(code.as_str())
            + 2 * ENUM_VALUE
            + distribution_id.as_deref().map_or(4, str_bound)
            + str_bound(subject)
            + str_bound(message)
            + str_bound(docs)
            + 2
            + remediation
                .iter()
                .map(|step| str_bound(step) + 1)
                .sum::<usize>()
            + map_bound(evidence)
            + location
    }
}

fn str_bound(text: &str) -> usize {
    6 * text.len() + 2
}

fn map_bound(map: &Map<String, Value>) -> usize {
    2 + map
        .iter()
        .map(|(key, value)| str_bound(key) + 2 + value_bound(value))
        .sum::<usize>()
}

fn value_bound(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 32,
        Value::String(text) => str_bound(text),
        Value::Array(items) => {
            2 + items
                .iter()
                .map(|item| value_bound(item) + 1)
                .sum::<usize>()
        }
        Value::Object(map) => map_bound(map),
    }
}

fn json_len(value: &Value) -> usize {
    json_bytes(value)
}

/// The size of `value`'s JSON, counted as serde_json writes it, without keeping it: building a
/// finding checks its size, and a copy of each finding's JSON costs an allocation per finding.
fn json_bytes<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value).map_or(usize::MAX, |()| counter.0)
}

/// An evidence value within its caps: strings to [`TEXT_CHARS`] (forbidden characters escaped),
/// lists to [`SHOWN_ITEMS`] and `… and N more`, objects to as many keys, nesting to a fixed depth.
fn bounded(value: Value, depth: usize) -> Value {
    if depth >= EVIDENCE_DEPTH && matches!(value, Value::Array(_) | Value::Object(_)) {
        return Value::String("(cut: nested too deep)".to_owned());
    }
    match value {
        Value::String(s) => Value::String(cap_owned(s, TEXT_CHARS)),
        Value::Array(items) => Value::Array(cut_list(
            items.into_iter().map(|item| bounded(item, depth + 1)),
            SHOWN_ITEMS,
            |item| item.as_str().and_then(more_count),
            |more| Value::String(and_more(more)),
        )),
        Value::Object(map) => {
            let total = map.len();
            let mut kept: Map<String, Value> = map
                .into_iter()
                .take(SHOWN_ITEMS)
                .map(|(key, item)| (cap_owned(key, NAME_CHARS), bounded(item, depth + 1)))
                .collect();
            if total > SHOWN_ITEMS {
                kept.insert("…".to_owned(), Value::String(and_more(total - SHOWN_ITEMS)));
            }
            Value::Object(kept)
        }
        other => other,
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
    use proptest::prelude::*;
    use serde_json::json;

    /// A finding with `text` everywhere a rule can put untrusted text: the subject, the location, an
    /// evidence string, list, nested object and key, next to numbers and booleans.
    fn finding_with(text: &str) -> Finding {
        let mut finding = Finding::builder(&crate::catalogue::HTTP_ALLOWED)
            .distribution(text)
            .subject(text)
            .evidence("behavior", text)
            .evidence("names", vec![text.to_owned(), format!("\"{text}\"")])
            .evidence("nested", json!({ text: [text, 1.5e300, -7, true, null] }))
            .evidence("days", u64::MAX)
            .build();
        finding.location = Some(Location {
            file: text.to_owned(),
            line: Some(u32::MAX),
            column: Some(u32::MAX),
            resource: Some(text.to_owned()),
        });
        finding
    }

    #[test]
    fn the_size_bound_never_understates_the_json_of_the_hostile_corpus() {
        for text in crate::untrusted::HOSTILE_CORPUS
            .iter()
            .copied()
            .chain(["", "\"\\"])
        {
            let finding = finding_with(text);
            assert!(
                finding.json_size_bound() >= finding.json_size(),
                "{text:?}: bound {} < size {}",
                finding.json_size_bound(),
                finding.json_size()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 500,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_size_bound_never_understates_the_json_of_any_text(text in "\\PC{0,64}|[\\x00-\\x1f\"\\\\]{0,64}") {
            let finding = finding_with(&text);
            prop_assert!(finding.json_size_bound() >= finding.json_size());
        }
    }

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
    fn evidence_of_any_size_fits_the_budget_and_says_what_was_cut() {
        let huge = "CN=".to_owned() + &"x".repeat(200_000);
        let sans: Vec<String> = (0..5_000).map(|i| format!("n{i}.example.com")).collect();
        let mut builder = Finding::builder(&crate::catalogue::HTTP_ALLOWED)
            .distribution("E1")
            .subject(huge.clone())
            .evidence("behavior", huge.clone())
            .evidence("sans", sans);
        for i in 0..40 {
            builder = builder.evidence(&format!("field_{i}"), vec![huge.clone(); 30]);
        }
        let finding = builder.build();
        assert!(
            finding.json_size() <= FINDING_JSON_BYTES,
            "{}",
            finding.json_size()
        );
        assert!(finding.subject.ends_with(" more characters]"));
        let sans = finding.evidence["sans"].as_array().unwrap();
        assert_eq!(sans.len(), SHOWN_ITEMS + 1);
        assert_eq!(sans[SHOWN_ITEMS], "… and 4980 more");
        let cut = finding.evidence[EVIDENCE_CUT].as_str().unwrap();
        assert!(cut.contains("budget"), "{cut}");
        assert!(!finding.message.is_empty());
    }

    #[test]
    fn severity_parses_case_insensitively_and_orders_by_badness() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    }
}
