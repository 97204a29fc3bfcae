//! A fault-injecting HTTP/1.1 proxy in front of the emulator, on loopback. The SDK reaches it through
//! the endpoint override; it forwards each request to moto and, when a rule names the request's
//! operation, injects a fault the way a faulty AWS endpoint (or something in between) would: the real
//! AWS error shapes (CloudFront's `<ErrorResponse>` XML, the JSON protocols' `__type`), 5xx, 403, a
//! request that never gets an answer, a body cut mid-stream, broken XML or JSON, cycling markers on
//! ListDistributions, a trickling answer.
//!
//! It also answers what moto lacks for CloudFront (VPC origins, and the `VpcOriginConfig` moto drops
//! from distributions) through [`super::cloudfront_extras`], and refuses the STS `AssumeRole` calls
//! AWS would refuse (no such role, an external id the trust policy does not name) through
//! [`super::sts_extras`]; faults apply to those answers the same way.
//!
//! One request per connection (every answer says `Connection: close`), forwarded as HTTP/1.0 so that
//! moto never chunks its answer: a small forwarder over tokio's TcpStream, no HTTP server crate.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::cloudfront_extras::CloudFrontExtras;
use super::sts_extras;

/// Most bytes of a request head; SDK requests are far smaller.
const MAX_HEAD: usize = 64 * 1024;

/// What to do to the requests of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Throttle every request: CloudFront's `Throttling`, ACM's `ThrottlingException`, S3's 503
    /// `SlowDown`.
    Throttle,
    /// Throttle the first N requests, then forward.
    ThrottleFirst(usize),
    /// Answer this 5xx status with the service's error shape.
    ServerError(u16),
    /// This 5xx status with a plain-text body, as a load balancer in front of an endpoint sends.
    PlainServerError(u16),
    /// 403 `AccessDenied` (`AccessDeniedException` for JSON services).
    AccessDenied,
    /// Read the request and never answer (the connection stays open).
    Hang,
    /// Forward, then send the answer's head and half its body, and close.
    CutBody,
    /// Forward, then send a complete HTTP answer whose body is broken XML or JSON.
    Malformed,
    /// ListDistributions pages that are always truncated, with markers A, B, A, B, …
    CyclingMarkers,
    /// Forward, then send the answer one byte per interval.
    Trickle(Duration),
}

#[derive(Debug, Default)]
struct State {
    rules: BTreeMap<String, Fault>,
    /// Requests seen, by operation (forwarded or not).
    seen: BTreeMap<String, usize>,
    /// VPC origins and the distributions' `VpcOriginConfig`, which moto does not keep.
    extras: CloudFrontExtras,
    /// AssumeRole requests, by the `RoleArn` they named (refused or not).
    assume_role: BTreeMap<String, usize>,
}

/// The running proxy; it stops with the test's runtime.
#[derive(Clone)]
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 and a free port in front of `upstream_url` (`http://HOST:PORT`).
    pub async fn start(upstream_url: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the emulator's endpoint is http://ADDR:PORT");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let addr = listener.local_addr().expect("proxy address");
        let proxy = FaultProxy {
            addr,
            upstream,
            state: Arc::default(),
        };
        let server = proxy.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        proxy
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url` or `CLOUDFRONT_TLS_AUDIT_ENDPOINT_URL`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SDK configuration for every service through this proxy, in us-east-1 (the settings of
    /// [`super::Emulator::sdk_config`]).
    pub fn sdk_config(&self) -> SdkConfig {
        self.sdk_config_in("us-east-1")
    }

    /// The same in `region` (moto tells regions apart by the request's SigV4 credential scope).
    pub fn sdk_config_in(&self, region: &str) -> SdkConfig {
        super::emulator::sdk_config_for(&self.endpoint_url(), region)
    }

    /// A CloudFront client through the proxy: VPC origins, and distributions that keep their
    /// `VpcOriginConfig`, exist only for clients that seed and read through here.
    pub fn cloudfront(&self) -> aws_sdk_cloudfront::Client {
        aws_sdk_cloudfront::Client::new(&self.sdk_config())
    }

    /// The inventory under test, reading through the proxy.
    pub fn inventory(&self) -> cloudfront_tls_audit::inventory::AwsInventory {
        cloudfront_tls_audit::inventory::AwsInventory::from_sdk_config(&self.sdk_config())
    }

    /// Sets a VPC origin's `Status` (`Deployed`, …): it stands in for the time real CloudFront takes to
    /// deploy one. Panics when the proxy holds no VPC origin `id` (this is test code).
    pub fn set_vpc_origin_status(&self, id: &str, status: &str) {
        assert!(
            self.lock().extras.set_vpc_origin_status(id, status),
            "no VPC origin {id} in the proxy"
        );
    }

    /// Injects `fault` into every request of `operation` (`ListDistributions`, `GetDistribution`,
    /// `GetVpcOrigin`, `ListDistributionsByVpcOriginId`, `DescribeCertificate`, `GetCertificate`,
    /// `DescribeListeners`, `Publish`, …) from now on; the proxy's own answers take faults too.
    pub fn inject(&self, operation: &str, fault: Fault) {
        self.lock().rules.insert(operation.to_owned(), fault);
    }

    /// Removes every rule and forgets the counts; what was seeded (VPC origins, the distributions'
    /// `VpcOriginConfig`) stays.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.rules.clear();
        state.seen.clear();
        state.assume_role.clear();
    }

    /// How many requests of `operation` arrived.
    pub fn seen(&self, operation: &str) -> usize {
        self.lock().seen.get(operation).copied().unwrap_or(0)
    }

    /// How many AssumeRole requests named `role_arn` (answered or refused): credentials cached per
    /// account make this one per invocation.
    pub fn assume_role_requests(&self, role_arn: &str) -> usize {
        self.lock().assume_role.get(role_arn).copied().unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn serve(&self, mut client: TcpStream) {
        let Some(request) = Request::read(&mut client).await else {
            return;
        };
        let operation = request.operation();
        let fault = {
            let mut state = self.lock();
            let count = state.seen.entry(operation.clone()).or_default();
            *count += 1;
            let count = *count;
            match state.rules.get(&operation) {
                Some(Fault::ThrottleFirst(n)) if count > *n => None,
                Some(Fault::ThrottleFirst(_)) => Some(Fault::Throttle),
                other => other.cloned(),
            }
        };
        let answer = match fault {
            None => self.answer(&request).await,
            // ThrottleFirst became Throttle or None above.
            // S3 throttles with 503 SlowDown; the others with 400 Throttling.
            Some(Fault::Throttle | Fault::ThrottleFirst(_)) if request.is_s3() => {
                Some(request.error(503, "SlowDown", "Please reduce your request rate."))
            }
            Some(Fault::Throttle | Fault::ThrottleFirst(_)) => {
                Some(request.error(400, "Throttling", "Rate exceeded"))
            }
            Some(Fault::ServerError(status)) => Some(request.error(
                status,
                "ServiceUnavailable",
                "Service is unavailable, please try again later",
            )),
            Some(Fault::PlainServerError(status)) => Some(Answer {
                status_line: format!("HTTP/1.1 {status} {}", reason(status)),
                headers: vec![("Content-Type".into(), "text/plain".into())],
                body: reason(status).as_bytes().to_vec(),
            }),
            Some(Fault::AccessDenied) => Some(request.error(
                403,
                "AccessDenied",
                "User is not authorized to perform this operation",
            )),
            Some(Fault::CyclingMarkers) => Some(cycling_page(&request)),
            Some(Fault::Hang) => {
                // Holds the connection open without a byte of answer, for longer than any test.
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Some(Fault::CutBody) => {
                if let Some(answer) = self.answer(&request).await {
                    let cut = answer.body.len() / 2;
                    let _ = client.write_all(&answer.head()).await;
                    let _ = client.write_all(&answer.body[..cut]).await;
                    let _ = client.shutdown().await;
                }
                return;
            }
            Some(Fault::Malformed) => self.answer(&request).await.map(|mut answer| {
                // Half a document, announced with its real length: a whole answer that does not parse.
                answer.body.truncate(answer.body.len() / 2);
                answer.body.extend_from_slice(b"<<<{{");
                answer
            }),
            Some(Fault::Trickle(interval)) => {
                if let Some(answer) = self.answer(&request).await {
                    let bytes = [answer.head(), answer.body].concat();
                    for byte in bytes {
                        if client.write_all(&[byte]).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(interval).await;
                    }
                }
                return;
            }
        };
        if let Some(answer) = answer {
            let _ = client.write_all(&answer.head()).await;
            let _ = client.write_all(&answer.body).await;
        }
        let _ = client.shutdown().await;
    }

    /// The answer to `request` without a fault: the extras' own for what moto lacks, else moto's with
    /// what moto forgot restored (`None` when the emulator is unreachable).
    async fn answer(&self, request: &Request) -> Option<Answer> {
        if request.operation() == "AssumeRole" {
            if let Some(role_arn) = sts_extras::role_arn(request) {
                *self.lock().assume_role.entry(role_arn).or_default() += 1;
            }
            if let Some(refused) = sts_extras::refusal(self.upstream, request).await {
                return Some(refused);
            }
        }
        let local = self.lock().extras.answer(request);
        if local.is_some() {
            return local;
        }
        let mut answer = self.forward(request).await?;
        self.lock().extras.after_forward(request, &mut answer);
        Some(answer)
    }

    /// The emulator's answer to `request`, read whole (`None` when the emulator is unreachable).
    async fn forward(&self, request: &Request) -> Option<Answer> {
        exchange(self.upstream, request).await
    }
}

/// Sends `request` to the emulator at `upstream` and reads its answer whole (`None` when the
/// emulator is unreachable): the proxy's forwarding, and the extras' own questions to moto.
pub(super) async fn exchange(upstream: SocketAddr, request: &Request) -> Option<Answer> {
    let mut stream = TcpStream::connect(upstream).await.ok()?;
    stream.write_all(&request.as_http_1_0()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    Answer::parse(&raw)
}

/// One request as the SDK sent it.
pub(super) struct Request {
    /// `GET`, `POST`, …
    pub(super) method: String,
    /// Path and query, as on the request line.
    pub(super) target: String,
    headers: Vec<(String, String)>,
    /// The body, read whole.
    pub(super) body: Vec<u8>,
}

impl Request {
    /// A request of the proxy's own to the emulator (`Content-Length` is added from `body`).
    pub(super) fn new(
        method: &str,
        target: &str,
        mut headers: Vec<(String, String)>,
        body: String,
    ) -> Request {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-length"));
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers,
            body: body.into_bytes(),
        }
    }

    /// Every header, as sent.
    pub(super) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    async fn read(stream: &mut TcpStream) -> Option<Request> {
        let mut raw = Vec::new();
        let mut buffer = [0u8; 4096];
        let head_end = loop {
            if let Some(end) = find(&raw, b"\r\n\r\n") {
                break end;
            }
            if raw.len() > MAX_HEAD {
                return None;
            }
            let n = stream.read(&mut buffer).await.ok()?;
            if n == 0 {
                return None;
            }
            raw.extend_from_slice(&buffer[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next()?.split_whitespace();
        let (method, target) = (
            request_line.next()?.to_owned(),
            request_line.next()?.to_owned(),
        );
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = raw[head_end + 4..].to_vec();
        while body.len() < length {
            let n = stream.read(&mut buffer).await.ok()?;
            if n == 0 {
                return None;
            }
            body.extend_from_slice(&buffer[..n]);
        }
        Some(Request {
            method,
            target,
            headers,
            body,
        })
    }

    /// The value of header `name` (any case).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments: `/2020-05-31/distribution/E1/config` is `["2020-05-31", "distribution",
    /// "E1", "config"]`.
    pub(super) fn segments(&self) -> Vec<&str> {
        self.path().trim_matches('/').split('/').collect()
    }

    /// The value of query parameter `name` (`Marker=E2` is `Some("E2")`, a bare `WithTags` is
    /// `Some("")`). Not percent-decoded: the markers and ids the tests use are unreserved characters.
    pub(super) fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key == name).then_some(value),
                None => (pair == name).then_some(""),
            })
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The API operation: from `X-Amz-Target` (JSON protocols), the `Action` of a query request, or
    /// CloudFront's REST path.
    pub(super) fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        let body = String::from_utf8_lossy(&self.body);
        if let Some(action) = body
            .split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
        {
            return action.to_owned();
        }
        match (self.method.as_str(), self.segments().as_slice()) {
            ("GET", [_, "distribution"]) => "ListDistributions".into(),
            ("POST", [_, "distribution"]) if self.query("WithTags").is_some() => {
                "CreateDistributionWithTags".into()
            }
            ("POST", [_, "distribution"]) => "CreateDistribution".into(),
            ("GET", [_, "distribution", _]) => "GetDistribution".into(),
            ("DELETE", [_, "distribution", _]) => "DeleteDistribution".into(),
            ("GET", [_, "distribution", _, "config"]) => "GetDistributionConfig".into(),
            ("PUT", [_, "distribution", _, "config"]) => "UpdateDistribution".into(),
            ("GET", [_, "cache-policy", _]) => "GetCachePolicy".into(),
            ("GET", [_, "origin-request-policy", _]) => "GetOriginRequestPolicy".into(),
            ("POST", [_, "vpc-origin"]) => "CreateVpcOrigin".into(),
            ("GET", [_, "vpc-origin"]) => "ListVpcOrigins".into(),
            ("GET", [_, "vpc-origin", _]) => "GetVpcOrigin".into(),
            ("PUT", [_, "vpc-origin", _]) => "UpdateVpcOrigin".into(),
            ("DELETE", [_, "vpc-origin", _]) => "DeleteVpcOrigin".into(),
            ("GET", [_, "distributionsByVpcOriginId", _]) => {
                "ListDistributionsByVpcOriginId".into()
            }
            _ => format!("{} {}", self.method, self.path()),
        }
    }

    /// The request for moto: HTTP/1.0, so that the answer is never chunked and ends at close.
    fn as_http_1_0(&self) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.0\r\n", self.method, self.target);
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("connection") {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str("\r\n");
        [head.into_bytes(), self.body.clone()].concat()
    }

    /// Whether the request is S3's (signed for `s3`).
    pub(super) fn is_s3(&self) -> bool {
        self.header("authorization")
            .is_some_and(|value| value.contains("/s3/aws4_request"))
    }

    /// An error in the shape the service's protocol uses: JSON `__type` for JSON protocols (ACM,
    /// SQS), S3's unwrapped `<Error>` (REST-XML without error wrapping, the request signed for
    /// `s3`), else the `<ErrorResponse>` XML of CloudFront, IAM and SNS.
    pub(super) fn error(&self, status: u16, code: &str, message: &str) -> Answer {
        let json = self.header("x-amz-target").is_some();
        let (content_type, code, body) = if json {
            let code = match code {
                "Throttling" => "ThrottlingException",
                "AccessDenied" => "AccessDeniedException",
                other => other,
            };
            (
                "application/x-amz-json-1.1",
                code,
                format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
            )
        } else if self.is_s3() {
            (
                "application/xml",
                code,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
                     <Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
                ),
            )
        } else {
            let kind = if status >= 500 { "Receiver" } else { "Sender" };
            (
                "text/xml",
                code,
                format!(
                    "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\
                     <Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>\
                     <RequestId>fault-proxy</RequestId></ErrorResponse>"
                ),
            )
        };
        Answer::new(
            status,
            content_type,
            vec![("x-amzn-ErrorType".into(), code.into())],
            body,
        )
    }
}

/// One answer, held whole so that it can be cut, broken or trickled.
pub(super) struct Answer {
    status_line: String,
    headers: Vec<(String, String)>,
    /// The body, whole.
    pub(super) body: Vec<u8>,
}

impl Answer {
    /// An answer of the proxy's own: `status`, `Content-Type`, a request id and `headers`.
    pub(super) fn new(
        status: u16,
        content_type: &str,
        headers: Vec<(String, String)>,
        body: String,
    ) -> Answer {
        let mut all = vec![
            ("Content-Type".to_owned(), content_type.to_owned()),
            ("x-amzn-RequestId".to_owned(), "fault-proxy".to_owned()),
        ];
        all.extend(headers);
        Answer {
            status_line: format!("HTTP/1.1 {status} {}", reason(status)),
            headers: all,
            body: body.into_bytes(),
        }
    }

    /// The status code (0 when the status line does not carry one).
    pub(super) fn status(&self) -> u16 {
        self.status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }

    fn parse(raw: &[u8]) -> Option<Answer> {
        let end = find(raw, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next()?.replacen("HTTP/1.0", "HTTP/1.1", 1);
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .filter(|(name, _)| {
                !["content-length", "connection", "transfer-encoding"]
                    .iter()
                    .any(|skip| name.eq_ignore_ascii_case(skip))
            })
            .collect();
        Some(Answer {
            status_line,
            headers,
            body: raw[end + 4..].to_vec(),
        })
    }

    /// Status line and headers, with the body's real length and `Connection: close`.
    fn head(&self) -> Vec<u8> {
        let mut head = format!("{}\r\n", self.status_line);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        head.into_bytes()
    }
}

/// A ListDistributions page that is always truncated: no marker → A, A → B, B → A.
fn cycling_page(request: &Request) -> Answer {
    let marker = request.query("Marker").unwrap_or("");
    let next = if marker == "A" { "B" } else { "A" };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\
         <Marker>{marker}</Marker><NextMarker>{next}</NextMarker><MaxItems>100</MaxItems>\
         <IsTruncated>true</IsTruncated><Quantity>0</Quantity></DistributionList>"
    );
    Answer::new(200, "text/xml", Vec::new(), body)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
