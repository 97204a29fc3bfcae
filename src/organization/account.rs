//! One account's sweep, summarised for the organization digest: an [`AccountResult`] from the
//! account's report, and the Map item's output that carries it.

use std::collections::BTreeMap;

use super::{
    Account, AccountResult, AccountStatus, FailingDistribution, FindingLine,
    MAX_CODES_PER_DISTRIBUTION, MAX_FAILING_PER_ACCOUNT,
};
use crate::catalogue::Code;
use crate::finding::{Finding, Severity};
use crate::notify::ACCOUNT_DISTRIBUTION_ID;
use crate::report::Report;
use crate::untrusted::cap as clip;

/// Longest `problem` sentence kept.
const MAX_PROBLEM_CHARS: usize = 600;

/// Longest distribution label kept.
const MAX_LABEL_CHARS: usize = 120;

impl AccountResult {
    /// The result of `account`'s sweep from its `report`: the failing distributions (findings at or
    /// above `minimum`), worst first. `unreadable`: why the account could not be read at all (its
    /// member role), which makes it `failed`; an `audit-incomplete` finding makes it `incomplete`.
    pub fn from_report(
        account: &Account,
        report: &Report,
        minimum: Severity,
        unreadable: Option<&str>,
        report_key: Option<String>,
    ) -> AccountResult {
        let incomplete = report
            .findings
            .iter()
            .find(|f| f.code == Code::AuditIncomplete);
        let (status, problem) = match (unreadable, incomplete) {
            (Some(why), _) => (AccountStatus::Failed, Some(clip(why, MAX_PROBLEM_CHARS))),
            (None, Some(finding)) => (
                AccountStatus::Incomplete,
                Some(clip(&finding.message, MAX_PROBLEM_CHARS)),
            ),
            (None, None) => (AccountStatus::Audited, None),
        };
        let mut by_distribution: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        // An account not read at all has only its read failure, which `problem` already says.
        let judged = report
            .findings
            .iter()
            .filter(|_| unreadable.is_none())
            .filter(|f| f.severity >= minimum);
        for finding in judged {
            let id = finding
                .distribution_id
                .as_deref()
                .unwrap_or(ACCOUNT_DISTRIBUTION_ID);
            by_distribution.entry(id).or_default().push(finding);
        }
        let mut failing: Vec<FailingDistribution> = by_distribution
            .into_iter()
            .map(|(id, mut findings)| {
                findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
                let worst = findings.first().map_or(minimum, |f| f.severity);
                let mut lines: Vec<FindingLine> = Vec::new();
                for finding in &findings {
                    let line = FindingLine {
                        code: finding.code.as_str().to_owned(),
                        severity: finding.severity,
                    };
                    if !lines.contains(&line) {
                        lines.push(line);
                    }
                }
                let more_findings = lines.len().saturating_sub(MAX_CODES_PER_DISTRIBUTION);
                lines.truncate(MAX_CODES_PER_DISTRIBUTION);
                FailingDistribution {
                    distribution_id: id.to_owned(),
                    label: report
                        .distribution_labels
                        .get(id)
                        .map(|label| clip(label, MAX_LABEL_CHARS))
                        .unwrap_or_default(),
                    worst,
                    findings: lines,
                    more_findings,
                }
            })
            .collect();
        failing.sort_by(|a, b| {
            b.worst
                .cmp(&a.worst)
                .then_with(|| a.distribution_id.cmp(&b.distribution_id))
        });
        let more_failing = failing.len().saturating_sub(MAX_FAILING_PER_ACCOUNT);
        failing.truncate(MAX_FAILING_PER_ACCOUNT);
        AccountResult {
            account_id: account.account_id.clone(),
            account_name: account.name.clone(),
            status,
            summary: report.summary(),
            failing,
            more_failing,
            problem,
            report_key,
        }
    }
}

/// Most bytes of a Map item's output. Step Functions refuses a state output over 256 KiB with
/// `States.DataLimitExceeded`, which no retrier or catcher matches: the item would fail although
/// its accounts were swept.
pub const MAX_ITEM_OUTPUT_BYTES: usize = 200 * 1024;

/// The Map item's output for `results` (`single`: an operator's one account, answered with its
/// result alone, else `{"accounts":[…]}`). Every result whole when they fit
/// [`MAX_ITEM_OUTPUT_BYTES`]; else each without its failing list, counted in `more_failing`, and
/// `"trimmed": true`. Nothing is lost: BuildDigest reads each whole result from the bucket.
pub fn item_output(mut results: Vec<AccountResult>, single: bool) -> serde_json::Value {
    let render = |results: &[AccountResult], trimmed: bool| match (single, results.first()) {
        (true, Some(result)) => serde_json::to_value(result).unwrap_or_default(),
        _ if trimmed => serde_json::json!({ "accounts": results, "trimmed": true }),
        _ => serde_json::json!({ "accounts": results }),
    };
    let whole = render(&results, false);
    if serde_json::to_vec(&whole).map_or(usize::MAX, |bytes| bytes.len()) <= MAX_ITEM_OUTPUT_BYTES {
        return whole;
    }
    for result in &mut results {
        result.more_failing += result.failing.len();
        result.failing.clear();
    }
    render(&results, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Summary;

    /// An account result as large as the types allow: 200 failing distributions of 8 findings.
    fn largest(account_id: &str) -> AccountResult {
        let failing = (0..MAX_FAILING_PER_ACCOUNT)
            .map(|d| FailingDistribution {
                distribution_id: format!("E{d:013}"),
                label: "x".repeat(MAX_LABEL_CHARS),
                worst: Severity::High,
                findings: (0..MAX_CODES_PER_DISTRIBUTION)
                    .map(|_| FindingLine {
                        code: "origin-cert-chain-incomplete".to_owned(),
                        severity: Severity::High,
                    })
                    .collect(),
                more_findings: 3,
            })
            .collect();
        AccountResult {
            account_id: account_id.to_owned(),
            account_name: "a".repeat(50),
            status: AccountStatus::Audited,
            summary: Summary::default(),
            failing,
            more_failing: 7,
            problem: None,
            report_key: Some(format!("sweeps/e/reports/{account_id}.json")),
        }
    }

    fn size(value: &serde_json::Value) -> usize {
        serde_json::to_vec(value).map_or(usize::MAX, |bytes| bytes.len())
    }

    #[test]
    fn a_batch_output_that_fits_carries_every_result_whole() {
        let results = vec![largest("111111111111")];
        let output = item_output(results.clone(), false);
        assert_eq!(
            output["accounts"][0]["failing"].as_array().map(Vec::len),
            Some(200)
        );
        assert!(output.get("trimmed").is_none());
        let single = item_output(results, true);
        assert_eq!(single["account_id"], "111111111111");
        assert_eq!(single["failing"].as_array().map(Vec::len), Some(200));
    }

    #[test]
    fn a_batch_of_the_largest_results_is_trimmed_under_step_functions_limit_counting_what_it_drops()
    {
        let results: Vec<AccountResult> = (0..5)
            .map(|n| largest(&format!("{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}")))
            .collect();
        let whole = serde_json::json!({ "accounts": &results });
        assert!(
            size(&whole) > 256 * 1024,
            "the case is real: {} bytes",
            size(&whole)
        );
        let output = item_output(results, false);
        assert!(
            size(&output) <= MAX_ITEM_OUTPUT_BYTES,
            "{} bytes",
            size(&output)
        );
        assert_eq!(output["trimmed"], true);
        let accounts = output["accounts"].as_array().cloned().unwrap_or_default();
        assert_eq!(accounts.len(), 5, "every account is still in the output");
        for account in accounts {
            assert_eq!(account["failing"], serde_json::json!([]));
            assert_eq!(account["more_failing"], 207);
        }
    }
}
