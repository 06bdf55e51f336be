#!/usr/bin/env bash
# Makes sure the test suite has a PostgreSQL and a Redis to talk to, and exports
# TEST_DATABASE_URL and TEST_REDIS_URL for it.
#
#   - If the URL (from the environment, or the defaults below) answers, it is used.
#   - Otherwise a throw-away server is started under target/test-services/ (installing
#     the Debian package first when the binaries are missing and we are root).
# Everything it does is printed, prefixed with "services:".
#
# Source it: `. scripts/services.sh`.

set -euo pipefail

: "${TEST_DATABASE_URL:=postgres://postgres@127.0.0.1:5432/postgres}"
: "${TEST_REDIS_URL:=redis://127.0.0.1:6379}"
services_dir="$(pwd)/target/test-services"

say() { echo "services: $*" >&2; }

# host and port of a URL like scheme://user@host:port/db
url_host() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; echo "${rest%%:*}"; }
url_port() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo "$2"; }

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        say "cannot install $* (not root or no apt-get): install it and re-run"
        return 1
    fi
    say "installing $* with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

ensure_postgres() {
    local host port
    host=$(url_host "$TEST_DATABASE_URL"); port=$(url_port "$TEST_DATABASE_URL" 5432)
    if answers "$host" "$port"; then
        say "using PostgreSQL at $host:$port"
        return 0
    fi
    say "no PostgreSQL answers at $host:$port; starting a throw-away cluster"
    local bindir
    bindir=$(pg_bindir) || { apt_install postgresql; bindir=$(pg_bindir); }
    local data="$services_dir/pg" port=55432 run_as=()
    mkdir -p "$services_dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        run_as=(runuser -u postgres --)
        chown postgres "$services_dir"
    fi
    if ! answers 127.0.0.1 "$port"; then
        if [ ! -f "$data/PG_VERSION" ]; then
            rm -rf "$data"
            "${run_as[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust >/dev/null
            say "initialized $data"
        fi
        "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/log" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" -w start >/dev/null
        say "started PostgreSQL on 127.0.0.1:$port (stop: pg_ctl -D $data stop)"
    fi
    TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

ensure_redis() {
    local host port
    host=$(url_host "$TEST_REDIS_URL"); port=$(url_port "$TEST_REDIS_URL" 6379)
    if answers "$host" "$port"; then
        say "using Redis at $host:$port"
        return 0
    fi
    say "no Redis answers at $host:$port; starting a throw-away server"
    command -v redis-server >/dev/null || apt_install redis-server
    local port=56379
    mkdir -p "$services_dir/redis"
    if ! answers 127.0.0.1 "$port"; then
        redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
            --dir "$services_dir/redis" --logfile "$services_dir/redis/log" >/dev/null
        for _ in $(seq 50); do answers 127.0.0.1 "$port" && break; sleep 0.1; done
        say "started Redis on 127.0.0.1:$port (stop: redis-cli -p $port shutdown)"
    fi
    TEST_REDIS_URL="redis://127.0.0.1:$port"
}

ensure_postgres
ensure_redis
export TEST_DATABASE_URL TEST_REDIS_URL
