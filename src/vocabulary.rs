//! CloudFront's closed vocabularies, typed. Each value keeps its wire spelling, and a value this
//! version does not know (the service adds them before the SDK, or this code, learns them) is kept as
//! sent in an `Unknown` arm: never an error, never silently mapped to a known value.

use std::fmt;

use serde::{Serialize, Serializer};

/// Declares an enum of wire strings with an `Unknown(String)` arm, its `as_str`, `From<&str>`,
/// `Display`, string `Serialize` and comparison with `&str`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version does not know, kept as CloudFront sent it.
            Unknown(String),
        }

        impl $name {
            /// The value as CloudFront spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name::from(value.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

wire_enum! {
    /// `CustomOriginConfig.OriginProtocolPolicy`: how CloudFront connects to a custom origin.
    OriginProtocolPolicy {
        /// Always HTTP.
        HttpOnly => "http-only",
        /// HTTP or HTTPS, as the viewer came.
        MatchViewer => "match-viewer",
        /// Always HTTPS.
        HttpsOnly => "https-only",
    }
}

impl OriginProtocolPolicy {
    /// Whether CloudFront makes TLS handshakes with the origin under this policy (`match-viewer`
    /// does for every HTTPS viewer).
    pub fn uses_tls(&self) -> bool {
        matches!(
            self,
            OriginProtocolPolicy::HttpsOnly | OriginProtocolPolicy::MatchViewer
        )
    }
}

wire_enum! {
    /// A distribution's `Status`: whether its last change has reached every edge location.
    DistributionStatus {
        /// Every edge serves the current configuration.
        Deployed => "Deployed",
        /// A change is still propagating; edges disagree.
        InProgress => "InProgress",
    }
}

wire_enum! {
    /// `ViewerCertificate.SSLSupportMethod`: how the edge serves HTTPS for the aliases.
    SslSupportMethod {
        /// SNI: every modern client.
        SniOnly => "sni-only",
        /// Dedicated IP addresses (legacy clients without SNI; billed monthly).
        Vip => "vip",
        /// Static IPs, only for accounts CloudFront enabled it for.
        StaticIp => "static-ip",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_typed_and_unknown_ones_are_kept_as_sent() {
        assert_eq!(
            OriginProtocolPolicy::from("https-only"),
            OriginProtocolPolicy::HttpsOnly
        );
        assert_eq!(
            DistributionStatus::from("Deployed"),
            DistributionStatus::Deployed
        );
        let future = SslSupportMethod::from("sni-and-quic");
        assert_eq!(future, SslSupportMethod::Unknown("sni-and-quic".into()));
        assert_eq!(future.as_str(), "sni-and-quic");
        assert_eq!(
            serde_json::to_value(&future).ok(),
            Some(serde_json::Value::from("sni-and-quic"))
        );
        // The wire is case-sensitive: a value spelled differently is not silently taken for a known one.
        assert_eq!(
            DistributionStatus::from("deployed"),
            DistributionStatus::Unknown("deployed".into())
        );
    }

    #[test]
    fn only_https_and_match_viewer_make_origin_handshakes() {
        assert!(OriginProtocolPolicy::HttpsOnly.uses_tls());
        assert!(OriginProtocolPolicy::MatchViewer.uses_tls());
        assert!(!OriginProtocolPolicy::HttpOnly.uses_tls());
        assert!(!OriginProtocolPolicy::Unknown(String::new()).uses_tls());
    }
}
