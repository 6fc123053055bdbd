#!/usr/bin/env bash
# Shards on the real ERCOT data (docs/scale-out.md): imports ../shared/datasets/ercot and
# ../shared/datasets/ercot-hourly, runs a backtest of HB_HUBAVG, HB_NORTH, LZ_WEST, LZ_HOUSTON at $100/$500
# over issue days 2025-02-01…2025-02-20 with `default` and `climatology-seasonal` once in one process and
# once as 3 shard processes (SLURM_ARRAY_TASK_ID=0..2 SLURM_ARRAY_TASK_COUNT=3, reading the store
# read-only), merges them with `backtest merge D --name merged`, and checks that `backtest show
# --predictions` of the two runs is identical. Skips (exit 0, with a message) when ../shared is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(readlink -f "${SPIKECAST_BIN:-.build/debug/spikecast}")"
[ -x "$BIN" ] || { swift build --product spikecast; BIN="$(readlink -f .build/debug/spikecast)"; }
SHARED="../shared/datasets"
if [ ! -d "$SHARED/ercot" ] || [ ! -d "$SHARED/ercot-hourly" ]; then
  echo "test-shards-real: SKIPPED: $SHARED/ercot and $SHARED/ercot-hourly are absent (real ERCOT data)"
  exit 0
fi
fail() { echo "test-shards-real: FAIL: $*" >&2; exit 1; }
work="$(mktemp -d "$PWD/.build/test-shards-real.XXXXXX")"
trap 'rm -rf "$work"' EXIT
D="$work/data"
"$BIN" import "$SHARED/ercot" "$SHARED/ercot-hourly" --data-dir "$D" --log-level warning > "$work/import.log" 2>&1 \
  || { cat "$work/import.log" >&2; fail "import"; }
NODES=HB_HUBAVG,HB_NORTH,LZ_WEST,LZ_HOUSTON
missing=""
for n in ${NODES//,/ }; do
  grep -q "^$n  *RT " "$work/import.log" || missing="$missing $n"
done
[ -z "$missing" ] || fail "no prices imported for:$missing"
GRID=(--start-date 2025-02-01 --end-date 2025-02-20 --nodes "$NODES" --thresholds 100,500
      --model-config default --model-config climatology-seasonal --bootstrap 0 --data-dir "$D" --log-level warning)
"$BIN" backtest run "${GRID[@]}" --name single --output-format json --output-path "$work/single.json"
single_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/single.json")"
for i in 0 1 2; do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 "$BIN" backtest run "${GRID[@]}" --shard-output "$work/shards" &
done
wait
"$BIN" backtest merge "$work/shards" --name merged --data-dir "$D" --bootstrap 0 > "$work/merge.txt"
merged_id="$(head -1 "$work/merge.txt" | sed 's/^Backtest run //')"
"$BIN" backtest show "$single_id" --predictions --data-dir "$D" > "$work/single.csv"
"$BIN" backtest show "$merged_id" --predictions --data-dir "$D" > "$work/merged.csv"
rows=$(($(wc -l < "$work/single.csv") - 1))
[ "$rows" -gt 0 ] || fail "no prediction rows"
cmp -s "$work/single.csv" "$work/merged.csv" || { diff "$work/single.csv" "$work/merged.csv" | head >&2; fail "merged run $merged_id differs from run $single_id"; }
echo "test-shards-real: 3 shards merged (run $merged_id) = single-process run $single_id: $rows prediction rows identical ($(cut -d, -f1 "$work/single.csv" | sort -u | grep -vc node) nodes)"
