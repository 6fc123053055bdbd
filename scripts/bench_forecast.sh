#!/usr/bin/env bash
# Production speed: the morning job's `predict` for 5 nodes × 3 thresholds, end to end (process
# start to stored forecast), and `train` for one node beside XGBoost's own fitting time, on the
# synthetic market (two years, the demo's size). Usage: scripts/bench_forecast.sh PATH/TO/spikecast
set -euo pipefail
BIN="${1:?usage: scripts/bench_forecast.sh PATH/TO/spikecast}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-bench-forecast.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export LOG_LEVEL=warning SPIKECAST_DATA_DIR="$WORK/data"
NODES=HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON,HB_HUBAVG
ISSUE=2024-12-20
"$BIN" generate --start-date 2023-01-01 --end-date 2024-12-31 --no-files >/dev/null
"$BIN" train --nodes "$NODES" --thresholds 100,500,1000 --as-of "$ISSUE" --promote --model-version-name bench >/dev/null

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
walls=() cpus=()
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$BIN" predict --nodes "$NODES" --thresholds 100,500,1000 --issue-time "$ISSUE" \
    --output-format csv --output-path "$WORK/forecast.csv" >/dev/null
  read -r wall user sys < "$WORK/time"
  walls+=("$wall"); cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
done
wall=$(printf '%s\n' "${walls[@]}" | median); cpu=$(printf '%s\n' "${cpus[@]}" | median)
rows=$(($(wc -l < "$WORK/forecast.csv") - 1))
verdict=$(awk -v w="$wall" 'BEGIN { print (w <= 1.0) ? 1 : 0 }')
echo "forecast: predict 5 nodes × 3 thresholds ($rows probabilities, stored): median of 5 runs ${wall} s wall, ${cpu} s CPU (target ≤ 1 s wall: $([ "$verdict" = 1 ] && echo PASS || echo MISS))"

"$BIN" train --nodes HB_NORTH --thresholds 100,500,1000 --as-of "$ISSUE" --model-version-name bench-train --output-format json > "$WORK/train.json"
python3 - "$WORK/train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
total = r["seconds"]
fit = sum(n["window"]["fitSeconds"] for n in r["metadata"]["nodes"])
print(f"forecast: train 1 node (default, {r['metadata']['nodes'][0]['window']['rows']} rows): {total:.2f} s wall, of which fitting {fit:.2f} s "
      f"(train / fit = {total / fit:.2f}×; load, features, fingerprint and in-sample scores are the rest)")
PY
