//! The uploaded body and chain of an imported ACM or IAM certificate, parsed into the model.

use crate::model::{Certificate, CertificateDetails};
use crate::x509::parse_pem_bundle;

/// A parsed body and chain.
#[derive(Debug, Default)]
pub(crate) struct PemContents {
    /// The first certificate of the body.
    pub leaf: Option<CertificateDetails>,
    /// The chain, in uploaded order.
    pub chain: Vec<CertificateDetails>,
    /// Why some of it could not be read.
    pub errors: Vec<String>,
}

impl PemContents {
    /// Parses a body (one certificate) and an optional chain (any number).
    pub fn parse(body: &str, chain: Option<&str>) -> PemContents {
        let mut contents = PemContents::default();
        let mut body_certificates = parse_pem_bundle(body).into_iter();
        match body_certificates.next() {
            Some(Ok(leaf)) => contents.leaf = Some(leaf),
            Some(Err(err)) => contents.errors.push(format!("certificate body: {err}")),
            None => contents
                .errors
                .push("certificate body: no PEM certificate found".to_owned()),
        }
        let extra = body_certificates.count();
        if extra > 0 {
            contents.errors.push(format!(
                "certificate body: {extra} extra certificate(s) after the first were ignored"
            ));
        }
        for parsed in chain.map(parse_pem_bundle).unwrap_or_default() {
            match parsed {
                Ok(details) => contents.chain.push(details),
                Err(err) => contents.errors.push(format!("certificate chain: {err}")),
            }
        }
        contents
    }

    /// Stores the parsed certificates; the leaf's own key wins over what the service said.
    pub fn apply(self, certificate: &mut Certificate) {
        if let Some(leaf) = &self.leaf {
            certificate.key = Some(leaf.key.clone());
            if certificate.serial.is_none() {
                certificate.serial = Some(leaf.serial.clone());
            }
        }
        certificate.leaf = self.leaf;
        certificate.chain = self.chain;
        certificate.chain_parse_errors.extend(self.errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_an_error_not_a_panic() {
        let contents = PemContents::parse("", Some("garbage"));
        assert!(contents.leaf.is_none());
        assert!(contents.chain.is_empty());
        assert_eq!(contents.errors.len(), 1);
    }
}
