#!/usr/bin/env bash
# Command-line behaviour: options, exit codes (0 / 1 / 2, 2 wins), errors that say what to
# do, formats, rule selection, strategies, standard input.
#   test_cli.sh REGIONLINT FIXTURES_DIR
set -u
bin=$(realpath "$1")
fx=$(realpath "$2")
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

# check NAME EXPECTED_STATUS PATTERN -- ARGS... : runs regionlint, checks the exit status
# and that stdout+stderr match the extended regex PATTERN ("" = anything)
check() {
    local name=$1 want=$2 pattern=$3
    shift 4
    "$bin" "$@" >out 2>err
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit status $got, expected $want"; cat out err | head -20; fails=$((fails + 1))
        return
    fi
    if [ -n "$pattern" ] && ! cat out err | grep -Eq -- "$pattern"; then
        echo "FAIL $name: output does not match /$pattern/"; cat out err | head -20; fails=$((fails + 1))
    fi
}

check version 0 '^regionlint [0-9]+\.[0-9]+\.[0-9]+$' -- --version
check help 0 'Usage: regionlint \[OPTIONS\] PATH' -- --help
check no-path 2 'no PATH given' -- -p us-east-1 -s us-west-2
check unknown-option 2 "unknown option '--frobnicate'" -- --frobnicate .
check missing-value 2 "needs a value" -- . -p
check bad-fail-on 2 "--fail-on takes error, warning, note or none" -- --fail-on loud .
check bad-format 2 "unknown format 'yaml'" -- -f yaml .
check two-stdout 2 "only one format can write to standard output" -- -f json -f text .
check bad-strategy 2 "unknown strategy 'lukewarm'" -- --strategy lukewarm .
mkdir -p noconf/us-east-1 noconf/us-west-2 && cp "$fx/rl501-fires/templates/worker.yaml" noconf/us-east-1/
cp "$fx/rl501-fires/templates/worker.yaml" noconf/us-west-2/
check no-regions 2 "use --primary REGION and --standby REGION.*region folders found: us-east-1, us-west-2" -- noconf
check same-region 2 "named both primary and standby" -- -p us-east-1 -s us-east-1 "$fx/rl501-fires"
check bad-region 2 "not an AWS region code" -- -p us_east_1 -s us-west-2 "$fx/rl501-fires"
check missing-path 2 "nope: No such file" -- -p us-east-1 -s us-west-2 nope
check unknown-rule 2 "--enable 'RL99' matches no rule" -- --enable RL99 "$fx/example"
check list-rules 0 '^RL501 +error +dependency' -- --list-rules
check explain 0 '^# RL501: ' -- --explain RL501
check explain-unknown 2 'no rule RL999' -- --explain RL999

# exit status follows --fail-on; warnings only: 1 by default, 0 with --fail-on error
# (RL203 and RL603 are off here: the fixture's fixed bucket name, and its bucket with no copy
# in the standby, are errors of their own)
check warnings-default 1 'RL503' -- --disable RL203,RL603 "$fx/rl503-fires"
check fail-on-error 0 'RL503' -- --disable RL203,RL603 --fail-on error "$fx/rl503-fires"
check fail-on-none 0 'RL501' -- --fail-on none "$fx/rl501-fires"
check clean 0 'no findings' -- "$fx/rl501-clean"
# 2 wins over 1, also with --fail-on none
check parse-error 2 'RL001' -- --fail-on none "$fx/rl001-parse-errors"

# rule selection by prefix; CLI patterns beat the config's; longest wins
check disable-prefix 0 'no findings' -- --disable RL5 "$fx/rl501-fires"
check only-one 1 'RL505' -- --disable RL --enable RL505 "$fx/rl505-fires"
if grep -q RL501 out; then echo "FAIL only-one: RL501 ran although disabled"; fails=$((fails + 1)); fi

# strategies change levels: RL501 is a warning for backup-restore
check strategy 1 'warning: .*\[RL501\]' -- --strategy backup-restore "$fx/rl501-fires"

# several standbys, comma-separated or repeated
check two-standbys 1 'standby us-west-2, eu-west-1' -- -p us-east-1 -s us-west-2,eu-west-1 "$fx/rl501-fires/templates"
check standby-repeat 1 'in the standby region eu-west-1' -- -p us-east-1 -s us-west-2 -s eu-west-1 "$fx/rl501-fires/templates"

# quiet: no summary line
check quiet 1 '' -- -q "$fx/rl501-fires"
if grep -q '^regionlint:' out; then echo "FAIL quiet: summary printed"; fails=$((fails + 1)); fi

# standard input
"$bin" -p us-east-1 -s us-west-2 - <"$fx/rl501-fires/templates/worker.yaml" >out 2>err
if [ $? -ne 1 ] || ! grep -q '^-:16:32: error: .*\[RL501\]' out; then
    echo "FAIL stdin"; cat out err | head; fails=$((fails + 1))
fi

# several formats in one run, each to its own file
check formats 1 '' -- -f json:r.json -f sarif:r.sarif -f text "$fx/rl501-fires"
for f in r.json r.sarif; do [ -s "$f" ] || { echo "FAIL formats: $f empty"; fails=$((fails + 1)); }; done
check unwritable 2 "cannot write /nonexistent/r.json" -- -f json:/nonexistent/r.json "$fx/rl501-fires"

# a bad config names the file, line and column
printf 'primary: us-east-1\nstandby: us-west-2\nbake_time: 1h\n' >bad.yaml
check bad-config 2 "bad.yaml:3:1: unknown key 'bake_time'" -- -c bad.yaml "$fx/rl501-fires/templates"

# rule settings are checked against the types rules/ declares, before any input is read: a
# wrong type, an unknown rule (with the nearest id), an unknown key (with the nearest one)
printf 'primary: us-east-1\nstandby: us-west-2\nrules:\n  RL201:\n    unowned-roles: sometimes\n' >st.yaml
check setting-type 2 "st.yaml:5:20: rules.RL201.unowned-roles: expected true or false, not 'sometimes'" \
    -- -c st.yaml "$fx/rl501-fires/templates"
printf 'primary: us-east-1\nstandby: us-west-2\nrules:\n  RL5O1: {allowed-paths: []}\n' >st.yaml
check setting-rule 2 "st.yaml:4:3: rules.RL5O1: settings for a rule that does not exist \(did you mean RL501\?" \
    -- -c st.yaml "$fx/rl501-fires/templates"
printf 'primary: us-east-1\nstandby: us-west-2\nrules:\n  RL901:\n    achievable-rto: {pilot-light: 10 min}\n' >st.yaml
check setting-duration 2 "st.yaml:5:35: rules.RL901.achievable-rto.pilot-light: '10 min' is not a duration" \
    -- -c st.yaml "$fx/rl501-fires/templates"

# --exclude globs match the shown path; a file named on the command line is always read
check exclude 0 'no findings' -- --exclude '**/templates/**' --exclude '**/regions/**' "$fx/rl501-fires"
check exclude-explicit 1 'RL501' -- --exclude '**' -p us-east-1 -s us-west-2 "$fx/rl501-fires/templates/worker.yaml"

# limits are options
check max-file-size 2 'RL001' -- --max-file-size 100 "$fx/rl501-fires"
check bad-size 2 'takes a size' -- --max-file-size lots .

if [ $fails -ne 0 ]; then
    echo "$fails CLI checks failed"
    exit 1
fi
echo "all CLI checks passed"
