//! A Terraform or OpenTofu plan, as `terraform show -json PLAN` (or `tofu show -json PLAN`) writes
//! it, read into a [`Stack`]: every `aws_cloudfront_distribution` of `planned_values` (child modules
//! included) with what `resource_changes` does to it, and every `aws_acm_certificate` with its region.
//!
//! The plan format is Terraform's "JSON Output Format" (`format_version` 1.x; OpenTofu writes the
//! same). Three parts of it are read:
//! * `planned_values`: the values each resource will have; values known only after apply are left
//!   out there and marked `true` in `resource_changes[].change.after_unknown`;
//! * `resource_changes`: the actions (`create`, `update`, `delete` + `create`, `no-op`);
//! * `configuration` and `variables`: the expressions as written, followed to tell which declared
//!   certificate an unknown `acm_certificate_arn` is, and the provider that gives a certificate its
//!   region.
//!
//! A plan comes from a pull request: the size is capped before parsing, the walk is bounded (modules,
//! resources, reference hops), and a wrong type is an error naming its path, never a panic. A plan
//! has no line numbers: [`Places`] stays empty and the address is the location.
//!
//! One idea per file: Terraform's blocks into a DistributionConfig (`blocks`), addresses and
//! references (`address`), following expressions (`configuration`), typed JSON reads (`json`).

use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use super::{
    CertificateBinding, Change, DeclaredCertificate, InputKind, Places, ProposedDistribution,
    Stack, Unresolved,
};
use crate::intake::distribution_from_value;
use crate::intake::json::{parse_bounded, JsonRefusal};
use crate::model::{acm_arn_region, non_empty};

mod address;
mod blocks;
mod configuration;
mod error;
mod json;
#[cfg(test)]
mod tests;

pub use address::MAX_ADDRESS_BYTES;
pub use configuration::MAX_REFERENCE_HOPS;
pub use error::PlanError;

use address::Scope;
use blocks::{ACM_ARN_UNCHECKED, KNOWN_AFTER_APPLY};
use configuration::{Configuration, Followed};
use json::Object;

/// The largest plan accepted: a plan with a few hundred resources is a few MiB; 64 MiB leaves room
/// for large monorepos while keeping a hostile input's cost bounded.
pub const MAX_PLAN_BYTES: usize = 64 * 1024 * 1024;

/// The most resources read across all modules of `planned_values` (every type counts).
pub const MAX_RESOURCES: usize = 100_000;

/// The deepest module nesting followed in `planned_values` (`module.a.module.b` is 2).
pub const MAX_MODULE_DEPTH: usize = 32;

/// The Terraform resource type of a CloudFront distribution.
const DISTRIBUTION_TYPE: &str = "aws_cloudfront_distribution";

/// The Terraform resource type of an ACM certificate.
const CERTIFICATE_TYPE: &str = "aws_acm_certificate";

/// The viewer certificate's ARN, as Terraform writes its path.
const ACM_CERTIFICATE_ARN: &str = "viewer_certificate[0].acm_certificate_arn";

/// The `viewer_certificate` block, as an unknown value names it when the whole block is unknown.
const VIEWER_CERTIFICATE: &str = "viewer_certificate";

/// What a certificate's unknown region leaves unchecked.
const REGION_UNCHECKED: &str = "whether the certificate is in us-east-1, as CloudFront requires";

/// Whether `text` is a plan: a top-level `format_version` with `planned_values` or
/// `resource_changes`. Reads the keys only (no value is kept); over [`MAX_PLAN_BYTES`] it looks at
/// the text, so that [`read_plan`] can say the plan is too large.
pub fn looks_like_plan(text: &str) -> bool {
    /// The top-level keys that tell a plan, each only noted present.
    #[derive(Deserialize)]
    struct TopLevel {
        format_version: Option<IgnoredAny>,
        planned_values: Option<IgnoredAny>,
        resource_changes: Option<IgnoredAny>,
        values: Option<IgnoredAny>,
    }
    // Too large, or not JSON (a syntax error, nesting serde_json refuses): the keys as text, so
    // that the plan reader, not the DistributionConfig reader, says what is wrong.
    let by_text = || {
        text.trim_start().starts_with('{')
            && text.contains("\"format_version\"")
            && ["\"planned_values\"", "\"resource_changes\"", "\"values\""]
                .iter()
                .any(|key| text.contains(key))
    };
    if text.len() > MAX_PLAN_BYTES {
        return by_text();
    }
    // A state (`terraform show -json` without a plan: `values`) is recognised too, so the plan
    // reader can say that it is a state.
    match serde_json::from_str::<TopLevel>(text) {
        Ok(top) => {
            top.format_version.is_some()
                && (top.planned_values.is_some()
                    || top.resource_changes.is_some()
                    || top.values.is_some())
        }
        Err(_) => by_text(),
    }
}

/// Reads a plan's JSON. `file` is the name the user gave it (shown in locations). Distributions and
/// certificates come in `planned_values` order; a distribution the plan only deletes is not
/// proposed and is left out.
pub fn read_plan(text: &str, file: &str) -> Result<Stack, PlanError> {
    let value =
        parse_bounded(text.as_bytes(), MAX_PLAN_BYTES).map_err(|refusal| match refusal {
            JsonRefusal::TooLarge { size, limit } => PlanError::TooLarge { size, limit },
            JsonRefusal::Syntax {
                line,
                column,
                message,
            } => PlanError::InvalidJson {
                line,
                column,
                message,
            },
        })?;
    let Value::Object(plan) = &value else {
        return Err(PlanError::NotAPlan {
            found: format!("the top level is {}", error::json_type(&value)),
        });
    };
    check_format_version(plan)?;
    let planned = json::object(plan, "planned_values", "")?.ok_or_else(|| PlanError::NotAPlan {
        found: if plan.contains_key("values") {
            "a state: `values` without `planned_values`".to_owned()
        } else {
            "no `planned_values`".to_owned()
        },
    })?;
    let mut resources = Vec::new();
    if let Some(root) = json::object(planned, "root_module", "planned_values")? {
        let mut walk = Walk {
            resources: &mut resources,
            count: 0,
        };
        walk.module(root, "planned_values.root_module", 0)?;
    }
    let changes = read_changes(plan)?;
    let (unplanned, undescribed) = unplanned(plan, &resources)?;
    resources.extend(unplanned);
    let reader = Reader {
        configuration: Configuration::new(plan),
        changes,
    };

    let mut stack = Stack {
        file: file.to_owned(),
        kind: InputKind::TerraformPlan,
        distributions: Vec::new(),
        certificates: Vec::new(),
        unresolved: undescribed,
    };
    // Certificates first: distributions are bound to them.
    let mut regions = BTreeMap::new();
    for resource in resources.iter().filter(|r| r.kind == CERTIFICATE_TYPE) {
        if reader.is_removed(resource) {
            continue;
        }
        let (certificate, region) = reader.certificate(resource, &mut stack.unresolved)?;
        regions.insert(certificate.resource.clone(), region);
        stack.certificates.push(certificate);
    }
    let declared: BTreeSet<String> = regions.keys().cloned().collect();
    for resource in resources.iter().filter(|r| r.kind == DISTRIBUTION_TYPE) {
        if reader.is_removed(resource) {
            continue;
        }
        let distribution =
            reader.distribution(resource, &declared, &regions, &mut stack.unresolved)?;
        stack.distributions.push(distribution);
    }
    Ok(stack)
}

/// Refuses a format whose major version is not 1 (the format's own rule for readers).
fn check_format_version(plan: &Object) -> Result<(), PlanError> {
    let Some(version) = plan.get("format_version") else {
        return Err(PlanError::NotAPlan {
            found: "no `format_version`".to_owned(),
        });
    };
    let Some(version) = version.as_str() else {
        return Err(json::wrong_type(
            "format_version".to_owned(),
            "a string",
            version,
        ));
    };
    if version.split('.').next() == Some("1") {
        Ok(())
    } else {
        Err(PlanError::UnsupportedFormatVersion {
            version: version.chars().take(16).collect(),
        })
    }
}

/// One resource of `planned_values` of a type this reader reads.
struct Planned<'a> {
    /// Its address (`module.cdn.aws_cloudfront_distribution.site["www"]`).
    address: &'a str,
    /// Its type.
    kind: &'a str,
    /// Its name within the module.
    name: &'a str,
    /// The module instance holding it.
    scope: Scope,
    /// Its planned values.
    values: &'a Object,
    /// The JSON path of its values, for errors.
    path: String,
}

impl Planned<'_> {
    /// The instance key (`[0]`, `["www"]`), or empty.
    fn key(&self) -> &str {
        let base = self.scope.resource(&format!("{}.{}", self.kind, self.name));
        self.address.strip_prefix(base.as_str()).unwrap_or("")
    }
}

/// The walk over `planned_values` modules, with its bounds.
struct Walk<'a, 'p> {
    resources: &'p mut Vec<Planned<'a>>,
    count: usize,
}

impl<'a> Walk<'a, '_> {
    fn module(&mut self, module: &'a Object, path: &str, depth: usize) -> Result<(), PlanError> {
        if depth > MAX_MODULE_DEPTH {
            return Err(PlanError::TooMany {
                what: "levels of nested modules",
                limit: MAX_MODULE_DEPTH,
            });
        }
        let module_address = json::string(module, "address", path)?.unwrap_or("");
        let scope = Scope::parse(module_address).ok_or_else(|| PlanError::BadAddress {
            path: json::join(path, "address"),
            address: module_address.chars().take(80).collect(),
        })?;
        let resources = json::array(module, "resources", path)?.unwrap_or_default();
        for (index, resource) in resources.iter().enumerate() {
            self.count += 1;
            if self.count > MAX_RESOURCES {
                return Err(PlanError::TooMany {
                    what: "resources",
                    limit: MAX_RESOURCES,
                });
            }
            let path = format!("{path}.resources[{index}]");
            let resource = json::as_object(resource, &path)?;
            if let Some(planned) = planned(resource, &scope, path)? {
                self.resources.push(planned);
            }
        }
        let children = json::array(module, "child_modules", path)?.unwrap_or_default();
        for (index, child) in children.iter().enumerate() {
            let child_path = format!("{path}.child_modules[{index}]");
            self.module(json::as_object(child, &child_path)?, &child_path, depth + 1)?;
        }
        Ok(())
    }
}

/// The distributions and certificates `resource_changes` creates, updates or replaces that
/// `planned_values` does not hold (a plan cut or edited by hand): read from the change's `after`,
/// which is what `planned_values` would say. Without an `after` object, what the change proposes
/// is unknown: an [`Unresolved`] says so.
fn unplanned<'a>(
    plan: &'a Object,
    planned: &[Planned<'a>],
) -> Result<(Vec<Planned<'a>>, Vec<Unresolved>), PlanError> {
    let known: BTreeSet<&str> = planned.iter().map(|r| r.address).collect();
    let mut found = Vec::new();
    let mut undescribed = Vec::new();
    let entries = json::array(plan, "resource_changes", "")?.unwrap_or_default();
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("resource_changes[{index}]");
        let entry = json::as_object(entry, &path)?;
        let kind = json::string(entry, "type", &path)?.unwrap_or("");
        let mode = json::string(entry, "mode", &path)?.unwrap_or("managed");
        let deposed = entry.get("deposed").is_some_and(|d| !d.is_null());
        if deposed || mode != "managed" || (kind != DISTRIBUTION_TYPE && kind != CERTIFICATE_TYPE) {
            continue;
        }
        let address = required_address(entry, "address", &path)?;
        if known.contains(address) {
            continue;
        }
        let change_path = json::join(&path, "change");
        let Some(change) = json::object(entry, "change", &path)? else {
            continue;
        };
        let actions: Vec<&str> = json::array(change, "actions", &change_path)?
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let action = match change_of(&actions) {
            Some(Some(Change::Create)) => "create",
            Some(Some(Change::Update)) => "update",
            Some(Some(Change::Replace)) => "replace",
            _ => continue,
        };
        let after_path = json::join(&change_path, "after");
        let Some(values) = json::object(change, "after", &change_path)?.filter(|v| !v.is_empty())
        else {
            undescribed.push(Unresolved {
                resource: address.to_owned(),
                property: "resource_changes".to_owned(),
                reason: PlanError::ChangeNotPlanned {
                    address: crate::untrusted::cap(address, crate::untrusted::TEXT_CHARS),
                    action,
                }
                .to_string(),
                unchecked: "everything about this resource".to_owned(),
                at: None,
            });
            continue;
        };
        let module = json::string(entry, "module_address", &path)?.unwrap_or("");
        let scope = Scope::parse(module).ok_or_else(|| PlanError::BadAddress {
            path: json::join(&path, "module_address"),
            address: module.chars().take(80).collect(),
        })?;
        found.push(Planned {
            address,
            kind,
            name: required_address(entry, "name", &path)?,
            scope,
            values,
            path: after_path,
        });
    }
    Ok((found, undescribed))
}

/// A managed distribution or certificate of `planned_values`; `None` for anything else.
fn planned<'a>(
    resource: &'a Object,
    scope: &Scope,
    path: String,
) -> Result<Option<Planned<'a>>, PlanError> {
    let kind = json::string(resource, "type", &path)?.unwrap_or("");
    let mode = json::string(resource, "mode", &path)?.unwrap_or("managed");
    if mode != "managed" || (kind != DISTRIBUTION_TYPE && kind != CERTIFICATE_TYPE) {
        return Ok(None);
    }
    let address = required_address(resource, "address", &path)?;
    let name = required_address(resource, "name", &path)?;
    let values_path = json::join(&path, "values");
    let values = match resource.get("values") {
        Some(values) => json::as_object(values, &values_path)?,
        None => {
            return Err(PlanError::WrongType {
                path: values_path,
                expected: "an object",
                found: "nothing",
            })
        }
    };
    Ok(Some(Planned {
        address,
        kind,
        name,
        scope: scope.clone(),
        values,
        path: values_path,
    }))
}

/// An address-like string a resource must have, bounded in length.
fn required_address<'a>(resource: &'a Object, key: &str, path: &str) -> Result<&'a str, PlanError> {
    match json::non_blank(resource, key, path)? {
        Some(text) if text.len() <= MAX_ADDRESS_BYTES => Ok(text),
        Some(text) => Err(PlanError::BadAddress {
            path: json::join(path, key),
            address: text.chars().take(80).collect(),
        }),
        None => Err(PlanError::WrongType {
            path: json::join(path, key),
            expected: "a string",
            found: "nothing",
        }),
    }
}

/// What `resource_changes` says of one resource.
struct Planning<'a> {
    /// `None`: the plan only deletes (or forgets) it, so it is not proposed.
    change: Option<Option<Change>>,
    /// `change.after_unknown`.
    after_unknown: Option<&'a Value>,
}

/// `resource_changes` of the two types read, by address; deposed objects (old instances being
/// destroyed) are left out.
fn read_changes(plan: &Object) -> Result<BTreeMap<&str, Planning<'_>>, PlanError> {
    let mut changes = BTreeMap::new();
    let entries = json::array(plan, "resource_changes", "")?.unwrap_or_default();
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("resource_changes[{index}]");
        let entry = json::as_object(entry, &path)?;
        let kind = json::string(entry, "type", &path)?.unwrap_or("");
        let deposed = entry
            .get("deposed")
            .is_some_and(|deposed| !deposed.is_null());
        if deposed || (kind != DISTRIBUTION_TYPE && kind != CERTIFICATE_TYPE) {
            continue;
        }
        let address = required_address(entry, "address", &path)?;
        let change_path = json::join(&path, "change");
        let Some(change) = json::object(entry, "change", &path)? else {
            continue;
        };
        let mut actions = Vec::new();
        for (at, action) in json::array(change, "actions", &change_path)?
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match action.as_str() {
                Some(action) => actions.push(action),
                None => {
                    return Err(json::wrong_type(
                        format!("{change_path}.actions[{at}]"),
                        "a string",
                        action,
                    ))
                }
            }
        }
        changes.insert(
            address,
            Planning {
                change: change_of(&actions),
                after_unknown: change.get("after_unknown"),
            },
        );
    }
    Ok(changes)
}

/// `change.actions` as a [`Change`]; `None` when the resource is only deleted or forgotten; an
/// action list this reader does not know is still checked, with no change named.
fn change_of(actions: &[&str]) -> Option<Option<Change>> {
    match actions {
        ["create"] => Some(Some(Change::Create)),
        ["update"] => Some(Some(Change::Update)),
        ["delete", "create"] | ["create", "delete"] => Some(Some(Change::Replace)),
        ["no-op"] | ["read"] => Some(Some(Change::NoOp)),
        ["delete"] | ["forget"] => None,
        _ => Some(None),
    }
}

/// What every resource is read with.
struct Reader<'a> {
    configuration: Configuration<'a>,
    changes: BTreeMap<&'a str, Planning<'a>>,
}

impl Reader<'_> {
    fn is_removed(&self, resource: &Planned<'_>) -> bool {
        self.changes
            .get(resource.address)
            .is_some_and(|planning| planning.change.is_none())
    }

    fn after_unknown(&self, resource: &Planned<'_>) -> Option<&Value> {
        self.changes
            .get(resource.address)
            .and_then(|planning| planning.after_unknown)
    }

    /// An `aws_acm_certificate`, with its region or the reason it is unknown.
    fn certificate(
        &self,
        resource: &Planned<'_>,
        unresolved: &mut Vec<Unresolved>,
    ) -> Result<(DeclaredCertificate, Result<String, String>), PlanError> {
        let values = resource.values;
        let domain_name = json::non_blank(values, "domain_name", &resource.path)?;
        let mut subject_alternative_names = Vec::new();
        let names_path = json::join(&resource.path, "subject_alternative_names");
        for (index, name) in json::array(values, "subject_alternative_names", &resource.path)?
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match name {
                Value::String(name) if !name.trim().is_empty() => {
                    subject_alternative_names.push(name.clone())
                }
                Value::String(_) | Value::Null => {}
                other => {
                    return Err(json::wrong_type(
                        format!("{names_path}[{index}]"),
                        "a string",
                        other,
                    ))
                }
            }
        }
        let markers = self.after_unknown(resource).and_then(Value::as_object);
        let unknown = |key: &str| {
            markers
                .and_then(|markers| markers.get(key))
                .is_some_and(|marker| {
                    marker == &Value::Bool(true)
                        || marker
                            .as_array()
                            .is_some_and(|items| items.contains(&Value::Bool(true)))
                })
        };
        let config = self
            .configuration
            .resource(&resource.scope, resource.kind, resource.name);
        let names_unknown = if domain_name.is_none() {
            Some("domain_name")
        } else if unknown("subject_alternative_names")
            // Without names of its own in the configuration, ACM lists the domain name alone: the
            // unknown attribute is only the provider computing it.
            && config
                .and_then(|config| config.get("expressions"))
                .and_then(Value::as_object)
                .is_some_and(|expressions| expressions.contains_key("subject_alternative_names"))
        {
            Some("subject_alternative_names")
        } else {
            None
        };
        if let Some(property) = names_unknown {
            unresolved.push(Unresolved {
                resource: resource.address.to_owned(),
                property: property.to_owned(),
                reason: "known after apply".to_owned(),
                unchecked: "whether the certificate covers the aliases".to_owned(),
                at: None,
            });
        }

        // The ARN of an existing certificate says where it is; then a per-resource `region` (AWS
        // provider v6, which overrides the provider's); then the provider configuration.
        let arn = json::non_blank(values, "arn", &resource.path)?;
        let region = match arn.and_then(acm_arn_region) {
            Some(region) => Ok(region.to_owned()),
            None => match json::non_blank(values, "region", &resource.path)? {
                Some(region) => Ok(region.to_owned()),
                None => match config
                    .and_then(|config| config.get("provider_config_key"))
                    .and_then(Value::as_str)
                {
                    Some(key) => self.configuration.provider_region(key),
                    None => Err(format!(
                        "the configuration does not say which provider creates `{}`",
                        resource.address
                    )),
                },
            },
        };
        let certificate = DeclaredCertificate {
            resource: resource.address.to_owned(),
            domain_name: domain_name.map(str::to_owned),
            subject_alternative_names,
            region: region.as_ref().ok().cloned(),
            key_algorithm: json::non_blank(values, "key_algorithm", &resource.path)?
                .map(str::to_owned),
            arn: arn.map(str::to_owned),
            at: None,
        };
        Ok((certificate, region))
    }

    /// An `aws_cloudfront_distribution`, bound to its certificate.
    fn distribution(
        &self,
        resource: &Planned<'_>,
        declared: &BTreeSet<String>,
        regions: &BTreeMap<String, Result<String, String>>,
        unresolved: &mut Vec<Unresolved>,
    ) -> Result<ProposedDistribution, PlanError> {
        let address = resource.address;
        let converted = blocks::distribution_config(
            resource.values,
            self.after_unknown(resource),
            &resource.path,
        )?;
        let mut distribution =
            distribution_from_value(&converted.config, address).map_err(|source| {
                PlanError::Distribution {
                    address: address.to_owned(),
                    source,
                }
            })?;
        distribution.id = address.to_owned();
        // An origin whose host is known only after apply has no name to probe.
        for origin in &mut distribution.origins {
            if origin.domain_name == KNOWN_AFTER_APPLY {
                origin.domain_name.clear();
            }
        }

        let mut arn_unknown = false;
        for value in &converted.unknown {
            if value.property == ACM_CERTIFICATE_ARN {
                arn_unknown = true;
                continue;
            }
            // The whole block unknown: its ARN is too, so it is followed like one (and the
            // distribution is never taken to use the default certificate).
            if value.property == VIEWER_CERTIFICATE {
                arn_unknown = true;
            }
            unresolved.push(Unresolved {
                resource: address.to_owned(),
                property: value.property.clone(),
                reason: "known after apply".to_owned(),
                unchecked: value.unchecked.to_owned(),
                at: None,
            });
        }

        let viewer_certificate = &distribution.viewer_certificate;
        let has_other_source = viewer_certificate.cloudfront_default_certificate == Some(true)
            || non_empty(&viewer_certificate.iam_certificate_id).is_some();
        let certificate = if let Some(arn) = non_empty(&viewer_certificate.acm_certificate_arn) {
            CertificateBinding::Arn(arn.to_owned())
        } else {
            let expression = self.configuration.acm_certificate_arn(
                &resource.scope,
                resource.kind,
                resource.name,
            );
            // A planned value without the ARN is followed when the plan marks it unknown, or when
            // the configuration sets it (a variable the planned values lack) and nothing else is set.
            if arn_unknown || (expression.is_some() && !has_other_source) {
                let followed = self.configuration.follow(
                    &resource.scope,
                    resource.key(),
                    expression,
                    declared,
                    0,
                );
                self.bind(address, followed, regions, &mut distribution, unresolved)
            } else {
                CertificateBinding::None
            }
        };

        Ok(ProposedDistribution {
            resource: address.to_owned(),
            change: self
                .changes
                .get(address)
                .and_then(|planning| planning.change.flatten()),
            distribution,
            certificate,
            places: Places::default(),
        })
    }

    /// The binding for a followed ACM ARN, with the `Unresolved` entries it leaves.
    fn bind(
        &self,
        address: &str,
        followed: Followed,
        regions: &BTreeMap<String, Result<String, String>>,
        distribution: &mut crate::model::Distribution,
        unresolved: &mut Vec<Unresolved>,
    ) -> CertificateBinding {
        let unresolved_arn = |reason: String, unchecked: &str| Unresolved {
            resource: address.to_owned(),
            property: ACM_CERTIFICATE_ARN.to_owned(),
            reason,
            unchecked: unchecked.to_owned(),
            at: None,
        };
        match followed {
            Followed::Declared(certificate) => {
                if let Some(Err(reason)) = regions.get(&certificate) {
                    unresolved.push(unresolved_arn(
                        format!("the region of `{certificate}` is unknown: {reason}"),
                        REGION_UNCHECKED,
                    ));
                }
                CertificateBinding::Declared(certificate)
            }
            Followed::Arn(arn) => {
                distribution.viewer_certificate.acm_certificate_arn = Some(arn.clone());
                CertificateBinding::Arn(arn)
            }
            Followed::Unresolved(reason) => {
                unresolved.push(unresolved_arn(
                    format!("known after apply: {reason}"),
                    ACM_ARN_UNCHECKED,
                ));
                CertificateBinding::Unresolved
            }
        }
    }
}
