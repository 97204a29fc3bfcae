//! Name resolution for probes: the system resolver, or curl-style `--resolve HOST:PORT:ADDR` overrides.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use thiserror::Error;

use crate::names::normalise;

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

/// Where to connect for `host:port`: a `--connect-to` override, then a `--resolve` override, else
/// the system resolver.
pub async fn resolve_with(
    host: &str,
    port: u16,
    overrides: &[ResolveOverride],
    connect_to: &[ConnectTo],
) -> Result<Vec<SocketAddr>, String> {
    let wanted = normalise(host);
    match connect_to
        .iter()
        .find(|c| c.host == wanted && c.port == port)
    {
        Some(c) => Ok(vec![c.to]),
        None => resolve(host, port, overrides).await,
    }
}

/// The addresses for `host:port`: the first matching override, else the system resolver. Duplicates
/// are dropped, order kept.
pub async fn resolve(
    host: &str,
    port: u16,
    overrides: &[ResolveOverride],
) -> Result<Vec<SocketAddr>, String> {
    let wanted = normalise(host);
    let mut addresses: Vec<SocketAddr> = match overrides
        .iter()
        .find(|o| o.host == wanted && o.port == port)
    {
        Some(o) => o
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect(),
        None => tokio::net::lookup_host((wanted.as_str(), port))
            .await
            .map_err(|e| e.to_string())?
            .collect(),
    };
    let mut seen = Vec::new();
    addresses.retain(|a| {
        let fresh = !seen.contains(a);
        seen.push(*a);
        fresh
    });
    if addresses.is_empty() {
        return Err(format!("{host} has no addresses"));
    }
    Ok(addresses)
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

    #[tokio::test]
    async fn overrides_win_and_duplicates_go() {
        let o: ResolveOverride = "a.example.com:443:127.0.0.1,127.0.0.1".parse().unwrap();
        let got = resolve("A.example.com", 443, std::slice::from_ref(&o))
            .await
            .unwrap();
        assert_eq!(got, vec!["127.0.0.1:443".parse().unwrap()]);
        // A different port does not match the override; an IP literal needs no resolver.
        let got = resolve("127.0.0.2", 80, &[o]).await.unwrap();
        assert_eq!(got, vec!["127.0.0.2:80".parse().unwrap()]);
    }
}
