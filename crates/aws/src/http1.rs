//! The SDK's HTTP client: HTTP/1.1 over rustls on aws-lc-rs ([`selectpay_tls`]), pooled.
//!
//! Why not the SDK's own (`aws-smithy-http-client`): it always links an HTTP/2 client (h2 and
//! hyper's HTTP/2 half, about 300 KB of each function's `bootstrap`) that no request here
//! needs: DynamoDB, SES and SSM all answer HTTP/1.1, and one callback's requests run one after
//! another. What the functions rely on is kept: keep-alive connections shared by every client
//! built from one configuration, the connect and read timeouts the SDK passes in its
//! settings, transport errors classified as the SDK's own client does (so a refused
//! connection or a timeout is retried where retries are on, and a user error is not), and
//! a connection the SDK's retry classifier poisons is not reused.

use std::collections::HashMap;
use std::error::Error;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_runtime_api::client::connection::{CaptureSmithyConnection, ConnectionMetadata};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::ErrorKind;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{CaptureConnection, HttpConnector as TcpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::{ClientConfig, RootCertStore};

/// Whose certificates an HTTPS connection accepts.
#[derive(Debug)]
pub(crate) enum Trust {
    /// The system's roots, read on the first request.
    SystemRoots,
    /// None: for an endpoint that is plain HTTP, so no certificate file is ever read.
    Nothing,
    /// A test server's own certificate.
    #[cfg(test)]
    Only(RootCertStore),
}

/// An SDK client whose connectors (one per pair of timeouts the SDK asks for) share one TLS
/// configuration, built once on the first request.
pub(crate) fn http1_client(trust: Trust) -> SharedHttpClient {
    SharedHttpClient::new(Http1Client {
        tls: Arc::new(LazyTls {
            trust,
            config: OnceLock::new(),
        }),
        connectors: Mutex::default(),
    })
}

#[derive(Debug)]
struct LazyTls {
    trust: Trust,
    config: OnceLock<ClientConfig>,
}

impl LazyTls {
    fn config(&self) -> ClientConfig {
        self.config
            .get_or_init(|| {
                selectpay_tls::client_config(match self.trust {
                    Trust::SystemRoots => selectpay_tls::system_roots(),
                    Trust::Nothing => RootCertStore::empty(),
                    #[cfg(test)]
                    Trust::Only(ref roots) => roots.clone(),
                })
            })
            .clone()
    }
}

/// The connect and read timeouts a connector was built for.
type Timeouts = (Option<Duration>, Option<Duration>);

#[derive(Debug)]
struct Http1Client {
    tls: Arc<LazyTls>,
    /// The SDK asks for a connector on every attempt; the pool lives in the connector, so
    /// the same one is handed out for the same timeouts.
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
}

impl HttpClient for Http1Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let timeouts = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().unwrap_or_else(|e| e.into_inner());
        connectors
            .entry(timeouts)
            .or_insert_with(|| SharedHttpConnector::new(Http1Connector::new(&self.tls, timeouts)))
            .clone()
    }
}

type PooledClient = Client<HttpsConnector<TcpConnector>, SdkBody>;

#[derive(Debug)]
pub(crate) struct Http1Connector {
    tls: Arc<LazyTls>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    /// Built on the first request, so a client that is never used reads no certificate.
    client: OnceLock<PooledClient>,
}

impl Http1Connector {
    fn new(tls: &Arc<LazyTls>, (connect_timeout, read_timeout): Timeouts) -> Self {
        Self {
            tls: Arc::clone(tls),
            connect_timeout,
            read_timeout,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> &PooledClient {
        self.client.get_or_init(|| {
            let mut tcp = TcpConnector::new();
            // The scheme is the TLS layer's to check: it takes `https` and passes `http` on.
            tcp.enforce_http(false);
            tcp.set_nodelay(true);
            tcp.set_connect_timeout(self.connect_timeout);
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(self.tls.config())
                .https_or_http()
                .enable_http1()
                .wrap_connector(tcp);
            Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .build(connector)
        })
    }
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let mut request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(error) => {
                return HttpConnectorFuture::ready(Err(ConnectorError::user(error.into())));
            }
        };
        let connection = hyper_util::client::legacy::connect::capture_connection(&mut request);
        if let Some(capture) = request.extensions().get::<CaptureSmithyConnection>() {
            capture.set_connection_retriever(move || poisonable(&connection));
        }
        let response = self.client().request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let response = match read_timeout {
                Some(limit) => tokio::time::timeout(limit, response)
                    .await
                    .map_err(|elapsed| ConnectorError::timeout(elapsed.into()))?,
                None => response.await,
            }
            .map_err(classify)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|error| ConnectorError::other(error.into(), None))
        })
    }
}

/// The connection a request went out on, as the SDK's retry classifier can poison it.
fn poisonable(connection: &CaptureConnection) -> Option<ConnectionMetadata> {
    let proxied = connection.connection_metadata().as_ref()?.is_proxied();
    let connection = connection.clone();
    Some(
        ConnectionMetadata::builder()
            .proxied(proxied)
            .poison_fn(move || {
                if let Some(connected) = connection.connection_metadata().as_ref() {
                    connected.poison();
                }
            })
            .build(),
    )
}

/// As the SDK's own client sorts hyper's errors: timeouts, user errors, and I/O or a closed
/// connection (transient, so retried where retries are on).
fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let connect = error.is_connect();
    let error: Box<dyn Error + Send + Sync> = error.into();
    let timed_out = source::<std::io::Error>(error.as_ref())
        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
    match source::<hyper::Error>(error.as_ref()) {
        _ if timed_out => ConnectorError::timeout(error),
        Some(hyper) if hyper.is_timeout() => ConnectorError::timeout(error),
        Some(hyper) if hyper.is_user() => ConnectorError::user(error),
        Some(hyper)
            if hyper.is_closed()
                || hyper.is_canceled()
                || source::<std::io::Error>(hyper).is_some() =>
        {
            ConnectorError::io(error)
        }
        Some(hyper) if hyper.is_incomplete_message() => {
            ConnectorError::other(error, Some(ErrorKind::TransientError))
        }
        Some(_) => ConnectorError::other(error, None),
        None if connect || source::<std::io::Error>(error.as_ref()).is_some() => {
            ConnectorError::io(error)
        }
        None => ConnectorError::other(error, None),
    }
}

fn source<'a, E: Error + 'static>(mut error: &'a (dyn Error + 'static)) -> Option<&'a E> {
    loop {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        error = error.source()?;
    }
}

#[cfg(test)]
mod tests;
