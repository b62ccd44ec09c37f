#!/usr/bin/env bash
# Lints, builds and smoke-runs every fuzz target: each for FUZZ_SECONDS
# (30 by default), starting from the committed seeds. Fails on any crash,
# leak, timeout or lint. Works from a fresh clone.
set -euo pipefail

cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-30}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

# No `--all`: that would also format the path dependencies (sse-core).
cargo +nightly fmt --manifest-path Cargo.toml -- --check
cargo +nightly clippy --manifest-path Cargo.toml --all-targets -- -D warnings
cargo +nightly test --manifest-path Cargo.toml --lib

cargo +nightly fuzz build
for target in $(cargo +nightly fuzz list); do
    # The working corpus (ignored by git) grows from run to run; the seeds
    # are read, never written.
    mkdir -p "corpus/$target" "seeds/$target"
    echo "fuzzing $target for ${seconds}s"
    cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1
done
