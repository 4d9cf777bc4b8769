use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::*;

/// How a test server answers each request on a connection.
#[derive(Clone, Copy)]
enum Answer {
    Ok,
    Never,
    HalfThenClose,
    /// Plain text as soon as a connection opens, before any request: what a TLS client meets
    /// when it dials an HTTP port.
    PlainTextAtOnce,
}

/// A local HTTP/1.1 server; returns its address and how many connections it accepted.
async fn server(answer: Answer) -> (String, Arc<AtomicUsize>) {
    serve(answer, None).await
}

/// The same server behind TLS with `acceptor`'s certificate.
async fn serve(answer: Answer, tls: Option<TlsAcceptor>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(tls) => {
                        // A client that refuses the certificate ends the handshake here.
                        if let Ok(stream) = tls.accept(socket).await {
                            answer_on(stream, answer).await
                        }
                    }
                    None => answer_on(socket, answer).await,
                }
            });
        }
    });
    (format!("127.0.0.1:{}", address.port()), accepted)
}

async fn answer_on(mut socket: impl AsyncRead + AsyncWrite + Unpin, answer: Answer) {
    if let Answer::PlainTextAtOnce = answer {
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        return;
    }
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let Ok(read) = socket.read(&mut chunk).await else {
            return;
        };
        if read == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..read]);
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            buffer.drain(..end + 4);
            match answer {
                Answer::Ok => socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .await
                    .unwrap(),
                Answer::Never => std::future::pending::<()>().await,
                Answer::PlainTextAtOnce => unreachable!("answered on accept"),
                Answer::HalfThenClose => {
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-le").await;
                    return;
                }
            }
        }
    }
}

fn connector(trust: Trust, read_timeout: Option<Duration>) -> Http1Connector {
    let tls = Arc::new(LazyTls {
        trust,
        config: OnceLock::new(),
    });
    Http1Connector::new(&tls, (Some(Duration::from_secs(1)), read_timeout))
}

fn get(url: &str) -> HttpRequest {
    HttpRequest::try_from(
        http::Request::builder()
            .uri(url)
            .body(SdkBody::empty())
            .unwrap(),
    )
    .unwrap()
}

/// Sends `request` and reads the whole answer, as the SDK's deserialisers do.
async fn send(connector: &Http1Connector, request: HttpRequest) -> Result<Vec<u8>, ConnectorError> {
    let response = connector.call(request).await?;
    assert_eq!(response.status().as_u16(), 200);
    Ok(response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec())
}

#[tokio::test]
async fn requests_in_turn_share_one_kept_alive_connection() {
    let (address, accepted) = server(Answer::Ok).await;
    let connector = connector(Trust::Nothing, None);
    for _ in 0..3 {
        let body = send(&connector, get(&format!("http://{address}/")))
            .await
            .unwrap();
        assert_eq!(body, b"ok");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connection_the_sdk_poisons_is_not_reused() {
    let (address, accepted) = server(Answer::Ok).await;
    let connector = connector(Trust::Nothing, None);
    let capture = CaptureSmithyConnection::new();
    let mut request = get(&format!("http://{address}/"));
    request.add_extension(capture.clone());
    send(&connector, request).await.unwrap();
    capture
        .get()
        .expect("the request's connection is known")
        .poison();
    send(&connector, get(&format!("http://{address}/")))
        .await
        .unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_connection_is_an_io_error_so_it_is_retried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = send(
        &connector(Trust::Nothing, None),
        get(&format!("http://127.0.0.1:{port}/")),
    )
    .await
    .unwrap_err();
    assert!(error.is_io(), "{error:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_read_timeout() {
    let (address, _) = server(Answer::Never).await;
    let connector = connector(Trust::Nothing, Some(Duration::from_millis(200)));
    let error = send(&connector, get(&format!("http://{address}/")))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn an_answer_cut_short_is_transient() {
    let (address, _) = server(Answer::HalfThenClose).await;
    let error = send(
        &connector(Trust::Nothing, None),
        get(&format!("http://{address}/")),
    )
    .await
    .unwrap_err();
    assert!(
        error.is_io() || error.as_other() == Some(ErrorKind::TransientError),
        "{error:?}"
    );
}

#[tokio::test]
async fn https_to_a_plain_port_fails_its_handshake() {
    let (address, _) = server(Answer::PlainTextAtOnce).await;
    let error = send(
        &connector(Trust::Nothing, None),
        get(&format!("https://{address}/")),
    )
    .await
    .unwrap_err();
    assert!(error.is_io(), "{error:?}");
}

/// A server certificate for `localhost`, and a trust store holding only it.
fn localhost_certificate() -> (TlsAcceptor, RootCertStore) {
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(issued.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![issued.cert.der().clone()], key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(issued.cert.der().clone()).unwrap();
    (TlsAcceptor::from(Arc::new(config)), roots)
}

#[tokio::test]
async fn https_verifies_the_server_and_keeps_its_connection() {
    let (acceptor, roots) = localhost_certificate();
    let (address, accepted) = serve(Answer::Ok, Some(acceptor)).await;
    let port = address.rsplit(':').next().unwrap();
    let connector = connector(Trust::Only(roots), None);
    for _ in 0..2 {
        let body = send(&connector, get(&format!("https://localhost:{port}/")))
            .await
            .unwrap();
        assert_eq!(body, b"ok");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn https_refuses_a_certificate_it_does_not_trust() {
    let (acceptor, _) = localhost_certificate();
    let (address, accepted) = serve(Answer::Ok, Some(acceptor)).await;
    let port = address.rsplit(':').next().unwrap();
    let error = send(
        &connector(Trust::Nothing, None),
        get(&format!("https://localhost:{port}/")),
    )
    .await
    .unwrap_err();
    assert!(error.is_io(), "{error:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}
