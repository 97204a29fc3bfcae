//! How probes run: the limits and name overrides every socket in [`crate::probe`] obeys.

use std::time::Duration;

use super::resolve::{ConnectTo, ResolveOverride, ResolverSource};

/// How probes run: limits and name overrides. (Trust anchors are not here: no socket reads them; the
/// chain verdict, [`crate::rules::analyse_chain`], takes them.)
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Time allowed for a whole probe (resolution, connections, discovery, completion).
    pub deadline: Duration,
    /// Most bytes read from a server per connection before giving up.
    pub byte_budget: usize,
    /// `--resolve` overrides, consulted before the system resolver.
    pub resolve: Vec<ResolveOverride>,
    /// `--connect-to` overrides, consulted before everything else.
    pub connect_to: Vec<ConnectTo>,
    /// Where names without an override are resolved.
    pub resolver: ResolverSource,
}

impl Default for ProbeSettings {
    /// The defaults of [`crate::settings`] (10 s per probe, 256 KiB per connection), no overrides,
    /// and the resolver of [`ResolverSource::from_environment`] (the system's, unless
    /// `CLOUDFRONT_TLS_AUDIT_NAMESERVERS` names others).
    fn default() -> Self {
        ProbeSettings {
            deadline: Duration::from_secs(crate::settings::PROBE_TIMEOUT_SECONDS.default),
            byte_budget: crate::settings::PROBE_BYTE_BUDGET,
            resolve: Vec::new(),
            connect_to: Vec::new(),
            resolver: ResolverSource::from_environment(),
        }
    }
}
