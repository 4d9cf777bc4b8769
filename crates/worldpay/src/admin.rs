//! The iadmin client.

use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use http::Uri;
use http::header::{CONTENT_TYPE, USER_AGENT};
use selectpay_domain::ids::{FuturePayId, InstallationId};
use selectpay_domain::ports::{AdminError, AdminReply, RemoteAdmin};
use selectpay_domain::secret::Secret;
use selectpay_domain::settings::Mode;
use serde::Serialize;

use crate::http_client;
use crate::reply::{self, Redactor};

/// How long opening the TCP connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a whole request may take: connecting, TLS, sending, and reading the reply.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// Replies are a few bytes; past this the body is not read further.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// The longest error description handed back, in characters.
const MAX_ERROR_CHARS: usize = 300;

/// The iadmin form. WorldPay's own example sends the operation as an empty hidden field
/// (`<input type="hidden" name="op-cancelFP">`, i.e. `op-cancelFP=`): its presence selects
/// the operation, its value is not read.
#[derive(Serialize)]
struct CancelForm<'a> {
    #[serde(rename = "instId")]
    installation_id: &'a str,
    #[serde(rename = "authPW")]
    password: &'a str,
    #[serde(rename = "futurePayId")]
    future_pay_id: &'a str,
    #[serde(rename = "op-cancelFP")]
    cancel: &'a str,
}

/// WorldPay's remote administration (`/wcc/iadmin`) for one remote-admin installation.
///
/// Every operation is one form POST; the answer is the body's `Y,<message>` or
/// `E,<message>`, whatever the HTTP status. The password goes only into request bodies:
/// it is not in `Debug`, and is redacted from anything an error repeats.
pub struct WorldPayRemoteAdmin {
    endpoint: Uri,
    installation_id: InstallationId,
    password: Secret,
    redactor: Redactor,
    https_only: bool,
    client: reqwest::Client,
    total_timeout: Duration,
}

impl WorldPayRemoteAdmin {
    /// WorldPay's iadmin endpoint for `mode` (the domain's [`Mode::remote_admin_url`]).
    pub fn url_for(mode: Mode) -> &'static str {
        mode.remote_admin_url()
    }

    /// A client of the iadmin endpoint at `base_url`, with [`CONNECT_TIMEOUT`] and
    /// [`TOTAL_TIMEOUT`].
    ///
    /// `base_url` must be `https://`, or `http://` to a loopback address (a fake gateway in
    /// tests): the password travels in the body. HTTPS trusts the system's root certificates,
    /// like the AWS SDK; having none is an error here rather than at the first request.
    pub fn new(
        base_url: String,
        installation_id: InstallationId,
        password: Secret,
    ) -> Result<Self, AdminError> {
        let endpoint = endpoint(&base_url)?;
        let https_only = endpoint.scheme_str() == Some("https");
        let client = build_client(https_only, CONNECT_TIMEOUT)?;
        let redactor = Redactor::new(password.expose());
        Ok(Self {
            endpoint,
            installation_id,
            password,
            redactor,
            https_only,
            client,
            total_timeout: TOTAL_TIMEOUT,
        })
    }

    /// The same client with other timeouts (tests use short ones).
    pub fn with_timeouts(self, connect: Duration, total: Duration) -> Result<Self, AdminError> {
        Ok(Self {
            client: build_client(self.https_only, connect)?,
            total_timeout: total,
            ..self
        })
    }

    async fn submit(&self, form: &CancelForm<'_>) -> Result<AdminReply, AdminError> {
        let form = serde_urlencoded::to_string(form)
            .map_err(|_| AdminError("could not encode the form".to_owned()))?;
        let request = self
            .client
            .post(self.endpoint.to_string())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(USER_AGENT, concat!("selectpay/", env!("CARGO_PKG_VERSION")))
            .body(form);

        let exchange = async {
            let mut response = request
                .send()
                .await
                .map_err(|error| self.failure("no reply", &error))?;
            let status = response.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| self.failure("reply cut off", &error))?
            {
                if body.len() + chunk.len() > MAX_REPLY_BYTES {
                    return Err(AdminError(format!(
                        "reply from {} longer than {MAX_REPLY_BYTES} bytes (HTTP {status})",
                        self.host()
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, body))
        };
        let (status, body) = tokio::time::timeout(self.total_timeout, exchange)
            .await
            .map_err(|_| {
                AdminError(format!(
                    "no reply from {} within {} ms",
                    self.host(),
                    self.total_timeout.as_millis()
                ))
            })??;
        reply::parse(status, &body, &self.redactor)
    }

    fn host(&self) -> &str {
        self.endpoint
            .authority()
            .map(|authority| authority.as_str())
            .unwrap_or_default()
    }

    /// `what` from host: the error and its causes, deduplicated, redacted and cut short.
    fn failure(&self, what: &str, error: &(dyn StdError + 'static)) -> AdminError {
        let mut causes: Vec<String> = Vec::new();
        let mut next = Some(error);
        while let Some(error) = next {
            let text = error.to_string();
            if !causes.iter().any(|seen| seen.contains(&text)) {
                causes.push(text);
            }
            next = error.source();
        }
        let text = format!("{what} from {}: {}", self.host(), causes.join(": "));
        AdminError(reply::clean(&text, MAX_ERROR_CHARS, &self.redactor))
    }
}

impl fmt::Debug for WorldPayRemoteAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorldPayRemoteAdmin")
            .field("endpoint", &self.endpoint)
            .field("installation_id", &self.installation_id)
            .field("password", &self.password)
            .field("total_timeout", &self.total_timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RemoteAdmin for WorldPayRemoteAdmin {
    async fn cancel_agreement(&self, id: &FuturePayId) -> Result<AdminReply, AdminError> {
        self.submit(&CancelForm {
            installation_id: self.installation_id.as_str(),
            password: self.password.expose(),
            future_pay_id: id.as_str(),
            cancel: "",
        })
        .await
    }
}

fn endpoint(base_url: &str) -> Result<Uri, AdminError> {
    let invalid = |why: &str| AdminError(format!("invalid remote-admin URL: {why}"));
    let uri: Uri = base_url.trim().parse().map_err(|_| invalid("not a URL"))?;
    let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("credentials belong in the form, not the URL"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(authority.host()) => Ok(uri),
        Some("http") => Err(invalid("plain http is only for loopback test gateways")),
        _ => Err(invalid("not http(s)")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The shared client set-up with this endpoint's rules: `https_only` refuses plain http
/// even on redirects, and HTTPS needs trusted roots, found now rather than at the first
/// request.
fn build_client(
    https_only: bool,
    connect_timeout: Duration,
) -> Result<reqwest::Client, AdminError> {
    if https_only && selectpay_tls::system_roots().is_empty() {
        return Err(AdminError("no trusted root certificates".to_owned()));
    }
    http_client::builder()
        .https_only(https_only)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .map_err(|error| AdminError(format!("TLS set-up failed: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(url: &str) -> Result<WorldPayRemoteAdmin, AdminError> {
        WorldPayRemoteAdmin::new(
            url.to_owned(),
            InstallationId::parse("123456").unwrap(),
            Secret::new("hunter2").unwrap(),
        )
    }

    #[test]
    fn knows_worldpays_endpoints() {
        assert_eq!(
            WorldPayRemoteAdmin::url_for(Mode::Test),
            "https://secure-test.worldpay.com/wcc/iadmin"
        );
        assert_eq!(
            WorldPayRemoteAdmin::url_for(Mode::Live),
            "https://secure.worldpay.com/wcc/iadmin"
        );
    }

    #[test]
    fn sends_the_password_only_over_https_or_to_loopback() {
        assert!(admin("http://127.0.0.1:9/wcc/iadmin").is_ok());
        assert!(admin("http://localhost:9/wcc/iadmin").is_ok());
        assert!(admin("http://[::1]:9/wcc/iadmin").is_ok());
        for url in [
            "http://secure.worldpay.com/wcc/iadmin",
            "http://10.0.0.1/wcc/iadmin",
            "ftp://127.0.0.1/",
            "https://user:pw@secure.worldpay.com/wcc/iadmin",
            "/wcc/iadmin",
            "not a url",
        ] {
            assert!(admin(url).is_err(), "{url}");
        }
    }

    #[test]
    fn builds_an_https_client_from_the_system_roots() {
        let admin = admin(WorldPayRemoteAdmin::url_for(Mode::Test)).unwrap();
        assert!(admin.https_only);
    }

    #[test]
    fn debug_hides_the_password() {
        let admin = admin("http://127.0.0.1:9/wcc/iadmin").unwrap();
        let debug = format!("{admin:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("123456"), "{debug}");
    }
}
