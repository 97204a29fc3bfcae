//! A test interpreter of the subset of Amazon States Language (JSONPath) the template's state
//! machine uses (issue 14), so that the organization sweep runs offline over the definition that
//! deploys, with the real function behind each Task.
//!
//! What it runs: `Task` (`arn:aws:states:::lambda:invoke`, `Parameters`, the result wrapped as
//! Step Functions wraps it: `{"ExecutedVersion","Payload","SdkHttpMetadata","SdkResponseMetadata",
//! "StatusCode":200}`, `ResultSelector`, `ResultPath`, `OutputPath`, `Retry`, `Catch`), `Map`
//! (inline, or `ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED` with `ItemReader` from
//! `s3:getObject` JSON, `ItemSelector`, `ItemBatcher`, `ToleratedFailurePercentage`/`Count`,
//! `ResultWriter` writing the manifest and result files in Step Functions' format), `Pass`,
//! `Succeed`, `Fail`; the context object's `Execution`, `StateMachine`, `State` and
//! `Map.Item.Index`/`Value`. Paths: `$`, `$.a.b`, `$$.a.b` only.
//!
//! Deliberately strict where Step Functions fails at run time with `States.Runtime` (a path that is
//! absent, a payload template that names one): that error names the state and the path, and is
//! never caught or retried, inside a Map's child too (Step Functions would fail only that child):
//! it is the check that every state's paths line up with what the function reads and returns.
//! Anything outside the subset (another state type or resource, JSONata, intrinsic functions,
//! `[…]` paths) is the same error, never a guess.
//!
//! Simplifications, none of which the sweep depends on: Map children run one after another
//! (`MaxConcurrency` is validated and recorded, not applied); retry delays are computed (backoff
//! rate, `MaxDelaySeconds`) and recorded in the trace, never slept (`JitterStrategy: FULL` is
//! recorded as such); timeouts are not enforced; the tolerated failure threshold is judged after
//! each failed child over the total item count, and the children not started when it is exceeded
//! are left out of the result files. Numeric fields accept a JSON number or a string of digits (a
//! whole `${Name}` placeholder substituted in a YAML `Definition`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{json, Map, Value};

/// The region and account of every ARN the interpreter makes.
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
/// The one Task resource the subset has.
const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";
/// A fixed clock: timestamps in results and the context object.
const TIMESTAMP: &str = "2026-12-07T06:00:00.000Z";
/// The resource types the loader accepts.
const STATE_MACHINE_TYPES: [&str; 2] = [
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
];

/// What a Task's function reported instead of a result: Step Functions' error name
/// (`Lambda.TooManyRequestsException`, the function's `errorType`) and its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    /// The error name a `Retry` or `Catch` matches.
    pub error: String,
    /// The cause (for a function error, the JSON the function posted).
    pub cause: String,
}

/// How an execution did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It failed as Step Functions would report it: an error no `Catch` took, or a `Fail` state.
    Failed {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
    },
    /// The definition and the data do not line up (Step Functions' `States.Runtime`), or the
    /// definition uses what this interpreter does not run: the state and what was wrong.
    Runtime {
        /// The state's name.
        state: String,
        /// What was wrong, naming the path or field.
        message: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Failed { error, cause } => write!(f, "execution failed: {error}: {cause}"),
            Failure::Runtime { state, message } => {
                write!(f, "States.Runtime in state {state}: {message}")
            }
        }
    }
}

/// One thing the execution did, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A state was entered, with its input.
    Entered {
        /// The state's name.
        state: String,
        /// Its raw input.
        input: Value,
    },
    /// A Task's error was retried after `delay_seconds` (computed, not slept).
    Retried {
        /// The state's name.
        state: String,
        /// The error retried.
        error: String,
        /// The retry's number for its retrier (1 for the first).
        attempt: u32,
        /// The delay Step Functions would wait (before jitter).
        delay_seconds: f64,
        /// The retrier's `JitterStrategy` (`NONE` when absent).
        jitter: String,
    },
    /// An error was caught.
    Caught {
        /// The state's name.
        state: String,
        /// The error caught.
        error: String,
        /// The catcher's `Next`.
        next: String,
    },
    /// A Map ran.
    MapRun {
        /// The Map state's name.
        state: String,
        /// Its map run ARN (distributed mode).
        map_run_arn: Option<String>,
        /// Items read.
        items: usize,
        /// Child executions (one per batch when batching).
        children: usize,
        /// Items whose child failed.
        failed_items: usize,
        /// Its `MaxConcurrency` (0: unlimited).
        max_concurrency: u64,
        /// The result manifest's key, when a ResultWriter wrote one.
        manifest_key: Option<String>,
    },
}

/// Objects by (bucket, key), shared between clones of a [`Store::Memory`].
pub type Objects = Arc<Mutex<BTreeMap<(String, String), Vec<u8>>>>;

/// Where `ItemReader` reads and `ResultWriter` writes: the emulator's S3, or memory.
#[derive(Clone)]
pub enum Store {
    /// The emulator's S3 (path-style client).
    S3(aws_sdk_s3::Client),
    /// Objects by (bucket, key).
    Memory(Objects),
}

impl Store {
    /// An empty in-memory store.
    pub fn memory() -> Store {
        Store::Memory(Arc::default())
    }

    /// Stores `body` at `bucket`/`key`.
    pub async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), String> {
        match self {
            Store::S3(s3) => s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/json")
                .body(body.into())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("s3:PutObject s3://{bucket}/{key}: {e:?}")),
            Store::Memory(objects) => {
                objects
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert((bucket.to_owned(), key.to_owned()), body);
                Ok(())
            }
        }
    }

    /// The object at `bucket`/`key`.
    pub async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        match self {
            Store::S3(s3) => {
                let object = s3
                    .get_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| format!("s3:GetObject s3://{bucket}/{key}: {e:?}"))?;
                object
                    .body
                    .collect()
                    .await
                    .map(|b| b.into_bytes().to_vec())
                    .map_err(|e| format!("s3:GetObject s3://{bucket}/{key}: {e}"))
            }
            Store::Memory(objects) => objects
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&(bucket.to_owned(), key.to_owned()))
                .cloned()
                .ok_or_else(|| format!("s3:GetObject s3://{bucket}/{key}: NoSuchKey")),
        }
    }

    /// The object at `bucket`/`key`, parsed as JSON; panics when absent or not JSON (test code).
    pub async fn get_json(&self, bucket: &str, key: &str) -> Value {
        let bytes = self
            .get(bucket, key)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("s3://{bucket}/{key} is not JSON: {e}"))
    }
}

/// A state machine definition read from a template.
#[derive(Debug, Clone)]
pub struct TemplateStateMachine {
    /// The resource's logical id.
    pub logical_id: String,
    /// The definition, placeholders substituted.
    pub definition: Value,
    /// The names `DefinitionSubstitutions` declares.
    pub declared_substitutions: BTreeSet<String>,
}

/// Reads the one state machine resource (`AWS::StepFunctions::StateMachine`, or SAM's) of the
/// template at `path`, takes its `Definition` (a mapping) or `DefinitionString` (JSON, possibly
/// under `!Sub`), and substitutes every `${Name}` from `substitutions`. Fails, saying what to do,
/// when the template has no such resource or several, no definition, or a placeholder that is
/// neither declared in `DefinitionSubstitutions` nor given a value by `substitution`.
pub fn load_from_template(
    path: &Path,
    substitution: impl Fn(&str) -> Option<String>,
) -> Result<TemplateStateMachine, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let template = yaml_to_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let resources = template["Resources"]
        .as_object()
        .ok_or_else(|| format!("{}: no Resources mapping", path.display()))?;
    let found: Vec<(&String, &Value)> = resources
        .iter()
        .filter(|(_, r)| {
            r["Type"]
                .as_str()
                .is_some_and(|t| STATE_MACHINE_TYPES.contains(&t))
        })
        .collect();
    let (logical_id, resource) = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "{}: no {} resource: the organization sweep's state machine \
                 (docs/plans/issue-14-organizations.md) is declared there; add it before running \
                 these tests",
                path.display(),
                STATE_MACHINE_TYPES[0]
            ))
        }
        several => {
            return Err(format!(
                "{}: {} state machine resources ({}); these tests know only one",
                path.display(),
                several.len(),
                several
                    .iter()
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    };
    let properties = &resource["Properties"];
    let declared_substitutions: BTreeSet<String> = properties["DefinitionSubstitutions"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let (text, sub_string) = if properties["Definition"].is_object() {
        (properties["Definition"].to_string(), false)
    } else {
        match &properties["DefinitionString"] {
            Value::String(s) => (s.clone(), false),
            Value::Object(o) => match o.get("Fn::Sub") {
                Some(Value::String(s)) => (s.clone(), true),
                Some(Value::Array(a)) => match a.first() {
                    Some(Value::String(s)) => (s.clone(), true),
                    _ => {
                        return Err(format!(
                            "{logical_id}: DefinitionString's Fn::Sub has no string"
                        ))
                    }
                },
                _ => {
                    return Err(format!(
                        "{logical_id}: DefinitionString is neither a string nor !Sub"
                    ))
                }
            },
            _ => {
                return Err(format!(
                    "{logical_id}: neither Definition (a mapping) nor DefinitionString: the \
                     interpreter reads the definition inline"
                ))
            }
        }
    };
    let definition = substitute(&text, substitution, |name| {
        // Under !Sub, CloudFormation itself substitutes what DefinitionSubstitutions does not.
        sub_string || declared_substitutions.contains(name)
    })
    .map_err(|e| format!("{logical_id}: {e}"))?;
    Ok(TemplateStateMachine {
        logical_id: logical_id.clone(),
        definition,
        declared_substitutions,
    })
}

/// Replaces every `${Name}` in the JSON text `text` with its value from `substitution`, JSON-escaped
/// (a placeholder always sits inside a JSON string), as CloudFormation substitutes the definition's
/// text. A placeholder not `declared`, or without a value, is an error naming it.
fn substitute(
    text: &str,
    substitution: impl Fn(&str) -> Option<String>,
    declared: impl Fn(&str) -> bool,
) -> Result<Value, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut problems = BTreeSet::new();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        match substitution(name) {
            Some(value) if declared(name) => {
                let escaped = serde_json::to_string(&value).unwrap_or_default();
                out.push_str(escaped.trim_matches('"'));
            }
            Some(_) => {
                problems.insert(format!(
                    "${{{name}}} is not declared in DefinitionSubstitutions"
                ));
            }
            None => {
                problems.insert(format!(
                    "${{{name}}} has no value in the test's substitutions"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if !problems.is_empty() {
        return Err(problems.into_iter().collect::<Vec<_>>().join("; "));
    }
    let mut definition: Value = serde_json::from_str(&out)
        .map_err(|e| format!("the substituted definition is not JSON: {e}"))?;
    // A DefinitionString is JSON text inside the template: parsed once more when it was a string.
    if let Value::String(inner) = &definition {
        definition = serde_json::from_str(inner)
            .map_err(|e| format!("the definition string is not JSON: {e}"))?;
    }
    Ok(definition)
}

/// A YAML (or JSON) document as JSON: plain scalars typed as YAML 1.2's core schema reads them,
/// quoted scalars strings, CloudFormation's short-form tags as their long form (`!Ref X` is
/// `{"Ref": "X"}`, `!Sub s` is `{"Fn::Sub": "s"}`). Anchors and aliases are refused.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    enum Open {
        Sequence(Vec<Value>, Option<String>),
        Mapping(Map<String, Value>, Option<String>, Option<String>),
    }
    fn tagged(value: Value, tag: Option<String>) -> Value {
        match tag {
            None => value,
            Some(tag) => {
                let key = if tag == "Ref" || tag == "Condition" {
                    tag
                } else {
                    format!("Fn::{tag}")
                };
                let value = match (key.as_str(), value) {
                    ("Fn::GetAtt", Value::String(s)) => {
                        Value::Array(s.splitn(2, '.').map(|p| Value::String(p.into())).collect())
                    }
                    (_, value) => value,
                };
                json!({ key: value })
            }
        }
    }
    fn short_tag(tag: Option<&saphyr_parser::Tag>) -> Result<Option<String>, String> {
        match tag {
            None => Ok(None),
            Some(tag) if tag.handle == "!" => Ok(Some(tag.suffix.clone())),
            Some(tag) if tag.handle == "tag:yaml.org,2002:" => Ok(None),
            Some(tag) => Err(format!("tag {}{} is not supported", tag.handle, tag.suffix)),
        }
    }
    fn plain(text: &str) -> Value {
        match text {
            "null" | "Null" | "NULL" | "~" | "" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => {
                if let Ok(n) = text.parse::<i64>() {
                    Value::from(n)
                } else if let Some(n) = text
                    .parse::<f64>()
                    .ok()
                    .filter(|_| text.bytes().any(|b| b.is_ascii_digit()))
                    .and_then(serde_json::Number::from_f64)
                {
                    Value::Number(n)
                } else {
                    Value::String(text.to_owned())
                }
            }
        }
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    let mut parser = Parser::new_from_str(text);
    let mut finish = |stack: &mut Vec<Open>, value: Value| -> Result<(), String> {
        match stack.last_mut() {
            None => {
                root = Some(value);
                Ok(())
            }
            Some(Open::Sequence(items, _)) => {
                items.push(value);
                Ok(())
            }
            Some(Open::Mapping(entries, key, _)) => match key.take() {
                None => match value {
                    Value::String(k) => {
                        *key = Some(k);
                        Ok(())
                    }
                    Value::Number(n) => {
                        *key = Some(n.to_string());
                        Ok(())
                    }
                    Value::Bool(b) => {
                        *key = Some(b.to_string());
                        Ok(())
                    }
                    other => Err(format!("a mapping key that is not a scalar: {other}")),
                },
                Some(k) => {
                    entries.insert(k, value);
                    Ok(())
                }
            },
        }
    };
    while let Some(event) = parser.next_event() {
        let (event, _) = event.map_err(|e| format!("YAML: {}", e.info()))?;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 {
                    return Err("YAML anchors are not supported".to_owned());
                }
                let tag = short_tag(tag.as_deref())?;
                let value = if style == ScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text.into_owned())
                };
                // A key is never tagged; a tagged scalar is a value.
                finish(&mut stack, tagged(value, tag))?;
            }
            Event::SequenceStart(anchor, tag) => {
                if anchor != 0 {
                    return Err("YAML anchors are not supported".to_owned());
                }
                stack.push(Open::Sequence(Vec::new(), short_tag(tag.as_deref())?));
            }
            Event::MappingStart(anchor, tag) => {
                if anchor != 0 {
                    return Err("YAML anchors are not supported".to_owned());
                }
                stack.push(Open::Mapping(Map::new(), None, short_tag(tag.as_deref())?));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match stack.pop() {
                    Some(Open::Sequence(items, tag)) => tagged(Value::Array(items), tag),
                    Some(Open::Mapping(entries, _, tag)) => tagged(Value::Object(entries), tag),
                    None => return Err("unbalanced YAML".to_owned()),
                };
                finish(&mut stack, value)?;
            }
            Event::Alias(_) => return Err("YAML aliases are not supported".to_owned()),
            _ => {}
        }
    }
    root.ok_or_else(|| "an empty document".to_owned())
}

/// The error inside the interpreter: a catchable error, or `States.Runtime`.
#[derive(Debug, Clone)]
enum Stop {
    Error { error: String, cause: String },
    Runtime { state: String, message: String },
}

impl From<Stop> for Failure {
    fn from(stop: Stop) -> Failure {
        match stop {
            Stop::Error { error, cause } => Failure::Failed { error, cause },
            Stop::Runtime { state, message } => Failure::Runtime { state, message },
        }
    }
}

fn runtime(state: &str, message: impl Into<String>) -> Stop {
    Stop::Runtime {
        state: state.to_owned(),
        message: message.into(),
    }
}

/// The execution a state runs in: what `$$.Execution` and `$$.StateMachine` say, and the Map item
/// `$$.Map.Item` says while an `ItemSelector` is evaluated.
#[derive(Debug, Clone)]
struct Execution {
    id: String,
    name: String,
    input: Value,
    state_machine_arn: String,
    state_machine_name: String,
}

impl Execution {
    fn context(&self, state: &str, retry_count: u32, item: Option<(usize, &Value)>) -> Value {
        let mut context = json!({
            "Execution": {
                "Id": self.id,
                "Name": self.name,
                "Input": self.input,
                "StartTime": TIMESTAMP,
                "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/state-machine"),
                "RedriveCount": 0,
            },
            "StateMachine": {"Id": self.state_machine_arn, "Name": self.state_machine_name},
            "State": {"Name": state, "EnteredTime": TIMESTAMP, "RetryCount": retry_count},
        });
        if let Some((index, value)) = item {
            context["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        context
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The interpreter over one definition. `task` is called for every Task with the function's name
/// (the `FunctionName` parameter) and exactly the payload Step Functions would send; what it
/// returns is the function's result (`Payload`) or its error.
pub struct Interpreter<F> {
    definition: Value,
    store: Store,
    task: F,
    state_machine_name: String,
    trace: Vec<Step>,
    serial: u64,
}

impl<F, Fut> Interpreter<F>
where
    F: FnMut(&str, Value) -> Fut,
    Fut: Future<Output = Result<Value, TaskError>>,
{
    /// An interpreter of `definition`, reading and writing objects in `store`.
    pub fn new(definition: Value, store: Store, task: F) -> Interpreter<F> {
        Interpreter {
            definition,
            store,
            task,
            state_machine_name: "cloudfront-tls-audit-organization-sweep".to_owned(),
            trace: Vec::new(),
            serial: 0,
        }
    }

    /// Runs one execution named `name` with `input`; its output, or how it failed.
    pub async fn start(&mut self, name: &str, input: Value) -> Result<Value, Failure> {
        let state_machine_arn = format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}",
            self.state_machine_name
        );
        let execution = Execution {
            id: format!(
                "arn:aws:states:{REGION}:{ACCOUNT}:execution:{}:{name}",
                self.state_machine_name
            ),
            name: name.to_owned(),
            input: input.clone(),
            state_machine_arn,
            state_machine_name: self.state_machine_name.clone(),
        };
        let definition = self.definition.clone();
        self.run_states(definition, execution, input)
            .await
            .map_err(Failure::from)
    }

    /// What the executions did so far.
    pub fn trace(&self) -> &[Step] {
        &self.trace
    }

    /// The states a run entered, in order.
    pub fn entered(&self) -> Vec<String> {
        self.trace
            .iter()
            .filter_map(|step| match step {
                Step::Entered { state, .. } => Some(state.clone()),
                _ => None,
            })
            .collect()
    }

    fn next_id(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// Runs a state list (`StartAt`, `States`) from its start to its end.
    fn run_states(
        &mut self,
        machine: Value,
        execution: Execution,
        input: Value,
    ) -> BoxFuture<'_, Result<Value, Stop>> {
        Box::pin(async move {
            if machine.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
                return Err(runtime(
                    "(machine)",
                    "JSONata is not supported: JSONPath only",
                ));
            }
            let mut current = machine["StartAt"]
                .as_str()
                .ok_or_else(|| runtime("(machine)", "no StartAt"))?
                .to_owned();
            let mut input = input;
            for _ in 0..10_000 {
                let state = machine["States"]
                    .get(&current)
                    .cloned()
                    .ok_or_else(|| runtime(&current, "no such state in States"))?;
                self.trace.push(Step::Entered {
                    state: current.clone(),
                    input: input.clone(),
                });
                let kind = state["Type"].as_str().unwrap_or("").to_owned();
                let (output, next) = match kind.as_str() {
                    "Succeed" => {
                        let effective = input_path(&current, &state, &input, &execution)?;
                        return output_path(&current, &state, effective, &execution);
                    }
                    "Fail" => {
                        return Err(Stop::Error {
                            error: state["Error"].as_str().unwrap_or("States.Fail").to_owned(),
                            cause: state["Cause"].as_str().unwrap_or("").to_owned(),
                        })
                    }
                    "Pass" => (self.pass(&current, &state, &input, &execution)?, None),
                    "Task" | "Map" => {
                        self.with_retry_and_catch(&current, &state, &input, &execution)
                            .await?
                    }
                    other => {
                        return Err(runtime(
                            &current,
                            format!("Type {other:?} is not supported by the test interpreter"),
                        ))
                    }
                };
                let next = match next {
                    Some(caught) => caught,
                    None if state["End"] == true => return Ok(output),
                    None => state["Next"]
                        .as_str()
                        .ok_or_else(|| runtime(&current, "neither Next nor End: true"))?
                        .to_owned(),
                };
                current = next;
                input = output;
            }
            Err(runtime(&current, "more than 10,000 transitions"))
        })
    }

    fn pass(
        &mut self,
        name: &str,
        state: &Value,
        input: &Value,
        execution: &Execution,
    ) -> Result<Value, Stop> {
        let effective = input_path(name, state, input, execution)?;
        let context = execution.context(name, 0, None);
        let result = match (state.get("Result"), state.get("Parameters")) {
            (Some(result), _) => result.clone(),
            (None, Some(template)) => {
                apply_template(name, "Parameters", template, &effective, &context)?
            }
            (None, None) => effective,
        };
        let placed = result_path(name, state, input, result)?;
        output_path(name, state, placed, execution)
    }

    /// Runs a Task or Map with its `Retry` and `Catch`: its output, and the catcher's `Next` when
    /// an error was caught.
    async fn with_retry_and_catch(
        &mut self,
        name: &str,
        state: &Value,
        input: &Value,
        execution: &Execution,
    ) -> Result<(Value, Option<String>), Stop> {
        let retriers = state["Retry"].as_array().cloned().unwrap_or_default();
        let mut attempts = vec![0u32; retriers.len()];
        let mut retry_count = 0u32;
        loop {
            let outcome = if state["Type"] == "Task" {
                self.task_state(name, state, input, execution, retry_count)
                    .await
            } else {
                self.map_state(name, state, input, execution).await
            };
            let (error, cause) = match outcome {
                Ok(output) => return Ok((output, None)),
                Err(runtime @ Stop::Runtime { .. }) => return Err(runtime),
                Err(Stop::Error { error, cause }) => (error, cause),
            };
            if let Some(index) = retriers
                .iter()
                .position(|r| matches(name, &r["ErrorEquals"], &error))
            {
                let retrier = &retriers[index];
                let max_attempts =
                    number(name, "Retry.MaxAttempts", retrier.get("MaxAttempts"))?.unwrap_or(3.0);
                if f64::from(attempts[index]) < max_attempts {
                    let interval = number(
                        name,
                        "Retry.IntervalSeconds",
                        retrier.get("IntervalSeconds"),
                    )?
                    .unwrap_or(1.0);
                    let rate = number(name, "Retry.BackoffRate", retrier.get("BackoffRate"))?
                        .unwrap_or(2.0);
                    let mut delay = interval * rate.powi(attempts[index] as i32);
                    if let Some(max) = number(
                        name,
                        "Retry.MaxDelaySeconds",
                        retrier.get("MaxDelaySeconds"),
                    )? {
                        delay = delay.min(max);
                    }
                    attempts[index] += 1;
                    retry_count += 1;
                    self.trace.push(Step::Retried {
                        state: name.to_owned(),
                        error: error.clone(),
                        attempt: attempts[index],
                        delay_seconds: delay,
                        jitter: retrier["JitterStrategy"]
                            .as_str()
                            .unwrap_or("NONE")
                            .to_owned(),
                    });
                    continue;
                }
            }
            let catchers = state["Catch"].as_array().cloned().unwrap_or_default();
            let Some(catcher) = catchers
                .iter()
                .find(|c| matches(name, &c["ErrorEquals"], &error))
            else {
                return Err(Stop::Error { error, cause });
            };
            let next = catcher["Next"]
                .as_str()
                .ok_or_else(|| runtime(name, "a Catch without Next"))?
                .to_owned();
            self.trace.push(Step::Caught {
                state: name.to_owned(),
                error: error.clone(),
                next: next.clone(),
            });
            let error_output = json!({"Error": error, "Cause": cause});
            let output = result_path(name, catcher, input, error_output)?;
            return Ok((output, Some(next)));
        }
    }

    async fn task_state(
        &mut self,
        name: &str,
        state: &Value,
        input: &Value,
        execution: &Execution,
        retry_count: u32,
    ) -> Result<Value, Stop> {
        let resource = state["Resource"].as_str().unwrap_or("");
        if resource != LAMBDA_INVOKE {
            return Err(runtime(
                name,
                format!("Resource {resource:?}: the test interpreter runs only {LAMBDA_INVOKE}"),
            ));
        }
        let effective = input_path(name, state, input, execution)?;
        let context = execution.context(name, retry_count, None);
        let template = state
            .get("Parameters")
            .ok_or_else(|| runtime(name, "a lambda:invoke Task without Parameters"))?;
        let parameters = apply_template(name, "Parameters", template, &effective, &context)?;
        let function = parameters["FunctionName"]
            .as_str()
            .ok_or_else(|| runtime(name, "Parameters.FunctionName is not a string"))?
            .to_owned();
        if let Some(kind) = parameters.get("InvocationType") {
            if kind != "RequestResponse" {
                return Err(runtime(
                    name,
                    format!("InvocationType {kind}: RequestResponse only"),
                ));
            }
        }
        let payload = parameters
            .get("Payload")
            .cloned()
            .ok_or_else(|| runtime(name, "Parameters has neither Payload nor Payload.$"))?;
        let result = (self.task)(&function, payload)
            .await
            .map_err(|e| Stop::Error {
                error: e.error,
                cause: e.cause,
            })?;
        let request_id = format!("00000000-0000-4000-8000-{:012x}", self.next_id());
        let wrapped = json!({
            "ExecutedVersion": "$LATEST",
            "Payload": result,
            "SdkHttpMetadata": {
                "AllHttpHeaders": {"X-Amz-Executed-Version": ["$LATEST"], "x-amzn-RequestId": [request_id]},
                "HttpHeaders": {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id},
                "HttpStatusCode": 200,
            },
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        });
        let selected = match state.get("ResultSelector") {
            Some(selector) => apply_template(name, "ResultSelector", selector, &wrapped, &context)?,
            None => wrapped,
        };
        let placed = result_path(name, state, input, selected)?;
        output_path(name, state, placed, execution)
    }

    async fn map_state(
        &mut self,
        name: &str,
        state: &Value,
        input: &Value,
        execution: &Execution,
    ) -> Result<Value, Stop> {
        let effective = input_path(name, state, input, execution)?;
        let context = execution.context(name, 0, None);
        let processor = state
            .get("ItemProcessor")
            .or_else(|| state.get("Iterator"))
            .ok_or_else(|| runtime(name, "a Map without ItemProcessor"))?
            .clone();
        let mode = processor["ProcessorConfig"]["Mode"]
            .as_str()
            .unwrap_or("INLINE")
            .to_owned();
        let distributed = match mode.as_str() {
            "DISTRIBUTED" => {
                let kind = processor["ProcessorConfig"]["ExecutionType"].as_str();
                if !matches!(kind, Some("STANDARD" | "EXPRESS")) {
                    return Err(runtime(
                        name,
                        "ItemProcessor.ProcessorConfig.ExecutionType must be STANDARD or EXPRESS",
                    ));
                }
                true
            }
            "INLINE" => {
                for field in [
                    "ItemReader",
                    "ItemBatcher",
                    "ResultWriter",
                    "ToleratedFailurePercentage",
                ] {
                    if state.get(field).is_some() {
                        return Err(runtime(name, format!("{field} needs Mode DISTRIBUTED")));
                    }
                }
                false
            }
            other => return Err(runtime(name, format!("ProcessorConfig.Mode {other:?}"))),
        };
        let max_concurrency =
            number_or_path(name, "MaxConcurrency", state, &effective, &context)?.unwrap_or(0.0);
        if max_concurrency < 0.0 || max_concurrency.fract() != 0.0 {
            return Err(runtime(
                name,
                "MaxConcurrency must be a non-negative integer",
            ));
        }

        // The items: from S3, or from the input.
        let mut items = match state.get("ItemReader") {
            Some(reader) => self.read_items(name, reader, &effective, &context).await?,
            None => {
                let path = state["ItemsPath"].as_str().unwrap_or("$");
                match read_path(name, "ItemsPath", path, &effective, &context)? {
                    Value::Array(items) => items,
                    other => {
                        return Err(runtime(
                            name,
                            format!("ItemsPath {path} is not an array: {}", short(&other)),
                        ))
                    }
                }
            }
        };
        if let Some(max) = number(
            name,
            "ItemReader.ReaderConfig.MaxItems",
            state["ItemReader"]["ReaderConfig"].get("MaxItems"),
        )? {
            items.truncate(max as usize);
        }
        let total = items.len();

        // Each item through ItemSelector, then into batches.
        let mut selected = Vec::with_capacity(total);
        for (index, value) in items.iter().enumerate() {
            selected.push(
                match state
                    .get("ItemSelector")
                    .or_else(|| state.get("Parameters"))
                {
                    Some(template) => {
                        let item_context = execution.context(name, 0, Some((index, value)));
                        apply_template(name, "ItemSelector", template, &effective, &item_context)?
                    }
                    None => value.clone(),
                },
            );
        }
        let children: Vec<(Value, usize)> = match state.get("ItemBatcher") {
            Some(batcher) => {
                let per_batch = number_or_path(
                    name,
                    "ItemBatcher.MaxItemsPerBatch",
                    batcher,
                    &effective,
                    &context,
                )?
                .ok_or_else(|| runtime(name, "ItemBatcher without MaxItemsPerBatch"))?;
                if per_batch < 1.0 || per_batch.fract() != 0.0 {
                    return Err(runtime(
                        name,
                        "ItemBatcher.MaxItemsPerBatch must be a positive integer",
                    ));
                }
                let batch_input = match batcher.get("BatchInput") {
                    Some(template) => Some(apply_template(
                        name,
                        "ItemBatcher.BatchInput",
                        template,
                        &effective,
                        &context,
                    )?),
                    None => None,
                };
                selected
                    .chunks(per_batch as usize)
                    .map(|chunk| {
                        let mut child = json!({"Items": chunk});
                        if let Some(batch_input) = &batch_input {
                            child["BatchInput"] = batch_input.clone();
                        }
                        (child, chunk.len())
                    })
                    .collect()
            }
            None => selected.into_iter().map(|item| (item, 1)).collect(),
        };

        let tolerated_percentage = number_or_path(
            name,
            "ToleratedFailurePercentage",
            state,
            &effective,
            &context,
        )?
        .unwrap_or(0.0);
        if !(0.0..=100.0).contains(&tolerated_percentage) {
            return Err(runtime(
                name,
                "ToleratedFailurePercentage must be within 0 to 100",
            ));
        }
        let tolerated_count =
            number_or_path(name, "ToleratedFailureCount", state, &effective, &context)?;

        let map_run_id = format!("00000000-0000-4000-9000-{:012x}", self.next_id());
        let label = state["Label"].as_str().unwrap_or(name).to_owned();
        let map_run_arn = format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{}/{label}:{map_run_id}",
            execution.state_machine_name
        );
        let child_machine = json!({
            "StartAt": processor["StartAt"],
            "States": processor["States"],
        });
        let mut succeeded = Vec::new();
        let mut failed = Vec::new();
        let mut outputs = Vec::new();
        let mut failed_items = 0usize;
        let mut exceeded = false;
        let children_count = children.len();
        for (index, (child_input, size)) in children.into_iter().enumerate() {
            let child_name = format!("{map_run_id}-{index}");
            let child = Execution {
                id: format!(
                    "arn:aws:states:{REGION}:{ACCOUNT}:execution:{}/{label}:{child_name}",
                    execution.state_machine_name
                ),
                name: child_name.clone(),
                input: child_input.clone(),
                state_machine_arn: execution.state_machine_arn.clone(),
                state_machine_name: execution.state_machine_name.clone(),
            };
            let record = |status: &str| {
                json!({
                    "ExecutionArn": child.id,
                    "Input": child_input.to_string(),
                    "InputDetails": {"Included": true},
                    "Name": child_name,
                    "RedriveCount": 0,
                    "RedriveStatus": "NOT_REDRIVABLE",
                    "StartDate": TIMESTAMP,
                    "StateMachineArn": execution.state_machine_arn,
                    "Status": status,
                    "StopDate": TIMESTAMP,
                })
            };
            match self
                .run_states(child_machine.clone(), child.clone(), child_input.clone())
                .await
            {
                Ok(output) => {
                    let mut entry = record("SUCCEEDED");
                    entry["Output"] = Value::String(output.to_string());
                    entry["OutputDetails"] = json!({"Included": true});
                    succeeded.push(entry);
                    outputs.push(output);
                }
                Err(runtime @ Stop::Runtime { .. }) => return Err(runtime),
                Err(Stop::Error { error, cause }) => {
                    let mut entry = record("FAILED");
                    entry["Error"] = Value::String(error);
                    entry["Cause"] = Value::String(cause);
                    failed.push(entry);
                    failed_items += size;
                    let over_percentage =
                        (failed_items as f64) * 100.0 > tolerated_percentage * (total as f64);
                    let over_count = tolerated_count.is_some_and(|c| failed_items as f64 > c);
                    let judged_by_count_only = tolerated_count.is_some()
                        && state.get("ToleratedFailurePercentage").is_none()
                        && state.get("ToleratedFailurePercentagePath").is_none();
                    if (over_percentage && !judged_by_count_only) || over_count {
                        exceeded = true;
                        break;
                    }
                }
            }
        }

        let manifest_key = match state.get("ResultWriter") {
            Some(writer) => Some(
                self.write_results(
                    name,
                    writer,
                    &effective,
                    &context,
                    &map_run_arn,
                    &map_run_id,
                    &succeeded,
                    &failed,
                )
                .await?,
            ),
            None => None,
        };
        self.trace.push(Step::MapRun {
            state: name.to_owned(),
            map_run_arn: distributed.then(|| map_run_arn.clone()),
            items: total,
            children: children_count,
            failed_items,
            max_concurrency: max_concurrency as u64,
            manifest_key: manifest_key.clone(),
        });
        if exceeded {
            return Err(Stop::Error {
                error: "States.ExceedToleratedFailureThreshold".to_owned(),
                cause: format!(
                    "The specified tolerated failure threshold was exceeded: {failed_items} of \
                     {total} items failed"
                ),
            });
        }
        if !distributed && !failed.is_empty() {
            // An inline Map fails with its first failed iteration's error.
            return Err(Stop::Error {
                error: failed[0]["Error"].as_str().unwrap_or("").to_owned(),
                cause: failed[0]["Cause"].as_str().unwrap_or("").to_owned(),
            });
        }
        let result = match (&manifest_key, state.get("ResultWriter")) {
            (Some(key), Some(writer)) => json!({
                "MapRunArn": map_run_arn,
                "ResultWriterDetails": {
                    "Bucket": writer_bucket(name, writer, &effective, &context)?,
                    "Key": key,
                },
            }),
            _ => Value::Array(outputs),
        };
        let selected = match state.get("ResultSelector") {
            Some(selector) => apply_template(name, "ResultSelector", selector, &result, &context)?,
            None => result,
        };
        let placed = result_path(name, state, input, selected)?;
        output_path(name, state, placed, execution)
    }

    async fn read_items(
        &mut self,
        name: &str,
        reader: &Value,
        effective: &Value,
        context: &Value,
    ) -> Result<Vec<Value>, Stop> {
        let resource = reader["Resource"].as_str().unwrap_or("");
        if resource != "arn:aws:states:::s3:getObject" {
            return Err(runtime(
                name,
                format!("ItemReader.Resource {resource:?}: s3:getObject only"),
            ));
        }
        let input_type = reader["ReaderConfig"]["InputType"].as_str().unwrap_or("");
        if input_type != "JSON" {
            return Err(runtime(
                name,
                format!("ItemReader.ReaderConfig.InputType {input_type:?}: JSON only"),
            ));
        }
        let template = reader
            .get("Parameters")
            .ok_or_else(|| runtime(name, "ItemReader without Parameters"))?;
        let parameters =
            apply_template(name, "ItemReader.Parameters", template, effective, context)?;
        let (Some(bucket), Some(key)) = (parameters["Bucket"].as_str(), parameters["Key"].as_str())
        else {
            return Err(runtime(
                name,
                "ItemReader.Parameters needs Bucket and Key strings",
            ));
        };
        // A failed read is the Map's States.ItemReaderFailed, which a Catch may take.
        let bytes = self
            .store
            .get(bucket, key)
            .await
            .map_err(|cause| Stop::Error {
                error: "States.ItemReaderFailed".to_owned(),
                cause,
            })?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Array(items)) => Ok(items),
            _ => Err(Stop::Error {
                error: "States.ItemReaderFailed".to_owned(),
                cause: format!("s3://{bucket}/{key} is not a JSON array"),
            }),
        }
    }

    /// Writes `PREFIX/MAP_RUN_ID/SUCCEEDED_0.json`, `FAILED_0.json` (each only when it has entries)
    /// and `manifest.json`; returns the manifest's key.
    #[allow(clippy::too_many_arguments)]
    async fn write_results(
        &mut self,
        name: &str,
        writer: &Value,
        effective: &Value,
        context: &Value,
        map_run_arn: &str,
        map_run_id: &str,
        succeeded: &[Value],
        failed: &[Value],
    ) -> Result<String, Stop> {
        let resource = writer["Resource"].as_str().unwrap_or("");
        if resource != "arn:aws:states:::s3:putObject" {
            return Err(runtime(
                name,
                format!("ResultWriter.Resource {resource:?}: s3:putObject only"),
            ));
        }
        if writer.get("WriterConfig").is_some() {
            return Err(runtime(name, "ResultWriter.WriterConfig is not supported"));
        }
        let bucket = writer_bucket(name, writer, effective, context)?;
        let template = &writer["Parameters"];
        let parameters = apply_template(
            name,
            "ResultWriter.Parameters",
            template,
            effective,
            context,
        )?;
        let prefix = parameters["Prefix"]
            .as_str()
            .unwrap_or("")
            .trim_end_matches('/');
        let base = if prefix.is_empty() {
            map_run_id.to_owned()
        } else {
            format!("{prefix}/{map_run_id}")
        };
        let mut files = json!({"FAILED": [], "PENDING": [], "SUCCEEDED": []});
        for (status, entries) in [("SUCCEEDED", succeeded), ("FAILED", failed)] {
            if entries.is_empty() {
                continue;
            }
            let key = format!("{base}/{status}_0.json");
            let body = serde_json::to_vec(entries).unwrap_or_default();
            files[status] = json!([{"Key": key, "Size": body.len()}]);
            self.put(&bucket, &key, body).await?;
        }
        let manifest_key = format!("{base}/manifest.json");
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": files,
        });
        self.put(&bucket, &manifest_key, manifest.to_string().into_bytes())
            .await?;
        Ok(manifest_key)
    }

    async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), Stop> {
        self.store
            .put(bucket, key, body)
            .await
            .map_err(|cause| Stop::Error {
                error: "States.ResultWriterFailed".to_owned(),
                cause,
            })
    }
}

fn writer_bucket(
    name: &str,
    writer: &Value,
    effective: &Value,
    context: &Value,
) -> Result<String, Stop> {
    let parameters = apply_template(
        name,
        "ResultWriter.Parameters",
        &writer["Parameters"],
        effective,
        context,
    )?;
    parameters["Bucket"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| runtime(name, "ResultWriter.Parameters.Bucket is not a string"))
}

/// Whether an `ErrorEquals` list matches `error` (`States.ALL` matches every error but
/// `States.Runtime`, which never gets here).
fn matches(_state: &str, error_equals: &Value, error: &str) -> bool {
    error_equals
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|name| name == "States.ALL" || name == error)
}

/// A numeric field: a JSON number. A string is refused as Step Functions refuses it (a whole
/// substituted placeholder, `"${X}"`, is text after substitution).
fn number(state: &str, field: &str, value: Option<&Value>) -> Result<Option<f64>, Stop> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(runtime(
            state,
            format!("{field} is {other}, not a number (Step Functions takes a JSON number here)"),
        )),
    }
}

/// A numeric field given itself (`field`) or through a path of the state's input (`fieldPath`),
/// as the Distributed Map's MaxConcurrency, ToleratedFailurePercentage and ItemBatcher's
/// MaxItemsPerBatch may be; the path must lead to a number.
fn number_or_path(
    state: &str,
    field: &str,
    fields: &Value,
    input: &Value,
    context: &Value,
) -> Result<Option<f64>, Stop> {
    let key = field.rsplit('.').next().unwrap_or(field);
    let path_key = format!("{key}Path");
    match fields.get(&path_key) {
        Some(Value::String(path)) => {
            let value = read_path(state, &path_key, path, input, context)?;
            number(state, &format!("{field}Path {path}"), Some(&value))
        }
        Some(other) => Err(runtime(state, format!("{path_key} is {other}, not a path"))),
        None => number(state, field, fields.get(key)),
    }
}

fn input_path(
    name: &str,
    state: &Value,
    input: &Value,
    execution: &Execution,
) -> Result<Value, Stop> {
    match state.get("InputPath") {
        None => Ok(input.clone()),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(path)) => read_path(
            name,
            "InputPath",
            path,
            input,
            &execution.context(name, 0, None),
        ),
        Some(other) => Err(runtime(name, format!("InputPath {other} is not a path"))),
    }
}

fn output_path(
    name: &str,
    state: &Value,
    output: Value,
    execution: &Execution,
) -> Result<Value, Stop> {
    match state.get("OutputPath") {
        None => Ok(output),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(path)) => read_path(
            name,
            "OutputPath",
            path,
            &output,
            &execution.context(name, 0, None),
        ),
        Some(other) => Err(runtime(name, format!("OutputPath {other} is not a path"))),
    }
}

/// Places `result` in `input` at the state's (or catcher's) `ResultPath`: absent is `$` (the result
/// replaces the input), null discards the result.
fn result_path(name: &str, holder: &Value, input: &Value, result: Value) -> Result<Value, Stop> {
    let path = match holder.get("ResultPath") {
        None => return Ok(result),
        Some(Value::Null) => return Ok(input.clone()),
        Some(Value::String(path)) => path,
        Some(other) => return Err(runtime(name, format!("ResultPath {other} is not a path"))),
    };
    let segments = segments(name, "ResultPath", path)?;
    if segments.0 {
        return Err(runtime(
            name,
            format!("ResultPath {path}: the context object cannot be written"),
        ));
    }
    if segments.1.is_empty() {
        return Ok(result);
    }
    let mut output = input.clone();
    let mut slot = &mut output;
    for segment in &segments.1 {
        if slot.is_null() {
            *slot = json!({});
        }
        let Value::Object(object) = slot else {
            return Err(runtime(
                name,
                format!("ResultPath {path}: {segment} cannot be set in a non-object"),
            ));
        };
        slot = object.entry(segment.clone()).or_insert(Value::Null);
    }
    *slot = result;
    Ok(output)
}

/// `$`, `$.a.b` or `$$.a.b` → (context?, segments); anything else is a `States.Runtime` error.
fn segments(name: &str, field: &str, path: &str) -> Result<(bool, Vec<String>), Stop> {
    let (context, rest) = if let Some(rest) = path.strip_prefix("$$") {
        (true, rest)
    } else if let Some(rest) = path.strip_prefix('$') {
        (false, rest)
    } else {
        return Err(runtime(
            name,
            format!("{field} {path:?} does not start with $"),
        ));
    };
    if rest.is_empty() {
        return Ok((context, Vec::new()));
    }
    let Some(rest) = rest.strip_prefix('.') else {
        return Err(runtime(
            name,
            format!("{field} {path:?}: the test interpreter reads only $, $.a.b and $$.a.b"),
        ));
    };
    let mut out = Vec::new();
    for segment in rest.split('.') {
        let plain = !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !plain {
            return Err(runtime(
                name,
                format!("{field} {path:?}: the test interpreter reads only $, $.a.b and $$.a.b"),
            ));
        }
        out.push(segment.to_owned());
    }
    Ok((context, out))
}

/// The value at `path` in `input` (or the context object for `$$`); an absent path is a
/// `States.Runtime` error naming the state, the field and the path.
fn read_path(
    name: &str,
    field: &str,
    path: &str,
    input: &Value,
    context: &Value,
) -> Result<Value, Stop> {
    let (in_context, segments) = segments(name, field, path)?;
    let mut value = if in_context { context } else { input };
    for segment in &segments {
        value = value.get(segment).ok_or_else(|| {
            runtime(
                name,
                format!(
                    "{field}: the path {path} does not exist in {} {}",
                    if in_context {
                        "the context object"
                    } else {
                        "the input"
                    },
                    short(if in_context { context } else { input })
                ),
            )
        })?;
    }
    Ok(value.clone())
}

/// A payload template (`Parameters`, `ItemSelector`, `ResultSelector`, `BatchInput`): keys ending in
/// `.$` take the value at their path.
fn apply_template(
    name: &str,
    field: &str,
    template: &Value,
    input: &Value,
    context: &Value,
) -> Result<Value, Stop> {
    match template {
        Value::Object(entries) => {
            let mut out = Map::new();
            for (key, value) in entries {
                if let Some(key) = key.strip_suffix(".$") {
                    let Value::String(path) = value else {
                        return Err(runtime(
                            name,
                            format!("{field}.{key}.$ is not a path string"),
                        ));
                    };
                    if path.starts_with("States.") {
                        return Err(runtime(
                            name,
                            format!(
                                "{field}.{key}.$: intrinsic functions ({path}) are not supported"
                            ),
                        ));
                    }
                    let at = format!("{field}.{key}.$");
                    out.insert(key.to_owned(), read_path(name, &at, path, input, context)?);
                } else {
                    let at = format!("{field}.{key}");
                    out.insert(
                        key.clone(),
                        apply_template(name, &at, value, input, context)?,
                    );
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| apply_template(name, field, item, input, context))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// A value shortened for an error message.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 300 {
        return text;
    }
    let mut end = 300;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
