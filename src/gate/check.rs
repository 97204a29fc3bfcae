//! The gate's pass over one [`Stack`]: its proposed distributions and declared certificates as a
//! [`Snapshot`] the existing rules judge, then every finding placed back where it is written.
//!
//! A certificate declared in the same file has no ARN yet. It stands in the snapshot under an ARN
//! made of what is known before it exists, `arn:aws:acm:REGION:(declared):certificate/RESOURCE`, so
//! the rules judge it as any ACM certificate: its region from the ARN (the wrong-region finding), its
//! names from the declaration (the alias coverage), and nothing that only exists once it is issued
//! (status, key, expiry: checked by `audit` after deploying). What cannot be known never passes in
//! silence: each [`Unresolved`] becomes a `config-value-unresolved` finding, and a certificate whose
//! names or region are unknown is not judged on them.

use std::collections::{BTreeMap, BTreeSet};

use crate::audit::AccountReader;
use crate::catalogue::Code;
use crate::finding::{Finding, Location};
use crate::model::{
    Certificate, CertificateLookup, CertificateRef, CertificateSource, FailureKind, ReadFailure,
    Scope, Snapshot,
};
use crate::report::Report;

use super::{CertificateBinding, DeclaredCertificate, Property, Stack, Unresolved};

/// The region CloudFront takes viewer certificates from.
const CLOUDFRONT_REGION: &str = "us-east-1";

/// The account field of the ARN that stands for a certificate not created yet.
const DECLARED_ACCOUNT: &str = "(declared)";

/// The account field of the ARN that stands for a certificate ARN not known before deploying.
const UNRESOLVED_ACCOUNT: &str = "(unresolved)";

/// The ARN that stands for `certificate` until it exists. A certificate whose region is unknown
/// stands in us-east-1, so that no wrong-region finding is guessed; an [`Unresolved`] entry says
/// the region was not checked (see [`stack_snapshot`]).
pub fn declared_arn(certificate: &DeclaredCertificate) -> String {
    format!(
        "arn:aws:acm:{}:{DECLARED_ACCOUNT}:certificate/{}",
        certificate.region.as_deref().unwrap_or(CLOUDFRONT_REGION),
        certificate.resource
    )
}

/// The ARN that stands for the unresolved certificate of distribution `resource`: the viewer
/// certificate is not the default one (no `viewer-default-cert-with-aliases`), and what it is stays
/// unknown (the stack's [`Unresolved`] entry says so).
fn unresolved_arn(resource: &str) -> String {
    format!("arn:aws:acm:{CLOUDFRONT_REGION}:{UNRESOLVED_ACCOUNT}:certificate/{resource}")
}

/// The snapshot the rules judge for `stack`, and the unresolved values to report besides the
/// stack's own (a declared certificate's region that a template cannot know).
pub fn stack_snapshot(stack: &Stack) -> (Snapshot, Vec<Unresolved>) {
    let mut snapshot = Snapshot::default();
    let mut extra = Vec::new();
    let mut used = BTreeSet::new();
    for proposed in &stack.distributions {
        let mut distribution = proposed.distribution.clone();
        stand_in_unknown_viewer_settings(
            &mut distribution,
            stack
                .unresolved
                .iter()
                .filter(|u| u.resource == proposed.resource),
        );
        let arn = match &proposed.certificate {
            CertificateBinding::None | CertificateBinding::Arn(_) => None,
            CertificateBinding::Declared(resource) => {
                match stack.certificates.iter().find(|c| &c.resource == resource) {
                    Some(certificate) => {
                        used.insert(certificate.resource.clone());
                        Some(declared_arn(certificate))
                    }
                    None => {
                        extra.push(Unresolved {
                            resource: proposed.resource.clone(),
                            property: "ViewerCertificate.AcmCertificateArn".to_owned(),
                            reason: format!(
                                "{resource} is not a certificate declared in this file"
                            ),
                            unchecked: UNCHECKED_CERTIFICATE.to_owned(),
                            at: proposed.places.find(&Property::AcmCertificateArn),
                        });
                        Some(unresolved_arn(&proposed.resource))
                    }
                }
            }
            CertificateBinding::Unresolved => Some(unresolved_arn(&proposed.resource)),
        };
        if let Some(arn) = arn {
            distribution.viewer_certificate.acm_certificate_arn = Some(arn.clone());
            distribution
                .viewer_certificate
                .cloudfront_default_certificate = Some(false);
            if arn.contains(UNRESOLVED_ACCOUNT) {
                snapshot.certificates.insert(
                    CertificateRef::Acm(arn.clone()),
                    not_read(&arn, "its ARN is not known before deploying"),
                );
            }
        }
        snapshot.distributions.push(distribution);
    }
    for certificate in stack
        .certificates
        .iter()
        .filter(|c| used.contains(&c.resource))
    {
        let arn = declared_arn(certificate);
        // A name that could not be resolved may be the one an alias needs: judging coverage on the
        // others would be a false alarm, so the names are not judged at all.
        let about = |u: &&Unresolved| u.resource == certificate.resource;
        let names_known =
            certificate.domain_name.is_some() && !names_unresolved(stack, certificate);
        let region_reported = stack.unresolved.iter().filter(about).any(is_about_region);
        let lookup = if names_known {
            CertificateLookup::Found(Box::new(declared(certificate, &arn)))
        } else {
            not_read(&arn, "its names are not known before deploying")
        };
        // A plan's reader says itself why a provider's region is unknown (on the distribution
        // bound to the certificate); only a template lacks a region of its own.
        if certificate.region.is_none()
            && !region_reported
            && stack.kind == crate::gate::InputKind::Cloudformation
        {
            extra.push(Unresolved {
                resource: certificate.resource.clone(),
                property: "region".to_owned(),
                reason: "a template has no region of its own: pass --region with the region the \
                         stack is deployed in"
                    .to_owned(),
                unchecked: "whether the certificate is created in us-east-1, the only region \
                            CloudFront takes viewer certificates from"
                    .to_owned(),
                at: certificate.at,
            });
        }
        snapshot
            .certificates
            .insert(CertificateRef::Acm(arn), lookup);
    }
    (snapshot, extra)
}

/// What stands for a viewer TLS setting the file leaves unknown: a value no rule judges (it is
/// no security policy CloudFront has, outdated or not), so an unknown `SslSupportMethod` or
/// `MinimumProtocolVersion` is reported as unresolved, never as missing (`viewer-tls-policy-invalid`).
const UNKNOWN_SETTING: &str = "{{unresolved}}";

/// Fills the viewer certificate's `SslSupportMethod` and `MinimumProtocolVersion` that `unresolved`
/// says are unknown (each on its own, or the whole `ViewerCertificate`), in either input's
/// spelling.
fn stand_in_unknown_viewer_settings<'a>(
    distribution: &mut crate::model::Distribution,
    unresolved: impl Iterator<Item = &'a Unresolved>,
) {
    for value in unresolved {
        let property = spelled_alike(&value.property);
        let property = property.trim_end_matches("[0]");
        let Some(at) = property.find("viewercertificate") else {
            continue;
        };
        let rest = &property[at + "viewercertificate".len()..];
        let rest = rest.trim_start_matches("[0]").trim_start_matches('.');
        let viewer = &mut distribution.viewer_certificate;
        if (rest.is_empty() || rest == "sslsupportmethod") && viewer.ssl_support_method.is_none() {
            viewer.ssl_support_method =
                Some(crate::vocabulary::SslSupportMethod::from(UNKNOWN_SETTING));
        }
        if (rest.is_empty() || rest == "minimumprotocolversion")
            && viewer.minimum_protocol_version.is_none()
        {
            viewer.minimum_protocol_version = Some(UNKNOWN_SETTING.to_owned());
        }
    }
}

/// Whether one of `certificate`'s names could not be resolved.
fn names_unresolved(stack: &Stack, certificate: &DeclaredCertificate) -> bool {
    stack
        .unresolved
        .iter()
        .filter(|u| u.resource == certificate.resource)
        .any(is_about_names)
}

/// Whether an unresolved value of a certificate is one of its names (`DomainName`,
/// `SubjectAlternativeNames`, in either input's spelling). Anything else (its `Condition`, its
/// region) leaves the names it writes judgeable.
fn is_about_names(value: &Unresolved) -> bool {
    let property = spelled_alike(&value.property);
    property.contains("domainname") || property.contains("subjectalternativenames")
}

/// A property path as both inputs spell it alike: CloudFormation's `SubjectAlternativeNames` and
/// Terraform's `subject_alternative_names` are both `subjectalternativenames`.
fn spelled_alike(property: &str) -> String {
    property
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether an unresolved value of a certificate is its region (a reader may say so itself), which
/// leaves its names judgeable.
fn is_about_region(value: &Unresolved) -> bool {
    value.property.to_ascii_lowercase().contains("region")
}

/// What an unknown viewer certificate leaves unchecked.
const UNCHECKED_CERTIFICATE: &str =
    "whether the viewer certificate covers the aliases, its region, status, key and expiry";

fn not_read(arn: &str, why: &str) -> CertificateLookup {
    CertificateLookup::Failed(ReadFailure {
        operation: "acm:DescribeCertificate".to_owned(),
        resource: arn.to_owned(),
        distribution_id: None,
        kind: FailureKind::NotRead,
        message: format!("{why}, so {UNCHECKED_CERTIFICATE} were not checked"),
    })
}

/// A declared certificate as ACM will describe it, as far as it is known before it exists: ACM
/// puts the domain name among the subject alternative names.
fn declared(certificate: &DeclaredCertificate, arn: &str) -> Certificate {
    let mut names: Vec<String> = certificate.domain_name.iter().cloned().collect();
    for name in &certificate.subject_alternative_names {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.clone());
        }
    }
    Certificate {
        reference: CertificateRef::Acm(arn.to_owned()),
        source: CertificateSource::AcmAmazonIssued,
        domain_name: certificate.domain_name.clone(),
        subject_alternative_names: names,
        status: None,
        serial: None,
        not_before: None,
        not_after: None,
        key: certificate
            .key_algorithm
            .as_deref()
            .map(crate::model::KeyKind::from_acm_key_algorithm),
        renewal_eligibility: None,
        renewal: None,
        domain_validation: Vec::new(),
        in_use_by: Vec::new(),
        leaf: None,
        chain: Vec::new(),
        chain_parse_errors: Vec::new(),
        body_read_failure: None,
    }
}

/// The findings of `report` placed in `stack`'s file, the `config-value-unresolved` findings of
/// `unresolved` added, and the stand-in certificates' own "not read" findings dropped where an
/// [`Unresolved`] entry already says the same at its place.
pub fn place_findings(report: &mut Report, stack: &Stack, unresolved: &[Unresolved]) {
    report.findings.retain(|finding| {
        !(finding.code == Code::ConfigValueUnresolved
            && finding.subject.contains(UNRESOLVED_ACCOUNT))
    });
    for finding in &mut report.findings {
        finding.location = Some(locate(finding, stack));
    }
    for value in stack.unresolved.iter().chain(unresolved) {
        let distribution = stack
            .distributions
            .iter()
            .find(|d| d.resource == value.resource)
            .map(|d| d.resource.as_str());
        let mut finding = crate::rules::unresolved(value, distribution);
        finding.location = Some(Location {
            file: stack.file.clone(),
            line: value.at.map(|at| at.line),
            column: value.at.map(|at| at.column),
            resource: Some(value.resource.clone()),
        });
        report.findings.push(finding);
    }
    report.sort();
}

/// Where `finding` is written: the property it is about, else its resource, else the file.
pub fn locate(finding: &Finding, stack: &Stack) -> Location {
    let proposed = finding.distribution_id.as_deref().and_then(|id| {
        // A finding keeps the id as untrusted text is kept (escaped, capped): compare alike.
        stack.distributions.iter().find(|d| {
            d.resource == id
                || crate::untrusted::cap(&d.resource, crate::untrusted::NAME_CHARS) == id
        })
    });
    let Some(proposed) = proposed else {
        return Location {
            file: stack.file.clone(),
            line: None,
            column: None,
            resource: finding.distribution_id.clone(),
        };
    };
    let at = proposed.places.find(&property_of(finding));
    Location {
        file: stack.file.clone(),
        line: at.map(|at| at.line),
        column: at.map(|at| at.column),
        resource: Some(proposed.resource.clone()),
    }
}

/// The property a finding is about, from its code and evidence, in CloudFront's terms.
pub fn property_of(finding: &Finding) -> Property {
    let text = |name: &str| {
        finding
            .evidence
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let origin = || text("origin_id");
    let certificate = || {
        if finding.subject.starts_with("arn:") {
            Property::AcmCertificateArn
        } else {
            Property::IamCertificateId
        }
    };
    match finding.code {
        Code::ViewerAliasNotCovered => Property::Alias(finding.subject.clone()),
        Code::ViewerDefaultCertWithAliases => Property::ViewerCertificate,
        Code::ViewerTlsPolicyInvalid | Code::ViewerTlsPolicyOutdated => {
            Property::MinimumProtocolVersion
        }
        Code::ViewerHttpAllowed => Property::ViewerProtocolPolicy(
            text("behavior").filter(|behavior| behavior != "default"),
        ),
        Code::ViewerCertWrongRegion
        | Code::ViewerCertNotFound
        | Code::ViewerCertNotIssued
        | Code::ViewerCertExpired
        | Code::ViewerCertNotYetValid
        | Code::ViewerCertExpiring
        | Code::ViewerCertRenewalAtRisk
        | Code::ViewerCertKeyUnsupported
        | Code::ViewerCertChainInvalid => certificate(),
        Code::OriginHttpOnly => origin().map_or(Property::Resource, Property::OriginProtocolPolicy),
        Code::OriginDeprecatedProtocols => {
            origin().map_or(Property::Resource, Property::OriginSslProtocols)
        }
        Code::AuditNotCovered => origin().map_or(Property::Resource, Property::Origin),
        Code::AuditIncomplete | Code::ConfigValueUnresolved => {
            if text("resource").is_some_and(|r| r.starts_with("arn:aws:acm:")) {
                Property::AcmCertificateArn
            } else if text("operation").is_some_and(|o| o.starts_with("iam:")) {
                Property::IamCertificateId
            } else {
                Property::Resource
            }
        }
        Code::AuditCertificateUnused
        | Code::ViewerEdgeCertMismatch
        | Code::ViewerEdgeHandshakeFailed
        | Code::ViewerEdgeNotVerified => Property::Resource,
        // The origin's handshake: its domain name is what CloudFront connects to.
        Code::OriginDnsFailure
        | Code::OriginConnectRefused
        | Code::OriginConnectTimeout
        | Code::OriginHandshakeTimeout
        | Code::OriginTlsProtocolMismatch
        | Code::OriginTlsNoSharedCipher
        | Code::OriginHandshakeFailed
        | Code::OriginCertExpired
        | Code::OriginCertNotYetValid
        | Code::OriginCertExpiring
        | Code::OriginCertSelfSigned
        | Code::OriginCertUntrustedRoot
        | Code::OriginCertChainIncomplete
        | Code::OriginCertChainMisordered
        | Code::OriginCertChainOversized
        | Code::OriginCertNameMismatch
        | Code::OriginLbListenerMissing => {
            origin().map_or(Property::Resource, Property::OriginDomainName)
        }
        Code::OriginNotProbed => origin().map_or(Property::Resource, Property::Origin),
    }
}

/// The reader of `check-config --offline`: no AWS call at all. A certificate ARN the file itself
/// describes (a plan's certificate that exists already) is read from the file; every other
/// reference a live reader would read is recorded as not read, which the rules report as
/// `config-value-unresolved`.
#[derive(Debug, Clone, Default)]
pub struct OfflineReader {
    /// The certificates the file describes under their known ARN.
    known: BTreeMap<String, Certificate>,
}

/// Why an offline read was not made.
const OFFLINE: &str = "--offline: no AWS call is made";

impl OfflineReader {
    /// The offline reader of `stack`: its certificates with a known ARN (and known names) are
    /// what a distribution naming that ARN is judged against.
    pub fn for_stack(stack: &Stack) -> OfflineReader {
        let known = stack
            .certificates
            .iter()
            .filter(|c| c.domain_name.is_some() && !names_unresolved(stack, c))
            .filter_map(|c| {
                let arn = c.arn.as_ref()?;
                Some((arn.clone(), declared(c, arn)))
            })
            .collect();
        OfflineReader { known }
    }

    fn gap(operation: &str) -> Snapshot {
        Snapshot {
            gaps: vec![ReadFailure {
                operation: operation.to_owned(),
                resource: "account".to_owned(),
                distribution_id: None,
                kind: FailureKind::NotRead,
                message: OFFLINE.to_owned(),
            }],
            ..Snapshot::default()
        }
    }
}

impl AccountReader for OfflineReader {
    async fn snapshot(&self, _scope: &Scope) -> Snapshot {
        Self::gap("cloudfront:ListDistributions")
    }

    async fn read_references(&self, snapshot: &mut Snapshot) {
        let wanted: BTreeSet<CertificateRef> = snapshot
            .distributions
            .iter()
            .filter_map(|d| d.viewer_certificate.certificate_ref())
            .filter(|r| !snapshot.certificates.contains_key(r))
            .filter(crate::rules::needs_lookup)
            .collect();
        for reference in wanted {
            if let Some(certificate) = self.known.get(reference.id()) {
                snapshot.certificates.insert(
                    reference,
                    CertificateLookup::Found(Box::new(certificate.clone())),
                );
                continue;
            }
            let operation = match &reference {
                CertificateRef::Acm(_) => "acm:DescribeCertificate",
                CertificateRef::Iam(_) => "iam:GetServerCertificate",
            };
            let lookup = CertificateLookup::Failed(ReadFailure {
                operation: operation.to_owned(),
                resource: reference.id().to_owned(),
                distribution_id: None,
                kind: FailureKind::NotRead,
                message: format!("{OFFLINE}, so {UNCHECKED_CERTIFICATE} were not checked"),
            });
            snapshot.certificates.insert(reference, lookup);
        }
    }

    async fn snapshot_for_certificate(&self, _arn: &str) -> Snapshot {
        Self::gap("acm:DescribeCertificate")
    }

    async fn snapshot_for_origin_resource(
        &self,
        _resource: &crate::model::OriginResource,
    ) -> Snapshot {
        Self::gap("cloudfront:ListDistributions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{run, AuditRequest, Subject};
    use crate::gate::{InputKind, Places, Position, ProposedDistribution};
    use crate::rules::fixtures::{distribution_with_acm, now};
    use crate::rules::ExpiryThresholds;

    fn at(line: u32) -> Position {
        Position { line, column: 7 }
    }

    /// A distribution `Site` for `aliases`, bound to `certificate`, its properties written on the
    /// lines: resource 10, aliases 12 (each alias on the next lines), certificate ARN 20.
    fn site(aliases: &[&str], certificate: CertificateBinding) -> ProposedDistribution {
        let mut distribution = distribution_with_acm("Site", aliases, "");
        distribution.origin = crate::model::DistributionOrigin::Proposed;
        distribution.viewer_certificate.acm_certificate_arn = match &certificate {
            CertificateBinding::Arn(arn) => Some(arn.clone()),
            _ => None,
        };
        let mut places = Places::default();
        places.0.insert(Property::Resource, at(10));
        places.0.insert(Property::Aliases, at(12));
        for (i, alias) in aliases.iter().enumerate() {
            places
                .0
                .insert(Property::Alias((*alias).to_owned()), at(13 + i as u32));
        }
        places.0.insert(Property::AcmCertificateArn, at(20));
        ProposedDistribution {
            resource: "Site".to_owned(),
            change: None,
            distribution,
            certificate,
            places,
        }
    }

    fn certificate(names: &[&str], region: Option<&str>) -> DeclaredCertificate {
        DeclaredCertificate {
            resource: "SiteCertificate".to_owned(),
            domain_name: names.first().map(|n| (*n).to_owned()),
            subject_alternative_names: names.iter().skip(1).map(|n| (*n).to_owned()).collect(),
            region: region.map(str::to_owned),
            key_algorithm: None,
            arn: None,
            at: Some(at(3)),
        }
    }

    fn stack(
        distribution: ProposedDistribution,
        certificates: Vec<DeclaredCertificate>,
        unresolved: Vec<Unresolved>,
    ) -> Stack {
        Stack {
            file: "template.yaml".to_owned(),
            kind: InputKind::Cloudformation,
            distributions: vec![distribution],
            certificates,
            unresolved,
        }
    }

    /// The gate offline, as `check-config --offline` runs it.
    fn check(stack: &Stack) -> Report {
        let (snapshot, extra) = stack_snapshot(stack);
        let request = AuditRequest {
            subject: Subject::ProposedStack(Box::new(snapshot)),
            now: now(),
            notes: Vec::new(),
            probe: None,
            thresholds: ExpiryThresholds::default(),
        };
        let mut report =
            futures::executor::block_on(run(&OfflineReader::for_stack(stack), &request));
        place_findings(&mut report, stack, &extra);
        report
    }

    fn codes(report: &Report) -> Vec<&'static str> {
        report.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn declared() -> CertificateBinding {
        CertificateBinding::Declared("SiteCertificate".to_owned())
    }

    #[test]
    fn a_declared_certificate_that_covers_every_alias_in_us_east_1_is_quiet() {
        let report = check(&stack(
            site(&["www.example.com", "example.com"], declared()),
            vec![certificate(
                &["example.com", "*.example.com"],
                Some("us-east-1"),
            )],
            vec![],
        ));
        assert_eq!(codes(&report), Vec::<&str>::new(), "{:#?}", report.findings);
    }

    #[test]
    fn an_alias_the_declared_certificate_misses_is_found_on_the_aliases_line() {
        let report = check(&stack(
            site(&["www.example.com", "api.example.org"], declared()),
            vec![certificate(
                &["example.com", "*.example.com"],
                Some("us-east-1"),
            )],
            vec![],
        ));
        assert_eq!(codes(&report), ["viewer-alias-not-covered"]);
        let location = report.findings[0]
            .location
            .clone()
            .unwrap_or_else(|| panic!("placed"));
        assert_eq!(location.file, "template.yaml");
        assert_eq!((location.line, location.column), (Some(14), Some(7)));
        assert_eq!(location.resource.as_deref(), Some("Site"));
    }

    #[test]
    fn a_declared_certificate_in_eu_west_1_is_the_wrong_region_finding_on_the_arn_line() {
        let report = check(&stack(
            site(&["www.example.com"], declared()),
            vec![certificate(&["www.example.com"], Some("eu-west-1"))],
            vec![],
        ));
        assert_eq!(codes(&report), ["viewer-cert-wrong-region"]);
        assert_eq!(
            report.findings[0].location.as_ref().and_then(|l| l.line),
            Some(20)
        );
    }

    #[test]
    fn a_declared_certificate_without_a_known_region_says_the_region_was_not_checked() {
        let report = check(&stack(
            site(&["www.example.com"], declared()),
            vec![certificate(&["www.example.com"], None)],
            vec![],
        ));
        assert_eq!(codes(&report), ["config-value-unresolved"]);
        let finding = &report.findings[0];
        assert!(finding.message.contains("us-east-1"), "{}", finding.message);
        assert_eq!(finding.location.as_ref().and_then(|l| l.line), Some(3));
    }

    #[test]
    fn a_certificate_with_an_unresolved_name_is_not_judged_on_its_names() {
        let unresolved = Unresolved {
            resource: "SiteCertificate".to_owned(),
            property: "Properties.SubjectAlternativeNames[1]".to_owned(),
            reason: "`!ImportValue OtherName`: another stack's output".to_owned(),
            unchecked: "whether the certificate covers the aliases".to_owned(),
            at: Some(at(5)),
        };
        let report = check(&stack(
            site(&["www.example.com", "api.example.org"], declared()),
            vec![certificate(&["www.example.com"], Some("us-east-1"))],
            vec![unresolved],
        ));
        assert!(
            !codes(&report).contains(&"viewer-alias-not-covered"),
            "{:?}",
            codes(&report)
        );
        assert!(codes(&report)
            .iter()
            .all(|c| *c == "config-value-unresolved"));
        assert!(report
            .findings
            .iter()
            .any(|f| f.location.as_ref().and_then(|l| l.line) == Some(5)));
    }

    #[test]
    fn an_unresolved_certificate_arn_is_one_info_finding_never_the_default_certificate() {
        let unresolved = Unresolved {
            resource: "Site".to_owned(),
            property: "DistributionConfig.ViewerCertificate.AcmCertificateArn".to_owned(),
            reason: "`!ImportValue SharedCertArn`: another stack's output".to_owned(),
            unchecked: UNCHECKED_CERTIFICATE.to_owned(),
            at: Some(at(20)),
        };
        let report = check(&stack(
            site(&["www.example.com"], CertificateBinding::Unresolved),
            vec![],
            vec![unresolved],
        ));
        assert_eq!(
            codes(&report),
            ["config-value-unresolved"],
            "{:#?}",
            report.findings
        );
        assert!(report.findings[0].message.contains("ImportValue"));
        assert_eq!(report.findings[0].distribution_id.as_deref(), Some("Site"));
    }

    #[test]
    fn offline_a_literal_arn_is_reported_as_not_read_never_as_a_failed_read() {
        let arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc";
        let report = check(&stack(
            site(
                &["www.example.com"],
                CertificateBinding::Arn(arn.to_owned()),
            ),
            vec![],
            vec![],
        ));
        assert_eq!(codes(&report), ["config-value-unresolved"]);
        let finding = &report.findings[0];
        assert!(finding.message.contains("--offline"), "{}", finding.message);
        assert_eq!(finding.location.as_ref().and_then(|l| l.line), Some(20));
    }

    #[test]
    fn offline_a_literal_arn_outside_us_east_1_is_still_the_wrong_region_finding() {
        let arn = "arn:aws:acm:eu-central-1:111122223333:certificate/abc";
        let report = check(&stack(
            site(
                &["www.example.com"],
                CertificateBinding::Arn(arn.to_owned()),
            ),
            vec![],
            vec![],
        ));
        assert_eq!(codes(&report), ["viewer-cert-wrong-region"]);
    }

    #[test]
    fn a_property_not_written_is_placed_on_what_encloses_it() {
        let mut places = Places::default();
        places.0.insert(Property::Resource, at(10));
        places.0.insert(Property::Origin("app".into()), at(30));
        assert_eq!(
            places.find(&Property::OriginSslProtocols("app".into())),
            Some(at(30))
        );
        assert_eq!(places.find(&Property::Alias("x".into())), Some(at(10)));
        assert_eq!(Places::default().find(&Property::Resource), None);
    }
}
