#!/usr/bin/env bash
# scripts/input_ceiling.py (the multi-node benchmark's bound on what the inputs can add, docs/multi-node.md) on a
# small synthetic backtest: it reads the run's stored rows (its counts equal the backtest's own slices), no
# in-sample bound is below the climatology (a property of the least-squares factors), both month halves are
# scored out of sample, the synthetic market's load-driven spikes show as information in the load forecast,
# and an unknown run is refused naming the run and the store.
# Env: SPIKECAST_BIN (default: the debug build's spikecast, built if missing), KEEP_TMP=1 keeps the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
BIN="$(spikecast_bin)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-ceiling.XXXXXX")"
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$TMP"' EXIT
fail() { echo "test-input-ceiling: $*" >&2; exit 1; }
"$BIN" generate --seed 7 --start-date 2024-05-01 --end-date 2024-08-31 --data-dir "$TMP/d" --output "$TMP/g" \
  --compression-level 1 --log-level warning >/dev/null
"$BIN" backtest --data-dir "$TMP/d" --log-level warning --nodes HB_NORTH,HB_WEST --thresholds 100,500 \
  --start-date 2024-07-16 --end-date 2024-08-15 --refit-every 7 --bootstrap 0 --fresh --name ceiling-check \
  --output-format json --output-path "$TMP/bt.json" >/dev/null
id="$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['run_id'])" "$TMP/bt.json")"
python3 scripts/input_ceiling.py "$TMP/d/spikecast.sqlite" "$id" > "$TMP/all.txt" || fail "input_ceiling.py failed on run $id"
python3 scripts/input_ceiling.py "$TMP/d/spikecast.sqlite" "$id" --node HB_NORTH > "$TMP/north.txt" || fail "input_ceiling.py --node failed"
python3 - "$TMP/bt.json" "$TMP/all.txt" "$TMP/north.txt" <<'PY'
import json, re, sys
bt, outs = json.load(open(sys.argv[1])), {"pooled": open(sys.argv[2]).read(), "HB_NORTH": open(sys.argv[3]).read()}
def fail(m):
    sys.exit(f"test-input-ceiling: {m}")
checked = 0
for node, text in outs.items():
    blocks = {m.group(1): m for m in re.finditer(r"^\$ (\S+): (\d+) rows, (\d+) spikes", text, re.M)}
    for s in bt["slices"]:
        if s["node"] != node:
            continue
        m = blocks.get(s["threshold"])
        if not m:
            fail(f"no block for ${s['threshold']} ({node}) in:\n{text}")
        o = s["overall"]
        if (int(m.group(2)), int(m.group(3))) != (o["n_rows"], o["n_pos"]):
            fail(f"{node} ${s['threshold']}: {m.group(2)} rows / {m.group(3)} spikes, the backtest has {o['n_rows']} / {o['n_pos']}")
        checked += 1
    for line in text.splitlines():
        m = re.search(r"\(in sample\)\s+\d+ cells\s+SS ([+-]\d+\.\d+)", line)
        if m and float(m.group(1)) < 0:
            fail(f"an in-sample bound below the climatology ({node}): {line}")
    if text.count("(out of sample)") < 5 or "needs rows in both" in text:
        fail(f"out-of-sample lines missing ({node}):\n{text}")
m = re.search(r"^\$ 100:.*?load_fc decile x lead x 4-hour block \(in sample\)\s+\d+ cells\s+SS ([+-]\d+\.\d+)", outs["pooled"], re.M | re.S)
if not m or float(m.group(1)) < 0.05:
    fail(f"the synthetic market's load-driven spikes do not show in the load forecast's bound:\n{outs['pooled']}")
if checked != 4:
    fail(f"checked {checked} slices, expected 4 (pooled and HB_NORTH at $100 and $500)")
print(f"   ok: {checked} slices' rows and spikes equal the backtest's; in-sample bounds >= 0; load forecast bound at $100 {m.group(1)}")
PY
if python3 scripts/input_ceiling.py "$TMP/d/spikecast.sqlite" 999 2> "$TMP/err.txt"; then fail "an unknown run was accepted"; fi
grep -q "run 999 has no stored predictions in $TMP/d/spikecast.sqlite" "$TMP/err.txt" || fail "unclear error for an unknown run: $(cat "$TMP/err.txt")"
echo "test-input-ceiling: ok"
