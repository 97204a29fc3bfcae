//! The TLS vocabulary: what a handshake offers and what a probe saw, as plain data, with no I/O.
//!
//! [`crate::probe`] fills these types from sockets; [`crate::plan`] builds targets and the rules judge
//! observations, both without importing the socket layer. The tables ([`suites`]) name every cipher
//! suite and alert a probe can observe.

mod edge;
mod observation;
pub mod suites;
mod version;

pub use edge::{EdgeObservation, EdgeResult};
pub use observation::{
    CompletionError, Discovery, HandshakeStage, LocalFault, LocalOperation, Negotiated,
    Observation, ProbeOutcome, ProbeTarget, SentCertificate,
};
pub use suites::is_cloudfront_origin_suite;
pub use version::{cloudfront_versions, ProtocolVersion};
