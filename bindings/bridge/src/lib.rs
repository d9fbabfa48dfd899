//! # certify-bridge
//!
//! What every boundary of certify shares, with no FFI of its own: the one status table
//! ([`CertifyStatus`]: number, English, Chinese, HTTP class), the mapping of every core and
//! engine error to it ([`ToStatus`]), the checks that need no engine ([`checks`]: identity
//! numbers, names, cycle status), the engines' calls converted for bindings ([`engines`],
//! each defined once for every binding in [`entry_points`]) and the whole-flow operations on the host's stored state ([`ops`]). The C
//! API (`certify-c`), JNI, UniFFI and the reference server are thin layers over it.

pub mod checks;
pub mod engines;
pub mod entry_points;
pub mod ops;
pub mod results;
pub mod status;
mod to_status;

pub use status::{CertifyStatus, HttpClass};
pub use to_status::ToStatus;

/// Length of a face template (floats).
pub const FACE_TEMPLATE_LEN: usize = 128;
