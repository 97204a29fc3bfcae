//! What a CloudFront edge served a viewer asking for an alias: recorded, not judged (the edge rules
//! compare it with the configured certificate).

use std::net::IpAddr;

use serde::Serialize;

use super::observation::{LocalFault, ProbeTarget, SentCertificate};

/// What the edge did for one alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeObservation {
    /// Host = the distribution's domain name, SNI = the alias.
    pub target: ProbeTarget,
    /// Addresses the domain resolved to.
    pub addresses: Vec<IpAddr>,
    /// The handshake's result.
    pub result: EdgeResult,
}

/// How an edge handshake ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EdgeResult {
    /// The handshake completed and the edge served this chain.
    Served {
        /// `TLSv1.2` or `TLSv1.3`.
        version: String,
        /// The certificates as sent, leaf first.
        chain: Vec<SentCertificate>,
    },
    /// No handshake: why.
    Failed {
        /// Resolution, connection or TLS failure, in words.
        detail: String,
    },
    /// This machine failed (descriptors, buffers, local ports, no resolver): the edge was not
    /// checked, and nothing is known about it.
    LocalFault(LocalFault),
}
