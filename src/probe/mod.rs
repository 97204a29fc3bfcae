//! Live TLS handshakes made the way CloudFront makes them. The only module that opens sockets.

pub mod observation;
