//! The Lambda's configuration, from environment variables (all documented in the README).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

use crate::aws::AwsTimeouts;
use crate::finding::Severity;
use crate::probe::{ConnectTo, ResolveOverride};
use crate::rules::ExpiryThresholds;
use crate::settings::{self, check_thresholds, Bounded, DigestMode, HeartbeatDay};

/// Everything the function reads from its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaConfig {
    /// `TOPIC_ARN`: where findings are published.
    pub topic_arn: String,
    /// `MIN_SEVERITY` (default `medium`): findings below are not published.
    pub min_severity: Severity,
    /// `NOTIFY_ON_CLEAN` (default `false`): publish a short "verified" message after an event-driven
    /// audit without findings.
    pub notify_on_clean: bool,
    /// `NOTIFY_UNCHANGED` (default `false`): with state, event-driven notifications list the
    /// pre-existing findings that did not change in full, not only their count.
    pub notify_unchanged: bool,
    /// `DIGEST` (default `on-change`): whether a sweep with nothing new, escalated or resolved
    /// publishes its digest anyway (`always`).
    pub digest: DigestMode,
    /// `HEARTBEAT_DAY` (default `monday`, `none` for never): with `DIGEST=on-change`, the weekday
    /// (UTC) whose sweeps publish a "still watching" digest even when nothing changed.
    pub heartbeat_day: HeartbeatDay,
    /// `REMIND_AFTER_DAYS` (default 7): a still-open critical or high finding is sent again as a
    /// reminder once it was last notified this many days ago (the state's reconcile decides).
    pub remind_after_days: u32,
    /// `PROBE` (default `true`): probe origins and the edge.
    pub probe: bool,
    /// `EDGE_CHECK` (default `true`): check what the edge serves for each alias.
    pub edge_check: bool,
    /// `SECURITY_HUB` (default `false`, the `SecurityHub` template parameter): also import every
    /// finding into Security Hub in the function's Region (`AWS_REGION`).
    pub security_hub: bool,
    /// `PROBE_CONCURRENCY` (default 16).
    pub probe_concurrency: usize,
    /// `PROBE_TIMEOUT_SECONDS` (default 10): the deadline of one probe.
    pub probe_timeout: Duration,
    /// `SWEEP_SAFETY_MARGIN_SECONDS` (default 60): no new work starts, and no AWS read runs, this
    /// close to the invocation deadline; what is left is reported as `audit-incomplete`.
    pub safety_margin: Duration,
    /// `FOLLOW_UP_QUEUE_URL`: an SQS queue (consumed by this function) for re-checking the edge once a
    /// changed distribution is Deployed. Unset: no follow-up, and the report says so.
    pub follow_up_queue_url: Option<String>,
    /// `FOLLOW_UP_DELAY_SECONDS` (default 300, at most 900, SQS's limit).
    pub follow_up_delay: Duration,
    /// `FOLLOW_UP_MAX_ATTEMPTS` (default 6).
    pub follow_up_max_attempts: u32,
    /// `STATE_TABLE`: the DynamoDB table of the findings' memory (set by the template). Unset: every
    /// finding is new on every run, nothing is resolved, and the report says so.
    pub state_table: Option<String>,
    /// `RESOLVED_RETENTION_DAYS` (default 90): how long resolved records and expired suppressions
    /// stay in the state table before its TTL deletes them.
    pub resolved_retention_days: u64,
    /// `AWS_CONNECT_TIMEOUT_SECONDS` (3), `AWS_ATTEMPT_TIMEOUT_SECONDS` (10),
    /// `AWS_OPERATION_TIMEOUT_SECONDS` (30), `AWS_MAX_ATTEMPTS` (3), `AWS_RETRY_BACKOFF_MILLISECONDS`
    /// (1000): every AWS client's deadlines and retries. Reads also end by the invocation's deadline
    /// minus `SWEEP_SAFETY_MARGIN_SECONDS`.
    pub aws_timeouts: AwsTimeouts,
    /// `CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL`: every AWS call goes there (labs, emulators).
    pub endpoint_url: Option<String>,
    /// `CLOUDFRONT_TLS_AUDIT_RESOLVE`: space-separated `HOST:PORT:ADDR` overrides (labs).
    pub resolve: Vec<ResolveOverride>,
    /// `CLOUDFRONT_TLS_AUDIT_CONNECT_TO`: space-separated `HOST:PORT:ADDR:PORT2` overrides (labs).
    pub connect_to: Vec<ConnectTo>,
    /// `CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR`: space-separated PEM files trusted as public roots (labs).
    pub trust_anchors: Vec<PathBuf>,
    /// `VIEWER_EXPIRY_HIGH_DAYS` (14), `VIEWER_EXPIRY_MEDIUM_DAYS` (45),
    /// `MANAGED_RENEWAL_OVERDUE_DAYS` (30), `ORIGIN_EXPIRY_HIGH_DAYS` (14),
    /// `ORIGIN_EXPIRY_MEDIUM_DAYS` (30), `EXPIRY_MEDIUM_PERCENT` (33), `EXPIRY_HIGH_PERCENT` (10),
    /// `EXPIRY_CRITICAL_DAYS` (3), `EXPIRY_MEDIUM_FLOOR_DAYS` (7), `EXPIRY_HIGH_FLOOR_DAYS` (3): when
    /// an approaching expiry becomes a finding, relative to the certificate's lifetime.
    pub thresholds: ExpiryThresholds,
    /// `ORGANIZATION_MODE` (default `false`): the hub of an organization (issue 14). `None`: one
    /// account, exactly as before.
    pub organization: Option<OrganizationSettings>,
}

/// The hub's settings (`ORGANIZATION_MODE=true`, the template's `OrganizationMode` parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSettings {
    /// `MEMBER_ROLE_NAME` (default `cloudfront-tls-audit-member`): the read-only role
    /// template-member.yaml creates in every member account.
    pub member_role_name: String,
    /// `MEMBER_EXTERNAL_ID` (required): the external id the member role's trust policy requires.
    pub member_external_id: String,
    /// `ORGANIZATION_ACCOUNTS_ROLE_ARN`: a role (management account or delegated administrator)
    /// to call `organizations:ListAccounts` through; unset: the function's own role calls it.
    pub accounts_role_arn: Option<String>,
    /// `RESULTS_BUCKET`: the stack's bucket of account lists, results and reports.
    pub results_bucket: Option<String>,
    /// The Distributed Map's settings, handed to it by ListAccounts as numbers (its `*Path` fields:
    /// a template substitution would give Step Functions text).
    pub map: MapSettings,
}

/// `ORGANIZATION_MAX_CONCURRENCY` (default 10, 1 to 10,000),
/// `ORGANIZATION_TOLERATED_FAILURE_PERCENTAGE` (10, 0 to 100) and
/// `ORGANIZATION_ACCOUNTS_PER_INVOCATION` (1, 1 to 50): the template's `MaxConcurrency`,
/// `ToleratedFailurePercentage` and `AccountsPerInvocation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapSettings {
    /// Accounts swept at once.
    pub max_concurrency: u64,
    /// Percent of items that may fail before the map run fails.
    pub tolerated_failure_percentage: u64,
    /// Accounts per invocation.
    pub accounts_per_invocation: u64,
}

/// The member role's default name (template-member.yaml's default).
pub const DEFAULT_MEMBER_ROLE_NAME: &str = "cloudfront-tls-audit-member";

/// A setting that cannot be used; the function refuses to start (an init error) and says which.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to put there.
        hint: &'static str,
    },
    /// A variable holds something unusable.
    #[error("{name}={value:?} is not valid: {hint}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it holds (truncated).
        value: String,
        /// What is expected.
        hint: String,
    },
}

impl LambdaConfig {
    /// What the notifications of this function publish, from its settings.
    pub fn notify_policy(&self) -> crate::notify::NotifyPolicy {
        crate::notify::NotifyPolicy {
            minimum: self.min_severity,
            notify_on_clean: self.notify_on_clean,
            notify_unchanged: self.notify_unchanged,
            digest: self.digest,
            heartbeat_day: self.heartbeat_day,
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<LambdaConfig, ConfigError> {
        LambdaConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (tests pass a map).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<LambdaConfig, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let topic_arn = get("TOPIC_ARN").ok_or(ConfigError::Missing {
            name: "TOPIC_ARN",
            hint: "the ARN of the SNS topic findings are published to",
        })?;
        if !topic_arn.starts_with("arn:") || !topic_arn.contains(":sns:") {
            return Err(invalid(
                "TOPIC_ARN",
                &topic_arn,
                "an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)",
            ));
        }
        let follow_up_delay = seconds(
            get("FOLLOW_UP_DELAY_SECONDS"),
            "FOLLOW_UP_DELAY_SECONDS",
            settings::FOLLOW_UP_DELAY_SECONDS,
        )?;
        Ok(LambdaConfig {
            topic_arn,
            min_severity: parse_or("MIN_SEVERITY", get("MIN_SEVERITY"), Severity::Medium)?,
            notify_on_clean: boolean("NOTIFY_ON_CLEAN", get("NOTIFY_ON_CLEAN"), false)?,
            notify_unchanged: boolean(
                "NOTIFY_UNCHANGED",
                get("NOTIFY_UNCHANGED"),
                settings::NOTIFY_UNCHANGED_DEFAULT,
            )?,
            digest: parse_or("DIGEST", get("DIGEST"), DigestMode::default())?,
            heartbeat_day: parse_or(
                "HEARTBEAT_DAY",
                get("HEARTBEAT_DAY"),
                HeartbeatDay::default(),
            )?,
            remind_after_days: number(
                get("REMIND_AFTER_DAYS"),
                "REMIND_AFTER_DAYS",
                settings::REMIND_AFTER_DAYS,
            )? as u32,
            probe: boolean("PROBE", get("PROBE"), true)?,
            edge_check: boolean("EDGE_CHECK", get("EDGE_CHECK"), true)?,
            security_hub: boolean("SECURITY_HUB", get("SECURITY_HUB"), false)?,
            probe_concurrency: number(
                get("PROBE_CONCURRENCY"),
                "PROBE_CONCURRENCY",
                settings::PROBE_CONCURRENCY,
            )? as usize,
            probe_timeout: seconds(
                get("PROBE_TIMEOUT_SECONDS"),
                "PROBE_TIMEOUT_SECONDS",
                settings::PROBE_TIMEOUT_SECONDS,
            )?,
            safety_margin: seconds(
                get("SWEEP_SAFETY_MARGIN_SECONDS"),
                "SWEEP_SAFETY_MARGIN_SECONDS",
                settings::SWEEP_SAFETY_MARGIN_SECONDS,
            )?,
            follow_up_queue_url: get("FOLLOW_UP_QUEUE_URL"),
            follow_up_delay,
            follow_up_max_attempts: number(
                get("FOLLOW_UP_MAX_ATTEMPTS"),
                "FOLLOW_UP_MAX_ATTEMPTS",
                settings::FOLLOW_UP_MAX_ATTEMPTS,
            )? as u32,
            state_table: get("STATE_TABLE"),
            resolved_retention_days: number(
                get("RESOLVED_RETENTION_DAYS"),
                "RESOLVED_RETENTION_DAYS",
                settings::RESOLVED_RETENTION_DAYS,
            )?,
            aws_timeouts: aws_timeouts(&get)?,
            endpoint_url: get("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL"),
            resolve: list(
                "CLOUDFRONT_TLS_AUDIT_RESOLVE",
                get("CLOUDFRONT_TLS_AUDIT_RESOLVE"),
            )?,
            connect_to: list(
                "CLOUDFRONT_TLS_AUDIT_CONNECT_TO",
                get("CLOUDFRONT_TLS_AUDIT_CONNECT_TO"),
            )?,
            thresholds: thresholds(&get)?,
            organization: organization(&get)?,
            trust_anchors: get("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR")
                .map(|v| v.split_whitespace().map(PathBuf::from).collect())
                .unwrap_or_default(),
        })
    }
}

/// The hub's settings, when `ORGANIZATION_MODE=true`; each checked so that a typo fails at start-up,
/// not at the first member account.
fn organization(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<OrganizationSettings>, ConfigError> {
    if !boolean("ORGANIZATION_MODE", get("ORGANIZATION_MODE"), false)? {
        return Ok(None);
    }
    let member_role_name =
        get("MEMBER_ROLE_NAME").unwrap_or_else(|| DEFAULT_MEMBER_ROLE_NAME.to_owned());
    // IAM role names: 1 to 64 of letters, digits and +=,.@_-.
    if member_role_name.len() > 64
        || !member_role_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(invalid(
            "MEMBER_ROLE_NAME",
            &member_role_name,
            "an IAM role name: 1 to 64 letters, digits or +=,.@_-",
        ));
    }
    let member_external_id = get("MEMBER_EXTERNAL_ID").ok_or(ConfigError::Missing {
        name: "MEMBER_EXTERNAL_ID",
        hint: "the external id every member role requires (the MemberExternalId parameter of \
               both templates)",
    })?;
    // STS: 2 to 1,224 characters of letters, digits and +=,.@:/-.
    if !(2..=1224).contains(&member_external_id.len())
        || !member_external_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c))
    {
        return Err(invalid(
            "MEMBER_EXTERNAL_ID",
            "(hidden)",
            "2 to 1,224 letters, digits or +=,.@:/-_",
        ));
    }
    let accounts_role_arn = get("ORGANIZATION_ACCOUNTS_ROLE_ARN");
    if let Some(arn) = &accounts_role_arn {
        if !arn.starts_with("arn:") || !arn.contains(":iam::") || !arn.contains(":role/") {
            return Err(invalid(
                "ORGANIZATION_ACCOUNTS_ROLE_ARN",
                arn,
                "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), or unset",
            ));
        }
    }
    let setting = |name: &'static str, default: u64, min: u64, max: u64| {
        number(get(name), name, Bounded { default, min, max })
    };
    let map = MapSettings {
        max_concurrency: setting("ORGANIZATION_MAX_CONCURRENCY", 10, 1, 10_000)?,
        tolerated_failure_percentage: setting(
            "ORGANIZATION_TOLERATED_FAILURE_PERCENTAGE",
            10,
            0,
            100,
        )?,
        accounts_per_invocation: setting(
            "ORGANIZATION_ACCOUNTS_PER_INVOCATION",
            1,
            1,
            crate::organization::task::MAX_ACCOUNTS_PER_BATCH as u64,
        )?,
    };
    Ok(Some(OrganizationSettings {
        member_role_name,
        member_external_id,
        accounts_role_arn,
        results_bucket: get("RESULTS_BUCKET"),
        map,
    }))
}

/// The AWS clients' deadlines and retries. An operation timeout shorter than one attempt would cut
/// every attempt short: refused, with the fix.
fn aws_timeouts(get: &impl Fn(&str) -> Option<String>) -> Result<AwsTimeouts, ConfigError> {
    let timeouts = AwsTimeouts {
        connect: seconds(
            get("AWS_CONNECT_TIMEOUT_SECONDS"),
            "AWS_CONNECT_TIMEOUT_SECONDS",
            settings::AWS_CONNECT_TIMEOUT_SECONDS,
        )?,
        attempt: seconds(
            get("AWS_ATTEMPT_TIMEOUT_SECONDS"),
            "AWS_ATTEMPT_TIMEOUT_SECONDS",
            settings::AWS_ATTEMPT_TIMEOUT_SECONDS,
        )?,
        operation: seconds(
            get("AWS_OPERATION_TIMEOUT_SECONDS"),
            "AWS_OPERATION_TIMEOUT_SECONDS",
            settings::AWS_OPERATION_TIMEOUT_SECONDS,
        )?,
        max_attempts: number(
            get("AWS_MAX_ATTEMPTS"),
            "AWS_MAX_ATTEMPTS",
            settings::AWS_MAX_ATTEMPTS,
        )? as u32,
        initial_backoff: Duration::from_millis(number(
            get("AWS_RETRY_BACKOFF_MILLISECONDS"),
            "AWS_RETRY_BACKOFF_MILLISECONDS",
            settings::AWS_RETRY_BACKOFF_MILLISECONDS,
        )?),
    };
    settings::check_aws_timeouts(&timeouts).map_err(|error| {
        invalid(
            "AWS_OPERATION_TIMEOUT_SECONDS",
            &timeouts.operation.as_secs().to_string(),
            error.to_string(),
        )
    })?;
    Ok(timeouts)
}

/// The expiry thresholds (rules/expiry.rs); contradictions name the variable to fix.
fn thresholds(get: &impl Fn(&str) -> Option<String>) -> Result<ExpiryThresholds, ConfigError> {
    let defaults = ExpiryThresholds::default();
    let days = |name: &'static str, default: i64| {
        let bounded = Bounded {
            default: default.unsigned_abs(),
            min: *settings::EXPIRY_DAYS.start(),
            max: *settings::EXPIRY_DAYS.end(),
        };
        number(get(name), name, bounded).map(|d| d as i64)
    };
    let setting =
        |name: &'static str, bounded: Bounded| number(get(name), name, bounded).map(|d| d as i64);
    let thresholds = ExpiryThresholds {
        viewer_high_days: days("VIEWER_EXPIRY_HIGH_DAYS", defaults.viewer_high_days)?,
        viewer_medium_days: days("VIEWER_EXPIRY_MEDIUM_DAYS", defaults.viewer_medium_days)?,
        managed_renewal_days: setting(
            "MANAGED_RENEWAL_OVERDUE_DAYS",
            settings::MANAGED_RENEWAL_OVERDUE_DAYS,
        )?,
        origin_high_days: days("ORIGIN_EXPIRY_HIGH_DAYS", defaults.origin_high_days)?,
        origin_medium_days: days("ORIGIN_EXPIRY_MEDIUM_DAYS", defaults.origin_medium_days)?,
        medium_percent: setting("EXPIRY_MEDIUM_PERCENT", settings::EXPIRY_MEDIUM_PERCENT)?,
        high_percent: setting("EXPIRY_HIGH_PERCENT", settings::EXPIRY_HIGH_PERCENT)?,
        critical_days: setting("EXPIRY_CRITICAL_DAYS", settings::EXPIRY_CRITICAL_DAYS)?,
        medium_floor_days: setting(
            "EXPIRY_MEDIUM_FLOOR_DAYS",
            settings::EXPIRY_MEDIUM_FLOOR_DAYS,
        )?,
        high_floor_days: setting("EXPIRY_HIGH_FLOOR_DAYS", settings::EXPIRY_HIGH_FLOOR_DAYS)?,
    };
    check_thresholds(&thresholds).map_err(|error| {
        invalid(
            error.variable(),
            &error.value().to_string(),
            error.to_string(),
        )
    })?;
    Ok(thresholds)
}

fn invalid(name: &'static str, value: &str, hint: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: value.chars().take(80).collect(),
        hint: hint.into(),
    }
}

fn parse_or<T: FromStr>(
    name: &'static str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match value {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e: T::Err| invalid(name, &v, e.to_string())),
    }
}

fn boolean(name: &'static str, value: Option<String>, default: bool) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(_) => Err(invalid(
            name,
            value.as_deref().unwrap_or(""),
            "true or false",
        )),
    }
}

fn number(value: Option<String>, name: &'static str, setting: Bounded) -> Result<u64, ConfigError> {
    let Some(v) = value else {
        return Ok(setting.default);
    };
    v.parse::<u64>()
        .ok()
        .filter(|n| setting.accepts(*n))
        .ok_or_else(|| {
            invalid(
                name,
                &v,
                format!("a whole number from {} to {}", setting.min, setting.max),
            )
        })
}

fn seconds(
    value: Option<String>,
    name: &'static str,
    setting: Bounded,
) -> Result<Duration, ConfigError> {
    number(value, name, setting).map(Duration::from_secs)
}

fn list<T: FromStr>(name: &'static str, value: Option<String>) -> Result<Vec<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value
        .unwrap_or_default()
        .split_whitespace()
        .map(|item| {
            item.parse()
                .map_err(|e: T::Err| invalid(name, item, e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<LambdaConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LambdaConfig::from_lookup(|name| map.get(name).cloned())
    }

    const TOPIC: (&str, &str) = (
        "TOPIC_ARN",
        "arn:aws:sns:us-east-1:111122223333:cloudfront-tls-findings",
    );

    #[test]
    fn organization_mode_needs_an_external_id_and_checks_every_name() {
        assert_eq!(config(&[TOPIC]).expect("valid").organization, None);
        let hub = config(&[
            TOPIC,
            ("ORGANIZATION_MODE", "true"),
            ("MEMBER_EXTERNAL_ID", "a-shared-secret"),
            ("RESULTS_BUCKET", "results"),
        ])
        .expect("valid");
        assert_eq!(
            hub.organization,
            Some(OrganizationSettings {
                member_role_name: DEFAULT_MEMBER_ROLE_NAME.into(),
                member_external_id: "a-shared-secret".into(),
                accounts_role_arn: None,
                results_bucket: Some("results".into()),
                map: MapSettings {
                    max_concurrency: 10,
                    tolerated_failure_percentage: 10,
                    accounts_per_invocation: 1,
                },
            })
        );
        let missing = config(&[TOPIC, ("ORGANIZATION_MODE", "true")]).unwrap_err();
        assert!(
            missing.to_string().contains("MEMBER_EXTERNAL_ID"),
            "{missing}"
        );
        for (name, value) in [
            ("MEMBER_ROLE_NAME", "role/with/slash"),
            ("MEMBER_EXTERNAL_ID", "x"),
            ("ORGANIZATION_ACCOUNTS_ROLE_ARN", "not-an-arn"),
        ] {
            let mut vars = vec![
                TOPIC,
                ("ORGANIZATION_MODE", "true"),
                ("MEMBER_EXTERNAL_ID", "a-shared-secret"),
            ];
            vars.retain(|(k, _)| *k != name);
            vars.push((name, value));
            let error = config(&vars).unwrap_err().to_string();
            assert!(error.contains(name), "{error}");
            assert!(
                !error.contains("a-shared-secret"),
                "the external id is not echoed: {error}"
            );
        }
    }

    #[test]
    fn defaults_need_only_the_topic() {
        let c = config(&[TOPIC]).expect("valid");
        assert_eq!(c.min_severity, Severity::Medium);
        assert!(!c.notify_on_clean && c.probe && c.edge_check);
        assert_eq!(
            (c.probe_concurrency, c.probe_timeout),
            (16, Duration::from_secs(10))
        );
        assert_eq!(c.follow_up_queue_url, None);
        assert_eq!((c.state_table, c.resolved_retention_days), (None, 90));
        let c = config(&[
            TOPIC,
            ("STATE_TABLE", "cloudfront-tls-audit-StateTable-X"),
            ("RESOLVED_RETENTION_DAYS", "30"),
        ])
        .expect("valid");
        assert_eq!(
            (c.state_table.as_deref(), c.resolved_retention_days),
            (Some("cloudfront-tls-audit-StateTable-X"), 30)
        );
        assert_eq!(c.digest, DigestMode::OnChange);
        assert_eq!(c.heartbeat_day, HeartbeatDay(Some(time::Weekday::Monday)));
        assert!(!c.notify_unchanged);
        assert_eq!(c.remind_after_days, 7);
    }

    #[test]
    fn the_transition_settings_are_read() {
        let c = config(&[
            TOPIC,
            ("DIGEST", "always"),
            ("HEARTBEAT_DAY", "none"),
            ("NOTIFY_UNCHANGED", "true"),
            ("REMIND_AFTER_DAYS", "14"),
        ])
        .expect("valid");
        assert_eq!(c.digest, DigestMode::Always);
        assert_eq!(c.heartbeat_day, HeartbeatDay(None));
        assert!(c.notify_unchanged);
        assert_eq!(c.remind_after_days, 14);
        let policy = c.notify_policy();
        assert_eq!(policy.digest, DigestMode::Always);
        assert!(policy.notify_unchanged);
    }

    #[test]
    fn a_missing_or_malformed_topic_is_refused_with_a_hint() {
        assert!(matches!(
            config(&[]),
            Err(ConfigError::Missing {
                name: "TOPIC_ARN",
                ..
            })
        ));
        let err = config(&[("TOPIC_ARN", "my-topic")]).unwrap_err();
        assert!(err.to_string().contains("an SNS topic ARN"), "{err}");
    }

    #[test]
    fn every_setting_is_validated() {
        for (name, bad) in [
            ("MIN_SEVERITY", "severe"),
            ("NOTIFY_ON_CLEAN", "sometimes"),
            ("SECURITY_HUB", "yes please"),
            ("PROBE_CONCURRENCY", "0"),
            ("PROBE_TIMEOUT_SECONDS", "1000"),
            ("FOLLOW_UP_DELAY_SECONDS", "901"),
            ("DIGEST", "weekly"),
            ("HEARTBEAT_DAY", "someday"),
            ("NOTIFY_UNCHANGED", "maybe"),
            ("REMIND_AFTER_DAYS", "0"),
            ("REMIND_AFTER_DAYS", "366"),
            ("RESOLVED_RETENTION_DAYS", "0"),
            ("CLOUDFRONT_TLS_AUDIT_RESOLVE", "host-without-port"),
            ("CLOUDFRONT_TLS_AUDIT_CONNECT_TO", "edge:443:127.0.0.1"),
        ] {
            let err = config(&[TOPIC, (name, bad)]).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
    }

    #[test]
    fn expiry_thresholds_are_settings_with_sane_bounds() {
        let c = config(&[
            TOPIC,
            ("VIEWER_EXPIRY_MEDIUM_DAYS", "60"),
            ("ORIGIN_EXPIRY_HIGH_DAYS", "7"),
        ])
        .expect("valid");
        assert_eq!(c.thresholds.viewer_medium_days, 60);
        assert_eq!(c.thresholds.origin_high_days, 7);
        assert_eq!(c.thresholds.viewer_high_days, 14);
        let err = config(&[TOPIC, ("VIEWER_EXPIRY_HIGH_DAYS", "50")]).unwrap_err();
        assert!(err.to_string().contains("make it at most 45"), "{err}");
        assert!(config(&[TOPIC, ("ORIGIN_EXPIRY_MEDIUM_DAYS", "0")]).is_err());
    }

    #[test]
    fn lifetime_relative_thresholds_are_settings_and_contradictions_name_the_variable() {
        let c = config(&[
            TOPIC,
            ("EXPIRY_MEDIUM_PERCENT", "25"),
            ("EXPIRY_HIGH_PERCENT", "5"),
            ("EXPIRY_CRITICAL_DAYS", "2"),
            ("EXPIRY_MEDIUM_FLOOR_DAYS", "10"),
            ("EXPIRY_HIGH_FLOOR_DAYS", "4"),
        ])
        .expect("valid");
        assert_eq!(
            (
                c.thresholds.medium_percent,
                c.thresholds.high_percent,
                c.thresholds.critical_days,
                c.thresholds.medium_floor_days,
                c.thresholds.high_floor_days
            ),
            (25, 5, 2, 10, 4)
        );
        assert_eq!(
            config(&[TOPIC]).expect("defaults").thresholds,
            ExpiryThresholds::default()
        );
        let err = config(&[TOPIC, ("EXPIRY_HIGH_PERCENT", "50")]).unwrap_err();
        assert!(err.to_string().contains("EXPIRY_HIGH_PERCENT"), "{err}");
        let err = config(&[TOPIC, ("EXPIRY_MEDIUM_FLOOR_DAYS", "40")]).unwrap_err();
        assert!(
            err.to_string().contains("EXPIRY_MEDIUM_FLOOR_DAYS"),
            "{err}"
        );
        // ACM starts renewing at 60 days: an overdue point there would report healthy certificates.
        let err = config(&[TOPIC, ("MANAGED_RENEWAL_OVERDUE_DAYS", "60")]).unwrap_err();
        assert!(err.to_string().contains("from 1 to 59"), "{err}");
    }

    #[test]
    fn aws_deadlines_and_retries_are_settings_with_sane_bounds() {
        let c = config(&[TOPIC]).expect("valid");
        assert_eq!(c.aws_timeouts, AwsTimeouts::default());
        let c = config(&[
            TOPIC,
            ("AWS_ATTEMPT_TIMEOUT_SECONDS", "4"),
            ("AWS_OPERATION_TIMEOUT_SECONDS", "12"),
            ("AWS_MAX_ATTEMPTS", "5"),
            ("AWS_RETRY_BACKOFF_MILLISECONDS", "50"),
            ("AWS_CONNECT_TIMEOUT_SECONDS", "2"),
        ])
        .expect("valid");
        assert_eq!(
            c.aws_timeouts,
            AwsTimeouts {
                connect: Duration::from_secs(2),
                attempt: Duration::from_secs(4),
                operation: Duration::from_secs(12),
                max_attempts: 5,
                initial_backoff: Duration::from_millis(50),
            }
        );
        for (name, bad) in [
            ("AWS_ATTEMPT_TIMEOUT_SECONDS", "0"),
            ("AWS_OPERATION_TIMEOUT_SECONDS", "901"),
            ("AWS_MAX_ATTEMPTS", "0"),
            ("AWS_MAX_ATTEMPTS", "11"),
            ("AWS_RETRY_BACKOFF_MILLISECONDS", "soon"),
            ("AWS_CONNECT_TIMEOUT_SECONDS", "61"),
        ] {
            let err = config(&[TOPIC, (name, bad)]).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        let err = config(&[
            TOPIC,
            ("AWS_ATTEMPT_TIMEOUT_SECONDS", "20"),
            ("AWS_OPERATION_TIMEOUT_SECONDS", "10"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().contains("AWS_OPERATION_TIMEOUT_SECONDS")
                && err.to_string().contains("at least the attempt timeout"),
            "{err}"
        );
    }

    #[test]
    fn lab_inputs_are_space_separated_lists() {
        let c = config(&[
            TOPIC,
            (
                "CLOUDFRONT_TLS_AUDIT_RESOLVE",
                "a.test:443:127.0.0.1  b.test:8443:127.0.0.2",
            ),
            ("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR", "/tmp/root.pem"),
            ("MIN_SEVERITY", "HIGH"),
        ])
        .expect("valid");
        assert_eq!(c.resolve.len(), 2);
        assert_eq!(c.trust_anchors, [PathBuf::from("/tmp/root.pem")]);
        assert_eq!(c.min_severity, Severity::High);
    }
}
