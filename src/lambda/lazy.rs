//! AWS clients built on first use, not at start-up: building them loads the system's CA bundle and
//! the credential chain, which would otherwise delay the function's first poll of the Runtime API
//! (see docs/benchmarks.md). Every invocation needs them, so the cost moves, it does not repeat.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::config::OrganizationSettings;
use super::follow_up::{FollowUp, FollowUpError, FollowUps, SqsFollowUps};
use super::handler::{OpenState, UntilDeadline};
use super::organization::{NoOrganization, OrganizationPort};
use super::results::{ResultsBucket, ResultsError};
use crate::audit::AccountReader;
use crate::aws::{load_sdk_config, AwsOptions};
use crate::inventory::member::MemberRoles;
use crate::inventory::organization::{list_accounts, AccountList};
use crate::inventory::AwsInventory;
use crate::model::{ReadFailure, Scope, Snapshot};
use crate::notify::{Notification, NotifyError, Publisher, SnsPublisher};
use crate::report::Report;
use crate::securityhub::{ExportError, Exported, FindingAccounts, FindingsExport, SecurityHub};
use crate::state::table::TableStore;

/// The production clients, created together on first use and shared by the handler's three roles.
#[derive(Clone)]
pub struct LazyAws {
    inner: Arc<Inner>,
}

struct Inner {
    options: AwsOptions,
    topic_arn: String,
    follow_up: Option<(String, Duration)>,
    /// `STATE_TABLE` and `RESOLVED_RETENTION_DAYS`.
    state_table: Option<(String, u64)>,
    security_hub: bool,
    /// `ORGANIZATION_MODE=true` and its settings.
    organization: Option<OrganizationSettings>,
    clients: OnceCell<Clients>,
}

struct Clients {
    inventory: AwsInventory,
    publisher: SnsPublisher,
    follow_ups: Option<SqsFollowUps>,
    dynamodb: aws_sdk_dynamodb::Client,
    security_hub: Option<SecurityHub>,
    /// The function's configuration, for the organization's listing.
    config: aws_config::SdkConfig,
    /// The member roles (organization mode).
    members: Option<MemberRoles>,
    /// The results bucket (organization mode with `RESULTS_BUCKET`).
    results: Option<ResultsBucket>,
}

impl LazyAws {
    /// Remembers how to build the clients; builds nothing yet. `state_table`: the table of the
    /// findings' state and its retention in days (`STATE_TABLE`, `RESOLVED_RETENTION_DAYS`);
    /// `security_hub`: also build the Security Hub client (`SECURITY_HUB=true`).
    pub fn new(
        options: AwsOptions,
        topic_arn: String,
        follow_up: Option<(String, Duration)>,
        state_table: Option<(String, u64)>,
        security_hub: bool,
        organization: Option<OrganizationSettings>,
    ) -> LazyAws {
        LazyAws {
            inner: Arc::new(Inner {
                options,
                topic_arn,
                follow_up,
                state_table,
                security_hub,
                organization,
                clients: OnceCell::new(),
            }),
        }
    }

    async fn clients(&self) -> &Clients {
        self.inner
            .clients
            .get_or_init(|| async {
                // One configuration (credential chain, HTTP client) for every client.
                let config = load_sdk_config(&self.inner.options).await;
                Clients {
                    inventory: AwsInventory::from_sdk_config(&config),
                    publisher: SnsPublisher::from_sdk_config(&config, self.inner.topic_arn.clone()),
                    follow_ups: self
                        .inner
                        .follow_up
                        .as_ref()
                        .map(|(url, delay)| SqsFollowUps::from_sdk_config(&config, url, *delay)),
                    // The stack's table, in the function's own region.
                    dynamodb: aws_sdk_dynamodb::Client::new(&config),
                    // The hub of the function's own Region (`AWS_REGION`).
                    security_hub: self
                        .inner
                        .security_hub
                        .then(|| SecurityHub::from_sdk_config(&config)),
                    members: self.inner.organization.as_ref().map(|org| {
                        MemberRoles::new(&config, &org.member_role_name, &org.member_external_id)
                    }),
                    results: self
                        .inner
                        .organization
                        .as_ref()
                        .and_then(|org| org.results_bucket.as_deref())
                        .map(|bucket| ResultsBucket::from_sdk_config(&config, bucket)),
                    config,
                }
            })
            .await
    }
}

/// The production clients for one invocation: every read ends by the invocation's deadline.
pub struct UntilInvocationDeadline<'a> {
    aws: &'a LazyAws,
    deadline: Option<Instant>,
    /// A member account's inventory (already bounded), instead of the function's own.
    member: Option<AwsInventory>,
}

impl UntilInvocationDeadline<'_> {
    async fn inventory(&self) -> AwsInventory {
        if let Some(member) = &self.member {
            return member.clone();
        }
        let inventory = &self.aws.clients().await.inventory;
        match self.deadline {
            Some(deadline) => inventory.until(deadline),
            None => inventory.clone(),
        }
    }
}

impl UntilDeadline for LazyAws {
    type Bounded<'a> = UntilInvocationDeadline<'a>;

    fn until(&self, deadline: Option<Instant>) -> UntilInvocationDeadline<'_> {
        UntilInvocationDeadline {
            aws: self,
            deadline,
            member: None,
        }
    }

    async fn in_account(
        &self,
        account_id: &str,
        deadline: Option<Instant>,
    ) -> Result<UntilInvocationDeadline<'_>, ReadFailure> {
        let Some(members) = &self.clients().await.members else {
            return Err(crate::inventory::member::account_not_readable(
                account_id,
                "ORGANIZATION_MODE is off: the function reads its own account only",
            ));
        };
        let member = members.inventory(account_id, deadline).await?;
        Ok(UntilInvocationDeadline {
            aws: self,
            deadline,
            member: Some(member),
        })
    }
}

impl AccountReader for UntilInvocationDeadline<'_> {
    async fn snapshot(&self, scope: &Scope) -> Snapshot {
        self.inventory().await.snapshot(scope).await
    }

    async fn read_references(&self, snapshot: &mut Snapshot) {
        self.inventory().await.read_references(snapshot).await
    }

    async fn snapshot_for_certificate(&self, arn: &str) -> Snapshot {
        self.inventory().await.snapshot_for_certificate(arn).await
    }

    async fn snapshot_for_origin_resource(
        &self,
        resource: &crate::model::OriginResource,
    ) -> Snapshot {
        self.inventory()
            .await
            .snapshot_for_origin_resource(resource)
            .await
    }
}

impl Publisher for LazyAws {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send {
        let notification = notification.clone();
        async move { self.clients().await.publisher.publish(&notification).await }
    }
}

impl FollowUps for LazyAws {
    fn enabled(&self) -> bool {
        self.inner.follow_up.is_some()
    }

    fn schedule(
        &self,
        request: &FollowUp,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send {
        let request = request.clone();
        async move { self.clients().await.follow_ups.schedule(&request).await }
    }
}

impl FindingsExport for LazyAws {
    fn enabled(&self) -> bool {
        self.inner.security_hub
    }

    async fn export(
        &self,
        report: &Report,
        accounts: FindingAccounts<'_>,
        now: time::OffsetDateTime,
    ) -> Result<Exported, ExportError> {
        // Borrowed, not cloned: a sweep's report holds every finding of the account.
        match &self.clients().await.security_hub {
            Some(hub) => hub.export(report, accounts, now).await,
            None => Ok(Exported::default()),
        }
    }
}

impl OpenState for LazyAws {
    type Store = TableStore;

    async fn open(&self) -> Option<TableStore> {
        let (table, retention_days) = self.inner.state_table.as_ref()?;
        let client = self.clients().await.dynamodb.clone();
        Some(TableStore::new(client, table.clone(), *retention_days))
    }
}

impl OrganizationPort for LazyAws {
    fn enabled(&self) -> bool {
        self.inner.organization.is_some()
    }

    fn bucket(&self) -> Option<&str> {
        self.inner.organization.as_ref()?.results_bucket.as_deref()
    }

    fn map_settings(&self) -> super::config::MapSettings {
        match &self.inner.organization {
            Some(org) => org.map,
            None => NoOrganization.map_settings(),
        }
    }

    async fn list_accounts(&self, deadline: Option<Instant>) -> Result<AccountList, ReadFailure> {
        let role = self
            .inner
            .organization
            .as_ref()
            .and_then(|org| org.accounts_role_arn.as_deref());
        list_accounts(&self.clients().await.config, role, deadline).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ResultsError> {
        match &self.clients().await.results {
            Some(bucket) => bucket.get(key).await,
            None => Err(ResultsError::NotConfigured),
        }
    }

    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), ResultsError> {
        match &self.clients().await.results {
            Some(bucket) => bucket.put(key, body).await,
            None => Err(ResultsError::NotConfigured),
        }
    }
}
