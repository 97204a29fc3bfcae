//! A moto server on a free loopback port, one per test, killed when dropped.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudfront::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use cloudfront_tls_audit::inventory::AwsInventory;

/// How long moto may take to accept connections (it usually needs about half a second).
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// A running `moto_server`.
pub struct Emulator {
    child: Child,
    port: u16,
}

impl Emulator {
    /// Starts moto on 127.0.0.1 and waits until it accepts connections.
    ///
    /// Panics with a hint when the moto binary is missing (this is test code).
    pub fn start() -> Emulator {
        let binary = moto_binary();
        let port = free_port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // Requested certificates must stay PENDING_VALIDATION for the whole test.
            .env("MOTO_ACM_VALIDATION_WAIT", "100000")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut emulator = Emulator { child, port };
        emulator.wait_until_ready();
        emulator
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SDK configuration for this emulator: dummy static credentials, us-east-1, no retries (failures
    /// come back at once), and the crate's ring HTTP client.
    pub fn sdk_config(&self) -> SdkConfig {
        self.sdk_config_in("us-east-1")
    }

    /// The same in `region`: moto keeps ACM and ELB state per region, told by the SigV4 credential
    /// scope of each request.
    pub fn sdk_config_in(&self, region: &str) -> SdkConfig {
        sdk_config_for(&self.endpoint_url(), region)
    }

    /// A CloudFront client for seeding.
    pub fn cloudfront(&self) -> aws_sdk_cloudfront::Client {
        aws_sdk_cloudfront::Client::new(&self.sdk_config())
    }

    /// An ACM client for seeding.
    pub fn acm(&self) -> aws_sdk_acm::Client {
        aws_sdk_acm::Client::new(&self.sdk_config())
    }

    /// An ACM client in `region` (the certificates of load balancers live in the balancer's region).
    pub fn acm_in(&self, region: &str) -> aws_sdk_acm::Client {
        aws_sdk_acm::Client::new(&self.sdk_config_in(region))
    }

    /// An Elastic Load Balancing (v2) client in `region`, for seeding with [`super::elb`].
    pub fn elbv2(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        aws_sdk_elasticloadbalancingv2::Client::new(&self.sdk_config_in(region))
    }

    /// An IAM client for seeding.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config())
    }

    /// An SNS client (topics for the notification tests).
    pub fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.sdk_config())
    }

    /// An SQS client (a queue subscribed to a topic shows what SNS delivered).
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk_config())
    }

    /// A DynamoDB client (the state table tests).
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk_config())
    }

    /// An Organizations client in the management account (moto's default account).
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.sdk_config())
    }

    /// An STS client (moto answers AssumeRole for any role: [`super::sts_extras`] is what refuses).
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config())
    }

    /// An S3 client (path-style: the emulator has no DNS name per bucket).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        s3_client(&self.sdk_config())
    }

    /// SDK configuration acting in account `account_id`: moto's own AssumeRole of `role_name` there
    /// (moto maps the credentials it issues to the role's account). For seeding another account, as
    /// an organization's `OrganizationAccountAccessRole` lets its management account do.
    pub async fn sdk_config_as(&self, account_id: &str, role_name: &str) -> SdkConfig {
        let role_arn = format!("arn:aws:iam::{account_id}:role/{role_name}");
        let credentials = self
            .sts()
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("emulator-seeding")
            .send()
            .await
            .unwrap_or_else(|e| panic!("assume {role_arn} in the emulator: {e:?}"))
            .credentials
            .unwrap_or_else(|| panic!("no credentials for {role_arn}"));
        self.sdk_config()
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                credentials.access_key_id,
                credentials.secret_access_key,
                Some(credentials.session_token),
                None,
                "emulator-assume-role",
            )))
            .build()
    }

    /// The inventory under test, reading from this emulator.
    pub fn inventory(&self) -> AwsInventory {
        AwsInventory::from_clients(self.cloudfront(), self.acm(), self.iam())
            .with_load_balancing(self.elbv2("us-east-1"))
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port);
        while started.elapsed() < STARTUP_LIMIT {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto_server exited early with {status}");
            }
            if TcpStream::connect_timeout(&address.into(), Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "moto_server did not accept connections on port {} within {STARTUP_LIMIT:?}",
            self.port
        );
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SDK configuration for the emulator or the fault proxy at `endpoint_url`: dummy static credentials,
/// `region`, no retries (failures come back at once), and the crate's ring HTTP client.
pub fn sdk_config_for(endpoint_url: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint_url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "moto",
        )))
        .retry_config(RetryConfig::disabled())
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .build_https(),
        )
        .build()
}

/// An S3 client for `config`, path-style (`http://127.0.0.1:PORT/BUCKET/KEY`): loopback endpoints
/// have no DNS name per bucket.
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

/// The Python of the virtualenv that holds moto (it has boto3, for the few seeding calls whose SDK
/// the tests do not compile, such as EC2's).
pub fn venv_python() -> PathBuf {
    moto_binary().with_file_name("python")
}

/// `$MOTO_SERVER`, else the project's virtualenv.
fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        path.exists(),
        "moto_server not found at {} (and MOTO_SERVER is not set): run `make venv` or `make test` first",
        path.display()
    );
    path
}

/// The OS picks a free port; it is released just before moto binds it.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}
