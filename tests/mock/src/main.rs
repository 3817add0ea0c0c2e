//! `friendli-mock [--port N] [--token T]`: serves the mock Friendli API on 127.0.0.1 until
//! interrupted, and prints its URL.

use std::io::Write;

use friendli_mock::{MockConfig, MockServer};

fn main() -> std::process::ExitCode {
    let mut config = MockConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(port)) => match port.parse() {
                Ok(port) => config.port = port,
                Err(_) => return usage(&format!("--port takes a number, not {port:?}")),
            },
            ("--token", Some(token)) => config.token = Some(token),
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

fn usage(problem: &str) -> std::process::ExitCode {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!("usage: friendli-mock [--port N] [--token T]");
    if problem.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}
