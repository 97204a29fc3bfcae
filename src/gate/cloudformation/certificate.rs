//! One `AWS::CertificateManager::Certificate`: the names it will cover, known before it exists, and
//! its region, which a template does not have: it is the stack's, given with `--region`.

use super::resolve::{Resolved, Why};
use crate::gate::{DeclaredCertificate, Position, Unresolved};

/// What the certificate's names decide, for its `Unresolved` entries.
const UNCHECKED_NAMES: &str = "whether the certificate covers the distributions' aliases";

/// Reads a declared certificate from its resolved `Properties`, with what could not be known.
pub(crate) fn read(
    resource: &str,
    resource_at: Position,
    properties: &Resolved,
    region: Option<&str>,
) -> (DeclaredCertificate, Vec<Unresolved>) {
    let mut unresolved = Vec::new();
    let mut record = |property: String, why: &Why, unchecked: &str| {
        unresolved.push(Unresolved {
            resource: resource.to_owned(),
            property,
            reason: why.reason.clone(),
            unchecked: unchecked.to_owned(),
            at: Some(why.at),
        })
    };
    let domain_name = match properties.field("DomainName") {
        Some(field) => match &field.value {
            Resolved::Text(name) => Some(name.clone()),
            Resolved::Unknown(why) => {
                record("DomainName".to_owned(), why, UNCHECKED_NAMES);
                None
            }
            _ => None,
        },
        None => None,
    };
    let mut subject_alternative_names = Vec::new();
    if let Some(field) = properties.field("SubjectAlternativeNames") {
        match &field.value {
            Resolved::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    match &item.value {
                        Resolved::Text(name) => subject_alternative_names.push(name.clone()),
                        Resolved::Unknown(why) => record(
                            format!("SubjectAlternativeNames[{index}]"),
                            why,
                            UNCHECKED_NAMES,
                        ),
                        _ => {}
                    }
                }
            }
            Resolved::Unknown(why) => {
                record("SubjectAlternativeNames".to_owned(), why, UNCHECKED_NAMES)
            }
            _ => {}
        }
    }
    if region.is_none() {
        record(
            "(stack region)".to_owned(),
            &Why {
                reason: "a template has no region of its own: the certificate is created in the \
                         stack's region, not given (pass --region)"
                    .to_owned(),
                at: resource_at,
                partial: None,
            },
            "whether the certificate is in us-east-1, where CloudFront requires it",
        );
    }
    (
        DeclaredCertificate {
            resource: resource.to_owned(),
            domain_name,
            subject_alternative_names,
            region: region.map(str::to_owned),
            key_algorithm: match properties.field("KeyAlgorithm").map(|f| &f.value) {
                Some(Resolved::Text(algorithm)) => Some(algorithm.clone()),
                Some(Resolved::Unknown(why)) => {
                    record(
                        "KeyAlgorithm".to_owned(),
                        why,
                        "whether CloudFront accepts the certificate's key",
                    );
                    None
                }
                _ => None,
            },
            arn: None,
            at: Some(resource_at),
        },
        unresolved,
    )
}
