//! `template.yaml` grants what `src/permissions.rs` says, no more and no less:
//!
//! * the function's policy is exactly `permissions::FUNCTION_GRANTS`, statement by statement (actions,
//!   resource, `kms:ViaService`): the code's calls (`AWS_ACTIONS`) and what AWS does with the role
//!   (`ON_BEHALF_ACTIONS`: Lambda writing the on-failure destination, SNS and SQS using the key), with
//!   no write on CloudFront, ACM or IAM;
//! * the on-failure destination is the queue the role may write, encrypted with the key the role may
//!   use through SQS, and no policy names the Lambda service principal;
//! * the KMS key lets exactly the services of `permissions::KEY_SERVICE_USERS` use it, each tied to this
//!   account (`aws:SourceAccount`) and to the stack's alarms (`aws:SourceArn`), which all carry the
//!   prefix the condition names;
//! * the alarms on `DestinationDeliveryFailures` and on `RejectedEvents` exist, the latter naming the
//!   namespace, metric and dimension that `src/lambda/metrics.rs` emits;
//! * the Slack channel is notification-only: a role without policy, a deny-all guardrail;
//! * an opt-in feature's grants (`permissions::CONDITIONAL_GRANTS`: Security Hub, the organization's
//!   hub, the organization accounts role) are their own `AWS::IAM::Policy` on the function's role,
//!   created only under its condition, so that the role has them exactly when the feature's parameter
//!   is on. (The member role and the rest of the organization's IAM: `tests/template_organization.rs`.)
//!
//! The template is read as text (no YAML crate): the parsers below know the layout the template uses
//! and fail, naming what they looked for, when it changes.

use std::collections::BTreeSet;

use cloudfront_tls_audit::lambda::metrics::{
    rejected_event_line, FUNCTION_DIMENSION, FUNCTION_NAME, NAMESPACE, REJECTED_EVENTS,
};
use cloudfront_tls_audit::permissions::{
    all_grants, is_forbidden_write, Grant, ALARM_NAME_PREFIX, AWS_ACTIONS, CONDITIONAL_GRANTS,
    FUNCTION_GRANTS, KEY_SERVICE_USERS, ON_BEHALF_ACTIONS, ON_FAILURE_DESTINATION_SEND,
};

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
        .unwrap_or_else(|e| panic!("template.yaml: {e}"))
}

/// The lines of resource `logical` (its header line excluded), up to the next resource or section.
fn resource<'a>(template: &'a str, logical: &str) -> Vec<&'a str> {
    let header = format!("  {logical}:");
    let mut lines = template.lines().skip_while(|line| *line != header);
    assert!(
        lines.next().is_some(),
        "template.yaml: no resource {logical}"
    );
    lines
        .take_while(|line| line.is_empty() || line.starts_with("   "))
        .collect()
}

/// Logical ids of every resource of `kind` (e.g. `AWS::CloudWatch::Alarm`).
fn resources_of_type(template: &str, kind: &str) -> Vec<String> {
    let lines: Vec<&str> = template.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[1].trim() == format!("Type: {kind}"))
        .filter_map(|pair| {
            let name = pair[0].strip_prefix("  ")?.strip_suffix(':')?;
            (!name.starts_with(' ')).then(|| name.to_owned())
        })
        .collect()
}

/// Splits `lines` into the items of a YAML list indented by `indent` spaces (`- ` at that column).
fn list_items<'a>(lines: &[&'a str], indent: usize) -> Vec<Vec<&'a str>> {
    let marker = format!("{}- ", " ".repeat(indent));
    let mut items: Vec<Vec<&str>> = Vec::new();
    for line in lines.iter().filter(|l| !l.trim_start().starts_with('#')) {
        if line.starts_with(&marker) {
            items.push(vec![line]);
        } else if let Some(item) = items.last_mut() {
            let deeper = line.len() - line.trim_start().len() > indent || line.trim().is_empty();
            if deeper {
                item.push(line);
            } else {
                // The list ended.
                break;
            }
        }
    }
    items
}

/// The value(s) of `key` in `lines`: the inline value (a `[a, b]` flow list split), or the `- x`
/// lines under it. Comments are dropped.
fn values(lines: &[&str], key: &str) -> Vec<String> {
    let key_line = lines.iter().position(|line| {
        line.trim_start()
            .trim_start_matches("- ")
            .starts_with(&format!("{key}:"))
    });
    let Some(at) = key_line else {
        return Vec::new();
    };
    let line = lines[at].split(" #").next().unwrap_or_default();
    let indent = line.len() - line.trim_start().len();
    let inline = line
        .trim_start()
        .trim_start_matches("- ")
        .strip_prefix(&format!("{key}:"))
        .map(str::trim)
        .unwrap_or_default();
    if !inline.is_empty() {
        let inline = inline.trim_start_matches('[').trim_end_matches(']');
        return inline
            .split(", ")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
    }
    lines[at + 1..]
        .iter()
        .take_while(|l| l.len() - l.trim_start().len() > indent || l.trim().is_empty())
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(|v| v.split(" #").next().unwrap_or_default().trim().to_owned())
        .collect()
}

/// One statement of a policy, as the template writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    sid: String,
    actions: BTreeSet<String>,
    resource: Vec<String>,
    principals: Vec<String>,
    via_services: Vec<String>,
    source_account: Vec<String>,
    source_arn: Vec<String>,
}

fn statement(lines: &[&str]) -> Statement {
    Statement {
        sid: values(lines, "Sid").join(""),
        actions: values(lines, "Action").into_iter().collect(),
        resource: values(lines, "Resource"),
        principals: values(lines, "Service"),
        via_services: values(lines, "kms:ViaService"),
        source_account: values(lines, "aws:SourceAccount"),
        source_arn: values(lines, "aws:SourceArn"),
    }
}

/// The statements of the function's inline policy (`Policies:` of `AuditFunction`).
fn function_statements(template: &str) -> Vec<Statement> {
    let function = resource(template, "AuditFunction");
    let policies: Vec<&str> = function
        .iter()
        .skip_while(|line| line.trim() != "Policies:")
        .skip(1)
        .take_while(|line| line.trim() != "Events:")
        .copied()
        .collect();
    assert!(
        !policies.is_empty(),
        "template.yaml: AuditFunction has no Policies block"
    );
    statements_after(&policies, 12)
}

/// The statements of the KMS key's policy.
fn key_statements(template: &str) -> Vec<Statement> {
    statements_after(&resource(template, "FindingsKey"), 10)
}

/// The statements of the first `Statement:` list in `lines`, its items indented by `indent`.
fn statements_after(lines: &[&str], indent: usize) -> Vec<Statement> {
    let statements: Vec<&str> = lines
        .iter()
        .skip_while(|line| line.trim() != "Statement:")
        .skip(1)
        .copied()
        .collect();
    list_items(&statements, indent)
        .iter()
        .map(|item| statement(item))
        .collect()
}

/// Every `service:Action` token (wildcards included) anywhere in the function's `Policies:` block,
/// so that an action outside a recognised statement is still seen. SAM policy templates
/// (`SQSPollerPolicy`) carry no such token.
fn granted_actions(template: &str) -> BTreeSet<String> {
    let function = resource(template, "AuditFunction");
    function
        .iter()
        .skip_while(|line| line.trim() != "Policies:")
        .take_while(|line| line.trim() != "Events:")
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| {
            line.split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '"' | '\''))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|token| {
            token.split_once(':').is_some_and(|(service, action)| {
                !service.is_empty()
                    && service.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !action.is_empty()
                    && action
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '*')
            })
        })
        .collect()
}

/// What the template's statement for `grant` must look like.
fn expected_statement(grant: &Grant) -> Statement {
    Statement {
        sid: grant.sid.to_owned(),
        actions: grant.actions.iter().map(|a| a.to_string()).collect(),
        resource: vec![grant.resource.in_template()],
        principals: Vec::new(),
        via_services: grant
            .via_services
            .iter()
            .map(|s| format!("!Sub {s}"))
            .collect(),
        source_account: Vec::new(),
        source_arn: Vec::new(),
    }
}

/// The comparison the function's policy must pass, as a message naming each difference.
fn differences(template: &str) -> Option<String> {
    let found = function_statements(template);
    let expected: Vec<Statement> = FUNCTION_GRANTS.iter().map(expected_statement).collect();
    let extra: Vec<_> = found.iter().filter(|s| !expected.contains(s)).collect();
    let missing: Vec<_> = expected.iter().filter(|s| !found.contains(s)).collect();
    let all: BTreeSet<String> = AWS_ACTIONS
        .iter()
        .chain(ON_BEHALF_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    let granted = granted_actions(template);
    let stray: Vec<_> = granted.difference(&all).collect();
    let writes: Vec<_> = granted.iter().filter(|a| is_forbidden_write(a)).collect();
    (!extra.is_empty() || !missing.is_empty() || !stray.is_empty() || !writes.is_empty()).then(
        || {
            format!(
                "template.yaml's function policy differs from src/permissions.rs FUNCTION_GRANTS. \
                 In the template, not in the code: {extra:#?}; in the code, not in the template: \
                 {missing:#?}; actions neither called nor done on the role's behalf: {stray:?}; \
                 writes on CloudFront/ACM/IAM: {writes:?}. Change both together."
            )
        },
    )
}

#[test]
fn the_function_policy_is_exactly_the_grants_of_src_permissions() {
    let found = function_statements(&template());
    assert_eq!(found.len(), FUNCTION_GRANTS.len(), "{found:#?}");
    if let Some(message) = differences(&template()) {
        panic!("{message}");
    }
}

#[test]
fn a_grant_the_code_does_not_call_is_a_difference() {
    let widened = template().replacen(
        "              Action: cloudfront:GetDistribution\n",
        "              Action: [cloudfront:GetDistribution, cloudfront:GetDistributionConfig]\n",
        1,
    );
    assert!(granted_actions(&widened).contains("cloudfront:GetDistributionConfig"));
    assert!(differences(&widened).is_some_and(|m| m.contains("GetDistributionConfig")));
}

#[test]
fn a_call_the_template_does_not_grant_is_a_difference() {
    let narrowed = template().replacen("                - acm:GetCertificate\n", "", 1);
    assert!(!granted_actions(&narrowed).contains("acm:GetCertificate"));
    assert!(differences(&narrowed).is_some_and(|m| m.contains("acm:GetCertificate")));
}

#[test]
fn a_read_widened_to_every_resource_is_a_difference() {
    let widened = template().replacen(
        "              Resource: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*\n",
        "              Resource: \"*\"\n",
        1,
    );
    assert_ne!(widened, template());
    assert!(differences(&widened).is_some_and(|m| m.contains("ReadDistributions")));
}

#[test]
fn a_write_or_a_wildcard_on_cloudfront_is_a_difference() {
    for action in ["cloudfront:UpdateDistribution", "cloudfront:*"] {
        let widened = template().replacen(
            "              Action: sns:Publish\n",
            &format!("              Action: [sns:Publish, {action}]\n"),
            1,
        );
        assert!(
            granted_actions(&widened).contains(action),
            "{action} not parsed"
        );
        assert!(differences(&widened).is_some(), "{action} accepted");
    }
}

#[test]
fn the_on_failure_destination_is_a_queue_the_role_may_write_with_its_key() {
    let template = template();
    let config = resource(&template, "AuditFunctionEventInvokeConfig");
    let destination = values(&config, "Destination");
    assert_eq!(destination, ["!GetAtt FailedEventsQueue.Arn"]);
    let statements = function_statements(&template);
    assert!(
        statements
            .iter()
            .any(|s| s.actions.contains(ON_FAILURE_DESTINATION_SEND) && s.resource == destination),
        "no statement lets the role send to the destination: {statements:#?}"
    );
    // The queue is encrypted with the stack's key, which the role may use through SQS.
    let queue = resource(&template, "FailedEventsQueue");
    assert_eq!(values(&queue, "KmsMasterKeyId"), ["!Ref FindingsKey"]);
    assert!(statements.iter().any(|s| {
        s.resource == ["!GetAtt FindingsKey.Arn"]
            && s.actions.contains("kms:GenerateDataKey")
            && s.actions.contains("kms:Decrypt")
            && s.via_services
                .contains(&"!Sub sqs.${AWS::Region}.amazonaws.com".to_owned())
    }));
    // Lambda writes with the role, never as a service principal: no policy may name it.
    assert!(
        !template
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .any(|line| line.contains("lambda.amazonaws.com")),
        "a policy names lambda.amazonaws.com; Lambda writes destinations with the execution role"
    );
    // Without the grant the destination write would fail: the comparison notices.
    let without = template.replacen(
        "            - Sid: RecordFailedEvents\n              Effect: Allow\n              Action: sqs:SendMessage\n              Resource: !GetAtt FailedEventsQueue.Arn\n",
        "",
        1,
    );
    assert_ne!(without, template);
    assert!(differences(&without).is_some_and(|m| m.contains("RecordFailedEvents")));
}

/// What is wrong with the key policy and the alarms it names, one message per problem.
fn key_problems(template: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let statements = key_statements(template);
    let root = statements
        .iter()
        .filter(|s| s.principals.is_empty())
        .count();
    if root != 1 {
        problems.push(format!("{root} statements without a service principal, expected the one administration statement"));
    }
    let services: Vec<_> = statements
        .iter()
        .filter(|s| !s.principals.is_empty())
        .collect();
    for found in &services {
        let Some(user) = KEY_SERVICE_USERS
            .iter()
            .find(|user| found.principals == [user.principal])
        else {
            problems.push(format!(
                "{:?} may use the key but is not in KEY_SERVICE_USERS",
                found.principals
            ));
            continue;
        };
        let actions: BTreeSet<String> = user.actions.iter().map(|a| a.to_string()).collect();
        if found.actions != actions {
            problems.push(format!(
                "{}: actions {:?}, expected {actions:?}",
                user.principal, found.actions
            ));
        }
        if found.source_account != ["!Ref AWS::AccountId"] {
            problems.push(format!(
                "{}: aws:SourceAccount is {:?}, expected the stack's account",
                user.principal, found.source_account
            ));
        }
        if found.source_arn != [format!("!Sub {}", user.source_arn)] {
            problems.push(format!(
                "{}: aws:SourceArn is {:?}, expected {}",
                user.principal, found.source_arn, user.source_arn
            ));
        }
    }
    for user in KEY_SERVICE_USERS {
        if !services.iter().any(|s| s.principals == [user.principal]) {
            problems.push(format!("no key statement for {}", user.principal));
        }
    }
    // Every alarm is covered by the aws:SourceArn pattern and notifies the topic.
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm") {
        let lines = resource(template, &alarm);
        let name = values(&lines, "AlarmName").join("");
        if !name.starts_with(ALARM_NAME_PREFIX) {
            problems.push(format!("{alarm}: AlarmName {name:?} lacks the prefix {ALARM_NAME_PREFIX} the key policy names"));
        }
        if values(&lines, "AlarmActions") != ["!Ref FindingsTopic"] {
            problems.push(format!("{alarm}: does not notify FindingsTopic"));
        }
    }
    problems
}

#[test]
fn the_key_lets_only_its_service_users_use_it_each_tied_to_this_account() {
    let template = template();
    assert!(resources_of_type(&template, "AWS::CloudWatch::Alarm").len() >= 5);
    let problems = key_problems(&template);
    assert!(
        problems.is_empty(),
        "template.yaml's FindingsKey policy or alarms: {problems:#?}"
    );
}

#[test]
fn a_key_statement_without_its_conditions_or_an_unlisted_principal_is_refused() {
    let template = template();
    for (from, to, problem) in [
        (
            "                aws:SourceAccount: !Ref AWS::AccountId\n",
            "",
            "aws:SourceAccount",
        ),
        (
            "              Service: cloudwatch.amazonaws.com\n",
            "              Service: [cloudwatch.amazonaws.com, sns.amazonaws.com]\n",
            "sns.amazonaws.com",
        ),
        (
            "      AlarmName: cloudfront-tls-audit-errors\n",
            "",
            "FunctionErrorsAlarm",
        ),
    ] {
        let changed = template.replacen(from, to, 1);
        assert_ne!(changed, template, "{from}");
        let problems = key_problems(&changed);
        assert!(
            problems.iter().any(|p| p.contains(problem)),
            "{problem}: {problems:#?}"
        );
    }
}

/// Asserts that each `key` of `lines` holds the single value `expected`.
fn expect(lines: &[&str], pairs: &[(&str, &str)]) {
    for (key, expected) in pairs {
        assert_eq!(values(lines, key), [*expected], "{key}");
    }
}

/// The alarm resource whose `MetricName` is `metric`.
fn alarm_on<'a>(template: &'a str, metric: &str) -> Vec<&'a str> {
    resources_of_type(template, "AWS::CloudWatch::Alarm")
        .iter()
        .map(|alarm| resource(template, alarm))
        .find(|lines| values(lines, "MetricName") == [metric])
        .unwrap_or_else(|| panic!("template.yaml: no alarm on {metric}"))
}

#[test]
fn destination_delivery_failures_raise_an_alarm() {
    let template = template();
    let alarm = alarm_on(&template, "DestinationDeliveryFailures");
    expect(
        &alarm,
        &[
            ("Namespace", "AWS/Lambda"),
            ("Name", "FunctionName"),
            ("Value", "!Ref AuditFunction"),
            ("Threshold", "1"),
        ],
    );
}

#[test]
fn the_rejected_events_alarm_watches_what_the_code_emits() {
    let template = template();
    let alarm = alarm_on(&template, REJECTED_EVENTS);
    expect(&alarm, &[("Namespace", NAMESPACE), ("Threshold", "1")]);
    // CloudWatch matches an alarm to a metric by its exact dimension set: the alarm's must be one of
    // the sets the EMF line declares.
    let names = values(&alarm, "Name");
    assert_eq!(names, [FUNCTION_DIMENSION]);
    let line = rejected_event_line("unknown-action", "detail", FUNCTION_NAME, 0);
    let sets = &line["_aws"]["CloudWatchMetrics"][0]["Dimensions"];
    assert!(
        sets.as_array()
            .into_iter()
            .flatten()
            .any(|set| *set == serde_json::json!(names)),
        "the alarm's dimensions {names:?} are not a set the code emits: {sets}"
    );
    // The dimension's value is the function's name: the template's FunctionName, which the alarm
    // refers to, is the name the code falls back to.
    assert_eq!(values(&alarm, "Value"), ["!Ref AuditFunction"]);
    let function = resource(&template, "AuditFunction");
    assert_eq!(values(&function, "FunctionName"), [FUNCTION_NAME]);
}

#[test]
fn the_slack_channel_can_only_deliver_notifications() {
    let template = template();
    let role = resource(&template, "SlackChannelRole");
    for key in ["ManagedPolicyArns", "Policies", "PermissionsBoundary"] {
        assert!(values(&role, key).is_empty(), "SlackChannelRole has {key}");
    }
    let channel = resource(&template, "SlackChannel");
    assert_eq!(
        values(&channel, "GuardrailPolicies"),
        ["!Sub arn:${AWS::Partition}:iam::aws:policy/AWSDenyAll"]
    );
    assert_eq!(
        values(&channel, "IamRoleArn"),
        ["!GetAtt SlackChannelRole.Arn"]
    );
    assert!(
        !template.contains("ReadOnlyAccess"),
        "no read-only managed policy anywhere in the stack"
    );
}

#[test]
fn failed_events_are_retried_then_kept_for_fourteen_days_and_alarmed() {
    let template = template();
    // Asynchronous events (EventBridge rules, the schedule, `--invocation-type Event`): two retries,
    // kept up to 6 hours while throttled, then the on-failure destination.
    let config = resource(&template, "AuditFunctionEventInvokeConfig");
    expect(
        &config,
        &[
            ("FunctionName", "!Ref AuditFunction"),
            ("Qualifier", "$LATEST"),
            ("MaximumRetryAttempts", "2"),
            ("MaximumEventAgeInSeconds", "21600"),
        ],
    );
    // Follow-ups arrive through the SQS event source (synchronous, no destination): a failed one
    // returns to its queue, and after three receives SQS moves it to the same queue.
    let follow_ups = resource(&template, "FollowUpQueue");
    assert_eq!(
        values(&follow_ups, "deadLetterTargetArn"),
        ["!GetAtt FailedEventsQueue.Arn"]
    );
    assert_eq!(values(&follow_ups, "maxReceiveCount"), ["3"]);
    let failed = resource(&template, "FailedEventsQueue");
    assert_eq!(values(&failed, "MessageRetentionPeriod"), ["1209600"]);
    // Anything that lands there raises an alarm; so does an invocation error.
    let waiting = alarm_on(&template, "ApproximateNumberOfMessagesVisible");
    assert_eq!(
        values(&waiting, "Value"),
        ["!GetAtt FailedEventsQueue.QueueName"]
    );
    let errors = alarm_on(&template, "Errors");
    assert_eq!(values(&errors, "Value"), ["!Ref AuditFunction"]);
}

#[test]
fn the_follow_up_poller_may_read_only_its_queue() {
    let template = template();
    let function = resource(&template, "AuditFunction");
    // A SAM `SQS` event would add AWSLambdaSQSQueueExecutionRole (every queue of the account).
    assert!(
        !function.iter().any(|line| line.trim() == "Type: SQS"),
        "AuditFunction has a SAM SQS event; use the FollowUpEventSource mapping instead"
    );
    assert_eq!(
        values(&function, "QueueName"),
        ["!GetAtt FollowUpQueue.QueueName"],
        "SQSPollerPolicy scoped to the follow-up queue"
    );
    let mapping = resource(&template, "FollowUpEventSource");
    assert_eq!(
        values(&mapping, "Type"),
        ["AWS::Lambda::EventSourceMapping"]
    );
    assert_eq!(
        values(&mapping, "EventSourceArn"),
        ["!GetAtt FollowUpQueue.Arn"]
    );
    expect(
        &mapping,
        &[("FunctionName", "!Ref AuditFunction"), ("BatchSize", "1")],
    );
}

#[test]
fn each_eventbridge_rule_alarms_when_it_cannot_invoke_the_function() {
    let template = template();
    let function = resource(&template, "AuditFunction");
    let events: Vec<&str> = function
        .iter()
        .skip_while(|line| line.trim() != "Events:")
        .skip(1)
        .copied()
        .collect();
    let rules: Vec<String> = events
        .windows(2)
        .filter(|pair| pair[1].trim() == "Type: EventBridgeRule")
        .map(|pair| pair[0].trim().trim_end_matches(':').to_owned())
        .collect();
    assert_eq!(
        rules,
        [
            "CloudFrontChanges",
            "LoadBalancerChanges",
            "CertificateEvents"
        ]
    );
    let watched: Vec<Vec<String>> = resources_of_type(&template, "AWS::CloudWatch::Alarm")
        .iter()
        .map(|alarm| resource(&template, alarm))
        .filter(|lines| values(lines, "MetricName") == ["FailedInvocations"])
        .map(|lines| values(&lines, "Value"))
        .collect();
    for rule in rules {
        // SAM names the rule it generates for event E of function F "FE".
        let reference = format!("!Ref AuditFunction{rule}");
        assert!(
            watched.iter().any(|values| *values == [reference.clone()]),
            "no FailedInvocations alarm on {reference}: {watched:?}"
        );
    }
}

/// What is wrong with the conditional grants: each one's policy resource, its condition and its
/// statement, and no other policy resource in the stack.
fn conditional_problems(template: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let policies = resources_of_type(template, "AWS::IAM::Policy");
    for conditional in CONDITIONAL_GRANTS {
        if !policies.iter().any(|p| p == conditional.policy) {
            problems.push(format!("no AWS::IAM::Policy {}", conditional.policy));
            continue;
        }
        let lines = resource(template, conditional.policy);
        if values(&lines, "Condition") != [conditional.condition] {
            problems.push(format!(
                "{}: Condition is {:?}, expected {}",
                conditional.policy,
                values(&lines, "Condition"),
                conditional.condition
            ));
        }
        if values(&lines, "Roles") != ["!Ref AuditFunctionRole"] {
            problems.push(format!(
                "{}: not attached to AuditFunctionRole alone",
                conditional.policy
            ));
        }
        let found = statements_after(&lines, 10);
        let expected: Vec<Statement> = conditional.grants.iter().map(expected_statement).collect();
        if found != expected {
            problems.push(format!(
                "{}: statements {found:#?}, expected exactly {expected:#?}",
                conditional.policy
            ));
        }
        // Never also in the function's own policy, which holds whatever the parameter says.
        for action in conditional.grants.iter().flat_map(|g| g.actions) {
            if granted_actions(template).contains(*action) {
                problems.push(format!(
                    "{action} is in AuditFunction's Policies: granted even with the feature off"
                ));
            }
        }
    }
    for policy in &policies {
        if !CONDITIONAL_GRANTS.iter().any(|c| c.policy == policy) {
            problems.push(format!(
                "{policy}: an AWS::IAM::Policy that src/permissions.rs does not know"
            ));
        }
    }
    problems
}

#[test]
fn the_security_hub_grant_exists_exactly_when_the_parameter_is_on() {
    let template = template();
    let problems = conditional_problems(&template);
    assert!(problems.is_empty(), "{problems:#?}");
    // The condition is the parameter, and the function learns the parameter's value.
    let conditions: Vec<&str> = template
        .lines()
        .skip_while(|line| *line != "Conditions:")
        .take_while(|line| *line != "Resources:")
        .collect();
    assert!(
        conditions.contains(&"  SecurityHubOn: !Equals [!Ref SecurityHub, \"true\"]"),
        "{conditions:#?}"
    );
    let function = resource(&template, "AuditFunction");
    assert_eq!(values(&function, "SECURITY_HUB"), ["!Ref SecurityHub"]);
    // Every action the code calls is granted, unconditionally or under its feature's condition.
    for action in AWS_ACTIONS {
        assert!(all_grants().any(|g| g.actions.contains(action)), "{action}");
    }
}

#[test]
fn the_organization_grants_exist_exactly_in_organization_mode() {
    let template = template();
    let conditions: Vec<&str> = template
        .lines()
        .skip_while(|line| *line != "Conditions:")
        .take_while(|line| *line != "Resources:")
        .collect();
    for line in [
        "  OrganizationModeOn: !Equals [!Ref OrganizationMode, \"true\"]",
        "    - !Condition OrganizationModeOn",
        "    - !Not [!Equals [!Ref OrganizationAccountsRoleArn, \"\"]]",
    ] {
        assert!(conditions.contains(&line), "{line}: {conditions:#?}");
    }
    let function = resource(&template, "AuditFunction");
    expect(
        &function,
        &[
            ("ORGANIZATION_MODE", "!Ref OrganizationMode"),
            ("MEMBER_ROLE_NAME", "!Ref MemberRoleName"),
            ("MEMBER_EXTERNAL_ID", "!Ref MemberExternalId"),
            (
                "ORGANIZATION_ACCOUNTS_ROLE_ARN",
                "!Ref OrganizationAccountsRoleArn",
            ),
        ],
    );
    // The bucket exists only in organization mode; without it the function is told none.
    assert!(function
        .iter()
        .any(|l| l.trim() == "RESULTS_BUCKET: !If [OrganizationModeOn, !Ref ResultsBucket, \"\"]"));
    // The member role by its name only, in any account, never any role; the accounts role only as
    // the parameter names it.
    let hub = resource(&template, "OrganizationHubPolicy");
    let statements = statements_after(&hub, 10);
    let assume: Vec<_> = statements
        .iter()
        .filter(|s| s.actions.contains("sts:AssumeRole"))
        .collect();
    assert_eq!(assume.len(), 1, "{statements:#?}");
    assert_eq!(
        assume[0].resource,
        ["!Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"]
    );
    let accounts_role =
        statements_after(&resource(&template, "OrganizationAccountsRolePolicy"), 10);
    assert_eq!(accounts_role.len(), 1);
    assert_eq!(
        accounts_role[0].resource,
        ["!Ref OrganizationAccountsRoleArn"]
    );
    // S3 on the stack's own bucket only.
    for statement in &statements {
        if statement.actions.iter().any(|a| a.starts_with("s3:")) {
            assert!(
                statement
                    .resource
                    .iter()
                    .all(|r| r.contains("ResultsBucket")),
                "{statement:#?}"
            );
        }
    }
}

#[test]
fn an_organization_grant_widened_to_every_role_is_refused() {
    let template = template();
    let widened = template.replacen(
        "            Resource: !Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}\n",
        "            Resource: !Sub arn:${AWS::Partition}:iam::*:role/*\n",
        1,
    );
    assert_ne!(widened, template);
    let problems = conditional_problems(&widened);
    assert!(
        problems.iter().any(|p| p.contains("OrganizationHubPolicy")),
        "{problems:#?}"
    );
}

#[test]
fn a_conditional_grant_made_unconditional_or_widened_is_refused() {
    let template = template();
    for (from, to, problem) in [
        ("    Condition: SecurityHubOn\n", "", "Condition"),
        (
            "            Action: securityhub:BatchImportFindings\n",
            "            Action: securityhub:*\n",
            "statements",
        ),
        (
            "            - Sid: ListDistributions\n              Effect: Allow\n              Action: cloudfront:ListDistributions\n",
            "            - Sid: ListDistributions\n              Effect: Allow\n              Action: [cloudfront:ListDistributions, securityhub:BatchImportFindings]\n",
            "granted even with the feature off",
        ),
    ] {
        let changed = template.replacen(from, to, 1);
        assert_ne!(changed, template, "{from}");
        let problems = conditional_problems(&changed);
        assert!(
            problems.iter().any(|p| p.contains(problem)),
            "{problem}: {problems:#?}"
        );
    }
}

#[test]
fn the_state_table_is_on_demand_recoverable_encrypted_with_the_key_and_expires_resolved_records() {
    use cloudfront_tls_audit::state::table::{PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
    let template = template();
    let table = resource(&template, "StateTable");
    expect(
        &table,
        &[
            ("Type", "AWS::DynamoDB::Table"),
            ("BillingMode", "PAY_PER_REQUEST"),
            ("PointInTimeRecoveryEnabled", "true"),
            ("SSEEnabled", "true"),
            ("SSEType", "KMS"),
            ("KMSMasterKeyId", "!Ref FindingsKey"),
            ("Enabled", "true"),
        ],
    );
    // The key schema and the TTL attribute are the ones src/state/table.rs reads and writes.
    let key_schema: Vec<&str> = table
        .iter()
        .skip_while(|line| line.trim() != "KeySchema:")
        .take_while(|line| !line.trim().starts_with("PointInTimeRecoverySpecification"))
        .copied()
        .collect();
    let names = values(&key_schema, "AttributeName");
    assert_eq!(names, [PARTITION_KEY], "the first key is the partition key");
    let ttl: Vec<&str> = table
        .iter()
        .skip_while(|line| line.trim() != "TimeToLiveSpecification:")
        .copied()
        .collect();
    assert_eq!(values(&ttl, "AttributeName"), [TTL_ATTRIBUTE]);
    let schema = table.join("\n");
    for (name, kind) in [(PARTITION_KEY, "HASH"), (SORT_KEY, "RANGE")] {
        assert!(
            schema.contains(&format!(
                "- AttributeName: {name}\n          KeyType: {kind}"
            )),
            "{name} is not the {kind} key: {schema}"
        );
    }
    // The function is told its table and retention; the role may use the table and, through
    // DynamoDB only, the key.
    let function = resource(&template, "AuditFunction");
    expect(
        &function,
        &[
            ("STATE_TABLE", "!Ref StateTable"),
            ("RESOLVED_RETENTION_DAYS", "!Ref ResolvedRetentionDays"),
        ],
    );
    let statements = function_statements(&template);
    assert!(statements.iter().any(
        |s| s.resource == ["!GetAtt StateTable.Arn"] && s.actions.contains("dynamodb:PutItem")
    ));
    assert!(statements.iter().any(|s| {
        s.resource == ["!GetAtt FindingsKey.Arn"]
            && s.actions.contains("kms:Decrypt")
            && s.via_services == ["!Sub dynamodb.${AWS::Region}.amazonaws.com"]
    }));
}
