//! Parameters: the values of a `--parameters` file, and the template's `Parameters` section turned
//! into the values `Ref` sees (the file's value, else the `Default`, else unknown, with the reason).

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::{echo, TemplateError, TemplateFault, START};
use super::limits::MAX_TEMPLATE_BYTES;
use super::node::Node;
use super::resolve::ParameterValue;
use crate::gate::Position;

/// The most parameters a file may give: CloudFormation allows 200 per template.
pub const MAX_PARAMETERS: usize = 1_000;

/// Reads a `--parameters` file: the AWS CLI's `[{"ParameterKey": …, "ParameterValue": …}]`, a
/// CodePipeline template configuration `{"Parameters": {"Name": "value"}}`, a bare
/// `{"Name": "value"}`, or SAM's `["Name=value"]`. Numbers and booleans are taken as their text, a
/// list as its comma-joined items (how CloudFormation passes a `CommaDelimitedList`).
pub fn read_parameters(text: &str, file: &str) -> Result<BTreeMap<String, String>, TemplateError> {
    let refuse = |at: Position, fault: TemplateFault| TemplateError::new(file, at, fault);
    let shape = |what: String| refuse(START, TemplateFault::Parameters { what });
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(refuse(
            START,
            TemplateFault::TooLarge {
                size: text.len(),
                limit: MAX_TEMPLATE_BYTES,
            },
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|error| {
        refuse(
            Position {
                line: u32::try_from(error.line()).unwrap_or(u32::MAX),
                column: u32::try_from(error.column()).unwrap_or(u32::MAX),
            },
            TemplateFault::Syntax {
                message: error.to_string(),
            },
        )
    })?;
    let mut parameters = BTreeMap::new();
    let mut add = |key: &str, value: &Value| -> Result<(), TemplateError> {
        if parameters.len() >= MAX_PARAMETERS {
            return Err(shape(format!("more than {MAX_PARAMETERS} parameters")));
        }
        let value = parameter_text(value)
            .ok_or_else(|| shape(format!("parameter {} has no string value", echo(key))))?;
        parameters.insert(key.to_owned(), value);
        Ok(())
    };
    match &value {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(pair) => {
                        let (key, value) = pair
                            .split_once('=')
                            .ok_or_else(|| shape(format!("{} is not Name=value", echo(pair))))?;
                        add(key.trim(), &Value::String(value.to_owned()))?;
                    }
                    Value::Object(object) => {
                        let key = object
                            .get("ParameterKey")
                            .and_then(Value::as_str)
                            .ok_or_else(|| shape("an item has no ParameterKey".to_owned()))?;
                        if object.get("UsePreviousValue") == Some(&Value::Bool(true)) {
                            return Err(shape(format!(
                                "parameter {} asks for UsePreviousValue, which only the deployed \
                                 stack knows; give its ParameterValue",
                                echo(key)
                            )));
                        }
                        let value = object.get("ParameterValue").ok_or_else(|| {
                            shape(format!("parameter {} has no ParameterValue", echo(key)))
                        })?;
                        add(key, value)?;
                    }
                    _ => {
                        return Err(shape(
                            "an item is neither an object nor Name=value".to_owned(),
                        ))
                    }
                }
            }
        }
        Value::Object(object) => {
            let object = match object.get("Parameters") {
                Some(Value::Object(inner)) => inner,
                Some(_) => return Err(shape("`Parameters` is not an object".to_owned())),
                None => object,
            };
            for (key, value) in object {
                add(key, value)?;
            }
        }
        _ => {
            return Err(shape(
                "the top level is neither a list nor an object".to_owned(),
            ))
        }
    }
    Ok(parameters)
}

fn parameter_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Array(items) => items
            .iter()
            .map(parameter_text)
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}

/// The values `Ref` sees for each declared parameter.
pub(crate) fn declared(
    section: Option<&Node>,
    given: &BTreeMap<String, String>,
) -> BTreeMap<String, ParameterValue> {
    let mut values = BTreeMap::new();
    for entry in section.and_then(Node::entries).unwrap_or_default() {
        let name = &entry.key;
        let kind = entry
            .value
            .get("Type")
            .and_then(Node::text)
            .unwrap_or("String");
        let value = if kind.starts_with("AWS::SSM::Parameter::Value<") {
            ParameterValue::Unknown(format!(
                "parameter {} is read from Systems Manager Parameter Store when deploying",
                echo(name)
            ))
        } else {
            let text = given.get(name).cloned().or_else(|| {
                entry
                    .value
                    .get("Default")
                    .and_then(|default| match default.entries() {
                        Some(_) => None,
                        None => default
                            .text()
                            .map(str::to_owned)
                            .or_else(|| list_text(default)),
                    })
            });
            match text {
                None => ParameterValue::Unknown(format!(
                    "parameter {} has no value and no Default (pass it with --parameters)",
                    echo(name)
                )),
                Some(text) if kind == "CommaDelimitedList" || kind.starts_with("List<") => {
                    ParameterValue::List(
                        text.split(',').map(|item| item.trim().to_owned()).collect(),
                    )
                }
                Some(text) => ParameterValue::Text(text),
            }
        };
        values.insert(name.clone(), value);
    }
    values
}

/// A `Default` written as a YAML list, as the comma-joined text CloudFormation would take.
fn list_text(node: &Node) -> Option<String> {
    match &node.kind {
        super::node::NodeKind::Sequence(items) => items
            .iter()
            .map(|item| item.text().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}
