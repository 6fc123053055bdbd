#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded synthetic market, no network needed.
#   1. generate the synthetic market (2023-01-01 … 2024-12-31 CPT) and load it into the store;
#   2. walk-forward backtest of the four hubs at $100/$500/$1000 over six months of issue days;
#   3. train the production model; 4. issue the forecast of the last day;
#   5. write the backtest report and the daily forecast report; print the paths and a metrics table.
# Usage: scripts/demo.sh PATH/TO/spikecast. The DEMO_* variables below shrink it (the report test does).
set -euo pipefail
cd "$(dirname "$0")/.."
SPIKECAST="${1:?usage: scripts/demo.sh PATH/TO/spikecast}"

GEN_START="${DEMO_GEN_START:-2023-01-01}"
GEN_END="${DEMO_GEN_END:-2024-12-31}"
BT_START="${DEMO_BACKTEST_START:-2024-06-01}"
BT_END="${DEMO_BACKTEST_END:-2024-11-30}"
NODES="${DEMO_NODES:-HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON}"
THRESHOLDS="${DEMO_THRESHOLDS:-100,500,1000}"
TRAIN_START="${DEMO_TRAIN_START:-$GEN_START}"
# "Today" in the synthetic world: three days before its end, so the 72 target hours have realized prices.
ISSUE_DAY="${DEMO_ISSUE_DAY:-$(date -u -d "$GEN_END -3 days" +%F)}"
# The production model is what a backtest fold refitted at today's 06:00 issue would train.
DATA_DIR="${SPIKECAST_DATA_DIR:-./data}"
REPORTS_DIR="${SPIKECAST_REPORTS_DIR:-./reports}"
export SPIKECAST_DATA_DIR="$DATA_DIR" SPIKECAST_REPORTS_DIR="$REPORTS_DIR"
export LOG_LEVEL="${LOG_LEVEL:-warning}"

step() { printf '\n== %s\n' "$*" >&2; }
t_all=$(date +%s)

step "1/5 generate the synthetic market $GEN_START … $GEN_END into $DATA_DIR"
t=$(date +%s)
"$SPIKECAST" generate --start-date "$GEN_START" --end-date "$GEN_END" --output "datasets/synthetic" >&2
echo "   $(( $(date +%s) - t )) s" >&2

step "2/5 walk-forward backtest: issue days $BT_START … $BT_END, nodes $NODES, thresholds $THRESHOLDS, refit every 2 days"
t=$(date +%s)
RUN_NAME="demo $(date -u +%Y%m%dT%H%M%S)"
"$SPIKECAST" backtest --start-date "$BT_START" --end-date "$BT_END" --nodes "$NODES" --thresholds "$THRESHOLDS" \
  --refit-every 2 --name "$RUN_NAME" --fresh --output-format json --output-path "$DATA_DIR/demo-backtest.json" >&2
BACKTEST_ID=$("$SPIKECAST" backtest list --output-format csv | awk -F, -v n="$RUN_NAME" 'NR > 1 && index($0, n) { print $1; exit }')
[ -n "$BACKTEST_ID" ] || { echo "demo: could not find backtest '$RUN_NAME'" >&2; exit 1; }
echo "   backtest #$BACKTEST_ID, $(( $(date +%s) - t )) s" >&2

step "3/5 train the production model as of $ISSUE_DAY 06:00 CPT (issue days from $TRAIN_START) and promote it"
t=$(date +%s)
"$SPIKECAST" train --start-date "$TRAIN_START" --as-of "$ISSUE_DAY" --nodes "$NODES" --thresholds "$THRESHOLDS" --promote >&2
echo "   $(( $(date +%s) - t )) s" >&2

step "4/5 issue the forecast of $ISSUE_DAY 06:00 CPT"
"$SPIKECAST" predict --issue-time "$ISSUE_DAY" --nodes "$NODES" --thresholds "$THRESHOLDS" --output-format csv \
  --output-path "$DATA_DIR/demo-forecast.csv" >&2

step "5/5 reports"
"$SPIKECAST" report backtest --backtest-id "$BACKTEST_ID" --name demo-backtest >&2
"$SPIKECAST" report forecast --issue-date "$ISSUE_DAY" --name demo-forecast >&2

echo
echo "Backtest #$BACKTEST_ID ($BT_START … $BT_END), out of sample:"
"$SPIKECAST" backtest show "$BACKTEST_ID" --bootstrap 0 | sed -n '1,/^$/p'
echo "Reports:"
echo "  $REPORTS_DIR/demo-backtest/index.html"
echo "  $REPORTS_DIR/demo-forecast/index.html"
echo "  $REPORTS_DIR/index.html"
echo "Forecast table: $DATA_DIR/demo-forecast.csv"
echo "Demo finished in $(( $(date +%s) - t_all )) s."
