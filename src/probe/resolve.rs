//! Name resolution for probes: curl-style `--resolve HOST:PORT:ADDR` overrides, IP literals and
//! `localhost` without DNS, else an async resolver (hickory) built from `/etc/resolv.conf`.
//!
//! The resolver is async all the way down: when the probe's deadline drops the lookup, its sockets
//! close with it, and no blocking `getaddrinfo` thread is left behind to hold the process open.
//! Whose failure a lookup is follows [`super::fault`]: an answer about the name (NXDOMAIN, no
//! records, SERVFAIL, or no answer in time) is the origin's `DnsFailure`; a machine without a
//! resolver configuration, or one that cannot open a socket to it, is a local fault.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, TokioResolver};
use thiserror::Error;

use super::fault::local_fault;
use crate::names::normalise;
use crate::settings::{NAMESERVERS_ENV, SYSTEM_RESOLV_CONF};
use crate::tls::{LocalFault, LocalOperation};

/// Why a name gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveFailure {
    /// DNS answered about the name (it does not exist, has no address records, its servers fail):
    /// what CloudFront would meet too.
    Answer(String),
    /// This machine could not ask: no resolver configuration, or no socket to its nameservers.
    Local(LocalFault),
}

/// Where probes resolve names: the nameservers of a resolv.conf file (the system's by default), or
/// an explicit list. Loaded once, on first use; cheap to clone (clones share what was loaded).
#[derive(Debug, Clone)]
pub struct ResolverSource {
    origin: SourceOrigin,
    loaded: Arc<OnceLock<Result<Loaded, String>>>,
}

#[derive(Debug, Clone)]
enum SourceOrigin {
    /// A resolv.conf file.
    ResolvConf(PathBuf),
    /// Nameservers given by the named setting, UDP first then TCP, in order.
    Nameservers {
        setting: &'static str,
        servers: Vec<SocketAddr>,
    },
    /// The setting could not be read: every lookup says why.
    Invalid {
        setting: &'static str,
        error: String,
    },
}

#[derive(Debug)]
struct Loaded {
    config: ResolverConfig,
    options: ResolverOpts,
}

impl ResolverSource {
    /// The system's configuration: `/etc/resolv.conf`.
    pub fn system() -> ResolverSource {
        ResolverSource::resolv_conf(SYSTEM_RESOLV_CONF)
    }

    /// The nameservers (and options) of a resolv.conf file.
    pub fn resolv_conf(path: impl AsRef<Path>) -> ResolverSource {
        ResolverSource::from_origin(SourceOrigin::ResolvConf(path.as_ref().to_path_buf()))
    }

    /// Exactly these nameservers, any port (a lab resolver, or a test's black hole).
    pub fn nameservers(servers: Vec<SocketAddr>) -> ResolverSource {
        ResolverSource::from_origin(SourceOrigin::Nameservers {
            setting: "the probe settings",
            servers,
        })
    }

    /// `CLOUDFRONT_TLS_AUDIT_NAMESERVERS` (space-separated `ADDR:PORT`, IPv6 in brackets) when it
    /// is set, else [`ResolverSource::system`]. The variable is a lab and test input: it lets a test
    /// point the probes at a resolver of its own, which the system configuration cannot (its
    /// nameservers are always on port 53). Every DNS failure names the source it used.
    pub fn from_environment() -> ResolverSource {
        match std::env::var(NAMESERVERS_ENV) {
            Ok(value) => ResolverSource::from_origin(parse_nameservers(&value)),
            Err(_) => ResolverSource::system(),
        }
    }

    fn from_origin(origin: SourceOrigin) -> ResolverSource {
        ResolverSource {
            origin,
            loaded: Arc::new(OnceLock::new()),
        }
    }

    /// Where names are resolved, in words, for evidence: `nameservers 10.0.0.2:53 from
    /// /etc/resolv.conf`.
    pub fn describe(&self) -> String {
        let servers = |config: &ResolverConfig| {
            let mut shown: Vec<String> = Vec::new();
            for server in config.name_servers() {
                let text = server.socket_addr.to_string();
                if !shown.contains(&text) {
                    shown.push(text);
                }
            }
            shown.join(", ")
        };
        let from = match &self.origin {
            SourceOrigin::ResolvConf(path) => path.display().to_string(),
            SourceOrigin::Nameservers { setting, .. } | SourceOrigin::Invalid { setting, .. } => {
                (*setting).to_owned()
            }
        };
        match self.load() {
            Ok(loaded) => format!("nameservers {} from {from}", servers(&loaded.config)),
            Err(error) => format!("no usable resolver configuration: {error}"),
        }
    }

    fn load(&self) -> Result<&Loaded, &str> {
        self.loaded
            .get_or_init(|| load(&self.origin))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The resolver for one lookup. A fresh one each time: it is cheap, and a resolver kept across
    /// runtimes would keep connections a finished runtime has already dropped.
    fn resolver(&self) -> Result<TokioResolver, LocalFault> {
        let loaded = self.load().map_err(|error| LocalFault {
            operation: LocalOperation::Resolve,
            address: None,
            error: "no-resolver-config".to_owned(),
            detail: format!(
                "{error}; --resolve HOST:PORT:ADDR overrides, IP addresses and localhost still work"
            ),
        })?;
        Ok(TokioResolver::builder_with_config(
            loaded.config.clone(),
            TokioConnectionProvider::default(),
        )
        .with_options(loaded.options.clone())
        .build())
    }
}

fn load(origin: &SourceOrigin) -> Result<Loaded, String> {
    let (config, mut options) = match origin {
        SourceOrigin::ResolvConf(path) => {
            let text =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            hickory_resolver::system_conf::parse_resolv_conf(text)
                .map_err(|e| format!("cannot use {}: {e}", path.display()))?
        }
        SourceOrigin::Nameservers { servers, .. } => {
            let mut config = ResolverConfig::new();
            for server in servers {
                config.add_name_server(NameServerConfig::new(*server, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(*server, Protocol::Tcp));
            }
            (config, ResolverOpts::default())
        }
        SourceOrigin::Invalid { setting, error } => return Err(format!("{setting}: {error}")),
    };
    if config.name_servers().is_empty() {
        return Err(match origin {
            SourceOrigin::ResolvConf(path) => format!("no nameserver in {}", path.display()),
            _ => "no nameserver given".to_owned(),
        });
    }
    // One query socket per lookup at a time: with the probe limit, descriptors stay bounded by
    // the number of probes in flight. The probe's deadline bounds the whole lookup.
    options.num_concurrent_reqs = 1;
    Ok(Loaded { config, options })
}

fn parse_nameservers(value: &str) -> SourceOrigin {
    let servers: Result<Vec<SocketAddr>, String> = value
        .split_whitespace()
        .map(|s| {
            s.parse::<SocketAddr>()
                .map_err(|_| format!("{s:?} is not ADDR:PORT (IPv6 in brackets)"))
        })
        .collect();
    match servers {
        Ok(servers) => SourceOrigin::Nameservers {
            setting: NAMESERVERS_ENV,
            servers,
        },
        Err(error) => SourceOrigin::Invalid {
            setting: NAMESERVERS_ENV,
            error,
        },
    }
}

/// A curl-style `--resolve HOST:PORT:ADDR[,ADDR...]` override: connect to these addresses instead of
/// resolving `host` (the SNI and names checked stay `host`). IPv6 addresses go in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// The host name, normalised (lower case, no trailing dot).
    pub host: String,
    /// The port the override applies to.
    pub port: u16,
    /// The addresses to use, in order.
    pub addresses: Vec<IpAddr>,
}

/// Why a `--resolve` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResolveOverrideError {
    /// Not of the form `HOST:PORT:ADDR`.
    #[error("expected HOST:PORT:ADDR, got {0:?}")]
    Shape(String),
    /// The host part is empty.
    #[error("empty host in {0:?}")]
    EmptyHost(String),
    /// The port is not a number from 1 to 65535.
    #[error("invalid port {port:?} in {value:?}")]
    Port {
        /// The port text.
        port: String,
        /// The whole value.
        value: String,
    },
    /// An address is not an IPv4 or bracketed IPv6 address.
    #[error("invalid address {address:?} in {value:?} (IPv6 goes in brackets)")]
    Address {
        /// The address text.
        address: String,
        /// The whole value.
        value: String,
    },
}

impl FromStr for ResolveOverride {
    type Err = ResolveOverrideError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (host, port, addresses_text) = split_host_port(value)?;
        let addresses = addresses_text
            .split(',')
            .map(|a| parse_address(a.trim(), value))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResolveOverride {
            host,
            port,
            addresses,
        })
    }
}

/// Splits `HOST:PORT:REST` (HOST and PORT never hold a colon; REST may), checking HOST and PORT.
fn split_host_port(value: &str) -> Result<(String, u16, &str), ResolveOverrideError> {
    let shape = || ResolveOverrideError::Shape(value.to_owned());
    let (host, rest) = value.split_once(':').ok_or_else(shape)?;
    let (port_text, rest) = rest.split_once(':').ok_or_else(shape)?;
    let host = normalise(host);
    if host.is_empty() {
        return Err(ResolveOverrideError::EmptyHost(value.to_owned()));
    }
    let port = port_text
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| ResolveOverrideError::Port {
            port: port_text.to_owned(),
            value: value.to_owned(),
        })?;
    Ok((host, port, rest))
}

fn parse_address(text: &str, value: &str) -> Result<IpAddr, ResolveOverrideError> {
    let error = || ResolveOverrideError::Address {
        address: text.to_owned(),
        value: value.to_owned(),
    };
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(error)?;
        return inner
            .parse::<std::net::Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| error());
    }
    text.parse::<std::net::Ipv4Addr>()
        .map(IpAddr::V4)
        .map_err(|_| error())
}

/// A curl-style `--connect-to HOST:PORT:ADDR:PORT2` override: connections meant for `host:port` go to
/// `ADDR:PORT2` instead (the names sent and checked stay `host`). Lets a lab stand in for a CloudFront
/// edge, which listens on 443, with a server on any loopback port. IPv6 addresses go in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    /// The host name, normalised.
    pub host: String,
    /// The port the override applies to.
    pub port: u16,
    /// Where to connect instead.
    pub to: SocketAddr,
}

impl FromStr for ConnectTo {
    type Err = ResolveOverrideError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (host, port, target) = split_host_port(value)?;
        // `127.0.0.1:8443` or `[::1]:8443`: exactly a socket address.
        let to = target
            .parse::<SocketAddr>()
            .map_err(|_| ResolveOverrideError::Address {
                address: target.to_owned(),
                value: value.to_owned(),
            })?;
        Ok(ConnectTo { host, port, to })
    }
}

/// Where to connect for `host:port`: a `--connect-to` override, then [`resolve`].
pub async fn resolve_with(
    host: &str,
    port: u16,
    overrides: &[ResolveOverride],
    connect_to: &[ConnectTo],
    source: &ResolverSource,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    let wanted = normalise(host);
    match connect_to
        .iter()
        .find(|c| c.host == wanted && c.port == port)
    {
        Some(c) => Ok(vec![c.to]),
        None => resolve(host, port, overrides, source).await,
    }
}

/// The addresses for `host:port`: the first matching override, an IP literal, `localhost` (RFC 6761:
/// loopback, never sent to DNS), else a lookup through `source`. Duplicates are dropped, order kept.
/// The caller bounds the time (dropping the future cancels the lookup and closes its sockets).
pub async fn resolve(
    host: &str,
    port: u16,
    overrides: &[ResolveOverride],
    source: &ResolverSource,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    let wanted = normalise(host);
    let literal = wanted
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(&wanted)
        .parse::<IpAddr>()
        .ok();
    let mut addresses: Vec<SocketAddr> = match overrides
        .iter()
        .find(|o| o.host == wanted && o.port == port)
    {
        Some(o) => o
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect(),
        None if literal.is_some() => literal
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect(),
        None if wanted == "localhost" || wanted.ends_with(".localhost") => vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ],
        // Boxed: a DNS lookup's state is large, and every probe in flight would otherwise carry
        // room for it, even the many that never go to DNS (overrides, IP literals).
        None => Box::pin(lookup(&wanted, port, source)).await?,
    };
    let mut seen = Vec::new();
    addresses.retain(|a| {
        let fresh = !seen.contains(a);
        seen.push(*a);
        fresh
    });
    if addresses.is_empty() {
        return Err(ResolveFailure::Answer(format!("{host} has no addresses")));
    }
    Ok(addresses)
}

/// A DNS lookup of `name` through `source`.
async fn lookup(
    name: &str,
    port: u16,
    source: &ResolverSource,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    let resolver = source.resolver().map_err(ResolveFailure::Local)?;
    match resolver.lookup_ip(name).await {
        Ok(found) => Ok(found.iter().map(|ip| SocketAddr::new(ip, port)).collect()),
        Err(error) => Err(lookup_failure(name, &error, source)),
    }
}

/// Whose failure a lookup error is: a socket error of this machine, or no nameserver to ask, is
/// local; anything DNS said (or did not say in time) about the name is the answer CloudFront gets.
fn lookup_failure(name: &str, error: &ResolveError, source: &ResolverSource) -> ResolveFailure {
    let local = |error_name: String, detail: String| {
        ResolveFailure::Local(LocalFault {
            operation: LocalOperation::Resolve,
            address: None,
            error: error_name,
            detail,
        })
    };
    if error.is_nx_domain() {
        return ResolveFailure::Answer(format!("{name} does not exist (NXDOMAIN)"));
    }
    if error.is_no_records_found() {
        return ResolveFailure::Answer(format!("{name} has no A or AAAA record"));
    }
    match error.proto().map(|proto| proto.kind()) {
        Some(ProtoErrorKind::Io(io)) => match local_fault(io, LocalOperation::Resolve, None) {
            Some(mut fault) => {
                fault.detail = format!("{} ({})", fault.detail, source.describe());
                ResolveFailure::Local(fault)
            }
            None => ResolveFailure::Answer(format!("{error} ({})", source.describe())),
        },
        Some(ProtoErrorKind::NoConnections) => local(
            "no-nameserver".to_owned(),
            format!("no nameserver could be reached ({})", source.describe()),
        ),
        Some(ProtoErrorKind::Timeout) => ResolveFailure::Answer(format!(
            "no answer for {name} in time ({})",
            source.describe()
        )),
        _ => ResolveFailure::Answer(format!("{error} ({})", source.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_sends_a_host_and_port_elsewhere() {
        let c: ConnectTo = "d111.cloudfront.net:443:127.0.0.1:8443".parse().unwrap();
        assert_eq!(c.host, "d111.cloudfront.net");
        assert_eq!(c.port, 443);
        assert_eq!(c.to, "127.0.0.1:8443".parse::<SocketAddr>().unwrap());
        let v6: ConnectTo = "edge:443:[::1]:9443".parse().unwrap();
        assert_eq!(v6.to, "[::1]:9443".parse::<SocketAddr>().unwrap());
        for bad in [
            "edge:443:127.0.0.1",
            "edge:0:127.0.0.1:1",
            ":443:127.0.0.1:1",
            "edge",
        ] {
            assert!(bad.parse::<ConnectTo>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_curl_style_overrides() {
        let o: ResolveOverride = "Origin.Example.com.:443:127.0.0.1".parse().unwrap();
        assert_eq!(o.host, "origin.example.com");
        assert_eq!(o.port, 443);
        assert_eq!(o.addresses, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        let o: ResolveOverride = "a.example.com:8443:[::1],192.0.2.7".parse().unwrap();
        assert_eq!(
            o.addresses,
            vec![
                "::1".parse::<IpAddr>().unwrap(),
                "192.0.2.7".parse::<IpAddr>().unwrap()
            ]
        );
    }

    #[test]
    fn rejects_malformed_overrides_with_a_reason() {
        assert!(matches!(
            "a.example.com".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Shape(_))
        ));
        assert!(matches!(
            ":443:127.0.0.1".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::EmptyHost(_))
        ));
        assert!(matches!(
            "a:0:127.0.0.1".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Port { .. })
        ));
        assert!(matches!(
            "a:99999:127.0.0.1".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Port { .. })
        ));
        assert!(matches!(
            "a:443:::1".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Address { .. })
        ));
        assert!(matches!(
            "a:443:[::1".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Address { .. })
        ));
        assert!(matches!(
            "a:443:localhost".parse::<ResolveOverride>(),
            Err(ResolveOverrideError::Address { .. })
        ));
    }

    /// A resolver configuration that cannot be loaded: anything that reaches DNS fails locally.
    fn no_resolver() -> ResolverSource {
        ResolverSource::resolv_conf("/nonexistent/resolv.conf")
    }

    #[tokio::test]
    async fn overrides_win_and_duplicates_go() {
        let o: ResolveOverride = "a.example.com:443:127.0.0.1,127.0.0.1".parse().unwrap();
        let got = resolve(
            "A.example.com",
            443,
            std::slice::from_ref(&o),
            &no_resolver(),
        )
        .await
        .unwrap();
        assert_eq!(got, vec!["127.0.0.1:443".parse().unwrap()]);
        // A different port does not match the override; an IP literal needs no resolver.
        let got = resolve("127.0.0.2", 80, &[o], &no_resolver())
            .await
            .unwrap();
        assert_eq!(got, vec!["127.0.0.2:80".parse().unwrap()]);
    }

    #[tokio::test]
    async fn literals_and_localhost_need_no_resolver_configuration() {
        let none = no_resolver();
        let v6 = resolve("[::1]", 443, &[], &none).await.unwrap();
        assert_eq!(v6, vec!["[::1]:443".parse().unwrap()]);
        let local = resolve("LocalHost.", 8443, &[], &none).await.unwrap();
        assert_eq!(
            local,
            vec![
                "127.0.0.1:8443".parse().unwrap(),
                "[::1]:8443".parse().unwrap()
            ]
        );
        assert!(resolve("api.localhost", 1, &[], &none).await.is_ok());
    }

    #[tokio::test]
    async fn no_resolver_configuration_is_a_local_fault_that_says_what_still_works() {
        let Err(ResolveFailure::Local(fault)) =
            resolve("origin.example.com", 443, &[], &no_resolver()).await
        else {
            panic!("a machine without resolv.conf is not the origin's DNS failure")
        };
        assert_eq!(fault.operation, LocalOperation::Resolve);
        assert_eq!(fault.error, "no-resolver-config");
        assert!(
            fault.detail.contains("/nonexistent/resolv.conf"),
            "{}",
            fault.detail
        );
        assert!(fault.detail.contains("--resolve"), "{}", fault.detail);
        let empty = ResolverSource::nameservers(Vec::new());
        assert!(matches!(
            resolve("origin.example.com", 443, &[], &empty).await,
            Err(ResolveFailure::Local(_))
        ));
    }

    #[test]
    fn the_nameserver_setting_takes_socket_addresses_and_names_a_bad_one() {
        let SourceOrigin::Nameservers { servers, .. } =
            parse_nameservers("127.0.0.1:5353 [::1]:53")
        else {
            panic!("parsed")
        };
        assert_eq!(servers.len(), 2);
        let source = ResolverSource::from_origin(parse_nameservers("127.0.0.1"));
        assert!(source.describe().contains("\"127.0.0.1\" is not ADDR:PORT"));
        let listed = ResolverSource::nameservers(vec!["127.0.0.1:5353".parse().unwrap()]);
        assert_eq!(
            listed.describe(),
            "nameservers 127.0.0.1:5353 from the probe settings"
        );
    }
}
