#!/usr/bin/env python3
"""Runs every query of the Grafana dashboards against a real Prometheus and checks the answers.

    check_dashboards.py PROMETHEUS_URL DASHBOARD.json... [--var NAME=VALUE[,VALUE…]]... [--timeout SECONDS]

For each dashboard: every template variable of the form label_values(SELECTOR, LABEL) must have
values in Prometheus (and the --var value chosen for it must be one of them); every panel target,
with the variables substituted (several values as Grafana's multi-value regex "(a|b)"; $__rate_interval → 20s, $__range → 1h, $__interval → 15s), must
return a non-empty result, and every label its legendFormat names ({{label}}) must be present on
every returned series. Queries are retried until they pass or the timeout ends (Prometheus fills
up one scrape at a time). Used by scripts/test-infra.sh."""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

BUILTINS = {"__rate_interval": "20s", "__range": "1h", "__interval": "15s"}


def get(base, path, **params):
    url = base + path + "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def substitute(text, values):
    def repl(m):
        name = m.group(1) or m.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name not in values:
            raise KeyError(f"no value for ${name}")
        v = values[name].split(",")
        return v[0] if len(v) == 1 else "(" + "|".join(v) + ")"   # Grafana's regex form of a multi-value
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, text)


def check_variable(base, v, values):
    q = v.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q or "")
    if not m:
        return f"variable ${v['name']}: unsupported query {q!r}"
    selector, label = substitute(m.group(1), values), m.group(2)
    found = sorted({s.get(label) for s in get(base, "/api/v1/series", **{"match[]": selector})["data"] if s.get(label)})
    if not found:
        return f"variable ${v['name']}: label_values({selector}, {label}) is empty"
    for chosen in (values.get(v["name"]) or "").split(","):
        if chosen not in found:
            return f"variable ${v['name']}: chosen value {chosen!r} not among {found}"
    return None


def check_target(base, expr, legend):
    d = get(base, "/api/v1/query", query=expr)
    if d.get("status") != "success":
        return f"query failed: {d}"
    result = d["data"]["result"]
    if not result:
        return "empty result"
    for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend or ""):
        missing = [r["metric"] for r in result if label not in r["metric"]]
        if missing:
            return f"legend label '{label}' missing on {missing[0]}"
    return None


def main(argv):
    base, files, values, timeout = argv[0].rstrip("/"), [], {}, 90.0
    i = 1
    while i < len(argv):
        if argv[i] == "--var":
            k, v = argv[i + 1].split("=", 1)
            values[k] = v
            i += 2
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
            i += 2
        else:
            files.append(argv[i])
            i += 1
    checks = []  # (where, function returning an error or None)
    for f in files:
        with open(f) as fh:
            d = json.load(fh)
        for v in d.get("templating", {}).get("list", []):
            checks.append((f"{f}: variable ${v['name']}", lambda v=v: check_variable(base, v, values)))
        for p in d.get("panels", []):
            for t in p.get("targets", []):
                expr = substitute(t["expr"], values)
                checks.append((f"{f}: panel '{p['title']}' {t['refId']}: {expr}",
                               lambda e=expr, l=t.get("legendFormat"): check_target(base, e, l)))
    deadline = time.time() + timeout
    pending = checks
    while True:
        failed = []
        for where, fn in pending:
            try:
                err = fn()
            except Exception as e:  # noqa: BLE001 - report any failure of the check itself
                err = f"{type(e).__name__}: {e}"
            if err:
                failed.append((where, fn, err))
        if not failed or time.time() > deadline:
            break
        pending = [(w, fn) for w, fn, _ in failed]
        time.sleep(2)
    for where, _, err in failed:
        print(f"FAIL {where}: {err}", file=sys.stderr)
    print(f"check_dashboards: {len(checks) - len(failed)} of {len(checks)} dashboard queries and variables answered")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
