//! Helpers of the mock's HTTP tests.

/// A plain reqwest client. In a workspace build, `friendli`'s default `rustls-ring` feature turns
/// on reqwest's `rustls-no-provider`, so a client that relies on reqwest's own TLS setup needs a
/// process-wide provider: installed here (once; later calls are no-ops).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
