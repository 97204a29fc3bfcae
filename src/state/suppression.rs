//! Suppressions: an accepted risk, named by code (and optionally a distribution and a subject
//! pattern), with a reason, an author and an expiry of at most [`MAX_SUPPRESSION_DAYS`] days.
//! Validated once, where they enter (`suppress add`, `--suppressions FILE`, a store's read).

use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::{StateError, Suppression, SuppressionId, MAX_SUPPRESSION_DAYS};
use crate::catalogue::Code;

/// What a person asks to suppress, before it is checked and given its id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionRequest {
    /// The code (must be in the catalogue).
    pub code: String,
    /// Only this distribution.
    #[serde(default)]
    pub distribution_id: Option<String>,
    /// Only subjects matching this glob (`*` any run of characters).
    #[serde(default)]
    pub subject: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepts it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// When it was accepted.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it stops applying.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl SuppressionRequest {
    /// Checks the request and makes the suppression: the code must be in the catalogue, the reason
    /// and the author given, the expiry after the creation and at most 365 days after it. The id
    /// is derived from what it suppresses and when it was made, so the same request gives the same
    /// id in a file and in a store.
    pub fn validate(self, default_author: &str) -> Result<Suppression, StateError> {
        let invalid = |why: String| Err(StateError::InvalidSuppression(why));
        if Code::from_id(&self.code).is_none() {
            return invalid(format!(
                "{:?} is not a finding code; `cloudfront-tls-audit catalogue` lists them",
                self.code
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return invalid("a reason is required: say why the risk is accepted".to_owned());
        }
        let created_by = self
            .created_by
            .as_deref()
            .map(str::trim)
            .filter(|by| !by.is_empty())
            .unwrap_or(default_author)
            .trim()
            .to_owned();
        if created_by.is_empty() {
            return invalid("say who accepts the risk (--by)".to_owned());
        }
        if self.expires_at <= self.created_at {
            return invalid("the expiry must come after the creation".to_owned());
        }
        if self.expires_at - self.created_at > Duration::days(MAX_SUPPRESSION_DAYS) {
            return invalid(format!(
                "it expires more than {MAX_SUPPRESSION_DAYS} days after it was made; choose an \
                 earlier expiry and renew it when it comes"
            ));
        }
        let distribution_id = non_blank(self.distribution_id);
        let subject = non_blank(self.subject);
        let id = suppression_id(
            &self.code,
            distribution_id.as_deref(),
            subject.as_deref(),
            self.created_at,
        );
        Ok(Suppression {
            id,
            code: self.code,
            distribution_id,
            subject,
            reason: reason.to_owned(),
            created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `s-` and 10 hex digits of the SHA-256 of what the suppression names and when it was made.
fn suppression_id(
    code: &str,
    distribution_id: Option<&str>,
    subject: Option<&str>,
    created_at: OffsetDateTime,
) -> SuppressionId {
    let text = format!(
        "{code}\n{}\n{}\n{}",
        distribution_id.unwrap_or(""),
        subject.unwrap_or(""),
        created_at.unix_timestamp()
    );
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex: String = digest.as_ref()[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    SuppressionId(format!("s-{hex}"))
}

impl Suppression {
    /// Whether it names a finding of `code` in `distribution` about `subject` (expiry aside).
    pub fn matches(&self, code: &str, distribution: Option<&str>, subject: &str) -> bool {
        self.code == code
            && self
                .distribution_id
                .as_deref()
                .is_none_or(|id| Some(id) == distribution)
            && self
                .subject
                .as_deref()
                .is_none_or(|pattern| glob_matches(pattern, subject))
    }

    /// Whether it has expired at `now` (it applies up to, not including, its expiry).
    pub fn expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at <= now
    }
}

/// A glob with `*` as the only wildcard (any run of characters, `/` included); every other
/// character matches itself. Linear in the text: the classic greedy match with one backtrack point.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn request() -> SuppressionRequest {
        SuppressionRequest {
            code: "viewer-tls-policy-outdated".into(),
            distribution_id: Some("E1".into()),
            subject: Some("ViewerCertificate*".into()),
            reason: "legacy clients until the migration".into(),
            created_by: None,
            created_at: datetime!(2026-12-01 00:00 UTC),
            expires_at: datetime!(2027-03-01 00:00 UTC),
        }
    }

    #[test]
    fn a_valid_request_becomes_a_suppression_with_a_stable_id() {
        let made = request().validate("alice").unwrap();
        assert_eq!(made.created_by, "alice");
        assert!(
            made.id.0.starts_with("s-") && made.id.0.len() == 12,
            "{}",
            made.id.0
        );
        assert_eq!(request().validate("bob").unwrap().id, made.id);
    }

    #[test]
    fn a_suppression_needs_a_known_code_a_reason_an_author_and_a_bounded_expiry() {
        let cases: [(SuppressionRequest, &str); 5] = [
            (
                SuppressionRequest {
                    code: "no-such-code".into(),
                    ..request()
                },
                "is not a finding code",
            ),
            (
                SuppressionRequest {
                    reason: "  ".into(),
                    ..request()
                },
                "a reason is required",
            ),
            (
                SuppressionRequest {
                    expires_at: datetime!(2026-11-30 00:00 UTC),
                    ..request()
                },
                "after the creation",
            ),
            (
                SuppressionRequest {
                    expires_at: datetime!(2027-12-02 00:00 UTC),
                    ..request()
                },
                "more than 365 days",
            ),
            (request(), "say who"),
        ];
        for (index, (bad, says)) in cases.into_iter().enumerate() {
            let author = if index == 4 { "" } else { "alice" };
            let error = bad.validate(author).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
        let year = SuppressionRequest {
            expires_at: datetime!(2027-12-01 00:00 UTC),
            ..request()
        };
        assert!(
            year.validate("alice").is_ok(),
            "365 days exactly is allowed"
        );
    }

    #[test]
    fn a_suppression_matches_its_code_its_distribution_and_its_subject_glob() {
        let made = request().validate("alice").unwrap();
        let code = "viewer-tls-policy-outdated";
        assert!(made.matches(code, Some("E1"), "ViewerCertificate.MinimumProtocolVersion"));
        assert!(!made.matches(code, Some("E2"), "ViewerCertificate"));
        assert!(!made.matches(code, None, "ViewerCertificate"));
        assert!(!made.matches("viewer-http-allowed", Some("E1"), "ViewerCertificate"));
        assert!(!made.matches(code, Some("E1"), "cache behaviour default"));
        let anywhere = Suppression {
            distribution_id: None,
            subject: None,
            ..made
        };
        assert!(anywhere.matches(code, Some("E9"), "anything"));
    }

    #[test]
    fn a_suppression_applies_until_its_expiry() {
        let made = request().validate("alice").unwrap();
        assert!(!made.expired(datetime!(2027-02-28 23:59 UTC)));
        assert!(made.expired(datetime!(2027-03-01 00:00 UTC)));
    }

    #[test]
    fn the_glob_has_one_wildcard_and_no_other_syntax() {
        assert!(glob_matches("*.example.com", "www.example.com"));
        assert!(glob_matches("*.example.com", "a.b.example.com"));
        assert!(!glob_matches("*.example.com", "example.com"));
        assert!(glob_matches("origin *", "origin app (SNI a.example.com)"));
        assert!(glob_matches(
            "arn:aws:acm:*:cert*/abc",
            "arn:aws:acm:us-east-1:cert/x/abc"
        ));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
        assert!(glob_matches("*", ""));
        assert!(
            glob_matches("a?[b]", "a?[b]"),
            "? and [ are plain characters"
        );
        assert!(!glob_matches("a?c", "abc"));
        let long = "a".repeat(10_000);
        assert!(
            !glob_matches("*a*a*a*b", &long),
            "no exponential backtracking"
        );
    }
}
