//! One invocation: trigger → audit → notifications. Parsing lives in [`crate::trigger`], the audit in
//! [`crate::audit`], publishing in [`crate::notify`]; this file only wires them for an event.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thiserror::Error;
use time::OffsetDateTime;

use super::config::LambdaConfig;
use super::follow_up::{next_follow_up, not_deployed, FollowUpError, FollowUps, NoFollowUps};
use crate::audit::{
    audit, audit_certificate, check_proposed, AccountReader, AuditRequest, ProbeOptions,
};
use crate::catalogue::Code;
use crate::finding::ViewerImpact;
use crate::notify::{self, publish_all, Notification, NotifyError, Publisher, TriggerSummary};
use crate::probe::ProbeSettings;
use crate::report::Report;
use crate::trigger::{parse_trigger_bytes, Cause, Trigger};

/// Why an invocation fails. Only failures that a retry can cure are errors: a publish that did not
/// happen must fail the invocation so that Lambda's retries and on-failure destination keep the event.
#[derive(Debug, Error)]
pub enum HandlerError {
    /// Publishing to SNS failed: the event is kept by Lambda's retry and on-failure destination.
    #[error("findings were not published: {0}")]
    Publish(#[from] NotifyError),
    /// A follow-up (the edge re-check of a distribution still InProgress) was not queued: failing
    /// keeps the event, so the re-check is not lost silently.
    #[error("the edge re-check was not scheduled: {0}")]
    FollowUp(#[from] FollowUpError),
}

/// The function's state between invocations: clients, settings, trust anchors. `F` schedules
/// follow-ups; it defaults to [`NoFollowUps`] (no queue) and is set with [`Handler::with_follow_ups`].
pub struct Handler<R, P, F = NoFollowUps> {
    /// Reads CloudFront, ACM and IAM.
    pub reader: R,
    /// Publishes notifications.
    pub publisher: P,
    /// Settings from the environment.
    pub config: LambdaConfig,
    /// Probe settings (None when `PROBE=false`).
    pub probe: Option<ProbeOptions>,
    /// Schedules the edge re-check of distributions not yet Deployed.
    pub follow_ups: F,
}

impl<R: AccountReader + Sync, P: Publisher + Sync> Handler<R, P> {
    /// Builds the handler; `trust_anchors` are the DER certificates loaded from the configured files.
    pub fn new(reader: R, publisher: P, config: LambdaConfig, trust_anchors: Vec<Vec<u8>>) -> Self {
        let probe = config.probe.then(|| ProbeOptions {
            settings: ProbeSettings {
                deadline: config.probe_timeout,
                resolve: config.resolve.clone(),
                connect_to: config.connect_to.clone(),
                trust_anchors,
                ..ProbeSettings::default()
            },
            concurrency: config.probe_concurrency,
            edge_check: config.edge_check,
            stop_new_work_at: None,
        });
        Handler {
            reader,
            publisher,
            config,
            probe,
            follow_ups: NoFollowUps,
        }
    }
}

impl<R: AccountReader + Sync, P: Publisher + Sync, F: FollowUps + Sync> Handler<R, P, F> {
    /// The same handler, scheduling follow-ups with `follow_ups`.
    pub fn with_follow_ups<G: FollowUps + Sync>(self, follow_ups: G) -> Handler<R, P, G> {
        Handler {
            reader: self.reader,
            publisher: self.publisher,
            config: self.config,
            probe: self.probe,
            follow_ups,
        }
    }

    /// Handles one payload; `remaining` is the time left before the invocation's deadline.
    pub async fn handle(
        &self,
        payload: &[u8],
        remaining: Option<Duration>,
    ) -> Result<Value, HandlerError> {
        let trigger = match parse_trigger_bytes(payload) {
            Ok(trigger) => trigger,
            Err(error) => {
                // A payload that can never be understood must not be retried: answer, do not fail.
                tracing::warn!(error = %error, "event rejected");
                return Ok(json!({"status": "rejected", "reason": error.to_string()}));
            }
        };
        let now = OffsetDateTime::now_utc();
        let probe = self.probe.clone().map(|mut options| {
            options.stop_new_work_at = remaining
                .map(|left| Instant::now() + left.saturating_sub(self.config.safety_margin));
            options
        });
        let mut notes = Vec::new();
        if !self.follow_ups.enabled() {
            notes.push("no follow-up queue: the edge of a distribution still InProgress is not re-checked later".to_owned());
        }
        let (mut report, cause, sweep) = match &trigger {
            Trigger::Ignore {
                reason,
                source,
                detail_type,
            } => {
                tracing::info!(
                    source = source.as_deref().unwrap_or("-"),
                    detail_type = detail_type.as_deref().unwrap_or("-"),
                    reason = reason.as_str(),
                    "event ignored"
                );
                return Ok(
                    json!({"status": "ignored", "reason": reason, "source": source, "detail_type": detail_type}),
                );
            }
            Trigger::Audit { scope, cause } => {
                let request = AuditRequest {
                    scope: scope.clone(),
                    now,
                    notes,
                    probe,
                    thresholds: self.config.thresholds,
                };
                let sweep = matches!(cause, Cause::Sweep { .. });
                (audit(&self.reader, &request).await, cause, sweep)
            }
            Trigger::AuditCertificate {
                certificate_arn,
                cause,
            } => {
                let report = audit_certificate(
                    &self.reader,
                    certificate_arn,
                    probe.as_ref(),
                    now,
                    &self.config.thresholds,
                    notes,
                )
                .await;
                (report, cause, false)
            }
            Trigger::CheckRejected {
                distribution,
                cause,
                ..
            } => {
                let report = check_proposed(
                    &self.reader,
                    (**distribution).clone(),
                    probe.as_ref(),
                    now,
                    &self.config.thresholds,
                    notes,
                )
                .await;
                (report, cause, false)
            }
        };
        let summary = TriggerSummary::from_cause(cause);
        let follow_up = if sweep {
            // The daily sweep is not a change: a distribution InProgress then is re-checked by the
            // event of the change that made it so, or by the next sweep.
            None
        } else {
            self.plan_follow_up(&mut report, cause)
        };
        log_findings(&report, &summary);
        emit_metrics(&report, &summary);
        let notifications = if matches!(cause, Cause::FollowUp { .. }) {
            // The original event already published the configuration findings; a follow-up re-checks
            // the edge, so only what it learns about the edge (and its notes) is published again.
            self.notifications(&edge_only(&report), &summary, sweep)
        } else {
            self.notifications(&report, &summary, sweep)
        };
        publish_all(&self.publisher, &notifications).await?;
        // After the publish: a failure here fails the invocation, and its retry publishes again
        // (subscribers may see a message twice, never miss the re-check).
        let follow_up_result = match follow_up {
            Some(FollowUpPlan::Schedule(request)) => {
                self.follow_ups.schedule(&request).await?;
                tracing::info!(
                    attempt = request.attempt,
                    distributions = request.distribution_ids.len(),
                    "follow-up scheduled"
                );
                json!({"status": "scheduled", "attempt": request.attempt, "distribution_ids": request.distribution_ids})
            }
            Some(FollowUpPlan::GaveUp { attempts, ids }) => {
                json!({"status": "gave-up", "attempts": attempts, "distribution_ids": ids})
            }
            Some(FollowUpPlan::NotConfigured(ids)) => {
                json!({"status": "not-configured", "distribution_ids": ids})
            }
            None => Value::Null,
        };
        Ok(json!({
            "status": "audited",
            "trigger": summary,
            "summary": report.summary(),
            "notifications": notifications.len(),
            "follow_up": follow_up_result,
        }))
    }

    /// Decides the follow-up after an event-driven audit, and notes in the report when the edge
    /// re-check gives up (the `viewer-edge-not-verified` finding stays).
    fn plan_follow_up(&self, report: &mut Report, cause: &Cause) -> Option<FollowUpPlan> {
        let pending = not_deployed(report);
        if pending.is_empty() {
            return None;
        }
        if !self.follow_ups.enabled() {
            // The report already carries the "no follow-up queue" note.
            return Some(FollowUpPlan::NotConfigured(pending));
        }
        let (attempt, original) = match cause {
            Cause::FollowUp { attempt, cause } => (*attempt, cause.clone()),
            other => (0, other.to_string()),
        };
        let max = self.config.follow_up_max_attempts;
        match next_follow_up(report, attempt, max, &original) {
            Some(request) => Some(FollowUpPlan::Schedule(request)),
            None => {
                report.notes.push(format!(
                    "the edge re-check gave up after {attempt} follow-up attempt(s) \
                     (FOLLOW_UP_MAX_ATTEMPTS={max}): {} still not Deployed",
                    pending.join(", ")
                ));
                tracing::warn!(attempts = attempt, "follow-up gave up");
                Some(FollowUpPlan::GaveUp {
                    attempts: attempt,
                    ids: pending,
                })
            }
        }
    }

    fn notifications(
        &self,
        report: &Report,
        summary: &TriggerSummary,
        sweep: bool,
    ) -> Vec<Notification> {
        let minimum = self.config.min_severity;
        if sweep {
            return notify::digest(report, summary, minimum);
        }
        let mut notifications = notify::per_distribution(report, summary, minimum);
        if self.config.notify_on_clean {
            for id in report.distribution_labels.keys() {
                let clean = !report.findings.iter().any(|f| {
                    f.distribution_id.as_deref() == Some(id.as_str()) && f.severity >= minimum
                });
                if clean {
                    notifications.push(notify::verified(id, summary));
                }
            }
        }
        notifications
    }
}

/// The report restricted to the edge findings (what a follow-up is for), notes and labels kept.
fn edge_only(report: &Report) -> Report {
    let mut edge = report.clone();
    edge.findings.retain(|f| {
        matches!(
            f.code,
            Code::ViewerEdgeCertMismatch
                | Code::ViewerEdgeHandshakeFailed
                | Code::ViewerEdgeNotVerified
        )
    });
    edge
}

/// What happens to the distributions whose edge could not be checked yet.
enum FollowUpPlan {
    /// Queue this follow-up.
    Schedule(super::follow_up::FollowUp),
    /// The last attempt ran: no more follow-ups.
    GaveUp {
        /// How many follow-ups ran.
        attempts: u32,
        /// The distributions still not Deployed.
        ids: Vec<String>,
    },
    /// No queue: the report's note says the edge is not re-checked.
    NotConfigured(Vec<String>),
}

/// One structured log line per finding: code, severity, distribution (no message bodies).
fn log_findings(report: &Report, summary: &TriggerSummary) {
    for finding in &report.findings {
        tracing::info!(
            code = finding.code.as_str(),
            severity = finding.severity.as_str(),
            distribution_id = finding.distribution_id.as_deref().unwrap_or("-"),
            trigger = summary.kind.as_str(),
            "finding"
        );
    }
}

/// CloudWatch Embedded Metric Format: audits, findings by severity and by code, probe failures.
/// Written to stdout, where Lambda's log agent turns it into metrics.
fn emit_metrics(report: &Report, summary: &TriggerSummary) {
    let timestamp = OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let counts = report.summary();
    let probe_failures = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.viewer_impact,
                ViewerImpact::BadGateway | ViewerImpact::GatewayTimeout
            )
        })
        .count();
    let mut by_severity = json!({
        "_aws": {
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{
                "Namespace": "CloudFrontTlsAudit",
                "Dimensions": [["Trigger"]],
                "Metrics": [
                    {"Name": "Audits", "Unit": "Count"},
                    {"Name": "DistributionsAudited", "Unit": "Count"},
                    {"Name": "FindingsCritical", "Unit": "Count"},
                    {"Name": "FindingsHigh", "Unit": "Count"},
                    {"Name": "FindingsMedium", "Unit": "Count"},
                    {"Name": "FindingsLow", "Unit": "Count"},
                    {"Name": "FindingsInfo", "Unit": "Count"},
                    {"Name": "ProbeFailures", "Unit": "Count"}
                ]
            }]
        },
        "Trigger": summary.kind,
        "Audits": 1,
        "DistributionsAudited": counts.distributions,
        "FindingsCritical": counts.critical,
        "FindingsHigh": counts.high,
        "FindingsMedium": counts.medium,
        "FindingsLow": counts.low,
        "FindingsInfo": counts.info,
        "ProbeFailures": probe_failures,
    });
    if let Value::Object(map) = &mut by_severity {
        map.retain(|_, v| !v.is_null());
    }
    println!("{by_severity}");
    let mut by_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for finding in &report.findings {
        *by_code.entry(finding.code.as_str()).or_default() += 1;
    }
    for (code, count) in by_code {
        println!(
            "{}",
            json!({
                "_aws": {
                    "Timestamp": timestamp,
                    "CloudWatchMetrics": [{
                        "Namespace": "CloudFrontTlsAudit",
                        "Dimensions": [["Code"]],
                        "Metrics": [{"Name": "Findings", "Unit": "Count"}]
                    }]
                },
                "Code": code,
                "Findings": count,
            })
        );
    }
}

#[cfg(test)]
mod tests {
    //! The follow-up decisions of the handler, with in-memory fakes of the reader, the publisher and
    //! the scheduler. The probes are enabled (the edge rule only speaks when the edge check runs) but
    //! the invocation is given no time left, so no handshake starts: no network.
    use std::sync::Mutex;

    use super::*;
    use crate::lambda::follow_up::FollowUp;
    use crate::model::{Scope, Snapshot};
    use crate::rules::fixtures::{healthy_distribution, healthy_snapshot};

    struct FakeReader(Snapshot);

    impl AccountReader for FakeReader {
        async fn snapshot(&self, _scope: &Scope) -> Snapshot {
            self.0.clone()
        }
        async fn read_references(&self, _snapshot: &mut Snapshot) {}
        async fn snapshot_for_certificate(&self, _arn: &str) -> Snapshot {
            self.0.clone()
        }
    }

    #[derive(Default)]
    struct FakePublisher(Mutex<Vec<Notification>>);

    impl Publisher for FakePublisher {
        async fn publish(&self, notification: &Notification) -> Result<(), NotifyError> {
            self.0.lock().expect("lock").push(notification.clone());
            Ok(())
        }
    }

    #[derive(Default)]
    struct FakeFollowUps {
        sent: Mutex<Vec<FollowUp>>,
        fail: bool,
    }

    impl FollowUps for FakeFollowUps {
        async fn schedule(&self, request: &FollowUp) -> Result<(), FollowUpError> {
            if self.fail {
                return Err(FollowUpError::Send {
                    queue_url: "q".into(),
                    attempt: request.attempt,
                    detail: "AccessDenied".into(),
                });
            }
            self.sent.lock().expect("lock").push(request.clone());
            Ok(())
        }
    }

    fn handler(status: &str, fail: bool) -> Handler<FakeReader, FakePublisher, FakeFollowUps> {
        let mut distribution = healthy_distribution("E1");
        distribution.status = Some(status.to_owned());
        let config = LambdaConfig::from_lookup(|name| {
            match name {
                "TOPIC_ARN" => Some("arn:aws:sns:us-east-1:111122223333:t"),
                "SWEEP_SAFETY_MARGIN_SECONDS" => Some("0"),
                "FOLLOW_UP_MAX_ATTEMPTS" => Some("3"),
                _ => None,
            }
            .map(str::to_owned)
        })
        .expect("config");
        Handler::new(
            FakeReader(healthy_snapshot(vec![distribution])),
            FakePublisher::default(),
            config,
            Vec::new(),
        )
        .with_follow_ups(FakeFollowUps {
            sent: Mutex::default(),
            fail,
        })
    }

    async fn handle<F: FollowUps + Sync>(
        handler: &Handler<FakeReader, FakePublisher, F>,
        payload: &str,
    ) -> Result<Value, HandlerError> {
        handler
            .handle(payload.as_bytes(), Some(Duration::ZERO))
            .await
    }

    fn follow_up(attempt: u32) -> String {
        FollowUp::new(vec!["E1".into()], attempt, "UpdateDistribution by ops").body()
    }

    const DIRECT: &str = r#"{"action":"audit","distribution_ids":["E1"]}"#;

    #[tokio::test]
    async fn an_event_on_a_distribution_in_progress_schedules_attempt_one() {
        let handler = handler("InProgress", false);
        let result = handle(&handler, DIRECT).await.expect("handled");
        assert_eq!(result["follow_up"]["status"], "scheduled");
        assert_eq!(result["follow_up"]["attempt"], 1);
        let sent = handler.follow_ups.sent.lock().expect("lock").clone();
        assert_eq!(
            sent,
            [FollowUp::new(vec!["E1".into()], 1, "operator request")]
        );
    }

    #[tokio::test]
    async fn follow_ups_reschedule_until_the_last_attempt_then_say_they_gave_up() {
        let handler = handler("InProgress", false);
        let result = handle(&handler, &follow_up(2)).await.expect("handled");
        assert_eq!(result["trigger"]["kind"], "follow-up");
        assert_eq!(result["follow_up"]["attempt"], 3);
        let sent = handler.follow_ups.sent.lock().expect("lock").clone();
        assert_eq!(
            sent,
            [FollowUp::new(
                vec!["E1".into()],
                3,
                "UpdateDistribution by ops"
            )],
            "the original cause is carried"
        );

        let result = handle(&handler, &follow_up(3)).await.expect("handled");
        assert_eq!(result["follow_up"]["status"], "gave-up");
        assert_eq!(result["summary"]["info"], 1, "the finding stays");
        assert_eq!(handler.follow_ups.sent.lock().expect("lock").len(), 1);

        // The note goes into the report before the notifications are built.
        let reader_report = audit(
            &handler.reader,
            &AuditRequest {
                scope: Scope::Distributions(vec!["E1".into()]),
                now: OffsetDateTime::now_utc(),
                notes: Vec::new(),
                probe: handler.probe.clone().map(|mut p| {
                    p.stop_new_work_at = Some(Instant::now());
                    p
                }),
                thresholds: Default::default(),
            },
        )
        .await;
        let mut report = reader_report;
        let cause = Cause::FollowUp {
            attempt: 3,
            cause: "x".into(),
        };
        assert!(matches!(
            handler.plan_follow_up(&mut report, &cause),
            Some(FollowUpPlan::GaveUp { attempts: 3, .. })
        ));
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("gave up after 3 follow-up attempt(s)") && n.contains("E1")),
            "{:?}",
            report.notes
        );
    }

    #[tokio::test]
    async fn a_follow_up_publishes_only_what_it_learns_about_the_edge() {
        let mut handler = handler("InProgress", false);
        handler.config.min_severity = crate::finding::Severity::Info;
        // The origin probes never start (no time left): audit-incomplete findings, not edge ones.
        handle(&handler, DIRECT).await.expect("handled");
        let published = handler.publisher.0.lock().expect("lock").len();
        assert!(published >= 1);
        let codes = |n: &Notification| n.attributes.get("codes").map(|c| c.encoded());
        let event_codes = codes(&handler.publisher.0.lock().expect("lock")[0]);
        assert!(
            event_codes
                .as_deref()
                .is_some_and(|c| c.contains("audit-incomplete")),
            "{event_codes:?}"
        );
        handle(&handler, &follow_up(3)).await.expect("handled");
        let all = handler.publisher.0.lock().expect("lock").clone();
        let follow_up_codes = codes(&all[published]).unwrap_or_default();
        assert!(
            follow_up_codes.contains("viewer-edge-not-verified")
                && !follow_up_codes.contains("audit-incomplete"),
            "{follow_up_codes}"
        );
        assert!(
            all[published].email.contains("gave up after 3"),
            "{}",
            all[published].email
        );
    }

    #[tokio::test]
    async fn deployed_distributions_and_sweeps_need_no_follow_up() {
        let handler = handler("Deployed", false);
        let result = handle(&handler, &follow_up(1)).await.expect("handled");
        assert_eq!(result["follow_up"], Value::Null);
        let handler = self::handler("InProgress", false);
        let result = handle(&handler, r#"{"action":"sweep"}"#)
            .await
            .expect("handled");
        assert_eq!(result["follow_up"], Value::Null);
        assert!(handler.follow_ups.sent.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn a_failed_schedule_fails_the_invocation() {
        let handler = handler("InProgress", true);
        let err = handle(&handler, DIRECT).await.expect_err("fails");
        assert!(matches!(err, HandlerError::FollowUp(_)), "{err}");
        assert!(err.to_string().contains("sqs:SendMessage"), "{err}");
    }

    #[tokio::test]
    async fn without_a_queue_the_report_says_there_is_no_follow_up() {
        let handler = handler("InProgress", false);
        let handler = Handler {
            reader: handler.reader,
            publisher: handler.publisher,
            config: handler.config,
            probe: handler.probe,
            follow_ups: NoFollowUps,
        };
        let result = handle(&handler, DIRECT).await.expect("handled");
        assert_eq!(result["follow_up"]["status"], "not-configured");
        assert_eq!(result["follow_up"]["distribution_ids"][0], "E1");
    }
}
