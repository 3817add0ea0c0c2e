//! Helpers of the mock's HTTP tests.

/// A plain reqwest client. In a workspace build, `friendli`'s default `rustls-ring` feature turns
/// on reqwest's `rustls-no-provider`, so a client that relies on reqwest's own TLS setup needs a
/// process-wide provider: installed here (once; later calls are no-ops).
pub fn http() -> reqwest::Client {
    // The provider friendli configures per client (deprecated by rustls 0.23.48 only for its
    // lack of post-quantum key exchange; see friendli's `rustls_config`).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
