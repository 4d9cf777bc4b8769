//! The local server's edges, over raw TCP: oversized headers, malformed and truncated bodies,
//! oversized bodies, and clients that stall in their headers or their body.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use support::Server;

fn address(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

/// Sends `request`, optionally closes the writing half, and reads until the server closes.
fn exchange(server: &Server, request: &[u8], close_write: bool) -> (String, Duration) {
    let mut stream = TcpStream::connect(address(server)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let started = Instant::now();
    // The server may answer and close before it has read everything (413).
    let _ = stream.write_all(request);
    if close_write {
        stream.shutdown(Shutdown::Write).unwrap();
    }
    let mut reply = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                reply.extend_from_slice(&buffer[..n]);
                // One response is all we want; stop once its head is complete.
                if reply.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    (
        String::from_utf8_lossy(&reply).into_owned(),
        started.elapsed(),
    )
}

fn status_line(reply: &str) -> &str {
    reply.lines().next().unwrap_or("")
}

fn post(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST /callback HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n{headers}\r\n"
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

#[test]
fn headers_over_16_kib_get_431() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(["--data-dir", data_dir.path().to_str().unwrap()]);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    let (reply, _) = exchange(&server, request.as_bytes(), false);
    assert_eq!(
        status_line(&reply),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let (reply, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", false);
    assert_eq!(
        status_line(&reply),
        "HTTP/1.1 200 OK",
        "ordinary requests still served"
    );
}

#[test]
fn malformed_chunked_and_truncated_bodies_get_400_and_oversized_ones_413() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(["--data-dir", data_dir.path().to_str().unwrap()]);
    let chunked = post(
        "Transfer-Encoding: chunked\r\n",
        b"zz\r\ncartId=1\r\n0\r\n\r\n",
    );
    let (reply, _) = exchange(&server, &chunked, false);
    assert_eq!(status_line(&reply), "HTTP/1.1 400 Bad Request", "{reply}");

    let truncated = post("Content-Length: 100\r\n", b"cartId=1&amount=");
    let (reply, _) = exchange(&server, &truncated, true);
    assert_eq!(status_line(&reply), "HTTP/1.1 400 Bad Request", "{reply}");

    let body = vec![b'a'; 70 * 1024];
    let oversized = post(&format!("Content-Length: {}\r\n", body.len()), &body);
    let (reply, _) = exchange(&server, &oversized, false);
    assert_eq!(
        status_line(&reply),
        "HTTP/1.1 413 Payload Too Large",
        "{reply}"
    );
}

#[test]
fn stalled_headers_are_dropped_and_stalled_bodies_get_408_within_the_limits() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(["--data-dir", data_dir.path().to_str().unwrap()]);
    std::thread::scope(|scope| {
        let headers = scope.spawn(|| exchange(&server, b"GET / HTTP/1.1\r\nHost: loc", false));
        let body = scope.spawn(|| {
            exchange(
                &server,
                &post("Content-Length: 100\r\n", b"cartId=1"),
                false,
            )
        });
        let (reply, took) = headers.join().unwrap();
        // hyper closes the connection, with a 408 or without a word.
        assert!(
            reply.is_empty() || status_line(&reply).contains(" 408 "),
            "{reply}"
        );
        assert!(
            took >= Duration::from_secs(9) && took < Duration::from_secs(20),
            "{took:?}"
        );
        let (reply, took) = body.join().unwrap();
        assert_eq!(
            status_line(&reply),
            "HTTP/1.1 408 Request Timeout",
            "{reply}"
        );
        assert!(
            took >= Duration::from_secs(9) && took < Duration::from_secs(20),
            "{took:?}"
        );
    });
}
