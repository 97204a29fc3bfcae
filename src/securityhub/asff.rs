//! Findings in the AWS Security Finding Format (ASFF), the shape `BatchImportFindings` takes.
//!
//! Pure: a [`Finding`] (with what the state remembers of it) or a [`ResolvedFinding`] in, an SDK
//! `AwsSecurityFinding` out, every field within the limits of the API reference
//! (`AwsSecurityFinding`: `Title` 256, `Description` 1,024, `Recommendation.Text` 512, `Id` and
//! `GeneratorId` 512, `ProductFields` 50 pairs of 128 and 2,048 characters) and the whole finding far
//! under the 240 KB Security Hub accepts ([`MAX_FINDING_BYTES`]). Untrusted text (subjects, evidence)
//! is escaped and capped with [`crate::untrusted::cap`], as for every other audience.
//!
//! What is left out, on purpose: `Workflow`, `Note`, `UserDefinedFields` and `VerificationState`
//! belong to whoever triages the finding in Security Hub, and `BatchImportFindings` cannot change them
//! once the finding exists; a suppression is therefore told in `ProductFields`
//! (`cloudfront-tls-audit/status` = `suppressed`, with the suppression's id). Security Hub itself sets
//! `Workflow.Status` to `RESOLVED` when a finding is archived. `Severity.Normalized` is deprecated:
//! `Label` is sent, with our own level as `Original`, in `Severity` and in `FindingProviderFields`
//! (the provider's channel for updating severity and types after creation).

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, FindingProviderFields,
    FindingProviderSeverity, Recommendation, RecordState, Remediation, Resource,
    Severity as HubSeverity, SeverityLabel,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::catalogue::{Code, Family};
use crate::finding::{render_value, Finding, Severity};
use crate::state::{FindingStatus, Fingerprint, ResolvedFinding, Transition};
use crate::untrusted::cap;

/// The ASFF schema version every finding declares.
pub const SCHEMA_VERSION: &str = "2018-10-08";

/// The one finding type: a configuration check against best practice (ASFF types taxonomy,
/// namespace "Software and Configuration Checks").
pub const FINDING_TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";

/// The product name findings carry (custom integrations through the account's default product may
/// name themselves).
pub const PRODUCT_NAME: &str = "cloudfront-tls-audit";

/// The largest finding Security Hub accepts (the partner guide, "Guidelines for using the
/// BatchImportFindings API": 240 KB per finding).
pub const MAX_FINDING_BYTES: usize = 240 * 1024;

/// `Id` and `GeneratorId` at most (API reference, `AwsSecurityFinding`).
pub const MAX_ID_CHARS: usize = 512;
/// `Title` at most.
pub const MAX_TITLE_CHARS: usize = 256;
/// `Description` at most.
pub const MAX_DESCRIPTION_CHARS: usize = 1_024;
/// `Remediation.Recommendation.Text` at most.
pub const MAX_RECOMMENDATION_CHARS: usize = 512;
/// `ProductFields` pairs at most.
pub const MAX_PRODUCT_FIELDS: usize = 50;
/// A `ProductFields` key at most.
pub const MAX_PRODUCT_FIELD_KEY_CHARS: usize = 128;
/// A `ProductFields` value at most.
pub const MAX_PRODUCT_FIELD_VALUE_CHARS: usize = 2_048;

/// Every `ProductFields` key of ours starts so (`aws/` is Security Hub's own).
const FIELD_PREFIX: &str = "cloudfront-tls-audit/";

/// Evidence fields carried in `ProductFields`, at most: the fixed fields take the rest of the 50.
const MAX_EVIDENCE_FIELDS: usize = 36;

/// Where the findings go: the account and Region of the hub (the function's own), and its partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub {
    /// The account that imports the findings and owns them in Security Hub (`AwsAccountId`):
    /// Security Hub accepts findings of the calling account only (BatchImportFindings).
    pub account: String,
    /// The account whose distributions the findings are about: `account` itself, or, on an
    /// organization's hub, the member account audited (its distributions' ARNs name it, and its
    /// findings' ids are its own).
    pub resources_account: String,
    /// The Region of the hub the findings are imported into.
    pub region: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
}

impl Hub {
    /// The account's default product, the one a custom integration imports through:
    /// `arn:{partition}:securityhub:{region}:{account}:product/{account}/default`.
    pub fn product_arn(&self) -> String {
        format!(
            "arn:{}:securityhub:{}:{}:product/{}/default",
            self.partition, self.region, self.account, self.account
        )
    }

    /// The ARN of a distribution of this account (CloudFront ARNs have no Region).
    pub fn distribution_arn(&self, distribution_id: &str) -> String {
        format!(
            "arn:{}:cloudfront::{}:distribution/{distribution_id}",
            self.partition, self.resources_account
        )
    }
}

pub use crate::aws::partition_of;

/// One finding as Security Hub will receive it, with an upper bound of its JSON size (for batching
/// under the 6 MB request limit without serialising it twice).
#[derive(Debug, Clone, PartialEq)]
pub struct Asff {
    /// The finding.
    pub finding: AwsSecurityFinding,
    /// At least as many bytes as its JSON takes.
    pub bytes_at_most: usize,
}

/// A finding of this run, open or suppressed (`Compliance.Status` `FAILED`, or `NOT_AVAILABLE` for
/// the audit's own findings: a check that could not run or a configuration it cannot see).
/// Without state the fingerprint is computed here and the finding is first seen `now`.
pub fn open(finding: &Finding, hub: &Hub, now: OffsetDateTime) -> Asff {
    let remembered = finding.remembered.as_ref();
    let fingerprint = remembered
        .map(|r| r.fingerprint.clone())
        .unwrap_or_else(|| Fingerprint::of(&hub.resources_account, finding));
    let first_seen = remembered.map_or(now, |r| r.first_seen);
    let entry = finding.code.entry();
    let compliance = if entry.family == Family::Audit {
        ComplianceStatus::NotAvailable
    } else {
        ComplianceStatus::Failed
    };
    let mut fields = Fields::default();
    fields.push("code", finding.code.as_str());
    fields.push("subject", &finding.subject);
    fields.push("viewer_impact", &json_text(&finding.viewer_impact));
    fields.push("severity", finding.severity.as_str());
    if let Some(remembered) = remembered {
        fields.push("status", status_name(remembered.status));
        fields.push("transition", transition_name(remembered.transition));
        if let Some(previous) = remembered.previous_severity {
            fields.push("previous_severity", previous.as_str());
        }
        if let Some(suppression) = &remembered.suppression {
            fields.push("suppression", &suppression.0);
        }
    } else {
        fields.push("status", status_name(FindingStatus::New));
    }
    for (name, value) in finding.evidence.iter().take(MAX_EVIDENCE_FIELDS) {
        fields.push(&format!("evidence/{name}"), &render_value(value));
    }
    let remediation = finding.remediation.join(" ");
    let title = format!("{}: {}", entry.title, finding.subject);
    let mut resources = vec![match &finding.distribution_id {
        Some(id) => distribution_resource(hub, id),
        None => account_resource(hub),
    }];
    resources.extend(certificate_resource(finding));
    build(Parts {
        hub,
        id: &fingerprint,
        code: finding.code.as_str(),
        severity: finding.severity,
        title: &title,
        description: &finding.message,
        remediation: &remediation,
        docs: &finding.docs,
        first_seen,
        now,
        compliance,
        record_state: RecordState::Active,
        resources,
        fields,
    })
}

/// A finding this run resolved: `Compliance.Status` `PASSED`, `RecordState` `ARCHIVED`, under the same
/// `Id` as when it was open, so that Security Hub updates it rather than adding one.
pub fn resolved(resolved: &ResolvedFinding, hub: &Hub, now: OffsetDateTime) -> Asff {
    // A code since removed from the catalogue still resolves cleanly, under its own name.
    let code = Code::from_id(&resolved.code);
    let title = format!(
        "{}: {}",
        code.map_or(resolved.code.as_str(), |c| c.entry().title),
        resolved.subject
    );
    let description = format!(
        "Resolved {} ({}): the check that found it ran and no longer finds it.",
        rfc3339(resolved.resolved_at),
        resolved.resolved_by
    );
    let mut fields = Fields::default();
    fields.push("code", &resolved.code);
    fields.push("subject", &resolved.subject);
    fields.push("severity", resolved.severity.as_str());
    fields.push("status", "resolved");
    fields.push("resolved_by", &resolved.resolved_by);
    fields.push("resolved_at", &rfc3339(resolved.resolved_at));
    let resource = match &resolved.distribution_id {
        Some(id) => distribution_resource(hub, id),
        None => account_resource(hub),
    };
    let docs = code.map_or("", |c| c.entry().docs);
    build(Parts {
        hub,
        id: &resolved.fingerprint,
        code: &resolved.code,
        severity: resolved.severity,
        title: &title,
        description: &description,
        remediation: "Nothing to do: the problem is gone.",
        docs,
        first_seen: resolved.first_seen,
        now,
        compliance: ComplianceStatus::Passed,
        record_state: RecordState::Archived,
        resources: vec![resource],
        fields,
    })
}

/// The finding's `Id`: its fingerprint, or, when the fingerprint is longer than `Id` allows (a long
/// subject), its prefix up to the code and the SHA-256 of the whole fingerprint: still one `Id` per
/// fingerprint, the same on every run.
pub fn finding_id(fingerprint: &Fingerprint) -> String {
    let full = fingerprint.as_str();
    if full.len() <= MAX_ID_CHARS {
        return full.to_owned();
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, full.as_bytes());
    let hex: String = digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    // The first four fields (scheme, account, distribution, code) never contain `/` and are short.
    let prefix: Vec<&str> = full.splitn(5, '/').take(4).collect();
    format!("{}/sha256:{hex}", prefix.join("/"))
}

/// Our severity as Security Hub's label.
pub fn severity_label(severity: Severity) -> SeverityLabel {
    match severity {
        Severity::Critical => SeverityLabel::Critical,
        Severity::High => SeverityLabel::High,
        Severity::Medium => SeverityLabel::Medium,
        Severity::Low => SeverityLabel::Low,
        Severity::Info => SeverityLabel::Informational,
    }
}

/// Everything [`build`] needs.
struct Parts<'a> {
    hub: &'a Hub,
    id: &'a Fingerprint,
    code: &'a str,
    severity: Severity,
    title: &'a str,
    description: &'a str,
    remediation: &'a str,
    docs: &'a str,
    first_seen: OffsetDateTime,
    now: OffsetDateTime,
    compliance: ComplianceStatus,
    record_state: RecordState,
    resources: Vec<Resource>,
    fields: Fields,
}

/// Overhead of the JSON around the texts we bound (names, quotes, timestamps, enums), generously.
const FIXED_JSON_BYTES: usize = 4 * 1024;

fn build(parts: Parts<'_>) -> Asff {
    let title = within(parts.title, MAX_TITLE_CHARS);
    let description = within(parts.description, MAX_DESCRIPTION_CHARS);
    let recommendation = within(parts.remediation, MAX_RECOMMENDATION_CHARS);
    let id = finding_id(parts.id);
    let generator = within(parts.code, MAX_ID_CHARS);
    let created = rfc3339(parts.first_seen);
    let updated = rfc3339(parts.now.max(parts.first_seen));
    let label = severity_label(parts.severity);
    let mut recommendation_builder = Recommendation::builder().text(&recommendation);
    if parts.docs.starts_with("https://") {
        recommendation_builder = recommendation_builder.url(parts.docs);
    }
    // Every string is at most twice its length in JSON (escaped quotes and backslashes; the
    // forbidden characters were already written as visible ASCII by `cap`).
    let text_bytes = [&title, &description, &recommendation, &id, &generator]
        .iter()
        .map(|s| s.len())
        .sum::<usize>()
        + parts.docs.len()
        + parts.fields.bytes()
        + parts
            .resources
            .iter()
            .map(|r| r.id().map_or(0, str::len) + r.r#type().map_or(0, str::len))
            .sum::<usize>();
    let finding = AwsSecurityFinding::builder()
        .schema_version(SCHEMA_VERSION)
        .id(id)
        .product_arn(parts.hub.product_arn())
        .product_name(PRODUCT_NAME)
        .generator_id(generator)
        .aws_account_id(&parts.hub.account)
        .types(FINDING_TYPE)
        .created_at(&created)
        .first_observed_at(&created)
        .updated_at(&updated)
        .last_observed_at(&updated)
        .severity(
            HubSeverity::builder()
                .label(label.clone())
                .original(parts.severity.as_str())
                .build(),
        )
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(
                    FindingProviderSeverity::builder()
                        .label(label)
                        .original(parts.severity.as_str())
                        .build(),
                )
                .types(FINDING_TYPE)
                .build(),
        )
        .title(title)
        .description(description)
        .remediation(
            Remediation::builder()
                .recommendation(recommendation_builder.build())
                .build(),
        )
        .set_resources(Some(parts.resources))
        .compliance(Compliance::builder().status(parts.compliance).build())
        .record_state(parts.record_state)
        .set_product_fields(Some(parts.fields.into_map()))
        .build();
    Asff {
        finding,
        bytes_at_most: 2 * text_bytes + FIXED_JSON_BYTES,
    }
}

/// `ProductFields`, in order, within its limits: keys prefixed and capped, values capped, at most
/// [`MAX_PRODUCT_FIELDS`] pairs.
#[derive(Debug, Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn push(&mut self, name: &str, value: &str) {
        if self.0.len() >= MAX_PRODUCT_FIELDS || value.trim().is_empty() {
            return;
        }
        let key = within(
            &format!("{FIELD_PREFIX}{name}"),
            MAX_PRODUCT_FIELD_KEY_CHARS,
        );
        if self.0.iter().any(|(existing, _)| *existing == key) {
            return;
        }
        self.0
            .push((key, within(value, MAX_PRODUCT_FIELD_VALUE_CHARS)));
    }

    fn bytes(&self) -> usize {
        self.0.iter().map(|(k, v)| k.len() + v.len() + 6).sum()
    }

    fn into_map(self) -> std::collections::HashMap<String, String> {
        self.0.into_iter().collect()
    }
}

/// Untrusted text escaped and cut to `max` characters, and to `max` bytes too: the API counts
/// characters, but a cautious reading of "1,024 characters is 1 KB" costs only non-ASCII text.
fn within(text: &str, max: usize) -> String {
    let mut chars = max;
    loop {
        let capped = cap(text, chars);
        if capped.len() <= max || chars == 0 {
            return capped;
        }
        // Shrink by the excess (at least one character) and cut again.
        chars = chars.saturating_sub((capped.len() - max).max(1));
    }
}

fn distribution_resource(hub: &Hub, distribution_id: &str) -> Resource {
    Resource::builder()
        .r#type("AwsCloudFrontDistribution")
        .id(within(&hub.distribution_arn(distribution_id), MAX_ID_CHARS))
        .partition(hub.partition.as_str().into())
        // CloudFront is global; AWS Config and Security Hub's own CloudFront controls record it in
        // us-east-1.
        .region(crate::aws::GLOBAL_SERVICE_REGION)
        .build()
}

fn account_resource(hub: &Hub) -> Resource {
    Resource::builder()
        .r#type("AwsAccount")
        .id(format!("AWS::::Account:{}", hub.resources_account))
        .partition(hub.partition.as_str().into())
        .region(&hub.region)
        .build()
}

/// The viewer certificate a finding names in its evidence (`certificate_arn`): an ACM certificate
/// as `AwsCertificateManagerCertificate`, an IAM server certificate as `Other`.
fn certificate_resource(finding: &Finding) -> Option<Resource> {
    let arn = finding.evidence.get("certificate_arn")?.as_str()?;
    let mut fields = arn.split(':');
    let (Some("arn"), Some(partition), Some(service), Some(region)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    let kind = match service {
        "acm" => "AwsCertificateManagerCertificate",
        "iam" => "Other",
        _ => return None,
    };
    let mut resource = Resource::builder()
        .r#type(kind)
        .id(within(arn, MAX_ID_CHARS))
        .partition(partition.into());
    if !region.is_empty() {
        resource = resource.region(region);
    }
    Some(resource.build())
}

fn status_name(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::New => "new",
        FindingStatus::Open => "open",
        FindingStatus::Suppressed => "suppressed",
    }
}

fn transition_name(transition: Transition) -> &'static str {
    match transition {
        Transition::New => "new",
        Transition::Escalated => "escalated",
        Transition::Reminder => "reminder",
        Transition::Unchanged => "unchanged",
        Transition::Suppressed => "suppressed",
    }
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    // An OffsetDateTime within the years 0..=9999 always formats; the fallback is never sent in
    // practice but keeps the mapping total.
    at.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ALIAS_NOT_COVERED, INCOMPLETE_ACCESS_DENIED};
    use crate::state::{Remembered, SuppressionId};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-03 06:00 UTC);

    fn hub() -> Hub {
        Hub {
            account: "111122223333".into(),
            resources_account: "111122223333".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
        }
    }

    fn alias_finding() -> Finding {
        Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject("www.example.com")
            .evidence("alias", "www.example.com")
            .evidence(
                "certificate_arn",
                "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            )
            .evidence("certificate_names", vec!["example.com"])
            .build()
    }

    fn field<'a>(asff: &'a Asff, name: &str) -> Option<&'a str> {
        asff.finding
            .product_fields()
            .and_then(|f| f.get(&format!("{FIELD_PREFIX}{name}")))
            .map(String::as_str)
    }

    #[test]
    fn an_open_finding_is_failed_active_under_its_fingerprint_in_the_accounts_default_product() {
        let asff = open(&alias_finding(), &hub(), NOW);
        let f = &asff.finding;
        assert_eq!(
            f.id(),
            Some("cfta1/111122223333/E123/viewer-alias-not-covered/www.example.com")
        );
        assert_eq!(
            f.product_arn(),
            Some("arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default")
        );
        assert_eq!(f.generator_id(), Some("viewer-alias-not-covered"));
        assert_eq!(f.aws_account_id(), Some("111122223333"));
        assert_eq!(f.schema_version(), Some(SCHEMA_VERSION));
        assert_eq!(f.types(), [FINDING_TYPE]);
        assert_eq!(f.created_at(), Some("2026-12-03T06:00:00Z"));
        assert_eq!(f.updated_at(), Some("2026-12-03T06:00:00Z"));
        assert_eq!(
            f.severity().and_then(|s| s.label()),
            Some(&SeverityLabel::Critical)
        );
        assert_eq!(
            f.finding_provider_fields()
                .and_then(|p| p.severity())
                .and_then(|s| s.original()),
            Some("critical")
        );
        assert_eq!(
            f.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::Failed)
        );
        assert_eq!(f.record_state(), Some(&RecordState::Active));
        assert!(f.workflow().is_none(), "Workflow is the triager's");
        assert_eq!(field(&asff, "status"), Some("new"), "no state: new");
        assert_eq!(field(&asff, "evidence/alias"), Some("www.example.com"));
        assert_eq!(
            field(&asff, "evidence/certificate_names"),
            Some("example.com")
        );
        let recommendation = f
            .remediation()
            .and_then(|r| r.recommendation())
            .expect("recommendation");
        assert!(recommendation
            .url()
            .is_some_and(|u| u.starts_with("https://")));
        assert!(!recommendation.text().unwrap_or_default().is_empty());
    }

    #[test]
    fn an_organizations_hub_imports_a_members_findings_as_its_own_about_the_members_resources() {
        let member = Hub {
            resources_account: "444455556666".into(),
            ..hub()
        };
        let asff = open(&alias_finding(), &member, NOW);
        let f = &asff.finding;
        // Security Hub takes findings only from the account they name.
        assert_eq!(f.aws_account_id(), Some("111122223333"));
        assert_eq!(
            f.product_arn(),
            Some("arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default")
        );
        assert_eq!(
            f.resources()[0].id(),
            Some("arn:aws:cloudfront::444455556666:distribution/E123")
        );
        assert_eq!(
            f.id(),
            Some("cfta1/444455556666/E123/viewer-alias-not-covered/www.example.com"),
            "the member's own fingerprint: never the same id as another account's finding"
        );
        let account_level = Finding::builder(&INCOMPLETE_ACCESS_DENIED)
            .subject("ListDistributions")
            .build();
        let asff = open(&account_level, &member, NOW);
        assert_eq!(
            asff.finding.resources()[0].id(),
            Some("AWS::::Account:444455556666")
        );
    }

    #[test]
    fn the_distribution_and_its_acm_certificate_are_typed_resources() {
        let asff = open(&alias_finding(), &hub(), NOW);
        let resources = asff.finding.resources();
        assert_eq!(resources.len(), 2);
        assert_eq!(resources[0].r#type(), Some("AwsCloudFrontDistribution"));
        assert_eq!(
            resources[0].id(),
            Some("arn:aws:cloudfront::111122223333:distribution/E123")
        );
        assert_eq!(
            resources[1].r#type(),
            Some("AwsCertificateManagerCertificate")
        );
        assert_eq!(
            resources[1].id(),
            Some("arn:aws:acm:us-east-1:111122223333:certificate/abc")
        );
        assert_eq!(resources[1].region(), Some("us-east-1"));
    }

    #[test]
    fn an_account_level_finding_is_about_the_account_and_the_audits_own_findings_are_not_available()
    {
        let finding = Finding::builder(&INCOMPLETE_ACCESS_DENIED)
            .subject("ListDistributions")
            .build();
        let asff = open(&finding, &hub(), NOW);
        let resources = asff.finding.resources();
        assert_eq!(resources[0].r#type(), Some("AwsAccount"));
        assert_eq!(resources[0].id(), Some("AWS::::Account:111122223333"));
        assert_eq!(
            asff.finding.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::NotAvailable),
            "a check that could not run neither passed nor failed"
        );
    }

    #[test]
    fn what_the_state_remembers_is_carried_and_the_first_seen_date_is_kept() {
        let mut finding = alias_finding();
        finding.severity = Severity::High;
        finding.remembered = Some(Remembered {
            fingerprint: Fingerprint::of("111122223333", &finding),
            status: FindingStatus::Suppressed,
            transition: Transition::Suppressed,
            first_seen: datetime!(2026-11-01 00:00 UTC),
            previous_severity: Some(Severity::Medium),
            suppression: Some(SuppressionId("s-1".into())),
        });
        let asff = open(&finding, &hub(), NOW);
        assert_eq!(asff.finding.created_at(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(
            asff.finding.first_observed_at(),
            Some("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            asff.finding.last_observed_at(),
            Some("2026-12-03T06:00:00Z")
        );
        assert_eq!(field(&asff, "status"), Some("suppressed"));
        assert_eq!(field(&asff, "suppression"), Some("s-1"));
        assert_eq!(field(&asff, "previous_severity"), Some("medium"));
        assert_eq!(
            asff.finding.severity().and_then(|s| s.label()),
            Some(&SeverityLabel::High)
        );
        assert_eq!(
            asff.finding.record_state(),
            Some(&RecordState::Active),
            "a suppressed finding is still a finding"
        );
    }

    #[test]
    fn a_resolved_finding_is_passed_and_archived_under_the_same_id() {
        let finding = alias_finding();
        let fingerprint = Fingerprint::of("111122223333", &finding);
        let resolved = ResolvedFinding {
            fingerprint: fingerprint.clone(),
            code: "viewer-alias-not-covered".into(),
            distribution_id: Some("E123".into()),
            subject: "www.example.com".into(),
            severity: Severity::Critical,
            first_seen: datetime!(2026-11-01 00:00 UTC),
            resolved_at: NOW,
            resolved_by: "UpdateDistribution by arn:aws:iam::111122223333:user/ops".into(),
        };
        let asff = self::resolved(&resolved, &hub(), NOW);
        let open = open(&finding, &hub(), NOW);
        assert_eq!(asff.finding.id(), open.finding.id());
        assert_eq!(
            asff.finding.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::Passed)
        );
        assert_eq!(asff.finding.record_state(), Some(&RecordState::Archived));
        assert!(asff
            .finding
            .description()
            .is_some_and(|d| d.contains("UpdateDistribution by")));
        assert_eq!(field(&asff, "status"), Some("resolved"));
        // A code no longer in the catalogue still archives.
        let gone = ResolvedFinding {
            code: "viewer-retired-code".into(),
            ..resolved
        };
        let asff = self::resolved(&gone, &hub(), NOW);
        assert!(asff
            .finding
            .title()
            .is_some_and(|t| t.starts_with("viewer-retired-code")));
    }

    #[test]
    fn every_text_is_within_its_limit_and_the_finding_within_240_kb_whatever_the_origin_sent() {
        let hostile = format!("{}\u{202e}\u{1b}[31m", "é".repeat(5_000));
        let mut builder = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject(hostile.clone());
        for n in 0..80 {
            builder = builder.evidence(&format!("field_{n}"), hostile.clone());
        }
        let asff = open(&builder.build(), &hub(), NOW);
        let f = &asff.finding;
        assert!(f.title().is_some_and(|t| t.len() <= MAX_TITLE_CHARS));
        assert!(f
            .description()
            .is_some_and(|d| d.len() <= MAX_DESCRIPTION_CHARS && !d.trim().is_empty()));
        assert!(f
            .remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.text())
            .is_some_and(|t| t.len() <= MAX_RECOMMENDATION_CHARS));
        assert!(f.id().is_some_and(|id| id.len() <= MAX_ID_CHARS));
        let fields = f.product_fields().expect("fields");
        assert!(fields.len() <= MAX_PRODUCT_FIELDS);
        for (key, value) in fields {
            assert!(key.len() <= MAX_PRODUCT_FIELD_KEY_CHARS, "{key}");
            assert!(value.len() <= MAX_PRODUCT_FIELD_VALUE_CHARS, "{key}");
            assert!(
                !value.contains('\u{1b}') && !value.contains('\u{202e}'),
                "{key}"
            );
        }
        assert!(
            asff.bytes_at_most <= MAX_FINDING_BYTES,
            "{}",
            asff.bytes_at_most
        );
    }

    #[test]
    fn a_fingerprint_too_long_for_an_id_becomes_a_stable_digest() {
        let finding = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject("a".repeat(900))
            .build();
        let fingerprint = Fingerprint::of("111122223333", &finding);
        let id = finding_id(&fingerprint);
        assert!(id.len() <= MAX_ID_CHARS);
        assert!(id.starts_with("cfta1/111122223333/E123/viewer-alias-not-covered/sha256:"));
        assert_eq!(id, finding_id(&fingerprint), "the same on every run");
        let other = Finding::builder(&ALIAS_NOT_COVERED)
            .distribution("E123")
            .subject("b".repeat(900))
            .build();
        assert_ne!(id, finding_id(&Fingerprint::of("111122223333", &other)));
    }

    #[test]
    fn the_partition_follows_the_region() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }
}
