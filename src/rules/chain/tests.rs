//! Codes: none. Unit tests of the chain analysis over rcgen chains (plain data, no socket).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::limits::{OversizeReason, MAX_CERTIFICATES, SIGNATURE_BUDGET};
use super::*;

const HOST: &str = "origin.example.com";

/// A CA: its parameters and key (to sign with), and its certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    der: Vec<u8>,
}

fn dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in parts {
        let printable = (*value).to_owned().try_into().expect("printable string");
        name.push(kind.clone(), DnValue::PrintableString(printable));
    }
    name
}

fn ca_params(name: DistinguishedName) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// A CA named `cn`, self-signed or signed by `parent`.
fn ca(cn: &str, parent: Option<&Ca>) -> Ca {
    ca_named(dn(&[(DnType::CommonName, cn)]), parent)
}

fn ca_named(name: DistinguishedName, parent: Option<&Ca>) -> Ca {
    let params = ca_params(name);
    let key = KeyPair::generate().expect("key");
    let cert = match parent {
        Some(parent) => params
            .signed_by(&key, &Issuer::from_params(&parent.params, &parent.key))
            .expect("signed CA"),
        None => params.self_signed(&key).expect("self-signed CA"),
    };
    Ca {
        der: cert.der().to_vec(),
        params,
        key,
    }
}

/// A leaf for [`HOST`] signed by `issuer`.
fn leaf(issuer: &Ca) -> Vec<u8> {
    let params = CertificateParams::new(vec![HOST.to_owned()]).expect("leaf params");
    let key = KeyPair::generate().expect("key");
    params
        .signed_by(&key, &Issuer::from_params(&issuer.params, &issuer.key))
        .expect("leaf")
        .der()
        .to_vec()
}

fn sent(ders: &[&[u8]]) -> Vec<SentCertificate> {
    ders.iter()
        .map(|d| SentCertificate { der: d.to_vec() })
        .collect()
}

/// rcgen certificates are valid from 1975 to 4096 by default: any fixed instant will do.
fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-12-01 00:00 UTC)
}

#[test]
fn an_empty_or_garbage_chain_gives_flags_not_panics() {
    let now = OffsetDateTime::UNIX_EPOCH;
    let empty = analyse_chain(&[], "a.example.com", now, &[]);
    assert!(!empty.name_matches && empty.certificates.is_empty());
    assert!(empty.path_error.is_some());
    let junk = analyse_chain(&sent(&[b"junk"]), "a.example.com", now, &[b"junk".to_vec()]);
    assert!(matches!(
        junk.certificates[0],
        ChainEntry::Unparsable { .. }
    ));
    assert!(junk.path_error.is_some());
    assert!(!junk.name_matches);
}

#[test]
fn a_full_chain_to_a_trusted_root_raises_no_flag() {
    let root = ca("Chain Test Root", None);
    let intermediate = ca("Chain Test Intermediate", Some(&root));
    let chain = sent(&[&leaf(&intermediate), &intermediate.der]);
    let a = analyse_chain(&chain, HOST, now(), std::slice::from_ref(&root.der));
    assert!(a.name_matches && a.path_error.is_none(), "{a:?}");
    assert!(!a.incomplete && !a.untrusted_root && !a.misordered && !a.self_signed);
    assert_eq!((a.missing_issuer, a.oversized), (None, None));
}

#[test]
fn intermediates_sent_up_to_a_private_root_are_an_untrusted_root_not_an_incomplete_chain() {
    let root = ca("Corp Private Root", None);
    let intermediate = ca("Corp Private Issuing CA", Some(&root));
    let chain = sent(&[&leaf(&intermediate), &intermediate.der]);
    let a = analyse_chain(&chain, HOST, now(), &[]);
    assert!(a.untrusted_root && !a.incomplete, "{a:?}");
    let missing = a.missing_issuer.expect("the root is named");
    assert_eq!(missing.issuer, "CN=Corp Private Root");
    assert_eq!(missing.certificate_subject, "CN=Corp Private Issuing CA");
    assert!(!missing.known_public_ca);
    assert_eq!(missing.intermediates_sent, 1);
}

#[test]
fn a_leaf_alone_under_an_unknown_issuer_is_incomplete_and_not_known_public() {
    let intermediate = ca("Unknown Issuing CA", Some(&ca("Unknown Root", None)));
    let a = analyse_chain(&sent(&[&leaf(&intermediate)]), HOST, now(), &[]);
    assert!(a.incomplete && !a.untrusted_root, "{a:?}");
    let missing = a.missing_issuer.expect("missing issuer");
    assert_eq!(missing.issuer, "CN=Unknown Issuing CA");
    assert!(!missing.known_public_ca);
    assert_eq!(missing.intermediates_sent, 0);
}

#[test]
fn a_leaf_alone_under_a_public_intermediate_name_is_a_missing_public_intermediate() {
    // A stand-in with Let's Encrypt R11's exact subject (C=US, O=Let's Encrypt, CN=R11).
    let r11 = dn(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "Let's Encrypt"),
        (DnType::CommonName, "R11"),
    ]);
    let issuer = ca_named(r11, Some(&ca("Some Root", None)));
    let (_, parsed) = X509Certificate::from_der(&issuer.der).expect("parses");
    assert!(public_ca::is_public_ca_name(parsed.subject().as_raw()));
    let a = analyse_chain(&sent(&[&leaf(&issuer)]), HOST, now(), &[]);
    assert!(a.incomplete && !a.untrusted_root, "{a:?}");
    let missing = a.missing_issuer.expect("missing issuer");
    assert!(missing.known_public_ca);
    assert_eq!(missing.issuer, "C=US, O=Let's Encrypt, CN=R11");
}

#[test]
fn a_sent_self_signed_root_that_is_not_trusted_is_an_untrusted_root() {
    let root = ca("Sent Private Root", None);
    let intermediate = ca("Sent Private Intermediate", Some(&root));
    let chain = sent(&[&leaf(&intermediate), &intermediate.der, &root.der]);
    let a = analyse_chain(&chain, HOST, now(), &[]);
    assert!(
        a.untrusted_root && !a.incomplete && a.missing_issuer.is_none(),
        "{a:?}"
    );
}

#[test]
fn an_issuer_sent_out_of_place_is_misordered() {
    let root = ca("Order Root", None);
    let upper = ca("Order Upper", Some(&root));
    let lower = ca("Order Lower", Some(&upper));
    let chain = sent(&[&leaf(&lower), &upper.der, &lower.der]);
    let a = analyse_chain(&chain, HOST, now(), std::slice::from_ref(&root.der));
    assert!(a.misordered, "{a:?}");
}

#[test]
fn more_certificates_than_s2n_accepts_are_oversized_and_not_judged_for_order() {
    let root = ca("Big Root", None);
    let intermediate = ca("Big Intermediate", Some(&root));
    let leaf = leaf(&intermediate);
    let mut ders: Vec<&[u8]> = vec![&leaf];
    ders.extend(std::iter::repeat_n(
        intermediate.der.as_slice(),
        MAX_CERTIFICATES,
    ));
    let a = analyse_chain(&sent(&ders), HOST, now(), std::slice::from_ref(&root.der));
    let oversized = a.oversized.expect("oversized");
    assert_eq!(oversized.reason, OversizeReason::TooManyCertificates);
    assert_eq!(oversized.certificates_sent, MAX_CERTIFICATES + 1);
    assert_eq!(a.certificates.len(), MAX_CERTIFICATES);
    assert!(!a.misordered && !a.incomplete && !a.untrusted_root);
    // The leaf is still judged.
    assert!(a.name_matches);
}

#[test]
fn a_spent_signature_budget_is_reported_and_no_structure_verdict_is_given() {
    let root = ca("Budget Root", None);
    let intermediate = ca("Budget Intermediate", Some(&root));
    let chain = sent(&[&leaf(&intermediate), &intermediate.der]);
    let a = analyse_within(&chain, HOST, now(), &[], 0);
    assert_eq!(
        a.oversized.map(|o| o.reason),
        Some(OversizeReason::VerificationBudget)
    );
    assert_eq!(a.signature_checks, 0);
    assert!(!a.incomplete && !a.untrusted_root && !a.misordered);
}

#[test]
fn each_pair_is_verified_once_however_often_it_is_asked() {
    // Seven CAs with one name: every one is a candidate issuer of every other.
    let root = ca("Shared Name", None);
    let ders: Vec<Vec<u8>> = (0..MAX_CERTIFICATES)
        .map(|_| ca("Shared Name", Some(&root)).der)
        .collect();
    let parsed: Vec<Option<X509Certificate<'_>>> = ders
        .iter()
        .map(|d| X509Certificate::from_der(d).ok().map(|(_, x)| x))
        .collect();
    let anchors: Vec<TrustAnchor<'_>> = Vec::new();
    // Budget for every pair, so that the memo, not the budget, is what is tested.
    let mut graph = Graph::new(&parsed, &anchors, MAX_CERTIFICATES * MAX_CERTIFICATES + 1);
    let _ = graph.misordered();
    let _ = graph.walk_to_anchor();
    let after_first = graph.checks_made();
    let _ = graph.misordered();
    let _ = graph.walk_to_anchor();
    assert_eq!(
        graph.checks_made(),
        after_first,
        "a pair was verified twice"
    );
    assert!(after_first <= MAX_CERTIFICATES * MAX_CERTIFICATES);
    assert!(!graph.budget_exhausted());
}

#[test]
fn an_adversarial_flight_of_660_certificates_sharing_an_issuer_is_oversized() {
    let issuer = ca("Flood Issuer", None);
    let ders: Vec<Vec<u8>> = (0..660).map(|_| leaf(&issuer)).collect();
    let refs: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
    let a = analyse_chain(&sent(&refs), HOST, now(), &[]);
    let oversized = a.oversized.expect("oversized");
    assert_eq!(oversized.certificates_sent, 660);
    assert!(oversized.certificates_analysed <= MAX_CERTIFICATES);
    assert!(a.signature_checks <= SIGNATURE_BUDGET);
}
