//! A scripted stand-in for WorldPay's iadmin endpoint, on 127.0.0.1, for tests.
//!
//! It records every request it receives (before answering, so a request that is then left
//! hanging or cut off is still seen) and answers by script: per `futurePayId`, else the
//! global answer, by default [`Answer::Cancel`], which behaves like WorldPay.

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// WorldPay's answer to a successful cancellation.
pub const CANCELLED: &str = "Y,Agreement cancelled";
/// The answer to cancelling an agreement that is no longer live.
pub const ALREADY_CANCELLED: &str = "E,Agreement already cancelled";
/// WorldPay's documented answer when an agreement could not be cancelled.
pub const PROBLEM: &str = "E,Problem cancelling agreement";

/// How the fake answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Like WorldPay: [`CANCELLED`] the first time an agreement is cancelled,
    /// [`ALREADY_CANCELLED`] after; `E,Unknown operation` without `op-cancelFP`.
    Cancel,
    /// 200 `text/plain` with exactly this body.
    Text(String),
    /// Any status, content type and body, e.g. [`Answer::server_error`].
    Http {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Waits, then answers as the inner answer (the client may have given up by then;
    /// a [`Answer::Cancel`] still cancels, as WorldPay might).
    Delay(Duration, Box<Answer>),
    /// Closes the connection without a reply.
    HangUp,
}

impl Answer {
    /// `Y,<message>`.
    pub fn done(message: &str) -> Self {
        Self::Text(format!("Y,{message}"))
    }

    /// `E,<message>`.
    pub fn refused(message: &str) -> Self {
        Self::Text(format!("E,{message}"))
    }

    /// A 500 with an HTML error page, as a load balancer or servlet container would send.
    pub fn server_error() -> Self {
        Self::Http {
            status: 500,
            content_type: "text/html; charset=utf-8".to_owned(),
            body: "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\
                   <body><h1>Internal Server Error</h1><p>The server encountered an internal \
                   error and was unable to complete your request.</p></body></html>\n"
                .to_owned(),
        }
    }

    /// [`Answer::Cancel`] after `delay`.
    pub fn stall(delay: Duration) -> Self {
        Self::Delay(delay, Box::new(Self::Cancel))
    }
}

/// One request as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRequest {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    /// The raw body, as sent.
    pub body: String,
    /// The body decoded as `application/x-www-form-urlencoded`, in order.
    pub fields: Vec<(String, String)>,
}

impl AdminRequest {
    /// The first value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// An `op-cancelFP` request for agreement `id`.
    pub fn is_cancel_of(&self, id: &str) -> bool {
        self.field("op-cancelFP").is_some() && self.field("futurePayId") == Some(id)
    }
}

#[derive(Debug)]
struct State {
    default: Answer,
    by_id: HashMap<String, Answer>,
    requests: Vec<AdminRequest>,
    cancelled: HashSet<String>,
}

/// The fake gateway; it stops when dropped.
#[derive(Debug)]
pub struct FakeRemoteAdmin {
    url: String,
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl FakeRemoteAdmin {
    /// Listens on 127.0.0.1 on a free port. Panics if it cannot bind: it is for tests.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake remote-admin gateway");
        let addr = listener.local_addr().expect("fake gateway address");
        let state = Arc::new(Mutex::new(State {
            default: Answer::Cancel,
            by_id: HashMap::new(),
            requests: Vec::new(),
            cancelled: HashSet::new(),
        }));
        let server = tokio::spawn(serve(listener, Arc::clone(&state)));
        Self {
            url: format!("http://{addr}/wcc/iadmin"),
            addr,
            state,
            server: Mutex::new(Some(server)),
        }
    }

    /// The iadmin URL to give the client.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How to answer requests for agreements without an answer of their own.
    pub fn answer(&self, answer: Answer) {
        self.state().default = answer;
    }

    /// How to answer requests for agreement `id`, from now on.
    pub fn answer_for(&self, id: &str, answer: Answer) {
        self.state().by_id.insert(id.to_owned(), answer);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<AdminRequest> {
        self.state().requests.clone()
    }

    /// How many `op-cancelFP` requests named agreement `id`.
    pub fn cancellations(&self, id: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|request| request.is_cancel_of(id))
            .count()
    }

    /// The agreements an [`Answer::Cancel`] has cancelled, sorted.
    pub fn cancelled(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.state().cancelled.iter().cloned().collect();
        ids.sort();
        ids
    }

    /// Stops listening and drops every open connection: from when this returns, connecting
    /// to [`Self::url`] is refused. The record of requests stays readable.
    pub async fn go_down(&self) {
        let server = self
            .server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(server) = server {
            server.abort();
            // Wait until the task, and with it the listener and connections, is dropped.
            let _ = server.await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for FakeRemoteAdmin {
    fn drop(&mut self) {
        let server = self
            .server
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(server) = server {
            server.abort();
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock must not hide the record from the others.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Accepts until aborted; dropping it drops the listener and, with the set, every connection.
async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = service_fn(move |request| handle(Arc::clone(&state), request));
                    // Errors are the client going away or a hang-up: nothing to do.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, io::Error> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = request
        .into_body()
        .collect()
        .await
        .map_err(io::Error::other)?
        .to_bytes();
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let received = AdminRequest {
        method,
        path,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
        fields,
    };
    let mut answer = {
        let mut state = lock(&state);
        state.requests.push(received.clone());
        received
            .field("futurePayId")
            .and_then(|id| state.by_id.get(id))
            .unwrap_or(&state.default)
            .clone()
    };
    loop {
        match answer {
            Answer::Delay(delay, then) => {
                tokio::time::sleep(delay).await;
                answer = *then;
            }
            Answer::HangUp => return Err(io::Error::other("hang up")),
            Answer::Cancel => {
                let text = match (received.field("op-cancelFP"), received.field("futurePayId")) {
                    (Some(_), Some(id)) => {
                        if lock(&state).cancelled.insert(id.to_owned()) {
                            CANCELLED
                        } else {
                            ALREADY_CANCELLED
                        }
                    }
                    (Some(_), None) => PROBLEM,
                    (None, _) => "E,Unknown operation",
                };
                return Ok(reply(200, "text/plain", text.to_owned()));
            }
            Answer::Text(text) => return Ok(reply(200, "text/plain", text)),
            Answer::Http {
                status,
                content_type,
                body,
            } => return Ok(reply(status, &content_type, body)),
        }
    }
}

fn reply(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}
