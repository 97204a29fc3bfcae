//! One SNS publish ([`Notification`]): the subject, a text per audience and the message attributes,
//! all rendered from one [`Content`], and the `MessageStructure=json` envelope they travel in.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::attributes::{self, AttributeValue};
use super::content::{
    count, part_label, upper, Content, Scope, StandingKind, ACCOUNT_DISTRIBUTION_ID,
};
use super::pack::SIZE_BUDGET;
use super::text::subject as ascii_subject;
use super::{chat, email, machine};

/// SNS subjects must be shorter than 100 characters.
pub const SUBJECT_LIMIT: usize = 99;

/// One SNS publish: a subject, a text per protocol, and message attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The subject: ASCII, no control characters, 1 to 99 characters.
    pub subject: String,
    /// The plain-text email body.
    pub email: String,
    /// The chat notification (Amazon Q Developer custom schema), serialised JSON.
    pub https: String,
    /// The JSON report with its trigger, for `default`, `sqs` and `lambda`.
    pub default_json: String,
    /// Message attributes by name (see the module documentation of [`crate::notify`]).
    pub attributes: BTreeMap<String, AttributeValue>,
}

impl Notification {
    /// The `Message` for `MessageStructure=json`: a JSON object whose values are all strings.
    ///
    /// The report is written under `sqs` and `lambda` as well as `default`, so each protocol's content
    /// is explicit, unless the two extra copies would push the message over [`SIZE_BUDGET`]: then
    /// they are left out, and SNS delivers `default` (the same text) to those protocols, as it does
    /// for every protocol without its own key. Subscribers receive the same either way.
    pub fn message_json(&self) -> String {
        let full = self.envelope(true);
        if full.len() + self.attributes_size() <= SIZE_BUDGET {
            full
        } else {
            self.envelope(false)
        }
    }

    fn envelope(&self, explicit_machine_keys: bool) -> String {
        let mut envelope = Map::new();
        envelope.insert("default".into(), Value::String(self.default_json.clone()));
        envelope.insert("email".into(), Value::String(self.email.clone()));
        envelope.insert("https".into(), Value::String(self.https.clone()));
        if explicit_machine_keys {
            envelope.insert("sqs".into(), Value::String(self.default_json.clone()));
            envelope.insert("lambda".into(), Value::String(self.default_json.clone()));
        }
        // A map of strings always serialises.
        serde_json::to_string(&envelope).unwrap_or_default()
    }

    /// The subject and each attribute's name, data type and value.
    fn attributes_size(&self) -> usize {
        self.subject.len()
            + self
                .attributes
                .iter()
                .map(|(name, value)| name.len() + value.data_type().len() + value.encoded().len())
                .sum::<usize>()
    }

    /// Bytes SNS counts against its limit, as far as we can tell: the message, the subject, and each
    /// attribute's name, data type and value.
    pub fn sns_size(&self) -> usize {
        self.message_json().len() + self.attributes_size()
    }

    /// The attribute's value as SNS receives it, if present.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.attributes.get(name).map(AttributeValue::encoded)
    }
}

/// A rendered notification and how long its chat description wanted to be (before truncation), so
/// that packing can start a new part rather than cut the Slack list.
pub(crate) struct Built {
    /// The notification.
    pub(crate) notification: Notification,
    /// Characters the chat description needed.
    pub(crate) chat_wanted: usize,
}

/// Every audience's rendering of `content`.
pub(super) fn render(content: &Content<'_>) -> Built {
    let (https, chat_wanted) = chat::render(content);
    Built {
        notification: Notification {
            subject: subject(content),
            email: email::render(content),
            https,
            default_json: machine::render(content),
            attributes: attributes::of(content),
        },
        chat_wanted,
    }
}

/// The subject: the worst severity and what it concerns, cut so that the part label survives.
fn subject(content: &Content<'_>) -> String {
    let (core, fallback) = match content.standing.as_ref().map(|s| &s.kind) {
        Some(kind) => subject_with_state(content, kind),
        None => subject_without_state(content),
    };
    let suffix = part_label(content.part);
    let room = SUBJECT_LIMIT.saturating_sub(suffix.len());
    format!("{}{suffix}", ascii_subject(&core, room, fallback))
}

/// `[HIGH] E1 viewer-cert-expiring +1 more, 2 resolved`, `[RESOLVED] E1 …`, `[HIGH] E1 still
/// open: …`, `[CRITICAL] CloudFront TLS sweep: 2 new, 0 escalated, 1 resolved, 40 still open`.
fn subject_with_state(content: &Content<'_>, kind: &StandingKind<'_>) -> (String, &'static str) {
    let id = |content: &Content<'_>| match &content.scope {
        Scope::Distribution { id, .. } => id.unwrap_or(ACCOUNT_DISTRIBUTION_ID).to_owned(),
        Scope::Verified { id } => (*id).to_owned(),
        Scope::Digest { .. } => String::new(),
    };
    match kind {
        StandingKind::Digest(counts) => {
            let worst = match &content.scope {
                Scope::Digest { totals, .. } => totals.worst(),
                _ => content.worst,
            };
            let core = if counts.changed() {
                format!(
                    "[{}] CloudFront TLS sweep: {}, {} still open",
                    worst.map_or("OK", upper),
                    counts.changes_line(),
                    counts.still_open
                )
            } else {
                format!(
                    "[{}] CloudFront TLS sweep: still watching, no change, {} still open",
                    worst.map_or("OK", upper),
                    counts.still_open
                )
            };
            (core, "[CloudFront TLS] sweep digest")
        }
        StandingKind::Reminder => {
            let mut core = format!(
                "[{}] {} still open",
                content.worst.map_or("INFO", upper),
                id(content)
            );
            with_codes(&mut core, &content.codes);
            (core, "[CloudFront TLS] reminder")
        }
        StandingKind::Changes { .. } => {
            let core = if content.findings.is_empty() {
                let mut resolved: Vec<String> =
                    content.resolved.iter().map(|r| r.code.clone()).collect();
                resolved.dedup();
                let mut core = format!("[RESOLVED] {}", id(content));
                with_codes(&mut core, &resolved);
                core
            } else {
                let mut core = format!("[{}] {}", content.worst.map_or("INFO", upper), id(content));
                with_codes(&mut core, &content.codes);
                if !content.resolved.is_empty() {
                    let _ = write!(core, ", {} resolved", content.resolved.len());
                }
                core
            };
            (core, "[CloudFront TLS] change")
        }
        StandingKind::Unchanged { still_open } => (
            format!(
                "[NO CHANGE] {}: no TLS change after {}, {} still open",
                id(content),
                content.trigger.kind,
                still_open
            ),
            "[NO CHANGE] CloudFront TLS verified",
        ),
    }
}

/// ` viewer-cert-expired +2 more`: the first code and how many others.
fn with_codes(core: &mut String, codes: &[String]) {
    if let Some(first) = codes.first() {
        let _ = write!(core, " {first}");
    }
    if codes.len() > 1 {
        let _ = write!(core, " +{} more", codes.len() - 1);
    }
}

/// The subject of a message of a run without state.
fn subject_without_state(content: &Content<'_>) -> (String, &'static str) {
    match &content.scope {
        // The worst severity, the id, the worst code, how many more.
        Scope::Distribution { id, .. } => {
            let mut core = format!(
                "[{}] {}",
                content.worst.map_or("INFO", upper),
                id.unwrap_or(ACCOUNT_DISTRIBUTION_ID)
            );
            with_codes(&mut core, &content.codes);
            (core, "[CloudFront TLS] finding")
        }
        Scope::Digest { totals, .. } => (
            format!(
                "[{}] CloudFront TLS sweep: {} of {} failing",
                totals.worst().map_or("OK", upper),
                totals.failing,
                count(content.distributions_audited, "distribution"),
            ),
            "[CloudFront TLS] sweep digest",
        ),
        Scope::Verified { id } => (
            format!("[OK] {id}: no TLS findings after {}", content.trigger.kind),
            "[OK] CloudFront TLS verified",
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::notify::fixtures::*;
    use crate::notify::*;
    use crate::report::Report;
    use serde_json::Value;

    #[test]
    fn the_envelope_has_a_string_for_every_protocol() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let envelope = parse(&note.message_json());
        let object = envelope.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["default", "email", "https", "sqs", "lambda"]);
        assert!(object.values().all(Value::is_string));
        assert_eq!(envelope["sqs"], envelope["default"]);
        assert_eq!(envelope["lambda"], envelope["default"]);
        assert_eq!(envelope["https"].as_str(), Some(note.https.as_str()));
        assert!(note.sns_size() > note.message_json().len());
    }

    #[test]
    fn subjects_are_ascii_short_and_never_empty() {
        let long_id = format!("E{}é\n", "X".repeat(150));
        let report = Report::new(vec![http_allowed(&long_id)], 1, vec![]);
        let note = &per_distribution(&report, &TriggerSummary::new("", ""), Severity::Low)[0];
        assert!(note.subject.len() <= SUBJECT_LIMIT, "{}", note.subject);
        assert!(note.subject.is_ascii());
        assert!(!note.subject.chars().any(|c| c.is_control()));
        assert!(note.subject.starts_with("[MEDIUM] EXXX"));
        assert!(note.subject.ends_with("..."));
        assert_eq!(
            note.attribute(ATTRIBUTE_TRIGGER).as_deref(),
            Some("unknown")
        );
        // The console link cannot be bent by an odd id.
        assert!(console_url(Some("E1/../x?y#z")).ends_with("/distributions/E1%2F..%2Fx%3Fy%23z"));
    }
}
