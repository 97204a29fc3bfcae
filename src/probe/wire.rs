//! A bounded, incremental reader of the server's first flight (TLS <= 1.2 sends it in clear).
//!
//! Every length on the wire is untrusted: the reader never indexes past what it holds, never waits
//! for more than the byte budget, and consumes each byte once (no re-parsing), so a hostile or broken
//! peer can make it stop early but never panic, loop or allocate beyond the budget.
//!
//! Given what the ClientHello offered ([`FlightReader::offering`]), the reader also ends the flight
//! at a ServerHello extension that was not offered, as a TLS client must (RFC 5246 §7.4.1.4, RFC 8446
//! §4.2): accepting it would be a false "CloudFront would connect". The property tests at the bottom
//! (proptest, fixed seed) feed it arbitrary bytes in arbitrary splits.

use thiserror::Error;

use crate::tls::{HandshakeStage, ProtocolVersion};

const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
const CONTENT_ALERT: u8 = 21;
const CONTENT_HANDSHAKE: u8 = 22;
const CONTENT_APPLICATION_DATA: u8 = 23;

const HS_SERVER_HELLO: u8 = 2;
const HS_CERTIFICATE: u8 = 11;
const HS_CERTIFICATE_REQUEST: u8 = 13;
const HS_SERVER_HELLO_DONE: u8 = 14;

const EXT_SUPPORTED_VERSIONS: u16 = 0x002B;

const WARNING: u8 = 1;
const CLOSE_NOTIFY: u8 = 0;

/// Largest record fragment accepted: 2^14 plus the expansion RFC 5246 §6.2.3 allows.
const MAX_FRAGMENT: usize = (1 << 14) + 2048;

/// The ServerHello random of a TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// What the server's ServerHello chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// The negotiated version (from supported_versions when present, as TLS 1.3 requires).
    pub version: ProtocolVersion,
    /// The chosen cipher suite.
    pub cipher_suite: u16,
    /// A TLS 1.3 HelloRetryRequest: the choice is real, the handshake would continue.
    pub hello_retry: bool,
    /// The extension types it carried, in the order sent (each at most once: a repeat is malformed).
    pub extensions: Vec<u16>,
}

/// The server's first flight, as far as the probe needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFlight {
    /// The ServerHello.
    pub hello: ServerHello,
    /// The Certificate message's DER certificates, in the order sent (empty for TLS 1.3, encrypted).
    pub certificates: Vec<Vec<u8>>,
    /// A CertificateRequest was seen.
    pub certificate_requested: bool,
}

/// Why the bytes are not a TLS server flight.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    /// The first bytes are not a TLS record header (an HTTP server, garbage, SSLv2).
    #[error("not a TLS record header")]
    NotTls,
    /// A record or handshake message is malformed.
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// The result of feeding bytes to a [`FlightReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The flight is not complete yet: read more.
    NeedMore,
    /// ServerHelloDone arrived (or a TLS 1.3 ServerHello, after which everything is encrypted).
    Done(ServerFlight),
    /// The peer sent an alert.
    Alert {
        /// Alert level (1 warning, 2 fatal).
        level: u8,
        /// Alert description.
        description: u8,
    },
    /// The bytes are not TLS, or not a well-formed flight.
    Invalid(WireError),
    /// More bytes than the budget arrived (or were announced) before the flight completed.
    BudgetExceeded,
    /// The ServerHello carried an extension the ClientHello did not offer: a client must abort
    /// (RFC 5246 §7.4.1.4, RFC 8446 §4.2). Only with [`FlightReader::offering`].
    UnsolicitedExtension {
        /// The ServerHello, for evidence (what it chose).
        hello: ServerHello,
        /// The first extension type that was not offered.
        extension: u16,
    },
}

/// Accumulates records and handshake messages until the server's first flight is complete.
#[derive(Debug)]
pub struct FlightReader {
    budget: usize,
    received: usize,
    /// Whole records seen: a non-TLS peer shows itself in the first one.
    records: usize,
    /// Bytes not yet forming a whole record.
    pending: Vec<u8>,
    /// Handshake-layer bytes not yet forming a whole message (messages may span records).
    handshake: Vec<u8>,
    first_bytes: Vec<u8>,
    hello: Option<ServerHello>,
    certificates: Vec<Vec<u8>>,
    certificate_requested: bool,
    /// The extension types the ClientHello offered; `None` accepts any (discovery, tests).
    offered_extensions: Option<Vec<u16>>,
    finished: Option<Step>,
}

impl FlightReader {
    /// A reader that gives up after `budget` bytes.
    pub fn new(budget: usize) -> FlightReader {
        FlightReader {
            budget,
            received: 0,
            records: 0,
            pending: Vec::new(),
            handshake: Vec::new(),
            first_bytes: Vec::new(),
            hello: None,
            certificates: Vec::new(),
            certificate_requested: false,
            offered_extensions: None,
            finished: None,
        }
    }

    /// The same reader, checking the ServerHello's extensions against what the ClientHello
    /// offered: one it did not offer ends the flight with [`Step::UnsolicitedExtension`].
    pub fn offering(mut self, extensions: &[u16]) -> FlightReader {
        self.offered_extensions = Some(extensions.to_vec());
        self
    }

    /// Whole records read so far: a problem in the first one means the peer is not recognisably
    /// TLS; a later one, a TLS peer sending a malformed flight.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Where the handshake stands: before or after the ServerHello.
    pub fn stage(&self) -> HandshakeStage {
        if self.hello.is_some() {
            HandshakeStage::ServerFlight
        } else {
            HandshakeStage::ServerHello
        }
    }

    /// The first bytes received (at most 64), for evidence when the peer is not TLS.
    pub fn first_bytes(&self) -> &[u8] {
        &self.first_bytes
    }

    /// Feeds newly received bytes. Once a final step is returned, later calls return it again.
    pub fn feed(&mut self, data: &[u8]) -> Step {
        if let Some(done) = &self.finished {
            return done.clone();
        }
        let room = 64usize.saturating_sub(self.first_bytes.len());
        self.first_bytes
            .extend_from_slice(&data[..data.len().min(room)]);
        self.received = self.received.saturating_add(data.len());
        if self.received > self.budget {
            return self.finish(Step::BudgetExceeded);
        }
        self.pending.extend_from_slice(data);
        let step = self.drain_records();
        if step != Step::NeedMore {
            return self.finish(step);
        }
        step
    }

    fn finish(&mut self, step: Step) -> Step {
        self.finished = Some(step.clone());
        self.pending = Vec::new();
        self.handshake = Vec::new();
        step
    }

    fn drain_records(&mut self) -> Step {
        let mut at = 0;
        let step = loop {
            let rest = &self.pending[at..];
            if rest.len() < 5 {
                // Even a partial header can be judged: an HTTP answer fails on its first byte.
                if let Some(err) = header_error(rest, self.records == 0) {
                    break Step::Invalid(err);
                }
                break Step::NeedMore;
            }
            if let Some(err) = header_error(&rest[..5], self.records == 0) {
                break Step::Invalid(err);
            }
            let content_type = rest[0];
            let length = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            if length > MAX_FRAGMENT {
                break Step::Invalid(WireError::Malformed("record length"));
            }
            if rest.len() < 5 + length {
                break Step::NeedMore;
            }
            let fragment = rest[5..5 + length].to_vec();
            at += 5 + length;
            self.records += 1;
            let step = self.record(content_type, &fragment);
            if step != Step::NeedMore {
                break step;
            }
        };
        self.pending.drain(..at);
        step
    }

    fn record(&mut self, content_type: u8, fragment: &[u8]) -> Step {
        match content_type {
            CONTENT_ALERT => match fragment {
                // Warnings other than close_notify (say unrecognized_name) do not end an OpenSSL
                // client's handshake, so they do not end CloudFront's either.
                [WARNING, description] if *description != CLOSE_NOTIFY => Step::NeedMore,
                [level, description] => Step::Alert {
                    level: *level,
                    description: *description,
                },
                _ => Step::Invalid(WireError::Malformed("alert")),
            },
            CONTENT_HANDSHAKE if fragment.is_empty() => {
                Step::Invalid(WireError::Malformed("empty handshake record"))
            }
            CONTENT_HANDSHAKE => {
                self.handshake.extend_from_slice(fragment);
                self.drain_handshake()
            }
            // A TLS 1.3 middlebox-compatibility ChangeCipherSpec carries nothing we need.
            CONTENT_CHANGE_CIPHER_SPEC => Step::NeedMore,
            _ => Step::Invalid(WireError::Malformed(
                "application data before the handshake",
            )),
        }
    }

    fn drain_handshake(&mut self) -> Step {
        let mut at = 0;
        let step = loop {
            let rest = &self.handshake[at..];
            if rest.len() < 4 {
                break Step::NeedMore;
            }
            let kind = rest[0];
            let length =
                (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
            if length > self.budget {
                // It could never arrive within the budget: stop now rather than wait for it.
                break Step::BudgetExceeded;
            }
            if rest.len() < 4 + length {
                break Step::NeedMore;
            }
            let body = rest[4..4 + length].to_vec();
            at += 4 + length;
            let step = self.message(kind, &body);
            if step != Step::NeedMore {
                break step;
            }
        };
        self.handshake.drain(..at.min(self.handshake.len()));
        step
    }

    fn message(&mut self, kind: u8, body: &[u8]) -> Step {
        let Some(hello) = &self.hello else {
            if kind != HS_SERVER_HELLO {
                return Step::Invalid(WireError::Malformed("first message is not a ServerHello"));
            }
            let hello = match parse_server_hello(body) {
                Ok(hello) => hello,
                Err(e) => return Step::Invalid(e),
            };
            self.hello = Some(hello.clone());
            // Checked first: an unsolicited supported_versions must not make the answer TLS 1.3.
            if let Some(extension) = self.unsolicited(&hello) {
                return Step::UnsolicitedExtension { hello, extension };
            }
            return if hello.version == ProtocolVersion::Tls13 || hello.hello_retry {
                Step::Done(self.flight(hello))
            } else {
                Step::NeedMore
            };
        };
        let hello = hello.clone();
        match kind {
            HS_CERTIFICATE => match parse_certificate(body) {
                Ok(certificates) => {
                    self.certificates = certificates;
                    Step::NeedMore
                }
                Err(e) => Step::Invalid(e),
            },
            HS_CERTIFICATE_REQUEST => {
                self.certificate_requested = true;
                Step::NeedMore
            }
            HS_SERVER_HELLO_DONE => Step::Done(self.flight(hello)),
            HS_SERVER_HELLO => Step::Invalid(WireError::Malformed("second ServerHello")),
            // ServerKeyExchange, CertificateStatus, HelloRequest and anything unknown: not needed.
            _ => Step::NeedMore,
        }
    }

    /// The first extension of `hello` the ClientHello did not offer, when offers are checked.
    fn unsolicited(&self, hello: &ServerHello) -> Option<u16> {
        let offered = self.offered_extensions.as_ref()?;
        hello
            .extensions
            .iter()
            .find(|kind| !offered.contains(kind))
            .copied()
    }

    fn flight(&self, hello: ServerHello) -> ServerFlight {
        ServerFlight {
            hello,
            certificates: self.certificates.clone(),
            certificate_requested: self.certificate_requested,
        }
    }
}

/// Checks a (possibly partial) record header. `strict` applies to the very first record, where a
/// non-TLS peer shows itself; later, the same problems are malformed records.
fn header_error(header: &[u8], strict: bool) -> Option<WireError> {
    let bad = |what| {
        Some(if strict {
            WireError::NotTls
        } else {
            WireError::Malformed(what)
        })
    };
    if let Some(&content_type) = header.first() {
        if !matches!(
            content_type,
            CONTENT_CHANGE_CIPHER_SPEC
                | CONTENT_ALERT
                | CONTENT_HANDSHAKE
                | CONTENT_APPLICATION_DATA
        ) {
            return bad("record type");
        }
    }
    if let Some(&major) = header.get(1) {
        if major != 3 {
            return bad("record version");
        }
    }
    if let Some(&minor) = header.get(2) {
        if minor > 4 {
            return bad("record version");
        }
    }
    None
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.data.len() < n {
            return Err(WireError::Malformed(what));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self, what: &'static str) -> Result<usize, WireError> {
        let b = self.take(3, what)?;
        Ok((usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]))
    }
}

/// Parses a ServerHello body.
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, WireError> {
    let mut c = Cursor { data: body };
    let legacy_version = c.u16("ServerHello version")?;
    let random = c.take(32, "ServerHello random")?;
    let session_id_len = usize::from(c.u8("ServerHello session id")?);
    if session_id_len > 32 {
        return Err(WireError::Malformed("ServerHello session id"));
    }
    c.take(session_id_len, "ServerHello session id")?;
    let cipher_suite = c.u16("ServerHello cipher suite")?;
    c.u8("ServerHello compression")?;
    let mut version = legacy_version;
    let mut extensions = Vec::new();
    if !c.data.is_empty() {
        let ext_len = usize::from(c.u16("ServerHello extensions")?);
        let mut exts = Cursor {
            data: c.take(ext_len, "ServerHello extensions")?,
        };
        while !exts.data.is_empty() {
            let kind = exts.u16("extension type")?;
            let len = usize::from(exts.u16("extension length")?);
            let data = exts.take(len, "extension data")?;
            // "There MUST NOT be more than one extension of the same type" (RFC 5246 §7.4.1.4).
            if extensions.contains(&kind) {
                return Err(WireError::Malformed("ServerHello repeats an extension"));
            }
            extensions.push(kind);
            if kind == EXT_SUPPORTED_VERSIONS {
                let mut d = Cursor { data };
                version = d.u16("supported_versions")?;
            }
        }
    }
    let version =
        ProtocolVersion::from_wire(version).ok_or(WireError::Malformed("ServerHello version"))?;
    Ok(ServerHello {
        version,
        cipher_suite,
        hello_retry: random == HELLO_RETRY_RANDOM,
        extensions,
    })
}

/// Parses a TLS <= 1.2 Certificate body into DER certificates.
pub fn parse_certificate(body: &[u8]) -> Result<Vec<Vec<u8>>, WireError> {
    let mut c = Cursor { data: body };
    let total = c.u24("certificate list length")?;
    let mut list = Cursor {
        data: c.take(total, "certificate list")?,
    };
    let mut certificates = Vec::new();
    while !list.data.is_empty() {
        let len = list.u24("certificate length")?;
        certificates.push(list.take(len, "certificate")?.to_vec());
    }
    Ok(certificates)
}

/// Bytes shown as printable ASCII with escapes (`HTTP/1.1 400\r\n`), for evidence.
pub fn escape_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, fragment: &[u8]) -> Vec<u8> {
        let mut out = vec![content_type, 3, 3];
        out.extend_from_slice(&u16::try_from(fragment.len()).unwrap().to_be_bytes());
        out.extend_from_slice(fragment);
        out
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = u32::try_from(body.len()).unwrap().to_be_bytes();
        let mut out = vec![kind, len[1], len[2], len[3]];
        out.extend_from_slice(body);
        out
    }

    fn server_hello(version: u16, suite: u16, extensions: &[u8]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[0x42; 32]);
        body.push(0);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        if !extensions.is_empty() {
            body.extend_from_slice(&u16::try_from(extensions.len()).unwrap().to_be_bytes());
            body.extend_from_slice(extensions);
        }
        message(HS_SERVER_HELLO, &body)
    }

    fn certificate(certs: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for c in certs {
            let len = u32::try_from(c.len()).unwrap().to_be_bytes();
            list.extend_from_slice(&len[1..]);
            list.extend_from_slice(c);
        }
        let len = u32::try_from(list.len()).unwrap().to_be_bytes();
        let mut body = len[1..].to_vec();
        body.extend_from_slice(&list);
        message(HS_CERTIFICATE, &body)
    }

    fn tls12_flight() -> Vec<u8> {
        let mut hs = server_hello(0x0303, 0x002F, &[]);
        hs.extend(certificate(&[b"leaf", b"intermediate"]));
        hs.extend(message(HS_CERTIFICATE_REQUEST, &[0, 0]));
        hs.extend(message(HS_SERVER_HELLO_DONE, &[]));
        record(CONTENT_HANDSHAKE, &hs)
    }

    #[test]
    fn a_whole_flight_in_one_read() {
        let step = FlightReader::new(1 << 18).feed(&tls12_flight());
        let Step::Done(flight) = step else {
            panic!("{step:?}")
        };
        assert_eq!(flight.hello.version, ProtocolVersion::Tls12);
        assert_eq!(flight.hello.cipher_suite, 0x002F);
        assert_eq!(
            flight.certificates,
            vec![b"leaf".to_vec(), b"intermediate".to_vec()]
        );
        assert!(flight.certificate_requested);
    }

    #[test]
    fn byte_by_byte_gives_the_same_answer_and_tracks_the_stage() {
        let bytes = tls12_flight();
        let mut reader = FlightReader::new(1 << 18);
        let mut last = Step::NeedMore;
        for b in &bytes {
            last = reader.feed(std::slice::from_ref(b));
        }
        assert!(matches!(last, Step::Done(_)));
        assert_eq!(reader.stage(), HandshakeStage::ServerFlight);
    }

    #[test]
    fn messages_split_across_records_are_reassembled() {
        let mut hs = server_hello(0x0302, 0xC013, &[]);
        hs.extend(certificate(&[b"leaf"]));
        hs.extend(message(HS_SERVER_HELLO_DONE, &[]));
        let (a, b) = hs.split_at(50);
        let mut bytes = record(CONTENT_HANDSHAKE, a);
        bytes.extend(record(CONTENT_HANDSHAKE, b));
        let Step::Done(flight) = FlightReader::new(1 << 18).feed(&bytes) else {
            panic!("not done")
        };
        assert_eq!(flight.hello.version, ProtocolVersion::Tls11);
        assert_eq!(flight.certificates.len(), 1);
    }

    #[test]
    fn tls13_version_comes_from_supported_versions() {
        let hs = server_hello(0x0303, 0x1301, &[0, 0x2B, 0, 2, 3, 4]);
        let Step::Done(flight) = FlightReader::new(1024).feed(&record(CONTENT_HANDSHAKE, &hs))
        else {
            panic!("not done")
        };
        assert_eq!(flight.hello.version, ProtocolVersion::Tls13);
        assert!(flight.certificates.is_empty());
    }

    #[test]
    fn alerts_are_reported() {
        let step = FlightReader::new(1024).feed(&record(CONTENT_ALERT, &[2, 40]));
        assert_eq!(
            step,
            Step::Alert {
                level: 2,
                description: 40
            }
        );
    }

    #[test]
    fn warning_alerts_other_than_close_notify_are_skipped() {
        let mut bytes = record(CONTENT_ALERT, &[1, 112]);
        bytes.extend(tls12_flight());
        assert!(matches!(
            FlightReader::new(1 << 18).feed(&bytes),
            Step::Done(_)
        ));
        let step = FlightReader::new(1024).feed(&record(CONTENT_ALERT, &[1, 0]));
        assert_eq!(
            step,
            Step::Alert {
                level: 1,
                description: 0
            }
        );
    }

    #[test]
    fn http_is_not_tls_from_the_first_byte() {
        let mut reader = FlightReader::new(1024);
        assert_eq!(reader.feed(b"H"), Step::Invalid(WireError::NotTls));
        assert_eq!(
            reader.feed(b"TTP/1.1 400"),
            Step::Invalid(WireError::NotTls)
        );
        assert_eq!(escape_bytes(reader.first_bytes()), "H");
        assert_eq!(escape_bytes(b"HTTP/1.1 400\r\n"), "HTTP/1.1 400\\r\\n");
    }

    #[test]
    fn truncated_input_needs_more_and_never_panics() {
        let bytes = tls12_flight();
        for cut in 0..bytes.len() {
            let step = FlightReader::new(1 << 18).feed(&bytes[..cut]);
            assert_eq!(step, Step::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn garbage_lengths_are_rejected_without_panicking() {
        // Every single-byte corruption of a valid flight ends in some step, never a panic.
        let bytes = tls12_flight();
        for i in 0..bytes.len() {
            for v in [0u8, 1, 0x7F, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = FlightReader::new(1 << 18).feed(&b);
            }
        }
        let oversized = [CONTENT_HANDSHAKE, 3, 3, 0xFF, 0xFF];
        assert_eq!(
            FlightReader::new(1024).feed(&oversized),
            Step::Invalid(WireError::Malformed("record length"))
        );
    }

    #[test]
    fn random_bytes_in_random_chunks_always_end_within_the_budget() {
        // A tiny deterministic xorshift: reproducible "fuzzing" without a dev-dependency.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..500 {
            let mut reader = FlightReader::new(4096);
            // Half the rounds start like a handshake record, so the parser gets past the header.
            let mut step = if round % 2 == 0 {
                reader.feed(&[CONTENT_HANDSHAKE, 3, 3])
            } else {
                Step::NeedMore
            };
            let mut fed = 0usize;
            while step == Step::NeedMore {
                let len = usize::try_from(next() % 300).unwrap() + 1;
                let chunk: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
                fed += len;
                step = reader.feed(&chunk);
                assert!(fed <= 4096 + 300, "kept reading past the budget");
            }
        }
    }

    #[test]
    fn a_huge_announced_message_or_stream_exceeds_the_budget() {
        let hs = message(HS_SERVER_HELLO, &[]);
        let mut huge = hs[..1].to_vec();
        huge.extend_from_slice(&[0xFF, 0xFF, 0xFF]);
        assert_eq!(
            FlightReader::new(4096).feed(&record(CONTENT_HANDSHAKE, &huge)),
            Step::BudgetExceeded
        );
        let mut reader = FlightReader::new(100);
        let mut step = Step::NeedMore;
        for _ in 0..10 {
            step = reader.feed(&[CONTENT_HANDSHAKE, 3, 3, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0]);
        }
        assert_eq!(step, Step::BudgetExceeded);
    }

    #[test]
    fn an_extension_the_client_did_not_offer_ends_the_flight_at_the_server_hello() {
        // extended_master_secret (offered), then supported_versions = TLS 1.3 (not offered).
        let exts = [0, 0x17, 0, 0, 0, 0x2B, 0, 2, 3, 4];
        let hs = server_hello(0x0303, 0xC02F, &exts);
        let step = FlightReader::new(1 << 18)
            .offering(&[0xFF01, 0x0017])
            .feed(&record(CONTENT_HANDSHAKE, &hs));
        let Step::UnsolicitedExtension { hello, extension } = step else {
            panic!("{step:?}")
        };
        assert_eq!(extension, 0x2B);
        assert_eq!(hello.extensions, vec![0x17, 0x2B]);
        // Without the check (the discovery hello), the same answer is read as TLS 1.3.
        let step = FlightReader::new(1 << 18).feed(&record(CONTENT_HANDSHAKE, &hs));
        assert!(matches!(step, Step::Done(ref f) if f.hello.version == ProtocolVersion::Tls13));
        // Offered extensions pass, and the flight completes as usual.
        let mut ok = server_hello(0x0303, 0xC02F, &[0, 0x17, 0, 0]);
        ok.extend(certificate(&[b"leaf"]));
        ok.extend(message(HS_SERVER_HELLO_DONE, &[]));
        let step = FlightReader::new(1 << 18)
            .offering(&[0x0017])
            .feed(&record(CONTENT_HANDSHAKE, &ok));
        assert!(matches!(step, Step::Done(_)), "{step:?}");
    }

    #[test]
    fn a_repeated_extension_is_malformed() {
        let hs = server_hello(0x0303, 0xC02F, &[0, 0x17, 0, 0, 0, 0x17, 0, 0]);
        assert_eq!(
            FlightReader::new(1024).feed(&record(CONTENT_HANDSHAKE, &hs)),
            Step::Invalid(WireError::Malformed("ServerHello repeats an extension"))
        );
    }

    #[test]
    fn a_first_message_other_than_server_hello_is_malformed() {
        let step = FlightReader::new(1024).feed(&record(
            CONTENT_HANDSHAKE,
            &message(HS_SERVER_HELLO_DONE, &[]),
        ));
        assert!(matches!(step, Step::Invalid(WireError::Malformed(_))));
    }

    /// Property tests over arbitrary input: a fixed seed (reproducible in CI) and stated case counts.
    mod properties {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngSeed};

        use super::*;

        /// Budget of every reader here: small, so floods reach it within a case.
        const BUDGET: usize = 4096;

        fn config(cases: u32) -> Config {
            Config {
                cases,
                rng_seed: RngSeed::Fixed(0x5EED_0010),
                failure_persistence: None,
                ..Config::default()
            }
        }

        /// Feeds `bytes` cut at `cuts` (positions, any order); the step after each feed.
        fn feed_split(reader: &mut FlightReader, bytes: &[u8], cuts: &[usize]) -> Vec<Step> {
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            cuts.push(bytes.len());
            let mut at = 0;
            let mut steps = Vec::new();
            for cut in cuts {
                if let Some(chunk) = bytes.get(at..cut) {
                    steps.push(reader.feed(chunk));
                    at = cut;
                }
            }
            steps
        }

        /// A plausible flight with arbitrary parts: the parser gets past the headers.
        fn flight_like() -> impl Strategy<Value = Vec<u8>> {
            (
                proptest::collection::vec(any::<u8>(), 0..64),
                proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..4),
                proptest::collection::vec(any::<u8>(), 0..16),
            )
                .prop_map(|(exts, certs, tail)| {
                    let mut hs = server_hello(0x0303, 0xC02F, &exts);
                    let certs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
                    hs.extend(certificate(&certs));
                    hs.extend(tail);
                    hs.extend(message(HS_SERVER_HELLO_DONE, &[]));
                    record(CONTENT_HANDSHAKE, &hs)
                })
        }

        /// What every final step owes: certificates within what was fed, the step repeated.
        fn check_bounded(reader: &mut FlightReader, steps: &[Step], fed: usize) {
            let Some(last) = steps.last() else {
                return;
            };
            if let Step::Done(flight) = last {
                let held: usize = flight.certificates.iter().map(Vec::len).sum();
                assert!(held <= fed, "{held} certificate bytes from {fed} fed");
            }
            if *last != Step::NeedMore {
                assert_eq!(&reader.feed(b"more"), last, "a final step is final");
            }
            assert!(reader.first_bytes().len() <= 64);
        }

        proptest! {
            // 2,048 cases: arbitrary bytes, one feed.
            #![proptest_config(config(2048))]
            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..6000)) {
                let mut reader = FlightReader::new(BUDGET).offering(&[0x0017, 0xFF01]);
                let step = reader.feed(&bytes);
                if bytes.len() > BUDGET {
                    prop_assert_eq!(&step, &Step::BudgetExceeded);
                }
                check_bounded(&mut reader, &[step], bytes.len());
            }
        }

        proptest! {
            // 1,024 cases: arbitrary bytes after a handshake record header, arbitrary splits.
            #![proptest_config(config(1024))]
            #[test]
            fn arbitrary_records_in_arbitrary_splits_never_panic(
                body in proptest::collection::vec(any::<u8>(), 0..6000),
                cuts in proptest::collection::vec(any::<usize>(), 0..40),
            ) {
                let mut bytes = vec![CONTENT_HANDSHAKE, 3, 3];
                bytes.extend(body);
                let mut reader = FlightReader::new(BUDGET);
                let steps = feed_split(&mut reader, &bytes, &cuts);
                // Once past the budget, nothing but BudgetExceeded (or an earlier final step).
                let total: usize = bytes.len();
                if total > BUDGET {
                    prop_assert_ne!(steps.last(), Some(&Step::NeedMore));
                }
                check_bounded(&mut reader, &steps, total);
            }
        }

        proptest! {
            // 1,024 cases: a plausible flight, split anywhere, gives the answer it gives whole.
            #![proptest_config(config(1024))]
            #[test]
            fn a_flight_split_anywhere_reads_as_it_reads_whole(
                bytes in flight_like(),
                cuts in proptest::collection::vec(any::<usize>(), 0..40),
            ) {
                let whole = FlightReader::new(1 << 18).feed(&bytes);
                let mut reader = FlightReader::new(1 << 18);
                let steps = feed_split(&mut reader, &bytes, &cuts);
                let split = steps.into_iter().find(|s| *s != Step::NeedMore).unwrap_or(Step::NeedMore);
                prop_assert_eq!(split, whole);
            }
        }

        proptest! {
            // 1,024 cases: arbitrary ServerHello bodies never panic, and an answer names only
            // extensions it carried, each once.
            #![proptest_config(config(1024))]
            #[test]
            fn arbitrary_server_hello_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
                if let Ok(hello) = parse_server_hello(&body) {
                    let mut seen = hello.extensions.clone();
                    seen.sort_unstable();
                    seen.dedup();
                    prop_assert_eq!(seen.len(), hello.extensions.len());
                    prop_assert!(hello.extensions.len() * 4 <= body.len());
                }
                let _ = parse_certificate(&body);
            }
        }
    }
}
