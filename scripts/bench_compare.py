#!/usr/bin/env python3
"""Prints Spikecast's protocol-v1 results beside the Python reference's (used by scripts/bench_backtest.sh).

Standard library only. Checks the targets of issue 4: feature parity and identical labels/rows,
ROC-AUC within 0.02 of the reference with the `reference` configuration, time outside XGBoost
training <= 5 %, and the `default` configuration's skill and speed.
"""
import argparse
import csv
import gzip
import json
import math

THRESHOLDS = ("100", "500", "1000")


def load(path):
    with open(path) as fh:
        return json.load(fh)


def fmt(v, d=4):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{v:.{d}f}"


def timing(res):
    t = res.get("timing_median") or res.get("timing_s") or {}
    return t


def metrics_table(columns):
    """columns: list of (label, result json)."""
    keys = [("n_pos", 0), ("brier", 5), ("brier_clim", 5), ("bss", 3), ("roc_auc", 3), ("roc_auc_clim", 3),
            ("pr_auc", 3), ("ece", 4), ("logloss", 4)]
    head = f"{'thr':>5} {'metric':<13}" + "".join(f"{lab:>16}" for lab, _ in columns)
    print(head)
    for thr in THRESHOLDS:
        for k, d in keys:
            row = f"{'$' + thr:>5} {k:<13}"
            for _, res in columns:
                m = res.get("metrics", {}).get(thr, {})
                v = m.get(k)
                row += f"{(str(v) if d == 0 and v is not None else fmt(v, d)):>16}"
            print(row)
        print()


def time_table(columns):
    print(f"{'phase':<14}" + "".join(f"{lab:>16}" for lab, _ in columns))
    for k in ("load", "features", "train", "predict", "metrics", "total"):
        print(f"{k + ' (s)':<14}" + "".join(f"{fmt(timing(res).get(k), 2):>16}" for _, res in columns))
    print(f"{'peak RSS (MiB)':<14}" + "".join(f"{fmt(res.get('peak_rss_mb'), 0):>16}" for _, res in columns))
    print(f"{'refits':<14}" + "".join(f"{str(res.get('n_refits', '-')):>16}" for _, res in columns))
    rows = []
    for _, res in columns:
        lr = res.get("last_refit", {}).get("100", {})
        rows.append(str(lr.get("train_rows", "-")))
    print(f"{'train rows':<14}" + "".join(f"{r:>16}" for r in rows))


def read_csv_gz(path):
    with gzip.open(path, "rt", newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        return header, list(r)


def feature_parity(ours, ref):
    h1, r1 = read_csv_gz(ours)
    h2, r2 = read_csv_gz(ref)
    if h1 != h2:
        print(f"  features: columns differ\n    ours {h1}\n    ref  {h2}")
        return False
    if len(r1) != len(r2):
        print(f"  features: {len(r1)} rows vs reference {len(r2)}")
        return False
    bad_cells = 0
    worst = {}
    keys_bad = 0
    for a, b in zip(r1, r2):
        if a[:2] != b[:2]:
            keys_bad += 1
            continue
        for j in range(2, len(h1)):
            x, y = a[j], b[j]
            if x == y:
                continue
            if x == "" or y == "":
                bad_cells += 1
                worst[h1[j]] = max(worst.get(h1[j], 0), math.inf)
                continue
            diff = abs(float(x) - float(y))
            # six decimals written: allow one unit in the last place (rounding of nearly-equal doubles)
            if diff > 1.5e-6 * max(1.0, abs(float(y)) / 1e4):
                bad_cells += 1
                worst[h1[j]] = max(worst.get(h1[j], 0), diff)
    ok = bad_cells == 0 and keys_bad == 0
    print(f"  features: {len(r1)} rows x {len(h1) - 2} columns; row keys differing: {keys_bad}; cells differing beyond rounding: {bad_cells}"
          + ("" if ok else f"; worst by column: {worst}"))
    return ok


def rows_and_labels(ours, ref):
    h1, r1 = read_csv_gz(ours)
    h2, r2 = read_csv_gz(ref)
    idx1 = {c: i for i, c in enumerate(h1)}
    idx2 = {c: i for i, c in enumerate(h2)}
    key = lambda row, idx: (row[idx["issue_day_cpt"]], row[idx["target_start_utc"]], row[idx["lead_h"]])
    k1 = [key(r, idx1) for r in r1]
    k2 = [key(r, idx2) for r in r2]
    same_rows = k1 == k2
    lab_bad = 0
    clim_bad = 0
    for a, b in zip(r1, r2):
        for t in THRESHOLDS:
            if float(a[idx1["y" + t]] or "nan") != float(b[idx2["y" + t]] or "nan"):
                lab_bad += 1
            if abs(float(a[idx1["clim" + t]]) - float(b[idx2["clim" + t]])) > 1.5e-6:
                clim_bad += 1
    ok = same_rows and lab_bad == 0
    print(f"  test rows: ours {len(r1)}, reference {len(r2)}; same (issue day, target, lead) in order: {same_rows}; "
          f"labels differing: {lab_bad}; climatology differing: {clim_bad}")
    return ok


def check(label, ok):
    print(f"  [{'PASS' if ok else 'MISS'}] {label}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference")
    ap.add_argument("--ours")
    ap.add_argument("--default")
    ap.add_argument("--features")
    ap.add_argument("--ref-features")
    ap.add_argument("--predictions")
    ap.add_argument("--ref-predictions")
    ap.add_argument("--synthetic", nargs="*")
    a = ap.parse_args()

    if a.synthetic:
        cols = [(load(p).get("model_config", p), load(p)) for p in a.synthetic]
        metrics_table(cols)
        time_table(cols)
        return

    ref, ours, dflt = load(a.reference), load(a.ours), load(a.default)
    cols = [("python ref", ref), ("spikecast ref", ours), ("spikecast dflt", dflt)]
    print("\nMetrics per threshold (test rows of PROTOCOL.md run (a))")
    metrics_table(cols)
    print("Time split and memory")
    time_table(cols)
    tr, to, td = timing(ref).get("total"), timing(ours).get("total"), timing(dflt).get("total")
    print()
    print(f"  ours/reference total time, reference config: {fmt(to / tr, 3)}   default config: {fmt(td / tr, 3)} "
          f"(speed-up {fmt(tr / td, 1)}x)")
    out_frac = (to - timing(ours).get("train", 0)) / to
    print(f"  fraction of time outside XGBoost training (reference config): {fmt(100 * out_frac, 2)} %"
          f"   (python reference: {fmt(100 * (tr - timing(ref).get('train', 0)) / tr, 2)} %)")

    print("\nCorrectness")
    ok_feat = feature_parity(a.features, a.ref_features) if a.features and a.ref_features else None
    ok_rows = rows_and_labels(a.predictions, a.ref_predictions) if a.predictions and a.ref_predictions else None

    print("\nTargets (issue 4)")
    if ok_feat is not None:
        check("feature matrix matches features_dev.csv.gz to six decimals", ok_feat)
    if ok_rows is not None:
        check(f"labels and test rows identical to predictions_dev.csv.gz ({ref.get('n_test_rows')} rows)", ok_rows)
    for t in THRESHOLDS:
        d = abs((ours["metrics"][t].get("roc_auc") or 0) - (ref["metrics"][t].get("roc_auc") or 0))
        check(f"reference config ROC-AUC within 0.02 of the reference at ${t} (|diff| {fmt(d, 4)})", d <= 0.02)
    check(f"reference config total time <= Python reference ({fmt(to, 1)} s vs {fmt(tr, 1)} s)", to <= tr)
    check(f"time outside XGBoost training <= 5 % ({fmt(100 * out_frac, 2)} %)", out_frac <= 0.05)
    m = dflt["metrics"]
    check(f"default BSS at $100 >= +0.05 ({fmt(m['100']['bss'], 4)})", (m["100"]["bss"] or -1) >= 0.05)
    check(f"default BSS at $500 > 0 ({fmt(m['500']['bss'], 4)})", (m["500"]["bss"] or -1) > 0)
    check(f"default BSS at $1000 > 0 ({fmt(m['1000']['bss'], 4)})", (m["1000"]["bss"] or -1) > 0)
    check(f"default ROC-AUC at $100 >= 0.85 ({fmt(m['100']['roc_auc'], 4)})", (m["100"]["roc_auc"] or 0) >= 0.85)
    check(f"default total >= 5x faster than the Python reference ({fmt(tr / td, 1)}x)", tr / td >= 5)


if __name__ == "__main__":
    main()
