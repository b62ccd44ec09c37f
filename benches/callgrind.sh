#!/usr/bin/env bash
# Instructions per event, counted by valgrind's callgrind: the same ratios
# as the criterion benches, but repeatable on a noisy machine. Each count
# is a run of N events minus a run of none (process start, runtime, setup).
# `hand` is the hand-written body (benches/src/hand.rs), the limit; `x hand`
# is its count, served the same way (bare, behind axum's `Body`, or as an
# actix-web `MessageBody`), over each one's. In `pending` every event is a chunk of its
# own, so its count is also the cost per chunk.
#
#   bash benches/callgrind.sh            # all workloads, about 2 minutes
#   bash benches/callgrind.sh small pending
#   PROFILE_BIN=/tmp/profile-before bash benches/callgrind.sh small pending
#
# Needs valgrind: `sudo apt-get install -y valgrind` (Debian, Ubuntu), or
# your system's package of it.
#
# Instruction counts leave out what the CPU waits for (cache misses,
# stalled loads, atomics), so wall-clock ratios can differ either way.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
    echo "valgrind not found: sudo apt-get install -y valgrind" >&2
    exit 1
fi
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(small json large pending)
# PROFILE_BIN=<a saved build of the profile binary> counts that one
# instead (before/after comparisons).
if [ -n "${PROFILE_BIN:-}" ]; then
    bin="$PROFILE_BIN"
else
    cargo build --quiet --release -p benches --bin profile
    bin="${CARGO_TARGET_DIR:-target}/release/profile"
fi

instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        awk '/refs:/ { gsub(",", "", $NF); print $NF }'
}

imps=(ours-axum ours-hyper ours-hyper-pipeline ours-actix axum actix-web-lab hand hand-axum hand-actix)
# The hand-written body served the way each one is (benches::Imp::hand).
declare -A peer=([ours-axum]=hand-axum [axum]=hand-axum [ours-actix]=hand-actix
    [actix-web-lab]=hand-actix [ours-hyper]=hand [ours-hyper-pipeline]=hand [hand]=hand [hand-axum]=hand [hand-actix]=hand)
printf '%-8s %-14s %14s %9s %9s %9s\n' workload impl instr/event "x axum" "x lab" "x hand"
for workload in "${workloads[@]}"; do
    if [ "$workload" = large ]; then n=200; else n=100000; fi
    declare -A per=()
    for imp in "${imps[@]}"; do
        base=$(instructions "$imp" "$workload" 0)
        total=$(instructions "$imp" "$workload" "$n")
        per[$imp]=$(( (total - base) / n ))
    done
    for imp in "${imps[@]}"; do
        awk -v w="$workload" -v i="$imp" -v p="${per[$imp]}" \
            -v a="${per[axum]}" -v l="${per[actix-web-lab]}" -v h="${per[${peer[$imp]}]}" \
            'BEGIN { printf "%-8s %-14s %14d %8.2fx %8.2fx %8.2fx\n", w, i, p, a / p, l / p, h / p }'
    done
    unset per
done

[ $# -eq 0 ] || exit 0
base=$(instructions decode none)
ours=$(( ($(instructions decode ours) - base) / 100000 ))
theirs=$(( ($(instructions decode eventsource-stream) - base) / 100000 ))
awk -v o="$ours" -v t="$theirs" 'BEGIN {
    printf "decode   ours %d, eventsource-stream %d instructions/event: %.2fx\n", o, t, t / o }'
