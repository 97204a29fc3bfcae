//! An SNS topic with an SQS queue subscribed (raw delivery off), to read back what was published.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

use super::Emulator;

/// A topic and a queue subscribed to it; returns the topic ARN and the queue URL.
pub async fn topic_with_queue(emulator: &Emulator) -> (String, String) {
    let topic_arn = emulator
        .sns()
        .create_topic()
        .name("tls-findings")
        .send()
        .await
        .expect("create topic")
        .topic_arn
        .expect("topic ARN");
    let queue_url = subscribed_queue(emulator, &topic_arn, "tls-findings-machine", None).await;
    (topic_arn, queue_url)
}

/// A queue named `name` subscribed to `topic_arn` (raw delivery off), with `filter_policy` when
/// given; returns its URL.
pub async fn subscribed_queue(
    emulator: &Emulator,
    topic_arn: &str,
    name: &str,
    filter_policy: Option<&str>,
) -> String {
    let (sns, sqs) = (emulator.sns(), emulator.sqs());
    let queue_url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue URL");
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("queue ARN");
    let mut subscribe = sns
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(&queue_arn);
    if let Some(policy) = filter_policy {
        subscribe = subscribe.attributes("FilterPolicy", policy);
    }
    subscribe.send().await.expect("subscribe");
    queue_url
}

/// Every SNS envelope waiting in the queue, parsed.
pub async fn drain(emulator: &Emulator, queue_url: &str) -> Vec<Value> {
    let sqs = emulator.sqs();
    let mut envelopes = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return envelopes;
        }
        for message in messages {
            let body = message.body.expect("body");
            envelopes.push(serde_json::from_str(&body).expect("SNS envelope is JSON"));
            if let Some(handle) = message.receipt_handle {
                sqs.delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
}
