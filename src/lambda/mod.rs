//! The event-driven product: one invocation = one trigger, one audit, its notifications.

pub mod config;
