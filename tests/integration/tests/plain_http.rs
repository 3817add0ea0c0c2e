//! A token sent over plain `http://` to another machine is warned about, once per process.

#[test]
fn a_token_over_plain_http_to_another_host_is_warned_about_once() {
    let captured = friendli_tests::Captured::default();
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
    let log = || captured.text();

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
