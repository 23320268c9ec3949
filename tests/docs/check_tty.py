#!/usr/bin/env python3
"""Colour in the text format, as docs/usage.md says: with --color auto (the default) only on
a terminal, not when NO_COLOR is set and not empty or TERM is dumb; --color always and
never regardless; never in a file.

usage: check_tty.py REGIONLINT FIXTURE_DIR
"""
import os
import pty
import subprocess
import sys
import tempfile

ESC = b"\x1b["


def run(binary, fixture, args, env_extra, tty):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    env.update(env_extra)
    argv = [binary] + args + ["."]
    if not tty:
        return subprocess.run(argv, cwd=fixture, env=env, capture_output=True).stdout
    out = b""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(fixture)
        os.execve(binary, argv, env)
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return out


def main():
    binary, fixture = os.path.abspath(sys.argv[1]), sys.argv[2]
    cases = [
        ("a terminal", [], {}, True, True),
        ("a terminal with NO_COLOR=1", [], {"NO_COLOR": "1"}, True, False),
        ("a terminal with NO_COLOR empty", [], {"NO_COLOR": ""}, True, True),
        ("a terminal with TERM=dumb", [], {"TERM": "dumb"}, True, False),
        ("a terminal with --color never", ["--color", "never"], {}, True, False),
        ("a pipe", [], {}, False, False),
        ("a pipe with --color always", ["--color", "always"], {}, False, True),
    ]
    failed = 0
    for name, args, env, tty, want in cases:
        out = run(binary, fixture, args, env, tty)
        if b"regionlint:" not in out:
            print(f"{name}: no output: {out[:200]!r}")
            failed += 1
        elif (ESC in out) != want:
            print(f"{name}: colour {'expected' if want else 'not expected'}")
            failed += 1
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.txt")
        run(binary, fixture, ["-f", "text:" + path], {}, True)
        if ESC in open(path, "rb").read():
            print("a file written from a terminal run has colour")
            failed += 1
    print(f"{len(cases) + 1} cases, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
