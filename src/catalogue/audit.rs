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

/// `audit-not-covered`
pub static AUDIT_NOT_COVERED: Entry = Entry {
    id: "audit-not-covered",
    family: Family::Audit,
    title: "Part of the distribution is outside what the audit checks",
    why: "The audit reads the distribution's configuration and probes the origins and aliases it names. \
          Some parts of CloudFront are outside that today: VPC origins where the run reads none (a \
          configuration checked before deployment), viewer mTLS trust stores and \
          connection functions, origin mTLS client certificates, multi-tenant distributions' tenants, \
          and origins a function picks at run time. Silence about them would read as a pass, so each \
          such part is named with what was not checked, what could break there and how to check it \
          by hand, until a later version covers it. The finding does not mean anything is wrong.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html",
    causes: &[
        &NOT_COVERED_VPC_ORIGIN,
        &NOT_COVERED_VIEWER_MTLS,
        &NOT_COVERED_CONNECTION_FUNCTION,
        &NOT_COVERED_ORIGIN_MTLS,
        &NOT_COVERED_TENANTS,
        &NOT_COVERED_RUNTIME_ORIGIN,
    ],
};

/// An origin with `VpcOriginConfig`: its TLS settings live on the VPC origin resource.
pub static NOT_COVERED_VPC_ORIGIN: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "vpc-origin",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "VPC origin {origin_id} (VpcOriginId {vpc_origin_id}) was not audited: its protocol \
              policy, OriginSslProtocols and HTTPS port live on the VPC origin, which this run did not \
              read (a configuration checked before deployment, with no AWS reads), and the load \
              balancer or instance behind it is in private subnets the probe cannot reach. A TLS \
              1.3-only listener, an expired certificate or one that does not cover {origin_domain} \
              would make CloudFront answer 502 unseen.",
    remediation: &[
        "Meanwhile, check by hand: `aws cloudfront get-vpc-origin --id {vpc_origin_id}` shows \
         VpcOriginEndpointConfig (OriginProtocolPolicy, OriginSslProtocols, HTTPSPort, Arn) and its \
         Status.",
        "For the load balancer named by that Arn, `aws elbv2 describe-listeners --load-balancer-arn ARN`: \
         the HTTPS listener's SslPolicy must keep TLS 1.2 (not an ELBSecurityPolicy-TLS13-1-3-* policy), \
         and its certificate must be from a publicly trusted CA, valid, and cover {origin_domain}.",
        "An audit of the deployed distribution reads the VPC origin and its load balancer; nothing needs fixing because of this finding alone.",
    ],
};

/// `ViewerMtlsConfig` on the distribution: the trust store and client certificates are not checked.
pub static NOT_COVERED_VIEWER_MTLS: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "viewer-mtls",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Viewer mTLS (Mode {mode}, trust store {trust_store_id}) was not audited: this audit does \
              not read the trust store's CA certificates or their expiry, and its edge check presents \
              no client certificate. A trust store whose CA expired or was replaced rejects every \
              client certificate it signed, so with Mode required those viewers cannot connect.",
    remediation: &[
        "Meanwhile, check by hand: `aws cloudfront get-trust-store --identifier {trust_store_id}` \
         (Status active, NumberOfCaCertificates as expected), then the expiry of each CA certificate \
         in the bundle uploaded to it (`openssl x509 -noout -enddate`).",
        "Connect as a viewer would, with a client certificate the trust store should accept: \
         `openssl s_client -connect ALIAS:443 -servername ALIAS -cert client.pem -key client.key`.",
        "This finding stays until the audit reads trust stores; nothing needs fixing because of it alone.",
    ],
};

/// `ConnectionFunctionAssociation` on the distribution: code runs during the viewer's connection.
pub static NOT_COVERED_CONNECTION_FUNCTION: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "connection-function",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Connection function {connection_function_id} runs while viewers connect and was not \
              audited: it can accept or refuse a viewer's connection (its client certificate \
              included), and this audit neither reads its code nor connects the way those viewers do.",
    remediation: &[
        "Meanwhile, check by hand: read the function's code (`aws cloudfront get-connection-function \
         --identifier {connection_function_id}`) for the connections it refuses.",
        "Connect as those viewers would (`openssl s_client -connect ALIAS:443 -servername ALIAS`, with \
         `-cert` and `-key` when viewers present a certificate) and confirm the handshake completes.",
        "This finding stays until the audit reads connection functions; nothing needs fixing because of \
         it alone.",
    ],
};

/// `OriginMtlsConfig` on a custom origin: the client certificate CloudFront presents is not checked.
pub static NOT_COVERED_ORIGIN_MTLS: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "origin-mtls",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Origin {origin_id} ({origin_domain}) requires CloudFront's client certificate \
              {client_certificate_arn} (OriginMtlsConfig), which was not audited: this audit does not \
              check that certificate's status, expiry or key, nor that the origin accepts it, and its \
              probe presents no client certificate. An expired or replaced client certificate makes \
              the origin refuse CloudFront, and viewers get 502.",
    remediation: &[
        "Meanwhile, check by hand: `aws acm describe-certificate --certificate-arn \
         {client_certificate_arn}` (in the ARN's region): Status ISSUED, NotAfter well ahead, and the \
         Extended Key Usage includes TLS client authentication.",
        "On the origin, confirm that the CA which issued that certificate is in the trust list it \
         checks client certificates against.",
        "This finding stays until the audit reads origin client certificates; nothing needs fixing \
         because of it alone.",
    ],
};

/// A multi-tenant distribution: its distribution tenants are not read.
pub static NOT_COVERED_TENANTS: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "multi-tenant",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Multi-tenant distribution (ConnectionMode {connection_mode}): its distribution tenants \
              were not audited. Each tenant brings its own domains, certificate and parameter values \
              (origin domains included); this audit reads none of them, so what it reports applies to \
              the shared settings only. A tenant certificate that expired or \
              misses one of the tenant's domains would go unseen.",
    remediation: &[
        "Meanwhile, check by hand: `aws cloudfront list-distribution-tenants --association-filter \
         DistributionId={distribution_id}`, then for each tenant `aws cloudfront \
         get-distribution-tenant --identifier ID`: every domain's status, and the certificate in \
         Customizations (issued, in us-east-1, not expiring soon, covering every domain).",
        "Probe each tenant's origin host as CloudFront would: `cloudfront-tls-audit probe HOST`.",
        "This finding stays until the audit reads distribution tenants; nothing needs fixing because of \
         it alone.",
    ],
};

/// A function that can change the origin (CloudFront Functions on viewer-request, Lambda@Edge on
/// origin-request) is associated with a cache behaviour.
pub static NOT_COVERED_RUNTIME_ORIGIN: Cause = Cause {
    code: Code::AuditNotCovered,
    id: "origin-chosen-at-run-time",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "{function_kind} function {function_arn} runs on {event_type} for cache behaviours \
              {cache_behaviors}, where it may choose the origin at run time. This audit checked only \
              the origins in the configuration, not any origin the function may send requests to, \
              whose certificate and protocols could make CloudFront answer 502.",
    remediation: &[
        "Meanwhile, check by hand: read the function's code for origin changes (CloudFront Functions: \
         cf.updateRequestOrigin, cf.selectRequestOriginById, cf.createRequestOriginGroup; Lambda@Edge: \
         assignments to request.origin) and list every host it can pick.",
        "Probe each of those hosts as CloudFront would, with the protocols the function sets: \
         `cloudfront-tls-audit probe HOST[:PORT] --origin-ssl-protocols TLSv1.2`.",
        "This finding stays while the function is associated: the audit cannot know which origins code \
         picks; nothing needs fixing because of it alone.",
    ],
};

/// `config-value-unresolved`
pub static CONFIG_VALUE_UNRESOLVED: Entry = Entry {
    id: "config-value-unresolved",
    family: Family::Audit,
    title: "A value of the proposed configuration cannot be known before deploying",
    why: "The pre-deploy gate checks a template or a plan before it is deployed. Some values exist only \
          then: an import from another stack, a value Terraform knows after apply, a parameter without \
          a value, a certificate the gate was told not to read (`--offline`). Every check that needs \
          such a value is named here instead of passing in silence; the deployed distribution is \
          checked by `audit` and the Lambda once it exists.",
    docs: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudfront-distribution.html",
    causes: &[&UNRESOLVED_VALUE, &UNRESOLVED_NOT_READ],
};

/// A property whose value exists only after deploying.
pub static UNRESOLVED_VALUE: Cause = Cause {
    code: Code::ConfigValueUnresolved,
    id: "unresolved",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "{property} of {resource} cannot be known before deploying ({reason}), so {unchecked} \
              was not checked.",
    remediation: &[
        "Give the value to the gate where you can: `--parameters FILE` for template parameters, a \
         literal ARN, or the certificate declared in the same template or plan.",
        "Otherwise audit the distribution once deployed: `cloudfront-tls-audit audit --distribution ID`.",
    ],
};

/// A certificate named by ARN that the gate did not read (`--offline`).
pub static UNRESOLVED_NOT_READ: Cause = Cause {
    code: Code::ConfigValueUnresolved,
    id: "not-read",
    severity: Severity::Info,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "{resource} was not read ({operation}): {error}.",
    remediation: &[
        "Run the gate without `--offline`, with credentials that may call {operation} in \
         us-east-1 (read-only).",
    ],
};
