//! A whole AWS Organization (issue 14), as the templates deploy it, checked offline:
//!
//! * the member role (`template-member.yaml`) grants exactly `permissions::MEMBER_ROLE_GRANTS`, the
//!   function's own reads, and trusts only the hub function's role, from the organization, with the
//!   external id; its forwarding rules send exactly the hub's patterns to the hub's bus, with a role
//!   that may put events there only, and it deploys in us-east-1 only;
//! * in the hub (`template.yaml`), every IAM statement of the stack: `sts:AssumeRole` only on the
//!   member role's name and the accounts role, S3 only on the stack's own bucket, the function
//!   invoked only by what may invoke it, no write on CloudFront, ACM or IAM anywhere; the bus admits
//!   the organization only; the organization's resources exist only in organization mode, the
//!   single-account schedule only outside it;
//! * the state machine's definition is the plan's (`docs/plans/issue-14-organizations.md`,
//!   "Payloads"): each state's input paths are evaluated against the output the previous state
//!   gives, so a path that reads a field the previous state does not return fails here.
//!
//! (Another test runs the definition against the real function; this one is the static check.)

use std::collections::BTreeSet;

use cloudfront_tls_audit::organization::Account;
use cloudfront_tls_audit::permissions::{
    is_forbidden_write, Grant, Resource, MEMBER_ROLE_GRANTS, READ_ONLY_SERVICES,
};
use serde_json::{json, Map, Value};

mod templates;
use templates::{read, yaml_to_json};

/// A reference in `Resource::in_template` syntax as the JSON the reader gives.
fn reference(text: &str) -> Value {
    if let Some(name) = text.strip_prefix("!Ref ") {
        json!({ "Ref": name })
    } else if let Some(attribute) = text.strip_prefix("!GetAtt ") {
        json!({ "Fn::GetAtt": attribute })
    } else if let Some(pattern) = text.strip_prefix("!Sub ") {
        json!({ "Fn::Sub": pattern })
    } else {
        panic!("not a reference: {text}")
    }
}

/// A grant as its statement in a template.
fn statement(grant: &Grant) -> Value {
    let action = match grant.actions {
        [one] => json!(one),
        many => json!(many),
    };
    let resource = match grant.resource {
        Resource::Any => json!("*"),
        other => reference(&other.in_template()),
    };
    let statement = json!({
        "Sid": grant.sid,
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
    });
    assert!(
        grant.via_services.is_empty(),
        "{}: no read has a condition",
        grant.sid
    );
    statement
}

fn member() -> Value {
    read("template-member.yaml")
}

fn hub() -> Value {
    read("template.yaml")
}

fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(one) => vec![one.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().unwrap_or_else(|| panic!("not text: {v}")))
            .collect(),
        other => panic!("not text or a list: {other}"),
    }
}

#[test]
fn the_member_role_grants_exactly_the_functions_reads() {
    let role = &member()["Resources"]["MemberRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    assert_eq!(
        role["Properties"]["RoleName"],
        json!({ "Ref": "MemberRoleName" })
    );
    let policies = role["Properties"]["Policies"]
        .as_array()
        .expect("the member role has inline policies");
    assert_eq!(policies.len(), 1, "one policy: {policies:#?}");
    let found = &policies[0]["PolicyDocument"]["Statement"];
    let expected: Vec<Value> = MEMBER_ROLE_GRANTS.iter().map(statement).collect();
    assert_eq!(
        found,
        &json!(expected),
        "template-member.yaml's MemberRole policy differs from src/permissions.rs MEMBER_ROLE_GRANTS"
    );
    for key in ["ManagedPolicyArns", "PermissionsBoundary"] {
        assert!(
            role["Properties"].get(key).is_none(),
            "MemberRole has {key}"
        );
    }
    // Reads of the read-only services only.
    for action in MEMBER_ROLE_GRANTS.iter().flat_map(|g| g.actions) {
        let service = action.split_once(':').map(|(s, _)| s).unwrap_or_default();
        assert!(READ_ONLY_SERVICES.contains(&service), "{action}");
        assert!(!is_forbidden_write(action), "{action}");
    }
}

#[test]
fn the_member_role_trusts_only_the_hub_function_from_the_organization_with_the_external_id() {
    let template = member();
    let trust = &template["Resources"]["MemberRole"]["Properties"]["AssumeRolePolicyDocument"];
    assert_eq!(
        trust["Statement"],
        json!([{
            "Sid": "TheHubFunctionOnly",
            "Effect": "Allow",
            "Principal": { "AWS": { "Ref": "HubFunctionRoleArn" } },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": {
                "aws:PrincipalOrgID": { "Ref": "OrganizationId" },
                "sts:ExternalId": { "Ref": "MemberExternalId" }
            } }
        }])
    );
    let parameters = &template["Parameters"];
    assert_eq!(parameters["MemberExternalId"]["NoEcho"], "true");
    assert!(
        parameters["MemberExternalId"].get("Default").is_none(),
        "no default external id"
    );
    // The same names and defaults as the hub's parameters, so that one value serves both.
    let hub = hub();
    for name in ["MemberRoleName", "MemberExternalId", "OrganizationId"] {
        assert!(
            hub["Parameters"].get(name).is_some(),
            "template.yaml lacks {name}"
        );
        // The hub's may be empty (organization mode off): `^(pattern)?$` there, `^pattern$` here.
        let bare = |parameter: &Value| {
            parameter["AllowedPattern"].as_str().map(|p| {
                p.trim_start_matches('^')
                    .trim_start_matches('(')
                    .trim_end_matches('$')
                    .trim_end_matches(")?")
                    .to_owned()
            })
        };
        assert_eq!(
            bare(&parameters[name]),
            bare(&hub["Parameters"][name]),
            "{name}"
        );
    }
    assert_eq!(
        parameters["MemberRoleName"]["Default"],
        hub["Parameters"]["MemberRoleName"]["Default"]
    );
}

/// The hub's EventBridge patterns: the function's `EventBridgeRule` events, by name.
fn hub_patterns() -> Vec<(String, Value)> {
    let template = hub();
    template["Resources"]["AuditFunction"]["Properties"]["Events"]
        .as_object()
        .expect("template.yaml: AuditFunction has Events")
        .iter()
        .filter(|(_, event)| event["Type"] == "EventBridgeRule")
        .map(|(name, event)| (name.clone(), event["Properties"]["Pattern"].clone()))
        .collect()
}

#[test]
fn the_member_forwards_exactly_the_hubs_patterns_to_the_hubs_bus() {
    let template = member();
    let resources = template["Resources"].as_object().expect("Resources");
    let rules: Vec<(&String, &Value)> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Events::Rule")
        .collect();
    let hub = hub_patterns();
    assert_eq!(rules.len(), hub.len(), "one forwarding rule per hub rule");
    for (name, rule) in &rules {
        let expected = name.strip_prefix("Forward").unwrap_or(name);
        let same: Vec<&str> = hub
            .iter()
            .filter(|(_, pattern)| *pattern == rule["Properties"]["EventPattern"])
            .map(|(hub_name, _)| hub_name.as_str())
            .collect();
        assert_eq!(
            same,
            [expected],
            "{name}'s pattern differs from the hub's {expected}"
        );
        assert_eq!(rule["Condition"], "NotTheHubAccount", "{name}");
        assert_eq!(rule["Properties"]["State"], "ENABLED", "{name}");
        assert_eq!(
            rule["Properties"]["Targets"],
            json!([{
                "Id": "hub-event-bus",
                "Arn": { "Ref": "HubEventBusArn" },
                "RoleArn": { "Fn::GetAtt": "ForwardingRole.Arn" }
            }]),
            "{name}"
        );
    }
    let role = &resources["ForwardingRole"];
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Principal": { "Service": "events.amazonaws.com" },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } }
        }])
    );
    assert_eq!(
        role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{
            "Sid": "PutEventsOnTheHubBus",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": { "Ref": "HubEventBusArn" }
        }])
    );
    assert_eq!(
        role["Properties"]["Policies"].as_array().map(Vec::len),
        Some(1)
    );
    // Only in us-east-1, where CloudFront's events are and the one global role is made.
    assert_eq!(
        template["Rules"]["DeployInUsEast1"]["Assertions"][0]["Assert"],
        json!({ "Fn::Equals": [{ "Ref": "AWS::Region" }, "us-east-1"] })
    );
}

/// Every IAM statement of a template: (where it is, the statement), from roles' inline policies,
/// `AWS::IAM::Policy` documents and SAM functions' inline `Policies`.
fn iam_statements(template: &Value) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    let resources = template["Resources"].as_object().expect("Resources");
    for (name, resource) in resources {
        let properties = &resource["Properties"];
        let documents: Vec<&Value> = match resource["Type"].as_str() {
            Some("AWS::IAM::Role") => properties["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| &p["PolicyDocument"])
                .collect(),
            Some("AWS::IAM::Policy") => vec![&properties["PolicyDocument"]],
            Some("AWS::Serverless::Function") => properties["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p.get("Statement").is_some())
                .collect(),
            _ => Vec::new(),
        };
        for document in documents {
            for statement in document["Statement"].as_array().into_iter().flatten() {
                found.push((name.clone(), statement.clone()));
            }
        }
    }
    found
}

/// The problems of the hub's IAM, one message each.
fn hub_iam_problems(template: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let member_role = json!({ "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}" });
    let accounts_role = json!({ "Ref": "OrganizationAccountsRoleArn" });
    let statements = iam_statements(template);
    assert!(statements.len() > 20, "{statements:#?}");
    for (owner, statement) in &statements {
        if statement["Effect"] != "Allow" {
            problems.push(format!(
                "{owner}: a statement that is not Allow: {statement}"
            ));
            continue;
        }
        let actions = strings(&statement["Action"]);
        let resources: Vec<&Value> = match &statement["Resource"] {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for action in &actions {
            let (service, name) = action.split_once(':').unwrap_or((action, ""));
            if is_forbidden_write(action)
                || (READ_ONLY_SERVICES.contains(&service) && name.contains('*'))
                || *action == "*"
            {
                problems.push(format!(
                    "{owner}: {action}, a write on CloudFront, ACM, IAM or ELB"
                ));
            }
            if *action == "sts:AssumeRole"
                && !resources
                    .iter()
                    .all(|r| **r == member_role || **r == accounts_role)
            {
                problems.push(format!(
                    "{owner}: sts:AssumeRole on {resources:?}, not only the member role or the accounts role"
                ));
            }
            if service == "s3"
                && !resources
                    .iter()
                    .all(|r| r.to_string().contains("ResultsBucket"))
            {
                problems.push(format!(
                    "{owner}: {action} on {resources:?}, not the stack's bucket"
                ));
            }
            if *action == "lambda:InvokeFunction"
                && resources != [&json!({ "Fn::GetAtt": "AuditFunction.Arn" })]
            {
                problems.push(format!("{owner}: lambda:InvokeFunction on {resources:?}"));
            }
        }
        if owner == "OrganizationSweepRole" {
            let invoke = actions.iter().any(|a| a.starts_with("lambda:"));
            if invoke && actions != ["lambda:InvokeFunction"] {
                problems.push(format!("{owner}: Lambda actions {actions:?}"));
            }
        }
    }
    problems
}

#[test]
fn the_hubs_iam_assumes_only_member_roles_touches_only_its_bucket_and_writes_nothing_it_audits() {
    let problems = hub_iam_problems(&hub());
    assert!(problems.is_empty(), "{problems:#?}");
    // Each check bites.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
        .expect("template.yaml");
    for (from, to, problem) in [
        (
            "Resource: !Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}\n",
            "Resource: \"*\"\n",
            "sts:AssumeRole",
        ),
        (
            "Resource: !Sub ${ResultsBucket.Arn}/sweeps/*\n",
            "Resource: \"*\"\n",
            "not the stack's bucket",
        ),
        (
            "                Action: lambda:InvokeFunction\n                Resource: !GetAtt AuditFunction.Arn\n              - Sid: ReadTheAccountList",
            "                Action: lambda:InvokeFunction\n                Resource: \"*\"\n              - Sid: ReadTheAccountList",
            "lambda:InvokeFunction",
        ),
        (
            "            Action: organizations:ListAccounts\n",
            "            Action: [organizations:ListAccounts, iam:CreateRole]\n",
            "iam:CreateRole",
        ),
    ] {
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        let template = yaml_to_json(&changed).expect("still YAML");
        let problems = hub_iam_problems(&template);
        assert!(problems.iter().any(|p| p.contains(problem)), "{problem}: {problems:#?}");
    }
}

#[test]
fn the_state_machine_role_invokes_only_the_function_and_runs_only_its_own_children() {
    let template = hub();
    let role = &template["Resources"]["OrganizationSweepRole"]["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({ "Service": "states.amazonaws.com" })
    );
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let machine = template["Resources"]["OrganizationSweep"]["Properties"]["StateMachineName"]
        .as_str()
        .expect("a named state machine");
    for statement in statements {
        let actions = strings(&statement["Action"]);
        let resource = statement["Resource"]["Fn::Sub"]
            .as_str()
            .unwrap_or_default();
        if actions.iter().any(|a| a.starts_with("states:")) {
            assert!(
                resource.ends_with(&format!(":stateMachine:{machine}"))
                    || resource.ends_with(&format!(":execution:{machine}/*")),
                "{statement}"
            );
        }
        if actions.iter().any(|a| a.starts_with("s3:")) {
            assert!(resource.starts_with("${ResultsBucket.Arn}/"), "{statement}");
        }
    }
    let invoke: Vec<&Value> = statements
        .iter()
        .filter(|s| {
            strings(&s["Action"])
                .iter()
                .any(|a| a.starts_with("lambda:"))
        })
        .collect();
    assert_eq!(invoke.len(), 1);
    assert_eq!(
        invoke[0]["Resource"],
        json!({ "Fn::GetAtt": "AuditFunction.Arn" })
    );
    // The schedule may start this state machine, nothing else.
    let schedule_role = &template["Resources"]["OrganizationDailySweepRole"]["Properties"];
    assert_eq!(
        schedule_role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{
            "Sid": "StartTheOrganizationSweep",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": { "Ref": "OrganizationSweep" }
        }])
    );
}

#[test]
fn the_organization_exists_only_in_organization_mode_and_the_single_account_schedule_only_outside()
{
    let template = hub();
    let resources = template["Resources"].as_object().expect("Resources");
    for (name, condition) in [
        ("OrganizationHubPolicy", "OrganizationModeOn"),
        (
            "OrganizationAccountsRolePolicy",
            "HasOrganizationAccountsRole",
        ),
        ("OrganizationEventBusPolicy", "OrganizationModeOn"),
        ("ResultsBucket", "OrganizationModeOn"),
        ("ResultsBucketPolicy", "OrganizationModeOn"),
        ("OrganizationSweepRole", "OrganizationModeOn"),
        ("OrganizationSweep", "OrganizationModeOn"),
        ("OrganizationDailySweep", "OrganizationModeOn"),
        ("OrganizationDailySweepRole", "OrganizationModeOn"),
        ("OrganizationSweepFailedAlarm", "OrganizationModeOn"),
        ("AuditFunctionDailySweep", "SingleAccount"),
        ("AuditFunctionDailySweepRole", "SingleAccount"),
    ] {
        assert_eq!(resources[name]["Condition"], condition, "{name}");
    }
    assert_eq!(
        template["Parameters"]["OrganizationMode"]["Default"],
        "false"
    );
    assert_eq!(
        template["Conditions"]["SingleAccount"],
        json!({ "Fn::Not": [{ "Fn::Condition": "OrganizationModeOn" }] })
    );
    // The single account's schedule is the one SAM generated for the former ScheduleV2 event.
    let sweep = &resources["AuditFunctionDailySweep"]["Properties"];
    assert_eq!(
        sweep["ScheduleExpression"],
        json!({ "Ref": "SweepSchedule" })
    );
    assert_eq!(sweep["Target"]["Input"], r#"{"action":"sweep"}"#);
    assert_eq!(
        sweep["Target"]["Arn"],
        json!({ "Fn::GetAtt": "AuditFunction.Arn" })
    );
    let org = &resources["OrganizationDailySweep"]["Properties"];
    assert_eq!(
        org["ScheduleExpression"],
        json!({ "Ref": "OrganizationSweepSchedule" })
    );
    assert_eq!(org["Target"]["Arn"], json!({ "Ref": "OrganizationSweep" }));
    assert_eq!(
        template["Parameters"]["OrganizationSweepSchedule"]["Default"],
        template["Parameters"]["SweepSchedule"]["Default"]
    );
    // The bus admits the organization's accounts, to put events only.
    let bus = &resources["OrganizationEventBusPolicy"]["Properties"];
    assert_eq!(bus["EventBusName"], "default");
    assert_eq!(bus["Statement"]["Principal"], "*");
    assert_eq!(bus["Statement"]["Action"], "events:PutEvents");
    assert_eq!(
        bus["Statement"]["Condition"],
        json!({ "StringEquals": { "aws:PrincipalOrgID": { "Ref": "OrganizationId" } } })
    );
    // Every parameter says what it is for.
    for (name, parameter) in template["Parameters"].as_object().expect("Parameters") {
        assert!(
            parameter.get("Description").is_some(),
            "{name} has no Description"
        );
    }
}

#[test]
fn the_results_bucket_is_private_encrypted_tls_only_and_expires() {
    let template = hub();
    let bucket = &template["Resources"]["ResultsBucket"]["Properties"];
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"],
        json!({
            "BlockPublicAcls": "true",
            "BlockPublicPolicy": "true",
            "IgnorePublicAcls": "true",
            "RestrictPublicBuckets": "true"
        })
    );
    assert!(
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
            .is_string()
    );
    let expiring: BTreeSet<&str> = bucket["LifecycleConfiguration"]["Rules"]
        .as_array()
        .expect("lifecycle rules")
        .iter()
        .filter(|rule| rule.get("ExpirationInDays").is_some())
        .filter_map(|rule| rule["Prefix"].as_str())
        .collect();
    assert_eq!(expiring, BTreeSet::from(["sweeps/", "map-runs/"]));
    let policy = &template["Resources"]["ResultsBucketPolicy"]["Properties"]["PolicyDocument"];
    assert_eq!(
        policy["Statement"][0]["Condition"],
        json!({ "Bool": { "aws:SecureTransport": "false" } })
    );
    assert_eq!(policy["Statement"][0]["Effect"], "Deny");
}

// ---- The state machine: the plan's payloads, path by path ----

/// Evaluates a `Parameters`-style template (keys ending `.$` take a path) against a state's input
/// and the context object: the payload Step Functions would build, or the path that does not exist.
fn build(template: &Value, input: &Value, context: &Value) -> Result<Value, String> {
    match template {
        Value::Object(fields) => {
            let mut built = Map::new();
            for (key, value) in fields {
                if let Some(key) = key.strip_suffix(".$") {
                    let path = value.as_str().ok_or(format!("{key}.$ is not a path"))?;
                    built.insert(key.to_owned(), select(path, input, context)?);
                } else {
                    built.insert(key.clone(), build(value, input, context)?);
                }
            }
            Ok(Value::Object(built))
        }
        other => Ok(other.clone()),
    }
}

/// A reference path (`$`, `$.a.b`, `$$.a.b`; the only forms the definition uses).
fn select(path: &str, input: &Value, context: &Value) -> Result<Value, String> {
    let (root, rest) = if let Some(rest) = path.strip_prefix("$$") {
        (context, rest)
    } else if let Some(rest) = path.strip_prefix('$') {
        (input, rest)
    } else {
        return Err(format!("{path} is not a reference path"));
    };
    let mut at = root;
    for field in rest.split('.').filter(|f| !f.is_empty()) {
        at = at
            .get(field)
            .ok_or_else(|| format!("{path}: no field {field} in {at}"))?;
    }
    Ok(at.clone())
}

/// Writes `value` at a result path (`$.name`) of `state`.
fn place(state: &Value, path: &str, value: Value) -> Result<Value, String> {
    let field = path
        .strip_prefix("$.")
        .filter(|f| !f.contains('.'))
        .ok_or(format!("{path}: only $.field result paths are used"))?;
    let mut state = state.clone();
    state
        .as_object_mut()
        .ok_or("the state is not an object")?
        .insert(field.to_owned(), value);
    Ok(state)
}

/// What the function returns to `list-accounts` (the plan's ListAccounts output).
/// The value at a `$.a.b` path of `input`, when the path is one and the value is there.
fn path_value<'a>(path: &Value, input: &'a Value) -> Option<&'a Value> {
    let rest = path.as_str()?.strip_prefix("$.")?;
    rest.split('.').try_fold(input, |value, key| value.get(key))
}

fn list_accounts_output() -> Value {
    json!({
        "execution": "E",
        "bucket": "B",
        "prefix": "sweeps/E/",
        "accounts_key": "sweeps/E/accounts.json",
        "accounts": 2,
        "max_concurrency": 10,
        "tolerated_failure_percentage": 10,
        "accounts_per_invocation": 1
    })
}

const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Checks one Lambda task: the plan's resource, function, and `$.Payload` as its output.
fn lambda_task(name: &str, state: &Value, problems: &mut Vec<String>) {
    if state["Type"] != "Task" || state["Resource"] != LAMBDA_INVOKE {
        problems.push(format!("{name}: not a {LAMBDA_INVOKE} Task"));
    }
    if state["Parameters"]["FunctionName"] != "${AuditFunctionArn}" {
        problems.push(format!("{name}: does not invoke ${{AuditFunctionArn}}"));
    }
    if state["OutputPath"] != "$.Payload" {
        problems.push(format!(
            "{name}: OutputPath is {}, not $.Payload",
            state["OutputPath"]
        ));
    }
}

/// The Lambda errors the plan retries with backoff and jitter.
const LAMBDA_ERRORS: [&str; 5] = [
    "Lambda.TooManyRequestsException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.Unknown",
];

/// Everything in which the state machine differs from the plan, one message each.
fn definition_problems(template: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let machine = &template["Resources"]["OrganizationSweep"]["Properties"];
    let definition = &machine["Definition"];
    let states = &definition["States"];
    let context = json!({ "Execution": { "Name": "E" }, "State": { "RetryCount": 0 } });
    if definition["StartAt"] != "ListAccounts" {
        problems.push("StartAt is not ListAccounts".to_owned());
    }
    for (key, value) in [
        (
            "AuditFunctionArn",
            json!({ "Fn::GetAtt": "AuditFunction.Arn" }),
        ),
        ("ResultsBucket", json!({ "Ref": "ResultsBucket" })),
    ] {
        if machine["DefinitionSubstitutions"][key] != value {
            problems.push(format!("DefinitionSubstitutions.{key} is not {value}"));
        }
    }

    // 1. ListAccounts: the execution's name, from the context object.
    let list = &states["ListAccounts"];
    lambda_task("ListAccounts", list, &mut problems);
    match build(&list["Parameters"]["Payload"], &json!({}), &context) {
        Ok(payload) if payload == json!({ "action": "list-accounts", "execution": "E" }) => {}
        other => problems.push(format!("ListAccounts payload: {other:?}")),
    }
    if list["Next"] != "SweepAccounts" {
        problems.push("ListAccounts is not followed by SweepAccounts".to_owned());
    }

    // 2. SweepAccounts reads ListAccounts' output.
    let map_input = list_accounts_output();
    let map = &states["SweepAccounts"];
    if map["Type"] != "Map"
        || map["ItemProcessor"]["ProcessorConfig"]
            != json!({ "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" })
    {
        problems.push("SweepAccounts is not a Distributed Map of STANDARD children".to_owned());
    }
    let reader = &map["ItemReader"];
    if reader["Resource"] != "arn:aws:states:::s3:getObject"
        || reader["ReaderConfig"] != json!({ "InputType": "JSON" })
    {
        problems.push(format!("ItemReader: {reader}"));
    }
    match build(&reader["Parameters"], &map_input, &context) {
        Ok(read) if read == json!({ "Bucket": "B", "Key": "sweeps/E/accounts.json" }) => {}
        other => problems.push(format!("ItemReader.Parameters: {other:?}")),
    }
    // Each item is an `accounts.json` entry: the organization's Account, as the function writes it.
    let account = Account {
        account_id: "111122223333".to_owned(),
        name: "web".to_owned(),
    };
    let item_context = json!({ "Map": { "Item": { "Value": account, "Index": "0" } } });
    let item = build(&map["ItemSelector"], &map_input, &item_context);
    match &item {
        Ok(item) if *item == json!({ "account_id": "111122223333", "name": "web" }) => {}
        other => problems.push(format!("ItemSelector: {other:?}")),
    }
    let batcher = &map["ItemBatcher"];
    // Numbers, from ListAccounts' output: a substitution would give Step Functions text.
    match path_value(&batcher["MaxItemsPerBatchPath"], &map_input) {
        Some(Value::Number(_)) => {}
        other => problems.push(format!(
            "ItemBatcher.MaxItemsPerBatchPath does not read a number of ListAccounts' output: {other:?}"
        )),
    }
    let batch_input = build(&batcher["BatchInput"], &map_input, &context);
    let expected_batch = json!({
        "action": "sweep-accounts", "execution": "E", "bucket": "B", "prefix": "sweeps/E/"
    });
    if batch_input.as_ref() != Ok(&expected_batch) {
        problems.push(format!("ItemBatcher.BatchInput: {batch_input:?}"));
    }
    // The child task sends the batch, exactly: {"Items": [...], "BatchInput": {...}}.
    let children = &map["ItemProcessor"]["States"];
    let child_name = map["ItemProcessor"]["StartAt"].as_str().unwrap_or_default();
    let child = &children[child_name];
    lambda_task(child_name, child, &mut problems);
    if child["End"] != "true" {
        problems.push(format!("{child_name} does not end the child execution"));
    }
    if let (Ok(item), Ok(batch_input)) = (&item, &batch_input) {
        let batch = json!({ "Items": [item], "BatchInput": batch_input });
        match build(&child["Parameters"], &batch, &context) {
            Ok(parameters) if parameters["Payload"] == batch => {}
            other => problems.push(format!("{child_name} does not send the batch: {other:?}")),
        }
    }
    let retry = &child["Retry"];
    let backoff = &retry[0];
    if strings(&backoff["ErrorEquals"]) != LAMBDA_ERRORS
        || backoff["IntervalSeconds"] != "5"
        || backoff["BackoffRate"] != "2"
        || backoff["MaxAttempts"] != "6"
        || backoff["MaxDelaySeconds"] != "300"
        || backoff["JitterStrategy"] != "FULL"
    {
        problems.push(format!(
            "{child_name}: the Lambda retry is not the plan's: {backoff}"
        ));
    }
    if retry[1] != json!({ "ErrorEquals": ["States.ALL"], "MaxAttempts": "2" }) {
        problems.push(format!(
            "{child_name}: the States.ALL retry is {}",
            retry[1]
        ));
    }
    for key in ["MaxConcurrencyPath", "ToleratedFailurePercentagePath"] {
        match path_value(&map[key], &map_input) {
            Some(Value::Number(_)) => {}
            other => problems.push(format!(
                "SweepAccounts.{key} does not read a number of ListAccounts' output: {other:?}"
            )),
        }
    }
    if map["ResultWriter"]
        != json!({
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": { "Bucket": "${ResultsBucket}", "Prefix": "map-runs" }
        })
    {
        problems.push(format!("ResultWriter: {}", map["ResultWriter"]));
    }
    if map["Next"] != "BuildDigest" {
        problems.push("SweepAccounts is not followed by BuildDigest".to_owned());
    }
    let catch = &map["Catch"];
    if catch
        != &json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.map_error", "Next": "BuildDigest" }])
    {
        problems.push(format!("SweepAccounts.Catch: {catch}"));
    }

    // 3. BuildDigest receives ListAccounts' output with the map's result (or its error) added.
    let map_output = json!({
        "MapRunArn": "arn:aws:states:us-east-1:111122223333:mapRun:m/SweepAccounts:r",
        "ResultWriterDetails": { "Bucket": "B", "Key": "map-runs/r/manifest.json" }
    });
    let results_path = map["ResultPath"].as_str().unwrap_or_default();
    let error_path = catch[0]["ResultPath"].as_str().unwrap_or_default();
    let digest = &states["BuildDigest"];
    lambda_task("BuildDigest", digest, &mut problems);
    if digest["End"] != "true" {
        problems.push("BuildDigest does not end the execution".to_owned());
    }
    for (path, value, field) in [
        (results_path, map_output, "results"),
        (
            error_path,
            json!({ "Error": "States.ExceedToleratedFailureThreshold", "Cause": "c" }),
            "map_error",
        ),
    ] {
        let state = match place(&map_input, path, value) {
            Ok(state) => state,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match build(&digest["Parameters"]["Payload"], &state, &context) {
            Ok(payload) => {
                let input = &payload["input"];
                if payload["action"] != "organization-digest" {
                    problems.push(format!("BuildDigest action: {}", payload["action"]));
                }
                // Whether a retry is left (the function lists unreadable results only on the last).
                if payload["retry_count"] != json!(0) {
                    problems.push(format!(
                        "BuildDigest's retry_count is not the state's RetryCount: {}",
                        payload["retry_count"]
                    ));
                }
                // What the function reads of the whole state (the plan's BuildDigest).
                for key in [
                    "execution",
                    "bucket",
                    "prefix",
                    "accounts_key",
                    "accounts",
                    field,
                ] {
                    if input.get(key).is_none() {
                        problems.push(format!("BuildDigest's input has no {key}: {input}"));
                    }
                }
            }
            Err(problem) => problems.push(format!("BuildDigest: {problem}")),
        }
    }
    if field_names(states) != BTreeSet::from(["BuildDigest", "ListAccounts", "SweepAccounts"]) {
        problems.push(format!("states: {:?}", field_names(states)));
    }
    problems
}

fn field_names(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn the_state_machine_is_the_plans_each_path_reading_what_the_previous_state_returns() {
    let problems = definition_problems(&hub());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_path_the_previous_state_does_not_return_is_a_difference() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
        .expect("template.yaml");
    for (from, to, problem) in [
        (
            "Key.$: $.accounts_key",
            "Key.$: $.accounts_file",
            "accounts_file",
        ),
        (
            "prefix.$: $.prefix",
            "prefix.$: $.sweep_prefix",
            "sweep_prefix",
        ),
        (
            "name.$: $$.Map.Item.Value.name",
            "name.$: $$.Map.Item.Value.account_name",
            "account_name",
        ),
        (
            "ResultPath: $.results",
            "ResultPath: $.Payload.results",
            "result paths",
        ),
        ("ResultPath: $.map_error", "ResultPath: $", "result paths"),
        (
            "                    Payload.$: $\n",
            "                    Payload.$: $.Items\n",
            "does not send the batch",
        ),
        ("input.$: $\n", "input.$: $.results\n", "has no execution"),
    ] {
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        let template = yaml_to_json(&changed).expect("still YAML");
        let problems = definition_problems(&template);
        assert!(
            problems.iter().any(|p| p.contains(problem)),
            "{problem}: {problems:#?}"
        );
    }
}
