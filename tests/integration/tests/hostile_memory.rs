//! D3 of issue 22: a page walk keeps a bounded digest of each cursor it has seen, not the cursor
//! itself, so that a server handing out long cursors cannot grow the client's memory by their
//! size. Its own test binary, which measures its resident memory (Linux), with a small server of
//! its own handing out pages with 48 KiB cursors (the mock records every request, whose memory
//! would count too).

use std::io::{Read, Write};

use friendli::prelude::*;

/// The resident memory of this process, in bytes (Linux).
#[cfg(target_os = "linux")]
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

const PAGES: usize = 400;
const CURSOR_LEN: usize = 48 * 1024;

/// Serves `PAGES` pages of `list_datasets`, each with a new cursor of `CURSOR_LEN` bytes (the
/// last without one), one connection per request.
fn serve() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (page, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 8192];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            drop(request);
            let next = if page + 1 < PAGES {
                let mut cursor = format!("{page:08}");
                cursor.push_str(&"c".repeat(CURSOR_LEN - cursor.len()));
                format!("\"{cursor}\"")
            } else {
                "null".to_owned()
            };
            let body = format!("{{\"data\": [], \"nextCursor\": {next}}}");
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
    });
    format!("http://{address}")
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "current_thread")]
async fn d3_a_long_walk_does_not_keep_the_cursors_it_has_seen() {
    let url = serve();
    let client = Client::builder()
        .ignore_env()
        .token("flp_memory")
        .base_url(url)
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let mut pages = client.dataset().list_datasets("project-1").pages();
    let mut live_at = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        page.unwrap();
        count += 1;
        if count == 20 || count == PAGES - 10 {
            live_at.push(resident());
        }
    }
    assert_eq!(count, PAGES);
    let grown = live_at[1].saturating_sub(live_at[0]);
    // 370 cursors of 48 KiB would be 17 MiB; their digests are a few KiB.
    eprintln!("resident memory grew by {grown} bytes");
    assert!(
        grown < 4 * 1024 * 1024,
        "the walk kept {grown} more bytes over {} pages",
        PAGES - 30
    );
}
