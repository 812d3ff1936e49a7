# Shared helpers for scripts/bench/*: build once, time commands, print ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Generated files (never committed): $PORTER_BENCH_DATA, else bench-data/ in the checkout.
DATA="${PORTER_BENCH_DATA:-$ROOT/bench-data}"
mkdir -p "$DATA"

build_release() {
    (cd "$ROOT" && swift build -c release --product "${1:-porter-bench}" >&2)
    echo "$ROOT/.build/release/${1:-porter-bench}"
}

# median_seconds RUNS CMD... → median wall time in seconds (hyperfine when present).
median_seconds() {
    local runs=$1; shift
    if command -v hyperfine >/dev/null; then
        local out; out=$(mktemp)
        hyperfine --style none --runs "$runs" --export-json "$out" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$out"
        rm -f "$out"
    else
        local best=""
        for _ in $(seq "$runs"); do
            local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
            best=$(python3 -c "print('%.4f' % ($e - $s))")
        done
        echo "$best"
    fi
}

# peak_kb CMD... → peak resident set size in KB (GNU time).
peak_kb() {
    /usr/bin/time -f "%M" -o /tmp/porter-bench-peak "$@" >/dev/null 2>&1
    cat /tmp/porter-bench-peak
}

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
