//! Untrusted text, made safe to echo: every string a payload or a file chose is shortened and has its
//! control characters escaped before it reaches an error, a log line or a notification, because those
//! end up in terminals, CloudWatch and mail clients, and the sender is whoever may invoke the function
//! or open a pull request.

use serde_json::{Map, Value};

/// How many characters of an untrusted string appear in an error or an ignore reason about an event.
pub(super) const ECHO_CHARS: usize = 80;

/// How many characters of an untrusted ARN or URL appear in an ignore reason: a whole real one (a
/// listener ARN is about 150 characters), so the reader sees which resource was meant.
pub(super) const ARN_ECHO_CHARS: usize = 200;

/// How many characters of a context field (an ARN, an error message) are kept in a
/// [`super::Cause`].
const CONTEXT_CHARS: usize = 1024;

/// How many object keys [`describe`] lists before it counts the rest.
const SHOWN_KEYS: usize = 6;

/// An untrusted string for an error or a log line: shortened to [`ECHO_CHARS`] and quoted with escapes.
pub(super) fn echo(text: &str) -> String {
    quote(text, ECHO_CHARS)
}

/// An untrusted string shortened to `max_chars` and quoted with Rust's escapes; `…` after the closing
/// quote says that the value went on.
pub(super) fn quote(text: &str, max_chars: usize) -> String {
    let short: String = text.chars().take(max_chars).collect();
    let mut quoted = format!("{short:?}");
    if text.chars().count() > max_chars {
        quoted.push('…');
    }
    quoted
}

/// Shortened with forbidden characters ([`crate::untrusted::is_forbidden`]: controls, bidi and
/// invisible marks, line separators) escaped, unquoted: for fields kept as data.
pub(super) fn escape_clip(text: &str, max_chars: usize) -> String {
    let short: String = text.chars().take(max_chars).collect();
    let mut out = crate::untrusted::escape_forbidden(&short);
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

/// A context field kept in a [`super::Cause`]: bounded, control characters escaped.
pub(super) fn clip(text: &str) -> String {
    escape_clip(text, CONTEXT_CHARS)
}

/// A value's kind for an error about an event, with scalars shown as [`echo`] shows them.
pub(super) fn describe(value: &Value) -> String {
    describe_within(value, ECHO_CHARS)
}

/// A value's kind for an error, with scalars (and object keys) shortened to `max_chars` and escaped,
/// e.g. `the string "yes"`, `an array of 2 items`, `an object with keys "ETag", "Foo"`.
pub(super) fn describe_within(value: &Value, max_chars: usize) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", escape_clip(&n.to_string(), max_chars)),
        Value::String(s) => format!("the string {}", quote(s, max_chars)),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) => describe_object_within(map, max_chars),
    }
}

/// An object for an error: empty, or its first keys (shortened to `max_chars` and quoted) and how
/// many more there are.
pub(super) fn describe_object_within(map: &Map<String, Value>, max_chars: usize) -> String {
    if map.is_empty() {
        return "an empty object".to_owned();
    }
    let mut keys: Vec<String> = map
        .keys()
        .take(SHOWN_KEYS)
        .map(|key| quote(key, max_chars))
        .collect();
    if map.len() > SHOWN_KEYS {
        keys.push(format!("and {} more", map.len() - SHOWN_KEYS));
    }
    format!("an object with keys {}", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn echoes_are_short_quoted_and_escaped() {
        let hostile = format!("\u{1b}[31m{}\n", "x".repeat(200));
        let echoed = echo(&hostile);
        assert!(echoed.starts_with("\"\\u{1b}[31m"), "{echoed}");
        assert!(echoed.ends_with("\"…"), "{echoed}");
        assert!(!echoed.contains('\u{1b}') && !echoed.contains('\n'));
        assert_eq!(echo("short"), "\"short\"");
        assert_eq!(escape_clip("a\nb", 2), "a\\n…");
    }

    #[test]
    fn values_are_described_by_kind() {
        assert_eq!(describe(&json!(null)), "null");
        assert_eq!(describe(&json!(7)), "the number 7");
        assert_eq!(describe(&json!([1, 2])), "an array of 2 items");
        assert_eq!(describe(&json!({})), "an empty object");
        assert_eq!(
            describe_within(&json!({"abcdef": 1}), 3),
            "an object with keys \"abc\"…"
        );
    }
}
