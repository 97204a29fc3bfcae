//! Lenient readers for JSON whose shape varies by sender: context fields that may be absent, null, of
//! the wrong type, or a number quoted as a string, and must not cost the event; plus the one way a
//! serde_json syntax error is reported.

use serde_json::{Map, Value};

use super::TriggerError;

/// Why a JSON text was not read: too large to parse, or not JSON. Each entry point turns it into its
/// own error, whose message says what that input should have been.
pub(crate) enum JsonRefusal {
    /// Over the limit; refused before parsing so a hostile input costs nothing.
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not JSON (truncated, not UTF-8, or nested deeper than serde_json's 128 levels).
    Syntax {
        /// One-based line, as serde_json reports it.
        line: usize,
        /// One-based column, as serde_json reports it.
        column: usize,
        /// serde_json's description, without its position suffix (the error says where separately).
        message: String,
    },
}

/// Parses `input` as JSON if it is at most `limit` bytes. The size is checked first: the point is not
/// to spend time or memory on a hostile input. serde_json refuses nesting deeper than 128 levels, so
/// a deep document is an error, not a stack overflow.
pub(crate) fn parse_bounded(input: &[u8], limit: usize) -> Result<Value, JsonRefusal> {
    if input.len() > limit {
        return Err(JsonRefusal::TooLarge {
            size: input.len(),
            limit,
        });
    }
    serde_json::from_slice(input).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let full = error.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        JsonRefusal::Syntax {
            line,
            column,
            message,
        }
    })
}

/// A non-empty string, or `None` for anything else: for context fields whose absence or malformation
/// should not cost the event.
pub(super) fn lenient_string(value: Option<&Value>) -> Option<&str> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// A boolean from `true`/`false` or the strings "TRUE"/"FALSE" (any case): the ACM docs show
/// placeholders, and the real type is unconfirmed.
pub(super) fn lenient_bool(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => bool_text(s),
        _ => None,
    }
}

/// `true` or `false` spelt as a string in any case, as CloudTrail, ACM and hand-written files do.
pub(super) fn bool_text(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An integer from a number (a whole float is accepted) or a numeric string.
pub(super) fn lenient_integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string-valued field of an event; absent and null are `None` (decided later), any other kind is an
/// error naming the field.
pub(super) fn optional_str<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    context: &str,
) -> Result<Option<&'a str>, TriggerError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(TriggerError::wrong_type(context, field, "a string", other)),
    }
}

/// An object-valued field; absent and null are `None` (a refused call's `responseElements` is null).
/// `path` is the field's full JSON path, for the error.
pub(super) fn optional_object<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    path: &str,
    context: &str,
) -> Result<Option<&'a Map<String, Value>>, TriggerError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(other) => Err(TriggerError::wrong_type(context, path, "an object", other)),
    }
}
