#!/usr/bin/env bash
# The benchmark of issue 4 (../shared/bench/PROTOCOL.md): the protocol-v1 preset with the `reference`
# and `default` model configurations on the real ERCOT data, the Python reference in the same run,
# then the same preset on the synthetic market. Usage: scripts/bench_backtest.sh PATH/TO/spikecast
# BENCH_REFERENCE=stored compares against ../shared/bench/reference/results_dev.json instead of
# running the Python reference (~160 s).
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT/../shared"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export NO_COLOR=1

echo "== backtest benchmark (PROTOCOL.md v1) =="
if [ -d "$SHARED/datasets/ercot" ] && [ -f "$SHARED/bench/PROTOCOL.md" ]; then
    echo "-- importing $SHARED/datasets/ercot into a temporary data dir"
    "$BIN" import --data-dir "$WORK/ercot" "$SHARED/datasets/ercot" --log-level warning
    for cfg in reference default; do
        echo "-- spikecast backtest --preset protocol-v1 --model-config $cfg"
        "$BIN" backtest --data-dir "$WORK/ercot" --log-level warning --preset protocol-v1 --model-config "$cfg" \
            --start-date 2024-04-01 --fresh --output-format json --output-path "$WORK/ours_$cfg.json" \
            --dump-features "$WORK/features_$cfg.csv.gz" --dump-predictions "$WORK/predictions_$cfg.csv.gz"
    done
    REF_JSON="$SHARED/bench/reference/results_dev.json"
    if [ "${BENCH_REFERENCE:-run}" != "stored" ]; then
        echo "-- Python reference (about 160 s on 2 cores)"
        if bash "$ROOT/scripts/bench_reference.sh" "$WORK/reference.json" > "$WORK/reference.log"; then
            REF_JSON="$WORK/reference.json"
        else
            echo "   the Python reference did not run (see above); comparing against the stored $REF_JSON"
        fi
    else
        echo "-- BENCH_REFERENCE=stored: comparing against $REF_JSON"
    fi
    python3 "$ROOT/scripts/bench_compare.py" --reference "$REF_JSON" --ours "$WORK/ours_reference.json" --default "$WORK/ours_default.json" \
        --features "$WORK/features_reference.csv.gz" --ref-features "$SHARED/bench/reference/features_dev.csv.gz" \
        --predictions "$WORK/predictions_reference.csv.gz" --ref-predictions "$SHARED/bench/reference/predictions_dev.csv.gz"
else
    echo "-- ../shared is absent ($SHARED): skipping the real-data benchmark and the Python reference"
fi

echo
echo "== protocol-v1 preset on the synthetic market =="
"$BIN" generate --data-dir "$WORK/synthetic" --no-files --start-date 2023-07-01 --end-date 2024-12-31 --log-level warning > /dev/null
for cfg in reference default; do
    "$BIN" backtest --data-dir "$WORK/synthetic" --log-level warning --preset protocol-v1 --model-config "$cfg" \
        --start-date 2024-07-01 --fresh --output-format json --output-path "$WORK/synthetic_$cfg.json"
done
python3 "$ROOT/scripts/bench_compare.py" --synthetic "$WORK/synthetic_reference.json" "$WORK/synthetic_default.json"
