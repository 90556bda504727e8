//! The simulated parts of OCP: its clock and trace ids, how tasks progress, and what a task
//! does once it succeeds.

pub mod clock;
pub mod effect;
pub mod progress;
