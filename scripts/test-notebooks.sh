#!/usr/bin/env bash
# The notebook recipes of docs/notebooks.md (run by scripts/test.sh after the Swift tests):
#   1. a store: ../shared/datasets/ercot imported when present (else the synthetic market, July 2024);
#   2. the exports of the recipe written by `spikecast data export` (CSV, CSV.gz, JSON, --as-of);
#   3. every ```python block of docs/notebooks.md run in order with pandas, polars and DuckDB (PyPI,
#      pinned, venv under .build/), then checked: the July 2024 export has 2,976 rows on the shared data,
#      the gzip and JSON exports read back equal, and the SQL point-in-time recipe equals `--as-of`.
# Env: SPIKECAST_BIN (default: the debug build's spikecast).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

. scripts/lib/common.sh
VENV="$ROOT/.build/notebook-venv"
ensure_venv "$VENV" "pandas, polars, duckdb" pandas==3.1.1 polars==2.1.0 duckdb==2.0.1
BIN="$(spikecast_bin)"

TMP="$(mktemp -d)"
trap '[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"' EXIT
cd "$TMP"
SHARED="$ROOT/../shared/datasets/ercot"
t=$(date +%s)
if [ -e "$SHARED/rt_prices.csv.gz" ]; then
  "$BIN" import "$SHARED" --data-dir data >/dev/null 2>&1
  EXPECTED_ROWS=2976
  echo "test-notebooks: imported $SHARED in $(( $(date +%s) - t )) s"
else
  echo "test-notebooks: $SHARED absent: using the synthetic market (July 2024) instead" >&2
  "$BIN" generate --start 2024-07-01 --end 2024-07-31 --no-files --data-dir data >/dev/null 2>&1
  EXPECTED_ROWS=""
fi
export_() { "$BIN" data export --data-dir data "$@" 2>>"$TMP/export.log"; }
export_ --nodes HB_HUBAVG --market rt --start-date 2024-07-01 --end-date 2024-07-31 --output-path hubavg-2024-07.csv
export_ --nodes HB_HUBAVG --market rt --start-date 2024-07-01 --end-date 2024-07-31 --output-path hubavg-2024-07.csv.gz
export_ --nodes HB_HUBAVG --market rt --start-date 2024-07-01 --end-date 2024-07-31 --output-path hubavg-2024-07.json
export_ --nodes HB_HUBAVG --market rt --series load_forecast_ercot --start-date 2024-07-14 --end-date 2024-07-16 \
  --as-of 2024-07-15T06:00:00-05:00 --output-path seen.csv
export_ --nodes HB_HUBAVG --market rt --start-date 2024-07-01 --end-date 2024-07-01 > stdout.csv

EXPECTED_ROWS="$EXPECTED_ROWS" "$VENV/bin/python" - "$ROOT/docs/notebooks.md" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```python\n(.*?)```", text, re.S)
ns = {}
ran = 0
for b in blocks:
    if b.lstrip().startswith("# not run by the test"):
        continue
    exec(compile(b, f"docs/notebooks.md python block {ran + 1}", "exec"), ns)
    ran += 1
assert ran >= 4, f"only {ran} python blocks ran"
pd = ns["pd"]
prices, seen, load_fc = ns["prices"], ns["seen"], ns["load_fc"]
expected = os.environ.get("EXPECTED_ROWS")
n = len(prices)
if expected:
    assert n == int(expected), f"July 2024 HB_HUBAVG RT export: {n} rows, expected {expected}"
assert n > 0 and list(prices.columns[:8]) == ["series", "node", "market", "interval_start_utc", "interval_start_cpt",
                                              "interval_minutes", "value", "available_at_utc"], list(prices.columns)
assert prices["interval_start_utc"].min() == pd.Timestamp("2024-07-01T05:00:00Z")
assert len(ns["gz"]) == n and (ns["gz"]["value"].values == prices["value"].values).all()
js = pd.read_json("hubavg-2024-07.json")
# (pandas' JSON reader rounds a few decimals in the last bit, e.g. 7.56 → 7.5600000000000005)
assert len(js) == n and ((js["value"] - prices["value"]).abs() < 1e-9).all()
assert len(pd.read_csv("stdout.csv")) == n // 31   # one day of the 31 (no DST change in July)
# Hourly maxima agree between pandas, polars and DuckDB.
hm = ns["hourly_max"].dropna()
assert len(hm) == 31 * 24, len(hm)
assert abs(float(ns["pl_hourly"]["value"].max()) - float(hm.max())) < 1e-9
assert abs(float(ns["duck_hourly"]["max_price"].max()) - float(hm.max())) < 1e-9
assert ns["duck_rt"][0] == len(ns["rt"])
assert int(ns["pl_store"].filter(ns["pl"].col("node") == "HB_HUBAVG")["n"].sum()) > 0
# The SQL point-in-time recipe equals `data export --as-of` for the load forecast.
issue = pd.Timestamp("2024-07-15T06:00:00-05:00")
assert (seen["available_at_utc"] <= issue).all()
fc = seen[seen["series"] == "load_forecast_ercot"].reset_index(drop=True)
assert len(fc) > 0, "no load forecast vintage available by the issue time"
assert len(fc) == len(load_fc), (len(fc), len(load_fc))
assert (fc["value"].values == load_fc["value"].values).all()
assert (fc["available_at_utc"].map(lambda t: int(t.timestamp())).values == load_fc["available_at"].values).all()
print(f"test-notebooks: {ran} python blocks of docs/notebooks.md ran; July 2024 HB_HUBAVG RT export: {n} rows "
      f"read by pandas, polars and DuckDB; --as-of {issue.isoformat()}: {len(fc)} load-forecast hours, equal to the SQL recipe")
PY
