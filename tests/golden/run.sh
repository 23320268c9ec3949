#!/usr/bin/env bash
# Golden scenario test: runs regionlint inside one fixtures/<scenario>/ folder, writing every
# output format in one run, and compares each output that has an expected file there
# (expected.txt, .json, .sarif, .github, .junit, .md, .html) and the exit status
# (expected.status) and standard error (expected.stderr, empty when absent). A format without
# an expected file is still written (a reporter that fails shows in the status and stderr)
# but not compared.
#   run.sh REGIONLINT FIXTURE_DIR
# The scenario's `args` file (one argument per line, # comments) replaces the default
# argument "."; formats are added by this script.
# RL_UPDATE_GOLDEN=1 rewrites the expected files the fixture has, and creates the status,
# text, JSON and SARIF ones when missing; RL_UPDATE_GOLDEN=all writes every format. Review
# the diff before committing.
set -u
bin=$(realpath "$1")
dir=$(realpath "$2")
cd "$dir" || exit 2
args=(.)
if [ -f args ]; then
    mapfile -t args < <(grep -v '^[[:space:]]*#' args | sed '/^[[:space:]]*$/d')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# run in a copy of the scenario without its expected.* files (they would be inputs too), nor
# the files RL_GOLDEN_EXCLUDE names (a precision design's notes)
mkdir "$tmp/in"
excl=()
for x in ${RL_GOLDEN_EXCLUDE:-}; do excl+=(--exclude="./$x"); done
(cd "$dir" && tar --exclude='./expected.*' --exclude=./args "${excl[@]}" -cf - .) |
    (cd "$tmp/in" && tar -xf -)
# format name -> expected file extension
formats=(text:txt json:json sarif:sarif github:github junit:junit markdown:md html:html)
fargs=()
for f in "${formats[@]}"; do
    fargs+=(-f "${f%%:*}:$tmp/expected.${f##*:}")
done
# a fixed %SRCROOT% so SARIF output does not depend on where the repository is checked out;
# no CI commit, so Markdown has no links that depend on the machine
export RL_SARIF_SRCROOT=file:///src/
unset GITHUB_SERVER_URL GITHUB_REPOSITORY GITHUB_SHA CI_PROJECT_URL CI_COMMIT_SHA
(cd "$tmp/in" && "$bin" --color never "${fargs[@]}" "${args[@]}") >"$tmp/stdout" \
    2>"$tmp/expected.stderr"
echo $? >"$tmp/expected.status"
[ -s "$tmp/expected.stderr" ] || rm -f "$tmp/expected.stderr"

if [ -n "${RL_UPDATE_GOLDEN:-}" ]; then
    rm -f expected.stderr
    for f in "$tmp"/expected.*; do
        name=$(basename "$f")
        case "$RL_UPDATE_GOLDEN:$name" in
        all:* | *:expected.status | *:expected.stderr | *:expected.txt | *:expected.json | \
            *:expected.sarif) cp "$f" . ;;
        *) [ ! -f "$name" ] || cp "$f" . ;;
        esac
    done
    echo "updated $dir"
    exit 0
fi
fail=0
for f in expected.status expected.stderr "${formats[@]/#*:/expected.}"; do
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
