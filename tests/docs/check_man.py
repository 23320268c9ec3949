#!/usr/bin/env python3
"""Keeps the man page and docs/usage.md in step with `regionlint --help`.

`--help` (rl_cli_help in src/cli/options.c) is the one source of the options. The OPTIONS
section of docs/regionlint.1, between the `.\\" BEGIN OPTIONS` and `.\\" END OPTIONS` lines, is
generated from it; the rest of the page is written by hand. docs/usage.md has one section
per option (a `### ` heading naming it, curl style). This checks that:

- the generated block equals what --help gives today (`--update` rewrites it);
- every option in --help has a section in docs/usage.md, and every option section there
  is an option --help knows;
- every option named anywhere in the man page exists;
- groff, when installed, formats the page without a warning.

usage: check_man.py REGIONLINT MANPAGE USAGE_MD [--update]
"""
import re
import shutil
import subprocess
import sys

OPTION = re.compile(r"^ {2,6}(?:(-[A-Za-z0-9]), )?(--[a-z][a-z0-9-]*)(?: (\S+))?\s{2,}(\S.*)$")
CONTINUATION = re.compile(r"^ {10,}(\S.*)$")
HEADING = re.compile(r"^([A-Z][^:]*):$")
BEGIN = '.\\" BEGIN OPTIONS'
END = '.\\" END OPTIONS'


def parse_help(text):
    """[(section, [(short, long, arg, description)])] from the --help text."""
    sections, current, opt = [], None, None
    for line in text.split("\n"):
        h = HEADING.match(line)
        m = OPTION.match(line)
        c = CONTINUATION.match(line)
        if h:
            current = (h.group(1), [])
            sections.append(current)
            opt = None
        elif m:
            if current is None:
                current = ("General", [])
                sections.append(current)
            opt = [m.group(1), m.group(2), m.group(3), m.group(4)]
            current[1].append(opt)
        elif c and opt is not None:
            opt[3] += " " + c.group(1)
        elif not line.strip():
            # a blank line ends a section; options after it without a heading are general
            current, opt = None, None
        else:
            opt = None
    return sections


def roff(text):
    """Plain text as roff: backslashes, minus signs (so options copy as ASCII hyphens)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in ".'" else text


def render(sections):
    out = [BEGIN + ": generated from `regionlint --help` by tests/docs/check_man.py --update"]
    for title, opts in sections:
        out.append(f'.SS "{title}"')
        for short, long, arg, desc in opts:
            names = (f"\\fB{roff(short)}\\fR, " if short else "") + f"\\fB{roff(long)}\\fR"
            if arg:
                names += f" \\fI{roff(arg)}\\fR"
            out += [".TP", names, roff(desc)]
    out.append(END)
    return out


def usage_sections(md):
    """Long option names of the `### ` headings of docs/usage.md."""
    names = []
    for line in md.split("\n"):
        if line.startswith("### "):
            names += re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line)
    return names


def main():
    argv = sys.argv[1:]
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    binary, manpath, usagepath = argv
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    sections = parse_help(help_text)
    options = {o[1] for _, opts in sections for o in opts}
    shorts = {o[0] for _, opts in sections for o in opts if o[0]}
    errors = []
    if len(options) < 10:
        errors.append(f"only {len(options)} options parsed from --help: has its layout changed?")

    man = open(manpath).read().split("\n")
    try:
        a, b = man.index(next(l for l in man if l.startswith(BEGIN))), man.index(END)
    except (StopIteration, ValueError):
        print(f"{manpath}: no {BEGIN} ... {END} block")
        return 1
    block = render(sections)
    if man[a:b + 1] != block:
        if update:
            man[a:b + 1] = block
            open(manpath, "w").write("\n".join(man))
            print(f"{manpath}: OPTIONS regenerated from --help")
        else:
            errors.append(f"{manpath}: the OPTIONS section differs from --help; run "
                          f"tests/docs/check_man.py {binary} {manpath} {usagepath} --update")
    outside = "\n".join(l for l in man[:a] + man[b + 1:] if not l.startswith('.\\"'))
    outside = outside.replace("\\-", "-")
    for name in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", outside))):
        if name not in options:
            errors.append(f"{manpath}: names {name}, which --help does not list")

    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    th = next((l for l in man if l.startswith(".TH ")), "")
    if f'"{version}"' not in th:
        errors.append(f"{manpath}: the .TH line does not name {version!r}: {th}")

    documented = usage_sections(open(usagepath).read())
    for name in sorted(options - set(documented)):
        errors.append(f"{usagepath}: {name} is in --help but has no `### ` section")
    for name in sorted(set(documented) - options):
        errors.append(f"{usagepath}: a section documents {name}, which --help does not list")

    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", manpath],
                           capture_output=True, text=True)
        if p.returncode or p.stderr.strip():
            errors.append(f"groff: {p.stderr.strip() or p.returncode}")
    for e in errors:
        print(e)
    print(f"{len(options)} options ({len(shorts)} with a short form): "
          f"{'ok' if not errors else 'FAILED'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
