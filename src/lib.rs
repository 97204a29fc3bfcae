//! cloudfront-tls-audit: finds CloudFront TLS misconfigurations before viewers do.
//!
//! The pipeline (see `README.md`): trigger → scope → [`inventory`] → rules → report. The rules are pure
//! functions of a [`model::Snapshot`] and the time `now`; only [`inventory`] talks to AWS.

pub mod audit;
pub mod aws;
pub mod catalogue;
pub mod cli;
pub mod finding;
pub mod intake;
pub mod inventory;
pub mod lambda;
pub mod model;
pub mod names;
pub mod notify;
pub mod permissions;
pub mod plan;
pub mod probe;
pub mod report;
pub mod rules;
pub mod settings;
pub mod tls;
pub mod vocabulary;
pub mod x509;
