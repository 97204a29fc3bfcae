//! Fitting notifications into SNS's size limit: a digest (and, in the rare case of enormous evidence,
//! a distribution's notification) is split into numbered parts, and no finding is ever dropped.
//!
//! The bound is structural: every finding's JSON is at most [`FINDING_JSON_BYTES`] (the finding
//! builder cuts its evidence), a part holds findings only while it measures within [`SIZE_BUDGET`],
//! so a part of one finding always fits; and a last check ([`fit`]) degrades any part still over the
//! budget (the email cut, then the evidence in the JSON replaced by a note) rather than let SNS
//! refuse it.

use std::ops::Range;

use super::chat::CHAT_DESCRIPTION_LIMIT;
use super::content::{Group, Part};
use super::notification::{Built, Notification};
use crate::finding::EVIDENCE_CUT;
use crate::untrusted::FINDING_JSON_BYTES;

/// The default SNS message size limit: 256 KiB for the message and its attributes together.
pub const SNS_MESSAGE_LIMIT: usize = 262_144;

/// What a notification may use of [`SNS_MESSAGE_LIMIT`]: 240 KiB, leaving room for anything SNS
/// counts that we do not (its own accounting is not documented byte for byte).
pub const SIZE_BUDGET: usize = 240 * 1024;

/// The longest part label, used while measuring so that the real label never makes a part grow.
const PLACEHOLDER_PART: Part = Part {
    number: 99_999,
    of: 99_999,
};

/// What [`pack`] distributes over parts: a digest's groups of findings, or the organization
/// digest's rows (`crate::organization::digest`). A unit too big for one part alone is split into
/// slices of its items.
pub(crate) trait Unit: Sized {
    /// How many items it can be split into (1 or 0: it cannot be split).
    fn items(&self) -> usize;
    /// The same unit with only the items in `range`.
    fn slice(&self, range: Range<usize>) -> Self;
}

impl Unit for Group<'_> {
    fn items(&self) -> usize {
        Group::items(self)
    }

    fn slice(&self, range: Range<usize>) -> Self {
        Group::slice(self, range)
    }
}

/// Splits `units` into parts that each fit [`SIZE_BUDGET`] (and, with `chat_must_fit`, whose chat
/// description lists every unit), then builds them with their "(part i of n)" labels.
///
/// Sizes are measured on real builds, not guessed: each unit alone gives its marginal size, the
/// parts are filled from those, and every part is then built and checked, moving its last unit on
/// when the check fails. A unit that is too big alone is first split by its items (findings).
pub(crate) fn pack<U: Unit, F>(units: Vec<U>, chat_must_fit: bool, build: F) -> Vec<Notification>
where
    F: Fn(&[U], Option<Part>) -> Built,
{
    let measure = |groups: &[U]| build(groups, Some(PLACEHOLDER_PART));
    let fits = |groups: &[U]| {
        let built = measure(groups);
        built.notification.sns_size() <= SIZE_BUDGET
            && (!chat_must_fit || built.chat_wanted <= CHAT_DESCRIPTION_LIMIT)
    };
    let pieces = split_oversized(units, &fits);
    let ranges = fill_parts(&pieces, &measure, &fits, chat_must_fit);
    let parts = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let part = (parts > 1).then_some(Part {
                number: i + 1,
                of: parts,
            });
            fit(build(&pieces[range], part).notification)
        })
        .collect()
}

/// What replaces the cut end of an email that would not fit.
const EMAIL_CUT: &str =
    "\n\n[The rest of this email was cut to fit SNS's message size limit; every finding is in the JSON report.]\n";

/// The last check: a notification over [`SIZE_BUDGET`] is degraded, never left to fail. First its
/// email is cut (saying so), then each finding's evidence in the JSON is replaced by a note; the
/// findings themselves (code, severity, subject, message) always stay.
pub(super) fn fit(mut notification: Notification) -> Notification {
    let over = |n: &Notification| n.sns_size().saturating_sub(SIZE_BUDGET);
    let excess = over(&notification);
    if excess == 0 {
        return notification;
    }
    // The email is one of three copies of the content; cut its end by the excess, on a char boundary.
    let keep = notification
        .email
        .len()
        .saturating_sub(excess + EMAIL_CUT.len() + 64);
    let mut cut_at = keep;
    while !notification.email.is_char_boundary(cut_at) {
        cut_at -= 1;
    }
    notification.email.truncate(cut_at);
    notification.email.push_str(EMAIL_CUT);
    if over(&notification) > 0 {
        notification.default_json = without_evidence(&notification.default_json);
    }
    notification
}

/// The JSON report with every finding's evidence replaced by a note saying why.
fn without_evidence(default_json: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<serde_json::Value>(default_json) else {
        return default_json.to_owned();
    };
    if let Some(findings) = document
        .get_mut("findings")
        .and_then(serde_json::Value::as_array_mut)
    {
        for finding in findings {
            if let Some(object) = finding.as_object_mut() {
                let mut note = serde_json::Map::new();
                note.insert(
                    EVIDENCE_CUT.to_owned(),
                    serde_json::Value::from(format!(
                        "evidence omitted to fit SNS's message size limit (each finding is at most {FINDING_JSON_BYTES} bytes; run the audit for the whole evidence)"
                    )),
                );
                object.insert("evidence".to_owned(), serde_json::Value::Object(note));
            }
        }
    }
    serde_json::to_string(&document).unwrap_or_else(|_| default_json.to_owned())
}

/// No unit may be too big alone: those that are are split by their items (findings, or resolved
/// findings), greedily.
fn split_oversized<U: Unit>(units: Vec<U>, fits: &dyn Fn(&[U]) -> bool) -> Vec<U> {
    let mut pieces: Vec<U> = Vec::with_capacity(units.len());
    for unit in units {
        let items = unit.items();
        if items <= 1 || fits(std::slice::from_ref(&unit)) {
            pieces.push(unit);
            continue;
        }
        let mut start = 0;
        for end in 1..=items {
            // The chunk start..end is kept while it fits; one item alone always goes.
            if end - start > 1 && !fits(std::slice::from_ref(&unit.slice(start..end))) {
                pieces.push(unit.slice(start..end - 1));
                start = end - 1;
            }
        }
        pieces.push(unit.slice(start..items));
    }
    pieces
}

/// The ranges of `pieces` that make the parts: filled from each piece's marginal cost over an
/// empty part (in bytes and in chat characters), then each verified on a real build. Always at
/// least one part, possibly empty.
fn fill_parts<U>(
    pieces: &[U],
    measure: &dyn Fn(&[U]) -> Built,
    fits: &dyn Fn(&[U]) -> bool,
    chat_must_fit: bool,
) -> Vec<Range<usize>> {
    let empty = measure(&[]);
    let (base_size, base_chat) = (empty.notification.sns_size(), empty.chat_wanted);
    let costs: Vec<(usize, usize)> = pieces
        .iter()
        .map(|piece| {
            let alone = measure(std::slice::from_ref(piece));
            (
                alone.notification.sns_size().saturating_sub(base_size),
                alone.chat_wanted.saturating_sub(base_chat),
            )
        })
        .collect();

    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    while start < pieces.len() {
        let (mut size, mut chat) = (base_size, base_chat);
        let mut end = start;
        for &(piece_size, piece_chat) in &costs[start..] {
            let over = size + piece_size > SIZE_BUDGET
                || (chat_must_fit && chat + piece_chat > CHAT_DESCRIPTION_LIMIT);
            if over && end > start {
                break;
            }
            size += piece_size;
            chat += piece_chat;
            end += 1;
        }
        while end > start + 1 && !fits(&pieces[start..end]) {
            end -= 1;
        }
        ranges.push(start..end);
        start = end;
    }
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    ranges
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use crate::catalogue::HTTP_ALLOWED;
    use crate::finding::{Finding, Severity};
    use crate::notify::fixtures::*;
    use crate::notify::*;
    use crate::report::Report;

    #[test]
    fn the_digest_of_a_300_distribution_sweep_lists_everything_in_parts() {
        let report = sweep();
        let sweep_trigger = TriggerSummary::new("sweep", "scheduled at 2026-03-01T06:00:00Z");
        let parts = digest(&report, &sweep_trigger, Severity::Medium);
        let n = parts.len();
        assert!(n > 1, "300 distributions do not fit one message");

        let mut findings_seen = 0;
        let mut distributions_seen = BTreeSet::new();
        let mut chat_lines = 0;
        for (i, part) in parts.iter().enumerate() {
            let label = format!("(part {} of {n})", i + 1);
            assert!(
                part.sns_size() <= SIZE_BUDGET,
                "part {} is {} bytes",
                i + 1,
                part.sns_size()
            );
            assert!(part.subject.len() <= SUBJECT_LIMIT && part.subject.ends_with(&label));
            assert!(part
                .subject
                .starts_with("[CRITICAL] CloudFront TLS sweep: 300 of 320"));
            assert!(part.email.contains(&label));
            assert_eq!(
                part.attribute(ATTRIBUTE_NOTIFICATION).as_deref(),
                Some("digest")
            );
            assert!(part.attribute(ATTRIBUTE_DISTRIBUTION_ID).is_none());

            let json = parse(&part.default_json);
            assert_eq!(json["digest"]["part"], i + 1);
            assert_eq!(json["digest"]["parts"], n);
            assert_eq!(
                json["digest"]["total"],
                json!({"distributions": 320, "critical": 600, "high": 1, "medium": 600, "low": 0, "info": 0})
            );
            assert_eq!(json["trigger"]["kind"], "sweep");
            for finding in json["findings"].as_array().unwrap() {
                findings_seen += 1;
                if let Some(id) = finding["distribution_id"].as_str() {
                    distributions_seen.insert(id.to_owned());
                    assert!(part.email.contains(&format!("== Distribution {id} (")));
                }
                assert_ne!(finding["severity"], "low");
            }

            let chat = parse(&part.https);
            let description = chat["content"]["description"].as_str().unwrap();
            assert!(description.chars().count() <= CHAT_DESCRIPTION_LIMIT);
            assert!(
                !description.contains("more: see the email"),
                "the Slack list is complete"
            );
            assert!(description.contains("*At or above medium:* 600 critical, 1 high, 600 medium"));
            assert!(description.contains("*Not listed (below medium):* 300 low"));
            chat_lines += description.lines().filter(|l| l.starts_with("• ")).count();
            assert_eq!(
                chat["metadata"]["threadId"],
                parse(&parts[0].https)["metadata"]["threadId"]
            );
        }
        // Nothing lost: every finding at or above medium, every failing distribution, once.
        assert_eq!(findings_seen, 300 * 4 + 1);
        assert_eq!(distributions_seen.len(), 300);
        assert_eq!(
            chat_lines, 301,
            "300 distributions and the account, in Slack too"
        );
    }

    #[test]
    fn an_oversized_notification_is_degraded_not_refused() {
        let report = Report::new(vec![outdated("E1")], 1, vec![]);
        let note = per_distribution(&report, &trigger(), Severity::Low).remove(0);

        // A huge email is cut, saying so; the JSON keeps its evidence.
        let mut long_email = note.clone();
        long_email.email.push_str(&"é".repeat(200_000));
        assert!(long_email.sns_size() > SIZE_BUDGET);
        let fitted = super::fit(long_email);
        assert!(fitted.sns_size() <= SIZE_BUDGET, "{}", fitted.sns_size());
        assert!(fitted
            .email
            .ends_with("every finding is in the JSON report.]\n"));
        assert!(parse(&fitted.default_json)["findings"][0]["evidence"]["evidence_cut"].is_null());

        // A huge JSON report loses its evidence, never its findings.
        let mut long_json = note;
        long_json.default_json = long_json.default_json.replace(
            "\"evidence\":{",
            &format!("\"evidence\":{{\"huge\":\"{}\",", "x".repeat(300_000)),
        );
        let fitted = super::fit(long_json);
        assert!(fitted.sns_size() <= SIZE_BUDGET, "{}", fitted.sns_size());
        let json = parse(&fitted.default_json);
        assert_eq!(json["findings"].as_array().unwrap().len(), 1);
        assert!(json["findings"][0]["evidence"]["evidence_cut"].is_string());
    }

    #[test]
    fn a_clean_sweep_still_sends_one_digest() {
        let report = Report::new(vec![outdated("E1")], 5, vec![]);
        let parts = digest(&report, &TriggerSummary::new("sweep", ""), Severity::Medium);
        assert_eq!(parts.len(), 1);
        assert_eq!(
            parts[0].subject,
            "[OK] CloudFront TLS sweep: 0 of 5 distributions failing"
        );
        assert!(parts[0]
            .email
            .contains("No distribution has a finding at or above medium."));
        assert!(parts[0].email.contains("Not listed (below medium): 1 low."));
        assert!(parts[0].attribute(ATTRIBUTE_SEVERITY).is_none());
        assert!(parts[0].attribute(ATTRIBUTE_CODES).is_none());
        assert_eq!(parse(&parts[0].default_json)["digest"]["parts"], 1);
    }

    #[test]
    fn a_distribution_too_big_for_one_message_is_split_not_cut() {
        // Each finding carries 5 KB of evidence (repeated in its message and remediation, in the
        // email and the JSON); 40 of them cannot fit 240 KiB, so the notification comes in parts.
        let big = "x".repeat(5_000);
        let findings: Vec<Finding> = (0..40)
            .map(|i| {
                Finding::builder(&HTTP_ALLOWED)
                    .distribution("E1BIG")
                    .subject(format!("behaviour {i}"))
                    .evidence("behavior", format!("{i}-{big}"))
                    .build()
            })
            .collect();
        let report = Report::new(findings, 1, vec![]);
        let notes = per_distribution(&report, &trigger(), Severity::Medium);
        assert!(notes.len() > 1);
        let total: usize = notes
            .iter()
            .map(|n| {
                assert!(n.sns_size() <= SIZE_BUDGET);
                assert!(n.subject.contains(&format!(" of {})", notes.len())));
                parse(&n.default_json)["findings"].as_array().unwrap().len()
            })
            .sum();
        assert_eq!(total, 40);
    }
}
