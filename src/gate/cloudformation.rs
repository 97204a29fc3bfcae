//! CloudFormation and SAM templates, YAML or JSON (the output of `cdk synth` is CloudFormation JSON),
//! read into a [`Stack`]: every `AWS::CloudFront::Distribution` with the places of its properties,
//! every `AWS::CertificateManager::Certificate`, and every value that only deploying can tell.
//!
//! One idea per file: the positioned tree (`node`) and the YAML/JSON parser that builds it within
//! bounds (`yaml`, `limits`); intrinsic functions and conditions (`resolve`); parameters
//! (`parameters`); a distribution (`distribution`) and a certificate (`certificate`); errors
//! (`error`). Nothing here calls AWS.

use std::collections::BTreeMap;

mod certificate;
mod distribution;
mod error;
mod limits;
mod node;
mod parameters;
mod resolve;
#[cfg(test)]
mod tests;
mod yaml;

pub use distribution::UNRESOLVED_NAME;
pub use error::{TemplateError, TemplateFault};
pub use limits::{
    MAX_CONDITION_DEPTH, MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_NODES, MAX_RESOLVED_BYTES,
    MAX_RESOLVED_ITEMS, MAX_TEMPLATE_BYTES,
};
pub use parameters::{read_parameters, MAX_PARAMETERS};

use super::{InputKind, Stack, Unresolved};
use error::{Fault, START};
use node::Node;
use resolve::{Scope, Truth, CERTIFICATE_TYPE};

/// The resource type of a distribution.
const DISTRIBUTION_TYPE: &str = "AWS::CloudFront::Distribution";

/// The transform of SAM templates: it adds serverless resources, never a distribution, so its
/// templates are read as they are.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// What a template is read with, beyond its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInputs {
    /// Parameter values (`--parameters FILE`), over the template's `Default`s.
    pub parameters: BTreeMap<String, String>,
    /// The stack's region (`--region`): `AWS::Region`, and where declared certificates are created.
    pub region: Option<String>,
    /// The account deployed to: `AWS::AccountId`.
    pub account: Option<String>,
}

/// Whether `text` looks like a template: YAML or JSON with `Resources` or
/// `AWSTemplateFormatVersion` at its top level. Cheap (a line scan for YAML); for detection only,
/// [`read_template`] decides.
pub fn looks_like_template(text: &str) -> bool {
    const KEYS: [&str; 2] = ["Resources", "AWSTemplateFormatVersion"];
    if looks_like_json(text) {
        return match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
            Ok(object) => KEYS.iter().any(|key| object.contains_key(*key)),
            // Not JSON serde_json reads (a trailing comma, deep nesting): the keys as text, so
            // that the template reader says where the syntax is wrong.
            Err(_) => KEYS.iter().any(|key| text.contains(&format!("\"{key}\""))),
        };
    }
    // A top-level YAML key starts its line, unquoted or quoted.
    text.lines().any(|line| {
        let line = line.trim_start_matches(['"', '\'']);
        KEYS.iter().any(|key| {
            line.strip_prefix(key)
                .map(|rest| {
                    rest.trim_start_matches(['"', '\''])
                        .trim_start()
                        .starts_with(':')
                })
                .unwrap_or(false)
        })
    })
}

/// How the key of an `Fn::ForEach` loop among `Resources` starts.
const FOR_EACH_PREFIX: &str = "Fn::ForEach::";

/// Reads a template. `file` is how the user named it (it prefixes every error's `line:column`).
/// Distributions and certificates come in file order; under a `Condition` that evaluates false a
/// resource is not read (it will not be deployed); under one that cannot be evaluated it is read,
/// and an [`Unresolved`] says it may not be deployed.
pub fn read_template(
    text: &str,
    file: &str,
    inputs: &TemplateInputs,
) -> Result<Stack, TemplateError> {
    read(text, inputs)
        .map_err(|fault| fault.in_file(file))
        .map(|mut stack| {
            stack.file = file.to_owned();
            stack
        })
}

fn read(text: &str, inputs: &TemplateInputs) -> Result<Stack, Fault> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(Fault {
            at: START,
            fault: TemplateFault::TooLarge {
                size: text.len(),
                limit: MAX_TEMPLATE_BYTES,
            },
        });
    }
    let root = parse(text)?;
    let resources = root
        .get("Resources")
        .ok_or_else(|| not_a_template(&root, "the top level has no `Resources`"))?;
    let Some(entries) = resources.entries() else {
        return Err(not_a_template(resources, "`Resources` is not a mapping"));
    };
    let mut types = BTreeMap::new();
    let mut loops = Vec::new();
    for entry in entries {
        // `Fn::ForEach::Name` (the AWS::LanguageExtensions transform) generates resources at
        // deploy time: not expanded here, and said so.
        if entry.key.starts_with(FOR_EACH_PREFIX) {
            loops.push(Unresolved {
                resource: entry.key.clone(),
                property: "Fn::ForEach".to_owned(),
                reason: "the resources an `Fn::ForEach` loop generates (AWS::LanguageExtensions) \
                         are made when the stack is deployed"
                    .to_owned(),
                unchecked: "the distributions and certificates the loop generates".to_owned(),
                at: Some(entry.key_at),
            });
            continue;
        }
        let kind = entry
            .value
            .get("Type")
            .and_then(Node::text)
            .ok_or_else(|| {
                Fault::malformed(
                    entry.key_at,
                    format!("resource {} has no Type", error::echo(&entry.key)),
                )
            })?;
        types.insert(entry.key.clone(), kind.to_owned());
    }
    let scope = Scope::new(
        parameters::declared(root.get("Parameters"), &inputs.parameters),
        inputs.region.clone(),
        inputs.account.clone(),
        types,
        root.get("Mappings"),
        root.get("Conditions"),
    );
    let mut stack = Stack {
        file: String::new(),
        kind: InputKind::Cloudformation,
        distributions: Vec::new(),
        certificates: Vec::new(),
        unresolved: transforms(&root),
    };
    stack.unresolved.extend(loops);
    for entry in entries {
        if entry.key.starts_with(FOR_EACH_PREFIX) {
            continue;
        }
        let kind = entry
            .value
            .get("Type")
            .and_then(Node::text)
            .unwrap_or_default();
        if kind != DISTRIBUTION_TYPE && kind != CERTIFICATE_TYPE {
            continue;
        }
        if let Some(condition) = entry.value.entry("Condition") {
            let name = condition.value.text().ok_or_else(|| {
                Fault::malformed(
                    condition.value.at,
                    "a resource's Condition is a condition's name",
                )
            })?;
            match scope.condition(name, condition.value.at)? {
                Truth::Known(false) => continue,
                Truth::Known(true) => {}
                Truth::Unknown(reason) => stack.unresolved.push(Unresolved {
                    resource: entry.key.clone(),
                    property: "Condition".to_owned(),
                    reason: format!("condition {} depends on {reason}", error::echo(name)),
                    unchecked:
                        "whether this resource is deployed at all: it is checked as if it were"
                            .to_owned(),
                    at: Some(condition.key_at),
                }),
            }
        }
        let properties = match entry.value.get("Properties") {
            Some(properties) => scope.resolve(properties)?,
            None => resolve::Resolved::Map(Vec::new()),
        };
        if let resolve::Resolved::Unknown(why) = &properties {
            stack.unresolved.push(Unresolved {
                resource: entry.key.clone(),
                property: "Properties".to_owned(),
                reason: why.reason.clone(),
                unchecked: "the whole resource".to_owned(),
                at: Some(why.at),
            });
            continue;
        }
        if kind == DISTRIBUTION_TYPE {
            let reading = distribution::read(&entry.key, entry.key_at, &properties)?;
            stack.distributions.extend(reading.proposed);
            stack.unresolved.extend(reading.unresolved);
        } else {
            let (declared, unresolved) = certificate::read(
                &entry.key,
                entry.key_at,
                &properties,
                inputs.region.as_deref(),
            );
            stack.certificates.push(declared);
            stack.unresolved.extend(unresolved);
        }
    }
    // File order: the entries of one resource were recorded as found, resources in order.
    stack.unresolved.sort_by_key(|unresolved| unresolved.at);
    Ok(stack)
}

fn not_a_template(node: &Node, what: &str) -> Fault {
    Fault {
        at: node.at,
        fault: TemplateFault::NotATemplate {
            what: what.to_owned(),
        },
    }
}

/// Macros other than SAM's rewrite the template when deploying: what they add is not seen.
fn transforms(root: &Node) -> Vec<Unresolved> {
    let Some(transform) = root.entry("Transform") else {
        return Vec::new();
    };
    let names: Vec<String> = match &transform.value.kind {
        node::NodeKind::Sequence(items) => items
            .iter()
            .map(|item| item.text().unwrap_or("a macro with parameters").to_owned())
            .collect(),
        node::NodeKind::Scalar { text, .. } => vec![text.clone()],
        node::NodeKind::Mapping(_) => vec!["a macro with parameters".to_owned()],
    };
    names
        .into_iter()
        .filter(|name| name != SAM_TRANSFORM)
        .map(|name| Unresolved {
            resource: "Transform".to_owned(),
            property: "Transform".to_owned(),
            reason: format!(
                "the macro {} rewrites the template when deploying",
                error::echo(&name)
            ),
            unchecked: "any distribution or certificate the macro adds or changes".to_owned(),
            at: Some(transform.key_at),
        })
        .collect()
}

/// Parses YAML or JSON. JSON's UTF-16 surrogate pairs (`\ud83d\ude00`, as Python's `json.dumps`
/// writes) are not YAML escapes: they are rewritten as YAML's `\U0001f600` first. A JSON file the
/// YAML parser refuses is reported with serde_json's own message when serde_json refuses it too.
fn parse(text: &str) -> Result<Node, Fault> {
    if !looks_like_json(text) {
        return yaml::parse(text);
    }
    let rewritten = join_surrogate_pairs(text);
    yaml::parse(&rewritten).map_err(
        |fault| match serde_json::from_str::<serde_json::Value>(text) {
            Err(error) if error.to_string().contains("recursion limit") => Fault {
                at: fault.at,
                fault: TemplateFault::TooDeep {
                    limit: limits::MAX_DEPTH,
                },
            },
            Err(error) if matches!(fault.fault, TemplateFault::Syntax { .. }) => Fault {
                at: super::Position {
                    line: u32::try_from(error.line()).unwrap_or(u32::MAX),
                    column: u32::try_from(error.column()).unwrap_or(u32::MAX),
                },
                fault: TemplateFault::Syntax {
                    message: format!("invalid JSON: {error}"),
                },
            },
            _ => fault,
        },
    )
}

fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Rewrites `\uD8xx\uDCxx` escapes inside JSON strings as one `\UXXXXXXXX` (the line keeps its
/// length but for two characters per pair, so later columns on that line shift by two).
fn join_surrogate_pairs(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u") && !text.contains("\\U") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(index) = rest.find('\\') {
        out.push_str(&rest[..index]);
        let escape = &rest[index..];
        if let Some(pair) = surrogate_pair(escape) {
            out.push_str(&format!("\\U{pair:08X}"));
            rest = &escape[12..];
        } else {
            // Copy the backslash and the character it escapes, so `\\u…` stays as it is.
            let mut chars = escape.chars();
            let _ = chars.next();
            let escaped = chars.next().map(char::len_utf8).unwrap_or(0);
            out.push_str(&escape[..1 + escaped]);
            rest = &escape[1 + escaped..];
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The code point of `\uHIGH\uLOW` at the start of `escape`, if it is a valid surrogate pair.
fn surrogate_pair(escape: &str) -> Option<u32> {
    let unit = |at: usize| -> Option<u32> {
        let hex = escape.get(at..at + 6)?;
        let digits = hex.strip_prefix("\\u")?;
        u32::from_str_radix(digits, 16).ok()
    };
    let high = unit(0)?;
    let low = unit(6)?;
    ((0xD800..0xDC00).contains(&high) && (0xDC00..0xE000).contains(&low))
        .then(|| 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
}
