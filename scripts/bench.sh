#!/usr/bin/env bash
set -euo pipefail
# Benchmarks: $1 = path to the spikecast binary (spikecast-bench, built beside it, runs the fake-server
# and synthetic-chart benchmarks). Each engineer appends one line.
bash "$(dirname "${BASH_SOURCE[0]}")/bench_backtest.sh" "$1"   # backtest: PROTOCOL.md v1 (reference + default configs) vs the Python reference, then the synthetic market
"$(dirname "$1")/spikecast-bench" fetch   # live data: one month of 5-min LMPs, 4 hubs, fake ERCOT server, 30 requests/min
"$(dirname "$1")/spikecast-bench" render   # charts: every chart type for a one-year backtest (8,760 h × 3 thresholds, 35k RT prices), PNG and SVG
"$1" data bench --log-level warning $( [ -d "$(dirname "${BASH_SOURCE[0]}")/../../shared/datasets/ercot" ] && echo --import "$(dirname "${BASH_SOURCE[0]}")/../../shared/datasets/ercot" )   # store: upsert/re-upsert/load 3M price rows, status; import of ../shared/datasets/ercot twice (wall and CPU seconds)
bash "$(dirname "${BASH_SOURCE[0]}")/bench_forecast.sh" "$1"   # production speed: predict 5 nodes × 3 thresholds end to end (target ≤ 1 s), train 1 node vs XGBoost fitting time
bash "$(dirname "${BASH_SOURCE[0]}")/bench_shards.sh" "$1"   # scale-out: a reference fold alone / beside CPU load / in a 1-CPU quota with the thread choice, per-fold cost, merge time, 1,000-node projection (docs/scale-out.md)
bash "$(dirname "${BASH_SOURCE[0]}")/bench_multinode.sh" "$1"   # multi-node skill: 15 real points (1 at 15 min + 14 hourly means), default/reference/climatology-seasonal, per point and pooled SS vs seasonal, ROC/PR-AUC, wall time (docs/multi-node.md)
