//! `cloudfront-tls-audit probe HOST[:PORT]`: one origin, probed as CloudFront would, with a verdict in
//! CloudFront's terms and the same finding JSON as `audit` (`distribution_id` null).

use std::fmt::Write;
use std::time::Duration;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::{lab_options, CliError, ProbeArgs};
use crate::audit::{run as run_audit, AuditRequest, NoAccount, OriginRequest, Subject};
use crate::catalogue::Code;
use crate::finding::render_value;
use crate::report::{
    render_document, render_findings, severity_counts, terminal, Note, OriginProbe, Report,
};
use crate::rules::ExpiryThresholds;
use crate::tls::{ProbeOutcome, ProtocolVersion};
use crate::untrusted::{cap_names, SHOWN_ITEMS};

/// CloudFront's longest `ConnectionTimeout`.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Probes `origin` with each SNI name (default: the host), through the one pipeline.
pub(crate) async fn run(
    origin: &str,
    snis: &[String],
    origin_ssl_protocols: &[String],
    lab: &ProbeArgs,
    thresholds: ExpiryThresholds,
    now: OffsetDateTime,
    mut notes: Vec<Note>,
) -> Result<Report, CliError> {
    let (host, port) = split_host_port(origin)?;
    let mut offered_versions = Vec::new();
    for protocol in origin_ssl_protocols {
        let version = ProtocolVersion::from_origin_ssl_protocol(protocol)
            .ok_or_else(|| CliError::OriginSslProtocol(protocol.clone()))?;
        offered_versions.push(version);
    }
    let options = lab_options(lab, &mut notes)?;
    let request = AuditRequest {
        subject: Subject::Origin(OriginRequest {
            host,
            port,
            snis: snis.to_vec(),
            offered_versions,
            connect_timeout: options.settings.deadline.min(MAX_CONNECT_TIMEOUT),
        }),
        now,
        notes,
        probe: Some(options),
        thresholds,
    };
    Ok(run_audit(&NoAccount, &request).await)
}

/// `host`, `host:port`, `[v6]:port`; the port defaults to 443.
fn split_host_port(origin: &str) -> Result<(String, u16), CliError> {
    let invalid = || CliError::ProbeTarget(origin.to_owned());
    let origin = origin.trim();
    let (host, port) = if let Some(rest) = origin.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(invalid)?;
        (host, after.strip_prefix(':'))
    } else {
        match origin.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host, Some(port)),
            _ => (origin, None),
        }
    };
    let port = match port {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(invalid)?,
        None => 443,
    };
    let host = crate::names::normalise(host);
    if host.is_empty() || host.contains('/') {
        return Err(invalid());
    }
    Ok((host, port))
}

/// The verdict in CloudFront's terms: the first finding that would make it answer 502 or 504.
fn verdict(probe: &OriginProbe) -> String {
    match &probe.failure {
        Some(f) if f.code == Code::AuditIncomplete => format!("not judged: {}", f.message),
        Some(f) => format!("CloudFront would answer {}: {}", f.viewer_impact, f.message),
        None => "CloudFront would connect".to_owned(),
    }
}

/// `{"findings", "summary"}` as for `audit`, plus `probes`: what each handshake saw.
pub(crate) fn render_json(shown: &Report) -> String {
    let mut document = shown.to_json_object();
    let probes: Vec<Value> = shown
        .origin_probes
        .iter()
        .map(|p| {
            json!({
                "target": p.observation.target,
                "addresses": p.observation.addresses,
                "outcome": p.observation.outcome,
                "certificates": p.certificates,
                "verdict": verdict(p),
            })
        })
        .collect();
    document.insert("probes".to_owned(), Value::Array(probes));
    render_document(document, true)
}

/// Per SNI: addresses, what was negotiated, the chain as sent and the verdict; then the findings.
/// Every string an origin or the command line chose goes through the terminal's sanitiser
/// ([`terminal`]): a certificate's subject can carry ESC, OSC 8 links, BEL or bidi overrides.
pub(crate) fn render_text(shown: &Report, colour: bool) -> String {
    let mut out = String::new();
    for p in &shown.origin_probes {
        let target = &p.observation.target;
        let offered: Vec<&str> = target.offered_versions.iter().map(|v| v.as_str()).collect();
        let _ = writeln!(
            out,
            "Probe {}:{} (SNI {}), offering {}",
            terminal(&target.host),
            target.port,
            terminal(&target.sni),
            offered.join(", ")
        );
        let addresses: Vec<String> = p
            .observation
            .addresses
            .iter()
            .map(|a| a.to_string())
            .collect();
        let _ = writeln!(out, "  addresses: {}", or_none(&addresses.join(", ")));
        match &p.observation.outcome {
            ProbeOutcome::Negotiated(n) => {
                let completion = match &n.completion {
                    Some(Ok(())) => "full handshake completed".to_owned(),
                    Some(Err(e)) => format!("full handshake failed: {}", terminal(&e.to_string())),
                    None => {
                        "full handshake not attempted (parameters rustls cannot speak)".to_owned()
                    }
                };
                let _ = writeln!(
                    out,
                    "  negotiated: {} {} ({completion})",
                    n.version.as_str(),
                    terminal(&n.cipher_name)
                );
                let _ = writeln!(out, "  chain as sent:");
                for (i, c) in p.certificates.as_array().into_iter().flatten().enumerate() {
                    let field =
                        |name: &str| terminal(&c.get(name).map(render_value).unwrap_or_default());
                    let _ = writeln!(
                        out,
                        "    {i}: {}\n       issuer {}; serial {}; valid {} to {}\n       names: {}; key {}; sha256 {}",
                        field("subject"),
                        field("issuer"),
                        field("serial"),
                        field("not_before"),
                        field("not_after"),
                        or_none(&shown_names(c.get("dns_names"))),
                        field("key"),
                        field("sha256"),
                    );
                }
            }
            other => {
                let _ = writeln!(
                    out,
                    "  outcome: {}",
                    terminal(&serde_json::to_string(other).unwrap_or_default())
                );
            }
        }
        let _ = writeln!(out, "  verdict: {}\n", terminal(&verdict(p)));
    }
    out.push_str(&render_findings(shown, colour, "Findings"));
    let _ = writeln!(
        out,
        "{} probe{}: {}",
        shown.origin_probes.len(),
        if shown.origin_probes.len() == 1 {
            ""
        } else {
            "s"
        },
        severity_counts(shown)
    );
    out
}

/// The names a person reads: the first [`SHOWN_ITEMS`], then how many more (the JSON has them all).
fn shown_names(names: Option<&Value>) -> String {
    let names = names.and_then(Value::as_array).into_iter().flatten();
    terminal(&cap_names(names.map(render_value), SHOWN_ITEMS).join(", "))
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "(none)"
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_host_or_host_port() {
        assert_eq!(
            split_host_port("Origin.Example.com").ok(),
            Some(("origin.example.com".into(), 443))
        );
        assert_eq!(
            split_host_port("origin.example.com:8443").ok(),
            Some(("origin.example.com".into(), 8443))
        );
        assert_eq!(
            split_host_port("[::1]:9443").ok(),
            Some(("::1".into(), 9443))
        );
        assert_eq!(
            split_host_port("127.0.0.1").ok(),
            Some(("127.0.0.1".into(), 443))
        );
        for bad in ["", ":443", "host:0", "host:99999", "https://host/", "[::1"] {
            assert!(split_host_port(bad).is_err(), "{bad}");
        }
    }
}
