//! Building SNS notifications from a [`Report`]: pure functions, no AWS.
//!
//! Every notification carries one text per audience, published with `MessageStructure=json`:
//!
//! * `email`: plain text for people: what is wrong, the evidence, what viewers see, numbered
//!   remediation steps, the documentation, a console link, and what triggered the audit;
//! * `https`: the custom notification JSON of Amazon Q Developer in chat applications (AWS Chatbot),
//!   which renders it in Slack. That service drops anything else silently, so this is always the
//!   custom schema, never plain text;
//! * `default` (also written under `sqs` and `lambda`): the `audit --format json` document
//!   ([`crate::report::render_json`]) with a `trigger` object added.
//!
//! Message attributes, for subscription filter policies:
//!
//! | attribute | type | value |
//! |---|---|---|
//! | `severity` | String | the highest severity in the message, lower case as in the JSON contract (`critical`); absent when the message has no finding |
//! | `distribution_id` | String | the distribution; `account` for account-level findings (no CloudFront id is lower case, so it cannot clash); absent on a digest, which covers many |
//! | `codes` | String.Array | the distinct finding codes, sorted; absent when there is none |
//! | `trigger` | String | [`TriggerSummary::kind`] |
//! | `notification` | String | `distribution`, `digest` or `verified`, so that a subscription can take only digests, say |
//!
//! A notification never exceeds [`SIZE_BUDGET`] when it can be helped: a digest (and, in the rare
//! case of enormous evidence, a distribution's notification) is split into numbered parts, and no
//! finding is ever dropped. Only a single finding whose own texts exceed the budget yields an
//! over-sized message; SNS then rejects it and the publish error says so.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use super::text::{plain, slack, slack_code, subject as ascii_subject, truncate};
use crate::finding::{render_value, Finding, Severity, ViewerImpact};
use crate::report::{render_json, Report, Summary};

/// The default SNS message size limit: 256 KiB for the message and its attributes together.
pub const SNS_MESSAGE_LIMIT: usize = 262_144;

/// What a notification may use of [`SNS_MESSAGE_LIMIT`]: 240 KiB, leaving room for anything SNS
/// counts that we do not (its own accounting is not documented byte for byte).
pub const SIZE_BUDGET: usize = 240 * 1024;

/// SNS subjects must be shorter than 100 characters.
pub const SUBJECT_LIMIT: usize = 99;

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

/// The `distribution_id` attribute and chat thread of account-level findings.
pub const ACCOUNT_DISTRIBUTION_ID: &str = "account";

/// Attribute: the highest severity in the message.
pub const ATTRIBUTE_SEVERITY: &str = "severity";
/// Attribute: the distribution concerned.
pub const ATTRIBUTE_DISTRIBUTION_ID: &str = "distribution_id";
/// Attribute: the distinct finding codes (String.Array).
pub const ATTRIBUTE_CODES: &str = "codes";
/// Attribute: what triggered the audit.
pub const ATTRIBUTE_TRIGGER: &str = "trigger";
/// Attribute: `distribution`, `digest` or `verified`.
pub const ATTRIBUTE_NOTIFICATION: &str = "notification";

/// The CloudFront console page of one distribution is this plus its id.
pub const CONSOLE_DISTRIBUTIONS: &str =
    "https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions";

/// The longest part label, used while measuring so that the real label never makes a part grow.
const PLACEHOLDER_PART: (usize, usize) = (99_999, 99_999);

/// What started the audit, in words for the reader. The Lambda fills it from the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriggerSummary {
    /// A short name: the CloudTrail event name (`UpdateDistribution`), the ACM detail type
    /// (`ACM Certificate Expired`), or `sweep`. Also the `trigger` message attribute.
    pub kind: String,
    /// Who and when, on one line (e.g. `arn:aws:iam::…:user/alice at 2026-03-01T10:00:00Z`).
    pub description: String,
}

impl TriggerSummary {
    /// A trigger from its kind and one-line description.
    pub fn new(kind: impl Into<String>, description: impl Into<String>) -> TriggerSummary {
        TriggerSummary {
            kind: kind.into(),
            description: description.into(),
        }
    }

    /// `kind: description`, or just the kind; raw (callers escape it for their audience).
    fn line(&self) -> String {
        if self.description.trim().is_empty() {
            self.kind.clone()
        } else {
            format!("{}: {}", self.kind, self.description)
        }
    }

    /// The `trigger` attribute: never empty, since SNS rejects empty attribute values.
    fn attribute(&self) -> String {
        let kind = plain(self.kind.trim());
        if kind.is_empty() {
            "unknown".to_owned()
        } else {
            kind
        }
    }
}

/// A message attribute value, as SNS types them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// `DataType=String`.
    String(String),
    /// `DataType=String.Array`: SNS takes it as a JSON array in a string value.
    StringArray(Vec<String>),
}

impl AttributeValue {
    /// The SNS `DataType`.
    pub fn data_type(&self) -> &'static str {
        match self {
            AttributeValue::String(_) => "String",
            AttributeValue::StringArray(_) => "String.Array",
        }
    }

    /// The `StringValue` SNS receives (a JSON array for `String.Array`).
    pub fn encoded(&self) -> String {
        match self {
            AttributeValue::String(value) => value.clone(),
            // A list of strings always serialises; the fallback keeps the value a valid empty array.
            AttributeValue::StringArray(values) => {
                serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
            }
        }
    }
}

/// One SNS publish: a subject, a text per protocol, and message attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The subject: ASCII, no control characters, 1 to 99 characters.
    pub subject: String,
    /// The plain-text email body.
    pub email: String,
    /// The chat notification (Amazon Q Developer custom schema), serialised JSON.
    pub https: String,
    /// The JSON report with its trigger, for `default`, `sqs` and `lambda`.
    pub default_json: String,
    /// Message attributes by name (see the module documentation).
    pub attributes: BTreeMap<String, AttributeValue>,
}

impl Notification {
    /// The `Message` for `MessageStructure=json`: a JSON object whose values are all strings.
    ///
    /// The report is written under `sqs` and `lambda` as well as `default`, so each protocol's content
    /// is explicit, unless the two extra copies would push the message over [`SIZE_BUDGET`]: then
    /// they are left out, and SNS delivers `default` (the same text) to those protocols, as it does
    /// for every protocol without its own key. Subscribers receive the same either way.
    pub fn message_json(&self) -> String {
        let full = self.envelope(true);
        if full.len() + self.attributes_size() <= SIZE_BUDGET {
            full
        } else {
            self.envelope(false)
        }
    }

    fn envelope(&self, explicit_machine_keys: bool) -> String {
        let mut envelope = Map::new();
        envelope.insert("default".into(), Value::String(self.default_json.clone()));
        envelope.insert("email".into(), Value::String(self.email.clone()));
        envelope.insert("https".into(), Value::String(self.https.clone()));
        if explicit_machine_keys {
            envelope.insert("sqs".into(), Value::String(self.default_json.clone()));
            envelope.insert("lambda".into(), Value::String(self.default_json.clone()));
        }
        // A map of strings always serialises.
        serde_json::to_string(&envelope).unwrap_or_default()
    }

    /// The subject and each attribute's name, data type and value.
    fn attributes_size(&self) -> usize {
        self.subject.len()
            + self
                .attributes
                .iter()
                .map(|(name, value)| name.len() + value.data_type().len() + value.encoded().len())
                .sum::<usize>()
    }

    /// Bytes SNS counts against its limit, as far as we can tell: the message, the subject, and each
    /// attribute's name, data type and value.
    pub fn sns_size(&self) -> usize {
        self.message_json().len() + self.attributes_size()
    }

    /// The attribute's value as SNS receives it, if present.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.attributes.get(name).map(AttributeValue::encoded)
    }
}

/// One notification per distribution with findings at or above `minimum`, worst first; account-level
/// findings (no distribution) get a notification of their own, first. A distribution whose texts would
/// exceed [`SIZE_BUDGET`] (only with enormous evidence) is split into numbered parts.
pub fn per_distribution(
    report: &Report,
    trigger: &TriggerSummary,
    minimum: Severity,
) -> Vec<Notification> {
    let filtered = report.at_least(minimum);
    let context = Context {
        report,
        trigger,
        minimum,
    };
    filtered
        .by_distribution()
        .into_iter()
        .flat_map(|(id, findings)| {
            pack(
                vec![Group { id, findings }],
                false,
                |groups: &[Group<'_>], part| context.distribution(id, groups, part),
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
        .map(|(id, findings)| Group { id, findings })
        .collect();
    let context = Context {
        report,
        trigger,
        minimum,
    };
    let totals = DigestTotals {
        listed: filtered.summary(),
        all: report.summary(),
        failing: groups.iter().filter(|g| g.id.is_some()).count(),
        account_level: groups.iter().any(|g| g.id.is_none()),
    };
    pack(groups, true, |groups: &[Group<'_>], part| {
        context.digest(&totals, groups, part)
    })
}

/// The short "verified" message sent after an event-driven audit found nothing to report, when
/// `NOTIFY_ON_CLEAN=true`.
pub fn verified(distribution_id: &str, trigger: &TriggerSummary) -> Notification {
    let id = distribution_id;
    let subject = ascii_subject(
        &format!("[OK] {id}: no TLS findings after {}", trigger.kind),
        SUBJECT_LIMIT,
        "[OK] CloudFront TLS verified",
    );
    let mut email = String::new();
    let _ = writeln!(
        email,
        "CloudFront TLS audit: distribution {} verified, no findings to report.\n",
        plain(id)
    );
    let _ = writeln!(email, "Distribution: {}", plain(id));
    let _ = writeln!(email, "Console: {}", console_url(Some(id)));
    let _ = writeln!(email, "Triggered by: {}", plain(&trigger.line()));
    email.push_str(FOOTER);

    let description = [
        format!("*Distribution:* {}", slack_code(id)),
        format!("*Trigger:* {}", slack(&trigger.line())),
        format!("*Console:* {}", console_url(Some(id))),
    ]
    .join("\n");
    let chat = ChatNotification::new(
        format!(":white_check_mark: TLS verified on {}", slack_code(id)),
        description,
        Vec::new(),
        vec!["CloudFront".into(), "TLS".into(), "verified".into()],
        ChatMetadata::new(
            plain(id),
            format!("TLS verified on {id}: no findings"),
            "CloudFrontTlsVerified",
            [
                ("distribution_id", plain(id)),
                ("trigger", trigger.attribute()),
            ],
        ),
    );

    let empty = Report::new(Vec::new(), 1, Vec::new());
    let mut extra = Map::new();
    let mut verified = Map::new();
    verified.insert("distribution_id".into(), Value::String(id.to_owned()));
    extra.insert("verified".into(), Value::Object(verified));

    let mut attributes = BTreeMap::new();
    attributes.insert(
        ATTRIBUTE_DISTRIBUTION_ID.to_owned(),
        AttributeValue::String(non_empty(plain(id), ACCOUNT_DISTRIBUTION_ID)),
    );
    attributes.insert(
        ATTRIBUTE_TRIGGER.to_owned(),
        AttributeValue::String(trigger.attribute()),
    );
    attributes.insert(
        ATTRIBUTE_NOTIFICATION.to_owned(),
        AttributeValue::String("verified".into()),
    );
    Notification {
        subject,
        email,
        https: chat.to_json(),
        default_json: report_json(&empty, trigger, extra),
        attributes,
    }
}

/// The console page of a distribution (or the list, for account-level findings). The id is
/// percent-encoded: it may come from an event, and must not be able to change where the link goes.
pub fn console_url(distribution_id: Option<&str>) -> String {
    match distribution_id {
        Some(id) => {
            let mut url = format!("{CONSOLE_DISTRIBUTIONS}/");
            for byte in id.bytes() {
                if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                    url.push(byte as char);
                } else {
                    let _ = write!(url, "%{byte:02X}");
                }
            }
            url
        }
        None => CONSOLE_DISTRIBUTIONS.to_owned(),
    }
}

const FOOTER: &str = "\n--\nSent by cloudfront-tls-audit. Machine subscribers (SQS, Lambda) receive the JSON report.\n";

/// Findings of one distribution (or of the account, `id` None) within one message.
#[derive(Debug, Clone)]
struct Group<'a> {
    id: Option<&'a str>,
    findings: Vec<&'a Finding>,
}

/// A built message and how long its chat description wanted to be (before truncation), so that
/// the digest can start a new part rather than cut the Slack list.
struct Built {
    notification: Notification,
    chat_wanted: usize,
}

/// Counts for the digest header.
struct DigestTotals {
    /// Findings at or above the minimum (what the digest lists).
    listed: Summary,
    /// Every finding, for the "not listed" line.
    all: Summary,
    /// Distributions with at least one listed finding.
    failing: usize,
    /// Whether account-level findings are listed too.
    account_level: bool,
}

struct Context<'a> {
    report: &'a Report,
    trigger: &'a TriggerSummary,
    minimum: Severity,
}

impl Context<'_> {
    /// The label of a distribution (aliases or domain), if the report has one.
    fn label(&self, id: Option<&str>) -> Option<&str> {
        id.and_then(|id| self.report.distribution_labels.get(id))
            .map(String::as_str)
            .filter(|l| !l.trim().is_empty())
    }

    fn distribution(
        &self,
        id: Option<&str>,
        groups: &[Group<'_>],
        part: Option<(usize, usize)>,
    ) -> Built {
        let findings: Vec<&Finding> = groups
            .iter()
            .flat_map(|g| g.findings.iter().copied())
            .collect();
        let worst = findings.iter().map(|f| f.severity).max();
        let codes = distinct_codes(&findings);
        let label = self.label(id);
        let part_suffix = part_label(part);
        let who = match id {
            Some(id) => format!("distribution {}", plain(id)),
            None => "the account".to_owned(),
        };

        // Subject: worst severity, the id, the worst code, how many more.
        let mut core = format!(
            "[{}] {}",
            worst.map_or("INFO", |s| upper(s)),
            id.unwrap_or(ACCOUNT_DISTRIBUTION_ID)
        );
        if let Some(first) = codes.first() {
            let _ = write!(core, " {first}");
        }
        if codes.len() > 1 {
            let _ = write!(core, " +{} more", codes.len() - 1);
        }
        let subject = subject_with_suffix(&core, &part_suffix, "[CloudFront TLS] finding");

        // Email.
        let mut email = String::new();
        let _ = writeln!(
            email,
            "CloudFront TLS audit: {} at or above {} on {who}{part_suffix}\n",
            count(findings.len(), "finding"),
            self.minimum
        );
        match id {
            Some(id) => {
                let _ = match label {
                    Some(label) => {
                        writeln!(email, "Distribution: {} ({})", plain(id), plain(label))
                    }
                    None => writeln!(email, "Distribution: {}", plain(id)),
                };
            }
            None => {
                let _ = writeln!(
                    email,
                    "Account-level findings (not tied to one distribution)"
                );
            }
        }
        let _ = writeln!(email, "Console: {}", console_url(id));
        let _ = writeln!(email, "Triggered by: {}", plain(&self.trigger.line()));
        if let Some(worst) = worst {
            let _ = writeln!(email, "Highest severity: {worst}");
        }
        email.push('\n');
        for (i, finding) in findings.iter().enumerate() {
            email_finding(&mut email, i + 1, finding);
        }
        email_notes(&mut email, &self.report.notes);
        email.push_str(FOOTER);

        // Chat.
        let thread = plain(id.unwrap_or(ACCOUNT_DISTRIBUTION_ID));
        let where_md = match id {
            Some(id) => slack_code(id),
            None => "the account".to_owned(),
        };
        let title = format!(
            "{} {} TLS {} on {where_md}{part_suffix}",
            emoji(worst),
            worst.map_or("INFO", |s| upper(s)),
            if findings.len() == 1 {
                "finding"
            } else {
                "findings"
            },
        );
        let mut header = Vec::new();
        match (id, label) {
            (Some(id), Some(label)) => header.push(format!(
                "*Distribution:* {} ({})",
                slack_code(id),
                slack(label)
            )),
            (Some(id), None) => header.push(format!("*Distribution:* {}", slack_code(id))),
            (None, _) => header.push("*Account-level findings*".to_owned()),
        }
        header.push(format!("*Trigger:* {}", slack(&self.trigger.line())));
        header.push(format!("*Console:* {}", console_url(id)));
        let blocks: Vec<String> = findings.iter().map(|f| chat_finding(f)).collect();
        let (description, chat_wanted) = bounded_description(&header, &blocks, "finding");
        let next_steps = next_steps(&findings);
        let mut keywords = vec!["CloudFront".to_owned(), "TLS".to_owned()];
        keywords.extend(worst.map(|s| s.as_str().to_owned()));
        keywords.extend(codes.iter().cloned());
        let summary = format!(
            "{} TLS {} on {}{part_suffix}",
            findings.len(),
            if findings.len() == 1 {
                "finding"
            } else {
                "findings"
            },
            plain(id.unwrap_or("the account")),
        );
        let chat = ChatNotification::new(
            title,
            description,
            next_steps,
            keywords,
            ChatMetadata::new(
                thread.clone(),
                summary,
                "CloudFrontTlsFinding",
                [
                    ("severity", worst.map_or("none", |s| upper(s)).to_owned()),
                    (
                        "distribution_id",
                        non_empty(thread.clone(), ACCOUNT_DISTRIBUTION_ID),
                    ),
                    ("trigger", self.trigger.attribute()),
                    ("findings", findings.len().to_string()),
                ],
            ),
        );

        // JSON: a report of this distribution's findings; one distribution was concerned.
        let audited = if id.is_some() {
            1
        } else {
            self.report.distributions_audited
        };
        let sub = Report::new(
            findings.iter().map(|f| (*f).clone()).collect(),
            audited,
            self.report.notes.clone(),
        );
        let mut extra = Map::new();
        if let Some((number, of)) = part {
            extra.insert("part".into(), part_json(number, of));
        }
        let default_json = report_json(&sub, self.trigger, extra);

        let mut attributes = base_attributes(worst, &codes, self.trigger, "distribution");
        attributes.insert(
            ATTRIBUTE_DISTRIBUTION_ID.to_owned(),
            AttributeValue::String(non_empty(thread, ACCOUNT_DISTRIBUTION_ID)),
        );
        Built {
            notification: Notification {
                subject,
                email,
                https: chat.to_json(),
                default_json,
                attributes,
            },
            chat_wanted,
        }
    }

    fn digest(
        &self,
        totals: &DigestTotals,
        groups: &[Group<'_>],
        part: Option<(usize, usize)>,
    ) -> Built {
        let findings: Vec<&Finding> = groups
            .iter()
            .flat_map(|g| g.findings.iter().copied())
            .collect();
        let worst = findings.iter().map(|f| f.severity).max();
        let overall_worst = Severity::ALL_DESCENDING
            .into_iter()
            .find(|s| severity_count(&totals.listed, *s) > 0);
        let codes = distinct_codes(&findings);
        let part_suffix = part_label(part);
        let audited = self.report.distributions_audited;

        let subject = subject_with_suffix(
            &format!(
                "[{}] CloudFront TLS sweep: {} of {} failing",
                overall_worst.map_or("OK", |s| upper(s)),
                totals.failing,
                count(audited, "distribution"),
            ),
            &part_suffix,
            "[CloudFront TLS] sweep digest",
        );
        let counts_line = format!(
            "{} critical, {} high, {} medium, {} low, {} info",
            totals.listed.critical,
            totals.listed.high,
            totals.listed.medium,
            totals.listed.low,
            totals.listed.info
        );
        let below = below_minimum(&totals.all, self.minimum);
        let groups_here = groups.iter().filter(|g| g.id.is_some()).count();
        // Decided on the whole sweep, not on this part, so that an empty part measures like a real one.
        let nothing_failed = totals.failing == 0 && !totals.account_level;

        // Email.
        let mut email = String::new();
        let _ = writeln!(email, "CloudFront TLS sweep digest{part_suffix}\n");
        let _ = writeln!(email, "Triggered by: {}", plain(&self.trigger.line()));
        let _ = writeln!(
            email,
            "Audited: {}. Failing (a finding at or above {}): {}.",
            count(audited, "distribution"),
            self.minimum,
            count(totals.failing, "distribution")
        );
        let _ = writeln!(
            email,
            "Findings at or above {}: {counts_line}.",
            self.minimum
        );
        if let Some(below) = &below {
            let _ = writeln!(email, "Not listed (below {}): {below}.", self.minimum);
        }
        if totals.account_level {
            let _ = writeln!(email, "Account-level findings are listed too (part 1).");
        }
        if let Some((number, of)) = part {
            let _ = writeln!(
                email,
                "This is part {number} of {of}: it lists {} ({}); the parts together list every failing distribution.",
                count(groups_here, "distribution"),
                count(findings.len(), "finding")
            );
        }
        if nothing_failed {
            let _ = writeln!(
                email,
                "\nNo distribution has a finding at or above {}.",
                self.minimum
            );
        }
        for group in groups {
            email.push('\n');
            match group.id {
                Some(id) => {
                    let _ = match self.label(Some(id)) {
                        Some(label) => writeln!(
                            email,
                            "== Distribution {} ({}): {} ==",
                            plain(id),
                            plain(label),
                            count(group.findings.len(), "finding")
                        ),
                        None => writeln!(
                            email,
                            "== Distribution {}: {} ==",
                            plain(id),
                            count(group.findings.len(), "finding")
                        ),
                    };
                }
                None => {
                    let _ = writeln!(
                        email,
                        "== Account-level: {} ==",
                        count(group.findings.len(), "finding")
                    );
                }
            }
            let _ = writeln!(email, "Console: {}\n", console_url(group.id));
            for (i, finding) in group.findings.iter().enumerate() {
                email_finding(&mut email, i + 1, finding);
            }
        }
        email_notes(&mut email, &self.report.notes);
        email.push_str(FOOTER);

        // Chat: the header, then one line per distribution in this part.
        let title = format!(
            "{} CloudFront TLS sweep: {} of {} failing{part_suffix}",
            emoji(overall_worst),
            totals.failing,
            count(audited, "distribution"),
        );
        let mut header = vec![
            format!("*Trigger:* {}", slack(&self.trigger.line())),
            format!("*At or above {}:* {counts_line}", self.minimum),
        ];
        if let Some(below) = &below {
            header.push(format!("*Not listed (below {}):* {below}", self.minimum));
        }
        if let Some((number, of)) = part {
            header.push(format!(
                "*Part {number} of {of}:* {} in this part",
                count(groups_here, "distribution")
            ));
        }
        if nothing_failed {
            header.push(format!(
                "No distribution has a finding at or above {}.",
                self.minimum
            ));
        }
        let lines: Vec<String> = groups.iter().map(|g| self.chat_digest_line(g)).collect();
        let (description, chat_wanted) = bounded_description(&header, &lines, "distribution");
        let next_steps = vec![
            "Fix critical findings first: the email lists the evidence and numbered remediation steps for every distribution.".to_owned(),
            format!("Open each distribution in the console: {CONSOLE_DISTRIBUTIONS}"),
        ];
        let mut keywords = vec![
            "CloudFront".to_owned(),
            "TLS".to_owned(),
            "sweep".to_owned(),
        ];
        keywords.extend(overall_worst.map(|s| s.as_str().to_owned()));
        let thread = format!("sweep-{:016x}", fnv1a(&self.trigger.line()));
        let chat = ChatNotification::new(
            title,
            description,
            next_steps,
            keywords,
            ChatMetadata::new(
                thread,
                format!(
                    "CloudFront TLS sweep: {} of {} failing{part_suffix}",
                    totals.failing,
                    count(audited, "distribution")
                ),
                "CloudFrontTlsDigest",
                [
                    (
                        "severity",
                        overall_worst.map_or("none", |s| upper(s)).to_owned(),
                    ),
                    ("failing_distributions", totals.failing.to_string()),
                    ("trigger", self.trigger.attribute()),
                ],
            ),
        );

        // JSON: this part's findings; `summary` counts them, `digest.total` counts the whole sweep.
        let sub = Report::new(
            findings.iter().map(|f| (*f).clone()).collect(),
            audited,
            self.report.notes.clone(),
        );
        let mut digest = Map::new();
        let (number, of) = part.unwrap_or((1, 1));
        digest.insert("part".into(), Value::from(number));
        digest.insert("parts".into(), Value::from(of));
        digest.insert(
            "minimum_severity".into(),
            Value::from(self.minimum.as_str()),
        );
        digest.insert("failing_distributions".into(), Value::from(totals.failing));
        digest.insert(
            "total".into(),
            serde_json::to_value(totals.listed).unwrap_or(Value::Null),
        );
        let mut extra = Map::new();
        extra.insert("digest".into(), Value::Object(digest));
        let default_json = report_json(&sub, self.trigger, extra);

        Built {
            notification: Notification {
                subject,
                email,
                https: chat.to_json(),
                default_json,
                attributes: base_attributes(worst, &codes, self.trigger, "digest"),
            },
            chat_wanted,
        }
    }

    /// `• `E1ABC` (label): 3 findings, worst *critical*: code-a, code-b`
    fn chat_digest_line(&self, group: &Group<'_>) -> String {
        let worst = group.findings.iter().map(|f| f.severity).max();
        let codes = distinct_codes(&group.findings).join(", ");
        let who = match (group.id, self.label(group.id)) {
            (Some(id), Some(label)) => format!("{} ({})", slack_code(id), slack(label)),
            (Some(id), None) => slack_code(id),
            (None, _) => "*account*".to_owned(),
        };
        format!(
            "• {who}: {}, worst *{}*: {codes}",
            count(group.findings.len(), "finding"),
            worst.map_or("none", |s| s.as_str())
        )
    }
}

/// Splits `units` into parts that each fit [`SIZE_BUDGET`] (and, with `chat_must_fit`, whose chat
/// description lists every unit), then builds them with their "(part i of n)" labels.
///
/// Sizes are measured on real builds, not guessed: each unit alone gives its marginal size, the
/// parts are filled from those, and every part is then built and checked, moving its last unit on
/// when the check fails. A unit that is too big alone is first split by findings.
fn pack<'a, F>(units: Vec<Group<'a>>, chat_must_fit: bool, build: F) -> Vec<Notification>
where
    F: Fn(&[Group<'a>], Option<(usize, usize)>) -> Built,
{
    let fits = |built: &Built| {
        built.notification.sns_size() <= SIZE_BUDGET
            && (!chat_must_fit || built.chat_wanted <= CHAT_DESCRIPTION_LIMIT)
    };
    let measure = |groups: &[Group<'a>]| build(groups, Some(PLACEHOLDER_PART));

    // 1. No unit may be too big alone: split those by findings, greedily.
    let mut pieces: Vec<Group<'a>> = Vec::with_capacity(units.len());
    for unit in units {
        if unit.findings.len() <= 1 || fits(&measure(std::slice::from_ref(&unit))) {
            pieces.push(unit);
            continue;
        }
        let mut chunk = Group {
            id: unit.id,
            findings: Vec::new(),
        };
        for finding in unit.findings {
            let mut candidate = chunk.clone();
            candidate.findings.push(finding);
            if chunk.findings.is_empty() || fits(&measure(std::slice::from_ref(&candidate))) {
                chunk = candidate;
            } else {
                pieces.push(chunk);
                chunk = Group {
                    id: unit.id,
                    findings: vec![finding],
                };
            }
        }
        pieces.push(chunk);
    }

    // 2. Marginal cost of each piece over an empty part, in bytes and in chat characters.
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

    // 3. Fill parts from the estimates, then verify each on a real build.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < pieces.len() {
        let (mut size, mut chat) = (base_size, base_chat);
        let mut end = start;
        while end < pieces.len() {
            let (piece_size, piece_chat) = costs[end];
            let over = size + piece_size > SIZE_BUDGET
                || (chat_must_fit && chat + piece_chat > CHAT_DESCRIPTION_LIMIT);
            if over && end > start {
                break;
            }
            size += piece_size;
            chat += piece_chat;
            end += 1;
        }
        while end > start + 1 && !fits(&measure(&pieces[start..end])) {
            end -= 1;
        }
        ranges.push(start..end);
        start = end;
    }
    if ranges.is_empty() {
        ranges.push(0..0);
    }

    let parts = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let label = (parts > 1).then_some((i + 1, parts));
            build(&pieces[range], label).notification
        })
        .collect()
}

/// The chat notification of Amazon Q Developer in chat applications, exactly as its custom schema
/// names the fields (`version` 1.0, `source` custom, `content`, `metadata`).
#[derive(Serialize)]
struct ChatNotification {
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
struct ChatMetadata {
    thread_id: String,
    summary: String,
    event_type: &'static str,
    additional_context: BTreeMap<&'static str, String>,
}

impl ChatMetadata {
    /// Metadata; `summary` is plain text (it shows in previews), escaped like everything else.
    fn new<const N: usize>(
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
    fn new(
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

    fn to_json(&self) -> String {
        // Plain data with string keys always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Joins the header and as many blocks as fit in [`CHAT_DESCRIPTION_LIMIT`], ending with a line that
/// says how many were left out and where to find them. Returns the text and the length the whole
/// text would have had.
fn bounded_description(header: &[String], blocks: &[String], noun: &str) -> (String, usize) {
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
fn chat_finding(finding: &Finding) -> String {
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

/// One finding in the email: numbered, with every field a person needs to act.
fn email_finding(out: &mut String, number: usize, finding: &Finding) {
    let _ = writeln!(
        out,
        "{number}. [{}] {}: {}",
        upper(finding.severity),
        finding.code,
        plain(&finding.subject)
    );
    let _ = writeln!(out, "   {}", plain(&finding.message));
    if !finding.evidence.is_empty() {
        let _ = writeln!(out, "   Evidence:");
        for (name, value) in &finding.evidence {
            let _ = writeln!(out, "     {}: {}", plain(name), plain(&render_value(value)));
        }
    }
    let _ = writeln!(
        out,
        "   Viewer impact: {} ({})",
        finding.viewer_impact,
        impact_words(finding.viewer_impact)
    );
    if !finding.remediation.is_empty() {
        let _ = writeln!(out, "   Remediation:");
        for (i, step) in finding.remediation.iter().enumerate() {
            let _ = writeln!(out, "     {}. {}", i + 1, plain(step));
        }
    }
    let _ = writeln!(out, "   Documentation: {}\n", plain(&finding.docs));
}

fn email_notes(out: &mut String, notes: &[crate::report::Note]) {
    if notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "Notes on how the audit ran:");
    for note in notes {
        let _ = writeln!(out, "  - {}", plain(&note.to_string()));
    }
}

/// What viewers experience, in words.
fn impact_words(impact: ViewerImpact) -> &'static str {
    match impact {
        ViewerImpact::UpdateRejected => "CloudFront rejects the create or update call",
        ViewerImpact::CertWarning => "browsers show a certificate warning or refuse to connect",
        ViewerImpact::BadGateway => "CloudFront answers 502 Bad Gateway",
        ViewerImpact::GatewayTimeout => "CloudFront answers 504 Gateway Timeout",
        ViewerImpact::None => "nothing visible to viewers yet",
    }
}

fn emoji(worst: Option<Severity>) -> &'static str {
    match worst {
        Some(Severity::Critical) => ":rotating_light:",
        Some(Severity::High) => ":red_circle:",
        Some(Severity::Medium) => ":large_orange_diamond:",
        Some(Severity::Low) => ":large_blue_circle:",
        Some(Severity::Info) => ":information_source:",
        None => ":white_check_mark:",
    }
}

fn upper(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

fn severity_count(summary: &Summary, severity: Severity) -> usize {
    match severity {
        Severity::Critical => summary.critical,
        Severity::High => summary.high,
        Severity::Medium => summary.medium,
        Severity::Low => summary.low,
        Severity::Info => summary.info,
    }
}

/// `3 low, 1 info` for the severities below the minimum that have findings, if any.
fn below_minimum(all: &Summary, minimum: Severity) -> Option<String> {
    let parts: Vec<String> = Severity::ALL_DESCENDING
        .into_iter()
        .filter(|s| *s < minimum && severity_count(all, *s) > 0)
        .map(|s| format!("{} {s}", severity_count(all, s)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn distinct_codes(findings: &[&Finding]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    findings
        .iter()
        .map(|f| f.code.as_str().to_owned())
        .filter(|c| seen.insert(c.clone()))
        .collect()
}

fn base_attributes(
    worst: Option<Severity>,
    codes: &[String],
    trigger: &TriggerSummary,
    kind: &str,
) -> BTreeMap<String, AttributeValue> {
    let mut attributes = BTreeMap::new();
    if let Some(worst) = worst {
        attributes.insert(
            ATTRIBUTE_SEVERITY.to_owned(),
            AttributeValue::String(worst.as_str().to_owned()),
        );
    }
    if !codes.is_empty() {
        let mut sorted = codes.to_vec();
        sorted.sort();
        attributes.insert(
            ATTRIBUTE_CODES.to_owned(),
            AttributeValue::StringArray(sorted),
        );
    }
    attributes.insert(
        ATTRIBUTE_TRIGGER.to_owned(),
        AttributeValue::String(trigger.attribute()),
    );
    attributes.insert(
        ATTRIBUTE_NOTIFICATION.to_owned(),
        AttributeValue::String(kind.to_owned()),
    );
    attributes
}

/// The `audit --format json` document of `report` with `trigger` (and `extra`) added, compact: it is
/// embedded as a string three times in the SNS envelope, so whitespace would cost three times.
fn report_json(report: &Report, trigger: &TriggerSummary, extra: Map<String, Value>) -> String {
    let rendered = render_json(report);
    let mut document = match serde_json::from_str::<Value>(&rendered) {
        Ok(Value::Object(map)) => map,
        // render_json always yields an object; keep its text whole if it ever does not.
        _ => {
            let mut map = Map::new();
            map.insert("report".into(), Value::String(rendered));
            map
        }
    };
    document.insert(
        "trigger".into(),
        serde_json::to_value(trigger).unwrap_or(Value::Null),
    );
    document.extend(extra);
    serde_json::to_string(&Value::Object(document)).unwrap_or_default()
}

fn part_json(number: usize, of: usize) -> Value {
    let mut part = Map::new();
    part.insert("part".into(), Value::from(number));
    part.insert("parts".into(), Value::from(of));
    Value::Object(part)
}

fn part_label(part: Option<(usize, usize)>) -> String {
    part.map(|(number, of)| format!(" (part {number} of {of})"))
        .unwrap_or_default()
}

/// The subject from `core`, cut so that `suffix` (the part label) always survives.
fn subject_with_suffix(core: &str, suffix: &str, fallback: &str) -> String {
    let room = SUBJECT_LIMIT.saturating_sub(suffix.len());
    format!("{}{suffix}", ascii_subject(core, room, fallback))
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn non_empty(value: String, fallback: &str) -> String {
    if value.trim().is_empty() {
        fallback.to_owned()
    } else {
        value
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
    use super::*;
    use crate::catalogue::{
        ALIAS_NOT_COVERED, EXPIRED, EXPIRING_BY_HAND, HTTP_ALLOWED, INCOMPLETE_ACCESS_DENIED,
        POLICY_OUTDATED,
    };
    use serde_json::json;

    /// A certificate subject an attacker controls: mentions, a masked link, a terminal escape, a line
    /// break that would forge a line, and a bidi override.
    const CRAFTED: &str =
        "evil.example <!channel> @here @everyone <https://phish.example|Click to fix>\n*Forged*\u{1b}[31m\u{202E}";

    fn trigger() -> TriggerSummary {
        TriggerSummary::new(
            "UpdateDistribution",
            "arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z",
        )
    }

    fn alias_finding(id: &str, alias: &str) -> Finding {
        Finding::builder(&ALIAS_NOT_COVERED)
            .distribution(id)
            .subject(alias)
            .evidence("alias", alias)
            .evidence(
                "certificate",
                "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            )
            .evidence("certificate_names", vec!["example.com", "*.example.com"])
            .build()
    }

    fn expired(id: &str) -> Finding {
        Finding::builder(&EXPIRED)
            .distribution(id)
            .subject("arn:aws:acm:us-east-1:111122223333:certificate/abc")
            .evidence(
                "certificate",
                "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            )
            .evidence("not_after", "2026-01-01T00:00:00Z")
            .evidence("days_ago", 59)
            .evidence("certificate_names", vec!["example.com"])
            .build()
    }

    fn expiring(id: &str) -> Finding {
        Finding::builder(&EXPIRING_BY_HAND)
            .distribution(id)
            .subject("arn:aws:acm:us-east-1:111122223333:certificate/imported")
            .evidence(
                "certificate",
                "arn:aws:acm:us-east-1:111122223333:certificate/imported",
            )
            .evidence("not_after", "2026-03-11T00:00:00Z")
            .evidence("days_left", 10)
            .build()
    }

    fn http_allowed(id: &str) -> Finding {
        Finding::builder(&HTTP_ALLOWED)
            .distribution(id)
            .subject("cache behaviour default")
            .evidence("behavior", "default")
            .build()
    }

    fn outdated(id: &str) -> Finding {
        Finding::builder(&POLICY_OUTDATED)
            .distribution(id)
            .subject("TLSv1_2016")
            .evidence("minimum_protocol_version", "TLSv1_2016")
            .build()
    }

    fn account() -> Finding {
        Finding::builder(&INCOMPLETE_ACCESS_DENIED)
            .subject("iam server certificates")
            .evidence("resource", "IAM server certificates")
            .evidence("operation", "iam:ListServerCertificates")
            .build()
    }

    fn sample() -> Report {
        Report::new(
            vec![
                alias_finding("E1ABCDEF", "api.example.com"),
                expiring("E1ABCDEF"),
                outdated("E1ABCDEF"),
                http_allowed("E2BBBBBB"),
                account(),
            ],
            3,
            vec![],
        )
        .with_labels(BTreeMap::from([(
            "E1ABCDEF".to_owned(),
            "www.example.com".to_owned(),
        )]))
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("valid JSON")
    }

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
    fn the_envelope_has_a_string_for_every_protocol() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let envelope = parse(&note.message_json());
        let object = envelope.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["default", "email", "https", "sqs", "lambda"]);
        assert!(object.values().all(Value::is_string));
        assert_eq!(envelope["sqs"], envelope["default"]);
        assert_eq!(envelope["lambda"], envelope["default"]);
        assert_eq!(envelope["https"].as_str(), Some(note.https.as_str()));
        assert!(note.sns_size() > note.message_json().len());
    }

    #[test]
    fn the_email_says_what_is_wrong_and_how_to_fix_it() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let email = &note.email;
        for needle in [
            "Distribution: E1ABCDEF (www.example.com)",
            "Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E1ABCDEF",
            "Triggered by: UpdateDistribution: arn:aws:iam::111122223333:user/alice at 2026-03-01T10:00:00Z",
            "1. [CRITICAL] viewer-alias-not-covered: api.example.com",
            "   Alias api.example.com is not covered by certificate",
            "   Evidence:\n     alias: api.example.com\n",
            "     certificate_names: example.com, *.example.com",
            "   Viewer impact: cert-warning (browsers show a certificate warning or refuse to connect)",
            "   Remediation:\n     1. Re-issue the certificate with api.example.com in its SANs",
            "     2. Or remove the alias api.example.com",
            "   Documentation: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
            "2. [MEDIUM] viewer-cert-expiring:",
        ] {
            assert!(email.contains(needle), "missing {needle:?} in\n{email}");
        }
        let account = &per_distribution(&sample(), &trigger(), Severity::Medium)[0];
        assert!(account.email.contains("Account-level findings"));
        assert!(account
            .email
            .contains(&format!("Console: {CONSOLE_DISTRIBUTIONS}\n")));
        assert_eq!(account.subject, "[HIGH] account audit-incomplete");
    }

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
        // The machine copy keeps the value exactly (JSON escaping makes it safe there).
        let json = parse(&note.default_json);
        assert_eq!(json["findings"][0]["subject"], CRAFTED);
    }

    #[test]
    fn subjects_are_ascii_short_and_never_empty() {
        let long_id = format!("E{}é\n", "X".repeat(150));
        let report = Report::new(vec![http_allowed(&long_id)], 1, vec![]);
        let note = &per_distribution(&report, &TriggerSummary::new("", ""), Severity::Low)[0];
        assert!(note.subject.len() <= SUBJECT_LIMIT, "{}", note.subject);
        assert!(note.subject.is_ascii());
        assert!(!note.subject.chars().any(|c| c.is_control()));
        assert!(note.subject.starts_with("[MEDIUM] EXXX"));
        assert!(note.subject.ends_with("..."));
        assert_eq!(
            note.attribute(ATTRIBUTE_TRIGGER).as_deref(),
            Some("unknown")
        );
        // The console link cannot be bent by an odd id.
        assert!(console_url(Some("E1/../x?y#z")).ends_with("/distributions/E1%2F..%2Fx%3Fy%23z"));
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

    /// 300 distributions, each with four findings at or above medium and one below.
    fn sweep() -> Report {
        let mut findings = Vec::new();
        let mut labels = BTreeMap::new();
        for i in 0..300 {
            let id = format!("E{i:04}SWEEPDIST");
            findings.push(alias_finding(&id, &format!("api{i}.example.com")));
            findings.push(expired(&id));
            findings.push(expiring(&id));
            findings.push(http_allowed(&id));
            findings.push(outdated(&id));
            labels.insert(id, format!("www{i}.example.com"));
        }
        findings.push(account());
        let as_of = crate::report::Note::AsOf {
            at: time::macros::datetime!(2026-03-01 00:00 UTC),
        };
        Report::new(findings, 320, vec![as_of]).with_labels(labels)
    }

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
