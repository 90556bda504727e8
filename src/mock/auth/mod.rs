//! Authentication as OCP does it: HTTP Basic and AK/SK HMAC-SHA1 signatures.
//!
//! Runs before routing on every `/api/` request. A failure is a 401 `IAM10000` envelope whose
//! `debugMessage` says which check failed; a bad signature also shows the string to sign the mock
//! computed, so a client author can compare it with their own. Secrets and expected signatures
//! never appear in any answer or log.

pub mod basic;

use crate::mock::request::MockRequest;
use crate::ocp::error::{NOT_AUTHORIZED, NOT_LOGGED_IN, OcpError};
use crate::ocp::signature::{self, SCHEME, SignedParts, Variant};

/// How far a signed request's `Date` may be from the mock's wall clock.
pub const MAX_DATE_SKEW_MS: i64 = 15 * 60 * 1000;

/// What an identity may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads and writes (a DELETE needs it).
    Admin,
    /// Reads only: a write is 403 `IAM11000`.
    Viewer,
}

/// Why an identity given on the command line or to the builder was refused. Never quotes a
/// password or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A role other than `admin` or `viewer`.
    #[error("unknown role {0:?} (expected admin or viewer)")]
    UnknownRole(String),
    /// Not `A:B[:ROLE]` with both parts non-empty; holds the expected form.
    #[error("expected {0}, with neither part empty")]
    Malformed(&'static str),
}

impl std::str::FromStr for Role {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Any case: `Viewer` is read as the role, never folded into a password.
        match s.to_ascii_lowercase().as_str() {
            "admin" => Ok(Self::Admin),
            "viewer" => Ok(Self::Viewer),
            _ => Err(IdentityError::UnknownRole(s.to_owned())),
        }
    }
}

impl Role {
    /// The role as `--user` and `--access-key` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }
}

/// A Basic identity: `--user NAME:PASSWORD[:ROLE]`.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The user name, as `Authorization: Basic` carries it.
    pub name: String,
    /// Compared in constant time; never printed.
    pub password: String,
    /// What the user may do.
    pub role: Role,
}

/// An AK/SK identity: `--access-key ID:SECRET[:ROLE]`; requests signed with it act as the user
/// named after the role (`admin` or `viewer`).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The AccessKeyId of the `Authorization` header.
    pub id: String,
    /// The key the signature is made with; never printed.
    pub secret: String,
    /// What a signed request may do.
    pub role: Role,
}

// Hand-written so a secret never reaches a log through `{:?}`.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "User({}, {})", self.name, self.role.as_str())
    }
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessKey({}, {})", self.id, self.role.as_str())
    }
}

impl User {
    /// Parses `NAME:PASSWORD[:ROLE]`; the role defaults to admin.
    pub fn parse(spec: &str) -> Result<Self, IdentityError> {
        let (name, secret, role) = split_spec(spec, "NAME:PASSWORD[:ROLE]")?;
        Ok(Self {
            name,
            password: secret,
            role,
        })
    }
}

impl AccessKey {
    /// Parses `ID:SECRET[:ROLE]`; the role defaults to admin.
    pub fn parse(spec: &str) -> Result<Self, IdentityError> {
        let (id, secret, role) = split_spec(spec, "ID:SECRET[:ROLE]")?;
        Ok(Self { id, secret, role })
    }
}

/// Splits `A:B[:ROLE]`: the last part is a role only when it names one, so a secret may hold
/// colons (`ops:s3:cr3t` is user `ops` with password `s3:cr3t`). Errors never quote the secret.
fn split_spec(spec: &str, form: &'static str) -> Result<(String, String, Role), IdentityError> {
    let (pair, role) = match spec.rsplit_once(':') {
        Some((rest, last)) if rest.contains(':') => match last.parse::<Role>() {
            Ok(role) => (rest, role),
            Err(_) => (spec, Role::Admin),
        },
        _ => (spec, Role::Admin),
    };
    match pair.split_once(':') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned(), role)),
        _ => Err(IdentityError::Malformed(form)),
    }
}

/// Who may call the mock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// Off with `--no-auth`: every request acts as `admin`.
    pub enabled: bool,
    /// Who may sign in with HTTP Basic.
    pub users: Vec<User>,
    /// Who may sign requests with AK/SK.
    pub access_keys: Vec<AccessKey>,
}

impl Default for AuthSettings {
    /// A fresh OCP's administrator and the AK/SK pair of OCP's documentation.
    fn default() -> Self {
        Self {
            enabled: true,
            users: vec![User {
                name: "admin".into(),
                password: "aaAA11__".into(),
                role: Role::Admin,
            }],
            access_keys: vec![AccessKey {
                id: "cqammmxBpfGjFlto".into(),
                secret: "2fc0c299cc94c6be266f2ceece765d4d".into(),
                role: Role::Admin,
            }],
        }
    }
}

/// The caller, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The `creator.id` of task queries.
    pub id: i64,
    /// The task's `creator`.
    pub name: String,
    /// What the caller may do.
    pub role: Role,
}

impl Identity {
    /// Whether this identity may call `method` (reads for everyone, writes for admins).
    pub fn authorize(&self, method: &http::Method) -> Result<(), OcpError> {
        let reads = [http::Method::GET, http::Method::HEAD];
        if self.role == Role::Admin || reads.contains(method) {
            return Ok(());
        }
        Err(
            OcpError::new(&NOT_AUTHORIZED, Vec::new()).with_debug(format!(
                "user {} has role {}; {method} needs role admin",
                self.name,
                self.role.as_str()
            )),
        )
    }
}

fn refuse(why: impl Into<String>) -> OcpError {
    OcpError::new(&NOT_LOGGED_IN, Vec::new()).with_debug(why)
}

impl AuthSettings {
    /// Whether anyone who read OCP's documentation (or this mock's) could call: authentication is
    /// off, or a default identity is still accepted.
    pub fn uses_a_published_identity(&self) -> bool {
        let defaults = Self::default();
        !self.enabled
            || self.users.iter().any(|u| defaults.users.contains(u))
            || self
                .access_keys
                .iter()
                .any(|k| defaults.access_keys.contains(k))
    }

    /// An identity with a stable user id: 100 for the first name (OCP's `admin` is 100 in its
    /// documented task query), then one more per distinct name, users before access keys.
    pub fn identity(&self, name: &str, role: Role) -> Identity {
        let names = || {
            std::iter::once("admin")
                .chain(self.users.iter().map(|u| u.name.as_str()))
                .chain(self.access_keys.iter().map(|k| k.role.as_str()))
        };
        let mut distinct = 0;
        for (i, n) in names().enumerate() {
            if names().take(i).any(|earlier| earlier == n) {
                continue;
            }
            if n == name {
                break;
            }
            distinct += 1;
        }
        Identity {
            id: 100 + distinct,
            name: name.to_owned(),
            role,
        }
    }

    /// Authenticates `req` at wall-clock time `now_ms`.
    pub fn authenticate(&self, req: &MockRequest, now_ms: i64) -> Result<Identity, OcpError> {
        if !self.enabled {
            return Ok(self.identity("admin", Role::Admin));
        }
        let mut values = req.headers.get_all(http::header::AUTHORIZATION).iter();
        let Some(value) = values.next() else {
            return Err(refuse("no Authorization header"));
        };
        if values.next().is_some() {
            return Err(refuse(
                "malformed Authorization: more than one Authorization header",
            ));
        }
        let value = value
            .to_str()
            .map_err(|_| refuse("malformed Authorization: not visible ASCII"))?;
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            self.basic(rest)
        } else if scheme == SCHEME {
            self.signed(req, rest, now_ms)
        } else if scheme.eq_ignore_ascii_case(SCHEME) {
            Err(refuse(format!(
                "malformed Authorization: the scheme is {SCHEME}, in upper case, not {scheme}"
            )))
        } else {
            Err(refuse(format!(
                "malformed Authorization: unknown scheme {scheme:?} (expected Basic or {SCHEME})"
            )))
        }
    }

    fn basic(&self, token: &str) -> Result<Identity, OcpError> {
        let credentials = basic::parse_basic(token).map_err(|e| refuse(e.to_string()))?;
        let (name, password) = (credentials.user(), credentials.password());
        // Every user is compared, in constant time, so timing tells nothing about which exist.
        let mut found = None;
        for user in &self.users {
            let name_ok = signature::constant_time_eq(user.name.as_bytes(), name.as_bytes());
            let pw_ok = signature::constant_time_eq(user.password.as_bytes(), password.as_bytes());
            if name_ok & pw_ok {
                found = Some(user);
            }
        }
        found
            .map(|u| self.identity(&u.name, u.role))
            .ok_or_else(|| refuse("Basic credentials: unknown user or wrong password"))
    }

    fn signed(
        &self,
        req: &MockRequest,
        credential: &str,
        now_ms: i64,
    ) -> Result<Identity, OcpError> {
        let Some((id, given)) = credential.trim().split_once(':') else {
            return Err(refuse(format!(
                "malformed Authorization: expected {SCHEME} <AccessKeyId>:<Signature>"
            )));
        };
        let key = self
            .access_keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| refuse(format!("unknown access key {id:?}")))?;
        let date = fresh_date(req, now_ms)?;
        let ocp_headers: Vec<(String, &str)> = req
            .headers
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("x-ocp-"))
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("")))
            .collect();
        let mut parts = SignedParts {
            method: req.method.as_str(),
            body: &req.body,
            content_type: req.header(http::header::CONTENT_TYPE).unwrap_or(""),
            date,
            host: req.header(http::header::HOST).unwrap_or(""),
            ocp_headers,
            path: &req.path,
            query: req.query.as_deref(),
        };
        let canonical = signature::string_to_sign(&parts, Variant::PLAIN);
        if self.any_variant_matches(&mut parts, &key.secret, given) {
            return Ok(self.identity(key.role.as_str(), key.role));
        }
        Err(refuse(format!(
            "bad signature for access key {id:?}; the mock's string to sign is \"{}\"",
            canonical.replace('\n', "\\n")
        )))
    }

    /// Tries each form the documentation allows: the joining comma raw or `%2C`, and the
    /// `x-ocp-*` names lowercased (as received) or capitalised per word (as many clients send).
    fn any_variant_matches(&self, parts: &mut SignedParts<'_>, secret: &str, given: &str) -> bool {
        let mut matched = false;
        for capitalised in [false, true] {
            if capitalised {
                for (name, _) in &mut parts.ocp_headers {
                    *name = capitalise(name);
                }
            }
            for variant in [Variant::PLAIN, Variant::ENCODED_COMMA] {
                let expected = signature::sign(secret, &signature::string_to_sign(parts, variant));
                matched |= signature::constant_time_eq(expected.as_bytes(), given.as_bytes());
            }
        }
        matched
    }
}

/// `x-ocp-origin` -> `X-Ocp-Origin`.
fn capitalise(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The request's `Date`, which a signature covers: present, RFC 1123, and within
/// [`MAX_DATE_SKEW_MS`] of the mock's clock (what stops a captured request being replayed).
fn fresh_date(req: &MockRequest, now_ms: i64) -> Result<&str, OcpError> {
    let date = match req.headers.get(http::header::DATE) {
        None => {
            return Err(refuse(
                "missing Date header (RFC 1123, required with a signature)",
            ));
        }
        Some(v) => v
            .to_str()
            .map_err(|_| refuse("malformed Date header: not visible ASCII (expected RFC 1123)"))?,
    };
    let malformed = || {
        refuse(format!(
            "malformed Date header {date:?} (expected RFC 1123)"
        ))
    };
    let sent = httpdate::parse_http_date(date).map_err(|_| malformed())?;
    // The parser also reads RFC 850 and asctime dates; OCP's rule is RFC 1123 only, which is
    // exactly how that instant writes back.
    if httpdate::fmt_http_date(sent) != date {
        return Err(malformed());
    }
    let sent_ms = sent
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    if (now_ms - sent_ms).abs() > MAX_DATE_SKEW_MS {
        return Err(refuse(format!(
            "stale Date header {date:?}: more than 15 minutes from the mock's clock"
        )));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_read_in_any_case_and_never_becomes_part_of_the_password() {
        let user = User::parse("watcher:pw:Viewer").unwrap();
        assert_eq!((user.password.as_str(), user.role), ("pw", Role::Viewer));
        let key = AccessKey::parse("k:s:ADMIN").unwrap();
        assert_eq!((key.secret.as_str(), key.role), ("s", Role::Admin));
        // A last part that names no role stays in the secret.
        let user = User::parse("ops:s3:cr3t").unwrap();
        assert_eq!(
            (user.password.as_str(), user.role),
            ("s3:cr3t", Role::Admin)
        );
    }

    #[test]
    fn a_secret_may_hold_colons_and_the_role_is_taken_only_when_named() {
        let u = User::parse("ops:s3:cr3t").unwrap();
        assert_eq!(
            (u.name.as_str(), u.password.as_str(), u.role),
            ("ops", "s3:cr3t", Role::Admin)
        );
        let u = User::parse("bob:x:viewer").unwrap();
        assert_eq!((u.password.as_str(), u.role), ("x", Role::Viewer));
        let k = AccessKey::parse("id:secret:root").unwrap();
        assert_eq!((k.secret.as_str(), k.role), ("secret:root", Role::Admin));
        let err = User::parse(":hunter2").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn a_published_identity_is_noticed() {
        let mut auth = AuthSettings::default();
        assert!(auth.uses_a_published_identity());
        auth.users = vec![User::parse("ops:pw").unwrap()];
        assert!(
            auth.uses_a_published_identity(),
            "the documented key is still accepted"
        );
        auth.access_keys = vec![AccessKey::parse("k:s").unwrap()];
        assert!(!auth.uses_a_published_identity());
        auth.enabled = false;
        assert!(auth.uses_a_published_identity());
    }
}
