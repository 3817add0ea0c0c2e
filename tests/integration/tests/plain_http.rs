//! A token sent over plain `http://` to another machine is warned about, once per process.

use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_token_over_plain_http_to_another_host_is_warned_about_once() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let build = |url: &str| {
        friendli::Client::builder()
            .ignore_env()
            .token("flp_plain_http_secret")
            .base_url(url)
            .build()
            .unwrap()
    };
    let log = || String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();

    build("http://127.0.0.1:9");
    build("http://localhost:9");
    build("https://api.example.com");
    assert_eq!(log(), "", "loopback and https are not warned about");

    build("http://api.example.com");
    let first = log();
    assert_eq!(first.matches("plain http://").count(), 1, "{first}");
    assert!(first.contains("api.example.com"), "{first}");
    assert!(!first.contains("flp_plain_http_secret"), "{first}");

    build("http://other.example.com");
    assert_eq!(log(), first, "once per process");
}
