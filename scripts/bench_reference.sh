#!/usr/bin/env bash
# Runs the Python reference of ../shared/bench (PROTOCOL.md run (a)) in a venv under .build/bench-venv.
# Usage: scripts/bench_reference.sh OUT.json [extra reference.py flags…]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT/../shared"
REF="$SHARED/bench/reference"
OUT="${1:?usage: bench_reference.sh OUT.json [flags]}"
shift
if [ ! -f "$REF/reference.py" ]; then
    echo "bench_reference: $REF/reference.py not found (../shared is absent); skipping the Python reference" >&2
    exit 3
fi
VENV="$ROOT/.build/bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import numpy, pandas, xgboost, sklearn" 2>/dev/null; then
    echo "bench_reference: creating $VENV and installing $REF/requirements.txt (one time)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REF/requirements.txt"
fi
exec "$VENV/bin/python" "$REF/reference.py" --data "$SHARED/datasets/ercot" --eval-from 2024-04-01 --out "$OUT" "$@"
