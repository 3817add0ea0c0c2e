//! `friendli-mock [--port N] [--token T] [--endpoint-start-polls N] [--embedding-dimension N]`:
//! serves the mock Friendli API (every operation of its OpenAPI document) on 127.0.0.1 until
//! interrupted, and prints its URL.
//! `friendli-mock --list` prints the operations it serves instead.

use std::io::Write;

use friendli_mock::{MockConfig, MockServer};

fn main() -> std::process::ExitCode {
    let mut config = MockConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--list" {
            return list();
        }
        match (arg.as_str(), args.next()) {
            ("--port", Some(port)) => match port.parse() {
                Ok(port) => config.port = port,
                Err(_) => return usage(&format!("--port takes a number, not {port:?}")),
            },
            ("--token", Some(token)) => config.token = Some(token),
            ("--endpoint-start-polls", Some(n)) => match n.parse() {
                Ok(n) => config.endpoint_start_polls = n,
                Err(_) => {
                    return usage(&format!("--endpoint-start-polls takes a number, not {n:?}"));
                }
            },
            ("--embedding-dimension", Some(n)) => match n.parse() {
                Ok(n) => config.embedding_dimension = n,
                Err(_) => {
                    return usage(&format!("--embedding-dimension takes a number, not {n:?}"));
                }
            },
            ("--help" | "-h", _) => return usage(""),
            (other, _) => return usage(&format!("unknown argument {other:?}")),
        }
    }
    match MockServer::start_with(config) {
        Ok(server) => {
            // Whoever started the server may stop reading its output after the URL (a closed
            // pipe): that must not stop the server, so write errors are ignored, not panicked on.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "friendli-mock listening on {}", server.url());
            let _ = writeln!(
                out,
                "try: FRIENDLI_BASE_URL={} FRIENDLI_TOKEN=any cargo run --example quickstart",
                server.url()
            );
            let _ = out.flush();
            drop(out);
            loop {
                std::thread::park();
            }
        }
        Err(error) => {
            eprintln!("error: cannot start friendli-mock: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Prints `METHOD PATH operationId [stream] [no auth]` per operation.
fn list() -> std::process::ExitCode {
    let mut out = std::io::stdout().lock();
    for operation in friendli_mock::operations() {
        let mut notes = Vec::new();
        if operation.is_stream() {
            notes.push("stream");
        }
        if !operation.requires_auth {
            notes.push("no auth");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        let _ = writeln!(
            out,
            "{:6} {} {}{notes}",
            operation.method, operation.path, operation.operation_id
        );
    }
    std::process::ExitCode::SUCCESS
}

fn usage(problem: &str) -> std::process::ExitCode {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "usage: friendli-mock [--port N] [--token T] [--endpoint-start-polls N] [--embedding-dimension N] | --list"
    );
    if problem.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}
