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
        &INCOMPLETE_TIMEOUT,
        &INCOMPLETE_SERVER_ERROR,
        &INCOMPLETE_MALFORMED_RESPONSE,
        &INCOMPLETE_UNREACHABLE,
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
    message: "Could not read {resource} ({operation}): throttled after the SDK's retries. \
              Detail: {error}.",
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

/// AWS did not answer in time: the attempt or operation timeout, or the invocation's deadline.
pub static INCOMPLETE_TIMEOUT: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "timeout",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): no answer in time, so it was not audited. \
              Detail: {error}.",
    remediation: &[
        "Check that the AWS endpoint answers from where the audit runs (VPC endpoints, NAT, proxies, \
         AWS_ENDPOINT_URL).",
        "If AWS is slow rather than silent, raise AWS_ATTEMPT_TIMEOUT_SECONDS and \
         AWS_OPERATION_TIMEOUT_SECONDS (--aws-attempt-timeout, --aws-operation-timeout), and in the \
         Lambda its timeout, then run the audit again.",
    ],
};

/// AWS answered with a server error (HTTP 5xx) on every attempt.
pub static INCOMPLETE_SERVER_ERROR: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "server-error",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): AWS answered with a server error on every \
              attempt. Detail: {error}.",
    remediation: &[
        "Run the audit again later; the AWS Health Dashboard shows service events for {operation}.",
        "Until then, treat this part as unchecked.",
    ],
};

/// AWS's answer could not be used: a body cut short, or one that does not parse.
pub static INCOMPLETE_MALFORMED_RESPONSE: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "malformed-response",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): the answer could not be used. Detail: \
              {error}.",
    remediation: &[
        "Check what sits between the audit and AWS (an HTTP proxy, an endpoint override such as \
         AWS_ENDPOINT_URL or --endpoint-url): AWS itself answers in full and well formed.",
        "Run the audit again; until then, treat this part as unchecked.",
    ],
};

/// The AWS endpoint could not be reached at all.
pub static INCOMPLETE_UNREACHABLE: Cause = Cause {
    code: Code::AuditIncomplete,
    id: "unreachable",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Could not read {resource} ({operation}): the AWS endpoint could not be reached. \
              Detail: {error}.",
    remediation: &[
        "Check DNS, routes and proxies to the AWS endpoint (and --endpoint-url or AWS_ENDPOINT_URL \
         when set), then run the audit again.",
        "Until then, treat this part as unchecked.",
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
