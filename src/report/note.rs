//! What the reader of a report must know about how the audit ran: overrides, lab inputs, parts that
//! were switched off. Notes are data; [`Note`]'s `Display` is their one rendering (text, JSON, email).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// One fact about how an audit ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Every AWS call went to this endpoint instead of AWS (an emulator).
    EndpointOverride {
        /// The endpoint.
        url: String,
    },
    /// Validity and expiry were judged as of this moment, not now.
    AsOf {
        /// The moment.
        at: OffsetDateTime,
    },
    /// The certificates of a PEM file were trusted as if they were public roots.
    TrustAnchor {
        /// Their subjects.
        subjects: Vec<String>,
        /// The file.
        path: String,
    },
    /// `HOST:PORT` was connected at another address and port (curl's `--connect-to`).
    ConnectTo {
        /// The name.
        host: String,
        /// The port.
        port: u16,
        /// Where connections went instead.
        to: SocketAddr,
    },
    /// `HOST:PORT` was resolved to fixed addresses (curl's `--resolve`).
    Resolve {
        /// The name.
        host: String,
        /// The port.
        port: u16,
        /// The addresses used.
        addresses: Vec<IpAddr>,
    },
    /// No origin or edge handshake was made.
    NotProbed {
        /// The switch that said so: `--no-probe` or `PROBE=false`.
        switch: &'static str,
    },
    /// `check-config --offline`: no AWS call and no handshake; only the file itself was checked.
    Offline,
    /// The file checked by `check-config` declares no CloudFront distribution.
    NoDistribution {
        /// The file.
        file: String,
    },
    /// Origins were probed but the edge was not checked.
    EdgeNotChecked {
        /// The switch that said so: `--no-edge-check` or `EDGE_CHECK=false`.
        switch: &'static str,
    },
    /// No follow-up queue: a distribution still InProgress is not re-checked at the edge later.
    FollowUpsOff,
    /// The edge re-check of distributions still not Deployed stopped after its last attempt.
    FollowUpGaveUp {
        /// Follow-ups that ran.
        attempts: u32,
        /// `FOLLOW_UP_MAX_ATTEMPTS`.
        max: u32,
        /// The distributions still not Deployed.
        pending: Vec<String>,
    },
    /// A suppression has expired: the findings it held are reported again, as new.
    SuppressionExpired {
        /// Its id.
        id: String,
        /// The code it suppressed.
        code: String,
        /// When it expired.
        expired_at: OffsetDateTime,
        /// How many findings it held came back as new in this run.
        reopened: usize,
    },
    /// A suppression in force matched no finding where this run looked: it hides nothing today
    /// but would hide a future problem.
    SuppressionUnmatched {
        /// Its id.
        id: String,
        /// The code it names.
        code: String,
    },
    /// The state could not be read or written: every finding is reported as new.
    StateUnavailable {
        /// Why, and what to do.
        reason: String,
    },
    /// No state is configured: every finding is reported as new and nothing is resolved.
    NoState {
        /// The setting that would configure it (`--state`, `STATE_TABLE`).
        setting: &'static str,
    },
    /// The state store skipped an item it could not read (malformed, or not this tool's).
    StateItemSkipped {
        /// Which item, and what is wrong with it.
        item: String,
    },
    /// The account could not be read: fingerprints use `unknown` instead of the account id.
    AccountUnknown {
        /// Why.
        reason: String,
        /// How to name it (`--account`).
        remedy: &'static str,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::EndpointOverride { url } => write!(f, "AWS endpoint overridden: {url}"),
            Note::AsOf { at } => write!(
                f,
                "judged as of {}",
                at.format(&Rfc3339).unwrap_or_default()
            ),
            Note::TrustAnchor { subjects, path } => write!(
                f,
                "lab input: {} trusted as a public root ({path})",
                subjects.join("; ")
            ),
            Note::ConnectTo { host, port, to } => {
                write!(f, "lab input: {host}:{port} connected at {to}")
            }
            Note::Resolve {
                host,
                port,
                addresses,
            } => {
                let addresses: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
                write!(
                    f,
                    "lab input: {host}:{port} resolved to {}",
                    addresses.join(", ")
                )
            }
            Note::NotProbed { switch } => write!(f, "origins not probed ({switch})"),
            Note::Offline => f.write_str(
                "offline: no AWS call and no handshake; certificates named by ARN were not read",
            ),
            Note::NoDistribution { file } => {
                write!(f, "{file} declares no CloudFront distribution: nothing to check")
            }
            Note::EdgeNotChecked { switch } => write!(f, "edge not checked ({switch})"),
            Note::FollowUpsOff => f.write_str(
                "no follow-up queue: the edge of a distribution still InProgress is not re-checked later",
            ),
            Note::FollowUpGaveUp {
                attempts,
                max,
                pending,
            } => write!(
                f,
                "the edge re-check gave up after {attempts} follow-up attempt(s) \
                 (FOLLOW_UP_MAX_ATTEMPTS={max}): {} still not Deployed",
                pending.join(", ")
            ),
            Note::SuppressionExpired {
                id,
                code,
                expired_at,
                reopened,
            } => write!(
                f,
                "suppression {id} ({code}) expired on {}: {reopened} finding(s) reported again as \
                 new; renew it with `suppress add` or remove it with `suppress remove {id}`",
                expired_at.format(&Rfc3339).unwrap_or_default()
            ),
            Note::SuppressionUnmatched { id, code } => write!(
                f,
                "suppression {id} ({code}) matched no finding: remove it with `suppress remove \
                 {id}` before it hides a future problem"
            ),
            Note::StateUnavailable { reason } => write!(
                f,
                "state unavailable, every finding is reported as new and nothing resolved: {reason}"
            ),
            Note::NoState { setting } => write!(
                f,
                "no state ({setting} not set): every finding is reported as new and nothing is \
                 resolved"
            ),
            Note::StateItemSkipped { item } => write!(
                f,
                "state item skipped: {item}; delete or fix it in the state table"
            ),
            Note::AccountUnknown { reason, remedy } => write!(
                f,
                "account unknown ({reason}): fingerprints name the account `unknown`; {remedy}"
            ),
        }
    }
}

/// Notes are a list of sentences in the JSON contract.
impl Serialize for Note {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_as_the_sentences_the_reports_always_printed() {
        let cases = [
            (
                Note::EndpointOverride {
                    url: "http://127.0.0.1:5000".into(),
                },
                "AWS endpoint overridden: http://127.0.0.1:5000",
            ),
            (
                Note::AsOf {
                    at: time::macros::datetime!(2027-01-01 00:00 UTC),
                },
                "judged as of 2027-01-01T00:00:00Z",
            ),
            (
                Note::Resolve {
                    host: "origin.demo.test".into(),
                    port: 443,
                    addresses: vec![IpAddr::from([127, 0, 0, 1])],
                },
                "lab input: origin.demo.test:443 resolved to 127.0.0.1",
            ),
            (
                Note::NotProbed {
                    switch: "--no-probe",
                },
                "origins not probed (--no-probe)",
            ),
            (
                Note::SuppressionExpired {
                    id: "s-0123456789".into(),
                    code: "viewer-tls-policy-outdated".into(),
                    expired_at: time::macros::datetime!(2027-03-01 00:00 UTC),
                    reopened: 2,
                },
                "suppression s-0123456789 (viewer-tls-policy-outdated) expired on \
                 2027-03-01T00:00:00Z: 2 finding(s) reported again as new; renew it with \
                 `suppress add` or remove it with `suppress remove s-0123456789`",
            ),
            (
                Note::SuppressionUnmatched {
                    id: "s-0123456789".into(),
                    code: "viewer-http-allowed".into(),
                },
                "suppression s-0123456789 (viewer-http-allowed) matched no finding: remove it \
                 with `suppress remove s-0123456789` before it hides a future problem",
            ),
            (
                Note::NoState {
                    setting: "STATE_TABLE",
                },
                "no state (STATE_TABLE not set): every finding is reported as new and nothing is \
                 resolved",
            ),
            (
                Note::AccountUnknown {
                    reason: "no credentials".into(),
                    remedy: "pass --account",
                },
                "account unknown (no credentials): fingerprints name the account `unknown`; pass \
                 --account",
            ),
        ];
        for (note, text) in cases {
            assert_eq!(note.to_string(), text);
            assert_eq!(
                serde_json::to_value(&note).ok(),
                Some(serde_json::Value::from(text))
            );
        }
    }
}
