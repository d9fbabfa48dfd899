//! End-to-end tests live in `tests/`; this library only compiles the README's Rust examples
//! as doctests (they use every crate of the workspace).

/// The README's Rust examples, compiled (and run where not `no_run`) as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
