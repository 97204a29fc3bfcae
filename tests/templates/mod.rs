//! The repository's CloudFormation templates as JSON values, for the template tests
//! (`tests/template_events.rs`, `tests/template_organization.rs`): read with saphyr's event parser,
//! every scalar a string, CloudFormation's short-form tags in their long form (`!Ref X` →
//! `{"Ref": "X"}`, `!Sub s` → `{"Fn::Sub": s}`).

use std::path::Path;

use saphyr_parser::{Event, Parser};
use serde_json::{json, Map, Value};

/// The template `name` (relative to the repository) as JSON.
pub fn read(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    yaml_to_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A node being built: a sequence, or a mapping with the key waiting for its value.
enum Open {
    Sequence(Vec<Value>),
    Mapping(Map<String, Value>, Option<String>),
}

/// One YAML document as JSON: every scalar a string, a tagged node `{"Ref" | "Fn::<tag>": node}`.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut stack: Vec<(Open, Option<String>)> = Vec::new();
    let mut done: Option<Value> = None;
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, _) = event.map_err(|e| e.to_string())?;
        let (value, tag) = match event {
            Event::Scalar(text, _, _, tag) => (
                Value::String(text.into_owned()),
                tag.map(|t| t.suffix.clone()),
            ),
            Event::SequenceStart(_, tag) => {
                stack.push((Open::Sequence(Vec::new()), tag.map(|t| t.suffix.clone())));
                continue;
            }
            Event::MappingStart(_, tag) => {
                stack.push((
                    Open::Mapping(Map::new(), None),
                    tag.map(|t| t.suffix.clone()),
                ));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((Open::Sequence(items), tag)) => (Value::Array(items), tag),
                Some((Open::Mapping(entries, _), tag)) => (Value::Object(entries), tag),
                None => return Err("unbalanced YAML events".to_owned()),
            },
            Event::Alias(_) => return Err("the templates use no aliases".to_owned()),
            _ => continue,
        };
        let value = match tag.as_deref() {
            None => value,
            Some("Ref") => json!({ "Ref": value }),
            Some(other) => json!({ format!("Fn::{other}"): value }),
        };
        match stack.last_mut() {
            None => done = Some(value),
            Some((Open::Sequence(items), _)) => items.push(value),
            Some((Open::Mapping(entries, key), _)) => match key.take() {
                None => *key = Some(value.as_str().ok_or("a key that is not text")?.to_owned()),
                Some(key) => {
                    if entries.insert(key.clone(), value).is_some() {
                        return Err(format!("duplicate key {key}"));
                    }
                }
            },
        }
    }
    done.ok_or_else(|| "no document".to_owned())
}
