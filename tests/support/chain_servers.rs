//! Loopback origins with hostile or misleading certificate chains (issue 10): oversized chains, an
//! adversarial flight of certificates sharing one issuer name, a private CA, and leaves sent alone
//! under a public or an unknown issuer name. All served by rustls ([`super::tls_servers`]).

use std::net::SocketAddr;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::tls_servers::rustls_server;

/// A CA to sign with: its parameters, key and certificate (PEM).
pub struct ChainCa {
    params: CertificateParams,
    key: KeyPair,
    /// The CA's certificate.
    pub pem: String,
    /// The same, DER.
    pub der: Vec<u8>,
}

impl ChainCa {
    /// A CA with subject `name`, self-signed or signed by `parent`.
    pub fn new(name: DistinguishedName, parent: Option<&ChainCa>) -> ChainCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let cert = match parent {
            Some(p) => params
                .signed_by(&key, &Issuer::from_params(&p.params, &p.key))
                .expect("CA signed"),
            None => params.self_signed(&key).expect("CA self-signed"),
        };
        ChainCa {
            pem: cert.pem(),
            der: cert.der().to_vec(),
            params,
            key,
        }
    }

    /// A CA whose subject is just this CN.
    pub fn named(cn: &str, parent: Option<&ChainCa>) -> ChainCa {
        ChainCa::new(printable_dn(&[(DnType::CommonName, cn)]), parent)
    }

    /// A leaf for `names` signed by this CA: (certificate PEM, key PEM).
    pub fn leaf(&self, names: &[&str]) -> (String, String) {
        let (cert, key) = self.issue(names);
        (cert.pem(), key.serialize_pem())
    }

    /// A leaf for `names` signed by this CA, DER.
    pub fn leaf_der(&self, names: &[&str]) -> Vec<u8> {
        self.issue(names).0.der().to_vec()
    }

    /// A CA named `cn` signed by this one but not kept for signing: its DER.
    pub fn sub_ca_der(&self, cn: &str) -> Vec<u8> {
        ChainCa::named(cn, Some(self)).der
    }

    fn issue(&self, names: &[&str]) -> (rcgen::Certificate, KeyPair) {
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("leaf params");
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .expect("leaf");
        (cert, key)
    }
}

/// A Name of PrintableStrings, in this order (as public CAs encode theirs, so that the bytes, and
/// so the CCADB list's hash, match).
pub fn printable_dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in parts {
        let printable = (*value).to_owned().try_into().expect("printable string");
        name.push(kind.clone(), DnValue::PrintableString(printable));
    }
    name
}

/// The subject of Let's Encrypt's R11 intermediate, a public CA in the CCADB list.
pub fn lets_encrypt_r11() -> DistinguishedName {
    printable_dn(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "Let's Encrypt"),
        (DnType::CommonName, "R11"),
    ])
}

/// Serves a leaf for `host` followed by `copies` copies of its intermediate: more certificates
/// than s2n-tls accepts when `copies` is 7 or more.
pub async fn oversized_chain_server(host: &str, copies: usize) -> SocketAddr {
    let root = ChainCa::named("Oversized Root", None);
    let intermediate = ChainCa::named("Oversized Intermediate", Some(&root));
    let (leaf, key) = intermediate.leaf(&[host]);
    let mut chain = vec![leaf];
    chain.extend(std::iter::repeat_n(intermediate.pem.clone(), copies));
    rustls_server(&chain, &key).await
}

/// Serves the issue's adversarial first flight: a leaf for `host`, then small certificates that all
/// name the same issuer, until the Certificate message reaches about `bytes` (200 KB in the issue,
/// inside the probe's 256 KiB byte budget). Returns the address and how many certificates it sends.
pub async fn shared_issuer_flight_server(host: &str, bytes: usize) -> (SocketAddr, usize) {
    let issuer = ChainCa::named("Flood Issuer", None);
    let (leaf, key) = issuer.leaf(&[host]);
    let mut chain = vec![leaf];
    let mut total = 0usize;
    let mut i = 0usize;
    while total < bytes {
        let (pem, _) = issuer.leaf(&[&format!("f{i}.x")]);
        // DER is about three quarters of the PEM body.
        total += pem.len() * 3 / 4 + 3;
        chain.push(pem);
        i += 1;
    }
    let count = chain.len();
    (rustls_server(&chain, &key).await, count)
}

/// Serves a leaf for `host` and its intermediate, both from a private CA whose root is not sent.
pub async fn private_ca_server(host: &str) -> SocketAddr {
    let root = ChainCa::named("Corp Internal Root CA", None);
    let intermediate = ChainCa::named("Corp Internal Issuing CA", Some(&root));
    let (leaf, key) = intermediate.leaf(&[host]);
    rustls_server(&[leaf, intermediate.pem.clone()], &key).await
}

/// Serves a leaf for `host` alone, issued by a CA named `issuer` (itself under a throwaway root).
pub async fn lone_leaf_server(host: &str, issuer: DistinguishedName) -> SocketAddr {
    let root = ChainCa::named("Lone Leaf Root", None);
    let issuing = ChainCa::new(issuer, Some(&root));
    let (leaf, key) = issuing.leaf(&[host]);
    rustls_server(&[leaf], &key).await
}
