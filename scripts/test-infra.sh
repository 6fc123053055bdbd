#!/usr/bin/env bash
# Infrastructure checks (run by scripts/test.sh after the Swift tests):
#   1. promtool check rules + promtool test rules (a unit test per alert)
#   2. promtool check config, dashboards are valid JSON
#   3. docker-compose config validates infrastructure/docker/docker-compose.yml
#   4. a real Prometheus scrapes a running `spikecast serve` and a query for a spikecast_ metric returns data;
#      `spikecast backup` works online, `restore` refuses while the service runs and succeeds after SIGTERM
# There is no Docker engine here, so the Dockerfile itself is not built.
# Env: SPIKECAST_BIN (default: the debug build's spikecast, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test-infra: '$1' not found (run scripts/install-deps.sh --test)" >&2; exit 1; }; }
need promtool; need prometheus; need docker-compose; need python3   # python3 comes with docker-compose

MON=infrastructure/monitoring
echo "-- promtool check rules"
for f in "$MON"/rules/*.yml; do case "$f" in *_test.yml) ;; *) promtool check rules "$f" ;; esac; done
echo "-- promtool test rules"
(cd "$MON/rules" && promtool test rules ./*_test.yml)
echo "-- dashboards are JSON"
for f in "$MON"/grafana/dashboards/*.json; do python3 -m json.tool "$f" >/dev/null || { echo "invalid JSON: $f" >&2; exit 1; }; done
echo "-- docker-compose config"
docker-compose -f infrastructure/docker/docker-compose.yml config -q
for v in ERCOT_API_KEY ERCOT_API_SECRET WEATHER_API_KEY DEFAULT_NODE_IDS DEFAULT_PRICE_THRESHOLDS BACKEND_CPU_LIMIT \
         BACKEND_MEMORY_LIMIT BACKEND_PARALLEL_JOBS PROMETHEUS_RETENTION_TIME GRAFANA_ADMIN_PASSWORD; do
  grep -q "^$v=" infrastructure/docker/.env.example || { echo ".env.example lacks $v" >&2; exit 1; }
done

echo "-- real Prometheus scraping spikecast serve"
BIN="${SPIKECAST_BIN:-}"
if [ -z "$BIN" ]; then
  BIN="$(swift build --show-bin-path)/spikecast"
  [ -x "$BIN" ] || swift build --product spikecast
fi
[ -x "$BIN" ] || { echo "test-infra: no spikecast binary at $BIN" >&2; exit 1; }

TMP="$(mktemp -d)"
SERVE_PID=""; PROM_PID=""
cleanup() {
  for p in $SERVE_PID $PROM_PID; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in $SERVE_PID $PROM_PID; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
# HTTP GET with python3 (no curl needed): http_ok URL succeeds on a 2xx answer; http_get URL prints the body.
http_ok() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" >/dev/null 2>&1; }
http_get() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SPORT="$(free_port)"; PPORT="$(free_port)"

# The scheduler runs one job only, fetch-data, with its command replaced by an offline one (the real one
# calls the live ERCOT API); it is caught up at start, so the whole chain runs: child process, job-run
# record in the store, JSON-lines log with job and run id, job metrics.
"$BIN" serve --host 127.0.0.1 --port "$SPORT" --data-dir "$TMP/data" --logs-dir "$TMP/logs" \
  --reports-dir "$TMP/reports" --models-dir "$TMP/models" --forecasts-dir "$TMP/forecasts" \
  --forecast-schedule off --retrain-schedule off --forecast-report-schedule off --backtest-report-schedule off \
  --job-command "fetch-data={spikecast} data status --data-dir {data_dir}" 2>"$TMP/serve.log" &
SERVE_PID=$!
ok=""
for _ in $(seq 1 60); do
  if http_ok "http://127.0.0.1:$SPORT/health"; then ok=1; break; fi
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ok" ] || { echo "spikecast serve did not come up:" >&2; cat "$TMP/serve.log" >&2; exit 1; }

fetch_ok=""
for _ in $(seq 1 60); do
  if http_get "http://127.0.0.1:$SPORT/health" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["jobs"]["fetch-data"].get("last_status")=="succeeded" else 1)' 2>/dev/null; then fetch_ok=1; break; fi
  sleep 0.5
done
[ -n "$fetch_ok" ] || { echo "the scheduled fetch-data job did not succeed:" >&2; http_get "http://127.0.0.1:$SPORT/health" >&2; cat "$TMP/serve.log" >&2; exit 1; }
grep -h '"job":"fetch-data"' "$TMP"/logs/spikecast-*.jsonl | grep -q '"run_id":1' || { echo "no JSON log line with job and run id" >&2; exit 1; }

cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: spikecast
    static_configs:
      - targets: ["127.0.0.1:$SPORT"]
YML
promtool check config "$TMP/prometheus.yml" >/dev/null
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prom" \
  --web.listen-address="127.0.0.1:$PPORT" >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!

query() { http_get "http://127.0.0.1:$PPORT/api/v1/query?query=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")" || true; }
has_data() { python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["data"]["result"]; sys.exit(0 if d["status"]=="success" and r and float(r[0]["value"][1])==float(sys.argv[1]) else 1)' "$1"; }
found=""
for _ in $(seq 1 60); do
  if query 'spikecast_build_info' | has_data 1 2>/dev/null && query 'up{job="spikecast"}' | has_data 1 2>/dev/null; then found=1; break; fi
  kill -0 "$PROM_PID" 2>/dev/null || break
  sleep 1
done
if [ -z "$found" ]; then
  echo "Prometheus never returned spikecast_build_info:" >&2
  tail -20 "$TMP/prometheus.log" >&2
  query 'up' >&2
  exit 1
fi
echo "   Prometheus query spikecast_build_info: $(query 'spikecast_build_info' | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"][0]; print(r["metric"], r["value"][1])')"
query 'spikecast_store_up' | has_data 1 || { echo "spikecast_store_up is not 1" >&2; exit 1; }
query 'spikecast_job_runs_total{job_name="fetch-data"}' | has_data 1 || { echo "spikecast_job_runs_total{job_name=\"fetch-data\"} is not 1" >&2; exit 1; }

echo "-- backup while the service runs; restore refuses until it stops"
"$BIN" backup --data-dir "$TMP/data" --models-dir "$TMP/models" --forecasts-dir "$TMP/forecasts" --output "$TMP/backup.tar.gz" >/dev/null
"$BIN" restore --check "$TMP/backup.tar.gz" >/dev/null
if "$BIN" restore --data-dir "$TMP/data" --models-dir "$TMP/models" --forecasts-dir "$TMP/forecasts" "$TMP/backup.tar.gz" 2>"$TMP/restore.err"; then
  echo "restore did not refuse while spikecast serve was running" >&2; exit 1
fi
grep -q "stop it first" "$TMP/restore.err" || { echo "unexpected restore error:" >&2; cat "$TMP/restore.err" >&2; exit 1; }

# Graceful shutdown on SIGTERM, within 10 s, exit status 0.
kill -TERM "$SERVE_PID"
for _ in $(seq 1 20); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$SERVE_PID" 2>/dev/null; then echo "spikecast serve ignored SIGTERM" >&2; exit 1; fi
wait "$SERVE_PID" || { echo "spikecast serve exited with $? after SIGTERM" >&2; cat "$TMP/serve.log" >&2; exit 1; }
SERVE_PID=""
"$BIN" restore --data-dir "$TMP/data" --models-dir "$TMP/models" --forecasts-dir "$TMP/forecasts" "$TMP/backup.tar.gz" >/dev/null
ls "$TMP"/logs/spikecast-*.jsonl >/dev/null 2>&1 || { echo "no JSON-lines log in $TMP/logs" >&2; exit 1; }
echo "test-infra: all infrastructure checks passed"
