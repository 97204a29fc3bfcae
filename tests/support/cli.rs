//! The `cloudfront-tls-audit` binary as the CLI tests drive it: dummy credentials, no colour, the
//! emulator's endpoint; and its JSON output read back.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::Emulator;

/// The binary with dummy credentials, no colour and no profile, pointed at `emulator`, or with
/// `None` at port 9 of loopback, where nothing listens: every AWS call then fails fast and locally.
pub fn command(emulator: Option<&Emulator>) -> Command {
    match emulator {
        Some(emulator) => command_at(&emulator.endpoint_url()),
        None => command_at("http://127.0.0.1:9"),
    }
}

/// The binary with dummy credentials, no colour and no profile, sending every AWS call to
/// `endpoint` (a test's own loopback server).
pub fn command_at(endpoint: &str) -> Command {
    // Cargo names the binary to integration tests only; the examples and benches that share this
    // support module never call this.
    let binary =
        option_env!("CARGO_BIN_EXE_cloudfront-tls-audit").unwrap_or("cloudfront-tls-audit");
    let mut command = Command::new(binary);
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-central-1")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.args(["--endpoint-url", endpoint]);
    command
}

/// Standard output as JSON, or a panic that shows both streams.
pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
