//! Intrinsic functions, resolved as far as they can be before deploying: parameters (given with
//! `--parameters`, else their `Default`), pseudo parameters, `Fn::Sub`, `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`, `Fn::Base64` over known values, and `Fn::If` when its condition
//! evaluates. What only deploying can tell (an import, a resource's attribute, a parameter without a
//! value) becomes [`Resolved::Unknown`] with the reason in the user's terms: the caller records it,
//! never a guess.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use super::error::{echo, Fault};
use super::limits::{MAX_CONDITION_DEPTH, MAX_RESOLVED_BYTES, MAX_RESOLVED_ITEMS};
use super::node::{Entry, Node, NodeKind};
use crate::gate::Position;

/// The resource type whose `Ref` is its certificate ARN.
pub(crate) const CERTIFICATE_TYPE: &str = "AWS::CertificateManager::Certificate";

/// A value after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A scalar (numbers and booleans stay text, as CloudFormation passes them).
    Text(String),
    /// YAML's null (`null`, `~`, nothing).
    Null,
    /// `AWS::NoValue`: the property is removed.
    NoValue,
    /// A list.
    List(Vec<Item>),
    /// A mapping.
    Map(Vec<Field>),
    /// The ARN of a certificate declared in this template (`!Ref Certificate`), by logical id.
    Certificate(String),
    /// Not knowable before deploying.
    Unknown(Why),
}

/// One item of a resolved list, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// Where the item is written.
    pub(crate) at: Position,
    /// Its value.
    pub(crate) value: Resolved,
}

/// One field of a resolved mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// The key.
    pub(crate) key: String,
    /// Where the key is written.
    pub(crate) key_at: Position,
    /// Its value.
    pub(crate) value: Resolved,
}

/// Why a value is unknown before deploying, and where the cause is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Why {
    /// The reason, in the user's terms.
    pub(crate) reason: String,
    /// Where the unresolvable expression is.
    pub(crate) at: Position,
    /// The string as far as it is known, each unknown part as [`UNKNOWN_PART`]
    /// (`arn:aws:acm:eu-west-1:{{unresolved}}:certificate/…` from an `Fn::Sub` or `Fn::Join`
    /// over an unknown account): enough to judge a certificate ARN's region.
    pub(crate) partial: Option<String>,
}

/// What stands for an unknown part of a [`Why::partial`] string.
pub(crate) const UNKNOWN_PART: &str = "{{unresolved}}";

impl Resolved {
    fn unknown(at: Position, reason: String) -> Resolved {
        Resolved::Unknown(Why {
            reason,
            at,
            partial: None,
        })
    }

    /// The field `key` of a resolved mapping (CloudFormation's keys are case-sensitive).
    pub(crate) fn field(&self, key: &str) -> Option<&Field> {
        match self {
            Resolved::Map(fields) => fields.iter().find(|field| field.key == key),
            _ => None,
        }
    }
}

/// A parameter's value as the template will see it.
#[derive(Debug, Clone)]
pub(crate) enum ParameterValue {
    /// A string (String, Number, and the AWS-specific types that are strings).
    Text(String),
    /// A list (`CommaDelimitedList`, `List<…>`).
    List(Vec<String>),
    /// Not knowable: the reason.
    Unknown(String),
}

/// A condition's truth before deploying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Truth {
    /// Evaluated.
    Known(bool),
    /// Depends on something unknown: the reason.
    Unknown(String),
}

/// Everything intrinsics resolve against: one per template.
pub(crate) struct Scope<'t> {
    /// Parameters by name.
    pub(crate) parameters: BTreeMap<String, ParameterValue>,
    /// `AWS::Region`, when given.
    pub(crate) region: Option<String>,
    /// `AWS::AccountId`, when given.
    pub(crate) account: Option<String>,
    /// Resource types by logical id.
    pub(crate) resources: BTreeMap<String, String>,
    /// The `Mappings` section.
    pub(crate) mappings: Option<&'t Node>,
    /// The `Conditions` section.
    pub(crate) conditions: Option<&'t Node>,
    /// Conditions evaluated so far (memoised: each is evaluated once).
    truths: RefCell<BTreeMap<String, Truth>>,
    /// How many condition evaluations are under way, nested.
    depth: Cell<usize>,
}

impl<'t> Scope<'t> {
    /// A scope with no conditions evaluated yet.
    pub(crate) fn new(
        parameters: BTreeMap<String, ParameterValue>,
        region: Option<String>,
        account: Option<String>,
        resources: BTreeMap<String, String>,
        mappings: Option<&'t Node>,
        conditions: Option<&'t Node>,
    ) -> Scope<'t> {
        Scope {
            parameters,
            region,
            account,
            resources,
            mappings,
            conditions,
            truths: RefCell::new(BTreeMap::new()),
            depth: Cell::new(0),
        }
    }

    /// Resolves a node and everything under it.
    pub(crate) fn resolve(&self, node: &Node) -> Result<Resolved, Fault> {
        match &node.kind {
            NodeKind::Scalar { text, plain } => Ok(if *plain && is_null(text) {
                Resolved::Null
            } else {
                Resolved::Text(text.clone())
            }),
            NodeKind::Sequence(items) => {
                let mut resolved = Vec::with_capacity(items.len());
                for item in items {
                    match self.resolve(item)? {
                        Resolved::NoValue => {}
                        value => resolved.push(Item { at: item.at, value }),
                    }
                }
                Ok(Resolved::List(resolved))
            }
            NodeKind::Mapping(entries) => {
                if let [entry] = entries.as_slice() {
                    if entry.key == "Ref" || entry.key.starts_with("Fn::") {
                        return self.intrinsic(entry, node.at);
                    }
                }
                let mut fields = Vec::with_capacity(entries.len());
                for entry in entries {
                    match self.resolve(&entry.value)? {
                        Resolved::NoValue => {}
                        value => fields.push(Field {
                            key: entry.key.clone(),
                            key_at: entry.key_at,
                            value,
                        }),
                    }
                }
                Ok(Resolved::Map(fields))
            }
        }
    }

    fn intrinsic(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let argument = &entry.value;
        match entry.key.as_str() {
            "Ref" => {
                let name = literal(argument, entry, "the name of a parameter or a resource")?;
                Ok(self.reference(name, at))
            }
            "Fn::GetAtt" => self.get_att(entry, at),
            "Fn::ImportValue" => {
                let what = self.describe_argument(entry)?;
                Ok(Resolved::unknown(
                    at,
                    format!("{what}: another stack's export, known only when deploying"),
                ))
            }
            "Fn::Sub" => self.sub(entry, at),
            "Fn::Join" => self.join(entry, at),
            "Fn::Select" => self.select(entry, at),
            "Fn::Split" => self.split(entry, at),
            "Fn::FindInMap" => self.find_in_map(entry, at),
            "Fn::If" => self.if_(entry, at),
            "Fn::Base64" => Ok(match self.text(argument, entry)? {
                Ok(text) => Resolved::Text(base64(text.as_bytes())),
                Err(why) => Resolved::Unknown(why),
            }),
            other => Ok(Resolved::unknown(
                at,
                format!(
                    "`{}`: not evaluated before deploying",
                    echo(&written_name(other, entry.short_form))
                ),
            )),
        }
    }

    /// `Ref`: a parameter, a pseudo parameter or a resource.
    fn reference(&self, name: &str, at: Position) -> Resolved {
        if let Some(value) = self.parameters.get(name) {
            return match value {
                ParameterValue::Text(text) => Resolved::Text(text.clone()),
                ParameterValue::List(items) => Resolved::List(
                    items
                        .iter()
                        .map(|item| Item {
                            at,
                            value: Resolved::Text(item.clone()),
                        })
                        .collect(),
                ),
                ParameterValue::Unknown(reason) => Resolved::unknown(at, reason.clone()),
            };
        }
        match name {
            "AWS::NoValue" => return Resolved::NoValue,
            "AWS::Region" => {
                return match &self.region {
                    Some(region) => Resolved::Text(region.clone()),
                    None => Resolved::unknown(
                        at,
                        "`AWS::Region`: the stack's region, not given (pass --region)".to_owned(),
                    ),
                }
            }
            "AWS::AccountId" => return match &self.account {
                Some(account) => Resolved::Text(account.clone()),
                None => Resolved::unknown(
                    at,
                    "`AWS::AccountId`: the account the stack is deployed in (pass --account-id)"
                        .to_owned(),
                ),
            },
            "AWS::Partition" => return Resolved::Text(self.partition().0.to_owned()),
            "AWS::URLSuffix" => return Resolved::Text(self.partition().1.to_owned()),
            _ => {}
        }
        if name.starts_with("AWS::") {
            return Resolved::unknown(at, format!("`{}`: known only when deploying", echo(name)));
        }
        match self.resources.get(name) {
            Some(kind) if kind == CERTIFICATE_TYPE => Resolved::Certificate(name.to_owned()),
            Some(kind) => Resolved::unknown(
                at,
                format!(
                    "`!Ref {}`: the id of resource {} ({}), known only after deploying",
                    echo(name),
                    echo(name),
                    echo(kind)
                ),
            ),
            None => Resolved::unknown(
                at,
                format!(
                    "`!Ref {}`: neither a parameter nor a resource of this template",
                    echo(name)
                ),
            ),
        }
    }

    /// The partition and URL suffix of the stack region (the standard partition without one).
    fn partition(&self) -> (&'static str, &'static str) {
        match self.region.as_deref() {
            Some(region) if region.starts_with("cn-") => ("aws-cn", "amazonaws.com.cn"),
            Some(region) if region.starts_with("us-gov-") => ("aws-us-gov", "amazonaws.com"),
            _ => ("aws", "amazonaws.com"),
        }
    }

    fn get_att(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let (resource, attribute) =
            match &entry.value.kind {
                NodeKind::Scalar { text, .. } => match text.split_once('.') {
                    Some((resource, attribute)) => (resource.to_owned(), attribute.to_owned()),
                    None => {
                        return Err(Fault::malformed(
                            entry.value.at,
                            "Fn::GetAtt takes `Resource.Attribute` or [Resource, Attribute]",
                        ))
                    }
                },
                NodeKind::Sequence(items) => match items.as_slice() {
                    [resource, attribute] => {
                        let resource = literal(resource, entry, "a resource's logical id")?;
                        let attribute = match self.text(attribute, entry)? {
                            Ok(attribute) => attribute,
                            Err(why) => return Ok(Resolved::Unknown(why)),
                        };
                        (resource.to_owned(), attribute)
                    }
                    _ => {
                        return Err(Fault::malformed(
                            entry.value.at,
                            "Fn::GetAtt takes two items: [Resource, Attribute]",
                        ))
                    }
                },
                NodeKind::Mapping(_) => return Err(Fault::malformed(
                    entry.value.at,
                    "Fn::GetAtt takes `Resource.Attribute` or [Resource, Attribute], not a mapping",
                )),
            };
        let written = format!(
            "`{}{}.{}`",
            if entry.short_form {
                "!GetAtt "
            } else {
                "Fn::GetAtt: "
            },
            echo(&resource),
            echo(&attribute)
        );
        Ok(Resolved::unknown(
            at,
            match self.resources.get(&resource) {
                Some(kind) if is_custom_resource(kind) => format!(
                    "{written}: an output of custom resource {}, known only after it runs",
                    echo(&resource)
                ),
                Some(kind) => format!(
                    "{written}: an attribute of {} ({}), known only after deploying",
                    echo(&resource),
                    echo(kind)
                ),
                None => format!(
                    "{written}: {} is not a resource of this template",
                    echo(&resource)
                ),
            },
        ))
    }

    fn sub(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let (template, variables) = match &entry.value.kind {
            NodeKind::Scalar { text, .. } => (text.as_str(), None),
            NodeKind::Sequence(items) => match items.as_slice() {
                [template, variables] => (
                    literal(template, entry, "a string")?,
                    Some(variables.entries().ok_or_else(|| {
                        Fault::malformed(
                            variables.at,
                            "Fn::Sub's second item is a mapping of variables",
                        )
                    })?),
                ),
                _ => {
                    return Err(Fault::malformed(
                        entry.value.at,
                        "Fn::Sub takes a string, or [String, {Variables}]",
                    ))
                }
            },
            NodeKind::Mapping(_) => {
                return Err(Fault::malformed(
                    entry.value.at,
                    "Fn::Sub takes a string, or [String, {Variables}]",
                ))
            }
        };
        let mut out = Parts::default();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.text.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            // `${!Literal}` is written out as `${Literal}`.
            if let Some(literal) = name.strip_prefix('!') {
                out.text.push_str("${");
                out.text.push_str(literal);
                out.text.push('}');
                continue;
            }
            let name = name.trim();
            let value = match variables.and_then(|vars| vars.iter().find(|v| v.key == name)) {
                Some(variable) => self.resolve(&variable.value)?,
                None => match name.split_once('.') {
                    Some(_)
                        if !self.parameters.contains_key(name) && !name.starts_with("AWS::") =>
                    {
                        let attribute = Entry {
                            key: "Fn::GetAtt".to_owned(),
                            key_at: at,
                            value: Node {
                                at,
                                kind: NodeKind::Scalar {
                                    text: name.to_owned(),
                                    plain: false,
                                },
                                extent: Default::default(),
                            },
                            short_form: true,
                        };
                        self.get_att(&attribute, at)?
                    }
                    _ => self.reference(name, at),
                },
            };
            out.push(value, at, name);
            if out.text.len() > MAX_RESOLVED_BYTES {
                return Err(too_long(at));
            }
        }
        out.text.push_str(rest);
        Ok(out.finish())
    }

    fn join(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let [delimiter, list] = pair(entry, "Fn::Join takes [Delimiter, [Values]]")?;
        let delimiter = literal(delimiter, entry, "a delimiter string")?;
        let items = match self.resolve(list)? {
            Resolved::List(items) => items,
            Resolved::Unknown(why) => return Ok(Resolved::Unknown(why)),
            _ => {
                return Err(Fault::malformed(
                    list.at,
                    "Fn::Join's second item is a list",
                ))
            }
        };
        let mut out = Parts::default();
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                out.text.push_str(delimiter);
            }
            out.push(item.value, item.at, "an item of Fn::Join");
            if out.text.len() > MAX_RESOLVED_BYTES {
                return Err(too_long(at));
            }
        }
        Ok(out.finish())
    }

    fn select(&self, entry: &Entry, _at: Position) -> Result<Resolved, Fault> {
        let [index, list] = pair(entry, "Fn::Select takes [Index, [Values]]")?;
        let index = match self.text(index, entry)? {
            Ok(index) => index,
            Err(why) => return Ok(Resolved::Unknown(why)),
        };
        let index: usize = index.trim().parse().map_err(|_| {
            Fault::malformed(
                entry.value.at,
                "Fn::Select's index is a whole number from 0",
            )
        })?;
        match self.resolve(list)? {
            Resolved::List(items) => items
                .into_iter()
                .nth(index)
                .map(|item| item.value)
                .ok_or_else(|| {
                    Fault::malformed(
                        list.at,
                        format!("Fn::Select's index {index} is past the list's end"),
                    )
                }),
            Resolved::Unknown(why) => Ok(Resolved::Unknown(why)),
            _ => Err(Fault::malformed(
                list.at,
                "Fn::Select's second item is a list",
            )),
        }
    }

    fn split(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let [delimiter, source] = pair(entry, "Fn::Split takes [Delimiter, String]")?;
        let delimiter = literal(delimiter, entry, "a delimiter string")?;
        if delimiter.is_empty() {
            return Err(Fault::malformed(
                entry.value.at,
                "Fn::Split's delimiter is empty",
            ));
        }
        let source = match self.text(source, entry)? {
            Ok(source) => source,
            Err(why) => return Ok(Resolved::Unknown(why)),
        };
        let mut items = Vec::new();
        for part in source.split(delimiter) {
            if items.len() >= MAX_RESOLVED_ITEMS {
                return Err(Fault::malformed(
                    at,
                    format!("Fn::Split makes more than {MAX_RESOLVED_ITEMS} items"),
                ));
            }
            items.push(Item {
                at,
                value: Resolved::Text(part.to_owned()),
            });
        }
        Ok(Resolved::List(items))
    }

    fn find_in_map(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let NodeKind::Sequence(arguments) = &entry.value.kind else {
            return Err(Fault::malformed(
                entry.value.at,
                "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
            ));
        };
        let [map, top, second] = arguments.as_slice() else {
            return Err(Fault::malformed(
                entry.value.at,
                "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
            ));
        };
        let mut keys = Vec::with_capacity(3);
        for key in [map, top, second] {
            match self.text(key, entry)? {
                Ok(key) => keys.push(key),
                Err(why) => return Ok(Resolved::Unknown(why)),
            }
        }
        let found = self
            .mappings
            .and_then(|mappings| mappings.get(&keys[0]))
            .and_then(|map| map.get(&keys[1]))
            .and_then(|top| top.get(&keys[2]));
        match found {
            Some(node) => self.resolve(node),
            None => Err(Fault::malformed(
                at,
                format!(
                    "Fn::FindInMap: Mappings has no {} > {} > {}",
                    echo(&keys[0]),
                    echo(&keys[1]),
                    echo(&keys[2])
                ),
            )),
        }
    }

    fn if_(&self, entry: &Entry, at: Position) -> Result<Resolved, Fault> {
        let NodeKind::Sequence(arguments) = &entry.value.kind else {
            return Err(Fault::malformed(
                entry.value.at,
                "Fn::If takes [Condition, ValueIfTrue, ValueIfFalse]",
            ));
        };
        let [condition, if_true, if_false] = arguments.as_slice() else {
            return Err(Fault::malformed(
                entry.value.at,
                "Fn::If takes [Condition, ValueIfTrue, ValueIfFalse]",
            ));
        };
        let name = literal(condition, entry, "a condition's name")?;
        match self.condition(name, condition.at)? {
            Truth::Known(true) => self.resolve(if_true),
            Truth::Known(false) => self.resolve(if_false),
            Truth::Unknown(reason) => Ok(Resolved::unknown(
                at,
                format!(
                    "`{} {}`: the condition depends on {reason}",
                    if entry.short_form { "!If" } else { "Fn::If" },
                    echo(name)
                ),
            )),
        }
    }

    /// A condition of the `Conditions` section, evaluated once.
    pub(crate) fn condition(&self, name: &str, at: Position) -> Result<Truth, Fault> {
        if let Some(truth) = self.truths.borrow().get(name) {
            return Ok(truth.clone());
        }
        let Some(expression) = self.conditions.and_then(|conditions| conditions.get(name)) else {
            return Err(Fault::malformed(
                at,
                format!("condition {} is not in the Conditions section", echo(name)),
            ));
        };
        let depth = self.depth.get();
        if depth >= MAX_CONDITION_DEPTH {
            return Err(Fault::malformed(
                at,
                format!(
                    "conditions refer to conditions more than {MAX_CONDITION_DEPTH} deep (or in a cycle)"
                ),
            ));
        }
        self.depth.set(depth + 1);
        let truth = self.truth(expression);
        self.depth.set(depth);
        let truth = truth?;
        self.truths
            .borrow_mut()
            .insert(name.to_owned(), truth.clone());
        Ok(truth)
    }

    /// A condition expression: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`.
    fn truth(&self, node: &Node) -> Result<Truth, Fault> {
        let entry = match node.entries() {
            Some([entry]) => entry,
            _ => {
                return Err(Fault::malformed(
                    node.at,
                    "a condition is Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition",
                ))
            }
        };
        let operands = || match &entry.value.kind {
            NodeKind::Sequence(items) => Ok(items.as_slice()),
            _ => Err(Fault::malformed(
                entry.value.at,
                format!("{} takes a list", entry.key),
            )),
        };
        match entry.key.as_str() {
            "Condition" => {
                let name = literal(&entry.value, entry, "a condition's name")?;
                self.condition(name, entry.value.at)
            }
            "Fn::Equals" => {
                let [left, right] = operands()? else {
                    return Err(Fault::malformed(entry.value.at, "Fn::Equals takes two values"));
                };
                match (self.resolve(left)?, self.resolve(right)?) {
                    (Resolved::Unknown(why), _) | (_, Resolved::Unknown(why)) => {
                        Ok(Truth::Unknown(why.reason))
                    }
                    (left, right) => Ok(Truth::Known(same(&left, &right))),
                }
            }
            "Fn::Not" => {
                let [operand] = operands()? else {
                    return Err(Fault::malformed(entry.value.at, "Fn::Not takes one condition"));
                };
                Ok(match self.truth(operand)? {
                    Truth::Known(value) => Truth::Known(!value),
                    unknown => unknown,
                })
            }
            "Fn::And" | "Fn::Or" => {
                let is_and = entry.key == "Fn::And";
                let mut unknown = None;
                for operand in operands()? {
                    match self.truth(operand)? {
                        // And is decided by a false, Or by a true, whatever the unknown ones are.
                        Truth::Known(value) if value != is_and => return Ok(Truth::Known(value)),
                        Truth::Known(_) => {}
                        Truth::Unknown(reason) => unknown = unknown.or(Some(reason)),
                    }
                }
                Ok(match unknown {
                    Some(reason) => Truth::Unknown(reason),
                    None => Truth::Known(is_and),
                })
            }
            other => Err(Fault::malformed(
                entry.key_at,
                format!(
                    "{} is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)",
                    echo(other)
                ),
            )),
        }
    }

    /// A node that must resolve to text: the text, or why it is unknown.
    fn text(&self, node: &Node, entry: &Entry) -> Result<Result<String, Why>, Fault> {
        match self.resolve(node)? {
            Resolved::Text(text) => Ok(Ok(text)),
            Resolved::Unknown(why) => Ok(Err(why)),
            Resolved::Certificate(id) => Ok(Err(certificate_arn_unknown(&id, node.at))),
            other => Err(Fault::malformed(
                node.at,
                format!(
                    "{} expects a string here, not {}",
                    entry.key,
                    describe(&other)
                ),
            )),
        }
    }

    /// An intrinsic's argument as the user wrote it, for a reason: `!ImportValue SharedCertArn`.
    fn describe_argument(&self, entry: &Entry) -> Result<String, Fault> {
        let argument = match self.text(&entry.value, entry)? {
            Ok(text) => echo(&text),
            Err(_) => "…".to_owned(),
        };
        Ok(format!(
            "`{} {argument}`",
            echo(&written_name(&entry.key, entry.short_form))
        ))
    }
}

/// `!ImportValue` for `Fn::ImportValue` when the template used the short form.
fn written_name(long_name: &str, short_form: bool) -> String {
    match long_name.strip_prefix("Fn::") {
        Some(short) if short_form => format!("!{short}"),
        _ => long_name.to_owned(),
    }
}

/// The two items of an intrinsic that takes a pair.
fn pair<'n>(entry: &'n Entry, usage: &str) -> Result<&'n [Node; 2], Fault> {
    match &entry.value.kind {
        NodeKind::Sequence(items) => <&[Node; 2]>::try_from(items.as_slice())
            .map_err(|_| Fault::malformed(entry.value.at, usage)),
        _ => Err(Fault::malformed(entry.value.at, usage)),
    }
}

/// An argument CloudFormation requires as a literal string (a `Ref`'s name, a delimiter).
fn literal<'n>(node: &'n Node, entry: &Entry, what: &str) -> Result<&'n str, Fault> {
    node.text().ok_or_else(|| {
        Fault::malformed(
            node.at,
            format!("{} expects {what} here, not {}", entry.key, node.describe()),
        )
    })
}

/// A value that should have been text in a string function: unknown stays unknown, the rest is
/// malformed for CloudFormation too, but reported as unknown rather than failing the whole template.
fn not_text(value: Resolved, at: Position, name: &str) -> Resolved {
    match value {
        Resolved::Unknown(why) => Resolved::Unknown(why),
        Resolved::Certificate(id) => Resolved::Unknown(certificate_arn_unknown(&id, at)),
        other => Resolved::unknown(
            at,
            format!("`{}` is {}, not a string", echo(name), describe(&other)),
        ),
    }
}

fn certificate_arn_unknown(id: &str, at: Position) -> Why {
    Why {
        reason: format!(
            "the ARN of certificate {} inside a string, known only after deploying",
            echo(id)
        ),
        at,
        partial: None,
    }
}

/// A string built of parts, some unknown: the first unknown part's reason, and the string with
/// every unknown part as [`UNKNOWN_PART`].
#[derive(Default)]
struct Parts {
    text: String,
    unknown: Option<Why>,
}

impl Parts {
    fn push(&mut self, value: Resolved, at: Position, name: &str) {
        match value {
            Resolved::Text(text) => self.text.push_str(&text),
            other => {
                self.text.push_str(UNKNOWN_PART);
                if self.unknown.is_none() {
                    if let Resolved::Unknown(why) = not_text(other, at, name) {
                        self.unknown = Some(why);
                    }
                }
            }
        }
    }

    fn finish(self) -> Resolved {
        match self.unknown {
            None => Resolved::Text(self.text),
            Some(why) => Resolved::Unknown(Why {
                partial: Some(self.text),
                ..why
            }),
        }
    }
}

fn describe(value: &Resolved) -> &'static str {
    match value {
        Resolved::Text(_) => "a string",
        Resolved::Null => "null",
        Resolved::NoValue => "AWS::NoValue",
        Resolved::List(_) => "a list",
        Resolved::Map(_) => "a mapping",
        Resolved::Certificate(_) => "a certificate ARN",
        Resolved::Unknown(_) => "unknown",
    }
}

fn too_long(at: Position) -> Fault {
    Fault::malformed(
        at,
        format!("the string built here is over {MAX_RESOLVED_BYTES} bytes"),
    )
}

/// Values compare by content, not by where they are written.
fn same(left: &Resolved, right: &Resolved) -> bool {
    match (left, right) {
        (Resolved::List(left), Resolved::List(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| same(&left.value, &right.value))
        }
        (Resolved::Map(left), Resolved::Map(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| left.key == right.key && same(&left.value, &right.value))
        }
        (left, right) => left == right,
    }
}

/// YAML's plain nulls.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Custom resources: `AWS::CloudFormation::CustomResource` and `Custom::Name`.
fn is_custom_resource(kind: &str) -> bool {
    kind == "AWS::CloudFormation::CustomResource" || kind.starts_with("Custom::")
}

/// Standard base64 with padding, as `Fn::Base64` produces.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// [`base64`], for the tests.
#[cfg(test)]
pub(crate) fn tests_base64(text: &str) -> String {
    base64(text.as_bytes())
}
