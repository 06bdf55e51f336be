#!/usr/bin/env bash
# `just bench`: measures Portcullis against reference points taken on this machine in
# the same session, and prints one table (also saved as JSON under target/bench/).
#
#   ./scripts/bench.sh          full: 3 runs of 10 s per measurement, then criterion
#                               (about 6 minutes after the build on 2 cores)
#   ./scripts/bench.sh --quick  1 run of 3 s per measurement, no criterion (under a
#                               minute after the build): CI runs it so the bench keeps working
#
# What it does, each step printed with a "bench:" prefix:
#   1. builds the release binaries (portcullis; bench-refs, portcullis-bench and the
#      criterion benches from bench/); installs wrk from Debian when missing (as root);
#   2. finds or starts PostgreSQL and Redis exactly like the test command
#      (scripts/services.sh), creates a fresh database and a fresh Redis prefix;
#   3. registers the refresh sessions on a set-up server with BCRYPT_COST=4, then
#      restarts Portcullis with production-like settings (Postgres + Redis,
#      BCRYPT_COST=12, rate limits raised to 1000000000/min, LOG_LEVEL=warn);
#   4. runs the scenarios of issue 5 with wrk against 127.0.0.1 only, runs interleaved
#      so a noisy machine hits both sides of a ratio alike;
#   5. prints the table (bench/src/report.rs explains every number) and exits non-zero
#      when a measurement is missing or had failed requests (a missed target is a result,
#      not a failure).
# Everything it starts is stopped on exit, the database dropped and the keys deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

note() { echo "bench: $*" >&2; }  # (services.sh has its own say)
step() { printf '\nbench: == %s\n' "$*" >&2; }
die() { note "error: $*"; exit 1; }

MODE=full
for arg in "$@"; do
    case "$arg" in
        --quick) MODE=quick ;;
        -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done

CORES=$(nproc)
if [ "$MODE" = quick ]; then
    RUNS=1 DURATION=3 WARMUP=1 LOGIN_DURATION=5 SESSIONS=500 LOGIN_USERS=8 HASH_ITERATIONS=2
else
    RUNS=3 DURATION=10 WARMUP=2 LOGIN_DURATION=10 SESSIONS=2000 LOGIN_USERS=16 HASH_ITERATIONS=4
fi
THREADS=$(( CORES < 4 ? CORES : 4 ))   # wrk threads
CONNS=64                               # scenarios 1 and 2
LOGIN_CONNS=$(( 2 * CORES ))           # enough to keep every hashing slot busy
PROBE_CONNS=8 PROBE_PAUSE_MS=10        # scenario 4: ~800 req/s at most, never saturating
MEMORY_CONNS=1000                      # scenario 5
COST=12
USER_AGENT="portcullis-bench/1.0"
SERVER_SETTINGS="APP_ENV=local HOST=127.0.0.1 DATABASE_URL=<fresh db> REDIS_URL=<test redis> BCRYPT_COST=$COST RATE_LIMIT_*_PER_MINUTE=1000000000 LOG_LEVEL=warn ACCESS_TOKEN_TTL=2h JWT_SECRET=<random HS256>, other settings default"

# What this run has started or created, undone by cleanup() on exit.
PIDS=() DB_URL="" DB_NAME="" REDIS_PREFIX="" SERVER_CWD="" OUT="" TOOL=""
STARTED_PG=0 STARTED_REDIS=0

# Stops one process we started: TERM, up to 5 s of grace, then KILL.
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
}

# forget_pid PID: a process that has exited and been waited for (its PID may be reused).
forget_pid() {
    local pid=$1 rest=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
    PIDS=("${rest[@]}")
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [ -n "$DB_URL" ]; then
        "$TOOL" drop-db --admin-url "$TEST_DATABASE_URL" --name "$DB_NAME" \
            || note "could not drop database $DB_NAME"
    fi
    if [ -n "$REDIS_PREFIX" ] && [ -x "$TOOL" ]; then
        "$TOOL" redis-cleanup --redis-url "$TEST_REDIS_URL" --prefix "$REDIS_PREFIX" \
            || note "could not delete the Redis keys under $REDIS_PREFIX"
    fi
    [ -n "$SERVER_CWD" ] && rm -rf "$SERVER_CWD"
    if [ "$STARTED_REDIS" = 1 ]; then
        note "stopping the Redis this run started"
        redis-cli -p 56379 shutdown nosave >/dev/null 2>&1 || true
    fi
    if [ "$STARTED_PG" = 1 ]; then
        note "stopping the PostgreSQL this run started"
        local as=()
        [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
        "${as[@]}" "$(pg_bindir)/pg_ctl" -D "$ROOT/target/test-services/pg" stop -m fast >/dev/null || true
    fi
    [ "$rc" = 0 ] || note "failed (exit $rc); logs and wrk outputs are in ${OUT:-target/bench}"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

RUN_ID="$(date -u +%Y%m%d-%H%M%S)-$MODE"
OUT="$ROOT/target/bench/$RUN_ID"
mkdir -p "$OUT/data"

step "build (release)"
# One invocation for the server, the tools and the criterion benches, so cargo unifies
# features once and nothing is built twice.
cargo build --release --locked -p portcullis -p portcullis-bench --bins --benches \
    --message-format=json-render-diagnostics >"$OUT/build.json"
RELEASE="${CARGO_TARGET_DIR:-$ROOT/target}/release"
SERVER="$RELEASE/portcullis"
REFS="$RELEASE/bench-refs"
TOOL="$RELEASE/portcullis-bench"
MICRO=$(sed -n 's/.*"name":"micro".*"executable":"\([^"]*\)".*/\1/p' "$OUT/build.json" | tail -n 1)
[ -x "$MICRO" ] || die "the criterion benches were not built (see $OUT/build.json)"

step "load generator"
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        note "installing wrk with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        die "wrk is missing: install it (Debian: apt-get install wrk) and re-run"
    fi
fi
WRK_VERSION=$(wrk --version 2>&1 | head -n 1 | sed 's/ Copyright.*//') || true
note "using $WRK_VERSION"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( MEMORY_CONNS + 1024 )) ]; then
    ulimit -n $(( MEMORY_CONNS + 1024 )) 2>/dev/null \
        || die "ulimit -n is $(ulimit -n): $MEMORY_CONNS connections need more"
fi

step "services"
# services.sh starts throw-away servers on these ports when none answers; the ones this
# run starts, it stops on exit.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
PG_WAS_UP=0 REDIS_WAS_UP=0
port_open 55432 && PG_WAS_UP=1
port_open 56379 && REDIS_WAS_UP=1
. scripts/services.sh
STARTED_PG=0 STARTED_REDIS=0
[[ "$TEST_DATABASE_URL" == *127.0.0.1:55432/* && "$PG_WAS_UP" = 0 ]] && STARTED_PG=1
[[ "$TEST_REDIS_URL" == *127.0.0.1:56379 && "$REDIS_WAS_UP" = 0 ]] && STARTED_REDIS=1

STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
SAMPLES="$OUT/samples.jsonl"
# The servers' working directory: outside the repository, so no .env is picked up.
SERVER_CWD=$(mktemp -d)
: >"$SAMPLES"
export BENCH_WRK_DIR="$ROOT/bench/wrk" BENCH_USER_AGENT="$USER_AGENT"
DB_NAME="portcullis_bench_$(date -u +%Y%m%d%H%M%S)_$$"
REDIS_PREFIX="bench:$RUN_ID:$$:"
JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
BENCH_PASSWORD="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-pw"
export BENCH_PASSWORD
ISSUER=portcullis-bench AUDIENCE=portcullis-bench


# start_server NAME COST: starts Portcullis, sets SERVER_PID and SERVER_URL.
start_server() {
    local name=$1 cost=$2 port
    port=$("$TOOL" free-port)
    # A clean environment, and a working directory without a .env above it.
    (cd "$SERVER_CWD" && exec env -i PATH="$PATH" HOME="${HOME:-/root}" \
        APP_ENV=local HOST=127.0.0.1 PORT="$port" DATA_DIR="$OUT/data" \
        DATABASE_URL="$DB_URL" REDIS_URL="$TEST_REDIS_URL" REDIS_PREFIX="$REDIS_PREFIX" \
        JWT_SECRET="$JWT_SECRET" JWT_ISSUER="$ISSUER" JWT_AUDIENCE="$AUDIENCE" \
        ACCESS_TOKEN_TTL=2h BCRYPT_COST="$cost" LOG_LEVEL=warn LOG_FORMAT=json \
        SHUTDOWN_TIMEOUT=2s \
        RATE_LIMIT_AUTH_PER_MINUTE=1000000000 RATE_LIMIT_REFRESH_PER_MINUTE=1000000000 \
        RATE_LIMIT_SESSIONS_PER_MINUTE=1000000000 RATE_LIMIT_USERS_PER_MINUTE=1000000000 \
        "$SERVER" serve) >"$OUT/server-$name.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_URL="http://127.0.0.1:$port"
    "$TOOL" wait-http --url "$SERVER_URL/health" --timeout-secs 60 \
        || die "the $name server did not become ready (see $OUT/server-$name.log)"
    note "portcullis ($name, BCRYPT_COST=$cost) pid $SERVER_PID on $SERVER_URL"
}

# start_ref MODE [ARGS...]: starts a reference server, echoes its URL.
start_ref() {
    local mode=$1 port
    shift
    port=$("$TOOL" free-port)
    "$REFS" --mode "$mode" --port "$port" "$@" >"$OUT/ref-$mode.log" 2>&1 &
    PIDS+=("$!")
    "$TOOL" wait-http --url "http://127.0.0.1:$port/health" --timeout-secs 60 \
        || die "bench-refs $mode did not become ready (see $OUT/ref-$mode.log)"
    note "bench-refs $mode pid $! on http://127.0.0.1:$port"
    REF_URL="http://127.0.0.1:$port"
}

# shown: a command line as the table prints it (the token replaced by a placeholder).
shown() {
    local text
    text=$(printf '%q ' "$@")
    text=${text//"$ACCESS_TOKEN"/'$ACCESS_TOKEN'}
    echo "${text% }"
}

# measure LABEL RUN WRK-ARGS...: one recorded wrk run.
measure() {
    local label=$1 run=$2
    shift 2
    local out="$OUT/wrk-$label-$run.txt"
    wrk "$@" >"$out" 2>&1 || die "wrk failed for $label (see $out)"
    "$TOOL" record-wrk --samples "$SAMPLES" --label "$label" --run "$run" \
        --command "$(shown wrk "$@")" --output "$out"
}

# warm WRK-ARGS...: an unrecorded run, so caches, pools and JITs are warm.
warm() { wrk "$@" >/dev/null 2>&1 || die "wrk warm-up failed: $(shown wrk "$@")"; }

step "database $DB_NAME and Redis prefix $REDIS_PREFIX"
DB_URL=$("$TOOL" create-db --admin-url "$TEST_DATABASE_URL" --name "$DB_NAME")

step "set-up: $SESSIONS sessions on a BCRYPT_COST=4 server"
start_server setup 4
"$TOOL" seed --base-url "$SERVER_URL" --count $(( SESSIONS + 1 )) --email-prefix session \
    --user-agent "$USER_AGENT" --refresh-out "$OUT/refresh-all.txt" --access-out "$OUT/access-token.txt"
# The first session serves /me; it never refreshes, so its access token stays valid.
tail -n +2 "$OUT/refresh-all.txt" >"$OUT/refresh-tokens.txt"
ACCESS_TOKEN=$(cat "$OUT/access-token.txt")
stop_pid "$SERVER_PID"

step "measured server: BCRYPT_COST=$COST"
start_server main "$COST"
MAIN_URL=$SERVER_URL MAIN_PID=$SERVER_PID
"$TOOL" seed --base-url "$MAIN_URL" --count "$LOGIN_USERS" --email-prefix login \
    --concurrency "$CORES" --user-agent "$USER_AGENT" --emails-out "$OUT/login-users.txt"
sleep 1
"$TOOL" record-memory --samples "$SAMPLES" --label idle --run 1 --pid "$MAIN_PID"

step "reference servers"
start_ref plain
PLAIN_URL=$REF_URL
start_ref verify --secret "$JWT_SECRET" --issuer "$ISSUER" --audience "$AUDIENCE"
VERIFY_URL=$REF_URL
BENCH_DATABASE_URL="$DB_URL" start_ref raw --redis-url "$TEST_REDIS_URL" \
    --redis-prefix "${REDIS_PREFIX}raw:" --rows "$SESSIONS"
RAW_URL=$REF_URL

AUTH="Authorization: Bearer $ACCESS_TOKEN"
LOAD=(-t "$THREADS" -c "$CONNS" -d "${DURATION}s" --timeout 10s)
WARM=(-t "$THREADS" -c "$CONNS" -d "${WARMUP}s" --timeout 10s)

step "1. GET /api/v1/me vs plain and verify-only, $CONNS connections"
for url in "$PLAIN_URL" "$VERIFY_URL" "$MAIN_URL"; do
    warm "${WARM[@]}" -s "$BENCH_WRK_DIR/static.lua" -H "$AUTH" "$url/api/v1/me"
done
for run in $(seq "$RUNS"); do
    measure plain "$run" "${LOAD[@]}" -s "$BENCH_WRK_DIR/static.lua" -H "$AUTH" "$PLAIN_URL/api/v1/me"
    measure verify "$run" "${LOAD[@]}" -s "$BENCH_WRK_DIR/static.lua" -H "$AUTH" "$VERIFY_URL/api/v1/me"
    measure me "$run" "${LOAD[@]}" -s "$BENCH_WRK_DIR/static.lua" -H "$AUTH" "$MAIN_URL/api/v1/me"
done

step "2. refresh rotation over $SESSIONS sessions vs the raw EVAL + UPDATE ceiling"
export BENCH_TOKENS="$OUT/refresh-tokens.txt" BENCH_THREADS="$THREADS" BENCH_RAW_ROWS="$SESSIONS"
warm "${WARM[@]}" -s "$BENCH_WRK_DIR/raw.lua" "$RAW_URL"
warm "${WARM[@]}" -s "$BENCH_WRK_DIR/refresh.lua" "$MAIN_URL"
for run in $(seq "$RUNS"); do
    measure raw "$run" "${LOAD[@]}" -s "$BENCH_WRK_DIR/raw.lua" "$RAW_URL"
    measure refresh "$run" "${LOAD[@]}" -s "$BENCH_WRK_DIR/refresh.lua" "$MAIN_URL"
    note "  $(grep -c . "$BENCH_TOKENS") of $SESSIONS sessions still hold a live token"
done

step "3. login at BCRYPT_COST=$COST, $LOGIN_CONNS connections, vs $CORES threads verifying bcrypt hashes"
export BENCH_EMAILS="$OUT/login-users.txt"
LOGIN_LOAD=(-t "$(( THREADS < LOGIN_CONNS ? THREADS : LOGIN_CONNS ))" -c "$LOGIN_CONNS" --timeout 30s)
# The ceiling of a run: cores ÷ one verify's time while every core runs one, measured
# just before and just after it (the mean of both is used).
hash_time() {
    "$REFS" --mode hash-time --cost "$COST" --iterations "$HASH_ITERATIONS" --run "$1" \
        | tee -a "$SAMPLES" | sed 's/^/bench:   /' >&2
}
for run in $(seq "$RUNS"); do
    hash_time "$run"
    measure login "$run" "${LOGIN_LOAD[@]}" -d "${LOGIN_DURATION}s" -s "$BENCH_WRK_DIR/login.lua" "$MAIN_URL"
    hash_time "$run"
done

step "4. /me paced probe ($PROBE_CONNS connections, ${PROBE_PAUSE_MS} ms pauses): idle vs during a login flood"
export BENCH_PROBE_PAUSE_MS="$PROBE_PAUSE_MS"
PROBE=(-t 1 -c "$PROBE_CONNS" -d "${DURATION}s" --timeout 10s -s "$BENCH_WRK_DIR/probe.lua" -H "$AUTH")
for run in $(seq "$RUNS"); do
    measure probe_idle "$run" "${PROBE[@]}" "$MAIN_URL/api/v1/me"
    flood_out="$OUT/wrk-login_flood-$run.txt"
    flood_args=("${LOGIN_LOAD[@]}" -d "$(( DURATION + 2 ))s" -s "$BENCH_WRK_DIR/login.lua" "$MAIN_URL")
    wrk "${flood_args[@]}" >"$flood_out" 2>&1 &
    flood_pid=$!
    PIDS+=("$flood_pid")
    sleep 1
    measure probe_flood "$run" "${PROBE[@]}" "$MAIN_URL/api/v1/me"
    wait "$flood_pid" || die "the login flood failed (see $flood_out)"
    forget_pid "$flood_pid"
    "$TOOL" record-wrk --samples "$SAMPLES" --label login_flood --run "$run" \
        --command "$(shown wrk "${flood_args[@]}")" --output "$flood_out"
done

step "5. resident memory under $MEMORY_CONNS connections"
for run in $(seq "$RUNS"); do
    "$TOOL" record-memory --samples "$SAMPLES" --label conns_1000 --run "$run" \
        --pid "$MAIN_PID" --watch-secs "$DURATION" &
    watch_pid=$!
    PIDS+=("$watch_pid")
    measure conns_1000 "$run" -t "$THREADS" -c "$MEMORY_CONNS" -d "${DURATION}s" --timeout 10s \
        -s "$BENCH_WRK_DIR/static.lua" -H "$AUTH" "$MAIN_URL/api/v1/me"
    wait "$watch_pid" || die "could not watch the server's memory"
    forget_pid "$watch_pid"
done
sleep 2
"$TOOL" record-memory --samples "$SAMPLES" --label idle_after --run 1 --pid "$MAIN_PID"

step "stopping the servers"
for pid in "${PIDS[@]}"; do stop_pid "$pid"; done

CRITERION_ARGS=()
if [ "$MODE" = full ]; then
    step "6. criterion micro-benchmarks"
    # The bench binary the build step made: what `cargo bench -p portcullis-bench` runs.
    CRITERION_HOME="$OUT/criterion" "$MICRO" --bench \
        >"$OUT/criterion.txt" 2>&1 || die "the criterion benches failed (see $OUT/criterion.txt)"
    grep -E '^[a-z_0-9]+ +time:' "$OUT/criterion.txt" >&2 || true
    CRITERION_ARGS=(--criterion-home "$OUT/criterion")
fi

step "report"
QUICK_FLAG=""
[ "$MODE" = quick ] && QUICK_FLAG=" --quick"
COMMANDS=(
    "./scripts/bench.sh$QUICK_FLAG   (just bench$QUICK_FLAG)"
    "cargo build --release --locked -p portcullis -p portcullis-bench --bins --benches"
    "bench-refs --mode plain|verify|raw --port P ...; bench-refs --mode hash-time --cost $COST --iterations $HASH_ITERATIONS (per core, before and after each login run)"
)
[ "$MODE" = full ] && COMMANDS+=("CRITERION_HOME=$OUT/criterion ${MICRO#"$ROOT"/} --bench   (= cargo bench -p portcullis-bench)")
COMMAND_ARGS=()
for c in "${COMMANDS[@]}"; do COMMAND_ARGS+=(--command "$c"); done
"$TOOL" report --samples "$SAMPLES" --out-dir "$OUT" --latest "$ROOT/target/bench/latest.json" \
    "${CRITERION_ARGS[@]}" --mode "$MODE" --runs "$RUNS" --duration-s "$DURATION" \
    --sessions "$SESSIONS" --bcrypt-cost "$COST" --started-at "$STARTED_AT" \
    --load-generator "$WRK_VERSION" --server "$SERVER_SETTINGS" "${COMMAND_ARGS[@]}"
