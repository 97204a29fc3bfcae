//! `AwsInventory::from_environment` against moto. Its own test binary: it sets process environment
//! variables, which no other test may see.

mod support;

use cloudfront_tls_audit::inventory::{AwsInventory, AwsOptions};
use cloudfront_tls_audit::model::{CertificateLookup, CertificateRef, Scope};
use support::seed::{self, DistributionSpec};
use support::{CertBuilder, Emulator};

#[tokio::test]
async fn from_environment_pins_us_east_1_and_honours_the_endpoint_option() {
    let emulator = Emulator::start();
    let arn = seed::import_acm(
        &emulator.acm(),
        &CertBuilder::new(["env.example.com"]).build(),
    )
    .await;
    let spec = DistributionSpec::new().with_acm(&arn, &["env.example.com"]);
    seed::create_distribution(&emulator.cloudfront(), "env", &spec).await;

    // Only this test runs in this binary, so changing the environment races with nothing.
    let empty = std::env::temp_dir().join("cloudfront-tls-audit-no-such-aws-config");
    std::env::set_var("AWS_CONFIG_FILE", &empty);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &empty);
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_PROFILE");
    std::env::remove_var("AWS_ENDPOINT_URL");
    // moto keeps ACM per region: a client that followed this would not find the certificate.
    std::env::set_var("AWS_REGION", "eu-west-1");

    let options = AwsOptions {
        endpoint_url: Some(emulator.endpoint_url()),
        ..AwsOptions::default()
    };
    let inventory = AwsInventory::from_environment(&options).await;
    let snapshot = inventory.snapshot(&Scope::AllDistributions).await;
    assert!(snapshot.gaps.is_empty(), "{:?}", snapshot.gaps);
    assert_eq!(snapshot.distributions.len(), 1);
    match snapshot.certificates.get(&CertificateRef::Acm(arn)) {
        Some(CertificateLookup::Found(certificate)) => {
            assert_eq!(certificate.domain_name.as_deref(), Some("env.example.com"))
        }
        other => panic!("expected the us-east-1 certificate, got {other:?}"),
    }
}
