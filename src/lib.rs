//! cloudfront-tls-audit: finds CloudFront TLS misconfigurations before viewers do.
//!
//! The pipeline (`docs/architecture.md`): [`intake`] → [`audit::AuditRequest`] → [`inventory`] →
//! [`plan`] → [`probe`] → [`rules`] → [`report`] → [`notify`], run once by [`audit::run`] for the CLI
//! and the Lambda. The rules are pure functions of a [`model::Snapshot`], the observations and the
//! time `now`; only [`inventory`] reads AWS, only [`probe`] opens sockets, only [`notify`] publishes.

pub mod audit;
pub mod aws;
pub mod catalogue;
pub mod cli;
pub mod finding;
pub mod gate;
pub mod intake;
pub mod inventory;
pub mod lambda;
pub mod model;
pub mod names;
pub mod notify;
pub mod organization;
pub mod permissions;
pub mod plan;
pub mod probe;
pub mod report;
pub mod rules;
pub mod securityhub;
pub mod settings;
pub mod state;
pub mod tls;
pub mod untrusted;
pub mod vocabulary;
pub mod x509;
