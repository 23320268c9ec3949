#!/usr/bin/env python3
"""Checks reports of the GitHub, JUnit, Markdown and HTML formats against what their
consumers require (docs/usage.md, "Output formats"), with the standard library only:

- .junit: well-formed XML 1.0 (the parser rejects forbidden characters), testsuites >
  testsuite > testcase, and every tests/failures/errors/skipped count equal to what is inside;
- .html: one self-contained page (no script, stylesheet link, image or other external
  asset; links only to #anchors and http(s) documentation), properly nested tags, no control
  characters in the text;
- .md: under GitHub's comment limit (65,536 characters), every table row with as many cells
  as its header, no HTML but the few tags the format uses;
- .github: every line a well-formed workflow command whose properties are escaped.

usage: check_formats.py FILE...
"""
import html.parser
import re
import sys
import xml.etree.ElementTree as ET

VOID = {"meta", "br", "hr", "img", "link", "input", "wbr"}
GH_PROPS = {"file", "line", "col", "endLine", "endColumn", "title"}
MD_TAGS = re.compile(r"<(/?details|/?summary|br|!-- --)>")


def check_junit(text):
    errs = []
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        return [f"not well-formed XML: {e}"]
    if root.tag != "testsuites":
        return [f"root is <{root.tag}>"]
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        if suite.tag != "testsuite" or not suite.get("name"):
            errs.append(f"<{suite.tag}> under testsuites, or a suite without a name")
            continue
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite:
            if case.tag != "testcase" or not case.get("name") or not case.get("classname"):
                errs.append(f"{suite.get('name')}: <{case.tag}> without name/classname")
                continue
            counts["tests"] += 1
            outcome = [c.tag for c in case]
            if len(outcome) > 1:
                errs.append(f"{case.get('name')}: several outcomes {outcome}")
            for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
                counts[key] += tag in outcome
        for k, v in counts.items():
            if suite.get(k) != str(v):
                errs.append(f"{suite.get('name')}: {k}={suite.get(k)}, counted {v}")
            total[k] += v
    for k, v in total.items():
        if root.get(k) != str(v):
            errs.append(f"testsuites: {k}={root.get(k)}, counted {v}")
    return errs


class HtmlChecker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errs, self.charset = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
            self.errs.append(f"<{tag}> is not allowed in a self-contained page")
        for k, v in attrs:
            if k == "src" or k.startswith("on"):
                self.errs.append(f"<{tag} {k}=...> is not allowed")
            if k == "href" and not (v.startswith("#") or re.match(r"https?://", v)):
                self.errs.append(f"<{tag} href={v!r}>: only anchors and http(s) links")
            if k == "style" and "url(" in v:
                self.errs.append(f"<{tag} style=...url(...)>: external asset")
        if tag == "meta" and a.get("charset", "").lower() == "utf-8":
            self.charset = True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errs.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "style" and ("url(" in data or "@import" in data):
            self.errs.append("the stylesheet loads an external asset")
        for ch in data:
            if (ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F:
                self.errs.append(f"control character U+{ord(ch):04X} in the text")


def check_html(text):
    if not text.startswith("<!DOCTYPE html>\n"):
        return ["does not start with <!DOCTYPE html>"]
    p = HtmlChecker()
    p.feed(text)
    p.close()
    errs = p.errs
    if p.stack:
        errs.append(f"unclosed tags: {p.stack}")
    if not p.charset:
        errs.append("no <meta charset=\"utf-8\">")
    return errs


def cells(row):
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def check_markdown(text):
    errs = []
    if len(text) > 65536:
        errs.append(f"{len(text)} characters, over GitHub's comment limit of 65,536")
    header = None
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("|"):
            if header is None:
                header = cells(line)
            elif cells(line) != header:
                errs.append(f"line {n}: {cells(line)} cells, the header has {header}")
        else:
            header = None
        prose = re.sub(r"(`+).*?\1", "", line)  # code spans: no markup, no mentions there
        rest = MD_TAGS.sub("", prose.replace("@<!-- -->", "").replace("#<!-- -->", ""))
        if "<" in rest:
            errs.append(f"line {n}: raw '<' outside the tags the format uses: {line[:80]}")
        if re.search(r"(?<![\w\\])@\w", rest):
            errs.append(f"line {n}: an @mention would notify someone")
        if re.search(r"(?<![\w&])#\d", rest):
            errs.append(f"line {n}: #N would link an issue")
    return errs


def check_github(text):
    errs = []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = re.match(r"^::(error|warning|notice)( [^:]*)?::(.*)$", line)
        if not m:
            errs.append(f"line {n}: not a workflow command: {line[:80]}")
            continue
        props = {}
        for p in (m.group(2) or "").strip().split(","):
            if not p:
                continue
            k, _, v = p.partition("=")
            if k not in GH_PROPS or not _:
                errs.append(f"line {n}: bad property {p!r}")
            props[k] = v
        for k in ("line", "col", "endLine", "endColumn"):
            if k in props and not props[k].isdigit():
                errs.append(f"line {n}: {k}={props[k]!r} is not a number")
        if "col" in props and props.get("endLine", props.get("line")) != props.get("line"):
            errs.append(f"line {n}: columns on an annotation that spans lines")
        if "\r" in line or re.search(r"%(?!25|0D|0A|3A|2C)", line):
            errs.append(f"line {n}: unescaped % or CR")
    return errs


CHECKS = {".junit": check_junit, ".html": check_html, ".md": check_markdown,
          ".github": check_github}


def main():
    failed = checked = 0
    for path in sys.argv[1:]:
        ext = "." + path.rsplit(".", 1)[-1]
        if ext not in CHECKS:
            continue
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            print(f"{path}: not UTF-8: {e}")
            failed += 1
            continue
        checked += 1
        errs = CHECKS[ext](text)
        for e in errs[:20]:
            print(f"{path}: {e}")
        failed += bool(errs)
    print(f"{checked} reports checked, {failed} failed")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
