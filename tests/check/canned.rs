//! A stand-in OCP on 127.0.0.1 that answers canned bytes, built from the documented example: a
//! faithful one by default, drifted by whatever function a test passes. The checker must pass the
//! faithful one and name each drift.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{ADMIN_BASIC, documented_example};

/// What the canned target was asked.
#[derive(Debug, Clone)]
pub struct Asked {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub authorization: Option<String>,
    /// Which task poll this is (1 for the first GET of the task), 0 for other requests.
    pub poll: usize,
}

impl Asked {
    /// Whether this is that call, made with the caller's credentials (the 401 probes call the
    /// cluster list too, without them).
    pub fn is(&self, method: &str, target: &str) -> bool {
        self.method == method
            && self.target == target
            && self.authorization.as_deref() == Some(ADMIN_BASIC)
    }
}

/// What the canned target answers.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Bytes sent instead of an HTTP answer, when set.
    pub raw: Option<Vec<u8>>,
    /// Keep the connection open this long without answering.
    pub stall: Option<Duration>,
}

impl Canned {
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            content_type: "application/json".into(),
            body: body.to_string().into_bytes(),
            raw: None,
            stall: None,
        }
    }

    /// The body as JSON, for a drift to edit.
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a canned body is JSON")
    }

    /// The same answer with its JSON body edited.
    pub fn edit(mut self, change: impl FnOnce(&mut Value)) -> Self {
        let mut value = self.value();
        change(&mut value);
        self.body = value.to_string().into_bytes();
        self
    }

    fn bytes(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut out = format!(
            "HTTP/1.1 {} Canned\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len()
        )
        .into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

pub type Drift = dyn Fn(&Asked, Canned) -> Canned + Send + Sync;

/// A listener on 127.0.0.1 whose connections a thread hands to `on_connection`; stops when
/// dropped. The test targets (this canned one, the drift proxy) run on it.
pub struct Listener {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Listener {
    pub fn spawn(mut on_connection: impl FnMut(TcpStream) + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(tcp) = tcp {
                    on_connection(tcp);
                }
            }
        });
        Self { address, stop }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
    }
}

/// A request head, up to its blank line (at most 64 KiB); `None` if the stream ends first.
pub fn read_head(stream: &mut impl Read) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

/// A canned target running on a thread; stops when dropped.
pub struct Target {
    listener: Listener,
    secure: bool,
}

impl Target {
    /// The faithful target with `drift` applied to every answer.
    pub fn start(drift: impl Fn(&Asked, Canned) -> Canned + Send + Sync + 'static) -> Self {
        Self::spawn(Arc::new(drift), None)
    }

    /// The same over TLS, with the test certificate for `localhost` and `127.0.0.1`.
    #[cfg(feature = "tls")]
    pub fn start_tls(drift: impl Fn(&Asked, Canned) -> Canned + Send + Sync + 'static) -> Self {
        Self::spawn(Arc::new(drift), Some(super::tls::server_config()))
    }

    #[cfg(feature = "tls")]
    fn spawn(drift: Arc<Drift>, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let secure = tls.is_some();
        Self::accept_loop(drift, secure, move |tcp| match &tls {
            Some(config) => {
                let connection = rustls::ServerConnection::new(config.clone())
                    .expect("a server connection from a valid config");
                Box::new(rustls::StreamOwned::new(connection, tcp))
            }
            None => Box::new(tcp),
        })
    }

    #[cfg(not(feature = "tls"))]
    fn spawn(drift: Arc<Drift>, _tls: Option<()>) -> Self {
        Self::accept_loop(drift, false, |tcp| Box::new(tcp))
    }

    fn accept_loop(
        drift: Arc<Drift>,
        secure: bool,
        wrap: impl Fn(TcpStream) -> Box<dyn ReadWrite> + Send + 'static,
    ) -> Self {
        let polls = AtomicUsize::new(0);
        let listener = Listener::spawn(move |tcp| {
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
            let mut stream = wrap(tcp);
            let Some(mut asked) = read_request(&mut stream) else {
                return;
            };
            if asked.is("GET", &format!("{TASK_PATH}{TASK_ID}")) {
                asked.poll = polls.fetch_add(1, Ordering::SeqCst) + 1;
            }
            let canned = drift(&asked, faithful(&asked));
            if let Some(stall) = canned.stall {
                std::thread::sleep(stall);
                return;
            }
            let _ = stream.write_all(&canned.bytes());
            let _ = stream.flush();
        });
        Self { listener, secure }
    }

    pub fn uri(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.listener.address())
    }
}

pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn read_request(stream: &mut Box<dyn ReadWrite>) -> Option<Asked> {
    let head = read_head(stream)?;
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let authorization = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.trim().to_owned());
    Some(Asked {
        method,
        target,
        authorization,
        poll: 0,
    })
}

pub const TASK_ID: i64 = 33149;
pub const TASK_PATH: &str = "/api/v2/tasks/instances/";
pub const DELETE_PATH: &str = "/api/v2/obproxy/clusters/1/obproxies/2";
pub const LIST_PATH: &str = "/api/v2/obproxy/clusters?page=1&size=10";

/// An OCP error envelope.
pub fn error(status: u16, code: i64, message: &str) -> Canned {
    Canned::json(
        status,
        &json!({
            "duration": 2,
            "error": {"code": code, "message": message},
            "server": "xxx.xxx.xxx.xxx",
            "status": status,
            "successful": false,
            "timestamp": "2021-09-03T16:31:58.162+08:00",
            "traceId": "0fda4c74b7a84932",
        }),
    )
}

fn success(data: Value) -> Canned {
    Canned::json(
        200,
        &json!({
            "data": data,
            "duration": 5,
            "server": "xxx.xxx.xxx.xxx",
            "status": 200,
            "successful": true,
            "timestamp": "2021-09-03T16:31:58.162+08:00",
            "traceId": "0fda4c74b7a84932",
        }),
    )
}

fn cluster() -> Value {
    json!({
        "id": 1, "name": "test", "address": "10.0.0.1", "port": 2883, "workMode": "NORMAL",
        "obproxies": [{
            "id": 2, "clusterId": 1, "hostId": 2, "ip": "10.0.0.2", "sqlPort": 2883,
            "exporterPort": 2884, "version": "3.2.0", "status": "RUNNING", "operateStatus": "NORMAL"
        }]
    })
}

/// What a faithful OCP answers, built from the documented example.
pub fn faithful(asked: &Asked) -> Canned {
    match asked.authorization.as_deref() {
        None => return error(401, 10000, "Not logged in or logon failed"),
        Some(auth) if auth != ADMIN_BASIC => {
            return error(401, 10000, "Not logged in or logon failed");
        }
        Some(_) => {}
    }
    let method = asked.method.as_str();
    let target = asked.target.as_str();
    if method == "GET" && target == LIST_PATH {
        let page = json!({"number": 1, "size": 10, "totalElements": 1, "totalPages": 1});
        return success(json!({"contents": [cluster()], "page": page}));
    }
    if method == "GET" && target == "/api/v2/obproxy/clusters/1" {
        return success(cluster());
    }
    if method == "GET" && target == "/api/v2/obproxy/clusters/abc" {
        return error(400, 10001, "Parameter id is empty or invalid");
    }
    if method == "GET" && target.starts_with("/api/v2/obproxy/clusters/") {
        return error(404, 21001, "OBProxy cluster not found");
    }
    if method == "GET" && target == format!("{TASK_PATH}{TASK_ID}") {
        return success(task_at_poll(asked.poll));
    }
    if method == "GET" && target.starts_with(TASK_PATH) {
        return error(404, 10001, "Task does not exist");
    }
    if method == "DELETE" && target == DELETE_PATH {
        return Canned::json(200, &documented_example());
    }
    error(404, 10003, "Invalid request")
}

/// The documented task's subtasks' positions in execution order (it is a chain).
pub fn chain(task: &Value) -> Vec<usize> {
    let subtasks = task["subtasks"].as_array().expect("subtasks");
    let position_of = |id: &Value| subtasks.iter().position(|s| &s["id"] == id);
    let mut at = subtasks
        .iter()
        .position(|s| s["upstreams"].as_array().is_some_and(Vec::is_empty))
        .expect("an entry");
    let mut order = vec![at];
    while let Some(next) = subtasks[at]["downstreams"].get(0).and_then(position_of) {
        order.push(next);
        at = next;
    }
    order
}

/// The documented task as a task query shows it after `poll` polls: three more subtasks
/// finished each time, SUCCESSFUL at the third.
pub fn task_at_poll(poll: usize) -> Value {
    let mut task = documented_example()["data"].clone();
    let order = chain(&task);
    let done = (3 * poll).min(order.len());
    for (rank, &position) in order.iter().enumerate() {
        let status = match rank {
            r if r < done => "SUCCESSFUL",
            r if r == done => "RUNNING",
            _ => "PENDING",
        };
        task["subtasks"][position]["status"] = status.into();
    }
    task["creator"] = json!({"id": 1, "name": "admin"});
    task["createTime"] = "2021-09-03T16:31:58.151+08:00".into();
    if done == order.len() {
        task["status"] = "SUCCESSFUL".into();
        task["finishTime"] = "2021-09-03T16:32:30.000+08:00".into();
    }
    task
}
