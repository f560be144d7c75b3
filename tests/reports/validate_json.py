#!/usr/bin/env python3
"""Check JSON documents against docs/report.schema.json.

A small validator for the JSON Schema keywords that schema uses (type,
const, enum, required, properties, additionalProperties, items, minItems,
maxItems, minimum, pattern, $ref to #/$defs), so that the test needs no
package; when the jsonschema module is importable it checks too.
usage: validate_json.py SCHEMA FILE...
"""
import json
import re
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def check(root, s, v, where, errors):
    if "$ref" in s:
        name = s["$ref"].split("/")[-1]
        return check(root, root["$defs"][name], v, where, errors)
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(TYPES[t](v) for t in types):
            errors.append(f"{where}: {v!r} is not of type {types}")
            return
    if "const" in s and v != s["const"]:
        errors.append(f"{where}: {v!r} is not {s['const']!r}")
    if "enum" in s and v not in s["enum"]:
        errors.append(f"{where}: {v!r} not one of {s['enum']}")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            errors.append(f"{where}: {v} < {s['minimum']}")
    if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
        errors.append(f"{where}: {v!r} does not match {s['pattern']}")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errors.append(f"{where}: missing key {k!r}")
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                check(root, props[k], x, f"{where}.{k}", errors)
            elif extra is False:
                errors.append(f"{where}: unexpected key {k!r}")
            elif isinstance(extra, dict):
                check(root, extra, x, f"{where}.{k}", errors)
    if isinstance(v, list):
        if len(v) < s.get("minItems", 0):
            errors.append(f"{where}: fewer than {s['minItems']} items")
        if "maxItems" in s and len(v) > s["maxItems"]:
            errors.append(f"{where}: more than {s['maxItems']} items")
        if "items" in s:
            for i, x in enumerate(v):
                check(root, s["items"], x, f"{where}[{i}]", errors)


def main():
    schema = json.load(open(sys.argv[1]))
    try:
        import jsonschema
        validator = jsonschema.Draft202012Validator(schema)
    except (ImportError, AttributeError):
        validator = None
    bad = 0
    for path in sys.argv[2:]:
        doc = json.load(open(path))
        errors = []
        check(schema, schema, doc, "$", errors)
        if validator:
            errors += [f"jsonschema: {e.message}" for e in validator.iter_errors(doc)]
        for e in errors[:10]:
            print(f"{path}: {e}")
        bad += bool(errors)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
