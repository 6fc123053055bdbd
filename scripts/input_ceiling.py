#!/usr/bin/env python3
"""How much day-specific information the shared inputs carry beyond the seasonal climatology.

Reads one stored backtest run (its rows: label, the hour-of-day and the hour x month climatology the
backtest computed, point in time) and the store's inputs (day-ahead load and temperature forecasts, DAM and
real-time prices), and asks: if a
forecast were the seasonal climatology multiplied by a factor per cell of (lead day, 4-hour block, bin of an
input), how much would it beat the seasonal climatology?

- "in sample": the factors are fitted on the scored rows themselves. This is optimistic by construction: an
  upper bound for that input used this way, not a forecast.
- "out of sample": the factors are fitted on the rows of the odd calendar months and scored on the even ones,
  and the other way round (shrunk towards 1 by 20 pseudo-rows per cell).
- "perfect hour x month": the climatology fitted on the scored rows themselves (knowing the period's own base
  rates); the gain over the point-in-time seasonal climatology that no forecast of the base rate can exceed.

A cell's factor is the least-squares one (Σ p·y / Σ p² over its rows, p the seasonal climatology), so in
sample no cell can do worse than the climatology itself.

Inputs are what a forecast issued at 06:00 on day D reads (the store's `available_at` <= the issue time): the
latest vintage of the forecast for the same hour of D+1 (the shared data's forecasts are day-ahead only, so
D+2 and D+3 use D+1's, as the model does). An input's bin is the decile (or quintile) of its departure from
its mean in the same local hour and month over the scored rows.

Usage: scripts/input_ceiling.py STORE.sqlite RUN_ID [--node NODE]...
Labels, climatologies and availability are the project's own (stored by `spikecast backtest` and
`spikecast import`); this script only bins and scores. Used by scripts/bench_multinode.sh; docs/multi-node.md.
"""
import argparse
import bisect
import sqlite3
import sys
from collections import defaultdict
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

CT = ZoneInfo("America/Chicago")
SERIES = {"load_fc": "load_forecast_ercot", "temp_fc": "temperature_forecast_ercot"}
# load_fc / temp_fc: the day-ahead forecast for the same clock hour of D+1; dam_d: the node's DAM price for the
# same clock hour of day D (posted the day before); rt_max_24h: the node's highest real-time price in the 24
# hours before the issue time.
INPUTS = ["load_fc", "temp_fc", "dam_d", "rt_max_24h"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("run_id", type=int)
    ap.add_argument("--node", action="append", help="score only these nodes (repeatable); default every node, pooled")
    args = ap.parse_args()
    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    models = [m for (m,) in db.execute("SELECT DISTINCT model FROM backtest_predictions WHERE run_id = ?", (args.run_id,))]
    if not models:
        sys.exit(f"input_ceiling: run {args.run_id} has no stored predictions in {args.store}")
    model = models[0]  # labels and climatologies are the same for every model of a run
    series = {}
    for key, var in SERIES.items():
        vint = defaultdict(list)  # interval_start -> [(available_at, value)]
        for start, avail, value in db.execute(
                "SELECT interval_start, available_at, value FROM series_value WHERE variable = ?", (var,)):
            vint[start].append((avail, value))
        for v in vint.values():
            v.sort()
        series[key] = vint

    def at_issue(key, start, issue):
        best = None
        for avail, value in series[key].get(start, ()):
            if avail <= issue:
                best = value
        return best

    dam = defaultdict(dict)  # node -> interval_start -> (available_at, price)
    rt = defaultdict(list)  # node -> [(interval_start, interval_minutes, available_at, price)] sorted
    for node, market, start, minutes, price, avail in db.execute(
            "SELECT node, market, interval_start, interval_minutes, price, available_at FROM price"):
        if market == "DAM":
            dam[node][start] = (avail, price)
        elif market == "RT":
            rt[node].append((start, minutes, avail, price))
    for v in rt.values():
        v.sort()
    rt_starts = {n: [r[0] for r in v] for n, v in rt.items()}
    rt_max_cache = {}

    def rt_max_24h(node, issue):
        key = (node, issue)
        if key not in rt_max_cache:
            lo = bisect.bisect_left(rt_starts.get(node, []), issue - 2 * 86400)
            best = None
            for start, minutes, avail, price in rt.get(node, [])[lo:]:
                if start >= issue:
                    break
                if avail <= issue and start + 60 * minutes > issue - 86400:
                    best = price if best is None else max(best, price)
            rt_max_cache[key] = best
        return rt_max_cache[key]

    def dam_d(node, start_d, issue):
        v = dam.get(node, {}).get(start_d)
        return v[1] if v and v[0] <= issue else None

    local = {}

    def loc(e):
        v = local.get(e)
        if v is None:
            t = datetime.fromtimestamp(e, timezone.utc).astimezone(CT)
            v = local[e] = (t.hour, t.month, t.date())
        return v

    # label -1: the hour's label is unknown (no price); such rows are not scored, as in the backtest
    q = ("SELECT node, threshold, issue_day, issue_time, target_start, label, climatology, seasonal_climatology "
         "FROM backtest_predictions WHERE run_id = ? AND model = ? AND seasonal_climatology IS NOT NULL AND label >= 0")
    by_thr = defaultdict(list)
    for node, thr, issue_day, issue, start, label, hod, seas in db.execute(q, (args.run_id, model)):
        if args.node and node not in args.node:
            continue
        hour, month, day = loc(start)
        lead = (day - date.fromisoformat(issue_day)).days  # 1, 2, 3: D+1 … D+3
        same_hour_d1 = start - 86400 * (lead - 1)  # the same clock hour of D+1 (an hour off across a DST change)
        feats = {k: at_issue(k, same_hour_d1, issue) for k in SERIES}
        feats["dam_d"] = dam_d(node, start - 86400 * lead, issue)
        feats["rt_max_24h"] = rt_max_24h(node, issue)
        by_thr[thr].append((lead, (hour, month), label, hod, seas, feats))
    scope = ", ".join(args.node) if args.node else "every node, pooled"
    print(f"input ceiling, run {args.run_id} ({scope}); SS = 1 − Brier/Brier_seasonal")
    for thr in sorted(by_thr):
        rows = by_thr[thr]
        report(thr, rows)


def report(thr, rows):
    n = len(rows)
    pos = sum(r[2] for r in rows)
    b_seas = sum((r[4] - r[2]) ** 2 for r in rows)
    b_hod = sum((r[3] - r[2]) ** 2 for r in rows)
    print(f"\n$ {thr:g}: {n} rows, {pos} spikes; seasonal climatology vs hour of day {1 - b_seas / b_hod:+.4f}")
    if pos < 20:
        print("  too few spikes for a ceiling")
        return

    def anomalies(key):
        mean = defaultdict(lambda: [0.0, 0])
        for r in rows:
            v = r[5][key]
            if v is not None:
                m = mean[r[1]]
                m[0] += v
                m[1] += 1
        an = [None if r[5][key] is None else r[5][key] - mean[r[1]][0] / mean[r[1]][1] for r in rows]
        return an, sorted(a for a in an if a is not None)

    def bins(anomaly, k):
        an, srt = anomaly
        if len(srt) < k:
            return None  # the store has (almost) no values of this input
        cuts = [srt[len(srt) * j // k] for j in range(1, k)]
        return [-1 if a is None else sum(a > c for c in cuts) for a in an]

    def line(label, brier, cells):
        print(f"  {label:<58} {cells:>5} cells  SS {1 - brier / b_seas:+.4f}  (vs hour of day {1 - brier / b_hod:+.4f})")

    # A cell's factor c minimises Σ (c·p − y)² over its rows (p the seasonal climatology): c = Σpy / Σp².
    # In sample c = 1 is a choice, so no cell can score worse than the climatology; out of sample the sums get
    # `prior` pseudo-rows at c = 1 (the mean p² of 20 rows) and come from the other half of the months.
    prior = 20 * sum(r[4] ** 2 for r in rows) / n

    def sums(pairs):
        # per cell: Σ p·y and Σ p² of its rows
        cell = defaultdict(lambda: [0.0, 0.0])
        for r, k in pairs:
            c = cell[k]
            c[0] += r[4] * r[2]
            c[1] += r[4] ** 2
        return cell

    def in_sample(keys, label):
        cell = sums(zip(rows, keys))
        b = 0.0
        for r, k in zip(rows, keys):
            c = cell[k]
            p = min(0.999, r[4] * (c[0] / c[1] if c[1] > 0 else 1.0))
            b += (p - r[2]) ** 2
        line(label, b, len(cell))

    both_halves = len({r[1][1] % 2 for r in rows}) == 2

    def out_of_sample(keys, label):
        if not both_halves:
            print(f"  {label}: needs rows in both odd and even months")
            return
        cells = [sums((r, k) for r, k in zip(rows, keys) if r[1][1] % 2 == half) for half in (0, 1)]
        b = 0.0
        for r, k in zip(rows, keys):
            c = cells[1 - r[1][1] % 2].get(k)
            f = (c[0] + prior) / (c[1] + prior) if c else 1.0
            b += (min(0.999, r[4] * f) - r[2]) ** 2
        line(label, b, len(cells[0]) + len(cells[1]))

    # the perfect climatology: each (hour, month) cell's own rate on the scored rows
    cell = defaultdict(lambda: [0, 0])
    for r in rows:
        c = cell[r[1]]
        c[0] += r[2]
        c[1] += 1
    line("perfect hour x month (in sample)", sum((cell[r[1]][0] / cell[r[1]][1] - r[2]) ** 2 for r in rows), len(cell))
    in_sample([(r[0], r[1][1]) for r in rows], "recalibration by lead day x month (in sample)")
    anomaly = {k: anomalies(k) for k in INPUTS}
    dec = {k: bins(anomaly[k], 10) for k in INPUTS}
    qui = {k: bins(anomaly[k], 5) for k in INPUTS}
    for k in INPUTS:
        if dec[k] is None:
            print(f"  {k}: no values in the store for these rows")
        else:
            in_sample([(r[0], r[1][0] // 4, d) for r, d in zip(rows, dec[k])], f"{k} decile x lead x 4-hour block (in sample)")
    for k in INPUTS:
        if qui[k] is not None:
            out_of_sample([(r[0], r[1][0] // 4, d) for r, d in zip(rows, qui[k])], f"{k} quintile x lead x 4-hour block (out of sample)")
    if qui["load_fc"] is not None and qui["temp_fc"] is not None:
        out_of_sample([(r[0], r[1][0] // 4, a, b) for r, a, b in zip(rows, qui["load_fc"], qui["temp_fc"])],
                      "load_fc x temp_fc quintiles x lead x 4-hour block (out of sample)")


if __name__ == "__main__":
    main()
