//! JSON written after the state lock is released: a handler copies what its answer shows under
//! the lock (pointer copies, plain data) and leaves the writing, the costly part, to the pipeline.

use std::fmt;
use std::sync::Arc;

/// Appends JSON to a buffer.
type Writer = dyn Fn(&mut Vec<u8>) + Send + Sync;

/// A writer of an answer's `data`, run once the state lock is released.
#[derive(Clone)]
pub struct Later {
    write: Arc<Writer>,
    size_hint: usize,
}

impl Later {
    /// `write` appends the JSON of `data` to its buffer; `size_hint` is about how many bytes.
    pub fn new(size_hint: usize, write: impl Fn(&mut Vec<u8>) + Send + Sync + 'static) -> Self {
        Self {
            write: Arc::new(write),
            size_hint,
        }
    }

    /// Appends the JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        (self.write)(out);
    }

    /// About how many bytes [`Later::write`] appends.
    pub fn size_hint(&self) -> usize {
        self.size_hint
    }
}

impl fmt::Debug for Later {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Later(~{} bytes)", self.size_hint)
    }
}

/// Two writers are equal when they are the same writer.
impl PartialEq for Later {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.write, &other.write)
    }
}
