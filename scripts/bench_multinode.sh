#!/usr/bin/env bash
# Multi-node skill table (docs/multi-node.md): the 15 real ERCOT points (HB_HUBAVG at 15 minutes from
# ../shared/datasets/ercot plus the 14 hourly-mean hubs and load zones of ../shared/datasets/ercot-hourly),
# issue days 2024-06-01 … 2025-06-26, thresholds 100/500/1000, refit every 2 days, one `spikecast backtest`
# per model configuration (default, reference, climatology-seasonal) so each has its own wall time.
# Per point and pooled (every point, flagged as mixed resolutions, and the 14 hourly-mean points alone):
# Brier, skill against the seasonal climatology SS = 1 − Brier/Brier_seasonal, skill against the
# hour-of-day climatology, ROC-AUC and PR-AUC, all as computed by the backtest (SpikeBacktest.Evaluation).
#
# Usage: scripts/bench_multinode.sh PATH/TO/spikecast
# Environment: MULTINODE_MODELS (default "default reference climatology-seasonal"), MULTINODE_NODES
# (comma-separated, default the 15 points), MULTINODE_START / MULTINODE_END (issue days), MULTINODE_KEEP=DIR
# keeps the data dir and JSON there, MULTINODE_REUSE=1 (with MULTINODE_KEEP) re-prints the table from the kept
# JSON of a configuration instead of running it again. A configuration is a built-in name or a JSON file
# (`--model-config FILE`), labelled by its file name. The `reference` configuration (300 rounds × 3 thresholds per fold) is the
# slow one: about 15 × its one-node time. After the table, scripts/input_ceiling.py bounds what the inputs can add.
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT/../shared/datasets"
echo "== multi-node skill table (15 points, docs/multi-node.md) =="
if [ ! -d "$SHARED/ercot" ] || [ ! -d "$SHARED/ercot-hourly" ]; then
    echo "-- skipped: $SHARED/ercot and $SHARED/ercot-hourly are needed (the shared real ERCOT data is absent)"
    exit 0
fi
if [ -n "${MULTINODE_KEEP:-}" ]; then WORK="$MULTINODE_KEEP"; mkdir -p "$WORK"; else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/spikecast-multinode.XXXXXX")"; trap 'rm -rf "$WORK"' EXIT; fi
export NO_COLOR=1
NODES="${MULTINODE_NODES:-HB_HUBAVG,HB_BUSAVG,HB_HOUSTON,HB_NORTH,HB_PAN,HB_SOUTH,HB_WEST,LZ_AEN,LZ_CPS,LZ_HOUSTON,LZ_LCRA,LZ_NORTH,LZ_RAYBN,LZ_SOUTH,LZ_WEST}"
START="${MULTINODE_START:-2024-06-01}"
END="${MULTINODE_END:-2025-06-26}"
MODELS="${MULTINODE_MODELS:-default reference climatology-seasonal}"
if [ ! -f "$WORK/data/spikecast.sqlite" ]; then
    echo "-- importing $SHARED/ercot and $SHARED/ercot-hourly"
    "$BIN" import --data-dir "$WORK/data" "$SHARED/ercot" "$SHARED/ercot-hourly" --log-level warning > /dev/null
fi
LOAD="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
LABELS=""
for cfg in $MODELS; do
    # A configuration is a built-in name or a JSON file; its label (file name without .json) names the outputs.
    label="$(basename "$cfg" .json)"
    LABELS="$LABELS $label"
    if [ -n "${MULTINODE_REUSE:-}" ] && [ -f "$WORK/$label.json" ] && [ -f "$WORK/$label.seconds" ]; then
        echo "-- $label: reusing $WORK/$label.json (MULTINODE_REUSE)"; continue
    fi
    echo "-- spikecast backtest --model-config $cfg ($START … $END, $(echo "$NODES" | tr ',' '\n' | wc -l) points, load average $LOAD)"
    t0=$(date +%s.%N)
    "$BIN" backtest --data-dir "$WORK/data" --log-level warning --nodes "$NODES" --thresholds 100,500,1000 \
        --start-date "$START" --end-date "$END" --refit-every 2 --model-config "$cfg" --bootstrap 0 --fresh \
        --name "multinode $label" --output-format json --output-path "$WORK/$label.json"
    t1=$(date +%s.%N)
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$t1" > "$WORK/$label.seconds"
done
python3 - "$WORK" $LABELS <<'PY'
import json, os, sys
work, models = sys.argv[1], sys.argv[2:]
runs = {}
for m in models:
    with open(os.path.join(work, m + ".json")) as f:
        runs[m] = json.load(f)
    with open(os.path.join(work, m + ".seconds")) as f:
        runs[m]["wall_s"] = float(f.read())
def fmt(v, d=3):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:+.{d}f}" if d == 3 else f"{v:.{d}f}"
def num(v, d=3):
    return fmt(v, d).lstrip("+") if d == 3 else fmt(v, d)
for thr in ["100", "500", "1000"]:
    print(f"\n$ {thr}: SS = 1 − Brier/Brier_seasonal (skill against the hour × month climatology); BSS hod = against the hour-of-day climatology")
    header = f"{'point':<20} {'labels':<8} {'rows':>6} {'pos':>5} " + " ".join(f"{m[:20] + ' SS':>23} {'ROC':>5} {'PR':>5}" for m in models)
    print(header)
    slices = {}
    for m in models:
        for s in runs[m]["slices"]:
            if s["threshold"] == thr:
                slices.setdefault(s["node"], {})[m] = s
    order = [n for n in slices if not n.startswith("pooled")] + sorted(n for n in slices if n.startswith("pooled"))
    positive = {m: 0 for m in models}
    points = 0
    for n in order:
        row = slices[n]
        first = row[models[0]]
        res = first.get("label_resolution_min")
        labels = "mixed" if (first.get("pool") or {}).get("mixed_resolutions") else ("hourly" if res == 60 else f"{res}min" if res else "?")
        o = first["overall"]
        cells = []
        for m in models:
            s = row.get(m)
            if not s:
                cells.append(f"{'':>23} {'':>5} {'':>5}")
                continue
            so = s["overall"]
            few = "*" if so.get("too_few_spikes") else " "
            cells.append(f"{fmt(so.get('bss_seasonal')) + few:>23} {fmt(so.get('roc_auc'), 2):>5} {fmt(so.get('pr_auc'), 2):>5}")
            if not n.startswith("pooled"):
                v = so.get("bss_seasonal")
                if isinstance(v, (int, float)) and v > 0:
                    positive[m] += 1
        if not n.startswith("pooled"):
            points += 1
        print(f"{n:<20} {labels:<8} {o['n_rows']:>6} {o['n_pos']:>5} " + " ".join(cells))
    print("points with SS > 0: " + ", ".join(f"{m} {positive[m]}/{points}" for m in models) + "   (* = fewer than 20 spikes)")
    for m in models:
        p = slices.get("pooled", {}).get(m)
        h = slices.get("HB_HUBAVG", {}).get(m)
        if p:
            po = p["overall"]
            print(f"  {m}: pooled Brier {po['brier']:.5f}, SS {fmt(po.get('bss_seasonal'))}, BSS hod {fmt(po.get('bss'))}, ROC-AUC {num(po.get('roc_auc'))}, PR-AUC {num(po.get('pr_auc'))}"
                  + (f"; HB_HUBAVG BSS hod {fmt(h['overall'].get('bss'))}, ROC-AUC {num(h['overall'].get('roc_auc'))}" if h else ""))
print("\nwall time per configuration (one backtest each, all points):")
for m in models:
    t = runs[m].get("timing_s", {})
    print(f"  {m:<22} {runs[m]['wall_s']:8.1f} s wall (backtest total {t.get('total', float('nan')):.1f} s: features {t.get('features', float('nan')):.1f}, train {t.get('train', float('nan')):.1f}, predict {t.get('predict', float('nan')):.1f}, metrics {t.get('metrics', float('nan')):.1f})")
PY
# How much the inputs can carry beyond the seasonal climatology (scripts/input_ceiling.py, docs/multi-node.md):
# binned by the day-ahead load and temperature forecasts, day D's DAM price and the last 24 hours' RT maximum,
# fitted in sample (an optimistic bound) and out of sample, on the rows of the first configuration's run.
first="$(echo $LABELS | cut -d' ' -f1)"
run_id="$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['run_id'])" "$WORK/$first.json")"
echo
python3 "$ROOT/scripts/input_ceiling.py" "$WORK/data/spikecast.sqlite" "$run_id"
if echo ",$NODES," | grep -q ',HB_HUBAVG,'; then
    echo
    python3 "$ROOT/scripts/input_ceiling.py" "$WORK/data/spikecast.sqlite" "$run_id" --node HB_HUBAVG
fi
