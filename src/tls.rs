//! `-o tls:HOST:PORT`: records to a collector over TLS (rustls, with the ring provider).
//! The server's certificate is verified against `--tls-ca FILE` (else the system's CAs,
//! /etc/ssl/certs/ca-certificates.crt) and its name against HOST; `--tls-cert` and
//! `--tls-key` present a client certificate. The handshake is completed when the
//! connection is made, so a wrong CA or name is refused at start, with the reason.

use std::io;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::preflight::shown;

/// Where Debian (and most distributions) keep the system's CA certificates, in one file.
const SYSTEM_CAS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The TLS options of `-o tls:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// --tls-ca: the CA certificates (PEM) that sign the collector's certificate.
    pub ca: Option<PathBuf>,
    /// --tls-cert and --tls-key: a client certificate chain (PEM) and its key.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// The client side of every connection of a run, made once at start.
pub(crate) fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>> {
    let ca = files.ca.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CAS));
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(&ca).with_context(|| format!("--tls-ca {}: cannot read it", shown(&ca)))?;
    for cert in certs {
        let cert = cert.with_context(|| format!("--tls-ca {}: not PEM certificates", shown(&ca)))?;
        roots.add(cert).with_context(|| format!("--tls-ca {}: a certificate that cannot be a trust anchor", shown(&ca)))?;
    }
    if roots.is_empty() {
        bail!("--tls-ca {}: no certificate in it (PEM, `-----BEGIN CERTIFICATE-----`)", shown(&ca));
    }
    // The crypto is ring's (the only provider built in), TLS 1.2 and 1.3.
    let builder = ClientConfig::builder().with_root_certificates(roots);
    let config = match (&files.cert, &files.key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect())
                .with_context(|| format!("--tls-cert {}: cannot read PEM certificates from it", shown(cert)))?;
            if chain.is_empty() {
                bail!("--tls-cert {}: no certificate in it", shown(cert));
            }
            let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("--tls-key {}: cannot read a PEM private key from it", shown(key)))?;
            builder.with_client_auth_cert(chain, key).context("--tls-cert and --tls-key do not make a client certificate")?
        }
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    Ok(Arc::new(config))
}

/// A TLS connection over `tcp` to `host`, the handshake completed within `timeout`.
pub(crate) fn connect(config: &Arc<ClientConfig>, host: &str, tcp: TcpStream, timeout: Duration) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let name = ServerName::try_from(host.to_owned()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{host}: {e}")))?;
    let conn = ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let mut tls = StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).map_err(explained)?;
    }
    tls.sock.set_read_timeout(None)?;
    Ok(tls)
}

/// A TLS failure, said for the operator: which check the collector's certificate failed.
fn explained(e: io::Error) -> io::Error {
    use rustls::{CertificateError as C, Error as E};
    let said = match e.get_ref().and_then(|inner| inner.downcast_ref::<E>()) {
        Some(E::InvalidCertificate(C::UnknownIssuer)) => "the collector's certificate is not signed by a CA in --tls-ca (unknown issuer)".to_owned(),
        Some(E::InvalidCertificate(c @ (C::NotValidForName | C::NotValidForNameContext { .. }))) => {
            format!("the collector's certificate is not for this name: {c}")
        }
        Some(E::InvalidCertificate(c @ (C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. }))) => {
            format!("the collector's certificate is not valid now: {c}")
        }
        Some(E::AlertReceived(alert)) => format!("the collector refused the TLS session ({alert:?}; a client certificate it does not accept?)"),
        Some(other) => format!("TLS: {other}"),
        None => return e,
    };
    io::Error::new(e.kind(), said)
}
