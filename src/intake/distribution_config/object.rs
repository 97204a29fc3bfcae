//! One object of a DistributionConfig, read by CloudFront field name: keys match in any ASCII case
//! (the CLI writes `ACMCertificateArn`, CloudTrail `aCMCertificateArn`), null and blank strings count
//! as unset, numbers and booleans may arrive quoted, and every value keeps its path for the error.

use serde_json::{Map, Value};

use super::super::json::bool_text;
use super::super::untrusted::describe_within;
use super::ConfigError;

/// How many characters of an untrusted value a config error shows: the error's path already says
/// where, so a short excerpt is enough.
pub(super) const FOUND_CHARS: usize = 40;

/// A JSON object and its path from the document root, in the document's own key spelling so that
/// the path in an error can be pasted into `jq`.
pub(super) struct ConfigObject<'a> {
    /// The object itself.
    pub(super) map: &'a Map<String, Value>,
    /// Its path, empty for the document root.
    pub(super) path: String,
}

/// One element of a list, with its path.
pub(super) struct ListItem<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> ListItem<'a> {
    /// The element as an object, or the error saying it is not one.
    pub(super) fn object(&self) -> Result<ConfigObject<'a>, ConfigError> {
        match self.value {
            Value::Object(map) => Ok(ConfigObject {
                map,
                path: self.path.clone(),
            }),
            other => Err(wrong_type(&self.path, "an object", other)),
        }
    }
}

impl<'a> ConfigObject<'a> {
    /// Looks up a field by its CloudFront name, ignoring ASCII case. Null counts as absent (CloudTrail
    /// and hand-written files use it for unset). Returns the value and its path.
    fn get(&self, field: &'static str) -> Result<Option<(&'a Value, String)>, ConfigError> {
        let mut matches = self
            .map
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(field));
        let Some((key, value)) = matches.next() else {
            return Ok(None);
        };
        if let Some((second, _)) = matches.next() {
            return Err(ConfigError::DuplicateKey {
                path: self.path.clone(),
                field,
                first: key.clone(),
                second: second.clone(),
            });
        }
        if value.is_null() {
            return Ok(None);
        }
        // The key equals an ASCII field name up to case, so it is short and safe to echo in messages.
        let path = if self.path.is_empty() {
            key.clone()
        } else {
            format!("{}.{key}", self.path)
        };
        Ok(Some((value, path)))
    }

    /// Whether the object has the field in any casing, even as null.
    pub(super) fn has(&self, field: &'static str) -> bool {
        self.map.keys().any(|key| key.eq_ignore_ascii_case(field))
    }

    /// The error for a required `field` this object lacks.
    pub(super) fn missing(&self, field: &'static str) -> ConfigError {
        ConfigError::MissingField {
            path: self.path.clone(),
            field,
        }
    }

    /// An object-valued field.
    pub(super) fn object(
        &self,
        field: &'static str,
    ) -> Result<Option<ConfigObject<'a>>, ConfigError> {
        match self.get(field)? {
            None => Ok(None),
            Some((Value::Object(map), path)) => Ok(Some(ConfigObject { map, path })),
            Some((other, path)) => Err(wrong_type(&path, "an object", other)),
        }
    }

    /// A string; empty or blank counts as unset because the API returns "" for unset fields.
    /// A set value is returned exactly as given: enum values CloudFront adds later must survive.
    pub(super) fn string(&self, field: &'static str) -> Result<Option<String>, ConfigError> {
        match self.get(field)? {
            None => Ok(None),
            Some((value, path)) => string_value(value, &path),
        }
    }

    /// A string CloudFront requires: absent, null or blank is [`ConfigError::MissingField`].
    pub(super) fn required_string(&self, field: &'static str) -> Result<String, ConfigError> {
        self.string(field)?.ok_or_else(|| self.missing(field))
    }

    /// An i32 from a number or a numeric string (CloudTrail and some tools quote numbers).
    pub(super) fn integer(&self, field: &'static str) -> Result<Option<i32>, ConfigError> {
        match self.get(field)? {
            None => Ok(None),
            Some((value, path)) => integer_value(value, &path),
        }
    }

    /// A bool from a JSON boolean or the strings "true"/"false" (any case).
    pub(super) fn boolean(&self, field: &'static str) -> Result<Option<bool>, ConfigError> {
        const EXPECTED: &str = "a boolean (true or false)";
        match self.get(field)? {
            None => Ok(None),
            Some((Value::Bool(b), _)) => Ok(Some(*b)),
            Some((Value::String(s), path)) => {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                bool_text(s)
                    .map(Some)
                    .ok_or_else(|| wrong_type(&path, EXPECTED, &Value::String(s.to_owned())))
            }
            Some((other, path)) => Err(wrong_type(&path, EXPECTED, other)),
        }
    }

    /// A CloudFront list: `{"Quantity": N, "Items": [..]}`, or a bare array. `Items` may be left out
    /// when the quantity is 0 (the CLI does that); it may not be left out when items are promised.
    pub(super) fn list(
        &self,
        field: &'static str,
    ) -> Result<Option<Vec<ListItem<'a>>>, ConfigError> {
        const EXPECTED: &str = "a list ({\"Quantity\": N, \"Items\": [...]} or an array)";
        let Some((value, path)) = self.get(field)? else {
            return Ok(None);
        };
        let (items, items_path) = match value {
            Value::Array(items) => (items, path),
            Value::Object(map) => {
                let wrapper = ConfigObject { map, path };
                match wrapper.get("Items")? {
                    Some((Value::Array(items), items_path)) => (items, items_path),
                    Some((other, items_path)) => {
                        return Err(wrong_type(&items_path, "an array", other))
                    }
                    None => {
                        return match wrapper.integer("Quantity")? {
                            Some(quantity) if quantity > 0 => Err(wrapper.missing("Items")),
                            _ => Ok(Some(Vec::new())),
                        }
                    }
                }
            }
            other => return Err(wrong_type(&path, EXPECTED, other)),
        };
        Ok(Some(
            items
                .iter()
                .enumerate()
                .map(|(index, value)| ListItem {
                    value,
                    path: format!("{items_path}[{index}]"),
                })
                .collect(),
        ))
    }

    /// A list of strings; empty strings are dropped like any other unset value.
    pub(super) fn string_list(&self, field: &'static str) -> Result<Vec<String>, ConfigError> {
        let mut strings = Vec::new();
        for item in self.list(field)?.unwrap_or_default() {
            if let Some(s) = string_value(item.value, &item.path)? {
                strings.push(s);
            }
        }
        Ok(strings)
    }
}

fn string_value(value: &Value, path: &str) -> Result<Option<String>, ConfigError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(wrong_type(path, "a string", other)),
    }
}

fn integer_value(value: &Value, path: &str) -> Result<Option<i32>, ConfigError> {
    const EXPECTED: &str =
        "an integer from -2147483648 to 2147483647 (a number or a numeric string)";
    let parsed = match value {
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<i32>().ok(),
        _ => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| wrong_type(path, EXPECTED, value))
}

fn wrong_type(path: &str, expected: &'static str, found: &Value) -> ConfigError {
    ConfigError::WrongType {
        path: path.to_owned(),
        expected,
        found: describe_within(found, FOUND_CHARS),
    }
}
