//! Shared test harness: a moto emulator per test, a certificate factory, helpers that seed the
//! emulator through the Rust SDK, and an operation-counting interceptor.
//!
//! Where moto (5.2.5) lacks an operation, the fault proxy in front of it answers with a loopback
//! implementation of that operation's wire format, taken from the API model and seeded through the
//! same SDK calls as everything else: `cloudfront_extras` adds CloudFront VPC origins
//! (`CreateVpcOrigin`, `GetVpcOrigin`, `UpdateVpcOrigin`, `DeleteVpcOrigin`, `ListVpcOrigins`,
//! `ListDistributionsByVpcOriginId`, none of which moto routes) and restores the `VpcOriginConfig`
//! moto drops from distributions. `elb` seeds moto's own ELBv2 (load balancers, listeners, SNI
//! certificates) in any region. `sts_extras` refuses the AssumeRole calls AWS would refuse (moto
//! assumes any role): no such role in the target account, or an external id its trust policy does
//! not name. `organization` seeds an AWS Organization (accounts, member roles, distributions per
//! account), and `step_functions` runs the template's state machine (issue 14).
//!
//! Each integration test binary compiles this module and uses only part of it.
#![allow(dead_code, unused_imports)]

pub mod certs;
pub mod chain_servers;
pub mod cli;
pub mod cloudfront_extras;
pub mod counting;
pub mod elb;
pub mod emulator;
pub mod fault_proxy;
pub mod hostile_certs;
pub mod hostile_servers;
pub mod judged;
pub mod organization;
pub mod runtime_api;
pub mod seed;
pub mod state_table;
pub mod step_functions;
pub mod sts_extras;
pub mod tls_servers;
pub mod topic;

pub use certs::{CertBuilder, IssuedCert, KeySpec, TestCa};
pub use counting::CallCounter;
pub use emulator::Emulator;
