//! TLS targets: the canned target behind a certificate for `localhost` and `127.0.0.1` that no
//! public root signs (`tls/localhost-cert.pem`, a throwaway key made for these tests only).

use std::sync::Arc;

use ocp_mock::check::{CheckError, CheckOptions, Credentials, check};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::canned::Target;

const CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/check/tls/localhost-cert.pem"
);
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/check/tls/localhost-key.pem"
);

pub fn server_config() -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = CertificateDer::pem_file_iter(CERT)
        .expect("the test certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("a PEM certificate");
    let key = PrivateKeyDer::from_pem_file(KEY).expect("the test key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("the key matches the certificate");
    Arc::new(config)
}

fn options(target: &Target) -> CheckOptions {
    CheckOptions::new(target.uri(), Credentials::basic("admin", "aaAA11__"))
}

#[test]
fn an_https_target_signed_by_the_ca_cert_given_is_checked_like_any_other() {
    let target = Target::start_tls(|_, canned| canned);
    let mut options = options(&target);
    options.ca_cert = Some(CERT.into());
    let report = check(&options).expect("the check runs over TLS");
    assert_eq!(
        report.failed(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
    assert!(report.subject.starts_with("https://127.0.0.1:"));
}

#[test]
fn an_https_target_with_an_unknown_certificate_cannot_be_checked() {
    let target = Target::start_tls(|_, canned| canned);
    let error = check(&options(&target)).expect_err("the certificate is not trusted");
    assert!(matches!(error, CheckError::Tls { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("tls with 127.0.0.1:"), "{message}");
    assert!(message.contains("invalid peer certificate"), "{message}");
}

#[test]
fn insecure_accepts_a_certificate_no_root_signs() {
    let target = Target::start_tls(|_, canned| canned);
    let mut options = options(&target);
    options.insecure = true;
    let report = check(&options).expect("the check runs over TLS");
    assert_eq!(
        report.failed(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
}

#[test]
fn a_ca_cert_file_without_a_certificate_is_refused_before_any_request() {
    let mut options = CheckOptions::new("https://127.0.0.1:9", Credentials::basic("a", "b"));
    options.ca_cert = Some(KEY.into());
    let error = check(&options).expect_err("a key is no certificate");
    assert_eq!(
        error.to_string(),
        format!("--ca-cert {KEY}: no PEM certificate in the file")
    );
}
