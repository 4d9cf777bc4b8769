//! The one way selectpay builds an HTTP client: reqwest on rustls with the ring
//! provider the AWS SDK already uses, passed explicitly.
//!
//! Why every client goes through here: once any crate in a build enables reqwest's rustls
//! feature (this one does), a plain `reqwest::Client::new()` in the same binary looks for a
//! process-wide rustls provider and panics with "No provider set". A preconfigured
//! `ClientConfig` never asks for one, so nothing here installs global state.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

/// A reqwest client builder with selectpay's TLS: ring, the system's root certificates.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().use_preconfigured_tls(tls_config(system_roots()))
}

/// A client with reqwest's other defaults, for tools and tests.
pub fn client() -> reqwest::Client {
    builder()
        .build()
        .expect("a client with a preconfigured TLS config builds")
}

/// The system's root certificates; unreadable ones are skipped (an HTTPS request then fails
/// at its handshake, which names the host).
pub(crate) fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
}

/// rustls with ring and the safe default protocol versions, trusting `roots`.
pub(crate) fn tls_config(roots: RootCertStore) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls' default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn builds_without_a_process_wide_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let client = client();
        // A request to a closed loopback port fails as a connection error, not a panic.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let error = client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(error.is_connect(), "{error}");
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }
}
