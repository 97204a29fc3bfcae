//! The fingerprint's stability promise: a finding's subject never holds what moves while the
//! problem stays the same (days left, dates, counts, addresses, hashes: those are evidence).

use time::Duration;

use super::Fingerprint;
use crate::model::{Certificate, CertificateSource};
use crate::rules::fixtures::{
    healthy_certificate, healthy_distribution, now, snapshot_with_certificate,
};

fn expiring_finding(certificate: Certificate) -> crate::finding::Finding {
    let snapshot = snapshot_with_certificate(vec![healthy_distribution("E1")], certificate);
    let findings = crate::rules::evaluate(&snapshot, now());
    match findings
        .into_iter()
        .find(|f| f.code.as_str() == "viewer-cert-expiring")
    {
        Some(finding) => finding,
        None => panic!("the fixture produces viewer-cert-expiring"),
    }
}

#[test]
fn an_expiry_date_that_moves_is_the_same_finding() {
    let imported = |days: i64| Certificate {
        source: CertificateSource::AcmImported,
        renewal_eligibility: Some("INELIGIBLE".into()),
        not_after: Some(now() + Duration::days(days)),
        ..healthy_certificate()
    };
    let before = expiring_finding(imported(20));
    let after = expiring_finding(imported(9));
    assert_ne!(before.evidence, after.evidence, "the evidence moved");
    assert_ne!(before.severity, after.severity, "and the severity with it");
    assert_eq!(
        Fingerprint::of("111122223333", &before),
        Fingerprint::of("111122223333", &after)
    );
    assert!(!before.subject.contains("2026") && !before.subject.contains("2027"));
}

/// Every `.subject(…)` a rule passes, as source text (test code excluded).
fn subject_arguments() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("src/rules is readable");
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for path in files.into_iter().filter(|p| {
        p.extension().is_some_and(|e| e == "rs")
            && !p.ends_with("fixtures.rs")
            && !p.ends_with("mod.rs")
    }) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            panic!("{} is readable", path.display());
        };
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let name = path.display().to_string();
        let mut rest = code;
        while let Some(start) = rest.find(".subject(") {
            let after = &rest[start + ".subject(".len()..];
            let mut depth = 1;
            let end = after
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(after.len(), |(i, _)| i);
            found.push((name.clone(), after[..end].trim().to_owned()));
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn no_rule_puts_what_moves_in_a_subject() {
    // The rule files emit every code of the catalogue (tests/catalogue_coverage.rs checks their
    // `Codes:` headers), so this covers every code.
    const MOVING: &[&str] = &[
        "days",
        "date",
        "not_after",
        "not_before",
        "now",
        "timestamp",
        "address",
        "serial",
        "sha256",
        "fingerprint",
        "count",
        "len()",
        "bytes",
        "observation",
        "negotiated",
        "evidence",
        "version",
        "cipher",
    ];
    let arguments = subject_arguments();
    assert!(
        arguments.len() >= 15,
        "the scan found the rules: {arguments:?}"
    );
    for (file, argument) in &arguments {
        assert!(!argument.is_empty(), "{file}: an empty subject");
        // Names in the code, not the words of a literal ("…MinimumProtocolVersion" is a field).
        let mut code = String::new();
        for (index, part) in argument.split('"').enumerate() {
            if index % 2 == 0 {
                code.push_str(part);
            }
        }
        let lower = code.to_ascii_lowercase();
        for moving in MOVING {
            assert!(
                !lower.contains(moving),
                "{file}: the subject `{argument}` names `{moving}`, which moves between runs"
            );
        }
    }
}
