//! Property tests of the chain analysis (issue 10): whatever an origin sends, `analyse_chain` returns
//! (never panics), reads at most the capped prefix and makes at most the budgeted signature checks.
//!
//! Fixed seeds and stated case counts, so a failure reproduces exactly:
//! - byte soups: 256 cases of up to 12 arbitrary "certificates" of up to 2,048 bytes, some starting
//!   with a DER SEQUENCE header so the parser gets past the first byte;
//! - certificate lists: 128 cases of up to 700 picks from a pool of real rcgen certificates (CAs
//!   sharing one name, CAs naming each other, leaves, a self-signed root, duplicates) mixed with
//!   truncated and garbage DER, in any order.

mod support;

use std::sync::OnceLock;

use cloudfront_tls_audit::rules::chain::limits::{
    MAX_CERTIFICATES, MAX_CERTIFICATE_MESSAGE_BYTES, SIGNATURE_BUDGET,
};
use cloudfront_tls_audit::rules::{analyse_chain, ChainAnalysis};
use cloudfront_tls_audit::tls::SentCertificate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use support::chain_servers::ChainCa;
use time::OffsetDateTime;

const SNI: &str = "origin.example.com";

fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// What every analysis must respect, whatever it was given.
fn assert_bounded(chain: &[SentCertificate], analysis: &ChainAnalysis) {
    assert!(analysis.certificates.len() <= MAX_CERTIFICATES);
    assert!(analysis.certificates.len() <= chain.len());
    assert!(analysis.signature_checks <= SIGNATURE_BUDGET);
    let analysed: usize = chain
        .iter()
        .take(analysis.certificates.len())
        .map(|c| c.der.len() + 3)
        .sum::<usize>()
        + 3;
    assert!(analysed <= MAX_CERTIFICATE_MESSAGE_BYTES || analysis.certificates.is_empty());
    if analysis.certificates.len() < chain.len() {
        assert!(analysis.oversized.is_some(), "a cut chain must say so");
    }
    for &p in analysis.expired.iter().chain(&analysis.not_yet_valid) {
        assert!(p < analysis.certificates.len());
    }
    if analysis.oversized.is_some() {
        assert!(!analysis.misordered && !analysis.incomplete && !analysis.untrusted_root);
    }
}

fn soup() -> impl Strategy<Value = Vec<SentCertificate>> {
    let certificate = (any::<bool>(), prop::collection::vec(any::<u8>(), 0..2_048)).prop_map(
        |(sequence, mut der)| {
            if sequence && der.len() > 4 {
                der[0] = 0x30;
                der[1] = 0x82;
            }
            SentCertificate { der }
        },
    );
    prop::collection::vec(certificate, 0..12)
}

/// A pool of hostile but well-formed certificates, built once (rcgen is slow to build 700).
fn pool() -> &'static [Vec<u8>] {
    static POOL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let shared = ChainCa::named("Shared", None);
        let loop_a = ChainCa::named("Loop A", None);
        let loop_b = ChainCa::named("Loop B", None);
        let mut pool = vec![shared.der.clone()];
        for i in 0..8 {
            pool.push(shared.sub_ca_der("Shared"));
            pool.push(shared.leaf_der(&[&format!("l{i}.{SNI}"), SNI]));
        }
        // A names B as issuer and B names A (each signed by the other's key).
        pool.push(loop_b.sub_ca_der("Loop A"));
        pool.push(loop_a.sub_ca_der("Loop B"));
        let truncated: Vec<Vec<u8>> = pool.iter().map(|d| d[..d.len() / 2].to_vec()).collect();
        pool.extend(truncated);
        pool.push(Vec::new());
        pool.push(vec![0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]);
        pool
    })
}

fn certificate_list() -> impl Strategy<Value = Vec<SentCertificate>> {
    let size = pool().len();
    prop::collection::vec(0..size, 0..700).prop_map(|picks| {
        picks
            .into_iter()
            .map(|i| SentCertificate {
                der: pool()[i].clone(),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config(256, 0x0c1a_1d0c))]
    #[test]
    fn byte_soups_never_panic_and_stay_within_the_caps(chain in soup()) {
        let analysis = analyse_chain(&chain, SNI, OffsetDateTime::UNIX_EPOCH, &[]);
        assert_bounded(&chain, &analysis);
    }
}

proptest! {
    #![proptest_config(config(128, 0x0c1a_1d0d))]
    #[test]
    fn certificate_lists_never_panic_and_stay_within_the_caps_and_the_budget(
        chain in certificate_list()
    ) {
        let now = time::macros::datetime!(2026-12-01 00:00 UTC);
        // The pool's own root as an extra anchor, so that some picks do reach an anchor.
        let anchors = vec![pool()[0].clone()];
        let analysis = analyse_chain(&chain, SNI, now, &anchors);
        assert_bounded(&chain, &analysis);
    }
}
