//! The servers under load, each a child process started here on 127.0.0.1 and stopped by its
//! PID: ocp-mock, a bare hyper server and nginx, the last two answering the mock's own bytes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const MOCK: &str = env!("CARGO_BIN_EXE_ocp-mock");
pub const ADMIN_BASIC: &str = "Basic YWRtaW46YWFBQTExX18=";

/// A server child process, stopped by its PID when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

/// Which server, and how it is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// nginx, one worker process, `return 200` with the mock's bytes.
    Nginx,
    /// hyper answering the mock's bytes, precomputed, with the mock's default worker threads.
    Bare,
    /// ocp-mock with its default worker threads (half the CPUs, at least one).
    Mock,
    /// ocp-mock with `--worker-threads 2`.
    MockTwoThreads,
}

impl Kind {
    pub fn is_mock(self) -> bool {
        matches!(self, Kind::Mock | Kind::MockTwoThreads)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx (1 worker)",
            Kind::Bare => "bare hyper",
            Kind::Mock => "ocp-mock",
            Kind::MockTwoThreads => "ocp-mock --worker-threads 2",
        }
    }
}

/// What the non-mock servers answer, and where the mock finds its inventory.
pub struct Fixtures<'a> {
    pub dir: &'a Path,
    pub inventory: &'a Path,
    /// The mock's answer to the documented DELETE, then to the replayed GET, and its path.
    pub delete_body: &'a Path,
    pub get_body: &'a Path,
    pub get_path: &'a str,
}

impl Server {
    pub fn start(kind: Kind, f: &Fixtures) -> Self {
        match kind {
            Kind::Nginx => Self::start_nginx(f),
            Kind::Bare => {
                let mut c = Command::new(std::env::current_exe().expect("this program"));
                c.arg("bare-server")
                    .arg(f.delete_body)
                    .arg(f.get_body)
                    .arg(f.get_path);
                Self::start_announced(c, false)
            }
            Kind::Mock => Self::start_mock(f.inventory, &[]),
            Kind::MockTwoThreads => Self::start_mock(f.inventory, &["--worker-threads", "2"]),
        }
    }

    /// A process that prints `... http://ADDR` on its first line (stderr for the mock).
    pub fn start_announced(mut command: Command, from_stderr: bool) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a server");
        let line = if from_stderr {
            let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
            let first = lines.next().expect("a start-up line").expect("utf-8");
            std::thread::spawn(move || for _ in lines {});
            first
        } else {
            let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
            lines.next().expect("a start-up line").expect("utf-8")
        };
        let addr = line
            .rsplit("http://")
            .next()
            .expect("an address")
            .to_owned();
        Self { child, addr }
    }

    pub fn start_mock(inventory: &Path, extra: &[&str]) -> Self {
        let mut c = Command::new(MOCK);
        c.args(["serve", "--addr", "127.0.0.1:0", "--quiet"])
            .args(["--task-pace", "time:0", "--respawn-deleted"])
            .arg("--inventory")
            .arg(inventory)
            .args(extra);
        Self::start_announced(c, true)
    }

    /// nginx in the foreground, one process (`master_process off`: the process started here is
    /// the one worker, so stopping it by PID stops nginx), answering the mock's bytes.
    fn start_nginx(f: &Fixtures) -> Self {
        let port = free_port();
        let read = |p: &Path| std::fs::read_to_string(p).expect("a body");
        let conf = f.dir.join("nginx.conf");
        std::fs::write(
            &conf,
            nginx_conf(
                f.dir,
                port,
                &read(f.delete_body),
                f.get_path,
                &read(f.get_body),
            ),
        )
        .expect("write nginx.conf");
        let child = Command::new(nginx_program())
            .arg("-p")
            .arg(f.dir)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let server = Self {
            child,
            addr: format!("127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(&server.addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "nginx did not start; see {}",
                f.dir.join("nginx-error.log").display()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A figure of the mock's `GET /__mock/health` (`requests`, `tasks`).
    pub fn health(&self, field: &str) -> u64 {
        let reply = http(&self.addr, "GET", "/__mock/health").unwrap_or_default();
        let body = reply.split("\r\n\r\n").nth(1).unwrap_or("{}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        v["data"][field].as_u64().unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nginx` on the path, or Debian's place for it.
pub fn nginx_program() -> &'static str {
    if Command::new("nginx").arg("-v").output().is_ok() {
        "nginx"
    } else {
        "/usr/sbin/nginx"
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("addr").port()
}

/// The configuration: one process, no access log, keep-alive without a request limit (as the
/// mock), `return 200` with the given bytes.
fn nginx_conf(dir: &Path, port: u16, delete_body: &str, get_path: &str, get_body: &str) -> String {
    for body in [delete_body, get_body] {
        assert!(
            !body.contains(['\'', '\\', '$']),
            "a body nginx's `return` would change"
        );
    }
    let d = dir.display();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_body_temp_path {d}/nginx-body;
  server {{
    listen 127.0.0.1:{port};
    default_type application/json;
    location = {get_path} {{ return 200 '{get_body}'; }}
    location / {{ return 200 '{delete_body}'; }}
  }}
}}
"#
    )
}

/// One request on a fresh connection; the whole answer as text.
pub fn http(addr: &str, method: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {ADMIN_BASIC}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The body of an answer.
pub fn body(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// The limit of this machine for these payloads: hyper answering precomputed bytes (the GET's
/// on its path, the DELETE's on every other).
pub fn bare_server(delete_body: &Path, get_body: &Path, get_path: String) {
    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    let delete = Bytes::from(std::fs::read(delete_body).expect("the DELETE's body"));
    let get = Bytes::from(std::fs::read(get_body).expect("the GET's body"));
    // The mock's own default, so that the two differ in the work per request only.
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(ocp_mock::default_worker_threads(cpus))
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!(
            "bare listening on http://{}",
            listener.local_addr().expect("addr")
        );
        let get_path: &'static str = get_path.leak();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (delete, get) = (delete.clone(), get.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let body = if req.uri().path() == get_path {
                        get.clone()
                    } else {
                        delete.clone()
                    };
                    async move {
                        let mut res = hyper::Response::new(Full::new(body));
                        res.headers_mut().insert(
                            hyper::header::CONTENT_TYPE,
                            hyper::header::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, std::convert::Infallible>(res)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
