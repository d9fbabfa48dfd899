#!/usr/bin/env bash
# Build libcertify and run the C demo against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p certify-c}
mkdir -p target/c-demo
gcc -std=c11 -Wall -Wextra -Werror -I include examples/c-demo/demo.c -o target/c-demo/demo \
  -L target/debug -lcertify -Wl,-rpath,"$PWD/target/debug"
./target/c-demo/demo
