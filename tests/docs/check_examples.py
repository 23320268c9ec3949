#!/usr/bin/env python3
"""Runs the examples of the documentation and checks their shown output.

Conventions (docs/CONTRIBUTING.md): a fenced block whose info string has `file=PATH` is an
input file of the current example; an HTML comment `<!-- regionlint ARGS -->` sets the
arguments (default: `-p us-east-1 -s us-west-2 .`); a fenced block with the info string
`LANG output` (`text output`, `json output`, `xml output`, `markdown output`, ...) is the
expected standard output of regionlint run in a folder holding the files collected since
the previous output block (`text stderr`: its standard error, for examples of errors), and
`status=N` in the comment the expected exit status
(default: for text, 1 when the output lists findings, else 0; for other outputs, 0). The
word `reuse` in the comment runs the example over the previous example's files, so one
set of inputs can be shown in several formats.

usage: check_examples.py REGIONLINT DOC.md... [--update]
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(```+|~~~+)(.*)$")
COMMENT = re.compile(r"<!--\s*regionlint\b(.*?)-->")


def examples(text):
    """Yields (files, args, status, output, (start, end) of the output block body, language,
    stream), stream being "output" (standard output) or "stderr"."""
    lines = text.split("\n")
    files, args, status, previous = {}, None, None, {}
    i = 0
    while i < len(lines):
        m = COMMENT.search(lines[i])
        if m:
            words = shlex.split(m.group(1))
            status = None
            args = []
            for w in words:
                if w.startswith("status="):
                    status = int(w.split("=", 1)[1])
                elif w == "reuse":
                    files = dict(previous, **files)
                else:
                    args.append(w)
        f = FENCE.match(lines[i])
        if not f:
            i += 1
            continue
        fence, info = f.group(1), f.group(2).strip()
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        body = "\n".join(lines[i + 1:j])
        fm = re.search(r"\bfile=(\S+)", info)
        if fm:
            files[fm.group(1)] = body + "\n"
        elif len(info.split()) == 2 and info.split()[1] in ("output", "stderr"):
            yield files, args, status, body, (i + 1, j), info.split()[0], info.split()[1]
            previous, files, args, status = files, {}, None, None
        i = j + 1


def run(binary, files, args):
    with tempfile.TemporaryDirectory() as d:
        for name, content in files.items():
            path = os.path.join(d, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(content)
        argv = [binary, "--color", "never"] + (args if args else ["-p", "us-east-1", "-s", "us-west-2", "."])
        env = dict(os.environ, NO_COLOR="1")
        # no CI commit: Markdown output would link to it
        for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "CI_PROJECT_URL",
                  "CI_COMMIT_SHA"):
            env.pop(k, None)
        p = subprocess.run(argv, cwd=d, capture_output=True, text=True, env=env)
        return p.returncode, p.stdout.rstrip("\n"), p.stderr


def main():
    argv = sys.argv[1:]
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    binary, docs = os.path.abspath(argv[0]), argv[1:]
    failures = 0
    count = 0
    for doc in docs:
        text = open(doc).read()
        lines = text.split("\n")
        replacements = []
        for files, args, status, expected, span, lang, stream in examples(text):
            count += 1
            rc, out, err = run(binary, files, args)
            if stream == "stderr":
                out, err = err.rstrip("\n"), out
            findings = lang == "text" and re.search(r": (error|warning|note): ", expected)
            want_status = status if status is not None else (1 if findings else 0)
            if update:
                replacements.append((span, out))
                continue
            if out != expected or rc != want_status:
                failures += 1
                print(f"--- {doc}: example ending at line {span[1] + 1}")
                if rc != want_status:
                    print(f"exit status {rc}, expected {want_status}")
                if out != expected:
                    import difflib
                    for l in difflib.unified_diff(expected.split("\n"), out.split("\n"), "shown", "actual", lineterm=""):
                        print(l)
                if err:
                    print("stderr:", err)
        if update and replacements:
            for (a, b), out in reversed(replacements):
                lines[a:b] = out.split("\n") if out else []
            open(doc, "w").write("\n".join(lines))
    if count == 0:
        print("no examples found")
        return 1
    print(f"{count} examples checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
