//! selectpay's one TLS stack, shared by the SDK's HTTP client (`selectpay-aws`) and WorldPay's
//! remote administration client (`selectpay-worldpay`): rustls with the aws-lc-rs provider,
//! passed explicitly.
//!
//! Why explicitly: once any crate in a build enables a rustls feature of reqwest, a client
//! built without a `ClientConfig` looks for a process-wide rustls provider and panics with
//! "No provider set". A preconfigured `ClientConfig` never asks for one, so nothing here
//! installs global state.

mod provider;

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

/// The system's root certificates; unreadable ones are skipped (an HTTPS request then fails
/// at its handshake, which names the host).
pub fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
}

/// rustls with [`provider::web_pki_client`] and the safe default protocol versions (TLS 1.3
/// and 1.2), trusting `roots`, presenting no client certificate.
pub fn client_config(roots: RootCertStore) -> ClientConfig {
    ClientConfig::builder_with_provider(Arc::new(provider::web_pki_client()))
        .with_safe_default_protocol_versions()
        .expect("the provider has suites for rustls' default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[cfg(test)]
mod tests;
