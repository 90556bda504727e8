//! The simulated parts of OCP: its clock and trace ids, and how tasks progress.

pub mod clock;
pub mod progress;
