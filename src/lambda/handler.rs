//! One invocation: event → request → audit → notifications → follow-ups. Parsing lives in
//! [`crate::intake`], the pipeline in [`crate::audit`], publishing in [`crate::notify`], metrics in
//! `lambda::metrics`; this file only wires them for an event.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thiserror::Error;
use time::OffsetDateTime;

use super::config::LambdaConfig;
use super::follow_up::{next_follow_up, FollowUpError, FollowUps, NoFollowUps};
use super::metrics::{emit_ignored, emit_metrics, emit_rejected, log_findings};
use super::organization::{NoOrganization, OrganizationError, OrganizationPort};
use crate::audit::{run, AccountReader, AuditRequest, ProbeOptions, Subject};
use crate::catalogue::Family;
use crate::intake::{parse_invocation_bytes, Cause, Trigger};
use crate::notify::{self, publish_all, Notification, NotifyError, Publisher, TriggerSummary};
use crate::probe::ProbeSettings;
use crate::report::{Note, Report};
use crate::securityhub::{ExportError, FindingAccounts, FindingsExport, NoExport};
use crate::settings::{LabInputs, TrustAnchors};
use crate::state::table::TableStore;
use crate::state::{
    self as memory, account_of_function_arn, RunContext, RunFacts, StateError, StateStore,
    UNKNOWN_ACCOUNT,
};

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
    /// The findings did not all reach Security Hub (`SECURITY_HUB=true`): failing keeps the event,
    /// and its retry imports them again.
    #[error("findings were not imported into Security Hub: {0}")]
    Export(#[from] ExportError),
    /// The state table could not be read or written: the findings were published as new (with a
    /// note), and failing keeps the event, so that its retry reconciles once the table is back.
    #[error("the findings' state was not kept (they were published as new): {0}")]
    State(#[from] StateError),
    /// A step of the organization sweep failed: Step Functions retries the state.
    #[error(transparent)]
    Organization(#[from] OrganizationError),
}

impl HandlerError {
    /// The invocation error's `errorType` for the Runtime API: stable names that Step Functions'
    /// `ErrorEquals`, CloudWatch and the failed-events queue can match on (the runtime's default is
    /// the Rust type's name, which says nothing and may change with the compiler).
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::Publish(_) => "CloudFrontTlsAudit.PublishFailed",
            HandlerError::FollowUp(_) => "CloudFrontTlsAudit.FollowUpNotScheduled",
            HandlerError::Export(_) => "CloudFrontTlsAudit.SecurityHubImportFailed",
            HandlerError::State(_) => "CloudFrontTlsAudit.StateNotKept",
            HandlerError::Organization(_) => "CloudFrontTlsAudit.OrganizationStepFailed",
        }
    }
}

/// Opens the state store of one invocation (the records it reads are its own).
pub trait OpenState {
    /// The store.
    type Store: StateStore + Sync;

    /// The store for one invocation; `None` when no state is configured (`STATE_TABLE` unset).
    fn open(&self) -> impl std::future::Future<Output = Option<Self::Store>> + Send;
}

/// No state: every finding is new on every run, and the report says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoState;

impl OpenState for NoState {
    type Store = TableStore;

    async fn open(&self) -> Option<TableStore> {
        None
    }
}

/// The function's state between invocations: clients, settings, trust anchors. `F` schedules
/// follow-ups; it defaults to [`NoFollowUps`] (no queue) and is set with [`Handler::with_follow_ups`].
/// `S` opens the findings' state; it defaults to [`NoState`] and is set with [`Handler::with_state`].
/// `X` exports findings to Security Hub; it defaults to [`NoExport`] and is set with
/// [`Handler::with_export`]. `O` is the organization the function is the hub of; it defaults to
/// [`NoOrganization`] (one account) and is set with [`Handler::with_organization`].
pub struct Handler<R, P, F = NoFollowUps, S = NoState, X = NoExport, O = NoOrganization> {
    /// Reads CloudFront, ACM and IAM.
    pub reader: R,
    /// Publishes notifications.
    pub publisher: P,
    /// Settings from the environment.
    pub config: LambdaConfig,
    /// Probe settings (None when `PROBE=false`).
    pub probe: Option<ProbeOptions>,
    /// How every audit of this function runs, for the reader: the lab inputs it applies (endpoint,
    /// trust anchors, name overrides) and the parts switched off, as the CLI notes them.
    pub notes: Vec<Note>,
    /// Schedules the edge re-check of distributions not yet Deployed.
    pub follow_ups: F,
    /// Opens the findings' state (`STATE_TABLE`).
    pub state: S,
    /// Exports findings to Security Hub.
    pub export: X,
    /// The organization (issue 14): its accounts and the results bucket.
    pub organization: O,
}

impl<R: UntilDeadline + Sync, P: Publisher + Sync> Handler<R, P> {
    /// Builds the handler; `trust_anchors` are the certificates loaded from the configured files.
    pub fn new(reader: R, publisher: P, config: LambdaConfig, trust_anchors: TrustAnchors) -> Self {
        let lab = LabInputs {
            endpoint_url: config.endpoint_url.clone(),
            resolve: config.resolve.clone(),
            connect_to: config.connect_to.clone(),
            trust_anchors,
        };
        let mut notes: Vec<Note> = lab.endpoint_note().into_iter().collect();
        if config.probe {
            notes.extend(lab.probe_notes());
            if !config.edge_check {
                notes.push(Note::EdgeNotChecked {
                    switch: "EDGE_CHECK=false",
                });
            }
        } else {
            notes.push(Note::NotProbed {
                switch: "PROBE=false",
            });
        }
        let probe = config.probe.then(|| ProbeOptions {
            settings: ProbeSettings {
                deadline: config.probe_timeout,
                resolve: lab.resolve,
                connect_to: lab.connect_to,
                ..ProbeSettings::default()
            },
            trust_anchors: lab.trust_anchors.certificates,
            concurrency: config.probe_concurrency,
            edge_check: config.edge_check,
            stop_new_work_at: None,
        });
        Handler {
            reader,
            publisher,
            config,
            probe,
            notes,
            follow_ups: NoFollowUps,
            state: NoState,
            export: NoExport,
            organization: NoOrganization,
        }
    }
}

/// A reader that an invocation can bound by its deadline, so that no AWS read outlives the
/// invocation minus its safety margin (`SWEEP_SAFETY_MARGIN_SECONDS`).
pub trait UntilDeadline {
    /// The bounded reader, for one invocation.
    type Bounded<'a>: AccountReader + Sync
    where
        Self: 'a;

    /// This reader, with no read running past `deadline` (`None`: the clients' timeouts only).
    fn until(&self, deadline: Option<Instant>) -> Self::Bounded<'_>;

    /// A reader of the member account `account_id`, through its member role (organization mode);
    /// the failure, when the role cannot be assumed, for the audit to report as `audit-incomplete`.
    fn in_account(
        &self,
        account_id: &str,
        deadline: Option<Instant>,
    ) -> impl std::future::Future<Output = Result<Self::Bounded<'_>, crate::model::ReadFailure>> + Send
    {
        let _ = deadline;
        let failure = crate::inventory::member::account_not_readable(
            account_id,
            "this reader reads one account only (organization mode is off)",
        );
        async move { Err(failure) }
    }
}

impl<
        R: UntilDeadline + Sync,
        P: Publisher + Sync,
        F: FollowUps + Sync,
        S: OpenState + Sync,
        X: FindingsExport + Sync,
        O: OrganizationPort + Sync,
    > Handler<R, P, F, S, X, O>
{
    /// The same handler, scheduling follow-ups with `follow_ups`.
    pub fn with_follow_ups<G: FollowUps + Sync>(self, follow_ups: G) -> Handler<R, P, G, S, X, O> {
        Handler {
            reader: self.reader,
            publisher: self.publisher,
            config: self.config,
            probe: self.probe,
            notes: self.notes,
            follow_ups,
            state: self.state,
            export: self.export,
            organization: self.organization,
        }
    }

    /// The same handler, exporting findings with `export`.
    pub fn with_export<Y: FindingsExport + Sync>(self, export: Y) -> Handler<R, P, F, S, Y, O> {
        Handler {
            reader: self.reader,
            publisher: self.publisher,
            config: self.config,
            probe: self.probe,
            notes: self.notes,
            follow_ups: self.follow_ups,
            state: self.state,
            export,
            organization: self.organization,
        }
    }

    /// The same handler, keeping the findings' state with `state`.
    pub fn with_state<T: OpenState + Sync>(self, state: T) -> Handler<R, P, F, T, X, O> {
        Handler {
            reader: self.reader,
            publisher: self.publisher,
            config: self.config,
            probe: self.probe,
            notes: self.notes,
            follow_ups: self.follow_ups,
            state,
            export: self.export,
            organization: self.organization,
        }
    }

    /// The same handler, the hub of `organization` (issue 14).
    pub fn with_organization<Q: OrganizationPort + Sync>(
        self,
        organization: Q,
    ) -> Handler<R, P, F, S, X, Q> {
        Handler {
            reader: self.reader,
            publisher: self.publisher,
            config: self.config,
            probe: self.probe,
            notes: self.notes,
            follow_ups: self.follow_ups,
            state: self.state,
            export: self.export,
            organization,
        }
    }

    /// Handles one payload; `remaining` is the time left before the invocation's deadline. The
    /// account of the fingerprints is unknown this way: see [`Handler::handle_invocation`].
    pub async fn handle(
        &self,
        payload: &[u8],
        remaining: Option<Duration>,
    ) -> Result<Value, HandlerError> {
        self.handle_invocation(payload, remaining, None).await
    }

    /// Handles one payload of the invocation of `function_arn` (the context's invoked function
    /// ARN, whose account names the fingerprints).
    pub async fn handle_invocation(
        &self,
        payload: &[u8],
        remaining: Option<Duration>,
        function_arn: Option<&str>,
    ) -> Result<Value, HandlerError> {
        let (trigger, event_account) = match parse_invocation_bytes(payload) {
            Ok(invocation) => (invocation.trigger, invocation.account),
            Err(error) => {
                // A payload that can never be understood must not be retried: answer, do not fail.
                tracing::warn!(error = %error, "event rejected");
                emit_rejected(&error);
                return Ok(json!({"status": "rejected", "reason": error.to_string()}));
            }
        };
        // A refused call's configuration is not the deployed one: its findings open or resolve
        // nothing in the state.
        let proposed = matches!(trigger, Trigger::CheckRejected { .. });
        let (subject, cause) = match trigger {
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
                emit_ignored(&reason);
                return Ok(
                    json!({"status": "ignored", "reason": reason, "source": source, "detail_type": detail_type}),
                );
            }
            Trigger::Audit { scope, cause } => (Subject::Distributions(scope), cause),
            Trigger::AuditCertificate {
                certificate_arn,
                cause,
            } => (Subject::CertificateUsers { certificate_arn }, cause),
            Trigger::AuditOriginResource { resource, cause } => {
                (Subject::OriginResourceUsers(resource), cause)
            }
            Trigger::CheckRejected {
                distribution,
                cause,
                ..
            } => (Subject::Proposed(distribution), cause),
            Trigger::Organization(task) => {
                let own = function_arn.and_then(account_of_function_arn);
                return Box::pin(self.organization_task(task, remaining, own)).await;
            }
        };
        let request = self.request(subject, remaining);
        let request_time = request.now;
        // Reads end where probes stop starting: the publish keeps the safety margin for itself.
        // In organization mode an event from a member account is read through its member role.
        let own_account = function_arn.and_then(account_of_function_arn);
        let (reader, audited_account) = Box::pin(self.account_reader(
            event_account.as_deref(),
            own_account,
            self.work_deadline(remaining),
        ))
        .await;
        let member_account = audited_account
            .clone()
            .filter(|a| Some(a.as_str()) != own_account);
        // Boxed: the whole pipeline inline would nest futures deeper than the compiler's layout limit.
        let mut report = Box::pin(run(&reader, &request)).await;
        // The daily sweep is not a change: a distribution InProgress then is re-checked by the
        // event of the change that made it so, or by the next sweep.
        let sweep = matches!(cause, Cause::Sweep { .. });
        let summary = TriggerSummary::from_cause(&cause);
        let follow_up = if sweep {
            None
        } else {
            self.plan_follow_up(&mut report, &cause)
        };
        let store = if proposed {
            None
        } else {
            self.state.open().await
        };
        let now = state_time(&cause, request_time);
        let trigger_text = resolved_by(&cause);
        let account = audited_account.as_deref();
        let facts = RunFacts {
            account: account.unwrap_or(UNKNOWN_ACCOUNT),
            now,
            trigger: &trigger_text,
            remind_after_days: i64::from(self.config.remind_after_days),
        };
        // Boxed, like the audit: inline, the futures nest deeper than the compiler's layout limit.
        let state = Box::pin(remember(
            store.as_ref(),
            &mut report,
            facts,
            account.is_some(),
        ))
        .await;
        log_findings(&report, &summary);
        emit_metrics(&report, &summary);
        let notifications = if matches!(cause, Cause::FollowUp { .. }) {
            // The original event already published the configuration findings; a follow-up re-checks
            // the edge, so only what it learns about the edge (and its notes) is published again.
            self.notifications(&edge_only(&report), &summary, sweep, now)
        } else {
            self.notifications(&report, &summary, sweep, now)
        };
        publish_all(&self.publisher, &notifications).await?;
        match (&store, state) {
            // After the publish: reminders count from the last message that carried a finding.
            (Some(store), Ok(())) => {
                Box::pin(memory::mark_notified(store, &self.notified(&report), now)).await?
            }
            (_, Err(error)) => return Err(error.into()),
            (None, Ok(())) => {}
        }
        // After the publish: a failure here fails the invocation, and its retry publishes again
        // (subscribers may see a message twice, never miss the re-check).
        let follow_up_result = match follow_up {
            Some(FollowUpPlan::Schedule(request)) => {
                let request = request.in_account(member_account.clone());
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
        // Last: Security Hub is a second copy of what was just published; its failure fails the
        // invocation so that the retry imports again.
        let export_result = self
            .export_findings(&report, &now, own_account, audited_account.as_deref())
            .await?;
        Ok(json!({
            "status": "audited",
            "trigger": summary,
            "summary": report.summary(),
            "notifications": notifications.len(),
            "follow_up": follow_up_result,
            "security_hub": export_result,
        }))
    }

    /// Imports the report's findings into Security Hub when it is on, as the invoked function's
    /// account (the only one Security Hub takes them from), about `audited`'s distributions (the
    /// function's own, or a member's in organization mode).
    pub(super) async fn export_findings(
        &self,
        report: &Report,
        now: &OffsetDateTime,
        own: Option<&str>,
        audited: Option<&str>,
    ) -> Result<Value, HandlerError> {
        if !self.export.enabled() {
            return Ok(Value::Null);
        }
        let Some(account) = own else {
            tracing::warn!("Security Hub export skipped: the invocation names no function ARN");
            return Ok(json!({"status": "skipped", "reason": "no invoked function ARN"}));
        };
        let accounts = FindingAccounts {
            importer: account,
            resources: audited.unwrap_or(account),
        };
        let exported = self.export.export(report, accounts, *now).await?;
        tracing::info!(
            open = exported.open,
            archived = exported.archived,
            calls = exported.calls,
            "findings imported into Security Hub"
        );
        Ok(
            json!({"status": "imported", "open": exported.open, "archived": exported.archived, "calls": exported.calls}),
        )
    }

    /// The audit request for `subject`: now, this function's notes and thresholds, and probes that
    /// start no new work once the invocation is within the safety margin of its deadline.
    pub(super) fn request(&self, subject: Subject, remaining: Option<Duration>) -> AuditRequest {
        let probe = self.probe.clone().map(|mut options| {
            options.stop_new_work_at = self.work_deadline(remaining);
            options
        });
        let mut notes = self.notes.clone();
        if !self.follow_ups.enabled() {
            notes.push(Note::FollowUpsOff);
        }
        AuditRequest {
            subject,
            now: OffsetDateTime::now_utc(),
            notes,
            probe,
            thresholds: self.config.thresholds,
        }
    }

    /// The invocation's deadline minus the safety margin: no AWS read runs and no probe starts after
    /// it, so the publish that follows has the margin to itself.
    pub(super) fn work_deadline(&self, remaining: Option<Duration>) -> Option<Instant> {
        remaining.map(|left| Instant::now() + left.saturating_sub(self.config.safety_margin))
    }

    /// Decides the follow-up after an event-driven audit, and notes in the report when the edge
    /// re-check gives up (the `viewer-edge-not-verified` finding stays).
    fn plan_follow_up(&self, report: &mut Report, cause: &Cause) -> Option<FollowUpPlan> {
        let pending = report.edge_pending.clone();
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
        match next_follow_up(&pending, attempt, max, &original) {
            Some(request) => Some(FollowUpPlan::Schedule(request)),
            None => {
                report.notes.push(Note::FollowUpGaveUp {
                    attempts: attempt,
                    max,
                    pending: pending.clone(),
                });
                tracing::warn!(attempts = attempt, "follow-up gave up");
                Some(FollowUpPlan::GaveUp {
                    attempts: attempt,
                    ids: pending,
                })
            }
        }
    }

    /// The fingerprints that this invocation's notifications carried: the findings at or above
    /// `MIN_SEVERITY` whose transition is notified (new, escalated, reminder).
    pub(super) fn notified(&self, report: &Report) -> Vec<memory::Fingerprint> {
        let mut shown = report.clone();
        shown
            .findings
            .retain(|f| f.severity >= self.config.min_severity);
        memory::notifiable(&shown)
    }

    /// What this audit publishes: with state, what changed (`notify::notifications`).
    fn notifications(
        &self,
        report: &Report,
        summary: &TriggerSummary,
        sweep: bool,
        now: OffsetDateTime,
    ) -> Vec<Notification> {
        notify::notifications(report, summary, &self.config.notify_policy(), sweep, now)
    }
}

/// The state pass of one invocation: through `store` when there is one, else every finding new
/// with a note saying there is no state. A store failure leaves every finding new, with a note, and
/// is returned for the caller to fail the invocation after publishing.
pub(super) async fn remember<T: StateStore + Sync>(
    store: Option<&T>,
    report: &mut Report,
    facts: RunFacts<'_>,
    account_known: bool,
) -> Result<(), StateError> {
    let Some(store) = store else {
        report.notes.push(Note::NoState {
            setting: "STATE_TABLE",
        });
        memory::forget(report, &facts);
        return Ok(());
    };
    if !account_known {
        report.notes.push(Note::AccountUnknown {
            reason: "the invocation names no function ARN with an account".into(),
            remedy: "fingerprints of this run do not match the account's records",
        });
    }
    let context = RunContext {
        facts,
        extra_suppressions: &[],
    };
    let result = memory::remember(store, report, &context).await;
    for skipped in store.skipped() {
        report.notes.push(Note::StateItemSkipped { item: skipped });
    }
    if let Err(error) = &result {
        tracing::error!(error = %error, "state unavailable");
    }
    result
}

/// The state's time of a run: the event's own time when it has one, so that a retry of the same
/// event (after a failed publish) is the same run to the state and keeps its transitions; else the
/// audit's.
fn state_time(cause: &Cause, audited_at: OffsetDateTime) -> OffsetDateTime {
    let event_time = match cause {
        Cause::ApiCall { event_time, .. } | Cause::Certificate { event_time, .. } => {
            event_time.as_deref()
        }
        _ => None,
    };
    event_time
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .unwrap_or(audited_at)
}

/// The trigger as told to people, recorded on what it resolves.
fn resolved_by(cause: &Cause) -> String {
    match cause {
        Cause::ApiCall {
            event_name,
            actor_arn: Some(actor),
            ..
        } => format!("{event_name} by {actor}"),
        Cause::ApiCall { event_name, .. } => event_name.clone(),
        Cause::Certificate {
            event,
            certificate_arn,
            ..
        } => format!("{} for {certificate_arn}", event.detail_type()),
        Cause::Sweep { .. } => "the daily sweep".to_owned(),
        Cause::Operator => "an operator request".to_owned(),
        Cause::FollowUp { cause, .. } => format!("the edge re-check after {cause}"),
    }
}

/// The report restricted to the edge findings (what a follow-up is for), notes and labels kept.
fn edge_only(report: &Report) -> Report {
    let mut edge = report.clone();
    edge.findings
        .retain(|f| f.code.entry().family == Family::Edge);
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
        async fn snapshot_for_origin_resource(
            &self,
            _resource: &crate::model::OriginResource,
        ) -> Snapshot {
            self.0.clone()
        }
    }

    impl UntilDeadline for FakeReader {
        type Bounded<'a> = FakeReader;
        fn until(&self, _deadline: Option<Instant>) -> FakeReader {
            FakeReader(self.0.clone())
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
        distribution.status = Some(status.into());
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
            TrustAnchors::default(),
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
        let reader_report = run(
            &handler.reader,
            &AuditRequest {
                subject: Subject::Distributions(Scope::Distributions(vec!["E1".into()])),
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
                .map(Note::to_string)
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
    async fn a_listener_or_vpc_origin_change_audits_the_distributions_reaching_it() {
        // The fake answers every subject with E1 (InProgress): an audit that reached it schedules
        // E1's follow-up, which only an audited change does.
        for sample in [
            "cloudtrail-elb-remove-listener-certificates.json",
            "cloudtrail-update-vpc-origin.json",
        ] {
            let handler = handler("InProgress", false);
            let path = format!("{}/events/{sample}", env!("CARGO_MANIFEST_DIR"));
            let payload = std::fs::read_to_string(&path).expect("the sample exists");
            let result = handle(&handler, &payload).await.expect("handled");
            assert_eq!(result["status"], "audited", "{sample}: {result}");
            let expected_kind = match sample {
                "cloudtrail-update-vpc-origin.json" => "UpdateVpcOrigin",
                _ => "RemoveListenerCertificates",
            };
            assert_eq!(result["trigger"]["kind"], expected_kind, "{sample}");
            assert_eq!(result["follow_up"]["distribution_ids"][0], "E1", "{sample}");
        }
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
            notes: handler.notes,
            follow_ups: NoFollowUps,
            state: NoState,
            export: NoExport,
            organization: NoOrganization,
        };
        let result = handle(&handler, DIRECT).await.expect("handled");
        assert_eq!(result["follow_up"]["status"], "not-configured");
        assert_eq!(result["follow_up"]["distribution_ids"][0], "E1");
    }

    fn handler_with(vars: &[(&str, &str)]) -> Handler<FakeReader, FakePublisher> {
        let config = LambdaConfig::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
                .or_else(|| {
                    (name == "TOPIC_ARN").then(|| "arn:aws:sns:us-east-1:111122223333:t".to_owned())
                })
        })
        .expect("config");
        Handler::new(
            FakeReader(healthy_snapshot(vec![healthy_distribution("E1")])),
            FakePublisher::default(),
            config,
            TrustAnchors::default(),
        )
    }

    #[test]
    fn the_lambda_notes_every_lab_input_it_applies_as_the_cli_does() {
        let handler = handler_with(&[
            ("CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL", "http://127.0.0.1:4566"),
            (
                "CLOUDFRONT_TLS_AUDIT_RESOLVE",
                "origin.example.com:443:127.0.0.1",
            ),
            (
                "CLOUDFRONT_TLS_AUDIT_CONNECT_TO",
                "e1.cloudfront.net:443:127.0.0.1:8443",
            ),
            ("EDGE_CHECK", "false"),
        ]);
        let notes: Vec<String> = handler.notes.iter().map(Note::to_string).collect();
        assert_eq!(
            notes,
            [
                "AWS endpoint overridden: http://127.0.0.1:4566",
                "lab input: e1.cloudfront.net:443 connected at 127.0.0.1:8443",
                "lab input: origin.example.com:443 resolved to 127.0.0.1",
                "edge not checked (EDGE_CHECK=false)",
            ]
        );
        let request = handler.request(Subject::Distributions(Scope::AllDistributions), None);
        assert_eq!(
            request.notes.last(),
            Some(&Note::FollowUpsOff),
            "and that no follow-up queue is configured"
        );
    }

    #[test]
    fn with_probes_off_the_lambda_says_so_and_notes_no_probe_input() {
        let handler = handler_with(&[
            ("PROBE", "false"),
            (
                "CLOUDFRONT_TLS_AUDIT_RESOLVE",
                "origin.example.com:443:127.0.0.1",
            ),
        ]);
        assert_eq!(
            handler.notes,
            [Note::NotProbed {
                switch: "PROBE=false"
            }]
        );
    }
}
