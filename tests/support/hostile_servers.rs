//! Hostile origins on 127.0.0.1: servers that answer a ClientHello the way an attacker, a broken
//! middlebox or an overloaded host would. Raw bytes over tokio sockets, no TLS library: each one
//! sends exactly the lie it is named after.
//!
//! Every server binds port 0 and lives as long as the test's tokio runtime. Floods and trickles
//! stop when the probe goes away (a write fails).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};

/// TLS record content types.
pub const CHANGE_CIPHER_SPEC: u8 = 20;
/// Alert records.
pub const ALERT: u8 = 21;
/// Handshake records.
pub const HANDSHAKE: u8 = 22;
/// Application data records.
pub const APPLICATION_DATA: u8 = 23;

/// `TLS_RSA_WITH_AES_128_CBC_SHA`: a suite CloudFront offers that rustls cannot complete, so a
/// crafted flight is judged on what it says, without a second (real) handshake.
pub const AES128_SHA: u16 = 0x002F;

/// One TLS record (version TLS 1.2) around `fragment`; the length says what is really there.
pub fn record(content_type: u8, fragment: &[u8]) -> Vec<u8> {
    record_claiming(content_type, fragment.len(), fragment)
}

/// A record whose header claims `claimed` bytes, whatever follows.
pub fn record_claiming(content_type: u8, claimed: usize, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type, 3, 3];
    out.extend_from_slice(&u16::try_from(claimed).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(fragment);
    out
}

/// A handshake message of `kind`; the length says what is really there.
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).expect("small").to_be_bytes();
    let mut out = vec![kind, len[1], len[2], len[3]];
    out.extend_from_slice(body);
    out
}

/// A ServerHello (TLS 1.2, the given suite) carrying `extensions` as (type, data), in order.
pub fn server_hello(suite: u16, extensions: &[(u16, &[u8])]) -> Vec<u8> {
    let mut encoded = Vec::new();
    for (kind, data) in extensions {
        encoded.extend_from_slice(&kind.to_be_bytes());
        encoded.extend_from_slice(&u16::try_from(data.len()).expect("small").to_be_bytes());
        encoded.extend_from_slice(data);
    }
    server_hello_with_raw_extensions(suite, &encoded)
}

/// A ServerHello whose extensions block is exactly `extensions` (which may lie about lengths).
pub fn server_hello_with_raw_extensions(suite: u16, extensions: &[u8]) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x5A; 32]);
    body.push(0); // no session id
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0); // null compression
    body.extend_from_slice(
        &u16::try_from(extensions.len())
            .expect("small")
            .to_be_bytes(),
    );
    body.extend_from_slice(extensions);
    message(2, &body)
}

/// A Certificate message holding `certificates` (any bytes: these are not parsed here).
pub fn certificate(certificates: &[&[u8]]) -> Vec<u8> {
    let mut list = Vec::new();
    for c in certificates {
        list.extend_from_slice(&u32::try_from(c.len()).expect("small").to_be_bytes()[1..]);
        list.extend_from_slice(c);
    }
    let mut body = u32::try_from(list.len()).expect("small").to_be_bytes()[1..].to_vec();
    body.extend_from_slice(&list);
    message(11, &body)
}

/// ServerHelloDone.
pub fn server_hello_done() -> Vec<u8> {
    message(14, &[])
}

/// A whole TLS 1.2 first flight around `hello`: the ServerHello, a certificate, ServerHelloDone.
pub fn flight_with(hello: Vec<u8>) -> Vec<u8> {
    let mut handshake = hello;
    handshake.extend(certificate(&[b"not a real certificate"]));
    handshake.extend(server_hello_done());
    record(HANDSHAKE, &handshake)
}

/// What a server does once it has sent its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Close the connection.
    Close,
    /// Hold it open and say nothing more (a stall).
    Stall,
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// Reads the ClientHello (one read: it fits in a segment), so the answer comes after it.
async fn read_hello(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf).await;
}

/// Answers every ClientHello with `answer`, then closes or stalls.
pub async fn answering(answer: Vec<u8>, then: Then) -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                read_hello(&mut stream).await;
                if stream.write_all(&answer).await.is_err() {
                    return;
                }
                match then {
                    Then::Close => {
                        let _ = stream.shutdown().await;
                    }
                    Then::Stall => {
                        // Hold the connection until the peer goes away.
                        let mut buf = [0u8; 1024];
                        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
                    }
                }
            });
        }
    });
    addr
}

/// Answers with `answer`, one byte every `interval`, forever (repeating it): a slowloris origin
/// whose every byte is well-formed and whose flight never ends.
pub async fn trickle(answer: Vec<u8>, interval: Duration) -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                read_hello(&mut stream).await;
                for byte in answer.iter().cycle() {
                    if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(interval).await;
                }
            });
        }
    });
    addr
}

/// A listener that never accepts, its accept queue already full of connections that will never be
/// served: new connections hang in SYN (or, accepted by the kernel, never hear a ServerHello).
/// Dropping the returned guard releases the listener and the queued connections.
pub async fn full_backlog() -> (SocketAddr, BacklogGuard) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(1).expect("listen");
    let addr = listener.local_addr().expect("local addr");
    let mut queued = Vec::new();
    // A backlog of 1 queues two connections on Linux; a few more make sure it is full. Those the
    // kernel drops are simply never completed: each attempt is bounded and its failure ignored.
    for _ in 0..4 {
        if let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await
        {
            queued.push(stream);
        }
    }
    (
        addr,
        BacklogGuard {
            _listener: listener,
            _queued: queued,
        },
    )
}

/// Keeps a [`full_backlog`] listener and its queued connections alive.
pub struct BacklogGuard {
    _listener: TcpListener,
    _queued: Vec<TcpStream>,
}

/// A nameserver that never answers: UDP and TCP on the same loopback port, both silent (TCP
/// connections are accepted and held). The returned guard keeps both alive.
pub async fn black_hole_resolver() -> (SocketAddr, BlackHoleGuard) {
    let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
    let addr = udp.local_addr().expect("local addr");
    let tcp = TcpListener::bind(addr)
        .await
        .expect("bind tcp on the same port");
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((stream, _)) = tcp.accept().await {
            connections.push(stream);
        }
    });
    (
        addr,
        BlackHoleGuard {
            _udp: udp,
            held: Some(held),
        },
    )
}

/// Keeps a [`black_hole_resolver`] alive; dropping it stops the TCP side.
pub struct BlackHoleGuard {
    _udp: UdpSocket,
    held: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for BlackHoleGuard {
    fn drop(&mut self) {
        if let Some(held) = self.held.take() {
            held.abort();
        }
    }
}
