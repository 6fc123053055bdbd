#!/usr/bin/env bash
set -euo pipefail
# Benchmarks: $1 = path to the spikecast binary. Each engineer appends one line.
bash "$(dirname "${BASH_SOURCE[0]}")/bench_backtest.sh" "$1"   # backtest: PROTOCOL.md v1 (reference + default configs) vs the Python reference, then the synthetic market
"$1" fetch-data --bench-fake   # live data: one month of 5-min LMPs, 4 hubs, fake ERCOT server, 30 requests/min
