//! `ocp-mock record`: its flags, and how they become the proxy's [`RecordOptions`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap::builder::FalseyValueParser;
use ocp_mock::record::RecordOptions;

use super::values;
use super::{CliError, set};

/// The flags of `record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// http[s]://HOST[:PORT][/PREFIX] of the real OCP to record; required
    #[arg(long, env = "OCP_MOCK_TARGET", value_name = "URL")]
    target: Option<String>,
    /// The directory fixtures are written to (created if missing); required
    #[arg(long, env = "OCP_MOCK_OUT", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Where to listen; port 0 picks a free one
    #[arg(
        long,
        env = "OCP_MOCK_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080",
        value_parser = values::listen_addr
    )]
    addr: SocketAddr,
    /// The proxy's own AK/SK pair: AK/SK calls are signed again with it (Basic calls pass as
    /// they are)
    #[arg(
        long,
        env = "OCP_MOCK_RECORD_ACCESS_KEY",
        value_name = "ID:SECRET",
        hide_env_values = true
    )]
    access_key: Option<String>,
    /// Largest request body accepted (413 past it) and answer body recorded (default 1048576)
    #[arg(long, env = "OCP_MOCK_MAX_BODY_BYTES", value_name = "N", value_parser = values::count::<0>)]
    max_body_bytes: Option<usize>,
    /// Exchanges recorded at most; later ones are forwarded, not written (default 10000)
    #[arg(long, env = "OCP_MOCK_MAX_EXCHANGES", value_name = "N", value_parser = values::count::<1>)]
    max_exchanges: Option<usize>,
    /// Per exchange with the target: connect, send, answer (default 30000)
    #[arg(long, env = "OCP_MOCK_TIMEOUT", value_name = "MS", value_parser = values::millis_from::<1>)]
    timeout: Option<Duration>,
    /// Also trust these PEM certificates (https)
    #[arg(long, env = "OCP_MOCK_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Accept any certificate (https)
    #[arg(long, env = "OCP_MOCK_INSECURE", value_parser = FalseyValueParser::new())]
    insecure: bool,
    /// No line per exchange on stderr
    #[arg(long, env = "OCP_MOCK_QUIET", value_parser = FalseyValueParser::new())]
    quiet: bool,
    /// Also write the port listened on to this file once listening (with --addr HOST:0)
    #[arg(long, env = "OCP_MOCK_PORT_FILE", value_name = "PATH")]
    port_file: Option<PathBuf>,
}

/// What `record` runs: where to listen, and the proxy's options.
#[derive(Debug)]
pub struct RecordRun {
    /// The address to bind, already resolved.
    pub addr: SocketAddr,
    /// The target, the output directory and the bounds.
    pub options: RecordOptions,
    /// Where to write the port once listening.
    pub port_file: Option<PathBuf>,
}

impl RecordArgs {
    /// The proxy's options; `--target` and `--out` are required.
    pub fn into_run(self) -> Result<RecordRun, CliError> {
        let target = self.target.ok_or(CliError::Rule(
            "record needs --target URL (or OCP_MOCK_TARGET), the OCP to record",
        ))?;
        let out = self.out.ok_or(CliError::Rule(
            "record needs --out DIR (or OCP_MOCK_OUT), where fixtures go",
        ))?;
        let mut options = RecordOptions::new(target, out);
        if let Some(pair) = self.access_key {
            let (id, secret) = pair
                .split_once(':')
                .filter(|(id, secret)| !id.is_empty() && !secret.is_empty())
                .ok_or(CliError::bad("--access-key", "expected ID:SECRET"))?;
            options.access_key = Some((id.to_owned(), secret.to_owned()));
        }
        set(&mut options.max_body_bytes, self.max_body_bytes);
        set(&mut options.max_exchanges, self.max_exchanges);
        set(&mut options.timeout, self.timeout);
        options.ca_cert = self.ca_cert;
        options.insecure = self.insecure;
        options.log = !self.quiet;
        Ok(RecordRun {
            addr: self.addr,
            options,
            port_file: self.port_file,
        })
    }
}
