"""`evaluate` in the terminal: what report.md says, as tables: the systems, the naive
baselines on the same rows, the champion against its challenger, MAE by minutes played,
by expected minutes (with p10-p90 coverage) and by month, and the predictive distributions
(pinball loss, quantile shares, P(over) scores and reliability)."""
from __future__ import annotations

import pandas as pd
from rich.table import Table

from bin.cli.common import console
from shared.catalogue import PROP_NAMES, SYSTEM_NAMES


def _pct(value) -> str:
    return "-" if value is None or value != value else f"{value:.1%}"


def print_evaluation(ev) -> None:
    span = f"{ev.start}..{ev.end}"
    table = Table("system", "prop", "rows", "MAE", "RMSE", "bias", "within 3", "within 5", "p10-p90",
                  "coverage >=15 min", title=f"graded rows (played, >= 10 earlier games that season), {span}")
    for r in ev.main.itertuples():
        table.add_row(r.system, r.prop, f"{r.n:,}", f"{r.mae:.3f}", f"{r.rmse:.3f}", f"{r.bias:+.3f}",
                      _pct(r.within_3), _pct(r.within_5), _pct(r.interval_coverage), _pct(r.coverage_15min))
    console.print(table)
    baselines = Table("prop", "baseline", "rows", "MAE", "RMSE", "bias", "within 3", "within 5", "best system",
                      title=f"naive baselines on the same graded rows, {span}")
    best = ev.main.sort_values("mae").drop_duplicates("prop").set_index("prop")
    for r in ev.baselines.itertuples():
        top = best.loc[r.prop] if r.prop in best.index else None
        versus = "-" if top is None else f"{top['system']} {top['mae']:.3f} ({top['mae'] - r.mae:+.3f})"
        baselines.add_row(r.prop, r.baseline, f"{r.n:,}", f"{r.mae:.3f}", f"{r.rmse:.3f}", f"{r.bias:+.3f}",
                          _pct(r.within_3), _pct(r.within_5), versus)
    console.print(baselines)
    for r in (ev.challengers.itertuples() if ev.challengers is not None else []):
        console.print(f"challenger {r.system} v{r.challenger_version} vs champion v{r.champion_version} on {r.n:,} "
                      f"rows: MAE {r.challenger_mae:.3f} vs {r.champion_mae:.3f}", highlight=False)
    console.print(_breakdown(ev.by_minutes, "minutes_bucket", f"MAE by minutes played, {span}"))
    if ev.by_expected_minutes is not None and len(ev.by_expected_minutes):
        console.print(_breakdown(ev.by_expected_minutes, "expected_minutes",
                                 f"MAE (p10-p90 coverage) by expected minutes (last-10 average), {span}",
                                 coverage=True))
    console.print(_breakdown(ev.by_month, "month", f"MAE by month, {span}"))
    if ev.distribution is not None and len(ev.distribution.pinball):
        print_distribution(ev.distribution, span)


def print_distribution(d, span: str) -> None:
    """Pinball loss and quantile shares, then P(over) scores and the served system's reliability."""
    from modeling.calibration import worst_bin

    shares = d.quantiles.set_index(["system", "prop", "level"])
    table = Table("system", "prop", "rows", "pinball", "pinball normal", "worst quantile miss", "q10 below/at",
                  "q50 below/at", "q90 below/at",
                  title=f"predictive distributions (19 quantiles; normal: through p10/p50/p90), {span}")
    for r in d.pinball.itertuples():
        mine = shares.loc[(r.system, r.prop)]
        cells = [f"{_pct(mine.loc[lv, 'below'])}/{_pct(mine.loc[lv, 'at_or_below'])}" for lv in (0.1, 0.5, 0.9)]
        table.add_row(r.system, r.prop, f"{r.n:,}", f"{r.pinball:.4f}", f"{r.pinball_normal:.4f}",
                      _pct(mine["miss"].max()), *cells)
    console.print(table)
    if d.scores.empty:
        return
    scores = Table("system", "prop", "lines", "rows", "Brier", "Brier normal", "Brier last-10", "log loss",
                   "log loss last-10", "worst bin (500+)",
                   title=f"P(over) at the line (proxy: last-10 mean, nearest half point), pushes left out, {span}")
    for r in d.scores.itertuples():
        scores.add_row(r.system, r.prop, r.lines, f"{r.n:,}", f"{r.brier:.4f}", f"{r.brier_normal:.4f}",
                       f"{r.brier_last10:.4f}", f"{r.log_loss:.4f}", f"{r.log_loss_last10:.4f}",
                       _pct(worst_bin(d.reliability, r.system, r.prop, r.lines)))
    console.print(scores)
    served = "ensemble" if (d.reliability["system"] == "ensemble").any() else d.reliability["system"].iloc[0]
    rel = d.reliability[(d.reliability["system"] == served) & (d.reliability["lines"] == "proxy")]
    bins = Table("prop", *(f"{10 * b}-{10 * b + 10}%" for b in range(10)),
                 title=f"{served} P(over) reliability at line proxies: share over (rows), {span}")
    for prop in (p for p in PROP_NAMES if p in set(rel["prop"])):
        cells = rel[rel["prop"] == prop].set_index("bin")
        bins.add_row(prop, *(f"{_pct(cells.loc[b, 'observed'])} ({int(cells.loc[b, 'n']):,})" if b in cells.index
                             else "-" for b in range(10)))
    console.print(bins)


def _breakdown(frame: pd.DataFrame, bucket: str, title: str, coverage: bool = False) -> Table:
    """One row per prop and system, one column per bucket; a row per prop counts its rows."""
    frame = frame.assign(**{bucket: frame[bucket].astype(str)})
    columns = list(dict.fromkeys(frame[bucket]))
    if bucket == "month":
        columns.sort()
    table = Table("prop", "system", *columns, title=title)
    for prop in (p for p in PROP_NAMES if p in set(frame["prop"])):
        of_prop = frame[frame["prop"] == prop]
        counts = of_prop.groupby(bucket)["n"].max()
        table.add_row(prop, "(rows)", *(f"{int(counts[c]):,}" if c in counts else "-" for c in columns),
                      style="dim")
        for system in (s for s in SYSTEM_NAMES if s in set(of_prop["system"])):
            cells = of_prop[of_prop["system"] == system].set_index(bucket)
            table.add_row("", system, *(_cell(cells.loc[c], coverage) if c in cells.index else "-" for c in columns))
    return table


def _cell(row, coverage: bool) -> str:
    return f"{row['mae']:.3f} ({_pct(row['interval_coverage'])})" if coverage else f"{row['mae']:.3f}"
