//! The local server's HTTP/1.1 connections, with the limits a server open to a network needs:
//! a client that stalls in its headers is dropped, oversized headers get `431`, and bodies are
//! read within a time limit (see [`read_body`]).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long a client gets to send the request line and headers, and then the body.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Request line plus headers beyond this get `431 Request Header Fields Too Large`.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Why a request body could not be read, as the status to answer.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("Payload Too Large")]
    TooLarge,
    #[error("Request Timeout")]
    TimedOut,
    /// Malformed chunked encoding, or a body shorter than its `Content-Length`.
    #[error("Bad Request")]
    Malformed,
}

impl BodyError {
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Malformed => StatusCode::BAD_REQUEST,
        }
    }
}

/// The whole body, at most `limit` bytes, within [`BODY_READ_TIMEOUT`].
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let collected = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, limit).collect())
        .await
        .map_err(|_| BodyError::TimedOut)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge)
        }
        Err(_) => Err(BodyError::Malformed),
    }
}

/// Serves `router` on `listener` until Ctrl-C.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES);
    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
}
