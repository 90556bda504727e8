//! TLS for `https://` targets: rustls with the ring provider, which builds from a small C and
//! assembly core with no cmake step, and Mozilla's roots compiled in, so the checker behaves the
//! same on every machine whatever its certificate store. A staging OCP behind an internal CA is
//! trusted with `--ca-cert FILE`; `--insecure` skips the certificate check for a self-signed
//! test box (signatures are still verified, so the session is still TLS, just unauthenticated).

use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};

/// The client configuration: Mozilla's roots plus the PEM certificates of `ca_cert`, or no
/// certificate check at all with `insecure`.
pub fn client_config(ca_cert: Option<&Path>, insecure: bool) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?;
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = ca_cert {
            let shown = path.display();
            let mut added = 0;
            let certificates = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("--ca-cert {shown}: {e}"))?;
            for certificate in certificates {
                let certificate = certificate.map_err(|e| format!("--ca-cert {shown}: {e}"))?;
                roots
                    .add(certificate)
                    .map_err(|e| format!("--ca-cert {shown}: {e}"))?;
                added += 1;
            }
            if added == 0 {
                return Err(format!("--ca-cert {shown}: no PEM certificate in the file"));
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Runs the handshake to completion before any request is written, so that a certificate or
/// protocol problem is reported as such (exit 2) and not as a broken answer.
pub(super) fn handshake(
    config: Arc<ClientConfig>,
    host: &str,
    mut tcp: TcpStream,
    deadline: Instant,
) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("{host:?}: {e}"))?;
    let mut connection = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    while connection.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("no handshake before the timeout".into());
        }
        tcp.set_read_timeout(Some(left))
            .and_then(|()| tcp.set_write_timeout(Some(left)))
            .map_err(|e| e.to_string())?;
        match connection.complete_io(&mut tcp) {
            Ok((0, 0)) if connection.is_handshaking() => {
                return Err("the connection closed during the handshake".into());
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(StreamOwned::new(connection, tcp))
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
