//! The chain verdicts of issue 10 against real rustls origins on loopback: oversized chains and the
//! adversarial shared-issuer flight become `origin-cert-chain-oversized` within the probe's deadline;
//! a private CA is an untrusted root; a leaf sent alone is an incomplete chain naming its issuer, with
//! the private-CA alternative when the issuer is no public CA. No trust anchor is added: these
//! origins are judged as CloudFront would judge them.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::tls::{ProbeOutcome, ProtocolVersion};
use support::chain_servers::{
    lets_encrypt_r11, lone_leaf_server, oversized_chain_server, printable_dn, private_ca_server,
    shared_issuer_flight_server,
};
use support::judged::{judge, probe_origin};

const ORIGIN: &str = "origin.example.com";
const DEADLINE: Duration = Duration::from_secs(10);
/// Generous margin over the deadline for a loaded machine (bounded time, never a speed).
const MARGIN: Duration = Duration::from_secs(5);

/// Probes ORIGIN at `addr` (TLS 1.2, as CloudFront offers) and judges the observation, asserting
/// that probe plus judgement end within the deadline plus the margin.
async fn judged(addr: SocketAddr) -> Vec<Finding> {
    let started = Instant::now();
    let (target_use, observation) =
        probe_origin(ORIGIN, addr, ORIGIN, &[ProtocolVersion::Tls12], DEADLINE).await;
    assert!(
        matches!(observation.outcome, ProbeOutcome::Negotiated(_)),
        "the probe did not get the chain: {:?}",
        observation.outcome
    );
    let findings = judge(&target_use, &observation, &[]);
    assert!(
        started.elapsed() < DEADLINE + MARGIN,
        "took {:?}, past the deadline {DEADLINE:?} + {MARGIN:?}",
        started.elapsed()
    );
    for finding in &findings {
        assert!(
            !finding.message.contains('{'),
            "unfilled: {}",
            finding.message
        );
    }
    findings
}

fn only<'f>(findings: &'f [Finding], code: &str) -> &'f Finding {
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code.as_str() == code)
        .collect();
    assert_eq!(matching.len(), 1, "expected one {code}: {findings:#?}");
    matching[0]
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

#[tokio::test]
async fn a_chain_of_more_certificates_than_s2n_accepts_is_oversized() {
    let addr = oversized_chain_server(ORIGIN, 9).await;
    let findings = judged(addr).await;
    let oversized = only(&findings, "origin-cert-chain-oversized");
    assert_eq!(oversized.evidence["certificates_sent"], 10);
    assert_eq!(oversized.evidence["certificates_analysed"], 7);
    assert!(
        oversized.message.contains("s2n-tls"),
        "{}",
        oversized.message
    );
    // The rest of the chain is not judged: no guess about order or completeness.
    assert!(!codes(&findings).contains(&"origin-cert-chain-incomplete"));
    assert!(!codes(&findings).contains(&"origin-cert-chain-misordered"));
}

#[tokio::test]
async fn the_adversarial_shared_issuer_flight_is_oversized_within_the_deadline() {
    let (addr, sent) = shared_issuer_flight_server(ORIGIN, 200_000).await;
    assert!(
        sent > 500,
        "the flight should be hundreds of certificates, got {sent}"
    );
    let findings = judged(addr).await;
    let oversized = only(&findings, "origin-cert-chain-oversized");
    assert_eq!(oversized.evidence["certificates_sent"], sent);
    let bytes = oversized.evidence["certificate_bytes"]
        .as_u64()
        .expect("bytes");
    assert!(bytes > 0xFFFF, "{bytes}");
    assert!(oversized.message.contains("bytes"), "{}", oversized.message);
}

#[tokio::test]
async fn intermediates_sent_up_to_a_private_root_are_an_untrusted_root() {
    let addr = private_ca_server(ORIGIN).await;
    let findings = judged(addr).await;
    let untrusted = only(&findings, "origin-cert-untrusted-root");
    assert_eq!(
        untrusted.evidence["root_subject"],
        "CN=Corp Internal Root CA"
    );
    assert!(
        untrusted.message.contains("private CA"),
        "{}",
        untrusted.message
    );
    assert!(
        !codes(&findings).contains(&"origin-cert-chain-incomplete"),
        "a private CA is not a missing intermediate: {findings:#?}"
    );
}

#[tokio::test]
async fn a_leaf_alone_under_a_public_intermediate_is_incomplete_and_names_it() {
    let addr = lone_leaf_server(ORIGIN, lets_encrypt_r11()).await;
    let findings = judged(addr).await;
    let incomplete = only(&findings, "origin-cert-chain-incomplete");
    assert_eq!(
        incomplete.evidence["missing_issuer"],
        "C=US, O=Let's Encrypt, CN=R11"
    );
    assert!(
        !incomplete.message.contains("private CA"),
        "a known public issuer needs no private-CA hedge: {}",
        incomplete.message
    );
    assert!(!codes(&findings).contains(&"origin-cert-untrusted-root"));
}

#[tokio::test]
async fn a_leaf_alone_under_an_unknown_issuer_names_it_and_the_private_ca_alternative() {
    let issuer = printable_dn(&[
        (rcgen::DnType::OrganizationName, "Example Corp"),
        (rcgen::DnType::CommonName, "Example Corp Issuing CA 7"),
    ]);
    let addr = lone_leaf_server(ORIGIN, issuer).await;
    let findings = judged(addr).await;
    let incomplete = only(&findings, "origin-cert-chain-incomplete");
    assert_eq!(
        incomplete.evidence["missing_issuer"],
        "O=Example Corp, CN=Example Corp Issuing CA 7"
    );
    assert!(
        incomplete.message.contains("private CA"),
        "{}",
        incomplete.message
    );
    // Both fixes: send the chain, or use a public CA.
    assert_eq!(
        incomplete.remediation.len(),
        2,
        "{:?}",
        incomplete.remediation
    );
    assert!(incomplete.remediation[0].contains("full chain"));
    assert!(incomplete.remediation[1].contains("publicly trusted CA"));
}
