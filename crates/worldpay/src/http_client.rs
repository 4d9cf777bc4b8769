//! The one way selectpay builds a reqwest client: on [`selectpay_tls`]'s preconfigured rustls.
//!
//! Why every client goes through here: once any crate in a build enables reqwest's rustls
//! feature (this one does), a plain `reqwest::Client::new()` in the same binary looks for a
//! process-wide rustls provider and panics with "No provider set".

/// A reqwest client builder with selectpay's TLS: aws-lc-rs, the system's root certificates.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_preconfigured_tls(selectpay_tls::client_config(selectpay_tls::system_roots()))
}

/// A client with reqwest's other defaults, for tools and tests.
pub fn client() -> reqwest::Client {
    builder()
        .build()
        .expect("a client with a preconfigured TLS config builds")
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
