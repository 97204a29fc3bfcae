//! One connection's worth of probing: TCP connect, send a ClientHello, read the server's first flight.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};

use super::client_hello::ClientHello;
use super::fault::local_fault;
use super::wire::{escape_bytes, FlightReader, ServerFlight, ServerHello, Step, WireError};
use crate::tls::{HandshakeStage, LocalFault, LocalOperation, ProbeOutcome};

/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

/// How one exchange of ClientHello and server flight ended.
#[derive(Debug)]
pub(crate) enum Exchange {
    /// The first flight arrived whole.
    Flight(ServerFlight),
    /// The server sent a (fatal, or close_notify) alert.
    Alert {
        stage: HandshakeStage,
        description: u8,
    },
    /// The server closed or reset the connection.
    Closed { stage: HandshakeStage },
    /// The deadline passed first.
    Timeout { stage: HandshakeStage },
    /// The server does not speak TLS: its first record is not one.
    NotTls { first_bytes: String },
    /// The server spoke TLS, then sent a malformed or out-of-place record or message.
    Malformed {
        stage: HandshakeStage,
        detail: WireError,
    },
    /// The ServerHello carried an extension the ClientHello did not offer.
    UnsolicitedExtension { hello: ServerHello, extension: u16 },
    /// The server sent more than the byte budget.
    BudgetExceeded,
    /// This machine failed to send or receive (out of buffers or memory): nothing was learned.
    LocalFault(LocalFault),
}

/// Opens a TCP connection within `connect_timeout` and the probe deadline, mapping failures to
/// outcomes: the origin's answers to origin outcomes, this machine's failures to
/// [`ProbeOutcome::LocalFault`] (the table in [`super::fault`]).
pub(crate) async fn connect(
    address: SocketAddr,
    connect_timeout: Duration,
    deadline: Instant,
) -> Result<TcpStream, ProbeOutcome> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    let limit = connect_timeout.min(remaining);
    match timeout(limit, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => {
            // Small writes must leave at once: the ClientHello is one record.
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Ok(Err(error)) => Err(
            match local_fault(&error, LocalOperation::Connect, Some(address)) {
                Some(fault) => ProbeOutcome::LocalFault(fault),
                // The kernel gave up on its SYN retries before our own timeout did.
                None if error.kind() == std::io::ErrorKind::TimedOut => {
                    ProbeOutcome::ConnectTimeout {
                        address,
                        after: limit,
                    }
                }
                // Refused, reset, unreachable: CloudFront cannot connect on the port either way.
                None => ProbeOutcome::ConnectRefused { address },
            },
        ),
        Err(_) => Err(ProbeOutcome::ConnectTimeout {
            address,
            after: limit,
        }),
    }
}

/// Sends `hello` and reads until the first flight is complete or the exchange ends otherwise. With
/// `check_extensions`, a ServerHello extension `hello` did not offer ends the exchange (as it ends
/// CloudFront's handshake); the discovery hello, which only learns, does not check.
pub(crate) async fn exchange(
    stream: &mut TcpStream,
    hello: &ClientHello,
    check_extensions: bool,
    budget: usize,
    deadline: Instant,
) -> Exchange {
    let mut reader = FlightReader::new(budget);
    if check_extensions {
        reader = reader.offering(&hello.extensions);
    }
    match timeout_at(deadline, stream.write_all(&hello.record)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            return match local_fault(&error, LocalOperation::Send, stream.peer_addr().ok()) {
                Some(fault) => Exchange::LocalFault(fault),
                None => Exchange::Closed {
                    stage: HandshakeStage::ServerHello,
                },
            }
        }
        Err(_) => {
            return Exchange::Timeout {
                stage: HandshakeStage::ServerHello,
            }
        }
    }
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let read = match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => {
                return Exchange::Timeout {
                    stage: reader.stage(),
                }
            }
            Ok(Err(error)) => {
                return match local_fault(&error, LocalOperation::Receive, stream.peer_addr().ok()) {
                    Some(fault) => Exchange::LocalFault(fault),
                    None => Exchange::Closed {
                        stage: reader.stage(),
                    },
                }
            }
            Ok(Ok(0)) => {
                return Exchange::Closed {
                    stage: reader.stage(),
                }
            }
            Ok(Ok(n)) => n,
        };
        let Some(data) = buf.get(..read) else {
            return Exchange::Closed {
                stage: reader.stage(),
            };
        };
        match reader.feed(data) {
            Step::NeedMore => {}
            Step::Done(flight) => return Exchange::Flight(flight),
            Step::Alert { description, .. } => {
                return Exchange::Alert {
                    stage: reader.stage(),
                    description,
                }
            }
            // Before a whole record, a broken header cannot be told from a peer that is not TLS.
            Step::Invalid(_) if reader.records() == 0 => {
                return Exchange::NotTls {
                    first_bytes: escape_bytes(reader.first_bytes()),
                }
            }
            Step::Invalid(detail) => {
                return Exchange::Malformed {
                    stage: reader.stage(),
                    detail,
                }
            }
            Step::UnsolicitedExtension { hello, extension } => {
                return Exchange::UnsolicitedExtension { hello, extension }
            }
            Step::BudgetExceeded => return Exchange::BudgetExceeded,
        }
    }
}
