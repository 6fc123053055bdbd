#!/usr/bin/env bash
# Concurrent use of one store, driving the real binary (run by scripts/test.sh):
#   `import` (twice at once), `backtest`, `spikecast-bench fetch` (fetch-data against the fake ERCOT server) and `serve`
#   (scheduler writing job runs, /health polled) all on one data folder at the same time, in
#   CONCURRENCY_ROUNDS rounds (default 3) on a fresh store each. Every process must exit 0 and the
#   store must end with exactly the rows of the same steps run one after another (no lost row).
#   While serve runs, `restore` must refuse; afterwards `visualize --type importance` must draw the
#   backtest's importance and `backtest --node` must be accepted.
# Env: SPIKECAST_BIN (default: the debug build's spikecast, built if missing), KEEP_TMP=1 keeps the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${SPIKECAST_BIN:-}"
if [ -z "$BIN" ]; then
  BIN="$(swift build --show-bin-path)/spikecast"
  [ -x "$BIN" ] || swift build --product spikecast
fi
[ -x "$BIN" ] || { echo "test-concurrency: no spikecast binary at $BIN" >&2; exit 1; }
# The fake-ERCOT fetch runs through spikecast-bench (the shipped binary has no test kit in it).
BENCH="${SPIKECAST_BENCH_BIN:-$(dirname "$BIN")/spikecast-bench}"
[ -x "$BENCH" ] || swift build --product spikecast-bench
[ -x "$BENCH" ] || { echo "test-concurrency: no spikecast-bench binary at $BENCH" >&2; exit 1; }
ROUNDS="${CONCURRENCY_ROUNDS:-3}"
TMP="$(mktemp -d /tmp/spikecast-concurrency.XXXXXX)"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
export LOG_LEVEL=warning
# Runs a command, appending "name start end" (epoch seconds) to $D.times.
timed() { local name=$1; shift; local t0; t0=$(date +%s.%N); local rc=0; "$@" || rc=$?; echo "$name $t0 $(date +%s.%N)" >>"$D.times"; return $rc; }
http_ok() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" >/dev/null 2>&1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Stored rows per series, as one sorted text (compared between runs).
counts() {
  "$BIN" data status --data-dir "$1" --output-format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); s=d if isinstance(d,list) else d.get("series",d); print("\n".join(sorted("%s %s %s" % (x["name"], x["intervalMinutes"], x["rows"]) for x in s)))'
}

echo "== inputs: two months of synthetic market (loaded first) and a later month (imported concurrently)"
"$BIN" generate --seed 7 --start-date 2024-09-01 --end-date 2024-10-31 --output "$TMP/base" --no-load --compression-level 1 >/dev/null
"$BIN" generate --seed 7 --start-date 2024-11-01 --end-date 2024-11-30 --output "$TMP/later" --no-load --compression-level 1 >/dev/null

echo "== reference: the same steps one after another"
"$BIN" import --data-dir "$TMP/ref" "$TMP/base" >/dev/null
"$BIN" import --data-dir "$TMP/ref" "$TMP/later" >/dev/null
"$BIN" import --data-dir "$TMP/ref" "$TMP/base" >/dev/null
"$BENCH" fetch --chunk-days 31 --data-dir "$TMP/ref" >/dev/null
counts "$TMP/ref" >"$TMP/ref.counts"
[ -s "$TMP/ref.counts" ] || { echo "test-concurrency: the reference store is empty" >&2; exit 1; }
echo "   $(wc -l <"$TMP/ref.counts") series, $(awk '{s+=$NF} END {print s}' "$TMP/ref.counts") rows"

for round in $(seq 1 "$ROUNDS"); do
  D="$TMP/r$round"
  echo "== round $round/$ROUNDS: import ×2 + backtest + fetch-data + serve on $D"
  "$BIN" import --data-dir "$D" "$TMP/base" >/dev/null
  PORT="$(free_port)"
  "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$D" --logs-dir "$D/logs" --reports-dir "$D/reports" \
    --models-dir "$D/models" --forecasts-dir "$D/forecasts" \
    --forecast-schedule off --retrain-schedule off --forecast-report-schedule off --backtest-report-schedule off \
    --job-command "fetch-data={spikecast} data status --data-dir {data_dir}" 2>"$D.serve.log" &
  SERVE_PID=$!
  for _ in $(seq 1 60); do http_ok "http://127.0.0.1:$PORT/health" && break; sleep 0.5; done

  pids=()
  timed import-later "$BIN" import --data-dir "$D" "$TMP/later" >"$D.import1.out" 2>&1 & pids+=($!)
  timed import-base "$BIN" import --data-dir "$D" "$TMP/base" >"$D.import2.out" 2>&1 & pids+=($!)
  timed backtest "$BIN" backtest --data-dir "$D" --start-date 2024-10-24 --end-date 2024-10-29 --node HB_NORTH --thresholds 100 \
    --refit-every 3 --min-training-days 28 --name "concurrency $round" --fresh --bootstrap 0 >"$D.backtest.out" 2>&1 & pids+=($!)
  timed fetch-data "$BENCH" fetch --chunk-days 31 --data-dir "$D" >"$D.fetch.out" 2>&1 & pids+=($!)
  names=(import-later import-base backtest fetch-data)
  outs=("$D.import1.out" "$D.import2.out" "$D.backtest.out" "$D.fetch.out")
  failed=0
  for i in "${!pids[@]}"; do
    while kill -0 "${pids[$i]}" 2>/dev/null; do http_ok "http://127.0.0.1:$PORT/metrics" || true; sleep 0.3; done
    if ! wait "${pids[$i]}"; then
      echo "test-concurrency: round $round: ${names[$i]} failed:" >&2
      cat "${outs[$i]}" >&2
      failed=1
    fi
  done
  [ "$failed" = 0 ] || exit 1
  kill -0 "$SERVE_PID" 2>/dev/null || { echo "test-concurrency: serve died:" >&2; cat "$D.serve.log" >&2; exit 1; }
  if grep -qi "database is locked\|already exists" "$D".*.out "$D.serve.log"; then
    echo "test-concurrency: round $round: a lock error was reported:" >&2; grep -i "database is locked\|already exists" "$D".*.out "$D.serve.log" >&2; exit 1
  fi

  # restore must see the running service (and any writer) through the store lock.
  "$BIN" backup --data-dir "$D" --models-dir "$D/models" --forecasts-dir "$D/forecasts" --output "$D.backup.tar.gz" >/dev/null
  if "$BIN" restore --data-dir "$D" --models-dir "$D/models" --forecasts-dir "$D/forecasts" "$D.backup.tar.gz" 2>"$D.restore.err"; then
    echo "test-concurrency: restore did not refuse while serve had the store open" >&2; exit 1
  fi
  grep -q "in use by another spikecast process" "$D.restore.err" || { echo "unexpected restore error:" >&2; cat "$D.restore.err" >&2; exit 1; }
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=""

  counts "$D" >"$D.counts"
  if ! diff -u "$TMP/ref.counts" "$D.counts" >&2; then
    echo "test-concurrency: round $round: stored rows differ from the sequential reference (lost or extra rows)" >&2; exit 1
  fi
  id=$("$BIN" backtest list --data-dir "$D" --output-format csv | awk -F, -v n="concurrency $round" 'NR > 1 && index($0, n) { print $1; exit }')
  [ -n "$id" ] || { echo "test-concurrency: round $round: backtest not stored" >&2; exit 1; }
  if [ "$round" = 1 ]; then
    "$BIN" visualize --data-dir "$D" --type importance --backtest-id "$id" --output-path "$D.importance.png" >/dev/null
    [ -s "$D.importance.png" ] || { echo "test-concurrency: visualize --type importance drew nothing" >&2; exit 1; }
    # A report name must be one folder name: `--name ../data` would have replaced the store (report and compare).
    for cmd in "report backtest --backtest-id $id" "compare --backtest-id $id --backtest-id $id"; do
      # shellcheck disable=SC2086
      if "$BIN" $cmd --data-dir "$D" --reports-dir "$D/reports" --name ../r$round 2>"$D.name.err" >/dev/null; then
        echo "test-concurrency: '$cmd --name ../r$round' was accepted" >&2; exit 1
      fi
      grep -q "report name" "$D.name.err" || { echo "unexpected error for --name ../r$round:" >&2; cat "$D.name.err" >&2; exit 1; }
      [ -f "$D/spikecast.sqlite" ] || { echo "test-concurrency: the store is gone after --name ../r$round" >&2; exit 1; }
    done
  fi
  # How the four processes overlapped (seconds from the first start).
  python3 -c 'import sys
rows=[l.split() for l in open(sys.argv[1])]
t0=min(float(r[1]) for r in rows)
print("   " + ", ".join("%s %.1f-%.1f s" % (r[0], float(r[1]) - t0, float(r[2]) - t0) for r in sorted(rows, key=lambda r: float(r[1]))))' "$D.times"
  echo "   ok: every process exited 0, $(awk '{s+=$NF} END {print s}' "$D.counts") rows as in the reference, backtest #$id stored"
done
echo "test-concurrency: all $ROUNDS rounds passed"
