#!/usr/bin/env bash
# Every fixtures/<rule>-fires*/ scenario must report its own rule: a "fires" fixture whose
# golden output lost the rule (a refactoring that silenced it) fails here, even when the
# golden files were regenerated without a look. A "-clean" scenario must not report it.
set -euo pipefail
root=${1:?usage: fires_have_their_rule.sh FIXTURES_DIR}
status=0
checked=0
for dir in "$root"/rl[0-9]*-*/; do
    name=$(basename "$dir")
    id=$(printf '%s' "${name%%-*}" | tr '[:lower:]' '[:upper:]')
    [ -f "$dir/expected.txt" ] || continue
    case "$name" in
    *-fires*)
        if ! grep -q "\[$id\]" "$dir/expected.txt"; then
            echo "$name: expected.txt has no $id finding" >&2
            status=1
        fi
        checked=$((checked + 1))
        ;;
    *-clean*)
        # a clean fixture may show the rule only as suppressed, never as a finding
        if grep -E "^[^ ].*: (error|warning|note): .*\[$id\]$" "$dir/expected.txt" >/dev/null; then
            echo "$name: expected.txt reports $id" >&2
            status=1
        fi
        checked=$((checked + 1))
        ;;
    esac
done
if [ "$checked" -eq 0 ]; then
    echo "no rule fixtures found under $root" >&2
    exit 1
fi
echo "$checked rule fixtures checked"
exit $status
