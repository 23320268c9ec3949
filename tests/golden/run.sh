#!/usr/bin/env bash
# Golden scenario test: runs regionlint inside one fixtures/<scenario>/ folder and compares
# its text, JSON and SARIF output and exit status with the expected.* files there.
#   run.sh REGIONLINT FIXTURE_DIR
# The scenario's `args` file (one argument per line, # comments) replaces the default
# argument "."; formats are added by this script. RL_UPDATE_GOLDEN=1 rewrites the expected
# files instead of comparing (review the diff before committing).
set -u
bin=$(realpath "$1")
dir=$(realpath "$2")
args=(.)
if [ -f "$dir/args" ]; then
    mapfile -t args < <(grep -v '^[[:space:]]*#' "$dir/args" | sed '/^[[:space:]]*$/d')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# run in a copy of the scenario without its expected.* files (they would be inputs too)
mkdir "$tmp/in"
(cd "$dir" && tar --exclude='./expected.*' --exclude=./args -cf - .) | (cd "$tmp/in" && tar -xf -)
cd "$tmp/in" || exit 2
# a fixed %SRCROOT% so SARIF output does not depend on where the repository is checked out
export RL_SARIF_SRCROOT=file:///src/
"$bin" --color never -f "text:$tmp/expected.txt" -f "json:$tmp/expected.json" \
    -f "sarif:$tmp/expected.sarif" "${args[@]}" >"$tmp/stdout" 2>"$tmp/expected.stderr"
echo $? >"$tmp/expected.status"
[ -s "$tmp/expected.stderr" ] || rm -f "$tmp/expected.stderr"

cd "$dir" || exit 2
if [ "${RL_UPDATE_GOLDEN:-}" = 1 ]; then
    rm -f expected.stderr
    cp "$tmp"/expected.* .
    echo "updated $dir"
    exit 0
fi
fail=0
for f in expected.status expected.txt expected.json expected.sarif expected.stderr; do
    if [ -f "$f" ] && [ ! -f "$tmp/$f" ]; then
        echo "--- $dir/$f: expected, but regionlint wrote nothing"
        fail=1
    elif [ -f "$tmp/$f" ] && [ ! -f "$f" ]; then
        if [ "$f" = expected.stderr ] || [ "$f" = expected.status ]; then
            echo "--- $dir/$f: missing; regionlint wrote:"
            cat "$tmp/$f"
            fail=1
        fi
    elif [ -f "$f" ] && ! diff -u "$f" "$tmp/$f"; then
        fail=1
    fi
done
exit $fail
