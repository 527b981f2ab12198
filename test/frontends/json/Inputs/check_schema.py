"""Checks model files against cnnc's JSON Schema.

usage: check_schema.py SCHEMA [--valid FILE...] [--invalid FILE...]

Prints one line per file ("valid: F" or "invalid: F: reason") and exits 1 when
a file listed as valid is rejected or a file listed as invalid is accepted.
"""
import json
import sys

import jsonschema


def main(argv):
    schema = json.load(open(argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    expect_valid, failures = True, 0
    for arg in argv[2:]:
        if arg in ("--valid", "--invalid"):
            expect_valid = arg == "--valid"
            continue
        errors = list(validator.iter_errors(json.load(open(arg))))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            path = "/".join(str(p) for p in best.absolute_path)
            print(f"invalid: {arg}: at '{path}': {best.message}")
        else:
            print(f"valid: {arg}")
        if bool(errors) == expect_valid:
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
