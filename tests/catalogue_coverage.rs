//! The catalogue keeps itself honest: every code is produced by some test, every rule file's
//! `//! Codes:` header says what the file emits, and every cause static belongs to exactly one entry.
//!
//! These read the sources (the catalogue, the rules, the tests) as tokens, so they are indifferent to
//! formatting and never mistake a code inside a comment or a string for code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cloudfront_tls_audit::catalogue::Code;

/// One lexical token of Rust source; what these checks need and no more.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An identifier or keyword.
    Ident(String),
    /// The contents of a string literal (escapes left as written).
    Str(String),
    /// One punctuation character; `::` is two of them.
    Punct(char),
}

/// Splits Rust source into tokens, dropping whitespace, comments, numbers, char literals and lifetimes.
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            out.push(Token::Str(
                chars[start..i.min(chars.len())].iter().collect(),
            ));
            i += 1;
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && raw_string_start(&chars, i) {
            // r"..." or r#"..."#: no escapes, ends at a quote followed by as many hashes.
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            let start = i + 2 + hashes;
            let mut end = start;
            while end < chars.len()
                && !(chars[end] == '"'
                    && chars[end + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes)
            {
                end += 1;
            }
            out.push(Token::Str(
                chars[start..end.min(chars.len())].iter().collect(),
            ));
            i = end + 1 + hashes;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{7f}') or a lifetime ('a): neither matters here.
            match (next, chars.get(i + 2)) {
                (Some('\\'), _) => {
                    // Past the backslash and the escaped character, then to the closing quote.
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                }
                (Some(_), Some('\'')) => i += 3,
                _ => i += 1,
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// Whether `r` at `i` opens a raw string rather than ending an identifier like `for`.
fn raw_string_start(chars: &[char], i: usize) -> bool {
    let after_hashes = chars[i + 1..].iter().find(|&&h| h != '#');
    let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    starts_word && after_hashes == Some(&'"')
}

fn ident(token: Option<&Token>) -> Option<&str> {
    match token {
        Some(Token::Ident(name)) => Some(name),
        _ => None,
    }
}

fn is_punct(token: Option<&Token>, wanted: char) -> bool {
    token == Some(&Token::Punct(wanted))
}

/// The index just past the item that starts at `start`: its `;`, or the `}` closing its first `{`.
fn item_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(start) {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Token::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// Splits a source file's tokens into (code, test code): test code is every item under `#[cfg(test)]`.
fn split_test_items(tokens: &[Token]) -> (Vec<Token>, Vec<Token>) {
    const CFG_TEST: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut code = Vec::new();
    let mut test = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let is_cfg_test = CFG_TEST
            .iter()
            .enumerate()
            .all(|(k, wanted)| match tokens.get(i + k) {
                Some(Token::Ident(name)) => name == wanted,
                Some(Token::Punct(p)) => wanted.len() == 1 && wanted.starts_with(*p),
                _ => false,
            });
        if is_cfg_test {
            let end = item_end(tokens, i + CFG_TEST.len());
            test.extend_from_slice(&tokens[i..end]);
            i = end;
        } else {
            code.push(tokens[i].clone());
            i += 1;
        }
    }
    (code, test)
}

/// Every `Code::Variant` path in `tokens`, as the variant's name.
fn code_paths(tokens: &[Token]) -> BTreeSet<String> {
    tokens
        .windows(4)
        .filter(|w| {
            ident(w.first()) == Some("Code") && is_punct(w.get(1), ':') && is_punct(w.get(2), ':')
        })
        .filter_map(|w| ident(w.get(3)).map(str::to_owned))
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn code_named(variant: &str) -> Option<Code> {
    Code::ALL
        .into_iter()
        .find(|code| format!("{code:?}") == variant)
}

/// What the catalogue sources declare: each cause static with the code its initialiser names, and
/// each entry static with the cause statics it lists.
struct Declared {
    causes: BTreeMap<String, Code>,
    entries: BTreeMap<String, Vec<String>>,
}

fn declared() -> Declared {
    let mut declared = Declared {
        causes: BTreeMap::new(),
        entries: BTreeMap::new(),
    };
    for path in rust_files(&root().join("src/catalogue")) {
        let tokens = tokens(&read(&path));
        for i in 0..tokens.len() {
            // `static NAME: Cause = ...;` or `static NAME: Entry = ...;`
            if ident(tokens.get(i)) != Some("static") || !is_punct(tokens.get(i + 2), ':') {
                continue;
            }
            let (Some(name), Some(kind)) = (ident(tokens.get(i + 1)), ident(tokens.get(i + 3)))
            else {
                continue;
            };
            let item = &tokens[i..item_end(&tokens, i)];
            match kind {
                "Cause" => {
                    let variants = code_paths(item);
                    assert_eq!(
                        variants.len(),
                        1,
                        "{name} in {} should name exactly one Code::Variant (its code), names {variants:?}",
                        path.display()
                    );
                    let variant = variants.first().map(String::as_str).unwrap_or_default();
                    let code = code_named(variant).unwrap_or_else(|| {
                        panic!("{name} names Code::{variant}, which is not a code")
                    });
                    declared.causes.insert(name.to_owned(), code);
                }
                "Entry" => {
                    let listed = item
                        .windows(4)
                        .position(|w| {
                            ident(w.first()) == Some("causes")
                                && is_punct(w.get(1), ':')
                                && is_punct(w.get(2), '&')
                                && is_punct(w.get(3), '[')
                        })
                        .map(|at| {
                            item[at + 4..]
                                .iter()
                                .take_while(|t| !is_punct(Some(t), ']'))
                                .filter_map(|t| ident(Some(t)).map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_else(|| panic!("entry {name} has no `causes: &[...]` list"));
                    declared.entries.insert(name.to_owned(), listed);
                }
                _ => {}
            }
        }
    }
    declared
}

#[test]
fn every_cause_static_belongs_to_exactly_one_entry() {
    let declared = declared();
    let mut owners: BTreeMap<&str, Vec<&str>> = declared
        .causes
        .keys()
        .map(|cause| (cause.as_str(), Vec::new()))
        .collect();
    for (entry, causes) in &declared.entries {
        for cause in causes {
            owners
                .get_mut(cause.as_str())
                .unwrap_or_else(|| {
                    panic!("entry {entry} lists {cause}, which is not a cause static")
                })
                .push(entry);
        }
    }
    let wrong: Vec<String> = owners
        .iter()
        .filter(|(_, entries)| entries.len() != 1)
        .map(|(cause, entries)| format!("{cause} is listed by {entries:?}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "every cause must be listed by exactly one entry's `causes`: {wrong:#?}"
    );
    // The scan must see what the program sees: as many cause statics as distinct causes reachable
    // from Code::ALL, or some cause is declared in a way the checks above cannot read.
    let reachable: BTreeSet<*const _> = Code::ALL
        .into_iter()
        .flat_map(|code| code.entry().causes.iter().map(|c| *c as *const _))
        .collect();
    assert_eq!(reachable.len(), declared.causes.len());
    assert_eq!(declared.entries.len(), Code::ALL.len());
}

#[test]
fn every_code_in_the_catalogue_is_produced_by_some_test() {
    let mut asserted = BTreeSet::new();
    let test_sources = rust_files(&root().join("tests"));
    let src_sources = rust_files(&root().join("src"));
    let catalogue = root().join("src/catalogue");
    for path in test_sources.iter().chain(&src_sources) {
        if path.starts_with(&catalogue) {
            continue;
        }
        let all = tokens(&read(path));
        // Under tests/ everything is test code; under src/ only what `#[cfg(test)]` guards.
        let test = if path.starts_with(root().join("tests")) {
            all
        } else {
            split_test_items(&all).1
        };
        for token in &test {
            if let Token::Str(text) = token {
                asserted.extend(Code::from_id(text));
            }
        }
        asserted.extend(code_paths(&test).iter().filter_map(|v| code_named(v)));
    }
    let missing: Vec<&str> = Code::ALL
        .into_iter()
        .filter(|code| !asserted.contains(code))
        .map(Code::as_str)
        .collect();
    assert!(
        missing.is_empty(),
        "no test asserts these codes; add a test that produces each finding and checks its code: {missing:?}"
    );
}

/// The codes a rule file's `//! Codes:` header lists: backticked, up to the header's first blank line.
fn header_codes(source: &str) -> Option<BTreeSet<String>> {
    let header: Vec<&str> = source
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .collect();
    let start = header
        .iter()
        .position(|line| line.trim_start().starts_with("Codes:"))?;
    let text: String = header[start..]
        .iter()
        .take_while(|line| !line.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Some(
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn a_rule_files_codes_header_lists_what_it_emits() {
    let causes = declared().causes;
    let mut drift = Vec::new();
    for path in rust_files(&root().join("src/rules")) {
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if file == "mod.rs" || file == "fixtures.rs" {
            continue;
        }
        let source = read(&path);
        let Some(listed) = header_codes(&source) else {
            drift.push(format!("{file} has no `//! Codes:` header"));
            continue;
        };
        let (code, _) = split_test_items(&tokens(&source));
        let emitted: BTreeSet<String> = code
            .iter()
            .filter_map(|t| ident(Some(t)))
            .filter_map(|name| causes.get(name))
            .map(|code| code.as_str().to_owned())
            .collect();
        for missing in emitted.difference(&listed) {
            drift.push(format!("{file} emits `{missing}` but its header omits it"));
        }
        for extra in listed.difference(&emitted) {
            drift.push(format!(
                "{file}'s header lists `{extra}` but the file names none of its causes"
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "fix the `//! Codes:` headers in src/rules/: {drift:#?}"
    );
}

#[test]
fn the_tokenizer_skips_comments_strings_and_test_items() {
    let source = r##"
        // Code::InComment
        const A: &str = "Code::InString {";
        const B: char = '{';
        fn f<'a>(x: &'a str) -> &'a str { x }
        static RAW: &str = r#"Code::InRaw }"#;
        fn g() { Code::InCode; }
        #[cfg(test)]
        mod tests { fn t() { Code::InTest; } }
        fn h() { Code::AfterTests; }
    "##;
    let (code, test) = split_test_items(&tokens(source));
    assert_eq!(
        code_paths(&code).into_iter().collect::<Vec<_>>(),
        ["AfterTests", "InCode"]
    );
    assert_eq!(
        code_paths(&test).into_iter().collect::<Vec<_>>(),
        ["InTest"]
    );
}
