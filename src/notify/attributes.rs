//! Message attributes, for subscription filter policies (the table is in [`crate::notify`]).

use std::collections::BTreeMap;

use super::content::{non_empty, Content, Scope, ACCOUNT_DISTRIBUTION_ID};
use super::text::plain;

/// Attribute: the highest severity in the message.
pub const ATTRIBUTE_SEVERITY: &str = "severity";
/// Attribute: the distribution concerned.
pub const ATTRIBUTE_DISTRIBUTION_ID: &str = "distribution_id";
/// Attribute: the distinct finding codes (String.Array).
pub const ATTRIBUTE_CODES: &str = "codes";
/// Attribute: what triggered the audit.
pub const ATTRIBUTE_TRIGGER: &str = "trigger";
/// Attribute: `distribution`, `digest` or `verified`.
pub const ATTRIBUTE_NOTIFICATION: &str = "notification";
/// Attribute (String.Array, runs with state only): what changed, among `new`, `escalated`,
/// `resolved` and `reminder`, most significant first.
pub const ATTRIBUTE_TRANSITION: &str = "transition";

/// A message attribute value, as SNS types them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// `DataType=String`.
    String(String),
    /// `DataType=String.Array`: SNS takes it as a JSON array in a string value.
    StringArray(Vec<String>),
}

impl AttributeValue {
    /// The SNS `DataType`.
    pub fn data_type(&self) -> &'static str {
        match self {
            AttributeValue::String(_) => "String",
            AttributeValue::StringArray(_) => "String.Array",
        }
    }

    /// The `StringValue` SNS receives (a JSON array for `String.Array`).
    pub fn encoded(&self) -> String {
        match self {
            AttributeValue::String(value) => value.clone(),
            // A list of strings always serialises; the fallback keeps the value a valid empty array.
            AttributeValue::StringArray(values) => {
                serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
            }
        }
    }
}

/// The attributes of `content`: severity and codes when it lists findings (severity: of what it
/// resolved when it lists only that), the distribution unless it is a digest (which covers many),
/// what changed when the run had state, the trigger and the kind of notification always.
pub(super) fn of(content: &Content<'_>) -> BTreeMap<String, AttributeValue> {
    let mut attributes = BTreeMap::new();
    if let Some(worst) = content.worst_spoken_of() {
        attributes.insert(
            ATTRIBUTE_SEVERITY.to_owned(),
            AttributeValue::String(worst.as_str().to_owned()),
        );
    }
    if !content.codes.is_empty() {
        let mut sorted = content.codes.clone();
        sorted.sort();
        attributes.insert(
            ATTRIBUTE_CODES.to_owned(),
            AttributeValue::StringArray(sorted),
        );
    }
    let distribution = match &content.scope {
        Scope::Distribution { id, .. } => Some(id.unwrap_or(ACCOUNT_DISTRIBUTION_ID)),
        Scope::Verified { id } => Some(*id),
        Scope::Digest { .. } => None,
    };
    if let Some(id) = distribution {
        attributes.insert(
            ATTRIBUTE_DISTRIBUTION_ID.to_owned(),
            AttributeValue::String(non_empty(plain(id), ACCOUNT_DISTRIBUTION_ID)),
        );
    }
    let transitions = content.transitions();
    if !transitions.is_empty() {
        attributes.insert(
            ATTRIBUTE_TRANSITION.to_owned(),
            AttributeValue::StringArray(transitions.into_iter().map(str::to_owned).collect()),
        );
    }
    attributes.insert(
        ATTRIBUTE_TRIGGER.to_owned(),
        AttributeValue::String(content.trigger.attribute()),
    );
    attributes.insert(
        ATTRIBUTE_NOTIFICATION.to_owned(),
        AttributeValue::String(content.scope.name().to_owned()),
    );
    attributes
}
