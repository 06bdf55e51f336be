#!/usr/bin/env bash
# Checks the Docker files against the binary, without a Docker engine:
#   - every portcullis subcommand the Dockerfile and compose.yaml run exists in
#     `portcullis --help` and answers `--help`;
#   - the invariants of docker/README.md hold (non-root, port 8080, health probe on a
#     real route, Redis AOF, migration job gating the server);
#   - compose.yaml is valid, when a Compose CLI is installed.
# Usage: scripts/check-docker.sh [path/to/portcullis]   (default: builds target/debug)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dockerfile=docker/Dockerfile
compose=docker/compose.yaml
failures=0

fail() {
    echo "check-docker: FAIL: $*" >&2
    failures=$((failures + 1))
}

pass() {
    echo "check-docker: ok: $*"
}

bin="${1:-${PORTCULLIS_BIN:-}}"
if [[ -z "$bin" ]]; then
    cargo build --quiet -p portcullis --bin portcullis
    bin=target/debug/portcullis
fi
[[ -x "$bin" ]] || { echo "check-docker: no executable at $bin" >&2; exit 2; }

# The binary's subcommands, from the "Commands:" section of --help.
help="$("$bin" --help)"
mapfile -t known < <(printf '%s\n' "$help" | awk '/^Commands:/ {on=1; next} on && /^[^ ]/ {on=0} on && NF {print $1}')
has_subcommand() {
    local c
    for c in "${known[@]}"; do [[ "$c" == "$1" ]] && return 0; done
    return 1
}

# Subcommands the files run: the Dockerfile's CMD and every compose `command:`.
mapfile -t used < <(
    {
        sed -n 's/^CMD \["\([a-z-]*\)".*/\1/p' "$dockerfile"
        sed -n 's/^ *command: \["\([a-z-]*\)".*/\1/p' "$compose" | grep -v '^redis-server$'
    } | sort -u
)
for required in serve migrate; do
    printf '%s\n' "${used[@]}" | grep -qx "$required" ||
        fail "neither $dockerfile nor $compose runs \`portcullis $required\`"
done
for cmd in "${used[@]}"; do
    if has_subcommand "$cmd" && "$bin" "$cmd" --help >/dev/null; then
        pass "portcullis $cmd exists"
    else
        fail "\`portcullis $cmd\` is used by the Docker files but \`portcullis --help\` does not list it"
    fi
done

grep -q '^ENTRYPOINT \["/usr/local/bin/portcullis"\]' "$dockerfile" || fail "ENTRYPOINT is not the portcullis binary"
grep -q '^USER [1-9][0-9]*' "$dockerfile" || fail "the runtime stage does not switch to a non-root numeric USER"
grep -q '^EXPOSE 8080$' "$dockerfile" || fail "the image does not EXPOSE 8080"
grep -q 'cargo chef cook --release --locked' "$dockerfile" || fail "no dependency-caching layer (cargo chef cook)"
grep -q '^HEALTHCHECK .*' "$dockerfile" || fail "the image has no HEALTHCHECK"
for file in "$dockerfile" "$compose"; do
    grep -q '/health/live' "$file" || fail "$file: the health check does not probe /health/live"
done
grep -q 'web::resource("/health/live")' crates/adapters/http/src/routes.rs ||
    fail "/health/live is no longer a route"
grep -q -- '"--appendonly", "yes"' "$compose" || fail "Redis runs without the append-only file"
grep -q 'condition: service_completed_successfully' "$compose" ||
    fail "the server does not wait for the migration job"
grep -q 'image: postgres:16' "$compose" || fail "Postgres is not version 16"
grep -q 'image: redis:7' "$compose" || fail "Redis is not version 7"
if grep -Eq '^ *JWT_SECRET: *[^$ ]' "$compose"; then
    fail "$compose hard-codes JWT_SECRET"
fi
for pattern in /target/ /data/ /.git/; do
    grep -qx "$pattern" .dockerignore || fail ".dockerignore does not exclude $pattern"
done

# Validate the compose model when a Compose CLI exists (none is installed by default).
compose_cli=()
if docker compose version >/dev/null 2>&1; then
    compose_cli=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose_cli=(docker-compose)
fi
if ((${#compose_cli[@]})); then
    if POSTGRES_PASSWORD=check JWT_SECRET=check-check-check-check-check-check \
        "${compose_cli[@]}" -f "$compose" --env-file /dev/null config --quiet; then
        pass "compose.yaml is valid"
    else
        fail "compose.yaml does not validate"
    fi
else
    echo "check-docker: skip: no Compose CLI to validate $compose"
fi

if ((failures)); then
    echo "check-docker: $failures failed" >&2
    exit 1
fi
echo "check-docker: all checks passed"
