//! A published notification as people receive it, for a terminal (`make invoke`): the subject, the
//! email text, and the Slack message that Amazon Q Developer in chat applications renders from the
//! chat payload (title, description, next steps), not only subjects.
//!
//! Everything shown comes from the message, so every line passes through
//! [`crate::report::terminal`]; the Slack text is first read as Slack shows it (entities decoded,
//! our invisible word joiners dropped), so that what the terminal shows is what the channel shows.

use std::fmt::Write;

use serde_json::Value;

use crate::report::terminal;

/// The word joiner our Slack escaping puts in (invisible in Slack).
const WORD_JOINER: char = '\u{2060}';

/// `subject` and the `MessageStructure=json` envelope `message` (keys `email`, `https`, `default`)
/// rendered for a terminal: the email as its reader sees it, then the Slack message. A message that
/// is not such an envelope is shown as it came, escaped.
pub fn as_received(subject: &str, message: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Subject: {}", terminal(subject));
    let Ok(Value::Object(envelope)) = serde_json::from_str::<Value>(message) else {
        rule(&mut out, "message (not a MessageStructure=json envelope)");
        lines(&mut out, message, "  ");
        return out;
    };
    rule(&mut out, "email");
    match envelope.get("email").and_then(Value::as_str) {
        Some(email) => lines(&mut out, email, "  "),
        None => out.push_str("  (no email text: email subscribers receive the default text)\n"),
    }
    rule(&mut out, "Slack (Amazon Q Developer in chat applications)");
    match envelope
        .get("https")
        .and_then(Value::as_str)
        .map(serde_json::from_str::<Value>)
    {
        Some(Ok(chat)) => slack_message(&mut out, &chat),
        _ => out.push_str("  (no chat payload: Amazon Q Developer would drop this message)\n"),
    }
    out
}

/// The chat payload as Slack shows it: the title in bold, the description, the numbered next steps.
fn slack_message(out: &mut String, chat: &Value) {
    let field = |path: &[&str]| {
        path.iter()
            .try_fold(chat, |value, key| value.get(key))
            .and_then(Value::as_str)
            .map(as_slack_shows)
    };
    if let Some(title) = field(&["content", "title"]) {
        let _ = writeln!(out, "  {}", terminal(&title));
    }
    if let Some(description) = field(&["content", "description"]) {
        out.push('\n');
        lines(out, &description, "  ");
    }
    let steps: Vec<String> = chat
        .pointer("/content/nextSteps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .filter_map(Value::as_str)
                .map(as_slack_shows)
                .collect()
        })
        .unwrap_or_default();
    if !steps.is_empty() {
        out.push_str("\n  Next steps:\n");
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(out, "    {}. {}", i + 1, terminal(step));
        }
    }
    if let Some(thread) = field(&["metadata", "threadId"]) {
        let _ = writeln!(out, "\n  (thread {})", terminal(&thread));
    }
}

/// Slack mrkdwn as a reader sees it: the three HTML entities decoded, word joiners invisible.
fn as_slack_shows(text: &str) -> String {
    text.replace(WORD_JOINER, "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `── email ──────`.
fn rule(out: &mut String, title: &str) {
    let _ = writeln!(
        out,
        "── {title} {}",
        "─".repeat(60usize.saturating_sub(title.len()))
    );
}

/// Each line of `text`, indented and escaped: a line break in the text is a new line here, any
/// other control character is shown, never obeyed.
fn lines(out: &mut String, text: &str, indent: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{}", terminal(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::notify::fixtures::*;
    use crate::notify::per_distribution;

    #[test]
    fn a_notification_reads_as_its_email_and_its_slack_message() {
        let note = &per_distribution(&sample(), &trigger(), Severity::Medium)[1];
        let shown = as_received(&note.subject, &note.message_json());
        for needle in [
            "Subject: [CRITICAL] E1ABCDEF viewer-alias-not-covered +1 more",
            "── email ",
            "  Distribution: E1ABCDEF (www.example.com)",
            "  1. [CRITICAL] viewer-alias-not-covered: api.example.com",
            "── Slack (Amazon Q Developer in chat applications) ",
            "  :rotating_light: CRITICAL TLS findings on `E1ABCDEF`",
            // As Slack shows it: no word joiners left in the label.
            "  *Distribution:* `E1ABCDEF` (www.example.com)",
            "  Next steps:\n    1. viewer-alias-not-covered: Re-issue the certificate",
            "(thread E1ABCDEF)",
        ] {
            assert!(shown.contains(needle), "missing {needle:?} in\n{shown}");
        }
        assert!(!shown.contains(WORD_JOINER));
    }

    #[test]
    fn hostile_text_is_shown_never_obeyed() {
        let report = crate::report::Report::new(vec![alias_finding("E1", CRAFTED)], 1, vec![]);
        let note = &per_distribution(&report, &trigger(), Severity::Low)[0];
        let shown = as_received(&format!("{}\u{1b}[2J", note.subject), &note.message_json());
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{202E}'),
            "{shown}"
        );
        assert!(shown.contains("\\u{1b}"), "the escape is visible: {shown}");
        // An entity decoded for display is only text: a terminal has no mentions.
        assert!(shown.contains("<!channel>"), "{shown}");
        let garbage = as_received("s", "not json\u{7}");
        assert!(
            garbage.contains("not a MessageStructure=json envelope") && !garbage.contains('\u{7}')
        );
    }
}
