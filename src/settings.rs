//! Every tunable of an audit, once: its default, its range, and how the lab inputs (trust anchors,
//! name overrides, an endpoint) are loaded and noted. The CLI's flags and the Lambda's environment
//! variables both read from here, so the two entry points cannot drift.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::probe::{ConnectTo, ResolveOverride};
use crate::report::Note;
use crate::rules::ExpiryThresholds;
use crate::x509::{parse_der, pem_to_der, CertificateParseError};

/// A whole-number setting: its default and the values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded {
    /// Used when the setting is not given.
    pub default: u64,
    /// The smallest accepted value.
    pub min: u64,
    /// The largest accepted value.
    pub max: u64,
}

impl Bounded {
    /// The accepted values, for clap's ranged parsers and for checks.
    pub const fn range(&self) -> RangeInclusive<u64> {
        self.min..=self.max
    }

    /// Whether `value` is accepted.
    pub fn accepts(&self, value: u64) -> bool {
        self.range().contains(&value)
    }
}

/// Seconds allowed for one probe: resolution, connections and handshakes (`--timeout`,
/// `PROBE_TIMEOUT_SECONDS`).
pub const PROBE_TIMEOUT_SECONDS: Bounded = Bounded {
    default: 10,
    min: 1,
    max: 120,
};

/// Handshakes in flight at once (`--probe-concurrency`, `PROBE_CONCURRENCY`).
pub const PROBE_CONCURRENCY: Bounded = Bounded {
    default: 16,
    min: 1,
    max: 512,
};

/// Most bytes read from a server per connection before the probe gives up.
pub const PROBE_BYTE_BUDGET: usize = 256 * 1024;

/// No new work starts, and no AWS read runs, this close to the Lambda's deadline
/// (`SWEEP_SAFETY_MARGIN_SECONDS`).
pub const SWEEP_SAFETY_MARGIN_SECONDS: Bounded = Bounded {
    default: 60,
    min: 0,
    max: 600,
};

/// Delay of an edge re-check (`FOLLOW_UP_DELAY_SECONDS`); 900 s is SQS's longest delay.
pub const FOLLOW_UP_DELAY_SECONDS: Bounded = Bounded {
    default: 300,
    min: 0,
    max: 900,
};

/// Edge re-checks before giving up (`FOLLOW_UP_MAX_ATTEMPTS`).
pub const FOLLOW_UP_MAX_ATTEMPTS: Bounded = Bounded {
    default: 6,
    min: 1,
    max: 50,
};

/// Days a resolved finding's record (and an expired suppression) stays in the state table before
/// DynamoDB's TTL deletes it (`RESOLVED_RETENTION_DAYS`): long enough for a finding that comes back to
/// be told apart from a new one, and for the history to answer "when was this fixed?".
pub const RESOLVED_RETENTION_DAYS: Bounded = Bounded {
    default: 90,
    min: 1,
    max: 3650,
};

/// When a sweep publishes its digest (`DIGEST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestMode {
    /// Every sweep publishes a digest, changed or not.
    Always,
    /// A sweep publishes a digest only when something changed since the last one (a finding new,
    /// escalated or resolved), and on the heartbeat day ([`HEARTBEAT_DAY`]) whatever happened, so
    /// that silence stays meaningful. Without state every sweep is a change (every finding is new).
    #[default]
    OnChange,
}

impl DigestMode {
    /// The setting's value as written (`always`, `on-change`).
    pub fn as_str(self) -> &'static str {
        match self {
            DigestMode::Always => "always",
            DigestMode::OnChange => "on-change",
        }
    }
}

impl std::str::FromStr for DigestMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "always" => Ok(DigestMode::Always),
            "on-change" | "on_change" | "onchange" => Ok(DigestMode::OnChange),
            _ => Err("always or on-change".to_owned()),
        }
    }
}

/// The weekday (UTC) on which a sweep publishes its digest even when nothing changed
/// (`HEARTBEAT_DAY`, default Monday; `none` switches the heartbeat off). Decided from the sweep's own
/// time alone, so it needs no state: with the daily schedule, one "still watching" digest a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatDay(pub Option<time::Weekday>);

impl Default for HeartbeatDay {
    fn default() -> Self {
        HeartbeatDay(Some(time::Weekday::Monday))
    }
}

impl HeartbeatDay {
    /// Whether a sweep at `now` is a heartbeat sweep.
    pub fn is(self, now: time::OffsetDateTime) -> bool {
        self.0
            .is_some_and(|day| now.to_offset(time::UtcOffset::UTC).weekday() == day)
    }
}

impl std::str::FromStr for HeartbeatDay {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        use time::Weekday::*;
        let day = match value.trim().to_ascii_lowercase().as_str() {
            "none" | "never" | "off" => return Ok(HeartbeatDay(None)),
            "monday" | "mon" => Monday,
            "tuesday" | "tue" => Tuesday,
            "wednesday" | "wed" => Wednesday,
            "thursday" | "thu" => Thursday,
            "friday" | "fri" => Friday,
            "saturday" | "sat" => Saturday,
            "sunday" | "sun" => Sunday,
            _ => return Err("a weekday (monday to sunday) or none".to_owned()),
        };
        Ok(HeartbeatDay(Some(day)))
    }
}

/// Days after which a still-open critical or high finding is sent again as a reminder
/// (`REMIND_AFTER_DAYS`): the state's reconcile marks it `Transition::Reminder` when it was last
/// notified (or, never notified, first seen) at least this long ago.
pub const REMIND_AFTER_DAYS: Bounded = Bounded {
    default: 7,
    min: 1,
    max: 365,
};

/// Whether event-driven notifications list the pre-existing findings that did not change in full
/// (`NOTIFY_UNCHANGED`); by default they are one line counting them.
pub const NOTIFY_UNCHANGED_DEFAULT: bool = false;

/// Any fixed expiry threshold, in days (the defaults are [`ExpiryThresholds::default`]): the
/// `VIEWER_EXPIRY_*_DAYS` and `ORIGIN_EXPIRY_*_DAYS` caps of the lifetime-relative thresholds.
pub const EXPIRY_DAYS: RangeInclusive<u64> = 1..=365;

/// `MANAGED_RENEWAL_OVERDUE_DAYS`: days left on a 395-day ACM certificate at which its renewal is
/// overdue, scaled to shorter lifetimes. Below ACM's 60: a larger value would report certificates ACM
/// has not started renewing.
pub const MANAGED_RENEWAL_OVERDUE_DAYS: Bounded = Bounded {
    default: 30,
    min: 1,
    max: 59,
};

/// `EXPIRY_MEDIUM_PERCENT`: a certificate renewed by hand is medium in this last share of its
/// lifetime (`--expiry-medium-percent`).
pub const EXPIRY_MEDIUM_PERCENT: Bounded = Bounded {
    default: 33,
    min: 1,
    max: 100,
};

/// `EXPIRY_HIGH_PERCENT`: high in this last share of the lifetime (`--expiry-high-percent`).
pub const EXPIRY_HIGH_PERCENT: Bounded = Bounded {
    default: 10,
    min: 1,
    max: 100,
};

/// `EXPIRY_CRITICAL_DAYS`: any certificate is critical in its last this-many days
/// (`--expiry-critical-days`).
pub const EXPIRY_CRITICAL_DAYS: Bounded = Bounded {
    default: 3,
    min: 0,
    max: 30,
};

/// `EXPIRY_MEDIUM_FLOOR_DAYS`: a certificate renewed by hand is medium at least this many days
/// before expiry, however short its lifetime (`--expiry-medium-floor-days`; 0: no floor).
pub const EXPIRY_MEDIUM_FLOOR_DAYS: Bounded = Bounded {
    default: 7,
    min: 0,
    max: 365,
};

/// `EXPIRY_HIGH_FLOOR_DAYS`: high at least this many days before expiry
/// (`--expiry-high-floor-days`; 0: no floor).
pub const EXPIRY_HIGH_FLOOR_DAYS: Bounded = Bounded {
    default: 3,
    min: 0,
    max: 365,
};

/// Expiry thresholds that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ThresholdError {
    /// A high threshold above its medium one would hide the medium window.
    #[error(
        "the {which} high threshold ({high} days) is above its medium threshold ({medium} days): \
         make it at most {medium}"
    )]
    HighAboveMedium {
        /// `viewer` or `origin`.
        which: &'static str,
        /// The high threshold.
        high: i64,
        /// The medium threshold.
        medium: i64,
    },
    /// The high share of the lifetime is larger than the medium one.
    #[error(
        "the high share of the lifetime ({high} %) is above the medium share ({medium} %): make it \
         at most {medium}"
    )]
    HighPercentAboveMedium {
        /// `EXPIRY_HIGH_PERCENT`.
        high: i64,
        /// `EXPIRY_MEDIUM_PERCENT`.
        medium: i64,
    },
    /// A floor ("never later than") above its cap ("never earlier than") leaves no window.
    #[error(
        "the {which} floor ({floor} days) is above the {which} threshold it bounds ({cap} days): \
         lower the floor or raise the threshold"
    )]
    FloorAboveThreshold {
        /// `viewer medium`, `origin high`…
        which: &'static str,
        /// The floor.
        floor: i64,
        /// The threshold.
        cap: i64,
    },
}

impl ThresholdError {
    /// The environment variable to fix (the Lambda names it in its error).
    pub fn variable(&self) -> &'static str {
        match self {
            ThresholdError::HighAboveMedium {
                which: "viewer", ..
            } => "VIEWER_EXPIRY_HIGH_DAYS",
            ThresholdError::HighAboveMedium { .. } => "ORIGIN_EXPIRY_HIGH_DAYS",
            ThresholdError::HighPercentAboveMedium { .. } => "EXPIRY_HIGH_PERCENT",
            ThresholdError::FloorAboveThreshold { which, .. } if which.ends_with("medium") => {
                "EXPIRY_MEDIUM_FLOOR_DAYS"
            }
            ThresholdError::FloorAboveThreshold { .. } => "EXPIRY_HIGH_FLOOR_DAYS",
        }
    }

    /// The value to fix, as given.
    pub fn value(&self) -> i64 {
        match self {
            ThresholdError::HighAboveMedium { high, .. }
            | ThresholdError::HighPercentAboveMedium { high, .. } => *high,
            ThresholdError::FloorAboveThreshold { floor, .. } => *floor,
        }
    }
}

/// Checks that each high threshold is at most its medium one and each floor at most what it bounds.
pub fn check_thresholds(thresholds: &ExpiryThresholds) -> Result<(), ThresholdError> {
    for (which, high, medium) in [
        (
            "viewer",
            thresholds.viewer_high_days,
            thresholds.viewer_medium_days,
        ),
        (
            "origin",
            thresholds.origin_high_days,
            thresholds.origin_medium_days,
        ),
    ] {
        if high > medium {
            return Err(ThresholdError::HighAboveMedium {
                which,
                high,
                medium,
            });
        }
    }
    if thresholds.high_percent > thresholds.medium_percent {
        return Err(ThresholdError::HighPercentAboveMedium {
            high: thresholds.high_percent,
            medium: thresholds.medium_percent,
        });
    }
    for (which, floor, cap) in [
        (
            "viewer medium",
            thresholds.medium_floor_days,
            thresholds.viewer_medium_days,
        ),
        (
            "origin medium",
            thresholds.medium_floor_days,
            thresholds.origin_medium_days,
        ),
        (
            "viewer high",
            thresholds.high_floor_days,
            thresholds.viewer_high_days,
        ),
        (
            "origin high",
            thresholds.high_floor_days,
            thresholds.origin_high_days,
        ),
    ] {
        if floor > cap {
            return Err(ThresholdError::FloorAboveThreshold { which, floor, cap });
        }
    }
    Ok(())
}

/// Why a trust-anchor file cannot be used.
#[derive(Debug, Error)]
pub enum TrustAnchorError {
    /// The file cannot be read.
    #[error(
        "cannot use trust anchor {path}: {source}. Pass a PEM file holding the CA certificate."
    )]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file holds a malformed PEM block.
    #[error(
        "cannot use trust anchor {path}: {source}. Pass a PEM file holding the CA certificate."
    )]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong with it.
        source: CertificateParseError,
    },
    /// The file holds no certificate at all (an empty file, or a key instead of a certificate).
    #[error(
        "cannot use trust anchor {path}: no PEM certificate in it. Pass a PEM file holding the CA \
         certificate."
    )]
    Empty {
        /// The file.
        path: String,
    },
}

/// Extra roots trusted as if they were public (a lab or test CA), with where each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    /// Every certificate, DER, in file order.
    pub certificates: Vec<Vec<u8>>,
    /// One entry per file: its path and the subjects it holds, for the report's notes.
    pub files: Vec<TrustAnchorFile>,
}

/// One loaded trust-anchor file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchorFile {
    /// The path as given.
    pub path: String,
    /// The subject of each certificate in it (`certificate #N` when unreadable).
    pub subjects: Vec<String>,
}

impl TrustAnchors {
    /// Reads every PEM file; a file without a certificate is refused, not silently ignored.
    pub fn load(paths: &[PathBuf]) -> Result<TrustAnchors, TrustAnchorError> {
        let mut anchors = TrustAnchors::default();
        for path in paths {
            anchors.load_file(path)?;
        }
        Ok(anchors)
    }

    fn load_file(&mut self, path: &Path) -> Result<(), TrustAnchorError> {
        let shown = path.display().to_string();
        let pem = std::fs::read_to_string(path).map_err(|source| TrustAnchorError::Read {
            path: shown.clone(),
            source,
        })?;
        let ders = pem_to_der(&pem).map_err(|source| TrustAnchorError::Malformed {
            path: shown.clone(),
            source,
        })?;
        if ders.is_empty() {
            return Err(TrustAnchorError::Empty { path: shown });
        }
        let subjects = ders
            .iter()
            .enumerate()
            .map(|(i, der)| {
                parse_der(i, der)
                    .map(|d| d.subject)
                    .unwrap_or_else(|_| format!("certificate #{i}"))
            })
            .collect();
        self.files.push(TrustAnchorFile {
            path: shown,
            subjects,
        });
        self.certificates.extend(ders);
        Ok(())
    }
}

/// Inputs that bend the audit for a lab or a test: every one is an explicit input, and every one is
/// noted in the report (never a hidden global).
#[derive(Debug, Clone, Default)]
pub struct LabInputs {
    /// Every AWS call goes here (an emulator).
    pub endpoint_url: Option<String>,
    /// `--resolve` / `CLOUDFRONT_TLS_AUDIT_RESOLVE`.
    pub resolve: Vec<ResolveOverride>,
    /// `--connect-to` / `CLOUDFRONT_TLS_AUDIT_CONNECT_TO`.
    pub connect_to: Vec<ConnectTo>,
    /// `--trust-anchor` / `CLOUDFRONT_TLS_AUDIT_TRUST_ANCHOR`, loaded.
    pub trust_anchors: TrustAnchors,
}

impl LabInputs {
    /// The note for the endpoint override, when there is one.
    pub fn endpoint_note(&self) -> Option<Note> {
        self.endpoint_url
            .clone()
            .map(|url| Note::EndpointOverride { url })
    }

    /// One note per probe-side lab input: trust anchors, then `--connect-to`, then `--resolve`.
    pub fn probe_notes(&self) -> Vec<Note> {
        let anchors = self
            .trust_anchors
            .files
            .iter()
            .map(|file| Note::TrustAnchor {
                subjects: file.subjects.clone(),
                path: file.path.clone(),
            });
        let connect_to = self.connect_to.iter().map(|c| Note::ConnectTo {
            host: c.host.clone(),
            port: c.port,
            to: c.to,
        });
        let resolve = self.resolve.iter().map(|r| Note::Resolve {
            host: r.host.clone(),
            port: r.port,
            addresses: r.addresses.to_vec(),
        });
        anchors.chain(connect_to).chain(resolve).collect()
    }
}

// AWS calls (src/aws.rs): every client of the crate (CloudFront, ACM, IAM, SNS, SQS) uses these.

/// Seconds to open a connection to an AWS endpoint (`--aws-connect-timeout`,
/// `AWS_CONNECT_TIMEOUT_SECONDS`).
pub const AWS_CONNECT_TIMEOUT_SECONDS: Bounded = Bounded {
    default: 3,
    min: 1,
    max: 60,
};

/// Seconds one attempt of an AWS call may take, answer included (`--aws-attempt-timeout`,
/// `AWS_ATTEMPT_TIMEOUT_SECONDS`); also the time allowed for the first byte of the answer.
pub const AWS_ATTEMPT_TIMEOUT_SECONDS: Bounded = Bounded {
    default: 10,
    min: 1,
    max: 300,
};

/// Seconds one AWS call may take with all its retries (`--aws-operation-timeout`,
/// `AWS_OPERATION_TIMEOUT_SECONDS`). In the Lambda a call also ends by the invocation's deadline minus
/// `SWEEP_SAFETY_MARGIN_SECONDS`, whichever comes first.
pub const AWS_OPERATION_TIMEOUT_SECONDS: Bounded = Bounded {
    default: 30,
    min: 1,
    max: 900,
};

/// Attempts per AWS call, the first included (`--aws-max-attempts`, `AWS_MAX_ATTEMPTS`, the SDKs'
/// own name for it): throttling, 5xx answers, timeouts and broken answers are retried.
pub const AWS_MAX_ATTEMPTS: Bounded = Bounded {
    default: 3,
    min: 1,
    max: 10,
};

/// Milliseconds of the first retry's backoff, which doubles after each retry up to 20 s, with full
/// jitter (`--aws-retry-backoff-ms`, `AWS_RETRY_BACKOFF_MILLISECONDS`).
pub const AWS_RETRY_BACKOFF_MILLISECONDS: Bounded = Bounded {
    default: 1000,
    min: 1,
    max: 20_000,
};

/// The longest backoff between two attempts (the SDK's standard retry policy caps it at 20 s too).
pub const AWS_MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(20);

/// AWS deadlines that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AwsTimeoutError {
    /// The operation timeout would end every call during its first attempt.
    #[error(
        "the operation timeout ({operation} s) must be at least the attempt timeout ({attempt} s): \
         raise the operation timeout or lower the attempt timeout"
    )]
    OperationShorterThanAttempt {
        /// Seconds, operation.
        operation: u64,
        /// Seconds, attempt.
        attempt: u64,
    },
}

/// Checks that the operation timeout leaves room for at least one whole attempt.
pub fn check_aws_timeouts(timeouts: &crate::aws::AwsTimeouts) -> Result<(), AwsTimeoutError> {
    if timeouts.operation < timeouts.attempt {
        return Err(AwsTimeoutError::OperationShorterThanAttempt {
            operation: timeouts.operation.as_secs(),
            attempt: timeouts.attempt.as_secs(),
        });
    }
    Ok(())
}

/// A read is not started with less than this left before its deadline: it could not finish, and
/// saying so at once leaves the time to publish.
pub const AWS_MIN_TIME_FOR_A_CALL: std::time::Duration = std::time::Duration::from_millis(500);

/// The system's resolver configuration, read by the probes' resolver (hickory) once per run.
pub const SYSTEM_RESOLV_CONF: &str = "/etc/resolv.conf";

/// Lab and test input: space-separated `ADDR:PORT` nameservers the probes use instead of
/// [`SYSTEM_RESOLV_CONF`] (whose nameservers are always on port 53). Read by both entry points,
/// through `ProbeSettings::default`; every DNS failure names the nameservers it asked.
pub const NAMESERVERS_ENV: &str = "CLOUDFRONT_TLS_AUDIT_NAMESERVERS";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_pem_file_is_refused_not_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "").expect("write");
        let error = TrustAnchors::load(&[path]).expect_err("refused");
        assert!(matches!(error, TrustAnchorError::Empty { .. }), "{error}");
        assert!(error.to_string().contains("no PEM certificate in it"));
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let error = TrustAnchors::load(&[PathBuf::from("/nonexistent/root.pem")]).expect_err("no");
        assert!(error
            .to_string()
            .starts_with("cannot use trust anchor /nonexistent/root.pem"));
    }

    #[test]
    fn a_high_threshold_above_its_medium_one_is_refused() {
        let thresholds = ExpiryThresholds {
            origin_high_days: 40,
            ..ExpiryThresholds::default()
        };
        assert_eq!(
            check_thresholds(&thresholds),
            Err(ThresholdError::HighAboveMedium {
                which: "origin",
                high: 40,
                medium: 30
            })
        );
        assert_eq!(check_thresholds(&ExpiryThresholds::default()), Ok(()));
    }

    #[test]
    fn digest_and_heartbeat_settings_read_their_documented_values() {
        assert_eq!("on-change".parse(), Ok(DigestMode::OnChange));
        assert_eq!("ALWAYS".parse(), Ok(DigestMode::Always));
        assert!("weekly".parse::<DigestMode>().is_err());
        assert_eq!(DigestMode::default(), DigestMode::OnChange);
        assert_eq!(
            "Friday".parse(),
            Ok(HeartbeatDay(Some(time::Weekday::Friday)))
        );
        assert_eq!("none".parse(), Ok(HeartbeatDay(None)));
        assert!("someday".parse::<HeartbeatDay>().is_err());
        // 2026-03-02 is a Monday, the default heartbeat day; the day is taken in UTC.
        let monday = time::macros::datetime!(2026-03-02 06:00 UTC);
        assert!(HeartbeatDay::default().is(monday));
        assert!(!HeartbeatDay::default().is(monday + time::Duration::days(1)));
        // Sunday 22:00 in New York is Monday 03:00 UTC.
        assert!(HeartbeatDay::default().is(time::macros::datetime!(2026-03-01 22:00 -05:00)));
        assert!(!HeartbeatDay(None).is(monday));
        assert!(REMIND_AFTER_DAYS.accepts(7) && !REMIND_AFTER_DAYS.accepts(0));
    }

    #[test]
    fn bounded_settings_accept_their_range_only() {
        assert!(PROBE_CONCURRENCY.accepts(PROBE_CONCURRENCY.default));
        assert!(!PROBE_CONCURRENCY.accepts(0) && !PROBE_CONCURRENCY.accepts(513));
        assert!(SWEEP_SAFETY_MARGIN_SECONDS.accepts(0));
    }
}
