//! `ocp-mock`: the mock server and the contract checker on the command line. Parsing lives in
//! [`cli`]; what runs is the library's front door.

mod cli;

use std::process::ExitCode;

use cli::{Invocation, RecordRun, ServeOptions};
use ocp_mock::{AuthSettings, ServeError, Settings};

fn main() -> ExitCode {
    let invocation = match cli::parse(std::env::args_os()) {
        Ok(invocation) => invocation,
        Err(e) if e.is_help() => {
            e.print_help();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ocp-mock: {e}");
            if let Some(report) = e.report() {
                print!("{report}");
            }
            return ExitCode::from(2);
        }
    };
    match invocation {
        Invocation::Version => {
            println!("ocp-mock {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Invocation::Serve(options) => serve(*options),
        Invocation::Record(run) => record(*run),
        Invocation::Check(options) => ExitCode::from(ocp_mock::check::run_check(&options)),
        Invocation::Validate(options) => ExitCode::from(ocp_mock::check::run_validate(&options)),
        Invocation::Openapi(version) => openapi(version),
    }
}

/// `ocp-mock openapi`: the document on stdout. A closed stdout (`| head`) is an error like any
/// other failed write.
fn openapi(version: ocp_mock::OcpVersion) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(ocp_mock::openapi::text(version).as_bytes())
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ocp-mock: cannot write the document: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(options: ServeOptions) -> ExitCode {
    let ServeOptions {
        addr,
        settings,
        port_file,
        worker_threads,
    } = options;
    // A bad scenario is an argument error: refused before the port is bound and announced.
    if let Err(e) = settings.check_scenarios() {
        return serve_failed(e.into());
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads)
        .enable_all()
        .build();
    let runtime = match built {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ocp-mock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The documented API is parsed before the address is announced: a client (or a signal) that
    // arrives as soon as the address is printed finds the mock ready.
    ocp_mock::catalogue::Catalogue::of(settings.ocp_version);
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("ocp-mock: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Before the address is announced: a SIGTERM sent as soon as it is read stops the mock
        // gracefully instead of killing it.
        let shutdown = shutdown_signal();
        let shown = listener.local_addr().unwrap_or(addr);
        eprintln!("ocp-mock listening on http://{shown}");
        if let Err(e) = announce_address(shown, port_file.as_deref()) {
            eprintln!("ocp-mock: {e}");
            return ExitCode::FAILURE;
        }
        announce(&settings, cli::all_interfaces(shown.ip()));
        match ocp_mock::serve(listener, settings, shutdown).await {
            Ok(()) => {
                eprintln!("ocp-mock stopped");
                ExitCode::SUCCESS
            }
            Err(e) => serve_failed(e),
        }
    })
}

/// The port alone in `port_file`, written whole (a temporary file renamed) so a reader polling
/// for it never sees half of it; then the base URL on stdout, one line (a script reads the port
/// `--addr HOST:0` chose from either).
fn announce_address(
    addr: std::net::SocketAddr,
    port_file: Option<&std::path::Path>,
) -> Result<(), String> {
    use std::io::Write;
    if let Some(path) = port_file {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        std::fs::write(&partial, format!("{}\n", addr.port()))
            .and_then(|()| std::fs::rename(&partial, path))
            .map_err(|e| format!("--port-file: cannot write {}: {e}", path.display()))?;
    }
    let mut stdout = std::io::stdout();
    // A closed stdout is no reason to stop serving.
    let _ = writeln!(stdout, "http://{addr}").and_then(|()| stdout.flush());
    Ok(())
}

/// `ocp-mock record`: the proxy until SIGINT or SIGTERM. A bad target or output directory
/// exits 2 before anything is bound.
fn record(run: RecordRun) -> ExitCode {
    let RecordRun {
        addr,
        options,
        port_file,
    } = run;
    let (target, out) = (options.target.clone(), options.out.display().to_string());
    let proxy = match ocp_mock::record::Proxy::new(options) {
        Ok(proxy) => proxy,
        Err(e) => {
            eprintln!("ocp-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    let Ok(runtime) = runtime else {
        eprintln!("ocp-mock: cannot start the runtime");
        return ExitCode::FAILURE;
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("ocp-mock: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let shutdown = shutdown_signal();
        let shown = listener.local_addr().unwrap_or(addr);
        eprintln!("ocp-mock recording {target} into {out}, listening on http://{shown}");
        if let Err(e) = announce_address(shown, port_file.as_deref()) {
            eprintln!("ocp-mock: {e}");
            return ExitCode::FAILURE;
        }
        match proxy.run(listener, shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ocp-mock: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// A scenario the task cannot honour exits 2 like any bad argument; anything else is 1.
fn serve_failed(error: ServeError) -> ExitCode {
    match error {
        ServeError::Scenario(why) => {
            eprintln!("ocp-mock: --scenario: {why}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("ocp-mock: {other}");
            ExitCode::FAILURE
        }
    }
}

/// Who may call, what is exposed, and the scenarios active from the start.
fn announce(settings: &Settings, all_interfaces: bool) {
    let auth = &settings.auth;
    print_identities(auth);
    if all_interfaces && auth.uses_a_published_identity() {
        eprintln!(
            "ocp-mock: warning: listening on all interfaces while a published default identity \
             (or --no-auth) is accepted; set --user and --access-key, or bind 127.0.0.1"
        );
    }
    if all_interfaces && settings.admin_api {
        eprintln!(
            "ocp-mock: warning: the admin API (/__mock/, no credentials) is reachable on all \
             interfaces; --no-admin switches it off"
        );
    }
    for s in &settings.scenarios {
        eprintln!("ocp-mock: scenario {s}");
    }
    if let Some(replay) = &settings.replay {
        eprintln!("ocp-mock: replaying {} recorded answers", replay.len());
        for difference in replay.differences() {
            eprintln!("ocp-mock: replay: not as documented: {difference}");
        }
    }
}

/// Says who may call: the default identities in full (they are public), others by name only.
fn print_identities(auth: &AuthSettings) {
    if !auth.enabled {
        eprintln!("ocp-mock: authentication is off (--no-auth): every request acts as admin");
        return;
    }
    let defaults = AuthSettings::default();
    let users = auth.users.iter().map(|u| {
        let published = defaults.users.contains(u);
        ("Basic user", &u.name, &u.password, u.role, published)
    });
    let keys = auth.access_keys.iter().map(|k| {
        let published = defaults.access_keys.contains(k);
        ("access key", &k.id, &k.secret, k.role, published)
    });
    // The default identities are public, so they are shown whole; others by name only.
    for (kind, name, secret, role, published) in users.chain(keys) {
        let role = role.as_str();
        if published {
            eprintln!("ocp-mock: {kind} {name}:{secret} ({role})");
        } else {
            eprintln!("ocp-mock: {kind} {name} ({role})");
        }
    }
}

/// Completes on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled (the accept loop may not poll it before answering a first client), so
/// a signal sent any time after the call stops the mock gracefully.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let handlers = signal(SignalKind::interrupt()).and_then(|interrupt| {
            signal(SignalKind::terminate()).map(|terminate| (interrupt, terminate))
        });
        async move {
            match handlers {
                Ok((mut interrupt, mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
