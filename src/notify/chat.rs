//! The `https` text: the custom notification JSON of Amazon Q Developer in chat applications (AWS
//! Chatbot), which renders it in Slack. That service drops anything else silently, so this is always
//! the custom schema, never plain text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;

use super::content::{
    console_url, count, distinct_codes, impact_words, non_empty, part_label, upper, Content,
    DigestTotals, Group, Scope, Section, Standing, StandingKind, SweepCounts,
    ACCOUNT_DISTRIBUTION_ID, CONSOLE_DISTRIBUTIONS,
};
use super::text::{plain, slack, slack_code, truncate};
use crate::finding::{Finding, Severity};

/// Limits for the chat notification. Amazon Q Developer does not document limits for these fields
/// (see the reference notes, §5.1 and §8), so these are conservative choices: Slack's section
/// text holds 3,000 characters, and short titles and summaries read better anyway.
pub const CHAT_TITLE_LIMIT: usize = 250;
/// Characters in `content.description` (Slack's limit for one block of section text).
pub const CHAT_DESCRIPTION_LIMIT: usize = 3_000;
/// Entries in `content.nextSteps`.
pub const CHAT_NEXT_STEPS_LIMIT: usize = 10;
/// Characters per `content.nextSteps` entry.
pub const CHAT_STEP_LIMIT: usize = 300;
/// Entries in `content.keywords`.
pub const CHAT_KEYWORDS_LIMIT: usize = 10;
/// Characters per keyword.
pub const CHAT_KEYWORD_LIMIT: usize = 50;
/// Characters in `metadata.summary`.
pub const CHAT_SUMMARY_LIMIT: usize = 250;

/// The chat notification of `content`, serialised, and how long its description wanted to be
/// (before truncation), so that the digest can start a new part rather than cut the Slack list.
pub(super) fn render(content: &Content<'_>) -> (String, usize) {
    let (chat, wanted) = match (&content.scope, content.standing.as_ref()) {
        (Scope::Distribution { id, label, .. }, Some(standing)) => {
            changes(content, *id, *label, standing)
        }
        (
            Scope::Digest {
                totals,
                groups,
                minimum,
            },
            Some(Standing {
                kind: StandingKind::Digest(counts),
                ..
            }),
        ) => digest_sections(content, totals, counts, groups, *minimum),
        (Scope::Verified { id }, Some(standing)) => verified(content, id, standing.still_open()),
        (Scope::Distribution { id, label, .. }, None) => distribution(content, *id, *label),
        (
            Scope::Digest {
                totals,
                groups,
                minimum,
            },
            _,
        ) => digest(content, totals, groups, *minimum),
        (Scope::Verified { id }, None) => verified(content, id, None),
    };
    (chat.to_json(), wanted)
}

/// What changed on one distribution (or a reminder of what is still open), in Slack.
fn changes(
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
    standing: &Standing<'_>,
) -> (ChatNotification, usize) {
    let worst = content.worst_spoken_of();
    let thread = plain(id.unwrap_or(ACCOUNT_DISTRIBUTION_ID));
    let where_md = match id {
        Some(id) => slack_code(id),
        None => "the account".to_owned(),
    };
    let part_suffix = part_label(content.part);
    let reminder = matches!(standing.kind, StandingKind::Reminder);
    let title = if reminder {
        format!(
            ":alarm_clock: Reminder: {} still open on {where_md}{part_suffix}",
            count(content.findings.len(), "TLS finding")
        )
    } else if content.findings.is_empty() {
        format!(
            ":white_check_mark: {} resolved on {where_md}{part_suffix}",
            count(content.resolved.len(), "TLS finding")
        )
    } else {
        format!(
            "{} {} TLS changes on {where_md}{part_suffix}",
            emoji(content.worst),
            content.worst.map_or("INFO", upper),
        )
    };
    let mut header = distribution_header(content, id, label);
    if let StandingKind::Changes {
        unchanged,
        suppressed,
        ..
    } = standing.kind
    {
        if unchanged > 0 {
            header.push(format!(
                "*Did not change:* {} found before",
                count(unchanged, "finding")
            ));
        }
        if suppressed > 0 {
            header.push(format!("*Suppressed:* {suppressed}"));
        }
    }
    let mut blocks = Vec::new();
    let mut current = None;
    for group in &content.groups {
        if group.section != current {
            current = group.section;
            if let Some(section) = group.section {
                blocks.push(format!("\n*{}*", section.heading(false)));
            }
        }
        for resolved in &group.resolved {
            blocks.push(format!(
                "• `{}` on {}: resolved by {}",
                slack(&resolved.code),
                slack_code(&resolved.subject),
                slack(&resolved.resolved_by)
            ));
        }
        for finding in &group.findings {
            let mut block = one_finding(finding);
            if let Some(line) = standing_line(finding, standing) {
                block.push_str(&line);
            }
            blocks.push(block);
        }
    }
    let (description, wanted) = bounded_description(&header, &blocks, "line");
    let mut keywords = vec!["CloudFront".to_owned(), "TLS".to_owned()];
    keywords.extend(content.transitions().into_iter().map(str::to_owned));
    keywords.extend(worst.map(|s| s.as_str().to_owned()));
    keywords.extend(content.codes.iter().cloned());
    let summary = format!(
        "{} on {}{part_suffix}",
        if reminder {
            format!(
                "{} still open",
                count(content.findings.len(), "TLS finding")
            )
        } else {
            format!(
                "{} new or escalated, {} resolved",
                content.findings.len(),
                content.resolved.len()
            )
        },
        plain(id.unwrap_or("the account")),
    );
    let metadata = ChatMetadata::new(
        thread.clone(),
        summary,
        if reminder {
            "CloudFrontTlsReminder"
        } else {
            "CloudFrontTlsChange"
        },
        [
            ("severity", worst.map_or("none", upper).to_owned()),
            (
                "distribution_id",
                non_empty(thread, ACCOUNT_DISTRIBUTION_ID),
            ),
            ("trigger", content.trigger.attribute()),
            ("transition", content.transitions().join(",")),
        ],
    );
    let chat = ChatNotification::new(
        title,
        description,
        next_steps(&content.findings),
        keywords,
        metadata,
    );
    (chat, wanted)
}

/// `_Standing:_ escalated from medium; open 12 days, first seen …` for a known finding.
fn standing_line(finding: &Finding, standing: &Standing<'_>) -> Option<String> {
    super::content::standing(finding, standing.now).map(|line| format!("\n_Standing:_ {line}"))
}

/// The digest of a sweep with state: the counts, then one line per distribution for each change;
/// the still-open findings are counted here and listed in the email.
fn digest_sections(
    content: &Content<'_>,
    totals: &DigestTotals,
    counts: &SweepCounts,
    groups: &[Group<'_>],
    minimum: Severity,
) -> (ChatNotification, usize) {
    let overall_worst = totals.worst();
    let part_suffix = part_label(content.part);
    let headline = if counts.changed() {
        format!(
            "{}, {} still open",
            counts.changes_line(),
            counts.still_open
        )
    } else {
        format!(
            "still watching, nothing changed ({} still open)",
            counts.still_open
        )
    };
    let title = format!(
        "{} CloudFront TLS sweep: {headline}{part_suffix}",
        if counts.changed() {
            emoji(overall_worst)
        } else {
            ":eyes:"
        }
    );
    let mut header = vec![trigger_line(content)];
    if counts.changed() {
        header.push(format!("*Since the last sweep:* {}", counts.changes_line()));
    } else {
        header.push("*Nothing changed since the last sweep:* this is the weekly heartbeat (or DIGEST=always)".to_owned());
    }
    header.push(format!(
        "*Still open:* {} (listed in the email)",
        counts.still_open_line()
    ));
    if let Some(suppressed) = counts.suppressed_line() {
        header.push(format!("*Suppressed:* {suppressed}"));
    }
    header.push(format!(
        "*At or above {minimum}:* {}",
        totals.listed_counts()
    ));
    if let Some(part) = content.part {
        header.push(format!("*Part {} of {}*", part.number, part.of));
    }
    let mut lines = Vec::new();
    let mut current = None;
    for group in groups {
        // Still-open findings are known already: counted in the header, listed in the email.
        if group.section == Some(Section::StillOpen) {
            continue;
        }
        if group.section != current {
            current = group.section;
            if let Some(section) = group.section {
                lines.push(format!("*{}*", section.heading(true)));
            }
        }
        lines.push(digest_line(group));
    }
    let (description, wanted) = bounded_description(&header, &lines, "line");
    let chat = digest_notification(
        content,
        totals,
        (title, format!("CloudFront TLS sweep: {headline}{part_suffix}")),
        description,
        "Fix new and escalated findings first: the email lists the evidence and numbered remediation steps.",
        counts.transitions(),
    );
    (chat, wanted)
}

fn distribution(
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
) -> (ChatNotification, usize) {
    let findings = &content.findings;
    let worst = content.worst;
    let part_suffix = part_label(content.part);
    let noun = if findings.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    let thread = plain(id.unwrap_or(ACCOUNT_DISTRIBUTION_ID));
    let where_md = match id {
        Some(id) => slack_code(id),
        None => "the account".to_owned(),
    };
    let title = format!(
        "{} {} TLS {noun} on {where_md}{part_suffix}",
        emoji(worst),
        worst.map_or("INFO", upper),
    );
    let header = distribution_header(content, id, label);
    let blocks: Vec<String> = findings.iter().map(|f| one_finding(f)).collect();
    let (description, wanted) = bounded_description(&header, &blocks, "finding");
    let mut keywords = vec!["CloudFront".to_owned(), "TLS".to_owned()];
    keywords.extend(worst.map(|s| s.as_str().to_owned()));
    keywords.extend(content.codes.iter().cloned());
    let summary = format!(
        "{} TLS {noun} on {}{part_suffix}",
        findings.len(),
        plain(id.unwrap_or("the account")),
    );
    let metadata = ChatMetadata::new(
        thread.clone(),
        summary,
        "CloudFrontTlsFinding",
        [
            ("severity", worst.map_or("none", upper).to_owned()),
            (
                "distribution_id",
                non_empty(thread, ACCOUNT_DISTRIBUTION_ID),
            ),
            ("trigger", content.trigger.attribute()),
            ("findings", findings.len().to_string()),
        ],
    );
    let chat = ChatNotification::new(title, description, next_steps(findings), keywords, metadata);
    (chat, wanted)
}

/// The header, then one line per distribution in this part.
fn digest(
    content: &Content<'_>,
    totals: &DigestTotals,
    groups: &[Group<'_>],
    minimum: Severity,
) -> (ChatNotification, usize) {
    let overall_worst = totals.worst();
    let part_suffix = part_label(content.part);
    let failing = format!(
        "{} of {} failing",
        totals.failing,
        count(content.distributions_audited, "distribution")
    );
    let title = format!(
        "{} CloudFront TLS sweep: {failing}{part_suffix}",
        emoji(overall_worst)
    );
    let mut header = vec![
        trigger_line(content),
        format!("*At or above {minimum}:* {}", totals.listed_counts()),
    ];
    if let Some(below) = totals.below(minimum) {
        header.push(format!("*Not listed (below {minimum}):* {below}"));
    }
    if let Some(part) = content.part {
        header.push(format!(
            "*Part {} of {}:* {} in this part",
            part.number,
            part.of,
            count(
                groups.iter().filter(|g| g.id.is_some()).count(),
                "distribution"
            )
        ));
    }
    if totals.nothing_failed() {
        header.push(format!(
            "No distribution has a finding at or above {minimum}."
        ));
    }
    let lines: Vec<String> = groups.iter().map(digest_line).collect();
    let (description, wanted) = bounded_description(&header, &lines, "distribution");
    let chat = digest_notification(
        content,
        totals,
        (title, format!("CloudFront TLS sweep: {failing}{part_suffix}")),
        description,
        "Fix critical findings first: the email lists the evidence and numbered remediation steps for every distribution.",
        Vec::new(),
    );
    (chat, wanted)
}

/// A digest's chat notification around its `description`: the next steps, the keywords (with
/// `transitions`), and the thread every part of one sweep shares.
fn digest_notification(
    content: &Content<'_>,
    totals: &DigestTotals,
    (title, summary): (String, String),
    description: String,
    first_step: &str,
    transitions: Vec<&str>,
) -> ChatNotification {
    let overall_worst = totals.worst();
    let next_steps = vec![
        first_step.to_owned(),
        format!("Open each distribution in the console: {CONSOLE_DISTRIBUTIONS}"),
    ];
    let mut keywords = vec![
        "CloudFront".to_owned(),
        "TLS".to_owned(),
        "sweep".to_owned(),
    ];
    keywords.extend(transitions.into_iter().map(str::to_owned));
    keywords.extend(overall_worst.map(|s| s.as_str().to_owned()));
    // Every part of one sweep has the same trigger, so they share a thread.
    let thread = format!("sweep-{:016x}", fnv1a(&content.trigger.line()));
    let metadata = ChatMetadata::new(
        thread,
        summary,
        "CloudFrontTlsDigest",
        [
            ("severity", overall_worst.map_or("none", upper).to_owned()),
            ("failing_distributions", totals.failing.to_string()),
            ("trigger", content.trigger.attribute()),
        ],
    );
    ChatNotification::new(title, description, next_steps, keywords, metadata)
}

/// The short "verified" message; with state (`still_open`), that the audit changed nothing.
fn verified(
    content: &Content<'_>,
    id: &str,
    still_open: Option<usize>,
) -> (ChatNotification, usize) {
    let mut header = vec![
        format!("*Distribution:* {}", slack_code(id)),
        trigger_line(content),
    ];
    header.extend(
        still_open.map(|n| format!("*Nothing changed:* {} still open", count(n, "finding"))),
    );
    header.push(format!("*Console:* {}", console_url(Some(id))));
    let (description, wanted) = bounded_description(&header, &[], "finding");
    let (summary, title) = match still_open {
        Some(_) => (
            format!("No TLS change on {id}"),
            format!(":white_check_mark: No TLS change on {}", slack_code(id)),
        ),
        None => (
            format!("TLS verified on {id}: no findings"),
            format!(":white_check_mark: TLS verified on {}", slack_code(id)),
        ),
    };
    let metadata = ChatMetadata::new(
        plain(id),
        summary,
        "CloudFrontTlsVerified",
        [
            ("distribution_id", plain(id)),
            ("trigger", content.trigger.attribute()),
        ],
    );
    let chat = ChatNotification::new(
        title,
        description,
        Vec::new(),
        vec!["CloudFront".into(), "TLS".into(), "verified".into()],
        metadata,
    );
    (chat, wanted)
}

/// Which distribution, the trigger and the console link: the first lines of a distribution's
/// message.
fn distribution_header(
    content: &Content<'_>,
    id: Option<&str>,
    label: Option<&str>,
) -> Vec<String> {
    vec![
        match (id, label) {
            (Some(id), Some(label)) => {
                format!("*Distribution:* {} ({})", slack_code(id), slack(label))
            }
            (Some(id), None) => format!("*Distribution:* {}", slack_code(id)),
            (None, _) => "*Account-level findings*".to_owned(),
        },
        trigger_line(content),
        format!("*Console:* {}", console_url(id)),
    ]
}

fn trigger_line(content: &Content<'_>) -> String {
    format!("*Trigger:* {}", slack(&content.trigger.line()))
}

/// `• `E1ABC` (label): 3 findings, worst *critical*: code-a, code-b`
fn digest_line(group: &Group<'_>) -> String {
    let who = match (group.id, group.label) {
        (Some(id), Some(label)) => format!("{} ({})", slack_code(id), slack(label)),
        (Some(id), None) => slack_code(id),
        (None, _) => "*account*".to_owned(),
    };
    if group.section == Some(Section::Resolved) {
        let mut codes: Vec<&str> = group.resolved.iter().map(|r| r.code.as_str()).collect();
        codes.dedup();
        return format!(
            "• {who}: {} resolved: {}",
            group.resolved.len(),
            slack(&codes.join(", "))
        );
    }
    let codes = distinct_codes(&group.findings).join(", ");
    format!(
        "• {who}: {}, worst *{}*: {codes}",
        count(group.findings.len(), "finding"),
        group.worst().map_or("none", |s| s.as_str())
    )
}

/// The chat notification of Amazon Q Developer in chat applications, exactly as its custom schema
/// names the fields (`version` 1.0, `source` custom, `content`, `metadata`).
#[derive(Serialize)]
pub(crate) struct ChatNotification {
    version: &'static str,
    source: &'static str,
    content: ChatContent,
    metadata: ChatMetadata,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChatContent {
    text_type: &'static str,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    next_steps: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChatMetadata {
    thread_id: String,
    summary: String,
    event_type: &'static str,
    additional_context: BTreeMap<&'static str, String>,
}

impl ChatMetadata {
    /// Metadata; `summary` is plain text (it shows in previews), escaped like everything else.
    pub(crate) fn new<const N: usize>(
        thread_id: String,
        summary: String,
        event_type: &'static str,
        context: [(&'static str, String); N],
    ) -> ChatMetadata {
        ChatMetadata {
            thread_id: truncate(&plain(&thread_id), 100),
            summary: truncate(&slack(&summary), CHAT_SUMMARY_LIMIT),
            event_type,
            additional_context: context
                .into_iter()
                .map(|(k, v)| (k, truncate(&plain(&v), 256)))
                .collect(),
        }
    }
}

impl ChatNotification {
    /// Applies the field limits; `title`, `description` and the steps are already Slack-escaped.
    pub(crate) fn new(
        title: String,
        description: String,
        next_steps: Vec<String>,
        keywords: Vec<String>,
        metadata: ChatMetadata,
    ) -> ChatNotification {
        let mut seen = BTreeSet::new();
        let keywords = keywords
            .iter()
            .map(|k| truncate(&slack(k), CHAT_KEYWORD_LIMIT))
            .filter(|k| !k.is_empty() && seen.insert(k.clone()))
            .take(CHAT_KEYWORDS_LIMIT)
            .collect();
        ChatNotification {
            version: "1.0",
            source: "custom",
            content: ChatContent {
                text_type: "client-markdown",
                title: truncate(&title, CHAT_TITLE_LIMIT),
                description: truncate(&description, CHAT_DESCRIPTION_LIMIT),
                next_steps: next_steps
                    .iter()
                    .map(|s| truncate(s, CHAT_STEP_LIMIT))
                    .take(CHAT_NEXT_STEPS_LIMIT)
                    .collect(),
                keywords,
            },
            metadata,
        }
    }

    pub(crate) fn to_json(&self) -> String {
        // Plain data with string keys always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Joins the header and as many blocks as fit in [`CHAT_DESCRIPTION_LIMIT`], ending with a line that
/// says how many were left out and where to find them. Returns the text and the length the whole
/// text would have had.
pub(crate) fn bounded_description(
    header: &[String],
    blocks: &[String],
    noun: &str,
) -> (String, usize) {
    let join_len = |lines: &[String]| -> usize {
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    };
    let mut all: Vec<String> = header.to_vec();
    all.extend(blocks.iter().cloned());
    let wanted = join_len(&all);
    if wanted <= CHAT_DESCRIPTION_LIMIT {
        return (all.join("\n"), wanted);
    }
    // Room for the "and N more" line.
    const RESERVE: usize = 100;
    let mut lines: Vec<String> = header.to_vec();
    let mut used = join_len(&lines);
    let mut shown = 0;
    for block in blocks {
        let len = block.chars().count() + 1;
        if used + len + RESERVE > CHAT_DESCRIPTION_LIMIT {
            if shown == 0 {
                let room = CHAT_DESCRIPTION_LIMIT.saturating_sub(used + 1 + RESERVE);
                lines.push(truncate(block, room));
                shown = 1;
            }
            break;
        }
        lines.push(block.clone());
        used += len;
        shown += 1;
    }
    let left = blocks.len() - shown;
    if left > 0 {
        lines.push(format!(
            "…and {} more: see the email or the JSON report.",
            count(left, noun)
        ));
    }
    (lines.join("\n"), wanted)
}

/// One finding in Slack markdown: severity, code, subject, message, viewer impact.
fn one_finding(finding: &Finding) -> String {
    let mut block = format!(
        "\n*{}* `{}` on {}\n{}",
        upper(finding.severity),
        finding.code,
        slack_code(&finding.subject),
        slack(&finding.message)
    );
    let _ = write!(
        block,
        "\n_Viewer impact:_ {} ({})",
        finding.viewer_impact,
        impact_words(finding.viewer_impact)
    );
    block
}

/// Remediation steps, worst finding first, each prefixed by its code; repeated steps once.
fn next_steps(findings: &[&Finding]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut steps: Vec<String> = findings
        .iter()
        .flat_map(|f| {
            f.remediation
                .iter()
                .map(move |step| format!("{}: {}", f.code, slack(step)))
        })
        .filter(|step| seen.insert(step.clone()))
        .collect();
    if steps.len() > CHAT_NEXT_STEPS_LIMIT {
        let left = steps.len() - (CHAT_NEXT_STEPS_LIMIT - 1);
        steps.truncate(CHAT_NEXT_STEPS_LIMIT - 1);
        steps.push(format!("…{} more: see the email.", count(left, "step")));
    }
    steps
}

pub(crate) fn emoji(worst: Option<Severity>) -> &'static str {
    match worst {
        Some(Severity::Critical) => ":rotating_light:",
        Some(Severity::High) => ":red_circle:",
        Some(Severity::Medium) => ":large_orange_diamond:",
        Some(Severity::Low) => ":large_blue_circle:",
        Some(Severity::Info) => ":information_source:",
        None => ":white_check_mark:",
    }
}

/// FNV-1a: a stable, dependency-free hash so that the parts of one sweep share a chat thread.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::finding::{Finding, Severity};
    use crate::notify::fixtures::*;
    use crate::notify::*;
    use crate::report::Report;

    #[test]
    fn the_chat_message_follows_the_custom_notification_schema_exactly() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let chat = parse(&note.https);
        let top: Vec<&str> = chat
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(top, ["version", "source", "content", "metadata"]);
        assert_eq!(chat["version"], "1.0");
        assert_eq!(chat["source"], "custom");
        let content: Vec<&str> = chat["content"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            content,
            ["textType", "title", "description", "nextSteps", "keywords"]
        );
        assert_eq!(chat["content"]["textType"], "client-markdown");
        assert_eq!(
            chat["content"]["title"],
            ":rotating_light: CRITICAL TLS findings on `E1ABCDEF`"
        );
        let description = chat["content"]["description"].as_str().unwrap();
        assert!(description.starts_with(
            "*Distribution:* `E1ABCDEF` (www\u{2060}.example\u{2060}.com)\n*Trigger:* UpdateDistribution"
        ));
        assert!(description.contains("*CRITICAL* `viewer-alias-not-covered` on `api.example.com`"));
        assert!(description.contains("_Viewer impact:_ cert-warning"));
        assert_eq!(
            chat["content"]["nextSteps"][0],
            "viewer-alias-not-covered: Re-issue the certificate with api\u{2060}.example\u{2060}.com in its SANs, then select it in the distribution\u{2060}."
                .replace("distribution\u{2060}.", "distribution.")
        );
        assert_eq!(
            chat["content"]["keywords"],
            json!([
                "CloudFront",
                "TLS",
                "critical",
                "viewer-alias-not-covered",
                "viewer-cert-expiring"
            ])
        );
        let metadata: Vec<&str> = chat["metadata"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            metadata,
            ["threadId", "summary", "eventType", "additionalContext"]
        );
        assert_eq!(chat["metadata"]["threadId"], "E1ABCDEF");
        assert_eq!(chat["metadata"]["eventType"], "CloudFrontTlsFinding");
        assert_eq!(
            chat["metadata"]["additionalContext"],
            json!({"distribution_id": "E1ABCDEF", "findings": "2", "severity": "CRITICAL", "trigger": "UpdateDistribution"})
        );
    }

    #[test]
    fn chat_fields_respect_their_limits_and_stay_valid_json() {
        let findings: Vec<Finding> = (0..20)
            .map(|i| alias_finding("E1ABCDEF", &format!("{}-{i}.example.com", "a".repeat(200))))
            .collect();
        let report = Report::new(findings, 1, vec![]);
        let notes = per_distribution(&report, &trigger(), Severity::Medium);
        assert_eq!(notes.len(), 1);
        let chat = parse(&notes[0].https);
        let description = chat["content"]["description"].as_str().unwrap();
        assert!(description.chars().count() <= CHAT_DESCRIPTION_LIMIT);
        assert!(description.ends_with("more: see the email or the JSON report."));
        let steps = chat["content"]["nextSteps"].as_array().unwrap();
        assert!(steps.len() <= CHAT_NEXT_STEPS_LIMIT);
        assert!(steps
            .iter()
            .all(|s| s.as_str().unwrap().chars().count() <= CHAT_STEP_LIMIT));
        assert!(chat["content"]["title"].as_str().unwrap().chars().count() <= CHAT_TITLE_LIMIT);
        // Nothing dropped from the email or the JSON.
        assert_eq!(
            notes[0].email.matches("viewer-alias-not-covered:").count(),
            20
        );
        assert_eq!(
            parse(&notes[0].default_json)["findings"]
                .as_array()
                .unwrap()
                .len(),
            20
        );
    }
}
