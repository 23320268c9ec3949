#!/usr/bin/env python3
"""Validates regionlint's JSON output against docs/regionlint.schema.json.

The validator below implements the subset of JSON Schema (draft 2020-12) that the schema
uses, with the standard library only, and refuses a schema that uses any other keyword — so
the schema can never rely on a keyword that is silently not checked. When the `jsonschema`
package happens to be installed, the schema and every document are checked with it too.

usage: check_json_schema.py SCHEMA [--run REGIONLINT FIXTURES_DIR] [REPORT.json ...]

--run lints every fixture folder (with its `args` file, as the golden runner does) and
validates the output; the other arguments are reports written beforehand (gen_samples).
A self-test first makes sure that broken reports are rejected.
"""
import copy
import json
import os
import re
import subprocess
import sys

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "$defs"}
KEYWORDS = ANNOTATIONS | {
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties",
    "items", "minimum", "maximum", "minLength", "pattern", "allOf", "anyOf", "oneOf", "not",
    "minItems",
}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def check_keywords(schema, where="#"):
    """Every keyword of the schema is one this validator implements."""
    if isinstance(schema, bool):
        return []
    bad = [f"{where}: unsupported keyword {k!r}" for k in schema if k not in KEYWORDS]
    for k, sub in schema.get("properties", {}).items():
        bad += check_keywords(sub, f"{where}/properties/{k}")
    for k, sub in schema.get("$defs", {}).items():
        bad += check_keywords(sub, f"{where}/$defs/{k}")
    for k in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(k), dict):
            bad += check_keywords(schema[k], f"{where}/{k}")
    for k in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(k, [])):
            bad += check_keywords(sub, f"{where}/{k}/{i}")
    for t in ([schema["type"]] if isinstance(schema.get("type"), str) else schema.get("type", [])):
        if t not in TYPES:
            bad.append(f"{where}: unknown type {t!r}")
    return bad


def validate(root, schema, value, path="$"):
    """Returns a list of error strings (empty when value is valid)."""
    if schema is True:
        return []
    if schema is False:
        return [f"{path}: not allowed"]
    errors = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return [f"{path}: only local $ref supported: {ref}"]
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        errors += validate(root, target, value, path)
    if "type" in schema:
        types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        if not any(TYPES[t](value) for t in types):
            return errors + [f"{path}: {json.dumps(value)[:60]} is not of type {'/'.join(types)}"]
    if "const" in schema and (value != schema["const"] or type(value) is not type(schema["const"])):
        errors.append(f"{path}: {json.dumps(value)[:60]} is not {json.dumps(schema['const'])}")
    if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
        errors.append(f"{path}: {json.dumps(value)[:60]} is not one of {schema['enum']}")
    if TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errors.append(f"{path}: missing required {k!r}")
        for k, v in value.items():
            if k in props:
                errors += validate(root, props[k], v, f"{path}.{k}")
            elif "additionalProperties" in schema:
                errors += validate(root, schema["additionalProperties"], v, f"{path}.{k}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, v in enumerate(value):
                errors += validate(root, schema["items"], v, f"{path}[{i}]")
    for sub in schema.get("allOf", []):
        errors += validate(root, sub, value, path)
    if "anyOf" in schema and not any(not validate(root, s, value, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "oneOf" in schema and sum(not validate(root, s, value, path) for s in schema["oneOf"]) != 1:
        errors.append(f"{path}: does not match exactly one of oneOf")
    if "not" in schema and not validate(root, schema["not"], value, path):
        errors.append(f"{path}: matches a schema it must not")
    return errors


def external_validator(schema):
    """jsonschema's validator when the package is installed (a cross-check), else None."""
    try:
        import jsonschema
    except ImportError:
        return None
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check(schema, ext, doc, name):
    errors = validate(schema, schema, doc)
    if ext is not None:
        errors += [f"jsonschema: {e.message} at {list(e.absolute_path)}" for e in ext.iter_errors(doc)]
    for e in errors:
        print(f"{name}: {e}")
    return not errors


def self_test(schema, ext, sample):
    """Reports that break the contract must be rejected (the validator is not vacuous)."""
    def broken(mutate):
        doc = copy.deepcopy(sample)
        mutate(doc)
        return doc
    finding = {"rule": "RL501", "level": "error", "message": "m", "file": "a.yaml", "line": 1,
               "column": 2, "endLine": 1, "endColumn": 3, "path": "Resources.A",
               "region": "us-west-2", "otherRegion": "us-east-1", "related": [],
               "fingerprint": "0" * 32}
    good = broken(lambda d: d.update(findings=[dict(finding)], suppressed=[
        dict(finding, suppression={"kind": "external", "by": "config", "justification": "r"})]))
    cases = {
        "a finding without a rule": lambda d: d["findings"][0].pop("rule"),
        "an unknown key": lambda d: d["findings"][0].update(extra=1),
        "a line of 0": lambda d: d["findings"][0].update(line=0),
        "a string line": lambda d: d["findings"][0].update(line="1"),
        "a suppression among findings": lambda d: d["findings"][0].update(
            suppression={"kind": "inSource", "by": "comment", "justification": "r"}),
        "a suppressed finding without its suppression": lambda d: d["suppressed"][0].pop("suppression"),
        "an unknown level": lambda d: d["findings"][0].update(level="info"),
        "a short fingerprint": lambda d: d["findings"][0].update(fingerprint="abc"),
        "schemaVersion 2": lambda d: d.update(schemaVersion=2),
        "a boolean count": lambda d: d["summary"].update(errors=True),
    }
    ok = check(schema, ext, good, "self-test (valid report)")
    for what, mutate in cases.items():
        doc = copy.deepcopy(good)
        mutate(doc)
        if not validate(schema, schema, doc) or (ext is not None and ext.is_valid(doc)):
            print(f"self-test: {what} was accepted")
            ok = False
    return ok


def run_fixtures(binary, fixtures):
    """Yields (name, parsed JSON report) for every fixture folder."""
    env = dict(os.environ, NO_COLOR="1")
    for name in sorted(os.listdir(fixtures)):
        d = os.path.join(fixtures, name)
        if not os.path.isdir(d):
            continue
        args = ["."]
        if os.path.exists(os.path.join(d, "args")):
            args = [l.strip() for l in open(os.path.join(d, "args"))
                    if l.strip() and not l.strip().startswith("#")]
        p = subprocess.run([binary, "-f", "json"] + args, cwd=d, capture_output=True, env=env)
        if p.returncode == 2 and not p.stdout:
            continue  # a scenario of a run that stops before linting (a bad rule file): no report
        if p.returncode not in (0, 1, 2) or not p.stdout:
            print(f"{name}: regionlint exited {p.returncode}: {p.stderr.decode(errors='replace')}")
            yield name, None
            continue
        yield name, json.loads(p.stdout)


def main():
    argv = sys.argv[1:]
    schema = json.load(open(argv.pop(0)))
    bad = check_keywords(schema)
    for b in bad:
        print(f"schema: {b}")
    if bad:
        return 1
    ext = external_validator(schema)
    docs = []
    if argv[:1] == ["--run"]:
        binary, fixtures = os.path.abspath(argv[1]), argv[2]
        docs += list(run_fixtures(binary, fixtures))
        argv = argv[3:]
    docs += [(f, json.load(open(f))) for f in argv]
    if not docs or docs[0][1] is None:
        print("no report to validate")
        return 1
    ok = self_test(schema, ext, docs[0][1])
    for name, doc in docs:
        ok = doc is not None and check(schema, ext, doc, name) and ok
    print(f"{len(docs)} reports validated{' (and with jsonschema)' if ext else ''}: "
          f"{'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
