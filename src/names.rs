//! Host-name matching as CloudFront applies it to certificates: case-insensitive, trailing dot ignored,
//! a wildcard covering exactly one whole left-most label.

/// Lower-cases a DNS name and drops one trailing dot, so `API.Example.com.` equals `api.example.com`.
pub fn normalise(name: &str) -> String {
    trimmed(name).to_ascii_lowercase()
}

/// True when the certificate name `pattern` (a SAN, or the CN when there are no SANs) covers `host`.
///
/// `*.example.com` covers `a.example.com`, but neither `example.com` nor `a.b.example.com`. A wildcard
/// host (a wildcard alias such as `*.example.com`) is covered only by the same wildcard: CloudFront
/// requires the certificate to list it. Partial-label wildcards (`a*.example.com`) match literally only.
pub fn covers(pattern: &str, host: &str) -> bool {
    // Compared in place, case-insensitively: this runs for every alias against every name of its
    // certificate, so it allocates nothing.
    let pattern = trimmed(pattern);
    let host = trimmed(host);
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    if host.starts_with("*.") {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(parent) if !parent.is_empty() => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(parent)),
        _ => false,
    }
}

/// A name without surrounding white space and its trailing dot: [`normalise`] without the copy.
fn trimmed(name: &str) -> &str {
    let name = name.trim();
    name.strip_suffix('.').unwrap_or(name)
}

/// True when any of `patterns` covers `host`.
pub fn any_covers<'a>(patterns: impl IntoIterator<Item = &'a str>, host: &str) -> bool {
    patterns.into_iter().any(|pattern| covers(pattern, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_exactly_one_label() {
        let cases = [
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "a.b.example.com", false),
            ("*.example.com", ".example.com", false),
            ("*.example.com", "a.example.org", false),
            ("*.b.example.com", "a.b.example.com", true),
        ];
        for (pattern, host, expected) in cases {
            assert_eq!(covers(pattern, host), expected, "{pattern} vs {host}");
        }
    }

    #[test]
    fn matching_ignores_case_and_one_trailing_dot() {
        assert!(covers("API.Example.COM", "api.example.com."));
        assert!(covers("*.EXAMPLE.com.", "Www.example.com"));
    }

    #[test]
    fn a_wildcard_alias_needs_the_same_wildcard_in_the_certificate() {
        assert!(covers("*.example.com", "*.example.com"));
        assert!(!covers("*.com", "*.example.com"));
        assert!(!covers("a.example.com", "*.example.com"));
    }

    #[test]
    fn exact_names_and_partial_wildcards_match_literally() {
        assert!(covers("example.com", "example.com"));
        assert!(!covers("example.com", "www.example.com"));
        assert!(!covers("a*.example.com", "ab.example.com"));
        assert!(!covers("*", "localhost"));
        assert!(!covers("", ""));
    }
}
