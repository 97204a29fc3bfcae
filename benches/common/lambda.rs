//! What the benches of the Lambda binary share: where the release binary is, and its peak memory.
//! Included with `#[path = "common/lambda.rs"] mod lambda;`.

use std::path::{Path, PathBuf};

/// The release Lambda binary beside the bench executable; `make bench` builds it first.
pub fn lambda_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let path = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("cloudfront-tls-audit-lambda");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --bin cloudfront-tls-audit-lambda` first (make bench does)",
        path.display()
    );
    path
}

/// Peak resident memory of a live process, from /proc.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
