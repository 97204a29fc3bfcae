//! One account's sweep, summarised for the organization digest: an [`AccountResult`] from the
//! account's report.

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
