//! Typed reads of the plan's JSON: absent and null are `None`, any other wrong type is a
//! [`PlanError::WrongType`] naming the path, so a hostile plan is an error, never a panic.

use serde_json::{Map, Value};

use super::error::{json_type, PlanError};

/// A JSON object of the plan.
pub(super) type Object = Map<String, Value>;

/// `path.key`, or `key` at the root.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The error for `value` at `path` not being `expected`.
pub(super) fn wrong_type(path: String, expected: &'static str, value: &Value) -> PlanError {
    PlanError::WrongType {
        path,
        expected,
        found: json_type(value),
    }
}

/// `value` as an object.
pub(super) fn as_object<'a>(value: &'a Value, path: &str) -> Result<&'a Object, PlanError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(wrong_type(path.to_owned(), "an object", other)),
    }
}

/// The object at `map[key]`.
pub(super) fn object<'a>(
    map: &'a Object,
    key: &str,
    path: &str,
) -> Result<Option<&'a Object>, PlanError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => Ok(Some(inner)),
        Some(other) => Err(wrong_type(join(path, key), "an object", other)),
    }
}

/// The array at `map[key]`.
pub(super) fn array<'a>(
    map: &'a Object,
    key: &str,
    path: &str,
) -> Result<Option<&'a [Value]>, PlanError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(wrong_type(join(path, key), "an array", other)),
    }
}

/// The string at `map[key]`.
pub(super) fn string<'a>(
    map: &'a Object,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, PlanError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(wrong_type(join(path, key), "a string", other)),
    }
}

/// A string that is set and not blank (Terraform writes `""` for unset optional strings).
pub(super) fn non_blank<'a>(
    map: &'a Object,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, PlanError> {
    Ok(string(map, key, path)?.filter(|text| !text.trim().is_empty()))
}
