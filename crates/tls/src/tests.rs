//! Handshakes with local servers: what the cut provider still talks to, and what it refuses.

use std::sync::Arc;

use rcgen::{CertificateParams, KeyPair, SignatureAlgorithm};
use rustls::crypto::aws_lc_rs::{cipher_suite, default_provider};
use rustls::pki_types::{PrivateKeyDer, ServerName};
use rustls::{NamedGroup, ProtocolVersion, RootCertStore, ServerConfig, SupportedCipherSuite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::client_config;

#[derive(Debug)]
struct Handshake {
    version: ProtocolVersion,
    suite: rustls::CipherSuite,
    group: Option<NamedGroup>,
}

/// A server with a `localhost` certificate on `key` of `algorithm`, speaking `versions` with
/// `suites` (every algorithm rustls' full aws-lc-rs provider has, so a refusal is the
/// client's); the client trusts that certificate alone.
async fn shake_hands(
    algorithm: &'static SignatureAlgorithm,
    versions: &[&'static rustls::SupportedProtocolVersion],
    suites: Option<Vec<SupportedCipherSuite>>,
) -> Result<Handshake, std::io::Error> {
    let key = KeyPair::generate_for(algorithm).unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let mut provider = default_provider();
    if let Some(suites) = suites {
        provider.cipher_suites = suites;
    }
    let server = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(server));
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        // The client's verdict is what the test reads; the server's side of a refusal is not.
        let _ = acceptor.accept(stream).await;
    });

    let mut roots = RootCertStore::empty();
    roots.add(cert.der().clone()).unwrap();
    let connector = TlsConnector::from(Arc::new(client_config(roots)));
    let stream = TcpStream::connect(address).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), stream)
        .await?;
    let connection = tls.get_ref().1;
    Ok(Handshake {
        version: connection.protocol_version().unwrap(),
        suite: connection.negotiated_cipher_suite().unwrap().suite(),
        group: connection
            .negotiated_key_exchange_group()
            .map(|group| group.name()),
    })
}

const TLS13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
const TLS12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];

#[tokio::test]
async fn talks_tls13_with_aes_gcm_and_the_post_quantum_hybrid_first() {
    let handshake = shake_hands(&rcgen::PKCS_ECDSA_P256_SHA256, TLS13, None)
        .await
        .unwrap();
    assert_eq!(handshake.version, ProtocolVersion::TLSv1_3);
    assert_eq!(
        handshake.suite,
        rustls::CipherSuite::TLS13_AES_128_GCM_SHA256
    );
    assert_eq!(handshake.group, Some(NamedGroup::X25519MLKEM768));
}

#[tokio::test]
async fn verifies_the_certificates_public_cas_issue_on_tls13_and_tls12() {
    for algorithm in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_RSA_SHA256,
    ] {
        for versions in [TLS13, TLS12] {
            let handshake = shake_hands(algorithm, versions, None).await;
            assert!(
                handshake.is_ok(),
                "{algorithm:?} {versions:?}: {handshake:?}"
            );
        }
    }
}

#[tokio::test]
async fn refuses_certificate_keys_no_public_ca_certifies() {
    for algorithm in [&rcgen::PKCS_ED25519, &rcgen::PKCS_ECDSA_P521_SHA512] {
        let handshake = shake_hands(algorithm, TLS13, None).await;
        let error = handshake.unwrap_err().to_string();
        assert!(handshake_failed(&error), "{algorithm:?}: {error}");
    }
}

#[tokio::test]
async fn refuses_a_server_that_offers_only_chacha20() {
    let chacha_only = vec![cipher_suite::TLS13_CHACHA20_POLY1305_SHA256];
    let handshake = shake_hands(&rcgen::PKCS_ECDSA_P256_SHA256, TLS13, Some(chacha_only)).await;
    let error = handshake.unwrap_err().to_string();
    assert!(handshake_failed(&error), "{error}");
}

/// The server found nothing it shares with the client's offer, and said so.
fn handshake_failed(error: &str) -> bool {
    error.contains("HandshakeFailure")
}
