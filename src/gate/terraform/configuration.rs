//! The plan's `configuration` (the expressions as written, with their references) and `variables`:
//! where a value known only after apply comes from. An ACM certificate ARN created in the same plan
//! is unknown in the planned values, but its expression names the certificate resource
//! (`aws_acm_certificate.cert.arn`), directly or through a validation resource, a variable or a module
//! output; and a certificate's provider says its region.
//!
//! The configuration only helps: a part of it with an unexpected type is read as absent, which ends
//! as an `Unresolved` with the reason, never as a pass.

use std::collections::BTreeSet;

use serde_json::Value;

use super::address::{sources, Reference, Scope};
use super::json::Object;

/// The longest chain of references followed for one value (variable to module call to output to
/// validation resource to certificate is five): a cycle or a hostile plan stops here.
pub const MAX_REFERENCE_HOPS: usize = 16;

/// Where a certificate ARN known only after apply comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Followed {
    /// A certificate of the plan, by its address.
    Declared(String),
    /// A literal ARN, from a variable's value or a constant.
    Arn(String),
    /// Not knowable before apply, and why.
    Unresolved(String),
}

/// The parts of the plan that say where values come from.
pub(super) struct Configuration<'a> {
    /// `configuration.root_module`.
    root: Option<&'a Object>,
    /// `configuration.provider_config`.
    providers: Option<&'a Object>,
    /// The plan's `variables` (the root module's values).
    variables: Option<&'a Object>,
}

/// `map[key]` as an object, absent when it is anything else.
fn object<'a>(map: &'a Object, key: &str) -> Option<&'a Object> {
    map.get(key).and_then(Value::as_object)
}

/// A string that is set and not blank.
fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
}

impl<'a> Configuration<'a> {
    /// Reads the plan's `configuration` and `variables`; either may be absent.
    pub(super) fn new(plan: &'a Object) -> Self {
        let configuration = object(plan, "configuration");
        Configuration {
            root: configuration.and_then(|configuration| object(configuration, "root_module")),
            providers: configuration
                .and_then(|configuration| object(configuration, "provider_config")),
            variables: object(plan, "variables"),
        }
    }

    /// The configuration of a module instance (every instance of a call shares it).
    fn module(&self, scope: &Scope) -> Option<&'a Object> {
        scope.steps.iter().try_fold(self.root?, |module, step| {
            object(
                object(object(module, "module_calls")?, &step.name)?,
                "module",
            )
        })
    }

    /// The module call that made this module instance, in its caller's configuration.
    fn module_call(&self, scope: &Scope) -> Option<&'a Object> {
        let step = scope.steps.last()?;
        object(
            object(self.module(&scope.parent()?)?, "module_calls")?,
            &step.name,
        )
    }

    /// A managed resource's configuration, by its type and name within the module.
    pub(super) fn resource(&self, scope: &Scope, kind: &str, name: &str) -> Option<&'a Object> {
        self.module(scope)?
            .get("resources")?
            .as_array()?
            .iter()
            .filter_map(Value::as_object)
            .find(|resource| {
                text(resource.get("mode")) != Some("data")
                    && text(resource.get("type")) == Some(kind)
                    && text(resource.get("name")) == Some(name)
            })
    }

    /// The expression of a distribution's `viewer_certificate[0].acm_certificate_arn`.
    pub(super) fn acm_certificate_arn(
        &self,
        scope: &Scope,
        kind: &str,
        name: &str,
    ) -> Option<&'a Value> {
        let expressions = object(self.resource(scope, kind, name)?, "expressions")?;
        let viewer_certificate = expressions.get("viewer_certificate")?;
        // A block is written as a list of one object of expressions (older releases: the object).
        let viewer_certificate = match viewer_certificate {
            Value::Array(blocks) => blocks.first()?.as_object()?,
            other => other.as_object()?,
        };
        viewer_certificate.get("acm_certificate_arn")
    }

    /// The region of a provider configuration, by the `provider_config_key` a resource names; the
    /// reason when it cannot be known before apply.
    pub(super) fn provider_region(&self, key: &str) -> Result<String, String> {
        let provider = self
            .providers
            .and_then(|providers| object(providers, key))
            .ok_or_else(|| format!("the provider configuration `{key}` is not in the plan"))?;
        let Some(region) = object(provider, "expressions").and_then(|e| object(e, "region")) else {
            return Err(format!(
                "provider `{key}` sets no region, so it comes from the environment at apply \
                 (AWS_REGION, the profile)"
            ));
        };
        if let Some(region) = text(region.get("constant_value")) {
            return Ok(region.to_owned());
        }
        // `region = var.region` in the root module: the plan records the variable's value.
        let root_provider = text(provider.get("module_address")).is_none();
        match references(region).as_slice() {
            [(_, Reference::Variable(variable))] if root_provider => self
                .variable(variable)
                .map(str::to_owned)
                .ok_or_else(|| format!("provider `{key}` takes its region from `var.{variable}`, which has no value in the plan")),
            _ => Err(format!(
                "provider `{key}` computes its region from an expression the gate does not evaluate"
            )),
        }
    }

    /// The value of a root module variable, when it is a non-blank string.
    fn variable(&self, name: &str) -> Option<&'a str> {
        text(object(self.variables?, name)?.get("value"))
    }

    /// Follows an ARN expression of module instance `scope` (whose resource has instance key
    /// `own_key`, for `[count.index]` and `[each.key]`) to a certificate of `certificates`, a literal
    /// ARN, or the reason it cannot be known.
    pub(super) fn follow(
        &self,
        scope: &Scope,
        own_key: &str,
        expression: Option<&Value>,
        certificates: &BTreeSet<String>,
        hops: usize,
    ) -> Followed {
        if hops > MAX_REFERENCE_HOPS {
            return Followed::Unresolved(format!(
                "the value passes through more than {MAX_REFERENCE_HOPS} references"
            ));
        }
        let Some(expression) = expression.and_then(Value::as_object) else {
            return Followed::Unresolved(
                "the configuration does not show its expression (a dynamic block?)".to_owned(),
            );
        };
        if let Some(arn) = text(expression.get("constant_value")) {
            return Followed::Arn(arn.to_owned());
        }
        let sources = references(expression);
        let (written, source) = match sources.as_slice() {
            [] => {
                return Followed::Unresolved(
                    "its expression names nothing the plan records".to_owned(),
                )
            }
            [one] => one,
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|(written, _)| format!("`{written}`"))
                    .collect();
                return Followed::Unresolved(format!(
                    "it is computed from {}, which the gate does not evaluate",
                    names.join(" and ")
                ));
            }
        };
        match source {
            Reference::Variable(name) => self.follow_variable(scope, name, certificates, hops),
            Reference::Local(_) => Followed::Unresolved(format!(
                "`{written}` is a local value, which the plan does not record"
            )),
            Reference::Data(data) => {
                Followed::Unresolved(format!("`{data}` is a data source read only at apply"))
            }
            Reference::ModuleOutput {
                name,
                key,
                output: Some(output),
            } => {
                let child = scope.child(name, key);
                let expression = self
                    .module(&child)
                    .and_then(|module| object(module, "outputs"))
                    .and_then(|outputs| object(outputs, output))
                    .and_then(|output| output.get("expression"));
                match expression {
                    Some(expression) => {
                        self.follow(&child, "", Some(expression), certificates, hops + 1)
                    }
                    None => Followed::Unresolved(format!(
                        "the output `{written}` is not in the plan's configuration"
                    )),
                }
            }
            Reference::ModuleOutput { output: None, .. } => Followed::Unresolved(format!(
                "`{written}` is a whole module, not a certificate ARN"
            )),
            Reference::Resource {
                kind, name, key, ..
            } if kind == "aws_acm_certificate" => {
                find_certificate(scope, name, key, own_key, certificates)
            }
            Reference::Resource {
                kind, name, key, ..
            } if kind == "aws_acm_certificate_validation" => {
                let expression = self
                    .resource(scope, kind, name)
                    .and_then(|validation| object(validation, "expressions"))
                    .and_then(|expressions| expressions.get("certificate_arn"));
                let key = if key.is_empty() { own_key } else { key };
                self.follow(scope, key, expression, certificates, hops + 1)
            }
            Reference::Resource { .. } | Reference::Meta => Followed::Unresolved(format!(
                "`{written}` is an attribute of another resource, known after apply"
            )),
        }
    }

    /// `var.NAME` in module instance `scope`: the root's value from the plan, a module's from the
    /// expression its caller passes (or the variable's default).
    fn follow_variable(
        &self,
        scope: &Scope,
        name: &str,
        certificates: &BTreeSet<String>,
        hops: usize,
    ) -> Followed {
        let Some(parent) = scope.parent() else {
            return match self.variable(name) {
                Some(arn) => Followed::Arn(arn.to_owned()),
                None => Followed::Unresolved(format!("`var.{name}` has no value in the plan")),
            };
        };
        let passed = self
            .module_call(scope)
            .and_then(|call| object(call, "expressions"))
            .and_then(|expressions| expressions.get(name));
        if let Some(passed) = passed {
            let own_key = scope.steps.last().map_or("", |step| step.key.as_str());
            return self.follow(&parent, own_key, Some(passed), certificates, hops + 1);
        }
        let default = self
            .module(scope)
            .and_then(|module| object(module, "variables"))
            .and_then(|variables| object(variables, name))
            .and_then(|variable| text(variable.get("default")));
        match default {
            Some(arn) => Followed::Arn(arn.to_owned()),
            None => Followed::Unresolved(format!(
                "`var.{name}` of `{}` is given no value the plan records",
                scope.address()
            )),
        }
    }
}

/// The references of an expression object, parsed; entries that are not strings are skipped.
fn references(expression: &Object) -> Vec<(&str, Reference)> {
    let written: Vec<&str> = expression
        .get("references")
        .and_then(Value::as_array)
        .map(|references| references.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    sources(&written)
}

/// `aws_acm_certificate.NAME[KEY]` of module instance `scope` among the plan's certificates. A
/// reference without a key (`aws_acm_certificate.site.arn`, or one indexed by an expression such
/// as `count.index`, which the plan's references leave out) is the certificate without instances,
/// else the instance with the referring resource's own key (`own_key`, as `count.index` and
/// `each.key` give), else the only instance.
fn find_certificate(
    scope: &Scope,
    name: &str,
    key: &str,
    own_key: &str,
    certificates: &BTreeSet<String>,
) -> Followed {
    let base = scope.resource(&format!("aws_acm_certificate.{name}"));
    let candidates = if key.is_empty() {
        vec![base.clone(), format!("{base}{own_key}")]
    } else {
        vec![format!("{base}{key}")]
    };
    if let Some(found) = candidates.iter().find(|c| certificates.contains(*c)) {
        return Followed::Declared(found.clone());
    }
    let named = candidates.last().cloned().unwrap_or_default();
    let instances: Vec<&String> = certificates
        .iter()
        .filter(|address| *address == &base || address.starts_with(&format!("{base}[")))
        .collect();
    match instances.as_slice() {
        [only] if key.is_empty() => Followed::Declared((*only).clone()),
        [] => Followed::Unresolved(format!("`{named}` is not in the plan's planned values")),
        _ => Followed::Unresolved(format!(
            "`{base}` has several instances and the one used is chosen by an expression"
        )),
    }
}
