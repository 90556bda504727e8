//! Command-line scanning shared by every command: flags with a value (`--flag value` or
//! `--flag=value`), switches, operands, and each flag's `OCP_MOCK_*` environment twin (the flag
//! wins over its variable).

use std::time::Duration;

use super::CliError;

/// Looks up an environment variable (a closure, so tests can pass their own environment).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The command line after the command word, sorted into flags and operands.
pub struct Scanned<'a> {
    values: Vec<(&'static str, String)>,
    switches: Vec<&'static str>,
    /// Arguments that are not flags (files, `-`).
    pub operands: Vec<String>,
    value_flags: &'static [(&'static str, &'static str)],
    switch_flags: &'static [(&'static str, &'static str)],
    env: Env<'a>,
}

impl Scanned<'_> {
    /// The last occurrence of a flag, else its environment variable.
    pub fn get(&self, flag: &str) -> Option<String> {
        let given = self.values.iter().rev().find(|(f, _)| *f == flag);
        given.map(|(_, v)| v.clone()).or_else(|| {
            let (_, var) = self.value_flags.iter().find(|(f, _)| *f == flag)?;
            (self.env)(var)
        })
    }

    /// Every occurrence of a repeatable flag, else its variable split at `separator`.
    pub fn all(&self, flag: &str, separator: fn(char) -> bool) -> Vec<String> {
        let given: Vec<String> = self
            .values
            .iter()
            .filter(|(f, _)| *f == flag)
            .map(|(_, v)| v.clone())
            .collect();
        if !given.is_empty() {
            return given;
        }
        let var = self.value_flags.iter().find(|(f, _)| *f == flag);
        var.and_then(|(_, var)| (self.env)(var))
            .map(|v| {
                v.split(separator)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the flag itself (not its variable) was given.
    pub fn given(&self, flag: &str) -> bool {
        self.values.iter().any(|(f, _)| *f == flag)
    }

    /// A switch is on when given, or when its variable is set to anything but empty, 0, false.
    pub fn switch(&self, flag: &str) -> bool {
        self.switches.contains(&flag)
            || self
                .switch_flags
                .iter()
                .find(|(f, _)| *f == flag)
                .and_then(|(_, var)| (self.env)(var))
                .is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
    }
}

/// `Ok(None)` when `--help` was asked for.
pub fn scan<'a>(
    args: &[String],
    value_flags: &'static [(&'static str, &'static str)],
    switch_flags: &'static [(&'static str, &'static str)],
    env: Env<'a>,
) -> Result<Option<Scanned<'a>>, CliError> {
    let mut scanned = Scanned {
        values: Vec::new(),
        switches: Vec::new(),
        operands: Vec::new(),
        value_flags,
        switch_flags,
        env,
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if matches!(arg, "--help" | "-h") {
            return Ok(None);
        }
        if arg == "--" {
            scanned.operands.extend(args[i..].iter().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            scanned.operands.push(arg.to_owned());
            continue;
        }
        if let Some(&(flag, _)) = switch_flags.iter().find(|(f, _)| *f == arg) {
            scanned.switches.push(flag);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (arg, None),
        };
        let Some(&(flag, _)) = value_flags.iter().find(|(f, _)| *f == name) else {
            return Err(CliError(format!(
                "unknown option {arg:?} (try: ocp-mock help)"
            )));
        };
        let value = match inline {
            Some(v) => v,
            None => {
                let v = args
                    .get(i)
                    .ok_or_else(|| CliError(format!("{flag} needs a value")))?;
                i += 1;
                v.clone()
            }
        };
        scanned.values.push((flag, value));
    }
    Ok(Some(scanned))
}

/// `FLAG: why`.
pub fn bad(flag: &str, why: impl std::fmt::Display) -> CliError {
    CliError(format!("{flag}: {why}"))
}

/// A flag in milliseconds, or `default`.
pub fn millis(scanned: &Scanned<'_>, flag: &str, default: Duration) -> Result<Duration, CliError> {
    match scanned.get(flag) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(ms) if ms <= MAX_MILLIS => Ok(Duration::from_millis(ms)),
            _ => Err(bad(
                flag,
                format!("{v:?} is not a number of milliseconds from 0 to {MAX_MILLIS}"),
            )),
        },
    }
}

/// The longest duration a flag takes: a day, far below where adding it to a clock overflows.
pub const MAX_MILLIS: u64 = 86_400_000;
