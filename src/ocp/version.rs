//! Which OCP the mock answers as. OCP's answers differ between versions (error ids and their
//! wording, the task's fields, which routes exist); a version names the profile of one release
//! whose documentation the mock follows.

use std::fmt;
use std::str::FromStr;

/// An OCP release whose API documentation the mock can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum OcpVersion {
    /// OCP 3.1.1: integer error codes with that release's numbers and wording.
    V3_1_1,
    /// OCP 4.2.2: string error ids (`"ODP21001"`).
    V4_2_2,
    /// OCP 4.3.4, the newest release whose documented Delete OBProxy example is the seed page's.
    #[default]
    V4_3_4,
    /// OCP 4.3.5 and later: the DELETE is "not recommended" beside `POST .../servers/delete`.
    V4_3_5,
}

impl OcpVersion {
    /// Every version the mock knows, oldest first.
    pub const ALL: [Self; 4] = [Self::V3_1_1, Self::V4_2_2, Self::V4_3_4, Self::V4_3_5];

    /// The version as OCP writes it: `4.3.4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3_1_1 => "3.1.1",
            Self::V4_2_2 => "4.2.2",
            Self::V4_3_4 => "4.3.4",
            Self::V4_3_5 => "4.3.5",
        }
    }
}

impl fmt::Display for OcpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--ocp-version` value that names no known version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OCP version {0:?} (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)")]
pub struct UnknownOcpVersion(pub String);

impl FromStr for OcpVersion {
    type Err = UnknownOcpVersion;

    /// Reads `4.3.4`, also with a leading `v` or `V` as OCP's documentation titles write it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.trim().trim_start_matches(['v', 'V']);
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == bare)
            .ok_or_else(|| UnknownOcpVersion(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_reads_back_from_its_name() {
        for v in OcpVersion::ALL {
            assert_eq!(v.as_str().parse::<OcpVersion>(), Ok(v));
            assert_eq!(format!("V{v}").parse::<OcpVersion>(), Ok(v));
        }
        assert_eq!(OcpVersion::default(), OcpVersion::V4_3_4);
    }

    #[test]
    fn an_unknown_version_lists_the_known_ones() {
        let err = "4.4".parse::<OcpVersion>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown OCP version \"4.4\" (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)"
        );
        assert!("".parse::<OcpVersion>().is_err());
    }
}
