//! `libcertify_py.so`, the shared library inside the Python wheel: the UniFFI scaffolding of
//! `certify-uniffi` (namespace `certify`), linked here so its exported symbols are kept.
//! `maturin build` (see `pyproject.toml`) generates `certify.py` from this library and packs
//! both into the wheel.

pub use certify_uniffi as bindings;
