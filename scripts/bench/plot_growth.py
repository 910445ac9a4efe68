#!/usr/bin/env python3
"""Draws docs/figures/cost_growth.svg from scripts/bench/scaling.sh's CSVs (standard library only).

    python3 scripts/bench/plot_growth.py GRID.csv SIGMA.csv [OUT.svg]

Left: wall time per operator-day against miners (log-log), one line per (merit order on/off,
days). Right: wall time against miners switched per day, at fixed miners (the price's daily
volatility varied), merit order on and off.
"""
import csv
import math
import sys

W, H = 980, 420
PANEL_W, PANEL_H = 380, 300
LEFT = [(70, 50), (580, 50)]
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def log_ticks(lo, hi):
    ticks = []
    e = math.floor(math.log10(lo))
    while 10**e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10**e
            if lo / 1.0001 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def panel(out, origin, title, xlabel, ylabel, series, xlog=True, headroom=1.3):
    """One log-log panel; `headroom` (a factor over the largest y) keeps the key clear of the data."""
    ox, oy = origin
    xs = [x for _, pts, _ in series for x, _ in pts]
    ys = [y for _, pts, _ in series for _, y in pts]
    xlo, xhi = min(xs), max(xs)
    ylo, yhi = min(ys) / 1.3, max(ys) * headroom
    if not xlog:
        xlo, xhi = 0.0, xhi * 1.05

    def X(x):
        if xlog:
            return ox + PANEL_W * (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo))
        return ox + PANEL_W * (x - xlo) / (xhi - xlo)

    def Y(y):
        return oy + PANEL_H - PANEL_H * (math.log(y) - math.log(ylo)) / (math.log(yhi) - math.log(ylo))

    out.append(f'<rect x="{ox}" y="{oy}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{ox + PANEL_W / 2}" y="{oy - 15}" text-anchor="middle" font-size="14">{title}</text>')
    out.append(f'<text x="{ox + PANEL_W / 2}" y="{oy + PANEL_H + 40}" text-anchor="middle">{xlabel}</text>')
    out.append(
        f'<text x="{ox - 50}" y="{oy + PANEL_H / 2}" text-anchor="middle" '
        f'transform="rotate(-90 {ox - 50} {oy + PANEL_H / 2})">{ylabel}</text>'
    )
    xt = log_ticks(xlo, xhi) if xlog else [xhi * k / 4 for k in range(5)]
    for t in xt:
        out.append(f'<line x1="{X(t):.1f}" y1="{oy + PANEL_H}" x2="{X(t):.1f}" y2="{oy + PANEL_H + 5}" stroke="#444"/>')
        out.append(f'<text x="{X(t):.1f}" y="{oy + PANEL_H + 18}" text-anchor="middle" font-size="11">{fmt(round(t))}</text>')
    for t in log_ticks(ylo, yhi):
        out.append(f'<line x1="{ox - 5}" y1="{Y(t):.1f}" x2="{ox + PANEL_W}" y2="{Y(t):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{ox - 8}" y="{Y(t) + 4:.1f}" text-anchor="end" font-size="11">{t:g}</text>')
    for k, (label, pts, dash) in enumerate(series):
        c = COLOURS[k % len(COLOURS)]
        path = " ".join(f"{'M' if i == 0 else 'L'}{X(x):.1f},{Y(y):.1f}" for i, (x, y) in enumerate(sorted(pts)))
        out.append(f'<path d="{path}" fill="none" stroke="{c}" stroke-width="2" {dash}/>')
        for x, y in pts:
            out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{c}"/>')
        out.append(f'<text x="{ox + 10}" y="{oy + 18 + 16 * k}" fill="{c}" font-size="12">{label}</text>')


def main():
    grid = rows(sys.argv[1])
    sigma = rows(sys.argv[2])
    target = sys.argv[3] if len(sys.argv) > 3 else "docs/figures/cost_growth.svg"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    series = []
    for merit, name, dash in (("true", "merit order", ""), ("false", "every operator daily", 'stroke-dasharray="6 4"')):
        for days in sorted({int(r["days"]) for r in grid if r["merit_order"] == merit}):
            pts = [(int(r["miners"]), float(r["ns_per_operator_day"])) for r in grid
                   if r["merit_order"] == merit and int(r["days"]) == days]
            if pts:
                series.append((f"{name}, {days} days", pts, dash))
    panel(out, LEFT[0], "CORE-1: cost per operator-day", "miners", "ns per operator-day", series, headroom=6.0)
    series = []
    for n in sorted({int(r["miners"]) for r in sigma}):
        for merit, name, dash in (("true", "merit order", ""), ("false", "every operator daily", 'stroke-dasharray="6 4"')):
            pts = [(max(float(r["switches_per_day"]), 1.0), float(r["median_s"])) for r in sigma
                   if r["merit_order"] == merit and int(r["miners"]) == n]
            if pts:
                series.append((f"{fmt(n)} miners, {name}", pts, dash))
    panel(out, LEFT[1], "CORE-1, 1,461 days: cost against switches", "miners switched per day (mean)",
          "wall time, s", series)
    out.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
