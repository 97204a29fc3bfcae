//! The test certificate factory produces what later tests rely on, checked with the crate's parser.

mod support;

use cloudfront_tls_audit::model::KeyKind;
use cloudfront_tls_audit::x509::parse_pem_bundle;
use support::{CertBuilder, KeySpec};
use time::{Duration, OffsetDateTime};

fn leaf(cert: &support::IssuedCert) -> cloudfront_tls_audit::model::CertificateDetails {
    parse_pem_bundle(&cert.cert_pem)
        .into_iter()
        .next()
        .expect("one certificate")
        .expect("parses")
}

#[test]
fn keys_names_and_issuers() {
    for (spec, expected) in [
        (KeySpec::Rsa2048, KeyKind::Rsa { bits: 2048 }),
        (KeySpec::Rsa3072, KeyKind::Rsa { bits: 3072 }),
        (KeySpec::Rsa4096, KeyKind::Rsa { bits: 4096 }),
        (
            KeySpec::EcP256,
            KeyKind::Ec {
                curve: "P-256".to_owned(),
            },
        ),
        (
            KeySpec::EcP384,
            KeyKind::Ec {
                curve: "P-384".to_owned(),
            },
        ),
    ] {
        let cert = CertBuilder::new(["*.example.com", "example.com"])
            .key(spec)
            .build();
        let details = leaf(&cert);
        assert_eq!(details.key, expected, "{spec:?}");
        assert_eq!(details.dns_names, vec!["*.example.com", "example.com"]);
        assert_eq!(details.common_name.as_deref(), Some("*.example.com"));
        assert_eq!(
            details.issuer,
            "CN=Test Root CA, O=cloudfront-tls-audit tests"
        );
        assert!(cert.chain.is_empty());
    }
}

#[test]
fn chains_validity_and_self_signed() {
    let cert = CertBuilder::new(["a.example.com"]).intermediates(3).build();
    let chain: Vec<_> = parse_pem_bundle(&cert.chain_pem())
        .into_iter()
        .map(|c| c.expect("chain parses"))
        .collect();
    let names: Vec<_> = chain
        .iter()
        .map(|c| c.common_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        vec![
            "Test Intermediate CA 3",
            "Test Intermediate CA 2",
            "Test Intermediate CA 1"
        ]
    );
    assert!(leaf(&cert).issuer.contains("Test Intermediate CA 3"));

    let now = OffsetDateTime::now_utc();
    let expired = leaf(
        &CertBuilder::new(["old.example.com"])
            .expires_in_days(-3)
            .build(),
    );
    assert!(expired.not_after < now && expired.not_before < expired.not_after);
    let future = leaf(
        &CertBuilder::new(["soon.example.com"])
            .validity(now + Duration::days(10), now + Duration::days(100))
            .build(),
    );
    assert!(future.not_before > now);

    let self_signed = CertBuilder::new(["self.example.com"]).self_signed().build();
    let details = leaf(&self_signed);
    assert_eq!(details.subject, details.issuer);
    assert!(self_signed.chain.is_empty());

    let cn_only = leaf(&CertBuilder::new(["cn.example.com"]).cn_only().build());
    assert!(cn_only.dns_names.is_empty());
    assert_eq!(cn_only.common_name.as_deref(), Some("cn.example.com"));
}

#[test]
fn a_shared_test_ca_issues_every_leaf_under_one_root() {
    let ca = support::TestCa::new("Lab Root CA");
    let healthy = CertBuilder::new(["app.demo.test"]).issue_from(&ca);
    let expired = CertBuilder::new(["legacy.demo.test"])
        .expires_in_days(-5)
        .issue_from(&ca);
    let root = parse_pem_bundle(&ca.root_pem)
        .into_iter()
        .next()
        .expect("one certificate")
        .expect("parses");
    for cert in [&healthy, &expired] {
        assert_eq!(cert.root_pem, ca.root_pem);
        assert!(cert.chain.is_empty());
        let details = leaf(cert);
        assert_eq!(details.issuer, root.subject);
        assert!(root.not_before < details.not_before && details.not_after < root.not_after);
    }
    assert!(leaf(&expired).not_after < OffsetDateTime::now_utc());
    assert_eq!(leaf(&healthy).dns_names, ["app.demo.test"]);
}
