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

base=$("$bare" --mode libyaml --repeat "$repeat" "$pair")
load=$("$bare" --mode load --repeat "$repeat" "$pair")
keep=$("$bare" --mode keep --repeat 1 "$pair")
bytes=$(field "$base" bytes)
files=$(field "$base" files)

# The full run: only when build/regionlint is the real CLI (it answers --version).
full_status="skipped"
full_secs=""
full_rss=""
if [ -x "$lint" ] && "$lint" --version 2>/dev/null | grep -q regionlint; then
    i=0
    while [ "$i" -lt "$repeat" ]; do
        out=$( { /usr/bin/time -f 'TIME %e %M' "$lint" -q -p us-east-1 -s us-west-2 \
                     -f json:/dev/null "$pair" >/dev/null 2>/dev/null; } 2>&1 | tail -n 1) || true
        secs=$(printf '%s\n' "$out" | awk '$1 == "TIME" { print $2 }')
        rss=$(printf '%s\n' "$out" | awk '$1 == "TIME" { print $3 }')
        if [ -z "$secs" ]; then
            full_status="failed"
            break
        fi
        full_status="ok"
        full_secs=$(awk -v a="$secs" -v b="${full_secs:-1e30}" 'BEGIN { print (a < b ? a : b) }')
        full_rss=$(awk -v a="$rss" -v b="${full_rss:-0}" 'BEGIN { print (a > b ? a : b) }')
        i=$((i + 1))
    done
fi

echo
echo "regionlint benchmark: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "input: $pair"
echo "       $files files, $bytes bytes; best of $repeat runs (peak RSS: the whole process)"
echo
awk -v bytes="$bytes" \
    -v bt="$(field "$base" seconds)" -v br="$(field "$base" peak_rss_kb)" \
    -v lt="$(field "$load" seconds)" -v lr="$(field "$load" peak_rss_kb)" \
    -v kt="$(field "$keep" seconds)" -v kr="$(field "$keep" peak_rss_kb)" \
    -v ka="$(field "$keep" arena_bytes)" \
    -v fs="$full_status" -v ft="$full_secs" -v fr="$full_rss" -v lintpath="$lint" '
function row(name, t, rss) {
    printf "%-34s %9.3f %9.1f %8.2fx %10.1f %9.2f\n", name, t, bytes / 1e6 / t, t / bt,
        rss / 1024, rss * 1024 / bytes
}
BEGIN {
    printf "%-34s %9s %9s %9s %10s %9s\n", "", "time (s)", "MB/s", "vs bare", "RSS (MiB)", "RSS/input"
    row("libyaml bare event parse", bt, br)
    row("rl_doc_load, each doc freed", lt, lr)
    row("rl_doc_load, all docs kept", kt, kr)
    if (fs == "ok")
        row("regionlint full run", ft, fr)
    else if (fs == "failed")
        printf "%-34s %s\n", "regionlint full run", "FAILED: " lintpath " exited without a result"
    else
        printf "%-34s %s\n", "regionlint full run",
            "SKIPPED: build/regionlint is not the linter yet; loader only"
    printf "\narena bytes for all documents: %.1f MiB (%.2fx the input)\n", ka / 1048576, ka / bytes
    ratio = (fs == "ok") ? ft / bt : lt / bt
    what = (fs == "ok") ? "full run" : "loader only (full run skipped)"
    printf "target: whole run within 1.5x of the bare libyaml parse: %s %.2fx -> %s\n", what,
        ratio, (ratio <= 1.5 ? "met" : "NOT met")
}'
