//! Terraform's addresses, read as text: a module instance (`module.cdn["eu"].module.edge`) and what a
//! reference in the configuration names (`aws_acm_certificate.cert[0].arn`, `var.cert_arn`,
//! `module.certs.arn`). Nothing is evaluated: an index written as an expression is not followed.

/// The longest address or reference read, in bytes: a real one is a few dozen characters.
pub const MAX_ADDRESS_BYTES: usize = 1024;

/// One step of a module instance path: `module.NAME` with its instance key (`[0]`, `["eu"]`, or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ModuleStep {
    /// The module call's name.
    pub(super) name: String,
    /// The instance key as written, brackets included; empty without `count` or `for_each`.
    pub(super) key: String,
}

/// A module instance: the root module, or a path of module calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Scope {
    /// From the root down.
    pub(super) steps: Vec<ModuleStep>,
}

impl Scope {
    /// Reads a module address as `planned_values` writes it (`""` for the root).
    pub(super) fn parse(address: &str) -> Option<Scope> {
        if address.len() > MAX_ADDRESS_BYTES {
            return None;
        }
        let mut steps = Vec::new();
        let mut segments = segments(address)?.into_iter().peekable();
        while let Some(segment) = segments.next() {
            let Segment::Name(module) = segment else {
                return None;
            };
            let Some(Segment::Name(name)) = segments.next() else {
                return None;
            };
            if module != "module" {
                return None;
            }
            let key = match segments.peek() {
                Some(Segment::Key(key)) => {
                    let key = key.clone();
                    segments.next();
                    key
                }
                _ => String::new(),
            };
            steps.push(ModuleStep { name, key });
        }
        Some(Scope { steps })
    }

    /// The module instance's address, `""` for the root.
    pub(super) fn address(&self) -> String {
        self.steps
            .iter()
            .map(|step| format!("module.{}{}", step.name, step.key))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A resource of this module instance by its address within the module.
    pub(super) fn resource(&self, relative: &str) -> String {
        if self.steps.is_empty() {
            relative.to_owned()
        } else {
            format!("{}.{relative}", self.address())
        }
    }

    /// The calling module instance; `None` for the root.
    pub(super) fn parent(&self) -> Option<Scope> {
        let (_, rest) = self.steps.split_last()?;
        Some(Scope {
            steps: rest.to_vec(),
        })
    }

    /// A module instance called from this one.
    pub(super) fn child(&self, name: &str, key: &str) -> Scope {
        let mut steps = self.steps.clone();
        steps.push(ModuleStep {
            name: name.to_owned(),
            key: key.to_owned(),
        });
        Scope { steps }
    }
}

/// What a reference names, as far as following a certificate ARN needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reference {
    /// `var.NAME`.
    Variable(String),
    /// `local.NAME`: the plan does not record locals.
    Local(String),
    /// `module.NAME[KEY].OUTPUT`.
    ModuleOutput {
        /// The module call.
        name: String,
        /// Its instance key as written, or empty.
        key: String,
        /// The output; `None` when the whole module object is referenced.
        output: Option<String>,
    },
    /// `data.TYPE.NAME…`, as written up to the name and key.
    Data(String),
    /// `TYPE.NAME[KEY].ATTRIBUTE`, a managed resource.
    Resource {
        /// The resource type (`aws_acm_certificate`).
        kind: String,
        /// The resource name.
        name: String,
        /// The instance key as written, or empty.
        key: String,
        /// The attribute (`arn`), if any.
        attribute: Option<String>,
    },
    /// `count.index`, `each.key`, `path.module`, `terraform.workspace`, `self`: they select or
    /// decorate, they never hold a certificate ARN.
    Meta,
}

impl Reference {
    /// Reads one entry of an expression's `references`; `None` when it is not a reference's shape.
    pub(super) fn parse(text: &str) -> Option<Reference> {
        if text.len() > MAX_ADDRESS_BYTES {
            return None;
        }
        let segments = segments(text)?;
        let name_at = |index: usize| match segments.get(index) {
            Some(Segment::Name(name)) => Some(name.clone()),
            _ => None,
        };
        let key_at = |index: usize| match segments.get(index) {
            Some(Segment::Key(key)) => key.clone(),
            _ => String::new(),
        };
        let first = name_at(0)?;
        Some(match first.as_str() {
            "count" | "each" | "path" | "terraform" | "self" => Reference::Meta,
            "var" => Reference::Variable(name_at(1)?),
            "local" => Reference::Local(name_at(1)?),
            "module" => {
                let name = name_at(1)?;
                let key = key_at(2);
                let output = name_at(if key.is_empty() { 2 } else { 3 });
                Reference::ModuleOutput { name, key, output }
            }
            "data" => {
                let (kind, name) = (name_at(1)?, name_at(2)?);
                Reference::Data(format!("data.{kind}.{name}{}", key_at(3)))
            }
            _ => {
                let name = name_at(1)?;
                let key = key_at(2);
                let attribute = name_at(if key.is_empty() { 2 } else { 3 });
                Reference::Resource {
                    kind: first,
                    name,
                    key,
                    attribute,
                }
            }
        })
    }
}

/// The references of an expression that say where its value comes from, each with its text:
/// Terraform lists each traversal with its prefixes (`aws_acm_certificate.cert.arn`,
/// `aws_acm_certificate.cert`), so a reference another one extends is dropped, and so are the meta
/// references.
pub(super) fn sources<'a>(references: &[&'a str]) -> Vec<(&'a str, Reference)> {
    let extended = |short: &str| {
        references.iter().any(|long| {
            long.len() > short.len()
                && long.starts_with(short)
                && matches!(long.as_bytes().get(short.len()), Some(b'.' | b'['))
        })
    };
    let mut sources: Vec<(&str, Reference)> = Vec::new();
    for reference in references {
        if extended(reference) {
            continue;
        }
        // A reference not in a reference's shape cannot be followed; it stays visible as a dead end
        // (like a local value) rather than being taken for a meta reference and dropped.
        let parsed = Reference::parse(reference)
            .unwrap_or_else(|| Reference::Local((*reference).to_owned()));
        if parsed != Reference::Meta && !sources.iter().any(|(_, known)| known == &parsed) {
            sources.push((reference, parsed));
        }
    }
    sources
}

/// One piece of an address: a name between dots, or an index in brackets (kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Name(String),
    Key(String),
}

/// Splits an address into names and bracketed keys; `None` when it is not an address's shape.
fn segments(text: &str) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut expect_name = true;
    while let Some(&(start, c)) = chars.peek() {
        match c {
            '.' if !expect_name => {
                chars.next();
                expect_name = true;
            }
            '[' => {
                let mut in_string = false;
                let mut escaped = false;
                let mut end = None;
                chars.next();
                for (index, c) in chars.by_ref() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' if in_string => escaped = true,
                        '"' => in_string = !in_string,
                        ']' if !in_string => {
                            end = Some(index);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end?;
                segments.push(Segment::Key(text[start..=end].to_owned()));
                expect_name = false;
            }
            c if expect_name && (c.is_alphanumeric() || c == '_' || c == '-') => {
                let mut end = start;
                while let Some(&(index, c)) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '-' {
                        end = index + c.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                segments.push(Segment::Name(text[start..end].to_owned()));
                expect_name = false;
            }
            _ => return None,
        }
    }
    (!expect_name || segments.is_empty()).then_some(segments)
}
