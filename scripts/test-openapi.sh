#!/usr/bin/env bash
# The HTTP API against its OpenAPI 3.1 document (run by scripts/test.sh after the Swift tests):
#   1. a small synthetic store (generate, train a climatology model, one forecast) and a reports folder,
#      served by `spikecast serve --no-scheduler`;
#   2. the document the live service serves at /openapi.json validated by openapi-spec-validator;
#   3. schemathesis (property-based: examples, coverage and fuzzing phases, every check, a bounded
#      number of cases per operation and a fixed seed) against the live service; any failure fails.
# PyPI packages in a venv under .build/ (pinned). Env: SPIKECAST_BIN (default: the debug build's spikecast),
# OPENAPI_MAX_EXAMPLES (default 40 per operation).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/common.sh
VENV="$PWD/.build/openapi-venv"
ensure_venv "$VENV" "schemathesis, openapi_spec_validator" schemathesis==4.32.5 openapi-spec-validator==0.9.0
BIN="$(spikecast_bin)"

TMP="$(mktemp -d)"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && { kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; }
  [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

t=$(date +%s)
FOLDERS=(--data-dir "$TMP/data" --models-dir "$TMP/models")
"$BIN" generate --start 2025-01-01 --end 2025-02-28 --no-files --data-dir "$TMP/data" >/dev/null 2>&1
"$BIN" train "${FOLDERS[@]}" --config climatology --nodes HB_NORTH --thresholds 100 \
  --start-date 2025-01-01 --end-date 2025-02-20 >/dev/null 2>&1
"$BIN" predict "${FOLDERS[@]}" --issue-time 2025-02-25 --nodes HB_NORTH --thresholds 100 \
  --output-format csv --output-path "$TMP/forecast.csv" >/dev/null 2>&1
mkdir -p "$TMP/reports/daily"
echo '<html>index</html>' > "$TMP/reports/index.html"
echo '<html>daily</html>' > "$TMP/reports/daily/forecast.html"
echo "test-openapi: store prepared in $(( $(date +%s) - t )) s"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
# Two nodes and thresholds, one with a forecast (200) and the rest without (404).
"$BIN" serve --host 127.0.0.1 --port "$PORT" "${FOLDERS[@]}" --reports-dir "$TMP/reports" --logs-dir none \
  --forecasts-dir "$TMP/forecasts" --nodes HB_NORTH,HB_WEST --thresholds 100,500 --no-scheduler 2>"$TMP/serve.log" &
SERVE_PID=$!
BASE="http://127.0.0.1:$PORT"
ok=""
for _ in $(seq 1 120); do
  if python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$BASE/livez" >/dev/null 2>&1; then ok=1; break; fi
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ok" ] || { echo "test-openapi: spikecast serve did not come up:" >&2; cat "$TMP/serve.log" >&2; exit 1; }

python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "$BASE/openapi.json" > "$TMP/openapi.json"
echo "-- openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$TMP/openapi.json"

echo "-- schemathesis against $BASE"
t=$(date +%s)
(cd "$TMP" && "$VENV/bin/schemathesis" run "$TMP/openapi.json" --url "$BASE" --checks all \
  --max-examples "${OPENAPI_MAX_EXAMPLES:-40}" --seed 19 --workers 1 --request-timeout 10 \
  --generation-database none --no-color --report junit --report-dir "$TMP/schemathesis-report") \
  || { echo "test-openapi: schemathesis found failures (above); serve log:" >&2; tail -n 20 "$TMP/serve.log" >&2; exit 1; }
echo "test-openapi: schemathesis passed in $(( $(date +%s) - t )) s"
kill -0 "$SERVE_PID" 2>/dev/null || { echo "test-openapi: serve died during the run:" >&2; cat "$TMP/serve.log" >&2; exit 1; }
