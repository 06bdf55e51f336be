# Portcullis tasks. `just` is optional: each recipe is one command you can run yourself.

# Run the server (embedded mode: no external services needed).
run:
    cargo run -p portcullis -- serve

# The whole test suite, as CI runs it (starts PostgreSQL and Redis if none answer).
test:
    ./scripts/test.sh

# Fast feedback while editing.
check:
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmark against this machine's limits; prints one table, saved under target/bench/.
# `just bench --quick`: one short run per scenario (CI keeps the bench working with it).
bench *ARGS:
    ./scripts/bench.sh {{ARGS}}
