#!/usr/bin/env bash
# `make demo`: generate the embedded synthetic market, load it into the default data dir, show its status.
# Usage: scripts/demo.sh PATH/TO/spikecast
set -euo pipefail
cd "$(dirname "$0")/.."
SPIKECAST="${1:?usage: scripts/demo.sh PATH/TO/spikecast}"

echo "== spikecast generate (synthetic market 2023-01-01 … 2024-12-31 CPT, seed 42)" >&2
"$SPIKECAST" generate
echo "== spikecast data status" >&2
"$SPIKECAST" data status
