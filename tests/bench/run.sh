#!/bin/sh
# Benchmark: generates a synthetic region pair (gen_pair.py), then measures libyaml's bare
# event parse of it (the baseline), our loader alone, and the full `regionlint` run, and
# prints a table of times, ratios and peak memory. See docs/performance.md.
#
# usage: tests/bench/run.sh [BUILD_DIR]     (default: ./build, built with ninja first)
# environment: SCALE (pair size, 1 = about 100 MB; default 1), REPEAT (runs, best is
# kept; default 5), PAIR_DIR (where the pair goes; default BUILD_DIR/bench-pair-SCALE)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
scale=${SCALE:-1}
repeat=${REPEAT:-5}
pair=${PAIR_DIR:-$build/bench-pair-$scale}
bare=$build/tests/bench/rl_bare_parse
lint=$build/regionlint

if [ ! -x "$bare" ]; then
    echo "run.sh: $bare not found; build it first: ninja -C $build rl_bare_parse" >&2
    exit 2
fi

# The stamp sits beside the pair, not in it: every file in the pair is input.
stamp="$pair.stamp"
want="scale=$scale seed=1 gen=$(cksum <"$here/gen_pair.py" | cut -d' ' -f1)"
if [ ! -d "$pair" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$pair"
    echo "generating the region pair (scale $scale) in $pair ..." >&2
    python3 "$here/gen_pair.py" --out "$pair" --scale "$scale" --seed 1
    echo "$want" >"$stamp"
fi

# key=value output of rl_bare_parse -> one field
field() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

echo "warming the page cache ..." >&2
cat $(find "$pair" -type f) >/dev/null

measure() {
    input=$1
    label=$2
    base=$("$bare" --mode libyaml --repeat "$repeat" "$input")
    load=$("$bare" --mode load --repeat "$repeat" "$input")
    keep=$("$bare" --mode keep --repeat 1 "$input")
    bytes=$(field "$base" bytes)
    files=$(field "$base" files)

    # The full run: only when build/regionlint is the real CLI (it answers --version).
    full_status="skipped"
    full_secs=""
    full_cpu=""
    full_rss=""
    if [ -x "$lint" ] && "$lint" --version 2>/dev/null | grep -q regionlint; then
        times=$(mktemp)
        i=0
        while [ "$i" -lt "$repeat" ]; do
            # exit status 1 means findings (the synthetic pair has some); 2 means it could not run
            status=0
            /usr/bin/time -o "$times" -f 'TIME %e %U %S %M' "$lint" -q -p us-east-1 -s us-west-2 \
                -f json:/dev/null "$input" >/dev/null 2>&1 || status=$?
            line=$(awk '$1 == "TIME"' "$times")
            if [ "$status" -gt 1 ] || [ -z "$line" ]; then
                full_status="failed (exit status $status)"
                break
            fi
            full_status="ok"
            set -- $line
            full_secs=$(awk -v a="$2" -v b="${full_secs:-1e30}" 'BEGIN { print (a < b ? a : b) }')
            full_cpu=$(awk -v a="$3" -v s="$4" -v b="${full_cpu:-1e30}" 'BEGIN { c = a + s; print (c < b ? c : b) }')
            full_rss=$(awk -v a="$5" -v b="${full_rss:-0}" 'BEGIN { print (a > b ? a : b) }')
            i=$((i + 1))
        done
        rm -f "$times"
    fi

    echo
    echo "== $label: $input"
    echo "       $files files, $bytes bytes; wall and CPU time: best of $repeat runs each;"
    echo "       peak RSS of the whole process; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    awk -v bytes="$bytes" \
        -v bt="$(field "$base" seconds)" -v bc="$(field "$base" cpu_seconds)" \
        -v br="$(field "$base" peak_rss_kb)" \
        -v lt="$(field "$load" seconds)" -v lc="$(field "$load" cpu_seconds)" \
        -v lr="$(field "$load" peak_rss_kb)" \
        -v kt="$(field "$keep" seconds)" -v kc="$(field "$keep" cpu_seconds)" \
        -v kr="$(field "$keep" peak_rss_kb)" -v ka="$(field "$keep" arena_bytes)" \
        -v fs="$full_status" -v ft="$full_secs" -v fc="$full_cpu" -v fr="$full_rss" \
        -v lintpath="$lint" '
    function row(name, t, c, rss) {
        printf "%-30s %8.3f %8.3f %7.1f %7.2fx %7.2fx %9.1f %7.2f\n", name, t, c, bytes / 1e6 / t,
            t / bt, c / bc, rss / 1024, rss * 1024 / bytes
    }
    BEGIN {
        printf "%-30s %8s %8s %7s %8s %8s %9s %7s\n", "", "wall (s)", "CPU (s)", "MB/s",
            "wall/bare", "CPU/bare", "RSS (MiB)", "RSS/in"
        row("libyaml bare event parse", bt, bc, br)
        row("rl_doc_load, each doc freed", lt, lc, lr)
        row("rl_doc_load, all docs kept", kt, kc, kr)
        if (fs == "ok")
            row("regionlint full run", ft, fc, fr)
        else if (fs == "skipped")
            printf "%-30s %s\n", "regionlint full run",
                "SKIPPED: build/regionlint is not the linter yet; loader only"
        else
            printf "%-30s %s\n", "regionlint full run", "FAILED: " lintpath " " fs
        printf "\narena bytes for all documents: %.1f MiB (%.2fx the input)\n", ka / 1048576, ka / bytes
        ok = fs == "ok"
        ratio = ok ? ft / bt : lt / bt
        cratio = ok ? fc / bc : lc / bc
        what = ok ? "full run" : "loader only (full run skipped)"
        printf "target: whole run within 1.5x of the bare libyaml parse: %s %.2fx wall, %.2fx CPU -> %s\n",
            what, ratio, cratio, (ratio <= 1.5 ? "met" : "NOT met")
        rss = ok ? fr : kr
        printf "memory: peak RSS %.2fx the input\n", rss * 1024 / bytes
    }'
}

echo
echo "regionlint benchmark: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
measure "$pair" "whole region pair"
# CI on a pull request lints templates only: all YAML, where our JSON reader's speed does
# not hide the YAML loader's cost
measure "$pair/templates" "templates only (YAML)"
