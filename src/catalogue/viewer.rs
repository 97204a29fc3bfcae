//! Entries of the viewer families: the certificate, the names it covers, the security policy.

use super::{Cause, Code, Entry, Family};
use super::{Severity, ViewerImpact};

const DOCS_REQUIREMENTS: &str =
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html";
const DOCS_INVALID_VIEWER_CERTIFICATE: &str =
    "https://repost.aws/knowledge-center/cloudfront-invalid-viewer-certificate";

/// `viewer-default-cert-with-aliases`
pub static VIEWER_DEFAULT_CERT_WITH_ALIASES: Entry = Entry {
    id: "viewer-default-cert-with-aliases",
    family: Family::ViewerCertificate,
    title: "Aliases are configured but viewers get the default *.cloudfront.net certificate",
    why: "An alternate domain name needs a trusted certificate that covers it. With the default \
          certificate, a browser visiting the alias sees a name mismatch, and CloudFront rejects the \
          update with InvalidViewerCertificate.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
    causes: &[&DEFAULT_CERT_WITH_ALIASES],
};

/// The only cause of `viewer-default-cert-with-aliases`.
pub static DEFAULT_CERT_WITH_ALIASES: Cause = Cause {
    code: Code::ViewerDefaultCertWithAliases,
    id: "default-certificate",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message: "Aliases {aliases} are configured, but the distribution uses the default *.cloudfront.net certificate.",
    remediation: &[
        "Request (or import) a certificate in ACM in us-east-1 that covers {aliases}.",
        "Select it in the distribution (ViewerCertificate.ACMCertificateArn, CloudFrontDefaultCertificate=false, SSLSupportMethod=sni-only, MinimumProtocolVersion=TLSv1.2_2021).",
        "Or remove the aliases if the distribution should only answer on its *.cloudfront.net name.",
    ],
};

/// `viewer-cert-wrong-region`
pub static VIEWER_CERT_WRONG_REGION: Entry = Entry {
    id: "viewer-cert-wrong-region",
    family: Family::ViewerCertificate,
    title: "The ACM certificate is not in us-east-1",
    why:
        "CloudFront only uses ACM certificates from US East (N. Virginia). Any other region gives \
          InvalidViewerCertificate: the change is refused.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html",
    causes: &[&WRONG_REGION],
};

/// The only cause of `viewer-cert-wrong-region`.
pub static WRONG_REGION: Cause = Cause {
    code: Code::ViewerCertWrongRegion,
    id: "wrong-region",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "Certificate {certificate_arn} is in {region}; CloudFront only accepts ACM certificates from us-east-1.",
    remediation: &[
        "Request or import the certificate in ACM in us-east-1 (the same names: {certificate_names}), then select it in the distribution.",
        "Certificates cannot be moved between regions: re-issue (DNS validation renews automatically) or re-import it.",
    ],
};

/// `viewer-cert-not-found`
pub static VIEWER_CERT_NOT_FOUND: Entry = Entry {
    id: "viewer-cert-not-found",
    family: Family::ViewerCertificate,
    title: "The configured certificate does not exist or cannot be read",
    why: "A distribution that names a missing certificate cannot be updated, and viewers get whatever \
          CloudFront last deployed, if anything.",
    docs: DOCS_INVALID_VIEWER_CERTIFICATE,
    causes: &[&CERT_NOT_FOUND_ACM, &CERT_NOT_FOUND_IAM, &CERT_ARN_MALFORMED],
};

/// ACM says no such certificate.
pub static CERT_NOT_FOUND_ACM: Cause = Cause {
    code: Code::ViewerCertNotFound,
    id: "acm-not-found",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "ACM has no certificate {certificate_arn} in this account ({reason}).",
    remediation: &[
        "Check that the ARN belongs to this account (ACM certificates cannot be shared across accounts) and was not deleted.",
        "Request or import the certificate in ACM in us-east-1, then select it in the distribution.",
    ],
};

/// IAM has no server certificate with that id.
pub static CERT_NOT_FOUND_IAM: Cause = Cause {
    code: Code::ViewerCertNotFound,
    id: "iam-not-found",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "IAM has no server certificate with id {certificate_id} ({reason}).",
    remediation: &[
        "Upload the certificate to IAM with a path under /cloudfront/ (aws iam upload-server-certificate --path /cloudfront/ ...), or better, import it into ACM in us-east-1.",
        "Select the new certificate in the distribution.",
    ],
};

/// The ARN is not an ACM certificate ARN.
pub static CERT_ARN_MALFORMED: Cause = Cause {
    code: Code::ViewerCertNotFound,
    id: "malformed-arn",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "{certificate_arn} is not an ACM certificate ARN (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID).",
    remediation: &[
        "Copy the certificate ARN from `aws acm list-certificates --region us-east-1` and set it as ACMCertificateArn.",
    ],
};

/// `viewer-cert-not-issued`
pub static VIEWER_CERT_NOT_ISSUED: Entry = Entry {
    id: "viewer-cert-not-issued",
    family: Family::ViewerCertificate,
    title: "The ACM certificate is not issued",
    why: "Only an ISSUED certificate can be served. A certificate pending validation, timed out, failed, \
          inactive or revoked cannot be attached, and one that becomes revoked or inactive while \
          attached breaks HTTPS for every alias.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/troubleshooting-validation.html",
    causes: &[&NOT_ISSUED_PENDING, &NOT_ISSUED_DEAD],
};

/// Validation has not finished.
pub static NOT_ISSUED_PENDING: Cause = Cause {
    code: Code::ViewerCertNotIssued,
    id: "pending-validation",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message: "Certificate {certificate_arn} is {status}: ACM has not validated {pending_domains}.",
    remediation: &[
        "Create the DNS validation records ACM lists for {pending_domains} (aws acm describe-certificate --region us-east-1 --certificate-arn {certificate_arn}), or answer the validation email.",
        "Wait for status ISSUED before attaching the certificate to the distribution.",
    ],
};

/// The certificate will never be issued again.
pub static NOT_ISSUED_DEAD: Cause = Cause {
    code: Code::ViewerCertNotIssued,
    id: "unusable-status",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message: "Certificate {certificate_arn} is {status} and cannot be served.",
    remediation: &[
        "Request a new certificate in ACM in us-east-1 for {certificate_names} (or import a valid one).",
        "Select it in the distribution once it is ISSUED.",
    ],
};

/// `viewer-cert-expired`
pub static VIEWER_CERT_EXPIRED: Entry = Entry {
    id: "viewer-cert-expired",
    family: Family::ViewerCertificate,
    title: "The viewer certificate has expired",
    why: "Every browser refuses an expired certificate: HTTPS is down for every alias.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html",
    causes: &[&EXPIRED],
};

/// The only cause of `viewer-cert-expired`.
pub static EXPIRED: Cause = Cause {
    code: Code::ViewerCertExpired,
    id: "expired",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message: "Certificate {certificate} expired on {not_after} ({days_ago} days ago).",
    remediation: &[
        "Replace it now: request a new ACM certificate in us-east-1 for {certificate_names} (DNS validation renews automatically), or obtain a renewed certificate from the CA.",
        "Re-import a renewed certificate under the same ACM ARN, or select the new certificate in the distribution (always the case for IAM certificates).",
    ],
};

/// `viewer-cert-not-yet-valid`
pub static VIEWER_CERT_NOT_YET_VALID: Entry = Entry {
    id: "viewer-cert-not-yet-valid",
    family: Family::ViewerCertificate,
    title: "The viewer certificate is not valid yet",
    why: "Before NotBefore, browsers refuse the certificate just as they refuse an expired one.",
    docs: DOCS_REQUIREMENTS,
    causes: &[&NOT_YET_VALID],
};

/// The only cause of `viewer-cert-not-yet-valid`.
pub static NOT_YET_VALID: Cause = Cause {
    code: Code::ViewerCertNotYetValid,
    id: "not-yet-valid",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message: "Certificate {certificate} is valid only from {not_before}.",
    remediation: &[
        "Keep the previous certificate in place until {not_before}, or have the CA re-issue with a validity that has started.",
        "Check the clock of whatever issued it: a NotBefore in the future usually means a skewed signer.",
    ],
};

/// `viewer-cert-expiring`
pub static VIEWER_CERT_EXPIRING: Entry = Entry {
    id: "viewer-cert-expiring",
    family: Family::ViewerCertificate,
    title: "The viewer certificate expires soon",
    why: "An expired certificate takes HTTPS down for every alias. Public lifetimes shrink to 200 days \
          (March 2026), 100 (March 2027) and 47 (March 2029), so the thresholds are shares of the \
          certificate's own lifetime. Renewed by hand: medium in the last third, high in the last \
          tenth, critical in the last 3 days; never earlier than 45 and 14 days before expiry (what \
          long-lived certificates get), never later than 7 and 3 days. Renewed by ACM: nothing while \
          ACM's renewal can still be on time. ACM starts 60 days before expiry on a 395-day \
          certificate (for shorter lifetimes unconfirmed, read conservatively as the same share, 60/395 \
          of the lifetime), and renewal is overdue once 30/395 of the lifetime is left (30 days of \
          395, 15 of 198, 7.6 of 100, 3.6 of 47); from the start of that window when ACM reports the \
          renewal FAILED or PENDING_VALIDATION.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html",
    causes: &[
        &EXPIRING_BY_HAND,
        &EXPIRING_RENEWAL_OVERDUE,
        &EXPIRING_RENEWAL_STALLED,
    ],
};

/// A certificate nobody renews automatically, or not eligible for it.
pub static EXPIRING_BY_HAND: Cause = Cause {
    code: Code::ViewerCertExpiring,
    id: "expiring",
    severity: Severity::Medium,
    other_severities: &[Severity::High, Severity::Critical],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Certificate {certificate} expires on {not_after}, in {days_left} days (lifetime {lifetime}); it is not renewed automatically.",
    remediation: &[
        "Renew it with the issuing CA and re-import it under the same ARN (aws acm import-certificate --certificate-arn ...), or replace it with a DNS-validated ACM certificate in us-east-1.",
        "Check after the change that the edge serves the new certificate.",
    ],
};

/// ACM should already have renewed it.
pub static EXPIRING_RENEWAL_OVERDUE: Cause = Cause {
    code: Code::ViewerCertExpiring,
    id: "managed-renewal-overdue",
    severity: Severity::Medium,
    other_severities: &[Severity::High, Severity::Critical],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Certificate {certificate} expires on {not_after}, in {days_left} days, and ACM has not renewed it: for its lifetime ({lifetime}) ACM starts about {renewal_starts_days} days before expiry and renewal is overdue from {overdue_days} (renewal status: {renewal_status}).",
    remediation: &[
        "Check the renewal status and the validation records: aws acm describe-certificate --region us-east-1 --certificate-arn {certificate_arn}.",
        "Make sure every DNS validation CNAME still exists and CAA records allow amazon.com; otherwise request a new certificate.",
    ],
};

/// ACM's renewal is running but cannot finish by itself.
pub static EXPIRING_RENEWAL_STALLED: Cause = Cause {
    code: Code::ViewerCertExpiring,
    id: "managed-renewal-stalled",
    severity: Severity::Medium,
    other_severities: &[Severity::High, Severity::Critical],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Certificate {certificate} expires on {not_after}, in {days_left} days (lifetime {lifetime}), and ACM's renewal is stuck (renewal status: {renewal_status}, {renewal_reason}): it will not complete until validation succeeds.",
    remediation: &[
        "Restore what validation needs: the DNS validation CNAMEs shown by aws acm describe-certificate --region us-east-1 --certificate-arn {certificate_arn}, and CAA records that allow amazon.com.",
        "If the renewal cannot recover before {not_after}, request a new DNS-validated certificate in us-east-1 and switch the distribution to it.",
    ],
};

/// `viewer-cert-renewal-at-risk`
pub static VIEWER_CERT_RENEWAL_AT_RISK: Entry = Entry {
    id: "viewer-cert-renewal-at-risk",
    family: Family::ViewerCertificate,
    title: "The certificate will not renew by itself",
    why: "Imported and IAM certificates are never renewed; ACM renewal fails when validation cannot \
          complete or the certificate is ineligible, and email-validated domains need a person to act.",
    docs: "https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html",
    causes: &[
        &RENEWAL_BY_HAND,
        &RENEWAL_FAILED,
        &RENEWAL_PENDING_VALIDATION,
        &RENEWAL_INELIGIBLE,
        &RENEWAL_EMAIL_VALIDATED,
    ],
};

/// Imported or IAM, close to expiry.
pub static RENEWAL_BY_HAND: Cause = Cause {
    code: Code::ViewerCertRenewalAtRisk,
    id: "manual-renewal",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "{source} certificate {certificate} expires in {days_left} days (lifetime {lifetime}) and is never renewed automatically.",
    remediation: &[
        "Obtain a renewed certificate from the CA and re-import it under the same ARN (ACM) or upload it and switch the distribution to it (IAM).",
        "Better: replace it with a DNS-validated ACM certificate in us-east-1, which renews itself.",
    ],
};

/// ACM tried and failed.
pub static RENEWAL_FAILED: Cause = Cause {
    code: Code::ViewerCertRenewalAtRisk,
    id: "renewal-failed",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "ACM renewal of {certificate} failed ({renewal_reason}).",
    remediation: &[
        "Fix the cause ACM reports ({renewal_reason}): restore the DNS validation records, or CAA records that allow amazon.com.",
        "If the renewal cannot recover, request a new certificate in us-east-1 and switch the distribution to it before {not_after}.",
    ],
};

/// ACM waits for validation.
pub static RENEWAL_PENDING_VALIDATION: Cause = Cause {
    code: Code::ViewerCertRenewalAtRisk,
    id: "renewal-pending-validation",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "ACM renewal of {certificate} is waiting for domain validation ({renewal_reason}).",
    remediation: &[
        "Re-create the validation records shown by aws acm describe-certificate --region us-east-1 --certificate-arn {certificate_arn}, or answer the validation emails.",
    ],
};

/// ACM will not renew it.
pub static RENEWAL_INELIGIBLE: Cause = Cause {
    code: Code::ViewerCertRenewalAtRisk,
    id: "ineligible",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "ACM reports {certificate} as INELIGIBLE for managed renewal although a distribution uses it.",
    remediation: &[
        "Check aws acm describe-certificate --region us-east-1 --certificate-arn {certificate_arn}: InUseBy should list the distribution; if it does not, re-select the certificate in the distribution.",
        "If it stays ineligible, request a new DNS-validated certificate and switch to it before {not_after}.",
    ],
};

/// A person must click a link every renewal.
pub static RENEWAL_EMAIL_VALIDATED: Cause = Cause {
    code: Code::ViewerCertRenewalAtRisk,
    id: "email-validated",
    severity: Severity::High,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Certificate {certificate} validates {email_domains} by email: each renewal waits for someone to approve it.",
    remediation: &[
        "Request a replacement certificate with DNS validation for the same names and switch the distribution to it; DNS-validated certificates renew without anyone acting.",
    ],
};

/// `viewer-cert-key-unsupported`
pub static VIEWER_CERT_KEY_UNSUPPORTED: Entry = Entry {
    id: "viewer-cert-key-unsupported",
    family: Family::ViewerCertificate,
    title: "CloudFront cannot use the certificate's key",
    why: "CloudFront supports RSA keys up to 4096 bits and ECDSA keys on P-256 only. Other keys are \
          rejected when the certificate is attached.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-size-of-public-key.html",
    causes: &[&KEY_UNSUPPORTED],
};

/// The only cause of `viewer-cert-key-unsupported`.
pub static KEY_UNSUPPORTED: Cause = Cause {
    code: Code::ViewerCertKeyUnsupported,
    id: "unsupported-key",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "Certificate {certificate} has a {key} key; CloudFront accepts RSA up to 4096 bits or EC P-256.",
    remediation: &[
        "Re-issue the certificate with an RSA 2048 or EC P-256 key (ACM: --key-algorithm RSA_2048 or EC_prime256v1), then select it in the distribution.",
    ],
};

/// `viewer-cert-chain-invalid`
pub static VIEWER_CERT_CHAIN_INVALID: Entry = Entry {
    id: "viewer-cert-chain-invalid",
    family: Family::ViewerCertificate,
    title: "The uploaded certificate chain is not acceptable to CloudFront",
    why: "CloudFront rejects imported and IAM chains with more than five certificates or with an expired \
          certificate in them, and a chain it cannot read is as good as none.",
    docs: DOCS_INVALID_VIEWER_CERTIFICATE,
    causes: &[&CHAIN_TOO_LONG, &CHAIN_EXPIRED_MEMBER, &CHAIN_UNREADABLE],
};

/// More than five certificates.
pub static CHAIN_TOO_LONG: Cause = Cause {
    code: Code::ViewerCertChainInvalid,
    id: "too-long",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "The chain of {certificate} holds {chain_length} certificates; CloudFront accepts at most 5.",
    remediation: &[
        "Re-import the certificate with only the intermediates on the path to a trusted root, leaf issuer first, root left out.",
    ],
};

/// An expired intermediate.
pub static CHAIN_EXPIRED_MEMBER: Cause = Cause {
    code: Code::ViewerCertChainInvalid,
    id: "expired-member",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "The chain of {certificate} contains an expired certificate: {expired_subject} (expired {expired_not_after}).",
    remediation: &[
        "Download the current intermediate bundle from the CA and re-import the certificate with it.",
    ],
};

/// A chain member cannot be parsed.
pub static CHAIN_UNREADABLE: Cause = Cause {
    code: Code::ViewerCertChainInvalid,
    id: "unreadable",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "The chain of {certificate} contains data that is not a certificate: {parse_errors}.",
    remediation: &[
        "Re-import the certificate with a chain of PEM certificates only (no keys, no text between the blocks).",
    ],
};

/// `viewer-alias-not-covered`
pub static VIEWER_ALIAS_NOT_COVERED: Entry = Entry {
    id: "viewer-alias-not-covered",
    family: Family::ViewerNames,
    title: "An alias is not covered by the certificate",
    why: "Each alternate domain name must match a SAN of the certificate (the CN only when there are no \
          SANs). A wildcard covers exactly one label: *.example.com covers a.example.com but neither \
          example.com nor a.b.example.com, and a wildcard alias needs the same wildcard in the \
          certificate. Otherwise CloudFront rejects the change, and viewers of a live distribution see a \
          name-mismatch warning.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
    causes: &[&ALIAS_NOT_COVERED],
};

/// The only cause of `viewer-alias-not-covered`.
pub static ALIAS_NOT_COVERED: Cause = Cause {
    code: Code::ViewerAliasNotCovered,
    id: "alias-not-covered",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::CertWarning,
    impact_when_proposed: Some(ViewerImpact::UpdateRejected),
    message:
        "Alias {alias} is not covered by certificate {certificate} (names: {certificate_names}).",
    remediation: &[
        "Re-issue the certificate with {alias} in its SANs, then select it in the distribution.",
        "Or remove the alias {alias} from the distribution if it is no longer served.",
    ],
};

/// `viewer-tls-policy-invalid`
pub static VIEWER_TLS_POLICY_INVALID: Entry = Entry {
    id: "viewer-tls-policy-invalid",
    family: Family::ViewerPolicy,
    title: "CloudFront rejects this viewer certificate configuration",
    why: "Some combinations are refused outright: SSLv3 with sni-only (InvalidProtocolSettings), more \
          than one certificate source, and a custom certificate without SSLSupportMethod or \
          MinimumProtocolVersion (InvalidViewerCertificate).",
    docs: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
    causes: &[
        &POLICY_SSLV3_WITH_SNI,
        &POLICY_SEVERAL_SOURCES,
        &POLICY_MISSING_FIELD,
        &POLICY_UNKNOWN,
    ],
};

/// SSLv3 + sni-only.
pub static POLICY_SSLV3_WITH_SNI: Cause = Cause {
    code: Code::ViewerTlsPolicyInvalid,
    id: "sslv3-with-sni-only",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "MinimumProtocolVersion SSLv3 cannot be combined with SSLSupportMethod sni-only.",
    remediation: &[
        "Set MinimumProtocolVersion to TLSv1.2_2021 (every SNI-capable client supports TLS 1.2).",
    ],
};

/// Two or three certificate sources at once.
pub static POLICY_SEVERAL_SOURCES: Cause = Cause {
    code: Code::ViewerTlsPolicyInvalid,
    id: "several-certificate-sources",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "ViewerCertificate sets {sources}; exactly one certificate source is allowed.",
    remediation: &[
        "Keep exactly one of CloudFrontDefaultCertificate=true, ACMCertificateArn or IAMCertificateId, and clear the others (CloudFrontDefaultCertificate=false with a custom certificate).",
    ],
};

/// A custom certificate without its required fields.
pub static POLICY_MISSING_FIELD: Cause = Cause {
    code: Code::ViewerTlsPolicyInvalid,
    id: "missing-field",
    severity: Severity::Critical,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "A custom certificate is configured without {missing_fields}.",
    remediation: &[
        "Set SSLSupportMethod to sni-only and MinimumProtocolVersion to TLSv1.2_2021 next to the certificate.",
    ],
};

/// A proposed MinimumProtocolVersion that is no security policy this tool knows. Only a proposed
/// configuration is judged: a deployed one was accepted, so an unknown value there is a policy newer
/// than this tool. Medium, not critical: the value may be such a policy (the catalogue says so).
pub static POLICY_UNKNOWN: Cause = Cause {
    code: Code::ViewerTlsPolicyInvalid,
    id: "unknown-policy",
    severity: Severity::Medium,
    other_severities: &[],
    impact: ViewerImpact::UpdateRejected,
    impact_when_proposed: None,
    message: "MinimumProtocolVersion {minimum_protocol_version} is not a security policy CloudFront \
              is known to have ({known}); CloudFront rejects an unknown one \
              (InvalidMinimumProtocolVersion), unless it is a policy newer than this tool.",
    remediation: &[
        "Correct the spelling: TLSv1.2_2021 is the recommended policy, TLSv1.2_2025 and TLSv1.3_2025 the newest.",
        "If {minimum_protocol_version} is a policy AWS added after this release, update cloudfront-tls-audit.",
    ],
};

/// `viewer-tls-policy-outdated`
pub static VIEWER_TLS_POLICY_OUTDATED: Entry = Entry {
    id: "viewer-tls-policy-outdated",
    family: Family::ViewerPolicy,
    title: "The viewer security policy allows old protocols or ciphers",
    why: "Policies below TLSv1.2_2021 let viewers use TLS 1.0/1.1 or CBC and RSA key-exchange ciphers. \
          Every current browser speaks TLS 1.2. The default *.cloudfront.net certificate is pinned to \
          TLSv1 by CloudFront and is not reported.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
    causes: &[&POLICY_OUTDATED],
};

/// The only cause of `viewer-tls-policy-outdated`.
pub static POLICY_OUTDATED: Cause = Cause {
    code: Code::ViewerTlsPolicyOutdated,
    id: "outdated",
    severity: Severity::Low,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "MinimumProtocolVersion is {minimum_protocol_version}; TLSv1.2_2021 or newer is recommended.",
    remediation: &[
        "Set MinimumProtocolVersion to TLSv1.2_2021 (or TLSv1.2_2025 / TLSv1.3_2025 if all your clients support them).",
        "Check first whether legacy clients (old Android, embedded devices) still call this distribution.",
    ],
};

/// `viewer-http-allowed`
pub static VIEWER_HTTP_ALLOWED: Entry = Entry {
    id: "viewer-http-allowed",
    family: Family::ViewerPolicy,
    title: "A cache behaviour serves viewers over plain HTTP",
    why: "With ViewerProtocolPolicy allow-all, requests and responses for that path travel unencrypted \
          and can be read or altered on the way.",
    docs: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    causes: &[&HTTP_ALLOWED],
};

/// The only cause of `viewer-http-allowed`.
pub static HTTP_ALLOWED: Cause = Cause {
    code: Code::ViewerHttpAllowed,
    id: "allow-all",
    severity: Severity::Medium,
    other_severities: &[],
    impact: ViewerImpact::None,
    impact_when_proposed: None,
    message: "Cache behaviour {behavior} uses ViewerProtocolPolicy allow-all.",
    remediation: &[
        "Set ViewerProtocolPolicy to redirect-to-https on behaviour {behavior} (or https-only for APIs that never see browsers).",
    ],
};
