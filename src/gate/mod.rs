//! The pre-deploy gate (`check-config`): what users write to change CloudFront, read into proposed
//! distributions with the places their properties were written.
//!
//! Three input kinds, one result ([`Stack`]): a CloudFormation or SAM template (YAML or JSON, the
//! output of `cdk synth` included; `cloudformation`), a Terraform or OpenTofu plan as JSON
//! (`terraform show -json`; `terraform`), and the DistributionConfig JSON `check-config` always read
//! (`crate::intake::distribution_config`). Readers know nothing of AWS and call nothing: what needs a
//! lookup (a certificate ARN) or cannot be known before deploying (an import from another stack, a
//! value known only after apply) is carried as data, never guessed and never dropped.
//!
//! Identity: a proposed distribution's [`crate::model::Distribution::id`] is its [`ProposedDistribution::resource`]
//! (the logical id, or the Terraform address), so every finding of the rules names the resource it
//! belongs to, and [`Places`] turns the finding back into a file position.

use std::collections::BTreeMap;

use serde::Serialize;

pub mod cloudformation;
pub mod terraform;

use crate::model::Distribution;

mod check;
mod input;

pub use cloudformation::TemplateInputs;
pub use input::{detect, read, read_parameters, GateError, MAX_INPUT_BYTES};

pub use check::{declared_arn, locate, place_findings, property_of, stack_snapshot, OfflineReader};

/// The kind of input file, detected from its content or forced with `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// A CloudFormation or SAM template, YAML or JSON (the output of `cdk synth` too).
    Cloudformation,
    /// `terraform show -json PLAN` (Terraform or OpenTofu).
    TerraformPlan,
    /// A CloudFront DistributionConfig in the AWS CLI's or CloudTrail's JSON.
    DistributionConfig,
}

/// A position in the input file, 1-based, as an editor and SARIF's `region` count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1, in characters.
    pub column: u32,
}

/// A property of a distribution, in CloudFront's API terms, so that a finding is placed the same way
/// whatever the input's spelling (`AcmCertificateArn`, `acm_certificate_arn`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "property", content = "key")]
pub enum Property {
    /// The resource itself (its logical id, or the Terraform resource): the fallback for any finding.
    Resource,
    /// `Aliases` as a whole.
    Aliases,
    /// One alias, by its value as written.
    Alias(String),
    /// `ViewerCertificate` as a whole.
    ViewerCertificate,
    /// `ViewerCertificate.AcmCertificateArn`.
    AcmCertificateArn,
    /// `ViewerCertificate.IamCertificateId`.
    IamCertificateId,
    /// `ViewerCertificate.MinimumProtocolVersion`.
    MinimumProtocolVersion,
    /// `ViewerCertificate.SslSupportMethod`.
    SslSupportMethod,
    /// One origin as a whole, by its `Id`.
    Origin(String),
    /// `Origins[Id].DomainName`.
    OriginDomainName(String),
    /// `Origins[Id].CustomOriginConfig.OriginProtocolPolicy`.
    OriginProtocolPolicy(String),
    /// `Origins[Id].CustomOriginConfig.OriginSSLProtocols`.
    OriginSslProtocols(String),
    /// `Origins[Id].CustomOriginConfig.HTTPSPort`.
    OriginHttpsPort(String),
    /// A cache behaviour as a whole, by its path pattern (`None`: the default cache behaviour).
    CacheBehavior(Option<String>),
    /// `…CacheBehavior.ViewerProtocolPolicy`, by path pattern (`None`: the default).
    ViewerProtocolPolicy(Option<String>),
}

/// Where each property of one distribution was written. Properties not present (or inputs without
/// positions, such as a Terraform plan) are simply absent; [`Places::find`] falls back to the resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Places(pub BTreeMap<Property, Position>);

impl Places {
    /// The position of `property`, else of the nearest enclosing property written (an alias's
    /// `Aliases`, an origin setting's origin), else of the resource, else nothing.
    pub fn find(&self, property: &Property) -> Option<Position> {
        let mut current = Some(property.clone());
        while let Some(property) = current {
            if let Some(at) = self.0.get(&property) {
                return Some(*at);
            }
            current = property.parent();
        }
        None
    }
}

impl Property {
    /// The property that encloses this one; `None` for the resource itself.
    pub fn parent(&self) -> Option<Property> {
        Some(match self {
            Property::Resource => return None,
            Property::Alias(_) => Property::Aliases,
            Property::AcmCertificateArn
            | Property::IamCertificateId
            | Property::MinimumProtocolVersion
            | Property::SslSupportMethod => Property::ViewerCertificate,
            Property::OriginDomainName(id)
            | Property::OriginProtocolPolicy(id)
            | Property::OriginSslProtocols(id)
            | Property::OriginHttpsPort(id) => Property::Origin(id.clone()),
            Property::ViewerProtocolPolicy(path) => Property::CacheBehavior(path.clone()),
            Property::Aliases
            | Property::ViewerCertificate
            | Property::Origin(_)
            | Property::CacheBehavior(_) => Property::Resource,
        })
    }
}

/// What a Terraform plan will do to a resource (`resource_changes[].change.actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// `["create"]`.
    Create,
    /// `["update"]`.
    Update,
    /// `["delete","create"]` or `["create","delete"]`.
    Replace,
    /// `["no-op"]` (or `["read"]`): checked all the same, it is what will stay deployed.
    NoOp,
}

/// How a proposed distribution names its viewer certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum CertificateBinding {
    /// No ACM certificate (the CloudFront default certificate, or an IAM server certificate id, which
    /// is in [`Distribution::viewer_certificate`]).
    None,
    /// An ACM ARN known before deploying: written literally, or resolved through a parameter or a
    /// Terraform variable. It is also in `viewer_certificate.acm_certificate_arn`.
    Arn(String),
    /// A certificate resource of the same template or plan, by its [`DeclaredCertificate::resource`].
    Declared(String),
    /// Not knowable before deploying; the reason is an [`Unresolved`] entry of the same stack.
    Unresolved,
}

/// An ACM certificate declared next to the distribution (`AWS::CertificateManager::Certificate`,
/// `aws_acm_certificate`): its names and region are known before it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredCertificate {
    /// The logical id, or the Terraform address.
    pub resource: String,
    /// `DomainName` / `domain_name`; `None` when not resolvable (then an [`Unresolved`] says so).
    pub domain_name: Option<String>,
    /// `SubjectAlternativeNames` / `subject_alternative_names`, the resolvable ones.
    pub subject_alternative_names: Vec<String>,
    /// The region the certificate is created in (a Terraform provider's region; for a template, the
    /// stack region when given with `--region`), `None` when it cannot be known before deploying.
    pub region: Option<String>,
    /// `KeyAlgorithm` / `key_algorithm` as written (`RSA_2048`, `EC_prime256v1`, `EC_secp384r1`):
    /// known before the certificate exists, since it is what ACM is asked for.
    pub key_algorithm: Option<String>,
    /// The certificate's ARN when the input knows it (a plan's certificate that exists already):
    /// a distribution naming that ARN is bound to this certificate offline.
    pub arn: Option<String>,
    /// Where the resource is written.
    pub at: Option<Position>,
}

/// A value the gate could not know before deploying: never a silent pass, always a
/// `config-value-unresolved` info finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The resource holding the value (logical id or Terraform address).
    pub resource: String,
    /// The property as written in the input, dotted (`DistributionConfig.ViewerCertificate.AcmCertificateArn`,
    /// `viewer_certificate[0].acm_certificate_arn`).
    pub property: String,
    /// Why it cannot be known: "`!ImportValue SharedCertArn`: another stack's output", "known after apply",
    /// "parameter `CertArn` has no value (pass --parameters)".
    pub reason: String,
    /// What could not be checked because of it ("whether the certificate covers the aliases, its
    /// region, status and expiry").
    pub unchecked: String,
    /// Where it is written.
    pub at: Option<Position>,
}

/// One proposed distribution of a stack.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedDistribution {
    /// The logical id (`Distribution`), or the Terraform address
    /// (`module.cdn.aws_cloudfront_distribution.site`); also the distribution's id.
    pub resource: String,
    /// What the plan does to it (Terraform only).
    pub change: Option<Change>,
    /// The distribution as it will be deployed, marked proposed; unresolved values are left out
    /// (empty, `None`) and listed in [`Stack::unresolved`].
    pub distribution: Distribution,
    /// How it names its viewer certificate.
    pub certificate: CertificateBinding,
    /// Where its properties are written.
    pub places: Places,
}

/// Everything one input file proposes.
#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    /// The file as the user named it (shown in locations).
    pub file: String,
    /// What kind of input it was.
    pub kind: InputKind,
    /// Every distribution resource, in file order.
    pub distributions: Vec<ProposedDistribution>,
    /// Every ACM certificate resource declared in the file.
    pub certificates: Vec<DeclaredCertificate>,
    /// Every value that could not be resolved, in file order.
    pub unresolved: Vec<Unresolved>,
}
