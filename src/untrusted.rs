//! Untrusted text: how much of it is kept, and which of its characters no audience may receive.
//!
//! Certificate subjects, issuers and SANs, names an origin or edge sends and text from events all come
//! from outside. They are capped once, where they enter ([`crate::x509`], the finding builder), so
//! that everything built from them (findings, reports, SNS messages) has a size known in advance; and
//! every audience's sanitiser (terminal, Slack, email, JSON) asks [`is_forbidden`] which characters
//! must not reach a person raw, so the audiences differ only in what they escape on top.

/// The longest untrusted name kept (a SAN, a common name, a host name): 256 characters, above the
/// 253 of the longest DNS name, so no valid name is ever cut, and a cut one can match no alias.
pub const NAME_CHARS: usize = 256;

/// The longest untrusted free text kept (a certificate subject or issuer, an evidence string):
/// 1,024 characters. Real distinguished names are a few hundred at most; a person still reads it.
pub const TEXT_CHARS: usize = 1_024;

/// Names kept from one certificate's SAN list: 1,000, ten times the most ACM issues (100), so that
/// coverage checks see every name of any certificate in real use; the rest are counted.
pub const KEPT_NAMES: usize = 1_000;

/// Items of a list shown in a finding's evidence: 20, what a person can still scan; the rest are
/// counted ("… and N more").
pub const SHOWN_ITEMS: usize = 20;

/// Bytes a finding's JSON may take: 16 KiB. The evidence is cut until the finding fits, so that a
/// notification of one finding (rendered about four times: email, chat, JSON, attributes) always
/// fits SNS's 256 KiB with room to spare.
pub const FINDING_JSON_BYTES: usize = 16 * 1024;

/// True for the characters no audience receives raw: control characters (C0 including NUL, BEL, ESC,
/// line breaks; DEL; C1, which carries OSC and CSI in one byte), bidirectional marks, embeddings,
/// overrides and isolates (which make text read differently from what it is), zero-width and other
/// invisible characters (which hide differences between names), line and paragraph separators
/// (which forge lines), tag characters and variation selectors (invisible in names, never needed in
/// certificate text).
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'                  // soft hyphen
            | '\u{034F}'                // combining grapheme joiner
            | '\u{061C}'                // Arabic letter mark
            | '\u{115F}' | '\u{1160}'   // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels (invisible)
            | '\u{180B}'..='\u{180F}'   // Mongolian variation selectors and vowel separator
            | '\u{200B}'..='\u{200F}'   // zero-width space, (non-)joiner, LRM, RLM
            | '\u{2028}' | '\u{2029}'   // line and paragraph separators
            | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, isolates, deprecated formats
            | '\u{3164}'                // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'   // variation selectors
            | '\u{FEFF}'                // zero-width no-break space (BOM)
            | '\u{FFA0}'                // halfwidth Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
            | '\u{1D173}'..='\u{1D17A}' // musical formatting
            | '\u{E0000}'..='\u{E007F}' // tag characters
            | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        )
}

/// True when `text` is printable ASCII only, so that no character of it is forbidden: the common
/// case (host names, ARNs, messages), told by a byte scan instead of a character-by-character
/// [`is_forbidden`].
fn is_plain(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// `c` as visible ASCII: `\n`, `\u{1b}`, `\u{202e}`. For audiences that show what was there.
pub fn visible_escape(c: char) -> String {
    c.escape_default().collect()
}

/// Untrusted text with every forbidden character written as its visible escape: for data that
/// keeps what was sent (the JSON, the terminal).
pub fn escape_forbidden(text: &str) -> String {
    if is_plain(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_forbidden(c) {
            out.push_str(&visible_escape(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The JSON audience's sanitiser: every string (and key) of `document` with its forbidden characters
/// as visible escapes. serde_json escapes only C0 controls; DEL, C1, bidi and invisible characters
/// would otherwise reach whoever prints the JSON (`jq -r`, a log viewer) raw. The data is kept:
/// `\u{202e}` says what was there.
pub fn escape_forbidden_json(document: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match document {
        Value::String(s) => Value::String(escape_forbidden(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_forbidden_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (escape_forbidden(&k), escape_forbidden_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// [`cap`] of a string already owned: returned as it is, with no copy, when it has nothing to escape
/// and fits (nearly every evidence value).
pub fn cap_owned(text: String, max_chars: usize) -> String {
    // Bytes bound characters: a text of at most `max_chars` bytes has at most as many characters.
    if text.len() <= max_chars && (is_plain(&text) || !text.chars().any(is_forbidden)) {
        return text;
    }
    cap(&text, max_chars)
}

/// Untrusted text as it is kept: forbidden characters escaped ([`escape_forbidden`]), then cut to
/// `max_chars` characters in all, the cut saying how much went (`… [cut: 199,000 more characters]`).
pub fn cap(text: &str, max_chars: usize) -> String {
    // Plain and short (bytes bound characters): kept as it is, with one copy.
    if text.len() <= max_chars && is_plain(text) {
        return text.to_owned();
    }
    let escaped = escape_forbidden(text);
    let total = escaped.chars().count();
    if total <= max_chars {
        return escaped;
    }
    // The marker's length depends on the count it gives, which depends on what the marker leaves:
    // measured with the largest count (all of it), the marker never makes the result overflow.
    let marker_room = cut_marker(total).chars().count();
    let kept = max_chars.saturating_sub(marker_room);
    let mut out: String = escaped.chars().take(kept).collect();
    if kept == 0 {
        return escaped.chars().take(max_chars).collect();
    }
    out.push_str(&cut_marker(total - kept));
    out
}

fn cut_marker(cut: usize) -> String {
    format!("… [cut: {cut} more characters]")
}

/// Untrusted names as they are kept: each capped to [`NAME_CHARS`], at most `max_items` of them, then
/// one last entry `… and N more` (which no host name can equal, so it matches nothing). A list cut
/// before keeps its count: cutting 1,000 names and `… and 4000 more` to 20 says `… and 4980 more`.
pub fn cap_names<I, S>(names: I, max_items: usize) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    cut_list(
        names.into_iter().map(|name| cap(name.as_ref(), NAME_CHARS)),
        max_items,
        |name| more_count(name),
        and_more,
    )
}

/// The first `max_items` of `items`, then `marker(N)` for the N left out; an item for which
/// `earlier_cut` gives a count is the marker of an earlier cut, and its count is carried over.
pub fn cut_list<T>(
    items: impl IntoIterator<Item = T>,
    max_items: usize,
    earlier_cut: impl Fn(&T) -> Option<usize>,
    marker: impl Fn(usize) -> T,
) -> Vec<T> {
    let mut kept = Vec::new();
    let mut more = 0usize;
    for item in items {
        if let Some(count) = earlier_cut(&item) {
            more = more.saturating_add(count);
        } else if kept.len() < max_items {
            kept.push(item);
        } else {
            more = more.saturating_add(1);
        }
    }
    if more > 0 {
        kept.push(marker(more));
    }
    kept
}

/// `… and 4980 more`: the last entry of a cut list.
pub fn and_more(more: usize) -> String {
    format!("… and {more} more")
}

/// The N of an [`and_more`] entry.
pub fn more_count(item: &str) -> Option<usize> {
    item.strip_prefix("… and ")?
        .strip_suffix(" more")?
        .parse()
        .ok()
}

/// Hostile strings that every audience's tests run through: terminal escapes, an OSC 8 link, BEL,
/// NUL, C1 controls, bidi overrides and isolates, zero-width and invisible marks, tag characters,
/// variation selectors, line separators, Slack mentions and links.
#[cfg(test)]
pub(crate) const HOSTILE_CORPUS: &[&str] = &[
    "\u{1b}[31mred\u{1b}[0m",
    "\u{1b}]8;;https://evil.example/\u{7}click me\u{1b}]8;;\u{7}",
    "\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    "nul\0byte\u{7}bell\u{8}backspace\u{7f}del",
    "\u{9b}2J\u{9d}0;title\u{9c}\u{85}next line",
    "admin\u{202e}fdp.exe\u{202c} \u{2066}isolate\u{2069} \u{200e}\u{200f}\u{61c}",
    "zero\u{200b}width\u{200c}\u{200d}\u{2060}\u{2061}\u{2064}\u{feff}\u{180e}\u{ad}",
    "tags\u{e0001}\u{e0041}\u{e007f} selectors\u{fe0f}\u{e0100}",
    "line\u{2028}forged line\u{2029}forged paragraph\r\n*Forged*",
    "<!channel> @here <https://evil.example|click> `code` &amp;",
    "",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_cut_and_say_so_within_the_cap() {
        assert_eq!(cap("short", 10), "short");
        let long = "x".repeat(200_000);
        let capped = cap(&long, TEXT_CHARS);
        assert!(capped.chars().count() <= TEXT_CHARS);
        assert!(capped.ends_with(" more characters]"), "{capped}");
        assert!(capped.starts_with("xxxx"));
        assert_eq!(cap("abcdef", 2), "ab");
    }

    #[test]
    fn forbidden_characters_are_kept_visible_not_raw() {
        assert_eq!(
            cap("a\u{1b}]8;;x\u{7}b\u{202e}", 100),
            "a\\u{1b}]8;;x\\u{7}b\\u{202e}"
        );
        assert!(!is_forbidden('é') && !is_forbidden('*') && !is_forbidden(' '));
        for c in [
            '\0',
            '\u{85}',
            '\u{2028}',
            '\u{200b}',
            '\u{e0041}',
            '\u{fe0f}',
            '\u{61c}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
    }

    #[test]
    fn the_hostile_corpus_keeps_nothing_raw_when_capped() {
        for text in HOSTILE_CORPUS {
            let kept = cap(text, 40);
            assert!(!kept.chars().any(is_forbidden), "{kept:?}");
            assert!(kept.chars().count() <= 40);
        }
    }

    #[test]
    fn lists_keep_their_head_and_count_the_rest() {
        let names: Vec<String> = (0..5_000).map(|i| format!("n{i}.example.com")).collect();
        let kept = cap_names(&names, SHOWN_ITEMS);
        assert_eq!(kept.len(), SHOWN_ITEMS + 1);
        assert_eq!(kept[0], "n0.example.com");
        assert_eq!(kept[SHOWN_ITEMS], "… and 4980 more");
        assert_eq!(cap_names(["a"], 1), ["a"]);
        let again = cap_names(cap_names(&names, KEPT_NAMES), SHOWN_ITEMS);
        assert_eq!(
            again[SHOWN_ITEMS], "… and 4980 more",
            "an earlier cut is counted"
        );
    }
}
