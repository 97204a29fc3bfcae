//! Making untrusted text safe for each audience: plain text for email, Slack markdown for chat, ASCII
//! for the SNS subject, and bounded lengths everywhere.
//!
//! Certificate subjects, SANs, origin host names and error messages all come from outside: a crafted
//! certificate can carry `<!channel>`, `@here`, `<https://evil|click>` or terminal escapes. Every such
//! string passes through one of these functions before it reaches a person.

/// The ellipsis used when text is cut (one character, so length limits stay simple).
pub const ELLIPSIS: char = '…';

use crate::untrusted::is_forbidden;

/// U+2060 WORD JOINER: invisible, and enough to stop Slack from seeing `@channel` or `http://`.
const WORD_JOINER: char = '\u{2060}';

/// Untrusted text for a plain-text email: forbidden characters ([`is_forbidden`]) removed. Email
/// clients render no markup in `text/plain`, so nothing else needs escaping.
pub fn plain(untrusted: &str) -> String {
    untrusted.chars().filter(|c| !is_forbidden(*c)).collect()
}

/// Untrusted text for Slack markdown (Amazon Q Developer renders `client-markdown` as Slack mrkdwn):
///
/// * forbidden characters ([`is_forbidden`]) removed, before our own word joiners go in (the only
///   forbidden character the result carries);
/// * `&`, `<`, `>` as HTML entities, as Slack requires, so `<!channel>`, `<@U123>` and
///   `<https://evil|text>` cannot form;
/// * a word joiner after every `@`, so `@channel`, `@here`, `@everyone` and `@user` mention nobody;
/// * a word joiner inside `://` and before every dot between two alphanumerics, so
///   that Slack's automatic linking finds no URL or domain name: an untrusted string never becomes a
///   link (the exact values are in the email and the JSON report);
/// * backticks replaced by `ˋ` (U+02CB), so untrusted text cannot close a code span of ours.
pub fn slack(untrusted: &str) -> String {
    escape_slack(untrusted, true)
}

/// Untrusted text for inside a Slack code span (`` `…` ``): as [`slack`], except that dots stay as
/// they are (Slack does not link inside code), so host names can be copied exactly.
pub fn slack_code(untrusted: &str) -> String {
    format!("`{}`", escape_slack(untrusted, false))
}

fn escape_slack(untrusted: &str, break_links: bool) -> String {
    let chars: Vec<char> = untrusted.chars().filter(|c| !is_forbidden(*c)).collect();
    let mut out = String::with_capacity(untrusted.len() + 16);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\u{02CB}'),
            '@' => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            ':' if chars.get(i + 1) == Some(&'/') => {
                out.push(':');
                out.push(WORD_JOINER);
            }
            '.' if break_links
                && i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push(WORD_JOINER);
                out.push('.');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Cuts `text` to at most `limit` characters, ending with [`ELLIPSIS`] when it was cut. An HTML
/// entity (`&amp;`) cut in half would render as garbage, so a cut never splits one.
pub fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    if limit == 0 {
        return String::new();
    }
    let mut kept: String = text.chars().take(limit - 1).collect();
    if let Some(amp) = kept.rfind('&') {
        if !kept[amp..].contains(';') {
            kept.truncate(amp);
        }
    }
    kept.push(ELLIPSIS);
    kept
}

/// The SNS subject: printable ASCII only (anything else becomes `?`, runs of whitespace one space),
/// at most `limit` characters (cut with `...`), and never empty (`fallback` instead). SNS requires
/// fewer than 100 characters, no line breaks or control characters; older documentation said ASCII.
pub fn subject(text: &str, limit: usize, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars() {
        if is_forbidden(c) || c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        out.push(if c.is_ascii_graphic() { c } else { '?' });
        last_space = false;
    }
    let trimmed = out.trim();
    let mut result = if trimmed.len() > limit {
        // ASCII only, so byte and character counts agree.
        let cut = limit.saturating_sub(3);
        format!("{}...", trimmed[..cut].trim_end())
    } else {
        trimmed.to_owned()
    };
    if result.is_empty() {
        result = fallback
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(limit)
            .collect();
    }
    result
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    use super::*;
    use crate::report::terminal;
    use crate::untrusted::{cap, cap_names, HOSTILE_CORPUS, NAME_CHARS};

    /// Whether `text` has a forbidden character other than `allowed` (Slack's word joiner, ours).
    fn has_forbidden(text: &str, allowed: &[char]) -> bool {
        text.chars()
            .any(|c| is_forbidden(c) && !allowed.contains(&c))
    }

    #[test]
    fn every_audience_takes_the_hostile_corpus_without_a_raw_forbidden_character() {
        for text in HOSTILE_CORPUS {
            let email = plain(text);
            assert!(!has_forbidden(&email, &[]), "email {email:?}");
            for chat in [slack(text), slack_code(text)] {
                assert!(!has_forbidden(&chat, &[WORD_JOINER]), "chat {chat:?}");
                assert!(!chat.contains('<') && !chat.contains('>'), "chat {chat:?}");
            }
            let sns = subject(text, 99, "fallback");
            assert!(sns.is_ascii() && !sns.chars().any(|c| c.is_control()));
            let shown = terminal(text);
            assert!(!has_forbidden(&shown, &[]), "terminal {shown:?}");
            if text.chars().any(is_forbidden) {
                assert!(
                    shown.contains("\\u{") || shown.contains('\\'),
                    "visible: {shown}"
                );
            }
        }
        assert_eq!(terminal("a\u{1b}]8;;x\u{7}"), "a\\u{1b}]8;;x\\u{7}");
        assert_eq!(plain("a\u{2028}b\u{200b}c\u{e0041}d"), "abcd");
    }

    /// Characters the property mixes into arbitrary text, so that each case meets some.
    const FORBIDDEN_SAMPLES: &[char] = &[
        '\0',
        '\u{7}',
        '\u{1b}',
        '\n',
        '\u{7f}',
        '\u{85}',
        '\u{9b}',
        '\u{61c}',
        '\u{200b}',
        '\u{200f}',
        '\u{2028}',
        '\u{2029}',
        '\u{202e}',
        '\u{2066}',
        '\u{2069}',
        '\u{2060}',
        '\u{feff}',
        '\u{fe0f}',
        '\u{e0041}',
        '\u{e0100}',
        '<',
        '@',
        '&',
        '`',
        '.',
        ':',
        '/',
    ];

    /// 2,000 cases, seed fixed: any string through each sanitiser has no forbidden character (the
    /// chat text only our word joiners) and stays within its cap.
    #[test]
    fn any_string_through_any_sanitiser_is_clean_and_within_its_cap() {
        let config = Config {
            cases: 2_000,
            failure_persistence: None,
            ..Config::default()
        };
        let seed = *b"cloudfront-tls-audit/sanitisers!";
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let character = prop_oneof![any::<char>(), prop::sample::select(FORBIDDEN_SAMPLES)];
        let text = prop::collection::vec(character, 0..600)
            .prop_map(|chars| chars.into_iter().collect::<String>());
        let outcome = runner.run(&(text, 0usize..300), |(text, limit)| {
            prop_assert!(!has_forbidden(&plain(&text), &[]));
            prop_assert!(!has_forbidden(&terminal(&text), &[]));
            let chat = truncate(&slack(&text), limit);
            prop_assert!(!has_forbidden(&chat, &[WORD_JOINER]));
            prop_assert!(chat.chars().count() <= limit);
            let sns = subject(&text, 99, "fallback");
            prop_assert!(sns.len() <= 99 && !sns.is_empty() && sns.is_ascii());
            let kept = cap(&text, limit);
            prop_assert!(kept.chars().count() <= limit && !kept.chars().any(is_forbidden));
            let names = cap_names(text.split(' '), 20);
            prop_assert!(names.len() <= 21);
            prop_assert!(names.iter().all(|n| n.chars().count() <= NAME_CHARS));
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
    }

    #[test]
    fn slack_escape_neutralises_mentions_links_and_entities() {
        let crafted = "<!channel> @here <https://evil.example|click> & \u{1b}[31m\u{202E}x`y";
        let escaped = slack(crafted);
        assert!(
            !escaped.contains('<') && !escaped.contains('>'),
            "{escaped}"
        );
        assert!(!escaped.contains("@here") && !escaped.contains("@channel"));
        assert!(!escaped.contains("://"));
        assert!(!escaped.contains("evil.example"));
        assert!(!escaped.contains('\u{1b}') && !escaped.contains('\u{202E}'));
        assert!(!escaped.contains('`'));
        assert!(escaped.starts_with("&lt;!channel&gt; @\u{2060}here &lt;https:\u{2060}//"));
        assert!(escaped.contains(" &amp; "));
    }

    #[test]
    fn code_spans_keep_host_names_copyable() {
        assert_eq!(slack_code("api.example.com"), "`api.example.com`");
        assert_eq!(slack_code("a`b<c"), "`a\u{02CB}b&lt;c`");
    }

    #[test]
    fn plain_strips_controls_and_bidi_only() {
        assert_eq!(plain("a\nb\u{1b}c\u{202E}d é"), "abcd é");
    }

    #[test]
    fn truncate_counts_characters_and_never_splits_an_entity() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo world", 6), "héllo…");
        assert_eq!(truncate("ab &amp; cd", 6), "ab …");
        assert_eq!(truncate("ab &amp; cd", 10), "ab &amp; …");
    }

    #[test]
    fn subject_is_ascii_bounded_and_never_empty() {
        assert_eq!(subject("a\nb  é\tc", 99, "x"), "a b ? c");
        assert_eq!(subject("\n\u{1b}", 99, "fallback"), "fallback");
        let long = subject(&"x".repeat(200), 99, "f");
        assert_eq!(long.len(), 99);
        assert!(long.ends_with("..."));
    }
}
