//! Hostile origins and local faults: silence, trickles, floods, lying lengths, records of the wrong
//! type, alert storms, a full accept backlog, unsolicited ServerHello extensions, descriptor
//! exhaustion and a black-holed resolver.
//!
//! Each case runs the real pipeline (`audit::run` for one origin, or the CLI binary) against a
//! loopback server and asserts four things: it ends within the probe deadline plus a generous
//! margin, nothing panics, the finding has the right class, and nothing is dropped (every target
//! gets a verdict or an `audit-incomplete`). Oversized and adversarial chains and huge names are in
//! the chain and sanitiser tests.

mod support;

use std::net::SocketAddr;
use std::process::Output;
use std::time::{Duration, Instant};

use cloudfront_tls_audit::audit::{
    run, AuditRequest, NoAccount, OriginRequest, ProbeOptions, Subject,
};
use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::probe::{
    probe_edges_within, probe_plan, probe_plan_within, ProbeLimit, ProbeSettings, ResolveOverride,
};
use cloudfront_tls_audit::report::Report;
use cloudfront_tls_audit::rules::ExpiryThresholds;
use cloudfront_tls_audit::tls::{ProbeOutcome, ProbeTarget, ProtocolVersion};
use serde_json::Value;
use support::hostile_servers::*;
use support::tls_servers::{rustls_server_for, silent_server, streaming_server};
use support::CertBuilder;
use time::OffsetDateTime;

const ORIGIN: &str = "origin.example.com";

/// The probe deadline of these tests.
const DEADLINE: Duration = Duration::from_secs(2);

/// How far past the deadline a run may end: generous, so a loaded machine never fails a test that
/// would still catch a hang (the bugs fixed here took 10 s to minutes).
const MARGIN: Duration = Duration::from_secs(5);

fn settings(ports: &[u16]) -> ProbeSettings {
    ProbeSettings {
        deadline: DEADLINE,
        resolve: ports
            .iter()
            .map(|port| ResolveOverride {
                host: ORIGIN.to_owned(),
                port: *port,
                addresses: vec!["127.0.0.1".parse().expect("literal")],
            })
            .collect(),
        ..ProbeSettings::default()
    }
}

fn target(addr: SocketAddr) -> ProbeTarget {
    ProbeTarget {
        host: ORIGIN.to_owned(),
        port: addr.port(),
        sni: ORIGIN.to_owned(),
        offered_versions: vec![ProtocolVersion::Tls12],
        connect_timeout: Duration::from_secs(1),
    }
}

/// `probe ORIGIN:PORT` through the pipeline (what the CLI's `probe` runs), timed.
async fn audit(addr: SocketAddr) -> (Report, Duration) {
    let request = AuditRequest {
        subject: Subject::Origin(OriginRequest {
            host: ORIGIN.to_owned(),
            port: addr.port(),
            snis: Vec::new(),
            offered_versions: vec![ProtocolVersion::Tls12],
            connect_timeout: Duration::from_secs(1),
        }),
        now: OffsetDateTime::now_utc(),
        notes: Vec::new(),
        probe: Some(ProbeOptions {
            settings: settings(&[addr.port()]),
            ..ProbeOptions::default()
        }),
        thresholds: ExpiryThresholds::default(),
    };
    let started = Instant::now();
    let report = run(&NoAccount, &request).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed <= DEADLINE + MARGIN,
        "took {elapsed:?}, deadline {DEADLINE:?}"
    );
    // Nothing dropped: the one handshake planned has its observation.
    assert_eq!(report.origin_probes.len(), 1, "{report:?}");
    (report, elapsed)
}

/// The report's findings of `code`; fails when there is none.
fn findings<'a>(report: &'a Report, code: &str) -> Vec<&'a Finding> {
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == code)
        .collect();
    assert!(
        !found.is_empty(),
        "no {code} in {:?}",
        report
            .findings
            .iter()
            .map(|f| (f.code.as_str(), &f.message))
            .collect::<Vec<_>>()
    );
    found
}

fn outcome(report: &Report) -> &ProbeOutcome {
    &report.origin_probes[0].observation.outcome
}

// ---- silence, trickles, stalls ----

#[tokio::test]
async fn silence_after_accept_is_a_handshake_timeout_at_the_deadline() {
    let (report, _) = audit(silent_server().await).await;
    assert!(matches!(
        outcome(&report),
        ProbeOutcome::HandshakeTimeout { .. }
    ));
    let timeout = findings(&report, "origin-handshake-timeout");
    assert_eq!(timeout[0].viewer_impact.as_str(), "504");
}

#[tokio::test]
async fn a_trickle_of_well_formed_bytes_is_cut_off_at_the_deadline() {
    // A valid ServerHello record, one byte every 50 ms, repeated: never a whole flight.
    let answer = record(HANDSHAKE, &server_hello(AES128_SHA, &[]));
    let (report, elapsed) = audit(trickle(answer, Duration::from_millis(50)).await).await;
    assert!(
        matches!(outcome(&report), ProbeOutcome::HandshakeTimeout { .. }),
        "{:?}",
        outcome(&report)
    );
    findings(&report, "origin-handshake-timeout");
    assert!(
        elapsed >= DEADLINE - Duration::from_millis(100),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_record_longer_than_what_follows_stalls_into_a_timeout() {
    // The header claims 16,384 bytes, 100 arrive, then nothing.
    let lie = record_claiming(HANDSHAKE, 16_384, &[0x02; 100]);
    let (report, _) = audit(answering(lie, Then::Stall).await).await;
    assert!(matches!(
        outcome(&report),
        ProbeOutcome::HandshakeTimeout { .. }
    ));
    findings(&report, "origin-handshake-timeout");
}

// ---- floods and alert storms ----

#[tokio::test]
async fn a_flood_of_change_cipher_spec_records_stops_at_the_byte_budget() {
    let addr = streaming_server(b"", &[CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1]).await;
    let (report, _) = audit(addr).await;
    assert!(matches!(
        outcome(&report),
        ProbeOutcome::BudgetExceeded { .. }
    ));
    let failed = findings(&report, "origin-handshake-failed");
    assert!(
        failed[0].message.contains("sent more than"),
        "{}",
        failed[0].message
    );
}

#[tokio::test]
async fn a_storm_of_warning_alerts_stops_at_the_byte_budget() {
    // unrecognized_name warnings do not end a handshake, so a storm of them must end somewhere.
    let addr = streaming_server(b"", &[ALERT, 3, 3, 0, 2, 1, 112]).await;
    let (report, _) = audit(addr).await;
    assert!(matches!(
        outcome(&report),
        ProbeOutcome::BudgetExceeded { .. }
    ));
    findings(&report, "origin-handshake-failed");
}

#[tokio::test]
async fn a_storm_of_fatal_alerts_ends_at_the_first() {
    let addr = streaming_server(b"", &[ALERT, 3, 3, 0, 2, 2, 40]).await;
    let (report, _) = audit(addr).await;
    let ProbeOutcome::Alert { name, .. } = outcome(&report) else {
        panic!("{:?}", outcome(&report))
    };
    assert_eq!(name, "handshake_failure");
    findings(&report, "origin-handshake-failed");
}

#[tokio::test]
async fn endless_records_after_a_server_hello_stop_at_the_byte_budget() {
    let hello = record(HANDSHAKE, &server_hello(AES128_SHA, &[]));
    let prefix: &'static [u8] = Box::leak(hello.into_boxed_slice());
    // Handshake messages of an unknown type, forever.
    let addr = streaming_server(prefix, &[HANDSHAKE, 3, 3, 0, 8, 0x63, 0, 0, 4, 1, 2, 3, 4]).await;
    let (report, _) = audit(addr).await;
    assert!(matches!(
        outcome(&report),
        ProbeOutcome::BudgetExceeded { .. }
    ));
    findings(&report, "origin-handshake-failed");
}

// ---- lying lengths and wrong record types ----

#[tokio::test]
async fn a_record_cut_short_by_a_close_is_a_closed_handshake() {
    let lie = record_claiming(HANDSHAKE, 100, &[0x02; 50]);
    let (report, _) = audit(answering(lie, Then::Close).await).await;
    assert!(
        matches!(outcome(&report), ProbeOutcome::Closed { .. }),
        "{:?}",
        outcome(&report)
    );
    findings(&report, "origin-handshake-failed");
}

#[tokio::test]
async fn lying_lengths_inside_the_handshake_are_a_malformed_handshake() {
    // The extensions block claims 200 bytes where 4 follow.
    let mut lying_extensions = 200u16.to_be_bytes().to_vec();
    lying_extensions.extend_from_slice(&[0, 0x17, 0, 0]);
    let mut hello = server_hello_with_raw_extensions(AES128_SHA, &[]);
    // Replace the (empty) extensions block with the lying one, keeping the message length honest.
    hello.truncate(hello.len() - 2);
    hello.extend_from_slice(&lying_extensions);
    let len = u32::try_from(hello.len() - 4).expect("small").to_be_bytes();
    hello[1..4].copy_from_slice(&len[1..]);
    // A certificate entry claiming more bytes than its list holds.
    let lying_certificate = vec![11, 0, 0, 7, 0, 0, 4, 0, 0, 0x40, 0xAA];
    let honest_hello = server_hello(AES128_SHA, &[]);
    let mut second = honest_hello.clone();
    second.extend(lying_certificate);
    for (answer, what) in [
        (record(HANDSHAKE, &hello), "ServerHello extensions"),
        (record(HANDSHAKE, &second), "certificate"),
    ] {
        let (report, _) = audit(answering(answer, Then::Stall).await).await;
        let ProbeOutcome::Malformed { detail, .. } = outcome(&report) else {
            panic!("{what}: {:?}", outcome(&report))
        };
        assert!(detail.contains(what), "{what}: {detail}");
        let failed = findings(&report, "origin-handshake-failed");
        assert!(
            failed[0].message.contains("malformed TLS handshake"),
            "{}",
            failed[0].message
        );
        assert_eq!(failed[0].viewer_impact.as_str(), "502");
    }
}

#[tokio::test]
async fn records_of_the_wrong_content_type_are_a_malformed_handshake() {
    let mut after_hello = record(HANDSHAKE, &server_hello(AES128_SHA, &[]));
    after_hello.extend(record(99, b"what is this"));
    for (answer, what) in [
        (record(APPLICATION_DATA, b"early data"), "application data"),
        (after_hello, "record type"),
    ] {
        let (report, _) = audit(answering(answer, Then::Stall).await).await;
        let ProbeOutcome::Malformed { detail, .. } = outcome(&report) else {
            panic!("{what}: {:?}", outcome(&report))
        };
        assert!(detail.contains(what), "{what}: {detail}");
        findings(&report, "origin-handshake-failed");
    }
}

// ---- a full accept backlog ----

#[tokio::test]
async fn a_full_accept_backlog_is_a_timeout_of_the_origin_not_a_hang() {
    let (addr, _guard) = full_backlog().await;
    let (report, _) = audit(addr).await;
    // Dropped SYNs time the connect out; a connection the kernel queued hears nothing.
    match outcome(&report) {
        ProbeOutcome::ConnectTimeout { .. } => {
            findings(&report, "origin-connect-timeout");
        }
        ProbeOutcome::HandshakeTimeout { .. } => {
            findings(&report, "origin-handshake-timeout");
        }
        other => panic!("{other:?}"),
    }
}

// ---- unsolicited ServerHello extensions ----

#[tokio::test]
async fn an_unsolicited_extension_fails_the_handshake_and_names_the_extension() {
    // ALPN (16) was never offered by CloudFront's hello.
    let hello = server_hello(AES128_SHA, &[(0xFF01, &[0]), (16, &[0, 3, 2, b'h', b'2'])]);
    let (report, _) = audit(answering(flight_with(hello), Then::Close).await).await;
    let ProbeOutcome::UnsolicitedExtension {
        extension,
        extension_name,
        ..
    } = outcome(&report)
    else {
        panic!("{:?}", outcome(&report))
    };
    assert_eq!(*extension, 16);
    assert_eq!(extension_name, "application_layer_protocol_negotiation");
    let failed = findings(&report, "origin-handshake-failed");
    assert_eq!(
        failed.len(),
        1,
        "the chain of a refused hello is not judged"
    );
    assert_eq!(failed[0].evidence["extension"], 16);
    assert_eq!(
        failed[0].evidence["extension_name"],
        "application_layer_protocol_negotiation"
    );
    assert!(
        failed[0].message.contains("never offered"),
        "{}",
        failed[0].message
    );
    assert_eq!(failed[0].viewer_impact.as_str(), "502");
    assert!(report.origin_probes[0].failure.is_some(), "not a pass");
}

#[tokio::test]
async fn an_unsolicited_supported_versions_is_not_read_as_tls13() {
    // CloudFront never offers TLS 1.3 to origins, so it never sends supported_versions.
    let hello = server_hello(0x1301, &[(43, &[3, 4])]);
    let (report, _) = audit(answering(record(HANDSHAKE, &hello), Then::Stall).await).await;
    assert!(
        matches!(
            outcome(&report),
            ProbeOutcome::UnsolicitedExtension { extension: 43, .. }
        ),
        "{:?}",
        outcome(&report)
    );
    let failed = findings(&report, "origin-handshake-failed");
    assert_eq!(failed[0].evidence["extension_name"], "supported_versions");
}

#[tokio::test]
async fn offered_extensions_in_the_answer_are_accepted() {
    // renegotiation_info, ec_point_formats, extended_master_secret: all offered.
    let hello = server_hello(AES128_SHA, &[(0xFF01, &[0]), (11, &[1, 0]), (23, &[])]);
    let (report, _) = audit(answering(flight_with(hello), Then::Close).await).await;
    assert!(
        matches!(outcome(&report), ProbeOutcome::Negotiated(_)),
        "{:?}",
        outcome(&report)
    );
    assert!(report
        .findings
        .iter()
        .all(|f| !f.message.contains("never offered")));
}

// ---- nothing dropped: every hostile origin at once ----

#[tokio::test]
async fn every_hostile_origin_at_once_gets_a_verdict_within_the_deadline() {
    let unsolicited = server_hello(AES128_SHA, &[(16, &[0, 3, 2, b'h', b'2'])]);
    let (backlogged, _backlog) = full_backlog().await;
    let addrs = [
        silent_server().await,
        trickle(
            record(HANDSHAKE, &server_hello(AES128_SHA, &[])),
            Duration::from_millis(50),
        )
        .await,
        streaming_server(b"", &[ALERT, 3, 3, 0, 2, 1, 112]).await,
        streaming_server(b"", &[CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1]).await,
        answering(record_claiming(HANDSHAKE, 100, &[2; 50]), Then::Close).await,
        answering(record(APPLICATION_DATA, b"early"), Then::Stall).await,
        answering(flight_with(unsolicited), Then::Close).await,
        backlogged,
    ];
    let targets: Vec<ProbeTarget> = addrs.iter().map(|a| target(*a)).collect();
    let ports: Vec<u16> = addrs.iter().map(SocketAddr::port).collect();
    let started = Instant::now();
    // Fewer slots than targets: the slow ones must not hold back the rest past the bound.
    let observations = probe_plan(&targets, &settings(&ports), 4, None).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed <= DEADLINE * 2 + MARGIN,
        "took {elapsed:?} for {} targets",
        targets.len()
    );
    assert_eq!(observations.len(), targets.len());
    for (observation, target) in observations.iter().zip(&targets) {
        let observation = observation.as_ref().expect("every target is probed");
        assert_eq!(&observation.target, target, "answers stay in plan order");
        assert!(
            !matches!(
                observation.outcome,
                ProbeOutcome::Negotiated(_) | ProbeOutcome::ConnectRefused { .. }
            ),
            "no hostile origin passes, and each one is there: {:?}",
            observation.outcome
        );
    }
}

#[tokio::test]
async fn origin_and_edge_probes_under_one_limit_all_answer() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let good = rustls_server_for(&cert).await;
    let silent = silent_server().await;
    let targets = vec![target(good), target(silent), target(good)];
    let edges = vec![target(good), target(silent)];
    let s = settings(&[good.port(), silent.port()]);
    let limit = ProbeLimit::new(2);
    let started = Instant::now();
    let (origins, edge) = futures::join!(
        probe_plan_within(&targets, &s, &limit, None),
        probe_edges_within(&edges, &s, &limit, None),
    );
    assert!(started.elapsed() <= DEADLINE * 3 + MARGIN);
    assert!(origins.iter().all(Option::is_some));
    assert!(edge.iter().all(Option::is_some));
    assert!(matches!(
        origins[0].as_ref().map(|o| &o.outcome),
        Some(ProbeOutcome::Negotiated(_))
    ));
    assert!(matches!(
        origins[1].as_ref().map(|o| &o.outcome),
        Some(ProbeOutcome::HandshakeTimeout { .. })
    ));
}

// ---- local faults: the CLI in a child process ----

/// Runs the CLI binary (optionally under `prlimit`), timed; the loopback servers keep running.
async fn cli(prefix: &[&str], args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let binary = env!("CARGO_BIN_EXE_cloudfront-tls-audit");
    let mut command = match prefix.split_first() {
        Some((program, rest)) => {
            let mut c = tokio::process::Command::new(program);
            c.args(rest).arg(binary);
            c
        }
        None => tokio::process::Command::new(binary),
    };
    command
        .env_remove("CLOUDFRONT_TLS_AUDIT_RESOLVE")
        .env_remove("CLOUDFRONT_TLS_AUDIT_CONNECT_TO")
        .env_remove("CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR")
        .env_remove("CLOUDFRONT_TLS_AUDIT_NAMESERVERS")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .args(args)
        .kill_on_drop(true);
    let started = Instant::now();
    let output = command.output().await.expect("the CLI runs");
    (output, started.elapsed())
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn json_findings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == code)
        .collect()
}

#[tokio::test]
async fn descriptor_exhaustion_is_audit_incomplete_never_a_refused_origin() {
    // An origin that accepts every connection; the CLI may open only a few descriptors.
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let addr = rustls_server_for(&cert).await;
    let snis: Vec<String> = (0..24).map(|i| format!("s{i}.example.com")).collect();
    let target = format!("{ORIGIN}:{}", addr.port());
    let resolve = format!("{ORIGIN}:{}:127.0.0.1", addr.port());
    let mut args = vec![
        "probe",
        target.as_str(),
        "--resolve",
        resolve.as_str(),
        "--probe-concurrency",
        "24",
        "--timeout",
        "5",
        "--format",
        "json",
    ];
    for sni in &snis {
        args.extend(["--sni", sni.as_str()]);
    }
    // Enough descriptors to start (stdio, the runtime's epoll and wakers), too few for 24 sockets.
    let (output, elapsed) = cli(&["prlimit", "--nofile=20:20", "--"], &args, &[]).await;
    assert!(
        elapsed <= Duration::from_secs(5) + MARGIN,
        "took {elapsed:?}"
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{output:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert!(
        json_findings(&report, "origin-connect-refused").is_empty(),
        "a local fault was blamed on the origin: {report:#}"
    );
    let incomplete = json_findings(&report, "audit-incomplete");
    assert!(
        !incomplete.is_empty(),
        "descriptors never ran out: {report:#}"
    );
    for finding in &incomplete {
        assert_eq!(finding["evidence"]["failure"], "local-fault");
        assert!(
            matches!(
                finding["evidence"]["error"].as_str(),
                Some("EMFILE" | "ENFILE")
            ),
            "{finding:#}"
        );
        assert_eq!(finding["viewer_impact"], "none");
        let message = finding["message"].as_str().unwrap_or_default();
        assert!(message.contains("could not open a connection"), "{message}");
    }
    // Nothing dropped: every SNI has its probe, each negotiated or a local fault.
    let probes = report["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), snis.len());
    for probe in probes {
        let kind = probe["outcome"]["kind"].as_str().unwrap_or_default();
        assert!(matches!(kind, "negotiated" | "local-fault"), "{probe:#}");
        if kind == "local-fault" {
            assert!(
                probe["verdict"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("not judged")),
                "{probe:#}"
            );
        }
    }
}

/// `probe` of a name that only DNS can resolve, 2 s deadline, JSON.
const PROBE_BY_NAME: [&str; 6] = [
    "probe",
    "origin.example.com:443",
    "--timeout",
    "2",
    "--format",
    "json",
];

#[tokio::test]
async fn a_black_holed_resolver_is_reported_at_the_deadline_and_the_cli_exits_promptly() {
    let (nameserver, _guard) = black_hole_resolver().await;
    let nameservers = nameserver.to_string();
    let (output, elapsed) = cli(
        &[],
        &PROBE_BY_NAME,
        &[("CLOUDFRONT_TLS_AUDIT_NAMESERVERS", &nameservers)],
    )
    .await;
    // A blocking getaddrinfo thread left behind kept the process alive for 10 s after its 2 s
    // deadline; the async resolver's sockets close with the probe.
    assert!(
        elapsed <= Duration::from_secs(2) + MARGIN,
        "exited after {elapsed:?}"
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    let dns = json_findings(&report, "origin-dns-failure");
    assert_eq!(dns.len(), 1, "{report:#}");
    let detail = dns[0]["evidence"]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("deadline"), "{detail}");
    assert!(
        detail.contains(&nameservers),
        "names the resolver it asked: {detail}"
    );
}

#[tokio::test]
async fn no_nameserver_at_all_is_audit_incomplete_and_literals_still_work() {
    let cert = CertBuilder::new([ORIGIN]).intermediates(1).build();
    let addr = rustls_server_for(&cert).await;
    let empty = [("CLOUDFRONT_TLS_AUDIT_NAMESERVERS", "")];
    let (output, elapsed) = cli(&[], &PROBE_BY_NAME, &empty).await;
    assert!(elapsed <= Duration::from_secs(2) + MARGIN);
    let report = json(&output);
    assert!(
        json_findings(&report, "origin-dns-failure").is_empty(),
        "{report:#}"
    );
    let incomplete = json_findings(&report, "audit-incomplete");
    assert_eq!(incomplete.len(), 1, "{report:#}");
    assert!(incomplete[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("could not resolve origin.example.com")));
    assert!(incomplete[0]["remediation"][1]
        .as_str()
        .is_some_and(|r| r.contains("--resolve")));

    // An IP address needs no resolver: the probe reaches the origin.
    let literal = format!("127.0.0.1:{}", addr.port());
    let (output, _) = cli(
        &[],
        &[
            "probe",
            &literal,
            "--sni",
            ORIGIN,
            "--timeout",
            "2",
            "--format",
            "json",
        ],
        &empty,
    )
    .await;
    let report = json(&output);
    assert_eq!(
        report["probes"][0]["outcome"]["kind"], "negotiated",
        "{report:#}"
    );
}
