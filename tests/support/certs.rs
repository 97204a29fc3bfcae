//! A certificate factory for tests (rcgen, ring backend).
//!
//! ring cannot generate RSA keys, so RSA keys come from the committed test-only fixtures
//! `tests/fixtures/keys/rsa{2048,3072,4096}.pem`; EC keys are generated. Every leaf is issued by a
//! fresh test CA, through as many intermediates as asked, unless it is self-signed.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
};
use ring::rand::{SecureRandom, SystemRandom};
use time::{Duration, OffsetDateTime};

/// The key of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// RSA 2048 (fixture).
    Rsa2048,
    /// RSA 3072 (fixture).
    Rsa3072,
    /// RSA 4096 (fixture).
    Rsa4096,
    /// ECDSA P-256 (generated).
    EcP256,
    /// ECDSA P-384 (generated).
    EcP384,
}

impl KeySpec {
    /// A key pair of this kind.
    pub fn key_pair(self) -> KeyPair {
        let fixture = |name: &str| {
            let path = format!(
                "{}/tests/fixtures/keys/{name}.pem",
                env!("CARGO_MANIFEST_DIR")
            );
            let pem = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            KeyPair::from_pem(&pem).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        match self {
            KeySpec::Rsa2048 => fixture("rsa2048"),
            KeySpec::Rsa3072 => fixture("rsa3072"),
            KeySpec::Rsa4096 => fixture("rsa4096"),
            KeySpec::EcP256 => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("P-256 key"),
            KeySpec::EcP384 => KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).expect("P-384 key"),
        }
    }
}

/// PEM output of the factory.
#[derive(Debug, Clone)]
pub struct IssuedCert {
    /// The leaf certificate.
    pub cert_pem: String,
    /// The leaf's private key (PKCS#8).
    pub key_pem: String,
    /// Intermediates, the one that signed the leaf first; the root is not included.
    pub chain: Vec<String>,
    /// The root CA certificate (the leaf itself when self-signed).
    pub root_pem: String,
}

impl IssuedCert {
    /// The chain as one PEM bundle, in `chain` order.
    pub fn chain_pem(&self) -> String {
        self.chain.concat()
    }

    /// The chain bundle, `None` when empty (ACM and IAM take no empty chain).
    pub fn chain_pem_opt(&self) -> Option<String> {
        (!self.chain.is_empty()).then(|| self.chain_pem())
    }
}

/// Builds one leaf certificate and its issuers.
#[derive(Debug, Clone)]
pub struct CertBuilder {
    names: Vec<String>,
    common_name: Option<String>,
    cn_only: bool,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key: KeySpec,
    ca_key: KeySpec,
    intermediates: usize,
    intermediate_validity: Option<(OffsetDateTime, OffsetDateTime)>,
    self_signed: bool,
    ca_name: String,
}

impl CertBuilder {
    /// A leaf for these DNS names (SANs; the first is also the CN), valid from a day ago for 90
    /// days, EC P-256, issued directly by a test root.
    pub fn new<I, S>(names: I) -> CertBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let now = OffsetDateTime::now_utc();
        CertBuilder {
            common_name: names.first().cloned(),
            names,
            cn_only: false,
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(90),
            key: KeySpec::EcP256,
            ca_key: KeySpec::EcP256,
            intermediates: 0,
            intermediate_validity: None,
            self_signed: false,
            ca_name: "Test".to_owned(),
        }
    }

    /// Sets the subject CN (`None` for an empty subject).
    pub fn common_name(mut self, cn: Option<&str>) -> Self {
        self.common_name = cn.map(str::to_owned);
        self
    }

    /// No SAN extension: the name is only in the CN (CloudFront accepts it, webpki does not).
    pub fn cn_only(mut self) -> Self {
        self.cn_only = true;
        self
    }

    /// Validity window of the leaf.
    pub fn validity(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// A 395-day certificate (ACM's lifetime before 2026) that expires `days` from now (negative for
    /// already expired): the expiry thresholds are shares of the lifetime, and for 395 days they are
    /// the fixed windows (45 and 14 days viewer, 30 and 14 origin). Other lifetimes: [`Self::validity`].
    pub fn expires_in_days(mut self, days: i64) -> Self {
        let now = OffsetDateTime::now_utc();
        self.not_after = now + Duration::days(days);
        self.not_before = self.not_after - Duration::days(395);
        self
    }

    /// The leaf's key.
    pub fn key(mut self, key: KeySpec) -> Self {
        self.key = key;
        self
    }

    /// The key of the root and intermediates.
    pub fn ca_key(mut self, key: KeySpec) -> Self {
        self.ca_key = key;
        self
    }

    /// How many intermediates sit between the root and the leaf.
    pub fn intermediates(mut self, count: usize) -> Self {
        self.intermediates = count;
        self
    }

    /// Validity of every intermediate (default: a year around now, covering the leaf).
    pub fn intermediate_validity(
        mut self,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Self {
        self.intermediate_validity = Some((not_before, not_after));
        self
    }

    /// Prefix of the CA names (default `Test`: "Test Root CA", "Test Intermediate CA 1"). Distinct
    /// prefixes keep several factories' roots apart by name, as real trust stores are (the CAs carry
    /// no key identifiers, so same-named roots make verifiers try each one).
    pub fn ca_name(mut self, prefix: &str) -> Self {
        self.ca_name = prefix.to_owned();
        self
    }

    /// Self-signed leaf: no CA, no chain.
    pub fn self_signed(mut self) -> Self {
        self.self_signed = true;
        self
    }

    /// The leaf's parameters and key.
    fn leaf(&self) -> (CertificateParams, KeyPair) {
        let leaf_key = self.key.key_pair();
        let mut leaf = CertificateParams::new(if self.cn_only {
            Vec::new()
        } else {
            self.names.clone()
        })
        .expect("leaf names");
        leaf.distinguished_name = DistinguishedName::new();
        if let Some(cn) = &self.common_name {
            leaf.distinguished_name
                .push(DnType::CommonName, cn.as_str());
        }
        leaf.not_before = self.not_before;
        leaf.not_after = self.not_after;
        leaf.serial_number = Some(random_serial());
        (leaf, leaf_key)
    }

    /// Issues the leaf directly from a shared `ca` (no intermediates: `intermediates`, `ca_key` and
    /// `self_signed` are ignored), so that one `--trust-anchor` file covers a whole lab.
    pub fn issue_from(self, ca: &TestCa) -> IssuedCert {
        let (leaf, leaf_key) = self.leaf();
        let cert = leaf.signed_by(&leaf_key, &ca.issuer).expect("leaf");
        IssuedCert {
            cert_pem: cert.pem(),
            key_pem: leaf_key.serialize_pem(),
            chain: Vec::new(),
            root_pem: ca.root_pem.clone(),
        }
    }

    /// Issues the certificate (panics on rcgen errors: test code).
    pub fn build(self) -> IssuedCert {
        let (leaf, leaf_key) = self.leaf();
        if self.self_signed {
            let cert = leaf.self_signed(&leaf_key).expect("self-signed leaf");
            return IssuedCert {
                cert_pem: cert.pem(),
                key_pem: leaf_key.serialize_pem(),
                chain: Vec::new(),
                root_pem: cert.pem(),
            };
        }

        let now = OffsetDateTime::now_utc();
        let ca_not_before = self.not_before.min(now) - Duration::days(30);
        let ca_not_after = self.not_after.max(now) + Duration::days(365);
        let root_params = ca_params(
            &format!("{} Root CA", self.ca_name),
            ca_not_before,
            ca_not_after,
        );
        let root_key = self.ca_key.key_pair();
        let root_cert = root_params.self_signed(&root_key).expect("root CA");
        let mut issuer = Issuer::new(root_params, root_key);

        let mut chain = Vec::new();
        for level in 1..=self.intermediates {
            let (nb, na) = self
                .intermediate_validity
                .unwrap_or((ca_not_before, ca_not_after));
            let params = ca_params(&format!("{} Intermediate CA {level}", self.ca_name), nb, na);
            let key = self.ca_key.key_pair();
            let cert = params.signed_by(&key, &issuer).expect("intermediate CA");
            chain.push(cert.pem());
            issuer = Issuer::new(params, key);
        }
        // The intermediate closest to the leaf comes first, as CloudFront expects.
        chain.reverse();

        let cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf");
        IssuedCert {
            cert_pem: cert.pem(),
            key_pem: leaf_key.serialize_pem(),
            chain,
            root_pem: root_cert.pem(),
        }
    }
}

/// A test root that issues several leaves ([`CertBuilder::issue_from`]), valid from 400 days ago for
/// 800 days so that it covers expired and future leaves alike.
#[derive(Debug)]
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The root certificate, for `--trust-anchor`.
    pub root_pem: String,
}

impl TestCa {
    /// A fresh EC P-256 root named `name`.
    pub fn new(name: &str) -> TestCa {
        let now = OffsetDateTime::now_utc();
        // Older than any leaf it issues: `expires_in_days` leaves live 395 days.
        let params = ca_params(name, now - Duration::days(800), now + Duration::days(400));
        let key = KeySpec::EcP256.key_pair();
        let root = params.self_signed(&key).expect("root CA");
        TestCa {
            issuer: Issuer::new(params, key),
            root_pem: root.pem(),
        }
    }
}

fn ca_params(
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "cloudfront-tls-audit tests");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial());
    params
}

/// Random positive serials, so that reused fixture keys never give two identical certificates.
fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes).expect("random serial");
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}
