#!/usr/bin/env bash
# Instructions per event, counted by valgrind's callgrind: the same ratios
# as the criterion benches, but repeatable on a noisy machine. Each count
# is a run of N events minus a run of none (process start, runtime, setup).
#
#   bash benches/callgrind.sh            # needs valgrind (apt install valgrind)
#
# Instruction counts leave out what the CPU waits for (cache misses,
# stalled loads, atomics), so wall-clock ratios can differ either way.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p benches --bin profile
bin="${CARGO_TARGET_DIR:-target}/release/profile"

instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        awk '/refs:/ { gsub(",", "", $NF); print $NF }'
}

printf '%-8s %-14s %14s %9s %9s\n' workload impl instr/event "x axum" "x lab"
for workload in small json large pending; do
    if [ "$workload" = large ]; then n=200; else n=100000; fi
    declare -A per=()
    for imp in ours-axum ours-hyper ours-actix axum actix-web-lab; do
        base=$(instructions "$imp" "$workload" 0)
        total=$(instructions "$imp" "$workload" "$n")
        per[$imp]=$(( (total - base) / n ))
    done
    for imp in ours-axum ours-hyper ours-actix axum actix-web-lab; do
        awk -v w="$workload" -v i="$imp" -v p="${per[$imp]}" \
            -v a="${per[axum]}" -v l="${per[actix-web-lab]}" \
            'BEGIN { printf "%-8s %-14s %14d %8.2fx %8.2fx\n", w, i, p, a / p, l / p }'
    done
    unset per
done

base=$(instructions decode none)
ours=$(( ($(instructions decode ours) - base) / 100000 ))
theirs=$(( ($(instructions decode eventsource-stream) - base) / 100000 ))
awk -v o="$ours" -v t="$theirs" 'BEGIN {
    printf "decode   ours %d, eventsource-stream %d instructions/event: %.2fx\n", o, t, t / o }'
