//! TLS for `https://` targets: rustls through tokio-rustls, with the ring provider, which builds from a small C and
//! assembly core with no cmake step, and Mozilla's roots compiled in, so the checker behaves the
//! same on every machine whatever its certificate store. A staging OCP behind an internal CA is
//! trusted with `--ca-cert FILE`; `--insecure` skips the certificate check for a self-signed
//! test box (signatures are still verified, so the session is still TLS, just unauthenticated).

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::CheckError;

/// The connector: Mozilla's roots plus the PEM certificates of `ca_cert`, or no certificate
/// check at all with `insecure`.
pub(super) fn connector(
    ca_cert: Option<&Path>,
    insecure: bool,
) -> Result<TlsConnector, CheckError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring provides TLS 1.2 and 1.3, the safe default versions");
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(roots(ca_cert)?)
            .with_no_client_auth()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Mozilla's roots, and those of `--ca-cert`, which must hold at least one certificate.
fn roots(ca_cert: Option<&Path>) -> Result<RootCertStore, CheckError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let Some(path) = ca_cert else {
        return Ok(roots);
    };
    let refused = |reason: String| CheckError::CaCert {
        path: path.display().to_string(),
        reason,
    };
    let mut added = 0;
    let certificates = CertificateDer::pem_file_iter(path).map_err(|e| refused(e.to_string()))?;
    for certificate in certificates {
        let certificate = certificate.map_err(|e| refused(e.to_string()))?;
        roots.add(certificate).map_err(|e| refused(e.to_string()))?;
        added += 1;
    }
    if added == 0 {
        return Err(refused("no PEM certificate in the file".into()));
    }
    Ok(roots)
}

/// Runs the handshake to completion before any request is written, so that a certificate or
/// protocol problem is reported as such (exit 2) and not as a broken answer.
pub(super) async fn handshake(
    connector: &TlsConnector,
    host: &str,
    authority: &str,
    tcp: TcpStream,
) -> Result<CloseTolerant<TlsStream<TcpStream>>, CheckError> {
    let failed = |reason: String| CheckError::Tls {
        authority: authority.to_owned(),
        reason,
    };
    let name =
        ServerName::try_from(host.to_owned()).map_err(|e| failed(format!("{host:?}: {e}")))?;
    let stream = connector
        .connect(name, tcp)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(CloseTolerant(stream))
}

/// A TLS stream whose peer may close without `close_notify`: the answer ends there, as it does
/// for every client that reads to the end of the connection, instead of failing the exchange.
pub(super) struct CloseTolerant<S>(S);

impl<S: AsyncRead + Unpin> AsyncRead for CloseTolerant<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.0).poll_read(cx, buf) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Poll::Ready(Ok(())),
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CloseTolerant<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// `--insecure`: accepts any certificate chain, but still checks that the handshake is signed by
/// the key of the certificate presented.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_schemes()
    }
}
