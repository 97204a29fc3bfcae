//! A minimal Lambda Runtime API on loopback, to drive the real Lambda binary end to end: it hands out
//! queued events on `GET /runtime/invocation/next` and records what the function posts back.
//! Only the four routes a runtime uses are served (AWS's "Lambda Runtime API" reference).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const PREFIX: &str = "/2018-06-01/runtime";

/// What the function answered for one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `POST /invocation/{id}/response`.
    Response(String),
    /// `POST /invocation/{id}/error`.
    Error(String),
}

#[derive(Default)]
struct State {
    queue: VecDeque<(String, String, u64)>,
    outcomes: Vec<(String, Outcome)>,
    init_error: Option<String>,
    next_polls: usize,
}

/// The Runtime API server. Events are queued with [`RuntimeApi::invoke`].
#[derive(Clone)]
pub struct RuntimeApi {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl RuntimeApi {
    /// Starts the server on 127.0.0.1 and a free port.
    pub async fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind runtime API");
        let addr = listener.local_addr().expect("runtime API address");
        let api = RuntimeApi {
            addr,
            state: Arc::default(),
            changed: Arc::default(),
        };
        let server = api.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        api
    }

    /// A command for `program` with the environment Lambda gives a function (Runtime API address,
    /// function name, memory, version, log names) and dummy credentials in us-east-1; nothing else
    /// is inherited. Add the function's own settings before spawning.
    pub fn function_command(
        &self,
        program: &std::path::Path,
        memory_mb: u32,
    ) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", self.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", "cloudfront-tls-audit")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string())
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                "/aws/lambda/cloudfront-tls-audit",
            )
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    }

    /// `HOST:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Queues an invocation with `payload` and a deadline `timeout` from now; returns its request id.
    pub fn invoke(&self, payload: &str, timeout: Duration) -> String {
        let mut state = self.state.lock().expect("state");
        let id = format!("req-{}", state.queue.len() + state.outcomes.len() + 1);
        let deadline_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d + timeout)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        state
            .queue
            .push_back((id.clone(), payload.to_owned(), deadline_ms));
        drop(state);
        self.changed.notify_waiters();
        id
    }

    /// Waits (bounded) until invocation `id` has an outcome.
    pub async fn outcome(&self, id: &str, limit: Duration) -> Outcome {
        let found = tokio::time::timeout(limit, async {
            loop {
                let notified = self.changed.notified();
                if let Some((_, outcome)) = self
                    .state
                    .lock()
                    .expect("state")
                    .outcomes
                    .iter()
                    .find(|(i, _)| i == id)
                {
                    return outcome.clone();
                }
                if let Some(error) = &self.state.lock().expect("state").init_error {
                    return Outcome::Error(format!("init error: {error}"));
                }
                notified.await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no outcome for {id} within {limit:?}"))
    }

    /// How many times the function has asked for its next event (start-up benchmark, liveness).
    pub fn next_polls(&self) -> usize {
        self.state.lock().expect("state").next_polls
    }

    async fn serve(&self, stream: TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        loop {
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                return;
            }
            let mut content_length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                    return;
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        content_length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; content_length];
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
            let body = String::from_utf8_lossy(&body).into_owned();
            let mut parts = request_line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let response = self.route(method, path, body).await;
            if write.write_all(response.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    async fn route(&self, method: &str, path: &str, body: String) -> String {
        let path = path.strip_prefix(PREFIX).unwrap_or(path);
        match (method, path) {
            ("GET", "/invocation/next") => {
                self.state.lock().expect("state").next_polls += 1;
                self.changed.notify_waiters();
                let (id, payload, deadline) = loop {
                    let notified = self.changed.notified();
                    if let Some(next) = self.state.lock().expect("state").queue.pop_front() {
                        break next;
                    }
                    notified.await;
                };
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\n\
                     Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                     Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:111122223333:function:cloudfront-tls-audit\r\n\
                     Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\n\
                     Content-Length: {}\r\n\r\n{payload}",
                    payload.len()
                )
            }
            ("POST", "/init/error") => {
                self.state.lock().expect("state").init_error = Some(body);
                self.changed.notify_waiters();
                accepted()
            }
            ("POST", route) => {
                let mut segments = route.trim_start_matches('/').split('/');
                match (segments.next(), segments.next(), segments.next()) {
                    (Some("invocation"), Some(id), Some(kind @ ("response" | "error"))) => {
                        let outcome = if kind == "response" {
                            Outcome::Response(body)
                        } else {
                            Outcome::Error(body)
                        };
                        self.state
                            .lock()
                            .expect("state")
                            .outcomes
                            .push((id.to_owned(), outcome));
                        self.changed.notify_waiters();
                        accepted()
                    }
                    _ => not_found(),
                }
            }
            _ => not_found(),
        }
    }
}

fn accepted() -> String {
    "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n".to_owned()
}

fn not_found() -> String {
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned()
}
