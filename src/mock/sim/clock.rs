//! Time and trace ids: the two things that make a real OCP's answers differ between runs.
//!
//! The mock replaces both with deterministic sequences so a test can pin an answer. The fixed
//! clock starts at the documented instant and advances by a fixed step per request; trace ids
//! come from a 64-bit linear congruential sequence whose first value is the seed itself, so the
//! default seed reproduces the documented `traceId`.

use std::time::{SystemTime, UNIX_EPOCH};

/// How far the fixed clock moves per request: far enough that two answers never share an instant.
pub const FIXED_STEP_MS: i64 = 1_000;

/// Where the mock's times come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// Starts at the documented instant and advances one second per request.
    #[default]
    Fixed,
    /// Real time, for local development.
    System,
}

/// A `--clock` value that names no [`ClockMode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown clock {0:?} (expected fixed or system)")]
pub struct UnknownClock(pub String);

impl std::str::FromStr for ClockMode {
    type Err = UnknownClock;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fixed" => Ok(Self::Fixed),
            "system" => Ok(Self::System),
            other => Err(UnknownClock(other.to_owned())),
        }
    }
}

/// The clock behind every time the mock reports, in milliseconds since the Unix epoch.
#[derive(Debug, Clone)]
pub struct Clock {
    mode: ClockMode,
    start_ms: i64,
    ticks: i64,
}

impl Clock {
    /// A clock of `mode`; the fixed one starts at `start_ms`.
    pub fn new(mode: ClockMode, start_ms: i64) -> Self {
        Self {
            mode,
            start_ms,
            ticks: 0,
        }
    }

    /// The instant a new request arrives at; the fixed clock advances one step per call.
    pub fn tick(&mut self) -> i64 {
        match self.mode {
            ClockMode::Fixed => {
                let now = self.start_ms + self.ticks * FIXED_STEP_MS;
                self.ticks += 1;
                now
            }
            ClockMode::System => system_now_ms(),
        }
    }
}

/// Real time in milliseconds since the Unix epoch.
pub fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The sequence of `traceId`s: 16 lowercase hex digits, first value the seed.
#[derive(Debug, Clone)]
pub struct TraceIds {
    next: u64,
}

impl TraceIds {
    /// The sequence whose first id is `seed`.
    pub fn new(seed: u64) -> Self {
        Self { next: seed }
    }

    /// The next `traceId`.
    pub fn next_id(&mut self) -> String {
        // Sixteen lowercase hex digits, as `{:016x}` writes them, without the formatter's work.
        let id = (0..16)
            .rev()
            .map(|digit| char::from(b"0123456789abcdef"[(self.next >> (digit * 4)) as usize & 0xf]))
            .collect();
        // Knuth's MMIX constants: a full-period sequence for every seed.
        self.next = self
            .next
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_trace_id_is_the_seed() {
        let mut ids = TraceIds::new(0x0fda_4c74_b7a8_4932);
        assert_eq!(ids.next_id(), "0fda4c74b7a84932");
        let second = ids.next_id();
        assert_eq!(second.len(), 16);
        assert_ne!(second, "0fda4c74b7a84932");
    }
}
