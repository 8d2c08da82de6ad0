"""Inline SVG drawn on the server: the p10-p50-p90 interval of a row, daily MAE lines, and
calibration bars, P(over) reliability. No script library, nothing from a CDN; every label is escaped."""
from __future__ import annotations

from html import escape

import numpy as np
from markupsafe import Markup

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f", "#e377c2")
BASELINE = "#000000"
MARKED_DAYS = 45


def intervals(p10, p50, p90, line, scale: float) -> list[str]:
    """Per row, a bar from p10 to p90 with a tick at p50 and, where known, the line as a red
    mark. Positions are computed for all rows at once and only numbers go in, so nothing
    needs escaping (the busiest slate draws 14,000 of these)."""
    w = 160
    x = lambda v: 4 + (w - 8) * np.clip(np.asarray(v, dtype=float) / scale, 0, 1)  # noqa: E731
    left, mid, mark = x(p10), x(p50) - 1, x(np.nan_to_num(line, nan=0.0)) - 1
    width = np.maximum(x(p90) - left, 1)
    out = []
    for lo, hi, md, ln, a, b, m, k in zip(p10, p90, p50, line, left.tolist(), width.tolist(), mid.tolist(),
                                          mark.tolist(), strict=True):
        label = f"p10 {lo:.1f}, p50 {md:.1f}, p90 {hi:.1f}" + ("" if ln != ln else f", line {ln:g}")
        red = "" if ln != ln else f'<rect x="{k:.1f}" y="0" width="2" height="14" class="line"/>'
        out.append(f'<svg class="interval" width="{w}" height="14" role="img"><title>{label}</title>'
                   f'<rect x="{a:.1f}" y="4" width="{b:.1f}" height="6" class="band"/>'
                   f'<rect x="{m:.1f}" y="1" width="2" height="12" class="mid"/>{red}</svg>')
    return out


def lines(series: dict[str, list[tuple[str, float]]], title: str, baseline: str | None = None) -> Markup:
    """One polyline per series over shared dates (x) and values (y), with a legend."""
    points = [v for s in series.values() for _, v in s if v is not None]
    days = sorted({d for s in series.values() for d, _ in s})
    if not points or not days:
        return Markup(f'<p class="empty">{escape(title)}: nothing graded in this window</p>')
    w, h, left, bottom = 720, 240, 40, 20
    lo, hi = min(points), max(points)
    hi = hi if hi > lo else lo + 1
    index = {d: i for i, d in enumerate(days)}
    x = lambda d: left + (w - left - 10) * (index[d] / max(len(days) - 1, 1))  # noqa: E731
    y = lambda v: 10 + (h - bottom - 10) * (1 - (v - lo) / (hi - lo))  # noqa: E731
    body = [f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" class="axis"/>',
            f'<text x="2" y="14" class="tick">{hi:.2f}</text>',
            f'<text x="2" y="{h - bottom}" class="tick">{lo:.2f}</text>',
            f'<text x="{left}" y="{h - 4}" class="tick">{escape(days[0])}</text>',
            f'<text x="{w - 90}" y="{h - 4}" class="tick">{escape(days[-1])}</text>']
    legend = []
    for i, (name, values) in enumerate(sorted(series.items())):
        colour = BASELINE if name == baseline else PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="5,3"' if name == baseline else ""
        shown = [(x(d), y(v)) for d, v in values if v is not None]
        body.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in shown)}" fill="none" '
                    f'stroke="{colour}" stroke-width="1.5"{dash}/>')
        if len(days) <= MARKED_DAYS:   # a short window (or one day) needs its points drawn
            body += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{colour}"/>' for a, b in shown]
        legend.append(f'<span class="key"><svg width="14" height="4"><rect width="14" height="4" '
                      f'fill="{colour}"/></svg>{escape(name)}</span>')
    return Markup(f'<figure><svg class="chart" width="{w}" height="{h}" role="img" aria-label="{escape(title)}">'
                  f'<title>{escape(title)}</title>{"".join(body)}</svg><figcaption>{escape(title)} '
                  f'{"".join(legend)}</figcaption></figure>')


def calibration(rows: list[dict]) -> Markup:
    """For each system: the share of outcomes below p10, the prediction and p90, against the
    10 / 50 / 90 % a calibrated interval gives."""
    if not rows:
        return Markup('<p class="empty">calibration: nothing graded in this window</p>')
    w, bar, gap = 720, 10, 26
    h = 30 + gap * len(rows)
    x = lambda share: 160 + (w - 170) * share  # noqa: E731
    body = [f'<line x1="{x(t):.1f}" y1="10" x2="{x(t):.1f}" y2="{h - 6}" class="target"/>'
            f'<text x="{x(t) - 8:.1f}" y="9" class="tick">{int(t * 100)}%</text>' for t in (0.1, 0.5, 0.9)]
    for i, r in enumerate(rows):
        top = 20 + gap * i
        body.append(f'<text x="2" y="{top + bar}" class="tick">{escape(r["prop"])} {escape(r["system"])}</text>')
        for j, key in enumerate(("below_p10", "below_predicted", "below_p90")):
            share = r[key] or 0.0
            body.append(f'<rect x="{x(share) - 3:.1f}" y="{top + 2:.1f}" width="6" height="{bar}" '
                        f'fill="{PALETTE[j]}"><title>{escape(key)}: {share:.1%}</title></rect>')
    return Markup(f'<svg class="chart" width="{w}" height="{h}" role="img" aria-label="calibration">'
                  f'{"".join(body)}</svg>')


def reliability(by_system: dict[str, list[dict]], title: str) -> Markup:
    """P(over) (x) against the share that went over (y), one line per system, the diagonal
    dashed: a calibrated system's points sit on it. Each point's tooltip gives its rows."""
    if not any(by_system.values()):
        return Markup(f'<p class="empty">{escape(title)}: nothing graded in this window</p>')
    size, pad = 320, 30
    at = lambda v: pad + (size - pad - 10) * v  # noqa: E731
    body = [f'<line x1="{at(0)}" y1="{size - at(0)}" x2="{at(1)}" y2="{size - at(1)}" class="target"/>',
            f'<text x="{pad}" y="{size - 4}" class="tick">0%</text>',
            f'<text x="{at(1) - 30:.0f}" y="{size - 4}" class="tick">100% P(over)</text>',
            f'<text x="2" y="{size - at(1) + 4:.0f}" class="tick">100%</text>']
    legend = []
    for i, (system, bins) in enumerate(sorted(by_system.items())):
        colour = PALETTE[i % len(PALETTE)]
        shown = [(at(b["mean_p"]), size - at(b["observed"]), b) for b in bins]
        body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in shown)}" fill="none" '
                    f'stroke="{colour}" stroke-width="1.5"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(system)}: P(over) '
                 f'{b["mean_p"]:.1%}, over {b["observed"]:.1%}, {b["n"]} rows</title></circle>' for x, y, b in shown]
        legend.append(f'<span class="key"><svg width="14" height="4"><rect width="14" height="4" '
                      f'fill="{colour}"/></svg>{escape(system)}</span>')
    return Markup(f'<figure><svg class="chart" width="{size}" height="{size}" role="img" '
                  f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
                  f'<figcaption>{escape(title)} {"".join(legend)}</figcaption></figure>')
