//! ACM certificate events from `aws.acm` (approaching expiration, expired, available, renewal action
//! required, revoked): audit the distributions that use the certificate named in `resources[0]`.

use serde_json::{Map, Value};

use super::json::{lenient_bool, lenient_integer, lenient_string};
use super::untrusted::{clip, echo};
use super::{AcmEvent, Cause, Trigger, TriggerError};

/// The EventBridge `source` of ACM's events.
pub(super) const SOURCE: &str = "aws.acm";

/// An ACM event with `detail_type`; other ACM events are ignored with the reason.
pub(super) fn certificate_event(
    envelope: &Map<String, Value>,
    detail_type: &str,
) -> Result<Trigger, TriggerError> {
    // Every detail field is optional and read leniently: the documented shapes vary by age and
    // certificate type, and a malformed context field must not lose the event.
    let empty = Map::new();
    let detail = match envelope.get("detail") {
        Some(Value::Object(detail)) => detail,
        _ => &empty,
    };
    let text = |field: &str| lenient_string(detail.get(field)).map(clip);
    let Some(event) = acm_event(detail_type, detail) else {
        return Ok(Trigger::ignore(
            envelope,
            format!(
                "ACM {} events do not change what CloudFront serves in a way this function audits",
                echo(detail_type)
            ),
        ));
    };

    let context = format!("{detail_type} event");
    // ACM puts the certificate ARN only in resources[0]; detail does not repeat it.
    let arn = match envelope.get("resources") {
        None | Some(Value::Null) => None,
        Some(Value::Array(resources)) => match resources.first() {
            None | Some(Value::Null) => None,
            Some(Value::String(arn)) if arn.is_empty() => None,
            Some(Value::String(arn)) => Some(arn.as_str()),
            Some(other) => {
                return Err(TriggerError::wrong_type(
                    &context,
                    "resources[0]",
                    "the certificate ARN string",
                    other,
                ))
            }
        },
        Some(other) => {
            return Err(TriggerError::wrong_type(
                &context,
                "resources",
                "a list holding the certificate ARN",
                other,
            ))
        }
    };
    let Some(arn) = arn else {
        return Err(TriggerError::missing(
            &context,
            "resources[0]",
            "ACM names the certificate only there, so there is no certificate to audit",
        ));
    };
    if !looks_like_certificate_arn(arn) {
        return Err(TriggerError::InvalidCertificateArn {
            context,
            value: echo(arn),
        });
    }

    Ok(Trigger::AuditCertificate {
        certificate_arn: arn.to_owned(),
        cause: Cause::Certificate {
            event,
            certificate_arn: arn.to_owned(),
            common_name: text("CommonName"),
            certificate_type: text("CertificateType"),
            expiration_date: text("CertificateExpirationDate"),
            in_use: lenient_bool(detail.get("InUse")),
            event_time: lenient_string(envelope.get("time")).map(clip),
        },
    })
}

/// `arn:<partition>:acm:<region>:<account>:certificate/<id>`, printable ASCII, bounded. The caller
/// passes it to DescribeCertificate and compares it with ViewerCertificate ARNs, so junk is refused here.
fn looks_like_certificate_arn(arn: &str) -> bool {
    let printable = arn.len() <= 2048 && arn.bytes().all(|b| b.is_ascii_graphic());
    let mut parts = arn.splitn(6, ':');
    let shape = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next() == Some("acm")
        && parts.next().is_some_and(|region| !region.is_empty())
        && parts.next().is_some_and(|account| !account.is_empty())
        && parts
            .next()
            .and_then(|resource| resource.strip_prefix("certificate/"))
            .is_some_and(|id| !id.is_empty());
    printable && shape
}

/// The event a `detail-type` names, with its details. Each variant is built and matched by
/// [`AcmEvent::detail_type`], so the detail-type names are written once.
fn acm_event(detail_type: &str, detail: &Map<String, Value>) -> Option<AcmEvent> {
    let text = |field: &str| lenient_string(detail.get(field)).map(clip);
    let days_to_expiry = lenient_integer(detail.get("DaysToExpiry"));
    [
        AcmEvent::ApproachingExpiration { days_to_expiry },
        AcmEvent::Expired,
        AcmEvent::Available {
            action: text("Action"),
        },
        AcmEvent::RenewalActionRequired {
            reason: text("RenewalStatusReason"),
            days_to_expiry,
        },
        AcmEvent::Revoked,
    ]
    .into_iter()
    .find(|event| event.detail_type() == detail_type)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::parse_trigger;
    use super::super::testing::parse;
    use super::*;

    #[test]
    fn acm_details_are_optional_and_lenient() {
        let arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc";
        let event = |detail_type: &str, detail: Value| json!({"source": "aws.acm", "detail-type": detail_type, "resources": [arn], "detail": detail});
        let trigger = parse(&event(
            "ACM Certificate Approaching Expiration",
            json!({"DaysToExpiry": "7", "InUse": "TRUE"}),
        ));
        let Trigger::AuditCertificate {
            certificate_arn,
            cause:
                Cause::Certificate {
                    event: acm_event,
                    in_use,
                    common_name,
                    ..
                },
        } = &trigger
        else {
            panic!("{trigger:?}")
        };
        assert_eq!(certificate_arn, arn);
        assert_eq!(
            *acm_event,
            AcmEvent::ApproachingExpiration {
                days_to_expiry: Some(7)
            }
        );
        assert_eq!(*in_use, Some(true));
        assert_eq!(*common_name, None);
        assert!(trigger.to_string().contains("7 days to expiry"));

        // No detail at all, or a detail of the wrong type, still names the certificate.
        for detail in [
            Value::Null,
            json!("{}"),
            json!({"DaysToExpiry": [1], "InUse": "maybe"}),
        ] {
            let trigger = parse(&event("ACM Certificate Renewal Action Required", detail));
            let Trigger::AuditCertificate {
                cause: Cause::Certificate { event, in_use, .. },
                ..
            } = trigger
            else {
                panic!("{trigger:?}")
            };
            assert_eq!(
                event,
                AcmEvent::RenewalActionRequired {
                    reason: None,
                    days_to_expiry: None
                }
            );
            assert_eq!(in_use, None);
        }
    }

    #[test]
    fn an_acm_event_without_its_certificate_names_the_field() {
        let error = parse_trigger(&json!({
            "source": "aws.acm", "detail-type": "ACM Certificate Expired", "detail": {}
        }))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "ACM Certificate Expired event without resources[0]: ACM names the certificate only \
             there, so there is no certificate to audit"
        );
        let error = parse_trigger(&json!({
            "source": "aws.acm", "detail-type": "ACM Certificate Expired", "resources": [7]
        }))
        .unwrap_err();
        assert!(error
            .to_string()
            .contains("resources[0] is the number 7, expected the certificate ARN string"));
    }

    #[test]
    fn certificate_arns_are_checked() {
        for good in [
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            "arn:aws-cn:acm:cn-north-1:111122223333:certificate/abc",
        ] {
            assert!(looks_like_certificate_arn(good), "{good}");
        }
        for bad in [
            "",
            "arn:aws:iam::111122223333:server-certificate/x",
            "arn:aws:acm:us-east-1:111122223333:certificate/",
            "arn:aws:acm:us-east-1:111122223333:certificate/a b",
            "arn:aws:acm::111122223333:certificate/abc",
        ] {
            assert!(!looks_like_certificate_arn(bad), "{bad}");
        }
    }
}
