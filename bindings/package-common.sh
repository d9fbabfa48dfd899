# Sourced by the package scripts (bindings/c/install.sh, bindings/jni/package.sh), from the
# repository root.

# build_package PROFILE PACKAGE: cargo build of PACKAGE in PROFILE (release or debug); with
# CERTIFY_CARGO_SELECT set (scripts/test.sh: --workspace) that selection instead, so the
# build reuses what the tests built.
build_package() {
  case "$1" in
    release) cargo build --quiet --locked --release ${CERTIFY_CARGO_SELECT:--p "$2"} ;;
    debug) cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p "$2"} ;;
    *) echo "profile is release or debug" >&2; exit 2 ;;
  esac
}

# The workspace version (Cargo.toml's first `version = "..."`).
workspace_version() {
  sed -n '/^version = "/{s/^version = "\([^"]*\)".*/\1/p;q}' Cargo.toml
}
