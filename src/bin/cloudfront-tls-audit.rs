//! The `cloudfront-tls-audit` command line. Everything but start-up lives in the library.

use std::process::ExitCode;

use clap::Parser;
use cloudfront_tls_audit::cli::{run, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr (RUST_LOG to tune) so stdout stays the report.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    run(Cli::parse()).await
}
