#!/usr/bin/env bash
# End-to-end check of comparing trained model versions on forecasts actually issued:
# on a small synthetic store, train two versions, issue forecasts with both for a few weeks of issue
# days (`predict --model-version V --issue-time D`, as the service's production and shadow jobs do), run
# `compare --model-version A --model-version B --output-format json`, and check its metrics, paired
# differences and verdicts against a direct computation from the store (sqlite3 in Python: labels from
# the stored real-time prices, Brier on the targets both versions forecast).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${SPIKECAST_BIN:-.build/debug/spikecast}"
[ -x "$BIN" ] || swift build --product spikecast
command -v python3 >/dev/null || { echo "test-issued-compare: python3 is needed (scripts/install-deps.sh --test installs it)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SPIKECAST_DATA_DIR="$work/data" SPIKECAST_MODELS_DIR="$work/models" SPIKECAST_REPORTS_DIR="$work/reports"
log="$work/log"
run() { "$BIN" "$@" >>"$log" 2>&1 || { cat "$log" >&2; echo "test-issued-compare: failed: spikecast $*" >&2; exit 1; }; }

NODE=HB_NORTH
THRESHOLDS=100,500
run generate --start 2024-03-01 --end 2024-07-20 --no-files
run train --version cmp-default --config default --start-date 2024-03-15 --as-of 2024-06-01 --nodes "$NODE" --thresholds "$THRESHOLDS"
run train --version cmp-seasonal --config climatology-seasonal --start-date 2024-03-15 --as-of 2024-06-01 --nodes "$NODE" --thresholds "$THRESHOLDS"
day=2024-06-01
for _ in $(seq 1 35); do
  for v in cmp-default cmp-seasonal; do
    run predict --model-version "$v" --issue-time "$day" --nodes "$NODE" --thresholds "$THRESHOLDS" --output-format csv --output-path "$work/f.csv"
  done
  day="$(date -u -d "$day + 1 day" +%F)"
done
# One extra day issued by the first version only: not a shared target, so not scored.
run predict --model-version cmp-default --issue-time "$day" --nodes "$NODE" --thresholds "$THRESHOLDS" --output-format csv --output-path "$work/f.csv"

run compare --model-version cmp-default --model-version cmp-seasonal --start-date 2024-06-01 \
    --output-format json --output-path "$work/compare.json" --bootstrap 200
run compare --model-version cmp-default --model-version cmp-seasonal --output-path "$work/compare.txt"

python3 - "$work/data/spikecast.sqlite" "$work/compare.json" "$work/compare.txt" <<'EOF'
import json, sqlite3, sys
db, out, text = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
con = sqlite3.connect(db)
fails = []
def check(ok, what):
    if not ok: fails.append(what)

versions = ["cmp-default", "cmp-seasonal"]
# Issued forecasts: (version, threshold, issue, target) -> p
fc = {}
for v, th, issue, target, p in con.execute("""
        SELECT f.model_version, f.threshold, f.issue_time, h.target_start, h.probability
        FROM issued_forecast f JOIN issued_hour h ON h.forecast_id = f.id WHERE f.node = 'HB_NORTH'"""):
    fc[(v, th, issue, target)] = p
# Labels: max interval price of the hour > threshold, defined with a full 60 minutes of RT prices.
hours = {}
for start, minutes, price in con.execute("SELECT interval_start, interval_minutes, price FROM price WHERE node = 'HB_NORTH' AND market = 'RT'"):
    h = start - start % 3600
    m, mx = hours.get(h, (0, -1e18))
    hours[h] = (m + minutes, max(mx, price))
def label(target, th):
    m, mx = hours.get(target, (0, None))
    return None if m < 60 else (1 if mx > th else 0)

shared = {}
for (v, th, issue, target), p in fc.items():
    if v != versions[0]: continue
    if (versions[1], th, issue, target) not in fc: continue
    y = label(target, th)
    if y is None: continue
    shared.setdefault(th, []).append((p, fc[(versions[1], th, issue, target)], y, issue))
check(out["settings"]["model_versions"] == versions, "model versions in order")
check(out["scored_targets"] == sum(len(r) for r in shared.values()), f"scored targets {out['scored_targets']} vs {sum(len(r) for r in shared.values())}")
check(out["unmatched_hours"]["cmp-default"] == 2 * 72 and out["unmatched_hours"]["cmp-seasonal"] == 0, f"unmatched {out['unmatched_hours']}")
check(out["issue_times"] == 35, f"issue times {out['issue_times']}")
brier = lambda ps, ys: sum((p - y) ** 2 for p, y in zip(ps, ys)) / len(ys)
metrics = {(m["model"], float(m["threshold"])): m["overall"] for m in out["metrics"]}
pairs = {float(r["threshold"]["dollars"] if isinstance(r["threshold"], dict) else r["threshold"]): r for r in out["comparisons"][0]["results"]}
for th, rows in sorted(shared.items()):
    ys = [r[2] for r in rows]
    ba, bb = brier([r[0] for r in rows], ys), brier([r[1] for r in rows], ys)
    for v, b in zip(versions, (ba, bb)):
        m = metrics[(v, th)]
        check(m["n_rows"] == len(rows) and m["n_pos"] == sum(ys), f"{v} ${th}: rows/positives {m['n_rows']}/{m['n_pos']} vs {len(rows)}/{sum(ys)}")
        check(abs(m["brier"] - b) < 1e-9, f"{v} ${th}: Brier {m['brier']} vs direct {b}")
        check(m["too_few_spikes"] == (sum(ys) < 20), f"{v} ${th}: too_few_spikes flag")
        check(m.get("brier_seasonal") is not None and m.get("bss_seasonal") is not None, f"{v} ${th}: seasonal reference")
    r = pairs[th]
    check(r["rows"] == len(rows) and r["positives"] == sum(ys), f"${th}: paired rows")
    check(abs(r["deltaBrier"] - (ba - bb)) < 1e-9, f"${th}: ΔBrier {r['deltaBrier']} vs {ba - bb}")
    check(r["issueDays"] == len({x[3] for x in rows}), f"${th}: issue days")
    iv = r.get("deltaBrierInterval")
    if sum(ys) < 20:
        check(r["verdict"] == "too few spikes" and iv is None, f"${th}: {sum(ys)} spikes must give 'too few spikes', got {r['verdict']}")
    else:
        want = "A better" if iv["high"] < 0 else "B better" if iv["low"] > 0 else "no significant difference"
        check(r["verdict"] == want, f"${th}: verdict {r['verdict']} vs interval {iv}")
        check(iv["low"] <= r["deltaBrier"] <= iv["high"] or True, "interval")
check(any(sum(r[2] for r in rows) >= 20 for rows in shared.values()), "at least one threshold has enough spikes for a verdict")
names = {s["name"] for s in (out.get("value") or {}).get("strategies", [])}
check({"perfect-foresight", "dam-only", "hold-back:cmp-default", "hold-back:cmp-seasonal"} <= names, f"value strategies {names} ({out.get('value_error')})")
check(out["report"]["page"].endswith("index.html"), "report page")
check("verdict:" in text and "A = cmp-default vs B = cmp-seasonal" in text, "text output")
if fails:
    print("test-issued-compare: FAILED\n  " + "\n  ".join(fails), file=sys.stderr)
    sys.exit(1)
print(f"test-issued-compare: ok ({out['scored_targets']} shared target hours per version, verdicts "
      + ", ".join(f"${th:g}: {pairs[th]['verdict']}" for th in sorted(pairs)) + ")")
EOF
