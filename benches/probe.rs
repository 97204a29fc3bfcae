//! Origin probes against local TLS servers (issue #3): time to a verdict, throughput at concurrency 64
//! and peak memory of a 1,000-origin sweep, measured in the same run as an `openssl s_client` loop
//! reaching a verdict on the same origins.
//!
//! Targets: at least 10 times the throughput of the sequential openssl loop; a 1,000-origin sweep
//! within 64 MB peak memory (VmHWM of a child process that only sweeps, so the servers' memory, which
//! lives in this process, does not count).
//!
//! Run with `make bench` (`cargo bench --locked --bench probe`); results are recorded in
//! docs/benchmarks.md. Everything listens and connects on 127.0.0.1 only.

#[path = "common/heap.rs"]
mod heap;

#[allow(dead_code)]
#[path = "../tests/support/certs.rs"]
mod certs;
#[allow(dead_code)]
#[path = "../tests/support/tls_servers.rs"]
mod tls_servers;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use heap::{heap_peak_reset, HEAP_LIVE, HEAP_PEAK};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use certs::{CertBuilder, IssuedCert, KeySpec};
use cloudfront_tls_audit::finding::Finding;
use cloudfront_tls_audit::plan::TargetUse;
use cloudfront_tls_audit::probe::{probe, probe_plan, ProbeSettings, ResolveOverride};
use cloudfront_tls_audit::rules::{analyse_observation, judge_origin_probe};
use cloudfront_tls_audit::tls::{Observation, ProbeTarget, ProtocolVersion};
use time::OffsetDateTime;
use tls_servers::{pem_to_der, require_openssl, rustls_server};

/// Targets in the sweep (spread evenly over the servers, each with its own SNI name).
const SWEEP_TARGETS: usize = 1_000;
/// Probes in flight during the sweep (the CLI's `--probe-concurrency` default is the same order).
const CONCURRENCY: usize = 64;
/// In-process sweeps; the median wall time is reported.
const SWEEP_RUNS: usize = 5;
/// Sequential single probes timed for the median / p95 time to a verdict.
const SINGLE_PROBES: usize = 200;
/// Sequential `openssl s_client` runs (a sample of the sweep's targets, every fifth).
const OPENSSL_SEQUENTIAL: usize = 200;
/// Throughput target relative to the sequential openssl loop.
const THROUGHPUT_FACTOR: f64 = 10.0;
/// Peak-memory target for the 1,000-origin sweep.
const PEAK_MEMORY_KB: u64 = 64 * 1024;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const CHILD_FLAG: &str = "--probe-sweep-child";

fn kb(bytes: usize) -> usize {
    bytes.div_ceil(1024)
}

/// One local origin: what it serves and where.
struct Origin {
    kind: &'static str,
    zone: String,
    port: u16,
    healthy: bool,
}

/// The origins' certificates: the healthy ones send leaf + intermediate; the broken ones are expired,
/// for another name, self-signed, or missing their intermediate.
fn origin_certs() -> Vec<(&'static str, bool, IssuedCert, bool)> {
    // (kind, healthy, certificate, send the intermediate)
    let zone = |kind: &str| format!("*.{kind}.bench.example.com");
    // Each origin's CAs get their own names, as roots in a real trust store have.
    let builder = |kind: &str, names: &[String]| CertBuilder::new(names.to_vec()).ca_name(kind);
    vec![
        (
            "healthy-ec-1",
            true,
            builder("healthy-ec-1", &[zone("healthy-ec-1")])
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "healthy-ec-2",
            true,
            builder("healthy-ec-2", &[zone("healthy-ec-2")])
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "healthy-rsa-1",
            true,
            builder("healthy-rsa-1", &[zone("healthy-rsa-1")])
                .key(KeySpec::Rsa2048)
                .ca_key(KeySpec::Rsa2048)
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "healthy-rsa-2",
            true,
            builder("healthy-rsa-2", &[zone("healthy-rsa-2")])
                .key(KeySpec::Rsa2048)
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "expired",
            false,
            builder("expired", &[zone("expired")])
                .expires_in_days(-10)
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "wrong-name",
            false,
            builder("wrong-name", &["other.example.net".to_owned()])
                .intermediates(1)
                .build(),
            true,
        ),
        (
            "self-signed",
            false,
            builder("self-signed", &[zone("self-signed")])
                .self_signed()
                .build(),
            true,
        ),
        (
            "no-intermediate",
            false,
            builder("no-intermediate", &[zone("no-intermediate")])
                .intermediates(1)
                .build(),
            false,
        ),
    ]
}

fn target(host: String, port: u16) -> ProbeTarget {
    ProbeTarget {
        sni: host.clone(),
        host,
        port,
        offered_versions: vec![ProtocolVersion::Tls12],
        connect_timeout: Duration::from_secs(5),
    }
}

fn settings(targets: &[ProbeTarget]) -> ProbeSettings {
    ProbeSettings {
        resolve: targets
            .iter()
            .map(|t| ResolveOverride {
                host: t.host.clone(),
                port: t.port,
                addresses: vec![LOOPBACK],
            })
            .collect(),
        ..ProbeSettings::default()
    }
}

/// The rules' verdict on one observation, as the `probe` command reaches it: the chain analysed once,
/// trusting `anchors`.
fn judge(observation: &Observation, anchors: &[Vec<u8>], now: OffsetDateTime) -> Vec<Finding> {
    let analysis = analyse_observation(observation, now, anchors);
    let target_use = TargetUse::standalone(0, &observation.target);
    judge_origin_probe(
        &target_use,
        observation,
        analysis.as_ref(),
        now,
        &Default::default(),
    )
}

/// The anchors file (PEM roots, also openssl's `-CAfile`) and targets file (`host port` lines) for the
/// child.
fn write_inputs(dir: &Path, roots: &[String], targets: &[ProbeTarget]) {
    std::fs::write(dir.join("anchors.pem"), roots.concat()).expect("write anchors.pem");
    let lines: String = targets
        .iter()
        .map(|t| format!("{} {}\n", t.host, t.port))
        .collect();
    std::fs::write(dir.join("targets.txt"), lines).expect("write targets.txt");
}

fn read_inputs(dir: &Path) -> (Vec<Vec<u8>>, Vec<ProbeTarget>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let anchors = CertificateDer::pem_file_iter(dir.join("anchors.pem"))
        .expect("read anchors.pem")
        .map(|c| c.expect("PEM root").as_ref().to_vec())
        .collect();
    let text = std::fs::read_to_string(dir.join("targets.txt")).expect("read targets.txt");
    let targets = text
        .lines()
        .map(|line| {
            let (host, port) = line.split_once(' ').expect("`host port` line");
            target(host.to_owned(), port.parse().expect("port"))
        })
        .collect();
    (anchors, targets)
}

/// CPU time (user + system) this process has used, from /proc/self/stat (clock ticks of 10 ms, the
/// Linux default `CLK_TCK` of 100).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = stat.rsplit_once(')').expect("stat format").1;
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 of stat(5); `after_name` starts at field 3.
    Duration::from_millis((fields[11] + fields[12]) * 10)
}

/// A kilobyte figure from /proc/self/status (`VmHWM`, `VmRSS`).
fn proc_status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} not in /proc/self/status"))
}

/// Resident kilobytes of this executable's own mappings (its code and data, not libc's), from
/// /proc/self/smaps: the part of VmHWM that a larger binary adds.
fn exe_rss_kb() -> u64 {
    let exe = std::fs::read_link("/proc/self/exe").expect("/proc/self/exe");
    let exe = exe.to_string_lossy().into_owned();
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("/proc/self/smaps");
    let mut in_exe = false;
    let mut total = 0;
    for line in smaps.lines() {
        match line.strip_prefix("Rss:") {
            Some(value) if in_exe => {
                total += value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0);
            }
            Some(_) => {}
            // A mapping's header line: address range, then (for a file) its path last.
            None if line
                .split_whitespace()
                .next()
                .is_some_and(|w| w.contains('-') && !w.ends_with(':')) =>
            {
                in_exe = line.ends_with(exe.as_str());
            }
            None => {}
        }
    }
    total
}

/// The child: one 1,000-origin sweep at concurrency 64, judged, on a runtime like the CLI's; prints
/// one `SWEEP` line with its wall time and peak RSS.
fn sweep_child(dir: &Path) {
    let (anchors, targets) = read_inputs(dir);
    let settings = settings(&targets);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let baseline_kb = proc_status_kb("VmHWM");
    let heap_before = HEAP_LIVE.load(Ordering::Relaxed);
    heap_peak_reset();
    let cpu_start = cpu_time();
    let start = Instant::now();
    // Heap and VmHWM figures at the end of the probes, before judging: which phase holds the peak.
    let mut probed = (0, 0, 0);
    let (verdicts, findings) = runtime.block_on(async {
        let observations = probe_plan(&targets, &settings, CONCURRENCY, None).await;
        probed = (
            HEAP_PEAK.load(Ordering::Relaxed),
            HEAP_LIVE.load(Ordering::Relaxed),
            proc_status_kb("VmHWM"),
        );
        heap_peak_reset();
        let now = OffsetDateTime::now_utc();
        let findings: usize = observations
            .iter()
            .flatten()
            .map(|o| judge(o, &anchors, now).len())
            .sum();
        (observations.iter().flatten().count(), findings)
    });
    let wall = start.elapsed();
    let cpu = cpu_time() - cpu_start;
    let (probe_heap_peak, probe_heap_live, probe_hwm_kb) = probed;
    println!(
        "SWEEP verdicts={verdicts} findings={findings} wall_us={} cpu_ms={} baseline_kb={baseline_kb} hwm_kb={} \
         probe_hwm_kb={probe_hwm_kb} heap_before_kb={} probe_heap_peak_kb={} probe_heap_live_kb={} judge_heap_peak_kb={} \
         rss_anon_kb={} rss_file_kb={} rss_exe_kb={} threads={} observation_bytes={} outcome_bytes={}",
        wall.as_micros(),
        cpu.as_millis(),
        proc_status_kb("VmHWM"),
        kb(heap_before),
        kb(probe_heap_peak),
        kb(probe_heap_live),
        kb(HEAP_PEAK.load(Ordering::Relaxed)),
        proc_status_kb("RssAnon"),
        proc_status_kb("RssFile"),
        exe_rss_kb(),
        proc_status_kb("Threads"),
        std::mem::size_of::<Observation>(),
        std::mem::size_of::<cloudfront_tls_audit::tls::ProbeOutcome>(),
    );
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// One `openssl s_client` run to a verdict: the verify return code (0 ok, 10 expired, 18 self-signed,
/// 21 unable to verify the first certificate, 62 hostname mismatch), or `None` when no handshake
/// summary came out.
/// `anchors` is the same PEM bundle of test roots the probe trusts.
fn openssl_verdict(anchors: &Path, host: &str, port: u16) -> Option<u32> {
    let output = Command::new("openssl")
        .arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", host, "-tls1_2", "-verify_hostname", host])
        .arg("-CAfile")
        .arg(anchors)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .expect("spawn openssl s_client");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Verify return code: "))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// Runs `openssl_verdict` over `jobs` with `parallel` workers; per-run durations and verdicts.
fn openssl_runs(
    anchors: &Path,
    jobs: &[(String, u16)],
    parallel: usize,
) -> (Duration, Vec<Duration>, Vec<Option<u32>>) {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((host, port)) = jobs.get(i) else {
                    break;
                };
                let t = Instant::now();
                let verdict = openssl_verdict(anchors, host, *port);
                let took = t.elapsed();
                results.lock().expect("results").push((took, verdict));
            });
        }
    });
    let wall = start.elapsed();
    let (mut times, verdicts): (Vec<_>, Vec<_>) =
        results.into_inner().expect("results").into_iter().unzip();
    times.sort_unstable();
    (wall, times, verdicts)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let openssl = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpus} CPUs, {model}; {openssl}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == CHILD_FLAG) {
        let dir = args.get(i + 1).expect("child: input directory");
        sweep_child(Path::new(dir));
        return;
    }
    require_openssl();

    // The servers run on their own runtime in this process; the measured sweep runs in a child.
    let servers = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut origins = Vec::new();
    let mut roots = Vec::new();
    for (kind, healthy, cert, with_intermediate) in origin_certs() {
        let mut chain = vec![cert.cert_pem.clone()];
        if with_intermediate {
            chain.extend(cert.chain.iter().cloned());
        }
        let addr: SocketAddr = servers.block_on(rustls_server(&chain, &cert.key_pem));
        assert_eq!(addr.ip(), LOOPBACK, "servers bind loopback only");
        // A self-signed leaf is no anchor: it must be reported, not trusted.
        if kind != "self-signed" {
            roots.push(cert.root_pem.clone());
        }
        origins.push(Origin {
            kind,
            zone: format!("{kind}.bench.example.com"),
            port: addr.port(),
            healthy,
        });
    }
    let anchors: Vec<Vec<u8>> = roots.iter().map(|p| pem_to_der(p)).collect();
    // Distinct SNI names, as a plan of 1,000 distinct handshakes; origins interleaved.
    let targets: Vec<ProbeTarget> = (0..SWEEP_TARGETS)
        .map(|i| {
            let origin = &origins[i % origins.len()];
            target(format!("o{i}.{}", origin.zone), origin.port)
        })
        .collect();
    let kind_of = |t: &ProbeTarget| {
        origins
            .iter()
            .find(|o| o.port == t.port)
            .expect("target's origin")
    };
    let settings = settings(&targets);
    write_inputs(dir.path(), &roots, &targets);

    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    // Single probes, one after the other: the time to a verdict.
    let mut single = Vec::with_capacity(SINGLE_PROBES);
    let mut codes: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    client.block_on(async {
        for t in targets.iter().take(SINGLE_PROBES) {
            let start = Instant::now();
            let observation = probe(t, &settings).await;
            let findings = judge(&observation, &anchors, OffsetDateTime::now_utc());
            single.push(start.elapsed());
            let entry = codes.entry(kind_of(t).kind).or_default();
            let verdict = if findings.is_empty() {
                "ok".to_owned()
            } else {
                let mut names: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                names.sort_unstable();
                names.join("+")
            };
            *entry.entry(verdict).or_default() += 1;
        }
    });
    single.sort_unstable();
    // The verdicts must be right, or the timing measures the wrong thing.
    for origin in &origins {
        let seen = &codes[origin.kind];
        let ok = seen.get("ok").copied().unwrap_or(0);
        let total: usize = seen.values().sum();
        if origin.healthy {
            assert_eq!(ok, total, "{}: {seen:?}", origin.kind);
        } else {
            assert_eq!(ok, 0, "{}: {seen:?}", origin.kind);
        }
    }

    // Sweeps at concurrency 64, in process.
    let mut sweeps = Vec::with_capacity(SWEEP_RUNS);
    for _ in 0..SWEEP_RUNS {
        let start = Instant::now();
        let (verdicts, findings) = client.block_on(async {
            let observations = probe_plan(&targets, &settings, CONCURRENCY, None).await;
            let now = OffsetDateTime::now_utc();
            let findings: usize = observations
                .iter()
                .flatten()
                .map(|o| judge(o, &anchors, now).len())
                .sum();
            (observations.iter().flatten().count(), findings)
        });
        sweeps.push(start.elapsed());
        assert_eq!(verdicts, SWEEP_TARGETS, "one verdict per target");
        // Four origins in eight are broken in exactly one way each.
        assert_eq!(findings, SWEEP_TARGETS / 2, "findings per sweep");
    }
    let sweep_runs: Vec<String> = sweeps.iter().map(|d| ms(*d)).collect();
    sweeps.sort_unstable();
    let sweep = sweeps[SWEEP_RUNS / 2];
    let probe_rate = SWEEP_TARGETS as f64 / sweep.as_secs_f64();

    // The same sweep in a child process that does nothing else: its peak RSS.
    let exe = std::env::current_exe().expect("current exe");
    // This process only serves while the child sweeps: its CPU time over that run is the servers'.
    // For breaking the figure down (measurement only; unset, one plain child as always):
    // PROBE_SWEEP_CHILD_RUNS=N runs the child N times, each SWEEP line printed, the table from the
    // last; PROBE_SWEEP_CHILD_WRAPPER="valgrind --tool=massif ..." runs it under that command.
    let child_runs: usize = std::env::var("PROBE_SWEEP_CHILD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let wrapper = std::env::var("PROBE_SWEEP_CHILD_WRAPPER").unwrap_or_default();
    let mut sweep_lines = Vec::new();
    let mut server_cpu = Duration::ZERO;
    for _ in 0..child_runs {
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(&exe);
                command
            }
            None => Command::new(&exe),
        };
        let server_cpu_start = cpu_time();
        let output = command
            .arg(CHILD_FLAG)
            .arg(dir.path())
            .stderr(Stdio::inherit())
            .output()
            .expect("run the sweep child");
        server_cpu = cpu_time() - server_cpu_start;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let line = stdout
            .lines()
            .find(|l| l.starts_with("SWEEP "))
            .unwrap_or_else(|| panic!("sweep child printed no SWEEP line: {stdout}"))
            .to_owned();
        if child_runs > 1 || !wrapper.is_empty() {
            println!("  child: {line}");
        }
        sweep_lines.push(line);
    }
    let line = sweep_lines.last().expect("at least one child run");
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in {line}"))
    };
    assert_eq!(field("verdicts"), SWEEP_TARGETS as u64, "child verdicts");
    let child_wall = Duration::from_micros(field("wall_us"));
    let child_hwm = field("hwm_kb");
    let child_baseline = field("baseline_kb");
    let child_cpu = Duration::from_millis(field("cpu_ms"));

    // openssl: sequential (the natural loop), on every fifth target; then 64-way parallel on all.
    let anchors_path = dir.path().join("anchors.pem");
    let jobs: Vec<(String, u16)> = targets.iter().map(|t| (t.host.clone(), t.port)).collect();
    let step = SWEEP_TARGETS / OPENSSL_SEQUENTIAL;
    let sample: Vec<(String, u16)> = jobs.iter().step_by(step).cloned().collect();
    let (seq_wall, seq_times, seq_verdicts) = openssl_runs(&anchors_path, &sample, 1);
    let (par_wall, par_times, par_verdicts) = openssl_runs(&anchors_path, &jobs, CONCURRENCY);
    let openssl_rate = sample.len() as f64 / seq_wall.as_secs_f64();
    let openssl_par_rate = jobs.len() as f64 / par_wall.as_secs_f64();
    let missing = seq_verdicts
        .iter()
        .chain(&par_verdicts)
        .filter(|v| v.is_none())
        .count();
    let mut openssl_codes: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    // Sequential runs are in job order: label them by origin.
    for ((_, port), verdict) in sample.iter().zip(&seq_verdicts) {
        let kind = origins
            .iter()
            .find(|o| o.port == *port)
            .expect("origin")
            .kind;
        let label = verdict.map_or("none".to_owned(), |c| c.to_string());
        *openssl_codes
            .entry(kind)
            .or_default()
            .entry(label)
            .or_default() += 1;
    }

    println!(
        "origin probes against {} local origins on 127.0.0.1 ({})",
        origins.len(),
        machine()
    );
    println!(
        "  origins: {}",
        origins
            .iter()
            .map(|o| o.kind)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  our verdicts (first {SINGLE_PROBES} targets): {codes:?}");
    println!("  openssl verify codes (sequential sample): {openssl_codes:?}");
    println!();
    println!(
        "  {:<44} {:>7} {:>10} {:>10} {:>12} {:>14}",
        "", "runs", "median", "p95", "wall", "verdicts/s"
    );
    let row = |name: &str, n: usize, times: Option<&[Duration]>, wall: Duration, rate: f64| {
        let (median, p95) = times.map_or(("-".to_owned(), "-".to_owned()), |t| {
            (ms(percentile(t, 50)), ms(percentile(t, 95)))
        });
        println!(
            "  {name:<44} {n:>7} {median:>10} {p95:>10} {:>12} {rate:>14.0}",
            ms(wall)
        );
    };
    let single_wall: Duration = single.iter().sum();
    row(
        "probe + judge, sequential",
        SINGLE_PROBES,
        Some(&single),
        single_wall,
        SINGLE_PROBES as f64 / single_wall.as_secs_f64(),
    );
    row(
        &format!("probe_plan + judge, concurrency {CONCURRENCY} (median of {SWEEP_RUNS})"),
        SWEEP_TARGETS,
        None,
        sweep,
        probe_rate,
    );
    row(
        "  same, child process (memory run)",
        SWEEP_TARGETS,
        None,
        child_wall,
        SWEEP_TARGETS as f64 / child_wall.as_secs_f64(),
    );
    row(
        "openssl s_client loop, sequential",
        sample.len(),
        Some(&seq_times),
        seq_wall,
        openssl_rate,
    );
    row(
        &format!("openssl s_client, {CONCURRENCY} in parallel"),
        jobs.len(),
        Some(&par_times),
        par_wall,
        openssl_par_rate,
    );
    if missing > 0 {
        println!("  warning: {missing} openssl runs printed no verify return code");
    }
    println!();
    let factor = probe_rate / openssl_rate;
    println!(
        "  throughput: {factor:.1}x the sequential openssl loop ({:.1}x the 64-way parallel one); target {THROUGHPUT_FACTOR}x: {}",
        probe_rate / openssl_par_rate,
        if factor >= THROUGHPUT_FACTOR { "met" } else { "NOT MET" }
    );
    println!(
        "  in-process sweeps: {}; child sweep CPU: probe {} + servers {} for {} of wall time",
        sweep_runs.join(", "),
        ms(child_cpu),
        ms(server_cpu),
        ms(child_wall)
    );
    println!(
        "  peak memory of the {SWEEP_TARGETS}-origin sweep (child VmHWM): {:.1} MB (process before the sweep: {:.1} MB); target {} MB: {}",
        child_hwm as f64 / 1024.0,
        child_baseline as f64 / 1024.0,
        PEAK_MEMORY_KB / 1024,
        if child_hwm <= PEAK_MEMORY_KB { "met" } else { "NOT MET" }
    );
    // The same peak split (counting allocator of this bench): the heap at its highest while probing
    // and while judging, and at the end the resident pages that are not heap (code, stacks).
    println!(
        "  of which heap: {:.2} MB before the sweep, peak {:.2} MB probing ({:.2} MB live after it, VmHWM then {:.1} MB), peak {:.2} MB judging; at the end {:.1} MB anonymous + {:.1} MB file-backed resident ({:.1} MB of it this executable's), {} threads",
        field("heap_before_kb") as f64 / 1024.0,
        field("probe_heap_peak_kb") as f64 / 1024.0,
        field("probe_heap_live_kb") as f64 / 1024.0,
        field("probe_hwm_kb") as f64 / 1024.0,
        field("judge_heap_peak_kb") as f64 / 1024.0,
        field("rss_anon_kb") as f64 / 1024.0,
        field("rss_file_kb") as f64 / 1024.0,
        field("rss_exe_kb") as f64 / 1024.0,
        field("threads"),
    );
}
