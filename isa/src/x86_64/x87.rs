//! x87 operation codes for [`Backend::x87`](crate::Backend::x87).
