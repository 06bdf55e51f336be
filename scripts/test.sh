#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
# formatting, lints, the domain-purity check, then every test of the workspace
# against real PostgreSQL and Redis (started by scripts/services.sh when none answers).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "domain purity: no framework in portcullis-domain's dependency tree"
if cargo tree -p portcullis-domain -e normal --prefix none --locked | grep -E '^(actix|diesel|redis|jsonwebtoken|bcrypt|tokio|deadpool|lettre|oauth2)[-_ ]' ; then
    echo "portcullis-domain must not depend on the crates above" >&2
    exit 1
fi

step "test services"
. scripts/services.sh

step "build the server binary for the end-to-end tests"
cargo build -p portcullis -p portcullis-example-verify-token --locked

step "cargo test"
cargo test --workspace --locked --no-fail-fast
