#!/usr/bin/env python3
"""Draws benches/scaling.svg and prints the scaling table from criterion's results.

    cargo bench --bench scaling && python3 benches/plot_scaling.py

Reads target/criterion/scaling/<L>_lines_<O>_offers/new/estimates.json (median, ns).
Standard library only; log-log axes, one line per offer count.
"""

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = [10, 100, 1000]


def median_ns(name):
    p = ROOT / "target/criterion/scaling" / name / "new/estimates.json"
    return json.loads(p.read_text())["median"]["point_estimate"]


def human(ns):
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.1f} µs"
    return f"{ns / 1_000_000:.2f} ms"


def main():
    t = {(l, o): median_ns(f"{l}_lines_{o}_offers") for l in SIZES for o in SIZES}
    print("| lines \\ offers | " + " | ".join(str(o) for o in SIZES) + " |")
    print("| --- | " + " | ".join("---" for _ in SIZES) + " |")
    for l in SIZES:
        print(f"| {l} | " + " | ".join(human(t[(l, o)]) for o in SIZES) + " |")
    for extra in (0, 990):
        print(f"unmatched_10_plus_{extra}: {human(median_ns(f'unmatched_10_plus_{extra}'))}")

    w, h, m = 560, 360, 60
    lo = math.log10(min(t.values())) - 0.2
    hi = math.log10(max(t.values())) + 0.2
    x = lambda lines: m + (math.log10(lines) - 1) / 2 * (w - 2 * m)
    y = lambda ns: h - m - (math.log10(ns) - lo) / (hi - lo) * (h - 2 * m)
    colors = {10: "#1b9e77", 100: "#d95f02", 1000: "#7570b3"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">youhui quote time (RuleSet::totals, median)</text>',
           f'<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" stroke="black"/>',
           f'<line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" stroke="black"/>',
           f'<text x="{w / 2}" y="{h - 15}" text-anchor="middle">cart lines (log)</text>']
    for lines in SIZES:
        out.append(f'<text x="{x(lines)}" y="{h - m + 18}" text-anchor="middle">{lines}</text>')
    for e in range(math.ceil(lo), math.floor(hi) + 1):
        ns = 10 ** e
        out.append(f'<line x1="{m - 4}" y1="{y(ns)}" x2="{w - m}" y2="{y(ns)}" stroke="#ddd"/>')
        out.append(f'<text x="{m - 8}" y="{y(ns) + 4}" text-anchor="end">{human(ns)}</text>')
    for i, o in enumerate(SIZES):
        pts = " ".join(f"{x(l):.1f},{y(t[(l, o)]):.1f}" for l in SIZES)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colors[o]}" stroke-width="2"/>')
        for l in SIZES:
            out.append(f'<circle cx="{x(l):.1f}" cy="{y(t[(l, o)]):.1f}" r="3" fill="{colors[o]}"/>')
        out.append(f'<text x="{w - m - 90}" y="{m + 16 * i}" fill="{colors[o]}">{o} offers</text>')
    out.append("</svg>")
    (ROOT / "benches/scaling.svg").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
