//! Entries of the audit family: the audit's own blind spots.

use super::{Cause, Code, Entry, Family};
use super::{Severity, ViewerImpact};

/// `audit-incomplete`
pub static AUDIT_INCOMPLETE: Entry = Entry {
    id: "audit-incomplete",
    family: Family::Audit,
    title: "Part of the audit could not be done",
    why: "A read that failed is not a pass. Until the named resource can be read, problems in it stay \
          invisible, so the audit says exactly what it could not see and why.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/security-iam.html",
    causes: &[
        &INCOMPLETE_ACCESS_DENIED,
        &INCOMPLETE_THROTTLED,
        &INCOMPLETE_NOT_FOUND,
        &INCOMPLETE_OTHER,
        &INCOMPLETE_LOCAL_CONNECTION,
        &INCOMPLETE_LOCAL_RESOLVER,
    ],
};

/// The caller may not read a resource.
pub static INCOMPLETE_ACCESS_DENIED: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "access-denied",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): access denied, so it was not audited.",
    remediation: &[
        "Grant the auditing role {operation} (read-only) on {resource}.",
        "Run the audit again; until then, treat this part as unchecked.",
    ],
};

/// Throttled beyond the SDK's retries.
pub static INCOMPLETE_THROTTLED: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "throttling",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): throttled after the SDK's retries.",
    remediation: &[
        "Run the audit again later, or with fewer concurrent runs against the same account.",
        "If throttling persists, ask AWS Support about the {operation} rate in this account.",
    ],
};

/// A named resource is gone.
pub static INCOMPLETE_NOT_FOUND: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "not-found",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "{resource} was not found ({operation}), so it was not audited.",
    remediation: &[
        "Check the id: it may have been deleted, or belong to another account.",
        "List what exists with `aws cloudfront list-distributions` and audit those ids.",
    ],
};

/// Any other failure.
pub static INCOMPLETE_OTHER: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "other",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): {error}.",
    remediation: &[
        "Check network access and credentials for the AWS endpoint, then run the audit again.",
        "Until then, treat this part as unchecked.",
    ],
};

/// This machine could not open a connection (or send, or read) for a probe: out of descriptors,
/// socket buffers, memory or local ports. Nothing is known about the origin, so nothing is blamed
/// on it.
pub static INCOMPLETE_LOCAL_CONNECTION: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "local-connection",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not audit {resource}: this machine could not {action} ({error}: {detail}), so               the origin was not judged. The fault is on the auditing side, not the origin's.",
    remediation: &[
        "Out of descriptors (EMFILE, ENFILE): lower the handshakes run at once (--probe-concurrency, or PROBE_CONCURRENCY in the Lambda) or raise the limit (ulimit -n).",
        "Out of socket buffers, memory or local ports (ENOBUFS, ENOMEM, EADDRNOTAVAIL, EADDRINUSE): lower the concurrency, or run again once the connections in TIME_WAIT have closed.",
        "Run the audit again; until then, treat this part as unchecked.",
    ],
};

/// This machine could not resolve a name: no resolver configuration, or no socket to its
/// nameservers. Not the origin's DNS failure.
pub static INCOMPLETE_LOCAL_RESOLVER: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "local-resolver",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not audit {resource}: this machine could not resolve {host} ({error}:               {detail}), so the origin was not judged. The fault is on the auditing side, not the               origin's DNS.",
    remediation: &[
        "Give this machine a resolver: a readable /etc/resolv.conf with a nameserver line (in a lab, CLOUDFRONT_TLS_AUDIT_NAMESERVERS=ADDR:PORT).",
        "Or pin the address: --resolve {host}:PORT:ADDR (CLOUDFRONT_TLS_AUDIT_RESOLVE in the Lambda); IP addresses and localhost need no resolver.",
        "Run the audit again; until then, treat this part as unchecked.",
    ],
};

/// `audit-certificate-unused`
pub static AUDIT_CERTIFICATE_UNUSED: Entry = Entry {
    id: "audit-certificate-unused",
    family: Family::Audit,
    title: "An ACM event concerns a certificate no distribution uses",
    why: "ACM sends expiry and renewal events for every certificate in us-east-1. When no distribution \
          uses the certificate (neither ACM's InUseBy nor any ViewerCertificate), nothing can break for \
          CloudFront viewers; the audit says so instead of staying silent.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/supported-events.html",
    causes: &[&CERTIFICATE_UNUSED],
};

/// The only cause of `audit-certificate-unused`.
pub static CERTIFICATE_UNUSED: Cause = Cause {
    code: Code::AuditCertificateUnused,
    id: "unused",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "No distribution uses certificate {certificate_arn}: nothing to audit for CloudFront.",
    remediation: &[
        "If the certificate is no longer needed, delete it (aws acm delete-certificate --region us-east-1 --certificate-arn {certificate_arn}) to stop its events.",
    ],
};
