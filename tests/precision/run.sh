#!/usr/bin/env bash
# Precision suite: one realistic multi-region design per folder under tests/precision/. The
# design is linted as a golden scenario (tests/golden/run.sh: expected.txt, expected.status,
# and any other expected.* it keeps) and its must-not-fire.txt is checked against the
# expected findings, so a golden regenerated without a look cannot hide a false positive.
#   run.sh REGIONLINT DESIGN_DIR
# must-not-fire.txt: one `RULE FILE-GLOB  why` a line (# comments): no finding of RULE (an
# id or an id prefix such as RL5) may be reported in a file matching FILE-GLOB.
set -u
bin=$1
dir=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
RL_GOLDEN_EXCLUDE="must-not-fire.txt README.md" "$here/../golden/run.sh" "$bin" "$dir" || exit 1
[ -f "$dir/must-not-fire.txt" ] || { echo "$dir: must-not-fire.txt is missing" >&2; exit 1; }
status=0
while read -r rule glob why; do
    case "$rule" in '' | \#*) continue ;; esac
    while IFS= read -r line; do
        file=${line%%:*}
        id=${line##*[}
        id=${id%]}
        # shellcheck disable=SC2053
        if [[ $id == $rule* && $file == $glob ]]; then
            echo "$dir: must not fire ($rule in $glob: $why): $line" >&2
            status=1
        fi
    done < <(grep -E '^[^ ].*:[0-9]+:[0-9]+: (error|warning|note): .*\[RL[0-9X]+\]$' \
        "$dir/expected.txt")
done <"$dir/must-not-fire.txt"
exit $status
