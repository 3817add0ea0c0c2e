//! A token sent over plain `http://` to another machine is warned about, once per process for
//! each kind of URL: the base URL (the API token), the container URL (the container token), a
//! call's own server URL.

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

#[test]
fn a_container_token_over_plain_http_to_another_host_is_warned_about_once() {
    let captured = friendli_tests::Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let build = |url: &str, container_token: Option<&str>| {
        let builder = friendli::Client::builder()
            .ignore_env()
            .token("flp_api_secret")
            .base_url("https://api.example.com")
            .container_url(url);
        match container_token {
            Some(token) => builder.container_token(token),
            None => builder,
        }
        .build()
        .unwrap()
    };
    let log = || captured.text();

    // The API token does not go to the container, so a plain-http container is no leak of it.
    build("http://10.0.0.7:8000", None);
    build("http://127.0.0.1:8000", Some("container_secret"));
    build("https://container.example.com", Some("container_secret"));
    assert_eq!(log(), "", "{}", log());

    build("http://10.0.0.7:8000", Some("container_secret"));
    let first = log();
    assert_eq!(first.matches("plain http://").count(), 1, "{first}");
    assert!(first.contains("container token"), "{first}");
    assert!(first.contains("10.0.0.7"), "{first}");
    assert!(!first.contains("container_secret"), "{first}");
    assert!(!first.contains("flp_api_secret"), "{first}");

    build("http://10.0.0.8:8000", Some("container_secret"));
    assert_eq!(log(), first, "once per process");
}
