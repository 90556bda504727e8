//! OCP's task and subtask statuses, listed once: the mock's progress, the contract and the
//! checker all read and write them through these types, so a status OCP does not have cannot
//! be written by mistake.

use std::fmt;
use std::str::FromStr;

/// A status OCP's API does not have, with the text that named it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

/// Declares a status enum with its wire names, its list and its conversions from and to text.
macro_rules! statuses {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every status, in the order OCP's documentation lists them.
            #[cfg(test)]
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The status as OCP writes it in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownStatus;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownStatus(other.to_owned())),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

statuses! {
    /// A task's `status`: OCP has no other.
    TaskStatus {
        /// Created and not finished.
        Running => "RUNNING",
        /// A subtask failed; a retry resumes it.
        Failed => "FAILED",
        /// Its exit subtask succeeded.
        Successful => "SUCCESSFUL",
    }
}

statuses! {
    /// A subtask's `status`: PENDING waits for its upstreams, READY may start.
    SubtaskStatus {
        /// Waiting for its upstreams.
        Pending => "PENDING",
        /// Its upstreams are done; it starts next.
        Ready => "READY",
        /// Executing.
        Running => "RUNNING",
        /// Executing while being cancelled.
        Canceling => "CANCELING",
        /// Ended in failure (terminal until a retry).
        Failed => "FAILED",
        /// Ended in success (terminal).
        Successful => "SUCCESSFUL",
    }
}

impl TaskStatus {
    /// Whether the task has finished: a finished task keeps its status until a retry.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Failed | Self::Successful)
    }
}

impl SubtaskStatus {
    /// Whether the subtask has ended.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Failed | Self::Successful)
    }

    /// How far along the subtask is (0 to 3): between two looks a status may only keep or raise
    /// its rank. CANCELING sits with RUNNING, a running subtask being cancelled.
    pub fn rank(self) -> u8 {
        match self {
            Self::Pending => 0,
            Self::Ready => 1,
            Self::Running | Self::Canceling => 2,
            Self::Failed | Self::Successful => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_what_they_write() {
        for &s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        for &s in SubtaskStatus::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        assert_eq!(TaskStatus::ALL.len(), 3);
        assert_eq!(SubtaskStatus::ALL.len(), 6);
    }

    #[test]
    fn a_status_ocp_does_not_have_is_refused_by_name() {
        assert_eq!(
            "PENDING".parse::<TaskStatus>().unwrap_err().to_string(),
            "unknown status \"PENDING\""
        );
        assert!("running".parse::<SubtaskStatus>().is_err());
    }
}
