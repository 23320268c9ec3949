#!/bin/sh
# Validates SARIF logs with the SARIF multitool (the SARIF 2.1.0 schema plus its SARIF and
# GitHub rule sets) and fails on every error or warning it reports; notes are allowed.
#
#   tests/sarif/validate.sh FILE.sarif...
#
# The multitool comes from npm (@microsoft/sarif-multitool, a self-contained .NET binary)
# and is installed once into $RL_SARIF_TOOL_DIR (default: build/.sarif-tool of this source
# tree), never globally. Exit status: 0 valid, 1 invalid or the validator failed, 2 usage,
# 77 (ctest's skip code) when node is missing, or npm is and the tool is not installed yet.
# Environment: RL_SARIF_TOOL_DIR, RL_SARIF_MULTITOOL_VERSION (default below).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
version=${RL_SARIF_MULTITOOL_VERSION:-5.7.0}
tooldir=${RL_SARIF_TOOL_DIR:-$here/../../build/.sarif-tool}

if [ $# -eq 0 ]; then
    echo "usage: $0 FILE.sarif..." >&2
    exit 2
fi
# node reads the validator's log; npm installs the validator: without them there is
# nothing to run (ctest shows the test as skipped, CI installs both).
if ! command -v node >/dev/null 2>&1; then
    echo "validate.sh: node is not available; skipped" >&2
    exit 77
fi
for f in "$@"; do
    if [ ! -f "$f" ]; then
        echo "validate.sh: $f: no such file" >&2
        exit 1
    fi
done

bin=$tooldir/$version/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
case $(uname -s) in
Darwin) bin=$tooldir/$version/node_modules/@microsoft/sarif-multitool-darwin/Sarif.Multitool ;;
esac

if [ ! -f "$bin" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "validate.sh: npm is not available: cannot install the SARIF multitool; skipped" >&2
        exit 77
    fi
    # Install into a fresh folder and move it into place, so that an interrupted or
    # concurrent install never leaves a half-installed tool behind.
    mkdir -p "$tooldir"
    tmp=$(mktemp -d "$tooldir/.install.XXXXXX")
    echo "validate.sh: installing @microsoft/sarif-multitool@$version into $tooldir" >&2
    if ! npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error \
        "@microsoft/sarif-multitool@$version" >&2; then
        rm -rf "$tmp"
        echo "validate.sh: npm install failed" >&2
        exit 1
    fi
    if [ -e "$tooldir/$version" ]; then
        rm -rf "$tmp" # another run installed it meanwhile
    else
        mv "$tmp" "$tooldir/$version"
    fi
    if [ ! -f "$bin" ]; then
        echo "validate.sh: the install has no $bin" >&2
        exit 1
    fi
fi
# npm may skip the package's postinstall script (which only sets this bit)
[ -x "$bin" ] || chmod +x "$bin"

# The .NET runtime needs libicu unless told to work without; validation does not depend
# on culture data, and one mode everywhere keeps the results the same on every machine.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1

work=$(mktemp -d "${TMPDIR:-/tmp}/rl-sarif.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
log=$work/validation.sarif

# multitool.config.xml turns off SARIF2006 (fetches every URI in the log over HTTP: a
# note-level rule, and tests do not touch the network). --level keeps notes out of the
# log; only errors and warnings matter.
status=0
"$bin" validate --rule-kind "Sarif;Gh" --level "Error;Warning" \
    --config "$here/multitool.config.xml" --max-file-size-in-kb 65536 \
    --log ForceOverwrite --output "$log" \
    "$@" >"$work/stdout" 2>&1 || status=$?
if [ "$status" -ne 0 ] || [ ! -f "$log" ]; then
    cat "$work/stdout" >&2
    echo "validate.sh: the SARIF multitool failed (exit status $status)" >&2
    exit 1
fi

node "$here/check-log.js" "$log" "$work/stdout" "$@"
