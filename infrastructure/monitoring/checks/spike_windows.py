#!/usr/bin/env python3
"""How many spike hours a skill window holds, per threshold: for the HB_HUBAVG 15-minute RT prices
of the shared ERCOT data, spike hours (maximum interval price of the clock hour > threshold, complete
hours only: the label rule) in every sliding window of 30/60/90/180 days (one window ending each day).
The measurement behind the service's skill windows (docs/deployment.md, "Alerts").

    python3 infrastructure/monitoring/checks/spike_windows.py ../shared/datasets/ercot/rt_prices.csv.gz"""
import csv, gzip, sys, collections, datetime as dt
path = sys.argv[1]
hours = collections.defaultdict(lambda: [0, -1e9])
for r in csv.DictReader(gzip.open(path, "rt")):
    if r["settlement_point"] != "HB_HUBAVG" or r["interval_minutes"] != "15": continue
    t = dt.datetime.fromisoformat(r["interval_start_utc"].replace("Z", "+00:00"))
    h = t.replace(minute=0)
    e = hours[h]; e[0] += 15; e[1] = max(e[1], float(r["price"]))
complete = {h: v[1] for h, v in hours.items() if v[0] >= 60}
first, last = min(complete), max(complete)
days = (last - first).days
print(f"complete hours {len(complete)} from {first:%F} to {last:%F}")
for thr in (100, 500, 1000):
    spikes = sorted(h for h, p in complete.items() if p > thr)
    for w in (30, 60, 90, 180):
        counts = []
        end = first + dt.timedelta(days=w)
        while end <= last:
            start = end - dt.timedelta(days=w)
            counts.append(sum(1 for h in spikes if start <= h < end))
            end += dt.timedelta(days=1)
        if not counts: continue
        zero = sum(1 for c in counts if c == 0) / len(counts)
        lt10 = sum(1 for c in counts if c < 10) / len(counts)
        print(f"${thr:>4} window {w:>3} d: {len(counts)} windows, median {sorted(counts)[len(counts)//2]} spike hours, "
              f"{100*zero:.0f}% with none, {100*lt10:.0f}% with fewer than 10")
