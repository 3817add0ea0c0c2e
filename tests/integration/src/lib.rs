//! Helpers shared by the integration tests of the `friendli` crate.

use friendli::prelude::*;
use friendli_mock::MockServer;

pub mod wire;

/// The README of `friendli-mock`, compiled and run as doc tests here, where the SDK its
/// examples use is at hand (the mock itself does not depend on it).
#[cfg(doctest)]
#[doc = include_str!("../../mock/README.md")]
struct MockReadmeDoctests;

/// The token the tests use; tests check it never leaks.
pub const TOKEN: &str = "flp_test_secret_token_0123456789";

/// A client of `server` that ignores the environment and retries quickly.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("a valid configuration")
}

/// A builder for a client of `server`, with fast retries and no environment.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url(server.url())
        .retry(fast_retries())
}

/// The default policy, with short waits so that tests stay quick.
pub fn fast_retries() -> RetryConfig {
    RetryConfig::default()
        .initial_interval(std::time::Duration::from_millis(10))
        .max_interval(std::time::Duration::from_millis(50))
        .jitter(std::time::Duration::from_millis(5))
        .max_elapsed_time(std::time::Duration::from_secs(20))
}

/// A request asking `text`, offering `tools`.
pub fn request(text: &str, tools: Vec<ToolAssistedChatTool>) -> ToolAssistedChatRequest {
    ToolAssistedChatRequest::builder()
        .model("mock-model")
        .messages(vec![Message::user(text)])
        .tools(tools)
        .try_into()
        .expect("a complete request")
}

/// A `tracing` writer that keeps what is written, for tests of what the SDK logs.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
