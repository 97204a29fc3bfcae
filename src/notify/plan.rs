//! Which notifications an audit gets: one per failing distribution, a digest for a sweep, a short
//! "verified" message for a clean event-driven audit. Each is a [`Content`] rendered for every
//! audience, packed into as many parts as the SNS size limit requires.

use super::content::{Content, DigestTotals, Group};
use super::notification::{render, Notification};
use super::pack::pack;
use super::trigger::TriggerSummary;
use crate::finding::Severity;
use crate::report::Report;

/// One notification per distribution with findings at or above `minimum`, worst first; account-level
/// findings (no distribution) get a notification of their own, first. A distribution whose texts would
/// exceed [`super::SIZE_BUDGET`] (only with enormous evidence) is split into numbered parts.
pub fn per_distribution(
    report: &Report,
    trigger: &TriggerSummary,
    minimum: Severity,
) -> Vec<Notification> {
    let filtered = report.at_least(minimum);
    filtered
        .by_distribution()
        .into_iter()
        .flat_map(|(id, findings)| {
            pack(
                vec![Group::new(report, id, findings)],
                false,
                |groups: &[Group<'_>], part| {
                    render(&Content::distribution(
                        report, trigger, minimum, id, groups, part,
                    ))
                },
            )
        })
        .collect()
}

/// The digest of a sweep: counts by severity and every failing distribution with all its findings at
/// or above `minimum`, in as many numbered parts as the size limit requires (each part's Slack text
/// also lists every distribution of that part). Always at least one part, even when nothing fails.
pub fn digest(report: &Report, trigger: &TriggerSummary, minimum: Severity) -> Vec<Notification> {
    let filtered = report.at_least(minimum);
    let groups: Vec<Group<'_>> = filtered
        .by_distribution()
        .into_iter()
        .map(|(id, findings)| Group::new(report, id, findings))
        .collect();
    let totals = DigestTotals {
        listed: filtered.summary(),
        all: report.summary(),
        // A distribution whose only findings say what was not audited is listed, not failing.
        failing: groups
            .iter()
            .filter(|g| g.id.is_some() && g.has_problems())
            .count(),
        account_level: groups.iter().any(|g| g.id.is_none()),
    };
    pack(groups, true, |groups: &[Group<'_>], part| {
        render(&Content::digest(
            report, trigger, minimum, &totals, groups, part,
        ))
    })
}

/// A "verified" message for every distribution of `report` with nothing to report at or above
/// `minimum`. A distribution with an `audit-not-covered` finding is never verified: part of it was
/// not audited, and it gets its own notification saying so ([`per_distribution`] keeps those).
pub fn verified_clean(
    report: &Report,
    trigger: &TriggerSummary,
    minimum: Severity,
) -> Vec<Notification> {
    let reported = report.at_least(minimum);
    let groups = reported.by_distribution();
    report
        .distribution_labels
        .keys()
        .filter(|id| !groups.iter().any(|(group, _)| *group == Some(id.as_str())))
        .map(|id| verified(id, trigger))
        .collect()
}

/// The short "verified" message sent after an event-driven audit found nothing to report, when
/// `NOTIFY_ON_CLEAN=true`.
pub fn verified(distribution_id: &str, trigger: &TriggerSummary) -> Notification {
    render(&Content::verified(distribution_id, trigger)).notification
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use crate::finding::{Finding, Severity};
    use crate::notify::fixtures::*;
    use crate::notify::*;
    use crate::report::{render_json, Report};

    #[test]
    fn one_notification_per_failing_distribution_and_one_for_the_account() {
        let notes = per_distribution(&sample(), &trigger(), Severity::Medium);
        let ids: Vec<String> = notes
            .iter()
            .map(|n| n.attribute(ATTRIBUTE_DISTRIBUTION_ID).unwrap_or_default())
            .collect();
        assert_eq!(ids, ["account", "E1ABCDEF", "E2BBBBBB"]);
        // The low finding of E1 is below the minimum: not in any message.
        assert!(notes
            .iter()
            .all(|n| !n.default_json.contains("viewer-tls-policy-outdated")));
        assert!(per_distribution(&sample(), &trigger(), Severity::Critical).len() == 1);
    }

    #[test]
    fn subject_attributes_and_json_of_a_distribution() {
        let notes = per_distribution(&sample(), &trigger(), Severity::Medium);
        let e1 = &notes[1];
        assert_eq!(
            e1.subject,
            "[CRITICAL] E1ABCDEF viewer-alias-not-covered +1 more"
        );
        assert_eq!(
            e1.attribute(ATTRIBUTE_SEVERITY).as_deref(),
            Some("critical")
        );
        assert_eq!(
            e1.attributes.get(ATTRIBUTE_CODES),
            Some(&AttributeValue::StringArray(vec![
                "viewer-alias-not-covered".into(),
                "viewer-cert-expiring".into()
            ]))
        );
        assert_eq!(
            e1.attribute(ATTRIBUTE_CODES).as_deref(),
            Some(r#"["viewer-alias-not-covered","viewer-cert-expiring"]"#)
        );
        assert_eq!(e1.attributes[ATTRIBUTE_CODES].data_type(), "String.Array");
        assert_eq!(
            e1.attribute(ATTRIBUTE_TRIGGER).as_deref(),
            Some("UpdateDistribution")
        );
        assert_eq!(
            e1.attribute(ATTRIBUTE_NOTIFICATION).as_deref(),
            Some("distribution")
        );

        // The machine copy is the `audit --format json` contract plus `trigger`.
        let json = parse(&e1.default_json);
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["findings", "summary", "trigger"]);
        let expected: Value = parse(&render_json(&Report::new(
            vec![
                alias_finding("E1ABCDEF", "api.example.com"),
                expiring("E1ABCDEF"),
            ],
            1,
            vec![],
        )));
        assert_eq!(json["findings"], expected["findings"]);
        assert_eq!(json["summary"], expected["summary"]);
        assert_eq!(
            json["trigger"],
            json!({"kind": "UpdateDistribution", "description": "arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z"})
        );
    }

    #[test]
    fn a_crafted_certificate_subject_cannot_mention_link_or_forge_lines() {
        let report = Report::new(vec![alias_finding("E1ABCDEF", CRAFTED)], 1, vec![])
            .with_labels(BTreeMap::from([("E1ABCDEF".into(), CRAFTED.into())]));
        let trigger = TriggerSummary::new("UpdateDistribution", CRAFTED);
        let note = &per_distribution(&report, &trigger, Severity::Medium)[0];
        let chat = parse(&note.https);
        let mut texts = vec![
            chat["content"]["title"].as_str().unwrap().to_owned(),
            chat["content"]["description"].as_str().unwrap().to_owned(),
            chat["metadata"]["summary"].as_str().unwrap().to_owned(),
        ];
        for step in chat["content"]["nextSteps"].as_array().unwrap() {
            texts.push(step.as_str().unwrap().to_owned());
        }
        for text in &texts {
            assert!(!text.contains('<') && !text.contains('>'), "{text}");
            for mention in ["@here", "@channel", "@everyone"] {
                assert!(!text.contains(mention), "{mention} in {text}");
            }
            assert!(!text.contains("://phish"), "{text}");
            // Outside code spans (where Slack links nothing), no domain name survives whole.
            let outside_code: String = text.split('`').step_by(2).collect();
            assert!(!outside_code.contains("phish.example"), "{text}");
            assert!(!text.contains("\n*Forged*"), "forged line in {text}");
            assert!(!text.chars().any(|c| c == '\u{1b}' || c == '\u{202E}'));
        }
        assert!(texts[1].contains("&lt;!channel&gt;"));
        // Email: plain text, no control characters, and the crafted line break is gone.
        assert!(!note.email.contains('\u{1b}') && !note.email.contains('\u{202E}'));
        assert!(!note.email.contains("\n*Forged*"));
        assert!(note.email.contains("Click to fix>*Forged*"));
        // The subject stays ASCII and within bounds.
        assert!(note.subject.len() <= SUBJECT_LIMIT && note.subject.is_ascii());
        // The machine copy keeps the value, its forbidden characters as visible escapes (taken at
        // entry by the finding builder), so no raw control reaches a JSON consumer's screen either.
        let json = parse(&note.default_json);
        assert_eq!(
            json["findings"][0]["subject"],
            crate::untrusted::escape_forbidden(CRAFTED)
        );
        assert!(!note.default_json.contains('\u{202E}'));
    }

    #[test]
    fn a_distribution_with_a_part_not_audited_is_told_so_never_verified() {
        let not_covered = Finding::builder(&crate::catalogue::NOT_COVERED_VPC_ORIGIN)
            .distribution("E1VPC")
            .subject("origin vpc")
            .evidence("origin_id", "vpc")
            .evidence("vpc_origin_id", "vo_1")
            .evidence("origin_domain", "internal.example.com")
            .build();
        let report = Report::new(vec![not_covered], 2, vec![]).with_labels(BTreeMap::from([
            ("E1VPC".into(), "vpc.example.com".into()),
            ("E2CLEAN".into(), "clean.example.com".into()),
        ]));
        let verified: Vec<String> = verified_clean(&report, &trigger(), Severity::Medium)
            .iter()
            .map(|n| n.attribute(ATTRIBUTE_DISTRIBUTION_ID).unwrap_or_default())
            .collect();
        assert_eq!(verified, ["E2CLEAN"], "E1VPC was not wholly audited");
        let told = per_distribution(&report, &trigger(), Severity::Medium);
        assert_eq!(told.len(), 1);
        assert!(
            told[0].email.contains("was not audited"),
            "{}",
            told[0].email
        );
        // In a sweep it is listed, yet no distribution counts as failing because of it.
        let sweep = digest(&report, &TriggerSummary::new("sweep", ""), Severity::Medium);
        assert!(
            sweep[0].subject.contains(" 0 of 2 "),
            "{}",
            sweep[0].subject
        );
        assert!(sweep[0].default_json.contains("audit-not-covered"));
    }

    #[test]
    fn verified_is_short_and_well_formed() {
        let note = verified("E1ABCDEF", &trigger());
        assert_eq!(
            note.subject,
            "[OK] E1ABCDEF: no TLS findings after UpdateDistribution"
        );
        assert_eq!(
            note.attribute(ATTRIBUTE_NOTIFICATION).as_deref(),
            Some("verified")
        );
        assert_eq!(
            note.attribute(ATTRIBUTE_DISTRIBUTION_ID).as_deref(),
            Some("E1ABCDEF")
        );
        assert!(note.attribute(ATTRIBUTE_SEVERITY).is_none());
        let chat = parse(&note.https);
        assert_eq!(chat["version"], "1.0");
        assert_eq!(chat["metadata"]["threadId"], "E1ABCDEF");
        assert!(chat["content"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
        let json = parse(&note.default_json);
        assert_eq!(json["findings"], json!([]));
        assert_eq!(json["verified"]["distribution_id"], "E1ABCDEF");
        assert!(note.email.contains("verified"));
    }
}
