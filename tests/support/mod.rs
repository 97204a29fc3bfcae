//! Shared test harness: a moto emulator per test, a certificate factory, helpers that seed the
//! emulator through the Rust SDK, and an operation-counting interceptor.
//!
//! Each integration test binary compiles this module and uses only part of it.
#![allow(dead_code, unused_imports)]

pub mod certs;
pub mod chain_servers;
pub mod cli;
pub mod counting;
pub mod emulator;
pub mod fault_proxy;
pub mod hostile_certs;
pub mod hostile_servers;
pub mod judged;
pub mod runtime_api;
pub mod seed;
pub mod state_table;
pub mod tls_servers;
pub mod topic;

pub use certs::{CertBuilder, IssuedCert, KeySpec, TestCa};
pub use counting::CallCounter;
pub use emulator::Emulator;
