use std::process::ExitCode;

use ocp_mock::cli::{self, Command, USAGE};
use ocp_mock::mock::auth::AuthSettings;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args, &|var| std::env::var(var).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ocp-mock: {e}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("ocp-mock {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Serve(options) => serve(*options),
        Command::Check(options) => ExitCode::from(ocp_mock::check::run_check(&options)),
        Command::Validate(options) => ExitCode::from(ocp_mock::check::run_validate(&options)),
    }
}

fn serve(options: cli::ServeOptions) -> ExitCode {
    let addr = options.addr;
    let auth = options.settings.auth.clone();
    let scenarios = options.settings.scenarios.clone();
    let admin_api = options.settings.admin_api;
    if let Err(e) = options.settings.check() {
        eprintln!("ocp-mock: --scenario: {e}");
        return ExitCode::from(2);
    }
    let settings = options.settings;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ocp-mock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("ocp-mock: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let shown = listener.local_addr().unwrap_or(addr);
        eprintln!("ocp-mock listening on http://{shown}");
        print_identities(&auth);
        if shown.ip().is_unspecified() && auth.uses_a_published_identity() {
            eprintln!(
                "ocp-mock: warning: listening on all interfaces while a published default identity \
                 (or --no-auth) is accepted; set --user and --access-key, or bind 127.0.0.1"
            );
        }
        if shown.ip().is_unspecified() && admin_api {
            eprintln!(
                "ocp-mock: warning: the admin API (/__mock/, no credentials) is reachable on all \
                 interfaces; --no-admin switches it off"
            );
        }
        for s in &scenarios {
            eprintln!("ocp-mock: scenario {s}");
        }
        match ocp_mock::serve(listener, settings, shutdown_signal()).await {
            Ok(()) => {
                eprintln!("ocp-mock stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ocp-mock: {e}");
                ExitCode::FAILURE
            }
        }
    })
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

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
