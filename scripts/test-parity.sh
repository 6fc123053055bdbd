#!/usr/bin/env bash
# One forecast path, checked through the CLI: `train --as-of D 06:00` + `predict --issue-time D` and
# `predict --issue-time D+1` give the probabilities `backtest show --predictions` stored for the fold
# refitted on D, to 1e-9, for the `default` and `reference` configurations. Runs on the synthetic
# market, and on ../shared/datasets/ercot (HB_HUBAVG, 2025-03-01 … 2025-03-08) when it is present.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${SPIKECAST_BIN:-.build/debug/spikecast}"
[ -x "$BIN" ] || swift build --product spikecast
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-parity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export LOG_LEVEL=warning

# check DATA_DIR NODE FIRST_DAY LAST_DAY REFIT_DAY...
check() {
  local data="$1" node="$2" first="$3" last="$4"; shift 4
  "$BIN" backtest --data-dir "$data" --nodes "$node" --thresholds 100,500,1000 --start-date "$first" --end-date "$last" \
    --refit-every 2 --model-config default --model-config reference --name parity --fresh --output-format json >/dev/null
  local id
  id=$("$BIN" backtest list --data-dir "$data" --output-format csv | awk -F, 'NR == 2 { print $1 }')
  "$BIN" backtest show "$id" --data-dir "$data" --predictions > "$WORK/backtest.csv"
  : > "$WORK/predict.csv"
  for refit in "$@"; do
    local next; next=$(date -u -d "$refit +1 day" +%F)
    for cfg in default reference; do
      local v="parity-$cfg-$refit-$(basename "$data")"
      "$BIN" train --data-dir "$data" --nodes "$node" --thresholds 100,500,1000 --config "$cfg" \
        --as-of "$(TZ=America/Chicago date -d "$refit 06:00" +%Y-%m-%dT%H:%M:%S%:z)" --model-version-name "$v" >/dev/null
      for day in "$refit" "$next"; do
        "$BIN" predict --data-dir "$data" --nodes "$node" --issue-time "$day" --model-version "$v" --allow-stale --no-store \
          --output-format csv 2>/dev/null | awk -F, -v c="$cfg" 'NR > 1 { print c "," $0 }' >> "$WORK/predict.csv"
      done
    done
  done
  python3 - "$WORK/backtest.csv" "$WORK/predict.csv" "$#" <<'PY'
import csv, sys
backtest = {}
with open(sys.argv[1]) as f:
    for r in csv.DictReader(f):
        backtest[(r["model"], r["node"], float(r["threshold"]), r["issue_time_utc"], r["target_start_utc"])] = float(r["probability"])
n, worst = 0, 0.0
with open(sys.argv[2]) as f:
    for line in csv.reader(f):
        model, node, thr, issue, target, prob = line[0], line[1], float(line[2]), line[3], line[4], float(line[7])
        key = (model, node, thr, issue, target)
        if key not in backtest:
            sys.exit(f"parity: predict row {key} has no backtest row")
        worst = max(worst, abs(backtest[key] - prob))
        n += 1
expected = int(sys.argv[3]) * 2 * 2 * 72 * 3
if n != expected:
    sys.exit(f"parity: compared {n} probabilities, expected {expected}")
if worst > 1e-9:
    sys.exit(f"parity: FAIL, largest difference {worst:.3g} over {n} probabilities")
print(f"parity: {n} probabilities of train --as-of + predict equal the backtest's (largest difference {worst:.3g})")
PY
}

echo "== parity on the synthetic market"
"$BIN" generate --data-dir "$WORK/synthetic" --start-date 2024-01-01 --end-date 2024-04-20 --no-files >/dev/null
check "$WORK/synthetic" HB_WEST 2024-03-08 2024-03-11 2024-03-08 2024-03-10

SHARED="../shared/datasets/ercot"
if [ -d "$SHARED" ]; then
  echo "== parity on the real data ($SHARED, HB_HUBAVG, 2025-03-01 … 2025-03-08)"
  "$BIN" import --data-dir "$WORK/real" "$SHARED" >/dev/null
  check "$WORK/real" HB_HUBAVG 2025-03-01 2025-03-08 2025-03-03 2025-03-07
else
  echo "parity: skipped the real-data check: $SHARED is absent"
fi
