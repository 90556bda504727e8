//! The probes: calls whose answer OCP documents, sent to a target and judged with the contract.
//!
//! The safe ones change nothing on the target: they are reads, errors, or both. The destructive
//! one, the delete and its polling, lives in `task.rs`.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use http::Method;
use http::header::{ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, DATE, HeaderName};

use super::client::{Answer, Client, Target};
use super::report::{ProbeResult, Report};
pub use super::version::describe_info;
use super::{CheckError, CheckOptions, Credentials, judge, names, version};
use crate::contract::Expect;
use crate::ocp::signature::{self, SCHEME, SignedParts, Variant};
use crate::ocp::version::OcpVersion;

/// The first page of clusters, as OCP's console asks for it.
pub const CLUSTER_LIST_PATH: &str = "/api/v2/obproxy/clusters?page=1&size=10";

/// Where OCP describes its build: read first, to say which OCP the target looks like.
pub const INFO_PATH: &str = "/api/v2/info";

/// A Basic user no OCP has, for the wrong-credentials probe: failing to log on as a real user
/// could count towards locking that account on a deployment with a lockout policy.
pub const NO_SUCH_USER: &str = "ocp-mock-check-no-such-user";

/// Who a request claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    /// No `Authorization` at all.
    Nobody,
    /// The credentials given to the check.
    Caller,
    /// Credentials that must be refused: an unknown Basic user, or the access key signing with
    /// the wrong secret.
    Impostor,
}

/// Runs the probes against one target. Each probe method sends its requests and returns its
/// verdict; an `Err` means the target could not be reached at all (exit 2).
pub struct Checker {
    client: Client,
    pub(crate) options: CheckOptions,
    /// Set when the target URL ended in the API prefix and was corrected.
    correction: Option<String>,
    /// What `GET /api/v2/info` said of the target's version, read once: the note and the
    /// version the error probes are judged by.
    version: OnceLock<(String, Option<OcpVersion>)>,
}

impl Checker {
    /// Parses the target URL and prepares TLS; nothing is sent yet.
    pub fn new(options: &CheckOptions) -> Result<Self, CheckError> {
        let correction = super::corrected_target(&options.target);
        let url = correction
            .as_ref()
            .map_or(options.target.as_str(), |c| &c.0);
        let target = Target::parse(url)?;
        let client = Client::new(
            target,
            options.timeout,
            options.ca_cert.as_deref(),
            options.insecure,
        )?;
        Ok(Self {
            client,
            options: options.clone(),
            correction: correction.map(|c| c.1),
            version: OnceLock::new(),
        })
    }

    /// Every probe in order; the destructive ones are listed as skipped unless asked for; then,
    /// with `all_reads`, every documented GET.
    ///
    /// When the target refuses the credentials given (401 on the cluster list), the check
    /// stops there: every later probe would fail for that one reason, which is a mistake in
    /// the check's settings (exit 2), not drift.
    pub fn run(&self) -> Result<Report, CheckError> {
        let mut notes: Vec<String> = self.correction.iter().cloned().collect();
        notes.push(self.ocp_version_note());
        let mut probes = vec![self.unauthenticated_call()?, self.wrong_credentials()?];
        let list = self.cluster_list()?;
        if list.status == Some(401) {
            return Err(CheckError::Refused {
                who: self.options.credentials.describe(),
                request: list.request,
            });
        }
        if self.options.all_reads {
            // Known once the target is known to take the credentials, and before the delete.
            self.reads_version()?;
        }
        let detail = self.cluster_detail(&list)?;
        probes.extend([
            list,
            detail,
            self.unknown_cluster()?,
            self.malformed_cluster_id()?,
            self.unknown_task()?,
        ]);
        match &self.options.delete {
            Some(target) => {
                self.delete_precondition(target)?;
                let delete = self.delete_obproxies(target)?;
                if let Some(stale) =
                    super::precondition::refused_delete(delete.status, delete.body.as_ref())
                {
                    return Err(stale);
                }
                let progress = self.task_progress(&delete)?;
                probes.extend([delete, progress]);
            }
            None => {
                let why = "destructive: needs --delete CLUSTER_ID:SERVER_IDS --allow-delete";
                probes.push(ProbeResult::skipped(
                    names::DELETE_OBPROXIES,
                    "DELETE /api/v2/obproxy/clusters/{id}/obproxies/{ids}",
                    why,
                ));
                probes.push(ProbeResult::skipped(
                    names::TASK_PROGRESS,
                    "GET /api/v2/tasks/instances/{taskId}",
                    "follows the delete",
                ));
            }
        }
        // After the delete, when there is one: its task is then there to be read.
        probes.extend(self.reads_if_asked(&mut notes)?);
        Ok(Report {
            command: "check",
            subject: self.client.target().to_string(),
            notes,
            probes,
        })
    }

    /// Which OCP the target looks like, from `GET /api/v2/info` (authenticated): a note, never
    /// a verdict by itself, since a gateway may hide the call and OCP's pages document it alike.
    /// Even an unreachable target only gives a note here; the probes that follow report it.
    pub fn ocp_version_note(&self) -> String {
        format!("GET {INFO_PATH}: {}", self.read_version().0)
    }

    /// The OCP version the target reports in `/api/v2/info`, when it names one the mock knows
    /// and [`Self::ocp_version_note`] has read it (a run reads it first): the error probes then
    /// judge `error.code` by it (integers in 3.1.1, string ids from 4.2.2). A probe run on its
    /// own sends nothing more than its own request.
    pub fn target_version(&self) -> Option<OcpVersion> {
        self.version.get().and_then(|(_, version)| *version)
    }

    fn read_version(&self) -> &(String, Option<OcpVersion>) {
        self.version
            .get_or_init(|| match self.ask(Method::GET, INFO_PATH, Who::Caller) {
                Ok(Ok(answer)) => version::read_info(answer.status, &answer.body),
                Ok(Err(why)) | Err(why) => (format!("no answer ({why})"), None),
            })
    }

    /// The cluster list without credentials: 401, with OCP's error envelope.
    pub fn unauthenticated_call(&self) -> Result<ProbeResult, CheckError> {
        self.expect_error(names::UNAUTHENTICATED, CLUSTER_LIST_PATH, Who::Nobody, 401)
    }

    /// The cluster list with credentials that must be refused: 401.
    pub fn wrong_credentials(&self) -> Result<ProbeResult, CheckError> {
        self.expect_error(
            names::WRONG_CREDENTIALS,
            CLUSTER_LIST_PATH,
            Who::Impostor,
            401,
        )
    }

    /// A well-formed cluster id that names nothing (`--missing-cluster-id`): 404. A read, so it
    /// stays harmless even if the id happens to exist.
    pub fn unknown_cluster(&self) -> Result<ProbeResult, CheckError> {
        let path = format!(
            "/api/v2/obproxy/clusters/{}",
            self.options.missing_cluster_id
        );
        self.expect_error(names::UNKNOWN_CLUSTER, &path, Who::Caller, 404)
    }

    /// A cluster id that is not a Long: 400.
    pub fn malformed_cluster_id(&self) -> Result<ProbeResult, CheckError> {
        let path = "/api/v2/obproxy/clusters/abc";
        self.expect_error(names::MALFORMED_CLUSTER_ID, path, Who::Caller, 400)
    }

    /// A task id that names nothing (the largest Long): 404.
    pub fn unknown_task(&self) -> Result<ProbeResult, CheckError> {
        let path = format!("/api/v2/tasks/instances/{}", i64::MAX);
        self.expect_error(names::UNKNOWN_TASK, &path, Who::Caller, 404)
    }

    /// The first page of OBProxy clusters: a success envelope around OCP's page.
    pub fn cluster_list(&self) -> Result<ProbeResult, CheckError> {
        let mut probe = self.probe(
            names::CLUSTER_LIST,
            Method::GET,
            CLUSTER_LIST_PATH,
            Who::Caller,
            200,
            Expect::Any,
        )?;
        let mut found = probe.violations().to_vec();
        let mut total = None;
        if let Some(body) = &probe.body {
            judge::cluster_list(body, &mut found);
            total = body.pointer("/data/page/totalElements").cloned();
        }
        probe.judge(found);
        if let Some(total) = total {
            probe.notes.push(format!("clusters on the target: {total}"));
        }
        Ok(probe)
    }

    /// The detail of the first cluster of the list; skipped when the list has none.
    pub fn cluster_detail(&self, list: &ProbeResult) -> Result<ProbeResult, CheckError> {
        let first = list
            .body
            .as_ref()
            .and_then(|body| body.pointer("/data/contents/0/id"))
            .and_then(serde_json::Value::as_i64);
        let Some(id) = first else {
            return Ok(ProbeResult::skipped(
                names::CLUSTER_DETAIL,
                "GET /api/v2/obproxy/clusters/{id}",
                "the cluster list names no cluster",
            ));
        };
        let path = format!("/api/v2/obproxy/clusters/{id}");
        let mut probe = self.probe(
            names::CLUSTER_DETAIL,
            Method::GET,
            &path,
            Who::Caller,
            200,
            Expect::Any,
        )?;
        let mut found = probe.violations().to_vec();
        if let Some(body) = &probe.body {
            judge::cluster_detail(body, id, &mut found);
        }
        probe.judge(found);
        Ok(probe)
    }

    /// An error probe: the expected status and an error envelope; the answer is compared with
    /// OCP's by its shape (the contract), as messages differ between versions, and its
    /// `error.code` by the form of the version the target reports.
    fn expect_error(
        &self,
        name: &str,
        path: &str,
        who: Who,
        status: u16,
    ) -> Result<ProbeResult, CheckError> {
        let mut probe = self.probe(name, Method::GET, path, who, status, Expect::Any)?;
        if let (Some(body), Some(version)) = (&probe.body, self.target_version()) {
            let mut found = probe.violations().to_vec();
            version::error_code_form(body, version, &mut found);
            probe.judge(found);
        }
        Ok(probe)
    }

    /// Sends one request and judges its answer.
    pub(crate) fn probe(
        &self,
        name: &str,
        method: Method,
        path: &str,
        who: Who,
        status: u16,
        expect: Expect,
    ) -> Result<ProbeResult, CheckError> {
        let started = Instant::now();
        let mut probe = ProbeResult::new(name, format!("{method} {path}"));
        match self.ask(method, path, who)? {
            Ok(answer) => {
                let (violations, body) = judge::answer(&answer, status, expect);
                probe.status = Some(answer.status);
                probe.body = body;
                probe.judge(violations);
            }
            Err(why) => probe.judge(vec![judge::not_http(&why.to_string())]),
        }
        probe.elapsed = started.elapsed();
        Ok(probe)
    }

    /// One exchange: `Ok(Err(why))` when the target answered something that is not HTTP, or
    /// too much of it.
    pub(crate) fn ask(
        &self,
        method: Method,
        path: &str,
        who: Who,
    ) -> Result<Result<Answer, CheckError>, CheckError> {
        let headers = self.headers(who, &method, path);
        match self.client.send(method, path, headers) {
            Ok(answer) => Ok(Ok(answer)),
            Err(why) if why.is_answer_fault() => Ok(Err(why)),
            Err(why) => Err(why),
        }
    }

    /// English messages (stable snapshots), JSON, and the credentials of `who`.
    fn headers(&self, who: Who, method: &Method, path: &str) -> Vec<(HeaderName, String)> {
        let mut headers = vec![
            (ACCEPT, "application/json".to_owned()),
            (ACCEPT_LANGUAGE, "en-US".to_owned()),
        ];
        match (who, &self.options.credentials) {
            (Who::Nobody, _) => {}
            (Who::Caller, Credentials::Basic { user, password }) => {
                headers.push((AUTHORIZATION, basic(user, password)));
            }
            (Who::Impostor, Credentials::Basic { .. }) => {
                headers.push((AUTHORIZATION, basic(NO_SUCH_USER, "wrong password")));
            }
            (Who::Caller, Credentials::AccessKey { id, secret }) => {
                headers.extend(self.signed(id, secret, method, path));
            }
            (Who::Impostor, Credentials::AccessKey { .. }) => {
                // A key id no OCP issues: a wrong signature on the real key could count
                // towards locking it.
                headers.extend(self.signed(NO_SUCH_USER, "wrong secret", method, path));
            }
        }
        headers
    }

    /// `Date` and an AK/SK `Authorization`, signed over exactly what is sent.
    fn signed(
        &self,
        id: &str,
        secret: &str,
        method: &Method,
        path_and_query: &str,
    ) -> [(HeaderName, String); 2] {
        let date = httpdate::fmt_http_date(SystemTime::now());
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let target = self.client.target();
        let full_path = format!("{}{path}", target.prefix);
        let host = target.host_header();
        let parts = SignedParts {
            method: method.as_str(),
            date: &date,
            host: &host,
            path: &full_path,
            query,
            ..SignedParts::default()
        };
        let signature = signature::sign(secret, &signature::string_to_sign(&parts, Variant::PLAIN));
        [
            (DATE, date),
            (AUTHORIZATION, format!("{SCHEME} {id}:{signature}")),
        ]
    }
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}
