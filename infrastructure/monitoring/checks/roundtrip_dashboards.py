#!/usr/bin/env python3
"""Loads every dashboard JSON with the Grafana Foundation SDK's schema types (grafana-foundation-sdk
from PyPI), serialises it back, and fails when a field was lost or changed on the way: a field the
schema does not know (a typo, a field of another Grafana version) or a value of the wrong type.

    roundtrip_dashboards.py DASHBOARD.json...     (run in a venv with grafana-foundation-sdk)"""
import json
import sys

from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard


def differences(a, b, path=""):
    if isinstance(a, dict):
        if not isinstance(b, dict):
            yield f"{path}: became {type(b).__name__}"
            return
        for k in a:
            if k not in b:
                yield f"{path}/{k}: lost (not in the dashboard schema)"
            else:
                yield from differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            yield f"{path}: list changed"
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {a!r} became {b!r}"


def main(files):
    bad = 0
    for f in files:
        with open(f) as fh:
            source = json.load(fh)
        dashboard = Dashboard.from_json(source)
        back = json.loads(json.dumps(dashboard, cls=JSONEncoder))
        diffs = list(differences(source, back))
        if not source.get("panels") or not source.get("templating", {}).get("list"):
            diffs.append("no panels or no template variables")
        for d in diffs:
            print(f"FAIL {f}{d}", file=sys.stderr)
        bad += bool(diffs)
        print(f"roundtrip: {f}: {len(source.get('panels', []))} panels, "
              f"{len(source.get('templating', {}).get('list', []))} variables, {'ok' if not diffs else 'CHANGED'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
