#!/usr/bin/env bash
# Infrastructure checks (run by scripts/test.sh after the Swift tests):
#   1. promtool check rules + promtool test rules (rules-tests/: a unit test per alert situation)
#   2. the real prometheus.yml checked by promtool with the folders laid out exactly as docker-compose
#      mounts them (a rule test file in the mounted rules folder fails here, as it crash-loops Prometheus)
#   3. docker-compose config; .env.example has every variable of the old guide; Grafana provisioning
#      matches the dashboards; the dependency pins are the versions this build resolved
#   4. each dashboard JSON round-tripped through the Grafana Foundation SDK's schema (PyPI, venv in .build/)
#   5. a populated store (generate, train, predict) served by `spikecast serve`; /livez, HEAD /metrics,
#      `promtool check metrics` on the live /metrics prints nothing; a real Prometheus scrapes it and
#      node-exporter, and every dashboard query and variable returns data with its legend labels
#   6. `spikecast backup` works online, `restore` refuses while the service runs and succeeds after SIGTERM
# There is no Docker engine here; scripts/test-chroot.sh tests the image's runtime stage.
# Env: SPIKECAST_BIN (default: the debug build's spikecast, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages only the infrastructure checks use.
pkgs=()
command -v prometheus-node-exporter >/dev/null 2>&1 || pkgs+=(prometheus-node-exporter)
python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "test-infra: installing ${pkgs[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
fi
need() { command -v "$1" >/dev/null 2>&1 || { echo "test-infra: '$1' not found (run scripts/install-deps.sh --test)" >&2; exit 1; }; }
need promtool; need prometheus; need docker-compose; need python3; need prometheus-node-exporter  # python3 comes with docker-compose

MON=infrastructure/monitoring
CHECKS=$MON/checks
echo "-- promtool check rules"
for f in "$MON"/rules/*; do promtool check rules "$f"; done
echo "-- promtool test rules"
(cd "$MON/rules-tests" && promtool test rules ./*_test.yml)
echo "-- docker-compose config"
docker-compose -f infrastructure/docker/docker-compose.yml config -q
for v in ERCOT_API_KEY ERCOT_API_SECRET WEATHER_API_KEY DEFAULT_NODE_IDS DEFAULT_PRICE_THRESHOLDS BACKEND_CPU_LIMIT \
         BACKEND_MEMORY_LIMIT BACKEND_PARALLEL_JOBS PROMETHEUS_RETENTION_TIME GRAFANA_ADMIN_PASSWORD; do
  grep -q "^$v=" infrastructure/docker/.env.example || { echo ".env.example lacks $v" >&2; exit 1; }
done
grep -q 'init: true' infrastructure/docker/docker-compose.yml || { echo "docker-compose.yml: the backend needs init: true" >&2; exit 1; }

TMP="$(mktemp -d)"
SERVE_PID=""; PROM_PID=""; NODE_PID=""
cleanup() {
  for p in $SERVE_PID $PROM_PID $NODE_PID; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in $SERVE_PID $PROM_PID $NODE_PID; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

echo "-- the real prometheus.yml as docker-compose mounts it"
docker-compose -f infrastructure/docker/docker-compose.yml config > "$TMP/compose.yml"
prom_config="$(python3 "$CHECKS/compose_layout.py" "$TMP/compose.yml" prometheus "$TMP/prometheus-root")"
promtool check config "$prom_config"

echo "-- Grafana provisioning and dashboards"
python3 - "$TMP/compose.yml" <<'PY'
import glob, json, sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
mounts = {}
for v in compose["services"]["grafana"]["volumes"]:
    src, dst = (v.split(":")[:2] if isinstance(v, str) else (v.get("source"), v["target"]))
    mounts[dst] = src
ds = yaml.safe_load(open("infrastructure/monitoring/grafana/provisioning/datasources/prometheus.yaml"))["datasources"]
uids = {d["uid"] for d in ds}
prov = yaml.safe_load(open("infrastructure/monitoring/grafana/provisioning/dashboards/spikecast.yaml"))["providers"]
errors = []
for p in prov:
    if p["options"]["path"] not in mounts:
        errors.append(f"dashboard provider path {p['options']['path']} is not a grafana volume target ({sorted(mounts)})")
for f in glob.glob("infrastructure/monitoring/grafana/dashboards/*.json"):
    d = json.load(open(f))
    for p in d["panels"]:
        for t in [p] + p.get("targets", []):
            uid = (t.get("datasource") or {}).get("uid")
            if uid and uid not in uids:
                errors.append(f"{f}: panel '{p['title']}' uses datasource uid {uid}, provisioned: {sorted(uids)}")
for e in errors: print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
VENV=.build/grafana-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import grafana_foundation_sdk' 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'grafana-foundation-sdk==1769699998!10.1.0'
fi
"$VENV/bin/python" "$CHECKS/roundtrip_dashboards.py" "$MON"/grafana/dashboards/*.json

echo "-- dependency pins = the versions resolved for this build"
[ -f Package.resolved ] || swift package resolve
python3 - infrastructure/docker/dependency-pins.json Package.resolved <<'PY'
import json, sys
def pins(p): return {x["identity"]: x["state"].get("version") for x in json.load(open(p))["pins"]}
want, got = pins(sys.argv[1]), pins(sys.argv[2])
bad = [f"{k}: pinned {want.get(k)}, resolved {got.get(k)}" for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
for b in bad: print("  " + b, file=sys.stderr)
if bad: sys.exit("infrastructure/docker/dependency-pins.json is out of date: cp Package.resolved infrastructure/docker/dependency-pins.json (docs/deployment.md)")
print(f"   {len(want)} packages pinned")
PY

echo "-- a populated store served by spikecast serve, scraped by a real Prometheus"
BIN="${SPIKECAST_BIN:-}"
if [ -z "$BIN" ]; then
  BIN="$(swift build --show-bin-path)/spikecast"
  [ -x "$BIN" ] || swift build --product spikecast
fi
[ -x "$BIN" ] || { echo "test-infra: no spikecast binary at $BIN" >&2; exit 1; }
# HTTP GET with python3 (no curl needed): http_ok URL succeeds on a 2xx answer; http_get URL prints the body.
http_ok() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" >/dev/null 2>&1; }
http_get() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null; }
# The body whatever the status (/health answers 503 while a job is overdue, e.g. the failing one below).
http_body() { python3 -c 'import sys,urllib.request,urllib.error
try: r = urllib.request.urlopen(sys.argv[1], timeout=5)
except urllib.error.HTTPError as e: r = e
sys.stdout.write(r.read().decode())' "$1" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SPORT="$(free_port)"; PPORT="$(free_port)"; NPORT="$(free_port)"

# Synthetic market up to today, a model trained on its first weeks, forecasts issued on recent days, so
# that every store-derived gauge (freshness, completeness, forecasts, rolling skill) has a value.
D() { date -u -d "$1" +%F; }
FOLDERS=(--data-dir "$TMP/data" --models-dir "$TMP/models")
t=$(date +%s)
"$BIN" generate --start-date "$(D '-75 days')" --end-date "$(D today)" --no-files --data-dir "$TMP/data" >/dev/null
"$BIN" train "${FOLDERS[@]}" --config climatology --nodes HB_NORTH,HB_WEST --thresholds 100,500 \
  --start-date "$(D '-70 days')" --end-date "$(D '-40 days')" >/dev/null
for back in 24 20 16 12 8 5; do
  "$BIN" predict "${FOLDERS[@]}" --issue-time "$(D "-$back days")" --nodes HB_NORTH,HB_WEST --thresholds 100,500 \
    --output-format csv --output-path "$TMP/forecast-$back.csv" >/dev/null
done
# The synthetic market has no spikes in every season; a few 5-minute intervals of the forecast hours
# (17:00 CST on ten recent days, HB_NORTH and HB_WEST) are raised to $650 so the skill has both classes.
python3 - "$TMP/data/spikecast.sqlite" <<'PY'
import sqlite3, sys, time
day = 86400
today = int(time.time()) // day * day
starts = [today - k * day + 23 * 3600 for k in range(3, 22, 2)]
db = sqlite3.connect(sys.argv[1])
n = db.execute(f"UPDATE price SET price = 650 WHERE market = 'RT' AND node IN ('HB_NORTH', 'HB_WEST') AND interval_start IN ({','.join('?' * len(starts))})", starts).rowcount
db.commit()
assert n >= 10, f"only {n} intervals raised"
PY
echo "   store prepared in $(( $(date +%s) - t )) s (generate, train, 6 forecasts, spikes on 10 days)"

# The scheduler runs fetch-data (its command replaced by an offline one; the real one calls the live
# ERCOT API) and forecast-report replaced by a command that fails: both are caught up at start, so the
# whole chain runs — child process, job-run record, JSON-lines log with job and run id, success and
# failure metrics.
BACKEND_PARALLEL_JOBS=3 SPIKECAST_REVISION=test-infra "$BIN" serve --host 127.0.0.1 --port "$SPORT" "${FOLDERS[@]}" --logs-dir "$TMP/logs" \
  --reports-dir "$TMP/reports" --forecasts-dir "$TMP/forecasts" --nodes HB_NORTH,HB_WEST --thresholds 100,500 \
  --forecast-schedule off --retrain-schedule off --forecast-report-schedule 'daily 00:00' --backtest-report-schedule off \
  --job-command "fetch-data={spikecast} data status --data-dir {data_dir}" \
  --job-command "forecast-report=/bin/sh -c 'echo cannot render the report >&2; exit 3'" 2>"$TMP/serve.log" &
SERVE_PID=$!
ok=""
for _ in $(seq 1 60); do
  if http_ok "http://127.0.0.1:$SPORT/livez"; then ok=1; break; fi
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ok" ] || { echo "spikecast serve did not come up:" >&2; cat "$TMP/serve.log" >&2; exit 1; }

fetch_ok=""
for _ in $(seq 1 60); do
  if http_body "http://127.0.0.1:$SPORT/health" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["jobs"]["fetch-data"].get("last_status")=="succeeded" and d["jobs"]["forecast-report"].get("last_status")=="failed" else 1)' 2>/dev/null; then fetch_ok=1; break; fi
  sleep 0.5
done
[ -n "$fetch_ok" ] || { echo "the scheduled fetch-data job did not succeed (or forecast-report did not fail):" >&2; http_body "http://127.0.0.1:$SPORT/health" >&2; tail -20 "$TMP/serve.log" >&2; exit 1; }
# One grep (keys are sorted: "job" comes before "run_id"): `grep … | grep -q` under pipefail fails
# at random when grep -q exits early and the first grep dies of SIGPIPE.
grep -qh '"job":"fetch-data".*"run_id":[1-9]' "$TMP"/logs/spikecast-*.jsonl || { echo "no JSON log line with job and run id" >&2; exit 1; }

echo "-- /livez, HEAD /metrics, promtool check metrics on the live /metrics"
python3 - "http://127.0.0.1:$SPORT" <<'PY'
import sys, urllib.request
base = sys.argv[1]
for path in ("/metrics", "/livez"):
    r = urllib.request.urlopen(urllib.request.Request(base + path, method="HEAD"), timeout=5)
    assert r.status == 200 and r.read() == b"", f"HEAD {path}: {r.status}"
    assert int(r.headers["Content-Length"]) > 0, f"HEAD {path}: no Content-Length"
assert urllib.request.urlopen(base + "/livez", timeout=5).read() == b"ok\n"
PY
# Wait (bounded) for the background refresh to have scored the forecasts.
for _ in $(seq 1 60); do
  http_get "http://127.0.0.1:$SPORT/metrics" > "$TMP/metrics.txt" || true
  grep -q '^spikecast_model_brier_skill_score{node="HB_NORTH",threshold="100"}' "$TMP/metrics.txt" && break
  sleep 0.5
done
lint="$(promtool check metrics < "$TMP/metrics.txt" 2>&1)" || true
[ -z "$lint" ] || { echo "promtool check metrics on the live /metrics:" >&2; echo "$lint" >&2; exit 1; }
for m in 'spikecast_model_brier_skill_score{node="HB_NORTH",threshold="100"}' 'spikecast_job_last_failure_timestamp_seconds{job_name="forecast-report"}' \
         'spikecast_data_completeness_ratio{node="HB_NORTH",market="RT"}' 'spikecast_build_info{version=' 'revision="test-infra"' \
         'spikecast_job_workers 3' 'process_resident_memory_bytes ' 'spikecast_http_requests_total{'; do
  grep -qF "$m" "$TMP/metrics.txt" || { echo "live /metrics lacks $m" >&2; grep -v '^#' "$TMP/metrics.txt" | head -80 >&2; exit 1; }
done
echo "   $(grep -c '^# HELP' "$TMP/metrics.txt") metric families, all with HELP; promtool check metrics: clean"

prometheus-node-exporter --web.listen-address="127.0.0.1:$NPORT" --collector.disable-defaults \
  --collector.cpu --collector.meminfo --collector.filesystem >"$TMP/node-exporter.log" 2>&1 &
NODE_PID=$!
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: spikecast
    static_configs:
      - targets: ["127.0.0.1:$SPORT"]
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$NPORT"]
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

echo "-- every dashboard query and variable against the real Prometheus"
# Some traffic for the HTTP panels, then every query must answer with its legend labels.
for _ in $(seq 1 5); do http_ok "http://127.0.0.1:$SPORT/health" || true; http_ok "http://127.0.0.1:$SPORT/nope" || true; done
python3 "$CHECKS/check_dashboards.py" "http://127.0.0.1:$PPORT" "$MON"/grafana/dashboards/*.json \
  --var node=HB_NORTH --var threshold=100 --var job_name=fetch-data,forecast-report --timeout 90

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
