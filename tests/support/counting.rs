//! An SDK interceptor that counts operations by name (`ListDistributions`, `DescribeCertificate`, …).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Counts every operation that starts, shared between clones (attach one clone per client).
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl CallCounter {
    /// How many times `operation` ran.
    pub fn count(&self, operation: &str) -> usize {
        self.snapshot().get(operation).copied().unwrap_or(0)
    }

    /// All counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// An inventory whose clients (CloudFront, ACM, IAM, Elastic Load Balancing, and the regional
    /// ACM and ELB clients derived from them) report to this counter.
    pub fn inventory(
        &self,
        sdk_config: &aws_config::SdkConfig,
    ) -> cloudfront_tls_audit::inventory::AwsInventory {
        let cloudfront = aws_sdk_cloudfront::config::Builder::from(sdk_config)
            .interceptor(self.clone())
            .build();
        let acm = aws_sdk_acm::config::Builder::from(sdk_config)
            .interceptor(self.clone())
            .build();
        let iam = aws_sdk_iam::config::Builder::from(sdk_config)
            .interceptor(self.clone())
            .build();
        let elb = aws_sdk_elasticloadbalancingv2::config::Builder::from(sdk_config)
            .interceptor(self.clone())
            .build();
        cloudfront_tls_audit::inventory::AwsInventory::from_clients(
            aws_sdk_cloudfront::Client::from_conf(cloudfront),
            aws_sdk_acm::Client::from_conf(acm),
            aws_sdk_iam::Client::from_conf(iam),
        )
        .with_load_balancing(aws_sdk_elasticloadbalancingv2::Client::from_conf(elb))
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    // Not read_before_execution: client-level interceptors run that before the operation's
    // configuration (and its Metadata) is in the bag. Serialization happens once per call.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            if let Ok(mut counts) = self.counts.lock() {
                *counts.entry(metadata.name().to_owned()).or_default() += 1;
            }
        }
        Ok(())
    }
}
