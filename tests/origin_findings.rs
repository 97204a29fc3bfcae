//! Every origin code produced against a real server on loopback, and no 502 for the legacy origins
//! CloudFront accepts. The probe runs as CloudFront would; the rules judge what it saw; the test root
//! is trusted the way `--trust-anchor` trusts it.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use cloudfront_tls_audit::finding::{Finding, ViewerImpact};
use cloudfront_tls_audit::plan::TargetUse;
use cloudfront_tls_audit::probe::{probe, ProbeSettings};
use cloudfront_tls_audit::tls::{ProbeTarget, ProtocolVersion};
use support::judged::{judge, probe_origin};
use support::tls_servers::{
    canned_server, closed_port, openssl_server, pem_to_der, rustls_server, rustls_server_for,
    silent_server,
};
use support::{CertBuilder, IssuedCert, KeySpec};
use time::{Duration as TimeDuration, OffsetDateTime};

const ORIGIN: &str = "origin.example.com";
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

/// Probes `sni` at `addr` (ORIGIN resolved to it), offering `versions`, trusting `trusted` roots.
async fn findings_for(
    addr: SocketAddr,
    sni: &str,
    versions: &[ProtocolVersion],
    trusted: &[&IssuedCert],
    deadline: Duration,
) -> Vec<Finding> {
    let trust_anchors: Vec<Vec<u8>> = trusted.iter().map(|c| pem_to_der(&c.root_pem)).collect();
    let (target_use, observation) = probe_origin(ORIGIN, addr, sni, versions, deadline).await;
    judge(&target_use, &observation, &trust_anchors)
}

async fn findings(
    addr: SocketAddr,
    versions: &[ProtocolVersion],
    trusted: &[&IssuedCert],
) -> Vec<Finding> {
    findings_for(addr, ORIGIN, versions, trusted, Duration::from_secs(10)).await
}

#[track_caller]
fn assert_codes(findings: &[Finding], expected: &[&str]) {
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(codes, expected, "{findings:#?}");
    for finding in findings {
        assert!(
            !finding.message.contains('{'),
            "unfilled: {}",
            finding.message
        );
        assert_eq!(finding.distribution_id, None);
    }
}

fn rsa(names: &[&str]) -> IssuedCert {
    CertBuilder::new(names.iter().copied())
        .key(KeySpec::Rsa2048)
        .ca_key(KeySpec::Rsa2048)
        .intermediates(1)
        .build()
}

// ---- Healthy origins, including the legacy ones CloudFront still accepts: no 502 ----

#[tokio::test]
async fn a_healthy_origin_has_no_finding() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    assert_codes(
        &findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await,
        &[],
    );
}

#[tokio::test]
async fn tls10_with_aes128_sha_is_fine_when_the_distribution_allows_tls10() {
    let cert = rsa(&[ORIGIN]);
    let server = openssl_server(&cert, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;
    let allowed = [
        ProtocolVersion::Tls10,
        ProtocolVersion::Tls11,
        ProtocolVersion::Tls12,
    ];
    assert_codes(&findings(server.addr, &allowed, &[&cert]).await, &[]);
}

#[tokio::test]
async fn tls11_only_is_fine_when_allowed() {
    let cert = rsa(&[ORIGIN]);
    let server = openssl_server(&cert, &["-tls1_1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;
    let allowed = [ProtocolVersion::Tls11, ProtocolVersion::Tls12];
    assert_codes(&findings(server.addr, &allowed, &[&cert]).await, &[]);
}

#[tokio::test]
async fn aes128_sha_only_on_tls12_is_fine() {
    let cert = rsa(&[ORIGIN]);
    let server = openssl_server(&cert, &["-tls1_2", "-cipher", "AES128-SHA"]).await;
    assert_codes(&findings(server.addr, TLS12, &[&cert]).await, &[]);
}

#[tokio::test]
async fn a_wildcard_covering_the_origin_is_fine_and_one_label_only() {
    let cert = CertBuilder::new(["*.example.com"]).intermediates(1).build();
    let addr = rustls_server_for(&cert).await;
    assert_codes(&findings(addr, TLS12, &[&cert]).await, &[]);
    let deeper = findings_for(
        addr,
        "a.origin.example.com",
        TLS12,
        &[&cert],
        Duration::from_secs(10),
    )
    .await;
    assert_codes(&deeper, &["origin-cert-name-mismatch"]);
}

#[tokio::test]
async fn a_cn_only_certificate_is_accepted_as_cloudfront_does() {
    let cert = CertBuilder::new([ORIGIN])
        .cn_only()
        .intermediates(1)
        .build();
    assert_codes(
        &findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await,
        &[],
    );
}

// ---- Reachability ----

#[tokio::test]
async fn an_origin_name_that_does_not_resolve_is_a_502() {
    let target = ProbeTarget {
        host: "nonexistent.invalid".into(),
        port: 443,
        sni: "nonexistent.invalid".into(),
        offered_versions: TLS12.to_vec(),
        connect_timeout: Duration::from_secs(1),
    };
    let observation = probe(&target, &ProbeSettings::default()).await;
    let findings = judge(&TargetUse::standalone(0, &target), &observation, &[]);
    assert_codes(&findings, &["origin-dns-failure"]);
    assert_eq!(findings[0].viewer_impact, ViewerImpact::BadGateway);
}

#[tokio::test]
async fn a_closed_port_is_refused_502() {
    let findings = findings(closed_port().await, TLS12, &[]).await;
    assert_codes(&findings, &["origin-connect-refused"]);
    assert_eq!(findings[0].viewer_impact, ViewerImpact::BadGateway);
}

#[tokio::test]
async fn a_port_whose_accept_queue_is_full_times_out_504() {
    // A listener that never accepts, with its backlog filled: the kernel drops further SYNs, which
    // is what a firewall that silently drops packets looks like from CloudFront.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let mut held = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(stream)) = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            held.push(stream);
        }
    }
    let findings = findings_for(addr, ORIGIN, TLS12, &[], Duration::from_secs(5)).await;
    assert_codes(&findings, &["origin-connect-timeout"]);
    assert_eq!(findings[0].viewer_impact, ViewerImpact::GatewayTimeout);
    drop((held, listener));
}

#[tokio::test]
async fn a_listener_that_never_answers_is_a_handshake_timeout_504() {
    let findings = findings_for(
        silent_server().await,
        ORIGIN,
        TLS12,
        &[],
        Duration::from_millis(300),
    )
    .await;
    assert_codes(&findings, &["origin-handshake-timeout"]);
    assert_eq!(findings[0].viewer_impact, ViewerImpact::GatewayTimeout);
}

// ---- Protocols and ciphers ----

#[tokio::test]
async fn a_tls13_only_origin_is_a_protocol_mismatch() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let server = openssl_server(&cert, &["-tls1_3"]).await;
    let findings = findings(server.addr, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-tls-protocol-mismatch"]);
    assert_eq!(findings[0].evidence["origin_version"], "TLSv1.3");
}

#[tokio::test]
async fn a_tls10_only_origin_is_a_mismatch_when_the_distribution_allows_only_tls12() {
    let cert = rsa(&[ORIGIN]);
    let server = openssl_server(&cert, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]).await;
    let findings = findings(server.addr, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-tls-protocol-mismatch"]);
    assert_eq!(findings[0].evidence["origin_version"], "TLSv1");
    assert!(findings[0].remediation[0].contains("add TLSv1"));
}

#[tokio::test]
async fn a_chacha20_only_origin_shares_no_cipher() {
    let cert = rsa(&[ORIGIN]);
    let server = openssl_server(
        &cert,
        &["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"],
    )
    .await;
    let findings = findings(server.addr, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-tls-no-shared-cipher"]);
    assert_eq!(
        findings[0].evidence["origin_cipher"],
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    );
}

#[tokio::test]
async fn a_client_certificate_demand_fails_the_handshake() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let server = openssl_server(&cert, &["-tls1_2", "-Verify", "1"]).await;
    let findings = findings(server.addr, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-handshake-failed"]);
    assert!(findings[0].message.contains("client certificate"));
}

#[tokio::test]
async fn plain_http_on_the_https_port_is_not_tls() {
    let addr = canned_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
    let findings = findings(addr, TLS12, &[]).await;
    assert_codes(&findings, &["origin-handshake-failed"]);
    assert!(findings[0].message.contains("does not speak TLS"));
}

// ---- Certificates ----

#[tokio::test]
async fn an_expired_leaf_is_a_502() {
    let cert = CertBuilder::new([ORIGIN])
        .intermediates(1)
        .expires_in_days(-2)
        .build();
    let findings = findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-expired"]);
    assert_eq!(findings[0].evidence["position"], "leaf");
    assert_eq!(
        findings[0].evidence["certificates"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn a_leaf_not_valid_yet_is_a_502() {
    let now = OffsetDateTime::now_utc();
    let cert = CertBuilder::new([ORIGIN])
        .intermediates(1)
        .validity(now + TimeDuration::days(3), now + TimeDuration::days(90))
        .build();
    let findings = findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-not-yet-valid"]);
}

#[tokio::test]
async fn a_leaf_expiring_within_14_days_is_high() {
    let cert = CertBuilder::new([ORIGIN])
        .intermediates(1)
        .expires_in_days(10)
        .build();
    let findings = findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-expiring"]);
    assert_eq!(findings[0].severity.as_str(), "high");
    assert_eq!(findings[0].viewer_impact, ViewerImpact::None);
}

#[tokio::test]
async fn a_self_signed_leaf_is_a_502() {
    let cert = CertBuilder::new([ORIGIN]).self_signed().build();
    let findings = findings(rustls_server_for(&cert).await, TLS12, &[]).await;
    assert_codes(&findings, &["origin-cert-self-signed"]);
}

#[tokio::test]
async fn a_private_root_is_untrusted() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    // The server sends leaf, intermediate and its private root; nothing is trusted.
    let mut chain = vec![cert.cert_pem.clone()];
    chain.extend(cert.chain.iter().cloned());
    chain.push(cert.root_pem.clone());
    let findings = findings(rustls_server(&chain, &cert.key_pem).await, TLS12, &[]).await;
    assert_codes(&findings, &["origin-cert-untrusted-root"]);
}

#[tokio::test]
async fn a_missing_intermediate_makes_the_chain_incomplete() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let addr = rustls_server(std::slice::from_ref(&cert.cert_pem), &cert.key_pem).await;
    let findings = findings(addr, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-chain-incomplete"]);
}

#[tokio::test]
async fn a_chain_out_of_order_is_misordered() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(2).build();
    let mut chain = vec![cert.cert_pem.clone()];
    chain.extend(cert.chain.iter().rev().cloned());
    let findings = findings(rustls_server(&chain, &cert.key_pem).await, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-chain-misordered"]);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_name_mismatch() {
    let cert = CertBuilder::new(["other.example.net"])
        .intermediates(1)
        .build();
    let findings = findings(rustls_server_for(&cert).await, TLS12, &[&cert]).await;
    assert_codes(&findings, &["origin-cert-name-mismatch"]);
    assert_eq!(
        findings[0].evidence["certificate_names"],
        serde_json::json!(["other.example.net"])
    );
}
