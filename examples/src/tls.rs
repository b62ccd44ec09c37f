//! `--tls` for the heart-rate servers: a rustls configuration with the
//! ring provider, from PEM files or from a self-signed certificate made at
//! start-up, so that browsers reach the servers over HTTP/2.
//!
//! Why: over HTTP/1.1 a browser opens at most six connections to one
//! origin, and each `EventSource` holds one for as long as it is open, so
//! the seventh stream (in the same page or another tab) waits. Over HTTP/2
//! every stream shares one connection (a browser allows about a hundred
//! streams on it), and browsers speak HTTP/2 only over TLS.
//!
//! The configurations made here carry no ALPN protocols: actix-web adds
//! `h2` and `http/1.1` itself (`bind_rustls_0_23`); the hyper-based
//! servers set [`ALPN`] ([`with_alpn`]).

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the self-signed certificate is made for.
pub const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The protocols offered by ALPN, most preferred first.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// `config` offering HTTP/2, then HTTP/1.1, by ALPN.
#[must_use]
pub fn with_alpn(mut config: ServerConfig) -> ServerConfig {
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    config
}

/// A configuration serving the certificate chain in the PEM file `cert`
/// with the private key in the PEM file `key`.
///
/// # Errors
///
/// A file cannot be read or holds no certificate or key, or the key is not
/// the certificate's.
pub fn from_files(cert: &Path, key: &Path) -> io::Result<ServerConfig> {
    let context = |path: &Path| {
        let path = path.display().to_string();
        move |err: rustls::pki_types::pem::Error| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{path}: {err}"))
        }
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(context(cert))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(context(cert))?;
    if chain.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no certificate", cert.display()),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(context(key))?;
    config(chain, key)
}

/// A configuration serving a certificate for [`SELF_SIGNED_NAMES`] made
/// now, with a new key: no browser trusts it, and it is meant for trying
/// the examples on this machine only. Says so on standard error, loudly.
///
/// # Errors
///
/// The certificate could not be made.
pub fn self_signed() -> io::Result<ServerConfig> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|&n| n.to_owned()).collect();
    let made = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    let key = PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
    let config = config(vec![made.cert.der().clone()], key.into())?;
    eprintln!(
        "\
!!! --tls without --cert and --key: serving a SELF-SIGNED certificate
!!! made just now for {names}.
!!! FOR LOCAL USE ONLY. Browsers warn that the connection is not private:
!!! accept the warning for this address to try the example. Anywhere else,
!!! serve a real certificate with --cert and --key.",
        names = SELF_SIGNED_NAMES.join(", ")
    );
    Ok(config)
}

/// TLS 1.3 on rustls's ring provider, no client certificates.
fn config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
}

/// The URL of the page a server bound to `addr` serves over TLS.
#[must_use]
pub fn page_url(addr: SocketAddr) -> String {
    format!("https://{addr}/")
}

/// As [`crate::announce`], for a server that serves over TLS when `tls`
/// is set: prints its URL as the first line of standard output and a hint
/// on standard error.
pub fn announce(addr: SocketAddr, what: &str, tls: bool) {
    if tls {
        println!("{}", page_url(addr));
        eprintln!(
            "{what}: open {} in a browser (HTTP/2 over TLS); Ctrl-C stops",
            page_url(addr)
        );
    } else {
        crate::announce(addr, what);
    }
}
