//! `docs/findings.md` is generated from the catalogue; this test fails when the two drift.

#[test]
fn docs_findings_md_matches_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == cloudfront_tls_audit::catalogue::render_markdown(),
        "docs/findings.md is stale: run `make docs` (cargo run -- catalogue > docs/findings.md) and commit it"
    );
}

#[test]
fn every_code_has_a_section_a_newcomer_can_search_for() {
    let markdown = cloudfront_tls_audit::catalogue::render_markdown();
    for code in cloudfront_tls_audit::catalogue::Code::ALL {
        assert!(markdown.contains(&format!("### {code}\n")), "{code}");
    }
}
