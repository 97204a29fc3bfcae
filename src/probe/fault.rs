//! Whose failure is it: the origin's answer, or this machine's?
//!
//! A socket error is a verdict on the origin only when the origin (or the network in front of it)
//! produced it. Running out of descriptors, buffers or local ports says nothing about the origin, and
//! blaming it would page someone with a false 502. The decision reads `io::ErrorKind` only, so it is
//! the same on every platform; the raw `errno` (Linux numbering) only names the error in evidence.
//!
//! | errno                  | `io::ErrorKind`        | whose    | why                                              |
//! |------------------------|------------------------|----------|--------------------------------------------------|
//! | ECONNREFUSED           | `ConnectionRefused`    | origin   | the origin's host answered RST: nothing listens  |
//! | ECONNRESET             | `ConnectionReset`      | origin   | the origin (or its firewall) reset the stream    |
//! | ECONNABORTED           | `ConnectionAborted`    | origin   | the connection was aborted by the peer           |
//! | EHOSTUNREACH, EHOSTDOWN| `HostUnreachable`, raw | origin   | an ICMP answer: no route to the origin's host    |
//! | ENETUNREACH            | `NetworkUnreachable`   | origin   | an ICMP answer: no route to the origin's network |
//! | ETIMEDOUT              | `TimedOut`             | origin   | the kernel's SYN retries got no answer           |
//! | EPIPE, ENOTCONN, EOF   | `BrokenPipe`, ...      | origin   | the origin closed the connection under us        |
//! | EMFILE, ENFILE         | (uncategorised)        | local    | this process / system is out of descriptors      |
//! | ENOBUFS, ENOMEM        | `OutOfMemory`, raw     | local    | this kernel is out of socket buffers or memory   |
//! | EADDRNOTAVAIL          | `AddrNotAvailable`     | local    | no local port or source address is free          |
//! | EADDRINUSE             | `AddrInUse`            | local    | the local port is taken                          |
//! | EAGAIN                 | `WouldBlock`           | local    | the kernel's routing cache or ports ran out      |
//! | ENETDOWN               | `NetworkDown`          | local    | this machine's interface is down                 |
//! | EACCES, EPERM          | `PermissionDenied`     | local    | a local firewall rule or policy refused it       |
//! | EAFNOSUPPORT, EINVAL   | `Unsupported`, ...     | local    | this machine cannot use that address (no IPv6)   |
//! | anything else          | anything else          | local    | not known to be the origin's answer: not judged  |
//!
//! The last row is deliberate: only a closed list of errors is the origin's answer. An error not on it
//! becomes `audit-incomplete` (the origin is not audited, and the report says so), never a verdict.

use std::io;
use std::net::SocketAddr;

use crate::tls::{LocalFault, LocalOperation};

/// Linux `errno` names for the errors this module meets, for evidence.
const ERRNO_NAMES: &[(i32, &str)] = &[
    (1, "EPERM"),
    (4, "EINTR"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (32, "EPIPE"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (107, "ENOTCONN"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
];

/// EHOSTDOWN has no `io::ErrorKind` of its own; like EHOSTUNREACH it reports an ICMP answer.
#[cfg(target_os = "linux")]
const EHOSTDOWN: i32 = 112;

/// True when `error` is the origin's (or its network's) answer, per the table above.
pub(crate) fn is_origin_answer(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    #[cfg(target_os = "linux")]
    if error.raw_os_error() == Some(EHOSTDOWN) {
        return true;
    }
    matches!(
        error.kind(),
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | HostUnreachable
            | NetworkUnreachable
            | TimedOut
            | BrokenPipe
            | NotConnected
            | UnexpectedEof
    )
}

/// The local fault `error` is, or `None` when it is the origin's answer.
pub(crate) fn local_fault(
    error: &io::Error,
    operation: LocalOperation,
    address: Option<SocketAddr>,
) -> Option<LocalFault> {
    if is_origin_answer(error) {
        return None;
    }
    Some(LocalFault {
        operation,
        address,
        error: error_name(error),
        detail: error.to_string(),
    })
}

/// `EMFILE` (from the raw errno, on Linux), else the error kind (`OutOfMemory`).
pub(crate) fn error_name(error: &io::Error) -> String {
    let known = if cfg!(target_os = "linux") {
        error
            .raw_os_error()
            .and_then(|raw| ERRNO_NAMES.iter().find(|(n, _)| *n == raw))
            .map(|(_, name)| (*name).to_owned())
    } else {
        None
    };
    known.unwrap_or_else(|| match error.raw_os_error() {
        Some(raw) => format!("errno {raw}"),
        None => format!("{:?}", error.kind()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(errno: i32) -> io::Error {
        io::Error::from_raw_os_error(errno)
    }

    #[test]
    fn the_origins_answers_are_a_closed_list() {
        for kind in [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::HostUnreachable,
            io::ErrorKind::NetworkUnreachable,
            io::ErrorKind::TimedOut,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert!(is_origin_answer(&io::Error::from(kind)), "{kind:?}");
        }
        for kind in [
            io::ErrorKind::OutOfMemory,
            io::ErrorKind::AddrNotAvailable,
            io::ErrorKind::AddrInUse,
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::Other,
        ] {
            assert!(!is_origin_answer(&io::Error::from(kind)), "{kind:?}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn resource_errors_are_local_and_named_by_their_errno() {
        for (errno, name) in [
            (24, "EMFILE"),
            (23, "ENFILE"),
            (105, "ENOBUFS"),
            (12, "ENOMEM"),
            (99, "EADDRNOTAVAIL"),
            (98, "EADDRINUSE"),
            (97, "EAFNOSUPPORT"),
            (100, "ENETDOWN"),
        ] {
            let address = "192.0.2.1:443".parse().ok();
            let fault = local_fault(&raw(errno), LocalOperation::Connect, address)
                .unwrap_or_else(|| panic!("{name} is local"));
            assert_eq!(fault.error, name);
            assert_eq!(fault.address, address);
            assert!(!fault.detail.is_empty());
        }
        for errno in [111, 104, 113, 101, 110, 112] {
            assert!(
                local_fault(&raw(errno), LocalOperation::Connect, None).is_none(),
                "errno {errno} is the origin's answer"
            );
        }
    }

    #[test]
    fn an_error_without_an_errno_is_named_by_its_kind() {
        let error = io::Error::other("something odd");
        let fault = local_fault(&error, LocalOperation::Receive, None).expect("not the origin's");
        assert_eq!(fault.error, "Other");
        assert_eq!(fault.detail, "something odd");
    }
}
