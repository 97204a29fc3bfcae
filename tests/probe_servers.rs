//! The probe engine against real servers on loopback: rustls servers with broken chains,
//! `openssl s_server` speaking what rustls will not, and TCP servers that misbehave.
//!
//! Names resolve through `--resolve`-style overrides to 127.0.0.1, except the one DNS-failure test.
//! Assertions are about outcomes, never timings.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use cloudfront_tls_audit::probe::{probe, probe_plan, ProbeSettings, ResolveOverride};
use cloudfront_tls_audit::rules::{analyse_chain, analyse_observation, ChainAnalysis};
use cloudfront_tls_audit::tls::{
    CompletionError, HandshakeStage, Negotiated, Observation, ProbeOutcome, ProbeTarget,
    ProtocolVersion,
};
use support::tls_servers::{
    canned_server, closed_port, openssl_server, pem_to_der, rustls_server, rustls_server_for,
    silent_server, streaming_server,
};
use support::{CertBuilder, IssuedCert, KeySpec};
use time::OffsetDateTime;

const ORIGIN: &str = "origin.example.com";

fn target(host: &str, addr: SocketAddr, versions: &[ProtocolVersion]) -> ProbeTarget {
    ProbeTarget {
        host: host.to_owned(),
        port: addr.port(),
        sni: host.to_owned(),
        offered_versions: versions.to_vec(),
        connect_timeout: Duration::from_secs(2),
    }
}

fn settings(host: &str, addr: SocketAddr, deadline: Duration) -> ProbeSettings {
    ProbeSettings {
        deadline,
        resolve: vec![ResolveOverride {
            host: host.to_owned(),
            port: addr.port(),
            addresses: vec![addr.ip()],
        }],
        ..ProbeSettings::default()
    }
}

async fn probe_at(addr: SocketAddr, versions: &[ProtocolVersion]) -> Observation {
    probe(
        &target(ORIGIN, addr, versions),
        &settings(ORIGIN, addr, Duration::from_secs(10)),
    )
    .await
}

fn negotiated(observation: &Observation) -> &Negotiated {
    match &observation.outcome {
        ProbeOutcome::Negotiated(n) => n,
        other => panic!("expected Negotiated, got {other:?}"),
    }
}

fn analyse(n: &Negotiated, sni: &str, cert: &IssuedCert) -> ChainAnalysis {
    analyse_chain(
        &n.chain,
        sni,
        OffsetDateTime::now_utc(),
        &[pem_to_der(&cert.root_pem)],
    )
}

fn ders(pems: &[&String]) -> Vec<Vec<u8>> {
    pems.iter().map(|p| pem_to_der(p)).collect()
}

fn sent(n: &Negotiated) -> Vec<Vec<u8>> {
    n.chain.iter().map(|c| c.der.clone()).collect()
}

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

// ---- rustls servers: certificate chains ----

#[tokio::test]
async fn healthy_leaf_and_intermediate() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    assert_eq!(
        observation.addresses,
        vec!["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    let n = negotiated(&observation);
    assert_eq!(n.version, ProtocolVersion::Tls12);
    assert!(
        n.cipher_name.starts_with("TLS_ECDHE_ECDSA_WITH_AES_") && n.cipher_name.contains("GCM"),
        "{}",
        n.cipher_name
    );
    assert_eq!(n.completion, Some(Ok(())));
    assert!(!n.client_certificate_requested);
    assert_eq!(sent(n), ders(&[&cert.cert_pem, &cert.chain[0]]));

    let a = analyse(n, ORIGIN, &cert);
    assert_eq!(a.path_error, None);
    assert!(a.name_matches);
    assert!(!a.self_signed && !a.misordered && !a.incomplete && !a.untrusted_root);
    assert!(a.expired.is_empty() && a.not_yet_valid.is_empty());
    assert_eq!(a.certificates.len(), 2);

    // The convenience entry point gives the same verdict from the observation and the anchors.
    let with_root = vec![pem_to_der(&cert.root_pem)];
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        analyse_observation(&observation, now, &with_root),
        Some(analyse_chain(&n.chain, ORIGIN, now, &with_root))
    );

    // Without the test root, the same chain ends at an unknown CA.
    let untrusted = analyse_chain(&n.chain, ORIGIN, OffsetDateTime::now_utc(), &[]);
    assert!(untrusted.incomplete || untrusted.untrusted_root);
    assert!(untrusted.path_error.is_some());
}

#[tokio::test]
async fn expired_leaf() {
    let cert = CertBuilder::new([ORIGIN])
        .intermediates(1)
        .expires_in_days(-2)
        .build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    let n = negotiated(&observation);
    // The handshake itself completes: chain validity is the analysis' job, as in CloudFront's verdict.
    assert_eq!(n.completion, Some(Ok(())));
    let a = analyse(n, ORIGIN, &cert);
    assert_eq!(a.expired, vec![0]);
    let error = a
        .path_error
        .expect("webpki rejects an expired leaf")
        .to_string();
    assert!(error.contains("Expired"), "{error}");
}

#[tokio::test]
async fn self_signed_leaf() {
    let cert = CertBuilder::new([ORIGIN]).self_signed().build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    let n = negotiated(&observation);
    assert_eq!(n.chain.len(), 1);
    let a = analyse_chain(&n.chain, ORIGIN, OffsetDateTime::now_utc(), &[]);
    assert!(a.self_signed);
    assert!(a.untrusted_root);
    assert!(!a.incomplete);
    assert!(a.name_matches);
    assert!(a.path_error.is_some());
}

#[tokio::test]
async fn leaf_without_its_intermediate() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let addr = rustls_server(std::slice::from_ref(&cert.cert_pem), &cert.key_pem).await;
    let observation = probe_at(addr, TLS12).await;
    let n = negotiated(&observation);
    assert_eq!(n.chain.len(), 1);
    let a = analyse(n, ORIGIN, &cert);
    assert!(a.incomplete);
    assert!(!a.self_signed && !a.untrusted_root && !a.misordered);
    let error = a
        .path_error
        .expect("no path without the intermediate")
        .to_string();
    assert!(error.contains("UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn misordered_chain() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(2).build();
    // chain[0] signed the leaf; send the upper intermediate first.
    let order = vec![
        cert.cert_pem.clone(),
        cert.chain[1].clone(),
        cert.chain[0].clone(),
    ];
    let observation = probe_at(rustls_server(&order, &cert.key_pem).await, TLS12).await;
    let n = negotiated(&observation);
    assert_eq!(sent(n), ders(&[&order[0], &order[1], &order[2]]));
    let a = analyse(n, ORIGIN, &cert);
    assert!(a.misordered);
    assert!(!a.incomplete && !a.untrusted_root);
    // webpki builds the path in any order, so only our flag sees it.
    assert_eq!(a.path_error, None);
}

#[tokio::test]
async fn san_mismatch() {
    let cert = CertBuilder::new(["other.example.com"])
        .intermediates(1)
        .build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    let a = analyse(negotiated(&observation), ORIGIN, &cert);
    assert!(!a.name_matches);
    assert_eq!(a.path_error, None);
}

#[tokio::test]
async fn wildcard_covers_one_label_only() {
    let cert = CertBuilder::new(["*.example.com"]).intermediates(1).build();
    let addr = rustls_server_for(&cert).await;
    let host = "a.example.com";
    let observation = probe(
        &target(host, addr, TLS12),
        &settings(host, addr, Duration::from_secs(10)),
    )
    .await;
    let n = negotiated(&observation);
    assert!(analyse(n, host, &cert).name_matches);
    assert!(!analyse(n, "a.b.example.com", &cert).name_matches);
    assert!(!analyse(n, "example.com", &cert).name_matches);
}

#[tokio::test]
async fn cn_only_certificate_matches_by_cn() {
    let cert = CertBuilder::new([ORIGIN])
        .intermediates(1)
        .cn_only()
        .build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    let n = negotiated(&observation);
    let a = analyse(n, ORIGIN, &cert);
    assert!(
        a.name_matches,
        "CloudFront accepts the CN when there are no SANs"
    );
    assert!(!analyse(n, "other.example.com", &cert).name_matches);
    assert_eq!(a.path_error, None);
}

#[tokio::test]
async fn rsa_leaf_completes_with_ecdhe_rsa() {
    let cert = CertBuilder::new([ORIGIN])
        .key(KeySpec::Rsa2048)
        .intermediates(1)
        .build();
    let observation = probe_at(rustls_server_for(&cert).await, TLS12).await;
    let n = negotiated(&observation);
    assert!(n.cipher_name.starts_with("TLS_ECDHE_RSA_WITH_AES_"));
    assert_eq!(n.completion, Some(Ok(())));
}

// ---- openssl s_server: what rustls does not speak ----

fn rsa_cert() -> IssuedCert {
    CertBuilder::new([ORIGIN])
        .key(KeySpec::Rsa2048)
        .intermediates(1)
        .build()
}

#[tokio::test]
async fn tls10_only_origin_negotiates_tls10_with_a_cbc_suite() {
    let cert = rsa_cert();
    let server = openssl_server(&cert, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;
    let observation = probe_at(server.addr, &[ProtocolVersion::Tls10]).await;
    let n = negotiated(&observation);
    assert_eq!(n.version, ProtocolVersion::Tls10);
    assert_eq!(n.cipher_suite, 0x002F);
    assert_eq!(n.cipher_name, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(n.completion, None, "rustls cannot speak TLS 1.0");
    assert_eq!(sent(n), ders(&[&cert.cert_pem, &cert.chain[0]]));
    assert!(!analyse(n, ORIGIN, &cert).incomplete);
}

#[tokio::test]
async fn tls10_only_origin_answers_a_tls12_only_hello_with_a_version_cloudfront_refuses() {
    let cert = rsa_cert();
    let server = openssl_server(&cert, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;
    let observation = probe_at(server.addr, TLS12).await;
    let n = negotiated(&observation);
    assert_eq!(n.version, ProtocolVersion::Tls10);
    assert!(!observation.target.offers(n.version));
    assert!(observation.target.offers(ProtocolVersion::Tls12));
}

#[tokio::test]
async fn pss_only_origin_refuses_cloudfront_though_it_shares_a_suite() {
    let cert = rsa_cert();
    let server = openssl_server(&cert, &["-tls1_2", "-sigalgs", "RSA-PSS+SHA256"]).await;
    let observation = probe_at(server.addr, TLS12).await;
    let ProbeOutcome::Alert {
        description,
        discovery,
        ..
    } = &observation.outcome
    else {
        panic!("expected an alert, got {:?}", observation.outcome)
    };
    assert_eq!(*description, 40);
    // Discovery (which offers PSS) gets a suite CloudFront also offers: the signatures were the issue.
    let discovery = discovery.as_ref().expect("discovery answered");
    assert_eq!(discovery.version, ProtocolVersion::Tls12);
    assert!(
        cloudfront_tls_audit::tls::is_cloudfront_origin_suite(discovery.cipher_suite),
        "{}",
        discovery.cipher_name
    );
}

#[tokio::test]
async fn tls11_only_origin_negotiates_tls11() {
    let cert = rsa_cert();
    let server = openssl_server(
        &cert,
        &["-tls1_1", "-cipher", "ECDHE-RSA-AES128-SHA@SECLEVEL=0"],
    )
    .await;
    let observation = probe_at(
        server.addr,
        &[ProtocolVersion::Tls11, ProtocolVersion::Tls12],
    )
    .await;
    let n = negotiated(&observation);
    assert_eq!(n.version, ProtocolVersion::Tls11);
    assert_eq!(n.cipher_name, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(n.completion, None);
}

#[tokio::test]
async fn cbc_only_tls12_origin_negotiates_without_completion() {
    let cert = rsa_cert();
    let server = openssl_server(&cert, &["-tls1_2", "-cipher", "AES128-SHA"]).await;
    let observation = probe_at(server.addr, TLS12).await;
    let n = negotiated(&observation);
    assert_eq!(n.version, ProtocolVersion::Tls12);
    assert_eq!(n.cipher_name, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(n.completion, None, "rustls has no CBC or RSA key exchange");
}

#[tokio::test]
async fn chacha_only_origin_refuses_cloudfront_and_discovery_names_the_suite() {
    let cert = rsa_cert();
    let server = openssl_server(
        &cert,
        &["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"],
    )
    .await;
    let observation = probe_at(server.addr, TLS12).await;
    let ProbeOutcome::Alert {
        description,
        name,
        stage,
        discovery,
        ..
    } = &observation.outcome
    else {
        panic!("expected an alert, got {:?}", observation.outcome)
    };
    assert_eq!((*description, name.as_str()), (40, "handshake_failure"));
    assert_eq!(*stage, HandshakeStage::ServerHello);
    let discovery = discovery.as_ref().expect("discovery answered");
    assert_eq!(discovery.version, ProtocolVersion::Tls12);
    assert_eq!(discovery.cipher_suite, 0xCCA8);
    assert_eq!(
        discovery.cipher_name,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    );
}

#[tokio::test]
async fn tls13_only_origin_refuses_cloudfront_and_discovery_sees_tls13() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let server = openssl_server(&cert, &["-tls1_3"]).await;
    let observation = probe_at(
        server.addr,
        &[ProtocolVersion::Tls11, ProtocolVersion::Tls12],
    )
    .await;
    let discovery = match &observation.outcome {
        ProbeOutcome::Alert { discovery, .. } | ProbeOutcome::Closed { discovery, .. } => {
            discovery.clone()
        }
        other => panic!("expected an alert or a close, got {other:?}"),
    };
    let discovery = discovery.expect("discovery answered");
    assert_eq!(discovery.version, ProtocolVersion::Tls13);
    assert!(
        discovery.cipher_name.starts_with("TLS_AES_")
            || discovery.cipher_name.starts_with("TLS_CHACHA20")
    );
}

#[tokio::test]
async fn client_certificate_required() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let server = openssl_server(&cert, &["-tls1_2", "-Verify", "1"]).await;
    let observation = probe_at(server.addr, TLS12).await;
    let n = negotiated(&observation);
    assert!(n.client_certificate_requested);
    // The refusal keeps rustls's kind: the origin's alert, not a string.
    assert!(
        matches!(
            n.completion,
            Some(Err(CompletionError::Tls(rustls::Error::AlertReceived(_))))
        ),
        "CloudFront (without origin mTLS) sends no certificate: {:?}",
        n.completion
    );
}

// ---- TCP-level failures and non-TLS peers ----

#[tokio::test]
async fn silent_server_is_a_handshake_timeout() {
    let addr = silent_server().await;
    let observation = probe(
        &target(ORIGIN, addr, TLS12),
        &settings(ORIGIN, addr, Duration::from_millis(300)),
    )
    .await;
    assert_eq!(
        observation.outcome,
        ProbeOutcome::HandshakeTimeout {
            address: addr,
            stage: HandshakeStage::ServerHello
        }
    );
}

#[tokio::test]
async fn closed_port_is_refused() {
    let addr = closed_port().await;
    let observation = probe_at(addr, TLS12).await;
    assert_eq!(
        observation.outcome,
        ProbeOutcome::ConnectRefused { address: addr }
    );
}

#[tokio::test]
async fn silent_close_is_closed_and_discovery_finds_nothing() {
    let addr = canned_server(b"").await;
    let observation = probe_at(addr, TLS12).await;
    assert_eq!(
        observation.outcome,
        ProbeOutcome::Closed {
            address: addr,
            stage: HandshakeStage::ServerHello,
            discovery: None
        }
    );
}

#[tokio::test]
async fn a_refusing_address_falls_through_to_the_next() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let good = rustls_server_for(&cert).await;
    // The server listens on 127.0.0.1 only, so 127.0.0.2 (also loopback on Linux) refuses.
    let refusing: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    let mut s = settings(ORIGIN, good, Duration::from_secs(10));
    s.resolve[0].addresses = vec![refusing, good.ip()];
    let observation = probe(&target(ORIGIN, good, TLS12), &s).await;
    assert_eq!(observation.addresses, vec![refusing, good.ip()]);
    assert_eq!(negotiated(&observation).address, good);
}

#[tokio::test]
async fn http_server_is_not_tls() {
    let addr = canned_server(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    let observation = probe_at(addr, TLS12).await;
    let ProbeOutcome::NotTls { first_bytes, .. } = &observation.outcome else {
        panic!("expected NotTls, got {:?}", observation.outcome)
    };
    assert!(first_bytes.starts_with("HTTP/1.1 400"), "{first_bytes}");
}

#[tokio::test]
async fn garbage_stream_is_not_tls() {
    let addr = streaming_server(b"", b"\x00\xffgarbage\x13\x37").await;
    let observation = probe_at(addr, TLS12).await;
    assert!(
        matches!(observation.outcome, ProbeOutcome::NotTls { .. }),
        "{:?}",
        observation.outcome
    );
}

#[tokio::test]
async fn huge_fake_record_is_not_tls() {
    let addr = streaming_server(b"\x16\x03\x03\xff\xff", &[0u8; 4096]).await;
    let observation = probe_at(addr, TLS12).await;
    assert!(
        matches!(
            observation.outcome,
            ProbeOutcome::NotTls { .. } | ProbeOutcome::BudgetExceeded { .. }
        ),
        "{:?}",
        observation.outcome
    );
}

#[tokio::test]
async fn endless_handshake_message_exceeds_the_budget() {
    // A ServerHello announced at 16 MiB (beyond any budget), then valid records forever.
    let addr = streaming_server(
        b"\x16\x03\x03\x00\x04\x02\xff\xff\xff",
        b"\x16\x03\x03\x00\x10AAAAAAAAAAAAAAAA",
    )
    .await;
    let observation = probe_at(addr, TLS12).await;
    assert!(
        matches!(
            observation.outcome,
            ProbeOutcome::BudgetExceeded {
                budget: 262_144,
                ..
            }
        ),
        "{:?}",
        observation.outcome
    );

    // Records of unknown handshake messages, each small, stop at the byte budget.
    let addr = streaming_server(
        b"\x16\x03\x03\x00\x2a\x02\x00\x00\x26\x03\x03AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00\x00\x2f\x00",
        b"\x16\x03\x03\x00\x08\x63\x00\x00\x04ABCD",
    )
    .await;
    let mut small = settings(ORIGIN, addr, Duration::from_secs(10));
    small.byte_budget = 64 * 1024;
    let observation = probe(&target(ORIGIN, addr, TLS12), &small).await;
    assert!(
        matches!(
            observation.outcome,
            ProbeOutcome::BudgetExceeded { budget: 65_536, .. }
        ),
        "{:?}",
        observation.outcome
    );
}

#[tokio::test]
async fn unresolvable_name_is_a_dns_failure() {
    let observation = probe(
        &ProbeTarget {
            host: "nonexistent.invalid".to_owned(),
            port: 443,
            sni: "nonexistent.invalid".to_owned(),
            offered_versions: TLS12.to_vec(),
            connect_timeout: Duration::from_secs(2),
        },
        &ProbeSettings {
            deadline: Duration::from_secs(5),
            ..ProbeSettings::default()
        },
    )
    .await;
    assert!(
        matches!(observation.outcome, ProbeOutcome::DnsFailure { .. }),
        "{:?}",
        observation.outcome
    );
    assert!(observation.addresses.is_empty());
}

#[tokio::test]
async fn probe_plan_answers_each_target_by_index() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let good = rustls_server_for(&cert).await;
    let refused = closed_port().await;
    let mut s = settings(ORIGIN, good, Duration::from_secs(10));
    s.resolve.push(ResolveOverride {
        host: ORIGIN.to_owned(),
        port: refused.port(),
        addresses: vec![refused.ip()],
    });
    let a = target(ORIGIN, good, TLS12);
    let b = target(ORIGIN, refused, TLS12);
    // The plan holds each handshake once; the probes answer every target, in order, none dropped.
    let observations = probe_plan(&[a.clone(), b.clone()], &s, 2, None).await;
    assert_eq!(observations.len(), 2);
    let first = observations[0].as_ref().expect("probed");
    assert_eq!(first.target, a);
    assert!(matches!(first.outcome, ProbeOutcome::Negotiated(_)));
    let second = observations[1].as_ref().expect("probed");
    assert_eq!(second.target, b);
    assert!(matches!(
        second.outcome,
        ProbeOutcome::ConnectRefused { .. }
    ));

    // Past the stop time nothing starts, and every target still has its slot.
    let stopped = probe_plan(&[a, b], &s, 2, Some(std::time::Instant::now())).await;
    assert_eq!(stopped.len(), 2);
    assert!(stopped.iter().all(Option::is_none));
}
