//! Notifications (`notify`): builds the SNS messages for email, Slack (through Amazon Q Developer in
//! chat applications) and machines from a [`crate::report::Report`], and publishes them. The only
//! module that publishes.
//!
//! [`message`] is pure (report in, [`Notification`]s out); [`sns`] sends them. Untrusted text
//! (certificate subjects, origin names, error messages) is made safe for each audience in one place,
//! the private `text` module.

pub mod message;
pub mod sns;
mod text;

pub use message::{
    console_url, digest, per_distribution, verified, AttributeValue, Notification, TriggerSummary,
};
pub use sns::{publish_all, NotifyError, Publisher, SnsPublisher};
