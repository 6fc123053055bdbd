#!/usr/bin/env bash
# Scale-out benchmark (docs/scale-out.md): on a synthetic market (4 hubs, 2024-06-01…2024-08-31)
#  1. one `reference` fold alone, beside a competing CPU load (2 busy processes per core), and inside a
#     1-CPU cgroup quota beside that load — with the thread count Spikecast chose from the quota, and with
#     the host's core count forced (BACKEND_PARALLEL_JOBS) to show what oversubscribed threads cost;
#  2. a grid (2 nodes x 3 configurations x 4 issue days) run as 4 shards one after another, then merged:
#     per-fold cost of each configuration and the merge time;
#  3. the projected wall time of 1,000 nodes x 3 configurations x 1 year of daily issues on N workers.
# Usage: scripts/bench_shards.sh PATH/TO/spikecast   (run by scripts/bench.sh; no root: step 1's quota rows are skipped)
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-bench-shards.XXXXXX")"
CG=""
LOAD_PIDS=()
cleanup() {
  for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$CG" ] && [ -d "$CG" ]; then
    while read -r p; do echo "$p" > /sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null || true; done < "$CG/cgroup.procs"
    rmdir "$CG" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export NO_COLOR=1
D="$WORK/data"
CORES=$(nproc)

echo "== scale-out benchmark (docs/scale-out.md) =="
"$BIN" generate --data-dir "$D" --start-date 2024-06-01 --end-date 2024-08-31 --no-files --log-level warning > /dev/null

json_field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }

# One reference fold: a single refit day, so the run is one fit (one unit -> all CPUs of the quota go to its threads).
one_fold() {  # $1 label; environment decides the threads
  "$BIN" backtest --data-dir "$D" --log-level info --nodes HB_NORTH --thresholds 100,500,1000 --model-config reference \
    --start-date 2024-08-01 --end-date 2024-08-01 --fresh --bootstrap 0 --output-format json --output-path "$WORK/fold.json" 2> "$WORK/fold.log"
  local secs threads
  secs=$(json_field "$WORK/fold.json" 'round(d["timing_s"]["train_thread_s"], 2)')
  threads=$(grep -o '[0-9]* fold workers x [0-9]* XGBoost threads on .*' "$WORK/fold.log" | head -1 | sed 's/"$//')
  printf '  %-52s %6s s   (%s)\n' "$1" "$secs" "$threads"
}
start_load() { for _ in $(seq 1 $((2 * CORES))); do (while :; do :; done) & LOAD_PIDS+=($!); done; sleep 1; }
stop_load() { for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; LOAD_PIDS=(); sleep 1; }

echo "-- 1. one reference fold (HB_NORTH, \$100/\$500/\$1000, 2 months of training rows), $CORES cores, load average $(cut -d" " -f1 /proc/loadavg) before"
one_fold "quiet, threads from the quota"
start_load
one_fold "beside $((2 * CORES)) busy processes, threads from the quota"
if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/cpu ] && mkdir "/sys/fs/cgroup/cpu/spikecast-bench-$$" 2>/dev/null; then
  CG="/sys/fs/cgroup/cpu/spikecast-bench-$$"
  echo 100000 > "$CG/cpu.cfs_period_us"; echo 100000 > "$CG/cpu.cfs_quota_us"   # 1 CPU
  in_cg() { bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' bash "$CG" "$@"; }
  export -f one_fold json_field; export BIN D WORK
  in_cg bash -c 'one_fold "1-CPU cgroup quota + load, threads from the quota"'
  in_cg env BACKEND_PARALLEL_JOBS="$CORES" bash -c "one_fold \"1-CPU cgroup quota + load, $CORES threads forced\""
elif [ -d /sys/fs/cgroup/cpu ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo "  (cgroup quota rows skipped: needs root and a writable cgroup v1 cpu controller)"
fi
stop_load
one_fold "quiet again, threads from the quota"

echo "-- 2. grid: 2 nodes x 3 configurations (default, reference, climatology-seasonal) x 4 issue days, 4 shards, merge"
GRID=(--data-dir "$D" --log-level warning --nodes HB_NORTH,HB_WEST --thresholds 100,500,1000
      --model-config default --model-config reference --model-config climatology-seasonal
      --start-date 2024-08-01 --end-date 2024-08-04)
"$BIN" backtest plan "${GRID[@]}" --shard-count 4 | sed -n '1,2p;/shards:/,$p' | sed 's/^/  /'
t0=$(date +%s.%N)
for i in 0 1 2 3; do "$BIN" backtest run "${GRID[@]}" --shard-output "$WORK/shards" --shard "$i/4" | sed 's/^/  /'; done
t1=$(date +%s.%N)
"$BIN" backtest merge "$WORK/shards" --data-dir "$D" --name bench-merged --bootstrap 0 --output-format csv > /dev/null 2> "$WORK/merge.log"
t2=$(date +%s.%N)
sed 's/^/  /' "$WORK/merge.log"
python3 - "$WORK/shards" "$t0" "$t1" "$t2" "$(du -sk "$WORK/shards" | cut -f1)" "$(stat -c %s "$D/spikecast.sqlite")" <<'EOF'
import glob, json, sys
shard_dir, t0, t1, t2, shard_kib, store_bytes = sys.argv[1], *map(float, sys.argv[2:5]), int(sys.argv[5]), int(sys.argv[6])
per_model, rows_total, folds_total = {}, 0, 0
for f in sorted(glob.glob(shard_dir + "/shard-*.json")):
    r = json.load(open(f))
    rows_total += len(r["rows"]); folds_total += len(r["folds"])
    for o in r["folds"]:
        m = per_model.setdefault(o["model"], [0, 0.0, 0])
        m[0] += 1; m[1] += o["train_s"]; m[2] += o["train_rows"]
print(f"  shards run one after another: {t1 - t0:.1f} s wall; merge (read {folds_total} folds, {rows_total} rows, store, metrics): {t2 - t1:.2f} s")
print(f"  shard files: {shard_kib / 1024:.1f} MiB for {rows_total} prediction rows ({shard_kib * 1024 / max(rows_total, 1):.0f} bytes/row)")
print("  per-fold fit cost (train_s of the shards' folds, threads as chosen):")
rates = {}
for m, (n, s, rows) in sorted(per_model.items()):
    rates[m] = s / rows
    print(f"    {m:22s} {s / n:7.3f} s/fold over {n} folds, {rows / n:8.0f} training rows/fold, {1e6 * s / rows:8.2f} s per million rows")
# Projection: 1,000 nodes x these 3 configurations x 365 daily issues, refit every 2nd day (183 folds),
# expanding window over 1 year of history before the first issue day: fold k trains on (365 + 2k) days x 72 rows.
folds = [(365 + 2 * k) * 72 for k in range(183)]
cpu_s = sum(rates[m] * rows for m in rates for rows in folds) * 1000
merge_rate = rows_total / max(t2 - t1, 1e-9)
proj_rows = 1000 * 3 * 365 * 72 * 3
merge_s = proj_rows / merge_rate
print(f"  projection, 1,000 nodes x {len(rates)} configurations x 1 year (183 folds each, 1 year of history first):")
print(f"    fit CPU-seconds (measured s/row x training rows): {cpu_s:,.0f} s = {cpu_s / 3600:,.0f} CPU-hours")
for n in (1, 16, 64, 256, 1000):
    print(f"    {n:5d} workers: {cpu_s / n / 3600:8.2f} h of fits + merge {merge_s / 3600:5.2f} h (at {merge_rate:,.0f} rows/s)")
print(f"    {proj_rows:,} prediction rows: ~{proj_rows * shard_kib * 1024 / max(rows_total, 1) / 1e9:,.0f} GB of shard files;"
      f" store for this bench grid {store_bytes / 1e6:,.0f} MB")
EOF
