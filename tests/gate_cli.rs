//! `check-config` as the pre-deploy gate, the real binary on the fixtures of tests/fixtures/gate/
//! (a SAM template, a `cdk synth` output, a Terraform plan with a child module): every planted
//! defect at its line or address, clean distributions quiet, unresolved values reported, and
//! `--offline` making no network call at all.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use support::cli::json;
use support::seed::request_acm;
use support::Emulator;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gate");

fn gate(file: &str, extra: &[&str], endpoint: Option<&str>) -> Output {
    // Port 9 of loopback (nothing listens) unless the test gives its own endpoint.
    gate_files(&[&format!("{FIXTURES}/{file}")], extra, endpoint)
}

fn gate_files(files: &[&str], extra: &[&str], endpoint: Option<&str>) -> Output {
    support::cli::command_at(endpoint.unwrap_or("http://127.0.0.1:9"))
        .arg("check-config")
        .args(files)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("the CLI runs")
}

/// (code, resource, line) of every finding.
fn placed(output: &Output) -> Vec<(String, String, Option<u64>)> {
    placed_in(output)
        .into_iter()
        .map(|(_, code, resource, line)| (code, resource, line))
        .collect()
}

/// (file, code, resource, line) of every finding.
fn placed_in(output: &Output) -> Vec<(String, String, String, Option<u64>)> {
    json(output)["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["location"]["file"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["location"]["resource"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["location"]["line"].as_u64(),
            )
        })
        .collect()
}

fn has(
    found: &[(String, String, Option<u64>)],
    code: &str,
    resource: &str,
    line: Option<u64>,
) -> bool {
    found
        .iter()
        .any(|(c, r, l)| c == code && r == resource && (line.is_none() || *l == line))
}

#[test]
fn a_sam_template_has_each_planted_defect_on_its_line_and_its_clean_distribution_quiet() {
    let output = gate(
        "sam-template.yaml",
        &[
            "--offline",
            "--region",
            "us-east-1",
            "--parameters",
            &format!("{FIXTURES}/sam-parameters.json"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = placed(&output);
    for (code, resource, line) in [
        (
            "viewer-default-cert-with-aliases",
            "DefaultCertificateDistribution",
            196,
        ),
        ("viewer-alias-not-covered", "UncoveredAliasDistribution", 80),
        ("viewer-cert-wrong-region", "WrongRegionDistribution", 103),
        ("viewer-http-allowed", "AllowAllDistribution", 166),
        ("origin-http-only", "HttpOnlyOriginDistribution", 143),
        (
            "origin-deprecated-protocols",
            "DeprecatedOriginDistribution",
            126,
        ),
        (
            "config-value-unresolved",
            "ImportedCertificateDistribution",
            176,
        ),
    ] {
        assert!(
            has(&found, code, resource, Some(line)),
            "{code} {resource}:{line} in {found:#?}"
        );
    }
    assert!(
        !found.iter().any(|(_, r, _)| r == "CleanDistribution"),
        "{found:#?}"
    );
}

#[test]
fn a_template_without_its_region_says_the_certificates_region_was_not_checked() {
    let output = gate("sam-template.yaml", &["--offline"], None);
    let found = placed(&output);
    assert!(
        has(&found, "config-value-unresolved", "SiteCertificate", None),
        "{found:#?}"
    );
    // Without the parameters file, the parameter without a default is unresolved, not a pass.
    assert!(has(
        &found,
        "config-value-unresolved",
        "WrongRegionDistribution",
        Some(103)
    ));
}

#[test]
fn a_cdk_synth_output_has_each_planted_defect_on_its_line() {
    let output = gate(
        "cdk-synth.template.json",
        &["--offline", "--region", "us-east-1"],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = placed(&output);
    for (code, resource, line) in [
        ("viewer-alias-not-covered", "ShopDistributionC1A2B3D4", 131),
        ("viewer-http-allowed", "DownloadsDistribution8B9C0D1E", 230),
        (
            "origin-deprecated-protocols",
            "LegacyDistribution0E5F6A7B",
            203,
        ),
    ] {
        assert!(
            has(&found, code, resource, Some(line)),
            "{code} {resource}:{line} in {found:#?}"
        );
    }
}

#[test]
fn a_terraform_plan_has_each_planted_defect_at_its_address() {
    let output = gate("terraform-plan.json", &["--offline"], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = placed(&output);
    for (code, resource) in [
        (
            "viewer-default-cert-with-aliases",
            "aws_cloudfront_distribution.preview",
        ),
        (
            "viewer-cert-wrong-region",
            "aws_cloudfront_distribution.shop",
        ),
        (
            "viewer-alias-not-covered",
            "module.cdn.aws_cloudfront_distribution.site",
        ),
        ("viewer-http-allowed", "aws_cloudfront_distribution.legacy"),
        (
            "origin-http-only",
            "module.cdn.aws_cloudfront_distribution.api[0]",
        ),
        (
            "origin-deprecated-protocols",
            "aws_cloudfront_distribution.legacy",
        ),
        (
            "config-value-unresolved",
            "aws_cloudfront_distribution.imported",
        ),
    ] {
        assert!(
            has(&found, code, resource, None),
            "{code} {resource} in {found:#?}"
        );
    }
}

/// A loopback endpoint that answers every request with a 500 and counts the connections.
fn failing_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (format!("http://{address}"), connections)
}

#[test]
fn offline_makes_no_network_call_where_a_live_check_would() {
    let (endpoint, connections) = failing_endpoint();
    let offline = gate("terraform-plan.json", &["--offline"], Some(&endpoint));
    assert_eq!(offline.status.code(), Some(1), "{offline:?}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "--offline reached the endpoint"
    );
    let report: Value = json(&offline);
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));

    // The same plan without --offline reads its literal certificate ARN: the endpoint is used.
    let live = gate("terraform-plan.json", &["--no-probe"], Some(&endpoint));
    assert!(connections.load(Ordering::SeqCst) > 0, "{live:?}");
    let found = placed(&live);
    assert!(
        has(
            &found,
            "audit-incomplete",
            "aws_cloudfront_distribution.legacy",
            None
        ),
        "{found:#?}"
    );
}

#[test]
fn detection_reads_each_kind_and_a_forced_kind_that_does_not_fit_is_an_error() {
    let forced = gate(
        "terraform-plan.json",
        &["--offline", "--input-format", "cloudformation"],
        None,
    );
    assert_eq!(forced.status.code(), Some(2), "{forced:?}");
    assert!(!forced.stderr.is_empty());
}

#[tokio::test]
async fn a_certificate_arn_given_through_a_parameter_is_read_from_acm_and_judged_on_its_line() {
    let emulator = Emulator::start();
    // RequestCertificate in the emulator stays PENDING_VALIDATION, and covers one name only.
    let arn = request_acm(&emulator.acm(), "shop.example.com", &[]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  CertificateArn:
    Type: String
Resources:
  ShopDistribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Aliases:
          - shop.example.com
          - www.shop.example.com
        ViewerCertificate:
          AcmCertificateArn: !Ref CertificateArn
          SslSupportMethod: sni-only
          MinimumProtocolVersion: TLSv1.2_2021
        Origins:
          - Id: web
            DomainName: origin.example.com
            CustomOriginConfig:
              OriginProtocolPolicy: https-only
              OriginSSLProtocols: [TLSv1.2]
        DefaultCacheBehavior:
          TargetOriginId: web
          ViewerProtocolPolicy: redirect-to-https
          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
",
    )
    .expect("template written");
    let parameters = dir.path().join("parameters.json");
    std::fs::write(
        &parameters,
        format!(r#"[{{"ParameterKey":"CertificateArn","ParameterValue":"{arn}"}}]"#),
    )
    .expect("parameters written");
    let template = template.display().to_string();
    let parameters = parameters.display().to_string();
    let output = gate_files(
        &[&template],
        &["--no-probe", "--parameters", &parameters],
        Some(&emulator.endpoint_url()),
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = placed(&output);
    // The status comes from DescribeCertificate, on the ARN's line; the uncovered alias on its own.
    assert!(
        has(
            &found,
            "viewer-cert-not-issued",
            "ShopDistribution",
            Some(15)
        ),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "viewer-alias-not-covered",
            "ShopDistribution",
            Some(13)
        ),
        "{found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|(code, _, _)| code == "config-value-unresolved"),
        "the ARN was known: {found:#?}"
    );
}

#[test]
fn several_files_give_one_report_each_finding_in_its_own_file() {
    let sam = format!("{FIXTURES}/sam-template.yaml");
    let plan = format!("{FIXTURES}/terraform-plan.json");
    let output = gate_files(
        &[&sam, &plan],
        &["--offline", "--region", "us-east-1"],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = placed_in(&output);
    assert!(found.iter().any(|(file, code, resource, line)| file == &sam
        && code == "viewer-alias-not-covered"
        && resource == "UncoveredAliasDistribution"
        && *line == Some(80)));
    assert!(found.iter().any(|(file, code, resource, _)| file == &plan
        && code == "viewer-cert-wrong-region"
        && resource == "aws_cloudfront_distribution.shop"));
    // Each note once, however many files.
    let report = json(&output);
    let notes = report["notes"].as_array().cloned().unwrap_or_default();
    let mut unique = notes.clone();
    unique.dedup();
    assert_eq!(notes.len(), unique.len(), "{notes:#?}");
}

/// One input of tests/fixtures/gate/cases/ (written by a hostile review, each a class of real
/// input): how the gate must end and what it must, and must not, report.
struct Case {
    file: &'static str,
    args: &'static [&'static str],
    exit: i32,
    /// (code, resource, line) that must be reported.
    found: &'static [(&'static str, &'static str, Option<u64>)],
    /// Codes that must not be reported at all.
    absent: &'static [&'static str],
}

const CASES: &[Case] = &[
    // YAML merge keys bring their entries in; the distribution's own keys win.
    Case {
        file: "cfn04-merge-viewer.yaml",
        args: &[],
        exit: 1,
        found: &[("viewer-cert-wrong-region", "Distribution", Some(5))],
        absent: &["viewer-default-cert-with-aliases"],
    },
    Case {
        file: "cfn03-merge-keys.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("viewer-default-cert-with-aliases", "Distribution", Some(6)),
            ("viewer-http-allowed", "Distribution", Some(10)),
        ],
        absent: &[],
    },
    // The legacy single origin is judged like any origin, on its own lines.
    Case {
        file: "cfn07-legacy-origins.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("viewer-alias-not-covered", "Legacy", Some(14)),
            ("origin-http-only", "Legacy", Some(21)),
            ("viewer-http-allowed", "Legacy", Some(25)),
        ],
        absent: &[],
    },
    // A computed function ARN is unresolved, not missing: the distribution is still judged.
    Case {
        file: "cfn08-origins-full.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("origin-deprecated-protocols", "Distribution", Some(48)),
            ("origin-http-only", "Distribution", Some(55)),
            ("viewer-http-allowed", "Distribution", Some(87)),
            ("config-value-unresolved", "Distribution", Some(80)),
        ],
        absent: &[],
    },
    Case {
        file: "cfn31-vpc-origin-getatt.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("audit-not-covered", "D", Some(20)),
            ("config-value-unresolved", "D", Some(23)),
        ],
        absent: &[],
    },
    // A certificate whose Condition is unknown is still judged on the names it writes.
    Case {
        file: "cfn18-cond-certs.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("viewer-alias-not-covered", "ProdSite", Some(47)),
            ("config-value-unresolved", "ProdCert", Some(25)),
        ],
        absent: &[],
    },
    // Fn::ForEach is not expanded, and says so; the rest of the template is read.
    Case {
        file: "cfn21-langext.yaml",
        args: &[],
        exit: 1,
        found: &[
            ("viewer-default-cert-with-aliases", "Distribution", Some(18)),
            ("config-value-unresolved", "Fn::ForEach::Buckets", Some(27)),
        ],
        absent: &[],
    },
    // The key a declared certificate asks ACM for is known before it exists.
    Case {
        file: "cfn24-cert-props.yaml",
        args: &[],
        exit: 1,
        found: &[("viewer-cert-key-unsupported", "A", Some(19))],
        absent: &[],
    },
    // An ARN built with !Sub whose region is written (or resolved) is judged on it.
    Case {
        file: "cfn27-sub-arn-accountid.yaml",
        args: &["--region", "eu-west-1"],
        exit: 1,
        found: &[
            ("viewer-cert-wrong-region", "D", Some(13)),
            ("viewer-cert-wrong-region", "E", Some(25)),
        ],
        absent: &[],
    },
    Case {
        file: "vc-f-iam.yaml",
        args: &[],
        exit: 1,
        found: &[("config-value-unresolved", "D", Some(9))],
        absent: &[],
    },
    Case {
        file: "vc-i-bogus-policy.yaml",
        args: &[],
        exit: 1,
        found: &[("viewer-tls-policy-invalid", "D", Some(11))],
        absent: &[],
    },
    // Viewer TLS settings a condition chooses: unresolved, never missing.
    Case {
        file: "cfn33-unknown-tls-settings.yaml",
        args: &[],
        exit: 0,
        found: &[
            ("config-value-unresolved", "Site", Some(17)),
            ("config-value-unresolved", "Site", Some(18)),
        ],
        absent: &["viewer-tls-policy-invalid"],
    },
    // A logical id with an invisible character: its findings keep their lines.
    Case {
        file: "cfn16-unicode.yaml",
        args: &[],
        exit: 1,
        found: &[(
            "viewer-http-allowed",
            "Distribuci\u{f3}n\\u{200b}",
            Some(10),
        )],
        absent: &[],
    },
    // Clean: the newest policies, aliases built with !Sub.
    Case {
        file: "vc-h-2025.yaml",
        args: &[],
        exit: 0,
        found: &[],
        absent: &["viewer-tls-policy-invalid", "viewer-tls-policy-outdated"],
    },
    Case {
        file: "cfn01-clean-sub-aliases.yaml",
        args: &[],
        exit: 0,
        found: &[],
        absent: &["viewer-alias-not-covered"],
    },
    // Terraform: an instance of a counted or for_each distribution finds the one certificate.
    Case {
        file: "tf02-module-inherited-provider.json",
        args: &[],
        exit: 1,
        found: &[
            (
                "viewer-cert-wrong-region",
                "module.cdn[\"prod\"].aws_cloudfront_distribution.site[\"www\"]",
                None,
            ),
            (
                "viewer-alias-not-covered",
                "module.cdn[\"prod\"].aws_cloudfront_distribution.site[\"www\"]",
                None,
            ),
        ],
        absent: &[],
    },
    Case {
        file: "tf20-count-dist-single-cert.json",
        args: &[],
        exit: 1,
        found: &[(
            "viewer-alias-not-covered",
            "aws_cloudfront_distribution.site[0]",
            None,
        )],
        absent: &[],
    },
    // A certificate the plan describes under its known ARN is judged offline.
    Case {
        file: "tf05-noop-known-arn.json",
        args: &[],
        exit: 1,
        found: &[(
            "viewer-alias-not-covered",
            "aws_cloudfront_distribution.site",
            None,
        )],
        absent: &[],
    },
    // A provider without a region: the reader says why, once; no template advice.
    Case {
        file: "tf14-provider-no-region.json",
        args: &[],
        exit: 1,
        found: &[(
            "config-value-unresolved",
            "aws_cloudfront_distribution.site",
            None,
        )],
        absent: &[],
    },
    // The whole viewer_certificate known after apply: never the default certificate, never
    // missing fields.
    Case {
        file: "tf21-viewer-certificate-unknown.json",
        args: &[],
        exit: 1,
        found: &[
            (
                "viewer-alias-not-covered",
                "aws_cloudfront_distribution.site",
                None,
            ),
            (
                "config-value-unresolved",
                "aws_cloudfront_distribution.site",
                None,
            ),
        ],
        absent: &[
            "viewer-tls-policy-invalid",
            "viewer-default-cert-with-aliases",
        ],
    },
    // resource_changes naming what planned_values lacks: read from `after`, else reported.
    Case {
        file: "tf15-p384-stale-change.json",
        args: &[],
        exit: 1,
        found: &[
            (
                "viewer-cert-key-unsupported",
                "aws_cloudfront_distribution.site[0]",
                None,
            ),
            (
                "config-value-unresolved",
                "module.cdn[\"prod\"].aws_cloudfront_distribution.site[\"www\"]",
                None,
            ),
        ],
        absent: &[],
    },
    Case {
        file: "tf19-planned-empty.json",
        args: &[],
        exit: 0,
        found: &[(
            "config-value-unresolved",
            "aws_cloudfront_distribution.site",
            None,
        )],
        absent: &[],
    },
];

#[test]
fn each_class_of_real_input_is_judged_and_placed() {
    for case in CASES {
        let file = format!("cases/{}", case.file);
        let mut args = vec!["--offline"];
        args.extend(case.args);
        if !case.args.contains(&"--region") {
            args.extend(["--region", "us-east-1"]);
        }
        let output = gate(&file, &args, None);
        assert_eq!(
            output.status.code(),
            Some(case.exit),
            "{}: {output:?}",
            case.file
        );
        let found = placed(&output);
        for (code, resource, line) in case.found {
            assert!(
                has(&found, code, resource, *line),
                "{}: {code} {resource}:{line:?} in {found:#?}",
                case.file
            );
        }
        for code in case.absent {
            assert!(
                !found.iter().any(|(c, _, _)| c == code),
                "{}: {code} in {found:#?}",
                case.file
            );
        }
        // A plan has no region of its own to pass: no finding says to pass one.
        if case.file.starts_with("tf") {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(!text.contains("pass --region"), "{}: {text}", case.file);
        }
    }
}

#[test]
fn inputs_that_cannot_be_judged_say_why_in_one_line_naming_the_file_once() {
    for (file, says) in [
        ("tf18-state.json", "a state"),
        ("h09-deep.yaml", "nested deeper than 64 levels"),
    ] {
        let output = gate(&format!("cases/{file}"), &["--offline"], None);
        assert_eq!(output.status.code(), Some(2), "{file}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert_eq!(stderr.matches(file).count(), 1, "{file}: {stderr}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("template.yaml");
    std::fs::write(&empty, "\n  \n").expect("written");
    let output = gate_files(&[&empty.display().to_string()], &["--offline"], None);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("is empty"));
}

/// Every file of tests/fixtures/gate/hostile/ (empty, garbage, arrays, null and mistyped values
/// throughout a plan, duplicate keys, a billion laughs): exit 0, 1 or 2, never a panic, and a
/// refusal says what is wrong in one line naming the file once.
#[test]
fn hostile_templates_and_plans_are_judged_or_refused_never_a_panic() {
    let dir = std::path::Path::new(FIXTURES).join("hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("hostile fixtures")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let output = gate_files(&[&file.display().to_string()], &["--offline"], None);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match output.status.code() {
            Some(0 | 1) => {
                let _ = json(&output);
            }
            Some(2) => {
                assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
                assert_eq!(stderr.matches(name.as_str()).count(), 1, "{name}: {stderr}");
            }
            other => panic!("{name}: exit {other:?}: {stderr}"),
        }
    }
}
