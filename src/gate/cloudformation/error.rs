//! Why a template (or a `--parameters` file) could not be read: always with `file:line:column` and
//! what to do about it. A template comes from a pull request, so every refusal is an error, never a
//! panic, and never a silent pass.

use thiserror::Error;

use crate::gate::Position;
use crate::intake::ConfigError;

/// A template that could not be read, and where.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{file}:{}:{}: {fault}", at.line, at.column)]
pub struct TemplateError {
    /// The file as the user named it.
    pub file: String,
    /// Where the fault is (1:1 when it concerns the whole file).
    pub at: Position,
    /// What is wrong.
    pub fault: TemplateFault,
}

/// What is wrong with a template. Every variant says what to do about it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TemplateFault {
    /// Over [`MAX_TEMPLATE_BYTES`](super::limits::MAX_TEMPLATE_BYTES); refused before parsing.
    #[error(
        "the file is {size} bytes, over the {limit}-byte limit; CloudFormation itself takes at most \
         1 MB from S3, so pass the template, not an archive or a log"
    )]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not YAML (nor JSON).
    #[error("not valid YAML or JSON: {message}; fix the syntax there")]
    Syntax {
        /// The parser's description.
        message: String,
    },
    /// More than one YAML document (`---`) in the file.
    #[error("a second YAML document starts here; a template is one document, so split the file")]
    SeveralDocuments,
    /// Nested deeper than [`MAX_DEPTH`](super::limits::MAX_DEPTH).
    #[error(
        "nested deeper than {limit} levels; no CloudFormation template needs that, so flatten it"
    )]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// YAML aliases (`*anchor`) expand past the bounds (a "billion laughs" document).
    #[error(
        "YAML aliases expand the template past {nodes} nodes or {bytes} bytes of text; write the \
         repeated values out, or use fewer nested aliases"
    )]
    TooLargeExpanded {
        /// The node limit.
        nodes: usize,
        /// The text limit in bytes.
        bytes: usize,
    },
    /// An alias names an anchor not defined before it.
    #[error("this alias names no anchor defined before it; define the anchor (`&name`) first")]
    UnknownAnchor,
    /// The same key twice in one mapping; CloudFormation rejects the template.
    #[error(
        "key {key:?} is already set at line {first_line}, column {first_column}; CloudFormation \
         rejects duplicate keys, so keep one"
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// Line of the first occurrence.
        first_line: u32,
        /// Column of the first occurrence.
        first_column: u32,
    },
    /// A mapping key that is a list or a mapping.
    #[error("a key must be a plain string, not {found}; CloudFormation keys are names")]
    NonStringKey {
        /// What the key is.
        found: &'static str,
    },
    /// A tag other than CloudFormation's intrinsic functions and YAML's core ones.
    #[error(
        "unknown tag {tag}; CloudFormation accepts only its intrinsic functions (!Ref, !Sub, \
         !GetAtt, !If, !Join, …), so correct the name or write the function's long form"
    )]
    UnknownTag {
        /// The tag as written.
        tag: String,
    },
    /// The top level is not a template.
    #[error("{what}; a CloudFormation template is a mapping with a `Resources` mapping at its top level")]
    NotATemplate {
        /// What the top level lacks or is.
        what: String,
    },
    /// Malformed CloudFormation: an intrinsic function with the wrong arguments, a resource without
    /// `Type`… CloudFormation would reject it too.
    #[error("{what}; CloudFormation rejects this template, so correct it")]
    Malformed {
        /// What is wrong, in CloudFormation's terms.
        what: String,
    },
    /// The resolved `DistributionConfig` is not one CloudFront accepts.
    #[error("resource {resource}: {source}")]
    Distribution {
        /// The logical id.
        resource: String,
        /// What the DistributionConfig reader found.
        source: Box<ConfigError>,
    },
    /// The `--parameters` file is not one of the accepted shapes.
    #[error(
        "{what}; pass CloudFormation parameter JSON: [{{\"ParameterKey\": \"Name\", \
         \"ParameterValue\": \"value\"}}], {{\"Parameters\": {{\"Name\": \"value\"}}}} or \
         [\"Name=value\"]"
    )]
    Parameters {
        /// What is wrong.
        what: String,
    },
}

impl TemplateError {
    /// A fault at `at` in `file`.
    pub(crate) fn new(file: &str, at: Position, fault: TemplateFault) -> TemplateError {
        TemplateError {
            file: file.to_owned(),
            at,
            fault,
        }
    }
}

/// A fault and where, before the file name is attached (the parser and resolver do not know it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    /// Where.
    pub(crate) at: Position,
    /// What.
    pub(crate) fault: TemplateFault,
}

impl Fault {
    /// A malformed construct at `at`.
    pub(crate) fn malformed(at: Position, what: impl Into<String>) -> Fault {
        Fault {
            at,
            fault: TemplateFault::Malformed { what: what.into() },
        }
    }

    /// The error, in `file`.
    pub(crate) fn in_file(self, file: &str) -> TemplateError {
        TemplateError::new(file, self.at, self.fault)
    }
}

/// The start of the file, for faults about the file as a whole.
pub(crate) const START: Position = Position { line: 1, column: 1 };

/// Template text quoted in a message: escaped and capped like every untrusted name.
pub(crate) fn echo(text: &str) -> String {
    crate::untrusted::cap(text, crate::untrusted::NAME_CHARS)
}
