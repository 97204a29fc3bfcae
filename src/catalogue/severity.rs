//! How bad a finding is and what viewers experience: the scale every catalogue cause is declared on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered from least to most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Hygiene: outdated but working.
    Low,
    /// Will hurt some viewers, or will break without action.
    Medium,
    /// Breaks soon, or the audit itself is blind somewhere.
    High,
    /// Broken now, or CloudFront rejects the configuration.
    Critical,
}

impl Severity {
    /// Every level, most severe first.
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Severity::ALL_DESCENDING
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| {
                format!("unknown severity {value:?}: use critical, high, medium, low or info")
            })
    }
}

/// What viewers experience if nothing is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ViewerImpact {
    /// CloudFront rejects the create or update call (`InvalidViewerCertificate` and friends).
    #[serde(rename = "update-rejected")]
    UpdateRejected,
    /// Browsers show a certificate warning or refuse the connection.
    #[serde(rename = "cert-warning")]
    CertWarning,
    /// CloudFront answers 502 Bad Gateway.
    #[serde(rename = "502")]
    BadGateway,
    /// CloudFront answers 504 Gateway Timeout.
    #[serde(rename = "504")]
    GatewayTimeout,
    /// Nothing visible yet.
    #[serde(rename = "none")]
    None,
}

impl ViewerImpact {
    /// Whether CloudFront fails the viewer's request because of the origin (502 or 504).
    pub fn is_gateway_error(self) -> bool {
        matches!(
            self,
            ViewerImpact::BadGateway | ViewerImpact::GatewayTimeout
        )
    }

    /// The contract's spelling: `update-rejected`, `cert-warning`, `502`, `504`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewerImpact::UpdateRejected => "update-rejected",
            ViewerImpact::CertWarning => "cert-warning",
            ViewerImpact::BadGateway => "502",
            ViewerImpact::GatewayTimeout => "504",
            ViewerImpact::None => "none",
        }
    }
}

impl fmt::Display for ViewerImpact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
