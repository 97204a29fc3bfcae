//! The boundaries of docs/architecture.md hold: every grep listed there under "Boundaries" prints
//! nothing. The commands are read from the document itself, so the page and the check cannot drift.

use std::process::Command;

/// The `grep` lines of the first `sh` block after the "Boundaries" heading.
fn boundary_checks() -> Vec<String> {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md"))
            .expect("docs/architecture.md is readable");
    let section = page
        .split("## Boundaries")
        .nth(1)
        .expect("docs/architecture.md has a Boundaries section");
    let block = section
        .split("```sh")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the Boundaries section has an sh block");
    block
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("grep "))
        .map(str::to_owned)
        .collect()
}

/// What a check prints, run by `sh` at the repository root.
fn run(check: &str) -> String {
    let output = Command::new("sh")
        .arg("-c")
        .arg(check)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_boundary_grep_of_the_architecture_page_comes_back_empty() {
    let checks = boundary_checks();
    assert!(
        checks.len() >= 4,
        "the page lists the pure-rules, sockets, AWS-reads and publish boundaries: {checks:?}"
    );
    for check in checks {
        let found = run(&check);
        assert!(
            found.trim().is_empty(),
            "boundary crossed; `{check}` found:\n{found}"
        );
    }
}

#[test]
fn a_crossing_is_caught() {
    // The checks are only worth something if they can fail: the first one, aimed at a file that
    // imports the socket layer, must print it.
    let check = boundary_checks()
        .into_iter()
        .next()
        .expect("at least one check");
    let aimed = check.replace("src/rules src/plan.rs", "src/audit.rs");
    assert!(run(&aimed).contains("crate::probe"), "{aimed}");
}
