//! What started the audit, kept as data ([`TriggerSummary`]) and put into words only by the
//! audiences: the email and the chat text escape [`TriggerSummary::line`] each their own way, the
//! JSON report carries it as `{"kind", "description"}`.

use serde::{Serialize, Serializer};

use super::text::plain;
use crate::intake::Cause;

/// What started the audit: its kind, the cause in one line, and for a call CloudFront refused, what
/// CloudFront said, what to change, and why the attempted configuration could not be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerSummary {
    /// A short name: the CloudTrail event name (`UpdateDistribution`), the ACM detail type
    /// (`ACM Certificate Expired`), or `sweep`. Also the `trigger` message attribute.
    pub kind: String,
    /// Who and when, on one line (e.g. `arn:aws:iam::…:user/alice at 2026-03-01T10:00:00Z`).
    pub description: String,
    /// CloudFront's own `errorMessage` for a refused call, when CloudTrail recorded it.
    pub cloudfront_said: Option<String>,
    /// What to change, for a refused call whose error code concerns TLS
    /// ([`crate::intake::Rejection::advice`]).
    pub advice: Option<String>,
    /// Why the attempted configuration of a refused call could not be checked (so the live
    /// distribution was audited instead).
    pub config_unavailable: Option<String>,
}

impl TriggerSummary {
    /// A trigger from its kind and one-line description, with nothing refused.
    pub fn new(kind: impl Into<String>, description: impl Into<String>) -> TriggerSummary {
        TriggerSummary {
            kind: kind.into(),
            description: description.into(),
            cloudfront_said: None,
            advice: None,
            config_unavailable: None,
        }
    }

    /// The trigger of an audit started by `cause`: its kind (the `trigger` attribute), the cause in
    /// one line, and for a refused call, CloudFront's words, the advice and why the attempted
    /// configuration was not checked.
    pub fn from_cause(cause: &Cause) -> TriggerSummary {
        let kind = match cause {
            Cause::ApiCall { event_name, .. } => event_name.clone(),
            Cause::Certificate { event, .. } => event.detail_type().to_owned(),
            Cause::Sweep { .. } => "sweep".to_owned(),
            Cause::Operator => "operator".to_owned(),
            Cause::FollowUp { .. } => "follow-up".to_owned(),
        };
        let mut summary = TriggerSummary::new(kind, cause.to_string());
        if let Cause::ApiCall {
            rejected: Some(rejection),
            ..
        } = cause
        {
            summary.cloudfront_said = rejection.error_message.clone();
            summary.advice = rejection.advice().map(str::to_owned);
            summary.config_unavailable = rejection.config_unavailable.clone();
        }
        summary
    }

    /// The whole description, raw: the cause, then what CloudFront said, the advice, and why the
    /// attempted configuration was not checked (callers escape it for their audience).
    pub fn full_description(&self) -> String {
        let mut text = self.description.clone();
        if let Some(message) = &self.cloudfront_said {
            text.push_str(". CloudFront said: ");
            text.push_str(message);
        }
        if let Some(advice) = &self.advice {
            text.push_str(". ");
            text.push_str(advice);
        }
        if let Some(why) = &self.config_unavailable {
            text.push_str(". The attempted configuration could not be checked (");
            text.push_str(why);
            text.push_str("); the live distribution was audited instead");
        }
        text
    }

    /// `kind: description`, or just the kind; raw (callers escape it for their audience).
    pub(crate) fn line(&self) -> String {
        let description = self.full_description();
        if description.trim().is_empty() {
            self.kind.clone()
        } else {
            format!("{}: {description}", self.kind)
        }
    }

    /// The `trigger` attribute: never empty, since SNS rejects empty attribute values.
    pub(crate) fn attribute(&self) -> String {
        let kind = plain(self.kind.trim());
        if kind.is_empty() {
            "unknown".to_owned()
        } else {
            kind
        }
    }
}

/// The JSON contract (`trigger` in the machine report and the Lambda's response):
/// `{"kind": ..., "description": ...}`, the description whole.
impl Serialize for TriggerSummary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Contract<'a> {
            kind: &'a str,
            description: String,
        }
        Contract {
            kind: &self.kind,
            description: self.full_description(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::Rejection;

    fn refused(rejection: Rejection) -> Cause {
        Cause::ApiCall {
            event_name: "UpdateDistribution".into(),
            actor_arn: Some("arn:aws:iam::111122223333:user/alice".into()),
            event_time: Some("2026-03-01T10:00:00Z".into()),
            source_ip: None,
            event_id: None,
            alias: None,
            rejected: Some(rejection),
        }
    }

    #[test]
    fn a_refused_call_keeps_cloudfronts_words_the_advice_and_why_as_data() {
        let summary = TriggerSummary::from_cause(&refused(Rejection {
            error_code: "InvalidViewerCertificate".into(),
            error_message: Some("The certificate is not valid".into()),
            config_unavailable: Some("CloudTrail hid the request".into()),
        }));
        assert_eq!(summary.kind, "UpdateDistribution");
        assert_eq!(
            summary.description,
            "UpdateDistribution by arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z, \
             refused with InvalidViewerCertificate"
        );
        assert_eq!(
            summary.cloudfront_said.as_deref(),
            Some("The certificate is not valid")
        );
        assert!(summary
            .advice
            .as_deref()
            .is_some_and(|a| a.starts_with("the certificate must exist in ACM in us-east-1")));
        let json = serde_json::to_value(&summary).unwrap_or_default();
        let description = json["description"].as_str().unwrap_or_default();
        assert!(description.contains(
            "refused with InvalidViewerCertificate. CloudFront said: The certificate is not valid. the certificate must exist"
        ));
        assert!(description.ends_with(
            ". The attempted configuration could not be checked (CloudTrail hid the request); the live distribution was audited instead"
        ));
        assert_eq!(json.as_object().map(|o| o.len()), Some(2));
    }

    #[test]
    fn an_unrefused_cause_is_its_kind_and_one_line() {
        let summary = TriggerSummary::from_cause(&Cause::Operator);
        assert_eq!(summary, TriggerSummary::new("operator", "operator request"));
        assert_eq!(summary.line(), "operator: operator request");
        assert_eq!(TriggerSummary::new("sweep", " ").line(), "sweep");
    }
}
