#!/usr/bin/env python3
"""Runs the jq program docs/ci.md gives for GitLab's Code Quality report on real JSON
reports, and checks the result has what GitLab requires: an array of objects with a string
`description`, `check_name` and `fingerprint`, a `severity` GitLab knows, `location.path`
and an integer `location.lines.begin` of at least 1. Exits 77 (skipped) without jq.

usage: check_ci.py DOCS_CI_MD REPORT.json...
"""
import json
import re
import shutil
import subprocess
import sys
import tempfile

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def jq_program(md):
    m = re.search(r"^```jq\n(.*?)^```", md, re.S | re.M)
    return m.group(1) if m else None


def check(items, report):
    errors = []
    if not isinstance(items, list):
        return ["the result is not an array"]
    if len(items) != len(report["findings"]):
        errors.append(f"{len(items)} issues for {len(report['findings'])} findings")
    for i, it in enumerate(items):
        for key in ("description", "check_name", "fingerprint"):
            if not isinstance(it.get(key), str) or not it[key]:
                errors.append(f"[{i}].{key} is not a non-empty string")
        if it.get("severity") not in SEVERITIES:
            errors.append(f"[{i}].severity {it.get('severity')!r}")
        loc = it.get("location", {})
        if not isinstance(loc.get("path"), str):
            errors.append(f"[{i}].location.path missing")
        begin = loc.get("lines", {}).get("begin")
        if not isinstance(begin, int) or isinstance(begin, bool) or begin < 1:
            errors.append(f"[{i}].location.lines.begin {begin!r}")
    return errors


def main():
    if not shutil.which("jq"):
        print("jq is not installed: skipped")
        return 77
    program = jq_program(open(sys.argv[1]).read())
    if not program:
        print(f"{sys.argv[1]}: no ```jq block")
        return 1
    failed = 0
    with tempfile.NamedTemporaryFile("w", suffix=".jq") as f:
        f.write(program)
        f.flush()
        for path in sys.argv[2:]:
            p = subprocess.run(["jq", "-f", f.name, path], capture_output=True, text=True)
            errors = [p.stderr.strip()] if p.returncode else []
            if not errors:
                errors = check(json.loads(p.stdout), json.load(open(path)))
            for e in errors[:10]:
                print(f"{path}: {e}")
            failed += bool(errors)
    print(f"{len(sys.argv) - 2} reports converted, {failed} failed")
    return 1 if failed or len(sys.argv) < 3 else 0


if __name__ == "__main__":
    sys.exit(main())
