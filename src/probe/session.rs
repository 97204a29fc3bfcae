//! One connection's worth of probing: TCP connect, send a ClientHello, read the server's first flight.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};

use super::wire::{escape_bytes, FlightReader, ServerFlight, Step};
use crate::tls::{HandshakeStage, ProbeOutcome};

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
    /// The server does not speak TLS (or sent a malformed flight).
    NotTls { first_bytes: String },
    /// The server sent more than the byte budget.
    BudgetExceeded,
}

/// Opens a TCP connection within `connect_timeout` and the probe deadline, mapping failures to
/// outcomes.
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
        // Refused, reset, unreachable: CloudFront cannot connect on the port either way.
        Ok(Err(_)) => Err(ProbeOutcome::ConnectRefused { address }),
        Err(_) => Err(ProbeOutcome::ConnectTimeout {
            address,
            after: limit,
        }),
    }
}

/// Sends `hello` and reads until the first flight is complete or the exchange ends otherwise.
pub(crate) async fn exchange(
    stream: &mut TcpStream,
    hello: &[u8],
    budget: usize,
    deadline: Instant,
) -> Exchange {
    let mut reader = FlightReader::new(budget);
    match timeout_at(deadline, stream.write_all(hello)).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            return Exchange::Closed {
                stage: HandshakeStage::ServerHello,
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
            Ok(Err(_)) | Ok(Ok(0)) => {
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
            Step::Invalid(_) => {
                return Exchange::NotTls {
                    first_bytes: escape_bytes(reader.first_bytes()),
                }
            }
            Step::BudgetExceeded => return Exchange::BudgetExceeded,
        }
    }
}
