//! IAM server certificates: ListServerCertificates (id → name), then GetServerCertificate.

use super::pagination::{Markers, NextPage};
use std::collections::HashMap;

use aws_sdk_iam::types::ServerCertificateMetadata;

use super::clients::CallLimits;
use super::failure::CallError;
use super::pem::PemContents;
use super::smithy_time;
use crate::model::{
    Certificate, CertificateLookup, CertificateRef, CertificateSource, ReadFailure,
};

/// IAM action names of the calls in this file.
pub(crate) const LIST_SERVER_CERTIFICATES: &str = "iam:ListServerCertificates";
/// See [`LIST_SERVER_CERTIFICATES`].
pub(crate) const GET_SERVER_CERTIFICATE: &str = "iam:GetServerCertificate";

/// What ListServerCertificates said about one certificate.
#[derive(Debug, Clone)]
pub(crate) struct ServerCertificateEntry {
    /// `ServerCertificateName`: GetServerCertificate takes the name, distributions name the id.
    pub name: String,
    /// `Expiration`.
    pub expiration: Option<time::OffsetDateTime>,
}

/// `ServerCertificateId` → entry, for every server certificate in the account (all paths: a
/// certificate uploaded outside `/cloudfront/` is still worth finding and reporting).
pub(crate) async fn list_all(
    client: &aws_sdk_iam::Client,
    limits: &CallLimits,
) -> Result<HashMap<String, ServerCertificateEntry>, ReadFailure> {
    let mut entries = HashMap::new();
    let mut marker: Option<String> = None;
    let mut markers = Markers::default();
    loop {
        let output = limits
            .send(
                client
                    .list_server_certificates()
                    .set_marker(marker.clone())
                    .send(),
            )
            .await
            .map_err(|error| {
                error.into_failure(
                    LIST_SERVER_CERTIFICATES,
                    "the IAM server certificates",
                    None,
                )
            })?;
        for metadata in output.server_certificate_metadata_list() {
            entries.insert(metadata.server_certificate_id().to_owned(), entry(metadata));
        }
        match markers.after(output.is_truncated(), output.marker()) {
            NextPage::At(next) => marker = Some(next),
            NextPage::Done => break,
            // A listing that cannot end is incomplete, never taken as the whole list.
            NextPage::Stuck => {
                return Err(
                    CallError::invalid_response("Marker that advances").into_failure(
                        LIST_SERVER_CERTIFICATES,
                        "the IAM server certificates",
                        None,
                    ),
                )
            }
        }
    }
    Ok(entries)
}

fn entry(metadata: &ServerCertificateMetadata) -> ServerCertificateEntry {
    ServerCertificateEntry {
        name: metadata.server_certificate_name().to_owned(),
        expiration: metadata.expiration().and_then(smithy_time),
    }
}

/// Reads one server certificate by id, given the listing. Never fails.
pub(crate) async fn lookup(
    client: &aws_sdk_iam::Client,
    listing: &Result<HashMap<String, ServerCertificateEntry>, ReadFailure>,
    id: &str,
    limits: &CallLimits,
) -> CertificateLookup {
    let entries = match listing {
        Ok(entries) => entries,
        Err(failure) => {
            let mut failure = failure.clone();
            failure.resource = id.to_owned();
            return CertificateLookup::Failed(failure);
        }
    };
    let Some(listed) = entries.get(id) else {
        return CertificateLookup::NotFound {
            reason: format!("no IAM server certificate has the id {id}"),
        };
    };
    read_named(
        client,
        &listed.name,
        CertificateRef::Iam(id.to_owned()),
        listed.expiration,
        limits,
    )
    .await
}

/// Reads one server certificate by its ARN (`arn:PARTITION:iam::ACCOUNT:server-certificate/PATH/NAME`,
/// as a load balancer listener names it): the name is the ARN's last segment, so no listing is needed.
pub(crate) async fn lookup_by_arn(
    client: &aws_sdk_iam::Client,
    arn: &str,
    limits: &CallLimits,
) -> CertificateLookup {
    let name = arn
        .split_once(":server-certificate/")
        .and_then(|(_, path)| path.rsplit('/').next())
        .filter(|name| !name.is_empty());
    match name {
        Some(name) => {
            read_named(
                client,
                name,
                CertificateRef::Iam(arn.to_owned()),
                None,
                limits,
            )
            .await
        }
        None => CertificateLookup::NotFound {
            reason: format!("{arn} is not an IAM server certificate ARN"),
        },
    }
}

/// GetServerCertificate by name, recorded under `reference`.
async fn read_named(
    client: &aws_sdk_iam::Client,
    name: &str,
    reference: CertificateRef,
    listed_expiration: Option<time::OffsetDateTime>,
    limits: &CallLimits,
) -> CertificateLookup {
    let id = reference.id().to_owned();
    let id = id.as_str();
    let output = match limits
        .send(
            client
                .get_server_certificate()
                .server_certificate_name(name)
                .send(),
        )
        .await
    {
        Ok(output) => output,
        Err(error) => {
            return if error.is_not_found() {
                CertificateLookup::NotFound {
                    reason: error.message,
                }
            } else {
                CertificateLookup::Failed(error.into_failure(GET_SERVER_CERTIFICATE, id, None))
            };
        }
    };
    let Some(server_certificate) = output.server_certificate() else {
        return CertificateLookup::Failed(
            CallError::invalid_response("ServerCertificate").into_failure(
                GET_SERVER_CERTIFICATE,
                id,
                None,
            ),
        );
    };
    let expiration = server_certificate
        .server_certificate_metadata()
        .and_then(|m| m.expiration())
        .and_then(smithy_time)
        .or(listed_expiration);
    let contents = PemContents::parse(
        server_certificate.certificate_body(),
        server_certificate.certificate_chain(),
    );
    let mut certificate = Certificate {
        reference,
        source: CertificateSource::Iam,
        domain_name: contents.leaf.as_ref().and_then(|l| l.common_name.clone()),
        subject_alternative_names: contents
            .leaf
            .as_ref()
            .map(|l| l.dns_names.clone())
            .unwrap_or_default(),
        status: None,
        serial: contents.leaf.as_ref().map(|l| l.serial.clone()),
        not_before: contents.leaf.as_ref().map(|l| l.not_before),
        // The body is the truth; IAM's Expiration is derived from it (and constant in the emulator).
        not_after: contents.leaf.as_ref().map(|l| l.not_after).or(expiration),
        key: None,
        renewal_eligibility: None,
        renewal: None,
        domain_validation: Vec::new(),
        in_use_by: Vec::new(),
        leaf: None,
        chain: Vec::new(),
        chain_parse_errors: Vec::new(),
        body_read_failure: None,
    };
    contents.apply(&mut certificate);
    CertificateLookup::Found(Box::new(certificate))
}
