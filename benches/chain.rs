//! Worst-case chain analysis (issue 10): CPU time of `rules::analyse_chain` on hostile first flights.
//!
//! Target: the adversarial flight that fits the probe's byte budget (about 660 small certificates
//! sharing one issuer name, some 200 KB, inside 256 KiB) is analysed in under 50 ms of CPU. The other
//! flights are the worst shapes within the analysis caps (7 certificates, 64 KiB): every certificate a
//! candidate issuer of every other, with the slowest keys ring verifies, plus loops, duplicates and
//! unparsable certificates. Nothing here opens a socket: the flights are built in memory.
//!
//! CPU time is the thread's own (`/proc/thread-self/schedstat`, nanoseconds on CPU), so a busy
//! machine lengthens wall time but not the figure. Run with `make bench` (`cargo bench --locked
//! --bench chain`); results are recorded in docs/benchmarks.md.

#[allow(dead_code)]
#[path = "../tests/support/certs.rs"]
mod certs;

use std::time::Instant;

use certs::KeySpec;
use cloudfront_tls_audit::probe::ProbeSettings;
use cloudfront_tls_audit::rules::analyse_chain;
use cloudfront_tls_audit::tls::SentCertificate;
use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer};
use time::OffsetDateTime;

/// Analyses per flight (the figures are per analysis).
const RUNS: usize = 200;
/// The target for the adversarial flight, in milliseconds of CPU.
const TARGET_MS: f64 = 50.0;
const HOST: &str = "origin.bench.example.com";

fn main() {
    let byte_budget = ProbeSettings::default().byte_budget;
    let now = OffsetDateTime::now_utc();
    let mut worst = 0.0f64;
    println!("chain analysis, {RUNS} runs per flight, CPU time per analysis (thread schedstat)");
    println!(
        "{:<44} {:>6} {:>9} {:>7} {:>9} {:>9} {:>9}  verdict",
        "flight", "certs", "bytes", "checks", "min ms", "mean ms", "max ms"
    );
    let start = Instant::now();
    let flights = flights();
    println!(
        "(building the flights took {:.1} s of wall time, not counted)",
        start.elapsed().as_secs_f64()
    );
    for (name, flight) in flights {
        let bytes: usize = flight.iter().map(|c| c.der.len() + 3).sum::<usize>() + 3;
        assert!(
            bytes <= byte_budget,
            "{name}: {bytes} bytes would not fit the probe's byte budget ({byte_budget})"
        );
        let mut times = Vec::with_capacity(RUNS);
        let mut last = None;
        for _ in 0..RUNS {
            let start = cpu_nanos();
            let analysis = analyse_chain(&flight, HOST, now, &[]);
            times.push((cpu_nanos() - start) as f64 / 1e6);
            last = Some(analysis);
        }
        let analysis = last.expect("at least one run");
        // The kernel updates schedstat per scheduler tick, so single runs read 0 or a tick: the
        // mean over the runs is the figure.
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        times.sort_by(f64::total_cmp);
        let median = mean;
        worst = worst.max(mean);
        let verdict = match &analysis.oversized {
            Some(o) => format!("oversized ({:?})", o.reason),
            None => format!(
                "incomplete={} untrusted_root={} misordered={}",
                analysis.incomplete, analysis.untrusted_root, analysis.misordered
            ),
        };
        println!(
            "{name:<44} {:>6} {:>9} {:>7} {:>9.3} {:>9.3} {:>9.3}  {verdict}",
            flight.len(),
            bytes,
            analysis.signature_checks,
            times[0],
            median,
            times[times.len() - 1]
        );
    }
    let verdict = if worst < TARGET_MS { "met" } else { "NOT MET" };
    println!("worst mean analysis: {worst:.3} ms of CPU; target {TARGET_MS} ms: {verdict}");
}

/// The hostile flights, each within the probe's byte budget.
fn flights() -> Vec<(&'static str, Vec<SentCertificate>)> {
    let shared = ca_params("Shared Issuer");
    let shared_key = KeySpec::EcP256.key_pair();
    let shared_issuer = Issuer::from_params(&shared, &shared_key);
    // 660 small leaves, one issuer name (the 61 s flight before the caps).
    let flood: Vec<SentCertificate> = (0..660)
        .map(|i| {
            let key = KeySpec::EcP256.key_pair();
            let params = CertificateParams::new(vec![format!("l{i}.x")]).expect("leaf params");
            sent(params.signed_by(&key, &shared_issuer).expect("leaf").der())
        })
        .collect();
    // Within the caps: a leaf and 6 CAs, all named like their issuer (an unsent CA of the same name
    // with another key), none self-signed: each CA is a candidate issuer of every certificate and
    // no signature verifies, so the search tries every pair once, with the slowest keys.
    let within_caps = |key: KeySpec| -> Vec<SentCertificate> {
        let parent = ca_params("Same Name");
        let parent_key = key.key_pair();
        let issuer = Issuer::from_params(&parent, &parent_key);
        let leaf_key = key.key_pair();
        let leaf = CertificateParams::new(vec![HOST.to_owned()]).expect("leaf params");
        let mut flight = vec![sent(
            leaf.signed_by(&leaf_key, &issuer).expect("leaf").der(),
        )];
        flight.extend((0..6).map(|_| {
            let key = key.key_pair();
            sent(
                ca_params("Same Name")
                    .signed_by(&key, &issuer)
                    .expect("CA")
                    .der(),
            )
        }));
        flight
    };
    // Loops: A names B as issuer, B names A, repeated, with duplicates and garbage mixed in.
    let loop_a = ca_params("Loop A");
    let loop_b = ca_params("Loop B");
    let (key_a, key_b) = (KeySpec::EcP256.key_pair(), KeySpec::EcP256.key_pair());
    let a_by_b = sent(
        loop_a
            .signed_by(&key_a, &Issuer::from_params(&loop_b, &key_b))
            .expect("A")
            .der(),
    );
    let b_by_a = sent(
        loop_b
            .signed_by(&key_b, &Issuer::from_params(&loop_a, &key_a))
            .expect("B")
            .der(),
    );
    let mixed: Vec<SentCertificate> = (0..600)
        .map(|i| match i % 4 {
            0 => a_by_b.clone(),
            1 => b_by_a.clone(),
            2 => SentCertificate {
                der: vec![0x30, 0x82, 0x01, 0x00, (i % 251) as u8],
            },
            _ => flood[i % flood.len()].clone(),
        })
        .collect();
    vec![
        ("660 leaves sharing one issuer (~200 KB)", flood),
        (
            "leaf + 6 same-name CAs, RSA 4096",
            within_caps(KeySpec::Rsa4096),
        ),
        (
            "leaf + 6 same-name CAs, EC P-384",
            within_caps(KeySpec::EcP384),
        ),
        (
            "leaf + 6 same-name CAs, EC P-256",
            within_caps(KeySpec::EcP256),
        ),
        ("600: loops, duplicates, unparsable", mixed),
    ]
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
}

fn sent(der: &[u8]) -> SentCertificate {
    SentCertificate { der: der.to_vec() }
}

/// Nanoseconds this thread has run on a CPU (first field of `/proc/thread-self/schedstat`).
fn cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .expect("/proc/thread-self/schedstat (Linux)")
}
